//! Reasons for delays on late steps (`domain::delay`): recorded by the council's staff on an
//! assessment's, a plan's, a review's or an amendment's late step; read on the record and
//! counted by the backlog and timeliness. A reason never changes a deadline or a standing.

use crate::domain::audit::AuditAction;
use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, TransactionTrait};
use serde_json::json;

use super::Ctx;
use crate::domain::access::Permission;
use crate::domain::backlog::{Process, Source};
use crate::domain::delay::{DelayReason, StepDates, check_late, check_note};
use crate::domain::input::reason_code;
use crate::domain::people::parse_name;
use crate::domain::timescales::{DeadlineKind, Party};
use crate::error::{ApiError, ApiResult};
use crate::service::{assessment, plan};
use crate::store::audit::{self, AuditEntry};
use crate::store::backlog::{Filter, open_ended};
use crate::store::delays::{self as store, LateByReason, StepKey};
use crate::store::entity::delay_reason;

/// A reason for a delay to record on a record's late step.
pub struct RecordDelay {
    pub source: Source,
    pub record_id: i64,
    pub kind: DeadlineKind,
    /// The advice request, for an advice step.
    pub advice_request_id: Option<i64>,
    pub reason_code: String,
    pub note: Option<String>,
}

/// A reason recorded on a step, as the caller may see it.
#[derive(Debug, Clone)]
pub struct StepDelay {
    pub source: Source,
    pub record_id: i64,
    pub kind: DeadlineKind,
    pub advice_request_id: Option<i64>,
    pub reason: DelayReason,
    /// Staff's own words: for staff and admins only (families see the reason).
    pub note: Option<String>,
    pub recorded_on: NaiveDate,
}

/// Every reason (active first) and whether it may still be picked.
pub async fn reasons(ctx: &Ctx<'_>) -> ApiResult<Vec<(DelayReason, bool)>> {
    Ok(store::reasons(ctx.db).await?)
}

fn noun(source: Source) -> &'static str {
    match source {
        Source::Assessment => "needs assessment",
        Source::Plan => "EHC plan",
        Source::Review => "annual review",
        Source::Amendment => "amendment",
        Source::Dispute => "dispute",
        Source::Complaint => "complaint",
    }
}

fn audit_entity(source: Source) -> &'static str {
    match source {
        Source::Assessment => "assessment",
        Source::Plan => "ehc_plan",
        Source::Review => "annual_review",
        Source::Amendment => "plan_amendment",
        Source::Dispute => "dispute",
        Source::Complaint => "complaint",
    }
}

/// Records (or replaces) the reason for a late step's delay, with its audit event, in one
/// transaction. Staff of the record's council and admins; the step must be late.
pub async fn record(ctx: &Ctx<'_>, input: RecordDelay) -> ApiResult<StepDelay> {
    ctx.require(Permission::ManageCasework)?;
    let id = input.record_id;
    let (la_id, child_id) = match input.source {
        Source::Assessment => {
            let r = assessment::load(ctx, id).await?.row;
            (r.la_id, r.child_id)
        }
        Source::Plan => {
            let r = plan::load_plan(ctx, id).await?.row;
            (r.la_id, r.child_id)
        }
        Source::Review => {
            let r = plan::load_review(ctx, id).await?.row;
            (r.la_id, r.child_id)
        }
        Source::Amendment => {
            let r = plan::load_amendment(ctx, id).await?.row;
            (r.la_id, r.child_id)
        }
        Source::Dispute | Source::Complaint => {
            return Err(ApiError::validation(
                "stage",
                "reasons for delay are recorded on assessments, plans, reviews and amendments",
            ));
        }
    };
    if !ctx.actor.may_act_in(la_id) {
        return Err(ApiError::forbidden(
            "you may only act on your own local authority's cases",
        ));
    }
    let kind = input.kind;
    let process = Process::of(kind).filter(|_| Process::source(kind) == input.source);
    let Some(process) = process else {
        return Err(ApiError::validation(
            "stage",
            format!("{} is not a step of a {}", kind.label(), noun(input.source)),
        ));
    };
    if kind.party() == Party::Parent {
        return Err(ApiError::validation(
            "stage",
            "this is the family's time to respond, not a step anyone can be late with",
        ));
    }
    let code = reason_code(&input.reason_code).map_err(|e| {
        ApiError::validation("reasonCode", format!("the reason code {}", e.message))
    })?;
    let Some(reason) = store::active_reason(ctx.db, &code).await? else {
        return Err(ApiError::validation(
            "reasonCode",
            format!("`{code}` is not a reason for a delay in use here (see delayReasons)"),
        ));
    };
    let note = check_note(&reason, input.note.as_deref())?;
    let today = ctx.today();
    let txn = ctx.db.begin().await?;
    let key = StepKey {
        process,
        source_id: id,
        kind,
        advice_request_id: input.advice_request_id,
    };
    let Some(row) = store::step_row(&txn, key).await? else {
        return Err(ApiError::validation(
            "stage",
            format!(
                "this {} has no {} step{}",
                noun(input.source),
                kind.label(),
                if input.advice_request_id.is_some() {
                    " for that advice request"
                } else {
                    ""
                }
            ),
        ));
    };
    let settled_on = (row.open_until != open_ended()).then_some(row.open_until);
    check_late(
        StepDates {
            due_on: row.due_on,
            met_on: row.met_on,
            excepted_from: row.excepted_from,
            settled_on,
        },
        today,
    )?;
    store::record(&txn, &row, &reason.code, note.clone(), today, ctx.now).await?;
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: Some(la_id),
            child_id: Some(child_id),
            entity: audit_entity(input.source),
            entity_id: id,
            action: AuditAction::RecordDelayReason,
            summary: json!({
                "stage": kind.as_str(),
                "adviceRequestId": input.advice_request_id,
                "reasonCode": reason.code,
                "dueOn": row.due_on,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(StepDelay {
        source: input.source,
        record_id: id,
        kind,
        advice_request_id: input.advice_request_id,
        reason,
        note,
        recorded_on: today,
    })
}

/// The processes whose rows a record of `source` holds.
fn processes_of(source: Source) -> &'static [Process] {
    match source {
        Source::Assessment => &[Process::NeedsAssessment],
        Source::Plan => &[
            Process::AnnualReview,
            Process::PhaseTransfer,
            Process::PlanTransfer,
        ],
        Source::Review => &[Process::AnnualReview],
        Source::Amendment => &[Process::Amendment],
        Source::Dispute => &[Process::Dispute],
        Source::Complaint => &[Process::Complaint],
    }
}

/// The reasons recorded on these records of one kind, that the actor may see.
pub async fn of_records(ctx: &Ctx<'_>, source: Source, ids: &[i64]) -> ApiResult<Vec<StepDelay>> {
    let rows = store::of_records(ctx.db, &ctx.actor.scope, processes_of(source), ids).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let reasons = store::reasons_by_code(ctx.db).await?;
    let staff = ctx.actor.may(Permission::ManageCasework);
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(kind) = DeadlineKind::parse(&row.kind) else {
            continue;
        };
        if Process::source(kind) != source {
            continue;
        }
        let Some(reason) = reasons.get(&row.reason_code).cloned() else {
            continue;
        };
        out.push(StepDelay {
            source,
            record_id: row.source_id,
            kind,
            advice_request_id: (row.advice_request_id != 0).then_some(row.advice_request_id),
            reason,
            note: if staff { row.note } else { None },
            recorded_on: row.recorded_on,
        });
    }
    Ok(out)
}

