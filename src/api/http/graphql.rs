//! `/graphql` as the GraphQL over HTTP specification asks
//! (<https://graphql.github.io/graphql-over-http/draft/>), checked in CI by the `graphql-http`
//! audit (tests/http-audit):
//!
//! - the response media type is negotiated from `Accept`: `application/graphql-response+json`
//!   or `application/json` (the default, also for `*/*` and no `Accept`); anything else is 406;
//! - a POST must say `Content-Type: application/json` (else 415), and its body must be a JSON
//!   object whose `query` is a string and whose `operationName`, `variables` and `extensions`
//!   are absent, null or of the right type (else 400);
//! - GET runs queries only: a mutation over GET is 405 with `Allow: POST`, so a link or an
//!   `<img>` on another site can never change anything;
//! - a request error (the document does not parse or validate, or its variables do not
//!   coerce) has no `data` entry, and is 400 under `application/graphql-response+json` but 200
//!   under `application/json`, which older clients expect;
//! - a missing or bad token keeps its 401 with `UNAUTHENTICATED`.
use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::parse_query;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{ErrorExtensions, ServerError, Variables};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::AppState;
use crate::api::graphql::RequestInfo;
use crate::error::ApiError;

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub const JSON: &str = "application/json";

/// The media type a response is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    GraphQLResponseJson,
    Json,
}

impl MediaType {
    fn header_value(self) -> HeaderValue {
        match self {
            MediaType::GraphQLResponseJson => {
                HeaderValue::from_static("application/graphql-response+json; charset=utf-8")
            }
            MediaType::Json => HeaderValue::from_static("application/json; charset=utf-8"),
        }
    }
}

/// How a request ended, as counted in metrics and logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Executed without errors.
    Ok,
    /// Executed; some fields failed (partial data).
    FieldErrors,
    /// The document did not parse or validate, or the variables did not coerce.
    RequestError,
    /// Refused before GraphQL: malformed HTTP request, wrong method or media type.
    Refused,
    /// No valid sign-in.
    Unauthenticated,
    /// The database could not be reached (503).
    Unavailable,
    /// The sign-in failed on a fault of the server's (500, logged).
    Internal,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::FieldErrors => "field_errors",
            Outcome::RequestError => "request_error",
            Outcome::Refused => "refused",
            Outcome::Unauthenticated => "unauthenticated",
            Outcome::Unavailable => "unavailable",
            Outcome::Internal => "internal",
        }
    }
}

/// Picks the response media type from `Accept` (RFC 9110 §12.5.1): the highest `q` wins;
/// between equals, `application/graphql-response+json` is preferred as the spec's own type.
/// `None` when the client accepts neither.
pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Some(MediaType::Json);
    };
    let accept = accept.to_str().ok()?;
    if accept.trim().is_empty() {
        return Some(MediaType::Json);
    }
    let mut best: Option<(f32, u8, MediaType)> = None;
    for range in accept.split(',') {
        let Ok(range) = range.trim().parse::<mime::Mime>() else {
            continue;
        };
        let q = range
            .get_param("q")
            .and_then(|q| q.as_str().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let essence = range.essence_str();
        // (specificity, type): an exact match beats a wildcard at the same q.
        let candidate = match essence {
            GRAPHQL_RESPONSE_JSON => (2, MediaType::GraphQLResponseJson),
            JSON => (2, MediaType::Json),
            "application/*" | "*/*" => (1, MediaType::Json),
            _ => continue,
        };
        let better = match best {
            None => true,
            Some((bq, bs, bt)) => {
                q > bq
                    || (q == bq && candidate.0 > bs)
                    || (q == bq
                        && candidate.0 == bs
                        && candidate.1 == MediaType::GraphQLResponseJson
                        && bt != MediaType::GraphQLResponseJson)
            }
        };
        if better {
            best = Some((q, candidate.0, candidate.1));
        }
    }
    best.map(|(_, _, t)| t)
}

/// Whether a browser asked for a page (GraphiQL) rather than a GraphQL response.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// The GraphQL request parameters of one HTTP request, checked.
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<Map<String, Value>>,
    extensions: Option<Map<String, Value>>,
}

/// A request refused before GraphQL sees it.
struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
}

/// What the handler learned, for the request span and metrics.
struct Report {
    operation: Option<String>,
    operation_type: &'static str,
    role: Option<&'static str>,
    outcome: Outcome,
}

