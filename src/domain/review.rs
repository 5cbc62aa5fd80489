//! Annual reviews (CFA 2014 s.44; SEND Regs 2014 reg 18–21): states, allowed actions,
//! deadlines, next steps and the timeline shown to families. The amendments a review leads to
//! are in [`super::amendment`]; the constants both count with are here.
//!
//! With the meeting on M: invitations and advice go out by M − 2 weeks (reg 20(3), 20(4)), the
//! report by M + 2 weeks (reg 20(7)–(8)), and the council's decision by M + 4 weeks (reg
//! 20(10)) and within the 12 months (s.44(1)). A decision to amend must come with the proposed
//! changes within those 4 weeks (R (L, M, P) v Devon CC [2022] EWHC 493 (Admin)); the parent
//! then has 15 days to comment (reg 22(2)(c)), and the final amended plan is due within 8 weeks
//! of the notice (reg 22(3)), so at most 12 weeks after the meeting.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use super::appeal::{AppealWindow, PlanDecision};
use super::assessment::{AdviceFacts, Milestone, UnknownCode, parse_code};
use super::backlog::TrackedDeadline;
use super::calendar::{add_weeks, long_date};
use super::reader::Reader;
use super::timescales::{Deadline, DeadlineKind, Party, TimeLimit};

/// Reg 20(3), 20(4): invitations and advice at least 2 weeks before the meeting.
pub const NOTICE_BEFORE_MEETING_DAYS: i64 = 14;
/// Reg 20(7)–(8): the report within 2 weeks of the meeting.
pub const REPORT_WEEKS: u32 = 2;
/// Reg 20(10): the decision within 4 weeks of the meeting.
pub const DECISION_WEEKS: u32 = 4;
/// Reg 22(2)(c): at least 15 days for the parent to comment on proposed amendments.
pub const AMENDMENT_COMMENT_DAYS: i64 = 15;
/// Reg 22(3): the final amended plan within 8 weeks of the notice.
pub const AMENDED_PLAN_WEEKS: u32 = 8;
/// The notice within 4 weeks of the meeting (reg 20(10), 22(2); Devon) and the plan within 8
/// weeks of it: an amended plan is due at most 12 weeks after the review meeting.
pub const MEETING_TO_AMENDED_PLAN_DAYS: i64 = 7 * (DECISION_WEEKS + AMENDED_PLAN_WEEKS) as i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReviewKind {
    /// The statutory review within 12 months.
    Annual,
    /// Brought forward because circumstances changed.
    Interim,
    /// Brought forward urgently (e.g. a placement breaking down).
    Emergency,
}

impl ReviewKind {
    pub const ALL: [Self; 3] = [Self::Annual, Self::Interim, Self::Emergency];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Annual => "ANNUAL",
            Self::Interim => "INTERIM",
            Self::Emergency => "EMERGENCY",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "review kind", code)
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Annual => "annual review",
            Self::Interim => "interim review",
            Self::Emergency => "emergency review",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReviewState {
    Scheduled,
    MeetingHeld,
    Decided,
    Cancelled,
}

impl ReviewState {
    pub const ALL: [Self; 4] = [
        Self::Scheduled,
        Self::MeetingHeld,
        Self::Decided,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "SCHEDULED",
            Self::MeetingHeld => "MEETING_HELD",
            Self::Decided => "DECIDED",
            Self::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "review state", code)
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Self::Decided | Self::Cancelled)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReviewAction {
    RescheduleMeeting,
    SendInvitations,
    RequestAdvice,
    RecordAdvice,
    CirculateAdvice,
    HoldMeeting,
    RecordReport,
    Decide,
    Cancel,
}

impl ReviewAction {
    pub const ALL: [Self; 9] = [
        Self::RescheduleMeeting,
        Self::SendInvitations,
        Self::RequestAdvice,
        Self::RecordAdvice,
        Self::CirculateAdvice,
        Self::HoldMeeting,
        Self::RecordReport,
        Self::Decide,
        Self::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RescheduleMeeting => "RESCHEDULE_MEETING",
            Self::SendInvitations => "SEND_INVITATIONS",
            Self::RequestAdvice => "REQUEST_ADVICE",
            Self::RecordAdvice => "RECORD_ADVICE",
            Self::CirculateAdvice => "CIRCULATE_ADVICE",
            Self::HoldMeeting => "HOLD_MEETING",
            Self::RecordReport => "RECORD_REPORT",
            Self::Decide => "DECIDE",
            Self::Cancel => "CANCEL",
        }
    }
}

/// The council's decision after a review (reg 20(10)); SEN2 codes M, A, C.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReviewDecision {
    Maintain,
    Amend,
    Cease,
}

impl ReviewDecision {
    pub const ALL: [Self; 3] = [Self::Maintain, Self::Amend, Self::Cease];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Maintain => "MAINTAIN",
            Self::Amend => "AMEND",
            Self::Cease => "CEASE",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "review decision", code)
    }

    /// The SEN2 return's code.
    pub fn sen2_code(self) -> &'static str {
        match self {
            Self::Maintain => "M",
            Self::Amend => "A",
            Self::Cease => "C",
        }
    }
}

/// A step not allowed in the current state, with the steps that are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError<S, A> {
    pub state: S,
    pub action: A,
    pub allowed: Vec<A>,
}

/// The state a review action leads to, or `None` when not allowed in `state`.
fn next_review_state(state: ReviewState, action: ReviewAction) -> Option<ReviewState> {
    use ReviewAction as A;
    use ReviewState as S;
    match (state, action) {
        (
            S::Scheduled,
            A::RescheduleMeeting | A::SendInvitations | A::RequestAdvice | A::CirculateAdvice,
        ) => Some(S::Scheduled),
        (S::Scheduled | S::MeetingHeld, A::RecordAdvice) => Some(state),
        (S::Scheduled, A::HoldMeeting) => Some(S::MeetingHeld),
        (S::MeetingHeld, A::RecordReport) => Some(S::MeetingHeld),
        (S::MeetingHeld, A::Decide) => Some(S::Decided),
        (S::Scheduled | S::MeetingHeld, A::Cancel) => Some(S::Cancelled),
        _ => None,
    }
}

pub fn review_allowed_actions(state: ReviewState) -> Vec<ReviewAction> {
    ReviewAction::ALL
        .into_iter()
        .filter(|a| next_review_state(state, *a).is_some())
        .collect()
}

pub fn review_transition(
    state: ReviewState,
    action: ReviewAction,
) -> Result<ReviewState, TransitionError<ReviewState, ReviewAction>> {
    next_review_state(state, action).ok_or_else(|| TransitionError {
        state,
        action,
        allowed: review_allowed_actions(state),
    })
}

