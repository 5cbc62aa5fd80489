//! Disputes and complaints (DOMAIN.md §6): a family's challenge to a decision through
//! mediation and the Tribunal, what its outcome directs the council to do and by when; and
//! complaints about the SEND service through both stages and the Ombudsman, with the remedies
//! and the register managers read. Staff of the council act; the family reads their own.
use async_graphql::{Context, Description, Enum, ID, InputObject, Object, Result, SimpleObject};

use super::people::Child;
use super::shared::{AppealWindow, Deadline, Party};
use super::{Date, Id, Kind, Listing, connection, ctx, loaders, page_request};
use crate::domain::complaint::{self as complaint_rules, complaint_deadlines};
use crate::domain::dispute::{self as rules, dispute_deadlines, dispute_next_step};
use crate::error::ApiError;
use crate::service::Target;
use crate::service::complaints::{self as complaints_svc, ComplaintRecord, NewRemedy};
use crate::service::disputes::{self as svc, Challenged, DisputeFilter, DisputeRecord};
use crate::store::entity::remedy as remedy_row;

/// The decision a family challenges (CFA 2014 s.51(2)).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::dispute::Appealed")]
pub enum AppealedDecision {
    /// Not to carry out a needs assessment (or a re-assessment).
    RefusalToAssess,
    /// Not to issue an EHC plan after assessing.
    RefusalToIssue,
    /// What the plan says about needs (section B) and provision (F).
    PlanContent,
    /// The school or college the plan names (section I), or that it names none.
    NamedSetting,
    /// Not to amend the plan after a review or re-assessment.
    DecisionNotToAmend,
    /// To stop maintaining the plan.
    Cease,
}

/// What an order, an agreement or a concession directs the council to do (reg 44(2)).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::dispute::OrderKind")]
pub enum OrderKind {
    /// Carry out the assessment it refused: notify within 2 weeks, a decision not to issue
    /// within 10, the final plan within 14 (opens an ORDERED assessment).
    Assess,
    /// Make and maintain a plan: draft within 5 weeks, final within 11 (opens an ORDERED_PLAN
    /// assessment).
    MakePlan,
    /// Amend the plan's content: the amended plan within 5 weeks.
    AmendContent,
    /// Name another school or college, changing nothing else: within 2 weeks.
    ChangeSetting,
    /// Continue to maintain the plan it meant to cease: immediately.
    ContinueToMaintain,
    /// The appeal against ceasing was dismissed: cease the plan.
    CeaseUpheld,
}

/// Why an order's limits are impractical to meet (reg 44(3)).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::dispute::OrderException")]
pub enum OrderException {
    /// Exceptional personal circumstances affect the child, the parent or the young person.
    ExceptionalPersonalCircumstances,
    /// The child, the parent or the young person is away from the area for at least 2
    /// continuous weeks.
    AbsentTwoWeeks,
    /// The family asked to make representations about the plan after the order.
    FamilyRepresentations,
}

/// How a dispute ended.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::dispute::Outcome")]
pub enum DisputeOutcome {
    /// The Tribunal's order (reg 43-44), counted from the day it was sent.
    Order,
    /// A mediation agreement (reg 42), counted from the day agreed.
    Agreement,
    /// The council told the Tribunal it would not oppose the appeal (reg 45), counted from
    /// that day.
    Concession,
    /// The Tribunal dismissed the appeal: the decision stands.
    Dismissed,
}

/// An outcome the Tribunal gives (a mediation agreement is `recordMediationAgreement`).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum TribunalOutcome {
    /// The Tribunal's order, as sent.
    Order,
    /// The council conceded before its response was due (reg 45).
    Concession,
    /// The appeal was dismissed.
    Dismissed,
}

/// Where a dispute stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::dispute::DisputeState")]
pub enum DisputeState {
    /// Challenged: the family may go to mediation or appeal.
    Open,
    /// The family wants mediation: the council must arrange it within 30 days.
    Mediation,
    /// An appeal is registered with the Tribunal.
    Appealed,
    /// An order, agreement or concession: the council must act within its limits.
    Directed,
    /// Nothing more to do.
    Closed,
}

/// A step of a dispute: each is one mutation.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::dispute::DisputeAction")]
pub enum DisputeAction {
    /// `contactMediationAdviser`.
    ContactAdviser,
    /// `arrangeMediation`.
    ArrangeMediation,
    /// `holdMediation`.
    HoldMediation,
    /// `issueMediationCertificate`.
    IssueCertificate,
    /// `recordMediationAgreement`.
    RecordAgreement,
    /// `registerAppeal`.
    RegisterAppeal,
    /// `scheduleHearing`.
    ScheduleHearing,
    /// `recordTribunalOutcome` with CONCESSION.
    Concede,
    /// `recordTribunalOutcome` with ORDER.
    RecordOrder,
    /// `recordTribunalOutcome` with DISMISSED.
    Dismiss,
    /// `withdrawAppeal`.
    WithdrawAppeal,
    /// `recordOrderException`.
    RecordOrderException,
    /// `recordCompliance`.
    RecordCompliance,
    /// `recordCompliance` with `otherMatter: true`.
    RecordOtherMatterDone,
    /// `closeDispute`.
    Close,
}

/// What happens next, who acts and by when, in plain words for who reads it.
#[derive(SimpleObject)]
pub struct DisputeNextStep {
    /// The step, worded for a parent or young person, or for staff.
    description: String,
    /// Who must act.
    party: Party,
    /// The date it is due, if one is set.
    due_on: Option<Date>,
    /// The provision that sets it.
    regulation: Option<String>,
}

/// A reg 44(3) exception recorded on an order.
#[derive(SimpleObject)]
pub struct RecordedOrderException {
    /// The reason.
    reason: OrderException,
    /// The reason in plain words.
    description: String,
    /// The day it began to apply.
    from: Date,
    /// The day it ended, when it has (an absence).
    until: Option<Date>,
}