pub async fn graphql_get(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    if is_websocket(&parts.headers) {
        return websocket(state, &mut parts).await;
    }
    let (headers, uri) = (parts.headers, parts.uri);
    let has_query = uri
        .query()
        .is_some_and(|q| url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "query"));
    if wants_html(&headers) && !has_query {
        return super::graphiql(&state);
    }
    let params = params_from_query_string(uri.query().unwrap_or_default());
    handle(state, Method::GET, headers, params).await
}

fn is_websocket(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// GraphQL subscriptions over WebSocket (`graphql-transport-ws`, and the older
/// `graphql-ws`), on the same `/graphql` address. The client signs in in the connection's
/// init payload (`{"authorization": "Bearer <token>"}`), with the same tokens and the same
/// checks as a request's `Authorization` header; without one the connection is refused.
async fn websocket(state: AppState, parts: &mut axum::http::request::Parts) -> Response {
    use axum::extract::FromRequestParts;
    use axum::extract::ws::WebSocketUpgrade;
    let protocol =
        match async_graphql_axum::GraphQLProtocol::from_request_parts(parts, &state).await {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        };
    let upgrade = match WebSocketUpgrade::from_request_parts(parts, &state).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let schema = SubscriptionsOnly(state.schema().clone());
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            async_graphql_axum::GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(
                    move |payload| async move { sign_in_socket(&state, payload).await },
                )
                .serve()
        })
}

async fn sign_in_socket(
    state: &AppState,
    payload: Value,
) -> async_graphql::Result<async_graphql::Data> {
    let token = ["authorization", "Authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(Value::as_str))
        .map(str::to_owned)
        .or_else(|| {
            payload
                .get("token")
                .and_then(Value::as_str)
                .map(|t| format!("Bearer {t}"))
        })
        .ok_or_else(|| ApiError::Unauthenticated.extend())?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&token).map_err(|_| ApiError::Unauthenticated.extend())?,
    );
    let actor = match super::authenticate(state, &headers).await {
        Ok(Some(actor)) => actor,
        Ok(None) | Err(_) => return Err(ApiError::Unauthenticated.extend()),
    };
    let mut data = async_graphql::Data::default();
    data.insert(RequestInfo {
        actor: Some(actor),
        now: state.now(),
    });
    // The token verified, so its `exp` is the one it was signed with: the connection's
    // streams end when it expires (a client reconnects with a fresh token).
    data.insert(crate::api::graphql::SocketSession {
        expires_at: token_expiry(&token),
    });
    Ok(data)
}

/// The `exp` of a verified bearer token.
fn token_expiry(header: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use base64::Engine;
    let token = header.strip_prefix("Bearer ").unwrap_or(header);
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let exp = serde_json::from_slice::<Value>(&bytes)
        .ok()?
        .get("exp")?
        .as_i64()?;
    chrono::DateTime::from_timestamp(exp, 0)
}

/// The schema as the WebSocket serves it: subscriptions only. A query or mutation belongs
/// on `POST /graphql`, where each request is signed in, counted and limited on its own.
#[derive(Clone)]
struct SubscriptionsOnly(crate::api::graphql::AppSchema);

impl async_graphql::Executor for SubscriptionsOnly {
    async fn execute(&self, _request: async_graphql::Request) -> async_graphql::Response {
        only_subscriptions()
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<async_graphql::Data>>,
    ) -> futures_util::stream::BoxStream<'static, async_graphql::Response> {
        use futures_util::StreamExt;
        let document = parse_query(&request.query).ok();
        let subscription = document.as_ref().is_some_and(|doc| match &doc.operations {
            DocumentOperations::Single(op) => op.node.ty == OperationType::Subscription,
            DocumentOperations::Multiple(ops) => {
                let chosen = match &request.operation_name {
                    Some(name) => ops.get(name.as_str()),
                    None if ops.len() == 1 => ops.values().next(),
                    None => None,
                };
                chosen.is_some_and(|op| op.node.ty == OperationType::Subscription)
            }
        });
        if !subscription {
            return futures_util::stream::once(async { only_subscriptions() }).boxed();
        }
        let refusal = document.as_ref().and_then(|document| {
            limits(&self.0)
                .and_then(|limits| limits.check(document, &request.variables))
                .err()
        });
        match refusal {
            Some(error) => futures_util::stream::once(async {
                async_graphql::Response::from_errors(vec![error])
            })
            .boxed(),
            None => async_graphql::Executor::execute_stream(&self.0, request, session_data),
        }
    }
}

