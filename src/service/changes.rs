//! A change to an organisation record (staff, professionals, administrators): each patched
//! field parsed as creating the record parses it and noted for the audit summary (names in
//! full; sign-in subjects and contact details only as changed, never their values), then the
//! record saved with its audit event in one transaction.
use crate::domain::audit::AuditAction;
use sea_orm::{ActiveModelBehavior, ActiveModelTrait, EntityTrait, IntoActiveModel};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Ctx, in_transaction};
use crate::domain::people::{parse_name, parse_optional_name, parse_subject};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry};
use crate::store::is_unique_violation;

/// The fields a patch sets, for the audit trail.
#[derive(Default)]
pub struct Changes(Map<String, Value>);

impl Changes {
    /// A new identity-provider subject, checked; noted as changed.
    pub fn subject(&mut self, value: Option<String>) -> ApiResult<Option<String>> {
        value
            .map(|s| {
                self.0.insert("subject".into(), json!(true));
                Ok(parse_subject("subject", &s)?)
            })
            .transpose()
    }

    /// A subject that may be removed (`Some(None)`): the person can no longer sign in.
    pub fn optional_subject(
        &mut self,
        value: Option<Option<String>>,
    ) -> ApiResult<Option<Option<String>>> {
        value
            .map(|s| {
                self.0.insert("subject".into(), json!(s.is_some()));
                s.map(|s| parse_subject("subject", &s))
                    .transpose()
                    .map_err(Into::into)
            })
            .transpose()
    }

    /// A name (of a person or an organisation), checked and noted in full.
    pub fn name(
        &mut self,
        field: &'static str,
        value: Option<String>,
    ) -> ApiResult<Option<String>> {
        value
            .map(|v| {
                let v = parse_name(field, &v)?;
                self.0.insert(field.into(), json!(v));
                Ok(v)
            })
            .transpose()
    }

    /// Contact details that may be removed; noted only as present or not.
    pub fn contact(
        &mut self,
        field: &'static str,
        value: Option<Option<String>>,
    ) -> ApiResult<Option<Option<String>>> {
        value
            .map(|v| {
                let v = parse_optional_name(field, v.as_deref())?;
                self.0.insert(field.into(), json!(v.is_some()));
                Ok(v)
            })
            .transpose()
    }

    /// The audit summary of the changes.
    pub fn summary(self) -> Value {
        Value::Object(self.0)
    }

    /// A value noted as it is (a team, a role, whether the record is active).
    pub fn value<T: Serialize>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if let Some(v) = &value {
            self.0.insert(field.into(), json!(v));
        }
        value
    }
}

/// A write refused because another record has the sign-in subject: CONFLICT naming it.
pub fn subject_taken(e: sea_orm::DbErr) -> ApiError {
    if is_unique_violation(&e) {
        ApiError::conflict("subject: a person with this sign-in subject already exists")
    } else {
        e.into()
    }
}

/// Where an audited record belongs: its LA (none for administrators) and id.
pub type Audited<M> = fn(&M) -> (Option<i64>, i64);

/// Saves the updated record and its audit event (`entity` `update`, with the changes) in one
/// transaction. A sign-in subject another record already has is a CONFLICT naming `subject`.
pub async fn save<A>(
    ctx: &Ctx<'_>,
    row: A,
    entity: &'static str,
    audited: Audited<<A::Entity as EntityTrait>::Model>,
    changes: Changes,
) -> ApiResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send + 'static,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A> + Send + Sync,
{
    let (now, actor) = (ctx.now, ctx.actor.clone());
    in_transaction(ctx.db, |txn| {
        Box::pin(async move {
            let row = row.update(txn).await.map_err(subject_taken)?;
            let (la_id, entity_id) = audited(&row);
            audit::record(
                txn,
                &actor,
                now,
                AuditEntry {
                    la_id,
                    child_id: None,
                    entity,
                    entity_id,
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
