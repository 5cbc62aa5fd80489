//! EHC plans, annual reviews and amendments: each action checks permission, what the plan,
//! review or amendment allows, the version the caller saw and the date, then writes the change
//! and its audit event in one transaction.
use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Unchanged, ColumnTrait, Condition,
    ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde_json::json;

use super::advice::{AdviceAnswer, advice_answer_change, advice_from};
use super::{Ctx, action};
use crate::domain::access::Permission;
use crate::domain::advice::AdviceService;
use crate::domain::assessment::{AdviceFacts, DateError, validate_action_date};
use crate::domain::calendar::long_date;
use crate::domain::input::{
    FamilyResponse, appeal_rights, not_before, optional_text, required_text,
};
use crate::domain::people::parse_optional_name;
use crate::domain::plan::{
    CeaseReason, Needs, PhaseTransferKind, PlanAction, PlanFacts, PlanStatus, SenNeed,
    VersionSource, allowed_actions,
};
use crate::domain::review::{
    AmendmentAction, AmendmentFacts, AmendmentState, ReviewAction, ReviewDecision, ReviewFacts,
    ReviewKind, ReviewState, amendment_transition, check_amended_plan_allowed, notice_due,
    review_transition,
};
use crate::domain::review_request::RequestOutcome;
use crate::domain::timescales::DeadlineKind;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::entity::{
    advice_request, annual_review, child, ehc_plan, plan_amendment, plan_version, professional,
    review_meeting_request,
};
use crate::store::page::{Page, PageRequest, paginate};
use crate::store::plan_versions::{self, NewVersion};
use crate::store::scope::visible_children;

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ApiError {
    ApiError::Internal(e.into())
}

// ---------- records ----------

/// A plan with everything its deadlines are derived from.
#[derive(Clone, Debug)]
pub struct PlanRecord {
    pub row: ehc_plan::Model,
    pub child: child::Model,
    pub versions: Vec<plan_version::Model>,
    pub open_review: Option<annual_review::Model>,
    pub open_amendment: Option<plan_amendment::Model>,
}

impl PlanRecord {
    pub fn status(&self) -> ApiResult<PlanStatus> {
        PlanStatus::parse(&self.row.status).map_err(internal)
    }

    pub fn needs(&self) -> ApiResult<Option<Needs>> {
        let Some(primary) = &self.row.primary_need else {
            return Ok(None);
        };
        Ok(Some(Needs {
            primary: SenNeed::parse(primary).map_err(internal)?,
            secondary: Needs::parse_secondary(self.row.secondary_needs.as_deref().unwrap_or(""))
                .map_err(internal)?,
        }))
    }

    pub fn facts(&self) -> ApiResult<PlanFacts> {
        let r = &self.row;
        let mut facts = PlanFacts::new(r.issued_on, self.child.date_of_birth);
        facts.status = self.status()?;
        facts.nc_year_override = self.child.nc_year_override.map(i32::from);
        facts.last_review_decision_on = r.last_review_decision_on;
        facts.transferred_in_on = r.transferred_in_on;
        facts.transfer_notice_sent_on = r.transfer_notice_sent_on;
        facts.phase_transfer_override = match (&r.phase_transfer_kind, r.phase_transfer_moves_on) {
            (Some(kind), Some(moves_on)) => {
                Some((PhaseTransferKind::parse(kind).map_err(internal)?, moves_on))
            }
            _ => None,
        };
        facts.phase_transfer_finalised = r
            .phase_transfer_finalised_for
            .zip(r.phase_transfer_finalised_on);
        facts.cease_proposed_on = r.cease_proposed_on;
        facts.cease_consulted_on = r.cease_consulted_on;
        facts.ceased_on = r.ceased_on;
        facts.cease_reason = r.cease_reason.and_then(CeaseReason::from_sen2_code);
        facts.transferred_out_on = r.transferred_out_on;
        facts.move_recorded = r.move_learned_on.zip(r.moves_on);
        facts.open_review = self.open_review.is_some();
        facts.open_amendment = self.open_amendment.is_some();
        Ok(facts)
    }
}

#[derive(Clone, Debug)]
pub struct ReviewRecord {
    pub row: annual_review::Model,
    pub advice: Vec<advice_request::Model>,
}

impl ReviewRecord {
    pub fn state(&self) -> ApiResult<ReviewState> {
        ReviewState::parse(&self.row.state).map_err(internal)
    }

    pub fn facts(&self) -> ApiResult<ReviewFacts> {
        let r = &self.row;
        let kind = ReviewKind::parse(&r.kind).map_err(internal)?;
        let mut facts = ReviewFacts::new(kind, r.scheduled_on, r.meeting_on, r.due_by);
        facts.due_by_kind = if r.due_by_kind == DeadlineKind::TransferReview.as_str() {
            DeadlineKind::TransferReview
        } else {
            DeadlineKind::AnnualReview
        };
        facts.meeting_held = r.meeting_held;
        facts.invitations_sent_on = r.invitations_sent_on;
        facts.advice_circulated_on = r.advice_circulated_on;
        facts.report_received_on = r.report_received_on;
        facts.decided_on = r.decided_on;
        facts.decision = r
            .decision
            .as_deref()
            .map(ReviewDecision::parse)
            .transpose()
            .map_err(internal)?;
        facts.cancelled_on = r.cancelled_on;
        facts.advice = self
            .advice
            .iter()
            .map(|a| AdviceFacts {
                id: a.id,
                from: advice_from(a),
                requested_on: a.requested_on,
                received_on: a.received_on,
                declined_on: a.declined_on,
            })
            .collect();
        Ok(facts)
    }
}

