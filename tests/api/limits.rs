//! What one request may ask for: every list counts towards the cost limit (an alias bomb of
//! any list field is refused before it runs), and argument values that do not coerce are
//! request errors with `BAD_REQUEST` naming the argument.
use std::collections::{BTreeMap, VecDeque};

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestApp, error_code};

/// As in the report that found the hole: a thousand aliases of one list.
const ALIASES: usize = 1_000;

struct ObjectField {
    name: String,
    ty: Type,
    /// Required arguments, with their types.
    required: Vec<(String, Type)>,
    has_page_arguments: bool,
}

struct SchemaTypes {
    objects: BTreeMap<String, Vec<ObjectField>>,
    enums: BTreeMap<String, Vec<String>>,
    inputs: BTreeMap<String, Vec<(String, Type)>>,
}

fn schema_types() -> SchemaTypes {
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    let doc = parse_schema(&sdl).expect("schema.graphql parses");
    let mut types = SchemaTypes {
        objects: BTreeMap::new(),
        enums: BTreeMap::new(),
        inputs: BTreeMap::new(),
    };
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let name = t.node.name.node.to_string();
        match t.node.kind {
            TypeKind::Object(o) => {
                let fields = o
                    .fields
                    .iter()
                    .map(|f| {
                        let f = &f.node;
                        ObjectField {
                            name: f.name.node.to_string(),
                            ty: f.ty.node.clone(),
                            required: f
                                .arguments
                                .iter()
                                .filter(|a| {
                                    !a.node.ty.node.nullable && a.node.default_value.is_none()
                                })
                                .map(|a| (a.node.name.node.to_string(), a.node.ty.node.clone()))
                                .collect(),
                            has_page_arguments: f
                                .arguments
                                .iter()
                                .any(|a| matches!(a.node.name.node.as_str(), "first" | "last")),
                        }
                    })
                    .collect();
                types.objects.insert(name, fields);
            }
            TypeKind::Enum(e) => {
                let values = e
                    .values
                    .iter()
                    .map(|v| v.node.value.node.to_string())
                    .collect();
                types.enums.insert(name, values);
            }
            TypeKind::InputObject(i) => {
                let fields = i
                    .fields
                    .iter()
                    .filter(|f| !f.node.ty.node.nullable && f.node.default_value.is_none())
                    .map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone()))
                    .collect();
                types.inputs.insert(name, fields);
            }
            _ => {}
        }
    }
    types
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(n) => n.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

fn is_list(ty: &Type) -> bool {
    matches!(ty.base, BaseType::List(_))
}