fn only_subscriptions() -> async_graphql::Response {
    let mut error = ServerError::new(
        "only subscriptions are served over the WebSocket: send queries and mutations to POST /graphql",
        None,
    );
    error.extensions = Some({
        let mut ext = async_graphql::ErrorExtensionValues::default();
        ext.set("code", "BAD_REQUEST");
        ext
    });
    async_graphql::Response::from_errors(vec![error])
}

pub async fn graphql_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match check_content_type(&headers) {
        Ok(()) => params_from_body(&body),
        Err(refusal) => Err(refusal),
    };
    handle(state, Method::POST, headers, params).await
}

/// Parsed documents by their text. A frontend sends the same few documents over and over
/// (variables carry what changes), so each is parsed once; validation still runs on every
/// request, against the schema.
pub(super) struct Documents(quick_cache::sync::Cache<String, ExecutableDocument>);

impl Documents {
    /// Distinct documents kept: far more than a frontend sends; a client sending endless
    /// distinct ones only evicts others.
    const CAPACITY: usize = 1_000;
    /// Longer documents are parsed each time and not kept.
    const MAX_LENGTH: usize = 16 * 1024;

    pub(super) fn new() -> Self {
        Documents(quick_cache::sync::Cache::new(Self::CAPACITY))
    }

    /// The parsed document, or None when it does not parse (the schema reports why).
    fn parse(&self, query: &str) -> Option<ExecutableDocument> {
        if let Some(document) = self.0.get(query) {
            return Some(document);
        }
        let document = parse_query(query).ok()?;
        if query.len() <= Self::MAX_LENGTH {
            self.0.insert(query.to_owned(), document.clone());
        }
        Some(document)
    }
}

async fn handle(
    state: AppState,
    method: Method,
    headers: HeaderMap,
    params: Result<Params, Refusal>,
) -> Response {
    let started = Instant::now();
    let (response, report) = respond(&state, &method, &headers, params).await;
    tracing::Span::current().record("outcome", report.outcome.as_str());
    if let Some(metrics) = state.metrics() {
        metrics.graphql_request(
            report.operation.as_deref(),
            report.operation_type,
            report.outcome.as_str(),
            started.elapsed(),
        );
    }
    response
}