#[derive(Clone, Debug)]
pub struct AmendmentRecord {
    pub row: plan_amendment::Model,
}

impl AmendmentRecord {
    pub fn state(&self) -> ApiResult<AmendmentState> {
        AmendmentState::parse(&self.row.state).map_err(internal)
    }

    pub fn facts(&self) -> AmendmentFacts {
        let r = &self.row;
        AmendmentFacts {
            notice_sent_on: r.notice_sent_on,
            parent_responded_on: r.parent_responded_on,
            final_issued_on: r.final_issued_on,
            decided_not_to_amend_on: r.decided_not_to_amend_on,
            // Closed while still open: a transfer out ended it.
            withdrawn_on: r
                .closed_on
                .filter(|_| AmendmentState::parse(&r.state).is_ok_and(|state| !state.is_closed())),
            ..AmendmentFacts::new(r.started_on, r.meeting_on)
        }
    }
}

// ---------- loading ----------

/// Plans, reviews and amendments are read like whole assessments: by staff and the family.
/// They hold every professional's advice and the family's comments, so a professional asked
/// for advice sees only the request addressed to them (`myAdviceRequests`).
fn visible_plan_records<L: ColumnTrait, C: ColumnTrait>(
    ctx: &Ctx<'_>,
    la_col: L,
    child_col: C,
) -> Condition {
    visible_children(&ctx.actor.scope, la_col, child_col)
}

fn visible_plans(ctx: &Ctx<'_>) -> Condition {
    visible_plan_records(ctx, ehc_plan::Column::LaId, ehc_plan::Column::ChildId)
}

pub async fn load_plan(ctx: &Ctx<'_>, id: i64) -> ApiResult<PlanRecord> {
    let row = ehc_plan::Entity::find_by_id(id)
        .filter(visible_plans(ctx))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("EHC plan"))?;
    load_plan_parts(ctx.db, row).await
}

/// The rest of a plan the caller has already been allowed to see.
pub async fn load_plan_parts<C: ConnectionTrait>(
    db: &C,
    row: ehc_plan::Model,
) -> ApiResult<PlanRecord> {
    let mut records = load_plans_parts(db, vec![row]).await?;
    Ok(records.remove(0))
}

/// The rest of each plan, in four queries whatever the number of plans (a page of the
/// review backlog is one list, not a query per plan); in the order given.
pub async fn load_plans_parts<C: ConnectionTrait>(
    db: &C,
    rows: Vec<ehc_plan::Model>,
) -> ApiResult<Vec<PlanRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let child_ids: BTreeSet<i64> = rows.iter().map(|r| r.child_id).collect();
    let children: HashMap<i64, child::Model> = child::Entity::find()
        .filter(child::Column::Id.is_in(child_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut versions: HashMap<i64, Vec<plan_version::Model>> = HashMap::new();
    for v in plan_version::Entity::find()
        .filter(plan_version::Column::PlanId.is_in(ids.clone()))
        .order_by_asc(plan_version::Column::Number)
        .all(db)
        .await?
    {
        versions.entry(v.plan_id).or_default().push(v);
    }
    let mut open_reviews: HashMap<i64, annual_review::Model> = annual_review::Entity::find()
        .filter(annual_review::Column::PlanId.is_in(ids.clone()))
        .filter(annual_review::Column::ClosedOn.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.plan_id, r))
        .collect();
    let mut open_amendments: HashMap<i64, plan_amendment::Model> = plan_amendment::Entity::find()
        .filter(plan_amendment::Column::PlanId.is_in(ids))
        .filter(plan_amendment::Column::ClosedOn.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.plan_id, a))
        .collect();
    rows.into_iter()
        .map(|row| {
            // Several plans of one child share the child's record.
            let child = children.get(&row.child_id).cloned().ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("plan {} has no child", row.id))
            })?;
            Ok(PlanRecord {
                child,
                versions: versions.remove(&row.id).unwrap_or_default(),
                open_review: open_reviews.remove(&row.id),
                open_amendment: open_amendments.remove(&row.id),
                row,
            })
        })
        .collect()
}

#[derive(Default, Clone)]
pub struct PlanFilter {
    pub child_id: Option<i64>,
    pub status: Option<PlanStatus>,
    /// Plans whose next review limit (12 months, or reg 15(5)) is on or before this date.
    pub review_due_by: Option<NaiveDate>,
}

/// Plans the actor may see, newest first.
pub async fn list_plans(
    ctx: &Ctx<'_>,
    filter: PlanFilter,
    page: PageRequest,
) -> ApiResult<Page<PlanRecord>> {
    let mut cond = visible_plans(ctx);
    if let Some(child_id) = filter.child_id {
        cond = cond.add(ehc_plan::Column::ChildId.eq(child_id));
    }
    if let Some(status) = filter.status {
        cond = cond.add(ehc_plan::Column::Status.eq(status.as_str()));
    }
    if let Some(due) = filter.review_due_by {
        cond = cond.add(ehc_plan::Column::ReviewDueOn.lte(due));
    }
    let page = paginate(
        ctx.db,
        ehc_plan::Entity::find().filter(cond),
        ehc_plan::Column::Id,
        page,
        true,
    )
    .await?;
    Ok(Page {
        items: load_plans_parts(ctx.db, page.items).await?,
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
    })
}