impl fmt::Display for TransitionError<ReviewState, ReviewAction> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed: Vec<&str> = self.allowed.iter().map(|a| a.as_str()).collect();
        write!(
            f,
            "{} is not allowed when the review is {}",
            self.action.as_str(),
            self.state.as_str()
        )?;
        if allowed.is_empty() {
            write!(f, "; the review is closed")
        } else {
            write!(f, "; allowed: {}", allowed.join(", "))
        }
    }
}

/// What has happened on a review, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFacts {
    pub kind: ReviewKind,
    /// The day the review was arranged: nothing on it is dated earlier.
    pub scheduled_on: NaiveDate,
    /// The meeting: planned until held, then the day it was held.
    pub meeting_on: NaiveDate,
    pub meeting_held: bool,
    /// The plan's review limit when the review was arranged (12 months, or the reg 15(5)
    /// limit after a transfer in).
    pub due_by: NaiveDate,
    pub due_by_kind: DeadlineKind,
    pub invitations_sent_on: Option<NaiveDate>,
    pub advice_circulated_on: Option<NaiveDate>,
    pub report_received_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub decision: Option<ReviewDecision>,
    pub cancelled_on: Option<NaiveDate>,
    pub advice: Vec<AdviceFacts>,
}

impl ReviewFacts {
    pub fn new(
        kind: ReviewKind,
        scheduled_on: NaiveDate,
        meeting_on: NaiveDate,
        due_by: NaiveDate,
    ) -> Self {
        Self {
            kind,
            scheduled_on,
            meeting_on,
            meeting_held: false,
            due_by,
            due_by_kind: DeadlineKind::AnnualReview,
            invitations_sent_on: None,
            advice_circulated_on: None,
            report_received_on: None,
            decided_on: None,
            decision: None,
            cancelled_on: None,
            advice: Vec::new(),
        }
    }

    fn limit(&self, kind: DeadlineKind, due_on: NaiveDate, met_on: Option<NaiveDate>) -> TimeLimit {
        TimeLimit {
            kind,
            starts_on: self.scheduled_on,
            due_on,
            met_on,
            advice_request_id: None,
        }
    }
}

/// Two weeks before the meeting (reg 20(3), 20(4)).
pub fn notice_due(meeting_on: NaiveDate) -> NaiveDate {
    DeadlineKind::ReviewInvitations.due_from(meeting_on)
}

/// Four weeks after the meeting (reg 20(10)); with Devon, also the amendment notice's date.
pub fn decision_due(meeting_on: NaiveDate) -> NaiveDate {
    DeadlineKind::ReviewDecision.due_from(meeting_on)
}

/// The review's deadlines on `today`, in process order: invitations, advice circulated,
/// report, decision, and the 12-month limit the decision completes.
pub fn review_deadlines(facts: &ReviewFacts, today: NaiveDate) -> Vec<Deadline> {
    let m = facts.meeting_on;
    let mut deadlines = vec![
        facts
            .limit(
                DeadlineKind::ReviewInvitations,
                notice_due(m),
                facts.invitations_sent_on,
            )
            .deadline(&[], today),
        facts
            .limit(
                DeadlineKind::ReviewAdviceCirculated,
                DeadlineKind::ReviewAdviceCirculated.due_from(m),
                facts.advice_circulated_on,
            )
            .deadline(&[], today),
        facts
            .limit(
                DeadlineKind::ReviewReport,
                DeadlineKind::ReviewReport.due_from(m),
                facts.report_received_on,
            )
            .deadline(&[], today),
        facts
            .limit(
                DeadlineKind::ReviewDecision,
                decision_due(m),
                facts.decided_on,
            )
            .deadline(&[], today),
        facts
            .limit(facts.due_by_kind, facts.due_by, facts.decided_on)
            .deadline(&[], today),
    ];
    if facts.cancelled_on.is_some() {
        for deadline in &mut deadlines {
            if deadline.met_on.is_none() {
                *deadline = Deadline::not_applicable(deadline.kind, deadline.due_on, None);
            }
        }
    }
    deadlines
}

/// The review's own steps as the backlog tracks them: invitations, advice circulated, the
/// report and the decision, each open from the day the review was arranged, and each advice
/// request (due by `advice_due_on`, the date given when it was asked for) until it is answered
/// or no longer needed. The 12-month limit the decision meets is the plan's
/// ([`crate::domain::plan::tracked_deadlines`]).
pub fn tracked_review_deadlines(
    facts: &ReviewFacts,
    advice_due_on: impl Fn(i64) -> Option<NaiveDate>,
) -> Vec<TrackedDeadline> {
    let m = facts.meeting_on;
    let stop = facts.cancelled_on;
    let step = |kind, due_on, met_on| {
        TrackedDeadline::plain(kind, facts.scheduled_on, due_on, met_on, &[stop])
    };
    let mut tracked = vec![
        step(
            DeadlineKind::ReviewInvitations,
            notice_due(m),
            facts.invitations_sent_on,
        ),
        step(
            DeadlineKind::ReviewAdviceCirculated,
            DeadlineKind::ReviewAdviceCirculated.due_from(m),
            facts.advice_circulated_on,
        ),
        step(
            DeadlineKind::ReviewReport,
            DeadlineKind::ReviewReport.due_from(m),
            facts.report_received_on,
        ),
        step(
            DeadlineKind::ReviewDecision,
            decision_due(m),
            facts.decided_on,
        ),
    ];
    for advice in &facts.advice {
        let due_on =
            advice_due_on(advice.id).unwrap_or_else(|| notice_due(m).max(advice.requested_on));
        let declined = advice.declined_on.filter(|_| advice.received_on.is_none());
        tracked.push(TrackedDeadline {
            advice_request_id: Some(advice.id),
            ..TrackedDeadline::plain(
                DeadlineKind::ReviewAdvice,
                advice.requested_on,
                due_on,
                advice.received_on,
                &[declined, stop, facts.decided_on],
            )
        });
    }
    tracked
}

/// What happens next, for a parent or caseworker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step<A> {
    pub action: Option<A>,
    pub description: String,
    pub party: Party,
    pub due_on: Option<NaiveDate>,
    pub regulation: Option<&'static str>,
}

pub(super) fn step<A>(
    action: A,
    description: String,
    party: Party,
    deadline: &Deadline,
) -> Option<Step<A>> {
    Some(Step {
        action: Some(action),
        description,
        party,
        due_on: Some(deadline.due_on),
        regulation: Some(deadline.regulation),
    })
}

/// The decision's deadline that comes first: 4 weeks from the meeting, or the 12 months.
fn decision_deadline<'a>(deadlines: &'a [Deadline], facts: &ReviewFacts) -> Option<&'a Deadline> {
    let find = |kind: DeadlineKind| deadlines.iter().find(|d| d.kind == kind);
    let decision = find(DeadlineKind::ReviewDecision)?;
    let limit = find(facts.due_by_kind)?;
    Some(if limit.due_on < decision.due_on {
        limit
    } else {
        decision
    })
}

