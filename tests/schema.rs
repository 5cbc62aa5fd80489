//! `schema.graphql` is the frontend team's contract: it must match the code exactly.
#[test]
fn committed_schema_matches_the_code() {
    let expected = ehcp::api::graphql::sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).expect("schema.graphql exists");
    assert!(
        committed == expected,
        "schema.graphql is out of date: run `cargo run -- export-schema > schema.graphql` \
         and review the API change"
    );
}
