//! Professionals answering their advice requests, families giving views and commenting on a
//! draft, appeal windows, and the log of who read a child's record.
use chrono::{Datelike, Duration, Months, NaiveDate};
use ehcp::domain::access::Role;
use serde_json::{Value, json};

use crate::common::{Fixture, TestApp};

fn days_ago(n: i64) -> String {
    (crate::common::today() - Duration::days(n)).to_string()
}

/// A family (parent `parent-<tag>`), their child, an open assessment decided and with advice
/// asked of educational psychology (by name) and CAMHS (the service).
struct Family {
    child: String,
    parent: String,
    assessment: String,
    ep_request: String,
    camhs_request: String,
}

async fn mutate(app: &TestApp, token: &str, field: &str, input_type: &str, input: Value) -> Value {
    let q = format!(
        "mutation($input: {input_type}!) {{ {field}(input: $input) {{ id version state appeal {{ appealBy mediationContactBy open text regulation }} adviceRequests {{ id service receivedOn summary late }} }} }}"
    );
    app.ok(token, &q, json!({"input": input})).await[field].clone()
}

async fn professional(app: &TestApp, fx: &Fixture, subject: &str, service: &str) -> String {
    app.ok(
        &fx.manager,
        "mutation($input: CreateProfessionalInput!) { createProfessional(input: $input) { id } }",
        json!({"input": {"subject": subject, "name": format!("{subject} name"), "service": service, "organisation": "NHS"}}),
    )
    .await["createProfessional"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn family(app: &TestApp, fx: &Fixture, tag: &str, ep: &str) -> Family {
    let child = app
        .create_child(fx, &format!("Child {tag}"), "2015-05-05")
        .await;
    let parent_id = app
        .ok(
            &fx.caseworker,
            "mutation($input: CreateParentInput!) { createParent(input: $input) { id } }",
            json!({"input": {"name": format!("Parent {tag}"), "subject": format!("parent-{tag}")}}),
        )
        .await["createParent"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.ok(
        &fx.caseworker,
        "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p) { id } }",
        json!({"c": child, "p": parent_id}),
    )
    .await;
    let a = app
        .ok(
            &fx.caseworker,
            "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }",
            json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": days_ago(60)}}),
        )
        .await["requestAssessment"]
        .clone();
    let id = a["id"].as_str().expect("id").to_owned();
    let a = mutate(
        app,
        &fx.caseworker,
        "decideToAssess",
        "DecisionInput",
        json!({"assessmentId": id, "version": a["version"], "on": days_ago(50)}),
    )
    .await;
    let a = mutate(app, &fx.caseworker, "requestAdvice", "RequestAdviceInput",
        json!({"assessmentId": id, "version": a["version"], "on": days_ago(45), "service": "EDUCATIONAL_PSYCHOLOGY", "professionalId": ep})).await;
    let a = mutate(
        app,
        &fx.caseworker,
        "requestAdvice",
        "RequestAdviceInput",
        json!({"assessmentId": id, "version": a["version"], "on": days_ago(10), "service": "CAMHS"}),
    )
    .await;
    let requests = a["adviceRequests"].as_array().expect("advice");
    Family {
        child,
        parent: app.token(Role::Parent, &format!("parent-{tag}"), None),
        assessment: id,
        ep_request: requests[0]["id"].as_str().expect("id").to_owned(),
        camhs_request: requests[1]["id"].as_str().expect("id").to_owned(),
    }
}

async fn version(app: &TestApp, token: &str, id: &str) -> Value {
    app.ok(
        token,
        "query($id: ID!) { assessment(id: $id) { version } }",
        json!({"id": id}),
    )
    .await["assessment"]["version"]
        .clone()
}

#[tokio::test]
async fn a_professional_sees_their_requests_by_urgency_and_answers_them() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let ep = professional(&app, &fx, "ep-1", "EDUCATIONAL_PSYCHOLOGY").await;
    professional(&app, &fx, "ep-2", "EDUCATIONAL_PSYCHOLOGY").await;
    professional(&app, &fx, "camhs-1", "CAMHS").await;
    let one = family(&app, &fx, "one", &ep).await;
    let two = family(&app, &fx, "two", &ep).await;

    let camhs = app.token(Role::Professional, "camhs-1", Some("909"));
    let q = "query($after: String) { myAdviceRequests(first: 1, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id service dueOn status daysUntilDue regulation addressedToMe child { displayName ncYearLabel } caseworker { name } localAuthority } } } }";
    let page1 = app.ok(&camhs, q, json!({})).await["myAdviceRequests"].clone();
    assert_eq!(page1["pageInfo"]["hasNextPage"], true);
    let node = &page1["edges"][0]["node"];
    assert_eq!(node["id"], json!(one.camhs_request));
    assert_eq!(node["service"], "CAMHS");
    assert_eq!(
        node["dueOn"],
        json!((crate::common::today() + Duration::days(32)).to_string())
    );
    assert_eq!(node["daysUntilDue"], 32);
    assert_eq!(node["status"], "PENDING");
    assert_eq!(node["regulation"], "SEND Regs 2014 reg 8(1)");
    assert_eq!(node["addressedToMe"], false, "addressed to the service");
    assert_eq!(node["child"]["displayName"], "Child one");
    assert_eq!(node["localAuthority"], "Cumbria");
    let page2 = app
        .ok(&camhs, q, json!({"after": page1["pageInfo"]["endCursor"]}))
        .await["myAdviceRequests"]
        .clone();
    assert_eq!(page2["edges"][0]["node"]["id"], json!(two.camhs_request));
    assert_eq!(page2["pageInfo"]["hasNextPage"], false);

    // The named EP sees both EP requests, overdue (asked 45 days ago), first; a colleague in
    // the same service sees them too, as requests to the service.
    let ep_token = app.token(Role::Professional, "ep-1", Some("909"));
    let mine = app
        .ok(
            &ep_token,
            "{ myAdviceRequests { edges { node { id status daysUntilDue addressedToMe } } } }",
            json!({}),
        )
        .await["myAdviceRequests"]["edges"]
        .clone();
    assert_eq!(mine.as_array().expect("edges").len(), 2);
    assert_eq!(mine[0]["node"]["status"], "OVERDUE");
    assert_eq!(mine[0]["node"]["daysUntilDue"], -3);
    assert_eq!(mine[0]["node"]["addressedToMe"], true);

    // Late advice is accepted and recorded late; the caseworker sees it on the assessment.
    let submit = "mutation($input: SubmitAdviceInput!) { submitAdvice(input: $input) { id receivedOn late status summary documentRef } }";
    let answered = app
        .ok(&ep_token, submit, json!({"input": {"adviceRequestId": one.ep_request, "summary": "Working memory difficulties", "documentRef": "ep-one.pdf"}}))
        .await["submitAdvice"]
        .clone();
    assert_eq!(answered["late"], true);
    assert_eq!(answered["status"], "MISSED");
    assert_eq!(
        answered["receivedOn"],
        json!(crate::common::today().to_string())
    );
    let seen = app
        .ok(&fx.caseworker, "query($id: ID!) { assessment(id: $id) { adviceRequests { id receivedOn summary late professionalId } } }", json!({"id": one.assessment}))
        .await;
    let ep_advice = &seen["assessment"]["adviceRequests"][0];
    assert_eq!(ep_advice["summary"], "Working memory difficulties");
    assert_eq!(ep_advice["late"], true);

    // Answering twice is a conflict; the first answer stands.
    let (_, body) = app
        .gql(
            Some(&ep_token),
            submit,
            json!({"input": {"adviceRequestId": one.ep_request, "summary": "Again"}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");

    // A CAMHS colleague declines for the service; the request records who answered.
    let decline = "mutation($input: DeclineToAdviseInput!) { declineToAdvise(input: $input) { declinedOn declineReason late } }";
    let declined = app
        .ok(&camhs, decline, json!({"input": {"adviceRequestId": two.camhs_request, "reason": "Advice given in March is still current"}}))
        .await["declineToAdvise"]
        .clone();
    assert_eq!(declined["late"], false);
    let seen = app
        .ok(&fx.caseworker, "query($id: ID!) { assessment(id: $id) { adviceRequests { service declinedOn professionalId } } }", json!({"id": two.assessment}))
        .await;
    assert!(seen["assessment"]["adviceRequests"][1]["professionalId"].is_string());

    // Every answer is in the audit trail.
    let audit = app
        .ok(&fx.manager, "query($c: ID) { auditEvents(childId: $c, first: 50) { edges { node { action actorRole } } } }", json!({"c": one.child}))
        .await;
    assert_eq!(
        audit["auditEvents"]["edges"][0]["node"],
        json!({"action": "RECORD_ADVICE", "actorRole": "PROFESSIONAL"})
    );
}

#[tokio::test]
async fn professionals_see_only_what_their_request_needs() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let ep = professional(&app, &fx, "ep-1", "EDUCATIONAL_PSYCHOLOGY").await;
    professional(&app, &fx, "salt-1", "SPEECH_AND_LANGUAGE_THERAPY").await;
    let one = family(&app, &fx, "one", &ep).await;
    let ep_token = app.token(Role::Professional, "ep-1", Some("909"));
    let salt = app.token(Role::Professional, "salt-1", Some("909"));

    // Not asked: nothing listed, and another service's request is NOT_FOUND.
    let listed = app
        .ok(
            &salt,
            "{ myAdviceRequests { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["myAdviceRequests"]["edges"], json!([]));
    let q = "query($id: ID!) { myAdviceRequest(id: $id) { id } }";
    assert_eq!(
        app.error_code(Some(&salt), q, json!({"id": one.ep_request}))
            .await,
        "NOT_FOUND"
    );
    let submit = "mutation($input: SubmitAdviceInput!) { submitAdvice(input: $input) { id } }";
    assert_eq!(
        app.error_code(
            Some(&salt),
            submit,
            json!({"input": {"adviceRequestId": one.ep_request, "summary": "x"}})
        )
        .await,
        "NOT_FOUND"
    );
    // Asked: still no whole assessment (other advice, the family's comments).
    assert_eq!(
        app.error_code(
            Some(&ep_token),
            "query($id: ID!) { assessment(id: $id) { id } }",
            json!({"id": one.assessment})
        )
        .await,
        "NOT_FOUND"
    );
    assert_eq!(
        app.error_code(
            Some(&ep_token),
            "{ assessments { edges { node { id } } } }",
            json!({})
        )
        .await,
        "FORBIDDEN"
    );
    // Nor the child's record (setting, locality, parents): only what the request needs,
    // through the request itself.
    assert_eq!(
        app.error_code(
            Some(&ep_token),
            "query($id: ID!) { child(id: $id) { legalName } }",
            json!({"id": one.child})
        )
        .await,
        "NOT_FOUND"
    );
    let children = app
        .ok(
            &ep_token,
            "{ children { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(children["children"]["edges"], json!([]));
    let asked = app
        .ok(
            &ep_token,
            "{ myAdviceRequests { edges { node { child { displayName } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        asked["myAdviceRequests"]["edges"][0]["node"]["child"]["displayName"],
        "Child one"
    );
    // Caseworkers and parents have no advice requests of their own.
    assert_eq!(
        app.error_code(
            Some(&fx.caseworker),
            "{ myAdviceRequests { edges { node { id } } } }",
            json!({})
        )
        .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code(
            Some(&one.parent),
            submit,
            json!({"input": {"adviceRequestId": one.ep_request, "summary": "x"}})
        )
        .await,
        "FORBIDDEN"
    );
    // A future date is refused.
    let tomorrow = (crate::common::today() + Duration::days(1)).to_string();
    let (_, body) = app
        .gql(
            Some(&ep_token),
            submit,
            json!({"input": {"adviceRequestId": one.ep_request, "summary": "x", "on": tomorrow}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");
    assert_eq!(body["errors"][0]["extensions"]["field"], "on");
}

#[tokio::test]
async fn a_family_gives_views_and_comments_on_the_draft_within_fifteen_days() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let ep = professional(&app, &fx, "ep-1", "EDUCATIONAL_PSYCHOLOGY").await;
    let one = family(&app, &fx, "one", &ep).await;
    let other = family(&app, &fx, "other", &ep).await;

    // Views: logged as a contribution the caseworker sees, in the same transaction as the
    // assessment's new version.
    let v = version(&app, &one.parent, &one.assessment).await;
    let a = mutate(&app, &one.parent, "giveViews", "GiveViewsInput",
        json!({"assessmentId": one.assessment, "version": v, "whose": "CHILD", "summary": "I like art and quiet places"})).await;
    let views = a["adviceRequests"]
        .as_array()
        .expect("advice")
        .iter()
        .find(|r| r["service"] == "CHILD_VIEW")
        .cloned()
        .expect("child's views logged");
    assert_eq!(views["summary"], "I like art and quiet places");
    assert_eq!(views["late"], false);
    // A stale version loses.
    let (_, body) = app
        .gql(Some(&one.parent), "mutation($input: GiveViewsInput!) { giveViews(input: $input) { id } }",
            json!({"input": {"assessmentId": one.assessment, "version": v, "whose": "PARENT", "summary": "x"}}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
    // Another family's case is not found.
    let v_other = version(&app, &other.parent, &other.assessment).await;
    let (_, body) = app
        .gql(Some(&one.parent), "mutation($input: GiveViewsInput!) { giveViews(input: $input) { id } }",
            json!({"input": {"assessmentId": other.assessment, "version": v_other, "whose": "PARENT", "summary": "x"}}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");

    // Commenting before there is a draft is the wrong state.
    let comment = "mutation($input: CommentOnDraftPlanInput!) { commentOnDraftPlan(input: $input) { state version nextStep { description } } }";
    let v = version(&app, &one.parent, &one.assessment).await;
    let (_, body) = app
        .gql(
            Some(&one.parent),
            comment,
            json!({"input": {"assessmentId": one.assessment, "version": v, "comments": "x"}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");

    // The draft is sent 14 days ago: the family still has today.
    let a = mutate(
        &app,
        &fx.caseworker,
        "sendDraftPlan",
        "ActionInput",
        json!({"assessmentId": one.assessment, "version": v, "on": days_ago(14)}),
    )
    .await;
    let data = app
        .ok(&one.parent, comment, json!({"input": {"assessmentId": one.assessment, "version": a["version"], "comments": "Please add the therapy hours", "requestedSetting": "Stanwix School"}}))
        .await;
    assert_eq!(data["commentOnDraftPlan"]["state"], "DRAFT_ISSUED");
    let seen = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { assessment(id: $id) { deadlines { kind status metOn } } }",
            json!({"id": one.assessment}),
        )
        .await;
    let comments = seen["assessment"]["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["kind"] == "DRAFT_COMMENTS")
        .cloned()
        .expect("draft comments");
    assert_eq!(comments["status"], "MET");
    assert_eq!(comments["metOn"], json!(crate::common::today().to_string()));

    // For the other family the draft went 16 days ago: the window has closed.
    let v = version(&app, &fx.caseworker, &other.assessment).await;
    let a = mutate(
        &app,
        &fx.caseworker,
        "sendDraftPlan",
        "ActionInput",
        json!({"assessmentId": other.assessment, "version": v, "on": days_ago(16)}),
    )
    .await;
    let (_, body) = app
        .gql(Some(&other.parent), comment, json!({"input": {"assessmentId": other.assessment, "version": a["version"], "comments": "late"}}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("15 days"),
        "{body}"
    );
    // Caseworkers record the family's response with their own mutation.
    let (_, body) = app
        .gql(Some(&fx.caseworker), comment, json!({"input": {"assessmentId": other.assessment, "version": a["version"], "comments": "x"}}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn after_a_refusal_the_family_sees_when_to_appeal_and_mediation_can_extend_it() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let ep = professional(&app, &fx, "ep-1", "EDUCATIONAL_PSYCHOLOGY").await;
    let one = family(&app, &fx, "one", &ep).await;
    let v = version(&app, &fx.caseworker, &one.assessment).await;
    let a = mutate(&app, &fx.caseworker, "decideNotToIssue", "RefusalInput",
        json!({"assessmentId": one.assessment, "version": v, "on": "2026-11-02", "reasons": "Needs can be met by the school", "appealRightsGiven": true})).await;
    // Two months end on Saturday 2 January 2027: an appeal is in time on Monday 4 January
    // (HESC Tribunal Rules r.12); the mediation adviser is contacted within the 2 months.
    assert_eq!(a["appeal"]["appealBy"], "2027-01-04");
    assert_eq!(a["appeal"]["mediationContactBy"], "2027-01-02");
    assert_eq!(
        a["appeal"]["regulation"],
        "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.55"
    );

    // The family records a mediation certificate dated 20 December: a month from it is later.
    let a = mutate(
        &app,
        &one.parent,
        "recordMediationCertificate",
        "MediationCertificateInput",
        json!({"assessmentId": one.assessment, "version": a["version"], "on": "2026-11-20"}),
    )
    .await;
    assert_eq!(a["appeal"]["appealBy"], "2027-01-04");
    let v = a["version"].clone();
    let (_, body) = app
        .gql(Some(&one.parent), "mutation($input: MediationCertificateInput!) { recordMediationCertificate(input: $input) { id } }",
            json!({"input": {"assessmentId": one.assessment, "version": v, "on": "2026-10-01"}}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "on",
        "before the decision"
    );
    let parent_view = app
        .ok(
            &one.parent,
            "query($id: ID!) { assessment(id: $id) { appeal { text open } } }",
            json!({"id": one.assessment}),
        )
        .await;
    let text = parent_view["assessment"]["appeal"]["text"]
        .as_str()
        .expect("text");
    assert!(
        text.contains("not to issue an EHC plan") && text.contains("4 January 2027"),
        "{text}"
    );
}

#[tokio::test]
async fn the_family_sees_who_has_read_their_childs_record() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let ep = professional(&app, &fx, "ep-1", "EDUCATIONAL_PSYCHOLOGY").await;
    let one = family(&app, &fx, "one", &ep).await;
    app.ok(
        &fx.admin,
        "mutation($input: UpdateStaffInput!) { updateStaff(input: $input) { id } }",
        json!({"input": {"id": fx.caseworker_id, "name": "Carol Worker", "teamId": null}}),
    )
    .await;
    app.ok(
        &fx.caseworker,
        "query($id: ID!) { child(id: $id) { id } }",
        json!({"id": one.child}),
    )
    .await;
    app.ok(
        &fx.caseworker,
        "query($id: ID!) { assessment(id: $id) { id } }",
        json!({"id": one.assessment}),
    )
    .await;
    let ep_token = app.token(Role::Professional, "ep-1", Some("909"));
    app.ok(
        &ep_token,
        "query($id: ID!) { myAdviceRequest(id: $id) { child { displayName } } }",
        json!({"id": one.ep_request}),
    )
    .await;
    // The family reading their own record is not logged.
    let q = "query($id: ID!) { child(id: $id) { viewedBy { who role record } } }";
    let views = app.ok(&one.parent, q, json!({"id": one.child})).await["child"]["viewedBy"].clone();
    assert_eq!(
        views,
        json!([
            {"who": "ep-1 name, Educational psychology", "role": "professional", "record": "advice_request"},
            {"who": "Carol Worker (caseworker)", "role": "caseworker", "record": "assessment"},
            {"who": "Carol Worker (caseworker)", "role": "caseworker", "record": "child"},
        ])
    );
    // Managers may see it (subject access requests); caseworkers and professionals may not.
    let (_, body) = app
        .gql(Some(&fx.manager), q, json!({"id": one.child}))
        .await;
    assert_eq!(
        body["data"]["child"]["viewedBy"].as_array().map(Vec::len),
        Some(4),
        "{body}"
    );
    let (_, body) = app
        .gql(Some(&fx.caseworker), q, json!({"id": one.child}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

// ---------- plans: amendments, review meetings, review advice, appeals ----------

fn today() -> NaiveDate {
    crate::common::today()
}

fn long(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn months_after(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n)).expect("date")
}

/// The last day of "the period of 12 months starting with" `d` (CFA 2014 s.44(1)).
fn twelve_months_starting_with(d: NaiveDate) -> NaiveDate {
    crate::common::months_starting_with(d, 12)
}

/// A date of birth that puts a child in Year 13 this school year: no phase transfer to come,
/// so the next review is simply 12 months on.
fn year_thirteen_birthday() -> String {
    let t = today();
    let start = if t.month() >= 9 {
        t.year()
    } else {
        t.year() - 1
    };
    format!("{}-10-01", start - 18)
}

/// A family (parent `parent-<tag>`) whose child has an EHC plan issued 300 days ago.
struct PlanFamily {
    child: String,
    parent: String,
    plan: Value,
}

async fn plan_family(app: &TestApp, fx: &Fixture, tag: &str) -> PlanFamily {
    let child = app
        .create_child(fx, &format!("Child {tag}"), &year_thirteen_birthday())
        .await;
    let parent_id = app
        .ok(
            &fx.caseworker,
            "mutation($input: CreateParentInput!) { createParent(input: $input) { id } }",
            json!({"input": {"name": format!("Parent {tag}"), "subject": format!("parent-{tag}")}}),
        )
        .await["createParent"]["id"]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p) { id } }",
        json!({"c": child, "p": parent_id}),
    )
    .await;
    let plan = act(
        app,
        &fx.caseworker,
        "enterPlan",
        "EnterPlanInput",
        json!({"childId": child, "issuedOn": days_ago(300)}),
        "id version",
    )
    .await;
    PlanFamily {
        child,
        parent: app.token(Role::Parent, &format!("parent-{tag}"), None),
        plan,
    }
}

/// Runs a mutation that must succeed, selecting `selection`.
async fn act(
    app: &TestApp,
    token: &str,
    field: &str,
    input_type: &str,
    input: Value,
    selection: &str,
) -> Value {
    let q =
        format!("mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} }} }}");
    app.ok(token, &q, json!({"input": input})).await[field].clone()
}

/// Runs a mutation that must fail; returns its first error.
async fn refused(app: &TestApp, token: &str, field: &str, input_type: &str, input: Value) -> Value {
    let q =
        format!("mutation($input: {input_type}!) {{ {field}(input: $input) {{ __typename }} }}");
    let (_, body) = app.gql(Some(token), &q, json!({"input": input})).await;
    assert!(body["errors"].is_array(), "expected a refusal, got {body}");
    body["errors"][0].clone()
}

async fn audit_actions(app: &TestApp, fx: &Fixture, child: &str) -> Vec<(String, String)> {
    let data = app
        .ok(&fx.manager, "query($c: ID) { auditEvents(childId: $c, first: 100) { edges { node { entity action actorRole } } } }", json!({"c": child}))
        .await;
    data["auditEvents"]["edges"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                format!(
                    "{}.{}",
                    n["entity"].as_str().expect("entity"),
                    n["action"].as_str().expect("action")
                ),
                n["actorRole"].as_str().expect("role").to_owned(),
            )
        })
        .collect()
}

const AMENDMENT: &str = "id version state parentCommentsUntil parentRespondedOn parentComments parentMeetingRequested parentRequestedSetting deadlines { kind status metOn } nextStep { action party description }";

async fn propose(app: &TestApp, fx: &Fixture, plan: &Value, on: &str) -> Value {
    act(
        app,
        &fx.caseworker,
        "proposeAmendment",
        "ProposeAmendmentInput",
        json!({"planId": plan["id"], "version": plan["version"], "on": on, "proposedChanges": "Section F: add weekly occupational therapy"}),
        AMENDMENT,
    )
    .await
}

#[tokio::test]
async fn a_family_comments_on_proposed_amendments_until_the_fifteenth_day() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let ep = professional(&app, &fx, "ep-1", "EDUCATIONAL_PSYCHOLOGY").await;
    let ep_token = app.token(Role::Professional, "ep-1", Some("909"));
    let _ = ep;
    let one = plan_family(&app, &fx, "one").await;
    let other = plan_family(&app, &fx, "other").await;

    // The notice went 14 days ago: today is the 15th day beginning with it, the last of the
    // window (reg 22(2)(c)).
    let a = propose(&app, &fx, &one.plan, &days_ago(14)).await;
    assert_eq!(a["parentCommentsUntil"], json!(today().to_string()));
    assert_eq!(a["nextStep"]["action"], "RECORD_PARENT_RESPONSE");
    assert_eq!(a["nextStep"]["party"], "PARENT");
    let input = |a: &Value| json!({"amendmentId": a["id"], "version": a["version"], "comments": "Please keep the speech therapy too", "meetingRequested": true, "requestedSetting": "Stanwix School"});

    // Only the family: staff have recordAmendmentResponse, professionals nothing; another
    // family cannot find it.
    for (token, code) in [
        (&fx.caseworker, "FORBIDDEN"),
        (&ep_token, "FORBIDDEN"),
        (&other.parent, "NOT_FOUND"),
    ] {
        let e = refused(
            &app,
            token,
            "commentOnAmendmentNotice",
            "CommentOnAmendmentNoticeInput",
            input(&a),
        )
        .await;
        assert_eq!(e["extensions"]["code"], code);
    }
    // Something to say is required.
    let e = refused(
        &app,
        &one.parent,
        "commentOnAmendmentNotice",
        "CommentOnAmendmentNoticeInput",
        json!({"amendmentId": a["id"], "version": a["version"], "comments": "  "}),
    )
    .await;
    assert_eq!(e["extensions"]["code"], "VALIDATION");

    let commented = act(
        &app,
        &one.parent,
        "commentOnAmendmentNotice",
        "CommentOnAmendmentNoticeInput",
        input(&a),
        AMENDMENT,
    )
    .await;
    assert_eq!(commented["parentRespondedOn"], json!(today().to_string()));
    assert_eq!(commented["version"], a["version"].as_i64().expect("v") + 1);
    // The version the family saw is now stale.
    let e = refused(
        &app,
        &one.parent,
        "commentOnAmendmentNotice",
        "CommentOnAmendmentNoticeInput",
        input(&a),
    )
    .await;
    assert_eq!(e["extensions"]["code"], "CONFLICT");

    // The caseworker sees the comments on the amendment, the window met, the council next.
    let q = format!("query($id: ID!) {{ planAmendment(id: $id) {{ {AMENDMENT} }} }}");
    let seen = app.ok(&fx.caseworker, &q, json!({"id": a["id"]})).await["planAmendment"].clone();
    assert_eq!(seen["parentComments"], "Please keep the speech therapy too");
    assert_eq!(seen["parentMeetingRequested"], true);
    assert_eq!(seen["parentRequestedSetting"], "Stanwix School");
    let window = seen["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["kind"] == "AMENDMENT_COMMENTS")
        .cloned()
        .expect("window");
    assert_eq!(window["status"], "MET");
    assert_eq!(window["metOn"], json!(today().to_string()));
    assert_eq!(seen["nextStep"]["action"], "ISSUE_AMENDED_PLAN");
    let events = audit_actions(&app, &fx, &one.child).await;
    assert_eq!(
        events[0],
        (
            "plan_amendment.RECORD_PARENT_RESPONSE".to_owned(),
            "PARENT".to_owned()
        )
    );

    // For the other family the notice went 15 days ago: the window closed yesterday.
    let late = propose(&app, &fx, &other.plan, &days_ago(15)).await;
    let e = refused(
        &app,
        &other.parent,
        "commentOnAmendmentNotice",
        "CommentOnAmendmentNoticeInput",
        input(&late),
    )
    .await;
    assert_eq!(e["extensions"]["code"], "CONFLICT");
    assert_eq!(
        e["message"],
        format!(
            "the 15 days to comment on the proposed changes to the EHC plan ended on {}; please \
             contact your caseworker",
            long(today() - Duration::days(1))
        )
    );
}

#[tokio::test]
async fn a_family_comments_only_once_the_proposed_changes_are_sent() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let one = plan_family(&app, &fx, "one").await;
    let review = act(&app, &fx.caseworker, "scheduleReview", "ScheduleReviewInput",
        json!({"planId": one.plan["id"], "version": one.plan["version"], "on": days_ago(30), "meetingOn": days_ago(20)}), "id version").await;
    let review = act(
        &app,
        &fx.caseworker,
        "holdReviewMeeting",
        "ReviewActionInput",
        json!({"reviewId": review["id"], "version": review["version"], "on": days_ago(20)}),
        "id version",
    )
    .await;
    // A decision to amend without the proposed changes yet: nothing to comment on.
    let review = act(&app, &fx.caseworker, "decideReview", "DecideReviewInput",
        json!({"reviewId": review["id"], "version": review["version"], "on": days_ago(10), "decision": "AMEND", "appealRightsGiven": true}),
        "amendment { id version } appeal { appealBy }").await;
    assert_eq!(
        review["appeal"],
        Value::Null,
        "the amended plan brings the right"
    );
    let e = refused(&app, &one.parent, "commentOnAmendmentNotice", "CommentOnAmendmentNoticeInput",
        json!({"amendmentId": review["amendment"]["id"], "version": review["amendment"]["version"], "comments": "x"})).await;
    assert_eq!(e["extensions"]["code"], "CONFLICT");
    assert_eq!(
        e["message"],
        "the council has not sent you the proposed changes yet, so there is nothing to comment on"
    );
}

const REQUEST: &str = "id planId state requestedOn reason requestedBy answeredOn reviewId meetingOn declineReason text regulation";

#[tokio::test]
async fn a_family_asks_for_a_review_meeting_and_the_council_answers() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    professional(&app, &fx, "ep-1", "EDUCATIONAL_PSYCHOLOGY").await;
    let ep_token = app.token(Role::Professional, "ep-1", Some("909"));
    let one = plan_family(&app, &fx, "one").await;
    let other = plan_family(&app, &fx, "other").await;
    let ask = json!({"planId": one.plan["id"], "reason": "School placement is breaking down"});

    for (token, code) in [
        (&fx.caseworker, "FORBIDDEN"),
        (&ep_token, "FORBIDDEN"),
        (&other.parent, "NOT_FOUND"),
    ] {
        let e = refused(
            &app,
            token,
            "requestReviewMeeting",
            "RequestReviewMeetingInput",
            ask.clone(),
        )
        .await;
        assert_eq!(e["extensions"]["code"], code);
    }
    let e = refused(
        &app,
        &one.parent,
        "requestReviewMeeting",
        "RequestReviewMeetingInput",
        json!({"planId": one.plan["id"], "reason": ""}),
    )
    .await;
    assert_eq!(e["extensions"]["field"], "reason");

    let asked = act(
        &app,
        &one.parent,
        "requestReviewMeeting",
        "RequestReviewMeetingInput",
        ask.clone(),
        REQUEST,
    )
    .await;
    assert_eq!(asked["state"], "OPEN");
    assert_eq!(asked["requestedOn"], json!(today().to_string()));
    assert_eq!(asked["requestedBy"], "Parent one (parent or carer)");
    assert_eq!(asked["regulation"], "CFA 2014 s.44(1)");
    assert_eq!(
        asked["text"],
        format!(
            "You asked for a review meeting on {}. The council has not answered yet: it will \
             arrange a review meeting or tell you why it will not hold one now.",
            long(today())
        )
    );
    // One open request at a time.
    let e = refused(
        &app,
        &one.parent,
        "requestReviewMeeting",
        "RequestReviewMeetingInput",
        ask.clone(),
    )
    .await;
    assert_eq!(e["extensions"]["code"], "CONFLICT");
    assert!(
        e["message"]
            .as_str()
            .expect("m")
            .contains("has not answered yet")
    );

    // The caseworker sees the open request on the plan; the request is in the audit trail.
    let q = format!(
        "query($id: ID!) {{ plan(id: $id) {{ version reviewMeetingRequests {{ {REQUEST} }} }} }}"
    );
    let plan = app
        .ok(&fx.caseworker, &q, json!({"id": one.plan["id"]}))
        .await["plan"]
        .clone();
    assert_eq!(plan["reviewMeetingRequests"][0]["id"], asked["id"]);
    assert_eq!(
        plan["reviewMeetingRequests"][0]["reason"],
        "School placement is breaking down"
    );
    assert_eq!(
        audit_actions(&app, &fx, &one.child).await[0],
        (
            "review_meeting_request.REQUEST".to_owned(),
            "PARENT".to_owned()
        )
    );

    // The council declines with its reason: never in the future, not twice, staff only.
    let decline = |on: Option<String>| json!({"requestId": asked["id"], "on": on, "reason": "The annual review is due next month"});
    let tomorrow = (today() + Duration::days(1)).to_string();
    let e = refused(
        &app,
        &fx.caseworker,
        "declineReviewMeetingRequest",
        "DeclineReviewMeetingRequestInput",
        decline(Some(tomorrow)),
    )
    .await;
    assert_eq!(e["extensions"]["field"], "on");
    let e = refused(
        &app,
        &one.parent,
        "declineReviewMeetingRequest",
        "DeclineReviewMeetingRequestInput",
        decline(None),
    )
    .await;
    assert_eq!(e["extensions"]["code"], "FORBIDDEN");
    app.ok(&fx.admin, "mutation { createLocalAuthority(code: \"940\", name: \"Westmorland and Furness\") { id } }", json!({})).await;
    let elsewhere = app.provision(Role::Caseworker, "cw-940", "940").await;
    let e = refused(
        &app,
        &elsewhere,
        "declineReviewMeetingRequest",
        "DeclineReviewMeetingRequestInput",
        decline(None),
    )
    .await;
    assert_eq!(e["extensions"]["code"], "NOT_FOUND");
    let declined = act(
        &app,
        &fx.caseworker,
        "declineReviewMeetingRequest",
        "DeclineReviewMeetingRequestInput",
        decline(None),
        REQUEST,
    )
    .await;
    assert_eq!(declined["state"], "DECLINED");
    assert_eq!(declined["answeredOn"], json!(today().to_string()));
    let e = refused(
        &app,
        &fx.caseworker,
        "declineReviewMeetingRequest",
        "DeclineReviewMeetingRequestInput",
        decline(None),
    )
    .await;
    assert_eq!(e["extensions"]["code"], "CONFLICT");
    // The family reads the answer in plain words.
    let seen = app.ok(&one.parent, &q, json!({"id": one.plan["id"]})).await["plan"].clone();
    assert_eq!(
        seen["reviewMeetingRequests"][0]["text"],
        format!(
            "You asked for a review meeting on {0}. On {0} the council decided not to hold a \
             review now. Its reason: The annual review is due next month. The plan will still \
             be reviewed within its 12 months; if you disagree, contact your caseworker.",
            long(today())
        )
    );

    // Asked again: arranging a review answers the request in the same transaction.
    let again = act(
        &app,
        &one.parent,
        "requestReviewMeeting",
        "RequestReviewMeetingInput",
        ask.clone(),
        REQUEST,
    )
    .await;
    let meeting = today() + Duration::days(21);
    let review = act(&app, &fx.caseworker, "scheduleReview", "ScheduleReviewInput",
        json!({"planId": one.plan["id"], "version": plan["version"], "meetingOn": meeting.to_string(), "kind": "INTERIM"}), "id").await;
    let seen = app.ok(&one.parent, &q, json!({"id": one.plan["id"]})).await["plan"].clone();
    let answered = &seen["reviewMeetingRequests"][0];
    assert_eq!(answered["id"], again["id"]);
    assert_eq!(answered["state"], "REVIEW_ARRANGED");
    assert_eq!(answered["reviewId"], review["id"]);
    assert_eq!(answered["meetingOn"], json!(meeting.to_string()));
    assert_eq!(
        answered["text"],
        format!(
            "You asked for a review meeting on {0}. On {0} the council arranged a review \
             meeting for {1}.",
            long(today()),
            long(meeting)
        )
    );
    let events = audit_actions(&app, &fx, &one.child).await;
    assert_eq!(
        events[..3]
            .iter()
            .map(|(a, _)| a.as_str())
            .collect::<Vec<_>>(),
        [
            "review_meeting_request.ANSWER",
            "annual_review.SCHEDULE",
            "ehc_plan.SCHEDULE_REVIEW"
        ]
    );
    // With a review under way there is nothing to ask for.
    let e = refused(
        &app,
        &one.parent,
        "requestReviewMeeting",
        "RequestReviewMeetingInput",
        ask,
    )
    .await;
    assert_eq!(
        e["message"],
        format!(
            "a review of the plan is already under way, with the meeting arranged for {}",
            long(meeting)
        )
    );
}

#[tokio::test]
async fn a_young_person_asks_for_a_review_meeting_themself() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let child = app
        .ok(
            &fx.caseworker,
            "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }",
            json!({"input": {"legalName": "Sam Young", "dateOfBirth": "2008-03-03", "localityId": fx.locality, "subject": "yp-sam"}}),
        )
        .await["createChild"]["id"]
        .clone();
    let plan = act(
        &app,
        &fx.caseworker,
        "enterPlan",
        "EnterPlanInput",
        json!({"childId": child, "issuedOn": days_ago(200)}),
        "id",
    )
    .await;
    let sam = app.token(Role::Parent, "yp-sam", None);
    let asked = act(
        &app,
        &sam,
        "requestReviewMeeting",
        "RequestReviewMeetingInput",
        json!({"planId": plan["id"], "reason": "I want to change college"}),
        REQUEST,
    )
    .await;
    assert_eq!(asked["requestedBy"], "Sam Young (the young person)");
}

#[tokio::test]
async fn a_professional_answers_the_review_advice_asked_of_them_and_sees_only_that() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let ep = professional(&app, &fx, "ep-1", "EDUCATIONAL_PSYCHOLOGY").await;
    professional(&app, &fx, "salt-1", "SPEECH_AND_LANGUAGE_THERAPY").await;
    professional(&app, &fx, "camhs-1", "CAMHS").await;
    let ep_token = app.token(Role::Professional, "ep-1", Some("909"));
    let salt = app.token(Role::Professional, "salt-1", Some("909"));
    let camhs = app.token(Role::Professional, "camhs-1", Some("909"));
    let one = plan_family(&app, &fx, "one").await;
    let two = plan_family(&app, &fx, "two").await;
    const REVIEW: &str = "id version state adviceRequests { id service receivedOn declinedOn summary late professionalId }";

    // Plan one: meeting in 20 days, advice asked of the EP by name and of SALT as a service.
    let meeting = today() + Duration::days(20);
    let r = act(&app, &fx.caseworker, "scheduleReview", "ScheduleReviewInput",
        json!({"planId": one.plan["id"], "version": one.plan["version"], "on": days_ago(10), "meetingOn": meeting.to_string()}), REVIEW).await;
    let r = act(&app, &fx.caseworker, "requestReviewAdvice", "ReviewAdviceInput",
        json!({"reviewId": r["id"], "version": r["version"], "on": days_ago(9), "service": "EDUCATIONAL_PSYCHOLOGY", "professionalId": ep}), REVIEW).await;
    let r = act(&app, &fx.caseworker, "requestReviewAdvice", "ReviewAdviceInput",
        json!({"reviewId": r["id"], "version": r["version"], "on": days_ago(9), "service": "SPEECH_AND_LANGUAGE_THERAPY"}), REVIEW).await;
    let ep_advice = r["adviceRequests"][0]["id"].clone();
    let salt_advice = r["adviceRequests"][1]["id"].clone();
    // Plan two: the meeting was 6 days ago, so the advice was due 20 days ago.
    let r2 = act(&app, &fx.caseworker, "scheduleReview", "ScheduleReviewInput",
        json!({"planId": two.plan["id"], "version": two.plan["version"], "on": days_ago(40), "meetingOn": days_ago(6)}), REVIEW).await;
    let r2 = act(&app, &fx.caseworker, "requestReviewAdvice", "ReviewAdviceInput",
        json!({"reviewId": r2["id"], "version": r2["version"], "on": days_ago(39), "service": "EDUCATIONAL_PSYCHOLOGY", "professionalId": ep}), REVIEW).await;
    let late_advice = r2["adviceRequests"][0]["id"].clone();

    // The EP's list: the overdue review request first, with what it is for and the meeting.
    let mine = app
        .ok(&ep_token, "{ myAdviceRequests { edges { node { id purpose reviewMeetingOn dueOn status regulation addressedToMe child { displayName } caseworker { name } } } } }", json!({}))
        .await["myAdviceRequests"]["edges"]
        .clone();
    let mine: Vec<&Value> = mine
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| &e["node"])
        .collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0]["id"], late_advice);
    assert_eq!(mine[0]["status"], "OVERDUE");
    assert_eq!(mine[0]["dueOn"], days_ago(20));
    assert_eq!(mine[1]["id"], ep_advice);
    assert_eq!(mine[1]["purpose"], "REVIEW");
    assert_eq!(mine[1]["reviewMeetingOn"], json!(meeting.to_string()));
    assert_eq!(
        mine[1]["dueOn"],
        json!((meeting - Duration::days(14)).to_string())
    );
    assert_eq!(mine[1]["regulation"], "SEND Regs 2014 reg 20(4)");
    assert_eq!(mine[1]["addressedToMe"], true);
    assert_eq!(mine[1]["child"]["displayName"], "Child one");
    assert_eq!(mine[1]["caseworker"], Value::Null);

    // Being asked shows the request, never the review or the plan.
    for (q, id) in [
        ("query($id: ID!) { annualReview(id: $id) { id } }", &r["id"]),
        ("query($id: ID!) { plan(id: $id) { id } }", &one.plan["id"]),
    ] {
        assert_eq!(
            app.error_code(Some(&ep_token), q, json!({"id": id})).await,
            "NOT_FOUND"
        );
    }

    // On time, dated today by default; the review's version moves on with it.
    let submit = "mutation($input: SubmitAdviceInput!) { submitAdvice(input: $input) { id purpose receivedOn late status summary } }";
    let answered = app
        .ok(&ep_token, submit, json!({"input": {"adviceRequestId": ep_advice, "summary": "Attention and working memory: progress noted", "documentRef": "ep-review.pdf"}}))
        .await["submitAdvice"]
        .clone();
    assert_eq!(answered["receivedOn"], json!(today().to_string()));
    assert_eq!(answered["late"], false);
    assert_eq!(answered["status"], "MET");
    // Late advice is accepted and shown late.
    let late = app
        .ok(
            &ep_token,
            submit,
            json!({"input": {"adviceRequestId": late_advice, "summary": "Late but here"}}),
        )
        .await["submitAdvice"]
        .clone();
    assert_eq!(late["late"], true);
    assert_eq!(late["status"], "MISSED");
    // Another service's request is not theirs; a CAMHS professional was not asked at all.
    let (_, body) = app
        .gql(
            Some(&ep_token),
            submit,
            json!({"input": {"adviceRequestId": salt_advice, "summary": "x"}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let (_, body) = app
        .gql(
            Some(&camhs),
            submit,
            json!({"input": {"adviceRequestId": ep_advice, "summary": "x"}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    // A caseworker records review advice with recordReviewAdvice, not as a professional.
    let (_, body) = app
        .gql(
            Some(&fx.caseworker),
            submit,
            json!({"input": {"adviceRequestId": salt_advice, "summary": "x"}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // A SALT professional declines for the service; who answered is recorded.
    let declined = app
        .ok(&salt, "mutation($input: DeclineToAdviseInput!) { declineToAdvise(input: $input) { declinedOn declineReason } }",
            json!({"input": {"adviceRequestId": salt_advice, "reason": "Discharged from the service in June"}}))
        .await["declineToAdvise"]
        .clone();
    assert_eq!(declined["declinedOn"], json!(today().to_string()));

    // The caseworker sees both answers on the review, whose version moved on with each.
    let q = format!("query($id: ID!) {{ annualReview(id: $id) {{ {REVIEW} }} }}");
    let seen = app.ok(&fx.caseworker, &q, json!({"id": r["id"]})).await["annualReview"].clone();
    assert_eq!(seen["version"], r["version"].as_i64().expect("v") + 2);
    assert_eq!(
        seen["adviceRequests"][0]["summary"],
        "Attention and working memory: progress noted"
    );
    assert_eq!(seen["adviceRequests"][0]["professionalId"], json!(ep));
    assert_eq!(
        seen["adviceRequests"][1]["declinedOn"],
        json!(today().to_string())
    );
    assert!(seen["adviceRequests"][1]["professionalId"].is_string());
    // The family sees that the advice arrived.
    let family = app
        .ok(
            &one.parent,
            "query($id: ID!) { annualReview(id: $id) { adviceRequests { receivedOn } } }",
            json!({"id": r["id"]}),
        )
        .await;
    assert_eq!(
        family["annualReview"]["adviceRequests"][0]["receivedOn"],
        json!(today().to_string())
    );
    let events = audit_actions(&app, &fx, &one.child).await;
    assert_eq!(
        events[..2],
        [
            (
                "annual_review.RECORD_ADVICE".to_owned(),
                "PROFESSIONAL".to_owned()
            ),
            (
                "annual_review.RECORD_ADVICE".to_owned(),
                "PROFESSIONAL".to_owned()
            ),
        ]
    );

    // Once the review is decided, an unanswered request is no longer wanted.
    let r2 = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { annualReview(id: $id) { id version } }",
            json!({"id": r2["id"]}),
        )
        .await["annualReview"]
        .clone();
    let r2 = act(
        &app,
        &fx.caseworker,
        "requestReviewAdvice",
        "ReviewAdviceInput",
        json!({"reviewId": r2["id"], "version": r2["version"], "on": days_ago(8), "service": "CAMHS"}),
        REVIEW,
    )
    .await;
    let camhs_advice = r2["adviceRequests"][1]["id"].clone();
    let r2 = act(
        &app,
        &fx.caseworker,
        "holdReviewMeeting",
        "ReviewActionInput",
        json!({"reviewId": r2["id"], "version": r2["version"], "on": days_ago(6)}),
        REVIEW,
    )
    .await;
    act(&app, &fx.caseworker, "decideReview", "DecideReviewInput",
        json!({"reviewId": r2["id"], "version": r2["version"], "decision": "MAINTAIN", "appealRightsGiven": true}), "id").await;
    let open = app
        .ok(
            &camhs,
            "{ myAdviceRequests { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(open["myAdviceRequests"]["edges"], json!([]));
    let (_, body) = app
        .gql(
            Some(&camhs),
            submit,
            json!({"input": {"adviceRequestId": camhs_advice, "summary": "x"}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
    assert_eq!(
        body["errors"][0]["message"],
        "the review has finished, so this advice is no longer needed"
    );
}

const APPEAL: &str = "appeal { decision decidedOn appealBy mediationContactBy mediationCertificateOn open regulation text }";

#[tokio::test]
async fn the_family_reads_where_the_review_stands_and_when_to_appeal_each_decision() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let one = plan_family(&app, &fx, "one").await;
    let other = plan_family(&app, &fx, "other").await;
    let plan_q = format!(
        "query($id: ID!) {{ plan(id: $id) {{ version reviewSummary nextReviewMeetingOn {APPEAL} nextStep {{ description }} openReview {{ id version summary nextStep {{ action party dueOn description }} }} }} }}"
    );
    let plan = app
        .ok(&one.parent, &plan_q, json!({"id": one.plan["id"]}))
        .await["plan"]
        .clone();
    let review_due = twelve_months_starting_with(today() - Duration::days(300));
    assert_eq!(
        plan["reviewSummary"],
        format!(
            "No review meeting is arranged yet. The council must arrange one, hold it with you \
             and the school or college, and make its decision by {}.",
            long(review_due)
        )
    );
    assert_eq!(plan["nextReviewMeetingOn"], Value::Null);
    assert_eq!(plan["appeal"], Value::Null);

    // The review is arranged: the family sees the meeting and who must do what by when.
    let meeting = today() + Duration::days(30);
    act(&app, &fx.caseworker, "scheduleReview", "ScheduleReviewInput",
        json!({"planId": one.plan["id"], "version": plan["version"], "on": days_ago(2), "meetingOn": meeting.to_string()}), "id").await;
    let plan = app
        .ok(&one.parent, &plan_q, json!({"id": one.plan["id"]}))
        .await["plan"]
        .clone();
    assert_eq!(plan["nextReviewMeetingOn"], json!(meeting.to_string()));
    assert_eq!(
        plan["reviewSummary"],
        format!(
            "The annual review meeting is arranged for {}.",
            long(meeting)
        )
    );
    let next = &plan["openReview"]["nextStep"];
    assert_eq!(next["party"], "LOCAL_AUTHORITY");
    assert_eq!(
        next["description"],
        format!(
            "The council must send invitations to the review meeting on {} to you, the school \
             or college, health and social care by {}.",
            long(meeting),
            long(meeting - Duration::days(14))
        )
    );

    // Held, then decided: the plan is kept as it is, which the family may appeal (s.51(2)(e)).
    let r = &plan["openReview"];
    let r = act(
        &app,
        &fx.caseworker,
        "rescheduleReviewMeeting",
        "RescheduleMeetingInput",
        json!({"reviewId": r["id"], "version": r["version"], "meetingOn": days_ago(1)}),
        "id version",
    )
    .await;
    let r = act(
        &app,
        &fx.caseworker,
        "holdReviewMeeting",
        "ReviewActionInput",
        json!({"reviewId": r["id"], "version": r["version"], "on": days_ago(1)}),
        "id version summary",
    )
    .await;
    assert_eq!(
        r["summary"],
        format!(
            "The annual review meeting was held on {}. The council must tell you by {} whether \
             it will keep the plan as it is, amend it or cease it.",
            long(today() - Duration::days(1)),
            long(today() + Duration::days(27))
        )
    );
    let review_q = format!("id version summary {APPEAL} timeline {{ text }}");
    let r = act(&app, &fx.caseworker, "decideReview", "DecideReviewInput",
        json!({"reviewId": r["id"], "version": r["version"], "decision": "MAINTAIN", "appealRightsGiven": true}), &review_q).await;
    let mediation_by = months_after(today(), 2);
    let appeal_by = ehcp::domain::appeal::tribunal_deadline(mediation_by);
    assert_eq!(r["appeal"]["decidedOn"], json!(today().to_string()));
    assert_eq!(r["appeal"]["appealBy"], json!(appeal_by.to_string()));
    assert_eq!(r["appeal"]["open"], true);
    assert_eq!(
        r["appeal"]["regulation"],
        "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.51(2)(e), s.55"
    );
    assert_eq!(
        r["appeal"]["text"],
        format!(
            "You can appeal to the SEND Tribunal against the decision to keep the EHC plan as it \
             is after its review until {}. Before appealing you must contact a mediation \
             adviser, by {}.",
            long(appeal_by),
            long(mediation_by)
        )
    );
    assert_eq!(
        r["summary"],
        format!(
            "The annual review finished on {}: the council decided to keep the plan as it is.",
            long(today())
        )
    );
    // The next review runs 12 months from this decision.
    let plan = app
        .ok(&one.parent, &plan_q, json!({"id": one.plan["id"]}))
        .await["plan"]
        .clone();
    assert!(
        plan["reviewSummary"]
            .as_str()
            .expect("s")
            .ends_with(&format!(
                "by {}.",
                long(twelve_months_starting_with(today()))
            )),
        "{}",
        plan["reviewSummary"]
    );

    // The family records a mediation certificate; the other family cannot, nor a date in the
    // future; the caseworker sees the window extended.
    let cert = |r: &Value, on: NaiveDate| json!({"reviewId": r["id"], "version": r["version"], "on": on.to_string()});
    let e = refused(
        &app,
        &other.parent,
        "recordReviewMediationCertificate",
        "ReviewMediationCertificateInput",
        cert(&r, today()),
    )
    .await;
    assert_eq!(e["extensions"]["code"], "NOT_FOUND");
    let e = refused(
        &app,
        &one.parent,
        "recordReviewMediationCertificate",
        "ReviewMediationCertificateInput",
        cert(&r, today() + Duration::days(1)),
    )
    .await;
    assert_eq!(e["extensions"]["field"], "on");
    let r = act(
        &app,
        &one.parent,
        "recordReviewMediationCertificate",
        "ReviewMediationCertificateInput",
        cert(&r, today()),
        &review_q,
    )
    .await;
    assert_eq!(
        r["appeal"]["mediationCertificateOn"],
        json!(today().to_string())
    );
    assert_eq!(
        r["appeal"]["appealBy"],
        json!(appeal_by.to_string()),
        "a month from today is earlier than two months from the decision"
    );
    assert!(audit_actions(&app, &fx, &one.child).await.contains(&(
        "annual_review.RECORD_MEDIATION_CERTIFICATE".to_owned(),
        "PARENT".to_owned()
    )));

    // An amendment outside a review: no appeal until the amended plan is issued.
    let plan = app
        .ok(&fx.caseworker, &plan_q, json!({"id": one.plan["id"]}))
        .await["plan"]
        .clone();
    let a = act(&app, &fx.caseworker, "proposeAmendment", "ProposeAmendmentInput",
        json!({"planId": one.plan["id"], "version": plan["version"], "on": days_ago(0), "proposedChanges": "Section I: name Trinity School"}), &format!("id version {APPEAL}")).await;
    assert_eq!(a["appeal"], Value::Null);
    let e = refused(
        &app,
        &fx.caseworker,
        "recordAmendmentMediationCertificate",
        "AmendmentMediationCertificateInput",
        json!({"amendmentId": a["id"], "version": a["version"], "on": today().to_string()}),
    )
    .await;
    assert_eq!(e["extensions"]["code"], "CONFLICT");
    let a = act(
        &app,
        &one.parent,
        "commentOnAmendmentNotice",
        "CommentOnAmendmentNoticeInput",
        json!({"amendmentId": a["id"], "version": a["version"], "comments": "We agree"}),
        "id version",
    )
    .await;
    let a = act(
        &app,
        &fx.caseworker,
        "issueAmendedPlan",
        "IssueAmendedPlanInput",
        json!({"amendmentId": a["id"], "version": a["version"], "namedSetting": "Trinity School"}),
        &format!("id version {APPEAL}"),
    )
    .await;
    assert_eq!(
        a["appeal"]["decision"],
        "on what the amended EHC plan says and the school or college it names"
    );
    assert_eq!(
        a["appeal"]["regulation"],
        "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.51(2)(c), s.55"
    );
    let a = act(
        &app,
        &fx.caseworker,
        "recordAmendmentMediationCertificate",
        "AmendmentMediationCertificateInput",
        json!({"amendmentId": a["id"], "version": a["version"], "on": today().to_string()}),
        &format!("id version {APPEAL}"),
    )
    .await;
    assert_eq!(
        a["appeal"]["mediationCertificateOn"],
        json!(today().to_string())
    );

    // Ceasing: the decision to cease is appealable (s.51(2)(f)) and shows on the plan.
    let plan = app
        .ok(&fx.caseworker, &plan_q, json!({"id": one.plan["id"]}))
        .await["plan"]
        .clone();
    const PLAN: &str = "id version status reviewSummary appeal { decision appealBy regulation mediationCertificateOn }";
    let p = act(&app, &fx.caseworker, "proposeCeasing", "ProposeCeasingInput",
        json!({"planId": one.plan["id"], "version": plan["version"], "reasons": "Needs met at college"}), PLAN).await;
    let p = act(
        &app,
        &fx.caseworker,
        "recordCeaseConsultation",
        "PlanActionInput",
        json!({"planId": p["id"], "version": p["version"]}),
        PLAN,
    )
    .await;
    let e = refused(
        &app,
        &one.parent,
        "recordCeaseMediationCertificate",
        "CeaseMediationCertificateInput",
        json!({"planId": p["id"], "version": p["version"], "on": today().to_string()}),
    )
    .await;
    assert_eq!(e["extensions"]["code"], "CONFLICT", "not ceased yet");
    let p = act(&app, &fx.caseworker, "ceasePlan", "CeasePlanInput",
        json!({"planId": p["id"], "version": p["version"], "reason": "NEEDS_MET_WITHOUT_PLAN", "appealRightsGiven": true}), PLAN).await;
    assert_eq!(p["status"], "CEASED");
    assert_eq!(p["reviewSummary"], Value::Null);
    assert_eq!(p["appeal"]["decision"], "to stop maintaining the EHC plan");
    assert_eq!(p["appeal"]["appealBy"], json!(appeal_by.to_string()));
    assert_eq!(
        p["appeal"]["regulation"],
        "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.51(2)(f), s.55"
    );
    let p = act(
        &app,
        &one.parent,
        "recordCeaseMediationCertificate",
        "CeaseMediationCertificateInput",
        json!({"planId": p["id"], "version": p["version"], "on": today().to_string()}),
        PLAN,
    )
    .await;
    assert_eq!(
        p["appeal"]["mediationCertificateOn"],
        json!(today().to_string())
    );
}
