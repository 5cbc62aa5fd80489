//! Reasons for delays on late steps (issue 14, item 9): recorded on a late step only, never
//! lifting its limit, replaced when given again, audited, shown on the record (the note to
//! staff only) and in the drill-down, and counted by the backlog and timeliness by reason.
use chrono::Duration;
use ehcp::domain::access::Role;
use serde_json::{Value, json};

use crate::common::{Fixture, TestApp, today};

fn days_ago(n: i64) -> String {
    (today() - Duration::days(n)).to_string()
}

async fn request(app: &TestApp, fx: &Fixture, name: &str, received: &str) -> (String, String) {
    let child = app.create_child(fx, name, "2015-01-01").await;
    let a = app
        .ok(
            &fx.caseworker,
            "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }",
            json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": received}}),
        )
        .await["requestAssessment"]
        .clone();
    (a["id"].as_str().unwrap().to_owned(), child)
}

const RECORD: &str = "mutation($input: AssessmentDelayInput!) { recordAssessmentDelay(input: $input) { stage adviceRequestId reason { code label noteRequired } note recordedOn } }";

async fn refused(app: &TestApp, token: &str, input: Value) -> (String, String, String) {
    let (_, body) = app.gql(Some(token), RECORD, json!({"input": input})).await;
    let e = &body["errors"][0];
    (
        e["extensions"]["code"]
            .as_str()
            .unwrap_or("none")
            .to_owned(),
        e["extensions"]["field"]
            .as_str()
            .unwrap_or("none")
            .to_owned(),
        e["message"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn overdue_decisions(app: &TestApp, fx: &Fixture) -> i64 {
    let b = app
        .ok(
            &fx.manager,
            "query { backlog(filter: {stage: DECISION_TO_ASSESS}) { totals { overdue } } }",
            json!({}),
        )
        .await;
    b["backlog"]["totals"]["overdue"].as_i64().unwrap()
}

#[tokio::test]
async fn a_late_step_gets_a_reason_that_managers_count_and_that_lifts_nothing() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    // The decision whether to assess is due 6 weeks after the request.
    let (late, late_child) = request(&app, &fx, "Late Decision", &days_ago(60)).await;
    let (done_late, _) = request(&app, &fx, "Decided Late", &days_ago(70)).await;
    let (on_time, _) = request(&app, &fx, "On Time", &days_ago(10)).await;
    let v = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { assessment(id: $id) { version } }",
            json!({"id": done_late}),
        )
        .await["assessment"]["version"]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($input: DecisionInput!) { decideToAssess(input: $input) { id } }",
        json!({"input": {"assessmentId": done_late, "version": v, "on": days_ago(20)}}),
    )
    .await;
    let overdue_before = overdue_decisions(&app, &fx).await;
    assert_eq!(overdue_before, 1);

    // The reference list: the standard reasons, "Other" needs a note.
    let reasons = app
        .ok(
            &fx.caseworker,
            "query { delayReasons { code label noteRequired active } }",
            json!({}),
        )
        .await;
    let reasons = reasons["delayReasons"].as_array().unwrap().clone();
    assert!(
        reasons
            .iter()
            .any(|r| r["code"] == "NO_EDUCATIONAL_PSYCHOLOGIST")
    );
    assert!(
        reasons
            .iter()
            .any(|r| r["code"] == "OTHER" && r["noteRequired"] == true)
    );

    // Refusals: a step that is not late, one the record does not have, an unknown reason,
    // "Other" without a note. Each names its field and changes nothing.
    let base = |id: &str, stage: &str, code: &str| json!({"assessmentId": id, "stage": stage, "reasonCode": code});
    let (code, field, message) = refused(
        &app,
        &fx.caseworker,
        base(&on_time, "DECISION_TO_ASSESS", "PANEL_DATE"),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "stage"));
    assert!(message.contains("not late"), "{message}");
    let (code, field, _) = refused(
        &app,
        &fx.caseworker,
        base(&late, "ANNUAL_REVIEW", "PANEL_DATE"),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "stage"));
    let (code, field, _) = refused(
        &app,
        &fx.caseworker,
        base(&late, "FINAL_PLAN", "PANEL_DATE"),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "stage"));
    let (code, field, _) = refused(
        &app,
        &fx.caseworker,
        base(&late, "DECISION_TO_ASSESS", "NO_SUCH_REASON"),
    )
    .await;
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("VALIDATION", "reasonCode")
    );
    let (code, field, _) = refused(
        &app,
        &fx.caseworker,
        base(&late, "DECISION_TO_ASSESS", "OTHER"),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "note"));
    let parent = app.token(Role::Parent, "parent-late", None);
    let (code, _, _) = refused(
        &app,
        &parent,
        base(&late, "DECISION_TO_ASSESS", "PANEL_DATE"),
    )
    .await;
    assert_eq!(code, "FORBIDDEN");

    // Recorded on the open, overdue step and on the step done late.
    let mut input = base(&late, "DECISION_TO_ASSESS", "OTHER");
    input["note"] = json!("Panel cancelled twice");
    app.ok(&fx.caseworker, RECORD, json!({"input": input}))
        .await;
    // Given again, the reason is replaced, not added.
    let mut input = base(&late, "DECISION_TO_ASSESS", "PANEL_DATE");
    input["note"] = json!("Next panel on the 14th");
    let recorded = app
        .ok(&fx.caseworker, RECORD, json!({"input": input}))
        .await;
    assert_eq!(
        recorded["recordAssessmentDelay"],
        json!({"stage": "DECISION_TO_ASSESS", "adviceRequestId": null,
               "reason": {"code": "PANEL_DATE", "label": "Waiting for a decision-making panel's date", "noteRequired": false},
               "note": "Next panel on the 14th", "recordedOn": today().to_string()})
    );
    app.ok(
        &fx.caseworker,
        RECORD,
        json!({"input": base(&done_late, "DECISION_TO_ASSESS", "NO_EDUCATIONAL_PSYCHOLOGIST")}),
    )
    .await;

    // It lifts nothing: the step is still overdue, in the counts and on the record.
    assert_eq!(overdue_decisions(&app, &fx).await, overdue_before);
    let case = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { assessment(id: $id) { deadlines { kind status } delays { stage reason { code } note } } }",
            json!({"id": late}),
        )
        .await;
    let deadlines = case["assessment"]["deadlines"].as_array().unwrap();
    assert!(
        deadlines
            .iter()
            .any(|d| d["kind"] == "DECISION_TO_ASSESS" && d["status"] == "OVERDUE"),
        "{deadlines:?}"
    );
    assert_eq!(
        case["assessment"]["delays"],
        json!([{"stage": "DECISION_TO_ASSESS", "reason": {"code": "PANEL_DATE"}, "note": "Next panel on the 14th"}])
    );

    // The family sees why, not the caseworker's note.
    let parent_id = app
        .ok(
            &fx.caseworker,
            "mutation($input: CreateParentInput!) { createParent(input: $input) { id } }",
            json!({"input": {"subject": "parent-late", "name": "A Parent"}}),
        )
        .await["createParent"]["id"]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p) { id } }",
        json!({"c": late_child, "p": parent_id}),
    )
    .await;
    let seen = app
        .ok(
            &parent,
            "query($id: ID!) { assessment(id: $id) { delays { stage reason { code label } note } } }",
            json!({"id": late}),
        )
        .await;
    assert_eq!(
        seen["assessment"]["delays"],
        json!([{"stage": "DECISION_TO_ASSESS", "reason": {"code": "PANEL_DATE", "label": "Waiting for a decision-making panel's date"}, "note": null}])
    );

    // Managers count late steps by reason: the backlog's overdue ones, timeliness's done late.
    let b = app
        .ok(
            &fx.manager,
            "query { backlog { overdueByReason { process stage reason { code } count } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        b["backlog"]["overdueByReason"],
        json!([{"process": "NEEDS_ASSESSMENT", "stage": "DECISION_TO_ASSESS", "reason": {"code": "PANEL_DATE"}, "count": 1}])
    );
    let t = app
        .ok(
            &fx.manager,
            "query($from: Date!, $to: Date!) { timeliness(from: $from, to: $to) { lateByReason { stage reason { code } count } } }",
            json!({"from": days_ago(30), "to": today().to_string()}),
        )
        .await;
    assert_eq!(
        t["timeliness"]["lateByReason"],
        json!([{"stage": "DECISION_TO_ASSESS", "reason": {"code": "NO_EDUCATIONAL_PSYCHOLOGIST"}, "count": 1}])
    );
    let items = app
        .ok(
            &fx.manager,
            "query { backlogItems(standing: OVERDUE) { nodes { assessmentId delayReasonCode } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        items["backlogItems"]["nodes"],
        json!([{"assessmentId": late, "delayReasonCode": "PANEL_DATE"}])
    );

    // Each recording is audited on the assessment (without the note's words).
    let audit = app
        .ok(
            &fx.manager,
            "query { auditEvents(first: 50) { nodes { entity entityId action summary } } }",
            json!({}),
        )
        .await;
    let recorded: Vec<&Value> = audit["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "RECORD_DELAY_REASON")
        .collect();
    assert_eq!(recorded.len(), 3, "{recorded:?}");
    assert!(recorded.iter().all(|e| e["entity"] == "assessment"));
    assert!(
        recorded
            .iter()
            .all(|e| e["summary"].is_object() && !e["summary"].to_string().contains("panel"))
    );
}

