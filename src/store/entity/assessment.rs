use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub kind: String,
    pub state: String,
    pub requested_by: String,
    /// Requested while in relevant youth accommodation (SEN2 2.3, RYA).
    pub relevant_youth_accommodation: bool,
    pub received_on: Date,
    pub caseworker_id: Option<i64>,
    pub decided_to_assess_on: Option<Date>,
    pub decided_not_to_assess_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_reasons: Option<String>,
    pub decided_not_to_issue_on: Option<Date>,
    pub draft_sent_on: Option<Date>,
    pub parent_responded_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub parent_comments: Option<String>,
    pub parent_meeting_requested: bool,
    pub parent_requested_setting: Option<String>,
    pub final_issued_on: Option<Date>,
    pub named_setting: Option<String>,
    pub within_twenty_weeks: Option<bool>,
    pub exception_applies: Option<bool>,
    pub withdrawn_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub withdrawal_reason: Option<String>,
    pub transferred_out_on: Option<Date>,
    pub transferred_to: Option<String>,
    pub closed_on: Option<Date>,
    /// A mediation certificate, which can extend the time to appeal (CFA 2014 s.55).
    pub mediation_certificate_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
