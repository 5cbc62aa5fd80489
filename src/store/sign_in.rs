//! The records a token's subject names, in one query, and when each person last signed in.
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::domain::sign_in::{Account, AccountKind, ProfessionalAccount, Records, StaffAccount};
use crate::store::sql::Sql;

/// One row: each table joined on its unique `subject`, so at most one match each.
#[derive(Debug, FromQueryResult)]
struct Row {
    claimed_la_id: Option<i64>,
    staff_id: Option<i64>,
    staff_la_id: Option<i64>,
    staff_role: Option<String>,
    staff_active: Option<bool>,
    staff_seen_at: Option<DateTime<Utc>>,
    professional_id: Option<i64>,
    professional_la_id: Option<i64>,
    professional_service: Option<String>,
    professional_active: Option<bool>,
    professional_seen_at: Option<DateTime<Utc>>,
    administrator_id: Option<i64>,
    administrator_active: Option<bool>,
    administrator_seen_at: Option<DateTime<Utc>>,
    parent_id: Option<i64>,
    child_id: Option<i64>,
}

/// Every record with the subject, and the LA with the claimed code (if a code is given).
pub async fn records<C: ConnectionTrait>(
    db: &C,
    subject: &str,
    la_code: Option<&str>,
) -> Result<Records, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT (SELECT id FROM local_authority WHERE code = ")
        .bind(la_code.unwrap_or(""))
        .push(
            ") AS claimed_la_id, \
             s.id AS staff_id, s.la_id AS staff_la_id, s.role AS staff_role, \
             s.active AS staff_active, s.last_signed_in_at AS staff_seen_at, \
             p.id AS professional_id, p.la_id AS professional_la_id, \
             p.service AS professional_service, p.active AS professional_active, \
             p.last_signed_in_at AS professional_seen_at, \
             a.id AS administrator_id, a.active AS administrator_active, \
             a.last_signed_in_at AS administrator_seen_at, \
             (SELECT id FROM parent WHERE subject = ",
        )
        .bind(subject)
        .push(") AS parent_id, (SELECT id FROM child WHERE subject = ")
        .bind(subject)
        .push(") AS child_id FROM (SELECT 1 AS one) AS one LEFT JOIN staff s ON s.subject = ")
        .bind(subject)
        .push(" LEFT JOIN professional p ON p.subject = ")
        .bind(subject)
        .push(" LEFT JOIN administrator a ON a.subject = ")
        .bind(subject);
    let Some(row) = Row::find_by_statement(sql.statement()).one(db).await? else {
        return Ok(Records::default());
    };
    let account = |id: Option<i64>, active: Option<bool>, seen: Option<DateTime<Utc>>| {
        id.map(|id| Account {
            id,
            active: active.unwrap_or(false),
            last_signed_in_at: seen,
        })
    };
    Ok(Records {
        claimed_la_id: la_code.and(row.claimed_la_id),
        staff: account(row.staff_id, row.staff_active, row.staff_seen_at).map(|account| {
            StaffAccount {
                account,
                la_id: row.staff_la_id.unwrap_or_default(),
                role: row.staff_role.as_deref().and_then(|r| r.parse().ok()),
            }
        }),
        professional: account(
            row.professional_id,
            row.professional_active,
            row.professional_seen_at,
        )
        .map(|account| ProfessionalAccount {
            account,
            la_id: row.professional_la_id.unwrap_or_default(),
            service: row.professional_service.unwrap_or_default(),
        }),
        administrator: account(
            row.administrator_id,
            row.administrator_active,
            row.administrator_seen_at,
        ),
        parent_id: row.parent_id,
        young_person_child_id: row.child_id,
    })
}

/// Marks the record as signed in now.
pub async fn record_sign_in<C: ConnectionTrait>(
    db: &C,
    kind: AccountKind,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let table = match kind {
        AccountKind::Staff => "staff",
        AccountKind::Professional => "professional",
        AccountKind::Administrator => "administrator",
    };
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(&format!("UPDATE {table} SET last_signed_in_at = "))
        .bind(now)
        .push(" WHERE id = ")
        .bind(id);
    db.execute_raw(sql.statement()).await?;
    Ok(())
}
