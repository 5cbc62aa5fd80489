//! EHC plans, annual reviews and amendments: each action checks permission, what the plan,
//! review or amendment allows, the version the caller saw and the date, then writes the change
//! and its audit event in one transaction ([`super::action`]).
//!
//! This module holds the records, their loading and the deadline sync every change ends
//! with; the actions are in rooms named as caseworkers name them: `plans` (entering a plan,
//! its needs), `transfers` (phase transfers, moves between councils), `ceasing`,
//! `reviews`, `review_requests` (the family asking for a meeting) and `amendments`.

use crate::domain::audit::AuditAction;
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Unchanged, ColumnTrait, Condition,
    ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde_json::json;

use super::advice::{AdviceAnswer, advice_answer_change, write_advice_answer};
use super::{Ctx, Target, action};
use crate::domain::access::Permission;
use crate::domain::amendment::{
    AmendmentAction, AmendmentState, amendment_transition, check_amended_plan_allowed,
};
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
    ReviewAction, ReviewDecision, ReviewKind, ReviewState, notice_due, review_transition,
};
use crate::domain::review_request::RequestOutcome;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::entity::{
    advice_request, annual_review, child, ehc_plan, plan_amendment, review_meeting_request,
};
use crate::store::page::{Page, PageRequest};
use crate::store::plan_versions::{self, NewVersion};
use crate::store::scope::visible_children;

mod amendments;
mod ceasing;
mod placements;
mod plans;
mod review_requests;
mod reviews;
mod transfers;

pub use amendments::*;
pub use ceasing::*;
pub use placements::*;
pub use plans::*;
pub use review_requests::*;
pub use reviews::*;
pub use transfers::*;

// ---------- loading: the queries are in the store, scoped to the actor ----------

use crate::store::plans as records;
pub use crate::store::plans::{AmendmentRecord, PlanFilter, PlanRecord, ReviewRecord};

pub async fn load_plan(ctx: &Ctx<'_>, id: i64) -> ApiResult<PlanRecord> {
    records::load_plan(ctx.db, &ctx.actor.scope, id).await
}

/// The rest of a plan the caller has already been allowed to see.
pub async fn load_plan_parts<C: ConnectionTrait>(
    db: &C,
    row: ehc_plan::Model,
) -> ApiResult<PlanRecord> {
    records::load_plan_parts(db, row).await
}

/// Plans the actor may see, newest first.
pub async fn list_plans(
    ctx: &Ctx<'_>,
    filter: PlanFilter,
    page: PageRequest,
) -> ApiResult<Page<PlanRecord>> {
    records::list_plans(ctx.db, &ctx.actor.scope, filter, page).await
}

// ---------- many at once (the API's per-row lookups batch through these) ----------

/// The plans of these children the actor may see.
pub async fn plans_of_children(ctx: &Ctx<'_>, child_ids: &[i64]) -> ApiResult<Vec<PlanRecord>> {
    records::plans_of_children(ctx.db, &ctx.actor.scope, child_ids).await
}

/// The plans these assessments issued, where the actor may see them.
pub async fn plans_of_assessments(ctx: &Ctx<'_>, ids: &[i64]) -> ApiResult<Vec<PlanRecord>> {
    records::plans_of_assessments(ctx.db, &ctx.actor.scope, ids).await
}

/// The reviews among `ids` the actor may see.
pub async fn reviews_by_ids(ctx: &Ctx<'_>, ids: &[i64]) -> ApiResult<Vec<ReviewRecord>> {
    records::reviews_by_ids(ctx.db, &ctx.actor.scope, ids).await
}

/// The reviews of these plans the actor may see, oldest first.
pub async fn reviews_of_plans(ctx: &Ctx<'_>, plan_ids: &[i64]) -> ApiResult<Vec<ReviewRecord>> {
    records::reviews_of_plans(ctx.db, &ctx.actor.scope, plan_ids).await
}

/// The amendments of these plans the actor may see, oldest first.
pub async fn amendments_of_plans(
    ctx: &Ctx<'_>,
    plan_ids: &[i64],
) -> ApiResult<Vec<AmendmentRecord>> {
    records::amendments_of_many(ctx.db, &ctx.actor.scope, plan_ids, false).await
}

/// The amendments these reviews' decisions started, where the actor may see them.
pub async fn amendments_of_reviews(
    ctx: &Ctx<'_>,
    review_ids: &[i64],
) -> ApiResult<Vec<AmendmentRecord>> {
    records::amendments_of_many(ctx.db, &ctx.actor.scope, review_ids, true).await
}

/// The plans among `ids` the actor may see, with their parts, in five queries for any number.
pub async fn plans_by_ids(ctx: &Ctx<'_>, ids: &[i64]) -> ApiResult<Vec<PlanRecord>> {
    records::plans_by_ids(ctx.db, &ctx.actor.scope, ids).await
}

pub async fn load_review(ctx: &Ctx<'_>, id: i64) -> ApiResult<ReviewRecord> {
    records::load_review(ctx.db, &ctx.actor.scope, id).await
}

/// Loads a review whatever the actor's scope: only for callers that have checked the actor's
/// right to the part they act on (a professional answering a request addressed to them).
pub(super) async fn load_review_unscoped(ctx: &Ctx<'_>, id: i64) -> ApiResult<ReviewRecord> {
    records::load_review_unscoped(ctx.db, id).await
}

pub async fn load_amendment(ctx: &Ctx<'_>, id: i64) -> ApiResult<AmendmentRecord> {
    records::load_amendment(ctx.db, &ctx.actor.scope, id).await
}

/// The amendment a review's decision started, if any.
pub async fn amendment_of_review(
    ctx: &Ctx<'_>,
    review_id: i64,
) -> ApiResult<Option<AmendmentRecord>> {
    records::amendment_of_review(ctx.db, &ctx.actor.scope, review_id).await
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
        .filter(crate::store::ids_in(
            db,
            annual_review::Column::PlanId,
            plan_ids.clone(),
        ))
        .order_by_asc(annual_review::Column::Id)
        .all(db)
        .await?;
    let review_ids: Vec<i64> = reviews.iter().map(|r| r.id).collect();
    let advice = if review_ids.is_empty() {
        Vec::new()
    } else {
        advice_request::Entity::find()
            .filter(crate::store::ids_in(
                db,
                advice_request::Column::ReviewId,
                review_ids,
            ))
            .all(db)
            .await?
    };
    let amendments = plan_amendment::Entity::find()
        .filter(crate::store::ids_in(
            db,
            plan_amendment::Column::PlanId,
            plan_ids,
        ))
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
    action::step_date(ctx, on, start, &format!("the {what} started"))
}

fn audit_entry<'a>(
    la_id: i64,
    child_id: i64,
    entity: &'a str,
    entity_id: i64,
    action: AuditAction,
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
    date: |r: &PlanRecord, ctx, on| action_date(ctx, on, r.row.issued_on, "plan"),
    sync: sync_child_plans, reload: load_plan);

/// The backlog rows of a plan, a review or an amendment are rewritten with all the child's
/// plans' ([`sync_deadlines`]).
async fn sync_child_plans(txn: &DatabaseTransaction, key: action::Key) -> ApiResult<()> {
    sync_deadlines(txn, key.child_id).await
}

async fn begin_plan(ctx: &Ctx<'_>, target: Target, action: PlanAction) -> ApiResult<PlanStep> {
    let Target { id, version, on } = target;
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
