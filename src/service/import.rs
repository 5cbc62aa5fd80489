//! Importing a council's caseload from CSV files or an XLSX workbook (`ehcp import`).
//!
//! 1. Every file is read and every row checked (`domain::import::check`) against the file
//!    and what is already in the database; if anything is wrong, nothing changes and the
//!    report lists every problem (sheet, row, column, value, what is wrong).
//! 2. Otherwise each row is applied through the same use cases the API calls, with the
//!    dates in the file, so an imported case has the deadlines, states, timeline and backlog
//!    rows it would have had if entered by hand; every audit event carries the batch id.
//! 3. A record created keeps the council's own id (`import_ref`) in its own transaction, so
//!    running the same file again changes nothing, a corrected file changes only what
//!    changed, and a run stopped part way (the database went away) is resumed by running the
//!    same file again: the report of the stopped run says what it committed.
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use futures_util::StreamExt;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::Serialize;

use super::assessment::{self as casework, NewAssessment, NewException};
use super::people::{self, ChildInput, ChildPatch, ParentInput, ProfessionalInput, StaffInput};
use super::plan::{self as plans, NewPlan};
use super::{Ctx, Target};
use crate::domain::access::Permission;
use crate::domain::audit::AuditAction;
use crate::domain::import::{
    ADVICE_RECEIVED_WITHOUT_NOTE, AdviceRow, AmendmentRow, AssessmentRow, AssessmentStep, Caseload,
    Known, Line, Problem, ReviewRow, ReviewStep, Sheet, Table, assessment_steps, check, is_comment,
    review_steps,
};
use crate::domain::review::ReviewDecision;
use crate::error::{ApiError, ApiResult};
use crate::service::advice::NewAdviceRequest;
use crate::store::entity::{
    child, child_parent, ehc_plan, import_batch, locality, review_meeting_request, staff, team,
};
use crate::store::import::{self as refs, ImportRun, PendingRef, RUN};

/// One file to import: its name (the sheet, for a CSV) and its bytes.
pub struct ImportFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl ImportFile {
    pub fn read(path: &Path) -> std::io::Result<Self> {
        Ok(ImportFile {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            bytes: std::fs::read(path)?,
        })
    }
}

/// How a sheet's rows fared.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub batch_id: i64,
    /// `REFUSED` (problems: nothing changed), `CHECKED` (a dry run without problems),
    /// `DONE`, or `FAILED` (stopped part way: `committed` holds what was written).
    pub state: &'static str,
    pub dry_run: bool,
    pub problems: Vec<Problem>,
    /// Rows per sheet (of a dry run: the rows that would be applied).
    pub rows: BTreeMap<&'static str, usize>,
    /// What was written, per sheet.
    pub committed: BTreeMap<&'static str, Counts>,
    /// Rows that changed since they were imported in a way the import does not apply (a
    /// step already recorded with another date, a parent's details): change them by hand.
    pub not_applied: Vec<Problem>,
    /// Why a run stopped part way.
    pub error: Option<String>,
}

/// Progress, for a progress bar: rows applied of all rows.
pub type Progress<'a> = &'a (dyn Fn(&'static str, u64, u64) + Sync);

// ---------- reading ----------

/// Reads CSV files (one sheet each, named by the file: `children.csv`) and XLSX workbooks
/// (one sheet per tab, named by the tab). A row whose first cell begins with `#` is a
/// comment; blank rows are skipped.
pub fn read(files: &[ImportFile]) -> (Vec<Table>, Vec<Problem>) {
    let mut tables = Vec::new();
    let mut problems = Vec::new();
    let problem = |file: &str, message: String| Problem {
        sheet: "file",
        row: 0,
        column: String::new(),
        value: file.to_owned(),
        message,
    };
    for file in files {
        let lower = file.name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            let stem = &file.name[..file.name.len() - 4];
            let Some(sheet) = Sheet::parse(stem) else {
                problems.push(problem(&file.name, unknown_sheet()));
                continue;
            };
            match read_csv(&file.bytes) {
                Ok(rows) => tables.push(table(sheet, rows)),
                Err(e) => problems.push(problem(&file.name, format!("is not readable CSV: {e}"))),
            }
        } else if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") || lower.ends_with(".ods") {
            match read_workbook(&file.bytes) {
                Ok(sheets) => {
                    for (name, rows) in sheets {
                        match Sheet::parse(&name) {
                            Some(sheet) => tables.push(table(sheet, rows)),
                            None if rows.iter().all(|r| r.iter().all(|c| c.trim().is_empty())) => {}
                            None => problems
                                .push(problem(&format!("{}: {name}", file.name), unknown_sheet())),
                        }
                    }
                }
                Err(e) => problems.push(problem(
                    &file.name,
                    format!("is not a readable workbook: {e}"),
                )),
            }
        } else {
            problems.push(problem(
                &file.name,
                "give CSV files (.csv) or an Excel workbook (.xlsx)".into(),
            ));
        }
    }
    (tables, problems)
}

fn unknown_sheet() -> String {
    format!(
        "is not a sheet of the template: name it one of {}",
        Sheet::ALL.map(|s| s.name()).join(", ")
    )
}

fn table(sheet: Sheet, rows: Vec<Vec<String>>) -> Table {
    let mut rows = rows.into_iter().enumerate().map(|(i, r)| (i + 1, r));
    let header = rows.next().map(|(_, h)| h).unwrap_or_default();
    Table {
        sheet,
        header,
        rows: rows
            .filter(|(_, r)| !is_comment(r) && r.iter().any(|c| !c.trim().is_empty()))
            .collect(),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, csv::Error> {
    // A spreadsheet program's CSV may start with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    reader
        .records()
        .map(|r| r.map(|rec| rec.iter().map(str::to_owned).collect()))
        .collect()
}

fn read_workbook(bytes: &[u8]) -> Result<Workbook, calamine::Error> {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name)?;
        let rows = range
            .rows()
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        Data::Empty => String::new(),
                        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                        Data::Int(i) => i.to_string(),
                        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                            format!("{}", *f as i64)
                        }
                        Data::Float(f) => f.to_string(),
                        Data::Bool(b) => b.to_string(),
                        // A date cell: written as the ISO date it shows.
                        Data::DateTime(d) => d
                            .as_datetime()
                            .map(|t| t.date().to_string())
                            .unwrap_or_default(),
                        Data::Error(e) => format!("#ERROR {e:?}"),
                    })
                    .collect()
            })
            .collect();
        out.push((name, rows));
    }
    Ok(out)
}

// ---------- what is already there ----------

/// Per sheet, the council's ids already imported: the record's id and the row's digest.
type Imported = BTreeMap<Sheet, HashMap<String, (i64, String)>>;

/// A workbook's sheets: each name with its rows of cells.
type Workbook = Vec<(String, Vec<Vec<String>>)>;

