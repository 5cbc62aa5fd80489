//! `ehcp sen2`: the DfE's SEN2 return from the command line. `ehcp sen2 --census-date D`
//! writes the return (XML) and its checks' findings; `codes` prints the code lists the
//! instance holds (CSV, the format of `data/sen2/codes.csv`), or with `--load FILE` replaces
//! the lists the file names: how a council corrects a code without a release.
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::domain::access::{Actor, Role, Scope};
use crate::domain::sen2_return::Severity;
use crate::service::Ctx;
use crate::store::entity::{local_authority, sen2_code};

/// `ehcp sen2 --census-date D [--la CODE] [--out FILE] [--report FILE] [--figures FILE]`,
/// or `ehcp sen2 codes`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Sen2Args {
    #[command(subcommand)]
    pub command: Option<Sen2Command>,
    /// The census (reference) date, e.g. 2026-01-15: the return covers the calendar year
    /// before it and what is open on it.
    #[arg(long, value_name = "DATE")]
    pub census_date: Option<chrono::NaiveDate>,
    /// The local authority's three-digit DfE code (needed when the instance has several).
    #[arg(long)]
    pub la: Option<String>,
    /// Write the XML here (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the checks' findings here as CSV (person, item, severity, message).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write the figures the DfE will publish from the return here as CSV (table,
    /// breakdown, count, of, percent), to check before sending.
    #[arg(long, value_name = "FILE")]
    pub figures: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Sen2Command {
    /// Print the SEN2 code lists as CSV (list,code,label,source), or replace lists from one.
    Codes {
        /// Only this list (e.g. ETHNICITY).
        #[arg(long)]
        list: Option<String>,
        /// Replace every list this CSV names with its rows (the other lists stay); audited.
        #[arg(long, value_name = "FILE")]
        load: Option<PathBuf>,
    },
}

/// Whoever runs the command, as an administrator: the code lists are the instance's.
fn administrator() -> Actor {
    Actor {
        role: Role::Admin,
        scope: Scope::Everything,
        la_id: None,
        ..crate::export_cli::command_line_actor(0)
    }
}

/// Runs `ehcp sen2`; returns what to print.
pub async fn run(db: &DatabaseConnection, args: Sen2Args) -> anyhow::Result<String> {
    if let Some(command) = args.command {
        return codes(db, command).await;
    }
    let census = args
        .census_date
        .context("give --census-date (e.g. 2026-01-15), or a subcommand: `ehcp sen2 --help`")?;
    let la = match &args.la {
        Some(code) => local_authority::Entity::find()
            .filter(local_authority::Column::Code.eq(code.trim()))
            .one(db)
            .await?
            .with_context(|| format!("no local authority with code {code}"))?,
        None => {
            let mut all = local_authority::Entity::find().all(db).await?;
            match all.len() {
                1 => {}
                0 => anyhow::bail!(
                    "the instance holds no local authority yet: create one (createLocalAuthority, \
                     or `ehcp import --la CODE --la-name NAME`)"
                ),
                n => anyhow::bail!("the instance holds {n} local authorities: give --la CODE"),
            }
            all.remove(0)
        }
    };
    let actor = crate::export_cli::command_line_actor(la.id);
    let ctx = Ctx {
        db,
        actor: &actor,
        now: chrono::Utc::now(),
    };
    let (ret, header) = crate::service::sen2::statutory_return(&ctx, la.id, census)
        .await
        .map_err(|e| anyhow::anyhow!(e.describe()))?;
    let xml = crate::domain::sen2_return::to_xml(&ret, &header);
    let mut printed = String::new();
    match &args.out {
        Some(path) => {
            std::fs::write(path, &xml).with_context(|| format!("writing {}", path.display()))?
        }
        None => printed.push_str(&xml),
    }
    let errors = ret
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if let Some(path) = &args.report {
        let mut out =
            csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
        out.write_record(["child_id", "person", "item", "severity", "message"])?;
        for f in &ret.findings {
            out.write_record([
                &f.child_id.to_string(),
                &f.person,
                f.item,
                f.severity.as_str(),
                &f.message,
            ])?;
        }
        out.flush()?;
    }
    if let Some(path) = &args.figures {
        let mut out =
            csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
        out.write_record(["table", "breakdown", "count", "of", "percent"])?;
        for f in &ret.figures {
            out.write_record([
                f.table,
                &f.breakdown,
                &f.count.to_string(),
                &f.of.map(|n| n.to_string()).unwrap_or_default(),
                &f.percent().map(|p| format!("{p:.1}")).unwrap_or_default(),
            ])?;
        }
        out.flush()?;
    }
    eprintln!(
        "SEN2 {} for LA {}: {} persons, {errors} errors, {} queries{}",
        census,
        la.code,
        ret.persons.len(),
        ret.findings.len() - errors,
        if args.report.is_none() && !ret.findings.is_empty() {
            " (--report FILE lists them)"
        } else {
            ""
        }
    );
    Ok(printed)
}

async fn codes(db: &DatabaseConnection, command: Sen2Command) -> anyhow::Result<String> {
    let actor = administrator();
    let ctx = Ctx {
        db,
        actor: &actor,
        now: chrono::Utc::now(),
    };
    match command {
        Sen2Command::Codes {
            list,
            load: Some(path),
        } => {
            let mut reader = csv::Reader::from_path(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let mut rows = Vec::new();
            for record in reader.deserialize::<CodeRow>() {
                let r = record.with_context(|| format!("reading {}", path.display()))?;
                if list
                    .as_deref()
                    .is_none_or(|l| l.eq_ignore_ascii_case(r.list.trim()))
                {
                    rows.push(sen2_code::Model {
                        list: r.list,
                        code: r.code,
                        label: r.label,
                        source: r.source.unwrap_or_default(),
                    });
                }
            }
            let counts = crate::service::sen2::replace_codes(&ctx, rows)
                .await
                .map_err(|e| anyhow::anyhow!(e.describe()))?;
            Ok(counts
                .into_iter()
                .map(|(list, n)| format!("{list}: {n} codes\n"))
                .collect())
        }
        Sen2Command::Codes { list, load: None } => {
            let codes = crate::service::sen2::codes(&ctx, list.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!(e.describe()))?;
            let mut out = csv::Writer::from_writer(Vec::new());
            out.write_record(["list", "code", "label", "source"])?;
            for c in codes {
                out.write_record([c.list, c.code, c.label, c.source])?;
            }
            Ok(String::from_utf8(out.into_inner()?)?)
        }
    }
}

#[derive(serde::Deserialize)]
struct CodeRow {
    list: String,
    code: String,
    label: String,
    source: Option<String>,
}
