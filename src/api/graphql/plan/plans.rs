//! EHC plans: entering one, its needs and versions, phase transfers, moves between councils
//! and ceasing.
use super::*;

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
    kind: crate::api::graphql::shared::DeadlineKind,
    regulation: String,
}

/// One issued version of the plan.
pub struct PlanVersion(PlanVersionRow);

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

#[Object]
impl EhcPlan {
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
    async fn child(&self, gql: &Context<'_>) -> Result<Child> {
        let child = loaders::load(gql, loaders::ChildId(self.0.row.child_id)).await?;
        Ok(Child(child.ok_or_else(|| ApiError::not_found("child"))?))
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
        Ok(
            loaders::load_all(gql, loaders::PlanMeetingRequests(self.0.row.id))
                .await?
                .into_iter()
                .map(ReviewMeetingRequest)
                .collect(),
        )
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
    async fn open_review(&self, gql: &Context<'_>) -> Result<Option<AnnualReview>> {
        match &self.0.open_review {
            Some(row) => Ok(loaders::load(gql, loaders::ReviewId(row.id))
                .await?
                .map(AnnualReview)),
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

/// The next phase transfer for a child born on `dateOfBirth`, seen on `on`.
#[derive(SimpleObject)]
pub struct PhaseTransferTimetable {
    nc_year: i32,
    transfer: Option<PhaseTransfer>,
    deadlines: Vec<Deadline>,
}

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
    /// Omit both to go back to the transfer worked out from the national curriculum year. A
    /// move already made (on or after the plan's issue) enters history: the plan then shows,
    /// and the backlog counts, whether it met reg 18.
    kind: Option<PhaseTransferKind>,
    moves_on: Option<NaiveDate>,
    /// For a move already made: the day the plan was reviewed and amended for it (omit if it
    /// never was). A move still to come is finalised by issuing the amended plan.
    finalised_on: Option<NaiveDate>,
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

// ---------- queries ----------

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    async fn plan(&self, gql: &Context<'_>, id: ID) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::EhcPlan, &id)?;
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
            child_id: child_id
                .map(|c| Id::parse("childId", Kind::Child, &c))
                .transpose()?,
            status: status.map(Into::into),
            review_due_by,
        };
        let page = svc::list_plans(&ctx, filter, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |p| p.row.id, EhcPlan))
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

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Enter a plan that existed before the system, or one received from another council
    /// (reg 15: the new council's notice is due in 6 weeks).
    async fn enter_plan(&self, gql: &Context<'_>, input: EnterPlanInput) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let new = svc::NewPlan {
            child_id: Id::parse("childId", Kind::Child, &input.child_id)?,
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

    /// Name the next phase transfer explicitly (e.g. infant to junior, or a post-16 move), or
    /// enter a past one with the day the plan was finalised for it.
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
            svc::set_phase_transfer(
                &ctx,
                pid(&input.plan_id)?,
                input.version,
                transfer,
                input.finalised_on,
            )
            .await?,
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
            svc::send_transfer_notice(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on),
            )
            .await?,
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
                Target::new(pid(&input.plan_id)?, input.version, input.on),
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
            svc::record_cease_consultation(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on),
            )
            .await?,
        ))
    }

    /// Cease the plan, with its SEN2 reason and appeal rights (reg 31(2)–(3)).
    async fn cease_plan(&self, gql: &Context<'_>, input: CeasePlanInput) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::cease(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on),
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
            svc::decide_not_to_cease(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on),
            )
            .await?,
        ))
    }

    /// The family is moving to another council's area: the plan must be transferred on the
    /// day of the move, or within 15 working days of learning of it (reg 15(2)).
    async fn record_move(&self, gql: &Context<'_>, input: RecordMoveInput) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::record_move(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on),
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
                Target::new(pid(&input.plan_id)?, input.version, input.on),
                &input.to_local_authority,
            )
            .await?,
        ))
    }
}
