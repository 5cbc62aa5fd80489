//! Disputes (DOMAIN.md §6): a family's challenge to a decision through mediation and the
//! First-tier Tribunal (SEND), and what the outcome directs the council to do. Each step checks
//! permission, the dispute's state, the version the caller saw and the date, then writes the
//! change and its audit event in one transaction ([`super::action`]); the backlog's rows are
//! rewritten in the same transaction. An order (agreement, concession) to assess or to make a
//! plan opens a needs assessment on the order's clocks, linked to the dispute; when that
//! assessment closes, the dispute is complied with.
use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, Set, TransactionTrait,
};
use serde_json::json;

use super::{Ctx, Target, action};
use crate::domain::access::Permission;
use crate::domain::amendment::AmendmentState;
use crate::domain::assessment::{AssessmentKind, AssessmentState};
use crate::domain::audit::AuditAction;
use crate::domain::backlog::Process;
use crate::domain::calendar::long_date;
use crate::domain::dispute::{
    Appealed, DisputeAction, DisputeState, OrderException, OrderKind, Outcome,
    allowed_dispute_actions, check_outcome, dispute_deadlines, dispute_transition,
};
use crate::domain::input::{optional_text, required_text};
use crate::error::{ApiError, ApiResult};
use crate::store::backlog::{self, Placement};
use crate::store::disputes as records;
use crate::store::entity::{assessment, child, dispute, plan_amendment};
use crate::store::page::{Page, PageRequest};

pub use crate::store::disputes::{DisputeFilter, DisputeRecord};

pub async fn load(ctx: &Ctx<'_>, id: i64) -> ApiResult<DisputeRecord> {
    records::load_dispute(ctx.db, &ctx.actor.scope, id).await
}

/// The disputes among `ids` the actor may see.
pub async fn by_ids(ctx: &Ctx<'_>, ids: &[i64]) -> ApiResult<Vec<DisputeRecord>> {
    records::disputes_by_ids(ctx.db, &ctx.actor.scope, ids).await
}

pub async fn list(
    ctx: &Ctx<'_>,
    filter: DisputeFilter,
    page: PageRequest,
) -> ApiResult<Page<DisputeRecord>> {
    records::list_disputes(ctx.db, &ctx.actor.scope, filter, page).await
}

/// The decision a family challenges: on a needs assessment or on a plan.
#[derive(Clone, Copy, Debug)]
pub enum Challenged {
    Assessment(i64),
    Plan(i64),
}

pub struct OpenDispute {
    pub challenged: Challenged,
    pub appealed: Appealed,
    /// When the decision's notice was sent; for a refusal on an assessment, the day it was
    /// recorded when not given.
    pub decision_sent_on: Option<NaiveDate>,
    /// The day the family challenged it (today when not given).
    pub on: Option<NaiveDate>,
}

fn in_own_council(ctx: &Ctx<'_>, la_id: i64) -> ApiResult<()> {
    if ctx.actor.may_act_in(la_id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "you may only act on your own local authority's cases",
        ))
    }
}

