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

/// Every type, field, argument, input field and enum value the frontend sees has a
/// description (GraphiQL's Docs are the API's documentation): the test lists what lacks one.
#[test]
fn every_schema_element_has_a_description() {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let sdl = ehcp::api::graphql::sdl();
    let doc = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    let mut missing = Vec::new();
    let lacks = |d: &Option<async_graphql::Positioned<String>>| {
        d.as_ref().is_none_or(|d| d.node.trim().is_empty())
    };
    for definition in &doc.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = &ty.node;
        let name = ty.name.node.as_str();
        if lacks(&ty.description) {
            missing.push(name.to_owned());
        }
        match &ty.kind {
            TypeKind::Object(o) => {
                for f in &o.fields {
                    let f = &f.node;
                    if lacks(&f.description) {
                        missing.push(format!("{name}.{}", f.name.node));
                    }
                    for a in &f.arguments {
                        if lacks(&a.node.description) {
                            missing.push(format!("{name}.{}({})", f.name.node, a.node.name.node));
                        }
                    }
                }
            }
            TypeKind::Interface(i) => {
                for f in &i.fields {
                    if lacks(&f.node.description) {
                        missing.push(format!("{name}.{}", f.node.name.node));
                    }
                }
            }
            TypeKind::InputObject(i) => {
                for f in &i.fields {
                    if lacks(&f.node.description) {
                        missing.push(format!("{name}.{}", f.node.name.node));
                    }
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.values {
                    if lacks(&v.node.description) {
                        missing.push(format!("{name}.{}", v.node.value.node));
                    }
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
    }
    assert!(
        missing.is_empty(),
        "{} schema elements have no description (a `///` doc comment, or `desc` for an \
         argument): {}",
        missing.len(),
        missing.join(", ")
    );
}
