//! Annual reviews (CFA 2014 s.44; SEND Regs 2014 regs 18–21) and the family's requests for a
//! review meeting.
use super::*;
use crate::api::graphql::Date;

/// Why a review is held: the statutory one, or one brought forward.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::review::ReviewKind")]
pub enum ReviewKind {
    /// The statutory review within 12 months (CFA 2014 s.44(1)).
    Annual,
    /// Brought forward because circumstances changed.
    Interim,
    /// Brought forward urgently (e.g. a placement breaking down).
    Emergency,
}

/// Where a review stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::review::ReviewState")]
pub enum ReviewState {
    /// Arranged; the meeting is still to be held.
    Scheduled,
    /// The meeting was held; the report and the council's decision follow.
    MeetingHeld,
    /// The council made its decision (reg 20(10)): the review is complete.
    Decided,
    /// Cancelled before a decision (also when the plan moved to another council).
    Cancelled,
}

/// An action on a review, as listed in `AnnualReview.allowedActions`; each is a mutation.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::review::ReviewAction")]
pub enum ReviewAction {
    /// `rescheduleReviewMeeting`: a new date for the meeting, before it is held.
    RescheduleMeeting,
    /// `sendReviewInvitations`: invitations sent (reg 20(3)).
    SendInvitations,
    /// `requestReviewAdvice`: ask a service for advice for the review.
    RequestAdvice,
    /// `recordReviewAdvice`: advice received for the review.
    RecordAdvice,
    /// `circulateReviewAdvice`: advice and information sent to everyone invited (reg 20(4)).
    CirculateAdvice,
    /// `holdReviewMeeting`: the meeting took place.
    HoldMeeting,
    /// `recordReviewReport`: the review report reached the council (reg 20(7)-(8)).
    RecordReport,
    /// `decideReview`: maintain, amend or cease (reg 20(10)).
    Decide,
    /// `cancelReview`: cancel the review, with the reason.
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

/// An annual (or interim, or emergency) review of a plan.
pub struct AnnualReview(pub ReviewRecord);

impl AnnualReview {
    fn facts(&self) -> Result<ReviewFacts> {
        Ok(self.0.facts()?)
    }
}

/// An annual (or interim, or emergency) review of a plan: the meeting, its steps and the
/// council's decision, each with its reg 20 deadline. Seen by the council's staff,
/// administrators and the child's family.
#[Object]
impl AnnualReview {
    /// The review's opaque global id.
    pub async fn id(&self) -> ID {
        Id::of(Kind::AnnualReview, self.0.row.id)
    }
    /// Reasons recorded for late steps (they never lift a time limit).
    async fn delays(
        &self,
        gql: &Context<'_>,
    ) -> Result<Vec<crate::api::graphql::delays::StepDelay>> {
        loaders::delays_of(gql, crate::domain::backlog::Source::Review, self.0.row.id).await
    }
    /// The plan under review.
    async fn plan(&self, gql: &Context<'_>) -> Result<EhcPlan> {
        let plan = loaders::load(gql, loaders::PlanId(self.0.row.plan_id)).await?;
        Ok(EhcPlan(
            plan.ok_or_else(|| ApiError::not_found("EHC plan"))?,
        ))
    }
    /// Annual, interim or emergency.
    async fn kind(&self) -> Result<ReviewKind> {
        Ok(self.facts()?.kind.into())
    }
    /// Where the review stands.
    async fn state(&self) -> Result<ReviewState> {
        Ok(self.0.state()?.into())
    }
    /// Send it back with the next action on the review: a change since makes it a CONFLICT.
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// The day the review was arranged; nothing on it may be dated earlier.
    async fn scheduled_on(&self) -> Date {
        Date(self.0.row.scheduled_on)
    }
    /// Planned until held, then the day it was held.
    async fn meeting_on(&self) -> Date {
        Date(self.0.row.meeting_on)
    }
    /// Whether the meeting has been recorded as held.
    async fn meeting_held(&self) -> bool {
        self.0.row.meeting_held
    }
    /// The plan's review limit when this review was arranged.
    async fn due_by(&self) -> Date {
        Date(self.0.row.due_by)
    }
    /// The day invitations to the meeting were sent (reg 20(3): at least 2 weeks before it);
    /// null until sent.
    async fn invitations_sent_on(&self) -> Option<Date> {
        self.0.row.invitations_sent_on.map(Date)
    }
    /// The day the advice and information were sent to everyone invited (reg 20(4): 2 weeks
    /// before the meeting); null until sent.
    async fn advice_circulated_on(&self) -> Option<Date> {
        self.0.row.advice_circulated_on.map(Date)
    }
    /// The day the review report reached the council (reg 20(7)-(8): within 2 weeks of the
    /// meeting); null until then.
    async fn report_received_on(&self) -> Option<Date> {
        self.0.row.report_received_on.map(Date)
    }
    /// The day of the council's decision (reg 20(10): within 4 weeks of the meeting), which
    /// completes the review and restarts the 12 months; null until decided.
    async fn decided_on(&self) -> Option<Date> {
        self.0.row.decided_on.map(Date)
    }
    /// Maintain, amend or cease; null until decided.
    async fn decision(&self) -> Result<Option<ReviewDecision>> {
        Ok(self.facts()?.decision.map(Into::into))
    }
    /// SEN2: M, A or C.
    async fn sen2_decision_code(&self) -> Result<Option<&'static str>> {
        Ok(self.facts()?.decision.map(|d| d.sen2_code()))
    }
    /// The council's reasons for its decision; null when none were recorded.
    async fn decision_reasons(&self) -> Option<&str> {
        self.0.row.decision_reasons.as_deref()
    }
    /// The day the review was cancelled; null unless CANCELLED.
    async fn cancelled_on(&self) -> Option<Date> {
        self.0.row.cancelled_on.map(Date)
    }
    /// Why it was cancelled; null unless CANCELLED.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.row.cancel_reason.as_deref()
    }
    /// The actions the review allows in its state; empty once decided or cancelled.
    async fn allowed_actions(&self) -> Result<Vec<ReviewAction>> {
        Ok(review_rules::review_allowed_actions(self.0.state()?)
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// The review's deadlines as of today: invitations, advice circulated, the report, the
    /// decision, and the plan's 12-month limit the decision completes.
    async fn deadlines(&self, gql: &Context<'_>) -> Result<Vec<Deadline>> {
        let today = ctx(gql)?.today();
        Ok(deadlines(review_deadlines(&self.facts()?, today)))
    }
    /// What happens next, who does it and by when, in words for the family; null once the
    /// review is decided or cancelled.
    async fn next_step(&self, gql: &Context<'_>) -> Result<Option<ReviewNextStep>> {
        let ctx = ctx(gql)?;
        let (today, reader) = (ctx.today(), ctx.actor.reader());
        Ok(
            review_rules::review_next_step(self.0.state()?, &self.facts()?, today, reader)
                .map(Into::into),
        )
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
                .map(|w| AppealWindow::from_domain(w, Date(today))),
        )
    }
    /// The review's story, oldest first, in words for the family.
    async fn timeline(&self) -> Result<Vec<Milestone>> {
        Ok(milestones(review_rules::review_timeline(&self.facts()?)))
    }
    /// Advice asked for this review, from the same log as assessments.
    async fn advice_requests(&self) -> Vec<AdviceRequest> {
        self.0.advice.iter().cloned().map(AdviceRequest).collect()
    }
    /// The amendment a decision to amend started.
    async fn amendment(&self, gql: &Context<'_>) -> Result<Option<PlanAmendment>> {
        Ok(loaders::load(gql, loaders::ReviewAmendment(self.0.row.id))
            .await?
            .map(PlanAmendment))
    }
}

