//! Reasons for delays on late steps: the reference list, recording one on an assessment's,
//! a plan's, a review's or an amendment's late step, and the records' `delays`. The backlog
//! and timeliness count late steps by them (`BacklogSummary.overdueByReason`,
//! `Timeliness.lateByReason`). A reason never lifts a time limit.
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::backlog::Process;
use super::shared::DeadlineKind;
use super::{Id, Kind, ctx};
use crate::api::graphql::Date;
use crate::domain::backlog::Source;
use crate::domain::delay::DelayReason as DomainReason;
use crate::service::delays::{self as svc, LateCount, RecordDelay};

/// Why a step was late (no educational psychologist, advice late from health, a panel
/// date...). Not an exception: a late step stays late; managers count late steps by reason.
#[derive(SimpleObject)]
pub struct DelayReason {
    /// The reason's code, e.g. NO_EDUCATIONAL_PSYCHOLOGIST.
    code: String,
    /// The reason in plain words.
    label: String,
    /// The reason needs a note saying what happened ("Other").
    note_required: bool,
    /// Still offered for new delays.
    active: bool,
}

impl DelayReason {
    fn of(r: DomainReason, active: bool) -> Self {
        DelayReason {
            code: r.code,
            label: r.label,
            note_required: r.note_required,
            active,
        }
    }
}

/// A reason for a delay an admin adds (as data: no release needed).
#[derive(InputObject)]
pub struct DelayReasonInput {
    /// 1 to 40 characters of A-Z, 0-9 and _.
    code: String,
    /// The reason in plain words, as staff and families read it.
    label: String,
    /// Whether a delay given this reason needs a note saying what happened; false by default.
    #[graphql(default)]
    note_required: bool,
}

/// The reason recorded for one late step of a record.
pub struct StepDelay(pub svc::StepDelay);

/// The reason recorded for one late step of a record. A reason never lifts a time limit: the
/// step stays late.
#[Object]
impl StepDelay {
    /// The late step.
    async fn stage(&self) -> DeadlineKind {
        self.0.kind.into()
    }
    /// The advice request, for an advice step.
    async fn advice_request_id(&self) -> Option<ID> {
        self.0
            .advice_request_id
            .map(|id| Id::of(Kind::AdviceRequest, id))
    }
    /// The reason recorded.
    async fn reason(&self) -> DelayReason {
        DelayReason::of(self.0.reason.clone(), true)
    }
    /// The caseworker's note: shown to staff and admins only.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The day it was recorded (a later reason replaces it).
    async fn recorded_on(&self) -> Date {
        Date(self.0.recorded_on)
    }
}

/// Late steps at one stage for one reason.
#[derive(SimpleObject)]
pub struct LateByReason {
    /// The process the stage belongs to.
    process: Process,
    /// The stage (kind of deadline).
    stage: DeadlineKind,
    /// The reason recorded; null counts the late steps with no reason recorded.
    reason: Option<DelayReason>,
    /// How many late steps.
    count: i64,
}

pub fn late_by_reason(rows: Vec<LateCount>) -> Vec<LateByReason> {
    rows.into_iter()
        .map(|r| LateByReason {
            process: r.process.into(),
            stage: r.kind.into(),
            reason: r.reason.map(|r| DelayReason::of(r, true)),
            count: r.count,
        })
        .collect()
}

/// A reason for the delay of a needs assessment's late step.
#[derive(InputObject)]
pub struct AssessmentDelayInput {
    /// The needs assessment (its global id).
    assessment_id: ID,
    /// The late step: a decision, the advice, the final plan...
    stage: DeadlineKind,
    /// For an ADVICE_RESPONSE step: which advice request.
    advice_request_id: Option<ID>,
    /// The reason's code, from `delayReasons` (one still offered).
    reason_code: String,
    /// What happened, in the caseworker's words; required when the reason's `noteRequired`.
    /// Shown to staff and admins only.
    note: Option<String>,
}

/// A reason for the delay of an EHC plan's late step (the review due, a phase or council
/// transfer).
#[derive(InputObject)]
pub struct PlanDelayInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The late step: ANNUAL_REVIEW, TRANSFER_REVIEW, a phase transfer, TRANSFER_NOTICE or
    /// TRANSFER_OUT.
    stage: DeadlineKind,
    /// The reason's code, from `delayReasons` (one still offered).
    reason_code: String,
    /// What happened, in the caseworker's words; required when the reason's `noteRequired`.
    /// Shown to staff and admins only.
    note: Option<String>,
}

