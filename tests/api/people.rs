//! People and places: validation, local-authority scoping, optimistic versions, audit.
use ehcp::domain::access::Role;
use serde_json::{Value, json};

use crate::common::TestApp;

#[tokio::test]
async fn only_admins_create_local_authorities_and_codes_are_unique() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let q = "mutation { createLocalAuthority(code: \"909\", name: \"Again\") { id } }";
    assert_eq!(
        app.error_code(Some(&fx.admin), q, json!({})).await,
        "CONFLICT"
    );
    let q2 = "mutation { createLocalAuthority(code: \"940\", name: \"Westmorland and Furness\") { id } }";
    assert_eq!(
        app.error_code(Some(&fx.manager), q2, json!({})).await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code(Some(&fx.caseworker), q2, json!({})).await,
        "FORBIDDEN"
    );
    let bad = "mutation { createLocalAuthority(code: \"9x9\", name: \"Nowhere\") { id } }";
    let (_, body) = app.gql(Some(&fx.admin), bad, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");
    assert_eq!(body["errors"][0]["extensions"]["field"], "code");
}

#[tokio::test]
async fn child_validation_names_the_field() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let q = "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }";
    let cases = [
        (
            json!({"legalName": "  ", "dateOfBirth": "2015-01-01", "localityId": fx.locality}),
            "legalName",
        ),
        (
            json!({"legalName": "Ada", "dateOfBirth": "2099-01-01", "localityId": fx.locality}),
            "dateOfBirth",
        ),
        (
            json!({"legalName": "Ada", "dateOfBirth": "2015-01-01", "localityId": "999999"}),
            "localityId",
        ),
        (
            json!({"legalName": "Ada", "dateOfBirth": "2015-01-01", "localityId": fx.locality, "ncYearOverride": 40}),
            "ncYearOverride",
        ),
    ];
    for (input, field) in cases {
        let (_, body) = app
            .gql(Some(&fx.caseworker), q, json!({"input": input}))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "VALIDATION",
            "{field}: {body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    // Nothing was written by the refused attempts.
    let data = app
        .ok(
            &fx.caseworker,
            "{ children { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["children"]["edges"], json!([]));
}

#[tokio::test]
async fn a_child_has_a_derived_curriculum_year_that_can_be_overridden() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let id = app.create_child(&fx, "Ada Lovelace", "2014-03-01").await;
    let data = app
        .ok(&fx.caseworker, "query($id: ID!) { child(id: $id) { displayName ncYearOverridden version locality { name } } }", json!({"id": id}))
        .await;
    assert_eq!(data["child"]["displayName"], "Ada Lovelace");
    assert_eq!(data["child"]["ncYearOverridden"], false);
    assert_eq!(data["child"]["version"], 1);
    assert_eq!(data["child"]["locality"]["name"], "Carlisle");

    let update = "mutation($input: UpdateChildInput!) { updateChild(input: $input) { ncYear ncYearLabel ncYearOverridden preferredName displayName version } }";
    let data = app
        .ok(&fx.caseworker, update, json!({"input": {"id": id, "version": 1, "ncYearOverride": 4, "preferredName": "Addie"}}))
        .await;
    assert_eq!(
        data["updateChild"],
        json!({"ncYear": 4, "ncYearLabel": "Year 4", "ncYearOverridden": true, "preferredName": "Addie", "displayName": "Addie", "version": 2})
    );
}

#[tokio::test]
async fn of_two_updates_made_from_the_same_version_only_one_wins() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let id = app.create_child(&fx, "Ada Lovelace", "2014-03-01").await;
    let update = "mutation($input: UpdateChildInput!) { updateChild(input: $input) { version currentSetting } }";
    let first = json!({"input": {"id": id, "version": 1, "currentSetting": "Stanwix Primary"}});
    let second = json!({"input": {"id": id, "version": 1, "currentSetting": "Belle Vue Primary"}});
    let (a, b) = tokio::join!(
        app.gql(Some(&fx.caseworker), update, first),
        app.gql(Some(&fx.manager), update, second)
    );
    let outcomes = [&a.1, &b.1];
    let wins = outcomes
        .iter()
        .filter(|b| b.get("errors").is_none())
        .count();
    assert_eq!(wins, 1, "{a:?} {b:?}");
    let loser = outcomes
        .iter()
        .find(|b| b.get("errors").is_some())
        .expect("one lost");
    assert_eq!(loser["errors"][0]["extensions"]["code"], "CONFLICT");
    let data = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { child(id: $id) { version } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data["child"]["version"], 2);
}

