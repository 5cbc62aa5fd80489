use sea_orm::entity::prelude::*;

/// One code of one of the SEN2 return's code lists, with where it was found.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sen2_code")]
pub struct Model {
    /// `SEX`, `ETHNICITY`, `UPN_UNKNOWN`, `CEASE_REASON`...
    #[sea_orm(primary_key, auto_increment = false)]
    pub list: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    #[sea_orm(column_type = "Text")]
    pub label: String,
    /// Where the code was found (a key of `data/sen2/README.md`, or `council` once corrected).
    pub source: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
