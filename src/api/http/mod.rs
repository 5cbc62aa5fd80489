//! HTTP routes: `/graphql` (POST, and GET for queries), GraphiQL, imports and exports
//! (`files`), health, readiness and metrics, with the layers every request passes: request id, tracing span, CORS, body limit.
mod files;
mod graphiql;
mod graphql;
pub mod observe;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use graphql::{MediaType, negotiate};

use async_graphql::ErrorExtensions;

use crate::api::auth::{SignInError, resolve_actor};
use crate::api::graphql::AppSchema;
use crate::api::metrics::Metrics;
use crate::api::token::{TokenVerifier, extract_bearer};
use crate::clock::Clock;
use crate::domain::access::Actor;
use crate::domain::sign_in::Refusal;
use crate::error::ApiError;

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
    metrics: Option<Metrics>,
    documents: graphql::Documents,
    outage: Arc<Outage>,
    clock: Clock,
}

/// While the database is unreachable, each request would wait out the pool's connect
/// timeout before its 503. Once a request finds it down, the others are told at once, and one
/// probe asks the database every half second until it answers; `/readyz` asks it directly.
#[derive(Default)]
struct Outage {
    down: AtomicBool,
    probing: AtomicBool,
}

impl Outage {
    const PROBE_EVERY: Duration = Duration::from_millis(500);
    const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

    fn ongoing(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    fn noticed(self: &Arc<Self>, db: &DatabaseConnection) {
        self.down.store(true, Ordering::Release);
        if self.probing.swap(true, Ordering::AcqRel) {
            return;
        }
        let (outage, db) = (Arc::clone(self), db.clone());
        tokio::spawn(async move {
            loop {
                let ping =
                    tokio::time::timeout(Self::PROBE_TIMEOUT, db.execute_unprepared("SELECT 1"));
                if let Ok(Ok(_)) = ping.await {
                    tracing::info!("the database answers again");
                    // Probing ends first: a failure noticed from here on starts a new probe,
                    // so `down` is never left set with nobody to clear it.
                    outage.probing.store(false, Ordering::Release);
                    outage.recovered();
                    return;
                }
                tokio::time::sleep(Self::PROBE_EVERY).await;
            }
        });
    }

    fn recovered(&self) {
        self.down.store(false, Ordering::Release);
    }
}

impl AppState {
    pub fn new(
        schema: AppSchema,
        db: DatabaseConnection,
        verifier: TokenVerifier,
        graphiql: bool,
        metrics: Option<Metrics>,
        clock: Clock,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                schema,
                db,
                verifier,
                graphiql,
                metrics,
                documents: graphql::Documents::new(),
                outage: Arc::default(),
                clock,
            }),
        }
    }

    /// What "now" is for a request.
    fn now(&self) -> chrono::DateTime<Utc> {
        self.inner.clock.now()
    }

    fn schema(&self) -> &AppSchema {
        &self.inner.schema
    }

    fn metrics(&self) -> Option<&Metrics> {
        self.inner.metrics.as_ref()
    }

    fn documents(&self) -> &graphql::Documents {
        &self.inner.documents
    }
}

/// How the router is assembled.
pub struct RouterOptions {
    /// Serve `/metrics` on this router.
    pub metrics_route: bool,
    pub cors: tower_http::cors::CorsLayer,
    pub slow_request: std::time::Duration,
}

pub fn router(state: AppState, options: RouterOptions) -> Router {
    let mut routes = Router::new()
        .route(
            "/graphql",
            get(graphql::graphql_get).post(graphql::graphql_post),
        )
        // 1.5 MB of scripts and styles, a third of that gzipped.
        .route(
            "/graphiql/{file}",
            get(graphiql::asset).layer(tower_http::compression::CompressionLayer::new()),
        )
        .route(
            "/imports",
            axum::routing::post(files::post_import)
                .layer(DefaultBodyLimit::max(files::MAX_IMPORT_BYTES)),
        )
        .route(
            "/exports/subject-access/{child}",
            get(files::get_subject_access),
        )
        .route(
            "/exports/subject-access/{child}/{file}",
            get(files::get_subject_access_table),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if options.metrics_route {
        routes = routes.route("/metrics", get(metrics));
    }
    let observe = observe::Observe {
        metrics: state.inner.metrics.clone(),
        slow: options.slow_request,
    };
    with_layers(
        routes.fallback(not_found).with_state(state),
        observe,
        Some(options.cors),
    )
    .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// The router for a separate metrics address: `/metrics` only.
pub fn metrics_router(metrics: Metrics, slow_request: std::time::Duration) -> Router {
    let state = MetricsState(metrics.clone());
    let routes = Router::new()
        .route("/metrics", get(metrics_only))
        .fallback(not_found)
        .with_state(state);
    let observe = observe::Observe {
        metrics: Some(metrics),
        slow: slow_request,
    };
    with_layers(routes, observe, None)
}

/// Outermost first: screen the caller's id, set one if absent, open the span, return the id,
/// answer CORS, then time and count.
fn with_layers(
    routes: Router,
    observe: observe::Observe,
    cors: Option<tower_http::cors::CorsLayer>,
) -> Router {
    let request_id = header::HeaderName::from_static(observe::REQUEST_ID);
    let mut router = routes.layer(axum::middleware::from_fn_with_state(
        observe,
        observe::finish,
    ));
    if let Some(cors) = cors {
        router = router.layer(cors);
    }
    router
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|r: &axum::extract::Request| observe::request_span(r)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::from_fn(observe::screen_request_id))
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.inner.db.execute_unprepared("SELECT 1").await {
        Ok(_) => {
            state.inner.outage.recovered();
            Json(json!({"status": "ready"})).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            let mut response = (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "database unavailable"})),
            )
                .into_response();
            with_retry_after(&mut response);
            response
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    match state.metrics() {
        Some(metrics) => render_metrics(metrics).await,
        None => not_found().await,
    }
}

