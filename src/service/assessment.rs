//! EHC needs assessments: each action checks permission, the state machine, the date and the
//! version the caller saw, then writes the change and its audit event in one transaction.
use crate::domain::audit::AuditAction;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, Set, TransactionTrait,
};
use serde_json::json;

use super::advice::{AdviceAnswer, NewAdviceRequest, advice_answer_change, write_advice_answer};
use super::{Ctx, Target, action};
use crate::domain::access::{Permission, Role};
use crate::domain::assessment::{
    AssessmentAction, AssessmentKind, AssessmentState, check_final_issue_allowed,
    sen2_twenty_week_measure, tracked_deadlines, transition, validate_action_date,
};
use crate::domain::backlog::Process;
use crate::domain::input::{
    FamilyResponse, appeal_rights, not_before, optional_text, required_text,
};
use crate::domain::people::{parse_name, parse_optional_name};
use crate::domain::plan::{PlanStatus, VersionSource};
use crate::domain::timescales::ExceptionReason;
use crate::error::{ApiError, ApiResult};
use crate::store::backlog::{self, Placement};
use crate::store::entity::{
    advice_request, assessment, assessment_exception, child, ehc_plan, exception_reason,
    setting_consultation, staff,
};
use crate::store::page::{Page, PageRequest};
use crate::store::plan_versions::{self, NewVersion};
use crate::store::scope::visible_children;

pub use crate::domain::assessment::RequestedBy;

/// A setting's answer when consulted on being named in the plan (CFA 2014 s.39).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingResponse {
    Agreed,
    Declined,
}

impl SettingResponse {
    pub fn as_str(self) -> &'static str {
        match self {
            SettingResponse::Agreed => "AGREED",
            SettingResponse::Declined => "DECLINED",
        }
    }
}

use crate::store::assessments as records;
pub use crate::store::assessments::{AssessmentFilter, AssessmentRecord, load_many, reason_of};

/// Loads an assessment the actor may see, or NOT_FOUND.
pub async fn load(ctx: &Ctx<'_>, id: i64) -> ApiResult<AssessmentRecord> {
    records::load(ctx.db, &ctx.actor.scope, id).await
}

pub async fn list(
    ctx: &Ctx<'_>,
    filter: AssessmentFilter,
    page: PageRequest,
) -> ApiResult<Page<AssessmentRecord>> {
    records::list(ctx.db, &ctx.actor.scope, filter, page).await
}

/// Loads an assessment whatever the actor's scope: only for callers that have checked the
/// actor's right to the part they act on (a professional answering a request to them).
pub(super) async fn load_unscoped(ctx: &Ctx<'_>, id: i64) -> ApiResult<AssessmentRecord> {
    records::load_unscoped(ctx.db, id).await
}

/// The assessments of these children that the actor may see, each child's newest first.
pub async fn of_children(ctx: &Ctx<'_>, child_ids: &[i64]) -> ApiResult<Vec<AssessmentRecord>> {
    records::of_children(ctx.db, &ctx.actor.scope, child_ids).await
}

pub async fn exception_reasons(ctx: &Ctx<'_>) -> ApiResult<Vec<ExceptionReason>> {
    records::exception_reasons(ctx.db).await
}

/// The decision on this assessment the family may appeal against, and its date: a refusal
/// to assess (reg 5(3)), a refusal to issue a plan (reg 10(1)), or the final plan (reg 14).
pub fn appealable_decision(row: &assessment::Model) -> Option<(&'static str, NaiveDate)> {
    if let Some(on) = row.decided_not_to_assess_on {
        Some(("not to carry out an EHC needs assessment", on))
    } else if let Some(on) = row.decided_not_to_issue_on {
        Some(("not to issue an EHC plan", on))
    } else {
        row.final_issued_on.map(|on| {
            (
                "on what the final EHC plan says and the school or college it names",
                on,
            )
        })
    }
}

// ---------- starting an assessment ----------

pub struct NewAssessment {
    pub child_id: i64,
    pub kind: AssessmentKind,
    pub requested_by: RequestedBy,
    /// The day the request arrived (or the LA became responsible); for a re-assessment,
    /// the decision to re-assess.
    pub received_on: Option<NaiveDate>,
    pub caseworker_id: Option<i64>,
    /// Made while the child or young person was in relevant youth accommodation (SEN2 RYA).
    pub relevant_youth_accommodation: bool,
}

