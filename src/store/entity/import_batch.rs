use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_batch")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub actor_subject: String,
    /// The files' names, as JSON.
    #[sea_orm(column_type = "Text")]
    pub files: String,
    pub dry_run: bool,
    /// `RUNNING`, `REFUSED` (problems found, nothing changed), `CHECKED` (a dry run),
    /// `DONE` or `FAILED` (stopped part way; the report says what was committed).
    pub state: String,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// The run's report, as JSON.
    #[sea_orm(column_type = "Text", nullable)]
    pub report: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
