//! EHC needs assessments: the 20-week process, its deadlines with their regulations, the
//! advice log, exceptions, and the `timetable` planning query.
use async_graphql::{
    ComplexObject, Context, Description, Enum, ID, InputObject, Object, Result, SimpleObject,
};

use super::people::{AdviceService, Child, StaffMember, service_of};
use super::shared::{AppealWindow, Deadline, Milestone, Party};
use super::{Id, Kind, Listing, connection, ctx, loaders, page_request};
use crate::domain::assessment::{
    self as rules, AssessmentFacts, assessment_deadlines, draft_comments_until, next_step, timeline,
};
use crate::domain::timescales::{ExceptionReason as DomainReason, RecordedException};
use crate::error::{ApiError, ApiResult};
use crate::service::Ctx;
use crate::service::Target;
use crate::service::advice::has_statutory_deadline;
use crate::service::assessment::{self as svc, AssessmentFilter, AssessmentRecord};
use crate::service::records::{AdviceRequestRow, SettingConsultationRow};

use super::plan::EhcPlan;
use crate::api::graphql::Date;

/// Which process an assessment follows, which sets its time limits.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::assessment::AssessmentKind")]
pub enum AssessmentKind {
    /// A first EHC needs assessment: final plan within 20 weeks (reg 13(2)).
    Initial,
    /// Re-assessment of an existing plan: final plan within 14 weeks of the decision to
    /// re-assess (reg 27(2)).
    Reassessment,
    /// An assessment the council refused and was then directed to carry out (a Tribunal order,
    /// a mediation agreement or a concession): notify within 2 weeks, a decision not to issue
    /// within 10, the final plan within 14 weeks of the direction (reg 44(2)(b)). Opened by
    /// `recordTribunalOutcome or recordMediationAgreement`, never by `requestAssessment`.
    Ordered,
    /// A plan the council refused to issue and was then directed to make: the draft within 5
    /// weeks and the final plan within 11 weeks of the direction (reg 44(2)(c)). Opened by
    /// `recordTribunalOutcome or recordMediationAgreement`.
    OrderedPlan,
}

/// Where a needs assessment stands. REQUESTED, ASSESSING and DRAFT_ISSUED are open; the others are
/// closed.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::assessment::AssessmentState")]
pub enum AssessmentState {
    /// Requested: the council must decide whether to assess within 6 weeks (reg 5(1)).
    Requested,
    /// Closed: the council decided not to assess, which the family may appeal (reg 5(3)).
    DecidedNotToAssess,
    /// Being assessed: the council gathers advice (reg 6) and decides whether to issue a plan.
    Assessing,
    /// Closed: after assessing, the council decided not to issue a plan, which the family may
    /// appeal (reg 10(1)).
    DecidedNotToIssue,
    /// The draft plan has been sent: the family has 15 days to comment (reg 13(1)) before the final
    /// plan.
    DraftIssued,
    /// Closed: the final EHC plan was issued (see `plan`).
    FinalIssued,
    /// Closed: the request was withdrawn.
    Withdrawn,
    /// Closed: the family moved and the case went to another local authority.
    TransferredOut,
}

/// A step on a needs assessment: `allowedActions` lists those the current state allows, and each
/// names the mutation that takes it.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::assessment::AssessmentAction")]
pub enum AssessmentAction {
    /// Decide to carry out the assessment (`decideToAssess`, reg 5(1)).
    DecideToAssess,
    /// Decide not to assess, giving appeal rights (`decideNotToAssess`, reg 5(3)).
    DecideNotToAssess,
    /// Ask a service for advice (`requestAdvice`, reg 6).
    RequestAdvice,
    /// Record advice received or declined (`recordAdviceReceived`, `declineAdviceRequest`; a
    /// professional's `submitAdvice`, a family's `giveViews`).
    RecordAdvice,
    /// Record an exception to the time limits (`recordException`).
    RecordException,
    /// Decide not to issue a plan, giving appeal rights (`decideNotToIssue`, reg 10(1)).
    DecideNotToIssue,
    /// Send the draft plan to the family (`sendDraftPlan`, reg 13(1)).
    SendDraft,
    /// Record the family's response to the draft (`recordParentResponse`; a family's
    /// `commentOnDraftPlan`).
    RecordParentResponse,
    /// Consult a setting about being named in the plan (`consultSetting`, CFA 2014 s.39).
    ConsultSetting,
    /// Record a consulted setting's answer (`recordSettingResponse`).
    RecordSettingResponse,
    /// Issue the final EHC plan (`issueFinalPlan`, reg 13(2)).
    IssueFinalPlan,
    /// Close the case because the request was withdrawn (`withdrawAssessment`).
    Withdraw,
    /// Close the case because the family moved to another local authority
    /// (`transferAssessmentOut`).
    TransferOut,
}

/// Who asked for the needs assessment (CFA 2014 s.36(1)).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::service::assessment::RequestedBy")]
pub enum RequestedBy {
    /// The child's parent.
    Parent,
    /// The young person themself.
    YoungPerson,
    /// A school, college or early years setting, on the child's behalf.
    SchoolOrSetting,
    /// A health professional who brought the child to the council's attention (SEN2
    /// request source 3).
    HealthProfessional,
    /// A social care professional who brought the child to the council's attention (SEN2
    /// request source 4).
    SocialCareProfessional,
    /// Anyone else.
    Other,
}