/// A family's challenge to one of the council's decisions: its mediation, its appeal to the
/// First-tier Tribunal (SEND), and what the outcome directs the council to do, by when. Shown to
/// staff of the council, administrators and the child's family.
#[derive(Description)]
pub struct Dispute(pub DisputeRecord);

#[Object(use_type_description)]
impl Dispute {
    /// The dispute's global id.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Dispute, self.0.row.id)
    }
    /// The child whose case it is.
    async fn child(&self, gql: &Context<'_>) -> Result<Child> {
        let child = loaders::load(gql, loaders::ChildId(self.0.row.child_id)).await?;
        Ok(Child(child.ok_or_else(|| ApiError::not_found("child"))?))
    }
    /// What is challenged.
    async fn appealed(&self) -> Result<AppealedDecision> {
        Ok(self.0.appealed()?.into())
    }
    /// The challenged decision in plain words.
    async fn decision(&self) -> Result<String> {
        Ok(format!(
            "The council's decision {}",
            self.0.appealed()?.words()
        ))
    }
    /// The orders the Tribunal may make on this appeal (besides dismissing it).
    async fn possible_orders(&self) -> Result<Vec<OrderKind>> {
        Ok(self
            .0
            .appealed()?
            .orders()
            .iter()
            .map(|k| (*k).into())
            .collect())
    }
    /// The needs assessment whose decision is challenged (a refusal to assess or to issue):
    /// its global id, for `assessment(id:)`.
    async fn assessment_id(&self) -> Option<ID> {
        self.0
            .row
            .assessment_id
            .map(|id| Id::of(Kind::Assessment, id))
    }
    /// The plan whose content, school, amendment or ceasing is challenged: its global id, for
    /// `plan(id:)`.
    async fn plan_id(&self) -> Option<ID> {
        self.0.row.plan_id.map(|id| Id::of(Kind::EhcPlan, id))
    }
    /// The day the decision's notice was sent: the family's 2 months count from it.
    async fn decision_sent_on(&self) -> Date {
        Date(self.0.row.decision_sent_on)
    }
    /// The day the family challenged it.
    async fn opened_on(&self) -> Date {
        Date(self.0.row.opened_on)
    }
    /// Where it stands.
    async fn state(&self) -> Result<DisputeState> {
        Ok(self.0.state()?.into())
    }
    /// Increases with every change; send it back with the next step.
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// The steps allowed now.
    async fn allowed_actions(&self) -> Result<Vec<DisputeAction>> {
        Ok(rules::allowed_dispute_actions(self.0.state()?)
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// The day the family contacted a mediation adviser.
    async fn adviser_contacted_on(&self) -> Option<Date> {
        self.0.row.adviser_contacted_on.map(Date)
    }
    /// Whether the family wants mediation (null: not yet said).
    async fn wants_mediation(&self) -> Option<bool> {
        self.0.row.mediation_wanted
    }
    /// The day the council was told the family wants mediation.
    async fn council_told_on(&self) -> Option<Date> {
        self.0.row.council_told_on.map(Date)
    }
    /// The day the mediation took place.
    async fn mediation_held_on(&self) -> Option<Date> {
        self.0.row.mediation_held_on.map(Date)
    }
    /// The day the mediation certificate was issued.
    async fn certificate_issued_on(&self) -> Option<Date> {
        self.0.row.certificate_issued_on.map(Date)
    }
    /// The day the Tribunal registered the appeal.
    async fn appeal_registered_on(&self) -> Option<Date> {
        self.0.row.appeal_registered_on.map(Date)
    }
    /// The hearing date the Tribunal set.
    async fn hearing_on(&self) -> Option<Date> {
        self.0.row.hearing_on.map(Date)
    }
    /// The day the family withdrew the appeal.
    async fn appeal_withdrawn_on(&self) -> Option<Date> {
        self.0.row.appeal_withdrawn_on.map(Date)
    }
    /// How it ended: an order, an agreement, a concession or a dismissal.
    async fn outcome(&self) -> Result<Option<DisputeOutcome>> {
        Ok(self.0.outcome()?.map(Into::into))
    }
    /// The day of the outcome: the order sent, the agreement made, the Tribunal told.
    async fn outcome_on(&self) -> Option<Date> {
        self.0.row.outcome_on.map(Date)
    }
    /// What the council must do.
    async fn order_kind(&self) -> Result<Option<OrderKind>> {
        Ok(self.0.order_kind()?.map(Into::into))
    }
    /// The note recorded with the outcome, or why the dispute was closed.
    async fn outcome_note(&self) -> Option<&str> {
        self.0.row.outcome_note.as_deref()
    }
    /// A matter agreed at mediation outside the Tribunal's powers (social care, health).
    async fn other_matter(&self) -> Option<&str> {
        self.0.row.other_matter.as_deref()
    }
    /// When it is due: the date agreed in writing, or 2 weeks after the agreement (reg 42).
    async fn other_matter_due_on(&self) -> Option<Date> {
        let r = &self.0.row;
        r.other_matter.as_ref()?;
        Some(Date(rules::other_agreement_due(
            r.outcome_on?,
            r.other_matter_due_on,
        )))
    }
    /// The day the other matter was done.
    async fn other_matter_done_on(&self) -> Option<Date> {
        self.0.row.other_matter_done_on.map(Date)
    }
    /// A reg 44(3) exception lifting the order's limits.
    async fn order_exception(&self) -> Result<Option<RecordedOrderException>> {
        Ok(self.0.order_exception()?.map(|e| RecordedOrderException {
            reason: e.reason.into(),
            description: e.reason.words().to_owned(),
            from: Date(e.from),
            until: e.until.map(Date),
        }))
    }
    /// The day the council complied with the order or agreement.
    async fn complied_on(&self) -> Option<Date> {
        self.0.row.complied_on.map(Date)
    }
    /// The assessment the order, agreement or concession opened, on the order's clocks: its
    /// global id, for `assessment(id:)`, where its deadlines and next step are.
    async fn ordered_assessment_id(&self) -> Option<ID> {
        self.0
            .row
            .ordered_assessment_id
            .map(|id| Id::of(Kind::Assessment, id))
    }
    /// The day nothing more was left to do.
    async fn closed_on(&self) -> Option<Date> {
        self.0.row.closed_on.map(Date)
    }
    /// The family's appeal window: contact a mediation adviser by, appeal by.
    async fn appeal(&self, gql: &Context<'_>) -> Result<AppealWindow> {
        let today = ctx(gql)?.today();
        let r = &self.0.row;
        let w = crate::domain::appeal::AppealWindow::new(
            self.0.appealed()?.words(),
            r.decision_sent_on,
            r.certificate_issued_on,
        );
        Ok(AppealWindow::from_domain(w, Date(today)))
    }
    /// Every deadline of the dispute as of today: the family's 2 months, the certificate, the
    /// mediation within 30 days, the outcome's limits (an order to assess or make a plan shows
    /// them on its `orderedAssessmentId`), another matter agreed.
    async fn deadlines(&self, gql: &Context<'_>) -> Result<Vec<Deadline>> {
        let today = ctx(gql)?.today();
        Ok(dispute_deadlines(&self.0.facts()?, today)
            .into_iter()
            .map(|(d, _)| d.into())
            .collect())
    }
    /// What happens next, who acts and by when; null once closed.
    async fn next_step(&self, gql: &Context<'_>) -> Result<Option<DisputeNextStep>> {
        let ctx = ctx(gql)?;
        Ok(dispute_next_step(
            self.0.state()?,
            &self.0.facts()?,
            ctx.today(),
            ctx.actor.reader(),
        )
        .map(|s| DisputeNextStep {
            description: s.description,
            party: s.party.into(),
            due_on: s.due_on.map(Date),
            regulation: s.regulation.map(str::to_owned),
        }))
    }
}

/// Where a complaint stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::complaint::ComplaintState")]
pub enum ComplaintState {
    /// At stage 1: to acknowledge (5 working days) and answer (10).
    StageOne,
    /// Answered at stage 1; the complainant may escalate.
    StageOneAnswered,
    /// At stage 2: to acknowledge (5 working days) and answer (20).
    StageTwo,
    /// Answered at stage 2: the council's process is finished.
    StageTwoAnswered,
    /// With the Local Government and Social Care Ombudsman.
    WithOmbudsman,
    /// The Ombudsman has decided.
    OmbudsmanDecided,
    /// Withdrawn by the complainant.
    Withdrawn,
}

/// A step of a complaint: each is one mutation.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::complaint::ComplaintAction")]
pub enum ComplaintAction {
    /// `acknowledgeComplaint`.
    Acknowledge,
    /// `extendComplaint`.
    Extend,
    /// `respondToComplaint`.
    Respond,
    /// `escalateComplaint`.
    Escalate,
    /// `referComplaintToOmbudsman`.
    ReferToOmbudsman,
    /// `recordOmbudsmanDecision`.
    RecordOmbudsmanDecision,
    /// `recordRemedy`.
    RecordRemedy,
    /// `recordRemedyDone`.
    RecordRemedyDone,
    /// `withdrawComplaint`.
    Withdraw,
}

/// What the Ombudsman found.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::complaint::OmbudsmanFinding")]
pub enum OmbudsmanFinding {
    /// Fault causing injustice: the council must put it right.
    FaultCausedInjustice,
    /// Fault, without injustice to remedy.
    FaultNoInjustice,
    /// No fault.
    NoFault,
    /// Not investigated (premature, late, out of jurisdiction).
    NotInvestigated,
}

/// What was done to put things right.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::complaint::RemedyKind")]
pub enum RemedyKind {
    /// A written apology.
    Apology,
    /// A payment, with its amount and reason.
    Payment,
    /// A change to the service: procedures, training, monitoring.
    ServiceImprovement,
}

/// What a payment is for.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::complaint::PaymentReason")]
pub enum PaymentReason {
    /// A symbolic payment for delay.
    Delay,
    /// Provision in the plan that was not delivered.
    ProvisionNotDelivered,
    /// Distress, uncertainty or frustration.
    Distress,
    /// The complainant's time and trouble.
    TimeAndTrouble,
}

/// Who decided a remedy.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::complaint::RemedyOfferedBy")]
pub enum RemedyOfferedBy {
    /// The council, answering the complaint.
    Council,
    /// The Ombudsman, in its decision.
    Ombudsman,
}

/// Something done to put a complaint right. Shown with its complaint.
#[derive(Description)]
pub struct Remedy(pub remedy_row::Model);

#[Object(use_type_description)]
impl Remedy {
    /// The remedy's global id.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Remedy, self.0.id)
    }
    /// An apology, a payment or a service improvement.
    async fn kind(&self) -> Result<RemedyKind> {
        Ok(complaint_rules::RemedyKind::parse(&self.0.kind)
            .map_err(|e| ApiError::Internal(e.into()))?
            .into())
    }
    /// What a payment is for.
    async fn reason(&self) -> Result<Option<PaymentReason>> {
        Ok(self
            .0
            .reason
            .as_deref()
            .map(complaint_rules::PaymentReason::parse)
            .transpose()
            .map_err(|e| ApiError::Internal(e.into()))?
            .map(Into::into))
    }
    /// A payment's amount, in pence.
    async fn amount_pence(&self) -> Option<i64> {
        self.0.amount_pence
    }
    /// The council or the Ombudsman.
    async fn offered_by(&self) -> Result<RemedyOfferedBy> {
        Ok(complaint_rules::RemedyOfferedBy::parse(&self.0.offered_by)
            .map_err(|e| ApiError::Internal(e.into()))?
            .into())
    }
    /// What it is, in words.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The day it was agreed.
    async fn agreed_on(&self) -> Date {
        Date(self.0.agreed_on)
    }
    /// The day it was carried out: the apology sent, the payment made.
    async fn done_on(&self) -> Option<Date> {
        self.0.done_on.map(Date)
    }
}

