//! Statutory deadlines, each carrying its source, and the exceptions that lift them.
//!
//! References are to the Special Educational Needs and Disability Regulations 2014
//! (SI 2014/1530, "SEND Regs 2014") and the Children and Families Act 2014 ("CFA 2014").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::add_days;
use super::rules::{Lifts, rule_of};

/// "A continuous period of at least 4 weeks" (regs 5(4)(a), (b), (d)), in days.
pub const FOUR_WEEKS: i64 = 28;

/// A deadline is "due soon" when it falls within this many days of today.
pub const DUE_SOON_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeadlineStatus {
    /// Open, and more than [`DUE_SOON_DAYS`] away.
    Pending,
    /// Open, due today or within [`DUE_SOON_DAYS`].
    DueSoon,
    /// Open after its due date.
    Overdue,
    /// Done on or before its due date.
    Met,
    /// Done after its due date, with no exception.
    Missed,
    /// The statutory limit does not apply because an exception was recorded.
    Excepted,
    /// The step will not happen: a branch not taken, or the case closed.
    NotApplicable,
}

impl DeadlineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::DueSoon => "DUE_SOON",
            Self::Overdue => "OVERDUE",
            Self::Met => "MET",
            Self::Missed => "MISSED",
            Self::Excepted => "EXCEPTED",
            Self::NotApplicable => "NOT_APPLICABLE",
        }
    }
}

/// Who must act for a deadline to be met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Party {
    LocalAuthority,
    Parent,
    Professional,
    Setting,
    /// The mediation adviser or mediator, independent of the council.
    Mediator,
    /// The First-tier Tribunal (SEND), while an appeal is before it.
    Tribunal,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LocalAuthority => "LOCAL_AUTHORITY",
            Self::Parent => "PARENT",
            Self::Professional => "PROFESSIONAL",
            Self::Mediator => "MEDIATOR",
            Self::Setting => "SETTING",
            Self::Tribunal => "TRIBUNAL",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeadlineKind {
    /// Request + 6 weeks.
    DecisionToAssess,
    /// Advice request + 6 weeks.
    AdviceResponse,
    /// Request + 16 weeks.
    DecisionNotToIssue,
    /// Draft + 15 days: the parent's window, not the council's deadline.
    DraftComments,
    /// Request + 20 weeks.
    FinalPlan,
    /// Decision to re-assess + 14 weeks.
    ReassessmentFinalPlan,
    /// Plan issued or last reviewed + 12 months: the review completes on the council's
    /// decision.
    AnnualReview,
    /// Under-5s: plan issued or last reviewed + 6 months. Guidance, not statute.
    UnderFiveReview,
    /// Meeting − 2 weeks.
    ReviewInvitations,
    /// Advice asked for an annual review: due in time to circulate it, meeting − 2 weeks.
    ReviewAdvice,
    /// Meeting − 2 weeks.
    ReviewAdviceCirculated,
    /// Meeting + 2 weeks.
    ReviewReport,
    /// Meeting + 4 weeks.
    ReviewDecision,
    /// Meeting + 4 weeks: the proposed amendments go with the decision to amend (Devon).
    AmendmentNotice,
    /// Notice + 15 days: the parent's window, not the council's deadline.
    AmendmentComments,
    /// Notice + 8 weeks.
    AmendedPlan,
    /// Notice + 8 weeks, when the council decides not to amend after all.
    DecisionNotToAmend,
    /// Before 15 February of the calendar year of a school phase transfer.
    PhaseTransfer,
    /// Before 31 March of the calendar year of the move from school to post-16.
    PhaseTransferPost16,
    /// At least 5 months before a move between post-16 institutions.
    Post16Transfer,
    /// Transfer from another council + 6 weeks.
    TransferNotice,
    /// The later of 12 months from the last review and 3 months from the transfer.
    TransferReview,
    /// The old council transfers the plan: the day of the move, or 15 working days from
    /// learning of it.
    TransferOut,
    /// The family's 2 months after a decision to contact a mediation adviser (reg 33).
    MediationContact,
    /// The adviser's or mediator's certificate: 3 working days (regs 34-35, 39).
    MediationCertificate,
    /// Mediation held within 30 days of the council being told (reg 37).
    MediationHeld,
    /// A mediation agreement on a matter that cannot be appealed: 2 weeks (reg 42(3)).
    AgreementOtherMatter,
    /// After an order (agreement, concession) to assess: the family told within 2 weeks.
    OrderAssessmentNotice,
    /// ...the decision not to make a plan within 10 weeks.
    OrderNoPlanDecision,
    /// ...the final plan within 14 weeks.
    OrderFinalPlan,
    /// After an order to make a plan: the draft within 5 weeks.
    OrderDraftPlan,
    /// ...the final plan within 11 weeks.
    OrderMadePlan,
    /// After an order to amend the plan's content: the amended plan within 5 weeks.
    OrderAmendedPlan,
    /// After an order to change the named school only: within 2 weeks.
    OrderNamedSetting,
    /// After an order to continue to maintain, or a cease appeal dismissed: at once.
    OrderImmediate,
    /// A complaint acknowledged within 5 working days of receipt (either stage).
    ComplaintAcknowledgement,
    /// A stage 1 complaint answered within 10 working days of its acknowledgement.
    ComplaintStageOneResponse,
    /// A stage 2 complaint answered within 20 working days of its acknowledgement.
    ComplaintStageTwoResponse,
}