/// Records a family's challenge to a decision: the start of mediation or an appeal.
pub async fn open(ctx: &Ctx<'_>, input: OpenDispute) -> ApiResult<DisputeRecord> {
    ctx.require(Permission::ManageCasework)?;
    let today = ctx.today();
    let (la_id, child_id, assessment_id, plan_id, decided_on) = match input.challenged {
        Challenged::Assessment(id) => {
            let record = super::assessment::load(ctx, id).await?;
            in_own_council(ctx, record.row.la_id)?;
            let state = record.state()?;
            let decided_on = match (input.appealed, state) {
                (Appealed::RefusalToAssess, AssessmentState::DecidedNotToAssess) => {
                    record.row.decided_not_to_assess_on
                }
                (Appealed::RefusalToIssue, AssessmentState::DecidedNotToIssue) => {
                    record.row.decided_not_to_issue_on
                }
                (Appealed::RefusalToAssess | Appealed::RefusalToIssue, _) => {
                    return Err(ApiError::conflict(format!(
                        "the assessment is {}: only a decision not to assess or not to issue \
                         a plan can be challenged on it",
                        state.as_str()
                    )));
                }
                _ => {
                    return Err(ApiError::validation(
                        "appealed",
                        "a plan's content, school, amendment or ceasing is challenged on the plan \
                         (openPlanDispute)",
                    ));
                }
            };
            (
                record.row.la_id,
                record.row.child_id,
                Some(id),
                None,
                decided_on,
            )
        }
        Challenged::Plan(id) => {
            let plan = super::plan::load_plan(ctx, id).await?;
            in_own_council(ctx, plan.row.la_id)?;
            if input.appealed.is_on_assessment() {
                return Err(ApiError::validation(
                    "appealed",
                    "a refusal to assess or to issue is challenged on its assessment \
                     (openAssessmentDispute)",
                ));
            }
            (plan.row.la_id, plan.row.child_id, None, Some(id), None)
        }
    };
    let decision_sent_on = input.decision_sent_on.or(decided_on).ok_or_else(|| {
        ApiError::validation("decisionSentOn", "say when the decision's notice was sent")
    })?;
    let on = input.on.unwrap_or(today);
    for (field, day) in [("decisionSentOn", decision_sent_on), ("on", on)] {
        if day > today {
            return Err(ApiError::validation(
                field,
                "steps are recorded when they happen, not in advance",
            ));
        }
    }
    if on < decision_sent_on {
        return Err(ApiError::validation(
            "on",
            format!(
                "the decision was sent on {}: it cannot be challenged before",
                long_date(decision_sent_on)
            ),
        ));
    }
    let mut same = dispute::Entity::find()
        .filter(dispute::Column::ChildId.eq(child_id))
        .filter(dispute::Column::Appealed.eq(input.appealed.as_str()))
        .filter(dispute::Column::ClosedOn.is_null());
    same = match (assessment_id, plan_id) {
        (Some(a), _) => same.filter(dispute::Column::AssessmentId.eq(a)),
        (_, Some(p)) => same.filter(dispute::Column::PlanId.eq(p)),
        _ => same,
    };
    if let Some(open) = same.one(ctx.db).await? {
        return Err(ApiError::conflict(format!(
            "this decision is already being challenged (dispute {}): continue that one",
            open.id
        )));
    }
    let txn = ctx.db.begin().await?;
    let row = dispute::ActiveModel {
        id: NotSet,
        la_id: Set(la_id),
        child_id: Set(child_id),
        assessment_id: Set(assessment_id),
        plan_id: Set(plan_id),
        appealed: Set(input.appealed.as_str().to_owned()),
        decision_sent_on: Set(decision_sent_on),
        state: Set(DisputeState::Open.as_str().to_owned()),
        opened_on: Set(on),
        version: Set(1),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
        ..Default::default()
    };
    let row = action::create::<DisputeRecord>(
        ctx,
        &txn,
        row,
        "this decision is already being challenged",
        (
            AuditAction::OpenDispute,
            json!({"appealed": input.appealed.as_str(), "assessmentId": assessment_id, "planId": plan_id, "decisionSentOn": decision_sent_on, "on": on}),
        ),
    )
    .await?;
    sync_deadlines(&txn, row.id).await?;
    txn.commit().await?;
    load(ctx, row.id).await
}

// ---------- the common path of every step ----------

type Step = action::Step<DisputeRecord>;

action::tracked_record!(DisputeRecord, dispute, "dispute", "dispute", DisputeAction,
    date: |r: &DisputeRecord, ctx: &Ctx<'_>, on: Option<NaiveDate>| {
        action::step_date(ctx, on, r.row.decision_sent_on, "the decision was sent")
    },
    sync: sync_record_deadlines, reload: load, staged);

async fn sync_record_deadlines(txn: &DatabaseTransaction, key: action::Key) -> ApiResult<()> {
    sync_deadlines(txn, key.id).await
}

/// Rewrites the dispute's rows in the backlog's deadline table from its facts.
pub async fn sync_deadlines<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<()> {
    let row = dispute::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("dispute"))?;
    let record = DisputeRecord { row };
    let place = placement(db, record.row.la_id, record.row.child_id, id).await?;
    let facts = record.facts()?;
    let rows = dispute_deadlines(&facts, facts.decision_sent_on)
        .into_iter()
        .filter_map(|(_, tracked)| backlog::row(&place, &tracked?, None))
        .collect();
    backlog::replace(db, record.row.la_id, Process::Dispute, id, rows).await?;
    Ok(())
}

