//! The suite says which database it ran on, and never silently falls back to SQLite.
use crate::common::{database_url, is_postgres, isolated_database};

#[tokio::test]
async fn runs_on_the_database_named_by_database_url() {
    let (db, _dir) = isolated_database().await;
    let backend = ehcp::store::backend_name(&db);
    eprintln!("test database backend: {backend}");
    match database_url() {
        Some(url) if url.starts_with("postgres") => assert_eq!(backend, "PostgreSQL"),
        _ => {
            assert!(!is_postgres());
            assert_eq!(backend, "SQLite");
        }
    }
}

#[tokio::test]
async fn audit_events_cannot_be_changed_or_deleted_even_in_sql() {
    use sea_orm::ConnectionTrait;
    let (db, _dir) = isolated_database().await;
    db.execute_unprepared(
        "INSERT INTO audit_event (occurred_at, actor_subject, actor_role, entity, entity_id, action, summary) \
         VALUES ('2026-01-01T00:00:00Z', 'a', 'admin', 'x', 1, 'create', '{}')",
    )
    .await
    .expect("insert is allowed");
    assert!(
        db.execute_unprepared("UPDATE audit_event SET action = 'forged'")
            .await
            .is_err()
    );
    assert!(
        db.execute_unprepared("DELETE FROM audit_event")
            .await
            .is_err()
    );
}

/// Every migration rolls back (`ehcp migrate --down N`): the newest first, then all of them,
/// and the schema comes back whole, on the database the suite runs on.
#[tokio::test]
async fn every_migration_rolls_back_and_applies_again() {
    use ehcp::store::{migrate, migration_status, roll_back};
    let (db, _dir) = isolated_database().await;
    let all = migration_status(&db).await.expect("status");
    assert!(all.iter().all(|(_, applied)| *applied));
    roll_back(&db, 1).await.expect("roll back the newest");
    let status = migration_status(&db).await.expect("status");
    assert_eq!(
        status.iter().filter(|(_, applied)| !applied).count(),
        1,
        "{status:?}"
    );
    assert!(
        !status.last().unwrap().1,
        "the newest is the one rolled back"
    );
    roll_back(&db, all.len() as u32)
        .await
        .expect("roll back all");
    assert!(
        migration_status(&db)
            .await
            .expect("status")
            .iter()
            .all(|(_, applied)| !applied)
    );
    migrate(&db).await.expect("apply again");
    assert!(
        migration_status(&db)
            .await
            .expect("status")
            .iter()
            .all(|(_, applied)| *applied)
    );
}