/// A setting's answer when consulted on being named in the plan (CFA 2014 s.39).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::service::assessment::SettingResponse")]
pub enum SettingResponse {
    /// The setting agreed to be named.
    Agreed,
    /// The setting declined to be named.
    Declined,
}

/// What happens next, who does it, and by when.
#[derive(SimpleObject)]
pub struct NextStep {
    /// The action that takes the step (one of `allowedActions`); null when none does.
    action: Option<AssessmentAction>,
    /// The step in plain language, worded for who reads it: a parent or young person in the
    /// second person ("the council must tell you by..."), staff as what to do; it notes when an
    /// exception lifts the usual time limit.
    description: String,
    /// Who must act.
    party: Party,
    /// The statutory date, if there is one (an exception may lift it: see the description).
    due_on: Option<Date>,
    /// The regulation that sets the step, e.g. "SEND Regs 2014 reg 5(1)"; null when none does.
    regulation: Option<String>,
}

impl From<rules::NextStep> for NextStep {
    fn from(s: rules::NextStep) -> Self {
        NextStep {
            action: s.action.map(Into::into),
            description: s.description,
            party: s.party.into(),
            due_on: s.due_on.map(Date),
            regulation: s.regulation.map(str::to_owned),
        }
    }
}

/// A reason the statutory time limits may not apply (reg 5(4), 8(2), 10(4), 13(3), 27(3)).
#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "ExceptionReasonInput")]
pub struct ExceptionReason {
    /// The reason's code, e.g. SCHOOL_CLOSED: 1 to 40 characters of A-Z, 0-9 and _ (upper-cased
    /// when added).
    code: String,
    /// The reason in plain language.
    label: String,
    /// The regulations that allow it, e.g. "SEND Regs 2014 reg 8(2)(c)".
    regulation: String,
    /// Lifts the 6-week decision whether to assess.
    lifts_decision: bool,
    /// Lifts the 6-week limit for advice.
    lifts_advice: bool,
    /// Lifts the 16- and 20-week limits (and the 14-week re-assessment limit).
    lifts_plan: bool,
    /// The shortest continuous period that counts, in days (a closure or an absence of at
    /// least 4 weeks: 28); a shorter one is not an exception.
    #[graphql(default)]
    minimum_days: Option<i32>,
    /// A school or setting closure: it must name the advice request asked of the closed
    /// school or setting, made from one week before the closure until one week before it
    /// re-opened.
    #[graphql(default)]
    concerns_advice_request: bool,
}

impl From<DomainReason> for ExceptionReason {
    fn from(r: DomainReason) -> Self {
        ExceptionReason {
            code: r.code,
            label: r.label,
            regulation: r.regulation,
            lifts_decision: r.lifts_decision,
            lifts_advice: r.lifts_advice,
            lifts_plan: r.lifts_plan,
            minimum_days: r.minimum_days.map(|d| d as i32),
            concerns_advice_request: r.concerns_advice_request,
        }
    }
}

impl From<ExceptionReason> for DomainReason {
    fn from(r: ExceptionReason) -> Self {
        DomainReason {
            code: r.code,
            label: r.label,
            regulation: r.regulation,
            lifts_decision: r.lifts_decision,
            lifts_advice: r.lifts_advice,
            lifts_plan: r.lifts_plan,
            minimum_days: r.minimum_days.map(i64::from),
            concerns_advice_request: r.concerns_advice_request,
        }
    }
}

/// An exception recorded on an assessment.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct RecordedAssessmentException {
    #[graphql(skip)]
    row_id: i64,
    /// The reason, and the time limits it lifts.
    reason: ExceptionReason,
    /// The first day of the period.
    starts_on: Date,
    /// The last day of the period (inclusive).
    ends_on: Date,
    /// The caseworker's note; null when none.
    note: Option<String>,
    /// Set when the exception applies to one advice request only.
    advice_request_id: Option<ID>,
}

impl RecordedAssessmentException {
    pub(super) fn of(
        e: &crate::store::entity::assessment_exception::Model,
        reason: &crate::domain::timescales::ExceptionReason,
    ) -> Self {
        RecordedAssessmentException {
            row_id: e.id,
            reason: reason.clone().into(),
            starts_on: Date(e.starts_on),
            ends_on: Date(e.ends_on),
            note: e.note.clone(),
            advice_request_id: e
                .advice_request_id
                .map(|id| Id::of(Kind::AdviceRequest, id)),
        }
    }
}

#[ComplexObject]
impl RecordedAssessmentException {
    /// The exception's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::AssessmentException, self.row_id)
    }
}

/// A request for advice or information, for a needs assessment (SEND Regs 2014 reg 6) or a
/// review of a plan (reg 20), and its answer.
#[derive(Description)]
pub struct AdviceRequest(pub AdviceRequestRow);

