//! EHC plans, annual reviews and amendments: each action checks permission, what the plan,
//! review or amendment allows, the version the caller saw and the date, then writes the change
//! and its audit event in one transaction ([`super::action`]).
//!
//! This module holds the records, their loading and the deadline sync every change ends
//! with; the actions are in rooms named as caseworkers name them: `plans` (entering a plan,
//! its needs), `transfers` (phase transfers, moves between councils), `ceasing`,
//! `reviews`, `review_requests` (the family asking for a meeting) and `amendments`.
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
use crate::domain::amendment::{
    AmendmentAction, AmendmentFacts, AmendmentState, amendment_transition,
    check_amended_plan_allowed,
};
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
    ReviewAction, ReviewDecision, ReviewFacts, ReviewKind, ReviewState, notice_due,
    review_transition,
};
use crate::domain::review_request::RequestOutcome;
use crate::domain::timescales::DeadlineKind;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::entity::{
    advice_request, annual_review, child, ehc_plan, plan_amendment, plan_version,
    review_meeting_request,
};
use crate::store::page::{Page, PageRequest, paginate};
use crate::store::plan_versions::{self, NewVersion};
use crate::store::scope::visible_children;

mod amendments;
mod ceasing;
mod plans;
mod review_requests;
mod reviews;
mod transfers;

pub use amendments::*;
pub use ceasing::*;
pub use plans::*;
pub use review_requests::*;
pub use reviews::*;
pub use transfers::*;

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
    use crate::domain::amendment::tracked_amendment_deadlines;
    use crate::domain::plan::{DecidedReview, tracked_deadlines};
    use crate::domain::review::tracked_review_deadlines;
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
