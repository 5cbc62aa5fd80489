//! The backlog's queries: grouped SQL over the `deadline` table, with the same boundaries as
//! `domain::backlog` (open on D: `starts_on <= D < open_until`; due soon within 14 days;
//! overdue bands by due date). Dates are computed here and bound as parameters, so the SQL is
//! the same on SQLite and PostgreSQL.
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryResult};

use crate::domain::backlog::{OverdueBand, Process, TrackedDeadline, due_soon_until};
use crate::domain::calendar::add_days;
use crate::domain::review::MEETING_TO_AMENDED_PLAN_DAYS;
use crate::domain::timescales::DeadlineKind;
use crate::store::entity::deadline;
use crate::store::sql::Sql;

/// `open_until` of a deadline still open.
pub fn open_ended() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date")
}

/// Where a record's deadlines belong: who and what they are about.
#[derive(Debug, Clone)]
pub struct Placement {
    pub source_id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub locality_id: i64,
    pub team_id: Option<i64>,
    pub caseworker_id: Option<i64>,
}

/// The row for one tracked deadline (`service` for advice requests); `None` for a stage the
/// backlog does not count.
pub fn row(
    place: &Placement,
    t: &TrackedDeadline,
    service: Option<String>,
) -> Option<deadline::Model> {
    let process = Process::of(t.kind)?;
    Some(deadline::Model {
        id: 0,
        process: process.as_str().to_owned(),
        kind: t.kind.as_str().to_owned(),
        source_id: place.source_id,
        advice_request_id: t.advice_request_id,
        la_id: place.la_id,
        child_id: place.child_id,
        locality_id: place.locality_id,
        team_id: place.team_id,
        caseworker_id: place.caseworker_id,
        service,
        starts_on: t.starts_on,
        due_on: t.due_on,
        met_on: t.met_on,
        open_until: t.settled_on.unwrap_or_else(open_ended),
        excepted_from: t.excepted_from,
        target_on: t.target_on,
    })
}

/// Replaces a process record's deadline rows in LA `la_id` (called in the transaction that
/// changed it).
pub async fn replace<C: ConnectionTrait>(
    db: &C,
    la_id: i64,
    process: Process,
    source_id: i64,
    rows: Vec<deadline::Model>,
) -> Result<(), DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    deadline::Entity::delete_many()
        .filter(deadline::Column::Process.eq(process.as_str()))
        .filter(deadline::Column::SourceId.eq(source_id))
        .exec(db)
        .await?;
    insert(db, rows).await?;
    touch(db, &[la_id]).await
}

/// Bumps the LAs' backlog generations: their counts have changed. Called last in the
/// transaction, in LA order, so the row locks are held briefly and never cross.
pub async fn touch<C: ConnectionTrait>(db: &C, la_ids: &[i64]) -> Result<(), DbErr> {
    let mut la_ids = la_ids.to_vec();
    la_ids.sort_unstable();
    la_ids.dedup();
    for la_id in la_ids {
        let mut sql = Sql::new(db.get_database_backend());
        sql.push("INSERT INTO backlog_generation (la_id, generation) VALUES (")
            .bind(la_id)
            .push(
                ", 1) ON CONFLICT (la_id) DO UPDATE SET generation = \
                 backlog_generation.generation + 1",
            );
        db.execute_raw(sql.statement()).await?;
    }
    Ok(())
}

/// Each LA's backlog generation (one LA, or all of them), in LA order. An LA with no row
/// has never had a deadline row.
pub async fn generations<C: ConnectionTrait>(
    db: &C,
    la_id: Option<i64>,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT la_id, generation FROM backlog_generation");
    if let Some(la_id) = la_id {
        sql.push(" WHERE la_id = ").bind(la_id);
    }
    sql.push(" ORDER BY la_id");
    let rows = db.query_all_raw(sql.statement()).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "la_id")?, r.try_get("", "generation")?)))
        .collect()
}

/// Replaces the rows of a child's EHC plans and their reviews and amendments (called in the
/// transaction that changed one of them).
/// `la_ids` are the LAs of the child's plans (a plan's rows stay in its LA).
pub async fn replace_plans_of_child<C: ConnectionTrait>(
    db: &C,
    child_id: i64,
    la_ids: &[i64],
    rows: Vec<deadline::Model>,
) -> Result<(), DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    deadline::Entity::delete_many()
        .filter(deadline::Column::ChildId.eq(child_id))
        .filter(deadline::Column::Process.is_in(Process::OF_PLANS.map(Process::as_str)))
        .exec(db)
        .await?;
    insert(db, rows).await?;
    touch(db, la_ids).await
}

