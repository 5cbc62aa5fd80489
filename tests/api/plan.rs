//! EHC plans through the API: direct entry, annual reviews, amendments, phase transfers,
//! transfers between councils and ceasing, with every step and refusal.
use chrono::{Datelike, Duration, NaiveDate};
use ehcp::domain::access::Role;
use serde_json::{Value, json};

use crate::common::{Fixture, TestApp};

const DEADLINE: &str = "deadlines { kind dueOn metOn status regulation statutory party }";

fn plan_fields() -> String {
    format!(
        "id status version issuedOn namedSetting enteredDirectly allowedActions
        lastReviewDecisionOn primaryNeed {{ code label }} secondaryNeeds {{ code }}
        reviewDue {{ dueOn kind regulation }}
        phaseTransfer {{ kind movesOn dueOn regulation overridden finalisedOn }}
        versions {{ number issuedOn namedSetting source }}
        {DEADLINE} nextStep {{ action description party dueOn regulation }}
        ceaseProposedOn ceasedOn ceaseReason {{ reason sen2Code label }}
        transferredInOn transferredOutOn transferredTo"
    )
}

fn review_fields() -> String {
    format!(
        "id state version kind scheduledOn meetingOn meetingHeld dueBy decision sen2DecisionCode
        allowedActions {DEADLINE} nextStep {{ action description party dueOn regulation }}
        timeline {{ on text }} adviceRequests {{ id service dueOn receivedOn }}
        amendment {{ id state version }}"
    )
}

fn amendment_fields() -> String {
    format!(
        "id state version reviewId meetingOn noticeSentOn parentCommentsUntil parentRespondedOn
        finalIssuedOn namedSetting phaseTransfer allowedActions {DEADLINE}
        nextStep {{ action description party dueOn regulation }} timeline {{ on text }}"
    )
}

/// The input type and the fields to select for each mutation.
fn signature(mutation: &str) -> (&'static str, String) {
    match mutation {
        "enterPlan" => ("EnterPlanInput", plan_fields()),
        "updatePlanNeeds" => ("UpdateNeedsInput", plan_fields()),
        "setPlacements" => ("SetPlacementsInput", plan_fields()),
        "setPersonalBudget" => ("SetPersonalBudgetInput", plan_fields()),
        "setPhaseTransfer" => ("SetPhaseTransferInput", plan_fields()),
        "sendTransferNotice" | "recordCeaseConsultation" | "decideNotToCease" => {
            ("PlanActionInput", plan_fields())
        }
        "proposeCeasing" => ("ProposeCeasingInput", plan_fields()),
        "ceasePlan" => ("CeasePlanInput", plan_fields()),
        "transferPlanOut" => ("TransferPlanOutInput", plan_fields()),
        "recordMove" => ("RecordMoveInput", plan_fields()),
        "scheduleReview" => ("ScheduleReviewInput", review_fields()),
        "proposeAmendment" => ("ProposeAmendmentInput", amendment_fields()),
        "rescheduleReviewMeeting" => ("RescheduleMeetingInput", review_fields()),
        "sendReviewInvitations"
        | "circulateReviewAdvice"
        | "holdReviewMeeting"
        | "recordReviewReport" => ("ReviewActionInput", review_fields()),
        "requestReviewAdvice" => ("ReviewAdviceInput", review_fields()),
        "recordReviewAdvice" => ("ReviewAdviceReceivedInput", review_fields()),
        "decideReview" => ("DecideReviewInput", review_fields()),
        "cancelReview" => ("CancelReviewInput", review_fields()),
        "sendAmendmentNotice" => ("AmendmentNoticeInput", amendment_fields()),
        "recordAmendmentResponse" => ("AmendmentResponseInput", amendment_fields()),
        "issueAmendedPlan" => ("IssueAmendedPlanInput", amendment_fields()),
        "decideNotToAmend" => ("NotToAmendInput", amendment_fields()),
        other => panic!("unknown mutation {other}"),
    }
}

/// Runs a mutation that must succeed; returns its object.
async fn act(app: &TestApp, token: &str, mutation: &str, input: Value) -> Value {
    let (input_type, fields) = signature(mutation);
    let q =
        format!("mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {fields} }} }}");
    app.ok(token, &q, json!({"input": input})).await[mutation].clone()
}

/// Runs a mutation that must fail; returns the first error.
async fn refuse(app: &TestApp, token: &str, mutation: &str, input: Value) -> Value {
    let (input_type, _) = signature(mutation);
    let q = format!("mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ id }} }}");
    let (_, body) = app.gql(Some(token), &q, json!({"input": input})).await;
    assert!(body["errors"].is_array(), "expected a refusal, got {body}");
    body["errors"][0].clone()
}

fn deadline(object: &Value, kind: &str) -> Value {
    object["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["kind"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} deadline in {:#}", object["deadlines"]))
}