/// The plans of a child the actor may see, newest first.
pub async fn plans_of_child(ctx: &Ctx<'_>, child_id: i64) -> ApiResult<Vec<PlanRecord>> {
    let rows = ehc_plan::Entity::find()
        .filter(visible_plans(ctx))
        .filter(ehc_plan::Column::ChildId.eq(child_id))
        .order_by_desc(ehc_plan::Column::Id)
        .all(ctx.db)
        .await?;
    load_plans_parts(ctx.db, rows).await
}

/// The plan an assessment issued, if any.
pub async fn plan_of_assessment(
    ctx: &Ctx<'_>,
    assessment_id: i64,
) -> ApiResult<Option<PlanRecord>> {
    let row = ehc_plan::Entity::find()
        .filter(visible_plans(ctx))
        .filter(ehc_plan::Column::AssessmentId.eq(assessment_id))
        .one(ctx.db)
        .await?;
    match row {
        Some(row) => Ok(Some(load_plan_parts(ctx.db, row).await?)),
        None => Ok(None),
    }
}

fn visible_reviews(ctx: &Ctx<'_>) -> Condition {
    visible_plan_records(
        ctx,
        annual_review::Column::LaId,
        annual_review::Column::ChildId,
    )
}

pub async fn load_review(ctx: &Ctx<'_>, id: i64) -> ApiResult<ReviewRecord> {
    let row = annual_review::Entity::find_by_id(id)
        .filter(visible_reviews(ctx))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("annual review"))?;
    load_review_parts(ctx.db, row).await
}

/// Loads a review whatever the actor's scope: only for callers that have checked the actor's
/// right to the part they act on (a professional answering a request addressed to them).
pub(super) async fn load_review_unscoped(ctx: &Ctx<'_>, id: i64) -> ApiResult<ReviewRecord> {
    let row = annual_review::Entity::find_by_id(id)
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("annual review"))?;
    load_review_parts(ctx.db, row).await
}

async fn load_review_parts<C: ConnectionTrait>(
    db: &C,
    row: annual_review::Model,
) -> ApiResult<ReviewRecord> {
    let advice = advice_request::Entity::find()
        .filter(advice_request::Column::ReviewId.eq(row.id))
        .order_by_asc(advice_request::Column::RequestedOn)
        .order_by_asc(advice_request::Column::Id)
        .all(db)
        .await?;
    Ok(ReviewRecord { row, advice })
}

/// A plan's reviews, oldest first.
pub async fn reviews_of(ctx: &Ctx<'_>, plan_id: i64) -> ApiResult<Vec<ReviewRecord>> {
    let rows = annual_review::Entity::find()
        .filter(visible_reviews(ctx))
        .filter(annual_review::Column::PlanId.eq(plan_id))
        .order_by_asc(annual_review::Column::Id)
        .all(ctx.db)
        .await?;
    let mut reviews = Vec::with_capacity(rows.len());
    for row in rows {
        reviews.push(load_review_parts(ctx.db, row).await?);
    }
    Ok(reviews)
}

fn visible_amendments(ctx: &Ctx<'_>) -> Condition {
    visible_plan_records(
        ctx,
        plan_amendment::Column::LaId,
        plan_amendment::Column::ChildId,
    )
}

pub async fn load_amendment(ctx: &Ctx<'_>, id: i64) -> ApiResult<AmendmentRecord> {
    let row = plan_amendment::Entity::find_by_id(id)
        .filter(visible_amendments(ctx))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("amendment"))?;
    Ok(AmendmentRecord { row })
}

/// A plan's amendments, oldest first.
pub async fn amendments_of(ctx: &Ctx<'_>, plan_id: i64) -> ApiResult<Vec<AmendmentRecord>> {
    Ok(plan_amendment::Entity::find()
        .filter(visible_amendments(ctx))
        .filter(plan_amendment::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_amendment::Column::Id)
        .all(ctx.db)
        .await?
        .into_iter()
        .map(|row| AmendmentRecord { row })
        .collect())
}

/// The amendment a review's decision started, if any.
pub async fn amendment_of_review(
    ctx: &Ctx<'_>,
    review_id: i64,
) -> ApiResult<Option<AmendmentRecord>> {
    Ok(plan_amendment::Entity::find()
        .filter(visible_amendments(ctx))
        .filter(plan_amendment::Column::ReviewId.eq(review_id))
        .one(ctx.db)
        .await?
        .map(|row| AmendmentRecord { row }))
}

// ---------- writing ----------

/// Every change to a plan, review or amendment ends here: the backlog's rows for the child's
/// plans are rewritten in the same transaction, then it commits.
async fn commit(txn: DatabaseTransaction, child_id: i64) -> ApiResult<()> {
    sync_deadlines(&txn, child_id).await?;
    txn.commit().await?;
    Ok(())
}

