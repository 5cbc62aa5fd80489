//! Professionals' workspace (their advice requests for assessments and reviews), the family's
//! own contributions and requests, appeal windows, and who has read a child's record.
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Description, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::assessment::Assessment;
use super::loaders;
use super::people::{AdviceService, service_of};
use super::plan::{AnnualReview, EhcPlan, PlanAmendment, ReviewMeetingRequest};
use super::shared::DeadlineStatus;
use super::{Id, Kind, ctx};
use crate::api::graphql::Date;
use crate::domain::input::FamilyResponse;
use crate::domain::people::{national_curriculum_year, nc_year_label};
use crate::domain::timescales;
use crate::error::ApiError;
use crate::service::advice::{AdviceAnswer, has_statutory_deadline};
use crate::service::contributions::{
    self as svc, PlanAppeal, RecordView as DomainView, UrgencyCursor, Views,
};
use crate::service::plan as plan_svc;
use crate::service::records::AdviceRequestRow;

/// An advice request as the professional asked sees it: what is wanted, by when, and only
/// what they need about the child (no family contact details, no other professionals'
/// advice).
#[derive(Description)]
pub struct ProfessionalAdviceRequest(pub AdviceRequestRow);

#[Object(use_type_description)]
impl ProfessionalAdviceRequest {
    /// The advice request's global id (the same as the caseworkers' `AdviceRequest`): opaque;
    /// `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::AdviceRequest, self.0.id)
    }
    /// The service asked.
    async fn service(&self) -> Result<AdviceService> {
        Ok(service_of(&self.0.service)?)
    }
    /// The named professional or team asked, if the request named one.
    async fn addressed_to(&self) -> Option<&str> {
        self.0.addressed_to.as_deref()
    }
    /// Whether it was addressed to the signed-in professional by name (otherwise to their
    /// service).
    async fn addressed_to_me(&self, gql: &Context<'_>) -> Result<bool> {
        let ctx = ctx(gql)?;
        Ok(matches!(
            &ctx.actor.scope,
            crate::domain::access::Scope::Professional { professional_id, .. }
                if self.0.professional_id == Some(*professional_id)
        ))
    }
    /// What the advice is for: a needs assessment or a review of the plan.
    async fn purpose(&self) -> AdviceFor {
        if self.0.review_id.is_some() {
            AdviceFor::Review
        } else {
            AdviceFor::NeedsAssessment
        }
    }
    /// For a review: the day of the review meeting (planned, or held), which the professional
    /// may be invited to. Nothing else of the review is shown.
    async fn review_meeting_on(&self, gql: &Context<'_>) -> Result<Option<Date>> {
        let Some(review_id) = self.0.review_id else {
            return Ok(None);
        };
        Ok((loaders::load(gql, loaders::ReviewMeetingOn(review_id))
            .await?
            .map(|(_, on)| on))
        .map(Date))
    }
    /// The day the advice was asked for.
    async fn requested_on(&self) -> Date {
        Date(self.0.requested_on)
    }
    /// For an assessment, six weeks after the request (SEND Regs 2014 reg 8(1)); for a
    /// review, two weeks before the meeting, when the advice is circulated (reg 20(4)).
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }
    /// The regulation that sets the due date: "SEND Regs 2014 reg 8(1)" for an assessment, "SEND
    /// Regs 2014 reg 20(4)" for a review.
    async fn regulation(&self) -> &'static str {
        if self.0.review_id.is_some() {
            "SEND Regs 2014 reg 20(4)"
        } else {
            "SEND Regs 2014 reg 8(1)"
        }
    }
    /// PENDING, DUE_SOON, OVERDUE while open; MET or MISSED once answered.
    async fn status(&self, gql: &Context<'_>) -> Result<DeadlineStatus> {
        let ctx = ctx(gql)?;
        let answered = self.0.received_on.or(self.0.declined_on);
        Ok(timescales::status(self.0.due_on, answered, ctx.today(), false).into())
    }
    /// Days until the due date (negative once overdue); none once answered.
    async fn days_until_due(&self, gql: &Context<'_>) -> Result<Option<i64>> {
        let ctx = ctx(gql)?;
        let open = self.0.received_on.is_none() && self.0.declined_on.is_none();
        Ok(open.then(|| (self.0.due_on - ctx.today()).num_days()))
    }
    /// The day the advice was given; null until then.
    async fn received_on(&self) -> Option<Date> {
        self.0.received_on.map(Date)
    }
    /// Answered after the due date.
    async fn late(&self) -> bool {
        has_statutory_deadline(&self.0.service)
            && self
                .0
                .received_on
                .or(self.0.declined_on)
                .is_some_and(|d| d > self.0.due_on)
    }
    /// The advice given, in brief; null until given.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }
    /// A URL or file name of the advice document; null when none.
    async fn document_ref(&self) -> Option<&str> {
        self.0.document_ref.as_deref()
    }
    /// The day the professional declined to advise; null unless they did.
    async fn declined_on(&self) -> Option<Date> {
        self.0.declined_on.map(Date)
    }
    /// Why they declined; null unless they did.
    async fn decline_reason(&self) -> Option<&str> {
        self.0.decline_reason.as_deref()
    }
    /// The child, as much as the advice needs.
    async fn child(&self, gql: &Context<'_>) -> Result<AdviceSubject> {
        let ctx = ctx(gql)?;
        let key = loaders::AdviceChild {
            advice_request_id: self.0.id,
            child_id: self.0.child_id,
        };
        let child = loaders::load(gql, key)
            .await?
            .ok_or_else(|| ApiError::not_found("child"))?;
        let year = child
            .nc_year_override
            .map(i32::from)
            .unwrap_or_else(|| national_curriculum_year(child.date_of_birth, ctx.today()));
        Ok(AdviceSubject {
            display_name: child
                .preferred_name
                .clone()
                .unwrap_or_else(|| child.legal_name.clone()),
            legal_name: child.legal_name,
            date_of_birth: Date(child.date_of_birth),
            nc_year_label: nc_year_label(year),
            current_setting: child.current_setting,
        })
    }
    /// The caseworker to contact about this request (work contact only); none for a review,
    /// where the local authority's SEN team is the contact.
    async fn caseworker(&self, gql: &Context<'_>) -> Result<Option<CaseworkerContact>> {
        let Some(assessment_id) = self.0.assessment_id else {
            return Ok(None);
        };
        Ok(
            loaders::load(gql, loaders::AssessmentCaseworker(assessment_id))
                .await?
                .map(|(_, s)| CaseworkerContact {
                    name: s.name,
                    email: s.email,
                }),
        )
    }
    /// The local authority that asked.
    async fn local_authority(&self, gql: &Context<'_>) -> Result<String> {
        Ok(loaders::load(gql, loaders::LocalAuthorityId(self.0.la_id))
            .await?
            .map(|la| la.name)
            .unwrap_or_default())
    }
}