/// Where a child's dispute or complaint sits in the backlog: its council and locality.
pub(super) async fn placement<C: ConnectionTrait>(
    db: &C,
    la_id: i64,
    child_id: i64,
    source_id: i64,
) -> ApiResult<Placement> {
    let child = child::Entity::find_by_id(child_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("child"))?;
    Ok(Placement {
        source_id,
        la_id,
        child_id,
        locality_id: child.locality_id,
        team_id: None,
        caseworker_id: None,
    })
}

/// Checks permission, visibility, the state machine, the version and the date.
async fn begin(ctx: &Ctx<'_>, target: Target, action: DisputeAction) -> ApiResult<Step> {
    ctx.require(Permission::ManageCasework)?;
    let record = load(ctx, target.id).await?;
    in_own_council(ctx, record.row.la_id)?;
    let state = record.state()?;
    let next = dispute_transition(state, action).ok_or_else(|| {
        let allowed: Vec<&str> = allowed_dispute_actions(state)
            .iter()
            .map(|a| a.as_str())
            .collect();
        action::not_allowed("dispute", action.as_str(), state.as_str(), &allowed)
    })?;
    let mut step = Step::begin(ctx, record, target.version, action, target.on)?;
    step.move_to(state.as_str(), next.as_str(), next == DisputeState::Closed);
    Ok(step)
}

fn not_before(on: NaiveDate, earlier: Option<NaiveDate>, what: &str) -> ApiResult<()> {
    Ok(crate::domain::input::not_before(on, earlier, what)?)
}

/// The family contacted a mediation adviser; `wants_mediation` false: they do not want
/// mediation, and the certificate is due in 3 working days (reg 34-35).
pub async fn contact_adviser(
    ctx: &Ctx<'_>,
    target: Target,
    wants_mediation: Option<bool>,
) -> ApiResult<DisputeRecord> {
    let mut step = begin(ctx, target, DisputeAction::ContactAdviser).await?;
    step.row.adviser_contacted_on = Set(Some(step.on));
    step.row.mediation_wanted = Set(wants_mediation);
    action::finish_alone(ctx, step, json!({"wantsMediation": wants_mediation})).await
}

/// The family wants mediation and the council was told on `on`: it must arrange mediation
/// within 30 days (reg 36-37).
pub async fn arrange_mediation(ctx: &Ctx<'_>, target: Target) -> ApiResult<DisputeRecord> {
    let mut step = begin(ctx, target, DisputeAction::ArrangeMediation).await?;
    if step.record.row.council_told_on.is_some() {
        return Err(ApiError::conflict(
            "the mediation is already being arranged",
        ));
    }
    not_before(
        step.on,
        step.record.row.adviser_contacted_on,
        "the adviser was contacted",
    )?;
    step.row.council_told_on = Set(Some(step.on));
    step.row.mediation_wanted = Set(Some(true));
    action::finish_alone(ctx, step, json!({})).await
}

