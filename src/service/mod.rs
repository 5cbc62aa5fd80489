//! Use cases: each checks permission and input, then changes storage and writes its audit
//! event in one transaction. Resolvers stay thin and call these.
mod action;
pub mod administrators;
pub mod advice;
pub mod assessment;
pub mod backlog;
pub mod caseload;
pub mod changes;
pub mod complaints;
pub mod contributions;
pub mod delays;
pub mod disputes;
pub mod export;
pub mod import;
pub mod messages;
pub mod people;
pub mod plan;
pub mod recompute;
pub mod records;
pub mod sen2;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};

use crate::domain::access::{Actor, Permission};
use crate::domain::people::InvalidField;
use crate::error::{ApiError, ApiResult};

/// What every use case needs: the database, who is acting, and when.
pub struct Ctx<'a> {
    pub db: &'a DatabaseConnection,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
}

impl Ctx<'_> {
    /// Today's date in England, where the statutory clocks run.
    pub fn today(&self) -> NaiveDate {
        uk_date(self.now)
    }

    pub fn require(&self, permission: Permission) -> ApiResult<()> {
        if self.actor.may(permission) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "a {} may not do this",
                self.actor.role
            )))
        }
    }
}

/// The record an action is on: its id, the version the caller last saw (a change since makes
/// the action a `CONFLICT`), and the day the action happened (today when omitted).
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub id: i64,
    pub version: i32,
    pub on: Option<NaiveDate>,
}

impl Target {
    pub fn new(id: i64, version: i32, on: Option<NaiveDate>) -> Self {
        Target { id, version, on }
    }
}

pub use crate::clock::uk_date;

impl From<InvalidField> for ApiError {
    fn from(e: InvalidField) -> Self {
        ApiError::validation(e.field, e.message)
    }
}

/// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
pub async fn in_transaction<T, F>(db: &DatabaseConnection, work: F) -> ApiResult<T>
where
    F: for<'c> FnOnce(&'c DatabaseTransaction) -> BoxFuture<'c, ApiResult<T>>,
{
    let txn = db.begin().await?;
    let value = work(&txn).await?;
    txn.commit().await?;
    Ok(value)
}