/// A reason for the delay of an annual review's late step.
#[derive(InputObject)]
pub struct ReviewDelayInput {
    /// The review (its global id).
    review_id: ID,
    /// The late step: invitations, advice, advice circulated, the report or the decision.
    stage: DeadlineKind,
    /// For a REVIEW_ADVICE step: which advice request.
    advice_request_id: Option<ID>,
    /// The reason's code, from `delayReasons` (one still offered).
    reason_code: String,
    /// What happened, in the caseworker's words; required when the reason's `noteRequired`.
    /// Shown to staff and admins only.
    note: Option<String>,
}

/// A reason for the delay of an amendment's late step.
#[derive(InputObject)]
pub struct AmendmentDelayInput {
    /// The amendment (its global id).
    amendment_id: ID,
    /// The late step: AMENDMENT_NOTICE, AMENDED_PLAN or DECISION_NOT_TO_AMEND.
    stage: DeadlineKind,
    /// The reason's code, from `delayReasons` (one still offered).
    reason_code: String,
    /// What happened, in the caseworker's words; required when the reason's `noteRequired`.
    /// Shown to staff and admins only.
    note: Option<String>,
}

#[derive(Default)]
pub struct DelayQuery;

#[Object]
impl DelayQuery {
    /// The reasons a late step's delay may be given (active first).
    async fn delay_reasons(&self, gql: &Context<'_>) -> Result<Vec<DelayReason>> {
        let ctx = ctx(gql)?;
        Ok(svc::reasons(&ctx)
            .await?
            .into_iter()
            .map(|(r, active)| DelayReason::of(r, active))
            .collect())
    }
}

#[derive(Default)]
pub struct DelayMutation;

async fn record(
    gql: &Context<'_>,
    source: Source,
    (field, id): (&'static str, &ID),
    stage: DeadlineKind,
    advice_request_id: Option<&ID>,
    reason_code: String,
    note: Option<String>,
) -> Result<StepDelay> {
    let ctx = ctx(gql)?;
    let input = RecordDelay {
        source,
        record_id: Id::parse(
            field,
            match source {
                Source::Assessment => Kind::Assessment,
                Source::Plan => Kind::EhcPlan,
                Source::Review => Kind::AnnualReview,
                Source::Amendment => Kind::PlanAmendment,
                Source::Dispute => Kind::Dispute,
                Source::Complaint => Kind::Complaint,
            },
            id,
        )?,
        kind: stage.into(),
        advice_request_id: advice_request_id
            .map(|a| Id::parse("adviceRequestId", Kind::AdviceRequest, a))
            .transpose()?,
        reason_code,
        note,
    };
    Ok(StepDelay(svc::record(&ctx, input).await?))
}

#[Object]
impl DelayMutation {
    /// Records why a needs assessment's step is (or was) late, replacing any reason given
    /// before. It does not lift the time limit: the step stays late.
    async fn record_assessment_delay(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The assessment, the late step and the reason")]
        input: AssessmentDelayInput,
    ) -> Result<StepDelay> {
        record(
            gql,
            Source::Assessment,
            ("assessmentId", &input.assessment_id),
            input.stage,
            input.advice_request_id.as_ref(),
            input.reason_code,
            input.note,
        )
        .await
    }
    /// Records why an EHC plan's step (the review due, a transfer) is or was late.
    async fn record_plan_delay(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, the late step and the reason")] input: PlanDelayInput,
    ) -> Result<StepDelay> {
        record(
            gql,
            Source::Plan,
            ("planId", &input.plan_id),
            input.stage,
            None,
            input.reason_code,
            input.note,
        )
        .await
    }
    /// Records why an annual review's step is or was late.
    async fn record_review_delay(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The review, the late step and the reason")] input: ReviewDelayInput,
    ) -> Result<StepDelay> {
        record(
            gql,
            Source::Review,
            ("reviewId", &input.review_id),
            input.stage,
            input.advice_request_id.as_ref(),
            input.reason_code,
            input.note,
        )
        .await
    }
    /// Records why an amendment's step is or was late.
    async fn record_amendment_delay(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The amendment, the late step and the reason")] input: AmendmentDelayInput,
    ) -> Result<StepDelay> {
        record(
            gql,
            Source::Amendment,
            ("amendmentId", &input.amendment_id),
            input.stage,
            None,
            input.reason_code,
            input.note,
        )
        .await
    }
    /// Adds a reason for delays (admins).
    async fn add_delay_reason(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The new reason's code, label and whether it needs a note")]
        input: DelayReasonInput,
    ) -> Result<DelayReason> {
        let ctx = ctx(gql)?;
        let reason = svc::add_reason(
            &ctx,
            DomainReason {
                code: input.code,
                label: input.label,
                note_required: input.note_required,
            },
        )
        .await?;
        Ok(DelayReason::of(reason, true))
    }
}
