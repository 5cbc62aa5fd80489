//! Complaints about the SEND service: the council's two stages under the Local Government
//! and Social Care Ombudsman's Complaint Handling Code (from 1 April 2026), escalation to the
//! Ombudsman, its decision, and the remedies that put things right. Pure rules: every limit is
//! a row of [`super::rules::RULES`].
use chrono::NaiveDate;

use super::backlog::TrackedDeadline;
use super::calendar::add_working_days;
use super::codes::stored_codes;
use super::timescales::{Deadline, DeadlineKind, DeadlineStatus, status};

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

stored_codes! {
    /// Where a complaint stands.
    pub enum ComplaintState ("complaint state") {
        /// Received at stage 1: to acknowledge and answer.
        StageOne => "STAGE_ONE",
        /// Answered at stage 1; the complainant may escalate.
        StageOneAnswered => "STAGE_ONE_ANSWERED",
        /// Escalated to stage 2: to acknowledge and answer.
        StageTwo => "STAGE_TWO",
        /// Answered at stage 2: the council's process is finished; the complainant may go to
        /// the Ombudsman.
        StageTwoAnswered => "STAGE_TWO_ANSWERED",
        /// With the Local Government and Social Care Ombudsman.
        WithOmbudsman => "WITH_OMBUDSMAN",
        /// The Ombudsman has decided.
        OmbudsmanDecided => "OMBUDSMAN_DECIDED",
        /// The complainant withdrew it.
        Withdrawn => "WITHDRAWN",
    }
}

impl ComplaintState {
    /// The council has nothing left to answer (a remedy may still be owed).
    pub fn is_closed(self) -> bool {
        !matches!(self, Self::StageOne | Self::StageTwo | Self::WithOmbudsman)
    }

    /// The stage whose clock runs in this state.
    pub fn stage(self) -> Option<ComplaintStage> {
        match self {
            Self::StageOne => Some(ComplaintStage::One),
            Self::StageTwo => Some(ComplaintStage::Two),
            _ => None,
        }
    }
}

stored_codes! {
    /// A step of a complaint, each one mutation audited under the same name.
    pub enum ComplaintAction ("complaint action") {
        /// The council acknowledged the complaint at the current stage (Code 6.2).
        Acknowledge => "ACKNOWLEDGE",
        /// The council extended the time to answer, telling the complainant why (Code 6.4).
        Extend => "EXTEND",
        /// The council answered at the current stage.
        Respond => "RESPOND",
        /// The complainant asked for stage 2.
        Escalate => "ESCALATE",
        /// The complainant took it to the Ombudsman.
        ReferToOmbudsman => "REFER_TO_OMBUDSMAN",
        /// The Ombudsman's decision.
        RecordOmbudsmanDecision => "RECORD_OMBUDSMAN_DECISION",
        /// A remedy the council agreed or the Ombudsman recommended.
        RecordRemedy => "RECORD_REMEDY",
        /// A remedy was carried out: the apology sent, the payment made.
        RecordRemedyDone => "RECORD_REMEDY_DONE",
        /// The complainant withdrew it.
        Withdraw => "WITHDRAW",
    }
}

/// The state a complaint action leads to, or `None` when not allowed in `state`.
pub fn complaint_transition(
    state: ComplaintState,
    action: ComplaintAction,
) -> Option<ComplaintState> {
    use ComplaintAction as A;
    use ComplaintState as S;
    match (state, action) {
        (S::StageOne | S::StageTwo, A::Acknowledge | A::Extend) => Some(state),
        (S::StageOne, A::Respond) => Some(S::StageOneAnswered),
        (S::StageTwo, A::Respond) => Some(S::StageTwoAnswered),
        (S::StageOneAnswered, A::Escalate) => Some(S::StageTwo),
        // The Ombudsman expects the council's process to finish first, and may take a
        // complaint after stage 1 where the council's process has only one.
        (S::StageOneAnswered | S::StageTwoAnswered, A::ReferToOmbudsman) => Some(S::WithOmbudsman),
        (S::WithOmbudsman, A::RecordOmbudsmanDecision) => Some(S::OmbudsmanDecided),
        (S::StageOne | S::StageTwo | S::WithOmbudsman, A::Withdraw) => Some(S::Withdrawn),
        (s, A::RecordRemedy | A::RecordRemedyDone) if s != S::Withdrawn => Some(s),
        _ => None,
    }
}

/// The actions allowed in `state`, in declaration order.
pub fn allowed_complaint_actions(state: ComplaintState) -> Vec<ComplaintAction> {
    ComplaintAction::ALL
        .iter()
        .copied()
        .filter(|a| complaint_transition(state, *a).is_some())
        .collect()
}

stored_codes! {
    /// What the Ombudsman found.
    pub enum OmbudsmanFinding ("Ombudsman finding") {
        /// Fault causing injustice: the council must put it right.
        FaultCausedInjustice => "FAULT_CAUSED_INJUSTICE",
        /// Fault, but no injustice to remedy.
        FaultNoInjustice => "FAULT_NO_INJUSTICE",
        /// No fault.
        NoFault => "NO_FAULT",
        /// The Ombudsman did not investigate (premature, out of time, out of jurisdiction).
        NotInvestigated => "NOT_INVESTIGATED",
    }
}

