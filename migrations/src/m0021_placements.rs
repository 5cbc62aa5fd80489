//! Where a plan's child or young person is placed, over time (the SEN2 return's PlanDetail and
//! PlacementDetail): the setting by its GIAS URN or its UKPRN, or, with neither, the SEN
//! setting type code; the placement's rank (1 the main one); when it began and ended; the SEN
//! unit, resourced provision, residential and work-based learning items. And the plan's
//! personal budget (PB, OA, DP).
use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("placement")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(big_integer("plan_id"))
                .col(small_integer("rank"))
                .col(string_len_null("urn", 6))
                .col(string_len_null("ukprn", 8))
                .col(string_len_null("sen_setting", 10))
                .col(text_null("sen_setting_other"))
                .col(date("entry_on"))
                .col(date_null("leaving_on"))
                .col(boolean("sen_unit"))
                .col(boolean("resourced_provision"))
                .col(string_len_null("residential", 1))
                .col(string_len_null("work_based_learning", 1))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("placement", "child_id", "child"))
                .foreign_key(&mut fk("placement", "plan_id", "ehc_plan"))
                .to_owned(),
        )
        .await?;
        for columns in [&["plan_id", "rank", "entry_on"][..], &["la_id", "plan_id"]] {
            m.create_index(index("placement", columns)).await?;
        }
        m.alter_table(
            Table::alter()
                .table("ehc_plan")
                .add_column(boolean_null("personal_budget"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("ehc_plan")
                .add_column(boolean_null("organised_arrangements"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("ehc_plan")
                .add_column(string_len_null("direct_payments", 1))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            "personal_budget",
            "organised_arrangements",
            "direct_payments",
        ] {
            m.alter_table(
                Table::alter()
                    .table("ehc_plan")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table("placement").to_owned())
            .await
    }
}
