//! Managers' views: the backlog on a day, the items behind each number, advice by service,
//! timeliness, forecasts and history. Staff see their own LA; an admin sees every LA.
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use sea_orm::{EntityTrait, QueryFilter};

use super::Ctx;
use crate::domain::access::{Permission, Scope};
use crate::domain::calendar::add_days;
use crate::error::{ApiError, ApiResult};
use crate::store::backlog::{
    self as store, Counts, Dimension, Filter, ItemCursor, ItemPage, Key, ResponseTimes,
    StageCounts, StageTimeliness, StandingFilter,
};
use crate::store::entity::{local_authority, locality, staff, team};

/// The filter, restricted to what the actor may see: FORBIDDEN for another LA, or for
/// anyone who is not staff or an admin.
pub fn scoped(ctx: &Ctx<'_>, mut filter: Filter) -> ApiResult<Filter> {
    ctx.require(Permission::ViewBacklog)?;
    match &ctx.actor.scope {
        Scope::Everything => Ok(filter),
        Scope::LocalAuthority { la_id } => {
            if filter.la_id.is_some_and(|asked| asked != *la_id) {
                return Err(ApiError::forbidden(
                    "you may only see your own local authority's backlog",
                ));
            }
            filter.la_id = Some(*la_id);
            Ok(filter)
        }
        _ => Err(ApiError::forbidden(
            "the backlog is for local authority staff",
        )),
    }
}

/// A group of a summary: a stage (process, kind), or a breakdown key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Group {
    Stage(String, String),
    Dimension(Key),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    la_id: i64,
    as_of: NaiveDate,
    /// The filter without its LA.
    filter: Filter,
    by: Option<Dimension>,
}

type CachedGroups = Arc<Vec<(Group, Counts)>>;

/// Each LA's grouped counts for a day and filter, kept under the LA's backlog generation
/// (migration m0006): every change to an LA's deadline rows bumps its generation in the same
/// transaction, so a cached entry is used only while it is exact. A whole-dataset summary
/// recomputes just the LAs that changed since it was last asked, in one grouped query, and
/// adds the rest from memory. Shared by every request of a server.
#[derive(Clone)]
pub struct CountsCache(Arc<quick_cache::sync::Cache<CacheKey, (i64, CachedGroups)>>);

impl CountsCache {
    /// Entries kept: an LA, day, filter and grouping each (a few kB apiece).
    pub const CAPACITY: usize = 20_000;

    pub fn new() -> Self {
        CountsCache(Arc::new(quick_cache::sync::Cache::new(Self::CAPACITY)))
    }
}

impl Default for CountsCache {
    fn default() -> Self {
        Self::new()
    }
}

/// Open deadlines on `as_of` grouped by stage (`by` = None) or by a dimension, summed over
/// the LAs the filter covers, each LA from the cache when its generation is unchanged.
async fn groups(
    ctx: &Ctx<'_>,
    cache: &CountsCache,
    as_of: NaiveDate,
    filter: &Filter,
    by: Option<Dimension>,
) -> ApiResult<BTreeMap<Group, Counts>> {
    let generations = store::generations(ctx.db, filter.la_id).await?;
    let without_la = Filter {
        la_id: None,
        ..filter.clone()
    };
    let mut merged: BTreeMap<Group, Counts> = BTreeMap::new();
    let mut add = |rows: &[(Group, Counts)]| {
        for (group, counts) in rows {
            merged.entry(group.clone()).or_default().add(counts);
        }
    };
    let mut misses = Vec::new();
    for (la_id, generation) in generations {
        let key = CacheKey {
            la_id,
            as_of,
            filter: without_la.clone(),
            by,
        };
        match cache.0.get(&key) {
            Some((cached, rows)) if cached == generation => add(&rows),
            _ => misses.push((key, generation)),
        }
    }
    if misses.is_empty() {
        return Ok(merged);
    }
    let la_ids: Vec<i64> = misses.iter().map(|(k, _)| k.la_id).collect();
    let mut fresh: HashMap<i64, Vec<(Group, Counts)>> = HashMap::new();
    match by {
        None => {
            for (la_id, st) in store::stage_counts_per_la(ctx.db, as_of, filter, &la_ids).await? {
                fresh
                    .entry(la_id)
                    .or_default()
                    .push((Group::Stage(st.process, st.kind), st.counts));
            }
        }
        Some(by) => {
            for (la_id, key, counts) in
                store::breakdown_per_la(ctx.db, as_of, filter, by, &la_ids).await?
            {
                fresh
                    .entry(la_id)
                    .or_default()
                    .push((Group::Dimension(key), counts));
            }
        }
    }
    for (key, generation) in misses {
        let rows: CachedGroups = Arc::new(fresh.remove(&key.la_id).unwrap_or_default());
        add(&rows);
        cache.0.insert(key, (generation, rows));
    }
    Ok(merged)
}

