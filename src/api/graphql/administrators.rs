//! Administrators' own records: who may act across every local authority.
use async_graphql::{Context, Description, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};

use super::{Id, Kind, ctx};
use crate::service::administrators as svc;
use crate::service::records::AdministratorRow;

/// A person who administers the service across local authorities. Their token is honoured
/// only while this record is active and has the token's subject.
#[derive(Description)]
pub struct Administrator(pub AdministratorRow);

#[Object(use_type_description)]
impl Administrator {
    /// The administrator's global id: opaque; `node(id:)` finds it again.
    pub async fn id(&self) -> ID {
        Id::of(Kind::Administrator, self.0.id)
    }
    /// Their name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Their email address; null when none was given.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// The identity-provider subject (the token's `sub`) that signs them in.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// Whether they may sign in (a deactivated administrator is refused at sign-in).
    async fn active(&self) -> bool {
        self.0.active
    }
    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When they last signed in (to the quarter hour); null if never.
    async fn last_signed_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_signed_in_at
    }
}

/// A new administrator.
#[derive(InputObject)]
pub struct CreateAdministratorInput {
    /// The identity-provider subject that will sign them in.
    subject: String,
    /// Their name: 1 to 200 characters.
    name: String,
    /// Their email address.
    email: Option<String>,
}

/// Changes to an administrator's record: omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateAdministratorInput {
    /// The administrator's global id.
    id: ID,
    /// A new identity-provider subject for them; one already in use is CONFLICT.
    subject: Option<String>,
    /// Their name: 1 to 200 characters.
    name: Option<String>,
    /// Their email address; null removes it.
    email: MaybeUndefined<String>,
    /// False: refused at sign-in from now on. The last active administrator stays active.
    active: Option<bool>,
}

#[derive(Default)]
pub struct AdministratorsQuery;

#[Object]
impl AdministratorsQuery {
    /// Every administrator, active or not (administrators only).
    async fn administrators(&self, gql: &Context<'_>) -> Result<Vec<Administrator>> {
        let ctx = ctx(gql)?;
        Ok(svc::administrators(&ctx)
            .await?
            .into_iter()
            .map(Administrator)
            .collect())
    }
}

#[derive(Default)]
pub struct AdministratorsMutation;

#[Object]
impl AdministratorsMutation {
    /// Adds an administrator (administrators only; the first comes from `ehcp admin add`).
    async fn create_administrator(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The new administrator; a subject already in use is CONFLICT.")]
        input: CreateAdministratorInput,
    ) -> Result<Administrator> {
        let ctx = ctx(gql)?;
        let input = svc::AdministratorInput {
            subject: input.subject,
            name: input.name,
            email: input.email,
        };
        Ok(Administrator(svc::create_administrator(&ctx, input).await?))
    }

    /// Changes an administrator's record or deactivates it.
    async fn update_administrator(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateAdministratorInput,
    ) -> Result<Administrator> {
        let ctx = ctx(gql)?;
        let id = Id::parse("id", Kind::Administrator, &input.id)?;
        let email = match input.email {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(e) => Some(Some(e)),
        };
        let patch = svc::AdministratorPatch {
            subject: input.subject,
            name: input.name,
            email,
            active: input.active,
        };
        Ok(Administrator(
            svc::update_administrator(&ctx, id, patch).await?,
        ))
    }
}
