//! People and places: local authorities, localities, teams, staff, professionals, children,
//! parents, the signed-in person, and the audit trail.
use async_graphql::{
    Context, Description, Enum, ID, InputObject, Json, MaybeUndefined, Object, Result, SimpleObject,
};
use chrono::{DateTime, Utc};

use super::{Id, Kind, Listing, connection, ctx, loaders, page_request};
use crate::api::graphql::Date;
use crate::domain::access::{Permission, Role as DomainRole, Scope};
use crate::domain::advice::AdviceService as DomainService;
use crate::domain::people::{national_curriculum_year, nc_year_label};
use crate::error::{ApiError, ApiResult};
use crate::service::Ctx;
use crate::service::people as svc;
use crate::service::people::AuditFilter;
use crate::service::records::{
    AuditEventRow, ChildRow, LocalAuthorityRow, LocalityRow, ParentRow, ProfessionalRow, StaffRow,
    TeamRow,
};

/// The role a person signs in as (the token's `role` claim, granted by this service's records). It
/// decides what they may see and do.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::access::Role")]
pub enum Role {
    /// A caseworker in a local authority's SEN team: children, families and casework of their own
    /// local authority.
    Caseworker,
    /// A SEN team manager: what a caseworker may do, and the organisation (localities, teams,
    /// staff, professionals), the audit trail and the allocation of cases in their local authority.
    Manager,
    /// A parent or carer, or a young person signing in as themself: sees only the children linked
    /// to them (or their own record).
    Parent,
    /// A professional asked for advice (an educational psychologist, a therapist, a school...):
    /// sees only the advice requests addressed to them or their service.
    Professional,
    /// An administrator of the service: acts across every local authority, and manages
    /// administrators and the reasons recorded for exceptions and delays.
    Admin,
}

/// A service asked for advice: the professional services of SEND Regs 2014 reg 6, and the
/// parent's and child's own views.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::advice::AdviceService")]
pub enum AdviceService {
    /// Psychological advice and information from an educational psychologist (reg 6(1)).
    EducationalPsychology,
    /// Medical advice from a paediatrician (health advice, reg 6(1)).
    Paediatrics,
    /// Child and adolescent mental health services (health advice, reg 6(1)).
    Camhs,
    /// Speech and language therapy (health advice, reg 6(1)).
    SpeechAndLanguageTherapy,
    /// Occupational therapy (health advice, reg 6(1)).
    OccupationalTherapy,
    /// Physiotherapy (health advice, reg 6(1)).
    Physiotherapy,
    /// The designated clinical officer, who coordinates the health services' advice (reg 6(1)).
    DesignatedClinicalOfficer,
    /// Advice and information on social care (reg 6(1)).
    SocialCare,
    /// Educational advice from the head teacher, principal or manager of the child's school,
    /// college or early years setting (reg 6(1)).
    SchoolOrSetting,
    /// The parent's or young person's own views (reg 6(1)(a)): given by the family, with no
    /// statutory deadline.
    ParentView,
    /// The child's or young person's own views, as the family gives them: no statutory deadline.
    ChildView,
    /// Advice on preparing for adulthood and independent living, for a child in year 9 or above
    /// (reg 6(1)).
    PreparationForAdulthood,
    /// Advice from anyone else the council thinks appropriate, or the family reasonably asks it to
    /// consult (reg 6(1)).
    Other,
}

pub fn service_of(stored: &str) -> Result<AdviceService, ApiError> {
    stored
        .parse::<DomainService>()
        .map(Into::into)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))
}

fn role_of(stored: &str) -> Result<Role, ApiError> {
    stored
        .parse::<DomainRole>()
        .map(Into::into)
        .map_err(|e| ApiError::Internal(e.into()))
}

// ---------- output types ----------

/// An English local authority (council), whose SEN team runs needs assessments and maintains EHC
/// plans.
#[derive(Description)]
pub struct LocalAuthority(pub LocalAuthorityRow);

#[Object(use_type_description)]
impl LocalAuthority {
    /// The local authority's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::LocalAuthority, self.0.id)
    }
    /// The DfE three-digit code (e.g. 909).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The council's name, e.g. Cumbria.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Whether its designated medical officer is in post (SEN2: Y, N, R); null until recorded.
    async fn designated_medical_officer(&self) -> Option<&str> {
        self.0.dmo.as_deref()
    }
    /// Whether its designated clinical officer is in post (SEN2: Y, N, R).
    async fn designated_clinical_officer(&self) -> Option<&str> {
        self.0.dco.as_deref()
    }
    /// Whether its designated social care officer is in post (SEN2: Y, N, R).
    async fn designated_social_care_officer(&self) -> Option<&str> {
        self.0.dsco.as_deref()
    }
    /// The council's localities (areas its children are grouped by), by name.
    async fn localities(&self, gql: &Context<'_>) -> Result<Vec<Locality>> {
        Ok(loaders::load_all(gql, loaders::LaLocalities(self.0.id))
            .await?
            .into_iter()
            .map(Locality)
            .collect())
    }
    /// The council's SEN teams, by name.
    async fn teams(&self, gql: &Context<'_>) -> Result<Vec<Team>> {
        Ok(loaders::load_all(gql, loaders::LaTeams(self.0.id))
            .await?
            .into_iter()
            .map(Team)
            .collect())
    }
}

/// An area of a local authority that children's records are grouped by (each child belongs to one).
#[derive(Description)]
pub struct Locality(pub LocalityRow);

#[Object(use_type_description)]
impl Locality {
    /// The locality's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Locality, self.0.id)
    }
    /// The locality's name, unique within its local authority.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// A team of a local authority's SEN staff; caseworkers may see and assign their own team's cases.
#[derive(Description)]
pub struct Team(pub TeamRow);

