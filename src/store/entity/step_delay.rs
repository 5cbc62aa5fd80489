use sea_orm::entity::prelude::*;

/// The reason recorded for one late step, keyed like its `deadline` row
/// (`advice_request_id` 0 for a step that is not an advice request).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "step_delay")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub process: String,
    pub source_id: i64,
    pub kind: String,
    pub advice_request_id: i64,
    pub reason_code: String,
    pub note: Option<String>,
    pub recorded_on: Date,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
