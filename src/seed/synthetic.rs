//! `ehcp seed-synthetic`: a reproducible national-scale dataset for the backlog and its
//! benchmark. Facts are drawn to the national mix (DOMAIN.md §5: ~46% of new plans within 20
//! weeks, ~6% over a year, long advice waits), cut at today so the cases still running form
//! the open backlog, and their deadline rows come from the same domain rules the services use.
//! Rows go in a few thousand children per transaction: PostgreSQL's COPY (with the deadline
//! table's indexes built after the load when it starts empty), multi-row INSERTs on SQLite.
use std::fmt::Write as _;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};

use crate::domain::assessment::{
    AdviceFacts, AssessmentFacts, AssessmentKind, AssessmentState, sen2_twenty_week_measure,
    tracked_deadlines,
};
use crate::domain::backlog::{Process, TrackedDeadline};
use crate::domain::calendar::{add_days, add_months};
use crate::domain::plan::{DecidedReview, PlanFacts, tracked_deadlines as plan_deadlines};
use crate::domain::timescales::DeadlineKind;
use crate::domain::timescales::{RecordedException, standard_exception_reasons};
use crate::store::backlog::open_ended;

pub struct Options {
    pub children: u64,
    pub las: Option<u32>,
    pub seed: u64,
    pub today: NaiveDate,
}

/// Children per transaction.
const BATCH: u64 = 2_000;
/// Years of history.
const HISTORY_DAYS: i64 = 5 * 365;
const CASELOAD: u64 = 200;

/// Advice services asked in every assessment, and their response days (min, max).
const ADVICE: [(&str, f64, i64, i64); 6] = [
    ("EDUCATIONAL_PSYCHOLOGY", 1.0, 20, 130),
    ("PAEDIATRICS", 1.0, 15, 80),
    ("SOCIAL_CARE", 0.8, 10, 60),
    ("SCHOOL_OR_SETTING", 1.0, 7, 45),
    ("CAMHS", 0.35, 20, 120),
    ("SPEECH_AND_LANGUAGE_THERAPY", 0.4, 15, 90),
];

struct Staff {
    id: i64,
    team_id: i64,
}

struct La {
    id: i64,
    localities: Vec<i64>,
    caseworkers: Vec<Staff>,
}

/// Rows waiting to be written, one VALUES list (or, for COPY, one text block) per table.
struct Buffers {
    tables: Vec<(&'static str, &'static str, String, usize)>,
    copy: bool,
}

/// One row of SQL literals (`1, 'a', NULL, TRUE`) as a line of COPY text.
fn copy_line(values: &str, out: &mut String) {
    let mut field = String::new();
    let mut quoted = false;
    let mut in_quote = false;
    let mut first = true;
    let mut chars = values.chars().peekable();
    let end_field = |field: &mut String, quoted: bool, out: &mut String, first: &mut bool| {
        if !*first {
            out.push('\t');
        }
        *first = false;
        let raw = if quoted { field.as_str() } else { field.trim() };
        match (quoted, raw) {
            (false, "NULL") => out.push_str("\\N"),
            (false, "TRUE") => out.push('t'),
            (false, "FALSE") => out.push('f'),
            _ => {
                for c in raw.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\t' => out.push_str("\\t"),
                        '\n' => out.push_str("\\n"),
                        c => out.push(c),
                    }
                }
            }
        }
        field.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' if in_quote && chars.peek() == Some(&'\'') => {
                chars.next();
                field.push('\'');
            }
            '\'' => {
                in_quote = !in_quote;
                quoted = true;
            }
            ',' if !in_quote => {
                end_field(&mut field, quoted, out, &mut first);
                quoted = false;
            }
            c if !in_quote && !quoted && c == ' ' && field.is_empty() => {}
            c if !in_quote && quoted => {
                // Spaces after a closing quote, before the comma.
                debug_assert!(c == ' ', "unexpected {c:?} after a quoted value");
            }
            c => field.push(c),
        }
    }
    end_field(&mut field, quoted, out, &mut first);
    out.push('\n');
}

