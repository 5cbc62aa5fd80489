//! Amendments (reg 22): the notice, the family's 15 days, the amended plan or a decision not
//! to amend.
use super::*;
use crate::domain::audit::AuditAction;

/// An amendment outside a review (CoP 9.193): the notice goes with the proposal.
pub async fn propose_amendment(
    ctx: &Ctx<'_>,
    target: Target,
    proposed_changes: &str,
) -> ApiResult<AmendmentRecord> {
    let step = begin_plan(ctx, target, PlanAction::ProposeAmendment).await?;
    let changes = required_text("proposedChanges", proposed_changes)?;
    let (la_id, child_id, on) = (step.record.row.la_id, step.record.row.child_id, step.on);
    let txn = ctx.db.begin().await?;
    action::finish(ctx, &txn, step, json!({})).await?;
    let amendment = plan_amendment::ActiveModel {
        id: NotSet,
        la_id: Set(la_id),
        child_id: Set(child_id),
        plan_id: Set(target.id),
        state: Set(AmendmentState::NoticeSent.as_str().to_owned()),
        started_on: Set(on),
        notice_sent_on: Set(Some(on)),
        proposed_changes: Set(Some(changes)),
        parent_meeting_requested: Set(false),
        phase_transfer: Set(false),
        version: Set(1),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
        ..Default::default()
    };
    let amendment = action::create::<AmendmentRecord>(
        ctx,
        &txn,
        amendment,
        "this plan already has an amendment under way",
        (
            AuditAction::Propose,
            json!({"planId": target.id, "noticeSentOn": on}),
        ),
    )
    .await?;
    commit(txn, child_id).await?;
    load_amendment(ctx, amendment.id).await
}

// ---------- amendments ----------

/// An amendment action under way (see [`action`]).
pub(in crate::service) type AmendmentStep = action::Step<AmendmentRecord>;

action::tracked_record!(AmendmentRecord, plan_amendment, "plan_amendment", "amendment",
    AmendmentAction,
    date: |r: &AmendmentRecord, ctx, on| action_date(ctx, on, r.row.started_on, "amendment"),
    sync: sync_child_plans, reload: load_amendment, staged);

/// Checks permission and visibility, then [`prepare_amendment`].
async fn begin_amendment(
    ctx: &Ctx<'_>,
    target: Target,
    action: AmendmentAction,
) -> ApiResult<AmendmentStep> {
    let Target { id, version, on } = target;
    ctx.require(Permission::ManageCasework)?;
    let record = load_amendment(ctx, id).await?;
    require_casework(ctx, record.row.la_id)?;
    prepare_amendment(ctx, record, version, action, on)
}

/// Checks the state machine, the version the caller saw and the date, for an amendment the
/// caller has already been allowed to act on.
pub(in crate::service) fn prepare_amendment(
    ctx: &Ctx<'_>,
    record: AmendmentRecord,
    version: i32,
    action: AmendmentAction,
    on: Option<NaiveDate>,
) -> ApiResult<AmendmentStep> {
    let state = record.state()?;
    // A transfer out closes an amendment without a decision: nothing more to do here.
    let closed_by_transfer = record.row.closed_on.is_some() && !state.is_closed();
    let next = amendment_transition(state, action)
        .ok()
        .filter(|_| !closed_by_transfer)
        .ok_or_else(|| {
            let allowed = if closed_by_transfer {
                Vec::new()
            } else {
                crate::domain::amendment::amendment_allowed_actions(state)
            };
            let message = crate::domain::review::TransitionError {
                state,
                action,
                allowed: allowed.clone(),
            }
            .to_string();
            ApiError::not_allowed(message, allowed.iter().map(|a| a.as_str()))
        })?;
    let mut step = AmendmentStep::begin(ctx, record, version, action, on)?;
    step.move_to(state.as_str(), next.as_str(), next.is_closed());
    Ok(step)
}

/// Reg 22(2): the proposed changes and their evidence; with Devon, within 4 weeks of the
/// review meeting.
pub async fn send_amendment_notice(
    ctx: &Ctx<'_>,
    target: Target,
    proposed_changes: &str,
) -> ApiResult<AmendmentRecord> {
    let mut step = begin_amendment(ctx, target, AmendmentAction::SendNotice).await?;
    step.row.notice_sent_on = Set(Some(step.on));
    step.row.proposed_changes = Set(Some(required_text("proposedChanges", proposed_changes)?));
    action::finish_alone(ctx, step, json!({})).await
}

/// Reg 22(2)(c): the parent's representations, a meeting request or a requested setting, as
/// the caseworker records them.
pub async fn record_amendment_response(
    ctx: &Ctx<'_>,
    target: Target,
    response: FamilyResponse,
) -> ApiResult<AmendmentRecord> {
    let step = begin_amendment(ctx, target, AmendmentAction::RecordParentResponse).await?;
    apply_amendment_response(ctx, step, response).await
}

