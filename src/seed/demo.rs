//! The demo local authority: a small, realistic council to try the API with.
//!
//! Everything is created through the same use cases the API calls, so the demo data obeys
//! every rule a caseworker would meet (dates, states, appeal rights) and leaves a full audit
//! trail. Dates are relative to today, so the deadlines shown are always live: some on
//! track, some due soon, some overdue. Loading twice does not duplicate anything.
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::domain::access::{Actor, Role, Scope};
use crate::domain::advice::AdviceService;
use crate::domain::assessment::AssessmentKind;
use crate::domain::placement::PlacementInput;
use crate::domain::plan::{CeaseReason, SenNeed};
use crate::domain::review::{ReviewDecision, ReviewKind};
use crate::error::ApiError;
use crate::service::Ctx;
use crate::service::Target;
use crate::service::assessment::{
    self as casework, AssessmentRecord, NewAssessment, NewException, RequestedBy, SettingResponse,
};
use crate::service::people::{self, ChildInput, ParentInput, ProfessionalInput, StaffInput};
use crate::service::plan::{self as plans, NewPlan, PlanRecord, ReviewDecisionInput};
use crate::store::entity::{administrator, child, local_authority, parent, professional};

/// The DfE code of the demo local authority (Cumbria's code before its 2023 split).
pub const DEMO_LA_CODE: &str = "909";
const DEMO_LA_NAME: &str = "Cumbria (demo)";
const MANAGER: &str = "demo-manager";
const ADMIN: &str = "demo-admin";

/// Localities, each with its team and two caseworkers.
const LOCALITIES: [(&str, &str); 3] = [
    ("Carlisle and Eden", "north"),
    ("Allerdale and Copeland", "west"),
    ("Barrow and South Lakeland", "south"),
];

const FIRST_NAMES: [&str; 25] = [
    "Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arthur", "Freya", "Theo", "Lily",
    "Harry", "Grace", "Jack", "Evie", "Oscar", "Ruby", "George", "Poppy", "Alfie", "Sophie",
    "Charlie", "Ellie", "Finley", "Ivy",
];
const SURNAMES: [&str; 17] = [
    "Armstrong",
    "Graham",
    "Nixon",
    "Robson",
    "Dixon",
    "Irving",
    "Bell",
    "Routledge",
    "Little",
    "Elliot",
    "Hodgson",
    "Musgrave",
    "Tyson",
    "Wilson",
    "Jackson",
    "Atkinson",
    "Barnes",
];
const SETTINGS: [&str; 8] = [
    "Stanwix School",
    "Eden Valley Primary",
    "Solway Academy",
    "Fellside Nursery",
    "Lakes College",
    "Kirkby Moor Primary",
    "Sandside Lodge School",
    "Derwent Vale Primary",
];

/// How the return knows each demo setting: the schools by a URN, the college by a UKPRN,
/// the nursery (a private one, with no GIAS record) by the kind of setting. The numbers are
/// invented for the demo; a council's come from GIAS and the UKRLP.
fn demo_setting(name: &str) -> PlacementInput {
    let (urn, ukprn, kind) = match name {
        "Stanwix School" => (Some("900101"), None, None),
        "Eden Valley Primary" => (Some("900102"), None, None),
        "Solway Academy" => (Some("900103"), None, None),
        "Fellside Nursery" => (None, None, Some("EYP")),
        "Lakes College" => (None, Some("10099901"), None),
        "Kirkby Moor Primary" => (Some("900106"), None, None),
        "Sandside Lodge School" => (Some("900107"), None, None),
        "Derwent Vale Primary" => (Some("900108"), None, None),
        // A setting the demo does not know: named in the plan by its type only.
        _ => (None, None, Some("OTH")),
    };
    PlacementInput {
        rank: 1,
        urn: urn.map(str::to_owned),
        ukprn: ukprn.map(str::to_owned),
        sen_setting: kind.map(str::to_owned),
        // A residential special school, 38 to 51 weeks a year.
        residential: (name == "Sandside Lodge School").then(|| "A".to_owned()),
        ..PlacementInput::default()
    }
}

/// Records where the plan's child is placed (from `entry_on`) and its personal budget:
/// every third plan has one, held as organised arrangements with direct payments for
/// education.
async fn place(
    ctx: &Ctx<'_>,
    plan: PlanRecord,
    setting: &str,
    entry_on: NaiveDate,
) -> Result<PlanRecord, ApiError> {
    let (id, version) = (plan.row.id, plan.row.version);
    let placed = PlacementInput {
        entry_on: Some(entry_on),
        sen_unit: setting == "Eden Valley Primary",
        ..demo_setting(setting)
    };
    let plan = plans::set_placements(ctx, id, version, vec![placed]).await?;
    let budget = id % 3 == 0;
    plans::set_personal_budget(
        ctx,
        id,
        plan.row.version,
        budget,
        budget,
        budget.then_some("E"),
    )
    .await
}