/// The review's next step, worded for `reader`.
pub fn review_next_step(
    state: ReviewState,
    facts: &ReviewFacts,
    today: NaiveDate,
    reader: Reader,
) -> Option<Step<ReviewAction>> {
    use ReviewAction as A;
    let deadlines = review_deadlines(facts, today);
    let find = |kind: DeadlineKind| deadlines.iter().find(|d| d.kind == kind);
    let la = Party::LocalAuthority;
    match state {
        ReviewState::Scheduled => {
            if facts.invitations_sent_on.is_none() {
                let d = find(DeadlineKind::ReviewInvitations)?;
                return step(
                    A::SendInvitations,
                    reader.pick(
                        format!(
                            "The council must send invitations to the review meeting on {} to \
                             you, the school or college, health and social care by {}.",
                            long_date(facts.meeting_on),
                            long_date(d.due_on)
                        ),
                        format!(
                            "Send invitations to the review meeting on {} to the family, the \
                             school or college, health and social care by {}.",
                            long_date(facts.meeting_on),
                            long_date(d.due_on)
                        ),
                    ),
                    la,
                    d,
                );
            }
            if facts.advice_circulated_on.is_none() {
                let d = find(DeadlineKind::ReviewAdviceCirculated)?;
                return step(
                    A::CirculateAdvice,
                    reader.pick(
                        format!(
                            "The council must send the advice and information about your child \
                             to everyone invited by {}, two weeks before the meeting.",
                            long_date(d.due_on)
                        ),
                        format!(
                            "Send the advice and information about the child to everyone \
                             invited by {}, two weeks before the meeting.",
                            long_date(d.due_on)
                        ),
                    ),
                    la,
                    d,
                );
            }
            let description = if today <= facts.meeting_on {
                reader.pick(
                    format!(
                        "The review meeting is on {}. You, the school or college and the \
                         professionals involved are invited. Within 2 weeks of the meeting the \
                         school or college sends its report, and within 4 weeks the council \
                         must tell you its decision.",
                        long_date(facts.meeting_on)
                    ),
                    format!(
                        "The review meeting is on {}: record it once held. The school or \
                         college's report is due within 2 weeks of it, and the decision must \
                         reach the family within 4 weeks.",
                        long_date(facts.meeting_on)
                    ),
                )
            } else {
                reader.pick(
                    format!(
                        "The review meeting was planned for {}; the council has not yet \
                         recorded that it took place.",
                        long_date(facts.meeting_on)
                    ),
                    format!(
                        "The review meeting was planned for {}: record that it was held, or \
                         rearrange it.",
                        long_date(facts.meeting_on)
                    ),
                )
            };
            Some(Step {
                action: Some(A::HoldMeeting),
                description,
                party: la,
                due_on: Some(facts.meeting_on),
                regulation: None,
            })
        }
        ReviewState::MeetingHeld => {
            if facts.report_received_on.is_none() && today <= add_weeks(facts.meeting_on, 2) {
                let d = find(DeadlineKind::ReviewReport)?;
                return step(
                    A::RecordReport,
                    format!(
                        "The school or college must send the review report to the council and \
                         everyone invited by {}.",
                        long_date(d.due_on)
                    ),
                    Party::Setting,
                    d,
                );
            }
            let due = decision_deadline(&deadlines, facts)?;
            step(
                A::Decide,
                reader.pick(
                    format!(
                        "The council must decide whether to keep the plan as it is, amend it or \
                         cease it, and tell you by {}. If it will amend the plan, the proposed \
                         changes must come with that decision.",
                        long_date(due.due_on)
                    ),
                    format!(
                        "Decide whether to keep the plan as it is, amend it or cease it, and \
                         tell the family by {}; a decision to amend sends the proposed changes \
                         with it.",
                        long_date(due.due_on)
                    ),
                ),
                la,
                due,
            )
        }
        ReviewState::Decided | ReviewState::Cancelled => None,
    }
}

pub fn review_timeline(facts: &ReviewFacts) -> Vec<Milestone> {
    let mut milestones = Vec::new();
    let mut add = |on: Option<NaiveDate>, text: String| {
        if let Some(on) = on {
            milestones.push(Milestone { on, text });
        }
    };
    let noun = facts.kind.noun();
    add(
        Some(facts.scheduled_on),
        format!(
            "The {noun} meeting was arranged for {}",
            long_date(facts.meeting_on)
        ),
    );
    add(
        facts.invitations_sent_on,
        "Invitations to the review meeting sent".to_owned(),
    );
    for advice in &facts.advice {
        add(
            Some(advice.requested_on),
            format!("Advice for the review requested from {}", advice.from),
        );
        add(
            advice.received_on,
            format!("Advice for the review received from {}", advice.from),
        );
    }
    add(
        facts.advice_circulated_on,
        "Advice and information sent to everyone invited".to_owned(),
    );
    add(
        facts.meeting_held.then_some(facts.meeting_on),
        "Review meeting held".to_owned(),
    );
    add(
        facts.report_received_on,
        "Review report received by the council".to_owned(),
    );
    if let (Some(on), Some(decision)) = (facts.decided_on, facts.decision) {
        // Only keeping the plan unchanged is appealable now (CFA 2014 s.51(2)(e)); the other
        // two lead to a decision that is.
        let text = match decision {
            ReviewDecision::Maintain => {
                "The council decided to keep the plan as it is — you can appeal this decision"
            }
            ReviewDecision::Amend => {
                "The council decided to amend the plan — you can appeal once the final amended \
                 plan is issued"
            }
            ReviewDecision::Cease => {
                "The council decided it will consider ceasing the plan — it must consult you \
                 first, and you can appeal if it decides to cease"
            }
        };
        add(Some(on), text.to_owned());
    }
    add(facts.cancelled_on, format!("The {noun} was cancelled"));
    milestones.sort_by_key(|m| m.on);
    milestones
}