#[Object(use_type_description)]
impl Team {
    /// The team's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Team, self.0.id)
    }
    /// The team's name, unique within its local authority.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The team's staff, by name: shown to staff and administrators (FORBIDDEN for others).
    async fn members(&self, gql: &Context<'_>) -> Result<Vec<StaffMember>> {
        Ok(loaders::load_all(gql, loaders::TeamMembers(self.0.id))
            .await?
            .into_iter()
            .map(StaffMember)
            .collect())
    }
}

/// A caseworker or manager of a local authority's SEN team. The directory (`staff`) is for staff
/// and administrators; a family sees the caseworker of their own case.
#[derive(Description)]
pub struct StaffMember(pub StaffRow);

#[Object(use_type_description)]
impl StaffMember {
    /// The member of staff's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::StaffMember, self.0.id)
    }
    /// Their name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Their work email address; null when none was given.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// CASEWORKER or MANAGER.
    async fn role(&self) -> Result<Role> {
        Ok(role_of(&self.0.role)?)
    }
    /// The global id of their team; null when they belong to none.
    async fn team_id(&self) -> Option<ID> {
        self.0.team_id.map(|id| Id::of(Kind::Team, id))
    }
    /// The identity-provider subject (the token's `sub`) that signs this person in. Shown
    /// to managers, administrators and the person themself; null for everyone else.
    async fn subject(&self, gql: &Context<'_>) -> Result<Option<&str>> {
        let ctx = ctx(gql)?;
        let subject = Some(self.0.subject.as_str());
        Ok(subject.filter(|_| ctx.actor.may_see_sign_in_of(subject)))
    }
    /// Whether this person may sign in (a deactivated account is refused at sign-in).
    async fn active(&self) -> bool {
        self.0.active
    }
    /// When this person last signed in (to the quarter hour); null if never, and for anyone
    /// but managers, administrators and the person themself.
    async fn last_signed_in_at(&self, gql: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        let ctx = ctx(gql)?;
        let subject = Some(self.0.subject.as_str());
        Ok(self
            .0
            .last_signed_in_at
            .filter(|_| ctx.actor.may_see_sign_in_of(subject)))
    }
}

/// A professional the local authority asks for advice (reg 6), such as an educational psychologist,
/// a therapist or a school's SENCO. Not shown to parents.
#[derive(Description)]
pub struct Professional(pub ProfessionalRow);

#[Object(use_type_description)]
impl Professional {
    /// The professional's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Professional, self.0.id)
    }
    /// Their name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The service they work in, which requests addressed to that service reach.
    async fn service(&self) -> Result<AdviceService> {
        Ok(service_of(&self.0.service)?)
    }
    /// Who they work for, e.g. an NHS trust or a school.
    async fn organisation(&self) -> &str {
        &self.0.organisation
    }
    /// Their work email address; null when none was given.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// The identity-provider subject that signs this professional in (none: they cannot sign
    /// in). Shown to managers, administrators and the professional themself.
    async fn subject(&self, gql: &Context<'_>) -> Result<Option<&str>> {
        let ctx = ctx(gql)?;
        let subject = self.0.subject.as_deref();
        Ok(subject.filter(|_| ctx.actor.may_see_sign_in_of(subject)))
    }
    /// Whether this professional may sign in.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// When they last signed in; null if never, and for anyone but managers, administrators
    /// and the professional themself.
    async fn last_signed_in_at(&self, gql: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        let ctx = ctx(gql)?;
        let subject = self.0.subject.as_deref();
        Ok(self
            .0
            .last_signed_in_at
            .filter(|_| subject.is_some() && ctx.actor.may_see_sign_in_of(subject)))
    }
}

/// A child or young person (0 to 25) known to the SEN team. Shown to staff of their local
/// authority, administrators and their family; a professional sees only what an advice request
/// needs (`ProfessionalAdviceRequest.child`). Staff opening the record with `child(id:)` or `node`
/// is logged (`viewedBy`).
#[derive(Description)]
pub struct Child(pub ChildRow);