async fn known(ctx: &Ctx<'_>, la_id: i64) -> ApiResult<(Known, Imported)> {
    let localities = locality::Entity::find()
        .filter(locality::Column::LaId.eq(la_id))
        .all(ctx.db)
        .await?
        .into_iter()
        .map(|l| l.name)
        .collect();
    let teams = team::Entity::find()
        .filter(team::Column::LaId.eq(la_id))
        .all(ctx.db)
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let [sex, ethnicity, upn_unknown]: [_; 3] = crate::store::reference::sen2_lists(
        ctx.db,
        &[
            crate::domain::sen2::CodeList::SEX,
            crate::domain::sen2::CodeList::ETHNICITY,
            crate::domain::sen2::CodeList::UPN_UNKNOWN,
        ],
    )
    .await?
    .try_into()
    .map_err(|_| ApiError::Internal(anyhow::anyhow!("three code lists asked for")))?;
    let [
        sen_setting,
        residential,
        work_based_learning,
        direct_payment,
    ]: [_; 4] = crate::store::reference::sen2_lists(
        ctx.db,
        &[
            crate::domain::placement::PlacementLists::NAMES.as_slice(),
            &["DIRECT_PAYMENT"],
        ]
        .concat(),
    )
    .await?
    .try_into()
    .map_err(|_| ApiError::Internal(anyhow::anyhow!("four code lists asked for")))?;
    let mut known = Known {
        localities,
        teams,
        exception_reasons: casework::exception_reasons(ctx).await?,
        person_lists: [sex, ethnicity, upn_unknown],
        placement_lists: [
            sen_setting,
            residential,
            work_based_learning,
            direct_payment,
        ],
        ..Known::default()
    };
    let mut ids = BTreeMap::new();
    for sheet in Sheet::ALL {
        if sheet.key().is_none() || matches!(sheet, Sheet::Localities | Sheet::Teams) {
            continue;
        }
        let rows: HashMap<String, (i64, String)> = refs::refs(ctx.db, la_id, sheet.kind())
            .await?
            .into_iter()
            .map(|r| (r.source_id, (r.entity_id, r.digest)))
            .collect();
        known.ids.insert(sheet, rows.keys().cloned().collect());
        ids.insert(sheet, rows);
    }
    // Imported children that have an active plan.
    let by_child: HashMap<i64, String> = ids[&Sheet::Children]
        .iter()
        .map(|(source, (id, _))| (*id, source.clone()))
        .collect();
    let with_plan: Vec<i64> = ehc_plan::Entity::find()
        .select_only()
        .column(ehc_plan::Column::ChildId)
        .filter(ehc_plan::Column::LaId.eq(la_id))
        .filter(ehc_plan::Column::Status.eq("ACTIVE"))
        .into_tuple()
        .all(ctx.db)
        .await?;
    known.children_with_active_plan = with_plan
        .into_iter()
        .filter_map(|id| by_child.get(&id).cloned())
        .collect();
    // Imported plans' dates, which the amendments sheet is checked against.
    let by_plan: HashMap<i64, &String> = ids[&Sheet::Plans]
        .iter()
        .map(|(source, (id, _))| (*id, source))
        .collect();
    if !by_plan.is_empty() {
        let dates: Vec<(i64, NaiveDate, Option<NaiveDate>)> = ehc_plan::Entity::find()
            .select_only()
            .column(ehc_plan::Column::Id)
            .column(ehc_plan::Column::IssuedOn)
            .column(ehc_plan::Column::LastReviewDecisionOn)
            .filter(ehc_plan::Column::LaId.eq(la_id))
            .filter(ehc_plan::Column::Status.eq("ACTIVE"))
            .into_tuple()
            .all(ctx.db)
            .await?;
        known.plan_dates = dates
            .into_iter()
            .filter_map(|(id, issued, decided)| {
                by_plan.get(&id).map(|s| ((*s).clone(), (issued, decided)))
            })
            .collect();
    }
    Ok((known, ids))
}

// ---------- the run ----------

pub struct ImportOptions {
    pub la_id: i64,
    pub dry_run: bool,
    /// Cases applied at once (1 on SQLite, which has one writer).
    pub concurrency: usize,
}

/// Checks the files and, unless it is a dry run or a problem was found, applies them.
/// Whether the actor may import into the council (`None`: into any): its managers and
/// administrators.
pub fn may_import(ctx: &Ctx<'_>, la_id: Option<i64>) -> ApiResult<()> {
    for p in [
        Permission::ManageOrganisation,
        Permission::ManageChildren,
        Permission::ManageCasework,
    ] {
        ctx.require(p)?;
    }
    if la_id.is_some_and(|la_id| !ctx.actor.may_act_in(la_id)) {
        return Err(ApiError::forbidden(
            "you may only import into your own local authority",
        ));
    }
    Ok(())
}

/// A run still marked running after this long stopped without finishing (its process went
/// away); it no longer holds the council's one import at a time.
const ABANDONED_AFTER_HOURS: i64 = 12;

pub async fn run(
    ctx: &Ctx<'_>,
    files: &[ImportFile],
    options: ImportOptions,
    progress: Progress<'_>,
) -> ApiResult<ImportReport> {
    may_import(ctx, Some(options.la_id))?;
    let (tables, mut problems) = read(files);
    let (known, ids) = known(ctx, options.la_id).await?;
    let (caseload, found) = check(&tables, &known, ctx.today());
    problems.extend(found);
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    import_batch::Entity::update_many()
        .col_expr(
            import_batch::Column::State,
            sea_orm::sea_query::Expr::value("FAILED"),
        )
        .col_expr(
            import_batch::Column::FinishedAt,
            sea_orm::sea_query::Expr::value(ctx.now),
        )
        .filter(import_batch::Column::LaId.eq(options.la_id))
        .filter(import_batch::Column::State.eq("RUNNING"))
        .filter(
            import_batch::Column::StartedAt
                .lt(ctx.now - chrono::Duration::hours(ABANDONED_AFTER_HOURS)),
        )
        .exec(ctx.db)
        .await?;
    let batch = import_batch::ActiveModel {
        id: NotSet,
        la_id: Set(options.la_id),
        actor_subject: Set(ctx.actor.subject.clone()),
        files: Set(serde_json::to_string(&names).unwrap_or_default()),
        dry_run: Set(options.dry_run),
        state: Set("RUNNING".into()),
        started_at: Set(ctx.now),
        finished_at: Set(None),
        report: Set(None),
    }
    .insert(ctx.db)
    .await
    .map_err(|e| match e.sql_err() {
        // One import into a council at a time (`ux_import_batch_running`).
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(
            "another import into this council is running: wait for it to finish (its report \
             says what it did), then run these files again",
        ),
        _ => e.into(),
    })?;
    let mut report = ImportReport {
        batch_id: batch.id,
        state: "DONE",
        dry_run: options.dry_run,
        problems,
        rows: tables
            .iter()
            .map(|t| (t.sheet.name(), t.rows.len()))
            .collect(),
        committed: BTreeMap::new(),
        not_applied: Vec::new(),
        error: None,
    };
    if !report.problems.is_empty() {
        report.state = "REFUSED";
    } else if options.dry_run {
        report.state = "CHECKED";
    } else {
        let mut applier = Applier {
            ctx,
            la_id: options.la_id,
            batch_id: batch.id,
            concurrency: options.concurrency.max(1),
            ids,
            report: &mut report,
            progress,
            done: 0,
            total: tables.iter().map(|t| t.rows.len() as u64).sum(),
        };
        if let Err(e) = applier.apply(&caseload, &known).await {
            if let ApiError::Internal(cause) = &e {
                tracing::error!(batch = batch.id, "import stopped: {cause:#}");
            }
            report.state = "FAILED";
            report.error = Some(format!(
                "{}. What is listed as committed was written; run the same files again to \
                 go on from where this run stopped",
                e.public()
            ));
        }
    }
    let mut finished: import_batch::ActiveModel = batch.into();
    finished.state = Set(report.state.to_owned());
    finished.finished_at = Set(Some(chrono::Utc::now()));
    finished.report = Set(Some(serde_json::to_string(&report).unwrap_or_default()));
    finished.update(ctx.db).await?;
    Ok(report)
}