/// A complaint about the SEND service on a child's case: the council's two stages under the
/// Complaint Handling Code (acknowledge in 5 working days; answer in 10 at stage 1, 20 at stage
/// 2; an extension explained), the Ombudsman, and the remedies. Shown to staff of the council,
/// administrators and the child's family.
#[derive(Description)]
pub struct Complaint(pub ComplaintRecord);

#[Object(use_type_description)]
impl Complaint {
    /// The complaint's global id.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Complaint, self.0.row.id)
    }
    /// The child whose case it is about.
    async fn child(&self, gql: &Context<'_>) -> Result<Child> {
        let child = loaders::load(gql, loaders::ChildId(self.0.row.child_id)).await?;
        Ok(Child(child.ok_or_else(|| ApiError::not_found("child"))?))
    }
    /// What the complaint is about, as recorded.
    async fn summary(&self) -> &str {
        &self.0.row.summary
    }
    /// Where it stands.
    async fn state(&self) -> Result<ComplaintState> {
        Ok(self.0.state()?.into())
    }
    /// Increases with every change; send it back with the next step.
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// The steps allowed now.
    async fn allowed_actions(&self) -> Result<Vec<ComplaintAction>> {
        Ok(complaint_rules::allowed_complaint_actions(self.0.state()?)
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// The day it was received.
    async fn received_on(&self) -> Date {
        Date(self.0.row.received_on)
    }
    /// Stage 1 acknowledged.
    async fn acknowledged_on(&self) -> Option<Date> {
        self.0.row.acknowledged_on.map(Date)
    }
    /// Stage 1's answer moved to this day.
    async fn extended_to(&self) -> Option<Date> {
        self.0.row.extended_to.map(Date)
    }
    /// Why stage 1's answer was extended, as the complainant was told.
    async fn extension_reason(&self) -> Option<&str> {
        self.0.row.extension_reason.as_deref()
    }
    /// Stage 1 answered.
    async fn responded_on(&self) -> Option<Date> {
        self.0.row.responded_on.map(Date)
    }
    /// Escalated to stage 2.
    async fn escalated_on(&self) -> Option<Date> {
        self.0.row.escalated_on.map(Date)
    }
    /// Stage 2 acknowledged.
    async fn stage_two_acknowledged_on(&self) -> Option<Date> {
        self.0.row.stage_two_acknowledged_on.map(Date)
    }
    /// Stage 2's answer moved to this day.
    async fn stage_two_extended_to(&self) -> Option<Date> {
        self.0.row.stage_two_extended_to.map(Date)
    }
    /// Why stage 2's answer was extended.
    async fn stage_two_extension_reason(&self) -> Option<&str> {
        self.0.row.stage_two_extension_reason.as_deref()
    }
    /// Stage 2 answered.
    async fn stage_two_responded_on(&self) -> Option<Date> {
        self.0.row.stage_two_responded_on.map(Date)
    }
    /// Taken to the Ombudsman.
    async fn ombudsman_referred_on(&self) -> Option<Date> {
        self.0.row.ombudsman_referred_on.map(Date)
    }
    /// The Ombudsman's reference, e.g. 25 012 582.
    async fn ombudsman_reference(&self) -> Option<&str> {
        self.0.row.ombudsman_reference.as_deref()
    }
    /// The day the Ombudsman decided.
    async fn ombudsman_decided_on(&self) -> Option<Date> {
        self.0.row.ombudsman_decided_on.map(Date)
    }
    /// What the Ombudsman found.
    async fn ombudsman_finding(&self) -> Result<Option<OmbudsmanFinding>> {
        Ok(self
            .0
            .row
            .ombudsman_finding
            .as_deref()
            .map(complaint_rules::OmbudsmanFinding::parse)
            .transpose()
            .map_err(|e| ApiError::Internal(e.into()))?
            .map(Into::into))
    }
    /// The day it was withdrawn.
    async fn withdrawn_on(&self) -> Option<Date> {
        self.0.row.withdrawn_on.map(Date)
    }
    /// The day the council last had nothing to answer (null while a stage or the Ombudsman
    /// is open).
    async fn closed_on(&self) -> Option<Date> {
        self.0.row.closed_on.map(Date)
    }
    /// Each stage's limits as of today.
    async fn deadlines(&self, gql: &Context<'_>) -> Result<Vec<Deadline>> {
        let today = ctx(gql)?.today();
        Ok(complaint_deadlines(&self.0.facts(), today)
            .into_iter()
            .map(|(d, _)| d.into())
            .collect())
    }
    /// Whether the current stage's extension is longer than the Code's 10 working days, and
    /// so needs a good reason (Code 6.4).
    async fn extension_needs_good_reason(&self) -> Result<bool> {
        let facts = self.0.facts();
        let Some(stage) = self.0.state()?.stage() else {
            return Ok(false);
        };
        let (received, record) = match stage {
            complaint_rules::ComplaintStage::One => (facts.received_on, &facts.stage_one),
            complaint_rules::ComplaintStage::Two => (
                facts.escalated_on.unwrap_or(facts.received_on),
                &facts.stage_two,
            ),
        };
        let extension = record.extension.as_ref().map(|(d, r)| (*d, r.as_str()));
        Ok(
            complaint_rules::complaint_clock(stage, received, record.acknowledged_on, extension)
                .is_ok_and(|c| c.extension_needs_good_reason),
        )
    }
    /// What happens next, in plain words; null once the council has nothing to answer.
    async fn next_step(&self, gql: &Context<'_>) -> Result<Option<DisputeNextStep>> {
        let ctx = ctx(gql)?;
        let today = ctx.today();
        let reader = ctx.actor.reader();
        if self.0.state()? == complaint_rules::ComplaintState::WithOmbudsman {
            return Ok(Some(DisputeNextStep {
                description: reader
                    .pick(
                        "The Ombudsman is looking at your complaint; the council will tell you \
                         of its decision.",
                        "With the Ombudsman: record its decision when it comes.",
                    )
                    .to_owned(),
                party: Party::LocalAuthority,
                due_on: None,
                regulation: None,
            }));
        }
        let next = complaint_deadlines(&self.0.facts(), today)
            .into_iter()
            .map(|(d, _)| d)
            .find(|d| {
                d.met_on.is_none()
                    && d.status != crate::domain::timescales::DeadlineStatus::NotApplicable
            });
        Ok(next.map(|d| {
            let long = crate::domain::calendar::long_date(d.due_on);
            let what = match d.kind {
                crate::domain::timescales::DeadlineKind::ComplaintAcknowledgement => {
                    reader.pick("acknowledge your complaint", "Acknowledge the complaint")
                }
                _ => reader.pick("answer your complaint", "Answer the complaint"),
            };
            DisputeNextStep {
                description: reader.pick(
                    format!("The council must {what} by {long}."),
                    format!("{what} by {long}."),
                ),
                party: Party::LocalAuthority,
                due_on: Some(Date(d.due_on)),
                regulation: Some(d.regulation.to_owned()),
            }
        }))
    }
    /// The remedies agreed, oldest first.
    async fn remedies(&self) -> Vec<Remedy> {
        self.0.remedies.iter().cloned().map(Remedy).collect()
    }
}

/// Which day of a remedy the register counts by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum RemedyDate {
    /// The day it was agreed.
    Agreed,
    /// The day it was carried out (paid, sent, done): remedies paid in a period.
    Done,
}

