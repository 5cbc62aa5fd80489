//! The other side of casework: professionals answering the advice requests addressed to them
//! (for assessments and reviews), families giving their views, commenting on a draft or on
//! proposed amendments, asking for a review meeting and recording mediation certificates, and
//! the log of who has read a child's record. Each change goes through the same state machine,
//! version check and audit event as a caseworker's action.
use crate::domain::audit::AuditAction;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde_json::json;

use super::Ctx;
use super::advice::AdviceAnswer;
use super::assessment::{
    self as casework, AssessmentRecord, apply_advice_answer, apply_parent_response, finish, prepare,
};
use super::plan::{self, AmendmentRecord};
use crate::domain::access::{Role, Scope};
use crate::domain::advice::AdviceService;
use crate::domain::amendment::{AmendmentAction, amendment_appeal, amendment_comments_until};
use crate::domain::assessment::{AssessmentAction, draft_comments_until};
use crate::domain::calendar::long_date;
use crate::domain::input::FamilyResponse;
use crate::domain::input::required_text;
use crate::domain::people::parse_optional_name;
use crate::domain::plan::{PlanStatus, cease_appeal};
use crate::domain::review::{ReviewAction, review_appeal};
use crate::domain::review_request::check_review_request;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::entity::{
    access_log, advice_request, annual_review, assessment, child, ehc_plan, parent, plan_amendment,
    professional, review_meeting_request, staff,
};
use crate::store::scope::{addressed_to_professional, visible_children};

// ---------- professionals ----------

/// The professional behind the actor, or FORBIDDEN.
fn professional_scope(ctx: &Ctx<'_>) -> ApiResult<(i64, i64, String)> {
    match &ctx.actor.scope {
        Scope::Professional {
            la_id,
            professional_id,
            service,
        } => Ok((*la_id, *professional_id, service.clone())),
        _ if ctx.actor.role == Role::Professional => Err(ApiError::forbidden(
            "no professional record matches this sign-in; ask the local authority to add you",
        )),
        _ => Err(ApiError::forbidden(
            "only professionals have advice requests addressed to them",
        )),
    }
}

/// Where a page of advice requests starts: after this due date and id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UrgencyCursor {
    pub due_on: NaiveDate,
    pub id: i64,
}

impl UrgencyCursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.due_on, self.id)
    }
    pub fn decode(raw: &str) -> Option<Self> {
        let (due_on, id) = raw.split_once('_')?;
        Some(Self {
            due_on: due_on.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// The advice requests addressed to the signed-in professional (by name or to their
/// service in their LA), most urgent first: earliest due date, then oldest request.
pub async fn my_advice_requests(
    ctx: &Ctx<'_>,
    open: Option<bool>,
    after: Option<UrgencyCursor>,
    first: u64,
) -> ApiResult<(Vec<advice_request::Model>, bool)> {
    let (la_id, professional_id, service) = professional_scope(ctx)?;
    let to = crate::store::advice::AddressedTo {
        la_id,
        professional_id,
        service,
    };
    Ok(crate::store::advice::addressed_to(
        ctx.db,
        &to,
        open,
        after.map(|a| (a.due_on, a.id)),
        first,
    )
    .await?)
}

/// One advice request addressed to the signed-in professional, or NOT_FOUND.
pub async fn my_advice_request(ctx: &Ctx<'_>, id: i64) -> ApiResult<advice_request::Model> {
    let (la_id, professional_id, service) = professional_scope(ctx)?;
    advice_request::Entity::find_by_id(id)
        .filter(addressed_to_professional(la_id, professional_id, &service))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("advice request"))
}

/// A professional answers an advice request addressed to them, for a needs assessment or an
/// annual review: advice given or declined, dated today unless they say otherwise. Answering
/// after the due date is allowed and shows as late.
pub async fn answer_advice_request(
    ctx: &Ctx<'_>,
    advice_id: i64,
    on: Option<NaiveDate>,
    answer: AdviceAnswer<'_>,
) -> ApiResult<advice_request::Model> {
    let advice = my_advice_request(ctx, advice_id).await?;
    let (_, professional_id, _) = professional_scope(ctx)?;
    let on = on.or(Some(ctx.today()));
    // The professional sees the request, not the whole case: the assessment or review is
    // loaded without the caller's scope, having checked above that the request is theirs.
    match (advice.assessment_id, advice.review_id) {
        (Some(assessment_id), _) => {
            let record = casework::load_unscoped(ctx, assessment_id).await?;
            if record.row.closed_on.is_some() {
                return Err(ApiError::conflict(
                    "the assessment has closed, so this advice is no longer needed",
                ));
            }
            let version = record.row.version;
            let step = prepare(ctx, record, version, AssessmentAction::RecordAdvice, on)?;
            apply_advice_answer(ctx, step, advice_id, answer, Some(professional_id)).await?;
        }
        (None, Some(review_id)) => {
            let record = plan::load_review_unscoped(ctx, review_id).await?;
            if record.row.closed_on.is_some() {
                return Err(ApiError::conflict(
                    "the review has finished, so this advice is no longer needed",
                ));
            }
            let version = record.row.version;
            let step = plan::prepare_review(ctx, record, version, ReviewAction::RecordAdvice, on)?;
            plan::apply_review_advice_answer(ctx, step, advice_id, answer, Some(professional_id))
                .await?;
        }
        (None, None) => {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "advice request {advice_id} belongs to neither an assessment nor a review"
            )));
        }
    }
    my_advice_request(ctx, advice_id).await
}

