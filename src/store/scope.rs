//! Turns an actor's [`Scope`] into SQL conditions, so every query that loads child-linked
//! records filters in the database (seaography's row-filter pattern).
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition};

pub use crate::domain::access::Scope;
use crate::store::entity::{advice_request, child_parent};

/// Rows whose child (`child_col`) in local authority (`la_col`) the scope may see.
pub fn visible_children<L: ColumnTrait, C: ColumnTrait>(
    scope: &Scope,
    la_col: L,
    child_col: C,
) -> Condition {
    match scope {
        Scope::Everything => Condition::all(),
        Scope::LocalAuthority { la_id } => Condition::all().add(la_col.eq(*la_id)),
        Scope::Family {
            parent_id,
            young_person_child_id,
        } => {
            let mut any = Condition::any();
            if let Some(parent_id) = parent_id {
                any = any.add(
                    child_col.in_subquery(
                        Query::select()
                            .column(child_parent::Column::ChildId)
                            .from(child_parent::Entity)
                            .and_where(child_parent::Column::ParentId.eq(*parent_id))
                            .to_owned(),
                    ),
                );
            }
            if let Some(child_id) = young_person_child_id {
                any = any.add(child_col.eq(*child_id));
            }
            if parent_id.is_none() && young_person_child_id.is_none() {
                return nothing();
            }
            // Wrapped so that a filter a caller adds narrows the family's children instead
            // of being OR-ed with them (which showed other families' children).
            Condition::all().add(any)
        }
        // A professional reads the advice requests addressed to them, each with only what
        // the request needs about its child (`myAdviceRequests`): never children's records,
        // so never a child's locality, parents or other professionals' requests.
        Scope::Professional { .. } => nothing(),
        Scope::Nothing => nothing(),
    }
}

/// Advice requests addressed to this professional by name, or to their service in their LA.
pub fn addressed_to_professional(la_id: i64, professional_id: i64, service: &str) -> Condition {
    Condition::all()
        .add(advice_request::Column::LaId.eq(la_id))
        .add(
            Condition::any()
                .add(advice_request::Column::ProfessionalId.eq(professional_id))
                .add(advice_request::Column::Service.eq(service)),
        )
}

/// Rows of a table with only an LA column (localities, teams, staff, professionals).
pub fn visible_organisation<L: ColumnTrait>(scope: &Scope, la_col: L) -> Condition {
    match scope {
        Scope::Everything => Condition::all(),
        Scope::LocalAuthority { la_id } | Scope::Professional { la_id, .. } => {
            Condition::all().add(la_col.eq(*la_id))
        }
        Scope::Family { .. } | Scope::Nothing => nothing(),
    }
}

/// A condition no row meets.
pub fn nothing() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;
    use crate::store::entity::child;

    #[test]
    fn a_filter_added_to_a_family_scope_narrows_it() {
        let scope = Scope::Family {
            parent_id: Some(1),
            young_person_child_id: Some(2),
        };
        let cond = visible_children(&scope, child::Column::LaId, child::Column::Id)
            .add(child::Column::LocalityId.eq(7));
        let sql = child::Entity::find()
            .filter(cond)
            .build(DbBackend::Sqlite)
            .to_string();
        let filter = sql.split_once(" WHERE ").expect("a WHERE clause").1;
        assert_eq!(
            filter,
            r#"("child"."id" IN (SELECT "child_id" FROM "child_parent" WHERE "child_parent"."parent_id" = 1) OR "child"."id" = 2) AND "child"."locality_id" = 7"#
        );
    }
}
