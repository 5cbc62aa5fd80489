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

// ---------------------------------------------------------------------------
// Secrets and configuration
// ---------------------------------------------------------------------------

/// An HS256 secret (at least [`MIN_SECRET_BYTES`] bytes). `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Refuses secrets shorter than [`MIN_SECRET_BYTES`] with [`TokenError::WeakSecret`].
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Secret, TokenError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(TokenError::WeakSecret);
        }
        Ok(Secret(bytes))
    }

    /// Standard base64 (with padding), for storing in a file or an env var.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.0)
    }

    /// Inverse of [`Secret::to_base64`]; surrounding whitespace (a trailing
    /// newline in a file) is ignored. Still refuses short secrets.
    pub fn from_base64(encoded: &str) -> Result<Secret, TokenError> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|_| TokenError::SecretEncoding)?;
        Secret::new(bytes)
    }

    /// Reads a base64 secret from `path`, or, if the file does not exist,
    /// generates one and writes it there (created exclusively, mode 0600 on
    /// Unix). For the development secret kept beside the database.
    /// Blocking file I/O: call it at start-up.
    pub fn load_or_generate_file(path: &Path) -> Result<Secret, TokenError> {
        match std::fs::read_to_string(path) {
            Ok(text) => return Secret::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(TokenError::SecretFile(format!("{}: {e}", path.display()))),
        }
        let secret = generate_secret();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut file) => {
                use std::io::Write;
                let mut text = secret.to_base64();
                text.push('\n');
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| TokenError::SecretFile(format!("{}: {e}", path.display())))?;
                tracing::info!(path = %path.display(), "generated a new token secret");
                Ok(secret)
            }
            // Someone else created it between our read and our create: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| TokenError::SecretFile(format!("{}: {e}", path.display())))?;
                Secret::from_base64(&text)
            }
            Err(e) => Err(TokenError::SecretFile(format!("{}: {e}", path.display()))),
        }
    }

    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A fresh random secret of [`GENERATED_SECRET_BYTES`] bytes from the
/// thread-local CSPRNG (seeded from the OS).
pub fn generate_secret() -> Secret {
    use rand::RngCore;
    let mut bytes = vec![0u8; GENERATED_SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    Secret(bytes)
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

// ---------------------------------------------------------------------------
// JWKS loading
// ---------------------------------------------------------------------------

/// Usable keys by `kid`; a `kid` may (rarely) carry an RSA and an EC key.
type KeyMap = HashMap<String, Vec<(Algorithm, Arc<DecodingKey>)>>;

enum JwksSource {
    File(PathBuf),
    Http {
        url: String,
        client: reqwest::Client,
    },
}

impl fmt::Debug for JwksSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwksSource::File(p) => write!(f, "File({})", p.display()),
            JwksSource::Http { url, .. } => write!(f, "Http({url})"),
        }
    }
}

impl JwksSource {
    fn from_location(location: &str) -> Result<Self, TokenError> {
        let location = location.trim();
        if location.is_empty() {
            return Err(TokenError::Config("JWKS location is empty".into()));
        }
        let lower = location.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let url = reqwest::Url::parse(location)
                .map_err(|e| TokenError::Config(format!("JWKS URL: {e}")))?;
            if url.scheme() == "http" {
                tracing::warn!(url = %url, "JWKS fetched over plain http; use https outside tests");
            }
            let client = reqwest::Client::builder()
                .timeout(JWKS_HTTP_TIMEOUT)
                .connect_timeout(JWKS_HTTP_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| TokenError::Config(format!("HTTP client: {e}")))?;
            Ok(JwksSource::Http {
                url: url.to_string(),
                client,
            })
        } else if let Some(path) = location.strip_prefix("file://") {
            Ok(JwksSource::File(PathBuf::from(path)))
        } else {
            Ok(JwksSource::File(PathBuf::from(location)))
        }
    }

    async fn fetch(&self) -> Result<Vec<u8>, String> {
        match self {
            JwksSource::File(path) => {
                let bytes = tokio::fs::read(path)
                    .await
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                if bytes.len() > MAX_JWKS_BYTES {
                    return Err(format!(
                        "{}: larger than {MAX_JWKS_BYTES} bytes",
                        path.display()
                    ));
                }
                Ok(bytes)
            }
            JwksSource::Http { url, client } => {
                let mut resp = client
                    .get(url.as_str())
                    .header(reqwest::header::ACCEPT, "application/json")
                    .send()
                    .await
                    .map_err(|e| format!("GET {url}: {e}"))?;
                if !resp.status().is_success() {
                    return Err(format!("GET {url}: HTTP {}", resp.status()));
                }
                if resp
                    .content_length()
                    .is_some_and(|len| len > MAX_JWKS_BYTES as u64)
                {
                    return Err(format!("GET {url}: larger than {MAX_JWKS_BYTES} bytes"));
                }
                let mut body = Vec::new();
                while let Some(chunk) = resp.chunk().await.map_err(|e| format!("GET {url}: {e}"))? {
                    if body.len() + chunk.len() > MAX_JWKS_BYTES {
                        return Err(format!("GET {url}: larger than {MAX_JWKS_BYTES} bytes"));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(body)
            }
        }
    }

    /// Fetches and parses; an error if nothing usable came back.
    async fn load(&self) -> Result<KeyMap, String> {
        let bytes = self.fetch().await?;
        parse_jwks(&bytes)
    }
}

/// Parses a JWKS document, keeping only keys usable for RS256/ES256
/// signatures. Unusable keys are skipped (logged), so one odd key from an
/// identity provider does not take the others down.
fn parse_jwks(bytes: &[u8]) -> Result<KeyMap, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("JWKS is not JSON: {e}"))?;
    let keys = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| "JWKS has no \"keys\" array".to_string())?;
    let mut map = KeyMap::new();
    for raw in keys {
        let jwk: Jwk = match serde_json::from_value(raw.clone()) {
            Ok(jwk) => jwk,
            Err(e) => {
                tracing::warn!(error = %e, "skipping unparseable JWKS key");
                continue;
            }
        };
        match usable_key(&jwk) {
            Ok((kid, alg, key)) => {
                let entry = map.entry(kid).or_default();
                if entry.iter().any(|(a, _)| *a == alg) {
                    tracing::warn!(kid = ?jwk.common.key_id, "duplicate kid/alg in JWKS; keeping the first");
                } else {
                    entry.push((alg, Arc::new(key)));
                }
            }
            Err(reason) => {
                tracing::debug!(kid = ?jwk.common.key_id, reason, "skipping JWKS key");
            }
        }
    }
    if map.is_empty() {
        return Err("JWKS has no usable RS256/ES256 signing key with a kid".into());
    }
    Ok(map)
}

