//! Managers' views: `backlog`, `backlogItems` (the drill-down), `adviceByService`,
//! `timeliness`, `forecast` and `backlogHistory`. Counts are grouped SQL; a drill-down page is
//! one query with its children and caseworkers joined.
use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};

use super::delays::{LateByReason, late_by_reason};
use super::people::{AdviceService, service_of};
use super::shared::DeadlineKind;
use super::{Id, Kind, ctx};
use crate::api::graphql::Date;
use crate::domain::advice::AdviceService as DomainService;
use crate::domain::backlog::{self as rules, Source, Standing as DomainStanding, standing};
use crate::domain::timescales::DeadlineKind as DomainKind;
use crate::error::ApiError;
use crate::service::backlog::{self as svc, ItemQuery};
use crate::service::delays;
use crate::store::backlog::{self as store, Counts, Dimension, Filter, ItemCursor, Key};
use crate::store::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// A statutory process whose steps have deadlines. Ceasing a plan has no statutory time
/// limit (regs 29-31), so it is not one of them.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::backlog::Process")]
pub enum Process {
    /// EHC needs assessment and re-assessment.
    NeedsAssessment,
    /// The plan's review within 12 months (reg 15(5) after a transfer in) and the review's
    /// steps: invitations, advice, the report and the decision (CFA 2014 s.44; regs 19-20).
    AnnualReview,
    /// Amending a plan: notice, the family's 15 days, the final amended plan (reg 22).
    Amendment,
    /// Reviewing and amending the plan before a move between phases of education (reg 18).
    PhaseTransfer,
    /// A plan moving between councils (reg 15).
    PlanTransfer,
    /// A challenged decision: the mediation the council arranges (reg 37) and what an order,
    /// an agreement or a concession directs it to do (reg 42, 44, 45); an order to assess or
    /// to make a plan counts under NEEDS_ASSESSMENT, on the order's clocks.
    Dispute,
    /// A complaint about the SEND service: acknowledged in 5 working days, answered in 10
    /// (stage 1) or 20 (stage 2) (Complaint Handling Code).
    Complaint,
}

/// What a backlog breakdown groups the counts by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum BacklogDimension {
    /// The council (an administrator's national view).
    LocalAuthority,
    /// The child's locality.
    Locality,
    /// The caseworker's team.
    Team,
    /// The caseworker: the assessment's, or for a plan, that of the assessment that led to it
    /// (else the child's latest assessment).
    Caseworker,
    /// The advice-giving service (advice requests only).
    Service,
}

impl From<BacklogDimension> for Dimension {
    fn from(d: BacklogDimension) -> Self {
        match d {
            BacklogDimension::LocalAuthority => Dimension::LocalAuthority,
            BacklogDimension::Locality => Dimension::Locality,
            BacklogDimension::Team => Dimension::Team,
            BacklogDimension::Caseworker => Dimension::Caseworker,
            BacklogDimension::Service => Dimension::Service,
        }
    }
}

/// How late an overdue step is; each band includes its upper bound.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::backlog::OverdueBand")]
#[allow(clippy::enum_variant_names)] // the bands are named as managers say them
pub enum OverdueBand {
    /// 1 to 14 days.
    UpToTwoWeeks,
    /// 15 to 42 days.
    TwoToSixWeeks,
    /// 43 to 84 days.
    SixToTwelveWeeks,
    /// 85 to 182 days.
    TwelveToTwentySixWeeks,
    /// 183 to 364 days.
    TwentySixToFiftyTwoWeeks,
    /// 365 days or more.
    OverFiftyTwoWeeks,
}

/// Where an open step stands against its statutory limit.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum Standing {
    /// More than 14 days to go.
    OnTrack,
    /// Due today or within 14 days.
    DueSoon,
    /// Past its due date (see `OverdueBand` for how late).
    Overdue,
    /// An exception (reg 5(4), 8(2), 10(4), 13(3) or 27(3)) lifted the statutory limit: not
    /// late in law.
    Excepted,
}

