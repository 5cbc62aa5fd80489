use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dispute")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    /// The needs assessment whose decision is challenged (a refusal to assess or to issue).
    pub assessment_id: Option<i64>,
    /// The plan whose content, school, amendment or ceasing is challenged.
    pub plan_id: Option<i64>,
    pub appealed: String,
    pub decision_sent_on: Date,
    pub state: String,
    pub opened_on: Date,
    pub adviser_contacted_on: Option<Date>,
    pub mediation_wanted: Option<bool>,
    pub council_told_on: Option<Date>,
    pub mediation_held_on: Option<Date>,
    pub certificate_issued_on: Option<Date>,
    pub appeal_registered_on: Option<Date>,
    pub hearing_on: Option<Date>,
    pub appeal_withdrawn_on: Option<Date>,
    pub outcome: Option<String>,
    pub outcome_on: Option<Date>,
    pub order_kind: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub outcome_note: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub other_matter: Option<String>,
    pub other_matter_due_on: Option<Date>,
    pub other_matter_done_on: Option<Date>,
    pub order_exception: Option<String>,
    pub order_exception_on: Option<Date>,
    pub order_exception_until: Option<Date>,
    pub complied_on: Option<Date>,
    pub ordered_assessment_id: Option<i64>,
    pub closed_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
