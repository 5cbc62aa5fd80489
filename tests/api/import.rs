//! Bringing a caseload in (`ehcp import`): the template, one pass of checks before anything
//! changes, idempotent re-runs, corrected files, and imported cases that are the same as
//! cases entered by hand.
use std::path::Path;
use std::process::Command;

use ehcp::store::entity::{audit_event, child, import_ref};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::common::TestApp;

pub(crate) fn ehcp(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ehcp"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("EHCP_JWT_SECRET", crate::common::SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .expect("ehcp runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes a sheet as a spreadsheet program would save it: the template's header and comment
/// rows, then the rows.
pub(crate) fn fill(dir: &Path, sheet: &str, rows: &[&str]) {
    let path = dir.join(format!("{sheet}.csv"));
    let template = std::fs::read_to_string(&path).expect("the template wrote this sheet");
    let mut lines: Vec<&str> = template.lines().take(2).collect();
    lines.extend_from_slice(rows);
    std::fs::write(&path, lines.join("\r\n") + "\r\n").unwrap();
}

pub(crate) fn sheets(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".csv"))
        .collect();
    files.sort();
    files
}

/// `ehcp import template` into a new directory: the directory and what it printed.
pub(crate) fn template(url: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = ehcp(
        url,
        &[
            "import",
            "template",
            "--dir",
            &dir.path().display().to_string(),
        ],
    );
    assert!(ok, "{err}");
    (dir, out)
}

/// `ehcp import --la 909` over these files.
pub(crate) fn import_args(files: &[String]) -> Vec<&str> {
    let mut args = vec!["import", "--la", "909"];
    args.extend(files.iter().map(String::as_str));
    args
}

/// A small caseload as a council would fill the template: dates in both forms.
pub(crate) fn fill_caseload(dir: &Path) {
    fill(dir, "localities", &["Carlisle", "Eden Valley"]);
    fill(dir, "teams", &["North SEN team"]);
    fill(
        dir,
        "staff",
        &["S-17,cw-imported,Cara Worker,cara@example.org,CASEWORKER,North SEN team"],
    );
    fill(
        dir,
        "professionals",
        &["P-3,ep-imported,Dr Ed Psych,EDUCATIONAL_PSYCHOLOGY,County EP service,ep@example.org"],
    );
    fill(
        dir,
        "children",
        &[
            "C-1001,Ada Lovelace,Ada,04/03/2016,Carlisle,Stanwix Primary,,,B801200005001,,,F,WBRI,ca1 1rd",
            "C-1002,Alan Turing,,2012-06-23,Eden Valley,Penrith Academy,,",
        ],
    );
    fill(
        dir,
        "parents",
        &[
            "PA-1,Anne Lovelace,anne@example.org,07700900001,",
            "PA-2,Sara Turing,sara@example.org,,",
        ],
    );
    fill(dir, "parent_links", &["PA-1,C-1001,mother", "PA-2,C-1002,"]);
    fill(
        dir,
        "plans",
        // Placed at their school (URN 100234) in its SEN unit since September 2021, with a
        // personal budget paid directly for education.
        &[
            "E-77,C-1002,2021-09-14,Penrith Academy,12/09/2025,ASD,SLCN;SEMH,,,100234,,,,01/09/2021,YES,,,,YES,YES,E",
        ],
    );
    // The amendment the last review (held 1 September, decided 12 September) decided on,
    // its notice sent with the decision.
    fill(
        dir,
        "amendments",
        &["M-1,E-77,01/09/2025,,2025-09-12,Add speech and language therapy,,,,"],
    );
    fill(
        dir,
        "reviews",
        &["R-9,E-77,ANNUAL,2026-07-01,2026-08-05,,2026-07-15,,"],
    );
    fill(
        dir,
        "assessments",
        &["A-5,C-1001,INITIAL,PARENT,06/01/2026,S-17,10/02/2026,,,,"],
    );
    fill(
        dir,
        "advice_requests",
        &[
            "V-1,A-5,EDUCATIONAL_PSYCHOLOGY,P-3,10/02/2026,20/03/2026,,Cognitive assessment",
            "V-2,A-5,CAMHS,,2026-02-10,,,",
        ],
    );
    fill(
        dir,
        "exceptions",
        &["X-1,A-5,ABSENT_FROM_AREA,15/02/2026,2026-03-31,,Family abroad"],
    );
}

pub(crate) const CHILDREN: &str = "{ children(first: 10) { edges { node { legalName preferredName dateOfBirth currentSetting locality { name }
    upn uniqueLearnerNumber upnUnknownReason sex ethnicity homePostcode
    parents { relationship parent { name email } }
    plans { status issuedOn namedSetting primaryNeed { code } secondaryNeeds { code } lastReviewDecisionOn deadlines { kind dueOn status }
      placements { rank urn entryOn senUnit } personalBudget { takenUp organisedArrangements directPayments }
      amendments { state startedOn meetingOn noticeSentOn proposedChanges parentCommentsUntil parentRespondedOn parentComments
        parentMeetingRequested parentRequestedSetting allowedActions deadlines { kind dueOn metOn status } timeline { on text } }
      reviews { decision decidedOn kind state scheduledOn meetingOn meetingHeld dueBy invitationsSentOn adviceCirculatedOn reportReceivedOn
        allowedActions deadlines { kind dueOn metOn status } nextStep { action dueOn } timeline { on text } } }
    assessments { state receivedOn caseworker { name } exceptions { reason { code } startsOn endsOn note }
      deadlines { kind dueOn metOn status }
      nextStep { action dueOn }
      timeline { on text }
      adviceRequests { service requestedOn dueOn receivedOn declinedOn summary professionalId } } } } } }";

async fn audit_count(app: &TestApp) -> u64 {
    audit_event::Entity::find().count(&app.db).await.unwrap()
}