#[Object(use_type_description)]
impl Child {
    /// The child's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Child, self.0.id)
    }
    /// Their full legal name.
    async fn legal_name(&self) -> &str {
        &self.0.legal_name
    }
    /// The name they prefer to be called; null when none was given.
    async fn preferred_name(&self) -> Option<&str> {
        self.0.preferred_name.as_deref()
    }
    /// The name to address the child by: the preferred name when there is one.
    async fn display_name(&self) -> &str {
        self.0
            .preferred_name
            .as_deref()
            .unwrap_or(&self.0.legal_name)
    }
    /// Their date of birth.
    async fn date_of_birth(&self) -> Date {
        Date(self.0.date_of_birth)
    }
    /// National curriculum year today (Reception = 0, nursery = -1), derived from the date
    /// of birth unless overridden (a child educated out of year group).
    async fn nc_year(&self, gql: &Context<'_>) -> Result<i32> {
        let today = ctx(gql)?.today();
        Ok(self.nc_year_on(Date(today)))
    }
    /// `ncYear` as caseworkers say it: Early years, Nursery, Reception, Year 1 to Year 13, or
    /// Post-19.
    async fn nc_year_label(&self, gql: &Context<'_>) -> Result<String> {
        let today = ctx(gql)?.today();
        Ok(nc_year_label(self.nc_year_on(Date(today))))
    }
    /// Whether `ncYear` is set by hand (a child educated out of their year group) rather than
    /// derived from the date of birth.
    async fn nc_year_overridden(&self) -> bool {
        self.0.nc_year_override.is_some()
    }
    /// The locality their record belongs to.
    async fn locality(&self, gql: &Context<'_>) -> Result<Option<Locality>> {
        Ok(loaders::load(gql, loaders::LocalityId(self.0.locality_id))
            .await?
            .map(Locality))
    }
    /// The school, college or early years setting they attend now, as typed; null when not
    /// recorded.
    async fn current_setting(&self) -> Option<&str> {
        self.0.current_setting.as_deref()
    }
    /// Their Unique Pupil Number (SEN2 1.7a); null when not recorded.
    async fn upn(&self) -> Option<&str> {
        self.0.upn.as_deref()
    }
    /// Their Unique Learner Number (SEN2 1.7b); null when not recorded.
    async fn unique_learner_number(&self) -> Option<&str> {
        self.0.uln.as_deref()
    }
    /// Why neither a UPN nor a ULN is available (SEN2 1.7c, a `UPN_UNKNOWN` code).
    async fn upn_unknown_reason(&self) -> Option<&str> {
        self.0.upn_unknown.as_deref()
    }
    /// Their sex as the SEN2 return records it (1.4, a `SEX` code).
    async fn sex(&self) -> Option<&str> {
        self.0.sex.as_deref()
    }
    /// Their ethnicity (SEN2 1.5, an `ETHNICITY` code).
    async fn ethnicity(&self) -> Option<&str> {
        self.0.ethnicity.as_deref()
    }
    /// Their home postcode (SEN2 1.6).
    async fn home_postcode(&self) -> Option<&str> {
        self.0.home_postcode.as_deref()
    }
    /// The child's EHC plans, newest first (at most one is active).
    async fn plans(&self, gql: &Context<'_>) -> Result<Vec<super::plan::EhcPlan>> {
        Ok(loaders::load_all(gql, loaders::ChildPlans(self.0.id))
            .await?
            .into_iter()
            .map(super::plan::EhcPlan)
            .collect())
    }
    /// Increases with every change; send it back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Needs assessments of this child, newest first (the ones the signed-in person may see).
    async fn assessments(&self, gql: &Context<'_>) -> Result<Vec<super::assessment::Assessment>> {
        Ok(loaders::load_all(gql, loaders::ChildAssessments(self.0.id))
            .await?
            .into_iter()
            .map(super::assessment::Assessment)
            .collect())
    }
    /// Who has read this child's record (staff and professionals), newest first: for the
    /// family and for managers answering a subject access request.
    async fn viewed_by(
        &self,
        gql: &Context<'_>,
        #[graphql(default = 20, desc = "at most 100")] last: i32,
    ) -> Result<Vec<super::contributions::RecordView>> {
        let ctx = ctx(gql)?;
        Ok(crate::service::contributions::views_of_child(
            &ctx,
            self.0.id,
            self.0.la_id,
            last.max(1) as u64,
        )
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
    }
    /// Parents and carers, by name, with how each is related: shown to staff, administrators and
    /// the family, FORBIDDEN for professionals.
    async fn parents(&self, gql: &Context<'_>) -> Result<Vec<ParentLink>> {
        let ctx = ctx(gql)?;
        if matches!(ctx.actor.scope, Scope::Professional { .. } | Scope::Nothing) {
            return Err(
                ApiError::forbidden("parents' details are not shared with professionals").into(),
            );
        }
        Ok(loaders::load_all(gql, loaders::ChildParents(self.0.id))
            .await?
            .into_iter()
            .map(|(_, p, relationship)| ParentLink {
                relationship,
                parent: Parent(p),
            })
            .collect())
    }
    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the record was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

impl Child {
    fn nc_year_on(&self, today: Date) -> i32 {
        self.0
            .nc_year_override
            .map(i32::from)
            .unwrap_or_else(|| national_curriculum_year(self.0.date_of_birth, today.0))
    }
}

/// A parent or carer linked to a child, and how they are related.
#[derive(SimpleObject)]
pub struct ParentLink {
    /// How they are related to the child (mother, father, foster carer...).
    relationship: String,
    /// The parent or carer.
    parent: Parent,
}

/// A parent or carer. Shown to whoever may see a child linked to them (staff of the local
/// authority, administrators, the family), never to professionals.
#[derive(Description)]
pub struct Parent(pub ParentRow);

#[Object(use_type_description)]
impl Parent {
    /// The parent's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Parent, self.0.id)
    }
    /// Their name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Their email address; null when none was given.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Their phone number; null when none was given.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
}