pub async fn hold_mediation(ctx: &Ctx<'_>, target: Target) -> ApiResult<DisputeRecord> {
    let mut step = begin(ctx, target, DisputeAction::HoldMediation).await?;
    not_before(
        step.on,
        step.record.row.council_told_on,
        "the council was told",
    )?;
    if step.record.row.mediation_held_on.is_some() {
        return Err(ApiError::conflict(
            "the mediation is already recorded as held",
        ));
    }
    step.row.mediation_held_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

/// The certificate the family needs to appeal: after telling the adviser they do not want
/// mediation, or after the mediation (reg 34-35, 39).
pub async fn issue_certificate(ctx: &Ctx<'_>, target: Target) -> ApiResult<DisputeRecord> {
    let mut step = begin(ctx, target, DisputeAction::IssueCertificate).await?;
    let r = &step.record.row;
    if r.adviser_contacted_on.is_none() && r.council_told_on.is_none() {
        return Err(ApiError::conflict(
            "a certificate follows contact with a mediation adviser: record that first",
        ));
    }
    not_before(step.on, r.adviser_contacted_on, "the adviser was contacted")?;
    not_before(step.on, r.mediation_held_on, "the mediation")?;
    if r.certificate_issued_on.is_some() {
        return Err(ApiError::conflict("the certificate is already recorded"));
    }
    let (on, assessment_id) = (step.on, r.assessment_id);
    step.row.certificate_issued_on = Set(Some(on));
    let key = record_key(&step.record);
    let txn = ctx.db.begin().await?;
    action::finish(ctx, &txn, step, json!({})).await?;
    // The assessment's own appeal window reads the same certificate.
    if let Some(id) = assessment_id {
        assessment::Entity::update_many()
            .col_expr(
                assessment::Column::MediationCertificateOn,
                sea_orm::sea_query::Expr::value(on),
            )
            .filter(assessment::Column::Id.eq(id))
            .filter(assessment::Column::MediationCertificateOn.is_null())
            .exec(&txn)
            .await?;
    }
    action::commit::<DisputeRecord>(txn, key).await?;
    load(ctx, target.id).await
}

pub async fn register_appeal(ctx: &Ctx<'_>, target: Target) -> ApiResult<DisputeRecord> {
    let mut step = begin(ctx, target, DisputeAction::RegisterAppeal).await?;
    step.row.appeal_registered_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

/// The hearing date the Tribunal set (a future date), recorded on `target.on`.
pub async fn schedule_hearing(
    ctx: &Ctx<'_>,
    target: Target,
    hearing_on: NaiveDate,
) -> ApiResult<DisputeRecord> {
    let mut step = begin(ctx, target, DisputeAction::ScheduleHearing).await?;
    if Some(hearing_on) < step.record.row.appeal_registered_on {
        return Err(ApiError::validation(
            "hearingOn",
            "a hearing comes after the appeal was registered",
        ));
    }
    step.row.hearing_on = Set(Some(hearing_on));
    action::finish_alone(ctx, step, json!({"hearingOn": hearing_on})).await
}

pub async fn withdraw_appeal(ctx: &Ctx<'_>, target: Target) -> ApiResult<DisputeRecord> {
    let mut step = begin(ctx, target, DisputeAction::WithdrawAppeal).await?;
    step.row.appeal_withdrawn_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

/// The family took the challenge no further (no mediation, no appeal).
pub async fn close(ctx: &Ctx<'_>, target: Target, reason: &str) -> ApiResult<DisputeRecord> {
    let mut step = begin(ctx, target, DisputeAction::Close).await?;
    let reason = required_text("reason", reason)?;
    step.row.outcome_note = Set(Some(reason));
    action::finish_alone(ctx, step, json!({})).await
}

/// What an agreement, an order or a concession directs.
pub struct Direction {
    pub outcome: Outcome,
    pub order_kind: Option<OrderKind>,
    /// Agreed at mediation on a matter outside the Tribunal's powers (social care, health).
    pub other_matter: Option<String>,
    /// The date the parties agreed in writing for the other matter (reg 42(5)).
    pub other_matter_due_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// A mediation agreement (reg 42), an order (reg 43-44), a concession (reg 45) or a
/// dismissal. An order to assess or to make a plan opens its assessment in the same
/// transaction.
pub async fn record_outcome(
    ctx: &Ctx<'_>,
    target: Target,
    direction: Direction,
) -> ApiResult<DisputeRecord> {
    let action = match direction.outcome {
        Outcome::Agreement => DisputeAction::RecordAgreement,
        Outcome::Order => DisputeAction::RecordOrder,
        Outcome::Concession => DisputeAction::Concede,
        Outcome::Dismissed => DisputeAction::Dismiss,
    };
    let mut step = begin(ctx, target, action).await?;
    let appealed = step.record.appealed()?;
    let other_matter = optional_text("otherMatter", direction.other_matter.as_deref())?;
    if other_matter.is_some() && direction.outcome != Outcome::Agreement {
        return Err(ApiError::validation(
            "otherMatter",
            "only a mediation agreement settles matters outside the Tribunal's powers",
        ));
    }
    if direction.other_matter_due_on.is_some() && other_matter.is_none() {
        return Err(ApiError::validation(
            "otherMatterDueOn",
            "a date agreed is for another matter: say what it is (otherMatter)",
        ));
    }
    let kind = check_outcome(
        appealed,
        direction.outcome,
        direction.order_kind,
        other_matter.is_some(),
    )
    .map_err(|m| ApiError::validation("orderKind", m))?;
    let r = &step.record.row;
    not_before(step.on, r.appeal_registered_on, "the appeal was registered")?;
    not_before(step.on, r.mediation_held_on, "the mediation")?;
    let on = step.on;
    // An agreement is reached at a mediation: it was held that day, if not recorded before.
    if direction.outcome == Outcome::Agreement && r.mediation_held_on.is_none() {
        step.row.mediation_held_on = Set(Some(on));
    }
    if let Some(due) = direction.other_matter_due_on.filter(|due| *due < on) {
        return Err(ApiError::validation(
            "otherMatterDueOn",
            format!(
                "the date agreed ({}) is before the agreement",
                long_date(due)
            ),
        ));
    }
    step.row.outcome = Set(Some(direction.outcome.as_str().to_owned()));
    step.row.outcome_on = Set(Some(on));
    step.row.order_kind = Set(kind.map(|k| k.as_str().to_owned()));
    step.row.outcome_note = Set(optional_text("note", direction.note.as_deref())?);
    step.row.other_matter = Set(other_matter.clone());
    step.row.other_matter_due_on = Set(direction.other_matter_due_on);
    // The outcome directs the council, or (a dismissal that leaves nothing to do: the
    // decision stands) closes the dispute.
    if kind.is_some() || other_matter.is_some() {
        step.row.state = Set(DisputeState::Directed.as_str().to_owned());
        step.row.closed_on = Set(None);
    } else {
        step.row.state = Set(DisputeState::Closed.as_str().to_owned());
        step.row.closed_on = Set(Some(on));
    }
    let record = step.record.clone();
    let txn = ctx.db.begin().await?;
    let mut ordered = None;
    let mut amendment = None;
    if let Some(kind) = kind.filter(|k| k.opens_assessment()) {
        let id = open_ordered_assessment(ctx, &txn, &record, kind, on).await?;
        step.row.ordered_assessment_id = Set(Some(id));
        ordered = Some(id);
    }
    if let Some(kind) =
        kind.filter(|k| matches!(k, OrderKind::AmendContent | OrderKind::ChangeSetting))
    {
        amendment = Some(
            open_ordered_amendment(ctx, &txn, &record, kind, on, direction.note.as_deref()).await?,
        );
    }
    let summary = json!({"outcome": direction.outcome.as_str(), "orderKind": kind.map(|k| k.as_str()), "otherMatter": other_matter.is_some(), "orderedAssessmentId": ordered, "amendmentId": amendment});
    action::finish(ctx, &txn, step, summary).await?;
    if let Some(id) = ordered {
        super::assessment::sync_deadlines(&txn, id).await?;
    }
    if amendment.is_some() {
        super::plan::sync_deadlines(&txn, record.row.child_id).await?;
    }
    action::commit::<DisputeRecord>(txn, record_key(&record)).await?;
    load(ctx, target.id).await
}

fn record_key(record: &DisputeRecord) -> action::Key {
    <DisputeRecord as action::Tracked>::key(record)
}

/// The assessment an order to assess (or to make a plan) opens, on the order's clocks from
/// `on`, linked to the refused request through the dispute.
async fn open_ordered_assessment(
    ctx: &Ctx<'_>,
    txn: &DatabaseTransaction,
    record: &DisputeRecord,
    kind: OrderKind,
    on: NaiveDate,
) -> ApiResult<i64> {
    let refused = match record.row.assessment_id {
        Some(id) => assessment::Entity::find_by_id(id).one(txn).await?,
        None => None,
    };
    let refused = refused.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "dispute {} directs an assessment but challenges none",
            record.row.id
        ))
    })?;
    let open = assessment::Entity::find()
        .filter(assessment::Column::ChildId.eq(record.row.child_id))
        .filter(assessment::Column::ClosedOn.is_null())
        .one(txn)
        .await?;
    if let Some(open) = open {
        return Err(ApiError::conflict(format!(
            "this child has an open assessment (id {}): close it before the ordered one opens",
            open.id
        )));
    }
    let (assessment_kind, state, decided_on) = match kind {
        OrderKind::MakePlan => (
            AssessmentKind::OrderedPlan,
            AssessmentState::Assessing,
            Some(on),
        ),
        _ => (AssessmentKind::Ordered, AssessmentState::Requested, None),
    };
    let row = assessment::ActiveModel {
        id: NotSet,
        la_id: Set(refused.la_id),
        child_id: Set(refused.child_id),
        kind: Set(assessment_kind.as_str().to_owned()),
        state: Set(state.as_str().to_owned()),
        requested_by: Set(refused.requested_by.clone()),
        relevant_youth_accommodation: Set(refused.relevant_youth_accommodation),
        received_on: Set(on),
        caseworker_id: Set(refused.caseworker_id),
        decided_to_assess_on: Set(decided_on),
        parent_meeting_requested: Set(false),
        version: Set(1),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
        ..Default::default()
    };
    let row = action::create::<super::assessment::AssessmentRecord>(
        ctx,
        txn,
        row,
        "this child already has an open assessment: continue that one",
        (
            AuditAction::Request,
            json!({"kind": assessment_kind.as_str(), "receivedOn": on, "disputeId": record.row.id, "refusedAssessmentId": refused.id}),
        ),
    )
    .await?;
    Ok(row.id)
}

