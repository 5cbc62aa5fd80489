//! What a part of a record belongs to. `node(id:)` finds a part (an advice request, a
//! consultation, an exception) by loading its owner through the owner's own scoped lookup, so a
//! part is never shown to anyone who could not reach it through its owner. These queries are
//! not scoped: their answer only chooses which scoped lookup runs, and is never shown.
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::store::entity::{
    advice_request, assessment_exception, child_parent, setting_consultation,
};

/// A part of a record, named by its row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    AdviceRequest(i64),
    SettingConsultation(i64),
    AssessmentException(i64),
}

/// The record a part belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Assessment(i64),
    Review(i64),
}

/// The owner of a part; `None` when the part does not exist.
pub async fn owner_of<C: ConnectionTrait>(db: &C, part: Part) -> Result<Option<Owner>, DbErr> {
    Ok(match part {
        Part::AdviceRequest(id) => advice_request::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|a| match (a.assessment_id, a.review_id) {
                (Some(assessment), _) => Some(Owner::Assessment(assessment)),
                (None, Some(review)) => Some(Owner::Review(review)),
                (None, None) => None,
            }),
        Part::SettingConsultation(id) => setting_consultation::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| Owner::Assessment(c.assessment_id)),
        Part::AssessmentException(id) => assessment_exception::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|e| Owner::Assessment(e.assessment_id)),
    })
}

/// The children a parent is linked to.
pub async fn children_of_parent<C: ConnectionTrait>(
    db: &C,
    parent_id: i64,
) -> Result<Vec<i64>, DbErr> {
    child_parent::Entity::find()
        .select_only()
        .column(child_parent::Column::ChildId)
        .filter(child_parent::Column::ParentId.eq(parent_id))
        .into_tuple()
        .all(db)
        .await
}
