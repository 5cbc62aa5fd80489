//! From a verified token to an [`Actor`]: the token's subject is mapped to the records it
//! names, and those records decide what the actor may see.
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult, QueryFilter,
    Statement, Value,
};

use crate::api::token::VerifiedClaims;
use crate::domain::access::{Actor, Role, Scope};
use crate::store::entity::{local_authority, professional};

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

/// A statement with numbered parameters written `$n`, for either backend (SQLite's `?n`).
fn numbered(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// A staff member's sign-in: their LA (by the token's code) and their record, in one query.
#[derive(FromQueryResult)]
struct StaffSignIn {
    la_id: i64,
    staff_id: Option<i64>,
    staff_la_id: Option<i64>,
    active: Option<bool>,
}

/// A family's sign-in: the parent, and the child signed in as themself, in one query.
#[derive(FromQueryResult)]
struct FamilySignIn {
    parent_id: Option<i64>,
    child_id: Option<i64>,
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
            let found = StaffSignIn::find_by_statement(numbered(
                db,
                "SELECT la.id AS la_id, s.id AS staff_id, s.la_id AS staff_la_id, \
                 s.active AS active FROM local_authority la \
                 LEFT JOIN staff s ON s.subject = $2 WHERE la.code = $1",
                vec![code.into(), claims.sub.as_str().into()],
            ))
            .one(db)
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
            let found = FamilySignIn::find_by_statement(numbered(
                db,
                "SELECT (SELECT id FROM parent WHERE subject = $1) AS parent_id, \
                 (SELECT id FROM child WHERE subject = $1) AS child_id",
                vec![claims.sub.as_str().into()],
            ))
            .one(db)
            .await?;
            let (parent_id, young_person_child_id) = found
                .map(|f| (f.parent_id, f.child_id))
                .unwrap_or((None, None));
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
