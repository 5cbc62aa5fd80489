//! `ehcp seed-demo`: a realistic local authority at every stage, loaded once.
use std::collections::BTreeSet;

use ehcp::domain::access::Role;
use serde_json::{Value, json};

use crate::common::{TestApp, now};

fn strings(v: &Value, path: &[&str]) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|item| {
            path.iter()
                .fold(item, |acc, key| &acc[*key])
                .as_str()
                .expect("string")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_demo_covers_every_stage_and_loads_only_once() {
    let app = TestApp::spawn().await;
    let first = ehcp::seed::demo::load(&app.db, now()).await.expect("load");
    assert!(
        first.contains("Loaded the demo local authority 909"),
        "{first}"
    );
    assert!(first.contains("50 children"), "{first}");
    assert!(
        first.contains("token --role parent --sub demo-parent-07"),
        "{first}"
    );
    let second = ehcp::seed::demo::load(&app.db, now())
        .await
        .expect("load again");
    assert!(second.contains("already loaded (50 children)"), "{second}");

    let manager = app.token(Role::Manager, "demo-manager", Some("909"));
    let q = "{ assessments(first: 100) { edges { node { state deadlines { status } } } }
               children(first: 100) { edges { node { id } } }
               localAuthority: localAuthorities { localities { name } } }";
    let data = app.ok(&manager, q, json!({})).await;
    assert_eq!(
        data["children"]["edges"]
            .as_array()
            .expect("children")
            .len(),
        50,
        "a second load must not duplicate children"
    );
    let nodes: Vec<Value> = data["assessments"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let states: BTreeSet<String> = nodes
        .iter()
        .map(|n| n["state"].as_str().expect("state").to_owned())
        .collect();
    for state in [
        "REQUESTED",
        "DECIDED_NOT_TO_ASSESS",
        "ASSESSING",
        "DECIDED_NOT_TO_ISSUE",
        "DRAFT_ISSUED",
        "FINAL_ISSUED",
        "WITHDRAWN",
        "TRANSFERRED_OUT",
    ] {
        assert!(
            states.contains(state),
            "no demo assessment is {state}: {states:?}"
        );
    }
    let statuses: BTreeSet<String> = nodes
        .iter()
        .flat_map(|n| strings(&n["deadlines"], &["status"]))
        .collect();
    for status in [
        "PENDING", "DUE_SOON", "OVERDUE", "MET", "MISSED", "EXCEPTED",
    ] {
        assert!(
            statuses.contains(status),
            "no demo deadline is {status}: {statuses:?}"
        );
    }
    assert!(
        data["localAuthority"][0]["localities"]
            .as_array()
            .expect("localities")
            .len()
            >= 2
    );
}

#[tokio::test]
async fn demo_users_sign_in_and_see_only_their_own() {
    let app = TestApp::spawn().await;
    ehcp::seed::demo::load(&app.db, now()).await.expect("load");

    // The parent named in the sign-in instructions sees one child, with a draft to comment on.
    let parent = app.token(Role::Parent, "demo-parent-07", None);
    let q = "{ children(first: 100) { edges { node { displayName assessments { state nextStep { description } } } } } }";
    let data = app.ok(&parent, q, json!({})).await;
    let children = data["children"]["edges"].as_array().expect("children");
    assert_eq!(children.len(), 1);
    assert_eq!(
        children[0]["node"]["assessments"][0]["state"],
        "DRAFT_ISSUED"
    );

    // A professional sees only the requests addressed to their service, most urgent first.
    let camhs = app.token(Role::Professional, "demo-camhs", Some("909"));
    let q = "{ myAdviceRequests(open: null, first: 100) { edges { node { service dueOn child { displayName } } } } }";
    let data = app.ok(&camhs, q, json!({})).await;
    let seen = data["myAdviceRequests"]["edges"].as_array().expect("edges");
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|e| e["node"]["service"] == "CAMHS"),
        "{seen:?}"
    );
    let due: Vec<&str> = seen
        .iter()
        .map(|e| e["node"]["dueOn"].as_str().expect("due"))
        .collect();
    assert!(due.windows(2).all(|w| w[0] <= w[1]), "{due:?}");

    // Each caseworker named in the instructions is a real staff record with a caseload.
    for area in ["north", "west", "south"] {
        let caseworker = app.token(
            Role::Caseworker,
            &format!("demo-caseworker-{area}-1"),
            Some("909"),
        );
        let data = app
            .ok(
                &caseworker,
                "{ me { linked } staff(role: CASEWORKER) { subject } }",
                json!({}),
            )
            .await;
        assert_eq!(data["me"]["linked"], true, "{data}");
        assert_eq!(data["staff"].as_array().expect("staff").len(), 6, "{data}");
    }
}
