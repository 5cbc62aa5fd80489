//! The 20-week needs-assessment process through the API: every transition and refusal.
use chrono::Duration;
use ehcp::domain::access::Role;
use serde_json::{Value, json};

use crate::common::{Fixture, TestApp};

const FIELDS: &str = "id state version allowedActions receivedOn withinTwentyWeeks exceptionApplies
    deadlines { kind dueOn metOn status regulation statutory targetOn targetNote exceptedBy adviceRequestId party }
    nextStep { action description party dueOn regulation }
    timeline { on text }
    adviceRequests { id service addressedTo requestedOn dueOn receivedOn late summary documentRef declinedOn }
    plan { status issuedOn namedSetting }";

struct Case<'a> {
    app: &'a TestApp,
    fx: &'a Fixture,
    id: String,
    version: i64,
    last: Value,
}

impl<'a> Case<'a> {
    async fn open(app: &'a TestApp, fx: &'a Fixture, received_on: &str) -> Case<'a> {
        let child = app.create_child(fx, "Ada Lovelace", "2016-03-01").await;
        let q = format!(
            "mutation($input: RequestAssessmentInput!) {{ requestAssessment(input: $input) {{ {FIELDS} }} }}"
        );
        let data = app
            .ok(&fx.caseworker, &q, json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": received_on}}))
            .await;
        let last = data["requestAssessment"].clone();
        Case {
            app,
            fx,
            id: last["id"].as_str().expect("id").to_owned(),
            version: last["version"].as_i64().expect("version"),
            last,
        }
    }

    /// Runs `mutation` (taking `$input`) with the assessment id and current version added.
    async fn act(&mut self, mutation: &str, mut input: Value) -> &Value {
        input["assessmentId"] = json!(self.id);
        input["version"] = json!(self.version);
        let (input_type, field) = signature(mutation);
        let q = format!(
            "mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {FIELDS} }} }}"
        );
        let data = self
            .app
            .ok(&self.fx.caseworker, &q, json!({"input": input}))
            .await;
        self.last = data[field].clone();
        self.version = self.last["version"].as_i64().expect("version");
        &self.last
    }

    /// Runs `mutation` and returns the first error (it must fail).
    async fn refuse(&self, token: &str, mutation: &str, mut input: Value) -> Value {
        if input.get("assessmentId").is_none() {
            input["assessmentId"] = json!(self.id);
        }
        if input.get("version").is_none() {
            input["version"] = json!(self.version);
        }
        let (input_type, _) = signature(mutation);
        let q = format!("mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ id }} }}");
        let (_, body) = self.app.gql(Some(token), &q, json!({"input": input})).await;
        assert!(body["errors"].is_array(), "expected a refusal, got {body}");
        body["errors"][0].clone()
    }

