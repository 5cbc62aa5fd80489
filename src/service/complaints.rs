//! Complaints about the SEND service (Complaint Handling Code): received at stage 1,
//! acknowledged, perhaps extended, answered; escalated to stage 2; taken to the Ombudsman and
//! its decision; and the remedies agreed, each step one transaction with its audit event and
//! the backlog's rows. Staff record them; the family reads theirs.
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};
use serde_json::json;

use super::{Ctx, Target, action};
use crate::domain::access::Permission;
use crate::domain::audit::AuditAction;
use crate::domain::backlog::Process;
use crate::domain::calendar::long_date;
use crate::domain::complaint::{
    ComplaintAction, ComplaintStage, ComplaintState, OmbudsmanFinding, PaymentReason, RemedyKind,
    RemedyOfferedBy, allowed_complaint_actions, check_remedy, complaint_clock, complaint_deadlines,
    complaint_transition,
};
use crate::domain::input::{not_before, optional_text, required_text};
use crate::error::{ApiError, ApiResult};
use crate::store::backlog;
use crate::store::disputes as records;
use crate::store::entity::{child, complaint, remedy};
use crate::store::page::{Page, PageRequest};
use crate::store::scope::visible_children;

pub use crate::store::disputes::{ComplaintRecord, DisputeFilter, RemedyTotal};

pub async fn load(ctx: &Ctx<'_>, id: i64) -> ApiResult<ComplaintRecord> {
    records::load_complaint(ctx.db, &ctx.actor.scope, id).await
}

pub async fn list(
    ctx: &Ctx<'_>,
    filter: DisputeFilter,
    page: PageRequest,
) -> ApiResult<Page<ComplaintRecord>> {
    records::list_complaints(ctx.db, &ctx.actor.scope, filter, page).await
}

/// The complaint a remedy belongs to, where the actor may see it.
pub async fn of_remedy(ctx: &Ctx<'_>, remedy_id: i64) -> ApiResult<ComplaintRecord> {
    let found = remedy::Entity::find_by_id(remedy_id)
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("remedy"))?;
    load(ctx, found.complaint_id)
        .await
        .map_err(|_| ApiError::not_found("remedy"))
}

/// The remedies register from `from` to `to`: managers and caseworkers of a council (their
/// own), administrators (every council).
pub async fn register(
    ctx: &Ctx<'_>,
    from: NaiveDate,
    to: NaiveDate,
    by_paid: bool,
) -> ApiResult<Vec<RemedyTotal>> {
    ctx.require(Permission::ViewBacklog)?;
    if to < from {
        return Err(ApiError::validation(
            "to",
            "the period ends before it starts",
        ));
    }
    if (to - from).num_days() > 3 * 366 {
        return Err(ApiError::validation("to", "at most 3 years at once"));
    }
    records::remedy_register(ctx.db, &ctx.actor.scope, (from, to), by_paid).await
}

fn in_own_council(ctx: &Ctx<'_>, la_id: i64) -> ApiResult<()> {
    if ctx.actor.may_act_in(la_id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "you may only act on your own local authority's cases",
        ))
    }
}

fn validation(e: crate::domain::people::InvalidField) -> ApiError {
    e.into()
}

/// A complaint received about a child's case, at stage 1.
pub async fn receive(
    ctx: &Ctx<'_>,
    child_id: i64,
    received_on: Option<NaiveDate>,
    summary: &str,
) -> ApiResult<ComplaintRecord> {
    ctx.require(Permission::ManageCasework)?;
    let child = child::Entity::find_by_id(child_id)
        .filter(visible_children(
            &ctx.actor.scope,
            child::Column::LaId,
            child::Column::Id,
        ))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::validation("childId", "unknown child"))?;
    in_own_council(ctx, child.la_id)?;
    let today = ctx.today();
    let received_on = received_on.unwrap_or(today);
    if received_on > today {
        return Err(ApiError::validation(
            "receivedOn",
            "a complaint is recorded once received, not in advance",
        ));
    }
    let summary = required_text("summary", summary).map_err(validation)?;
    let txn = ctx.db.begin().await?;
    let row = complaint::ActiveModel {
        id: NotSet,
        la_id: Set(child.la_id),
        child_id: Set(child.id),
        state: Set(ComplaintState::StageOne.as_str().to_owned()),
        summary: Set(summary),
        received_on: Set(received_on),
        version: Set(1),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
        ..Default::default()
    };
    let row = action::create::<ComplaintRecord>(
        ctx,
        &txn,
        row,
        "this complaint is already recorded",
        (
            AuditAction::ReceiveComplaint,
            json!({"receivedOn": received_on}),
        ),
    )
    .await?;
    sync_deadlines(&txn, row.id).await?;
    txn.commit().await?;
    load(ctx, row.id).await
}

