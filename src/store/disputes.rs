//! Disputes and complaints as the services read them, loaded only where the caller's
//! [`Scope`] reaches: staff of the council, administrators, and the child's own family.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{complaint, dispute, remedy};
use super::page::{Page, PageRequest, paginate};
use super::scope::{Scope, visible_children};
use crate::domain::complaint::{
    ComplaintFacts, ComplaintState, PaymentReason, RemedyKind, RemedyOfferedBy, StageFacts,
};
use crate::domain::dispute::{
    Appealed, DisputeFacts, DisputeState, OrderException, OrderKind, Outcome,
    RecordedOrderException,
};
use crate::error::{ApiError, ApiResult};

fn stored<T>(parsed: Result<T, crate::domain::assessment::UnknownCode>) -> ApiResult<T> {
    parsed.map_err(|e| ApiError::Internal(e.into()))
}

fn stored_opt<T>(
    code: Option<&str>,
    parse: fn(&str) -> Result<T, crate::domain::assessment::UnknownCode>,
) -> ApiResult<Option<T>> {
    code.map(|c| stored(parse(c))).transpose()
}

/// A dispute about one decision.
#[derive(Clone, Debug)]
pub struct DisputeRecord {
    pub row: dispute::Model,
}

impl DisputeRecord {
    pub fn state(&self) -> ApiResult<DisputeState> {
        stored(DisputeState::parse(&self.row.state))
    }
    pub fn appealed(&self) -> ApiResult<Appealed> {
        stored(Appealed::parse(&self.row.appealed))
    }
    pub fn outcome(&self) -> ApiResult<Option<Outcome>> {
        stored_opt(self.row.outcome.as_deref(), Outcome::parse)
    }
    pub fn order_kind(&self) -> ApiResult<Option<OrderKind>> {
        stored_opt(self.row.order_kind.as_deref(), OrderKind::parse)
    }
    pub fn order_exception(&self) -> ApiResult<Option<RecordedOrderException>> {
        let reason = stored_opt(self.row.order_exception.as_deref(), OrderException::parse)?;
        Ok(reason
            .zip(self.row.order_exception_on)
            .map(|(reason, from)| RecordedOrderException {
                reason,
                from,
                until: self.row.order_exception_until,
            }))
    }

    /// The facts the rules work from.
    pub fn facts(&self) -> ApiResult<DisputeFacts> {
        let r = &self.row;
        Ok(DisputeFacts {
            appealed: self.appealed()?,
            decision_sent_on: r.decision_sent_on,
            adviser_contacted_on: r.adviser_contacted_on,
            mediation_wanted: r.mediation_wanted,
            council_told_on: r.council_told_on,
            mediation_held_on: r.mediation_held_on,
            certificate_issued_on: r.certificate_issued_on,
            appeal_registered_on: r.appeal_registered_on,
            appeal_withdrawn_on: r.appeal_withdrawn_on,
            outcome: self.outcome()?.zip(r.outcome_on),
            order_kind: self.order_kind()?,
            other_matter: r.other_matter.as_ref().map(|_| r.other_matter_due_on),
            other_matter_done_on: r.other_matter_done_on,
            order_exception: self.order_exception()?,
            complied_on: r.complied_on,
            closed_on: r.closed_on,
        })
    }
}

fn visible_disputes(scope: &Scope) -> Condition {
    visible_children(scope, dispute::Column::LaId, dispute::Column::ChildId)
}

pub async fn load_dispute<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: i64,
) -> ApiResult<DisputeRecord> {
    let row = dispute::Entity::find_by_id(id)
        .filter(visible_disputes(scope))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("dispute"))?;
    Ok(DisputeRecord { row })
}

/// The disputes among `ids` the scope reaches.
pub async fn disputes_by_ids<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    ids: &[i64],
) -> ApiResult<Vec<DisputeRecord>> {
    Ok(dispute::Entity::find()
        .filter(visible_disputes(scope))
        .filter(crate::store::ids_in(
            db,
            dispute::Column::Id,
            ids.iter().copied(),
        ))
        .all(db)
        .await?
        .into_iter()
        .map(|row| DisputeRecord { row })
        .collect())
}

/// What a list of disputes or complaints is narrowed to.
#[derive(Default, Clone)]
pub struct DisputeFilter {
    pub child_id: Option<i64>,
    /// A dispute's or a complaint's state code.
    pub state: Option<&'static str>,
    pub open: Option<bool>,
}

pub async fn list_disputes<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: DisputeFilter,
    page: PageRequest,
) -> ApiResult<Page<DisputeRecord>> {
    let mut cond = visible_disputes(scope);
    if let Some(child_id) = filter.child_id {
        cond = cond.add(dispute::Column::ChildId.eq(child_id));
    }
    if let Some(state) = filter.state {
        cond = cond.add(dispute::Column::State.eq(state));
    }
    match filter.open {
        Some(true) => cond = cond.add(dispute::Column::ClosedOn.is_null()),
        Some(false) => cond = cond.add(dispute::Column::ClosedOn.is_not_null()),
        None => {}
    }
    let page = paginate(
        db,
        dispute::Entity::find().filter(cond),
        dispute::Column::Id,
        page,
        true,
    )
    .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|row| DisputeRecord { row })
            .collect(),
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
        counted: page.counted,
    })
}

/// A complaint with the remedies recorded on it.
#[derive(Clone, Debug)]
pub struct ComplaintRecord {
    pub row: complaint::Model,
    pub remedies: Vec<remedy::Model>,
}

impl ComplaintRecord {
    pub fn state(&self) -> ApiResult<ComplaintState> {
        stored(ComplaintState::parse(&self.row.state))
    }

