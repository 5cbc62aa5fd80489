//! People and places: local authorities, localities, teams, staff, professionals, children
//! and parents.
use crate::domain::audit::AuditAction;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::changes::{self, Changes};
use super::{Ctx, in_transaction};
use crate::domain::access::{Permission, Role, Scope};
use crate::domain::advice::AdviceService;
use crate::domain::people::{
    parse_date_of_birth, parse_la_code, parse_name, parse_nc_year, parse_optional_name,
    parse_relationship, parse_subject,
};
use crate::domain::sen2::{CodeList, PersonDetails, PersonLists};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::entity::{
    child, child_parent, local_authority, locality, parent, professional, staff, team,
};
use crate::store::is_unique_violation;
use crate::store::page::{Page, PageRequest, paginate};
use crate::store::scope::{visible_children, visible_organisation};

/// The local authority a change applies to: staff act in their own; an admin names one.
async fn target_la(ctx: &Ctx<'_>, requested: Option<i64>) -> ApiResult<i64> {
    let la_id = match (requested, ctx.actor.la_id) {
        (Some(id), _) if ctx.actor.role == Role::Admin => id,
        (None, Some(own)) => own,
        (Some(id), Some(own)) if id == own => own,
        (Some(_), _) => {
            return Err(ApiError::forbidden(
                "you may only change records of your own local authority",
            ));
        }
        (None, None) => {
            return Err(ApiError::validation(
                "localAuthorityId",
                "name the local authority",
            ));
        }
    };
    if local_authority::Entity::find_by_id(la_id)
        .one(ctx.db)
        .await?
        .is_none()
    {
        return Err(ApiError::validation(
            "localAuthorityId",
            "unknown local authority",
        ));
    }
    Ok(la_id)
}

fn duplicate(field: &str, what: &str) -> impl Fn(sea_orm::DbErr) -> ApiError {
    let field = field.to_owned();
    let what = what.to_owned();
    move |e| {
        if is_unique_violation(&e) {
            ApiError::conflict(format!("{field}: {what} already exists"))
        } else {
            e.into()
        }
    }
}

// ---------- local authorities ----------

pub async fn create_local_authority(
    ctx: &Ctx<'_>,
    code: &str,
    name: &str,
) -> ApiResult<local_authority::Model> {
    ctx.require(Permission::AdministerLocalAuthorities)?;
    let code = parse_la_code(code)?;
    let name = parse_name("name", name)?;
    let now = ctx.now;
    let actor = ctx.actor.clone();
    let la = in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            let la = local_authority::ActiveModel {
                id: NotSet,
                code: Set(code.clone()),
                name: Set(name.clone()),
                created_at: Set(now),
                dmo: Set(None),
                dco: Set(None),
                dsco: Set(None),
            }
            .insert(txn)
            .await
            .map_err(duplicate("code", "a local authority with this code"))?;
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: Some(la.id),
                    child_id: None,
                    entity: "local_authority",
                    entity_id: la.id,
                    action: AuditAction::Create,
                    summary: json!({"code": code, "name": name}),
                },
            )
            .await?;
            Ok(la)
        })
    })
    .await?;
    Ok(la)
}

pub async fn local_authorities(ctx: &Ctx<'_>) -> ApiResult<Vec<local_authority::Model>> {
    let mut q = local_authority::Entity::find().order_by_asc(local_authority::Column::Code);
    if ctx.actor.scope != Scope::Everything {
        q = q.filter(visible_organisation(
            &ctx.actor.scope,
            local_authority::Column::Id,
        ));
    }
    Ok(q.all(ctx.db).await?)
}

pub async fn local_authority_by_id(
    ctx: &Ctx<'_>,
    id: i64,
) -> ApiResult<Option<local_authority::Model>> {
    Ok(local_authority::Entity::find_by_id(id)
        .filter(visible_organisation(
            &ctx.actor.scope,
            local_authority::Column::Id,
        ))
        .one(ctx.db)
        .await?)
}

/// The local authorities among `ids` the actor may see.
pub async fn local_authorities_by_ids(
    ctx: &Ctx<'_>,
    ids: &[i64],
) -> ApiResult<Vec<local_authority::Model>> {
    Ok(local_authority::Entity::find()
        .filter(crate::store::ids_in(
            ctx.db,
            local_authority::Column::Id,
            ids.iter().copied(),
        ))
        .filter(visible_organisation(
            &ctx.actor.scope,
            local_authority::Column::Id,
        ))
        .all(ctx.db)
        .await?)
}

// ---------- localities and teams ----------