    fn deadline(&self, kind: &str) -> Value {
        self.last["deadlines"]
            .as_array()
            .expect("deadlines")
            .iter()
            .find(|d| d["kind"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} deadline in {:#}", self.last["deadlines"]))
    }
}

fn signature(mutation: &str) -> (&'static str, &str) {
    let input_type = match mutation {
        "decideToAssess" => "DecisionInput",
        "decideNotToAssess" | "decideNotToIssue" => "RefusalInput",
        "requestAdvice" => "RequestAdviceInput",
        "recordAdviceReceived" => "AdviceReceivedInput",
        "declineAdviceRequest" => "DeclineAdviceInput",
        "recordException" => "RecordExceptionInput",
        "sendDraftPlan" => "ActionInput",
        "recordParentResponse" => "ParentResponseInput",
        "consultSetting" => "ConsultSettingInput",
        "recordSettingResponse" => "SettingResponseInput",
        "issueFinalPlan" => "IssueFinalPlanInput",
        "withdrawAssessment" => "WithdrawInput",
        "transferAssessmentOut" => "TransferOutInput",
        other => panic!("unknown mutation {other}"),
    };
    (input_type, mutation)
}

fn days_ago(n: i64) -> String {
    (crate::common::today() - Duration::days(n)).to_string()
}

#[tokio::test]
async fn a_caseworker_takes_a_request_to_a_final_plan_with_every_deadline_right() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut case = Case::open(&app, &fx, "2026-01-06").await;
    assert_eq!(case.last["state"], "REQUESTED");
    assert_eq!(case.deadline("DECISION_TO_ASSESS")["dueOn"], "2026-02-17");
    assert_eq!(
        case.deadline("DECISION_TO_ASSESS")["regulation"],
        "SEND Regs 2014 reg 5(1)"
    );
    assert_eq!(
        case.deadline("DECISION_NOT_TO_ISSUE")["dueOn"],
        "2026-04-28"
    );
    assert_eq!(case.deadline("FINAL_PLAN")["dueOn"], "2026-05-26");
    assert_eq!(
        case.deadline("FINAL_PLAN")["regulation"],
        "SEND Regs 2014 reg 13(2)"
    );
    assert_eq!(case.last["nextStep"]["action"], "DECIDE_TO_ASSESS");
    assert_eq!(case.last["nextStep"]["dueOn"], "2026-02-17");

    case.act("decideToAssess", json!({"on": "2026-02-10"}))
        .await;
    assert_eq!(case.last["state"], "ASSESSING");
    assert_eq!(case.deadline("DECISION_TO_ASSESS")["status"], "MET");
    assert_eq!(case.deadline("DECISION_TO_ASSESS")["metOn"], "2026-02-10");

    case.act("requestAdvice", json!({"on": "2026-02-11", "service": "EDUCATIONAL_PSYCHOLOGY", "addressedTo": "North EP team"})).await;
    case.act(
        "requestAdvice",
        json!({"on": "2026-02-11", "service": "CAMHS"}),
    )
    .await;
    case.act(
        "requestAdvice",
        json!({"on": "2026-02-11", "service": "PARENT_VIEW"}),
    )
    .await;
    let advice = case.last["adviceRequests"]
        .as_array()
        .expect("advice")
        .clone();
    assert_eq!(advice.len(), 3);
    assert_eq!(advice[0]["dueOn"], "2026-03-25");
    assert_eq!(
        advice[2]["dueOn"],
        Value::Null,
        "the family's own views have no reg 8 deadline"
    );
    let advice_deadlines: Vec<_> = case.last["deadlines"]
        .as_array()
        .expect("d")
        .iter()
        .filter(|d| d["kind"] == "ADVICE_RESPONSE")
        .collect();
    assert_eq!(advice_deadlines.len(), 2);
    assert!(
        advice_deadlines
            .iter()
            .all(|d| d["regulation"] == "SEND Regs 2014 reg 8(1)")
    );

    let ep = advice[0]["id"].clone();
    let camhs = advice[1]["id"].clone();
    case.act("recordAdviceReceived", json!({"on": "2026-03-20", "adviceRequestId": ep, "summary": "Cognitive assessment", "documentRef": "EP-2026-113.pdf"})).await;
    case.act(
        "recordAdviceReceived",
        json!({"on": "2026-03-26", "adviceRequestId": camhs, "summary": "CAMHS letter"}),
    )
    .await;
    let ep_deadline = case.last["deadlines"]
        .as_array()
        .expect("d")
        .iter()
        .find(|d| d["adviceRequestId"] == ep)
        .cloned()
        .expect("ep");
    assert_eq!(ep_deadline["status"], "MET");
    let camhs_deadline = case.last["deadlines"]
        .as_array()
        .expect("d")
        .iter()
        .find(|d| d["adviceRequestId"] == camhs)
        .cloned()
        .expect("camhs");
    assert_eq!(
        camhs_deadline["status"], "MISSED",
        "received a day after 25 March"
    );
    assert_eq!(case.last["adviceRequests"][1]["late"], true);

    case.act("sendDraftPlan", json!({"on": "2026-03-30"})).await;
    assert_eq!(case.last["state"], "DRAFT_ISSUED");
    // "At least 15 days beginning with the day" it was served: 30 March to 13 April.
    assert_eq!(case.deadline("DRAFT_COMMENTS")["dueOn"], "2026-04-13");
    assert_eq!(case.deadline("DRAFT_COMMENTS")["party"], "PARENT");
    assert_eq!(
        case.deadline("DECISION_NOT_TO_ISSUE")["status"],
        "NOT_APPLICABLE"
    );

    case.act("recordParentResponse", json!({"on": "2026-04-08", "comments": "Please name Stanwix School", "requestedSetting": "Stanwix School"})).await;
    assert_eq!(case.deadline("DRAFT_COMMENTS")["status"], "MET");
    case.act(
        "consultSetting",
        json!({"on": "2026-04-09", "settingName": "Stanwix School"}),
    )
    .await;
    let q =
        "query($id: ID!) { assessment(id: $id) { settingConsultations { id replyExpectedBy } } }";
    let data = app.ok(&fx.caseworker, q, json!({"id": case.id})).await;
    let consultation = data["assessment"]["settingConsultations"][0]["id"].clone();
    assert_eq!(
        data["assessment"]["settingConsultations"][0]["replyExpectedBy"],
        "2026-04-24"
    );
    case.act(
        "recordSettingResponse",
        json!({"on": "2026-04-15", "consultationId": consultation, "response": "AGREED"}),
    )
    .await;

    case.act(
        "issueFinalPlan",
        json!({"on": "2026-04-20", "namedSetting": "Stanwix School"}),
    )
    .await;
    assert_eq!(case.last["state"], "FINAL_ISSUED");
    assert_eq!(case.deadline("FINAL_PLAN")["status"], "MET");
    assert_eq!(case.deadline("FINAL_PLAN")["metOn"], "2026-04-20");
    assert_eq!(case.last["withinTwentyWeeks"], true);
    assert_eq!(case.last["exceptionApplies"], false);
    assert_eq!(
        case.last["plan"],
        json!({"status": "ACTIVE", "issuedOn": "2026-04-20", "namedSetting": "Stanwix School"})
    );
    assert_eq!(case.last["allowedActions"], json!([]));
    assert_eq!(case.last["nextStep"], Value::Null);
    let texts: Vec<&str> = case.last["timeline"]
        .as_array()
        .expect("t")
        .iter()
        .map(|m| m["text"].as_str().expect("text"))
        .collect();
    assert_eq!(
        texts.first(),
        Some(&"Request for an EHC needs assessment received")
    );
    assert!(
        texts.contains(&"Advice requested from Educational psychology (North EP team)"),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"Draft plan sent to you — you have until 13 April 2026 to comment"),
        "{texts:?}"
    );
    assert_eq!(
        texts.last(),
        Some(&"Final EHC plan issued — you can appeal what it says")
    );