fn has_deadline(object: &Value, kind: &str) -> bool {
    object["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .any(|d| d["kind"] == kind)
}

/// (due on, status, met on, regulation) of a deadline, for one-line assertions.
fn due(object: &Value, kind: &str) -> (String, String, Option<String>) {
    let d = deadline(object, kind);
    (
        d["dueOn"].as_str().expect("dueOn").to_owned(),
        d["status"].as_str().expect("status").to_owned(),
        d["metOn"].as_str().map(str::to_owned),
    )
}

fn met(on: &str, date: &str) -> (String, String, Option<String>) {
    (on.to_owned(), "MET".to_owned(), Some(date.to_owned()))
}

fn missed(on: &str, date: &str) -> (String, String, Option<String>) {
    (on.to_owned(), "MISSED".to_owned(), Some(date.to_owned()))
}

fn today() -> NaiveDate {
    crate::common::today()
}

use crate::common::months_starting_with;

fn days_ago(n: i64) -> String {
    (today() - Duration::days(n)).to_string()
}

/// The first year of the current school year (it starts on 1 September).
fn school_year_start() -> i32 {
    let t = today();
    if t.month() >= 9 {
        t.year()
    } else {
        t.year() - 1
    }
}

/// A date of birth that puts a child in Year 6 this school year.
fn year_six_birthday() -> String {
    format!("{}-10-01", school_year_start() - 11)
}

/// A child in Year 13 this school year: no further phase transfer to plan for.
fn year_thirteen_birthday() -> String {
    format!("{}-10-01", school_year_start() - 18)
}

async fn enter_plan(app: &TestApp, fx: &Fixture, dob: &str, input: Value) -> Value {
    let child = app.create_child(fx, "Ada Lovelace", dob).await;
    let mut input = input;
    input["childId"] = json!(child);
    act(app, &fx.caseworker, "enterPlan", input).await
}

fn with_version(object: &Value, key: &str, mut input: Value) -> Value {
    input[key] = object["id"].clone();
    input["version"] = object["version"].clone();
    input
}

#[tokio::test]
async fn a_caseworker_runs_an_existing_plan_through_a_review_an_amendment_and_a_phase_transfer() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let transfer_year = school_year_start() + 1;
    let phase_due = format!("{transfer_year}-02-14");

    // A plan from before the system: issued 12 March 2024, last reviewed 20 March 2025.
    let plan = enter_plan(&app, &fx, &year_six_birthday(), json!({"issuedOn": "2024-03-12", "lastReviewDecisionOn": "2025-03-20", "namedSetting": "Stanwix Primary School", "primaryNeed": "ASD", "secondaryNeeds": ["SLCN", "SEMH"]})).await;
    assert_eq!(plan["status"], "ACTIVE");
    assert_eq!(plan["enteredDirectly"], true);
    assert_eq!(plan["primaryNeed"]["code"], "ASD");
    assert_eq!(plan["primaryNeed"]["label"], "Autistic spectrum disorder");
    assert_eq!(
        plan["secondaryNeeds"],
        json!([{"code": "SLCN"}, {"code": "SEMH"}])
    );
    assert_eq!(
        plan["versions"],
        json!([{"number": 1, "issuedOn": "2024-03-12", "namedSetting": "Stanwix Primary School", "source": "ENTERED"}])
    );
    // The 12 months run from the last review decision (CFA 2014 s.44(1)).
    let review = deadline(&plan, "ANNUAL_REVIEW");
    // "The period of 12 months starting with" 20 March 2025 ends on 19 March 2026.
    assert_eq!(review["dueOn"], "2026-03-19");
    assert_eq!(
        review["regulation"],
        "CFA 2014 s.44(1); SEND Regs 2014 reg 19, 20(10)"
    );
    assert_eq!(
        plan["phaseTransfer"],
        json!({"kind": "PRIMARY_TO_SECONDARY", "movesOn": format!("{transfer_year}-09-01"), "dueOn": phase_due, "regulation": "SEND Regs 2014 reg 18(1)(b)", "overridden": false, "finalisedOn": null})
    );
    assert_eq!(deadline(&plan, "PHASE_TRANSFER")["dueOn"], phase_due);
    assert_eq!(plan["nextStep"]["action"], "SCHEDULE_REVIEW");
    assert_eq!(plan["nextStep"]["dueOn"], "2026-03-19");

    // The review: meeting on Thursday 26 February 2026.
    let r = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": "2026-01-10", "meetingOn": "2026-02-26"}),
        ),
    )
    .await;
    assert_eq!(
        (r["state"].as_str(), r["dueBy"].as_str()),
        (Some("SCHEDULED"), Some("2026-03-19"))
    );
    let invitations = deadline(&r, "REVIEW_INVITATIONS");
    assert_eq!(
        (
            invitations["dueOn"].as_str(),
            invitations["regulation"].as_str()
        ),
        (Some("2026-02-12"), Some("SEND Regs 2014 reg 20(3)"))
    );
    assert_eq!(
        deadline(&r, "REVIEW_ADVICE_CIRCULATED")["dueOn"],
        "2026-02-12"
    );
    assert_eq!(deadline(&r, "REVIEW_REPORT")["dueOn"], "2026-03-12");
    assert_eq!(deadline(&r, "REVIEW_REPORT")["party"], "SETTING");
    assert_eq!(deadline(&r, "REVIEW_DECISION")["dueOn"], "2026-03-26");
    assert_eq!(r["nextStep"]["action"], "SEND_INVITATIONS");
    assert_eq!(r["nextStep"]["dueOn"], "2026-02-12");

    let r = act(
        &app,
        &cw,
        "requestReviewAdvice",
        with_version(
            &r,
            "reviewId",
            json!({"on": "2026-01-15", "service": "EDUCATIONAL_PSYCHOLOGY"}),
        ),
    )
    .await;
    assert_eq!(r["adviceRequests"][0]["dueOn"], "2026-02-12");
    let advice = r["adviceRequests"][0]["id"].clone();
    let r = act(
        &app,
        &cw,
        "recordReviewAdvice",
        with_version(
            &r,
            "reviewId",
            json!({"on": "2026-02-10", "adviceRequestId": advice, "summary": "Progress report"}),
        ),
    )
    .await;
    assert_eq!(r["adviceRequests"][0]["receivedOn"], "2026-02-10");
    let r = act(
        &app,
        &cw,
        "sendReviewInvitations",
        with_version(&r, "reviewId", json!({"on": "2026-02-05"})),
    )
    .await;
    assert_eq!(
        due(&r, "REVIEW_INVITATIONS"),
        met("2026-02-12", "2026-02-05")
    );
    let r = act(
        &app,
        &cw,
        "circulateReviewAdvice",
        with_version(&r, "reviewId", json!({"on": "2026-02-13"})),
    )
    .await;
    assert_eq!(
        due(&r, "REVIEW_ADVICE_CIRCULATED"),
        missed("2026-02-12", "2026-02-13"),
        "a day late"
    );
    let r = act(
        &app,
        &cw,
        "holdReviewMeeting",
        with_version(&r, "reviewId", json!({"on": "2026-02-26"})),
    )
    .await;
    assert_eq!(r["state"], "MEETING_HELD");
    // Recorded after the fact: the report's two weeks are over, so the decision is next.
    assert_eq!(deadline(&r, "REVIEW_REPORT")["status"], "OVERDUE");
    assert_eq!(r["nextStep"]["action"], "DECIDE");
    let r = act(
        &app,
        &cw,
        "recordReviewReport",
        with_version(&r, "reviewId", json!({"on": "2026-03-09"})),
    )
    .await;
    assert_eq!(due(&r, "REVIEW_REPORT"), met("2026-03-12", "2026-03-09"));
    assert_eq!(r["nextStep"]["action"], "DECIDE");
    assert_eq!(
        r["nextStep"]["dueOn"], "2026-03-19",
        "the 12 months end before M + 4 weeks"
    );

    // Decision to amend, with the proposed changes the same day (Devon).
    let r = act(&app, &cw, "decideReview", with_version(&r, "reviewId", json!({"on": "2026-03-19", "decision": "AMEND", "appealRightsGiven": true, "proposedChanges": "Section F: add weekly speech and language therapy"}))).await;
    assert_eq!(
        (
            r["state"].as_str(),
            r["decision"].as_str(),
            r["sen2DecisionCode"].as_str()
        ),
        (Some("DECIDED"), Some("AMEND"), Some("A"))
    );
    assert_eq!(due(&r, "REVIEW_DECISION"), met("2026-03-26", "2026-03-19"));
    assert_eq!(due(&r, "ANNUAL_REVIEW"), met("2026-03-19", "2026-03-19"));
    assert_eq!(r["allowedActions"], json!([]));
    assert_eq!(r["amendment"]["state"], "NOTICE_SENT");

    let q = format!(
        "query($id: ID!) {{ planAmendment(id: $id) {{ {} }} }}",
        amendment_fields()
    );
    let a = app.ok(&cw, &q, json!({"id": r["amendment"]["id"]})).await["planAmendment"].clone();
    assert_eq!(due(&a, "AMENDMENT_NOTICE"), met("2026-03-26", "2026-03-19"));
    assert_eq!(
        deadline(&a, "AMENDMENT_NOTICE")["regulation"],
        "SEND Regs 2014 reg 20(10), 22(2); R (L, M, P) v Devon CC [2022] EWHC 493 (Admin)"
    );
    assert_eq!(a["parentCommentsUntil"], "2026-04-02");
    assert_eq!(deadline(&a, "AMENDMENT_COMMENTS")["party"], "PARENT");
    assert_eq!(deadline(&a, "AMENDED_PLAN")["dueOn"], "2026-05-14");
    assert_eq!(
        deadline(&a, "AMENDED_PLAN")["regulation"],
        "SEND Regs 2014 reg 22(3)"
    );

    // The final plan must wait for the parent's 15 days or their response.
    let early = refuse(
        &app,
        &cw,
        "issueAmendedPlan",
        with_version(&a, "amendmentId", json!({"on": "2026-03-25"})),
    )
    .await;
    assert_eq!(early["extensions"]["code"], "VALIDATION");
    assert_eq!(early["extensions"]["field"], "on");
    let a = act(
        &app,
        &cw,
        "recordAmendmentResponse",
        with_version(
            &a,
            "amendmentId",
            json!({"on": "2026-03-30", "comments": "Agree"}),
        ),
    )
    .await;
    assert_eq!(
        due(&a, "AMENDMENT_COMMENTS"),
        met("2026-04-02", "2026-03-30")
    );
    let a = act(
        &app,
        &cw,
        "issueAmendedPlan",
        with_version(&a, "amendmentId", json!({"on": "2026-04-20"})),
    )
    .await;
    assert_eq!(a["state"], "FINAL_ISSUED");
    assert_eq!(due(&a, "AMENDED_PLAN"), met("2026-05-14", "2026-04-20"));

    let q = format!(
        "query($id: ID!) {{ plan(id: $id) {{ {} timeline {{ on text }} }} }}",
        plan_fields()
    );
    let plan = app.ok(&cw, &q, json!({"id": plan["id"]})).await["plan"].clone();
    assert_eq!(plan["lastReviewDecisionOn"], "2026-03-19");
    assert_eq!(due(&plan, "ANNUAL_REVIEW").0, "2027-03-18");
    assert_eq!(
        plan["versions"][1],
        json!({"number": 2, "issuedOn": "2026-04-20", "namedSetting": "Stanwix Primary School", "source": "AMENDED"})
    );
    // The transfer year's date comes first when it falls before the 12 months.
    let expected_review_due = phase_due.clone().min("2027-03-18".to_owned());
    assert_eq!(plan["reviewDue"]["dueOn"], expected_review_due);
    let texts: Vec<&str> = plan["timeline"]
        .as_array()
        .expect("t")
        .iter()
        .map(|m| m["text"].as_str().expect("text"))
        .collect();
    assert_eq!(texts[0], "EHC plan issued");
    assert!(
        texts.contains(
            &"The council decided to amend the plan — you can appeal once the final amended plan \
              is issued"
        ),
        "{texts:?}"
    );
    assert_eq!(
        texts.last(),
        Some(&"Final amended EHC plan issued — you can appeal what it says")
    );

    // The phase transfer review, in this school year, and the amended plan naming the
    // secondary school.
    let r = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": days_ago(60), "meetingOn": days_ago(40)}),
        ),
    )
    .await;
    let r = act(
        &app,
        &cw,
        "holdReviewMeeting",
        with_version(&r, "reviewId", json!({"on": days_ago(40)})),
    )
    .await;
    let r = act(
        &app,
        &cw,
        "decideReview",
        with_version(
            &r,
            "reviewId",
            json!({"on": days_ago(30), "decision": "AMEND", "appealRightsGiven": true}),
        ),
    )
    .await;
    assert_eq!(r["amendment"]["state"], "NOTICE_DUE");
    let q = format!(
        "query($id: ID!) {{ planAmendment(id: $id) {{ {} }} }}",
        amendment_fields()
    );
    let a = app.ok(&cw, &q, json!({"id": r["amendment"]["id"]})).await["planAmendment"].clone();
    assert_eq!(a["nextStep"]["action"], "SEND_NOTICE");
    let a = act(
        &app,
        &cw,
        "sendAmendmentNotice",
        with_version(
            &a,
            "amendmentId",
            json!({"on": days_ago(25), "proposedChanges": "Section I: Trinity School"}),
        ),
    )
    .await;
    let a = act(
        &app,
        &cw,
        "issueAmendedPlan",
        with_version(
            &a,
            "amendmentId",
            json!({"on": days_ago(2), "namedSetting": "Trinity School", "phaseTransfer": true}),
        ),
    )
    .await;
    assert_eq!(a["phaseTransfer"], true);
    let q = format!(
        "query($id: ID!) {{ plan(id: $id) {{ {} }} }}",
        plan_fields()
    );
    let plan = app.ok(&cw, &q, json!({"id": plan["id"]})).await["plan"].clone();
    assert_eq!(plan["namedSetting"], "Trinity School");
    assert_eq!(plan["versions"].as_array().expect("v").len(), 3);
    assert_eq!(plan["phaseTransfer"]["finalisedOn"], days_ago(2));
    let finalised_in_time = days_ago(2) <= phase_due;
    assert_eq!(
        due(&plan, "PHASE_TRANSFER"),
        (
            phase_due.clone(),
            if finalised_in_time { "MET" } else { "MISSED" }.to_owned(),
            Some(days_ago(2))
        )
    );
    assert_eq!(plan["lastReviewDecisionOn"], days_ago(30));

    // Every step is in the audit trail.
    let q = "query { auditEvents(first: 100) { edges { node { entity action } } } }";
    let data = app.ok(&fx.manager, q, json!({})).await;
    let events: Vec<String> = data["auditEvents"]["edges"]
        .as_array()
        .expect("e")
        .iter()
        .rev()
        .map(|e| {
            format!(
                "{}.{}",
                e["node"]["entity"].as_str().expect("e"),
                e["node"]["action"].as_str().expect("a")
            )
        })
        .filter(|e| {
            ["ehc_plan.", "annual_review.", "plan_amendment."]
                .iter()
                .any(|p| e.starts_with(p))
        })
        .collect();
    assert_eq!(
        events,
        [
            "ehc_plan.ENTER",
            "ehc_plan.SCHEDULE_REVIEW",
            "annual_review.SCHEDULE",
            "annual_review.REQUEST_ADVICE",
            "annual_review.RECORD_ADVICE",
            "annual_review.SEND_INVITATIONS",
            "annual_review.CIRCULATE_ADVICE",
            "annual_review.HOLD_MEETING",
            "annual_review.RECORD_REPORT",
            "annual_review.DECIDE",
            "plan_amendment.START",
            "plan_amendment.RECORD_PARENT_RESPONSE",
            "plan_amendment.ISSUE_AMENDED_PLAN",
            "ehc_plan.SCHEDULE_REVIEW",
            "annual_review.SCHEDULE",
            "annual_review.HOLD_MEETING",
            "annual_review.DECIDE",
            "plan_amendment.START",
            "plan_amendment.SEND_NOTICE",
            "plan_amendment.ISSUE_AMENDED_PLAN",
        ]
    );
}