/// Where a review stands, in a sentence for the family: what has happened and what comes
/// next, with the dates.
pub fn review_summary(state: ReviewState, facts: &ReviewFacts, today: NaiveDate) -> String {
    let noun = facts.kind.noun();
    let meeting = long_date(facts.meeting_on);
    match state {
        ReviewState::Scheduled if today <= facts.meeting_on => {
            format!("The {noun} meeting is arranged for {meeting}.")
        }
        ReviewState::Scheduled => format!(
            "The {noun} meeting was planned for {meeting}; the council has not yet recorded that \
             it took place."
        ),
        ReviewState::MeetingHeld => {
            let deadlines = review_deadlines(facts, today);
            match decision_deadline(&deadlines, facts) {
                Some(due) => format!(
                    "The {noun} meeting was held on {meeting}. The council must tell you by {} \
                     whether it will keep the plan as it is, amend it or cease it.",
                    long_date(due.due_on)
                ),
                None => format!("The {noun} meeting was held on {meeting}."),
            }
        }
        ReviewState::Decided => {
            let on = facts.decided_on.map(long_date).unwrap_or_default();
            let what = match facts.decision {
                Some(ReviewDecision::Maintain) => {
                    "the council decided to keep the plan as it is.".to_owned()
                }
                Some(ReviewDecision::Amend) => format!(
                    "the council decided to amend the plan. It sends you the proposed changes; \
                     you then have {AMENDMENT_COMMENT_DAYS} days to comment, and the final \
                     amended plan is due within {AMENDED_PLAN_WEEKS} weeks of the proposed \
                     changes."
                ),
                Some(ReviewDecision::Cease) => "the council decided it will consider ceasing \
                                                the plan. It must consult you and the school or \
                                                college before it decides."
                    .to_owned(),
                None => "the council made its decision.".to_owned(),
            };
            format!("The {noun} finished on {on}: {what}")
        }
        ReviewState::Cancelled => match facts.cancelled_on {
            Some(on) => format!("The {noun} was cancelled on {}.", long_date(on)),
            None => format!("The {noun} was cancelled."),
        },
    }
}

