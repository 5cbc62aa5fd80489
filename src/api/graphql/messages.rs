//! Messages the system sent (`messages`, `caseMessages`, dead letters), how people are
//! reached (`messagePreferences`), webhook subscriptions for council systems, and the live
//! updates a frontend subscribes to over `graphql-transport-ws`.
//!
//! Subscriptions read what has been committed, under exactly the rules of the queries: each
//! poll runs the same scoped query as `auditEvents`, `messages` and `caseMessages` do, as the
//! person who signed in on the connection. So they work the same with one server or many.
use std::time::Duration;

use async_graphql::{
    Context, Description, Enum, ID, InputObject, Object, Result, SimpleObject, Subscription,
};
use futures_util::Stream;

use super::{Date, Id, Kind, Listing, connection, ctx, loaders, page_request};
use crate::domain::messages as rules;
use crate::error::ApiError;
use crate::service::messages::{self as svc, PreferencesChange, SubscriptionChange};
use crate::store::entity::{
    audit_event, deadline_alert, delivery_attempt, message, webhook_subscription,
};

/// How a message reaches its recipient.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::messages::Channel")]
pub enum MessageChannel {
    /// Email: over SMTP, or through GOV.UK Notify.
    Email,
    /// A text message, through GOV.UK Notify.
    Sms,
    /// Shown in the portal only.
    Portal,
    /// A signed HTTP POST to a council system (Standard Webhooks).
    Webhook,
}

/// Where a message is in its delivery.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::messages::MessageState")]
pub enum MessageState {
    /// Waiting to be sent (new, or to be retried at `nextAttemptAt`).
    Queued,
    /// Delivered to the channel (for `PORTAL`: shown in the portal).
    Sent,
    /// Failed too often, or refused for good: an administrator can retry it.
    Dead,
}

/// Who a message is for.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::messages::RecipientKind")]
pub enum RecipientKind {
    /// A parent linked to the child.
    Parent,
    /// The young person themselves.
    YoungPerson,
    /// A professional asked for advice.
    Professional,
    /// A caseworker or manager.
    Staff,
    /// A council system subscribed to events.
    Webhook,
}

fn internal(e: impl std::fmt::Display) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    ApiError::Internal(anyhow::anyhow!("{e}")).extend()
}

/// A message the system sent: a notice to a family, a request or reminder to a professional,
/// a digest to staff, or an event to a council system. Kept with every delivery attempt.
#[derive(Description)]
pub struct Message(pub message::Model);