/// Remedies agreed in one month, in one locality, of one kind, reason and source.
#[derive(SimpleObject)]
pub struct RemedyTotal {
    /// The council (global id).
    local_authority_id: ID,
    /// The first day of the month they were agreed in (or, `by: DONE`, carried out in).
    month: Date,
    /// The child's locality when agreed (global id).
    locality_id: ID,
    /// The kind of remedy.
    kind: RemedyKind,
    /// What a payment was for.
    reason: Option<PaymentReason>,
    /// The council or the Ombudsman.
    offered_by: RemedyOfferedBy,
    /// How many.
    count: i64,
    /// What was agreed, in pence.
    amount_pence: i64,
    /// Of that, what has been paid, in pence.
    paid_pence: i64,
}

#[derive(Default)]
pub struct DisputeQuery;

#[Object]
impl DisputeQuery {
    /// One dispute, if the signed-in person may see it.
    async fn dispute(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute's global id")] id: ID,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Dispute, &id)?;
        Ok(Dispute(svc::load(&ctx, id).await?))
    }

    /// Disputes the signed-in person may see, newest first.
    #[allow(clippy::too_many_arguments)]
    async fn disputes(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Only this child's (a global id).")] child_id: Option<ID>,
        #[graphql(desc = "Only disputes in this state.")] state: Option<DisputeState>,
        #[graphql(desc = "true: something still to do; false: closed")] open: Option<bool>,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
        #[graphql(desc = "page size, at most 100")] first: Option<i32>,
        #[graphql(desc = "page size, at most 100")] last: Option<i32>,
    ) -> Result<Listing<Dispute>> {
        let ctx = ctx(gql)?;
        let filter = DisputeFilter {
            child_id: child_id
                .map(|c| Id::parse("childId", Kind::Child, &c))
                .transpose()?,
            state: state.map(|s| rules::DisputeState::from(s).as_str()),
            open,
        };
        let page = svc::list(&ctx, filter, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |r| r.row.id, Dispute))
    }

    /// One complaint, if the signed-in person may see it.
    async fn complaint(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The complaint's global id")] id: ID,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Complaint, &id)?;
        Ok(Complaint(complaints_svc::load(&ctx, id).await?))
    }

    /// Complaints the signed-in person may see, newest first.
    #[allow(clippy::too_many_arguments)]
    async fn complaints(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Only this child's (a global id).")] child_id: Option<ID>,
        #[graphql(desc = "Only complaints in this state.")] state: Option<ComplaintState>,
        #[graphql(desc = "true: the council has something to answer; false: not")] open: Option<
            bool,
        >,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
        #[graphql(desc = "page size, at most 100")] first: Option<i32>,
        #[graphql(desc = "page size, at most 100")] last: Option<i32>,
    ) -> Result<Listing<Complaint>> {
        let ctx = ctx(gql)?;
        let filter = DisputeFilter {
            child_id: child_id
                .map(|c| Id::parse("childId", Kind::Child, &c))
                .transpose()?,
            state: state.map(|s| complaint_rules::ComplaintState::from(s).as_str()),
            open,
        };
        let page =
            complaints_svc::list(&ctx, filter, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |r| r.row.id, Complaint))
    }

    /// The remedies register: what was agreed and paid to put complaints right, by month,
    /// locality, kind and reason, in the councils the signed-in manager, caseworker or
    /// administrator acts for. At most 3 years at once.
    async fn remedy_register(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The first day of the period")] from: Date,
        #[graphql(desc = "The last day of the period (inclusive)")] to: Date,
        #[graphql(
            default_with = "RemedyDate::Agreed",
            desc = "Count remedies by the day they were agreed (default) or carried out"
        )]
        by: RemedyDate,
    ) -> Result<Vec<RemedyTotal>> {
        let ctx = ctx(gql)?;
        Ok(
            complaints_svc::register(&ctx, from.0, to.0, by == RemedyDate::Done)
                .await?
                .into_iter()
                .map(|t| RemedyTotal {
                    local_authority_id: Id::of(Kind::LocalAuthority, t.la_id),
                    month: Date(t.month),
                    locality_id: Id::of(Kind::Locality, t.locality_id),
                    kind: t.kind.into(),
                    reason: t.reason.map(Into::into),
                    offered_by: t.offered_by.into(),
                    count: t.count,
                    amount_pence: t.amount_pence,
                    paid_pence: t.paid_pence,
                })
                .collect(),
        )
    }
}

