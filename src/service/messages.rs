//! Who sees which messages, and the changes people make to how they are reached.
//!
//! - Everyone sees the messages addressed to them (`messages`): a parent or young person
//!   their family's notices, a professional their requests and reminders, staff their
//!   digests.
//! - Caseworkers and managers see what was sent to whom about a child of their council
//!   (`caseMessages`), every attempt included; administrators see every council's.
//! - Administrators see and retry dead letters, and manage webhook subscriptions.
//! - Each person sets their own channel and reminders (`setMessagePreferences`).
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, TransactionTrait,
};
use serde_json::json;

use super::Ctx;
use crate::domain::access::{Permission, Role, Scope};
use crate::domain::audit::AuditAction;
use crate::domain::messages::{Channel, MessageState, RecipientKind};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::entity::{
    child, deadline_alert, delivery_attempt, message, parent, professional, staff,
    webhook_subscription,
};
use crate::store::outbox;
use crate::store::page::{Page, PageRequest, paginate};
use crate::store::scope::{nothing, visible_children};

/// The messages addressed to the signed-in person.
fn addressed_to_me(ctx: &Ctx<'_>) -> Condition {
    let to = |kind: RecipientKind, id: i64| {
        Condition::all()
            .add(message::Column::RecipientKind.eq(kind.as_str()))
            .add(message::Column::RecipientId.eq(id))
    };
    match (&ctx.actor.scope, ctx.actor.staff_id) {
        (
            Scope::Family {
                parent_id,
                young_person_child_id,
            },
            _,
        ) => {
            let mut any = Condition::any();
            if let Some(p) = parent_id {
                any = any.add(to(RecipientKind::Parent, *p));
            }
            if let Some(c) = young_person_child_id {
                any = any.add(to(RecipientKind::YoungPerson, *c));
            }
            if parent_id.is_none() && young_person_child_id.is_none() {
                return nothing();
            }
            Condition::all().add(any)
        }
        (
            Scope::Professional {
                professional_id, ..
            },
            _,
        ) => to(RecipientKind::Professional, *professional_id),
        (Scope::LocalAuthority { .. }, Some(staff_id)) => to(RecipientKind::Staff, staff_id),
        _ => nothing(),
    }
}

/// The signed-in person's messages, newest first.
pub async fn mine(ctx: &Ctx<'_>, page: PageRequest) -> ApiResult<Page<message::Model>> {
    Ok(paginate(
        ctx.db,
        message::Entity::find().filter(addressed_to_me(ctx)),
        message::Column::Id,
        page,
        true,
    )
    .await?)
}

/// Messages about children the actor may see as staff (their council; every council for an
/// administrator). Webhook deliveries are the council's systems', not the case's.
fn about_cases(ctx: &Ctx<'_>) -> ApiResult<Condition> {
    if !ctx.actor.may(Permission::ManageCasework) {
        return Err(ApiError::forbidden(
            "only the council's caseworkers, managers and administrators see what was sent",
        ));
    }
    Ok(visible_children(
        &ctx.actor.scope,
        message::Column::LaId,
        message::Column::ChildId,
    )
    .add(message::Column::ChildId.is_not_null())
    .add(message::Column::Channel.ne(Channel::Webhook.as_str())))
}

/// What was sent to whom about one child, newest first.
pub async fn about_child(
    ctx: &Ctx<'_>,
    child_id: i64,
    page: PageRequest,
) -> ApiResult<Page<message::Model>> {
    let cond = about_cases(ctx)?.add(message::Column::ChildId.eq(child_id));
    // A child the actor may not see is not found (not an empty list that says it exists).
    child::Entity::find_by_id(child_id)
        .filter(visible_children(
            &ctx.actor.scope,
            child::Column::LaId,
            child::Column::Id,
        ))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("child"))?;
    Ok(paginate(
        ctx.db,
        message::Entity::find().filter(cond),
        message::Column::Id,
        page,
        true,
    )
    .await?)
}

fn require_admin(ctx: &Ctx<'_>) -> ApiResult<()> {
    ctx.require(Permission::AdministerLocalAuthorities)
}