#[Object(use_type_description)]
impl Message {
    /// The message's global id.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Message, self.0.id)
    }
    /// What caused it: `entity.action` for a change (`assessment.send_draft`), or a
    /// reminder or digest (`advice.due_in_7_days`, `deadline.missed`, `digest.daily`).
    async fn event(&self) -> &str {
        &self.0.event
    }
    /// The child it is about, if any (a global id).
    async fn child_id(&self) -> Option<ID> {
        self.0.child_id.map(|c| Id::of(Kind::Child, c))
    }
    /// Who it is for.
    async fn recipient_kind(&self) -> Result<RecipientKind> {
        Ok(rules::RecipientKind::parse(&self.0.recipient_kind)
            .map_err(internal)?
            .into())
    }
    /// The recipient's name, as it was when the message was written.
    async fn recipient_name(&self) -> &str {
        &self.0.recipient_name
    }
    /// How it was sent.
    async fn channel(&self) -> Result<MessageChannel> {
        Ok(rules::Channel::parse(&self.0.channel)
            .map_err(internal)?
            .into())
    }
    /// The address it went to (staff and administrators only; null for others).
    async fn address(&self, gql: &Context<'_>) -> Result<Option<&str>> {
        Ok(svc::sees_delivery_detail(&ctx(gql)?)
            .then_some(self.0.address.as_deref())
            .flatten())
    }
    /// A notice the law requires: sent whatever the recipient's reminder choice.
    async fn statutory(&self) -> bool {
        self.0.statutory
    }
    /// Its subject line.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// Its words (for a webhook, the JSON payload).
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Queued, sent or dead.
    async fn state(&self) -> Result<MessageState> {
        Ok(rules::MessageState::parse(&self.0.state)
            .map_err(internal)?
            .into())
    }
    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When it was written (in the transaction of the change that caused it).
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    /// When it was delivered.
    async fn sent_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.sent_at
    }
    /// When the next attempt is due, while it is queued.
    async fn next_attempt_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        (self.0.state == rules::MessageState::Queued.as_str()).then_some(self.0.next_attempt_at)
    }
    /// The last failure's reason (staff and administrators only).
    async fn last_error(&self, gql: &Context<'_>) -> Result<Option<&str>> {
        Ok(svc::sees_delivery_detail(&ctx(gql)?)
            .then_some(self.0.last_error.as_deref())
            .flatten())
    }
    /// Every attempt to deliver it, oldest first.
    async fn delivery_attempts(&self, gql: &Context<'_>) -> Result<Vec<DeliveryAttempt>> {
        let detail = svc::sees_delivery_detail(&ctx(gql)?);
        let rows = match loaders::load(gql, loaders::MessageAttempts(self.0.id)).await {
            Ok(rows) => rows.unwrap_or_default(),
            // Outside a request's loaders (a subscription's event): read them directly.
            Err(_) => svc::attempts(&ctx(gql)?, &[self.0.id]).await?,
        };
        Ok(rows
            .into_iter()
            .map(|a| DeliveryAttempt { row: a, detail })
            .collect())
    }
    /// The version to give `retryMessage`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// One attempt to deliver a message.
#[derive(Description)]
pub struct DeliveryAttempt {
    row: delivery_attempt::Model,
    detail: bool,
}

#[Object(use_type_description)]
impl DeliveryAttempt {
    /// 1 for the first.
    async fn attempt(&self) -> i32 {
        self.row.attempt
    }
    /// When it started.
    async fn started_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.row.started_at
    }
    /// When it ended.
    async fn finished_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.row.finished_at
    }
    /// `SENT` or `FAILED`.
    async fn outcome(&self) -> &str {
        &self.row.outcome
    }
    /// What the provider answered: Notify's notification id, the SMTP server's reply
    /// (staff and administrators only).
    async fn provider_reference(&self) -> Option<&str> {
        self.detail
            .then_some(self.row.provider_reference.as_deref())
            .flatten()
    }
    /// Why it failed (staff and administrators only).
    async fn error(&self) -> Option<&str> {
        self.detail.then_some(self.row.error.as_deref()).flatten()
    }
}

/// How the signed-in person is reached.
#[derive(SimpleObject)]
pub struct MessagePreferences {
    /// The channel they chose; null: email when there is an address, else a text, else the
    /// portal. A channel without an address falls back the same way.
    channel: Option<MessageChannel>,
    /// Optional reminders (a missed council deadline, advice due soon) are sent. Statutory
    /// notices are sent and recorded whatever this says.
    optional_reminders: bool,
    /// The email address messages go to.
    email: Option<String>,
    /// The phone number text messages go to.
    phone: Option<String>,
    /// Staff: the daily digest of their deadlines due within 14 days and overdue.
    daily_digest: Option<bool>,
    /// Managers: the Monday summary of the council's backlog.
    weekly_digest: Option<bool>,
}

impl From<svc::Preferences> for MessagePreferences {
    fn from(p: svc::Preferences) -> Self {
        MessagePreferences {
            channel: p.channel.map(Into::into),
            optional_reminders: p.optional_reminders,
            email: p.email,
            phone: p.phone,
            daily_digest: p.daily_digest,
            weekly_digest: p.weekly_digest,
        }
    }
}

