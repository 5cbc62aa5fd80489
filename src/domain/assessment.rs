//! The EHC needs assessment: states, allowed actions, statutory deadlines, next steps and the
//! timeline shown to families.
//!
//! An initial assessment runs from the request (or the day the council became responsible):
//! decision whether to assess in 6 weeks (reg 5(1)), advice in 6 weeks of asking (reg 8(1)),
//! a decision not to issue a plan in 16 weeks (reg 10(1)), and the final plan in 20 weeks
//! (reg 13(2)). A re-assessment of an existing plan runs from the decision to re-assess: the
//! final plan is due in 14 weeks (reg 27(2)), and the 6- and 16-week limits do not apply.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::backlog::TrackedDeadline;
use super::calendar::{add_days, long_date};
use super::dispute::RecordedOrderException;
use super::reader::Reader;
use super::rules::{Lifts, rule_of};
use super::timescales::{
    Deadline, DeadlineKind, DeadlineStatus, Party, RecordedException, TimeLimit, status,
};

const REG_ADVICE_SOUGHT: &str = "SEND Regs 2014 reg 6(1)";

/// A stored code (state, action or kind) that this version does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: String,
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {}: {:?}", self.what, self.code)
    }
}

impl std::error::Error for UnknownCode {}

/// Who asked for the assessment (SEND Regs 2014 reg 3; CFA 2014 s.36(1)), or, for a health
/// or social care professional, who brought the child to the council's attention (s.24,
/// Code of Practice 9.9): the SEN2 return's request source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestedBy {
    Parent,
    YoungPerson,
    SchoolOrSetting,
    HealthProfessional,
    SocialCareProfessional,
    Other,
}

impl RequestedBy {
    pub const ALL: [RequestedBy; 6] = [
        RequestedBy::Parent,
        RequestedBy::YoungPerson,
        RequestedBy::SchoolOrSetting,
        RequestedBy::HealthProfessional,
        RequestedBy::SocialCareProfessional,
        RequestedBy::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RequestedBy::Parent => "PARENT",
            RequestedBy::YoungPerson => "YOUNG_PERSON",
            RequestedBy::SchoolOrSetting => "SCHOOL_OR_SETTING",
            RequestedBy::HealthProfessional => "HEALTH_PROFESSIONAL",
            RequestedBy::SocialCareProfessional => "SOCIAL_CARE_PROFESSIONAL",
            RequestedBy::Other => "OTHER",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssessmentKind {
    Initial,
    /// Re-assessment of an existing plan (reg 27): the clock starts at the decision to
    /// re-assess.
    Reassessment,
    /// An assessment or re-assessment the council refused and must now carry out: ordered by
    /// the Tribunal, agreed at mediation or conceded (reg 44(2)(b), 42(2), 45). The clock
    /// starts at the order, the agreement or the concession.
    Ordered,
    /// A plan the council refused to issue after assessing and must now make: ordered, agreed
    /// or conceded (reg 44(2)(c)). The assessment is done: the draft and the final plan are due.
    OrderedPlan,
}

impl AssessmentKind {
    pub const ALL: [Self; 4] = [
        Self::Initial,
        Self::Reassessment,
        Self::Ordered,
        Self::OrderedPlan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "INITIAL",
            Self::Reassessment => "REASSESSMENT",
            Self::Ordered => "ORDERED",
            Self::OrderedPlan => "ORDERED_PLAN",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "assessment kind", code)
    }

    /// A dispute's outcome opened it: it runs on the order's clocks (reg 44(2)).
    pub fn is_ordered(self) -> bool {
        matches!(self, Self::Ordered | Self::OrderedPlan)
    }

    /// The limit for telling the family the council will assess: the 6-week decision of a
    /// request (reg 4-5), or the 2 weeks to notify after an order (reg 44(2)(b)(i)).
    pub fn decision_limit(self) -> Option<DeadlineKind> {
        match self {
            Self::Initial => Some(DeadlineKind::DecisionToAssess),
            Self::Ordered => Some(DeadlineKind::OrderAssessmentNotice),
            Self::Reassessment | Self::OrderedPlan => None,
        }
    }

    /// The limit for a decision not to issue a plan after assessing (reg 10(1); 44(2)(b)(ii)).
    pub fn no_plan_limit(self) -> Option<DeadlineKind> {
        match self {
            Self::Initial => Some(DeadlineKind::DecisionNotToIssue),
            Self::Ordered => Some(DeadlineKind::OrderNoPlanDecision),
            Self::Reassessment | Self::OrderedPlan => None,
        }
    }

    /// The limit for sending the draft plan, where one is set (reg 44(2)(c)(i)).
    pub fn draft_limit(self) -> Option<DeadlineKind> {
        (self == Self::OrderedPlan).then_some(DeadlineKind::OrderDraftPlan)
    }

    /// The limit for the final plan (reg 13(2); 27(3); 44(2)(b)(iii), (c)(ii)).
    pub fn final_plan_limit(self) -> DeadlineKind {
        match self {
            Self::Initial => DeadlineKind::FinalPlan,
            Self::Reassessment => DeadlineKind::ReassessmentFinalPlan,
            Self::Ordered => DeadlineKind::OrderFinalPlan,
            Self::OrderedPlan => DeadlineKind::OrderMadePlan,
        }
    }

    /// Whether the council may take this action on this kind at all: an order to assess
    /// leaves no decision not to assess, an order to make a plan none not to issue one.
    fn permits(self, action: AssessmentAction) -> bool {
        !matches!(
            (self, action),
            (
                Self::Ordered | Self::OrderedPlan,
                AssessmentAction::DecideNotToAssess
            ) | (Self::OrderedPlan, AssessmentAction::DecideNotToIssue)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssessmentState {
    Requested,
    DecidedNotToAssess,
    Assessing,
    DecidedNotToIssue,
    DraftIssued,
    FinalIssued,
    Withdrawn,
    TransferredOut,
}

impl AssessmentState {
    pub const ALL: [Self; 8] = [
        Self::Requested,
        Self::DecidedNotToAssess,
        Self::Assessing,
        Self::DecidedNotToIssue,
        Self::DraftIssued,
        Self::FinalIssued,
        Self::Withdrawn,
        Self::TransferredOut,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "REQUESTED",
            Self::DecidedNotToAssess => "DECIDED_NOT_TO_ASSESS",
            Self::Assessing => "ASSESSING",
            Self::DecidedNotToIssue => "DECIDED_NOT_TO_ISSUE",
            Self::DraftIssued => "DRAFT_ISSUED",
            Self::FinalIssued => "FINAL_ISSUED",
            Self::Withdrawn => "WITHDRAWN",
            Self::TransferredOut => "TRANSFERRED_OUT",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "assessment state", code)
    }

    /// No further action is possible. Appeals against a refusal are tracked elsewhere.
    pub fn is_closed(self) -> bool {
        !matches!(self, Self::Requested | Self::Assessing | Self::DraftIssued)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssessmentAction {
    DecideToAssess,
    DecideNotToAssess,
    RequestAdvice,
    RecordAdvice,
    RecordException,
    DecideNotToIssue,
    SendDraft,
    RecordParentResponse,
    ConsultSetting,
    RecordSettingResponse,
    IssueFinalPlan,
    Withdraw,
    TransferOut,
}

impl AssessmentAction {
    pub const ALL: [Self; 13] = [
        Self::DecideToAssess,
        Self::DecideNotToAssess,
        Self::RequestAdvice,
        Self::RecordAdvice,
        Self::RecordException,
        Self::DecideNotToIssue,
        Self::SendDraft,
        Self::RecordParentResponse,
        Self::ConsultSetting,
        Self::RecordSettingResponse,
        Self::IssueFinalPlan,
        Self::Withdraw,
        Self::TransferOut,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DecideToAssess => "DECIDE_TO_ASSESS",
            Self::DecideNotToAssess => "DECIDE_NOT_TO_ASSESS",
            Self::RequestAdvice => "REQUEST_ADVICE",
            Self::RecordAdvice => "RECORD_ADVICE",
            Self::RecordException => "RECORD_EXCEPTION",
            Self::DecideNotToIssue => "DECIDE_NOT_TO_ISSUE",
            Self::SendDraft => "SEND_DRAFT",
            Self::RecordParentResponse => "RECORD_PARENT_RESPONSE",
            Self::ConsultSetting => "CONSULT_SETTING",
            Self::RecordSettingResponse => "RECORD_SETTING_RESPONSE",
            Self::IssueFinalPlan => "ISSUE_FINAL_PLAN",
            Self::Withdraw => "WITHDRAW",
            Self::TransferOut => "TRANSFER_OUT",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "assessment action", code)
    }
}

pub(crate) fn parse_code<T: Copy>(
    all: &[T],
    as_str: fn(T) -> &'static str,
    what: &'static str,
    code: &str,
) -> Result<T, UnknownCode> {
    all.iter()
        .copied()
        .find(|value| as_str(*value) == code)
        .ok_or_else(|| UnknownCode {
            what,
            code: code.to_owned(),
        })
}

/// The state an action leads to, or `None` when the action is not allowed in `state`.
fn next_state(state: AssessmentState, action: AssessmentAction) -> Option<AssessmentState> {
    use AssessmentAction as A;
    use AssessmentState as S;
    match (state, action) {
        (S::Requested | S::Assessing | S::DraftIssued, A::Withdraw) => Some(S::Withdrawn),
        (S::Requested | S::Assessing | S::DraftIssued, A::TransferOut) => Some(S::TransferredOut),
        (S::Requested | S::Assessing | S::DraftIssued, A::RecordException) => Some(state),
        (S::Requested, A::DecideToAssess) => Some(S::Assessing),
        (S::Requested, A::DecideNotToAssess) => Some(S::DecidedNotToAssess),
        (S::Assessing, A::RequestAdvice) => Some(S::Assessing),
        // Late advice may still arrive after the draft is sent.
        (S::Assessing | S::DraftIssued, A::RecordAdvice) => Some(state),
        (S::Assessing, A::DecideNotToIssue) => Some(S::DecidedNotToIssue),
        (S::Assessing, A::SendDraft) => Some(S::DraftIssued),
        (
            S::DraftIssued,
            A::RecordParentResponse | A::ConsultSetting | A::RecordSettingResponse,
        ) => Some(S::DraftIssued),
        (S::DraftIssued, A::IssueFinalPlan) => Some(S::FinalIssued),
        _ => None,
    }
}

/// The actions allowed on an assessment of `kind` in `state`, in declaration order. Closed
/// states allow nothing.
pub fn allowed_actions(kind: AssessmentKind, state: AssessmentState) -> Vec<AssessmentAction> {
    AssessmentAction::ALL
        .into_iter()
        .filter(|action| kind.permits(*action) && next_state(state, *action).is_some())
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    pub state: AssessmentState,
    pub action: AssessmentAction,
    pub allowed: Vec<AssessmentAction>,
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not allowed when the assessment is {}",
            self.action.as_str(),
            self.state.as_str()
        )?;
        if self.allowed.is_empty() {
            write!(f, "; the assessment is closed")
        } else {
            let allowed: Vec<&str> = self.allowed.iter().map(|a| a.as_str()).collect();
            write!(f, "; allowed: {}", allowed.join(", "))
        }
    }
}

impl std::error::Error for TransitionError {}

pub fn transition(
    kind: AssessmentKind,
    state: AssessmentState,
    action: AssessmentAction,
) -> Result<AssessmentState, TransitionError> {
    next_state(state, action)
        .filter(|_| kind.permits(action))
        .ok_or_else(|| TransitionError {
            state,
            action,
            allowed: allowed_actions(kind, state),
        })
}

/// One request for advice (reg 6(1)). The service and professional are the caller's business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdviceFacts {
    pub id: i64,
    /// Who was asked, as a family would say it ("Educational psychology").
    pub from: String,
    pub requested_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    /// The body declined, e.g. advice already given is sufficient (reg 6(4)).
    pub declined_on: Option<NaiveDate>,
}

/// What has happened on an assessment, as recorded. Deadlines are derived from these facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentFacts {
    pub kind: AssessmentKind,
    /// Request received, or the council became responsible (reg 5(1)(b)); for a re-assessment,
    /// the decision to re-assess (reg 27(2)).
    pub received_on: NaiveDate,
    pub decided_to_assess_on: Option<NaiveDate>,
    pub decided_not_to_assess_on: Option<NaiveDate>,
    pub decided_not_to_issue_on: Option<NaiveDate>,
    pub draft_sent_on: Option<NaiveDate>,
    pub parent_responded_on: Option<NaiveDate>,
    pub final_issued_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    pub transferred_out_on: Option<NaiveDate>,
    pub advice: Vec<AdviceFacts>,
    pub exceptions: Vec<RecordedException>,
    /// For an ordered assessment: an exception of reg 44(3) recorded on the order, which makes
    /// the order's limits inapplicable from the day it began.
    #[serde(default)]
    pub order_exception: Option<RecordedOrderException>,
}

