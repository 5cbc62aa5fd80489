//! EHC needs assessments as the services read them: each with its advice requests,
//! exceptions and setting consultations, loaded only where the caller's [`Scope`] reaches.
use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::advice::{advice_from, has_statutory_deadline};
use super::entity::{
    advice_request, assessment, assessment_exception, dispute, exception_reason,
    setting_consultation,
};
use super::page::{Page, PageRequest, paginate};
use super::scope::{Scope, visible_children};
use crate::domain::assessment::{AdviceFacts, AssessmentFacts, AssessmentKind, AssessmentState};
use crate::domain::dispute::{OrderException, RecordedOrderException};
use crate::domain::timescales::{ExceptionReason, RecordedException};
use crate::error::{ApiError, ApiResult};

/// An assessment with everything its deadlines are derived from.
#[derive(Clone, Debug)]
pub struct AssessmentRecord {
    pub row: assessment::Model,
    pub advice: Vec<advice_request::Model>,
    pub exceptions: Vec<(assessment_exception::Model, ExceptionReason)>,
    pub consultations: Vec<setting_consultation::Model>,
    /// For an ordered assessment, the dispute whose order, agreement or concession opened it.
    pub order: Option<dispute::Model>,
}

impl AssessmentRecord {
    pub fn state(&self) -> ApiResult<AssessmentState> {
        AssessmentState::parse(&self.row.state).map_err(|e| ApiError::Internal(e.into()))
    }

    pub fn kind(&self) -> ApiResult<AssessmentKind> {
        AssessmentKind::parse(&self.row.kind).map_err(|e| ApiError::Internal(e.into()))
    }

    /// The facts the statutory rules work from.
    pub fn facts(&self) -> ApiResult<AssessmentFacts> {
        let r = &self.row;
        let mut facts = AssessmentFacts::new(self.kind()?, r.received_on);
        facts.decided_to_assess_on = r.decided_to_assess_on;
        facts.decided_not_to_assess_on = r.decided_not_to_assess_on;
        facts.decided_not_to_issue_on = r.decided_not_to_issue_on;
        facts.draft_sent_on = r.draft_sent_on;
        facts.parent_responded_on = r.parent_responded_on;
        facts.final_issued_on = r.final_issued_on;
        facts.withdrawn_on = r.withdrawn_on;
        facts.transferred_out_on = r.transferred_out_on;
        facts.advice = self
            .advice
            .iter()
            .filter(|a| has_statutory_deadline(&a.service))
            .map(|a| AdviceFacts {
                id: a.id,
                from: advice_from(a),
                requested_on: a.requested_on,
                received_on: a.received_on,
                declined_on: a.declined_on,
            })
            .collect();
        facts.order_exception = self.order.as_ref().and_then(|d| {
            let reason = OrderException::parse(d.order_exception.as_deref()?).ok()?;
            Some(RecordedOrderException {
                reason,
                from: d.order_exception_on?,
                until: d.order_exception_until,
            })
        });
        facts.exceptions = self
            .exceptions
            .iter()
            .map(|(e, reason)| RecordedException {
                reason: reason.clone(),
                starts_on: e.starts_on,
                ends_on: e.ends_on,
                advice_request_id: e.advice_request_id,
                advice_requested_on: e.advice_request_id.and_then(|id| {
                    self.advice
                        .iter()
                        .find(|a| a.id == id)
                        .map(|a| a.requested_on)
                }),
            })
            .collect();
        Ok(facts)
    }
}

pub fn reason_of(row: exception_reason::Model) -> ExceptionReason {
    ExceptionReason {
        code: row.code,
        label: row.label,
        regulation: row.regulation,
        lifts_decision: row.lifts_decision,
        lifts_advice: row.lifts_advice,
        lifts_plan: row.lifts_plan,
        minimum_days: row.minimum_days.map(i64::from),
        concerns_advice_request: row.concerns_advice_request,
    }
}

/// Whole assessments are for staff and the family. Professionals see the requests addressed
/// to them (`my_advice_requests`), not other professionals' advice or the family's comments.
fn visible(scope: &Scope) -> Condition {
    visible_children(scope, assessment::Column::LaId, assessment::Column::ChildId)
}

/// Loads an assessment the actor may see, or NOT_FOUND.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: i64,
) -> ApiResult<AssessmentRecord> {
    let row = assessment::Entity::find_by_id(id)
        .filter(visible(scope))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("assessment"))?;
    load_parts(db, row).await
}

pub async fn load_parts<C: ConnectionTrait>(
    db: &C,
    row: assessment::Model,
) -> ApiResult<AssessmentRecord> {
    let id = row.id;
    load_many(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("assessment {id} did not load")))
}

