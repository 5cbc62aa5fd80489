//! Annual reviews (CFA s.44, regs 18–21): arranging one, its steps and its decision.
use super::*;
use crate::domain::audit::AuditAction;
use crate::service::advice::NewAdviceRequest;

// ---------- starting reviews and amendments ----------

pub async fn schedule_review(
    ctx: &Ctx<'_>,
    target: Target,
    kind: ReviewKind,
    meeting_on: NaiveDate,
) -> ApiResult<ReviewRecord> {
    let step = begin_plan(ctx, target, PlanAction::ScheduleReview).await?;
    if meeting_on < step.on {
        return Err(ApiError::validation(
            "meetingOn",
            "the meeting cannot be before the day it was arranged",
        ));
    }
    let limit = step.record.facts()?.review_limit();
    let (la_id, child_id, on) = (step.record.row.la_id, step.record.row.child_id, step.on);
    let txn = ctx.db.begin().await?;
    action::finish(
        ctx,
        &txn,
        step,
        json!({"kind": kind.as_str(), "meetingOn": meeting_on, "dueBy": limit.due_on}),
    )
    .await?;
    let review = annual_review::ActiveModel {
        id: NotSet,
        la_id: Set(la_id),
        child_id: Set(child_id),
        plan_id: Set(target.id),
        kind: Set(kind.as_str().to_owned()),
        state: Set(ReviewState::Scheduled.as_str().to_owned()),
        scheduled_on: Set(on),
        meeting_on: Set(meeting_on),
        meeting_held: Set(false),
        due_by: Set(limit.due_on),
        due_by_kind: Set(limit.kind.as_str().to_owned()),
        version: Set(1),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
        ..Default::default()
    };
    let review = action::create::<ReviewRecord>(
        ctx,
        &txn,
        review,
        "this plan already has a review under way",
        (
            AuditAction::Schedule,
            json!({"planId": target.id, "kind": kind.as_str(), "meetingOn": meeting_on, "dueBy": limit.due_on}),
        ),
    )
    .await?;
    answer_review_meeting_request(ctx, &txn, target.id, review.id, on).await?;
    commit(txn, child_id).await?;
    load_review(ctx, review.id).await
}

/// A review arranged for the plan answers the family's open request for one.
async fn answer_review_meeting_request(
    ctx: &Ctx<'_>,
    txn: &DatabaseTransaction,
    plan_id: i64,
    review_id: i64,
    arranged_on: NaiveDate,
) -> ApiResult<()> {
    let Some(request) = review_meeting_request::Entity::find()
        .filter(review_meeting_request::Column::PlanId.eq(plan_id))
        .filter(review_meeting_request::Column::AnsweredOn.is_null())
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    // A review entered afterwards with an earlier date still answers on the day it was asked.
    let on = arranged_on.max(request.requested_on);
    review_meeting_request::Entity::update_many()
        .col_expr(review_meeting_request::Column::AnsweredOn, Expr::value(on))
        .col_expr(
            review_meeting_request::Column::Outcome,
            Expr::value(RequestOutcome::ReviewArranged.as_str()),
        )
        .col_expr(
            review_meeting_request::Column::ReviewId,
            Expr::value(review_id),
        )
        .col_expr(
            review_meeting_request::Column::AnsweredByStaffId,
            Expr::value(ctx.actor.staff_id),
        )
        .filter(review_meeting_request::Column::Id.eq(request.id))
        .exec(txn)
        .await?;
    audit::record(
        txn,
        ctx.actor,
        ctx.now,
        audit_entry(
            request.la_id,
            request.child_id,
            "review_meeting_request",
            request.id,
            AuditAction::Answer,
            json!({"outcome": RequestOutcome::ReviewArranged.as_str(), "reviewId": review_id, "on": on}),
        ),
    )
    .await?;
    Ok(())
}

// ---------- reviews ----------

/// A review action under way (see [`action`]).
pub(in crate::service) type ReviewStep = action::Step<ReviewRecord>;

action::tracked_record!(ReviewRecord, annual_review, "annual_review", "review", ReviewAction,
    date: |r: &ReviewRecord, ctx, on| action_date(ctx, on, r.row.scheduled_on, "review"),
    sync: sync_child_plans, reload: load_review, staged);

/// Checks permission and visibility, then [`prepare_review`].
async fn begin_review(
    ctx: &Ctx<'_>,
    target: Target,
    action: ReviewAction,
) -> ApiResult<ReviewStep> {
    let Target { id, version, on } = target;
    ctx.require(Permission::ManageCasework)?;
    let record = load_review(ctx, id).await?;
    require_casework(ctx, record.row.la_id)?;
    prepare_review(ctx, record, version, action, on)
}

/// Checks the state machine, the version the caller saw and the date, for a review the caller
/// has already been allowed to act on.
pub(in crate::service) fn prepare_review(
    ctx: &Ctx<'_>,
    record: ReviewRecord,
    version: i32,
    action: ReviewAction,
    on: Option<NaiveDate>,
) -> ApiResult<ReviewStep> {
    let state = record.state()?;
    let next = review_transition(state, action)
        .map_err(|e| ApiError::not_allowed(e.to_string(), e.allowed.iter().map(|a| a.as_str())))?;
    let mut step = ReviewStep::begin(ctx, record, version, action, on)?;
    step.move_to(state.as_str(), next.as_str(), next.is_closed());
    Ok(step)
}

