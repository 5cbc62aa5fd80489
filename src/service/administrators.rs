//! Administrators: records like staff and professionals, so that an administrator's token is
//! honoured only while an active record has its subject. The first is made from the command
//! line (`ehcp admin add`), by whoever runs the server; later ones by an administrator.
use crate::domain::audit::AuditAction;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DbBackend, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde_json::json;

use super::changes::{Changes, subject_taken};
use super::{Ctx, in_transaction};
use crate::domain::access::{Actor, Permission, Role, Scope};
use crate::domain::people::{parse_name, parse_optional_name, parse_subject};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::entity::administrator;

pub struct AdministratorInput {
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
}

pub struct AdministratorPatch {
    pub subject: Option<String>,
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub active: Option<bool>,
}

pub async fn administrators(ctx: &Ctx<'_>) -> ApiResult<Vec<administrator::Model>> {
    ctx.require(Permission::AdministerLocalAuthorities)?;
    Ok(administrator::Entity::find()
        .order_by_asc(administrator::Column::Name)
        .order_by_asc(administrator::Column::Id)
        .all(ctx.db)
        .await?)
}

pub async fn create_administrator(
    ctx: &Ctx<'_>,
    input: AdministratorInput,
) -> ApiResult<administrator::Model> {
    ctx.require(Permission::AdministerLocalAuthorities)?;
    insert(ctx.db, ctx.actor, ctx.now, input).await
}

pub async fn update_administrator(
    ctx: &Ctx<'_>,
    id: i64,
    patch: AdministratorPatch,
) -> ApiResult<administrator::Model> {
    ctx.require(Permission::AdministerLocalAuthorities)?;
    let existing = administrator::Entity::find_by_id(id)
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("administrator"))?;
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
    if let Some(active) = changes.value("active", patch.active) {
        row.active = Set(active);
    }
    let (now, actor) = (ctx.now, ctx.actor.clone());
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            if patch.active == Some(false) && txn.get_database_backend() == DbBackend::Postgres {
                // Two administrators deactivating each other at once: the second waits for
                // the first and then counts what it left (SQLite runs one writer at a time).
                administrator::Entity::find()
                    .filter(administrator::Column::Active.eq(true))
                    .lock_exclusive()
                    .all(txn)
                    .await?;
            }
            let row = row.update(txn).await.map_err(subject_taken)?;
            if !row.active && active_count(txn).await? == 0 {
                return Err(ApiError::conflict(
                    "at least one administrator must stay active: add another first",
                ));
            }
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: None,
                    child_id: None,
                    entity: "administrator",
                    entity_id: row.id,
                    action: AuditAction::Update,
                    summary: changes.summary(),
                },
            )
            .await?;
            Ok(row)
        })
    })
    .await
}

/// Adds an administrator from the command line: the operator who runs the server is trusted
/// with its database. Audited as the `cli` actor.
pub async fn add_from_command_line(
    db: &DatabaseConnection,
    input: AdministratorInput,
    now: DateTime<Utc>,
) -> ApiResult<administrator::Model> {
    let operator = Actor {
        subject: "cli".to_owned(),
        role: Role::Admin,
        la_id: None,
        staff_id: None,
        scope: Scope::Everything,
    };
    insert(db, &operator, now, input).await
}

/// Every administrator, for `ehcp admin list`.
pub async fn list_from_command_line(
    db: &DatabaseConnection,
) -> Result<Vec<administrator::Model>, sea_orm::DbErr> {
    administrator::Entity::find()
        .order_by_asc(administrator::Column::Id)
        .all(db)
        .await
}

/// How many administrators are active.
pub async fn active_count<C: ConnectionTrait>(db: &C) -> ApiResult<u64> {
    Ok(administrator::Entity::find()
        .filter(administrator::Column::Active.eq(true))
        .count(db)
        .await?)
}

async fn insert(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    input: AdministratorInput,
) -> ApiResult<administrator::Model> {
    let subject = parse_subject("subject", &input.subject)?;
    let name = parse_name("name", &input.name)?;
    let email = parse_optional_name("email", input.email.as_deref())?;
    let actor = actor.clone();
    in_transaction(db, |txn| {
        Box::pin(async move {
            let row = administrator::ActiveModel {
                id: NotSet,
                subject: Set(subject),
                name: Set(name.clone()),
                email: Set(email),
                active: Set(true),
                created_at: Set(now),
                last_signed_in_at: Set(None),
            }
            .insert(txn)
            .await
            .map_err(subject_taken)?;
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id: None,
                    child_id: None,
                    entity: "administrator",
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
