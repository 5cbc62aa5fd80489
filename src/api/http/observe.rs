//! What operators see of each request: an id (the caller's `x-request-id`, or a new UUID)
//! returned in the response and carried by every log line of the request's span, with the
//! GraphQL operation, the signed-in role (never the token or who the person is), the outcome
//! and the duration; slow requests at warn; and the HTTP metrics.
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::RequestId;

use crate::api::metrics::Metrics;

pub const REQUEST_ID: &str = "x-request-id";

/// Longest caller-supplied request id kept; a longer or odd one is replaced by a fresh UUID.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// Drops an incoming `x-request-id` that is too long or has characters other than letters,
/// digits and `-_.:`, so a caller cannot forge log lines or flood them; the request then gets
/// a generated id like any other.
pub async fn screen_request_id(mut request: Request, next: Next) -> Response {
    let acceptable = |v: &HeaderValue| {
        let bytes = v.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_REQUEST_ID_LEN
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
    };
    if request
        .headers()
        .get(REQUEST_ID)
        .is_some_and(|v| !acceptable(v))
    {
        request.headers_mut().remove(REQUEST_ID);
    }
    next.run(request).await
}

/// The span every log line of a request is written in. The GraphQL handler fills in the
/// operation, type, role and outcome; [`finish`] the status and duration.
pub fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str())
        .unwrap_or("unmatched");
    tracing::info_span!(
        "request",
        request_id,
        method = %request.method(),
        route,
        graphql.operation = tracing::field::Empty,
        graphql.type = tracing::field::Empty,
        role = tracing::field::Empty,
        outcome = tracing::field::Empty,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    )
}

/// Settings for [`finish`].
#[derive(Clone)]
pub struct Observe {
    pub metrics: Option<Metrics>,
    pub slow: Duration,
}

/// Times the request, logs its end (at warn when slow) and counts it.
pub async fn finish(State(observe): State<Observe>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    let span = tracing::Span::current();
    span.record("status", status);
    span.record("duration_ms", elapsed.as_millis() as u64);
    if elapsed >= observe.slow {
        tracing::warn!(
            status,
            duration_ms = elapsed.as_millis() as u64,
            slow_request_ms = observe.slow.as_millis() as u64,
            "slow request"
        );
    } else {
        tracing::info!(
            status,
            duration_ms = elapsed.as_millis() as u64,
            "request finished"
        );
    }
    if let Some(metrics) = &observe.metrics {
        metrics.http_request(&route, &method, status, elapsed);
    }
    response
}

/// CORS for the listed browser origins only: no credentials (the API takes bearer tokens,
/// not cookies), the methods and headers a GraphQL client sends, and a cached preflight.
/// An origin not listed gets no `Access-Control-Allow-Origin`, so the browser blocks it.
pub fn cors(origins: &[String], max_age: Duration) -> anyhow::Result<CorsLayer> {
    use axum::http::{Method, header};
    let origins = origins
        .iter()
        .map(|o| HeaderValue::from_str(o))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static(REQUEST_ID),
        ])
        .expose_headers([header::HeaderName::from_static(REQUEST_ID)])
        .allow_credentials(false)
        .max_age(max_age))
}
