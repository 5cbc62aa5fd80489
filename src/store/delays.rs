//! Reasons for delays: one per late step, keyed like the step's `deadline` row, and the
//! backlog's counts of late steps by reason (the same boundaries as `store::backlog`).
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use crate::domain::backlog::Process;
use crate::domain::delay::DelayReason;
use crate::domain::timescales::DeadlineKind;
use crate::store::backlog::{Filter, get_int};
use crate::store::entity::{deadline, delay_reason, step_delay};
use crate::store::scope::{Scope, visible_children};
use crate::store::sql::Sql;

/// A step of a record: the key of its deadline row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StepKey {
    pub process: Process,
    pub source_id: i64,
    pub kind: DeadlineKind,
    pub advice_request_id: Option<i64>,
}

pub fn reason_of(row: delay_reason::Model) -> DelayReason {
    DelayReason {
        code: row.code,
        label: row.label,
        note_required: row.note_required,
    }
}

/// Every reason, active ones first, in code order.
pub async fn reasons<C: ConnectionTrait>(db: &C) -> Result<Vec<(DelayReason, bool)>, DbErr> {
    Ok(delay_reason::Entity::find()
        .order_by_desc(delay_reason::Column::Active)
        .order_by_asc(delay_reason::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            let active = r.active;
            (reason_of(r), active)
        })
        .collect())
}

/// Every reason by its code.
pub async fn reasons_by_code<C: ConnectionTrait>(
    db: &C,
) -> Result<std::collections::HashMap<String, DelayReason>, DbErr> {
    Ok(reasons(db)
        .await?
        .into_iter()
        .map(|(r, _)| (r.code.clone(), r))
        .collect())
}

/// An active reason by its code.
pub async fn active_reason<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> Result<Option<DelayReason>, DbErr> {
    Ok(delay_reason::Entity::find_by_id(code.to_owned())
        .filter(delay_reason::Column::Active.eq(true))
        .one(db)
        .await?
        .map(reason_of))
}

/// The step's deadline row, if the record has such a step.
pub async fn step_row<C: ConnectionTrait>(
    db: &C,
    step: StepKey,
) -> Result<Option<deadline::Model>, DbErr> {
    let mut q = deadline::Entity::find()
        .filter(deadline::Column::Process.eq(step.process.as_str()))
        .filter(deadline::Column::SourceId.eq(step.source_id))
        .filter(deadline::Column::Kind.eq(step.kind.as_str()));
    q = match step.advice_request_id {
        Some(id) => q.filter(deadline::Column::AdviceRequestId.eq(id)),
        None => q.filter(deadline::Column::AdviceRequestId.is_null()),
    };
    q.one(db).await
}

/// Records (or replaces) the step's reason.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    row: &deadline::Model,
    reason_code: &str,
    note: Option<String>,
    on: NaiveDate,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let model = step_delay::ActiveModel {
        la_id: Set(row.la_id),
        child_id: Set(row.child_id),
        process: Set(row.process.clone()),
        source_id: Set(row.source_id),
        kind: Set(row.kind.clone()),
        advice_request_id: Set(row.advice_request_id.unwrap_or(0)),
        reason_code: Set(reason_code.to_owned()),
        note: Set(note),
        recorded_on: Set(on),
        recorded_at: Set(at),
        ..Default::default()
    };
    step_delay::Entity::insert(model)
        .on_conflict(
            OnConflict::columns([
                step_delay::Column::Process,
                step_delay::Column::SourceId,
                step_delay::Column::Kind,
                step_delay::Column::AdviceRequestId,
            ])
            .update_columns([
                step_delay::Column::ReasonCode,
                step_delay::Column::Note,
                step_delay::Column::RecordedOn,
                step_delay::Column::RecordedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The reasons recorded on records of these processes, for the records in `source_ids`
/// whose child the scope may see.
pub async fn of_records<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    processes: &[Process],
    source_ids: &[i64],
) -> Result<Vec<step_delay::Model>, DbErr> {
    if source_ids.is_empty() {
        return Ok(Vec::new());
    }
    step_delay::Entity::find()
        .filter(step_delay::Column::Process.is_in(processes.iter().map(|p| p.as_str())))
        .filter(crate::store::ids_in(
            db,
            step_delay::Column::SourceId,
            source_ids.iter().copied(),
        ))
        .filter(visible_children(
            scope,
            step_delay::Column::LaId,
            step_delay::Column::ChildId,
        ))
        .order_by_asc(step_delay::Column::Id)
        .all(db)
        .await
}

/// Late steps grouped by stage and reason (`None`: no reason recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateByReason {
    pub process: String,
    pub kind: String,
    pub reason_code: Option<String>,
    pub count: i64,
}

const JOIN: &str = " LEFT JOIN step_delay s ON s.process = d.process \
    AND s.source_id = d.source_id AND s.kind = d.kind \
    AND s.advice_request_id = COALESCE(d.advice_request_id, 0)";

const GROUP: &str =
    " GROUP BY d.process, d.kind, s.reason_code ORDER BY d.process, d.kind, s.reason_code";

fn late_rows(rows: Vec<sea_orm::QueryResult>) -> Result<Vec<LateByReason>, DbErr> {
    rows.iter()
        .map(|r| {
            Ok(LateByReason {
                process: r.try_get("", "process")?,
                kind: r.try_get("", "kind")?,
                reason_code: r.try_get("", "reason_code")?,
                count: get_int(r, "n")?.unwrap_or(0),
            })
        })
        .collect()
}

/// Steps open and overdue on `as_of` (not lifted by an exception), by stage and reason.
pub async fn overdue_by_reason<C: ConnectionTrait>(
    db: &C,
    as_of: NaiveDate,
    filter: &Filter,
) -> Result<Vec<LateByReason>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(
        "SELECT d.process AS process, d.kind AS kind, s.reason_code AS reason_code, \
         COUNT(*) AS n FROM deadline d",
    )
    .push(JOIN)
    .push(" WHERE")
    .open_on(as_of)
    .push(" AND d.due_on < ")
    .bind(as_of)
    .push(" AND ")
    .not_excepted(as_of)
    .filter(filter)
    .push(GROUP);
    late_rows(db.query_all_raw(sql.statement()).await?)
}

/// Steps done late in `[from, to]` (no exception lifted them first), by stage and reason.
pub async fn done_late_by_reason<C: ConnectionTrait>(
    db: &C,
    from: NaiveDate,
    to: NaiveDate,
    filter: &Filter,
) -> Result<Vec<LateByReason>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(
        "SELECT d.process AS process, d.kind AS kind, s.reason_code AS reason_code, \
         COUNT(*) AS n FROM deadline d",
    )
    .push(JOIN)
    .push(" WHERE d.met_on >= ")
    .bind(from)
    .push(" AND d.met_on <= ")
    .bind(to)
    .push(" AND d.met_on > d.due_on AND (d.excepted_from IS NULL OR d.excepted_from > d.met_on)")
    .filter(filter)
    .push(GROUP);
    late_rows(db.query_all_raw(sql.statement()).await?)
}
