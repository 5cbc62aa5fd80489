//! The family's requests for a review meeting, answered by a review or a reasoned refusal.
use super::*;
use crate::domain::audit::AuditAction;

// ---------- the family's requests for a review meeting ----------

fn visible_review_meeting_requests(ctx: &Ctx<'_>) -> Condition {
    crate::store::plans::visible_plan_records(
        &ctx.actor.scope,
        review_meeting_request::Column::LaId,
        review_meeting_request::Column::ChildId,
    )
}

/// The families' requests for a review meeting on these plans, each plan's newest first.
pub async fn review_meeting_requests_of_plans(
    ctx: &Ctx<'_>,
    plan_ids: &[i64],
) -> ApiResult<Vec<review_meeting_request::Model>> {
    Ok(review_meeting_request::Entity::find()
        .filter(visible_review_meeting_requests(ctx))
        .filter(crate::store::ids_in(
            ctx.db,
            review_meeting_request::Column::PlanId,
            plan_ids.iter().copied(),
        ))
        .order_by_desc(review_meeting_request::Column::RequestedOn)
        .order_by_desc(review_meeting_request::Column::Id)
        .all(ctx.db)
        .await?)
}

pub async fn load_review_meeting_request(
    ctx: &Ctx<'_>,
    id: i64,
) -> ApiResult<review_meeting_request::Model> {
    review_meeting_request::Entity::find_by_id(id)
        .filter(visible_review_meeting_requests(ctx))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("review meeting request"))
}

/// The council will not hold a review now: the family's request is closed with the reason,
/// which the family reads. Arranging a review (`schedule_review`) is the other answer.
pub async fn decline_review_meeting_request(
    ctx: &Ctx<'_>,
    id: i64,
    on: Option<NaiveDate>,
    reason: &str,
) -> ApiResult<review_meeting_request::Model> {
    ctx.require(Permission::ManageCasework)?;
    let request = load_review_meeting_request(ctx, id).await?;
    require_casework(ctx, request.la_id)?;
    if request.answered_on.is_some() {
        return Err(ApiError::conflict(
            "this request for a review meeting has already been answered",
        ));
    }
    let on = on.unwrap_or_else(|| ctx.today());
    if on > ctx.today() {
        return Err(ApiError::validation("on", "must not be in the future"));
    }
    not_before(on, Some(request.requested_on), "the request was made")?;
    let reason = required_text("reason", reason)?;
    let txn = ctx.db.begin().await?;
    // Only an open request is answered: of two answers at once, one wins.
    let answered = review_meeting_request::Entity::update_many()
        .col_expr(review_meeting_request::Column::AnsweredOn, Expr::value(on))
        .col_expr(
            review_meeting_request::Column::Outcome,
            Expr::value(RequestOutcome::Declined.as_str()),
        )
        .col_expr(
            review_meeting_request::Column::DeclineReason,
            Expr::value(reason),
        )
        .col_expr(
            review_meeting_request::Column::AnsweredByStaffId,
            Expr::value(ctx.actor.staff_id),
        )
        .filter(review_meeting_request::Column::Id.eq(id))
        .filter(review_meeting_request::Column::AnsweredOn.is_null())
        .exec(&txn)
        .await?;
    if answered.rows_affected != 1 {
        return Err(ApiError::conflict(
            "this request for a review meeting has already been answered",
        ));
    }
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        audit_entry(
            request.la_id,
            request.child_id,
            "review_meeting_request",
            id,
            AuditAction::Decline,
            json!({"outcome": RequestOutcome::Declined.as_str(), "on": on}),
        ),
    )
    .await?;
    txn.commit().await?;
    load_review_meeting_request(ctx, id).await
}
