use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "complaint")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub state: String,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub received_on: Date,
    pub acknowledged_on: Option<Date>,
    pub extended_to: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub extension_reason: Option<String>,
    pub responded_on: Option<Date>,
    pub escalated_on: Option<Date>,
    pub stage_two_acknowledged_on: Option<Date>,
    pub stage_two_extended_to: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub stage_two_extension_reason: Option<String>,
    pub stage_two_responded_on: Option<Date>,
    pub ombudsman_referred_on: Option<Date>,
    pub ombudsman_reference: Option<String>,
    pub ombudsman_decided_on: Option<Date>,
    pub ombudsman_finding: Option<String>,
    pub withdrawn_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