impl DeadlineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DecisionToAssess => "DECISION_TO_ASSESS",
            Self::AdviceResponse => "ADVICE_RESPONSE",
            Self::DecisionNotToIssue => "DECISION_NOT_TO_ISSUE",
            Self::DraftComments => "DRAFT_COMMENTS",
            Self::FinalPlan => "FINAL_PLAN",
            Self::ReassessmentFinalPlan => "REASSESSMENT_FINAL_PLAN",
            Self::AnnualReview => "ANNUAL_REVIEW",
            Self::UnderFiveReview => "UNDER_FIVE_REVIEW",
            Self::ReviewInvitations => "REVIEW_INVITATIONS",
            Self::ReviewAdvice => "REVIEW_ADVICE",
            Self::ReviewAdviceCirculated => "REVIEW_ADVICE_CIRCULATED",
            Self::ReviewReport => "REVIEW_REPORT",
            Self::ReviewDecision => "REVIEW_DECISION",
            Self::AmendmentNotice => "AMENDMENT_NOTICE",
            Self::AmendmentComments => "AMENDMENT_COMMENTS",
            Self::AmendedPlan => "AMENDED_PLAN",
            Self::DecisionNotToAmend => "DECISION_NOT_TO_AMEND",
            Self::PhaseTransfer => "PHASE_TRANSFER",
            Self::PhaseTransferPost16 => "PHASE_TRANSFER_POST16",
            Self::Post16Transfer => "POST16_TRANSFER",
            Self::TransferNotice => "TRANSFER_NOTICE",
            Self::TransferReview => "TRANSFER_REVIEW",
            Self::TransferOut => "TRANSFER_OUT",
            Self::MediationContact => "MEDIATION_CONTACT",
            Self::MediationCertificate => "MEDIATION_CERTIFICATE",
            Self::MediationHeld => "MEDIATION_HELD",
            Self::AgreementOtherMatter => "AGREEMENT_OTHER_MATTER",
            Self::OrderAssessmentNotice => "ORDER_ASSESSMENT_NOTICE",
            Self::OrderNoPlanDecision => "ORDER_NO_PLAN_DECISION",
            Self::OrderFinalPlan => "ORDER_FINAL_PLAN",
            Self::OrderDraftPlan => "ORDER_DRAFT_PLAN",
            Self::OrderMadePlan => "ORDER_MADE_PLAN",
            Self::OrderAmendedPlan => "ORDER_AMENDED_PLAN",
            Self::OrderNamedSetting => "ORDER_NAMED_SETTING",
            Self::OrderImmediate => "ORDER_IMMEDIATE",
            Self::ComplaintAcknowledgement => "COMPLAINT_ACKNOWLEDGEMENT",
            Self::ComplaintStageOneResponse => "COMPLAINT_STAGE_ONE_RESPONSE",
            Self::ComplaintStageTwoResponse => "COMPLAINT_STAGE_TWO_RESPONSE",
        }
    }

    /// The provision that sets the time limit, for a caseworker or parent to check.
    pub fn regulation(self) -> &'static str {
        rule_of(self).regulation
    }

    /// Plain English for a parent.
    pub fn label(self) -> &'static str {
        rule_of(self).label
    }

    pub fn party(self) -> Party {
        rule_of(self).party
    }

    /// False for guidance shown as a target, such as the under-5s' 6-monthly review.
    pub fn statutory(self) -> bool {
        rule_of(self).statutory
    }

    fn limit(self) -> Option<Lifts> {
        rule_of(self).lifted_by
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub kind: DeadlineKind,
    /// The statutory due date.
    pub due_on: NaiveDate,
    /// The day the step happened.
    pub met_on: Option<NaiveDate>,
    pub status: DeadlineStatus,
    pub regulation: &'static str,
    pub statutory: bool,
    /// Operational target, extended by the exceptions' length: NOT statutory.
    pub target_on: Option<NaiveDate>,
    /// Codes of the exception reasons that lifted the statutory limit.
    pub excepted_by: Vec<String>,
    pub advice_request_id: Option<i64>,
}

impl Deadline {
    /// A deadline for a step that will not happen (a branch not taken, or the case closed).
    pub fn not_applicable(
        kind: DeadlineKind,
        due_on: NaiveDate,
        advice_request_id: Option<i64>,
    ) -> Self {
        Self {
            kind,
            due_on,
            met_on: None,
            status: DeadlineStatus::NotApplicable,
            regulation: kind.regulation(),
            statutory: kind.statutory(),
            target_on: None,
            excepted_by: Vec::new(),
            advice_request_id,
        }
    }
}

