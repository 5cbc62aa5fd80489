//! Disputes and complaints (issue 17, DOMAIN.md §6) through the API: the Ombudsman's stories
//! replayed to the dates it gave, each order's limits, the reg 44(3) exceptions, complaints
//! through both stages with a remedy and the register, what the family sees and what the
//! backlog counts; and the refusals.
use ehcp::domain::access::Role;
use serde_json::{Value, json};

use crate::common::{Fixture, TestApp};

fn at(day: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(&format!("{day}T12:00:00Z"))
        .expect("instant")
        .with_timezone(&chrono::Utc)
}

const DISPUTE: &str = "id state version appealed decisionSentOn allowedActions possibleOrders \
    outcome outcomeOn orderKind compliedOn closedOn otherMatterDueOn \
    orderException { reason from } \
    deadlines { kind dueOn metOn status regulation party exceptedBy } \
    nextStep { description party dueOn regulation } appeal { appealBy mediationContactBy } \
    assessmentId planId orderedAssessmentId";

/// The assessment a dispute's outcome opened.
async fn opened(app: &TestApp, token: &str, d: &Value) -> Value {
    app.ok(
        token,
        "query($id: ID!) { assessment(id: $id) { id kind state receivedOn version allowedActions \
         deadlines { kind dueOn metOn status regulation exceptedBy } \
         nextStep { action description dueOn } orderedByDisputeId } }",
        json!({"id": d["orderedAssessmentId"]}),
    )
    .await["assessment"]
        .clone()
}

/// Runs a dispute mutation with the dispute's id and version, returning the dispute.
async fn step(
    app: &TestApp,
    token: &str,
    d: &Value,
    field: &str,
    ty: &str,
    mut input: Value,
) -> Value {
    input["disputeId"] = d["id"].clone();
    input["version"] = d["version"].clone();
    let q = format!("mutation($input: {ty}!) {{ {field}(input: $input) {{ {DISPUTE} }} }}");
    app.ok(token, &q, json!({"input": input})).await[field].clone()
}

/// The first error of a mutation that must fail: (code, field, message).
async fn refusal(app: &TestApp, token: &str, q: &str, input: Value) -> (String, String, String) {
    let (_, body) = app.gql(Some(token), q, json!({"input": input})).await;
    let e = &body["errors"][0];
    assert!(e.is_object(), "expected a refusal, got {body}");
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

fn deadline<'a>(deadlines: &'a Value, kind: &str) -> &'a Value {
    deadlines
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {deadlines:#}"))
}

/// A child with a parent who signs in as `parent`, and a request for an assessment received
/// on `received` that the council refused on `refused_on`. Returns (child, assessment).
async fn refused_request(
    app: &TestApp,
    fx: &Fixture,
    name: &str,
    parent: &str,
    (received, refused_on): (&str, &str),
) -> (String, Value) {
    let child = app.create_child(fx, name, "2017-05-01").await;
    let p = app
        .ok(
            &fx.caseworker,
            "mutation($input: CreateParentInput!) { createParent(input: $input) { id } }",
            json!({"input": {"name": format!("Parent of {name}"), "subject": parent}}),
        )
        .await["createParent"]["id"]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p, relationship: \"mother\") { id } }",
        json!({"c": child, "p": p}),
    )
    .await;
    let a = app
        .ok(
            &fx.caseworker,
            "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }",
            json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": received}}),
        )
        .await["requestAssessment"]
        .clone();
    let a = app
        .ok(
            &fx.caseworker,
            "mutation($input: RefusalInput!) { decideNotToAssess(input: $input) { id version state } }",
            json!({"input": {"assessmentId": a["id"], "version": a["version"], "on": refused_on, "reasons": "Needs can be met from the school's resources", "appealRightsGiven": true}}),
        )
        .await["decideNotToAssess"]
        .clone();
    assert_eq!(a["state"], "DECIDED_NOT_TO_ASSESS");
    (child.as_str().to_owned(), a)
}

async fn open_on_assessment(app: &TestApp, fx: &Fixture, a: &Value, on: &str) -> Value {
    let q = format!(
        "mutation($input: AssessmentDisputeInput!) {{ openAssessmentDispute(input: $input) {{ {DISPUTE} }} }}"
    );
    app.ok(
        &fx.caseworker,
        &q,
        json!({"input": {"assessmentId": a["id"], "appealed": "REFUSAL_TO_ASSESS", "on": on}}),
    )
    .await["openAssessmentDispute"]
        .clone()
}

/// Runs an assessment mutation with the assessment's id and version.
async fn assess(
    app: &TestApp,
    token: &str,
    a: &Value,
    field: &str,
    ty: &str,
    mut input: Value,
) -> Value {
    input["assessmentId"] = a["id"].clone();
    input["version"] = a["version"].clone();
    let q = format!(
        "mutation($input: {ty}!) {{ {field}(input: $input) {{ id kind state version adviceRequests {{ id }} \
         deadlines {{ kind dueOn metOn status }} }} }}"
    );
    app.ok(token, &q, json!({"input": input})).await[field].clone()
}

