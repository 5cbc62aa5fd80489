//! The outbox: messages written in the transaction of the change that caused them, claimed
//! by delivery workers under a lease, with every attempt kept.
//!
//! - [`after_event`] runs for every audit event (from [`super::audit::record`], in the same
//!   transaction): the family's notice, a professional's advice request, and one webhook
//!   delivery per subscriber to the event's type.
//! - [`claim`] takes due messages for one worker: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
//!   several processes never take the same row; SQLite has one writer at a time. A claim is a
//!   lease: a worker killed mid-delivery leaves rows another worker takes once it expires.
//! - [`finish_attempt`] records the attempt and the message's new state in one transaction.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, Statement,
    TransactionTrait,
};

use crate::clock::uk_date;
use crate::domain::audit::AuditAction;
use crate::domain::messages::{
    AdviceNudge, AfterFailure, Channel, MessageState, Notice, RecipientKind, RetryPolicy,
    advice_notice, choose_channel, event_type, family_notice,
};
use crate::store::audit::AuditEntry;
use crate::store::entity::{
    advice_request, child, child_parent, delivery_attempt, message, parent, professional,
    webhook_subscription,
};

/// Who a message goes to, and how.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub kind: RecipientKind,
    pub id: i64,
    pub name: String,
    pub channel: Channel,
    pub address: Option<String>,
    /// They want optional reminders (statutory notices go regardless).
    pub wants_reminders: bool,
}

/// Where a message comes from: its council, its child and the record it is about.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub la_id: i64,
    pub child_id: Option<i64>,
    pub entity: Option<&'a str>,
    pub entity_id: Option<i64>,
}

