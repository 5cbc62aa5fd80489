//! Relay's Global Object Identification: every entity is a `Node` with a global id, and
//! `node(id:)` / `nodes(ids:)` find one by that id under exactly the rule of the field that
//! shows it otherwise (`child(id:)`, `assessment(id:)`, a plan's meeting requests, the staff
//! directory...). A part of a record (an advice request, a consultation, an exception) is found
//! through its owner's lookup, so it reaches nobody who could not reach the owner.
use async_graphql::{Context, ID, Interface, Object, Result};

use super::administrators::Administrator;
use super::assessment::{
    AdviceRequest, Assessment, RecordedAssessmentException, SettingConsultation, find_assessment,
};
use super::contributions::ProfessionalAdviceRequest;
use super::disputes::{Complaint, Dispute, Remedy};
use super::messages::{Message, WebhookSubscription};
use super::people::{
    AuditEvent, Child, LocalAuthority, Locality, Parent, Professional, StaffMember, Team,
    find_child, find_local_authority,
};
use super::plan::{AnnualReview, EhcPlan, PlanAmendment, ReviewMeetingRequest};
use super::{Id, Kind, ctx};
use crate::domain::access::Role;
use crate::error::{ApiError, ApiResult};
use crate::service::Ctx;
use crate::service::{administrators, contributions, people, plan};
use crate::store::owners::{self, Owner, Part};
use crate::store::page::MAX_PAGE_SIZE;

/// An object with a global id, which `node(id:)` finds again.
// One value per answer of `node`, never stored: boxing the large records would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The object's global id: opaque, unique across every type, and stable; give it to \
            `node(id:)` to fetch the object again."
))]
pub enum Node {
    LocalAuthority(LocalAuthority),
    Locality(Locality),
    Team(Team),
    StaffMember(StaffMember),
    Professional(Professional),
    Administrator(Administrator),
    Child(Child),
    Parent(Parent),
    AuditEvent(AuditEvent),
    Assessment(Assessment),
    AdviceRequest(AdviceRequest),
    ProfessionalAdviceRequest(ProfessionalAdviceRequest),
    SettingConsultation(SettingConsultation),
    RecordedAssessmentException(RecordedAssessmentException),
    EhcPlan(EhcPlan),
    AnnualReview(AnnualReview),
    ReviewMeetingRequest(ReviewMeetingRequest),
    PlanAmendment(PlanAmendment),
    Dispute(Dispute),
    Complaint(Complaint),
    Remedy(Remedy),
    Message(Message),
    WebhookSubscription(WebhookSubscription),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id, if the signed-in person may see it; null when it does
    /// not exist or they may not (the two are not told apart). An id that is not one of this
    /// API's is `VALIDATION`.
    async fn node(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "A global id from any object's `id`")] id: ID,
    ) -> Result<Option<Node>> {
        let ctx = ctx(gql)?;
        let (kind, row) = decode("id", &id)?;
        Ok(visible(find(&ctx, kind, row).await)?)
    }

    /// The objects with these global ids, in the same order, each null where `node` would
    /// give null. At most 100 ids, each once; costed as a page of that many.
    async fn nodes(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Global ids from objects' `id`; at most 100")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        let ctx = ctx(gql)?;
        if ids.len() as u64 > MAX_PAGE_SIZE {
            return Err(ApiError::validation("ids", "at most 100 ids at once").into());
        }
        let decoded = ids
            .iter()
            .map(|id| decode("ids", id))
            .collect::<ApiResult<Vec<_>>>()?;
        // Each record once: a repeat would be looked up (and its read logged) again.
        for (i, key) in decoded.iter().enumerate() {
            if decoded[..i].contains(key) {
                return Err(ApiError::validation("ids", "an id is given twice").into());
            }
        }
        let mut found = Vec::with_capacity(decoded.len());
        for (kind, row) in decoded {
            found.push(visible(find(&ctx, kind, row).await)?);
        }
        Ok(found)
    }
}

fn decode(field: &'static str, id: &ID) -> ApiResult<(Kind, i64)> {
    Id::decode(id).ok_or_else(|| ApiError::validation(field, "not an id from this API"))
}