    // Every action is in the audit trail, in the same order.
    let q = "query($child: ID) { auditEvents(childId: $child, first: 100) { edges { node { entity action } } } }";
    let child = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { assessment(id: $id) { child { id } } }",
            json!({"id": case.id}),
        )
        .await["assessment"]["child"]["id"]
        .clone();
    let data = app.ok(&fx.manager, q, json!({"child": child})).await;
    let actions: Vec<_> = data["auditEvents"]["edges"]
        .as_array()
        .expect("e")
        .iter()
        .rev()
        .map(|e| e["node"]["action"].as_str().expect("a").to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "CREATE",
            "REQUEST",
            "DECIDE_TO_ASSESS",
            "REQUEST_ADVICE",
            "REQUEST_ADVICE",
            "REQUEST_ADVICE",
            "RECORD_ADVICE",
            "RECORD_ADVICE",
            "SEND_DRAFT",
            "RECORD_PARENT_RESPONSE",
            "CONSULT_SETTING",
            "RECORD_SETTING_RESPONSE",
            "ISSUE_FINAL_PLAN"
        ]
    );
}

#[tokio::test]
async fn an_action_the_state_does_not_allow_is_a_conflict_listing_the_allowed_actions() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let case = Case::open(&app, &fx, &days_ago(10)).await;
    let error = case
        .refuse(&fx.caseworker, "sendDraftPlan", json!({}))
        .await;
    assert_eq!(error["extensions"]["code"], "CONFLICT");
    assert_eq!(
        error["extensions"]["allowedActions"],
        json!([
            "DECIDE_TO_ASSESS",
            "DECIDE_NOT_TO_ASSESS",
            "RECORD_EXCEPTION",
            "WITHDRAW",
            "TRANSFER_OUT"
        ])
    );
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_of_two_concurrent_actions_one_wins() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let case = Case::open(&app, &fx, &days_ago(10)).await;
    let q = "mutation($input: DecisionInput!) { decideToAssess(input: $input) { version } }";
    let input = json!({"input": {"assessmentId": case.id, "version": 1}});
    let (a, b) = tokio::join!(
        app.gql(Some(&fx.caseworker), q, input.clone()),
        app.gql(Some(&fx.manager), q, input.clone())
    );
    let wins = [&a.1, &b.1]
        .iter()
        .filter(|r| r.get("errors").is_none())
        .count();
    assert_eq!(wins, 1, "{a:?} {b:?}");
    let again = case
        .refuse(
            &fx.caseworker,
            "requestAdvice",
            json!({"version": 1, "service": "CAMHS"}),
        )
        .await;
    assert_eq!(again["extensions"]["code"], "CONFLICT");
    // Nothing half-written: one decision event, and no advice request.
    let data = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { assessment(id: $id) { version adviceRequests { id } } }",
            json!({"id": case.id}),
        )
        .await;
    assert_eq!(
        data["assessment"],
        json!({"version": 2, "adviceRequests": []})
    );
}

