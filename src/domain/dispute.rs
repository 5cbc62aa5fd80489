//! Disputes about a council's decisions: mediation, appeals to the First-tier Tribunal (SEND),
//! what the Tribunal orders, what mediation agrees and what the council concedes, and the time
//! limits each sets the council (DOMAIN.md §6). Pure rules: every period is a row of
//! [`super::rules::RULES`], counted from the date the law names.
//!
//! - An **order** is counted from the day the Tribunal made it, which HMCTS takes as the day it
//!   sends it (SEND Regs 2014 reg 44(2): "within N weeks of the order being made").
//! - A **mediation agreement** on a matter that could be appealed sets the same limits from the
//!   day of the agreement (reg 42(2)); on anything else (social care, health), the council or
//!   the commissioning body must act within 2 weeks of it (reg 42(3)).
//! - A **concession**: a council that tells the Tribunal it will not oppose the appeal (reg 45,
//!   as amended in 2015) has the same limits from the day it told the Tribunal.
//! - The limits do not apply where reg 44(3)'s exceptions make them impractical: exceptional
//!   personal circumstances, the child or young person or parent absent from the area for at
//!   least 2 continuous weeks, or the family asking to make representations after the order.
use chrono::NaiveDate;

use super::backlog::TrackedDeadline;
use super::calendar::long_date;
use super::codes::stored_codes;
use super::reader::Reader;
use super::rules::rule_of;
use super::timescales::{Deadline, DeadlineKind, DeadlineStatus, Party, status};

stored_codes! {
    /// What a family appeals against (CFA 2014 s.51(2)).
    pub enum Appealed ("appealed decision") {
        /// A decision not to carry out a needs assessment (s.51(2)(a)) or a re-assessment (d).
        RefusalToAssess => "REFUSAL_TO_ASSESS",
        /// A decision not to make an EHC plan after assessing (s.51(2)(b)).
        RefusalToIssue => "REFUSAL_TO_ISSUE",
        /// What the plan says: its special educational needs (section B) or provision (F)
        /// (s.51(2)(c)(i)-(ii)).
        PlanContent => "PLAN_CONTENT",
        /// The school or other institution the plan names (section I), or that it names none
        /// (s.51(2)(c)(iii)-(iv)).
        NamedSetting => "NAMED_SETTING",
        /// A decision not to amend the plan after a review or re-assessment (s.51(2)(e)).
        DecisionNotToAmend => "DECISION_NOT_TO_AMEND",
        /// A decision to cease to maintain the plan (s.51(2)(f)).
        Cease => "CEASE",
    }
}

impl Appealed {
    /// The orders the Tribunal may make on such an appeal besides dismissing it (reg 43(2)).
    pub fn orders(self) -> &'static [OrderKind] {
        match self {
            Appealed::RefusalToAssess => &[OrderKind::Assess],
            Appealed::RefusalToIssue => &[OrderKind::MakePlan],
            Appealed::PlanContent | Appealed::DecisionNotToAmend => &[OrderKind::AmendContent],
            Appealed::NamedSetting => &[OrderKind::ChangeSetting, OrderKind::AmendContent],
            Appealed::Cease => &[OrderKind::ContinueToMaintain],
        }
    }

    /// What dismissing the appeal leaves the council to do: after a cease appeal fails, the
    /// plan is ceased at once (reg 44(2)(a)); otherwise the decision simply stands.
    pub fn on_dismissal(self) -> Option<OrderKind> {
        (self == Appealed::Cease).then_some(OrderKind::CeaseUpheld)
    }
}

stored_codes! {
    /// What the council must do after an order, an agreement or a concession.
    pub enum OrderKind ("order") {
        /// Carry out the needs assessment or re-assessment it refused (reg 44(2)(b)).
        Assess => "ASSESS",
        /// Make and maintain an EHC plan (reg 44(2)(c)).
        MakePlan => "MAKE_PLAN",
        /// Amend what the plan says, sections B and F (reg 44(2)(e)).
        AmendContent => "AMEND_CONTENT",
        /// Name another school or institution, and change nothing else (reg 44(2)(f)).
        ChangeSetting => "CHANGE_SETTING",
        /// Continue to maintain the plan it meant to cease (reg 44(2)(g)).
        ContinueToMaintain => "CONTINUE_TO_MAINTAIN",
        /// The appeal against ceasing was dismissed: cease the plan (reg 44(2)(a)).
        CeaseUpheld => "CEASE_UPHELD",
    }
}

impl OrderKind {
    /// The council's limits, in the order it meets them. After an order to assess, the
    /// decision not to make a plan (10 weeks) and the final plan (14 weeks) are alternatives:
    /// the one the council takes applies.
    pub fn steps(self) -> &'static [DeadlineKind] {
        use DeadlineKind as K;
        match self {
            OrderKind::Assess => &[
                K::OrderAssessmentNotice,
                K::OrderNoPlanDecision,
                K::OrderFinalPlan,
            ],
            OrderKind::MakePlan => &[K::OrderDraftPlan, K::OrderMadePlan],
            OrderKind::AmendContent => &[K::OrderAmendedPlan],
            OrderKind::ChangeSetting => &[K::OrderNamedSetting],
            OrderKind::ContinueToMaintain | OrderKind::CeaseUpheld => &[K::OrderImmediate],
        }
    }
}

