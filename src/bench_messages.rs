//! `ehcp bench-messages`: messages from commit to an SMTP server's receipt. Writes `--count`
//! messages to the outbox in transactions of `--batch`, as fast as the database takes them,
//! while the delivery workers (`ehcp deliver`, started beside it, any number) send them;
//! then reads the SMTP server's maildir (aiosmtpd's `Mailbox` handler: one file per email,
//! its mtime the receipt) and prints the throughput and the latency from each message's
//! commit to its receipt. `bench/messages.sh` runs the whole thing.
//! Measurement only: nothing here asserts a time.
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use chrono::Utc;
use hdrhistogram::Histogram;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};

use crate::config::Settings;
use crate::domain::messages::{Channel, Notice, RecipientKind};
use crate::store;
use crate::store::entity::message;
use crate::store::outbox::{About, Recipient, enqueue};

#[derive(clap::Args)]
pub struct MessageBenchArgs {
    /// How many messages.
    #[arg(long, default_value_t = 100_000)]
    pub count: usize,
    /// Messages per transaction.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// The SMTP server's maildir (its `new/` holds what it received).
    #[arg(long)]
    pub maildir: PathBuf,
    /// Commit at most this many messages a second (0: as fast as the database takes them,
    /// which measures draining a backlog; a rate the workers keep up with measures the
    /// latency a family sees).
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// Give up waiting for deliveries after this long.
    #[arg(long, default_value = "30m", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
}

pub async fn run(settings: &Settings, args: MessageBenchArgs) -> anyhow::Result<()> {
    let db = store::connect(&settings.database_url, None).await?;
    store::migrate(&db).await?;
    let la_id = crate::store::entity::local_authority::Entity::find()
        .one(&db)
        .await?
        .map(|la| la.id)
        .context("no local authority: run `ehcp seed-demo` first")?;
    let notice = Notice {
        event: "bench.message".into(),
        subject: "A benchmark notice".into(),
        body: "The council has sent you the draft EHC plan. You have until 16 March 2026 to \
               send your comments."
            .into(),
        statutory: true,
    };
    let about = About {
        la_id,
        child_id: None,
        entity: None,
        entity_id: None,
    };
    let run_id = format!("{:08x}", rand::random::<u32>());
    let started = Instant::now();
    let wall_start = SystemTime::now();
    let mut committed: HashMap<usize, SystemTime> = HashMap::new();
    let batches = args.count.div_ceil(args.batch.max(1));
    for b in 0..batches {
        let n = args.batch.min(args.count - b * args.batch);
        let recipients: Vec<Recipient> = (0..n)
            .map(|i| Recipient {
                kind: RecipientKind::Parent,
                id: (b * args.batch + i) as i64,
                name: format!("Parent {i}"),
                channel: Channel::Email,
                address: Some(format!("parent{}@example.org", b * args.batch + i)),
                wants_reminders: true,
            })
            .collect();
        let txn = db.begin().await?;
        for chunk in recipients.chunks(500) {
            enqueue(
                &txn,
                Utc::now(),
                about,
                &notice,
                chunk,
                &format!("bench-{run_id}:{b}"),
            )
            .await?;
        }
        txn.commit().await?;
        committed.insert(b, SystemTime::now());
        if args.rate > 0 {
            let due = Duration::from_secs_f64(((b + 1) * args.batch) as f64 / args.rate as f64);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
    }
    let enqueue_s = started.elapsed().as_secs_f64();
    eprintln!(
        "committed {} messages in {batches} transactions in {enqueue_s:.1} s ({:.0}/s)",
        args.count,
        args.count as f64 / enqueue_s
    );
    // Wait for the workers.
    let deadline = Instant::now() + args.timeout;
    loop {
        let queued = message::Entity::find()
            .filter(message::Column::Event.eq("bench.message"))
            .filter(message::Column::State.ne("SENT"))
            .count(&db)
            .await?;
        if queued == 0 {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{queued} still undelivered at the timeout"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Receipts: the maildir's files, by Message-ID.
    let prefix = format!("<bench-{run_id}.");
    let mut latency = Histogram::<u64>::new_with_bounds(1, 3_600_000, 3)?;
    let mut last_receipt = wall_start;
    let mut received = 0usize;
    let mut seen = std::collections::HashSet::new();
    for entry in std::fs::read_dir(args.maildir.join("new")).context("the maildir's new/")? {
        let entry = entry?;
        let text = std::fs::read_to_string(entry.path())?;
        let Some(id) = text.lines().find_map(|l| {
            l.strip_prefix("Message-ID: ")
                .or_else(|| l.strip_prefix("Message-Id: "))
        }) else {
            continue;
        };
        let Some(rest) = id.trim().strip_prefix(&prefix) else {
            continue;
        };
        if !seen.insert(id.trim().to_owned()) {
            continue;
        }
        let batch: usize = rest.split('.').next().unwrap_or_default().parse()?;
        let at = entry.metadata()?.modified()?;
        let from = committed[&batch];
        let ms = at.duration_since(from).unwrap_or_default().as_millis() as u64;
        latency.record(ms.max(1))?;
        last_receipt = last_receipt.max(at);
        received += 1;
    }
    let span = last_receipt
        .duration_since(wall_start)
        .unwrap_or_default()
        .as_secs_f64();
    println!(
        "{received} of {} messages received by the SMTP server; first commit to last receipt {span:.1} s: {:.0} messages/s",
        args.count,
        received as f64 / span
    );
    println!(
        "commit to receipt: p50 {} ms, p95 {} ms, p99 {} ms, max {} ms",
        latency.value_at_quantile(0.5),
        latency.value_at_quantile(0.95),
        latency.value_at_quantile(0.99),
        latency.max()
    );
    Ok(())
}