async fn insert<C: ConnectionTrait>(db: &C, rows: Vec<deadline::Model>) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let models = rows.into_iter().map(|r| {
        let mut m: deadline::ActiveModel = r.into();
        m.id = sea_orm::ActiveValue::NotSet;
        m
    });
    deadline::Entity::insert_many(models).exec(db).await?;
    Ok(())
}

/// What the counts are restricted to. `la_id` is already the caller's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub la_id: Option<i64>,
    pub locality_id: Option<i64>,
    pub team_id: Option<i64>,
    pub caseworker_id: Option<i64>,
    pub service: Option<String>,
    pub process: Option<Process>,
    pub kind: Option<DeadlineKind>,
    pub child_id: Option<i64>,
}

/// The dimension a breakdown is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    LocalAuthority,
    Locality,
    Team,
    Caseworker,
    Service,
}

impl Dimension {
    fn column(self) -> &'static str {
        match self {
            Dimension::LocalAuthority => "la_id",
            Dimension::Locality => "locality_id",
            Dimension::Team => "team_id",
            Dimension::Caseworker => "caseworker_id",
            Dimension::Service => "service",
        }
    }
}

/// The backlog's conditions and columns, on table alias `d`.
impl Sql {
    /// `AND` conditions of the filter, on table alias `d`.
    pub(crate) fn filter(&mut self, f: &Filter) -> &mut Self {
        if let Some(v) = f.la_id {
            self.push(" AND d.la_id = ").bind(v);
        }
        if let Some(v) = f.locality_id {
            self.push(" AND d.locality_id = ").bind(v);
        }
        if let Some(v) = f.team_id {
            self.push(" AND d.team_id = ").bind(v);
        }
        if let Some(v) = f.caseworker_id {
            self.push(" AND d.caseworker_id = ").bind(v);
        }
        if let Some(v) = &f.service {
            self.push(" AND d.service = ").bind(v.clone());
        }
        if let Some(v) = f.process {
            self.push(" AND d.process = ").bind(v.as_str());
        }
        if let Some(v) = f.kind {
            self.push(" AND d.kind = ").bind(v.as_str());
        }
        if let Some(v) = f.child_id {
            self.push(" AND d.child_id = ").bind(v);
        }
        self
    }

