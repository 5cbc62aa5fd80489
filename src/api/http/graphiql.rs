//! GraphiQL from inside the binary: the page and its pinned production builds (React,
//! ReactDOM, GraphiQL; versions, sources and checksums in `assets/graphiql/README.md`) are
//! compiled in and served at `/graphiql/<file>`, so GraphiQL works on a council network that
//! reaches nothing outside. A browser test opens it offline (`tests/browser/`).
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;

/// Scripts only from this server; GraphiQL's dialogs add a `<style>` element, hence
/// `'unsafe-inline'` for styles (a hash cannot work: its text varies).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   font-src data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

const PAGE: &str = include_str!("../../../assets/graphiql/index.html");

const JS: &str = "text/javascript; charset=utf-8";

/// The files the page loads, and nothing else (no source maps, READMEs or scripts).
const ASSETS: [(&str, &str, &[u8]); 5] = [
    (
        "start.js",
        JS,
        include_bytes!("../../../assets/graphiql/start.js"),
    ),
    (
        "react.production.min.js",
        JS,
        include_bytes!("../../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        JS,
        include_bytes!("../../../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        JS,
        include_bytes!("../../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../assets/graphiql/graphiql.min.css"),
    ),
];

/// An entity tag per file, from its bytes: a new binary with new files gets new tags, so a
/// browser revalidates (`no-cache`) and downloads only what changed.
fn etag(index: usize) -> &'static str {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    &TAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|(_, _, bytes)| {
                let mut h = DefaultHasher::new();
                bytes.hash(&mut h);
                format!("\"{:016x}\"", h.finish())
            })
            .collect()
    })[index]
}

fn disabled() -> Response {
    (StatusCode::NOT_FOUND, "GraphiQL is disabled").into_response()
}

fn secure(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

/// The page, for a browser's `GET /graphql`.
pub fn page(state: &AppState) -> Response {
    if !state.inner.graphiql {
        return disabled();
    }
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response();
    secure(&mut response);
    response
}

/// `GET /graphiql/{file}`.
pub async fn asset(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !state.inner.graphiql {
        return disabled();
    }
    let Some(index) = ASSETS.iter().position(|(n, _, _)| *n == name) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let (_, content_type, bytes) = ASSETS[index];
    let tag = etag(index);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
    };
    secure(&mut response);
    response
        .headers_mut()
        .insert(header::ETAG, HeaderValue::from_static(tag));
    response
}