impl AssessmentFacts {
    /// A case on the day its clock starts, with nothing else recorded.
    pub fn new(kind: AssessmentKind, received_on: NaiveDate) -> Self {
        Self {
            kind,
            received_on,
            decided_to_assess_on: None,
            decided_not_to_assess_on: None,
            decided_not_to_issue_on: None,
            draft_sent_on: None,
            parent_responded_on: None,
            final_issued_on: None,
            withdrawn_on: None,
            transferred_out_on: None,
            advice: Vec::new(),
            exceptions: Vec::new(),
            order_exception: None,
        }
    }

    /// The decision whether to assess, either way.
    fn decided_on(&self) -> Option<NaiveDate> {
        earliest(self.decided_to_assess_on, self.decided_not_to_assess_on)
    }

    /// The case ended: refused, not issued, issued, withdrawn or transferred out.
    fn ended(&self) -> bool {
        [
            self.decided_not_to_assess_on,
            self.decided_not_to_issue_on,
            self.final_issued_on,
            self.withdrawn_on,
            self.transferred_out_on,
        ]
        .iter()
        .any(Option::is_some)
    }

    fn final_plan_limit(&self) -> TimeLimit {
        self.limit(self.kind.final_plan_limit(), self.final_issued_on)
    }

    /// The order's limit `deadline`, lifted when a reg 44(3) exception began before it was met.
    fn order_excepted(&self, deadline: Deadline, today: NaiveDate) -> Deadline {
        let Some(exception) = &self.order_exception else {
            return deadline;
        };
        let lifts = rule_of(deadline.kind).lifted_by == Some(Lifts::Order)
            && deadline.status != DeadlineStatus::NotApplicable
            && exception.lifts(self.received_on, deadline.due_on, deadline.met_on);
        if !lifts {
            return deadline;
        }
        Deadline {
            status: status(deadline.due_on, deadline.met_on, today, true),
            excepted_by: vec![exception.reason.as_str().to_owned()],
            ..deadline
        }
    }

    /// A limit whose clock starts with the request (or the decision to re-assess).
    fn limit(&self, kind: DeadlineKind, met_on: Option<NaiveDate>) -> TimeLimit {
        TimeLimit {
            kind,
            starts_on: self.received_on,
            due_on: kind.due_from(self.received_on),
            met_on,
            advice_request_id: None,
        }
    }
}

/// The 6 weeks for one advice request (reg 8(1)).
fn advice_limit(request: &AdviceFacts) -> TimeLimit {
    TimeLimit {
        kind: DeadlineKind::AdviceResponse,
        starts_on: request.requested_on,
        due_on: DeadlineKind::AdviceResponse.due_from(request.requested_on),
        met_on: request.received_on,
        advice_request_id: Some(request.id),
    }
}

fn earliest(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => a.or(b),
    }
}

/// The last day of the family's "at least 15 days beginning with the day on which the draft
/// plan was served" (reg 13(1)(a)): served on D, they have D … D+14, and the final plan may
/// be issued from D+15.
pub fn draft_comments_until(draft_sent_on: NaiveDate) -> NaiveDate {
    DeadlineKind::DraftComments.due_from(draft_sent_on)
}

/// The assessment's deadlines as seen on `today`, in process order: decision to assess,
/// advice (by date asked), decision not to issue, draft comments, final plan. Deadlines not
/// yet reachable (draft comments before a draft) are left out.
pub fn assessment_deadlines(facts: &AssessmentFacts, today: NaiveDate) -> Vec<Deadline> {
    let exceptions = &facts.exceptions;
    let mut deadlines = Vec::new();

    if let Some(kind) = facts.kind.decision_limit() {
        let limit = facts.limit(kind, facts.decided_on());
        deadlines.push(limit.deadline(exceptions, today));
    }

    let mut advice: Vec<&AdviceFacts> = facts.advice.iter().collect();
    advice.sort_by_key(|a| (a.requested_on, a.id));
    for request in advice {
        let limit = advice_limit(request);
        deadlines.push(match (request.received_on, request.declined_on) {
            (None, Some(_)) => {
                Deadline::not_applicable(limit.kind, limit.due_on, limit.advice_request_id)
            }
            _ => limit.deadline(exceptions, today),
        });
    }

    if let Some(kind) = facts.kind.no_plan_limit() {
        let limit = facts.limit(kind, facts.decided_not_to_issue_on);
        // A branch not taken once the council refused to assess or went on to a plan.
        let other_branch = facts.decided_not_to_assess_on.is_some()
            || facts.draft_sent_on.is_some()
            || facts.final_issued_on.is_some();
        deadlines.push(if other_branch {
            Deadline::not_applicable(limit.kind, limit.due_on, None)
        } else {
            limit.deadline(exceptions, today)
        });
    }

    if let Some(kind) = facts.kind.draft_limit() {
        let limit = facts.limit(kind, facts.draft_sent_on);
        deadlines.push(limit.deadline(exceptions, today));
    }

    if let Some(draft_sent_on) = facts.draft_sent_on {
        deadlines.push(draft_comments_deadline(
            draft_sent_on,
            facts.parent_responded_on,
            today,
        ));
    }

    let limit = facts.final_plan_limit();
    let no_plan =
        facts.decided_not_to_assess_on.is_some() || facts.decided_not_to_issue_on.is_some();
    deadlines.push(if no_plan {
        Deadline::not_applicable(limit.kind, limit.due_on, None)
    } else {
        limit.deadline(exceptions, today)
    });

    // Once the case has ended, a step still open will never happen.
    if facts.ended() {
        for deadline in &mut deadlines {
            if deadline.met_on.is_none() {
                *deadline = Deadline::not_applicable(
                    deadline.kind,
                    deadline.due_on,
                    deadline.advice_request_id,
                );
            }
        }
    }
    deadlines
        .into_iter()
        .map(|d| facts.order_excepted(d, today))
        .collect()
}

/// The parent's window to comment on the draft (reg 13(1)): theirs to use, so never overdue.
fn draft_comments_deadline(
    draft_sent_on: NaiveDate,
    responded_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Deadline {
    let kind = DeadlineKind::DraftComments;
    let due_on = draft_comments_until(draft_sent_on);
    let status = match responded_on {
        Some(responded) if responded <= due_on => DeadlineStatus::Met,
        Some(_) => DeadlineStatus::Missed,
        None if today <= due_on => status(due_on, None, today, false),
        None => DeadlineStatus::NotApplicable,
    };
    Deadline {
        kind,
        due_on,
        met_on: responded_on,
        status,
        regulation: kind.regulation(),
        statutory: true,
        target_on: None,
        excepted_by: Vec::new(),
        advice_request_id: None,
    }
}

/// The SEN2 return's 20-week measure for an issued initial plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TwentyWeekMeasure {
    pub within_twenty_weeks: bool,
    /// An exception under reg 13(3) lifted the limit.
    pub exception_applies: bool,
    /// From the request to the final plan.
    pub days_taken: i64,
}

/// `None` unless this is an initial assessment whose final plan was issued.
pub fn sen2_twenty_week_measure(facts: &AssessmentFacts) -> Option<TwentyWeekMeasure> {
    if facts.kind != AssessmentKind::Initial {
        return None;
    }
    let issued_on = facts.final_issued_on?;
    let limit = facts.final_plan_limit();
    Some(TwentyWeekMeasure {
        within_twenty_weeks: issued_on <= limit.due_on,
        exception_applies: facts.exceptions.iter().any(|e| e.lifts(&limit)),
        days_taken: (issued_on - facts.received_on).num_days(),
    })
}

/// What happens next, for a parent or caseworker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    pub action: Option<AssessmentAction>,
    pub description: String,
    pub party: Party,
    /// The statutory date, if there is one (an exception may lift it: see the description).
    pub due_on: Option<NaiveDate>,
    pub regulation: Option<&'static str>,
}

