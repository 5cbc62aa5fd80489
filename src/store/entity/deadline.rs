use sea_orm::entity::prelude::*;

/// One statutory deadline of a process, as the backlog counts it (see `domain::backlog`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deadline")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub process: String,
    pub kind: String,
    pub source_id: i64,
    pub advice_request_id: Option<i64>,
    pub la_id: i64,
    pub child_id: i64,
    pub locality_id: i64,
    pub team_id: Option<i64>,
    pub caseworker_id: Option<i64>,
    pub service: Option<String>,
    pub starts_on: Date,
    pub due_on: Date,
    pub met_on: Option<Date>,
    pub open_until: Date,
    pub excepted_from: Option<Date>,
    pub target_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