struct Applier<'a, 'c> {
    ctx: &'a Ctx<'c>,
    la_id: i64,
    batch_id: i64,
    concurrency: usize,
    /// Sheet → the council's id → (the record's id, the row's digest when last imported).
    ids: Imported,
    report: &'a mut ImportReport,
    progress: Progress<'a>,
    done: u64,
    total: u64,
}

/// What became of one row.
enum Outcome {
    Created,
    Updated,
    Unchanged,
    /// Changed in the file, but not something the import changes.
    NotApplied(Problem),
}

impl Outcome {
    /// How a replayed case fared: made now, moved on by steps it had not taken, or only
    /// written differently (a date in the other form) and so unchanged.
    fn replayed(created: bool, applied: bool) -> Self {
        if created {
            Outcome::Created
        } else if applied {
            Outcome::Updated
        } else {
            Outcome::Unchanged
        }
    }
}

impl<'a, 'c> Applier<'a, 'c> {
    fn run(&self) -> ImportRun {
        ImportRun::new(self.batch_id, self.la_id)
    }

    fn id_of(&self, sheet: Sheet, source: &str) -> Option<i64> {
        self.ids.get(&sheet)?.get(source).map(|(id, _)| *id)
    }

    /// The record a row made before, and the row's digest then.
    fn imported(&self, sheet: Sheet, source: &str) -> (Option<i64>, Option<String>) {
        (
            self.id_of(sheet, source),
            self.digest_of(sheet, source).map(str::to_owned),
        )
    }

    fn digest_of(&self, sheet: Sheet, source: &str) -> Option<&str> {
        self.ids.get(&sheet)?.get(source).map(|(_, d)| d.as_str())
    }

    async fn reload(&mut self, sheet: Sheet) -> ApiResult<()> {
        let rows = refs::refs(self.ctx.db, self.la_id, sheet.kind())
            .await?
            .into_iter()
            .map(|r| (r.source_id, (r.entity_id, r.digest)))
            .collect();
        self.ids.insert(sheet, rows);
        Ok(())
    }

    fn tally(&mut self, sheet: Sheet, outcome: Outcome) {
        let counts = self.report.committed.entry(sheet.name()).or_default();
        match outcome {
            Outcome::Created => counts.created += 1,
            Outcome::Updated => counts.updated += 1,
            Outcome::Unchanged => counts.unchanged += 1,
            Outcome::NotApplied(p) => {
                counts.unchanged += 1;
                self.report.not_applied.push(p);
            }
        }
        self.done += 1;
        (self.progress)(sheet.name(), self.done, self.total);
    }

    /// Applies each row of one sheet with `apply` (at most `concurrency` at once), tallying
    /// as they finish; the first error stops the sheet once the rows under way are done.
    async fn each<T, F, Fut>(&mut self, sheet: Sheet, rows: Vec<T>, apply: F) -> ApiResult<()>
    where
        F: Fn(T) -> Fut,
        Fut: std::future::Future<Output = ApiResult<Outcome>>,
    {
        let (batch_id, la_id) = (self.batch_id, self.la_id);
        // After the first error no further row starts; those under way finish and count.
        let stopped = std::sync::atomic::AtomicBool::new(false);
        let stopped = &stopped;
        let apply = &apply;
        let mut results = futures_util::stream::iter(rows.into_iter().map(|row| async move {
            if stopped.load(std::sync::atomic::Ordering::Relaxed) {
                return None;
            }
            Some(RUN.scope(ImportRun::new(batch_id, la_id), apply(row)).await)
        }))
        .buffer_unordered(self.concurrency);
        let mut first_error = None;
        while let Some(result) = results.next().await {
            match result {
                Some(Ok(outcome)) => self.tally(sheet, outcome),
                Some(Err(e)) => {
                    stopped.store(true, std::sync::atomic::Ordering::Relaxed);
                    first_error.get_or_insert(e);
                }
                None => {}
            }
        }
        drop(results);
        match first_error {
            Some(e) => Err(e),
            None => self.reload(sheet).await,
        }
    }

