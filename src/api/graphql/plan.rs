//! EHC plans after issue: annual reviews (CFA 2014 s.44; SEND Regs 2014 reg 18–21),
//! amendments (reg 22, with the Devon judgment), phase transfers (reg 18), transfers between
//! councils (reg 15) and ceasing (regs 29–31), each deadline with its regulation.
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;

use super::assessment::AdviceRequest;
use super::people::{AdviceService, Child};
use super::shared::{AppealWindow, Deadline, Milestone, Party};
use super::{Id, connection, ctx, page_request};
use crate::domain::amendment::{AmendmentFacts, amendment_comments_until, amendment_deadlines};
use crate::domain::assessment::Milestone as DomainMilestone;
use crate::domain::plan::{
    self as plan_rules, Needs, PlanFacts, next_phase_transfer, next_review_due, plan_deadlines,
};
use crate::domain::review::{self as review_rules, ReviewFacts, review_deadlines};
use crate::domain::review_request::{REVIEW_REQUEST_RULE, RequestOutcome, ReviewRequestFacts};
use crate::domain::timescales::{self, DeadlineKind};
use crate::error::ApiError;
use crate::service::people as people_svc;
use crate::service::plan::{self as svc, AmendmentRecord, PlanFilter, PlanRecord, ReviewRecord};
use crate::store::entity::{plan_version, review_meeting_request};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::plan::PlanStatus")]
pub enum PlanStatus {
    Active,
    Ceased,
    TransferredOut,
    /// A re-assessment issued a new plan in its place.
    Replaced,
}

/// SEN2 need types.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::plan::SenNeed")]
pub enum SenNeed {
    /// Specific learning difficulty
    Spld,
    /// Moderate learning difficulty
    Mld,
    /// Severe learning difficulty
    Sld,
    /// Profound and multiple learning difficulty
    Pmld,
    /// Social, emotional and mental health
    Semh,
    /// Speech, language and communication needs
    Slcn,
    /// Hearing impairment
    Hi,
    /// Vision impairment
    Vi,
    /// Multi-sensory impairment
    Msi,
    /// Physical disability
    Pd,
    /// Autistic spectrum disorder
    Asd,
    /// Down syndrome
    Ds,
    /// Other difficulty or disability
    Oth,
}

