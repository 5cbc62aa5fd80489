//! `ehcp import`: the template, and a run over files with a progress bar and a report.
use std::path::PathBuf;

use anyhow::{Context, bail};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::domain::access::{Actor, Role, Scope};
use crate::domain::import::Sheet;
use crate::service::Ctx;
use crate::service::import::{self, ImportFile, ImportOptions, ImportReport};
use crate::store::entity::local_authority;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub template: Option<TemplateCommand>,
    /// The files: CSV files named by their sheet (`children.csv`, `plans.csv`...) or one
    /// XLSX workbook with a tab per sheet.
    pub files: Vec<PathBuf>,
    /// The local authority's three-digit DfE code.
    #[arg(long)]
    pub la: Option<String>,
    /// Create the local authority with this name if there is none with its code yet (into a
    /// new instance: the first import of a council's export).
    #[arg(long, value_name = "NAME")]
    pub la_name: Option<String>,
    /// Check everything and report, changing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the report here (`.json`, or `.csv` for the problems alone) as well as printing
    /// a summary.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Cases applied at once (PostgreSQL; SQLite has one writer and uses 1).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

#[derive(clap::Subcommand)]
pub enum TemplateCommand {
    /// Write the template: a CSV file per sheet, each with its header row and a `#` row
    /// saying what each column holds.
    Template {
        /// The directory to write into (created if missing).
        #[arg(long, default_value = "ehcp-import")]
        dir: PathBuf,
    },
}

/// Writes `<dir>/<sheet>.csv`: the template's header and description rows, then `rows`.
pub fn write_sheet(
    dir: &std::path::Path,
    sheet: Sheet,
    rows: &[Vec<String>],
) -> anyhow::Result<PathBuf> {
    let path = dir.join(format!("{}.csv", sheet.name()));
    let mut w =
        csv::Writer::from_path(&path).with_context(|| format!("writing {}", path.display()))?;
    for row in sheet.template().iter().chain(rows) {
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(path)
}

pub fn write_template(dir: &std::path::Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    for sheet in Sheet::ALL {
        written.push(write_sheet(dir, sheet, &[])?);
    }
    Ok(written)
}

pub async fn run(db: &DatabaseConnection, args: ImportArgs) -> anyhow::Result<ImportReport> {
    let Some(code) = args.la else {
        bail!("name the local authority: --la 909");
    };
    if args.files.is_empty() {
        bail!("give the files to import (or `ehcp import template`)");
    }
    let found = local_authority::Entity::find()
        .filter(local_authority::Column::Code.eq(code.trim()))
        .one(db)
        .await?;
    let la = match (found, &args.la_name) {
        (Some(la), _) => la,
        (None, Some(name)) if !args.dry_run => {
            let admin = Actor {
                role: Role::Admin,
                scope: Scope::Everything,
                la_id: None,
                ..crate::export_cli::command_line_actor(0)
            };
            let ctx = Ctx {
                db,
                actor: &admin,
                now: chrono::Utc::now(),
            };
            crate::service::people::create_local_authority(&ctx, &code, name)
                .await
                .map_err(|e| anyhow::anyhow!(e.describe()))?
        }
        (None, _) => bail!(
            "no local authority with code {code}: create it first, or give --la-name to create it"
        ),
    };
    let files = args
        .files
        .iter()
        .map(|p| ImportFile::read(p).with_context(|| format!("reading {}", p.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let actor = crate::export_cli::command_line_actor(la.id);
    let ctx = Ctx {
        db,
        actor: &actor,
        now: chrono::Utc::now(),
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:16} [{bar:40}] {pos}/{len} rows ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress = |sheet: &'static str, done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
        bar.set_message(sheet);
    };
    let concurrency = if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        1
    } else {
        args.concurrency
    };
    let report = import::run(
        &ctx,
        &files,
        ImportOptions {
            la_id: la.id,
            dry_run: args.dry_run,
            concurrency,
        },
        &progress,
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.describe()))?;
    bar.finish_and_clear();
    if let Some(path) = &args.report {
        write_report(path, &report)?;
    }
    Ok(report)
}

fn write_report(path: &std::path::Path, report: &ImportReport) -> anyhow::Result<()> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let mut w = csv::Writer::from_path(path)?;
        w.write_record(["sheet", "row", "column", "value", "problem"])?;
        for p in report.problems.iter().chain(&report.not_applied) {
            w.write_record([p.sheet, &p.row.to_string(), &p.column, &p.value, &p.message])?;
        }
        w.flush()?;
    } else {
        std::fs::write(path, serde_json::to_string_pretty(report)?)?;
    }
    Ok(())
}

/// The summary printed at the end of a run.
pub fn summary(report: &ImportReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let what = match report.state {
        "REFUSED" => "nothing was changed: fix these and run again",
        "CHECKED" => "dry run: no problems found, nothing was changed",
        "FAILED" => "stopped part way",
        _ => "imported",
    };
    let _ = writeln!(out, "import batch {}: {what}", report.batch_id);
    for p in &report.problems {
        let _ = writeln!(
            out,
            "  {} row {} {}: {:?} {}",
            p.sheet, p.row, p.column, p.value, p.message
        );
    }
    for (sheet, c) in &report.committed {
        if *sheet == Sheet::AdviceRequests.name() && *c == import::Counts::default() {
            let rows = report.rows.get(sheet).copied().unwrap_or_default();
            let _ = writeln!(
                out,
                "  {sheet}: {rows} rows, applied with their assessments"
            );
            continue;
        }
        let _ = writeln!(
            out,
            "  {sheet}: {} created, {} updated, {} unchanged",
            c.created, c.updated, c.unchanged
        );
    }
    for p in &report.not_applied {
        let _ = writeln!(
            out,
            "  not applied: {} row {} {}: {}",
            p.sheet, p.row, p.column, p.message
        );
    }
    if let Some(e) = &report.error {
        let _ = writeln!(out, "  {e}");
    }
    out
}