/// The children advice requests addressed to the professional are about, as
/// (advice request id, child): one query and one logged read per request, for a whole page.
pub async fn advice_children(
    ctx: &Ctx<'_>,
    keys: &[(i64, i64)],
) -> ApiResult<Vec<(i64, child::Model)>> {
    let children: std::collections::HashMap<i64, child::Model> = child::Entity::find()
        .filter(crate::store::ids_in(
            ctx.db,
            child::Column::Id,
            keys.iter().map(|k| k.1),
        ))
        .all(ctx.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let found: Vec<(i64, child::Model)> = keys
        .iter()
        .filter_map(|&(advice_id, child_id)| Some((advice_id, children.get(&child_id)?.clone())))
        .collect();
    let reads: Vec<(i64, i64, Option<i64>)> = found
        .iter()
        .map(|(advice_id, c)| (c.la_id, c.id, Some(*advice_id)))
        .collect();
    log_reads(ctx, "advice_request", &reads).await?;
    Ok(found)
}

/// The caseworkers of these assessments, as (assessment id, staff), for the professionals
/// asked for advice on them.
pub async fn advice_caseworkers(
    ctx: &Ctx<'_>,
    assessment_ids: &[i64],
) -> ApiResult<Vec<(i64, staff::Model)>> {
    let assessments = assessment::Entity::find()
        .filter(crate::store::ids_in(
            ctx.db,
            assessment::Column::Id,
            assessment_ids.iter().copied(),
        ))
        .all(ctx.db)
        .await?;
    let staff_ids: Vec<i64> = assessments.iter().filter_map(|a| a.caseworker_id).collect();
    if staff_ids.is_empty() {
        return Ok(Vec::new());
    }
    let staff: std::collections::HashMap<i64, staff::Model> = staff::Entity::find()
        .filter(crate::store::ids_in(ctx.db, staff::Column::Id, staff_ids))
        .all(ctx.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    Ok(assessments
        .into_iter()
        .filter_map(|a| Some((a.id, staff.get(&a.caseworker_id?)?.clone())))
        .collect())
}

/// The meeting days of reviews the caller reached through records loaded in their scope.
pub async fn review_meetings_on(
    ctx: &Ctx<'_>,
    review_ids: &[i64],
) -> ApiResult<Vec<(i64, NaiveDate)>> {
    Ok(annual_review::Entity::find()
        .filter(crate::store::ids_in(
            ctx.db,
            annual_review::Column::Id,
            review_ids.iter().copied(),
        ))
        .all(ctx.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.meeting_on))
        .collect())
}

/// Who asked for a review meeting, in words: the young person, or the parent or carer.
pub async fn review_request_asker(
    ctx: &Ctx<'_>,
    request: &review_meeting_request::Model,
) -> ApiResult<String> {
    if request.requested_by_young_person {
        let name = child::Entity::find_by_id(request.child_id)
            .one(ctx.db)
            .await?
            .map(|c| c.preferred_name.unwrap_or(c.legal_name))
            .unwrap_or_default();
        return Ok(format!("{name} (the young person)"));
    }
    let parent = match request.requested_by_parent_id {
        Some(id) => parent::Entity::find_by_id(id).one(ctx.db).await?,
        None => None,
    };
    Ok(match parent {
        Some(p) => format!("{} (parent or carer)", p.name),
        None => "a parent or carer".to_owned(),
    })
}

// ---------- families ----------

/// Whose views a family gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Views {
    Parent,
    Child,
}