pub async fn create_locality(
    ctx: &Ctx<'_>,
    la: Option<i64>,
    name: &str,
) -> ApiResult<locality::Model> {
    ctx.require(Permission::ManageOrganisation)?;
    let la_id = target_la(ctx, la).await?;
    let name = parse_name("name", name)?;
    let (now, actor) = (ctx.now, ctx.actor.clone());
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            let row = locality::ActiveModel {
                id: NotSet,
                la_id: Set(la_id),
                name: Set(name.clone()),
            }
            .insert(txn)
            .await
            .map_err(duplicate("name", "a locality with this name"))?;
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: Some(la_id),
                    child_id: None,
                    entity: "locality",
                    entity_id: row.id,
                    action: AuditAction::Create,
                    summary: json!({"name": name}),
                },
            )
            .await?;
            Ok(row)
        })
    })
    .await
}

pub async fn create_team(ctx: &Ctx<'_>, la: Option<i64>, name: &str) -> ApiResult<team::Model> {
    ctx.require(Permission::ManageOrganisation)?;
    let la_id = target_la(ctx, la).await?;
    let name = parse_name("name", name)?;
    let (now, actor) = (ctx.now, ctx.actor.clone());
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            let row = team::ActiveModel {
                id: NotSet,
                la_id: Set(la_id),
                name: Set(name.clone()),
            }
            .insert(txn)
            .await
            .map_err(duplicate("name", "a team with this name"))?;
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: Some(la_id),
                    child_id: None,
                    entity: "team",
                    entity_id: row.id,
                    action: AuditAction::Create,
                    summary: json!({"name": name}),
                },
            )
            .await?;
            Ok(row)
        })
    })
    .await
}

pub async fn localities(ctx: &Ctx<'_>, la_id: Option<i64>) -> ApiResult<Vec<locality::Model>> {
    let mut q = locality::Entity::find()
        .filter(visible_organisation(
            &ctx.actor.scope,
            locality::Column::LaId,
        ))
        .order_by_asc(locality::Column::Name);
    if let Some(la_id) = la_id {
        q = q.filter(locality::Column::LaId.eq(la_id));
    }
    Ok(q.all(ctx.db).await?)
}

pub async fn teams(ctx: &Ctx<'_>, la_id: Option<i64>) -> ApiResult<Vec<team::Model>> {
    let mut q = team::Entity::find()
        .filter(visible_organisation(&ctx.actor.scope, team::Column::LaId))
        .order_by_asc(team::Column::Name);
    if let Some(la_id) = la_id {
        q = q.filter(team::Column::LaId.eq(la_id));
    }
    Ok(q.all(ctx.db).await?)
}

/// The localities of these LAs the actor may see, by name.
pub async fn localities_of_las(ctx: &Ctx<'_>, la_ids: &[i64]) -> ApiResult<Vec<locality::Model>> {
    Ok(locality::Entity::find()
        .filter(visible_organisation(
            &ctx.actor.scope,
            locality::Column::LaId,
        ))
        .filter(crate::store::ids_in(
            ctx.db,
            locality::Column::LaId,
            la_ids.iter().copied(),
        ))
        .order_by_asc(locality::Column::Name)
        .all(ctx.db)
        .await?)
}

/// The teams of these LAs the actor may see, by name.
pub async fn teams_of_las(ctx: &Ctx<'_>, la_ids: &[i64]) -> ApiResult<Vec<team::Model>> {
    Ok(team::Entity::find()
        .filter(visible_organisation(&ctx.actor.scope, team::Column::LaId))
        .filter(crate::store::ids_in(
            ctx.db,
            team::Column::LaId,
            la_ids.iter().copied(),
        ))
        .order_by_asc(team::Column::Name)
        .all(ctx.db)
        .await?)
}

// ---------- staff ----------

pub struct StaffInput {
    pub local_authority_id: Option<i64>,
    pub team_id: Option<i64>,
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
}

async fn team_in_la(ctx: &Ctx<'_>, team_id: i64, la_id: i64) -> ApiResult<()> {
    let found = team::Entity::find_by_id(team_id)
        .filter(team::Column::LaId.eq(la_id))
        .one(ctx.db)
        .await?;
    found
        .map(|_| ())
        .ok_or_else(|| ApiError::validation("teamId", "unknown team"))
}

fn staff_role(role: Role) -> ApiResult<&'static str> {
    if role.is_staff() {
        Ok(role.as_str())
    } else {
        Err(ApiError::validation(
            "role",
            "staff are caseworkers or managers",
        ))
    }
}