/// SEN2 cease reasons (codes 1 to 9).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::plan::CeaseReason")]
pub enum CeaseReason {
    /// 1: reached the maximum age
    MaximumAge,
    /// 2: needs met without an EHC plan
    NeedsMetWithoutPlan,
    /// 3: moved on to higher education
    HigherEducation,
    /// 4: moved on to paid employment
    PaidEmployment,
    /// 5: moved to another local authority in England
    MovedToAnotherLaInEngland,
    /// 6: the young person no longer wishes to engage
    NoLongerWishesToEngage,
    /// 7: moved outside England
    MovedOutsideEngland,
    /// 8: deceased
    Deceased,
    /// 9: other
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::plan::PlanAction")]
pub enum PlanAction {
    UpdateNeeds,
    SetPhaseTransfer,
    ScheduleReview,
    ProposeAmendment,
    SendTransferNotice,
    ProposeCeasing,
    RecordCeaseConsultation,
    Cease,
    DecideNotToCease,
    RecordMove,
    TransferOut,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::plan::PhaseTransferKind")]
pub enum PhaseTransferKind {
    EarlyYearsToSchool,
    InfantToJunior,
    PrimaryToMiddle,
    PrimaryToSecondary,
    MiddleToSecondary,
    #[graphql(name = "SECONDARY_TO_POST16")]
    SecondaryToPost16,
    #[graphql(name = "POST16_TO_POST16")]
    Post16ToPost16,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::review::ReviewKind")]
pub enum ReviewKind {
    Annual,
    /// Brought forward because circumstances changed.
    Interim,
    /// Brought forward urgently.
    Emergency,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::review::ReviewState")]
pub enum ReviewState {
    Scheduled,
    MeetingHeld,
    Decided,
    Cancelled,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::review::ReviewAction")]
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

/// The council's decision after a review (reg 20(10)).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::review::ReviewDecision")]
pub enum ReviewDecision {
    /// Keep the plan as it is (SEN2 "M").
    Maintain,
    /// Amend it (SEN2 "A"): the proposed changes must follow within 4 weeks of the meeting.
    Amend,
    /// Cease it (SEN2 "C"): starts the reg 31 consultation.
    Cease,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::amendment::AmendmentState")]
pub enum AmendmentState {
    NoticeDue,
    NoticeSent,
    FinalIssued,
    NotAmended,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::amendment::AmendmentAction")]
pub enum AmendmentAction {
    SendNotice,
    RecordParentResponse,
    IssueAmendedPlan,
    DecideNotToAmend,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::plan::VersionSource")]
pub enum VersionSource {
    Issued,
    Entered,
    TransferredIn,
    Amended,
}

/// A need with its SEN2 code and name.
#[derive(SimpleObject)]
pub struct Need {
    code: SenNeed,
    label: String,
}

impl From<plan_rules::SenNeed> for Need {
    fn from(n: plan_rules::SenNeed) -> Self {
        Need {
            code: n.into(),
            label: n.label().to_owned(),
        }
    }
}

/// Why the plan ceased, with its SEN2 code.
#[derive(SimpleObject)]
pub struct CeaseReasonInfo {
    reason: CeaseReason,
    sen2_code: i32,
    label: String,
}

/// The next move between phases and the date the plan must be ready for it (reg 18).
#[derive(SimpleObject)]
pub struct PhaseTransfer {
    kind: PhaseTransferKind,
    /// "primary to secondary school"
    label: String,
    moves_on: NaiveDate,
    /// The last day to review the plan and issue it amended to name the new setting.
    due_on: NaiveDate,
    regulation: String,
    /// Set by a caseworker instead of worked out from the national curriculum year.
    overridden: bool,
    /// The day an amended plan naming the new setting was issued.
    finalised_on: Option<NaiveDate>,
}

fn phase_transfer_of(t: plan_rules::PhaseTransfer, facts: &PlanFacts) -> PhaseTransfer {
    PhaseTransfer {
        kind: t.kind.into(),
        label: t.kind.label().to_owned(),
        moves_on: t.moves_on,
        due_on: t.due_on,
        regulation: t.kind.deadline_kind().regulation().to_owned(),
        overridden: t.overridden,
        finalised_on: facts
            .phase_transfer_finalised
            .filter(|(moves_on, _)| *moves_on == t.moves_on)
            .map(|(_, on)| on),
    }
}

/// When the next review must be completed (the council's decision), and why.
#[derive(SimpleObject)]
pub struct ReviewDue {
    due_on: NaiveDate,
    kind: super::shared::DeadlineKind,
    regulation: String,
}

/// One issued version of the plan.
pub struct PlanVersion(plan_version::Model);

#[Object]
impl PlanVersion {
    /// 1 for the plan as first issued (or entered), then one more per amended plan.
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn issued_on(&self) -> NaiveDate {
        self.0.issued_on
    }
    async fn named_setting(&self) -> Option<&str> {
        self.0.named_setting.as_deref()
    }
    async fn source(&self) -> Option<VersionSource> {
        crate::domain::plan::VersionSource::parse(&self.0.source).map(Into::into)
    }
    async fn amendment_id(&self) -> Option<ID> {
        self.0.amendment_id.map(Id::of)
    }
}

macro_rules! next_step_object {
    ($name:ident, $action:ty, $domain:ty) => {
        /// What happens next, who does it, and by when.
        #[derive(SimpleObject)]
        pub struct $name {
            action: Option<$action>,
            description: String,
            party: Party,
            due_on: Option<NaiveDate>,
            regulation: Option<String>,
        }

        impl From<$domain> for $name {
            fn from(s: $domain) -> Self {
                $name {
                    action: s.action.map(Into::into),
                    description: s.description,
                    party: s.party.into(),
                    due_on: s.due_on,
                    regulation: s.regulation.map(str::to_owned),
                }
            }
        }
    };
}

next_step_object!(PlanNextStep, PlanAction, plan_rules::PlanNextStep);
next_step_object!(
    ReviewNextStep,
    ReviewAction,
    review_rules::Step<review_rules::ReviewAction>
);
next_step_object!(
    AmendmentNextStep,
    AmendmentAction,
    review_rules::Step<crate::domain::amendment::AmendmentAction>
);

fn deadlines(list: Vec<timescales::Deadline>) -> Vec<Deadline> {
    list.into_iter().map(Into::into).collect()
}

fn milestones(list: Vec<DomainMilestone>) -> Vec<Milestone> {
    list.into_iter().map(Into::into).collect()
}

/// An EHC plan: its versions, needs, status, the next review and phase transfer, and the
/// reviews and amendments under way or done.
pub struct EhcPlan(pub PlanRecord);

impl EhcPlan {
    fn facts(&self) -> Result<PlanFacts> {
        Ok(self.0.facts()?)
    }
}

#[Object]
impl EhcPlan {
    async fn id(&self) -> ID {
        Id::of(self.0.row.id)
    }
    async fn child(&self, gql: &Context<'_>) -> Result<Child> {
        let ctx = ctx(gql)?;
        Ok(Child(
            people_svc::find_child(&ctx, self.0.row.child_id).await?,
        ))
    }
    async fn status(&self) -> Result<PlanStatus> {
        Ok(self.0.status()?.into())
    }
    /// The day the plan was first issued (or first made by the council it came from).
    async fn issued_on(&self) -> NaiveDate {
        self.0.row.issued_on
    }
    /// The setting named in the latest version.
    async fn named_setting(&self) -> Option<&str> {
        self.0.row.named_setting.as_deref()
    }
    /// Send it back with the next action on the plan: a change since makes it a CONFLICT.
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// Entered as it stood when the plan came into the system.
    async fn entered_directly(&self) -> bool {
        self.0.row.entered_directly
    }
    /// Each issued or amended plan, oldest first.
    async fn versions(&self) -> Vec<PlanVersion> {
        self.0.versions.iter().cloned().map(PlanVersion).collect()
    }
    /// The latest version's number and issue date.
    async fn current_version(&self) -> Option<PlanVersion> {
        self.0.versions.last().cloned().map(PlanVersion)
    }
    async fn primary_need(&self) -> Result<Option<Need>> {
        Ok(self.0.needs()?.map(|n| n.primary.into()))
    }
    async fn secondary_needs(&self) -> Result<Vec<Need>> {
        Ok(self
            .0
            .needs()?
            .map(|n: Needs| n.secondary.into_iter().map(Into::into).collect())
            .unwrap_or_default())
    }
    /// The latest review decision: the 12 months run from here (CFA 2014 s.44(1)).
    async fn last_review_decision_on(&self) -> Option<NaiveDate> {
        self.0.row.last_review_decision_on
    }
    /// When the next review must be completed by: 12 months (or reg 15(5) after a transfer
    /// in), or earlier for a phase transfer.
    async fn review_due(&self, gql: &Context<'_>) -> Result<Option<ReviewDue>> {
        let today = ctx(gql)?.today();
        Ok(
            next_review_due(&self.facts()?, today).map(|(due_on, kind)| ReviewDue {
                due_on,
                kind: kind.into(),
                regulation: kind.regulation().to_owned(),
            }),
        )
    }
    /// The next move between phases of education, worked out from the date of birth (or
    /// the national curriculum year override), or as set on the plan.
    async fn phase_transfer(&self, gql: &Context<'_>) -> Result<Option<PhaseTransfer>> {
        let today = ctx(gql)?.today();
        let facts = self.facts()?;
        Ok(facts
            .phase_transfer(today)
            .map(|t| phase_transfer_of(t, &facts)))
    }
    async fn transferred_in_on(&self) -> Option<NaiveDate> {
        self.0.row.transferred_in_on
    }
    async fn transferred_from(&self) -> Option<&str> {
        self.0.row.transferred_from.as_deref()
    }
    async fn transfer_notice_sent_on(&self) -> Option<NaiveDate> {
        self.0.row.transfer_notice_sent_on
    }
    async fn cease_proposed_on(&self) -> Option<NaiveDate> {
        self.0.row.cease_proposed_on
    }
    async fn cease_consulted_on(&self) -> Option<NaiveDate> {
        self.0.row.cease_consulted_on
    }
    async fn ceased_on(&self) -> Option<NaiveDate> {
        self.0.row.ceased_on
    }
    async fn cease_reason(&self) -> Option<CeaseReasonInfo> {
        self.0
            .row
            .cease_reason
            .and_then(plan_rules::CeaseReason::from_sen2_code)
            .map(|r| CeaseReasonInfo {
                reason: r.into(),
                sen2_code: i32::from(r.sen2_code()),
                label: r.label().to_owned(),
            })
    }
    /// The day the council learned the family is moving away.
    async fn move_learned_on(&self) -> Option<NaiveDate> {
        self.0.row.move_learned_on
    }
    async fn moves_on(&self) -> Option<NaiveDate> {
        self.0.row.moves_on
    }
    async fn transferred_out_on(&self) -> Option<NaiveDate> {
        self.0.row.transferred_out_on
    }
    async fn transferred_to(&self) -> Option<&str> {
        self.0.row.transferred_to.as_deref()
    }
    async fn allowed_actions(&self) -> Result<Vec<PlanAction>> {
        Ok(plan_rules::allowed_actions(&self.facts()?)
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// The plan's own deadlines as of today: next review, under-5 target, phase transfer,
    /// transfer notice. Reviews and amendments carry theirs.
    async fn deadlines(&self, gql: &Context<'_>) -> Result<Vec<Deadline>> {
        let today = ctx(gql)?.today();
        Ok(deadlines(plan_deadlines(&self.facts()?, today)))
    }
    /// The next step on the plan itself; null while a review or amendment carries it, or
    /// once the plan has ended.
    async fn next_step(&self, gql: &Context<'_>) -> Result<Option<PlanNextStep>> {
        let today = ctx(gql)?.today();
        Ok(plan_rules::next_step(&self.facts()?, today).map(Into::into))
    }
    /// The plan's whole story, oldest first: issue, reviews, amendments, ceasing.
    async fn timeline(&self, gql: &Context<'_>) -> Result<Vec<Milestone>> {
        let ctx = ctx(gql)?;
        let mut all = plan_rules::timeline(&self.facts()?);
        for review in svc::reviews_of(&ctx, self.0.row.id).await? {
            all.extend(review_rules::review_timeline(&review.facts()?));
        }
        for amendment in svc::amendments_of(&ctx, self.0.row.id).await? {
            all.extend(crate::domain::amendment::amendment_timeline(
                &amendment.facts(),
            ));
        }
        all.sort_by_key(|m| m.on);
        Ok(milestones(all))
    }
    /// Where the plan's review stands, in a sentence for the family: the review under way,
    /// or the date the next one must be done by. Null once the plan has ended.
    async fn review_summary(&self, gql: &Context<'_>) -> Result<Option<String>> {
        let today = ctx(gql)?.today();
        let facts = self.facts()?;
        if facts.status != plan_rules::PlanStatus::Active {
            return Ok(None);
        }
        let open = match &self.0.open_review {
            Some(row) => {
                let record = ReviewRecord {
                    row: row.clone(),
                    advice: Vec::new(),
                };
                Some((record.state()?, record.facts()?))
            }
            None => None,
        };
        let due = next_review_due(&facts, today).map(|(due_on, _)| due_on);
        Ok(review_rules::plan_review_summary(
            open.as_ref().map(|(state, facts)| (*state, facts)),
            due,
            today,
        ))
    }
    /// The next review meeting: the open review's meeting, while it is still to be held.
    async fn next_review_meeting_on(&self) -> Option<NaiveDate> {
        self.0
            .open_review
            .as_ref()
            .filter(|r| !r.meeting_held)
            .map(|r| r.meeting_on)
    }
    /// After the council decided to cease the plan: by when the family can appeal (CFA 2014
    /// s.51(2)(f)), and how a mediation certificate bears on it.
    async fn appeal(&self, gql: &Context<'_>) -> Result<Option<AppealWindow>> {
        let today = ctx(gql)?.today();
        Ok(
            plan_rules::cease_appeal(&self.facts()?, self.0.row.mediation_certificate_on)
                .map(|w| AppealWindow::from_domain(w, today)),
        )
    }
    /// The family's requests for a review meeting, newest first, with the council's answers.
    async fn review_meeting_requests(
        &self,
        gql: &Context<'_>,
    ) -> Result<Vec<ReviewMeetingRequest>> {
        let ctx = ctx(gql)?;
        Ok(svc::review_meeting_requests_of(&ctx, self.0.row.id)
            .await?
            .into_iter()
            .map(ReviewMeetingRequest)
            .collect())
    }
    /// Reviews, oldest first.
    async fn reviews(&self, gql: &Context<'_>) -> Result<Vec<AnnualReview>> {
        let ctx = ctx(gql)?;
        Ok(svc::reviews_of(&ctx, self.0.row.id)
            .await?
            .into_iter()
            .map(AnnualReview)
            .collect())
    }
    /// Amendments, oldest first.
    async fn amendments(&self, gql: &Context<'_>) -> Result<Vec<PlanAmendment>> {
        let ctx = ctx(gql)?;
        Ok(svc::amendments_of(&ctx, self.0.row.id)
            .await?
            .into_iter()
            .map(PlanAmendment)
            .collect())
    }
    async fn open_review(&self, gql: &Context<'_>) -> Result<Option<AnnualReview>> {
        match &self.0.open_review {
            Some(row) => {
                let ctx = ctx(gql)?;
                Ok(Some(AnnualReview(svc::load_review(&ctx, row.id).await?)))
            }
            None => Ok(None),
        }
    }
    async fn open_amendment(&self) -> Option<PlanAmendment> {
        self.0
            .open_amendment
            .clone()
            .map(|row| PlanAmendment(AmendmentRecord { row }))
    }
}

/// An annual (or interim, or emergency) review of a plan.
pub struct AnnualReview(pub ReviewRecord);

impl AnnualReview {
    fn facts(&self) -> Result<ReviewFacts> {
        Ok(self.0.facts()?)
    }
}

#[Object]
impl AnnualReview {
    async fn id(&self) -> ID {
        Id::of(self.0.row.id)
    }
    async fn plan(&self, gql: &Context<'_>) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(svc::load_plan(&ctx, self.0.row.plan_id).await?))
    }
    async fn kind(&self) -> Result<ReviewKind> {
        Ok(self.facts()?.kind.into())
    }
    async fn state(&self) -> Result<ReviewState> {
        Ok(self.0.state()?.into())
    }
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    async fn scheduled_on(&self) -> NaiveDate {
        self.0.row.scheduled_on
    }
    /// Planned until held, then the day it was held.
    async fn meeting_on(&self) -> NaiveDate {
        self.0.row.meeting_on
    }
    async fn meeting_held(&self) -> bool {
        self.0.row.meeting_held
    }
    /// The plan's review limit when this review was arranged.
    async fn due_by(&self) -> NaiveDate {
        self.0.row.due_by
    }
    async fn invitations_sent_on(&self) -> Option<NaiveDate> {
        self.0.row.invitations_sent_on
    }
    async fn advice_circulated_on(&self) -> Option<NaiveDate> {
        self.0.row.advice_circulated_on
    }
    async fn report_received_on(&self) -> Option<NaiveDate> {
        self.0.row.report_received_on
    }
    async fn decided_on(&self) -> Option<NaiveDate> {
        self.0.row.decided_on
    }
    async fn decision(&self) -> Result<Option<ReviewDecision>> {
        Ok(self.facts()?.decision.map(Into::into))
    }
    /// SEN2: M, A or C.
    async fn sen2_decision_code(&self) -> Result<Option<&'static str>> {
        Ok(self.facts()?.decision.map(|d| d.sen2_code()))
    }
    async fn decision_reasons(&self) -> Option<&str> {
        self.0.row.decision_reasons.as_deref()
    }
    async fn cancelled_on(&self) -> Option<NaiveDate> {
        self.0.row.cancelled_on
    }
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.row.cancel_reason.as_deref()
    }
    async fn allowed_actions(&self) -> Result<Vec<ReviewAction>> {
        Ok(review_rules::review_allowed_actions(self.0.state()?)
            .into_iter()
            .map(Into::into)
            .collect())
    }
    async fn deadlines(&self, gql: &Context<'_>) -> Result<Vec<Deadline>> {
        let today = ctx(gql)?.today();
        Ok(deadlines(review_deadlines(&self.facts()?, today)))
    }
    /// What happens next, who does it and by when, in words for the family; null once the
    /// review is decided or cancelled.
    async fn next_step(&self, gql: &Context<'_>) -> Result<Option<ReviewNextStep>> {
        let today = ctx(gql)?.today();
        Ok(review_rules::review_next_step(self.0.state()?, &self.facts()?, today).map(Into::into))
    }
    /// Where the review stands, in a sentence for the family.
    async fn summary(&self, gql: &Context<'_>) -> Result<String> {
        let today = ctx(gql)?.today();
        Ok(review_rules::review_summary(
            self.0.state()?,
            &self.facts()?,
            today,
        ))
    }
    /// After a decision to keep the plan as it is: by when the family can appeal (CFA 2014
    /// s.51(2)(e)). Null otherwise: a decision to amend gives the right with the amended plan
    /// (`PlanAmendment.appeal`), one to cease with the decision to cease (`EhcPlan.appeal`).
    async fn appeal(&self, gql: &Context<'_>) -> Result<Option<AppealWindow>> {
        let today = ctx(gql)?.today();
        Ok(
            review_rules::review_appeal(&self.facts()?, self.0.row.mediation_certificate_on)
                .map(|w| AppealWindow::from_domain(w, today)),
        )
    }
    async fn timeline(&self) -> Result<Vec<Milestone>> {
        Ok(milestones(review_rules::review_timeline(&self.facts()?)))
    }
    /// Advice asked for this review, from the same log as assessments.
    async fn advice_requests(&self) -> Vec<AdviceRequest> {
        self.0.advice.iter().cloned().map(AdviceRequest).collect()
    }
    /// The amendment a decision to amend started.
    async fn amendment(&self, gql: &Context<'_>) -> Result<Option<PlanAmendment>> {
        let ctx = ctx(gql)?;
        Ok(svc::amendment_of_review(&ctx, self.0.row.id)
            .await?
            .map(PlanAmendment))
    }
}

/// Proposed changes to a plan and the final amended plan (reg 22).
pub struct PlanAmendment(pub AmendmentRecord);

impl PlanAmendment {
    fn facts(&self) -> AmendmentFacts {
        self.0.facts()
    }
}

#[Object]
impl PlanAmendment {
    async fn id(&self) -> ID {
        Id::of(self.0.row.id)
    }
    async fn plan(&self, gql: &Context<'_>) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(svc::load_plan(&ctx, self.0.row.plan_id).await?))
    }
    async fn review_id(&self) -> Option<ID> {
        self.0.row.review_id.map(Id::of)
    }
    async fn state(&self) -> Result<AmendmentState> {
        Ok(self.0.state()?.into())
    }
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    async fn started_on(&self) -> NaiveDate {
        self.0.row.started_on
    }
    /// The review meeting the 4 weeks for the notice run from (Devon).
    async fn meeting_on(&self) -> Option<NaiveDate> {
        self.0.row.meeting_on
    }
    async fn notice_sent_on(&self) -> Option<NaiveDate> {
        self.0.row.notice_sent_on
    }
    async fn proposed_changes(&self) -> Option<&str> {
        self.0.row.proposed_changes.as_deref()
    }
    /// The last day of the parent's 15 days (reg 22(2)(c)).
    async fn parent_comments_until(&self) -> Option<NaiveDate> {
        self.0.row.notice_sent_on.map(amendment_comments_until)
    }
    async fn parent_responded_on(&self) -> Option<NaiveDate> {
        self.0.row.parent_responded_on
    }
    async fn parent_comments(&self) -> Option<&str> {
        self.0.row.parent_comments.as_deref()
    }
    async fn parent_meeting_requested(&self) -> bool {
        self.0.row.parent_meeting_requested
    }
    async fn parent_requested_setting(&self) -> Option<&str> {
        self.0.row.parent_requested_setting.as_deref()
    }
    async fn final_issued_on(&self) -> Option<NaiveDate> {
        self.0.row.final_issued_on
    }
    async fn named_setting(&self) -> Option<&str> {
        self.0.row.named_setting.as_deref()
    }
    /// The amended plan names the setting for the next phase transfer (reg 18).
    async fn phase_transfer(&self) -> bool {
        self.0.row.phase_transfer
    }
    async fn decided_not_to_amend_on(&self) -> Option<NaiveDate> {
        self.0.row.decided_not_to_amend_on
    }
    async fn not_amend_reasons(&self) -> Option<&str> {
        self.0.row.not_amend_reasons.as_deref()
    }
    async fn allowed_actions(&self) -> Result<Vec<AmendmentAction>> {
        if self.0.row.closed_on.is_some() {
            return Ok(Vec::new());
        }
        Ok(
            crate::domain::amendment::amendment_allowed_actions(self.0.state()?)
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }
    async fn deadlines(&self, gql: &Context<'_>) -> Result<Vec<Deadline>> {
        let today = ctx(gql)?.today();
        Ok(deadlines(amendment_deadlines(&self.facts(), today)))
    }
    async fn next_step(&self, gql: &Context<'_>) -> Result<Option<AmendmentNextStep>> {
        let today = ctx(gql)?.today();
        Ok(
            crate::domain::amendment::amendment_next_step(self.0.state()?, &self.facts(), today)
                .map(Into::into),
        )
    }
    async fn timeline(&self) -> Vec<Milestone> {
        milestones(crate::domain::amendment::amendment_timeline(&self.facts()))
    }
    /// After the final amended plan (CFA 2014 s.51(2)(c)) or a decision not to amend
    /// (s.51(2)(e)): by when the family can appeal.
    async fn appeal(&self, gql: &Context<'_>) -> Result<Option<AppealWindow>> {
        let today = ctx(gql)?.today();
        Ok(crate::domain::amendment::amendment_appeal(
            &self.facts(),
            self.0.row.mediation_certificate_on,
        )
        .map(|w| AppealWindow::from_domain(w, today)))
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ReviewMeetingRequestState {
    /// Waiting for the council's answer.
    Open,
    /// The council arranged a review meeting.
    ReviewArranged,
    /// The council will not hold a review now, with its reason.
    Declined,
}

/// A family's request for a review meeting, and the council's answer.
pub struct ReviewMeetingRequest(pub review_meeting_request::Model);

impl ReviewMeetingRequest {
    fn outcome(&self) -> Result<Option<RequestOutcome>> {
        Ok(self
            .0
            .outcome
            .as_deref()
            .map(RequestOutcome::parse)
            .transpose()
            .map_err(|e| ApiError::Internal(e.into()))?)
    }

    async fn meeting(&self, gql: &Context<'_>) -> Result<Option<NaiveDate>> {
        let ctx = ctx(gql)?;
        // The request was loaded in the caller's scope; its review is of the same child.
        Ok(crate::service::contributions::review_meeting_on(&ctx, self.0.review_id).await?)
    }
}

#[Object]
impl ReviewMeetingRequest {
    async fn id(&self) -> ID {
        Id::of(self.0.id)
    }
    async fn plan_id(&self) -> ID {
        Id::of(self.0.plan_id)
    }
    async fn requested_on(&self) -> NaiveDate {
        self.0.requested_on
    }
    /// The family's reason, in their words.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Who asked: the parent or carer, or the young person.
    async fn requested_by(&self, gql: &Context<'_>) -> Result<String> {
        let ctx = ctx(gql)?;
        Ok(crate::service::contributions::review_request_asker(&ctx, &self.0).await?)
    }
    async fn state(&self) -> Result<ReviewMeetingRequestState> {
        Ok(match self.outcome()? {
            None => ReviewMeetingRequestState::Open,
            Some(RequestOutcome::ReviewArranged) => ReviewMeetingRequestState::ReviewArranged,
            Some(RequestOutcome::Declined) => ReviewMeetingRequestState::Declined,
        })
    }
    async fn answered_on(&self) -> Option<NaiveDate> {
        self.0.answered_on
    }
    /// The review arranged in answer.
    async fn review_id(&self) -> Option<ID> {
        self.0.review_id.map(Id::of)
    }
    /// The meeting of the review arranged in answer.
    async fn meeting_on(&self, gql: &Context<'_>) -> Result<Option<NaiveDate>> {
        self.meeting(gql).await
    }
    async fn decline_reason(&self) -> Option<&str> {
        self.0.decline_reason.as_deref()
    }
    /// The request and its answer, in words for the family.
    async fn text(&self, gql: &Context<'_>) -> Result<String> {
        Ok(ReviewRequestFacts {
            requested_on: self.0.requested_on,
            answered_on: self.0.answered_on,
            outcome: self.outcome()?,
            meeting_on: self.meeting(gql).await?,
            decline_reason: self.0.decline_reason.clone(),
        }
        .text())
    }
    /// The council may review a plan at any time within its 12 months; no time limit applies
    /// to its answer.
    async fn regulation(&self) -> &'static str {
        REVIEW_REQUEST_RULE
    }
}

// ---------- queries ----------

/// The deadlines of a review whose meeting is on `meetingOn`, and of the amendment that
/// would follow.
#[derive(SimpleObject)]
pub struct ReviewTimetable {
    meeting_on: NaiveDate,
    deadlines: Vec<Deadline>,
}

/// The next phase transfer for a child born on `dateOfBirth`, seen on `on`.
#[derive(SimpleObject)]
pub struct PhaseTransferTimetable {
    nc_year: i32,
    transfer: Option<PhaseTransfer>,
    deadlines: Vec<Deadline>,
}

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    async fn plan(&self, gql: &Context<'_>, id: ID) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", &id)?;
        Ok(EhcPlan(svc::load_plan(&ctx, id).await?))
    }

    /// Plans the signed-in person may see, newest first.
    #[allow(clippy::too_many_arguments)]
    async fn plans(
        &self,
        gql: &Context<'_>,
        child_id: Option<ID>,
        status: Option<PlanStatus>,
        #[graphql(
            desc = "Plans whose next review limit (12 months, or reg 15(5) after a \
                          transfer in) falls on or before this date: the review backlog"
        )]
        review_due_by: Option<NaiveDate>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Connection<String, EhcPlan>> {
        let ctx = ctx(gql)?;
        let filter = PlanFilter {
            child_id: child_id.map(|c| Id::parse("childId", &c)).transpose()?,
            status: status.map(Into::into),
            review_due_by,
        };
        let page = svc::list_plans(&ctx, filter, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |p| p.row.id, EhcPlan))
    }

