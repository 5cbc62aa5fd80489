//! `ehcp export`: a family's subject access export, and a whole council's caseload in the
//! import templates' format.
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::api::graphql::scalars::{Id, Kind};
use crate::domain::access::{Actor, Role, Scope};
use crate::domain::import::Sheet;
use crate::service::Ctx;
use crate::service::export::{self, CouncilExport, SubjectAccess};
use crate::store::entity::{import_ref, local_authority};

#[derive(clap::Subcommand)]
pub enum ExportCommand {
    /// Everything held about one child and their parents (a subject access request):
    /// `subject-access.json`, and a CSV file per table.
    Subject {
        /// The local authority's three-digit DfE code.
        #[arg(long)]
        la: String,
        /// The child: the API's id, or the council's own id from an import (`C-1001`).
        #[arg(long)]
        child: String,
        /// The directory to write into (created if missing; files in it are replaced).
        #[arg(long)]
        dir: PathBuf,
    },
    /// A council's caseload as the import templates (a CSV file per sheet), to load into
    /// another instance with `ehcp import`; prints what the templates cannot hold.
    Council {
        /// The local authority's three-digit DfE code.
        #[arg(long)]
        la: String,
        /// The directory to write into (created if missing; files in it are replaced).
        #[arg(long)]
        dir: PathBuf,
    },
}

async fn local_authority(db: &DatabaseConnection, code: &str) -> anyhow::Result<i64> {
    Ok(local_authority::Entity::find()
        .filter(local_authority::Column::Code.eq(code.trim()))
        .one(db)
        .await?
        .with_context(|| format!("no local authority with code {code}"))?
        .id)
}

/// Whoever runs the command, as the council's manager (they hold the database's
/// credentials); the access log names them `cli:<user>`.
pub fn command_line_actor(la_id: i64) -> Actor {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    Actor {
        subject: format!("cli:{user}"),
        role: Role::Manager,
        la_id: Some(la_id),
        staff_id: None,
        scope: Scope::LocalAuthority { la_id },
    }
}

/// Runs an export; returns what it wrote, a line each, to print.
pub async fn run(db: &DatabaseConnection, command: ExportCommand) -> anyhow::Result<String> {
    match command {
        ExportCommand::Subject { la, child, dir } => {
            let la_id = local_authority(db, &la).await?;
            let child_id = child_id(db, la_id, &child).await?;
            let actor = command_line_actor(la_id);
            let ctx = Ctx {
                db,
                actor: &actor,
                now: chrono::Utc::now(),
            };
            let export = export::subject_access(&ctx, child_id)
                .await
                .map_err(|e| anyhow::anyhow!(e.describe()))?;
            write_subject_access(&dir, &export)
        }
        ExportCommand::Council { la, dir } => {
            let la_id = local_authority(db, &la).await?;
            let actor = command_line_actor(la_id);
            let ctx = Ctx {
                db,
                actor: &actor,
                now: chrono::Utc::now(),
            };
            let export = export::council(&ctx, la_id)
                .await
                .map_err(|e| anyhow::anyhow!(e.describe()))?;
            write_council(&dir, &export)
        }
    }
}

async fn child_id(db: &DatabaseConnection, la_id: i64, given: &str) -> anyhow::Result<i64> {
    let given = given.trim();
    if let Some((Kind::Child, id)) = Id::decode(&async_graphql::ID(given.to_owned())) {
        return Ok(id);
    }
    if let Some(r) = import_ref::Entity::find()
        .filter(import_ref::Column::LaId.eq(la_id))
        .filter(import_ref::Column::Kind.eq(Sheet::Children.kind()))
        .filter(import_ref::Column::SourceId.eq(given))
        .one(db)
        .await?
    {
        return Ok(r.entity_id);
    }
    bail!("{given:?} is neither a child's id from the API nor one imported into this council")
}

fn create(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

pub fn write_subject_access(dir: &Path, export: &SubjectAccess) -> anyhow::Result<String> {
    create(dir)?;
    let mut written = String::new();
    let path = dir.join("subject-access.json");
    std::fs::write(&path, serde_json::to_vec_pretty(export)?)
        .with_context(|| format!("writing {}", path.display()))?;
    written.push_str(&format!("{}\n", path.display()));
    for table in &export.tables {
        let path = dir.join(format!("{}.csv", table.name));
        std::fs::write(&path, export::to_csv(table)?)
            .with_context(|| format!("writing {}", path.display()))?;
        written.push_str(&format!("{} ({} rows)\n", path.display(), table.rows.len()));
    }
    Ok(written)
}

pub fn write_council(dir: &Path, export: &CouncilExport) -> anyhow::Result<String> {
    create(dir)?;
    let mut written = String::new();
    for sheet in Sheet::ALL {
        let rows = export.sheets.get(&sheet).map(Vec::as_slice).unwrap_or(&[]);
        let path = crate::import_cli::write_sheet(dir, sheet, rows)?;
        written.push_str(&format!("{} ({} rows)\n", path.display(), rows.len()));
    }
    if !export.left_out.is_empty() {
        written
            .push_str("not in the templates (each family's `ehcp export subject` holds them):\n");
        for (what, n) in &export.left_out {
            written.push_str(&format!("  {what}: {n}\n"));
        }
    }
    Ok(written)
}
