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

use super::calendar::add_working_days;
use super::rules::rule_of;
use super::timescales::DeadlineKind;

/// What a family appeals against (CFA 2014 s.51(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Appealed {
    /// A decision not to carry out a needs assessment (s.51(2)(a)) or a re-assessment (d).
    RefusalToAssess,
    /// A decision not to make an EHC plan after assessing (s.51(2)(b)).
    RefusalToIssue,
    /// What the plan says: its special educational needs (section B) or provision (F)
    /// (s.51(2)(c)(i)-(ii)).
    PlanContent,
    /// The school or other institution the plan names (section I), or that it names none
    /// (s.51(2)(c)(iii)-(iv)).
    NamedSetting,
    /// A decision not to amend the plan after a review or re-assessment (s.51(2)(e)).
    DecisionNotToAmend,
    /// A decision to cease to maintain the plan (s.51(2)(f)).
    Cease,
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

/// What the council must do after an order, an agreement or a concession.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderKind {
    /// Carry out the needs assessment or re-assessment it refused (reg 44(2)(b)).
    Assess,
    /// Make and maintain an EHC plan (reg 44(2)(c)).
    MakePlan,
    /// Amend what the plan says, sections B and F (reg 44(2)(e)).
    AmendContent,
    /// Name another school or institution, and change nothing else (reg 44(2)(f)).
    ChangeSetting,
    /// Continue to maintain the plan it meant to cease (reg 44(2)(g)).
    ContinueToMaintain,
    /// The appeal against ceasing was dismissed: cease the plan (reg 44(2)(a)).
    CeaseUpheld,
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

/// Why a limit of reg 44(2) is impractical to meet (reg 44(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderException {
    /// Exceptional personal circumstances affect the child or parent, or the young person.
    ExceptionalPersonalCircumstances,
    /// The child or parent, or the young person, is absent from the area for at least 2
    /// continuous weeks.
    AbsentTwoWeeks,
    /// The family asked to make representations after the order.
    FamilyRepresentations,
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
    /// An exception under reg 44(3) makes the limit inapplicable.
    pub excepted: bool,
}

impl Direction {
    /// The council's limits. A recorded reg 44(3) exception lifts every one of them (each
    /// is "subject to paragraph (3)"); the dates are still shown as targets.
    pub fn steps(self, exceptions: &[OrderException]) -> Vec<DirectedStep> {
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
                excepted: !exceptions.is_empty() && rule_of(*kind).lifted_by.is_some(),
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

/// A stage of the council's complaints procedure (LGSCO Complaint Handling Code, from 1
/// April 2026).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplaintStage {
    One,
    Two,
}

impl ComplaintStage {
    /// The limit for answering the complaint at this stage.
    pub fn response(self) -> DeadlineKind {
        match self {
            ComplaintStage::One => DeadlineKind::ComplaintStageOneResponse,
            ComplaintStage::Two => DeadlineKind::ComplaintStageTwoResponse,
        }
    }
}

/// A complaint's limits at one stage (LGSCO Complaint Handling Code 6.2-6.4): acknowledged
/// within 5 working days of receipt (at stage 2, of the escalation); answered within 10 working
/// days (stage 2: 20) of the acknowledgement, so until one is sent the answer is counted from
/// the last day it could be. An extension moves the answer, must be explained to the
/// complainant, and beyond 10 working days needs a good reason (6.4): such an extension is
/// flagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintClock {
    pub acknowledge_by: NaiveDate,
    pub respond_by: NaiveDate,
    /// The date first due, when an extension moved it.
    pub respond_by_before_extension: Option<NaiveDate>,
    /// The extension is longer than the Code's 10 working days.
    pub extension_needs_good_reason: bool,
}

/// Why an acknowledgement date or an extension is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedComplaintDate(pub &'static str);

