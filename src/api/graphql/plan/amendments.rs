//! Amendments to a plan (reg 22, with the Devon judgment): the notice, the family's
//! response, the amended plan or the decision not to amend.
use super::*;
use crate::api::graphql::Date;

/// Where an amendment stands (reg 22).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::amendment::AmendmentState")]
pub enum AmendmentState {
    /// A review decided to amend; the notice of proposed changes is still to go (due 4 weeks
    /// after the meeting, Devon).
    NoticeDue,
    /// The notice was sent: the family has 15 days to respond, and the final amended plan is
    /// due within 8 weeks of the notice (reg 22(2)(c), 22(3)).
    NoticeSent,
    /// The final amended plan was issued (reg 22(3)).
    FinalIssued,
    /// The council decided not to amend after all (reg 22(4)).
    NotAmended,
}

/// An action on an amendment, as listed in `PlanAmendment.allowedActions`; each is a mutation.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::amendment::AmendmentAction")]
pub enum AmendmentAction {
    /// `sendAmendmentNotice`: the proposed changes and their evidence (reg 22(2)).
    SendNotice,
    /// `recordAmendmentResponse`: the family's comments, meeting request or setting.
    RecordParentResponse,
    /// `issueAmendedPlan`: the final amended plan (reg 22(3)).
    IssueAmendedPlan,
    /// `decideNotToAmend`: no amendment after all (reg 22(4)).
    DecideNotToAmend,
}

/// Proposed changes to a plan and the final amended plan (reg 22).
pub struct PlanAmendment(pub AmendmentRecord);

impl PlanAmendment {
    fn facts(&self) -> AmendmentFacts {
        self.0.facts()
    }

    /// The facts with, for a directed amendment, its order's reg 44(3) exception (read from
    /// the dispute, batched across a page).
    async fn facts_with_order(&self, gql: &Context<'_>) -> Result<AmendmentFacts> {
        let mut facts = self.facts();
        if let Some(id) = self.0.row.dispute_id
            && let Some(dispute) =
                crate::api::graphql::loaders::load(gql, crate::api::graphql::loaders::DisputeId(id))
                    .await?
        {
            facts.ordered_exception = dispute.order_exception()?;
        }
        Ok(facts)
    }
}

