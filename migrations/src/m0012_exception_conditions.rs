//! The conditions the regulations put on an exception reason itself: a closure or an absence
//! counts only for a continuous period of at least 4 weeks, and a school or setting closure
//! only for the advice asked of it from one week before the closure until one week before it
//! re-opens (SEND Regs 2014 reg 5(4)). Reasons are data, so the conditions are too; the
//! statutory rows get theirs here.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table("exception_reason")
                .add_column(integer_null("minimum_days"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("exception_reason")
                .add_column(boolean("concerns_advice_request").default(false))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "UPDATE exception_reason SET minimum_days = 28, concerns_advice_request = TRUE \
             WHERE code IN ('SCHOOL_CLOSED', 'EARLY_YEARS_SETTING_CLOSED')",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE exception_reason SET minimum_days = 28 WHERE code = 'ABSENT_FROM_AREA'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["concerns_advice_request", "minimum_days"] {
            m.alter_table(
                Table::alter()
                    .table("exception_reason")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
