//! What a document may cost before it runs. Every field costs one. A connection multiplies
//! what is selected under it by its page size (`first`/`last`, the field's own default when not
//! given, at most [`MAX_COSTED_PAGE`]): pages are what a request can ask the database for
//! without bound. Any other list (an assessment's deadlines, a child's plans) holds one
//! record's own few items: it costs [`LIST_SIZE`] plus its selection once, unless it leads
//! back to a type already on the way down (`child { plans { child { plans ...` ): such a
//! cycle fans out, so there the list multiplies by [`LIST_SIZE`]. Every alias counts on its
//! own, so a thousand aliases of the smallest list cost more than [`MAX_COST`]; each root
//! mutation field costs [`MUTATION_COST`] (a transaction and an audit event). Introspection
//! is costed like any other field. A connection's `totalCount` counts every row of its listing:
//! it costs [`COUNT_COST`], once, however large the page. The rule reads the types from the schema, so a list added
//! later is costed without anyone remembering to.
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{
    Name, ObjectType, SchemaBuilder, SchemaEnv, ServerError, ServerResult, SubscriptionType, Value,
    Variables,
};
use futures_util::FutureExt;

use crate::store::page::DEFAULT_PAGE_SIZE;

/// The most a request may cost: a page of 100 cases with their deadlines, milestones, advice,
/// plans and next step costs about 9,000; a thousand aliases of the smallest list, 11,000.
pub const MAX_COST: u64 = 10_000;

/// What a list that is not paged costs for holding its items (deadlines, milestones).
pub const LIST_SIZE: u64 = 10;

/// The largest page any list serves (`caseload` serves 200; the rest at most 100).
pub const MAX_COSTED_PAGE: u64 = 200;

/// A connection's `totalCount`: one count over the whole listing, costed as a full page (so a
/// request holds at most a hundred of them).
pub const COUNT_COST: u64 = 100;

/// Each root mutation field: one transaction with its audit event.
pub const MUTATION_COST: u64 = 50;

/// Fields and fragments the walk visits at most; a document needing more is refused.
const MAX_STEPS: u64 = 100_000;

/// The limits a document must keep before it runs: [`MAX_DEPTH`] and [`MAX_COST`], costed
/// on the schema's own types.
///
/// They run beside the schema, not as an async-graphql extension: with any extension
/// installed, async-graphql sends every field of every request through the extension chain
/// (boxed futures and a registry lookup per field),
/// even when the extension only looks at the parsed document. async-graphql keeps a
/// schema's registry to itself, so [`Limits::lift`] builds a schema of the same types once
/// with a parse hook that hands over its registry, and keeps that.
pub struct Limits(SchemaEnv);

impl Limits {
    /// The limits for the types `builder` would serve.
    pub fn lift<Q, M, S>(builder: SchemaBuilder<Q, M, S>) -> Limits
    where
        Q: ObjectType + 'static,
        M: ObjectType + 'static,
        S: SubscriptionType + 'static,
    {
        let lifted = Arc::new(OnceLock::new());
        let probe = builder.extension(Lift(lifted.clone())).finish();
        // Nothing in `{ __typename }` waits: the request completes in its first poll.
        probe
            .execute("{ __typename }")
            .now_or_never()
            .expect("a request with nothing to wait on completes at once");
        Limits(lifted.get().cloned().expect("the parse hook ran"))
    }

    /// Refuses a document whose selections nest more than [`MAX_NESTING`] deep, whose
    /// fragments spread themselves, whose fields nest deeper than [`MAX_DEPTH`], or that costs
    /// more than [`MAX_COST`], with a request error coded BAD_REQUEST.
    pub fn check(&self, document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
        let refuse = |message: String, limit: Option<usize>| {
            let mut error = ServerError::new(message, None);
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", "BAD_REQUEST");
            if let Some(limit) = limit {
                extensions.set("limit", limit as u64);
            }
            error.extensions = Some(extensions);
            error
        };
        match shape(document) {
            Shape::TooNested => {
                return Err(refuse(
                    format!("selections are nested more than {MAX_NESTING} deep"),
                    Some(MAX_NESTING),
                ));
            }
            Shape::Cyclic => return Err(refuse("a fragment spreads itself".to_owned(), None)),
            Shape::Depth(depth) if depth > MAX_DEPTH => {
                return Err(refuse(
                    "Query is nested too deep.".to_owned(),
                    Some(MAX_DEPTH),
                ));
            }
            Shape::Depth(_) => {}
        }
        let cost = document_cost(&self.0.registry, document, variables);
        if cost > MAX_COST {
            let mut error = ServerError::new(
                format!(
                    "this request would cost {cost}, more than the limit of {MAX_COST}: ask \
                     for smaller pages (`first`/`last`), fewer lists or fewer aliases"
                ),
                None,
            );
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", "BAD_REQUEST");
            extensions.set("cost", cost);
            extensions.set("limit", MAX_COST);
            error.extensions = Some(extensions);
            return Err(error);
        }
        Ok(())
    }
}