/// Which open steps to count; every field is optional and all given must match. Staff see
/// only their own council's backlog.
#[derive(InputObject, Default)]
pub struct BacklogFilter {
    /// An admin may pick any LA (none = national); staff only their own.
    la_id: Option<ID>,
    /// Only children of this locality (global id).
    locality_id: Option<ID>,
    /// Only steps whose caseworker is in this team (global id).
    team_id: Option<ID>,
    /// Only this caseworker's steps (a staff member's global id).
    caseworker_id: Option<ID>,
    /// Advice requests to this service.
    service: Option<AdviceService>,
    /// Only this process's steps.
    process: Option<Process>,
    /// Only this stage (kind of deadline).
    stage: Option<DeadlineKind>,
}

impl BacklogFilter {
    fn into_store(self) -> Result<Filter, ApiError> {
        let id = |field, kind, v: Option<ID>| Id::parse_opt(field, kind, v.as_ref());
        Ok(Filter {
            la_id: id("laId", Kind::LocalAuthority, self.la_id)?,
            locality_id: id("localityId", Kind::Locality, self.locality_id)?,
            team_id: id("teamId", Kind::Team, self.team_id)?,
            caseworker_id: id("caseworkerId", Kind::StaffMember, self.caseworker_id)?,
            service: self
                .service
                .map(|s| DomainService::from(s).as_str().to_owned()),
            process: self.process.map(Into::into),
            kind: self.stage.map(Into::into),
            child_id: None,
        })
    }
}

/// Counts of overdue steps by how late they are.
#[derive(SimpleObject)]
pub struct OverdueBands {
    /// 1 to 14 days overdue.
    up_to_two_weeks: i64,
    /// 15 to 42 days overdue.
    two_to_six_weeks: i64,
    /// 43 to 84 days overdue.
    six_to_twelve_weeks: i64,
    /// 85 to 182 days overdue.
    twelve_to_twenty_six_weeks: i64,
    /// 183 to 364 days overdue.
    twenty_six_to_fifty_two_weeks: i64,
    /// 365 days or more overdue.
    over_fifty_two_weeks: i64,
}

/// Open steps by standing: `open = onTrack + dueSoon + overdue + excepted`.
#[derive(SimpleObject)]
pub struct BacklogCounts {
    /// All open steps.
    open: i64,
    /// More than 14 days to go.
    on_track: i64,
    /// Due today or within 14 days.
    due_soon: i64,
    /// Past the due date, with no exception lifting the limit.
    overdue: i64,
    /// Open, but an exception lifted the statutory limit: not late in law.
    excepted: i64,
    /// The overdue steps by how late they are.
    overdue_bands: OverdueBands,
}

impl From<Counts> for BacklogCounts {
    fn from(c: Counts) -> Self {
        let b = c.overdue_bands;
        BacklogCounts {
            open: c.open,
            on_track: c.on_track,
            due_soon: c.due_soon,
            overdue: c.overdue(),
            excepted: c.excepted,
            overdue_bands: OverdueBands {
                up_to_two_weeks: b[0],
                two_to_six_weeks: b[1],
                six_to_twelve_weeks: b[2],
                twelve_to_twenty_six_weeks: b[3],
                twenty_six_to_fifty_two_weeks: b[4],
                over_fifty_two_weeks: b[5],
            },
        }
    }
}

fn counts_cache<'a>(gql: &Context<'a>) -> Result<&'a svc::CountsCache, ApiError> {
    gql.data::<svc::CountsCache>()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("no backlog cache in schema data")))
}

fn kind_of(code: &str) -> Result<DomainKind, ApiError> {
    DomainKind::parse(code)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown deadline kind {code:?}")))
}

fn process_of(code: &str) -> Result<rules::Process, ApiError> {
    rules::Process::parse(code)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown process {code:?}")))
}