pub async fn request(ctx: &Ctx<'_>, input: NewAssessment) -> ApiResult<AssessmentRecord> {
    ctx.require(Permission::ManageCasework)?;
    let today = ctx.today();
    let received_on = input.received_on.unwrap_or(today);
    if received_on > today {
        return Err(ApiError::validation(
            "receivedOn",
            "must not be in the future",
        ));
    }
    let child = child::Entity::find_by_id(input.child_id)
        .filter(visible_children(
            &ctx.actor.scope,
            child::Column::LaId,
            child::Column::Id,
        ))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::validation("childId", "unknown child"))?;
    if let Some(caseworker_id) = input.caseworker_id {
        staff::Entity::find_by_id(caseworker_id)
            .filter(staff::Column::LaId.eq(child.la_id))
            .filter(staff::Column::Active.eq(true))
            .one(ctx.db)
            .await?
            .ok_or_else(|| ApiError::validation("caseworkerId", "unknown caseworker"))?;
    }
    // A caseworker's own request is theirs; a manager's waits for allocation.
    let own = ctx
        .actor
        .staff_id
        .filter(|_| ctx.actor.role == Role::Caseworker);
    let caseworker_id = input.caseworker_id.or(own);
    // A child with a plan is re-assessed (reg 27); without one, assessed for the first time.
    let has_plan = ehc_plan::Entity::find()
        .filter(ehc_plan::Column::ChildId.eq(child.id))
        .filter(ehc_plan::Column::Status.eq("ACTIVE"))
        .one(ctx.db)
        .await?
        .is_some();
    match (input.kind, has_plan) {
        (kind, _) if kind.is_ordered() => {
            return Err(ApiError::validation(
                "kind",
                "an ordered assessment is opened by recording the dispute's order, agreement or \
                 concession (recordTribunalOutcome or recordMediationAgreement)",
            ));
        }
        (AssessmentKind::Reassessment, false) => {
            return Err(ApiError::validation(
                "kind",
                "a re-assessment needs an active EHC plan; request an initial assessment",
            ));
        }
        (AssessmentKind::Initial, true) => {
            return Err(ApiError::validation(
                "kind",
                "this child already has an active EHC plan; request a re-assessment",
            ));
        }
        _ => {}
    }
    let open = assessment::Entity::find()
        .filter(assessment::Column::ChildId.eq(child.id))
        .filter(assessment::Column::ClosedOn.is_null())
        .one(ctx.db)
        .await?;
    if let Some(open) = open {
        return Err(ApiError::conflict(format!(
            "this child already has an open assessment (id {}): continue that one",
            open.id
        )));
    }
    // A re-assessment's clock starts at the decision to re-assess (reg 27(2)).
    let (state, decided_on) = match input.kind {
        AssessmentKind::Initial => (AssessmentState::Requested, None),
        AssessmentKind::Reassessment => (AssessmentState::Assessing, Some(received_on)),
        AssessmentKind::Ordered | AssessmentKind::OrderedPlan => {
            return Err(ApiError::validation("kind", "refused above"));
        }
    };
    let now = ctx.now;
    let txn = ctx.db.begin().await?;
    let row = assessment::ActiveModel {
        id: NotSet,
        la_id: Set(child.la_id),
        child_id: Set(child.id),
        kind: Set(input.kind.as_str().to_owned()),
        state: Set(state.as_str().to_owned()),
        requested_by: Set(input.requested_by.as_str().to_owned()),
        relevant_youth_accommodation: Set(input.relevant_youth_accommodation),
        received_on: Set(received_on),
        caseworker_id: Set(caseworker_id),
        decided_to_assess_on: Set(decided_on),
        parent_meeting_requested: Set(false),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let row = action::create::<AssessmentRecord>(
        ctx,
        &txn,
        row,
        "this child already has an open assessment: continue that one",
        (
            AuditAction::Request,
            json!({"kind": input.kind.as_str(), "requestedBy": input.requested_by.as_str(), "receivedOn": received_on, "caseworkerId": caseworker_id}),
        ),
    )
    .await?;
    sync_deadlines(&txn, row.id).await?;
    txn.commit().await?;
    load(ctx, row.id).await
}