    async fn apply(&mut self, c: &Caseload, known: &Known) -> ApiResult<()> {
        let ctx = self.ctx;
        let la = Some(self.la_id);
        let (localities, teams) = (&known.localities, &known.teams);
        // Localities and teams are known by their names.
        for l in &c.localities {
            let outcome = if localities.contains(&l.row) {
                Outcome::Unchanged
            } else {
                RUN.scope(self.run(), people::create_locality(ctx, la, &l.row))
                    .await?;
                Outcome::Created
            };
            self.tally(Sheet::Localities, outcome);
        }
        for t in &c.teams {
            let outcome = if teams.contains(&t.row) {
                Outcome::Unchanged
            } else {
                RUN.scope(self.run(), people::create_team(ctx, la, &t.row))
                    .await?;
                Outcome::Created
            };
            self.tally(Sheet::Teams, outcome);
        }
        let locality_ids: HashMap<String, i64> = locality::Entity::find()
            .filter(locality::Column::LaId.eq(self.la_id))
            .all(ctx.db)
            .await?
            .into_iter()
            .map(|l| (l.name, l.id))
            .collect();
        let team_ids: HashMap<String, i64> = team::Entity::find()
            .filter(team::Column::LaId.eq(self.la_id))
            .all(ctx.db)
            .await?
            .into_iter()
            .map(|t| (t.name, t.id))
            .collect();

        // Staff.
        let staff_rows: Vec<_> = c
            .staff
            .iter()
            .map(|s| {
                let (id, digest) = self.imported(Sheet::Staff, &s.row.staff_id);
                (s, id, digest)
            })
            .collect();
        self.each(Sheet::Staff, staff_rows, |(s, id, digest)| {
            let team_ids = &team_ids;
            async move {
                let team_id = s.row.team.as_ref().and_then(|t| team_ids.get(t).copied());
                match id {
                    Some(_) if digest.as_deref() == Some(s.digest.as_str()) => {
                        Ok(Outcome::Unchanged)
                    }
                    Some(id) => {
                        expect(
                            Sheet::Staff,
                            &s.row.staff_id,
                            &s.digest,
                            "staff",
                            AuditAction::Update,
                        );
                        let existing = staff::Entity::find_by_id(id)
                            .one(ctx.db)
                            .await?
                            .ok_or_else(|| ApiError::not_found("staff member"))?;
                        let patch = people::StaffPatch {
                            subject: changed(&existing.subject, &s.row.subject),
                            name: changed(&existing.name, &s.row.name),
                            email: changed(&existing.email, &s.row.email),
                            team_id: changed(&existing.team_id, &team_id),
                            role: (existing.role != s.row.role.as_str()).then_some(s.row.role),
                            active: None,
                        };
                        people::update_staff(ctx, id, patch).await?;
                        kept_digest(ctx, Sheet::Staff, &s.row.staff_id, id, &s.digest).await?;
                        Ok(Outcome::Updated)
                    }
                    None => {
                        expect(
                            Sheet::Staff,
                            &s.row.staff_id,
                            &s.digest,
                            "staff",
                            AuditAction::Create,
                        );
                        people::create_staff(
                            ctx,
                            StaffInput {
                                local_authority_id: la,
                                team_id,
                                subject: s.row.subject.clone(),
                                name: s.row.name.clone(),
                                email: s.row.email.clone(),
                                role: s.row.role,
                            },
                        )
                        .await?;
                        Ok(Outcome::Created)
                    }
                }
            }
        })
        .await?;

        // Professionals.
        let rows: Vec<_> = c
            .professionals
            .iter()
            .map(|p| {
                let (id, digest) = self.imported(Sheet::Professionals, &p.row.professional_id);
                (p, id, digest)
            })
            .collect();
        self.each(Sheet::Professionals, rows, |(p, id, digest)| async move {
            match id {
                Some(_) if digest.as_deref() == Some(p.digest.as_str()) => Ok(Outcome::Unchanged),
                Some(id) => {
                    let existing = crate::store::entity::professional::Entity::find_by_id(id)
                        .one(ctx.db)
                        .await?
                        .ok_or_else(|| ApiError::not_found("professional"))?;
                    if existing.service != p.row.service.as_str() {
                        return Ok(Outcome::NotApplied(not_applied(
                            Sheet::Professionals,
                            p,
                            "service",
                            p.row.service.as_str(),
                            "a professional's service is not changed by an import: add them again \
                             with a new id",
                        )));
                    }
                    expect(
                        Sheet::Professionals,
                        &p.row.professional_id,
                        &p.digest,
                        "professional",
                        AuditAction::Update,
                    );
                    people::update_professional(
                        ctx,
                        id,
                        people::ProfessionalPatch {
                            subject: changed(&existing.subject, &p.row.subject),
                            name: changed(&existing.name, &p.row.name),
                            organisation: changed(&existing.organisation, &p.row.organisation),
                            email: changed(&existing.email, &p.row.email),
                            active: None,
                        },
                    )
                    .await?;
                    kept_digest(
                        ctx,
                        Sheet::Professionals,
                        &p.row.professional_id,
                        id,
                        &p.digest,
                    )
                    .await?;
                    Ok(Outcome::Updated)
                }
                None => {
                    expect(
                        Sheet::Professionals,
                        &p.row.professional_id,
                        &p.digest,
                        "professional",
                        AuditAction::Create,
                    );
                    people::create_professional(
                        ctx,
                        ProfessionalInput {
                            local_authority_id: la,
                            subject: p.row.subject.clone(),
                            name: p.row.name.clone(),
                            service: p.row.service,
                            organisation: p.row.organisation.clone(),
                            email: p.row.email.clone(),
                        },
                    )
                    .await?;
                    Ok(Outcome::Created)
                }
            }
        })
        .await?;

        // Children.
        let rows: Vec<_> = c
            .children
            .iter()
            .map(|ch| {
                let (id, digest) = self.imported(Sheet::Children, &ch.row.child_id);
                (ch, id, digest)
            })
            .collect();
        let locality_ids = &locality_ids;
        self.each(Sheet::Children, rows, |(ch, id, digest)| async move {
            let r = &ch.row;
            let locality_id = locality_ids[&r.locality];
            match id {
                Some(_) if digest.as_deref() == Some(ch.digest.as_str()) => Ok(Outcome::Unchanged),
                Some(id) => {
                    let existing = child::Entity::find_by_id(id)
                        .one(ctx.db)
                        .await?
                        .ok_or_else(|| ApiError::not_found("child"))?;
                    if existing.subject != r.subject {
                        return Ok(Outcome::NotApplied(not_applied(
                            Sheet::Children,
                            ch,
                            "subject",
                            r.subject.as_deref().unwrap_or(""),
                            "a young person's sign-in is changed in the API, not by an import",
                        )));
                    }
                    let patch = ChildPatch {
                        legal_name: changed(&existing.legal_name, &r.legal_name),
                        preferred_name: changed(&existing.preferred_name, &r.preferred_name),
                        date_of_birth: changed(&existing.date_of_birth, &r.date_of_birth),
                        locality_id: changed(&existing.locality_id, &locality_id),
                        current_setting: changed(&existing.current_setting, &r.current_setting),
                        nc_year_override: changed(&existing.nc_year_override, &r.nc_year_override)
                            .map(|y| y.map(i32::from)),
                        // A SEN2 item the row gives is set; an empty cell (or a file without
                        // the column) leaves what the record holds.
                        details: {
                            let held = people::details_of(&existing).values();
                            let mut new = r.details.values().map(|v| v.map(Some));
                            for (n, h) in new.iter_mut().zip(held) {
                                if n.as_ref().is_some_and(|n| *n == h) {
                                    *n = None;
                                }
                            }
                            new
                        },
                    };
                    let any = patch.legal_name.is_some()
                        || patch.preferred_name.is_some()
                        || patch.date_of_birth.is_some()
                        || patch.locality_id.is_some()
                        || patch.current_setting.is_some()
                        || patch.nc_year_override.is_some()
                        || patch.details.iter().any(Option::is_some);
                    if any {
                        people::update_child(ctx, id, existing.version, patch).await?;
                    }
                    kept_digest(ctx, Sheet::Children, &r.child_id, id, &ch.digest).await?;
                    Ok(if any {
                        Outcome::Updated
                    } else {
                        Outcome::Unchanged
                    })
                }
                None => {
                    expect(
                        Sheet::Children,
                        &r.child_id,
                        &ch.digest,
                        "child",
                        AuditAction::Create,
                    );
                    people::create_child(
                        ctx,
                        ChildInput {
                            legal_name: r.legal_name.clone(),
                            preferred_name: r.preferred_name.clone(),
                            date_of_birth: r.date_of_birth,
                            locality_id,
                            current_setting: r.current_setting.clone(),
                            nc_year_override: r.nc_year_override.map(i32::from),
                            subject: r.subject.clone(),
                            details: r.details.clone(),
                        },
                    )
                    .await?;
                    Ok(Outcome::Created)
                }
            }
        })
        .await?;

        // Parents.
        let rows: Vec<_> = c
            .parents
            .iter()
            .map(|p| {
                let (id, digest) = self.imported(Sheet::Parents, &p.row.parent_id);
                (p, id, digest)
            })
            .collect();
        self.each(Sheet::Parents, rows, |(p, id, digest)| async move {
            match id {
                Some(_) if digest.as_deref() == Some(p.digest.as_str()) => Ok(Outcome::Unchanged),
                Some(_) => Ok(Outcome::NotApplied(not_applied(
                    Sheet::Parents,
                    p,
                    "",
                    &p.row.parent_id,
                    "a parent's details changed: there is no use case to change them yet, so \
                     the import leaves them",
                ))),
                None => {
                    expect(
                        Sheet::Parents,
                        &p.row.parent_id,
                        &p.digest,
                        "parent",
                        AuditAction::Create,
                    );
                    people::create_parent(
                        ctx,
                        ParentInput {
                            local_authority_id: la,
                            subject: p.row.subject.clone(),
                            name: p.row.name.clone(),
                            email: p.row.email.clone(),
                            phone: p.row.phone.clone(),
                        },
                    )
                    .await?;
                    Ok(Outcome::Created)
                }
            }
        })
        .await?;

        // Links, known by the pair.
        let rows: Vec<_> = c
            .links
            .iter()
            .map(|l| {
                (
                    l,
                    self.id_of(Sheet::Parents, &l.row.parent_id),
                    self.id_of(Sheet::Children, &l.row.child_id),
                )
            })
            .collect();
        self.each(
            Sheet::ParentLinks,
            rows,
            |(l, parent_id, child_id)| async move {
                let (Some(parent_id), Some(child_id)) = (parent_id, child_id) else {
                    return Err(ApiError::validation(
                        "parent_links",
                        "a link's parent or child was not imported",
                    ));
                };
                let linked = child_parent::Entity::find()
                    .filter(child_parent::Column::ChildId.eq(child_id))
                    .filter(child_parent::Column::ParentId.eq(parent_id))
                    .one(ctx.db)
                    .await?;
                match linked {
                    Some(link) if link.relationship == l.row.relationship => Ok(Outcome::Unchanged),
                    Some(_) => Ok(Outcome::NotApplied(not_applied(
                        Sheet::ParentLinks,
                        l,
                        "relationship",
                        &l.row.relationship,
                        "the relationship changed: unlink and link again in the API",
                    ))),
                    None => {
                        people::link_parent(ctx, child_id, parent_id, Some(&l.row.relationship))
                            .await?;
                        Ok(Outcome::Created)
                    }
                }
            },
        )
        .await?;

        // Plans.
        let rows: Vec<_> = c
            .plans
            .iter()
            .map(|p| {
                (
                    p,
                    self.id_of(Sheet::Plans, &p.row.plan_id),
                    self.digest_of(Sheet::Plans, &p.row.plan_id)
                        .map(str::to_owned),
                    self.id_of(Sheet::Children, &p.row.child_id),
                )
            })
            .collect();
        self.each(Sheet::Plans, rows, |(p, id, digest, child_id)| async move {
            let r = &p.row;
            match id {
                Some(_) if digest.as_deref() == Some(p.digest.as_str()) => Ok(Outcome::Unchanged),
                Some(_) => Ok(Outcome::NotApplied(not_applied(
                    Sheet::Plans,
                    p,
                    "",
                    &r.plan_id,
                    "an imported plan's row changed: a plan moves on through its reviews and \
                     amendments in the API",
                ))),
                None => {
                    let child_id = child_id.ok_or_else(|| {
                        ApiError::validation("child_id", "the plan's child was not imported")
                    })?;
                    expect(
                        Sheet::Plans,
                        &r.plan_id,
                        &p.digest,
                        "ehc_plan",
                        AuditAction::Enter,
                    );
                    plans::enter_plan(
                        ctx,
                        NewPlan {
                            child_id,
                            issued_on: r.issued_on,
                            named_setting: r.named_setting.clone(),
                            last_review_decision_on: r.last_review_decision_on,
                            primary_need: r.primary_need,
                            secondary_needs: r.secondary_needs.clone(),
                            transferred_in_on: r.transferred_in_on,
                            transferred_from: r.transferred_from.clone(),
                            // Where the child is placed now and the budget (SEN2 5.7 and
                            // 4.4), written with the plan.
                            placements: r.placement.iter().cloned().collect(),
                            personal_budget: r.personal_budget.clone(),
                        },
                    )
                    .await?;
                    Ok(Outcome::Created)
                }
            }
        })
        .await?;

        // Amendments in progress, before the reviews in progress: an amendment's review is
        // the plan's last one, decided before any review now under way was arranged.
        let rows: Vec<_> = c
            .amendments
            .iter()
            .map(|a| {
                (
                    a,
                    self.imported(Sheet::Amendments, &a.row.amendment_id),
                    self.id_of(Sheet::Plans, &a.row.plan_id),
                )
            })
            .collect();
        self.each(
            Sheet::Amendments,
            rows,
            |(a, (id, digest), plan_id)| async move {
                if id.is_some() && digest.as_deref() == Some(a.digest.as_str()) {
                    return Ok(Outcome::Unchanged);
                }
                replay_amendment(ctx, a, id, plan_id).await
            },
        )
        .await?;

        // Reviews in progress, each replayed step by step.
        let rows: Vec<_> = c
            .reviews
            .iter()
            .map(|r| {
                (
                    r,
                    self.imported(Sheet::Reviews, &r.row.review_id),
                    self.id_of(Sheet::Plans, &r.row.plan_id),
                )
            })
            .collect();
        self.each(
            Sheet::Reviews,
            rows,
            |(r, (id, digest), plan_id)| async move {
                if id.is_some() && digest.as_deref() == Some(r.digest.as_str()) {
                    return Ok(Outcome::Unchanged);
                }
                replay_review(ctx, r, id, plan_id).await
            },
        )
        .await?;

        // Assessments, each with its advice requests, replayed step by step.
        let mut advice_of: HashMap<&str, Vec<&Line<AdviceRow>>> = HashMap::new();
        for a in &c.advice {
            advice_of
                .entry(a.row.assessment_id.as_str())
                .or_default()
                .push(a);
        }
        let rows: Vec<_> = c
            .assessments
            .iter()
            .map(|a| {
                let advice = advice_of
                    .remove(a.row.assessment_id.as_str())
                    .unwrap_or_default();
                let unchanged = self.digest_of(Sheet::Assessments, &a.row.assessment_id)
                    == Some(a.digest.as_str())
                    && advice.iter().all(|v| {
                        self.digest_of(Sheet::AdviceRequests, &v.row.advice_id)
                            == Some(v.digest.as_str())
                    });
                let advice_ids: Vec<Option<i64>> = advice
                    .iter()
                    .map(|v| self.id_of(Sheet::AdviceRequests, &v.row.advice_id))
                    .collect();
                let professionals: Vec<Option<i64>> = advice
                    .iter()
                    .map(|v| {
                        v.row
                            .professional_id
                            .as_ref()
                            .and_then(|p| self.id_of(Sheet::Professionals, p))
                    })
                    .collect();
                (
                    a,
                    advice,
                    (advice_ids, professionals),
                    unchanged,
                    self.id_of(Sheet::Assessments, &a.row.assessment_id),
                    self.id_of(Sheet::Children, &a.row.child_id),
                    a.row
                        .caseworker
                        .as_ref()
                        .and_then(|s| self.id_of(Sheet::Staff, s)),
                )
            })
            .collect();
        self.each(
            Sheet::Assessments,
            rows,
            |(a, advice, (advice_ids, professionals), unchanged, id, child_id, caseworker_id)| async move {
                if unchanged {
                    return Ok(Outcome::Unchanged);
                }
                replay_assessment(
                    ctx,
                    a,
                    &advice,
                    (advice_ids, professionals),
                    (id, child_id, caseworker_id),
                )
                .await
            },
        )
        .await?;
        self.reload(Sheet::AdviceRequests).await?;
        self.apply_exceptions(c).await?;
        // Advice rows are counted with their assessments.
        let advice_rows = c.advice.len() as u64;
        if advice_rows > 0 {
            self.report
                .committed
                .entry(Sheet::AdviceRequests.name())
                .or_default();
            self.done += advice_rows;
            (self.progress)(Sheet::AdviceRequests.name(), self.done, self.total);
        }
        Ok(())
    }
}