/// Messages that failed too often (or were refused for good), newest first: administrators.
pub async fn dead_letters(ctx: &Ctx<'_>, page: PageRequest) -> ApiResult<Page<message::Model>> {
    require_admin(ctx)?;
    Ok(paginate(
        ctx.db,
        message::Entity::find().filter(message::Column::State.eq(MessageState::Dead.as_str())),
        message::Column::Id,
        page,
        true,
    )
    .await?)
}

/// One message, if the actor may see it: their own, or (staff) one about a case of theirs,
/// or (administrators) any.
pub async fn load(ctx: &Ctx<'_>, id: i64) -> ApiResult<message::Model> {
    let mut any = Condition::any().add(addressed_to_me(ctx));
    if ctx.actor.role == Role::Admin {
        any = any.add(Condition::all());
    } else if let Ok(cases) = about_cases(ctx) {
        any = any.add(cases);
    }
    message::Entity::find_by_id(id)
        .filter(any)
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))
}

/// The delivery attempts of messages, oldest first, by message.
pub async fn attempts(
    ctx: &Ctx<'_>,
    message_ids: &[i64],
) -> ApiResult<Vec<delivery_attempt::Model>> {
    Ok(delivery_attempt::Entity::find()
        .filter(delivery_attempt::Column::MessageId.is_in(message_ids.iter().copied()))
        .order_by_asc(delivery_attempt::Column::Id)
        .all(ctx.db)
        .await?)
}

/// Whether the actor may read delivery errors and addresses (staff and administrators).
pub fn sees_delivery_detail(ctx: &Ctx<'_>) -> bool {
    ctx.actor.may(Permission::ManageCasework)
}

/// Puts a dead letter back in the queue, audited.
pub async fn retry(ctx: &Ctx<'_>, id: i64, version: i32) -> ApiResult<message::Model> {
    require_admin(ctx)?;
    let found = message::Entity::find_by_id(id)
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))?;
    if found.state != MessageState::Dead.as_str() {
        return Err(ApiError::conflict(format!(
            "only a dead letter can be retried; this message is {}",
            found.state
        )));
    }
    let txn = ctx.db.begin().await?;
    if !outbox::requeue(&txn, id, version, ctx.now).await? {
        return Err(ApiError::stale("message"));
    }
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: Some(found.la_id),
            child_id: found.child_id,
            entity: "message",
            entity_id: id,
            action: AuditAction::Retry,
            summary: json!({"attemptsBefore": found.attempts, "version": version + 1}),
        },
    )
    .await?;
    txn.commit().await?;
    load(ctx, id).await
}

/// How a person is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// The channel they chose (`None`: email when there is an address, else a text, else
    /// the portal).
    pub channel: Option<Channel>,
    pub optional_reminders: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Staff: the daily digest of their deadlines; managers: the Monday backlog summary.
    pub daily_digest: Option<bool>,
    pub weekly_digest: Option<bool>,
}

/// A change to one's own preferences; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct PreferencesChange {
    pub channel: Option<Option<Channel>>,
    pub optional_reminders: Option<bool>,
    /// A young person's own contact details (a parent's are the council's record).
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub daily_digest: Option<bool>,
    pub weekly_digest: Option<bool>,
}

fn channel_of(code: Option<&str>) -> Option<Channel> {
    code.and_then(|c| Channel::parse(c).ok())
}