/// Rewrites the assessment's rows in the backlog's deadline table from its facts, inside the
/// transaction that changed them, so the managers' counts never disagree with the case.
pub async fn sync_deadlines<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<()> {
    let row = assessment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("assessment"))?;
    let record = records::load_parts(db, row).await?;
    let locality_id = child::Entity::find_by_id(record.row.child_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("child"))?
        .locality_id;
    let team_id = match record.row.caseworker_id {
        Some(staff_id) => staff::Entity::find_by_id(staff_id)
            .one(db)
            .await?
            .and_then(|s| s.team_id),
        None => None,
    };
    let place = Placement {
        source_id: id,
        la_id: record.row.la_id,
        child_id: record.row.child_id,
        locality_id,
        team_id,
        caseworker_id: record.row.caseworker_id,
    };
    let rows = tracked_deadlines(&record.facts()?)
        .iter()
        .filter_map(|t| {
            let service = t.advice_request_id.and_then(|advice_id| {
                record
                    .advice
                    .iter()
                    .find(|a| a.id == advice_id)
                    .map(|a| a.service.clone())
            });
            backlog::row(&place, t, service)
        })
        .collect();
    backlog::replace(db, record.row.la_id, Process::NeedsAssessment, id, rows).await?;
    Ok(())
}

/// A step that closes the assessment, with its audit event and, for an ordered assessment,
/// the dispute's compliance, in one transaction.
async fn finish_closing(
    ctx: &Ctx<'_>,
    step: Step,
    summary: serde_json::Value,
) -> ApiResult<AssessmentRecord> {
    let id = step.record.row.id;
    let key = <AssessmentRecord as action::Tracked>::key(&step.record);
    let txn = ctx.db.begin().await?;
    action::finish(ctx, &txn, step, summary).await?;
    super::disputes::settle_ordered_assessment(ctx, &txn, id).await?;
    action::commit::<AssessmentRecord>(txn, key).await?;
    load(ctx, id).await
}

// ---------- the common path of every action ----------

/// An assessment action under way (see [`action`]).
pub(super) type Step = action::Step<AssessmentRecord>;

action::tracked_record!(AssessmentRecord, assessment, "assessment", "assessment",
    AssessmentAction,
    date: |r: &AssessmentRecord, ctx: &Ctx<'_>, on: Option<NaiveDate>| {
        let on = on.unwrap_or_else(|| ctx.today());
        validate_action_date(on, r.row.received_on, ctx.today())
            .map_err(|e| ApiError::validation("on", e.to_string()))?;
        Ok(on)
    },
    sync: sync_record_deadlines, reload: load, staged);

async fn sync_record_deadlines(txn: &DatabaseTransaction, key: action::Key) -> ApiResult<()> {
    sync_deadlines(txn, key.id).await
}

/// Checks permission, visibility, version, the state machine and the date.
async fn begin(ctx: &Ctx<'_>, target: Target, action: AssessmentAction) -> ApiResult<Step> {
    let Target { id, version, on } = target;
    ctx.require(Permission::ManageCasework)?;
    let record = load(ctx, id).await?;
    if !ctx.actor.may_act_in(record.row.la_id) {
        return Err(ApiError::forbidden(
            "you may only act on your own local authority's cases",
        ));
    }
    prepare(ctx, record, version, action, on)
}

/// Checks the state machine, the version the caller saw and the date, for a record the
/// caller has already been allowed to act on.
pub(super) fn prepare(
    ctx: &Ctx<'_>,
    record: AssessmentRecord,
    version: i32,
    action: AssessmentAction,
    on: Option<NaiveDate>,
) -> ApiResult<Step> {
    let state = record.state()?;
    let next = transition(record.kind()?, state, action)
        .map_err(|e| ApiError::not_allowed(e.to_string(), e.allowed.iter().map(|a| a.as_str())))?;
    let mut step = Step::begin(ctx, record, version, action, on)?;
    step.move_to(state.as_str(), next.as_str(), next.is_closed());
    Ok(step)
}

