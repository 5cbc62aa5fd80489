//! Amendments to a plan (reg 22, with the Devon judgment): the notice, the family's
//! response, the amended plan or the decision not to amend.
use super::*;

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

/// Proposed changes to a plan and the final amended plan (reg 22).
pub struct PlanAmendment(pub AmendmentRecord);

impl PlanAmendment {
    fn facts(&self) -> AmendmentFacts {
        self.0.facts()
    }
}

#[Object]
impl PlanAmendment {
    pub async fn id(&self) -> ID {
        Id::of(Kind::PlanAmendment, self.0.row.id)
    }
    /// Reasons recorded for late steps (they never lift a time limit).
    async fn delays(
        &self,
        gql: &Context<'_>,
    ) -> Result<Vec<crate::api::graphql::delays::StepDelay>> {
        loaders::delays_of(
            gql,
            crate::domain::backlog::Source::Amendment,
            self.0.row.id,
        )
        .await
    }
    async fn plan(&self, gql: &Context<'_>) -> Result<EhcPlan> {
        let plan = loaders::load(gql, loaders::PlanId(self.0.row.plan_id)).await?;
        Ok(EhcPlan(
            plan.ok_or_else(|| ApiError::not_found("EHC plan"))?,
        ))
    }
    async fn review_id(&self) -> Option<ID> {
        self.0
            .row
            .review_id
            .map(|id| Id::of(Kind::AnnualReview, id))
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

#[derive(InputObject)]
pub struct ProposeAmendmentInput {
    plan_id: ID,
    version: i32,
    on: Option<NaiveDate>,
    proposed_changes: String,
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

fn amid(id: &ID) -> Result<i64, ApiError> {
    Id::parse("amendmentId", Kind::PlanAmendment, id)
}

// ---------- queries ----------

#[derive(Default)]
pub struct AmendmentQuery;

#[Object]
impl AmendmentQuery {
    async fn plan_amendment(&self, gql: &Context<'_>, id: ID) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::PlanAmendment, &id)?;
        Ok(PlanAmendment(svc::load_amendment(&ctx, id).await?))
    }
}

// ---------- actions ----------

#[derive(Default)]
pub struct AmendmentMutation;

#[Object]
impl AmendmentMutation {
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
                Target::new(pid(&input.plan_id)?, input.version, input.on),
                &input.proposed_changes,
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
                Target::new(amid(&input.amendment_id)?, input.version, input.on),
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
                Target::new(amid(&input.amendment_id)?, input.version, input.on),
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
                Target::new(amid(&input.amendment_id)?, input.version, input.on),
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
                Target::new(amid(&input.amendment_id)?, input.version, input.on),
                &input.reasons,
                input.appeal_rights_given,
            )
            .await?,
        ))
    }
}
