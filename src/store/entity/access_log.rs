use sea_orm::entity::prelude::*;

/// One read of a child's record by staff or a professional.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub viewed_at: DateTimeUtc,
    pub actor_subject: String,
    pub actor_role: String,
    pub staff_id: Option<i64>,
    pub professional_id: Option<i64>,
    /// What was read: `child`, `assessment`, `advice_request`...
    pub record: String,
    pub record_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