#[tokio::test]
async fn a_date_written_any_way_but_iso_8601_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let case = Case::open(&app, &fx, &days_ago(10)).await;
    let q = "mutation($input: DecisionInput!) { decideToAssess(input: $input) { version } }";
    let yesterday = days_ago(1);
    let (y, m, d) = (&yesterday[0..4], &yesterday[5..7], &yesterday[8..10]);
    for loose in [
        format!("{d}/{m}/{y}"),
        format!("{y}{m}{d}"),
        format!("{yesterday}T00:00:00Z"),
    ] {
        let input = json!({"input": {"assessmentId": case.id, "version": 1, "on": loose}});
        let (_, body) = app.gql(Some(&fx.caseworker), q, input).await;
        let error = &body["errors"][0];
        assert_eq!(
            error["extensions"]["code"], "BAD_REQUEST",
            "{loose}: {body}"
        );
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains("YYYY-MM-DD"), "{loose}: {message}");
    }
    let data = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { assessment(id: $id) { version state } }",
            json!({"id": case.id}),
        )
        .await;
    assert_eq!(
        data["assessment"],
        json!({"version": 1, "state": "REQUESTED"})
    );
}

#[tokio::test]
async fn dates_in_the_future_or_before_the_request_are_refused() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let case = Case::open(&app, &fx, &days_ago(10)).await;
    for on in [days_ago(-1), days_ago(11)] {
        let error = case
            .refuse(&fx.caseworker, "decideToAssess", json!({"on": on}))
            .await;
        assert_eq!(error["extensions"]["code"], "VALIDATION", "{on}");
        assert_eq!(error["extensions"]["field"], "on");
    }
    let q = "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id } }";
    let child = app.create_child(&fx, "Bob", "2015-01-01").await;
    let (_, body) = app.gql(Some(&fx.caseworker), q, json!({"input": {"childId": child, "requestedBy": "SCHOOL_OR_SETTING", "receivedOn": days_ago(-3)}})).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "receivedOn");
}

#[tokio::test]
async fn other_las_parents_and_professionals_cannot_act() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let case = Case::open(&app, &fx, &days_ago(10)).await;
    app.ok(&fx.admin, "mutation { createLocalAuthority(code: \"940\", name: \"Westmorland and Furness\") { id } }", json!({})).await;
    let other = app.provision(Role::Caseworker, "cw-940", "940").await;
    assert_eq!(
        case.refuse(&other, "decideToAssess", json!({})).await["extensions"]["code"],
        "NOT_FOUND"
    );
    let q = "query($id: ID!) { assessment(id: $id) { id } }";
    assert_eq!(
        app.error_code(Some(&other), q, json!({"id": case.id}))
            .await,
        "NOT_FOUND"
    );
    let parent = app.token(Role::Parent, "parent-x", None);
    assert_eq!(
        case.refuse(&parent, "decideToAssess", json!({})).await["extensions"]["code"],
        "FORBIDDEN"
    );
    let professional = app.provision(Role::Professional, "ep-x", "909").await;
    assert_eq!(
        case.refuse(&professional, "decideToAssess", json!({}))
            .await["extensions"]["code"],
        "FORBIDDEN"
    );
    // Unlinked parents and professionals cannot read it either.
    assert_eq!(
        app.error_code(Some(&parent), q, json!({"id": case.id}))
            .await,
        "NOT_FOUND"
    );
    assert_eq!(
        app.error_code(Some(&professional), q, json!({"id": case.id}))
            .await,
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn a_refusal_must_give_appeal_rights_and_closes_the_case() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut case = Case::open(&app, &fx, "2026-01-06").await;
    let error = case
        .refuse(
            &fx.caseworker,
            "decideNotToAssess",
            json!({"reasons": "Needs met at SEN support", "appealRightsGiven": false}),
        )
        .await;
    assert_eq!(error["extensions"]["field"], "appealRightsGiven");
    let error = case
        .refuse(
            &fx.caseworker,
            "decideNotToAssess",
            json!({"reasons": " ", "appealRightsGiven": true}),
        )
        .await;
    assert_eq!(error["extensions"]["field"], "reasons");
    case.act("decideNotToAssess", json!({"on": "2026-02-20", "reasons": "Needs met at SEN support", "appealRightsGiven": true})).await;
    assert_eq!(case.last["state"], "DECIDED_NOT_TO_ASSESS");
    let decision = case.deadline("DECISION_TO_ASSESS");
    assert_eq!(
        (decision["status"].as_str(), decision["metOn"].as_str()),
        (Some("MISSED"), Some("2026-02-20"))
    );
    assert_eq!(case.deadline("FINAL_PLAN")["status"], "NOT_APPLICABLE");
    assert_eq!(case.last["allowedActions"], json!([]));
    // A closed case frees the child for a new request.
    let q =
        "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { state } }";
    let child = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { assessment(id: $id) { child { id } } }",
            json!({"id": case.id}),
        )
        .await["assessment"]["child"]["id"]
        .clone();
    let data = app
        .ok(
            &fx.caseworker,
            q,
            json!({"input": {"childId": child, "requestedBy": "PARENT"}}),
        )
        .await;
    assert_eq!(data["requestAssessment"]["state"], "REQUESTED");
    assert_eq!(
        app.error_code(
            Some(&fx.caseworker),
            q,
            json!({"input": {"childId": child, "requestedBy": "PARENT"}})
        )
        .await,
        "CONFLICT"
    );
}

