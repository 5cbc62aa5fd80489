//! EHC plans, their annual reviews and amendments as the services read them: each record
//! with everything its deadlines are derived from, loaded only where the caller's [`Scope`]
//! reaches (the access rule is in the query).
use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::advice::advice_from;
use super::entity::{advice_request, annual_review, child, ehc_plan, plan_amendment, plan_version};
use super::page::{Page, PageRequest, paginate};
use super::scope::{Scope, visible_children};
use crate::domain::amendment::{AmendmentFacts, AmendmentState};
use crate::domain::assessment::AdviceFacts;
use crate::domain::placement::PersonalBudget;
use crate::domain::plan::{CeaseReason, Needs, PhaseTransferKind, PlanFacts, PlanStatus, SenNeed};
use crate::domain::review::{ReviewDecision, ReviewFacts, ReviewKind, ReviewState};
use crate::domain::timescales::DeadlineKind;
use crate::error::{ApiError, ApiResult};

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ApiError {
    ApiError::Internal(e.into())
}

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
        let mut facts = stored_plan_facts(&self.row, &self.child)?;
        facts.open_review = self.open_review.is_some();
        facts.open_amendment = self.open_amendment.is_some();
        Ok(facts)
    }

    /// The personal budget as recorded (SEN2 4.4); none until recorded.
    pub fn personal_budget(&self) -> Option<PersonalBudget> {
        personal_budget_of(&self.row)
    }
}

/// A stored plan's personal budget; none until recorded.
pub fn personal_budget_of(r: &ehc_plan::Model) -> Option<PersonalBudget> {
    r.personal_budget.map(|taken_up| PersonalBudget {
        taken_up,
        organised_arrangements: r.organised_arrangements.unwrap_or(false),
        direct_payments: r.direct_payments.clone(),
    })
}

/// What the plan rules know of a stored plan and its child (open review and amendment
/// aside, which need their own rows).
pub fn stored_plan_facts(r: &ehc_plan::Model, child: &child::Model) -> ApiResult<PlanFacts> {
    let mut facts = PlanFacts::new(r.issued_on, child.date_of_birth);
    facts.status = PlanStatus::parse(&r.status).map_err(internal)?;
    facts.nc_year_override = child.nc_year_override.map(i32::from);
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
    Ok(facts)
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
            ordered: r
                .ordered_limit
                .as_deref()
                .and_then(crate::domain::timescales::DeadlineKind::parse)
                .zip(r.ordered_due_on),
            ..AmendmentFacts::new(r.started_on, r.meeting_on)
        }
    }
}

// ---------- loading ----------

/// Plans, reviews and amendments are read like whole assessments: by staff and the family.
/// They hold every professional's advice and the family's comments, so a professional asked
/// for advice sees only the request addressed to them (`myAdviceRequests`).
pub(crate) fn visible_plan_records<L: ColumnTrait, C: ColumnTrait>(
    scope: &Scope,
    la_col: L,
    child_col: C,
) -> Condition {
    visible_children(scope, la_col, child_col)
}

fn visible_plans(scope: &Scope) -> Condition {
    visible_plan_records(scope, ehc_plan::Column::LaId, ehc_plan::Column::ChildId)
}

pub async fn load_plan<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: i64,
) -> ApiResult<PlanRecord> {
    with_their_children(
        db,
        ehc_plan::Entity::find_by_id(id).filter(visible_plans(scope)),
    )
    .await?
    .pop()
    .ok_or_else(|| ApiError::not_found("EHC plan"))
}

