//! The backlog's deadline table: one row per statutory deadline of every process, written in
//! the same transaction as the change that moves it, so managers' counts are grouped SQL over
//! indexed rows. Rows are kept when settled, so the backlog on a past day can be answered.
//! (m0003 is the annual-review work; its processes add rows here too.)
use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("deadline")
                .col(big_pk_auto("id"))
                .col(string_len("process", 30))
                .col(string_len("kind", 40))
                // The process's own record (for NEEDS_ASSESSMENT, the assessment).
                .col(big_integer("source_id"))
                .col(big_integer_null("advice_request_id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(big_integer("locality_id"))
                .col(big_integer_null("team_id"))
                .col(big_integer_null("caseworker_id"))
                .col(string_len_null("service", 40))
                .col(date("starts_on"))
                .col(date("due_on"))
                .col(date_null("met_on"))
                // Exclusive: the day it was met or stopped applying; 9999-12-31 while open,
                // so "open on D" is one range (open_until > D) that an index serves.
                .col(date("open_until"))
                .col(date_null("excepted_from"))
                .col(date_null("target_on"))
                .to_owned(),
        )
        .await?;
        // Whole-dataset and one-LA summaries read only these columns (index-only scans).
        m.create_index(index(
            "deadline",
            &[
                "open_until",
                "starts_on",
                "process",
                "kind",
                "due_on",
                "excepted_from",
            ],
        ))
        .await?;
        m.create_index(index(
            "deadline",
            &[
                "la_id",
                "open_until",
                "starts_on",
                "process",
                "kind",
                "due_on",
                "excepted_from",
            ],
        ))
        .await?;
        m.create_index(index(
            "deadline",
            &["caseworker_id", "open_until", "due_on"],
        ))
        .await?;
        m.create_index(index("deadline", &["process", "source_id"]))
            .await?;
        m.create_index(index("deadline", &["child_id"])).await?;
        // Timeliness: plans issued in a period.
        m.create_index(index("deadline", &["kind", "met_on"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("deadline").to_owned())
            .await?;
        Ok(())
    }
}
