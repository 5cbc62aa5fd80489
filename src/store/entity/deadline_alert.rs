use sea_orm::entity::prelude::*;

/// The day an open deadline became due soon (within 14 days) or overdue.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deadline_alert")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub caseworker_id: Option<i64>,
    pub process: String,
    pub source_id: i64,
    pub kind: String,
    /// 0 when the deadline is not an advice request's.
    pub advice_request_id: i64,
    pub due_on: Date,
    pub alert: String,
    pub raised_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