async fn stage_counts(
    ctx: &Ctx<'_>,
    cache: &CountsCache,
    as_of: NaiveDate,
    filter: &Filter,
) -> ApiResult<Vec<StageCounts>> {
    Ok(groups(ctx, cache, as_of, filter, None)
        .await?
        .into_iter()
        .filter_map(|(group, counts)| match group {
            Group::Stage(process, kind) => Some(StageCounts {
                process,
                kind,
                counts,
            }),
            Group::Dimension(_) => None,
        })
        .collect())
}

/// A breakdown, "none" (e.g. no caseworker) last.
async fn breakdown(
    ctx: &Ctx<'_>,
    cache: &CountsCache,
    as_of: NaiveDate,
    filter: &Filter,
    by: Dimension,
) -> ApiResult<Vec<(Key, Counts)>> {
    Ok(groups(ctx, cache, as_of, filter, Some(by))
        .await?
        .into_iter()
        .filter_map(|(group, counts)| match group {
            Group::Dimension(key) => Some((key, counts)),
            Group::Stage(..) => None,
        })
        .collect())
}

pub struct Summary {
    pub as_of: NaiveDate,
    pub totals: Counts,
    pub stages: Vec<StageCounts>,
    pub breakdown: Vec<BreakdownRow>,
}

pub struct BreakdownRow {
    pub key: Key,
    pub name: Option<String>,
    pub counts: Counts,
}

pub async fn summary(
    ctx: &Ctx<'_>,
    cache: &CountsCache,
    as_of: Option<NaiveDate>,
    filter: Filter,
    by: Option<Dimension>,
) -> ApiResult<Summary> {
    let filter = scoped(ctx, filter)?;
    let as_of = as_of.unwrap_or_else(|| ctx.today());
    let stages = stage_counts(ctx, cache, as_of, &filter).await?;
    let mut totals = Counts::default();
    for stage in &stages {
        totals.add(&stage.counts);
    }
    let breakdown = match by {
        Some(by) => {
            let rows = breakdown(ctx, cache, as_of, &filter, by).await?;
            let names = names_of(ctx, by, &rows).await?;
            rows.into_iter()
                .map(|(key, counts)| {
                    let name = match &key {
                        Key::Id(id) => names.get(id).cloned(),
                        Key::Code(code) => Some(code.clone()),
                        Key::None => None,
                    };
                    BreakdownRow { key, name, counts }
                })
                .collect()
        }
        None => Vec::new(),
    };
    Ok(Summary {
        as_of,
        totals,
        stages,
        breakdown,
    })
}