#[tokio::test]
async fn open_deadlines_show_overdue_and_due_soon_as_of_today() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let overdue = Case::open(&app, &fx, &days_ago(43)).await;
    let d = overdue.deadline("DECISION_TO_ASSESS");
    assert_eq!(
        (d["status"].as_str(), d["dueOn"].as_str()),
        (Some("OVERDUE"), Some(days_ago(1).as_str()))
    );
    let fx2 = &fx;
    let child = app.create_child(fx2, "Cara", "2015-01-01").await;
    let q = "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { deadlines { kind status } } }";
    let data = app.ok(&fx.caseworker, q, json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": days_ago(42)}})).await;
    assert_eq!(
        data["requestAssessment"]["deadlines"][0],
        json!({"kind": "DECISION_TO_ASSESS", "status": "DUE_SOON"})
    );
}

#[tokio::test]
async fn an_exception_lifts_the_statutory_limits_and_shows_a_labelled_target() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut case = Case::open(&app, &fx, "2026-01-06").await;
    case.act("decideToAssess", json!({"on": "2026-02-10"}))
        .await;
    case.act("recordException", json!({"reasonCode": "ABSENT_FROM_AREA", "startsOn": "2026-03-01", "endsOn": "2026-04-11", "note": "Family abroad"})).await;
    let final_plan = case.deadline("FINAL_PLAN");
    assert_eq!(final_plan["status"], "EXCEPTED");
    assert_eq!(final_plan["dueOn"], "2026-05-26");
    assert_eq!(final_plan["targetOn"], "2026-07-07", "42 days of exception");
    assert!(
        final_plan["targetNote"]
            .as_str()
            .expect("note")
            .contains("not a statutory deadline")
    );
    assert_eq!(final_plan["exceptedBy"], json!(["ABSENT_FROM_AREA"]));
    assert_eq!(
        case.deadline("DECISION_TO_ASSESS")["status"],
        "MET",
        "met before the exception began"
    );
    case.act("sendDraftPlan", json!({"on": "2026-06-01"})).await;
    case.act("issueFinalPlan", json!({"on": "2026-06-17"}))
        .await;
    assert_eq!(case.last["withinTwentyWeeks"], false);
    assert_eq!(case.last["exceptionApplies"], true);

    let error = case.refuse(&fx.caseworker, "recordException", json!({"reasonCode": "NO_SUCH_REASON", "startsOn": "2026-03-01", "endsOn": "2026-03-02"})).await;
    assert_eq!(
        error["extensions"]["code"], "CONFLICT",
        "closed: no more exceptions"
    );
}

