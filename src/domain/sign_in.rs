//! Who a verified token signs in as. The token proves who someone is (its subject); the
//! records decide what they may do: staff, professionals and administrators act only through
//! an active record with the token's subject, in the role that record grants. Families map by
//! subject to a parent record or to a young person's own child record.
//!
//! Pure: the store loads the subject's records in one query, the API answers refusals with
//! 401 `UNAUTHENTICATED`.
use chrono::{DateTime, Utc};

use crate::domain::access::{Actor, Role, Scope};

/// What a verified token claims.
#[derive(Clone, Copy, Debug)]
pub struct Claimed<'a> {
    pub subject: &'a str,
    /// The `role` claim, when the identity provider sends one. Roles are granted here, so it
    /// only chooses between the roles the records grant and must agree with them.
    pub role: Option<Role>,
    /// The `la` claim (a DfE three-digit code), when present.
    pub la_code: Option<&'a str>,
}

/// A record that signs a person in, with when they last did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub active: bool,
    pub last_signed_in_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffAccount {
    pub account: Account,
    pub la_id: i64,
    /// `None` when the stored role is not a staff role (never written by this system).
    pub role: Option<Role>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfessionalAccount {
    pub account: Account,
    pub la_id: i64,
    pub service: String,
}

/// Every record whose subject is the token's, and the LA its `la` claim names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Records {
    /// The local authority with the claimed code, when there is one.
    pub claimed_la_id: Option<i64>,
    pub staff: Option<StaffAccount>,
    pub professional: Option<ProfessionalAccount>,
    pub administrator: Option<Account>,
    pub parent_id: Option<i64>,
    pub young_person_child_id: Option<i64>,
}

/// Which table the signed-in record is in (its sign-in time is kept there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    Staff,
    Professional,
    Administrator,
}

/// A successful sign-in: the actor, and the record to mark as signed in.
#[derive(Clone, Debug)]
pub struct SignIn {
    pub actor: Actor,
    pub account: Option<(AccountKind, Account)>,
}

/// Why a verified token may not act here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No record has the token's subject (in the role it claims).
    NotSetUp,
    /// The record for the claimed role is deactivated.
    Deactivated,
    /// The token claims a role the records do not grant this subject.
    RoleNotGranted { claimed: Role },
    /// The token names a local authority code nobody here has.
    UnknownLocalAuthority,
    /// The token names a different local authority from the person's record.
    OtherLocalAuthority,
    /// The records grant several roles and the token does not say which.
    SeveralRoles(Vec<Role>),
}

impl Refusal {
    /// Short, stable reason for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotSetUp => "not_set_up",
            Refusal::Deactivated => "deactivated",
            Refusal::RoleNotGranted { .. } => "role_not_granted",
            Refusal::UnknownLocalAuthority => "unknown_la",
            Refusal::OtherLocalAuthority => "other_la",
            Refusal::SeveralRoles(_) => "several_roles",
        }
    }

    /// What the person is told. Says what is wrong with the account, never what it could see.
    pub fn message(&self) -> String {
        let base = "this account is not set up here";
        match self {
            Refusal::NotSetUp => format!(
                "{base}: ask a manager (or, for administrators, an administrator) to add your \
                 sign-in before using the service"
            ),
            Refusal::Deactivated => format!("{base}: the account has been deactivated"),
            Refusal::RoleNotGranted { claimed } => format!(
                "{base} as a {claimed}: roles are granted by this service's records, not by \
                 the token"
            ),
            Refusal::UnknownLocalAuthority | Refusal::OtherLocalAuthority => {
                format!("{base} for the local authority the token names")
            }
            Refusal::SeveralRoles(roles) => {
                let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                format!(
                    "{base} for one role: it has several here ({}), and the token must name one \
                     in its `role` claim",
                    roles.join(", ")
                )
            }
        }
    }
}

