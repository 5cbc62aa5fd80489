//! What a document may cost before it runs. Every field costs one. A connection multiplies
//! what is selected under it by its page size (`first`/`last`, at most [`MAX_PAGE_SIZE`],
//! [`DEFAULT_PAGE_SIZE`] when not given): pages are what a request can ask the database for
//! without bound. Any other list (an assessment's deadlines, a child's plans) holds one
//! record's own few items: it costs [`LIST_SIZE`] plus its selection once. Every alias counts
//! on its own, so a thousand aliases of the smallest list cost more than [`MAX_COST`]. The
//! rule reads the types from the schema, so a list added later is costed without anyone
//! remembering to.
//!
//! Introspection (`__schema`, `__type`) is costed by the depth limit alone: it reads the
//! schema in memory, and tools send the standard query, which nests deeply.
use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{Name, ServerError, ServerResult, Value, Variables};

use crate::store::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// The most a request may cost: a page of 100 cases with their deadlines, milestones, advice,
/// plans and next step costs about 9,000; a thousand aliases of the smallest list, 11,000.
pub const MAX_COST: u64 = 10_000;

/// What a list that is not paged costs for holding its items (deadlines, milestones).
pub const LIST_SIZE: u64 = 10;

/// The extension that refuses documents costing more than [`MAX_COST`].
pub struct CostLimit;

impl ExtensionFactory for CostLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostLimitExtension)
    }
}

struct CostLimitExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for CostLimitExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let cost = document_cost(&ctx.schema_env.registry, &document, variables);
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
        Ok(document)
    }
}

/// The cost of the most expensive operation in the document (only one runs).
pub fn document_cost(registry: &Registry, document: &ExecutableDocument, vars: &Variables) -> u64 {
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
            };
            root.map_or(0, |root| {
                walker.selection_cost(
                    &operation.node.selection_set.node,
                    root,
                    &mut HashSet::new(),
                    0,
                )
            })
        })
        .max()
        .unwrap_or(0)
}

struct Walker<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: &'a dyn Fn(&Name) -> Option<Value>,
}

/// Deeper than this is refused by the depth limit anyway; the bound keeps a malformed
/// document (a fragment cycle, caught later by validation) from recursing without end.
const MAX_WALK_DEPTH: usize = 64;

impl Walker<'_> {
    fn selection_cost(
        &self,
        set: &SelectionSet,
        type_name: &str,
        fragments: &mut HashSet<Name>,
        depth: usize,
    ) -> u64 {
        if depth > MAX_WALK_DEPTH {
            return 0;
        }
        let mut total: u64 = 0;
        for item in &set.items {
            let cost = match &item.node {
                Selection::Field(field) => {
                    self.field_cost(&field.node, type_name, fragments, depth)
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(type_name, |c| c.node.on.node.as_str());
                    self.selection_cost(&inline.node.selection_set.node, on, fragments, depth + 1)
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
                                depth + 1,
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
        depth: usize,
    ) -> u64 {
        let name = field.name.node.as_str();
        if name.starts_with("__") {
            // `__typename` is one; introspection is for the depth limit (see above).
            return u64::from(name == "__typename");
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
        let children =
            self.selection_cost(&field.selection_set.node, child_type, fragments, depth + 1);
        if meta.args.contains_key("first") || meta.args.contains_key("last") {
            return self.page_size(field).saturating_mul(1 + children);
        }
        // A connection's `edges`/`nodes` hold the page its field already counted.
        let page_of_connection =
            type_name.ends_with("Connection") && matches!(name, "edges" | "nodes");
        if MetaTypeName::create(&meta.ty).is_list() && !page_of_connection {
            // At least one for the items, even in a list of scalars or enums.
            return LIST_SIZE.saturating_add(children.max(1));
        }
        1 + children
    }

    /// The page a connection field asks for: `first` or `last`, clamped as the store clamps.
    fn page_size(&self, field: &async_graphql::parser::types::Field) -> u64 {
        let asked = ["first", "last"].iter().find_map(|arg| {
            let value = field
                .get_argument(arg)?
                .node
                .clone()
                .into_const_with(|name| {
                    self.variables
                        .get(&name)
                        .cloned()
                        .or_else(|| (self.defaults)(&name))
                        .ok_or(())
                })
                .ok()?;
            match value {
                Value::Number(n) => n.as_u64(),
                _ => None,
            }
        });
        asked.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)
    }
}
