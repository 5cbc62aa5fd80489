use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "child_parent")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub child_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub parent_id: i64,
    pub relationship: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