async fn respond(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    params: Result<Params, Refusal>,
) -> (Response, Report) {
    let mut report = Report {
        operation: None,
        operation_type: "unknown",
        role: None,
        outcome: Outcome::Refused,
    };
    let Some(media) = negotiate(headers) else {
        let refusal = Refusal {
            status: StatusCode::NOT_ACCEPTABLE,
            message: format!("send Accept: {GRAPHQL_RESPONSE_JSON} or {JSON}"),
        };
        return (refused(refusal, MediaType::Json), report);
    };
    let params = match params {
        Ok(params) => params,
        Err(refusal) => return (refused(refusal, media), report),
    };
    report.operation = params.operation_name.clone();

    // Parsed once here to learn the operation's type (GET runs queries only) and name;
    // a document that does not parse is left for the schema to report as a request error.
    let document = state.documents().parse(&params.query);
    if let Some(document) = &document
        && let Some((name, ty)) = selected_operation(document, params.operation_name.as_deref())
    {
        report.operation = report.operation.or(name);
        report.operation_type = match ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
        // Recorded now, so every later line of the request carries them.
        let span = tracing::Span::current();
        if let Some(operation) = &report.operation {
            span.record("graphql.operation", operation.as_str());
        }
        span.record("graphql.type", report.operation_type);
        if *method == Method::GET && ty != OperationType::Query {
            let mut response = refused(
                Refusal {
                    status: StatusCode::METHOD_NOT_ALLOWED,
                    message: format!(
                        "a {} cannot be sent with GET: use POST",
                        report.operation_type
                    ),
                },
                media,
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return (response, report);
        }
    }

    let actor = match super::authenticate(state, headers).await {
        Ok(actor) => actor,
        Err(failure) => {
            report.outcome = match failure {
                super::AuthFailure::Unavailable => Outcome::Unavailable,
                super::AuthFailure::Internal(_) => Outcome::Internal,
                _ => {
                    tracing::info!(reason = failure.code(), "sign-in refused");
                    Outcome::Unauthenticated
                }
            };
            return (super::refused_sign_in(media, failure), report);
        }
    };
    report.role = actor.as_ref().map(|a| a.role.as_str());
    if let Some(role) = report.role {
        tracing::Span::current().record("role", role);
    }

    let query = params.query;
    let mut request = async_graphql::Request::new(query.clone());
    request.operation_name = params.operation_name;
    if let Some(variables) = params.variables {
        request.variables = Variables::from_json(Value::Object(variables));
    }
    if let Some(extensions) = params.extensions {
        for (key, value) in extensions {
            if let Ok(value) = async_graphql::Value::from_json(value) {
                request.extensions.insert(key, value);
            }
        }
    }
    // The depth and cost limits, before anything runs (a document that does not parse is
    // the schema's to report).
    let refusal = document.as_ref().and_then(|document| {
        limits(state.schema())
            .and_then(|limits| limits.check(document, &request.variables))
            .err()
    });
    if let Some(document) = document {
        request.set_parsed_query(document);
    }
    let now = state.now();
    let mut request = request.data(RequestInfo {
        actor: actor.clone(),
        now,
    });
    let mut waves = None;
    if let Some(actor) = actor {
        let (loader, batches) =
            crate::api::graphql::loaders::Records::for_request(state.inner.db.clone(), actor, now);
        request = request.data(loader);
        waves = Some(batches);
    }
    let refused = refusal.is_some();
    let mut response = match (refusal, waves) {
        (Some(error), _) => async_graphql::Response::from_errors(vec![error]),
        (None, Some(waves)) => waves.drive(state.schema().execute(request)).await,
        (None, None) => state.schema().execute(request).await,
    };

    let mut request_error = refused || !execution_started(&response);
    if !request_error
        && response.errors.iter().any(|e| code_of(e).is_none())
        && let Some(document) = state.documents().parse(&query)
    {
        let all_arguments = mark_argument_errors(&document, &mut response.errors);
        // Nothing ran that answered: a request error, as if validation had caught it.
        request_error = all_arguments && response.data == async_graphql::Value::Null;
    }
    let has_code = |code: &str| {
        let code = async_graphql::Value::from(code);
        response.errors.iter().any(|e| code_of(e) == Some(&code))
    };
    let signed_out = has_code("UNAUTHENTICATED");
    let unavailable = has_code("UNAVAILABLE");
    report.outcome = if unavailable {
        Outcome::Unavailable
    } else if signed_out {
        Outcome::Unauthenticated
    } else if request_error {
        Outcome::RequestError
    } else if response.errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::FieldErrors
    };

    let status = if unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else if signed_out {
        StatusCode::UNAUTHORIZED
    } else if request_error && media == MediaType::GraphQLResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let cache_control = response.cache_control.value();
    let extra_headers = response.http_headers.clone();
    let body = if request_error {
        // A request error has no `data` entry at all (spec: "Response", request errors).
        let mut errors = response.errors;
        for error in &mut errors {
            with_default_code(error, "BAD_REQUEST");
        }
        let mut body = json!({ "errors": errors });
        if !response.extensions.is_empty() {
            body["extensions"] = json!(response.extensions);
        }
        body.to_string()
    } else {
        // Straight to text: no intermediate JSON tree of the whole answer.
        serde_json::to_string(&response).unwrap_or_else(|e| {
            tracing::error!(error = %e, "response not serialisable");
            json!({ "errors": [{ "message": "internal error", "extensions": { "code": "INTERNAL" } }] })
                .to_string()
        })
    };
    let mut http = (status, body).into_response();
    http.headers_mut()
        .insert(header::CONTENT_TYPE, media.header_value());
    if status == StatusCode::OK
        && method == Method::GET
        && let Some(value) = cache_control.and_then(|v| HeaderValue::from_str(&v).ok())
    {
        http.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    http.headers_mut().extend(extra_headers);
    if unavailable {
        state.database_unavailable();
        super::with_retry_after(&mut http);
    } else if signed_out {
        http.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    (http, report)
}

/// The operation a request selects, with its name and type; `None` when the name matches
/// nothing or is needed and missing (the schema then reports the request error).
fn selected_operation(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(Option<String>, OperationType)> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some((None, op.node.ty)),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.get(name).map(|op| (Some(name.to_owned()), op.node.ty))
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops
            .iter()
            .next()
            .map(|(name, op)| (Some(name.to_string()), op.node.ty)),
        _ => None,
    }
}

fn code_of(error: &ServerError) -> Option<&async_graphql::Value> {
    error.extensions.as_ref().and_then(|x| x.get("code"))
}

/// An argument value that does not coerce (an impossible date such as 2023-02-29, an `Int`
/// past 2^31) is reported by async-graphql during execution as an error with no code, at the
/// argument value's position. It is the client's mistake: `BAD_REQUEST`, with `field` naming
/// the argument. Returns whether every error was of this kind.
fn mark_argument_errors(document: &ExecutableDocument, errors: &mut [ServerError]) -> bool {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn collect(set: &SelectionSet, out: &mut Vec<(async_graphql::Pos, String)>) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        out.push((value.pos, name.node.to_string()));
                    }
                    collect(&field.node.selection_set.node, out);
                }
                Selection::InlineFragment(inline) => collect(&inline.node.selection_set.node, out),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut arguments = Vec::new();
    for (_, operation) in document.operations.iter() {
        collect(&operation.node.selection_set.node, &mut arguments);
    }
    for fragment in document.fragments.values() {
        collect(&fragment.node.selection_set.node, &mut arguments);
    }
    let mut all = !errors.is_empty();
    for error in errors {
        if code_of(error).is_some() {
            all = false;
            continue;
        }
        let argument = error
            .locations
            .first()
            .and_then(|at| arguments.iter().find(|(pos, _)| pos == at))
            .map(|(_, name)| name.clone());
        match argument {
            Some(name) => {
                let extensions = error.extensions.get_or_insert_with(Default::default);
                extensions.set("code", "BAD_REQUEST");
                extensions.set("field", name.as_str());
                error.message = format!("{name}: {}", error.message);
            }
            None => all = false,
        }
    }
    all
}