pub async fn create_staff(ctx: &Ctx<'_>, input: StaffInput) -> ApiResult<staff::Model> {
    ctx.require(Permission::ManageOrganisation)?;
    let la_id = target_la(ctx, input.local_authority_id).await?;
    let subject = parse_subject("subject", &input.subject)?;
    let name = parse_name("name", &input.name)?;
    let email = parse_optional_name("email", input.email.as_deref())?;
    let role = staff_role(input.role)?;
    if let Some(team_id) = input.team_id {
        team_in_la(ctx, team_id, la_id).await?;
    }
    let (now, actor) = (ctx.now, ctx.actor.clone());
    let team_id = input.team_id;
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            let row = staff::ActiveModel {
                id: NotSet,
                la_id: Set(la_id),
                team_id: Set(team_id),
                subject: Set(subject.clone()),
                name: Set(name.clone()),
                email: Set(email),
                role: Set(role.to_owned()),
                active: Set(true),
                created_at: Set(now),
                daily_digest: Set(true),
                weekly_digest: Set(false),
                last_signed_in_at: Set(None),
            }
            .insert(txn)
            .await
            .map_err(changes::subject_taken)?;
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: Some(la_id),
                    child_id: None,
                    entity: "staff",
                    entity_id: row.id,
                    action: AuditAction::Create,
                    summary: json!({"name": name, "role": role, "teamId": team_id}),
                },
            )
            .await?;
            Ok(row)
        })
    })
    .await
}

pub struct StaffPatch {
    /// A new identity-provider subject (a person moved to another provider, or a typo).
    pub subject: Option<String>,
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub team_id: Option<Option<i64>>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

pub async fn update_staff(ctx: &Ctx<'_>, id: i64, patch: StaffPatch) -> ApiResult<staff::Model> {
    ctx.require(Permission::ManageOrganisation)?;
    let existing = staff::Entity::find_by_id(id)
        .filter(visible_organisation(&ctx.actor.scope, staff::Column::LaId))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("staff member"))?;
    if let Some(Some(team_id)) = patch.team_id {
        team_in_la(ctx, team_id, existing.la_id).await?;
    }
    let role = patch.role.map(staff_role).transpose()?;
    let mut changes = Changes::default();
    let mut row = existing.into_active_model();
    if let Some(subject) = changes.subject(patch.subject)? {
        row.subject = Set(subject);
    }
    if let Some(name) = changes.name("name", patch.name)? {
        row.name = Set(name);
    }
    if let Some(email) = changes.contact("email", patch.email)? {
        row.email = Set(email);
    }
    if let Some(team_id) = changes.value("teamId", patch.team_id) {
        row.team_id = Set(team_id);
    }
    if let Some(role) = changes.value("role", role) {
        row.role = Set(role.to_owned());
    }
    if let Some(active) = changes.value("active", patch.active) {
        row.active = Set(active);
    }
    changes::save(ctx, row, "staff", |s| (Some(s.la_id), s.id), changes).await
}

/// Who may read the staff directory (`staff`, a team's members, a member by id).
fn require_staff_directory(ctx: &Ctx<'_>) -> ApiResult<()> {
    if !ctx.actor.role.is_staff() && ctx.actor.role != Role::Admin {
        return Err(ApiError::forbidden("only staff may list staff"));
    }
    Ok(())
}

/// Who may read the professionals directory: everyone signed in but families.
fn require_professionals_directory(ctx: &Ctx<'_>) -> ApiResult<()> {
    if ctx.actor.role == Role::Parent {
        return Err(ApiError::forbidden("parents may not list professionals"));
    }
    Ok(())
}

pub async fn staff_list(
    ctx: &Ctx<'_>,
    team_id: Option<i64>,
    role: Option<Role>,
) -> ApiResult<Vec<staff::Model>> {
    require_staff_directory(ctx)?;
    let mut q = staff::Entity::find()
        .filter(visible_organisation(&ctx.actor.scope, staff::Column::LaId))
        .order_by_asc(staff::Column::Name);
    if let Some(team_id) = team_id {
        q = q.filter(staff::Column::TeamId.eq(team_id));
    }
    if let Some(role) = role {
        q = q.filter(staff::Column::Role.eq(role.as_str()));
    }
    Ok(q.all(ctx.db).await?)
}

/// The members of these teams (staff and admins only), by name.
pub async fn staff_of_teams(ctx: &Ctx<'_>, team_ids: &[i64]) -> ApiResult<Vec<staff::Model>> {
    require_staff_directory(ctx)?;
    Ok(staff::Entity::find()
        .filter(visible_organisation(&ctx.actor.scope, staff::Column::LaId))
        .filter(crate::store::ids_in(
            ctx.db,
            staff::Column::TeamId,
            team_ids.iter().copied(),
        ))
        .order_by_asc(staff::Column::Name)
        .all(ctx.db)
        .await?)
}

// ---------- professionals ----------

pub struct ProfessionalInput {
    pub local_authority_id: Option<i64>,
    pub subject: Option<String>,
    pub name: String,
    pub service: AdviceService,
    pub organisation: String,
    pub email: Option<String>,
}