    async fn annual_review(&self, gql: &Context<'_>, id: ID) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", &id)?;
        Ok(AnnualReview(svc::load_review(&ctx, id).await?))
    }

    async fn plan_amendment(&self, gql: &Context<'_>, id: ID) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", &id)?;
        Ok(PlanAmendment(svc::load_amendment(&ctx, id).await?))
    }

    /// "If the review meeting is on 15 October, when are the invitations, report, decision
    /// and amended plan due?" With `amendmentNoticeSentOn`, the amendment's dates follow the
    /// notice; without it, an on-time notice (the meeting + 4 weeks) is assumed.
    async fn review_timetable(
        &self,
        gql: &Context<'_>,
        meeting_on: NaiveDate,
        #[graphql(desc = "The plan's 12-month limit, when known")] due_by: Option<NaiveDate>,
        amendment_notice_sent_on: Option<NaiveDate>,
    ) -> Result<ReviewTimetable> {
        ctx(gql)?;
        if amendment_notice_sent_on.is_some_and(|n| n < meeting_on) {
            return Err(ApiError::validation(
                "amendmentNoticeSentOn",
                "must not be before meetingOn",
            )
            .into());
        }
        let mut review = ReviewFacts::new(
            review_rules::ReviewKind::Annual,
            meeting_on,
            meeting_on,
            due_by.unwrap_or(review_rules::decision_due(meeting_on)),
        );
        review.scheduled_on = review_rules::notice_due(meeting_on);
        let mut list: Vec<timescales::Deadline> = review_deadlines(&review, review.scheduled_on)
            .into_iter()
            .filter(|d| due_by.is_some() || d.kind != DeadlineKind::AnnualReview)
            .collect();
        let notice = amendment_notice_sent_on.unwrap_or(review_rules::decision_due(meeting_on));
        let amendment = AmendmentFacts {
            notice_sent_on: Some(notice),
            ..AmendmentFacts::new(notice, Some(meeting_on))
        };
        list.extend(
            amendment_deadlines(&amendment, meeting_on)
                .into_iter()
                .map(|mut d| {
                    // A plan, not a record: nothing is met yet.
                    d.met_on = None;
                    d.status = timescales::status(d.due_on, None, meeting_on, false);
                    d
                }),
        );
        Ok(ReviewTimetable {
            meeting_on,
            deadlines: deadlines(list),
        })
    }