/// Where the council's duty comes from, and so the day its clocks start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The Tribunal's order, counted from the day it was made (sent) (reg 44).
    TribunalOrder,
    /// A mediation agreement on an appealable matter, from the day agreed (reg 42(2)).
    MediationAgreement,
    /// The council told the Tribunal it would not oppose the appeal, from that day (reg 45).
    Concession,
}

impl Source {
    /// The provision that applies reg 44's periods to this source.
    pub fn regulation(self) -> &'static str {
        match self {
            Source::TribunalOrder => "SEND Regs 2014 reg 44(2)",
            Source::MediationAgreement => "SEND Regs 2014 reg 42(2), 44(2)",
            Source::Concession => "SEND Regs 2014 reg 45 (as amended 2015)",
        }
    }
}

stored_codes! {
    /// Why a limit of reg 44(2) is impractical to meet (reg 44(3)).
    pub enum OrderException ("reg 44(3) exception") {
        /// Exceptional personal circumstances affect the child or parent, or the young person.
        ExceptionalPersonalCircumstances => "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES",
        /// The child or parent, or the young person, is absent from the area for at least 2
        /// continuous weeks.
        AbsentTwoWeeks => "ABSENT_TWO_WEEKS",
        /// The family asked to make representations after the order.
        FamilyRepresentations => "FAMILY_REPRESENTATIONS",
    }
}

/// What the council must now do, and from when: an order, an agreement or a concession.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Direction {
    pub kind: OrderKind,
    pub source: Source,
    /// The day its clocks start: the order sent, the agreement made, the Tribunal told.
    pub on: NaiveDate,
}

/// One of the council's limits after a direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectedStep {
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
    pub regulation: &'static str,
}

impl Direction {
    /// The council's limits, each with the provision that applies it to this source. A reg
    /// 44(3) exception lifts them where the case records it ([`RecordedOrderException::lifts`]).
    pub fn steps(self) -> Vec<DirectedStep> {
        self.kind
            .steps()
            .iter()
            .map(|kind| DirectedStep {
                kind: *kind,
                due_on: kind.due_from(self.on),
                regulation: match self.source {
                    Source::TribunalOrder => rule_of(*kind).regulation,
                    other => other.regulation(),
                },
            })
            .collect()
    }
}

/// A mediation agreement on something that could not be appealed to the Tribunal (social
/// care or health provision): the council or the commissioning body acts within 2 weeks of
/// the agreement (reg 42(3)), unless the parties agree other dates in writing (reg 42(5)).
pub fn other_agreement_due(agreed_on: NaiveDate, agreed_dates: Option<NaiveDate>) -> NaiveDate {
    agreed_dates.unwrap_or_else(|| DeadlineKind::AgreementOtherMatter.due_from(agreed_on))
}

impl Appealed {
    /// What was decided, as the family reads it after "the council's decision".
    pub fn words(self) -> &'static str {
        match self {
            Appealed::RefusalToAssess => "not to carry out an EHC needs assessment",
            Appealed::RefusalToIssue => "not to issue an EHC plan after the assessment",
            Appealed::PlanContent => "on what the EHC plan says about needs and provision",
            Appealed::NamedSetting => "on the school or college the EHC plan names",
            Appealed::DecisionNotToAmend => "not to amend the EHC plan",
            Appealed::Cease => "to stop maintaining the EHC plan",
        }
    }

    /// The challenged decision is on a needs assessment (else on a plan).
    pub fn is_on_assessment(self) -> bool {
        matches!(self, Appealed::RefusalToAssess | Appealed::RefusalToIssue)
    }
}

impl OrderKind {
    /// What the council must do, in plain words.
    pub fn words(self) -> &'static str {
        match self {
            OrderKind::Assess => "carry out the EHC needs assessment",
            OrderKind::MakePlan => "make and maintain an EHC plan",
            OrderKind::AmendContent => "amend what the EHC plan says",
            OrderKind::ChangeSetting => "name the school or college in the EHC plan",
            OrderKind::ContinueToMaintain => "continue to maintain the EHC plan",
            OrderKind::CeaseUpheld => "stop maintaining the EHC plan",
        }
    }

    /// The duty runs as an assessment of its own (an [`super::assessment::AssessmentKind`]
    /// on the order's clocks); the others are met on the dispute.
    pub fn opens_assessment(self) -> bool {
        matches!(self, OrderKind::Assess | OrderKind::MakePlan)
    }
}

impl OrderException {
    pub fn words(self) -> &'static str {
        match self {
            OrderException::ExceptionalPersonalCircumstances => {
                "exceptional personal circumstances affect the child, the parent or the young \
                 person"
            }
            OrderException::AbsentTwoWeeks => {
                "the child, the parent or the young person is away from the area for at least \
                 2 weeks"
            }
            OrderException::FamilyRepresentations => {
                "the family asked to make representations about the plan"
            }
        }
    }
}

/// A reg 44(3) exception on an order, from the day it began (to the day it ended, when it
/// has: an absence).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordedOrderException {
    pub reason: OrderException,
    pub from: NaiveDate,
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