/// One stage of a process.
#[derive(SimpleObject)]
pub struct BacklogStage {
    /// The process the stage belongs to.
    process: Process,
    /// The stage (kind of deadline).
    stage: DeadlineKind,
    /// What the step is, in plain language.
    label: String,
    /// The provision that sets its time limit, e.g. "SEND Regs 2014 reg 13(2)".
    regulation: String,
    /// Its open steps by standing.
    counts: BacklogCounts,
}

/// One row of a breakdown: a locality, team, caseworker, LA or service.
#[derive(SimpleObject)]
pub struct BacklogBreakdownRow {
    /// The global id (of the locality, team, caseworker or LA) or the service code; null
    /// for "none" (e.g. no caseworker assigned).
    key: Option<String>,
    /// The locality's, team's, caseworker's or council's name, or the service's code; null
    /// for "none".
    name: Option<String>,
    /// Its open steps by standing.
    counts: BacklogCounts,
}

/// The open statutory steps on one day: each on track, due soon (within 2 weeks), overdue
/// (past its limit, in ageing bands) or excepted (an exception in reg 5(4), 8(2), 10(4), 13(3)
/// or 27(3) lifts the limit). For the council's staff and administrators.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct BacklogSummary {
    /// The day counted, in England.
    as_of: Date,
    /// All stages together.
    totals: BacklogCounts,
    /// Each stage with open steps, with its counts.
    stages: Vec<BacklogStage>,
    /// Grouped by the `by` argument, "none" last; empty without it.
    breakdown: Vec<BacklogBreakdownRow>,
    #[graphql(skip)]
    filter: Filter,
}

#[ComplexObject]
impl BacklogSummary {
    /// The overdue steps (not lifted by an exception) by stage and the reason recorded for
    /// their delay; a null reason counts those with none recorded.
    async fn overdue_by_reason(&self, gql: &Context<'_>) -> Result<Vec<LateByReason>> {
        let ctx = ctx(gql)?;
        let rows = delays::overdue_by_reason(&ctx, self.as_of.0, self.filter.clone()).await?;
        Ok(late_by_reason(rows))
    }
}

/// A child, as listed in a drill-down.
#[derive(SimpleObject)]
pub struct ChildRef {
    /// The child's global id.
    id: ID,
    /// The child's legal name.
    name: String,
}

/// A member of staff, as listed in a drill-down.
#[derive(SimpleObject)]
pub struct StaffRef {
    /// The staff member's global id.
    id: ID,
    /// Their name.
    name: String,
}

/// An open statutory step behind a backlog number.
#[derive(SimpleObject)]
pub struct BacklogItem {
    /// The process the step belongs to.
    process: Process,
    /// The stage (kind of deadline).
    stage: DeadlineKind,
    /// What the step is, in plain language.
    label: String,
    /// The provision that sets its time limit.
    regulation: String,
    /// The child the step is about.
    child: ChildRef,
    /// The caseworker it is assigned to; null when none is.
    caseworker: Option<StaffRef>,
    /// The needs assessment it belongs to (NEEDS_ASSESSMENT).
    assessment_id: Option<ID>,
    /// The EHC plan it belongs to (the review due, phase and council transfers).
    plan_id: Option<ID>,
    /// The annual review it belongs to (the review's own steps and advice).
    review_id: Option<ID>,
    /// The amendment it belongs to (AMENDMENT).
    amendment_id: Option<ID>,
    /// The dispute it belongs to (DISPUTE: the mediation, an order on the plan).
    dispute_id: Option<ID>,
    /// The complaint it belongs to (COMPLAINT).
    complaint_id: Option<ID>,
    /// The advice request (global id), for an advice step; null otherwise.
    advice_request_id: Option<ID>,
    /// The service asked, for an advice step; null otherwise.
    service: Option<AdviceService>,
    /// The day the step became open (e.g. the request, the advice request, the review
    /// meeting being arranged).
    starts_on: Date,
    /// The statutory due date.
    due_on: Date,
    /// Where it stands on `asOf`.
    standing: Standing,
    /// Days past the due date (0 when not overdue).
    days_overdue: i64,
    /// How late it is, when OVERDUE; null otherwise.
    overdue_band: Option<OverdueBand>,
    /// Operational target when an exception applies: NOT statutory.
    target_on: Option<Date>,
    /// The reason recorded for the step's delay (`recordAssessmentDelay`...), if any.
    delay_reason_code: Option<String>,
}