#[tokio::test]
async fn an_agreement_at_mediation_to_assess_reopens_the_request_on_the_orders_clock_to_a_final_plan()
 {
    // LGSCO 25 012 582 (Leeds): the council refused to assess; at mediation on 14 January 2025
    // it agreed to assess. The Ombudsman: the decision was due by 25 March and the final plan
    // by 22 April 2025.
    let app = TestApp::spawn_at(at("2025-06-02")).await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let (child, refused) = refused_request(
        &app,
        &fx,
        "Lee Mediated",
        "parent-lee",
        ("2024-09-02", "2024-10-14"),
    )
    .await;
    let d = open_on_assessment(&app, &fx, &refused, "2024-11-01").await;
    assert_eq!(d["state"], "OPEN");
    assert_eq!(d["decisionSentOn"], "2024-10-14", "the refusal's date");
    assert_eq!(d["possibleOrders"], json!(["ASSESS"]));
    assert_eq!(d["appeal"]["mediationContactBy"], "2024-12-14");
    assert_eq!(
        d["appeal"]["appealBy"], "2024-12-16",
        "14 December 2024 was a Saturday"
    );

    let d = step(
        &app,
        &cw,
        &d,
        "contactMediationAdviser",
        "ContactAdviserInput",
        json!({"on": "2024-11-05", "wantsMediation": true}),
    )
    .await;
    assert_eq!(
        deadline(&d["deadlines"], "MEDIATION_CONTACT")["status"],
        "MET"
    );
    let d = step(
        &app,
        &cw,
        &d,
        "arrangeMediation",
        "DisputeStepInput",
        json!({"on": "2024-12-20"}),
    )
    .await;
    assert_eq!(d["state"], "MEDIATION");
    let held = deadline(&d["deadlines"], "MEDIATION_HELD");
    assert_eq!(
        held["dueOn"], "2025-01-19",
        "within 30 days of the council being told"
    );
    assert_eq!(held["party"], "LOCAL_AUTHORITY");
    let d = step(
        &app,
        &cw,
        &d,
        "holdMediation",
        "DisputeStepInput",
        json!({"on": "2025-01-14"}),
    )
    .await;
    assert_eq!(deadline(&d["deadlines"], "MEDIATION_HELD")["status"], "MET");
    let d = step(
        &app,
        &cw,
        &d,
        "recordMediationAgreement",
        "MediationAgreementInput",
        json!({"on": "2025-01-14", "orderKind": "ASSESS", "note": "The council agreed to assess"}),
    )
    .await;
    assert_eq!(d["state"], "DIRECTED");
    assert_eq!(d["outcome"], "AGREEMENT");
    let ordered = opened(&app, &cw, &d).await;
    assert_eq!(ordered["kind"], "ORDERED");
    assert_eq!(ordered["state"], "REQUESTED");
    assert_eq!(ordered["receivedOn"], "2025-01-14");
    assert_eq!(ordered["orderedByDisputeId"], d["id"]);
    let due: Vec<(String, String)> = ordered["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["kind"].as_str().unwrap().to_owned(),
                x["dueOn"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        due,
        [
            (
                "ORDER_ASSESSMENT_NOTICE".to_owned(),
                "2025-01-28".to_owned()
            ),
            ("ORDER_NO_PLAN_DECISION".to_owned(), "2025-03-25".to_owned()),
            ("ORDER_FINAL_PLAN".to_owned(), "2025-04-22".to_owned()),
        ],
        "the Ombudsman's dates"
    );
    assert!(
        ordered["deadlines"][2]["regulation"]
            .as_str()
            .unwrap()
            .contains("44(2)"),
        "{}",
        ordered["deadlines"][2]
    );
    assert!(
        !ordered["allowedActions"]
            .as_array()
            .unwrap()
            .contains(&json!("DECIDE_NOT_TO_ASSESS")),
        "the refusal was what the agreement reversed"
    );
    assert_eq!(ordered["nextStep"]["action"], "DECIDE_TO_ASSESS");
    assert_eq!(ordered["nextStep"]["dueOn"], "2025-01-28");

    // The family sees the agreement and what the council must do by when, in plain words.
    let parent = app.token(Role::Parent, "parent-lee", None);
    let seen = app
        .ok(
            &parent,
            "query($id: ID!) { disputes(childId: $id) { nodes { state outcome nextStep { description } } } \
             child(id: $id) { assessments { kind nextStep { description dueOn } } } }",
            json!({"id": child}),
        )
        .await;
    assert_eq!(seen["disputes"]["nodes"][0]["state"], "DIRECTED");
    let family = &seen["child"];
    assert_eq!(family["assessments"][0]["kind"], "ORDERED");
    let told = family["assessments"][0]["nextStep"]["description"]
        .as_str()
        .unwrap();
    assert!(
        told.contains("tell you that it is doing so by 28 January 2025"),
        "{told}"
    );

    // A request cannot be made ORDERED by hand.
    let (code, field, _) = refusal(
        &app,
        &cw,
        "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id } }",
        json!({"childId": child, "requestedBy": "PARENT", "kind": "ORDERED"}),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "kind"));

    // The council runs the assessment to a final plan on the order's clock.
    let a = assess(
        &app,
        &cw,
        &ordered,
        "decideToAssess",
        "DecisionInput",
        json!({"on": "2025-01-27"}),
    )
    .await;
    assert_eq!(
        deadline(&a["deadlines"], "ORDER_ASSESSMENT_NOTICE")["status"],
        "MET"
    );
    let a = assess(
        &app,
        &cw,
        &a,
        "requestAdvice",
        "RequestAdviceInput",
        json!({"on": "2025-01-28", "service": "EDUCATIONAL_PSYCHOLOGY"}),
    )
    .await;
    let ep = a["adviceRequests"][0]["id"].clone();
    let a = assess(
        &app,
        &cw,
        &a,
        "recordAdviceReceived",
        "AdviceReceivedInput",
        json!({"on": "2025-03-03", "adviceRequestId": ep, "summary": "EP report"}),
    )
    .await;
    let a = assess(
        &app,
        &cw,
        &a,
        "sendDraftPlan",
        "ActionInput",
        json!({"on": "2025-03-10"}),
    )
    .await;
    assert_eq!(
        deadline(&a["deadlines"], "ORDER_NO_PLAN_DECISION")["status"],
        "NOT_APPLICABLE",
        "the council went on to a plan"
    );
    let a = assess(
        &app,
        &cw,
        &a,
        "issueFinalPlan",
        "IssueFinalPlanInput",
        json!({"on": "2025-04-14", "namedSetting": "Leeds Primary"}),
    )
    .await;
    assert_eq!(a["state"], "FINAL_ISSUED");
    let final_plan = deadline(&a["deadlines"], "ORDER_FINAL_PLAN");
    assert_eq!(
        (final_plan["status"].as_str(), final_plan["metOn"].as_str()),
        (Some("MET"), Some("2025-04-14"))
    );

    // The assessment closing complies with the agreement: the dispute closes on that day.
    let d = app
        .ok(
            &cw,
            &format!("query($id: ID!) {{ dispute(id: $id) {{ {DISPUTE} }} }}"),
            json!({"id": d["id"]}),
        )
        .await["dispute"]
        .clone();
    assert_eq!(d["state"], "CLOSED");
    assert_eq!(d["compliedOn"], "2025-04-14");
    assert_eq!(d["closedOn"], "2025-04-14");
    assert_eq!(d["nextStep"], Value::Null);

    // Timeliness counts the order complied with on time.
    let t = app
        .ok(
            &fx.manager,
            "{ timeliness(from: \"2025-01-01\", to: \"2025-05-31\") { stages { stage done onTime } } }",
            json!({}),
        )
        .await;
    let stage = t["timeliness"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "ORDER_FINAL_PLAN")
        .cloned()
        .unwrap_or_else(|| panic!("no ORDER_FINAL_PLAN in {t:#}"));
    assert_eq!(
        (stage["done"].as_i64(), stage["onTime"].as_i64()),
        (Some(1), Some(1))
    );

    // Every step is in the trail, in its own transaction with the change.
    let trail = app
        .ok(
            &fx.manager,
            "query($c: ID) { auditEvents(childId: $c, first: 100) { nodes { entity action } } }",
            json!({"c": child}),
        )
        .await;
    let actions: Vec<String> = trail["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .filter(|e| e["entity"] == "dispute")
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "OPEN_DISPUTE",
            "CONTACT_ADVISER",
            "ARRANGE_MEDIATION",
            "HOLD_MEDIATION",
            "RECORD_AGREEMENT",
            "RECORD_COMPLIANCE"
        ]
    );
}