#[Object(use_type_description)]
impl AdviceRequest {
    /// The advice request's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::AdviceRequest, self.0.id)
    }
    /// The service asked.
    async fn service(&self) -> Result<AdviceService> {
        Ok(service_of(&self.0.service)?)
    }
    /// The named professional or team asked.
    async fn addressed_to(&self) -> Option<&str> {
        self.0.addressed_to.as_deref()
    }
    /// The global id of the professional asked by name or, for a request to a service, of the one
    /// who answered; null otherwise.
    async fn professional_id(&self) -> Option<ID> {
        self.0
            .professional_id
            .map(|id| Id::of(Kind::Professional, id))
    }
    /// The day the advice was asked for.
    async fn requested_on(&self) -> Date {
        Date(self.0.requested_on)
    }
    /// When the advice is due: for an assessment, six weeks after the request (reg 8(1)); for a
    /// review, two weeks before the meeting, when advice is circulated (reg 20(4)). None for the
    /// family's own views.
    async fn due_on(&self) -> Option<Date> {
        has_statutory_deadline(&self.0.service).then_some(Date(self.0.due_on))
    }
    /// The day the advice arrived; null until then.
    async fn received_on(&self) -> Option<Date> {
        self.0.received_on.map(Date)
    }
    /// Received after the due date.
    async fn late(&self) -> bool {
        has_statutory_deadline(&self.0.service)
            && self.0.received_on.is_some_and(|r| r > self.0.due_on)
    }
    /// What the advice says, in brief, as recorded when it arrived; null until then.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }
    /// A URL or file name of the advice document.
    async fn document_ref(&self) -> Option<&str> {
        self.0.document_ref.as_deref()
    }
    /// The day the service declined to advise (e.g. advice already given is enough, reg 6(4)); null
    /// unless it did.
    async fn declined_on(&self) -> Option<Date> {
        self.0.declined_on.map(Date)
    }
    /// Why it declined; null unless it did.
    async fn decline_reason(&self) -> Option<&str> {
        self.0.decline_reason.as_deref()
    }
}

/// A setting consulted on being named in the plan (CFA 2014 s.39).
#[derive(Description)]
pub struct SettingConsultation(pub SettingConsultationRow);

#[Object(use_type_description)]
impl SettingConsultation {
    /// The consultation's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::SettingConsultation, self.0.id)
    }
    /// The school, college or setting consulted.
    async fn setting_name(&self) -> &str {
        &self.0.setting_name
    }
    /// The day it was consulted.
    async fn consulted_on(&self) -> Date {
        Date(self.0.consulted_on)
    }
    /// Local practice: 15 days for the setting's reply. Not statutory.
    async fn reply_expected_by(&self) -> Date {
        Date(crate::domain::calendar::add_days(self.0.consulted_on, 15))
    }
    /// The day it answered; null until then.
    async fn responded_on(&self) -> Option<Date> {
        self.0.responded_on.map(Date)
    }
    /// Its answer; null until it answers.
    async fn response(&self) -> Option<SettingResponse> {
        match self.0.response.as_deref() {
            Some("AGREED") => Some(SettingResponse::Agreed),
            Some("DECLINED") => Some(SettingResponse::Declined),
            _ => None,
        }
    }
    /// A note recorded with the answer; null when none.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// An EHC needs assessment and where it stands.
#[derive(Description)]
pub struct Assessment(pub AssessmentRecord);

impl Assessment {
    fn facts(&self) -> Result<AssessmentFacts> {
        Ok(self.0.facts()?)
    }
}