#[tokio::test]
async fn a_late_review_decision_moves_the_next_review_date() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let plan = enter_plan(
        &app,
        &fx,
        &year_thirteen_birthday(),
        json!({"issuedOn": "2025-01-10"}),
    )
    .await;
    assert_eq!(due(&plan, "ANNUAL_REVIEW").0, "2026-01-09");
    assert!(
        !has_deadline(&plan, "PHASE_TRANSFER"),
        "no transfer after Year 13"
    );
    let r = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": "2025-11-01", "meetingOn": "2025-12-11"}),
        ),
    )
    .await;
    // The meeting moved a week: every deadline moves with it.
    let r = act(
        &app,
        &cw,
        "rescheduleReviewMeeting",
        with_version(&r, "reviewId", json!({"meetingOn": "2025-12-18"})),
    )
    .await;
    assert_eq!(deadline(&r, "REVIEW_INVITATIONS")["dueOn"], "2025-12-04");
    let r = act(
        &app,
        &cw,
        "holdReviewMeeting",
        with_version(&r, "reviewId", json!({"on": "2025-12-18"})),
    )
    .await;
    assert_eq!(deadline(&r, "REVIEW_INVITATIONS")["status"], "OVERDUE");
    assert_eq!(deadline(&r, "REVIEW_DECISION")["dueOn"], "2026-01-15");
    let r = act(
        &app,
        &cw,
        "decideReview",
        with_version(
            &r,
            "reviewId",
            json!({"on": "2026-02-03", "decision": "MAINTAIN", "appealRightsGiven": true}),
        ),
    )
    .await;
    assert_eq!(
        due(&r, "REVIEW_DECISION"),
        missed("2026-01-15", "2026-02-03")
    );
    assert_eq!(due(&r, "ANNUAL_REVIEW"), missed("2026-01-09", "2026-02-03"));
    assert_eq!(r["amendment"], Value::Null);
    let q = format!(
        "query($id: ID!) {{ plan(id: $id) {{ {} }} }}",
        plan_fields()
    );
    let plan = app.ok(&cw, &q, json!({"id": plan["id"]})).await["plan"].clone();
    assert_eq!(plan["lastReviewDecisionOn"], "2026-02-03");
    assert_eq!(due(&plan, "ANNUAL_REVIEW").0, "2027-02-02");
    assert_eq!(
        plan["reviewDue"],
        json!({"dueOn": "2027-02-02", "kind": "ANNUAL_REVIEW", "regulation": "CFA 2014 s.44(1); SEND Regs 2014 reg 19, 20(10)"})
    );
    // The backlog filter uses the moved date.
    let q = "query($by: Date) { plans(reviewDueBy: $by) { edges { node { id } } } }";
    let before = app.ok(&cw, q, json!({"by": "2027-02-01"})).await;
    assert_eq!(before["plans"]["edges"], json!([]));
    let on = app.ok(&cw, q, json!({"by": "2027-02-02"})).await;
    assert_eq!(on["plans"]["edges"][0]["node"]["id"], plan["id"]);
}

#[tokio::test]
async fn a_plan_issued_by_an_assessment_is_version_one_and_reviewed_within_twelve_months() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let child = app
        .create_child(&fx, "Bea", &year_thirteen_birthday())
        .await;
    let data = app.ok(&cw, "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }", json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": days_ago(200)}})).await;
    let mut a = data["requestAssessment"].clone();
    let start: NaiveDate = days_ago(200).parse().expect("date");
    let step = |n: i64| (start + Duration::days(n)).to_string();
    for (mutation, input_type, extra) in [
        ("decideToAssess", "DecisionInput", json!({"on": step(20)})),
        ("sendDraftPlan", "ActionInput", json!({"on": step(60)})),
        (
            "issueFinalPlan",
            "IssueFinalPlanInput",
            json!({"on": step(80), "namedSetting": "Carlisle College"}),
        ),
    ] {
        let mut input = extra;
        input["assessmentId"] = a["id"].clone();
        input["version"] = a["version"].clone();
        let q = format!(
            "mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ id version }} }}"
        );
        a = app.ok(&cw, &q, json!({"input": input})).await[mutation].clone();
    }
    let q = format!(
        "query($id: ID!) {{ assessment(id: $id) {{ plan {{ {} }} }} }}",
        plan_fields()
    );
    let plan = app.ok(&cw, &q, json!({"id": a["id"]})).await["assessment"]["plan"].clone();
    assert_eq!(plan["enteredDirectly"], false);
    assert_eq!(
        plan["versions"],
        json!([{"number": 1, "issuedOn": step(80), "namedSetting": "Carlisle College", "source": "ISSUED"}])
    );
    let issued: NaiveDate = step(80).parse().expect("date");
    let twelve_months = months_starting_with(issued, 12);
    assert_eq!(due(&plan, "ANNUAL_REVIEW").0, twelve_months.to_string());
    // And the child shows it.
    let data = app
        .ok(
            &cw,
            "query($id: ID!) { child(id: $id) { plans { id status } } }",
            json!({"id": child}),
        )
        .await;
    assert_eq!(
        data["child"]["plans"],
        json!([{"id": plan["id"], "status": "ACTIVE"}])
    );
}

#[tokio::test]
async fn an_under_five_has_a_six_month_target_marked_as_guidance() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let dob = format!("{}-05-01", today().year() - 3);
    let issued = days_ago(30);
    let plan = enter_plan(&app, &fx, &dob, json!({"issuedOn": issued})).await;
    let target = deadline(&plan, "UNDER_FIVE_REVIEW");
    let issued: NaiveDate = issued.parse().expect("date");
    let six_months = months_starting_with(issued, 6);
    assert_eq!(target["dueOn"], six_months.to_string());
    assert_eq!(target["statutory"], false);
    assert_eq!(
        target["regulation"],
        "SEND Code of Practice 2015 para 9.178 (guidance)"
    );
    assert_eq!(deadline(&plan, "ANNUAL_REVIEW")["statutory"], true);
    assert_eq!(plan["phaseTransfer"]["kind"], "EARLY_YEARS_TO_SCHOOL");
}

#[tokio::test]
async fn a_plan_is_ceased_only_after_consultation_with_a_sen2_reason_and_appeal_rights() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let plan = enter_plan(
        &app,
        &fx,
        &year_thirteen_birthday(),
        json!({"issuedOn": "2025-06-01", "namedSetting": "Carlisle College"}),
    )
    .await;
    // Ceasing before the consultation is a conflict listing what is allowed.
    let early = refuse(
        &app,
        &cw,
        "ceasePlan",
        with_version(
            &plan,
            "planId",
            json!({"reason": "PAID_EMPLOYMENT", "appealRightsGiven": true}),
        ),
    )
    .await;
    assert_eq!(early["extensions"]["code"], "CONFLICT");
    assert_eq!(
        early["extensions"]["allowedActions"],
        json!([
            "UPDATE_NEEDS",
            "SET_PHASE_TRANSFER",
            "SET_PLACEMENTS",
            "SET_PERSONAL_BUDGET",
            "SCHEDULE_REVIEW",
            "PROPOSE_AMENDMENT",
            "PROPOSE_CEASING",
            "RECORD_MOVE",
            "TRANSFER_OUT"
        ])
    );
    let plan = act(
        &app,
        &cw,
        "proposeCeasing",
        with_version(
            &plan,
            "planId",
            json!({"on": "2026-05-01", "reasons": "Starting an apprenticeship"}),
        ),
    )
    .await;
    assert_eq!(plan["nextStep"]["action"], "RECORD_CEASE_CONSULTATION");
    let plan = act(
        &app,
        &cw,
        "recordCeaseConsultation",
        with_version(&plan, "planId", json!({"on": "2026-05-10"})),
    )
    .await;
    let no_rights = refuse(
        &app,
        &cw,
        "ceasePlan",
        with_version(
            &plan,
            "planId",
            json!({"on": "2026-05-20", "reason": "PAID_EMPLOYMENT", "appealRightsGiven": false}),
        ),
    )
    .await;
    assert_eq!(no_rights["extensions"]["field"], "appealRightsGiven");
    let plan = act(
        &app,
        &cw,
        "ceasePlan",
        with_version(
            &plan,
            "planId",
            json!({"on": "2026-05-20", "reason": "PAID_EMPLOYMENT", "appealRightsGiven": true}),
        ),
    )
    .await;
    assert_eq!(plan["status"], "CEASED");
    assert_eq!(plan["ceasedOn"], "2026-05-20");
    assert_eq!(
        plan["ceaseReason"],
        json!({"reason": "PAID_EMPLOYMENT", "sen2Code": 4, "label": "Moved on to paid employment"})
    );
    // Only its SEN2 record stays correctable (the return reports plans ceased in its year).
    assert_eq!(
        plan["allowedActions"],
        json!(["SET_PLACEMENTS", "SET_PERSONAL_BUDGET"])
    );
    assert_eq!(plan["nextStep"], Value::Null);
    assert_eq!(plan["reviewDue"], Value::Null);
    assert!(
        plan["deadlines"]
            .as_array()
            .expect("d")
            .iter()
            .all(|d| d["status"] == "NOT_APPLICABLE"),
        "a ceased plan has no further deadlines: {:#}",
        plan["deadlines"]
    );
    let after = refuse(
        &app,
        &cw,
        "scheduleReview",
        with_version(&plan, "planId", json!({"meetingOn": days_ago(0)})),
    )
    .await;
    assert_eq!(after["extensions"]["code"], "CONFLICT");
    assert_eq!(
        after["extensions"]["allowedActions"],
        json!(["SET_PLACEMENTS", "SET_PERSONAL_BUDGET"]),
        "only the SEN2 record is: {after}"
    );
    // Where the young person was placed is still recorded after the plan ceased.
    let placed = act(
        &app,
        &cw,
        "setPlacements",
        with_version(
            &plan,
            "planId",
            json!({"placements": [{"urn": "100001", "entryOn": plan["issuedOn"], "leavingOn": "2026-05-20"}]}),
        ),
    )
    .await;
    assert_eq!(placed["status"], "CEASED");
    // A new plan may now be entered for the child.
    let child = app
        .ok(
            &cw,
            "query($id: ID!) { plan(id: $id) { child { id } } }",
            json!({"id": plan["id"]}),
        )
        .await["plan"]["child"]["id"]
        .clone();
    let q = "query($id: ID!, $s: PlanStatus) { plans(childId: $id, status: $s) { edges { node { id } } } }";
    let ceased = app.ok(&cw, q, json!({"id": child, "s": "CEASED"})).await;
    assert_eq!(ceased["plans"]["edges"][0]["node"]["id"], plan["id"]);
}