/// A family's challenge to a refusal on a needs assessment.
#[derive(InputObject)]
pub struct AssessmentDisputeInput {
    /// The assessment whose refusal is challenged (a global id).
    assessment_id: ID,
    /// REFUSAL_TO_ASSESS or REFUSAL_TO_ISSUE.
    appealed: AppealedDecision,
    /// The day the decision's notice was sent; the day the refusal was recorded when left
    /// out.
    decision_sent_on: Option<Date>,
    /// The day the family challenged it; today when left out.
    on: Option<Date>,
}

/// A family's challenge to a decision on a plan.
#[derive(InputObject)]
pub struct PlanDisputeInput {
    /// The plan whose content, school, amendment or ceasing is challenged (a global id).
    plan_id: ID,
    /// PLAN_CONTENT, NAMED_SETTING, DECISION_NOT_TO_AMEND or CEASE.
    appealed: AppealedDecision,
    /// The day the decision's notice was sent.
    decision_sent_on: Date,
    /// The day the family challenged it; today when left out.
    on: Option<Date>,
}

/// A step of a dispute that needs only its date.
#[derive(InputObject)]
pub struct DisputeStepInput {
    /// The dispute (its global id).
    dispute_id: ID,
    /// The version last read: a change since is a CONFLICT.
    version: i32,
    /// The day it happened; today when left out.
    on: Option<Date>,
}

