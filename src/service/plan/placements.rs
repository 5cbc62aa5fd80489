//! Where the plan's child or young person is placed, over time, and the plan's personal
//! budget: what the SEN2 return's PlanDetail, PlacementDetail and items 4.2–4.4 are made of.
use super::*;
use crate::domain::placement::{
    PersonalBudget, Placement, PlacementInput, PlacementLists, Setting, check_placements,
};
use crate::store::entity::placement;

/// Replaces the plan's placements (the whole history, as the caseworker now knows it).
pub async fn set_placements(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    inputs: Vec<PlacementInput>,
) -> ApiResult<PlanRecord> {
    let step = begin_plan(
        ctx,
        Target::new(id, version, None),
        PlanAction::SetPlacements,
    )
    .await?;
    let placements = checked(ctx, inputs).await?;
    let (la_id, child_id) = (step.record.row.la_id, step.record.row.child_id);
    let summary: Vec<serde_json::Value> = placements.iter().map(summary_of).collect();
    let txn = ctx.db.begin().await?;
    let id = action::finish(ctx, &txn, step, json!({"placements": summary})).await?;
    placement::Entity::delete_many()
        .filter(placement::Column::PlanId.eq(id))
        .exec(&txn)
        .await?;
    insert_placements(&txn, &placements, (la_id, child_id, id), ctx.now).await?;
    commit(txn, child_id).await?;
    load_plan(ctx, id).await
}

/// Placements as given, checked against the instance's code lists.
pub(super) async fn checked(
    ctx: &Ctx<'_>,
    inputs: Vec<PlacementInput>,
) -> ApiResult<Vec<Placement>> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let lists = crate::store::reference::sen2_lists(ctx.db, &PlacementLists::NAMES).await?;
    Ok(check_placements(
        inputs,
        &PlacementLists {
            sen_setting: &lists[0],
            residential: &lists[1],
            work_based_learning: &lists[2],
        },
    )?)
}

/// A personal budget as given, checked against the `DIRECT_PAYMENT` list.
pub(super) async fn checked_budget(
    ctx: &Ctx<'_>,
    taken_up: bool,
    organised_arrangements: bool,
    direct_payments: Option<&str>,
) -> ApiResult<PersonalBudget> {
    let list = crate::store::reference::sen2_lists(ctx.db, &["DIRECT_PAYMENT"])
        .await?
        .remove(0);
    Ok(PersonalBudget::checked(
        taken_up,
        organised_arrangements,
        direct_payments,
        &list,
    )?)
}

/// Writes a plan's placements (owner: LA, child, plan) in the caller's transaction.
pub(super) async fn insert_placements(
    txn: &DatabaseTransaction,
    placements: &[Placement],
    (la_id, child_id, plan_id): (i64, i64, i64),
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    if !placements.is_empty() {
        placement::Entity::insert_many(
            placements
                .iter()
                .map(|p| row_of(p, la_id, child_id, plan_id, now)),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// Records the plan's personal budget (SEN2 4.4), replacing what was held.
pub async fn set_personal_budget(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    taken_up: bool,
    organised_arrangements: bool,
    direct_payments: Option<&str>,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(
        ctx,
        Target::new(id, version, None),
        PlanAction::SetPersonalBudget,
    )
    .await?;
    let budget = checked_budget(ctx, taken_up, organised_arrangements, direct_payments).await?;
    step.row.personal_budget = Set(Some(budget.taken_up));
    step.row.organised_arrangements = Set(Some(budget.organised_arrangements));
    step.row.direct_payments = Set(budget.direct_payments.clone());
    action::finish_alone(
        ctx,
        step,
        json!({"takenUp": budget.taken_up, "organisedArrangements": budget.organised_arrangements, "directPayments": budget.direct_payments}),
    )
    .await
}

pub(super) fn summary_of(p: &Placement) -> serde_json::Value {
    let (urn, ukprn, kind) = columns_of(&p.setting);
    // Every item the return carries, so the audit trail says what the return was built from
    // (the detail in words is left out: it can describe the child).
    json!({"rank": p.rank, "urn": urn, "ukprn": ukprn, "senSetting": kind, "entryOn": p.entry_on, "leavingOn": p.leaving_on,
        "senUnit": p.sen_unit, "resourcedProvision": p.resourced_provision, "residential": p.residential, "workBasedLearning": p.work_based_learning})
}

fn columns_of(s: &Setting) -> (Option<String>, Option<String>, Option<String>) {
    match s {
        Setting::Urn(u) => (Some(u.clone()), None, None),
        Setting::Ukprn(u) => (None, Some(u.clone()), None),
        Setting::Kind(k) => (None, None, Some(k.clone())),
    }
}

fn row_of(
    p: &Placement,
    la_id: i64,
    child_id: i64,
    plan_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> placement::ActiveModel {
    let (urn, ukprn, sen_setting) = columns_of(&p.setting);
    placement::ActiveModel {
        id: NotSet,
        la_id: Set(la_id),
        child_id: Set(child_id),
        plan_id: Set(plan_id),
        rank: Set(p.rank),
        urn: Set(urn),
        ukprn: Set(ukprn),
        sen_setting: Set(sen_setting),
        sen_setting_other: Set(p.setting_other.clone()),
        entry_on: Set(p.entry_on),
        leaving_on: Set(p.leaving_on),
        sen_unit: Set(p.sen_unit),
        resourced_provision: Set(p.resourced_provision),
        residential: Set(p.residential.clone()),
        work_based_learning: Set(p.work_based_learning.clone()),
        created_at: Set(now),
    }
}

/// A stored placement as the domain's.
pub fn placement_of(row: &placement::Model) -> Placement {
    let setting = match (&row.urn, &row.ukprn, &row.sen_setting) {
        (Some(u), _, _) => Setting::Urn(u.clone()),
        (None, Some(u), _) => Setting::Ukprn(u.clone()),
        (None, None, k) => Setting::Kind(k.clone().unwrap_or_default()),
    };
    Placement {
        rank: row.rank,
        setting,
        setting_other: row.sen_setting_other.clone(),
        entry_on: row.entry_on,
        leaving_on: row.leaving_on,
        sen_unit: row.sen_unit,
        resourced_provision: row.resourced_provision,
        residential: row.residential.clone(),
        work_based_learning: row.work_based_learning.clone(),
    }
}

/// The placements of these plans, where the actor may see the plan's child: by plan, entry
/// date and rank.
pub async fn placements_of_plans(
    ctx: &Ctx<'_>,
    plan_ids: &[i64],
) -> ApiResult<Vec<placement::Model>> {
    Ok(placement::Entity::find()
        .filter(records::visible_plan_records(
            &ctx.actor.scope,
            placement::Column::LaId,
            placement::Column::ChildId,
        ))
        .filter(crate::store::ids_in(
            ctx.db,
            placement::Column::PlanId,
            plan_ids.iter().copied(),
        ))
        .order_by_asc(placement::Column::PlanId)
        .order_by_asc(placement::Column::EntryOn)
        .order_by_asc(placement::Column::Rank)
        .all(ctx.db)
        .await?)
}
