//! Building and running the application: the seam the binary and the tests share.
use std::net::SocketAddr;

use anyhow::Context;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::api::graphql::{SchemaOptions, build_schema};
use crate::api::http::{AppState, router};
use crate::api::token::TokenVerifier;
use crate::config::{ServeSettings, Settings};
use crate::store;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    db: DatabaseConnection,
}

impl Application {
    /// Connects, applies pending migrations and binds the listener (port 0 picks a free one).
    pub async fn build(settings: &Settings, serve: &ServeSettings) -> anyhow::Result<Self> {
        let db = store::connect(&settings.database_url, None).await?;
        store::migrate(&db).await?;
        let verifier = TokenVerifier::new(settings.token_config()?)
            .await
            .context("cannot load the token keys")?;
        let router = app_router(db.clone(), verifier, serve);
        let listener = TcpListener::bind(serve.bind)
            .await
            .with_context(|| format!("cannot listen on {}", serve.bind))?;
        tracing::info!(
            database = store::backend_name(&db),
            address = %listener.local_addr()?,
            "serving GraphQL at /graphql"
        );
        Ok(Self {
            listener,
            router,
            db,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until SIGTERM or Ctrl-C, then lets requests in flight finish and closes the pool.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        self.db.close().await?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The router over an already migrated database (tests drive it in-process).
pub fn app_router(
    db: DatabaseConnection,
    verifier: TokenVerifier,
    serve: &ServeSettings,
) -> axum::Router {
    let schema = build_schema(
        db.clone(),
        SchemaOptions {
            introspection: serve.introspection,
        },
    );
    router(AppState::new(schema, db, verifier, serve.graphiql))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