/// What an advice request is for.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AdviceFor {
    /// An EHC needs assessment (SEND Regs 2014 reg 6).
    NeedsAssessment,
    /// A review of an EHC plan (reg 20(4)).
    Review,
}

/// What a professional needs to know about the child they are asked to advise on.
#[derive(SimpleObject)]
pub struct AdviceSubject {
    /// The name to address the child by: the preferred name when there is one.
    display_name: String,
    /// The child's full legal name.
    legal_name: String,
    /// The child's date of birth.
    date_of_birth: Date,
    /// The child's national curriculum year today, as caseworkers say it (Reception, Year 6,
    /// Post-19...).
    nc_year_label: String,
    /// The school, college or setting the child attends now; null when not recorded.
    current_setting: Option<String>,
}

/// The work contact of the caseworker handling a case, for the professional asked for advice.
#[derive(SimpleObject)]
pub struct CaseworkerContact {
    /// The caseworker's name.
    name: String,
    /// Their work email address; null when none was given.
    email: Option<String>,
}

/// A read of a child's record by staff or a professional.
#[derive(SimpleObject)]
pub struct RecordView {
    /// When the record was read.
    viewed_at: DateTime<Utc>,
    /// The reader's role, in lower case: `caseworker`, `manager`, `professional` or `admin`.
    role: String,
    /// Who: name and role or service; never contact details.
    who: String,
    /// What was read: `child`, `assessment`, `advice_request`.
    record: String,
}