/// Writes the row (only over the version the caller saw), the audit event and the backlog's
/// rows for the assessment; the caller commits.
pub(super) async fn finish(
    ctx: &Ctx<'_>,
    txn: &DatabaseTransaction,
    step: Step,
    summary: serde_json::Value,
) -> ApiResult<i64> {
    let id = action::finish(ctx, txn, step, summary).await?;
    sync_deadlines(txn, id).await?;
    Ok(id)
}

// ---------- decisions ----------

pub async fn decide_to_assess(
    ctx: &Ctx<'_>,
    target: Target,
    reasons: Option<&str>,
) -> ApiResult<AssessmentRecord> {
    let mut step = begin(ctx, target, AssessmentAction::DecideToAssess).await?;
    step.row.decided_to_assess_on = Set(Some(step.on));
    step.row.decision_reasons = Set(optional_text("reasons", reasons)?);
    action::finish_alone(ctx, step, json!({})).await
}

pub async fn decide_not_to_assess(
    ctx: &Ctx<'_>,
    target: Target,
    reasons: &str,
    appeal_rights_given: bool,
) -> ApiResult<AssessmentRecord> {
    let mut step = begin(ctx, target, AssessmentAction::DecideNotToAssess).await?;
    appeal_rights(appeal_rights_given)?;
    step.row.decided_not_to_assess_on = Set(Some(step.on));
    step.row.decision_reasons = Set(Some(required_text("reasons", reasons)?));
    action::finish_alone(ctx, step, json!({"appealRightsGiven": true})).await
}

pub async fn decide_not_to_issue(
    ctx: &Ctx<'_>,
    target: Target,
    reasons: &str,
    appeal_rights_given: bool,
) -> ApiResult<AssessmentRecord> {
    let mut step = begin(ctx, target, AssessmentAction::DecideNotToIssue).await?;
    appeal_rights(appeal_rights_given)?;
    not_before(
        step.on,
        step.record.row.decided_to_assess_on,
        "the decision to assess",
    )?;
    step.row.decided_not_to_issue_on = Set(Some(step.on));
    step.row.decision_reasons = Set(Some(required_text("reasons", reasons)?));
    finish_closing(ctx, step, json!({"appealRightsGiven": true})).await
}

// ---------- advice ----------

pub async fn request_advice(
    ctx: &Ctx<'_>,
    target: Target,
    input: NewAdviceRequest,
) -> ApiResult<AssessmentRecord> {
    let step = begin(ctx, target, AssessmentAction::RequestAdvice).await?;
    not_before(
        step.on,
        step.record.row.decided_to_assess_on,
        "the decision to assess",
    )?;
    let on = step.on;
    let record = &step.record.row;
    // Reg 8(1): six weeks from the request.
    let mut row = input
        .row(
            ctx,
            (record.la_id, record.child_id),
            on,
            crate::domain::timescales::DeadlineKind::AdviceResponse.due_from(on),
        )
        .await?;
    row.assessment_id = Set(Some(target.id));
    let txn = ctx.db.begin().await?;
    let advice = row.insert(&txn).await?;
    finish(
        ctx,
        &txn,
        step,
        json!({"adviceRequestId": advice.id, "service": input.service.as_str(), "professionalId": input.professional_id}),
    )
    .await?;
    txn.commit().await?;
    load(ctx, target.id).await
}

/// The advice request, which must belong to the assessment and still be open.
fn open_advice(record: &AssessmentRecord, advice_id: i64) -> ApiResult<advice_request::Model> {
    let advice = record
        .advice
        .iter()
        .find(|a| a.id == advice_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::validation(
                "adviceRequestId",
                "not an advice request of this assessment",
            )
        })?;
    if advice.received_on.is_some() || advice.declined_on.is_some() {
        return Err(ApiError::conflict(
            "this advice request has already been answered",
        ));
    }
    Ok(advice)
}

pub async fn record_advice_received(
    ctx: &Ctx<'_>,
    target: Target,
    advice_id: i64,
    summary: &str,
    document_ref: Option<&str>,
) -> ApiResult<AssessmentRecord> {
    let step = begin(ctx, target, AssessmentAction::RecordAdvice).await?;
    apply_advice_answer(
        ctx,
        step,
        advice_id,
        AdviceAnswer::Received {
            summary,
            document_ref,
        },
        None,
    )
    .await
}

