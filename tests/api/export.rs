//! Letting records leave (`ehcp export`): a council's caseload in the import templates'
//! format loads into an empty database with the same answers from the API, and a family's
//! subject access export holds everything about them and nothing of another family.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ehcp::domain::access::Role;
use serde_json::{Value, json};

use crate::common::{TestApp, row_id};
use crate::import::{CHILDREN, ehcp, fill_caseload, import_args, sheets, template};

/// Every CSV file of a directory as its set of lines (rows are written in id order, and the
/// two databases number their rows differently).
fn contents(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    sheets(dir)
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = Path::new(&path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, text.lines().map(str::to_owned).collect())
        })
        .collect()
}

/// What the API answers about every child, in an order and with ids that do not depend on
/// the database's row numbers.
async fn answers(app: &TestApp, token: &str) -> Vec<Value> {
    let data = app.ok(token, CHILDREN, json!({})).await;
    let mut children: Vec<Value> = data["children"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut child = e["node"].clone();
            for a in child["assessments"].as_array_mut().unwrap() {
                for advice in a["adviceRequests"].as_array_mut().unwrap() {
                    advice["professionalId"] = json!(!advice["professionalId"].is_null());
                }
            }
            child
        })
        .collect();
    children.sort_by_key(|c| c["legalName"].to_string());
    children
}