impl Applier<'_, '_> {
    /// Exceptions to the assessments' time limits, once their assessments and advice are in.
    async fn apply_exceptions(&mut self, c: &Caseload) -> ApiResult<()> {
        let ctx = self.ctx;
        let rows: Vec<_> = c
            .exceptions
            .iter()
            .map(|e| {
                (
                    e,
                    self.imported(Sheet::Exceptions, &e.row.exception_id),
                    self.id_of(Sheet::Assessments, &e.row.assessment_id),
                    e.row
                        .advice_id
                        .as_ref()
                        .and_then(|a| self.id_of(Sheet::AdviceRequests, a)),
                )
            })
            .collect();
        self.each(
            Sheet::Exceptions,
            rows,
            |(e, (id, digest), assessment_id, advice_id)| async move {
                let r = &e.row;
                match id {
                    Some(_) if digest.as_deref() == Some(e.digest.as_str()) => {
                        Ok(Outcome::Unchanged)
                    }
                    Some(_) => Ok(Outcome::NotApplied(not_applied(
                        Sheet::Exceptions,
                        e,
                        "",
                        &r.exception_id,
                        "an imported exception's row changed: correct it in the API",
                    ))),
                    None => {
                        let assessment_id = assessment_id.ok_or_else(|| {
                            ApiError::validation(
                                "assessment_id",
                                "the exception's assessment was not imported",
                            )
                        })?;
                        let version = casework::load(ctx, assessment_id).await?.row.version;
                        expect_in(
                            Sheet::Exceptions,
                            &r.exception_id,
                            &e.digest,
                            "assessment",
                            AuditAction::RecordException,
                            Some("exceptionId"),
                        );
                        casework::record_exception(
                            ctx,
                            assessment_id,
                            version,
                            NewException {
                                reason_code: r.reason.clone(),
                                starts_on: r.starts_on,
                                ends_on: r.ends_on,
                                note: r.note.clone(),
                                advice_request_id: advice_id,
                            },
                        )
                        .await?;
                        Ok(Outcome::Created)
                    }
                }
            },
        )
        .await
    }
}