#[derive(Default, Clone)]
pub struct AssessmentFilter {
    pub child_id: Option<i64>,
    pub state: Option<AssessmentState>,
    pub caseworker_id: Option<i64>,
    pub open: Option<bool>,
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: AssessmentFilter,
    page: PageRequest,
) -> ApiResult<Page<AssessmentRecord>> {
    let mut cond = visible(scope);
    if let Some(child_id) = filter.child_id {
        cond = cond.add(assessment::Column::ChildId.eq(child_id));
    }
    if let Some(state) = filter.state {
        cond = cond.add(assessment::Column::State.eq(state.as_str()));
    }
    if let Some(caseworker_id) = filter.caseworker_id {
        cond = cond.add(assessment::Column::CaseworkerId.eq(caseworker_id));
    }
    match filter.open {
        Some(true) => cond = cond.add(assessment::Column::ClosedOn.is_null()),
        Some(false) => cond = cond.add(assessment::Column::ClosedOn.is_not_null()),
        None => {}
    }
    let page = paginate(
        db,
        assessment::Entity::find().filter(cond),
        assessment::Column::Id,
        page,
        true,
    )
    .await?;
    Ok(Page {
        items: load_many(db, page.items).await?,
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
        counted: page.counted,
    })
}

/// Loads an assessment whatever the actor's scope: only for callers that have checked the
/// actor's right to the part they act on (a professional answering a request to them).
pub async fn load_unscoped<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<AssessmentRecord> {
    let row = assessment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("assessment"))?;
    load_parts(db, row).await
}

/// The assessments of these children that the actor may see, each child's newest first.
pub async fn of_children<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    child_ids: &[i64],
) -> ApiResult<Vec<AssessmentRecord>> {
    let rows = assessment::Entity::find()
        .filter(visible(scope))
        .filter(crate::store::ids_in(
            db,
            assessment::Column::ChildId,
            child_ids.iter().copied(),
        ))
        .order_by_desc(assessment::Column::ReceivedOn)
        .order_by_desc(assessment::Column::Id)
        .all(db)
        .await?;
    load_many(db, rows).await
}

/// Loads the parts of many assessments with one query per table (no N+1 on lists).
pub async fn load_many<C: ConnectionTrait>(
    db: &C,
    rows: Vec<assessment::Model>,
) -> ApiResult<Vec<AssessmentRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let advice = advice_request::Entity::find()
        .filter(crate::store::ids_in(
            db,
            advice_request::Column::AssessmentId,
            ids.clone(),
        ))
        .order_by_asc(advice_request::Column::RequestedOn)
        .order_by_asc(advice_request::Column::Id)
        .all(db)
        .await?;
    // Each exception with its reason, joined: one statement whether or not the page's cases
    // have exceptions.
    let exception_rows = assessment_exception::Entity::find()
        .join(
            JoinType::InnerJoin,
            assessment_exception::Entity::belongs_to(exception_reason::Entity)
                .from(assessment_exception::Column::ReasonCode)
                .to(exception_reason::Column::Code)
                .into(),
        )
        .select_also(exception_reason::Entity)
        .filter(crate::store::ids_in(
            db,
            assessment_exception::Column::AssessmentId,
            ids.clone(),
        ))
        .order_by_asc(assessment_exception::Column::StartsOn)
        .order_by_asc(assessment_exception::Column::Id)
        .all(db)
        .await?;
    let consultations = setting_consultation::Entity::find()
        .filter(crate::store::ids_in(
            db,
            setting_consultation::Column::AssessmentId,
            ids,
        ))
        .order_by_asc(setting_consultation::Column::ConsultedOn)
        .all(db)
        .await?;
    // Only ordered assessments have an order: no statement for a page without one.
    let ordered: Vec<i64> = rows
        .iter()
        .filter(|r| AssessmentKind::parse(&r.kind).is_ok_and(AssessmentKind::is_ordered))
        .map(|r| r.id)
        .collect();
    let mut order_of: HashMap<i64, dispute::Model> = HashMap::new();
    if !ordered.is_empty() {
        for d in dispute::Entity::find()
            .filter(crate::store::ids_in(
                db,
                dispute::Column::OrderedAssessmentId,
                ordered,
            ))
            .all(db)
            .await?
        {
            if let Some(id) = d.ordered_assessment_id {
                order_of.insert(id, d);
            }
        }
    }
    let mut advice_of: HashMap<i64, Vec<advice_request::Model>> = HashMap::new();
    for a in advice {
        if let Some(id) = a.assessment_id {
            advice_of.entry(id).or_default().push(a);
        }
    }
    let mut exceptions_of: HashMap<i64, Vec<(assessment_exception::Model, ExceptionReason)>> =
        HashMap::new();
    for (e, reason) in exception_rows {
        if let Some(reason) = reason {
            exceptions_of
                .entry(e.assessment_id)
                .or_default()
                .push((e, reason_of(reason)));
        }
    }
    let mut consultations_of: HashMap<i64, Vec<setting_consultation::Model>> = HashMap::new();
    for c in consultations {
        consultations_of.entry(c.assessment_id).or_default().push(c);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            let exceptions = exceptions_of.remove(&id).unwrap_or_default();
            AssessmentRecord {
                row,
                advice: advice_of.remove(&id).unwrap_or_default(),
                exceptions,
                consultations: consultations_of.remove(&id).unwrap_or_default(),
                order: order_of.remove(&id),
            }
        })
        .collect())
}

pub async fn exception_reasons<C: ConnectionTrait>(db: &C) -> ApiResult<Vec<ExceptionReason>> {
    Ok(exception_reason::Entity::find()
        .filter(exception_reason::Column::Active.eq(true))
        .order_by_asc(exception_reason::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(reason_of)
        .collect())
}
