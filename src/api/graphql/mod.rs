//! The GraphQL schema: the frontend team's contract. Query and Mutation are merged from one
//! object per area; resolvers are thin and call `service`.
mod administrators;
mod assessment;
mod backlog;
mod caseload;
mod contributions;
pub mod cost;
mod delays;
mod disputes;
pub mod loaders;
mod messages;
mod node;
mod people;
mod plan;
pub mod scalars;
mod sen2;
mod shared;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, MergedObject, Object, OutputType, Schema, SchemaBuilder};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::domain::access::Actor;
use crate::error::{ApiError, ApiResult};
use crate::service::Ctx;
use crate::store::page::{Counted, Page, PageRequest};

pub use scalars::{Date, Id, Kind};

/// What the signed-in person can read: people and places, needs assessments, EHC plans with their
/// reviews and amendments, caseloads, the backlog and the audit trail. Every field shows only
/// what the person's role and local authority allow; without a sign-in it is UNAUTHENTICATED.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    people::PeopleQuery,
    administrators::AdministratorsQuery,
    assessment::AssessmentQuery,
    contributions::ContributionsQuery,
    caseload::CaseloadQuery,
    plan::PlanQuery,
    plan::ReviewQuery,
    plan::AmendmentQuery,
    backlog::BacklogQuery,
    delays::DelayQuery,
    disputes::DisputeQuery,
    messages::MessagesQuery,
    sen2::Sen2Query,
);

/// Every change. Each checks the signed-in person's permission (and, on a case, its state and the
/// `version` they last read), then writes the change and its audit event in one transaction.
#[derive(MergedObject, Default)]
pub struct Mutation(
    people::PeopleMutation,
    administrators::AdministratorsMutation,
    assessment::AssessmentMutation,
    contributions::ContributionsMutation,
    caseload::CaseloadMutation,
    plan::PlanMutation,
    plan::PlacementMutation,
    plan::ReviewMutation,
    plan::AmendmentMutation,
    delays::DelayMutation,
    disputes::DisputeMutation,
    messages::MessagesMutation,
);

pub use messages::{SocketSession, Subscription};

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Limits that keep one request from exhausting the server: nesting (outside
/// introspection) and what its lists can return ([`cost`]).
pub use cost::MAX_DEPTH;

pub struct SchemaOptions {
    pub introspection: bool,
}

pub fn build_schema(db: DatabaseConnection, options: SchemaOptions) -> AppSchema {
    // No extensions: with one, every field of every request runs through the extension
    // chain. The limits run before execution instead (`cost::Limits`, kept in the schema's
    // data for the HTTP and WebSocket handlers).
    let mut builder = builder()
        .data(db)
        .data(crate::service::backlog::CountsCache::new())
        .data(cost::Limits::lift(builder()));
    if !options.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}

/// The schema's types, with the descriptions async-graphql cannot take from a doc comment: its
/// Relay connection types are generated without one.
fn builder() -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .override_output_type_description::<Date>(
            "A calendar date, ISO 8601's `YYYY-MM-DD` (`2026-01-15`) and no looser spelling: a \
             day in England, where the statutory clocks run.",
        )
        .override_output_type_description::<chrono::DateTime<chrono::Utc>>(
            "An instant, RFC 3339 with its offset (`2026-01-15T09:30:00Z`); sent in UTC.",
        )
        .override_output_type_description::<Listing<plan::EhcPlan>>(
            "A page of the EHC plans the signed-in person may see (`plans`), newest first.",
        )
        .override_output_type_description::<Connection<String, backlog::BacklogItem>>(
            "A page of the open statutory steps behind a backlog number (`backlogItems`), most \
             overdue first.",
        )
        .override_output_type_description::<Listing<people::Child>>(
            "A page of the children and young people the signed-in person may see (`children`), \
             in the order they were added.",
        )
        .override_output_type_description::<Listing<people::AuditEvent>>(
            "A page of the audit trail (`auditEvents`), newest first.",
        )
        .override_output_type_description::<Listing<disputes::Dispute>>(
            "A page of the disputes the signed-in person may see (`disputes`), newest first.",
        )
        .override_output_type_description::<Listing<messages::Message>>(
            "A page of messages (`messages`, `caseMessages`, `deadLetters`), newest first.",
        )
        .override_output_type_description::<Listing<disputes::Complaint>>(
            "A page of the complaints the signed-in person may see (`complaints`), newest first.",
        )
        .override_output_type_description::<Listing<assessment::Assessment>>(
            "A page of the needs assessments the signed-in person may see (`assessments`), newest \
             first.",
        )
        .override_output_type_description::<
            Connection<String, contributions::ProfessionalAdviceRequest>,
        >(
            "A page of the advice requests addressed to the signed-in professional or their \
             service (`myAdviceRequests`), most urgent first.",
        )
}