/// The family contacted a mediation adviser.
#[derive(InputObject)]
pub struct ContactAdviserInput {
    /// The dispute (its global id).
    dispute_id: ID,
    /// The version last read.
    version: i32,
    /// The day the family contacted the adviser; today when left out.
    on: Option<Date>,
    /// false: they told the adviser they do not want mediation (the certificate is due in 3
    /// working days); true: they do; left out: not yet said.
    wants_mediation: Option<bool>,
}

/// A mediation agreement and what it requires (reg 42).
#[derive(InputObject)]
pub struct MediationAgreementInput {
    /// The dispute (its global id).
    dispute_id: ID,
    /// The version last read.
    version: i32,
    /// The day agreed; today when left out.
    on: Option<Date>,
    /// What the council must do on the appealable matter (one of `possibleOrders`); null
    /// when the agreement is only on another matter.
    order_kind: Option<OrderKind>,
    /// A matter agreed outside the Tribunal's powers (social care, health): due in 2 weeks
    /// unless other dates are agreed.
    other_matter: Option<String>,
    /// The date agreed in writing for the other matter (reg 42(5)).
    other_matter_due_on: Option<Date>,
    /// A note on the agreement.
    note: Option<String>,
}

/// The Tribunal's order, the council's concession, or the appeal's dismissal.
#[derive(InputObject)]
pub struct TribunalOutcomeInput {
    /// The dispute (its global id).
    dispute_id: ID,
    /// The version last read.
    version: i32,
    /// The day the order was sent, the Tribunal was told of the concession, or the appeal
    /// was dismissed; today when left out.
    on: Option<Date>,
    /// What happened.
    outcome: TribunalOutcome,
    /// What the council must do (one of `possibleOrders`); null for a dismissal.
    order_kind: Option<OrderKind>,
    /// A note on the outcome.
    note: Option<String>,
}

/// The hearing date the Tribunal set.
#[derive(InputObject)]
pub struct ScheduleHearingInput {
    /// The dispute (its global id).
    dispute_id: ID,
    /// The version last read.
    version: i32,
    /// The hearing date.
    hearing_on: Date,
    /// The day it was set; today when left out.
    on: Option<Date>,
}

/// A reg 44(3) exception to an order's limits.
#[derive(InputObject)]
pub struct OrderExceptionInput {
    /// The dispute (its global id).
    dispute_id: ID,
    /// The version last read.
    version: i32,
    /// The day it began to apply; today when left out.
    on: Option<Date>,
    /// Why the limits are impractical.
    reason: OrderException,
    /// The day it ended (or is expected to): required for an absence, which must last at
    /// least 2 weeks.
    until: Option<Date>,
}

/// The council did what it was directed to.
#[derive(InputObject)]
pub struct ComplianceInput {
    /// The dispute (its global id).
    dispute_id: ID,
    /// The version last read.
    version: i32,
    /// The day it was done; today when left out.
    on: Option<Date>,
    /// true: the other matter agreed at mediation was done; false (the default): the order's
    /// part on the plan.
    #[graphql(default)]
    other_matter: bool,
}

/// The family took the challenge no further.
#[derive(InputObject)]
pub struct CloseDisputeInput {
    /// The dispute (its global id).
    dispute_id: ID,
    /// The version last read.
    version: i32,
    /// The day; today when left out.
    on: Option<Date>,
    /// Why, in words.
    reason: String,
}

fn dispute_target(id: &ID, version: i32, on: Option<Date>) -> Result<Target> {
    Ok(Target::new(
        Id::parse("disputeId", Kind::Dispute, id)?,
        version,
        on.map(|d| d.0),
    ))
}

/// A complaint received on a child's case.
#[derive(InputObject)]
pub struct ReceiveComplaintInput {
    /// The child (a global id).
    child_id: ID,
    /// The day received; today when left out.
    received_on: Option<Date>,
    /// What it is about.
    summary: String,
}

/// A step of a complaint that needs only its date.
#[derive(InputObject)]
pub struct ComplaintStepInput {
    /// The complaint (its global id).
    complaint_id: ID,
    /// The version last read: a change since is a CONFLICT.
    version: i32,
    /// The day it happened; today when left out.
    on: Option<Date>,
}

