//! Prometheus metrics: requests by GraphQL operation and outcome, latency, the database pool,
//! the overdue statutory deadlines a manager's alert watches, the release (`build_info`) and
//! the process (CPU, memory, open files). Each application has its
//! own registry, so tests (and two servers in one process) never share counts.
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use prometheus::{
    HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use sea_orm::{DatabaseConnection, DbBackend};

use crate::store::overdue::overdue_counts;

/// Operation names are chosen by clients; past this many distinct names, new ones are counted
/// as `other` so a client cannot grow the series without bound.
pub const MAX_OPERATION_NAMES: usize = 200;

/// Latency buckets in seconds, from a cached lookup to a request worth a warning.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    /// The process's own (CPU, memory, open files, threads), under the names every
    /// Prometheus client uses (`process_*`), so they carry no `ehcp_` prefix.
    process: Registry,
    db: DatabaseConnection,
    graphql_requests: IntCounterVec,
    graphql_duration: HistogramVec,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    pool_connections: IntGaugeVec,
    pool_max: IntGauge,
    overdue: IntGaugeVec,
    statements: IntCounter,
    messages: IntGaugeVec,
    failed_attempts: IntGaugeVec,
    oldest_undelivered: prometheus::Gauge,
    operation_names: Mutex<HashSet<String>>,
    /// One scrape queries the database at a time; a second waits and reuses nothing stale.
    scrape: tokio::sync::Mutex<()>,
}