    /// ` AND d.la_id IN (...)`; one LA as `=`, so its index serves it.
    fn in_las(&mut self, la_ids: &[i64]) -> &mut Self {
        match la_ids {
            [one] => self.push(" AND d.la_id = ").bind(*one),
            many => {
                self.push(" AND d.la_id IN (");
                for (i, id) in many.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.bind(*id);
                }
                self.push(")")
            }
        }
    }

    /// Open on `as_of`.
    pub(crate) fn open_on(&mut self, as_of: NaiveDate) -> &mut Self {
        self.push(" d.open_until > ")
            .bind(as_of)
            .push(" AND d.starts_on <= ")
            .bind(as_of)
    }

    /// Not lifted by an exception on `as_of`.
    pub(crate) fn not_excepted(&mut self, as_of: NaiveDate) -> &mut Self {
        self.push("(d.excepted_from IS NULL OR d.excepted_from > ")
            .bind(as_of)
            .push(")")
    }

    /// The drill-down's standing and cursor conditions (`AND ...`).
    fn page_conditions(
        &mut self,
        as_of: NaiveDate,
        standing: Option<StandingFilter>,
        after: Option<ItemCursor>,
        before: Option<ItemCursor>,
    ) -> &mut Self {
        let soon = due_soon_until(as_of);
        match standing {
            None => {}
            Some(StandingFilter::Excepted) => {
                self.push(" AND d.excepted_from <= ").bind(as_of);
            }
            Some(StandingFilter::OnTrack) => {
                self.push(" AND ")
                    .not_excepted(as_of)
                    .push(" AND d.due_on > ")
                    .bind(soon);
            }
            Some(StandingFilter::DueSoon) => {
                self.push(" AND ")
                    .not_excepted(as_of)
                    .push(" AND d.due_on >= ")
                    .bind(as_of)
                    .push(" AND d.due_on <= ")
                    .bind(soon);
            }
            Some(StandingFilter::Overdue(band)) => {
                self.push(" AND ").not_excepted(as_of);
                let (earliest, latest) = match band {
                    Some(band) => band.due_between(as_of),
                    None => (None, add_days(as_of, -1)),
                };
                if let Some(earliest) = earliest {
                    self.push(" AND d.due_on >= ").bind(earliest);
                }
                self.push(" AND d.due_on <= ").bind(latest);
            }
        }
        if let Some(c) = after {
            // A row comparison, which the index serves as a range.
            self.push(" AND (d.due_on, d.id) > (")
                .bind(c.due_on)
                .push(", ")
                .bind(c.id)
                .push(")");
        }
        if let Some(c) = before {
            // A row comparison, which the index serves as a range.
            self.push(" AND (d.due_on, d.id) < (")
                .bind(c.due_on)
                .push(", ")
                .bind(c.id)
                .push(")");
        }
        self
    }

    /// The counting columns of a summary row.
    fn count_columns(&mut self, as_of: NaiveDate) -> &mut Self {
        let soon = due_soon_until(as_of);
        self.push("COUNT(*) AS open_count, SUM(CASE WHEN d.excepted_from <= ")
            .bind(as_of)
            .push(" THEN 1 ELSE 0 END) AS excepted, SUM(CASE WHEN ")
            .not_excepted(as_of)
            .push(" AND d.due_on > ")
            .bind(soon)
            .push(" THEN 1 ELSE 0 END) AS on_track, SUM(CASE WHEN ")
            .not_excepted(as_of)
            .push(" AND d.due_on >= ")
            .bind(as_of)
            .push(" AND d.due_on <= ")
            .bind(soon)
            .push(" THEN 1 ELSE 0 END) AS due_soon");
        for (i, band) in OverdueBand::ALL.into_iter().enumerate() {
            let (earliest, latest) = band.due_between(as_of);
            self.push(", SUM(CASE WHEN ").not_excepted(as_of);
            if let Some(earliest) = earliest {
                self.push(" AND d.due_on >= ").bind(earliest);
            }
            self.push(" AND d.due_on <= ")
                .bind(latest)
                .push(&format!(" THEN 1 ELSE 0 END) AS band{i}"));
        }
        self
    }
}

/// Counts of open deadlines by standing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub open: i64,
    pub on_track: i64,
    pub due_soon: i64,
    pub excepted: i64,
    /// By [`OverdueBand::ALL`] order.
    pub overdue_bands: [i64; 6],
}

impl Counts {
    pub fn overdue(&self) -> i64 {
        self.overdue_bands.iter().sum()
    }

    pub fn add(&mut self, other: &Counts) {
        self.open += other.open;
        self.on_track += other.on_track;
        self.due_soon += other.due_soon;
        self.excepted += other.excepted;
        for (a, b) in self.overdue_bands.iter_mut().zip(other.overdue_bands) {
            *a += b;
        }
    }

    fn from_row(row: &QueryResult) -> Result<Self, DbErr> {
        let n = |col: &str| -> Result<i64, DbErr> {
            Ok(row.try_get::<Option<i64>>("", col)?.unwrap_or(0))
        };
        let mut bands = [0; 6];
        for (i, b) in bands.iter_mut().enumerate() {
            *b = n(&format!("band{i}"))?;
        }
        Ok(Counts {
            open: n("open_count")?,
            on_track: n("on_track")?,
            due_soon: n("due_soon")?,
            excepted: n("excepted")?,
            overdue_bands: bands,
        })
    }
}

/// Counts for one stage (process and deadline kind).
#[derive(Debug, Clone)]
pub struct StageCounts {
    pub process: String,
    pub kind: String,
    pub counts: Counts,
}

