use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub team_id: Option<i64>,
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    pub role: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub last_signed_in_at: Option<DateTimeUtc>,
    pub daily_digest: bool,
    pub weekly_digest: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