pub async fn create_professional(
    ctx: &Ctx<'_>,
    input: ProfessionalInput,
) -> ApiResult<professional::Model> {
    ctx.require(Permission::ManageOrganisation)?;
    let la_id = target_la(ctx, input.local_authority_id).await?;
    if !input.service.is_professional() {
        return Err(ApiError::validation(
            "service",
            "parent and child views are given by the family, not a professional service",
        ));
    }
    let subject = match input.subject.as_deref() {
        Some(s) => Some(parse_subject("subject", s)?),
        None => None,
    };
    let name = parse_name("name", &input.name)?;
    let organisation = parse_name("organisation", &input.organisation)?;
    let email = parse_optional_name("email", input.email.as_deref())?;
    let service = input.service.as_str();
    let (now, actor) = (ctx.now, ctx.actor.clone());
    in_transaction(ctx.db, |txn| {
            Box::pin(async move {
                let row = professional::ActiveModel {
                    id: NotSet,
                    la_id: Set(la_id),
                    subject: Set(subject),
                    name: Set(name.clone()),
                    service: Set(service.to_owned()),
                    organisation: Set(organisation.clone()),
                    email: Set(email),
                    created_at: Set(now),
                    optional_reminders: Set(true),
                    active: Set(true),
                    last_signed_in_at: Set(None),
                }
                .insert(txn)
                .await
                .map_err(changes::subject_taken)?;
                audit::record(
                    txn,
                    &actor,
                    now,
                    AuditEntry {
                        la_id: Some(la_id),
                        child_id: None,
                        entity: "professional",
                        entity_id: row.id,
                        action: AuditAction::Create,
                        summary: json!({"name": name, "service": service, "organisation": organisation}),
                    },
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

pub struct ProfessionalPatch {
    pub subject: Option<Option<String>>,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub email: Option<Option<String>>,
    pub active: Option<bool>,
}

/// Changes a professional's record: their sign-in subject, contact details, or whether they
/// may still sign in (requests already addressed to them stay on the cases).
pub async fn update_professional(
    ctx: &Ctx<'_>,
    id: i64,
    patch: ProfessionalPatch,
) -> ApiResult<professional::Model> {
    ctx.require(Permission::ManageOrganisation)?;
    let existing = professional::Entity::find_by_id(id)
        .filter(visible_organisation(
            &ctx.actor.scope,
            professional::Column::LaId,
        ))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("professional"))?;
    let mut changes = Changes::default();
    let mut row = existing.into_active_model();
    if let Some(subject) = changes.optional_subject(patch.subject)? {
        row.subject = Set(subject);
    }
    if let Some(name) = changes.name("name", patch.name)? {
        row.name = Set(name);
    }
    if let Some(organisation) = changes.name("organisation", patch.organisation)? {
        row.organisation = Set(organisation);
    }
    if let Some(email) = changes.contact("email", patch.email)? {
        row.email = Set(email);
    }
    if let Some(active) = changes.value("active", patch.active) {
        row.active = Set(active);
    }
    changes::save(ctx, row, "professional", |p| (Some(p.la_id), p.id), changes).await
}

pub async fn professionals(
    ctx: &Ctx<'_>,
    service: Option<AdviceService>,
) -> ApiResult<Vec<professional::Model>> {
    require_professionals_directory(ctx)?;
    let mut q = professional::Entity::find()
        .filter(visible_organisation(
            &ctx.actor.scope,
            professional::Column::LaId,
        ))
        .order_by_asc(professional::Column::Name);
    if let Some(service) = service {
        q = q.filter(professional::Column::Service.eq(service.as_str()));
    }
    Ok(q.all(ctx.db).await?)
}

/// Records whether the LA's designated medical, clinical and social care officers are in
/// post (SEN2 `OFFICER_IN_POST` codes: Y, N, R), each replacing what was held; `None` leaves
/// one as it is. Managers of the LA and administrators.
pub async fn set_designated_officers(
    ctx: &Ctx<'_>,
    la: i64,
    officers: [Option<String>; 3],
) -> ApiResult<local_authority::Model> {
    ctx.require(Permission::ManageOrganisation)?;
    let la_id = target_la(ctx, Some(la)).await?;
    let list = crate::store::reference::sen2_lists(ctx.db, &["OFFICER_IN_POST"])
        .await?
        .remove(0);
    let mut row = local_authority::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(la_id),
        ..Default::default()
    };
    let mut fields = Vec::new();
    for ((field, value), column) in ["dmo", "dco", "dsco"].into_iter().zip(officers).zip([
        &mut row.dmo,
        &mut row.dco,
        &mut row.dsco,
    ]) {
        if let Some(value) = value {
            *column = Set(Some(list.check(field, &value)?));
            fields.push(field);
        }
    }
    if fields.is_empty() {
        return Err(ApiError::validation(
            "dmo",
            "give at least one of dmo, dco and dsco",
        ));
    }
    let (now, actor) = (ctx.now, ctx.actor.clone());
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            let la = row.update(txn).await?;
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: Some(la_id),
                    child_id: None,
                    entity: "local_authority",
                    entity_id: la_id,
                    action: AuditAction::Update,
                    summary: json!({"fields": fields}),
                },
            )
            .await?;
            Ok(la)
        })
    })
    .await
}