/// Where a demo child's needs assessment stands, and how its history got there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// A request that arrived last week.
    JustRequested,
    /// No decision to assess after more than 6 weeks (reg 5(1) missed).
    DecisionOverdue,
    /// Refused, with appeal and mediation rights given.
    RefusedToAssess,
    /// Assessing; advice asked for recently.
    AdviceRequested,
    /// Assessing; one service's advice is weeks late (reg 8(1)).
    AdviceOverdue,
    /// Assessing; the family was away from the area, so the limits are excepted.
    AdviceExcepted,
    /// A draft plan with the family, inside their 15 days.
    DraftWithFamily,
    /// The family asked for a school; the school has been consulted.
    SettingConsulted,
    /// The final plan is past 20 weeks and still not issued.
    FinalOverdue,
    /// Decided not to issue a plan.
    NotIssued,
    /// Issued within 20 weeks.
    IssuedOnTime,
    /// Issued late.
    IssuedLate,
    /// Withdrawn by the family.
    Withdrawn,
    /// Moved to another local authority.
    TransferredOut,
    /// A re-assessment of an existing plan.
    Reassessment,
}

impl Stage {
    const ALL: [Stage; 15] = [
        Stage::JustRequested,
        Stage::DecisionOverdue,
        Stage::RefusedToAssess,
        Stage::AdviceRequested,
        Stage::AdviceOverdue,
        Stage::AdviceExcepted,
        Stage::DraftWithFamily,
        Stage::SettingConsulted,
        Stage::FinalOverdue,
        Stage::NotIssued,
        Stage::IssuedOnTime,
        Stage::IssuedLate,
        Stage::Withdrawn,
        Stage::TransferredOut,
        Stage::Reassessment,
    ];

    /// How many days ago the request arrived, for the `nth` child at this stage.
    fn age_days(self, nth: i64) -> i64 {
        let base = match self {
            Stage::JustRequested => 6,
            Stage::DecisionOverdue => 50,
            Stage::RefusedToAssess => 60,
            Stage::AdviceRequested => 45,
            Stage::AdviceOverdue => 100,
            Stage::AdviceExcepted => 112,
            Stage::DraftWithFamily => 96,
            Stage::SettingConsulted => 118,
            Stage::FinalOverdue => 160,
            Stage::NotIssued => 150,
            Stage::IssuedOnTime => 200,
            Stage::IssuedLate => 260,
            Stage::Withdrawn => 80,
            Stage::TransferredOut => 90,
            Stage::Reassessment => 30,
        };
        base + 3 * nth
    }

    fn describe(self) -> &'static str {
        match self {
            Stage::JustRequested => "request received last week",
            Stage::DecisionOverdue => "decision to assess overdue",
            Stage::RefusedToAssess => "refused to assess (appeal rights given)",
            Stage::AdviceRequested => "advice requested",
            Stage::AdviceOverdue => "CAMHS advice overdue",
            Stage::AdviceExcepted => "exception: family away from the area",
            Stage::DraftWithFamily => "draft plan with the family for comment",
            Stage::SettingConsulted => "school consulted",
            Stage::FinalOverdue => "final plan overdue",
            Stage::NotIssued => "decided not to issue a plan",
            Stage::IssuedOnTime => "final plan issued within 20 weeks",
            Stage::IssuedLate => "final plan issued late",
            Stage::Withdrawn => "request withdrawn",
            Stage::TransferredOut => "moved to another local authority",
            Stage::Reassessment => "re-assessment of an existing plan",
        }
    }
}

/// Loads the demo local authority unless it is there already; returns how to sign in.
pub async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<String> {
    let admin = Actor {
        subject: "seed-demo".to_owned(),
        role: Role::Admin,
        la_id: None,
        staff_id: None,
        scope: Scope::Everything,
    };
    let ctx = Ctx {
        db,
        actor: &admin,
        now,
    };
    let existing = local_authority::Entity::find()
        .filter(local_authority::Column::Code.eq(DEMO_LA_CODE))
        .one(db)
        .await?;
    let mut report = String::new();
    let has_admin = administrator::Entity::find()
        .filter(administrator::Column::Subject.eq(ADMIN))
        .one(db)
        .await?
        .is_some();
    if !has_admin {
        let input = crate::service::administrators::AdministratorInput {
            subject: ADMIN.to_owned(),
            name: "Demo administrator".to_owned(),
            email: None,
        };
        crate::service::administrators::add_from_command_line(db, input, now)
            .await
            .map_err(describe)?;
    }
    match existing {
        Some(la) => {
            let children = child::Entity::find()
                .filter(child::Column::LaId.eq(la.id))
                .count(db)
                .await?;
            writeln!(
                report,
                "The demo local authority {DEMO_LA_CODE} ({}) is already loaded ({children} children); nothing was added.",
                la.name
            )?;
        }
        None => {
            let counts = build(&ctx).await.map_err(describe)?;
            writeln!(
                report,
                "Loaded the demo local authority {DEMO_LA_CODE} ({DEMO_LA_NAME}): {counts}."
            )?;
        }
    }
    report.push_str(&sign_in_instructions(db).await?);
    Ok(report)
}

