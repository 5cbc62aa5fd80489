//! Scheduled jobs, each run once a day however many workers run: the first to write the
//! day's `scheduled_run` row runs the job, in the same transaction as what the job writes.
//!
//! - `deadline_alerts`: every open deadline due within 14 days or overdue gets its alert
//!   (the live updates and digests read them); a council deadline that became overdue in
//!   the last week tells the family (an optional reminder).
//! - `advice_reminders`: a professional hears 7 days before their advice is due, on the
//!   day, and weekly while it is overdue.
//! - `caseworker_digest` (from `EHCP_DIGEST_HOUR`): each caseworker who wants it gets their
//!   deadlines overdue and due within 14 days.
//! - `manager_digest` (Mondays, from the same hour): managers who opted in get the backlog.
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, FromQueryResult, QueryFilter, Statement, TransactionTrait,
};

use crate::clock::uk_date;
use crate::domain::backlog::due_soon_until;
use crate::domain::calendar::add_days;
use crate::domain::messages::{
    AdviceNudge, Channel, DigestLine, RecipientKind, advice_notice, caseworker_digest,
    choose_channel, manager_digest, missed_deadline_notice,
};
use crate::domain::timescales::{DeadlineKind, Party};
use crate::store::entity::{child, professional, staff};
use crate::store::outbox::{
    About, Recipient, child_name, day_key, enqueue, family, professional_recipient,
};

/// Runs the jobs due at `now` that no process has run today.
pub async fn run_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    settings: &crate::config::DeliverySettings,
) -> Result<(), DbErr> {
    let today = uk_date(now);
    let hour = now.with_timezone(&chrono_tz::Europe::London).hour();
    run_day(db, today, now, hour >= settings.digest_hour).await
}

/// The day's jobs (the digests only when `digests`): what `run_due` runs, and what a test
/// or an operator runs for a given day.
pub async fn run_day(
    db: &DatabaseConnection,
    today: NaiveDate,
    now: DateTime<Utc>,
    digests: bool,
) -> Result<(), DbErr> {
    if let Some(txn) = take(db, "deadline_alerts", today, now).await? {
        deadline_alerts(&txn, today, now).await?;
        txn.commit().await?;
    }
    if let Some(txn) = take(db, "advice_reminders", today, now).await? {
        advice_reminders(&txn, today, now).await?;
        txn.commit().await?;
    }
    if digests {
        if let Some(txn) = take(db, "caseworker_digest", today, now).await? {
            caseworker_digests(&txn, today, now).await?;
            txn.commit().await?;
        }
        if today.weekday() == Weekday::Mon
            && let Some(txn) = take(db, "manager_digest", today, now).await?
        {
            manager_digests(&txn, today, now).await?;
            txn.commit().await?;
        }
    }
    Ok(())
}

/// The job's transaction, if this process is the first to take it today.
async fn take(
    db: &DatabaseConnection,
    job: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<DatabaseTransaction>, DbErr> {
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO scheduled_run (job, run_on, started_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING"
        }
        _ => {
            "INSERT INTO scheduled_run (job, run_on, started_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        }
    };
    let taken = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [job.into(), day.into(), now.into()],
        ))
        .await?
        .rows_affected()
        == 1;
    if taken {
        Ok(Some(txn))
    } else {
        txn.rollback().await?;
        Ok(None)
    }
}