/// Open deadlines on `as_of` by LA, process and stage, for the LAs in `la_ids` (the
/// filter's own `la_id` is ignored: the caller passes the LAs).
pub async fn stage_counts_per_la<C: ConnectionTrait>(
    db: &C,
    as_of: NaiveDate,
    filter: &Filter,
    la_ids: &[i64],
) -> Result<Vec<(i64, StageCounts)>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT d.la_id AS la_id, d.process AS process, d.kind AS kind, ")
        .count_columns(as_of)
        .push(" FROM deadline d WHERE")
        .open_on(as_of)
        .in_las(la_ids)
        .filter(&Filter {
            la_id: None,
            ..filter.clone()
        })
        .push(" GROUP BY d.la_id, d.process, d.kind ORDER BY d.la_id, d.process, d.kind");
    let rows = db.query_all_raw(sql.statement()).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "la_id")?,
                StageCounts {
                    process: r.try_get("", "process")?,
                    kind: r.try_get("", "kind")?,
                    counts: Counts::from_row(r)?,
                },
            ))
        })
        .collect()
}

/// The key of a breakdown row: an id, or a service code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Id(i64),
    Code(String),
    None,
}

/// Open deadlines on `as_of` by LA and one dimension, for the LAs in `la_ids`.
pub async fn breakdown_per_la<C: ConnectionTrait>(
    db: &C,
    as_of: NaiveDate,
    filter: &Filter,
    by: Dimension,
    la_ids: &[i64],
) -> Result<Vec<(i64, Key, Counts)>, DbErr> {
    let col = by.column();
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(&format!("SELECT d.la_id AS la_id, d.{col} AS dim, "))
        .count_columns(as_of)
        .push(" FROM deadline d WHERE")
        .open_on(as_of)
        .in_las(la_ids)
        .filter(&Filter {
            la_id: None,
            ..filter.clone()
        });
    if by == Dimension::Service {
        sql.push(" AND d.service IS NOT NULL");
    }
    sql.push(&format!(
        " GROUP BY d.la_id, d.{col} ORDER BY d.la_id, d.{col}"
    ));
    let rows = db.query_all_raw(sql.statement()).await?;
    rows.iter()
        .map(|r| {
            let key = if by == Dimension::Service {
                r.try_get::<Option<String>>("", "dim")?
                    .map(Key::Code)
                    .unwrap_or(Key::None)
            } else {
                r.try_get::<Option<i64>>("", "dim")?
                    .map(Key::Id)
                    .unwrap_or(Key::None)
            };
            Ok((r.try_get("", "la_id")?, key, Counts::from_row(r)?))
        })
        .collect()
}

/// Which open deadlines a drill-down lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingFilter {
    OnTrack,
    DueSoon,
    Overdue(Option<OverdueBand>),
    Excepted,
}

/// A drill-down row: the deadline, its child and caseworker, in one query.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Item {
    pub id: i64,
    pub process: String,
    pub kind: String,
    pub source_id: i64,
    pub advice_request_id: Option<i64>,
    pub la_id: i64,
    pub child_id: i64,
    pub locality_id: i64,
    pub team_id: Option<i64>,
    pub caseworker_id: Option<i64>,
    pub service: Option<String>,
    pub starts_on: NaiveDate,
    pub due_on: NaiveDate,
    pub excepted_from: Option<NaiveDate>,
    pub target_on: Option<NaiveDate>,
    pub child_name: String,
    pub caseworker_name: Option<String>,
    /// The reason recorded for the step's delay, if any (`store::delays`).
    pub delay_reason_code: Option<String>,
}

/// A keyset position in the "most overdue first" order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemCursor {
    pub due_on: NaiveDate,
    pub id: i64,
}