/// A new date for a meeting not yet held; the deadlines move with it.
pub async fn reschedule_meeting(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    meeting_on: NaiveDate,
) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(
        ctx,
        Target::new(id, version, None),
        ReviewAction::RescheduleMeeting,
    )
    .await?;
    if meeting_on < step.record.row.scheduled_on {
        return Err(ApiError::validation(
            "meetingOn",
            "the meeting cannot be before the day the review was arranged",
        ));
    }
    step.row.meeting_on = Set(meeting_on);
    let from = step.record.row.meeting_on;
    action::finish_alone(ctx, step, json!({"from": from, "meetingOn": meeting_on})).await
}

/// Reg 20(3): invitations at least 2 weeks before the meeting.
pub async fn send_invitations(ctx: &Ctx<'_>, target: Target) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, target, ReviewAction::SendInvitations).await?;
    step.row.invitations_sent_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

/// Reg 20(4): advice and information sent to everyone invited, 2 weeks before.
pub async fn circulate_advice(ctx: &Ctx<'_>, target: Target) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, target, ReviewAction::CirculateAdvice).await?;
    step.row.advice_circulated_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

/// Advice for the review, in the same log as assessments' advice; wanted in time to be
/// circulated 2 weeks before the meeting (reg 20(4)).
pub async fn request_review_advice(
    ctx: &Ctx<'_>,
    target: Target,
    input: NewAdviceRequest,
) -> ApiResult<ReviewRecord> {
    let step = begin_review(ctx, target, ReviewAction::RequestAdvice).await?;
    let child_id = step.record.row.child_id;
    let on = step.on;
    let due_on = notice_due(step.record.row.meeting_on).max(on);
    let record = &step.record.row;
    let mut row = input
        .row(ctx, (record.la_id, record.child_id), on, due_on)
        .await?;
    row.review_id = Set(Some(target.id));
    let txn = ctx.db.begin().await?;
    let advice = row.insert(&txn).await?;
    action::finish(
        ctx,
        &txn,
        step,
        json!({"adviceRequestId": advice.id, "service": input.service.as_str(), "dueOn": due_on}),
    )
    .await?;
    commit(txn, child_id).await?;
    load_review(ctx, target.id).await
}

/// The caseworker records advice that reached the council for the review.
pub async fn record_review_advice(
    ctx: &Ctx<'_>,
    target: Target,
    advice_id: i64,
    summary: &str,
    document_ref: Option<&str>,
) -> ApiResult<ReviewRecord> {
    let step = begin_review(ctx, target, ReviewAction::RecordAdvice).await?;
    let answer = AdviceAnswer::Received {
        summary,
        document_ref,
    };
    apply_review_advice_answer(ctx, step, advice_id, answer, None).await?;
    load_review(ctx, target.id).await
}

/// Records the answer to an open advice request of the review, with the review's new version
/// and its audit event, in one transaction. Whoever answers (caseworker, professional) has
/// been checked by the caller, who reloads what they may see.
pub(in crate::service) async fn apply_review_advice_answer(
    ctx: &Ctx<'_>,
    step: ReviewStep,
    advice_id: i64,
    answer: AdviceAnswer<'_>,
    answered_by: Option<i64>,
) -> ApiResult<()> {
    let child_id = step.record.row.child_id;
    let advice = step
        .record
        .advice
        .iter()
        .find(|a| a.id == advice_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::validation("adviceRequestId", "not an advice request of this review")
        })?;
    if advice.received_on.is_some() || advice.declined_on.is_some() {
        return Err(ApiError::conflict(
            "this advice request has already been answered",
        ));
    }
    let (change, summary) = advice_answer_change(&advice, step.on, answer, answered_by)?;
    let txn = ctx.db.begin().await?;
    write_advice_answer(&txn, advice_id, change).await?;
    action::finish(ctx, &txn, step, summary).await?;
    commit(txn, child_id).await?;
    Ok(())
}

/// The meeting took place on `on` (which becomes the meeting date the deadlines count from).
pub async fn hold_meeting(ctx: &Ctx<'_>, target: Target) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, target, ReviewAction::HoldMeeting).await?;
    let planned = step.record.row.meeting_on;
    step.row.meeting_on = Set(step.on);
    step.row.meeting_held = Set(true);
    action::finish_alone(ctx, step, json!({"planned": planned})).await
}

/// Reg 20(7)–(8): the report of the meeting reached the council.
pub async fn record_report(ctx: &Ctx<'_>, target: Target) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, target, ReviewAction::RecordReport).await?;
    not_before(step.on, Some(step.record.row.meeting_on), "the meeting")?;
    step.row.report_received_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

pub struct ReviewDecisionInput {
    pub decision: ReviewDecision,
    pub reasons: Option<String>,
    pub appeal_rights_given: bool,
    /// For AMEND: the proposed changes, sent with the decision (Devon).
    pub proposed_changes: Option<String>,
    /// For MAINTAIN: this was the phase-transfer review and the plan already names the setting
    /// for the move, so no amendment is needed (reg 18(1): "amend, where necessary").
    pub phase_transfer: bool,
}

/// Reg 20(10): the council's decision, which completes the review (reg 19, CoP 9.169) and
/// restarts the 12 months. AMEND opens the amendment; CEASE starts the reg 31 process.
pub async fn decide(
    ctx: &Ctx<'_>,
    target: Target,
    input: ReviewDecisionInput,
) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, target, ReviewAction::Decide).await?;
    appeal_rights(input.appeal_rights_given)?;
    not_before(step.on, Some(step.record.row.meeting_on), "the meeting")?;
    let reasons = optional_text("reasons", input.reasons.as_deref())?;
    let changes = optional_text("proposedChanges", input.proposed_changes.as_deref())?;
    if changes.is_some() && input.decision != ReviewDecision::Amend {
        return Err(ApiError::validation(
            "proposedChanges",
            "proposed changes go with a decision to amend",
        ));
    }
    let plan = load_plan(ctx, step.record.row.plan_id).await?;
    if input.decision == ReviewDecision::Amend
        && let Some(open) = &plan.open_amendment
    {
        return Err(ApiError::conflict(format!(
            "the plan already has an amendment under way (id {}): finish it first",
            open.id
        )));
    }
    let mut plan_facts = plan.facts()?;
    let phase_transfer = if input.phase_transfer {
        if input.decision != ReviewDecision::Maintain {
            return Err(ApiError::validation(
                "phaseTransfer",
                "an amended plan finalises the phase transfer when it is issued; mark the \
                 review only when the plan is kept as it is",
            ));
        }
        Some(plan_facts.phase_transfer(step.on).ok_or_else(|| {
            ApiError::validation("phaseTransfer", "the plan has no phase transfer to come")
        })?)
    } else {
        None
    };
    plan_facts.last_review_decision_on = Some(step.on);
    step.row.decided_on = Set(Some(step.on));
    step.row.decision = Set(Some(input.decision.as_str().to_owned()));
    step.row.decision_reasons = Set(reasons);
    let (on, meeting_on) = (step.on, step.record.row.meeting_on);
    let summary = json!({"decision": input.decision.as_str(), "appealRightsGiven": true, "phaseTransfer": phase_transfer.map(|t| t.moves_on)});
    let txn = ctx.db.begin().await?;
    // The version-checked update goes first: of two concurrent decisions, the second stops
    // here with CONFLICT instead of meeting the first one's amendment.
    action::finish(ctx, &txn, step, summary).await?;
    let mut plan_row = ehc_plan::ActiveModel {
        id: Unchanged(plan.row.id),
        version: Set(plan.row.version + 1),
        updated_at: Set(ctx.now),
        last_review_decision_on: Set(Some(on)),
        review_due_on: Set(Some(review_due_on(&plan_facts))),
        ..Default::default()
    };
    if let Some(transfer) = phase_transfer {
        plan_row.phase_transfer_finalised_for = Set(Some(transfer.moves_on));
        plan_row.phase_transfer_finalised_on = Set(Some(on));
    }
    if input.decision == ReviewDecision::Cease && plan.row.cease_proposed_on.is_none() {
        // Reg 31(1): the decision tells the family the council is considering ceasing.
        plan_row.cease_proposed_on = Set(Some(on));
    }
    plan_row.update(&txn).await?;
    if input.decision == ReviewDecision::Amend {
        let notice = changes.as_ref().map(|_| on);
        let amendment = plan_amendment::ActiveModel {
            id: NotSet,
            la_id: Set(plan.row.la_id),
            child_id: Set(plan.row.child_id),
            plan_id: Set(plan.row.id),
            review_id: Set(Some(target.id)),
            state: Set(if notice.is_some() {
                AmendmentState::NoticeSent
            } else {
                AmendmentState::NoticeDue
            }
            .as_str()
            .to_owned()),
            started_on: Set(on),
            meeting_on: Set(Some(meeting_on)),
            notice_sent_on: Set(notice),
            proposed_changes: Set(changes),
            parent_meeting_requested: Set(false),
            phase_transfer: Set(false),
            version: Set(1),
            created_at: Set(ctx.now),
            updated_at: Set(ctx.now),
            ..Default::default()
        };
        action::create::<AmendmentRecord>(
            ctx,
            &txn,
            amendment,
            "this plan already has an amendment under way",
            (
                AuditAction::Start,
                json!({"reviewId": target.id, "meetingOn": meeting_on, "noticeSentOn": notice}),
            ),
        )
        .await?;
    }
    commit(txn, plan.row.child_id).await?;
    load_review(ctx, target.id).await
}

pub async fn cancel_review(ctx: &Ctx<'_>, target: Target, reason: &str) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, target, ReviewAction::Cancel).await?;
    step.row.cancelled_on = Set(Some(step.on));
    step.row.cancel_reason = Set(Some(required_text("reason", reason)?));
    action::finish_alone(ctx, step, json!({})).await
}