/// The status of a deadline due on `due_on`, done on `met_on`, seen on `today`.
///
/// `NotApplicable` is never returned: only the process knows a branch was not taken.
pub fn status(
    due_on: NaiveDate,
    met_on: Option<NaiveDate>,
    today: NaiveDate,
    excepted: bool,
) -> DeadlineStatus {
    match met_on {
        Some(met) if met <= due_on => DeadlineStatus::Met,
        Some(_) if excepted => DeadlineStatus::Excepted,
        Some(_) => DeadlineStatus::Missed,
        None if excepted => DeadlineStatus::Excepted,
        None if today > due_on => DeadlineStatus::Overdue,
        None if (due_on - today).num_days() <= DUE_SOON_DAYS => DeadlineStatus::DueSoon,
        None => DeadlineStatus::Pending,
    }
}

/// A reason the statutory time limits need not be met. The list is data (the app keeps it in a
/// table and may add reasons, as the temporary 2020 coronavirus reason showed);
/// [`standard_exception_reasons`] gives the statutory ones to seed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionReason {
    pub code: String,
    pub label: String,
    pub regulation: String,
    /// Lifts the 6-week decision whether to assess (reg 5(4)).
    pub lifts_decision: bool,
    /// Lifts the 6-week limit for advice (reg 8(2)).
    pub lifts_advice: bool,
    /// Lifts the 16- and 20-week limits (reg 10(4), 13(3)) and the 14-week re-assessment
    /// limit (reg 27(3)).
    pub lifts_plan: bool,
    /// The shortest period that counts (a closure or an absence of "at least 4 weeks"): a
    /// shorter one is not an exception at all.
    #[serde(default)]
    pub minimum_days: Option<i64>,
    /// A school or setting closure: an exception only for the advice asked of the closed
    /// school or setting from one week before the closure until one week before it re-opens
    /// (reg 5(4)(a)–(b)), so the request must be named and fall in that window.
    #[serde(default)]
    pub concerns_advice_request: bool,
}

/// Why a period cannot be recorded as an exception: the field at fault and the condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnException {
    pub field: &'static str,
    pub message: String,
}

impl ExceptionReason {
    /// The conditions the regulations put on the reason itself, for a period `starts_on` …
    /// `ends_on` (inclusive) and, for a closure, the day the advice it concerns was asked
    /// for: `None` when the period is an exception.
    pub fn refusal(
        &self,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        advice_requested_on: Option<NaiveDate>,
    ) -> Option<NotAnException> {
        let days = (ends_on - starts_on).num_days() + 1;
        if let Some(minimum) = self.minimum_days
            && days < minimum
        {
            return Some(NotAnException {
                field: "endsOn",
                message: format!(
                    "{} is an exception only for a continuous period of at least {minimum} days \
                     ({}); this one is {days}",
                    self.label, self.regulation
                ),
            });
        }
        if self.concerns_advice_request {
            let Some(asked) = advice_requested_on else {
                return Some(NotAnException {
                    field: "adviceRequestId",
                    message: "a closure is an exception only for the advice asked of the closed \
                              school or setting: name that advice request"
                        .to_owned(),
                });
            };
            // From one week before the closure to one week before it re-opens.
            let from = add_days(starts_on, -7);
            let until = add_days(ends_on, 1 - 7);
            if asked < from || asked > until {
                return Some(NotAnException {
                    field: "adviceRequestId",
                    message: format!(
                        "the advice was asked for on {asked}, not between one week before the \
                         closure ({from}) and one week before it re-opened ({until}) (SEND Regs \
                         2014 reg 5(4)(a)-(b))"
                    ),
                });
            }
        }
        None
    }

    /// Every rule an exception of this reason must meet before it is recorded: the period's
    /// order and length, the reason's own conditions ([`Self::refusal`]), and which advice
    /// request it may or must name (`advice_requested_on`: the day the named request was
    /// made). The API's `recordException` and an import check the same.
    pub fn check(
        &self,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        advice_requested_on: Option<NaiveDate>,
    ) -> Option<NotAnException> {
        if ends_on < starts_on {
            return Some(NotAnException {
                field: "endsOn",
                message: "must not be before startsOn".into(),
            });
        }
        if (ends_on - starts_on).num_days() > 366 {
            return Some(NotAnException {
                field: "endsOn",
                message: "an exception lasts at most a year".into(),
            });
        }
        if let Some(refused) = self.refusal(starts_on, ends_on, advice_requested_on) {
            return Some(refused);
        }
        if advice_requested_on.is_some() && !self.concerns_advice_request {
            if !self.lifts_advice {
                return Some(NotAnException {
                    field: "reasonCode",
                    message: "this reason does not lift the time limit for advice (reg 8(2))"
                        .into(),
                });
            }
        } else if self.code == "MISSED_APPOINTMENT" {
            return Some(NotAnException {
                field: "adviceRequestId",
                message: "a missed appointment excepts one advice request: name it".into(),
            });
        }
        None
    }