pub struct ItemPage {
    pub items: Vec<Item>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

/// Open deadlines on `as_of`, most overdue first (earliest due date, then id).
#[allow(clippy::too_many_arguments)]
pub async fn items<C: ConnectionTrait>(
    db: &C,
    as_of: NaiveDate,
    filter: &Filter,
    standing: Option<StandingFilter>,
    after: Option<ItemCursor>,
    before: Option<ItemCursor>,
    size: u64,
    backwards: bool,
) -> Result<ItemPage, DbErr> {
    // The page's ids first, then only those rows are read and joined to their child and
    // caseworker. Rows open on `as_of` are
    // - `b0`: the open-ended ones, from a partial index in due-date order (m0008): the scan
    //   stops after the page;
    // - `b1`: those closing on a later day, up to `LONG_OPEN_DAYS` ahead (the family's
    //   windows, phase transfers before the move), from an index in closing-date order;
    // - `b2`: those closing later still, which were open longer than that (m0009).
    // `b1` and `b2` must be sorted; once `b0` fills a page, only their rows due no later than
    // `b0`'s last can enter it, a bound checked inside the index scan.
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    let order = if backwards {
        " ORDER BY due_on DESC, id DESC"
    } else {
        " ORDER BY due_on ASC, id ASC"
    };
    let d_order = order.replace("due_on", "d.due_on").replace(" id", " d.id");
    let limit = (size + 1) as i64;
    let horizon = add_days(as_of, migration::LONG_OPEN_DAYS);
    let open_ended = open_ended();
    sql.push("WITH b0 AS (SELECT d.id AS id, d.due_on AS due_on FROM deadline d")
        .push(&sqlite_open_index(backend, filter))
        .push(" WHERE d.open_until = ")
        .push(&format!("'{open_ended}'"))
        .push(" AND d.starts_on <= ")
        .bind(as_of)
        .filter(filter)
        .page_conditions(as_of, standing, after, before)
        .push(&d_order)
        .push(" LIMIT ")
        .bind(limit)
        .push(")");
    // Each branch's closing-date range, as (text, bound) pairs.
    let b1_open = format!("d.open_until < '{open_ended}' AND d.open_until <= ");
    let b2_long = format!(
        "{} AND d.open_until > ",
        migration::long_open_predicate(backend, "d.")
    );
    let branches: [(&str, &[(&str, NaiveDate)]); 2] = [
        (
            "b1",
            &[(&b1_open, horizon), (" AND d.open_until > ", as_of)],
        ),
        ("b2", &[(&b2_long, horizon)]),
    ];
    for (name, closing) in branches {
        sql.push(&format!(
            ", {name} AS (SELECT d.id AS id, d.due_on AS due_on FROM deadline d WHERE "
        ));
        for (text, bound) in closing {
            sql.push(text).bind(*bound);
        }
        sql.push(" AND d.starts_on <= ")
            .bind(as_of)
            .filter(filter)
            .page_conditions(as_of, standing, after, before)
            .push(if backwards {
                " AND d.due_on >= (SELECT CASE WHEN COUNT(*) < "
            } else {
                " AND d.due_on <= (SELECT CASE WHEN COUNT(*) < "
            })
            .bind(limit)
            .push(if backwards {
                " THEN '0001-01-01' ELSE MIN(due_on) END FROM b0)"
            } else {
                " THEN '9999-12-31' ELSE MAX(due_on) END FROM b0)"
            })
            .push(&d_order)
            .push(" LIMIT ")
            .bind(limit)
            .push(")");
    }
    sql.push(
        ", u AS (SELECT id, due_on FROM b0 UNION ALL SELECT id, due_on FROM b1 \
         UNION ALL SELECT id, due_on FROM b2) \
         SELECT d.id, d.process, d.kind, d.source_id, d.advice_request_id, d.la_id, \
         d.child_id, d.locality_id, d.team_id, d.caseworker_id, d.service, d.starts_on, \
         d.due_on, d.excepted_from, d.target_on, c.legal_name AS child_name, \
         s.name AS caseworker_name, sd.reason_code AS delay_reason_code \
         FROM (SELECT id AS page_id FROM u",
    )
    .push(order)
    .push(" LIMIT ")
    .bind(limit)
    .push(
        ") p JOIN deadline d ON d.id = p.page_id JOIN child c ON c.id = d.child_id \
         LEFT JOIN staff s ON s.id = d.caseworker_id \
         LEFT JOIN step_delay sd ON sd.process = d.process AND sd.source_id = d.source_id \
         AND sd.kind = d.kind AND sd.advice_request_id = COALESCE(d.advice_request_id, 0)",
    )
    .push(&d_order);
    let mut items = Item::find_by_statement(sql.statement()).all(db).await?;
    let more = items.len() as u64 > size;
    items.truncate(size as usize);
    if backwards {
        items.reverse();
    }
    Ok(ItemPage {
        items,
        has_previous_page: if backwards { more } else { after.is_some() },
        has_next_page: if backwards { before.is_some() } else { more },
    })
}

/// On SQLite, the partial index of m0008 that serves an open-ended page (SQLite's planner
/// prefers reading every open deadline of the LA and sorting them: 0.7 ms against 0.03 ms at
/// 100,000 children). A child's page is left to the planner, which uses the child's index.
fn sqlite_open_index(backend: DbBackend, filter: &Filter) -> String {
    if backend != DbBackend::Sqlite || filter.child_id.is_some() {
        return String::new();
    }
    let index = if filter.caseworker_id.is_some() {
        "ix_deadline_open_caseworker_due"
    } else if filter.la_id.is_some() {
        "ix_deadline_open_la_due"
    } else {
        "ix_deadline_open_due"
    };
    format!(" INDEXED BY {index}")
}

/// Days from `a` to `b` (both DATE columns) in the backend's SQL.
pub(crate) fn days_between(backend: DbBackend, a: &str, b: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("({b} - {a})"),
        _ => format!("CAST(julianday({b}) - julianday({a}) AS INTEGER)"),
    }
}