impl Buffers {
    fn new(copy: bool) -> Self {
        let t = |name, cols| (name, cols, String::new(), 0);
        Buffers {
            tables: vec![
                t(
                    "child",
                    "id, la_id, legal_name, date_of_birth, locality_id, sex, ethnicity, upn, version, created_at, updated_at",
                ),
                t("parent", "id, la_id, subject, name, created_at"),
                t("child_parent", "child_id, parent_id, relationship"),
                t(
                    "assessment",
                    "id, la_id, child_id, kind, state, requested_by, received_on, caseworker_id, decided_to_assess_on, decided_not_to_assess_on, decided_not_to_issue_on, draft_sent_on, parent_responded_on, final_issued_on, within_twenty_weeks, exception_applies, withdrawn_on, closed_on, parent_meeting_requested, decision_reasons, version, created_at, updated_at",
                ),
                t(
                    "advice_request",
                    "id, la_id, child_id, assessment_id, service, requested_on, due_on, received_on, declined_on, decline_reason, created_at",
                ),
                t(
                    "assessment_exception",
                    "id, assessment_id, reason_code, starts_on, ends_on, advice_request_id, created_at",
                ),
                t(
                    "ehc_plan",
                    "id, la_id, child_id, assessment_id, status, issued_on, last_review_decision_on, review_due_on, primary_need, personal_budget, organised_arrangements, version, created_at, updated_at",
                ),
                t(
                    "annual_review",
                    "id, la_id, child_id, plan_id, kind, state, scheduled_on, meeting_on, meeting_held, due_by, due_by_kind, invitations_sent_on, advice_circulated_on, report_received_on, decided_on, decision, closed_on, version, created_at, updated_at",
                ),
                t(
                    "placement",
                    "la_id, child_id, plan_id, rank, urn, entry_on, sen_unit, resourced_provision, created_at",
                ),
                t(
                    "deadline",
                    "process, kind, source_id, advice_request_id, la_id, child_id, locality_id, team_id, caseworker_id, service, starts_on, due_on, met_on, open_until, excepted_from, target_on",
                ),
            ],
            copy,
        }
    }

    fn add(&mut self, table: usize, values: String) {
        let copy = self.copy;
        let (_, _, buf, n) = &mut self.tables[table];
        if copy {
            copy_line(&values, buf);
        } else {
            if *n > 0 {
                buf.push(',');
            }
            buf.push('(');
            buf.push_str(&values);
            buf.push(')');
        }
        *n += 1;
    }

    /// Writes every buffered row with COPY on a PostgreSQL connection.
    async fn copy_into(&mut self, conn: &mut sea_orm::sqlx::PgConnection) -> anyhow::Result<u64> {
        let mut rows = 0;
        for (name, cols, buf, n) in &mut self.tables {
            if *n == 0 {
                continue;
            }
            let mut copy = conn
                .copy_in_raw(&format!("COPY {name} ({cols}) FROM STDIN"))
                .await
                .with_context(|| format!("copying into {name}"))?;
            copy.send(buf.as_bytes()).await?;
            copy.finish()
                .await
                .with_context(|| format!("copying into {name}"))?;
            rows += *n as u64;
            buf.clear();
            *n = 0;
        }
        Ok(rows)
    }

    async fn flush<C: ConnectionTrait>(&mut self, db: &C) -> anyhow::Result<u64> {
        let mut rows = 0;
        for (name, cols, buf, n) in &mut self.tables {
            if *n == 0 {
                continue;
            }
            let sql = format!("INSERT INTO {name} ({cols}) VALUES {buf}");
            db.execute_unprepared(&sql)
                .await
                .with_context(|| format!("inserting into {name}"))?;
            rows += *n as u64;
            buf.clear();
            *n = 0;
        }
        Ok(rows)
    }
}

const CHILD: usize = 0;
const PARENT: usize = 1;
const CHILD_PARENT: usize = 2;
const ASSESSMENT: usize = 3;
const ADVICE_REQUEST: usize = 4;
const EXCEPTION: usize = 5;
const PLAN: usize = 6;
const REVIEW: usize = 7;
const PLACEMENT: usize = 8;
const DEADLINE: usize = 9;

/// Ethnicity codes (SEN2 `ETHNICITY`) the synthetic children are given in turn.
const SYNTHETIC_ETHNICITIES: [&str; 6] = ["WBRI", "WOTH", "MWBC", "APKN", "BAFR", "NOBT"];