/// `?` or `$n` placeholders for the backend.
fn sql(backend: DbBackend, text: &str) -> String {
    if backend != DbBackend::Postgres {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut n = 0;
    for c in text.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// The open deadlines' filter: open today, not lifted by an exception, due by `until`.
const OPEN_DUE: &str = "d.starts_on <= ? AND d.open_until > ? AND d.due_on <= ? \
     AND (d.excepted_from IS NULL OR d.excepted_from > ?)";

#[derive(FromQueryResult)]
struct NewAlert {
    la_id: i64,
    child_id: i64,
    kind: String,
    due_on: NaiveDate,
    alert: String,
}

async fn deadline_alerts(
    txn: &DatabaseTransaction,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    let soon = due_soon_until(today);
    let text = format!(
        "INSERT INTO deadline_alert (la_id, child_id, caseworker_id, process, source_id, kind, \
         advice_request_id, due_on, alert, raised_on) \
         SELECT d.la_id, d.child_id, d.caseworker_id, d.process, d.source_id, d.kind, \
         COALESCE(d.advice_request_id, 0), d.due_on, \
         CASE WHEN d.due_on < ? THEN 'OVERDUE' ELSE 'DUE_SOON' END, ? \
         FROM deadline d WHERE {OPEN_DUE} \
         ON CONFLICT DO NOTHING RETURNING la_id, child_id, kind, due_on, alert"
    );
    let alerts = NewAlert::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql(backend, &text),
        [
            today.into(),
            today.into(),
            today.into(),
            today.into(),
            soon.into(),
            today.into(),
        ],
    ))
    .all(txn)
    .await?;
    // The family hears of a council deadline missed in the last week (not of an old backlog
    // the day this release is installed).
    let recent = add_days(today, -7);
    let mut by_child: BTreeMap<i64, Vec<(DeadlineKind, NaiveDate, i64)>> = BTreeMap::new();
    for a in alerts {
        let Some(kind) = DeadlineKind::parse(&a.kind) else {
            continue;
        };
        if a.alert == "OVERDUE"
            && a.due_on >= recent
            && kind.party() == Party::LocalAuthority
            && kind.statutory()
        {
            by_child
                .entry(a.child_id)
                .or_default()
                .push((kind, a.due_on, a.la_id));
        }
    }
    for (child_id, missed) in by_child {
        let Some(child) = child::Entity::find_by_id(child_id).one(txn).await? else {
            continue;
        };
        let recipients = family(txn, &child).await?;
        let name = child_name(&child);
        for (kind, due_on, la_id) in missed {
            let notice = missed_deadline_notice(kind, due_on, &name);
            let about = About {
                la_id,
                child_id: Some(child_id),
                entity: None,
                entity_id: None,
            };
            let key = format!("missed:{child_id}:{}:{}", kind.as_str(), day_key(due_on));
            enqueue(txn, now, about, &notice, &recipients, &key).await?;
        }
    }
    Ok(())
}

#[derive(FromQueryResult)]
struct OpenAdvice {
    advice_request_id: i64,
    due_on: NaiveDate,
    child_id: i64,
    la_id: i64,
    professional_id: i64,
    service: String,
}

async fn advice_reminders(
    txn: &DatabaseTransaction,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    let text = format!(
        "SELECT d.advice_request_id, d.due_on, d.child_id, d.la_id, a.professional_id, a.service \
         FROM deadline d JOIN advice_request a ON a.id = d.advice_request_id \
         WHERE d.advice_request_id IS NOT NULL AND a.professional_id IS NOT NULL AND {OPEN_DUE}"
    );
    let open = OpenAdvice::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql(backend, &text),
        [
            today.into(),
            today.into(),
            add_days(today, 7).into(),
            today.into(),
        ],
    ))
    .all(txn)
    .await?;
    for advice in open {
        let Some(nudge) = AdviceNudge::on(advice.due_on, today) else {
            continue;
        };
        let (Some(p), Some(child)) = (
            professional::Entity::find_by_id(advice.professional_id)
                .one(txn)
                .await?,
            child::Entity::find_by_id(advice.child_id).one(txn).await?,
        ) else {
            continue;
        };
        if !p.active {
            continue;
        }
        let notice = advice_notice(nudge, &advice.service, &child_name(&child), advice.due_on);
        let about = About {
            la_id: advice.la_id,
            child_id: Some(advice.child_id),
            entity: Some("advice_request"),
            entity_id: Some(advice.advice_request_id),
        };
        let key = format!(
            "{}:{}:{}",
            notice.event,
            advice.advice_request_id,
            day_key(today)
        );
        enqueue(txn, now, about, &notice, &[professional_recipient(p)], &key).await?;
    }
    Ok(())
}

fn staff_recipient(s: staff::Model) -> Recipient {
    let channel = choose_channel(None, s.email.is_some(), false);
    Recipient {
        kind: RecipientKind::Staff,
        id: s.id,
        name: s.name,
        address: if channel == Channel::Email {
            s.email
        } else {
            None
        },
        channel,
        wants_reminders: true,
    }
}