/// Proposed changes to a plan and the final amended plan (reg 22): the notice, the family's
/// 15 days, and the amended plan (or a decision not to amend) within 8 weeks of the notice.
/// Seen by the council's staff, administrators and the child's family.
#[Object]
impl PlanAmendment {
    /// The amendment's opaque global id.
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
    /// The plan being amended.
    async fn plan(&self, gql: &Context<'_>) -> Result<EhcPlan> {
        let plan = loaders::load(gql, loaders::PlanId(self.0.row.plan_id)).await?;
        Ok(EhcPlan(
            plan.ok_or_else(|| ApiError::not_found("EHC plan"))?,
        ))
    }
    /// The review whose decision to amend started it (global id); null for changes proposed
    /// outside a review.
    async fn review_id(&self) -> Option<ID> {
        self.0
            .row
            .review_id
            .map(|id| Id::of(Kind::AnnualReview, id))
    }
    /// Where the amendment stands.
    async fn state(&self) -> Result<AmendmentState> {
        Ok(self.0.state()?.into())
    }
    /// Send it back with the next action on the amendment: a change since makes it a
    /// CONFLICT.
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// The day it started: the review's decision to amend, or the proposal outside a review.
    async fn started_on(&self) -> Date {
        Date(self.0.row.started_on)
    }
    /// The review meeting the 4 weeks for the notice run from (Devon).
    async fn meeting_on(&self) -> Option<Date> {
        self.0.row.meeting_on.map(Date)
    }
    /// The day the notice of the proposed changes was sent (reg 22(2)): the family's 15 days
    /// and the 8 weeks for the amended plan count from it. Null until sent.
    async fn notice_sent_on(&self) -> Option<Date> {
        self.0.row.notice_sent_on.map(Date)
    }
    /// The proposed changes as sent to the family; null until the notice.
    async fn proposed_changes(&self) -> Option<&str> {
        self.0.row.proposed_changes.as_deref()
    }
    /// The last day of the parent's 15 days (reg 22(2)(c)); null for an amendment an order
    /// directs, whose content the Tribunal settled.
    async fn parent_comments_until(&self) -> Option<Date> {
        self.0
            .row
            .notice_sent_on
            .filter(|_| self.0.row.dispute_id.is_none())
            .map(amendment_comments_until)
            .map(Date)
    }
    /// The dispute whose order, agreement or concession this amendment carries out (its
    /// global id, for `dispute(id:)`); null for any other amendment.
    async fn directed_by_dispute_id(&self) -> Option<ID> {
        self.0
            .row
            .dispute_id
            .map(|id| crate::api::graphql::Id::of(crate::api::graphql::Kind::Dispute, id))
    }
    /// For a directed amendment, the day its amended plan is due under the order (5 weeks to
    /// amend the content, 2 to name the school: reg 44(2)(e)-(f)).
    async fn directed_due_on(&self) -> Option<Date> {
        self.0.row.ordered_due_on.map(Date)
    }
    /// The day the family's response was recorded; null when there is none.
    async fn parent_responded_on(&self) -> Option<Date> {
        self.0.row.parent_responded_on.map(Date)
    }
    /// The family's comments on the proposed changes; null when they made none.
    async fn parent_comments(&self) -> Option<&str> {
        self.0.row.parent_comments.as_deref()
    }
    /// Whether the family asked for a meeting about the proposed changes.
    async fn parent_meeting_requested(&self) -> bool {
        self.0.row.parent_meeting_requested
    }
    /// The school or college the family asked to have named; null when they asked for none.
    async fn parent_requested_setting(&self) -> Option<&str> {
        self.0.row.parent_requested_setting.as_deref()
    }
    /// The day the final amended plan was issued (reg 22(3): within 8 weeks of the notice);
    /// null until issued.
    async fn final_issued_on(&self) -> Option<Date> {
        self.0.row.final_issued_on.map(Date)
    }
    /// The setting the amended plan names, when it named one; null otherwise.
    async fn named_setting(&self) -> Option<&str> {
        self.0.row.named_setting.as_deref()
    }
    /// The amended plan names the setting for the next phase transfer (reg 18).
    async fn phase_transfer(&self) -> bool {
        self.0.row.phase_transfer
    }
    /// The day the council decided not to amend after all (reg 22(4)); null otherwise.
    async fn decided_not_to_amend_on(&self) -> Option<Date> {
        self.0.row.decided_not_to_amend_on.map(Date)
    }
    /// The council's reasons for not amending; null unless NOT_AMENDED.
    async fn not_amend_reasons(&self) -> Option<&str> {
        self.0.row.not_amend_reasons.as_deref()
    }
    /// The actions the amendment allows now; empty once it is closed (issued, not amended, or
    /// the plan moved to another council).
    async fn allowed_actions(&self) -> Result<Vec<AmendmentAction>> {
        if self.0.row.closed_on.is_some() {
            return Ok(Vec::new());
        }
        // A directed amendment carries out an order: it cannot be dropped.
        let directed = self.0.row.dispute_id.is_some();
        Ok(
            crate::domain::amendment::amendment_allowed_actions(self.0.state()?)
                .into_iter()
                .filter(|a| {
                    !(directed && *a == crate::domain::amendment::AmendmentAction::DecideNotToAmend)
                })
                .map(Into::into)
                .collect(),
        )
    }
    /// The amendment's deadlines as of today: the notice (after a review: the meeting + 4
    /// weeks), the family's 15 days, and the amended plan or decision not to amend (the
    /// notice + 8 weeks; before a notice, the meeting + 12 weeks).
    async fn deadlines(&self, gql: &Context<'_>) -> Result<Vec<Deadline>> {
        let today = ctx(gql)?.today();
        Ok(deadlines(amendment_deadlines(
            &self.facts_with_order(gql).await?,
            today,
        )))
    }
    /// What happens next, who does it and by when, in words for the family; null once the
    /// amendment is closed.
    async fn next_step(&self, gql: &Context<'_>) -> Result<Option<AmendmentNextStep>> {
        let ctx = ctx(gql)?;
        let (today, reader) = (ctx.today(), ctx.actor.reader());
        Ok(crate::domain::amendment::amendment_next_step(
            self.0.state()?,
            &self.facts_with_order(gql).await?,
            today,
            reader,
        )
        .map(Into::into))
    }
    /// The amendment's story, oldest first, in words for the family.
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
        .map(|w| AppealWindow::from_domain(w, Date(today))))
    }
}

