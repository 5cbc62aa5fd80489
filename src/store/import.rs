//! What an import keeps: the council's own id for each record it created (`import_ref`),
//! written by [`audit::record`](super::audit::record) in the transaction that creates the
//! record, and the runs themselves (`import_batch`).
//!
//! The use cases an import replays are the ones the API calls, and they know nothing of
//! imports; the run sets an [`ImportRun`] for the task instead. Every audit event written
//! while it is set carries the batch id, and the first creation of the expected record
//! claims the pending source id, so the record and its source id commit or roll back
//! together: a run stopped part way leaves nothing created without its id, and the next run
//! of the same file finds every record it made.
use std::sync::Mutex;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::domain::audit::AuditAction;
use crate::store::audit::AuditEntry;
use crate::store::entity::import_ref;

tokio::task_local! {
    /// The import run whose changes this task is making, if any.
    pub static RUN: ImportRun;
}

/// An import run, as the task making its changes sees it.
pub struct ImportRun {
    pub batch_id: i64,
    pub la_id: i64,
    pending: Mutex<Option<PendingRef>>,
}

/// The source id the next creation of `entity` is to keep.
#[derive(Debug, Clone)]
pub struct PendingRef {
    pub kind: &'static str,
    pub source_id: String,
    pub digest: String,
    /// The audit event that creates the record: its entity and action.
    pub entity: &'static str,
    pub action: AuditAction,
    /// Where the new record's id is in the event's summary, when the event is about
    /// another record (an advice request is created by a step of its assessment).
    pub id_in_summary: Option<&'static str>,
}

impl ImportRun {
    pub fn new(batch_id: i64, la_id: i64) -> Self {
        ImportRun {
            batch_id,
            la_id,
            pending: Mutex::new(None),
        }
    }

    /// Sets the source id the next matching creation keeps.
    pub fn expect(&self, pending: PendingRef) {
        *self.pending.lock().expect("not poisoned") = Some(pending);
    }

    /// Forgets an expectation no event claimed (an update that changed nothing).
    pub fn expect_nothing(&self) {
        *self.pending.lock().expect("not poisoned") = None;
    }

    fn claim(&self, entry: &AuditEntry<'_>) -> Option<(PendingRef, i64)> {
        let mut pending = self.pending.lock().expect("not poisoned");
        let p = pending.as_ref()?;
        if p.entity != entry.entity || p.action != entry.action {
            return None;
        }
        let id = match p.id_in_summary {
            Some(key) => entry.summary.get(key)?.as_i64()?,
            None => entry.entity_id,
        };
        pending.take().map(|p| (p, id))
    }
}

/// The running import's batch, for the audit event being written.
pub fn current_batch() -> Option<i64> {
    RUN.try_with(|r| r.batch_id).ok()
}

/// Called with each audit event: keeps the source id of the record this event creates, when
/// an import expects it, in the event's own transaction.
pub async fn after_event<C: ConnectionTrait>(db: &C, entry: &AuditEntry<'_>) -> Result<(), DbErr> {
    let claimed = RUN
        .try_with(|r| r.claim(entry).map(|(p, id)| (p, id, r.la_id, r.batch_id)))
        .ok()
        .flatten();
    let Some((pending, entity_id, la_id, batch_id)) = claimed else {
        return Ok(());
    };
    keep(
        db,
        la_id,
        pending.kind,
        &pending.source_id,
        entity_id,
        batch_id,
        &pending.digest,
    )
    .await
}

/// Writes (or moves) a source id's record and digest.
pub async fn keep<C: ConnectionTrait>(
    db: &C,
    la_id: i64,
    kind: &str,
    source_id: &str,
    entity_id: i64,
    batch_id: i64,
    digest: &str,
) -> Result<(), DbErr> {
    import_ref::Entity::insert(import_ref::ActiveModel {
        la_id: Set(la_id),
        kind: Set(kind.to_owned()),
        source_id: Set(source_id.to_owned()),
        entity_id: Set(entity_id),
        batch_id: Set(batch_id),
        digest: Set(digest.to_owned()),
    })
    .on_conflict(
        OnConflict::columns([
            import_ref::Column::LaId,
            import_ref::Column::Kind,
            import_ref::Column::SourceId,
        ])
        .update_columns([
            import_ref::Column::EntityId,
            import_ref::Column::BatchId,
            import_ref::Column::Digest,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Every source id of one kind the LA has imported.
pub async fn refs<C: ConnectionTrait>(
    db: &C,
    la_id: i64,
    kind: &str,
) -> Result<Vec<import_ref::Model>, DbErr> {
    import_ref::Entity::find()
        .filter(import_ref::Column::LaId.eq(la_id))
        .filter(import_ref::Column::Kind.eq(kind))
        .all(db)
        .await
}

/// One source id's record, if the LA has imported it.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    la_id: i64,
    kind: &str,
    source_id: &str,
) -> Result<Option<import_ref::Model>, DbErr> {
    import_ref::Entity::find()
        .filter(import_ref::Column::LaId.eq(la_id))
        .filter(import_ref::Column::Kind.eq(kind))
        .filter(import_ref::Column::SourceId.eq(source_id))
        .one(db)
        .await
}