/// The signed-in person's preferences.
pub async fn preferences(ctx: &Ctx<'_>) -> ApiResult<Preferences> {
    match (&ctx.actor.scope, ctx.actor.staff_id) {
        (
            Scope::Family {
                parent_id: Some(id),
                ..
            },
            _,
        ) => {
            let p = parent::Entity::find_by_id(*id)
                .one(ctx.db)
                .await?
                .ok_or_else(|| ApiError::not_found("parent"))?;
            Ok(Preferences {
                channel: channel_of(p.message_channel.as_deref()),
                optional_reminders: p.optional_reminders,
                email: p.email,
                phone: p.phone,
                daily_digest: None,
                weekly_digest: None,
            })
        }
        (
            Scope::Family {
                young_person_child_id: Some(id),
                ..
            },
            _,
        ) => {
            let c = child::Entity::find_by_id(*id)
                .one(ctx.db)
                .await?
                .ok_or_else(|| ApiError::not_found("child"))?;
            Ok(Preferences {
                channel: channel_of(c.message_channel.as_deref()),
                optional_reminders: c.optional_reminders,
                email: c.contact_email,
                phone: c.contact_phone,
                daily_digest: None,
                weekly_digest: None,
            })
        }
        (
            Scope::Professional {
                professional_id, ..
            },
            _,
        ) => {
            let p = professional::Entity::find_by_id(*professional_id)
                .one(ctx.db)
                .await?
                .ok_or_else(|| ApiError::not_found("professional"))?;
            Ok(Preferences {
                channel: Some(if p.email.is_some() {
                    Channel::Email
                } else {
                    Channel::Portal
                }),
                optional_reminders: p.optional_reminders,
                email: p.email,
                phone: None,
                daily_digest: None,
                weekly_digest: None,
            })
        }
        (Scope::LocalAuthority { .. }, Some(staff_id)) => {
            let s = staff::Entity::find_by_id(staff_id)
                .one(ctx.db)
                .await?
                .ok_or_else(|| ApiError::not_found("staff member"))?;
            Ok(Preferences {
                channel: Some(if s.email.is_some() {
                    Channel::Email
                } else {
                    Channel::Portal
                }),
                optional_reminders: true,
                email: s.email,
                phone: None,
                daily_digest: Some(s.daily_digest),
                weekly_digest: Some(s.weekly_digest),
            })
        }
        _ => Err(ApiError::forbidden(
            "no record of yours takes messages (administrators get none)",
        )),
    }
}

fn check_email(value: &Option<String>) -> ApiResult<Option<String>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.len() <= 320 && v.parse::<lettre::Address>().is_ok() => Ok(Some(v.to_owned())),
        Some(_) => Err(ApiError::validation("email", "not an email address")),
    }
}

fn check_phone(value: &Option<String>) -> ApiResult<Option<String>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v)
            if (7..=20).contains(&v.chars().filter(char::is_ascii_digit).count())
                && v.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) =>
        {
            Ok(Some(v.to_owned()))
        }
        Some(_) => Err(ApiError::validation("phone", "not a phone number")),
    }
}

