//! From a verified token to an [`Actor`]: the token's subject is mapped to the records it
//! names, and those records decide what the actor may see.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::api::token::VerifiedClaims;
use crate::domain::access::{Actor, Role, Scope};
use crate::store::entity::{local_authority, professional};
use crate::store::sign_in;

/// Why a verified token still cannot act. Answered as UNAUTHENTICATED.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the token names no local authority (`la` claim) but the role needs one")]
    MissingLocalAuthority,
    #[error("the token's local authority is not known here")]
    UnknownLocalAuthority,
    #[error("the token's subject belongs to another local authority")]
    LocalAuthorityMismatch,
    #[error("the staff account is deactivated")]
    Deactivated,
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

impl SignInError {
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::MissingLocalAuthority => "missing_la",
            SignInError::UnknownLocalAuthority => "unknown_la",
            SignInError::LocalAuthorityMismatch => "la_mismatch",
            SignInError::Deactivated => "deactivated",
            SignInError::Database(_) => "database",
        }
    }
}

pub async fn resolve_actor(
    db: &DatabaseConnection,
    claims: &VerifiedClaims,
) -> Result<Actor, SignInError> {
    // Staff sign in with one query below; everyone else looks up the LA here.
    let staff = matches!(claims.role, Role::Caseworker | Role::Manager);
    let la_id = match &claims.la {
        Some(code) if !staff => Some(
            local_authority::Entity::find()
                .filter(local_authority::Column::Code.eq(code.as_str()))
                .one(db)
                .await?
                .ok_or(SignInError::UnknownLocalAuthority)?
                .id,
        ),
        _ => None,
    };
    let subject = claims.sub.clone();
    let actor = |la_id, staff_id, scope| Actor {
        subject: subject.clone(),
        role: claims.role,
        la_id,
        staff_id,
        scope,
    };
    match claims.role {
        Role::Admin => Ok(actor(la_id, None, Scope::Everything)),
        Role::Caseworker | Role::Manager => {
            let code = claims
                .la
                .as_deref()
                .ok_or(SignInError::MissingLocalAuthority)?;
            let found = sign_in::staff(db, code, &claims.sub)
                .await?
                .ok_or(SignInError::UnknownLocalAuthority)?;
            let la_id = found.la_id;
            let staff_id = match (found.staff_id, found.staff_la_id, found.active) {
                (Some(_), Some(staff_la), _) if staff_la != la_id => {
                    return Err(SignInError::LocalAuthorityMismatch);
                }
                (Some(_), _, Some(false)) => return Err(SignInError::Deactivated),
                (Some(id), _, _) => Some(id),
                // An identity provider may sign in staff before a record exists: they act
                // in their LA, and casework links to them once a manager adds the record.
                _ => None,
            };
            Ok(actor(
                Some(la_id),
                staff_id,
                Scope::LocalAuthority { la_id },
            ))
        }
        Role::Professional => {
            let record = professional::Entity::find()
                .filter(professional::Column::Subject.eq(claims.sub.as_str()))
                .one(db)
                .await?;
            match record {
                Some(p) if la_id.is_some_and(|la| la != p.la_id) => {
                    Err(SignInError::LocalAuthorityMismatch)
                }
                Some(p) => Ok(actor(
                    Some(p.la_id),
                    None,
                    Scope::Professional {
                        la_id: p.la_id,
                        professional_id: p.id,
                        service: p.service,
                    },
                )),
                None => Ok(actor(la_id, None, Scope::Nothing)),
            }
        }
        Role::Parent => {
            // A young person over 16 may sign in as the subject of their own record.
            let found = sign_in::family(db, &claims.sub).await?;
            let (parent_id, young_person_child_id) = (found.parent_id, found.child_id);
            let scope = if parent_id.is_none() && young_person_child_id.is_none() {
                Scope::Nothing
            } else {
                Scope::Family {
                    parent_id,
                    young_person_child_id,
                }
            };
            Ok(actor(None, None, scope))
        }
    }
}
