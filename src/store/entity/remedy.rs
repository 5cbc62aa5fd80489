use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "remedy")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub complaint_id: i64,
    pub la_id: i64,
    pub child_id: i64,
    /// The child's locality when the remedy was agreed: the register counts by it.
    pub locality_id: i64,
    pub kind: String,
    pub reason: Option<String>,
    pub amount_pence: Option<i64>,
    pub offered_by: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub agreed_on: Date,
    pub done_on: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