fn with_default_code(error: &mut ServerError, code: &str) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
}

fn check_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let unsupported = |message: String| Refusal {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        message,
    };
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(unsupported(format!(
            "a POST must have Content-Type: {JSON}"
        )));
    };
    let media: mime::Mime = value
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| unsupported("the Content-Type header is malformed".into()))?;
    if media.essence_str() != JSON {
        return Err(unsupported(format!(
            "Content-Type {} is not supported: send {JSON}",
            media.essence_str()
        )));
    }
    match media.get_param(mime::CHARSET) {
        Some(charset) if !charset.as_str().eq_ignore_ascii_case("utf-8") => Err(unsupported(
            format!("charset {charset} is not supported: send utf-8"),
        )),
        _ => Ok(()),
    }
}

fn params_from_body(body: &[u8]) -> Result<Params, Refusal> {
    if body.is_empty() {
        return Err(Refusal::bad_request("the request body is empty"));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Refusal::bad_request(format!("the request body is not JSON: {e}")))?;
    let Value::Object(mut object) = value else {
        return Err(Refusal::bad_request(
            "the request body must be a JSON object (batches are not supported)",
        ));
    };
    let query = match object.remove("query") {
        Some(Value::String(query)) => query,
        Some(_) => return Err(Refusal::bad_request("`query` must be a string")),
        None => return Err(Refusal::bad_request("`query` is missing")),
    };
    let operation_name = match object.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err(Refusal::bad_request("`operationName` must be a string")),
    };
    Ok(Params {
        query,
        operation_name,
        variables: json_map(object.remove("variables"), "variables")?,
        extensions: json_map(object.remove("extensions"), "extensions")?,
    })
}

fn params_from_query_string(query_string: &str) -> Result<Params, Refusal> {
    let mut query = None;
    let mut operation_name = None;
    let mut variables = None;
    let mut extensions = None;
    for (key, value) in url::form_urlencoded::parse(query_string.as_bytes()) {
        let slot = match key.as_ref() {
            "query" => &mut query,
            "operationName" => &mut operation_name,
            "variables" => &mut variables,
            "extensions" => &mut extensions,
            _ => continue,
        };
        if slot.is_some() {
            return Err(Refusal::bad_request(format!("`{key}` is given twice")));
        }
        *slot = Some(value.into_owned());
    }
    let decode = |text: Option<String>, name: &str| -> Result<Option<Value>, Refusal> {
        text.map(|t| {
            serde_json::from_str(&t)
                .map_err(|_| Refusal::bad_request(format!("`{name}` must be a JSON object")))
        })
        .transpose()
    };
    Ok(Params {
        query: query.ok_or_else(|| Refusal::bad_request("`query` is missing"))?,
        operation_name: operation_name.filter(|n| !n.is_empty()),
        variables: json_map(decode(variables, "variables")?, "variables")?,
        extensions: json_map(decode(extensions, "extensions")?, "extensions")?,
    })
}

