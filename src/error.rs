//! The one API error type. Each variant has a stable `extensions.code`; internal causes are
//! logged with an incident id and never sent to clients.
use async_graphql::ErrorExtensions;

///
/// It deliberately does not implement `Display`: async-graphql converts any `Display` type
/// into an error carrying its text, which would send internal causes to clients and drop the
/// code. Without it, `?` in a resolver goes through the `From` below.
#[derive(Debug)]
pub enum ApiError {
    /// The HTTP request itself is malformed (not JSON, wrong media type or method) or its
    /// GraphQL document does not parse or validate.
    BadRequest(String),
    Unauthenticated,
    Forbidden(String),
    NotFound(String),
    Validation {
        field: String,
        message: String,
    },
    Conflict {
        message: String,
        allowed_actions: Vec<String>,
    },
    /// The database cannot be reached: try again shortly (HTTP 503 with `Retry-After`).
    Unavailable,
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "BAD_REQUEST",
            ApiError::Unauthenticated => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::Validation { .. } => "VALIDATION",
            ApiError::Conflict { .. } => "CONFLICT",
            ApiError::Unavailable => "UNAVAILABLE",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    /// The text a client sees. Internal causes are not part of it.
    fn public_message(&self) -> String {
        match self {
            ApiError::Unauthenticated => "sign in required: send a valid bearer token".into(),
            ApiError::BadRequest(m) | ApiError::Forbidden(m) | ApiError::NotFound(m) => m.clone(),
            ApiError::Validation { field, message } => format!("{field}: {message}"),
            ApiError::Conflict { message, .. } => message.clone(),
            ApiError::Unavailable => UNAVAILABLE_MESSAGE.into(),
            ApiError::Internal(_) => "internal error".into(),
        }
    }

    /// The error as a client may read it: its code and public message.
    pub fn public(&self) -> String {
        format!("{}: {}", self.code(), self.public_message())
    }

    /// The error in words for a command-line user (internal causes included: they run it).
    pub fn describe(&self) -> String {
        match self {
            ApiError::Internal(cause) => format!("internal error: {cause:#}"),
            other => format!("{}: {}", other.code(), other.public_message()),
        }
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Forbidden(message.into())
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("{what} not found"))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::Conflict {
            message: message.into(),
            allowed_actions: Vec::new(),
        }
    }

    /// An action the record's state does not allow now, with the actions it does allow.
    pub fn not_allowed<'a>(
        message: impl Into<String>,
        allowed: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        ApiError::Conflict {
            message: message.into(),
            allowed_actions: allowed.into_iter().map(str::to_owned).collect(),
        }
    }

    /// Another change to the same record won: reload and try again.
    pub fn stale(what: &str) -> Self {
        ApiError::conflict(format!(
            "this {what} was changed by someone else since you loaded it: reload and try again"
        ))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        match err.downcast_ref::<sea_orm::DbErr>() {
            Some(db) if is_unavailable(db) => unavailable(db),
            _ => ApiError::Internal(err),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_unavailable(&err) {
            unavailable(&err)
        } else {
            ApiError::Internal(err.into())
        }
    }
}

/// What a client is told while the database cannot be reached.
pub const UNAVAILABLE_MESSAGE: &str =
    "the service cannot reach its database just now: try again shortly";

/// Seconds a client should wait before retrying while the database is unavailable.
pub const RETRY_AFTER_SECONDS: u32 = 5;

fn unavailable(cause: &sea_orm::DbErr) -> ApiError {
    tracing::warn!(error = %cause, "database unavailable");
    ApiError::Unavailable
}

/// Whether a database error means the database cannot be reached (down, restarting, the
/// network gone, the pool unable to connect), as opposed to a fault in a query.
pub fn is_unavailable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => sqlx_unavailable(e),
        DbErr::Conn(_) => true,
        _ => false,
    }
}

fn sqlx_unavailable(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match err {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception), 57P0x (the server shutting down, crashed
        // or still starting) and 53300 (no connection slots left).
        Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "53300"),
        _ => false,
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        let message = match self {
            ApiError::Internal(cause) => {
                let incident = incident_id();
                tracing::error!(incident = %incident, error = ?cause, "internal error");
                format!("internal error (incident {incident}); the cause has been logged")
            }
            other => other.public_message(),
        };
        async_graphql::Error::new(message).extend_with(|_, e| {
            e.set("code", self.code());
            match self {
                ApiError::Validation { field, .. } => e.set("field", field.as_str()),
                ApiError::Conflict {
                    allowed_actions, ..
                } if !allowed_actions.is_empty() => {
                    e.set("allowedActions", allowed_actions.clone())
                }
                _ => {}
            }
        })
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.extend()
    }
}

fn incident_id() -> String {
    use rand::Rng;
    format!("{:016x}", rand::rng().random::<u64>())
}

pub type ApiResult<T> = Result<T, ApiError>;