/// The amendment an order to amend the plan (or to name another school) opens on the plan:
/// the Tribunal settled its content, so it goes straight to the amended plan, due within the
/// order's limit.
async fn open_ordered_amendment(
    ctx: &Ctx<'_>,
    txn: &DatabaseTransaction,
    record: &DisputeRecord,
    kind: OrderKind,
    on: NaiveDate,
    note: Option<&str>,
) -> ApiResult<i64> {
    let plan_id = record.row.plan_id.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "dispute {} directs an amendment but challenges no plan",
            record.row.id
        ))
    })?;
    let limit = kind.steps()[0];
    let due_on = limit.due_from(on);
    let changes = format!(
        "As directed on {}: {}{}",
        long_date(on),
        kind.words(),
        note.map(|n| format!(". {n}")).unwrap_or_default()
    );
    let row = plan_amendment::ActiveModel {
        id: NotSet,
        la_id: Set(record.row.la_id),
        child_id: Set(record.row.child_id),
        plan_id: Set(plan_id),
        state: Set(AmendmentState::NoticeSent.as_str().to_owned()),
        started_on: Set(on),
        notice_sent_on: Set(Some(on)),
        proposed_changes: Set(Some(changes)),
        parent_meeting_requested: Set(false),
        phase_transfer: Set(false),
        dispute_id: Set(Some(record.row.id)),
        ordered_limit: Set(Some(limit.as_str().to_owned())),
        ordered_due_on: Set(Some(due_on)),
        version: Set(1),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
        ..Default::default()
    };
    let saved = action::create::<super::plan::AmendmentRecord>(
        ctx,
        txn,
        row,
        "this plan already has an amendment under way: finish it before the directed one opens",
        (
            AuditAction::Propose,
            json!({"planId": plan_id, "disputeId": record.row.id, "orderKind": kind.as_str(), "dueOn": due_on}),
        ),
    )
    .await?;
    Ok(saved.id)
}