#[Object(use_type_description)]
impl Assessment {
    /// The assessment's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Assessment, self.0.row.id)
    }
    /// Reasons recorded for late steps (they never lift a time limit).
    async fn delays(&self, gql: &Context<'_>) -> Result<Vec<super::delays::StepDelay>> {
        loaders::delays_of(
            gql,
            crate::domain::backlog::Source::Assessment,
            self.0.row.id,
        )
        .await
    }
    /// The child or young person assessed.
    async fn child(&self, gql: &Context<'_>) -> Result<Child> {
        let child = loaders::load(gql, loaders::ChildId(self.0.row.child_id)).await?;
        Ok(Child(child.ok_or_else(|| ApiError::not_found("child"))?))
    }
    /// An initial assessment or a re-assessment, which sets the time limits.
    async fn kind(&self) -> Result<AssessmentKind> {
        Ok(self.0.kind()?.into())
    }
    /// Where the assessment stands.
    async fn state(&self) -> Result<AssessmentState> {
        Ok(self.0.state()?.into())
    }
    /// Who asked for the assessment; null when the record does not say.
    async fn requested_by(&self) -> Option<RequestedBy> {
        svc::RequestedBy::parse(&self.0.row.requested_by).map(Into::into)
    }
    /// Requested while the child or young person was detained in relevant youth
    /// accommodation (the SEN2 return's RYA).
    async fn relevant_youth_accommodation(&self) -> bool {
        self.0.row.relevant_youth_accommodation
    }
    /// The day the request arrived (the clock start); for a re-assessment, the decision
    /// to re-assess.
    async fn received_on(&self) -> Date {
        Date(self.0.row.received_on)
    }
    /// The caseworker it is assigned to; null while unassigned.
    async fn caseworker(&self, gql: &Context<'_>) -> Result<Option<StaffMember>> {
        match self.0.row.caseworker_id {
            Some(id) => Ok(loaders::load(gql, loaders::StaffId(id))
                .await?
                .map(StaffMember)),
            None => Ok(None),
        }
    }
    /// Send it back with the next action: a change made since makes the action a CONFLICT.
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// The day the council decided to assess (reg 5(1)); for a re-assessment, the decision to
    /// re-assess (`receivedOn`). Null until then.
    async fn decided_to_assess_on(&self) -> Option<Date> {
        self.0.row.decided_to_assess_on.map(Date)
    }
    /// The day the council decided not to assess (reg 5(3)); null unless it did.
    async fn decided_not_to_assess_on(&self) -> Option<Date> {
        self.0.row.decided_not_to_assess_on.map(Date)
    }
    /// The reasons given with the council's latest decision (required when it refuses); null when
    /// none were given.
    async fn decision_reasons(&self) -> Option<&str> {
        self.0.row.decision_reasons.as_deref()
    }
    /// The day the council decided not to issue a plan (reg 10(1)); null unless it did.
    async fn decided_not_to_issue_on(&self) -> Option<Date> {
        self.0.row.decided_not_to_issue_on.map(Date)
    }
    /// The day the draft plan was sent to the family (reg 13(1)); null until then.
    async fn draft_sent_on(&self) -> Option<Date> {
        self.0.row.draft_sent_on.map(Date)
    }
    /// The last day of the parent's 15 days to comment on the draft (reg 13(1)).
    async fn parent_comments_until(&self) -> Option<Date> {
        self.0.row.draft_sent_on.map(draft_comments_until).map(Date)
    }
    /// The day the family first responded to the draft plan; null until then.
    async fn parent_responded_on(&self) -> Option<Date> {
        self.0.row.parent_responded_on.map(Date)
    }
    /// The family's comments on the draft plan; null when none.
    async fn parent_comments(&self) -> Option<&str> {
        self.0.row.parent_comments.as_deref()
    }
    /// Whether the family asked to meet the council about the draft plan (reg 13(1)(b)).
    async fn parent_meeting_requested(&self) -> bool {
        self.0.row.parent_meeting_requested
    }
    /// The school or college the family asked to be named in the plan (CFA 2014 s.38(2)(b)); null
    /// when none.
    async fn parent_requested_setting(&self) -> Option<&str> {
        self.0.row.parent_requested_setting.as_deref()
    }
    /// The day the final EHC plan was issued (reg 13(2)); null until then.
    async fn final_issued_on(&self) -> Option<Date> {
        self.0.row.final_issued_on.map(Date)
    }
    /// The school, college or setting the final plan names; null when none.
    async fn named_setting(&self) -> Option<&str> {
        self.0.row.named_setting.as_deref()
    }
    /// SEN2: the final plan was issued within 20 weeks of the request.
    async fn within_twenty_weeks(&self) -> Option<bool> {
        self.0.row.within_twenty_weeks
    }
    /// SEN2: an exception to the 20-week limit applied.
    async fn exception_applies(&self) -> Option<bool> {
        self.0.row.exception_applies
    }
    /// The day the request was withdrawn; null unless it was.
    async fn withdrawn_on(&self) -> Option<Date> {
        self.0.row.withdrawn_on.map(Date)
    }
    /// Why it was withdrawn; null unless it was.
    async fn withdrawal_reason(&self) -> Option<&str> {
        self.0.row.withdrawal_reason.as_deref()
    }
    /// The day the case moved to another local authority; null unless it did.
    async fn transferred_out_on(&self) -> Option<Date> {
        self.0.row.transferred_out_on.map(Date)
    }
    /// The local authority it moved to, as typed; null unless it moved.
    async fn transferred_to(&self) -> Option<&str> {
        self.0.row.transferred_to.as_deref()
    }
    /// The day the assessment closed (refused, not issued, issued, withdrawn or transferred); null
    /// while open.
    async fn closed_on(&self) -> Option<Date> {
        self.0.row.closed_on.map(Date)
    }
    /// The actions the current state allows.
    async fn allowed_actions(&self) -> Result<Vec<AssessmentAction>> {
        Ok(rules::allowed_actions(self.0.kind()?, self.0.state()?)
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Every statutory deadline, as of today, with its regulation.
    async fn deadlines(&self, gql: &Context<'_>) -> Result<Vec<Deadline>> {
        let today = ctx(gql)?.today();
        Ok(assessment_deadlines(&self.facts()?, today)
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// What happens next, who does it and by when; null once closed.
    async fn next_step(&self, gql: &Context<'_>) -> Result<Option<NextStep>> {
        let ctx = ctx(gql)?;
        let (today, reader) = (ctx.today(), ctx.actor.reader());
        Ok(next_step(self.0.state()?, &self.facts()?, today, reader).map(Into::into))
    }
    /// For an ORDERED or ORDERED_PLAN assessment: the dispute whose order, mediation agreement
    /// or concession opened it (its global id, for `dispute(id:)`), and through it the refused
    /// request (the SEN2 return's "LA decision overturned").
    async fn ordered_by_dispute_id(&self) -> Option<ID> {
        self.0.order.as_ref().map(|d| Id::of(Kind::Dispute, d.id))
    }
    /// After a decision the family can appeal against: by when, and how mediation bears on it.
    async fn appeal(&self, gql: &Context<'_>) -> Result<Option<AppealWindow>> {
        let ctx = ctx(gql)?;
        Ok(AppealWindow::of(&self.0.row, Date(ctx.today())))
    }
    /// What has happened so far, oldest first, in plain language.
    async fn timeline(&self) -> Result<Vec<Milestone>> {
        Ok(timeline(&self.facts()?)
            .into_iter()
            .map(Milestone::from)
            .collect())
    }
    /// Who has been asked for advice, and whether it arrived.
    async fn advice_requests(&self) -> Vec<AdviceRequest> {
        self.0.advice.iter().cloned().map(AdviceRequest).collect()
    }
    /// Exceptions to the time limits recorded on this assessment.
    async fn exceptions(&self) -> Vec<RecordedAssessmentException> {
        self.0
            .exceptions
            .iter()
            .map(|(e, reason)| RecordedAssessmentException::of(e, reason))
            .collect()
    }
    /// Schools, colleges and settings consulted about being named in the plan (CFA 2014 s.39).
    async fn setting_consultations(&self) -> Vec<SettingConsultation> {
        self.0
            .consultations
            .iter()
            .cloned()
            .map(SettingConsultation)
            .collect()
    }
    /// The EHC plan this assessment issued.
    async fn plan(&self, gql: &Context<'_>) -> Result<Option<EhcPlan>> {
        Ok(loaders::load(gql, loaders::AssessmentPlan(self.0.row.id))
            .await?
            .map(EhcPlan))
    }
}

// ---------- the planning query ----------

/// An exception to assume in `timetable`.
#[derive(InputObject)]
pub struct TimetableException {
    /// An exception reason's code, from `exceptionReasons`.
    reason_code: String,
    /// The first day of the period.
    starts_on: Date,
    /// The last day of the period (inclusive), not before `startsOn`.
    ends_on: Date,
}

/// The deadlines that would apply to a process started on a given day.
#[derive(SimpleObject)]
pub struct Timetable {
    /// The kind of process.
    kind: AssessmentKind,
    /// The day its clock starts.
    starts_on: Date,
    /// Its deadlines in process order, each as seen on `startsOn` (so still to come).
    deadlines: Vec<Deadline>,
}

async fn timetable(
    ctx: &Ctx<'_>,
    kind: AssessmentKind,
    starts_on: Date,
    advice_requested_on: Option<Date>,
    draft_sent_on: Option<Date>,
    exceptions: Vec<TimetableException>,
) -> Result<Timetable, ApiError> {
    let known = svc::exception_reasons(ctx).await?;
    let mut facts = AssessmentFacts::new(kind.into(), starts_on.0);
    for (field, date) in [
        ("adviceRequestedOn", advice_requested_on),
        ("draftSentOn", draft_sent_on),
    ] {
        if date.is_some_and(|d| d < starts_on) {
            return Err(ApiError::validation(field, "must not be before startsOn"));
        }
    }
    if let Some(on) = advice_requested_on {
        facts.advice.push(rules::AdviceFacts {
            id: 1,
            from: "a professional".into(),
            requested_on: on.0,
            received_on: None,
            declined_on: None,
        });
    }
    facts.draft_sent_on = draft_sent_on.map(|d| d.0);
    for e in exceptions {
        let reason = known
            .iter()
            .find(|r| r.code == e.reason_code)
            .cloned()
            .ok_or_else(|| ApiError::validation("exceptions", "unknown exception reason"))?;
        if e.ends_on < e.starts_on {
            return Err(ApiError::validation(
                "exceptions",
                "an exception must not end before it starts",
            ));
        }
        // A closure here concerns the timetable's advice request.
        let advice_requested_on = advice_requested_on.filter(|_| reason.concerns_advice_request);
        if let Some(refused) =
            reason.refusal(e.starts_on.0, e.ends_on.0, advice_requested_on.map(|d| d.0))
        {
            return Err(ApiError::validation("exceptions", refused.message));
        }
        facts.exceptions.push(RecordedException {
            reason,
            starts_on: e.starts_on.0,
            ends_on: e.ends_on.0,
            advice_request_id: advice_requested_on.map(|_| 1),
            advice_requested_on: advice_requested_on.map(|d| d.0),
        });
    }
    // Statuses are as of the start, so every deadline reads as still to come.
    let deadlines = assessment_deadlines(&facts, starts_on.0)
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Timetable {
        kind,
        starts_on,
        deadlines,
    })
}

/// One assessment, as `assessment(id:)` (and `node`) shows it; the read is logged.
pub(super) async fn find_assessment(ctx: &Ctx<'_>, id: i64) -> ApiResult<Assessment> {
    let record = svc::load(ctx, id).await?;
    crate::service::contributions::log_read(
        ctx,
        record.row.la_id,
        record.row.child_id,
        "assessment",
        Some(id),
    )
    .await?;
    Ok(Assessment(record))
}

#[derive(Default)]
pub struct AssessmentQuery;

#[Object]
impl AssessmentQuery {
    /// A needs assessment the signed-in person may see (staff of its local authority,
    /// administrators, the family); NOT_FOUND otherwise. Staff reading it is logged.
    async fn assessment(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The assessment's global id.")] id: ID,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Assessment, &id)?;
        Ok(find_assessment(&ctx, id).await?)
    }

    /// Assessments the signed-in person may see, newest first.
    #[allow(clippy::too_many_arguments)]
    async fn assessments(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Only this child's assessments (a global id).")] child_id: Option<ID>,
        #[graphql(desc = "Only assessments in this state.")] state: Option<AssessmentState>,
        #[graphql(
            desc = "Only assessments assigned to this caseworker (a member of staff's global id)."
        )]
        caseworker_id: Option<ID>,
        #[graphql(desc = "true: still open; false: closed")] open: Option<bool>,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
        #[graphql(desc = "page size, at most 100")] first: Option<i32>,
        #[graphql(desc = "page size, at most 100")] last: Option<i32>,
    ) -> Result<Listing<Assessment>> {
        let ctx = ctx(gql)?;
        if matches!(
            ctx.actor.scope,
            crate::domain::access::Scope::Professional { .. }
        ) {
            return Err(ApiError::forbidden(
                "professionals see the advice requests addressed to them: use myAdviceRequests",
            )
            .into());
        }
        let filter = AssessmentFilter {
            child_id: child_id
                .map(|c| Id::parse("childId", Kind::Child, &c))
                .transpose()?,
            state: state.map(Into::into),
            caseworker_id: caseworker_id
                .map(|c| Id::parse("caseworkerId", Kind::StaffMember, &c))
                .transpose()?,
            open,
        };
        let page = svc::list(&ctx, filter, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |r| r.row.id, Assessment))
    }

    /// The reasons an exception to the time limits may be recorded for.
    async fn exception_reasons(&self, gql: &Context<'_>) -> Result<Vec<ExceptionReason>> {
        let ctx = ctx(gql)?;
        Ok(svc::exception_reasons(&ctx)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// "If the request arrived on 6 January, when is the final plan due?" The deadlines a
    /// process started on `startsOn` would have, with optional advice and draft dates and
    /// exceptions.
    async fn timetable(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "INITIAL (final plan in 20 weeks) or REASSESSMENT (in 14 weeks).")]
        kind: AssessmentKind,
        #[graphql(desc = "The day the clock starts: the request, or the decision to re-assess.")]
        starts_on: Date,
        #[graphql(
            desc = "The day advice is asked for, for its 6 weeks (reg 8(1)); not before `startsOn`."
        )]
        advice_requested_on: Option<Date>,
        #[graphql(
            desc = "The day the draft plan is sent, for the family's 15 days (reg 13(1)); not before `startsOn`."
        )]
        draft_sent_on: Option<Date>,
        #[graphql(
            default,
            desc = "Exceptions to assume; each must meet its reason's conditions."
        )]
        exceptions: Vec<TimetableException>,
    ) -> Result<Timetable> {
        let ctx = ctx(gql)?;
        Ok(timetable(
            &ctx,
            kind,
            starts_on,
            advice_requested_on,
            draft_sent_on,
            exceptions,
        )
        .await?)
    }
}