fn usable_key(jwk: &Jwk) -> Result<(String, Algorithm, DecodingKey), &'static str> {
    let kid = jwk.common.key_id.clone().ok_or("no kid")?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return Err("use is not sig");
    }
    let alg = match &jwk.algorithm {
        AlgorithmParameters::RSA(params) => {
            if !matches!(jwk.common.key_algorithm, None | Some(KeyAlgorithm::RS256)) {
                return Err("RSA key for an algorithm other than RS256");
            }
            let n = URL_SAFE_NO_PAD
                .decode(params.n.as_bytes())
                .map_err(|_| "bad RSA modulus")?;
            let significant = n.iter().skip_while(|b| **b == 0).count();
            if significant < MIN_RSA_MODULUS_BYTES {
                return Err("RSA key shorter than 2048 bits");
            }
            Algorithm::RS256
        }
        AlgorithmParameters::EllipticCurve(params) => {
            if params.curve != EllipticCurve::P256 {
                return Err("EC key not on P-256");
            }
            if !matches!(jwk.common.key_algorithm, None | Some(KeyAlgorithm::ES256)) {
                return Err("EC key for an algorithm other than ES256");
            }
            Algorithm::ES256
        }
        _ => return Err("key type not RSA or EC"),
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|_| "key material not decodable")?;
    if alg == Algorithm::ES256 {
        // Building a verifier parses the point; a bad point is an Err here,
        // whereas a (deliberately) empty signature just yields Ok(false).
        jsonwebtoken::crypto::verify("", b"", &key, alg).map_err(|_| "EC point invalid")?;
    }
    Ok((kid, alg, key))
}

struct JwksCache {
    source: JwksSource,
    keys: RwLock<Arc<KeyMap>>,
    /// When the JWKS was last (attempted to be) read; the Mutex also makes
    /// concurrent unknown-kid requests wait for one re-read instead of each
    /// starting their own.
    last_fetch: Mutex<Instant>,
    refetch_interval: Duration,
}

impl JwksCache {
    async fn lookup(
        &self,
        kid: &str,
        alg: Algorithm,
    ) -> Option<Result<Arc<DecodingKey>, TokenError>> {
        let keys = Arc::clone(&*self.keys.read().await);
        let entries = keys.get(kid)?;
        Some(
            entries
                .iter()
                .find(|(a, _)| *a == alg)
                .map(|(_, key)| Arc::clone(key))
                .ok_or(TokenError::AlgorithmNotAllowed),
        )
    }

    async fn key_for(&self, kid: &str, alg: Algorithm) -> Result<Arc<DecodingKey>, TokenError> {
        if let Some(found) = self.lookup(kid, alg).await {
            return found;
        }
        let mut last_fetch = self.last_fetch.lock().await;
        // Another request may have re-read the JWKS while we waited.
        if let Some(found) = self.lookup(kid, alg).await {
            return found;
        }
        if last_fetch.elapsed() < self.refetch_interval {
            return Err(TokenError::UnknownKid);
        }
        // Set before fetching so failures are rate-limited too.
        *last_fetch = Instant::now();
        match self.source.load().await {
            Ok(map) => {
                tracing::info!(source = ?self.source, kids = map.len(), "JWKS re-read after unknown kid");
                *self.keys.write().await = Arc::new(map);
            }
            Err(e) => {
                tracing::warn!(source = ?self.source, error = %e, "JWKS re-read failed; keeping previous keys");
            }
        }
        drop(last_fetch);
        self.lookup(kid, alg)
            .await
            .unwrap_or(Err(TokenError::UnknownKid))
    }
}

// ---------------------------------------------------------------------------
// Verifier
// ---------------------------------------------------------------------------

enum Keys {
    Hs256(Arc<DecodingKey>),
    Jwks(JwksCache),
}

struct Inner {
    keys: Keys,
    issuer: String,
    audience: String,
    leeway_seconds: u64,
    validations: Vec<(Algorithm, Validation)>,
}

/// Verifies bearer tokens. Cheap to clone (one `Arc`); share one per process.
#[derive(Clone)]
pub struct TokenVerifier {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match &self.inner.keys {
            Keys::Hs256(_) => "hs256".to_string(),
            Keys::Jwks(cache) => format!("jwks {:?}", cache.source),
        };
        f.debug_struct("TokenVerifier")
            .field("mode", &mode)
            .field("issuer", &self.inner.issuer)
            .field("audience", &self.inner.audience)
            .field("leeway_seconds", &self.inner.leeway_seconds)
            .finish()
    }
}

fn validation_for(alg: Algorithm, config: &TokenConfig) -> Validation {
    let mut v = Validation::new(alg);
    v.required_spec_claims = ["exp", "iss", "aud", "sub"]
        .into_iter()
        .map(String::from)
        .collect::<HashSet<_>>();
    v.leeway = config.leeway_seconds;
    v.validate_exp = true;
    v.validate_nbf = true;
    v.validate_aud = true;
    v.set_issuer(&[config.issuer.as_str()]);
    v.set_audience(&[config.audience.as_str()]);
    v
}

struct PeekedHeader {
    alg: String,
    kid: Option<String>,
}

/// Reads `alg`/`kid` before any crypto, so `alg: none` and unexpected
/// algorithms get their own refusal (the jsonwebtoken crate cannot even
/// represent `none`).
fn peek_header(token: &str) -> Result<PeekedHeader, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    if header.is_empty() || payload.is_empty() {
        return Err(TokenError::Malformed);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| TokenError::Malformed)?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)?;
    let obj = value.as_object().ok_or(TokenError::Malformed)?;
    let alg = obj
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(TokenError::Malformed)?;
    if alg.eq_ignore_ascii_case("none") {
        return Err(TokenError::AlgNone);
    }
    // RFC 7515 §4.1.11: we understand no critical extensions.
    if obj.contains_key("crit") {
        return Err(TokenError::Malformed);
    }
    let kid = match obj.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(TokenError::Malformed),
    };
    Ok(PeekedHeader {
        alg: alg.to_string(),
        kid,
    })
}

/// A NumericDate as whole seconds (fractions truncated towards the past).
fn numeric_date(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.is_finite() && f.abs() < 1e15)
            .map(|f| f.floor() as i64)
    })
}

impl TokenVerifier {
    /// Builds a verifier. In JWKS mode this reads the JWKS once and fails
    /// with [`TokenError::JwksUnavailable`] if it cannot be read or holds no
    /// usable RS256/ES256 key.
    pub async fn new(config: TokenConfig) -> Result<Self, TokenError> {
        if config.issuer.trim().is_empty() {
            return Err(TokenError::Config("issuer is empty".into()));
        }
        if config.audience.trim().is_empty() {
            return Err(TokenError::Config("audience is empty".into()));
        }
        if config.leeway_seconds > MAX_LEEWAY_SECONDS {
            return Err(TokenError::Config(format!(
                "leeway_seconds above {MAX_LEEWAY_SECONDS}"
            )));
        }
        let (keys, algorithms) = match &config.keys {
            KeySource::Hs256 { secret } => (
                Keys::Hs256(Arc::new(DecodingKey::from_secret(secret.bytes()))),
                vec![Algorithm::HS256],
            ),
            KeySource::Jwks { location } => {
                let source = JwksSource::from_location(location)?;
                let map = source.load().await.map_err(TokenError::JwksUnavailable)?;
                tracing::info!(source = ?source, kids = map.len(), "JWKS loaded");
                (
                    Keys::Jwks(JwksCache {
                        source,
                        keys: RwLock::new(Arc::new(map)),
                        last_fetch: Mutex::new(Instant::now()),
                        refetch_interval: config.jwks_refetch_interval,
                    }),
                    vec![Algorithm::RS256, Algorithm::ES256],
                )
            }
        };
        let validations = algorithms
            .into_iter()
            .map(|alg| (alg, validation_for(alg, &config)))
            .collect();
        Ok(TokenVerifier {
            inner: Arc::new(Inner {
                keys,
                issuer: config.issuer,
                audience: config.audience,
                leeway_seconds: config.leeway_seconds,
                validations,
            }),
        })
    }