fn describe(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("loading the demo data failed: {e:?}")
}

struct Counts {
    caseworkers: usize,
    professionals: usize,
    children: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} localities, {} teams, {} caseworkers, 1 manager, {} professionals, {} children \
             with their parents, each with a needs assessment or an EHC plan under review",
            LOCALITIES.len(),
            LOCALITIES.len(),
            self.caseworkers,
            self.professionals,
            self.children
        )
    }
}

async fn build(ctx: &Ctx<'_>) -> Result<Counts, ApiError> {
    let today = ctx.today();
    let la = people::create_local_authority(ctx, DEMO_LA_CODE, DEMO_LA_NAME).await?;
    let la_id = Some(la.id);
    // Its designated officers: medical and clinical in post, social care being recruited.
    people::set_designated_officers(
        ctx,
        la.id,
        [Some("Y".into()), Some("Y".into()), Some("R".into())],
    )
    .await?;

    let mut areas = Vec::new();
    for (l, (name, short)) in LOCALITIES.into_iter().enumerate() {
        let locality = people::create_locality(ctx, la_id, name).await?;
        let team = people::create_team(ctx, la_id, &format!("{name} SEND team")).await?;
        let mut caseworkers = Vec::new();
        for n in 1..=2 {
            let staff = people::create_staff(
                ctx,
                StaffInput {
                    local_authority_id: la_id,
                    team_id: Some(team.id),
                    subject: format!("demo-caseworker-{short}-{n}"),
                    name: format!(
                        "{} {}",
                        FIRST_NAMES[(l * 2 + n) * 3 % FIRST_NAMES.len()],
                        SURNAMES[(l * 2 + n + 5) % SURNAMES.len()]
                    ),
                    email: Some(format!("caseworker.{short}.{n}@demo.invalid")),
                    role: Role::Caseworker,
                },
            )
            .await?;
            caseworkers.push(staff.id);
        }
        areas.push((locality, caseworkers));
    }
    people::create_staff(
        ctx,
        StaffInput {
            local_authority_id: la_id,
            team_id: None,
            subject: MANAGER.to_owned(),
            name: "Helen Routledge".to_owned(),
            email: Some("send.manager@demo.invalid".to_owned()),
            role: Role::Manager,
        },
    )
    .await?;

    let mut professionals = Vec::new();
    for service in AdviceService::ALL
        .into_iter()
        .filter(|s| s.is_professional() && *s != AdviceService::Other)
    {
        let p = people::create_professional(
            ctx,
            ProfessionalInput {
                local_authority_id: la_id,
                subject: Some(professional_subject(service)),
                name: format!(
                    "{} {}",
                    FIRST_NAMES[(professionals.len() * 4 + 2) % FIRST_NAMES.len()],
                    SURNAMES[(professionals.len() * 5 + 1) % SURNAMES.len()]
                ),
                service,
                organisation: organisation_of(service).to_owned(),
                email: None,
            },
        )
        .await?;
        professionals.push((service, p.id));
    }
    let professional_of = |service: AdviceService| {
        professionals
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, id)| *id)
    };

    let children_per_stage = 4;
    let mut children = 0;
    for nth in 0..children_per_stage {
        for (s, stage) in Stage::ALL.into_iter().enumerate() {
            // 15 stages × 4 = 60 children; leave out a few to keep the demo near 50.
            if nth == 3 && s % 3 != 0 {
                continue;
            }
            let i = children;
            children += 1;
            let (locality, caseworkers) = &areas[i % areas.len()];
            let caseworker = caseworkers[(i / areas.len()) % caseworkers.len()];
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let surname = SURNAMES[(i * 7 + 3) % SURNAMES.len()];
            // Ages from 2 to 18, so every phase of education appears.
            let years = 2 + (i as i32 * 5) % 17;
            let date_of_birth = birthday(today, years, i);
            let child = people::create_child(
                ctx,
                ChildInput {
                    legal_name: format!("{first} {surname}"),
                    preferred_name: None,
                    date_of_birth,
                    locality_id: locality.id,
                    current_setting: Some(SETTINGS[i % SETTINGS.len()].to_owned()),
                    nc_year_override: None,
                    subject: (years >= 16).then(|| format!("demo-young-person-{:02}", i + 1)),
                    details: demo_details(i, years),
                },
            )
            .await?;
            let parent = people::create_parent(
                ctx,
                ParentInput {
                    local_authority_id: la_id,
                    subject: Some(format!("demo-parent-{:02}", i + 1)),
                    name: format!("{} {surname}", FIRST_NAMES[(i + 11) % FIRST_NAMES.len()]),
                    email: Some(format!("parent{:02}@demo.invalid", i + 1)),
                    phone: None,
                },
            )
            .await?;
            people::link_parent(ctx, child.id, parent.id, Some("mother")).await?;
            let start = today - Duration::days(stage.age_days(nth as i64));
            play(ctx, stage, child.id, caseworker, start, i, &professional_of).await?;
        }
    }
    // Children whose plans came from before the system, each at a stage of the annual
    // review, amendment, phase transfer or ceasing processes.
    for (n, stage) in PlanStage::ALL.into_iter().enumerate() {
        let i = children;
        children += 1;
        let (locality, _) = &areas[i % areas.len()];
        let surname = SURNAMES[(i * 7 + 3) % SURNAMES.len()];
        let first = FIRST_NAMES[(i + 5) % FIRST_NAMES.len()];
        let child = people::create_child(
            ctx,
            ChildInput {
                legal_name: format!("{first} {surname}"),
                preferred_name: None,
                date_of_birth: birthday(today, stage.age_years(), i),
                locality_id: locality.id,
                current_setting: Some(SETTINGS[(i + n) % SETTINGS.len()].to_owned()),
                nc_year_override: None,
                subject: None,
                details: demo_details(i, stage.age_years()),
            },
        )
        .await?;
        let parent = people::create_parent(
            ctx,
            ParentInput {
                local_authority_id: la_id,
                subject: Some(format!("demo-parent-{:02}", i + 1)),
                name: format!("{} {surname}", FIRST_NAMES[(i + 11) % FIRST_NAMES.len()]),
                email: Some(format!("parent{:02}@demo.invalid", i + 1)),
                phone: None,
            },
        )
        .await?;
        people::link_parent(ctx, child.id, parent.id, Some("father")).await?;
        play_plan(ctx, stage, child.id, today, SETTINGS[i % SETTINGS.len()]).await?;
    }
    Ok(Counts {
        caseworkers: areas.iter().map(|(_, c)| c.len()).sum(),
        professionals: professionals.len(),
        children,
    })
}

