//! The database down is not "signed out": while PostgreSQL cannot be reached, every request
//! that needs it is 503 `UNAVAILABLE` with `Retry-After` (never 401, never 500), `/readyz`
//! fails, and the API answers again once the database is back.
//!
//! The test starts a PostgreSQL server of its own (initdb in a temporary directory, on a free
//! port) and stops that one, never the shared server the rest of the suite uses. It needs
//! PostgreSQL's server programs; when they are missing and the test runs as root, it installs
//! Debian's `postgresql` package, as `.ci/run` does.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ehcp::config::ServeSettings;
use serde_json::json;

use crate::common::{TestApp, error_code};

/// The directory with `initdb` and `pg_ctl`, installing PostgreSQL if it must.
fn postgres_bin() -> PathBuf {
    let find = || {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|bin| bin.join("pg_ctl").exists() && bin.join("initdb").exists())
            .collect();
        found.sort();
        found.pop()
    };
    if let Some(bin) = find() {
        return bin;
    }
    if is_root() {
        let status = Command::new("sh")
            .args([
                "-c",
                "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
                 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)",
            ])
            .status()
            .expect("run apt-get");
        assert!(status.success(), "could not install postgresql");
    }
    find().expect(
        "PostgreSQL's server programs (initdb, pg_ctl) are needed: install the postgresql package",
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user.
fn pg(bin: &Path, program: &str, args: &[&str]) -> std::process::Output {
    let program = bin.join(program);
    let output = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&program)
            .args(args)
            .output()
    } else {
        Command::new(&program).args(args).output()
    }
    .expect("run a PostgreSQL program");
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}{}",
        program.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A PostgreSQL server of the test's own, stopped when dropped.
struct OwnPostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl OwnPostgres {
    fn start() -> Self {
        let bin = postgres_bin();
        let dir = tempfile::Builder::new()
            .prefix("ehcp-outage-")
            .tempdir()
            .expect("tempdir");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success());
        }
        let data = dir.path().join("data");
        pg(
            &bin,
            "initdb",
            &[
                "-D",
                data.to_str().expect("path"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let server = Self {
            bin,
            data,
            port,
            _dir: dir,
        };
        server.run();
        server
    }

    fn run(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.data.display()
        );
        let log = self.data.join("server.log");
        pg(
            &self.bin,
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().expect("path"),
                "-o",
                &options,
                "-l",
                log.to_str().expect("path"),
                "-w",
                "start",
            ],
        );
    }

    fn stop(&self) {
        pg(
            &self.bin,
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().expect("path"),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = Command::new(if is_root() { "runuser" } else { "true" })
            .args(if is_root() {
                vec!["-u", "postgres", "--"]
            } else {
                vec![]
            })
            .arg(self.bin.join("pg_ctl"))
            .args([
                "-D",
                self.data.to_str().unwrap_or_default(),
                "-m",
                "immediate",
                "stop",
            ])
            .output();
    }
}

const ME: &str = "{ me { subject role } }";

async fn readyz(app: &TestApp) -> StatusCode {
    let request = Request::get("/readyz")
        .body(Body::empty())
        .expect("request");
    app.request(request).await.0
}

#[tokio::test]
async fn while_the_database_is_down_requests_are_503_unavailable_and_recover() {
    let server = OwnPostgres::start();
    let db = ehcp::store::connect(&server.url(), None)
        .await
        .expect("connect to the test's own PostgreSQL");
    ehcp::store::migrate(&db).await.expect("migrate");
    let app = TestApp::on_database(
        db,
        None,
        ServeSettings::default(),
        ehcp::clock::Clock::system(),
    )
    .await;
    let admin = app.admin_token();
    app.ok(&admin, ME, json!({})).await;
    assert_eq!(readyz(&app).await, StatusCode::OK);

    server.stop();
    // Signed-in requests of every kind: a query, a list, a mutation.
    let requests = [
        ME,
        "{ localAuthorities { code } }",
        "mutation { createLocalAuthority(code: \"901\", name: \"Down\") { id } }",
    ];
    let started = Instant::now();
    for round in 0..5 {
        for query in requests {
            let request = Request::post("/graphql")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .body(Body::from(json!({"query": query}).to_string()))
                .expect("request");
            let (status, headers, body) = app.raw(request).await;
            assert_eq!(
                status,
                StatusCode::SERVICE_UNAVAILABLE,
                "round {round}, {query}: {body}"
            );
            let body: serde_json::Value = serde_json::from_str(&body).expect("JSON");
            assert_eq!(error_code(&body), "UNAVAILABLE", "{body}");
            assert!(body["data"].is_null(), "{body}");
            assert_eq!(
                headers
                    .get(header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok()),
                Some("5"),
                "{query}"
            );
        }
    }
    println!(
        "15 requests during the outage answered in {:.1?}",
        started.elapsed()
    );
    assert_eq!(readyz(&app).await, StatusCode::SERVICE_UNAVAILABLE);
    // A request without a token needs no database: still told to sign in.
    let (status, body) = app.gql(None, ME, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    server.run();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = app.gql(Some(&admin), ME, json!({})).await;
        if status == StatusCode::OK {
            assert_eq!(body["data"]["me"]["role"], "ADMIN", "{body}");
            break;
        }
        assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "while recovering: {body}"
        );
        assert!(Instant::now() < deadline, "the API did not recover: {body}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(readyz(&app).await, StatusCode::OK);
    // The mutation refused during the outage changed nothing.
    let data = app
        .ok(&admin, "{ localAuthorities { code } }", json!({}))
        .await;
    assert_eq!(data["localAuthorities"], json!([]));
}