#[tokio::test]
async fn a_plan_review_overdue_gets_a_reason_and_admins_add_reasons() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let code = app
        .ok(
            &fx.admin,
            "mutation { addDelayReason(input: {code: \"tribunal_bundle\", label: \"Preparing a Tribunal bundle\"}) { code label noteRequired active } }",
            json!({}),
        )
        .await;
    assert_eq!(
        code["addDelayReason"],
        json!({"code": "TRIBUNAL_BUNDLE", "label": "Preparing a Tribunal bundle", "noteRequired": false, "active": true})
    );
    let again = app
        .error_code(
            Some(&fx.admin),
            "mutation { addDelayReason(input: {code: \"TRIBUNAL_BUNDLE\", label: \"Again\"}) { code } }",
            json!({}),
        )
        .await;
    assert_eq!(again, "CONFLICT");
    assert_eq!(
        app.error_code(
            Some(&fx.manager),
            "mutation { addDelayReason(input: {code: \"MINE\", label: \"Mine\"}) { code } }",
            json!({}),
        )
        .await,
        "FORBIDDEN"
    );

    // A plan made two years ago with no review since: its annual review is overdue.
    let child = app.create_child(&fx, "Overdue Review", "2014-05-01").await;
    let issued = (today() - Duration::days(730)).to_string();
    let plan = app
        .ok(
            &fx.caseworker,
            "mutation($input: EnterPlanInput!) { enterPlan(input: $input) { id } }",
            json!({"input": {"childId": child, "issuedOn": issued, "namedSetting": "Stanwix", "primaryNeed": "ASD"}}),
        )
        .await["enterPlan"]["id"]
        .clone();
    let q = "mutation($input: PlanDelayInput!) { recordPlanDelay(input: $input) { stage reason { code } } }";
    let r = app
        .ok(
            &fx.caseworker,
            q,
            json!({"input": {"planId": plan, "stage": "ANNUAL_REVIEW", "reasonCode": "TRIBUNAL_BUNDLE"}}),
        )
        .await;
    assert_eq!(r["recordPlanDelay"]["reason"]["code"], "TRIBUNAL_BUNDLE");
    let p = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { plan(id: $id) { delays { stage reason { code } } } }",
            json!({"id": plan}),
        )
        .await;
    assert_eq!(
        p["plan"]["delays"],
        json!([{"stage": "ANNUAL_REVIEW", "reason": {"code": "TRIBUNAL_BUNDLE"}}])
    );
    let b = app
        .ok(
            &fx.manager,
            "query { backlog(filter: {process: ANNUAL_REVIEW}) { overdueByReason { stage reason { code } count } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        b["backlog"]["overdueByReason"],
        json!([{"stage": "ANNUAL_REVIEW", "reason": {"code": "TRIBUNAL_BUNDLE"}, "count": 1}])
    );
    // A review's steps are not the plan's.
    let (_, body) = app
        .gql(
            Some(&fx.caseworker),
            q,
            json!({"input": {"planId": plan, "stage": "REVIEW_DECISION", "reasonCode": "PANEL_DATE"}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "stage");
}