/// Where a demo child's existing EHC plan stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlanStage {
    /// Issued 14 months ago and never reviewed (CFA 2014 s.44 missed).
    ReviewOverdue,
    /// The 12 months end within two weeks.
    ReviewDueSoon,
    /// A review meeting arranged for three weeks' time.
    ReviewScheduled,
    /// The meeting was held 40 days ago; the decision is overdue (reg 20(10)).
    DecisionOverdue,
    /// Decided to amend; the amendment notice is with the family for their 15 days.
    AmendmentNoticeSent,
    /// The amended plan is past its 8 weeks from the notice (reg 22(3)).
    AmendedPlanOverdue,
    /// In Year 6, so the plan must name a secondary school before 15 February (reg 18).
    PhaseTransferDue,
    /// Reviewed two months ago and maintained.
    Maintained,
    /// The council is considering ceasing the plan (reg 31).
    CeasingProposed,
    /// Ceased: the young person went into paid employment.
    Ceased,
}

impl PlanStage {
    const ALL: [PlanStage; 10] = [
        PlanStage::ReviewOverdue,
        PlanStage::ReviewDueSoon,
        PlanStage::ReviewScheduled,
        PlanStage::DecisionOverdue,
        PlanStage::AmendmentNoticeSent,
        PlanStage::AmendedPlanOverdue,
        PlanStage::PhaseTransferDue,
        PlanStage::Maintained,
        PlanStage::CeasingProposed,
        PlanStage::Ceased,
    ];

    fn age_years(self) -> i32 {
        match self {
            PlanStage::PhaseTransferDue => 11,
            PlanStage::Ceased => 18,
            PlanStage::ReviewOverdue => 8,
            PlanStage::AmendedPlanOverdue => 13,
            _ => 9,
        }
    }

    /// How many days ago the plan was issued (or last reviewed).
    fn plan_age_days(self) -> i64 {
        match self {
            PlanStage::ReviewOverdue => 425,
            PlanStage::ReviewDueSoon => 355,
            PlanStage::ReviewScheduled => 320,
            PlanStage::DecisionOverdue => 330,
            PlanStage::AmendmentNoticeSent => 300,
            PlanStage::AmendedPlanOverdue => 340,
            PlanStage::PhaseTransferDue => 200,
            PlanStage::Maintained => 420,
            PlanStage::CeasingProposed => 250,
            PlanStage::Ceased => 300,
        }
    }
}

