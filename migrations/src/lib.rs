//! Database migrations, one file per migration, applied in order by `ehcp migrate` and at
//! `ehcp serve` start. The same migrations run on SQLite and PostgreSQL.
pub use sea_orm_migration::prelude::*;

mod m0001_people_and_audit;
mod m0002_needs_assessment;
mod m0003_plans_and_reviews;
mod m0004_backlog;
mod m0005_family_portal;
mod m0006_backlog_generation;
mod m0007_family_requests;
mod m0008_open_deadlines;
mod m0009_long_open_deadlines;
mod m0010_sign_in_records;
mod m0011_rules_applied;
mod m0012_exception_conditions;
mod m0013_delay_reasons;
mod m0014_list_indexes;
mod m0015_disputes;
mod m0016_messages;
mod m0017_import;
mod m0018_one_import_at_a_time;
mod m0019_sen2_person;
mod m0020_designated_officers;
mod m0021_placements;
mod m0022_relevant_youth_accommodation;

pub use m0009_long_open_deadlines::{LONG_OPEN_DAYS, long_open_predicate};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_people_and_audit::Migration),
            Box::new(m0002_needs_assessment::Migration),
            Box::new(m0003_plans_and_reviews::Migration),
            Box::new(m0004_backlog::Migration),
            Box::new(m0005_family_portal::Migration),
            Box::new(m0006_backlog_generation::Migration),
            Box::new(m0007_family_requests::Migration),
            Box::new(m0008_open_deadlines::Migration),
            Box::new(m0009_long_open_deadlines::Migration),
            Box::new(m0010_sign_in_records::Migration),
            Box::new(m0011_rules_applied::Migration),
            Box::new(m0012_exception_conditions::Migration),
            Box::new(m0013_delay_reasons::Migration),
            Box::new(m0014_list_indexes::Migration),
            Box::new(m0015_disputes::Migration),
            Box::new(m0016_messages::Migration),
            Box::new(m0017_import::Migration),
            Box::new(m0018_one_import_at_a_time::Migration),
            Box::new(m0019_sen2_person::Migration),
            Box::new(m0020_designated_officers::Migration),
            Box::new(m0021_placements::Migration),
            Box::new(m0022_relevant_youth_accommodation::Migration),
        ]
    }
}

/// Foreign key from `table.column` to `target.id`, named after both.
pub(crate) fn fk(table: &str, column: &str, target: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(target), Alias::new("id"))
        .to_owned()
}

/// A plain index on `table(columns...)`.
pub(crate) fn index(table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_")))
        .table(Alias::new(table));
    for c in columns {
        stmt.col(Alias::new(*c));
    }
    stmt.to_owned()
}

/// Creates each `(name, columns)` index on `table`, over the rows matching `predicate` only.
pub(crate) async fn create_partial_indexes(
    m: &SchemaManager<'_>,
    table: &str,
    indexes: &[(&str, &str)],
    predicate: &str,
) -> Result<(), DbErr> {
    for (name, columns) in indexes {
        m.get_connection()
            .execute_unprepared(&format!(
                "CREATE INDEX {name} ON {table} ({columns}) WHERE {predicate}"
            ))
            .await?;
    }
    Ok(())
}

/// Drops each `(name, _)` index of `table`.
pub(crate) async fn drop_indexes(
    m: &SchemaManager<'_>,
    table: &str,
    indexes: &[(&str, &str)],
) -> Result<(), DbErr> {
    for (name, _) in indexes {
        m.drop_index(
            Index::drop()
                .name(*name)
                .table(Alias::new(table))
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}