// ---------- children ----------

pub struct ChildInput {
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub locality_id: i64,
    pub current_setting: Option<String>,
    pub nc_year_override: Option<i32>,
    pub subject: Option<String>,
    /// What the SEN2 return records of them (each optional).
    pub details: PersonDetails,
}

/// Checks what the SEN2 return records of a person against its code lists.
async fn checked_details(ctx: &Ctx<'_>, details: PersonDetails) -> ApiResult<PersonDetails> {
    let lists = crate::store::reference::sen2_lists(
        ctx.db,
        &[CodeList::SEX, CodeList::ETHNICITY, CodeList::UPN_UNKNOWN],
    )
    .await?;
    Ok(details.checked(&PersonLists {
        sex: &lists[0],
        ethnicity: &lists[1],
        upn_unknown: &lists[2],
    })?)
}

/// What the record holds of the SEN2 items.
pub fn details_of(c: &child::Model) -> PersonDetails {
    PersonDetails {
        upn: c.upn.clone(),
        uln: c.uln.clone(),
        upn_unknown: c.upn_unknown.clone(),
        sex: c.sex.clone(),
        ethnicity: c.ethnicity.clone(),
        home_postcode: c.home_postcode.clone(),
    }
}

/// The SEN2 fields a change of `details` names, for the audit trail.
const DETAIL_FIELDS: [&str; 6] = [
    "upn",
    "uniqueLearnerNumber",
    "upnUnknownReason",
    "sex",
    "ethnicity",
    "homePostcode",
];

/// The locality, which must belong to a local authority the actor may act in.
async fn locality_for_actor(ctx: &Ctx<'_>, locality_id: i64) -> ApiResult<locality::Model> {
    let found = locality::Entity::find_by_id(locality_id)
        .one(ctx.db)
        .await?
        .filter(|l| ctx.actor.may_act_in(l.la_id));
    found.ok_or_else(|| ApiError::validation("localityId", "unknown locality"))
}

pub async fn create_child(ctx: &Ctx<'_>, input: ChildInput) -> ApiResult<child::Model> {
    ctx.require(Permission::ManageChildren)?;
    let legal_name = parse_name("legalName", &input.legal_name)?;
    let preferred_name = parse_optional_name("preferredName", input.preferred_name.as_deref())?;
    let date_of_birth = parse_date_of_birth(input.date_of_birth, ctx.today())?;
    let current_setting = parse_optional_name("currentSetting", input.current_setting.as_deref())?;
    let nc_year_override = input.nc_year_override.map(parse_nc_year).transpose()?;
    let subject = input
        .subject
        .as_deref()
        .map(|s| parse_subject("subject", s))
        .transpose()?;
    let locality = locality_for_actor(ctx, input.locality_id).await?;
    let details = checked_details(ctx, input.details).await?;
    let (now, actor) = (ctx.now, ctx.actor.clone());
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            let mut fields = vec![
                "legalName",
                "preferredName",
                "dateOfBirth",
                "localityId",
                "currentSetting",
                "ncYearOverride",
            ];
            fields.extend(
                DETAIL_FIELDS
                    .iter()
                    .zip(details.values())
                    .filter(|(_, v)| v.is_some())
                    .map(|(f, _)| *f),
            );
            let row = child::ActiveModel {
                id: NotSet,
                la_id: Set(locality.la_id),
                legal_name: Set(legal_name),
                preferred_name: Set(preferred_name),
                date_of_birth: Set(date_of_birth),
                locality_id: Set(locality.id),
                current_setting: Set(current_setting),
                nc_year_override: Set(nc_year_override),
                subject: Set(subject),
                version: Set(1),
                created_at: Set(now),
                contact_email: Set(None),
                contact_phone: Set(None),
                message_channel: Set(None),
                optional_reminders: Set(true),
                updated_at: Set(now),
                upn: Set(details.upn),
                uln: Set(details.uln),
                upn_unknown: Set(details.upn_unknown),
                sex: Set(details.sex),
                ethnicity: Set(details.ethnicity),
                home_postcode: Set(details.home_postcode),
            }
            .insert(txn)
            .await
            .map_err(changes::subject_taken)?;
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: Some(row.la_id),
                    child_id: Some(row.id),
                    entity: "child",
                    entity_id: row.id,
                    action: AuditAction::Create,
                    // Names and dates of birth stay out of the trail: it records that
                    // a change happened and to which fields.
                    summary: json!({"fields": fields}),
                },
            )
            .await?;
            Ok(row)
        })
    })
    .await
}