/// Decides who the token signs in as.
pub fn sign_in(claimed: Claimed<'_>, records: &Records) -> Result<SignIn, Refusal> {
    let family = records.parent_id.is_some() || records.young_person_child_id.is_some();
    let granted = granted_roles(records);
    let role = match claimed.role {
        Some(role) if granted.contains(&role) => role,
        // A family's portal before the council links the record: signed in, seeing nothing.
        Some(Role::Parent) if !has_any_record(records) => Role::Parent,
        Some(role) if holds_inactive(records, role) => return Err(Refusal::Deactivated),
        Some(role) if has_any_record(records) => {
            return Err(Refusal::RoleNotGranted { claimed: role });
        }
        Some(_) => return Err(Refusal::NotSetUp),
        None => match granted.as_slice() {
            [role] => *role,
            [] if Role::ALL.into_iter().any(|r| holds_inactive(records, r)) => {
                return Err(Refusal::Deactivated);
            }
            [] => return Err(Refusal::NotSetUp),
            several => return Err(Refusal::SeveralRoles(several.to_vec())),
        },
    };
    let actor = |la_id, staff_id, scope| Actor {
        subject: claimed.subject.to_owned(),
        role,
        la_id,
        staff_id,
        scope,
    };
    match role {
        Role::Caseworker | Role::Manager => {
            let staff = records.staff.as_ref().ok_or(Refusal::NotSetUp)?;
            check_la(claimed, records, staff.la_id)?;
            Ok(SignIn {
                actor: actor(
                    Some(staff.la_id),
                    Some(staff.account.id),
                    Scope::LocalAuthority { la_id: staff.la_id },
                ),
                account: Some((AccountKind::Staff, staff.account.clone())),
            })
        }
        Role::Professional => {
            let p = records.professional.as_ref().ok_or(Refusal::NotSetUp)?;
            check_la(claimed, records, p.la_id)?;
            Ok(SignIn {
                actor: actor(
                    Some(p.la_id),
                    None,
                    Scope::Professional {
                        la_id: p.la_id,
                        professional_id: p.account.id,
                        service: p.service.clone(),
                    },
                ),
                account: Some((AccountKind::Professional, p.account.clone())),
            })
        }
        Role::Admin => {
            let admin = records.administrator.as_ref().ok_or(Refusal::NotSetUp)?;
            // An administrator may name an LA to act in by default; it must exist.
            let la_id = match claimed.la_code {
                Some(_) => Some(
                    records
                        .claimed_la_id
                        .ok_or(Refusal::UnknownLocalAuthority)?,
                ),
                None => None,
            };
            Ok(SignIn {
                actor: actor(la_id, None, Scope::Everything),
                account: Some((AccountKind::Administrator, admin.clone())),
            })
        }
        Role::Parent => {
            let scope = if family {
                Scope::Family {
                    parent_id: records.parent_id,
                    young_person_child_id: records.young_person_child_id,
                }
            } else {
                Scope::Nothing
            };
            Ok(SignIn {
                actor: actor(None, None, scope),
                account: None,
            })
        }
    }
}

/// The roles the subject's active records grant, in [`Role::ALL`] order.
fn granted_roles(records: &Records) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|role| match role {
            Role::Caseworker | Role::Manager => records
                .staff
                .as_ref()
                .is_some_and(|s| s.account.active && s.role == Some(*role)),
            Role::Professional => records
                .professional
                .as_ref()
                .is_some_and(|p| p.account.active),
            Role::Admin => records.administrator.as_ref().is_some_and(|a| a.active),
            Role::Parent => records.parent_id.is_some() || records.young_person_child_id.is_some(),
        })
        .collect()
}

/// Whether a deactivated record would grant the role.
fn holds_inactive(records: &Records, role: Role) -> bool {
    match role {
        Role::Caseworker | Role::Manager => records
            .staff
            .as_ref()
            .is_some_and(|s| !s.account.active && s.role == Some(role)),
        Role::Professional => records
            .professional
            .as_ref()
            .is_some_and(|p| !p.account.active),
        Role::Admin => records.administrator.as_ref().is_some_and(|a| !a.active),
        Role::Parent => false,
    }
}