/// A reg 44(3) exception: the order's limits are impractical to meet from `target.on`.
pub async fn record_order_exception(
    ctx: &Ctx<'_>,
    target: Target,
    reason: OrderException,
    until: Option<NaiveDate>,
) -> ApiResult<DisputeRecord> {
    let mut step = begin(ctx, target, DisputeAction::RecordOrderException).await?;
    if step.record.row.order_kind.is_none() {
        return Err(ApiError::conflict(
            "an exception of reg 44(3) lifts an order's limits: this outcome set none",
        ));
    }
    not_before(step.on, step.record.row.outcome_on, "the order")?;
    if step.record.row.order_exception.is_some() {
        return Err(ApiError::conflict(
            "an exception is already recorded on this order",
        ));
    }
    let exception = crate::domain::dispute::RecordedOrderException {
        reason,
        from: step.on,
        until,
    };
    if let Some((field, message)) = exception.refusal() {
        return Err(ApiError::validation(field, message));
    }
    step.row.order_exception = Set(Some(reason.as_str().to_owned()));
    step.row.order_exception_on = Set(Some(step.on));
    step.row.order_exception_until = Set(until);
    let ordered = step.record.row.ordered_assessment_id;
    let key = record_key(&step.record);
    let txn = ctx.db.begin().await?;
    action::finish(
        ctx,
        &txn,
        step,
        json!({"reason": reason.as_str(), "until": until}),
    )
    .await?;
    // The ordered assessment's clocks read the exception from the order.
    if let Some(id) = ordered {
        super::assessment::sync_deadlines(&txn, id).await?;
    }
    action::commit::<DisputeRecord>(txn, key).await?;
    load(ctx, target.id).await
}