impl Views {
    fn service(self) -> AdviceService {
        match self {
            Views::Parent => AdviceService::ParentView,
            Views::Child => AdviceService::ChildView,
        }
    }
}

/// An assessment of the signed-in family's own child, or NOT_FOUND (FORBIDDEN for others).
async fn family_case(ctx: &Ctx<'_>, id: i64) -> ApiResult<AssessmentRecord> {
    if ctx.actor.role != Role::Parent {
        return Err(ApiError::forbidden(
            "this is for parents and young people; caseworkers record the family's response \
             with recordParentResponse",
        ));
    }
    casework::load(ctx, id).await
}

/// Families act on the day they act: no backdating.
fn family_date(ctx: &Ctx<'_>) -> Option<NaiveDate> {
    Some(ctx.today())
}

/// Parents and young people only; caseworkers have their own mutation for the same record.
fn require_family(ctx: &Ctx<'_>, caseworkers_use: &str) -> ApiResult<()> {
    if ctx.actor.role == Role::Parent {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "this is for parents and young people; caseworkers use {caseworkers_use}"
        )))
    }
}

/// A parent or young person comments on the draft plan, asks for a meeting or names a
/// school or college, within their 15 days (reg 13(1); CFA 2014 s.38).
pub async fn comment_on_draft(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    response: FamilyResponse,
) -> ApiResult<AssessmentRecord> {
    let record = family_case(ctx, id).await?;
    let today = ctx.today();
    if let Some(sent) = record.row.draft_sent_on {
        let until = draft_comments_until(sent);
        if today > until {
            return Err(ApiError::conflict(format!(
                "the 15 days to comment on the draft plan ended on {}; please contact your \
                 caseworker",
                long_date(until)
            )));
        }
    }
    let step = prepare(
        ctx,
        record,
        version,
        AssessmentAction::RecordParentResponse,
        family_date(ctx),
    )?;
    apply_parent_response(ctx, step, response).await
}