/// An extension of the time to answer at the current stage.
#[derive(InputObject)]
pub struct ExtendComplaintInput {
    /// The complaint (its global id).
    complaint_id: ID,
    /// The version last read.
    version: i32,
    /// The day the complainant was told; today when left out.
    on: Option<Date>,
    /// The new date for the answer.
    until: Date,
    /// The reason the complainant was given.
    reason: String,
}

/// The complaint went to the Ombudsman.
#[derive(InputObject)]
pub struct OmbudsmanReferralInput {
    /// The complaint (its global id).
    complaint_id: ID,
    /// The version last read.
    version: i32,
    /// The day; today when left out.
    on: Option<Date>,
    /// The Ombudsman's reference.
    reference: Option<String>,
}

/// The Ombudsman's decision.
#[derive(InputObject)]
pub struct OmbudsmanDecisionInput {
    /// The complaint (its global id).
    complaint_id: ID,
    /// The version last read.
    version: i32,
    /// The day of the decision; today when left out.
    on: Option<Date>,
    /// What it found.
    finding: OmbudsmanFinding,
}

/// A remedy agreed.
#[derive(InputObject)]
pub struct RemedyInput {
    /// The complaint (its global id).
    complaint_id: ID,
    /// The complaint's version last read.
    version: i32,
    /// The day agreed; today when left out.
    on: Option<Date>,
    /// An apology, a payment or a service improvement.
    kind: RemedyKind,
    /// A payment's reason (payments only).
    reason: Option<PaymentReason>,
    /// A payment's amount in pence (payments only).
    amount_pence: Option<i64>,
    /// The council or the Ombudsman.
    offered_by: RemedyOfferedBy,
    /// What it is, in words.
    description: String,
}

/// A remedy carried out.
#[derive(InputObject)]
pub struct RemedyDoneInput {
    /// The remedy (its global id).
    remedy_id: ID,
    /// Its complaint's version last read.
    version: i32,
    /// The day it was done; today when left out.
    on: Option<Date>,
}

fn complaint_target(id: &ID, version: i32, on: Option<Date>) -> Result<Target> {
    Ok(Target::new(
        Id::parse("complaintId", Kind::Complaint, id)?,
        version,
        on.map(|d| d.0),
    ))
}

#[derive(Default)]
pub struct DisputeMutation;