/// The parse hook that hands over the probe schema's registry ([`Limits::lift`]).
struct Lift(Arc<OnceLock<SchemaEnv>>);

impl ExtensionFactory for Lift {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Lift(self.0.clone()))
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Lift {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        self.0.get_or_init(|| ctx.schema_env.clone());
        next.run(ctx, query, variables).await
    }
}

/// How deeply a document may nest fields, outside introspection.
pub const MAX_DEPTH: usize = 12;

/// The deepest nesting of fields in any operation, fragments included, with the subtrees of
/// `__schema` and `__type` left out (as GraphQL Armor's `ignoreIntrospection` does): the
/// introspection query every tool sends (graphql-js `getIntrospectionQuery()`) nests
/// `ofType` nine levels below `fields { type`, deeper than any case needs, and the schema
/// it reads is small and in memory. Introspection is still costed like any other field, so
/// nesting `fields { type { fields ...` to fan out is refused by the cost limit.
pub fn document_depth(document: &ExecutableDocument) -> usize {
    match shape(document) {
        Shape::Depth(depth) => depth,
        Shape::TooNested | Shape::Cyclic => usize::MAX,
    }
}

/// How deeply any selections may nest (fields, fragment spreads and inline fragments alike,
/// introspection included, as async-graphql's own recursion limit counts them). The walks
/// here recurse once per level, so this bounds them: it is checked first, in one pass that
/// walks each fragment once, before anything else reads the document.
pub const MAX_NESTING: usize = 32;

/// What the limits read from a document's shape.
#[derive(Debug, PartialEq)]
enum Shape {
    /// The deepest nesting of fields outside introspection ([`document_depth`]).
    Depth(usize),
    /// Selections nested deeper than [`MAX_NESTING`].
    TooNested,
    /// A fragment spreads itself, directly or through others: never valid GraphQL.
    Cyclic,
}

/// The document's [`Shape`], each fragment walked once (a fragment spread twice at every
/// level of a chain of 40 is 40 walks, not 2^40), giving up past [`MAX_NESTING`].
fn shape(document: &ExecutableDocument) -> Shape {
    enum Stop {
        TooNested,
        Cyclic,
    }
    struct Walk<'d> {
        document: &'d ExecutableDocument,
        /// Per fragment: `None` while it is being walked, then its (nesting, depth).
        fragments: std::collections::HashMap<&'d Name, Option<(usize, usize)>>,
    }
    impl<'d> Walk<'d> {
        /// The nesting and the field depth below `set`, which sits `level` deep.
        fn set(&mut self, set: &'d SelectionSet, level: usize) -> Result<(usize, usize), Stop> {
            if level > MAX_NESTING {
                return Err(Stop::TooNested);
            }
            let (mut nesting, mut depth) = (0, 0);
            for item in &set.items {
                let (n, d) = match &item.node {
                    Selection::Field(field) => {
                        let sub = &field.node.selection_set.node;
                        let (n, d) = if sub.items.is_empty() {
                            (0, 0)
                        } else {
                            let (n, d) = self.set(sub, level + 1)?;
                            (n + 1, d)
                        };
                        let name = field.node.name.node.as_str();
                        (
                            n,
                            if matches!(name, "__schema" | "__type") {
                                1
                            } else {
                                1 + d
                            },
                        )
                    }
                    Selection::InlineFragment(inline) => {
                        let (n, d) = self.set(&inline.node.selection_set.node, level + 1)?;
                        (n + 1, d)
                    }
                    Selection::FragmentSpread(spread) => {
                        let name = &spread.node.fragment_name.node;
                        // An unknown fragment is validation's to report.
                        let Some(fragment) = self.document.fragments.get(name) else {
                            continue;
                        };
                        let (n, d) = match self.fragments.get(name) {
                            Some(Some(walked)) => *walked,
                            Some(None) => return Err(Stop::Cyclic),
                            None => {
                                self.fragments.insert(name, None);
                                let walked =
                                    self.set(&fragment.node.selection_set.node, level + 1)?;
                                self.fragments.insert(name, Some(walked));
                                walked
                            }
                        };
                        if level + 1 + n > MAX_NESTING {
                            return Err(Stop::TooNested);
                        }
                        (n + 1, d)
                    }
                };
                nesting = nesting.max(n);
                depth = depth.max(d);
            }
            Ok((nesting, depth))
        }
    }
    let mut walk = Walk {
        document,
        fragments: Default::default(),
    };
    let mut deepest = 0;
    for (_, operation) in document.operations.iter() {
        match walk.set(&operation.node.selection_set.node, 0) {
            Ok((_, depth)) => deepest = deepest.max(depth),
            Err(Stop::TooNested) => return Shape::TooNested,
            Err(Stop::Cyclic) => return Shape::Cyclic,
        }
    }
    Shape::Depth(deepest)
}