#[tokio::test]
async fn a_review_decision_to_cease_starts_the_consultation() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let plan = enter_plan(
        &app,
        &fx,
        &year_thirteen_birthday(),
        json!({"issuedOn": "2025-06-01"}),
    )
    .await;
    let r = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": "2026-03-01", "meetingOn": "2026-04-01", "kind": "INTERIM"}),
        ),
    )
    .await;
    assert_eq!(r["kind"], "INTERIM");
    let r = act(
        &app,
        &cw,
        "holdReviewMeeting",
        with_version(&r, "reviewId", json!({"on": "2026-04-02"})),
    )
    .await;
    let r = act(&app, &cw, "decideReview", with_version(&r, "reviewId", json!({"on": "2026-04-20", "decision": "CEASE", "appealRightsGiven": true, "reasons": "Outcomes met"}))).await;
    assert_eq!(r["sen2DecisionCode"], "C");
    let q = format!(
        "query($id: ID!) {{ plan(id: $id) {{ {} }} }}",
        plan_fields()
    );
    let plan = app.ok(&cw, &q, json!({"id": plan["id"]})).await["plan"].clone();
    assert_eq!(plan["ceaseProposedOn"], "2026-04-20");
    assert_eq!(plan["nextStep"]["action"], "RECORD_CEASE_CONSULTATION");
    let plan = act(
        &app,
        &cw,
        "recordCeaseConsultation",
        with_version(&plan, "planId", json!({"on": "2026-05-01"})),
    )
    .await;
    let plan = act(
        &app,
        &cw,
        "decideNotToCease",
        with_version(&plan, "planId", json!({"on": "2026-05-15"})),
    )
    .await;
    assert_eq!(plan["status"], "ACTIVE");
    assert_eq!(plan["ceaseProposedOn"], Value::Null);
    assert_eq!(plan["nextStep"]["action"], "SCHEDULE_REVIEW");
    assert_eq!(plan["nextStep"]["dueOn"], "2027-04-19");
}

#[tokio::test]
async fn a_plan_moves_between_councils_with_the_new_councils_notice_and_review_dates() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    // Made elsewhere 1 December 2024, last reviewed 1 December 2025, moved in 10 November 2026:
    // the review is due by the later of 1 December 2026 and 10 February 2027 (reg 15(5)).
    let plan = enter_plan(&app, &fx, &year_thirteen_birthday(), json!({"issuedOn": "2024-12-01", "lastReviewDecisionOn": "2025-12-01", "transferredInOn": "2026-11-10", "transferredFrom": "Northumberland"})).await;
    assert_eq!(plan["versions"][0]["source"], "TRANSFERRED_IN");
    let notice = deadline(&plan, "TRANSFER_NOTICE");
    assert_eq!(
        (notice["dueOn"].as_str(), notice["regulation"].as_str()),
        (Some("2026-12-22"), Some("SEND Regs 2014 reg 15(4)"))
    );
    let review = deadline(&plan, "TRANSFER_REVIEW");
    assert_eq!(
        (review["dueOn"].as_str(), review["regulation"].as_str()),
        (
            // The 3 months beginning with the transfer (10 November) end on 9 February.
            Some("2027-02-09"),
            Some("SEND Regs 2014 reg 15(5); CFA 2014 s.44")
        )
    );
    assert_eq!(plan["nextStep"]["action"], "SEND_TRANSFER_NOTICE");
    assert_eq!(plan["nextStep"]["dueOn"], "2026-12-22");
    let plan = act(
        &app,
        &cw,
        "sendTransferNotice",
        with_version(&plan, "planId", json!({"on": "2026-11-20"})),
    )
    .await;
    assert_eq!(
        due(&plan, "TRANSFER_NOTICE"),
        met("2026-12-22", "2026-11-20")
    );
    assert_eq!(plan["nextStep"]["action"], "SCHEDULE_REVIEW");

    // Moving on again: an open review is closed and nothing more can be done here.
    let r = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": "2026-11-21", "meetingOn": "2027-01-20"}),
        ),
    )
    .await;
    assert_eq!(r["dueBy"], "2027-02-09");
    let q = "query($id: ID!) { plan(id: $id) { version } }";
    let version = app.ok(&cw, q, json!({"id": plan["id"]})).await["plan"]["version"].clone();
    let a = act(
        &app,
        &cw,
        "proposeAmendment",
        json!({"planId": plan["id"], "version": version, "on": "2026-11-21", "proposedChanges": "Section F"}),
    )
    .await;
    let version = app.ok(&cw, q, json!({"id": plan["id"]})).await["plan"]["version"].clone();
    // Told on Saturday 21 November of a move on 30 November: the 15 working days from
    // Monday 23 November end on Friday 11 December, after the move (reg 15(2)).
    let plan = act(&app, &cw, "recordMove", json!({"planId": plan["id"], "version": version, "on": "2026-11-21", "movesOn": "2026-11-30"})).await;
    let transfer = deadline(&plan, "TRANSFER_OUT");
    assert_eq!(
        (transfer["dueOn"].as_str(), transfer["regulation"].as_str()),
        (Some("2026-12-11"), Some("SEND Regs 2014 reg 15(2)"))
    );
    assert_eq!(plan["nextStep"]["action"], "TRANSFER_OUT");
    assert_eq!(plan["nextStep"]["dueOn"], "2026-12-11");
    let plan = act(
        &app,
        &cw,
        "transferPlanOut",
        with_version(
            &plan,
            "planId",
            json!({"on": "2026-11-22", "toLocalAuthority": "Westmorland and Furness"}),
        ),
    )
    .await;
    assert_eq!(due(&plan, "TRANSFER_OUT"), met("2026-12-11", "2026-11-22"));
    assert_eq!(
        (plan["status"].as_str(), plan["transferredTo"].as_str()),
        (Some("TRANSFERRED_OUT"), Some("Westmorland and Furness"))
    );
    assert_eq!(
        plan["allowedActions"],
        json!(["SET_PLACEMENTS", "SET_PERSONAL_BUDGET"])
    );
    let q = format!(
        "query($id: ID!) {{ annualReview(id: $id) {{ {} }} }}",
        review_fields()
    );
    let r = app.ok(&cw, &q, json!({"id": r["id"]})).await["annualReview"].clone();
    assert_eq!(r["state"], "CANCELLED");
    assert_eq!(r["allowedActions"], json!([]));
    // The amendment under way stops too: the new council carries on.
    let q = format!(
        "query($id: ID!) {{ planAmendment(id: $id) {{ {} }} }}",
        amendment_fields()
    );
    let a = app.ok(&cw, &q, json!({"id": a["id"]})).await["planAmendment"].clone();
    assert_eq!(
        (a["allowedActions"].clone(), a["nextStep"].clone()),
        (json!([]), Value::Null)
    );
    assert_eq!(deadline(&a, "AMENDED_PLAN")["status"], "NOT_APPLICABLE");
    let refused = refuse(
        &app,
        &cw,
        "issueAmendedPlan",
        with_version(&a, "amendmentId", json!({})),
    )
    .await;
    assert_eq!(refused["extensions"]["code"], "CONFLICT");
}

#[tokio::test]
async fn an_amendment_outside_a_review_and_a_decision_not_to_amend() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let plan = enter_plan(
        &app,
        &fx,
        &year_thirteen_birthday(),
        json!({"issuedOn": "2025-06-01"}),
    )
    .await;
    let a = act(
        &app,
        &cw,
        "proposeAmendment",
        with_version(
            &plan,
            "planId",
            json!({"on": "2026-01-31", "proposedChanges": "Update section B"}),
        ),
    )
    .await;
    assert_eq!(a["state"], "NOTICE_SENT");
    assert!(
        !has_deadline(&a, "AMENDMENT_NOTICE"),
        "no review meeting to count from"
    );
    assert_eq!(deadline(&a, "AMENDMENT_COMMENTS")["dueOn"], "2026-02-14");
    assert_eq!(deadline(&a, "AMENDED_PLAN")["dueOn"], "2026-03-28");
    // One amendment at a time.
    let q = "query($id: ID!) { plan(id: $id) { version allowedActions } }";
    let now = app.ok(&cw, q, json!({"id": plan["id"]})).await["plan"].clone();
    let twice = refuse(
        &app,
        &cw,
        "proposeAmendment",
        json!({"planId": plan["id"], "version": now["version"], "proposedChanges": "More"}),
    )
    .await;
    assert_eq!(twice["extensions"]["code"], "CONFLICT");
    assert!(
        !now["allowedActions"]
            .as_array()
            .expect("a")
            .contains(&json!("PROPOSE_AMENDMENT"))
    );
    let no_rights = refuse(
        &app,
        &cw,
        "decideNotToAmend",
        with_version(
            &a,
            "amendmentId",
            json!({"on": "2026-03-01", "reasons": "Parent disagreed", "appealRightsGiven": false}),
        ),
    )
    .await;
    assert_eq!(no_rights["extensions"]["field"], "appealRightsGiven");
    let a = act(
        &app,
        &cw,
        "decideNotToAmend",
        with_version(
            &a,
            "amendmentId",
            json!({"on": "2026-03-01", "reasons": "Parent disagreed", "appealRightsGiven": true}),
        ),
    )
    .await;
    assert_eq!(a["state"], "NOT_AMENDED");
    assert_eq!(
        due(&a, "DECISION_NOT_TO_AMEND"),
        met("2026-03-28", "2026-03-01")
    );
    assert_eq!(deadline(&a, "AMENDED_PLAN")["status"], "NOT_APPLICABLE");
    assert_eq!(a["nextStep"], Value::Null);
}

