//! How `/graphql` speaks HTTP (the GraphQL over HTTP spec), CORS, request ids, metrics and
//! shutdown. The full spec audit runs in CI (tests/http-audit); these pin the key behaviours.
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::Duration;
use ehcp::config::{ServeSettings, Settings};
use ehcp::domain::access::Role;
use ehcp::startup::Application;
use serde_json::{Value, json};

use crate::common::{SECRET, TestApp};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

fn post(token: Option<&str>, accept: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(accept) = accept {
        builder = builder.header(header::ACCEPT, accept);
    }
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::from(body.to_owned())).expect("request")
}

fn get(token: &str, query: &str) -> Request<Body> {
    let query: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    Request::get(format!("/graphql?query={query}"))
        .header(header::ACCEPT, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request")
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn json_body(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[tokio::test]
async fn typename_answers_an_authenticated_user_in_the_negotiated_media_type() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, "admin", None);
    for (accept, expected) in [
        (Some(GRAPHQL_RESPONSE_JSON), GRAPHQL_RESPONSE_JSON),
        (Some("application/json"), "application/json"),
        (Some("*/*"), "application/json"),
        (None, "application/json"),
    ] {
        let (status, headers, body) = app
            .raw(post(Some(&admin), accept, r#"{"query": "{ __typename }"}"#))
            .await;
        assert_eq!(status, StatusCode::OK, "{accept:?}");
        assert!(
            content_type(&headers).starts_with(expected),
            "{accept:?}: {}",
            content_type(&headers)
        );
        assert_eq!(json_body(&body), json!({"data": {"__typename": "Query"}}));
    }
}

#[tokio::test]
async fn a_mutation_over_get_is_refused_with_405_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, "admin", None);
    let (status, headers, body) = app
        .raw(get(
            &admin,
            "mutation { createLocalAuthority(code: \"909\", name: \"Cumbria\") { id } }",
        ))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert_eq!(headers[header::ALLOW], "POST");
    let body = json_body(&body);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    assert!(body.get("data").is_none(), "{body}");
    let data = app
        .ok(&admin, "{ localAuthorities { code } }", json!({}))
        .await;
    assert_eq!(data["localAuthorities"], json!([]));
}

#[tokio::test]
async fn a_query_over_get_runs() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, "admin", None);
    let (status, _, body) = app.raw(get(&admin, "{ me { role } }")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json_body(&body), json!({"data": {"me": {"role": "ADMIN"}}}));
}

#[tokio::test]
async fn request_errors_are_400_under_graphql_response_json_and_200_under_json_without_data() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, "admin", None);
    let documents = [
        ("parse failure", r#"{"query": "{"}"#),
        ("validation failure", r#"{"query": "{ noSuchField }"}"#),
        (
            "variable coercion failure",
            r#"{"query": "query($id: ID!) { child(id: $id) { id } }", "variables": {"id": null}}"#,
        ),
        (
            "a subscription over POST",
            r#"{"query": "subscription { caseChanged { childId } }"}"#,
        ),
    ];
    for (what, document) in documents {
        for (accept, expected) in [
            (GRAPHQL_RESPONSE_JSON, StatusCode::BAD_REQUEST),
            ("application/json", StatusCode::OK),
        ] {
            let (status, headers, body) = app.raw(post(Some(&admin), Some(accept), document)).await;
            assert_eq!(status, expected, "{what} under {accept}: {body}");
            assert!(content_type(&headers).starts_with(accept), "{what}");
            let body = json_body(&body);
            assert!(body.get("data").is_none(), "{what}: no data entry: {body}");
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
                "{what}"
            );
        }
    }
}

#[tokio::test]
async fn a_query_whose_every_root_field_is_skipped_runs_and_answers_null_data() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, "admin", None);
    let document = r#"{"query": "query($x: Boolean!) { me @include(if: $x) { role } }", "variables": {"x": false}}"#;
    for accept in [GRAPHQL_RESPONSE_JSON, "application/json"] {
        let (status, _, body) = app.raw(post(Some(&admin), Some(accept), document)).await;
        assert_eq!(status, StatusCode::OK, "under {accept}: {body}");
        let body = json_body(&body);
        assert!(body.get("errors").is_none(), "no errors: {body}");
        assert!(body["data"].is_null(), "{body}");
    }
}