/// The API's id of the child with this legal name.
async fn child_named(app: &TestApp, token: &str, name: &str) -> String {
    app.ok(
        token,
        "{ children(first: 10) { edges { node { id legalName } } } }",
        json!({}),
    )
    .await["children"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["legalName"] == name)
        .unwrap_or_else(|| panic!("{name}"))["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn backlog(app: &TestApp, token: &str) -> Vec<Value> {
    let items = app
        .ok(
            token,
            "{ backlogItems(first: 100) { edges { node { process stage dueOn standing child { name } } } } }",
            json!({}),
        )
        .await;
    let mut rows: Vec<Value> = items["backlogItems"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    rows.sort_by_key(|n| n.to_string());
    rows
}

fn export_council(url: &str, dir: &Path) -> String {
    let (ok, out, err) = ehcp(
        url,
        &[
            "export",
            "council",
            "--la",
            "909",
            "--dir",
            &dir.display().to_string(),
        ],
    );
    assert!(ok, "{out}{err}");
    out
}

/// A council with imported cases and cases typed in through the API.
async fn council(app: &TestApp) -> (crate::common::Fixture, String) {
    let fx = app.with_local_authority().await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;
    let (dir, _) = template(&url);
    fill_caseload(dir.path());
    let (ok, out, err) = ehcp(&url, &import_args(&sheets(dir.path())));
    assert!(ok, "{out}{err}");
    let grace = app.create_child(&fx, "Grace Hopper", "2017-12-09").await;
    app.ok(
        &fx.caseworker,
        "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id } }",
        json!({"input": {"childId": grace, "requestedBy": "SCHOOL_OR_SETTING", "receivedOn": "2026-03-02"}}),
    )
    .await;
    (fx, url)
}

#[tokio::test]
async fn a_council_export_loads_into_an_empty_database_and_the_api_answers_the_same() {
    let from = TestApp::spawn().await;
    let (fx, from_url) = council(&from).await;
    let exported = tempfile::tempdir().unwrap();
    let out = export_council(&from_url, exported.path());
    assert!(out.contains("children.csv (3 rows)"), "{out}");
    assert!(out.contains("assessments.csv (2 rows)"), "{out}");
    assert!(out.contains("amendments.csv (1 rows)"), "{out}");
    // The files are the templates: header, the description row, then the rows; the
    // council's own ids where it gave them, ours for what was made here.
    let children = std::fs::read_to_string(exported.path().join("children.csv")).unwrap();
    let lines: Vec<&str> = children.lines().collect();
    assert!(lines[0].starts_with("child_id,legal_name,"), "{children}");
    assert!(lines[1].starts_with("# required:"), "{children}");
    assert!(
        lines.contains(
            &"C-1001,Ada Lovelace,Ada,2016-03-04,Carlisle,Stanwix Primary,,,B801200005001,,,F,WBRI,CA1 1RD"
        ),
        "{children}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("EHCP-") && l.contains(",Grace Hopper,,2017-12-09,Carlisle,")),
        "{children}"
    );

    // An empty database with the council's record (as an administrator makes it), then
    // the import of the export.
    let to = TestApp::spawn().await;
    to.ok(
        &to.admin_token(),
        "mutation { createLocalAuthority(code: \"909\", name: \"Cumbria\") { id } }",
        json!({}),
    )
    .await;
    let to_url = crate::common::process_url(&to.db, to.dir_path()).await;
    let (ok, out, err) = ehcp(&to_url, &import_args(&sheets(exported.path())));
    assert!(ok, "{out}{err}");
    assert!(out.contains("children: 3 created"), "{out}");

    // The same people sign in to the same answers.
    let manager = to.token(Role::Manager, "mgr-909", Some("909"));
    let caseworker = to.token(Role::Caseworker, "cw-909", Some("909"));
    let before = answers(&from, &fx.caseworker).await;
    assert_eq!(before.len(), 3);
    assert_eq!(answers(&to, &caseworker).await, before);
    let items = backlog(&from, &fx.manager).await;
    assert!(items.len() >= 3, "{items:?}");
    assert_eq!(backlog(&to, &manager).await, items);

    // And the second instance exports the same files, ids included.
    let again = tempfile::tempdir().unwrap();
    export_council(&to_url, again.path());
    assert_eq!(contents(again.path()), contents(exported.path()));

    // Importing the export into the instance it came from changes nothing.
    let (ok, out, err) = ehcp(&to_url, &import_args(&sheets(again.path())));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("children: 0 created, 0 updated, 3 unchanged"),
        "{out}"
    );
}

#[tokio::test]
async fn a_subject_access_export_holds_everything_about_the_family_and_nothing_of_another() {
    let app = TestApp::spawn().await;
    let (fx, url) = council(&app).await;
    // Staff read Ada's record: the export says who viewed it.
    let data = app.ok(&fx.caseworker, CHILDREN, json!({})).await;
    let ada = data["children"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|c| c["legalName"] == "Ada Lovelace")
        .unwrap()
        .clone();
    let ada_id = json!(child_named(&app, &fx.caseworker, "Ada Lovelace").await);
    app.ok(
        &fx.manager,
        "query($id: ID!) { child(id: $id) { legalName } }",
        json!({"id": ada_id}),
    )
    .await;
    // A step taken here after the import: the family is told, and the message is theirs.
    let case = app
        .ok(
            &fx.manager,
            "query($id: ID!) { child(id: $id) { assessments { id version } } }",
            json!({"id": ada_id}),
        )
        .await["child"]["assessments"][0]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($input: RequestAdviceInput!) { requestAdvice(input: $input) { id } }",
        json!({"input": {"assessmentId": case["id"], "version": case["version"], "service": "SOCIAL_CARE"}}),
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    let export = |child: &str| {
        let (ok, out, err) = ehcp(
            &url,
            &[
                "export",
                "subject",
                "--la",
                "909",
                "--child",
                child,
                "--dir",
                &dir.path().display().to_string(),
            ],
        );
        (ok, out, err)
    };
    // By the council's own id, or the API's.
    let (ok, out, err) = export("C-1001");
    assert!(ok, "{out}{err}");
    let (ok, out, err) = export(ada_id.as_str().unwrap());
    assert!(ok, "{out}{err}");
    assert!(out.contains("subject-access.json"), "{out}");
    let (ok, _, err) = export("C-9999");
    assert!(!ok);
    assert!(err.contains("neither a child's id"), "{err}");

    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("subject-access.json")).unwrap(),
    )
    .unwrap();
    let child_row = row_id(&ada_id);
    assert_eq!(doc["childId"], child_row);
    let table = |name: &str| -> Vec<Value> {
        doc["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))["rows"]
            .as_array()
            .unwrap()
            .clone()
    };
    // Everything about Ada and her mother, as stored.
    let child = table("child");
    assert_eq!(child.len(), 1);
    assert_eq!(child[0]["legal_name"], "Ada Lovelace");
    assert_eq!(child[0]["current_setting"], "Stanwix Primary");
    let parents = table("parents");
    assert_eq!(parents.len(), 1);
    assert_eq!(parents[0]["name"], "Anne Lovelace");
    assert_eq!(parents[0]["email"], "anne@example.org");
    assert_eq!(table("parent_links")[0]["relationship"], "mother");
    // The council's own ids for the family's records.
    let council_ids: Vec<String> = table("council_ids")
        .iter()
        .map(|r| r["source_id"].as_str().unwrap().to_owned())
        .collect();
    for id in ["C-1001", "PA-1", "A-5"] {
        assert!(council_ids.contains(&id.to_owned()), "{council_ids:?}");
    }
    let assessments = table("assessments");
    assert_eq!(assessments.len(), 1);
    assert_eq!(assessments[0]["received_on"], "2026-01-06");
    let advice = table("advice_requests");
    assert_eq!(advice.len(), 3);
    assert!(
        advice
            .iter()
            .any(|a| a["summary"] == "Cognitive assessment")
    );
    assert!(
        table("deadlines")
            .iter()
            .all(|d| d["child_id"] == child_row)
    );
    assert!(!table("deadlines").is_empty());
    // The timeline as the API shows it, from the audit trail.
    let timeline = table("timeline");
    assert!(
        timeline.len() >= ada["assessments"][0]["timeline"].as_array().unwrap().len(),
        "{timeline:?}"
    );
    assert!(timeline.iter().any(|e| e["action"] == "decide_to_assess"));
    assert!(
        timeline
            .iter()
            .any(|e| e["entity"] == "parent" && e["action"] == "create")
    );
    // Who viewed the record: the caseworker's list, the manager's read, and the exports.
    let views = table("views");
    assert!(
        views.iter().any(|v| v["actor_subject"] == "mgr-909"),
        "{views:?}"
    );
    assert!(
        views.iter().any(|v| v["record"] == "subject_access_export"),
        "{views:?}"
    );
    let messages = table("messages");
    assert!(
        messages
            .iter()
            .any(|m| m["event"] == "assessment.request_advice" && m["recipient_kind"] == "PARENT"),
        "{messages:?}"
    );
    assert!(!table("delivery_attempts").is_empty() || messages.iter().all(|m| m["attempts"] == 0));
    for message in messages {
        assert_eq!(message["child_id"], child_row, "{message}");
    }
    // Every table also as CSV.
    let csv = std::fs::read_to_string(dir.path().join("advice_requests.csv")).unwrap();
    assert!(
        csv.lines().next().unwrap().contains("requested_on"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 4, "{csv}");

    // Nothing of another family: not the Turings' names, contacts, plan or ids anywhere.
    let others = [
        "Alan Turing",
        "Sara Turing",
        "sara@example.org",
        "Penrith Academy",
        "Grace Hopper",
    ];
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for other in others {
            assert!(!text.contains(other), "{} holds {other}", path.display());
        }
    }
    for name in ["plans", "disputes", "complaints", "review_meeting_requests"] {
        for row in table(name) {
            assert_eq!(row["child_id"], child_row, "{name}: {row}");
        }
    }
}