#[tokio::test]
async fn review_actions_the_state_does_not_allow_are_conflicts_listing_the_allowed_actions() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let plan = enter_plan(
        &app,
        &fx,
        &year_thirteen_birthday(),
        json!({"issuedOn": "2025-06-01"}),
    )
    .await;
    let r = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": days_ago(10), "meetingOn": days_ago(0)}),
        ),
    )
    .await;
    let error = refuse(
        &app,
        &cw,
        "decideReview",
        with_version(
            &r,
            "reviewId",
            json!({"decision": "MAINTAIN", "appealRightsGiven": true}),
        ),
    )
    .await;
    assert_eq!(error["extensions"]["code"], "CONFLICT");
    assert_eq!(
        error["extensions"]["allowedActions"],
        json!([
            "RESCHEDULE_MEETING",
            "SEND_INVITATIONS",
            "REQUEST_ADVICE",
            "RECORD_ADVICE",
            "CIRCULATE_ADVICE",
            "HOLD_MEETING",
            "CANCEL"
        ])
    );
    // A second review while one is open.
    let q = "query($id: ID!) { plan(id: $id) { version } }";
    let version = app.ok(&cw, q, json!({"id": plan["id"]})).await["plan"]["version"].clone();
    let twice = refuse(
        &app,
        &cw,
        "scheduleReview",
        json!({"planId": plan["id"], "version": version, "meetingOn": days_ago(0)}),
    )
    .await;
    assert_eq!(twice["extensions"]["code"], "CONFLICT");
    assert!(
        !twice["extensions"]["allowedActions"]
            .as_array()
            .expect("a")
            .contains(&json!("SCHEDULE_REVIEW"))
    );
    // Cancelled: closed, and the plan may be reviewed again.
    let r = act(
        &app,
        &cw,
        "cancelReview",
        with_version(&r, "reviewId", json!({"reason": "Parent unwell"})),
    )
    .await;
    assert_eq!(
        (r["state"].as_str(), r["allowedActions"].clone()),
        (Some("CANCELLED"), json!([]))
    );
    assert!(
        r["deadlines"]
            .as_array()
            .expect("d")
            .iter()
            .all(|d| d["status"] == "NOT_APPLICABLE")
    );
    let closed = refuse(
        &app,
        &cw,
        "holdReviewMeeting",
        with_version(&r, "reviewId", json!({})),
    )
    .await;
    assert_eq!(closed["extensions"]["code"], "CONFLICT");
    let version = app.ok(&cw, q, json!({"id": plan["id"]})).await["plan"]["version"].clone();
    act(
        &app,
        &cw,
        "scheduleReview",
        json!({"planId": plan["id"], "version": version, "meetingOn": days_ago(0)}),
    )
    .await;
}

#[tokio::test]
async fn stale_versions_are_conflicts_and_of_two_concurrent_decisions_one_wins() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let plan = enter_plan(
        &app,
        &fx,
        &year_thirteen_birthday(),
        json!({"issuedOn": "2025-06-01"}),
    )
    .await;
    let stale = refuse(
        &app,
        &cw,
        "scheduleReview",
        json!({"planId": plan["id"], "version": 99, "meetingOn": days_ago(0)}),
    )
    .await;
    assert_eq!(stale["extensions"]["code"], "CONFLICT");
    let r = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": days_ago(10), "meetingOn": days_ago(5)}),
        ),
    )
    .await;
    let r = act(
        &app,
        &cw,
        "holdReviewMeeting",
        with_version(&r, "reviewId", json!({"on": days_ago(5)})),
    )
    .await;
    let q = "mutation($input: DecideReviewInput!) { decideReview(input: $input) { version } }";
    let input = json!({"input": {"reviewId": r["id"], "version": r["version"], "decision": "AMEND", "appealRightsGiven": true}});
    let (a, b) = tokio::join!(
        app.gql(Some(&cw), q, input.clone()),
        app.gql(Some(&fx.manager), q, input.clone())
    );
    let wins = [&a.1, &b.1]
        .iter()
        .filter(|r| r.get("errors").is_none())
        .count();
    assert_eq!(wins, 1, "{a:?} {b:?}");
    // Exactly one amendment, and the stale version is refused.
    let again = refuse(
        &app,
        &cw,
        "recordReviewReport",
        with_version(&r, "reviewId", json!({})),
    )
    .await;
    assert_eq!(again["extensions"]["code"], "CONFLICT");
    let data = app
        .ok(
            &cw,
            "query($id: ID!) { plan(id: $id) { amendments { id } } }",
            json!({"id": plan["id"]}),
        )
        .await;
    assert_eq!(data["plan"]["amendments"].as_array().expect("a").len(), 1);
}

#[tokio::test]
async fn dates_in_the_future_or_before_the_process_are_refused() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let child = app
        .create_child(&fx, "Cara", &year_thirteen_birthday())
        .await;
    let future = refuse(
        &app,
        &cw,
        "enterPlan",
        json!({"childId": child, "issuedOn": days_ago(-1)}),
    )
    .await;
    assert_eq!(
        (
            future["extensions"]["code"].as_str(),
            future["extensions"]["field"].as_str()
        ),
        (Some("VALIDATION"), Some("issuedOn"))
    );
    let review_first = refuse(
        &app,
        &cw,
        "enterPlan",
        json!({"childId": child, "issuedOn": days_ago(100), "lastReviewDecisionOn": days_ago(101)}),
    )
    .await;
    assert_eq!(review_first["extensions"]["field"], "lastReviewDecisionOn");
    let plan = act(
        &app,
        &cw,
        "enterPlan",
        json!({"childId": child, "issuedOn": days_ago(100)}),
    )
    .await;
    let dup = refuse(
        &app,
        &cw,
        "enterPlan",
        json!({"childId": child, "issuedOn": days_ago(50)}),
    )
    .await;
    assert_eq!(
        dup["extensions"]["code"], "CONFLICT",
        "one active plan per child"
    );
    for on in [days_ago(-1), days_ago(101)] {
        let error = refuse(
            &app,
            &cw,
            "scheduleReview",
            with_version(&plan, "planId", json!({"on": on, "meetingOn": days_ago(0)})),
        )
        .await;
        assert_eq!(
            (
                error["extensions"]["code"].as_str(),
                error["extensions"]["field"].as_str()
            ),
            (Some("VALIDATION"), Some("on")),
            "{on}"
        );
    }
    let r = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": days_ago(20), "meetingOn": days_ago(10)}),
        ),
    )
    .await;
    for on in [days_ago(-1), days_ago(21)] {
        let error = refuse(
            &app,
            &cw,
            "holdReviewMeeting",
            with_version(&r, "reviewId", json!({"on": on})),
        )
        .await;
        assert_eq!(error["extensions"]["field"], "on", "{on}");
    }
    let early = refuse(
        &app,
        &cw,
        "sendReviewInvitations",
        with_version(&r, "reviewId", json!({"on": days_ago(21)})),
    )
    .await;
    let long = |n: i64| ehcp::domain::calendar::long_date(today() - Duration::days(n));
    assert_eq!(
        early["message"],
        format!(
            "on: {} is before the review started on {}",
            long(21),
            long(20)
        )
    );
    let before_arranged = refuse(
        &app,
        &cw,
        "rescheduleReviewMeeting",
        with_version(&r, "reviewId", json!({"meetingOn": days_ago(21)})),
    )
    .await;
    assert_eq!(before_arranged["extensions"]["field"], "meetingOn");
    // A meeting may be planned for the future; recording it as held may not.
    let r = act(
        &app,
        &cw,
        "rescheduleReviewMeeting",
        with_version(&r, "reviewId", json!({"meetingOn": days_ago(-30)})),
    )
    .await;
    assert_eq!(r["meetingOn"], days_ago(-30));
}

