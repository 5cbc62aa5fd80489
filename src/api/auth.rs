//! From a verified token to an [`Actor`]: the token's subject is looked up in the records, and
//! the records decide who the person is here (`domain::sign_in`).
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::api::token::VerifiedClaims;
use crate::domain::access::Actor;
use crate::domain::sign_in::{self, Claimed, Refusal, should_record_sign_in};
use crate::error::is_unavailable;
use crate::store::sign_in as records;

/// Why a verified token still cannot act.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Answered 401 `UNAUTHENTICATED` with the refusal's message.
    #[error("{}", .0.message())]
    Refused(Refusal),
    /// The database could not be reached: 503 `UNAVAILABLE`, never "signed out".
    #[error("database unavailable")]
    Unavailable(sea_orm::DbErr),
    /// Any other database failure: 500 `INTERNAL`, logged.
    #[error("database error")]
    Database(sea_orm::DbErr),
}

impl From<sea_orm::DbErr> for SignInError {
    fn from(e: sea_orm::DbErr) -> Self {
        if is_unavailable(&e) {
            SignInError::Unavailable(e)
        } else {
            SignInError::Database(e)
        }
    }
}

pub async fn resolve_actor(
    db: &DatabaseConnection,
    claims: &VerifiedClaims,
    now: DateTime<Utc>,
) -> Result<Actor, SignInError> {
    let found = records::records(db, &claims.sub, claims.la.as_deref()).await?;
    let claimed = Claimed {
        subject: &claims.sub,
        role: claims.role,
        la_code: claims.la.as_deref(),
    };
    let signed_in = sign_in::sign_in(claimed, &found).map_err(SignInError::Refused)?;
    if let Some((kind, account)) = &signed_in.account
        && should_record_sign_in(account.last_signed_in_at, now)
    {
        // Who signed in when is for managers; a failure to note it never refuses a sign-in.
        if let Err(e) = records::record_sign_in(db, *kind, account.id, now).await {
            tracing::warn!(error = %e, "could not record the sign-in time");
        }
    }
    Ok(signed_in.actor)
}