/// Changes to propose outside a review; the proposal is the notice (reg 22(2)).
#[derive(InputObject)]
pub struct ProposeAmendmentInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The plan's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the notice was sent (default today in England); not in the future.
    on: Option<Date>,
    /// The proposed changes and their evidence, as sent to the family (required).
    proposed_changes: String,
}

/// The notice of proposed changes after a review's decision to amend (reg 22(2)).
#[derive(InputObject)]
pub struct AmendmentNoticeInput {
    /// The amendment (its global id).
    amendment_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the notice was sent (default today in England); not in the future.
    on: Option<Date>,
    /// The proposed changes and their evidence, as sent to the family (required).
    proposed_changes: String,
}

/// The family's response to the notice, as the caseworker records it: at least one of
/// comments, a meeting request or a requested setting (reg 22(2)(c)).
#[derive(InputObject)]
pub struct AmendmentResponseInput {
    /// The amendment (its global id).
    amendment_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the response came (default today in England); not in the future, not before
    /// the notice.
    on: Option<Date>,
    /// The family's comments on the proposed changes.
    comments: Option<String>,
    /// The family asked for a meeting about the changes; false by default.
    #[graphql(default)]
    meeting_requested: bool,
    /// The school or college the family asks to have named.
    requested_setting: Option<String>,
}

/// The final amended plan (reg 22(3)).
#[derive(InputObject)]
pub struct IssueAmendedPlanInput {
    /// The amendment (its global id).
    amendment_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day it was issued (default today in England); not in the future, and not within
    /// the family's 15 days unless they have responded.
    on: Option<Date>,
    /// The setting the amended plan names; required with `phaseTransfer`. When omitted the
    /// plan keeps the setting it names.
    named_setting: Option<String>,
    /// This amended plan names the setting for the coming phase transfer (reg 18).
    #[graphql(default)]
    phase_transfer: bool,
}

/// A decision not to amend the plan after all (reg 22(4)).
#[derive(InputObject)]
pub struct NotToAmendInput {
    /// The amendment (its global id).
    amendment_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The date it happened (default today in England); not in the future.
    on: Option<Date>,
    /// The council's reasons, which the family reads (required).
    reasons: String,
    /// The notice told the family of their right to appeal and to mediation; must be true.
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
    /// One amendment; NOT_FOUND when there is none the signed-in person may see.
    async fn plan_amendment(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The amendment's global id")] id: ID,
    ) -> Result<PlanAmendment> {
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
        #[graphql(desc = "The plan, its version, the day and the proposed changes")]
        input: ProposeAmendmentInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        Ok(PlanAmendment(
            svc::propose_amendment(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on.map(|d| d.0)),
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
        #[graphql(desc = "The amendment, its version, the day and the proposed changes")]
        input: AmendmentNoticeInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        Ok(PlanAmendment(
            svc::send_amendment_notice(
                &ctx,
                Target::new(
                    amid(&input.amendment_id)?,
                    input.version,
                    input.on.map(|d| d.0),
                ),
                &input.proposed_changes,
            )
            .await?,
        ))
    }

    /// The parent's comments, a meeting request or a requested setting (reg 22(2)(c)).
    async fn record_amendment_response(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The amendment, its version and the family's response")]
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
                Target::new(
                    amid(&input.amendment_id)?,
                    input.version,
                    input.on.map(|d| d.0),
                ),
                response,
            )
            .await?,
        ))
    }

    /// Issue the final amended plan (reg 22(3)): it becomes the plan's next version.
    async fn issue_amended_plan(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The amendment, its version, the day and the setting named")]
        input: IssueAmendedPlanInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        Ok(PlanAmendment(
            svc::issue_amended_plan(
                &ctx,
                Target::new(
                    amid(&input.amendment_id)?,
                    input.version,
                    input.on.map(|d| d.0),
                ),
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
        #[graphql(desc = "The amendment, its version, the day, the reasons and appeal rights")]
        input: NotToAmendInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        Ok(PlanAmendment(
            svc::decide_not_to_amend(
                &ctx,
                Target::new(
                    amid(&input.amendment_id)?,
                    input.version,
                    input.on.map(|d| d.0),
                ),
                &input.reasons,
                input.appeal_rights_given,
            )
            .await?,
        ))
    }
}