/// The next step in `state`, or `None` once the assessment is closed, worded for `reader`.
pub fn next_step(
    state: AssessmentState,
    facts: &AssessmentFacts,
    today: NaiveDate,
    reader: Reader,
) -> Option<NextStep> {
    use AssessmentAction as A;
    let deadlines = assessment_deadlines(facts, today);
    let find = |kind: DeadlineKind| deadlines.iter().find(|d| d.kind == kind);
    let council = |action, description: String, deadline: Option<&Deadline>| NextStep {
        action: Some(action),
        description: description + &exception_note(deadline, &facts.exceptions),
        party: Party::LocalAuthority,
        due_on: deadline.map(|d| d.due_on),
        regulation: deadline.map(|d| d.regulation),
    };
    let final_plan = find(facts.kind.final_plan_limit());
    let ordered = facts.kind.is_ordered();

    match state {
        AssessmentState::Requested => match facts.kind.decision_limit().and_then(find) {
            Some(decision) if ordered => Some(council(
                A::DecideToAssess,
                reader.pick(
                    format!(
                        "The council must now carry out the EHC needs assessment, as the \
                         Tribunal ordered or it agreed, and tell you that it is doing so by {}.",
                        long_date(decision.due_on)
                    ),
                    format!(
                        "Carry out the needs assessment as directed: tell the family it has \
                         begun by {}.",
                        long_date(decision.due_on)
                    ),
                ),
                Some(decision),
            )),
            Some(decision) => Some(council(
                A::DecideToAssess,
                reader.pick(
                    format!(
                        "The council must decide whether to carry out an EHC needs assessment \
                         and tell you by {}.",
                        long_date(decision.due_on)
                    ),
                    format!(
                        "Decide whether to carry out an EHC needs assessment, and tell the \
                         family, by {}.",
                        long_date(decision.due_on)
                    ),
                ),
                Some(decision),
            )),
            None => Some(council(
                A::DecideToAssess,
                reader
                    .pick(
                        "The council needs to record its decision to re-assess the EHC plan.",
                        "Record the decision to re-assess the EHC plan.",
                    )
                    .to_owned(),
                None,
            )),
        },
        AssessmentState::Assessing => {
            let outstanding: Vec<&Deadline> = deadlines
                .iter()
                .filter(|d| d.kind == DeadlineKind::AdviceResponse && d.met_on.is_none())
                .filter(|d| d.status != DeadlineStatus::NotApplicable)
                .collect();
            if let Some(next) = outstanding.iter().min_by_key(|d| d.due_on) {
                let waiting = match outstanding.len() {
                    1 => "Waiting for advice from 1 professional".to_owned(),
                    n => format!("Waiting for advice from {n} professionals"),
                };
                return Some(NextStep {
                    action: Some(A::RecordAdvice),
                    description: format!(
                        "{waiting}; the next is due by {}.{}",
                        long_date(next.due_on),
                        exception_note(Some(next), &facts.exceptions)
                    ),
                    party: Party::Professional,
                    due_on: Some(next.due_on),
                    regulation: Some(next.regulation),
                });
            }
            // After an order to make a plan the assessment is done: the draft is next.
            if let (Some(draft), Some(plan)) = (facts.kind.draft_limit().and_then(find), final_plan)
            {
                return Some(council(
                    A::SendDraft,
                    reader.pick(
                        format!(
                            "The council must make the EHC plan it was directed to: the draft \
                             is due by {} and the final plan by {}.",
                            long_date(draft.due_on),
                            long_date(plan.due_on)
                        ),
                        format!(
                            "Send the family the draft plan by {}; the final plan is due by {}.",
                            long_date(draft.due_on),
                            long_date(plan.due_on)
                        ),
                    ),
                    Some(draft),
                ));
            }
            if facts.advice.is_empty() {
                return Some(NextStep {
                    action: Some(A::RequestAdvice),
                    description: reader
                        .pick(
                            "The council must ask for advice: from you, your child's school or \
                             setting, health services, an educational psychologist and social \
                             care.",
                            "Ask for advice: from the parent or young person, the school or \
                             setting, health services, an educational psychologist and social \
                             care.",
                        )
                        .to_owned(),
                    party: Party::LocalAuthority,
                    due_on: None,
                    regulation: Some(REG_ADVICE_SOUGHT),
                });
            }
            match (facts.kind.no_plan_limit().and_then(find), final_plan) {
                (Some(not_to_issue), Some(plan)) => Some(council(
                    A::SendDraft,
                    reader.pick(
                        format!(
                            "The council must decide whether to issue an EHC plan. If it will \
                             not, it must tell you by {}; if it will, it sends you a draft plan \
                             first, and the final plan is due by {}.",
                            long_date(not_to_issue.due_on),
                            long_date(plan.due_on)
                        ),
                        format!(
                            "Decide whether to issue an EHC plan: if not, tell the family by {}; \
                             if so, send them the draft plan, with the final plan due by {}.",
                            long_date(not_to_issue.due_on),
                            long_date(plan.due_on)
                        ),
                    ),
                    Some(not_to_issue),
                )),
                (_, plan) => Some(council(
                    A::SendDraft,
                    match plan {
                        Some(plan) => reader.pick(
                            format!(
                                "The council must send you a draft of the new plan; the final \
                                 plan is due by {}.",
                                long_date(plan.due_on)
                            ),
                            format!(
                                "Send the family the draft of the new plan; the final plan is \
                                 due by {}.",
                                long_date(plan.due_on)
                            ),
                        ),
                        None => reader
                            .pick(
                                "The council must send you a draft of the new plan.",
                                "Send the family the draft of the new plan.",
                            )
                            .to_owned(),
                    },
                    plan,
                )),
            }
        }
        AssessmentState::DraftIssued => {
            let comments = find(DeadlineKind::DraftComments);
            match comments {
                Some(window) if facts.parent_responded_on.is_none() && today <= window.due_on => {
                    Some(NextStep {
                        action: Some(A::RecordParentResponse),
                        description: reader.pick(
                            format!(
                                "You can comment on the draft plan, ask to meet the council, or \
                                 ask for a particular school or college to be named, until {}.",
                                long_date(window.due_on)
                            ),
                            format!(
                                "The family may comment on the draft plan, ask to meet, or ask \
                                 for a particular school or college to be named, until {}; then \
                                 issue the final plan.",
                                long_date(window.due_on)
                            ),
                        ),
                        party: Party::Parent,
                        due_on: Some(window.due_on),
                        regulation: Some(window.regulation),
                    })
                }
                _ => Some(council(
                    A::IssueFinalPlan,
                    match final_plan {
                        Some(plan) => reader.pick(
                            format!(
                                "The council must issue the final EHC plan by {}.",
                                long_date(plan.due_on)
                            ),
                            format!("Issue the final EHC plan by {}.", long_date(plan.due_on)),
                        ),
                        None => reader
                            .pick(
                                "The council must issue the final EHC plan.",
                                "Issue the final EHC plan.",
                            )
                            .to_owned(),
                    },
                    final_plan,
                )),
            }
        }
        AssessmentState::DecidedNotToAssess
        | AssessmentState::DecidedNotToIssue
        | AssessmentState::FinalIssued
        | AssessmentState::Withdrawn
        | AssessmentState::TransferredOut => None,
    }
}

/// " The usual time limit does not apply. Reason: ..." when an exception lifted `deadline`.
fn exception_note(deadline: Option<&Deadline>, exceptions: &[RecordedException]) -> String {
    let Some(deadline) = deadline.filter(|d| d.status == DeadlineStatus::Excepted) else {
        return String::new();
    };
    let labels: Vec<&str> = deadline
        .excepted_by
        .iter()
        .filter_map(|code| {
            exceptions
                .iter()
                .find(|e| &e.reason.code == code)
                .map(|e| e.reason.label.as_str())
        })
        .collect();
    let target = deadline
        .target_on
        .map(|t| format!(" The council is now aiming for {}.", long_date(t)))
        .unwrap_or_default();
    format!(
        " The usual time limit does not apply. Reason: {}.{target}",
        labels.join("; ")
    )
}

/// Something that happened, in words a parent understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    pub on: NaiveDate,
    pub text: String,
}

/// What has happened so far, oldest first (same-day events in process order).
pub fn timeline(facts: &AssessmentFacts) -> Vec<Milestone> {
    let mut milestones = Vec::new();
    let mut add = |on: Option<NaiveDate>, text: String| {
        if let Some(on) = on {
            milestones.push(Milestone { on, text });
        }
    };
    match facts.kind {
        AssessmentKind::Initial => {
            add(
                Some(facts.received_on),
                "Request for an EHC needs assessment received".to_owned(),
            );
            add(
                facts.decided_to_assess_on,
                "The council decided to carry out an EHC needs assessment".to_owned(),
            );
        }
        // For a re-assessment the clock starts at this decision (reg 27(2)).
        AssessmentKind::Reassessment => add(
            Some(facts.received_on),
            "The council decided to re-assess the EHC plan".to_owned(),
        ),
        AssessmentKind::Ordered => {
            add(
                Some(facts.received_on),
                "The council was directed to carry out the EHC needs assessment it had refused \
                 (by the Tribunal's order, a mediation agreement or its own concession)"
                    .to_owned(),
            );
            add(
                facts.decided_to_assess_on,
                "The council told you it is carrying out the EHC needs assessment".to_owned(),
            );
        }
        AssessmentKind::OrderedPlan => add(
            Some(facts.received_on),
            "The council was directed to make the EHC plan it had refused (by the Tribunal's \
             order, a mediation agreement or its own concession)"
                .to_owned(),
        ),
    }
    add(
        facts.decided_not_to_assess_on,
        "The council decided not to carry out an EHC needs assessment — you can appeal this \
         decision"
            .to_owned(),
    );
    for exception in &facts.exceptions {
        let period = if exception.starts_on == exception.ends_on {
            format!("on {}", long_date(exception.starts_on))
        } else {
            format!(
                "from {} to {}",
                long_date(exception.starts_on),
                long_date(exception.ends_on)
            )
        };
        let scope = exception
            .advice_request_id
            .and_then(|id| facts.advice.iter().find(|a| a.id == id))
            .map(|a| format!(" for advice from {}", a.from))
            .unwrap_or_default();
        add(
            Some(exception.starts_on),
            format!(
                "Exception to the time limits{scope}: {}, {period}",
                exception.reason.label
            ),
        );
    }
    for advice in &facts.advice {
        let from = &advice.from;
        add(
            Some(advice.requested_on),
            format!("Advice requested from {from}"),
        );
        add(advice.received_on, format!("Advice received from {from}"));
        add(
            advice.declined_on,
            format!("{from} declined to give advice"),
        );
    }
    add(
        facts.decided_not_to_issue_on,
        "The council decided not to issue an EHC plan — you can appeal this decision".to_owned(),
    );
    if let Some(sent) = facts.draft_sent_on {
        add(
            Some(sent),
            format!(
                "Draft plan sent to you — you have until {} to comment",
                long_date(draft_comments_until(sent))
            ),
        );
    }
    add(
        facts.parent_responded_on,
        "The council received your comments on the draft plan".to_owned(),
    );
    add(
        facts.final_issued_on,
        "Final EHC plan issued — you can appeal what it says".to_owned(),
    );
    add(
        facts.withdrawn_on,
        match facts.kind {
            AssessmentKind::Initial => "The request for an assessment was withdrawn",
            AssessmentKind::Reassessment => "The re-assessment was withdrawn",
            AssessmentKind::Ordered | AssessmentKind::OrderedPlan => {
                "The case was closed without the plan (the family no longer wanted it)"
            }
        }
        .to_owned(),
    );
    add(
        facts.transferred_out_on,
        "The case moved to another council".to_owned(),
    );
    // Stable: same-day milestones keep the process order above.
    milestones.sort_by_key(|m| m.on);
    milestones
}

/// Why a date cannot be recorded for a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Steps are recorded when they happen, not in advance.
    InFuture { on: NaiveDate, today: NaiveDate },
    /// Nothing on an assessment happens before its clock starts.
    BeforeStart {
        on: NaiveDate,
        received_on: NaiveDate,
    },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InFuture { on, today } => write!(
                f,
                "{} is in the future (today is {}): record a step once it has happened",
                long_date(*on),
                long_date(*today)
            ),
            Self::BeforeStart { on, received_on } => write!(
                f,
                "{} is before the assessment started on {}",
                long_date(*on),
                long_date(*received_on)
            ),
        }
    }
}

impl std::error::Error for DateError {}

/// A step's date must fall between the start of the assessment and today (backdating allowed).
pub fn validate_action_date(
    on: NaiveDate,
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), DateError> {
    if on > today {
        Err(DateError::InFuture { on, today })
    } else if on < received_on {
        Err(DateError::BeforeStart { on, received_on })
    } else {
        Ok(())
    }
}

/// Why the final plan cannot be issued on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalIssueError {
    /// The parent must see a draft first (CFA 2014 s.38; reg 13(1)).
    NoDraft,
    BeforeDraft {
        draft_sent_on: NaiveDate,
    },
    /// The parent's time to comment has not run out and they have not responded (reg 13(1)).
    CommentWindowOpen {
        draft_sent_on: NaiveDate,
        comments_until: NaiveDate,
    },
}

impl fmt::Display for FinalIssueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoDraft => write!(
                f,
                "a draft plan must be sent to the parent or young person before the final plan \
                 (CFA 2014 s.38; SEND Regs 2014 reg 13(1))"
            ),
            Self::BeforeDraft { draft_sent_on } => write!(
                f,
                "the final plan cannot be dated before the draft plan was sent on {}",
                long_date(*draft_sent_on)
            ),
            Self::CommentWindowOpen { comments_until, .. } => write!(
                f,
                "the parent or young person has until {} to comment on the draft plan \
                 (SEND Regs 2014 reg 13(1)); the final plan can be issued from {}, or sooner \
                 once they have responded",
                long_date(*comments_until),
                long_date(add_days(*comments_until, 1))
            ),
        }
    }
}

impl std::error::Error for FinalIssueError {}

/// The final plan may be issued on `on` only after the parent's 15 days to comment have run
/// out (the day after `draft_sent_on + 15`), or once they have responded (reg 13(1)).
pub fn check_final_issue_allowed(
    facts: &AssessmentFacts,
    on: NaiveDate,
) -> Result<(), FinalIssueError> {
    let draft_sent_on = facts.draft_sent_on.ok_or(FinalIssueError::NoDraft)?;
    if on < draft_sent_on {
        return Err(FinalIssueError::BeforeDraft { draft_sent_on });
    }
    let comments_until = draft_comments_until(draft_sent_on);
    let responded = facts.parent_responded_on.is_some_and(|r| r <= on);
    if on > comments_until || responded {
        Ok(())
    } else {
        Err(FinalIssueError::CommentWindowOpen {
            draft_sent_on,
            comments_until,
        })
    }
}

// ---------- the backlog's view ----------

