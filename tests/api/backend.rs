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
    // Back to a named migration: everything newer goes, it stays.
    migrate(&db).await.expect("apply the newest again");
    let target = &all[all.len() - 3].0;
    assert_eq!(ehcp::store::roll_back_to(&db, target).await.expect("to"), 2);
    let status = migration_status(&db).await.expect("status");
    let applied: Vec<&str> = status
        .iter()
        .filter(|(_, a)| *a)
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(applied.last(), Some(&target.as_str()), "{status:?}");
    assert!(
        ehcp::store::roll_back_to(&db, "m9999_nothing")
            .await
            .is_err()
    );
    assert!(
        ehcp::store::roll_back_to(&db, &all.last().unwrap().0)
            .await
            .is_err(),
        "not applied"
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

/// Reads that cover the records, their dates and the audit trail, as an administrator.
const EVERYTHING: &str = "{ children(first: 100) { nodes { id legalName dateOfBirth locality { id name } \
    parents { relationship parent { id name } } assessments { id state version receivedOn \
    deadlines { kind dueOn metOn status } timeline { on text } adviceRequests { id service dueOn } } \
    plans { id status } } } auditEvents(first: 100) { nodes { id occurredAt action entity entityId } } \
    localAuthorities { id code name teams { id name members { id name } } } }";

async fn case_with_history(app: &crate::common::TestApp) {
    use serde_json::json;
    let fx = app.with_local_authority().await;
    let child = app.create_child(&fx, "Ada Lovelace", "2016-03-01").await;
    let requested = app
        .ok(
            &fx.caseworker,
            "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }",
            json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": crate::common::today().to_string()}}),
        )
        .await;
    let a = &requested["requestAssessment"];
    app.ok(
        &fx.caseworker,
        "mutation($input: DecisionInput!) { decideToAssess(input: $input) { id } }",
        json!({"input": {"assessmentId": a["id"], "version": a["version"]}}),
    )
    .await;
}

/// `ehcp backup` (SQLite) or `pg_dump`/`pg_restore` (PostgreSQL, as the README says), then a
/// server on the restored copy answers exactly as the original did.
#[tokio::test]
async fn a_restored_backup_answers_exactly_as_the_original() {
    use crate::common::TestApp;
    use ehcp::clock::Clock;
    use ehcp::config::ServeSettings;
    use sea_orm::ConnectionTrait;
    use serde_json::json;
    let app = TestApp::spawn().await;
    case_with_history(&app).await;
    let admin = app.admin_token();
    // Once before: the first request of the day records the sign-in.
    app.ok(&admin, EVERYTHING, json!({})).await;
    let before = app.ok(&admin, EVERYTHING, json!({})).await;
    assert!(
        before["children"]["nodes"][0]["assessments"][0]["deadlines"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let (restored, cleanup) = if is_postgres() {
        let url = database_url().expect("url");
        let schema: String = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                "SELECT current_schema()",
            ))
            .await
            .expect("query")
            .expect("row")
            .try_get_by_index(0)
            .expect("schema");
        let dump = dir.path().join("ehcp.dump");
        let run = |program: &str, args: Vec<String>| {
            let out = std::process::Command::new(program)
                .args(&args)
                .output()
                .unwrap_or_else(|e| panic!("{program}: {e}"));
            assert!(
                out.status.success(),
                "{program} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(
            "pg_dump",
            vec![
                "--format=custom".into(),
                "--no-owner".into(),
                format!("--schema={schema}"),
                format!("--file={}", dump.display()),
                url.clone(),
            ],
        );
        let database = format!("r_{}", &schema[2..]);
        app.db
            .execute_unprepared(&format!("CREATE DATABASE {database}"))
            .await
            .expect("create database");
        let (base, _) = url.rsplit_once('/').expect("a database in the URL");
        let restored_url = format!("{base}/{database}");
        run(
            "pg_restore",
            vec![
                "--no-owner".into(),
                format!("--dbname={restored_url}"),
                dump.display().to_string(),
            ],
        );
        let db = ehcp::store::connect(&restored_url, Some(&schema))
            .await
            .expect("connect to the restored database");
        (db, Some(database))
    } else {
        let copy = dir.path().join("backup.db");
        // While the original is open and in use, as on a running server.
        ehcp::store::backup(&app.db, &copy).await.expect("backup");
        let again = ehcp::store::backup(&app.db, &copy).await;
        assert!(again.is_err(), "a backup must not overwrite a file");
        let url = format!("sqlite://{}?mode=rw", copy.display());
        (
            ehcp::store::connect(&url, None)
                .await
                .expect("open the copy"),
            None,
        )
    };
    let copy =
        TestApp::on_database_as_is(restored, None, ServeSettings::default(), Clock::system()).await;
    let after = copy.ok(&admin, EVERYTHING, json!({})).await;
    assert_eq!(after, before);
    // The copy is a working database, not a snapshot to look at: it takes changes.
    let la = after["localAuthorities"][0]["id"].clone();
    copy.ok(
        &admin,
        "mutation($la: ID) { createLocality(localAuthorityId: $la, name: \"After the restore\") { id } }",
        json!({"la": la}),
    )
    .await;
    if let Some(database) = cleanup {
        copy.db.clone().close().await.ok();
        app.db
            .execute_unprepared(&format!("DROP DATABASE {database} WITH (FORCE)"))
            .await
            .expect("drop the restored database");
    }
}