fn json_map(value: Option<Value>, name: &str) -> Result<Option<Map<String, Value>>, Refusal> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(Refusal::bad_request(format!(
            "`{name}` must be a JSON object"
        ))),
    }
}

/// A refusal as a GraphQL-shaped error body with code BAD_REQUEST.
fn refused(refusal: Refusal, media: MediaType) -> Response {
    let mut error = ServerError::new(refusal.message.clone(), None);
    error.extensions = ApiError::BadRequest(refusal.message).extend().extensions;
    let mut response = (refusal.status, json!({ "errors": [error] }).to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.header_value());
    response
}

/// Whether the request passed parsing and validation and began to run, which is what tells
/// a request error from field errors: it ran if it has no errors (every root field may have
/// been skipped by `@include`/`@skip`, leaving `data: null`), if it answered with data, or if
/// an error belongs to a field (has a path). Parsing, validation and operation selection
/// fail before any field, with an error, no data and no path.
fn execution_started(response: &async_graphql::Response) -> bool {
    response.errors.is_empty()
        || response.data != async_graphql::Value::Null
        || response.errors.iter().any(|e| !e.path.is_empty())
}

/// The schema's depth and cost limits ([`crate::api::graphql::cost::Limits`]); a schema
/// without them refuses every document rather than run it unlimited.
fn limits(
    schema: &crate::api::graphql::AppSchema,
) -> Result<&crate::api::graphql::cost::Limits, ServerError> {
    schema
        .data::<crate::api::graphql::cost::Limits>()
        .ok_or_else(|| ServerError::new("this server was built without its request limits", None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<MediaType> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(value).expect("header"),
        );
        negotiate(&headers)
    }

    #[test]
    fn accept_header_picks_the_response_media_type() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(accept("*/*"), Some(MediaType::Json));
        assert_eq!(accept("application/json"), Some(MediaType::Json));
        assert_eq!(
            accept("application/graphql-response+json"),
            Some(MediaType::GraphQLResponseJson)
        );
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(MediaType::GraphQLResponseJson)
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Some(MediaType::GraphQLResponseJson)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(MediaType::Json)
        );
        assert_eq!(accept("application/json;q=0, */*"), Some(MediaType::Json));
        assert_eq!(accept("text/plain"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }

    #[test]
    fn body_parameters_of_the_wrong_type_are_refused() {
        for body in [
            r#"{"query": 1}"#,
            r#"{"qeury": "{ __typename }"}"#,
            r#"{"query": "{ __typename }", "variables": "x"}"#,
            r#"{"query": "{ __typename }", "extensions": []}"#,
            r#"{"query": "{ __typename }", "operationName": false}"#,
            r#"[{"query": "{ __typename }"}]"#,
            r#"{ "not a JSON"#,
            "",
        ] {
            assert!(params_from_body(body.as_bytes()).is_err(), "{body}");
        }
        let ok = params_from_body(
            br#"{"query": "{ __typename }", "variables": null, "operationName": null, "extensions": {"a": 1}}"#,
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn the_operation_is_picked_by_name() {
        let doc = parse_query("query A { __typename } mutation B { __typename }").expect("doc");
        assert_eq!(
            selected_operation(&doc, Some("B")),
            Some((Some("B".into()), OperationType::Mutation))
        );
        assert_eq!(selected_operation(&doc, None), None);
        assert_eq!(selected_operation(&doc, Some("C")), None);
        let doc = parse_query("mutation { __typename }").expect("doc");
        assert_eq!(
            selected_operation(&doc, None),
            Some((None, OperationType::Mutation))
        );
    }

    #[test]
    fn documents_are_parsed_once_and_bad_ones_are_not_kept() {
        let documents = Documents::new();
        let text = "query A { __typename } mutation B { __typename }";
        let first = documents.parse(text).expect("parses");
        assert_eq!(documents.0.len(), 1);
        let again = documents.parse(text).expect("from the cache");
        assert_eq!(
            selected_operation(&again, Some("B")),
            selected_operation(&first, Some("B"))
        );
        assert_eq!(documents.0.len(), 1);
        assert!(documents.parse("{ unclosed").is_none());
        let long = format!("{{ __typename {} }}", " ".repeat(Documents::MAX_LENGTH));
        assert!(documents.parse(&long).is_some());
        assert_eq!(documents.0.len(), 1);
    }
}