#[tokio::test]
async fn a_council_that_misses_the_agreements_dates_shows_them_overdue_to_managers_and_the_family()
{
    // LGSCO 25 007 473 (Essex): agreed on 14 January 2025 to assess; the decision was due by
    // 25 March and the final plan by 22 April. Seen on 1 May 2025 with only the assessment
    // begun, both are overdue.
    let app = TestApp::spawn_at(at("2025-05-01")).await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let (child, refused) = refused_request(
        &app,
        &fx,
        "Essie Delayed",
        "parent-essie",
        ("2024-09-09", "2024-10-18"),
    )
    .await;
    let d = open_on_assessment(&app, &fx, &refused, "2024-11-04").await;
    let d = step(
        &app,
        &cw,
        &d,
        "contactMediationAdviser",
        "ContactAdviserInput",
        json!({"on": "2024-11-04"}),
    )
    .await;
    let d = step(
        &app,
        &cw,
        &d,
        "arrangeMediation",
        "DisputeStepInput",
        json!({"on": "2024-12-23"}),
    )
    .await;
    let d = step(
        &app,
        &cw,
        &d,
        "holdMediation",
        "DisputeStepInput",
        json!({"on": "2025-01-14"}),
    )
    .await;
    let d = step(
        &app,
        &cw,
        &d,
        "recordMediationAgreement",
        "MediationAgreementInput",
        json!({"on": "2025-01-14", "orderKind": "ASSESS"}),
    )
    .await;
    let a = assess(
        &app,
        &cw,
        &opened(&app, &cw, &d).await,
        "decideToAssess",
        "DecisionInput",
        json!({"on": "2025-02-03"}),
    )
    .await;
    assert_eq!(
        deadline(&a["deadlines"], "ORDER_ASSESSMENT_NOTICE")["status"],
        "MISSED",
        "2 weeks from 14 January was 28 January"
    );
    assert_eq!(
        deadline(&a["deadlines"], "ORDER_NO_PLAN_DECISION")["status"],
        "OVERDUE"
    );
    assert_eq!(
        deadline(&a["deadlines"], "ORDER_FINAL_PLAN")["status"],
        "OVERDUE"
    );

    let counts = app
        .ok(
            &fx.manager,
            "{ backlog(filter: {process: NEEDS_ASSESSMENT}) { stages { stage counts { open overdue } } } }",
            json!({}),
        )
        .await;
    let stage = |kind: &str| {
        counts["backlog"]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == kind)
            .map(|s| s["counts"]["overdue"].as_i64().unwrap())
            .unwrap_or(0)
    };
    assert_eq!(stage("ORDER_FINAL_PLAN"), 1);
    assert_eq!(stage("ORDER_NO_PLAN_DECISION"), 1);
    // The metrics' overdue count (its own SQL) agrees.
    let counts = ehcp::store::overdue::overdue_counts(
        &app.db,
        chrono::NaiveDate::from_ymd_opt(2025, 5, 1).unwrap(),
    )
    .await
    .expect("counts");
    let overdue = |kind: &str| -> i64 {
        counts
            .iter()
            .filter(|c| c.deadline.as_str() == kind)
            .map(|c| c.count)
            .sum()
    };
    assert_eq!(
        (
            overdue("ORDER_ASSESSMENT_NOTICE"),
            overdue("ORDER_NO_PLAN_DECISION"),
            overdue("ORDER_FINAL_PLAN")
        ),
        (0, 1, 1),
        "{counts:?}"
    );
    let items = app
        .ok(
            &fx.manager,
            "{ backlogItems(filter: {stage: ORDER_FINAL_PLAN}, first: 10) { nodes { assessmentId dueOn daysOverdue } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        items["backlogItems"]["nodes"],
        json!([{"assessmentId": a["id"], "dueOn": "2025-04-22", "daysOverdue": 9}])
    );

    // The family sees the same dates.
    let parent = app.token(Role::Parent, "parent-essie", None);
    let seen = app
        .ok(
            &parent,
            "query($id: ID!) { child(id: $id) { assessments { kind deadlines { kind dueOn status } } } }",
            json!({"id": child}),
        )
        .await;
    let theirs = &seen["child"]["assessments"][0];
    assert_eq!(theirs["kind"], "ORDERED");
    assert_eq!(
        deadline(&theirs["deadlines"], "ORDER_FINAL_PLAN")["status"],
        "OVERDUE"
    );
}

#[tokio::test]
async fn an_order_to_make_a_plan_opens_it_at_assessing_with_the_draft_and_the_final_plan_due() {
    let app = TestApp::spawn_at(at("2025-04-01")).await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let child = app.create_child(&fx, "Maya Ordered", "2016-02-02").await;
    let a = app
        .ok(&cw, "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }",
            json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": "2024-06-03"}}))
        .await["requestAssessment"]
        .clone();
    let a = assess(
        &app,
        &cw,
        &a,
        "decideToAssess",
        "DecisionInput",
        json!({"on": "2024-07-01"}),
    )
    .await;
    let a = assess(&app, &cw, &a, "decideNotToIssue", "RefusalInput", json!({"on": "2024-09-16", "reasons": "Needs met at SEN support", "appealRightsGiven": true})).await;
    let q = format!(
        "mutation($input: AssessmentDisputeInput!) {{ openAssessmentDispute(input: $input) {{ {DISPUTE} }} }}"
    );
    // Refusing to assess is not what happened here.
    let (code, field, _) = refusal(
        &app,
        &cw,
        &q,
        json!({"assessmentId": a["id"], "appealed": "REFUSAL_TO_ASSESS"}),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("CONFLICT", "none"));
    let d = app
        .ok(&cw, &q, json!({"input": {"assessmentId": a["id"], "appealed": "REFUSAL_TO_ISSUE", "on": "2024-10-01"}}))
        .await["openAssessmentDispute"]
        .clone();
    assert_eq!(d["possibleOrders"], json!(["MAKE_PLAN"]));
    let d = step(
        &app,
        &cw,
        &d,
        "registerAppeal",
        "DisputeStepInput",
        json!({"on": "2024-11-20"}),
    )
    .await;
    assert_eq!(d["state"], "APPEALED");
    let d = step(
        &app,
        &cw,
        &d,
        "scheduleHearing",
        "ScheduleHearingInput",
        json!({"on": "2024-12-02", "hearingOn": "2025-03-10"}),
    )
    .await;
    // The Tribunal can order only what the appeal is about.
    let (code, field, _) = refusal(
        &app,
        &cw,
        "mutation($input: TribunalOutcomeInput!) { recordTribunalOutcome(input: $input) { id } }",
        json!({"disputeId": d["id"], "version": d["version"], "on": "2025-03-17", "outcome": "ORDER", "orderKind": "ASSESS"}),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "orderKind"));
    // Order sent on Monday 17 March 2025: draft within 5 weeks, final plan within 11.
    let d = step(
        &app,
        &cw,
        &d,
        "recordTribunalOutcome",
        "TribunalOutcomeInput",
        json!({"on": "2025-03-17", "outcome": "ORDER", "orderKind": "MAKE_PLAN"}),
    )
    .await;
    let ordered = &opened(&app, &cw, &d).await;
    assert_eq!(ordered["kind"], "ORDERED_PLAN");
    assert_eq!(ordered["state"], "ASSESSING");
    assert_eq!(
        deadline(&ordered["deadlines"], "ORDER_DRAFT_PLAN")["dueOn"],
        "2025-04-21"
    );
    assert_eq!(
        deadline(&ordered["deadlines"], "ORDER_MADE_PLAN")["dueOn"],
        "2025-06-02"
    );
    assert!(
        !ordered["allowedActions"]
            .as_array()
            .unwrap()
            .contains(&json!("DECIDE_NOT_TO_ISSUE")),
        "{}",
        ordered["allowedActions"]
    );
    assert_eq!(ordered["nextStep"]["action"], "SEND_DRAFT");
    assert_eq!(ordered["nextStep"]["dueOn"], "2025-04-21");
    // A reg 44(3) absence needs its end, and at least 2 weeks.
    let exception =
        "mutation($input: OrderExceptionInput!) { recordOrderException(input: $input) { id } }";
    for until in [Value::Null, json!("2025-04-02")] {
        let (code, field, _) = refusal(
            &app,
            &cw,
            exception,
            json!({"disputeId": d["id"], "version": d["version"], "on": "2025-03-24", "reason": "ABSENT_TWO_WEEKS", "until": until}),
        )
        .await;
        assert_eq!(
            (code.as_str(), field.as_str()),
            ("VALIDATION", "until"),
            "until {until}"
        );
    }
    // Away from 24 March to 11 April: the order's open limits are lifted.
    let d = step(
        &app,
        &cw,
        &d,
        "recordOrderException",
        "OrderExceptionInput",
        json!({"on": "2025-03-24", "reason": "ABSENT_TWO_WEEKS", "until": "2025-04-11"}),
    )
    .await;
    assert_eq!(
        d["orderException"],
        json!({"reason": "ABSENT_TWO_WEEKS", "from": "2025-03-24"})
    );
    let lifted = opened(&app, &cw, &d).await;
    let lifted = deadline(&lifted["deadlines"], "ORDER_DRAFT_PLAN");
    assert_eq!(lifted["status"], "EXCEPTED");
    assert_eq!(lifted["exceptedBy"], json!(["ABSENT_TWO_WEEKS"]));
    // Compliance with an order to make a plan is the plan itself.
    let (code, _, message) = refusal(
        &app,
        &cw,
        "mutation($input: ComplianceInput!) { recordCompliance(input: $input) { id } }",
        json!({"disputeId": d["id"], "version": d["version"]}),
    )
    .await;
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("its assessment"), "{message}");
}