// ---------- actions ----------

/// A request for an EHC needs assessment, or a decision to re-assess an EHC plan.
#[derive(InputObject)]
pub struct RequestAssessmentInput {
    /// The child's global id. The child must have no open assessment (CONFLICT otherwise).
    child_id: ID,
    /// INITIAL for a child without an active EHC plan, REASSESSMENT for one with an active plan
    /// (VALIDATION otherwise).
    #[graphql(default_with = "AssessmentKind::Initial")]
    kind: AssessmentKind,
    /// Who asked for it.
    requested_by: RequestedBy,
    /// The day the request arrived; today when omitted.
    received_on: Option<Date>,
    /// Defaults to the signed-in caseworker.
    caseworker_id: Option<ID>,
    /// Made while the child or young person was detained in relevant youth accommodation
    /// (CFA 2014 ss.70–75; the SEN2 return's RYA); false by default.
    #[graphql(default)]
    relevant_youth_accommodation: bool,
}

/// Common to every action: which assessment, the version you saw, and when it happened.
#[derive(InputObject)]
pub struct ActionInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day it happened; today when omitted. Not in the future, not before the request (nor,
    /// for the draft plan, before the decision to assess).
    on: Option<Date>,
}

/// The council's decision to carry out the assessment.
#[derive(InputObject)]
pub struct DecisionInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day of the decision (default today in England); not in the future, not before the
    /// request.
    on: Option<Date>,
    /// The council's reasons, if it records them.
    reasons: Option<String>,
}