    /// Whether this reason can lift the time limit of `kind`.
    pub fn covers(&self, kind: DeadlineKind) -> bool {
        match kind.limit() {
            Some(Lifts::Decision) => self.lifts_decision,
            Some(Lifts::Advice) => self.lifts_advice,
            Some(Lifts::Plan) => self.lifts_plan,
            // Reg 44(3)'s reasons are recorded on the order itself, not from this table.
            Some(Lifts::Order) | None => false,
        }
    }
}

/// The statutory exceptions, to seed the app's table.
///
/// Regs 5(4), 10(4) and 27(3) list the same four reasons for the council's limits;
/// reg 13(3) applies reg 10(4)(a)–(d) to the 20-week limit. Reg 8(2) lists the reasons a body
/// asked for advice need not meet its 6 weeks: personal circumstances, absence, and a missed
/// appointment — but not a school or setting closure, which only lifts the council's limits.
/// The closure reasons apply when the council asked the school or setting for advice from one
/// week before a closure of 4 weeks or more until one week before it re-opens.
pub fn standard_exception_reasons() -> Vec<ExceptionReason> {
    let reason =
        |code: &str, label: &str, regulation: &str, decision, advice, plan| ExceptionReason {
            code: code.to_owned(),
            label: label.to_owned(),
            regulation: regulation.to_owned(),
            lifts_decision: decision,
            lifts_advice: advice,
            lifts_plan: plan,
            minimum_days: None,
            concerns_advice_request: false,
        };
    let closure = |r: ExceptionReason| ExceptionReason {
        minimum_days: Some(FOUR_WEEKS),
        concerns_advice_request: true,
        ..r
    };
    let absence = |r: ExceptionReason| ExceptionReason {
        minimum_days: Some(FOUR_WEEKS),
        ..r
    };
    vec![
        closure(reason(
            "SCHOOL_CLOSED",
            "The school or college was closed for 4 weeks or more when its advice was asked for",
            "SEND Regs 2014 reg 5(4)(a), 10(4)(a), 13(3), 27(3)(a)",
            true,
            false,
            true,
        )),
        closure(reason(
            "EARLY_YEARS_SETTING_CLOSED",
            "The early years setting was closed for 4 weeks or more when its advice was asked for",
            "SEND Regs 2014 reg 5(4)(b), 10(4)(b), 13(3), 27(3)(b)",
            true,
            false,
            true,
        )),
        reason(
            "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES",
            "Exceptional personal circumstances affecting the child, young person or parent",
            "SEND Regs 2014 reg 5(4)(c), 8(2)(a), 10(4)(c), 13(3), 27(3)(c)",
            true,
            true,
            true,
        ),
        absence(reason(
            "ABSENT_FROM_AREA",
            "The child, young person or parent was away from the area for 4 weeks or more",
            "SEND Regs 2014 reg 5(4)(d), 8(2)(b), 10(4)(d), 13(3), 27(3)(d)",
            true,
            true,
            true,
        )),
        reason(
            "MISSED_APPOINTMENT",
            "An appointment for an examination or test was missed",
            "SEND Regs 2014 reg 8(2)(c)",
            false,
            true,
            false,
        ),
    ]
}

/// An exception recorded on a case, for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedException {
    pub reason: ExceptionReason,
    pub starts_on: NaiveDate,
    /// Inclusive.
    pub ends_on: NaiveDate,
    /// `Some` = applies to that advice request only (e.g. a missed appointment); for a
    /// closure, the advice request it concerns (the closure lifts the council's limits).
    pub advice_request_id: Option<i64>,
    /// The day that advice request was made (for a closure's window).
    #[serde(default)]
    pub advice_requested_on: Option<NaiveDate>,
}

impl RecordedException {
    /// Days covered, counting both ends.
    pub fn length_days(&self) -> i64 {
        (self.ends_on - self.starts_on).num_days() + 1
    }

    /// Whether this exception lifts `limit`.
    ///
    /// The regulations (5(4), 8(2), 10(4), 13(3), 27(3)) say the limit "need not" be met when
    /// it is impractical because of the reason. We take it to apply when the reason covers the
    /// limit, the period overlaps the time allowed (starts on or before the due date, ends on
    /// or after the clock started) and the step was not already done before the exception
    /// started. An exception recorded for one advice request lifts nothing else.
    pub fn lifts(&self, limit: &TimeLimit) -> bool {
        let same_advice_request = match self.advice_request_id {
            // A closure names the request it concerns, but lifts the council's limits.
            Some(_) if self.reason.concerns_advice_request => true,
            Some(id) => limit.advice_request_id == Some(id),
            None => true,
        };
        // A period short of the minimum, or a closure outside its window, lifts nothing.
        let qualifies = self
            .reason
            .refusal(self.starts_on, self.ends_on, self.advice_requested_on)
            .is_none();
        qualifies
            && self.reason.covers(limit.kind)
            && same_advice_request
            && self.starts_on <= limit.due_on
            && self.ends_on >= limit.starts_on
            && limit.met_on.is_none_or(|met| self.starts_on <= met)
    }
}