pub async fn plans_by_ids<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    ids: &[i64],
) -> ApiResult<Vec<PlanRecord>> {
    let plans = ehc_plan::Entity::find()
        .filter(visible_plans(scope))
        .filter(crate::store::ids_in(
            db,
            ehc_plan::Column::Id,
            ids.iter().copied(),
        ));
    with_their_children(db, plans).await
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
    let child_ids: BTreeSet<i64> = rows.iter().map(|r| r.child_id).collect();
    let children: HashMap<i64, child::Model> = child::Entity::find()
        .filter(crate::store::ids_in(db, child::Column::Id, child_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    plans_parts(db, rows, children).await
}

/// The plans `plans` finds, each read with its child in the same statement (joined), then
/// the rest of each plan: one statement fewer than reading the children beside them.
async fn with_their_children<C: ConnectionTrait>(
    db: &C,
    plans: Select<ehc_plan::Entity>,
) -> ApiResult<Vec<PlanRecord>> {
    let pairs = plans
        // A left join: a plan without its child is the fault it always was, not a plan gone.
        .join(
            JoinType::LeftJoin,
            ehc_plan::Entity::belongs_to(child::Entity)
                .from(ehc_plan::Column::ChildId)
                .to(child::Column::Id)
                .into(),
        )
        .select_also(child::Entity)
        .all(db)
        .await?;
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let mut children = HashMap::new();
    let mut rows = Vec::with_capacity(pairs.len());
    for (plan, child) in pairs {
        if let Some(child) = child {
            children.entry(child.id).or_insert(child);
        }
        rows.push(plan);
    }
    plans_parts(db, rows, children).await
}

/// The rest of each plan beside its child, in three queries whatever the number of plans;
/// in the order given.
async fn plans_parts<C: ConnectionTrait>(
    db: &C,
    rows: Vec<ehc_plan::Model>,
    children: HashMap<i64, child::Model>,
) -> ApiResult<Vec<PlanRecord>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut versions: HashMap<i64, Vec<plan_version::Model>> = HashMap::new();
    for v in plan_version::Entity::find()
        .filter(crate::store::ids_in(
            db,
            plan_version::Column::PlanId,
            ids.clone(),
        ))
        .order_by_asc(plan_version::Column::Number)
        .all(db)
        .await?
    {
        versions.entry(v.plan_id).or_default().push(v);
    }
    let mut open_reviews: HashMap<i64, annual_review::Model> = annual_review::Entity::find()
        .filter(crate::store::ids_in(
            db,
            annual_review::Column::PlanId,
            ids.clone(),
        ))
        .filter(annual_review::Column::ClosedOn.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.plan_id, r))
        .collect();
    let mut open_amendments: HashMap<i64, plan_amendment::Model> = plan_amendment::Entity::find()
        .filter(crate::store::ids_in(
            db,
            plan_amendment::Column::PlanId,
            ids,
        ))
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
pub async fn list_plans<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: PlanFilter,
    page: PageRequest,
) -> ApiResult<Page<PlanRecord>> {
    let mut cond = visible_plans(scope);
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
        db,
        ehc_plan::Entity::find().filter(cond),
        ehc_plan::Column::Id,
        page,
        true,
    )
    .await?;
    Ok(Page {
        items: load_plans_parts(db, page.items).await?,
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
        counted: page.counted,
    })
}

/// The plans of these children the actor may see, each child's newest first.
pub async fn plans_of_children<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    child_ids: &[i64],
) -> ApiResult<Vec<PlanRecord>> {
    let plans = ehc_plan::Entity::find()
        .filter(visible_plans(scope))
        .filter(crate::store::ids_in(
            db,
            ehc_plan::Column::ChildId,
            child_ids.iter().copied(),
        ))
        .order_by_desc(ehc_plan::Column::Id);
    with_their_children(db, plans).await
}

/// The plans these assessments issued, where the actor may see them.
pub async fn plans_of_assessments<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    assessment_ids: &[i64],
) -> ApiResult<Vec<PlanRecord>> {
    let plans = ehc_plan::Entity::find()
        .filter(visible_plans(scope))
        .filter(crate::store::ids_in(
            db,
            ehc_plan::Column::AssessmentId,
            assessment_ids.iter().copied(),
        ));
    with_their_children(db, plans).await
}

fn visible_reviews(scope: &Scope) -> Condition {
    visible_plan_records(
        scope,
        annual_review::Column::LaId,
        annual_review::Column::ChildId,
    )
}

