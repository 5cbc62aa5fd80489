//! An upgraded database is brought in line with the statutory rules of the release: the
//! stored review dates and backlog rows are recomputed once, at start-up.
use ehcp::service::recompute::{Recomputed, apply_rules};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::common::TestApp;

async fn exec(app: &TestApp, sql: &str) {
    let backend = app.db.get_database_backend();
    app.db
        .execute_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .expect(sql);
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .expect(sql)
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("count")
}

#[tokio::test]
async fn stored_dates_from_older_rules_are_recomputed_once() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let child = app.create_child(&fx, "Ada Lovelace", "2009-01-15").await;
    let plan = app
        .ok(
            &fx.caseworker,
            "mutation($input: EnterPlanInput!) { enterPlan(input: $input) { id } }",
            json!({"input": {"childId": child, "issuedOn": "2025-01-10"}}),
        )
        .await;
    let due_by = "query($by: Date) { plans(reviewDueBy: $by) { edges { node { id } } } }";
    // The 12 months starting with 10 January 2025 end on 9 January 2026.
    let found = app
        .ok(&fx.caseworker, due_by, json!({"by": "2026-01-09"}))
        .await;
    assert_eq!(
        found["plans"]["edges"][0]["node"]["id"],
        plan["enterPlan"]["id"]
    );

    // A database written by the previous release: the anniversary stored, no backlog rows
    // for the case, no rules version recorded.
    exec(&app, "UPDATE ehc_plan SET review_due_on = '2026-01-10'").await;
    exec(&app, "DELETE FROM deadline").await;
    exec(&app, "DELETE FROM rules_applied").await;
    let stale = app
        .ok(&fx.caseworker, due_by, json!({"by": "2026-01-09"}))
        .await;
    assert_eq!(stale["plans"]["edges"], json!([]));

    let done = apply_rules(&app.db, chrono::Utc::now())
        .await
        .expect("recompute");
    assert_eq!(
        done,
        Some(Recomputed {
            assessments: 0,
            children_with_plans: 1,
            review_dates_changed: 1,
            disputes: 0,
            complaints: 0,
        })
    );
    let fixed = app
        .ok(&fx.caseworker, due_by, json!({"by": "2026-01-09"}))
        .await;
    assert_eq!(
        fixed["plans"]["edges"][0]["node"]["id"],
        plan["enterPlan"]["id"]
    );
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM deadline WHERE kind = 'ANNUAL_REVIEW' AND due_on = '2026-01-09'"
        )
        .await
            >= 1,
        "the backlog's row is back, with the corrected date"
    );
    // Once recorded, a restart does nothing.
    assert_eq!(
        apply_rules(&app.db, chrono::Utc::now())
            .await
            .expect("again"),
        None
    );
}

/// The metrics' overdue count (SQL over every case) applies the same conditions as a case:
/// an absence of less than 4 weeks on record lifts nothing.
#[tokio::test]
async fn the_overdue_count_ignores_exceptions_short_of_their_minimum() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let today = crate::common::today();
    let received_on = (today - chrono::Duration::weeks(10)).to_string();
    let away_from = (today - chrono::Duration::weeks(9)).to_string();
    let open = "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }";
    let mut ids = Vec::new();
    for name in ["No Exception", "Away Four Weeks", "Away Twenty Days"] {
        let child = app.create_child(&fx, name, "2016-03-01").await;
        let a = app
            .ok(&fx.caseworker, open, json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": received_on}}))
            .await["requestAssessment"]
            .clone();
        ids.push(a);
    }
    let ends = (today - chrono::Duration::weeks(9) + chrono::Duration::days(27)).to_string();
    app.ok(
        &fx.caseworker,
        "mutation($input: RecordExceptionInput!) { recordException(input: $input) { id } }",
        json!({"input": {"assessmentId": ids[1]["id"], "version": ids[1]["version"], "reasonCode": "ABSENT_FROM_AREA", "startsOn": away_from, "endsOn": ends}}),
    )
    .await;
    // Twenty days away, as an older release let a caseworker record it.
    let short_ends = (today - chrono::Duration::weeks(9) + chrono::Duration::days(19)).to_string();
    let assessment_id = crate::common::row_id(&ids[2]["id"]);
    exec(
        &app,
        &format!(
            "INSERT INTO assessment_exception (assessment_id, reason_code, starts_on, ends_on, created_at) \
             VALUES ({assessment_id}, 'ABSENT_FROM_AREA', '{away_from}', '{short_ends}', '2026-01-01 00:00:00+00:00')"
        ),
    )
    .await;
    let counts = ehcp::store::overdue::overdue_counts(&app.db, today)
        .await
        .expect("counts");
    let decision: i64 = counts
        .iter()
        .filter(|c| c.deadline.as_str() == "DECISION_TO_ASSESS")
        .map(|c| c.count)
        .sum();
    assert_eq!(decision, 2, "the short absence lifts nothing: {counts:?}");
}