/// One statutory time limit as it stands on a case: when its clock started, when it is due,
/// and when (if ever) the step was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLimit {
    pub kind: DeadlineKind,
    pub starts_on: NaiveDate,
    pub due_on: NaiveDate,
    pub met_on: Option<NaiveDate>,
    pub advice_request_id: Option<i64>,
}

impl TimeLimit {
    /// The deadline seen on `today`, with any exceptions that lift it.
    ///
    /// A lifted limit is `Excepted` unless the step was done in time (`Met`). Its operational
    /// target is the due date plus the days covered by the lifting exceptions (overlapping
    /// periods count once); the target is not statutory.
    pub fn deadline(&self, exceptions: &[RecordedException], today: NaiveDate) -> Deadline {
        let lifting: Vec<&RecordedException> =
            exceptions.iter().filter(|e| e.lifts(self)).collect();
        let excepted = !lifting.is_empty();
        let mut excepted_by: Vec<String> = Vec::new();
        for exception in &lifting {
            if !excepted_by.contains(&exception.reason.code) {
                excepted_by.push(exception.reason.code.clone());
            }
        }
        Deadline {
            kind: self.kind,
            due_on: self.due_on,
            met_on: self.met_on,
            status: status(self.due_on, self.met_on, today, excepted),
            regulation: self.kind.regulation(),
            statutory: self.kind.statutory(),
            target_on: excepted.then(|| add_days(self.due_on, days_covered(&lifting))),
            excepted_by,
            advice_request_id: self.advice_request_id,
        }
    }
}