/// A refusal is a null: `node` does not say whether the record exists.
fn visible(found: ApiResult<Node>) -> ApiResult<Option<Node>> {
    match found {
        Ok(node) => Ok(Some(node)),
        Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

async fn find(ctx: &Ctx<'_>, kind: Kind, id: i64) -> ApiResult<Node> {
    Ok(match kind {
        Kind::LocalAuthority => Node::LocalAuthority(find_local_authority(ctx, id).await?),
        Kind::Locality => Node::Locality(Locality(people::locality(ctx, id).await?)),
        Kind::Team => Node::Team(Team(people::team(ctx, id).await?)),
        Kind::StaffMember => Node::StaffMember(StaffMember(people::staff_member(ctx, id).await?)),
        Kind::Professional => {
            Node::Professional(Professional(people::professional(ctx, id).await?))
        }
        Kind::Administrator => Node::Administrator(Administrator(
            administrators::administrators(ctx)
                .await?
                .into_iter()
                .find(|a| a.id == id)
                .ok_or_else(|| ApiError::not_found("administrator"))?,
        )),
        Kind::Child => Node::Child(find_child(ctx, id).await?),
        Kind::Parent => Node::Parent(Parent(people::parent(ctx, id).await?)),
        Kind::AuditEvent => Node::AuditEvent(AuditEvent(people::audit_event(ctx, id).await?)),
        Kind::Assessment => Node::Assessment(find_assessment(ctx, id).await?),
        Kind::AdviceRequest if ctx.actor.role == Role::Professional => {
            Node::ProfessionalAdviceRequest(ProfessionalAdviceRequest(
                contributions::my_advice_request(ctx, id).await?,
            ))
        }
        Kind::AdviceRequest => {
            let advice = match owner(ctx, Part::AdviceRequest(id), "advice request").await? {
                Owner::Assessment(a) => find_assessment(ctx, a).await?.0.advice,
                Owner::Review(r) => plan::load_review(ctx, r).await?.advice,
            };
            Node::AdviceRequest(AdviceRequest(
                advice
                    .into_iter()
                    .find(|a| a.id == id)
                    .ok_or_else(|| ApiError::not_found("advice request"))?,
            ))
        }
        Kind::SettingConsultation => Node::SettingConsultation(SettingConsultation(
            owning_assessment(ctx, Part::SettingConsultation(id), "consultation")
                .await?
                .consultations
                .into_iter()
                .find(|c| c.id == id)
                .ok_or_else(|| ApiError::not_found("consultation"))?,
        )),
        Kind::AssessmentException => {
            let record = owning_assessment(ctx, Part::AssessmentException(id), "exception").await?;
            let (e, reason) = record
                .exceptions
                .iter()
                .find(|(e, _)| e.id == id)
                .ok_or_else(|| ApiError::not_found("exception"))?;
            Node::RecordedAssessmentException(RecordedAssessmentException::of(e, reason))
        }
        Kind::EhcPlan => Node::EhcPlan(EhcPlan(plan::load_plan(ctx, id).await?)),
        Kind::Dispute => Node::Dispute(Dispute(crate::service::disputes::load(ctx, id).await?)),
        Kind::Complaint => {
            Node::Complaint(Complaint(crate::service::complaints::load(ctx, id).await?))
        }
        Kind::Message => Node::Message(Message(crate::service::messages::load(ctx, id).await?)),
        Kind::WebhookSubscription => Node::WebhookSubscription(WebhookSubscription(
            crate::service::messages::subscriptions(ctx, None)
                .await?
                .into_iter()
                .find(|s| s.id == id)
                .ok_or_else(|| ApiError::not_found("webhook subscription"))?,
        )),
        Kind::Remedy => {
            // Found through its complaint, so it reaches nobody who could not see that.
            let complaint = crate::service::complaints::of_remedy(ctx, id).await?;
            Node::Remedy(Remedy(
                complaint
                    .remedies
                    .into_iter()
                    .find(|r| r.id == id)
                    .ok_or_else(|| ApiError::not_found("remedy"))?,
            ))
        }
        Kind::AnnualReview => Node::AnnualReview(AnnualReview(plan::load_review(ctx, id).await?)),
        Kind::ReviewMeetingRequest => Node::ReviewMeetingRequest(ReviewMeetingRequest(
            plan::load_review_meeting_request(ctx, id).await?,
        )),
        Kind::PlanAmendment => {
            Node::PlanAmendment(PlanAmendment(plan::load_amendment(ctx, id).await?))
        }
    })
}

/// The assessment a part belongs to, through `assessment(id:)`'s own lookup.
async fn owning_assessment(
    ctx: &Ctx<'_>,
    part: Part,
    what: &str,
) -> ApiResult<crate::service::assessment::AssessmentRecord> {
    match owner(ctx, part, what).await? {
        Owner::Assessment(a) => Ok(find_assessment(ctx, a).await?.0),
        Owner::Review(_) => Err(ApiError::not_found(what)),
    }
}

async fn owner(ctx: &Ctx<'_>, part: Part, what: &str) -> ApiResult<Owner> {
    owners::owner_of(ctx.db, part)
        .await?
        .ok_or_else(|| ApiError::not_found(what))
}
