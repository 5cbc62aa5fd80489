use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exception_reason")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub label: String,
    pub regulation: String,
    pub lifts_decision: bool,
    pub lifts_advice: bool,
    pub lifts_plan: bool,
    pub active: bool,
    pub minimum_days: Option<i32>,
    pub concerns_advice_request: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