fn item(as_of: chrono::NaiveDate, i: store::Item) -> Result<BacklogItem, ApiError> {
    let kind = kind_of(&i.kind)?;
    let source = rules::Process::source(kind);
    let st = standing(i.due_on, i.excepted_from, as_of);
    let (standing, band) = match st {
        DomainStanding::OnTrack => (Standing::OnTrack, None),
        DomainStanding::DueSoon => (Standing::DueSoon, None),
        DomainStanding::Overdue(b) => (Standing::Overdue, Some(b.into())),
        DomainStanding::Excepted => (Standing::Excepted, None),
    };
    Ok(BacklogItem {
        process: process_of(&i.process)?.into(),
        stage: kind.into(),
        label: kind.label().to_owned(),
        regulation: kind.regulation().to_owned(),
        child: ChildRef {
            id: Id::of(Kind::Child, i.child_id),
            name: i.child_name,
        },
        caseworker: i.caseworker_id.map(|id| StaffRef {
            id: Id::of(Kind::StaffMember, id),
            name: i.caseworker_name.unwrap_or_default(),
        }),
        assessment_id: (source == Source::Assessment)
            .then(|| Id::of(Kind::Assessment, i.source_id)),
        plan_id: (source == Source::Plan).then(|| Id::of(Kind::EhcPlan, i.source_id)),
        review_id: (source == Source::Review).then(|| Id::of(Kind::AnnualReview, i.source_id)),
        amendment_id: (source == Source::Amendment)
            .then(|| Id::of(Kind::PlanAmendment, i.source_id)),
        dispute_id: (source == Source::Dispute).then(|| Id::of(Kind::Dispute, i.source_id)),
        complaint_id: (source == Source::Complaint).then(|| Id::of(Kind::Complaint, i.source_id)),
        advice_request_id: i
            .advice_request_id
            .map(|id| Id::of(Kind::AdviceRequest, id)),
        service: i.service.as_deref().map(service_of).transpose()?,
        starts_on: Date(i.starts_on),
        due_on: Date(i.due_on),
        standing,
        days_overdue: (as_of - i.due_on).num_days().max(0),
        overdue_band: band,
        target_on: i.target_on.map(Date),
        delay_reason_code: i.delay_reason_code,
    })
}

fn encode_cursor(c: ItemCursor) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("d:{}:{}", c.due_on, c.id))
}

fn decode_cursor(field: &'static str, cursor: &str) -> Result<ItemCursor, ApiError> {
    use base64::Engine;
    let bad = || ApiError::validation(field, "not a cursor from this API");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.strip_prefix("d:").ok_or_else(bad)?.split(':');
    let due_on = parts
        .next()
        .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
        .ok_or_else(bad)?;
    let id = parts
        .next()
        .and_then(|i| i.parse::<i64>().ok())
        .ok_or_else(bad)?;
    Ok(ItemCursor { due_on, id })
}

/// Advice requests to one service.
#[derive(SimpleObject)]
pub struct ServiceAdvice {
    /// The advice-giving service.
    service: AdviceService,
    /// Open on `asOf`, by standing.
    open: BacklogCounts,
    /// Received in the period.
    received: i64,
    /// Received in the period after its due date: 6 weeks for an assessment (reg 8(1)); in
    /// time to circulate 2 weeks before the meeting for a review (reg 20(4)).
    received_late: i64,
    /// Days from request to advice, over the period (nearest rank).
    median_days_to_respond: Option<i64>,
    /// The 90th percentile of days from request to advice, over the period (nearest rank);
    /// null when none was received.
    p90_days_to_respond: Option<i64>,
}