/// What an audit event records was done. People, places and reference data are created,
/// updated, linked and unlinked; a case is started and then moves by its steps, each named as
/// the step it is (`allowedActions` names the same steps).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::audit::AuditAction")]
pub enum AuditAction {
    /// A record was added: a child, parent, professional, member of staff, locality, team,
    /// reason code or the like.
    Create,
    /// A record's details were changed.
    Update,
    /// An administrator replaced SEN2 code lists (`ehcp sen2 codes --load`).
    LoadCodes,
    /// A statutory return (the DfE's SEN2) was produced for a census date.
    ProduceReturn,
    /// A parent was linked to a child (or a young person to their own record).
    Link,
    /// A parent's link to a child was removed.
    Unlink,
    /// A caseworker was assigned to a case.
    AssignCaseworker,
    /// The reason for a missed deadline was recorded.
    RecordDelayReason,
    /// A request was made: for a needs assessment, or a family's for a review meeting.
    Request,
    /// An existing EHC plan was entered (made before this system, or transferred in).
    Enter,
    /// An annual review was scheduled.
    Schedule,
    /// An amendment was started by a review's decision to amend.
    Start,
    /// An amendment to a plan was proposed, with its notice, outside a review.
    Propose,
    /// A family's request for a review meeting was answered by arranging one.
    Answer,
    /// A family's request for a review meeting was declined.
    Decline,
    /// A mediation certificate (issued, or mediation not wanted) was recorded on a decision.
    RecordMediationCertificate,
    /// The council decided to carry out a needs assessment (reg 5(1)).
    DecideToAssess,
    /// The council decided not to assess, with appeal rights (reg 5(3)).
    DecideNotToAssess,
    /// Advice was asked for (reg 6; for a review, reg 20(2)).
    RequestAdvice,
    /// Advice was recorded as received or declined.
    RecordAdvice,
    /// An exception to the time limits was recorded (reg 10(4), 13(3)).
    RecordException,
    /// The council decided not to issue a plan, with appeal rights (reg 10(1)).
    DecideNotToIssue,
    /// The draft plan was sent to the family (reg 13(1)).
    SendDraft,
    /// The family's response (to a draft plan, or to an amendment notice) was recorded.
    RecordParentResponse,
    /// A school or setting was consulted about being named (CFA 2014 s.39).
    ConsultSetting,
    /// A consulted setting's answer was recorded.
    RecordSettingResponse,
    /// The final EHC plan was issued (reg 13(2)).
    IssueFinalPlan,
    /// The request for a needs assessment was withdrawn and the case closed.
    Withdraw,
    /// The case or plan was transferred to another council (reg 15).
    TransferOut,
    /// The plan's needs were updated.
    UpdateNeeds,
    /// A phase transfer (a move between school phases) was set on the plan (reg 18).
    SetPhaseTransfer,
    /// The plan's placements were replaced (SEN2 PlanDetail and PlacementDetail).
    SetPlacements,
    /// The plan's personal budget was recorded (SEN2 4.4).
    SetPersonalBudget,
    /// An annual review was scheduled on the plan.
    ScheduleReview,
    /// An amendment was proposed on the plan.
    ProposeAmendment,
    /// After a transfer in, the family was told about reassessment and review (reg 15(4)).
    SendTransferNotice,
    /// Ceasing the plan was proposed (reg 31).
    ProposeCeasing,
    /// The consultation on ceasing was recorded.
    RecordCeaseConsultation,
    /// The plan was ceased (CFA 2014 s.45).
    Cease,
    /// The council decided not to cease the plan.
    DecideNotToCease,
    /// A move of the family was recorded.
    RecordMove,
    /// The review meeting was moved to another day.
    RescheduleMeeting,
    /// Invitations to the review meeting were sent (reg 20(3)).
    SendInvitations,
    /// The advice for the review was circulated (reg 20(4)).
    CirculateAdvice,
    /// The review meeting was held.
    HoldMeeting,
    /// The review report was recorded (reg 20(7)).
    RecordReport,
    /// The council decided to maintain, amend or cease the plan (reg 20(10)).
    Decide,
    /// The review was cancelled.
    Cancel,
    /// The notice of proposed amendments was sent (reg 22(2)).
    SendNotice,
    /// The amended plan was issued (reg 22(3)).
    IssueAmendedPlan,
    /// The council decided not to amend after all, with appeal rights (reg 22(4)).
    DecideNotToAmend,
    /// A family's challenge to a decision was recorded: a dispute opened.
    OpenDispute,
    /// The family contacted a mediation adviser (CFA 2014 s.55).
    ContactAdviser,
    /// The council was told the family wants mediation (reg 36-37).
    ArrangeMediation,
    /// The mediation took place.
    HoldMediation,
    /// A mediation certificate was issued (reg 34-35, 39).
    IssueCertificate,
    /// Mediation reached an agreement (reg 42).
    RecordAgreement,
    /// The Tribunal registered an appeal.
    RegisterAppeal,
    /// The Tribunal set a hearing date.
    ScheduleHearing,
    /// The council told the Tribunal it would not oppose the appeal (reg 45).
    Concede,
    /// The Tribunal's order was recorded (reg 43-44).
    RecordOrder,
    /// The Tribunal dismissed the appeal.
    Dismiss,
    /// The family withdrew the appeal.
    WithdrawAppeal,
    /// A reg 44(3) exception to an order's limits was recorded.
    RecordOrderException,
    /// The council complied with an order or agreement.
    RecordCompliance,
    /// What was agreed on another matter was done (reg 42(3)).
    RecordOtherMatterDone,
    /// A dispute was closed: the family took it no further.
    Close,
    /// A complaint about the SEND service was received.
    ReceiveComplaint,
    /// A complaint was acknowledged.
    Acknowledge,
    /// The time to answer a complaint was extended, with its reason.
    Extend,
    /// A complaint was answered at its stage.
    Respond,
    /// A complaint was escalated to stage 2.
    Escalate,
    /// A complaint went to the Local Government and Social Care Ombudsman.
    ReferToOmbudsman,
    /// The Ombudsman's decision was recorded.
    RecordOmbudsmanDecision,
    /// A remedy was agreed: an apology, a payment or a service improvement.
    RecordRemedy,
    /// A remedy was carried out.
    RecordRemedyDone,
    /// A person changed how they are reached (channel, reminders, digests).
    SetMessagePreferences,
    /// An administrator put a dead letter back in the delivery queue.
    Retry,
}

/// One change in the append-only audit trail: who made it, when, to which record, and what changed.
/// For managers (their local authority) and administrators.
#[derive(Description)]
pub struct AuditEvent(pub AuditEventRow);