#[tokio::test]
async fn other_councils_parents_and_professionals_cannot_act_on_plans() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let plan = enter_plan(
        &app,
        &fx,
        &year_thirteen_birthday(),
        json!({"issuedOn": "2025-06-01"}),
    )
    .await;
    let r = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": days_ago(10), "meetingOn": days_ago(0)}),
        ),
    )
    .await;
    app.ok(&fx.admin, "mutation { createLocalAuthority(code: \"940\", name: \"Westmorland and Furness\") { id } }", json!({})).await;
    let other = app.provision(Role::Caseworker, "cw-940", "940").await;
    let parent = app.token(Role::Parent, "parent-x", None);
    let professional = app.provision(Role::Professional, "ep-x", "909").await;
    let plan_input = with_version(&plan, "planId", json!({"meetingOn": days_ago(0)}));
    let review_input = with_version(&r, "reviewId", json!({}));
    for (token, code) in [
        (&other, "NOT_FOUND"),
        (&parent, "FORBIDDEN"),
        (&professional, "FORBIDDEN"),
    ] {
        assert_eq!(
            refuse(&app, token, "scheduleReview", plan_input.clone()).await["extensions"]["code"],
            code
        );
        assert_eq!(
            refuse(&app, token, "sendReviewInvitations", review_input.clone()).await["extensions"]
                ["code"],
            code
        );
        // None of them can read it either.
        for (q, id) in [
            ("query($id: ID!) { plan(id: $id) { id } }", &plan["id"]),
            ("query($id: ID!) { annualReview(id: $id) { id } }", &r["id"]),
        ] {
            assert_eq!(
                app.error_code(Some(token), q, json!({"id": id})).await,
                "NOT_FOUND"
            );
        }
        let listed = app
            .ok(
                token,
                "query { plans { edges { node { id } } } }",
                json!({}),
            )
            .await;
        assert_eq!(listed["plans"]["edges"], json!([]));
    }
    let child = app
        .ok(
            &cw,
            "query($id: ID!) { plan(id: $id) { child { id } } }",
            json!({"id": plan["id"]}),
        )
        .await["plan"]["child"]["id"]
        .clone();
    let other_child = refuse(
        &app,
        &other,
        "enterPlan",
        json!({"childId": child, "issuedOn": "2025-06-01"}),
    )
    .await;
    assert_eq!(other_child["extensions"]["field"], "childId");
    // The linked parent sees their child's plan and what happens next, but cannot act.
    let parent_id = app.ok(&cw, "mutation { createParent(input: {name: \"Anne Lovelace\", subject: \"parent-anne\"}) { id } }", json!({})).await["createParent"]["id"].clone();
    app.ok(&cw, "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p, relationship: \"mother\") { id } }", json!({"c": child, "p": parent_id})).await;
    let anne = app.token(Role::Parent, "parent-anne", None);
    let seen = app
        .ok(
            &anne,
            "query($id: ID!) { plan(id: $id) { id openReview { nextStep { action dueOn } } } }",
            json!({"id": plan["id"]}),
        )
        .await;
    assert_eq!(
        seen["plan"]["openReview"]["nextStep"]["action"],
        "SEND_INVITATIONS"
    );
    assert_eq!(
        refuse(&app, &anne, "sendReviewInvitations", review_input).await["extensions"]["code"],
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn plans_are_listed_newest_first_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let mut ids = Vec::new();
    for issued in ["2025-01-10", "2025-06-01", "2025-09-15"] {
        ids.push(
            enter_plan(
                &app,
                &fx,
                &year_thirteen_birthday(),
                json!({"issuedOn": issued}),
            )
            .await["id"]
                .clone(),
        );
    }
    let q = "query($after: String) { plans(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id issuedOn } } } }";
    let first = app.ok(&cw, q, json!({})).await["plans"].clone();
    let got: Vec<Value> = first["edges"]
        .as_array()
        .expect("e")
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect();
    assert_eq!(got, vec![ids[2].clone(), ids[1].clone()]);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second = app
        .ok(&cw, q, json!({"after": first["pageInfo"]["endCursor"]}))
        .await["plans"]
        .clone();
    assert_eq!(second["edges"][0]["node"]["id"], ids[0]);
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    let due = app
        .ok(
            &cw,
            "query { plans(reviewDueBy: \"2026-06-01\") { edges { node { issuedOn } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        due["plans"]["edges"],
        json!([{"node": {"issuedOn": "2025-06-01"}}, {"node": {"issuedOn": "2025-01-10"}}])
    );
}

#[tokio::test]
async fn the_phase_transfer_can_be_set_explicitly_and_needs_updated() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let plan = enter_plan(
        &app,
        &fx,
        &year_thirteen_birthday(),
        json!({"issuedOn": days_ago(100)}),
    )
    .await;
    assert_eq!(plan["phaseTransfer"], Value::Null);
    let moves_on = format!("{}-09-01", today().year() + 1);
    let plan = act(
        &app,
        &cw,
        "setPhaseTransfer",
        with_version(
            &plan,
            "planId",
            json!({"kind": "POST16_TO_POST16", "movesOn": moves_on}),
        ),
    )
    .await;
    let five_months_before = format!("{}-04-01", today().year() + 1);
    assert_eq!(plan["phaseTransfer"]["dueOn"], five_months_before);
    assert_eq!(plan["phaseTransfer"]["overridden"], true);
    let d = deadline(&plan, "POST16_TRANSFER");
    assert_eq!(
        (d["dueOn"].as_str(), d["regulation"].as_str()),
        (
            Some(five_months_before.as_str()),
            Some("SEND Regs 2014 reg 18(2)")
        )
    );
    let half = refuse(
        &app,
        &cw,
        "setPhaseTransfer",
        with_version(&plan, "planId", json!({"kind": "POST16_TO_POST16"})),
    )
    .await;
    assert_eq!(half["extensions"]["field"], "movesOn");
    let plan = act(
        &app,
        &cw,
        "setPhaseTransfer",
        with_version(&plan, "planId", json!({})),
    )
    .await;
    assert_eq!(plan["phaseTransfer"], Value::Null);
    let plan = act(
        &app,
        &cw,
        "updatePlanNeeds",
        with_version(
            &plan,
            "planId",
            json!({"primaryNeed": "SEMH", "secondaryNeeds": ["SPLD"]}),
        ),
    )
    .await;
    assert_eq!(plan["primaryNeed"]["code"], "SEMH");
    let same = refuse(
        &app,
        &cw,
        "updatePlanNeeds",
        with_version(
            &plan,
            "planId",
            json!({"primaryNeed": "SEMH", "secondaryNeeds": ["SEMH"]}),
        ),
    )
    .await;
    assert_eq!(same["extensions"]["field"], "secondaryNeeds");
}

#[tokio::test]
async fn the_timetables_show_review_amendment_and_phase_transfer_dates() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let q = "query { reviewTimetable(meetingOn: \"2026-10-15\", dueBy: \"2026-11-20\") { deadlines { kind dueOn regulation } } }";
    let data = app.ok(&fx.caseworker, q, json!({})).await;
    let got: Vec<(String, String)> = data["reviewTimetable"]["deadlines"]
        .as_array()
        .expect("d")
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().expect("k").to_owned(),
                d["dueOn"].as_str().expect("d").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("REVIEW_INVITATIONS", "2026-10-01"),
        ("REVIEW_ADVICE_CIRCULATED", "2026-10-01"),
        ("REVIEW_REPORT", "2026-10-29"),
        ("REVIEW_DECISION", "2026-11-12"),
        ("ANNUAL_REVIEW", "2026-11-20"),
        ("AMENDMENT_NOTICE", "2026-11-12"),
        ("AMENDMENT_COMMENTS", "2026-11-26"),
        ("AMENDED_PLAN", "2027-01-07"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, d)| ((*k).to_owned(), (*d).to_owned()))
        .collect();
    assert_eq!(got, expected);
    let q = "query { phaseTransferTimetable(dateOfBirth: \"2015-10-01\", on: \"2026-11-23\") { ncYear transfer { kind movesOn dueOn } deadlines { kind dueOn regulation } } }";
    let data = app.ok(&fx.caseworker, q, json!({})).await["phaseTransferTimetable"].clone();
    assert_eq!(data["ncYear"], 6);
    assert_eq!(
        data["transfer"],
        json!({"kind": "PRIMARY_TO_SECONDARY", "movesOn": "2027-09-01", "dueOn": "2027-02-14"})
    );
    assert_eq!(
        data["deadlines"],
        json!([{"kind": "PHASE_TRANSFER", "dueOn": "2027-02-14", "regulation": "SEND Regs 2014 reg 18(1)(b)"}])
    );
    let q = "query { phaseTransferTimetable(dateOfBirth: \"2010-09-01\", on: \"2026-11-23\") { transfer { kind dueOn } } }";
    let data = app.ok(&fx.caseworker, q, json!({})).await;
    assert_eq!(
        data["phaseTransferTimetable"]["transfer"],
        json!({"kind": "SECONDARY_TO_POST16", "dueOn": "2027-03-30"})
    );
}

#[tokio::test]
async fn plans_issued_before_the_migration_get_a_first_version_and_review_date() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let child = app
        .create_child(&fx, "Dan", &year_thirteen_birthday())
        .await;
    // Back to the schema of the needs-assessment release, with a plan issued on 29 February.
    let later = Migrator::migrations()
        .iter()
        .rev()
        .take_while(|m| m.name() != "m0002_needs_assessment")
        .count();
    Migrator::down(&app.db, Some(later as u32))
        .await
        .expect("down");
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO ehc_plan (la_id, child_id, status, issued_on, named_setting, version, \
             created_at, updated_at) SELECT la_id, id, 'ACTIVE', '2024-02-29', 'Stanwix School', \
             1, '2024-02-29T10:00:00Z', '2024-02-29T10:00:00Z' FROM child WHERE id = {}",
            crate::common::row_id(&serde_json::json!(child))
        ))
        .await
        .expect("legacy plan");
    Migrator::up(&app.db, None).await.expect("up again");
    let q = "query($by: Date) { plans(reviewDueBy: $by) { edges { node { versions { number issuedOn namedSetting source } deadlines { kind dueOn } } } } }";
    let before = app.ok(&fx.caseworker, q, json!({"by": "2025-02-27"})).await;
    assert_eq!(before["plans"]["edges"], json!([]));
    let data = app.ok(&fx.caseworker, q, json!({"by": "2025-02-28"})).await;
    let plan = &data["plans"]["edges"][0]["node"];
    assert_eq!(
        plan["versions"],
        json!([{"number": 1, "issuedOn": "2024-02-29", "namedSetting": "Stanwix School", "source": "ISSUED"}])
    );
    assert_eq!(deadline(plan, "ANNUAL_REVIEW")["dueOn"], "2025-02-28");
}

#[tokio::test]
async fn a_phase_transfer_review_that_keeps_the_plan_meets_reg_18_without_an_amendment() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let phase_due = format!("{}-02-14", school_year_start() + 1);
    // An all-through school: the plan already names the setting for Year 7.
    let plan = enter_plan(
        &app,
        &fx,
        &year_six_birthday(),
        json!({"issuedOn": days_ago(300), "namedSetting": "Richard Rose Central Academy (3-19)"}),
    )
    .await;
    let r = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": days_ago(40), "meetingOn": days_ago(20)}),
        ),
    )
    .await;
    let r = act(
        &app,
        &cw,
        "holdReviewMeeting",
        with_version(&r, "reviewId", json!({"on": days_ago(20)})),
    )
    .await;
    let amend = refuse(&app, &cw, "decideReview", with_version(&r, "reviewId", json!({"on": days_ago(5), "decision": "AMEND", "appealRightsGiven": true, "phaseTransfer": true}))).await;
    assert_eq!(amend["extensions"]["field"], "phaseTransfer");
    act(&app, &cw, "decideReview", with_version(&r, "reviewId", json!({"on": days_ago(5), "decision": "MAINTAIN", "appealRightsGiven": true, "phaseTransfer": true}))).await;
    let q = format!(
        "query($id: ID!) {{ plan(id: $id) {{ {} }} }}",
        plan_fields()
    );
    let plan = app.ok(&cw, &q, json!({"id": plan["id"]})).await["plan"].clone();
    assert_eq!(plan["phaseTransfer"]["finalisedOn"], days_ago(5));
    let in_time = days_ago(5) <= phase_due;
    assert_eq!(
        due(&plan, "PHASE_TRANSFER"),
        (
            phase_due,
            if in_time { "MET" } else { "MISSED" }.to_owned(),
            Some(days_ago(5))
        )
    );
    assert_eq!(
        plan["versions"].as_array().expect("v").len(),
        1,
        "no amendment"
    );
}

