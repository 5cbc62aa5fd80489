use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "annual_review")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub plan_id: i64,
    pub kind: String,
    pub state: String,
    pub scheduled_on: Date,
    pub meeting_on: Date,
    pub meeting_held: bool,
    pub due_by: Date,
    pub due_by_kind: String,
    pub invitations_sent_on: Option<Date>,
    pub advice_circulated_on: Option<Date>,
    pub report_received_on: Option<Date>,
    pub decided_on: Option<Date>,
    pub decision: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_reasons: Option<String>,
    pub cancelled_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    pub closed_on: Option<Date>,
    /// A mediation certificate, which can extend the time to appeal (CFA 2014 s.55(5)).
    pub mediation_certificate_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
