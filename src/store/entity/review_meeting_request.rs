use sea_orm::entity::prelude::*;

/// A family's request for a review meeting, and the council's answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_meeting_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub plan_id: i64,
    pub requested_on: Date,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub requested_by_parent_id: Option<i64>,
    pub requested_by_young_person: bool,
    pub requested_by_subject: String,
    pub answered_on: Option<Date>,
    /// `REVIEW_ARRANGED` or `DECLINED` once answered.
    pub outcome: Option<String>,
    /// The review arranged in answer.
    pub review_id: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decline_reason: Option<String>,
    pub answered_by_staff_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