/// Writes `notice` to each recipient who should get it (an optional reminder skips those who
/// turned reminders off). `key` makes each message's idempotency key with the recipient's
/// kind and id: enqueuing the same thing twice writes it once.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    about: About<'_>,
    notice: &Notice,
    recipients: &[Recipient],
    key: &str,
) -> Result<(), DbErr> {
    let rows: Vec<message::ActiveModel> = recipients
        .iter()
        .filter(|r| notice.statutory || r.wants_reminders)
        .map(|r| {
            let portal = r.channel == Channel::Portal;
            message::ActiveModel {
                id: NotSet,
                la_id: Set(about.la_id),
                child_id: Set(about.child_id),
                event: Set(notice.event.clone()),
                entity: Set(about.entity.map(str::to_owned)),
                entity_id: Set(about.entity_id),
                recipient_kind: Set(r.kind.as_str().to_owned()),
                recipient_id: Set(r.id),
                recipient_name: Set(r.name.clone()),
                channel: Set(r.channel.as_str().to_owned()),
                address: Set(r.address.clone()),
                statutory: Set(notice.statutory),
                subject: Set(notice.subject.clone()),
                body: Set(notice.body.clone()),
                idempotency_key: Set(format!("{key}:{}:{}", r.kind.as_str(), r.id)),
                // Shown in the portal: there is nothing to deliver.
                state: Set(if portal {
                    MessageState::Sent
                } else {
                    MessageState::Queued
                }
                .as_str()
                .to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(at),
                locked_until: Set(None),
                locked_by: Set(None),
                created_at: Set(at),
                sent_at: Set(portal.then_some(at)),
                last_error: Set(None),
                version: Set(1),
            }
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    match message::Entity::insert_many(rows)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(message::Column::IdempotencyKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
    {
        Ok(_) | Err(DbErr::RecordNotInserted) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The name a message uses for the child: the name they go by.
pub fn child_name(row: &child::Model) -> String {
    row.preferred_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| row.legal_name.clone())
}

fn preferred(code: Option<&str>) -> Option<Channel> {
    code.and_then(|c| Channel::parse(c).ok())
}

/// The child's family: each linked parent, and the young person when they sign in.
pub async fn family<C: ConnectionTrait>(
    db: &C,
    child: &child::Model,
) -> Result<Vec<Recipient>, DbErr> {
    let links = child_parent::Entity::find()
        .filter(child_parent::Column::ChildId.eq(child.id))
        .all(db)
        .await?;
    let parents = parent::Entity::find()
        .filter(parent::Column::Id.is_in(links.iter().map(|l| l.parent_id)))
        .all(db)
        .await?;
    let mut out: Vec<Recipient> = parents
        .into_iter()
        .map(|p| {
            let channel = choose_channel(
                preferred(p.message_channel.as_deref()),
                p.email.is_some(),
                p.phone.is_some(),
            );
            Recipient {
                kind: RecipientKind::Parent,
                id: p.id,
                name: p.name,
                address: address_for(channel, p.email, p.phone),
                channel,
                wants_reminders: p.optional_reminders,
            }
        })
        .collect();
    if child.subject.is_some() {
        let channel = choose_channel(
            preferred(child.message_channel.as_deref()),
            child.contact_email.is_some(),
            child.contact_phone.is_some(),
        );
        out.push(Recipient {
            kind: RecipientKind::YoungPerson,
            id: child.id,
            name: child_name(child),
            address: address_for(
                channel,
                child.contact_email.clone(),
                child.contact_phone.clone(),
            ),
            channel,
            wants_reminders: child.optional_reminders,
        });
    }
    Ok(out)
}

fn address_for(channel: Channel, email: Option<String>, phone: Option<String>) -> Option<String> {
    match channel {
        Channel::Email => email,
        Channel::Sms => phone,
        Channel::Portal | Channel::Webhook => None,
    }
}

/// A professional, by email when they have one (else they read it when they sign in).
pub fn professional_recipient(p: professional::Model) -> Recipient {
    let channel = choose_channel(None, p.email.is_some(), false);
    Recipient {
        kind: RecipientKind::Professional,
        id: p.id,
        name: p.name,
        address: address_for(channel, p.email, None),
        channel,
        wants_reminders: p.optional_reminders,
    }
}

/// The messages an audited change sends, written with `db` (the change's transaction).
pub async fn after_event<C: ConnectionTrait>(
    db: &C,
    event_id: i64,
    at: DateTime<Utc>,
    entry: &AuditEntry<'_>,
) -> Result<(), DbErr> {
    let Some(la_id) = entry.la_id else {
        return Ok(());
    };
    let today = uk_date(at);
    let about = About {
        la_id,
        child_id: entry.child_id,
        entity: Some(entry.entity),
        entity_id: Some(entry.entity_id),
    };
    let key = format!("event:{event_id}");
    if let Some(child_id) = entry.child_id
        && family_notice(entry.entity, entry.action, &entry.summary, "", today).is_some()
        && let Some(child) = child::Entity::find_by_id(child_id).one(db).await?
    {
        let name = child_name(&child);
        if let Some(notice) =
            family_notice(entry.entity, entry.action, &entry.summary, &name, today)
        {
            let recipients = family(db, &child).await?;
            enqueue(db, at, about, &notice, &recipients, &key).await?;
        }
        if entry.action == AuditAction::RequestAdvice {
            advice_requested(db, at, about, &entry.summary, &name).await?;
        }
    }
    webhooks(db, event_id, at, entry, la_id).await
}

/// The professional an advice request is addressed to hears of it.
async fn advice_requested<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    about: About<'_>,
    summary: &serde_json::Value,
    child: &str,
) -> Result<(), DbErr> {
    let Some(advice_id) = summary.get("adviceRequestId").and_then(|v| v.as_i64()) else {
        return Ok(());
    };
    let Some(advice) = advice_request::Entity::find_by_id(advice_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let Some(professional_id) = advice.professional_id else {
        return Ok(());
    };
    let Some(p) = professional::Entity::find_by_id(professional_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let notice = advice_notice(
        AdviceNudge::Requested,
        &advice.service,
        child,
        advice.due_on,
    );
    let about = About {
        entity: Some("advice_request"),
        entity_id: Some(advice.id),
        ..about
    };
    enqueue(
        db,
        at,
        about,
        &notice,
        &[professional_recipient(p)],
        &format!("advice.requested:{}", advice.id),
    )
    .await
}

/// Whether a subscription's event types take `event` (`*` takes every one).
pub fn subscribed(event_types: &str, event: &str) -> bool {
    event_types.split(',').map(str::trim).any(|t| {
        t == "*"
            || t == event
            || t.strip_suffix(".*")
                .is_some_and(|p| event.split('.').next() == Some(p))
    })
}

async fn webhooks<C: ConnectionTrait>(
    db: &C,
    event_id: i64,
    at: DateTime<Utc>,
    entry: &AuditEntry<'_>,
    la_id: i64,
) -> Result<(), DbErr> {
    let event = event_type(entry.entity, entry.action);
    let subscribers: Vec<webhook_subscription::Model> = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::LaId.eq(la_id))
        .filter(webhook_subscription::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .filter(|s| subscribed(&s.event_types, &event))
        .collect();
    if subscribers.is_empty() {
        return Ok(());
    }
    // The Standard Webhooks payload: type, timestamp, data.
    let payload = serde_json::json!({
        "type": event,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": {
            "eventId": event_id,
            "entity": entry.entity,
            "entityId": entry.entity_id,
            "action": entry.action.as_str(),
            "childId": entry.child_id,
            "summary": entry.summary,
        }
    })
    .to_string();
    let notice = Notice {
        event: event.clone(),
        subject: event,
        body: payload,
        statutory: true,
    };
    let recipients: Vec<Recipient> = subscribers
        .into_iter()
        .map(|s| Recipient {
            kind: RecipientKind::Webhook,
            id: s.id,
            name: s.name,
            channel: Channel::Webhook,
            address: Some(s.url),
            wants_reminders: true,
        })
        .collect();
    let about = About {
        la_id,
        child_id: entry.child_id,
        entity: Some(entry.entity),
        entity_id: Some(entry.entity_id),
    };
    enqueue(
        db,
        at,
        about,
        &notice,
        &recipients,
        &format!("event:{event_id}"),
    )
    .await
}

/// Takes up to `limit` due messages on `channels` for `worker`, leased until `now + lease`.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
    channels: &[Channel],
) -> Result<Vec<message::Model>, DbErr> {
    if channels.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let (p, lock) = match backend {
        DbBackend::Postgres => ("$", " FOR UPDATE SKIP LOCKED"),
        _ => ("?", ""),
    };
    let param = |n: usize| {
        if p == "$" {
            format!("${n}")
        } else {
            "?".to_owned()
        }
    };
    let channel_list = (0..channels.len())
        .map(|i| param(5 + i))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE message SET locked_by = {w}, locked_until = {until} \
         WHERE id IN (SELECT id FROM message WHERE state = 'QUEUED' AND next_attempt_at <= {now} \
         AND (locked_until IS NULL OR locked_until < {now2}) AND channel IN ({channel_list}) \
         ORDER BY next_attempt_at, id LIMIT {limit}{lock}) RETURNING *",
        w = param(1),
        until = param(2),
        now = param(3),
        now2 = param(4),
    );
    let mut values: Vec<sea_orm::Value> =
        vec![worker.into(), (now + lease).into(), now.into(), now.into()];
    values.extend(channels.iter().map(|c| c.as_str().into()));
    message::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Delivered; the provider's reference when it gives one.
    Sent(Option<String>),
    /// Not delivered. `permanent`: the provider refused it for good.
    Failed { error: String, permanent: bool },
}

/// One finished attempt, to record.
pub struct Attempt<'a> {
    pub message: &'a message::Model,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: Outcome,
}

/// Records attempts and their messages' new states, in one transaction (one commit for a
/// worker's batch): sent, queued for a retry after the policy's backoff, or dead. Returns
/// the state each moved to. A worker whose lease was taken over still keeps its attempt on
/// record, but changes nothing else. Until this commits, a message stays claimed: a worker
/// that dies first leaves it to be sent again after the lease, under the same key.
pub async fn finish_attempts(
    db: &sea_orm::DatabaseConnection,
    worker: &str,
    attempts: Vec<Attempt<'_>>,
    policy: &RetryPolicy,
) -> Result<Vec<MessageState>, DbErr> {
    if attempts.is_empty() {
        return Ok(Vec::new());
    }
    let txn = db.begin().await?;
    let mut rows = Vec::with_capacity(attempts.len());
    let mut states = Vec::with_capacity(attempts.len());
    for a in &attempts {
        let msg = a.message;
        let attempt = msg.attempts + 1;
        let (state, provider_reference, error) = match &a.outcome {
            Outcome::Sent(reference) => (MessageState::Sent, reference.clone(), None),
            Outcome::Failed { error, permanent } => {
                match policy.after_failure(attempt, *permanent) {
                    AfterFailure::Dead => (MessageState::Dead, None, Some(error.clone())),
                    AfterFailure::RetryIn(_) => (MessageState::Queued, None, Some(error.clone())),
                }
            }
        };
        rows.push(delivery_attempt::ActiveModel {
            id: NotSet,
            message_id: Set(msg.id),
            attempt: Set(attempt),
            worker: Set(worker.to_owned()),
            started_at: Set(a.started_at),
            finished_at: Set(a.finished_at),
            outcome: Set(match a.outcome {
                Outcome::Sent(_) => "SENT",
                Outcome::Failed { .. } => "FAILED",
            }
            .to_owned()),
            provider_reference: Set(provider_reference),
            error: Set(error.clone()),
        });
        let mut change = message::ActiveModel {
            state: Set(state.as_str().to_owned()),
            attempts: Set(attempt),
            locked_by: Set(None),
            locked_until: Set(None),
            last_error: Set(error),
            version: Set(msg.version + 1),
            ..Default::default()
        };
        match state {
            MessageState::Sent => change.sent_at = Set(Some(a.finished_at)),
            MessageState::Queued => {
                if let AfterFailure::RetryIn(d) = policy.after_failure(attempt, false) {
                    change.next_attempt_at = Set(a.finished_at + d);
                }
            }
            MessageState::Dead => {}
        }
        let moved = message::Entity::update_many()
            .set(change)
            .filter(message::Column::Id.eq(msg.id))
            .filter(message::Column::LockedBy.eq(worker))
            .filter(message::Column::State.eq(MessageState::Queued.as_str()))
            .exec(&txn)
            .await?;
        states.push(if moved.rows_affected == 1 {
            state
        } else {
            MessageState::parse(&msg.state).unwrap_or(MessageState::Queued)
        });
    }
    delivery_attempt::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(states)
}

/// Puts a dead letter back in the queue, due now, if it is still dead at `version`.
pub async fn requeue<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let moved = message::Entity::update_many()
        .set(message::ActiveModel {
            state: Set(MessageState::Queued.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            version: Set(version + 1),
            ..Default::default()
        })
        .filter(message::Column::Id.eq(id))
        .filter(message::Column::Version.eq(version))
        .filter(message::Column::State.eq(MessageState::Dead.as_str()))
        .exec(db)
        .await?;
    Ok(moved.rows_affected == 1)
}

/// A day's date as a key part.
pub fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The outbox as `/metrics` reports it.
#[derive(Debug, Default, Clone)]
pub struct OutboxStats {
    /// (channel, state, count).
    pub messages: Vec<(String, String, i64)>,
    /// (channel, failed attempts).
    pub failed_attempts: Vec<(String, i64)>,
    /// When the oldest message still queued was written.
    pub oldest_queued_at: Option<DateTime<Utc>>,
}

#[derive(sea_orm::FromQueryResult)]
struct StateCount {
    channel: String,
    state: String,
    n: i64,
}

#[derive(sea_orm::FromQueryResult)]
struct FailedCount {
    channel: String,
    n: i64,
}

pub async fn stats<C: ConnectionTrait>(db: &C) -> Result<OutboxStats, DbErr> {
    use sea_orm::FromQueryResult;
    let backend = db.get_database_backend();
    let messages = StateCount::find_by_statement(Statement::from_string(
        backend,
        "SELECT channel, state, COUNT(*) AS n FROM message GROUP BY channel, state",
    ))
    .all(db)
    .await?
    .into_iter()
    .map(|r| (r.channel, r.state, r.n))
    .collect();
    let failed_attempts = FailedCount::find_by_statement(Statement::from_string(
        backend,
        "SELECT m.channel, COUNT(*) AS n FROM delivery_attempt a JOIN message m ON m.id = a.message_id \
         WHERE a.outcome = 'FAILED' GROUP BY m.channel",
    ))
    .all(db)
    .await?
    .into_iter()
    .map(|r| (r.channel, r.n))
    .collect();
    use sea_orm::{QueryOrder, QuerySelect};
    let oldest_queued_at = message::Entity::find()
        .select_only()
        .column(message::Column::CreatedAt)
        .filter(message::Column::State.eq(MessageState::Queued.as_str()))
        .order_by_asc(message::Column::CreatedAt)
        .limit(1)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    Ok(OutboxStats {
        messages,
        failed_attempts,
        oldest_queued_at,
    })
}

#[cfg(test)]
mod tests {
    use super::subscribed;

    #[test]
    fn a_subscription_takes_its_types_a_family_of_types_or_everything() {
        assert!(subscribed("*", "assessment.send_draft"));
        assert!(subscribed(
            "plan.cease, assessment.send_draft",
            "assessment.send_draft"
        ));
        assert!(subscribed("assessment.*", "assessment.send_draft"));
        assert!(!subscribed("assessment.*", "annual_review.decide"));
        assert!(!subscribed("assessment.send", "assessment.send_draft"));
    }
}
