//! HTTP routes: `POST /graphql` (and GET for queries), GraphiQL, health and readiness.
use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

use crate::api::auth::resolve_actor;
use crate::api::graphql::{AppSchema, RequestInfo};
use crate::api::token::{TokenVerifier, extract_bearer};
use crate::domain::access::Actor;

/// Request bodies above this are refused before parsing.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    schema: AppSchema,
    db: DatabaseConnection,
    verifier: TokenVerifier,
    graphiql: bool,
}

impl AppState {
    pub fn new(
        schema: AppSchema,
        db: DatabaseConnection,
        verifier: TokenVerifier,
        graphiql: bool,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                schema,
                db,
                verifier,
                graphiql,
            }),
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.inner.db.execute_unprepared("SELECT 1").await {
        Ok(_) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "database unavailable"})),
            )
                .into_response()
        }
    }
}

async fn graphql_get(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    match request {
        Ok(request) if !wants_html => execute(state, method, headers, request).await,
        _ if state.inner.graphiql => Html(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .title("EHC plans API")
                .finish(),
        )
        .into_response(),
        _ => (StatusCode::NOT_FOUND, "GraphiQL is disabled").into_response(),
    }
}

async fn graphql_post(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    execute(state, method, headers, request).await
}

async fn execute(
    state: AppState,
    _method: Method,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let now = Utc::now();
    let actor = match authenticate(&state, &headers).await {
        Ok(actor) => actor,
        Err(reason) => {
            tracing::info!(reason, "token refused");
            return unauthenticated();
        }
    };
    let request = request.into_inner().data(RequestInfo { actor, now });
    let response = state.inner.schema.execute(request).await;
    let signed_out = response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from("UNAUTHENTICATED"))
    });
    let mut http = GraphQLResponse::from(response).into_response();
    if signed_out {
        *http.status_mut() = StatusCode::UNAUTHORIZED;
        http.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    http
}

/// No header: nobody (every field then answers UNAUTHENTICATED). A header that does not
/// verify: refused with the reason's code, for the log only.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Actor>, &'static str> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| "malformed_header")?;
    let token = extract_bearer(value).map_err(|e| e.code())?;
    let claims = state
        .inner
        .verifier
        .verify(token)
        .await
        .map_err(|e| e.code())?;
    let actor = resolve_actor(&state.inner.db, &claims)
        .await
        .map_err(|e| e.code())?;
    Ok(Some(actor))
}

fn unauthenticated() -> Response {
    let body = json!({
        "data": null,
        "errors": [{
            "message": "sign in required: the bearer token is missing, malformed, expired or not valid here",
            "extensions": {"code": "UNAUTHENTICATED"}
        }]
    });
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}