#[Object(use_type_description)]
impl AuditEvent {
    /// The audit event's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::AuditEvent, self.0.id)
    }
    /// When the change was made.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The identity-provider subject (the token's `sub`) of who made the change: `cli` for the
    /// command line, `seed-demo` for the demo data.
    async fn actor_subject(&self) -> &str {
        &self.0.actor_subject
    }
    /// The role they acted in (the command line and the demo data act as ADMIN).
    async fn actor_role(&self) -> Result<Role> {
        Ok(role_of(&self.0.actor_role)?)
    }
    /// The global id of the child the change concerns; null when it concerns no one child (the
    /// organisation, a parent's own record, reference data).
    async fn child_id(&self) -> Option<ID> {
        self.0.child_id.map(|id| Id::of(Kind::Child, id))
    }
    /// The kind of record changed (child, assessment, advice_request...).
    async fn entity(&self) -> &str {
        &self.0.entity
    }
    /// The changed record's id: a global id, which `node` finds when the record is one of the
    /// API's objects (a parent's link to a child, or a reason, is not).
    async fn entity_id(&self) -> ID {
        match Kind::of_audited(&self.0.entity) {
            Some(kind) => Id::of(kind, self.0.entity_id),
            None => Id::named(&self.0.entity, self.0.entity_id),
        }
    }
    /// What was done: `CREATE`, `UPDATE`, `LINK` or `UNLINK` for people and places; on a case,
    /// the step taken, such as `REQUEST`, `DECIDE_TO_ASSESS`, `RECORD_ADVICE` or
    /// `ASSIGN_CASEWORKER`.
    async fn action(&self) -> Result<AuditAction> {
        crate::domain::audit::AuditAction::parse(&self.0.action)
            .map(Into::into)
            .map_err(|e| {
                ApiError::Internal(anyhow::anyhow!("audit event {}: {e}", self.0.id)).into()
            })
    }
    /// What changed, as a JSON object: field names and new values, leaving out free text and
    /// children's personal details; an action on a case adds its date (`on`) and the record's
    /// new `version`.
    async fn summary(&self) -> Result<Json<serde_json::Value>> {
        let summary = serde_json::from_str(&self.0.summary).map_err(|e| {
            ApiError::Internal(anyhow::anyhow!(
                "audit event {}: the stored summary is not JSON: {e}",
                self.0.id
            ))
        })?;
        Ok(Json(summary))
    }
}

/// The signed-in person.
#[derive(SimpleObject)]
pub struct Me {
    /// The identity-provider subject (the token's `sub`).
    subject: String,
    /// The role they are signed in as.
    role: Role,
    /// The local authority they belong to: staff and professionals; an administrator's only when
    /// the token names one; null for families.
    local_authority: Option<LocalAuthority>,
    /// Whether the subject maps to a record that gives access to children.
    linked: bool,
}

// ---------- queries ----------

/// One child, as `child(id:)` (and `node`) shows them; the read is logged.
pub(super) async fn find_child(ctx: &Ctx<'_>, id: i64) -> ApiResult<Child> {
    let child = svc::find_child(ctx, id).await?;
    crate::service::contributions::log_read(ctx, child.la_id, child.id, "child", None).await?;
    Ok(Child(child))
}

pub(super) async fn find_local_authority(ctx: &Ctx<'_>, id: i64) -> ApiResult<LocalAuthority> {
    svc::local_authority_by_id(ctx, id)
        .await?
        .map(LocalAuthority)
        .ok_or_else(|| ApiError::not_found("local authority"))
}

#[derive(Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// Who the token signs in as.
    async fn me(&self, gql: &Context<'_>) -> Result<Me> {
        let ctx = ctx(gql)?;
        let local_authority = match ctx.actor.la_id {
            Some(id) => svc::local_authority_by_id(&ctx, id)
                .await?
                .map(LocalAuthority),
            None => None,
        };
        Ok(Me {
            subject: ctx.actor.subject.clone(),
            role: ctx.actor.role.into(),
            local_authority,
            linked: ctx.actor.scope != Scope::Nothing,
        })
    }

    /// Local authorities: all for an admin, one's own for staff and professionals.
    async fn local_authorities(&self, gql: &Context<'_>) -> Result<Vec<LocalAuthority>> {
        let ctx = ctx(gql)?;
        Ok(svc::local_authorities(&ctx)
            .await?
            .into_iter()
            .map(LocalAuthority)
            .collect())
    }

    /// A local authority the signed-in person may see (an administrator: any; others: their own);
    /// NOT_FOUND otherwise.
    async fn local_authority(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The local authority's global id.")] id: ID,
    ) -> Result<LocalAuthority> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::LocalAuthority, &id)?;
        Ok(find_local_authority(&ctx, id).await?)
    }

    /// Staff of the signed-in person's local authority.
    async fn staff(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Only the members of this team (a global id).")] team_id: Option<ID>,
        #[graphql(desc = "Only staff in this role (CASEWORKER or MANAGER).")] role: Option<Role>,
    ) -> Result<Vec<StaffMember>> {
        let ctx = ctx(gql)?;
        let team_id = team_id
            .map(|t| Id::parse("teamId", Kind::Team, &t))
            .transpose()?;
        Ok(svc::staff_list(&ctx, team_id, role.map(Into::into))
            .await?
            .into_iter()
            .map(StaffMember)
            .collect())
    }

    /// Professionals of the signed-in person's local authority (all for an administrator), by name.
    /// FORBIDDEN for parents.
    async fn professionals(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Only professionals of this service.")] service: Option<AdviceService>,
    ) -> Result<Vec<Professional>> {
        let ctx = ctx(gql)?;
        Ok(svc::professionals(&ctx, service.map(Into::into))
            .await?
            .into_iter()
            .map(Professional)
            .collect())
    }

    /// A child or young person the signed-in person may see; NOT_FOUND otherwise.
    async fn child(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The child's global id.")] id: ID,
    ) -> Result<Child> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Child, &id)?;
        Ok(find_child(&ctx, id).await?)
    }

    /// Children and young people the signed-in person may see, in the order they were added.
    #[allow(clippy::too_many_arguments)]
    async fn children(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Part of the legal or preferred name (not case-sensitive).")]
        search: Option<String>,
        #[graphql(desc = "Only children of this locality (a global id).")] locality_id: Option<ID>,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
        #[graphql(desc = "page size, at most 100")] first: Option<i32>,
        #[graphql(desc = "page size, at most 100")] last: Option<i32>,
    ) -> Result<Listing<Child>> {
        let ctx = ctx(gql)?;
        let filter = svc::ChildFilter {
            search,
            locality_id: locality_id
                .map(|l| Id::parse("localityId", Kind::Locality, &l))
                .transpose()?,
        };
        let page = svc::children(&ctx, filter, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |c| c.id, Child))
    }

    /// The audit trail, newest first: managers (their LA) and admins.
    #[allow(clippy::too_many_arguments)]
    async fn audit_events(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "Only events about this child (a global id).")] child_id: Option<ID>,
        #[graphql(desc = "Only changes made by this identity-provider subject.")]
        actor_subject: Option<String>,
        #[graphql(desc = "Only events at or after this instant.")] from: Option<DateTime<Utc>>,
        #[graphql(desc = "Only events before this instant.")] to: Option<DateTime<Utc>>,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
        #[graphql(desc = "page size, at most 100")] first: Option<i32>,
        #[graphql(desc = "page size, at most 100")] last: Option<i32>,
    ) -> Result<Listing<AuditEvent>> {
        let ctx = ctx(gql)?;
        ctx.require(Permission::ReadAuditTrail)?;
        let filter = AuditFilter {
            id: None,
            child_id: child_id
                .map(|c| Id::parse("childId", Kind::Child, &c))
                .transpose()?,
            actor_subject,
            from,
            to,
        };
        let page =
            svc::audit_events(&ctx, &filter, page_request(after, before, first, last)?).await?;
        Ok(connection(page, |e| e.id, AuditEvent))
    }
}

