//! Files in and out, beside `/graphql` (whose bodies are small JSON documents):
//!
//! - `POST /imports` (`multipart/form-data`, one or more `file` parts: CSV files named by
//!   their sheet, or an XLSX workbook; `?dryRun=true`; an administrator names the council with
//!   `?la=909`): the same import as `ehcp import`, for managers and administrators. The answer
//!   is the import's report (the CLI's `--report` JSON), with 200 whatever its `state`; the
//!   run goes on to the end if the client goes away, and `importBatches` lists it.
//! - `GET /exports/subject-access/{childId}` (JSON) and
//!   `GET /exports/subject-access/{childId}/{table}.csv`: a family's subject access export,
//!   for managers and administrators; each download is logged as a read of the record.
//!
//! Both need a bearer token (so a page on another site cannot send one); errors are the
//! GraphQL error shape (`errors[0].extensions.code`) with the matching HTTP status.
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use super::{AppState, MediaType, error_response, refused_sign_in};
use crate::api::graphql::scalars::{Id, Kind};
use crate::domain::access::Actor;
use crate::error::ApiError;
use crate::service::Ctx;
use crate::service::export;
use crate::service::import::{self, ImportFile, ImportOptions};
use crate::store::entity::local_authority;

/// The largest upload `POST /imports` reads (bigger caseloads: `ehcp import`).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

fn failed(error: ApiError) -> Response {
    let status = match &error {
        ApiError::BadRequest(_) | ApiError::Validation { .. } => StatusCode::BAD_REQUEST,
        ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::Conflict { .. } => StatusCode::CONFLICT,
        ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error_response(MediaType::Json, status, error)
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Actor, Response> {
    match super::authenticate(state, headers).await {
        Ok(Some(actor)) => Ok(actor),
        Ok(None) => Err(failed(ApiError::Unauthenticated)),
        Err(failure) => Err(refused_sign_in(MediaType::Json, failure)),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
    la: Option<String>,
}

pub async fn post_import(
    State(state): State<AppState>,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let actor = match signed_in(&state, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let db = state.inner.db.clone();
    let now = state.now();
    let checked = Ctx {
        db: &db,
        actor: &actor,
        now,
    };
    if let Err(e) = import::may_import(&checked, None) {
        return failed(e);
    }
    let la_id = match (&query.la, actor.la_id) {
        (Some(code), _) => match local_authority::Entity::find()
            .filter(local_authority::Column::Code.eq(code.trim()))
            .one(&db)
            .await
        {
            Ok(Some(la)) => la.id,
            Ok(None) => return failed(ApiError::not_found("local authority")),
            Err(e) => return failed(e.into()),
        },
        (None, Some(la_id)) => la_id,
        (None, None) => {
            return failed(ApiError::validation(
                "la",
                "name the local authority to import into: ?la=909",
            ));
        }
    };
    // Who may import, before the body is read.
    if let Err(e) = import::may_import(&checked, Some(la_id)) {
        return failed(e);
    }
    let mut files = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field
                    .file_name()
                    .map(str::to_owned)
                    .unwrap_or_else(|| field.name().unwrap_or_default().to_owned());
                match field.bytes().await {
                    Ok(bytes) => files.push(ImportFile {
                        name,
                        bytes: bytes.to_vec(),
                    }),
                    Err(e) => return multipart_failed(e),
                }
            }
            Ok(None) => break,
            Err(e) => return multipart_failed(e),
        }
    }
    if files.is_empty() {
        return failed(ApiError::validation(
            "file",
            "send the sheets as file parts of a multipart/form-data body",
        ));
    }
    let concurrency = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => 1,
        _ => 4,
    };
    // Its own task: a client that goes away does not stop a run half way.
    let run = tokio::spawn(async move {
        let ctx = Ctx {
            db: &db,
            actor: &actor,
            now,
        };
        import::run(
            &ctx,
            &files,
            ImportOptions {
                la_id,
                dry_run: query.dry_run,
                concurrency,
            },
            &|_, _, _| {},
        )
        .await
    });
    match run.await {
        Ok(Ok(report)) => axum::Json(report).into_response(),
        Ok(Err(e)) => failed(e),
        Err(e) => failed(ApiError::Internal(anyhow::anyhow!(
            "the import stopped: {e}"
        ))),
    }
}

/// A body that is not readable multipart (400), or over the limit (413).
fn multipart_failed(e: axum::extract::multipart::MultipartError) -> Response {
    let mut response = failed(ApiError::BadRequest(e.body_text()));
    *response.status_mut() = e.status();
    response
}

fn child_of(id: &str) -> Result<i64, ApiError> {
    Id::parse("childId", Kind::Child, &async_graphql::ID(id.to_owned()))
}

fn attachment(content_type: &'static str, filename: String, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn subject_access(
    state: &AppState,
    headers: &HeaderMap,
    child: &str,
) -> Result<export::SubjectAccess, Response> {
    let actor = signed_in(state, headers).await?;
    let child_id = child_of(child).map_err(failed)?;
    let ctx = Ctx {
        db: &state.inner.db,
        actor: &actor,
        now: state.now(),
    };
    export::subject_access(&ctx, child_id).await.map_err(failed)
}

pub async fn get_subject_access(
    State(state): State<AppState>,
    Path(child): Path<String>,
    headers: HeaderMap,
) -> Response {
    match subject_access(&state, &headers, &child).await {
        Ok(export) => match serde_json::to_vec_pretty(&export) {
            Ok(body) => attachment(
                "application/json",
                format!("subject-access-{}.json", export.child_id),
                body,
            ),
            Err(e) => failed(ApiError::Internal(e.into())),
        },
        Err(response) => response,
    }
}

pub async fn get_subject_access_table(
    State(state): State<AppState>,
    Path((child, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(name) = file.strip_suffix(".csv") else {
        return failed(ApiError::not_found("table: ask for <table>.csv"));
    };
    let export = match subject_access(&state, &headers, &child).await {
        Ok(export) => export,
        Err(response) => return response,
    };
    let Some(table) = export.tables.iter().find(|t| t.name == name) else {
        let names: Vec<&str> = export.tables.iter().map(|t| t.name).collect();
        return failed(ApiError::NotFound(format!(
            "no table {name:?}: the tables are {}",
            names.join(", ")
        )));
    };
    match export::to_csv(table) {
        Ok(body) => attachment(
            "text/csv; charset=utf-8",
            format!("{}-{}.csv", table.name, export.child_id),
            body,
        ),
        Err(e) => failed(ApiError::Internal(e.into())),
    }
}
