//! People linked to children, read for many children at once.
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult};

use crate::store::entity::parent;
use crate::store::sql::Sql;

/// The parents and carers of these children with each link's relationship, as (child id,
/// parent, relationship), each child's by name, in one statement.
pub async fn parents_of_children<C: ConnectionTrait>(
    db: &C,
    child_ids: &[i64],
) -> Result<Vec<(i64, parent::Model, String)>, DbErr> {
    if child_ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    sql.push(
        "SELECT l.child_id AS link_child_id, l.relationship AS link_relationship, p.* \
         FROM child_parent l JOIN parent p ON p.id = l.parent_id WHERE l.child_id",
    );
    // One statement text for any number of children on PostgreSQL (see `store::ids_in`).
    if backend == DbBackend::Postgres {
        sql.push(" = ANY(").bind(child_ids.to_vec()).push(")");
    } else {
        sql.push(" IN (");
        for (i, id) in child_ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(*id);
        }
        sql.push(")");
    }
    sql.push(" ORDER BY l.child_id, p.name, p.id");
    let rows = db.query_all_raw(sql.statement()).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "link_child_id")?,
                parent::Model::from_query_result(r, "")?,
                r.try_get("", "link_relationship")?,
            ))
        })
        .collect()
}