/// Changes the signed-in person's preferences, audited.
pub async fn set_preferences(ctx: &Ctx<'_>, change: PreferencesChange) -> ApiResult<Preferences> {
    if change.channel == Some(Some(Channel::Webhook)) {
        return Err(ApiError::validation(
            "channel",
            "webhooks are for council systems",
        ));
    }
    let now: DateTime<Utc> = ctx.now;
    let txn = ctx.db.begin().await?;
    let (la_id, child_id, entity, entity_id) = match (&ctx.actor.scope, ctx.actor.staff_id) {
        (
            Scope::Family {
                parent_id: Some(id),
                ..
            },
            _,
        ) => {
            if change.email.is_some() || change.phone.is_some() {
                return Err(ApiError::validation(
                    "email",
                    "a parent's email and phone are on the council's record: ask your \
                     caseworker to change them",
                ));
            }
            if change.daily_digest.is_some() || change.weekly_digest.is_some() {
                return Err(ApiError::validation("dailyDigest", "digests are for staff"));
            }
            let p = parent::Entity::find_by_id(*id)
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::not_found("parent"))?;
            let la_id = p.la_id;
            let mut row: parent::ActiveModel = p.into();
            if let Some(c) = change.channel {
                row.message_channel = Set(c.map(|c| c.as_str().to_owned()));
            }
            if let Some(r) = change.optional_reminders {
                row.optional_reminders = Set(r);
            }
            row.update(&txn).await?;
            (la_id, None, "parent", *id)
        }
        (
            Scope::Family {
                young_person_child_id: Some(id),
                ..
            },
            _,
        ) => {
            if change.daily_digest.is_some() || change.weekly_digest.is_some() {
                return Err(ApiError::validation("dailyDigest", "digests are for staff"));
            }
            let c = child::Entity::find_by_id(*id)
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::not_found("child"))?;
            let la_id = c.la_id;
            let mut row: child::ActiveModel = c.into();
            if let Some(ch) = change.channel {
                row.message_channel = Set(ch.map(|c| c.as_str().to_owned()));
            }
            if let Some(r) = change.optional_reminders {
                row.optional_reminders = Set(r);
            }
            if let Some(e) = &change.email {
                row.contact_email = Set(check_email(e)?);
            }
            if let Some(p) = &change.phone {
                row.contact_phone = Set(check_phone(p)?);
            }
            row.update(&txn).await?;
            (la_id, Some(*id), "child", *id)
        }
        (
            Scope::Professional {
                professional_id,
                la_id,
                ..
            },
            _,
        ) => {
            if change.channel.is_some()
                || change.email.is_some()
                || change.phone.is_some()
                || change.daily_digest.is_some()
                || change.weekly_digest.is_some()
            {
                return Err(ApiError::validation(
                    "channel",
                    "a professional chooses only whether to get reminders; the council keeps \
                     their email",
                ));
            }
            let p = professional::Entity::find_by_id(*professional_id)
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::not_found("professional"))?;
            let mut row: professional::ActiveModel = p.into();
            if let Some(r) = change.optional_reminders {
                row.optional_reminders = Set(r);
            }
            row.update(&txn).await?;
            (*la_id, None, "professional", *professional_id)
        }
        (Scope::LocalAuthority { la_id }, Some(staff_id)) => {
            if change.channel.is_some()
                || change.email.is_some()
                || change.phone.is_some()
                || change.optional_reminders.is_some()
            {
                return Err(ApiError::validation(
                    "channel",
                    "staff choose their digests; the council keeps their email",
                ));
            }
            let s = staff::Entity::find_by_id(staff_id)
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::not_found("staff member"))?;
            let mut row: staff::ActiveModel = s.into();
            if let Some(d) = change.daily_digest {
                row.daily_digest = Set(d);
            }
            if let Some(w) = change.weekly_digest {
                row.weekly_digest = Set(w);
            }
            row.update(&txn).await?;
            (*la_id, None, "staff", staff_id)
        }
        _ => {
            return Err(ApiError::forbidden(
                "no record of yours takes messages (administrators get none)",
            ));
        }
    };
    audit::record(
        &txn,
        ctx.actor,
        now,
        AuditEntry {
            la_id: Some(la_id),
            child_id,
            entity,
            entity_id,
            action: AuditAction::SetMessagePreferences,
            summary: json!({
                "channel": change.channel.map(|c| c.map(|c| c.as_str())),
                "optionalReminders": change.optional_reminders,
                "emailChanged": change.email.is_some(),
                "phoneChanged": change.phone.is_some(),
                "dailyDigest": change.daily_digest,
                "weeklyDigest": change.weekly_digest,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    preferences(ctx).await
}

// ---------- webhook subscriptions ----------

/// A new subscription.
pub struct NewSubscription {
    pub la_id: i64,
    pub name: String,
    pub url: String,
    pub event_types: Vec<String>,
}

fn check_url(url: &str) -> ApiResult<String> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|e| ApiError::validation("url", format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(ApiError::validation(
            "url",
            "webhooks are sent over https (or http)",
        ));
    }
    Ok(parsed.to_string())
}

fn check_event_types(types: &[String]) -> ApiResult<String> {
    if types.is_empty() {
        return Err(ApiError::validation(
            "eventTypes",
            "name at least one event type (`assessment.send_draft`, `assessment.*`, or `*`)",
        ));
    }
    for t in types {
        let ok = t == "*"
            || t.split_once('.').is_some_and(|(entity, action)| {
                !entity.is_empty()
                    && entity.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && (action == "*" || AuditAction::parse(action).is_ok())
            });
        if !ok {
            return Err(ApiError::validation(
                "eventTypes",
                format!("{t:?} is not an event type (`entity.action`, `entity.*` or `*`)"),
            ));
        }
    }
    Ok(types.join(","))
}

fn require_admin_of(ctx: &Ctx<'_>, la_id: i64) -> ApiResult<()> {
    require_admin(ctx)?;
    match ctx.actor.la_id {
        Some(own) if own != la_id => Err(ApiError::not_found("local authority")),
        _ => Ok(()),
    }
}

/// The subscriptions of a council (administrators).
pub async fn subscriptions(
    ctx: &Ctx<'_>,
    la_id: Option<i64>,
) -> ApiResult<Vec<webhook_subscription::Model>> {
    require_admin(ctx)?;
    let mut q = webhook_subscription::Entity::find().order_by_asc(webhook_subscription::Column::Id);
    if let Some(la) = la_id.or(ctx.actor.la_id) {
        q = q.filter(webhook_subscription::Column::LaId.eq(la));
    }
    Ok(q.all(ctx.db).await?)
}

/// Adds a subscription; its secret is returned once, here.
pub async fn subscribe(
    ctx: &Ctx<'_>,
    input: NewSubscription,
) -> ApiResult<(webhook_subscription::Model, String)> {
    require_admin_of(ctx, input.la_id)?;
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.len() > 200 {
        return Err(ApiError::validation(
            "name",
            "give a name of 1 to 200 characters",
        ));
    }
    let url = check_url(&input.url)?;
    let event_types = check_event_types(&input.event_types)?;
    let secret = crate::outbound::webhook::new_secret();
    let txn = ctx.db.begin().await?;
    let row = webhook_subscription::ActiveModel {
        la_id: Set(input.la_id),
        name: Set(name),
        url: Set(url.clone()),
        secret: Set(secret.clone()),
        event_types: Set(event_types.clone()),
        active: Set(true),
        version: Set(1),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: Some(input.la_id),
            child_id: None,
            entity: "webhook_subscription",
            entity_id: row.id,
            action: AuditAction::Create,
            summary: json!({"url": url, "eventTypes": event_types}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((row, secret))
}

/// A change to a subscription; absent fields stay. `rotate_secret` returns the new secret.
#[derive(Default)]
pub struct SubscriptionChange {
    pub name: Option<String>,
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub active: Option<bool>,
    pub rotate_secret: bool,
}

pub async fn change_subscription(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    change: SubscriptionChange,
) -> ApiResult<(webhook_subscription::Model, Option<String>)> {
    require_admin(ctx)?;
    let found = webhook_subscription::Entity::find_by_id(id)
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook subscription"))?;
    require_admin_of(ctx, found.la_id).map_err(|_| ApiError::not_found("webhook subscription"))?;
    if found.version != version {
        return Err(ApiError::stale("webhook subscription"));
    }
    let mut row = webhook_subscription::ActiveModel {
        version: Set(version + 1),
        updated_at: Set(ctx.now),
        ..Default::default()
    };
    if let Some(n) = &change.name {
        let n = n.trim();
        if n.is_empty() || n.len() > 200 {
            return Err(ApiError::validation(
                "name",
                "give a name of 1 to 200 characters",
            ));
        }
        row.name = Set(n.to_owned());
    }
    if let Some(u) = &change.url {
        row.url = Set(check_url(u)?);
    }
    if let Some(t) = &change.event_types {
        row.event_types = Set(check_event_types(t)?);
    }
    if let Some(a) = change.active {
        row.active = Set(a);
    }
    let secret = change
        .rotate_secret
        .then(crate::outbound::webhook::new_secret);
    if let Some(s) = &secret {
        row.secret = Set(s.clone());
    }
    let txn = ctx.db.begin().await?;
    let moved = webhook_subscription::Entity::update_many()
        .set(row)
        .filter(webhook_subscription::Column::Id.eq(id))
        .filter(webhook_subscription::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ApiError::stale("webhook subscription"));
    }
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: Some(found.la_id),
            child_id: None,
            entity: "webhook_subscription",
            entity_id: id,
            action: AuditAction::Update,
            summary: json!({"name": change.name, "url": change.url, "eventTypes": change.event_types, "active": change.active, "secretRotated": change.rotate_secret, "version": version + 1}),
        },
    )
    .await?;
    txn.commit().await?;
    let saved = webhook_subscription::Entity::find_by_id(id)
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook subscription"))?;
    Ok((saved, secret))
}

// ---------- live updates ----------

/// The records a family reads, whose changes `caseChanged` shows them.
const FAMILY_RECORDS: [&str; 8] = [
    "child",
    "assessment",
    "ehc_plan",
    "annual_review",
    "plan_amendment",
    "review_meeting_request",
    "dispute",
    "complaint",
];

/// Committed audit events after `after` about children the actor may see (one child's, when
/// given), oldest first, at most 100.
pub async fn changes_after(
    ctx: &Ctx<'_>,
    after: i64,
    child_id: Option<i64>,
) -> ApiResult<Vec<crate::store::entity::audit_event::Model>> {
    use crate::store::entity::audit_event;
    if matches!(ctx.actor.scope, Scope::Professional { .. } | Scope::Nothing) {
        return Ok(Vec::new());
    }
    let mut cond = visible_children(
        &ctx.actor.scope,
        audit_event::Column::LaId,
        audit_event::Column::ChildId,
    )
    .add(audit_event::Column::ChildId.is_not_null())
    .add(audit_event::Column::Id.gt(after));
    // A family hears of changes to the records they read (their case, not its links,
    // messages or other bookkeeping); staff of the council hear of every change.
    if matches!(ctx.actor.scope, Scope::Family { .. }) {
        cond = cond.add(audit_event::Column::Entity.is_in(FAMILY_RECORDS.iter().copied()));
    }
    if let Some(c) = child_id {
        cond = cond.add(audit_event::Column::ChildId.eq(c));
    }
    Ok(audit_event::Entity::find()
        .filter(cond)
        .order_by_asc(audit_event::Column::Id)
        .limit(100)
        .all(ctx.db)
        .await?)
}

/// What a live update follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Audit events (`caseChanged`).
    Changes,
    /// Delivery attempts (`messageDelivered`).
    Deliveries,
    /// Deadline alerts (`deadlineAlerts`).
    Alerts,
}