/// Days covered by at least one of the periods (so overlaps are not counted twice).
fn days_covered(exceptions: &[&RecordedException]) -> i64 {
    let mut periods: Vec<(NaiveDate, NaiveDate)> = exceptions
        .iter()
        .filter(|e| e.starts_on <= e.ends_on)
        .map(|e| (e.starts_on, e.ends_on))
        .collect();
    periods.sort();
    let mut total = 0;
    let mut covered_until: Option<NaiveDate> = None;
    for (start, end) in periods {
        let start = match covered_until {
            Some(until) if until >= end => continue,
            Some(until) if until >= start => add_days(until, 1),
            _ => start,
        };
        total += (end - start).num_days() + 1;
        covered_until = Some(end);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeadlineStatus::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn reason(code: &str) -> ExceptionReason {
        standard_exception_reasons()
            .into_iter()
            .find(|r| r.code == code)
            .unwrap()
    }

    fn exception(code: &str, starts_on: NaiveDate, ends_on: NaiveDate) -> RecordedException {
        RecordedException {
            reason: reason(code),
            starts_on,
            ends_on,
            advice_request_id: None,
            advice_requested_on: None,
        }
    }

    /// The school closed `starts_on` … `ends_on`, its advice asked on `asked`.
    fn closure(starts_on: NaiveDate, ends_on: NaiveDate, asked: NaiveDate) -> RecordedException {
        RecordedException {
            advice_request_id: Some(9),
            advice_requested_on: Some(asked),
            ..exception("SCHOOL_CLOSED", starts_on, ends_on)
        }
    }

    /// Final plan for a request received 6 Jan 2026: due 26 May 2026.
    fn final_plan(met_on: Option<NaiveDate>) -> TimeLimit {
        TimeLimit {
            kind: DeadlineKind::FinalPlan,
            starts_on: d(2026, 1, 6),
            due_on: d(2026, 5, 26),
            met_on,
            advice_request_id: None,
        }
    }

    #[test]
    fn status_of_open_and_done_steps() {
        let due = d(2026, 2, 17);
        let cases = [
            // (met_on, today, excepted, expected)
            (Some(d(2026, 2, 17)), d(2026, 3, 1), false, Met), // done on the due date
            (Some(d(2026, 2, 1)), d(2026, 3, 1), false, Met),
            (Some(d(2026, 2, 18)), d(2026, 3, 1), false, Missed), // a day late
            (Some(d(2026, 2, 18)), d(2026, 3, 1), true, Excepted),
            (Some(d(2026, 2, 17)), d(2026, 3, 1), true, Met), // in time despite an exception
            (None, d(2026, 2, 17), false, DueSoon),           // today = due
            (None, d(2026, 2, 2), false, Pending),            // due − 15
            (None, d(2026, 2, 3), false, DueSoon),            // due − 14
            (None, d(2026, 2, 18), false, Overdue),           // due + 1
            (None, d(2026, 2, 18), true, Excepted),
            (None, d(2026, 2, 2), true, Excepted),
        ];
        for (met_on, today, excepted, expected) in cases {
            assert_eq!(
                status(due, met_on, today, excepted),
                expected,
                "met {met_on:?}, today {today}, excepted {excepted}"
            );
        }
    }

    #[test]
    fn status_across_year_end_and_leap_day() {
        let cases = [
            // (due, today, expected)
            (d(2026, 1, 13), d(2025, 12, 30), DueSoon), // 14 days across the new year
            (d(2026, 1, 13), d(2025, 12, 29), Pending), // 15 days
            (d(2028, 3, 14), d(2028, 2, 29), DueSoon),  // 14 days across 29 Feb
            (d(2028, 3, 14), d(2028, 2, 28), Pending),  // 15 days
            (d(2028, 2, 29), d(2028, 3, 1), Overdue),
        ];
        for (due, today, expected) in cases {
            assert_eq!(
                status(due, None, today, false),
                expected,
                "due {due}, today {today}"
            );
        }
    }

    #[test]
    fn kinds_carry_regulation_party_and_label() {
        use DeadlineKind::*;
        #[rustfmt::skip]
        let cases = [
            (DecisionToAssess, "SEND Regs 2014 reg 5(1)", Party::LocalAuthority),
            (AdviceResponse, "SEND Regs 2014 reg 8(1)", Party::Professional),
            (DecisionNotToIssue, "SEND Regs 2014 reg 10(1)", Party::LocalAuthority),
            (DraftComments, "SEND Regs 2014 reg 13(1); CFA 2014 s.38", Party::Parent),
            (FinalPlan, "SEND Regs 2014 reg 13(2)", Party::LocalAuthority),
            (ReassessmentFinalPlan, "SEND Regs 2014 reg 27(2)", Party::LocalAuthority),
        ];
        for (kind, regulation, party) in cases {
            assert_eq!(kind.regulation(), regulation);
            assert_eq!(kind.party(), party);
            assert!(!kind.label().is_empty());
        }
        assert_eq!(
            DecisionToAssess.label(),
            "Decision whether to carry out an EHC needs assessment"
        );
    }

    #[test]
    fn standard_reasons_lift_the_limits_the_regulations_name() {
        use DeadlineKind::*;
        let kinds = [
            DecisionToAssess,
            AdviceResponse,
            DecisionNotToIssue,
            DraftComments,
            FinalPlan,
            ReassessmentFinalPlan,
        ];
        // Covers, in the order of `kinds`.
        #[rustfmt::skip]
        let cases = [
            ("SCHOOL_CLOSED", [true, false, true, false, true, true]),
            ("EARLY_YEARS_SETTING_CLOSED", [true, false, true, false, true, true]),
            ("EXCEPTIONAL_PERSONAL_CIRCUMSTANCES", [true, true, true, false, true, true]),
            ("ABSENT_FROM_AREA", [true, true, true, false, true, true]),
            ("MISSED_APPOINTMENT", [false, true, false, false, false, false]),
        ];
        assert_eq!(standard_exception_reasons().len(), cases.len());
        for (code, covers) in cases {
            let reason = reason(code);
            for (kind, expected) in kinds.iter().zip(covers) {
                assert_eq!(reason.covers(*kind), expected, "{code} covers {kind:?}");
            }
        }
    }

    struct Case {
        name: &'static str,
        limit: TimeLimit,
        exceptions: Vec<RecordedException>,
        status: DeadlineStatus,
        target_on: Option<NaiveDate>,
    }

    #[test]
    fn exceptions_lift_limits_and_extend_the_target() {
        let one_day = exception(
            "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES",
            d(2026, 3, 2),
            d(2026, 3, 2),
        );
        // Closed 1 to 28 April: advice asked from 25 March to 22 April counts.
        let four_weeks = closure(d(2026, 4, 1), d(2026, 4, 28), d(2026, 3, 30));
        let asked_a_day_early = closure(d(2026, 4, 1), d(2026, 4, 28), d(2026, 3, 24));
        let asked_first_day = closure(d(2026, 4, 1), d(2026, 4, 28), d(2026, 3, 25));
        let asked_last_day = closure(d(2026, 4, 1), d(2026, 4, 28), d(2026, 4, 22));
        let asked_a_day_late = closure(d(2026, 4, 1), d(2026, 4, 28), d(2026, 4, 23));
        let closed_27_days = closure(d(2026, 4, 1), d(2026, 4, 27), d(2026, 3, 30));
        let away_27_days = exception("ABSENT_FROM_AREA", d(2026, 4, 1), d(2026, 4, 27));
        let away_28_days = exception("ABSENT_FROM_AREA", d(2026, 4, 1), d(2026, 4, 28));
        let ten_days = exception(
            "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES",
            d(2026, 5, 1),
            d(2026, 5, 10),
        );
        let overlapping = exception(
            "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES",
            d(2026, 4, 20),
            d(2026, 5, 5),
        );
        let after_due = exception("ABSENT_FROM_AREA", d(2026, 5, 27), d(2026, 6, 30));
        let before_clock = exception("ABSENT_FROM_AREA", d(2025, 11, 1), d(2026, 1, 5));
        let advice_only = exception("MISSED_APPOINTMENT", d(2026, 3, 2), d(2026, 3, 2));
        let cases = [
            Case {
                name: "no exception, open after the due date",
                limit: final_plan(None),
                exceptions: vec![],
                status: Overdue,
                target_on: None,
            },
            Case {
                name: "1 day",
                limit: final_plan(None),
                exceptions: vec![one_day],
                status: Excepted,
                target_on: Some(d(2026, 5, 27)),
            },
            Case {
                name: "away 27 days: less than 4 weeks is no exception",
                limit: final_plan(None),
                exceptions: vec![away_27_days],
                status: Overdue,
                target_on: None,
            },
            Case {
                name: "away 28 days",
                limit: final_plan(None),
                exceptions: vec![away_28_days],
                status: Excepted,
                target_on: Some(d(2026, 6, 23)),
            },
            Case {
                name: "closed 27 days: no exception",
                limit: final_plan(None),
                exceptions: vec![closed_27_days],
                status: Overdue,
                target_on: None,
            },
            Case {
                name: "advice asked a day before the closure's window",
                limit: final_plan(None),
                exceptions: vec![asked_a_day_early],
                status: Overdue,
                target_on: None,
            },
            Case {
                name: "advice asked on the window's first day",
                limit: final_plan(None),
                exceptions: vec![asked_first_day],
                status: Excepted,
                target_on: Some(d(2026, 6, 23)),
            },
            Case {
                name: "advice asked on the window's last day",
                limit: final_plan(None),
                exceptions: vec![asked_last_day],
                status: Excepted,
                target_on: Some(d(2026, 6, 23)),
            },
            Case {
                name: "advice asked a day after the window",
                limit: final_plan(None),
                exceptions: vec![asked_a_day_late],
                status: Overdue,
                target_on: None,
            },
            Case {
                name: "4 weeks",
                limit: final_plan(None),
                exceptions: vec![four_weeks.clone()],
                status: Excepted,
                target_on: Some(d(2026, 6, 23)),
            },
            Case {
                name: "two exceptions summed: 28 + 10 days",
                limit: final_plan(None),
                exceptions: vec![four_weeks.clone(), ten_days],
                status: Excepted,
                target_on: Some(d(2026, 7, 3)),
            },
            Case {
                name: "overlapping periods count once: 1 Apr to 5 May is 35 days",
                limit: final_plan(None),
                exceptions: vec![four_weeks.clone(), overlapping],
                status: Excepted,
                target_on: Some(d(2026, 6, 30)),
            },
            Case {
                name: "met in time despite an exception",
                limit: final_plan(Some(d(2026, 5, 26))),
                exceptions: vec![four_weeks.clone()],
                status: Met,
                target_on: Some(d(2026, 6, 23)),
            },
            Case {
                name: "done late, within the exception",
                limit: final_plan(Some(d(2026, 6, 10))),
                exceptions: vec![four_weeks.clone()],
                status: Excepted,
                target_on: Some(d(2026, 6, 23)),
            },
            Case {
                name: "exception starting after the step was done has no effect",
                limit: final_plan(Some(d(2026, 3, 31))),
                exceptions: vec![four_weeks],
                status: Met,
                target_on: None,
            },
            Case {
                name: "exception starting after the due date cannot excuse a late step",
                limit: final_plan(Some(d(2026, 5, 27))),
                exceptions: vec![after_due.clone()],
                status: Missed,
                target_on: None,
            },
            Case {
                name: "exception starting after the due date, step still open",
                limit: final_plan(None),
                exceptions: vec![after_due],
                status: Overdue,
                target_on: None,
            },
            Case {
                name: "exception over before the clock started",
                limit: final_plan(None),
                exceptions: vec![before_clock],
                status: Overdue,
                target_on: None,
            },
            Case {
                name: "advice-only reason does not lift the plan",
                limit: final_plan(None),
                exceptions: vec![advice_only],
                status: Overdue,
                target_on: None,
            },
        ];
        let today = d(2026, 6, 1);
        for case in cases {
            let deadline = case.limit.deadline(&case.exceptions, today);
            assert_eq!(deadline.status, case.status, "{}", case.name);
            assert_eq!(deadline.target_on, case.target_on, "{}", case.name);
            assert_eq!(
                deadline.due_on,
                d(2026, 5, 26),
                "{}: the statutory date never moves",
                case.name
            );
            assert!(deadline.statutory, "{}", case.name);
        }
    }

    #[test]
    fn refusals_name_the_condition_that_failed() {
        let away = reason("ABSENT_FROM_AREA");
        let refused = away.refusal(d(2026, 4, 1), d(2026, 4, 27), None).unwrap();
        assert_eq!(refused.field, "endsOn");
        assert!(
            refused.message.contains("at least 28 days"),
            "{}",
            refused.message
        );
        assert!(
            refused.message.contains("this one is 27"),
            "{}",
            refused.message
        );
        assert_eq!(away.refusal(d(2026, 4, 1), d(2026, 4, 28), None), None);
        let closed = reason("SCHOOL_CLOSED");
        assert_eq!(
            closed
                .refusal(d(2026, 4, 1), d(2026, 4, 28), None)
                .map(|r| r.field),
            Some("adviceRequestId")
        );
        let outside = closed
            .refusal(d(2026, 4, 1), d(2026, 4, 28), Some(d(2026, 3, 24)))
            .unwrap();
        assert!(
            outside.message.contains("2026-03-25"),
            "{}",
            outside.message
        );
        assert!(
            outside.message.contains("2026-04-22"),
            "{}",
            outside.message
        );
        // Reg 8(2) has no closure exception: the matrix is the reasons' data.
        assert!(!closed.lifts_advice);
        assert!(
            reason("EXCEPTIONAL_PERSONAL_CIRCUMSTANCES")
                .minimum_days
                .is_none()
        );
    }

    #[test]
    fn exception_covering_a_late_step_lifts_it() {
        // Starts before the due date and on or before the late step (starts_on ≤ met_on).
        let limit = final_plan(Some(d(2026, 5, 27)));
        let exceptions = [exception(
            "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES",
            d(2026, 5, 20),
            d(2026, 5, 27),
        )];
        let deadline = limit.deadline(&exceptions, d(2026, 6, 1));
        assert_eq!(deadline.status, Excepted);
        assert_eq!(deadline.target_on, Some(d(2026, 6, 3)));
        assert_eq!(
            deadline.excepted_by,
            vec!["EXCEPTIONAL_PERSONAL_CIRCUMSTANCES".to_owned()]
        );
    }

    #[test]
    fn excepted_by_lists_each_reason_once() {
        let exceptions = [
            exception(
                "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES",
                d(2026, 2, 1),
                d(2026, 2, 7),
            ),
            closure(d(2026, 3, 1), d(2026, 3, 28), d(2026, 3, 1)),
            exception(
                "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES",
                d(2026, 4, 1),
                d(2026, 4, 7),
            ),
        ];
        let deadline = final_plan(None).deadline(&exceptions, d(2026, 6, 1));
        assert_eq!(
            deadline.excepted_by,
            vec!["EXCEPTIONAL_PERSONAL_CIRCUMSTANCES", "SCHOOL_CLOSED"]
        );
        // 7 + 28 + 7 days after 26 May.
        assert_eq!(deadline.target_on, Some(d(2026, 7, 7)));
    }

    #[test]
    fn advice_exception_applies_to_its_own_request_only() {
        let advice = |id| TimeLimit {
            kind: DeadlineKind::AdviceResponse,
            starts_on: d(2026, 2, 20),
            due_on: d(2026, 4, 3),
            met_on: None,
            advice_request_id: Some(id),
        };
        let missed = RecordedException {
            advice_request_id: Some(7),
            advice_requested_on: None,
            ..exception("MISSED_APPOINTMENT", d(2026, 3, 10), d(2026, 3, 10))
        };
        let today = d(2026, 4, 4);
        let lifted = advice(7).deadline(std::slice::from_ref(&missed), today);
        assert_eq!(lifted.status, Excepted);
        assert_eq!(lifted.target_on, Some(d(2026, 4, 4)));
        assert_eq!(lifted.excepted_by, vec!["MISSED_APPOINTMENT"]);
        let other = advice(8).deadline(std::slice::from_ref(&missed), today);
        assert_eq!(other.status, Overdue);
        assert_eq!(other.target_on, None);
        assert!(other.excepted_by.is_empty());
    }

    #[test]
    fn school_closure_does_not_lift_an_advice_deadline() {
        // Reg 8(2) has no closure reason: the body asked must still answer in 6 weeks.
        let limit = TimeLimit {
            kind: DeadlineKind::AdviceResponse,
            starts_on: d(2026, 7, 1),
            due_on: d(2026, 8, 12),
            met_on: None,
            advice_request_id: Some(1),
        };
        let closure = exception("SCHOOL_CLOSED", d(2026, 7, 22), d(2026, 9, 2));
        assert_eq!(limit.deadline(&[closure], d(2026, 8, 13)).status, Overdue);
    }

    #[test]
    fn exception_length_counts_both_ends() {
        let cases = [
            (d(2026, 3, 2), d(2026, 3, 2), 1),
            (d(2026, 4, 1), d(2026, 4, 28), 28),
            (d(2025, 12, 20), d(2026, 1, 4), 16),
            (d(2028, 2, 28), d(2028, 3, 1), 3),
        ];
        for (starts_on, ends_on, expected) in cases {
            assert_eq!(
                exception("ABSENT_FROM_AREA", starts_on, ends_on).length_days(),
                expected
            );
        }
    }

    #[test]
    fn not_applicable_deadline_keeps_its_source() {
        let deadline = Deadline::not_applicable(DeadlineKind::FinalPlan, d(2026, 5, 26), None);
        assert_eq!(deadline.status, NotApplicable);
        assert_eq!(deadline.regulation, "SEND Regs 2014 reg 13(2)");
        assert_eq!(deadline.met_on, None);
    }

    #[test]
    fn statuses_have_stable_codes() {
        let cases = [
            (Pending, "PENDING"),
            (DueSoon, "DUE_SOON"),
            (Overdue, "OVERDUE"),
            (Met, "MET"),
            (Missed, "MISSED"),
            (Excepted, "EXCEPTED"),
            (NotApplicable, "NOT_APPLICABLE"),
        ];
        for (status, code) in cases {
            assert_eq!(status.as_str(), code);
        }
    }
}