/// A literal for a required argument of this type (the cost is counted before validation,
/// but the documents are valid anyway, so the refusal is the cost's alone).
fn literal(types: &SchemaTypes, ty: &Type) -> String {
    if is_list(ty) {
        return "[]".into();
    }
    let name = named(ty);
    match name {
        "ID" => "\"1\"".into(),
        "String" => "\"x\"".into(),
        "Int" => "1".into(),
        "Float" => "1.0".into(),
        "Boolean" => "true".into(),
        "NaiveDate" | "Date" => "\"2026-01-05\"".into(),
        "DateTime" => "\"2026-01-05T10:00:00Z\"".into(),
        _ if types.enums.contains_key(name) => types.enums[name][0].clone(),
        _ if types.inputs.contains_key(name) => {
            let fields: Vec<String> = types.inputs[name]
                .iter()
                .map(|(f, t)| format!("{f}: {}", literal(types, t)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        other => panic!("no literal for {other}: teach tests/api/limits.rs"),
    }
}

fn call(types: &SchemaTypes, field: &ObjectField) -> String {
    if field.required.is_empty() {
        return field.name.clone();
    }
    let args: Vec<String> = field
        .required
        .iter()
        .map(|(a, t)| format!("{a}: {}", literal(types, t)))
        .collect();
    format!("{}({})", field.name, args.join(", "))
}

/// The smallest selection a field of this type can have.
fn smallest(types: &SchemaTypes, ty: &Type) -> &'static str {
    if types.objects.contains_key(named(ty)) {
        "{ __typename }"
    } else {
        ""
    }
}

/// For each object type, the shortest way to reach it from `Query`, as the text that opens
/// it (`a: child(id: "1") { b: plans {` ...) and the number of braces to close.
fn paths(types: &SchemaTypes) -> BTreeMap<String, (String, usize)> {
    let mut found: BTreeMap<String, (String, usize)> = BTreeMap::new();
    found.insert("Query".into(), (String::new(), 0));
    let mut queue = VecDeque::from(["Query".to_owned()]);
    while let Some(type_name) = queue.pop_front() {
        let (prefix, depth) = found[&type_name].clone();
        for field in &types.objects[&type_name] {
            let target = named(&field.ty).to_owned();
            if !types.objects.contains_key(&target) || found.contains_key(&target) {
                continue;
            }
            found.insert(
                target.clone(),
                (format!("{prefix}{} {{ ", call(types, field)), depth + 1),
            );
            queue.push_back(target);
        }
    }
    found
}

#[tokio::test]
async fn an_alias_bomb_of_every_list_field_is_refused_before_it_runs() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let types = schema_types();
    let paths = paths(&types);
    let mut lists = 0;
    let mut problems = Vec::new();
    for (type_name, fields) in &types.objects {
        if type_name == "Mutation" {
            continue;
        }
        for field in fields
            .iter()
            .filter(|f| is_list(&f.ty) || f.has_page_arguments)
        {
            lists += 1;
            let Some((prefix, depth)) = paths.get(type_name) else {
                problems.push(format!(
                    "{type_name}.{}: its type is not reachable from Query",
                    field.name
                ));
                continue;
            };
            let one = format!("{} {}", call(&types, field), smallest(&types, &field.ty));
            let aliases: String = (0..ALIASES).map(|i| format!(" a{i}: {one}")).collect();
            let query = format!("{{ {prefix}{aliases} {} }}", "} ".repeat(*depth));
            let (status, body) = app.gql(Some(&admin), &query, json!({})).await;
            let refused = body.get("data").is_none()
                && error_code(&body) == "BAD_REQUEST"
                && body["errors"][0]["extensions"]["cost"]
                    .as_u64()
                    .is_some_and(|c| c > 10_000);
            if !refused {
                problems.push(format!(
                    "{type_name}.{}: {ALIASES} aliases were not refused by the cost limit ({status}): {}",
                    field.name,
                    body.to_string().chars().take(300).collect::<String>()
                ));
            }
        }
    }
    assert!(
        lists > 50,
        "only {lists} list fields found in schema.graphql"
    );
    assert!(
        problems.is_empty(),
        "{} of {lists} list fields:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[tokio::test]
async fn ordinary_pages_fit_the_cost_limit_and_the_report_example_does_not() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    // A caseworker's page of 100 cases with their deadlines, milestones, advice and plans.
    let page = "{ assessments(first: 100) { edges { node { id state version child { displayName
        plans { status deadlines { kind dueOn status } } } deadlines { kind dueOn status regulation }
        timeline { on text } adviceRequests { service requestedOn dueOn receivedOn }
        nextStep { description party dueOn } allowedActions } } } }";
    app.ok(&fx.caseworker, page, json!({})).await;
    let bomb: String = (0..ALIASES)
        .map(|i| format!(" a{i}: backlogItems(first: 100) {{ edges {{ node {{ dueOn }} }} }}"))
        .collect();
    let (status, body) = app
        .gql(Some(&fx.manager), &format!("{{{bomb} }}"), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "application/json keeps 200 for request errors"
    );
    assert_eq!(error_code(&body), "BAD_REQUEST");
    assert!(
        body.get("data").is_none(),
        "a request error has no data: {body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["cost"], 400_000);
    assert_eq!(body["errors"][0]["extensions"]["limit"], 10_000);
}