async fn entered_plan(app: &TestApp, fx: &Fixture, name: &str) -> (String, Value) {
    let child = app.create_child(fx, name, "2012-09-09").await;
    let plan = app
        .ok(
            &fx.caseworker,
            "mutation($input: EnterPlanInput!) { enterPlan(input: $input) { id version } }",
            json!({"input": {"childId": child, "issuedOn": "2024-03-01", "namedSetting": "Old School"}}),
        )
        .await["enterPlan"]
        .clone();
    (child.as_str().to_owned(), plan)
}

#[tokio::test]
async fn an_order_on_the_plan_is_tracked_on_the_dispute_until_the_council_complies() {
    let app = TestApp::spawn_at(at("2025-07-01")).await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let (_, plan) = entered_plan(&app, &fx, "Nia Named").await;
    let q = format!(
        "mutation($input: PlanDisputeInput!) {{ openPlanDispute(input: $input) {{ {DISPUTE} }} }}"
    );
    // A refusal is challenged on its assessment, not on a plan.
    let (code, field, _) = refusal(&app, &cw, &q, json!({"planId": plan["id"], "appealed": "REFUSAL_TO_ASSESS", "decisionSentOn": "2025-01-06"})).await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "appealed"));
    let d = app
        .ok(&cw, &q, json!({"input": {"planId": plan["id"], "appealed": "NAMED_SETTING", "decisionSentOn": "2025-01-06", "on": "2025-01-20"}}))
        .await["openPlanDispute"]
        .clone();
    assert_eq!(
        d["possibleOrders"],
        json!(["CHANGE_SETTING", "AMEND_CONTENT"])
    );
    // The same decision cannot be challenged twice at once.
    let (code, _, _) = refusal(
        &app,
        &cw,
        &q,
        json!({"planId": plan["id"], "appealed": "NAMED_SETTING", "decisionSentOn": "2025-01-06"}),
    )
    .await;
    assert_eq!(code, "CONFLICT");
    // The family told the adviser they do not want mediation: the certificate is due in 3
    // working days (Friday 24 January 2025 + 3 = Wednesday 29 January).
    let d = step(
        &app,
        &cw,
        &d,
        "contactMediationAdviser",
        "ContactAdviserInput",
        json!({"on": "2025-01-24", "wantsMediation": false}),
    )
    .await;
    assert_eq!(
        deadline(&d["deadlines"], "MEDIATION_CERTIFICATE")["dueOn"],
        "2025-01-29"
    );
    assert_eq!(
        deadline(&d["deadlines"], "MEDIATION_CERTIFICATE")["party"],
        "MEDIATOR"
    );
    let d = step(
        &app,
        &cw,
        &d,
        "issueMediationCertificate",
        "DisputeStepInput",
        json!({"on": "2025-01-28"}),
    )
    .await;
    // The appeal may now be made until a month after the certificate, when later.
    assert_eq!(
        d["appeal"]["appealBy"], "2025-03-06",
        "6 March: 2 months after 6 January"
    );
    let d = step(
        &app,
        &cw,
        &d,
        "registerAppeal",
        "DisputeStepInput",
        json!({"on": "2025-02-20"}),
    )
    .await;
    // A stale version is a CONFLICT and changes nothing.
    let (code, _, _) = refusal(
        &app,
        &cw,
        "mutation($input: DisputeStepInput!) { withdrawAppeal(input: $input) { id } }",
        json!({"disputeId": d["id"], "version": 1}),
    )
    .await;
    assert_eq!(code, "CONFLICT");
    // Ordered on Monday 2 June 2025 to name the family's school: within 2 weeks.
    let d = step(
        &app,
        &cw,
        &d,
        "recordTribunalOutcome",
        "TribunalOutcomeInput",
        json!({"on": "2025-06-02", "outcome": "ORDER", "orderKind": "CHANGE_SETTING"}),
    )
    .await;
    assert_eq!(d["state"], "DIRECTED");
    assert_eq!(d["orderedAssessmentId"], Value::Null);
    let named = deadline(&d["deadlines"], "ORDER_NAMED_SETTING");
    assert_eq!(
        (named["dueOn"].as_str(), named["status"].as_str()),
        (Some("2025-06-16"), Some("OVERDUE"))
    );
    assert_eq!(d["nextStep"]["dueOn"], "2025-06-16");
    // Nothing else is allowed against an order but its exceptions and compliance.
    let (code, _, message) = refusal(
        &app,
        &cw,
        "mutation($input: DisputeStepInput!) { registerAppeal(input: $input) { id } }",
        json!({"disputeId": d["id"], "version": d["version"]}),
    )
    .await;
    assert_eq!(code, "CONFLICT");
    assert!(
        message.contains("allowed: RECORD_ORDER_EXCEPTION, RECORD_COMPLIANCE"),
        "{message}"
    );
    let overdue = app
        .ok(
            &fx.manager,
            "{ backlog(filter: {process: DISPUTE}) { totals { open overdue } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        overdue["backlog"]["totals"],
        json!({"open": 1, "overdue": 1})
    );
    // The order opened an amendment of the plan, due under the order's limit: the content is
    // settled, so there is no 15-day window, and it cannot be dropped.
    let amendment = app
        .ok(
            &cw,
            "query($id: ID!) { plan(id: $id) { amendments { id version state directedByDisputeId directedDueOn \
             parentCommentsUntil allowedActions deadlines { kind dueOn status } nextStep { description dueOn } } } }",
            json!({"id": plan["id"]}),
        )
        .await["plan"]["amendments"][0]
        .clone();
    assert_eq!(amendment["directedByDisputeId"], d["id"]);
    assert_eq!(amendment["directedDueOn"], "2025-06-16");
    assert_eq!(amendment["parentCommentsUntil"], Value::Null);
    assert_eq!(
        amendment["deadlines"],
        json!([{"kind": "ORDER_NAMED_SETTING", "dueOn": "2025-06-16", "status": "OVERDUE"}])
    );
    assert_eq!(amendment["nextStep"]["dueOn"], "2025-06-16");
    assert_eq!(
        amendment["allowedActions"],
        json!(["RECORD_PARENT_RESPONSE", "ISSUE_AMENDED_PLAN"]),
        "no decision not to amend, no notice"
    );
    // The school is the whole of the order: an amended plan naming none is refused.
    let (code, field, _) = refusal(
        &app,
        &cw,
        "mutation($input: IssueAmendedPlanInput!) { issueAmendedPlan(input: $input) { id } }",
        json!({"amendmentId": amendment["id"], "version": amendment["version"], "on": "2025-06-20"}),
    )
    .await;
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("VALIDATION", "namedSetting")
    );
    let (code, _, _) = refusal(
        &app,
        &cw,
        "mutation($input: NotToAmendInput!) { decideNotToAmend(input: $input) { id } }",
        json!({"amendmentId": amendment["id"], "version": amendment["version"], "reasons": "x", "appealRightsGiven": true}),
    )
    .await;
    assert_eq!(code, "CONFLICT");
    // Compliance is the amended plan itself, not a separate record.
    let (code, _, message) = refusal(
        &app,
        &cw,
        "mutation($input: ComplianceInput!) { recordCompliance(input: $input) { id } }",
        json!({"disputeId": d["id"], "version": d["version"]}),
    )
    .await;
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("issueAmendedPlan"), "{message}");
    // Issued on 20 June, four days late, naming the school.
    let issued = app
        .ok(
            &cw,
            "mutation($input: IssueAmendedPlanInput!) { issueAmendedPlan(input: $input) { state finalIssuedOn } }",
            json!({"input": {"amendmentId": amendment["id"], "version": amendment["version"], "on": "2025-06-20", "namedSetting": "Family's Choice School"}}),
        )
        .await;
    assert_eq!(issued["issueAmendedPlan"]["state"], "FINAL_ISSUED");
    let dq = format!("query($id: ID!) {{ dispute(id: $id) {{ {DISPUTE} }} }}");
    let d = app.ok(&cw, &dq, json!({"id": d["id"]})).await["dispute"].clone();
    assert_eq!(d["state"], "CLOSED");
    assert_eq!(d["compliedOn"], "2025-06-20");
    assert_eq!(
        deadline(&d["deadlines"], "ORDER_NAMED_SETTING")["status"],
        "MISSED"
    );
    let after = app
        .ok(
            &fx.manager,
            "{ backlog(filter: {process: DISPUTE}) { totals { open overdue } } }",
            json!({}),
        )
        .await;
    assert_eq!(after["backlog"]["totals"], json!({"open": 0, "overdue": 0}));
}

