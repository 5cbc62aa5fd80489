//! EHC plans: entering one, its needs and versions, phase transfers, moves between councils
//! and ceasing.
use super::*;
use crate::api::graphql::Date;

/// Whether the council still maintains the plan.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::plan::PlanStatus")]
pub enum PlanStatus {
    /// Maintained by this council.
    Active,
    /// The council ceased to maintain it (reg 31).
    Ceased,
    /// Transferred to the council the family moved to (reg 15(2)).
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

/// An action on a plan, as listed in `EhcPlan.allowedActions`; each is a mutation.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::plan::PlanAction")]
pub enum PlanAction {
    /// `updatePlanNeeds`: the SEN2 primary and secondary needs.
    UpdateNeeds,
    /// `setPhaseTransfer`: name the next move between phases, or enter a past one.
    SetPhaseTransfer,
    /// `setPlacements`: where the child or young person is placed, over time (SEN2 4.7, 5.7).
    SetPlacements,
    /// `setPersonalBudget`: the plan's personal budget (SEN2 4.4).
    SetPersonalBudget,
    /// `scheduleReview`: arrange a review meeting (when no review is under way).
    ScheduleReview,
    /// `proposeAmendment`: propose changes outside a review (when no amendment is under way).
    ProposeAmendment,
    /// `sendTransferNotice`: the new council's notice after a transfer in (reg 15(4)).
    SendTransferNotice,
    /// `proposeCeasing`: tell the family the council is considering ceasing (reg 31(1)(a)).
    ProposeCeasing,
    /// `recordCeaseConsultation`: the family and the setting were consulted (reg 31(1)).
    RecordCeaseConsultation,
    /// `ceasePlan`: cease the plan, after the consultation (reg 31(2)-(3)).
    Cease,
    /// `decideNotToCease`: keep the plan after proposing to cease it.
    DecideNotToCease,
    /// `recordMove`: the family is moving to another council's area (reg 15).
    RecordMove,
    /// `transferPlanOut`: send the plan to the new council (reg 15(2)).
    TransferOut,
}

/// A move between phases of education (reg 2(1)). The plan must be reviewed and amended to
/// name the new setting before 15 February of the year of a move between school phases,
/// before 31 March for secondary to post-16, and 5 months ahead between post-16 institutions
/// (reg 18).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::plan::PhaseTransferKind")]
pub enum PhaseTransferKind {
    /// From early years into school (Reception).
    EarlyYearsToSchool,
    /// Infant to junior school.
    InfantToJunior,
    /// Primary to middle school.
    PrimaryToMiddle,
    /// Primary to secondary school (Year 7).
    PrimaryToSecondary,
    /// Middle to secondary school.
    MiddleToSecondary,
    /// Secondary school to post-16 (Year 12): due before 31 March (reg 18(1)(a)).
    #[graphql(name = "SECONDARY_TO_POST16")]
    SecondaryToPost16,
    /// One post-16 institution to another: at least 5 months before the move (reg 18(2)).
    #[graphql(name = "POST16_TO_POST16")]
    Post16ToPost16,
}

/// Where a version of the plan came from.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::plan::VersionSource")]
pub enum VersionSource {
    /// Issued after a needs assessment.
    Issued,
    /// Entered as it stood when the plan came into the system.
    Entered,
    /// Received from another council (reg 15).
    TransferredIn,
    /// A final amended plan (reg 22(3)).
    Amended,
}

/// A need with its SEN2 code and name.
#[derive(SimpleObject)]
pub struct Need {
    /// The SEN2 need type.
    code: SenNeed,
    /// Its name, e.g. "Speech, language and communication needs".
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
    /// The reason.
    reason: CeaseReason,
    /// Its SEN2 code, 1 to 9.
    sen2_code: i32,
    /// The reason in words, e.g. "Moved on to paid employment".
    label: String,
}

/// The next move between phases and the date the plan must be ready for it (reg 18).
#[derive(SimpleObject)]
pub struct PhaseTransfer {
    /// Which move.
    kind: PhaseTransferKind,
    /// "primary to secondary school"
    label: String,
    /// The day of the move: 1 September for a move worked out from the national curriculum
    /// year, or the date a caseworker set.
    moves_on: Date,
    /// The last day to review the plan and issue it amended to name the new setting.
    due_on: Date,
    /// The source of `dueOn`, e.g. "SEND Regs 2014 reg 18(1)(b)".
    regulation: String,
    /// Set by a caseworker instead of worked out from the national curriculum year.
    overridden: bool,
    /// The day an amended plan naming the new setting was issued.
    finalised_on: Option<Date>,
}

fn phase_transfer_of(t: plan_rules::PhaseTransfer, facts: &PlanFacts) -> PhaseTransfer {
    PhaseTransfer {
        kind: t.kind.into(),
        label: t.kind.label().to_owned(),
        moves_on: Date(t.moves_on),
        due_on: Date(t.due_on),
        regulation: t.kind.deadline_kind().regulation().to_owned(),
        overridden: t.overridden,
        finalised_on: (facts
            .phase_transfer_finalised
            .filter(|(moves_on, _)| *moves_on == t.moves_on)
            .map(|(_, on)| on))
        .map(Date),
    }
}

/// When the next review must be completed (the council's decision), and why.
#[derive(SimpleObject)]
pub struct ReviewDue {
    /// The last day for the council's review decision.
    due_on: Date,
    /// The limit that sets it: ANNUAL_REVIEW (12 months), TRANSFER_REVIEW (reg 15(5)) or a
    /// phase transfer's (reg 18) when that comes first.
    kind: crate::api::graphql::shared::DeadlineKind,
    /// Its source, e.g. "CFA 2014 s.44(1); SEND Regs 2014 reg 19, 20(10)".
    regulation: String,
}

/// One issued version of the plan.
pub struct PlanVersion(PlanVersionRow);

/// One issued version of the plan: as first issued (or entered), then each amended plan.
#[Object]
impl PlanVersion {
    /// 1 for the plan as first issued (or entered), then one more per amended plan.
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// The day this version was issued (for the first, the plan's issue date).
    async fn issued_on(&self) -> Date {
        Date(self.0.issued_on)
    }
    /// The school, college or other setting this version names; null when it names none.
    async fn named_setting(&self) -> Option<&str> {
        self.0.named_setting.as_deref()
    }
    /// Where this version came from; null only for a stored source this server does not know.
    async fn source(&self) -> Option<VersionSource> {
        crate::domain::plan::VersionSource::parse(&self.0.source).map(Into::into)
    }
    /// The amendment (global id) that issued this version; null unless AMENDED.
    async fn amendment_id(&self) -> Option<ID> {
        self.0
            .amendment_id
            .map(|id| Id::of(Kind::PlanAmendment, id))
    }
}

/// An EHC plan: its versions, needs, status, the next review and phase transfer, and the
/// reviews and amendments under way or done.
pub struct EhcPlan(pub PlanRecord);

impl EhcPlan {
    fn facts(&self) -> Result<PlanFacts> {
        Ok(self.0.facts()?)
    }
}

/// An EHC plan: its versions, needs, status, the next review and phase transfer, and the
/// reviews and amendments under way or done. Seen by the council's staff, administrators and
/// the child's family; not by professionals.
#[Object]
impl EhcPlan {
    /// The plan's opaque global id.
    pub async fn id(&self) -> ID {
        Id::of(Kind::EhcPlan, self.0.row.id)
    }
    /// Reasons recorded for late steps (they never lift a time limit).
    async fn delays(
        &self,
        gql: &Context<'_>,
    ) -> Result<Vec<crate::api::graphql::delays::StepDelay>> {
        loaders::delays_of(gql, crate::domain::backlog::Source::Plan, self.0.row.id).await
    }
    /// The child (or young person) the plan is for.
    async fn child(&self, gql: &Context<'_>) -> Result<Child> {
        let child = loaders::load(gql, loaders::ChildId(self.0.row.child_id)).await?;
        Ok(Child(child.ok_or_else(|| ApiError::not_found("child"))?))
    }
    /// Whether the council still maintains the plan.
    async fn status(&self) -> Result<PlanStatus> {
        Ok(self.0.status()?.into())
    }
    /// The day the plan was first issued (or first made by the council it came from).
    async fn issued_on(&self) -> Date {
        Date(self.0.row.issued_on)
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
    /// The SEN2 primary need; null until recorded.
    async fn primary_need(&self) -> Result<Option<Need>> {
        Ok(self.0.needs()?.map(|n| n.primary.into()))
    }
    /// The SEN2 secondary needs; empty when none are recorded.
    async fn secondary_needs(&self) -> Result<Vec<Need>> {
        Ok(self
            .0
            .needs()?
            .map(|n: Needs| n.secondary.into_iter().map(Into::into).collect())
            .unwrap_or_default())
    }
    /// The latest review decision: the 12 months run from here (CFA 2014 s.44(1)).
    async fn last_review_decision_on(&self) -> Option<Date> {
        self.0.row.last_review_decision_on.map(Date)
    }
    /// When the next review must be completed by: 12 months (or reg 15(5) after a transfer
    /// in), or earlier for a phase transfer.
    async fn review_due(&self, gql: &Context<'_>) -> Result<Option<ReviewDue>> {
        let today = ctx(gql)?.today();
        Ok(
            next_review_due(&self.facts()?, today).map(|(due_on, kind)| ReviewDue {
                due_on: Date(due_on),
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
    /// For a plan received from another council: the day of the transfer (reg 15); null
    /// otherwise.
    async fn transferred_in_on(&self) -> Option<Date> {
        self.0.row.transferred_in_on.map(Date)
    }
    /// The council the plan came from; null unless it was transferred in.
    async fn transferred_from(&self) -> Option<&str> {
        self.0.row.transferred_from.as_deref()
    }
    /// After a transfer in: the day the council told the family the plan had moved, whether
    /// it will reassess and when it will review (reg 15(4): within 6 weeks of the transfer).
    /// Null until sent.
    async fn transfer_notice_sent_on(&self) -> Option<Date> {
        self.0.row.transfer_notice_sent_on.map(Date)
    }
    /// The day the council told the family it is considering ceasing the plan (reg 31(1)(a)),
    /// by `proposeCeasing` or a review's decision to cease. Null when not proposed, and again
    /// after a decision not to cease.
    async fn cease_proposed_on(&self) -> Option<Date> {
        self.0.row.cease_proposed_on.map(Date)
    }
    /// The day the family and the named setting were consulted about ceasing (reg 31(1)); null
    /// until then, and again after a decision not to cease.
    async fn cease_consulted_on(&self) -> Option<Date> {
        self.0.row.cease_consulted_on.map(Date)
    }
    /// The day the council decided to cease the plan (reg 31(2)); null unless CEASED.
    async fn ceased_on(&self) -> Option<Date> {
        self.0.row.ceased_on.map(Date)
    }
    /// Why the plan ceased, with its SEN2 code; null unless CEASED.
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
    async fn move_learned_on(&self) -> Option<Date> {
        self.0.row.move_learned_on.map(Date)
    }
    /// The day the family moves (or moved) to another council's area, as recorded by
    /// `recordMove`; null when no move is recorded.
    async fn moves_on(&self) -> Option<Date> {
        self.0.row.moves_on.map(Date)
    }
    /// The day the plan was transferred to the family's new council (reg 15(2)); null unless
    /// TRANSFERRED_OUT.
    async fn transferred_out_on(&self) -> Option<Date> {
        self.0.row.transferred_out_on.map(Date)
    }
    /// The council the plan was transferred to; null unless TRANSFERRED_OUT.
    async fn transferred_to(&self) -> Option<&str> {
        self.0.row.transferred_to.as_deref()
    }
    /// The actions the plan allows now; empty once it has ended (ceased, transferred out or
    /// replaced).
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
        let ctx = ctx(gql)?;
        let (today, reader) = (ctx.today(), ctx.actor.reader());
        Ok(plan_rules::next_step(&self.facts()?, today, reader).map(Into::into))
    }
    /// The plan's whole story, oldest first: issue, reviews, amendments, ceasing.
    async fn timeline(&self, gql: &Context<'_>) -> Result<Vec<Milestone>> {
        let mut all = plan_rules::timeline(&self.facts()?);
        for review in loaders::load_all(gql, loaders::PlanReviews(self.0.row.id)).await? {
            all.extend(review_rules::review_timeline(&review.facts()?));
        }
        for amendment in loaders::load_all(gql, loaders::PlanAmendments(self.0.row.id)).await? {
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
    async fn next_review_meeting_on(&self) -> Option<Date> {
        (self
            .0
            .open_review
            .as_ref()
            .filter(|r| !r.meeting_held)
            .map(|r| r.meeting_on))
        .map(Date)
    }
    /// After the council decided to cease the plan: by when the family can appeal (CFA 2014
    /// s.51(2)(f)), and how a mediation certificate bears on it.
    async fn appeal(&self, gql: &Context<'_>) -> Result<Option<AppealWindow>> {
        let today = ctx(gql)?.today();
        Ok(
            plan_rules::cease_appeal(&self.facts()?, self.0.row.mediation_certificate_on)
                .map(|w| AppealWindow::from_domain(w, Date(today))),
        )
    }
    /// The family's requests for a review meeting, newest first, with the council's answers.
    async fn review_meeting_requests(
        &self,
        gql: &Context<'_>,
    ) -> Result<Vec<ReviewMeetingRequest>> {
        Ok(
            loaders::load_all(gql, loaders::PlanMeetingRequests(self.0.row.id))
                .await?
                .into_iter()
                .map(ReviewMeetingRequest)
                .collect(),
        )
    }
    /// Where the child or young person is placed, past and present: by entry date, then rank.
    async fn placements(&self, gql: &Context<'_>) -> Result<Vec<Placement>> {
        self.placements_of(gql).await
    }
    /// The personal budget (SEN2 4.4); null when not recorded.
    async fn personal_budget(&self) -> Option<PersonalBudget> {
        self.personal_budget_of()
    }
    /// Reviews, oldest first.
    async fn reviews(&self, gql: &Context<'_>) -> Result<Vec<AnnualReview>> {
        Ok(loaders::load_all(gql, loaders::PlanReviews(self.0.row.id))
            .await?
            .into_iter()
            .map(AnnualReview)
            .collect())
    }
    /// Amendments, oldest first.
    async fn amendments(&self, gql: &Context<'_>) -> Result<Vec<PlanAmendment>> {
        Ok(
            loaders::load_all(gql, loaders::PlanAmendments(self.0.row.id))
                .await?
                .into_iter()
                .map(PlanAmendment)
                .collect(),
        )
    }
    /// The review under way; null when none is.
    async fn open_review(&self, gql: &Context<'_>) -> Result<Option<AnnualReview>> {
        match &self.0.open_review {
            Some(row) => Ok(loaders::load(gql, loaders::ReviewId(row.id))
                .await?
                .map(AnnualReview)),
            None => Ok(None),
        }
    }
    /// The amendment under way; null when none is.
    async fn open_amendment(&self) -> Option<PlanAmendment> {
        self.0
            .open_amendment
            .clone()
            .map(|row| PlanAmendment(AmendmentRecord { row }))
    }
}

/// The next phase transfer for a child born on `dateOfBirth`, seen on `on`.
#[derive(SimpleObject)]
pub struct PhaseTransferTimetable {
    /// The child's national curriculum year on `on` (Reception is 0, early years negative).
    nc_year: i32,
    /// The next move into Reception, Year 7 or Year 12 and its reg 18 date; null when none
    /// is to come.
    transfer: Option<PhaseTransfer>,
    /// The transfer's deadline as of `on`; empty when there is no transfer.
    deadlines: Vec<Deadline>,
}

/// A plan that existed before the system, or one received from another council (reg 15).
#[derive(InputObject)]
pub struct EnterPlanInput {
    /// The child (global id); they must have no other active plan.
    child_id: ID,
    /// The day the plan was first issued (for a plan from another council, first made there).
    issued_on: Date,
    /// The setting the plan names, if any.
    named_setting: Option<String>,
    /// The last review decision before the plan came into the system.
    last_review_decision_on: Option<Date>,
    /// The SEN2 primary need, if known; required when secondary needs are given.
    primary_need: Option<SenNeed>,
    /// The SEN2 secondary needs, distinct and not repeating the primary; none by default.
    #[graphql(default)]
    secondary_needs: Vec<SenNeed>,
    /// For a plan received from another council (reg 15): the date of the transfer.
    transferred_in_on: Option<Date>,
    /// The council the plan came from; give it with `transferredInOn`.
    transferred_from: Option<String>,
}

/// Common to plan actions: which plan, the version you saw, and when it happened.
#[derive(InputObject)]
pub struct PlanActionInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day it happened; today when omitted. Not in the future, not before the plan.
    on: Option<Date>,
}

/// The plan's SEN2 needs, replacing those recorded.
#[derive(InputObject)]
pub struct UpdateNeedsInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The SEN2 primary need.
    primary_need: SenNeed,
    /// The SEN2 secondary needs, distinct and not repeating the primary; none by default.
    #[graphql(default)]
    secondary_needs: Vec<SenNeed>,
}

/// The plan's next phase transfer set by hand, or a past one entered as history.
#[derive(InputObject)]
pub struct SetPhaseTransferInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// Omit both to go back to the transfer worked out from the national curriculum year. A
    /// move already made (on or after the plan's issue) enters history: the plan then shows,
    /// and the backlog counts, whether it met reg 18.
    kind: Option<PhaseTransferKind>,
    /// The day of the move; give it with `kind`, or omit both. A past move must not be before
    /// the plan was issued.
    moves_on: Option<Date>,
    /// For a move already made: the day the plan was reviewed and amended for it (omit if it
    /// never was). A move still to come is finalised by issuing the amended plan.
    finalised_on: Option<Date>,
}

/// The council is considering ceasing the plan (reg 31(1)(a)).
#[derive(InputObject)]
pub struct ProposeCeasingInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The date it happened (default today in England); not in the future.
    on: Option<Date>,
    /// Why the council is considering ceasing the plan (required).
    reasons: String,
}

/// The decision to cease the plan (reg 31(2)-(3)).
#[derive(InputObject)]
pub struct CeasePlanInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The date of the decision (default today in England); not in the future, not before
    /// the consultation.
    on: Option<Date>,
    /// The SEN2 cease reason.
    reason: CeaseReason,
    /// The notice told the family of their right to appeal and to mediation (reg 31(3)).
    appeal_rights_given: bool,
    /// Notes for the record, if any.
    notes: Option<String>,
}

/// The family is moving to another council's area (reg 15).
#[derive(InputObject)]
pub struct RecordMoveInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the council learned of the move; today when omitted.
    on: Option<Date>,
    /// The day the family moves (or moved).
    moves_on: Date,
}

/// The plan goes to the council the family moved to (reg 15(2)).
#[derive(InputObject)]
pub struct TransferPlanOutInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the plan was transferred (default today in England); not in the future.
    on: Option<Date>,
    /// The name of the council the plan goes to.
    to_local_authority: String,
}

