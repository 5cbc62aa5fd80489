//! The DfE's SEN2 return: its code lists as this instance holds them.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Ctx;
use crate::error::ApiResult;
use crate::store::entity::sen2_code;

/// Every code of the SEN2 lists (or of one list), by list and code: reference data, the same
/// for everyone signed in.
pub async fn codes(ctx: &Ctx<'_>, list: Option<&str>) -> ApiResult<Vec<sen2_code::Model>> {
    let mut query = sen2_code::Entity::find();
    if let Some(list) = list {
        query = query.filter(sen2_code::Column::List.eq(list.trim().to_ascii_uppercase()));
    }
    Ok(query
        .order_by_asc(sen2_code::Column::List)
        .order_by_asc(sen2_code::Column::Code)
        .all(ctx.db)
        .await?)
}

/// A council's correction of the code lists: every list named in `rows` is replaced by the
/// rows given for it (each kept with the source given, or `council`), the other lists stay.
/// Administrators only, in one transaction with its audit event.
pub async fn replace_codes(
    ctx: &Ctx<'_>,
    rows: Vec<sen2_code::Model>,
) -> ApiResult<Vec<(String, usize)>> {
    use sea_orm::{ActiveValue::Set, TransactionTrait};
    ctx.require(crate::domain::access::Permission::AdministerLocalAuthorities)?;
    let mut lists: std::collections::BTreeMap<String, Vec<sen2_code::Model>> =
        std::collections::BTreeMap::new();
    for (i, mut row) in rows.into_iter().enumerate() {
        row.list = row.list.trim().to_ascii_uppercase();
        row.code = row.code.trim().to_ascii_uppercase();
        row.label = row.label.trim().to_owned();
        row.source = match row.source.trim() {
            "" => "council".to_owned(),
            s => s.to_owned(),
        };
        let line = i + 2;
        if row.list.is_empty() || row.list.len() > 40 || row.code.is_empty() || row.code.len() > 20
        {
            return Err(crate::error::ApiError::validation(
                "codes",
                format!("line {line}: a list (1–40 characters) and a code (1–20) are needed"),
            ));
        }
        if row.label.is_empty() {
            return Err(crate::error::ApiError::validation(
                "codes",
                format!(
                    "line {line}: code {} of {} has no label",
                    row.code, row.list
                ),
            ));
        }
        let codes = lists.entry(row.list.clone()).or_default();
        if codes.iter().any(|c| c.code == row.code) {
            return Err(crate::error::ApiError::validation(
                "codes",
                format!(
                    "line {line}: code {} of {} is given twice",
                    row.code, row.list
                ),
            ));
        }
        codes.push(row);
    }
    if lists.is_empty() {
        return Err(crate::error::ApiError::validation(
            "codes",
            "the file has no codes",
        ));
    }
    let counts: Vec<(String, usize)> = lists.iter().map(|(l, c)| (l.clone(), c.len())).collect();
    let txn = ctx.db.begin().await?;
    for (list, codes) in lists {
        sen2_code::Entity::delete_many()
            .filter(sen2_code::Column::List.eq(list))
            .exec(&txn)
            .await?;
        sen2_code::Entity::insert_many(codes.into_iter().map(|c| sen2_code::ActiveModel {
            list: Set(c.list),
            code: Set(c.code),
            label: Set(c.label),
            source: Set(c.source),
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    crate::store::audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        crate::store::audit::AuditEntry {
            la_id: None,
            child_id: None,
            entity: "sen2_code",
            entity_id: 0,
            action: crate::domain::audit::AuditAction::LoadCodes,
            summary: serde_json::json!({
                "lists": counts.iter().map(|(l, n)| serde_json::json!({"list": l, "codes": n})).collect::<Vec<_>>()
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(counts)
}