impl From<DomainView> for RecordView {
    fn from(v: DomainView) -> Self {
        Self {
            viewed_at: v.viewed_at,
            role: v.role,
            who: v.who,
            record: v.record,
        }
    }
}

#[derive(Default)]
pub struct ContributionsQuery;

#[Object]
impl ContributionsQuery {
    /// Advice requests addressed to the signed-in professional or their service, most
    /// urgent first (earliest due date). `open: true` (default) lists those still wanted.
    async fn my_advice_requests(
        &self,
        gql: &Context<'_>,
        #[graphql(
            default_with = "Some(true)",
            desc = "true: still wanted; false: answered; null: all"
        )]
        open: Option<bool>,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "page size, at most 100")] first: Option<i32>,
    ) -> Result<Connection<String, ProfessionalAdviceRequest>> {
        let ctx = ctx(gql)?;
        let after = after
            .map(|raw| {
                UrgencyCursor::decode(&raw)
                    .ok_or_else(|| ApiError::validation("after", "not a cursor from this list"))
            })
            .transpose()?;
        let first = first.unwrap_or(20);
        if first < 0 {
            return Err(ApiError::validation("first", "must not be negative").into());
        }
        let (rows, has_next) = svc::my_advice_requests(&ctx, open, after, first as u64).await?;
        let mut conn = Connection::new(after.is_some(), has_next);
        conn.edges.extend(rows.into_iter().map(|row| {
            let cursor = UrgencyCursor {
                due_on: row.due_on,
                id: row.id,
            }
            .encode();
            Edge::new(cursor, ProfessionalAdviceRequest(row))
        }));
        Ok(conn)
    }

    /// One advice request addressed to the signed-in professional or their service.
    async fn my_advice_request(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The advice request's global id.")] id: ID,
    ) -> Result<ProfessionalAdviceRequest> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::AdviceRequest, &id)?;
        Ok(ProfessionalAdviceRequest(
            svc::my_advice_request(&ctx, id).await?,
        ))
    }
}

/// The advice a professional gives.
#[derive(InputObject)]
pub struct SubmitAdviceInput {
    /// The advice request answered (a global id): addressed to the signed-in professional or their
    /// service, not yet answered (CONFLICT otherwise).
    advice_request_id: ID,
    /// The day the advice was given (default today); after the due date it shows as late.
    on: Option<Date>,
    /// The advice, in brief.
    summary: String,
    /// A URL or file name of the advice document.
    document_ref: Option<String>,
}

/// A professional's refusal to give the advice asked of them.
#[derive(InputObject)]
pub struct DeclineToAdviseInput {
    /// The advice request declined (a global id): addressed to the signed-in professional or their
    /// service, not yet answered (CONFLICT otherwise).
    advice_request_id: ID,
    /// The day they declined (default today in England); not in the future, not before the advice
    /// was asked for.
    on: Option<Date>,
    /// Why, e.g. advice already given is sufficient (reg 6(4)).
    reason: String,
}

/// Whose views a family gives with `giveViews`.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ViewsOf {
    /// The parent's or young person's own views.
    Parent,
    /// The child's views, as the family gives them.
    Child,
}

/// The views a parent or young person gives for the assessment, dated today.
#[derive(InputObject)]
pub struct GiveViewsInput {
    /// The assessment's global id: one of the signed-in family's.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// Whose views these are.
    whose: ViewsOf,
    /// The views, in the family's words.
    summary: String,
    /// A URL or file name of a document with the views.
    document_ref: Option<String>,
}

/// A family's response to the draft plan: comments, a meeting request or a school or college to
/// name (at least one), added to what they said before.
#[derive(InputObject)]
pub struct CommentOnDraftPlanInput {
    /// The assessment's global id: one of the signed-in family's, with a draft plan sent.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The family's comments on the draft plan.
    comments: Option<String>,
    /// Ask to meet the council about the draft (reg 13(1)(b)).
    #[graphql(default)]
    meeting_requested: bool,
    /// A school or college the family asks to be named (CFA 2014 s.38(2)(b)).
    requested_setting: Option<String>,
}