/// One batch of children, written in one transaction.
enum Batch {
    Sql(sea_orm::DatabaseTransaction),
    Copy(sea_orm::sqlx::Transaction<'static, sea_orm::sqlx::Postgres>),
}

impl Batch {
    async fn begin(db: &DatabaseConnection) -> anyhow::Result<Self> {
        Ok(match db.get_database_backend() {
            DbBackend::Postgres => Batch::Copy(db.get_postgres_connection_pool().begin().await?),
            _ => Batch::Sql(db.begin().await?),
        })
    }

    async fn flush(&mut self, buffers: &mut Buffers) -> anyhow::Result<u64> {
        match self {
            Batch::Sql(txn) => buffers.flush(txn).await,
            Batch::Copy(txn) => buffers.copy_into(txn).await,
        }
    }

    async fn commit(self) -> anyhow::Result<()> {
        match self {
            Batch::Sql(txn) => txn.commit().await?,
            Batch::Copy(txn) => txn.commit().await?,
        }
        Ok(())
    }
}

/// A plan's reviews so far: each 12-month cycle decided on time a little over half the time,
/// otherwise up to ~7 months late; the cycle still running has no decision yet.
fn draw_reviews(rng: &mut StdRng, issued_on: NaiveDate, today: NaiveDate) -> Vec<DecidedReview> {
    let mut reviews = Vec::new();
    let mut start = issued_on;
    loop {
        let due_by = add_months(start, 12);
        let decided_on = if rng.random::<f64>() < 0.55 {
            add_days(due_by, -rng.random_range(0..45))
        } else {
            add_days(due_by, rng.random_range(1..200))
        };
        if decided_on > today {
            return reviews;
        }
        reviews.push(DecidedReview {
            due_by,
            due_by_kind: DeadlineKind::AnnualReview,
            decided_on,
        });
        start = decided_on;
    }
}

const NOW: &str = "'2025-01-01T00:00:00+00:00'";

fn date(d: NaiveDate) -> String {
    format!("'{d}'")
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_else(|| "NULL".into())
}

fn opt_int(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "NULL".into())
}

fn opt_bool(b: Option<bool>) -> String {
    match b {
        Some(true) => "TRUE".into(),
        Some(false) => "FALSE".into(),
        None => "NULL".into(),
    }
}

/// The administrator `bench` signs in as.
pub const BENCH_ADMIN: &str = "bench-admin";

async fn next_id(db: &DatabaseConnection, table: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"),
        ))
        .await?
        .context("no row")?;
    Ok(row.try_get::<i64>("", "m")? + 1)
}

/// A three-digit LA code (tokens carry three digits) counted down from 999: up to 61 LAs
/// stay above the codes DfE uses for real ones (201 to 938). Load into a database of its own.
fn la_code(n: u32) -> anyhow::Result<String> {
    if n >= 60 + 153 {
        bail!("at most 213 synthetic local authorities");
    }
    Ok(format!("{:03}", 999 - n))
}