    /// Verifies a compact JWS (the part after `Bearer `) and returns its claims.
    pub async fn verify(&self, bearer_token: &str) -> Result<VerifiedClaims, TokenError> {
        let token = bearer_token;
        if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Malformed);
        }
        let header = peek_header(token)?;
        let (alg, key) = match &self.inner.keys {
            Keys::Hs256(key) => {
                if header.alg != "HS256" {
                    return Err(TokenError::AlgorithmNotAllowed);
                }
                (Algorithm::HS256, Arc::clone(key))
            }
            Keys::Jwks(cache) => {
                let alg = match header.alg.as_str() {
                    "RS256" => Algorithm::RS256,
                    "ES256" => Algorithm::ES256,
                    _ => return Err(TokenError::AlgorithmNotAllowed),
                };
                let kid = header.kid.as_deref().ok_or(TokenError::MissingKid)?;
                (alg, cache.key_for(kid, alg).await?)
            }
        };
        let validation = self
            .inner
            .validations
            .iter()
            .find(|(a, _)| *a == alg)
            .map(|(_, v)| v)
            .ok_or(TokenError::AlgorithmNotAllowed)?;
        let data = jsonwebtoken::decode::<Value>(token, &key, validation).map_err(map_jwt_error)?;
        self.claims_from(&data.claims, Utc::now().timestamp())
    }

    /// Checks left after signature, `exp`, `nbf`, `iss`, `aud` and presence
    /// of `sub` (done by jsonwebtoken): `role`, `la`, `iat`, and typing.
    fn claims_from(&self, claims: &Value, now: i64) -> Result<VerifiedClaims, TokenError> {
        let obj = claims.as_object().ok_or(TokenError::Malformed)?;
        let sub = match obj.get("sub") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            None | Some(Value::Null) => return Err(TokenError::MissingClaim("sub")),
            Some(_) => return Err(TokenError::InvalidClaim("sub")),
        };
        let role = match obj.get("role") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.parse::<Role>().map_err(|_| TokenError::UnknownRole)?),
            Some(_) => return Err(TokenError::UnknownRole),
        };
        let la = match obj.get("la") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if is_valid_la(s) => Some(s.clone()),
            Some(_) => return Err(TokenError::InvalidClaim("la")),
        };
        let exp = obj
            .get("exp")
            .and_then(numeric_date)
            .ok_or(TokenError::InvalidClaim("exp"))?;
        let iat = match obj.get("iat") {
            None | Some(Value::Null) => None,
            Some(v) => Some(numeric_date(v).ok_or(TokenError::InvalidClaim("iat"))?),
        };
        let leeway = i64::try_from(self.inner.leeway_seconds).unwrap_or(i64::MAX);
        if iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
            return Err(TokenError::IssuedInFuture);
        }
        Ok(VerifiedClaims {
            sub,
            role,
            la,
            exp,
            iat,
        })
    }
}

/// Takes an `Authorization` header value, returns the token after `Bearer `
/// (scheme case-insensitive). Anything else is [`TokenError::Malformed`].
pub fn extract_bearer(header_value: &str) -> Result<&str, TokenError> {
    let (scheme, rest) = header_value
        .trim()
        .split_once(' ')
        .ok_or(TokenError::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(TokenError::Malformed);
    }
    let token = rest.trim_start();
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(TokenError::Malformed);
    }
    Ok(token)
}

// ---------------------------------------------------------------------------
// Issuing
// ---------------------------------------------------------------------------

#[derive(Serialize)]
struct IssuedClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    la: Option<&'a str>,
    iat: i64,
    exp: i64,
}