#[derive(FromQueryResult)]
struct CaseworkerDeadline {
    caseworker_id: i64,
    kind: String,
    due_on: NaiveDate,
    legal_name: String,
    preferred_name: Option<String>,
}

async fn caseworker_digests(
    txn: &DatabaseTransaction,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    let text = format!(
        "SELECT d.caseworker_id, d.kind, d.due_on, c.legal_name, c.preferred_name \
         FROM deadline d JOIN child c ON c.id = d.child_id \
         WHERE d.caseworker_id IS NOT NULL AND {OPEN_DUE}"
    );
    let rows = CaseworkerDeadline::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql(backend, &text),
        [
            today.into(),
            today.into(),
            due_soon_until(today).into(),
            today.into(),
        ],
    ))
    .all(txn)
    .await?;
    let mut by_caseworker: BTreeMap<i64, Vec<DigestLine>> = BTreeMap::new();
    for r in rows {
        let Some(kind) = DeadlineKind::parse(&r.kind) else {
            continue;
        };
        // The family's own windows are theirs, not the caseworker's deadline.
        if kind.party() == Party::Parent {
            continue;
        }
        by_caseworker
            .entry(r.caseworker_id)
            .or_default()
            .push(DigestLine {
                child: r
                    .preferred_name
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or(r.legal_name),
                kind,
                due_on: r.due_on,
            });
    }
    if by_caseworker.is_empty() {
        return Ok(());
    }
    let people = staff::Entity::find()
        .filter(staff::Column::Id.is_in(by_caseworker.keys().copied()))
        .filter(staff::Column::Active.eq(true))
        .filter(staff::Column::DailyDigest.eq(true))
        .all(txn)
        .await?;
    for person in people {
        let Some(notice) = caseworker_digest(&by_caseworker[&person.id], today) else {
            continue;
        };
        let about = About {
            la_id: person.la_id,
            child_id: None,
            entity: Some("staff"),
            entity_id: Some(person.id),
        };
        let key = format!("digest.daily:{}", day_key(today));
        enqueue(txn, now, about, &notice, &[staff_recipient(person)], &key).await?;
    }
    Ok(())
}

#[derive(FromQueryResult)]
struct Backlog {
    la_id: i64,
    kind: String,
    overdue: i64,
    soon: i64,
}

async fn manager_digests(
    txn: &DatabaseTransaction,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let managers = staff::Entity::find()
        .filter(staff::Column::Role.eq(crate::domain::access::Role::Manager.as_str()))
        .filter(staff::Column::Active.eq(true))
        .filter(staff::Column::WeeklyDigest.eq(true))
        .all(txn)
        .await?;
    if managers.is_empty() {
        return Ok(());
    }
    let backend = txn.get_database_backend();
    let text = format!(
        "SELECT d.la_id, d.kind, \
         SUM(CASE WHEN d.due_on < ? THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN d.due_on >= ? THEN 1 ELSE 0 END) AS soon \
         FROM deadline d WHERE {OPEN_DUE} GROUP BY d.la_id, d.kind"
    );
    let rows = Backlog::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql(backend, &text),
        [
            today.into(),
            today.into(),
            today.into(),
            today.into(),
            due_soon_until(today).into(),
            today.into(),
        ],
    ))
    .all(txn)
    .await?;
    for manager in managers {
        let mut lines: Vec<(DeadlineKind, i64, i64)> = rows
            .iter()
            .filter(|r| r.la_id == manager.la_id)
            .filter_map(|r| Some((DeadlineKind::parse(&r.kind)?, r.overdue, r.soon)))
            .filter(|(k, _, _)| k.party() != Party::Parent)
            .collect();
        lines.sort_by_key(|(k, o, _)| (-o, k.as_str()));
        let notice = manager_digest(&lines, today);
        let about = About {
            la_id: manager.la_id,
            child_id: None,
            entity: Some("staff"),
            entity_id: Some(manager.id),
        };
        let key = format!("digest.weekly:{}", day_key(today));
        enqueue(txn, now, about, &notice, &[staff_recipient(manager)], &key).await?;
    }
    Ok(())
}
