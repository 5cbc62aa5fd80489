//! The `ehcp` command line.
use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::api::token::{KeySource, issue_hs256};
use crate::config::{LogFormat, ServeSettings, Settings};
use crate::domain::access::Role;
use crate::startup::Application;
use crate::{seed, store};

#[derive(Parser)]
#[command(
    name = "ehcp",
    version,
    about = "EHC needs assessments, plans and annual reviews, with their statutory deadlines",
    long_about = "Tracks EHC needs assessments, EHC plans, annual reviews and amendments through their \
                  statutory states and deadlines (SEND Regulations 2014), for English local \
                  authorities' SEND teams, parents and professionals."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (applies pending migrations first).
    Serve(ServeSettings),
    /// Deliver queued messages and run the daily reminders and digests, apart from the
    /// server (`serve` runs the same worker unless `EHCP_DELIVERY=false`). Runs until SIGTERM.
    Deliver {
        #[command(flatten)]
        deliver: crate::config::DeliverySettings,
        /// Deliver what is due now, then exit (for cron, or a one-off catch-up).
        #[arg(long)]
        once: bool,
    },
    /// Run the day's scheduled jobs (alerts, reminders, digests) for a date, as the worker
    /// does each day; each runs at most once a day however often this is called.
    Remind {
        /// The day (default: today in England).
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// Apply pending database migrations (or, with `--down N` or `--to NAME`, roll back).
    Migrate {
        /// List migrations and whether each is applied, changing nothing.
        #[arg(long)]
        status: bool,
        /// Roll back the newest N applied migrations instead (back up the database first:
        /// a rollback drops what those migrations added, data included).
        #[arg(long, value_name = "N", conflicts_with_all = ["status", "to"])]
        down: Option<u32>,
        /// Roll back every migration newer than NAME (as `--status` lists them), which stays
        /// applied.
        #[arg(long, value_name = "NAME", conflicts_with = "status")]
        to: Option<String>,
    },
    /// Copy the SQLite database, consistently, while the server runs (PostgreSQL: pg_dump).
    Backup {
        /// The file to write; it must not exist.
        #[arg(long, value_name = "FILE")]
        to: std::path::PathBuf,
    },
    /// Print one signed access token (for development and scripts).
    Token {
        /// caseworker, manager, parent, professional or admin.
        #[arg(long)]
        role: Role,
        /// The subject: the person's sign-in id (e.g. the staff or parent record's subject).
        #[arg(long)]
        sub: String,
        /// The local authority's three-digit DfE code. Optional: staff and professionals act
        /// in their record's LA; when given, it must be that LA.
        #[arg(long)]
        la: Option<String>,
        /// How long the token is valid, e.g. 1h, 30m, 7d.
        #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
        ttl: Duration,
    },
    /// Administrators' records: the first one is made here, by whoever runs the server.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Import a caseload from CSV files or an XLSX workbook (`ehcp import template` writes
    /// the template); checks every row first and changes nothing if any is wrong.
    Import(crate::import_cli::ImportArgs),
    /// Export a family's records (a subject access request), or a council's caseload in the
    /// import templates' format.
    #[command(subcommand)]
    Export(crate::export_cli::ExportCommand),
    /// The DfE's SEN2 return for a census date (XML, and the checks' findings); `codes`
    /// prints or corrects its code lists.
    Sen2(crate::sen2_cli::Sen2Args),
    /// Load a demo local authority with people and cases at every stage (idempotent).
    SeedDemo,
    /// Print the GraphQL schema (SDL); `schema.graphql` is this output.
    ExportSchema,
    /// Print the table of statutory time limits every deadline is computed from (the README's
    /// "Statutory rules" table is this output).
    Rules,
    /// Load a reproducible national-scale synthetic dataset (use a database of its own).
    SeedSynthetic {
        /// How many children (one needs assessment each, open or closed).
        #[arg(long)]
        children: u64,
        /// How many local authorities (default: one per 6,500 children, at most 153).
        #[arg(long)]
        las: Option<u32>,
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Measure the backlog API over HTTP against a running server on synthetic data.
    Bench(crate::bench::BenchArgs),
    /// Measure message delivery: commit to an SMTP server's receipt (`bench/messages.sh`).
    BenchMessages(crate::bench_messages::MessageBenchArgs),
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Add an administrator: their identity-provider subject is then honoured with the admin
    /// role (the first administrator of a new installation is made this way).
    Add {
        /// The subject (`sub`) their identity provider puts in their tokens.
        #[arg(long)]
        subject: String,
        /// Their name, as shown in the audit trail and the administrators list.
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
    },
    /// List administrators with whether each is active and when they last signed in.
    List,
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &Role::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings;
    settings.install_bank_holidays()?;
    match cli.command {
        Command::Serve(serve) => {
            init_tracing(settings.log_format);
            let app = Application::build(&settings, &serve).await?;
            let administrators = app.administrators().await?;
            print_welcome(&settings, &app.local_addr()?.to_string(), administrators);
            app.run_until_stopped().await
        }
        Command::Deliver { deliver, once } => {
            init_tracing(settings.log_format);
            let db = store::connect(&settings.database_url, None).await?;
            store::migrate(&db).await?;
            let worker = crate::outbound::worker::Worker::new(db.clone(), &deliver)?;
            if once {
                let mut total = crate::outbound::worker::Pass::default();
                loop {
                    let pass = worker.deliver_once().await?;
                    total.claimed += pass.claimed;
                    total.sent += pass.sent;
                    total.failed += pass.failed;
                    if pass.claimed == 0 {
                        break;
                    }
                }
                println!(
                    "delivered {} message(s), {} failed (to be retried or dead)",
                    total.sent, total.failed
                );
                return Ok(());
            }
            let (stop_tx, stop) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                crate::startup::shutdown_signal().await;
                let _ = stop_tx.send(true);
            });
            worker.run(stop).await;
            db.close().await?;
            Ok(())
        }
        Command::Remind { on } => {
            init_tracing(settings.log_format);
            let db = store::connect(&settings.database_url, None).await?;
            store::migrate(&db).await?;
            let now = chrono::Utc::now();
            let day = on.unwrap_or_else(|| crate::clock::uk_date(now));
            crate::outbound::schedule::run_day(&db, day, now, true).await?;
            println!("ran the scheduled jobs for {day}");
            Ok(())
        }
        Command::Migrate { status, down, to } => {
            init_tracing(settings.log_format);
            let db = store::connect(&settings.database_url, None).await?;
            if let Some(name) = to {
                let steps = store::roll_back_to(&db, &name).await?;
                println!(
                    "rolled back {steps} migration(s) to {name} ({})",
                    store::backend_name(&db)
                );
            } else if let Some(steps) = down {
                store::roll_back(&db, steps).await?;
                println!(
                    "rolled back {steps} migration(s) ({})",
                    store::backend_name(&db)
                );
            } else if status {
                for (name, applied) in store::migration_status(&db).await? {
                    println!("{} {name}", if applied { "applied" } else { "pending" });
                }
            } else {
                store::migrate(&db).await?;
                println!("migrations applied ({})", store::backend_name(&db));
            }
            Ok(())
        }
        Command::Backup { to } => {
            init_tracing(settings.log_format);
            let db = store::connect(&settings.database_url, None).await?;
            store::backup(&db, &to).await?;
            println!("backed up to {}", to.display());
            Ok(())
        }
        Command::Token { role, sub, la, ttl } => {
            // Only the token goes to stdout, so `$(ehcp token ...)` works in scripts.
            init_tracing_to_stderr(settings.log_format);
            let config = settings.token_config()?;
            let KeySource::Hs256 { secret } = &config.keys else {
                bail!("EHCP_JWKS is set: tokens come from your identity provider, not from ehcp");
            };
            let token = issue_hs256(
                secret,
                &config.issuer,
                &config.audience,
                &sub,
                role,
                la.as_deref(),
                ttl,
                chrono::Utc::now(),
            )
            .context("cannot sign the token")?;
            println!("{token}");
            Ok(())
        }
        Command::Admin(command) => {
            init_tracing_to_stderr(settings.log_format);
            let db = store::connect(&settings.database_url, None).await?;
            store::migrate(&db).await?;
            admin(&db, command).await
        }
        Command::Import(args) => {
            init_tracing_to_stderr(settings.log_format);
            if let Some(crate::import_cli::TemplateCommand::Template { dir }) = &args.template {
                for path in crate::import_cli::write_template(dir)? {
                    println!("{}", path.display());
                }
                return Ok(());
            }
            let db = store::connect(&settings.database_url, None).await?;
            store::migrate(&db).await?;
            let report = crate::import_cli::run(&db, args).await?;
            print!("{}", crate::import_cli::summary(&report));
            match report.state {
                "REFUSED" | "FAILED" => std::process::exit(1),
                _ => Ok(()),
            }
        }
        Command::Export(command) => {
            init_tracing_to_stderr(settings.log_format);
            let db = store::connect(&settings.database_url, None).await?;
            store::migrate(&db).await?;
            print!("{}", crate::export_cli::run(&db, command).await?);
            Ok(())
        }
        Command::Sen2(command) => {
            init_tracing_to_stderr(settings.log_format);
            let db = store::connect(&settings.database_url, None).await?;
            store::migrate(&db).await?;
            print!("{}", crate::sen2_cli::run(&db, command).await?);
            Ok(())
        }
        Command::SeedDemo => {
            init_tracing(settings.log_format);
            let db = store::connect(&settings.database_url, None).await?;
            store::migrate(&db).await?;
            let report = seed::demo::load(&db, chrono::Utc::now()).await?;
            print!("{report}");
            Ok(())
        }
        Command::SeedSynthetic {
            children,
            las,
            seed,
        } => {
            init_tracing_to_stderr(settings.log_format);
            let db = store::connect(&settings.database_url, None).await?;
            store::migrate(&db).await?;
            let report = seed::synthetic::load(
                &db,
                seed::synthetic::Options {
                    children,
                    las,
                    seed,
                    today: crate::service::uk_date(chrono::Utc::now()),
                },
            )
            .await?;
            println!(
                "{} children in {} LAs: {} rows ({} deadlines open today) in {:.1} s ({})",
                report.children,
                report.las,
                report.rows,
                report.open_deadlines,
                report.seconds,
                store::backend_name(&db)
            );
            Ok(())
        }
        Command::Bench(args) => {
            init_tracing_to_stderr(settings.log_format);
            crate::bench::run(&settings, args).await
        }
        Command::BenchMessages(args) => {
            init_tracing_to_stderr(settings.log_format);
            crate::bench_messages::run(&settings, args).await
        }
        Command::ExportSchema => {
            print!("{}", crate::api::graphql::sdl());
            Ok(())
        }
        Command::Rules => {
            print!("{}", crate::domain::rules::markdown_table());
            Ok(())
        }
    }
}

