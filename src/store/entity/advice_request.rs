use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "advice_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub assessment_id: Option<i64>,
    /// Set for advice asked for an annual review (the log is shared with assessments).
    pub review_id: Option<i64>,
    pub service: String,
    pub professional_id: Option<i64>,
    pub addressed_to: Option<String>,
    pub requested_on: Date,
    pub due_on: Date,
    pub received_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary: Option<String>,
    pub document_ref: Option<String>,
    pub declined_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decline_reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