pub struct ChildPatch {
    pub legal_name: Option<String>,
    pub preferred_name: Option<Option<String>>,
    pub date_of_birth: Option<NaiveDate>,
    pub locality_id: Option<i64>,
    pub current_setting: Option<Option<String>>,
    pub nc_year_override: Option<Option<i32>>,
    /// The SEN2 items to change, in [`DETAIL_FIELDS`] order (`Some(None)` clears one).
    pub details: [Option<Option<String>>; 6],
}

pub async fn update_child(
    ctx: &Ctx<'_>,
    id: i64,
    version: i32,
    patch: ChildPatch,
) -> ApiResult<child::Model> {
    ctx.require(Permission::ManageChildren)?;
    let existing = find_child(ctx, id).await?;
    let mut fields = Vec::new();
    let mut row = child::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(existing.id),
        ..Default::default()
    };
    if let Some(name) = patch.legal_name {
        row.legal_name = Set(parse_name("legalName", &name)?);
        fields.push("legalName");
    }
    if let Some(name) = patch.preferred_name {
        row.preferred_name = Set(parse_optional_name("preferredName", name.as_deref())?);
        fields.push("preferredName");
    }
    if let Some(dob) = patch.date_of_birth {
        row.date_of_birth = Set(parse_date_of_birth(dob, ctx.today())?);
        fields.push("dateOfBirth");
    }
    if let Some(locality_id) = patch.locality_id {
        let locality = locality_for_actor(ctx, locality_id).await?;
        if locality.la_id != existing.la_id {
            return Err(ApiError::validation(
                "localityId",
                "the locality belongs to another local authority: transfer the child instead",
            ));
        }
        row.locality_id = Set(locality_id);
        fields.push("localityId");
    }
    if let Some(setting) = patch.current_setting {
        row.current_setting = Set(parse_optional_name("currentSetting", setting.as_deref())?);
        fields.push("currentSetting");
    }
    if let Some(year) = patch.nc_year_override {
        row.nc_year_override = Set(year.map(parse_nc_year).transpose()?);
        fields.push("ncYearOverride");
    }
    if patch.details.iter().any(Option::is_some) {
        // Checked as a whole: a reason for no UPN depends on the numbers.
        let mut values = details_of(&existing).values();
        for (held, new) in values.iter_mut().zip(&patch.details) {
            if let Some(new) = new {
                *held = new.clone();
            }
        }
        let details = checked_details(ctx, PersonDetails::from_values(values)).await?;
        fields.extend(
            DETAIL_FIELDS
                .iter()
                .zip(&patch.details)
                .filter(|(_, v)| v.is_some())
                .map(|(f, _)| *f),
        );
        row.upn = Set(details.upn);
        row.uln = Set(details.uln);
        row.upn_unknown = Set(details.upn_unknown);
        row.sex = Set(details.sex);
        row.ethnicity = Set(details.ethnicity);
        row.home_postcode = Set(details.home_postcode);
    }
    row.version = Set(version + 1);
    row.updated_at = Set(ctx.now);
    let (now, actor) = (ctx.now, ctx.actor.clone());
    let la_id = existing.la_id;
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            // Optimistic concurrency: only the version the caller saw may be replaced.
            let result = child::Entity::update_many()
                .set(row)
                .filter(child::Column::Id.eq(id))
                .filter(child::Column::Version.eq(version))
                .exec(txn)
                .await?;
            if result.rows_affected != 1 {
                return Err(ApiError::stale("child's record"));
            }
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: Some(la_id),
                    child_id: Some(id),
                    entity: "child",
                    entity_id: id,
                    action: AuditAction::Update,
                    summary: json!({"fields": fields, "version": version + 1}),
                },
            )
            .await?;
            child::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or_else(|| ApiError::not_found("child"))
        })
    })
    .await
}

/// A child the actor may see, or NOT_FOUND (never revealing that a hidden record exists).
pub async fn find_child(ctx: &Ctx<'_>, id: i64) -> ApiResult<child::Model> {
    child::Entity::find_by_id(id)
        .filter(visible_children(
            &ctx.actor.scope,
            child::Column::LaId,
            child::Column::Id,
        ))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("child"))
}

#[derive(Default)]
pub struct ChildFilter {
    pub search: Option<String>,
    pub locality_id: Option<i64>,
}

