//! Per-row lookups batched per request: a page of fifty cases asks for its children,
//! caseworkers, localities and plans in one query each, not fifty ([`DataLoader`]). Each
//! batch goes through the service, with the signed-in person's scope, like any other read.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, ErrorExtensions};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::domain::access::Actor;
use crate::domain::backlog::Source;
use crate::error::{ApiError, ApiResult};
use crate::service::records::{ChildRow, LocalityRow, StaffRow};
use crate::service::{self, Ctx};

/// What the loaders read with: the request's database, actor and instant.
pub struct Records {
    db: DatabaseConnection,
    actor: Actor,
    now: DateTime<Utc>,
}

impl Records {
    /// The loaders for one request (cached for that request only, so nobody's view of a
    /// record outlives their request).
    pub fn for_request(
        db: DatabaseConnection,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> DataLoader<Records> {
        DataLoader::new(Records { db, actor, now }, tokio::spawn)
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            db: &self.db,
            actor: &self.actor,
            now: self.now,
        }
    }
}

/// A child's id; the child loads only where the actor's scope reaches.
#[derive(Clone, Copy, Hash, PartialEq, Eq)]
pub struct ChildId(pub i64);
/// A staff member's id (a case's caseworker).
#[derive(Clone, Copy, Hash, PartialEq, Eq)]
pub struct StaffId(pub i64);
/// A locality's id.
#[derive(Clone, Copy, Hash, PartialEq, Eq)]
pub struct LocalityId(pub i64);
/// An EHC plan's id; the plan loads with its parts, where the actor's scope reaches.
#[derive(Clone, Copy, Hash, PartialEq, Eq)]
pub struct PlanId(pub i64);

/// The error a batch shares with every resolver that waited on it.
type Shared = Arc<ApiError>;

fn keyed<K: Copy + Eq + std::hash::Hash, V>(
    rows: ApiResult<Vec<V>>,
    key: impl Fn(&V) -> K,
) -> Result<HashMap<K, V>, Shared> {
    Ok(rows
        .map_err(Arc::new)?
        .into_iter()
        .map(|v| (key(&v), v))
        .collect())
}

fn ids<K: Copy>(keys: &[K], id: impl Fn(K) -> i64) -> Vec<i64> {
    keys.iter().map(|k| id(*k)).collect()
}

impl Loader<ChildId> for Records {
    type Value = ChildRow;
    type Error = Shared;
    async fn load(&self, keys: &[ChildId]) -> Result<HashMap<ChildId, ChildRow>, Shared> {
        let rows = service::people::children_by_ids(&self.ctx(), &ids(keys, |k| k.0)).await;
        keyed(rows, |c| ChildId(c.id))
    }
}

impl Loader<StaffId> for Records {
    type Value = StaffRow;
    type Error = Shared;
    async fn load(&self, keys: &[StaffId]) -> Result<HashMap<StaffId, StaffRow>, Shared> {
        let rows = service::people::staff_by_ids(&self.ctx(), &ids(keys, |k| k.0)).await;
        keyed(rows, |s| StaffId(s.id))
    }
}

impl Loader<LocalityId> for Records {
    type Value = LocalityRow;
    type Error = Shared;
    async fn load(&self, keys: &[LocalityId]) -> Result<HashMap<LocalityId, LocalityRow>, Shared> {
        let rows = service::people::localities_by_ids(&self.ctx(), &ids(keys, |k| k.0)).await;
        keyed(rows, |l| LocalityId(l.id))
    }
}

impl Loader<PlanId> for Records {
    type Value = service::plan::PlanRecord;
    type Error = Shared;
    async fn load(
        &self,
        keys: &[PlanId],
    ) -> Result<HashMap<PlanId, service::plan::PlanRecord>, Shared> {
        let rows = service::plan::plans_by_ids(&self.ctx(), &ids(keys, |k| k.0)).await;
        keyed(rows, |p| PlanId(p.row.id))
    }
}

/// Loads one record through the request's loaders: `None` where there is none the actor may
/// see.
pub async fn load<K>(
    gql: &Context<'_>,
    key: K,
) -> async_graphql::Result<Option<<Records as Loader<K>>::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    Records: Loader<K, Error = Shared>,
{
    let loader = gql
        .data::<DataLoader<Records>>()
        .map_err(|_| ApiError::Unauthenticated)?;
    loader.load_one(key).await.map_err(|e| e.extend())
}

/// The reasons for delays recorded on one record (an assessment, plan, review or amendment).
#[derive(Clone, Copy, Hash, PartialEq, Eq)]
pub struct DelaysOf(pub Source, pub i64);

impl Loader<DelaysOf> for Records {
    type Value = Vec<service::delays::StepDelay>;
    type Error = Shared;
    async fn load(
        &self,
        keys: &[DelaysOf],
    ) -> Result<HashMap<DelaysOf, Vec<service::delays::StepDelay>>, Shared> {
        let mut by_source: HashMap<Source, Vec<i64>> = HashMap::new();
        for k in keys {
            by_source.entry(k.0).or_default().push(k.1);
        }
        let mut out: HashMap<DelaysOf, Vec<service::delays::StepDelay>> = HashMap::new();
        for (source, ids) in by_source {
            for delay in service::delays::of_records(&self.ctx(), source, &ids)
                .await
                .map_err(Arc::new)?
            {
                out.entry(DelaysOf(source, delay.record_id))
                    .or_default()
                    .push(delay);
            }
        }
        Ok(out)
    }
}

/// The reasons for delays recorded on a record, through the request's loaders.
pub async fn delays_of(
    gql: &Context<'_>,
    source: Source,
    id: i64,
) -> async_graphql::Result<Vec<super::delays::StepDelay>> {
    Ok(load(gql, DelaysOf(source, id))
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(super::delays::StepDelay)
        .collect())
}