/// Response times of one service's advice over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseTimes {
    pub service: String,
    pub received: i64,
    pub received_late: i64,
    pub median_days: Option<i64>,
    pub p90_days: Option<i64>,
}

/// Advice received in `[from, to]` by service: count, late count, median and 90th percentile
/// of days to respond (nearest rank), computed in the database with window functions.
pub async fn advice_response_times<C: ConnectionTrait>(
    db: &C,
    from: NaiveDate,
    to: NaiveDate,
    filter: &Filter,
) -> Result<Vec<ResponseTimes>, DbErr> {
    let backend = db.get_database_backend();
    let days = days_between(backend, "d.starts_on", "d.met_on");
    let mut sql = Sql::new(backend);
    sql.push(&format!(
        "WITH r AS (SELECT d.service AS service, {days} AS days, \
         CASE WHEN d.met_on > d.due_on THEN 1 ELSE 0 END AS late, \
         ROW_NUMBER() OVER (PARTITION BY d.service ORDER BY {days}) AS rn, \
         COUNT(*) OVER (PARTITION BY d.service) AS n \
         FROM deadline d WHERE d.service IS NOT NULL AND d.met_on >= "
    ))
    .bind(from)
    .push(" AND d.met_on <= ")
    .bind(to)
    .filter(filter)
    .push(
        ") SELECT service, COUNT(*) AS received, SUM(late) AS received_late, \
         MIN(CASE WHEN rn * 2 >= n THEN days END) AS median_days, \
         MIN(CASE WHEN rn * 10 >= n * 9 THEN days END) AS p90_days \
         FROM r GROUP BY service ORDER BY service",
    );
    let rows = db.query_all_raw(sql.statement()).await?;
    rows.iter()
        .map(|r| {
            Ok(ResponseTimes {
                service: r
                    .try_get::<Option<String>>("", "service")?
                    .unwrap_or_default(),
                received: r.try_get("", "received")?,
                received_late: r.try_get::<Option<i64>>("", "received_late")?.unwrap_or(0),
                median_days: get_int(r, "median_days")?,
                p90_days: get_int(r, "p90_days")?,
            })
        })
        .collect()
}

/// An integer column that PostgreSQL may type as int4 or int8.
pub(crate) fn get_int(r: &QueryResult, col: &str) -> Result<Option<i64>, DbErr> {
    match r.try_get::<Option<i64>>("", col) {
        Ok(v) => Ok(v),
        Err(_) => Ok(r.try_get::<Option<i32>>("", col)?.map(i64::from)),
    }
}

/// Steps done in a period, per stage: how many, how many on time, how many excepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTimeliness {
    pub process: String,
    pub kind: String,
    pub done: i64,
    pub on_time: i64,
    /// An exception lifted the limit before the step was done.
    pub exception_applies: i64,
    /// On time, among those with no exception.
    pub on_time_without_exception: i64,
    pub total_days: i64,
    /// Took more than 52 weeks from the clock start.
    pub over_52_weeks: i64,
}