fn has_any_record(records: &Records) -> bool {
    records.staff.is_some()
        || records.professional.is_some()
        || records.administrator.is_some()
        || records.parent_id.is_some()
        || records.young_person_child_id.is_some()
}

/// A token naming an LA must name the person's own.
fn check_la(claimed: Claimed<'_>, records: &Records, own: i64) -> Result<(), Refusal> {
    match (claimed.la_code, records.claimed_la_id) {
        (None, _) => Ok(()),
        (Some(_), None) => Err(Refusal::UnknownLocalAuthority),
        (Some(_), Some(la)) if la == own => Ok(()),
        (Some(_), Some(_)) => Err(Refusal::OtherLocalAuthority),
    }
}

/// Sign-in times are kept to this resolution, so a busy person costs one write in this long.
pub const SIGN_IN_RECORDED_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// Whether this sign-in should be written to the record.
pub fn should_record_sign_in(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|last| now - last >= SIGN_IN_RECORDED_EVERY || last > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: i64, active: bool) -> Account {
        Account {
            id,
            active,
            last_signed_in_at: None,
        }
    }

    fn staff(role: Role, active: bool) -> Records {
        Records {
            claimed_la_id: Some(1),
            staff: Some(StaffAccount {
                account: account(10, active),
                la_id: 1,
                role: Some(role),
            }),
            ..Records::default()
        }
    }

    fn claim(role: Option<Role>, la: Option<&str>) -> Claimed<'_> {
        Claimed {
            subject: "person",
            role,
            la_code: la,
        }
    }

    #[test]
    fn a_subject_with_no_record_is_not_set_up_in_any_staff_role() {
        for role in [
            Role::Caseworker,
            Role::Manager,
            Role::Professional,
            Role::Admin,
        ] {
            let records = Records {
                claimed_la_id: Some(1),
                ..Records::default()
            };
            let refused = sign_in(claim(Some(role), Some("909")), &records).unwrap_err();
            assert_eq!(refused, Refusal::NotSetUp, "{role}");
        }
        let refused = sign_in(claim(None, None), &Records::default()).unwrap_err();
        assert_eq!(refused, Refusal::NotSetUp);
    }

    #[test]
    fn the_records_role_decides_not_the_claim() {
        let records = staff(Role::Caseworker, true);
        let refused = sign_in(claim(Some(Role::Manager), Some("909")), &records).unwrap_err();
        assert_eq!(
            refused,
            Refusal::RoleNotGranted {
                claimed: Role::Manager
            }
        );
        let refused = sign_in(claim(Some(Role::Admin), None), &records).unwrap_err();
        assert_eq!(
            refused,
            Refusal::RoleNotGranted {
                claimed: Role::Admin
            }
        );
        // A caseworker claiming to be a parent has no family record to map to.
        let refused = sign_in(claim(Some(Role::Parent), None), &records).unwrap_err();
        assert_eq!(
            refused,
            Refusal::RoleNotGranted {
                claimed: Role::Parent
            }
        );
        let ok = sign_in(claim(Some(Role::Caseworker), Some("909")), &records).unwrap();
        assert_eq!(ok.actor.role, Role::Caseworker);
        assert_eq!(ok.actor.staff_id, Some(10));
        assert_eq!(ok.actor.scope, Scope::LocalAuthority { la_id: 1 });
        assert_eq!(ok.account.map(|(k, _)| k), Some(AccountKind::Staff));
    }

    #[test]
    fn without_a_role_claim_the_only_granted_role_is_used() {
        let ok = sign_in(claim(None, None), &staff(Role::Manager, true)).unwrap();
        assert_eq!(ok.actor.role, Role::Manager);
        assert_eq!(ok.actor.la_id, Some(1));
        let family = Records {
            parent_id: Some(5),
            ..Records::default()
        };
        let ok = sign_in(claim(None, None), &family).unwrap();
        assert_eq!(ok.actor.role, Role::Parent);
        assert_eq!(
            ok.actor.scope,
            Scope::Family {
                parent_id: Some(5),
                young_person_child_id: None
            }
        );
    }

    #[test]
    fn several_roles_need_a_claim_to_choose() {
        let mut records = staff(Role::Manager, true);
        records.administrator = Some(account(3, true));
        let refused = sign_in(claim(None, None), &records).unwrap_err();
        assert_eq!(
            refused,
            Refusal::SeveralRoles(vec![Role::Manager, Role::Admin])
        );
        let ok = sign_in(claim(Some(Role::Admin), None), &records).unwrap();
        assert_eq!(ok.actor.scope, Scope::Everything);
        assert_eq!(
            ok.account.map(|(k, a)| (k, a.id)),
            Some((AccountKind::Administrator, 3))
        );
    }

    #[test]
    fn a_deactivated_record_is_refused() {
        let records = staff(Role::Caseworker, false);
        for role in [Some(Role::Caseworker), None] {
            let refused = sign_in(claim(role, Some("909")), &records).unwrap_err();
            assert_eq!(refused, Refusal::Deactivated);
        }
        let records = Records {
            administrator: Some(account(1, false)),
            ..Records::default()
        };
        assert_eq!(
            sign_in(claim(Some(Role::Admin), None), &records).unwrap_err(),
            Refusal::Deactivated
        );
    }

    #[test]
    fn the_token_la_must_be_the_records_la() {
        let mut records = staff(Role::Caseworker, true);
        records.claimed_la_id = Some(2);
        assert_eq!(
            sign_in(claim(Some(Role::Caseworker), Some("908")), &records).unwrap_err(),
            Refusal::OtherLocalAuthority
        );
        records.claimed_la_id = None;
        assert_eq!(
            sign_in(claim(Some(Role::Caseworker), Some("999")), &records).unwrap_err(),
            Refusal::UnknownLocalAuthority
        );
        // No `la` claim (an identity provider that knows nothing of LAs): the record's LA.
        let ok = sign_in(claim(Some(Role::Caseworker), None), &records).unwrap();
        assert_eq!(ok.actor.la_id, Some(1));
    }

    #[test]
    fn professionals_act_in_their_records_la_and_service() {
        let records = Records {
            claimed_la_id: Some(4),
            professional: Some(ProfessionalAccount {
                account: account(7, true),
                la_id: 4,
                service: "educational_psychology".into(),
            }),
            ..Records::default()
        };
        let ok = sign_in(claim(Some(Role::Professional), Some("404")), &records).unwrap();
        assert_eq!(
            ok.actor.scope,
            Scope::Professional {
                la_id: 4,
                professional_id: 7,
                service: "educational_psychology".into()
            }
        );
        let inactive = Records {
            professional: Some(ProfessionalAccount {
                account: account(7, false),
                la_id: 4,
                service: "educational_psychology".into(),
            }),
            ..records
        };
        assert_eq!(
            sign_in(claim(Some(Role::Professional), Some("404")), &inactive).unwrap_err(),
            Refusal::Deactivated
        );
    }

    #[test]
    fn an_unlinked_parent_signs_in_to_see_nothing() {
        let ok = sign_in(claim(Some(Role::Parent), None), &Records::default()).unwrap();
        assert_eq!(ok.actor.scope, Scope::Nothing);
        assert!(ok.account.is_none());
    }

    #[test]
    fn refusals_say_the_account_is_not_set_up() {
        for refusal in [
            Refusal::NotSetUp,
            Refusal::Deactivated,
            Refusal::RoleNotGranted {
                claimed: Role::Manager,
            },
            Refusal::UnknownLocalAuthority,
            Refusal::OtherLocalAuthority,
            Refusal::SeveralRoles(vec![Role::Manager, Role::Admin]),
        ] {
            assert!(
                refusal
                    .message()
                    .starts_with("this account is not set up here"),
                "{refusal:?}"
            );
        }
    }

    #[test]
    fn sign_in_times_are_written_at_most_every_quarter_hour() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(should_record_sign_in(None, now));
        assert!(!should_record_sign_in(
            Some(now - chrono::TimeDelta::minutes(14)),
            now
        ));
        assert!(should_record_sign_in(
            Some(now - chrono::TimeDelta::minutes(15)),
            now
        ));
    }
}