/// A decision not to assess, or not to issue a plan, with its reasons.
#[derive(InputObject)]
pub struct RefusalInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day of the decision (default today in England); not in the future, not before the
    /// request (nor, not to issue, before the decision to assess).
    on: Option<Date>,
    /// The council's reasons, as given in the decision notice.
    reasons: String,
    /// The notice told the family of their right to appeal and to mediation.
    appeal_rights_given: bool,
}

/// A request for advice and information from a service (reg 6).
#[derive(InputObject)]
pub struct RequestAdviceInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the advice was asked for (default today in England), from which its 6 weeks run; not
    /// in the future, not before the decision to assess.
    on: Option<Date>,
    /// The service asked.
    service: AdviceService,
    /// A professional of that service in the local authority, asked by name (a global id); none:
    /// the request is addressed to the service.
    professional_id: Option<ID>,
    /// The named professional or team.
    addressed_to: Option<String>,
}

/// Advice that arrived, as a caseworker records it.
#[derive(InputObject)]
pub struct AdviceReceivedInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the advice arrived (default today in England); not in the future, not before it was
    /// asked for. After the due date it shows as late.
    on: Option<Date>,
    /// The advice request answered (a global id): one of this assessment's, not yet answered
    /// (CONFLICT otherwise).
    advice_request_id: ID,
    /// What the advice says, in brief.
    summary: String,
    /// A URL or file name of the advice document.
    document_ref: Option<String>,
}