async fn admin(db: &sea_orm::DatabaseConnection, command: AdminCommand) -> anyhow::Result<()> {
    use crate::service::administrators as admins;
    match command {
        AdminCommand::Add {
            subject,
            name,
            email,
        } => {
            let input = admins::AdministratorInput {
                subject,
                name,
                email,
            };
            let added = admins::add_from_command_line(db, input, chrono::Utc::now())
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.describe()))?;
            println!(
                "administrator {} added: tokens with subject `{}` now sign in as admin",
                added.name, added.subject
            );
        }
        AdminCommand::List => {
            for a in admins::list_from_command_line(db).await? {
                let seen = a.last_signed_in_at.map_or_else(
                    || "never signed in".to_owned(),
                    |t| format!("last signed in {t}"),
                );
                let state = if a.active { "active" } else { "deactivated" };
                println!("{}\t{}\t{state}\t{seen}", a.subject, a.name);
            }
        }
    }
    Ok(())
}

fn print_welcome(settings: &Settings, address: &str, administrators: u64) {
    let first_admin = if administrators == 0 {
        "No administrator yet: make the first one (their identity-provider subject):\n  \
         cargo run -- admin add --subject admin --name \"Your Name\"\n  \
         cargo run -- token --role admin --sub admin\n"
    } else {
        ""
    };
    eprintln!(
        "\nEHC plans API on http://{address}/graphql (GraphiQL in a browser)\n\
         database: {}\n\
         {first_admin}\
         Or load the demo (in another terminal):\n  \
         cargo run -- seed-demo   # demo local authority 909 and the tokens to sign in with\n",
        crate::config::redact_url(&settings.database_url)
    );
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm_migration=warn".into());
    // Colours only for a person at a terminal, not for a log file or collector.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

fn init_tracing_to_stderr(format: LogFormat) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