    /// The next phase transfer a child born on `dateOfBirth` faces, as of `on` (today when
    /// omitted), and the date the amended plan is due (reg 18).
    async fn phase_transfer_timetable(
        &self,
        gql: &Context<'_>,
        date_of_birth: NaiveDate,
        nc_year_override: Option<i32>,
        on: Option<NaiveDate>,
    ) -> Result<PhaseTransferTimetable> {
        let today = ctx(gql)?.today();
        let on = on.unwrap_or(today);
        let nc_year = match nc_year_override {
            Some(year) => {
                i32::from(crate::domain::people::parse_nc_year(year).map_err(ApiError::from)?)
            }
            None => crate::domain::people::national_curriculum_year(date_of_birth, on),
        };
        let facts = PlanFacts::new(on, date_of_birth);
        let transfer = next_phase_transfer(nc_year, on);
        let list = transfer
            .map(|t| {
                vec![
                    timescales::TimeLimit {
                        kind: t.kind.deadline_kind(),
                        starts_on: on,
                        due_on: t.due_on,
                        met_on: None,
                        advice_request_id: None,
                    }
                    .deadline(&[], on),
                ]
            })
            .unwrap_or_default();
        Ok(PhaseTransferTimetable {
            nc_year,
            transfer: transfer.map(|t| phase_transfer_of(t, &facts)),
            deadlines: deadlines(list),
        })
    }
}

// ---------- actions ----------

#[derive(InputObject)]
pub struct EnterPlanInput {
    child_id: ID,
    /// The day the plan was first issued (for a plan from another council, first made there).
    issued_on: NaiveDate,
    named_setting: Option<String>,
    /// The last review decision before the plan came into the system.
    last_review_decision_on: Option<NaiveDate>,
    primary_need: Option<SenNeed>,
    #[graphql(default)]
    secondary_needs: Vec<SenNeed>,
    /// For a plan received from another council (reg 15): the date of the transfer.
    transferred_in_on: Option<NaiveDate>,
    transferred_from: Option<String>,
}

/// Common to plan actions: which plan, the version you saw, and when it happened.
#[derive(InputObject)]
pub struct PlanActionInput {
    plan_id: ID,
    version: i32,
    /// The day it happened; today when omitted. Not in the future, not before the plan.
    on: Option<NaiveDate>,
}

#[derive(InputObject)]
pub struct UpdateNeedsInput {
    plan_id: ID,
    version: i32,
    primary_need: SenNeed,
    #[graphql(default)]
    secondary_needs: Vec<SenNeed>,
}

#[derive(InputObject)]
pub struct SetPhaseTransferInput {
    plan_id: ID,
    version: i32,
    /// Omit both to go back to the transfer worked out from the national curriculum year.
    kind: Option<PhaseTransferKind>,
    moves_on: Option<NaiveDate>,
}

#[derive(InputObject)]
pub struct ProposeCeasingInput {
    plan_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    reasons: String,
}

#[derive(InputObject)]
pub struct CeasePlanInput {
    plan_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    reason: CeaseReason,
    /// The notice told the family of their right to appeal and to mediation (reg 31(3)).
    appeal_rights_given: bool,
    notes: Option<String>,
}

#[derive(InputObject)]
pub struct RecordMoveInput {
    plan_id: ID,
    version: i32,
    /// The day the council learned of the move; today when omitted.
    on: Option<NaiveDate>,
    /// The day the family moves (or moved).
    moves_on: NaiveDate,
}

#[derive(InputObject)]
pub struct TransferPlanOutInput {
    plan_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    to_local_authority: String,
}

#[derive(InputObject)]
pub struct ScheduleReviewInput {
    plan_id: ID,
    version: i32,
    /// The day the review was arranged; today when omitted.
    on: Option<NaiveDate>,
    meeting_on: NaiveDate,
    #[graphql(default_with = "ReviewKind::Annual")]
    kind: ReviewKind,
}

#[derive(InputObject)]
pub struct ProposeAmendmentInput {
    plan_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    proposed_changes: String,
}

#[derive(InputObject)]
pub struct ReviewActionInput {
    review_id: ID,
    version: i32,
    /// The day it happened; today when omitted. Not in the future, not before the review
    /// was arranged.
    on: Option<NaiveDate>,
}

#[derive(InputObject)]
pub struct RescheduleMeetingInput {
    review_id: ID,
    version: i32,
    meeting_on: NaiveDate,
}

#[derive(InputObject)]
pub struct ReviewAdviceInput {
    review_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    service: AdviceService,
    professional_id: Option<ID>,
    addressed_to: Option<String>,
}

#[derive(InputObject)]
pub struct ReviewAdviceReceivedInput {
    review_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    advice_request_id: ID,
    summary: String,
    document_ref: Option<String>,
}

#[derive(InputObject)]
pub struct DecideReviewInput {
    review_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    decision: ReviewDecision,
    reasons: Option<String>,
    /// The decision notice told the family of their right to appeal (reg 20(10)).
    appeal_rights_given: bool,
    /// For AMEND: the proposed changes, sent with the decision (Devon).
    proposed_changes: Option<String>,
    /// For MAINTAIN: this was the phase-transfer review and the plan already names the
    /// setting for the move (reg 18(1): amend "where necessary").
    #[graphql(default)]
    phase_transfer: bool,
}

#[derive(InputObject)]
pub struct CancelReviewInput {
    review_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    reason: String,
}

#[derive(InputObject)]
pub struct AmendmentNoticeInput {
    amendment_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    proposed_changes: String,
}

#[derive(InputObject)]
pub struct AmendmentResponseInput {
    amendment_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    comments: Option<String>,
    #[graphql(default)]
    meeting_requested: bool,
    requested_setting: Option<String>,
}

#[derive(InputObject)]
pub struct IssueAmendedPlanInput {
    amendment_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    named_setting: Option<String>,
    /// This amended plan names the setting for the coming phase transfer (reg 18).
    #[graphql(default)]
    phase_transfer: bool,
}

#[derive(InputObject)]
pub struct NotToAmendInput {
    amendment_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    reasons: String,
    appeal_rights_given: bool,
}

#[derive(InputObject)]
pub struct DeclineReviewMeetingRequestInput {
    request_id: ID,
    /// The day the family was told; today when omitted.
    on: Option<NaiveDate>,
    /// Why the council will not hold a review now: the family reads it.
    reason: String,
}

fn pid(id: &ID) -> Result<i64, ApiError> {
    Id::parse("planId", id)
}

fn rid(id: &ID) -> Result<i64, ApiError> {
    Id::parse("reviewId", id)
}

fn amid(id: &ID) -> Result<i64, ApiError> {
    Id::parse("amendmentId", id)
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Enter a plan that existed before the system, or one received from another council
    /// (reg 15: the new council's notice is due in 6 weeks).
    async fn enter_plan(&self, gql: &Context<'_>, input: EnterPlanInput) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let new = svc::NewPlan {
            child_id: Id::parse("childId", &input.child_id)?,
            issued_on: input.issued_on,
            named_setting: input.named_setting,
            last_review_decision_on: input.last_review_decision_on,
            primary_need: input.primary_need.map(Into::into),
            secondary_needs: input.secondary_needs.into_iter().map(Into::into).collect(),
            transferred_in_on: input.transferred_in_on,
            transferred_from: input.transferred_from,
        };
        Ok(EhcPlan(svc::enter_plan(&ctx, new).await?))
    }