type Step = action::Step<ComplaintRecord>;

action::tracked_record!(ComplaintRecord, complaint, "complaint", "complaint", ComplaintAction,
    date: |r: &ComplaintRecord, ctx: &Ctx<'_>, on: Option<NaiveDate>| {
        action::step_date(ctx, on, r.row.received_on, "the complaint was received")
    },
    sync: sync_record_deadlines, reload: load, staged);

async fn sync_record_deadlines(txn: &DatabaseTransaction, key: action::Key) -> ApiResult<()> {
    sync_deadlines(txn, key.id).await
}

/// Rewrites the complaint's rows in the backlog's deadline table from its facts.
pub async fn sync_deadlines<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<()> {
    let row = complaint::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("complaint"))?;
    let record = ComplaintRecord {
        row,
        remedies: Vec::new(),
    };
    let place = super::disputes::placement(db, record.row.la_id, record.row.child_id, id).await?;
    let facts = record.facts();
    let rows = complaint_deadlines(&facts, facts.received_on)
        .into_iter()
        .filter_map(|(_, tracked)| backlog::row(&place, &tracked, None))
        .collect();
    backlog::replace(db, record.row.la_id, Process::Complaint, id, rows).await?;
    Ok(())
}

async fn begin(ctx: &Ctx<'_>, target: Target, action: ComplaintAction) -> ApiResult<Step> {
    ctx.require(Permission::ManageCasework)?;
    let record = load(ctx, target.id).await?;
    in_own_council(ctx, record.row.la_id)?;
    let state = record.state()?;
    let next = complaint_transition(state, action).ok_or_else(|| {
        let allowed: Vec<&str> = allowed_complaint_actions(state)
            .iter()
            .map(|a| a.as_str())
            .collect();
        action::not_allowed("complaint", action.as_str(), state.as_str(), &allowed)
    })?;
    let mut step = Step::begin(ctx, record, target.version, action, target.on)?;
    step.move_to(
        state.as_str(),
        next.as_str(),
        next.is_closed() && !state.is_closed(),
    );
    if state.is_closed() && !next.is_closed() {
        // Escalated or taken to the Ombudsman: open again.
        step.row.closed_on = Set(None);
    }
    Ok(step)
}

fn stage_of(record: &ComplaintRecord) -> ApiResult<ComplaintStage> {
    record
        .state()?
        .stage()
        .ok_or_else(|| ApiError::conflict("the complaint is not at a stage of the council's"))
}

/// The day the current stage began: received, or escalated.
fn stage_received(record: &ComplaintRecord, stage: ComplaintStage) -> NaiveDate {
    match stage {
        ComplaintStage::One => record.row.received_on,
        ComplaintStage::Two => record.row.escalated_on.unwrap_or(record.row.received_on),
    }
}

pub async fn acknowledge(ctx: &Ctx<'_>, target: Target) -> ApiResult<ComplaintRecord> {
    let mut step = begin(ctx, target, ComplaintAction::Acknowledge).await?;
    let stage = stage_of(&step.record)?;
    let received = stage_received(&step.record, stage);
    not_before(step.on, Some(received), "the complaint reached this stage").map_err(validation)?;
    let already = match stage {
        ComplaintStage::One => step.record.row.acknowledged_on,
        ComplaintStage::Two => step.record.row.stage_two_acknowledged_on,
    };
    if already.is_some() {
        return Err(ApiError::conflict("this stage is already acknowledged"));
    }
    match stage {
        ComplaintStage::One => step.row.acknowledged_on = Set(Some(step.on)),
        ComplaintStage::Two => step.row.stage_two_acknowledged_on = Set(Some(step.on)),
    }
    action::finish_alone(ctx, step, json!({})).await
}

