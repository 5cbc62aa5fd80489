//! Ceasing to maintain a plan (regs 29–31): the proposal, the consultation, the decision.
use super::*;

/// Reg 31(1)(a): the council tells the family it is considering ceasing the plan.
pub async fn propose_ceasing(
    ctx: &Ctx<'_>,
    target: Target,
    reasons: &str,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, target, PlanAction::ProposeCeasing).await?;
    step.row.cease_proposed_on = Set(Some(step.on));
    step.row.cease_notes = Set(Some(required_text("reasons", reasons)?));
    action::finish_alone(ctx, step, json!({})).await
}

/// Reg 31(1)(b)–(c): the family and the named setting were consulted.
pub async fn record_cease_consultation(ctx: &Ctx<'_>, target: Target) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, target, PlanAction::RecordCeaseConsultation).await?;
    not_before(
        step.on,
        step.record.row.cease_proposed_on,
        "ceasing was proposed",
    )?;
    step.row.cease_consulted_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

/// Reg 31(2)–(3): the decision to cease, with a SEN2 reason and appeal rights.
pub async fn cease(
    ctx: &Ctx<'_>,
    target: Target,
    reason: CeaseReason,
    appeal_rights_given: bool,
    notes: Option<&str>,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, target, PlanAction::Cease).await?;
    appeal_rights(appeal_rights_given)?;
    not_before(
        step.on,
        step.record.row.cease_consulted_on,
        "the consultation",
    )?;
    if let Some(review) = &step.record.open_review {
        return Err(ApiError::conflict(format!(
            "finish or cancel the open review (id {}) before ceasing the plan",
            review.id
        )));
    }
    if let Some(amendment) = &step.record.open_amendment {
        return Err(ApiError::conflict(format!(
            "finish the open amendment (id {}) before ceasing the plan",
            amendment.id
        )));
    }
    step.row.status = Set(PlanStatus::Ceased.as_str().to_owned());
    step.row.ceased_on = Set(Some(step.on));
    step.row.cease_reason = Set(Some(reason.sen2_code()));
    if let Some(notes) = optional_text("notes", notes)? {
        step.row.cease_notes = Set(Some(notes));
    }
    action::finish_alone(
        ctx,
        step,
        json!({"ceaseReason": reason.sen2_code(), "appealRightsGiven": true}),
    )
    .await
}

pub async fn decide_not_to_cease(ctx: &Ctx<'_>, target: Target) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, target, PlanAction::DecideNotToCease).await?;
    not_before(
        step.on,
        step.record.row.cease_proposed_on,
        "ceasing was proposed",
    )?;
    step.row.cease_proposed_on = Set(None);
    step.row.cease_consulted_on = Set(None);
    action::finish_alone(ctx, step, json!({})).await
}
