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
            any
        }
        Scope::Professional {
            la_id,
            professional_id,
            service,
        } => Condition::all().add(la_col.eq(*la_id)).add(
            child_col.in_subquery(
                Query::select()
                    .column(advice_request::Column::ChildId)
                    .from(advice_request::Entity)
                    .cond_where(addressed_to_professional(*la_id, *professional_id, service))
                    .to_owned(),
            ),
        ),
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
