//! The system speaks first (issue 18): notices written with the change that causes them,
//! delivered by the worker over a real SMTP server (aiosmtpd, started here), a local stand-in
//! of GOV.UK Notify's documented API, and signed webhooks; retries, dead letters, two worker
//! processes, a worker killed mid-delivery, preferences, reminders, digests and live updates.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child as Process, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use ehcp::config::DeliverySettings;
use ehcp::domain::access::Role;
use ehcp::outbound::worker::Worker;
use ehcp::store::entity::{delivery_attempt, message};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde_json::{Value, json};

use crate::common::{Fixture, TestApp};

// ---------- a real SMTP server ----------

/// aiosmtpd (a maintained SMTP server, from PyPI), installed once into the target directory
/// when the machine's Python does not have it.
fn aiosmtpd_path() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("aiosmtpd");
        let importable = |dir: &Path| {
            Command::new("python3")
                .args(["-c", "import aiosmtpd"])
                .env("PYTHONPATH", dir)
                .status()
                .is_ok_and(|s| s.success())
        };
        if !importable(&dir) {
            let status = Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--target",
                ])
                .arg(&dir)
                .arg("aiosmtpd==1.4.6")
                .status()
                .expect("python3 -m pip");
            assert!(
                status.success(),
                "cannot install aiosmtpd for the SMTP tests"
            );
        }
        dir
    })
    .clone()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// An SMTP server process writing what it receives to a maildir.
struct SmtpServer {
    process: Process,
    port: u16,
    maildir: tempfile::TempDir,
}

