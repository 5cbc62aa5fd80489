//! Moves: the next phase transfer (reg 18), a transfer in's notice (reg 15(4)), and a
//! family moving to another council (reg 15).
use super::*;

/// Sets (or with `None`, clears) the explicit next phase transfer.
pub async fn set_phase_transfer(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    transfer: Option<(PhaseTransferKind, NaiveDate)>,
    finalised_on: Option<NaiveDate>,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(
        ctx,
        Target::new(id, version, None),
        PlanAction::SetPhaseTransfer,
    )
    .await?;
    let today = ctx.today();
    let issued_on = step.record.row.issued_on;
    match (transfer, finalised_on) {
        // History: a move already made, entered with whether the plan was ready in time.
        (Some((_, moves_on)), _) if moves_on < today && moves_on < issued_on => {
            return Err(ApiError::validation(
                "movesOn",
                format!(
                    "a move before the plan was made ({}) is not this plan's history",
                    long_date(issued_on)
                ),
            ));
        }
        (Some((_, moves_on)), Some(_)) if moves_on >= today => {
            return Err(ApiError::validation(
                "finalisedOn",
                "a move still to come is finalised by issuing the amended plan",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::validation(
                "finalisedOn",
                "give the move the plan was finalised for",
            ));
        }
        _ => {}
    }
    if let Some(on) = finalised_on {
        if on > today {
            return Err(ApiError::validation(
                "finalisedOn",
                "must not be in the future",
            ));
        }
        not_before(on, Some(issued_on), "the plan was issued")
            .map_err(|e| ApiError::validation("finalisedOn", e.message))?;
        step.row.phase_transfer_finalised_for = Set(transfer.map(|(_, m)| m));
        step.row.phase_transfer_finalised_on = Set(Some(on));
    }
    step.row.phase_transfer_kind = Set(transfer.map(|(k, _)| k.as_str().to_owned()));
    step.row.phase_transfer_moves_on = Set(transfer.map(|(_, m)| m));
    action::finish_alone(
        ctx,
        step,
        json!({"kind": transfer.map(|(k, _)| k.as_str()), "movesOn": transfer.map(|(_, m)| m), "finalisedOn": finalised_on}),
    )
    .await
}

/// The new council's notice after a transfer in (reg 15(4)).
pub async fn send_transfer_notice(ctx: &Ctx<'_>, target: Target) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, target, PlanAction::SendTransferNotice).await?;
    not_before(
        step.on,
        step.record.row.transferred_in_on,
        "the plan was transferred",
    )?;
    step.row.transfer_notice_sent_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

/// The family is moving away: the plan must go to the new council on the day of the move, or
/// within 15 working days of the council learning of it (reg 15(2)).
pub async fn record_move(
    ctx: &Ctx<'_>,
    target: Target,
    moves_on: NaiveDate,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, target, PlanAction::RecordMove).await?;
    if moves_on < step.record.row.issued_on {
        return Err(ApiError::validation(
            "movesOn",
            "must not be before the plan was issued",
        ));
    }
    step.row.move_learned_on = Set(Some(step.on));
    step.row.moves_on = Set(Some(moves_on));
    action::finish_alone(ctx, step, json!({"movesOn": moves_on})).await
}

/// The family moved: the plan goes to the new council (reg 15(2)).
pub async fn transfer_out(ctx: &Ctx<'_>, target: Target, to: &str) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, target, PlanAction::TransferOut).await?;
    let child_id = step.record.row.child_id;
    let to = crate::domain::people::parse_name("toLocalAuthority", to)?;
    let (review, amendment) = (
        step.record.open_review.clone(),
        step.record.open_amendment.clone(),
    );
    step.row.status = Set(PlanStatus::TransferredOut.as_str().to_owned());
    step.row.transferred_out_on = Set(Some(step.on));
    step.row.transferred_to = Set(Some(to.clone()));
    let on = step.on;
    let txn = ctx.db.begin().await?;
    let id = action::finish(ctx, &txn, step, json!({"to": to})).await?;
    // The new council continues the process: close what was under way here.
    if let Some(review) = review {
        annual_review::Entity::update_many()
            .col_expr(
                annual_review::Column::State,
                sea_orm::sea_query::Expr::value(ReviewState::Cancelled.as_str()),
            )
            .col_expr(
                annual_review::Column::CancelledOn,
                sea_orm::sea_query::Expr::value(on),
            )
            .col_expr(
                annual_review::Column::ClosedOn,
                sea_orm::sea_query::Expr::value(on),
            )
            .col_expr(
                annual_review::Column::CancelReason,
                sea_orm::sea_query::Expr::value("The plan moved to another council"),
            )
            .filter(annual_review::Column::Id.eq(review.id))
            .exec(&txn)
            .await?;
    }
    if let Some(amendment) = amendment {
        plan_amendment::Entity::update_many()
            .col_expr(
                plan_amendment::Column::ClosedOn,
                sea_orm::sea_query::Expr::value(on),
            )
            .filter(plan_amendment::Column::Id.eq(amendment.id))
            .exec(&txn)
            .await?;
        if let Some(dispute_id) = amendment.dispute_id {
            crate::service::disputes::close_with_plan_transfer(ctx, &txn, dispute_id, on).await?;
        }
    }
    commit(txn, child_id).await?;
    load_plan(ctx, id).await
}