    pub fn facts(&self) -> ComplaintFacts {
        let r = &self.row;
        ComplaintFacts {
            received_on: r.received_on,
            stage_one: StageFacts {
                acknowledged_on: r.acknowledged_on,
                extension: r.extended_to.zip(r.extension_reason.clone()),
                responded_on: r.responded_on,
            },
            escalated_on: r.escalated_on,
            stage_two: StageFacts {
                acknowledged_on: r.stage_two_acknowledged_on,
                extension: r
                    .stage_two_extended_to
                    .zip(r.stage_two_extension_reason.clone()),
                responded_on: r.stage_two_responded_on,
            },
            withdrawn_on: r.withdrawn_on,
        }
    }
}

fn visible_complaints(scope: &Scope) -> Condition {
    visible_children(scope, complaint::Column::LaId, complaint::Column::ChildId)
}

async fn with_remedies<C: ConnectionTrait>(
    db: &C,
    rows: Vec<complaint::Model>,
) -> ApiResult<Vec<ComplaintRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut remedies_of: HashMap<i64, Vec<remedy::Model>> = HashMap::new();
    for r in remedy::Entity::find()
        .filter(crate::store::ids_in(
            db,
            remedy::Column::ComplaintId,
            rows.iter().map(|c| c.id),
        ))
        .order_by_asc(remedy::Column::Id)
        .all(db)
        .await?
    {
        remedies_of.entry(r.complaint_id).or_default().push(r);
    }
    Ok(rows
        .into_iter()
        .map(|row| ComplaintRecord {
            remedies: remedies_of.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

pub async fn load_complaint<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: i64,
) -> ApiResult<ComplaintRecord> {
    let row = complaint::Entity::find_by_id(id)
        .filter(visible_complaints(scope))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("complaint"))?;
    let id = row.id;
    with_remedies(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("complaint {id} did not load")))
}

pub async fn list_complaints<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: DisputeFilter,
    page: PageRequest,
) -> ApiResult<Page<ComplaintRecord>> {
    let mut cond = visible_complaints(scope);
    if let Some(child_id) = filter.child_id {
        cond = cond.add(complaint::Column::ChildId.eq(child_id));
    }
    if let Some(state) = filter.state {
        cond = cond.add(complaint::Column::State.eq(state));
    }
    match filter.open {
        Some(true) => cond = cond.add(complaint::Column::ClosedOn.is_null()),
        Some(false) => cond = cond.add(complaint::Column::ClosedOn.is_not_null()),
        None => {}
    }
    let page = paginate(
        db,
        complaint::Entity::find().filter(cond),
        complaint::Column::Id,
        page,
        true,
    )
    .await?;
    Ok(Page {
        items: with_remedies(db, page.items).await?,
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
        counted: page.counted,
    })
}

/// Remedies agreed in one month, in one locality, of one kind and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemedyTotal {
    pub la_id: i64,
    /// The first day of the month agreed (or carried out).
    pub month: NaiveDate,
    pub locality_id: i64,
    pub kind: RemedyKind,
    pub reason: Option<PaymentReason>,
    pub offered_by: RemedyOfferedBy,
    pub count: i64,
    pub amount_pence: i64,
    /// Of the amount, what has been paid (the remedy is done).
    pub paid_pence: i64,
}

/// The register: remedies agreed (or, `by_paid`, carried out) from `from` to `to` inclusive,
/// in the LAs the scope reaches, by month, locality, kind, reason and who offered it.
pub async fn remedy_register<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
    by_paid: bool,
) -> ApiResult<Vec<RemedyTotal>> {
    let dated = if by_paid {
        remedy::Column::DoneOn
    } else {
        remedy::Column::AgreedOn
    };
    let rows = remedy::Entity::find()
        .filter(super::scope::visible_organisation(
            scope,
            remedy::Column::LaId,
        ))
        .filter(dated.between(from, to))
        .order_by_asc(remedy::Column::LaId)
        .order_by_asc(dated)
        .order_by_asc(remedy::Column::Id)
        .all(db)
        .await?;
    let mut totals: Vec<RemedyTotal> = Vec::new();
    for r in rows {
        use chrono::Datelike;
        let on = if by_paid {
            r.done_on.unwrap_or(r.agreed_on)
        } else {
            r.agreed_on
        };
        let month = on.with_day(1).expect("the first of a month");
        let kind = stored(RemedyKind::parse(&r.kind))?;
        let reason = stored_opt(r.reason.as_deref(), PaymentReason::parse)?;
        let offered_by = stored(RemedyOfferedBy::parse(&r.offered_by))?;
        let amount = r.amount_pence.unwrap_or(0);
        let paid = if r.done_on.is_some() { amount } else { 0 };
        match totals.iter_mut().find(|t| {
            (
                t.la_id,
                t.month,
                t.locality_id,
                t.kind,
                t.reason,
                t.offered_by,
            ) == (r.la_id, month, r.locality_id, kind, reason, offered_by)
        }) {
            Some(t) => {
                t.count += 1;
                t.amount_pence += amount;
                t.paid_pence += paid;
            }
            None => totals.push(RemedyTotal {
                la_id: r.la_id,
                month,
                locality_id: r.locality_id,
                kind,
                reason,
                offered_by,
                count: 1,
                amount_pence: amount,
                paid_pence: paid,
            }),
        }
    }
    totals.sort_by_key(|t| {
        (
            t.la_id,
            t.month,
            t.locality_id,
            t.kind.as_str(),
            t.reason.map(|r| r.as_str()),
        )
    });
    Ok(totals)
}
