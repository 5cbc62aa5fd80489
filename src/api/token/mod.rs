//! Access tokens: verifying bearer JWTs and issuing development tokens.
//!
//! Two key modes:
//!
//! * [`KeySource::Hs256`]: one shared secret, only `HS256` accepted. Used for
//!   development, tests and small self-hosted deployments (`ehcp token`).
//! * [`KeySource::Jwks`]: public keys from a JWKS (a file or an `http(s)` URL,
//!   normally the council's identity provider); only `RS256` and `ES256`
//!   accepted, the key is chosen by the token header's `kid`. An unknown `kid`
//!   triggers at most one re-read of the JWKS per
//!   [`TokenConfig::jwks_refetch_interval`] (default 60 s).
//!
//! Every refusal is a distinct [`TokenError`] variant with a stable
//! [`TokenError::code`] for logs. The API layer must map all of them to
//! `UNAUTHENTICATED` without passing the reason on to the client.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

mod issue;
mod jwks;
mod secret;
#[cfg(test)]
mod tests;
mod verify;

pub use issue::issue_hs256;
use jwks::*;
pub use secret::*;
pub use verify::*;

/// Default clock-skew leeway applied to `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY_SECONDS: u64 = 30;
/// Largest leeway [`TokenVerifier::new`] accepts.
pub const MAX_LEEWAY_SECONDS: u64 = 300;
/// Default minimum time between two JWKS re-reads triggered by unknown `kid`s.
pub const DEFAULT_JWKS_REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// Minimum length of an HS256 secret, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;
/// Length of a secret made by [`generate_secret`], in bytes.
pub const GENERATED_SECRET_BYTES: usize = 48;
/// Tokens longer than this are refused as malformed without further work.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Largest JWKS document read from a file or over HTTP.
const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// Timeout for one JWKS HTTP request.
const JWKS_HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// RSA keys in a JWKS with a shorter modulus are ignored.
const MIN_RSA_MODULUS_BYTES: usize = 2048 / 8;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why a token was refused, or why configuring/issuing failed.
///
/// [`TokenVerifier::verify`] and [`extract_bearer`] only ever return the
/// refusal variants (everything from `Malformed` to `UnknownKid`); the others
/// come from configuration, secret handling and issuing.
///
/// `Display` is meant for server logs; it never contains the token, key
/// material or claim values.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Not a compact JWS / not "Bearer <token>" / undecodable base64 or JSON.
    #[error("malformed token")]
    Malformed,
    /// The header says `alg: none` (unsigned token).
    #[error("unsigned token (alg none)")]
    AlgNone,
    /// The header's algorithm is not the one this verifier (or this `kid`'s key) accepts.
    #[error("token algorithm not allowed")]
    AlgorithmNotAllowed,
    /// The signature does not verify with the selected key.
    #[error("bad token signature")]
    BadSignature,
    /// `exp` is in the past (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("token not yet valid (nbf)")]
    NotYetValid,
    /// `iat` is in the future (beyond the leeway).
    #[error("token issued in the future (iat)")]
    IssuedInFuture,
    /// `iss` differs from the configured issuer.
    #[error("wrong token issuer")]
    WrongIssuer,
    /// `aud` does not contain the configured audience.
    #[error("wrong token audience")]
    WrongAudience,
    /// A required claim (`exp`, `iss`, `aud`, `sub`) is absent.
    #[error("missing required claim `{0}`")]
    MissingClaim(&'static str),
    /// A claim is present but has the wrong type or format (e.g. `la` not three digits).
    #[error("invalid claim `{0}`")]
    InvalidClaim(&'static str),
    /// `role` is not one of the known roles.
    #[error("unknown role")]
    UnknownRole,
    /// JWKS mode: the header has no `kid`.
    #[error("token header has no kid")]
    MissingKid,
    /// JWKS mode: no key with the header's `kid`, even after a permitted re-read.
    #[error("unknown key id")]
    UnknownKid,

    /// The JWKS could not be loaded at start-up (or has no usable key).
    #[error("JWKS unavailable: {0}")]
    JwksUnavailable(String),
    /// A secret shorter than [`MIN_SECRET_BYTES`].
    #[error("secret shorter than {MIN_SECRET_BYTES} bytes")]
    WeakSecret,
    /// A stored secret is not valid base64.
    #[error("secret is not valid base64")]
    SecretEncoding,
    /// Reading or writing the secret file failed.
    #[error("secret file: {0}")]
    SecretFile(String),
    /// Invalid [`TokenConfig`].
    #[error("invalid token configuration: {0}")]
    Config(String),
    /// Invalid argument to [`issue_hs256`].
    #[error("cannot issue token: {0}")]
    InvalidInput(&'static str),
    /// Signing failed (should not happen with a valid secret).
    #[error("token signing failed")]
    Signing,
}

impl TokenError {
    /// Short, stable, snake_case reason for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Malformed => "malformed",
            TokenError::AlgNone => "alg_none",
            TokenError::AlgorithmNotAllowed => "algorithm_not_allowed",
            TokenError::BadSignature => "bad_signature",
            TokenError::Expired => "expired",
            TokenError::NotYetValid => "not_yet_valid",
            TokenError::IssuedInFuture => "issued_in_future",
            TokenError::WrongIssuer => "wrong_issuer",
            TokenError::WrongAudience => "wrong_audience",
            TokenError::MissingClaim(_) => "missing_claim",
            TokenError::InvalidClaim(_) => "invalid_claim",
            TokenError::UnknownRole => "unknown_role",
            TokenError::MissingKid => "missing_kid",
            TokenError::UnknownKid => "unknown_kid",
            TokenError::JwksUnavailable(_) => "jwks_unavailable",
            TokenError::WeakSecret => "weak_secret",
            TokenError::SecretEncoding => "secret_encoding",
            TokenError::SecretFile(_) => "secret_file",
            TokenError::Config(_) => "config",
            TokenError::InvalidInput(_) => "invalid_input",
            TokenError::Signing => "signing_failed",
        }
    }
}

