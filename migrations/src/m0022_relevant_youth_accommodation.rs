//! Whether the request was made while the child or young person was in relevant youth
//! accommodation (CFA 2014 s.70–75: detained): the SEN2 return's RYA (item 2.3).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("assessment")
                .add_column(boolean("relevant_youth_accommodation").default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("assessment")
                .drop_column("relevant_youth_accommodation")
                .to_owned(),
        )
        .await
    }
}
