use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "local_authority")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub created_at: DateTimeUtc,
    /// Whether the designated medical, clinical and social care officers are in post: SEN2
    /// `OFFICER_IN_POST` codes (Y, N, R).
    pub dmo: Option<String>,
    pub dco: Option<String>,
    pub dsco: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