/// A change to one's own preferences; fields left out stay as they are.
#[derive(InputObject)]
pub struct MessagePreferencesInput {
    /// The channel to use (a channel without an address falls back: email, text, portal).
    channel: Option<MessageChannel>,
    /// Go back to the default channel.
    #[graphql(default)]
    clear_channel: bool,
    /// Whether to get optional reminders.
    optional_reminders: Option<bool>,
    /// A young person's own email (empty to remove it). A parent's is on the council's
    /// record.
    email: Option<String>,
    /// A young person's own phone number (empty to remove it).
    phone: Option<String>,
    /// Staff: the daily digest.
    daily_digest: Option<bool>,
    /// Managers: the Monday backlog summary.
    weekly_digest: Option<bool>,
}

/// A council system that receives the events it subscribed to, signed per the Standard
/// Webhooks specification with a secret only it and this API know.
#[derive(Description)]
pub struct WebhookSubscription(pub webhook_subscription::Model);

#[Object(use_type_description)]
impl WebhookSubscription {
    /// The subscription's global id.
    pub async fn id(&self) -> ID {
        Id::of(Kind::WebhookSubscription, self.0.id)
    }
    /// The council it belongs to (a global id).
    async fn local_authority_id(&self) -> ID {
        Id::of(Kind::LocalAuthority, self.0.la_id)
    }
    /// What the council calls it ("Data warehouse").
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Where events are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The event types it takes: `entity.action`, `entity.*`, or `*`.
    async fn event_types(&self) -> Vec<&str> {
        self.0.event_types.split(',').collect()
    }
    /// False while paused: nothing new is queued for it, and what is queued fails.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// The version to give `updateWebhookSubscription`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A subscription with its signing secret: shown once, when made or rotated.
#[derive(SimpleObject)]
pub struct WebhookSubscriptionWithSecret {
    /// The subscription.
    subscription: WebhookSubscription,
    /// The `whsec_...` secret to verify signatures with, or null when it did not change.
    secret: Option<String>,
}

/// A new webhook subscription.
#[derive(InputObject)]
pub struct WebhookSubscriptionInput {
    /// The council (a global id).
    local_authority_id: ID,
    /// What the council calls it.
    name: String,
    /// An https (or http) address to POST events to.
    url: String,
    /// `entity.action` (`assessment.send_draft`), `entity.*` or `*`.
    event_types: Vec<String>,
}

/// A change to a subscription; fields left out stay.
#[derive(InputObject)]
pub struct WebhookSubscriptionChange {
    /// A new name.
    name: Option<String>,
    /// A new address.
    url: Option<String>,
    /// New event types.
    event_types: Option<Vec<String>>,
    /// Pause (false) or resume (true).
    active: Option<bool>,
    /// Make a new secret (returned once).
    #[graphql(default)]
    rotate_secret: bool,
}

#[derive(Default)]
pub struct MessagesQuery;

#[Object]
impl MessagesQuery {
    /// The messages sent to the signed-in person (a parent, young person, professional or
    /// member of staff), newest first, with their delivery state.
    async fn messages(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
        #[graphql(desc = "page size, at most 100")] first: Option<i32>,
        #[graphql(desc = "page size, at most 100")] last: Option<i32>,
    ) -> Result<Listing<Message>> {
        let ctx = ctx(gql)?;
        let page = svc::mine(&ctx, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |m| m.id, Message))
    }

