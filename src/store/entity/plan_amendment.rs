use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_amendment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub plan_id: i64,
    pub review_id: Option<i64>,
    pub state: String,
    pub started_on: Date,
    pub meeting_on: Option<Date>,
    pub notice_sent_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub proposed_changes: Option<String>,
    pub parent_responded_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub parent_comments: Option<String>,
    pub parent_meeting_requested: bool,
    pub parent_requested_setting: Option<String>,
    pub final_issued_on: Option<Date>,
    pub named_setting: Option<String>,
    pub phase_transfer: bool,
    pub decided_not_to_amend_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub not_amend_reasons: Option<String>,
    pub closed_on: Option<Date>,
    /// A mediation certificate, which can extend the time to appeal (CFA 2014 s.55(5)).
    pub mediation_certificate_on: Option<Date>,
    /// The dispute whose order (agreement, concession) this amendment carries out.
    pub dispute_id: Option<i64>,
    /// That order's limit: ORDER_AMENDED_PLAN or ORDER_NAMED_SETTING.
    pub ordered_limit: Option<String>,
    pub ordered_due_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