impl AssessmentFacts {
    /// The facts as they stood at the end of `day`: later dates, advice requests and
    /// exceptions not yet recorded. The backlog on a past day is computed from these.
    pub fn as_of(&self, day: NaiveDate) -> AssessmentFacts {
        let by = |date: Option<NaiveDate>| date.filter(|d| *d <= day);
        AssessmentFacts {
            kind: self.kind,
            received_on: self.received_on,
            decided_to_assess_on: by(self.decided_to_assess_on),
            decided_not_to_assess_on: by(self.decided_not_to_assess_on),
            decided_not_to_issue_on: by(self.decided_not_to_issue_on),
            draft_sent_on: by(self.draft_sent_on),
            parent_responded_on: by(self.parent_responded_on),
            final_issued_on: by(self.final_issued_on),
            withdrawn_on: by(self.withdrawn_on),
            transferred_out_on: by(self.transferred_out_on),
            advice: self
                .advice
                .iter()
                .filter(|a| a.requested_on <= day)
                .map(|a| AdviceFacts {
                    received_on: by(a.received_on),
                    declined_on: by(a.declined_on),
                    ..a.clone()
                })
                .collect(),
            exceptions: self
                .exceptions
                .iter()
                .filter(|e| e.starts_on <= day)
                .cloned()
                .collect(),
            order_exception: self.order_exception.clone().filter(|e| e.from <= day),
        }
    }