async fn plan_backlog(app: &TestApp, fx: &Fixture, as_of: &str) -> Value {
    let q = "query($asOf: Date) { backlog(asOf: $asOf, filter: {}) {
        totals { open overdue }
        stages { process stage regulation counts { open onTrack dueSoon overdue } } } }";
    app.ok(&fx.manager, q, json!({"asOf": as_of})).await["backlog"].clone()
}

fn stage_counts(summary: &Value, stage: &str) -> Option<Value> {
    summary["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == stage)
        .map(|s| {
            json!({"process": s["process"], "open": s["counts"]["open"], "overdue": s["counts"]["overdue"]})
        })
}

#[tokio::test]
async fn reviews_amendments_and_phase_transfers_are_counted_in_the_backlog_as_they_change() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let today_s = today().to_string();

    // Issued 400 days ago and never reviewed: the 12 months ran out 35 days ago.
    let plan = enter_plan(
        &app,
        &fx,
        &year_six_birthday(),
        json!({"issuedOn": days_ago(400)}),
    )
    .await;
    let summary = plan_backlog(&app, &fx, &today_s).await;
    assert_eq!(
        stage_counts(&summary, "ANNUAL_REVIEW"),
        Some(json!({"process": "ANNUAL_REVIEW", "open": 1, "overdue": 1}))
    );
    // The move into Year 7 is next September; its 14 February deadline is open from this
    // September (the plan was entered today, so earlier moves are not counted).
    assert_eq!(
        stage_counts(&summary, "PHASE_TRANSFER"),
        Some(json!({"process": "PHASE_TRANSFER", "open": 1, "overdue": 0}))
    );
    // Before the plan's issue, nothing of it was open.
    let before = plan_backlog(&app, &fx, &days_ago(401)).await;
    assert_eq!(before["totals"]["open"], 0, "{before:#}");

    // A review is arranged: its steps join the backlog, with the advice asked for it.
    let review = act(
        &app,
        &cw,
        "scheduleReview",
        with_version(&plan, "planId", json!({"meetingOn": today_s})),
    )
    .await;
    let review = act(
        &app,
        &cw,
        "requestReviewAdvice",
        with_version(
            &review,
            "reviewId",
            json!({"service": "EDUCATIONAL_PSYCHOLOGY"}),
        ),
    )
    .await;
    let summary = plan_backlog(&app, &fx, &today_s).await;
    for stage in [
        "REVIEW_INVITATIONS",
        "REVIEW_ADVICE_CIRCULATED",
        "REVIEW_REPORT",
        "REVIEW_DECISION",
        "REVIEW_ADVICE",
    ] {
        assert_eq!(
            stage_counts(&summary, stage).map(|s| s["open"].clone()),
            Some(json!(1)),
            "{stage} in {summary:#}"
        );
    }
    // Drill-down names the review and the service; the review due names the plan.
    let q = "query { backlogItems(filter: {process: ANNUAL_REVIEW}, first: 10) {
        nodes { stage assessmentId planId reviewId amendmentId service regulation } } }";
    let items = app.ok(&fx.manager, q, json!({})).await["backlogItems"]["nodes"].clone();
    let advice = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["stage"] == "REVIEW_ADVICE")
        .unwrap();
    assert_eq!(advice["reviewId"], review["id"]);
    assert_eq!(advice["service"], "EDUCATIONAL_PSYCHOLOGY");
    assert_eq!(advice["assessmentId"], Value::Null);
    let due = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["stage"] == "ANNUAL_REVIEW")
        .unwrap();
    assert_eq!(due["planId"], plan["id"]);
    assert_eq!(due["reviewId"], Value::Null);
    // Advice by service counts review advice too.
    let q = "query { adviceByService { services { service open { open } } } }";
    let services = app.ok(&fx.manager, q, json!({})).await["adviceByService"]["services"].clone();
    assert_eq!(
        services,
        json!([{"service": "EDUCATIONAL_PSYCHOLOGY", "open": {"open": 1}}])
    );

    // Invitations go out, the meeting is held and the council decides to amend: the review's
    // steps close, the 12-month cycle is met (late) and a new one starts, and the amendment's
    // notice is awaited.
    let review = act(
        &app,
        &cw,
        "sendReviewInvitations",
        with_version(&review, "reviewId", json!({})),
    )
    .await;
    let review = act(
        &app,
        &cw,
        "holdReviewMeeting",
        with_version(&review, "reviewId", json!({})),
    )
    .await;
    let review = act(
        &app,
        &cw,
        "recordReviewReport",
        with_version(&review, "reviewId", json!({})),
    )
    .await;
    act(&app, &cw, "decideReview", with_version(&review, "reviewId", json!({"decision": "AMEND", "reasons": "Needs have changed", "appealRightsGiven": true}))).await;
    let summary = plan_backlog(&app, &fx, &today_s).await;
    for stage in [
        "REVIEW_INVITATIONS",
        "REVIEW_REPORT",
        "REVIEW_DECISION",
        "REVIEW_ADVICE",
    ] {
        assert_eq!(
            stage_counts(&summary, stage),
            None,
            "{stage} still open: {summary:#}"
        );
    }
    assert_eq!(
        stage_counts(&summary, "ANNUAL_REVIEW"),
        Some(json!({"process": "ANNUAL_REVIEW", "open": 1, "overdue": 0})),
        "the next cycle runs 12 months from today's decision"
    );
    assert_eq!(
        stage_counts(&summary, "AMENDMENT_NOTICE"),
        Some(json!({"process": "AMENDMENT", "open": 1, "overdue": 0}))
    );
    // Timeliness: the review completed today, 35 days after its 12 months.
    let q = "query($from: Date!, $to: Date!) { timeliness(from: $from, to: $to) { stages { stage done onTime } } }";
    let t = app
        .ok(&fx.manager, q, json!({"from": today_s, "to": today_s}))
        .await["timeliness"]["stages"]
        .clone();
    let review_done = t
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "ANNUAL_REVIEW")
        .unwrap();
    assert_eq!(
        (review_done["done"].clone(), review_done["onTime"].clone()),
        (json!(1), json!(0))
    );
}

/// Runs a plan's review from invitations to a decision to amend (the notice sent with the
/// decision), then the family's response and the amended plan; returns the amendment.
async fn amend_after_meeting(
    app: &TestApp,
    fx: &Fixture,
    meeting_on: &str,
    decided_on: &str,
    issued_on: &str,
) -> Value {
    let cw = &fx.caseworker;
    let plan = enter_plan(
        app,
        fx,
        &year_thirteen_birthday(),
        json!({"issuedOn": "2025-04-01"}),
    )
    .await;
    let r = act(
        app,
        cw,
        "scheduleReview",
        with_version(
            &plan,
            "planId",
            json!({"on": "2026-01-10", "meetingOn": meeting_on}),
        ),
    )
    .await;
    let r = act(
        app,
        cw,
        "sendReviewInvitations",
        with_version(&r, "reviewId", json!({"on": "2026-01-20"})),
    )
    .await;
    let r = act(
        app,
        cw,
        "holdReviewMeeting",
        with_version(&r, "reviewId", json!({"on": meeting_on})),
    )
    .await;
    let r = act(
        app,
        cw,
        "recordReviewReport",
        with_version(&r, "reviewId", json!({"on": meeting_on})),
    )
    .await;
    let r = act(app, cw, "decideReview", with_version(&r, "reviewId", json!({"on": decided_on, "decision": "AMEND", "appealRightsGiven": true, "proposedChanges": "Section F: more therapy"}))).await;
    let q = format!(
        "query($id: ID!) {{ planAmendment(id: $id) {{ {} }} }}",
        amendment_fields()
    );
    let a = app.ok(cw, &q, json!({"id": r["amendment"]["id"]})).await["planAmendment"].clone();
    let a = act(
        app,
        cw,
        "recordAmendmentResponse",
        with_version(
            &a,
            "amendmentId",
            json!({"on": decided_on, "comments": "Agree"}),
        ),
    )
    .await;
    act(
        app,
        cw,
        "issueAmendedPlan",
        with_version(&a, "amendmentId", json!({"on": issued_on})),
    )
    .await
}

