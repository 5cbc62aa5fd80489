//! The records a token's subject names, each role's in one query.
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::store::sql::Sql;

/// A staff member's sign-in: the LA the token names (by code) and the staff record with the
/// token's subject, if any.
#[derive(Debug, FromQueryResult)]
pub struct StaffSignIn {
    pub la_id: i64,
    pub staff_id: Option<i64>,
    pub staff_la_id: Option<i64>,
    pub active: Option<bool>,
}

/// `None` when no LA has the code.
pub async fn staff<C: ConnectionTrait>(
    db: &C,
    la_code: &str,
    subject: &str,
) -> Result<Option<StaffSignIn>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(
        "SELECT la.id AS la_id, s.id AS staff_id, s.la_id AS staff_la_id, s.active AS active \
         FROM local_authority la LEFT JOIN staff s ON s.subject = ",
    )
    .bind(subject)
    .push(" WHERE la.code = ")
    .bind(la_code);
    StaffSignIn::find_by_statement(sql.statement())
        .one(db)
        .await
}

/// A family's sign-in: the parent with the subject, and the child signed in as themself.
#[derive(Debug, Default, FromQueryResult)]
pub struct FamilySignIn {
    pub parent_id: Option<i64>,
    pub child_id: Option<i64>,
}

pub async fn family<C: ConnectionTrait>(db: &C, subject: &str) -> Result<FamilySignIn, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT (SELECT id FROM parent WHERE subject = ")
        .bind(subject)
        .push(") AS parent_id, (SELECT id FROM child WHERE subject = ")
        .bind(subject)
        .push(") AS child_id");
    Ok(FamilySignIn::find_by_statement(sql.statement())
        .one(db)
        .await?
        .unwrap_or_default())
}