/// A mediation certificate against an assessment's appealable decision (a refusal to assess, a
/// refusal to issue a plan, or the final plan).
#[derive(InputObject)]
pub struct MediationCertificateInput {
    /// The assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The date on the certificate.
    on: Date,
}

/// A family's response to proposed changes to their plan: comments, a meeting request or a school
/// or college to name (at least one).
#[derive(InputObject)]
pub struct CommentOnAmendmentNoticeInput {
    /// The amendment's global id: one of the signed-in family's, with its notice sent.
    amendment_id: ID,
    /// The amendment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The family's comments on the proposed changes.
    comments: Option<String>,
    /// Ask to meet the council about the proposed changes.
    #[graphql(default)]
    meeting_requested: bool,
    /// A school or college the family asks to be named.
    requested_setting: Option<String>,
}

/// A family's request for a review meeting before the plan's review is due.
#[derive(InputObject)]
pub struct RequestReviewMeetingInput {
    /// The EHC plan's global id: an active plan of the signed-in family's.
    plan_id: ID,
    /// Why the family asks for a review now, in their words.
    reason: String,
}

/// A mediation certificate against a review's decision to keep the plan as it is.
#[derive(InputObject)]
pub struct ReviewMediationCertificateInput {
    /// The review's global id.
    review_id: ID,
    /// The review's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The date on the certificate.
    on: Date,
}

/// A mediation certificate against a final amended plan or a decision not to amend.
#[derive(InputObject)]
pub struct AmendmentMediationCertificateInput {
    /// The amendment's global id.
    amendment_id: ID,
    /// The amendment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The date on the certificate.
    on: Date,
}

/// A mediation certificate against a decision to cease the plan.
#[derive(InputObject)]
pub struct CeaseMediationCertificateInput {
    /// The EHC plan's global id.
    plan_id: ID,
    /// The plan's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The date on the certificate.
    on: Date,
}

#[derive(Default)]
pub struct ContributionsMutation;

#[Object]
impl ContributionsMutation {
    /// A professional gives the advice asked of them. Late advice is accepted and shown late.
    async fn submit_advice(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The advice.")] input: SubmitAdviceInput,
    ) -> Result<ProfessionalAdviceRequest> {
        let ctx = ctx(gql)?;
        let id = Id::parse(
            "adviceRequestId",
            Kind::AdviceRequest,
            &input.advice_request_id,
        )?;
        let answer = AdviceAnswer::Received {
            summary: &input.summary,
            document_ref: input.document_ref.as_deref(),
        };
        Ok(ProfessionalAdviceRequest(
            svc::answer_advice_request(&ctx, id, input.on.map(|d| d.0), answer).await?,
        ))
    }

    /// A professional declines to advise, with the reason.
    async fn decline_to_advise(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The refusal and its reason.")] input: DeclineToAdviseInput,
    ) -> Result<ProfessionalAdviceRequest> {
        let ctx = ctx(gql)?;
        let id = Id::parse(
            "adviceRequestId",
            Kind::AdviceRequest,
            &input.advice_request_id,
        )?;
        let answer = AdviceAnswer::Declined {
            reason: &input.reason,
        };
        Ok(ProfessionalAdviceRequest(
            svc::answer_advice_request(&ctx, id, input.on.map(|d| d.0), answer).await?,
        ))
    }

    /// A parent or young person gives their own or the child's views for the assessment.
    async fn give_views(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The views.")] input: GiveViewsInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = Id::parse("assessmentId", Kind::Assessment, &input.assessment_id)?;
        let whose = match input.whose {
            ViewsOf::Parent => Views::Parent,
            ViewsOf::Child => Views::Child,
        };
        Ok(Assessment(
            svc::give_views(
                &ctx,
                id,
                input.version,
                whose,
                &input.summary,
                input.document_ref.as_deref(),
            )
            .await?,
        ))
    }

