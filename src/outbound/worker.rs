//! The delivery worker: inside `serve`, or alone as `ehcp deliver`. Each pass runs the
//! scheduled jobs that are due, claims a batch of due messages on the channels this process
//! can deliver, sends them a few at a time and records each attempt. Several workers against
//! one PostgreSQL database never claim the same message (`store::outbox::claim`).
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use super::Transports;
use super::schedule;
use crate::config::DeliverySettings;
use crate::domain::messages::{Channel, RetryPolicy};
use crate::store::outbox;

pub struct Worker {
    db: DatabaseConnection,
    transports: Arc<Transports>,
    channels: Vec<Channel>,
    settings: DeliverySettings,
    policy: RetryPolicy,
    /// Names this process in claims and attempts: host, process id and a random part.
    name: String,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub sent: usize,
    pub failed: usize,
}

impl Worker {
    pub fn new(db: DatabaseConnection, settings: &DeliverySettings) -> anyhow::Result<Self> {
        // A batch is recorded when its last delivery ends: the claim must outlast that, at
        // every delivery's timeout, with room to spare.
        let rounds = settings
            .batch
            .max(1)
            .div_ceil(settings.concurrency.max(1) as u64);
        let slowest = settings.timeout * u32::try_from(rounds * 2).unwrap_or(u32::MAX);
        anyhow::ensure!(
            settings.lease >= slowest,
            "EHCP_DELIVERY_LEASE ({}) is shorter than a batch can take: {rounds} round(s) of \
             EHCP_DELIVERY_TIMEOUT ({}), twice over. Raise the lease, or lower \
             EHCP_DELIVERY_BATCH or EHCP_DELIVERY_TIMEOUT",
            humantime::format_duration(settings.lease),
            humantime::format_duration(settings.timeout)
        );
        let transports = Transports::new(settings)?;
        let channels = transports.channels();
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "ehcp".into());
        let name = format!(
            "{host}:{}:{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        Ok(Worker {
            db,
            transports: Arc::new(transports),
            channels,
            policy: RetryPolicy {
                base: chrono::Duration::from_std(settings.retry_base)?,
                cap: chrono::Duration::hours(6),
                max_attempts: settings.retry_max_attempts.max(1),
            },
            settings: settings.clone(),
            name,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The channels this worker delivers.
    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// Claims one batch and delivers it.
    pub async fn deliver_once(&self) -> anyhow::Result<Pass> {
        let now = Utc::now();
        let lease = chrono::Duration::from_std(self.settings.lease)?;
        let batch = outbox::claim(
            &self.db,
            &self.name,
            now,
            lease,
            self.settings.batch.max(1),
            &self.channels,
        )
        .await?;
        let mut pass = Pass {
            claimed: batch.len(),
            ..Pass::default()
        };
        let done: Vec<(usize, chrono::DateTime<Utc>, chrono::DateTime<Utc>, outbox::Outcome)> =
            futures_util::stream::iter(0..batch.len())
                .map(|i| {
                    let msg = &batch[i];
                    async move {
                    let started = Utc::now();
                    let outcome = self.transports.deliver(&self.db, msg).await;
                    if let outbox::Outcome::Failed { error, permanent } = &outcome {
                        tracing::warn!(message = msg.id, channel = %msg.channel, attempt = msg.attempts + 1, permanent, %error, "delivery failed");
                    }
                    (i, started, Utc::now(), outcome)
                }})
                .buffer_unordered(self.settings.concurrency.max(1))
                .collect()
                .await;
        for (_, _, _, outcome) in &done {
            match outcome {
                outbox::Outcome::Sent(_) => pass.sent += 1,
                outbox::Outcome::Failed { .. } => pass.failed += 1,
            }
        }
        let attempts = done
            .into_iter()
            .map(|(i, started_at, finished_at, outcome)| outbox::Attempt {
                message: &batch[i],
                started_at,
                finished_at,
                outcome,
            })
            .collect();
        outbox::finish_attempts(&self.db, &self.name, attempts, &self.policy).await?;
        Ok(pass)
    }

    /// Runs until `stop` turns true: the scheduled jobs about once a minute, and deliveries
    /// whenever messages are due (idle: every `EHCP_DELIVERY_POLL`). A database error is
    /// logged and retried after the poll interval; nothing is lost, since nothing is
    /// marked sent before it was.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(worker = %self.name, channels = ?self.channels, "delivery worker started");
        let mut last_schedule: Option<std::time::Instant> = None;
        loop {
            if *stop.borrow() {
                break;
            }
            if last_schedule.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                if let Err(e) = schedule::run_due(&self.db, Utc::now(), &self.settings).await {
                    tracing::error!(error = %e, "scheduled jobs failed; retrying next minute");
                }
                last_schedule = Some(std::time::Instant::now());
            }
            let idle = match self.deliver_once().await {
                Ok(pass) => pass.claimed == 0,
                Err(e) => {
                    tracing::error!(error = %e, "delivery pass failed");
                    true
                }
            };
            if idle {
                tokio::select! {
                    _ = tokio::time::sleep(self.settings.poll) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        tracing::info!(worker = %self.name, "delivery worker stopped");
    }
}