#[tokio::test]
async fn timeliness_counts_amended_plans_within_twelve_weeks_of_the_meeting() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    // Notice a week after the meeting, plan 79 days after the meeting: within 12 weeks of
    // the meeting, but late on the notice's 8 weeks (due 4 May).
    let a = amend_after_meeting(&app, &fx, "2026-03-02", "2026-03-09", "2026-05-20").await;
    assert_eq!(due(&a, "AMENDED_PLAN"), missed("2026-05-04", "2026-05-20"));
    // Notice six weeks after the meeting, plan 7 weeks after it: on time on the notice's 8
    // weeks, but 91 days after the meeting. A late notice shows both clocks: the meeting's
    // 12 weeks (missed) and the notice's 8 (met); the backlog counts the first.
    let b = amend_after_meeting(&app, &fx, "2026-03-02", "2026-04-13", "2026-06-01").await;
    let plan_deadlines: Vec<(String, String)> = b["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .filter(|d| d["kind"] == "AMENDED_PLAN")
        .map(|d| {
            (
                d["dueOn"].as_str().unwrap().to_owned(),
                d["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        plan_deadlines,
        vec![
            ("2026-05-25".to_owned(), "MISSED".to_owned()),
            ("2026-06-08".to_owned(), "MET".to_owned())
        ]
    );
    // Exactly 12 weeks (84 days) after the meeting counts as within.
    amend_after_meeting(&app, &fx, "2026-03-02", "2026-03-30", "2026-05-25").await;
    let q = "query($from: Date!, $to: Date!) { timeliness(from: $from, to: $to) {
        amendedPlansAfterReviewMeeting amendedPlansWithinTwelveWeeksOfMeeting
        stages { stage done onTime } } }";
    let t = app
        .ok(
            &fx.manager,
            q,
            json!({"from": "2026-05-01", "to": "2026-06-30"}),
        )
        .await["timeliness"]
        .clone();
    assert_eq!(t["amendedPlansAfterReviewMeeting"], 3);
    assert_eq!(t["amendedPlansWithinTwelveWeeksOfMeeting"], 2);
    let stage = t["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "AMENDED_PLAN")
        .unwrap()
        .clone();
    assert_eq!(
        stage,
        json!({"stage": "AMENDED_PLAN", "done": 3, "onTime": 1})
    );
    // A period holding only the late one.
    let t = app
        .ok(
            &fx.manager,
            q,
            json!({"from": "2026-06-01", "to": "2026-06-01"}),
        )
        .await["timeliness"]
        .clone();
    assert_eq!(
        (
            t["amendedPlansAfterReviewMeeting"].clone(),
            t["amendedPlansWithinTwelveWeeksOfMeeting"].clone()
        ),
        (json!(1), json!(0))
    );
}

#[tokio::test]
async fn a_past_phase_transfer_is_entered_as_history_with_whether_it_met_reg_18() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    // A council's existing caseload: a plan made in March 2024 for a child who moved into
    // Year 7 on 1 September 2026, the plan amended for it on 10 February (in time) or 1 March
    // (late: reg 18 wanted it by 14 February).
    for (finalised, status) in [
        (Some("2026-02-10"), "MET"),
        (Some("2026-03-01"), "MISSED"),
        (None, "OVERDUE"),
    ] {
        let plan = enter_plan(
            &app,
            &fx,
            &year_thirteen_birthday(),
            json!({"issuedOn": "2024-03-12"}),
        )
        .await;
        let plan = act(
            &app,
            &cw,
            "setPhaseTransfer",
            with_version(
                &plan,
                "planId",
                json!({"kind": "PRIMARY_TO_SECONDARY", "movesOn": "2026-09-01", "finalisedOn": finalised}),
            ),
        )
        .await;
        let past = deadline(&plan, "PHASE_TRANSFER");
        assert_eq!(
            (
                past["dueOn"].as_str(),
                past["status"].as_str(),
                past["metOn"].as_str()
            ),
            (Some("2026-02-14"), Some(status), finalised),
            "finalised {finalised:?}"
        );
    }
    // The backlog counts them: timeliness over February–March 2026 sees the two finalised.
    let q = "query { timeliness(from: \"2026-02-01\", to: \"2026-03-31\") { stages { stage done onTime } } }";
    let t = app.ok(&fx.manager, q, json!({})).await;
    let stage = t["timeliness"]["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == "PHASE_TRANSFER")
        .cloned();
    assert_eq!(
        stage,
        Some(json!({"stage": "PHASE_TRANSFER", "done": 2, "onTime": 1})),
        "{t}"
    );

    // A move before the plan was made is not its history; a finalisation needs a past move.
    let plan = enter_plan(
        &app,
        &fx,
        &year_thirteen_birthday(),
        json!({"issuedOn": "2024-03-12"}),
    )
    .await;
    let e = refuse(
        &app,
        &cw,
        "setPhaseTransfer",
        with_version(
            &plan,
            "planId",
            json!({"kind": "PRIMARY_TO_SECONDARY", "movesOn": "2023-09-01"}),
        ),
    )
    .await;
    assert_eq!(e["extensions"]["field"], "movesOn", "{e}");
    let next_year = format!("{}-09-01", today().year() + 1);
    let e = refuse(
        &app,
        &cw,
        "setPhaseTransfer",
        with_version(
            &plan,
            "planId",
            json!({"kind": "POST16_TO_POST16", "movesOn": next_year, "finalisedOn": "2026-02-10"}),
        ),
    )
    .await;
    assert_eq!(e["extensions"]["field"], "finalisedOn", "{e}");
    let e = refuse(&app, &cw, "setPhaseTransfer", with_version(&plan, "planId", json!({"kind": "PRIMARY_TO_SECONDARY", "movesOn": "2026-09-01", "finalisedOn": "2024-01-01"}))).await;
    assert_eq!(e["extensions"]["field"], "finalisedOn", "{e}");
}

#[tokio::test]
async fn placements_over_time_and_the_personal_budget_are_recorded_checked_and_audited() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cw = fx.caseworker.clone();
    let plan = enter_plan(&app, &fx, "2014-03-01", json!({"issuedOn": "2025-06-01"})).await;
    let q = "mutation($input: SetPlacementsInput!) { setPlacements(input: $input) { id version
        placements { rank urn ukprn senSetting senSettingOther entryOn leavingOn senUnit
        resourcedProvision residential workBasedLearning } } }";
    let moved = app
        .ok(
            &cw,
            q,
            json!({"input": with_version(&plan, "planId", json!({"placements": [
                {"urn": "100002", "entryOn": "2025-09-03", "senUnit": true},
                {"urn": "100001", "entryOn": "2024-09-04", "leavingOn": "2025-07-22"},
                {"rank": 2, "senSetting": "OLA", "senSettingOther": "speech therapy at home",
                 "entryOn": "2025-09-03", "residential": "a"},
            ]}))}),
        )
        .await["setPlacements"]
        .clone();
    // Sorted by entry date then rank, codes as the list spells them.
    let placements = moved["placements"].as_array().unwrap();
    let urns: Vec<&Value> = placements.iter().map(|p| &p["urn"]).collect();
    assert_eq!(urns, [&json!("100001"), &json!("100002"), &Value::Null]);
    assert_eq!(placements[1]["senUnit"], true);
    assert_eq!(placements[2]["senSetting"], "OLA");
    assert_eq!(placements[2]["residential"], "A");
    assert_eq!(placements[0]["leavingOn"], "2025-07-22");

    // Each refusal names the field and changes nothing.
    let bad = |placements: Value| json!({"input": with_version(&moved, "planId", json!({"placements": placements}))});
    for (placements, says) in [
        (
            json!([{"urn": "10001", "entryOn": "2025-09-03"}]),
            "6 digits",
        ),
        (
            json!([{"ukprn": "20012345", "entryOn": "2025-09-03"}]),
            "8 digits",
        ),
        (
            json!([{"urn": "100001", "ukprn": "10012345", "entryOn": "2025-09-03"}]),
            "only one of",
        ),
        (
            json!([{"senSetting": "XYZ", "entryOn": "2025-09-03"}]),
            "senSetting",
        ),
        (
            json!([{"urn": "100001", "entryOn": "2025-09-03", "leavingOn": "2025-09-01"}]),
            "leaving date",
        ),
        (
            json!([{"urn": "100001", "entryOn": "2025-09-03"},
                   {"urn": "100002", "entryOn": "2025-10-01"}]),
            "overlap",
        ),
        (
            json!([{"rank": 2, "urn": "100001", "entryOn": "2025-09-03"}]),
            "no main placement",
        ),
        (
            json!([{"urn": "100001", "senSettingOther": "x", "entryOn": "2025-09-03"}]),
            "senSettingOther",
        ),
    ] {
        let (_, body) = app.gql(Some(&cw), q, bad(placements)).await;
        let e = &body["errors"][0];
        assert_eq!(e["extensions"]["code"], "VALIDATION", "{body}");
        assert_eq!(e["extensions"]["field"], "placements", "{body}");
        let message = e["message"].as_str().unwrap();
        assert!(message.contains(says), "{message} should say {says}");
    }
    let held = app
        .ok(
            &cw,
            "query($id: ID!) { plan(id: $id) { version placements { urn } } }",
            json!({"id": plan["id"]}),
        )
        .await["plan"]
        .clone();
    assert_eq!(held["version"], moved["version"]);
    assert_eq!(held["placements"].as_array().unwrap().len(), 3);

    let b = "mutation($input: SetPersonalBudgetInput!) { setPersonalBudget(input: $input) {
        id version personalBudget { takenUp organisedArrangements directPayments } } }";
    let (_, body) = app
        .gql(
            Some(&cw),
            b,
            json!({"input": with_version(&moved, "planId",
                json!({"takenUp": false, "directPayments": "E"}))}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "takenUp",
        "{body}"
    );
    let (_, body) = app
        .gql(
            Some(&cw),
            b,
            json!({"input": with_version(&moved, "planId",
                json!({"takenUp": true, "directPayments": "Q"}))}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "directPayments",
        "{body}"
    );
    let budgeted = app
        .ok(
            &cw,
            b,
            json!({"input": with_version(&moved, "planId", json!({
                "takenUp": true, "organisedArrangements": true, "directPayments": "i"}))}),
        )
        .await["setPersonalBudget"]
        .clone();
    assert_eq!(
        budgeted["personalBudget"],
        json!({"takenUp": true, "organisedArrangements": true, "directPayments": "I"})
    );

    // The family sees where their child is placed; only staff may change it.
    let parent_id = app.ok(&cw, "mutation { createParent(input: {name: \"Anne Lovelace\", subject: \"parent-anne\"}) { id } }", json!({})).await["createParent"]["id"].clone();
    let child = app
        .ok(
            &cw,
            "query($id: ID!) { plan(id: $id) { child { id } } }",
            json!({"id": plan["id"]}),
        )
        .await["plan"]["child"]["id"]
        .clone();
    app.ok(&cw, "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p, relationship: \"mother\") { id } }", json!({"c": child, "p": parent_id})).await;
    let anne = app.token(Role::Parent, "parent-anne", None);
    let seen = app
        .ok(
            &anne,
            "query($id: ID!) { plan(id: $id) { placements { urn } personalBudget { takenUp } } }",
            json!({"id": plan["id"]}),
        )
        .await["plan"]
        .clone();
    assert_eq!(seen["placements"].as_array().unwrap().len(), 3);
    assert_eq!(seen["personalBudget"]["takenUp"], true);
    let (_, body) = app
        .gql(
            Some(&anne),
            q,
            json!({"input": with_version(&budgeted, "planId", json!({"placements": []}))}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );

    let events = app
        .ok(
            &fx.manager,
            "query { auditEvents(first: 100) { edges { node { action } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = events["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"SET_PLACEMENTS"), "{actions:?}");
    assert!(actions.contains(&"SET_PERSONAL_BUDGET"), "{actions:?}");
}
