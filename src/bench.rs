//! `ehcp bench`: the backlog API measured over HTTP against a running `ehcp serve` on data from
//! `ehcp seed-synthetic`. Prints p50/p95/p99 latency and requests per second per scenario.
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
    name: &'static str,
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
    // The LA with the most open deadlines, its busiest caseworker, and a parent.
    let la_code = one_text(
        &db,
        "SELECT l.code FROM local_authority l WHERE l.name LIKE 'Synthetic LA %' ORDER BY l.id LIMIT 1",
    )
    .await?;
    let la_id = one_text(
        &db,
        &format!("SELECT CAST(id AS TEXT) FROM local_authority WHERE code = '{la_code}'"),
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
    let parent = one_text(
        &db,
        "SELECT p.subject FROM parent p JOIN child_parent cp ON cp.parent_id = p.id \
         JOIN assessment a ON a.child_id = cp.child_id WHERE a.closed_on IS NULL ORDER BY p.id LIMIT 1",
    )
    .await?;
    db.close().await.ok();

    let counts = "open onTrack dueSoon overdue excepted overdueBands { upToTwoWeeks twoToSixWeeks sixToTwelveWeeks twelveToTwentySixWeeks twentySixToFiftyTwoWeeks overFiftyTwoWeeks }";
    let summary = format!(
        "{{ backlog {{ totals {{ {counts} }} stages {{ stage counts {{ {counts} }} }} }} }}"
    );
    let page = "query($f: BacklogFilter) { backlogItems(filter: $f, first: 50) { pageInfo { hasNextPage endCursor } edges { node { stage dueOn daysOverdue regulation child { id name } caseworker { name } } } } }";
    let scenarios = vec![
        Scenario {
            name: "whole-dataset backlog (admin)",
            token: token(Role::Admin, crate::seed::synthetic::BENCH_ADMIN, None)?,
            query: summary.clone(),
            variables: json!({}),
        },
        Scenario {
            name: "one LA's backlog (manager)",
            token: token(Role::Manager, &format!("mgr-{la_code}"), Some(&la_code))?,
            query: summary,
            variables: json!({}),
        },
        Scenario {
            name: "drill-down page of 50 (manager)",
            token: token(Role::Manager, &format!("mgr-{la_code}"), Some(&la_code))?,
            query: page.to_owned(),
            variables: json!({}),
        },
        Scenario {
            name: "caseworker's caseload page of 50",
            token: token(Role::Caseworker, &cw, Some(&la_code))?,
            query: page.to_owned(),
            variables: json!({"f": {"caseworkerId": cw_id}}),
        },
        Scenario {
            name: "parent's status view",
            token: token(Role::Parent, &parent, None)?,
            query: "{ assessments(first: 5, open: true) { edges { node { state nextStep { description dueOn regulation } deadlines { kind dueOn status } } } } }".to_owned(),
            variables: json!({}),
        },
    ];
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    println!(
        "{:<36} {:>9} {:>9} {:>9} {:>10} {:>7}",
        "scenario", "p50 ms", "p95 ms", "p99 ms", "req/s", "errors"
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
        println!(
            "{:<36} {:>9.2} {:>9.2} {:>9.2} {:>10.0} {:>7}",
            s.name,
            ms(0.50),
            ms(0.95),
            ms(0.99),
            all.len() as f64 / secs,
            errors
        );
    }
    Ok(())
}
