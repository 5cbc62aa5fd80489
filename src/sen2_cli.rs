//! `ehcp sen2`: the DfE's SEN2 return from the command line. `codes` prints the code lists
//! the instance holds (CSV, the format of `data/sen2/codes.csv`), or with `--load FILE`
//! replaces the lists the file names: how a council corrects a code without a release.
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use sea_orm::DatabaseConnection;

use crate::domain::access::{Actor, Role, Scope};
use crate::service::Ctx;
use crate::store::entity::sen2_code;

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

/// Runs the command; returns what to print.
pub async fn run(db: &DatabaseConnection, command: Sen2Command) -> anyhow::Result<String> {
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
