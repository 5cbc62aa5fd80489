//! The DfE's SEN2 return (issue 20): its code lists as data a council corrects without a
//! release, and what the return records of each person.
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