impl Metrics {
    pub fn new(db: DatabaseConnection) -> anyhow::Result<Self> {
        let registry = Registry::new_custom(Some("ehcp".into()), None)?;
        let graphql_requests = IntCounterVec::new(
            Opts::new(
                "graphql_requests_total",
                "GraphQL requests by operation name, operation type and outcome",
            ),
            &["operation", "type", "outcome"],
        )?;
        let graphql_duration = HistogramVec::new(
            HistogramOpts::new(
                "graphql_request_duration_seconds",
                "Time to answer a GraphQL request, by operation name",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["operation"],
        )?;
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request, by route",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["route"],
        )?;
        let pool_connections = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database pool connections by state (idle or in_use)",
            ),
            &["state"],
        )?;
        let pool_max = IntGauge::new(
            "db_pool_max_connections",
            "The most connections the database pool opens",
        )?;
        let overdue = IntGaugeVec::new(
            Opts::new(
                "overdue_open_deadlines",
                "Statutory deadlines past due on open cases, with the step not done and no \
                 exception that lifts them, by process, deadline and local authority",
            ),
            &["process", "deadline", "la"],
        )?;
        registry.register(Box::new(graphql_requests.clone()))?;
        registry.register(Box::new(graphql_duration.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_max.clone()))?;
        let statements = IntCounter::new(
            "db_statements_total",
            "SQL statements the API has sent to the database (requests and their loaders)",
        )?;
        registry.register(Box::new(overdue.clone()))?;
        let messages = IntGaugeVec::new(
            Opts::new(
                "messages",
                "Messages in the outbox by channel and state (QUEUED, SENT, DEAD)",
            ),
            &["channel", "state"],
        )?;
        let failed_attempts = IntGaugeVec::new(
            Opts::new(
                "message_failed_attempts",
                "Delivery attempts that failed, by channel (each retry counts)",
            ),
            &["channel"],
        )?;
        let oldest_undelivered = prometheus::Gauge::new(
            "outbox_oldest_undelivered_seconds",
            "Age of the oldest message still queued, in seconds (0 when none is)",
        )?;
        registry.register(Box::new(messages.clone()))?;
        registry.register(Box::new(failed_attempts.clone()))?;
        registry.register(Box::new(oldest_undelivered.clone()))?;
        registry.register(Box::new(statements.clone()))?;
        // `ehcp_build_info{version="0.3.0"} 1`: which release answers, for dashboards and alerts.
        let build_info = IntGaugeVec::new(
            Opts::new("build_info", "The running release: its version, always 1"),
            &["version"],
        )?;
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION")])
            .set(1);
        registry.register(Box::new(build_info))?;
        let process = Registry::new();
        #[cfg(target_os = "linux")]
        process.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        Ok(Self {
            inner: Arc::new(Inner {
                registry,
                process,
                db,
                graphql_requests,
                graphql_duration,
                http_requests,
                http_duration,
                pool_connections,
                pool_max,
                overdue,
                statements,
                messages,
                failed_attempts,
                oldest_undelivered,
                operation_names: Mutex::new(HashSet::new()),
                scrape: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The counter of statements sent, for the database connection's callback.
    pub fn statements_counter(&self) -> IntCounter {
        self.inner.statements.clone()
    }

    /// Counts one GraphQL request. `operation` is the client's operation name, if any.
    pub fn graphql_request(
        &self,
        operation: Option<&str>,
        operation_type: &str,
        outcome: &str,
        elapsed: Duration,
    ) {
        let operation = self.operation_label(operation);
        self.inner
            .graphql_requests
            .with_label_values(&[operation.as_str(), operation_type, outcome])
            .inc();
        self.inner
            .graphql_duration
            .with_label_values(&[operation.as_str()])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one HTTP request. `route` is the matched route pattern, never the raw path.
    pub fn http_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.inner
            .http_requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.inner
            .http_duration
            .with_label_values(&[route])
            .observe(elapsed.as_secs_f64());
    }

    fn operation_label(&self, operation: Option<&str>) -> String {
        let Some(name) = operation else {
            return "anonymous".into();
        };
        let mut known = self
            .inner
            .operation_names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if known.contains(name) {
            return name.to_owned();
        }
        if known.len() < MAX_OPERATION_NAMES {
            known.insert(name.to_owned());
            return name.to_owned();
        }
        "other".into()
    }

    /// The text exposition, with the pool and the overdue deadlines read as of `now`.
    pub async fn render(&self, now: DateTime<Utc>) -> anyhow::Result<String> {
        let _one_at_a_time = self.inner.scrape.lock().await;
        self.refresh_pool();
        let counts = overdue_counts(&self.inner.db, now.date_naive())
            .await
            .context("cannot count overdue deadlines")?;
        // Reset first, so a deadline met since the last scrape drops to absent, not stale.
        self.inner.overdue.reset();
        for c in counts {
            self.inner
                .overdue
                .with_label_values(&[c.process, &c.deadline.as_str().to_lowercase(), &c.la_code])
                .set(c.count);
        }
        let outbox = crate::store::outbox::stats(&self.inner.db)
            .await
            .context("cannot read the outbox")?;
        self.inner.messages.reset();
        for (channel, state, n) in &outbox.messages {
            self.inner
                .messages
                .with_label_values(&[channel.as_str(), state.as_str()])
                .set(*n);
        }
        self.inner.failed_attempts.reset();
        for (channel, n) in &outbox.failed_attempts {
            self.inner
                .failed_attempts
                .with_label_values(&[channel.as_str()])
                .set(*n);
        }
        self.inner.oldest_undelivered.set(
            outbox
                .oldest_queued_at
                .map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0),
        );
        let mut families = self.inner.registry.gather();
        families.extend(self.inner.process.gather());
        TextEncoder::new()
            .encode_to_string(&families)
            .context("cannot encode metrics")
    }

    fn refresh_pool(&self) {
        let db = &self.inner.db;
        let (size, idle, max) = match db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            DbBackend::Sqlite => {
                let pool = db.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            _ => return,
        };
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        let size = i64::from(size);
        self.inner
            .pool_connections
            .with_label_values(&["idle"])
            .set(idle);
        self.inner
            .pool_connections
            .with_label_values(&["in_use"])
            .set((size - idle).max(0));
        self.inner.pool_max.set(i64::from(max));
    }
}
