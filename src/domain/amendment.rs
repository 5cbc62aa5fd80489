//! Amendments to an EHC plan (SEND Regs 2014 reg 22): the notice of proposed changes, the
//! family's 15 days, and the final amended plan within 8 weeks of the notice (or a decision
//! not to amend); with Devon, the notice within 4 weeks of the review meeting.
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use super::appeal::{AppealWindow, PlanDecision};
use super::assessment::{Milestone, UnknownCode, parse_code};
use super::backlog::TrackedDeadline;
use super::calendar::{add_days, long_date};
use super::reader::Reader;
use super::review::*;
use super::timescales::{Deadline, DeadlineKind, DeadlineStatus, Party, TimeLimit, status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AmendmentState {
    /// The review decided to amend; the notice of proposed changes is still to go.
    NoticeDue,
    NoticeSent,
    FinalIssued,
    NotAmended,
}

impl AmendmentState {
    pub const ALL: [Self; 4] = [
        Self::NoticeDue,
        Self::NoticeSent,
        Self::FinalIssued,
        Self::NotAmended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoticeDue => "NOTICE_DUE",
            Self::NoticeSent => "NOTICE_SENT",
            Self::FinalIssued => "FINAL_ISSUED",
            Self::NotAmended => "NOT_AMENDED",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "amendment state", code)
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Self::FinalIssued | Self::NotAmended)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AmendmentAction {
    SendNotice,
    RecordParentResponse,
    IssueAmendedPlan,
    DecideNotToAmend,
}

impl AmendmentAction {
    pub const ALL: [Self; 4] = [
        Self::SendNotice,
        Self::RecordParentResponse,
        Self::IssueAmendedPlan,
        Self::DecideNotToAmend,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendNotice => "SEND_NOTICE",
            Self::RecordParentResponse => "RECORD_PARENT_RESPONSE",
            Self::IssueAmendedPlan => "ISSUE_AMENDED_PLAN",
            Self::DecideNotToAmend => "DECIDE_NOT_TO_AMEND",
        }
    }
}

fn next_amendment_state(state: AmendmentState, action: AmendmentAction) -> Option<AmendmentState> {
    use AmendmentAction as A;
    use AmendmentState as S;
    match (state, action) {
        (S::NoticeDue, A::SendNotice) => Some(S::NoticeSent),
        (S::NoticeSent, A::RecordParentResponse) => Some(S::NoticeSent),
        (S::NoticeSent, A::IssueAmendedPlan) => Some(S::FinalIssued),
        (S::NoticeDue | S::NoticeSent, A::DecideNotToAmend) => Some(S::NotAmended),
        _ => None,
    }
}

pub fn amendment_allowed_actions(state: AmendmentState) -> Vec<AmendmentAction> {
    AmendmentAction::ALL
        .into_iter()
        .filter(|a| next_amendment_state(state, *a).is_some())
        .collect()
}

pub fn amendment_transition(
    state: AmendmentState,
    action: AmendmentAction,
) -> Result<AmendmentState, TransitionError<AmendmentState, AmendmentAction>> {
    next_amendment_state(state, action).ok_or_else(|| TransitionError {
        state,
        action,
        allowed: amendment_allowed_actions(state),
    })
}

impl fmt::Display for TransitionError<AmendmentState, AmendmentAction> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed: Vec<&str> = self.allowed.iter().map(|a| a.as_str()).collect();
        write!(
            f,
            "{} is not allowed when the amendment is {}",
            self.action.as_str(),
            self.state.as_str()
        )?;
        if allowed.is_empty() {
            write!(f, "; the amendment is closed")
        } else {
            write!(f, "; allowed: {}", allowed.join(", "))
        }
    }
}

