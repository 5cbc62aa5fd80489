//! Which version of the statutory rules the stored deadlines were computed with. The backlog's
//! deadline rows and each plan's `review_due_on` are derived from the rules; when a release
//! changes how a period is counted (as the correction of "the period of 12 months starting
//! with" did), the server recomputes them for every case at start-up and records the version
//! here, so every figure on an upgraded database agrees with the rules it runs.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("rules_applied")
                .col(big_pk_auto("id"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("applied_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("rules_applied").to_owned())
            .await
    }
}