/// Rewrites the backlog's rows for a child's EHC plans, their reviews and amendments from the
/// recorded facts, in the transaction that changed one of them (see
/// [`crate::domain::plan::tracked_deadlines`]). Plans carry no caseworker of their own: the
/// rows go to the caseworker of the assessment that led to the plan, or else of the child's
/// latest assessment.
pub(crate) async fn sync_deadlines<C: ConnectionTrait>(db: &C, child_id: i64) -> ApiResult<()> {
    use crate::domain::plan::{DecidedReview, tracked_deadlines};
    use crate::domain::review::{tracked_amendment_deadlines, tracked_review_deadlines};
    use crate::store::backlog::{self, Placement};
    use crate::store::entity::{assessment, staff};

    let plans = ehc_plan::Entity::find()
        .filter(ehc_plan::Column::ChildId.eq(child_id))
        .order_by_asc(ehc_plan::Column::IssuedOn)
        .all(db)
        .await?;
    if plans.is_empty() {
        return Ok(());
    }
    let la_ids: Vec<i64> = plans.iter().map(|p| p.la_id).collect();
    let child = child::Entity::find_by_id(child_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("child"))?;
    let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    let reviews = annual_review::Entity::find()
        .filter(annual_review::Column::PlanId.is_in(plan_ids.clone()))
        .order_by_asc(annual_review::Column::Id)
        .all(db)
        .await?;
    let review_ids: Vec<i64> = reviews.iter().map(|r| r.id).collect();
    let advice = if review_ids.is_empty() {
        Vec::new()
    } else {
        advice_request::Entity::find()
            .filter(advice_request::Column::ReviewId.is_in(review_ids))
            .all(db)
            .await?
    };
    let amendments = plan_amendment::Entity::find()
        .filter(plan_amendment::Column::PlanId.is_in(plan_ids))
        .all(db)
        .await?;
    let assessments = assessment::Entity::find()
        .filter(assessment::Column::ChildId.eq(child_id))
        .order_by_desc(assessment::Column::Id)
        .all(db)
        .await?;
    let mut rows = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        let caseworker_id = plan
            .assessment_id
            .and_then(|id| assessments.iter().find(|a| a.id == id))
            .and_then(|a| a.caseworker_id)
            .or_else(|| assessments.iter().find_map(|a| a.caseworker_id));
        let team_id = match caseworker_id {
            Some(id) => staff::Entity::find_by_id(id)
                .one(db)
                .await?
                .and_then(|s| s.team_id),
            None => None,
        };
        let place = |source_id| Placement {
            source_id,
            la_id: plan.la_id,
            child_id,
            locality_id: child.locality_id,
            team_id,
            caseworker_id,
        };
        let of_plan = |r: &&annual_review::Model| r.plan_id == plan.id;
        let record = PlanRecord {
            row: plan.clone(),
            child: child.clone(),
            versions: Vec::new(),
            open_review: reviews
                .iter()
                .filter(of_plan)
                .find(|r| r.closed_on.is_none())
                .cloned(),
            open_amendment: amendments
                .iter()
                .find(|a| a.plan_id == plan.id && a.closed_on.is_none())
                .cloned(),
        };
        let facts = record.facts()?;
        let mut decided = Vec::new();
        for review in reviews.iter().filter(of_plan) {
            let record = ReviewRecord {
                row: review.clone(),
                advice: advice
                    .iter()
                    .filter(|a| a.review_id == Some(review.id))
                    .cloned()
                    .collect(),
            };
            let facts = record.facts()?;
            if let Some(decided_on) = facts.decided_on {
                decided.push(DecidedReview {
                    due_by: facts.due_by,
                    due_by_kind: facts.due_by_kind,
                    decided_on,
                });
            }
            let advice_due_on =
                |id: i64| record.advice.iter().find(|a| a.id == id).map(|a| a.due_on);
            for t in tracked_review_deadlines(&facts, advice_due_on) {
                let service = t.advice_request_id.and_then(|id| {
                    record
                        .advice
                        .iter()
                        .find(|a| a.id == id)
                        .map(|a| a.service.clone())
                });
                rows.extend(backlog::row(&place(review.id), &t, service));
            }
        }
        for amendment in amendments.iter().filter(|a| a.plan_id == plan.id) {
            let facts = AmendmentRecord {
                row: amendment.clone(),
            }
            .facts();
            for t in tracked_amendment_deadlines(&facts) {
                rows.extend(backlog::row(&place(amendment.id), &t, None));
            }
        }
        let replaced_on = (facts.status == PlanStatus::Replaced)
            .then(|| plans.get(i + 1).map(|next| next.issued_on))
            .flatten();
        let known_from = if plan.entered_directly {
            plan.created_at.date_naive()
        } else {
            plan.issued_on
        };
        for t in tracked_deadlines(&facts, &decided, replaced_on, known_from) {
            rows.extend(backlog::row(&place(plan.id), &t, None));
        }
    }
    Ok(backlog::replace_plans_of_child(db, child_id, &la_ids, rows).await?)
}

#[allow(clippy::too_many_arguments)]
/// Staff of the record's council only.
pub(super) fn require_casework(ctx: &Ctx<'_>, la_id: i64) -> ApiResult<()> {
    if ctx.actor.may_act_in(la_id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "you may only act on your own local authority's cases",
        ))
    }
}

fn action_date(
    ctx: &Ctx<'_>,
    on: Option<NaiveDate>,
    start: NaiveDate,
    what: &str,
) -> ApiResult<NaiveDate> {
    let today = ctx.today();
    let on = on.unwrap_or(today);
    match validate_action_date(on, start, today) {
        Ok(()) => Ok(on),
        Err(e @ DateError::InFuture { .. }) => Err(ApiError::validation("on", e.to_string())),
        Err(DateError::BeforeStart { .. }) => Err(ApiError::validation(
            "on",
            format!(
                "{} is before the {what} started on {}",
                long_date(on),
                long_date(start)
            ),
        )),
    }
}

fn audit_entry<'a>(
    la_id: i64,
    child_id: i64,
    entity: &'a str,
    entity_id: i64,
    action: &'a str,
    summary: serde_json::Value,
) -> AuditEntry<'a> {
    AuditEntry {
        la_id: Some(la_id),
        child_id: Some(child_id),
        entity,
        entity_id,
        action,
        summary,
    }
}

// ---------- plans ----------