/// Where a family's request for a review meeting stands.
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
pub struct ReviewMeetingRequest(pub ReviewMeetingRequestRow);

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

    async fn meeting(&self, gql: &Context<'_>) -> Result<Option<Date>> {
        // The request was loaded in the caller's scope; its review is of the same child.
        let Some(review_id) = self.0.review_id else {
            return Ok(None);
        };
        Ok((loaders::load(gql, loaders::ReviewMeetingOn(review_id))
            .await?
            .map(|(_, on)| on))
        .map(Date))
    }
}

/// A family's request for a review meeting before the review is due, and the council's
/// answer: a review arranged, or a reason it will not hold one now. Seen by the council's
/// staff, administrators and the family.
#[Object]
impl ReviewMeetingRequest {
    /// The request's opaque global id.
    pub async fn id(&self) -> ID {
        Id::of(Kind::ReviewMeetingRequest, self.0.id)
    }
    /// The plan the family asked to have reviewed (its global id).
    async fn plan_id(&self) -> ID {
        Id::of(Kind::EhcPlan, self.0.plan_id)
    }
    /// The day the family asked.
    async fn requested_on(&self) -> Date {
        Date(self.0.requested_on)
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
    /// Open, answered with a review, or declined.
    async fn state(&self) -> Result<ReviewMeetingRequestState> {
        Ok(match self.outcome()? {
            None => ReviewMeetingRequestState::Open,
            Some(RequestOutcome::ReviewArranged) => ReviewMeetingRequestState::ReviewArranged,
            Some(RequestOutcome::Declined) => ReviewMeetingRequestState::Declined,
        })
    }
    /// The day the council answered; null while the request is open.
    async fn answered_on(&self) -> Option<Date> {
        self.0.answered_on.map(Date)
    }
    /// The review arranged in answer.
    async fn review_id(&self) -> Option<ID> {
        self.0.review_id.map(|id| Id::of(Kind::AnnualReview, id))
    }
    /// The meeting of the review arranged in answer.
    async fn meeting_on(&self, gql: &Context<'_>) -> Result<Option<Date>> {
        self.meeting(gql).await
    }
    /// Why the council will not hold a review now, as the family reads it; null unless
    /// DECLINED.
    async fn decline_reason(&self) -> Option<&str> {
        self.0.decline_reason.as_deref()
    }
    /// The request and its answer, in words for the family.
    async fn text(&self, gql: &Context<'_>) -> Result<String> {
        Ok(ReviewRequestFacts {
            requested_on: self.0.requested_on,
            answered_on: self.0.answered_on,
            outcome: self.outcome()?,
            meeting_on: self.meeting(gql).await?.map(|d| d.0),
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

/// The deadlines of a review whose meeting is on `meetingOn`, and of the amendment that
/// would follow.
#[derive(SimpleObject)]
pub struct ReviewTimetable {
    /// The meeting date asked about.
    meeting_on: Date,
    /// The review's deadlines and those of the amendment that would follow, in process
    /// order; none is met yet.
    deadlines: Vec<Deadline>,
}

/// A review meeting to arrange for a plan.
#[derive(InputObject)]
pub struct ScheduleReviewInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The plan's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the review was arranged; today when omitted.
    on: Option<Date>,
    /// The day planned for the meeting; not before the day it was arranged.
    meeting_on: Date,
    /// ANNUAL by default, or INTERIM or EMERGENCY for a review brought forward.
    #[graphql(default_with = "ReviewKind::Annual")]
    kind: ReviewKind,
}

/// Common to review actions: which review, the version you saw, and when it happened.
#[derive(InputObject)]
pub struct ReviewActionInput {
    /// The review (its global id).
    review_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day it happened; today when omitted. Not in the future, not before the review
    /// was arranged.
    on: Option<Date>,
}

/// A new date for a review meeting not yet held.
#[derive(InputObject)]
pub struct RescheduleMeetingInput {
    /// The review (its global id).
    review_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The new meeting date; not before the day the review was arranged. The review's
    /// deadlines move with it.
    meeting_on: Date,
}

/// Advice to ask for the review: due 2 weeks before the meeting, in time to circulate it
/// (reg 20(4)).
#[derive(InputObject)]
pub struct ReviewAdviceInput {
    /// The review (its global id).
    review_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The date it happened (default today in England); not in the future.
    on: Option<Date>,
    /// The service asked.
    service: AdviceService,
    /// The named professional asked (global id), who must work in that service for the
    /// council; optional.
    professional_id: Option<ID>,
    /// The team or person the request is addressed to, in words; optional.
    addressed_to: Option<String>,
}

/// Advice received for the review, answering one of its advice requests.
#[derive(InputObject)]
pub struct ReviewAdviceReceivedInput {
    /// The review (its global id).
    review_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The day the advice arrived (default today in England); not in the future.
    on: Option<Date>,
    /// The review's open advice request it answers (global id).
    advice_request_id: ID,
    /// A summary of the advice.
    summary: String,
    /// A reference to the advice document, if there is one.
    document_ref: Option<String>,
}

/// The council's decision after the review meeting (reg 20(10)).
#[derive(InputObject)]
pub struct DecideReviewInput {
    /// The review (its global id).
    review_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The date of the decision (default today in England); not in the future, not before
    /// the meeting.
    on: Option<Date>,
    /// Maintain, amend or cease.
    decision: ReviewDecision,
    /// The council's reasons; optional.
    reasons: Option<String>,
    /// The decision notice told the family of their right to appeal (reg 20(10)).
    appeal_rights_given: bool,
    /// For AMEND: the proposed changes, sent with the decision (Devon); they are then the
    /// amendment notice, dated the day of the decision. Without them the notice is still due.
    proposed_changes: Option<String>,
    /// For MAINTAIN: this was the phase-transfer review and the plan already names the
    /// setting for the move (reg 18(1): amend "where necessary").
    #[graphql(default)]
    phase_transfer: bool,
}

/// A review to cancel before its decision.
#[derive(InputObject)]
pub struct CancelReviewInput {
    /// The review (its global id).
    review_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The date it happened (default today in England); not in the future.
    on: Option<Date>,
    /// Why the review is cancelled (required).
    reason: String,
}

/// The council's refusal, for now, of a family's request for a review meeting.
#[derive(InputObject)]
pub struct DeclineReviewMeetingRequestInput {
    /// The family's open request (its global id).
    request_id: ID,
    /// The day the family was told; today when omitted.
    on: Option<Date>,
    /// Why the council will not hold a review now: the family reads it.
    reason: String,
}

fn rid(id: &ID) -> Result<i64, ApiError> {
    Id::parse("reviewId", Kind::AnnualReview, id)
}

// ---------- queries ----------

#[derive(Default)]
pub struct ReviewQuery;

#[Object]
impl ReviewQuery {
    /// One review; NOT_FOUND when there is none the signed-in person may see.
    async fn annual_review(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review's global id")] id: ID,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::AnnualReview, &id)?;
        Ok(AnnualReview(svc::load_review(&ctx, id).await?))
    }

    /// "If the review meeting is on 15 October, when are the invitations, report, decision
    /// and amended plan due?" With `amendmentNoticeSentOn`, the amendment's dates follow the
    /// notice; without it, an on-time notice (the meeting + 4 weeks) is assumed.
    async fn review_timetable(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The day of the review meeting")] meeting_on: Date,
        #[graphql(desc = "The plan's 12-month limit, when known")] due_by: Option<Date>,
        #[graphql(
            desc = "The day the amendment notice was or will be sent; not before the \
                          meeting"
        )]
        amendment_notice_sent_on: Option<Date>,
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
            meeting_on.0,
            meeting_on.0,
            due_by.map_or_else(|| review_rules::decision_due(meeting_on.0), |d| d.0),
        );
        review.scheduled_on = review_rules::notice_due(meeting_on.0);
        let mut list: Vec<timescales::Deadline> = review_deadlines(&review, review.scheduled_on)
            .into_iter()
            .filter(|d| due_by.is_some() || d.kind != DeadlineKind::AnnualReview)
            .collect();
        let notice =
            amendment_notice_sent_on.unwrap_or(Date(review_rules::decision_due(meeting_on.0)));
        let amendment = AmendmentFacts {
            notice_sent_on: Some(notice.0),
            ..AmendmentFacts::new(notice.0, Some(meeting_on.0))
        };
        list.extend(
            amendment_deadlines(&amendment, meeting_on.0)
                .into_iter()
                .map(|mut d| {
                    // A plan, not a record: nothing is met yet.
                    d.met_on = None;
                    d.status = timescales::status(d.due_on, None, meeting_on.0, false);
                    d
                }),
        );
        Ok(ReviewTimetable {
            meeting_on,
            deadlines: deadlines(list),
        })
    }
}

// ---------- actions ----------

#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// Arrange a review meeting (annual, or brought forward as interim or emergency). It
    /// answers the family's open request for a meeting, if there is one.
    async fn schedule_review(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version, the meeting date and the kind of review")]
        input: ScheduleReviewInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::schedule_review(
                &ctx,
                Target::new(pid(&input.plan_id)?, input.version, input.on.map(|d| d.0)),
                input.kind.into(),
                input.meeting_on.0,
            )
            .await?,
        ))
    }

    /// The council will not hold the review meeting the family asked for now; the family
    /// reads the reason. Arranging a review (`scheduleReview`) answers a request too.
    async fn decline_review_meeting_request(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The request, the day the family was told and the reason")]
        input: DeclineReviewMeetingRequestInput,
    ) -> Result<ReviewMeetingRequest> {
        let ctx = ctx(gql)?;
        let id = Id::parse("requestId", Kind::ReviewMeetingRequest, &input.request_id)?;
        Ok(ReviewMeetingRequest(
            svc::decline_review_meeting_request(&ctx, id, input.on.map(|d| d.0), &input.reason)
                .await?,
        ))
    }

    /// A new date for a meeting not yet held; the review's deadlines move with it.
    async fn reschedule_review_meeting(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review, its version and the new meeting date")]
        input: RescheduleMeetingInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::reschedule_meeting(
                &ctx,
                rid(&input.review_id)?,
                input.version,
                input.meeting_on.0,
            )
            .await?,
        ))
    }

    /// Invitations sent, at least 2 weeks before the meeting (reg 20(3)).
    async fn send_review_invitations(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review, its version and the day the invitations went")]
        input: ReviewActionInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::send_invitations(
                &ctx,
                Target::new(rid(&input.review_id)?, input.version, input.on.map(|d| d.0)),
            )
            .await?,
        ))
    }

    /// Ask a service for advice for the review (the advice log is shared with assessments).
    async fn request_review_advice(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review, its version and who is asked")] input: ReviewAdviceInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        let new = crate::service::advice::NewAdviceRequest {
            service: input.service.into(),
            professional_id: input
                .professional_id
                .map(|p| Id::parse("professionalId", Kind::Professional, &p))
                .transpose()?,
            addressed_to: input.addressed_to,
        };
        Ok(AnnualReview(
            svc::request_review_advice(
                &ctx,
                Target::new(rid(&input.review_id)?, input.version, input.on.map(|d| d.0)),
                new,
            )
            .await?,
        ))
    }

    /// Advice that reached the council for the review, answering one of its requests; an
    /// answered request is a CONFLICT.
    async fn record_review_advice(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review, its version, the advice request and the advice")]
        input: ReviewAdviceReceivedInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        let advice = Id::parse(
            "adviceRequestId",
            Kind::AdviceRequest,
            &input.advice_request_id,
        )?;
        Ok(AnnualReview(
            svc::record_review_advice(
                &ctx,
                Target::new(rid(&input.review_id)?, input.version, input.on.map(|d| d.0)),
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
        #[graphql(desc = "The review, its version and the day the advice went out")]
        input: ReviewActionInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::circulate_advice(
                &ctx,
                Target::new(rid(&input.review_id)?, input.version, input.on.map(|d| d.0)),
            )
            .await?,
        ))
    }

    /// The meeting was held on `on`: the report and decision deadlines count from it.
    async fn hold_review_meeting(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review, its version and the day the meeting was held")]
        input: ReviewActionInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::hold_meeting(
                &ctx,
                Target::new(rid(&input.review_id)?, input.version, input.on.map(|d| d.0)),
            )
            .await?,
        ))
    }

    /// The review report reached the council (reg 20(7)–(8)).
    async fn record_review_report(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review, its version and the day the report arrived")]
        input: ReviewActionInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::record_report(
                &ctx,
                Target::new(rid(&input.review_id)?, input.version, input.on.map(|d| d.0)),
            )
            .await?,
        ))
    }

    /// The council's decision: maintain, amend or cease (reg 20(10)). It completes the
    /// review and restarts the 12 months (CFA 2014 s.44(1)).
    async fn decide_review(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review, its version, the decision and its notice")]
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
                Target::new(rid(&input.review_id)?, input.version, input.on.map(|d| d.0)),
                decision,
            )
            .await?,
        ))
    }

    /// Cancel a review before its decision, with the reason.
    async fn cancel_review(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review, its version, the day and the reason")]
        input: CancelReviewInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        Ok(AnnualReview(
            svc::cancel_review(
                &ctx,
                Target::new(rid(&input.review_id)?, input.version, input.on.map(|d| d.0)),
                &input.reason,
            )
            .await?,
        ))
    }
}