/// A service's refusal to advise, as a caseworker records it.
#[derive(InputObject)]
pub struct DeclineAdviceInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the service declined (default today in England); not in the future, not before it
    /// was asked.
    on: Option<Date>,
    /// The advice request declined (a global id): one of this assessment's, not yet answered
    /// (CONFLICT otherwise).
    advice_request_id: ID,
    /// Why, e.g. advice already given is sufficient (reg 6(4)).
    reason: String,
}

/// An exception to the time limits, for a period.
#[derive(InputObject)]
pub struct RecordExceptionInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// An exception reason's code, from `exceptionReasons`.
    reason_code: String,
    /// The first day of the period.
    starts_on: Date,
    /// The last day of the period (inclusive): not before `startsOn`, at most a year after it, and
    /// at least the reason's `minimumDays`.
    ends_on: Date,
    /// A note kept with the exception.
    note: Option<String>,
    /// Limit the exception to one advice request (e.g. a missed appointment).
    advice_request_id: Option<ID>,
}

/// The family's response to the draft plan, as a caseworker records it: comments, a meeting request
/// or a requested setting (at least one), added to what they said before.
#[derive(InputObject)]
pub struct ParentResponseInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the family responded (default today in England); not in the future, not before the
    /// draft was sent.
    on: Option<Date>,
    /// The family's comments on the draft.
    comments: Option<String>,
    /// The family asked to meet the council about the draft (reg 13(1)(b)).
    #[graphql(default)]
    meeting_requested: bool,
    /// A school or college the family asks to be named (CFA 2014 s.38(2)(b)).
    requested_setting: Option<String>,
}

/// A consultation of a setting about being named in the plan.
#[derive(InputObject)]
pub struct ConsultSettingInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the setting was consulted (default today in England); not in the future, not before
    /// the draft was sent.
    on: Option<Date>,
    /// The school, college or setting consulted.
    setting_name: String,
}

/// A consulted setting's answer.
#[derive(InputObject)]
pub struct SettingResponseInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the setting answered (default today in England); not in the future, not before it
    /// was consulted.
    on: Option<Date>,
    /// The consultation answered (a global id): one of this assessment's, not yet answered
    /// (CONFLICT otherwise).
    consultation_id: ID,
    /// The setting's answer.
    response: SettingResponse,
    /// A note kept with the answer.
    note: Option<String>,
}

/// The final EHC plan's issue.
#[derive(InputObject)]
pub struct IssueFinalPlanInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the final plan was issued (default today in England); not in the future, and after
    /// the family's 15 days to comment on the draft unless they have responded (reg 13(1)).
    on: Option<Date>,
    /// The school, college or setting the plan names.
    named_setting: Option<String>,
}

/// The withdrawal of a request for assessment.
#[derive(InputObject)]
pub struct WithdrawInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day it was withdrawn (default today in England); not in the future, not before the
    /// request.
    on: Option<Date>,
    /// Why it was withdrawn.
    reason: String,
}

/// The hand-over of an open assessment to another local authority.
#[derive(InputObject)]
pub struct TransferOutInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the case moved (default today in England); not in the future, not before the
    /// request.
    on: Option<Date>,
    /// The local authority the family moved to, by name.
    to_local_authority: String,
}

fn aid(id: &ID) -> Result<i64, ApiError> {
    Id::parse("assessmentId", Kind::Assessment, id)
}

#[derive(Default)]
pub struct AssessmentMutation;

