use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "professional")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub subject: Option<String>,
    pub name: String,
    pub service: String,
    pub organisation: String,
    pub email: Option<String>,
    pub created_at: DateTimeUtc,
    pub active: bool,
    pub last_signed_in_at: Option<DateTimeUtc>,
    pub optional_reminders: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