/// Enters a plan that existed before the system and plays it to `stage`.
async fn play_plan(
    ctx: &Ctx<'_>,
    stage: PlanStage,
    child_id: i64,
    today: NaiveDate,
    setting: &str,
) -> Result<(), ApiError> {
    let ago = |n: i64| Some(today - Duration::days(n));
    let plan = plans::enter_plan(
        ctx,
        NewPlan {
            child_id,
            issued_on: today - Duration::days(stage.plan_age_days()),
            named_setting: Some(setting.to_owned()),
            last_review_decision_on: None,
            primary_need: Some(SenNeed::Asd),
            secondary_needs: vec![SenNeed::Slcn],
            transferred_in_on: None,
            transferred_from: None,
            // Placed, with the budget, by `place` below, as a caseworker would.
            placements: Vec::new(),
            personal_budget: None,
        },
    )
    .await?;
    let issued_on = plan.row.issued_on;
    let plan = place(ctx, plan, setting, issued_on).await?;
    let plan_id = plan.row.id;
    let decision = |decision, changes: Option<&str>| ReviewDecisionInput {
        decision,
        reasons: Some("Discussed at the review meeting with the family and the school.".to_owned()),
        appeal_rights_given: true,
        proposed_changes: changes.map(str::to_owned),
        phase_transfer: false,
    };
    // A review whose meeting was held `meeting_ago` days ago, with its report two days later.
    let held = |meeting_ago: i64| async move {
        let review = plans::schedule_review(
            ctx,
            Target::new(plan_id, plan.row.version, ago(meeting_ago + 28)),
            ReviewKind::Annual,
            today - Duration::days(meeting_ago),
        )
        .await?;
        let id = review.row.id;
        let review = plans::send_invitations(
            ctx,
            Target::new(id, review.row.version, ago(meeting_ago + 20)),
        )
        .await?;
        let review =
            plans::hold_meeting(ctx, Target::new(id, review.row.version, ago(meeting_ago))).await?;
        plans::record_report(
            ctx,
            Target::new(id, review.row.version, ago(meeting_ago - 2)),
        )
        .await
    };
    match stage {
        PlanStage::ReviewOverdue | PlanStage::ReviewDueSoon | PlanStage::PhaseTransferDue => {}
        PlanStage::ReviewScheduled => {
            let review = plans::schedule_review(
                ctx,
                Target::new(plan_id, plan.row.version, ago(3)),
                ReviewKind::Annual,
                today + Duration::days(21),
            )
            .await?;
            plans::send_invitations(ctx, Target::new(review.row.id, review.row.version, ago(0)))
                .await?;
        }
        PlanStage::DecisionOverdue => {
            held(40).await?;
        }
        PlanStage::Maintained => {
            let review = held(75).await?;
            plans::decide(
                ctx,
                Target::new(review.row.id, review.row.version, ago(60)),
                decision(ReviewDecision::Maintain, None),
            )
            .await?;
        }
        PlanStage::AmendmentNoticeSent | PlanStage::AmendedPlanOverdue => {
            let meeting = if stage == PlanStage::AmendmentNoticeSent {
                30
            } else {
                100
            };
            let review = held(meeting).await?;
            plans::decide(
                ctx,
                Target::new(review.row.id, review.row.version, ago(meeting - 10)),
                decision(ReviewDecision::Amend, None),
            )
            .await?;
            let amendment = plans::amendment_of_review(ctx, review.row.id)
                .await?
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no amendment opened")))?;
            plans::send_amendment_notice(
                ctx,
                Target::new(amendment.row.id, amendment.row.version, ago(meeting - 20)),
                "Section F: add weekly speech and language therapy; Section I unchanged.",
            )
            .await?;
        }
        PlanStage::CeasingProposed | PlanStage::Ceased => {
            let plan = plans::propose_ceasing(
                ctx,
                Target::new(plan_id, plan.row.version, ago(40)),
                "The young person has started an apprenticeship with paid employment.",
            )
            .await?;
            if stage == PlanStage::Ceased {
                let plan = plans::record_cease_consultation(
                    ctx,
                    Target::new(plan_id, plan.row.version, ago(30)),
                )
                .await?;
                plans::cease(
                    ctx,
                    Target::new(plan_id, plan.row.version, ago(20)),
                    CeaseReason::PaidEmployment,
                    true,
                    None,
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// A date of birth `years` old today, spread over the year.
fn birthday(today: NaiveDate, years: i32, i: usize) -> NaiveDate {
    let day = today - Duration::days(((i * 37) % 360) as i64 + 1);
    NaiveDate::from_ymd_opt(day.year() - years, day.month(), day.day().min(28)).unwrap_or(day)
}

fn professional_subject(service: AdviceService) -> String {
    format!("demo-{}", service.as_str().to_lowercase().replace('_', "-"))
}

fn organisation_of(service: AdviceService) -> &'static str {
    match service {
        AdviceService::EducationalPsychology => "Cumbria Educational Psychology Service",
        AdviceService::SocialCare => "Cumbria Children's Social Care",
        AdviceService::SchoolOrSetting => "Stanwix School",
        AdviceService::PreparationForAdulthood => "Cumbria Preparing for Adulthood Team",
        _ => "North Cumbria Integrated Care NHS Foundation Trust",
    }
}

/// Plays one child's needs assessment up to `stage`, each step on its own date.
async fn play(
    ctx: &Ctx<'_>,
    stage: Stage,
    child_id: i64,
    caseworker_id: i64,
    start: NaiveDate,
    i: usize,
    professional_of: &dyn Fn(AdviceService) -> Option<i64>,
) -> Result<(), ApiError> {
    let day = |n: i64| Some(start + Duration::days(n));
    let setting = SETTINGS[(i + 3) % SETTINGS.len()];

    if stage == Stage::Reassessment {
        // A plan issued about a year and a half ago, then a decision to re-assess.
        let first_start = start - Duration::days(560);
        let first = open(
            ctx,
            child_id,
            caseworker_id,
            first_start,
            AssessmentKind::Initial,
        )
        .await?;
        to_final(ctx, first, first_start, setting, 125, professional_of).await?;
        let case = open(
            ctx,
            child_id,
            caseworker_id,
            start,
            AssessmentKind::Reassessment,
        )
        .await?;
        let v = case.row.version;
        casework::request_advice(
            ctx,
            Target::new(case.row.id, v, day(7)),
            advice(AdviceService::EducationalPsychology, professional_of),
        )
        .await?;
        return Ok(());
    }

    let case = open(ctx, child_id, caseworker_id, start, AssessmentKind::Initial).await?;
    let id = case.row.id;
    let v = case.row.version;
    match stage {
        Stage::JustRequested | Stage::DecisionOverdue => Ok(()),
        Stage::RefusedToAssess => {
            casework::decide_not_to_assess(
                ctx,
                Target::new(id, v, day(38)),
                "The school's SEN support plan, with the outreach advice already in place, \
                 is meeting the child's needs; review at the end of term.",
                true,
            )
            .await?;
            Ok(())
        }
        Stage::Withdrawn => {
            let case = casework::decide_to_assess(ctx, Target::new(id, v, day(30)), None).await?;
            casework::withdraw(
                ctx,
                Target::new(id, case.row.version, day(50)),
                "The family asked to withdraw the request after a change of school.",
            )
            .await?;
            Ok(())
        }
        Stage::TransferredOut => {
            let case = casework::decide_to_assess(ctx, Target::new(id, v, day(35)), None).await?;
            casework::transfer_out(
                ctx,
                Target::new(id, case.row.version, day(60)),
                "Northumberland",
            )
            .await?;
            Ok(())
        }
        _ => {
            let case = assess(ctx, case, start, professional_of).await?;
            continue_assessment(ctx, stage, case, start, setting).await
        }
    }
}

async fn open(
    ctx: &Ctx<'_>,
    child_id: i64,
    caseworker_id: i64,
    received_on: NaiveDate,
    kind: AssessmentKind,
) -> Result<AssessmentRecord, ApiError> {
    casework::request(
        ctx,
        NewAssessment {
            child_id,
            kind,
            requested_by: if kind == AssessmentKind::Reassessment {
                RequestedBy::SchoolOrSetting
            } else {
                RequestedBy::Parent
            },
            received_on: Some(received_on),
            caseworker_id: Some(caseworker_id),
            // None of the demo's children is detained.
            relevant_youth_accommodation: false,
        },
    )
    .await
}

fn advice(
    service: AdviceService,
    professional_of: &dyn Fn(AdviceService) -> Option<i64>,
) -> crate::service::advice::NewAdviceRequest {
    crate::service::advice::NewAdviceRequest {
        service,
        professional_id: professional_of(service),
        addressed_to: None,
    }
}

/// Decides to assess (day 35) and asks the educational psychologist, CAMHS, speech and
/// language therapy and the family for their advice and views (day 36).
async fn assess(
    ctx: &Ctx<'_>,
    case: AssessmentRecord,
    start: NaiveDate,
    professional_of: &dyn Fn(AdviceService) -> Option<i64>,
) -> Result<AssessmentRecord, ApiError> {
    let id = case.row.id;
    let day = |n: i64| Some(start + Duration::days(n));
    let mut case = casework::decide_to_assess(
        ctx,
        Target::new(id, case.row.version, day(35)),
        Some("Evidence from the school shows needs beyond what SEN support can meet."),
    )
    .await?;
    for service in [
        AdviceService::EducationalPsychology,
        AdviceService::Camhs,
        AdviceService::SpeechAndLanguageTherapy,
        AdviceService::ParentView,
    ] {
        case = casework::request_advice(
            ctx,
            Target::new(id, case.row.version, day(36)),
            advice(service, professional_of),
        )
        .await?;
    }
    Ok(case)
}

fn advice_id(case: &AssessmentRecord, service: AdviceService) -> i64 {
    case.advice
        .iter()
        .find(|a| a.service == service.as_str())
        .map(|a| a.id)
        .expect("advice requested in assess()")
}

/// Records the advice: the EP and the family on time, CAMHS and speech and language on
/// `late_by` days after their 6 weeks (negative: early).
async fn receive_advice(
    ctx: &Ctx<'_>,
    mut case: AssessmentRecord,
    start: NaiveDate,
    late_by: i64,
    skip_camhs: bool,
) -> Result<AssessmentRecord, ApiError> {
    let id = case.row.id;
    let due = 36 + 42;
    let received = [
        (
            AdviceService::EducationalPsychology,
            due - 10,
            "Cognitive and learning assessment; recommends small-group literacy teaching.",
            Some("EP-report.pdf"),
        ),
        (
            AdviceService::ParentView,
            due - 20,
            "Our views and our child's one-page profile.",
            None,
        ),
        (
            AdviceService::SpeechAndLanguageTherapy,
            due + late_by,
            "Receptive language difficulties; weekly therapy recommended.",
            Some("https://docs.demo.invalid/salt-advice"),
        ),
        (
            AdviceService::Camhs,
            due + late_by + 2,
            "Anxiety affecting attendance; CAMHS input continues.",
            Some("CAMHS-letter.pdf"),
        ),
    ];
    let mut received = received.to_vec();
    received.sort_by_key(|r| r.1);
    for (service, on, summary, document) in received {
        if skip_camhs && service == AdviceService::Camhs {
            continue;
        }
        let advice = advice_id(&case, service);
        case = casework::record_advice_received(
            ctx,
            Target::new(id, case.row.version, Some(start + Duration::days(on))),
            advice,
            summary,
            document,
        )
        .await?;
    }
    Ok(case)
}

async fn continue_assessment(
    ctx: &Ctx<'_>,
    stage: Stage,
    case: AssessmentRecord,
    start: NaiveDate,
    setting: &str,
) -> Result<(), ApiError> {
    let id = case.row.id;
    let day = |n: i64| Some(start + Duration::days(n));
    match stage {
        Stage::AdviceRequested => Ok(()),
        Stage::AdviceOverdue => {
            receive_advice(ctx, case, start, -5, true).await?;
            Ok(())
        }
        Stage::AdviceExcepted => {
            casework::record_exception(
                ctx,
                id,
                case.row.version,
                NewException {
                    reason_code: "ABSENT_FROM_AREA".to_owned(),
                    starts_on: start + Duration::days(60),
                    ends_on: start + Duration::days(95),
                    note: Some(
                        "The family stayed with relatives abroad during a bereavement.".to_owned(),
                    ),
                    advice_request_id: None,
                },
            )
            .await?;
            Ok(())
        }
        Stage::NotIssued => {
            let case = receive_advice(ctx, case, start, -3, false).await?;
            casework::decide_not_to_issue(
                ctx,
                Target::new(id, case.row.version, day(105)),
                "The advice shows the needs can be met from the resources the school has, \
                 with the EP's recommendations in its SEN support plan.",
                true,
            )
            .await?;
            Ok(())
        }
        Stage::DraftWithFamily => {
            let case = receive_advice(ctx, case, start, -4, false).await?;
            casework::send_draft(ctx, Target::new(id, case.row.version, day(92))).await?;
            Ok(())
        }
        Stage::SettingConsulted | Stage::FinalOverdue => {
            let late = if stage == Stage::FinalOverdue { 20 } else { -4 };
            let case = receive_advice(ctx, case, start, late, false).await?;
            let draft = if stage == Stage::FinalOverdue {
                120
            } else {
                95
            };
            consult(ctx, case, start, draft, setting).await?;
            Ok(())
        }
        Stage::IssuedOnTime => {
            let case = receive_advice(ctx, case, start, -2, false).await?;
            finish(ctx, case, start, 95, 125, setting).await
        }
        Stage::IssuedLate => {
            let case = receive_advice(ctx, case, start, 35, false).await?;
            finish(ctx, case, start, 130, 170, setting).await
        }
        _ => Ok(()),
    }
}

/// Sends the draft on `draft_day`; the family answers 10 days later asking for `setting`,
/// which is consulted the next day.
async fn consult(
    ctx: &Ctx<'_>,
    case: AssessmentRecord,
    start: NaiveDate,
    draft_day: i64,
    setting: &str,
) -> Result<AssessmentRecord, ApiError> {
    let id = case.row.id;
    let day = |n: i64| Some(start + Duration::days(n));
    let case = casework::send_draft(ctx, Target::new(id, case.row.version, day(draft_day))).await?;
    let case = casework::record_parent_response(
        ctx,
        Target::new(id, case.row.version, day(draft_day + 10)),
        crate::domain::input::FamilyResponse {
            comments: Some("Section F should say how often therapy happens.".to_owned()),
            meeting_requested: false,
            requested_setting: Some(setting.to_owned()),
        },
    )
    .await?;
    casework::consult_setting(
        ctx,
        Target::new(id, case.row.version, day(draft_day + 11)),
        setting,
    )
    .await
}

/// Consults, hears the setting agree, and issues the final plan on `final_day`.
async fn finish(
    ctx: &Ctx<'_>,
    case: AssessmentRecord,
    start: NaiveDate,
    draft_day: i64,
    final_day: i64,
    setting: &str,
) -> Result<(), ApiError> {
    let id = case.row.id;
    let day = |n: i64| Some(start + Duration::days(n));
    let case = consult(ctx, case, start, draft_day, setting).await?;
    let consultation = case
        .consultations
        .last()
        .map(|c| c.id)
        .expect("consulted just now");
    let case = casework::record_setting_response(
        ctx,
        Target::new(id, case.row.version, day(draft_day + 20)),
        consultation,
        SettingResponse::Agreed,
        None,
    )
    .await?;
    casework::issue_final_plan(
        ctx,
        Target::new(id, case.row.version, day(final_day)),
        Some(setting),
    )
    .await?;
    // The caseworker records the plan's needs (the SEN2 return carries them).
    let plan = crate::store::entity::ehc_plan::Entity::find()
        .filter(crate::store::entity::ehc_plan::Column::AssessmentId.eq(id))
        .one(ctx.db)
        .await?
        .expect("the final plan was issued just now");
    let primary = SenNeed::ALL[(id as usize) % SenNeed::ALL.len()];
    let secondary = SenNeed::ALL[(id as usize + 5) % SenNeed::ALL.len()];
    let plan = plans::update_needs(ctx, plan.id, plan.version, primary, &[secondary]).await?;
    let issued_on = plan.row.issued_on;
    place(ctx, plan, setting, issued_on).await?;
    Ok(())
}

/// Takes a fresh request all the way to a final plan issued on `final_day`.
async fn to_final(
    ctx: &Ctx<'_>,
    case: AssessmentRecord,
    start: NaiveDate,
    setting: &str,
    final_day: i64,
    professional_of: &dyn Fn(AdviceService) -> Option<i64>,
) -> Result<(), ApiError> {
    let case = assess(ctx, case, start, professional_of).await?;
    let case = receive_advice(ctx, case, start, -2, false).await?;
    finish(ctx, case, start, 95, final_day, setting).await
}

/// How to get a token for each demo role, with the families worth looking at.
async fn sign_in_instructions(db: &DatabaseConnection) -> anyhow::Result<String> {
    let mut out = String::new();
    let token = |role: &str, sub: &str, la: bool| {
        format!(
            "cargo run -q -- token --role {role} --sub {sub}{}",
            if la {
                format!(" --la {DEMO_LA_CODE}")
            } else {
                String::new()
            }
        )
    };
    writeln!(
        out,
        "\nSign in as a demo user: print a token with the command beside the role (same \
         DATABASE_URL and EHCP_JWT_SECRET as the server), then send it as \
         `Authorization: Bearer <token>` to /graphql."
    )?;
    writeln!(out, "  manager        {}", token("manager", MANAGER, true))?;
    for (_, short) in LOCALITIES {
        writeln!(
            out,
            "  caseworker     {}",
            token("caseworker", &format!("demo-caseworker-{short}-1"), true)
        )?;
    }
    let professionals = professional::Entity::find()
        .filter(professional::Column::Subject.like("demo-%"))
        .all(db)
        .await?;
    for p in professionals.iter().take(3) {
        if let Some(sub) = &p.subject {
            let service = p
                .service
                .parse::<AdviceService>()
                .map_or_else(|_| p.service.clone(), |s| s.label().to_owned());
            writeln!(
                out,
                "  professional   {}   # {}, {service}",
                token("professional", sub, true),
                p.name,
            )?;
        }
    }
    if professionals.len() > 3 {
        writeln!(
            out,
            "  (and {} more professionals: demo-<service>, e.g. demo-occupational-therapy)",
            professionals.len() - 3
        )?;
    }
    for (n, stage) in [
        (7, Stage::DraftWithFamily),
        (2, Stage::DecisionOverdue),
        (11, Stage::IssuedOnTime),
    ] {
        writeln!(
            out,
            "  parent         {}   # {}",
            token("parent", &format!("demo-parent-{n:02}"), false),
            stage.describe()
        )?;
    }
    let parents = parent::Entity::find()
        .filter(parent::Column::Subject.like("demo-parent-%"))
        .count(db)
        .await?;
    writeln!(
        out,
        "  (parents demo-parent-01 to demo-parent-{parents:02}, one per child, cover every stage)"
    )?;
    writeln!(out, "  admin          {}", token("admin", ADMIN, false))?;
    Ok(out)
}

/// What the SEN2 return records of the demo's `i`th child, aged `years`: a UPN (made with its
/// check letter) from school age, under 6 the reason there is none; sex, ethnicity and a
/// Carlisle-area postcode in turn.
fn demo_details(i: usize, years: i32) -> crate::domain::sen2::PersonDetails {
    const ETHNICITIES: [&str; 8] = [
        "WBRI", "WIRI", "MWBC", "AIND", "BAFR", "CHNE", "WROM", "NOBT",
    ];
    const POSTCODES: [&str; 6] = [
        "CA1 1RD", "CA2 4HN", "CA3 9QX", "CA11 7QE", "CA12 5DJ", "LA9 4RQ",
    ];
    let upn = (years >= 6)
        .then(|| {
            crate::domain::sen2::upn_from(&format!(
                "909{:04}{:02}{:03}",
                2000 + i % 50,
                (26 - years).rem_euclid(100),
                i % 1000
            ))
        })
        .flatten();
    crate::domain::sen2::PersonDetails {
        upn_unknown: upn.is_none().then(|| "UN1".to_owned()),
        upn,
        uln: None,
        sex: Some(if i.is_multiple_of(2) { "F" } else { "M" }.to_owned()),
        ethnicity: Some(ETHNICITIES[i % ETHNICITIES.len()].to_owned()),
        home_postcode: Some(POSTCODES[i % POSTCODES.len()].to_owned()),
    }
}
