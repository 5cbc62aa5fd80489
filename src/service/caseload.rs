//! Caseloads: a caseworker's open cases with the next deadline first, and assigning cases
//! within a team (caseworkers) or across the local authority (managers).
use crate::domain::audit::AuditAction;
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde_json::json;

use super::Ctx;
use super::assessment::{self as casework, AssessmentRecord};
use crate::domain::access::{Permission, Role};
use crate::domain::assessment::assessment_deadlines;
use crate::domain::timescales::{Deadline, DeadlineStatus};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::entity::{assessment, staff};
use crate::store::scope::visible_children;

/// Whose cases to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// The signed-in caseworker's own cases.
    Me,
    Caseworker(i64),
    /// Open cases with no caseworker (managers).
    Unassigned,
}

#[derive(Clone, Copy, Debug)]
pub struct CaseloadFilter {
    pub owner: Owner,
    /// Only cases whose next deadline is overdue.
    pub overdue_only: bool,
    /// Only cases with a deadline due within this many days (overdue included).
    pub due_within_days: Option<i64>,
}

pub struct CaseloadItem {
    pub record: AssessmentRecord,
    /// The earliest deadline still open (pending, due soon or overdue).
    pub next_deadline: Option<Deadline>,
}

pub struct Caseload {
    pub caseworker: Option<staff::Model>,
    pub items: Vec<CaseloadItem>,
    pub open_cases: usize,
    pub overdue: usize,
    pub due_soon: usize,
}

fn is_open(d: &Deadline) -> bool {
    matches!(
        d.status,
        DeadlineStatus::Pending | DeadlineStatus::DueSoon | DeadlineStatus::Overdue
    )
}

/// The next open deadline of a case on `today`.
pub fn next_deadline(record: &AssessmentRecord, today: NaiveDate) -> ApiResult<Option<Deadline>> {
    let facts = record.facts()?;
    Ok(assessment_deadlines(&facts, today)
        .into_iter()
        .filter(is_open)
        .min_by_key(|d| d.due_on))
}

async fn staff_record(ctx: &Ctx<'_>, id: i64) -> ApiResult<Option<staff::Model>> {
    Ok(staff::Entity::find_by_id(id).one(ctx.db).await?)
}

/// A caseload: open cases, the next deadline first (cases with none last).
pub async fn caseload(ctx: &Ctx<'_>, filter: CaseloadFilter) -> ApiResult<Caseload> {
    ctx.require(Permission::ManageCasework)?;
    let own = match ctx.actor.staff_id {
        Some(id) => staff_record(ctx, id).await?,
        None => None,
    };
    let (caseworker, owner_id) = match filter.owner {
        Owner::Me => {
            let me = own.clone().ok_or_else(|| {
                ApiError::forbidden("no staff record matches this sign-in, so there is no caseload")
            })?;
            (Some(me.clone()), Some(me.id))
        }
        Owner::Caseworker(id) => {
            let target = staff_record(ctx, id)
                .await?
                .filter(|s| ctx.actor.may_act_in(s.la_id))
                .ok_or_else(|| ApiError::not_found("caseworker"))?;
            if ctx.actor.role == Role::Caseworker
                && target.id != own.as_ref().map_or(-1, |o| o.id)
                && (target.team_id.is_none()
                    || target.team_id != own.as_ref().and_then(|o| o.team_id))
            {
                return Err(ApiError::forbidden(
                    "caseworkers see their own team's caseloads; managers see all",
                ));
            }
            (Some(target.clone()), Some(target.id))
        }
        Owner::Unassigned => {
            if ctx.actor.role == Role::Caseworker {
                return Err(ApiError::forbidden(
                    "managers assign unallocated cases; ask your manager",
                ));
            }
            (None, None)
        }
    };
    let mut query = assessment::Entity::find()
        .filter(visible_children(
            &ctx.actor.scope,
            assessment::Column::LaId,
            assessment::Column::ChildId,
        ))
        .filter(assessment::Column::ClosedOn.is_null());
    query = match owner_id {
        Some(id) => query.filter(assessment::Column::CaseworkerId.eq(id)),
        None => query.filter(assessment::Column::CaseworkerId.is_null()),
    };
    let rows = query
        .order_by_asc(assessment::Column::ReceivedOn)
        .all(ctx.db)
        .await?;
    let today = ctx.today();
    let mut items = Vec::with_capacity(rows.len());
    for record in casework::load_many(ctx.db, rows).await? {
        let next = next_deadline(&record, today)?;
        items.push(CaseloadItem {
            record,
            next_deadline: next,
        });
    }
    let open_cases = items.len();
    let overdue = items
        .iter()
        .filter(|i| matches!(&i.next_deadline, Some(d) if d.status == DeadlineStatus::Overdue))
        .count();
    let due_soon = items
        .iter()
        .filter(|i| matches!(&i.next_deadline, Some(d) if d.status == DeadlineStatus::DueSoon))
        .count();
    items.retain(|i| {
        let due = i.next_deadline.as_ref().map(|d| d.due_on);
        let overdue_ok = !filter.overdue_only
            || matches!(&i.next_deadline, Some(d) if d.status == DeadlineStatus::Overdue);
        let within_ok = filter
            .due_within_days
            .is_none_or(|days| due.is_some_and(|d| (d - today).num_days() <= days));
        overdue_ok && within_ok
    });
    items.sort_by_key(|i| {
        (
            i.next_deadline.is_none(),
            i.next_deadline.as_ref().map(|d| d.due_on),
            i.record.row.id,
        )
    });
    Ok(Caseload {
        caseworker,
        items,
        open_cases,
        overdue,
        due_soon,
    })
}