/// What has happened on an amendment, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentFacts {
    /// The review's decision to amend, or the day the council proposed an amendment outside a
    /// review.
    pub started_on: NaiveDate,
    /// The review meeting, when the amendment follows a review (Devon: notice by M + 4 weeks).
    pub meeting_on: Option<NaiveDate>,
    pub notice_sent_on: Option<NaiveDate>,
    pub parent_responded_on: Option<NaiveDate>,
    pub final_issued_on: Option<NaiveDate>,
    pub decided_not_to_amend_on: Option<NaiveDate>,
    /// Closed without a decision: the plan moved to another council, which carries on.
    pub withdrawn_on: Option<NaiveDate>,
    /// Directed by an order, an agreement or a concession: its limit and due date. The
    /// Tribunal settled the content, so the notice, the family's 15 days and reg 22's 8 weeks
    /// do not apply; the limit is counted on the dispute.
    pub ordered: Option<(DeadlineKind, NaiveDate)>,
    /// A reg 44(3) exception recorded on that order.
    pub ordered_exception: Option<super::dispute::RecordedOrderException>,
}

impl AmendmentFacts {
    pub fn new(started_on: NaiveDate, meeting_on: Option<NaiveDate>) -> Self {
        Self {
            started_on,
            meeting_on,
            notice_sent_on: None,
            parent_responded_on: None,
            final_issued_on: None,
            decided_not_to_amend_on: None,
            withdrawn_on: None,
            ordered: None,
            ordered_exception: None,
        }
    }
}

/// The last day of the family's "at least 15 days beginning with the day on which the notice
/// was served" (reg 22(2)(c)): served on D, they have D … D+14; the amended plan may be
/// issued from D+15.
pub fn amendment_comments_until(notice_sent_on: NaiveDate) -> NaiveDate {
    DeadlineKind::AmendmentComments.due_from(notice_sent_on)
}

/// Eight weeks from the notice (reg 22(3), 22(4)).
pub fn amended_plan_due(notice_sent_on: NaiveDate) -> NaiveDate {
    DeadlineKind::AmendedPlan.due_from(notice_sent_on)
}

/// The clocks the final amended plan runs against, as (start, due): reg 22(3)'s 8 weeks from
/// the notice; after a review, with Devon, also the meeting + 12 weeks (4 weeks for the notice
/// and 8 for the plan). Before a notice is sent the case is late against the meeting's clock;
/// once one is sent on time the notice's clock is the earlier and the only one; a late notice
/// shows both, since the plan is late against the first whatever happens.
fn amended_plan_clocks(facts: &AmendmentFacts) -> Vec<(NaiveDate, NaiveDate)> {
    let from_meeting = facts
        .meeting_on
        .map(|m| (m, amended_plan_due(decision_due(m))));
    let from_notice = facts.notice_sent_on.map(|n| (n, amended_plan_due(n)));
    match (from_meeting, from_notice) {
        (Some(m), Some(n)) if n.1 > m.1 => vec![m, n],
        (_, Some(n)) => vec![n],
        (Some(m), None) => vec![m],
        (None, None) => Vec::new(),
    }
}