#[tokio::test]
async fn staff_see_only_their_own_local_authority() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let child = app.create_child(&fx, "Ada Lovelace", "2014-03-01").await;
    app.ok(&fx.admin, "mutation { createLocalAuthority(code: \"940\", name: \"Westmorland and Furness\") { id } }", json!({})).await;
    let other = app.provision(Role::Caseworker, "cw-940", "940").await;
    let q = "query($id: ID!) { child(id: $id) { id } }";
    assert_eq!(
        app.error_code(Some(&other), q, json!({"id": child})).await,
        "NOT_FOUND"
    );
    let data = app
        .ok(
            &other,
            "{ children { edges { node { id } } } localAuthorities { code } }",
            json!({}),
        )
        .await;
    assert_eq!(data["children"]["edges"], json!([]));
    assert_eq!(data["localAuthorities"], json!([{"code": "940"}]));
    // Nor may they write into another LA's locality.
    let create = "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }";
    let input = json!({"input": {"legalName": "X", "dateOfBirth": "2015-01-01", "localityId": fx.locality}});
    assert_eq!(
        app.error_code(Some(&other), create, input).await,
        "VALIDATION"
    );
    let update = "mutation($input: UpdateChildInput!) { updateChild(input: $input) { id } }";
    assert_eq!(
        app.error_code(
            Some(&other),
            update,
            json!({"input": {"id": child, "version": 1, "legalName": "Y"}})
        )
        .await,
        "NOT_FOUND"
    );
    // The admin sees both authorities.
    let data = app
        .ok(&fx.admin, "{ localAuthorities { code } }", json!({}))
        .await;
    assert_eq!(
        data["localAuthorities"],
        json!([{"code": "909"}, {"code": "940"}])
    );
}