// ---------- mutations ----------

/// A new caseworker or manager.
#[derive(InputObject)]
pub struct CreateStaffInput {
    /// Admins name the local authority; staff always add to their own.
    local_authority_id: Option<ID>,
    /// Their team (a global id, of the same local authority); none when omitted.
    team_id: Option<ID>,
    /// The sign-in subject (the token's `sub`) for this person.
    subject: String,
    /// Their name: 1 to 200 characters.
    name: String,
    /// Their work email address.
    email: Option<String>,
    /// CASEWORKER or MANAGER; other roles are VALIDATION.
    role: Role,
}

/// Changes to a member of staff: omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateStaffInput {
    /// The member of staff's global id.
    id: ID,
    /// A new identity-provider subject for this person.
    subject: Option<String>,
    /// Their name: 1 to 200 characters.
    name: Option<String>,
    /// Their work email address; null removes it.
    email: MaybeUndefined<String>,
    /// Their team (a global id, of the same local authority); null removes them from their team.
    team_id: MaybeUndefined<ID>,
    /// CASEWORKER or MANAGER.
    role: Option<Role>,
    /// False: refused at sign-in from now on; true: may sign in again.
    active: Option<bool>,
}

/// A new professional the local authority asks for advice.
#[derive(InputObject)]
pub struct CreateProfessionalInput {
    /// Administrators name the local authority; staff always add to their own.
    local_authority_id: Option<ID>,
    /// The identity-provider subject that will sign them in; none: they cannot sign in.
    subject: Option<String>,
    /// Their name: 1 to 200 characters.
    name: String,
    /// The service they work in; not PARENT_VIEW or CHILD_VIEW, which families give.
    service: AdviceService,
    /// Who they work for, e.g. an NHS trust or a school.
    organisation: String,
    /// Their work email address.
    email: Option<String>,
}

/// Changes to a professional's record: omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateProfessionalInput {
    /// The professional's global id.
    id: ID,
    /// The identity-provider subject that signs them in; null: they cannot sign in.
    subject: MaybeUndefined<String>,
    /// Their name: 1 to 200 characters.
    name: Option<String>,
    /// Who they work for.
    organisation: Option<String>,
    /// Their work email address; null removes it.
    email: MaybeUndefined<String>,
    /// False: refused at sign-in from now on (their requests stay on the cases).
    active: Option<bool>,
}

/// A new child or young person in the caller's local authority.
#[derive(InputObject)]
pub struct CreateChildInput {
    /// Their full legal name: 1 to 200 characters.
    legal_name: String,
    /// The name they prefer to be called.
    preferred_name: Option<String>,
    /// Their date of birth: not in the future, and within the last 26 years (the 0 to 25 system).
    date_of_birth: Date,
    /// Their locality (a global id), in a local authority the caller acts in.
    locality_id: ID,
    /// The school, college or early years setting they attend now.
    current_setting: Option<String>,
    /// Only for a child educated out of their chronological year group.
    nc_year_override: Option<i32>,
    /// For a young person (16+) who signs in themself.
    subject: Option<String>,
    /// Their Unique Pupil Number (SEN2 item 1.7a): 13 characters, its check letter first; spaces are dropped.
    upn: Option<String>,
    /// Their Unique Learner Number (SEN2 1.7b): 10 digits.
    unique_learner_number: Option<String>,
    /// Why neither a UPN nor a ULN is available (SEN2 1.7c): a code of `sen2Codes(list: "UPN_UNKNOWN")`, only when both are empty.
    upn_unknown_reason: Option<String>,
    /// Their sex as the SEN2 return records it (1.4): a code of `sen2Codes(list: "SEX")`.
    sex: Option<String>,
    /// Their ethnicity (SEN2 1.5): a code of `sen2Codes(list: "ETHNICITY")` (the DfE's common basic data set codes; REFU when the family declines, NOBT when not yet obtained).
    ethnicity: Option<String>,
    /// Their home postcode (SEN2 1.6), such as CA1 1RD.
    home_postcode: Option<String>,
}

