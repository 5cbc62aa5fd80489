use sea_orm::entity::prelude::*;

/// Where a plan's child or young person is (or was) placed: one row per setting and period.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "placement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub la_id: i64,
    pub child_id: i64,
    pub plan_id: i64,
    /// 1 the main placement, 2 a secondary one (a dual placement).
    pub rank: i16,
    /// The setting's GIAS Unique Reference Number (6 digits).
    pub urn: Option<String>,
    /// The provider's UK Provider Reference Number (8 digits), when it has no URN.
    pub ukprn: Option<String>,
    /// The SEN2 `SEN_SETTING` code, when there is neither.
    pub sen_setting: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub sen_setting_other: Option<String>,
    pub entry_on: Date,
    pub leaving_on: Option<Date>,
    pub sen_unit: bool,
    pub resourced_provision: bool,
    /// SEN2 `RESIDENTIAL` code; none when not residential.
    pub residential: Option<String>,
    /// SEN2 `WORK_BASED_LEARNING` code.
    pub work_based_learning: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
