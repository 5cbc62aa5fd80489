//! The verifier's and issuer's tests: every refusal, both key modes, JWKS refetching.
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
    let header_only_json = format!("{}.{}.{}", b64(&serde_json::json!([1])), parts[1], parts[2]);
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
    let enc = serde_json::json!({"kty": "RSA", "kid": "enc", "use": "enc", "n": RSA_N, "e": RSA_E});
    let short_n = URL_SAFE_NO_PAD.encode([0xC3u8; 128]);
    let short = serde_json::json!({"kty": "RSA", "kid": "short", "n": short_n, "e": RSA_E});
    let ps = serde_json::json!({"kty": "RSA", "kid": "ps", "alg": "PS256", "n": RSA_N, "e": RSA_E});
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