/// Advice requests (for assessments and reviews) by service: open on a day, and response
/// times over a period.
#[derive(SimpleObject)]
pub struct AdviceByService {
    /// The day the open counts are for.
    as_of: Date,
    /// The period's first day for the response times.
    from: Date,
    /// The period's last day (inclusive).
    to: Date,
    /// One row per service with advice open on `asOf` or received in the period.
    services: Vec<ServiceAdvice>,
}

/// Steps done in the period at one stage.
#[derive(SimpleObject)]
pub struct StageTimeliness {
    /// The process the stage belongs to.
    process: Process,
    /// The stage (kind of deadline).
    stage: DeadlineKind,
    /// The provision that sets its time limit.
    regulation: String,
    /// Steps done in the period.
    done: i64,
    /// Of those, done on or before the due date.
    on_time: i64,
    /// An exception lifted the limit before the step was done.
    exception_applies: i64,
    /// Mean weeks from the step becoming open (`BacklogItem.startsOn`) to the day it was
    /// done; null when none was done.
    mean_weeks: Option<f64>,
}

/// Timeliness over a period, by the day each step was done.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Timeliness {
    /// The period's first day.
    from: Date,
    /// The period's last day (inclusive).
    to: Date,
    /// New EHC plans issued in the period (initial assessments).
    new_plans_issued: i64,
    /// Of those, issued within 20 weeks of the request (reg 13(2)), exception cases included.
    new_plans_within_twenty_weeks: i64,
    /// Plans where an exception applied (SEN2 "20-week exception applies").
    new_plans_with_exception: i64,
    /// The national measure: share within 20 weeks, excluding exception cases (0 to 1).
    share_within_twenty_weeks_excluding_exceptions: Option<f64>,
    /// Share within 20 weeks of all new plans (0 to 1).
    share_within_twenty_weeks_including_exceptions: Option<f64>,
    /// Mean weeks from request to final plan.
    mean_weeks_to_plan: Option<f64>,
    /// Plans that took more than 52 weeks.
    new_plans_over_fifty_two_weeks: i64,
    /// Amended plans issued in the period after a review meeting.
    amended_plans_after_review_meeting: i64,
    /// Of those, issued within 12 weeks of the meeting: the notice within 4 weeks (reg
    /// 20(10), 22(2); R (L, M, P) v Devon CC [2022]) and the plan within 8 weeks of it (reg
    /// 22(3)). The AMENDED_PLAN stage counts the 8 weeks from the notice alone.
    amended_plans_within_twelve_weeks_of_meeting: i64,
    /// Every stage: decisions within 6 weeks, advice within 6 weeks, re-assessment plans
    /// within 14 weeks, and so on.
    stages: Vec<StageTimeliness>,
    #[graphql(skip)]
    filter: Filter,
}

#[ComplexObject]
impl Timeliness {
    /// The steps done late in the period (no exception lifted them first) by stage and
    /// the reason recorded for their delay; a null reason counts those with none recorded.
    async fn late_by_reason(&self, gql: &Context<'_>) -> Result<Vec<LateByReason>> {
        let ctx = ctx(gql)?;
        let rows =
            delays::done_late_by_reason(&ctx, self.from.0, self.to.0, self.filter.clone()).await?;
        Ok(late_by_reason(rows))
    }
}

/// Open steps of one stage falling due in a forecast week.
#[derive(SimpleObject)]
pub struct ForecastStage {
    /// The process the stage belongs to.
    process: Process,
    /// The stage (kind of deadline).
    stage: DeadlineKind,
    /// How many steps fall due.
    count: i64,
}

/// Open steps falling due in one week.
#[derive(SimpleObject)]
pub struct ForecastWeek {
    /// The week's first day.
    starts_on: Date,
    /// Its last day (`startsOn` + 6).
    ends_on: Date,
    /// Open steps falling due in the week, all stages.
    total: i64,
    /// The same by stage; only stages with steps due.
    stages: Vec<ForecastStage>,
}