#[derive(Clone)]
struct MetricsState(Metrics);

async fn metrics_only(State(state): State<MetricsState>) -> Response {
    render_metrics(&state.0).await
}

async fn render_metrics(metrics: &Metrics) -> Response {
    match metrics.render(Utc::now()).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(prometheus::TEXT_FORMAT),
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "cannot render metrics");
            (StatusCode::INTERNAL_SERVER_ERROR, "metrics unavailable").into_response()
        }
    }
}

fn graphiql(state: &AppState) -> Response {
    graphiql::page(state)
}

/// Why a request's sign-in failed.
pub(super) enum AuthFailure {
    /// The header or token does not verify (the reason's code is for the log only).
    Token(&'static str),
    /// The token verifies, but no active record gives its subject that role here.
    Refused(Refusal),
    /// The database cannot be reached: the person is not signed out, the service is down.
    Unavailable,
    /// Any other failure looking up the records (logged with an incident id).
    Internal(sea_orm::DbErr),
}

impl AuthFailure {
    fn code(&self) -> &'static str {
        match self {
            AuthFailure::Token(code) => code,
            AuthFailure::Refused(r) => r.code(),
            AuthFailure::Unavailable => "database_unavailable",
            AuthFailure::Internal(_) => "database",
        }
    }
}

/// No header: nobody (every field then answers UNAUTHENTICATED). A header that does not
/// verify, or a subject the records do not set up: refused.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Option<Actor>, AuthFailure> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| AuthFailure::Token("malformed_header"))?;
    let token = extract_bearer(value).map_err(|e| AuthFailure::Token(e.code()))?;
    let claims = state
        .inner
        .verifier
        .verify(token)
        .await
        .map_err(|e| AuthFailure::Token(e.code()))?;
    // A token that verifies is not refused for the outage's sake, but neither does each
    // request wait for the database to time out while it is known to be down.
    if state.inner.outage.ongoing() {
        return Err(AuthFailure::Unavailable);
    }
    match resolve_actor(&state.inner.db, &claims, state.now()).await {
        Ok(actor) => Ok(Some(actor)),
        Err(SignInError::Refused(refusal)) => Err(AuthFailure::Refused(refusal)),
        Err(SignInError::Unavailable(e)) => {
            tracing::warn!(error = %e, "database unavailable at sign-in");
            state.database_unavailable();
            Err(AuthFailure::Unavailable)
        }
        Err(SignInError::Database(e)) => Err(AuthFailure::Internal(e)),
    }
}

/// A GraphQL response with one error and no data, in the negotiated media type.
fn error_response(media: MediaType, status: StatusCode, error: ApiError) -> Response {
    let error = error.extend();
    one_error(
        media,
        status,
        json!({"message": error.message, "extensions": error.extensions}),
    )
}

fn one_error(media: MediaType, status: StatusCode, error: serde_json::Value) -> Response {
    let body = json!({"data": null, "errors": [error]});
    let mut response = (status, body.to_string()).into_response();
    let content_type = match media {
        MediaType::GraphQLResponseJson => graphql::GRAPHQL_RESPONSE_JSON,
        MediaType::Json => graphql::JSON,
    };
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn unauthenticated(media: MediaType, message: &str) -> Response {
    let mut response = one_error(
        media,
        StatusCode::UNAUTHORIZED,
        json!({"message": message, "extensions": {"code": "UNAUTHENTICATED"}}),
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// The answer for a failed sign-in.
fn refused_sign_in(media: MediaType, failure: AuthFailure) -> Response {
    match failure {
        AuthFailure::Token(_) => unauthenticated(
            media,
            "sign in required: the bearer token is missing, malformed, expired or not valid here",
        ),
        AuthFailure::Refused(refusal) => unauthenticated(media, &refusal.message()),
        AuthFailure::Unavailable => unavailable(media),
        AuthFailure::Internal(e) => error_response(
            media,
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Internal(e.into()),
        ),
    }
}

/// 503 with `UNAVAILABLE` and `Retry-After`: the database is down, the sign-in still good.
fn unavailable(media: MediaType) -> Response {
    let mut response = error_response(
        media,
        StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Unavailable,
    );
    with_retry_after(&mut response);
    response
}

impl AppState {
    /// A request found the database unreachable.
    pub(super) fn database_unavailable(&self) {
        self.inner.outage.noticed(&self.inner.db);
    }
}

pub(super) fn with_retry_after(response: &mut Response) {
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(crate::error::RETRY_AFTER_SECONDS),
    );
}