/// Assigns an open case to a caseworker: within their own team for caseworkers, anywhere in
/// the local authority for managers.
pub async fn assign(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    caseworker_id: i64,
) -> ApiResult<AssessmentRecord> {
    ctx.require(Permission::ManageCasework)?;
    let record = casework::load(ctx, id).await?;
    if !ctx.actor.may_act_in(record.row.la_id) {
        return Err(ApiError::forbidden(
            "you may only act on your own local authority's cases",
        ));
    }
    if record.row.closed_on.is_some() {
        return Err(ApiError::conflict(
            "this assessment is closed; only open cases are assigned",
        ));
    }
    let target = staff::Entity::find_by_id(caseworker_id)
        .filter(staff::Column::LaId.eq(record.row.la_id))
        .filter(staff::Column::Active.eq(true))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::validation("caseworkerId", "unknown caseworker"))?;
    if ctx.actor.role == Role::Caseworker {
        let own_team = match ctx.actor.staff_id {
            Some(me) => staff_record(ctx, me).await?.and_then(|s| s.team_id),
            None => None,
        };
        let current_team = match record.row.caseworker_id {
            Some(current) => staff_record(ctx, current).await?.and_then(|s| s.team_id),
            None => None,
        };
        let same_team = own_team.is_some()
            && target.team_id == own_team
            && (record.row.caseworker_id.is_none() || current_team == own_team);
        if !same_team {
            return Err(ApiError::forbidden(
                "caseworkers assign cases within their own team; ask a manager",
            ));
        }
    }
    if record.row.version != version {
        return Err(ApiError::stale("assessment"));
    }
    let txn = ctx.db.begin().await?;
    let updated = assessment::Entity::update_many()
        .col_expr(assessment::Column::CaseworkerId, Expr::value(target.id))
        .col_expr(assessment::Column::Version, Expr::value(version + 1))
        .col_expr(assessment::Column::UpdatedAt, Expr::value(ctx.now))
        .filter(assessment::Column::Id.eq(id))
        .filter(assessment::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::stale("assessment"));
    }
    // The backlog counts by caseworker and team: move its rows with the case.
    casework::sync_deadlines(&txn, id).await?;
    super::plan::sync_deadlines(&txn, record.row.child_id).await?;
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: Some(record.row.la_id),
            child_id: Some(record.row.child_id),
            entity: "assessment",
            entity_id: id,
            action: AuditAction::AssignCaseworker,
            summary: json!({"from": record.row.caseworker_id, "to": target.id, "version": version + 1}),
        },
    )
    .await?;
    txn.commit().await?;
    casework::load(ctx, id).await
}
