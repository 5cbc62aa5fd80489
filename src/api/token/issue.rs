//! Issuing HS256 tokens for development and scripts (`ehcp token`).
use super::*;

// ---------------------------------------------------------------------------
// Issuing
// ---------------------------------------------------------------------------

#[derive(Serialize)]
pub(super) struct IssuedClaims<'a> {
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