/// The shortest absence that is an exception: "at least 2 weeks" (reg 44(3)(b)).
pub const MIN_ABSENCE_DAYS: i64 = 14;

impl RecordedOrderException {
    /// Whether it lifts a limit of the order running from `starts_on`, due `due_on`, met on
    /// `met_on`: it must have begun by the due date (one recorded after the limit was missed
    /// excuses nothing) and before the step was done, and not have ended before the limit's
    /// clock started.
    pub fn lifts(
        &self,
        starts_on: NaiveDate,
        due_on: NaiveDate,
        met_on: Option<NaiveDate>,
    ) -> bool {
        self.from <= due_on
            && met_on.is_none_or(|met| self.from <= met)
            && self.until.is_none_or(|until| until >= starts_on)
    }

    /// Why it cannot be recorded as given: an absence needs its end and at least 2 weeks;
    /// nothing ends before it begins.
    pub fn refusal(&self) -> Option<(&'static str, &'static str)> {
        match (self.reason, self.until) {
            (_, Some(until)) if until < self.from => {
                Some(("until", "it cannot end before it began"))
            }
            (OrderException::AbsentTwoWeeks, None) => Some((
                "until",
                "say when the absence ended (or is expected to): it must be at least 2 weeks",
            )),
            (OrderException::AbsentTwoWeeks, Some(until))
                if (until - self.from).num_days() + 1 < MIN_ABSENCE_DAYS =>
            {
                Some((
                    "until",
                    "an absence shorter than 2 weeks is not an exception (reg 44(3)(b))",
                ))
            }
            _ => None,
        }
    }
}

stored_codes! {
    /// How a dispute ended, if it has.
    pub enum Outcome ("dispute outcome") {
        /// The Tribunal ordered the council to act (reg 43-44).
        Order => "ORDER",
        /// Mediation reached an agreement (reg 42).
        Agreement => "AGREEMENT",
        /// The council told the Tribunal it would not oppose the appeal (reg 45).
        Concession => "CONCESSION",
        /// The Tribunal dismissed the appeal: the decision stands.
        Dismissed => "DISMISSED",
    }
}

impl Outcome {
    /// Where the duty comes from, for an outcome that sets one.
    pub fn source(self) -> Option<Source> {
        match self {
            Outcome::Order => Some(Source::TribunalOrder),
            Outcome::Agreement => Some(Source::MediationAgreement),
            Outcome::Concession => Some(Source::Concession),
            Outcome::Dismissed => None,
        }
    }
}

stored_codes! {
    /// Where a dispute stands.
    pub enum DisputeState ("dispute state") {
        /// The family has challenged the decision: they may go to mediation or appeal.
        Open => "OPEN",
        /// The family wants mediation: the council must arrange it within 30 days.
        Mediation => "MEDIATION",
        /// An appeal is registered with the First-tier Tribunal (SEND).
        Appealed => "APPEALED",
        /// An order, an agreement or a concession: the council must act within its limits.
        Directed => "DIRECTED",
        /// Nothing more to do: complied with, dismissed, withdrawn or taken no further.
        Closed => "CLOSED",
    }
}

stored_codes! {
    /// A step of a dispute, each one mutation audited under the same name.
    pub enum DisputeAction ("dispute action") {
        /// The family contacted a mediation adviser (CFA 2014 s.55(2)).
        ContactAdviser => "CONTACT_ADVISER",
        /// The family wants mediation and the council was told (reg 36-37).
        ArrangeMediation => "ARRANGE_MEDIATION",
        /// The mediation took place (reg 37), with or without an agreement.
        HoldMediation => "HOLD_MEDIATION",
        /// The mediation adviser (or mediator) issued the certificate (reg 34-35, 39).
        IssueCertificate => "ISSUE_CERTIFICATE",
        /// Mediation reached an agreement, with what it requires (reg 42).
        RecordAgreement => "RECORD_AGREEMENT",
        /// The Tribunal registered the appeal.
        RegisterAppeal => "REGISTER_APPEAL",
        /// The Tribunal set the hearing date.
        ScheduleHearing => "SCHEDULE_HEARING",
        /// The council told the Tribunal it will not oppose the appeal (reg 45).
        Concede => "CONCEDE",
        /// The Tribunal's order, as sent (reg 43-44).
        RecordOrder => "RECORD_ORDER",
        /// The Tribunal dismissed the appeal.
        Dismiss => "DISMISS",
        /// The family withdrew the appeal.
        WithdrawAppeal => "WITHDRAW_APPEAL",
        /// A reg 44(3) exception makes the order's limits impractical.
        RecordOrderException => "RECORD_ORDER_EXCEPTION",
        /// The council did what it was directed to (the order's part; an order to assess or
        /// to make a plan is complied with by its assessment).
        RecordCompliance => "RECORD_COMPLIANCE",
        /// The council or a commissioning body did what was agreed on another matter (reg 42(3)).
        RecordOtherMatterDone => "RECORD_OTHER_MATTER_DONE",
        /// The family took it no further.
        Close => "CLOSE",
    }
}