#[tokio::test]
async fn exception_input_is_validated() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let case = Case::open(&app, &fx, &days_ago(20)).await;
    let cases = [
        (
            json!({"reasonCode": "NO_SUCH_REASON", "startsOn": days_ago(5), "endsOn": days_ago(1)}),
            "reasonCode",
        ),
        (
            json!({"reasonCode": "SCHOOL_CLOSED", "startsOn": days_ago(1), "endsOn": days_ago(5)}),
            "endsOn",
        ),
        (
            json!({"reasonCode": "MISSED_APPOINTMENT", "startsOn": days_ago(5), "endsOn": days_ago(5)}),
            "adviceRequestId",
        ),
    ];
    for (input, field) in cases {
        let error = case.refuse(&fx.caseworker, "recordException", input).await;
        assert_eq!(error["extensions"]["code"], "VALIDATION");
        assert_eq!(error["extensions"]["field"], field);
    }
    let data = app
        .ok(
            &fx.caseworker,
            "{ exceptionReasons { code liftsDecision liftsAdvice liftsPlan } }",
            json!({}),
        )
        .await;
    let codes: Vec<_> = data["exceptionReasons"]
        .as_array()
        .expect("r")
        .iter()
        .map(|r| r["code"].as_str().expect("c").to_owned())
        .collect();
    assert_eq!(
        codes,
        [
            "ABSENT_FROM_AREA",
            "EARLY_YEARS_SETTING_CLOSED",
            "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES",
            "MISSED_APPOINTMENT",
            "SCHOOL_CLOSED"
        ]
    );
}

#[tokio::test]
async fn admins_add_exception_reasons_as_data() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let q =
        "mutation($input: ExceptionReasonInput!) { addExceptionReason(input: $input) { code } }";
    let input = json!({"input": {"code": "COVID_19", "label": "A reason relating to the incidence or transmission of coronavirus", "regulation": "SEND (Coronavirus) (Amendment) Regs 2020 reg 5", "liftsDecision": true, "liftsAdvice": true, "liftsPlan": true}});
    assert_eq!(
        app.error_code(Some(&fx.manager), q, input.clone()).await,
        "FORBIDDEN"
    );
    app.ok(&fx.admin, q, input.clone()).await;
    assert_eq!(app.error_code(Some(&fx.admin), q, input).await, "CONFLICT");
    let case = Case::open(&app, &fx, &days_ago(20)).await;
    let q = "mutation($input: RecordExceptionInput!) { recordException(input: $input) { deadlines { kind status exceptedBy } } }";
    let data = app
        .ok(&fx.caseworker, q, json!({"input": {"assessmentId": case.id, "version": 1, "reasonCode": "COVID_19", "startsOn": days_ago(10), "endsOn": days_ago(2)}}))
        .await;
    assert_eq!(
        data["recordException"]["deadlines"][0],
        json!({"kind": "DECISION_TO_ASSESS", "status": "EXCEPTED", "exceptedBy": ["COVID_19"]})
    );
}

#[tokio::test]
async fn the_final_plan_waits_for_the_parents_fifteen_days() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut case = Case::open(&app, &fx, "2026-01-06").await;
    case.act("decideToAssess", json!({"on": "2026-02-10"}))
        .await;
    case.act("sendDraftPlan", json!({"on": "2026-03-30"})).await;
    let error = case
        .refuse(
            &fx.caseworker,
            "issueFinalPlan",
            // The 15th day beginning with 30 March: still the family's.
            json!({"on": "2026-04-13"}),
        )
        .await;
    assert_eq!(error["extensions"]["code"], "VALIDATION");
    assert_eq!(error["extensions"]["field"], "on");
    case.act("issueFinalPlan", json!({"on": "2026-04-14"}))
        .await;
    assert_eq!(case.last["state"], "FINAL_ISSUED");
    assert_eq!(case.deadline("DRAFT_COMMENTS")["status"], "NOT_APPLICABLE");
}

#[tokio::test]
async fn withdrawal_and_transfer_close_the_case() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut case = Case::open(&app, &fx, &days_ago(30)).await;
    case.act(
        "withdrawAssessment",
        json!({"reason": "Parent withdrew the request"}),
    )
    .await;
    assert_eq!(case.last["state"], "WITHDRAWN");
    assert!(
        case.last["deadlines"]
            .as_array()
            .expect("d")
            .iter()
            .all(|d| d["status"] == "NOT_APPLICABLE")
    );
    let mut other = Case::open(&app, &fx, &days_ago(30)).await;
    other.act("decideToAssess", json!({})).await;
    other
        .act(
            "transferAssessmentOut",
            json!({"toLocalAuthority": "Westmorland and Furness (940)"}),
        )
        .await;
    assert_eq!(other.last["state"], "TRANSFERRED_OUT");
}