/// A parent or young person gives their own views, or the child's, as a contribution to the
/// assessment (reg 6(1)(a); CFA 2014 s.19). It answers an open request for those views, or
/// is logged as a new contribution.
pub async fn give_views(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    whose: Views,
    summary: &str,
    document_ref: Option<&str>,
) -> ApiResult<AssessmentRecord> {
    let record = family_case(ctx, id).await?;
    let service = whose.service();
    let open = record
        .advice
        .iter()
        .find(|a| {
            a.service == service.as_str() && a.received_on.is_none() && a.declined_on.is_none()
        })
        .map(|a| a.id);
    let (la_id, child_id) = (record.row.la_id, record.row.child_id);
    let step = prepare(
        ctx,
        record,
        version,
        AssessmentAction::RecordAdvice,
        family_date(ctx),
    )?;
    let on = step.on;
    let summary = required_text("summary", summary)?;
    let document_ref = parse_optional_name("documentRef", document_ref)?;
    let txn = ctx.db.begin().await?;
    let advice_id = match open {
        Some(advice_id) => {
            let answered = advice_request::Entity::update_many()
                .col_expr(advice_request::Column::ReceivedOn, Expr::value(on))
                .col_expr(advice_request::Column::Summary, Expr::value(summary))
                .col_expr(
                    advice_request::Column::DocumentRef,
                    Expr::value(document_ref),
                )
                .filter(advice_request::Column::Id.eq(advice_id))
                .filter(advice_request::Column::ReceivedOn.is_null())
                .filter(advice_request::Column::DeclinedOn.is_null())
                .exec(&txn)
                .await?;
            if answered.rows_affected != 1 {
                return Err(ApiError::stale("assessment"));
            }
            advice_id
        }
        // Logged as asked for and given on the same day; the views have no deadline.
        None => {
            advice_request::ActiveModel {
                id: NotSet,
                la_id: Set(la_id),
                child_id: Set(child_id),
                assessment_id: Set(Some(id)),
                review_id: Set(None),
                service: Set(service.as_str().to_owned()),
                professional_id: Set(None),
                addressed_to: Set(None),
                requested_on: Set(on),
                due_on: Set(crate::domain::timescales::DeadlineKind::AdviceResponse.due_from(on)),
                received_on: Set(Some(on)),
                summary: Set(Some(summary)),
                document_ref: Set(document_ref),
                declined_on: Set(None),
                decline_reason: Set(None),
                created_at: Set(ctx.now),
            }
            .insert(&txn)
            .await?
            .id
        }
    };
    finish(
        ctx,
        &txn,
        step,
        json!({"adviceRequestId": advice_id, "views": service.as_str(), "received": true}),
    )
    .await?;
    txn.commit().await?;
    casework::load(ctx, id).await
}

/// A parent or young person comments on the proposed changes to the plan, asks for a meeting
/// or names a school or college, within the 15 days from the amendment notice (reg 22(2)(c)).
pub async fn comment_on_amendment_notice(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    response: FamilyResponse,
) -> ApiResult<AmendmentRecord> {
    require_family(ctx, "recordAmendmentResponse")?;
    let record = plan::load_amendment(ctx, id).await?;
    let Some(sent) = record.row.notice_sent_on else {
        return Err(ApiError::conflict(
            "the council has not sent you the proposed changes yet, so there is nothing to \
             comment on",
        ));
    };
    if record.row.closed_on.is_some() {
        return Err(ApiError::conflict(
            "this amendment has finished, so it no longer takes comments; please contact your \
             caseworker",
        ));
    }
    if record.row.dispute_id.is_some() {
        return Err(ApiError::conflict(
            "this amendment carries out the Tribunal's order (or what was agreed), so it has no \
             time for comments; please contact your caseworker",
        ));
    }
    let until = amendment_comments_until(sent);
    if ctx.today() > until {
        return Err(ApiError::conflict(format!(
            "the 15 days to comment on the proposed changes to the EHC plan ended on {}; please \
             contact your caseworker",
            long_date(until)
        )));
    }
    let step = plan::prepare_amendment(
        ctx,
        record,
        version,
        AmendmentAction::RecordParentResponse,
        family_date(ctx),
    )?;
    plan::apply_amendment_response(ctx, step, response).await
}