/// The amendment's deadlines on `today`: the notice (after a review), the parent's 15 days,
/// and the final amended plan or the decision not to amend.
pub fn amendment_deadlines(facts: &AmendmentFacts, today: NaiveDate) -> Vec<Deadline> {
    if let Some((kind, due_on)) = facts.ordered {
        let limit = TimeLimit {
            kind,
            starts_on: facts.started_on,
            due_on,
            met_on: facts.final_issued_on,
            advice_request_id: None,
        };
        // The order's exception lifts it here as on the dispute, where it is counted.
        let excepted = facts
            .ordered_exception
            .as_ref()
            .filter(|e| e.lifts(facts.started_on, due_on, facts.final_issued_on));
        return vec![
            if facts.withdrawn_on.is_some() && facts.final_issued_on.is_none() {
                Deadline::not_applicable(kind, due_on, None)
            } else {
                Deadline {
                    status: status(due_on, facts.final_issued_on, today, excepted.is_some()),
                    excepted_by: excepted
                        .map(|e| vec![e.reason.as_str().to_owned()])
                        .unwrap_or_default(),
                    ..limit.deadline(&[], today)
                }
            },
        ];
    }
    let not_amended = facts.decided_not_to_amend_on.is_some();
    let mut deadlines = Vec::new();
    if let Some(meeting_on) = facts.meeting_on {
        let limit = TimeLimit {
            kind: DeadlineKind::AmendmentNotice,
            starts_on: meeting_on,
            due_on: decision_due(meeting_on),
            met_on: facts.notice_sent_on,
            advice_request_id: None,
        };
        deadlines.push(if not_amended && facts.notice_sent_on.is_none() {
            Deadline::not_applicable(limit.kind, limit.due_on, None)
        } else {
            limit.deadline(&[], today)
        });
    }
    if let Some(notice) = facts.notice_sent_on {
        let due_on = amendment_comments_until(notice);
        let kind = DeadlineKind::AmendmentComments;
        // The parent's window: theirs to use, so never overdue.
        let window_status = match facts.parent_responded_on {
            Some(r) if r <= due_on => DeadlineStatus::Met,
            Some(_) => DeadlineStatus::Missed,
            None if today <= due_on && !not_amended => status(due_on, None, today, false),
            None => DeadlineStatus::NotApplicable,
        };
        deadlines.push(Deadline {
            kind,
            due_on,
            met_on: facts.parent_responded_on,
            status: window_status,
            regulation: kind.regulation(),
            statutory: true,
            target_on: None,
            excepted_by: Vec::new(),
            advice_request_id: None,
        });
    }
    for (starts_on, due_on) in amended_plan_clocks(facts) {
        let plan = TimeLimit {
            kind: DeadlineKind::AmendedPlan,
            starts_on,
            due_on,
            met_on: facts.final_issued_on,
            advice_request_id: None,
        };
        match facts.decided_not_to_amend_on {
            Some(decided) if facts.notice_sent_on == Some(starts_on) => {
                deadlines.push(Deadline::not_applicable(plan.kind, plan.due_on, None));
                let limit = TimeLimit {
                    kind: DeadlineKind::DecisionNotToAmend,
                    met_on: Some(decided),
                    ..plan
                };
                deadlines.push(limit.deadline(&[], today));
            }
            Some(_) => deadlines.push(Deadline::not_applicable(plan.kind, plan.due_on, None)),
            None => deadlines.push(plan.deadline(&[], today)),
        }
    }
    if facts.withdrawn_on.is_some() {
        for deadline in &mut deadlines {
            if deadline.met_on.is_none() {
                *deadline = Deadline::not_applicable(deadline.kind, deadline.due_on, None);
            }
        }
    }
    deadlines
}

