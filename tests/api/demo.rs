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
    assert!(first.contains("60 children"), "{first}");
    assert!(
        first.contains("token --role parent --sub demo-parent-07"),
        "{first}"
    );
    let second = ehcp::seed::demo::load(&app.db, now())
        .await
        .expect("load again");
    assert!(second.contains("already loaded (60 children)"), "{second}");

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
        60,
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
    // Plans at every stage of review, amendment, phase transfer and ceasing.
    // Pages of 20: plans with every review's deadlines cost too much in pages of 100.
    let q = "query($after: String) { plans(first: 20, after: $after) { pageInfo { hasNextPage endCursor }
               edges { node { status deadlines { kind status }
               reviews { deadlines { kind status } amendment { deadlines { kind status } } } } } } }";
    let mut plans: Vec<Value> = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app.ok(&manager, q, json!({"after": after})).await;
        plans.extend(
            page["plans"]["edges"]
                .as_array()
                .expect("plans")
                .iter()
                .map(|e| e["node"].clone()),
        );
        if page["plans"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["plans"]["pageInfo"]["endCursor"].clone();
    }
    // A page of plans is loaded in one batch: each plan must get its own child, versions,
    // open review and amendment, exactly as when it is read alone.
    const PLAN: &str = "id status child { id legalName ncYear } versions { number issuedOn namedSetting } \
        openReview { id dueBy } openAmendment { id } phaseTransfer { movesOn } allowedActions nextStep { description } deadlines { kind dueOn status }";
    let listed = app
        .ok(
            &manager,
            &format!("{{ plans(first: 100) {{ edges {{ node {{ {PLAN} }} }} }} }}"),
            json!({}),
        )
        .await;
    let listed = listed["plans"]["edges"].as_array().expect("plans").clone();
    assert!(listed.len() > 10, "{}", listed.len());
    for edge in &listed {
        let alone = app
            .ok(
                &manager,
                &format!("query($id: ID!) {{ plan(id: $id) {{ {PLAN} }} }}"),
                json!({"id": edge["node"]["id"]}),
            )
            .await;
        assert_eq!(edge["node"], alone["plan"]);
    }
    let statuses: BTreeSet<String> = plans
        .iter()
        .map(|p| p["status"].as_str().expect("status").to_owned())
        .collect();
    assert!(
        statuses.contains("ACTIVE") && statuses.contains("CEASED"),
        "{statuses:?}"
    );
    let mut seen = BTreeSet::new();
    for plan in &plans {
        let mut all: Vec<&Value> = plan["deadlines"].as_array().expect("d").iter().collect();
        for review in plan["reviews"].as_array().expect("reviews") {
            all.extend(review["deadlines"].as_array().expect("d"));
            if let Some(d) = review["amendment"]["deadlines"].as_array() {
                all.extend(d);
            }
        }
        for d in all {
            seen.insert(format!(
                "{} {}",
                d["kind"].as_str().expect("kind"),
                d["status"].as_str().expect("status")
            ));
        }
    }
    for wanted in [
        "ANNUAL_REVIEW OVERDUE",
        "ANNUAL_REVIEW DUE_SOON",
        "REVIEW_DECISION OVERDUE",
        "AMENDED_PLAN OVERDUE",
        "AMENDMENT_COMMENTS DUE_SOON",
    ] {
        assert!(seen.contains(wanted), "no demo deadline {wanted}: {seen:?}");
    }
    assert!(
        seen.iter().any(|s| s.starts_with("PHASE_TRANSFER")),
        "{seen:?}"
    );
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
    let q = "{ children(first: 100) { edges { node { displayName assessments { id state nextStep { description } } } } } }";
    let data = app.ok(&parent, q, json!({})).await;
    let children = data["children"]["edges"].as_array().expect("children");
    assert_eq!(children.len(), 1);
    let assessment = &children[0]["node"]["assessments"][0];
    assert_eq!(assessment["state"], "DRAFT_ISSUED");
    // The family reads the step addressed to them; staff read the same step as what the family
    // may do and what the council does next.
    let family = assessment["nextStep"]["description"]
        .as_str()
        .expect("text");
    assert!(
        family.starts_with("You can comment on the draft plan"),
        "{family}"
    );
    let staff = app
        .ok(
            &app.admin_token(),
            "query($id: ID!) { assessment(id: $id) { nextStep { description } } }",
            json!({"id": assessment["id"]}),
        )
        .await;
    let staff = staff["assessment"]["nextStep"]["description"]
        .as_str()
        .expect("text");
    assert!(
        staff.starts_with("The family may comment on the draft plan"),
        "{staff}"
    );
    assert!(staff.ends_with("then issue the final plan."), "{staff}");

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
