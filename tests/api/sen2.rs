//! The DfE's SEN2 return (issue 20): its code lists as data a council corrects without a
//! release, and what the return records of each person.
use ehcp::store::entity::{ehc_plan, placement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::common::TestApp;
use crate::import::ehcp;

#[tokio::test]
async fn a_council_corrects_a_code_list_from_a_csv_and_the_api_checks_against_the_correction() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;

    // The shipped lists, printed in the file format a correction is loaded from.
    let (ok, out, err) = ehcp(&url, &["sen2", "codes", "--list", "sex"]);
    assert!(ok, "{out}{err}");
    assert_eq!(
        out,
        "list,code,label,source\nSEX,F,Female,LX26\nSEX,M,Male,LX26\n"
    );

    // A file that is wrong changes nothing.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sex.csv");
    std::fs::write(&file, "list,code,label,source\nSEX,M,Male,\nSEX,M,Man,\n").unwrap();
    let (ok, out, err) = ehcp(&url, &["sen2", "codes", "--load", file.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(
        err.contains("line 3: code M of SEX is given twice"),
        "{err}"
    );
    let (_, out, _) = ehcp(&url, &["sen2", "codes", "--list", "SEX"]);
    assert!(out.contains("SEX,F,Female,LX26"), "{out}");

    // Say the DfE adds a code: the council loads the list, which replaces that list only.
    std::fs::write(
        &file,
        "list,code,label,source\nSEX,M,Male,\nSEX,F,Female,\nSEX,X,Another sex (test),DfE 2027 guide\n",
    )
    .unwrap();
    let (ok, out, err) = ehcp(&url, &["sen2", "codes", "--load", file.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    assert_eq!(out, "SEX: 3 codes\n");
    let codes = app
        .ok(
            &fx.caseworker,
            "{ sex: sen2Codes(list: \"SEX\") { code source } ethnicity: sen2Codes(list: \"ETHNICITY\") { code } }",
            json!({}),
        )
        .await;
    assert_eq!(
        codes["sex"],
        json!([
            {"code": "F", "source": "council"},
            {"code": "M", "source": "council"},
            {"code": "X", "source": "DfE 2027 guide"}
        ])
    );
    assert_eq!(
        codes["ethnicity"].as_array().unwrap().len(),
        108,
        "other lists stay"
    );
    let child = app
        .ok(
            &fx.caseworker,
            "mutation($input: CreateChildInput!) { createChild(input: $input) { sex } }",
            json!({"input": {"legalName": "Sam Census", "dateOfBirth": "2015-01-01", "localityId": fx.locality, "sex": "x"}}),
        )
        .await;
    assert_eq!(child["createChild"]["sex"], "X");
    // Audited, with who did it and what each list now holds.
    let events = app
        .ok(
            &fx.admin,
            "{ auditEvents(first: 5) { edges { node { action summary actorSubject } } } }",
            json!({}),
        )
        .await;
    let load = events["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|e| e["action"] == "LOAD_CODES")
        .unwrap_or_else(|| panic!("{events}"))
        .clone();
    assert_eq!(
        load["summary"]["lists"],
        json!([{"list": "SEX", "codes": 3}])
    );
    assert!(
        load["actorSubject"].as_str().unwrap().starts_with("cli:"),
        "{load}"
    );
}

const RETURN: &str = "query($la: ID!, $on: Date!) { sen2Return(localAuthorityId: $la, censusDate: $on) { censusDate persons errors queries xml findings { childId person item severity message } figures { table breakdown count of percent } } }";

#[tokio::test]
async fn a_manager_produces_the_return_and_sees_what_to_fix_before_sending() {
    let app = TestApp::spawn().await;
    let fx = app.with_local_authority().await;
    let create = "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }";
    let ana = app
        .ok(
            &fx.caseworker,
            create,
            json!({"input": {"legalName": "Ana Census", "dateOfBirth": "2015-05-04", "localityId": fx.locality,
                "upn": "B801200005001", "sex": "F", "ethnicity": "WBRI", "homePostcode": "CA1 1RD"}}),
        )
        .await["createChild"]["id"]
        .clone();
    // A request a health professional made in the collection year, refused in it.
    let request = app
        .ok(
            &fx.caseworker,
            "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id version } }",
            json!({"input": {"childId": ana, "requestedBy": "HEALTH_PROFESSIONAL", "receivedOn": "2025-02-03"}}),
        )
        .await["requestAssessment"]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($input: RefusalInput!) { decideNotToAssess(input: $input) { state } }",
        json!({"input": {"assessmentId": request["id"], "version": request["version"], "on": "2025-03-14",
            "reasons": "Needs met from the school's resources", "appealRightsGiven": true}}),
    )
    .await;
    // A second child, whose record lacks their sex: the check names them and the item.
    let bob = app
        .ok(
            &fx.caseworker,
            create,
            json!({"input": {"legalName": "Bob Missing", "dateOfBirth": "2016-06-06", "localityId": fx.locality,
                "upnUnknownReason": "UN2", "ethnicity": "NOBT"}}),
        )
        .await["createChild"]["id"]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($input: RequestAssessmentInput!) { requestAssessment(input: $input) { id } }",
        json!({"input": {"childId": bob, "requestedBy": "PARENT", "receivedOn": "2025-11-03",
            "relevantYouthAccommodation": true}}),
    )
    .await;

    // A third, in Year 6 in 2025/26, with a plan from before the system: the plan must be
    // amended for secondary school before 15 February 2026 (reg 18), the return's 5.6a.
    let cyd = app
        .ok(
            &fx.caseworker,
            create,
            json!({"input": {"legalName": "Cyd Transfer", "dateOfBirth": "2014-10-01", "localityId": fx.locality,
                "upn": "B801200005001", "sex": "M", "ethnicity": "WBRI"}}),
        )
        .await["createChild"]["id"]
        .clone();
    let plan = app
        .ok(
            &fx.caseworker,
            "mutation($input: EnterPlanInput!) { enterPlan(input: $input) { id version } }",
            json!({"input": {"childId": cyd, "issuedOn": "2024-01-10", "primaryNeed": "SLCN"}}),
        )
        .await["enterPlan"]
        .clone();
    let plan = app
        .ok(
            &fx.caseworker,
            "mutation($input: SetPlacementsInput!) { setPlacements(input: $input) { id version } }",
            json!({"input": {"planId": plan["id"], "version": plan["version"],
                "placements": [{"urn": "100001", "entryOn": "2024-01-10"}]}}),
        )
        .await["setPlacements"]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($input: SetPersonalBudgetInput!) { setPersonalBudget(input: $input) { id } }",
        json!({"input": {"planId": plan["id"], "version": plan["version"], "takenUp": false}}),
    )
    .await;

    let vars = json!({"la": fx.la, "on": "2026-01-15"});
    // Caseworkers do not send the return.
    assert_eq!(
        app.error_code(Some(&fx.caseworker), RETURN, vars.clone())
            .await,
        "FORBIDDEN"
    );
    let ret = app.ok(&fx.manager, RETURN, vars.clone()).await["sen2Return"].clone();
    assert_eq!(ret["persons"], 3);
    let xml = ret["xml"].as_str().unwrap();
    for item in [
        "<LEA>909</LEA>",
        "<ReferenceDate>2026-01-15</ReferenceDate>",
        "<Surname>Census</Surname>",
        "<Forename>Ana</Forename>",
        "<UPN>B801200005001</UPN>",
        "<ReceivedDate>2025-02-03</ReceivedDate>",
        "<RequestSource>3</RequestSource>",
        "<RequestOutcomeDate>2025-03-14</RequestOutcomeDate>",
        "<RequestOutcome>N</RequestOutcome>",
        "<RequestMediation>0</RequestMediation>",
        "<UPNunknown>UN2</UPNunknown>",
        "<RequestOutcome>A</RequestOutcome>",
        "<PhaseTransferDueDate>2026-02-14</PhaseTransferDueDate>",
        "<PlacementDetail>\n            <URN>100001</URN>",
        // Ana's request was not made in relevant youth accommodation; Bob's was.
        "<RYA>0</RYA>",
        "<RYA>1</RYA>",
    ] {
        assert!(xml.contains(item), "{item} in {xml}");
    }
    let findings = ret["findings"].as_array().unwrap();
    let of_bob: Vec<_> = findings.iter().filter(|f| f["childId"] == bob).collect();
    assert_eq!(of_bob.len(), 1, "{findings:#?}");
    assert_eq!(of_bob[0]["item"], "1.4 Sex");
    assert_eq!(of_bob[0]["severity"], "ERROR");
    assert_eq!(of_bob[0]["person"], "Bob Missing");
    assert!(
        findings
            .iter()
            .all(|f| f["childId"] != ana && f["childId"] != cyd),
        "{findings:#?}"
    );
    assert_eq!(
        ret["errors"], 4,
        "Bob's sex and the LA's three officers: {findings:#?}"
    );
    // The figures the DfE will publish, from the same data: two initial requests in 2025,
    // one refused, one awaiting a decision on the census date; no plans yet.
    let figure = |table: &str, breakdown: &str| {
        ret["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["table"] == table && f["breakdown"] == breakdown)
            .cloned()
            .unwrap_or_else(|| panic!("{table} / {breakdown} in {:#}", ret["figures"]))
    };
    assert_eq!(figure("requests", "initial requests received")["count"], 2);
    assert_eq!(figure("requests", "decided not to assess")["count"], 1);
    assert_eq!(figure("requests", "awaiting a decision")["count"], 1);
    // Cyd's plan, aged 11 on the census date.
    assert_eq!(
        figure("caseload", "EHC plans on the census date")["count"],
        1
    );
    assert_eq!(figure("caseload by age", "Age 11 to 15")["count"], 1);
    let within = figure("timeliness excluding exceptions", "within 20 weeks");
    assert_eq!(
        (&within["count"], &within["of"], &within["percent"]),
        (&json!(0), &json!(0), &json!(null))
    );
    // The officers in post are the LA's own items: a manager records them (codes checked).
    let officers = "mutation($la: ID!, $dmo: String, $dco: String, $dsco: String) { setDesignatedOfficers(localAuthorityId: $la, dmo: $dmo, dco: $dco, dsco: $dsco) { designatedMedicalOfficer designatedClinicalOfficer designatedSocialCareOfficer } }";
    let (_, body) = app
        .gql(
            Some(&fx.manager),
            officers,
            json!({"la": fx.la, "dmo": "maybe"}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "dmo", "{body}");
    assert_eq!(
        app.error_code(
            Some(&fx.caseworker),
            officers,
            json!({"la": fx.la, "dmo": "Y"})
        )
        .await,
        "FORBIDDEN"
    );
    let set = app
        .ok(
            &fx.manager,
            officers,
            json!({"la": fx.la, "dmo": "y", "dco": "Y", "dsco": "R"}),
        )
        .await;
    assert_eq!(
        set["setDesignatedOfficers"],
        json!({"designatedMedicalOfficer": "Y", "designatedClinicalOfficer": "Y", "designatedSocialCareOfficer": "R"})
    );

    // Fixed, it goes; the same data gives the same file; every run is audited.
    let bob_version = app
        .ok(
            &fx.caseworker,
            "query($id: ID!) { child(id: $id) { version } }",
            json!({"id": bob}),
        )
        .await["child"]["version"]
        .clone();
    app.ok(
        &fx.caseworker,
        "mutation($input: UpdateChildInput!) { updateChild(input: $input) { id } }",
        json!({"input": {"id": bob, "version": bob_version, "sex": "M"}}),
    )
    .await;
    let fixed = app.ok(&fx.manager, RETURN, vars.clone()).await["sen2Return"].clone();
    assert_eq!(fixed["errors"], 0, "{:#?}", fixed["findings"]);
    assert!(
        fixed["xml"]
            .as_str()
            .unwrap()
            .contains("<DMO>Y</DMO>\n      <DCO>Y</DCO>\n      <DSCO>R</DSCO>"),
        "{}",
        fixed["xml"]
    );
    let again = app.ok(&fx.manager, RETURN, vars.clone()).await["sen2Return"].clone();
    assert_eq!(again["xml"], fixed["xml"]);
    let events = app
        .ok(
            &fx.manager,
            "{ auditEvents(first: 20) { edges { node { action summary } } } }",
            json!({}),
        )
        .await;
    let runs: Vec<_> = events["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["action"] == "PRODUCE_RETURN")
        .collect();
    assert_eq!(runs.len(), 3, "{events}");
    assert_eq!(runs[0]["node"]["summary"]["censusDate"], "2026-01-15");
    assert_eq!(runs[0]["node"]["summary"]["la"], "909");
}

#[tokio::test]
async fn the_demo_councils_return_comes_from_the_command_line_with_its_findings() {
    let app = TestApp::spawn().await;
    let url = crate::common::process_url(&app.db, app.dir_path()).await;
    let (ok, out, err) = ehcp(&url, &["seed-demo"]);
    assert!(ok, "{out}{err}");
    let dir = tempfile::tempdir().unwrap();
    let (xml, report) = (dir.path().join("sen2.xml"), dir.path().join("findings.csv"));
    let figures = dir.path().join("figures.csv");
    let (ok, out, err) = ehcp(
        &url,
        &[
            "sen2",
            "--census-date",
            "2027-01-21",
            "--la",
            "909",
            "--out",
            xml.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
            "--figures",
            figures.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}{err}");
    assert!(err.contains("SEN2 2027-01-21 for LA 909:"), "{err}");
    // The published figures, from the same data: every plan in the return's caseload is in
    // one age group, one need and one setting.
    let figures = std::fs::read_to_string(&figures).unwrap();
    assert!(
        figures.starts_with("table,breakdown,count,of,percent\n"),
        "{figures}"
    );
    let sum = |table: &str| -> u64 {
        figures
            .lines()
            .filter(|l| l.starts_with(&format!("{table},")))
            .map(|l| l.split(',').nth(2).unwrap().parse::<u64>().unwrap())
            .sum()
    };
    let caseload = sum("caseload");
    assert!(caseload > 10, "{figures}");
    assert_eq!(sum("caseload by age"), caseload, "{figures}");
    assert_eq!(sum("caseload by primary need"), caseload, "{figures}");
    assert_eq!(sum("caseload by setting"), caseload, "{figures}");
    assert_eq!(
        caseload as usize,
        std::fs::read_to_string(&xml)
            .unwrap()
            .matches("<ActivePlans>")
            .count(),
        "the caseload is the return's active plans"
    );
    assert!(
        figures.contains("timeliness including exceptions,within 20 weeks,"),
        "{figures}"
    );
    let xml = std::fs::read_to_string(&xml).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message>"));
    let persons = xml.matches("<Person>").count();
    assert!(
        persons >= 40,
        "the demo's children with a case in scope: {persons}"
    );
    assert!(err.contains(&format!("{persons} persons")), "{err}");
    let report_path = report;
    let report = std::fs::read_to_string(&report_path).unwrap();
    assert!(
        report.starts_with("child_id,person,item,severity,message\n"),
        "{report}"
    );
    // The demo's records say everything the return asks: nothing stops it being sent.
    assert!(err.contains(" 0 errors"), "{err}\n{report}");
    assert!(!report.contains(",ERROR,"), "{report}");
    for item in [
        "<PlacementDetail>",
        "<PlanDetail>",
        "<EntryDate>",
        "<PB>1</PB>",
        "<DP>E</DP>",
    ] {
        assert!(xml.contains(item), "{item}");
    }

    // A record broken behind the system's back (its placements deleted) shows in the report,
    // by name and item.
    let plan = ehc_plan::Entity::find()
        .filter(ehc_plan::Column::Status.eq("ACTIVE"))
        .order_by_asc(ehc_plan::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the demo has active plans");
    placement::Entity::delete_many()
        .filter(placement::Column::PlanId.eq(plan.id))
        .exec(&app.db)
        .await
        .unwrap();
    let (ok, out, err) = ehcp(
        &url,
        &[
            "sen2",
            "--census-date",
            "2027-01-21",
            "--la",
            "909",
            "--out",
            dir.path().join("again.xml").to_str().unwrap(),
            "--report",
            report_path.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}{err}");
    let report = std::fs::read_to_string(&report_path).unwrap();
    let broken: Vec<&str> = report.lines().filter(|l| l.contains(",ERROR,")).collect();
    assert!(
        broken
            .iter()
            .any(|l| l.starts_with(&format!("{},", plan.child_id))
                && l.contains("5.7 PlacementDetail")),
        "{report}"
    );
    assert!(!err.contains(" 0 errors"), "{err}");
}