/// The plan's next review limit, kept on the row for the backlog query.
fn review_due_on(facts: &PlanFacts) -> NaiveDate {
    facts.review_limit().due_on
}

fn parse_needs(primary: Option<SenNeed>, secondary: &[SenNeed]) -> ApiResult<Option<Needs>> {
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
        ..Default::default()
    }
    .insert(&txn)
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
            "enter",
            json!({"issuedOn": input.issued_on, "lastReviewDecisionOn": input.last_review_decision_on, "transferredInOn": input.transferred_in_on, "transferredFrom": transferred_from, "primaryNeed": row.primary_need}),
        ),
    )
    .await?;
    commit(txn, row.child_id).await?;
    load_plan(ctx, row.id).await
}

/// A plan action under way (see [`action`]).
type PlanStep = action::Step<PlanRecord>;

action::tracked_record!(PlanRecord, ehc_plan, "ehc_plan", "plan", PlanAction,
    date: |r: &PlanRecord, ctx, on| action_date(ctx, on, r.row.issued_on, "plan"));

async fn begin_plan(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    action: PlanAction,
    on: Option<NaiveDate>,
) -> ApiResult<PlanStep> {
    ctx.require(Permission::ManageCasework)?;
    let record = load_plan(ctx, id).await?;
    require_casework(ctx, record.row.la_id)?;
    let facts = record.facts()?;
    let allowed = allowed_actions(&facts);
    if !allowed.contains(&action) {
        let names: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
        let why = if names.is_empty() {
            format!("the plan is {}", facts.status.as_str())
        } else {
            format!("allowed: {}", names.join(", "))
        };
        return Err(ApiError::not_allowed(
            format!("{} is not allowed on this plan now; {why}", action.as_str()),
            names,
        ));
    }
    PlanStep::begin(ctx, record, version, action, on)
}

async fn simple_plan(
    ctx: &Ctx<'_>,
    step: PlanStep,
    summary: serde_json::Value,
) -> ApiResult<PlanRecord> {
    let child_id = step.record.row.child_id;
    let txn = ctx.db.begin().await?;
    let id = action::finish(ctx, &txn, step, summary).await?;
    commit(txn, child_id).await?;
    load_plan(ctx, id).await
}

pub async fn update_needs(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    primary: SenNeed,
    secondary: &[SenNeed],
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, id, version, PlanAction::UpdateNeeds, None).await?;
    let needs = parse_needs(Some(primary), secondary)?;
    let needs = needs.ok_or_else(|| ApiError::validation("primaryNeed", "required"))?;
    step.row.primary_need = Set(Some(needs.primary.as_str().to_owned()));
    step.row.secondary_needs = Set(Some(needs.secondary_codes()));
    simple_plan(
        ctx,
        step,
        json!({"primaryNeed": needs.primary.as_str(), "secondaryNeeds": needs.secondary_codes()}),
    )
    .await
}

/// Sets (or with `None`, clears) the explicit next phase transfer.
pub async fn set_phase_transfer(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    transfer: Option<(PhaseTransferKind, NaiveDate)>,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, id, version, PlanAction::SetPhaseTransfer, None).await?;
    if let Some((_, moves_on)) = transfer
        && moves_on < ctx.today()
    {
        return Err(ApiError::validation(
            "movesOn",
            "the move must still be to come",
        ));
    }
    step.row.phase_transfer_kind = Set(transfer.map(|(k, _)| k.as_str().to_owned()));
    step.row.phase_transfer_moves_on = Set(transfer.map(|(_, m)| m));
    simple_plan(
        ctx,
        step,
        json!({"kind": transfer.map(|(k, _)| k.as_str()), "movesOn": transfer.map(|(_, m)| m)}),
    )
    .await
}

/// The new council's notice after a transfer in (reg 15(4)).
pub async fn send_transfer_notice(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, id, version, PlanAction::SendTransferNotice, on).await?;
    not_before(
        step.on,
        step.record.row.transferred_in_on,
        "the plan was transferred",
    )?;
    step.row.transfer_notice_sent_on = Set(Some(step.on));
    simple_plan(ctx, step, json!({})).await
}

/// Reg 31(1)(a): the council tells the family it is considering ceasing the plan.
pub async fn propose_ceasing(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    reasons: &str,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, id, version, PlanAction::ProposeCeasing, on).await?;
    step.row.cease_proposed_on = Set(Some(step.on));
    step.row.cease_notes = Set(Some(required_text("reasons", reasons)?));
    simple_plan(ctx, step, json!({})).await
}

/// Reg 31(1)(b)–(c): the family and the named setting were consulted.
pub async fn record_cease_consultation(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, id, version, PlanAction::RecordCeaseConsultation, on).await?;
    not_before(
        step.on,
        step.record.row.cease_proposed_on,
        "ceasing was proposed",
    )?;
    step.row.cease_consulted_on = Set(Some(step.on));
    simple_plan(ctx, step, json!({})).await
}

/// Reg 31(2)–(3): the decision to cease, with a SEN2 reason and appeal rights.
pub async fn cease(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    reason: CeaseReason,
    appeal_rights_given: bool,
    notes: Option<&str>,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, id, version, PlanAction::Cease, on).await?;
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
    simple_plan(
        ctx,
        step,
        json!({"ceaseReason": reason.sen2_code(), "appealRightsGiven": true}),
    )
    .await
}

