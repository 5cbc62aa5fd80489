//! Sign-in: every refused token gets HTTP 401 and UNAUTHENTICATED.
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use ehcp::api::token::{Secret, issue_hs256};
use ehcp::domain::access::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::common::{AUDIENCE, ISSUER, SECRET, TestApp, error_code};

const ME: &str = "{ me { subject role } }";

fn sign(header: Header, claims: Value, secret: &[u8]) -> String {
    encode(&header, &claims, &EncodingKey::from_secret(secret)).expect("sign")
}

fn claims(overrides: Value) -> Value {
    let now = Utc::now().timestamp();
    let mut c = json!({
        "sub": "admin", "role": "admin", "iss": ISSUER, "aud": AUDIENCE,
        "iat": now, "exp": now + 600
    });
    for (k, v) in overrides.as_object().expect("object") {
        if v.is_null() {
            c.as_object_mut().expect("object").remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

fn hs256(overrides: Value) -> String {
    sign(
        Header::new(Algorithm::HS256),
        claims(overrides),
        SECRET.as_bytes(),
    )
}

async fn assert_refused(app: &TestApp, authorization: &str, why: &str) {
    use axum::body::Body;
    use axum::http::{Request, header};
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, authorization)
        .body(Body::from(json!({"query": ME}).to_string()))
        .expect("request");
    let (status, body) = app.request(request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{why}: {body}");
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{why}");
    assert!(body["data"].is_null(), "{why}: no data may leak");
}

#[tokio::test]
async fn a_valid_token_signs_in() {
    let app = TestApp::spawn().await;
    let data = app.ok(&hs256(json!({})), ME, json!({})).await;
    assert_eq!(data["me"], json!({"subject": "admin", "role": "ADMIN"}));
}

#[tokio::test]
async fn every_kind_of_bad_token_is_refused_with_401() {
    let app = TestApp::spawn().await;
    let now = Utc::now().timestamp();
    let none_token = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims(json!({})).to_string())
    );
    let cases: Vec<(String, &str)> = vec![
        ("Basic YWRtaW46YWRtaW4=".into(), "not a bearer token"),
        ("Bearer".into(), "empty bearer"),
        ("Bearer not.a.jwt".into(), "malformed token"),
        (
            format!(
                "Bearer {}",
                sign(
                    Header::new(Algorithm::HS256),
                    claims(json!({})),
                    b"another-secret-that-is-long-enough-to-sign"
                )
            ),
            "bad signature",
        ),
        (format!("Bearer {none_token}"), "alg none"),
        (
            format!(
                "Bearer {}",
                sign(
                    Header::new(Algorithm::HS512),
                    claims(json!({})),
                    SECRET.as_bytes()
                )
            ),
            "another algorithm than configured",
        ),
        (
            format!(
                "Bearer {}",
                hs256(json!({"exp": now - 3600, "iat": now - 7200}))
            ),
            "expired",
        ),
        (
            format!("Bearer {}", hs256(json!({"nbf": now + 3600}))),
            "nbf in the future",
        ),
        (
            format!("Bearer {}", hs256(json!({"iat": now + 3600}))),
            "iat in the future",
        ),
        (
            format!("Bearer {}", hs256(json!({"iss": "someone-else"}))),
            "wrong issuer",
        ),
        (
            format!("Bearer {}", hs256(json!({"aud": "another-api"}))),
            "wrong audience",
        ),
        (
            format!("Bearer {}", hs256(json!({"exp": null}))),
            "missing exp",
        ),
        (
            format!("Bearer {}", hs256(json!({"iss": null}))),
            "missing iss",
        ),
        (
            format!("Bearer {}", hs256(json!({"aud": null}))),
            "missing aud",
        ),
        (
            format!("Bearer {}", hs256(json!({"sub": null}))),
            "missing sub",
        ),
        (
            format!("Bearer {}", hs256(json!({"role": "superuser"}))),
            "unknown role",
        ),
        (
            format!(
                "Bearer {}",
                hs256(json!({"role": "caseworker", "la": "999"}))
            ),
            "unknown local authority",
        ),
        (
            format!("Bearer {}", hs256(json!({"role": "caseworker"}))),
            "staff without a local authority",
        ),
    ];
    for (authorization, why) in cases {
        assert_refused(&app, &authorization, why).await;
    }
}

#[tokio::test]
async fn rs256_token_is_refused_when_hs256_is_configured() {
    // HS/RS confusion the other way round: an RS-signed token is never accepted here.
    let app = TestApp::spawn().await;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("k1".into());
    let body = URL_SAFE_NO_PAD.encode(claims(json!({})).to_string());
    let head = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("header"));
    let token = format!("{head}.{body}.{}", URL_SAFE_NO_PAD.encode(b"signature"));
    assert_refused(&app, &format!("Bearer {token}"), "RS256 in HS256 mode").await;
}

#[tokio::test]
async fn without_a_token_every_field_is_unauthenticated() {
    let app = TestApp::spawn().await;
    for query in [
        "{ me { subject } }",
        "{ localAuthorities { id } }",
        "{ children(first: 5) { edges { node { id } } } }",
        "{ auditEvents { edges { node { id } } } }",
        "mutation { createLocalAuthority(code: \"909\", name: \"Cumbria\") { id } }",
    ] {
        let (status, body) = app.gql(None, query, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{query}");
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{query}");
    }
}

#[tokio::test]
async fn tokens_from_the_cli_signer_verify_here() {
    let app = TestApp::spawn().await;
    let token = issue_hs256(
        &Secret::new(SECRET.as_bytes().to_vec()).expect("secret"),
        ISSUER,
        AUDIENCE,
        "p-1",
        Role::Parent,
        None,
        std::time::Duration::from_secs(60),
        Utc::now(),
    )
    .expect("token");
    let data = app.ok(&token, "{ me { role linked } }", json!({})).await;
    assert_eq!(data["me"], json!({"role": "PARENT", "linked": false}));
}
