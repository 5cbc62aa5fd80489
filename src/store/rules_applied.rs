//! The version of the statutory rules the stored deadlines were computed with (m0011).
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use super::sql::Sql;

/// The latest version recorded, if any.
pub async fn current<C: ConnectionTrait>(db: &C) -> Result<Option<i32>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT MAX(version) AS version FROM rules_applied");
    let row = db.query_one_raw(sql.statement()).await?;
    Ok(match row {
        Some(row) => row.try_get::<Option<i32>>("", "version")?,
        None => None,
    })
}

/// Records that every stored deadline now follows `version`.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    version: i32,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("INSERT INTO rules_applied (version, applied_at) VALUES (")
        .bind(version)
        .push(", ")
        .bind(at)
        .push(")");
    db.execute_raw(sql.statement()).await?;
    Ok(())
}