/// The feed's newest id now: a subscription starts after it.
pub async fn newest_id(ctx: &Ctx<'_>, feed: Feed) -> ApiResult<i64> {
    use crate::store::entity::audit_event;
    async fn newest<E: EntityTrait>(
        db: &sea_orm::DatabaseConnection,
        id: E::Column,
    ) -> ApiResult<i64> {
        Ok(E::find()
            .select_only()
            .column(id)
            .order_by_desc(id)
            .limit(1)
            .into_tuple::<i64>()
            .one(db)
            .await?
            .unwrap_or(0))
    }
    match feed {
        Feed::Changes => newest::<audit_event::Entity>(ctx.db, audit_event::Column::Id).await,
        Feed::Deliveries => {
            newest::<delivery_attempt::Entity>(ctx.db, delivery_attempt::Column::Id).await
        }
        Feed::Alerts => newest::<deadline_alert::Entity>(ctx.db, deadline_alert::Column::Id).await,
    }
}

/// Messages the actor may see that were delivered by attempts after `after`: (attempt id,
/// message), oldest first.
pub async fn deliveries_after(ctx: &Ctx<'_>, after: i64) -> ApiResult<Vec<(i64, message::Model)>> {
    // Visibility is part of the query, so the page of 100 is the subscriber's own: a busy
    // council's other deliveries never fill it and stall the cursor.
    let mut any = Condition::any().add(addressed_to_me(ctx));
    if let Ok(cases) = about_cases(ctx) {
        any = any.add(cases);
    }
    let visible = message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        .filter(any)
        .into_query();
    let attempts = delivery_attempt::Entity::find()
        .filter(delivery_attempt::Column::Id.gt(after))
        .filter(delivery_attempt::Column::Outcome.eq("SENT"))
        .filter(delivery_attempt::Column::MessageId.in_subquery(visible))
        .order_by_asc(delivery_attempt::Column::Id)
        .limit(100)
        .all(ctx.db)
        .await?;
    if attempts.is_empty() {
        return Ok(Vec::new());
    }
    let messages = message::Entity::find()
        .filter(message::Column::Id.is_in(attempts.iter().map(|a| a.message_id)))
        .all(ctx.db)
        .await?;
    Ok(attempts
        .iter()
        .filter_map(|a| {
            messages
                .iter()
                .find(|m| m.id == a.message_id)
                .map(|m| (a.id, m.clone()))
        })
        .collect())
}

/// Deadline alerts after `after` about children the actor may see, oldest first.
pub async fn alerts_after(ctx: &Ctx<'_>, after: i64) -> ApiResult<Vec<deadline_alert::Model>> {
    if matches!(ctx.actor.scope, Scope::Professional { .. } | Scope::Nothing) {
        return Ok(Vec::new());
    }
    let cond = visible_children(
        &ctx.actor.scope,
        deadline_alert::Column::LaId,
        deadline_alert::Column::ChildId,
    )
    .add(deadline_alert::Column::Id.gt(after));
    Ok(deadline_alert::Entity::find()
        .filter(cond)
        .order_by_asc(deadline_alert::Column::Id)
        .limit(100)
        .all(ctx.db)
        .await?)
}