#[Object]
impl DisputeMutation {
    /// Records a family's challenge to a refusal on a needs assessment (caseworkers and
    /// managers of the council).
    async fn open_assessment_dispute(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The assessment, the refusal challenged and when")]
        input: AssessmentDisputeInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let input = svc::OpenDispute {
            challenged: Challenged::Assessment(Id::parse(
                "assessmentId",
                Kind::Assessment,
                &input.assessment_id,
            )?),
            appealed: input.appealed.into(),
            decision_sent_on: input.decision_sent_on.map(|d| d.0),
            on: input.on.map(|d| d.0),
        };
        Ok(Dispute(svc::open(&ctx, input).await?))
    }
    /// Records a family's challenge to a decision on a plan: its content, its school, a
    /// decision not to amend, or ceasing.
    async fn open_plan_dispute(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, the decision challenged and when")] input: PlanDisputeInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let input = svc::OpenDispute {
            challenged: Challenged::Plan(Id::parse("planId", Kind::EhcPlan, &input.plan_id)?),
            appealed: input.appealed.into(),
            decision_sent_on: Some(input.decision_sent_on.0),
            on: input.on.map(|d| d.0),
        };
        Ok(Dispute(svc::open(&ctx, input).await?))
    }
    /// The family contacted a mediation adviser (CFA 2014 s.55).
    async fn contact_mediation_adviser(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version and the day")] input: ContactAdviserInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        Ok(Dispute(
            svc::contact_adviser(&ctx, target, input.wants_mediation).await?,
        ))
    }
    /// The council was told the family wants mediation: it must take place within 30 days
    /// (reg 36-37).
    async fn arrange_mediation(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version and the day told")] input: DisputeStepInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        Ok(Dispute(svc::arrange_mediation(&ctx, target).await?))
    }
    /// The mediation took place.
    async fn hold_mediation(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version and the day")] input: DisputeStepInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        Ok(Dispute(svc::hold_mediation(&ctx, target).await?))
    }
    /// The mediation certificate was issued: the family may appeal until a month after it
    /// (when later than 2 months after the decision).
    async fn issue_mediation_certificate(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version and the day")] input: DisputeStepInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        Ok(Dispute(svc::issue_certificate(&ctx, target).await?))
    }
    /// A mediation agreement: an appealable matter runs on reg 44's limits from the day
    /// agreed; another matter is due in 2 weeks or on the date agreed. An agreement to assess
    /// or to make a plan opens its assessment.
    async fn record_mediation_agreement(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version, the day and what was agreed")]
        input: MediationAgreementInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        let direction = svc::Direction {
            outcome: rules::Outcome::Agreement,
            order_kind: input.order_kind.map(Into::into),
            other_matter: input.other_matter,
            other_matter_due_on: input.other_matter_due_on.map(|d| d.0),
            note: input.note,
        };
        Ok(Dispute(svc::record_outcome(&ctx, target, direction).await?))
    }
    /// The Tribunal registered the family's appeal.
    async fn register_appeal(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version and the day registered")]
        input: DisputeStepInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        Ok(Dispute(svc::register_appeal(&ctx, target).await?))
    }
    /// The hearing date the Tribunal set.
    async fn schedule_hearing(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version and the hearing date")]
        input: ScheduleHearingInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        Ok(Dispute(
            svc::schedule_hearing(&ctx, target, input.hearing_on.0).await?,
        ))
    }
    /// The Tribunal's order, the council's concession (reg 45) or the appeal's dismissal. An
    /// order or concession to assess or to make a plan opens its assessment on the order's
    /// clocks.
    async fn record_tribunal_outcome(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version, the day and the outcome")]
        input: TribunalOutcomeInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        let direction = svc::Direction {
            outcome: match input.outcome {
                TribunalOutcome::Order => rules::Outcome::Order,
                TribunalOutcome::Concession => rules::Outcome::Concession,
                TribunalOutcome::Dismissed => rules::Outcome::Dismissed,
            },
            order_kind: input.order_kind.map(Into::into),
            other_matter: None,
            other_matter_due_on: None,
            note: input.note,
        };
        Ok(Dispute(svc::record_outcome(&ctx, target, direction).await?))
    }
    /// The family withdrew the appeal.
    async fn withdraw_appeal(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version and the day")] input: DisputeStepInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        Ok(Dispute(svc::withdraw_appeal(&ctx, target).await?))
    }
    /// A reg 44(3) exception: the order's limits are impractical to meet.
    async fn record_order_exception(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version, the day and the reason")]
        input: OrderExceptionInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        Ok(Dispute(
            svc::record_order_exception(
                &ctx,
                target,
                input.reason.into(),
                input.until.map(|d| d.0),
            )
            .await?,
        ))
    }
    /// The council did what the order or agreement directed on the plan (or, with
    /// `otherMatter`, on the other matter agreed). An order to assess or to make a plan is
    /// complied with by its assessment.
    async fn record_compliance(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version and the day")] input: ComplianceInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        Ok(Dispute(
            svc::record_compliance(&ctx, target, input.other_matter).await?,
        ))
    }
    /// The family took the challenge no further.
    async fn close_dispute(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The dispute, its version, the day and why")] input: CloseDisputeInput,
    ) -> Result<Dispute> {
        let ctx = ctx(gql)?;
        let target = dispute_target(&input.dispute_id, input.version, input.on)?;
        Ok(Dispute(svc::close(&ctx, target, &input.reason).await?))
    }

    /// Records a complaint about the SEND service on a child's case, at stage 1.
    async fn receive_complaint(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The child, the day received and what it is about")]
        input: ReceiveComplaintInput,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let child_id = Id::parse("childId", Kind::Child, &input.child_id)?;
        Ok(Complaint(
            complaints_svc::receive(
                &ctx,
                child_id,
                input.received_on.map(|d| d.0),
                &input.summary,
            )
            .await?,
        ))
    }
    /// The council acknowledged the complaint at its current stage.
    async fn acknowledge_complaint(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The complaint, its version and the day")] input: ComplaintStepInput,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let target = complaint_target(&input.complaint_id, input.version, input.on)?;
        Ok(Complaint(complaints_svc::acknowledge(&ctx, target).await?))
    }
    /// Moves the answer at the current stage later, with the reason the complainant was given.
    async fn extend_complaint(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The complaint, its version, the new date and the reason")]
        input: ExtendComplaintInput,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let target = complaint_target(&input.complaint_id, input.version, input.on)?;
        Ok(Complaint(
            complaints_svc::extend(&ctx, target, input.until.0, &input.reason).await?,
        ))
    }
    /// The council answered the complaint at its current stage.
    async fn respond_to_complaint(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The complaint, its version and the day")] input: ComplaintStepInput,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let target = complaint_target(&input.complaint_id, input.version, input.on)?;
        Ok(Complaint(complaints_svc::respond(&ctx, target).await?))
    }
    /// The complainant asked for stage 2.
    async fn escalate_complaint(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The complaint, its version and the day asked")] input: ComplaintStepInput,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let target = complaint_target(&input.complaint_id, input.version, input.on)?;
        Ok(Complaint(complaints_svc::escalate(&ctx, target).await?))
    }
    /// The complainant took the complaint to the Ombudsman.
    async fn refer_complaint_to_ombudsman(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The complaint, its version, the day and the reference")]
        input: OmbudsmanReferralInput,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let target = complaint_target(&input.complaint_id, input.version, input.on)?;
        Ok(Complaint(
            complaints_svc::refer_to_ombudsman(&ctx, target, input.reference.as_deref()).await?,
        ))
    }
    /// The Ombudsman's decision.
    async fn record_ombudsman_decision(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The complaint, its version, the day and the finding")]
        input: OmbudsmanDecisionInput,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let target = complaint_target(&input.complaint_id, input.version, input.on)?;
        Ok(Complaint(
            complaints_svc::record_ombudsman_decision(&ctx, target, input.finding.into()).await?,
        ))
    }
    /// A remedy agreed: an apology, a payment (amount and reason) or a service improvement.
    async fn record_remedy(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The complaint, its version and the remedy")] input: RemedyInput,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let target = complaint_target(&input.complaint_id, input.version, input.on)?;
        let remedy = NewRemedy {
            kind: input.kind.into(),
            reason: input.reason.map(Into::into),
            amount_pence: input.amount_pence,
            offered_by: input.offered_by.into(),
            description: input.description,
        };
        Ok(Complaint(
            complaints_svc::record_remedy(&ctx, target, remedy).await?,
        ))
    }
    /// A remedy was carried out: the apology sent, the payment made.
    async fn record_remedy_done(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The remedy, its complaint's version and the day")] input: RemedyDoneInput,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let remedy_id = Id::parse("remedyId", Kind::Remedy, &input.remedy_id)?;
        Ok(Complaint(
            complaints_svc::record_remedy_done(
                &ctx,
                remedy_id,
                input.version,
                input.on.map(|d| d.0),
            )
            .await?,
        ))
    }
    /// The complainant withdrew the complaint.
    async fn withdraw_complaint(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The complaint, its version and the day")] input: ComplaintStepInput,
    ) -> Result<Complaint> {
        let ctx = ctx(gql)?;
        let target = complaint_target(&input.complaint_id, input.version, input.on)?;
        Ok(Complaint(complaints_svc::withdraw(&ctx, target).await?))
    }
}