    fn ended_on(&self) -> Option<NaiveDate> {
        [
            self.decided_not_to_assess_on,
            self.decided_not_to_issue_on,
            self.final_issued_on,
            self.withdrawn_on,
            self.transferred_out_on,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

fn earliest_of(dates: &[Option<NaiveDate>]) -> Option<NaiveDate> {
    dates.iter().flatten().copied().min()
}

/// Every statutory deadline of the assessment as the backlog tracks it, with the day each
/// was settled (met, or stopped applying). For any day D, the deadlines open on D and their
/// standing are exactly those [`assessment_deadlines`] gives for `facts.as_of(D)` on D.
pub fn tracked_deadlines(facts: &AssessmentFacts) -> Vec<TrackedDeadline> {
    let ended_on = facts.ended_on();
    let track = |limit: TimeLimit, stops_applying: Option<NaiveDate>| {
        let open_limit = TimeLimit {
            met_on: None,
            ..limit
        };
        let deadline = limit.deadline(&facts.exceptions, limit.starts_on);
        TrackedDeadline {
            kind: limit.kind,
            starts_on: limit.starts_on,
            due_on: limit.due_on,
            met_on: limit.met_on,
            settled_on: earliest_of(&[limit.met_on, stops_applying, ended_on]),
            excepted_from: facts
                .exceptions
                .iter()
                .filter(|e| e.lifts(&open_limit))
                .map(|e| e.starts_on)
                .chain(
                    facts
                        .order_exception
                        .as_ref()
                        .filter(|e| {
                            rule_of(limit.kind).lifted_by == Some(Lifts::Order)
                                && e.lifts(limit.starts_on, limit.due_on, limit.met_on)
                        })
                        .map(|e| e.from),
                )
                .min(),
            target_on: deadline.target_on,
            advice_request_id: limit.advice_request_id,
        }
    };
    let mut tracked = Vec::new();
    if let Some(kind) = facts.kind.decision_limit() {
        let limit = facts.limit(kind, facts.decided_on());
        tracked.push(track(limit, None));
    }
    let mut advice: Vec<&AdviceFacts> = facts.advice.iter().collect();
    advice.sort_by_key(|a| (a.requested_on, a.id));
    for request in advice {
        let limit = advice_limit(request);
        let declined = request
            .declined_on
            .filter(|_| request.received_on.is_none());
        tracked.push(track(limit, declined));
    }
    if let Some(kind) = facts.kind.no_plan_limit() {
        let limit = facts.limit(kind, facts.decided_not_to_issue_on);
        // Another branch was taken: no plan needed at all, or a draft on its way to one.
        let other_branch = earliest_of(&[
            facts.decided_not_to_assess_on,
            facts.draft_sent_on,
            facts.final_issued_on,
        ]);
        tracked.push(track(limit, other_branch));
    }
    if let Some(kind) = facts.kind.draft_limit() {
        let limit = facts.limit(kind, facts.draft_sent_on);
        tracked.push(track(limit, None));
    }
    if let Some(draft_sent_on) = facts.draft_sent_on {
        let due_on = draft_comments_until(draft_sent_on);
        let met_on = facts.parent_responded_on;
        // The parent's window simply closes: it is never overdue.
        tracked.push(TrackedDeadline {
            kind: DeadlineKind::DraftComments,
            starts_on: draft_sent_on,
            due_on,
            met_on,
            settled_on: earliest_of(&[met_on, Some(add_days(due_on, 1)), ended_on]),
            excepted_from: None,
            target_on: None,
            advice_request_id: None,
        });
    }
    let limit = facts.final_plan_limit();
    let no_plan = earliest_of(&[
        facts.decided_not_to_assess_on,
        facts.decided_not_to_issue_on,
    ]);
    tracked.push(track(limit, no_plan));
    tracked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::timescales::standard_exception_reasons;
    use AssessmentAction as A;
    use AssessmentState as S;
    use DeadlineKind::*;
    use DeadlineStatus::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn initial(received_on: NaiveDate) -> AssessmentFacts {
        AssessmentFacts::new(AssessmentKind::Initial, received_on)
    }

    fn reassessment(decided_on: NaiveDate) -> AssessmentFacts {
        AssessmentFacts::new(AssessmentKind::Reassessment, decided_on)
    }

    /// Request received 6 Jan 2026, assessment agreed 10 Feb 2026.
    fn assessing() -> AssessmentFacts {
        AssessmentFacts {
            decided_to_assess_on: Some(d(2026, 2, 10)),
            ..initial(d(2026, 1, 6))
        }
    }

    fn advice(
        id: i64,
        requested_on: NaiveDate,
        received_on: Option<NaiveDate>,
        declined_on: Option<NaiveDate>,
    ) -> AdviceFacts {
        AdviceFacts {
            id,
            from: format!("Service {id}"),
            requested_on,
            received_on,
            declined_on,
        }
    }

    fn exception(code: &str, starts_on: NaiveDate, ends_on: NaiveDate) -> RecordedException {
        RecordedException {
            reason: standard_exception_reasons()
                .into_iter()
                .find(|r| r.code == code)
                .unwrap(),
            starts_on,
            ends_on,
            advice_request_id: None,
            advice_requested_on: None,
        }
    }

    fn summary(
        facts: &AssessmentFacts,
        today: NaiveDate,
    ) -> Vec<(DeadlineKind, NaiveDate, DeadlineStatus)> {
        assessment_deadlines(facts, today)
            .into_iter()
            .map(|d| (d.kind, d.due_on, d.status))
            .collect()
    }

    fn status_of(facts: &AssessmentFacts, today: NaiveDate, kind: DeadlineKind) -> DeadlineStatus {
        assessment_deadlines(facts, today)
            .into_iter()
            .find(|d| d.kind == kind)
            .unwrap()
            .status
    }

    #[test]
    fn request_on_6_january_2026_is_decided_by_17_february_and_planned_by_26_may() {
        let deadlines = assessment_deadlines(&initial(d(2026, 1, 6)), d(2026, 1, 6));
        #[rustfmt::skip]
        let expected = [
            (DecisionToAssess, d(2026, 2, 17), "SEND Regs 2014 reg 5(1)"),
            (DecisionNotToIssue, d(2026, 4, 28), "SEND Regs 2014 reg 10(1)"),
            (FinalPlan, d(2026, 5, 26), "SEND Regs 2014 reg 13(2)"),
        ];
        assert_eq!(deadlines.len(), expected.len());
        for (deadline, (kind, due_on, regulation)) in deadlines.iter().zip(expected) {
            assert_eq!(deadline.kind, kind);
            assert_eq!(deadline.due_on, due_on);
            assert_eq!(deadline.regulation, regulation);
            assert_eq!(deadline.status, Pending);
            assert!(deadline.statutory);
            assert_eq!(deadline.target_on, None);
        }
    }

    #[test]
    fn initial_deadlines_run_from_the_request_across_month_and_year_ends() {
        // (request, 6 weeks, 16 weeks, 20 weeks)
        #[rustfmt::skip]
        let cases = [
            (d(2026, 1, 6), d(2026, 2, 17), d(2026, 4, 28), d(2026, 5, 26)),
            (d(2025, 12, 31), d(2026, 2, 11), d(2026, 4, 22), d(2026, 5, 20)),
            (d(2028, 2, 29), d(2028, 4, 11), d(2028, 6, 20), d(2028, 7, 18)),
            (d(2025, 11, 30), d(2026, 1, 11), d(2026, 3, 22), d(2026, 4, 19)),
            (d(2026, 10, 31), d(2026, 12, 12), d(2027, 2, 20), d(2027, 3, 20)),
        ];
        for (received, decision, not_to_issue, final_plan) in cases {
            assert_eq!(
                summary(&initial(received), received),
                vec![
                    (DecisionToAssess, decision, Pending),
                    (DecisionNotToIssue, not_to_issue, Pending),
                    (FinalPlan, final_plan, Pending),
                ],
                "request received {received}"
            );
        }
    }

    #[test]
    fn decision_to_assess_is_met_by_either_decision() {
        let received = d(2026, 1, 6); // due 17 Feb 2026
        #[rustfmt::skip]
        let cases = [
            ("agreed on the due date", Some(d(2026, 2, 17)), None, d(2026, 3, 1), Met),
            ("refused on the due date", None, Some(d(2026, 2, 17)), d(2026, 3, 1), Met),
            ("agreed a day late", Some(d(2026, 2, 18)), None, d(2026, 3, 1), Missed),
            ("refused a day late", None, Some(d(2026, 2, 18)), d(2026, 3, 1), Missed),
            ("open, today = due", None, None, d(2026, 2, 17), DueSoon),
            ("open, due − 15", None, None, d(2026, 2, 2), Pending),
            ("open, due − 14", None, None, d(2026, 2, 3), DueSoon),
            ("open, due + 1", None, None, d(2026, 2, 18), Overdue),
        ];
        for (name, agreed, refused, today, expected) in cases {
            let facts = AssessmentFacts {
                decided_to_assess_on: agreed,
                decided_not_to_assess_on: refused,
                ..initial(received)
            };
            assert_eq!(
                status_of(&facts, today, DecisionToAssess),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn refusal_to_assess_closes_the_other_branches() {
        let facts = AssessmentFacts {
            decided_not_to_assess_on: Some(d(2026, 2, 10)),
            ..initial(d(2026, 1, 6))
        };
        assert_eq!(
            summary(&facts, d(2026, 6, 1)),
            vec![
                (DecisionToAssess, d(2026, 2, 17), Met),
                (DecisionNotToIssue, d(2026, 4, 28), NotApplicable),
                (FinalPlan, d(2026, 5, 26), NotApplicable),
            ]
        );
    }

    #[test]
    fn each_advice_request_is_due_six_weeks_after_it_was_made() {
        let on = d(2026, 2, 11); // due 25 Mar 2026
        let missed_appointment = RecordedException {
            advice_request_id: Some(5),
            advice_requested_on: None,
            ..exception("MISSED_APPOINTMENT", d(2026, 3, 3), d(2026, 3, 3))
        };
        let facts = AssessmentFacts {
            advice: vec![
                advice(6, d(2026, 2, 12), None, None),
                advice(2, on, Some(d(2026, 3, 26)), None),
                advice(1, on, Some(d(2026, 3, 25)), None),
                advice(3, on, None, Some(d(2026, 2, 20))),
                advice(4, on, None, None),
                advice(5, on, None, None),
                advice(7, on, Some(d(2026, 3, 1)), Some(d(2026, 2, 20))),
            ],
            exceptions: vec![missed_appointment],
            ..assessing()
        };
        let today = d(2026, 3, 26);
        // (id, due, status, target)
        let expected = [
            (1, d(2026, 3, 25), Met, None),           // received on the due date
            (2, d(2026, 3, 25), Missed, None),        // a day late
            (3, d(2026, 3, 25), NotApplicable, None), // declined
            (4, d(2026, 3, 25), Overdue, None),       // open, due + 1
            (5, d(2026, 3, 25), Excepted, Some(d(2026, 3, 26))), // missed appointment, 1 day
            (7, d(2026, 3, 25), Met, None),           // received wins over declined
            (6, d(2026, 3, 26), DueSoon, None),       // open, today = due
        ];
        let advice: Vec<Deadline> = assessment_deadlines(&facts, today)
            .into_iter()
            .filter(|d| d.kind == AdviceResponse)
            .collect();
        assert_eq!(advice.len(), expected.len());
        for (deadline, (id, due_on, status, target_on)) in advice.iter().zip(expected) {
            assert_eq!(deadline.advice_request_id, Some(id));
            assert_eq!(deadline.due_on, due_on, "advice {id}");
            assert_eq!(deadline.status, status, "advice {id}");
            assert_eq!(deadline.target_on, target_on, "advice {id}");
            assert_eq!(deadline.regulation, "SEND Regs 2014 reg 8(1)");
        }
    }

    #[test]
    fn advice_only_exception_lifts_nothing_else() {
        let facts = AssessmentFacts {
            advice: vec![
                advice(1, d(2026, 2, 11), None, None),
                advice(2, d(2026, 2, 11), None, None),
            ],
            exceptions: vec![RecordedException {
                advice_request_id: Some(2),
                advice_requested_on: None,
                ..exception("MISSED_APPOINTMENT", d(2026, 3, 3), d(2026, 3, 3))
            }],
            ..assessing()
        };
        let today = d(2026, 5, 27);
        assert_eq!(
            summary(&facts, today),
            vec![
                (DecisionToAssess, d(2026, 2, 17), Met),
                (AdviceResponse, d(2026, 3, 25), Overdue),
                (AdviceResponse, d(2026, 3, 25), Excepted),
                (DecisionNotToIssue, d(2026, 4, 28), Overdue),
                (FinalPlan, d(2026, 5, 26), Overdue),
            ]
        );
    }

    #[test]
    fn exception_after_the_decision_lifts_only_the_later_limits() {
        // Away from the area 11 Feb to 20 Mar 2026: 38 days, after the decision on 10 Feb.
        let facts = AssessmentFacts {
            exceptions: vec![exception(
                "ABSENT_FROM_AREA",
                d(2026, 2, 11),
                d(2026, 3, 20),
            )],
            ..assessing()
        };
        let deadlines = assessment_deadlines(&facts, d(2026, 3, 1));
        let got: Vec<_> = deadlines
            .iter()
            .map(|d| (d.kind, d.status, d.target_on, d.excepted_by.clone()))
            .collect();
        let absent = vec!["ABSENT_FROM_AREA".to_owned()];
        assert_eq!(
            got,
            vec![
                (DecisionToAssess, Met, None, vec![]),
                (
                    DecisionNotToIssue,
                    Excepted,
                    Some(d(2026, 6, 5)),
                    absent.clone()
                ),
                (FinalPlan, Excepted, Some(d(2026, 7, 3)), absent),
            ]
        );
    }

    #[test]
    fn decision_not_to_issue_is_due_sixteen_weeks_after_the_request() {
        #[rustfmt::skip]
        let cases = [
            ("decided on the due date", Some(d(2026, 4, 28)), None, d(2026, 5, 1), Met),
            ("decided a day late", Some(d(2026, 4, 29)), None, d(2026, 5, 1), Missed),
            ("open, today = due", None, None, d(2026, 4, 28), DueSoon),
            ("open, due + 1", None, None, d(2026, 4, 29), Overdue),
            ("draft sent instead", None, Some(d(2026, 4, 20)), d(2026, 5, 1), NotApplicable),
            ("draft sent after 16 weeks", None, Some(d(2026, 4, 30)), d(2026, 5, 1), NotApplicable),
        ];
        for (name, not_to_issue, draft, today, expected) in cases {
            let facts = AssessmentFacts {
                decided_not_to_issue_on: not_to_issue,
                draft_sent_on: draft,
                ..assessing()
            };
            assert_eq!(
                status_of(&facts, today, DecisionNotToIssue),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn decision_not_to_issue_closes_the_final_plan() {
        let facts = AssessmentFacts {
            decided_not_to_issue_on: Some(d(2026, 4, 20)),
            advice: vec![advice(1, d(2026, 2, 11), None, None)],
            ..assessing()
        };
        assert_eq!(
            summary(&facts, d(2026, 6, 1)),
            vec![
                (DecisionToAssess, d(2026, 2, 17), Met),
                (AdviceResponse, d(2026, 3, 25), NotApplicable),
                (DecisionNotToIssue, d(2026, 4, 28), Met),
                (FinalPlan, d(2026, 5, 26), NotApplicable),
            ]
        );
    }

    #[test]
    fn draft_comments_are_the_parents_window_and_never_overdue() {
        // Draft sent 6 Mar 2026: comments until 20 Mar 2026.
        #[rustfmt::skip]
        let cases = [
            ("day the draft is sent", None, d(2026, 3, 6), DueSoon),
            ("next day", None, d(2026, 3, 7), DueSoon),
            ("last day", None, d(2026, 3, 20), DueSoon),
            ("closed with no response", None, d(2026, 3, 21), NotApplicable),
            ("responded on the last day", Some(d(2026, 3, 20)), d(2026, 4, 1), Met),
            ("responded early, window still open", Some(d(2026, 3, 10)), d(2026, 3, 10), Met),
            ("responded a day late", Some(d(2026, 3, 21)), d(2026, 4, 1), Missed),
        ];
        for (name, responded, today, expected) in cases {
            let facts = AssessmentFacts {
                draft_sent_on: Some(d(2026, 3, 6)),
                parent_responded_on: responded,
                ..assessing()
            };
            let deadline = assessment_deadlines(&facts, today)
                .into_iter()
                .find(|d| d.kind == DraftComments)
                .unwrap();
            assert_eq!(deadline.due_on, d(2026, 3, 20), "{name}");
            assert_eq!(deadline.status, expected, "{name}");
            assert_eq!(deadline.met_on, responded, "{name}");
            assert_eq!(
                deadline.regulation,
                "SEND Regs 2014 reg 13(1); CFA 2014 s.38"
            );
            assert_eq!(deadline.kind.party(), Party::Parent);
        }
    }

    #[test]
    fn draft_comments_appear_only_once_a_draft_is_sent() {
        let kinds = |facts: &AssessmentFacts| -> Vec<DeadlineKind> {
            assessment_deadlines(facts, d(2026, 3, 10))
                .into_iter()
                .map(|d| d.kind)
                .collect()
        };
        assert_eq!(
            kinds(&assessing()),
            vec![DecisionToAssess, DecisionNotToIssue, FinalPlan]
        );
        let drafted = AssessmentFacts {
            draft_sent_on: Some(d(2026, 3, 6)),
            ..assessing()
        };
        assert_eq!(
            kinds(&drafted),
            vec![
                DecisionToAssess,
                DecisionNotToIssue,
                DraftComments,
                FinalPlan
            ]
        );
    }

    #[test]
    fn draft_comment_window_crosses_year_end_and_leap_day() {
        let cases = [
            (d(2025, 12, 20), d(2026, 1, 3)),
            (d(2028, 2, 14), d(2028, 2, 28)),
            (d(2026, 2, 14), d(2026, 2, 28)),
            (d(2025, 11, 30), d(2025, 12, 14)),
        ];
        for (sent, until) in cases {
            assert_eq!(draft_comments_until(sent), until, "draft sent {sent}");
        }
    }

    #[test]
    fn final_plan_is_due_twenty_weeks_after_the_request() {
        let drafted = AssessmentFacts {
            draft_sent_on: Some(d(2026, 4, 20)),
            parent_responded_on: Some(d(2026, 4, 30)),
            ..assessing()
        };
        // Closed 1 to 28 April when its advice was asked for on 30 March.
        let closure = RecordedException {
            advice_request_id: Some(1),
            advice_requested_on: Some(d(2026, 3, 30)),
            ..exception("SCHOOL_CLOSED", d(2026, 4, 1), d(2026, 4, 28))
        };
        #[rustfmt::skip]
        let cases = [
            ("issued on the due date", Some(d(2026, 5, 26)), vec![], d(2026, 6, 1), Met, None),
            ("issued a day late", Some(d(2026, 5, 27)), vec![], d(2026, 6, 1), Missed, None),
            ("open, today = due", None, vec![], d(2026, 5, 26), DueSoon, None),
            ("open, due − 15", None, vec![], d(2026, 5, 11), Pending, None),
            ("open, due − 14", None, vec![], d(2026, 5, 12), DueSoon, None),
            ("open, due + 1", None, vec![], d(2026, 5, 27), Overdue, None),
            (
                "open, school closed 4 weeks",
                None,
                vec![closure.clone()],
                d(2026, 5, 27),
                Excepted,
                Some(d(2026, 6, 23)),
            ),
            (
                "issued late, school closed 4 weeks",
                Some(d(2026, 6, 20)),
                vec![closure],
                d(2026, 6, 25),
                Excepted,
                Some(d(2026, 6, 23)),
            ),
        ];
        for (name, issued, exceptions, today, expected, target) in cases {
            let facts = AssessmentFacts {
                final_issued_on: issued,
                exceptions,
                ..drafted.clone()
            };
            let deadline = assessment_deadlines(&facts, today).pop().unwrap();
            assert_eq!(deadline.kind, FinalPlan, "{name}");
            assert_eq!(deadline.due_on, d(2026, 5, 26), "{name}");
            assert_eq!(deadline.status, expected, "{name}");
            assert_eq!(deadline.target_on, target, "{name}");
        }
    }

    #[test]
    fn reassessment_final_plan_is_due_fourteen_weeks_after_the_decision_to_reassess() {
        let cases = [
            (d(2026, 1, 6), d(2026, 4, 14)),
            (d(2025, 12, 31), d(2026, 4, 8)),
            (d(2028, 2, 29), d(2028, 6, 6)),
            (d(2025, 11, 30), d(2026, 3, 8)),
        ];
        for (decided, due) in cases {
            let deadlines = assessment_deadlines(&reassessment(decided), decided);
            assert_eq!(
                deadlines.len(),
                1,
                "no 6- or 16-week limits on a re-assessment"
            );
            assert_eq!(deadlines[0].kind, ReassessmentFinalPlan);
            assert_eq!(deadlines[0].due_on, due, "decided {decided}");
            assert_eq!(deadlines[0].regulation, "SEND Regs 2014 reg 27(2)");
            assert_eq!(deadlines[0].status, Pending);
        }
    }

    #[test]
    fn reassessment_keeps_advice_deadlines_and_its_exceptions() {
        let facts = AssessmentFacts {
            advice: vec![advice(9, d(2026, 1, 13), Some(d(2026, 2, 24)), None)],
            exceptions: vec![exception(
                "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES",
                d(2026, 3, 1),
                d(2026, 3, 7),
            )],
            ..reassessment(d(2026, 1, 6))
        };
        let deadlines = assessment_deadlines(&facts, d(2026, 4, 20));
        assert_eq!(
            deadlines
                .iter()
                .map(|d| (d.kind, d.due_on, d.status, d.target_on))
                .collect::<Vec<_>>(),
            vec![
                (AdviceResponse, d(2026, 2, 24), Met, None),
                // Reg 27(3): 7 days → target 21 Apr 2026.
                (
                    ReassessmentFinalPlan,
                    d(2026, 4, 14),
                    Excepted,
                    Some(d(2026, 4, 21))
                ),
            ]
        );
    }

    #[test]
    fn withdrawal_or_transfer_makes_open_steps_not_applicable() {
        let withdrawn_with_advice_out = AssessmentFacts {
            advice: vec![advice(1, d(2026, 2, 11), None, None)],
            withdrawn_on: Some(d(2026, 3, 1)),
            ..assessing()
        };
        let transferred_before_decision = AssessmentFacts {
            transferred_out_on: Some(d(2026, 1, 20)),
            ..initial(d(2026, 1, 6))
        };
        let transferred_during_draft = AssessmentFacts {
            draft_sent_on: Some(d(2026, 3, 6)),
            transferred_out_on: Some(d(2026, 3, 10)),
            ..assessing()
        };
        let withdrawn_after_comments = AssessmentFacts {
            draft_sent_on: Some(d(2026, 3, 6)),
            parent_responded_on: Some(d(2026, 3, 9)),
            withdrawn_on: Some(d(2026, 3, 10)),
            ..assessing()
        };
        let withdrawn_reassessment = AssessmentFacts {
            withdrawn_on: Some(d(2026, 2, 1)),
            ..reassessment(d(2026, 1, 6))
        };
        let today = d(2026, 6, 1);
        let cases = [
            (
                "withdrawn with advice outstanding",
                withdrawn_with_advice_out,
                vec![
                    (DecisionToAssess, d(2026, 2, 17), Met),
                    (AdviceResponse, d(2026, 3, 25), NotApplicable),
                    (DecisionNotToIssue, d(2026, 4, 28), NotApplicable),
                    (FinalPlan, d(2026, 5, 26), NotApplicable),
                ],
            ),
            (
                "transferred out before the decision",
                transferred_before_decision,
                vec![
                    (DecisionToAssess, d(2026, 2, 17), NotApplicable),
                    (DecisionNotToIssue, d(2026, 4, 28), NotApplicable),
                    (FinalPlan, d(2026, 5, 26), NotApplicable),
                ],
            ),
            (
                "transferred out while the draft was with the parent",
                transferred_during_draft,
                vec![
                    (DecisionToAssess, d(2026, 2, 17), Met),
                    (DecisionNotToIssue, d(2026, 4, 28), NotApplicable),
                    (DraftComments, d(2026, 3, 20), NotApplicable),
                    (FinalPlan, d(2026, 5, 26), NotApplicable),
                ],
            ),
            (
                "withdrawn after the parent commented",
                withdrawn_after_comments,
                vec![
                    (DecisionToAssess, d(2026, 2, 17), Met),
                    (DecisionNotToIssue, d(2026, 4, 28), NotApplicable),
                    (DraftComments, d(2026, 3, 20), Met),
                    (FinalPlan, d(2026, 5, 26), NotApplicable),
                ],
            ),
            (
                "re-assessment withdrawn",
                withdrawn_reassessment,
                vec![(ReassessmentFinalPlan, d(2026, 4, 14), NotApplicable)],
            ),
        ];
        for (name, facts, expected) in cases {
            assert_eq!(summary(&facts, today), expected, "{name}");
        }
    }

    #[test]
    fn not_applicable_after_closure_drops_exception_targets() {
        let facts = AssessmentFacts {
            exceptions: vec![exception(
                "ABSENT_FROM_AREA",
                d(2026, 2, 11),
                d(2026, 3, 20),
            )],
            withdrawn_on: Some(d(2026, 3, 25)),
            ..assessing()
        };
        let final_plan = assessment_deadlines(&facts, d(2026, 6, 1)).pop().unwrap();
        assert_eq!(final_plan.status, NotApplicable);
        assert_eq!(final_plan.target_on, None);
        assert!(final_plan.excepted_by.is_empty());
    }

    #[test]
    fn sen2_twenty_week_measure_for_issued_initial_plans() {
        // Closed 1 to 28 April when its advice was asked for on 30 March.
        let closure = RecordedException {
            advice_request_id: Some(1),
            advice_requested_on: Some(d(2026, 3, 30)),
            ..exception("SCHOOL_CLOSED", d(2026, 4, 1), d(2026, 4, 28))
        };
        let late_exception = exception("ABSENT_FROM_AREA", d(2026, 5, 11), d(2026, 6, 20));
        #[rustfmt::skip]
        let cases = [
            ("on the due date", Some(d(2026, 5, 26)), vec![], Some((true, false, 140))),
            ("a day late", Some(d(2026, 5, 27)), vec![], Some((false, false, 141))),
            (
                "late with an exception",
                Some(d(2026, 6, 20)),
                vec![closure.clone()],
                Some((false, true, 165)),
            ),
            (
                "in time with an exception",
                Some(d(2026, 5, 26)),
                vec![closure],
                Some((true, true, 140)),
            ),
            (
                "exception after the plan was issued",
                Some(d(2026, 5, 10)),
                vec![late_exception],
                Some((true, false, 124)),
            ),
            ("not issued", None, vec![], None),
        ];
        for (name, issued, exceptions, expected) in cases {
            let facts = AssessmentFacts {
                final_issued_on: issued,
                exceptions,
                ..initial(d(2026, 1, 6))
            };
            let expected = expected.map(|(within, exception, days)| TwentyWeekMeasure {
                within_twenty_weeks: within,
                exception_applies: exception,
                days_taken: days,
            });
            assert_eq!(sen2_twenty_week_measure(&facts), expected, "{name}");
        }
        let reassessed = AssessmentFacts {
            final_issued_on: Some(d(2026, 3, 1)),
            ..reassessment(d(2026, 1, 6))
        };
        assert_eq!(sen2_twenty_week_measure(&reassessed), None);
    }

    const EXPECTED_TRANSITIONS: [(AssessmentState, &[(AssessmentAction, AssessmentState)]); 8] = [
        (
            S::Requested,
            &[
                (A::DecideToAssess, S::Assessing),
                (A::DecideNotToAssess, S::DecidedNotToAssess),
                (A::RecordException, S::Requested),
                (A::Withdraw, S::Withdrawn),
                (A::TransferOut, S::TransferredOut),
            ],
        ),
        (S::DecidedNotToAssess, &[]),
        (
            S::Assessing,
            &[
                (A::RequestAdvice, S::Assessing),
                (A::RecordAdvice, S::Assessing),
                (A::RecordException, S::Assessing),
                (A::DecideNotToIssue, S::DecidedNotToIssue),
                (A::SendDraft, S::DraftIssued),
                (A::Withdraw, S::Withdrawn),
                (A::TransferOut, S::TransferredOut),
            ],
        ),
        (S::DecidedNotToIssue, &[]),
        (
            S::DraftIssued,
            &[
                (A::RecordAdvice, S::DraftIssued),
                (A::RecordException, S::DraftIssued),
                (A::RecordParentResponse, S::DraftIssued),
                (A::ConsultSetting, S::DraftIssued),
                (A::RecordSettingResponse, S::DraftIssued),
                (A::IssueFinalPlan, S::FinalIssued),
                (A::Withdraw, S::Withdrawn),
                (A::TransferOut, S::TransferredOut),
            ],
        ),
        (S::FinalIssued, &[]),
        (S::Withdrawn, &[]),
        (S::TransferredOut, &[]),
    ];

    #[test]
    fn every_transition_is_allowed_or_refused_as_listed() {
        let mut checked = 0;
        for (state, allowed) in EXPECTED_TRANSITIONS {
            let allowed_actions_expected: Vec<AssessmentAction> =
                allowed.iter().map(|(action, _)| *action).collect();
            assert_eq!(
                allowed_actions(AssessmentKind::Initial, state),
                allowed_actions_expected,
                "{state:?}"
            );
            assert_eq!(state.is_closed(), allowed.is_empty(), "{state:?}");
            for action in AssessmentAction::ALL {
                let expected = match allowed.iter().find(|(a, _)| *a == action) {
                    Some((_, target)) => Ok(*target),
                    None => Err(TransitionError {
                        state,
                        action,
                        allowed: allowed_actions_expected.clone(),
                    }),
                };
                assert_eq!(
                    transition(AssessmentKind::Initial, state, action),
                    expected,
                    "{state:?} + {action:?}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 8 * 13);
    }

    #[test]
    fn refused_transition_explains_what_is_allowed() {
        let error = transition(AssessmentKind::Initial, S::Requested, A::SendDraft).unwrap_err();
        assert_eq!(
            error.to_string(),
            "SEND_DRAFT is not allowed when the assessment is REQUESTED; allowed: \
             DECIDE_TO_ASSESS, DECIDE_NOT_TO_ASSESS, RECORD_EXCEPTION, WITHDRAW, TRANSFER_OUT"
        );
        let closed = transition(AssessmentKind::Initial, S::FinalIssued, A::Withdraw).unwrap_err();
        assert_eq!(
            closed.to_string(),
            "WITHDRAW is not allowed when the assessment is FINAL_ISSUED; the assessment is closed"
        );
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        let states = [
            (S::Requested, "REQUESTED"),
            (S::DecidedNotToAssess, "DECIDED_NOT_TO_ASSESS"),
            (S::Assessing, "ASSESSING"),
            (S::DecidedNotToIssue, "DECIDED_NOT_TO_ISSUE"),
            (S::DraftIssued, "DRAFT_ISSUED"),
            (S::FinalIssued, "FINAL_ISSUED"),
            (S::Withdrawn, "WITHDRAWN"),
            (S::TransferredOut, "TRANSFERRED_OUT"),
        ];
        for (state, code) in states {
            assert_eq!(state.as_str(), code);
            assert_eq!(S::parse(code), Ok(state));
        }
        for action in AssessmentAction::ALL {
            assert_eq!(A::parse(action.as_str()), Ok(action));
        }
        assert_eq!(A::RecordParentResponse.as_str(), "RECORD_PARENT_RESPONSE");
        for kind in AssessmentKind::ALL {
            assert_eq!(AssessmentKind::parse(kind.as_str()), Ok(kind));
        }
        let unknown = S::parse("requested").unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "unknown assessment state: \"requested\""
        );
        assert!(A::parse("").is_err());
        assert!(AssessmentKind::parse("FIRST").is_err());
    }

    #[test]
    fn next_step_says_who_acts_next_and_by_when() {
        use Party::*;
        let away = exception("ABSENT_FROM_AREA", d(2026, 1, 1), d(2026, 1, 28));
        let requested_with_exception = AssessmentFacts {
            exceptions: vec![away],
            ..initial(d(2026, 1, 6))
        };
        let waiting_for_advice = AssessmentFacts {
            advice: vec![
                advice(2, d(2026, 2, 13), None, None),
                advice(1, d(2026, 2, 11), None, None),
                advice(3, d(2026, 2, 11), Some(d(2026, 3, 1)), None),
                advice(4, d(2026, 2, 11), None, Some(d(2026, 2, 12))),
            ],
            ..assessing()
        };
        let advice_in = AssessmentFacts {
            advice: vec![advice(1, d(2026, 2, 11), Some(d(2026, 3, 20)), None)],
            ..assessing()
        };
        let reassessment_advice_in = AssessmentFacts {
            advice: vec![advice(1, d(2026, 1, 13), Some(d(2026, 2, 20)), None)],
            ..reassessment(d(2026, 1, 6))
        };
        let drafted = AssessmentFacts {
            draft_sent_on: Some(d(2026, 3, 6)),
            ..advice_in.clone()
        };
        let commented = AssessmentFacts {
            parent_responded_on: Some(d(2026, 3, 12)),
            ..drafted.clone()
        };
        let cases = [
            (
                "request waiting for a decision",
                S::Requested,
                initial(d(2026, 1, 6)),
                d(2026, 1, 6),
                Some(A::DecideToAssess),
                LocalAuthority,
                Some(d(2026, 2, 17)),
                Some("SEND Regs 2014 reg 5(1)"),
                "The council must decide whether to carry out an EHC needs assessment and tell \
                 you by 17 February 2026.",
            ),
            (
                "request with an exception",
                S::Requested,
                requested_with_exception,
                d(2026, 2, 1),
                Some(A::DecideToAssess),
                LocalAuthority,
                Some(d(2026, 2, 17)),
                Some("SEND Regs 2014 reg 5(1)"),
                "The council must decide whether to carry out an EHC needs assessment and tell \
                 you by 17 February 2026. The usual time limit does not apply. Reason: The \
                 child, young person or parent was away from the area for 4 weeks or more. The \
                 council is now aiming for 17 March 2026.",
            ),
            (
                "re-assessment not yet recorded as agreed",
                S::Requested,
                reassessment(d(2026, 1, 6)),
                d(2026, 1, 6),
                Some(A::DecideToAssess),
                LocalAuthority,
                None,
                None,
                "The council needs to record its decision to re-assess the EHC plan.",
            ),
            (
                "assessing, no advice asked for yet",
                S::Assessing,
                assessing(),
                d(2026, 2, 10),
                Some(A::RequestAdvice),
                LocalAuthority,
                None,
                Some("SEND Regs 2014 reg 6(1)"),
                "The council must ask for advice: from you, your child's school or setting, \
                 health services, an educational psychologist and social care.",
            ),
            (
                "waiting for two professionals",
                S::Assessing,
                waiting_for_advice,
                d(2026, 3, 2),
                Some(A::RecordAdvice),
                Professional,
                Some(d(2026, 3, 25)),
                Some("SEND Regs 2014 reg 8(1)"),
                "Waiting for advice from 2 professionals; the next is due by 25 March 2026.",
            ),
            (
                "all advice in",
                S::Assessing,
                advice_in.clone(),
                d(2026, 3, 20),
                Some(A::SendDraft),
                LocalAuthority,
                Some(d(2026, 4, 28)),
                Some("SEND Regs 2014 reg 10(1)"),
                "The council must decide whether to issue an EHC plan. If it will not, it must \
                 tell you by 28 April 2026; if it will, it sends you a draft plan first, and the \
                 final plan is due by 26 May 2026.",
            ),
            (
                "re-assessment, all advice in",
                S::Assessing,
                reassessment_advice_in,
                d(2026, 2, 20),
                Some(A::SendDraft),
                LocalAuthority,
                Some(d(2026, 4, 14)),
                Some("SEND Regs 2014 reg 27(2)"),
                "The council must send you a draft of the new plan; the final plan is due by 14 \
                 April 2026.",
            ),
            (
                "draft with the parent",
                S::DraftIssued,
                drafted.clone(),
                d(2026, 3, 10),
                Some(A::RecordParentResponse),
                Parent,
                Some(d(2026, 3, 20)),
                Some("SEND Regs 2014 reg 13(1); CFA 2014 s.38"),
                "You can comment on the draft plan, ask to meet the council, or ask for a \
                 particular school or college to be named, until 20 March 2026.",
            ),
            (
                "parent has commented",
                S::DraftIssued,
                commented,
                d(2026, 3, 12),
                Some(A::IssueFinalPlan),
                LocalAuthority,
                Some(d(2026, 5, 26)),
                Some("SEND Regs 2014 reg 13(2)"),
                "The council must issue the final EHC plan by 26 May 2026.",
            ),
            (
                "comment window closed without a response",
                S::DraftIssued,
                drafted,
                d(2026, 3, 21),
                Some(A::IssueFinalPlan),
                LocalAuthority,
                Some(d(2026, 5, 26)),
                Some("SEND Regs 2014 reg 13(2)"),
                "The council must issue the final EHC plan by 26 May 2026.",
            ),
        ];
        for (name, state, facts, today, action, party, due_on, regulation, description) in cases {
            assert_eq!(
                next_step(state, &facts, today, Reader::Family),
                Some(NextStep {
                    action,
                    description: description.to_owned(),
                    party,
                    due_on,
                    regulation,
                }),
                "{name}"
            );
            // Staff read the same step, addressed to the council: what it must do, or what
            // the family may, and by when; never "you".
            let staff = next_step(state, &facts, today, Reader::Staff).expect("a step");
            assert_eq!(
                (staff.action, staff.party, staff.due_on, staff.regulation),
                (action, party, due_on, regulation),
                "{name}"
            );
            let words: Vec<String> = staff
                .description
                .split(|c: char| !c.is_alphabetic())
                .map(str::to_lowercase)
                .collect();
            assert!(
                !words.iter().any(|w| w == "you" || w == "your"),
                "{name}: {}",
                staff.description
            );
            if description.contains("you") {
                assert_ne!(staff.description, description, "{name}");
            }
        }
        let staff = next_step(
            S::Requested,
            &initial(d(2026, 1, 6)),
            d(2026, 1, 6),
            Reader::Staff,
        );
        assert_eq!(
            staff.expect("a step").description,
            "Decide whether to carry out an EHC needs assessment, and tell the family, by \
             17 February 2026."
        );
    }

    #[test]
    fn closed_assessments_have_no_next_step() {
        for state in AssessmentState::ALL.into_iter().filter(|s| s.is_closed()) {
            assert_eq!(
                next_step(state, &assessing(), d(2026, 6, 1), Reader::Family),
                None,
                "{state:?}"
            );
        }
    }

    #[test]
    fn timeline_tells_the_story_in_date_order() {
        let facts = AssessmentFacts {
            draft_sent_on: Some(d(2026, 3, 6)),
            parent_responded_on: Some(d(2026, 3, 12)),
            final_issued_on: Some(d(2026, 3, 24)),
            advice: vec![
                advice(3, d(2026, 2, 11), Some(d(2026, 3, 20)), None),
                advice(4, d(2026, 2, 11), None, Some(d(2026, 2, 16))),
            ],
            exceptions: vec![RecordedException {
                advice_request_id: Some(3),
                advice_requested_on: None,
                ..exception("MISSED_APPOINTMENT", d(2026, 3, 2), d(2026, 3, 2))
            }],
            ..assessing()
        };
        #[rustfmt::skip]
        let expected = [
            (d(2026, 1, 6), "Request for an EHC needs assessment received"),
            (d(2026, 2, 10), "The council decided to carry out an EHC needs assessment"),
            (d(2026, 2, 11), "Advice requested from Service 3"),
            (d(2026, 2, 11), "Advice requested from Service 4"),
            (d(2026, 2, 16), "Service 4 declined to give advice"),
            (
                d(2026, 3, 2),
                "Exception to the time limits for advice from Service 3: An appointment for an examination \
                 or test was missed, on 2 March 2026",
            ),
            (d(2026, 3, 6), "Draft plan sent to you — you have until 20 March 2026 to comment"),
            (d(2026, 3, 12), "The council received your comments on the draft plan"),
            (d(2026, 3, 20), "Advice received from Service 3"),
            (d(2026, 3, 24), "Final EHC plan issued — you can appeal what it says"),
        ];
        let got: Vec<(NaiveDate, String)> = timeline(&facts)
            .into_iter()
            .map(|m| (m.on, m.text))
            .collect();
        let expected: Vec<(NaiveDate, String)> = expected
            .iter()
            .map(|(on, text)| (*on, (*text).to_owned()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn timeline_of_refusals_withdrawals_and_transfers() {
        let refused = AssessmentFacts {
            decided_not_to_assess_on: Some(d(2026, 2, 17)),
            ..initial(d(2025, 12, 31))
        };
        let not_issued = AssessmentFacts {
            decided_not_to_issue_on: Some(d(2026, 4, 28)),
            exceptions: vec![exception("SCHOOL_CLOSED", d(2026, 3, 30), d(2026, 4, 26))],
            transferred_out_on: None,
            ..assessing()
        };
        let reassessment_withdrawn = AssessmentFacts {
            decided_to_assess_on: Some(d(2028, 2, 29)),
            withdrawn_on: Some(d(2028, 2, 29)),
            ..reassessment(d(2028, 2, 29))
        };
        let transferred = AssessmentFacts {
            transferred_out_on: Some(d(2025, 12, 1)),
            ..initial(d(2025, 11, 30))
        };
        let cases = [
            (
                "refused",
                refused,
                vec![
                    (
                        d(2025, 12, 31),
                        "Request for an EHC needs assessment received",
                    ),
                    (
                        d(2026, 2, 17),
                        "The council decided not to carry out an EHC needs assessment — you can \
                         appeal this decision",
                    ),
                ],
            ),
            (
                "not issued",
                not_issued,
                vec![
                    (
                        d(2026, 1, 6),
                        "Request for an EHC needs assessment received",
                    ),
                    (
                        d(2026, 2, 10),
                        "The council decided to carry out an EHC needs assessment",
                    ),
                    (
                        d(2026, 3, 30),
                        "Exception to the time limits: The school or college was closed for 4 \
                         weeks or more when its advice was asked for, from 30 March 2026 to 26 \
                         April 2026",
                    ),
                    (
                        d(2026, 4, 28),
                        "The council decided not to issue an EHC plan — you can appeal this \
                         decision",
                    ),
                ],
            ),
            (
                "re-assessment withdrawn",
                reassessment_withdrawn,
                vec![
                    (
                        d(2028, 2, 29),
                        "The council decided to re-assess the EHC plan",
                    ),
                    (d(2028, 2, 29), "The re-assessment was withdrawn"),
                ],
            ),
            (
                "transferred",
                transferred,
                vec![
                    (
                        d(2025, 11, 30),
                        "Request for an EHC needs assessment received",
                    ),
                    (d(2025, 12, 1), "The case moved to another council"),
                ],
            ),
        ];
        for (name, facts, expected) in cases {
            let got: Vec<(NaiveDate, String)> = timeline(&facts)
                .into_iter()
                .map(|m| (m.on, m.text))
                .collect();
            let expected: Vec<(NaiveDate, String)> = expected
                .into_iter()
                .map(|(on, text)| (on, text.to_owned()))
                .collect();
            assert_eq!(got, expected, "{name}");
        }
        let withdrawn = AssessmentFacts {
            withdrawn_on: Some(d(2026, 1, 7)),
            ..initial(d(2026, 1, 6))
        };
        assert_eq!(
            timeline(&withdrawn).last().map(|m| m.text.as_str()),
            Some("The request for an assessment was withdrawn")
        );
    }

    #[test]
    fn action_dates_must_fall_between_the_request_and_today() {
        let received = d(2026, 1, 6);
        let today = d(2026, 3, 1);
        #[rustfmt::skip]
        let cases = [
            (today, Ok(())),
            (received, Ok(())),
            (d(2026, 3, 2), Err(DateError::InFuture { on: d(2026, 3, 2), today })),
            (d(2026, 1, 5), Err(DateError::BeforeStart { on: d(2026, 1, 5), received_on: received })),
        ];
        for (on, expected) in cases {
            assert_eq!(validate_action_date(on, received, today), expected, "{on}");
        }
        assert_eq!(
            validate_action_date(d(2026, 1, 1), d(2025, 12, 31), d(2026, 1, 1)),
            Ok(())
        );
    }

    #[test]
    fn date_errors_say_why() {
        assert_eq!(
            DateError::InFuture {
                on: d(2026, 3, 2),
                today: d(2026, 3, 1)
            }
            .to_string(),
            "2 March 2026 is in the future (today is 1 March 2026): record a step once it has \
             happened"
        );
        assert_eq!(
            DateError::BeforeStart {
                on: d(2026, 1, 5),
                received_on: d(2026, 1, 6)
            }
            .to_string(),
            "5 January 2026 is before the assessment started on 6 January 2026"
        );
    }

    #[test]
    fn final_plan_waits_for_the_parents_fifteen_days_unless_they_responded() {
        let window_open = |draft_sent_on, comments_until| {
            Err(FinalIssueError::CommentWindowOpen {
                draft_sent_on,
                comments_until,
            })
        };
        let draft = d(2026, 3, 6);
        #[rustfmt::skip]
        let cases = [
            ("no draft", None, None, d(2026, 4, 1), Err(FinalIssueError::NoDraft)),
            (
                "before the draft",
                Some(draft),
                Some(d(2026, 3, 6)),
                d(2026, 3, 5),
                Err(FinalIssueError::BeforeDraft {
                    draft_sent_on: draft,
                }),
            ),
            ("day of the draft", Some(draft), None, draft, window_open(draft, d(2026, 3, 20))),
            (
                "last day to comment",
                Some(draft),
                None,
                d(2026, 3, 20),
                window_open(draft, d(2026, 3, 20)),
            ),
            ("window closed", Some(draft), None, d(2026, 3, 21), Ok(())),
            (
                "parent responded the day before",
                Some(draft),
                Some(d(2026, 3, 9)),
                d(2026, 3, 10),
                Ok(()),
            ),
            (
                "parent responded the same day",
                Some(draft),
                Some(d(2026, 3, 10)),
                d(2026, 3, 10),
                Ok(()),
            ),
            (
                "parent responded only after that date",
                Some(draft),
                Some(d(2026, 3, 11)),
                d(2026, 3, 10),
                window_open(draft, d(2026, 3, 20)),
            ),
            (
                "over the new year",
                Some(d(2025, 12, 20)),
                None,
                d(2026, 1, 3),
                window_open(d(2025, 12, 20), d(2026, 1, 3)),
            ),
            ("over the new year, closed", Some(d(2025, 12, 20)), None, d(2026, 1, 4), Ok(())),
            ("leap year, closed", Some(d(2028, 2, 14)), None, d(2028, 2, 29), Ok(())),
            (
                "leap year, last day",
                Some(d(2028, 2, 14)),
                None,
                d(2028, 2, 28),
                window_open(d(2028, 2, 14), d(2028, 2, 28)),
            ),
        ];
        for (name, draft_sent_on, parent_responded_on, on, expected) in cases {
            let facts = AssessmentFacts {
                draft_sent_on,
                parent_responded_on,
                ..assessing()
            };
            assert_eq!(check_final_issue_allowed(&facts, on), expected, "{name}");
        }
    }

    #[test]
    fn final_issue_errors_say_why() {
        assert_eq!(
            FinalIssueError::CommentWindowOpen {
                draft_sent_on: d(2026, 3, 6),
                comments_until: d(2026, 3, 20)
            }
            .to_string(),
            "the parent or young person has until 20 March 2026 to comment on the draft plan \
             (SEND Regs 2014 reg 13(1)); the final plan can be issued from 21 March 2026, or \
             sooner once they have responded"
        );
        assert_eq!(
            FinalIssueError::NoDraft.to_string(),
            "a draft plan must be sent to the parent or young person before the final plan \
             (CFA 2014 s.38; SEND Regs 2014 reg 13(1))"
        );
        assert_eq!(
            FinalIssueError::BeforeDraft {
                draft_sent_on: d(2026, 3, 6)
            }
            .to_string(),
            "the final plan cannot be dated before the draft plan was sent on 6 March 2026"
        );
    }

    #[test]
    fn an_ordered_assessment_runs_on_the_orders_clocks_from_the_agreement() {
        // LGSCO 25 012 582: agreed at mediation on 14 January 2025 to assess.
        let facts = AssessmentFacts::new(AssessmentKind::Ordered, d(2025, 1, 14));
        let due: Vec<_> = assessment_deadlines(&facts, d(2025, 1, 20))
            .into_iter()
            .map(|d| (d.kind, d.due_on))
            .collect();
        assert_eq!(
            due,
            [
                (OrderAssessmentNotice, d(2025, 1, 28)),
                (OrderNoPlanDecision, d(2025, 3, 25)),
                (OrderFinalPlan, d(2025, 4, 22)),
            ]
        );
        assert!(
            !allowed_actions(AssessmentKind::Ordered, S::Requested).contains(&A::DecideNotToAssess),
            "the refusal is what was overturned"
        );
        assert!(
            allowed_actions(AssessmentKind::Ordered, S::Requested).contains(&A::DecideToAssess)
        );
        let refused =
            transition(AssessmentKind::Ordered, S::Requested, A::DecideNotToAssess).unwrap_err();
        assert!(!refused.allowed.contains(&A::DecideNotToAssess));
    }

    #[test]
    fn an_order_to_make_a_plan_sets_the_draft_and_the_final_plan_and_no_refusal() {
        let sent = d(2025, 3, 3);
        let facts = AssessmentFacts {
            decided_to_assess_on: Some(sent),
            ..AssessmentFacts::new(AssessmentKind::OrderedPlan, sent)
        };
        let due: Vec<_> = assessment_deadlines(&facts, sent)
            .into_iter()
            .map(|d| (d.kind, d.due_on))
            .collect();
        assert_eq!(
            due,
            [
                (OrderDraftPlan, d(2025, 4, 7)),
                (OrderMadePlan, d(2025, 5, 19))
            ]
        );
        assert!(
            !allowed_actions(AssessmentKind::OrderedPlan, S::Assessing)
                .contains(&A::DecideNotToIssue)
        );
        let step = next_step(S::Assessing, &facts, sent, Reader::Family).expect("a step");
        assert_eq!(step.due_on, Some(d(2025, 4, 7)));
        assert!(
            step.description.contains("7 April 2025"),
            "{}",
            step.description
        );
        assert!(
            step.description.contains("19 May 2025"),
            "{}",
            step.description
        );
    }

    #[test]
    fn a_reg_44_3_exception_lifts_the_orders_open_limits_only() {
        let facts = AssessmentFacts {
            decided_to_assess_on: Some(d(2025, 1, 27)),
            order_exception: Some(RecordedOrderException {
                reason: crate::domain::dispute::OrderException::ExceptionalPersonalCircumstances,
                from: d(2025, 2, 10),
                until: None,
            }),
            ..AssessmentFacts::new(AssessmentKind::Ordered, d(2025, 1, 14))
        };
        let deadlines = assessment_deadlines(&facts, d(2025, 5, 1));
        let status: Vec<_> = deadlines.iter().map(|d| (d.kind, d.status)).collect();
        assert_eq!(
            status,
            [
                (OrderAssessmentNotice, Met),
                (OrderNoPlanDecision, Excepted),
                (OrderFinalPlan, Excepted),
            ]
        );
        assert_eq!(
            deadlines[2].excepted_by,
            ["EXCEPTIONAL_PERSONAL_CIRCUMSTANCES"]
        );
        // Before it began, the limits ran as usual.
        let before = assessment_deadlines(&facts.as_of(d(2025, 2, 9)), d(2025, 2, 9));
        assert_eq!(before[2].status, Pending);
        // Done late under the exception: EXCEPTED, as the backlog counts it, not MET.
        let late = AssessmentFacts {
            final_issued_on: Some(d(2025, 5, 6)),
            draft_sent_on: Some(d(2025, 4, 1)),
            ..facts.clone()
        };
        let status: Vec<_> = assessment_deadlines(&late, d(2025, 6, 1))
            .into_iter()
            .map(|d| (d.kind, d.status))
            .collect();
        assert!(status.contains(&(OrderFinalPlan, Excepted)), "{status:?}");
        // One recorded after a limit was missed excuses nothing.
        let after_due = AssessmentFacts {
            order_exception: Some(RecordedOrderException {
                reason: crate::domain::dispute::OrderException::FamilyRepresentations,
                from: d(2025, 4, 30),
                until: None,
            }),
            ..facts
        };
        let status: Vec<_> = assessment_deadlines(&after_due, d(2025, 5, 1))
            .into_iter()
            .map(|d| (d.kind, d.status))
            .collect();
        assert_eq!(
            status,
            [
                (OrderAssessmentNotice, Met),
                (OrderNoPlanDecision, Overdue),
                (OrderFinalPlan, Overdue),
            ]
        );
    }

    /// The deadlines open on `day` as the domain derives them from the facts known then.
    pub(crate) fn open_by_rules(
        facts: &AssessmentFacts,
        day: NaiveDate,
    ) -> Vec<(DeadlineKind, Option<i64>, NaiveDate, DeadlineStatus)> {
        if day < facts.received_on {
            return Vec::new();
        }
        let mut open: Vec<_> = assessment_deadlines(&facts.as_of(day), day)
            .into_iter()
            .filter(|d| d.met_on.is_none() && d.status != NotApplicable)
            .map(|d| (d.kind, d.advice_request_id, d.due_on, d.status))
            .collect();
        open.sort_by_key(|o| (o.0.as_str(), o.1));
        open
    }

    /// The same, from the tracked rows the store counts.
    pub(crate) fn open_by_tracking(
        facts: &AssessmentFacts,
        day: NaiveDate,
    ) -> Vec<(DeadlineKind, Option<i64>, NaiveDate, DeadlineStatus)> {
        let mut open: Vec<_> = tracked_deadlines(facts)
            .into_iter()
            .filter_map(|t| {
                t.standing_on(day)
                    .map(|s| (t.kind, t.advice_request_id, t.due_on, s.status()))
            })
            .collect();
        open.sort_by_key(|o| (o.0.as_str(), o.1));
        open
    }

    #[test]
    fn tracked_deadlines_agree_with_the_rules_on_every_day() {
        let received = d(2025, 9, 1);
        let decided = Some(d(2025, 10, 6));
        let base = AssessmentFacts {
            decided_to_assess_on: decided,
            advice: vec![
                advice(1, d(2025, 10, 7), Some(d(2025, 11, 10)), None),
                advice(2, d(2025, 10, 7), Some(d(2026, 1, 20)), None),
                advice(3, d(2025, 10, 8), None, Some(d(2025, 10, 30))),
                advice(4, d(2025, 10, 9), None, None),
            ],
            ..initial(received)
        };
        let mut missed = exception("MISSED_APPOINTMENT", d(2025, 11, 1), d(2025, 11, 1));
        missed.advice_request_id = Some(4);
        let cases = vec![
            ("requested only", initial(received)),
            (
                "refused",
                AssessmentFacts {
                    decided_not_to_assess_on: Some(d(2025, 10, 20)),
                    ..initial(received)
                },
            ),
            ("assessing with advice", base.clone()),
            (
                "not to issue",
                AssessmentFacts {
                    decided_not_to_issue_on: Some(d(2026, 1, 5)),
                    ..base.clone()
                },
            ),
            (
                "draft, no response, final late",
                AssessmentFacts {
                    draft_sent_on: Some(d(2026, 1, 12)),
                    final_issued_on: Some(d(2026, 3, 2)),
                    ..base.clone()
                },
            ),
            (
                "draft answered, still open",
                AssessmentFacts {
                    draft_sent_on: Some(d(2026, 1, 12)),
                    parent_responded_on: Some(d(2026, 1, 20)),
                    ..base.clone()
                },
            ),
            (
                "withdrawn",
                AssessmentFacts {
                    withdrawn_on: Some(d(2025, 12, 1)),
                    ..base.clone()
                },
            ),
            (
                "transferred out",
                AssessmentFacts {
                    transferred_out_on: Some(d(2025, 9, 20)),
                    ..initial(received)
                },
            ),
            (
                "exceptions",
                AssessmentFacts {
                    exceptions: vec![
                        exception("SCHOOL_CLOSED", d(2025, 12, 15), d(2026, 1, 20)),
                        missed,
                    ],
                    final_issued_on: Some(d(2026, 2, 20)),
                    draft_sent_on: Some(d(2026, 1, 30)),
                    ..base.clone()
                },
            ),
            (
                "re-assessment",
                AssessmentFacts {
                    advice: vec![advice(9, d(2025, 9, 10), None, None)],
                    exceptions: vec![exception(
                        "ABSENT_FROM_AREA",
                        d(2025, 11, 1),
                        d(2025, 12, 1),
                    )],
                    ..reassessment(received)
                },
            ),
            (
                "ordered, notified, late plan",
                AssessmentFacts {
                    decided_to_assess_on: Some(d(2025, 9, 10)),
                    advice: vec![advice(11, d(2025, 9, 11), Some(d(2025, 10, 1)), None)],
                    draft_sent_on: Some(d(2025, 11, 20)),
                    final_issued_on: Some(d(2026, 1, 5)),
                    ..AssessmentFacts::new(AssessmentKind::Ordered, received)
                },
            ),
            (
                "ordered, not to issue",
                AssessmentFacts {
                    decided_to_assess_on: Some(d(2025, 9, 10)),
                    decided_not_to_issue_on: Some(d(2025, 11, 1)),
                    ..AssessmentFacts::new(AssessmentKind::Ordered, received)
                },
            ),
            (
                "ordered with a reg 44(3) exception",
                AssessmentFacts {
                    decided_to_assess_on: Some(d(2025, 9, 10)),
                    order_exception: Some(RecordedOrderException {
                        reason: crate::domain::dispute::OrderException::AbsentTwoWeeks,
                        from: d(2025, 10, 20),
                        until: Some(d(2025, 11, 14)),
                    }),
                    ..AssessmentFacts::new(AssessmentKind::Ordered, received)
                },
            ),
            (
                "ordered plan",
                AssessmentFacts {
                    decided_to_assess_on: Some(received),
                    draft_sent_on: Some(d(2025, 10, 13)),
                    ..AssessmentFacts::new(AssessmentKind::OrderedPlan, received)
                },
            ),
        ];
        for (name, facts) in cases {
            let mut day = d(2025, 8, 25);
            while day <= d(2027, 3, 1) {
                assert_eq!(
                    open_by_tracking(&facts, day),
                    open_by_rules(&facts, day),
                    "{name} on {day}"
                );
                day = add_days(day, 1);
            }
        }
    }
}
