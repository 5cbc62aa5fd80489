//! Verifying a bearer token: algorithm, key, signature, times, issuer, audience, claims.
use super::*;

// ---------------------------------------------------------------------------
// Verifier
// ---------------------------------------------------------------------------

pub(super) enum Keys {
    Hs256(Arc<DecodingKey>),
    Jwks(JwksCache),
}

pub(super) struct Inner {
    keys: Keys,
    issuer: String,
    audience: String,
    leeway_seconds: u64,
    validations: Vec<(Algorithm, Validation)>,
}

/// Verifies bearer tokens. Cheap to clone (one `Arc`); share one per process.
#[derive(Clone)]
pub struct TokenVerifier {
    pub(super) inner: Arc<Inner>,
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

pub(super) fn validation_for(alg: Algorithm, config: &TokenConfig) -> Validation {
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

pub(super) struct PeekedHeader {
    alg: String,
    kid: Option<String>,
}

/// Reads `alg`/`kid` before any crypto, so `alg: none` and unexpected
/// algorithms get their own refusal (the jsonwebtoken crate cannot even
/// represent `none`).
pub(super) fn peek_header(token: &str) -> Result<PeekedHeader, TokenError> {
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
pub(super) fn numeric_date(value: &Value) -> Option<i64> {
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
