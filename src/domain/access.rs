//! Who may read or do what. Pure rules: the store turns a [`Scope`] into SQL conditions and
//! the API asks [`Actor::may`] before any change.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The role a signed-in person acts in, from the token's `role` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Caseworker,
    Manager,
    Parent,
    Professional,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Caseworker,
        Role::Manager,
        Role::Parent,
        Role::Professional,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::Manager => "manager",
            Role::Parent => "parent",
            Role::Professional => "professional",
            Role::Admin => "admin",
        }
    }

    /// Staff of a local authority (their token carries the LA's code).
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Caseworker | Role::Manager)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// What an actor may see: the store applies it to every query on child-linked records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Administrators, across local authorities.
    Everything,
    /// Staff: their own local authority's records.
    LocalAuthority { la_id: i64 },
    /// A parent or carer: children linked to them; a young person: themself.
    Family {
        parent_id: Option<i64>,
        young_person_child_id: Option<i64>,
    },
    /// A professional: the advice requests addressed to them or to their service in their
    /// LA, each with only what it needs about the child; no children's records.
    Professional {
        la_id: i64,
        professional_id: i64,
        service: String,
    },
    /// Signed in, but no record links the subject to any child.
    Nothing,
}

/// Things an actor may do, checked before every change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Create local authorities; act across them.
    AdministerLocalAuthorities,
    /// Localities, teams, staff and professionals of an LA.
    ManageOrganisation,
    /// Children, parents and their links.
    ManageChildren,
    /// Needs assessments, advice requests, exceptions and plans.
    ManageCasework,
    /// Read the audit trail.
    ReadAuditTrail,
    /// Submit or decline advice addressed to oneself or one's service.
    RespondToAdvice,
    /// Read the backlog, timeliness and forecasts of an LA (all LAs for an admin).
    ViewBacklog,
    /// Produce the LA's statutory returns (the DfE's SEN2).
    ProduceReturns,
}

impl Permission {
    pub fn granted_to(self, role: Role) -> bool {
        use Permission::*;
        match role {
            Role::Admin => true,
            Role::Manager => matches!(
                self,
                ManageOrganisation
                    | ManageChildren
                    | ManageCasework
                    | ReadAuditTrail
                    | ViewBacklog
                    | ProduceReturns
            ),
            Role::Caseworker => matches!(self, ManageChildren | ManageCasework | ViewBacklog),
            Role::Professional => matches!(self, RespondToAdvice),
            Role::Parent => false,
        }
    }
}

/// The signed-in person, resolved from a verified token and the records it maps to.
#[derive(Clone, Debug)]
pub struct Actor {
    pub subject: String,
    pub role: Role,
    /// The local authority the actor belongs to (staff, professionals; admins optionally).
    pub la_id: Option<i64>,
    /// The staff record behind a caseworker's or manager's subject, when there is one.
    pub staff_id: Option<i64>,
    pub scope: Scope,
}

impl Actor {
    pub fn may(&self, permission: Permission) -> bool {
        permission.granted_to(self.role)
    }

    /// Whom the system's sentences (a next step) are worded for: families read them in the
    /// second person, everyone else as what the council or the family must do.
    pub fn reader(&self) -> crate::domain::reader::Reader {
        match self.role {
            Role::Parent => crate::domain::reader::Reader::Family,
            _ => crate::domain::reader::Reader::Staff,
        }
    }

    /// Whether the actor may read a person's sign-in (their identity-provider subject and
    /// when they last signed in): managers and administrators, who provision sign-ins, and
    /// the person themself. Families and colleagues see names and work contacts only.
    pub fn may_see_sign_in_of(&self, subject: Option<&str>) -> bool {
        matches!(self.role, Role::Manager | Role::Admin) || subject == Some(self.subject.as_str())
    }

    /// Whether the actor may change records of the given local authority.
    pub fn may_act_in(&self, la_id: i64) -> bool {
        match self.scope {
            Scope::Everything => true,
            Scope::LocalAuthority { la_id: own } => own == la_id,
            Scope::Professional { la_id: own, .. } => own == la_id,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_claim_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().ok(), Some(role));
        }
        assert!("superuser".parse::<Role>().is_err());
        assert!("Manager".parse::<Role>().is_err());
    }

    #[test]
    fn permission_matrix() {
        use Permission::*;
        let cases = [
            (Role::Admin, AdministerLocalAuthorities, true),
            (Role::Manager, AdministerLocalAuthorities, false),
            (Role::Manager, ManageOrganisation, true),
            (Role::Manager, ReadAuditTrail, true),
            (Role::Caseworker, ManageOrganisation, false),
            (Role::Caseworker, ManageChildren, true),
            (Role::Caseworker, ManageCasework, true),
            (Role::Caseworker, ReadAuditTrail, false),
            (Role::Parent, ManageChildren, false),
            (Role::Parent, ManageCasework, false),
            (Role::Parent, RespondToAdvice, false),
            (Role::Professional, ManageCasework, false),
            (Role::Professional, RespondToAdvice, true),
            (Role::Professional, ReadAuditTrail, false),
            (Role::Manager, ViewBacklog, true),
            (Role::Caseworker, ViewBacklog, true),
            (Role::Parent, ViewBacklog, false),
            (Role::Professional, ViewBacklog, false),
        ];
        for (role, permission, expected) in cases {
            assert_eq!(
                permission.granted_to(role),
                expected,
                "{role} {permission:?}"
            );
        }
    }

    #[test]
    fn staff_act_only_in_their_own_local_authority() {
        let actor = Actor {
            subject: "cw".into(),
            role: Role::Caseworker,
            la_id: Some(1),
            staff_id: None,
            scope: Scope::LocalAuthority { la_id: 1 },
        };
        assert!(actor.may_act_in(1));
        assert!(!actor.may_act_in(2));
    }
}