#[Object]
impl AssessmentMutation {
    /// Record a request for an EHC needs assessment (the 20-week clock starts on `receivedOn`).
    async fn request_assessment(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The request.")] input: RequestAssessmentInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let new = svc::NewAssessment {
            child_id: Id::parse("childId", Kind::Child, &input.child_id)?,
            kind: input.kind.into(),
            requested_by: input.requested_by.into(),
            received_on: input.received_on.map(|d| d.0),
            caseworker_id: input
                .caseworker_id
                .map(|c| Id::parse("caseworkerId", Kind::StaffMember, &c))
                .transpose()?,
            relevant_youth_accommodation: input.relevant_youth_accommodation,
        };
        Ok(Assessment(svc::request(&ctx, new).await?))
    }

    /// The LA decides to carry out the assessment (reg 5(1)).
    async fn decide_to_assess(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The decision.")] input: DecisionInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        Ok(Assessment(
            svc::decide_to_assess(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                input.reasons.as_deref(),
            )
            .await?,
        ))
    }

    /// The LA refuses to assess; the notice gives appeal and mediation rights (reg 5(3)).
    async fn decide_not_to_assess(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The decision and its reasons.")] input: RefusalInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        Ok(Assessment(
            svc::decide_not_to_assess(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                &input.reasons,
                input.appeal_rights_given,
            )
            .await?,
        ))
    }

    /// Ask a service for advice and information (reg 6); due in 6 weeks (reg 8(1)).
    async fn request_advice(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Who is asked, and when.")] input: RequestAdviceInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        let new = crate::service::advice::NewAdviceRequest {
            service: input.service.into(),
            professional_id: input
                .professional_id
                .map(|p| Id::parse("professionalId", Kind::Professional, &p))
                .transpose()?,
            addressed_to: input.addressed_to,
        };
        Ok(Assessment(
            svc::request_advice(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                new,
            )
            .await?,
        ))
    }

    /// Records advice that arrived for one of the assessment's requests; after its due date it
    /// shows as late.
    async fn record_advice_received(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The advice.")] input: AdviceReceivedInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        let advice = Id::parse(
            "adviceRequestId",
            Kind::AdviceRequest,
            &input.advice_request_id,
        )?;
        Ok(Assessment(
            svc::record_advice_received(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                advice,
                &input.summary,
                input.document_ref.as_deref(),
            )
            .await?,
        ))
    }

    /// Records that a service declined to give the advice asked of it (reg 6(4)).
    async fn decline_advice_request(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The refusal.")] input: DeclineAdviceInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        let advice = Id::parse(
            "adviceRequestId",
            Kind::AdviceRequest,
            &input.advice_request_id,
        )?;
        Ok(Assessment(
            svc::decline_advice(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                advice,
                &input.reason,
            )
            .await?,
        ))
    }

    /// Record an exception to the time limits (reg 5(4), 8(2), 10(4), 13(3)).
    async fn record_exception(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The exception.")] input: RecordExceptionInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        let new = svc::NewException {
            reason_code: input.reason_code,
            starts_on: input.starts_on.0,
            ends_on: input.ends_on.0,
            note: input.note,
            advice_request_id: input
                .advice_request_id
                .map(|a| Id::parse("adviceRequestId", Kind::AdviceRequest, &a))
                .transpose()?,
        };
        Ok(Assessment(
            svc::record_exception(&ctx, id, input.version, new).await?,
        ))
    }

    /// Admins: add a reason for exceptions (as the 2020 COVID-19 amendment did).
    async fn add_exception_reason(
        &self,
        gql: &Context<'_>,
        #[graphql(
            desc = "The new reason: a code not used before (CONFLICT otherwise), lifting at least one limit; `minimumDays` 1 to 366."
        )]
        input: ExceptionReason,
    ) -> Result<ExceptionReason> {
        let ctx = ctx(gql)?;
        Ok(svc::add_exception_reason(&ctx, input.into()).await?.into())
    }

    /// The LA decides not to issue a plan; the notice gives appeal rights (reg 10(1)).
    async fn decide_not_to_issue(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The decision and its reasons.")] input: RefusalInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        Ok(Assessment(
            svc::decide_not_to_issue(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                &input.reasons,
                input.appeal_rights_given,
            )
            .await?,
        ))
    }

    /// Send the draft plan: the parent has 15 days to comment (reg 13(1)).
    async fn send_draft_plan(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The assessment, and the day the draft was sent.")] input: ActionInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        Ok(Assessment(
            svc::send_draft(&ctx, Target::new(id, input.version, input.on.map(|d| d.0))).await?,
        ))
    }

    /// The parent's comments on the draft, a meeting request, or a requested setting.
    async fn record_parent_response(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The response.")] input: ParentResponseInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        let response = crate::domain::input::FamilyResponse {
            comments: input.comments,
            meeting_requested: input.meeting_requested,
            requested_setting: input.requested_setting,
        };
        Ok(Assessment(
            svc::record_parent_response(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                response,
            )
            .await?,
        ))
    }

    /// Consult a setting about being named in the plan (CFA 2014 s.39).
    async fn consult_setting(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The setting, and when.")] input: ConsultSettingInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        Ok(Assessment(
            svc::consult_setting(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                &input.setting_name,
            )
            .await?,
        ))
    }

    /// Records a consulted setting's answer.
    async fn record_setting_response(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The answer.")] input: SettingResponseInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        let consultation = Id::parse(
            "consultationId",
            Kind::SettingConsultation,
            &input.consultation_id,
        )?;
        Ok(Assessment(
            svc::record_setting_response(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                consultation,
                input.response.into(),
                input.note.as_deref(),
            )
            .await?,
        ))
    }

    /// Issue the final EHC plan (reg 13(2), 14): creates the plan record.
    async fn issue_final_plan(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The issue.")] input: IssueFinalPlanInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        Ok(Assessment(
            svc::issue_final_plan(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                input.named_setting.as_deref(),
            )
            .await?,
        ))
    }

    /// Closes an open assessment because the request was withdrawn.
    async fn withdraw_assessment(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The withdrawal.")] input: WithdrawInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        Ok(Assessment(
            svc::withdraw(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                &input.reason,
            )
            .await?,
        ))
    }

    /// The family moved to another local authority.
    async fn transfer_assessment_out(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The hand-over.")] input: TransferOutInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = aid(&input.assessment_id)?;
        Ok(Assessment(
            svc::transfer_out(
                &ctx,
                Target::new(id, input.version, input.on.map(|d| d.0)),
                &input.to_local_authority,
            )
            .await?,
        ))
    }
}
