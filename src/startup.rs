//! Building and running the application: the seam the binary and the tests share.
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::api::graphql::{SchemaOptions, build_schema};
use crate::api::http::{AppState, RouterOptions, metrics_router, observe, router};
use crate::api::metrics::Metrics;
use crate::api::token::TokenVerifier;
use crate::clock::Clock;
use crate::config::{ServeSettings, Settings};
use crate::store;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    /// The separate metrics address, when configured.
    metrics: Option<(TcpListener, axum::Router)>,
    db: DatabaseConnection,
    shutdown_timeout: Duration,
    /// The delivery worker, unless `EHCP_DELIVERY=false`.
    worker: Option<crate::outbound::worker::Worker>,
}

impl Application {
    /// Connects, applies pending migrations and binds the listeners (port 0 picks a free one).
    pub async fn build(settings: &Settings, serve: &ServeSettings) -> anyhow::Result<Self> {
        let db = store::connect(&settings.database_url, None).await?;
        store::migrate(&db).await?;
        if let Some(done) = crate::service::recompute::apply_rules(&db, chrono::Utc::now())
            .await
            .map_err(|e| anyhow::anyhow!("cannot recompute deadlines for the new rules: {e:?}"))?
        {
            tracing::info!(
                assessments = done.assessments,
                children_with_plans = done.children_with_plans,
                review_dates_changed = done.review_dates_changed,
                disputes = done.disputes,
                complaints = done.complaints,
                version = crate::domain::rules::RULES_VERSION,
                "recomputed every stored deadline for the statutory rules of this release"
            );
        }
        let verifier = TokenVerifier::new(settings.token_config()?)
            .await
            .context("cannot load the token keys")?;
        let routers = app_routers(db.clone(), verifier, serve, Clock::system())?;
        let listener = TcpListener::bind(serve.bind)
            .await
            .with_context(|| format!("cannot listen on {}", serve.bind))?;
        let metrics = match (serve.metrics_bind, routers.metrics_only) {
            (Some(address), Some(router)) => {
                let listener = TcpListener::bind(address)
                    .await
                    .with_context(|| format!("cannot listen on {address} for metrics"))?;
                tracing::info!(address = %listener.local_addr()?, "serving metrics at /metrics");
                Some((listener, router))
            }
            _ => None,
        };
        tracing::info!(
            database = store::backend_name(&db),
            address = %listener.local_addr()?,
            metrics = serve.metrics,
            cors_origins = serve.cors_origins.len(),
            "serving GraphQL at /graphql"
        );
        let worker = serve
            .delivery
            .then(|| crate::outbound::worker::Worker::new(db.clone(), &serve.deliver))
            .transpose()
            .context("cannot set up message delivery")?;
        Ok(Self {
            listener,
            router: routers.main,
            metrics,
            db,
            shutdown_timeout: serve.shutdown_timeout,
            worker,
        })
    }

    /// How many administrators are active (none: the welcome says how to make the first).
    pub async fn administrators(&self) -> anyhow::Result<u64> {
        crate::service::administrators::active_count(&self.db)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.describe()))
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The separate metrics address, when `EHCP_METRICS_BIND` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// Serves until SIGTERM or Ctrl-C; see [`Application::run_until`].
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then stops accepting connections, gives requests in
    /// flight up to the shutdown timeout to finish, and closes the database pool.
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stopping_tx, stopping) = watch::channel(false);
        tokio::spawn(async move {
            stop.await;
            tracing::info!("shutting down: finishing requests in flight");
            let _ = stopping_tx.send(true);
        });
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stopping| *stopping).await;
        };

        let metrics_server = self.metrics.map(|(listener, router)| {
            tokio::spawn(
                axum::serve(listener, router)
                    .with_graceful_shutdown(stopped(stopping.clone()))
                    .into_future(),
            )
        });
        let worker = self.worker.map(|w| tokio::spawn(w.run(stopping.clone())));
        let server = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(stopped(stopping.clone()))
            .into_future();
        let deadline = {
            let timeout = self.shutdown_timeout;
            let stopping = stopping.clone();
            async move {
                stopped(stopping).await;
                tokio::time::sleep(timeout).await;
            }
        };
        tokio::select! {
            result = server => result.context("server failed")?,
            () = deadline => tracing::warn!(
                timeout_s = self.shutdown_timeout.as_secs_f64(),
                "requests still in flight at the shutdown timeout: closing anyway"
            ),
        }
        if let Some(metrics_server) = metrics_server {
            metrics_server.abort();
        }
        // The worker finishes the attempt in hand (each is recorded as it ends).
        if let Some(worker) = worker {
            let _ = tokio::time::timeout(self.shutdown_timeout, worker).await;
        }
        self.db.close().await?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The routers of one application.
pub struct Routers {
    pub main: axum::Router,
    /// `/metrics` alone, for a separate address.
    pub metrics_only: Option<axum::Router>,
}

/// The router over an already migrated database (tests drive it in-process).
pub fn app_router(
    db: DatabaseConnection,
    verifier: TokenVerifier,
    serve: &ServeSettings,
) -> anyhow::Result<axum::Router> {
    app_router_with_clock(db, verifier, serve, Clock::system())
}

/// The router with a clock of the caller's: tests fix "today" through it.
pub fn app_router_with_clock(
    db: DatabaseConnection,
    verifier: TokenVerifier,
    serve: &ServeSettings,
    clock: Clock,
) -> anyhow::Result<axum::Router> {
    Ok(app_routers(db, verifier, serve, clock)?.main)
}

/// The main router and, when metrics go to a separate address, that router too. Both share
/// one registry, so the separate address reports the main one's traffic.
pub fn app_routers(
    db: DatabaseConnection,
    verifier: TokenVerifier,
    serve: &ServeSettings,
    clock: Clock,
) -> anyhow::Result<Routers> {
    let metrics = (serve.metrics || serve.metrics_bind.is_some())
        .then(|| Metrics::new(db.clone()))
        .transpose()
        .context("cannot set up metrics")?;
    // Every statement the API sends is counted (the benchmark reports statements per
    // request from it); the metrics' own scrape queries go through the uncounted handle.
    let mut db = db;
    if let Some(m) = &metrics {
        let statements = m.statements_counter();
        db.set_metric_callback(move |_| statements.inc());
    }
    let schema = build_schema(
        db.clone(),
        SchemaOptions {
            introspection: serve.introspection,
        },
    );
    let slow_request = Duration::from_millis(serve.slow_request_ms);
    let metrics_only = match (&metrics, serve.metrics_bind) {
        (Some(m), Some(_)) => Some(metrics_router(m.clone(), slow_request)),
        _ => None,
    };
    let main = router(
        AppState::new(schema, db, verifier, serve.graphiql, metrics, clock),
        RouterOptions {
            metrics_route: serve.metrics,
            cors: observe::cors(&serve.cors_origins, serve.cors_max_age)
                .context("EHCP_CORS_ORIGINS")?,
            slow_request,
        },
    );
    Ok(Routers { main, metrics_only })
}

pub async fn shutdown_signal() {
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
}