/// One child's needs assessment, drawn to the national mix and cut at `today`.
pub fn draw_assessment(rng: &mut StdRng, today: NaiveDate, advice_id: &mut i64) -> AssessmentFacts {
    let received = add_days(today, -rng.random_range(0..HISTORY_DAYS));
    let mut f = AssessmentFacts::new(AssessmentKind::Initial, received);
    let decided = add_days(received, rng.random_range(21..=56));
    let outcome: f64 = rng.random();
    if outcome < 0.22 {
        f.decided_not_to_assess_on = Some(decided);
        return f.as_of(today);
    }
    f.decided_to_assess_on = Some(decided);
    let mut last_advice = decided;
    for (service, share, min, max) in ADVICE {
        if rng.random::<f64>() >= share {
            continue;
        }
        let requested = add_days(decided, rng.random_range(1..=5));
        let answered = add_days(requested, rng.random_range(min..=max));
        let declined = rng.random::<f64>() < 0.03;
        last_advice = last_advice.max(answered);
        f.advice.push(AdviceFacts {
            id: *advice_id,
            from: service.to_owned(),
            requested_on: requested,
            received_on: (!declined).then_some(answered),
            declined_on: declined.then_some(answered),
        });
        *advice_id += 1;
    }
    if rng.random::<f64>() < 0.04 {
        let starts = add_days(received, rng.random_range(20..80));
        f.exceptions.push(RecordedException {
            reason: standard_exception_reasons()
                .into_iter()
                .find(|r| r.code == "ABSENT_FROM_AREA")
                .expect("standard reason"),
            starts_on: starts,
            ends_on: add_days(starts, rng.random_range(28..60)),
            advice_request_id: None,
            advice_requested_on: None,
        });
    }
    if outcome < 0.28 {
        f.decided_not_to_issue_on = Some(add_days(last_advice, rng.random_range(7..30)));
    } else if outcome < 0.31 {
        f.withdrawn_on = Some(add_days(decided, rng.random_range(10..120)));
    } else {
        // 46% within 20 weeks, 6.4% over a year (SEN2, 2024).
        let p: f64 = rng.random();
        let days = if p < 0.46 {
            rng.random_range(98..=140)
        } else if p < 0.936 {
            rng.random_range(141..=364)
        } else {
            rng.random_range(365..=500)
        };
        let issued = add_days(received, days);
        let draft = add_days(issued, -rng.random_range(16..35));
        // The draft is written from the advice: anything later came in just before it.
        for a in &mut f.advice {
            if let Some(on) = a.received_on.filter(|on| *on >= draft) {
                let latest = add_days(draft, -1).max(a.requested_on);
                a.received_on = Some(on.min(latest));
            }
            if let Some(on) = a.declined_on.filter(|on| *on >= draft) {
                a.declined_on = Some(on.min(add_days(draft, -1).max(a.requested_on)));
            }
        }
        f.draft_sent_on = Some(draft);
        if rng.random::<f64>() < 0.7 {
            f.parent_responded_on = Some(add_days(draft, rng.random_range(3..=20)));
        }
        f.final_issued_on = Some(issued);
    }
    f.as_of(today)
}

fn state_of(f: &AssessmentFacts) -> AssessmentState {
    if f.final_issued_on.is_some() {
        AssessmentState::FinalIssued
    } else if f.decided_not_to_issue_on.is_some() {
        AssessmentState::DecidedNotToIssue
    } else if f.decided_not_to_assess_on.is_some() {
        AssessmentState::DecidedNotToAssess
    } else if f.withdrawn_on.is_some() {
        AssessmentState::Withdrawn
    } else if f.draft_sent_on.is_some() {
        AssessmentState::DraftIssued
    } else if f.decided_to_assess_on.is_some() {
        AssessmentState::Assessing
    } else {
        AssessmentState::Requested
    }
}

pub struct Report {
    pub children: u64,
    pub las: u32,
    pub rows: u64,
    pub open_deadlines: u64,
    pub seconds: f64,
}