pub async fn children(
    ctx: &Ctx<'_>,
    filter: ChildFilter,
    page: PageRequest,
) -> ApiResult<Page<child::Model>> {
    let mut cond = visible_children(&ctx.actor.scope, child::Column::LaId, child::Column::Id);
    if let Some(locality_id) = filter.locality_id {
        cond = cond.add(child::Column::LocalityId.eq(locality_id));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // Case-insensitive on both backends (PostgreSQL's LIKE is case-sensitive).
        let pattern = format!("%{}%", search.replace(['%', '_'], "").to_lowercase());
        let lower = |c: child::Column| Expr::expr(Func::lower(Expr::col(c)));
        cond = cond.add(
            Condition::any()
                .add(lower(child::Column::LegalName).like(pattern.clone()))
                .add(lower(child::Column::PreferredName).like(pattern)),
        );
    }
    Ok(paginate(
        ctx.db,
        child::Entity::find().filter(cond),
        child::Column::Id,
        page,
        false,
    )
    .await?)
}

// ---------- parents ----------

pub struct ParentInput {
    pub local_authority_id: Option<i64>,
    pub subject: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub async fn create_parent(ctx: &Ctx<'_>, input: ParentInput) -> ApiResult<parent::Model> {
    ctx.require(Permission::ManageChildren)?;
    let la_id = target_la(ctx, input.local_authority_id).await?;
    let subject = input
        .subject
        .as_deref()
        .map(|s| parse_subject("subject", s))
        .transpose()?;
    let name = parse_name("name", &input.name)?;
    let email = parse_optional_name("email", input.email.as_deref())?;
    let phone = parse_optional_name("phone", input.phone.as_deref())?;
    let (now, actor) = (ctx.now, ctx.actor.clone());
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            let row = parent::ActiveModel {
                id: NotSet,
                la_id: Set(la_id),
                subject: Set(subject),
                name: Set(name),
                email: Set(email),
                phone: Set(phone),
                created_at: Set(now),
                message_channel: Set(None),
                optional_reminders: Set(true),
            }
            .insert(txn)
            .await
            .map_err(changes::subject_taken)?;
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: Some(la_id),
                    child_id: None,
                    entity: "parent",
                    entity_id: row.id,
                    action: AuditAction::Create,
                    summary: json!({"fields": ["name", "email", "phone", "subject"]}),
                },
            )
            .await?;
            Ok(row)
        })
    })
    .await
}

async fn parent_in_la(ctx: &Ctx<'_>, parent_id: i64, la_id: i64) -> ApiResult<parent::Model> {
    parent::Entity::find_by_id(parent_id)
        .filter(parent::Column::LaId.eq(la_id))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::validation("parentId", "unknown parent or carer"))
}

pub async fn link_parent(
    ctx: &Ctx<'_>,
    child_id: i64,
    parent_id: i64,
    relationship: Option<&str>,
) -> ApiResult<child::Model> {
    ctx.require(Permission::ManageChildren)?;
    let child = find_child(ctx, child_id).await?;
    parent_in_la(ctx, parent_id, child.la_id).await?;
    let relationship = parse_relationship(relationship)?;
    let (now, actor) = (ctx.now, ctx.actor.clone());
    let la_id = child.la_id;
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            child_parent::ActiveModel {
                child_id: Set(child_id),
                parent_id: Set(parent_id),
                relationship: Set(relationship.clone()),
            }
            .insert(txn)
            .await
            .map_err(duplicate("parentId", "this link"))?;
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: Some(la_id),
                    child_id: Some(child_id),
                    entity: "child_parent",
                    entity_id: parent_id,
                    action: AuditAction::Link,
                    summary: json!({"parentId": parent_id, "relationship": relationship}),
                },
            )
            .await?;
            Ok(())
        })
    })
    .await?;
    Ok(child)
}

pub async fn unlink_parent(
    ctx: &Ctx<'_>,
    child_id: i64,
    parent_id: i64,
) -> ApiResult<child::Model> {
    ctx.require(Permission::ManageChildren)?;
    let child = find_child(ctx, child_id).await?;
    let (now, actor) = (ctx.now, ctx.actor.clone());
    let la_id = child.la_id;
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            let result = child_parent::Entity::delete_many()
                .filter(child_parent::Column::ChildId.eq(child_id))
                .filter(child_parent::Column::ParentId.eq(parent_id))
                .exec(txn)
                .await?;
            if result.rows_affected == 0 {
                return Err(ApiError::not_found("link between this child and parent"));
            }
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: Some(la_id),
                    child_id: Some(child_id),
                    entity: "child_parent",
                    entity_id: parent_id,
                    action: AuditAction::Unlink,
                    summary: json!({"parentId": parent_id}),
                },
            )
            .await?;
            Ok(())
        })
    })
    .await?;
    Ok(child)
}

/// Parents and carers of these children (already allowed to be seen), as (child id, parent,
/// relationship), each child's by name: one statement for any number of children.
pub async fn parents_of_children(
    ctx: &Ctx<'_>,
    child_ids: &[i64],
) -> ApiResult<Vec<(i64, parent::Model, String)>> {
    Ok(crate::store::people::parents_of_children(ctx.db, child_ids).await?)
}

