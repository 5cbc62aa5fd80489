use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ehc_plan")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub assessment_id: Option<i64>,
    pub status: String,
    /// First issued (for a plan moved from another council, first made there).
    pub issued_on: Date,
    /// The setting named in the latest version.
    pub named_setting: Option<String>,
    /// Optimistic concurrency counter (the plan's issued versions are `plan_version` rows).
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub entered_directly: bool,
    pub primary_need: Option<String>,
    pub secondary_needs: Option<String>,
    pub last_review_decision_on: Option<Date>,
    pub review_due_on: Option<Date>,
    pub transferred_in_on: Option<Date>,
    pub transferred_from: Option<String>,
    pub transfer_notice_sent_on: Option<Date>,
    pub phase_transfer_kind: Option<String>,
    pub phase_transfer_moves_on: Option<Date>,
    pub phase_transfer_finalised_for: Option<Date>,
    pub phase_transfer_finalised_on: Option<Date>,
    pub cease_proposed_on: Option<Date>,
    pub cease_consulted_on: Option<Date>,
    pub ceased_on: Option<Date>,
    pub cease_reason: Option<i16>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cease_notes: Option<String>,
    pub move_learned_on: Option<Date>,
    pub moves_on: Option<Date>,
    pub transferred_out_on: Option<Date>,
    pub transferred_to: Option<String>,
    /// A mediation certificate, which can extend the time to appeal (CFA 2014 s.55(5)).
    pub mediation_certificate_on: Option<Date>,
    /// SEN2 4.4: a personal budget taken up; unknown when none.
    pub personal_budget: Option<bool>,
    /// Part of it held as organised arrangements (OA).
    pub organised_arrangements: Option<bool>,
    /// Part of it paid directly: the SEN2 `DIRECT_PAYMENT` code (what it covers).
    pub direct_payments: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