/// The cost of the most expensive operation in the document (only one runs).
pub fn document_cost(registry: &Registry, document: &ExecutableDocument, vars: &Variables) -> u64 {
    // One budget of steps for the whole document, however many operations it holds.
    let steps = std::cell::Cell::new(0);
    document
        .operations
        .iter()
        .map(|(_, operation)| {
            let root = match operation.node.ty {
                async_graphql::parser::types::OperationType::Query => {
                    Some(registry.query_type.as_str())
                }
                async_graphql::parser::types::OperationType::Mutation => {
                    registry.mutation_type.as_deref()
                }
                async_graphql::parser::types::OperationType::Subscription => {
                    registry.subscription_type.as_deref()
                }
            };
            let defaults = |name: &Name| {
                operation
                    .node
                    .variable_definitions
                    .iter()
                    .find(|d| d.node.name.node == *name)
                    .and_then(|d| d.node.default_value.as_ref().map(|v| v.node.clone()))
            };
            let walker = Walker {
                registry,
                document,
                variables: vars,
                defaults: &defaults,
                steps: &steps,
                counts: std::cell::Cell::new(0),
            };
            let Some(root) = root else { return 0 };
            let cost = walker.selection_cost(
                &operation.node.selection_set.node,
                root,
                &mut HashSet::new(),
                &mut Vec::new(),
            );
            if walker.steps.get() > MAX_STEPS {
                return u64::MAX;
            }
            let cost = cost.saturating_add(walker.counts.get());
            if operation.node.ty == async_graphql::parser::types::OperationType::Mutation {
                let fields = operation.node.selection_set.node.items.len() as u64;
                return cost.saturating_add(fields.saturating_mul(MUTATION_COST - 1));
            }
            cost
        })
        .max()
        .unwrap_or(0)
}

struct Walker<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: &'a dyn Fn(&Name) -> Option<Value>,
    /// Fields and fragments visited so far (fragments are walked at every use).
    steps: &'a std::cell::Cell<u64>,
    /// What the `totalCount`s asked for cost: each runs once, outside its page's multiple
    /// (every connection is a root field, so none is inside another's page).
    counts: std::cell::Cell<u64>,
}