/// Changes to a child's record: omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateChildInput {
    /// The child's global id.
    id: ID,
    /// The version you loaded: a change made since then makes this a CONFLICT.
    version: i32,
    /// Their full legal name: 1 to 200 characters.
    legal_name: Option<String>,
    /// The name they prefer to be called; null removes it.
    preferred_name: MaybeUndefined<String>,
    /// Their date of birth: not in the future, within the last 26 years.
    date_of_birth: Option<Date>,
    /// Their locality (a global id), of the same local authority; moving to another local authority
    /// is a transfer.
    locality_id: Option<ID>,
    /// The school, college or setting they attend now; null removes it.
    current_setting: MaybeUndefined<String>,
    /// Their national curriculum year when out of their year group (-3 to 15, Reception = 0); null
    /// derives it from the date of birth again.
    nc_year_override: MaybeUndefined<i32>,
    /// Their Unique Pupil Number (SEN2 item 1.7a): 13 characters, its check letter first; spaces are dropped. Null removes it.
    upn: MaybeUndefined<String>,
    /// Their Unique Learner Number (SEN2 1.7b): 10 digits. Null removes it.
    unique_learner_number: MaybeUndefined<String>,
    /// Why neither a UPN nor a ULN is available (SEN2 1.7c): a code of `sen2Codes(list: "UPN_UNKNOWN")`, only when both are empty. Null removes it.
    upn_unknown_reason: MaybeUndefined<String>,
    /// Their sex as the SEN2 return records it (1.4): a code of `sen2Codes(list: "SEX")`. Null removes it.
    sex: MaybeUndefined<String>,
    /// Their ethnicity (SEN2 1.5): a code of `sen2Codes(list: "ETHNICITY")` (the DfE's common basic data set codes; REFU when the family declines, NOBT when not yet obtained). Null removes it.
    ethnicity: MaybeUndefined<String>,
    /// Their home postcode (SEN2 1.6), such as CA1 1RD. Null removes it.
    home_postcode: MaybeUndefined<String>,
}

/// A new parent or carer (link them to a child with `linkParent`).
#[derive(InputObject)]
pub struct CreateParentInput {
    /// Administrators name the local authority; staff always add to their own.
    local_authority_id: Option<ID>,
    /// The sign-in subject for the parents' portal.
    subject: Option<String>,
    /// Their name: 1 to 200 characters.
    name: String,
    /// Their email address.
    email: Option<String>,
    /// Their phone number.
    phone: Option<String>,
}

fn patch<T>(v: MaybeUndefined<T>) -> Option<Option<T>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

fn optional_id(field: &'static str, kind: Kind, id: Option<ID>) -> Result<Option<i64>, ApiError> {
    Id::parse_opt(field, kind, id.as_ref())
}