pub async fn load_review<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: i64,
) -> ApiResult<ReviewRecord> {
    let row = annual_review::Entity::find_by_id(id)
        .filter(visible_reviews(scope))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("annual review"))?;
    load_review_parts(db, row).await
}

/// Loads a review whatever the actor's scope: only for callers that have checked the actor's
/// right to the part they act on (a professional answering a request addressed to them).
pub async fn load_review_unscoped<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<ReviewRecord> {
    let row = annual_review::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("annual review"))?;
    load_review_parts(db, row).await
}

async fn load_review_parts<C: ConnectionTrait>(
    db: &C,
    row: annual_review::Model,
) -> ApiResult<ReviewRecord> {
    let mut records = load_reviews_parts(db, vec![row]).await?;
    Ok(records.remove(0))
}

/// The advice of each review in one query whatever the number of reviews, in the order given.
async fn load_reviews_parts<C: ConnectionTrait>(
    db: &C,
    rows: Vec<annual_review::Model>,
) -> ApiResult<Vec<ReviewRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut advice: HashMap<i64, Vec<advice_request::Model>> = HashMap::new();
    for a in advice_request::Entity::find()
        .filter(crate::store::ids_in(
            db,
            advice_request::Column::ReviewId,
            ids,
        ))
        .order_by_asc(advice_request::Column::RequestedOn)
        .order_by_asc(advice_request::Column::Id)
        .all(db)
        .await?
    {
        if let Some(review_id) = a.review_id {
            advice.entry(review_id).or_default().push(a);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| ReviewRecord {
            advice: advice.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// The reviews among `ids` the actor may see.
pub async fn reviews_by_ids<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    ids: &[i64],
) -> ApiResult<Vec<ReviewRecord>> {
    let rows = annual_review::Entity::find()
        .filter(visible_reviews(scope))
        .filter(crate::store::ids_in(
            db,
            annual_review::Column::Id,
            ids.iter().copied(),
        ))
        .all(db)
        .await?;
    load_reviews_parts(db, rows).await
}

/// The reviews of these plans the actor may see, oldest first.
pub async fn reviews_of_plans<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    plan_ids: &[i64],
) -> ApiResult<Vec<ReviewRecord>> {
    let rows = annual_review::Entity::find()
        .filter(visible_reviews(scope))
        .filter(crate::store::ids_in(
            db,
            annual_review::Column::PlanId,
            plan_ids.iter().copied(),
        ))
        .order_by_asc(annual_review::Column::Id)
        .all(db)
        .await?;
    load_reviews_parts(db, rows).await
}

fn visible_amendments(scope: &Scope) -> Condition {
    visible_plan_records(
        scope,
        plan_amendment::Column::LaId,
        plan_amendment::Column::ChildId,
    )
}

pub async fn load_amendment<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: i64,
) -> ApiResult<AmendmentRecord> {
    let row = plan_amendment::Entity::find_by_id(id)
        .filter(visible_amendments(scope))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("amendment"))?;
    Ok(AmendmentRecord { row })
}

/// The amendments of these plans (`by_review`: started by these reviews) the actor may
/// see, oldest first.
pub async fn amendments_of_many<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    ids: &[i64],
    by_review: bool,
) -> ApiResult<Vec<AmendmentRecord>> {
    let column = if by_review {
        plan_amendment::Column::ReviewId
    } else {
        plan_amendment::Column::PlanId
    };
    Ok(plan_amendment::Entity::find()
        .filter(visible_amendments(scope))
        .filter(crate::store::ids_in(db, column, ids.iter().copied()))
        .order_by_asc(plan_amendment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| AmendmentRecord { row })
        .collect())
}

/// The amendment a review's decision started, if any.
pub async fn amendment_of_review<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    review_id: i64,
) -> ApiResult<Option<AmendmentRecord>> {
    Ok(plan_amendment::Entity::find()
        .filter(visible_amendments(scope))
        .filter(plan_amendment::Column::ReviewId.eq(review_id))
        .one(db)
        .await?
        .map(|row| AmendmentRecord { row }))
}