/// The state a dispute action leads to, or `None` when not allowed in `state`. A step that
/// settles the last duty closes the dispute: the service decides that from the facts.
pub fn dispute_transition(state: DisputeState, action: DisputeAction) -> Option<DisputeState> {
    use DisputeAction as A;
    use DisputeState as S;
    match (state, action) {
        (S::Open, A::ContactAdviser | A::IssueCertificate) => Some(S::Open),
        (S::Open, A::ArrangeMediation) => Some(S::Mediation),
        (S::Mediation, A::HoldMediation) => Some(S::Mediation),
        // A certificate after mediation (or after it was not held in time) opens the appeal.
        (S::Mediation, A::IssueCertificate) => Some(S::Open),
        (S::Mediation, A::RecordAgreement) => Some(S::Directed),
        (S::Open | S::Mediation, A::RegisterAppeal) => Some(S::Appealed),
        (S::Open | S::Mediation, A::Close) => Some(S::Closed),
        (S::Appealed, A::ScheduleHearing) => Some(S::Appealed),
        (S::Appealed, A::Concede | A::RecordOrder) => Some(S::Directed),
        (S::Appealed, A::Dismiss | A::WithdrawAppeal) => Some(S::Closed),
        (S::Directed, A::RecordOrderException | A::RecordCompliance | A::RecordOtherMatterDone) => {
            Some(S::Directed)
        }
        _ => None,
    }
}

/// The actions allowed in `state`, in declaration order.
pub fn allowed_dispute_actions(state: DisputeState) -> Vec<DisputeAction> {
    DisputeAction::ALL
        .iter()
        .copied()
        .filter(|a| dispute_transition(state, *a).is_some())
        .collect()
}

/// What has happened in a dispute, as recorded. Its deadlines are derived from these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeFacts {
    pub appealed: Appealed,
    /// The day the decision's notice was sent: the family's 2 months run from it.
    pub decision_sent_on: NaiveDate,
    pub adviser_contacted_on: Option<NaiveDate>,
    /// `Some(false)`: the family told the adviser they do not want mediation.
    pub mediation_wanted: Option<bool>,
    pub council_told_on: Option<NaiveDate>,
    pub mediation_held_on: Option<NaiveDate>,
    pub certificate_issued_on: Option<NaiveDate>,
    pub appeal_registered_on: Option<NaiveDate>,
    pub appeal_withdrawn_on: Option<NaiveDate>,
    pub outcome: Option<(Outcome, NaiveDate)>,
    pub order_kind: Option<OrderKind>,
    /// Agreed at mediation on a matter outside the Tribunal's powers (reg 42(3)); with the
    /// date the parties agreed in writing, if any (reg 42(5)).
    pub other_matter: Option<Option<NaiveDate>>,
    pub other_matter_done_on: Option<NaiveDate>,
    pub order_exception: Option<RecordedOrderException>,
    pub complied_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
}

impl DisputeFacts {
    /// The duty the outcome set, and from when: an order, an agreement or a concession, or
    /// the dismissal of an appeal against ceasing.
    pub fn direction(&self) -> Option<Direction> {
        let (outcome, on) = self.outcome?;
        let kind = self.order_kind?;
        let source = outcome.source().unwrap_or(Source::TribunalOrder);
        Some(Direction { kind, source, on })
    }

    /// Every duty the outcome set has been met: the order's part (done on its assessment when
    /// it opened one) and any other matter agreed.
    pub fn duties_done(&self, assessment_closed: bool) -> bool {
        let order_done = match self.order_kind {
            Some(kind) if kind.opens_assessment() => assessment_closed,
            Some(_) => self.complied_on.is_some(),
            None => true,
        };
        order_done && (self.other_matter.is_none() || self.other_matter_done_on.is_some())
    }
}

/// A step's deadline on `today`: `stops` ends it unmet (the dispute closed or moved on).
fn dated(
    kind: DeadlineKind,
    from: NaiveDate,
    due_on: NaiveDate,
    met_on: Option<NaiveDate>,
    stopped: bool,
    excepted_by: Option<&RecordedOrderException>,
    today: NaiveDate,
) -> (Deadline, TrackedDeadline) {
    let rule = rule_of(kind);
    let excepted = excepted_by.filter(|e| {
        rule.lifted_by == Some(super::rules::Lifts::Order) && e.lifts(from, due_on, met_on)
    });
    let status = if met_on.is_none() && stopped {
        DeadlineStatus::NotApplicable
    } else {
        status(due_on, met_on, today, excepted.is_some())
    };
    let deadline = Deadline {
        kind,
        due_on,
        met_on,
        status,
        regulation: rule.regulation,
        statutory: rule.statutory,
        target_on: None,
        excepted_by: excepted
            .map(|e| vec![e.reason.as_str().to_owned()])
            .unwrap_or_default(),
        advice_request_id: None,
    };
    let tracked = TrackedDeadline {
        kind,
        starts_on: from,
        due_on,
        met_on,
        settled_on: met_on,
        excepted_from: excepted.map(|e| e.from),
        target_on: None,
        advice_request_id: None,
    };
    (deadline, tracked)
}