/// Claim names the jsonwebtoken crate reports, as `'static` strings.
fn claim_name(name: &str) -> &'static str {
    match name {
        "exp" => "exp",
        "nbf" => "nbf",
        "iss" => "iss",
        "aud" => "aud",
        "sub" => "sub",
        _ => "unknown",
    }
}

fn map_jwt_error(err: jsonwebtoken::errors::Error) -> TokenError {
    match err.kind() {
        ErrorKind::InvalidToken
        | ErrorKind::Base64(_)
        | ErrorKind::Json(_)
        | ErrorKind::Utf8(_) => TokenError::Malformed,
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::MissingAlgorithm
        | ErrorKind::UnsupportedAlgorithm
        | ErrorKind::InvalidAlgorithmName => TokenError::AlgorithmNotAllowed,
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::MissingRequiredClaim(c) => TokenError::MissingClaim(claim_name(c)),
        ErrorKind::InvalidClaimFormat(c) => TokenError::InvalidClaim(claim_name(c)),
        other => {
            // Key problems (e.g. a JWKS key the crypto backend cannot parse):
            // the token cannot be verified, and an operator should know.
            tracing::warn!(error = ?other, "token verification failed on the key, not the token");
            TokenError::BadSignature
        }
    }
}

// ---------------------------------------------------------------------------
// Roles and claims
// ---------------------------------------------------------------------------

pub use crate::domain::access::Role;

/// The claims of a token that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedClaims {
    pub sub: String,
    /// The `role` claim, if the token carries one. Roles are granted by the records here
    /// (`domain::sign_in`); a claim only chooses among them and must agree with them.
    pub role: Option<Role>,
    /// DfE three-digit local authority code, e.g. `"909"`.
    pub la: Option<String>,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
    /// Issued-at, seconds since the Unix epoch.
    pub iat: Option<i64>,
}

/// `la` must be a DfE LA code: exactly three ASCII digits.
fn is_valid_la(la: &str) -> bool {
    la.len() == 3 && la.bytes().all(|b| b.is_ascii_digit())
}

/// Where verification keys come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// Shared secret; only HS256 tokens are accepted.
    Hs256 { secret: Secret },
    /// JWKS at a file path or an `http://` / `https://` URL (`file://` also
    /// accepted); only RS256 and ES256 tokens are accepted.
    Jwks { location: String },
}

/// Verifier configuration. `Debug` is safe to log (the secret is redacted).
#[derive(Debug, Clone)]
pub struct TokenConfig {
    pub keys: KeySource,
    /// Required, exact value of `iss`.
    pub issuer: String,
    /// Required value of `aud` (a string, or one element of an array).
    pub audience: String,
    /// Clock-skew leeway for `exp`, `nbf` and `iat`; default 30, at most 300.
    pub leeway_seconds: u64,
    /// JWKS mode: minimum time between re-reads caused by unknown `kid`s
    /// (default 60 s; `Duration::ZERO` re-reads on every unknown kid: tests only).
    pub jwks_refetch_interval: Duration,
}

impl TokenConfig {
    /// A configuration with the default leeway and JWKS refetch interval.
    pub fn new(keys: KeySource, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        TokenConfig {
            keys,
            issuer: issuer.into(),
            audience: audience.into(),
            leeway_seconds: DEFAULT_LEEWAY_SECONDS,
            jwks_refetch_interval: DEFAULT_JWKS_REFETCH_INTERVAL,
        }
    }
}