/// Per-request data the HTTP layer attaches: who is asking (if anyone) and when.
#[derive(Clone)]
pub struct RequestInfo {
    pub actor: Option<Actor>,
    pub now: DateTime<Utc>,
}

/// The use-case context for a resolver; UNAUTHENTICATED when no one signed in.
pub fn ctx<'a>(gql: &'a Context<'_>) -> ApiResult<Ctx<'a>> {
    let info = gql
        .data::<RequestInfo>()
        .map_err(|_| ApiError::Unauthenticated)?;
    let actor = info.actor.as_ref().ok_or(ApiError::Unauthenticated)?;
    let db = gql
        .data::<DatabaseConnection>()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("no database in schema data")))?;
    Ok(Ctx {
        db,
        actor,
        now: info.now,
    })
}

/// Relay page arguments as given by a client; cursors are opaque ids.
pub fn page_request(
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> ApiResult<PageRequest> {
    let cursor = |field: &'static str, c: Option<String>| -> ApiResult<Option<i64>> {
        c.map(|c| {
            decode_cursor(&c)
                .ok_or_else(|| ApiError::validation(field, "not a cursor from this API"))
        })
        .transpose()
    };
    let size = |field: &'static str, n: Option<i32>| -> ApiResult<Option<u64>> {
        match n {
            Some(n) if n < 0 => Err(ApiError::validation(field, "must not be negative")),
            Some(n) => Ok(Some(n as u64)),
            None => Ok(None),
        }
    };
    if first.is_some() && last.is_some() {
        return Err(ApiError::validation(
            "last",
            "give either first or last, not both",
        ));
    }
    Ok(PageRequest {
        after: cursor("after", after)?,
        before: cursor("before", before)?,
        first: size("first", first)?,
        last: size("last", last)?,
    })
}

fn encode_cursor(id: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("c:{id}"))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("c:")?
        .parse()
        .ok()
}

/// A page of a listing: a Relay connection of API nodes that can also say how many the whole
/// listing holds.
pub type Listing<N> = Connection<String, N, Listed>;

/// What a listing says besides its page.
pub struct Listed(Counted);

#[Object]
impl Listed {
    /// How many the whole listing holds across every page: the same filters and the same
    /// person asking, whatever the cursors and page size. One count in the database, run only
    /// when asked for.
    async fn total_count(&self, gql: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.0.count(ctx(gql)?.db).await.map_err(ApiError::from)?)
    }
}

/// A page of models as a Relay connection of API nodes.
pub fn connection<M, N: OutputType>(
    page: Page<M>,
    id_of: impl Fn(&M) -> i64,
    node: impl Fn(M) -> N,
) -> Listing<N> {
    let mut conn = Connection::with_additional_fields(
        page.has_previous_page,
        page.has_next_page,
        Listed(page.counted),
    );
    conn.edges.extend(
        page.items
            .into_iter()
            .map(|m| Edge::new(encode_cursor(id_of(&m)), node(m))),
    );
    conn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("42"), None);
        assert!(page_request(Some("bogus".into()), None, None, None).is_err());
        assert!(page_request(None, None, Some(-1), None).is_err());
        assert!(page_request(None, None, Some(1), Some(1)).is_err());
    }

    #[test]
    fn page_sizes_are_clamped_and_zero_is_an_empty_page() {
        let p = page_request(None, None, Some(10_000), None).expect("valid");
        assert_eq!(p.size(), crate::store::page::MAX_PAGE_SIZE);
        let p = page_request(None, None, Some(0), None).expect("valid");
        assert_eq!(p.size(), 0);
    }
}