/// The council did what it was directed to (`other_matter`: the other matter agreed).
/// An order to assess or to make a plan is complied with by its assessment.
pub async fn record_compliance(
    ctx: &Ctx<'_>,
    target: Target,
    other_matter: bool,
) -> ApiResult<DisputeRecord> {
    let action = if other_matter {
        DisputeAction::RecordOtherMatterDone
    } else {
        DisputeAction::RecordCompliance
    };
    let mut step = begin(ctx, target, action).await?;
    let facts = step.record.facts()?;
    not_before(step.on, step.record.row.outcome_on, "the outcome")?;
    if other_matter {
        if facts.other_matter.is_none() {
            return Err(ApiError::conflict("no other matter was agreed"));
        }
        if facts.other_matter_done_on.is_some() {
            return Err(ApiError::conflict("the other matter is already done"));
        }
        step.row.other_matter_done_on = Set(Some(step.on));
    } else {
        match facts.order_kind {
            None => {
                return Err(ApiError::conflict(
                    "the outcome directed no action on the plan",
                ));
            }
            Some(kind) if kind.opens_assessment() => {
                return Err(ApiError::conflict(
                    "an order to assess or to make a plan is complied with by its assessment: \
                     continue that one",
                ));
            }
            Some(OrderKind::AmendContent | OrderKind::ChangeSetting) => {
                return Err(ApiError::conflict(
                    "an order to amend the plan is complied with by issuing its amended plan \
                     (issueAmendedPlan on the directed amendment)",
                ));
            }
            Some(_) if facts.complied_on.is_some() => {
                return Err(ApiError::conflict("compliance is already recorded"));
            }
            Some(_) => step.row.complied_on = Set(Some(step.on)),
        }
    }
    let done = crate::domain::dispute::DisputeFacts {
        complied_on: if other_matter {
            facts.complied_on
        } else {
            Some(step.on)
        },
        other_matter_done_on: if other_matter {
            Some(step.on)
        } else {
            facts.other_matter_done_on
        },
        ..facts
    }
    .duties_done(assessment_closed(ctx.db, &step.record).await?);
    if done {
        step.move_to(
            DisputeState::Directed.as_str(),
            DisputeState::Closed.as_str(),
            true,
        );
    }
    action::finish_alone(ctx, step, json!({"otherMatter": other_matter})).await
}

async fn assessment_closed<C: ConnectionTrait>(db: &C, record: &DisputeRecord) -> ApiResult<bool> {
    let Some(id) = record.row.ordered_assessment_id else {
        return Ok(true);
    };
    Ok(assessment::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some_and(|a| a.closed_on.is_some()))
}

/// After a step that closed an ordered assessment (in its transaction): the dispute closes
/// when nothing else is owed, and the order counts as complied with on the day of the final
/// plan or of a decision not to issue one (not when the family withdrew or the case moved
/// away). Audited as the dispute's compliance, over the version read, so a step on the dispute
/// at the same moment makes one of the two a stale CONFLICT.
pub async fn settle_ordered_assessment(
    ctx: &Ctx<'_>,
    txn: &DatabaseTransaction,
    assessment_id: i64,
) -> ApiResult<()> {
    let Some(assessment) = assessment::Entity::find_by_id(assessment_id)
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let Some(closed_on) = assessment.closed_on else {
        return Ok(());
    };
    let Some(row) = dispute::Entity::find()
        .filter(dispute::Column::OrderedAssessmentId.eq(assessment.id))
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    if row.closed_on.is_some() {
        return Ok(());
    }
    let complied_on = assessment
        .final_issued_on
        .or(assessment.decided_not_to_issue_on)
        .or(row.complied_on);
    let by = json!({"by": "assessment", "assessmentId": assessment.id});
    settle(
        ctx,
        txn,
        DisputeRecord { row },
        complied_on,
        (closed_on, false),
        by,
    )
    .await
}