/// The amendment's next step, worded for `reader`.
pub fn amendment_next_step(
    state: AmendmentState,
    facts: &AmendmentFacts,
    today: NaiveDate,
    reader: Reader,
) -> Option<Step<AmendmentAction>> {
    use AmendmentAction as A;
    if facts.withdrawn_on.is_some() {
        return None;
    }
    let deadlines = amendment_deadlines(facts, today);
    let find = |kind: DeadlineKind| deadlines.iter().find(|d| d.kind == kind);
    if let (Some((kind, _)), AmendmentState::NoticeSent) = (facts.ordered, state) {
        let due = find(kind)?;
        return step(
            A::IssueAmendedPlan,
            reader.pick(
                format!(
                    "The council must issue the amended plan the Tribunal ordered (or it agreed \
                     or conceded) by {}.",
                    long_date(due.due_on)
                ),
                format!(
                    "Issue the amended plan as directed by {}.",
                    long_date(due.due_on)
                ),
            ),
            Party::LocalAuthority,
            due,
        );
    }
    match state {
        AmendmentState::NoticeDue => match find(DeadlineKind::AmendmentNotice) {
            Some(d) => step(
                A::SendNotice,
                reader.pick(
                    format!(
                        "The council must send you the proposed changes to the plan, with the \
                         evidence for them, by {}.",
                        long_date(d.due_on)
                    ),
                    format!(
                        "Send the family the proposed changes to the plan, with the evidence \
                         for them, by {}.",
                        long_date(d.due_on)
                    ),
                ),
                Party::LocalAuthority,
                d,
            ),
            None => Some(Step {
                action: Some(A::SendNotice),
                description: reader
                    .pick(
                        "The council must send you the proposed changes to the plan, with the \
                         evidence for them.",
                        "Send the family the proposed changes to the plan, with the evidence \
                         for them.",
                    )
                    .to_owned(),
                party: Party::LocalAuthority,
                due_on: None,
                regulation: Some("SEND Regs 2014 reg 22(2)"),
            }),
        },
        AmendmentState::NoticeSent => {
            let window = find(DeadlineKind::AmendmentComments)?;
            if facts.parent_responded_on.is_none() && today <= window.due_on {
                return step(
                    A::RecordParentResponse,
                    reader.pick(
                        format!(
                            "You can comment on the proposed changes, ask for a meeting, or ask \
                             for a particular school or college to be named, until {}.",
                            long_date(window.due_on)
                        ),
                        format!(
                            "The family may comment on the proposed changes, ask for a meeting, \
                             or ask for a particular school or college to be named, until {}; \
                             then issue the amended plan.",
                            long_date(window.due_on)
                        ),
                    ),
                    Party::Parent,
                    window,
                );
            }
            let plan = find(DeadlineKind::AmendedPlan)?;
            step(
                A::IssueAmendedPlan,
                reader.pick(
                    format!(
                        "The council must issue the final amended plan, or tell you it will not \
                         amend it after all, by {}.",
                        long_date(plan.due_on)
                    ),
                    format!(
                        "Issue the final amended plan, or tell the family it will not be \
                         amended after all, by {}.",
                        long_date(plan.due_on)
                    ),
                ),
                Party::LocalAuthority,
                plan,
            )
        }
        AmendmentState::FinalIssued | AmendmentState::NotAmended => None,
    }
}

pub fn amendment_timeline(facts: &AmendmentFacts) -> Vec<Milestone> {
    let mut milestones = Vec::new();
    let mut add = |on: Option<NaiveDate>, text: String| {
        if let Some(on) = on {
            milestones.push(Milestone { on, text });
        }
    };
    if let Some((kind, due_on)) = facts.ordered {
        let what = match kind {
            DeadlineKind::OrderNamedSetting => "name the school or college in the plan",
            _ => "amend the plan",
        };
        add(
            Some(facts.started_on),
            format!(
                "The council was directed to {what} (by the Tribunal's order, a mediation \
                 agreement or its own concession): the amended plan is due by {}",
                long_date(due_on)
            ),
        );
    } else if facts.meeting_on.is_none() {
        add(
            Some(facts.started_on),
            "The council proposed to amend the plan".to_owned(),
        );
    }
    if let Some(notice) = facts.notice_sent_on.filter(|_| facts.ordered.is_none()) {
        add(
            Some(notice),
            format!(
                "Proposed changes to the plan sent to you — you have until {} to comment",
                long_date(amendment_comments_until(notice))
            ),
        );
    }
    add(
        facts.parent_responded_on,
        "The council received your comments on the proposed changes".to_owned(),
    );
    add(
        facts.final_issued_on,
        "Final amended EHC plan issued — you can appeal what it says".to_owned(),
    );
    add(
        facts.decided_not_to_amend_on,
        "The council decided not to amend the plan after all — you can appeal this decision"
            .to_owned(),
    );
    add(
        facts.withdrawn_on,
        "The amendment stopped here: the plan moved to another council".to_owned(),
    );
    milestones.sort_by_key(|m| m.on);
    milestones
}

/// The final amended plan (CFA 2014 s.51(2)(c)) or a decision not to amend after all
/// (s.51(2)(e)) may be appealed.
pub fn amendment_appeal(
    facts: &AmendmentFacts,
    mediation_certificate_on: Option<NaiveDate>,
) -> Option<AppealWindow> {
    let (decision, on) = match (facts.final_issued_on, facts.decided_not_to_amend_on) {
        (Some(on), _) => (PlanDecision::AmendedPlan, on),
        (None, Some(on)) => (PlanDecision::NotAmended, on),
        (None, None) => return None,
    };
    Some(AppealWindow::for_plan(
        decision,
        on,
        mediation_certificate_on,
    ))
}