stored_codes! {
    /// What was done to put things right.
    pub enum RemedyKind ("remedy kind") {
        /// A written apology.
        Apology => "APOLOGY",
        /// A payment, with its amount and reason.
        Payment => "PAYMENT",
        /// A change to the service (procedures, training, monitoring).
        ServiceImprovement => "SERVICE_IMPROVEMENT",
    }
}

stored_codes! {
    /// What a payment is for.
    pub enum PaymentReason ("payment reason") {
        /// A symbolic payment for delay (the Ombudsman's guide: about £100 to £300 a month).
        Delay => "DELAY",
        /// Provision in the plan that was not delivered.
        ProvisionNotDelivered => "PROVISION_NOT_DELIVERED",
        /// Distress, uncertainty or frustration.
        Distress => "DISTRESS",
        /// The complainant's time and trouble in pursuing it.
        TimeAndTrouble => "TIME_AND_TROUBLE",
    }
}

stored_codes! {
    /// Who decided the remedy.
    pub enum RemedyOfferedBy ("remedy offered by") {
        /// The council, in answering the complaint.
        Council => "COUNCIL",
        /// The Ombudsman, in its decision (the council agreed to it).
        Ombudsman => "OMBUDSMAN",
    }
}

/// A remedy as given: a payment has an amount above zero and a reason; anything else has
/// neither.
pub fn check_remedy(
    kind: RemedyKind,
    amount_pence: Option<i64>,
    reason: Option<PaymentReason>,
) -> Result<(), (&'static str, &'static str)> {
    match (kind, amount_pence, reason) {
        (RemedyKind::Payment, Some(amount), Some(_)) if amount > 0 => Ok(()),
        (RemedyKind::Payment, Some(_), Some(_)) => {
            Err(("amountPence", "a payment is more than nothing"))
        }
        (RemedyKind::Payment, None, _) => Err(("amountPence", "a payment needs its amount")),
        (RemedyKind::Payment, _, None) => Err(("reason", "a payment needs its reason")),
        (_, Some(_), _) => Err(("amountPence", "only a payment has an amount")),
        (_, _, Some(_)) => Err(("reason", "only a payment has a reason")),
        _ => Ok(()),
    }
}

/// One stage's record: received (or escalated), acknowledged, extended, answered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StageFacts {
    pub acknowledged_on: Option<NaiveDate>,
    pub extension: Option<(NaiveDate, String)>,
    pub responded_on: Option<NaiveDate>,
}

/// What has happened on a complaint, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintFacts {
    pub received_on: NaiveDate,
    pub stage_one: StageFacts,
    pub escalated_on: Option<NaiveDate>,
    pub stage_two: StageFacts,
    pub withdrawn_on: Option<NaiveDate>,
}

/// The complaint's limits at each stage reached, as on `today`, with their backlog rows.
/// A withdrawal settles what is still open.
pub fn complaint_deadlines(
    facts: &ComplaintFacts,
    today: NaiveDate,
) -> Vec<(Deadline, TrackedDeadline)> {
    let mut out = Vec::new();
    let stages = [
        (
            ComplaintStage::One,
            Some(facts.received_on),
            &facts.stage_one,
        ),
        (ComplaintStage::Two, facts.escalated_on, &facts.stage_two),
    ];
    for (stage, received, record) in stages {
        let Some(received) = received else { continue };
        let extension = record.extension.as_ref().map(|(d, r)| (*d, r.as_str()));
        // A stored extension was checked when recorded; read back, a bad one counts as none.
        let clock = complaint_clock(stage, received, record.acknowledged_on, extension)
            .or_else(|_| complaint_clock(stage, received, record.acknowledged_on, None))
            .expect("a complaint's stored dates were checked when recorded");
        let stop = facts.withdrawn_on;
        for (kind, due_on, met_on) in [
            (
                DeadlineKind::ComplaintAcknowledgement,
                clock.acknowledge_by,
                record.acknowledged_on,
            ),
            (stage.response(), clock.respond_by, record.responded_on),
        ] {
            let rule = super::rules::rule_of(kind);
            let status = match (met_on, stop) {
                (None, Some(_)) => DeadlineStatus::NotApplicable,
                _ => status(due_on, met_on, today, false),
            };
            out.push((
                Deadline {
                    kind,
                    due_on,
                    met_on,
                    status,
                    regulation: rule.regulation,
                    statutory: rule.statutory,
                    target_on: None,
                    excepted_by: Vec::new(),
                    advice_request_id: None,
                },
                TrackedDeadline {
                    kind,
                    starts_on: received,
                    due_on,
                    met_on,
                    settled_on: match (met_on, stop) {
                        (Some(m), _) => Some(m),
                        (None, s) => s,
                    },
                    excepted_from: None,
                    target_on: None,
                    advice_request_id: None,
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
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