/// A parent or young person asks the council for a review meeting before the plan's review
/// is due (CFA 2014 s.44(1) lets the council review at any time). Logged with its audit
/// event; answered when a review is arranged or the council declines with its reason.
pub async fn request_review_meeting(
    ctx: &Ctx<'_>,
    plan_id: i64,
    reason: &str,
) -> ApiResult<review_meeting_request::Model> {
    require_family(ctx, "scheduleReview")?;
    let plan = plan::load_plan(ctx, plan_id).await?;
    let (parent_id, young_person) = match &ctx.actor.scope {
        Scope::Family {
            young_person_child_id,
            ..
        } if *young_person_child_id == Some(plan.row.child_id) => (None, true),
        Scope::Family { parent_id, .. } => (*parent_id, false),
        _ => return Err(ApiError::forbidden("this is for parents and young people")),
    };
    let open = review_meeting_request::Entity::find()
        .filter(review_meeting_request::Column::PlanId.eq(plan_id))
        .filter(review_meeting_request::Column::AnsweredOn.is_null())
        .one(ctx.db)
        .await?;
    check_review_request(
        plan.status()? == PlanStatus::Active,
        plan.open_review.as_ref().map(|r| r.meeting_on),
        open.map(|r| r.requested_on),
    )
    .map_err(|e| ApiError::conflict(e.to_string()))?;
    let reason = required_text("reason", reason)?;
    let on = ctx.today();
    let txn = ctx.db.begin().await?;
    let request = review_meeting_request::ActiveModel {
        id: NotSet,
        la_id: Set(plan.row.la_id),
        child_id: Set(plan.row.child_id),
        plan_id: Set(plan_id),
        requested_on: Set(on),
        reason: Set(reason),
        requested_by_parent_id: Set(parent_id),
        requested_by_young_person: Set(young_person),
        requested_by_subject: Set(ctx.actor.subject.clone()),
        answered_on: Set(None),
        outcome: Set(None),
        review_id: Set(None),
        decline_reason: Set(None),
        answered_by_staff_id: Set(None),
        created_at: Set(ctx.now),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if crate::store::is_unique_violation(&e) {
            ApiError::conflict(
                "a request for a review meeting for this plan is already waiting for an answer",
            )
        } else {
            e.into()
        }
    })?;
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: Some(plan.row.la_id),
            child_id: Some(plan.row.child_id),
            entity: "review_meeting_request",
            entity_id: request.id,
            action: AuditAction::Request,
            summary: json!({"planId": plan_id, "on": on, "youngPerson": young_person}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(request)
}

/// Records the date of a mediation certificate, which can extend the time to appeal
/// (CFA 2014 s.55(5)). Caseworkers or the family may record it.
pub async fn record_mediation_certificate(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    on: NaiveDate,
) -> ApiResult<AssessmentRecord> {
    let record = match ctx.actor.role {
        Role::Parent => family_case(ctx, id).await?,
        _ => {
            ctx.require(crate::domain::access::Permission::ManageCasework)?;
            casework::load(ctx, id).await?
        }
    };
    let Some((_, decided_on)) = casework::appealable_decision(&record.row) else {
        return Err(ApiError::conflict(
            "there is no decision to appeal against on this assessment",
        ));
    };
    if on > ctx.today() {
        return Err(ApiError::validation("on", "must not be in the future"));
    }
    if on < decided_on {
        return Err(ApiError::validation(
            "on",
            format!("must not be before the decision ({decided_on})"),
        ));
    }
    if record.row.version != version {
        return Err(ApiError::stale("assessment"));
    }
    let txn = ctx.db.begin().await?;
    let updated = assessment::Entity::update_many()
        .col_expr(assessment::Column::MediationCertificateOn, Expr::value(on))
        .col_expr(assessment::Column::Version, Expr::value(version + 1))
        .col_expr(assessment::Column::UpdatedAt, Expr::value(ctx.now))
        .filter(assessment::Column::Id.eq(id))
        .filter(assessment::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::stale("assessment"));
    }
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: Some(record.row.la_id),
            child_id: Some(record.row.child_id),
            entity: "assessment",
            entity_id: id,
            action: AuditAction::RecordMediationCertificate,
            summary: json!({"on": on, "version": version + 1}),
        },
    )
    .await?;
    txn.commit().await?;
    casework::load(ctx, id).await
}

/// A decision on a plan that the family can appeal, by the record it was made on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanAppeal {
    /// A review that kept the plan as it is.
    Review(i64),
    /// The final amended plan, or a decision not to amend.
    Amendment(i64),
    /// The decision to cease the plan, by the plan's id.
    Cease(i64),
}