pub async fn decide_not_to_cease(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, id, version, PlanAction::DecideNotToCease, on).await?;
    not_before(
        step.on,
        step.record.row.cease_proposed_on,
        "ceasing was proposed",
    )?;
    step.row.cease_proposed_on = Set(None);
    step.row.cease_consulted_on = Set(None);
    simple_plan(ctx, step, json!({})).await
}

/// The family is moving away: the plan must go to the new council on the day of the move, or
/// within 15 working days of the council learning of it (reg 15(2)).
pub async fn record_move(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    moves_on: NaiveDate,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, id, version, PlanAction::RecordMove, on).await?;
    if moves_on < step.record.row.issued_on {
        return Err(ApiError::validation(
            "movesOn",
            "must not be before the plan was issued",
        ));
    }
    step.row.move_learned_on = Set(Some(step.on));
    step.row.moves_on = Set(Some(moves_on));
    simple_plan(ctx, step, json!({"movesOn": moves_on})).await
}

/// The family moved: the plan goes to the new council (reg 15(2)).
pub async fn transfer_out(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    to: &str,
) -> ApiResult<PlanRecord> {
    let mut step = begin_plan(ctx, id, version, PlanAction::TransferOut, on).await?;
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
    }
    commit(txn, child_id).await?;
    load_plan(ctx, id).await
}

// ---------- starting reviews and amendments ----------

pub async fn schedule_review(
    ctx: &Ctx<'_>,
    plan_id: i64,
    version: i32,
    on: Option<NaiveDate>,
    kind: ReviewKind,
    meeting_on: NaiveDate,
) -> ApiResult<ReviewRecord> {
    let step = begin_plan(ctx, plan_id, version, PlanAction::ScheduleReview, on).await?;
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
        plan_id: Set(plan_id),
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
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if crate::store::is_unique_violation(&e) {
            ApiError::conflict("this plan already has a review under way")
        } else {
            e.into()
        }
    })?;
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        audit_entry(
            la_id,
            child_id,
            "annual_review",
            review.id,
            "schedule",
            json!({"planId": plan_id, "kind": kind.as_str(), "meetingOn": meeting_on, "dueBy": limit.due_on}),
        ),
    )
    .await?;
    answer_review_meeting_request(ctx, &txn, plan_id, review.id, on).await?;
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
            "answer",
            json!({"outcome": RequestOutcome::ReviewArranged.as_str(), "reviewId": review_id, "on": on}),
        ),
    )
    .await?;
    Ok(())
}

// ---------- the family's requests for a review meeting ----------

fn visible_review_meeting_requests(ctx: &Ctx<'_>) -> Condition {
    visible_plan_records(
        ctx,
        review_meeting_request::Column::LaId,
        review_meeting_request::Column::ChildId,
    )
}

/// A plan's review meeting requests, newest first: for staff and the family.
pub async fn review_meeting_requests_of(
    ctx: &Ctx<'_>,
    plan_id: i64,
) -> ApiResult<Vec<review_meeting_request::Model>> {
    Ok(review_meeting_request::Entity::find()
        .filter(visible_review_meeting_requests(ctx))
        .filter(review_meeting_request::Column::PlanId.eq(plan_id))
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
            "decline",
            json!({"outcome": RequestOutcome::Declined.as_str(), "on": on}),
        ),
    )
    .await?;
    txn.commit().await?;
    load_review_meeting_request(ctx, id).await
}

/// An amendment outside a review (CoP 9.193): the notice goes with the proposal.
pub async fn propose_amendment(
    ctx: &Ctx<'_>,
    plan_id: i64,
    version: i32,
    on: Option<NaiveDate>,
    proposed_changes: &str,
) -> ApiResult<AmendmentRecord> {
    let step = begin_plan(ctx, plan_id, version, PlanAction::ProposeAmendment, on).await?;
    let changes = required_text("proposedChanges", proposed_changes)?;
    let (la_id, child_id, on) = (step.record.row.la_id, step.record.row.child_id, step.on);
    let txn = ctx.db.begin().await?;
    action::finish(ctx, &txn, step, json!({})).await?;
    let amendment = plan_amendment::ActiveModel {
        id: NotSet,
        la_id: Set(la_id),
        child_id: Set(child_id),
        plan_id: Set(plan_id),
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
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if crate::store::is_unique_violation(&e) {
            ApiError::conflict("this plan already has an amendment under way")
        } else {
            e.into()
        }
    })?;
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        audit_entry(
            la_id,
            child_id,
            "plan_amendment",
            amendment.id,
            "propose",
            json!({"planId": plan_id, "noticeSentOn": on}),
        ),
    )
    .await?;
    commit(txn, child_id).await?;
    load_amendment(ctx, amendment.id).await
}

// ---------- reviews ----------

/// A review action under way (see [`action`]).
pub(super) type ReviewStep = action::Step<ReviewRecord>;

action::tracked_record!(ReviewRecord, annual_review, "annual_review", "review", ReviewAction,
    date: |r: &ReviewRecord, ctx, on| action_date(ctx, on, r.row.scheduled_on, "review"), staged);

/// Checks permission and visibility, then [`prepare_review`].
async fn begin_review(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    action: ReviewAction,
    on: Option<NaiveDate>,
) -> ApiResult<ReviewStep> {
    ctx.require(Permission::ManageCasework)?;
    let record = load_review(ctx, id).await?;
    require_casework(ctx, record.row.la_id)?;
    prepare_review(ctx, record, version, action, on)
}

