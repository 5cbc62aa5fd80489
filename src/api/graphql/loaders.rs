//! Per-row lookups batched per request: a page of fifty cases asks for its children,
//! caseworkers, localities and plans in one query each, not fifty ([`DataLoader`]). Each
//! batch goes through the service, with the signed-in person's scope, like any other read.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, ErrorExtensions};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
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
    /// record outlives their request), and the [`Waves`] that run their batches: the request
    /// must be executed through [`Waves::drive`].
    pub fn for_request(
        db: DatabaseConnection,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> (DataLoader<Records>, Waves) {
        let waves = Waves::default();
        let queue = waves.0.clone();
        let loader = DataLoader::new(Records { db, actor, now }, move |batch| {
            queue.lock().expect("loader queue").push(batch);
        })
        .delay(std::time::Duration::ZERO);
        (loader, waves)
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            db: &self.db,
            actor: &self.actor,
            now: self.now,
        }
    }
}

/// Runs a request's batches in waves, as JavaScript's DataLoader does with the event loop: a
/// batch starts only once every resolver that can run has run and asked for its keys, so
/// a page of 50 asks for each nested record in one query, not in as many as the timing of
/// a 1 ms window happens to cut (in a debug build, or on a busy machine, resolving 50 rows
/// can take longer than that). The batches run inside the request's own task.
#[derive(Default)]
pub struct Waves(Arc<std::sync::Mutex<Vec<BoxFuture<'static, ()>>>>);

impl Waves {
    pub async fn drive<F: Future>(self, request: F) -> F::Output {
        use futures_util::stream::{FuturesUnordered, StreamExt};
        use std::task::Poll;
        let mut request = std::pin::pin!(request);
        let mut running: FuturesUnordered<BoxFuture<'static, ()>> = FuturesUnordered::new();
        let flag = Arc::new(WakeFlag::default());
        std::future::poll_fn(move |cx| {
            // The request sees a waker that notes a wake during its own poll: a resolver that
            // yielded (a full cooperative budget, a busy join) rather than one that waits.
            flag.set(cx.waker());
            let waker = futures_util::task::waker(flag.clone());
            let out = request
                .as_mut()
                .poll(&mut std::task::Context::from_waker(&waker));
            if let Poll::Ready(out) = out {
                return Poll::Ready(out);
            }
            if !flag.yielded() {
                // Every resolver that can go on has asked for its keys: start the batches.
                running.extend(std::mem::take(&mut *self.0.lock().expect("loader queue")));
            }
            while let Poll::Ready(Some(())) = running.poll_next_unpin(cx) {}
            Poll::Pending
        })
        .await
    }
}

/// The request's waker, noting whether it was woken while the request was being polled.
#[derive(Default)]
struct WakeFlag {
    woken: std::sync::atomic::AtomicBool,
    inner: std::sync::Mutex<Option<std::task::Waker>>,
}

impl WakeFlag {
    fn set(&self, waker: &std::task::Waker) {
        self.woken.store(false, std::sync::atomic::Ordering::SeqCst);
        let mut inner = self.inner.lock().expect("waker");
        if !inner.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *inner = Some(waker.clone());
        }
    }

    fn yielded(&self) -> bool {
        self.woken.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl futures_util::task::ArcWake for WakeFlag {
    fn wake_by_ref(arc: &Arc<Self>) {
        arc.woken.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(w) = arc.inner.lock().expect("waker").as_ref() {
            w.wake_by_ref();
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

/// A loader whose value is every row a key owns (a child's assessments, a plan's reviews):
/// `$batch` loads the rows of all keys at once; `$owner` says which key a row belongs to.
macro_rules! grouped_loader {
    ($(#[$doc:meta])* $key:ident => $value:ty, $batch:path, $owner:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Hash, PartialEq, Eq)]
        pub struct $key(pub i64);

        impl Loader<$key> for Records {
            type Value = Vec<$value>;
            type Error = Shared;
            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Vec<$value>>, Shared> {
                let rows = $batch(&self.ctx(), &ids(keys, |k| k.0))
                    .await
                    .map_err(Arc::new)?;
                let mut out: HashMap<$key, Vec<$value>> = HashMap::new();
                for row in rows {
                    let owner: i64 = $owner(&row);
                    out.entry($key(owner)).or_default().push(row);
                }
                Ok(out)
            }
        }
    };
}

/// A loader whose value is at most one row per key, found by `$owner`.
macro_rules! single_loader {
    ($(#[$doc:meta])* $key:ident => $value:ty, $batch:path, $owner:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Hash, PartialEq, Eq)]
        pub struct $key(pub i64);

        impl Loader<$key> for Records {
            type Value = $value;
            type Error = Shared;
            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, Shared> {
                let rows = $batch(&self.ctx(), &ids(keys, |k| k.0)).await;
                keyed(rows, |row: &$value| $key($owner(row)))
            }
        }
    };
}

use crate::service::assessment::AssessmentRecord;
use crate::service::plan::{AmendmentRecord, PlanRecord, ReviewRecord};
use crate::service::records::{LocalAuthorityRow, ParentRow, ReviewMeetingRequestRow, TeamRow};

grouped_loader!(
    /// A child's needs assessments, newest first.
    ChildAssessments => AssessmentRecord,
    service::assessment::of_children,
    |a: &AssessmentRecord| a.row.child_id
);
grouped_loader!(
    /// A child's EHC plans, newest first.
    ChildPlans => PlanRecord,
    service::plan::plans_of_children,
    |p: &PlanRecord| p.row.child_id
);
grouped_loader!(
    /// A child's parents and carers (child id, parent, relationship), by name.
    ChildParents => (i64, ParentRow, String),
    service::people::parents_of_children,
    |p: &(i64, ParentRow, String)| p.0
);
grouped_loader!(
    /// A plan's reviews, oldest first.
    PlanReviews => ReviewRecord,
    service::plan::reviews_of_plans,
    |r: &ReviewRecord| r.row.plan_id
);
grouped_loader!(
    /// A plan's amendments, oldest first.
    PlanAmendments => AmendmentRecord,
    service::plan::amendments_of_plans,
    |a: &AmendmentRecord| a.row.plan_id
);
grouped_loader!(
    /// A plan's placements, by entry date and rank.
    PlanPlacements => crate::store::entity::placement::Model,
    service::plan::placements_of_plans,
    |p: &crate::store::entity::placement::Model| p.plan_id
);
grouped_loader!(
    /// The families' requests for a review meeting on a plan, newest first.
    PlanMeetingRequests => ReviewMeetingRequestRow,
    service::plan::review_meeting_requests_of_plans,
    |r: &ReviewMeetingRequestRow| r.plan_id
);
grouped_loader!(
    /// An LA's localities, by name.
    LaLocalities => LocalityRow,
    service::people::localities_of_las,
    |l: &LocalityRow| l.la_id
);
grouped_loader!(
    /// An LA's teams, by name.
    LaTeams => TeamRow,
    service::people::teams_of_las,
    |t: &TeamRow| t.la_id
);
grouped_loader!(
    /// A team's members, by name.
    TeamMembers => StaffRow,
    service::people::staff_of_teams,
    |s: &StaffRow| s.team_id.unwrap_or_default()
);
single_loader!(
    /// The plan an assessment issued.
    AssessmentPlan => PlanRecord,
    service::plan::plans_of_assessments,
    |p: &PlanRecord| p.row.assessment_id.unwrap_or_default()
);
single_loader!(
    /// A dispute by id, where the actor's scope reaches (the order a directed amendment
    /// carries out).
    DisputeId => crate::service::disputes::DisputeRecord,
    service::disputes::by_ids,
    |d: &crate::service::disputes::DisputeRecord| d.row.id
);
single_loader!(
    /// A review by id, where the actor's scope reaches.
    ReviewId => ReviewRecord,
    service::plan::reviews_by_ids,
    |r: &ReviewRecord| r.row.id
);
single_loader!(
    /// The amendment a review's decision started.
    ReviewAmendment => AmendmentRecord,
    service::plan::amendments_of_reviews,
    |a: &AmendmentRecord| a.row.review_id.unwrap_or_default()
);
single_loader!(
    /// A local authority by id, where the actor's scope reaches.
    LocalAuthorityId => LocalAuthorityRow,
    service::people::local_authorities_by_ids,
    |la: &LocalAuthorityRow| la.id
);
single_loader!(
    /// The caseworker of an assessment, for the professionals asked for advice on it.
    AssessmentCaseworker => (i64, StaffRow),
    service::contributions::advice_caseworkers,
    |s: &(i64, StaffRow)| s.0
);
single_loader!(
    /// The meeting day of a review an advice request or a family's request points at.
    ReviewMeetingOn => (i64, chrono::NaiveDate),
    service::contributions::review_meetings_on,
    |r: &(i64, chrono::NaiveDate)| r.0
);

/// The child an advice request addressed to the professional is about (the read is logged).
#[derive(Clone, Copy, Hash, PartialEq, Eq)]
pub struct AdviceChild {
    pub advice_request_id: i64,
    pub child_id: i64,
}

impl Loader<AdviceChild> for Records {
    type Value = ChildRow;
    type Error = Shared;
    async fn load(&self, keys: &[AdviceChild]) -> Result<HashMap<AdviceChild, ChildRow>, Shared> {
        let pairs: Vec<(i64, i64)> = keys
            .iter()
            .map(|k| (k.advice_request_id, k.child_id))
            .collect();
        let rows = service::contributions::advice_children(&self.ctx(), &pairs)
            .await
            .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(advice_request_id, child)| {
                (
                    AdviceChild {
                        advice_request_id,
                        child_id: child.id,
                    },
                    child,
                )
            })
            .collect())
    }
}

/// All the rows a grouped loader holds for a key (none: an empty list).
pub async fn load_all<K, V>(gql: &Context<'_>, key: K) -> async_graphql::Result<Vec<V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Records: Loader<K, Value = Vec<V>, Error = Shared>,
{
    Ok(load(gql, key).await?.unwrap_or_default())
}

grouped_loader!(
    /// A message's delivery attempts, oldest first.
    MessageAttempts => crate::store::entity::delivery_attempt::Model,
    service::messages::attempts,
    |a: &crate::store::entity::delivery_attempt::Model| a.message_id
);