#[tokio::test]
async fn a_dismissed_cease_appeal_leaves_the_council_to_cease_at_once_and_other_dismissals_close() {
    let app = TestApp::spawn_at(at("2025-07-01")).await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let q = format!(
        "mutation($input: PlanDisputeInput!) {{ openPlanDispute(input: $input) {{ {DISPUTE} }} }}"
    );
    let (_, plan) = entered_plan(&app, &fx, "Cass Ceased").await;
    let d = app
        .ok(&cw, &q, json!({"input": {"planId": plan["id"], "appealed": "CEASE", "decisionSentOn": "2025-02-03"}}))
        .await["openPlanDispute"]
        .clone();
    let d = step(
        &app,
        &cw,
        &d,
        "registerAppeal",
        "DisputeStepInput",
        json!({"on": "2025-03-03"}),
    )
    .await;
    let d = step(
        &app,
        &cw,
        &d,
        "recordTribunalOutcome",
        "TribunalOutcomeInput",
        json!({"on": "2025-06-09", "outcome": "DISMISSED"}),
    )
    .await;
    assert_eq!(d["state"], "DIRECTED");
    assert_eq!(d["orderKind"], "CEASE_UPHELD");
    assert_eq!(
        deadline(&d["deadlines"], "ORDER_IMMEDIATE")["dueOn"],
        "2025-06-09"
    );

    let (_, plan) = entered_plan(&app, &fx, "Pip Content").await;
    let d = app
        .ok(&cw, &q, json!({"input": {"planId": plan["id"], "appealed": "PLAN_CONTENT", "decisionSentOn": "2025-02-03"}}))
        .await["openPlanDispute"]
        .clone();
    let d = step(
        &app,
        &cw,
        &d,
        "registerAppeal",
        "DisputeStepInput",
        json!({"on": "2025-03-03"}),
    )
    .await;
    let (code, field, _) = refusal(
        &app,
        &cw,
        "mutation($input: TribunalOutcomeInput!) { recordTribunalOutcome(input: $input) { id } }",
        json!({"disputeId": d["id"], "version": d["version"], "outcome": "DISMISSED", "orderKind": "AMEND_CONTENT"}),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "orderKind"));
    let d = step(
        &app,
        &cw,
        &d,
        "recordTribunalOutcome",
        "TribunalOutcomeInput",
        json!({"on": "2025-06-09", "outcome": "DISMISSED"}),
    )
    .await;
    assert_eq!(d["state"], "CLOSED");
    assert_eq!(d["closedOn"], "2025-06-09");
    assert_eq!(d["allowedActions"], json!([]));
}

#[tokio::test]
async fn an_agreement_on_another_matter_and_a_concession_set_their_own_limits() {
    let app = TestApp::spawn_at(at("2025-07-01")).await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let (_, refused) = refused_request(
        &app,
        &fx,
        "Olly Other",
        "parent-olly",
        ("2024-11-04", "2024-12-16"),
    )
    .await;
    let d = open_on_assessment(&app, &fx, &refused, "2025-01-06").await;
    let d = step(
        &app,
        &cw,
        &d,
        "contactMediationAdviser",
        "ContactAdviserInput",
        json!({"on": "2025-01-06"}),
    )
    .await;
    let d = step(
        &app,
        &cw,
        &d,
        "arrangeMediation",
        "DisputeStepInput",
        json!({"on": "2025-01-08"}),
    )
    .await;
    let (code, _, _) = refusal(
        &app,
        &cw,
        "mutation($input: DisputeStepInput!) { arrangeMediation(input: $input) { id } }",
        json!({"disputeId": d["id"], "version": d["version"], "on": "2025-01-09"}),
    )
    .await;
    assert_eq!(code, "CONFLICT", "already being arranged");
    let agree = "mutation($input: MediationAgreementInput!) { recordMediationAgreement(input: $input) { id } }";
    let (code, field, _) = refusal(
        &app,
        &cw,
        agree,
        json!({"disputeId": d["id"], "version": d["version"], "on": "2025-02-03", "orderKind": "ASSESS", "otherMatter": "Short breaks from social care", "otherMatterDueOn": "2025-01-31"}),
    )
    .await;
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("VALIDATION", "otherMatterDueOn")
    );
    // Agreed on Monday 3 February, without a separate record of the mediation: to assess, and
    // short breaks from social care by the date agreed in writing (reg 42(3), (5)).
    let d = step(&app, &cw, &d, "recordMediationAgreement", "MediationAgreementInput", json!({"on": "2025-02-03", "orderKind": "ASSESS", "otherMatter": "Short breaks from social care", "otherMatterDueOn": "2025-03-31"})).await;
    assert_eq!(
        deadline(&d["deadlines"], "MEDIATION_HELD")["metOn"],
        "2025-02-03"
    );
    assert_eq!(d["otherMatterDueOn"], "2025-03-31");
    assert_eq!(
        deadline(&d["deadlines"], "AGREEMENT_OTHER_MATTER")["status"],
        "OVERDUE"
    );
    // The family no longer wants the assessment: closing it complies with nothing, and the
    // other matter is still owed.
    let a = opened(&app, &cw, &d).await;
    let q = "mutation($input: WithdrawInput!) { withdrawAssessment(input: $input) { state } }";
    app.ok(&cw, q, json!({"input": {"assessmentId": a["id"], "version": a["version"], "on": "2025-02-10", "reason": "The family moved schools and no longer wants it"}})).await;
    let dq = format!("query($id: ID!) {{ dispute(id: $id) {{ {DISPUTE} }} }}");
    let d = app.ok(&cw, &dq, json!({"id": d["id"]})).await["dispute"].clone();
    assert_eq!(
        (d["state"].as_str(), d["compliedOn"].as_str()),
        (Some("DIRECTED"), None)
    );
    let d = step(
        &app,
        &cw,
        &d,
        "recordCompliance",
        "ComplianceInput",
        json!({"on": "2025-03-28", "otherMatter": true}),
    )
    .await;
    assert_eq!(d["state"], "CLOSED");
    assert_eq!(
        deadline(&d["deadlines"], "AGREEMENT_OTHER_MATTER")["status"],
        "MET"
    );

    // A concession: the council told the Tribunal on Monday 2 June 2025 it would not oppose.
    let (_, refused) = refused_request(
        &app,
        &fx,
        "Cora Conceded",
        "parent-cora",
        ("2024-11-04", "2024-12-16"),
    )
    .await;
    let d = open_on_assessment(&app, &fx, &refused, "2025-01-06").await;
    let d = step(
        &app,
        &cw,
        &d,
        "registerAppeal",
        "DisputeStepInput",
        json!({"on": "2025-02-14"}),
    )
    .await;
    // Registered without a certificate (the appeal is allowed on the school alone, or the
    // adviser's certificate came later): the council's mediation limit never started.
    assert!(
        d["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["kind"] != "MEDIATION_HELD")
    );
    let d = step(
        &app,
        &cw,
        &d,
        "recordTribunalOutcome",
        "TribunalOutcomeInput",
        json!({"on": "2025-06-02", "outcome": "CONCESSION", "orderKind": "ASSESS"}),
    )
    .await;
    assert_eq!(d["outcome"], "CONCESSION");
    let a = opened(&app, &cw, &d).await;
    assert_eq!(
        deadline(&a["deadlines"], "ORDER_ASSESSMENT_NOTICE")["dueOn"],
        "2025-06-16"
    );
    assert_eq!(
        deadline(&a["deadlines"], "ORDER_FINAL_PLAN")["dueOn"],
        "2025-09-08"
    );
}