/// Arranges an imported review (or resumes one imported before) and records the steps its
/// row gives that are not yet recorded, each on its own date, through the review's use cases.
async fn replay_review(
    ctx: &Ctx<'_>,
    line: &Line<ReviewRow>,
    id: Option<i64>,
    plan_id: Option<i64>,
) -> ApiResult<Outcome> {
    let r = &line.row;
    let steps =
        review_steps(r).map_err(|(column, message)| ApiError::validation(column, message))?;
    let (mut record, created) = match id {
        Some(id) => (plans::load_review(ctx, id).await?, false),
        None => {
            let plan_id = plan_id.ok_or_else(|| {
                ApiError::validation("plan_id", "the review's plan was not imported")
            })?;
            let plan = plans::load_plan(ctx, plan_id).await?;
            expect(
                Sheet::Reviews,
                &r.review_id,
                PENDING,
                "annual_review",
                AuditAction::Schedule,
            );
            let record = plans::schedule_review(
                ctx,
                Target::new(plan_id, plan.row.version, Some(r.scheduled_on)),
                r.kind,
                r.meeting_on,
            )
            .await?;
            (record, true)
        }
    };
    let mut not_applied_steps = Vec::new();
    let mut applied = false;
    // A review decided or cancelled since it was imported takes no further steps.
    if !created && record.state()?.is_closed() {
        return Ok(Outcome::NotApplied(not_applied(
            Sheet::Reviews,
            line,
            "",
            &r.review_id,
            &format!(
                "the review was {} since it was imported: its row is left as it is",
                record.row.state.to_ascii_lowercase()
            ),
        )));
    }
    if !created
        && !record.row.meeting_held
        && !r.meeting_held
        && record.row.meeting_on != r.meeting_on
    {
        not_applied_steps.push(format!(
            "the meeting is arranged for {} (reschedule it in the API)",
            record.row.meeting_on
        ));
    }
    for step in steps {
        let row = &record.row;
        let recorded = match step {
            ReviewStep::SendInvitations(_) => row.invitations_sent_on,
            ReviewStep::CirculateAdvice(_) => row.advice_circulated_on,
            ReviewStep::HoldMeeting(_) => row.meeting_held.then_some(row.meeting_on),
            ReviewStep::RecordReport(_) => row.report_received_on,
        };
        if let Some(on) = recorded {
            if on != step.on() {
                not_applied_steps.push(format!("{} is recorded on {on}", step.action().as_str()));
            }
            continue;
        }
        let target = Target::new(row.id, row.version, Some(step.on()));
        applied = true;
        record = match step {
            ReviewStep::SendInvitations(_) => plans::send_invitations(ctx, target).await?,
            ReviewStep::CirculateAdvice(_) => plans::circulate_advice(ctx, target).await?,
            ReviewStep::HoldMeeting(_) => plans::hold_meeting(ctx, target).await?,
            ReviewStep::RecordReport(_) => plans::record_report(ctx, target).await?,
        };
    }
    kept_digest(
        ctx,
        Sheet::Reviews,
        &r.review_id,
        record.row.id,
        &line.digest,
    )
    .await?;
    if !not_applied_steps.is_empty() {
        return Ok(Outcome::NotApplied(not_applied(
            Sheet::Reviews,
            line,
            "",
            &r.review_id,
            &format!(
                "the review moved on since it was imported: {}",
                not_applied_steps.join("; ")
            ),
        )));
    }
    Ok(Outcome::replayed(created, applied))
}

