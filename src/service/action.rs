//! One shape for every change to a tracked record (a needs assessment, an EHC plan, an annual
//! review, an amendment):
//!
//! 1. **begin**: the caller checks permission and the state machine, then [`Step::begin`]
//!    checks the version the caller saw and the date of the action, and starts the row that
//!    bumps the version;
//! 2. the action sets what it changes on `step.row`;
//! 3. [`finish`] writes the row over exactly the version the caller saw (of two concurrent
//!    actions one wins, the other is a stale CONFLICT) and the audit event, in the caller's
//!    transaction; 4. [`commit`] syncs the record's deadlines and commits. An action that
//!    writes only its own row does 3 and 4 with [`finish_alone`].
//!
//! Private to `service`: only a use case, after its permission and state-machine checks,
//! may begin a step.
use crate::domain::audit::AuditAction;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde_json::json;

use super::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry};

/// Where a tracked record sits, and the version it was read at.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub version: i32,
}

/// A record whose changes are version-checked and audited.
pub trait Tracked {
    type Entity: EntityTrait;
    type Row: ActiveModelTrait<Entity = Self::Entity> + ActiveModelBehavior + Send;
    /// Its steps, each audited under the action of the same name.
    type Action: Copy + Into<AuditAction>;
    /// The entity's name in the audit trail.
    const ENTITY: &'static str;
    /// What a stale CONFLICT calls it ("this review was changed by someone else").
    const NOUN: &'static str;