/// One email as the server stored it.
#[derive(Debug, Clone)]
struct Received {
    headers: BTreeMap<String, String>,
    body: String,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let path = aiosmtpd_path();
        let maildir = tempfile::tempdir().expect("maildir");
        let port = free_port();
        let process = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("box"))
            .env("PYTHONPATH", &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpServer {
            process,
            port,
            maildir,
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn received(&self) -> Vec<Received> {
        let dir = self.maildir.path().join("box").join("new");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let text = text.replace("\r\n", "\n");
            let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
            let mut headers = BTreeMap::new();
            let mut last: Option<String> = None;
            for line in head.lines() {
                if line.starts_with([' ', '\t']) {
                    if let Some(k) = &last {
                        headers
                            .entry(k.clone())
                            .and_modify(|v: &mut String| v.push_str(line.trim_start()));
                    }
                } else if let Some((k, v)) = line.split_once(':') {
                    let k = k.trim().to_ascii_lowercase();
                    headers.insert(k.clone(), v.trim().to_owned());
                    last = Some(k);
                }
            }
            out.push(Received {
                headers,
                body: decode_quoted_printable(body),
            });
        }
        out
    }

    fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n || started.elapsed() > Duration::from_secs(30) {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Enough of quoted-printable for the plain-text bodies lettre writes.
fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------- the case ----------

fn settings() -> DeliverySettings {
    DeliverySettings {
        portal_url: Some("https://portal.example.gov.uk/".into()),
        retry_base: Duration::ZERO,
        ..DeliverySettings::default()
    }
}

async fn deliver_all(worker: &Worker) -> usize {
    let mut sent = 0;
    loop {
        let pass = worker.deliver_once().await.expect("deliver");
        sent += pass.sent;
        if pass.claimed == 0 {
            return sent;
        }
    }
}

/// A child with two linked parents (one by email, one by phone) and an assessment decided;
/// returns (child, assessment id, version, parent tokens).
struct Family {
    child: String,
    assessment: String,
    version: i64,
    parent: String,
    parent_id: String,
}

async fn family(app: &TestApp, fx: &Fixture, name: &str, tag: &str) -> Family {
    let child = app.create_child(fx, name, "2016-03-01").await;
    let mut parent_id = String::new();
    for (i, (parent, email, phone)) in [
        (
            format!("{name} Mum"),
            Some(format!("mum.{tag}@example.org")),
            None,
        ),
        (format!("{name} Dad"), None, Some("07700 900123".to_owned())),
    ]
    .into_iter()
    .enumerate()
    {
        let made = app
            .ok(
                &fx.caseworker,
                "mutation($input: CreateParentInput!) { createParent(input: $input) { id } }",
                json!({"input": {"name": parent, "subject": format!("parent-{tag}-{i}"), "email": email, "phone": phone}}),
            )
            .await;
        let id = made["createParent"]["id"].as_str().unwrap().to_owned();
        app.ok(
            &fx.caseworker,
            "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p, relationship: \"parent\") { id } }",
            json!({"c": child, "p": id}),
        )
        .await;
        if i == 0 {
            parent_id = id;
        }
    }
    let requested = app
        .ok(
            &fx.caseworker,
            "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }",
            json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": crate::common::today().to_string()}}),
        )
        .await;
    let assessment = requested["requestAssessment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let decided = app
        .ok(
            &fx.caseworker,
            "mutation($input: DecisionInput!) { decideToAssess(input: $input) { version } }",
            json!({"input": {"assessmentId": assessment, "version": requested["requestAssessment"]["version"]}}),
        )
        .await;
    Family {
        child,
        assessment,
        version: decided["decideToAssess"]["version"].as_i64().unwrap(),
        parent: app.token(Role::Parent, &format!("parent-{tag}-0"), None),
        parent_id,
    }
}

async fn send_draft(app: &TestApp, fx: &Fixture, f: &mut Family) {
    let sent = app
        .ok(
            &fx.caseworker,
            "mutation($input: ActionInput!) { sendDraftPlan(input: $input) { version } }",
            json!({"input": {"assessmentId": f.assessment, "version": f.version}}),
        )
        .await;
    f.version = sent["sendDraftPlan"]["version"].as_i64().unwrap();
}

const MESSAGE: &str = "id event recipientKind recipientName channel address statutory subject body state attempts sentAt lastError deliveryAttempts { attempt outcome error providerReference }";

async fn my_messages(app: &TestApp, token: &str) -> Vec<Value> {
    let q = format!("{{ messages(first: 100) {{ edges {{ node {{ {MESSAGE} }} }} }} }}");
    app.ok(token, &q, json!({})).await["messages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn case_messages(app: &TestApp, token: &str, child: &str) -> Vec<Value> {
    let q = format!(
        "query($c: ID!) {{ caseMessages(childId: $c, first: 100) {{ edges {{ node {{ {MESSAGE} }} }} }} }}"
    );
    app.ok(token, &q, json!({"c": child})).await["caseMessages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn window_end() -> String {
    ehcp::domain::calendar::long_date(
        ehcp::domain::timescales::DeadlineKind::DraftComments.due_from(crate::common::today()),
    )
}

// ---------- tests ----------

#[tokio::test]
async fn a_draft_plan_sent_reaches_each_parent_by_email_over_a_real_smtp_server() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut f = family(&app, &fx, "Sam Draftwood", "draft").await;
    send_draft(&app, &fx, &mut f).await;

    // Written with the change: one notice per parent, by the channel each can be reached on.
    let sent = case_messages(&app, &fx.caseworker, &f.child).await;
    let drafts: Vec<&Value> = sent
        .iter()
        .filter(|m| m["event"] == "assessment.send_draft")
        .collect();
    assert_eq!(drafts.len(), 2, "{sent:#?}");
    let email = drafts
        .iter()
        .find(|m| m["channel"] == "EMAIL")
        .expect("email");
    assert_eq!(email["address"], "mum.draft@example.org");
    assert_eq!(email["state"], "QUEUED");
    assert_eq!(email["statutory"], true);
    let sms = drafts.iter().find(|m| m["channel"] == "SMS").expect("sms");
    assert_eq!(sms["recipientName"], "Sam Draftwood Dad");
    // The family's view: their own messages only, without the address.
    let mine = my_messages(&app, &f.parent).await;
    assert!(
        mine.iter()
            .all(|m| m["recipientName"] == "Sam Draftwood Mum"),
        "{mine:#?}"
    );
    let draft = mine
        .iter()
        .find(|m| m["event"] == "assessment.send_draft")
        .expect("the parent sees the draft notice");
    assert_eq!(draft["address"], Value::Null);
    assert_eq!(
        draft["subject"],
        "A draft EHC plan for Sam Draftwood has been sent to you"
    );
    assert!(
        draft["body"]
            .as_str()
            .unwrap()
            .contains(&format!("You have until {}", window_end()))
    );
    // The earlier steps told the family too.
    let events: BTreeSet<&str> = mine.iter().map(|m| m["event"].as_str().unwrap()).collect();
    assert!(
        events.contains("assessment.request") && events.contains("assessment.decide_to_assess"),
        "{events:?}"
    );

    let smtp = SmtpServer::start();
    let worker = Worker::new(
        app.db.clone(),
        &DeliverySettings {
            smtp_url: Some(smtp.url()),
            ..settings()
        },
    )
    .unwrap();
    deliver_all(&worker).await;
    let got = smtp.wait_for(3);
    let draft_mail = got
        .iter()
        .find(|r| {
            r.headers
                .get("subject")
                .is_some_and(|s| s.contains("draft EHC plan"))
        })
        .unwrap_or_else(|| panic!("no draft email in {got:#?}"));
    assert_eq!(draft_mail.headers["x-rcptto"], "mum.draft@example.org");
    assert_eq!(draft_mail.headers["from"], "\"SEND team\" <send@localhost>");
    assert!(
        draft_mail
            .body
            .contains(&format!("You have until {}", window_end())),
        "{}",
        draft_mail.body
    );
    assert!(
        draft_mail.body.contains("https://portal.example.gov.uk/"),
        "{}",
        draft_mail.body
    );
    let row = message::Entity::find()
        .filter(message::Column::Event.eq("assessment.send_draft"))
        .filter(message::Column::Channel.eq("EMAIL"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        draft_mail.headers["message-id"],
        ehcp::outbound::smtp::message_id(&row.idempotency_key)
    );
    // Delivered and recorded; the text message waits for a worker with Notify.
    let mine = my_messages(&app, &f.parent).await;
    let draft = mine
        .iter()
        .find(|m| m["event"] == "assessment.send_draft")
        .unwrap();
    assert_eq!(draft["state"], "SENT");
    assert_eq!(draft["deliveryAttempts"][0]["outcome"], "SENT");
    assert_eq!(
        draft["deliveryAttempts"][0]["providerReference"],
        Value::Null
    );
    let staff_view = case_messages(&app, &fx.caseworker, &f.child).await;
    let sms = staff_view
        .iter()
        .find(|m| m["event"] == "assessment.send_draft" && m["channel"] == "SMS")
        .unwrap();
    assert_eq!(sms["state"], "QUEUED");
    assert_eq!(sms["attempts"], 0);
}

#[tokio::test]
async fn a_rolled_back_change_sends_nothing_and_a_committed_one_sends_its_notice() {
    use ehcp::domain::access::{Actor, Scope};
    use ehcp::domain::audit::AuditAction;
    use ehcp::store::audit::{AuditEntry, record};
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let f = family(&app, &fx, "Rolly Back", "rollback").await;
    let child = crate::common::row_id(&json!(f.child));
    let assessment = crate::common::row_id(&json!(f.assessment));
    let la = message::Entity::find()
        .filter(message::Column::ChildId.eq(child))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .la_id;
    let before = message::Entity::find().count(&app.db).await.unwrap();
    let actor = Actor {
        subject: "cw-909".into(),
        role: Role::Caseworker,
        la_id: Some(la),
        staff_id: None,
        scope: Scope::LocalAuthority { la_id: la },
    };
    let entry = || AuditEntry {
        la_id: Some(la),
        child_id: Some(child),
        entity: "assessment",
        entity_id: assessment,
        action: AuditAction::SendDraft,
        summary: json!({"on": crate::common::today()}),
    };
    let txn = app.db.begin().await.unwrap();
    record(&txn, &actor, Utc::now(), entry()).await.unwrap();
    assert_eq!(
        message::Entity::find().count(&txn).await.unwrap(),
        before + 2
    );
    txn.rollback().await.unwrap();
    assert_eq!(
        message::Entity::find().count(&app.db).await.unwrap(),
        before
    );

    let txn = app.db.begin().await.unwrap();
    record(&txn, &actor, Utc::now(), entry()).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(
        message::Entity::find().count(&app.db).await.unwrap(),
        before + 2
    );

    // A refused change (a stale version) writes no message either.
    let (_, body) = app
        .gql(
            Some(&fx.caseworker),
            "mutation($input: ActionInput!) { sendDraftPlan(input: $input) { version } }",
            json!({"input": {"assessmentId": f.assessment, "version": f.version + 7}}),
        )
        .await;
    assert_eq!(crate::common::error_code(&body), "CONFLICT", "{body}");
    assert_eq!(
        message::Entity::find().count(&app.db).await.unwrap(),
        before + 2
    );
}

#[tokio::test]
async fn a_failing_delivery_backs_off_then_dies_and_an_admin_retry_delivers_it() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut f = family(&app, &fx, "Retta Tries", "retry").await;
    send_draft(&app, &fx, &mut f).await;
    // Nothing listens on this port: every attempt fails.
    let closed = format!("smtp://127.0.0.1:{}", free_port());
    let worker = Worker::new(
        app.db.clone(),
        &DeliverySettings {
            smtp_url: Some(closed),
            retry_base: Duration::from_secs(3600),
            retry_max_attempts: 2,
            timeout: Duration::from_secs(2),
            ..settings()
        },
    )
    .unwrap();
    let pass = worker.deliver_once().await.unwrap();
    assert!(pass.claimed >= 1 && pass.sent == 0, "{pass:?}");
    let emails = || async {
        message::Entity::find()
            .filter(message::Column::Channel.eq("EMAIL"))
            .order_by_asc(message::Column::Id)
            .all(&app.db)
            .await
            .unwrap()
    };
    for m in emails().await {
        assert_eq!(m.state, "QUEUED");
        assert_eq!(m.attempts, 1);
        // Backed off: not due again for an hour, so the next pass takes nothing.
        assert!(
            m.next_attempt_at > Utc::now() + chrono::Duration::minutes(59),
            "{m:?}"
        );
        assert!(
            m.last_error.as_deref().unwrap_or("").contains("SMTP"),
            "{m:?}"
        );
    }
    assert_eq!(worker.deliver_once().await.unwrap().claimed, 0);
    // Due again (as if the hour had passed): the second failure makes it a dead letter.
    app.db
        .execute_unprepared("UPDATE message SET next_attempt_at = created_at")
        .await
        .unwrap();
    worker.deliver_once().await.unwrap();
    let dead = emails().await;
    assert!(
        dead.iter().all(|m| m.state == "DEAD" && m.attempts == 2),
        "{dead:?}"
    );
    let attempts = delivery_attempt::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(attempts as usize, dead.len() * 2);

    // Administrators see dead letters; nobody else does.
    let admin = app.admin_token();
    let q = "{ deadLetters(first: 50) { totalCount edges { node { id version state attempts lastError deliveryAttempts { attempt outcome error } } } } }";
    let listed = app.ok(&admin, q, json!({})).await;
    assert_eq!(listed["deadLetters"]["totalCount"], dead.len());
    let node = listed["deadLetters"]["edges"][0]["node"].clone();
    assert_eq!(node["deliveryAttempts"].as_array().unwrap().len(), 2);
    assert_eq!(node["deliveryAttempts"][1]["outcome"], "FAILED");
    let (_, body) = app.gql(Some(&fx.manager), q, json!({})).await;
    assert_eq!(crate::common::error_code(&body), "FORBIDDEN", "{body}");

    // Retried by an admin (audited), it is delivered once an SMTP server answers.
    let retried = app
        .ok(
            &admin,
            "mutation($id: ID!, $v: Int!) { retryMessage(id: $id, version: $v) { state attempts } }",
            json!({"id": node["id"], "v": node["version"]}),
        )
        .await;
    assert_eq!(retried["retryMessage"]["state"], "QUEUED");
    let (_, body) = app
        .gql(
            Some(&admin),
            "mutation($id: ID!, $v: Int!) { retryMessage(id: $id, version: $v) { state } }",
            json!({"id": node["id"], "v": node["version"]}),
        )
        .await;
    assert_eq!(crate::common::error_code(&body), "CONFLICT", "{body}");
    let smtp = SmtpServer::start();
    let worker = Worker::new(
        app.db.clone(),
        &DeliverySettings {
            smtp_url: Some(smtp.url()),
            ..settings()
        },
    )
    .unwrap();
    assert_eq!(deliver_all(&worker).await, 1);
    assert_eq!(smtp.wait_for(1).len(), 1);
    let audited = app
        .ok(
            &admin,
            "{ auditEvents(first: 5) { edges { node { action entity } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        audited["auditEvents"]["edges"][0]["node"]["action"],
        "RETRY"
    );
}

/// The URL a worker process connects with: the test's own database (a PostgreSQL schema of
/// its own, through the connection's search_path; or the SQLite file).
/// `n` emails to distinct addresses, queued as one change would write them.
async fn queue_emails(db: &DatabaseConnection, la_id: i64, n: usize, tag: &str) {
    use ehcp::domain::messages::{Channel, Notice, RecipientKind};
    use ehcp::store::outbox::{About, Recipient, enqueue};
    let recipients: Vec<Recipient> = (0..n)
        .map(|i| Recipient {
            kind: RecipientKind::Parent,
            id: i as i64 + 1,
            name: format!("Parent {i}"),
            channel: Channel::Email,
            address: Some(format!("p{i}.{tag}@example.org")),
            wants_reminders: true,
        })
        .collect();
    let notice = Notice {
        event: "test.bulk".into(),
        subject: format!("Bulk {tag}"),
        body: "A notice".into(),
        statutory: true,
    };
    let about = About {
        la_id,
        child_id: None,
        entity: None,
        entity_id: None,
    };
    let txn = db.begin().await.unwrap();
    for chunk in recipients.chunks(500) {
        enqueue(
            &txn,
            Utc::now(),
            about,
            &notice,
            chunk,
            &format!("bulk:{tag}"),
        )
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
}

fn spawn_worker(url: &str, smtp: &str, extra: &[(&str, &str)]) -> Process {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ehcp"));
    cmd.arg("deliver")
        .env("DATABASE_URL", url)
        .env("EHCP_SMTP_URL", smtp)
        .env("EHCP_JWT_SECRET", crate::common::SECRET)
        .env("EHCP_DELIVERY_POLL", "100ms")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().expect("ehcp deliver")
}

async fn wait_until_sent(db: &DatabaseConnection, n: u64, within: Duration) {
    let started = Instant::now();
    loop {
        let sent = message::Entity::find()
            .filter(message::Column::State.eq("SENT"))
            .filter(message::Column::Event.eq("test.bulk"))
            .count(db)
            .await
            .unwrap();
        if sent >= n {
            return;
        }
        assert!(started.elapsed() < within, "only {sent} of {n} sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn la_id(app: &TestApp) -> i64 {
    ehcp::store::entity::local_authority::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn two_worker_processes_deliver_each_message_exactly_once() {
    let (db, dir) = crate::common::isolated_database().await;
    let app = TestApp::on_database(db, dir, Default::default(), ehcp::clock::Clock::system()).await;
    let _fx = app.with_local_authority().await;
    let n = 300;
    queue_emails(&app.db, la_id(&app).await, n, "twice").await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;
    let smtp = SmtpServer::start();
    let mut workers: Vec<Process> = (0..2)
        .map(|_| spawn_worker(&url, &smtp.url(), &[("EHCP_DELIVERY_BATCH", "10")]))
        .collect();
    wait_until_sent(&app.db, n as u64, Duration::from_secs(120)).await;
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    let got = smtp.wait_for(n);
    assert_eq!(got.len(), n, "each message once");
    let ids: BTreeSet<&String> = got.iter().map(|r| &r.headers["message-id"]).collect();
    assert_eq!(ids.len(), n);
    // Both processes took part, and each message has exactly one attempt.
    let attempts = delivery_attempt::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(attempts.len(), n);
    let workers_seen: BTreeSet<&str> = attempts.iter().map(|a| a.worker.as_str()).collect();
    assert_eq!(
        workers_seen.len(),
        2,
        "both workers delivered: {workers_seen:?}"
    );
}

#[tokio::test]
async fn a_worker_killed_mid_delivery_loses_nothing_and_its_duplicates_carry_one_key() {
    let (db, dir) = crate::common::isolated_database().await;
    let app = TestApp::on_database(db, dir, Default::default(), ehcp::clock::Clock::system()).await;
    let _fx = app.with_local_authority().await;
    let n = 400;
    queue_emails(&app.db, la_id(&app).await, n, "killed").await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;
    let smtp = SmtpServer::start();
    // A short lease, so what the killed worker held is taken over quickly.
    let lease = [
        ("EHCP_DELIVERY_LEASE", "2s"),
        ("EHCP_DELIVERY_BATCH", "4"),
        ("EHCP_DELIVERY_CONCURRENCY", "2"),
        ("EHCP_DELIVERY_TIMEOUT", "500ms"),
    ];
    let mut first = spawn_worker(&url, &smtp.url(), &lease);
    let started = Instant::now();
    while smtp.received().len() < 40 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the first worker sent nothing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // kill -9: no chance to finish or release anything.
    let status = Command::new("kill")
        .args(["-9", &first.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = first.wait();
    let sent_before = message::Entity::find()
        .filter(message::Column::State.eq("SENT"))
        .count(&app.db)
        .await
        .unwrap();
    assert!(sent_before < n as u64, "killed before the end");
    let mut second = spawn_worker(&url, &smtp.url(), &lease);
    wait_until_sent(&app.db, n as u64, Duration::from_secs(120)).await;
    let _ = second.kill();
    let _ = second.wait();
    let rows = message::Entity::find().all(&app.db).await.unwrap();
    assert!(rows.iter().all(|m| m.state == "SENT"), "nothing lost");
    let got = smtp.received();
    let keys: BTreeSet<String> = rows
        .iter()
        .map(|m| ehcp::outbound::smtp::message_id(&m.idempotency_key))
        .collect();
    let received: BTreeSet<String> = got
        .iter()
        .map(|r| r.headers["message-id"].clone())
        .collect();
    assert_eq!(received, keys, "every message arrived, under its own key");
    // What was in flight when the worker died may arrive twice, with the same Message-ID
    // for the receiving side to drop: never more than the one batch it held.
    let duplicates = got.len() - received.len();
    assert!(duplicates <= 4, "{duplicates} duplicates");
}

// ---------- GOV.UK Notify (a local stand-in of its documented API) ----------

#[derive(Clone, Default)]
struct NotifyStandIn {
    calls: Arc<Mutex<Vec<(String, Value)>>>,
    /// Answer 400 (a refused number) to this many text messages first.
    refuse: Arc<Mutex<usize>>,
}

const NOTIFY_SERVICE: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
const NOTIFY_SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";

/// Checks the API-key JWT as Notify documents it: HS256, `iss` the service id, `iat` within
/// 30 seconds of now.
fn notify_auth_ok(headers: &axum::http::HeaderMap) -> bool {
    #[derive(serde::Deserialize)]
    struct Claims {
        iss: String,
        iat: i64,
    }
    let Some(token) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    match jsonwebtoken::decode::<Claims>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(NOTIFY_SECRET.as_bytes()),
        &validation,
    ) {
        Ok(data) => {
            data.claims.iss == NOTIFY_SERVICE
                && (Utc::now().timestamp() - data.claims.iat).abs() <= 30
        }
        Err(_) => false,
    }
}

async fn start_notify() -> (String, NotifyStandIn) {
    use axum::extract::{Path as UrlPath, State};
    use axum::http::{HeaderMap, StatusCode};
    let state = NotifyStandIn::default();
    let app = axum::Router::new()
        .route(
            "/v2/notifications/{kind}",
            axum::routing::post(
                |State(s): State<NotifyStandIn>,
                 UrlPath(kind): UrlPath<String>,
                 headers: HeaderMap,
                 axum::Json(body): axum::Json<Value>| async move {
                    if !notify_auth_ok(&headers) {
                        return (StatusCode::FORBIDDEN, axum::Json(json!({"status_code": 403, "errors": [{"error": "AuthError", "message": "Invalid token"}]})));
                    }
                    {
                        let mut refuse = s.refuse.lock().unwrap();
                        if *refuse > 0 && kind == "sms" {
                            *refuse -= 1;
                            return (StatusCode::BAD_REQUEST, axum::Json(json!({"status_code": 400, "errors": [{"error": "ValidationError", "message": "phone_number Not a UK mobile number"}]})));
                        }
                    }
                    let id = format!("notify-{}", s.calls.lock().unwrap().len() + 1);
                    s.calls.lock().unwrap().push((kind, body.clone()));
                    (StatusCode::CREATED, axum::Json(json!({"id": id, "reference": body["reference"], "content": {"body": body["personalisation"]["body"]}})))
                },
            ),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), state)
}

#[tokio::test]
async fn notify_sends_email_and_texts_with_its_api_key_jwt_and_a_refusal_is_a_dead_letter() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut f = family(&app, &fx, "Nia Notified", "notify").await;
    send_draft(&app, &fx, &mut f).await;
    let (base, notify) = start_notify().await;
    let worker = Worker::new(
        app.db.clone(),
        &DeliverySettings {
            notify_api_key: Some(format!("ehcp_test-{NOTIFY_SERVICE}-{NOTIFY_SECRET}")),
            notify_base_url: base,
            notify_email_template: Some("email-template-id".into()),
            notify_sms_template: Some("sms-template-id".into()),
            ..settings()
        },
    )
    .unwrap();
    // The first text is refused for good (Notify's 400): dead at once, not retried.
    *notify.refuse.lock().unwrap() = 1;
    deliver_all(&worker).await;
    let calls = notify.calls.lock().unwrap().clone();
    let sms: Vec<&Value> = calls
        .iter()
        .filter(|(k, _)| k == "sms")
        .map(|(_, b)| b)
        .collect();
    let email: Vec<&Value> = calls
        .iter()
        .filter(|(k, _)| k == "email")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(
        email.len(),
        3,
        "request, decision and draft by email: {calls:#?}"
    );
    assert_eq!(sms.len(), 2, "one of three texts refused: {calls:#?}");
    let draft = email
        .iter()
        .find(|b| {
            b["personalisation"]["subject"]
                .as_str()
                .unwrap()
                .contains("draft")
        })
        .unwrap();
    assert_eq!(draft["email_address"], "mum.notify@example.org");
    assert_eq!(draft["template_id"], "email-template-id");
    assert!(
        draft["personalisation"]["body"]
            .as_str()
            .unwrap()
            .contains(&window_end())
    );
    assert_eq!(sms[0]["phone_number"], "07700 900123");
    assert_eq!(sms[0]["template_id"], "sms-template-id");
    let rows = message::Entity::find()
        .filter(message::Column::Channel.eq("SMS"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.iter().filter(|m| m.state == "DEAD").count(), 1);
    let dead = rows.iter().find(|m| m.state == "DEAD").unwrap();
    assert_eq!(dead.attempts, 1);
    assert!(
        dead.last_error
            .as_deref()
            .unwrap()
            .contains("Not a UK mobile number")
    );
    // Notify's id is kept as the attempt's reference; the message's key went as `reference`.
    let sent = rows.iter().find(|m| m.state == "SENT").unwrap();
    let attempt = delivery_attempt::Entity::find()
        .filter(delivery_attempt::Column::MessageId.eq(sent.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(attempt.provider_reference.unwrap().starts_with("notify-"));
    assert!(
        sms.iter()
            .any(|b| b["reference"] == sent.idempotency_key.as_str())
    );
}

// ---------- webhooks ----------

#[tokio::test]
async fn webhooks_are_signed_per_standard_webhooks_and_retried_with_the_same_id() {
    use axum::http::{HeaderMap, StatusCode};
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let received: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
    let fail_first = Arc::new(Mutex::new(1usize));
    let router = {
        let received = received.clone();
        let fail_first = fail_first.clone();
        axum::Router::new().route(
            "/hooks",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let received = received.clone();
                let fail_first = fail_first.clone();
                async move {
                    received.lock().unwrap().push((headers, body));
                    let mut fail = fail_first.lock().unwrap();
                    if *fail > 0 {
                        *fail -= 1;
                        StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        StatusCode::NO_CONTENT
                    }
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let admin = app.admin_token();
    let made = app
        .ok(
            &admin,
            "mutation($input: WebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { secret subscription { id version eventTypes active } } }",
            json!({"input": {"localAuthorityId": fx.la, "name": "Data warehouse", "url": format!("http://{addr}/hooks"), "eventTypes": ["assessment.*"]}}),
        )
        .await;
    let secret = made["createWebhookSubscription"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(secret.starts_with("whsec_"));
    // A bad event type is refused.
    let (_, body) = app
        .gql(
            Some(&admin),
            "mutation($input: WebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { secret } }",
            json!({"input": {"localAuthorityId": fx.la, "name": "x", "url": "http://localhost/x", "eventTypes": ["assessment.no_such_step"]}}),
        )
        .await;
    assert_eq!(crate::common::error_code(&body), "VALIDATION", "{body}");
    // The secret is never shown again.
    let listed = app
        .ok(
            &admin,
            "{ webhookSubscriptions { id name url eventTypes } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["webhookSubscriptions"][0]["eventTypes"],
        json!(["assessment.*"])
    );

    let f = family(&app, &fx, "Hugo Hooked", "hook").await;
    let worker = Worker::new(app.db.clone(), &settings()).unwrap();
    deliver_all(&worker).await;
    // The first POST failed (503) and was retried (the base delay is zero here).
    deliver_all(&worker).await;
    let got = received.lock().unwrap().clone();
    assert_eq!(
        got.len(),
        3,
        "request, decision, and the retry of the first"
    );
    let signer = standardwebhooks::Webhook::new(&secret).unwrap();
    for (headers, body) in &got {
        signer
            .verify(body.as_bytes(), headers)
            .expect("a valid Standard Webhooks signature");
        let payload: Value = serde_json::from_str(body).unwrap();
        assert!(payload["type"].as_str().unwrap().starts_with("assessment."));
        assert_eq!(
            payload["data"]["childId"],
            crate::common::row_id(&json!(f.child))
        );
    }
    assert_eq!(
        got[0].0["webhook-id"], got[2].0["webhook-id"],
        "a retry keeps its id"
    );
    assert_ne!(got[0].0["webhook-id"], got[1].0["webhook-id"]);
    // A tampered body does not verify.
    assert!(signer.verify(b"{\"type\":\"forged\"}", &got[1].0).is_err());
    // Paused, nothing more is queued for it.
    let sub = &made["createWebhookSubscription"]["subscription"];
    app.ok(
        &admin,
        "mutation($id: ID!, $v: Int!) { updateWebhookSubscription(id: $id, version: $v, input: {active: false}) { subscription { active } secret } }",
        json!({"id": sub["id"], "v": sub["version"]}),
    )
    .await;
    let before = message::Entity::find()
        .filter(message::Column::Channel.eq("WEBHOOK"))
        .count(&app.db)
        .await
        .unwrap();
    let mut f2 = f;
    send_draft(&app, &fx, &mut f2).await;
    let after = message::Entity::find()
        .filter(message::Column::Channel.eq("WEBHOOK"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(before, after);
}

// ---------- preferences ----------

#[tokio::test]
async fn families_choose_their_channel_and_reminders_and_statutory_notices_still_go() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut f = family(&app, &fx, "Pru Preference", "prefs").await;
    let prefs = app
        .ok(
            &f.parent,
            "{ messagePreferences { channel optionalReminders email phone dailyDigest } }",
            json!({}),
        )
        .await;
    assert_eq!(prefs["messagePreferences"]["channel"], Value::Null);
    assert_eq!(
        prefs["messagePreferences"]["email"],
        "mum.prefs@example.org"
    );
    assert_eq!(prefs["messagePreferences"]["dailyDigest"], Value::Null);
    let set = app
        .ok(
            &f.parent,
            "mutation { setMessagePreferences(input: {channel: PORTAL, optionalReminders: false}) { channel optionalReminders } }",
            json!({}),
        )
        .await;
    assert_eq!(set["setMessagePreferences"]["channel"], "PORTAL");
    // A parent's address is the council's record, not theirs to change here.
    let (_, body) = app
        .gql(
            Some(&f.parent),
            "mutation { setMessagePreferences(input: {email: \"x@example.org\"}) { channel } }",
            json!({}),
        )
        .await;
    assert_eq!(crate::common::error_code(&body), "VALIDATION", "{body}");
    send_draft(&app, &fx, &mut f).await;
    let mine = my_messages(&app, &f.parent).await;
    let draft = mine
        .iter()
        .find(|m| m["event"] == "assessment.send_draft")
        .unwrap();
    assert_eq!(draft["channel"], "PORTAL");
    assert_eq!(draft["state"], "SENT");
    // An optional reminder (a missed council deadline) skips them, not the other parent.
    let child = crate::common::row_id(&json!(f.child));
    let row = ehcp::store::entity::child::Entity::find_by_id(child)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let txn = app.db.begin().await.unwrap();
    let recipients = ehcp::store::outbox::family(&txn, &row).await.unwrap();
    let notice = ehcp::domain::messages::missed_deadline_notice(
        ehcp::domain::timescales::DeadlineKind::FinalPlan,
        crate::common::today(),
        "Pru",
    );
    let about = ehcp::store::outbox::About {
        la_id: row.la_id,
        child_id: Some(child),
        entity: None,
        entity_id: None,
    };
    ehcp::store::outbox::enqueue(&txn, Utc::now(), about, &notice, &recipients, "missed:test")
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let missed: Vec<Value> = case_messages(&app, &fx.caseworker, &f.child)
        .await
        .into_iter()
        .filter(|m| m["event"] == "deadline.missed")
        .collect();
    assert_eq!(missed.len(), 1);
    assert_eq!(missed[0]["recipientName"], "Pru Preference Dad");
    // Enqueued again, it is the same message.
    let txn = app.db.begin().await.unwrap();
    ehcp::store::outbox::enqueue(&txn, Utc::now(), about, &notice, &recipients, "missed:test")
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(
        message::Entity::find()
            .filter(message::Column::Event.eq("deadline.missed"))
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
    // Staff choose digests; an administrator has no messages to prefer.
    let cw = app.ok(&fx.caseworker, "mutation { setMessagePreferences(input: {dailyDigest: false}) { dailyDigest weeklyDigest } }", json!({})).await;
    assert_eq!(cw["setMessagePreferences"]["dailyDigest"], false);
    let (_, body) = app
        .gql(
            Some(&app.admin_token()),
            "{ messagePreferences { channel } }",
            json!({}),
        )
        .await;
    assert_eq!(crate::common::error_code(&body), "FORBIDDEN", "{body}");
}

// ---------- reminders and digests ----------

#[tokio::test]
async fn professionals_are_reminded_on_schedule_and_caseworkers_get_their_digest() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let admin = app.admin_token();
    let ep = app
        .ok(
            &admin,
            "mutation($input: CreateProfessionalInput!) { createProfessional(input: $input) { id } }",
            json!({"input": {"localAuthorityId": fx.la, "subject": "ep-remind", "name": "Erin Psyche", "service": "EDUCATIONAL_PSYCHOLOGY", "organisation": "EP service", "email": "erin@example.org"}}),
        )
        .await["createProfessional"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let f = family(&app, &fx, "Ravi Reminded", "remind").await;
    let today = crate::common::today();
    app.ok(
        &fx.caseworker,
        "mutation($input: RequestAdviceInput!) { requestAdvice(input: $input) { version } }",
        json!({"input": {"assessmentId": f.assessment, "version": f.version, "service": "EDUCATIONAL_PSYCHOLOGY", "professionalId": ep}}),
    )
    .await;
    let ep_token = app.token(Role::Professional, "ep-remind", Some("909"));
    let events = |msgs: Vec<Value>| -> Vec<String> {
        msgs.iter()
            .map(|m| m["event"].as_str().unwrap().to_owned())
            .collect()
    };
    let mine = my_messages(&app, &ep_token).await;
    assert_eq!(events(mine.clone()), ["advice.requested"]);
    let due = ehcp::domain::timescales::DeadlineKind::AdviceResponse.due_from(today);
    assert!(
        mine[0]["subject"]
            .as_str()
            .unwrap()
            .contains(&ehcp::domain::calendar::long_date(due))
    );
    // The family hears who was asked.
    assert!(my_messages(&app, &f.parent).await.iter().any(|m| {
        m["event"] == "assessment.request_advice"
            && m["body"]
                .as_str()
                .unwrap()
                .contains("Educational psychology")
    }));

    let run = |day: NaiveDate| {
        let db = app.db.clone();
        async move {
            ehcp::outbound::schedule::run_day(&db, day, Utc::now(), true)
                .await
                .unwrap()
        }
    };
    for (day, expected) in [
        (due - chrono::Duration::days(8), None),
        (
            due - chrono::Duration::days(7),
            Some("advice.due_in_7_days"),
        ),
        (due, Some("advice.due_today")),
        (due + chrono::Duration::days(3), None),
        (due + chrono::Duration::days(7), Some("advice.overdue")),
        (due + chrono::Duration::days(14), Some("advice.overdue")),
    ] {
        let before = my_messages(&app, &ep_token).await.len();
        run(day).await;
        run(day).await; // once a day, however often it runs
        let after = my_messages(&app, &ep_token).await;
        match expected {
            Some(event) => {
                assert_eq!(
                    after.len(),
                    before + 1,
                    "{day}: {:?}",
                    events(after.clone())
                );
                assert_eq!(after[0]["event"], event, "{day}");
            }
            None => assert_eq!(after.len(), before, "{day}: {:?}", events(after.clone())),
        }
    }
    let overdue = &my_messages(&app, &ep_token).await[0];
    assert!(
        overdue["body"].as_str().unwrap().contains("2 weeks late"),
        "{overdue}"
    );
    // Each job runs once a day: run again, it does not even look (a reminder removed by
    // hand stays removed), while the keys alone would only stop a duplicate.
    app.db
        .execute_unprepared("DELETE FROM message WHERE event = 'advice.overdue'")
        .await
        .unwrap();
    run(due + chrono::Duration::days(14)).await;
    assert!(
        my_messages(&app, &ep_token)
            .await
            .iter()
            .all(|m| m["event"] != "advice.overdue")
    );
    // Turned off, the optional reminders stop.
    app.ok(&ep_token, "mutation { setMessagePreferences(input: {optionalReminders: false}) { optionalReminders } }", json!({})).await;
    let before = my_messages(&app, &ep_token).await.len();
    run(due + chrono::Duration::days(21)).await;
    assert_eq!(my_messages(&app, &ep_token).await.len(), before);

    // The caseworker's digest lists their open deadlines due within 14 days or overdue.
    let digest_day = today + chrono::Duration::days(30);
    run(digest_day).await;
    let newest = my_messages(&app, &fx.caseworker).await[0].clone();
    assert_eq!(newest["event"], "digest.daily", "{newest}");
    assert_eq!(
        newest["channel"], "PORTAL",
        "no email on the caseworker's record"
    );
    let body = newest["body"].as_str().unwrap();
    assert!(
        body.contains(&ehcp::domain::calendar::long_date(digest_day)),
        "{body}"
    );
    assert!(
        body.contains("- Ravi Reminded: Advice from a professional asked to contribute"),
        "{body}"
    );
    // Turned off, it stops.
    app.ok(
        &fx.caseworker,
        "mutation { setMessagePreferences(input: {dailyDigest: false}) { dailyDigest } }",
        json!({}),
    )
    .await;
    let before = my_messages(&app, &fx.caseworker).await.len();
    run(digest_day + chrono::Duration::days(1)).await;
    assert_eq!(my_messages(&app, &fx.caseworker).await.len(), before);
}

// ---------- live updates ----------

#[tokio::test]
async fn subscriptions_see_committed_changes_under_the_queries_access_rules() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut own = family(&app, &fx, "Liv Live", "live").await;
    let mut other = family(&app, &fx, "Otto Other", "other").await;
    let addr = crate::common::serve(&app).await;
    let q = "subscription { caseChanged { childId event entityId } }";
    let mut parent = crate::common::subscribe(addr, Some(&own.parent), q)
        .await
        .expect("parent subscribes");
    let mut caseworker = crate::common::subscribe(addr, Some(&fx.caseworker), q)
        .await
        .expect("caseworker subscribes");
    let ep = app.provision(Role::Professional, "ep-live", "909").await;
    let mut professional = crate::common::subscribe(addr, Some(&ep), q)
        .await
        .expect("professional subscribes");
    let mut delivered = crate::common::subscribe(
        addr,
        Some(&own.parent),
        "subscription { messageDelivered { event channel state } }",
    )
    .await
    .expect("parent subscribes to deliveries");
    // Without a token the connection is refused.
    assert!(crate::common::subscribe(addr, None, q).await.is_err());
    assert!(
        crate::common::subscribe(addr, Some("not-a-token"), q)
            .await
            .is_err()
    );

    crate::common::let_subscriptions_start().await;
    send_draft(&app, &fx, &mut own).await;
    send_draft(&app, &fx, &mut other).await;
    let seen = crate::common::events(&mut parent, Duration::from_secs(3)).await;
    assert_eq!(
        seen.len(),
        1,
        "the parent sees their own child's change only: {seen:#?}"
    );
    assert_eq!(seen[0]["data"]["caseChanged"]["childId"], json!(own.child));
    assert_eq!(
        seen[0]["data"]["caseChanged"]["event"],
        "assessment.send_draft"
    );
    assert_eq!(
        seen[0]["data"]["caseChanged"]["entityId"],
        json!(own.assessment)
    );
    let seen = crate::common::events(&mut caseworker, Duration::from_secs(1)).await;
    let children: BTreeSet<String> = seen
        .iter()
        .map(|e| {
            e["data"]["caseChanged"]["childId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        children,
        BTreeSet::from([own.child.clone(), other.child.clone()])
    );
    assert!(
        crate::common::events(&mut professional, Duration::from_secs(1))
            .await
            .is_empty()
    );

    // A delivery the parent may see is pushed to them; the other family's is not.
    let smtp = SmtpServer::start();
    let worker = Worker::new(
        app.db.clone(),
        &DeliverySettings {
            smtp_url: Some(smtp.url()),
            ..settings()
        },
    )
    .unwrap();
    deliver_all(&worker).await;
    let seen = crate::common::events(&mut delivered, Duration::from_secs(3)).await;
    assert!(!seen.is_empty());
    assert!(
        seen.iter()
            .all(|e| e["data"]["messageDelivered"]["state"] == "SENT"),
        "{seen:#?}"
    );
    let own_mails = message::Entity::find()
        .filter(message::Column::RecipientKind.eq("PARENT"))
        .filter(message::Column::RecipientId.eq(crate::common::row_id(&json!(own.parent_id))))
        .filter(message::Column::Channel.eq("EMAIL"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(seen.len() as u64, own_mails, "{seen:#?}");
}

#[tokio::test]
async fn metrics_count_messages_by_channel_and_state_and_the_oldest_queued() {
    let app = TestApp::spawn_with(ehcp::config::ServeSettings {
        metrics: true,
        ..Default::default()
    })
    .await;
    let fx = app.with_local_authority().await;
    let mut f = family(&app, &fx, "Mae Metric", "metric").await;
    send_draft(&app, &fx, &mut f).await;
    let (status, _, text) = app
        .raw(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        text.contains("ehcp_messages{channel=\"EMAIL\",state=\"QUEUED\"} 3"),
        "{text}"
    );
    assert!(
        text.contains("ehcp_messages{channel=\"SMS\",state=\"QUEUED\"} 3"),
        "{text}"
    );
    assert!(
        text.contains("ehcp_outbox_oldest_undelivered_seconds"),
        "{text}"
    );
}

// ---------- the "done when", end to end ----------

#[tokio::test]
async fn with_the_demo_data_a_draft_plan_sent_reaches_the_parents_inbox_from_a_running_server() {
    let (db, dir) = crate::common::isolated_database().await;
    let url = crate::common::process_url(&db, dir.as_ref().map(|d| d.path())).await;
    let ehcp = env!("CARGO_BIN_EXE_ehcp");
    let run = |args: &[&str]| {
        let out = Command::new(ehcp)
            .args(args)
            .env("DATABASE_URL", &url)
            .env("EHCP_JWT_SECRET", crate::common::SECRET)
            .output()
            .expect("ehcp");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["seed-demo"]);
    let token = run(&[
        "token",
        "--role",
        "caseworker",
        "--sub",
        "demo-caseworker-north-1",
        "--la",
        "909",
    ]);
    let token = token.trim();
    let smtp = SmtpServer::start();
    let port = free_port();
    let mut server = Command::new(ehcp)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &url)
        .env("EHCP_JWT_SECRET", crate::common::SECRET)
        .env("EHCP_SMTP_URL", smtp.url())
        .env("EHCP_PORTAL_URL", "https://portal.demo.invalid/")
        .env("EHCP_DELIVERY_POLL", "200ms")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ehcp serve");
    let client = reqwest::Client::new();
    let endpoint = format!("http://127.0.0.1:{port}/graphql");
    let gql = |query: &str, variables: Value| {
        let request = client
            .post(&endpoint)
            .bearer_auth(token)
            .json(&json!({"query": query, "variables": variables}));
        async move {
            let body: Value = request
                .send()
                .await
                .expect("request")
                .json()
                .await
                .expect("json");
            assert!(body["errors"].is_null(), "{body}");
            body["data"].clone()
        }
    };
    let started = Instant::now();
    while client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list = gql(
        "{ assessments(first: 100) { nodes { id version allowedActions child { parents { parent { email } } } } } }",
        json!({}),
    )
    .await;
    let case = list["assessments"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["allowedActions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == "SEND_DRAFT")
        })
        .expect("a demo assessment ready for its draft plan")
        .clone();
    let parents: BTreeSet<String> = case["child"]["parents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["parent"]["email"].as_str().map(str::to_owned))
        .collect();
    assert!(!parents.is_empty(), "{case}");
    gql(
        "mutation($input: ActionInput!) { sendDraftPlan(input: $input) { id } }",
        json!({"input": {"assessmentId": case["id"], "version": case["version"]}}),
    )
    .await;
    let sent = Instant::now();
    // The server's own worker sends it (after the demo's earlier notices, in order).
    let mail = loop {
        let found = smtp.received().into_iter().find(|r| {
            r.headers
                .get("subject")
                .is_some_and(|s| s.contains("draft EHC plan"))
                && r.headers
                    .get("x-rcptto")
                    .is_some_and(|to| parents.contains(to))
                && r.body.contains(&window_end())
        });
        if let Some(mail) = found {
            break mail;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(120),
            "no draft email arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!(
        "the draft plan's email reached the SMTP server {:.1} s after the caseworker sent it",
        sent.elapsed().as_secs_f64()
    );
    assert!(
        mail.body.contains("https://portal.demo.invalid/"),
        "{}",
        mail.body
    );
    let _ = server.kill();
    let _ = server.wait();
}

#[tokio::test]
async fn a_lease_shorter_than_a_batch_can_take_is_refused_at_start() {
    let (db, _dir) = crate::common::isolated_database().await;
    let refused = Worker::new(
        db,
        &DeliverySettings {
            lease: Duration::from_secs(30),
            batch: 100,
            concurrency: 8,
            timeout: Duration::from_secs(20),
            ..DeliverySettings::default()
        },
    );
    let error = refused.err().expect("refused").to_string();
    assert!(error.contains("EHCP_DELIVERY_LEASE"), "{error}");
}

#[tokio::test]
async fn the_websocket_refuses_a_subscription_over_the_cost_limit_before_it_runs() {
    use futures_util::StreamExt;
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let addr = crate::common::serve(&app).await;
    // 6,000 aliases of the smallest subscription field cost 12,000, over the 10,000 limit.
    let aliases: String = (0..6_000)
        .map(|i| format!(" a{i}: caseChanged {{ childId }}"))
        .collect();
    let mut ws = crate::common::subscribe(
        addr,
        Some(&fx.caseworker),
        &format!("subscription {{{aliases} }}"),
    )
    .await
    .expect("connects");
    let got = crate::common::events(&mut ws, Duration::from_secs(2)).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let error = &got[0]["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_REQUEST", "{got:?}");
    assert_eq!(error["extensions"]["cost"], 12_000, "{got:?}");
    assert!(got[0]["data"].is_null(), "{got:?}");
    let _ = ws.close(None).await;
    let _ = ws.next().await;
}

#[tokio::test]
async fn the_websocket_serves_subscriptions_only() {
    use futures_util::StreamExt;
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let addr = crate::common::serve(&app).await;
    let mut ws = crate::common::subscribe(
        addr,
        Some(&fx.caseworker),
        "{ messages(first: 1) { totalCount } }",
    )
    .await
    .expect("connects");
    let got = crate::common::events(&mut ws, Duration::from_secs(2)).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0]["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{got:?}"
    );
    assert!(got[0]["data"].is_null(), "{got:?}");
    let _ = ws.close(None).await;
    let _ = ws.next().await;
}
