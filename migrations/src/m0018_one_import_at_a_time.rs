//! One import into a council at a time: two runs over the same files at once (a retried
//! upload, a double click) would both create the same records.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_import_batch_running ON import_batch (la_id) \
                 WHERE state = 'RUNNING'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX ux_import_batch_running")
            .await?;
        Ok(())
    }
}