/// Why the final amended plan cannot be issued on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmendedPlanError {
    BeforeNotice {
        notice_sent_on: NaiveDate,
    },
    /// The parent's 15 days have not run out and they have not responded (reg 22(2)(c)).
    CommentWindowOpen {
        comments_until: NaiveDate,
    },
}

impl fmt::Display for AmendedPlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BeforeNotice { notice_sent_on } => write!(
                f,
                "the amended plan cannot be dated before the notice of proposed changes was sent \
                 on {}",
                long_date(*notice_sent_on)
            ),
            Self::CommentWindowOpen { comments_until } => write!(
                f,
                "the parent or young person has until {} to comment on the proposed changes \
                 (SEND Regs 2014 reg 22(2)(c)); the amended plan can be issued from {}, or sooner \
                 once they have responded",
                long_date(*comments_until),
                long_date(add_days(*comments_until, 1))
            ),
        }
    }
}

impl std::error::Error for AmendedPlanError {}

/// The amended plan may be issued once the parent's 15 days are over or they responded.
pub fn check_amended_plan_allowed(
    notice_sent_on: NaiveDate,
    parent_responded_on: Option<NaiveDate>,
    on: NaiveDate,
) -> Result<(), AmendedPlanError> {
    if on < notice_sent_on {
        return Err(AmendedPlanError::BeforeNotice { notice_sent_on });
    }
    let comments_until = amendment_comments_until(notice_sent_on);
    if on > comments_until || parent_responded_on.is_some_and(|r| r <= on) {
        Ok(())
    } else {
        Err(AmendedPlanError::CommentWindowOpen { comments_until })
    }
}

/// The amendment's steps as the backlog tracks them: the notice (after a review), the family's
/// 15 days (a window, never overdue: it closes the day after its last day), and the final
/// amended plan, or the decision not to amend, within 8 weeks of the notice.
pub fn tracked_amendment_deadlines(facts: &AmendmentFacts) -> Vec<TrackedDeadline> {
    // A directed amendment's limit is counted once, on its dispute.
    if facts.ordered.is_some() {
        return Vec::new();
    }
    let not_amended = facts.decided_not_to_amend_on;
    let withdrawn = facts.withdrawn_on;
    let mut tracked = Vec::new();
    if let Some(meeting_on) = facts.meeting_on {
        tracked.push(TrackedDeadline::plain(
            DeadlineKind::AmendmentNotice,
            meeting_on,
            decision_due(meeting_on),
            facts.notice_sent_on,
            &[not_amended, withdrawn],
        ));
    }
    if let Some(notice) = facts.notice_sent_on {
        let until = amendment_comments_until(notice);
        let responded = facts.parent_responded_on.filter(|r| *r <= until);
        tracked.push(TrackedDeadline::plain(
            DeadlineKind::AmendmentComments,
            notice,
            until,
            responded,
            &[Some(add_days(until, 1)), not_amended, withdrawn],
        ));
    }
    // The backlog counts each amendment once, against the clock that binds first: the
    // meeting + 12 weeks when the notice was late or is not sent yet, else the notice's 8 weeks.
    match (not_amended, facts.notice_sent_on) {
        (Some(decided), Some(notice)) => tracked.push(TrackedDeadline::plain(
            DeadlineKind::DecisionNotToAmend,
            notice,
            amended_plan_due(notice),
            Some(decided),
            &[withdrawn],
        )),
        _ => {
            if let Some(&(starts_on, due_on)) = amended_plan_clocks(facts).first() {
                tracked.push(TrackedDeadline::plain(
                    DeadlineKind::AmendedPlan,
                    starts_on,
                    due_on,
                    facts.final_issued_on,
                    &[withdrawn, not_amended],
                ));
            }
        }
    }
    tracked
}