/// Starts an imported amendment (or resumes one imported before) and records the steps its
/// row gives that are not yet recorded, through the use cases. One a review decided on is
/// replayed as that review: arranged and held on its meeting day, decided (AMEND) on the
/// plan's last review decision, exactly as a caseworker entering it by hand would; changes
/// proposed outside a review start with their notice.
async fn replay_amendment(
    ctx: &Ctx<'_>,
    line: &Line<AmendmentRow>,
    id: Option<i64>,
    plan_id: Option<i64>,
) -> ApiResult<Outcome> {
    let r = &line.row;
    let left = |message: String| {
        Ok(Outcome::NotApplied(not_applied(
            Sheet::Amendments,
            line,
            "",
            &r.amendment_id,
            &message,
        )))
    };
    let (mut record, created) = match id {
        Some(id) => (plans::load_amendment(ctx, id).await?, false),
        None => {
            let plan_id = plan_id.ok_or_else(|| {
                ApiError::validation("plan_id", "the amendment's plan was not imported")
            })?;
            let plan = plans::load_plan(ctx, plan_id).await?;
            if let Some(open) = &plan.open_amendment {
                return left(format!(
                    "the plan has an amendment under way in the system (id {}): the row is \
                     left as it is",
                    open.id
                ));
            }
            let record = match r.review_meeting_on {
                Some(meeting) => {
                    let decided = match plan.row.last_review_decision_on {
                        Some(d) if d >= meeting => d,
                        held => {
                            return left(format!(
                                "the plan's last review decision in the system is {}: an \
                                 amendment in progress comes from that review",
                                held.map_or_else(|| "none".to_owned(), |d| d.to_string())
                            ));
                        }
                    };
                    // A run stopped part way leaves the review it arranged (or held) and no
                    // amendment: go on from there. Any other review under way is the
                    // council's own, and the row waits until it is finished.
                    let arranged =
                        refs::find(ctx.db, plan.row.la_id, AMENDMENT_REVIEW, &r.amendment_id)
                            .await?
                            .map(|r| r.entity_id);
                    let resumed = match &plan.open_review {
                        Some(open) if Some(open.id) == arranged => {
                            let review = plans::load_review(ctx, open.id).await?;
                            if review.row.meeting_on != meeting
                                || review.row.kind != r.review_kind.as_str()
                            {
                                return left(format!(
                                    "an earlier run arranged its review (id {}) as {} on {}: \
                                     the row is left as it is",
                                    open.id, review.row.kind, review.row.meeting_on
                                ));
                            }
                            Some(review)
                        }
                        Some(open) => {
                            return left(format!(
                                "the plan has a review under way in the system (id {}, meeting \
                                 on {}): finish it before the amendment its last review decided",
                                open.id, open.meeting_on
                            ));
                        }
                        None => None,
                    };
                    let review = match resumed {
                        Some(review) => review,
                        None => {
                            // Arranging a review answers the family's open request for one;
                            // a past review replayed must not. (A request made between this
                            // read and the review's transaction would still be answered: a
                            // window of milliseconds during an import, accepted.)
                            if let Some(asked) = open_meeting_request(ctx, plan_id).await? {
                                return left(format!(
                                    "the family asked for a review meeting on {asked}, not yet \
                                     answered: answer it in the API before the amendment its \
                                     last review decided is imported"
                                ));
                            }
                            RUN.try_with(|run| {
                                run.expect(PendingRef {
                                    kind: AMENDMENT_REVIEW,
                                    source_id: r.amendment_id.clone(),
                                    digest: PENDING.to_owned(),
                                    entity: "annual_review",
                                    action: AuditAction::Schedule,
                                    id_in_summary: None,
                                })
                            })
                            .ok();
                            plans::schedule_review(
                                ctx,
                                Target::new(plan_id, plan.row.version, Some(meeting)),
                                r.review_kind,
                                meeting,
                            )
                            .await?
                        }
                    };
                    let review = if review.row.meeting_held {
                        review
                    } else {
                        plans::hold_meeting(
                            ctx,
                            Target::new(review.row.id, review.row.version, Some(meeting)),
                        )
                        .await?
                    };
                    // A notice sent the day of the decision goes with it (Devon), as in the API.
                    let with_notice = r.notice_sent_on == Some(decided);
                    expect(
                        Sheet::Amendments,
                        &r.amendment_id,
                        PENDING,
                        "plan_amendment",
                        AuditAction::Start,
                    );
                    let review = plans::decide(
                        ctx,
                        Target::new(review.row.id, review.row.version, Some(decided)),
                        plans::ReviewDecisionInput {
                            decision: ReviewDecision::Amend,
                            reasons: None,
                            appeal_rights_given: true,
                            proposed_changes: r.proposed_changes.clone().filter(|_| with_notice),
                            phase_transfer: false,
                        },
                    )
                    .await?;
                    plans::amendment_of_review(ctx, review.row.id)
                        .await?
                        .ok_or_else(|| {
                            ApiError::Internal(anyhow::anyhow!(
                                "review {} decided to amend without an amendment",
                                review.row.id
                            ))
                        })?
                }
                None => {
                    let notice = r.notice_sent_on.ok_or_else(|| {
                        ApiError::validation(
                            "notice_sent_on",
                            "changes proposed outside a review start with their notice",
                        )
                    })?;
                    expect(
                        Sheet::Amendments,
                        &r.amendment_id,
                        PENDING,
                        "plan_amendment",
                        AuditAction::Propose,
                    );
                    plans::propose_amendment(
                        ctx,
                        Target::new(plan_id, plan.row.version, Some(notice)),
                        r.proposed_changes.as_deref().unwrap_or_default(),
                    )
                    .await?
                }
            };
            (record, true)
        }
    };
    if (!created && record.state()?.is_closed()) || record.row.closed_on.is_some() {
        return left(format!(
            "the amendment was {} since it was imported: its row is left as it is",
            record.row.state.to_ascii_lowercase().replace('_', " ")
        ));
    }
    let mut not_applied_steps = Vec::new();
    if !created && record.row.meeting_on != r.review_meeting_on {
        not_applied_steps.push(format!(
            "its review meeting is recorded as {}",
            record
                .row
                .meeting_on
                .map_or_else(|| "none".to_owned(), |d| d.to_string())
        ));
    }
    if !created && let Some(review_id) = record.row.review_id {
        let kind = plans::load_review(ctx, review_id).await?.row.kind;
        if kind != r.review_kind.as_str() {
            not_applied_steps.push(format!("its review is recorded as {kind}"));
        }
    }
    let mut applied = false;
    match (record.row.notice_sent_on, r.notice_sent_on) {
        (Some(held), Some(on)) if held != on => {
            not_applied_steps.push(format!("the notice is recorded on {held}"));
        }
        (Some(_), Some(_)) if record.row.proposed_changes != r.proposed_changes => {
            not_applied_steps.push("the notice's proposed changes are recorded as sent".into());
        }
        (None, Some(on)) => {
            applied = true;
            record = plans::send_amendment_notice(
                ctx,
                Target::new(record.row.id, record.row.version, Some(on)),
                r.proposed_changes.as_deref().unwrap_or_default(),
            )
            .await?;
        }
        _ => {}
    }
    match (record.row.parent_responded_on, r.family_responded_on) {
        (Some(held), Some(on)) if held != on => {
            not_applied_steps.push(format!("the family's response is recorded on {held}"));
        }
        (Some(_), Some(_))
            if record.row.parent_comments != r.family.comments
                || record.row.parent_meeting_requested != r.family.meeting_requested
                || record.row.parent_requested_setting != r.family.requested_setting =>
        {
            not_applied_steps.push("the family's response is recorded as they gave it".into());
        }
        (None, Some(on)) => {
            applied = true;
            record = plans::record_amendment_response(
                ctx,
                Target::new(record.row.id, record.row.version, Some(on)),
                r.family.clone(),
            )
            .await?;
        }
        _ => {}
    }
    kept_digest(
        ctx,
        Sheet::Amendments,
        &r.amendment_id,
        record.row.id,
        &line.digest,
    )
    .await?;
    if !not_applied_steps.is_empty() {
        return left(format!(
            "the amendment moved on since it was imported: {}",
            not_applied_steps.join("; ")
        ));
    }
    Ok(Outcome::replayed(created, applied))
}

/// `Some(new)` when it differs from what is held.
fn changed<T: PartialEq + Clone>(held: &T, new: &T) -> Option<T> {
    (held != new).then(|| new.clone())
}

fn not_applied<T>(
    sheet: Sheet,
    line: &Line<T>,
    column: &str,
    value: &str,
    message: &str,
) -> Problem {
    Problem {
        sheet: sheet.name(),
        row: line.line,
        column: column.to_owned(),
        value: value.to_owned(),
        message: message.to_owned(),
    }
}

/// The digest a replayed case's council id is kept with when its record is made, until the
/// row's last step is recorded and [`kept_digest`] writes the row's own: a run that stops
/// between the steps leaves a digest no row has, so the next run goes on from there.
const PENDING: &str = "pending";

/// The kind of source id an amendment row keeps for the review it arranges (the amendment's
/// own id), so a run that stopped after arranging it resumes that review and no other.
const AMENDMENT_REVIEW: &str = "amendment_review";