/// Checks the state machine, the version the caller saw and the date, for a review the caller
/// has already been allowed to act on.
pub(super) fn prepare_review(
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

/// Finishes the action in a transaction of its own and reads the review back.
async fn simple_review(
    ctx: &Ctx<'_>,
    step: ReviewStep,
    summary: serde_json::Value,
) -> ApiResult<ReviewRecord> {
    let child_id = step.record.row.child_id;
    let txn = ctx.db.begin().await?;
    let id = action::finish(ctx, &txn, step, summary).await?;
    commit(txn, child_id).await?;
    load_review(ctx, id).await
}

/// A new date for a meeting not yet held; the deadlines move with it.
pub async fn reschedule_meeting(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    meeting_on: NaiveDate,
) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, id, version, ReviewAction::RescheduleMeeting, None).await?;
    if meeting_on < step.record.row.scheduled_on {
        return Err(ApiError::validation(
            "meetingOn",
            "the meeting cannot be before the day the review was arranged",
        ));
    }
    step.row.meeting_on = Set(meeting_on);
    let from = step.record.row.meeting_on;
    simple_review(ctx, step, json!({"from": from, "meetingOn": meeting_on})).await
}

/// Reg 20(3): invitations at least 2 weeks before the meeting.
pub async fn send_invitations(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, id, version, ReviewAction::SendInvitations, on).await?;
    step.row.invitations_sent_on = Set(Some(step.on));
    simple_review(ctx, step, json!({})).await
}

/// Reg 20(4): advice and information sent to everyone invited, 2 weeks before.
pub async fn circulate_advice(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, id, version, ReviewAction::CirculateAdvice, on).await?;
    step.row.advice_circulated_on = Set(Some(step.on));
    simple_review(ctx, step, json!({})).await
}

pub struct NewReviewAdvice {
    pub service: AdviceService,
    pub professional_id: Option<i64>,
    pub addressed_to: Option<String>,
}

/// Advice for the review, in the same log as assessments' advice; wanted in time to be
/// circulated 2 weeks before the meeting (reg 20(4)).
pub async fn request_review_advice(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    input: NewReviewAdvice,
) -> ApiResult<ReviewRecord> {
    let step = begin_review(ctx, id, version, ReviewAction::RequestAdvice, on).await?;
    let child_id = step.record.row.child_id;
    if let Some(professional_id) = input.professional_id {
        let p = professional::Entity::find_by_id(professional_id)
            .filter(professional::Column::LaId.eq(step.record.row.la_id))
            .one(ctx.db)
            .await?
            .ok_or_else(|| ApiError::validation("professionalId", "unknown professional"))?;
        if p.service != input.service.as_str() {
            return Err(ApiError::validation(
                "professionalId",
                "this professional works in another service",
            ));
        }
    }
    let addressed_to = parse_optional_name("addressedTo", input.addressed_to.as_deref())?;
    let on = step.on;
    let due_on = notice_due(step.record.row.meeting_on).max(on);
    let txn = ctx.db.begin().await?;
    let advice = advice_request::ActiveModel {
        id: NotSet,
        la_id: Set(step.record.row.la_id),
        child_id: Set(step.record.row.child_id),
        review_id: Set(Some(id)),
        service: Set(input.service.as_str().to_owned()),
        professional_id: Set(input.professional_id),
        addressed_to: Set(addressed_to),
        requested_on: Set(on),
        due_on: Set(due_on),
        created_at: Set(ctx.now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    action::finish(
        ctx,
        &txn,
        step,
        json!({"adviceRequestId": advice.id, "service": input.service.as_str(), "dueOn": due_on}),
    )
    .await?;
    commit(txn, child_id).await?;
    load_review(ctx, id).await
}

/// The caseworker records advice that reached the council for the review.
pub async fn record_review_advice(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    advice_id: i64,
    summary: &str,
    document_ref: Option<&str>,
) -> ApiResult<ReviewRecord> {
    let step = begin_review(ctx, id, version, ReviewAction::RecordAdvice, on).await?;
    let answer = AdviceAnswer::Received {
        summary,
        document_ref,
    };
    apply_review_advice_answer(ctx, step, advice_id, answer, None).await?;
    load_review(ctx, id).await
}

/// Records the answer to an open advice request of the review, with the review's new version
/// and its audit event, in one transaction. Whoever answers (caseworker, professional) has
/// been checked by the caller, who reloads what they may see.
pub(super) async fn apply_review_advice_answer(
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
    // Only an unanswered request is answered: of two answers at once, one wins.
    let answered = advice_request::Entity::update_many()
        .set(change)
        .filter(advice_request::Column::Id.eq(advice_id))
        .filter(advice_request::Column::ReceivedOn.is_null())
        .filter(advice_request::Column::DeclinedOn.is_null())
        .exec(&txn)
        .await?;
    if answered.rows_affected != 1 {
        return Err(ApiError::conflict(
            "this advice request has already been answered",
        ));
    }
    action::finish(ctx, &txn, step, summary).await?;
    commit(txn, child_id).await?;
    Ok(())
}

/// The meeting took place on `on` (which becomes the meeting date the deadlines count from).
pub async fn hold_meeting(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, id, version, ReviewAction::HoldMeeting, on).await?;
    let planned = step.record.row.meeting_on;
    step.row.meeting_on = Set(step.on);
    step.row.meeting_held = Set(true);
    simple_review(ctx, step, json!({"planned": planned})).await
}

/// Reg 20(7)–(8): the report of the meeting reached the council.
pub async fn record_report(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, id, version, ReviewAction::RecordReport, on).await?;
    not_before(step.on, Some(step.record.row.meeting_on), "the meeting")?;
    step.row.report_received_on = Set(Some(step.on));
    simple_review(ctx, step, json!({})).await
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
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    input: ReviewDecisionInput,
) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, id, version, ReviewAction::Decide, on).await?;
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
            review_id: Set(Some(id)),
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
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            ctx.actor,
            ctx.now,
            audit_entry(
                plan.row.la_id,
                plan.row.child_id,
                "plan_amendment",
                amendment.id,
                "start",
                json!({"reviewId": id, "meetingOn": meeting_on, "noticeSentOn": amendment.notice_sent_on}),
            ),
        )
        .await?;
    }
    commit(txn, plan.row.child_id).await?;
    load_review(ctx, id).await
}