    /// What was sent to whom about a child, and when, newest first: the council's
    /// caseworkers, managers and administrators.
    async fn case_messages(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The child (a global id)")] child_id: ID,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
        #[graphql(desc = "page size, at most 100")] first: Option<i32>,
        #[graphql(desc = "page size, at most 100")] last: Option<i32>,
    ) -> Result<Listing<Message>> {
        let ctx = ctx(gql)?;
        let child_id = Id::parse("childId", Kind::Child, &child_id)?;
        let page =
            svc::about_child(&ctx, child_id, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |m| m.id, Message))
    }

    /// Messages that could not be delivered (failed too often, or refused for good), newest
    /// first: administrators, who can `retryMessage`.
    async fn dead_letters(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
        #[graphql(desc = "page size, at most 100")] first: Option<i32>,
        #[graphql(desc = "page size, at most 100")] last: Option<i32>,
    ) -> Result<Listing<Message>> {
        let ctx = ctx(gql)?;
        let page = svc::dead_letters(&ctx, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |m| m.id, Message))
    }

    /// One message, if it was sent to the signed-in person, or (staff) is about a case of
    /// their council.
    async fn message(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The message's global id")] id: ID,
    ) -> Result<Message> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Message, &id)?;
        Ok(Message(svc::load(&ctx, id).await?))
    }

    /// How the signed-in person is reached.
    async fn message_preferences(&self, gql: &Context<'_>) -> Result<MessagePreferences> {
        let ctx = ctx(gql)?;
        Ok(svc::preferences(&ctx).await?.into())
    }

    /// The council systems subscribed to events (administrators), optionally of one council.
    async fn webhook_subscriptions(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Only this council's (a global id).")] local_authority_id: Option<ID>,
    ) -> Result<Vec<WebhookSubscription>> {
        let ctx = ctx(gql)?;
        let la = local_authority_id
            .map(|l| Id::parse("localAuthorityId", Kind::LocalAuthority, &l))
            .transpose()?;
        Ok(svc::subscriptions(&ctx, la)
            .await?
            .into_iter()
            .map(WebhookSubscription)
            .collect())
    }
}

#[derive(Default)]
pub struct MessagesMutation;

#[Object]
impl MessagesMutation {
    /// Changes how the signed-in person is reached: their channel and optional reminders (a
    /// family), their own contact details (a young person), their digests (staff).
    async fn set_message_preferences(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "What to change")] input: MessagePreferencesInput,
    ) -> Result<MessagePreferences> {
        let ctx = ctx(gql)?;
        let channel = if input.clear_channel {
            Some(None)
        } else {
            input.channel.map(|c| Some(c.into()))
        };
        let change = PreferencesChange {
            channel,
            optional_reminders: input.optional_reminders,
            email: input.email.map(Some),
            phone: input.phone.map(Some),
            daily_digest: input.daily_digest,
            weekly_digest: input.weekly_digest,
        };
        Ok(svc::set_preferences(&ctx, change).await?.into())
    }

    /// Puts a dead letter back in the queue, due now (administrators).
    async fn retry_message(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The message's global id")] id: ID,
        #[graphql(desc = "The version last read")] version: i32,
    ) -> Result<Message> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Message, &id)?;
        Ok(Message(svc::retry(&ctx, id, version).await?))
    }

    /// Subscribes a council system to events (administrators). The secret is shown once.
    async fn create_webhook_subscription(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The subscription")] input: WebhookSubscriptionInput,
    ) -> Result<WebhookSubscriptionWithSecret> {
        let ctx = ctx(gql)?;
        let la_id = Id::parse(
            "localAuthorityId",
            Kind::LocalAuthority,
            &input.local_authority_id,
        )?;
        let (row, secret) = svc::subscribe(
            &ctx,
            svc::NewSubscription {
                la_id,
                name: input.name,
                url: input.url,
                event_types: input.event_types,
            },
        )
        .await?;
        Ok(WebhookSubscriptionWithSecret {
            subscription: WebhookSubscription(row),
            secret: Some(secret),
        })
    }

    /// Changes, pauses or resumes a subscription, or rotates its secret (administrators).
    async fn update_webhook_subscription(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The subscription's global id")] id: ID,
        #[graphql(desc = "The version last read")] version: i32,
        #[graphql(desc = "What to change")] input: WebhookSubscriptionChange,
    ) -> Result<WebhookSubscriptionWithSecret> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::WebhookSubscription, &id)?;
        let (row, secret) = svc::change_subscription(
            &ctx,
            id,
            version,
            SubscriptionChange {
                name: input.name,
                url: input.url,
                event_types: input.event_types,
                active: input.active,
                rotate_secret: input.rotate_secret,
            },
        )
        .await?;
        Ok(WebhookSubscriptionWithSecret {
            subscription: WebhookSubscription(row),
            secret,
        })
    }
}

