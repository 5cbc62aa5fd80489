//! From a verified token to an [`Actor`]: the token's subject is mapped to the records it
//! names, and those records decide what the actor may see.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::api::token::VerifiedClaims;
use crate::domain::access::{Actor, Role, Scope};
use crate::store::entity::{child, local_authority, parent, professional, staff};

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
    let la_id = match &claims.la {
        Some(code) => Some(
            local_authority::Entity::find()
                .filter(local_authority::Column::Code.eq(code.as_str()))
                .one(db)
                .await?
                .ok_or(SignInError::UnknownLocalAuthority)?
                .id,
        ),
        None => None,
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
            let la_id = la_id.ok_or(SignInError::MissingLocalAuthority)?;
            let record = staff::Entity::find()
                .filter(staff::Column::Subject.eq(claims.sub.as_str()))
                .one(db)
                .await?;
            let staff_id = match record {
                Some(s) if s.la_id != la_id => return Err(SignInError::LocalAuthorityMismatch),
                Some(s) if !s.active => return Err(SignInError::Deactivated),
                Some(s) => Some(s.id),
                // An identity provider may sign in staff before a record exists: they act
                // in their LA, and casework links to them once a manager adds the record.
                None => None,
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
            let parent_id = parent::Entity::find()
                .filter(parent::Column::Subject.eq(claims.sub.as_str()))
                .one(db)
                .await?
                .map(|p| p.id);
            // A young person over 16 may sign in as the subject of their own record.
            let young_person_child_id = child::Entity::find()
                .filter(child::Column::Subject.eq(claims.sub.as_str()))
                .one(db)
                .await?
                .map(|c| c.id);
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