/// The limits of one stage, from the day the complaint (or its escalation) was received and,
/// once sent, the day it was acknowledged; `extension`: the new date and its reason.
pub fn complaint_clock(
    stage: ComplaintStage,
    received_on: NaiveDate,
    acknowledged_on: Option<NaiveDate>,
    extension: Option<(NaiveDate, &str)>,
) -> Result<ComplaintClock, RefusedComplaintDate> {
    let acknowledge_by = DeadlineKind::ComplaintAcknowledgement.due_from(received_on);
    if acknowledged_on.is_some_and(|a| a < received_on) {
        return Err(RefusedComplaintDate(
            "a complaint cannot be acknowledged before it was received",
        ));
    }
    let due = stage
        .response()
        .due_from(acknowledged_on.unwrap_or(acknowledge_by));
    match extension {
        None => Ok(ComplaintClock {
            acknowledge_by,
            respond_by: due,
            respond_by_before_extension: None,
            extension_needs_good_reason: false,
        }),
        Some((_, reason)) if reason.trim().is_empty() => Err(RefusedComplaintDate(
            "an extension must be explained to the complainant: give its reason",
        )),
        Some((until, _)) if until <= due => Err(RefusedComplaintDate(
            "an extension must move the answer later than it was due",
        )),
        Some((until, _)) => Ok(ComplaintClock {
            acknowledge_by,
            respond_by: until,
            respond_by_before_extension: Some(due),
            extension_needs_good_reason: until > add_working_days(due, 10),
        }),
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
            .steps(&[])
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
            agreed.steps(&[])[0].regulation,
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
        let steps = conceded.steps(&[]);
        assert_eq!(steps[0].due_on, d(2025, 6, 16));
        assert_eq!(steps[2].due_on, d(2025, 9, 8));
        assert!(steps[0].regulation.contains("reg 45"));
    }

    #[test]
    fn a_reg_44_3_exception_lifts_the_orders_limits_and_keeps_their_dates() {
        for exception in [
            OrderException::ExceptionalPersonalCircumstances,
            OrderException::AbsentTwoWeeks,
            OrderException::FamilyRepresentations,
        ] {
            let order = Direction {
                kind: OrderKind::MakePlan,
                source: Source::TribunalOrder,
                on: d(2025, 3, 3),
            };
            let steps = order.steps(&[exception]);
            assert!(steps.iter().all(|s| s.excepted), "{exception:?}");
            assert_eq!(steps[1].due_on, d(2025, 5, 19));
        }
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

    #[test]
    fn complaints_are_acknowledged_in_5_working_days_and_answered_from_the_acknowledgement() {
        // Received Wednesday 1 April 2026: Good Friday (3rd) and Easter Monday (6th) are not
        // working days, nor is the early May bank holiday (4 May).
        let received = d(2026, 4, 1);
        let one =
            complaint_clock(ComplaintStage::One, received, Some(d(2026, 4, 2)), None).unwrap();
        assert_eq!(one.acknowledge_by, d(2026, 4, 10));
        assert_eq!(one.respond_by, d(2026, 4, 20));
        // Not yet acknowledged: counted from the last day it could be.
        let waiting = complaint_clock(ComplaintStage::One, received, None, None).unwrap();
        assert_eq!(waiting.respond_by, d(2026, 4, 24));
        let two =
            complaint_clock(ComplaintStage::Two, received, Some(d(2026, 4, 2)), None).unwrap();
        assert_eq!(two.respond_by, d(2026, 5, 5));
        assert!(
            complaint_clock(ComplaintStage::One, received, Some(d(2026, 3, 31)), None).is_err()
        );
    }

    #[test]
    fn an_extension_needs_its_reason_and_past_ten_working_days_a_good_one() {
        let received = d(2026, 4, 1);
        let acked = Some(d(2026, 4, 2));
        let why = "the school's records are needed";
        let extended = complaint_clock(
            ComplaintStage::Two,
            received,
            acked,
            Some((d(2026, 5, 15), why)),
        )
        .unwrap();
        assert_eq!(extended.respond_by, d(2026, 5, 15));
        assert_eq!(extended.respond_by_before_extension, Some(d(2026, 5, 5)));
        assert!(!extended.extension_needs_good_reason);
        let long = complaint_clock(
            ComplaintStage::Two,
            received,
            acked,
            Some((d(2026, 6, 1), why)),
        )
        .unwrap();
        assert!(long.extension_needs_good_reason);
        for refused in [(d(2026, 5, 1), " "), (d(2026, 5, 5), "x")] {
            assert!(
                complaint_clock(ComplaintStage::Two, received, acked, Some(refused)).is_err(),
                "{refused:?}"
            );
        }
    }
}