/// Records a mediation certificate against a decision on a plan (CFA 2014 s.55(5)); the
/// appeal window on that record moves with it. Caseworkers or the family may record it.
pub async fn record_plan_mediation_certificate(
    ctx: &Ctx<'_>,
    decision: PlanAppeal,
    version: i32,
    on: NaiveDate,
) -> ApiResult<()> {
    if ctx.actor.role != Role::Parent {
        ctx.require(crate::domain::access::Permission::ManageCasework)?;
    }
    let (la_id, child_id, current, window, what) = match decision {
        PlanAppeal::Review(id) => {
            let r = plan::load_review(ctx, id).await?;
            let window = review_appeal(&r.facts()?, None);
            (r.row.la_id, r.row.child_id, r.row.version, window, "review")
        }
        PlanAppeal::Amendment(id) => {
            let a = plan::load_amendment(ctx, id).await?;
            let window = amendment_appeal(&a.facts(), None);
            (
                a.row.la_id,
                a.row.child_id,
                a.row.version,
                window,
                "amendment",
            )
        }
        PlanAppeal::Cease(id) => {
            let p = plan::load_plan(ctx, id).await?;
            let window = cease_appeal(&p.facts()?, None);
            (p.row.la_id, p.row.child_id, p.row.version, window, "plan")
        }
    };
    if ctx.actor.role != Role::Parent {
        plan::require_casework(ctx, la_id)?;
    }
    let Some(window) = window else {
        return Err(ApiError::conflict(format!(
            "there is no decision to appeal against on this {what}"
        )));
    };
    if on > ctx.today() {
        return Err(ApiError::validation("on", "must not be in the future"));
    }
    if on < window.decided_on {
        return Err(ApiError::validation(
            "on",
            format!("must not be before the decision ({})", window.decided_on),
        ));
    }
    if current != version {
        return Err(ApiError::stale(what));
    }
    let txn = ctx.db.begin().await?;
    let (entity, entity_id, updated) = match decision {
        PlanAppeal::Review(id) => (
            "annual_review",
            id,
            annual_review::Entity::update_many()
                .col_expr(
                    annual_review::Column::MediationCertificateOn,
                    Expr::value(on),
                )
                .col_expr(annual_review::Column::Version, Expr::value(version + 1))
                .col_expr(annual_review::Column::UpdatedAt, Expr::value(ctx.now))
                .filter(annual_review::Column::Id.eq(id))
                .filter(annual_review::Column::Version.eq(version))
                .exec(&txn)
                .await?,
        ),
        PlanAppeal::Amendment(id) => (
            "plan_amendment",
            id,
            plan_amendment::Entity::update_many()
                .col_expr(
                    plan_amendment::Column::MediationCertificateOn,
                    Expr::value(on),
                )
                .col_expr(plan_amendment::Column::Version, Expr::value(version + 1))
                .col_expr(plan_amendment::Column::UpdatedAt, Expr::value(ctx.now))
                .filter(plan_amendment::Column::Id.eq(id))
                .filter(plan_amendment::Column::Version.eq(version))
                .exec(&txn)
                .await?,
        ),
        PlanAppeal::Cease(id) => (
            "ehc_plan",
            id,
            ehc_plan::Entity::update_many()
                .col_expr(ehc_plan::Column::MediationCertificateOn, Expr::value(on))
                .col_expr(ehc_plan::Column::Version, Expr::value(version + 1))
                .col_expr(ehc_plan::Column::UpdatedAt, Expr::value(ctx.now))
                .filter(ehc_plan::Column::Id.eq(id))
                .filter(ehc_plan::Column::Version.eq(version))
                .exec(&txn)
                .await?,
        ),
    };
    if updated.rows_affected != 1 {
        return Err(ApiError::stale(what));
    }
    audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        AuditEntry {
            la_id: Some(la_id),
            child_id: Some(child_id),
            entity,
            entity_id,
            action: AuditAction::RecordMediationCertificate,
            summary: json!({"on": on, "version": version + 1}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------- who has read a child's record ----------

/// Logs that staff or a professional read a child's record (families reading their own
/// child's record are not logged). A failure to log is reported, never swallowed.
pub async fn log_read(
    ctx: &Ctx<'_>,
    la_id: i64,
    child_id: i64,
    record: &str,
    record_id: Option<i64>,
) -> ApiResult<()> {
    log_reads(ctx, record, &[(la_id, child_id, record_id)]).await
}

/// Logs reads of several children's records of one kind, as (LA, child, record id), in one
/// statement.
pub async fn log_reads(
    ctx: &Ctx<'_>,
    record: &str,
    reads: &[(i64, i64, Option<i64>)],
) -> ApiResult<()> {
    if ctx.actor.role == Role::Parent || reads.is_empty() {
        return Ok(());
    }
    let professional_id = match &ctx.actor.scope {
        Scope::Professional {
            professional_id, ..
        } => Some(*professional_id),
        _ => None,
    };
    let rows = reads
        .iter()
        .map(|&(la_id, child_id, record_id)| access_log::ActiveModel {
            id: NotSet,
            la_id: Set(la_id),
            child_id: Set(child_id),
            viewed_at: Set(ctx.now),
            actor_subject: Set(ctx.actor.subject.clone()),
            actor_role: Set(ctx.actor.role.as_str().to_owned()),
            staff_id: Set(ctx.actor.staff_id),
            professional_id: Set(professional_id),
            record: Set(record.to_owned()),
            record_id: Set(record_id),
        });
    access_log::Entity::insert_many(rows)
        .exec_without_returning(ctx.db)
        .await?;
    Ok(())
}

/// One read of a child's record, with who read it as the family would understand.
pub struct RecordView {
    pub viewed_at: DateTime<Utc>,
    pub role: String,
    /// The person's name and, for a professional, their service; never contact details.
    pub who: String,
    pub record: String,
}

/// Who has read this child's record, newest first: for the family, and for managers
/// answering a subject access request.
pub async fn views_of_child(
    ctx: &Ctx<'_>,
    child_id: i64,
    la_id: i64,
    limit: u64,
) -> ApiResult<Vec<RecordView>> {
    let allowed = match ctx.actor.role {
        Role::Parent | Role::Admin | Role::Manager => true,
        Role::Caseworker | Role::Professional => false,
    };
    if !allowed {
        return Err(ApiError::forbidden(
            "the record of who has viewed a child's file is for the family and managers",
        ));
    }
    // The child itself must be visible to the caller: enforced in the query.
    let rows = access_log::Entity::find()
        .filter(access_log::Column::ChildId.eq(child_id))
        .filter(visible_children(
            &ctx.actor.scope,
            access_log::Column::LaId,
            access_log::Column::ChildId,
        ))
        .filter(access_log::Column::LaId.eq(la_id))
        .order_by_desc(access_log::Column::ViewedAt)
        .order_by_desc(access_log::Column::Id)
        .limit(limit.clamp(1, crate::store::page::MAX_PAGE_SIZE))
        .all(ctx.db)
        .await?;
    let staff_ids: Vec<i64> = rows.iter().filter_map(|r| r.staff_id).collect();
    let professional_ids: Vec<i64> = rows.iter().filter_map(|r| r.professional_id).collect();
    let staff = staff::Entity::find()
        .filter(crate::store::ids_in(ctx.db, staff::Column::Id, staff_ids))
        .all(ctx.db)
        .await?;
    let professionals = professional::Entity::find()
        .filter(crate::store::ids_in(
            ctx.db,
            professional::Column::Id,
            professional_ids,
        ))
        .all(ctx.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let who = if let Some(s) = r.staff_id.and_then(|id| staff.iter().find(|s| s.id == id)) {
                format!("{} ({})", s.name, r.actor_role)
            } else if let Some(p) = r
                .professional_id
                .and_then(|id| professionals.iter().find(|p| p.id == id))
            {
                let service = p
                    .service
                    .parse::<AdviceService>()
                    .map_or_else(|_| p.service.clone(), |s| s.label().to_owned());
                format!("{}, {service}", p.name)
            } else {
                format!("a {} of the council", r.actor_role)
            };
            RecordView {
                viewed_at: r.viewed_at,
                role: r.actor_role,
                who,
                record: r.record,
            }
        })
        .collect())
}