#[tokio::test]
async fn a_reassessment_needs_an_active_plan_and_runs_fourteen_weeks() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut case = Case::open(&app, &fx, "2026-01-06").await;
    let child = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { assessment(id: $id) { child { id } } }",
            json!({"id": case.id}),
        )
        .await["assessment"]["child"]["id"]
        .clone();
    let q = "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { state deadlines { kind dueOn regulation } } }";
    let input = json!({"input": {"childId": child, "kind": "REASSESSMENT", "requestedBy": "PARENT", "receivedOn": "2026-06-01"}});
    let (_, body) = app.gql(Some(&fx.caseworker), q, input.clone()).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "kind");
    case.act("decideToAssess", json!({"on": "2026-02-10"}))
        .await;
    case.act("sendDraftPlan", json!({"on": "2026-03-30"})).await;
    case.act("issueFinalPlan", json!({"on": "2026-04-20"}))
        .await;
    // With a plan in place, a new request is a re-assessment, never a second initial one.
    let mut initial = input.clone();
    initial["input"]["kind"] = json!("INITIAL");
    let (_, body) = app.gql(Some(&fx.caseworker), q, initial).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "kind", "{body}");
    let data = app.ok(&fx.caseworker, q, input).await;
    assert_eq!(data["requestAssessment"]["state"], "ASSESSING");
    assert_eq!(
        data["requestAssessment"]["deadlines"],
        json!([{"kind": "REASSESSMENT_FINAL_PLAN", "dueOn": "2026-09-07", "regulation": "SEND Regs 2014 reg 27(2)"}])
    );
}

#[tokio::test]
async fn timetable_answers_when_each_step_is_due() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let parent = app.token(Role::Parent, "any-parent", None);
    let q = "query($ex: [TimetableException!]! = []) { timetable(kind: INITIAL, startsOn: \"2026-01-06\", adviceRequestedOn: \"2026-02-17\", draftSentOn: \"2026-05-01\", exceptions: $ex) { deadlines { kind dueOn status targetOn regulation } } }";
    let data = app.ok(&parent, q, json!({})).await;
    assert_eq!(
        data["timetable"]["deadlines"],
        json!([
            {"kind": "DECISION_TO_ASSESS", "dueOn": "2026-02-17", "status": "PENDING", "targetOn": null, "regulation": "SEND Regs 2014 reg 5(1)"},
            {"kind": "ADVICE_RESPONSE", "dueOn": "2026-03-31", "status": "PENDING", "targetOn": null, "regulation": "SEND Regs 2014 reg 8(1)"},
            {"kind": "DECISION_NOT_TO_ISSUE", "dueOn": "2026-04-28", "status": "NOT_APPLICABLE", "targetOn": null, "regulation": "SEND Regs 2014 reg 10(1)"},
            {"kind": "DRAFT_COMMENTS", "dueOn": "2026-05-15", "status": "PENDING", "targetOn": null, "regulation": "SEND Regs 2014 reg 13(1); CFA 2014 s.38"},
            {"kind": "FINAL_PLAN", "dueOn": "2026-05-26", "status": "PENDING", "targetOn": null, "regulation": "SEND Regs 2014 reg 13(2)"},
        ])
    );
    let data = app
        .ok(&fx.caseworker, q, json!({"ex": [{"reasonCode": "SCHOOL_CLOSED", "startsOn": "2026-02-20", "endsOn": "2026-03-31"}]}))
        .await;
    let final_plan = data["timetable"]["deadlines"]
        .as_array()
        .expect("d")
        .iter()
        .find(|d| d["kind"] == "FINAL_PLAN")
        .cloned()
        .expect("final");
    assert_eq!(
        (
            final_plan["status"].as_str(),
            final_plan["targetOn"].as_str()
        ),
        // Closed 40 days, the advice asked (17 February) within the closure's window.
        (Some("EXCEPTED"), Some("2026-07-05"))
    );
    // A closure of less than 4 weeks is not an exception (reg 5(4)(a)).
    let (_, body) = app
        .gql(Some(&fx.caseworker), q, json!({"ex": [{"reasonCode": "SCHOOL_CLOSED", "startsOn": "2026-02-20", "endsOn": "2026-03-18"}]}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "VALIDATION",
        "{body}"
    );
    assert_eq!(app.error_code(None, q, json!({})).await, "UNAUTHENTICATED");
}

