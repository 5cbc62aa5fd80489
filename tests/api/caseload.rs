//! Caseloads (next deadline first) and assigning cases within a team or across the LA.
use chrono::Duration;
use ehcp::domain::access::Role;
use serde_json::{Value, json};

use crate::common::{Fixture, TestApp};

fn days_ago(n: i64) -> String {
    (crate::common::today() - Duration::days(n)).to_string()
}

async fn staff(app: &TestApp, fx: &Fixture, subject: &str, team: Option<&str>) -> String {
    app.ok(
        &fx.manager,
        "mutation($input: CreateStaffInput!) { createStaff(input: $input) { id } }",
        json!({"input": {"subject": subject, "name": format!("{subject} name"), "role": "CASEWORKER", "teamId": team}}),
    )
    .await["createStaff"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn case(
    app: &TestApp,
    fx: &Fixture,
    name: &str,
    received: i64,
    caseworker: Option<&str>,
) -> Value {
    let child = app.create_child(fx, name, "2016-01-01").await;
    app.ok(
        &fx.manager,
        "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }",
        json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": days_ago(received), "caseworkerId": caseworker}}),
    )
    .await["requestAssessment"]
        .clone()
}

const CASELOAD: &str = "query($cw: ID, $unassigned: Boolean! = false, $overdue: Boolean! = false) {
  caseload(caseworkerId: $cw, unassigned: $unassigned, overdueOnly: $overdue) {
    caseworker { name } openCases overdue dueSoon
    items { assessment { id child { displayName } } nextDeadline { kind dueOn status regulation } } } }";

fn names(load: &Value) -> Vec<String> {
    load["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            i["assessment"]["child"]["displayName"]
                .as_str()
                .expect("name")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_caseworker_sees_their_cases_next_deadline_first_and_managers_assign_across_teams() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let other_team = app
        .ok(
            &fx.manager,
            "mutation { createTeam(name: \"West SEN team\") { id } }",
            json!({}),
        )
        .await["createTeam"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // The fixture's caseworker (`cw-909`, in `fx.team`) is the one signed in.
    let me = fx.caseworker_id.clone();
    let colleague = staff(&app, &fx, "cw-colleague", Some(&fx.team)).await;
    let elsewhere = staff(&app, &fx, "cw-west", Some(&other_team)).await;
    let late = case(&app, &fx, "Late Decision", 50, Some(&me)).await;
    let fresh = case(&app, &fx, "Fresh Request", 10, Some(&me)).await;
    let unassigned = case(&app, &fx, "Nobody Yet", 20, None).await;

    let load = app.ok(&fx.caseworker, CASELOAD, json!({})).await["caseload"].clone();
    assert_eq!(load["caseworker"]["name"], "cw-909 name");
    assert_eq!(
        (
            load["openCases"].clone(),
            load["overdue"].clone(),
            load["dueSoon"].clone()
        ),
        (json!(2), json!(1), json!(0))
    );
    assert_eq!(names(&load), ["Late Decision", "Fresh Request"]);
    assert_eq!(
        load["items"][0]["nextDeadline"],
        json!({"kind": "DECISION_TO_ASSESS", "dueOn": (crate::common::today() - Duration::days(8)).to_string(), "status": "OVERDUE", "regulation": "SEND Regs 2014 reg 5(1)"})
    );
    let overdue = app
        .ok(&fx.caseworker, CASELOAD, json!({"overdue": true}))
        .await["caseload"]
        .clone();
    assert_eq!(names(&overdue), ["Late Decision"]);

    // A colleague's caseload in the same team: yes; another team's or the unassigned: no.
    let theirs = app
        .ok(&fx.caseworker, CASELOAD, json!({"cw": colleague}))
        .await["caseload"]
        .clone();
    assert_eq!(theirs["openCases"], 0);
    assert_eq!(
        app.error_code(Some(&fx.caseworker), CASELOAD, json!({"cw": elsewhere}))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code(Some(&fx.caseworker), CASELOAD, json!({"unassigned": true}))
            .await,
        "FORBIDDEN"
    );
    let pool = app
        .ok(&fx.manager, CASELOAD, json!({"unassigned": true}))
        .await["caseload"]
        .clone();
    assert_eq!(names(&pool), ["Nobody Yet"]);

    let assign = "mutation($input: AssignCaseworkerInput!) { assignCaseworker(input: $input) { version caseworker { name } } }";
    // Managers assign anywhere in the LA.
    let done = app
        .ok(&fx.manager, assign, json!({"input": {"assessmentId": unassigned["id"], "version": unassigned["version"], "caseworkerId": elsewhere}}))
        .await;
    assert_eq!(
        done["assignCaseworker"]["caseworker"]["name"],
        "cw-west name"
    );
    // Caseworkers hand over within their team only, over the version they saw.
    let (_, body) = app
        .gql(Some(&fx.caseworker), assign, json!({"input": {"assessmentId": fresh["id"], "version": fresh["version"], "caseworkerId": elsewhere}}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let done = app
        .ok(&fx.caseworker, assign, json!({"input": {"assessmentId": fresh["id"], "version": fresh["version"], "caseworkerId": colleague}}))
        .await;
    assert_eq!(
        done["assignCaseworker"]["caseworker"]["name"],
        "cw-colleague name"
    );
    let (_, body) = app
        .gql(Some(&fx.caseworker), assign, json!({"input": {"assessmentId": late["id"], "version": 99, "caseworkerId": colleague}}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
    let load = app.ok(&fx.caseworker, CASELOAD, json!({})).await["caseload"].clone();
    assert_eq!(names(&load), ["Late Decision"]);

    // The hand-over is in the audit trail.
    let audit = app
        .ok(
            &fx.manager,
            "{ auditEvents(first: 1) { edges { node { action summary } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        audit["auditEvents"]["edges"][0]["node"]["action"],
        "ASSIGN_CASEWORKER"
    );

    // Parents and professionals have no caseload; another LA's staff cannot see this one.
    let parent = app.token(Role::Parent, "someone", None);
    assert_eq!(
        app.error_code(Some(&parent), CASELOAD, json!({})).await,
        "FORBIDDEN"
    );
    let admin = &fx.admin;
    app.ok(
        admin,
        "mutation { createLocalAuthority(code: \"908\", name: \"Cornwall\") { id } }",
        json!({}),
    )
    .await;
    let foreign = app.provision(Role::Manager, "mgr-908", "908").await;
    assert_eq!(
        app.error_code(Some(&foreign), CASELOAD, json!({"cw": me}))
            .await,
        "NOT_FOUND"
    );
}
