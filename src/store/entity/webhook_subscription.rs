use sea_orm::entity::prelude::*;

/// A council system that receives signed events (Standard Webhooks).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_subscription")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub name: String,
    pub url: String,
    pub secret: String,
    /// Comma-separated event types (`assessment.send_draft`), or `*` for all.
    #[sea_orm(column_type = "Text")]
    pub event_types: String,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
