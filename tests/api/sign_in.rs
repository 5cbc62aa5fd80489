//! Who signs in is who the records say: a verified token for a subject with no active record,
//! or claiming a role its record does not grant, is refused with 401 and no data; managers
//! and administrators provision sign-ins and see who signed in when.
use axum::http::StatusCode;
use chrono::Utc;
use ehcp::domain::access::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::common::{AUDIENCE, ISSUER, SECRET, TestApp, error_code, now};

/// Asserts the token is refused as an account not set up here, with no data for any field.
async fn assert_not_set_up(app: &TestApp, token: &str, query: &str, why: &str) {
    let (status, body) = app.gql(Some(token), query, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{why}: {body}");
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{why}");
    assert!(
        body["data"].is_null(),
        "{why}: no data may be answered: {body}"
    );
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{why}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("this account is not set up here"),
        "{why}: {message}"
    );
}

/// A token with exactly these claims (plus issuer, audience and times).
fn token_with(claims: Value) -> String {
    let at = Utc::now().timestamp();
    let mut all = json!({"iss": ISSUER, "aud": AUDIENCE, "iat": at, "exp": at + 600});
    for (k, v) in claims.as_object().expect("object") {
        all[k] = v.clone();
    }
    encode(
        &Header::new(Algorithm::HS256),
        &all,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign")
}

const EVERYTHING: &str = "{ me { subject role linked } children(first: 100) { edges { node { displayName parents { parent { email } } } } } auditEvents(first: 5) { edges { node { action } } } }";

#[tokio::test]
async fn tokens_for_no_record_or_a_role_the_record_does_not_grant_get_nothing() {
    let app = TestApp::spawn().await;
    ehcp::seed::demo::load(&app.db, now()).await.expect("demo");

    // A subject with no record at all, as manager or caseworker of the demo LA.
    for role in [Role::Manager, Role::Caseworker, Role::Professional] {
        let token = app.token(role, "nobody", Some("909"));
        assert_not_set_up(&app, &token, EVERYTHING, &format!("nobody as {role}")).await;
        assert_not_set_up(&app, &token, "{ me { linked } }", "me").await;
    }
    // A real caseworker claiming a manager's (or an administrator's) role.
    for role in [Role::Manager, Role::Admin] {
        let token = app.token(role, "demo-caseworker-north-1", Some("909"));
        assert_not_set_up(
            &app,
            &token,
            "{ auditEvents(first: 5) { edges { node { action } } } }",
            &format!("caseworker claiming {role}"),
        )
        .await;
    }
    // An administrator token for a subject that is not an administrator.
    assert_not_set_up(
        &app,
        &app.token(Role::Admin, "root", None),
        EVERYTHING,
        "root",
    )
    .await;
    // Staff of 909 naming another LA in their token.
    app.ok(
        &app.admin_token(),
        "mutation { createLocalAuthority(code: \"940\", name: \"Westmorland and Furness\") { id } }",
        json!({}),
    )
    .await;
    let elsewhere = app.token(Role::Caseworker, "demo-caseworker-north-1", Some("940"));
    assert_not_set_up(&app, &elsewhere, EVERYTHING, "another LA's code").await;

    // The demo roles work as before.
    let manager = app.token(Role::Manager, "demo-manager", Some("909"));
    let data = app.ok(&manager, EVERYTHING, json!({})).await;
    assert_eq!(data["me"]["role"], "MANAGER");
    assert_eq!(data["children"]["edges"].as_array().map(Vec::len), Some(60));
    let caseworker = app.token(Role::Caseworker, "demo-caseworker-north-1", Some("909"));
    let data = app
        .ok(
            &caseworker,
            "{ me { role linked } children(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["me"], json!({"role": "CASEWORKER", "linked": true}));
    let admin = app.token(Role::Admin, "demo-admin", None);
    let data = app
        .ok(&admin, "{ administrators { subject active } }", json!({}))
        .await;
    assert!(
        data["administrators"]
            .as_array()
            .expect("list")
            .contains(&json!({"subject": "demo-admin", "active": true}))
    );
    let parent = app.token(Role::Parent, "demo-parent-07", None);
    let data = app
        .ok(
            &parent,
            "{ children(first: 5) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["children"]["edges"].as_array().map(Vec::len), Some(1));
    let ep = app.token(
        Role::Professional,
        "demo-educational-psychology",
        Some("909"),
    );
    app.ok(
        &ep,
        "{ myAdviceRequests(first: 5) { edges { node { id } } } }",
        json!({}),
    )
    .await;
}

#[tokio::test]
async fn without_a_role_claim_the_records_decide() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let child = app.create_child(&fx, "Ada Roleless", "2015-01-01").await;
    let parent = app
        .ok(
            &fx.caseworker,
            "mutation { createParent(input: {name: \"Pat\", subject: \"idp-parent\"}) { id } }",
            json!({}),
        )
        .await["createParent"]["id"]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p) { id } }",
        json!({"c": child, "p": parent}),
    )
    .await;
    let me = "{ me { role localAuthority { code } } }";
    // An identity provider that grants no roles: the record's role and LA are used.
    let data = app
        .ok(&token_with(json!({"sub": "mgr-909"})), me, json!({}))
        .await;
    assert_eq!(
        data["me"],
        json!({"role": "MANAGER", "localAuthority": {"code": "909"}})
    );
    let data = app
        .ok(&token_with(json!({"sub": "cw-909"})), me, json!({}))
        .await;
    assert_eq!(data["me"]["role"], "CASEWORKER");
    let data = app
        .ok(&token_with(json!({"sub": "idp-parent"})), me, json!({}))
        .await;
    assert_eq!(data["me"]["role"], "PARENT");
    // No record: refused, whatever the token says or does not say.
    assert_not_set_up(
        &app,
        &token_with(json!({"sub": "stranger"})),
        me,
        "no role, no record",
    )
    .await;
    // Several roles: the token must say which.
    app.ok(
        &fx.admin,
        "mutation { createAdministrator(input: {subject: \"mgr-909\", name: \"Two Hats\"}) { id } }",
        json!({}),
    )
    .await;
    let (status, body) = app
        .gql(Some(&token_with(json!({"sub": "mgr-909"}))), me, json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("this account is not set up here")
                && m.contains("several here (manager, admin)")),
        "{body}"
    );
    let data = app
        .ok(
            &token_with(json!({"sub": "mgr-909", "role": "admin"})),
            me,
            json!({}),
        )
        .await;
    assert_eq!(data["me"]["role"], "ADMIN");
}

