//! The append-only audit trail: every change writes one event in the same transaction, and
//! with it the messages the change sends (`store::outbox`).
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};

use crate::domain::access::Actor;
use crate::domain::audit::AuditAction;
use crate::store::entity::audit_event;
use crate::store::page::{Page, PageRequest, paginate};
use crate::store::scope::{Scope, visible_children};

/// One change, described for the trail.
pub struct AuditEntry<'a> {
    pub la_id: Option<i64>,
    pub child_id: Option<i64>,
    pub entity: &'a str,
    pub entity_id: i64,
    pub action: AuditAction,
    /// What changed, as JSON (field names to new values; no free-text secrets).
    pub summary: serde_json::Value,
}

/// Writes the event. Call it with the transaction that makes the change.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    at: DateTime<Utc>,
    entry: AuditEntry<'_>,
) -> Result<(), DbErr> {
    let inserted = audit_event::Entity::insert(audit_event::ActiveModel {
        id: NotSet,
        occurred_at: Set(at),
        actor_subject: Set(actor.subject.clone()),
        actor_role: Set(actor.role.as_str().to_owned()),
        la_id: Set(entry.la_id),
        child_id: Set(entry.child_id),
        entity: Set(entry.entity.to_owned()),
        entity_id: Set(entry.entity_id),
        action: Set(entry.action.as_str().to_owned()),
        summary: Set(entry.summary.to_string()),
        import_batch_id: Set(super::import::current_batch()),
    })
    .exec(db)
    .await?;
    // A record an import creates keeps the council's own id, in the same transaction.
    super::import::after_event(db, &entry).await?;
    // Its messages, in the same transaction: a rolled-back change sends nothing. An import
    // replays history the old system already told people about: it sends nothing (a council
    // going live would otherwise email every family about every past step).
    if super::import::current_batch().is_some() {
        return Ok(());
    }
    super::outbox::after_event(db, inserted.last_insert_id, at, &entry).await
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// One event (what `node` looks up).
    pub id: Option<i64>,
    pub child_id: Option<i64>,
    pub actor_subject: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Events visible in the scope, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<audit_event::Model>, DbErr> {
    let mut cond = match scope {
        // Staff see their LA's events, including those about no child (organisation).
        Scope::LocalAuthority { la_id } => {
            Condition::all().add(audit_event::Column::LaId.eq(*la_id))
        }
        other => visible_children(
            other,
            audit_event::Column::LaId,
            audit_event::Column::ChildId,
        ),
    };
    if let Some(id) = filter.id {
        cond = cond.add(audit_event::Column::Id.eq(id));
    }
    if let Some(child_id) = filter.child_id {
        cond = cond.add(audit_event::Column::ChildId.eq(child_id));
    }
    if let Some(subject) = &filter.actor_subject {
        cond = cond.add(audit_event::Column::ActorSubject.eq(subject.as_str()));
    }
    if let Some(from) = filter.from {
        cond = cond.add(audit_event::Column::OccurredAt.gte(from));
    }
    if let Some(to) = filter.to {
        cond = cond.add(audit_event::Column::OccurredAt.lt(to));
    }
    paginate(
        db,
        audit_event::Entity::find().filter(cond),
        audit_event::Column::Id,
        page,
        true,
    )
    .await
}
