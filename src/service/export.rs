//! Letting records leave: a family's subject access export, and a whole council's caseload in
//! the import templates' format (`ehcp export`).
//!
//! - **Subject access**: everything held about one child and their parents, table by table,
//!   every column as stored: the child, parents and links, plans and their versions, reviews,
//!   amendments, meeting requests, assessments with their exceptions, consultations and
//!   advice, deadlines and delays, disputes, complaints and remedies, every message about the
//!   child with its delivery attempts, the child's and parents' audit trail (the timeline),
//!   and every read of the record (who viewed it). Producing it is itself logged as a read.
//! - **Council**: the rows of every import sheet (`domain::import::Sheet`), with the council's
//!   own ids where the record was imported and `EHCP-<id>` where it was made here, so that the
//!   files import into another instance (or this one, emptied) and the API answers the same.
//!   What the templates cannot hold is counted in `left_out`.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Select, prelude::Date,
};
use serde_json::Value;

use super::Ctx;
use crate::domain::access::Permission;
use crate::domain::import::{ADVICE_RECEIVED_WITHOUT_NOTE, Sheet};
use crate::domain::people::parse_date_of_birth;
use crate::error::{ApiError, ApiResult};
use crate::store::entity::{
    access_log, advice_request, annual_review, assessment, assessment_exception, audit_event,
    child, child_parent, complaint, deadline, deadline_alert, delivery_attempt, dispute, ehc_plan,
    import_ref, locality, message, parent, placement, plan_amendment, plan_version, professional,
    remedy, review_meeting_request, setting_consultation, staff, step_delay, team,
};

/// One table of an export: its name and its rows, each an object of the stored columns.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportTable {
    pub name: &'static str,
    pub rows: Vec<Value>,
}

/// Everything held about one child and their parents.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectAccess {
    pub child_id: i64,
    pub local_authority_id: i64,
    pub produced_at: chrono::DateTime<chrono::Utc>,
    pub produced_by: String,
    pub tables: Vec<ExportTable>,
}

async fn rows<E: EntityTrait>(ctx: &Ctx<'_>, select: Select<E>) -> ApiResult<Vec<Value>> {
    Ok(select.into_json().all(ctx.db).await?)
}

fn ids(rows: &[Value], column: &str) -> Vec<i64> {
    rows.iter()
        .filter_map(|r| r.get(column).and_then(Value::as_i64))
        .collect()
}