/// Where the plan's review stands, for the family: the review under way, or when the next one
/// must be done by. `None` once the plan has ended.
pub fn plan_review_summary(
    open_review: Option<(ReviewState, &ReviewFacts)>,
    next_review_due: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<String> {
    match open_review {
        Some((state, facts)) => Some(review_summary(state, facts, today)),
        None => next_review_due.map(|due| {
            format!(
                "No review meeting is arranged yet. The council must arrange one, hold it with \
                 you and the school or college, and make its decision by {}.",
                long_date(due)
            )
        }),
    }
}

/// After a review that kept the plan as it is, the family may appeal (CFA 2014 s.51(2)(e)).
/// A decision to amend gives the right with the amended plan; one to cease, with the decision
/// to cease after the consultation.
pub fn review_appeal(
    facts: &ReviewFacts,
    mediation_certificate_on: Option<NaiveDate>,
) -> Option<AppealWindow> {
    match (facts.decision, facts.decided_on) {
        (Some(ReviewDecision::Maintain), Some(on)) => Some(AppealWindow::for_plan(
            PlanDecision::KeptAfterReview,
            on,
            mediation_certificate_on,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::amendment::*;

    #[test]
    fn an_amended_plan_is_due_at_most_twelve_weeks_after_the_meeting() {
        for meeting in ["2026-02-26", "2024-02-29", "2025-12-31"] {
            let m: NaiveDate = meeting.parse().unwrap();
            assert_eq!(
                amended_plan_due(decision_due(m)),
                crate::domain::calendar::add_days(m, MEETING_TO_AMENDED_PLAN_DAYS),
                "{meeting}"
            );
        }
        assert_eq!(MEETING_TO_AMENDED_PLAN_DAYS, 84);
    }

    use super::*;
    use crate::domain::timescales::DeadlineStatus::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn find(deadlines: &[Deadline], kind: DeadlineKind) -> Deadline {
        deadlines
            .iter()
            .find(|d| d.kind == kind)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind:?}"))
    }

    fn tracked(rows: &[TrackedDeadline], kind: DeadlineKind) -> TrackedDeadline {
        *rows
            .iter()
            .find(|t| t.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} in {rows:?}"))
    }

    #[test]
    fn review_steps_are_tracked_from_the_day_it_was_arranged() {
        let mut facts = scheduled();
        facts.invitations_sent_on = Some(d(2026, 9, 20));
        facts.advice = vec![
            AdviceFacts {
                id: 7,
                from: "EDUCATIONAL_PSYCHOLOGY".into(),
                requested_on: d(2026, 9, 2),
                received_on: None,
                declined_on: None,
            },
            AdviceFacts {
                id: 8,
                from: "HEALTH".into(),
                requested_on: d(2026, 9, 2),
                received_on: None,
                declined_on: Some(d(2026, 9, 9)),
            },
        ];
        let rows = tracked_review_deadlines(&facts, |id| (id == 7).then(|| d(2026, 10, 1)));
        let inv = tracked(&rows, DeadlineKind::ReviewInvitations);
        assert_eq!(
            (inv.starts_on, inv.due_on, inv.settled_on),
            (d(2026, 9, 1), d(2026, 10, 1), Some(d(2026, 9, 20)))
        );
        assert_eq!(
            tracked(&rows, DeadlineKind::ReviewReport).due_on,
            d(2026, 10, 29)
        );
        assert_eq!(
            tracked(&rows, DeadlineKind::ReviewDecision).due_on,
            d(2026, 11, 12)
        );
        let advice: Vec<_> = rows
            .iter()
            .filter(|t| t.kind == DeadlineKind::ReviewAdvice)
            .collect();
        assert_eq!(advice.len(), 2);
        assert_eq!(advice[0].advice_request_id, Some(7));
        assert_eq!(
            (advice[0].due_on, advice[0].settled_on),
            (d(2026, 10, 1), None)
        );
        // Without a stored due date, the notice date; declined advice is no longer awaited.
        assert_eq!(advice[1].due_on, d(2026, 10, 1));
        assert_eq!(advice[1].settled_on, Some(d(2026, 9, 9)));

        facts.cancelled_on = Some(d(2026, 9, 25));
        let rows = tracked_review_deadlines(&facts, |_| None);
        assert!(
            rows.iter()
                .all(|t| t.settled_on.is_some_and(|s| s <= d(2026, 9, 25))),
            "a cancelled review settles every step: {rows:?}"
        );
    }

    #[test]
    fn amendment_steps_and_the_familys_window_are_tracked() {
        let mut facts = AmendmentFacts::new(d(2026, 11, 1), Some(d(2026, 10, 15)));
        let rows = tracked_amendment_deadlines(&facts);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].kind, DeadlineKind::AmendmentNotice);
        assert_eq!(rows[0].due_on, d(2026, 11, 12));
        // Before a notice, the amended plan is late against the meeting + 12 weeks (Devon).
        assert_eq!(
            (rows[1].kind, rows[1].starts_on, rows[1].due_on),
            (DeadlineKind::AmendedPlan, d(2026, 10, 15), d(2027, 1, 7))
        );

        facts.notice_sent_on = Some(d(2026, 11, 10));
        let rows = tracked_amendment_deadlines(&facts);
        let window = tracked(&rows, DeadlineKind::AmendmentComments);
        // 15 days beginning with the 10th: open through 24 November, closed on the 25th,
        // never overdue.
        assert_eq!(window.due_on, d(2026, 11, 24));
        assert_eq!(window.settled_on, Some(d(2026, 11, 25)));
        assert!(window.open_on(d(2026, 11, 24)));
        assert!(!window.open_on(d(2026, 11, 25)));
        let plan = tracked(&rows, DeadlineKind::AmendedPlan);
        assert_eq!((plan.due_on, plan.settled_on), (d(2027, 1, 5), None));

        facts.decided_not_to_amend_on = Some(d(2026, 12, 1));
        let rows = tracked_amendment_deadlines(&facts);
        assert!(rows.iter().all(|t| t.kind != DeadlineKind::AmendedPlan));
        let not = tracked(&rows, DeadlineKind::DecisionNotToAmend);
        assert_eq!(not.met_on, Some(d(2026, 12, 1)));
    }

    /// Meeting on Thursday 15 October 2026, arranged on 1 September; the plan's 12 months run
    /// to 20 November 2026.
    fn scheduled() -> ReviewFacts {
        ReviewFacts::new(
            ReviewKind::Annual,
            d(2026, 9, 1),
            d(2026, 10, 15),
            d(2026, 11, 20),
        )
    }

    #[test]
    fn review_deadlines_count_from_the_meeting() {
        #[rustfmt::skip]
        let cases = [
            ("mid-October", d(2026, 10, 15), d(2026, 10, 1), d(2026, 10, 29), d(2026, 11, 12)),
            ("early January crosses the year back", d(2027, 1, 7), d(2026, 12, 24), d(2027, 1, 21), d(2027, 2, 4)),
            ("leap February", d(2028, 2, 10), d(2028, 1, 27), d(2028, 2, 24), d(2028, 3, 9)),
            ("meeting on 29 February", d(2028, 2, 29), d(2028, 2, 15), d(2028, 3, 14), d(2028, 3, 28)),
            ("late December crosses the year", d(2026, 12, 17), d(2026, 12, 3), d(2026, 12, 31), d(2027, 1, 14)),
        ];
        for (name, meeting, notice, report, decision) in cases {
            let facts = ReviewFacts::new(ReviewKind::Annual, d(2026, 9, 1), meeting, d(2029, 1, 1));
            let deadlines = review_deadlines(&facts, d(2026, 9, 1));
            let due = |kind| find(&deadlines, kind).due_on;
            assert_eq!(due(DeadlineKind::ReviewInvitations), notice, "{name}");
            assert_eq!(due(DeadlineKind::ReviewAdviceCirculated), notice, "{name}");
            assert_eq!(due(DeadlineKind::ReviewReport), report, "{name}");
            assert_eq!(due(DeadlineKind::ReviewDecision), decision, "{name}");
        }
        let deadlines = review_deadlines(&scheduled(), d(2026, 9, 1));
        let regulations: Vec<(&str, &str)> = deadlines
            .iter()
            .map(|d| (d.kind.as_str(), d.regulation))
            .collect();
        assert_eq!(
            regulations,
            vec![
                ("REVIEW_INVITATIONS", "SEND Regs 2014 reg 20(3)"),
                ("REVIEW_ADVICE_CIRCULATED", "SEND Regs 2014 reg 20(4)"),
                ("REVIEW_REPORT", "SEND Regs 2014 reg 20(7)-(8)"),
                ("REVIEW_DECISION", "SEND Regs 2014 reg 20(10)"),
                (
                    "ANNUAL_REVIEW",
                    "CFA 2014 s.44(1); SEND Regs 2014 reg 19, 20(10)"
                ),
            ]
        );
    }

    #[test]
    fn a_late_decision_misses_both_the_four_weeks_and_the_twelve_months() {
        let cases = [
            // (decided on, decision status, 12-month status)
            (d(2026, 11, 12), Met, Met),
            (d(2026, 11, 13), Missed, Met),
            (d(2026, 11, 20), Missed, Met),
            (d(2026, 11, 21), Missed, Missed),
        ];
        for (decided_on, decision, twelve_months) in cases {
            let facts = ReviewFacts {
                meeting_held: true,
                decided_on: Some(decided_on),
                decision: Some(ReviewDecision::Maintain),
                ..scheduled()
            };
            let deadlines = review_deadlines(&facts, decided_on);
            assert_eq!(
                find(&deadlines, DeadlineKind::ReviewDecision).status,
                decision,
                "{decided_on}"
            );
            assert_eq!(
                find(&deadlines, DeadlineKind::AnnualReview).status,
                twelve_months,
                "{decided_on}"
            );
        }
    }

    #[test]
    fn invitations_on_the_last_day_are_in_time() {
        let cases = [
            (d(2026, 10, 1), Met),
            (d(2026, 10, 2), Missed),
            (d(2026, 9, 10), Met),
        ];
        for (sent_on, expected) in cases {
            let facts = ReviewFacts {
                invitations_sent_on: Some(sent_on),
                ..scheduled()
            };
            let deadlines = review_deadlines(&facts, d(2026, 10, 5));
            assert_eq!(
                find(&deadlines, DeadlineKind::ReviewInvitations).status,
                expected,
                "{sent_on}"
            );
        }
    }

    #[test]
    fn review_states_allow_their_actions_only() {
        use ReviewAction as A;
        assert_eq!(
            review_allowed_actions(ReviewState::Scheduled),
            vec![
                A::RescheduleMeeting,
                A::SendInvitations,
                A::RequestAdvice,
                A::RecordAdvice,
                A::CirculateAdvice,
                A::HoldMeeting,
                A::Cancel
            ]
        );
        assert_eq!(
            review_allowed_actions(ReviewState::MeetingHeld),
            vec![A::RecordAdvice, A::RecordReport, A::Decide, A::Cancel]
        );
        assert!(review_allowed_actions(ReviewState::Decided).is_empty());
        let error = review_transition(ReviewState::Scheduled, A::Decide).unwrap_err();
        assert_eq!(
            error.to_string(),
            "DECIDE is not allowed when the review is SCHEDULED; allowed: RESCHEDULE_MEETING, \
             SEND_INVITATIONS, REQUEST_ADVICE, RECORD_ADVICE, CIRCULATE_ADVICE, HOLD_MEETING, \
             CANCEL"
        );
        assert_eq!(
            review_transition(ReviewState::MeetingHeld, A::Decide),
            Ok(ReviewState::Decided)
        );
    }

    #[test]
    fn review_next_steps_walk_the_process() {
        use ReviewAction as A;
        let invited = ReviewFacts {
            invitations_sent_on: Some(d(2026, 9, 20)),
            ..scheduled()
        };
        let circulated = ReviewFacts {
            advice_circulated_on: Some(d(2026, 9, 30)),
            ..invited.clone()
        };
        let held = ReviewFacts {
            meeting_held: true,
            ..circulated.clone()
        };
        let reported = ReviewFacts {
            report_received_on: Some(d(2026, 10, 22)),
            ..held.clone()
        };
        // The 12 months end before M + 4 weeks: the earlier date is the one to meet.
        let tight = ReviewFacts {
            due_by: d(2026, 11, 1),
            ..reported.clone()
        };
        #[rustfmt::skip]
        let cases = [
            ("scheduled", ReviewState::Scheduled, scheduled(), d(2026, 9, 2), A::SendInvitations, d(2026, 10, 1), "SEND Regs 2014 reg 20(3)"),
            ("invited", ReviewState::Scheduled, invited, d(2026, 9, 21), A::CirculateAdvice, d(2026, 10, 1), "SEND Regs 2014 reg 20(4)"),
            ("held", ReviewState::MeetingHeld, held, d(2026, 10, 16), A::RecordReport, d(2026, 10, 29), "SEND Regs 2014 reg 20(7)-(8)"),
            ("reported", ReviewState::MeetingHeld, reported, d(2026, 10, 23), A::Decide, d(2026, 11, 12), "SEND Regs 2014 reg 20(10)"),
            ("twelve months first", ReviewState::MeetingHeld, tight, d(2026, 10, 23), A::Decide, d(2026, 11, 1), "CFA 2014 s.44(1); SEND Regs 2014 reg 19, 20(10)"),
        ];
        for (name, state, facts, today, action, due_on, regulation) in cases {
            let next = review_next_step(state, &facts, today, Reader::Family).unwrap();
            assert_eq!(
                (next.action, next.due_on, next.regulation),
                (Some(action), Some(due_on), Some(regulation)),
                "{name}"
            );
            // Staff read the same step as what the council must do: never "you".
            let staff = review_next_step(state, &facts, today, Reader::Staff).unwrap();
            assert_eq!(
                (staff.action, staff.due_on),
                (next.action, next.due_on),
                "{name}"
            );
            assert!(
                !staff
                    .description
                    .split(|c: char| !c.is_alphabetic())
                    .any(|w| w.eq_ignore_ascii_case("you") || w.eq_ignore_ascii_case("your")),
                "{name}: {}",
                staff.description
            );
        }
        let meeting = review_next_step(
            ReviewState::Scheduled,
            &circulated,
            d(2026, 10, 1),
            Reader::Family,
        )
        .unwrap();
        assert_eq!(
            (meeting.action, meeting.due_on, meeting.description.as_str()),
            (
                Some(A::HoldMeeting),
                Some(d(2026, 10, 15)),
                "The review meeting is on 15 October 2026. You, the school or college and the \
                 professionals involved are invited. Within 2 weeks of the meeting the school or \
                 college sends its report, and within 4 weeks the council must tell you its \
                 decision."
            )
        );
        let unrecorded = review_next_step(
            ReviewState::Scheduled,
            &circulated,
            d(2026, 10, 16),
            Reader::Family,
        )
        .unwrap();
        assert_eq!(
            unrecorded.description,
            "The review meeting was planned for 15 October 2026; the council has not yet \
             recorded that it took place."
        );
        assert_eq!(
            review_next_step(
                ReviewState::Decided,
                &scheduled(),
                d(2026, 12, 1),
                Reader::Family
            ),
            None
        );
    }

    #[test]
    fn a_cancelled_review_has_no_open_deadlines() {
        let facts = ReviewFacts {
            invitations_sent_on: Some(d(2026, 9, 20)),
            cancelled_on: Some(d(2026, 9, 25)),
            ..scheduled()
        };
        let deadlines = review_deadlines(&facts, d(2026, 12, 1));
        assert_eq!(
            find(&deadlines, DeadlineKind::ReviewInvitations).status,
            Met
        );
        assert!(
            deadlines
                .iter()
                .filter(|d| d.kind != DeadlineKind::ReviewInvitations)
                .all(|d| d.status == NotApplicable)
        );
        assert_eq!(
            review_timeline(&facts).last().unwrap().text,
            "The annual review was cancelled"
        );
    }

    #[test]
    fn review_timeline_tells_the_story() {
        let facts = ReviewFacts {
            invitations_sent_on: Some(d(2026, 9, 20)),
            advice_circulated_on: Some(d(2026, 9, 30)),
            meeting_held: true,
            report_received_on: Some(d(2026, 10, 22)),
            decided_on: Some(d(2026, 11, 5)),
            decision: Some(ReviewDecision::Amend),
            advice: vec![AdviceFacts {
                id: 1,
                from: "Educational psychology".into(),
                requested_on: d(2026, 9, 2),
                received_on: Some(d(2026, 9, 28)),
                declined_on: None,
            }],
            ..scheduled()
        };
        let texts: Vec<(NaiveDate, String)> = review_timeline(&facts)
            .into_iter()
            .map(|m| (m.on, m.text))
            .collect();
        let expected = [
            (
                d(2026, 9, 1),
                "The annual review meeting was arranged for 15 October 2026",
            ),
            (
                d(2026, 9, 2),
                "Advice for the review requested from Educational psychology",
            ),
            (d(2026, 9, 20), "Invitations to the review meeting sent"),
            (
                d(2026, 9, 28),
                "Advice for the review received from Educational psychology",
            ),
            (
                d(2026, 9, 30),
                "Advice and information sent to everyone invited",
            ),
            (d(2026, 10, 15), "Review meeting held"),
            (d(2026, 10, 22), "Review report received by the council"),
            (
                d(2026, 11, 5),
                "The council decided to amend the plan — you can appeal once the final amended \
                 plan is issued",
            ),
        ];
        let expected: Vec<(NaiveDate, String)> = expected
            .iter()
            .map(|(on, t)| (*on, (*t).to_owned()))
            .collect();
        assert_eq!(texts, expected);
    }

    /// The Devon case: meeting 15 October 2026, so the decision and the proposed changes are
    /// due together by 12 November, and the final plan 8 weeks after the notice.
    #[test]
    fn devon_amendment_notice_within_four_weeks_then_eight_weeks_to_the_final_plan() {
        let meeting = d(2026, 10, 15);
        #[rustfmt::skip]
        let cases = [
            // (notice sent, notice status, comments until, final plan due)
            ("notice with the decision", d(2026, 11, 5), Met, d(2026, 11, 19), d(2026, 12, 31)),
            ("notice on the last day: final plan 12 weeks after the meeting", d(2026, 11, 12), Met, d(2026, 11, 26), d(2027, 1, 7)),
            // A late notice: the plan is late against the meeting's 12 weeks whatever happens,
            // and the notice's own 8 weeks follow.
            ("notice a day late", d(2026, 11, 13), Missed, d(2026, 11, 27), d(2027, 1, 7)),
        ];
        for (name, notice, notice_status, comments_until, plan_due) in cases {
            let facts = AmendmentFacts {
                notice_sent_on: Some(notice),
                ..AmendmentFacts::new(d(2026, 11, 5), Some(meeting))
            };
            let deadlines = amendment_deadlines(&facts, notice);
            let n = find(&deadlines, DeadlineKind::AmendmentNotice);
            assert_eq!(
                (n.due_on, n.status),
                (d(2026, 11, 12), notice_status),
                "{name}"
            );
            assert_eq!(
                n.regulation,
                "SEND Regs 2014 reg 20(10), 22(2); R (L, M, P) v Devon CC [2022] EWHC 493 (Admin)"
            );
            let c = find(&deadlines, DeadlineKind::AmendmentComments);
            assert_eq!((c.due_on, c.status), (comments_until, DueSoon), "{name}");
            assert_eq!(c.kind.party(), Party::Parent);
            let p = find(&deadlines, DeadlineKind::AmendedPlan);
            assert_eq!(
                (p.due_on, p.regulation),
                (plan_due, "SEND Regs 2014 reg 22(3)"),
                "{name}"
            );
        }
        // Twelve weeks after the meeting when the notice is on time.
        assert_eq!(
            amended_plan_due(decision_due(meeting)),
            add_weeks(meeting, 12)
        );
    }

    #[test]
    fn amendment_without_notice_is_overdue_after_four_weeks() {
        let facts = AmendmentFacts::new(d(2026, 11, 5), Some(d(2026, 10, 15)));
        let deadlines = amendment_deadlines(&facts, d(2026, 11, 13));
        assert_eq!(
            deadlines.len(),
            2,
            "the notice, and the plan's 12 weeks from the meeting"
        );
        assert_eq!(deadlines[0].status, Overdue);
        assert_eq!(
            (deadlines[1].kind, deadlines[1].due_on, deadlines[1].status),
            (DeadlineKind::AmendedPlan, d(2027, 1, 7), Pending)
        );
        let next = amendment_next_step(
            AmendmentState::NoticeDue,
            &facts,
            d(2026, 11, 13),
            Reader::Family,
        )
        .unwrap();
        assert_eq!(next.action, Some(AmendmentAction::SendNotice));
        assert_eq!(next.due_on, Some(d(2026, 11, 12)));
    }

    #[test]
    fn deciding_not_to_amend_is_due_in_the_same_eight_weeks() {
        let facts = AmendmentFacts {
            notice_sent_on: Some(d(2026, 11, 5)),
            decided_not_to_amend_on: Some(d(2026, 12, 1)),
            ..AmendmentFacts::new(d(2026, 11, 5), Some(d(2026, 10, 15)))
        };
        let deadlines = amendment_deadlines(&facts, d(2026, 12, 2));
        assert_eq!(
            find(&deadlines, DeadlineKind::AmendedPlan).status,
            NotApplicable
        );
        let decision = find(&deadlines, DeadlineKind::DecisionNotToAmend);
        assert_eq!(
            (decision.due_on, decision.status, decision.regulation),
            (d(2026, 12, 31), Met, "SEND Regs 2014 reg 22(4)")
        );
        assert_eq!(
            find(&deadlines, DeadlineKind::AmendmentComments).status,
            NotApplicable
        );
    }

    #[test]
    fn an_amendment_stopped_by_a_transfer_has_no_open_deadlines() {
        let facts = AmendmentFacts {
            notice_sent_on: Some(d(2026, 11, 5)),
            withdrawn_on: Some(d(2026, 11, 10)),
            ..AmendmentFacts::new(d(2026, 11, 5), Some(d(2026, 10, 15)))
        };
        let deadlines = amendment_deadlines(&facts, d(2027, 2, 1));
        assert_eq!(find(&deadlines, DeadlineKind::AmendmentNotice).status, Met);
        assert_eq!(
            find(&deadlines, DeadlineKind::AmendedPlan).status,
            NotApplicable
        );
        assert_eq!(
            amendment_next_step(
                AmendmentState::NoticeSent,
                &facts,
                d(2026, 11, 11),
                Reader::Family
            ),
            None
        );
        assert_eq!(
            amendment_timeline(&facts).last().unwrap().text,
            "The amendment stopped here: the plan moved to another council"
        );
    }

    #[test]
    fn amendment_outside_a_review_has_no_four_week_notice() {
        let facts = AmendmentFacts {
            notice_sent_on: Some(d(2027, 1, 31)),
            ..AmendmentFacts::new(d(2027, 1, 31), None)
        };
        let deadlines = amendment_deadlines(&facts, d(2027, 2, 1));
        let kinds: Vec<DeadlineKind> = deadlines.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            vec![DeadlineKind::AmendmentComments, DeadlineKind::AmendedPlan]
        );
        assert_eq!(deadlines[0].due_on, d(2027, 2, 14));
        assert_eq!(deadlines[1].due_on, d(2027, 3, 28));
        assert_eq!(
            amendment_timeline(&facts)
                .into_iter()
                .map(|m| m.text)
                .collect::<Vec<_>>(),
            vec![
                "The council proposed to amend the plan",
                "Proposed changes to the plan sent to you — you have until 14 February 2027 to \
                 comment"
            ]
        );
    }

    #[test]
    fn amended_plan_waits_for_the_parents_fifteen_days() {
        let notice = d(2026, 11, 5);
        let cases = [
            (
                None,
                d(2026, 11, 4),
                Err(AmendedPlanError::BeforeNotice {
                    notice_sent_on: notice,
                }),
            ),
            (
                None,
                d(2026, 11, 19),
                Err(AmendedPlanError::CommentWindowOpen {
                    comments_until: d(2026, 11, 19),
                }),
            ),
            (None, d(2026, 11, 20), Ok(())),
            (Some(d(2026, 11, 10)), d(2026, 11, 10), Ok(())),
            (
                Some(d(2026, 11, 11)),
                d(2026, 11, 10),
                Err(AmendedPlanError::CommentWindowOpen {
                    comments_until: d(2026, 11, 19),
                }),
            ),
        ];
        for (responded, on, expected) in cases {
            assert_eq!(
                check_amended_plan_allowed(notice, responded, on),
                expected,
                "{on}"
            );
        }
        assert_eq!(
            AmendedPlanError::CommentWindowOpen {
                comments_until: d(2026, 11, 20)
            }
            .to_string(),
            "the parent or young person has until 20 November 2026 to comment on the proposed \
             changes (SEND Regs 2014 reg 22(2)(c)); the amended plan can be issued from 21 \
             November 2026, or sooner once they have responded"
        );
    }

    #[test]
    fn amendment_states_allow_their_actions_only() {
        use AmendmentAction as A;
        assert_eq!(
            amendment_allowed_actions(AmendmentState::NoticeDue),
            vec![A::SendNotice, A::DecideNotToAmend]
        );
        assert_eq!(
            amendment_allowed_actions(AmendmentState::NoticeSent),
            vec![
                A::RecordParentResponse,
                A::IssueAmendedPlan,
                A::DecideNotToAmend
            ]
        );
        assert!(amendment_allowed_actions(AmendmentState::FinalIssued).is_empty());
        assert_eq!(
            amendment_transition(AmendmentState::NoticeDue, A::IssueAmendedPlan)
                .unwrap_err()
                .to_string(),
            "ISSUE_AMENDED_PLAN is not allowed when the amendment is NOTICE_DUE; allowed: \
             SEND_NOTICE, DECIDE_NOT_TO_AMEND"
        );
    }

    #[test]
    fn amendment_next_step_moves_from_parent_to_council() {
        let facts = AmendmentFacts {
            notice_sent_on: Some(d(2026, 11, 5)),
            ..AmendmentFacts::new(d(2026, 11, 5), Some(d(2026, 10, 15)))
        };
        let parent = amendment_next_step(
            AmendmentState::NoticeSent,
            &facts,
            d(2026, 11, 6),
            Reader::Family,
        )
        .unwrap();
        assert_eq!(
            (parent.action, parent.party, parent.due_on),
            (
                Some(AmendmentAction::RecordParentResponse),
                Party::Parent,
                Some(d(2026, 11, 19))
            )
        );
        let council = amendment_next_step(
            AmendmentState::NoticeSent,
            &facts,
            d(2026, 11, 21),
            Reader::Family,
        )
        .unwrap();
        assert_eq!(
            (council.action, council.due_on),
            (
                Some(AmendmentAction::IssueAmendedPlan),
                Some(d(2026, 12, 31))
            )
        );
    }

    #[test]
    fn the_family_reads_where_the_review_stands() {
        let held = ReviewFacts {
            meeting_held: true,
            ..scheduled()
        };
        let decided = |decision| ReviewFacts {
            decided_on: Some(d(2026, 11, 5)),
            decision: Some(decision),
            ..held.clone()
        };
        let cancelled = ReviewFacts {
            cancelled_on: Some(d(2026, 9, 25)),
            ..scheduled()
        };
        #[rustfmt::skip]
        let cases = [
            (ReviewState::Scheduled, scheduled(), d(2026, 10, 15),
             "The annual review meeting is arranged for 15 October 2026."),
            (ReviewState::Scheduled, scheduled(), d(2026, 10, 16),
             "The annual review meeting was planned for 15 October 2026; the council has not yet recorded that it took place."),
            (ReviewState::MeetingHeld, held.clone(), d(2026, 10, 20),
             "The annual review meeting was held on 15 October 2026. The council must tell you by 12 November 2026 whether it will keep the plan as it is, amend it or cease it."),
            (ReviewState::Decided, decided(ReviewDecision::Maintain), d(2026, 11, 6),
             "The annual review finished on 5 November 2026: the council decided to keep the plan as it is."),
            (ReviewState::Decided, decided(ReviewDecision::Amend), d(2026, 11, 6),
             "The annual review finished on 5 November 2026: the council decided to amend the plan. It sends you the proposed changes; you then have 15 days to comment, and the final amended plan is due within 8 weeks of the proposed changes."),
            (ReviewState::Decided, decided(ReviewDecision::Cease), d(2026, 11, 6),
             "The annual review finished on 5 November 2026: the council decided it will consider ceasing the plan. It must consult you and the school or college before it decides."),
            (ReviewState::Cancelled, cancelled, d(2026, 9, 26),
             "The annual review was cancelled on 25 September 2026."),
        ];
        for (state, facts, today, expected) in cases {
            assert_eq!(review_summary(state, &facts, today), expected, "{state:?}");
        }
        // The 12 months ending first is the date the family is given.
        let tight = ReviewFacts {
            due_by: d(2026, 11, 1),
            ..held.clone()
        };
        assert!(
            review_summary(ReviewState::MeetingHeld, &tight, d(2026, 10, 20))
                .contains("by 1 November 2026")
        );
        assert_eq!(
            plan_review_summary(None, Some(d(2027, 3, 19)), d(2026, 11, 6)).as_deref(),
            Some(
                "No review meeting is arranged yet. The council must arrange one, hold it with \
                 you and the school or college, and make its decision by 19 March 2027."
            )
        );
        assert_eq!(
            plan_review_summary(
                Some((ReviewState::Scheduled, &scheduled())),
                None,
                d(2026, 9, 2)
            )
            .as_deref(),
            Some("The annual review meeting is arranged for 15 October 2026.")
        );
        assert_eq!(plan_review_summary(None, None, d(2026, 9, 2)), None);
    }

    #[test]
    fn only_keeping_the_plan_unchanged_is_appealable_at_the_review() {
        let decided = |decision| ReviewFacts {
            meeting_held: true,
            decided_on: Some(d(2026, 11, 5)),
            decision: Some(decision),
            ..scheduled()
        };
        let kept = review_appeal(&decided(ReviewDecision::Maintain), None).unwrap();
        assert_eq!(
            (kept.decided_on, kept.appeal_by, kept.regulation),
            (
                d(2026, 11, 5),
                d(2027, 1, 5),
                "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.51(2)(e), s.55"
            )
        );
        let extended =
            review_appeal(&decided(ReviewDecision::Maintain), Some(d(2026, 12, 20))).unwrap();
        assert_eq!(extended.appeal_by, d(2027, 1, 20));
        assert_eq!(review_appeal(&decided(ReviewDecision::Amend), None), None);
        assert_eq!(review_appeal(&decided(ReviewDecision::Cease), None), None);
        assert_eq!(review_appeal(&scheduled(), None), None);
    }

    #[test]
    fn the_amended_plan_or_a_decision_not_to_amend_is_appealable() {
        let sent = AmendmentFacts {
            notice_sent_on: Some(d(2026, 11, 5)),
            ..AmendmentFacts::new(d(2026, 11, 5), Some(d(2026, 10, 15)))
        };
        assert_eq!(amendment_appeal(&sent, None), None);
        let issued = AmendmentFacts {
            final_issued_on: Some(d(2026, 12, 31)),
            ..sent.clone()
        };
        let window = amendment_appeal(&issued, None).unwrap();
        assert_eq!(
            (window.decision, window.appeal_by, window.regulation),
            (
                "on what the amended EHC plan says and the school or college it names",
                // Two months end on Sunday 28 February: the next working day (r.12).
                d(2027, 3, 1),
                "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.51(2)(c), s.55"
            )
        );
        let dropped = AmendmentFacts {
            decided_not_to_amend_on: Some(d(2026, 12, 1)),
            ..sent
        };
        let window = amendment_appeal(&dropped, Some(d(2027, 1, 20))).unwrap();
        assert_eq!(
            (window.decision, window.appeal_by),
            // A month after the certificate ends on Saturday 20 February: Monday (r.12).
            ("not to amend the EHC plan", d(2027, 2, 22))
        );
    }
}