#[tokio::test]
async fn field_errors_keep_200_and_the_data_entry() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, "admin", None);
    let (status, _, body) = app
        .raw(post(
            Some(&admin),
            Some(GRAPHQL_RESPONSE_JSON),
            r#"{"query": "mutation { createLocalAuthority(code: \"9\", name: \"\") { id } }"}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let body = json_body(&body);
    assert!(body.get("data").is_some(), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");
}

#[tokio::test]
async fn malformed_http_requests_are_refused_before_graphql() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, "admin", None);
    let no_content_type = Request::post("/graphql")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .body(Body::from(r#"{"query": "{ __typename }"}"#))
        .expect("request");
    let (status, _, _) = app.raw(no_content_type).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let plain_text = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(r#"{"query": "{ __typename }"}"#))
        .expect("request");
    assert_eq!(
        app.raw(plain_text).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    for body in [
        r#"{ "not a JSON"#,
        r#"{"qeury": "{ __typename }"}"#,
        r#"{"query": 1}"#,
        r#"{"query": "{ __typename }", "variables": "x"}"#,
        r#"[{"query": "{ __typename }"}]"#,
    ] {
        let (status, headers, text) = app
            .raw(post(Some(&admin), Some(GRAPHQL_RESPONSE_JSON), body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(content_type(&headers).starts_with(GRAPHQL_RESPONSE_JSON));
        assert_eq!(
            json_body(&text)["errors"][0]["extensions"]["code"],
            "BAD_REQUEST"
        );
    }

    let (status, _, _) = app
        .raw(post(
            Some(&admin),
            Some("text/csv"),
            r#"{"query": "{ __typename }"}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn a_bad_token_is_still_401_unauthenticated_in_either_media_type() {
    let app = TestApp::spawn().await;
    for accept in [GRAPHQL_RESPONSE_JSON, "application/json"] {
        let (status, headers, body) = app
            .raw(post(
                Some("not.a.jwt"),
                Some(accept),
                r#"{"query": "{ __typename }"}"#,
            ))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{accept}");
        assert!(content_type(&headers).starts_with(accept));
        assert_eq!(
            json_body(&body)["errors"][0]["extensions"]["code"],
            "UNAUTHENTICATED"
        );
    }
}

fn preflight(origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/graphql")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization, content-type",
        )
        .body(Body::empty())
        .expect("request")
}

async fn app_with_cors() -> TestApp {
    TestApp::spawn_with(ServeSettings {
        cors_origins: vec![
            "https://send.example.gov.uk".into(),
            "http://localhost:5173".into(),
        ],
        cors_max_age: std::time::Duration::from_secs(600),
        ..ServeSettings::default()
    })
    .await
}

#[tokio::test]
async fn a_listed_origin_gets_a_cached_cors_grant_without_credentials() {
    let app = app_with_cors().await;
    let (status, headers, _) = app.raw(preflight("https://send.example.gov.uk")).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://send.example.gov.uk"
    );
    assert_eq!(headers[header::ACCESS_CONTROL_MAX_AGE], "600");
    let allowed_headers = headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .expect("text");
    assert!(
        allowed_headers.contains("authorization"),
        "{allowed_headers}"
    );
    assert!(
        headers
            .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .is_none()
    );

    let admin = app.token(Role::Admin, "admin", None);
    let mut request = post(Some(&admin), None, r#"{"query": "{ __typename }"}"#);
    request.headers_mut().insert(
        header::ORIGIN,
        "http://localhost:5173".parse().expect("origin"),
    );
    let (status, headers, _) = app.raw(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://localhost:5173"
    );
    assert_eq!(
        headers[header::ACCESS_CONTROL_EXPOSE_HEADERS],
        "x-request-id"
    );
}

#[tokio::test]
async fn an_unlisted_origin_gets_no_cors_grant() {
    let app = app_with_cors().await;
    for origin in [
        "https://evil.example",
        "https://send.example.gov.uk.evil.example",
        "http://send.example.gov.uk",
    ] {
        let (_, headers, _) = app.raw(preflight(origin)).await;
        assert!(
            headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
            "{origin}"
        );
        let mut request = post(None, None, r#"{"query": "{ __typename }"}"#);
        request
            .headers_mut()
            .insert(header::ORIGIN, origin.parse().expect("origin"));
        let (_, headers, _) = app.raw(request).await;
        assert!(
            headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
            "{origin}"
        );
    }
}

#[tokio::test]
async fn no_origin_gets_a_cors_grant_by_default() {
    let app = TestApp::spawn().await;
    let (_, headers, _) = app.raw(preflight("https://send.example.gov.uk")).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn the_request_id_is_returned_as_given_or_generated() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, "admin", None);
    let mut request = post(Some(&admin), None, r#"{"query": "{ me { role } }"}"#);
    request
        .headers_mut()
        .insert("x-request-id", "lb-7f3a2c:req-42".parse().expect("header"));
    let (_, headers, _) = app.raw(request).await;
    assert_eq!(headers["x-request-id"], "lb-7f3a2c:req-42");

    let (_, headers, _) = app
        .raw(
            Request::get("/healthz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let generated = headers["x-request-id"].to_str().expect("text");
    assert!(uuid_like(generated), "{generated}");

    // An id that could forge or flood log lines is replaced, not echoed.
    let mut request = post(Some(&admin), None, r#"{"query": "{ me { role } }"}"#);
    request
        .headers_mut()
        .insert("x-request-id", "x\" role=admin".parse().expect("header"));
    let (_, headers, _) = app.raw(request).await;
    let replaced = headers["x-request-id"].to_str().expect("text");
    assert!(uuid_like(replaced), "{replaced}");
}

fn uuid_like(id: &str) -> bool {
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    groups == [8, 4, 4, 4, 12] && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[tokio::test]
async fn metrics_are_not_served_unless_enabled() {
    let app = TestApp::spawn().await;
    let (status, _, _) = app
        .raw(
            Request::get("/metrics")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn scrape(app: &TestApp) -> String {
    let (status, headers, text) = app
        .raw(
            Request::get("/metrics")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(content_type(&headers).starts_with("text/plain"));
    text
}

/// The value of the sample whose name and labels are exactly `series`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn a_scrape_after_traffic_shows_requests_pool_and_overdue_deadlines() {
    let app = TestApp::spawn_with(ServeSettings {
        metrics: true,
        ..ServeSettings::default()
    })
    .await;
    let fx = app.with_local_authority().await;
    let child = app.create_child(&fx, "Ada Lovelace", "2016-03-01").await;
    // Received ten weeks ago with no decision: the six-week decision is overdue (reg 5(1)).
    let received_on = (crate::common::today() - Duration::weeks(10)).to_string();
    let data = app
        .ok(
            &fx.caseworker,
            "mutation Open($input: RequestAssessmentInput!) { requestAssessment(input: $input) { deadlines { kind status } } }",
            json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": received_on}}),
        )
        .await;
    let decision = data["requestAssessment"]["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["kind"] == "DECISION_TO_ASSESS")
        .expect("decision deadline")
        .clone();
    assert_eq!(decision["status"], "OVERDUE");
    for _ in 0..2 {
        app.ok(&fx.caseworker, "query Who { me { role } }", json!({}))
            .await;
    }
    app.raw(post(Some(&fx.caseworker), None, r#"{"query": "{"}"#))
        .await;

    let text = scrape(&app).await;
    assert_eq!(
        sample(
            &text,
            r#"ehcp_graphql_requests_total{operation="Who",outcome="ok",type="query"}"#
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"ehcp_graphql_requests_total{operation="Open",outcome="ok",type="mutation"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"ehcp_graphql_requests_total{operation="anonymous",outcome="request_error",type="unknown"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"ehcp_graphql_request_duration_seconds_count{operation="Who"}"#
        ),
        Some(2.0)
    );
    assert!(
        sample(
            &text,
            r#"ehcp_http_requests_total{method="POST",route="/graphql",status="200"}"#
        )
        .is_some_and(|n| n >= 6.0),
        "{text}"
    );
    assert!(sample(&text, "ehcp_db_pool_max_connections").is_some_and(|n| n >= 1.0));
    // Which release answers, and the process itself under the standard names.
    let build = format!(
        r#"ehcp_build_info{{version="{}"}}"#,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(sample(&text, &build), Some(1.0), "{text}");
    assert!(
        sample(&text, "process_resident_memory_bytes").is_some_and(|n| n > 1e6),
        "{text}"
    );
    assert!(
        sample(&text, "process_open_fds").is_some_and(|n| n >= 3.0),
        "{text}"
    );
    assert!(
        sample(&text, "process_cpu_seconds_total").is_some(),
        "{text}"
    );
    assert!(text.contains(r#"ehcp_db_pool_connections{state="in_use"}"#));
    assert_eq!(
        sample(
            &text,
            r#"ehcp_overdue_open_deadlines{deadline="decision_to_assess",la="909",process="needs_assessment"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"ehcp_overdue_open_deadlines{deadline="final_plan",la="909",process="needs_assessment"}"#
        ),
        None,
        "the 20 weeks have not passed: {text}"
    );
}

/// The real server on real sockets: request id over the wire, metrics on their own address,
/// and a clean stop. SQLite whatever DATABASE_URL says: this is about HTTP, not storage.
#[tokio::test]
async fn the_server_serves_metrics_on_its_own_address_and_stops_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::for_database(format!(
        "sqlite://{}/serve.db?mode=rwc",
        dir.path().display()
    ));
    settings.jwt_secret = Some(SECRET.into());
    let serve = ServeSettings {
        bind: "127.0.0.1:0".parse().expect("address"),
        metrics_bind: Some("127.0.0.1:0".parse().expect("address")),
        ..ServeSettings::default()
    };
    let app = Application::build(&settings, &serve).await.expect("build");
    let address = app.local_addr().expect("address");
    let metrics_address = app.metrics_addr().expect("metrics address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::new();
    let response = client
        .post(format!("http://{address}/graphql"))
        .header("x-request-id", "audit-1")
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .expect("graphql answers");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "audit-1");

    // Not on the main address unless EHCP_METRICS is set; on the metrics address, yes.
    let main = client
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .expect("answers");
    assert_eq!(main.status(), reqwest::StatusCode::NOT_FOUND);
    let text = client
        .get(format!("http://{metrics_address}/metrics"))
        .send()
        .await
        .expect("metrics answer")
        .text()
        .await
        .expect("text");
    assert_eq!(
        sample(
            &text,
            r#"ehcp_graphql_requests_total{operation="anonymous",outcome="ok",type="query"}"#
        ),
        Some(1.0),
        "{text}"
    );
    let graphql_on_metrics = client
        .post(format!("http://{metrics_address}/graphql"))
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(graphql_on_metrics.status(), reqwest::StatusCode::NOT_FOUND);

    stop.send(()).expect("server running");
    server.await.expect("joined").expect("stopped cleanly");
    assert!(
        tokio::net::TcpStream::connect(address).await.is_err(),
        "the listener is closed"
    );
}

fn browser_get(path: &str) -> Request<Body> {
    Request::get(path)
        .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn graphiql_comes_from_the_server_itself_with_nothing_fetched_elsewhere() {
    let app = TestApp::spawn().await;
    let (status, headers, page) = app.raw(browser_get("/graphql")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), "text/html; charset=utf-8");
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    // No CDN, no font service: every file the page names is one of the server's.
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    let files: Vec<&str> = page
        .split(['"', '\''])
        .filter(|s| s.starts_with("/graphiql/"))
        .collect();
    assert_eq!(files.len(), 5, "{files:?}");
    for file in files {
        let (status, headers, body) = app.raw(browser_get(file)).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        let expected = if file.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        assert_eq!(content_type(&headers), expected, "{file}");
        assert!(body.len() > 500, "{file}: {} bytes", body.len());
        // Revalidation: the same file again is 304 with no body.
        let etag = headers[header::ETAG].clone();
        let again = Request::get(file)
            .header(header::IF_NONE_MATCH, etag)
            .body(Body::empty())
            .expect("request");
        let (status, _, body) = app.raw(again).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{file}");
        assert!(body.is_empty());
    }
    // Only those files: not the folder's README, update script or a source map.
    for other in [
        "/graphiql/README.md",
        "/graphiql/update.sh",
        "/graphiql/index.umd.js.map",
        "/graphiql/..%2FCargo.toml",
    ] {
        let (status, _, _) = app.raw(browser_get(other)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{other}");
    }
    // Compressed when the browser accepts it.
    let gz = Request::get("/graphiql/graphiql.min.js")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .expect("request");
    let (_, headers, _) = app.raw(gz).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn graphiql_turned_off_serves_neither_the_page_nor_its_files() {
    let app = TestApp::spawn_with(ServeSettings {
        graphiql: false,
        ..ServeSettings::default()
    })
    .await;
    for path in ["/graphql", "/graphiql/graphiql.min.js"] {
        let (status, _, _) = app.raw(browser_get(path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}
