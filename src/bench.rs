//! `ehcp bench`: every list and lookup a frontend uses, measured over HTTP against a running
//! `ehcp serve` on data from `ehcp seed-synthetic`, for the first and the last LA. Prints
//! p50/p95/p99 latency, requests per second and (with `serve --metrics`) SQL statements per
//! request per scenario.
//! Measurement only: nothing here asserts a time.
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::api::token::{KeySource, issue_hs256};
use crate::config::Settings;
use crate::domain::access::Role;
use crate::store;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// The running server's GraphQL endpoint.
    #[arg(long, default_value = "http://127.0.0.1:8080/graphql")]
    pub url: String,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Run only the scenarios whose name contains this text (e.g. "parent").
    #[arg(long)]
    pub only: Option<String>,
}

struct Scenario {
    name: String,
    token: String,
    query: String,
    variables: Value,
}

async fn one_text(db: &sea_orm::DatabaseConnection, sql: &str) -> anyhow::Result<String> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .with_context(|| format!("no synthetic data ({sql}): run seed-synthetic first"))?;
    Ok(row.try_get_by_index::<String>(0)?)
}

pub async fn run(settings: &Settings, args: BenchArgs) -> anyhow::Result<()> {
    let db = store::connect(&settings.database_url, None).await?;
    let config = settings.token_config()?;
    let KeySource::Hs256 { secret } = &config.keys else {
        anyhow::bail!("bench signs its own tokens: set EHCP_JWT_SECRET, not EHCP_JWKS");
    };
    let token = |role, sub: &str, la: Option<&str>| {
        issue_hs256(
            secret,
            &config.issuer,
            &config.audience,
            sub,
            role,
            la,
            Duration::from_secs(3600),
            chrono::Utc::now(),
        )
    };
    // The first and the last synthetic LA (the last one's rows come last in every table,
    // which is where a list without its own index reads the most), their first caseworker,
    // an educational psychologist of each (added here: the synthetic data has none), a child
    // with a plan in each, and a parent with an open case.
    let first_la = one_text(
        &db,
        "SELECT code FROM local_authority WHERE name LIKE 'Synthetic LA %' ORDER BY id LIMIT 1",
    )
    .await?;
    let last_la = one_text(
        &db,
        "SELECT code FROM local_authority WHERE name LIKE 'Synthetic LA %' ORDER BY id DESC LIMIT 1",
    )
    .await?;
    let parent = one_text(
        &db,
        "SELECT p.subject FROM parent p JOIN child_parent cp ON cp.parent_id = p.id \
         JOIN assessment a ON a.child_id = cp.child_id WHERE a.closed_on IS NULL ORDER BY p.id LIMIT 1",
    )
    .await?;
    let mut las = Vec::new();
    for (which, code) in [("first LA", first_la.clone()), ("last LA", last_la)] {
        let la_id = one_text(
            &db,
            &format!("SELECT CAST(id AS TEXT) FROM local_authority WHERE code = '{code}'"),
        )
        .await?;
        let cw = one_text(
            &db,
            &format!(
                "SELECT s.subject FROM staff s WHERE s.la_id = {la_id} AND s.role = 'caseworker' ORDER BY s.id LIMIT 1"
            ),
        )
        .await?;
        let cw_id = one_text(
            &db,
            &format!("SELECT CAST(id AS TEXT) FROM staff WHERE subject = '{cw}'"),
        )
        .await?;
        let ep = format!("bench-ep-{code}");
        db.execute_unprepared(&format!(
            "INSERT INTO professional (la_id, subject, name, service, organisation, active, created_at) \
             VALUES ({la_id}, '{ep}', 'Benchmark EP {code}', 'EDUCATIONAL_PSYCHOLOGY', 'EP service', TRUE, '2025-01-01T00:00:00+00:00') \
             ON CONFLICT (subject) DO NOTHING"
        ))
        .await?;
        let child = one_text(
            &db,
            &format!(
                "SELECT CAST(child_id AS TEXT) FROM ehc_plan WHERE la_id = {la_id} ORDER BY id DESC LIMIT 1"
            ),
        )
        .await?;
        // The API's global ids of those rows.
        let global = |kind, row: &str| -> anyhow::Result<String> {
            Ok(crate::api::graphql::Id::of(kind, row.parse()?).0)
        };
        let cw_id = global(crate::api::graphql::Kind::StaffMember, &cw_id)?;
        let child = global(crate::api::graphql::Kind::Child, &child)?;
        las.push((which, code, cw, cw_id, ep, child));
    }
    db.close().await.ok();

    let counts = "open onTrack dueSoon overdue excepted overdueBands { upToTwoWeeks twoToSixWeeks sixToTwelveWeeks twelveToTwentySixWeeks twentySixToFiftyTwoWeeks overFiftyTwoWeeks }";
    let summary = format!(
        "{{ backlog {{ totals {{ {counts} }} stages {{ stage counts {{ {counts} }} }} }} }}"
    );
    let page = "query($f: BacklogFilter) { backlogItems(filter: $f, first: 50) { pageInfo { hasNextPage endCursor } edges { node { stage dueOn daysOverdue regulation child { id name } caseworker { name } } } } }";
    // The lists as a caseworker's frontend reads them: a page of 50 with what each row shows.
    let child_row =
        "id legalName ncYearLabel locality { name } parents { relationship parent { name } }";
    let children = format!(
        "{{ children(first: 50) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {child_row} \
         assessments {{ id state nextStep {{ description dueOn }} }} plans {{ id status reviewDue {{ dueOn }} }} }} }} }}"
    );
    let assessments = format!(
        "{{ assessments(first: 50) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ id state receivedOn \
         child {{ {child_row} }} caseworker {{ name }} deadlines {{ kind dueOn status }} nextStep {{ description dueOn }} }} }} }}"
    );
    let plans = format!(
        "{{ plans(first: 50) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ id status issuedOn \
         child {{ {child_row} }} reviewDue {{ dueOn }} nextStep {{ description }} reviews {{ id state meetingOn }} }} }} }}"
    );
    let caseload = format!(
        "{{ caseload(first: 50) {{ openCases overdue dueSoon items {{ nextDeadline {{ kind dueOn }} \
         assessment {{ id state child {{ {child_row} }} nextStep {{ description dueOn }} }} }} }} }}"
    );
    let advice = "{ myAdviceRequests(first: 50) { pageInfo { hasNextPage endCursor } nodes { id service purpose dueOn status daysUntilDue child { displayName dateOfBirth ncYearLabel currentSetting } caseworker { name email } localAuthority } } }";
    let audit = "{ auditEvents(first: 50) { pageInfo { hasNextPage endCursor } nodes { id occurredAt actorSubject action entity entityId summary } } }";
    let whole_case = "query($id: ID!) { child(id: $id) { id legalName locality { name } parents { relationship parent { name email phone } } \
        assessments { id state deadlines { kind dueOn status } timeline { on text } adviceRequests { service dueOn receivedOn } } \
        plans { id status versions { number issuedOn } reviewDue { dueOn } deadlines { kind dueOn status } timeline { on text } \
        reviews { id state adviceRequests { service dueOn } amendment { id state } } amendments { id state } } } }";
    let mut scenarios = vec![
        Scenario {
            name: "whole-dataset backlog (admin)".into(),
            token: token(Role::Admin, crate::seed::synthetic::BENCH_ADMIN, None)?,
            query: summary.clone(),
            variables: json!({}),
        },
        Scenario {
            name: "parent's status view".into(),
            token: token(Role::Parent, &parent, None)?,
            query: "{ assessments(first: 5, open: true) { edges { node { state nextStep { description dueOn regulation } deadlines { kind dueOn status } } } } }".to_owned(),
            variables: json!({}),
        },
    ];
    for (which, code, cw, cw_id, ep, child) in &las {
        let manager = token(Role::Manager, &format!("mgr-{code}"), Some(code))?;
        let caseworker = token(Role::Caseworker, cw, Some(code))?;
        let professional = token(Role::Professional, ep, Some(code))?;
        let list = |name: &str, token: &str, query: &str, variables: Value| Scenario {
            name: format!("{name}, {which}"),
            token: token.to_owned(),
            query: query.to_owned(),
            variables,
        };
        scenarios.extend([
            list("LA backlog (manager)", &manager, &summary, json!({})),
            list("backlog items page of 50", &manager, page, json!({})),
            list(
                "caseworker's backlog items page",
                &caseworker,
                page,
                json!({"f": {"caseworkerId": cw_id}}),
            ),
            list(
                "children page of 50 (name, locality)",
                &manager,
                "{ children(first: 50) { pageInfo { hasNextPage endCursor } nodes { id legalName locality { name } } } }",
                json!({}),
            ),
            list("children page of 50", &manager, &children, json!({})),
            list("assessments page of 50", &manager, &assessments, json!({})),
            list("plans page of 50", &manager, &plans, json!({})),
            list("caseload page of 50", &caseworker, &caseload, json!({})),
            list(
                "advice requests page (EP)",
                &professional,
                advice,
                json!({}),
            ),
            list("audit events page of 50", &manager, audit, json!({})),
            list(
                "a child's whole case",
                &manager,
                whole_case,
                json!({"id": child}),
            ),
        ]);
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let metrics_url = args.url.replace("/graphql", "/metrics");
    println!(
        "{:<46} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6}",
        "scenario", "p50 ms", "p95 ms", "p99 ms", "req/s", "stmts", "errors"
    );
    let chosen = scenarios
        .into_iter()
        .filter(|s| args.only.as_deref().is_none_or(|o| s.name.contains(o)));
    for s in chosen {
        let body = Arc::new(json!({"query": s.query, "variables": s.variables}).to_string());
        // Warm up, and fail loudly on a wrong query.
        let check: Value = client
            .post(&args.url)
            .bearer_auth(&s.token)
            .header("content-type", "application/json")
            .body(body.as_str().to_owned())
            .send()
            .await?
            .json()
            .await?;
        if check.get("errors").is_some() {
            anyhow::bail!("{}: {check}", s.name);
        }
        let statements_before = statements(&client, &metrics_url).await;
        let until = Instant::now() + Duration::from_secs(args.seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..args.concurrency {
            let client = client.clone();
            let url = args.url.clone();
            let token = s.token.clone();
            let body = body.clone();
            tasks.push(tokio::spawn(async move {
                let mut h = Histogram::<u64>::new(3).expect("histogram");
                let mut errors = 0u64;
                while Instant::now() < until {
                    let t = Instant::now();
                    let ok = match client
                        .post(&url)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(body.as_str().to_owned())
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => r
                            .bytes()
                            .await
                            .map(|b| !b.windows(9).any(|w| w == b"\"errors\":"))
                            .unwrap_or(false),
                        _ => false,
                    };
                    h.record(t.elapsed().as_micros() as u64).ok();
                    errors += u64::from(!ok);
                }
                (h, errors)
            }));
        }
        let mut all = Histogram::<u64>::new(3)?;
        let mut errors = 0;
        for t in tasks {
            let (h, e) = t.await?;
            all.add(h)?;
            errors += e;
        }
        let secs = started.elapsed().as_secs_f64();
        let ms = |q: f64| all.value_at_quantile(q) as f64 / 1000.0;
        let per_request = match (statements_before, statements(&client, &metrics_url).await) {
            (Some(a), Some(b)) if !all.is_empty() => {
                format!("{:.1}", (b - a) as f64 / all.len() as f64)
            }
            _ => "-".to_owned(),
        };
        println!(
            "{:<46} {:>8.2} {:>8.2} {:>8.2} {:>8.0} {:>6} {:>6}",
            s.name,
            ms(0.50),
            ms(0.95),
            ms(0.99),
            all.len() as f64 / secs,
            per_request,
            errors
        );
    }
    Ok(())
}

/// The server's `ehcp_db_statements_total`, when it serves metrics (`serve --metrics`).
async fn statements(client: &reqwest::Client, url: &str) -> Option<u64> {
    let text = client.get(url).send().await.ok()?.text().await.ok()?;
    text.lines()
        .find(|l| l.starts_with("ehcp_db_statements_total "))?
        .split_whitespace()
        .nth(1)?
        .parse::<f64>()
        .ok()
        .map(|v| v as u64)
}