/// The subject access export of one child (managers and administrators; the child must be
/// in the actor's scope, or it is `NOT_FOUND`).
pub async fn subject_access(ctx: &Ctx<'_>, child_id: i64) -> ApiResult<SubjectAccess> {
    ctx.require(Permission::ReadAuditTrail)?;
    let record = super::people::find_child(ctx, child_id).await?;
    let mut tables = Vec::new();
    let mut add = |name: &'static str, rows: Vec<Value>| {
        tables.push(ExportTable { name, rows });
    };

    add(
        "child",
        rows(ctx, child::Entity::find_by_id(child_id)).await?,
    );
    let links = rows(
        ctx,
        child_parent::Entity::find()
            .filter(child_parent::Column::ChildId.eq(child_id))
            .order_by_asc(child_parent::Column::ParentId),
    )
    .await?;
    let parent_ids = ids(&links, "parent_id");
    add(
        "parents",
        rows(
            ctx,
            parent::Entity::find()
                .filter(parent::Column::Id.is_in(parent_ids.clone()))
                .order_by_asc(parent::Column::Id),
        )
        .await?,
    );
    add("parent_links", links);

    macro_rules! of_child {
        ($entity:ident) => {
            rows(
                ctx,
                $entity::Entity::find()
                    .filter($entity::Column::ChildId.eq(child_id))
                    .order_by_asc($entity::Column::Id),
            )
            .await?
        };
    }
    let plans = of_child!(ehc_plan);
    let plan_ids = ids(&plans, "id");
    add("plans", plans);
    add(
        "plan_versions",
        rows(
            ctx,
            plan_version::Entity::find()
                .filter(plan_version::Column::PlanId.is_in(plan_ids.clone()))
                .order_by_asc(plan_version::Column::Id),
        )
        .await?,
    );
    let reviews = of_child!(annual_review);
    let review_ids = ids(&reviews, "id");
    add("annual_reviews", reviews);
    let amendments = of_child!(plan_amendment);
    let amendment_ids = ids(&amendments, "id");
    add("plan_amendments", amendments);
    add("review_meeting_requests", of_child!(review_meeting_request));
    let assessments = of_child!(assessment);
    let assessment_ids = ids(&assessments, "id");
    add("assessments", assessments);
    let exceptions = rows(
        ctx,
        assessment_exception::Entity::find()
            .filter(assessment_exception::Column::AssessmentId.is_in(assessment_ids.clone()))
            .order_by_asc(assessment_exception::Column::Id),
    )
    .await?;
    let exception_ids = ids(&exceptions, "id");
    add("assessment_exceptions", exceptions);
    add(
        "setting_consultations",
        rows(
            ctx,
            setting_consultation::Entity::find()
                .filter(setting_consultation::Column::AssessmentId.is_in(assessment_ids.clone()))
                .order_by_asc(setting_consultation::Column::Id),
        )
        .await?,
    );
    let advice = of_child!(advice_request);
    let advice_ids = ids(&advice, "id");
    add("advice_requests", advice);
    add("deadlines", of_child!(deadline));
    add("deadline_alerts", of_child!(deadline_alert));
    add("step_delays", of_child!(step_delay));
    add("disputes", of_child!(dispute));
    add("complaints", of_child!(complaint));
    add("remedies", of_child!(remedy));
    // Messages about the child, and to the family about nothing in particular.
    let messages = rows(
        ctx,
        message::Entity::find()
            .filter(
                Condition::any()
                    .add(message::Column::ChildId.eq(child_id))
                    .add(
                        Condition::all()
                            .add(message::Column::ChildId.is_null())
                            .add(message::Column::RecipientKind.eq("PARENT"))
                            .add(message::Column::RecipientId.is_in(parent_ids.clone())),
                    ),
            )
            .order_by_asc(message::Column::Id),
    )
    .await?;
    let message_ids = ids(&messages, "id");
    add("messages", messages);
    add(
        "delivery_attempts",
        rows(
            ctx,
            delivery_attempt::Entity::find()
                .filter(delivery_attempt::Column::MessageId.is_in(message_ids))
                .order_by_asc(delivery_attempt::Column::Id),
        )
        .await?,
    );
    // The timeline: every audited change to the child's records and to the parents'.
    add(
        "timeline",
        rows(
            ctx,
            audit_event::Entity::find()
                .filter(
                    Condition::any()
                        .add(audit_event::Column::ChildId.eq(child_id))
                        .add(
                            Condition::all()
                                .add(audit_event::Column::Entity.eq("parent"))
                                .add(audit_event::Column::EntityId.is_in(parent_ids.clone())),
                        ),
                )
                .order_by_asc(audit_event::Column::Id),
        )
        .await?,
    );
    // The council's own ids for the family's records, kept from its imports.
    let mut council_ids = Condition::any();
    for (kind, entity_ids) in [
        ("child", vec![child_id]),
        ("parent", parent_ids.clone()),
        ("ehc_plan", plan_ids.clone()),
        ("assessment", assessment_ids.clone()),
        ("annual_review", review_ids.clone()),
        ("amendment_review", review_ids),
        ("plan_amendment", amendment_ids),
        ("advice_request", advice_ids),
        ("assessment_exception", exception_ids),
    ] {
        council_ids = council_ids.add(
            Condition::all()
                .add(import_ref::Column::Kind.eq(kind))
                .add(import_ref::Column::EntityId.is_in(entity_ids)),
        );
    }
    add(
        "council_ids",
        rows(
            ctx,
            import_ref::Entity::find()
                .filter(import_ref::Column::LaId.eq(record.la_id))
                .filter(council_ids)
                .order_by_asc(import_ref::Column::Kind)
                .order_by_asc(import_ref::Column::SourceId),
        )
        .await?,
    );
    super::contributions::log_read(ctx, record.la_id, child_id, "subject_access_export", None)
        .await?;
    add("views", of_child!(access_log));
    Ok(SubjectAccess {
        child_id,
        local_authority_id: record.la_id,
        produced_at: ctx.now,
        produced_by: ctx.actor.subject.clone(),
        tables,
    })
}

