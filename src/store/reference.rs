//! Reference data the application needs in every database.
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use crate::domain::delay::standard_delay_reasons;
use crate::domain::timescales::standard_exception_reasons;
use crate::store::entity::{delay_reason, exception_reason};

/// Inserts the statutory exception reasons that are missing; never changes existing rows,
/// so reasons an LA has edited or added stay as they are.
pub async fn ensure_exception_reasons(db: &DatabaseConnection) -> anyhow::Result<()> {
    let existing: Vec<String> = exception_reason::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let missing: Vec<_> = standard_exception_reasons()
        .into_iter()
        .filter(|r| !existing.contains(&r.code))
        .map(|r| exception_reason::ActiveModel {
            code: Set(r.code),
            label: Set(r.label),
            regulation: Set(r.regulation),
            lifts_decision: Set(r.lifts_decision),
            lifts_advice: Set(r.lifts_advice),
            lifts_plan: Set(r.lifts_plan),
            active: Set(true),
            minimum_days: Set(r.minimum_days.map(|d| d as i32)),
            concerns_advice_request: Set(r.concerns_advice_request),
        })
        .collect();
    if !missing.is_empty() {
        exception_reason::Entity::insert_many(missing)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Inserts the standard reasons for delays that are missing; like the exception reasons,
/// never changes a row a council has edited or added.
pub async fn ensure_delay_reasons(db: &DatabaseConnection) -> anyhow::Result<()> {
    let existing: Vec<String> = delay_reason::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let missing: Vec<_> = standard_delay_reasons()
        .into_iter()
        .filter(|r| !existing.contains(&r.code))
        .map(|r| delay_reason::ActiveModel {
            code: Set(r.code),
            label: Set(r.label),
            note_required: Set(r.note_required),
            active: Set(true),
        })
        .collect();
    if !missing.is_empty() {
        delay_reason::Entity::insert_many(missing)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The SEN2 code lists named, in that order (an empty list when the table has none of it).
pub async fn sen2_lists<C: sea_orm::ConnectionTrait>(
    db: &C,
    lists: &[&'static str],
) -> Result<Vec<crate::domain::sen2::CodeList>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let rows = crate::store::entity::sen2_code::Entity::find()
        .filter(crate::store::entity::sen2_code::Column::List.is_in(lists.iter().copied()))
        .order_by_asc(crate::store::entity::sen2_code::Column::List)
        .order_by_asc(crate::store::entity::sen2_code::Column::Code)
        .all(db)
        .await?;
    Ok(lists
        .iter()
        .map(|list| crate::domain::sen2::CodeList {
            list,
            codes: rows
                .iter()
                .filter(|r| r.list == *list)
                .map(|r| (r.code.clone(), r.label.clone()))
                .collect(),
        })
        .collect())
}
