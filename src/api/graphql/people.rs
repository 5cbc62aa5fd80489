//! People and places: local authorities, localities, teams, staff, professionals, children,
//! parents, the signed-in person, and the audit trail.
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::{Id, Kind, connection, ctx, loaders, page_request};
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

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::access::Role")]
pub enum Role {
    Caseworker,
    Manager,
    Parent,
    Professional,
    Admin,
}

/// A service asked for advice: the professional services of SEND Regs 2014 reg 6, and the
/// parent's and child's own views.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::advice::AdviceService")]
pub enum AdviceService {
    EducationalPsychology,
    Paediatrics,
    Camhs,
    SpeechAndLanguageTherapy,
    OccupationalTherapy,
    Physiotherapy,
    DesignatedClinicalOfficer,
    SocialCare,
    SchoolOrSetting,
    ParentView,
    ChildView,
    PreparationForAdulthood,
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

pub struct LocalAuthority(pub LocalAuthorityRow);

#[Object]
impl LocalAuthority {
    pub async fn id(&self) -> ID {
        Id::of(Kind::LocalAuthority, self.0.id)
    }
    /// The DfE three-digit code (e.g. 909).
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn localities(&self, gql: &Context<'_>) -> Result<Vec<Locality>> {
        Ok(loaders::load_all(gql, loaders::LaLocalities(self.0.id))
            .await?
            .into_iter()
            .map(Locality)
            .collect())
    }
    async fn teams(&self, gql: &Context<'_>) -> Result<Vec<Team>> {
        Ok(loaders::load_all(gql, loaders::LaTeams(self.0.id))
            .await?
            .into_iter()
            .map(Team)
            .collect())
    }
}

pub struct Locality(pub LocalityRow);

#[Object]
impl Locality {
    pub async fn id(&self) -> ID {
        Id::of(Kind::Locality, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
}

pub struct Team(pub TeamRow);

#[Object]
impl Team {
    pub async fn id(&self) -> ID {
        Id::of(Kind::Team, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn members(&self, gql: &Context<'_>) -> Result<Vec<StaffMember>> {
        Ok(loaders::load_all(gql, loaders::TeamMembers(self.0.id))
            .await?
            .into_iter()
            .map(StaffMember)
            .collect())
    }
}

pub struct StaffMember(pub StaffRow);

#[Object]
impl StaffMember {
    pub async fn id(&self) -> ID {
        Id::of(Kind::StaffMember, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn role(&self) -> Result<Role> {
        Ok(role_of(&self.0.role)?)
    }
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

pub struct Professional(pub ProfessionalRow);

#[Object]
impl Professional {
    pub async fn id(&self) -> ID {
        Id::of(Kind::Professional, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn service(&self) -> Result<AdviceService> {
        Ok(service_of(&self.0.service)?)
    }
    async fn organisation(&self) -> &str {
        &self.0.organisation
    }
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

pub struct Child(pub ChildRow);

#[Object]
impl Child {
    pub async fn id(&self) -> ID {
        Id::of(Kind::Child, self.0.id)
    }
    async fn legal_name(&self) -> &str {
        &self.0.legal_name
    }
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
    async fn date_of_birth(&self) -> NaiveDate {
        self.0.date_of_birth
    }
    /// National curriculum year today (Reception = 0, nursery = -1), derived from the date
    /// of birth unless overridden (a child educated out of year group).
    async fn nc_year(&self, gql: &Context<'_>) -> Result<i32> {
        let today = ctx(gql)?.today();
        Ok(self.nc_year_on(today))
    }
    async fn nc_year_label(&self, gql: &Context<'_>) -> Result<String> {
        let today = ctx(gql)?.today();
        Ok(nc_year_label(self.nc_year_on(today)))
    }
    async fn nc_year_overridden(&self) -> bool {
        self.0.nc_year_override.is_some()
    }
    async fn locality(&self, gql: &Context<'_>) -> Result<Option<Locality>> {
        Ok(loaders::load(gql, loaders::LocalityId(self.0.locality_id))
            .await?
            .map(Locality))
    }
    async fn current_setting(&self) -> Option<&str> {
        self.0.current_setting.as_deref()
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
    /// Parents and carers: visible to staff and the family, not to professionals.
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
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

impl Child {
    fn nc_year_on(&self, today: NaiveDate) -> i32 {
        self.0
            .nc_year_override
            .map(i32::from)
            .unwrap_or_else(|| national_curriculum_year(self.0.date_of_birth, today))
    }
}

#[derive(SimpleObject)]
pub struct ParentLink {
    /// How they are related to the child (mother, father, foster carer...).
    relationship: String,
    parent: Parent,
}

pub struct Parent(pub ParentRow);

#[Object]
impl Parent {
    pub async fn id(&self) -> ID {
        Id::of(Kind::Parent, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
}

pub struct AuditEvent(pub AuditEventRow);

#[Object]
impl AuditEvent {
    pub async fn id(&self) -> ID {
        Id::of(Kind::AuditEvent, self.0.id)
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn actor_subject(&self) -> &str {
        &self.0.actor_subject
    }
    async fn actor_role(&self) -> &str {
        &self.0.actor_role
    }
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
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// What changed, as a JSON object.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
}

/// The signed-in person.
#[derive(SimpleObject)]
pub struct Me {
    subject: String,
    role: Role,
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

    async fn local_authority(&self, gql: &Context<'_>, id: ID) -> Result<LocalAuthority> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::LocalAuthority, &id)?;
        Ok(find_local_authority(&ctx, id).await?)
    }

    /// Staff of the signed-in person's local authority.
    async fn staff(
        &self,
        gql: &Context<'_>,
        team_id: Option<ID>,
        role: Option<Role>,
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

    async fn professionals(
        &self,
        gql: &Context<'_>,
        service: Option<AdviceService>,
    ) -> Result<Vec<Professional>> {
        let ctx = ctx(gql)?;
        Ok(svc::professionals(&ctx, service.map(Into::into))
            .await?
            .into_iter()
            .map(Professional)
            .collect())
    }

    /// A child or young person the signed-in person may see; NOT_FOUND otherwise.
    async fn child(&self, gql: &Context<'_>, id: ID) -> Result<Child> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Child, &id)?;
        Ok(find_child(&ctx, id).await?)
    }

    /// Children and young people the signed-in person may see, in the order they were added.
    #[allow(clippy::too_many_arguments)]
    async fn children(
        &self,
        gql: &Context<'_>,
        search: Option<String>,
        locality_id: Option<ID>,
        after: Option<String>,
        before: Option<String>,
        #[graphql(desc = "page size, at most 100")] first: Option<i32>,
        #[graphql(desc = "page size, at most 100")] last: Option<i32>,
    ) -> Result<Connection<String, Child>> {
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
        child_id: Option<ID>,
        actor_subject: Option<String>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Connection<String, AuditEvent>> {
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

#[derive(InputObject)]
pub struct CreateStaffInput {
    /// Admins name the local authority; staff always add to their own.
    local_authority_id: Option<ID>,
    team_id: Option<ID>,
    /// The sign-in subject (the token's `sub`) for this person.
    subject: String,
    name: String,
    email: Option<String>,
    role: Role,
}

#[derive(InputObject)]
pub struct UpdateStaffInput {
    id: ID,
    /// A new identity-provider subject for this person.
    subject: Option<String>,
    name: Option<String>,
    email: MaybeUndefined<String>,
    team_id: MaybeUndefined<ID>,
    role: Option<Role>,
    active: Option<bool>,
}

#[derive(InputObject)]
pub struct CreateProfessionalInput {
    local_authority_id: Option<ID>,
    subject: Option<String>,
    name: String,
    service: AdviceService,
    organisation: String,
    email: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateProfessionalInput {
    id: ID,
    /// The identity-provider subject that signs them in; null: they cannot sign in.
    subject: MaybeUndefined<String>,
    name: Option<String>,
    organisation: Option<String>,
    email: MaybeUndefined<String>,
    /// False: refused at sign-in from now on (their requests stay on the cases).
    active: Option<bool>,
}

#[derive(InputObject)]
pub struct CreateChildInput {
    legal_name: String,
    preferred_name: Option<String>,
    date_of_birth: NaiveDate,
    locality_id: ID,
    current_setting: Option<String>,
    /// Only for a child educated out of their chronological year group.
    nc_year_override: Option<i32>,
    /// For a young person (16+) who signs in themself.
    subject: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateChildInput {
    id: ID,
    /// The version you loaded: a change made since then makes this a CONFLICT.
    version: i32,
    legal_name: Option<String>,
    preferred_name: MaybeUndefined<String>,
    date_of_birth: Option<NaiveDate>,
    locality_id: Option<ID>,
    current_setting: MaybeUndefined<String>,
    nc_year_override: MaybeUndefined<i32>,
}

#[derive(InputObject)]
pub struct CreateParentInput {
    local_authority_id: Option<ID>,
    /// The sign-in subject for the parents' portal.
    subject: Option<String>,
    name: String,
    email: Option<String>,
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
        code: String,
        name: String,
    ) -> Result<LocalAuthority> {
        let ctx = ctx(gql)?;
        Ok(LocalAuthority(
            svc::create_local_authority(&ctx, &code, &name).await?,
        ))
    }

    async fn create_locality(
        &self,
        gql: &Context<'_>,
        local_authority_id: Option<ID>,
        name: String,
    ) -> Result<Locality> {
        let ctx = ctx(gql)?;
        let la = optional_id("localAuthorityId", Kind::LocalAuthority, local_authority_id)?;
        Ok(Locality(svc::create_locality(&ctx, la, &name).await?))
    }

    async fn create_team(
        &self,
        gql: &Context<'_>,
        local_authority_id: Option<ID>,
        name: String,
    ) -> Result<Team> {
        let ctx = ctx(gql)?;
        let la = optional_id("localAuthorityId", Kind::LocalAuthority, local_authority_id)?;
        Ok(Team(svc::create_team(&ctx, la, &name).await?))
    }

    async fn create_staff(
        &self,
        gql: &Context<'_>,
        input: CreateStaffInput,
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

    async fn update_staff(
        &self,
        gql: &Context<'_>,
        input: UpdateStaffInput,
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

    async fn create_professional(
        &self,
        gql: &Context<'_>,
        input: CreateProfessionalInput,
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
        input: UpdateProfessionalInput,
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

    async fn create_child(&self, gql: &Context<'_>, input: CreateChildInput) -> Result<Child> {
        let ctx = ctx(gql)?;
        let input = svc::ChildInput {
            legal_name: input.legal_name,
            preferred_name: input.preferred_name,
            date_of_birth: input.date_of_birth,
            locality_id: Id::parse("localityId", Kind::Locality, &input.locality_id)?,
            current_setting: input.current_setting,
            nc_year_override: input.nc_year_override,
            subject: input.subject,
        };
        Ok(Child(svc::create_child(&ctx, input).await?))
    }

    async fn update_child(&self, gql: &Context<'_>, input: UpdateChildInput) -> Result<Child> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Child, &input.id)?;
        let p = svc::ChildPatch {
            legal_name: input.legal_name,
            preferred_name: patch(input.preferred_name),
            date_of_birth: input.date_of_birth,
            locality_id: optional_id("localityId", Kind::Locality, input.locality_id)?,
            current_setting: patch(input.current_setting),
            nc_year_override: patch(input.nc_year_override),
        };
        Ok(Child(svc::update_child(&ctx, id, input.version, p).await?))
    }

    async fn create_parent(&self, gql: &Context<'_>, input: CreateParentInput) -> Result<Parent> {
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
        child_id: ID,
        parent_id: ID,
        relationship: Option<String>,
    ) -> Result<Child> {
        let ctx = ctx(gql)?;
        let child_id = Id::parse("childId", Kind::Child, &child_id)?;
        let parent_id = Id::parse("parentId", Kind::Parent, &parent_id)?;
        Ok(Child(
            svc::link_parent(&ctx, child_id, parent_id, relationship.as_deref()).await?,
        ))
    }

    async fn unlink_parent(&self, gql: &Context<'_>, child_id: ID, parent_id: ID) -> Result<Child> {
        let ctx = ctx(gql)?;
        let child_id = Id::parse("childId", Kind::Child, &child_id)?;
        let parent_id = Id::parse("parentId", Kind::Parent, &parent_id)?;
        Ok(Child(svc::unlink_parent(&ctx, child_id, parent_id).await?))
    }
}
