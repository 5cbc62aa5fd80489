//! The family's side: the mediation certificate that can extend the time to appeal, and the
//! log of who has read a child's record (for subject access requests and for the family).
use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("assessment")
                .add_column(date_null("mediation_certificate_on"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("access_log")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(timestamp_with_time_zone("viewed_at"))
                .col(string("actor_subject"))
                .col(string_len("actor_role", 20))
                .col(big_integer_null("staff_id"))
                .col(big_integer_null("professional_id"))
                .col(string_len("record", 40))
                .col(big_integer_null("record_id"))
                .foreign_key(&mut fk("access_log", "la_id", "local_authority"))
                .foreign_key(&mut fk("access_log", "child_id", "child"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("access_log", &["child_id", "viewed_at"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("access_log").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("assessment")
                .drop_column("mediation_certificate_on")
                .to_owned(),
        )
        .await
    }
}