#[tokio::test]
async fn managers_provision_sign_ins_and_see_who_signed_in_when() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let staff = "{ staff { name subject active lastSignedInAt } }";
    let created = app
        .ok(
            &fx.manager,
            "mutation { createStaff(input: {subject: \"entra-oid-1234\", name: \"Nina New\", role: CASEWORKER}) { id } }",
            json!({}),
        )
        .await["createStaff"]["id"]
        .clone();
    let nina = |list: &Value| {
        list["staff"]
            .as_array()
            .expect("staff")
            .iter()
            .find(|s| s["name"] == "Nina New")
            .cloned()
            .expect("Nina")
    };
    let before = app.ok(&fx.manager, staff, json!({})).await;
    assert_eq!(nina(&before)["lastSignedInAt"], Value::Null);
    let token = app.token(Role::Caseworker, "entra-oid-1234", Some("909"));
    app.ok(&token, "{ me { subject } }", json!({})).await;
    let after = app.ok(&fx.manager, staff, json!({})).await;
    assert!(nina(&after)["lastSignedInAt"].is_string(), "{after}");
    assert_eq!(nina(&after)["subject"], "entra-oid-1234");

    // Colleagues see names, not sign-ins; each person sees their own.
    let seen = app.ok(&token, staff, json!({})).await;
    for member in seen["staff"].as_array().expect("staff") {
        if member["name"] == "Nina New" {
            assert_eq!(member["subject"], "entra-oid-1234");
        } else {
            assert_eq!(member["subject"], Value::Null, "{member}");
            assert_eq!(member["lastSignedInAt"], Value::Null, "{member}");
        }
    }

    // A new subject (another identity provider): the old one is refused, the new one works.
    app.ok(
        &fx.manager,
        "mutation($id: ID!) { updateStaff(input: {id: $id, subject: \"one-login-5678\"}) { subject } }",
        json!({"id": created}),
    )
    .await;
    assert_not_set_up(&app, &token, "{ me { subject } }", "the old subject").await;
    app.ok(
        &app.token(Role::Caseworker, "one-login-5678", Some("909")),
        "{ me { subject } }",
        json!({}),
    )
    .await;
    // A subject already used by someone else is a CONFLICT naming the field.
    let (_, body) = app
        .gql(
            Some(&fx.manager),
            "mutation($id: ID!) { updateStaff(input: {id: $id, subject: \"mgr-909\"}) { subject } }",
            json!({"id": created}),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT");

    // Professionals likewise: provisioned, deactivated, refused.
    let ep = app
        .ok(
            &fx.manager,
            "mutation { createProfessional(input: {subject: \"ep-new\", name: \"Dr Eve\", service: EDUCATIONAL_PSYCHOLOGY, organisation: \"EPS\"}) { id active } }",
            json!({}),
        )
        .await["createProfessional"]
        .clone();
    assert_eq!(ep["active"], true);
    let ep_token = app.token(Role::Professional, "ep-new", Some("909"));
    app.ok(&ep_token, "{ me { role } }", json!({})).await;
    let listed = app
        .ok(
            &fx.manager,
            "{ professionals { subject lastSignedInAt } }",
            json!({}),
        )
        .await;
    assert!(
        listed["professionals"][0]["lastSignedInAt"].is_string(),
        "{listed}"
    );
    let data = app
        .ok(
            &fx.manager,
            "mutation($id: ID!) { updateProfessional(input: {id: $id, active: false}) { active } }",
            json!({"id": ep["id"]}),
        )
        .await;
    assert_eq!(data["updateProfessional"]["active"], false);
    assert_not_set_up(
        &app,
        &ep_token,
        "{ me { role } }",
        "a deactivated professional",
    )
    .await;
    // Caseworkers do not provision.
    assert_eq!(
        app.error_code(
            Some(&fx.caseworker),
            "mutation($id: ID!) { updateProfessional(input: {id: $id, active: true}) { active } }",
            json!({"id": ep["id"]}),
        )
        .await,
        "FORBIDDEN"
    );
    // Every provisioning change is audited.
    let trail = app
        .ok(
            &fx.manager,
            "{ auditEvents(first: 3) { edges { node { entity action } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        trail["auditEvents"]["edges"][0]["node"],
        json!({"entity": "professional", "action": "UPDATE"})
    );
}