/// After an ordered amendment's amended plan was issued on `on` (in its transaction): the
/// order on the plan is complied with that day.
pub async fn settle_ordered_amendment(
    ctx: &Ctx<'_>,
    txn: &DatabaseTransaction,
    dispute_id: i64,
    amendment_id: i64,
    on: NaiveDate,
) -> ApiResult<()> {
    let Some(row) = dispute::Entity::find_by_id(dispute_id).one(txn).await? else {
        return Ok(());
    };
    if row.closed_on.is_some() || row.complied_on.is_some() {
        return Ok(());
    }
    let by = json!({"by": "amendment", "amendmentId": amendment_id});
    settle(ctx, txn, DisputeRecord { row }, Some(on), (on, false), by).await
}

/// The plan moved to another council with a directed amendment still open (in the
/// transfer's transaction): this council can no longer comply, so the dispute closes
/// uncomplied on the day of the move; the new council carries the plan on.
pub async fn close_with_plan_transfer(
    ctx: &Ctx<'_>,
    txn: &DatabaseTransaction,
    dispute_id: i64,
    on: NaiveDate,
) -> ApiResult<()> {
    let Some(row) = dispute::Entity::find_by_id(dispute_id).one(txn).await? else {
        return Ok(());
    };
    if row.closed_on.is_some() {
        return Ok(());
    }
    let complied_on = row.complied_on;
    let by = json!({"by": "plan transfer"});
    settle(ctx, txn, DisputeRecord { row }, complied_on, (on, true), by).await
}

/// Records the order as complied with on `complied_on` (closing the dispute on `closed_on`
/// when nothing else is owed, or whatever is owed when `force`), over the version read, with
/// its audit event: a compliance, or a closing when nothing was complied with.
async fn settle(
    ctx: &Ctx<'_>,
    txn: &DatabaseTransaction,
    record: DisputeRecord,
    complied_on: Option<NaiveDate>,
    (closed_on, force): (NaiveDate, bool),
    mut summary: serde_json::Value,
) -> ApiResult<()> {
    let facts = crate::domain::dispute::DisputeFacts {
        complied_on,
        ..record.facts()?
    };
    let closes = force || facts.duties_done(true);
    let action = if complied_on.is_some() && complied_on != record.row.complied_on {
        AuditAction::RecordCompliance
    } else {
        AuditAction::Close
    };
    if complied_on == record.row.complied_on && !closes {
        return Ok(());
    }
    let mut update = dispute::ActiveModel {
        complied_on: Set(complied_on),
        version: Set(record.row.version + 1),
        updated_at: Set(ctx.now),
        ..Default::default()
    };
    if closes {
        update.state = Set(DisputeState::Closed.as_str().to_owned());
        update.closed_on = Set(Some(closed_on));
    }
    let updated = dispute::Entity::update_many()
        .set(update)
        .filter(dispute::Column::Id.eq(record.row.id))
        .filter(dispute::Column::Version.eq(record.row.version))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::stale("dispute"));
    }
    if let Some(map) = summary.as_object_mut() {
        map.insert("compliedOn".into(), json!(complied_on));
        map.insert("closedOn".into(), json!(closes.then_some(closed_on)));
        map.insert("version".into(), json!(record.row.version + 1));
    }
    crate::store::audit::record(
        txn,
        ctx.actor,
        ctx.now,
        crate::store::audit::AuditEntry {
            la_id: Some(record.row.la_id),
            child_id: Some(record.row.child_id),
            entity: "dispute",
            entity_id: record.row.id,
            action,
            summary,
        },
    )
    .await?;
    sync_deadlines(txn, record.row.id).await
}
