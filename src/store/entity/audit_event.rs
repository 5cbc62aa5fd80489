use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub actor_subject: String,
    pub actor_role: String,
    pub la_id: Option<i64>,
    pub child_id: Option<i64>,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    /// The import run that made this change (`ehcp import`), when one did.
    pub import_batch_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
