//! Managers' backlog through the API: exact counts on a hand-built dataset with every band and
//! boundary day, the past, each filter, the drill-down's pages, and who may not look.
use chrono::{Duration, NaiveDate};
use ehcp::domain::access::Role;
use serde_json::{Value, json};

use crate::common::{Fixture, TestApp};

/// The day the hand-built dataset is seen from.
fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn day(offset: i64) -> String {
    (as_of() + Duration::days(offset)).to_string()
}

const COUNTS: &str = "open onTrack dueSoon overdue excepted overdueBands { upToTwoWeeks twoToSixWeeks sixToTwelveWeeks twelveToTwentySixWeeks twentySixToFiftyTwoWeeks overFiftyTwoWeeks }";

struct Data {
    fx: Fixture,
    second_locality: String,
    team: String,
    named_caseworker: String,
}

async fn request(
    app: &TestApp,
    fx: &Fixture,
    locality: &str,
    received: &str,
    caseworker: Option<&str>,
) -> (String, i64) {
    let child = app
        .ok(
            &fx.caseworker,
            "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }",
            json!({"input": {"legalName": format!("Child {received}"), "dateOfBirth": "2015-01-01", "localityId": locality}}),
        )
        .await["createChild"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = &app
        .ok(
            &fx.caseworker,
            "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }",
            json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": received, "caseworkerId": caseworker}}),
        )
        .await["requestAssessment"];
    (
        a["id"].as_str().unwrap().to_owned(),
        a["version"].as_i64().unwrap(),
    )
}

async fn act(app: &TestApp, fx: &Fixture, mutation: &str, input_type: &str, input: Value) -> i64 {
    let q =
        format!("mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ version }} }}");
    app.ok(&fx.caseworker, &q, json!({"input": input})).await[mutation]["version"]
        .as_i64()
        .unwrap()
}

/// Ten requests whose decision to assess is due on each boundary day around `as_of`, one
/// decided late (open only in the past), one with an exception, one refused.
async fn build(app: &TestApp) -> Data {
    let fx = app.with_local_authority().await;
    let second_locality = app
        .ok(
            &fx.manager,
            "mutation { createLocality(name: \"Penrith\") { id } }",
            json!({}),
        )
        .await["createLocality"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let team = app
        .ok(
            &fx.manager,
            "mutation { createTeam(name: \"South SEN team\") { id } }",
            json!({}),
        )
        .await["createTeam"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let named_caseworker = app
        .ok(
            &fx.manager,
            "mutation($input: CreateStaffInput!) { createStaff(input: $input) { id } }",
            json!({"input": {"teamId": team, "subject": "cw-south", "name": "Sam South", "role": "CASEWORKER"}}),
        )
        .await["createStaff"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Days overdue of the 6-week decision on `as_of` (negative: days to go).
    for k in [0, -14, -15, 1, 14, 42, 84, 182, 364, 365] {
        let received = day(-42 - k);
        let (locality, caseworker) = if k == 365 {
            (second_locality.as_str(), Some(named_caseworker.as_str()))
        } else {
            (fx.locality.as_str(), None)
        };
        request(app, &fx, locality, &received, caseworker).await;
    }
    // Decided late, 10 days before as_of, then advice asked of an EP.
    let (id, v) = request(app, &fx, &fx.locality, &day(-100), None).await;
    let v = act(
        app,
        &fx,
        "decideToAssess",
        "DecisionInput",
        json!({"assessmentId": id, "version": v, "on": day(-10)}),
    )
    .await;
    act(app, &fx, "requestAdvice", "RequestAdviceInput", json!({"assessmentId": id, "version": v, "on": day(-9), "service": "EDUCATIONAL_PSYCHOLOGY"})).await;
    // Away from the area before the decision was due: every limit lifted.
    let (id, v) = request(app, &fx, &fx.locality, &day(-200), None).await;
    act(app, &fx, "recordException", "RecordExceptionInput", json!({"assessmentId": id, "version": v, "reasonCode": "ABSENT_FROM_AREA", "startsOn": day(-170), "endsOn": day(-140)})).await;
    // Refused 20 days before as_of: nothing open now.
    let (id, v) = request(app, &fx, &fx.locality, &day(-60), None).await;
    act(app, &fx, "decideNotToAssess", "RefusalInput", json!({"assessmentId": id, "version": v, "on": day(-20), "reasons": "needs met at school", "appealRightsGiven": true})).await;
    Data {
        fx,
        second_locality,
        team,
        named_caseworker,
    }
}

async fn backlog(app: &TestApp, token: &str, as_of: &str, filter: Value) -> Value {
    let q = format!(
        "query($asOf: Date, $filter: BacklogFilter) {{ backlog(asOf: $asOf, filter: $filter) {{ asOf totals {{ {COUNTS} }} stages {{ stage regulation counts {{ {COUNTS} }} }} }} }}"
    );
    app.ok(token, &q, json!({"asOf": as_of, "filter": filter}))
        .await["backlog"]
        .clone()
}

fn stage<'a>(summary: &'a Value, kind: &str) -> &'a Value {
    summary["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == kind)
        .map(|s| &s["counts"])
        .unwrap_or_else(|| panic!("no {kind} in {summary:#}"))
}

fn counts(open: i64, on_track: i64, due_soon: i64, excepted: i64, bands: [i64; 6]) -> Value {
    json!({
        "open": open, "onTrack": on_track, "dueSoon": due_soon,
        "overdue": bands.iter().sum::<i64>(), "excepted": excepted,
        "overdueBands": {
            "upToTwoWeeks": bands[0], "twoToSixWeeks": bands[1], "sixToTwelveWeeks": bands[2],
            "twelveToTwentySixWeeks": bands[3], "twentySixToFiftyTwoWeeks": bands[4],
            "overFiftyTwoWeeks": bands[5]
        }
    })
}

#[tokio::test]
async fn backlog_counts_every_band_and_boundary_day_exactly() {
    let app = TestApp::spawn().await;
    let data = build(&app).await;
    let s = backlog(&app, &data.fx.manager, &day(0), json!({})).await;
    assert_eq!(s["asOf"], day(0));
    // Due today and in 14 days: due soon; in 15 days: on track; exactly 2/6/12/26/52 weeks
    // overdue fall in the band they close; 365 days is over 52 weeks. Plus the exception.
    assert_eq!(
        *stage(&s, "DECISION_TO_ASSESS"),
        counts(11, 1, 2, 1, [2, 1, 1, 1, 1, 1])
    );
    assert_eq!(stage(&s, "DECISION_TO_ASSESS")["open"], 11);
    // 16 weeks: due 70 days after the decision; the decided-late case is due in 12 days.
    assert_eq!(
        *stage(&s, "DECISION_NOT_TO_ISSUE"),
        counts(12, 6, 1, 1, [1, 0, 0, 1, 2, 0])
    );
    // 20 weeks: 98 days after the decision; the decided-late case is due in 40 days.
    assert_eq!(
        *stage(&s, "FINAL_PLAN"),
        counts(12, 7, 1, 1, [0, 0, 1, 0, 2, 0])
    );
    assert_eq!(*stage(&s, "ADVICE_RESPONSE"), counts(1, 1, 0, 0, [0; 6]));
    assert_eq!(s["totals"], counts(36, 15, 4, 3, [3, 1, 2, 2, 5, 1]));
    assert_eq!(
        stage(&s, "DECISION_TO_ASSESS").as_object().unwrap().len(),
        6
    );
    let regulation = s["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["stage"] == "FINAL_PLAN")
        .unwrap()["regulation"]
        .clone();
    assert_eq!(regulation, "SEND Regs 2014 reg 13(2)");
}

#[tokio::test]
async fn backlog_in_the_past_counts_what_was_open_then() {
    let app = TestApp::spawn().await;
    let data = build(&app).await;
    let s = backlog(
        &app,
        &data.fx.manager,
        &day(-30),
        json!({"stage": "DECISION_TO_ASSESS"}),
    )
    .await;
    // Requests received after that day had not arrived; the late decision was still
    // awaited (28 days overdue); the refused request was due in 12 days.
    assert_eq!(s["totals"], counts(11, 3, 1, 1, [1, 1, 1, 1, 2, 0]));
    // Before any request arrived, nothing.
    let s = backlog(&app, &data.fx.manager, "2020-01-01", json!({})).await;
    assert_eq!(s["totals"], counts(0, 0, 0, 0, [0; 6]));
}

#[tokio::test]
async fn backlog_filters_and_breakdowns() {
    let app = TestApp::spawn().await;
    let data = build(&app).await;
    let fx = &data.fx;
    let by_locality = backlog(
        &app,
        &fx.manager,
        &day(0),
        json!({"localityId": data.second_locality}),
    )
    .await;
    // The 365-days-overdue request: decision, 16-week and 20-week deadlines all overdue.
    assert_eq!(
        by_locality["totals"],
        counts(3, 0, 0, 0, [0, 0, 0, 0, 2, 1])
    );
    let by_team = backlog(&app, &fx.manager, &day(0), json!({"teamId": data.team})).await;
    assert_eq!(by_team["totals"], by_locality["totals"]);
    let by_caseworker = backlog(
        &app,
        &fx.manager,
        &day(0),
        json!({"caseworkerId": data.named_caseworker}),
    )
    .await;
    assert_eq!(by_caseworker["totals"], by_locality["totals"]);
    let by_service = backlog(
        &app,
        &fx.manager,
        &day(0),
        json!({"service": "EDUCATIONAL_PSYCHOLOGY"}),
    )
    .await;
    assert_eq!(by_service["totals"], counts(1, 1, 0, 0, [0; 6]));
    let by_service = backlog(&app, &fx.manager, &day(0), json!({"service": "CAMHS"})).await;
    assert_eq!(by_service["totals"]["open"], 0);
    let by_process = backlog(
        &app,
        &fx.manager,
        &day(0),
        json!({"process": "NEEDS_ASSESSMENT"}),
    )
    .await;
    assert_eq!(by_process["totals"]["open"], 36);

    let q = "query($by: BacklogDimension!, $asOf: Date) { backlog(asOf: $asOf, by: $by) { breakdown { key name counts { open overdue } } } }";
    let rows = app
        .ok(&fx.manager, q, json!({"by": "LOCALITY", "asOf": day(0)}))
        .await["backlog"]["breakdown"]
        .clone();
    assert_eq!(
        rows,
        json!([
            {"key": fx.locality, "name": "Carlisle", "counts": {"open": 33, "overdue": 11}},
            {"key": data.second_locality, "name": "Penrith", "counts": {"open": 3, "overdue": 3}},
        ])
    );
    let rows = app
        .ok(&fx.manager, q, json!({"by": "CASEWORKER", "asOf": day(0)}))
        .await["backlog"]["breakdown"]
        .clone();
    assert_eq!(
        rows,
        json!([
            // The fixture's caseworker requested the rest, so they are theirs.
            {"key": fx.caseworker_id, "name": "cw-909 name", "counts": {"open": 33, "overdue": 11}},
            {"key": data.named_caseworker, "name": "Sam South", "counts": {"open": 3, "overdue": 3}},
        ])
    );
    let rows = app
        .ok(&fx.manager, q, json!({"by": "SERVICE", "asOf": day(0)}))
        .await["backlog"]["breakdown"]
        .clone();
    assert_eq!(
        rows,
        json!([{"key": "EDUCATIONAL_PSYCHOLOGY", "name": "EDUCATIONAL_PSYCHOLOGY", "counts": {"open": 1, "overdue": 0}}])
    );
}

const ITEMS: &str = "query($asOf: Date, $filter: BacklogFilter, $standing: Standing, $band: OverdueBand, $first: Int, $after: String, $last: Int, $before: String) {
  backlogItems(asOf: $asOf, filter: $filter, standing: $standing, overdueBand: $band, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { stage regulation dueOn daysOverdue standing overdueBand child { name } caseworker { name } } }
  } }";

#[tokio::test]
async fn drill_down_lists_the_most_overdue_first_across_pages() {
    let app = TestApp::spawn().await;
    let data = build(&app).await;
    let token = &data.fx.manager;
    let vars = |extra: Value| {
        let mut v = json!({"asOf": day(0), "filter": {"stage": "DECISION_TO_ASSESS"}, "standing": "OVERDUE"});
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    let page1 = app.ok(token, ITEMS, vars(json!({"first": 4}))).await["backlogItems"].clone();
    let days: Vec<i64> = page1["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["daysOverdue"].as_i64().unwrap())
        .collect();
    assert_eq!(days, vec![365, 364, 182, 84]);
    assert_eq!(page1["pageInfo"]["hasNextPage"], true);
    assert_eq!(page1["pageInfo"]["hasPreviousPage"], false);
    let first = &page1["edges"][0]["node"];
    assert_eq!(first["regulation"], "SEND Regs 2014 reg 5(1)");
    assert_eq!(first["overdueBand"], "OVER_FIFTY_TWO_WEEKS");
    assert_eq!(first["caseworker"]["name"], "Sam South");
    assert_eq!(first["dueOn"], day(-365));
    let after = page1["pageInfo"]["endCursor"].clone();
    let page2 = app
        .ok(token, ITEMS, vars(json!({"first": 4, "after": after})))
        .await["backlogItems"]
        .clone();
    let days: Vec<i64> = page2["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["daysOverdue"].as_i64().unwrap())
        .collect();
    assert_eq!(days, vec![42, 14, 1]);
    assert_eq!(page2["pageInfo"]["hasNextPage"], false);
    assert_eq!(page2["pageInfo"]["hasPreviousPage"], true);
    // Backwards from the end of page 2 gives back page 1's tail.
    let before = page2["pageInfo"]["startCursor"].clone();
    let back = app
        .ok(token, ITEMS, vars(json!({"last": 2, "before": before})))
        .await["backlogItems"]
        .clone();
    let days: Vec<i64> = back["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["daysOverdue"].as_i64().unwrap())
        .collect();
    assert_eq!(days, vec![182, 84]);
    assert_eq!(back["pageInfo"]["hasPreviousPage"], true);
    // One band only; an exact page.
    let band = app
        .ok(
            token,
            ITEMS,
            vars(json!({"band": "UP_TO_TWO_WEEKS", "first": 2})),
        )
        .await["backlogItems"]
        .clone();
    assert_eq!(band["edges"].as_array().unwrap().len(), 2);
    assert_eq!(band["pageInfo"]["hasNextPage"], false);
    // Due soon, in due-date order.
    let soon = app
        .ok(
            token,
            ITEMS,
            json!({"asOf": day(0), "standing": "DUE_SOON", "first": 10}),
        )
        .await["backlogItems"]
        .clone();
    let kinds: Vec<(String, i64)> = soon["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["stage"].as_str().unwrap().to_owned(),
                e["node"]["daysOverdue"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 4);
    // One caseworker's list (its own index).
    let mine = app
        .ok(
            token,
            ITEMS,
            json!({"asOf": day(0), "filter": {"caseworkerId": data.named_caseworker}, "first": 10}),
        )
        .await["backlogItems"]
        .clone();
    let due: Vec<&str> = mine["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["dueOn"].as_str().unwrap())
        .collect();
    // Received 407 days ago: the decision (6 weeks), decision not to issue (16) and final
    // plan (20) are all open.
    assert_eq!(due, vec![day(-365), day(-407 + 112), day(-407 + 140)]);
    // An empty page and a foreign cursor.
    let none = app
        .ok(token, ITEMS, json!({"asOf": "2020-01-01", "first": 5}))
        .await["backlogItems"]
        .clone();
    assert_eq!(none["edges"], json!([]));
    assert_eq!(none["pageInfo"]["hasNextPage"], false);
    let code = app
        .error_code(Some(token), ITEMS, json!({"after": "bm9wZQ"}))
        .await;
    assert_eq!(code, "VALIDATION");
}

/// On a past day a page merges the deadlines still open today, those settled within
/// `LONG_OPEN_DAYS` of that day and those settled long after it (each read from its own
/// index), in one due-date order, forwards and backwards.
#[tokio::test]
async fn drill_down_in_the_past_merges_deadlines_settled_soon_and_long_after() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let then = -500;
    // Decided 490 days after `then`: open then, settled long after.
    let (id, v) = request(&app, &fx, &fx.locality, &day(-600), None).await;
    act(
        &app,
        &fx,
        "decideToAssess",
        "DecisionInput",
        json!({"assessmentId": id, "version": v, "on": day(-10)}),
    )
    .await;
    // Decided 200 days after `then`.
    let (id, v) = request(&app, &fx, &fx.locality, &day(-520), None).await;
    act(
        &app,
        &fx,
        "decideToAssess",
        "DecisionInput",
        json!({"assessmentId": id, "version": v, "on": day(-300)}),
    )
    .await;
    // Never decided: still open.
    request(&app, &fx, &fx.locality, &day(-510), None).await;
    // Received after `then`: not open then.
    request(&app, &fx, &fx.locality, &day(-490), None).await;
    let filter = json!({"stage": "DECISION_TO_ASSESS"});
    let summary = backlog(&app, &fx.manager, &day(then), filter.clone()).await;
    assert_eq!(summary["totals"]["open"], 3);
    let page = |extra: Value| {
        let mut v = json!({"asOf": day(then), "filter": filter});
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    let due = |conn: &Value| -> Vec<String> {
        conn["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["dueOn"].as_str().unwrap().to_owned())
            .collect()
    };
    let expected = vec![day(-600 + 42), day(-520 + 42), day(-510 + 42)];
    let all = app.ok(&fx.manager, ITEMS, page(json!({"first": 10}))).await["backlogItems"].clone();
    assert_eq!(due(&all), expected);
    assert_eq!(all["edges"][0]["node"]["daysOverdue"], 58);
    assert_eq!(all["edges"][1]["node"]["standing"], "ON_TRACK");
    // One at a time, forwards, then backwards from the end.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let p = app
            .ok(
                &fx.manager,
                ITEMS,
                page(json!({"first": 1, "after": after})),
            )
            .await["backlogItems"]
            .clone();
        seen.extend(due(&p));
        if p["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = p["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, expected);
    let last = app.ok(&fx.manager, ITEMS, page(json!({"last": 2}))).await["backlogItems"].clone();
    assert_eq!(due(&last), expected[1..].to_vec());
    assert_eq!(last["pageInfo"]["hasPreviousPage"], true);
    let before = last["pageInfo"]["startCursor"].clone();
    let first = app
        .ok(
            &fx.manager,
            ITEMS,
            page(json!({"last": 2, "before": before})),
        )
        .await["backlogItems"]
        .clone();
    assert_eq!(due(&first), expected[..1].to_vec());
    // The same for the whole dataset (admin).
    let national =
        app.ok(&fx.admin, ITEMS, page(json!({"first": 10}))).await["backlogItems"].clone();
    assert_eq!(due(&national), expected);
}

#[tokio::test]
async fn only_staff_see_the_backlog_and_only_their_own_la() {
    let app = TestApp::spawn().await;
    let data = build(&app).await;
    let fx = &data.fx;
    app.ok(
        &fx.admin,
        "mutation { createLocalAuthority(code: \"908\", name: \"Cornwall\") { id } }",
        json!({}),
    )
    .await;
    let other_la = app
        .ok(&fx.admin, "{ localAuthorities { id code } }", json!({}))
        .await["localAuthorities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "908")
        .unwrap()["id"]
        .clone();
    let q = "query($filter: BacklogFilter) { backlog(filter: $filter) { totals { open } } }";
    let code = app
        .error_code(
            Some(&fx.caseworker),
            q,
            json!({"filter": {"laId": other_la}}),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");
    let code = app
        .error_code(
            Some(&fx.manager),
            ITEMS,
            json!({"filter": {"laId": other_la}}),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");
    let parent = app.token(Role::Parent, "someone", None);
    assert_eq!(
        app.error_code(Some(&parent), q, json!({})).await,
        "FORBIDDEN"
    );
    let professional = app.provision(Role::Professional, "ep-1", "909").await;
    assert_eq!(
        app.error_code(Some(&professional), q, json!({})).await,
        "FORBIDDEN"
    );
    assert_eq!(app.error_code(None, q, json!({})).await, "UNAUTHENTICATED");
    // The admin's national view covers both LAs; the other LA has nothing.
    let q2 = "query($filter: BacklogFilter, $asOf: Date) { backlog(asOf: $asOf, filter: $filter) { totals { open } } }";
    let national = app.ok(&fx.admin, q2, json!({"asOf": day(0)})).await;
    assert_eq!(national["backlog"]["totals"]["open"], 36);
    let other = app
        .ok(
            &fx.admin,
            q2,
            json!({"asOf": day(0), "filter": {"laId": other_la}}),
        )
        .await;
    assert_eq!(other["backlog"]["totals"]["open"], 0);
    let own = app
        .ok(
            &fx.caseworker,
            q2,
            json!({"asOf": day(0), "filter": {"laId": fx.la}}),
        )
        .await;
    assert_eq!(own["backlog"]["totals"]["open"], 36);
}

#[tokio::test]
async fn timeliness_forecast_advice_and_history() {
    let app = TestApp::spawn().await;
    let data = build(&app).await;
    let fx = &data.fx;
    // One plan in 20 weeks exactly, one a day late with an exception, one over a year.
    for (received, issued, exception) in [(-140, 0, false), (-141, 0, true), (-400, -1, false)] {
        let (id, mut v) = request(&app, fx, &fx.locality, &day(received), None).await;
        v = act(
            &app,
            fx,
            "decideToAssess",
            "DecisionInput",
            json!({"assessmentId": id, "version": v, "on": day(received + 30)}),
        )
        .await;
        v = act(
            &app,
            fx,
            "requestAdvice",
            "RequestAdviceInput",
            json!({"assessmentId": id, "version": v, "on": day(received + 31), "service": "CAMHS"}),
        )
        .await;
        let advice = app
            .ok(
                &fx.manager,
                "query($id: ID!) { assessment(id: $id) { adviceRequests { id } } }",
                json!({"id": id}),
            )
            .await["assessment"]["adviceRequests"][0]["id"]
            .clone();
        v = act(&app, fx, "recordAdviceReceived", "AdviceReceivedInput", json!({"assessmentId": id, "version": v, "on": day(received + 31 + 50), "adviceRequestId": advice, "summary": "advice"})).await;
        if exception {
            v = act(&app, fx, "recordException", "RecordExceptionInput", json!({"assessmentId": id, "version": v, "reasonCode": "ABSENT_FROM_AREA", "startsOn": day(received + 60), "endsOn": day(received + 90)})).await;
        }
        v = act(
            &app,
            fx,
            "sendDraftPlan",
            "ActionInput",
            json!({"assessmentId": id, "version": v, "on": day(issued - 20)}),
        )
        .await;
        act(
            &app,
            fx,
            "issueFinalPlan",
            "IssueFinalPlanInput",
            json!({"assessmentId": id, "version": v, "on": day(issued)}),
        )
        .await;
    }
    let q = "query($from: Date!, $to: Date!) { timeliness(from: $from, to: $to) { newPlansIssued newPlansWithinTwentyWeeks newPlansWithException shareWithinTwentyWeeksExcludingExceptions shareWithinTwentyWeeksIncludingExceptions meanWeeksToPlan newPlansOverFiftyTwoWeeks stages { stage done onTime } } }";
    let t = app
        .ok(&fx.manager, q, json!({"from": day(-10), "to": day(0)}))
        .await["timeliness"]
        .clone();
    assert_eq!(t["newPlansIssued"], 3);
    assert_eq!(t["newPlansWithinTwentyWeeks"], 1);
    assert_eq!(t["newPlansWithException"], 1);
    assert_eq!(t["shareWithinTwentyWeeksExcludingExceptions"], 0.5);
    assert_eq!(t["newPlansOverFiftyTwoWeeks"], 1);
    let mean = t["meanWeeksToPlan"].as_f64().unwrap();
    assert!(
        (mean - (140.0 + 141.0 + 399.0) / 21.0).abs() < 1e-9,
        "{mean}"
    );
    let share = t["shareWithinTwentyWeeksIncludingExceptions"]
        .as_f64()
        .unwrap();
    assert!((share - 1.0 / 3.0).abs() < 1e-9);

    let q = "query($asOf: Date) { adviceByService(asOf: $asOf, from: \"2020-01-01\", to: $asOf) { services { service open { open } received receivedLate medianDaysToRespond p90DaysToRespond } } }";
    let a = app.ok(&fx.manager, q, json!({"asOf": day(0)})).await["adviceByService"]["services"]
        .clone();
    assert_eq!(
        a,
        json!([
            {"service": "CAMHS", "open": {"open": 0}, "received": 3, "receivedLate": 3, "medianDaysToRespond": 50, "p90DaysToRespond": 50},
            {"service": "EDUCATIONAL_PSYCHOLOGY", "open": {"open": 1}, "received": 0, "receivedLate": 0, "medianDaysToRespond": null, "p90DaysToRespond": null},
        ])
    );

    let q = "query($asOf: Date) { forecast(asOf: $asOf, weeks: 3) { startsOn endsOn total stages { stage count } } }";
    let f = app.ok(&fx.manager, q, json!({"asOf": day(0)})).await["forecast"].clone();
    assert_eq!(f.as_array().unwrap().len(), 3);
    assert_eq!(f[0]["startsOn"], day(0));
    assert_eq!(f[0]["endsOn"], day(6));
    // Due today: a decision; in 12 days: the decided-late case's 16 weeks; in 14 and 15
    // days: two decisions and a final plan.
    assert_eq!(f[0]["total"], 1);
    assert_eq!(f[1]["total"], 1);
    assert_eq!(f[2]["total"], 3);

    let q = "query($from: Date!, $to: Date!) { backlogHistory(from: $from, to: $to, filter: {stage: DECISION_TO_ASSESS}) { asOf counts { open overdue } } }";
    let h = app
        .ok(&fx.manager, q, json!({"from": "2025-04-10", "to": day(0)}))
        .await["backlogHistory"]
        .clone();
    let points: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["asOf"].as_str().unwrap())
        .collect();
    assert_eq!(points, vec!["2025-04-30", "2025-05-31", "2025-06-30"]);
    assert_eq!(h[2]["counts"]["open"], 11);
}

/// Counts are kept per LA under the LA's backlog generation: every change shows at once, in
/// the LA's own view and in the national one, with and without a breakdown.
#[tokio::test]
async fn counts_follow_every_change_in_every_view() {
    let app = TestApp::spawn().await;
    let data = build(&app).await;
    let fx = &data.fx;
    let q = "query($by: BacklogDimension) { backlog(by: $by) { totals { open } breakdown { key counts { open } } } }";
    let read = |token: &'static str| {
        let token = match token {
            "admin" => fx.admin.clone(),
            _ => fx.manager.clone(),
        };
        let app = &app;
        async move {
            let plain = app.ok(&token, q, json!({})).await["backlog"]["totals"]["open"]
                .as_i64()
                .unwrap();
            let by = app.ok(&token, q, json!({"by": "LOCALITY"})).await["backlog"].clone();
            let summed: i64 = by["breakdown"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["counts"]["open"].as_i64().unwrap())
                .sum();
            assert_eq!(summed, by["totals"]["open"].as_i64().unwrap());
            (plain, summed)
        }
    };
    let (national, national_by) = read("admin").await;
    let (own, own_by) = read("manager").await;
    assert_eq!(
        (national, national_by),
        (own, own_by),
        "one LA holds everything"
    );
    // Asked again, unchanged: the same answer (now from memory).
    assert_eq!(read("admin").await, (national, national_by));
    // A new request today opens three limits: the decision to assess (6 weeks), the decision
    // if no plan will be issued (16 weeks) and the final plan (20 weeks).
    let today = crate::common::today().to_string();
    let (id, v) = request(&app, fx, &data.second_locality, &today, None).await;
    assert_eq!(read("admin").await, (national + 3, national_by + 3));
    assert_eq!(read("manager").await, (own + 3, own_by + 3));
    // Refused today: closed again.
    act(&app, fx, "decideNotToAssess", "RefusalInput", json!({"assessmentId": id, "version": v, "reasons": "needs met at school", "appealRightsGiven": true})).await;
    assert_eq!(read("admin").await, (national, national_by));
    assert_eq!(read("manager").await, (own, own_by));
}