#[tokio::test]
async fn a_new_user_fills_the_template_dry_runs_imports_and_a_second_run_changes_nothing() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;
    let (dir, out) = template(&url);
    assert_eq!(out.lines().count(), 13, "{out}");
    let children_template = std::fs::read_to_string(dir.path().join("children.csv")).unwrap();
    let mut lines = children_template.lines();
    assert_eq!(
        lines.next().unwrap(),
        "child_id,legal_name,preferred_name,date_of_birth,locality,current_setting,nc_year_override,subject,upn,uln,upn_unknown,sex,ethnicity,home_postcode"
    );
    let about = lines.next().unwrap();
    assert!(about.starts_with("# required:"), "{about}");
    assert!(about.contains("31/01/2025"), "{about}");

    fill_caseload(dir.path());
    let files = sheets(dir.path());
    let args = import_args(&files);

    // A dry run checks everything and changes nothing.
    let before = audit_count(&app).await;
    let mut dry = args.clone();
    dry.push("--dry-run");
    let (ok, out, err) = ehcp(&url, &dry);
    assert!(ok, "{out}{err}");
    assert!(out.contains("dry run: no problems found"), "{out}");
    assert_eq!(child::Entity::find().count(&app.db).await.unwrap(), 0);
    assert_eq!(audit_count(&app).await, before);

    let (ok, out, err) = ehcp(&url, &args);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("children: 2 created, 0 updated, 0 unchanged"),
        "{out}"
    );
    assert!(out.contains("assessments: 1 created"), "{out}");

    // The API shows the cases with the deadlines the law gives their dates.
    let data = app.ok(&fx.caseworker, CHILDREN, json!({})).await;
    let kids: Vec<&Value> = data["children"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect();
    assert_eq!(kids.len(), 2);
    let ada = kids
        .iter()
        .find(|k| k["legalName"] == "Ada Lovelace")
        .unwrap();
    assert_eq!(ada["dateOfBirth"], "2016-03-04");
    assert_eq!(ada["preferredName"], "Ada");
    assert_eq!(ada["locality"]["name"], "Carlisle");
    assert_eq!(
        (
            &ada["upn"],
            &ada["sex"],
            &ada["ethnicity"],
            &ada["homePostcode"]
        ),
        (
            &json!("B801200005001"),
            &json!("F"),
            &json!("WBRI"),
            &json!("CA1 1RD")
        ),
        "the SEN2 items, in their usual forms"
    );
    assert_eq!(ada["parents"][0]["relationship"], "mother");
    assert_eq!(ada["parents"][0]["parent"]["name"], "Anne Lovelace");
    let assessment = &ada["assessments"][0];
    assert_eq!(assessment["state"], "ASSESSING");
    assert_eq!(assessment["receivedOn"], "2026-01-06");
    assert_eq!(assessment["caseworker"]["name"], "Cara Worker");
    let deadline = |kind: &str| {
        assessment["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["kind"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("{kind} in {assessment:#}"))
    };
    // Reg 5(1): six weeks from 6 January; met on 10 February. Reg 13(2): 20 weeks.
    assert_eq!(deadline("DECISION_TO_ASSESS")["dueOn"], "2026-02-17");
    assert_eq!(deadline("DECISION_TO_ASSESS")["metOn"], "2026-02-10");
    assert_eq!(deadline("FINAL_PLAN")["dueOn"], "2026-05-26");
    let advice = assessment["adviceRequests"].as_array().unwrap();
    assert_eq!(advice.len(), 2);
    let ep = advice
        .iter()
        .find(|a| a["service"] == "EDUCATIONAL_PSYCHOLOGY")
        .unwrap();
    // Reg 8(1): six weeks from the request.
    assert_eq!(ep["dueOn"], "2026-03-24");
    assert_eq!(ep["receivedOn"], "2026-03-20");
    assert_eq!(ep["summary"], "Cognitive assessment");
    assert!(ep["professionalId"].is_string(), "{ep:#}");
    let alan = kids
        .iter()
        .find(|k| k["legalName"] == "Alan Turing")
        .unwrap();
    assert_eq!(alan["plans"][0]["status"], "ACTIVE");
    assert_eq!(alan["plans"][0]["issuedOn"], "2021-09-14");
    assert_eq!(alan["plans"][0]["primaryNeed"]["code"], "ASD");
    assert_eq!(
        alan["plans"][0]["secondaryNeeds"],
        json!([{"code": "SLCN"}, {"code": "SEMH"}])
    );
    assert_eq!(alan["plans"][0]["lastReviewDecisionOn"], "2025-09-12");
    assert_eq!(
        alan["plans"][0]["placements"],
        json!([{"rank": 1, "urn": "100234", "entryOn": "2021-09-01", "senUnit": true}])
    );
    assert_eq!(
        alan["plans"][0]["personalBudget"],
        json!({"takenUp": true, "organisedArrangements": true, "directPayments": "E"})
    );
    // The next review is within 12 months of the last review decision (s.44(1)): the
    // period of 12 months starting with 12 September 2025 ends on 11 September 2026.
    let review = alan["plans"][0]["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "ANNUAL_REVIEW")
        .cloned()
        .unwrap_or_else(|| panic!("{alan:#}"));
    assert_eq!(review["dueOn"], "2026-09-11");
    // The amendment is where the review left it: the notice went with the decision, and the
    // amended plan was due 8 weeks after it (reg 22(3)).
    let amendment = &alan["plans"][0]["amendments"][0];
    assert_eq!(amendment["state"], "NOTICE_SENT", "{alan:#}");
    assert_eq!(amendment["meetingOn"], "2025-09-01");
    assert_eq!(amendment["startedOn"], "2025-09-12");
    assert_eq!(amendment["noticeSentOn"], "2025-09-12");
    let amended_plan = amendment["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "AMENDED_PLAN")
        .cloned()
        .unwrap_or_else(|| panic!("{amendment:#}"));
    assert_eq!(amended_plan["dueOn"], "2025-11-07");
    let decided: Vec<&Value> = alan["plans"][0]["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["decision"] == "AMEND")
        .collect();
    assert_eq!(decided.len(), 1, "{alan:#}");
    assert_eq!(decided[0]["decidedOn"], "2025-09-12");

    // History the old system already told families about sends nothing.
    assert_eq!(
        ehcp::store::entity::message::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );

    // Every change is audited with the import's batch.
    let batch_events = audit_event::Entity::find()
        .filter(audit_event::Column::ImportBatchId.is_not_null())
        .count(&app.db)
        .await
        .unwrap();
    assert!(batch_events >= 14, "{batch_events}");
    let refs = import_ref::Entity::find().count(&app.db).await.unwrap();
    assert_eq!(
        refs, 14,
        "staff, professional, 2 children, 2 parents, plan, amendment and the review it \
         arranged, review, assessment, 2 advice, exception"
    );

    // The same files again change nothing.
    let after_first = audit_count(&app).await;
    let (ok, out, err) = ehcp(&url, &args);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("children: 0 created, 0 updated, 2 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("assessments: 0 created, 0 updated, 1 unchanged"),
        "{out}"
    );
    assert_eq!(audit_count(&app).await, after_first);
    assert_eq!(app.ok(&fx.caseworker, CHILDREN, json!({})).await, data);

    // A corrected file changes only what changed: Alan's setting, and Ada's draft sent.
    fill(
        dir.path(),
        "children",
        &[
            "C-1001,Ada Lovelace,Ada,04/03/2016,Carlisle,Stanwix Primary,,",
            "C-1002,Alan Turing,,2012-06-23,Eden Valley,Keswick School,,",
        ],
    );
    fill(
        dir.path(),
        "amendments",
        &["M-1,E-77,01/09/2025,,2025-09-12,Add speech and language therapy,2025-09-20,We agree,,"],
    );
    fill(
        dir.path(),
        "assessments",
        &["A-5,C-1001,INITIAL,PARENT,06/01/2026,S-17,10/02/2026,,,2026-04-21"],
    );
    let (ok, out, err) = ehcp(&url, &args);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("children: 0 created, 1 updated, 1 unchanged"),
        "{out}"
    );
    assert!(out.contains("assessments: 0 created, 1 updated"), "{out}");
    assert!(out.contains("amendments: 0 created, 1 updated"), "{out}");
    let changes: Vec<audit_event::Model> = audit_event::Entity::find()
        .filter(audit_event::Column::Id.gt(after_first as i64))
        .all(&app.db)
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = changes
        .iter()
        .map(|e| (e.entity.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("child", "update"),
            ("plan_amendment", "record_parent_response"),
            ("assessment", "send_draft")
        ],
        "{changes:#?}"
    );
    assert!(changes.iter().all(|e| e.import_batch_id.is_some()));
    let data = app.ok(&fx.caseworker, CHILDREN, json!({})).await;
    let text = data.to_string();
    assert!(text.contains("Keswick School"));
    assert!(text.contains("DRAFT_ISSUED"));
    assert!(text.contains("We agree"));
}

#[tokio::test]
async fn every_problem_in_every_row_is_reported_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let _fx = app.with_local_authority().await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;
    let (dir, _) = template(&url);
    fill(dir.path(), "localities", &["Carlisle"]);
    fill(
        dir.path(),
        "children",
        &[
            // An unknown locality.
            "C-1,Ada Lovelace,,04/03/2016,Atlantis,,,",
            // A date of birth in the future.
            "C-2,Alan Turing,,2099-01-01,Carlisle,,,",
            // The same id twice.
            "C-1,Ada Again,,04/03/2016,Carlisle,,,",
            // A date neither form reads.
            "C-3,Grace Hopper,,1/31/2016,Carlisle,,,",
            "C-4,Mary Somerville,,2015-02-02,Carlisle,,,",
            "C-5,Mary Fairfax,,2015-02-02,Carlisle,,,",
            // A UPN with the wrong check letter.
            "C-6,Wrong Check,,2015-02-02,Carlisle,,,,A801200005001,,,,,",
            // An ethnicity that is not a code of the SEN2 list.
            "C-7,Unknown Code,,2015-02-02,Carlisle,,,,,,,,BRIT,",
        ],
    );
    fill(dir.path(), "parents", &["PA-1,Anne Lovelace,,,"]);
    // A parent linked to an unknown child.
    fill(dir.path(), "parent_links", &["PA-1,C-404,"]);
    fill(
        dir.path(),
        "plans",
        &[
            // A review before its plan.
            "E-1,C-4,2021-09-14,,2020-01-01,ASD,,,",
            // A child with two active plans.
            "E-2,C-4,2022-09-14,,,ASD,,,",
            // An unknown need code.
            "E-3,C-3,2022-09-14,,,XYZ,,,",
            "E-4,C-5,2020-09-14,,2026-03-10,ASD,,,",
            // A URN of five digits.
            "E-5,C-4,2022-09-14,,,ASD,,,,12345",
            // Direct payments with no personal budget.
            "E-6,C-4,2022-09-14,,,ASD,,,,,,,,,,,,,,,E",
            // A placement's detail with no setting.
            "E-7,C-4,2022-09-14,,,ASD,,,,,,,,,YES",
        ],
    );
    fill(
        dir.path(),
        "amendments",
        &[
            // Changes proposed outside a review without their notice.
            "M-1,E-4,,,,,,,,",
            // A notice that proposes nothing; a second amendment of the same plan.
            "M-2,E-4,2026-02-01,,2026-03-10,,,,,",
            // A notice before the review meeting.
            "M-3,E-4,2026-02-01,,2026-01-15,Add OT,,,,",
            // The family's response before the notice.
            "M-4,E-4,2026-02-01,,2026-03-10,Add OT,2026-03-01,Fine,,",
            // A response that says nothing.
            "M-5,E-4,2026-02-01,,2026-03-10,Add OT,2026-03-15,,,",
            // A review meeting after the plan's last review decision.
            "M-6,E-4,2026-04-01,,,,,,,",
            // A notice before the review's decision (the plan's last_review_decision_on).
            "M-7,E-4,2026-02-01,,2026-03-01,Add OT,,,,",
            // An amendment of an unknown plan.
            "M-8,E-404,,,2026-03-01,Add OT,,,,",
            // A review's kind without its review.
            "M-9,E-4,,INTERIM,2026-03-01,Add OT,,,,",
            // Neither yes nor no.
            "M-10,E-4,2026-02-01,,2026-03-10,Add OT,2026-03-15,,maybe,",
        ],
    );
    fill(
        dir.path(),
        "reviews",
        &[
            // A review arranged before its plan was issued.
            "R-1,E-2,ANNUAL,2020-05-01,2020-06-01,,,,",
            // A review of an unknown plan.
            "R-2,E-404,ANNUAL,2026-05-01,2026-06-01,,,,",
            // A report before the meeting was held.
            "R-3,E-3,ANNUAL,2026-05-01,2026-06-01,,,,2026-06-05",
            // A report before the meeting it reports on.
            "R-4,E-2,ANNUAL,2026-05-01,2026-06-01,YES,,,2026-05-20",
        ],
    );
    fill(
        dir.path(),
        "assessments",
        // A step out of order: the decision before the request.
        &["A-1,C-1,INITIAL,PARENT,2026-01-06,,2026-01-01,,,"],
    );
    fill(
        dir.path(),
        "advice_requests",
        // Advice answered before it was asked.
        &["V-1,A-1,CAMHS,,2026-02-10,2026-02-01,,"],
    );
    fill(
        dir.path(),
        "exceptions",
        &[
            // A reason that is not in the table.
            "X-1,A-1,HOLIDAY,2026-02-01,2026-03-01,,",
            // An absence shorter than the 4 weeks the regulations ask.
            "X-2,A-1,ABSENT_FROM_AREA,2026-02-01,2026-02-10,,",
            // A missed appointment that names no advice request.
            "X-3,A-1,MISSED_APPOINTMENT,2026-02-12,2026-02-12,,",
        ],
    );
    let report = dir.path().join("report.json");
    let csv_report = dir.path().join("report.csv");
    let files = sheets(dir.path());
    let args = import_args(&files);
    let report_arg = report.display().to_string();
    let csv_arg = csv_report.display().to_string();
    let mut with_json = args.clone();
    with_json.extend(["--report", &report_arg]);
    let before = audit_count(&app).await;
    let (ok, out, _) = ehcp(&url, &with_json);
    assert!(!ok, "a file with problems is refused: {out}");
    assert!(out.contains("nothing was changed"), "{out}");
    assert_eq!(audit_count(&app).await, before);
    assert_eq!(child::Entity::find().count(&app.db).await.unwrap(), 0);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["state"], "REFUSED");
    let problems: Vec<(String, u64, String, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["sheet"].as_str().unwrap().to_owned(),
                p["row"].as_u64().unwrap(),
                p["column"].as_str().unwrap().to_owned(),
                p["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Line 1 is the header and line 2 the template's comment: rows start on line 3.
    for (sheet, row, column, value) in [
        ("children", 3, "locality", "Atlantis"),
        ("children", 4, "date_of_birth", "2099-01-01"),
        ("children", 5, "child_id", "C-1"),
        ("children", 6, "date_of_birth", "1/31/2016"),
        ("children", 9, "upn", "A801200005001"),
        ("children", 10, "ethnicity", "BRIT"),
        ("parent_links", 3, "child_id", "C-404"),
        ("plans", 3, "last_review_decision_on", "2020-01-01"),
        ("plans", 4, "child_id", "C-4"),
        ("plans", 5, "primary_need", "XYZ"),
        ("plans", 7, "setting_urn", "12345"),
        ("plans", 8, "direct_payments", "E"),
        ("plans", 9, "sen_unit", "YES"),
        ("amendments", 3, "notice_sent_on", ""),
        ("amendments", 4, "proposed_changes", ""),
        ("amendments", 4, "plan_id", "E-4"),
        ("amendments", 5, "notice_sent_on", "2026-01-15"),
        ("amendments", 6, "family_responded_on", "2026-03-01"),
        ("amendments", 7, "family_responded_on", "2026-03-15"),
        ("amendments", 8, "review_meeting_on", "2026-04-01"),
        ("amendments", 9, "notice_sent_on", "2026-03-01"),
        ("amendments", 10, "plan_id", "E-404"),
        ("amendments", 11, "review_kind", "INTERIM"),
        ("amendments", 12, "family_meeting_requested", "maybe"),
        ("reviews", 3, "scheduled_on", "2020-05-01"),
        ("reviews", 4, "plan_id", "E-404"),
        ("reviews", 5, "report_received_on", "2026-06-05"),
        ("reviews", 6, "report_received_on", "2026-05-20"),
        ("assessments", 3, "decided_to_assess_on", "2026-01-01"),
        ("advice_requests", 3, "received_on", "2026-02-01"),
        ("exceptions", 3, "reason", "HOLIDAY"),
        ("exceptions", 4, "ends_on", "2026-02-10"),
        ("exceptions", 5, "advice_id", ""),
    ] {
        assert!(
            problems.contains(&(sheet.into(), row, column.into(), value.into())),
            "missing {sheet} row {row} {column} {value:?} in {problems:#?}"
        );
    }
    // The same as CSV, for a spreadsheet.
    let mut with_csv = args.clone();
    with_csv.extend(["--report", &csv_arg]);
    let (ok, _, _) = ehcp(&url, &with_csv);
    assert!(!ok);
    let csv_text = std::fs::read_to_string(&csv_report).unwrap();
    assert!(csv_text.starts_with("sheet,row,column,value,problem"));
    assert!(
        csv_text.contains("children,3,locality,Atlantis,unknown locality"),
        "{csv_text}"
    );
    assert_eq!(
        ehcp::store::entity::import_batch::Entity::find()
            .filter(ehcp::store::entity::import_batch::Column::State.eq("REFUSED"))
            .count(&app.db)
            .await
            .unwrap(),
        2
    );
}

/// The first plan of the child with this legal name, in a `children` answer.
fn first_plan(data: &Value, name: &str) -> Value {
    data["children"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["legalName"] == name)
        .unwrap_or_else(|| panic!("{name}"))["node"]["plans"][0]
        .clone()
}

/// `enterPlan` as a caseworker: the new plan's id and version.
async fn enter_plan(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(
        token,
        "mutation($input: EnterPlanInput!) { enterPlan(input: $input) { id version } }",
        json!({"input": input}),
    )
    .await["enterPlan"]
        .clone()
}

/// The cases' answers with what differs between any two cases (ids, names) taken out.
fn case_shape(child: &Value) -> Value {
    let mut a = child["assessments"].clone();
    for assessment in a.as_array_mut().unwrap() {
        // Who works the case is not a rule: the typed case is its caseworker's own.
        assessment["caseworker"] = Value::Null;
        for advice in assessment["adviceRequests"].as_array_mut().unwrap() {
            advice["professionalId"] = Value::Null;
        }
    }
    json!({"assessments": a, "plans": child["plans"]})
}

#[tokio::test]
async fn an_imported_case_is_the_same_as_the_case_entered_step_by_step() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;
    let (dir, _) = template(&url);
    fill(dir.path(), "localities", &["Carlisle"]);
    fill(
        dir.path(),
        "children",
        &[
            "C-1,Imported Assessment,,2016-03-04,Carlisle,,,",
            "C-2,Imported Plan,,2012-06-23,Carlisle,,,",
            "C-3,Imported Amendment,,2013-01-01,Carlisle,,,",
            "C-4,Imported Proposal,,2014-01-01,Carlisle,,,",
        ],
    );
    fill(
        dir.path(),
        "plans",
        &[
            "E-1,C-2,2021-09-14,Penrith Academy,2025-09-12,ASD,SLCN,,",
            "E-2,C-3,2020-09-14,Stanwix Primary,2026-05-20,MLD,,,",
            "E-3,C-4,2022-09-14,,,SEMH,,,",
        ],
    );
    // An interim review held on 1 May decided on 20 May to amend; the notice went on 25 May
    // and the family answered on 1 June. And changes proposed outside a review.
    fill(
        dir.path(),
        "amendments",
        &[
            "M-1,E-2,2026-05-01,INTERIM,2026-05-25,Add a speech therapy programme,2026-06-01,Please name Eden School,YES,Eden School",
            "M-2,E-3,,,2026-06-10,Update the health section,,,,",
        ],
    );
    fill(
        dir.path(),
        "assessments",
        &["A-1,C-1,INITIAL,PARENT,2026-01-06,,2026-02-10,,,2026-04-21"],
    );
    // Its annual review under way: arranged, invited, advice out, held, report in.
    fill(
        dir.path(),
        "reviews",
        &["R-1,E-1,ANNUAL,01/06/2026,2026-07-06,yes,2026-06-15,20/06/2026,2026-07-10"],
    );
    fill(
        dir.path(),
        "advice_requests",
        &[
            "V-1,A-1,EDUCATIONAL_PSYCHOLOGY,,2026-02-10,2026-03-20,,Cognitive assessment",
            "V-2,A-1,CAMHS,,2026-02-11,,2026-02-20,No open referral",
            "V-3,A-1,SOCIAL_CARE,,2026-02-12,,,",
        ],
    );
    fill(
        dir.path(),
        "exceptions",
        &["X-1,A-1,EXCEPTIONAL_PERSONAL_CIRCUMSTANCES,2026-02-20,2026-03-10,V-3,Bereavement"],
    );
    let files = sheets(dir.path());
    let args = import_args(&files);
    let (ok, out, err) = ehcp(&url, &args);
    assert!(ok, "{out}{err}");

    // The same two cases, entered through the API by a caseworker.
    let cw = &fx.caseworker;
    let typed = app
        .create_child(&fx, "Typed Assessment", "2016-03-04")
        .await;
    let a = app
        .ok(
            cw,
            "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }",
            json!({"input": {"childId": typed, "requestedBy": "PARENT", "receivedOn": "2026-01-06"}}),
        )
        .await["requestAssessment"]
        .clone();
    let id = a["id"].as_str().unwrap().to_owned();
    let mut version = a["version"].as_i64().unwrap();
    let mut act = async |mutation: &str, input_type: &str, mut input: Value| -> Value {
        input["assessmentId"] = json!(id);
        input["version"] = json!(version);
        let q = format!(
            "mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ version adviceRequests {{ id service }} }} }}"
        );
        let data = app.ok(cw, &q, json!({"input": input})).await;
        version = data[mutation]["version"].as_i64().unwrap();
        data[mutation]["adviceRequests"].clone()
    };
    act(
        "decideToAssess",
        "DecisionInput",
        json!({"on": "2026-02-10"}),
    )
    .await;
    act(
        "requestAdvice",
        "RequestAdviceInput",
        json!({"on": "2026-02-10", "service": "EDUCATIONAL_PSYCHOLOGY"}),
    )
    .await;
    act(
        "requestAdvice",
        "RequestAdviceInput",
        json!({"on": "2026-02-11", "service": "CAMHS"}),
    )
    .await;
    let advice = act(
        "requestAdvice",
        "RequestAdviceInput",
        json!({"on": "2026-02-12", "service": "SOCIAL_CARE"}),
    )
    .await;
    let of = |service: &str| {
        advice
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["service"] == service)
            .unwrap()["id"]
            .clone()
    };
    let (ep, camhs) = (of("EDUCATIONAL_PSYCHOLOGY"), of("CAMHS"));
    act(
        "declineAdviceRequest",
        "DeclineAdviceInput",
        json!({"on": "2026-02-20", "adviceRequestId": camhs, "reason": "No open referral"}),
    )
    .await;
    act(
        "recordAdviceReceived",
        "AdviceReceivedInput",
        json!({"on": "2026-03-20", "adviceRequestId": ep, "summary": "Cognitive assessment"}),
    )
    .await;
    act("sendDraftPlan", "ActionInput", json!({"on": "2026-04-21"})).await;
    let social_care = of("SOCIAL_CARE");
    act(
        "recordException",
        "RecordExceptionInput",
        json!({"reasonCode": "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES", "startsOn": "2026-02-20", "endsOn": "2026-03-10", "note": "Bereavement", "adviceRequestId": social_care}),
    )
    .await;
    let typed_plan_child = app.create_child(&fx, "Typed Plan", "2012-06-23").await;
    let plan = enter_plan(&app, cw, json!({"childId": typed_plan_child, "issuedOn": "2021-09-14", "namedSetting": "Penrith Academy", "lastReviewDecisionOn": "2025-09-12", "primaryNeed": "ASD", "secondaryNeeds": ["SLCN"]})).await;
    let review = app
        .ok(
            cw,
            "mutation($input: ScheduleReviewInput!) { scheduleReview(input: $input) { id version } }",
            json!({"input": {"planId": plan["id"], "version": plan["version"], "on": "2026-06-01", "meetingOn": "2026-07-06"}}),
        )
        .await["scheduleReview"]
        .clone();
    let mut version = review["version"].clone();
    for (mutation, on) in [
        ("sendReviewInvitations", "2026-06-15"),
        ("circulateReviewAdvice", "2026-06-20"),
        ("holdReviewMeeting", "2026-07-06"),
        ("recordReviewReport", "2026-07-10"),
    ] {
        let q = format!(
            "mutation($input: ReviewActionInput!) {{ {mutation}(input: $input) {{ version }} }}"
        );
        version = app
            .ok(
                cw,
                &q,
                json!({"input": {"reviewId": review["id"], "version": version, "on": on}}),
            )
            .await[mutation]["version"]
            .clone();
    }

    // The amendment from the interim review, entered by hand: the plan as it stood, the
    // review arranged and held on its meeting day, the decision, the notice, the response.
    let child = app.create_child(&fx, "Typed Amendment", "2013-01-01").await;
    let plan = enter_plan(&app, cw, json!({"childId": child, "issuedOn": "2020-09-14", "namedSetting": "Stanwix Primary", "lastReviewDecisionOn": "2026-05-20", "primaryNeed": "MLD"})).await;
    let review = app
        .ok(
            cw,
            "mutation($input: ScheduleReviewInput!) { scheduleReview(input: $input) { id version } }",
            json!({"input": {"planId": plan["id"], "version": plan["version"], "on": "2026-05-01", "meetingOn": "2026-05-01", "kind": "INTERIM"}}),
        )
        .await["scheduleReview"]
        .clone();
    let held = app
        .ok(
            cw,
            "mutation($input: ReviewActionInput!) { holdReviewMeeting(input: $input) { version } }",
            json!({"input": {"reviewId": review["id"], "version": review["version"], "on": "2026-05-01"}}),
        )
        .await["holdReviewMeeting"]
        .clone();
    let amendment = app
        .ok(
            cw,
            "mutation($input: DecideReviewInput!) { decideReview(input: $input) { amendment { id version } } }",
            json!({"input": {"reviewId": review["id"], "version": held["version"], "on": "2026-05-20", "decision": "AMEND", "appealRightsGiven": true}}),
        )
        .await["decideReview"]["amendment"]
        .clone();
    let noticed = app
        .ok(
            cw,
            "mutation($input: AmendmentNoticeInput!) { sendAmendmentNotice(input: $input) { version } }",
            json!({"input": {"amendmentId": amendment["id"], "version": amendment["version"], "on": "2026-05-25", "proposedChanges": "Add a speech therapy programme"}}),
        )
        .await["sendAmendmentNotice"]
        .clone();
    app.ok(
        cw,
        "mutation($input: AmendmentResponseInput!) { recordAmendmentResponse(input: $input) { version } }",
        json!({"input": {"amendmentId": amendment["id"], "version": noticed["version"], "on": "2026-06-01", "comments": "Please name Eden School", "meetingRequested": true, "requestedSetting": "Eden School"}}),
    )
    .await;
    let child = app.create_child(&fx, "Typed Proposal", "2014-01-01").await;
    let plan = enter_plan(
        &app,
        cw,
        json!({"childId": child, "issuedOn": "2022-09-14", "primaryNeed": "SEMH"}),
    )
    .await;
    app.ok(
        cw,
        "mutation($input: ProposeAmendmentInput!) { proposeAmendment(input: $input) { id } }",
        json!({"input": {"planId": plan["id"], "version": plan["version"], "on": "2026-06-10", "proposedChanges": "Update the health section"}}),
    )
    .await;

    let data = app.ok(cw, CHILDREN, json!({})).await;
    let by_name = |name: &str| -> Value {
        data["children"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .find(|n| n["legalName"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let imported = case_shape(&by_name("Imported Assessment"));
    assert_eq!(imported["assessments"][0]["state"], "DRAFT_ISSUED");
    assert_eq!(
        imported["assessments"][0]["exceptions"][0]["reason"]["code"],
        "EXCEPTIONAL_PERSONAL_CIRCUMSTANCES"
    );
    assert_eq!(imported, case_shape(&by_name("Typed Assessment")));
    let plan = case_shape(&by_name("Imported Plan"));
    let review = &plan["plans"][0]["reviews"][0];
    assert_eq!(review["state"], "MEETING_HELD", "{plan}");
    assert_eq!(review["reportReceivedOn"], "2026-07-10");
    assert!(!review["deadlines"].as_array().unwrap().is_empty());
    assert_eq!(plan, case_shape(&by_name("Typed Plan")));
    let amended = case_shape(&by_name("Imported Amendment"));
    let amendment = &amended["plans"][0]["amendments"][0];
    assert_eq!(amendment["state"], "NOTICE_SENT", "{amended}");
    assert_eq!(amendment["parentRequestedSetting"], "Eden School");
    assert_eq!(amended["plans"][0]["reviews"][0]["kind"], "INTERIM");
    assert_eq!(amended, case_shape(&by_name("Typed Amendment")));
    let proposal = case_shape(&by_name("Imported Proposal"));
    assert_eq!(
        proposal["plans"][0]["amendments"][0]["noticeSentOn"],
        "2026-06-10"
    );
    assert_eq!(proposal, case_shape(&by_name("Typed Proposal")));

    // And they count the same in the backlog: each open step of one is a step of the other.
    let items = app
        .ok(
            &fx.manager,
            "{ backlogItems(first: 100) { edges { node { process stage dueOn standing child { name } } } } }",
            json!({}),
        )
        .await;
    let rows = |prefix: &str| -> Vec<Value> {
        let mut v: Vec<Value> = items["backlogItems"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .filter(|n| n["child"]["name"].as_str().unwrap().starts_with(prefix))
            .map(|mut n| {
                n["child"] = Value::Null;
                n
            })
            .collect();
        v.sort_by_key(|n| n.to_string());
        v
    };
    let imported_rows = rows("Imported");
    assert!(!imported_rows.is_empty());
    assert_eq!(imported_rows, rows("Typed"));
}

#[tokio::test]
async fn an_amendment_whose_run_stopped_after_its_review_was_arranged_goes_on_from_there() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;
    let (dir, _) = template(&url);
    fill(dir.path(), "localities", &["Carlisle"]);
    fill(
        dir.path(),
        "children",
        &[
            "C-1,Stopped Run,,2013-01-01,Carlisle,,,",
            "C-2,Other Review,,2014-01-01,Carlisle,,,",
            "C-3,Family Asked,,2014-01-01,Carlisle,,,",
        ],
    );
    fill(
        dir.path(),
        "plans",
        &[
            "E-1,C-1,2020-09-14,,2026-05-20,MLD,,,",
            "E-2,C-2,2020-09-14,,2026-05-20,MLD,,,",
            "E-3,C-3,2020-09-14,,2026-05-20,MLD,,,",
        ],
    );
    let files = sheets(dir.path());
    let (ok, out, err) = ehcp(&url, &import_args(&files));
    assert!(ok, "{out}{err}");

    // What a run that stopped between the review and its decision leaves behind: the
    // review arranged on its meeting day, kept with the amendment's id in the same
    // transaction, and no amendment. On the second plan, a review with the same dates a
    // caseworker arranged in the API; on the third, the family's request for a review
    // meeting, not yet answered.
    let plans = app
        .ok(
            &fx.caseworker,
            "{ children(first: 10) { edges { node { id legalName plans { id version } } } } }",
            json!({}),
        )
        .await;
    let plan_of = |name: &str| first_plan(&plans, name);
    for name in ["Stopped Run", "Other Review"] {
        let plan = plan_of(name);
        app.ok(
            &fx.caseworker,
            "mutation($input: ScheduleReviewInput!) { scheduleReview(input: $input) { id } }",
            json!({"input": {"planId": plan["id"], "version": plan["version"], "on": "2026-05-01", "meetingOn": "2026-05-01"}}),
        )
        .await;
    }
    app.db
        .execute_unprepared(
            "INSERT INTO import_ref (la_id, kind, source_id, entity_id, batch_id, digest) \
             SELECT r.la_id, 'amendment_review', 'M-1', r.id, \
                    (SELECT MAX(id) FROM import_batch), 'pending' \
             FROM annual_review r JOIN child c ON c.id = r.child_id \
             WHERE c.legal_name = 'Stopped Run'",
        )
        .await
        .unwrap();
    let child_id = plans["children"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["legalName"] == "Family Asked")
        .unwrap()["node"]["id"]
        .clone();
    let parent_id = app
        .ok(
            &fx.caseworker,
            "mutation($input: CreateParentInput!) { createParent(input: $input) { id } }",
            json!({"input": {"name": "Parent Asks", "subject": "parent-asks"}}),
        )
        .await["createParent"]["id"]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p) { id } }",
        json!({"c": child_id, "p": parent_id}),
    )
    .await;
    let parent = app.token(ehcp::domain::access::Role::Parent, "parent-asks", None);
    app.ok(
        &parent,
        "mutation($input: RequestReviewMeetingInput!) { requestReviewMeeting(input: $input) { id } }",
        json!({"input": {"planId": plan_of("Family Asked")["id"], "reason": "The placement is breaking down"}}),
    )
    .await;

    fill(
        dir.path(),
        "amendments",
        &[
            "M-1,E-1,2026-05-01,,2026-05-20,Add speech therapy,,,,",
            "M-2,E-2,2026-05-01,,2026-05-20,Add speech therapy,,,,",
            "M-3,E-3,2026-05-01,,2026-05-20,Add speech therapy,,,,",
        ],
    );
    let files = sheets(dir.path());
    let (ok, out, err) = ehcp(&url, &import_args(&files));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("amendments: 1 created, 0 updated, 2 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("has a review under way in the system"),
        "the caseworker's review is not taken for the one the run arranged: {out}"
    );
    assert!(
        out.contains("the family asked for a review meeting on"),
        "a past review replayed does not answer the family's request: {out}"
    );
    let data = app
        .ok(
            &fx.caseworker,
            "{ children(first: 10) { edges { node { legalName plans { reviews { state decision meetingOn } amendments { state noticeSentOn } reviewMeetingRequests { state } } } } } }",
            json!({}),
        )
        .await;
    let plan = |name: &str| first_plan(&data, name);
    let stopped = plan("Stopped Run");
    assert_eq!(
        stopped["reviews"],
        json!([{"state": "DECIDED", "decision": "AMEND", "meetingOn": "2026-05-01"}]),
        "one review, the one the stopped run arranged: {stopped}"
    );
    assert_eq!(
        stopped["amendments"],
        json!([{"state": "NOTICE_SENT", "noticeSentOn": "2026-05-20"}])
    );
    let other = plan("Other Review");
    assert_eq!(other["amendments"], json!([]), "{other}");
    assert_eq!(other["reviews"][0]["state"], "SCHEDULED");
    let asked = plan("Family Asked");
    assert_eq!(asked["reviews"], json!([]), "{asked}");
    assert_eq!(asked["reviewMeetingRequests"], json!([{"state": "OPEN"}]));
}

/// The amendments of the plan of the child called "Half Done".
async fn half_done(app: &TestApp, token: &str) -> Value {
    let data = app
        .ok(
            token,
            "{ children(first: 10) { edges { node { legalName plans { amendments { state noticeSentOn parentRespondedOn } } } } } }",
            json!({}),
        )
        .await;
    first_plan(&data, "Half Done")["amendments"].clone()
}

/// A database trigger that refuses one step stops the run part way, as a lost connection or
/// a killed process would, after the amendment's earlier steps are committed.
async fn refuse_family_responses(app: &TestApp, refuse: bool) {
    let sqlite = app.db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
    let statements: &[&str] = match (sqlite, refuse) {
        (true, true) => &[
            "CREATE TRIGGER refuse_response BEFORE UPDATE OF parent_responded_on \
             ON plan_amendment WHEN NEW.parent_responded_on IS NOT NULL \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ],
        (true, false) => &["DROP TRIGGER refuse_response"],
        (false, true) => &[
            "CREATE FUNCTION refuse_response() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            "CREATE TRIGGER refuse_response BEFORE UPDATE OF parent_responded_on \
             ON plan_amendment FOR EACH ROW WHEN (NEW.parent_responded_on IS NOT NULL) \
             EXECUTE FUNCTION refuse_response()",
        ],
        (false, false) => &[
            "DROP TRIGGER refuse_response ON plan_amendment",
            "DROP FUNCTION refuse_response()",
        ],
    };
    for sql in statements {
        app.db.execute_unprepared(sql).await.unwrap();
    }
}

#[tokio::test]
async fn a_run_that_stopped_between_an_amendments_steps_records_the_rest_when_run_again() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;
    let (dir, _) = template(&url);
    fill(dir.path(), "localities", &["Carlisle"]);
    fill(
        dir.path(),
        "children",
        &["C-1,Half Done,,2013-01-01,Carlisle,,,"],
    );
    fill(
        dir.path(),
        "plans",
        &["E-1,C-1,2020-09-14,,2026-05-20,MLD,,,"],
    );
    fill(
        dir.path(),
        "amendments",
        // Free text as a caseworker writes it, over more than one line.
        &[
            "M-1,E-1,2026-05-01,,2026-05-20,\"Add speech therapy;\nweekly, in school\",2026-05-27,\"Agreed.\nPlease call us.\",,",
        ],
    );
    let files = sheets(dir.path());
    refuse_family_responses(&app, true).await;
    let (ok, out, err) = ehcp(&url, &import_args(&files));
    assert!(!ok, "the refused step stops the run: {out}{err}");
    refuse_family_responses(&app, false).await;
    assert_eq!(
        half_done(&app, &fx.caseworker).await,
        json!([{"state": "NOTICE_SENT", "noticeSentOn": "2026-05-20", "parentRespondedOn": null}]),
        "the review and its decision were committed before the stop"
    );

    let (ok, out, err) = ehcp(&url, &import_args(&files));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("amendments: 0 created, 1 updated, 0 unchanged"),
        "the same file goes on from the step it stopped at: {out}"
    );
    assert_eq!(
        half_done(&app, &fx.caseworker).await,
        json!([{"state": "NOTICE_SENT", "noticeSentOn": "2026-05-20", "parentRespondedOn": "2026-05-27"}])
    );
    let (ok, out, err) = ehcp(&url, &import_args(&files));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("amendments: 0 created, 0 updated, 1 unchanged"),
        "{out}"
    );
    let data = app
        .ok(
            &fx.caseworker,
            "{ children(first: 1) { edges { node { legalName plans { amendments { proposedChanges parentComments } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        first_plan(&data, "Half Done")["amendments"],
        json!([{"proposedChanges": "Add speech therapy;\nweekly, in school", "parentComments": "Agreed.\nPlease call us."}])
    );

    // Other proposed changes on the same day are not a step: reported, not changed.
    fill(
        dir.path(),
        "amendments",
        &[
            "M-1,E-1,2026-05-01,,2026-05-20,Add speech therapy and OT,2026-05-27,\"Agreed.\nPlease call us.\",,",
        ],
    );
    let (ok, out, err) = ehcp(&url, &import_args(&files));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("the notice's proposed changes are recorded as sent"),
        "{out}"
    );

    // A row imported before is not checked again against the plan's dates, which move on
    // (here, a later review decided): it is reported by the replay, never refusing the file.
    app.db
        .execute_unprepared(
            "UPDATE ehc_plan SET last_review_decision_on = '2026-07-01' WHERE id = \
             (SELECT entity_id FROM import_ref WHERE kind = 'ehc_plan' AND source_id = 'E-1')",
        )
        .await
        .unwrap();
    let amendments_only = [dir.path().join("amendments.csv").display().to_string()];
    let (ok, out, err) = ehcp(&url, &import_args(&amendments_only));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("amendments: 0 created, 0 updated, 1 unchanged"),
        "{out}"
    );

    // A new row on a plan imported before (not in this file) is checked against the plan's
    // dates in the system before anything changes.
    fill(
        dir.path(),
        "amendments",
        &["M-2,E-1,2026-07-02,,2026-07-10,Add OT,,,,"],
    );
    let (ok, out, err) = ehcp(&url, &import_args(&amendments_only));
    assert!(!ok, "{out}{err}");
    assert!(
        format!("{out}{err}").contains(
            "the review's decision to amend is the plan's last_review_decision_on (2026-07-01)"
        ),
        "{out}{err}"
    );
}
