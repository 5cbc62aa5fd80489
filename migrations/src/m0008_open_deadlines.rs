//! Partial indexes over the deadlines still open (`open_until` = 9999-12-31) in due-date
//! order, for an LA, a caseworker and the whole dataset: a drill-down page, most overdue
//! first, reads the first 51 entries and stops, however many deadlines are open.
use sea_orm_migration::prelude::*;

use crate::{create_partial_indexes, drop_indexes};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 3] = [
    (
        "ix_deadline_open_la_due",
        "la_id, due_on, id, starts_on, excepted_from",
    ),
    (
        "ix_deadline_open_caseworker_due",
        "caseworker_id, due_on, id, starts_on, excepted_from",
    ),
    (
        "ix_deadline_open_due",
        "due_on, id, starts_on, excepted_from",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The same SQL on SQLite and PostgreSQL; the predicate is a literal so the planner
        // can match it.
        create_partial_indexes(m, "deadline", &INDEXES, "open_until = '9999-12-31'").await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_indexes(m, "deadline", &INDEXES).await
    }
}