#[tokio::test]
async fn administrators_are_records_and_one_always_stays_active() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let list = app
        .ok(
            &admin,
            "{ administrators { id subject active } }",
            json!({}),
        )
        .await;
    let first = list["administrators"][0]["id"].clone();
    let deactivate =
        "mutation($id: ID!) { updateAdministrator(input: {id: $id, active: false}) { active } }";
    let (_, body) = app
        .gql(Some(&admin), deactivate, json!({"id": first}))
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at least one administrator must stay active"))
    );
    app.ok(
        &admin,
        "mutation { createAdministrator(input: {subject: \"second-admin\", name: \"Sam Second\"}) { id } }",
        json!({}),
    )
    .await;
    let second = app.token(Role::Admin, "second-admin", None);
    app.ok(&second, deactivate, json!({"id": first})).await;
    assert_not_set_up(
        &app,
        &admin,
        "{ administrators { id } }",
        "deactivated admin",
    )
    .await;
    // The command line (the operator of the server) can always add one.
    let added = ehcp::service::administrators::add_from_command_line(
        &app.db,
        ehcp::service::administrators::AdministratorInput {
            subject: "rescue".into(),
            name: "Rescue Admin".into(),
            email: None,
        },
        Utc::now(),
    )
    .await
    .map_err(|e| e.describe())
    .expect("added");
    assert!(added.active);
    let rescue = app.token(Role::Admin, "rescue", None);
    let data = app
        .ok(&rescue, "{ administrators { subject active } }", json!({}))
        .await;
    assert_eq!(
        data["administrators"],
        json!([
            {"subject": "rescue", "active": true},
            {"subject": "second-admin", "active": true},
            {"subject": "admin", "active": false},
        ])
    );
    // Only administrators see or change administrators.
    let la = app
        .ok(
            &rescue,
            "mutation { createLocalAuthority(code: \"909\", name: \"Cumbria\") { id } }",
            json!({}),
        )
        .await["createLocalAuthority"]["id"]
        .clone();
    app.ok(
        &rescue,
        "mutation($la: ID!) { createStaff(input: {localAuthorityId: $la, subject: \"mgr-x\", name: \"Max\", role: MANAGER}) { id } }",
        json!({"la": la}),
    )
    .await;
    let fx_manager = app.token(Role::Manager, "mgr-x", Some("909"));
    assert_eq!(
        app.error_code(Some(&fx_manager), "{ administrators { id } }", json!({}))
            .await,
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn families_see_their_caseworkers_name_not_their_sign_in() {
    let app = TestApp::spawn().await;
    ehcp::seed::demo::load(&app.db, now()).await.expect("demo");
    let parent = app.token(Role::Parent, "demo-parent-07", None);
    let data = app
        .ok(
            &parent,
            "{ children(first: 1) { edges { node { assessments { caseworker { name subject lastSignedInAt } } } } } }",
            json!({}),
        )
        .await;
    let caseworker = &data["children"]["edges"][0]["node"]["assessments"][0]["caseworker"];
    assert!(caseworker["name"].is_string(), "{data}");
    assert_eq!(caseworker["subject"], Value::Null);
    assert_eq!(caseworker["lastSignedInAt"], Value::Null);
    // The manager who provisions sign-ins sees it.
    let manager = app.token(Role::Manager, "demo-manager", Some("909"));
    let data = app
        .ok(
            &manager,
            "{ assessments(first: 1) { edges { node { caseworker { subject } } } } }",
            json!({}),
        )
        .await;
    assert!(
        data["assessments"]["edges"][0]["node"]["caseworker"]["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("demo-caseworker-")),
        "{data}"
    );
}
