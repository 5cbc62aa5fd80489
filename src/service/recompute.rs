//! After a release changes how a statutory period is counted, the stored figures derived from
//! the rules (the backlog's deadline rows, each plan's `review_due_on`) are recomputed for every
//! case at start-up, once, so an upgraded database agrees with the rules it runs
//! ([`crate::domain::rules::RULES_VERSION`]). Each case is rewritten in its own small
//! transaction, exactly as a change to it would; a start interrupted part-way recomputes again.
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ActiveValue::Unchanged, ColumnTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::domain::rules::RULES_VERSION;
use crate::error::ApiResult;
use crate::store::entity::{assessment, complaint, dispute, ehc_plan};
use crate::store::{plans, rules_applied};

const BATCH: u64 = 500;

/// What a recompute did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recomputed {
    pub assessments: u64,
    pub children_with_plans: u64,
    pub review_dates_changed: u64,
    pub disputes: u64,
    pub complaints: u64,
}

/// Recomputes every case's derived dates when the stored rules version is older than the
/// code's; `None` when they already agree.
pub async fn apply_rules(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> ApiResult<Option<Recomputed>> {
    if rules_applied::current(db).await? == Some(RULES_VERSION) {
        return Ok(None);
    }
    let mut done = Recomputed {
        assessments: each_record::<assessment::Entity>(db, assessment::Column::Id, |txn, id| {
            Box::pin(super::assessment::sync_deadlines(txn, id))
        })
        .await?,
        ..Recomputed::default()
    };
    let mut after = 0i64;
    loop {
        let rows = ehc_plan::Entity::find()
            .filter(ehc_plan::Column::Id.gt(after))
            .order_by_asc(ehc_plan::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        let records = plans::load_plans_parts(db, rows).await?;
        let txn = db.begin().await?;
        let mut children = std::collections::BTreeSet::new();
        for record in records {
            let due = record.facts()?.review_limit().due_on;
            if record.row.review_due_on != Some(due) {
                ehc_plan::ActiveModel {
                    id: Unchanged(record.row.id),
                    review_due_on: Set(Some(due)),
                    ..Default::default()
                }
                .update(&txn)
                .await?;
                done.review_dates_changed += 1;
            }
            children.insert(record.row.child_id);
        }
        for child_id in &children {
            super::plan::sync_deadlines(&txn, *child_id).await?;
        }
        txn.commit().await?;
        done.children_with_plans += children.len() as u64;
        after = last;
    }
    // Disputes' and complaints' rows (the mediation, orders on the plan, the complaint
    // stages) are rewritten the same way.
    done.disputes = each_record::<dispute::Entity>(db, dispute::Column::Id, |txn, id| {
        Box::pin(super::disputes::sync_deadlines(txn, id))
    })
    .await?;
    done.complaints = each_record::<complaint::Entity>(db, complaint::Column::Id, |txn, id| {
        Box::pin(super::complaints::sync_deadlines(txn, id))
    })
    .await?;
    rules_applied::record(db, RULES_VERSION, now).await?;
    Ok(Some(done))
}

/// Runs `sync` on every record of the table whose id column is `id`, a batch per
/// transaction; returns how many.
async fn each_record<E: EntityTrait>(
    db: &DatabaseConnection,
    id: E::Column,
    sync: impl for<'t> Fn(&'t DatabaseTransaction, i64) -> BoxFuture<'t, ApiResult<()>>,
) -> ApiResult<u64> {
    let mut done = 0;
    let mut after = 0i64;
    loop {
        let ids: Vec<i64> = E::find()
            .select_only()
            .column(id)
            .filter(id.gt(after))
            .order_by_asc(id)
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
        let Some(&last) = ids.last() else { break };
        let txn = db.begin().await?;
        for row in &ids {
            sync(&txn, *row).await?;
        }
        txn.commit().await?;
        done += ids.len() as u64;
        after = last;
    }
    Ok(done)
}