/// Issues an HS256 token with `iss`, `aud`, `sub`, `role`, optional `la`,
/// `iat = now` and `exp = now + ttl` (whole seconds, at least 1).
#[allow(clippy::too_many_arguments)]
pub fn issue_hs256(
    secret: &Secret,
    issuer: &str,
    audience: &str,
    sub: &str,
    role: Role,
    la: Option<&str>,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<String, TokenError> {
    if issuer.trim().is_empty() {
        return Err(TokenError::InvalidInput("issuer is empty"));
    }
    if audience.trim().is_empty() {
        return Err(TokenError::InvalidInput("audience is empty"));
    }
    if sub.trim().is_empty() {
        return Err(TokenError::InvalidInput("sub is empty"));
    }
    if la.is_some_and(|la| !is_valid_la(la)) {
        return Err(TokenError::InvalidInput("la must be three digits"));
    }
    let ttl_secs = i64::try_from(ttl.as_secs())
        .ok()
        .filter(|s| *s >= 1)
        .ok_or(TokenError::InvalidInput(
            "ttl must be between 1 s and i64::MAX s",
        ))?;
    let iat = now.timestamp();
    let exp = iat
        .checked_add(ttl_secs)
        .ok_or(TokenError::InvalidInput("ttl too large"))?;
    let claims = IssuedClaims {
        iss: issuer,
        aud: audience,
        sub,
        role,
        la,
        iat,
        exp,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.bytes()),
    )
    .map_err(|_| TokenError::Signing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const ISS: &str = "https://idp.example.test";
    const AUD: &str = "ehcp-api";

    // Test-only keys, generated once with:
    //   openssl genrsa -out rsa.pem 2048; openssl rsa -in rsa.pem -pubout
    //   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256
    const RSA_PRIVATE_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC9z42xtPJOAWxP\n\
0Ivyao2FpR2iT454AnVv+1v3x/rotaJqOtCgQLuBHmZGN/KU15RrF80xdxGML90x\n\
rw+6sO/YvfutBTlAcw0iIpqEWIfSwaJRcWnOCROT7+ohzowyctQ++XISgurVx22g\n\
VjGT2LlyVT/MMrIsA5FIHhHHn99PFz/QtaH5bq797JYp/0beCI/9/bo3SbPCu2D0\n\
wOLSls5fSw4SRl2ZPCNWBhWO1j2LK46dbhNbL2/BU8yFXsSrDgNGGcnMkh0RDvPG\n\
UdDl6q4ydXInGpGCcdqfEC/7/5wRJLyJEFiKDl89PbTP0LnfGPXCTGF2FWSdOwBn\n\
4AWPKgbjAgMBAAECggEAGW+rhuF/SSnSqH2Di5hw37SJXJt5taZqs3eFUxa3DqFs\n\
ovy/wYH7Pqnivc04km6zYoidhF/294jghQx3OKcGdU68X+rfyb3BSE5H062DgiBV\n\
zsE6kxRPTddsUlx6GDagL9JA0a8+pihkDgUO/sefzm0TMBupGdHekcIJ0u0fQVta\n\
GTj8M9MAAITBsZsoGnkLjqr/sI61qQPR42f33zRsn0JHDoKAbMAE0ZAab6PPb/7J\n\
vzUNfZ/ZejVFAOwSDtPgeO4XOobBF2U2EWng0jO3/WTG9YIdDcbtb+AsnbYN6sVI\n\
+GrzRbCazmgt86uftuy1mIlVkNUuHwbjTkuLn+MmlQKBgQD9MvVRDUxlVVOXQOCe\n\
b1MFjxzSfmGPEFoYMNEFj/+MyPS9TeWhOgv0/ZXzY0u5QbI4GeaQi6MNDZ4IggXi\n\
af0aNE85zfqJEF1Zwi8vaf3Xm8UprSldnModSFuXVtALEsXxOyemhdj//2c/5pe9\n\
YE+yyopG+Snv8K+YmWGHG6i53QKBgQC/6RWFPFEMLt1JDgbO3ImrusBdVhwQ00Zt\n\
JrKSGD5T+ZAYDLHM/nHZ+L6aLvk1FKKTmGucF5vrP4tn/AdXJOVEDHv8r+8yO6cy\n\
UL12ePreKf/ON7a+KwA+cd50TMlwhuIWlwf+6Dbufk0GGx+OqS94tg8GPTyjAAbT\n\
ozZeDd6XvwKBgQCNYwtBu19RppgK+htz3U5K6GN71z67GLJ2l6vgo0xcXUrs+raj\n\
lTpgD8rQIj6CsIDIew4Y4SCnhVceAR0wFWdUXqlu6epg51Z5bMnUfCdXYpByeVOE\n\
Bq2GNIWQuNVrmYwW7KVzg4JtUT1inW1WPpXCjP8yKqiUZ55mZB/lxjgtsQKBgQCc\n\
DcF+MmoFaiZvPYSzugoJJzc9rsPruqHOKGWU/znPt2RA6jG67D1QbkEvx3rGex0o\n\
wAzhRSF4zpdh20NszYfRKgW4mKf9RRzUgWtPZ1k4RxbIbe2f/f+Yx6eJEtfLNSOs\n\
EuxhkBr7HKEtkei7bUA4/HKDNFCWi3MBrfqLyON0qQKBgHwN8hSRl9M8sCj9SWWL\n\
ngkGyj6VCJ6jguRYt9Eexe8RNIn4l1quuPEEjfwPqgDAlZilDCluJ3g5aMEqBCG+\n\
+B5y6fxXwIbSrhj11xmhQCqnjr0F1PwtDd+ppfUKc81mwvgT2Pnr+0/hIjEFDsM8\n\
oN9WitlqNa8hYLiyw0Kn4TBY\n\
-----END PRIVATE KEY-----\n";
    const RSA_PUBLIC_PEM: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvc+NsbTyTgFsT9CL8mqN\n\
haUdok+OeAJ1b/tb98f66LWiajrQoEC7gR5mRjfylNeUaxfNMXcRjC/dMa8PurDv\n\
2L37rQU5QHMNIiKahFiH0sGiUXFpzgkTk+/qIc6MMnLUPvlyEoLq1cdtoFYxk9i5\n\
clU/zDKyLAORSB4Rx5/fTxc/0LWh+W6u/eyWKf9G3giP/f26N0mzwrtg9MDi0pbO\n\
X0sOEkZdmTwjVgYVjtY9iyuOnW4TWy9vwVPMhV7Eqw4DRhnJzJIdEQ7zxlHQ5equ\n\
MnVyJxqRgnHanxAv+/+cESS8iRBYig5fPT20z9C53xj1wkxhdhVknTsAZ+AFjyoG\n\
4wIDAQAB\n\
-----END PUBLIC KEY-----\n";
    const RSA_N: &str = "vc-NsbTyTgFsT9CL8mqNhaUdok-OeAJ1b_tb98f66LWiajrQoEC7gR5mRjfylNeUaxfNMXcRjC_dMa8PurDv2L37rQU5QHMNIiKahFiH0sGiUXFpzgkTk-_qIc6MMnLUPvlyEoLq1cdtoFYxk9i5clU_zDKyLAORSB4Rx5_fTxc_0LWh-W6u_eyWKf9G3giP_f26N0mzwrtg9MDi0pbOX0sOEkZdmTwjVgYVjtY9iyuOnW4TWy9vwVPMhV7Eqw4DRhnJzJIdEQ7zxlHQ5equMnVyJxqRgnHanxAv-_-cESS8iRBYig5fPT20z9C53xj1wkxhdhVknTsAZ-AFjyoG4w";
    const RSA_E: &str = "AQAB";
    const EC_PRIVATE_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg5qzF7N4ADj5TgA0n\n\
4+V5TTRPuWjzAQUlS5JTz3mULw6hRANCAAS5B/CZfuUJ9iCo++ZyPuIyFYfee3Fi\n\
qg5WVgwuEgvjZBUOZB/8CF0SgYVQFB5bPPnQLF+Q819IFEUCuge4FLYS\n\
-----END PRIVATE KEY-----\n";
    const EC_X: &str = "uQfwmX7lCfYgqPvmcj7iMhWH3ntxYqoOVlYMLhIL42Q";
    const EC_Y: &str = "FQ5kH_wIXRKBhVAUHls8-dAsX5DzX0gURQK6B7gUthI";
    const RSA_KID: &str = "rsa-1";
    const EC_KID: &str = "ec-1";

    // ---- helpers -----------------------------------------------------------

    fn secret() -> Secret {
        Secret::new(b"0123456789abcdef0123456789abcdef-test".to_vec()).unwrap()
    }

    fn now() -> i64 {
        Utc::now().timestamp()
    }

    /// Claims valid for an hour, which individual tests then spoil.
    fn good_claims() -> Value {
        serde_json::json!({
            "iss": ISS, "aud": AUD, "sub": "user-42", "role": "caseworker",
            "la": "909", "iat": now(), "exp": now() + 3600,
        })
    }

    fn without(mut claims: Value, key: &str) -> Value {
        if let Some(obj) = claims.as_object_mut() {
            obj.remove(key);
        }
        claims
    }

    fn with(mut claims: Value, key: &str, value: Value) -> Value {
        if let Some(obj) = claims.as_object_mut() {
            obj.insert(key.to_string(), value);
        }
        claims
    }

    fn sign(alg: Algorithm, kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_string);
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }

    fn sign_hs(claims: &Value) -> String {
        sign(
            Algorithm::HS256,
            None,
            claims,
            &EncodingKey::from_secret(secret().bytes()),
        )
    }

    fn sign_rs(kid: &str, claims: &Value) -> String {
        let key = EncodingKey::from_rsa_pem(RSA_PRIVATE_PEM.as_bytes()).unwrap();
        sign(Algorithm::RS256, Some(kid), claims, &key)
    }

    fn sign_es(kid: &str, claims: &Value) -> String {
        let key = EncodingKey::from_ec_pem(EC_PRIVATE_PEM.as_bytes()).unwrap();
        sign(Algorithm::ES256, Some(kid), claims, &key)
    }

    fn b64(json: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(json).unwrap())
    }

    /// Builds a token by hand with an arbitrary header and no signature.
    fn unsigned(header: &Value, claims: &Value) -> String {
        format!("{}.{}.", b64(header), b64(claims))
    }

    async fn hs_verifier() -> TokenVerifier {
        TokenVerifier::new(TokenConfig::new(
            KeySource::Hs256 { secret: secret() },
            ISS,
            AUD,
        ))
        .await
        .unwrap()
    }

    fn rsa_jwk() -> Value {
        serde_json::json!({"kty": "RSA", "kid": RSA_KID, "use": "sig", "alg": "RS256", "n": RSA_N, "e": RSA_E})
    }

    fn ec_jwk() -> Value {
        serde_json::json!({"kty": "EC", "kid": EC_KID, "use": "sig", "crv": "P-256", "x": EC_X, "y": EC_Y})
    }

    fn jwks(keys: &[Value]) -> String {
        serde_json::json!({ "keys": keys }).to_string()
    }

    /// A uniquely named temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "auth-scratch-{}-{}-{}",
                std::process::id(),
                name,
                COUNTER.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn write(&self, file: &str, contents: &str) -> PathBuf {
            let path = self.0.join(file);
            std::fs::write(&path, contents).unwrap();
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    async fn jwks_verifier(location: &str, refetch: Duration) -> Result<TokenVerifier, TokenError> {
        let mut config = TokenConfig::new(
            KeySource::Jwks {
                location: location.to_string(),
            },
            ISS,
            AUD,
        );
        config.jwks_refetch_interval = refetch;
        TokenVerifier::new(config).await
    }

    async fn jwks_file_verifier(dir: &TempDir, keys: &[Value]) -> TokenVerifier {
        let path = dir.write("jwks.json", &jwks(keys));
        jwks_verifier(path.to_str().unwrap(), DEFAULT_JWKS_REFETCH_INTERVAL)
            .await
            .unwrap()
    }

    macro_rules! assert_refused {
        ($result:expr, $pattern:pat) => {
            match $result {
                Err($pattern) => {}
                other => panic!("expected {}, got {:?}", stringify!($pattern), other),
            }
        };
    }

    // ---- roles, secrets, config, header --------------------------------------

    #[test]
    fn role_strings_and_serde_are_lowercase() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
            assert_eq!(role.to_string(), role.as_str());
        }
        assert_eq!(Role::Professional.as_str(), "professional");
        assert!("Admin".parse::<Role>().is_err());
        assert!("superuser".parse::<Role>().is_err());
        assert!(serde_json::from_str::<Role>("\"ADMIN\"").is_err());
    }

    #[test]
    fn secret_needs_32_bytes_and_never_prints() {
        assert_refused!(Secret::new(vec![7u8; 31]), TokenError::WeakSecret);
        let s = Secret::new(vec![0xABu8; 32]).unwrap();
        assert_eq!(format!("{s:?}"), "Secret(***)");
        let config = TokenConfig::new(KeySource::Hs256 { secret: s }, ISS, AUD);
        let shown = format!("{config:?} {config:#?}");
        assert!(shown.contains("Secret(***)"));
        assert!(!shown.contains("171"), "decimal byte leaked: {shown}");
        assert!(
            !shown.to_lowercase().contains("abab"),
            "hex leaked: {shown}"
        );
        assert!(!shown.contains("q6ur"), "base64 leaked: {shown}");
    }

    #[test]
    fn generated_secret_round_trips_through_base64() {
        let a = generate_secret();
        let b = generate_secret();
        assert_eq!(a.bytes().len(), GENERATED_SECRET_BYTES);
        assert_ne!(a.bytes(), b.bytes());
        let text = format!("{}\n", a.to_base64());
        assert_eq!(Secret::from_base64(&text).unwrap().bytes(), a.bytes());
        assert_refused!(
            Secret::from_base64("not base64!"),
            TokenError::SecretEncoding
        );
        assert_refused!(
            Secret::from_base64(&STANDARD.encode([1u8; 16])),
            TokenError::WeakSecret
        );
    }

    #[test]
    fn secret_file_is_created_once_then_reused() {
        let dir = TempDir::new("secret");
        let path = dir.0.join("token-secret");
        let first = Secret::load_or_generate_file(&path).unwrap();
        let second = Secret::load_or_generate_file(&path).unwrap();
        assert_eq!(first.bytes(), second.bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "short").unwrap();
        assert!(Secret::load_or_generate_file(&path).is_err());
    }

    #[test]
    fn extract_bearer_accepts_only_bearer_scheme() {
        assert_eq!(extract_bearer("Bearer abc.def.ghi").unwrap(), "abc.def.ghi");
        assert_eq!(extract_bearer("bearer abc").unwrap(), "abc");
        assert_eq!(extract_bearer("BEARER   abc  ").unwrap(), "abc");
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Basic dXNlcjpwdw==",
            "Token abc",
            "abc.def.ghi",
            "Bearer abc def",
            "Bearerabc",
        ] {
            assert_refused!(extract_bearer(bad), TokenError::Malformed);
        }
    }

    #[tokio::test]
    async fn config_is_validated() {
        let mut config = TokenConfig::new(KeySource::Hs256 { secret: secret() }, "", AUD);
        assert_refused!(
            TokenVerifier::new(config.clone()).await,
            TokenError::Config(_)
        );
        config.issuer = ISS.into();
        config.audience = " ".into();
        assert_refused!(
            TokenVerifier::new(config.clone()).await,
            TokenError::Config(_)
        );
        config.audience = AUD.into();
        config.leeway_seconds = MAX_LEEWAY_SECONDS + 1;
        assert_refused!(
            TokenVerifier::new(config.clone()).await,
            TokenError::Config(_)
        );
        config.leeway_seconds = DEFAULT_LEEWAY_SECONDS;
        assert!(TokenVerifier::new(config).await.is_ok());
    }

    #[test]
    fn error_codes_are_distinct_snake_case() {
        let all = [
            TokenError::Malformed,
            TokenError::AlgNone,
            TokenError::AlgorithmNotAllowed,
            TokenError::BadSignature,
            TokenError::Expired,
            TokenError::NotYetValid,
            TokenError::IssuedInFuture,
            TokenError::WrongIssuer,
            TokenError::WrongAudience,
            TokenError::MissingClaim("exp"),
            TokenError::InvalidClaim("la"),
            TokenError::UnknownRole,
            TokenError::MissingKid,
            TokenError::UnknownKid,
            TokenError::JwksUnavailable(String::new()),
            TokenError::WeakSecret,
            TokenError::SecretEncoding,
            TokenError::SecretFile(String::new()),
            TokenError::Config(String::new()),
            TokenError::InvalidInput(""),
            TokenError::Signing,
        ];
        let codes: HashSet<&str> = all.iter().map(TokenError::code).collect();
        assert_eq!(codes.len(), all.len());
        for code in codes {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
        assert_eq!(TokenError::Expired.code(), "expired");
        assert_eq!(TokenError::BadSignature.code(), "bad_signature");
    }

    // ---- HS256 mode ------------------------------------------------------------

    #[tokio::test]
    async fn issued_hs256_token_verifies_to_exact_claims() {
        let issued_at = Utc::now();
        let token = issue_hs256(
            &secret(),
            ISS,
            AUD,
            "user-42",
            Role::Manager,
            Some("909"),
            Duration::from_secs(900),
            issued_at,
        )
        .unwrap();
        let claims = hs_verifier().await.verify(&token).await.unwrap();
        assert_eq!(
            claims,
            VerifiedClaims {
                sub: "user-42".into(),
                role: Some(Role::Manager),
                la: Some("909".into()),
                exp: issued_at.timestamp() + 900,
                iat: Some(issued_at.timestamp()),
            }
        );
    }

    #[tokio::test]
    async fn token_without_la_or_iat_verifies() {
        let claims = without(without(good_claims(), "la"), "iat");
        let claims = with(claims, "role", "parent".into());
        let verified = hs_verifier().await.verify(&sign_hs(&claims)).await.unwrap();
        assert_eq!(verified.role, Some(Role::Parent));
        assert_eq!(verified.la, None);
        assert_eq!(verified.iat, None);
        assert_eq!(verified.sub, "user-42");
    }

    #[tokio::test]
    async fn verifier_clones_share_state_and_debug_hides_secret() {
        let v = hs_verifier().await;
        let c = v.clone();
        assert!(Arc::ptr_eq(&v.inner, &c.inner));
        let shown = format!("{v:?}");
        assert!(shown.contains("hs256") && !shown.contains("0123456789"));
    }

    #[tokio::test]
    async fn malformed_tokens_are_refused() {
        let v = hs_verifier().await;
        let good = sign_hs(&good_claims());
        let parts: Vec<&str> = good.split('.').collect();
        let header_only_json =
            format!("{}.{}.{}", b64(&serde_json::json!([1])), parts[1], parts[2]);
        // Correctly signed, but the payload is not JSON (an unsigned bad
        // payload is a bad signature: the signature is checked first).
        let message = format!("{}.{}", parts[0], URL_SAFE_NO_PAD.encode("nope"));
        let signature = jsonwebtoken::crypto::sign(
            message.as_bytes(),
            &EncodingKey::from_secret(secret().bytes()),
            Algorithm::HS256,
        )
        .unwrap();
        let payload_not_json = format!("{message}.{signature}");
        let too_long = "a".repeat(MAX_TOKEN_BYTES + 1);
        for bad in [
            "",
            "garbage",
            "a.b",
            "a.b.c.d",
            &format!("{}.{}", parts[0], parts[1]),
            &format!("!!.{}.{}", parts[1], parts[2]),
            &format!(".{}.{}", parts[1], parts[2]),
            &header_only_json,
            &payload_not_json,
            &too_long,
        ] {
            assert_refused!(v.verify(bad).await, TokenError::Malformed);
        }
    }

    #[tokio::test]
    async fn bad_signature_is_refused() {
        let v = hs_verifier().await;
        // Signed with another secret.
        let other = EncodingKey::from_secret(&[9u8; 40]);
        let token = sign(Algorithm::HS256, None, &good_claims(), &other);
        assert_refused!(v.verify(&token).await, TokenError::BadSignature);
        // Payload swapped for one granting admin, signature kept.
        let good = sign_hs(&good_claims());
        let parts: Vec<&str> = good.split('.').collect();
        let forged = with(good_claims(), "role", "admin".into());
        let tampered = format!("{}.{}.{}", parts[0], b64(&forged), parts[2]);
        assert_refused!(v.verify(&tampered).await, TokenError::BadSignature);
        // Empty signature with a real alg.
        let stripped = format!("{}.{}.", parts[0], parts[1]);
        assert_refused!(v.verify(&stripped).await, TokenError::BadSignature);
    }

    #[tokio::test]
    async fn alg_none_is_refused_in_both_modes() {
        let claims = with(good_claims(), "role", "admin".into());
        let hs = hs_verifier().await;
        for alg in ["none", "None", "NONE"] {
            let token = unsigned(&serde_json::json!({"alg": alg, "typ": "JWT"}), &claims);
            assert_refused!(hs.verify(&token).await, TokenError::AlgNone);
        }
        let dir = TempDir::new("none");
        let jw = jwks_file_verifier(&dir, &[rsa_jwk()]).await;
        let token = unsigned(&serde_json::json!({"alg": "none", "kid": RSA_KID}), &claims);
        assert_refused!(jw.verify(&token).await, TokenError::AlgNone);
    }

    #[tokio::test]
    async fn other_algorithms_are_refused_in_hs256_mode() {
        let v = hs_verifier().await;
        let rs = sign_rs(RSA_KID, &good_claims());
        assert_refused!(v.verify(&rs).await, TokenError::AlgorithmNotAllowed);
        let es = sign_es(EC_KID, &good_claims());
        assert_refused!(v.verify(&es).await, TokenError::AlgorithmNotAllowed);
        let hs512 = sign(
            Algorithm::HS512,
            None,
            &good_claims(),
            &EncodingKey::from_secret(secret().bytes()),
        );
        assert_refused!(v.verify(&hs512).await, TokenError::AlgorithmNotAllowed);
        let weird = unsigned(&serde_json::json!({"alg": "XYZ"}), &good_claims());
        assert_refused!(v.verify(&weird).await, TokenError::AlgorithmNotAllowed);
    }

    #[tokio::test]
    async fn expired_token_is_refused() {
        let v = hs_verifier().await;
        let issued = Utc::now() - chrono::Duration::hours(2);
        let token = issue_hs256(
            &secret(),
            ISS,
            AUD,
            "u",
            Role::Admin,
            None,
            Duration::from_secs(3600),
            issued,
        )
        .unwrap();
        assert_refused!(v.verify(&token).await, TokenError::Expired);
        // Just past the leeway is refused too.
        let claims = with(good_claims(), "exp", (now() - 40).into());
        assert_refused!(v.verify(&sign_hs(&claims)).await, TokenError::Expired);
    }

    #[tokio::test]
    async fn nbf_in_the_future_is_refused() {
        let v = hs_verifier().await;
        let claims = with(good_claims(), "nbf", (now() + 600).into());
        assert_refused!(v.verify(&sign_hs(&claims)).await, TokenError::NotYetValid);
        let past = with(good_claims(), "nbf", (now() - 10).into());
        assert!(v.verify(&sign_hs(&past)).await.is_ok());
    }

    #[tokio::test]
    async fn iat_in_the_future_is_refused() {
        let v = hs_verifier().await;
        let token = issue_hs256(
            &secret(),
            ISS,
            AUD,
            "u",
            Role::Caseworker,
            None,
            Duration::from_secs(3600),
            Utc::now() + chrono::Duration::minutes(10),
        )
        .unwrap();
        assert_refused!(v.verify(&token).await, TokenError::IssuedInFuture);
        let bad_type = with(good_claims(), "iat", "yesterday".into());
        assert_refused!(
            v.verify(&sign_hs(&bad_type)).await,
            TokenError::InvalidClaim("iat")
        );
    }

    #[tokio::test]
    async fn small_clock_skew_is_tolerated() {
        let v = hs_verifier().await;
        let claims = with(good_claims(), "iat", (now() + 10).into());
        let claims = with(claims, "nbf", (now() + 10).into());
        assert!(v.verify(&sign_hs(&claims)).await.is_ok());
        let just_expired = with(good_claims(), "exp", (now() - 10).into());
        assert!(v.verify(&sign_hs(&just_expired)).await.is_ok());
    }

    #[tokio::test]
    async fn wrong_issuer_is_refused() {
        let v = hs_verifier().await;
        let claims = with(good_claims(), "iss", "https://evil.example".into());
        assert_refused!(v.verify(&sign_hs(&claims)).await, TokenError::WrongIssuer);
    }

    #[tokio::test]
    async fn wrong_audience_is_refused() {
        let v = hs_verifier().await;
        let claims = with(good_claims(), "aud", "another-api".into());
        assert_refused!(v.verify(&sign_hs(&claims)).await, TokenError::WrongAudience);
        let list = with(good_claims(), "aud", serde_json::json!(["x", "y"]));
        assert_refused!(v.verify(&sign_hs(&list)).await, TokenError::WrongAudience);
        let ok_list = with(good_claims(), "aud", serde_json::json!(["x", AUD]));
        assert!(v.verify(&sign_hs(&ok_list)).await.is_ok());
    }

    #[tokio::test]
    async fn missing_required_claims_are_refused() {
        let v = hs_verifier().await;
        for claim in ["exp", "iss", "aud", "sub"] {
            let token = sign_hs(&without(good_claims(), claim));
            match v.verify(&token).await {
                Err(TokenError::MissingClaim(name)) => assert_eq!(name, claim),
                other => panic!("{claim}: expected MissingClaim, got {other:?}"),
            }
        }
        // Roles are granted by the records, so an identity provider need not send one.
        let roleless = v
            .verify(&sign_hs(&without(good_claims(), "role")))
            .await
            .expect("a token without a role claim verifies");
        assert_eq!(roleless.role, None);
        let null_sub = with(good_claims(), "sub", Value::Null);
        assert_refused!(
            v.verify(&sign_hs(&null_sub)).await,
            TokenError::MissingClaim("sub")
        );
        let empty_sub = with(good_claims(), "sub", "".into());
        assert_refused!(
            v.verify(&sign_hs(&empty_sub)).await,
            TokenError::InvalidClaim("sub")
        );
    }

    #[tokio::test]
    async fn unknown_role_is_refused() {
        let v = hs_verifier().await;
        for role in [
            Value::from("superuser"),
            Value::from("Admin"),
            Value::from(""),
            Value::from(1),
            serde_json::json!(["admin"]),
        ] {
            let token = sign_hs(&with(good_claims(), "role", role.clone()));
            assert_refused!(v.verify(&token).await, TokenError::UnknownRole);
        }
    }

    #[tokio::test]
    async fn la_must_be_three_digits() {
        let v = hs_verifier().await;
        for la in [
            Value::from("9090"),
            Value::from("E10"),
            Value::from(""),
            Value::from(909),
        ] {
            let token = sign_hs(&with(good_claims(), "la", la.clone()));
            assert_refused!(v.verify(&token).await, TokenError::InvalidClaim("la"));
        }
    }

    #[test]
    fn issue_hs256_refuses_bad_input() {
        let t = Duration::from_secs(60);
        let n = Utc::now();
        let s = secret();
        assert_refused!(
            issue_hs256(&s, ISS, AUD, "u", Role::Admin, Some("9"), t, n),
            TokenError::InvalidInput(_)
        );
        assert_refused!(
            issue_hs256(&s, ISS, AUD, " ", Role::Admin, None, t, n),
            TokenError::InvalidInput(_)
        );
        assert_refused!(
            issue_hs256(&s, "", AUD, "u", Role::Admin, None, t, n),
            TokenError::InvalidInput(_)
        );
        assert_refused!(
            issue_hs256(&s, ISS, AUD, "u", Role::Admin, None, Duration::ZERO, n),
            TokenError::InvalidInput(_)
        );
        assert_refused!(
            issue_hs256(&s, ISS, AUD, "u", Role::Admin, None, Duration::MAX, n),
            TokenError::InvalidInput(_)
        );
    }

    // ---- JWKS mode -----------------------------------------------------------

    #[tokio::test]
    async fn jwks_file_rsa_and_ec_tokens_verify() {
        let dir = TempDir::new("jwks");
        let v = jwks_file_verifier(&dir, &[rsa_jwk(), ec_jwk()]).await;
        let rs = v.verify(&sign_rs(RSA_KID, &good_claims())).await.unwrap();
        assert_eq!(rs.sub, "user-42");
        assert_eq!(rs.role, Some(Role::Caseworker));
        assert_eq!(rs.la.as_deref(), Some("909"));
        let es_claims = with(good_claims(), "role", "professional".into());
        let es = v.verify(&sign_es(EC_KID, &es_claims)).await.unwrap();
        assert_eq!(es.role, Some(Role::Professional));
    }

    #[tokio::test]
    async fn jwks_refusals() {
        let dir = TempDir::new("jwks-refusals");
        let v = jwks_file_verifier(&dir, &[rsa_jwk(), ec_jwk()]).await;
        // kid of the RSA key but signed ES256 (and the other way round).
        let es_on_rsa = sign_es(RSA_KID, &good_claims());
        assert_refused!(v.verify(&es_on_rsa).await, TokenError::AlgorithmNotAllowed);
        let rs_on_ec = sign_rs(EC_KID, &good_claims());
        assert_refused!(v.verify(&rs_on_ec).await, TokenError::AlgorithmNotAllowed);
        // No kid.
        let key = EncodingKey::from_rsa_pem(RSA_PRIVATE_PEM.as_bytes()).unwrap();
        let no_kid = sign(Algorithm::RS256, None, &good_claims(), &key);
        assert_refused!(v.verify(&no_kid).await, TokenError::MissingKid);
        // Tampered payload.
        let good = sign_rs(RSA_KID, &good_claims());
        let parts: Vec<&str> = good.split('.').collect();
        let forged = with(good_claims(), "role", "admin".into());
        let tampered = format!("{}.{}.{}", parts[0], b64(&forged), parts[2]);
        assert_refused!(v.verify(&tampered).await, TokenError::BadSignature);
        // RS384 with the same key is not accepted.
        let rs384 = sign(Algorithm::RS384, Some(RSA_KID), &good_claims(), &key);
        assert_refused!(v.verify(&rs384).await, TokenError::AlgorithmNotAllowed);
        // Claims are checked in this mode too.
        let expired = sign_rs(RSA_KID, &with(good_claims(), "exp", (now() - 3600).into()));
        assert_refused!(v.verify(&expired).await, TokenError::Expired);
        let wrong_iss = sign_es(EC_KID, &with(good_claims(), "iss", "x".into()));
        assert_refused!(v.verify(&wrong_iss).await, TokenError::WrongIssuer);
    }

    #[tokio::test]
    async fn hs256_signed_with_rsa_public_key_is_refused_in_jwks_mode() {
        let dir = TempDir::new("confusion");
        let v = jwks_file_verifier(&dir, &[rsa_jwk()]).await;
        let claims = with(good_claims(), "role", "admin".into());
        for secret in [RSA_PUBLIC_PEM.as_bytes(), RSA_N.as_bytes()] {
            let token = sign(
                Algorithm::HS256,
                Some(RSA_KID),
                &claims,
                &EncodingKey::from_secret(secret),
            );
            assert_refused!(v.verify(&token).await, TokenError::AlgorithmNotAllowed);
        }
    }

    #[tokio::test]
    async fn unknown_kid_is_not_refetched_within_the_interval() {
        let dir = TempDir::new("kid-window");
        let path = dir.write("jwks.json", &jwks(&[ec_jwk()]));
        let v = jwks_verifier(path.to_str().unwrap(), DEFAULT_JWKS_REFETCH_INTERVAL)
            .await
            .unwrap();
        let token = sign_rs(RSA_KID, &good_claims());
        assert_refused!(v.verify(&token).await, TokenError::UnknownKid);
        dir.write("jwks.json", &jwks(&[ec_jwk(), rsa_jwk()]));
        assert_refused!(v.verify(&token).await, TokenError::UnknownKid);
        // Known kids keep working meanwhile.
        assert!(v.verify(&sign_es(EC_KID, &good_claims())).await.is_ok());
    }

    #[tokio::test]
    async fn unknown_kid_is_refetched_once_the_interval_has_passed() {
        let dir = TempDir::new("kid-refetch");
        let path = dir.write("jwks.json", &jwks(&[ec_jwk()]));
        let v = jwks_verifier(path.to_str().unwrap(), Duration::ZERO)
            .await
            .unwrap();
        let token = sign_rs(RSA_KID, &good_claims());
        assert_refused!(v.verify(&token).await, TokenError::UnknownKid);
        dir.write("jwks.json", &jwks(&[ec_jwk(), rsa_jwk()]));
        assert_eq!(v.verify(&token).await.unwrap().sub, "user-42");
        // A key removed from the JWKS disappears on the next re-read.
        dir.write("jwks.json", &jwks(&[rsa_jwk()]));
        assert_refused!(
            v.verify(&sign_rs("rsa-gone", &good_claims())).await,
            TokenError::UnknownKid
        );
        assert_refused!(
            v.verify(&sign_es(EC_KID, &good_claims())).await,
            TokenError::UnknownKid
        );
        // A broken JWKS on re-read keeps the previous keys.
        dir.write("jwks.json", "{not json");
        assert_refused!(
            v.verify(&sign_rs("other", &good_claims())).await,
            TokenError::UnknownKid
        );
        assert!(v.verify(&token).await.is_ok());
    }

    #[tokio::test]
    async fn refetch_happens_after_a_short_interval_elapses() {
        // Sign first: RSA signing is slow in debug builds and must not eat
        // into the interval.
        let token = sign_rs(RSA_KID, &good_claims());
        let dir = TempDir::new("kid-interval");
        let path = dir.write("jwks.json", &jwks(&[ec_jwk()]));
        let interval = Duration::from_millis(1500);
        let started = Instant::now();
        let v = jwks_verifier(path.to_str().unwrap(), interval)
            .await
            .unwrap();
        dir.write("jwks.json", &jwks(&[ec_jwk(), rsa_jwk()]));
        let early = v.verify(&token).await;
        if started.elapsed() < interval {
            assert_refused!(early, TokenError::UnknownKid);
        }
        tokio::time::sleep(interval.saturating_sub(started.elapsed()) + Duration::from_millis(100))
            .await;
        assert!(v.verify(&token).await.is_ok());
    }

    #[tokio::test]
    async fn jwks_loading_skips_unusable_keys_and_needs_one_usable() {
        let dir = TempDir::new("jwks-load");
        let enc =
            serde_json::json!({"kty": "RSA", "kid": "enc", "use": "enc", "n": RSA_N, "e": RSA_E});
        let short_n = URL_SAFE_NO_PAD.encode([0xC3u8; 128]);
        let short = serde_json::json!({"kty": "RSA", "kid": "short", "n": short_n, "e": RSA_E});
        let ps =
            serde_json::json!({"kty": "RSA", "kid": "ps", "alg": "PS256", "n": RSA_N, "e": RSA_E});
        let okp = serde_json::json!({"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": EC_X});
        let oct = serde_json::json!({"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"});
        let p384 =
            serde_json::json!({"kty": "EC", "kid": "p384", "crv": "P-384", "x": EC_X, "y": EC_Y});
        let bad_point =
            serde_json::json!({"kty": "EC", "kid": "badpt", "crv": "P-256", "x": EC_X, "y": EC_X});
        let no_kid = serde_json::json!({"kty": "RSA", "n": RSA_N, "e": RSA_E});
        let junk = serde_json::json!({"hello": "world"});
        let unusable = [enc, short, ps, okp, oct, p384, bad_point, no_kid, junk];

        let path = dir.write("only-bad.json", &jwks(&unusable));
        assert_refused!(
            jwks_verifier(path.to_str().unwrap(), DEFAULT_JWKS_REFETCH_INTERVAL).await,
            TokenError::JwksUnavailable(_)
        );
        let mut mixed = unusable.to_vec();
        mixed.push(rsa_jwk());
        let path = dir.write("mixed.json", &jwks(&mixed));
        let v = jwks_verifier(path.to_str().unwrap(), DEFAULT_JWKS_REFETCH_INTERVAL)
            .await
            .unwrap();
        assert!(v.verify(&sign_rs(RSA_KID, &good_claims())).await.is_ok());
        assert_refused!(
            v.verify(&sign_rs("enc", &good_claims())).await,
            TokenError::UnknownKid
        );

        for bad in ["{}", "[]", "not json"] {
            let path = dir.write("bad.json", bad);
            assert_refused!(
                jwks_verifier(path.to_str().unwrap(), DEFAULT_JWKS_REFETCH_INTERVAL).await,
                TokenError::JwksUnavailable(_)
            );
        }
        let missing = dir.0.join("missing.json");
        assert_refused!(
            jwks_verifier(missing.to_str().unwrap(), DEFAULT_JWKS_REFETCH_INTERVAL).await,
            TokenError::JwksUnavailable(_)
        );
        let file_url = format!("file://{}", dir.0.join("mixed.json").display());
        assert!(
            jwks_verifier(&file_url, DEFAULT_JWKS_REFETCH_INTERVAL)
                .await
                .is_ok()
        );
    }

    /// A tiny HTTP server on 127.0.0.1 serving a JWKS that tests can change;
    /// it counts requests and stops by itself after 60 s.
    struct JwksServer {
        url: String,
        body: Arc<std::sync::Mutex<String>>,
        hits: Arc<AtomicUsize>,
    }

    impl JwksServer {
        fn start(body: String) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.set_nonblocking(true).unwrap();
            let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
            let body = Arc::new(std::sync::Mutex::new(body));
            let hits = Arc::new(AtomicUsize::new(0));
            let (b, h) = (Arc::clone(&body), Arc::clone(&hits));
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(60);
                while Instant::now() < deadline {
                    match listener.accept() {
                        Ok((mut stream, _)) => {
                            let _ = stream.set_nonblocking(false);
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                            let mut request = Vec::new();
                            let mut buf = [0u8; 1024];
                            while !request.windows(4).any(|w| w == b"\r\n\r\n")
                                && request.len() < 16 * 1024
                            {
                                match stream.read(&mut buf) {
                                    Ok(0) | Err(_) => break,
                                    Ok(n) => request.extend_from_slice(&buf[..n]),
                                }
                            }
                            h.fetch_add(1, Ordering::SeqCst);
                            let body = b.lock().map(|s| s.clone()).unwrap_or_default();
                            let response = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                                body.len(),
                                body
                            );
                            let _ = stream.write_all(response.as_bytes());
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => break,
                    }
                }
            });
            JwksServer { url, body, hits }
        }

        fn set(&self, body: String) {
            *self.body.lock().unwrap() = body;
        }

        fn hits(&self) -> usize {
            self.hits.load(Ordering::SeqCst)
        }
    }

    #[tokio::test]
    async fn jwks_over_http_is_fetched_and_refetch_is_rate_limited() {
        let server = JwksServer::start(jwks(&[ec_jwk()]));
        let v = jwks_verifier(&server.url, DEFAULT_JWKS_REFETCH_INTERVAL)
            .await
            .unwrap();
        assert_eq!(server.hits(), 1);
        assert!(v.verify(&sign_es(EC_KID, &good_claims())).await.is_ok());
        server.set(jwks(&[ec_jwk(), rsa_jwk()]));
        let token = sign_rs(RSA_KID, &good_claims());
        for _ in 0..5 {
            assert_refused!(v.verify(&token).await, TokenError::UnknownKid);
        }
        assert_eq!(server.hits(), 1, "no re-read within the interval");

        let eager = jwks_verifier(&server.url, Duration::ZERO).await.unwrap();
        assert_eq!(server.hits(), 2);
        assert!(eager.verify(&token).await.is_ok());
        assert_refused!(
            eager.verify(&sign_rs("nobody", &good_claims())).await,
            TokenError::UnknownKid
        );
        assert_eq!(server.hits(), 3, "one re-read for the unknown kid");
    }

    #[tokio::test]
    async fn jwks_http_error_at_start_is_reported() {
        let server = JwksServer::start("<html>oops</html>".into());
        assert_refused!(
            jwks_verifier(&server.url, DEFAULT_JWKS_REFETCH_INTERVAL).await,
            TokenError::JwksUnavailable(_)
        );
        assert_refused!(
            jwks_verifier("https://exa mple.test/jwks", DEFAULT_JWKS_REFETCH_INTERVAL).await,
            TokenError::Config(_)
        );
    }
}