#[tokio::test]
async fn argument_values_that_do_not_coerce_are_bad_requests_naming_the_argument() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "{ timetable(kind: INITIAL, startsOn: \"2023-02-29\") { deadlines { kind } } }",
            json!({}),
            "startsOn",
        ),
        (
            "query($d: Date!) { timetable(kind: INITIAL, startsOn: $d) { deadlines { kind } } }",
            json!({"d": "2023-02-29"}),
            "startsOn",
        ),
        (
            "{ forecast(weeks: 2147483648) { stages { stage } } }",
            json!({}),
            "weeks",
        ),
        (
            "query($w: Int!) { forecast(weeks: $w) { stages { stage } } }",
            json!({"w": 2_147_483_648_i64}),
            "weeks",
        ),
        (
            "mutation($l: ID!) { createChild(input: {legalName: \"Ada\", dateOfBirth: \"2020-02-30\", localityId: $l}) { id } }",
            json!({"l": fx.locality}),
            "input",
        ),
    ];
    for (query, variables, argument) in cases {
        for (accept, status) in [
            ("application/graphql-response+json", StatusCode::BAD_REQUEST),
            ("application/json", StatusCode::OK),
        ] {
            use axum::body::Body;
            use axum::http::{Request, header};
            let request = Request::post("/graphql")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT, accept)
                .header(header::AUTHORIZATION, format!("Bearer {}", fx.caseworker))
                .body(Body::from(
                    json!({"query": query, "variables": variables}).to_string(),
                ))
                .expect("request");
            let (got, body) = app.request(request).await;
            assert_eq!(got, status, "{query} ({accept}): {body}");
            assert_eq!(error_code(&body), "BAD_REQUEST", "{query}: {body}");
            assert_eq!(
                body["errors"][0]["extensions"]["field"], argument,
                "{query}: {body}"
            );
            assert!(body.get("data").is_none(), "{query}: {body}");
        }
    }
    // Nothing was written by the refused mutation.
    let children = app
        .ok(
            &fx.manager,
            "{ children { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(children["children"]["edges"], json!([]));
}

/// The introspection query tools send (graphql-js `getIntrospectionQuery()`, the text as
/// generated by graphql 16.12, with its default options, with every option, and without
/// descriptions): GraphiQL's Docs, Apollo and GraphQL Code Generator fetch the schema with
/// it, so it must pass the depth and cost limits that still refuse attackers' nesting.
#[tokio::test]
async fn the_introspection_query_tools_send_is_answered_and_deep_nesting_is_still_refused() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    for (name, query) in [
        (
            "default",
            include_str!("introspection/graphql-js-default.graphql"),
        ),
        (
            "all options",
            include_str!("introspection/graphql-js-all-options.graphql"),
        ),
        (
            "no descriptions",
            include_str!("introspection/graphql-js-no-descriptions.graphql"),
        ),
    ] {
        let (status, body) = app.gql(Some(&token), query, json!({})).await;
        assert!(
            body["errors"].is_null(),
            "{name}: {status} {}",
            body["errors"]
        );
        let types = body["data"]["__schema"]["types"].as_array().expect("types");
        assert!(types.iter().any(|t| t["name"] == "Assessment"), "{name}");
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    }
    // Outside introspection, nesting past the limit is refused before anything runs.
    let mut deep = String::from("{ children(first: 1) { nodes { ");
    let depth = 14;
    for _ in 0..depth {
        deep.push_str("plans { child { ");
    }
    deep.push_str("id");
    deep.push_str(&" } }".repeat(depth));
    deep.push_str(" } } }");
    let (_, body) = app.gql(Some(&token), &deep, json!({})).await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(body["data"].is_null(), "{body}");
    assert!(
        message.contains("deep") || message.contains("cost"),
        "{message}"
    );
    // Nor does introspection open a way round it: deep nesting inside `__type` is refused.
    let mut deep_type = String::from("{ __type(name: \"Query\") { ");
    for _ in 0..40 {
        deep_type.push_str("fields { type { ");
    }
    deep_type.push_str("name");
    deep_type.push_str(&" } }".repeat(40));
    deep_type.push_str(" }");
    let (_, body) = app.gql(Some(&token), &deep_type, json!({})).await;
    assert!(body["data"].is_null(), "{body}");
}