#[tokio::test]
async fn today_is_englands_date_whatever_the_hour_in_utc() {
    // 23:30 UTC on 15 July is 00:30 on 16 July in England (BST); in January they agree.
    for (at, england) in [
        ("2026-07-15T23:30:00Z", "2026-07-16"),
        ("2026-01-15T23:30:00Z", "2026-01-15"),
    ] {
        let at = chrono::DateTime::parse_from_rfc3339(at)
            .expect("instant")
            .with_timezone(&chrono::Utc);
        let app = TestApp::spawn_at(at).await;
        let fx = app.with_local_authority().await;
        let child = app.create_child(&fx, "Tilly Timezone", "2016-01-01").await;
        let data = app
            .ok(
                &fx.caseworker,
                "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { receivedOn deadlines { kind dueOn } } }",
                json!({"input": {"childId": child, "requestedBy": "PARENT"}}),
            )
            .await;
        assert_eq!(data["requestAssessment"]["receivedOn"], england, "at {at}");
        // A date after England's today is in the future, whatever UTC says.
        let tomorrow = (chrono::NaiveDate::parse_from_str(england, "%Y-%m-%d").expect("date")
            + Duration::days(1))
        .to_string();
        let (_, body) = app
            .gql(
                Some(&fx.caseworker),
                "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id } }",
                json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": tomorrow}}),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "receivedOn",
            "{body}"
        );
    }
}

#[tokio::test]
async fn an_exception_needs_its_minimum_length_and_a_closure_its_advice_request() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let mut case = Case::open(&app, &fx, "2026-01-06").await;
    case.act("decideToAssess", json!({"on": "2026-02-10"}))
        .await;
    case.act(
        "requestAdvice",
        json!({"on": "2026-02-16", "service": "EDUCATIONAL_PSYCHOLOGY"}),
    )
    .await;
    let advice = case.last["adviceRequests"][0]["id"].clone();
    let refused = |e: &Value| {
        (
            e["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            e["extensions"]["field"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    // Away 27 days: less than 4 weeks is no exception (reg 5(4)(d)); nothing is recorded.
    let e = case
        .refuse(&fx.caseworker, "recordException", json!({"reasonCode": "ABSENT_FROM_AREA", "startsOn": "2026-03-01", "endsOn": "2026-03-27"}))
        .await;
    assert_eq!(refused(&e), ("VALIDATION".into(), "endsOn".into()), "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("this one is 27"),
        "{e}"
    );
    // A closure must name the advice request asked of the school.
    let e = case
        .refuse(&fx.caseworker, "recordException", json!({"reasonCode": "SCHOOL_CLOSED", "startsOn": "2026-02-20", "endsOn": "2026-03-31"}))
        .await;
    assert_eq!(
        refused(&e),
        ("VALIDATION".into(), "adviceRequestId".into()),
        "{e}"
    );
    // Advice asked on 16 February, closure from 24 February: the window opens on the 17th.
    let e = case
        .refuse(&fx.caseworker, "recordException", json!({"reasonCode": "SCHOOL_CLOSED", "startsOn": "2026-02-24", "endsOn": "2026-03-31", "adviceRequestId": advice}))
        .await;
    assert_eq!(
        refused(&e),
        ("VALIDATION".into(), "adviceRequestId".into()),
        "{e}"
    );
    assert_eq!(case.deadline("FINAL_PLAN")["status"], "OVERDUE");
    // From the 23rd the request falls in it: the council's limits are lifted, not the advice's
    // (reg 8(2) has no closure exception).
    case.act("recordException", json!({"reasonCode": "SCHOOL_CLOSED", "startsOn": "2026-02-23", "endsOn": "2026-03-31", "adviceRequestId": advice})).await;
    assert_eq!(case.deadline("FINAL_PLAN")["status"], "EXCEPTED");
    assert_eq!(
        case.deadline("FINAL_PLAN")["exceptedBy"],
        json!(["SCHOOL_CLOSED"])
    );
    assert_ne!(case.deadline("ADVICE_RESPONSE")["status"], "EXCEPTED");
    // Away exactly 4 weeks counts.
    case.act(
        "recordException",
        json!({"reasonCode": "ABSENT_FROM_AREA", "startsOn": "2026-03-01", "endsOn": "2026-03-28"}),
    )
    .await;
    assert_eq!(
        case.deadline("FINAL_PLAN")["exceptedBy"],
        json!(["SCHOOL_CLOSED", "ABSENT_FROM_AREA"])
    );
}