#[tokio::test]
async fn parents_see_only_their_linked_children() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let ada = app.create_child(&fx, "Ada Lovelace", "2014-03-01").await;
    let bob = app.create_child(&fx, "Bob Smith", "2016-05-02").await;
    let parent = app
        .ok(&fx.caseworker, "mutation { createParent(input: {name: \"Anne Lovelace\", subject: \"parent-anne\"}) { id } }", json!({}))
        .await["createParent"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.ok(
        &fx.caseworker,
        "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p, relationship: \"mother\") { id } }",
        json!({"c": ada, "p": parent}),
    )
    .await;
    let token = app.token(Role::Parent, "parent-anne", None);
    let data = app
        .ok(&token, "{ me { linked } children { edges { node { id legalName parents { relationship parent { name } } } } } }", json!({}))
        .await;
    assert_eq!(data["me"]["linked"], true);
    assert_eq!(
        data["children"]["edges"],
        json!([{"node": {"id": ada, "legalName": "Ada Lovelace", "parents": [{"relationship": "mother", "parent": {"name": "Anne Lovelace"}}]}}])
    );
    let q = "query($id: ID!) { child(id: $id) { id } }";
    assert_eq!(
        app.error_code(Some(&token), q, json!({"id": bob})).await,
        "NOT_FOUND"
    );
    // Parents read; they do not write.
    let update = "mutation($input: UpdateChildInput!) { updateChild(input: $input) { id } }";
    assert_eq!(
        app.error_code(
            Some(&token),
            update,
            json!({"input": {"id": ada, "version": 1, "legalName": "Z"}})
        )
        .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code(Some(&token), "{ staff { id } }", json!({}))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code(
            Some(&token),
            "{ auditEvents { edges { node { id } } } }",
            json!({})
        )
        .await,
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn a_parent_without_a_record_sees_nothing() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    app.create_child(&fx, "Ada Lovelace", "2014-03-01").await;
    let stranger = app.token(Role::Parent, "nobody", None);
    let data = app
        .ok(
            &stranger,
            "{ me { linked } children { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["me"]["linked"], false);
    assert_eq!(data["children"]["edges"], json!([]));
}

#[tokio::test]
async fn managers_build_their_organisation_and_caseworkers_cannot() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let create = "mutation($input: CreateStaffInput!) { createStaff(input: $input) { id name role active teamId } }";
    let input = json!({"input": {"subject": "cw-jane", "name": "Jane Caseworker", "role": "CASEWORKER", "teamId": fx.team}});
    let data = app.ok(&fx.manager, create, input.clone()).await;
    assert_eq!(data["createStaff"]["role"], "CASEWORKER");
    assert_eq!(data["createStaff"]["teamId"], fx.team);
    assert_eq!(
        app.error_code(Some(&fx.manager), create, input).await,
        "CONFLICT"
    );
    let as_caseworker = json!({"input": {"subject": "cw-x", "name": "X", "role": "CASEWORKER"}});
    assert_eq!(
        app.error_code(Some(&fx.caseworker), create, as_caseworker)
            .await,
        "FORBIDDEN"
    );
    let parent_role = json!({"input": {"subject": "cw-y", "name": "Y", "role": "PARENT"}});
    assert_eq!(
        app.error_code(Some(&fx.manager), create, parent_role).await,
        "VALIDATION"
    );
    let professional = "mutation { createProfessional(input: {name: \"Dr Priya Patel\", service: EDUCATIONAL_PSYCHOLOGY, organisation: \"Cumbria EP Service\", subject: \"ep-priya\"}) { service organisation } }";
    let data = app.ok(&fx.manager, professional, json!({})).await;
    assert_eq!(
        data["createProfessional"]["service"],
        "EDUCATIONAL_PSYCHOLOGY"
    );
    let data = app
        .ok(
            &fx.caseworker,
            "{ staff { name } professionals { name } }",
            json!({}),
        )
        .await;
    // Jane, and the fixture's own caseworker and manager.
    assert_eq!(
        data["staff"],
        json!([{"name": "Jane Caseworker"}, {"name": "cw-909 name"}, {"name": "mgr-909 name"}])
    );
    assert_eq!(data["professionals"], json!([{"name": "Dr Priya Patel"}]));
}

#[tokio::test]
async fn a_deactivated_staff_member_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let id = app
        .ok(&fx.manager, "mutation { createStaff(input: {subject: \"cw-leaver\", name: \"Leaver\", role: CASEWORKER}) { id } }", json!({}))
        .await["createStaff"]["id"]
        .clone();
    let leaver = app.token(Role::Caseworker, "cw-leaver", Some("909"));
    app.ok(&leaver, "{ me { subject } }", json!({})).await;
    app.ok(
        &fx.manager,
        "mutation($id: ID!) { updateStaff(input: {id: $id, active: false}) { active } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        app.error_code(Some(&leaver), "{ me { subject } }", json!({}))
            .await,
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn every_change_is_in_the_audit_trail_and_filterable() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let child = app.create_child(&fx, "Ada Lovelace", "2014-03-01").await;
    app.ok(
        &fx.caseworker,
        "mutation($id: ID!) { updateChild(input: {id: $id, version: 1, currentSetting: \"Stanwix\"}) { id } }",
        json!({"id": child}),
    )
    .await;
    let q = "query($child: ID, $actor: String) { auditEvents(childId: $child, actorSubject: $actor) { edges { node { actorSubject actorRole entity action childId } } } }";
    let data = app.ok(&fx.manager, q, json!({"child": child})).await;
    assert_eq!(
        data["auditEvents"]["edges"],
        json!([
            {"node": {"actorSubject": "cw-909", "actorRole": "CASEWORKER", "entity": "child", "action": "UPDATE", "childId": child}},
            {"node": {"actorSubject": "cw-909", "actorRole": "CASEWORKER", "entity": "child", "action": "CREATE", "childId": child}},
        ])
    );
    let data = app.ok(&fx.manager, q, json!({"actor": "mgr-909"})).await;
    let actions: Vec<_> = data["auditEvents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["entity"].clone())
        .collect();
    // The manager made the team, the locality and the fixture's caseworker.
    assert_eq!(
        actions,
        vec![json!("staff"), json!("team"), json!("locality")]
    );
    // The admin's creation of the LA is in the trail too, visible to the admin.
    let data = app
        .ok(
            &fx.admin,
            "{ auditEvents(actorSubject: \"admin\") { edges { node { entity action } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["auditEvents"]["edges"],
        json!([
            {"node": {"entity": "staff", "action": "CREATE"}},
            {"node": {"entity": "local_authority", "action": "CREATE"}},
        ])
    );
    // Caseworkers may not read the trail.
    assert_eq!(
        app.error_code(Some(&fx.caseworker), q, json!({})).await,
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn children_are_paginated_with_clamped_page_sizes() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    for i in 0..5 {
        app.create_child(&fx, &format!("Child {i}"), "2015-01-01")
            .await;
    }
    let q = "query($first: Int, $after: String, $last: Int, $before: String) { children(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { legalName } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }";
    let page1 = app.ok(&fx.caseworker, q, json!({"first": 2})).await;
    let names = |d: &serde_json::Value| -> Vec<String> {
        d["children"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["legalName"].as_str().expect("name").to_owned())
            .collect()
    };
    assert_eq!(names(&page1), ["Child 0", "Child 1"]);
    assert_eq!(page1["children"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(page1["children"]["pageInfo"]["hasPreviousPage"], false);
    let after = page1["children"]["pageInfo"]["endCursor"].clone();
    let page2 = app
        .ok(&fx.caseworker, q, json!({"first": 2, "after": after}))
        .await;
    assert_eq!(names(&page2), ["Child 2", "Child 3"]);
    assert_eq!(page2["children"]["pageInfo"]["hasPreviousPage"], true);
    let last = app.ok(&fx.caseworker, q, json!({"last": 2})).await;
    assert_eq!(names(&last), ["Child 3", "Child 4"]);
    assert_eq!(last["children"]["pageInfo"]["hasPreviousPage"], true);
    let before = last["children"]["pageInfo"]["startCursor"].clone();
    let prev = app
        .ok(&fx.caseworker, q, json!({"last": 2, "before": before}))
        .await;
    assert_eq!(names(&prev), ["Child 1", "Child 2"]);
    let all = app.ok(&fx.caseworker, q, json!({"first": 100000})).await;
    assert_eq!(names(&all).len(), 5);
    assert_eq!(
        app.error_code(Some(&fx.caseworker), q, json!({"first": -1}))
            .await,
        "VALIDATION"
    );
    assert_eq!(
        app.error_code(Some(&fx.caseworker), q, json!({"after": "garbage"}))
            .await,
        "VALIDATION"
    );
    let search = app
        .ok(
            &fx.caseworker,
            "{ children(search: \"ild 3\") { edges { node { legalName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        search["children"]["edges"],
        json!([{"node": {"legalName": "Child 3"}}])
    );
}

#[tokio::test]
async fn a_page_of_none_is_empty_and_still_says_whether_there_is_more() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    for name in ["Ada", "Grace"] {
        let child = app.create_child(&fx, name, "2015-01-01").await;
        app.ok(
            &fx.caseworker,
            "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id } }",
            json!({"input": {"childId": child, "requestedBy": "PARENT", "receivedOn": crate::common::today().to_string()}}),
        )
        .await;
    }
    for (list, args) in [
        ("children", "first: 0"),
        ("assessments", "first: 0"),
        ("backlogItems", "first: 0"),
        ("auditEvents", "first: 0"),
    ] {
        let q = format!("{{ {list}({args}) {{ edges {{ cursor }} pageInfo {{ hasNextPage }} }} }}");
        let page = app.ok(&fx.manager, &q, json!({})).await;
        assert_eq!(page[list]["edges"], json!([]), "{list}");
        assert_eq!(page[list]["pageInfo"]["hasNextPage"], true, "{list}");
    }
    let caseload = app
        .ok(
            &fx.caseworker,
            "{ caseload(first: 0) { openCases items { assessment { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(caseload["caseload"]["items"], json!([]));
    assert_eq!(caseload["caseload"]["openCases"], 2);
}

const SEN2_FIELDS: &str =
    "id version upn uniqueLearnerNumber upnUnknownReason sex ethnicity homePostcode";

#[tokio::test]
async fn what_the_sen2_return_records_of_a_child_is_checked_against_its_code_lists() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    // The code lists are data, with their sources: the frontend offers them as choices.
    let sex = app
        .ok(
            &fx.caseworker,
            "{ sen2Codes(list: \"sex\") { list code label source } }",
            json!({}),
        )
        .await;
    assert_eq!(
        sex["sen2Codes"],
        json!([
            {"list": "SEX", "code": "F", "label": "Female", "source": "LX26"},
            {"list": "SEX", "code": "M", "label": "Male", "source": "LX26"}
        ])
    );
    let all = app
        .ok(&fx.caseworker, "{ sen2Codes { list code } }", json!({}))
        .await;
    let count = |list: &str| {
        all["sen2Codes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["list"] == list)
            .count()
    };
    assert_eq!(count("CEASE_REASON"), 9);
    assert_eq!(count("SEN_TYPE"), 13);
    assert_eq!(count("UPN_UNKNOWN"), 7);
    assert_eq!(count("REQUEST_SOURCE"), 5);

    let create = format!(
        "mutation($input: CreateChildInput!) {{ createChild(input: $input) {{ {SEN2_FIELDS} }} }}"
    );
    let base =
        json!({"legalName": "Ada Census", "dateOfBirth": "2015-01-01", "localityId": fx.locality});
    let with = |extra: Value| {
        let mut input = base.clone();
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"input": input})
    };
    // Each item refused with its field, and nothing written.
    for (extra, field, says) in [
        (json!({"upn": "A801200005001"}), "upn", "check letter"),
        (json!({"upn": "B8012000050"}), "upn", "13 characters"),
        (
            json!({"uniqueLearnerNumber": "12345"}),
            "uniqueLearnerNumber",
            "10 digits",
        ),
        (json!({"sex": "X"}), "sex", "SEX list"),
        (json!({"ethnicity": "BRIT"}), "ethnicity", "ETHNICITY list"),
        (
            json!({"upnUnknownReason": "UN4"}),
            "upnUnknownReason",
            "UPN_UNKNOWN list",
        ),
        (
            json!({"upn": "B801200005001", "upnUnknownReason": "UN1"}),
            "upnUnknownReason",
            "neither a UPN nor a ULN",
        ),
        (
            json!({"homePostcode": "Carlisle"}),
            "homePostcode",
            "UK postcode",
        ),
    ] {
        let (_, body) = app.gql(Some(&fx.caseworker), &create, with(extra)).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "VALIDATION",
            "{body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
    let none = app
        .ok(
            &fx.caseworker,
            "{ children { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(none["children"]["edges"], json!([]));

    // Kept in their usual forms.
    let child = app
        .ok(
            &fx.caseworker,
            &create,
            with(json!({"upn": " b80120 0005001", "sex": "f", "ethnicity": "wbri", "homePostcode": "ca11rd"})),
        )
        .await["createChild"]
        .clone();
    assert_eq!(child["upn"], "B801200005001");
    assert_eq!(child["sex"], "F");
    assert_eq!(child["ethnicity"], "WBRI");
    assert_eq!(child["homePostcode"], "CA1 1RD");
    assert_eq!(child["uniqueLearnerNumber"], Value::Null);

    // An update is checked as a whole: a reason for no UPN while the record holds one is
    // refused; clearing the UPN in the same change lets it through.
    let update = format!(
        "mutation($input: UpdateChildInput!) {{ updateChild(input: $input) {{ {SEN2_FIELDS} }} }}"
    );
    let (_, body) = app
        .gql(
            Some(&fx.caseworker),
            &update,
            json!({"input": {"id": child["id"], "version": child["version"], "upnUnknownReason": "UN2"}}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "upnUnknownReason",
        "{body}"
    );
    let updated = app
        .ok(
            &fx.caseworker,
            &update,
            json!({"input": {"id": child["id"], "version": child["version"], "upn": null, "upnUnknownReason": "un2"}}),
        )
        .await["updateChild"]
        .clone();
    assert_eq!(updated["upn"], Value::Null);
    assert_eq!(updated["upnUnknownReason"], "UN2");
    assert_eq!(
        updated["ethnicity"], "WBRI",
        "what the change left out stays"
    );

    // The trail names the fields, never their values.
    let trail = app
        .ok(
            &fx.manager,
            "{ auditEvents(first: 10) { edges { node { action summary } } } }",
            json!({}),
        )
        .await;
    let text = trail.to_string();
    assert!(text.contains("upnUnknownReason"), "{text}");
    assert!(
        !text.contains("B801200005001") && !text.contains("WBRI"),
        "{text}"
    );
}
