//! Caseloads brought in from spreadsheets and other systems (`ehcp import`). `import_batch` is
//! one run of a set of files: who ran it, when, and its report. `import_ref` keeps the
//! council's own id from the source system for each record an import created, written in the
//! same transaction as the record itself, so a re-run recognises it (importing the same file
//! again changes nothing, and an interrupted run resumes). `digest` is the hash of the row as
//! last imported: an unchanged row is skipped without reading the record. Every audit event
//! an import writes carries its batch (`audit_event.import_batch_id`).
use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("import_batch")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(string_len("actor_subject", 200))
                .col(text("files"))
                .col(boolean("dry_run"))
                .col(string_len("state", 20))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(text_null("report"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("import_batch", &["la_id", "id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("import_ref")
                .col(big_integer("la_id"))
                .col(string_len("kind", 40))
                .col(string_len("source_id", 200))
                .col(big_integer("entity_id"))
                .col(big_integer("batch_id"))
                .col(string_len("digest", 64))
                .primary_key(Index::create().col("la_id").col("kind").col("source_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("import_ref", &["kind", "entity_id"]))
            .await?;
        m.alter_table(
            Table::alter()
                .table("audit_event")
                .add_column(
                    ColumnDef::new("import_batch_id")
                        .big_integer()
                        .null()
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("audit_event")
                .drop_column("import_batch_id")
                .to_owned(),
        )
        .await?;
        for table in ["import_ref", "import_batch"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
