//! Plans: entering one from before the system or from another council, and its SEN2 needs.
use super::*;
use crate::domain::audit::AuditAction;

// ---------- plans ----------

/// The plan's next review limit, kept on the row for the backlog query.
pub(super) fn review_due_on(facts: &PlanFacts) -> NaiveDate {
    facts.review_limit().due_on
}

pub(super) fn parse_needs(
    primary: Option<SenNeed>,
    secondary: &[SenNeed],
) -> ApiResult<Option<Needs>> {
    match primary {
        Some(primary) => Needs::new(primary, secondary)
            .map(Some)
            .map_err(|m| ApiError::validation("secondaryNeeds", m)),
        None if secondary.is_empty() => Ok(None),
        None => Err(ApiError::validation(
            "primaryNeed",
            "give the primary need with the secondary needs",
        )),
    }
}

/// A plan that existed before the system, or one received from another council (reg 15).
pub struct NewPlan {
    pub child_id: i64,
    pub issued_on: NaiveDate,
    pub named_setting: Option<String>,
    pub last_review_decision_on: Option<NaiveDate>,
    pub primary_need: Option<SenNeed>,
    pub secondary_needs: Vec<SenNeed>,
    pub transferred_in_on: Option<NaiveDate>,
    pub transferred_from: Option<String>,
    /// Where the child or young person is placed (an imported plan's placement now).
    pub placements: Vec<crate::domain::placement::PlacementInput>,
    /// The personal budget, checked here.
    pub personal_budget: Option<crate::domain::placement::PersonalBudget>,
}

pub async fn enter_plan(ctx: &Ctx<'_>, input: NewPlan) -> ApiResult<PlanRecord> {
    ctx.require(Permission::ManageCasework)?;
    let today = ctx.today();
    let child = child::Entity::find_by_id(input.child_id)
        .filter(visible_children(
            &ctx.actor.scope,
            child::Column::LaId,
            child::Column::Id,
        ))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::validation("childId", "unknown child"))?;
    require_casework(ctx, child.la_id)?;
    if input.issued_on > today {
        return Err(ApiError::validation(
            "issuedOn",
            "must not be in the future",
        ));
    }
    if input.issued_on < child.date_of_birth {
        return Err(ApiError::validation(
            "issuedOn",
            "must not be before the child's date of birth",
        ));
    }
    for (field, date) in [
        ("lastReviewDecisionOn", input.last_review_decision_on),
        ("transferredInOn", input.transferred_in_on),
    ] {
        match date {
            Some(d) if d > today => {
                return Err(ApiError::validation(field, "must not be in the future"));
            }
            Some(d) if d < input.issued_on => {
                return Err(ApiError::validation(
                    field,
                    "must not be before the plan was issued",
                ));
            }
            _ => {}
        }
    }
    let transferred_from =
        parse_optional_name("transferredFrom", input.transferred_from.as_deref())?;
    if input.transferred_in_on.is_some() != transferred_from.is_some() {
        return Err(ApiError::validation(
            "transferredFrom",
            "give both the transfer date and the council the plan came from",
        ));
    }
    let needs = parse_needs(input.primary_need, &input.secondary_needs)?;
    let named_setting = parse_optional_name("namedSetting", input.named_setting.as_deref())?;
    let active = ehc_plan::Entity::find()
        .filter(ehc_plan::Column::ChildId.eq(child.id))
        .filter(ehc_plan::Column::Status.eq(PlanStatus::Active.as_str()))
        .one(ctx.db)
        .await?;
    if let Some(active) = active {
        return Err(ApiError::conflict(format!(
            "this child already has an active EHC plan (id {})",
            active.id
        )));
    }
    let placements = super::placements::checked(ctx, input.placements).await?;
    let budget = match &input.personal_budget {
        Some(b) => Some(
            super::placements::checked_budget(
                ctx,
                b.taken_up,
                b.organised_arrangements,
                b.direct_payments.as_deref(),
            )
            .await?,
        ),
        None => None,
    };
    let mut facts = PlanFacts::new(input.issued_on, child.date_of_birth);
    facts.last_review_decision_on = input.last_review_decision_on;
    facts.transferred_in_on = input.transferred_in_on;
    let source = if input.transferred_in_on.is_some() {
        VersionSource::TransferredIn
    } else {
        VersionSource::Entered
    };
    let txn = ctx.db.begin().await?;
    let row = ehc_plan::ActiveModel {
        id: NotSet,
        la_id: Set(child.la_id),
        child_id: Set(child.id),
        status: Set(PlanStatus::Active.as_str().to_owned()),
        issued_on: Set(input.issued_on),
        named_setting: Set(named_setting.clone()),
        version: Set(1),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
        entered_directly: Set(true),
        primary_need: Set(needs.as_ref().map(|n| n.primary.as_str().to_owned())),
        secondary_needs: Set(needs.as_ref().map(Needs::secondary_codes)),
        last_review_decision_on: Set(input.last_review_decision_on),
        review_due_on: Set(Some(review_due_on(&facts))),
        transferred_in_on: Set(input.transferred_in_on),
        transferred_from: Set(transferred_from.clone()),
        personal_budget: Set(budget.as_ref().map(|b| b.taken_up)),
        organised_arrangements: Set(budget.as_ref().map(|b| b.organised_arrangements)),
        direct_payments: Set(budget.as_ref().and_then(|b| b.direct_payments.clone())),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    super::placements::insert_placements(
        &txn,
        &placements,
        (row.la_id, row.child_id, row.id),
        ctx.now,
    )
    .await?;
    plan_versions::insert(
        &txn,
        NewVersion {
            plan_id: row.id,
            number: 1,
            issued_on: input.issued_on,
            named_setting,
            source,
            amendment_id: None,
        },
        ctx.now,
    )
    .await?;
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        audit_entry(
            row.la_id,
            row.child_id,
            "ehc_plan",
            row.id,
            AuditAction::Enter,
            json!({"issuedOn": input.issued_on, "lastReviewDecisionOn": input.last_review_decision_on, "transferredInOn": input.transferred_in_on, "transferredFrom": transferred_from, "primaryNeed": row.primary_need,
                "placements": placements.iter().map(super::placements::summary_of).collect::<Vec<_>>(),
                "personalBudget": budget.as_ref().map(|b| json!({"takenUp": b.taken_up, "organisedArrangements": b.organised_arrangements, "directPayments": b.direct_payments}))}),
        ),
    )
    .await?;
    commit(txn, row.child_id).await?;
    load_plan(ctx, row.id).await
}

pub async fn update_needs(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    primary: SenNeed,
    secondary: &[SenNeed],
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, Target::new(id, version, None), PlanAction::UpdateNeeds).await?;
    let needs = parse_needs(Some(primary), secondary)?;
    let needs = needs.ok_or_else(|| ApiError::validation("primaryNeed", "required"))?;
    step.row.primary_need = Set(Some(needs.primary.as_str().to_owned()));
    step.row.secondary_needs = Set(Some(needs.secondary_codes()));
    action::finish_alone(
        ctx,
        step,
        json!({"primaryNeed": needs.primary.as_str(), "secondaryNeeds": needs.secondary_codes()}),
    )
    .await
}
