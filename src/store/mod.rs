//! Storage: sea-orm entities and the queries that load and save domain values. Every query
//! that returns child-linked records takes the caller's [`Scope`], so access rules are
//! enforced in SQL, not only in guards.
pub mod advice;
pub mod assessments;
pub mod audit;
pub mod backlog;
pub mod delays;
pub mod disputes;
pub mod entity;
pub mod import;
pub mod outbox;
pub mod overdue;
pub mod owners;
pub mod page;
pub mod people;
pub mod plan_versions;
pub mod plans;
pub mod rules_applied;

pub mod scope;
pub mod sign_in;
pub(crate) mod sql;

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr};

pub use scope::Scope;

/// Connects to the database: SQLite files in WAL mode with foreign keys on, or PostgreSQL.
/// `schema` selects a PostgreSQL schema (tests use one each).
pub async fn connect(url: &str, schema: Option<&str>) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        // A refused connection is retried until this runs out, so it is how long the first
        // requests of an outage wait for their 503 (the rest are answered at once); a free
        // pooled connection is never this long in coming.
        .acquire_timeout(Duration::from_secs(3))
        // Ping a pooled connection only when it has sat idle long enough to have been dropped
        // (by the server, a proxy or a firewall), not on every checkout: the default ping is a
        // round trip before each query, doubling the round trips of a request.
        .test_before_acquire_if_idle_for(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        options.max_connections(8).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
        });
    } else {
        options.max_connections(16);
        if let Some(schema) = schema {
            options.set_schema_search_path(schema.to_owned());
        }
    }
    Database::connect(options)
        .await
        .with_context(|| format!("cannot connect to {}", crate::config::redact_url(url)))
}

/// Applies pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("migrations failed")?;
    reference::ensure_exception_reasons(db).await?;
    reference::ensure_delay_reasons(db).await?;
    Ok(())
}

/// Rolls back the newest `steps` applied migrations (each one's `down`), newest first: for
/// going back to the previous release's schema after a failed upgrade.
pub async fn roll_back(db: &DatabaseConnection, steps: u32) -> anyhow::Result<()> {
    Migrator::down(db, Some(steps))
        .await
        .context("rolling back migrations failed")?;
    Ok(())
}

/// A consistent copy of a SQLite database, taken while the server runs (`VACUUM INTO`: one
/// read transaction, so the copy is the database as of one instant, WAL included). The file
/// must not exist. PostgreSQL is backed up with its own tools (README, "Backup and restore").
pub async fn backup(db: &DatabaseConnection, to: &std::path::Path) -> anyhow::Result<()> {
    use sea_orm::{ConnectionTrait, Statement};
    if db.get_database_backend() != DbBackend::Sqlite {
        anyhow::bail!(
            "ehcp backup copies a SQLite database; back PostgreSQL up with              `pg_dump --format=custom` (README, \"Backup and restore\")"
        );
    }
    if to.exists() {
        anyhow::bail!("{} exists: a backup never overwrites a file", to.display());
    }
    let path = to
        .to_str()
        .context("the backup's path is not valid UTF-8")?
        .to_owned();
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [path.into()],
    ))
    .await
    .with_context(|| format!("cannot write the backup to {}", to.display()))?;
    Ok(())
}

/// Rolls back every applied migration newer than `name`, which stays applied: for going back
/// to the schema a named release ended with. An unknown or unapplied name changes nothing.
pub async fn roll_back_to(db: &DatabaseConnection, name: &str) -> anyhow::Result<u32> {
    let status = migration_status(db).await?;
    let position = status
        .iter()
        .position(|(n, _)| n == name)
        .with_context(|| format!("no migration is named {name} (see `ehcp migrate --status`)"))?;
    if !status[position].1 {
        anyhow::bail!("{name} is not applied: there is nothing after it to roll back");
    }
    let newer = status[position + 1..]
        .iter()
        .filter(|(_, applied)| *applied)
        .count();
    let steps = u32::try_from(newer)?;
    if steps > 0 {
        roll_back(db, steps).await?;
    }
    Ok(steps)
}

/// (name, applied) for every migration the binary knows.
pub async fn migration_status(db: &DatabaseConnection) -> anyhow::Result<Vec<(String, bool)>> {
    let applied: std::collections::HashSet<String> = Migrator::get_applied_migrations(db)
        .await?
        .into_iter()
        .map(|m| m.name().to_owned())
        .collect();
    Ok(Migrator::migrations()
        .into_iter()
        .map(|m| {
            let name = m.name().to_owned();
            let done = applied.contains(&name);
            (name, done)
        })
        .collect())
}

/// A human name for the backend, printed by tests and at start so nobody mistakes which ran.
pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Postgres => "PostgreSQL",
        DbBackend::Sqlite => "SQLite",
        _ => "other",
    }
}

/// True when the error is a unique-constraint violation (a duplicate).
pub fn is_unique_violation(err: &DbErr) -> bool {
    let message = match err {
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .map(|d| d.is_unique_violation())
            .unwrap_or(false),
        _ => false,
    };
    message
        || matches!(
            err.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        )
}

pub mod reference;

/// `column IN (ids)`, written so that a batch of any size is one statement text: on
/// PostgreSQL `column = ANY($1)` with an array, so the statement stays prepared and planned
/// across requests (an `IN` list of each length was parsed and planned afresh, half the
/// database time of a page of 50); on SQLite, whose statements are prepared in process, an
/// `IN` list.
pub fn ids_in<D, C>(
    db: &D,
    column: C,
    ids: impl IntoIterator<Item = i64>,
) -> sea_orm::sea_query::Expr
where
    D: sea_orm::ConnectionTrait,
    C: sea_orm::ColumnTrait,
{
    use sea_orm::sea_query::{Expr, ExprTrait, PgFunc};
    let ids: Vec<i64> = ids.into_iter().collect();
    match db.get_database_backend() {
        DbBackend::Postgres => {
            Expr::col((column.entity_name(), column)).eq(PgFunc::any(Expr::val(ids)))
        }
        _ => column.is_in(ids),
    }
}