/// Moves the answer at the current stage to `until`, with the reason the complainant was
/// given (Code 6.4). Past 10 working days it is flagged as needing a good reason.
pub async fn extend(
    ctx: &Ctx<'_>,
    target: Target,
    until: NaiveDate,
    reason: &str,
) -> ApiResult<ComplaintRecord> {
    let mut step = begin(ctx, target, ComplaintAction::Extend).await?;
    let stage = stage_of(&step.record)?;
    let received = stage_received(&step.record, stage);
    let acknowledged = match stage {
        ComplaintStage::One => step.record.row.acknowledged_on,
        ComplaintStage::Two => step.record.row.stage_two_acknowledged_on,
    };
    let reason = required_text("reason", reason).map_err(validation)?;
    // An extension is agreed before the answer is due, and moves it later than it now is
    // (a second extension runs from the first).
    let given = match stage {
        ComplaintStage::One => step.record.row.extended_to,
        ComplaintStage::Two => step.record.row.stage_two_extended_to,
    };
    not_before(step.on, Some(received), "the complaint reached this stage").map_err(validation)?;
    // As the complaint's deadlines read it: a stored extension a late acknowledgement has
    // overtaken no longer counts.
    let stored = match stage {
        ComplaintStage::One => step.record.row.extension_reason.clone(),
        ComplaintStage::Two => step.record.row.stage_two_extension_reason.clone(),
    };
    let extension = given.zip(stored);
    let due_now = complaint_clock(
        stage,
        received,
        acknowledged,
        extension.as_ref().map(|(d, r)| (*d, r.as_str())),
    )
    .or_else(|_| complaint_clock(stage, received, acknowledged, None))
    .map_err(|e| ApiError::validation("on", e.0))?
    .respond_by;
    if step.on > due_now {
        return Err(ApiError::validation(
            "on",
            format!(
                "the answer was due on {}: an extension is agreed before then",
                long_date(due_now)
            ),
        ));
    }
    if until <= due_now {
        return Err(ApiError::validation(
            "until",
            format!(
                "an extension must move the answer later than {}",
                long_date(due_now)
            ),
        ));
    }
    let clock = complaint_clock(stage, received, acknowledged, Some((until, &reason)))
        .map_err(|e| ApiError::validation("until", e.0))?;
    match stage {
        ComplaintStage::One => {
            step.row.extended_to = Set(Some(until));
            step.row.extension_reason = Set(Some(reason));
        }
        ComplaintStage::Two => {
            step.row.stage_two_extended_to = Set(Some(until));
            step.row.stage_two_extension_reason = Set(Some(reason));
        }
    }
    action::finish_alone(
        ctx,
        step,
        json!({"until": until, "needsGoodReason": clock.extension_needs_good_reason}),
    )
    .await
}

/// The council's answer at the current stage.
pub async fn respond(ctx: &Ctx<'_>, target: Target) -> ApiResult<ComplaintRecord> {
    let mut step = begin(ctx, target, ComplaintAction::Respond).await?;
    let stage = stage_of(&step.record)?;
    not_before(
        step.on,
        Some(stage_received(&step.record, stage)),
        "the complaint reached this stage",
    )
    .map_err(validation)?;
    match stage {
        ComplaintStage::One => {
            // An answer is also an acknowledgement, when none was sent first.
            if step.record.row.acknowledged_on.is_none() {
                step.row.acknowledged_on = Set(Some(step.on));
            }
            step.row.responded_on = Set(Some(step.on));
        }
        ComplaintStage::Two => {
            if step.record.row.stage_two_acknowledged_on.is_none() {
                step.row.stage_two_acknowledged_on = Set(Some(step.on));
            }
            step.row.stage_two_responded_on = Set(Some(step.on));
        }
    }
    action::finish_alone(ctx, step, json!({"stage": stage_number(stage)})).await
}

fn stage_number(stage: ComplaintStage) -> u8 {
    match stage {
        ComplaintStage::One => 1,
        ComplaintStage::Two => 2,
    }
}