pub async fn decline_advice(
    ctx: &Ctx<'_>,
    target: Target,
    advice_id: i64,
    reason: &str,
) -> ApiResult<AssessmentRecord> {
    let step = begin(ctx, target, AssessmentAction::RecordAdvice).await?;
    apply_advice_answer(
        ctx,
        step,
        advice_id,
        AdviceAnswer::Declined { reason },
        None,
    )
    .await
}

/// Records the answer to an open advice request, with the assessment's new version and its
/// audit event, in one transaction. Whoever records it (caseworker, professional) has been
/// checked by the caller.
pub(super) async fn apply_advice_answer(
    ctx: &Ctx<'_>,
    step: Step,
    advice_id: i64,
    answer: AdviceAnswer<'_>,
    answered_by: Option<i64>,
) -> ApiResult<AssessmentRecord> {
    let id = step.record.row.id;
    let advice = open_advice(&step.record, advice_id)?;
    let (change, summary) = advice_answer_change(&advice, step.on, answer, answered_by)?;
    let txn = ctx.db.begin().await?;
    write_advice_answer(&txn, advice_id, change).await?;
    finish(ctx, &txn, step, summary).await?;
    txn.commit().await?;
    // The caller has checked the actor may act here; a professional may not read the rest.
    load_unscoped(ctx, id).await
}

// ---------- exceptions ----------

pub struct NewException {
    pub reason_code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub note: Option<String>,
    pub advice_request_id: Option<i64>,
}

pub async fn record_exception(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    input: NewException,
) -> ApiResult<AssessmentRecord> {
    let step = begin(
        ctx,
        Target::new(id, version, None),
        AssessmentAction::RecordException,
    )
    .await?;
    let reason = exception_reason::Entity::find_by_id(input.reason_code.clone())
        .filter(exception_reason::Column::Active.eq(true))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::validation("reasonCode", "unknown exception reason"))?;
    let asked_on = match input.advice_request_id {
        Some(advice_id) => Some(
            step.record
                .advice
                .iter()
                .find(|a| a.id == advice_id)
                .map(|a| a.requested_on)
                .ok_or_else(|| {
                    ApiError::validation(
                        "adviceRequestId",
                        "not an advice request of this assessment",
                    )
                })?,
        ),
        None => None,
    };
    if let Some(refused) = reason_of(reason.clone()).check(input.starts_on, input.ends_on, asked_on)
    {
        return Err(ApiError::validation(refused.field, refused.message));
    }
    let note = optional_text("note", input.note.as_deref())?;
    let txn = ctx.db.begin().await?;
    let row = assessment_exception::ActiveModel {
        id: NotSet,
        assessment_id: Set(id),
        reason_code: Set(reason.code.clone()),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        note: Set(note),
        advice_request_id: Set(input.advice_request_id),
        created_at: Set(ctx.now),
    }
    .insert(&txn)
    .await?;
    finish(
        ctx,
        &txn,
        step,
        json!({"exceptionId": row.id, "reasonCode": reason.code, "startsOn": input.starts_on, "endsOn": input.ends_on, "adviceRequestId": input.advice_request_id}),
    )
    .await?;
    txn.commit().await?;
    load(ctx, id).await
}

/// Admins add a reason (as the 2020 COVID-19 amendment did) without a code change.
pub async fn add_exception_reason(
    ctx: &Ctx<'_>,
    reason: ExceptionReason,
) -> ApiResult<ExceptionReason> {
    ctx.require(Permission::AdministerLocalAuthorities)?;
    let code = crate::domain::input::reason_code(&reason.code)?;
    if !(reason.lifts_decision || reason.lifts_advice || reason.lifts_plan) {
        return Err(ApiError::validation(
            "liftsPlan",
            "a reason must lift at least one time limit",
        ));
    }
    let row = exception_reason::ActiveModel {
        code: Set(code.clone()),
        label: Set(parse_name("label", &reason.label)?),
        regulation: Set(parse_name("regulation", &reason.regulation)?),
        lifts_decision: Set(reason.lifts_decision),
        lifts_advice: Set(reason.lifts_advice),
        lifts_plan: Set(reason.lifts_plan),
        active: Set(true),
        minimum_days: Set(match reason.minimum_days {
            Some(days) if !(1..=366).contains(&days) => {
                return Err(ApiError::validation(
                    "minimumDays",
                    "must be between 1 and 366 days",
                ));
            }
            days => days.map(|d| d as i32),
        }),
        concerns_advice_request: Set(reason.concerns_advice_request),
    };
    let saved = super::action::create_reference(
        ctx,
        row,
        "exception_reason",
        &code,
        "code: an exception reason with this code already exists",
    )
    .await?;
    Ok(reason_of(saved))
}

