use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "child")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: Date,
    pub locality_id: i64,
    pub current_setting: Option<String>,
    pub nc_year_override: Option<i16>,
    pub subject: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub message_channel: Option<String>,
    pub optional_reminders: bool,
    /// SEN2 items 1.4–1.7c: Unique Pupil Number, Unique Learner Number, why neither is known,
    /// sex, ethnicity (codes of `sen2_code`) and home postcode.
    pub upn: Option<String>,
    pub uln: Option<String>,
    pub upn_unknown: Option<String>,
    pub sex: Option<String>,
    pub ethnicity: Option<String>,
    pub home_postcode: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