/// The backlog at one past date.
#[derive(SimpleObject)]
pub struct BacklogPoint {
    /// The day: the last of a month, or `to` for a month it ends in.
    as_of: Date,
    /// The open steps on that day, by standing.
    counts: BacklogCounts,
}

fn ratio(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

#[derive(Default)]
pub struct BacklogQuery;

#[Object]
impl BacklogQuery {
    /// Open statutory steps on `asOf` (default today, in England) by process and stage, split
    /// into on track / due within 2 weeks / overdue (with ageing bands) / excepted, and
    /// optionally broken down `by` a dimension. A past `asOf` answers from the recorded dates.
    async fn backlog(
        &self,
        gql: &Context<'_>,
        #[graphql(
            desc = "The day to count (default today in England); a past day answers from the \
                    recorded dates"
        )]
        as_of: Option<Date>,
        #[graphql(desc = "Which steps to count (default: all the signed-in person may see)")]
        filter: Option<BacklogFilter>,
        #[graphql(desc = "Break the counts down by this dimension (optional)")] by: Option<
            BacklogDimension,
        >,
    ) -> Result<BacklogSummary> {
        let ctx = ctx(gql)?;
        let filter = filter.unwrap_or_default().into_store()?;
        let s = svc::summary(
            &ctx,
            counts_cache(gql)?,
            as_of.map(|d| d.0),
            filter.clone(),
            by.map(Into::into),
        )
        .await?;
        // The kind of record a breakdown row's id names (a service is a code, not an id).
        let id_kind = match by.map(Into::into) {
            Some(Dimension::Locality) => Kind::Locality,
            Some(Dimension::Team) => Kind::Team,
            Some(Dimension::Caseworker) => Kind::StaffMember,
            _ => Kind::LocalAuthority,
        };
        let mut stages = Vec::with_capacity(s.stages.len());
        for st in s.stages {
            let kind = kind_of(&st.kind)?;
            stages.push(BacklogStage {
                process: process_of(&st.process)?.into(),
                stage: kind.into(),
                label: kind.label().to_owned(),
                regulation: kind.regulation().to_owned(),
                counts: st.counts.into(),
            });
        }
        Ok(BacklogSummary {
            as_of: Date(s.as_of),
            totals: s.totals.into(),
            stages,
            breakdown: s
                .breakdown
                .into_iter()
                .map(|r| BacklogBreakdownRow {
                    key: match r.key {
                        Key::Id(id) => Some(Id::of(id_kind, id).0),
                        Key::Code(code) => Some(code),
                        Key::None => None,
                    },
                    name: r.name,
                    counts: r.counts.into(),
                })
                .collect(),
            filter,
        })
    }

    /// The open steps behind a backlog number, most overdue first.
    #[allow(clippy::too_many_arguments)]
    async fn backlog_items(
        &self,
        gql: &Context<'_>,
        #[graphql(
            desc = "The day to count (default today in England); a past day answers from the \
                    recorded dates"
        )]
        as_of: Option<Date>,
        #[graphql(desc = "Which steps to count (default: all the signed-in person may see)")]
        filter: Option<BacklogFilter>,
        #[graphql(desc = "Only steps with this standing")] standing: Option<Standing>,
        #[graphql(desc = "With standing OVERDUE (or alone): one ageing band")] overdue_band: Option<
            OverdueBand,
        >,
        #[graphql(desc = "The steps after this cursor (an edge's `cursor`)")] after: Option<String>,
        #[graphql(desc = "The steps before this cursor (an edge's `cursor`)")] before: Option<
            String,
        >,
        #[graphql(desc = "The first N steps (default 20, at most 100); not with `last`")]
        first: Option<i32>,
        #[graphql(desc = "The last N steps (default 20, at most 100); not with `first`")]
        last: Option<i32>,
    ) -> Result<Connection<String, BacklogItem>> {
        let ctx = ctx(gql)?;
        if first.is_some() && last.is_some() {
            return Err(ApiError::validation("last", "give either first or last, not both").into());
        }
        for (field, n) in [("first", first), ("last", last)] {
            if n.is_some_and(|n| n < 0) {
                return Err(ApiError::validation(field, "must not be negative").into());
            }
        }
        let standing = match (standing, overdue_band) {
            (None, None) => None,
            (Some(Standing::Overdue) | None, band @ Some(_)) => {
                Some(store::StandingFilter::Overdue(band.map(Into::into)))
            }
            (Some(_), Some(_)) => {
                return Err(
                    ApiError::validation("overdueBand", "only with standing OVERDUE").into(),
                );
            }
            (Some(Standing::Overdue), None) => Some(store::StandingFilter::Overdue(None)),
            (Some(Standing::OnTrack), None) => Some(store::StandingFilter::OnTrack),
            (Some(Standing::DueSoon), None) => Some(store::StandingFilter::DueSoon),
            (Some(Standing::Excepted), None) => Some(store::StandingFilter::Excepted),
        };
        let size = last
            .or(first)
            .map(|n| n as u64)
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .clamp(0, MAX_PAGE_SIZE);
        let query = ItemQuery {
            as_of: as_of.map(|d| d.0),
            filter: filter.unwrap_or_default().into_store()?,
            standing,
            after: after.map(|c| decode_cursor("after", &c)).transpose()?,
            before: before.map(|c| decode_cursor("before", &c)).transpose()?,
            size,
            backwards: last.is_some(),
        };
        let (as_of, page) = svc::items(&ctx, query).await?;
        let mut conn = Connection::new(page.has_previous_page, page.has_next_page);
        for i in page.items {
            let cursor = encode_cursor(ItemCursor {
                due_on: i.due_on,
                id: i.id,
            });
            conn.edges.push(Edge::new(cursor, item(as_of, i)?));
        }
        Ok(conn)
    }

    /// Advice requests per service: open and overdue on `asOf`, and days to respond over
    /// `from`..`to` (default: the year to `asOf`).
    async fn advice_by_service(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The day to count open advice (default today in England)")] as_of: Option<
            Date,
        >,
        #[graphql(desc = "The period's first day for response times; give it with `to`")]
        from: Option<Date>,
        #[graphql(desc = "The period's last day (inclusive); give it with `from`")] to: Option<
            Date,
        >,
        #[graphql(desc = "Which steps to count (default: all the signed-in person may see)")]
        filter: Option<BacklogFilter>,
    ) -> Result<AdviceByService> {
        let ctx = ctx(gql)?;
        let period = match (from, to) {
            (Some(f), Some(t)) => Some((f.0, t.0)),
            (None, None) => None,
            _ => return Err(ApiError::validation("to", "give both from and to").into()),
        };
        let (as_of, from, to, rows) = svc::advice_by_service(
            &ctx,
            counts_cache(gql)?,
            as_of.map(|d| d.0),
            period,
            filter.unwrap_or_default().into_store()?,
        )
        .await?;
        let mut services = Vec::with_capacity(rows.len());
        for r in rows {
            services.push(ServiceAdvice {
                service: service_of(&r.service)?,
                open: r.open.into(),
                received: r.response.as_ref().map_or(0, |t| t.received),
                received_late: r.response.as_ref().map_or(0, |t| t.received_late),
                median_days_to_respond: r.response.as_ref().and_then(|t| t.median_days),
                p90_days_to_respond: r.response.as_ref().and_then(|t| t.p90_days),
            });
        }
        Ok(AdviceByService {
            as_of: Date(as_of),
            from: Date(from),
            to: Date(to),
            services,
        })
    }

    /// Timeliness of steps done between `from` and `to` inclusive, including the SEN2
    /// measure: new plans within 20 weeks, excluding and including exceptions.
    async fn timeliness(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The period's first day")] from: Date,
        #[graphql(desc = "The period's last day (inclusive); not before `from`")] to: Date,
        #[graphql(desc = "Which steps to count (default: all the signed-in person may see)")]
        filter: Option<BacklogFilter>,
    ) -> Result<Timeliness> {
        let ctx = ctx(gql)?;
        let filter = filter.unwrap_or_default().into_store()?;
        let (rows, amended) = svc::timeliness(&ctx, from.0, to.0, filter.clone()).await?;
        let plans = rows
            .iter()
            .find(|r| r.kind == DomainKind::FinalPlan.as_str())
            .cloned();
        let mut stages = Vec::with_capacity(rows.len());
        for r in &rows {
            let kind = kind_of(&r.kind)?;
            stages.push(StageTimeliness {
                process: process_of(&r.process)?.into(),
                stage: kind.into(),
                regulation: kind.regulation().to_owned(),
                done: r.done,
                on_time: r.on_time,
                exception_applies: r.exception_applies,
                mean_weeks: ratio(r.total_days, r.done * 7),
            });
        }
        let p = plans.unwrap_or(store::StageTimeliness {
            process: String::new(),
            kind: String::new(),
            done: 0,
            on_time: 0,
            exception_applies: 0,
            on_time_without_exception: 0,
            total_days: 0,
            over_52_weeks: 0,
        });
        Ok(Timeliness {
            from,
            to,
            new_plans_issued: p.done,
            new_plans_within_twenty_weeks: p.on_time,
            new_plans_with_exception: p.exception_applies,
            share_within_twenty_weeks_excluding_exceptions: ratio(
                p.on_time_without_exception,
                p.done - p.exception_applies,
            ),
            share_within_twenty_weeks_including_exceptions: ratio(p.on_time, p.done),
            mean_weeks_to_plan: ratio(p.total_days, p.done * 7),
            new_plans_over_fifty_two_weeks: p.over_52_weeks,
            amended_plans_after_review_meeting: amended.issued,
            amended_plans_within_twelve_weeks_of_meeting: amended.within_twelve_weeks,
            stages,
            filter,
        })
    }

    /// Open steps falling due in each of the next `weeks` weeks from `asOf`, by stage.
    async fn forecast(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The first week's first day (default today in England)")] as_of: Option<
            Date,
        >,
        #[graphql(default = 8, desc = "How many weeks, 1 to 52")] weeks: i32,
        #[graphql(desc = "Which steps to count (default: all the signed-in person may see)")]
        filter: Option<BacklogFilter>,
    ) -> Result<Vec<ForecastWeek>> {
        let ctx = ctx(gql)?;
        let weeks =
            u32::try_from(weeks).map_err(|_| ApiError::validation("weeks", "must be 1 to 52"))?;
        let rows = svc::forecast(
            &ctx,
            as_of.map(|d| d.0),
            weeks,
            filter.unwrap_or_default().into_store()?,
        )
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for w in rows {
            let mut stages = Vec::new();
            for ((process, kind), count) in w.by_stage {
                stages.push(ForecastStage {
                    process: process_of(&process)?.into(),
                    stage: kind_of(&kind)?.into(),
                    count,
                });
            }
            out.push(ForecastWeek {
                starts_on: Date(w.starts_on),
                ends_on: Date(crate::domain::calendar::add_days(w.starts_on, 6)),
                total: stages.iter().map(|s| s.count).sum(),
                stages,
            });
        }
        Ok(out)
    }

    /// The backlog at the end of each month from `from` to `to` (at most 60 months), for
    /// trend charts.
    async fn backlog_history(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "A day in the first month")] from: Date,
        #[graphql(desc = "The last day; not before `from`")] to: Date,
        #[graphql(desc = "Which steps to count (default: all the signed-in person may see)")]
        filter: Option<BacklogFilter>,
    ) -> Result<Vec<BacklogPoint>> {
        let ctx = ctx(gql)?;
        Ok(svc::monthly_series(
            &ctx,
            counts_cache(gql)?,
            from.0,
            to.0,
            filter.unwrap_or_default().into_store()?,
        )
        .await?
        .into_iter()
        .map(|(as_of, counts)| BacklogPoint {
            as_of: Date(as_of),
            counts: counts.into(),
        })
        .collect())
    }
}
