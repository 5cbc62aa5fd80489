//! Sign-in is bound to records: administrators get records of their own (like staff and
//! professionals), professionals can be deactivated, and each record keeps when its person
//! last signed in, so a manager can see who uses the accounts they provisioned.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("administrator")
                .col(big_pk_auto("id"))
                .col(string_uniq("subject"))
                .col(string("name"))
                .col(string_null("email"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_signed_in_at"))
                .to_owned(),
        )
        .await?;
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table("professional")
                .add_column(boolean("active").default(true))
                .to_owned(),
        )
        .await?;
        for table in ["staff", "professional"] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(timestamp_with_time_zone_null("last_signed_in_at"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            ("staff", "last_signed_in_at"),
            ("professional", "last_signed_in_at"),
            ("professional", "active"),
        ] {
            m.alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table("administrator").to_owned())
            .await
    }
}