pub async fn load(db: &DatabaseConnection, opts: Options) -> anyhow::Result<Report> {
    let started = std::time::Instant::now();
    let backend = db.get_database_backend();
    let n = opts.children;
    if n == 0 {
        bail!("--children must be at least 1");
    }
    let las = opts
        .las
        .unwrap_or(((n / 6_500) as u32).clamp(1, 153))
        .max(1);
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let today = opts.today;

    // Organisation: LAs, 6 localities and 3 teams each, a manager and ~200 children per caseworker.
    let mut la_id = next_id(db, "local_authority").await?;
    let mut locality_id = next_id(db, "locality").await?;
    let mut team_id = next_id(db, "team").await?;
    let mut staff_id = next_id(db, "staff").await?;
    let existing: i64 = next_id(db, "local_authority").await? - 1;
    let mut org = String::new();
    let mut la_list = Vec::new();
    let per_la = n.div_ceil(u64::from(las));
    let txn = db.begin().await?;
    // The benchmark signs in as this administrator for the national views.
    txn.execute_unprepared(&format!(
        "INSERT INTO administrator (subject, name, active, created_at) VALUES \
         ('{BENCH_ADMIN}', 'Benchmark administrator', TRUE, {NOW}) ON CONFLICT (subject) DO NOTHING"
    ))
    .await?;
    for k in 0..las {
        let code = la_code(existing as u32 + k)?;
        let id = la_id;
        la_id += 1;
        txn.execute_unprepared(&format!(
            "INSERT INTO local_authority (id, code, name, created_at) VALUES ({id}, '{code}', 'Synthetic LA {code}', {NOW})"
        ))
        .await
        .with_context(|| format!("LA code {code} exists: seed-synthetic loads into a fresh database"))?;
        let mut localities = Vec::new();
        org.clear();
        for l in 0..6 {
            write!(
                org,
                "{}({locality_id}, {id}, 'Locality {l}')",
                if l > 0 { "," } else { "" }
            )?;
            localities.push(locality_id);
            locality_id += 1;
        }
        txn.execute_unprepared(&format!(
            "INSERT INTO locality (id, la_id, name) VALUES {org}"
        ))
        .await?;
        let teams: Vec<i64> = (0..3).map(|t| team_id + t).collect();
        org.clear();
        for (t, tid) in teams.iter().enumerate() {
            write!(
                org,
                "{}({tid}, {id}, 'Team {t}')",
                if t > 0 { "," } else { "" }
            )?;
        }
        team_id += 3;
        txn.execute_unprepared(&format!("INSERT INTO team (id, la_id, name) VALUES {org}"))
            .await?;
        let workers = (per_la / CASELOAD).max(2);
        org.clear();
        write!(
            org,
            "({staff_id}, {id}, {}, 'mgr-{code}', 'Manager {code}', 'manager', TRUE, {NOW})",
            teams[0]
        )?;
        staff_id += 1;
        let mut caseworkers = Vec::new();
        for w in 0..workers {
            let team = teams[(w % 3) as usize];
            write!(
                org,
                ",({staff_id}, {id}, {team}, 'cw-{code}-{w}', 'Caseworker {w} {code}', 'caseworker', TRUE, {NOW})"
            )?;
            caseworkers.push(Staff {
                id: staff_id,
                team_id: team,
            });
            staff_id += 1;
        }
        txn.execute_unprepared(&format!(
            "INSERT INTO staff (id, la_id, team_id, subject, name, role, active, created_at) VALUES {org}"
        ))
        .await?;
        la_list.push(La {
            id,
            localities,
            caseworkers,
        });
    }
    txn.commit().await?;

    let mut child_id = next_id(db, "child").await?;
    let mut parent_id = next_id(db, "parent").await?;
    let mut assessment_id = next_id(db, "assessment").await?;
    let mut advice_id = next_id(db, "advice_request").await?;
    let mut exception_id = next_id(db, "assessment_exception").await?;
    let mut plan_id = next_id(db, "ehc_plan").await?;
    let mut review_id = next_id(db, "annual_review").await?;
    let deferred = defer_deadline_indexes(db).await?;
    let open = open_ended();
    let bar = ProgressBar::new(n);
    bar.set_style(ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} children ({per_sec}, eta {eta})",
    )?);
    let mut rows = 0u64;
    let mut open_deadlines = 0u64;
    let mut buffers = Buffers::new(backend == DbBackend::Postgres);
    let mut done = 0u64;
    while done < n {
        let batch = BATCH.min(n - done);
        let mut batch_txn = Batch::begin(db).await?;
        for i in 0..batch {
            let la = &la_list[((done + i) / per_la) as usize];
            let locality = la.localities[rng.random_range(0..la.localities.len())];
            let worker = &la.caseworkers[rng.random_range(0..la.caseworkers.len())];
            let dob = add_days(today, -rng.random_range(365 * 2..365 * 20));
            let cid = child_id;
            child_id += 1;
            // One parent account per 50 children, for the parent's status view.
            if cid % 50 == 0 {
                buffers.add(
                    PARENT,
                    format!(
                        "{parent_id}, {}, 'parent-{cid}', 'Parent of {cid}', {NOW}",
                        la.id
                    ),
                );
                buffers.add(CHILD_PARENT, format!("{cid}, {parent_id}, 'parent'"));
                parent_id += 1;
            }
            let facts = draw_assessment(&mut rng, today, &mut advice_id);
            // Born at least two years before anything was asked for them (an import, like
            // the API, refuses a plan issued before its child's birth).
            let dob = dob.min(add_days(facts.received_on, -365 * 2));
            buffers.add(
                CHILD,
                format!(
                    "{cid}, {}, 'Child {cid}', {}, {locality}, '{}', '{}', '{}', 1, {NOW}, {NOW}",
                    la.id,
                    date(dob),
                    if cid % 2 == 0 { "F" } else { "M" },
                    SYNTHETIC_ETHNICITIES[(cid % SYNTHETIC_ETHNICITIES.len() as i64) as usize],
                    crate::domain::sen2::upn_from(&format!(
                        "{:03}{:09}",
                        la.id % 1000,
                        cid % 1_000_000_000
                    ))
                    .unwrap_or_default(),
                ),
            );
            let aid = assessment_id;
            assessment_id += 1;
            let state = state_of(&facts);
            let measure = sen2_twenty_week_measure(&facts);
            let closed = [
                facts.decided_not_to_assess_on,
                facts.decided_not_to_issue_on,
                facts.final_issued_on,
                facts.withdrawn_on,
            ]
            .into_iter()
            .flatten()
            .min();
            buffers.add(
                ASSESSMENT,
                format!(
                    "{aid}, {la}, {cid}, 'INITIAL', '{state}', 'PARENT', {received}, {cw}, {dta}, {dnta}, {dnti}, {draft}, {resp}, {fin}, {w20}, {exc}, {wd}, {closed}, FALSE, {reasons}, 1, {NOW}, {NOW}",
                    la = la.id,
                    state = state.as_str(),
                    received = date(facts.received_on),
                    cw = worker.id,
                    dta = opt_date(facts.decided_to_assess_on),
                    dnta = opt_date(facts.decided_not_to_assess_on),
                    dnti = opt_date(facts.decided_not_to_issue_on),
                    draft = opt_date(facts.draft_sent_on),
                    resp = opt_date(facts.parent_responded_on),
                    fin = opt_date(facts.final_issued_on),
                    w20 = opt_bool(measure.map(|m| m.within_twenty_weeks)),
                    exc = opt_bool(measure.map(|m| m.exception_applies)),
                    wd = opt_date(facts.withdrawn_on),
                    closed = opt_date(closed),
                    reasons = if facts.decided_not_to_assess_on.is_some() {
                        "'Needs can be met from the resources the school has (synthetic)'"
                    } else {
                        "NULL"
                    },
                ),
            );
            for a in &facts.advice {
                buffers.add(
                    ADVICE_REQUEST,
                    format!(
                        "{}, {}, {cid}, {aid}, '{}', {}, {}, {}, {}, {}, {NOW}",
                        a.id,
                        la.id,
                        a.from,
                        date(a.requested_on),
                        date(add_days(a.requested_on, 42)),
                        opt_date(a.received_on),
                        opt_date(a.declined_on),
                        if a.declined_on.is_some() {
                            "'No open referral (synthetic)'"
                        } else {
                            "NULL"
                        }
                    ),
                );
            }
            for e in &facts.exceptions {
                buffers.add(
                    EXCEPTION,
                    format!(
                        "{exception_id}, {aid}, '{}', {}, {}, NULL, {NOW}",
                        e.reason.code,
                        date(e.starts_on),
                        date(e.ends_on)
                    ),
                );
                exception_id += 1;
            }
            let mut deadline = |buffers: &mut Buffers,
                                source_id: i64,
                                t: &TrackedDeadline,
                                service: String| {
                let Some(process) = Process::of(t.kind) else {
                    return;
                };
                let open_until = t.settled_on.unwrap_or(open);
                if open_until > today && t.starts_on <= today {
                    open_deadlines += 1;
                }
                buffers.add(
                    DEADLINE,
                    format!(
                        "'{}', '{}', {source_id}, {}, {}, {cid}, {locality}, {}, {}, {service}, {}, {}, {}, {}, {}, {}",
                        process.as_str(),
                        t.kind.as_str(),
                        opt_int(t.advice_request_id),
                        la.id,
                        worker.team_id,
                        worker.id,
                        date(t.starts_on),
                        date(t.due_on),
                        opt_date(t.met_on),
                        date(open_until),
                        opt_date(t.excepted_from),
                        opt_date(t.target_on),
                    ),
                );
            };
            if let Some(issued) = facts.final_issued_on {
                let pid = plan_id;
                plan_id += 1;
                let reviews = draw_reviews(&mut rng, issued, today);
                let mut plan = PlanFacts::new(issued, dob);
                plan.last_review_decision_on = reviews.last().map(|r| r.decided_on);
                // Needs, settings and budgets are spread by id, not drawn (drawing would
                // change every later draw of the seeded stream): a setting's URN per LA and
                // child, one plan in ten with a budget, one child in twenty in a SEN unit.
                let needs = crate::domain::plan::SenNeed::ALL;
                let need = needs[(cid as usize * 7) % needs.len()];
                let budget = pid % 10 == 0;
                buffers.add(
                    PLAN,
                    format!(
                        "{pid}, {}, {cid}, {aid}, 'ACTIVE', {}, {}, {}, '{}', {}, {}, 1, {NOW}, {NOW}",
                        la.id,
                        date(issued),
                        opt_date(plan.last_review_decision_on),
                        date(plan.review_limit().due_on),
                        need.as_str(),
                        opt_bool(Some(budget)),
                        opt_bool(Some(budget)),
                    ),
                );
                buffers.add(
                    PLACEMENT,
                    format!(
                        "{}, {cid}, {pid}, 1, '{}', {}, {}, FALSE, {NOW}",
                        la.id,
                        100_000 + (la.id * 997 + cid) % 50_000,
                        date(issued),
                        opt_bool(Some(cid % 20 == 0)),
                    ),
                );
                for r in &reviews {
                    let meeting = add_days(r.decided_on, -rng.random_range(7..28));
                    let scheduled = add_days(meeting, -rng.random_range(28..56));
                    let notice = add_days(meeting, -rng.random_range(14..21));
                    let report = add_days(meeting, rng.random_range(3..14)).min(r.decided_on);
                    buffers.add(
                        REVIEW,
                        format!(
                            "{review_id}, {}, {cid}, {pid}, 'ANNUAL', 'DECIDED', {}, {}, TRUE, {}, 'ANNUAL_REVIEW', {}, {}, {}, {}, 'MAINTAIN', {}, 1, {NOW}, {NOW}",
                            la.id,
                            date(scheduled),
                            date(meeting),
                            date(r.due_by),
                            date(notice),
                            date(notice),
                            date(report),
                            date(r.decided_on),
                            date(r.decided_on),
                        ),
                    );
                    review_id += 1;
                }
                for t in plan_deadlines(&plan, &reviews, None, issued) {
                    deadline(&mut buffers, pid, &t, "NULL".into());
                }
            }
            for t in tracked_deadlines(&facts) {
                let service = t
                    .advice_request_id
                    .and_then(|id| facts.advice.iter().find(|a| a.id == id))
                    .map(|a| format!("'{}'", a.from))
                    .unwrap_or_else(|| "NULL".into());
                deadline(&mut buffers, aid, &t, service);
            }
            // Multi-row INSERTs stay a manageable size; COPY sends the batch at once (each
            // COPY is a round trip or two, so fewer is faster).
            if !buffers.copy && buffers.tables[DEADLINE].3 >= 1_000 {
                rows += batch_txn.flush(&mut buffers).await?;
            }
        }
        rows += batch_txn.flush(&mut buffers).await?;
        batch_txn.commit().await?;
        done += batch;
        bar.set_position(done);
    }
    bar.finish();
    for definition in deferred {
        db.execute_unprepared(&definition).await?;
    }
    finish_load(db, backend).await?;
    // Into a fresh database every deadline was just computed by this release's rules: the
    // server need not recompute them all at its first start (minutes at 1M children).
    if existing == 0 && crate::store::rules_applied::current(db).await?.is_none() {
        crate::store::rules_applied::record(
            db,
            crate::domain::rules::RULES_VERSION,
            chrono::Utc::now(),
        )
        .await?;
    }
    Ok(Report {
        children: n,
        las,
        rows,
        open_deadlines,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// On PostgreSQL, when the deadline table is empty: drops its secondary indexes and returns
/// their definitions, to build them once after the load (far faster than row by row).
async fn defer_deadline_indexes(db: &DatabaseConnection) -> anyhow::Result<Vec<String>> {
    if db.get_database_backend() != DbBackend::Postgres || next_id(db, "deadline").await? != 1 {
        return Ok(Vec::new());
    }
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
             AND tablename = 'deadline' AND indexname <> 'deadline_pkey'",
        ))
        .await?;
    let mut definitions = Vec::new();
    for row in rows {
        let name: String = row.try_get("", "indexname")?;
        definitions.push(row.try_get::<String>("", "indexdef")?);
        db.execute_unprepared(&format!("DROP INDEX \"{name}\""))
            .await?;
    }
    Ok(definitions)
}