    /// The SEN2 primary and secondary needs.
    async fn update_plan_needs(
        &self,
        gql: &Context<'_>,
        input: UpdateNeedsInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let secondary: Vec<plan_rules::SenNeed> =
            input.secondary_needs.into_iter().map(Into::into).collect();
        Ok(EhcPlan(
            svc::update_needs(
                &ctx,
                pid(&input.plan_id)?,
                input.version,
                input.primary_need.into(),
                &secondary,
            )
            .await?,
        ))
    }

    /// Name the next phase transfer explicitly (e.g. infant to junior, or a post-16 move).
    async fn set_phase_transfer(
        &self,
        gql: &Context<'_>,
        input: SetPhaseTransferInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let transfer = match (input.kind, input.moves_on) {
            (Some(kind), Some(moves_on)) => Some((kind.into(), moves_on)),
            (None, None) => None,
            _ => {
                return Err(ApiError::validation(
                    "movesOn",
                    "give both the kind of transfer and the date of the move, or neither",
                )
                .into());
            }
        };
        Ok(EhcPlan(
            svc::set_phase_transfer(&ctx, pid(&input.plan_id)?, input.version, transfer).await?,
        ))
    }

    /// The new council told the family the plan has moved (reg 15(4)).
    async fn send_transfer_notice(
        &self,
        gql: &Context<'_>,
        input: PlanActionInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::send_transfer_notice(&ctx, pid(&input.plan_id)?, input.version, input.on).await?,
        ))
    }