// ---------- queries ----------

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// One EHC plan; NOT_FOUND when there is none the signed-in person may see.
    async fn plan(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan's global id")] id: ID,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::EhcPlan, &id)?;
        Ok(EhcPlan(svc::load_plan(&ctx, id).await?))
    }

    /// Plans the signed-in person may see, newest first.
    #[allow(clippy::too_many_arguments)]
    async fn plans(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Only this child's plans (the child's global id)")] child_id: Option<ID>,
        #[graphql(desc = "Only plans with this status")] status: Option<PlanStatus>,
        #[graphql(
            desc = "Plans whose next review limit (12 months, or reg 15(5) after a \
                          transfer in) falls on or before this date: the review backlog"
        )]
        review_due_by: Option<Date>,
        #[graphql(desc = "The plans after this cursor (an edge's `cursor`)")] after: Option<String>,
        #[graphql(desc = "The plans before this cursor (an edge's `cursor`)")] before: Option<
            String,
        >,
        #[graphql(desc = "The first N plans (default 20, at most 100); not with `last`")]
        first: Option<i32>,
        #[graphql(desc = "The last N plans (default 20, at most 100); not with `first`")]
        last: Option<i32>,
    ) -> Result<crate::api::graphql::Listing<EhcPlan>> {
        let ctx = ctx(gql)?;
        let filter = PlanFilter {
            child_id: child_id
                .map(|c| Id::parse("childId", Kind::Child, &c))
                .transpose()?,
            status: status.map(Into::into),
            review_due_by: review_due_by.map(|d| d.0),
        };
        let page = svc::list_plans(&ctx, filter, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |p| p.row.id, EhcPlan))
    }

    /// The next phase transfer a child born on `dateOfBirth` faces, as of `on` (today when
    /// omitted), and the date the amended plan is due (reg 18).
    async fn phase_transfer_timetable(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The child's date of birth")] date_of_birth: Date,
        #[graphql(
            desc = "For a child educated out of year group: their national curriculum year on \
                    `on` (-3 to 15; Reception is 0)"
        )]
        nc_year_override: Option<i32>,
        #[graphql(desc = "The day to look from (default today in England)")] on: Option<Date>,
    ) -> Result<PhaseTransferTimetable> {
        let today = ctx(gql)?.today();
        let on = on.unwrap_or(Date(today));
        let nc_year = match nc_year_override {
            Some(year) => {
                i32::from(crate::domain::people::parse_nc_year(year).map_err(ApiError::from)?)
            }
            None => crate::domain::people::national_curriculum_year(date_of_birth.0, on.0),
        };
        let facts = PlanFacts::new(on.0, date_of_birth.0);
        let transfer = next_phase_transfer(nc_year, on.0);
        let list = transfer
            .map(|t| {
                vec![
                    timescales::TimeLimit {
                        kind: t.kind.deadline_kind(),
                        starts_on: on.0,
                        due_on: t.due_on,
                        met_on: None,
                        advice_request_id: None,
                    }
                    .deadline(&[], on.0),
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

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Enter a plan that existed before the system, or one received from another council
    /// (reg 15: the new council's notice is due in 6 weeks).
    async fn enter_plan(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan as it stands: child, issue date, setting, needs, transfer")]
        input: EnterPlanInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let new = svc::NewPlan {
            child_id: Id::parse("childId", Kind::Child, &input.child_id)?,
            issued_on: input.issued_on.0,
            named_setting: input.named_setting,
            last_review_decision_on: input.last_review_decision_on.map(|d| d.0),
            primary_need: input.primary_need.map(Into::into),
            secondary_needs: input.secondary_needs.into_iter().map(Into::into).collect(),
            transferred_in_on: input.transferred_in_on.map(|d| d.0),
            transferred_from: input.transferred_from,
            placements: Vec::new(),
            personal_budget: None,
        };
        Ok(EhcPlan(svc::enter_plan(&ctx, new).await?))
    }

    /// The SEN2 primary and secondary needs.
    async fn update_plan_needs(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version and the needs")] input: UpdateNeedsInput,
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

    /// Name the next phase transfer explicitly (e.g. infant to junior, or a post-16 move), or
    /// enter a past one with the day the plan was finalised for it.
    async fn set_phase_transfer(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version and the transfer (or none)")]
        input: SetPhaseTransferInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let transfer = match (input.kind, input.moves_on) {
            (Some(kind), Some(moves_on)) => Some((kind.into(), moves_on.0)),
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
            svc::set_phase_transfer(
                &ctx,
                pid(&input.plan_id)?,
                input.version,
                transfer,
                input.finalised_on.map(|d| d.0),
            )
            .await?,
        ))
    }

    /// The new council told the family the plan has moved (reg 15(4)).
    async fn send_transfer_notice(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version and the day the notice was sent")]
        input: PlanActionInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::send_transfer_notice(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on.map(|d| d.0)),
            )
            .await?,
        ))
    }

    /// Tell the family the council is considering ceasing the plan (reg 31(1)(a)).
    async fn propose_ceasing(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version, the day and the reasons")]
        input: ProposeCeasingInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::propose_ceasing(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on.map(|d| d.0)),
                &input.reasons,
            )
            .await?,
        ))
    }

    /// The family and the named setting were consulted (reg 31(1)(b)–(c)).
    async fn record_cease_consultation(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version and the day of the consultation")]
        input: PlanActionInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::record_cease_consultation(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on.map(|d| d.0)),
            )
            .await?,
        ))
    }

    /// Cease the plan, with its SEN2 reason and appeal rights (reg 31(2)–(3)).
    /// An open review or amendment must be finished first (CONFLICT otherwise).
    async fn cease_plan(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version, the day, the SEN2 reason and appeal rights")]
        input: CeasePlanInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::cease(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on.map(|d| d.0)),
                input.reason.into(),
                input.appeal_rights_given,
                input.notes.as_deref(),
            )
            .await?,
        ))
    }

    /// The council will keep the plan after proposing to cease it: the proposal and the
    /// consultation are cleared.
    async fn decide_not_to_cease(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version and the day of the decision")]
        input: PlanActionInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::decide_not_to_cease(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on.map(|d| d.0)),
            )
            .await?,
        ))
    }

    /// The family is moving to another council's area: the plan must be transferred on the
    /// day of the move, or within 15 working days of learning of it (reg 15(2)).
    async fn record_move(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version, when the council learned of it and the move")]
        input: RecordMoveInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::record_move(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on.map(|d| d.0)),
                input.moves_on.0,
            )
            .await?,
        ))
    }

    /// The family moved: the plan goes to the new council (reg 15(2)). A review under way is
    /// cancelled and an amendment under way closed: the new council carries on.
    async fn transfer_plan_out(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version, the day and the new council")]
        input: TransferPlanOutInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::transfer_out(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on.map(|d| d.0)),
                &input.to_local_authority,
            )
            .await?,
        ))
    }
}