/// The day the family asked for a review meeting, when their request is not yet answered.
async fn open_meeting_request(ctx: &Ctx<'_>, plan_id: i64) -> ApiResult<Option<NaiveDate>> {
    Ok(review_meeting_request::Entity::find()
        .select_only()
        .column(review_meeting_request::Column::RequestedOn)
        .filter(review_meeting_request::Column::PlanId.eq(plan_id))
        .filter(review_meeting_request::Column::AnsweredOn.is_null())
        .into_tuple()
        .one(ctx.db)
        .await?)
}

/// Tells the running import which record the next creation (or update) is, so the council's
/// id is kept in that change's own transaction.
fn expect(sheet: Sheet, source_id: &str, digest: &str, entity: &'static str, action: AuditAction) {
    expect_in(sheet, source_id, digest, entity, action, None);
}

fn expect_in(
    sheet: Sheet,
    source_id: &str,
    digest: &str,
    entity: &'static str,
    action: AuditAction,
    id_in_summary: Option<&'static str>,
) {
    let pending = PendingRef {
        kind: sheet.kind(),
        source_id: source_id.to_owned(),
        digest: digest.to_owned(),
        entity,
        action,
        id_in_summary,
    };
    let _ = RUN.try_with(|r| r.expect(pending));
}

/// Records the row's new digest once its change is written (an update with no change, or
/// one whose event did not claim it).
async fn kept_digest(
    ctx: &Ctx<'_>,
    sheet: Sheet,
    source: &str,
    id: i64,
    digest: &str,
) -> ApiResult<()> {
    let (la_id, batch_id) = RUN
        .try_with(|r| (r.la_id, r.batch_id))
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("no import run")))?;
    refs::keep(ctx.db, la_id, sheet.kind(), source, id, batch_id, digest).await?;
    let _ = RUN.try_with(|r| r.expect_nothing());
    Ok(())
}

/// Brings one assessment to where its row says, creating it if new and doing only the steps
/// not yet recorded (a re-run, or a run that stopped part way, goes on from there). A step
/// already recorded on another day than the file's is reported, not changed.
async fn replay_assessment(
    ctx: &Ctx<'_>,
    a: &Line<AssessmentRow>,
    advice: &[&Line<AdviceRow>],
    (mut advice_ids, professionals): (Vec<Option<i64>>, Vec<Option<i64>>),
    (id, child_id, caseworker_id): (Option<i64>, Option<i64>, Option<i64>),
) -> ApiResult<Outcome> {
    let r = &a.row;
    let rows: Vec<&AdviceRow> = advice.iter().map(|l| &l.row).collect();
    let steps =
        assessment_steps(r, &rows).map_err(|(_, m)| ApiError::validation("assessments", m))?;
    let created = id.is_none();
    let id = match id {
        Some(id) => id,
        None => {
            let child_id = child_id.ok_or_else(|| {
                ApiError::validation("child_id", "the assessment's child was not imported")
            })?;
            expect(
                Sheet::Assessments,
                &r.assessment_id,
                PENDING,
                "assessment",
                AuditAction::Request,
            );
            casework::request(
                ctx,
                NewAssessment {
                    child_id,
                    kind: r.kind,
                    requested_by: r.requested_by,
                    received_on: Some(r.received_on),
                    caseworker_id,
                    relevant_youth_accommodation: r.relevant_youth_accommodation,
                },
            )
            .await?
            .row
            .id
        }
    };
    let mut record = casework::load(ctx, id).await?;
    let mut not_applied_steps = Vec::new();
    let mut applied = false;
    for step in steps {
        let target = Target::new(id, record.row.version, Some(step.on()));
        let held = &record.row;
        let done_on = match &step {
            AssessmentStep::DecideToAssess(_) => held.decided_to_assess_on,
            AssessmentStep::DecideNotToAssess(_) => held.decided_not_to_assess_on,
            AssessmentStep::SendDraft(_) => held.draft_sent_on,
            AssessmentStep::RequestAdvice(i, _) => advice_ids[*i].and_then(|aid| {
                record
                    .advice
                    .iter()
                    .find(|v| v.id == aid)
                    .map(|v| v.requested_on)
            }),
            AssessmentStep::AnswerAdvice(i, _) => advice_ids[*i].and_then(|aid| {
                record
                    .advice
                    .iter()
                    .find(|v| v.id == aid)
                    .and_then(|v| v.received_on.or(v.declined_on))
            }),
        };
        if let Some(on) = done_on {
            if on != step.on() {
                not_applied_steps.push(format!("{:?} is recorded on {on}", step));
            }
            continue;
        }
        applied = true;
        record = match step {
            AssessmentStep::DecideToAssess(_) => {
                casework::decide_to_assess(ctx, target, r.decision_reasons.as_deref()).await?
            }
            AssessmentStep::DecideNotToAssess(_) => {
                casework::decide_not_to_assess(
                    ctx,
                    target,
                    r.decision_reasons.as_deref().unwrap_or(""),
                    true,
                )
                .await?
            }
            AssessmentStep::SendDraft(_) => casework::send_draft(ctx, target).await?,
            AssessmentStep::RequestAdvice(i, _) => {
                let v = &advice[i];
                expect_in(
                    Sheet::AdviceRequests,
                    &v.row.advice_id,
                    PENDING,
                    "assessment",
                    AuditAction::RequestAdvice,
                    Some("adviceRequestId"),
                );
                let professional_id = match &v.row.professional_id {
                    Some(_) => Some(professionals[i].ok_or_else(|| {
                        ApiError::validation("professional_id", "unknown professional")
                    })?),
                    None => None,
                };
                let before: Vec<i64> = record.advice.iter().map(|x| x.id).collect();
                let next = casework::request_advice(
                    ctx,
                    target,
                    NewAdviceRequest {
                        service: v.row.service,
                        professional_id,
                        addressed_to: None,
                    },
                )
                .await?;
                advice_ids[i] = next
                    .advice
                    .iter()
                    .map(|x| x.id)
                    .find(|x| !before.contains(x));
                next
            }
            AssessmentStep::AnswerAdvice(i, _) => {
                let v = &advice[i];
                let aid = advice_ids[i].ok_or_else(|| {
                    ApiError::validation("advice_id", "the advice request was not made")
                })?;
                match v.row.declined_on {
                    Some(_) => {
                        casework::decline_advice(
                            ctx,
                            target,
                            aid,
                            v.row.note.as_deref().unwrap_or(""),
                        )
                        .await?
                    }
                    None => {
                        casework::record_advice_received(
                            ctx,
                            target,
                            aid,
                            v.row
                                .note
                                .as_deref()
                                .unwrap_or(ADVICE_RECEIVED_WITHOUT_NOTE),
                            None,
                        )
                        .await?
                    }
                }
            }
        };
    }
    // The rows' digests, now that they are applied.
    for (v, aid) in advice.iter().zip(&advice_ids) {
        if let Some(aid) = aid {
            kept_digest(
                ctx,
                Sheet::AdviceRequests,
                &v.row.advice_id,
                *aid,
                &v.digest,
            )
            .await?;
        }
    }
    kept_digest(ctx, Sheet::Assessments, &r.assessment_id, id, &a.digest).await?;
    if !not_applied_steps.is_empty() {
        return Ok(Outcome::NotApplied(not_applied(
            Sheet::Assessments,
            a,
            "",
            &r.assessment_id,
            &format!(
                "steps already recorded on other days are left as they are: {}",
                not_applied_steps.join("; ")
            ),
        )));
    }
    Ok(Outcome::replayed(created, applied))
}