#[tokio::test]
async fn families_read_their_own_disputes_and_complaints_and_record_nothing() {
    let app = TestApp::spawn_at(at("2025-07-01")).await;
    let fx = app.with_local_authority().await;
    // Refused on 12 May 2025: 2 months end on Saturday 12 July, so the appeal may be made
    // until Monday 14 July.
    let (own, refused_own) = refused_request(
        &app,
        &fx,
        "Own Family",
        "parent-own",
        ("2025-03-03", "2025-05-12"),
    )
    .await;
    let (_, refused_other) = refused_request(
        &app,
        &fx,
        "Other Family",
        "parent-other",
        ("2025-03-03", "2025-04-14"),
    )
    .await;
    let own_dispute = open_on_assessment(&app, &fx, &refused_own, "2025-05-20").await;
    let other_dispute = open_on_assessment(&app, &fx, &refused_other, "2025-05-01").await;
    let complaint = app
        .ok(&fx.caseworker, "mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { id } }",
            json!({"input": {"childId": own, "receivedOn": "2025-06-02", "summary": "Nobody answered our emails"}}))
        .await["receiveComplaint"]["id"]
        .clone();
    let parent = app.token(Role::Parent, "parent-own", None);
    let q = "query($id: ID!) { dispute(id: $id) { id state nextStep { description party } } }";
    let mine = app.ok(&parent, q, json!({"id": own_dispute["id"]})).await;
    let told = mine["dispute"]["nextStep"]["description"].as_str().unwrap();
    assert!(
        told.contains("You can appeal to the SEND Tribunal until 14 July 2025"),
        "{told}"
    );
    // The other family's time has passed (refused 14 April: until Monday 16 June).
    let theirs = app
        .ok(&fx.caseworker, q, json!({"id": other_dispute["id"]}))
        .await;
    let staff_told = theirs["dispute"]["nextStep"]["description"]
        .as_str()
        .unwrap();
    assert!(
        staff_told.contains("The time to appeal ended on 16 June 2025"),
        "{staff_told}"
    );
    assert_eq!(
        app.error_code(Some(&parent), q, json!({"id": other_dispute["id"]}))
            .await,
        "NOT_FOUND",
        "another family's dispute"
    );
    let listed = app.ok(&parent, "{ disputes(first: 10) { nodes { id } } complaints(first: 10) { nodes { id summary } } }", json!({})).await;
    assert_eq!(
        listed["disputes"]["nodes"],
        json!([{"id": own_dispute["id"]}])
    );
    assert_eq!(
        listed["complaints"]["nodes"],
        json!([{"id": complaint, "summary": "Nobody answered our emails"}])
    );
    // A parent cannot record a dispute, for their own child or another's.
    for a in [&refused_own, &refused_other] {
        let (code, _, _) = refusal(
            &app,
            &parent,
            "mutation($input: AssessmentDisputeInput!) { openAssessmentDispute(input: $input) { id } }",
            json!({"assessmentId": a["id"], "appealed": "REFUSAL_TO_ASSESS"}),
        )
        .await;
        assert_eq!(code, "FORBIDDEN");
    }
    let (code, _, _) = refusal(
        &app,
        &parent,
        "mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { id } }",
        json!({"childId": own, "summary": "x"}),
    )
    .await;
    assert_eq!(code, "FORBIDDEN");
    // A professional sees no disputes, and records none.
    app.ok(&fx.manager, "mutation { createProfessional(input: {name: \"An EP\", service: EDUCATIONAL_PSYCHOLOGY, organisation: \"EP\", subject: \"ep-909\"}) { id } }", json!({})).await;
    let ep = app.token(Role::Professional, "ep-909", Some("909"));
    assert_eq!(
        app.error_code(Some(&ep), q, json!({"id": own_dispute["id"]}))
            .await,
        "NOT_FOUND"
    );
    let none = app
        .ok(&ep, "{ disputes(first: 10) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(none["disputes"]["nodes"], json!([]));
    let (code, _, _) = refusal(
        &app,
        &ep,
        "mutation($input: DisputeStepInput!) { registerAppeal(input: $input) { id } }",
        json!({"disputeId": own_dispute["id"], "version": own_dispute["version"]}),
    )
    .await;
    assert_eq!(code, "FORBIDDEN");
}

const COMPLAINT: &str = "id state version receivedOn acknowledgedOn extendedTo respondedOn escalatedOn \
    stageTwoAcknowledgedOn stageTwoRespondedOn ombudsmanFinding closedOn allowedActions \
    extensionNeedsGoodReason deadlines { kind dueOn metOn status } nextStep { description dueOn } \
    remedies { id kind reason amountPence offeredBy agreedOn doneOn }";

async fn complaint_step(
    app: &TestApp,
    token: &str,
    c: &Value,
    field: &str,
    ty: &str,
    mut input: Value,
) -> Value {
    input["complaintId"] = c["id"].clone();
    input["version"] = c["version"].clone();
    let q = format!("mutation($input: {ty}!) {{ {field}(input: $input) {{ {COMPLAINT} }} }}");
    app.ok(token, &q, json!({"input": input})).await[field].clone()
}

fn complaint_due(c: &Value) -> Vec<(String, String, String)> {
    c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_owned(),
                d["dueOn"].as_str().unwrap().to_owned(),
                d["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_complaint_goes_through_both_stages_to_the_ombudsman_with_remedies_in_the_register() {
    let app = TestApp::spawn_at(at("2026-06-15")).await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let child = app.create_child(&fx, "Cal Complains", "2014-04-04").await;
    // Received Wednesday 1 April 2026 (Good Friday 3 April, Easter Monday 6 April).
    let c = app
        .ok(&cw, &format!("mutation($input: ReceiveComplaintInput!) {{ receiveComplaint(input: $input) {{ {COMPLAINT} }} }}"),
            json!({"input": {"childId": child, "receivedOn": "2026-04-01", "summary": "The final plan was 12 weeks late"}}))
        .await["receiveComplaint"]
        .clone();
    assert_eq!(c["state"], "STAGE_ONE");
    let c = complaint_step(
        &app,
        &cw,
        &c,
        "acknowledgeComplaint",
        "ComplaintStepInput",
        json!({"on": "2026-04-02"}),
    )
    .await;
    assert_eq!(
        complaint_due(&c),
        [
            (
                "COMPLAINT_ACKNOWLEDGEMENT".into(),
                "2026-04-10".into(),
                "MET".into()
            ),
            (
                "COMPLAINT_STAGE_ONE_RESPONSE".into(),
                "2026-04-20".into(),
                "OVERDUE".into()
            ),
        ]
    );
    // An extension needs its reason, and must move the answer later.
    let (code, field, _) = refusal(
        &app,
        &cw,
        "mutation($input: ExtendComplaintInput!) { extendComplaint(input: $input) { id } }",
        json!({"complaintId": c["id"], "version": c["version"], "on": "2026-04-15", "until": "2026-04-17", "reason": "records"}),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "until"));
    let c = complaint_step(&app, &cw, &c, "extendComplaint", "ExtendComplaintInput", json!({"on": "2026-04-15", "until": "2026-04-30", "reason": "We need the school's records"})).await;
    assert_eq!(c["extendedTo"], "2026-04-30");
    assert_eq!(c["extensionNeedsGoodReason"], false);
    let c = complaint_step(
        &app,
        &cw,
        &c,
        "respondToComplaint",
        "ComplaintStepInput",
        json!({"on": "2026-04-29"}),
    )
    .await;
    assert_eq!(c["state"], "STAGE_ONE_ANSWERED");
    assert_eq!(c["closedOn"], "2026-04-29");
    // Escalated on Friday 1 May: 5 working days skip the early May bank holiday (4 May).
    let c = complaint_step(
        &app,
        &cw,
        &c,
        "escalateComplaint",
        "ComplaintStepInput",
        json!({"on": "2026-05-01"}),
    )
    .await;
    assert_eq!(c["state"], "STAGE_TWO");
    assert_eq!(c["closedOn"], Value::Null);
    let c = complaint_step(
        &app,
        &cw,
        &c,
        "acknowledgeComplaint",
        "ComplaintStepInput",
        json!({"on": "2026-05-05"}),
    )
    .await;
    // 20 working days from 5 May, past the spring bank holiday (25 May): 3 June.
    assert_eq!(
        complaint_due(&c)[2..],
        [
            (
                "COMPLAINT_ACKNOWLEDGEMENT".into(),
                "2026-05-11".into(),
                "MET".into()
            ),
            (
                "COMPLAINT_STAGE_TWO_RESPONSE".into(),
                "2026-06-03".into(),
                "OVERDUE".into()
            ),
        ]
    );
    let c = complaint_step(
        &app,
        &cw,
        &c,
        "respondToComplaint",
        "ComplaintStepInput",
        json!({"on": "2026-06-01"}),
    )
    .await;
    assert_eq!(c["state"], "STAGE_TWO_ANSWERED");
    assert_eq!(complaint_due(&c)[3].2, "MET");
    // An Ombudsman remedy waits for its decision.
    let (code, field, _) = refusal(
        &app,
        &cw,
        "mutation($input: RemedyInput!) { recordRemedy(input: $input) { id } }",
        json!({"complaintId": c["id"], "version": c["version"], "kind": "PAYMENT", "reason": "DELAY", "amountPence": 30000, "offeredBy": "OMBUDSMAN", "description": "x"}),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "offeredBy"));
    let c = complaint_step(
        &app,
        &cw,
        &c,
        "referComplaintToOmbudsman",
        "OmbudsmanReferralInput",
        json!({"on": "2026-06-03", "reference": "26 001 234"}),
    )
    .await;
    assert_eq!(c["nextStep"]["dueOn"], Value::Null);
    let c = complaint_step(
        &app,
        &cw,
        &c,
        "recordOmbudsmanDecision",
        "OmbudsmanDecisionInput",
        json!({"on": "2026-06-10", "finding": "FAULT_CAUSED_INJUSTICE"}),
    )
    .await;
    assert_eq!(c["state"], "OMBUDSMAN_DECIDED");
    // A payment needs its amount and reason; an apology has neither.
    for (input, field) in [
        (
            json!({"kind": "PAYMENT", "reason": "DELAY", "offeredBy": "OMBUDSMAN", "description": "x"}),
            "amountPence",
        ),
        (
            json!({"kind": "PAYMENT", "amountPence": 30000, "offeredBy": "OMBUDSMAN", "description": "x"}),
            "reason",
        ),
        (
            json!({"kind": "APOLOGY", "amountPence": 100, "offeredBy": "COUNCIL", "description": "x"}),
            "amountPence",
        ),
    ] {
        let mut input = input;
        input["complaintId"] = c["id"].clone();
        input["version"] = c["version"].clone();
        let (code, got, _) = refusal(
            &app,
            &cw,
            "mutation($input: RemedyInput!) { recordRemedy(input: $input) { id } }",
            input,
        )
        .await;
        assert_eq!((code.as_str(), got.as_str()), ("VALIDATION", field));
    }
    let c = complaint_step(&app, &cw, &c, "recordRemedy", "RemedyInput", json!({"on": "2026-06-10", "kind": "APOLOGY", "offeredBy": "OMBUDSMAN", "description": "A written apology from the head of service"})).await;
    let c = complaint_step(&app, &cw, &c, "recordRemedy", "RemedyInput", json!({"on": "2026-06-10", "kind": "PAYMENT", "reason": "DELAY", "amountPence": 30000, "offeredBy": "OMBUDSMAN", "description": "£300 for the 12 weeks' delay"})).await;
    let c = complaint_step(&app, &cw, &c, "recordRemedy", "RemedyInput", json!({"on": "2026-06-11", "kind": "PAYMENT", "reason": "PROVISION_NOT_DELIVERED", "amountPence": 120000, "offeredBy": "OMBUDSMAN", "description": "Speech and language therapy missed for a term"})).await;
    assert_eq!(c["remedies"].as_array().unwrap().len(), 3);
    let paid = c["remedies"][1]["id"].clone();
    let q = format!(
        "mutation($input: RemedyDoneInput!) {{ recordRemedyDone(input: $input) {{ {COMPLAINT} }} }}"
    );
    let c = app
        .ok(
            &cw,
            &q,
            json!({"input": {"remedyId": paid, "version": c["version"], "on": "2026-06-12"}}),
        )
        .await["recordRemedyDone"]
        .clone();
    assert_eq!(c["remedies"][1]["doneOn"], "2026-06-12");
    let (code, _, _) = refusal(
        &app,
        &cw,
        &q,
        json!({"remedyId": paid, "version": c["version"]}),
    )
    .await;
    assert_eq!(code, "CONFLICT", "already paid");

    let register = app
        .ok(
            &fx.manager,
            "{ remedyRegister(from: \"2026-06-01\", to: \"2026-06-30\") { month localityId kind reason offeredBy count amountPence paidPence } }",
            json!({}),
        )
        .await;
    assert_eq!(
        register["remedyRegister"],
        json!([
            {"month": "2026-06-01", "localityId": fx.locality, "kind": "APOLOGY", "reason": null, "offeredBy": "OMBUDSMAN", "count": 1, "amountPence": 0, "paidPence": 0},
            {"month": "2026-06-01", "localityId": fx.locality, "kind": "PAYMENT", "reason": "DELAY", "offeredBy": "OMBUDSMAN", "count": 1, "amountPence": 30000, "paidPence": 30000},
            {"month": "2026-06-01", "localityId": fx.locality, "kind": "PAYMENT", "reason": "PROVISION_NOT_DELIVERED", "offeredBy": "OMBUDSMAN", "count": 1, "amountPence": 120000, "paidPence": 0},
        ])
    );
    // Paid in the period: only what was carried out, by the day it was.
    let paid = app
        .ok(
            &fx.manager,
            "{ remedyRegister(from: \"2026-06-12\", to: \"2026-06-12\", by: DONE) { kind reason count amountPence paidPence } }",
            json!({}),
        )
        .await;
    assert_eq!(
        paid["remedyRegister"],
        json!([{"kind": "PAYMENT", "reason": "DELAY", "count": 1, "amountPence": 30000, "paidPence": 30000}])
    );
    let parent = app.token(Role::Parent, "nobody", None);
    assert_eq!(
        app.error_code(
            Some(&parent),
            "{ remedyRegister(from: \"2026-06-01\", to: \"2026-06-30\") { count } }",
            json!({})
        )
        .await,
        "FORBIDDEN"
    );

    // An extension is agreed before the answer is due, not after.
    let late = app
        .ok(&cw, &format!("mutation($input: ReceiveComplaintInput!) {{ receiveComplaint(input: $input) {{ {COMPLAINT} }} }}"),
            json!({"input": {"childId": child, "receivedOn": "2026-05-11", "summary": "The transport was cancelled"}}))
        .await["receiveComplaint"]
        .clone();
    let late = complaint_step(
        &app,
        &cw,
        &late,
        "acknowledgeComplaint",
        "ComplaintStepInput",
        json!({"on": "2026-05-12"}),
    )
    .await;
    assert_eq!(
        late["deadlines"][1]["dueOn"], "2026-05-27",
        "10 working days past the spring bank holiday"
    );
    let (code, field, _) = refusal(
        &app,
        &cw,
        "mutation($input: ExtendComplaintInput!) { extendComplaint(input: $input) { id } }",
        json!({"complaintId": late["id"], "version": late["version"], "on": "2026-05-28", "until": "2026-06-10", "reason": "Awaiting the contractor"}),
    )
    .await;
    assert_eq!((code.as_str(), field.as_str()), ("VALIDATION", "on"));
    let late = complaint_step(
        &app,
        &cw,
        &late,
        "withdrawComplaint",
        "ComplaintStepInput",
        json!({"on": "2026-06-01"}),
    )
    .await;
    assert_eq!(late["state"], "WITHDRAWN");
    assert_eq!(late["closedOn"], "2026-06-01");
    assert_eq!(late["deadlines"][1]["status"], "NOT_APPLICABLE");
    assert_eq!(late["allowedActions"], json!([]));

    // Another complaint, unacknowledged since 1 May, is overdue in the backlog.
    app.ok(
        &cw,
        "mutation($input: ReceiveComplaintInput!) { receiveComplaint(input: $input) { id } }",
        json!({"input": {"childId": child, "receivedOn": "2026-05-01", "summary": "No reply"}}),
    )
    .await;
    let backlog = app
        .ok(&fx.manager, "{ backlog(filter: {process: COMPLAINT}) { stages { stage counts { open overdue } } } }", json!({}))
        .await;
    let stages: Vec<(String, i64)> = backlog["backlog"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["counts"]["open"].as_i64() > Some(0))
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_owned(),
                s["counts"]["overdue"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("COMPLAINT_ACKNOWLEDGEMENT".to_owned(), 1),
            ("COMPLAINT_STAGE_ONE_RESPONSE".to_owned(), 1)
        ]
    );
}