/// Names for the ids of a breakdown, in one query.
async fn names_of(
    ctx: &Ctx<'_>,
    by: Dimension,
    rows: &[(Key, Counts)],
) -> ApiResult<BTreeMap<i64, String>> {
    let ids: Vec<i64> = rows
        .iter()
        .filter_map(|(k, _)| match k {
            Key::Id(id) => Some(*id),
            _ => None,
        })
        .collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let db = ctx.db;
    Ok(match by {
        Dimension::LocalAuthority => local_authority::Entity::find()
            .filter(crate::store::ids_in(db, local_authority::Column::Id, ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
        Dimension::Locality => locality::Entity::find()
            .filter(crate::store::ids_in(db, locality::Column::Id, ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
        Dimension::Team => team::Entity::find()
            .filter(crate::store::ids_in(db, team::Column::Id, ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
        Dimension::Caseworker => staff::Entity::find()
            .filter(crate::store::ids_in(db, staff::Column::Id, ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
        Dimension::Service => BTreeMap::new(),
    })
}

pub struct ItemQuery {
    pub as_of: Option<NaiveDate>,
    pub filter: Filter,
    pub standing: Option<StandingFilter>,
    pub after: Option<ItemCursor>,
    pub before: Option<ItemCursor>,
    pub size: u64,
    pub backwards: bool,
}

pub async fn items(ctx: &Ctx<'_>, q: ItemQuery) -> ApiResult<(NaiveDate, ItemPage)> {
    let filter = scoped(ctx, q.filter)?;
    let as_of = q.as_of.unwrap_or_else(|| ctx.today());
    let page = store::items(
        ctx.db,
        as_of,
        &filter,
        q.standing,
        q.after,
        q.before,
        q.size,
        q.backwards,
    )
    .await?;
    Ok((as_of, page))
}

pub struct ServiceAdvice {
    pub service: String,
    pub open: Counts,
    pub response: Option<ResponseTimes>,
}

/// Open and overdue advice on `as_of` per service, with response times over `[from, to]`.
pub async fn advice_by_service(
    ctx: &Ctx<'_>,
    cache: &CountsCache,
    as_of: Option<NaiveDate>,
    period: Option<(NaiveDate, NaiveDate)>,
    filter: Filter,
) -> ApiResult<(NaiveDate, NaiveDate, NaiveDate, Vec<ServiceAdvice>)> {
    // Advice rows are the ones with a service: assessment advice and review advice.
    let filter = scoped(ctx, filter)?;
    let as_of = as_of.unwrap_or_else(|| ctx.today());
    let (from, to) = period.unwrap_or((add_days(as_of, -364), as_of));
    check_period(from, to)?;
    let open = breakdown(ctx, cache, as_of, &filter, Dimension::Service).await?;
    let times = store::advice_response_times(ctx.db, from, to, &filter).await?;
    let mut by_service: BTreeMap<String, ServiceAdvice> = BTreeMap::new();
    for (key, counts) in open {
        if let Key::Code(service) = key {
            by_service.insert(
                service.clone(),
                ServiceAdvice {
                    service,
                    open: counts,
                    response: None,
                },
            );
        }
    }
    for t in times {
        let service = t.service.clone();
        by_service
            .entry(service.clone())
            .or_insert_with(|| ServiceAdvice {
                service,
                open: Counts::default(),
                response: None,
            })
            .response = Some(t);
    }
    Ok((as_of, from, to, by_service.into_values().collect()))
}

fn check_period(from: NaiveDate, to: NaiveDate) -> ApiResult<()> {
    if to < from {
        return Err(ApiError::validation("to", "must not be before from"));
    }
    Ok(())
}

pub async fn timeliness(
    ctx: &Ctx<'_>,
    from: NaiveDate,
    to: NaiveDate,
    filter: Filter,
) -> ApiResult<(Vec<StageTimeliness>, store::AmendedAfterMeeting)> {
    let filter = scoped(ctx, filter)?;
    check_period(from, to)?;
    Ok((
        store::timeliness(ctx.db, from, to, &filter).await?,
        store::amended_plans_after_meeting(ctx.db, from, to, &filter).await?,
    ))
}

pub const MAX_FORECAST_WEEKS: u32 = 52;

/// Week `i` (0-based) holds deadlines due `as_of + 7i ..= as_of + 7i + 6`.
pub struct ForecastWeek {
    pub starts_on: NaiveDate,
    pub by_stage: BTreeMap<(String, String), i64>,
}

pub async fn forecast(
    ctx: &Ctx<'_>,
    as_of: Option<NaiveDate>,
    weeks: u32,
    filter: Filter,
) -> ApiResult<Vec<ForecastWeek>> {
    let filter = scoped(ctx, filter)?;
    if weeks == 0 || weeks > MAX_FORECAST_WEEKS {
        return Err(ApiError::validation("weeks", "must be 1 to 52"));
    }
    let as_of = as_of.unwrap_or_else(|| ctx.today());
    let until = add_days(as_of, 7 * i64::from(weeks) - 1);
    let mut out: Vec<ForecastWeek> = (0..weeks)
        .map(|i| ForecastWeek {
            starts_on: add_days(as_of, 7 * i64::from(i)),
            by_stage: BTreeMap::new(),
        })
        .collect();
    for (process, kind, due_on, n) in store::falling_due(ctx.db, as_of, until, &filter).await? {
        let week = ((due_on - as_of).num_days() / 7) as usize;
        if let Some(w) = out.get_mut(week) {
            *w.by_stage.entry((process, kind)).or_default() += n;
        }
    }
    Ok(out)
}

pub const MAX_HISTORY_MONTHS: usize = 60;

/// The backlog at the end of each month from `from`'s month to `to`'s (the last point is
/// `to` itself when it falls mid-month).
pub async fn monthly_series(
    ctx: &Ctx<'_>,
    cache: &CountsCache,
    from: NaiveDate,
    to: NaiveDate,
    filter: Filter,
) -> ApiResult<Vec<(NaiveDate, Counts)>> {
    let filter = scoped(ctx, filter)?;
    check_period(from, to)?;
    let mut points = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).expect("first day");
    while month <= to {
        let next = month
            .checked_add_months(chrono::Months::new(1))
            .expect("next month");
        points.push(add_days(next, -1).min(to));
        month = next;
        if points.len() > MAX_HISTORY_MONTHS {
            return Err(ApiError::validation("from", "at most 60 months"));
        }
    }
    let mut series = Vec::with_capacity(points.len());
    for as_of in points {
        let mut totals = Counts::default();
        for stage in stage_counts(ctx, cache, as_of, &filter).await? {
            totals.add(&stage.counts);
        }
        series.push((as_of, totals));
    }
    Ok(series)
}