/// A count of late steps at one stage for one reason (`None`: no reason recorded).
pub struct LateCount {
    pub process: Process,
    pub kind: DeadlineKind,
    pub reason: Option<DelayReason>,
    pub count: i64,
}

async fn labelled(ctx: &Ctx<'_>, rows: Vec<LateByReason>) -> ApiResult<Vec<LateCount>> {
    let reasons = store::reasons_by_code(ctx.db).await?;
    rows.into_iter()
        .map(|r| {
            let unknown = || ApiError::Internal(anyhow::anyhow!("unknown stage {:?}", r.kind));
            let kind = DeadlineKind::parse(&r.kind).ok_or_else(unknown)?;
            let process = Process::of(kind).ok_or_else(unknown)?;
            Ok(LateCount {
                process,
                kind,
                reason: r.reason_code.and_then(|c| reasons.get(&c).cloned()),
                count: r.count,
            })
        })
        .collect()
}

/// Steps open and overdue on `as_of`, by stage and the reason recorded for their delay.
pub async fn overdue_by_reason(
    ctx: &Ctx<'_>,
    as_of: NaiveDate,
    filter: Filter,
) -> ApiResult<Vec<LateCount>> {
    let filter = super::backlog::scoped(ctx, filter)?;
    labelled(ctx, store::overdue_by_reason(ctx.db, as_of, &filter).await?).await
}

/// Steps done late in `[from, to]`, by stage and the reason recorded for their delay.
pub async fn done_late_by_reason(
    ctx: &Ctx<'_>,
    from: NaiveDate,
    to: NaiveDate,
    filter: Filter,
) -> ApiResult<Vec<LateCount>> {
    let filter = super::backlog::scoped(ctx, filter)?;
    labelled(
        ctx,
        store::done_late_by_reason(ctx.db, from, to, &filter).await?,
    )
    .await
}

/// Admins add a reason without a release.
pub async fn add_reason(ctx: &Ctx<'_>, reason: DelayReason) -> ApiResult<DelayReason> {
    ctx.require(Permission::AdministerLocalAuthorities)?;
    let code = reason_code(&reason.code)?;
    let row = delay_reason::ActiveModel {
        code: Set(code.clone()),
        label: Set(parse_name("label", &reason.label)?),
        note_required: Set(reason.note_required),
        active: Set(true),
    };
    let saved = super::action::create_reference(
        ctx,
        row,
        "delay_reason",
        &code,
        "code: a reason for a delay with this code already exists",
    )
    .await?;
    Ok(store::reason_of(saved))
}