#[tokio::test]
async fn the_demo_councils_export_loads_into_a_new_instance_and_exports_the_same() {
    let from = TestApp::spawn().await;
    let from_url = crate::common::process_url(&from.db, from.dir_path()).await;
    let (ok, out, err) = ehcp(&from_url, &["seed-demo"]);
    assert!(ok, "{out}{err}");
    let exported = tempfile::tempdir().unwrap();
    let out = export_council(&from_url, exported.path());
    // What the templates cannot hold is counted, not dropped in silence.
    assert!(out.contains("not in the templates"), "{out}");
    assert!(out.contains("annual reviews decided or cancelled"), "{out}");

    // A new instance: the import makes the council, then loads its caseload.
    let to = TestApp::spawn().await;
    let to_url = crate::common::process_url(&to.db, to.dir_path()).await;
    let mut args = import_args(&[]);
    args.extend(["--la-name", "Demo council"]);
    let files = sheets(exported.path());
    args.extend(files.iter().map(String::as_str));
    let (ok, out, err) = ehcp(&to_url, &args);
    assert!(ok, "{out}{err}");
    assert!(out.contains("imported"), "{out}");
    assert!(out.contains("applied with their assessments"), "{out}");
    let again = tempfile::tempdir().unwrap();
    export_council(&to_url, again.path());
    let (before, after) = (contents(exported.path()), contents(again.path()));
    assert!(before["children.csv"].len() > 50);
    assert_eq!(after, before);
}