#[tokio::test]
async fn an_exception_on_an_order_to_amend_lifts_the_limit_on_the_dispute_and_its_amendment_alike()
{
    let app = TestApp::spawn_at(at("2025-07-10")).await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let (_, plan) = entered_plan(&app, &fx, "Ari Amended").await;
    let q = format!(
        "mutation($input: PlanDisputeInput!) {{ openPlanDispute(input: $input) {{ {DISPUTE} }} }}"
    );
    let d = app
        .ok(
            &cw,
            &q,
            json!({"input": {"planId": plan["id"], "appealed": "PLAN_CONTENT", "decisionSentOn": "2025-01-06"}}),
        )
        .await["openPlanDispute"]
        .clone();
    let d = step(
        &app,
        &cw,
        &d,
        "registerAppeal",
        "DisputeStepInput",
        json!({"on": "2025-02-20"}),
    )
    .await;
    // Ordered on 2 June 2025 to amend sections B and F: the amended plan within 5 weeks.
    let d = step(
        &app,
        &cw,
        &d,
        "recordTribunalOutcome",
        "TribunalOutcomeInput",
        json!({"on": "2025-06-02", "outcome": "ORDER", "orderKind": "AMEND_CONTENT", "note": "Sections B and F as the Tribunal's decision"}),
    )
    .await;
    assert_eq!(
        deadline(&d["deadlines"], "ORDER_AMENDED_PLAN")["dueOn"],
        "2025-07-07"
    );
    let d = step(
        &app,
        &cw,
        &d,
        "recordOrderException",
        "OrderExceptionInput",
        json!({"on": "2025-06-10", "reason": "FAMILY_REPRESENTATIONS"}),
    )
    .await;
    let (code, _, _) = refusal(
        &app,
        &cw,
        "mutation($input: OrderExceptionInput!) { recordOrderException(input: $input) { id } }",
        json!({"disputeId": d["id"], "version": d["version"], "on": "2025-06-11", "reason": "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES"}),
    )
    .await;
    assert_eq!(code, "CONFLICT", "one exception per order");
    let on_dispute = deadline(&d["deadlines"], "ORDER_AMENDED_PLAN");
    assert_eq!(on_dispute["status"], "EXCEPTED");
    let amendment = app
        .ok(
            &cw,
            "query($id: ID!) { plan(id: $id) { amendments { proposedChanges deadlines { kind status exceptedBy } timeline { text } } } }",
            json!({"id": plan["id"]}),
        )
        .await["plan"]["amendments"][0]
        .clone();
    assert_eq!(
        amendment["deadlines"],
        json!([{"kind": "ORDER_AMENDED_PLAN", "status": "EXCEPTED", "exceptedBy": ["FAMILY_REPRESENTATIONS"]}])
    );
    assert!(
        amendment["proposedChanges"]
            .as_str()
            .unwrap()
            .starts_with("As directed on 2 June 2025: amend what the EHC plan says"),
        "{}",
        amendment["proposedChanges"]
    );
    let timeline = amendment["timeline"].to_string();
    assert!(
        timeline.contains("the amended plan is due by 7 July 2025"),
        "{timeline}"
    );
    assert!(!timeline.contains("to comment"), "{timeline}");
    // The backlog counts the limit once, on the dispute, as excepted.
    let counts = app
        .ok(
            &fx.manager,
            "{ backlog { totals { open overdue excepted } } }",
            json!({}),
        )
        .await;
    assert_eq!(counts["backlog"]["totals"]["excepted"], 1, "{counts}");
}