/// The family's own window: shown while it is open, never overdue.
fn family_window(
    kind: DeadlineKind,
    from: NaiveDate,
    met_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Deadline {
    let due_on = kind.due_from(from);
    let status = match met_on {
        Some(_) => DeadlineStatus::Met,
        None if today <= due_on => status(due_on, None, today, false),
        None => DeadlineStatus::NotApplicable,
    };
    Deadline {
        status,
        met_on,
        ..Deadline::not_applicable(kind, due_on, None)
    }
}

/// The dispute's deadlines, in the order they arise, each with the day it was settled for the
/// backlog: the family's 2 months to contact an adviser (theirs: shown, never counted); the
/// certificate, 3 working days after the family said they do not want mediation or after the
/// mediation; the mediation within 30 days of the council being told; the outcome's limits
/// where the dispute itself carries them (an order to assess or to make a plan runs on its
/// own assessment); and another matter agreed, 2 weeks or the dates agreed (reg 42(3), (5)).
/// `closed_on` settles every step still open.
pub fn dispute_deadlines(
    facts: &DisputeFacts,
    today: NaiveDate,
) -> Vec<(Deadline, Option<TrackedDeadline>)> {
    use DeadlineKind as K;
    let closed = facts.closed_on;
    let mut out = Vec::new();
    let contact = facts.adviser_contacted_on.or(facts.appeal_registered_on);
    out.push((
        family_window(K::MediationContact, facts.decision_sent_on, contact, today),
        None,
    ));
    let certificate_from = match (facts.mediation_wanted, facts.adviser_contacted_on) {
        (Some(false), Some(contacted)) => Some(contacted),
        _ => facts.mediation_held_on.filter(|_| {
            // No certificate is needed after an agreement that settles the matter.
            !matches!(facts.outcome, Some((Outcome::Agreement, _)))
        }),
    };
    if let Some(from) = certificate_from {
        let (d, t) = dated(
            K::MediationCertificate,
            from,
            K::MediationCertificate.due_from(from),
            facts.certificate_issued_on,
            closed.is_some(),
            None,
            today,
        );
        out.push((d, Some(t)));
    }
    if let Some(told) = facts.council_told_on {
        let (d, t) = dated(
            K::MediationHeld,
            told,
            K::MediationHeld.due_from(told),
            facts.mediation_held_on,
            closed.is_some()
                || facts.certificate_issued_on.is_some()
                || facts.appeal_registered_on.is_some(),
            None,
            today,
        );
        // The family moved on: a certificate, or an appeal registered without one.
        let stop = earliest(
            closed,
            earliest(facts.certificate_issued_on, facts.appeal_registered_on),
        );
        out.push((d, Some(settle(t, stop))));
    }
    if let Some(direction) = facts.direction().filter(|d| !d.kind.opens_assessment()) {
        for step in direction.steps() {
            let (d, t) = dated(
                step.kind,
                direction.on,
                step.due_on,
                facts.complied_on,
                closed.is_some(),
                facts.order_exception.as_ref(),
                today,
            );
            out.push((
                Deadline {
                    regulation: step.regulation,
                    ..d
                },
                Some(settle(t, closed)),
            ));
        }
    }
    if let (Some(agreed_dates), Some((_, agreed_on))) = (facts.other_matter, facts.outcome) {
        let due_on = other_agreement_due(agreed_on, agreed_dates);
        let (d, t) = dated(
            K::AgreementOtherMatter,
            agreed_on,
            due_on,
            facts.other_matter_done_on,
            closed.is_some(),
            None,
            today,
        );
        out.push((d, Some(settle(t, closed))));
    }
    out
}

/// `tracked` settled on its met date or on `stop`, whichever came first.
fn settle(tracked: TrackedDeadline, stop: Option<NaiveDate>) -> TrackedDeadline {
    TrackedDeadline {
        settled_on: earliest(tracked.met_on, stop),
        ..tracked
    }
}

fn earliest(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => a.or(b),
    }
}