    fn key(&self) -> Key;
    /// Where a stored row of this record sits.
    fn row_key(row: &<Self::Entity as EntityTrait>::Model) -> Key;
    fn id_column() -> <Self::Entity as EntityTrait>::Column;
    fn version_column() -> <Self::Entity as EntityTrait>::Column;
    /// A row that changes only the version and when it was updated.
    fn versioned_row(id: i64, version: i32, now: DateTime<Utc>) -> Self::Row;
    /// The day the action happened: given, or today; checked against the record's start.
    fn action_date(&self, ctx: &Ctx<'_>, on: Option<NaiveDate>) -> ApiResult<NaiveDate>;
    /// Rewrites the backlog's rows this record's deadlines feed, from what `txn` now holds.
    fn sync_deadlines(
        txn: &DatabaseTransaction,
        key: Key,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    /// The record as the actor sees it, read after a change.
    fn reload(ctx: &Ctx<'_>, id: i64) -> impl Future<Output = ApiResult<Self>> + Send
    where
        Self: Sized;
}

/// A record that moves through states and closes on the day of its last action.
pub trait Staged: Tracked {
    fn set_state(row: &mut Self::Row, state: &'static str);
    fn set_closed_on(row: &mut Self::Row, on: NaiveDate);
}

/// An action under way: the record as the caller saw it, the action's date and the row.
pub struct Step<R: Tracked> {
    pub record: R,
    pub on: NaiveDate,
    pub row: R::Row,
    action: R::Action,
    version: i32,
}

impl<R: Tracked> Step<R> {
    /// For an action the caller has allowed: the version the caller saw must still be the
    /// record's, and the date must be a day the action could have happened.
    pub fn begin(
        ctx: &Ctx<'_>,
        record: R,
        version: i32,
        action: R::Action,
        on: Option<NaiveDate>,
    ) -> ApiResult<Self> {
        let key = record.key();
        if key.version != version {
            return Err(ApiError::stale(R::NOUN));
        }
        let on = record.action_date(ctx, on)?;
        Ok(Step {
            row: R::versioned_row(key.id, version + 1, ctx.now),
            record,
            on,
            action,
            version,
        })
    }
}

impl<R: Staged> Step<R> {
    /// Records the state the action moves to (`from` when it stays) and closes the record
    /// on the action's day when that state is final.
    pub fn move_to(&mut self, from: &'static str, to: &'static str, closes: bool) {
        if to != from {
            R::set_state(&mut self.row, to);
        }
        if closes {
            R::set_closed_on(&mut self.row, self.on);
        }
    }
}

/// The day of a step: the one given, or today; never a day still to come, nor before the
/// record's `start` (`since` says what happened that day: "the complaint was received").
pub fn step_date(
    ctx: &Ctx<'_>,
    on: Option<NaiveDate>,
    start: NaiveDate,
    since: &str,
) -> ApiResult<NaiveDate> {
    use crate::domain::assessment::{DateError, validate_action_date};
    use crate::domain::calendar::long_date;
    let today = ctx.today();
    let on = on.unwrap_or(today);
    match validate_action_date(on, start, today) {
        Ok(()) => Ok(on),
        Err(e @ DateError::InFuture { .. }) => Err(ApiError::validation("on", e.to_string())),
        Err(DateError::BeforeStart { .. }) => Err(ApiError::validation(
            "on",
            format!(
                "{} is before {since} on {}",
                long_date(on),
                long_date(start)
            ),
        )),
    }
}

/// A step the record's state does not allow: a CONFLICT saying so, with the steps it does
/// (`extensions.allowedActions`).
pub fn not_allowed(noun: &str, action: &str, state: &str, allowed: &[&'static str]) -> ApiError {
    let message = if allowed.is_empty() {
        format!("{action} is not allowed when the {noun} is {state}; the {noun} is closed")
    } else {
        format!(
            "{action} is not allowed when the {noun} is {state}; allowed: {}",
            allowed.join(", ")
        )
    };
    ApiError::not_allowed(message, allowed.iter().copied())
}

/// Writes the row over the version the caller saw, and its audit event (with the action's
/// date and the new version in the summary), in `txn`. Returns the record's id.
pub async fn finish<R: Tracked>(
    ctx: &Ctx<'_>,
    txn: &DatabaseTransaction,
    step: Step<R>,
    mut summary: serde_json::Value,
) -> ApiResult<i64> {
    let key = step.record.key();
    let result = R::Entity::update_many()
        .set(step.row)
        .filter(R::id_column().eq(key.id))
        .filter(R::version_column().eq(step.version))
        .exec(txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(ApiError::stale(R::NOUN));
    }
    if let Some(map) = summary.as_object_mut() {
        map.insert("on".into(), json!(step.on));
        map.insert("version".into(), json!(step.version + 1));
    }
    audit::record(
        txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: Some(key.la_id),
            child_id: Some(key.child_id),
            entity: R::ENTITY,
            entity_id: key.id,
            action: step.action.into(),
            summary,
        },
    )
    .await?;
    Ok(key.id)
}

/// A new tracked record: its row (at version 1) and the audit event of its start, in the
/// caller's transaction. A clash with a unique index (one open already, or a second started
/// at the same moment) is a `CONFLICT` saying `taken`.
/// Adds a row of reference data an admin extends (an exception reason, a reason for a
/// delay) with its audit event, in one transaction; a code already taken is a CONFLICT
/// saying `taken`.
pub async fn create_reference<A>(
    ctx: &Ctx<'_>,
    row: A,
    entity: &str,
    code: &str,
    taken: &str,
) -> ApiResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let txn = ctx.db.begin().await?;
    let saved = row.insert(&txn).await.map_err(|e| {
        if crate::store::is_unique_violation(&e) {
            ApiError::conflict(taken.to_owned())
        } else {
            e.into()
        }
    })?;
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: None,
            child_id: None,
            entity,
            entity_id: 0,
            action: AuditAction::Create,
            summary: json!({"code": code}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

pub async fn create<R: Tracked>(
    ctx: &Ctx<'_>,
    txn: &DatabaseTransaction,
    row: R::Row,
    taken: &str,
    (action, summary): (AuditAction, serde_json::Value),
) -> ApiResult<<R::Entity as EntityTrait>::Model>
where
    <R::Entity as EntityTrait>::Model: IntoActiveModel<R::Row>,
{
    let row = row.insert(txn).await.map_err(|e| {
        if crate::store::is_unique_violation(&e) {
            ApiError::conflict(taken.to_owned())
        } else {
            e.into()
        }
    })?;
    let key = R::row_key(&row);
    audit::record(
        txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: Some(key.la_id),
            child_id: Some(key.child_id),
            entity: R::ENTITY,
            entity_id: key.id,
            action,
            summary,
        },
    )
    .await?;
    Ok(row)
}

/// The last step of every action: the deadlines the change touched are synced from what the
/// transaction holds, then it commits. Called after every write of the action, so rows it
/// added besides the record's own (a new amendment, an advice request) count too.
pub async fn commit<R: Tracked>(txn: DatabaseTransaction, key: Key) -> ApiResult<()> {
    R::sync_deadlines(&txn, key).await?;
    txn.commit().await?;
    Ok(())
}

/// An action that writes only its record's row: [`finish`] and [`commit`] in a transaction
/// of its own, then the record read back.
pub async fn finish_alone<R: Tracked>(
    ctx: &Ctx<'_>,
    step: Step<R>,
    summary: serde_json::Value,
) -> ApiResult<R> {
    let key = step.record.key();
    let txn = ctx.db.begin().await?;
    finish(ctx, &txn, step, summary).await?;
    commit::<R>(txn, key).await?;
    R::reload(ctx, key.id).await
}

/// Implements [`Tracked`] (and, with `staged`, [`Staged`]) for a record type whose `row` is
/// the entity's model with `id`, `la_id`, `child_id` and `version`, and whose table has
/// `id`, `version` and `updated_at` (and `state`, `closed_on` when staged). `date` is a
/// `fn(&Record, &Ctx, Option<NaiveDate>) -> ApiResult<NaiveDate>`; `sync` an
/// `async fn(&DatabaseTransaction, Key) -> ApiResult<()>`; `reload` an
/// `async fn(&Ctx, i64) -> ApiResult<Record>`.
macro_rules! tracked_record {
    ($record:ty, $entity:ident, $audit:literal, $noun:literal, $action:ty, date: $date:expr,
     sync: $sync:path, reload: $reload:path) => {
        impl $crate::service::action::Tracked for $record {
            type Entity = $entity::Entity;
            type Row = $entity::ActiveModel;
            type Action = $action;
            const ENTITY: &'static str = $audit;
            const NOUN: &'static str = $noun;

            fn key(&self) -> $crate::service::action::Key {
                Self::row_key(&self.row)
            }
            fn row_key(row: &$entity::Model) -> $crate::service::action::Key {
                $crate::service::action::Key {
                    id: row.id,
                    la_id: row.la_id,
                    child_id: row.child_id,
                    version: row.version,
                }
            }
            fn id_column() -> $entity::Column {
                $entity::Column::Id
            }
            fn version_column() -> $entity::Column {
                $entity::Column::Version
            }
            fn versioned_row(
                id: i64,
                version: i32,
                now: ::chrono::DateTime<::chrono::Utc>,
            ) -> $entity::ActiveModel {
                $entity::ActiveModel {
                    id: ::sea_orm::ActiveValue::Unchanged(id),
                    version: ::sea_orm::ActiveValue::Set(version),
                    updated_at: ::sea_orm::ActiveValue::Set(now),
                    ..Default::default()
                }
            }
            fn action_date(
                &self,
                ctx: &$crate::service::Ctx<'_>,
                on: Option<::chrono::NaiveDate>,
            ) -> $crate::error::ApiResult<::chrono::NaiveDate> {
                ($date)(self, ctx, on)
            }
            fn sync_deadlines(
                txn: &::sea_orm::DatabaseTransaction,
                key: $crate::service::action::Key,
            ) -> impl ::std::future::Future<Output = $crate::error::ApiResult<()>> + Send {
                $sync(txn, key)
            }
            fn reload(
                ctx: &$crate::service::Ctx<'_>,
                id: i64,
            ) -> impl ::std::future::Future<Output = $crate::error::ApiResult<Self>> + Send {
                $reload(ctx, id)
            }
        }
    };
    ($record:ty, $entity:ident, $audit:literal, $noun:literal, $action:ty, date: $date:expr,
     sync: $sync:path, reload: $reload:path, staged) => {
        $crate::service::action::tracked_record!($record, $entity, $audit, $noun, $action,
            date: $date, sync: $sync, reload: $reload);

        impl $crate::service::action::Staged for $record {
            fn set_state(row: &mut $entity::ActiveModel, state: &'static str) {
                row.state = ::sea_orm::ActiveValue::Set(state.to_owned());
            }
            fn set_closed_on(row: &mut $entity::ActiveModel, on: ::chrono::NaiveDate) {
                row.closed_on = ::sea_orm::ActiveValue::Set(Some(on));
            }
        }
    };
}
pub(crate) use tracked_record;
