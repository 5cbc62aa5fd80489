//! One counter per local authority, bumped in the same transaction as every change to its
//! deadline rows. The server keeps each LA's backlog counts in memory under the counter it
//! read, so a summary is recomputed only for the LAs whose rows changed (exact, and right
//! across several server processes sharing the database).
//!
//! And covering indexes for the drill-down's pages (an LA's, a caseworker's): the page's ids
//! come from the index alone, most overdue first, before any row is read.
use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("backlog_generation")
                .col(big_integer("la_id").primary_key())
                .col(big_integer("generation"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO backlog_generation (la_id, generation) \
                 SELECT DISTINCT la_id, 1 FROM deadline",
            )
            .await?;
        for lead in ["la_id", "caseworker_id"] {
            m.create_index(index(
                "deadline",
                &[
                    lead,
                    "open_until",
                    "starts_on",
                    "due_on",
                    "excepted_from",
                    "id",
                ],
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for lead in ["la_id", "caseworker_id"] {
            let name = index(
                "deadline",
                &[
                    lead,
                    "open_until",
                    "starts_on",
                    "due_on",
                    "excepted_from",
                    "id",
                ],
            )
            .get_index_spec()
            .get_name()
            .unwrap_or_default()
            .to_owned();
            m.drop_index(Index::drop().name(name).table("deadline").to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table("backlog_generation").to_owned())
            .await?;
        Ok(())
    }
}