/// Moves sequences past the ids written and refreshes the planner's statistics.
async fn finish_load(db: &DatabaseConnection, backend: DbBackend) -> anyhow::Result<()> {
    // The deadline rows changed outside the services: bump every LA's backlog generation so
    // a running server does not answer from counts it kept before.
    db.execute_unprepared(
        "INSERT INTO backlog_generation (la_id, generation) \
         SELECT DISTINCT la_id, 1 FROM deadline WHERE TRUE \
         ON CONFLICT (la_id) DO UPDATE SET generation = backlog_generation.generation + 1",
    )
    .await?;
    let tables = [
        "local_authority",
        "locality",
        "team",
        "staff",
        "child",
        "parent",
        "assessment",
        "advice_request",
        "assessment_exception",
        "ehc_plan",
        "annual_review",
        "deadline",
    ];
    match backend {
        DbBackend::Postgres => {
            for t in tables {
                db.execute_unprepared(&format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {t}))"
                ))
                .await?;
            }
            // Fresh visibility map, so the summaries can be index-only scans.
            db.execute_unprepared("VACUUM ANALYZE").await?;
        }
        _ => {
            db.execute_unprepared("ANALYZE").await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_assessments_follow_the_national_mix_and_the_rules() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        let mut advice_id = 1;
        let (mut plans, mut within, mut over_year) = (0, 0, 0);
        for _ in 0..20_000 {
            let f = draw_assessment(&mut rng, today, &mut advice_id);
            assert!(f.received_on <= today);
            if let Some(m) = sen2_twenty_week_measure(&f) {
                plans += 1;
                within += i32::from(m.within_twenty_weeks);
                over_year += i32::from(m.days_taken > 364);
            }
        }
        let share = f64::from(within) / f64::from(plans);
        assert!((0.40..0.52).contains(&share), "{share}");
        let share = f64::from(over_year) / f64::from(plans);
        assert!((0.03..0.10).contains(&share), "{share}");
    }

    #[test]
    fn sql_literals_become_copy_text() {
        let mut out = String::new();
        copy_line(
            "7, 'Parent of 50', NULL, TRUE, FALSE, 'it''s', '2025-01-01', 'a\\b'",
            &mut out,
        );
        assert_eq!(
            out,
            "7\tParent of 50\t\\N\tt\tf\tit's\t2025-01-01\ta\\\\b\n"
        );
        let mut out = String::new();
        copy_line("'NULL', ''", &mut out);
        assert_eq!(
            out, "NULL\t\n",
            "a quoted NULL is text, an empty string stays empty"
        );
    }

    #[test]
    fn reviews_are_drawn_cycle_by_cycle_up_to_today() {
        let mut rng = StdRng::seed_from_u64(3);
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let issued = NaiveDate::from_ymd_opt(2021, 1, 10).unwrap();
        let reviews = draw_reviews(&mut rng, issued, today);
        assert!(reviews.len() >= 3, "{reviews:?}");
        let mut start = issued;
        for r in &reviews {
            assert_eq!(r.due_by, add_months(start, 12));
            assert!(r.decided_on <= today);
            start = r.decided_on;
        }
        assert!(
            add_months(start, 12) > add_days(today, -200),
            "the open cycle is recent"
        );
    }

    #[test]
    fn la_codes_are_unique_three_digit_codes() {
        let codes: std::collections::HashSet<String> =
            (0..213).map(|n| la_code(n).unwrap()).collect();
        assert_eq!(codes.len(), 213);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 3 && c.parse::<u32>().is_ok())
        );
        assert!(la_code(213).is_err());
    }
}
