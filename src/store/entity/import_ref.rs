use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_ref")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub la_id: i64,
    /// Which sheet the row came from (`child`, `parent`, `plan`...).
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// The council's own id for the record in the system it came from.
    #[sea_orm(primary_key, auto_increment = false)]
    pub source_id: String,
    pub entity_id: i64,
    pub batch_id: i64,
    /// SHA-256 of the row as last imported.
    pub digest: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
