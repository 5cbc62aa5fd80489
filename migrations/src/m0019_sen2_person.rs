//! What the DfE's SEN2 return records of a person (items 1.4–1.7c): the child's Unique Pupil
//! Number, Unique Learner Number or the reason neither is known, sex, ethnicity and home
//! postcode. And the return's code lists as data (`sen2_code`), seeded from
//! `data/sen2/codes.csv` with each code's source: where the DfE's own specification could not
//! be read, a council corrects the table (`ehcp sen2 codes --load`) without a release.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CHILD_COLUMNS: [(&str, u32); 6] = [
    ("upn", 13),
    ("uln", 10),
    ("upn_unknown", 10),
    ("sex", 10),
    ("ethnicity", 10),
    ("home_postcode", 10),
];

/// The code lists as shipped: `list,code,label,source`.
pub const CODES_CSV: &str = include_str!("../../data/sen2/codes.csv");

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column at a time: SQLite alters a table one column per statement.
        for (column, len) in CHILD_COLUMNS {
            m.alter_table(
                Table::alter()
                    .table("child")
                    .add_column(string_len_null(column, len))
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("sen2_code")
                .col(string_len("list", 40))
                .col(string_len("code", 20))
                .col(text("label"))
                .col(string_len("source", 200))
                .primary_key(Index::create().col("list").col("code"))
                .to_owned(),
        )
        .await?;
        let mut insert = Query::insert();
        insert
            .into_table("sen2_code")
            .columns(["list", "code", "label", "source"]);
        let mut reader = csv::Reader::from_reader(CODES_CSV.as_bytes());
        for row in reader.records() {
            let row = row.map_err(|e| DbErr::Migration(format!("data/sen2/codes.csv: {e}")))?;
            insert.values_panic((0..4).map(|i| row[i].trim().into()));
        }
        m.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("sen2_code").to_owned())
            .await?;
        for (column, _) in CHILD_COLUMNS {
            m.alter_table(Table::alter().table("child").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