/// A committed change to a child's case, as the audit trail records it.
#[derive(SimpleObject)]
pub struct CaseChange {
    /// The child (a global id).
    child_id: ID,
    /// The record changed: `assessment`, `ehc_plan`, `annual_review`...
    entity: String,
    /// The record's global id, when it is one this API has.
    entity_id: Option<ID>,
    /// `entity.action`, as webhooks name it.
    event: String,
    /// When it was committed.
    occurred_at: chrono::DateTime<chrono::Utc>,
}

impl From<audit_event::Model> for CaseChange {
    fn from(e: audit_event::Model) -> Self {
        let event = format!("{}.{}", e.entity, e.action);
        CaseChange {
            child_id: Id::of(Kind::Child, e.child_id.unwrap_or_default()),
            entity_id: Kind::of_audited(&e.entity).map(|k| Id::of(k, e.entity_id)),
            entity: e.entity,
            event,
            occurred_at: e.occurred_at,
        }
    }
}

/// A deadline that became due within 14 days, or overdue.
#[derive(SimpleObject)]
pub struct DeadlineAlert {
    /// The child (a global id).
    child_id: ID,
    /// The deadline's kind (as `Deadline.kind` names it).
    kind: String,
    /// The day it is due.
    due_on: Date,
    /// `DUE_SOON` or `OVERDUE`.
    alert: String,
    /// The day it was raised.
    raised_on: Date,
}

impl From<deadline_alert::Model> for DeadlineAlert {
    fn from(a: deadline_alert::Model) -> Self {
        DeadlineAlert {
            child_id: Id::of(Kind::Child, a.child_id),
            kind: a.kind,
            due_on: Date(a.due_on),
            alert: a.alert,
            raised_on: Date(a.raised_on),
        }
    }
}

/// A WebSocket connection's sign-in: its streams end when its token expires.
#[derive(Clone, Copy, Debug)]
pub struct SocketSession {
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn expiry(gql: &Context<'_>) -> Option<chrono::DateTime<chrono::Utc>> {
    gql.data_opt::<SocketSession>().and_then(|s| s.expires_at)
}

/// How often a subscription looks for what has been committed.
const LIVE_POLL: Duration = Duration::from_millis(500);

/// How far behind its cursor a subscription looks again, in ids: on PostgreSQL an id is
/// taken when a row is written, not when its transaction commits, so a row with a lower id
/// can become visible after a higher one. A row committed more than this many ids late
/// would be missed.
const LOOKBACK: i64 = 100;

/// A stream that polls `fetch(from)` (at most a page of rows with ids above `from`, in id
/// order) and yields each row once, moving the cursor past it and reading again the last
/// [`LOOKBACK`] ids for rows committed late. A poll that fails ends the stream with its
/// error, as does the connection's token expiring.
fn poll_after<T, F, Fut>(
    start: i64,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    fetch: F,
) -> impl Stream<Item = Result<T>>
where
    T: Send + 'static,
    F: Fn(i64) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Vec<(i64, T)>>> + Send,
{
    struct Cursor<T, F> {
        after: i64,
        /// Ids yielded within the look-back window.
        seen: std::collections::BTreeSet<i64>,
        pending: std::collections::VecDeque<(i64, T)>,
        fetch: F,
        done: bool,
    }
    let cursor = Cursor {
        after: start,
        // Everything up to the start counts as seen: the stream is of what comes next.
        seen: std::collections::BTreeSet::new(),
        pending: std::collections::VecDeque::new(),
        fetch,
        done: false,
    };
    let floor = start;
    futures_util::stream::unfold(cursor, move |mut c| async move {
        if c.done {
            return None;
        }
        loop {
            if expires_at.is_some_and(|e| chrono::Utc::now() >= e) {
                use async_graphql::ErrorExtensions;
                let ended = ApiError::Unauthenticated.extend_with(|_, ext| {
                    ext.set("reason", "token_expired");
                });
                c.done = true;
                return Some((Err(ended), c));
            }
            if let Some((id, item)) = c.pending.pop_front() {
                c.after = c.after.max(id);
                return Some((Ok(item), c));
            }
            let mut from = (c.after - LOOKBACK).max(floor);
            loop {
                let rows = match (c.fetch)(from).await {
                    Ok(rows) => rows,
                    Err(e) => {
                        c.done = true;
                        return Some((Err(e), c));
                    }
                };
                let full = rows.len() >= 100;
                let last = rows.last().map(|(id, _)| *id);
                for (id, item) in rows {
                    if c.seen.insert(id) {
                        c.pending.push_back((id, item));
                    }
                }
                match last {
                    Some(last) if full => from = last,
                    _ => break,
                }
            }
            let keep_from = c.after.max(c.pending.back().map_or(0, |p| p.0)) - LOOKBACK;
            c.seen = c.seen.split_off(&keep_from);
            if c.pending.is_empty() {
                tokio::time::sleep(LIVE_POLL).await;
            }
        }
    })
}

/// Live updates over WebSocket (`graphql-transport-ws` on `/graphql`, signed in with the
/// connection's init payload `{"authorization": "Bearer <token>"}`): each sees only what the
/// signed-in person could read with the queries.
#[derive(Default, Description)]
pub struct Subscription;

#[Subscription(use_type_description)]
impl Subscription {
    /// Changes committed from now on to cases the signed-in person may see (staff: their
    /// council's; a family: their own child's), or to one child's.
    async fn case_changed(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Only this child's (a global id).")] child_id: Option<ID>,
    ) -> Result<impl Stream<Item = Result<CaseChange>> + use<>> {
        let child = child_id
            .map(|c| Id::parse("childId", Kind::Child, &c))
            .transpose()?;
        live(gql, svc::Feed::Changes, move |who, after| async move {
            Ok(svc::changes_after(&who.ctx(), after, child)
                .await?
                .into_iter()
                .map(|e| (e.id, CaseChange::from(e)))
                .collect())
        })
        .await
    }