/// A `multipart/form-data` body of files, as a browser's `FormData` sends it.
fn multipart(files: &[(String, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----ehcp-test-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    files: &[(String, Vec<u8>)],
) -> (axum::http::StatusCode, Value) {
    let (content_type, body) = multipart(files);
    let mut request =
        axum::http::Request::post(format!("/imports{query}")).header("content-type", content_type);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    app.request(request.body(axum::body::Body::from(body)).unwrap())
        .await
}

async fn download(
    app: &TestApp,
    token: &str,
    path: &str,
) -> (axum::http::StatusCode, axum::http::HeaderMap, String) {
    app.raw(
        axum::http::Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

/// The filled template's CSV files, as uploads.
fn csv_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    sheets(dir)
        .into_iter()
        .map(|p| {
            let path = Path::new(&p);
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(path).unwrap(),
            )
        })
        .collect()
}

/// The same sheets as one Excel workbook, a tab per sheet, the dates as date cells.
fn workbook(dir: &Path) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for path in sheets(dir) {
        let name = Path::new(&path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let sheet = book.add_worksheet();
        sheet.set_name(&name).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(&path)
            .unwrap();
        for (r, record) in reader.records().enumerate() {
            for (c, cell) in record.unwrap().iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                let date = chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d")
                    .or_else(|_| chrono::NaiveDate::parse_from_str(cell, "%d/%m/%Y"));
                match date {
                    Ok(d) if r > 1 => {
                        sheet.write_date_with_format(r, c, d, &date_format).unwrap();
                    }
                    _ => {
                        sheet.write_string(r, c, cell).unwrap();
                    }
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn managers_import_through_the_api_from_csv_or_a_workbook_and_download_a_familys_export() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;
    let (dir, _) = template(&url);
    fill_caseload(dir.path());
    let files = csv_files(dir.path());

    // Only managers and administrators import; nobody unsigned.
    let (status, body) = upload(&app, None, "", &files).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let (status, body) = upload(&app, Some(&fx.caseworker), "", &files).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let parent = app.token(Role::Parent, "parent-nobody", None);
    let (status, _) = upload(&app, Some(&parent), "?la=909", &files).await;
    assert_eq!(status, 403);
    // An administrator names the council.
    let (status, body) = upload(&app, Some(&fx.admin), "?dryRun=true", &files).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "la");
    let (status, body) = upload(&app, Some(&fx.manager), "", &[]).await;
    assert_eq!(status, 400, "{body}");

    // A dry run answers with the report and changes nothing.
    let (status, report) = upload(&app, Some(&fx.manager), "?dryRun=true", &files).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["state"], "CHECKED", "{report}");
    assert_eq!(report["rows"]["children"], 2);
    assert_eq!(answers(&app, &fx.caseworker).await.len(), 0);

    // A file with a problem is refused whole, with the row, column and value.
    let mut broken = files.clone();
    let children = broken
        .iter_mut()
        .find(|(n, _)| n == "children.csv")
        .unwrap();
    children.1 = String::from_utf8(children.1.clone())
        .unwrap()
        .replace("Carlisle,Stanwix", "Atlantis,Stanwix")
        .into_bytes();
    let (status, report) = upload(&app, Some(&fx.manager), "", &broken).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["state"], "REFUSED");
    assert_eq!(report["problems"][0]["column"], "locality");
    assert_eq!(report["problems"][0]["value"], "Atlantis");
    assert_eq!(answers(&app, &fx.caseworker).await.len(), 0);

    // One import into a council at a time: a second upload while one runs is refused.
    use ehcp::store::entity::import_batch;
    use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, Set};
    let running = import_batch::ActiveModel {
        id: NotSet,
        la_id: Set(crate::common::row_id(&json!(fx.la))),
        actor_subject: Set("mgr-909".into()),
        files: Set("[]".into()),
        dry_run: Set(false),
        state: Set("RUNNING".into()),
        started_at: Set(chrono::Utc::now()),
        finished_at: Set(None),
        report: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let (status, body) = upload(&app, Some(&fx.manager), "", &files).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
    // A run whose process went away long ago no longer holds the council.
    let mut abandoned: import_batch::ActiveModel = running.into();
    abandoned.started_at = Set(chrono::Utc::now() - chrono::Duration::hours(13));
    abandoned.update(&app.db).await.unwrap();

    // The import, then the same caseload as an Excel workbook: nothing changes.
    let (status, report) = upload(&app, Some(&fx.admin), "?la=909", &files).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["state"], "DONE", "{report}");
    assert_eq!(report["committed"]["children"]["created"], 2);
    let imported = answers(&app, &fx.caseworker).await;
    assert_eq!(imported.len(), 2);
    let xlsx = vec![("caseload.xlsx".to_owned(), workbook(dir.path()))];
    let (status, report) = upload(&app, Some(&fx.manager), "", &xlsx).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["state"], "DONE", "{report}");
    assert_eq!(report["problems"], json!([]), "{report}");
    assert_eq!(report["committed"]["children"]["unchanged"], 2, "{report}");
    assert_eq!(
        report["committed"]["assessments"]["unchanged"], 1,
        "{report}"
    );
    assert_eq!(answers(&app, &fx.caseworker).await, imported);

    // The family's subject access export, for managers and administrators only.
    let ada = child_named(&app, &fx.caseworker, "Ada Lovelace").await;
    let path = format!("/exports/subject-access/{ada}");
    let (status, headers, body) = download(&app, &fx.manager, &path).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["producedBy"], "mgr-909");
    assert!(body.contains("Anne Lovelace") && !body.contains("Sara Turing"));
    let (status, headers, csv) = download(&app, &fx.admin, &format!("{path}/parents.csv")).await;
    assert_eq!(status, 200, "{csv}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.contains("Anne Lovelace") && !csv.contains("Sara Turing"),
        "{csv}"
    );
    let (status, _, body) = download(&app, &fx.manager, &format!("{path}/nothing.csv")).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("parent_links"), "{body}");
    let (status, _, body) = download(&app, &fx.caseworker, &path).await;
    assert_eq!(status, 403, "{body}");
    app.ok(
        &fx.admin,
        "mutation { createLocalAuthority(code: \"940\", name: \"Westmorland and Furness\") { id } }",
        json!({}),
    )
    .await;
    let other = app.provision(Role::Manager, "mgr-940", "940").await;
    let (status, _, body) = download(&app, &other, &path).await;
    assert_eq!(status, 404, "{body}");
    let (status, _, body) = download(&app, &other, "/exports/subject-access/not-an-id").await;
    assert_eq!(status, 400, "{body}");
    // Each download is a logged read.
    let views = app
        .ok(
            &fx.manager,
            "query($id: ID!) { child(id: $id) { viewedBy(last: 100) { record role } } }",
            json!({"id": ada}),
        )
        .await;
    let exports = views["child"]["viewedBy"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["record"] == "subject_access_export")
        .count();
    assert_eq!(exports, 3, "{views}");
}