    /// Tell the family the council is considering ceasing the plan (reg 31(1)(a)).
    async fn propose_ceasing(
        &self,
        gql: &Context<'_>,
        input: ProposeCeasingInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::propose_ceasing(
                &ctx,
                pid(&input.plan_id)?,
                input.version,
                input.on,
                &input.reasons,
            )
            .await?,
        ))
    }

    /// The family and the named setting were consulted (reg 31(1)(b)–(c)).
    async fn record_cease_consultation(
        &self,
        gql: &Context<'_>,
        input: PlanActionInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::record_cease_consultation(&ctx, pid(&input.plan_id)?, input.version, input.on)
                .await?,
        ))
    }

    /// Cease the plan, with its SEN2 reason and appeal rights (reg 31(2)–(3)).
    async fn cease_plan(&self, gql: &Context<'_>, input: CeasePlanInput) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::cease(
                &ctx,
                pid(&input.plan_id)?,
                input.version,
                input.on,
                input.reason.into(),
                input.appeal_rights_given,
                input.notes.as_deref(),
            )
            .await?,
        ))
    }

    async fn decide_not_to_cease(
        &self,
        gql: &Context<'_>,
        input: PlanActionInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::decide_not_to_cease(&ctx, pid(&input.plan_id)?, input.version, input.on).await?,
        ))
    }

    /// The family is moving to another council's area: the plan must be transferred on the
    /// day of the move, or within 15 working days of learning of it (reg 15(2)).
    async fn record_move(&self, gql: &Context<'_>, input: RecordMoveInput) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::record_move(
                &ctx,
                pid(&input.plan_id)?,
                input.version,
                input.on,
                input.moves_on,
            )
            .await?,
        ))
    }

    /// The family moved: the plan goes to the new council (reg 15(2)).
    async fn transfer_plan_out(
        &self,
        gql: &Context<'_>,
        input: TransferPlanOutInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::transfer_out(
                &ctx,
                pid(&input.plan_id)?,
                input.version,
                input.on,
                &input.to_local_authority,
            )
            .await?,
        ))
    }

    /// Arrange a review meeting (annual, or brought forward as interim or emergency).
    async fn schedule_review(
        &self,
        gql: &Context<'_>,
        input: ScheduleReviewInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::schedule_review(
                &ctx,
                pid(&input.plan_id)?,
                input.version,
                input.on,
                input.kind.into(),
                input.meeting_on,
            )
            .await?,
        ))
    }

    /// The council will not hold the review meeting the family asked for now; the family
    /// reads the reason. Arranging a review (`scheduleReview`) answers a request too.
    async fn decline_review_meeting_request(
        &self,
        gql: &Context<'_>,
        input: DeclineReviewMeetingRequestInput,
    ) -> Result<ReviewMeetingRequest> {
        let ctx = ctx(gql)?;
        let id = Id::parse("requestId", &input.request_id)?;
        Ok(ReviewMeetingRequest(
            svc::decline_review_meeting_request(&ctx, id, input.on, &input.reason).await?,
        ))
    }

    /// Propose changes outside a review: the notice goes with the proposal (reg 22(2)).
    async fn propose_amendment(
        &self,
        gql: &Context<'_>,
        input: ProposeAmendmentInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        Ok(PlanAmendment(
            svc::propose_amendment(
                &ctx,
                pid(&input.plan_id)?,
                input.version,
                input.on,
                &input.proposed_changes,
            )
            .await?,
        ))
    }

    async fn reschedule_review_meeting(
        &self,
        gql: &Context<'_>,
        input: RescheduleMeetingInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::reschedule_meeting(
                &ctx,
                rid(&input.review_id)?,
                input.version,
                input.meeting_on,
            )
            .await?,
        ))
    }

    /// Invitations sent, at least 2 weeks before the meeting (reg 20(3)).
    async fn send_review_invitations(
        &self,
        gql: &Context<'_>,
        input: ReviewActionInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::send_invitations(&ctx, rid(&input.review_id)?, input.version, input.on).await?,
        ))
    }

    /// Ask a service for advice for the review (the advice log is shared with assessments).
    async fn request_review_advice(
        &self,
        gql: &Context<'_>,
        input: ReviewAdviceInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        let new = crate::service::advice::NewAdviceRequest {
            service: input.service.into(),
            professional_id: input
                .professional_id
                .map(|p| Id::parse("professionalId", &p))
                .transpose()?,
            addressed_to: input.addressed_to,
        };
        Ok(AnnualReview(
            svc::request_review_advice(&ctx, rid(&input.review_id)?, input.version, input.on, new)
                .await?,
        ))
    }

    async fn record_review_advice(
        &self,
        gql: &Context<'_>,
        input: ReviewAdviceReceivedInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        let advice = Id::parse("adviceRequestId", &input.advice_request_id)?;
        Ok(AnnualReview(
            svc::record_review_advice(
                &ctx,
                rid(&input.review_id)?,
                input.version,
                input.on,
                advice,
                &input.summary,
                input.document_ref.as_deref(),
            )
            .await?,
        ))
    }

    /// Advice and information sent to everyone invited, 2 weeks before (reg 20(4)).
    async fn circulate_review_advice(
        &self,
        gql: &Context<'_>,
        input: ReviewActionInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::circulate_advice(&ctx, rid(&input.review_id)?, input.version, input.on).await?,
        ))
    }

    /// The meeting was held on `on`: the report and decision deadlines count from it.
    async fn hold_review_meeting(
        &self,
        gql: &Context<'_>,
        input: ReviewActionInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::hold_meeting(&ctx, rid(&input.review_id)?, input.version, input.on).await?,
        ))
    }

    /// The review report reached the council (reg 20(7)–(8)).
    async fn record_review_report(
        &self,
        gql: &Context<'_>,
        input: ReviewActionInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::record_report(&ctx, rid(&input.review_id)?, input.version, input.on).await?,
        ))
    }

    /// The council's decision: maintain, amend or cease (reg 20(10)). It completes the
    /// review and restarts the 12 months (CFA 2014 s.44(1)).
    async fn decide_review(
        &self,
        gql: &Context<'_>,
        input: DecideReviewInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        let decision = svc::ReviewDecisionInput {
            decision: input.decision.into(),
            reasons: input.reasons,
            appeal_rights_given: input.appeal_rights_given,
            proposed_changes: input.proposed_changes,
            phase_transfer: input.phase_transfer,
        };
        Ok(AnnualReview(
            svc::decide(
                &ctx,
                rid(&input.review_id)?,
                input.version,
                input.on,
                decision,
            )
            .await?,
        ))
    }

    async fn cancel_review(
        &self,
        gql: &Context<'_>,
        input: CancelReviewInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::cancel_review(
                &ctx,
                rid(&input.review_id)?,
                input.version,
                input.on,
                &input.reason,
            )
            .await?,
        ))
    }

    /// The proposed changes and their evidence (reg 22(2); Devon: within 4 weeks of the
    /// meeting).
    async fn send_amendment_notice(
        &self,
        gql: &Context<'_>,
        input: AmendmentNoticeInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        Ok(PlanAmendment(
            svc::send_amendment_notice(
                &ctx,
                amid(&input.amendment_id)?,
                input.version,
                input.on,
                &input.proposed_changes,
            )
            .await?,
        ))
    }

    /// The parent's comments, a meeting request or a requested setting (reg 22(2)(c)).
    async fn record_amendment_response(
        &self,
        gql: &Context<'_>,
        input: AmendmentResponseInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        let response = crate::domain::input::FamilyResponse {
            comments: input.comments,
            meeting_requested: input.meeting_requested,
            requested_setting: input.requested_setting,
        };
        Ok(PlanAmendment(
            svc::record_amendment_response(
                &ctx,
                amid(&input.amendment_id)?,
                input.version,
                input.on,
                response,
            )
            .await?,
        ))
    }

    /// Issue the final amended plan (reg 22(3)): it becomes the plan's next version.
    async fn issue_amended_plan(
        &self,
        gql: &Context<'_>,
        input: IssueAmendedPlanInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        Ok(PlanAmendment(
            svc::issue_amended_plan(
                &ctx,
                amid(&input.amendment_id)?,
                input.version,
                input.on,
                input.named_setting.as_deref(),
                input.phase_transfer,
            )
            .await?,
        ))
    }

    /// Decide not to amend after all, with reasons and appeal rights (reg 22(4)).
    async fn decide_not_to_amend(
        &self,
        gql: &Context<'_>,
        input: NotToAmendInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        Ok(PlanAmendment(
            svc::decide_not_to_amend(
                &ctx,
                amid(&input.amendment_id)?,
                input.version,
                input.on,
                &input.reasons,
                input.appeal_rights_given,
            )
            .await?,
        ))
    }
}