    /// Messages delivered from now on that the signed-in person may see: their own, and
    /// (staff) those about their council's cases.
    async fn message_delivered(
        &self,
        gql: &Context<'_>,
    ) -> Result<impl Stream<Item = Result<Message>> + use<>> {
        live(gql, svc::Feed::Deliveries, |who, after| async move {
            Ok(svc::deliveries_after(&who.ctx(), after)
                .await?
                .into_iter()
                .map(|(id, m)| (id, Message(m)))
                .collect())
        })
        .await
    }

    /// Deadlines of cases the signed-in person may see that become due within 14 days or
    /// overdue, from now on (raised by the daily job).
    async fn deadline_alerts(
        &self,
        gql: &Context<'_>,
    ) -> Result<impl Stream<Item = Result<DeadlineAlert>> + use<>> {
        live(gql, svc::Feed::Alerts, |who, after| async move {
            Ok(svc::alerts_after(&who.ctx(), after)
                .await?
                .into_iter()
                .map(|a| (a.id, DeadlineAlert::from(a)))
                .collect())
        })
        .await
    }
}

/// Who a subscription polls as: the connection's signed-in person.
#[derive(Clone)]
struct Subscriber {
    db: sea_orm::DatabaseConnection,
    actor: crate::domain::access::Actor,
}

impl Subscriber {
    fn ctx(&self) -> crate::service::Ctx<'_> {
        crate::service::Ctx {
            db: &self.db,
            actor: &self.actor,
            now: chrono::Utc::now(),
        }
    }
}

/// A subscription to `feed` from its newest row now, polled with `fetch` as the signed-in
/// person until their token expires.
async fn live<T, F, Fut>(
    gql: &Context<'_>,
    feed: svc::Feed,
    fetch: F,
) -> Result<impl Stream<Item = Result<T>> + use<T, F, Fut>>
where
    T: Send + 'static,
    F: Fn(Subscriber, i64) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Vec<(i64, T)>>> + Send,
{
    let c = ctx(gql)?;
    let start = svc::newest_id(&c, feed).await?;
    let who = Subscriber {
        db: c.db.clone(),
        actor: c.actor.clone(),
    };
    Ok(poll_after(start, expiry(gql), move |after| {
        fetch(who.clone(), after)
    }))
}
