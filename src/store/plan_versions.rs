//! Versions of an EHC plan: each issue, entry, transfer in or amendment adds one.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, ConnectionTrait, DbErr, Set};

use crate::domain::plan::VersionSource;
use crate::store::entity::plan_version;

pub struct NewVersion {
    pub plan_id: i64,
    pub number: i32,
    pub issued_on: NaiveDate,
    pub named_setting: Option<String>,
    pub source: VersionSource,
    /// The amendment that made it, for an amended plan.
    pub amendment_id: Option<i64>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    version: NewVersion,
    now: DateTime<Utc>,
) -> Result<plan_version::Model, DbErr> {
    plan_version::ActiveModel {
        id: NotSet,
        plan_id: Set(version.plan_id),
        number: Set(version.number),
        issued_on: Set(version.issued_on),
        named_setting: Set(version.named_setting),
        source: Set(version.source.as_str().to_owned()),
        amendment_id: Set(version.amendment_id),
        created_at: Set(now),
    }
    .insert(db)
    .await
}
