//! Partial indexes over the settled deadlines that were open for longer than
//! [`LONG_OPEN_DAYS`], for an LA, a caseworker and the whole dataset.
//!
//! A drill-down page takes the deadlines open on a day that close on a later day from the
//! covering indexes in closing-date order (m0006). For today those are the family's windows
//! and the phase transfers before their move, but the range "closes after today" also holds
//! every phase transfer of the coming years, not yet started. So the page reads that range
//! only up to `LONG_OPEN_DAYS` ahead (no scheduled window is longer: a phase transfer runs
//! from one September to the next), and the rest from these indexes: a deadline open on `D`
//! that closes more than `LONG_OPEN_DAYS` after `D` was open for longer than that. For
//! today there are none; for a past day, the ones settled long after it.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{create_partial_indexes, drop_indexes};

/// Longer than any window that closes on a day fixed in advance (a phase transfer is open
/// for one year). The drill-down's query repeats the indexes' predicate with this value.
pub const LONG_OPEN_DAYS: i64 = 400;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 3] = [
    (
        "ix_deadline_long_la",
        "la_id, open_until, starts_on, due_on, excepted_from, id",
    ),
    (
        "ix_deadline_long_caseworker",
        "caseworker_id, open_until, starts_on, due_on, excepted_from, id",
    ),
    (
        "ix_deadline_long",
        "open_until, starts_on, due_on, excepted_from, id",
    ),
];

/// The indexes' predicate in the backend's date arithmetic, its columns prefixed by `alias`
/// (`"d."`, or `""` in the index itself). Queries must use the same terms for the planner to
/// match them.
pub fn long_open_predicate(backend: DbBackend, alias: &str) -> String {
    let (open_until, starts_on) = (format!("{alias}open_until"), format!("{alias}starts_on"));
    let days = match backend {
        DbBackend::Postgres => format!("{open_until} - {starts_on}"),
        _ => format!("julianday({open_until}) - julianday({starts_on})"),
    };
    format!("{open_until} < '9999-12-31' AND {days} > {LONG_OPEN_DAYS}")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let predicate = long_open_predicate(m.get_database_backend(), "");
        create_partial_indexes(m, "deadline", &INDEXES, &predicate).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_indexes(m, "deadline", &INDEXES).await
    }
}
