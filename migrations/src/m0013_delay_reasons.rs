//! Reasons for a delay: why a statutory step was late (no educational psychologist, advice
//! late from health, a panel date...). They never lift a time limit; managers count late
//! steps by them. `delay_reason` is data a council extends; `step_delay` holds one reason per
//! step, keyed like the backlog's deadline rows (process, record, kind, advice request; 0 for
//! a step that is not an advice request), so the backlog's grouped queries join it.
use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("delay_reason")
                .col(string_len("code", 40).primary_key())
                .col(string("label"))
                .col(boolean("note_required").default(false))
                .col(boolean("active").default(true))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("step_delay")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(string_len("process", 30))
                .col(big_integer("source_id"))
                .col(string_len("kind", 40))
                .col(big_integer("advice_request_id").default(0))
                .col(string_len("reason_code", 40))
                .col(text_null("note"))
                .col(date("recorded_on"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_step_delay_reason_code")
                        .from("step_delay", "reason_code")
                        .to("delay_reason", "code"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_step_delay_step")
                .table("step_delay")
                .col("process")
                .col("source_id")
                .col("kind")
                .col("advice_request_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index("step_delay", &["la_id", "reason_code"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("step_delay").to_owned())
            .await?;
        m.drop_table(Table::drop().table("delay_reason").to_owned())
            .await
    }
}