/// A table's rows as CSV: a header of every column (in the order of the first row, then any
/// further ones), a cell per column (empty for null; JSON for anything nested). Text that a
/// spreadsheet program would run as a formula (`=`, `+`, `-`, `@` first) is written with a
/// leading `'`: these files hold what families and others typed, and are opened in Excel.
pub fn to_csv(table: &ExportTable) -> Result<Vec<u8>, csv::Error> {
    let mut header: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for row in &table.rows {
        if let Value::Object(map) = row {
            for key in map.keys() {
                if seen.insert(key.clone()) {
                    header.push(key.clone());
                }
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header)?;
    for row in &table.rows {
        w.write_record(header.iter().map(|k| match row.get(k) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

// ---------- the whole council ----------

/// A council's caseload as the import sheets, and what the sheets cannot hold.
#[derive(Debug, Clone, Default)]
pub struct CouncilExport {
    /// Each sheet's data rows, in its template's column order.
    pub sheets: BTreeMap<Sheet, Vec<Vec<String>>>,
    /// What the templates do not carry, counted (e.g. "ceased or transferred plans" → 3).
    pub left_out: BTreeMap<&'static str, u64>,
}

impl CouncilExport {
    /// Counts one more record of `what` the templates do not carry.
    fn leave_out(&mut self, what: &'static str) {
        *self.left_out.entry(what).or_default() += 1;
    }
}

/// The sheet's id for a record: the council's own id where it was imported, else `EHCP-<id>`.
/// A record made here whose `EHCP-<id>` is already some imported record's own id (an
/// instance loaded from another's export) gets `EHCP-<id>-2` (or the next free suffix).
struct Ids {
    imported: HashMap<(String, i64), String>,
    taken: HashSet<(String, String)>,
}

impl Ids {
    fn new(refs: Vec<import_ref::Model>) -> Self {
        let taken = refs
            .iter()
            .map(|r| (r.kind.clone(), r.source_id.clone()))
            .collect();
        let imported = refs
            .into_iter()
            .map(|r| ((r.kind, r.entity_id), r.source_id))
            .collect();
        Ids { imported, taken }
    }

    fn of(&self, sheet: Sheet, id: i64) -> String {
        if let Some(source) = self.imported.get(&(sheet.kind().to_owned(), id)) {
            return source.clone();
        }
        let kind = sheet.kind().to_owned();
        let mut native = format!("EHCP-{id}");
        let mut n = 2;
        while self.taken.contains(&(kind.clone(), native.clone())) {
            native = format!("EHCP-{id}-{n}");
            n += 1;
        }
        native
    }
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Exports one local authority's caseload in the import templates' format (its managers and
/// administrators).
pub async fn council(ctx: &Ctx<'_>, la_id: i64) -> ApiResult<CouncilExport> {
    ctx.require(Permission::ManageOrganisation)?;
    if !ctx.actor.may_act_in(la_id) {
        return Err(ApiError::not_found("local authority"));
    }
    let db = ctx.db;
    let mut out = CouncilExport::default();
    let ids = Ids::new(
        import_ref::Entity::find()
            .filter(import_ref::Column::LaId.eq(la_id))
            .all(db)
            .await?,
    );

    let localities: HashMap<i64, String> = locality::Entity::find()
        .filter(locality::Column::LaId.eq(la_id))
        .order_by_asc(locality::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l.name))
        .collect();
    let mut names: Vec<(&i64, &String)> = localities.iter().collect();
    names.sort();
    out.sheets.insert(
        Sheet::Localities,
        names.into_iter().map(|(_, n)| vec![n.clone()]).collect(),
    );

    let teams: HashMap<i64, String> = team::Entity::find()
        .filter(team::Column::LaId.eq(la_id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let mut names: Vec<(&i64, &String)> = teams.iter().collect();
    names.sort();
    out.sheets.insert(
        Sheet::Teams,
        names.into_iter().map(|(_, n)| vec![n.clone()]).collect(),
    );

    let mut rows = Vec::new();
    let mut active_staff = HashSet::new();
    for s in staff::Entity::find()
        .filter(staff::Column::LaId.eq(la_id))
        .order_by_asc(staff::Column::Id)
        .all(db)
        .await?
    {
        if !s.active {
            out.leave_out("staff no longer active");
            continue;
        }
        active_staff.insert(s.id);
        rows.push(vec![
            ids.of(Sheet::Staff, s.id),
            s.subject,
            s.name,
            text(&s.email),
            s.role,
            s.team_id
                .and_then(|t| teams.get(&t).cloned())
                .unwrap_or_default(),
        ]);
    }
    out.sheets.insert(Sheet::Staff, rows);

    let mut rows = Vec::new();
    let mut active_professionals = HashSet::new();
    for p in professional::Entity::find()
        .filter(professional::Column::LaId.eq(la_id))
        .order_by_asc(professional::Column::Id)
        .all(db)
        .await?
    {
        if !p.active {
            out.leave_out("professionals no longer active");
            continue;
        }
        active_professionals.insert(p.id);
        rows.push(vec![
            ids.of(Sheet::Professionals, p.id),
            text(&p.subject),
            p.name,
            p.service,
            p.organisation,
            text(&p.email),
        ]);
    }
    out.sheets.insert(Sheet::Professionals, rows);

    let today = ctx.today();
    let mut children = child::Entity::find()
        .filter(child::Column::LaId.eq(la_id))
        .order_by_asc(child::Column::Id)
        .all(db)
        .await?;
    // The templates hold children and young people of 0 to 25, as the import reads them.
    children.retain(|c| {
        let kept = parse_date_of_birth(c.date_of_birth, today).is_ok();
        if !kept {
            out.leave_out(
                "people now older than EHC plans cover (26 and over), with their records",
            );
        }
        kept
    });
    let exported: HashSet<i64> = children.iter().map(|c| c.id).collect();
    for c in &children {
        if c.contact_email.is_some() || c.contact_phone.is_some() || c.message_channel.is_some() {
            out.leave_out("young people's own contact details and message choices");
        }
    }
    out.sheets.insert(
        Sheet::Children,
        children
            .iter()
            .map(|c| {
                vec![
                    ids.of(Sheet::Children, c.id),
                    c.legal_name.clone(),
                    text(&c.preferred_name),
                    c.date_of_birth.to_string(),
                    localities.get(&c.locality_id).cloned().unwrap_or_default(),
                    text(&c.current_setting),
                    c.nc_year_override
                        .map(|y| y.to_string())
                        .unwrap_or_default(),
                    text(&c.subject),
                    text(&c.upn),
                    text(&c.uln),
                    text(&c.upn_unknown),
                    text(&c.sex),
                    text(&c.ethnicity),
                    text(&c.home_postcode),
                ]
            })
            .collect(),
    );

    let of_la = Query::select()
        .column(child::Column::Id)
        .from(child::Entity)
        .and_where(child::Column::LaId.eq(la_id))
        .to_owned();
    let mut links = child_parent::Entity::find()
        .filter(child_parent::Column::ChildId.in_subquery(of_la))
        .order_by_asc(child_parent::Column::ParentId)
        .order_by_asc(child_parent::Column::ChildId)
        .all(db)
        .await?;
    links.retain(|l| exported.contains(&l.child_id));
    let parents = parent::Entity::find()
        .filter(parent::Column::LaId.eq(la_id))
        .order_by_asc(parent::Column::Id)
        .all(db)
        .await?;
    for p in &parents {
        if p.message_channel.is_some() || !p.optional_reminders {
            out.leave_out("parents' message choices");
        }
    }
    out.sheets.insert(
        Sheet::Parents,
        parents
            .iter()
            .map(|p| {
                vec![
                    ids.of(Sheet::Parents, p.id),
                    p.name.clone(),
                    text(&p.email),
                    text(&p.phone),
                    text(&p.subject),
                ]
            })
            .collect(),
    );
    out.sheets.insert(
        Sheet::ParentLinks,
        links
            .iter()
            .map(|l| {
                vec![
                    ids.of(Sheet::Parents, l.parent_id),
                    ids.of(Sheet::Children, l.child_id),
                    l.relationship.clone(),
                ]
            })
            .collect(),
    );

    // Each plan's main placement today: the sheet's placement columns. A plan's other
    // placements (its history, a secondary one, one still to start) are not in the sheet.
    let mut placed_now: HashMap<i64, placement::Model> = HashMap::new();
    let mut elsewhere: HashSet<i64> = HashSet::new();
    for p in placement::Entity::find()
        .filter(placement::Column::LaId.eq(la_id))
        .order_by_asc(placement::Column::EntryOn)
        .all(db)
        .await?
    {
        let held = p.entry_on <= today && p.leaving_on.is_none_or(|l| l >= today);
        if p.rank == 1 && held {
            placed_now.insert(p.plan_id, p);
        } else {
            elsewhere.insert(p.plan_id);
        }
    }
    let yes = |b: bool| if b { "YES" } else { "" }.to_owned();
    let mut rows = Vec::new();
    let mut active = BTreeSet::new();
    let mut with_plan = HashSet::new();
    let mut last_decision = HashMap::new();
    for p in ehc_plan::Entity::find()
        .filter(ehc_plan::Column::LaId.eq(la_id))
        .order_by_asc(ehc_plan::Column::Id)
        .all(db)
        .await?
    {
        if p.status != "ACTIVE" || !exported.contains(&p.child_id) {
            out.leave_out("plans ceased, replaced or transferred out");
            continue;
        }
        active.insert(p.id);
        last_decision.insert(p.id, p.last_review_decision_on);
        with_plan.insert(p.child_id);
        rows.push(vec![
            ids.of(Sheet::Plans, p.id),
            ids.of(Sheet::Children, p.child_id),
            p.issued_on.to_string(),
            text(&p.named_setting),
            date(p.last_review_decision_on),
            text(&p.primary_need),
            p.secondary_needs
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(";"),
            date(p.transferred_in_on),
            text(&p.transferred_from),
        ]);
        if placed_now
            .get(&p.id)
            .is_some_and(|at| at.leaving_on.is_some())
        {
            out.leave_out(
                "a placement's leaving date still to come (the sheet has no column for it)",
            );
        }
        if elsewhere.contains(&p.id) {
            out.leave_out(
                "a plan's past, secondary and future placements (the plans sheet holds the \
                 placement today)",
            );
        }
        let row = rows.last_mut().expect("just pushed");
        match placed_now.get(&p.id) {
            Some(at) => row.extend([
                text(&at.urn),
                text(&at.ukprn),
                text(&at.sen_setting),
                text(&at.sen_setting_other),
                at.entry_on.to_string(),
                yes(at.sen_unit),
                yes(at.resourced_provision),
                text(&at.residential),
                text(&at.work_based_learning),
            ]),
            None => row.extend(std::iter::repeat_n(String::new(), 9)),
        }
        row.extend([
            p.personal_budget
                .map(|b| if b { "YES" } else { "NO" }.to_owned())
                .unwrap_or_default(),
            yes(p.organised_arrangements.unwrap_or(false)),
            text(&p.direct_payments),
        ]);
    }
    out.sheets.insert(Sheet::Plans, rows);

    let mut rows = Vec::new();
    let mut review_kind = HashMap::new();
    let mut closed_reviews = Vec::new();
    for r in annual_review::Entity::find()
        .filter(annual_review::Column::LaId.eq(la_id))
        .order_by_asc(annual_review::Column::Id)
        .all(db)
        .await?
    {
        review_kind.insert(r.id, r.kind.clone());
        let in_progress = matches!(r.state.as_str(), "SCHEDULED" | "MEETING_HELD");
        if !in_progress || !active.contains(&r.plan_id) {
            // Counted once the amendments are read: an amendment's review goes with it.
            closed_reviews.push(r.id);
            continue;
        }
        rows.push(vec![
            ids.of(Sheet::Reviews, r.id),
            ids.of(Sheet::Plans, r.plan_id),
            r.kind,
            r.scheduled_on.to_string(),
            r.meeting_on.to_string(),
            if r.meeting_held { "YES" } else { "" }.to_owned(),
            date(r.invitations_sent_on),
            date(r.advice_circulated_on),
            date(r.report_received_on),
        ]);
    }
    out.sheets.insert(Sheet::Reviews, rows);

    let mut rows = Vec::new();
    // The reviews the amendments' rows replay.
    let mut replayed_reviews = HashSet::new();
    for a in plan_amendment::Entity::find()
        .filter(plan_amendment::Column::LaId.eq(la_id))
        .order_by_asc(plan_amendment::Column::Id)
        .all(db)
        .await?
    {
        let open =
            matches!(a.state.as_str(), "NOTICE_DUE" | "NOTICE_SENT") && a.closed_on.is_none();
        let from_last_review = match (a.review_id, a.meeting_on) {
            (Some(_), Some(_)) => last_decision.get(&a.plan_id) == Some(&Some(a.started_on)),
            (None, None) => true,
            _ => false,
        };
        let left_out = if !open || !active.contains(&a.plan_id) {
            Some("plan amendments issued, dropped or closed")
        } else if a.dispute_id.is_some() {
            // Live statutory work the templates cannot carry: move it by hand.
            Some("open amendments carrying out a Tribunal order, agreement or concession")
        } else if !from_last_review {
            Some("open amendments from a review before the plan's last one")
        } else {
            None
        };
        if let Some(what) = left_out {
            out.leave_out(what);
            continue;
        }
        replayed_reviews.extend(a.review_id);
        rows.push(vec![
            ids.of(Sheet::Amendments, a.id),
            ids.of(Sheet::Plans, a.plan_id),
            date(a.meeting_on),
            a.review_id
                .and_then(|r| review_kind.get(&r).cloned())
                .unwrap_or_default(),
            date(a.notice_sent_on),
            text(&a.proposed_changes),
            date(a.parent_responded_on),
            text(&a.parent_comments),
            if a.parent_meeting_requested {
                "YES"
            } else {
                ""
            }
            .to_owned(),
            text(&a.parent_requested_setting),
        ]);
    }
    out.sheets.insert(Sheet::Amendments, rows);
    for id in closed_reviews {
        if !replayed_reviews.contains(&id) {
            out.leave_out(
                "annual reviews decided or cancelled (a plan's last decision is its \
                 last_review_decision_on)",
            );
        }
    }

    let mut rows = Vec::new();
    let mut open = BTreeSet::new();
    for a in assessment::Entity::find()
        .filter(assessment::Column::LaId.eq(la_id))
        .order_by_asc(assessment::Column::Id)
        .all(db)
        .await?
    {
        let importable_kind = matches!(a.kind.as_str(), "INITIAL" | "REASSESSMENT");
        let open_state = matches!(a.state.as_str(), "REQUESTED" | "ASSESSING" | "DRAFT_ISSUED");
        let refused = a.state == "DECIDED_NOT_TO_ASSESS";
        let left_out = if !exported.contains(&a.child_id) {
            Some("assessments of people not exported")
        } else if !importable_kind && open_state {
            // Live statutory work the templates cannot carry: move it by hand.
            Some("open assessments ordered by the Tribunal or agreed at mediation")
        } else if !importable_kind || !(open_state || refused) {
            Some("assessments finished, withdrawn or transferred")
        } else if refused && with_plan.contains(&a.child_id) {
            Some("refusals to assess children who have a plan since")
        } else {
            None
        };
        if let Some(what) = left_out {
            out.leave_out(what);
            continue;
        }
        if a.parent_responded_on.is_some() {
            out.leave_out("families' responses to a draft plan");
        }
        open.insert(a.id);
        // A re-assessment starts at the decision to re-assess, which is its received date.
        let reassessment = a.kind == "REASSESSMENT";
        let decision = |d: Option<Date>| if reassessment { None } else { d };
        rows.push(vec![
            ids.of(Sheet::Assessments, a.id),
            ids.of(Sheet::Children, a.child_id),
            a.kind,
            a.requested_by,
            a.received_on.to_string(),
            match a.caseworker_id {
                Some(s) if active_staff.contains(&s) => ids.of(Sheet::Staff, s),
                Some(_) => {
                    out.leave_out("caseworkers no longer active named on open cases");
                    String::new()
                }
                None => String::new(),
            },
            date(decision(a.decided_to_assess_on)),
            date(decision(a.decided_not_to_assess_on)),
            text(&a.decision_reasons),
            date(a.draft_sent_on),
            if a.relevant_youth_accommodation {
                "YES"
            } else {
                ""
            }
            .to_owned(),
        ]);
    }
    out.sheets.insert(Sheet::Assessments, rows);

    let mut rows = Vec::new();
    for r in advice_request::Entity::find()
        .filter(advice_request::Column::LaId.eq(la_id))
        .filter(advice_request::Column::AssessmentId.is_not_null())
        .order_by_asc(advice_request::Column::Id)
        .all(db)
        .await?
    {
        let Some(assessment_id) = r.assessment_id.filter(|a| open.contains(a)) else {
            continue;
        };
        rows.push(vec![
            ids.of(Sheet::AdviceRequests, r.id),
            ids.of(Sheet::Assessments, assessment_id),
            r.service,
            match r.professional_id {
                Some(p) if active_professionals.contains(&p) => ids.of(Sheet::Professionals, p),
                Some(_) => {
                    out.leave_out("professionals no longer active named on advice requests");
                    String::new()
                }
                None => String::new(),
            },
            r.requested_on.to_string(),
            date(r.received_on),
            date(r.declined_on),
            r.summary
                .filter(|s| s != ADVICE_RECEIVED_WITHOUT_NOTE)
                .or(r.decline_reason)
                .unwrap_or_default(),
        ]);
    }
    out.sheets.insert(Sheet::AdviceRequests, rows);

    let mut rows = Vec::new();
    for e in assessment_exception::Entity::find()
        .filter(
            assessment_exception::Column::AssessmentId.in_subquery(
                Query::select()
                    .column(assessment::Column::Id)
                    .from(assessment::Entity)
                    .and_where(assessment::Column::LaId.eq(la_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(assessment_exception::Column::Id)
        .all(db)
        .await?
    {
        if !open.contains(&e.assessment_id) {
            continue;
        }
        rows.push(vec![
            ids.of(Sheet::Exceptions, e.id),
            ids.of(Sheet::Assessments, e.assessment_id),
            e.reason_code,
            e.starts_on.to_string(),
            e.ends_on.to_string(),
            e.advice_request_id
                .map(|a| ids.of(Sheet::AdviceRequests, a))
                .unwrap_or_default(),
            text(&e.note),
        ]);
    }
    out.sheets.insert(Sheet::Exceptions, rows);

    let count = |n: u64, what: &'static str, out: &mut CouncilExport| {
        if n > 0 {
            out.left_out.insert(what, n);
        }
    };
    use sea_orm::PaginatorTrait;
    count(
        dispute::Entity::find()
            .filter(dispute::Column::LaId.eq(la_id))
            .count(db)
            .await?,
        "disputes",
        &mut out,
    );
    count(
        complaint::Entity::find()
            .filter(complaint::Column::LaId.eq(la_id))
            .count(db)
            .await?,
        "complaints",
        &mut out,
    );
    count(
        advice_request::Entity::find()
            .filter(advice_request::Column::LaId.eq(la_id))
            .filter(advice_request::Column::ReviewId.is_not_null())
            .count(db)
            .await?,
        "advice requests for reviews",
        &mut out,
    );
    Ok(out)
}