#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// Admins: add a local authority by its DfE code.
    async fn create_local_authority(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The DfE three-digit code, e.g. 909; a code already used is CONFLICT.")]
        code: String,
        #[graphql(desc = "The council's name: 1 to 200 characters.")] name: String,
    ) -> Result<LocalAuthority> {
        let ctx = ctx(gql)?;
        Ok(LocalAuthority(
            svc::create_local_authority(&ctx, &code, &name).await?,
        ))
    }

    /// Managers of the local authority and administrators: whether its designated medical,
    /// clinical and social care officers are in post (the SEN2 return's DMO, DCO, DSCO; codes
    /// of `sen2Codes(list: "OFFICER_IN_POST")`: Y, N, R for recruitment in progress). An
    /// omitted one stays as it is.
    async fn set_designated_officers(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The local authority's global id.")] local_authority_id: ID,
        #[graphql(desc = "The designated medical officer: Y, N or R.")] dmo: Option<String>,
        #[graphql(desc = "The designated clinical officer: Y, N or R.")] dco: Option<String>,
        #[graphql(desc = "The designated social care officer: Y, N or R.")] dsco: Option<String>,
    ) -> Result<LocalAuthority> {
        let ctx = ctx(gql)?;
        let la = Id::parse(
            "localAuthorityId",
            Kind::LocalAuthority,
            &local_authority_id,
        )?;
        Ok(LocalAuthority(
            svc::set_designated_officers(&ctx, la, [dmo, dco, dsco]).await?,
        ))
    }

    /// Managers and administrators: adds a locality to a local authority.
    async fn create_locality(
        &self,
        gql: &Context<'_>,
        #[graphql(
            desc = "Administrators name the local authority; managers always add to their own."
        )]
        local_authority_id: Option<ID>,
        #[graphql(
            desc = "The locality's name: 1 to 200 characters, unique in the local authority (CONFLICT otherwise)."
        )]
        name: String,
    ) -> Result<Locality> {
        let ctx = ctx(gql)?;
        let la = optional_id("localAuthorityId", Kind::LocalAuthority, local_authority_id)?;
        Ok(Locality(svc::create_locality(&ctx, la, &name).await?))
    }

    /// Managers and administrators: adds a team to a local authority.
    async fn create_team(
        &self,
        gql: &Context<'_>,
        #[graphql(
            desc = "Administrators name the local authority; managers always add to their own."
        )]
        local_authority_id: Option<ID>,
        #[graphql(
            desc = "The team's name: 1 to 200 characters, unique in the local authority (CONFLICT otherwise)."
        )]
        name: String,
    ) -> Result<Team> {
        let ctx = ctx(gql)?;
        let la = optional_id("localAuthorityId", Kind::LocalAuthority, local_authority_id)?;
        Ok(Team(svc::create_team(&ctx, la, &name).await?))
    }

    /// Managers and administrators: adds a caseworker or manager, who may sign in with the given
    /// subject. A subject already in use is CONFLICT.
    async fn create_staff(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The new member of staff.")] input: CreateStaffInput,
    ) -> Result<StaffMember> {
        let ctx = ctx(gql)?;
        let input = svc::StaffInput {
            local_authority_id: optional_id(
                "localAuthorityId",
                Kind::LocalAuthority,
                input.local_authority_id,
            )?,
            team_id: optional_id("teamId", Kind::Team, input.team_id)?,
            subject: input.subject,
            name: input.name,
            email: input.email,
            role: input.role.into(),
        };
        Ok(StaffMember(svc::create_staff(&ctx, input).await?))
    }

    /// Managers (their local authority) and administrators: changes a member of staff, including
    /// their sign-in subject and whether they may still sign in.
    async fn update_staff(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateStaffInput,
    ) -> Result<StaffMember> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::StaffMember, &input.id)?;
        let team_id = match patch(input.team_id) {
            Some(Some(t)) => Some(Some(Id::parse("teamId", Kind::Team, &t)?)),
            Some(None) => Some(None),
            None => None,
        };
        let p = svc::StaffPatch {
            subject: input.subject,
            name: input.name,
            email: patch(input.email),
            team_id,
            role: input.role.map(Into::into),
            active: input.active,
        };
        Ok(StaffMember(svc::update_staff(&ctx, id, p).await?))
    }

    /// Managers and administrators: adds a professional the local authority asks for advice.
    async fn create_professional(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The new professional.")] input: CreateProfessionalInput,
    ) -> Result<Professional> {
        let ctx = ctx(gql)?;
        let input = svc::ProfessionalInput {
            local_authority_id: optional_id(
                "localAuthorityId",
                Kind::LocalAuthority,
                input.local_authority_id,
            )?,
            subject: input.subject,
            name: input.name,
            service: input.service.into(),
            organisation: input.organisation,
            email: input.email,
        };
        Ok(Professional(svc::create_professional(&ctx, input).await?))
    }

    /// Changes a professional's record, including their sign-in subject and whether they may
    /// still sign in (managers in their LA, administrators).
    async fn update_professional(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateProfessionalInput,
    ) -> Result<Professional> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Professional, &input.id)?;
        let p = svc::ProfessionalPatch {
            subject: patch(input.subject),
            name: input.name,
            organisation: input.organisation,
            email: patch(input.email),
            active: input.active,
        };
        Ok(Professional(svc::update_professional(&ctx, id, p).await?))
    }

    /// Caseworkers, managers and administrators: adds a child or young person.
    async fn create_child(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The new child.")] input: CreateChildInput,
    ) -> Result<Child> {
        let ctx = ctx(gql)?;
        let input = svc::ChildInput {
            legal_name: input.legal_name,
            preferred_name: input.preferred_name,
            date_of_birth: input.date_of_birth.0,
            locality_id: Id::parse("localityId", Kind::Locality, &input.locality_id)?,
            current_setting: input.current_setting,
            nc_year_override: input.nc_year_override,
            subject: input.subject,
            details: crate::domain::sen2::PersonDetails {
                upn: input.upn,
                uln: input.unique_learner_number,
                upn_unknown: input.upn_unknown_reason,
                sex: input.sex,
                ethnicity: input.ethnicity,
                home_postcode: input.home_postcode,
            },
        };
        Ok(Child(svc::create_child(&ctx, input).await?))
    }

    /// Caseworkers, managers and administrators: changes a child's record.
    async fn update_child(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The changes and the version they apply to.")] input: UpdateChildInput,
    ) -> Result<Child> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Child, &input.id)?;
        let p = svc::ChildPatch {
            legal_name: input.legal_name,
            preferred_name: patch(input.preferred_name),
            date_of_birth: input.date_of_birth.map(|d| d.0),
            locality_id: optional_id("localityId", Kind::Locality, input.locality_id)?,
            current_setting: patch(input.current_setting),
            nc_year_override: patch(input.nc_year_override),
            details: [
                patch(input.upn),
                patch(input.unique_learner_number),
                patch(input.upn_unknown_reason),
                patch(input.sex),
                patch(input.ethnicity),
                patch(input.home_postcode),
            ],
        };
        Ok(Child(svc::update_child(&ctx, id, input.version, p).await?))
    }

    /// Caseworkers, managers and administrators: adds a parent or carer.
    async fn create_parent(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The new parent or carer.")] input: CreateParentInput,
    ) -> Result<Parent> {
        let ctx = ctx(gql)?;
        let input = svc::ParentInput {
            local_authority_id: optional_id(
                "localAuthorityId",
                Kind::LocalAuthority,
                input.local_authority_id,
            )?,
            subject: input.subject,
            name: input.name,
            email: input.email,
            phone: input.phone,
        };
        Ok(Parent(svc::create_parent(&ctx, input).await?))
    }

    /// Link a parent or carer to a child (many to many).
    async fn link_parent(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The child's global id.")] child_id: ID,
        #[graphql(desc = "The parent's global id, of the child's local authority.")] parent_id: ID,
        #[graphql(
            desc = "How they are related to the child, e.g. mother or foster carer; `parent` when omitted."
        )]
        relationship: Option<String>,
    ) -> Result<Child> {
        let ctx = ctx(gql)?;
        let child_id = Id::parse("childId", Kind::Child, &child_id)?;
        let parent_id = Id::parse("parentId", Kind::Parent, &parent_id)?;
        Ok(Child(
            svc::link_parent(&ctx, child_id, parent_id, relationship.as_deref()).await?,
        ))
    }

    /// Removes a parent's or carer's link to a child (NOT_FOUND when there is none).
    async fn unlink_parent(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The child's global id.")] child_id: ID,
        #[graphql(desc = "The parent's global id.")] parent_id: ID,
    ) -> Result<Child> {
        let ctx = ctx(gql)?;
        let child_id = Id::parse("childId", Kind::Child, &child_id)?;
        let parent_id = Id::parse("parentId", Kind::Parent, &parent_id)?;
        Ok(Child(svc::unlink_parent(&ctx, child_id, parent_id).await?))
    }
}