/// Records the family's response to the proposed changes, with the amendment's new version
/// and its audit event; the caller checked who is responding.
pub(in crate::service) async fn apply_amendment_response(
    ctx: &Ctx<'_>,
    mut step: AmendmentStep,
    response: FamilyResponse,
) -> ApiResult<AmendmentRecord> {
    not_before(
        step.on,
        step.record.row.notice_sent_on,
        "the notice was sent",
    )?;
    let summary = crate::service::advice::take_family_response!(step, response);
    action::finish_alone(ctx, step, summary).await
}

/// Reg 22(3): the final amended plan, which becomes the plan's next version. `phase_transfer`
/// marks it as the amendment naming the setting for the next phase transfer (reg 18).
pub async fn issue_amended_plan(
    ctx: &Ctx<'_>,
    target: Target,
    named_setting: Option<&str>,
    phase_transfer: bool,
) -> ApiResult<AmendmentRecord> {
    let mut step = begin_amendment(ctx, target, AmendmentAction::IssueAmendedPlan).await?;
    let notice = step.record.row.notice_sent_on.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("amendment {} has no notice", target.id))
    })?;
    // A directed amendment's content was settled by the Tribunal: no 15 days to wait.
    let directed = step.record.row.dispute_id;
    if directed.is_none() {
        check_amended_plan_allowed(notice, step.record.row.parent_responded_on, step.on)
            .map_err(|e| ApiError::validation("on", e.to_string()))?;
    } else {
        not_before(step.on, Some(notice), "the order").map_err(ApiError::from)?;
    }
    let named_setting = parse_optional_name("namedSetting", named_setting)?;
    if named_setting.is_none()
        && step.record.row.ordered_limit.as_deref()
            == Some(crate::domain::timescales::DeadlineKind::OrderNamedSetting.as_str())
    {
        return Err(ApiError::validation(
            "namedSetting",
            "the order is to name a school or college: name it",
        ));
    }
    let plan = load_plan(ctx, step.record.row.plan_id).await?;
    let transfer = if phase_transfer {
        let transfer = plan.facts()?.phase_transfer(step.on).ok_or_else(|| {
            ApiError::validation("phaseTransfer", "the plan has no phase transfer to come")
        })?;
        if named_setting.is_none() {
            return Err(ApiError::validation(
                "namedSetting",
                "a phase transfer amendment names the setting for the move",
            ));
        }
        Some(transfer)
    } else {
        None
    };
    step.row.final_issued_on = Set(Some(step.on));
    step.row.named_setting = Set(named_setting.clone());
    step.row.phase_transfer = Set(phase_transfer);
    let on = step.on;
    let number = plan.versions.iter().map(|v| v.number).max().unwrap_or(0) + 1;
    let summary = json!({"planVersion": number, "namedSetting": named_setting, "phaseTransfer": transfer.map(|t| t.moves_on)});
    let txn = ctx.db.begin().await?;
    action::finish(ctx, &txn, step, summary).await?;
    plan_versions::insert(
        &txn,
        NewVersion {
            plan_id: plan.row.id,
            number,
            issued_on: on,
            named_setting: named_setting.clone().or(plan.row.named_setting.clone()),
            source: VersionSource::Amended,
            amendment_id: Some(target.id),
        },
        ctx.now,
    )
    .await?;
    let mut plan_row = ehc_plan::ActiveModel {
        id: Unchanged(plan.row.id),
        version: Set(plan.row.version + 1),
        updated_at: Set(ctx.now),
        ..Default::default()
    };
    if let Some(setting) = &named_setting {
        plan_row.named_setting = Set(Some(setting.clone()));
    }
    if let Some(transfer) = transfer {
        plan_row.phase_transfer_finalised_for = Set(Some(transfer.moves_on));
        plan_row.phase_transfer_finalised_on = Set(Some(on));
    }
    plan_row.update(&txn).await?;
    if let Some(dispute_id) = directed {
        crate::service::disputes::settle_ordered_amendment(ctx, &txn, dispute_id, target.id, on)
            .await?;
    }
    commit(txn, plan.row.child_id).await?;
    load_amendment(ctx, target.id).await
}

/// Reg 22(4): the council will not amend after all, with reasons and appeal rights.
pub async fn decide_not_to_amend(
    ctx: &Ctx<'_>,
    target: Target,
    reasons: &str,
    appeal_rights_given: bool,
) -> ApiResult<AmendmentRecord> {
    let mut step = begin_amendment(ctx, target, AmendmentAction::DecideNotToAmend).await?;
    if step.record.row.dispute_id.is_some() {
        return Err(ApiError::conflict(
            "this amendment carries out an order, agreement or concession: it cannot be dropped",
        ));
    }
    appeal_rights(appeal_rights_given)?;
    step.row.decided_not_to_amend_on = Set(Some(step.on));
    step.row.not_amend_reasons = Set(Some(required_text("reasons", reasons)?));
    action::finish_alone(ctx, step, json!({"appealRightsGiven": true})).await
}
