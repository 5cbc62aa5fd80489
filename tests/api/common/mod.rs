//! The test harness: an isolated database per test and the real router driven in-process.
#![allow(dead_code)]

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{DateTime, Utc};
use ehcp::api::token::{KeySource, Secret, TokenConfig, TokenVerifier, issue_hs256};
use ehcp::clock::Clock;
use ehcp::config::ServeSettings;
use ehcp::domain::access::Role;
use ehcp::startup::app_router_with_clock;
use ehcp::store;
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const SECRET: &str = "test-secret-that-is-long-enough-for-hs256-signing";
pub const ISSUER: &str = "ehcp";
pub const AUDIENCE: &str = "ehcp";
/// The subject of the administrator every test app starts with.
pub const ADMIN: &str = "admin";

pub struct TestApp {
    pub router: axum::Router,
    pub db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
}

/// The database URL the suite runs against: DATABASE_URL, or a SQLite file per test.
pub fn database_url() -> Option<String> {
    std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty())
}

pub fn is_postgres() -> bool {
    database_url().is_some_and(|u| u.starts_with("postgres"))
}

fn unique_name() -> String {
    use rand::Rng;
    format!("t_{:016x}", rand::rng().random::<u64>())
}

/// Connects as the server does, retrying a few times: with a hundred tests starting at once
/// on two cores, opening a fresh database can outlast the pool's 3-second acquire timeout (the
/// server's, kept short on purpose), which is the machine being busy, not a defect to report.
async fn connect_patiently(url: &str, schema: Option<&str>) -> anyhow::Result<DatabaseConnection> {
    let mut attempt = 1;
    loop {
        match store::connect(url, schema).await {
            Ok(db) => return Ok(db),
            Err(e) if attempt < 5 => {
                eprintln!("connect attempt {attempt} to a test database failed: {e:#}; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A migrated, empty database of its own.
pub async fn isolated_database() -> (DatabaseConnection, Option<tempfile::TempDir>) {
    match database_url() {
        Some(url) if url.starts_with("postgres") => {
            let admin = store::connect(&url, None)
                .await
                .expect("connect to PostgreSQL");
            let schema = unique_name();
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("create schema");
            admin.close().await.ok();
            let db = connect_patiently(&url, Some(&schema))
                .await
                .expect("connect to schema");
            store::migrate(&db).await.expect("migrate");
            (db, None)
        }
        Some(url) if !url.starts_with("sqlite") => {
            panic!("DATABASE_URL must be sqlite:... or postgres://..., got {url}")
        }
        _ => {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
            let db = connect_patiently(&url, None)
                .await
                .expect("connect to SQLite");
            store::migrate(&db).await.expect("migrate");
            (db, Some(dir))
        }
    }
}

pub fn secret() -> Secret {
    Secret::new(SECRET.as_bytes().to_vec()).expect("secret")
}

pub fn token_config() -> TokenConfig {
    TokenConfig::new(KeySource::Hs256 { secret: secret() }, ISSUER, AUDIENCE)
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(ServeSettings::default()).await
    }

    pub async fn spawn_with(serve: ServeSettings) -> Self {
        let (db, dir) = isolated_database().await;
        Self::on_database(db, dir, serve, Clock::system()).await
    }

    /// An app whose clock always reads `at`: "today" is England's date at that instant.
    pub async fn spawn_at(at: DateTime<Utc>) -> Self {
        let (db, dir) = isolated_database().await;
        Self::on_database(db, dir, ServeSettings::default(), Clock::fixed(at)).await
    }

    /// The app on a migrated database the caller made (a server of the test's own, say).
    pub async fn on_database(
        db: DatabaseConnection,
        dir: Option<tempfile::TempDir>,
        serve: ServeSettings,
        clock: Clock,
    ) -> Self {
        let app = Self::on_database_as_is(db, dir, serve, clock).await;
        let db = &app.db;
        // The first administrator, as `ehcp admin add` makes it on a new installation.
        ehcp::service::administrators::add_from_command_line(
            db,
            ehcp::service::administrators::AdministratorInput {
                subject: ADMIN.to_owned(),
                name: "Test administrator".to_owned(),
                email: None,
            },
            Utc::now(),
        )
        .await
        .map_err(|e| e.describe())
        .expect("first administrator");
        app
    }

    /// The app on a database that already holds its records (a restored backup, say).
    pub async fn on_database_as_is(
        db: DatabaseConnection,
        dir: Option<tempfile::TempDir>,
        serve: ServeSettings,
        clock: Clock,
    ) -> Self {
        let verifier = TokenVerifier::new(token_config()).await.expect("verifier");
        let router = app_router_with_clock(db.clone(), verifier, &serve, clock).expect("router");
        Self {
            router,
            db,
            _dir: dir,
        }
    }

    /// The SQLite database's directory (none on PostgreSQL).
    pub fn dir_path(&self) -> Option<&std::path::Path> {
        self._dir.as_ref().map(|d| d.path())
    }

    /// The first administrator's token (every app has that record).
    pub fn admin_token(&self) -> String {
        self.token(Role::Admin, ADMIN, None)
    }

    /// Adds a staff member or professional in the local authority with the code (as an
    /// administrator would) and returns a token for them.
    pub async fn provision(&self, role: Role, subject: &str, la_code: &str) -> String {
        let admin = self.admin_token();
        let las = self
            .ok(&admin, "{ localAuthorities { id code } }", json!({}))
            .await;
        let la = las["localAuthorities"]
            .as_array()
            .expect("list")
            .iter()
            .find(|la| la["code"] == la_code)
            .unwrap_or_else(|| panic!("no local authority {la_code}"))["id"]
            .clone();
        match role {
            Role::Caseworker | Role::Manager => {
                let role = if role == Role::Manager {
                    "MANAGER"
                } else {
                    "CASEWORKER"
                };
                self.ok(
                    &admin,
                    "mutation($input: CreateStaffInput!) { createStaff(input: $input) { id } }",
                    json!({"input": {"localAuthorityId": la, "subject": subject, "name": format!("{subject} name"), "role": role}}),
                )
                .await;
            }
            Role::Professional => {
                self.ok(
                    &admin,
                    "mutation($input: CreateProfessionalInput!) { createProfessional(input: $input) { id } }",
                    json!({"input": {"localAuthorityId": la, "subject": subject, "name": format!("{subject} name"), "service": "EDUCATIONAL_PSYCHOLOGY", "organisation": "Psychology service"}}),
                )
                .await;
            }
            other => panic!("{other} records are not provisioned this way"),
        }
        self.token(role, subject, Some(la_code))
    }

    /// A valid token for this app.
    pub fn token(&self, role: Role, sub: &str, la: Option<&str>) -> String {
        issue_hs256(
            &secret(),
            ISSUER,
            AUDIENCE,
            sub,
            role,
            la,
            Duration::from_secs(3600),
            Utc::now(),
        )
        .expect("token")
    }

    pub async fn request(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, body)
    }

    /// Sends a request and keeps the headers; the body as text.
    pub async fn raw(&self, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// POSTs a GraphQL operation with an optional bearer token.
    pub async fn gql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (StatusCode, Value) {
        let mut builder =
            Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = json!({"query": query, "variables": variables}).to_string();
        self.request(builder.body(Body::from(body)).expect("request"))
            .await
    }

    /// Runs an operation that must succeed; returns `data`.
    pub async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self.gql(Some(token), query, variables).await;
        assert!(
            status == StatusCode::OK && body.get("errors").is_none(),
            "expected success, got {status}: {body:#}"
        );
        body["data"].clone()
    }

    /// Runs an operation that must fail; returns the first error's code.
    pub async fn error_code(&self, token: Option<&str>, query: &str, variables: Value) -> String {
        let (_, body) = self.gql(token, query, variables).await;
        error_code(&body)
    }

    /// Admin, one LA (909 Cumbria) with a locality and team, its manager (`mgr-909`) and a
    /// caseworker in the team (`cw-909`, named "cw-909 name"), with their tokens.
    pub async fn with_local_authority(&self) -> Fixture {
        let admin = self.admin_token();
        let la = self
            .ok(
                &admin,
                "mutation { createLocalAuthority(code: \"909\", name: \"Cumbria\") { id } }",
                json!({}),
            )
            .await["createLocalAuthority"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let manager_id = self
            .ok(
                &admin,
                "mutation($input: CreateStaffInput!) { createStaff(input: $input) { id } }",
                json!({"input": {"localAuthorityId": la, "subject": "mgr-909", "name": "mgr-909 name", "role": "MANAGER"}}),
            )
            .await["createStaff"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let manager = self.token(Role::Manager, "mgr-909", Some("909"));
        let locality = self
            .ok(
                &manager,
                "mutation { createLocality(name: \"Carlisle\") { id } }",
                json!({}),
            )
            .await["createLocality"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let team = self
            .ok(
                &manager,
                "mutation { createTeam(name: \"North SEN team\") { id } }",
                json!({}),
            )
            .await["createTeam"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let caseworker_id = self
            .ok(
                &manager,
                "mutation($input: CreateStaffInput!) { createStaff(input: $input) { id } }",
                json!({"input": {"subject": "cw-909", "name": "cw-909 name", "role": "CASEWORKER", "teamId": team}}),
            )
            .await["createStaff"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        Fixture {
            admin,
            manager,
            caseworker: self.token(Role::Caseworker, "cw-909", Some("909")),
            manager_id,
            caseworker_id,
            la,
            locality,
            team,
        }
    }

    /// Creates a child in the fixture's locality; returns its id.
    pub async fn create_child(&self, fx: &Fixture, name: &str, dob: &str) -> String {
        self.ok(
            &fx.caseworker,
            "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }",
            json!({"input": {"legalName": name, "dateOfBirth": dob, "localityId": fx.locality}}),
        )
        .await["createChild"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }
}

pub struct Fixture {
    pub admin: String,
    pub manager: String,
    pub caseworker: String,
    /// The staff records behind `manager` and `caseworker`.
    pub manager_id: String,
    pub caseworker_id: String,
    pub la: String,
    pub locality: String,
    pub team: String,
}

pub fn error_code(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code, got {body:#}"))
        .to_owned()
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Today as the server counts it: the date in England (a day ahead of UTC's between 23:00
/// and midnight UTC in summer).
pub fn today() -> chrono::NaiveDate {
    ehcp::service::uk_date(Utc::now())
}

/// The last day of "the period of `n` months starting with" `d`, counted here independently
/// of the server: the day before the corresponding date, or the last day of a month without
/// one (31 January 2024 + 12 → 30 January 2025; 29 February 2024 + 12 → 28 February 2025).
pub fn months_starting_with(d: chrono::NaiveDate, n: u32) -> chrono::NaiveDate {
    use chrono::Datelike;
    let corresponding = d.checked_add_months(chrono::Months::new(n)).expect("date");
    if corresponding.day() == d.day() {
        corresponding - chrono::Duration::days(1)
    } else {
        corresponding
    }
}

/// The database row inside a global id, for a test that reaches into the tables.
pub fn row_id(id: &serde_json::Value) -> i64 {
    let text = id.as_str().expect("an id is a string");
    ehcp::api::graphql::Id::decode(&async_graphql::ID(text.to_owned()))
        .unwrap_or_else(|| panic!("{text} is not a global id of this API"))
        .1
}

/// The global id the API gives a row.
pub fn global_id(kind: ehcp::api::graphql::Kind, row: i64) -> String {
    ehcp::api::graphql::Id::of(kind, row).0
}

// ---------- live updates over graphql-transport-ws ----------

/// Serves the app on a port of its own (for WebSocket clients).
pub async fn serve(app: &TestApp) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn subscribe(
    addr: std::net::SocketAddr,
    token: Option<&str>,
    query: &str,
) -> Result<Socket, String> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{Message as Ws, client::IntoClientRequest};
    let mut request = format!("ws://{addr}/graphql")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, response) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    let init = match token {
        Some(t) => {
            json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {t}")}})
        }
        None => json!({"type": "connection_init", "payload": {}}),
    };
    ws.send(Ws::text(init.to_string())).await.unwrap();
    match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
        Ok(Some(Ok(Ws::Text(t)))) if t.contains("connection_ack") => {}
        other => return Err(format!("{other:?}")),
    }
    ws.send(Ws::text(
        json!({"id": "1", "type": "subscribe", "payload": {"query": query}}).to_string(),
    ))
    .await
    .unwrap();
    Ok(ws)
}

/// Waits for the server to start the streams just subscribed to. The protocol does not
/// acknowledge a subscribe: the server takes a stream's cursor ("from now on") when it reads
/// the message, and a change committed before then is, rightly, not in the stream. The server
/// runs on the test's own runtime, so it only gets there while the test waits.
pub async fn let_subscriptions_start() {
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// The `next` payloads that arrive within `wait`.
pub async fn events(ws: &mut Socket, wait: Duration) -> Vec<Value> {
    use futures_util::StreamExt;
    let mut out = Vec::new();
    let until = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(until, ws.next()).await {
        if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] == "next" {
                out.push(v["payload"].clone());
            }
        }
    }
    out
}

/// The database URL an `ehcp` process started by a test uses to reach the test's database
/// (its PostgreSQL schema, or its SQLite file).
pub async fn process_url(db: &DatabaseConnection, app_dir: Option<&std::path::Path>) -> String {
    if is_postgres() {
        let schema: String = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT current_schema()",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index(0)
            .unwrap();
        let base = database_url().unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}options=-c%20search_path%3D{schema}")
    } else {
        format!("sqlite://{}/test.db?mode=rwc", app_dir.unwrap().display())
    }
}