/// The complainant asked for stage 2 on `target.on`.
pub async fn escalate(ctx: &Ctx<'_>, target: Target) -> ApiResult<ComplaintRecord> {
    let mut step = begin(ctx, target, ComplaintAction::Escalate).await?;
    not_before(step.on, step.record.row.responded_on, "the stage 1 answer").map_err(validation)?;
    step.row.escalated_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

pub async fn refer_to_ombudsman(
    ctx: &Ctx<'_>,
    target: Target,
    reference: Option<&str>,
) -> ApiResult<ComplaintRecord> {
    let mut step = begin(ctx, target, ComplaintAction::ReferToOmbudsman).await?;
    let answered = step
        .record
        .row
        .stage_two_responded_on
        .or(step.record.row.responded_on);
    not_before(step.on, answered, "the council's answer").map_err(validation)?;
    let reference = optional_text("reference", reference).map_err(validation)?;
    if reference.as_ref().is_some_and(|r| r.chars().count() > 40) {
        return Err(ApiError::validation("reference", "at most 40 characters"));
    }
    step.row.ombudsman_referred_on = Set(Some(step.on));
    step.row.ombudsman_reference = Set(reference);
    action::finish_alone(ctx, step, json!({})).await
}

pub async fn record_ombudsman_decision(
    ctx: &Ctx<'_>,
    target: Target,
    finding: OmbudsmanFinding,
) -> ApiResult<ComplaintRecord> {
    let mut step = begin(ctx, target, ComplaintAction::RecordOmbudsmanDecision).await?;
    not_before(
        step.on,
        step.record.row.ombudsman_referred_on,
        "the referral",
    )
    .map_err(validation)?;
    step.row.ombudsman_decided_on = Set(Some(step.on));
    step.row.ombudsman_finding = Set(Some(finding.as_str().to_owned()));
    action::finish_alone(ctx, step, json!({"finding": finding.as_str()})).await
}

pub async fn withdraw(ctx: &Ctx<'_>, target: Target) -> ApiResult<ComplaintRecord> {
    let mut step = begin(ctx, target, ComplaintAction::Withdraw).await?;
    step.row.withdrawn_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

pub struct NewRemedy {
    pub kind: RemedyKind,
    pub reason: Option<PaymentReason>,
    pub amount_pence: Option<i64>,
    pub offered_by: RemedyOfferedBy,
    pub description: String,
}

/// A remedy agreed on `target.on`, on the complaint's version.
pub async fn record_remedy(
    ctx: &Ctx<'_>,
    target: Target,
    remedy: NewRemedy,
) -> ApiResult<ComplaintRecord> {
    let step = begin(ctx, target, ComplaintAction::RecordRemedy).await?;
    check_remedy(remedy.kind, remedy.amount_pence, remedy.reason)
        .map_err(|(field, message)| ApiError::validation(field, message))?;
    if remedy.amount_pence.is_some_and(|p| p > 100_000_000) {
        return Err(ApiError::validation("amountPence", "at most £1,000,000"));
    }
    if remedy.offered_by == RemedyOfferedBy::Ombudsman
        && step.record.row.ombudsman_decided_on.is_none()
    {
        return Err(ApiError::validation(
            "offeredBy",
            "the Ombudsman's remedy follows its decision: record that first",
        ));
    }
    let description = required_text("description", &remedy.description).map_err(validation)?;
    let record = step.record.clone();
    let locality_id = child::Entity::find_by_id(record.row.child_id)
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("child"))?
        .locality_id;
    let on = step.on;
    let txn = ctx.db.begin().await?;
    let saved = remedy::ActiveModel {
        id: NotSet,
        complaint_id: Set(record.row.id),
        la_id: Set(record.row.la_id),
        child_id: Set(record.row.child_id),
        locality_id: Set(locality_id),
        kind: Set(remedy.kind.as_str().to_owned()),
        reason: Set(remedy.reason.map(|r| r.as_str().to_owned())),
        amount_pence: Set(remedy.amount_pence),
        offered_by: Set(remedy.offered_by.as_str().to_owned()),
        description: Set(description),
        agreed_on: Set(on),
        done_on: Set(None),
        created_at: Set(ctx.now),
    }
    .insert(&txn)
    .await?;
    let summary = json!({"remedyId": saved.id, "kind": remedy.kind.as_str(), "reason": remedy.reason.map(|r| r.as_str()), "amountPence": remedy.amount_pence, "offeredBy": remedy.offered_by.as_str()});
    action::finish(ctx, &txn, step, summary).await?;
    action::commit::<ComplaintRecord>(txn, <ComplaintRecord as action::Tracked>::key(&record))
        .await?;
    load(ctx, target.id).await
}

/// A remedy was carried out on `on`: the apology sent, the payment made. Checked against the
/// version of the complaint the caller saw.
pub async fn record_remedy_done(
    ctx: &Ctx<'_>,
    remedy_id: i64,
    version: i32,
    on: Option<NaiveDate>,
) -> ApiResult<ComplaintRecord> {
    ctx.require(Permission::ManageCasework)?;
    let found = remedy::Entity::find_by_id(remedy_id)
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("remedy"))?;
    // Visible only through its complaint: a remedy of a complaint the caller cannot see is
    // not found.
    let complaint = load(ctx, found.complaint_id)
        .await
        .map_err(|_| ApiError::not_found("remedy"))?;
    let target = Target::new(complaint.row.id, version, on);
    let step = begin(ctx, target, ComplaintAction::RecordRemedyDone).await?;
    if found.done_on.is_some() {
        return Err(ApiError::conflict(
            "this remedy is already recorded as done",
        ));
    }
    not_before(step.on, Some(found.agreed_on), "the remedy was agreed").map_err(validation)?;
    let on = step.on;
    let key = <ComplaintRecord as action::Tracked>::key(&step.record);
    let txn = ctx.db.begin().await?;
    let updated = remedy::Entity::update_many()
        .col_expr(remedy::Column::DoneOn, sea_orm::sea_query::Expr::value(on))
        .filter(remedy::Column::Id.eq(remedy_id))
        .filter(remedy::Column::DoneOn.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::stale("remedy"));
    }
    action::finish(ctx, &txn, step, json!({"remedyId": remedy_id})).await?;
    action::commit::<ComplaintRecord>(txn, key).await?;
    load(ctx, complaint.row.id).await
}