// ---------- draft, consultation, final plan ----------

pub async fn send_draft(ctx: &Ctx<'_>, target: Target) -> ApiResult<AssessmentRecord> {
    let mut step = begin(ctx, target, AssessmentAction::SendDraft).await?;
    not_before(
        step.on,
        step.record.row.decided_to_assess_on,
        "the decision to assess",
    )?;
    step.row.draft_sent_on = Set(Some(step.on));
    action::finish_alone(ctx, step, json!({})).await
}

pub async fn record_parent_response(
    ctx: &Ctx<'_>,
    target: Target,
    response: FamilyResponse,
) -> ApiResult<AssessmentRecord> {
    let step = begin(ctx, target, AssessmentAction::RecordParentResponse).await?;
    apply_parent_response(ctx, step, response).await
}

/// Records the family's response to the draft plan; the caller checked who is responding.
pub(super) async fn apply_parent_response(
    ctx: &Ctx<'_>,
    mut step: Step,
    response: FamilyResponse,
) -> ApiResult<AssessmentRecord> {
    not_before(
        step.on,
        step.record.row.draft_sent_on,
        "the draft plan was sent",
    )?;
    let summary = super::advice::take_family_response!(step, response);
    action::finish_alone(ctx, step, summary).await
}

pub async fn consult_setting(
    ctx: &Ctx<'_>,
    target: Target,
    setting_name: &str,
) -> ApiResult<AssessmentRecord> {
    let step = begin(ctx, target, AssessmentAction::ConsultSetting).await?;
    not_before(
        step.on,
        step.record.row.draft_sent_on,
        "the draft plan was sent",
    )?;
    let setting_name = parse_name("settingName", setting_name)?;
    let txn = ctx.db.begin().await?;
    let row = setting_consultation::ActiveModel {
        id: NotSet,
        assessment_id: Set(target.id),
        setting_name: Set(setting_name.clone()),
        consulted_on: Set(step.on),
        created_at: Set(ctx.now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    finish(
        ctx,
        &txn,
        step,
        json!({"consultationId": row.id, "setting": setting_name}),
    )
    .await?;
    txn.commit().await?;
    load(ctx, target.id).await
}

pub async fn record_setting_response(
    ctx: &Ctx<'_>,
    target: Target,
    consultation_id: i64,
    response: SettingResponse,
    note: Option<&str>,
) -> ApiResult<AssessmentRecord> {
    let step = begin(ctx, target, AssessmentAction::RecordSettingResponse).await?;
    let consultation = step
        .record
        .consultations
        .iter()
        .find(|c| c.id == consultation_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::validation("consultationId", "not a consultation of this assessment")
        })?;
    if consultation.responded_on.is_some() {
        return Err(ApiError::conflict("this setting has already answered"));
    }
    not_before(
        step.on,
        Some(consultation.consulted_on),
        "the setting was consulted",
    )?;
    let mut change: setting_consultation::ActiveModel = consultation.into();
    change.responded_on = Set(Some(step.on));
    change.response = Set(Some(response.as_str().to_owned()));
    change.note = Set(optional_text("note", note)?);
    let txn = ctx.db.begin().await?;
    change.update(&txn).await?;
    finish(
        ctx,
        &txn,
        step,
        json!({"consultationId": consultation_id, "response": response.as_str()}),
    )
    .await?;
    txn.commit().await?;
    load(ctx, target.id).await
}

pub async fn issue_final_plan(
    ctx: &Ctx<'_>,
    target: Target,
    named_setting: Option<&str>,
) -> ApiResult<AssessmentRecord> {
    let mut step = begin(ctx, target, AssessmentAction::IssueFinalPlan).await?;
    let mut facts = step.record.facts()?;
    check_final_issue_allowed(&facts, step.on)
        .map_err(|e| ApiError::validation("on", e.to_string()))?;
    let named_setting = parse_optional_name("namedSetting", named_setting)?;
    facts.final_issued_on = Some(step.on);
    // The SEN2 20-week measure is fixed when the plan is issued.
    let measure = sen2_twenty_week_measure(&facts);
    step.row.final_issued_on = Set(Some(step.on));
    step.row.named_setting = Set(named_setting.clone());
    step.row.within_twenty_weeks = Set(measure.as_ref().map(|m| m.within_twenty_weeks));
    step.row.exception_applies = Set(measure.as_ref().map(|m| m.exception_applies));
    let (la_id, child_id, on) = (step.record.row.la_id, step.record.row.child_id, step.on);
    let txn = ctx.db.begin().await?;
    let plan = ehc_plan::ActiveModel {
        id: NotSet,
        la_id: Set(la_id),
        child_id: Set(child_id),
        assessment_id: Set(Some(target.id)),
        status: Set(PlanStatus::Active.as_str().to_owned()),
        issued_on: Set(on),
        named_setting: Set(named_setting.clone()),
        version: Set(1),
        created_at: Set(ctx.now),
        updated_at: Set(ctx.now),
        entered_directly: Set(false),
        // CFA 2014 s.44(1): first reviewed within 12 months of being made.
        review_due_on: Set(Some(
            crate::domain::timescales::DeadlineKind::AnnualReview.due_from(on),
        )),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    plan_versions::insert(
        &txn,
        NewVersion {
            plan_id: plan.id,
            number: 1,
            issued_on: on,
            named_setting: named_setting.clone(),
            source: VersionSource::Issued,
            amendment_id: None,
        },
        ctx.now,
    )
    .await?;
    // A re-assessment (ordered or not) replaces the plan it re-assessed.
    if facts.kind == AssessmentKind::Reassessment || facts.kind.is_ordered() {
        ehc_plan::Entity::update_many()
            .col_expr(
                ehc_plan::Column::Status,
                sea_orm::sea_query::Expr::value("REPLACED"),
            )
            .filter(ehc_plan::Column::ChildId.eq(child_id))
            .filter(ehc_plan::Column::Status.eq("ACTIVE"))
            .filter(ehc_plan::Column::Id.ne(plan.id))
            .exec(&txn)
            .await?;
    }
    finish(
        ctx,
        &txn,
        step,
        json!({"planId": plan.id, "namedSetting": named_setting, "withinTwentyWeeks": measure.as_ref().map(|m| m.within_twenty_weeks), "exceptionApplies": measure.as_ref().map(|m| m.exception_applies)}),
    )
    .await?;
    super::disputes::settle_ordered_assessment(ctx, &txn, target.id).await?;
    // The new plan's review cycle, and the replaced plan's closing, reach the backlog.
    super::plan::sync_deadlines(&txn, child_id).await?;
    txn.commit().await?;
    load(ctx, target.id).await
}

// ---------- closing without a plan ----------

pub async fn withdraw(ctx: &Ctx<'_>, target: Target, reason: &str) -> ApiResult<AssessmentRecord> {
    let mut step = begin(ctx, target, AssessmentAction::Withdraw).await?;
    step.row.withdrawn_on = Set(Some(step.on));
    step.row.withdrawal_reason = Set(Some(required_text("reason", reason)?));
    finish_closing(ctx, step, json!({})).await
}

/// The family moved: the case goes to the new LA (reg 15 for plans; an assessment in
/// progress is handed over and the new LA decides how to continue).
pub async fn transfer_out(
    ctx: &Ctx<'_>,
    target: Target,
    to_local_authority: &str,
) -> ApiResult<AssessmentRecord> {
    let mut step = begin(ctx, target, AssessmentAction::TransferOut).await?;
    step.row.transferred_out_on = Set(Some(step.on));
    step.row.transferred_to = Set(Some(parse_name("toLocalAuthority", to_local_authority)?));
    finish_closing(ctx, step, json!({"to": to_local_authority})).await
}