    /// A parent or young person comments on the draft plan within their 15 days.
    async fn comment_on_draft_plan(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The response.")] input: CommentOnDraftPlanInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = Id::parse("assessmentId", Kind::Assessment, &input.assessment_id)?;
        let response = FamilyResponse {
            comments: input.comments,
            meeting_requested: input.meeting_requested,
            requested_setting: input.requested_setting,
        };
        Ok(Assessment(
            svc::comment_on_draft(&ctx, id, input.version, response).await?,
        ))
    }

    /// A parent or young person comments on the proposed changes to their plan, asks for a
    /// meeting or names a school or college, within the 15 days from the notice (SEND Regs
    /// 2014 reg 22(2)(c)). Dated today; after the 15 days it is a CONFLICT.
    async fn comment_on_amendment_notice(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The response.")] input: CommentOnAmendmentNoticeInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        let id = Id::parse("amendmentId", Kind::PlanAmendment, &input.amendment_id)?;
        let response = FamilyResponse {
            comments: input.comments,
            meeting_requested: input.meeting_requested,
            requested_setting: input.requested_setting,
        };
        Ok(PlanAmendment(
            svc::comment_on_amendment_notice(&ctx, id, input.version, response).await?,
        ))
    }

    /// A parent or young person asks the council for a review meeting before the review is
    /// due. The council answers by arranging one (`scheduleReview`) or declining with its
    /// reason (`declineReviewMeetingRequest`).
    async fn request_review_meeting(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, and why.")] input: RequestReviewMeetingInput,
    ) -> Result<ReviewMeetingRequest> {
        let ctx = ctx(gql)?;
        let plan_id = Id::parse("planId", Kind::EhcPlan, &input.plan_id)?;
        Ok(ReviewMeetingRequest(
            svc::request_review_meeting(&ctx, plan_id, &input.reason).await?,
        ))
    }

    /// A mediation certificate after a review that kept the plan as it is.
    async fn record_review_mediation_certificate(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review and the certificate's date.")]
        input: ReviewMediationCertificateInput,
    ) -> Result<AnnualReview> {
        let ctx = ctx(gql)?;
        let id = Id::parse("reviewId", Kind::AnnualReview, &input.review_id)?;
        svc::record_plan_mediation_certificate(
            &ctx,
            PlanAppeal::Review(id),
            input.version,
            input.on.0,
        )
        .await?;
        Ok(AnnualReview(plan_svc::load_review(&ctx, id).await?))
    }

    /// A mediation certificate after a final amended plan or a decision not to amend.
    async fn record_amendment_mediation_certificate(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The amendment and the certificate's date.")]
        input: AmendmentMediationCertificateInput,
    ) -> Result<PlanAmendment> {
        let ctx = ctx(gql)?;
        let id = Id::parse("amendmentId", Kind::PlanAmendment, &input.amendment_id)?;
        svc::record_plan_mediation_certificate(
            &ctx,
            PlanAppeal::Amendment(id),
            input.version,
            input.on.0,
        )
        .await?;
        Ok(PlanAmendment(plan_svc::load_amendment(&ctx, id).await?))
    }

    /// A mediation certificate after a decision to cease the plan.
    async fn record_cease_mediation_certificate(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan and the certificate's date.")]
        input: CeaseMediationCertificateInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let id = Id::parse("planId", Kind::EhcPlan, &input.plan_id)?;
        svc::record_plan_mediation_certificate(
            &ctx,
            PlanAppeal::Cease(id),
            input.version,
            input.on.0,
        )
        .await?;
        Ok(EhcPlan(plan_svc::load_plan(&ctx, id).await?))
    }

    /// Records a mediation certificate's date, which can extend the time to appeal.
    async fn record_mediation_certificate(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The assessment and the certificate's date.")]
        input: MediationCertificateInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = Id::parse("assessmentId", Kind::Assessment, &input.assessment_id)?;
        Ok(Assessment(
            svc::record_mediation_certificate(&ctx, id, input.version, input.on.0).await?,
        ))
    }
}