impl Walker<'_> {
    /// `path`: the types from the root down to `type_name`'s parent.
    fn selection_cost(
        &self,
        set: &SelectionSet,
        type_name: &str,
        fragments: &mut HashSet<Name>,
        path: &mut Vec<String>,
    ) -> u64 {
        self.steps.set(self.steps.get() + 1);
        if self.steps.get() > MAX_STEPS {
            return u64::MAX;
        }
        let mut total: u64 = 0;
        for item in &set.items {
            // Every item is a step, `__typename` and unknown fragments too.
            self.steps.set(self.steps.get() + 1);
            if self.steps.get() > MAX_STEPS {
                return u64::MAX;
            }
            let cost = match &item.node {
                Selection::Field(field) => self.field_cost(&field.node, type_name, fragments, path),
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(type_name, |c| c.node.on.node.as_str());
                    self.selection_cost(&inline.node.selection_set.node, on, fragments, path)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.document.fragments.get(name) {
                        Some(fragment) if fragments.insert(name.clone()) => {
                            let on = fragment.node.type_condition.node.on.node.as_str();
                            let cost = self.selection_cost(
                                &fragment.node.selection_set.node,
                                on,
                                fragments,
                                path,
                            );
                            fragments.remove(name);
                            cost
                        }
                        _ => 0,
                    }
                }
            };
            total = total.saturating_add(cost);
        }
        total
    }

    fn field_cost(
        &self,
        field: &async_graphql::parser::types::Field,
        type_name: &str,
        fragments: &mut HashSet<Name>,
        path: &mut Vec<String>,
    ) -> u64 {
        let name = field.name.node.as_str();
        if name == "__typename" {
            return 1;
        }
        if name == "totalCount" && type_name.ends_with("Connection") {
            self.counts
                .set(self.counts.get().saturating_add(COUNT_COST));
            return 0;
        }
        let Some(meta) = self
            .registry
            .types
            .get(type_name)
            .and_then(|t| t.field_by_name(name))
        else {
            return 1; // Unknown: validation refuses it next.
        };
        let child_type = MetaTypeName::concrete_typename(&meta.ty);
        path.push(type_name.to_owned());
        let cycle = path.iter().any(|t| t == child_type);
        let children = self.selection_cost(&field.selection_set.node, child_type, fragments, path);
        path.pop();
        if meta.args.contains_key("first") || meta.args.contains_key("last") {
            return self.page_size(field, meta).saturating_mul(1 + children);
        }
        // `nodes(ids:)` looks up each id it is given: it costs like a page of that many, and
        // never less than any other list.
        if type_name == "Query" && name == "nodes" {
            let per_id = self.ids_given(field).saturating_mul(1 + children);
            return per_id.max(LIST_SIZE.saturating_add(children.max(1)));
        }
        // A connection's `edges`/`nodes` hold the page its field already counted.
        let page_of_connection =
            type_name.ends_with("Connection") && matches!(name, "edges" | "nodes");
        if MetaTypeName::create(&meta.ty).is_list() && !page_of_connection {
            if cycle {
                return LIST_SIZE.saturating_mul(1 + children);
            }
            // At least one for the items, even in a list of scalars or enums.
            return LIST_SIZE.saturating_add(children.max(1));
        }
        1 + children
    }

    /// An argument's value as the request gives it: a literal, or a variable (or the
    /// variable's default).
    fn argument(&self, field: &async_graphql::parser::types::Field, name: &str) -> Option<Value> {
        field
            .get_argument(name)?
            .node
            .clone()
            .into_const_with(|var| {
                self.variables
                    .get(&var)
                    .cloned()
                    .or_else(|| (self.defaults)(&var))
                    .ok_or(())
            })
            .ok()
    }

    /// How many ids `nodes(ids:)` is given; at least one.
    fn ids_given(&self, field: &async_graphql::parser::types::Field) -> u64 {
        match self.argument(field, "ids") {
            Some(Value::List(ids)) => (ids.len() as u64).max(1),
            _ => 1,
        }
    }

    /// The page a connection field asks for: `first` or `last`, or the field's default.
    fn page_size(
        &self,
        field: &async_graphql::parser::types::Field,
        meta: &async_graphql::registry::MetaField,
    ) -> u64 {
        let asked = ["first", "last"]
            .iter()
            .find_map(|arg| match self.argument(field, arg)? {
                Value::Number(n) => n.as_u64(),
                _ => None,
            });
        let default = || {
            ["first", "last"].iter().find_map(|arg| {
                meta.args
                    .get(*arg)?
                    .default_value
                    .as_deref()?
                    .parse::<u64>()
                    .ok()
            })
        };
        asked
            .or_else(default)
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .clamp(1, MAX_COSTED_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptySubscription, Schema};

    use super::*;
    use crate::api::graphql::{Mutation, Query};

    fn depth_of(query: &str) -> usize {
        document_depth(&async_graphql::parser::parse_query(query).expect("parses"))
    }

    #[test]
    fn depth_counts_fields_through_fragments_and_leaves_introspection_out() {
        assert_eq!(depth_of("{ me { subject } }"), 2);
        assert_eq!(
            depth_of("{ child(id: 1) { ...F } } fragment F on Child { plans { id } }"),
            3
        );
        assert_eq!(
            depth_of("{ child(id: 1) { ... on Child { plans { child { id } } } } }"),
            4
        );
        assert_eq!(
            depth_of("{ __schema { types { fields { type { ofType { ofType { name } } } } } } }"),
            1
        );
        // A fragment that spreads itself is never valid: refused before anything walks it.
        assert_eq!(
            depth_of("{ me { ...F } } fragment F on Me { ...F subject }"),
            usize::MAX
        );
    }

    /// The limits for the application's own types.
    fn test_limits() -> Limits {
        Limits::lift(Schema::build(
            Query::default(),
            Mutation::default(),
            EmptySubscription,
        ))
    }

    /// `levels` fragments `f0`..., each spreading the next twice, the last `__typename`: a
    /// document reaching `f0` has 2^levels paths through them.
    fn fan_out(levels: usize) -> String {
        let mut q: String = (0..levels)
            .map(|i| format!(" fragment f{i} on Query {{ ...f{n} ...f{n} }}", n = i + 1))
            .collect();
        q.push_str(&format!(" fragment f{levels} on Query {{ __typename }}"));
        q
    }

    /// What the limits say of a document: the refusal's message, or `None` when it may run.
    fn refusal(query: &str) -> Option<String> {
        let limits = test_limits();
        let document = async_graphql::parser::parse_query(query).expect("parses");
        limits
            .check(&document, &Variables::default())
            .err()
            .map(|e| e.message)
    }

    #[test]
    fn fragments_spread_twice_at_every_level_are_walked_once_each() {
        // 2^40 paths through 40 fragments: refused at the 33rd level, after 33 walks.
        let mut q = String::from("{ ...f0 }");
        q.push_str(&fan_out(40));
        let refused = refusal(&q).expect("refused");
        assert!(refused.contains("nested more than 32"), "{refused}");
        // 2^30 paths within the nesting limit: walked once each, then costed within its cap.
        let mut q = String::from("{ ...f0 }");
        q.push_str(&fan_out(30));
        assert!(
            refusal(&q).is_some(),
            "a 2^30 fan-out costs more than the limit"
        );
    }

    #[test]
    fn many_operations_share_one_budget_of_steps() {
        // A fan-out of 2^13 (well within one operation's budget, and free: `__typename`
        // costs nothing), used by 2,000 operations: the document's one budget runs out.
        let mut q = String::new();
        for i in 0..2_000 {
            q.push_str(&format!("query q{i} {{ ...f0 }} "));
        }
        q.push_str(&fan_out(13));
        let document = async_graphql::parser::parse_query(&q).expect("parses");
        let limits = test_limits();
        assert_eq!(
            document_cost(&limits.0.registry, &document, &Variables::default()),
            u64::MAX
        );
        assert!(refusal(&q).is_some());
    }

    #[test]
    fn a_long_chain_of_fragments_or_a_cycle_is_refused_without_deep_recursion() {
        let mut q = String::from("{ ...f0 }");
        for i in 0..20_000 {
            q.push_str(&format!(" fragment f{i} on Query {{ ...f{} }}", i + 1));
        }
        q.push_str(" fragment f20000 on Query { __typename }");
        let refused = refusal(&q).expect("refused");
        assert!(refused.contains("nested more than 32"), "{refused}");
        let refused = refusal("{ ...a } fragment a on Query { ...b } fragment b on Query { ...a }")
            .expect("refused");
        assert!(refused.contains("spreads itself"), "{refused}");
        // A fragment used in many places is fine.
        assert_eq!(
            refusal("{ me { ...m } a: me { ...m } } fragment m on Me { subject }"),
            None
        );
    }

    /// The cost the limit reported, or `None` when the document was not refused for it.
    async fn refused_cost(query: &str, variables: serde_json::Value) -> Option<u64> {
        let limits = test_limits();
        let document = async_graphql::parser::parse_query(query).expect("parses");
        let refused = limits
            .check(&document, &Variables::from_json(variables))
            .err();
        refused.iter().find_map(|e| {
            let cost = e.extensions.as_ref()?.get("cost")?;
            match cost {
                Value::Number(n) => n.as_u64(),
                _ => None,
            }
        })
    }

    fn aliases(n: usize, one: &str) -> String {
        (0..n).map(|i| format!(" a{i}: {one}")).collect()
    }

    #[tokio::test]
    async fn nodes_cost_like_a_page_of_the_ids_given() {
        let ids: Vec<String> = (0..100).map(|i| format!("id{i}")).collect();
        let q = format!(
            "query($ids: [ID!]!) {{ {} }}",
            aliases(60, "nodes(ids: $ids) { id }")
        );
        assert_eq!(
            refused_cost(&q, serde_json::json!({ "ids": ids })).await,
            Some(12_000)
        );
        assert_eq!(
            refused_cost(&q, serde_json::json!({ "ids": ["one"] })).await,
            None
        );
    }

    #[tokio::test]
    async fn pages_multiply_and_variables_and_defaults_set_the_page() {
        let one = "backlogItems(first: $n) { edges { node { dueOn } } }";
        let q = format!("query($n: Int) {{ {} }}", aliases(40, one));
        assert_eq!(
            refused_cost(&q, serde_json::json!({"n": 100})).await,
            Some(16_000)
        );
        assert_eq!(refused_cost(&q, serde_json::json!({"n": 2})).await, None);
        // No `first`: the default page of 20; `caseload` defaults to 50.
        let q = format!(
            "{{ {} }}",
            aliases(200, "backlogItems { edges { node { dueOn } } }")
        );
        assert_eq!(refused_cost(&q, serde_json::json!({})).await, Some(16_000));
        let q = format!("{{ {} }}", aliases(120, "caseload { openCases }"));
        assert_eq!(
            refused_cost(&q, serde_json::json!({})).await,
            Some(120 * 50 * 2)
        );
    }

    #[tokio::test]
    async fn a_total_count_costs_a_full_page_once_whatever_the_page() {
        // A full page with its count is within the limit...
        let q = "{ children(first: 100) { totalCount nodes { id } } }";
        assert_eq!(refused_cost(q, serde_json::json!({})).await, None);
        // ...but empty pages cannot buy counts cheaply: 101 of them cost 101 x (1 + 100).
        let q = format!(
            "{{ {} }}",
            aliases(101, "children(first: 0) { totalCount }")
        );
        assert_eq!(
            refused_cost(&q, serde_json::json!({})).await,
            Some(101 * (1 + COUNT_COST))
        );
        let q = format!("{{ {} }}", aliases(99, "children(first: 0) { totalCount }"));
        assert_eq!(refused_cost(&q, serde_json::json!({})).await, None);
    }

    #[tokio::test]
    async fn lists_that_lead_back_to_their_own_type_multiply() {
        let q = "{ children(first: 100) { nodes { assessments { child { assessments { child {
            assessments { child { assessments { child { assessments { id } } } } } } } } } } } }";
        assert!(refused_cost(q, serde_json::json!({})).await.is_some());
        // One level down and back is an ordinary page.
        let q = "{ children(first: 20) { nodes { assessments { child { displayName } } } } }";
        assert_eq!(refused_cost(q, serde_json::json!({})).await, None);
    }

    #[tokio::test]
    async fn introspection_fragments_and_mutations_are_costed() {
        let one = "__schema { types { fields { args { type { name } } } } }";
        let q = format!("{{ {} }}", aliases(1_000, one));
        assert!(refused_cost(&q, serde_json::json!({})).await.is_some());
        let q = format!("{{ {one} }}");
        assert_eq!(refused_cost(&q, serde_json::json!({})).await, None);

        let q = format!(
            "query {{ ...Bomb }} fragment Bomb on Query {{ {} }}",
            aliases(100, "backlogItems(first: 100) { edges { node { dueOn } } }")
        );
        assert!(refused_cost(&q, serde_json::json!({})).await.is_some());

        let create = "createLocality(name: \"x\") { id }";
        let q = format!("mutation {{ {} }}", aliases(300, create));
        assert!(refused_cost(&q, serde_json::json!({})).await.is_some());
        let q = format!("mutation {{ {} }}", aliases(10, create));
        assert_eq!(refused_cost(&q, serde_json::json!({})).await, None);
    }
}