pub async fn cancel_review(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    reason: &str,
) -> ApiResult<ReviewRecord> {
    let mut step = begin_review(ctx, id, version, ReviewAction::Cancel, on).await?;
    step.row.cancelled_on = Set(Some(step.on));
    step.row.cancel_reason = Set(Some(required_text("reason", reason)?));
    simple_review(ctx, step, json!({})).await
}

// ---------- amendments ----------

/// An amendment action under way (see [`action`]).
pub(super) type AmendmentStep = action::Step<AmendmentRecord>;

action::tracked_record!(AmendmentRecord, plan_amendment, "plan_amendment", "amendment",
    AmendmentAction,
    date: |r: &AmendmentRecord, ctx, on| action_date(ctx, on, r.row.started_on, "amendment"),
    staged);

/// Checks permission and visibility, then [`prepare_amendment`].
async fn begin_amendment(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    action: AmendmentAction,
    on: Option<NaiveDate>,
) -> ApiResult<AmendmentStep> {
    ctx.require(Permission::ManageCasework)?;
    let record = load_amendment(ctx, id).await?;
    require_casework(ctx, record.row.la_id)?;
    prepare_amendment(ctx, record, version, action, on)
}

/// Checks the state machine, the version the caller saw and the date, for an amendment the
/// caller has already been allowed to act on.
pub(super) fn prepare_amendment(
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
                crate::domain::review::amendment_allowed_actions(state)
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

/// Finishes the action in a transaction of its own and reads the amendment back.
async fn simple_amendment(
    ctx: &Ctx<'_>,
    step: AmendmentStep,
    summary: serde_json::Value,
) -> ApiResult<AmendmentRecord> {
    let child_id = step.record.row.child_id;
    let txn = ctx.db.begin().await?;
    let id = action::finish(ctx, &txn, step, summary).await?;
    commit(txn, child_id).await?;
    load_amendment(ctx, id).await
}

/// Reg 22(2): the proposed changes and their evidence; with Devon, within 4 weeks of the
/// review meeting.
pub async fn send_amendment_notice(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    proposed_changes: &str,
) -> ApiResult<AmendmentRecord> {
    let mut step = begin_amendment(ctx, id, version, AmendmentAction::SendNotice, on).await?;
    step.row.notice_sent_on = Set(Some(step.on));
    step.row.proposed_changes = Set(Some(required_text("proposedChanges", proposed_changes)?));
    simple_amendment(ctx, step, json!({})).await
}

/// Reg 22(2)(c): the parent's representations, a meeting request or a requested setting, as
/// the caseworker records them.
pub async fn record_amendment_response(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    response: FamilyResponse,
) -> ApiResult<AmendmentRecord> {
    let step = begin_amendment(ctx, id, version, AmendmentAction::RecordParentResponse, on).await?;
    apply_amendment_response(ctx, step, response).await
}

/// Records the family's response to the proposed changes, with the amendment's new version
/// and its audit event; the caller checked who is responding.
pub(super) async fn apply_amendment_response(
    ctx: &Ctx<'_>,
    mut step: AmendmentStep,
    response: FamilyResponse,
) -> ApiResult<AmendmentRecord> {
    not_before(
        step.on,
        step.record.row.notice_sent_on,
        "the notice was sent",
    )?;
    let summary = super::advice::take_family_response!(step, response);
    simple_amendment(ctx, step, summary).await
}

/// Reg 22(3): the final amended plan, which becomes the plan's next version. `phase_transfer`
/// marks it as the amendment naming the setting for the next phase transfer (reg 18).
pub async fn issue_amended_plan(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    named_setting: Option<&str>,
    phase_transfer: bool,
) -> ApiResult<AmendmentRecord> {
    let mut step = begin_amendment(ctx, id, version, AmendmentAction::IssueAmendedPlan, on).await?;
    let notice = step
        .record
        .row
        .notice_sent_on
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("amendment {id} has no notice")))?;
    check_amended_plan_allowed(notice, step.record.row.parent_responded_on, step.on)
        .map_err(|e| ApiError::validation("on", e.to_string()))?;
    let named_setting = parse_optional_name("namedSetting", named_setting)?;
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
            amendment_id: Some(id),
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
    commit(txn, plan.row.child_id).await?;
    load_amendment(ctx, id).await
}

/// Reg 22(4): the council will not amend after all, with reasons and appeal rights.
pub async fn decide_not_to_amend(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: Option<NaiveDate>,
    reasons: &str,
    appeal_rights_given: bool,
) -> ApiResult<AmendmentRecord> {
    let mut step = begin_amendment(ctx, id, version, AmendmentAction::DecideNotToAmend, on).await?;
    appeal_rights(appeal_rights_given)?;
    step.row.decided_not_to_amend_on = Set(Some(step.on));
    step.row.not_amend_reasons = Set(Some(required_text("reasons", reasons)?));
    simple_amendment(ctx, step, json!({"appealRightsGiven": true})).await
}