/// Deadlines met in `[from, to]` by stage (the SEN2 20-week measure is the FINAL_PLAN stage).
pub async fn timeliness<C: ConnectionTrait>(
    db: &C,
    from: NaiveDate,
    to: NaiveDate,
    filter: &Filter,
) -> Result<Vec<StageTimeliness>, DbErr> {
    let backend = db.get_database_backend();
    let days = days_between(backend, "d.starts_on", "d.met_on");
    let excepted = "(d.excepted_from IS NOT NULL AND d.excepted_from <= d.met_on)";
    let mut sql = Sql::new(backend);
    sql.push(&format!(
        "SELECT d.process AS process, d.kind AS kind, COUNT(*) AS done, \
         SUM(CASE WHEN d.met_on <= d.due_on THEN 1 ELSE 0 END) AS on_time, \
         SUM(CASE WHEN {excepted} THEN 1 ELSE 0 END) AS exception_applies, \
         SUM(CASE WHEN d.met_on <= d.due_on AND NOT {excepted} THEN 1 ELSE 0 END) \
           AS on_time_without_exception, \
         SUM({days}) AS total_days, \
         SUM(CASE WHEN {days} > 364 THEN 1 ELSE 0 END) AS over_52_weeks \
         FROM deadline d WHERE d.met_on >= "
    ))
    .bind(from)
    .push(" AND d.met_on <= ")
    .bind(to)
    .filter(filter)
    .push(" GROUP BY d.process, d.kind ORDER BY d.process, d.kind");
    let rows = db.query_all_raw(sql.statement()).await?;
    rows.iter()
        .map(|r| {
            let n = |c: &str| -> Result<i64, DbErr> { Ok(get_int(r, c)?.unwrap_or(0)) };
            Ok(StageTimeliness {
                process: r.try_get("", "process")?,
                kind: r.try_get("", "kind")?,
                done: n("done")?,
                on_time: n("on_time")?,
                exception_applies: n("exception_applies")?,
                on_time_without_exception: n("on_time_without_exception")?,
                total_days: n("total_days")?,
                over_52_weeks: n("over_52_weeks")?,
            })
        })
        .collect()
}

/// Amended plans issued in a period after a review meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AmendedAfterMeeting {
    pub issued: i64,
    /// Issued at most `MEETING_TO_AMENDED_PLAN_DAYS` (12 weeks) after the meeting.
    pub within_twelve_weeks: i64,
}

/// Amended plans issued in `[from, to]` whose amendment followed a review meeting, and how
/// many came within 12 weeks of it: the amended plan's row joined to its amendment's notice
/// row, which starts on the meeting day.
pub async fn amended_plans_after_meeting<C: ConnectionTrait>(
    db: &C,
    from: NaiveDate,
    to: NaiveDate,
    filter: &Filter,
) -> Result<AmendedAfterMeeting, DbErr> {
    let backend = db.get_database_backend();
    let days = days_between(backend, "n.starts_on", "d.met_on");
    let mut sql = Sql::new(backend);
    sql.push(&format!(
        "SELECT COUNT(*) AS issued, \
         SUM(CASE WHEN {days} <= {MEETING_TO_AMENDED_PLAN_DAYS} THEN 1 ELSE 0 END) AS within \
         FROM deadline d JOIN deadline n ON n.process = d.process \
         AND n.source_id = d.source_id AND n.kind = "
    ))
    .bind(DeadlineKind::AmendmentNotice.as_str())
    .push(" WHERE d.kind = ")
    .bind(DeadlineKind::AmendedPlan.as_str())
    .push(" AND d.met_on >= ")
    .bind(from)
    .push(" AND d.met_on <= ")
    .bind(to)
    .filter(filter);
    let Some(r) = db.query_one_raw(sql.statement()).await? else {
        return Ok(AmendedAfterMeeting::default());
    };
    Ok(AmendedAfterMeeting {
        issued: get_int(&r, "issued")?.unwrap_or(0),
        within_twelve_weeks: get_int(&r, "within")?.unwrap_or(0),
    })
}

/// Open deadlines on `as_of` falling due in `[as_of, until]`, counted per stage and due date.
pub async fn falling_due<C: ConnectionTrait>(
    db: &C,
    as_of: NaiveDate,
    until: NaiveDate,
    filter: &Filter,
) -> Result<Vec<(String, String, NaiveDate, i64)>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT d.process AS process, d.kind AS kind, d.due_on AS due_on, COUNT(*) AS n FROM deadline d WHERE")
        .open_on(as_of)
        .push(" AND d.due_on >= ")
        .bind(as_of)
        .push(" AND d.due_on <= ")
        .bind(until)
        .filter(filter)
        .push(" GROUP BY d.process, d.kind, d.due_on ORDER BY d.due_on");
    let rows = db.query_all_raw(sql.statement()).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "process")?,
                r.try_get("", "kind")?,
                r.try_get("", "due_on")?,
                r.try_get("", "n")?,
            ))
        })
        .collect()
}