pub use crate::store::audit::AuditFilter;

/// The audit trail, newest first, where the actor's scope reaches: for managers and admins.
pub async fn audit_events(
    ctx: &Ctx<'_>,
    filter: &AuditFilter,
    page: PageRequest,
) -> ApiResult<Page<crate::store::entity::audit_event::Model>> {
    ctx.require(Permission::ReadAuditTrail)?;
    Ok(crate::store::audit::list(ctx.db, &ctx.actor.scope, filter, page).await?)
}

// ---------- by id, many at once (the API's per-row lookups batch through these) ----------

/// The children among `ids` the actor may see: one query for a whole page of cases.
pub async fn children_by_ids(ctx: &Ctx<'_>, ids: &[i64]) -> ApiResult<Vec<child::Model>> {
    Ok(child::Entity::find()
        .filter(crate::store::ids_in(
            ctx.db,
            child::Column::Id,
            ids.iter().copied(),
        ))
        .filter(visible_children(
            &ctx.actor.scope,
            child::Column::LaId,
            child::Column::Id,
        ))
        .all(ctx.db)
        .await?)
}

/// Localities by id: reached only through a record the actor may see (a child's locality).
pub async fn localities_by_ids(ctx: &Ctx<'_>, ids: &[i64]) -> ApiResult<Vec<locality::Model>> {
    Ok(locality::Entity::find()
        .filter(crate::store::ids_in(
            ctx.db,
            locality::Column::Id,
            ids.iter().copied(),
        ))
        .all(ctx.db)
        .await?)
}

/// Staff by id: reached only through a record the actor may see (a case's caseworker).
pub async fn staff_by_ids(ctx: &Ctx<'_>, ids: &[i64]) -> ApiResult<Vec<staff::Model>> {
    Ok(staff::Entity::find()
        .filter(crate::store::ids_in(
            ctx.db,
            staff::Column::Id,
            ids.iter().copied(),
        ))
        .all(ctx.db)
        .await?)
}

// ---------- one record by id, under the rule of the list that shows it (for `node`) ----------

/// A locality, as `localAuthority.localities` shows it.
pub async fn locality(ctx: &Ctx<'_>, id: i64) -> ApiResult<locality::Model> {
    locality::Entity::find_by_id(id)
        .filter(visible_organisation(
            &ctx.actor.scope,
            locality::Column::LaId,
        ))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("locality"))
}

/// A team, as `localAuthority.teams` shows it.
pub async fn team(ctx: &Ctx<'_>, id: i64) -> ApiResult<team::Model> {
    team::Entity::find_by_id(id)
        .filter(visible_organisation(&ctx.actor.scope, team::Column::LaId))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("team"))
}

/// A member of staff, as the `staff` directory shows them.
pub async fn staff_member(ctx: &Ctx<'_>, id: i64) -> ApiResult<staff::Model> {
    require_staff_directory(ctx)?;
    staff::Entity::find_by_id(id)
        .filter(visible_organisation(&ctx.actor.scope, staff::Column::LaId))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("member of staff"))
}

/// A professional, as the `professionals` directory shows them.
pub async fn professional(ctx: &Ctx<'_>, id: i64) -> ApiResult<professional::Model> {
    require_professionals_directory(ctx)?;
    professional::Entity::find_by_id(id)
        .filter(visible_organisation(
            &ctx.actor.scope,
            professional::Column::LaId,
        ))
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("professional"))
}

/// A parent or carer, as `child.parents` shows them: to staff and the family of a child the
/// actor may see, never to professionals.
pub async fn parent(ctx: &Ctx<'_>, id: i64) -> ApiResult<parent::Model> {
    if matches!(ctx.actor.scope, Scope::Professional { .. } | Scope::Nothing) {
        return Err(ApiError::forbidden(
            "parents' details are not shared with professionals",
        ));
    }
    let linked = crate::store::owners::children_of_parent(ctx.db, id).await?;
    let visible: Vec<i64> = children_by_ids(ctx, &linked)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    parents_of_children(ctx, &visible)
        .await?
        .into_iter()
        .map(|(_, p, _)| p)
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found("parent"))
}

/// An audit event, as `auditEvents` shows it.
pub async fn audit_event(
    ctx: &Ctx<'_>,
    id: i64,
) -> ApiResult<crate::store::entity::audit_event::Model> {
    let filter = AuditFilter {
        id: Some(id),
        ..AuditFilter::default()
    };
    let page = PageRequest {
        first: Some(1),
        ..PageRequest::default()
    };
    audit_events(ctx, &filter, page)
        .await?
        .items
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found("audit event"))
}