/// What happens next in the dispute, in plain words for `reader`; `None` once closed.
pub fn dispute_next_step(
    state: DisputeState,
    facts: &DisputeFacts,
    today: NaiveDate,
    reader: Reader,
) -> Option<NextStep> {
    let deadlines = dispute_deadlines(facts, today);
    let open = |kind: DeadlineKind| {
        deadlines.iter().map(|(d, _)| d).find(|d| {
            d.kind == kind && d.met_on.is_none() && d.status != DeadlineStatus::NotApplicable
        })
    };
    let step = |party: Party, text: String, deadline: Option<&Deadline>| NextStep {
        description: text,
        party,
        due_on: deadline.map(|d| d.due_on),
        regulation: deadline.map(|d| d.regulation),
    };
    match state {
        DisputeState::Open => {
            if let Some(certificate) = open(DeadlineKind::MediationCertificate) {
                return Some(step(
                    Party::Mediator,
                    format!(
                        "The mediation adviser must send the certificate by {}; an appeal to \
                         the Tribunal needs it.",
                        long_date(certificate.due_on)
                    ),
                    Some(certificate),
                ));
            }
            let window = super::appeal::AppealWindow::new(
                facts.appealed.words(),
                facts.decision_sent_on,
                facts.certificate_issued_on,
            );
            if !window.is_open(today) {
                return Some(step(
                    Party::LocalAuthority,
                    reader.pick(
                        format!(
                            "The time to appeal to the SEND Tribunal ended on {}. If you have \
                             appealed, tell the council.",
                            long_date(window.appeal_by)
                        ),
                        format!(
                            "The time to appeal ended on {}: record the appeal if one was \
                             registered, or close the dispute.",
                            long_date(window.appeal_by)
                        ),
                    ),
                    None,
                ));
            }
            Some(step(
                Party::Parent,
                reader.pick(
                    format!(
                        "You can appeal to the SEND Tribunal until {}; before appealing you must \
                         contact a mediation adviser (unless the appeal is only about the school \
                         or college named).",
                        long_date(window.appeal_by)
                    ),
                    format!(
                        "The family may appeal until {}: record their mediation or the \
                         appeal when it is registered.",
                        long_date(window.appeal_by)
                    ),
                ),
                None,
            ))
        }
        DisputeState::Mediation => {
            if let Some(held) = open(DeadlineKind::MediationHeld) {
                return Some(step(
                    Party::LocalAuthority,
                    reader.pick(
                        format!(
                            "The council must arrange the mediation so that it takes place by {}.",
                            long_date(held.due_on)
                        ),
                        format!(
                            "Arrange the mediation to take place by {}.",
                            long_date(held.due_on)
                        ),
                    ),
                    Some(held),
                ));
            }
            let certificate = open(DeadlineKind::MediationCertificate);
            Some(step(
                Party::Mediator,
                match certificate {
                    Some(c) => format!(
                        "The mediator must send the certificate by {} unless an agreement was \
                         reached.",
                        long_date(c.due_on)
                    ),
                    None => "Waiting for the mediation's agreement or certificate.".to_owned(),
                },
                certificate,
            ))
        }
        DisputeState::Appealed => Some(step(
            Party::Tribunal,
            reader
                .pick(
                    "The appeal is with the SEND Tribunal; the council will tell you of any \
                     hearing date and of the decision.",
                    "The appeal is with the Tribunal: record the hearing date, a concession, \
                     the order or its dismissal.",
                )
                .to_owned(),
            None,
        )),
        DisputeState::Directed => {
            let due = deadlines
                .iter()
                .map(|(d, _)| d)
                .filter(|d| d.met_on.is_none() && d.status != DeadlineStatus::NotApplicable)
                .find(|d| d.kind != DeadlineKind::MediationContact);
            let what = facts
                .order_kind
                .map(OrderKind::words)
                .unwrap_or("act on the agreement");
            Some(step(
                Party::LocalAuthority,
                match (due, facts.order_kind.filter(|k| k.opens_assessment())) {
                    (_, Some(_)) => reader.pick(
                        format!(
                            "The council must {what}; its assessment shows each date it must \
                                 meet."
                        ),
                        format!(
                            "{}: follow the ordered assessment's deadlines.",
                            capital(what)
                        ),
                    ),
                    (Some(d), None) if d.status == DeadlineStatus::Excepted => reader.pick(
                        format!(
                            "The council must {what}; the usual time limit ({}) does not apply \
                             because {}.",
                            long_date(d.due_on),
                            facts
                                .order_exception
                                .as_ref()
                                .map(|e| e.reason.words())
                                .unwrap_or("an exception applies")
                        ),
                        format!(
                            "{} as soon as practicable: an exception lifts the limit of {}.",
                            capital(what),
                            long_date(d.due_on)
                        ),
                    ),
                    (Some(d), None) => reader.pick(
                        format!("The council must {what} by {}.", long_date(d.due_on)),
                        format!("{} by {}.", capital(what), long_date(d.due_on)),
                    ),
                    (None, None) => reader.pick(
                        format!("The council must {what}."),
                        format!("{}.", capital(what)),
                    ),
                },
                due,
            ))
        }
        DisputeState::Closed => None,
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// What the family is told happens next: who must act, by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextStep {
    pub description: String,
    pub party: Party,
    pub due_on: Option<NaiveDate>,
    pub regulation: Option<&'static str>,
}

/// Why an outcome cannot be recorded as given.
pub fn check_outcome(
    appealed: Appealed,
    outcome: Outcome,
    order_kind: Option<OrderKind>,
    other_matter: bool,
) -> Result<Option<OrderKind>, &'static str> {
    match (outcome, order_kind) {
        (Outcome::Dismissed, Some(_)) => Err("a dismissed appeal orders nothing"),
        (Outcome::Dismissed, None) => Ok(appealed.on_dismissal()),
        (Outcome::Agreement, None) if other_matter => Ok(None),
        (_, None) => Err("say what the council must do (orderKind)"),
        (_, Some(kind)) if !appealed.orders().contains(&kind) => {
            Err("the Tribunal cannot order that on this appeal: see the appeal's allowed orders")
        }
        (_, Some(kind)) => Ok(Some(kind)),
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use DeadlineKind as K;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn due(direction: Direction) -> Vec<(DeadlineKind, NaiveDate)> {
        direction
            .steps()
            .into_iter()
            .map(|s| (s.kind, s.due_on))
            .collect()
    }

    #[test]
    fn an_agreement_at_mediation_to_assess_runs_the_orders_clocks_from_the_agreement() {
        // LGSCO 25 012 582 (Leeds) and 25 007 473 (Essex): agreed on 14 January 2025 to
        // assess; the decision was due by 25 March and the final plan by 22 April.
        let agreed = Direction {
            kind: OrderKind::Assess,
            source: Source::MediationAgreement,
            on: d(2025, 1, 14),
        };
        assert_eq!(
            due(agreed),
            [
                (K::OrderAssessmentNotice, d(2025, 1, 28)),
                (K::OrderNoPlanDecision, d(2025, 3, 25)),
                (K::OrderFinalPlan, d(2025, 4, 22)),
            ]
        );
        assert_eq!(
            agreed.steps()[0].regulation,
            "SEND Regs 2014 reg 42(2), 44(2)"
        );
    }

    #[test]
    fn each_order_has_the_limits_of_reg_44() {
        let sent = d(2025, 3, 3);
        let order = |kind| Direction {
            kind,
            source: Source::TribunalOrder,
            on: sent,
        };
        assert_eq!(
            due(order(OrderKind::MakePlan)),
            [
                (K::OrderDraftPlan, d(2025, 4, 7)),
                (K::OrderMadePlan, d(2025, 5, 19))
            ]
        );
        assert_eq!(
            due(order(OrderKind::AmendContent)),
            [(K::OrderAmendedPlan, d(2025, 4, 7))]
        );
        assert_eq!(
            due(order(OrderKind::ChangeSetting)),
            [(K::OrderNamedSetting, d(2025, 3, 17))]
        );
        for immediately in [OrderKind::ContinueToMaintain, OrderKind::CeaseUpheld] {
            assert_eq!(due(order(immediately)), [(K::OrderImmediate, sent)]);
        }
    }

    #[test]
    fn a_concession_counts_from_the_day_the_tribunal_was_told() {
        let conceded = Direction {
            kind: OrderKind::Assess,
            source: Source::Concession,
            on: d(2025, 6, 2),
        };
        let steps = conceded.steps();
        assert_eq!(steps[0].due_on, d(2025, 6, 16));
        assert_eq!(steps[2].due_on, d(2025, 9, 8));
        assert!(steps[0].regulation.contains("reg 45"));
    }

    #[test]
    fn the_tribunal_may_order_only_what_the_appeal_is_about() {
        assert_eq!(Appealed::RefusalToAssess.orders(), [OrderKind::Assess]);
        assert_eq!(Appealed::RefusalToIssue.orders(), [OrderKind::MakePlan]);
        assert_eq!(Appealed::Cease.orders(), [OrderKind::ContinueToMaintain]);
        assert_eq!(Appealed::Cease.on_dismissal(), Some(OrderKind::CeaseUpheld));
        assert_eq!(Appealed::PlanContent.on_dismissal(), None);
    }

    #[test]
    fn an_agreement_on_another_matter_is_due_in_two_weeks_unless_other_dates_are_agreed() {
        assert_eq!(other_agreement_due(d(2025, 1, 14), None), d(2025, 1, 28));
        assert_eq!(
            other_agreement_due(d(2025, 1, 14), Some(d(2025, 3, 1))),
            d(2025, 3, 1)
        );
    }

    #[test]
    fn mediation_certificates_and_meetings_have_their_own_clocks() {
        // Told the adviser on Tuesday 23 December 2025: Christmas Day and Boxing Day and the
        // weekend are not working days, so the three are 24, 29 and 30 December.
        assert_eq!(
            K::MediationCertificate.due_from(d(2025, 12, 23)),
            d(2025, 12, 30)
        );
        assert_eq!(
            K::MediationCertificate.due_from(d(2025, 11, 28)),
            d(2025, 12, 3)
        );
        // Mediation within 30 days of the council being told.
        assert_eq!(K::MediationHeld.due_from(d(2025, 12, 1)), d(2025, 12, 31));
        // The family's 2 months after the decision to contact an adviser.
        assert_eq!(
            K::MediationContact.due_from(d(2025, 12, 31)),
            d(2026, 2, 28)
        );
    }

    fn facts(appealed: Appealed, sent: NaiveDate) -> DisputeFacts {
        DisputeFacts {
            appealed,
            decision_sent_on: sent,
            adviser_contacted_on: None,
            mediation_wanted: None,
            council_told_on: None,
            mediation_held_on: None,
            certificate_issued_on: None,
            appeal_registered_on: None,
            appeal_withdrawn_on: None,
            outcome: None,
            order_kind: None,
            other_matter: None,
            other_matter_done_on: None,
            order_exception: None,
            complied_on: None,
            closed_on: None,
        }
    }

    fn standing(
        f: &DisputeFacts,
        today: NaiveDate,
    ) -> Vec<(DeadlineKind, NaiveDate, DeadlineStatus)> {
        dispute_deadlines(f, today)
            .into_iter()
            .map(|(d, _)| (d.kind, d.due_on, d.status))
            .collect()
    }

    #[test]
    fn a_dispute_shows_the_familys_window_then_the_councils_mediation_limit() {
        let mut f = facts(Appealed::RefusalToAssess, d(2024, 10, 14));
        assert_eq!(
            standing(&f, d(2024, 11, 1)),
            [(
                K::MediationContact,
                d(2024, 12, 14),
                DeadlineStatus::Pending
            )]
        );
        f.adviser_contacted_on = Some(d(2024, 11, 5));
        f.council_told_on = Some(d(2024, 12, 20));
        f.mediation_wanted = Some(true);
        assert_eq!(
            standing(&f, d(2025, 1, 20)),
            [
                (K::MediationContact, d(2024, 12, 14), DeadlineStatus::Met),
                (K::MediationHeld, d(2025, 1, 19), DeadlineStatus::Overdue),
            ]
        );
        f.mediation_held_on = Some(d(2025, 1, 14));
        f.outcome = Some((Outcome::Agreement, d(2025, 1, 14)));
        f.order_kind = Some(OrderKind::Assess);
        // The order to assess runs on its assessment: the dispute shows no limit for it, and
        // no certificate is due after an agreement.
        assert_eq!(
            standing(&f, d(2025, 1, 20)),
            [
                (K::MediationContact, d(2024, 12, 14), DeadlineStatus::Met),
                (K::MediationHeld, d(2025, 1, 19), DeadlineStatus::Met),
            ]
        );
        // The backlog counts the council's mediation limit only.
        let tracked: Vec<_> = dispute_deadlines(&f, d(2025, 1, 20))
            .into_iter()
            .filter_map(|(_, t)| t)
            .map(|t| (t.kind, t.settled_on))
            .collect();
        assert_eq!(tracked, [(K::MediationHeld, Some(d(2025, 1, 14)))]);
    }

    #[test]
    fn an_order_on_the_plan_is_tracked_on_the_dispute_and_lifted_by_an_exception() {
        let mut f = facts(Appealed::NamedSetting, d(2025, 1, 6));
        f.appeal_registered_on = Some(d(2025, 2, 1));
        f.outcome = Some((Outcome::Order, d(2025, 6, 2)));
        f.order_kind = Some(OrderKind::ChangeSetting);
        assert_eq!(
            standing(&f, d(2025, 6, 20)).last().cloned(),
            Some((
                K::OrderNamedSetting,
                d(2025, 6, 16),
                DeadlineStatus::Overdue
            ))
        );
        f.order_exception = Some(RecordedOrderException {
            reason: OrderException::AbsentTwoWeeks,
            from: d(2025, 6, 10),
            until: Some(d(2025, 6, 30)),
        });
        let (deadline, tracked) = dispute_deadlines(&f, d(2025, 6, 20)).pop().unwrap();
        assert_eq!(deadline.status, DeadlineStatus::Excepted);
        assert_eq!(deadline.excepted_by, ["ABSENT_TWO_WEEKS"]);
        assert_eq!(
            deadline.regulation,
            "SEND Regs 2014 reg 44(2)(f); reg 42(2), 45"
        );
        assert_eq!(tracked.unwrap().excepted_from, Some(d(2025, 6, 10)));
        f.complied_on = Some(d(2025, 6, 25));
        assert!(f.duties_done(false));
    }

    #[test]
    fn an_outcome_directs_only_what_the_tribunal_could_order() {
        use Appealed as Ap;
        assert_eq!(
            check_outcome(Ap::Cease, Outcome::Dismissed, None, false),
            Ok(Some(OrderKind::CeaseUpheld))
        );
        assert_eq!(
            check_outcome(Ap::PlanContent, Outcome::Dismissed, None, false),
            Ok(None)
        );
        assert!(
            check_outcome(
                Ap::NamedSetting,
                Outcome::Order,
                Some(OrderKind::Assess),
                false
            )
            .is_err()
        );
        assert!(check_outcome(Ap::RefusalToAssess, Outcome::Order, None, false).is_err());
        assert!(
            check_outcome(
                Ap::RefusalToAssess,
                Outcome::Dismissed,
                Some(OrderKind::Assess),
                false
            )
            .is_err()
        );
        assert_eq!(
            check_outcome(Ap::RefusalToIssue, Outcome::Agreement, None, true),
            Ok(None),
            "an agreement on another matter only"
        );
        assert_eq!(
            check_outcome(
                Ap::RefusalToIssue,
                Outcome::Concession,
                Some(OrderKind::MakePlan),
                false
            ),
            Ok(Some(OrderKind::MakePlan))
        );
    }

    #[test]
    fn every_dispute_step_is_allowed_only_where_it_can_happen() {
        use DisputeAction as A;
        use DisputeState as S;
        assert_eq!(
            allowed_dispute_actions(S::Open),
            [
                A::ContactAdviser,
                A::ArrangeMediation,
                A::IssueCertificate,
                A::RegisterAppeal,
                A::Close
            ]
        );
        assert_eq!(
            allowed_dispute_actions(S::Appealed),
            [
                A::ScheduleHearing,
                A::Concede,
                A::RecordOrder,
                A::Dismiss,
                A::WithdrawAppeal
            ]
        );
        assert!(allowed_dispute_actions(S::Closed).is_empty());
        assert_eq!(
            dispute_transition(S::Mediation, A::RecordAgreement),
            Some(S::Directed)
        );
        assert_eq!(dispute_transition(S::Directed, A::RegisterAppeal), None);
    }
}
