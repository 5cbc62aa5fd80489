//! The EHC plan once issued: its needs, status, the next annual review (CFA 2014 s.44), the
//! under-5s' target (CoP 9.178), phase transfers (reg 18), transfers between councils
//! (reg 15) and ceasing (regs 29–31).
//!
//! The review clock runs from the plan's first issue, then from each review's decision: the
//! review completes when the council decides to keep, amend or cease the plan (reg 19,
//! CoP 9.169). An amendment does not restart it.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::appeal::{AppealWindow, PlanDecision};
use super::assessment::{Milestone, UnknownCode, parse_code};
use super::backlog::TrackedDeadline;
use super::calendar::{add_months, long_date, sub_months};
use super::people::national_curriculum_year;
use super::reader::Reader;
use super::rules::Clock;
use super::timescales::{Deadline, DeadlineKind, DeadlineStatus, Party, TimeLimit};

/// The last day the old council may transfer the plan (reg 15(2)): the day of the move, or,
/// when it learned of the move fewer than 15 working days before, the 15th working day
/// beginning with the day it became aware of it (that day is the first, if a working day).
pub fn transfer_out_due(moves_on: NaiveDate, learned_on: NaiveDate) -> NaiveDate {
    moves_on.max(DeadlineKind::TransferOut.due_from(learned_on))
}

/// The SEN2 need types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SenNeed {
    Spld,
    Mld,
    Sld,
    Pmld,
    Semh,
    Slcn,
    Hi,
    Vi,
    Msi,
    Pd,
    Asd,
    Ds,
    Oth,
}

impl SenNeed {
    pub const ALL: [Self; 13] = [
        Self::Spld,
        Self::Mld,
        Self::Sld,
        Self::Pmld,
        Self::Semh,
        Self::Slcn,
        Self::Hi,
        Self::Vi,
        Self::Msi,
        Self::Pd,
        Self::Asd,
        Self::Ds,
        Self::Oth,
    ];

    /// The SEN2 code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spld => "SPLD",
            Self::Mld => "MLD",
            Self::Sld => "SLD",
            Self::Pmld => "PMLD",
            Self::Semh => "SEMH",
            Self::Slcn => "SLCN",
            Self::Hi => "HI",
            Self::Vi => "VI",
            Self::Msi => "MSI",
            Self::Pd => "PD",
            Self::Asd => "ASD",
            Self::Ds => "DS",
            Self::Oth => "OTH",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Spld => "Specific learning difficulty",
            Self::Mld => "Moderate learning difficulty",
            Self::Sld => "Severe learning difficulty",
            Self::Pmld => "Profound and multiple learning difficulty",
            Self::Semh => "Social, emotional and mental health",
            Self::Slcn => "Speech, language and communication needs",
            Self::Hi => "Hearing impairment",
            Self::Vi => "Vision impairment",
            Self::Msi => "Multi-sensory impairment",
            Self::Pd => "Physical disability",
            Self::Asd => "Autistic spectrum disorder",
            Self::Ds => "Down syndrome",
            Self::Oth => "Other difficulty or disability",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "SEN need", code)
    }
}

/// The primary need and any secondary needs, as the SEN2 return reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    pub primary: SenNeed,
    pub secondary: Vec<SenNeed>,
}

impl Needs {
    /// A primary need and distinct secondary needs that do not repeat it.
    pub fn new(primary: SenNeed, secondary: &[SenNeed]) -> Result<Self, &'static str> {
        let mut distinct = Vec::new();
        for need in secondary {
            if *need == primary {
                return Err("a secondary need must differ from the primary need");
            }
            if !distinct.contains(need) {
                distinct.push(*need);
            }
        }
        Ok(Self {
            primary,
            secondary: distinct,
        })
    }

    /// Stored as "SEMH,SLCN".
    pub fn secondary_codes(&self) -> String {
        let codes: Vec<&str> = self.secondary.iter().map(|n| n.as_str()).collect();
        codes.join(",")
    }

    pub fn parse_secondary(stored: &str) -> Result<Vec<SenNeed>, UnknownCode> {
        stored
            .split(',')
            .filter(|c| !c.is_empty())
            .map(SenNeed::parse)
            .collect()
    }
}

/// SEN2 reasons a plan ceased (regs 29–31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CeaseReason {
    MaximumAge,
    NeedsMetWithoutPlan,
    HigherEducation,
    PaidEmployment,
    MovedToAnotherLaInEngland,
    NoLongerWishesToEngage,
    MovedOutsideEngland,
    Deceased,
    Other,
}

impl CeaseReason {
    pub const ALL: [Self; 9] = [
        Self::MaximumAge,
        Self::NeedsMetWithoutPlan,
        Self::HigherEducation,
        Self::PaidEmployment,
        Self::MovedToAnotherLaInEngland,
        Self::NoLongerWishesToEngage,
        Self::MovedOutsideEngland,
        Self::Deceased,
        Self::Other,
    ];

    /// The SEN2 code, 1 to 9.
    pub fn sen2_code(self) -> i16 {
        match self {
            Self::MaximumAge => 1,
            Self::NeedsMetWithoutPlan => 2,
            Self::HigherEducation => 3,
            Self::PaidEmployment => 4,
            Self::MovedToAnotherLaInEngland => 5,
            Self::NoLongerWishesToEngage => 6,
            Self::MovedOutsideEngland => 7,
            Self::Deceased => 8,
            Self::Other => 9,
        }
    }

    pub fn from_sen2_code(code: i16) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.sen2_code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::MaximumAge => "Reached the maximum age",
            Self::NeedsMetWithoutPlan => "Needs met without an EHC plan",
            Self::HigherEducation => "Moved on to higher education",
            Self::PaidEmployment => "Moved on to paid employment",
            Self::MovedToAnotherLaInEngland => "Moved to another local authority in England",
            Self::NoLongerWishesToEngage => {
                "The young person no longer wishes to engage in education or training"
            }
            Self::MovedOutsideEngland => "Moved outside England",
            Self::Deceased => "Deceased",
            Self::Other => "Other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PlanStatus {
    Active,
    Ceased,
    TransferredOut,
    /// A re-assessment issued a new plan in its place.
    Replaced,
}

impl PlanStatus {
    pub const ALL: [Self; 4] = [
        Self::Active,
        Self::Ceased,
        Self::TransferredOut,
        Self::Replaced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Ceased => "CEASED",
            Self::TransferredOut => "TRANSFERRED_OUT",
            Self::Replaced => "REPLACED",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "plan status", code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PlanAction {
    UpdateNeeds,
    SetPhaseTransfer,
    SetPlacements,
    SetPersonalBudget,
    ScheduleReview,
    ProposeAmendment,
    SendTransferNotice,
    ProposeCeasing,
    RecordCeaseConsultation,
    Cease,
    DecideNotToCease,
    RecordMove,
    TransferOut,
}

impl PlanAction {
    pub const ALL: [Self; 13] = [
        Self::UpdateNeeds,
        Self::SetPhaseTransfer,
        Self::SetPlacements,
        Self::SetPersonalBudget,
        Self::ScheduleReview,
        Self::ProposeAmendment,
        Self::SendTransferNotice,
        Self::ProposeCeasing,
        Self::RecordCeaseConsultation,
        Self::Cease,
        Self::DecideNotToCease,
        Self::RecordMove,
        Self::TransferOut,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UpdateNeeds => "UPDATE_NEEDS",
            Self::SetPhaseTransfer => "SET_PHASE_TRANSFER",
            Self::SetPlacements => "SET_PLACEMENTS",
            Self::SetPersonalBudget => "SET_PERSONAL_BUDGET",
            Self::ScheduleReview => "SCHEDULE_REVIEW",
            Self::ProposeAmendment => "PROPOSE_AMENDMENT",
            Self::SendTransferNotice => "SEND_TRANSFER_NOTICE",
            Self::ProposeCeasing => "PROPOSE_CEASING",
            Self::RecordCeaseConsultation => "RECORD_CEASE_CONSULTATION",
            Self::Cease => "CEASE",
            Self::DecideNotToCease => "DECIDE_NOT_TO_CEASE",
            Self::RecordMove => "RECORD_MOVE",
            Self::TransferOut => "TRANSFER_OUT",
        }
    }
}

/// A move between phases of education (reg 2(1), "transfer between phases of education").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PhaseTransferKind {
    EarlyYearsToSchool,
    InfantToJunior,
    PrimaryToMiddle,
    PrimaryToSecondary,
    MiddleToSecondary,
    SecondaryToPost16,
    /// Between post-16 institutions (reg 18(2)).
    Post16ToPost16,
}

impl PhaseTransferKind {
    pub const ALL: [Self; 7] = [
        Self::EarlyYearsToSchool,
        Self::InfantToJunior,
        Self::PrimaryToMiddle,
        Self::PrimaryToSecondary,
        Self::MiddleToSecondary,
        Self::SecondaryToPost16,
        Self::Post16ToPost16,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EarlyYearsToSchool => "EARLY_YEARS_TO_SCHOOL",
            Self::InfantToJunior => "INFANT_TO_JUNIOR",
            Self::PrimaryToMiddle => "PRIMARY_TO_MIDDLE",
            Self::PrimaryToSecondary => "PRIMARY_TO_SECONDARY",
            Self::MiddleToSecondary => "MIDDLE_TO_SECONDARY",
            Self::SecondaryToPost16 => "SECONDARY_TO_POST16",
            Self::Post16ToPost16 => "POST16_TO_POST16",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "phase transfer", code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::EarlyYearsToSchool => "early years to school",
            Self::InfantToJunior => "infant to junior school",
            Self::PrimaryToMiddle => "primary to middle school",
            Self::PrimaryToSecondary => "primary to secondary school",
            Self::MiddleToSecondary => "middle to secondary school",
            Self::SecondaryToPost16 => "secondary school to post-16",
            Self::Post16ToPost16 => "one post-16 institution to another",
        }
    }

    pub fn deadline_kind(self) -> DeadlineKind {
        match self {
            Self::SecondaryToPost16 => DeadlineKind::PhaseTransferPost16,
            Self::Post16ToPost16 => DeadlineKind::Post16Transfer,
            _ => DeadlineKind::PhaseTransfer,
        }
    }

    /// The last day the plan may be reviewed and amended for a move on `moves_on`.
    ///
    /// Reg 18(1) says "before 15 February" (school phases) and "before 31 March" (secondary
    /// to post-16) of the calendar year of the transfer, so the last day is the 14 February
    /// or 30 March; reg 18(2) says "at least five months before" a post-16 move.
    pub fn due_on(self, moves_on: NaiveDate) -> NaiveDate {
        self.deadline_kind().due_from(moves_on)
    }
}

/// The next transfer between phases, and when the plan must be ready for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PhaseTransfer {
    pub kind: PhaseTransferKind,
    pub moves_on: NaiveDate,
    pub due_on: NaiveDate,
    /// Set by a caseworker rather than worked out from the national curriculum year.
    pub overridden: bool,
}

/// The next phase transfer for a child in national curriculum year `nc_year` on `today`:
/// into Reception, Year 7 or Year 12, each in September. Infant, middle-school and post-16
/// moves depend on the schools, so a caseworker sets them as an override.
pub fn next_phase_transfer(nc_year: i32, today: NaiveDate) -> Option<PhaseTransfer> {
    standard_phase_transfers(nc_year, today).next()
}

/// The standard moves still to come for a child in year `nc_year` on `today`, in order.
fn standard_phase_transfers(nc_year: i32, today: NaiveDate) -> impl Iterator<Item = PhaseTransfer> {
    let school_year_start = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    [
        (0, PhaseTransferKind::EarlyYearsToSchool),
        (7, PhaseTransferKind::PrimaryToSecondary),
        (12, PhaseTransferKind::SecondaryToPost16),
    ]
    .into_iter()
    .filter(move |(year, _)| *year > nc_year)
    .filter_map(move |(year, kind)| {
        let moves_on = NaiveDate::from_ymd_opt(school_year_start + year - nc_year, 9, 1)?;
        Some(PhaseTransfer {
            kind,
            moves_on,
            due_on: kind.due_on(moves_on),
            overridden: false,
        })
    })
}

/// What has happened to a plan, as recorded. Deadlines are derived from these facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFacts {
    pub status: PlanStatus,
    /// First issued (or, for a plan from another council, first made there: reg 15(3)(a)).
    pub issued_on: NaiveDate,
    pub date_of_birth: NaiveDate,
    /// A child educated out of year group: their national curriculum year today.
    pub nc_year_override: Option<i32>,
    /// The latest review decision (reviews in the system, or entered with an older plan).
    pub last_review_decision_on: Option<NaiveDate>,
    pub transferred_in_on: Option<NaiveDate>,
    pub transfer_notice_sent_on: Option<NaiveDate>,
    /// A caseworker's explicit next transfer.
    pub phase_transfer_override: Option<(PhaseTransferKind, NaiveDate)>,
    /// An amended plan naming the next setting: (the move it was for, issued on).
    pub phase_transfer_finalised: Option<(NaiveDate, NaiveDate)>,
    pub cease_proposed_on: Option<NaiveDate>,
    pub cease_consulted_on: Option<NaiveDate>,
    pub ceased_on: Option<NaiveDate>,
    pub cease_reason: Option<CeaseReason>,
    pub transferred_out_on: Option<NaiveDate>,
    /// The family is moving to another council's area: (learned of it on, moves on).
    pub move_recorded: Option<(NaiveDate, NaiveDate)>,
    /// An annual review is under way.
    pub open_review: bool,
    /// An amendment is under way.
    pub open_amendment: bool,
}

impl PlanFacts {
    /// An active plan issued on `issued_on` with nothing else recorded.
    pub fn new(issued_on: NaiveDate, date_of_birth: NaiveDate) -> Self {
        Self {
            status: PlanStatus::Active,
            issued_on,
            date_of_birth,
            nc_year_override: None,
            last_review_decision_on: None,
            transferred_in_on: None,
            transfer_notice_sent_on: None,
            phase_transfer_override: None,
            phase_transfer_finalised: None,
            cease_proposed_on: None,
            cease_consulted_on: None,
            ceased_on: None,
            cease_reason: None,
            transferred_out_on: None,
            move_recorded: None,
            open_review: false,
            open_amendment: false,
        }
    }

    /// The day the review clock last started: the last review decision, or the issue date.
    pub fn review_clock_start(&self) -> NaiveDate {
        self.last_review_decision_on.unwrap_or(self.issued_on)
    }

    /// The next review's statutory limit: 12 months from the clock start; after a transfer in
    /// with no review since, the later of that and 3 months from the transfer (reg 15(5)).
    pub fn review_limit(&self) -> TimeLimit {
        let start = self.review_clock_start();
        let twelve_months = DeadlineKind::AnnualReview.due_from(start);
        let (kind, due_on) = match self.transferred_in_on {
            // Reg 15(5): the later of the end of the 12 months beginning with the last review
            // (or the plan's making) and the end of the 3 months beginning with the transfer.
            Some(transfer) if self.last_review_decision_on.is_none_or(|r| r < transfer) => (
                DeadlineKind::TransferReview,
                DeadlineKind::TransferReview
                    .due_from(start)
                    .max(Clock::MonthsStartingWith(3).due(transfer)),
            ),
            _ => (DeadlineKind::AnnualReview, twelve_months),
        };
        TimeLimit {
            kind,
            starts_on: start,
            due_on,
            met_on: None,
            advice_request_id: None,
        }
    }

    /// The child's national curriculum year on `today`.
    pub fn nc_year(&self, today: NaiveDate) -> i32 {
        self.nc_year_override
            .unwrap_or_else(|| national_curriculum_year(self.date_of_birth, today))
    }

    /// The next phase transfer: the override while its move is still to come, otherwise the
    /// one the national curriculum year gives.
    pub fn phase_transfer(&self, today: NaiveDate) -> Option<PhaseTransfer> {
        if let Some((kind, moves_on)) = self.phase_transfer_override
            && moves_on >= today
        {
            return Some(PhaseTransfer {
                kind,
                moves_on,
                due_on: kind.due_on(moves_on),
                overridden: true,
            });
        }
        next_phase_transfer(self.nc_year(today), today)
    }

    /// A transfer set for the plan whose move is already past: history a council entered (a
    /// move into Year 7 last September), shown and counted with whether it met reg 18.
    pub fn past_phase_transfer(&self, today: NaiveDate) -> Option<PhaseTransfer> {
        let (kind, moves_on) = self.phase_transfer_override?;
        (moves_on < today && moves_on >= self.issued_on).then(|| PhaseTransfer {
            kind,
            moves_on,
            due_on: kind.due_on(moves_on),
            overridden: true,
        })
    }

    /// Under 5 on the day the review clock started.
    fn under_five_at_clock_start(&self) -> bool {
        add_months(self.date_of_birth, 60) > self.review_clock_start()
    }

    fn is_open(&self) -> bool {
        self.status == PlanStatus::Active
    }
}

/// The actions allowed on a plan in the state its facts describe, in declaration order.
pub fn allowed_actions(facts: &PlanFacts) -> Vec<PlanAction> {
    PlanAction::ALL
        .into_iter()
        .filter(|a| action_allowed(facts, *a))
        .collect()
}

fn action_allowed(facts: &PlanFacts, action: PlanAction) -> bool {
    use PlanAction as A;
    // Where the child was placed and the budget stay correctable once the plan has ended:
    // the SEN2 return reports plans ceased in its year, with their placements.
    if matches!(action, A::SetPlacements | A::SetPersonalBudget) {
        return true;
    }
    if !facts.is_open() {
        return false;
    }
    let proposed = facts.cease_proposed_on.is_some();
    match action {
        A::UpdateNeeds
        | A::SetPhaseTransfer
        | A::SetPlacements
        | A::SetPersonalBudget
        | A::RecordMove
        | A::TransferOut => true,
        A::ScheduleReview => !facts.open_review,
        A::ProposeAmendment => !facts.open_amendment,
        A::SendTransferNotice => {
            facts.transferred_in_on.is_some() && facts.transfer_notice_sent_on.is_none()
        }
        A::ProposeCeasing => !proposed,
        A::RecordCeaseConsultation => proposed && facts.cease_consulted_on.is_none(),
        // Reg 31(2): the decision follows the consultation with the family and the setting.
        A::Cease => facts.cease_consulted_on.is_some(),
        A::DecideNotToCease => proposed,
    }
}

/// The plan's own deadlines as seen on `today`: the next review (with the under-5 target),
/// the phase transfer, and the new council's notice after a transfer in. A closed plan has no
/// open deadlines: they show as not applicable.
pub fn plan_deadlines(facts: &PlanFacts, today: NaiveDate) -> Vec<Deadline> {
    let mut deadlines = Vec::new();
    if let Some((learned_on, moves_on)) = facts.move_recorded {
        let limit = TimeLimit {
            kind: DeadlineKind::TransferOut,
            starts_on: learned_on,
            due_on: transfer_out_due(moves_on, learned_on),
            met_on: facts.transferred_out_on,
            advice_request_id: None,
        };
        deadlines.push(limit.deadline(&[], today));
    }
    if let Some(transfer) = facts.transferred_in_on {
        let limit = TimeLimit {
            kind: DeadlineKind::TransferNotice,
            starts_on: transfer,
            due_on: DeadlineKind::TransferNotice.due_from(transfer),
            met_on: facts.transfer_notice_sent_on,
            advice_request_id: None,
        };
        deadlines.push(limit.deadline(&[], today));
    }
    deadlines.push(facts.review_limit().deadline(&[], today));
    if facts.under_five_at_clock_start() {
        let start = facts.review_clock_start();
        let limit = TimeLimit {
            kind: DeadlineKind::UnderFiveReview,
            starts_on: start,
            due_on: DeadlineKind::UnderFiveReview.due_from(start),
            met_on: None,
            advice_request_id: None,
        };
        deadlines.push(limit.deadline(&[], today));
    }
    if let Some(transfer) = facts.phase_transfer(today) {
        let met_on = facts
            .phase_transfer_finalised
            .filter(|(moves_on, _)| *moves_on == transfer.moves_on)
            .map(|(_, on)| on);
        let limit = TimeLimit {
            kind: transfer.kind.deadline_kind(),
            starts_on: today,
            due_on: transfer.due_on,
            met_on,
            advice_request_id: None,
        };
        deadlines.push(limit.deadline(&[], today));
    }
    if let Some(past) = facts.past_phase_transfer(today) {
        let met_on = facts
            .phase_transfer_finalised
            .filter(|(moves_on, _)| *moves_on == past.moves_on)
            .map(|(_, on)| on);
        let limit = TimeLimit {
            kind: past.kind.deadline_kind(),
            starts_on: facts.issued_on,
            due_on: past.due_on,
            met_on,
            advice_request_id: None,
        };
        deadlines.push(limit.deadline(&[], today));
    }
    if !facts.is_open() {
        for deadline in &mut deadlines {
            if deadline.met_on.is_none() {
                *deadline = Deadline::not_applicable(deadline.kind, deadline.due_on, None);
            }
        }
    }
    deadlines
}

/// A review the plan has had: the limit it was arranged against and the day it was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecidedReview {
    pub due_by: NaiveDate,
    pub due_by_kind: DeadlineKind,
    pub decided_on: NaiveDate,
}

/// The plan's deadlines as the backlog tracks them (see [`crate::domain::backlog`]): each
/// review cycle (12 months from the issue or the previous decision, met by the next review's
/// decision), every phase transfer from the issue on (open from the September before the move
/// until the amended plan names the new setting or the move happens), and transfers between
/// councils. A ceased or transferred plan settles what was still open.
/// `replaced_on` is the day a re-assessment's new plan replaced this one; `known_from` the
/// first day the system knew the plan (its issue, or the day an older plan was entered), so
/// that phase transfers from before then are not counted as missed.
pub fn tracked_deadlines(
    facts: &PlanFacts,
    decided: &[DecidedReview],
    replaced_on: Option<NaiveDate>,
    known_from: NaiveDate,
) -> Vec<TrackedDeadline> {
    let closed_on = facts.ceased_on.or(facts.transferred_out_on).or(replaced_on);
    let mut tracked = Vec::new();
    let mut decided: Vec<DecidedReview> = decided.to_vec();
    decided.sort_by_key(|r| r.decided_on);
    let mut previous: Option<NaiveDate> = None;
    for review in &decided {
        let starts_on = previous
            .unwrap_or_else(|| {
                sub_months(super::calendar::add_days(review.due_by, 1), 12).max(facts.issued_on)
            })
            .min(review.decided_on);
        tracked.push(TrackedDeadline::plain(
            review.due_by_kind,
            starts_on,
            review.due_by,
            Some(review.decided_on),
            &[],
        ));
        previous = Some(review.decided_on);
    }
    if facts.status == PlanStatus::Active || closed_on.is_some() {
        let limit = facts.review_limit();
        let starts_on = previous.map_or(limit.starts_on, |p| p.max(limit.starts_on));
        tracked.push(TrackedDeadline::plain(
            limit.kind,
            starts_on,
            limit.due_on,
            None,
            &[closed_on.map(|c| c.max(starts_on))],
        ));
    }
    for transfer in phase_transfers_from(facts, known_from.max(facts.issued_on)) {
        let met_on = facts
            .phase_transfer_finalised
            .filter(|(moves_on, _)| *moves_on == transfer.moves_on)
            .map(|(_, on)| on);
        let starts_on = sub_months(transfer.moves_on, 12).max(facts.issued_on);
        tracked.push(TrackedDeadline::plain(
            transfer.kind.deadline_kind(),
            starts_on,
            transfer.due_on,
            met_on,
            &[Some(transfer.moves_on), closed_on],
        ));
    }
    if let Some(transfer) = facts.transferred_in_on {
        tracked.push(TrackedDeadline::plain(
            DeadlineKind::TransferNotice,
            transfer,
            DeadlineKind::TransferNotice.due_from(transfer),
            facts.transfer_notice_sent_on,
            &[closed_on],
        ));
    }
    if let Some((learned_on, moves_on)) = facts.move_recorded {
        tracked.push(TrackedDeadline::plain(
            DeadlineKind::TransferOut,
            learned_on,
            transfer_out_due(moves_on, learned_on),
            facts.transferred_out_on,
            &[facts.ceased_on],
        ));
    }
    tracked
}

/// Every phase transfer whose deadline falls on or after `from`: the standard moves into
/// Reception, Year 7 and Year 12 worked out from the national curriculum year on `from`, and
/// a caseworker's override when it is another move.
fn phase_transfers_from(facts: &PlanFacts, from: NaiveDate) -> Vec<PhaseTransfer> {
    let mut transfers: Vec<PhaseTransfer> =
        standard_phase_transfers(facts.nc_year(from), from).collect();
    let overridden = facts.phase_transfer_override;
    if let Some((kind, moves_on)) = overridden
        && transfers.iter().all(|t| t.moves_on != moves_on)
    {
        transfers.push(PhaseTransfer {
            kind,
            moves_on,
            due_on: kind.due_on(moves_on),
            overridden: true,
        });
    }
    // A transfer the council set is counted even when it was before the plan came into the
    // system (history entered with it), as long as the plan existed then.
    transfers.retain(|t| {
        t.due_on >= from
            || (t.overridden
                && overridden.is_some_and(|(_, m)| m == t.moves_on && m >= facts.issued_on))
    });
    transfers.sort_by_key(|t| t.due_on);
    transfers
}

/// The date the next review must be completed by: the 12-month limit, or the phase
/// transfer's earlier date when the transfer is not yet finalised (reg 18).
pub fn next_review_due(facts: &PlanFacts, today: NaiveDate) -> Option<(NaiveDate, DeadlineKind)> {
    if !facts.is_open() {
        return None;
    }
    let limit = facts.review_limit();
    let mut due = (limit.due_on, limit.kind);
    if let Some(transfer) = facts.phase_transfer(today) {
        let finalised = facts
            .phase_transfer_finalised
            .is_some_and(|(moves_on, _)| moves_on == transfer.moves_on);
        if !finalised && transfer.due_on < due.0 {
            due = (transfer.due_on, transfer.kind.deadline_kind());
        }
    }
    Some(due)
}

/// What happens next on a plan, for a parent or caseworker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanNextStep {
    pub action: Option<PlanAction>,
    pub description: String,
    pub party: Party,
    pub due_on: Option<NaiveDate>,
    pub regulation: Option<&'static str>,
}

/// The next step on the plan itself, worded for `reader`; an open review or amendment has its
/// own next step.
pub fn next_step(facts: &PlanFacts, today: NaiveDate, reader: Reader) -> Option<PlanNextStep> {
    use PlanAction as A;
    if !facts.is_open() {
        return None;
    }
    let council = |action, description: String, due: Option<(NaiveDate, DeadlineKind)>| {
        Some(PlanNextStep {
            action: Some(action),
            description,
            party: Party::LocalAuthority,
            due_on: due.map(|d| d.0),
            regulation: due.map(|d| d.1.regulation()),
        })
    };
    if let Some((learned_on, moves_on)) = facts.move_recorded {
        let due = transfer_out_due(moves_on, learned_on);
        return council(
            A::TransferOut,
            reader.pick(
                format!(
                    "You are moving on {}: the council must send the plan to your new council \
                     by {}.",
                    long_date(moves_on),
                    long_date(due)
                ),
                format!(
                    "The family moves on {}: send the plan to their new council by {}.",
                    long_date(moves_on),
                    long_date(due)
                ),
            ),
            Some((due, DeadlineKind::TransferOut)),
        );
    }
    if let Some(transfer) = facts.transferred_in_on
        && facts.transfer_notice_sent_on.is_none()
    {
        let due = DeadlineKind::TransferNotice.due_from(transfer);
        return council(
            A::SendTransferNotice,
            reader.pick(
                format!(
                    "The council must tell you by {} that the plan has moved to it, whether it \
                     will carry out a new assessment, and when it will review the plan.",
                    long_date(due)
                ),
                format!(
                    "Tell the family by {} that the plan has moved to this council, whether it \
                     will carry out a new assessment, and when it will review the plan.",
                    long_date(due)
                ),
            ),
            Some((due, DeadlineKind::TransferNotice)),
        );
    }
    if facts.cease_proposed_on.is_some() {
        return if facts.cease_consulted_on.is_none() {
            council(
                A::RecordCeaseConsultation,
                reader
                    .pick(
                        "The council is considering ceasing the plan: it must consult you and \
                         the school or college before deciding.",
                        "Consult the family and the school or college before deciding whether \
                         to cease the plan.",
                    )
                    .to_owned(),
                None,
            )
        } else {
            council(
                A::Cease,
                reader
                    .pick(
                        "The council must decide whether to cease the plan and tell you, with \
                         your right to appeal.",
                        "Decide whether to cease the plan, and tell the family with their right \
                         to appeal.",
                    )
                    .to_owned(),
                None,
            )
        };
    }
    if facts.open_review || facts.open_amendment {
        return None;
    }
    let due = next_review_due(facts, today)?;
    let why = match due.1 {
        DeadlineKind::PhaseTransfer | DeadlineKind::PhaseTransferPost16 => reader.pick(
            " because your child moves to a new phase of education",
            " because the child moves to a new phase of education",
        ),
        DeadlineKind::Post16Transfer => " because of the move to a new post-16 institution",
        _ => "",
    };
    council(
        A::ScheduleReview,
        reader.pick(
            format!(
                "The council must review the plan and make its decision by {}{why}.",
                long_date(due.0)
            ),
            format!(
                "Review the plan and make the decision by {}{why}.",
                long_date(due.0)
            ),
        ),
        Some(due),
    )
}

/// A decision to cease the plan may be appealed (CFA 2014 s.51(2)(f)); after a death there is
/// no one to whom the right belongs.
pub fn cease_appeal(
    facts: &PlanFacts,
    mediation_certificate_on: Option<NaiveDate>,
) -> Option<AppealWindow> {
    let ceased_on = facts.ceased_on?;
    if facts.cease_reason == Some(CeaseReason::Deceased) {
        return None;
    }
    Some(AppealWindow::for_plan(
        PlanDecision::Ceased,
        ceased_on,
        mediation_certificate_on,
    ))
}

/// The plan's own story: issue, transfers, ceasing. Reviews and amendments add their own.
pub fn timeline(facts: &PlanFacts) -> Vec<Milestone> {
    let mut milestones = Vec::new();
    let mut add = |on: Option<NaiveDate>, text: String| {
        if let Some(on) = on {
            milestones.push(Milestone { on, text });
        }
    };
    add(Some(facts.issued_on), "EHC plan issued".to_owned());
    add(
        facts.transferred_in_on,
        "The plan moved to this council from another".to_owned(),
    );
    add(
        facts.transfer_notice_sent_on,
        "The council told you the plan has moved and when it will be reviewed".to_owned(),
    );
    add(
        facts.cease_proposed_on,
        "The council told you it is considering ceasing the plan".to_owned(),
    );
    add(
        facts.cease_consulted_on,
        "The council consulted you and the school or college about ceasing the plan".to_owned(),
    );
    if let Some(ceased_on) = facts.ceased_on {
        let reason = facts
            .cease_reason
            .map(|r| format!(" ({})", r.label()))
            .unwrap_or_default();
        let appeal = if cease_appeal(facts, None).is_some() {
            " — you can appeal this decision"
        } else {
            ""
        };
        add(
            Some(ceased_on),
            format!("The council decided to cease the plan{reason}{appeal}"),
        );
    }
    if let Some((learned_on, moves_on)) = facts.move_recorded {
        add(
            Some(learned_on),
            format!(
                "The council learned you are moving to another area on {}",
                long_date(moves_on)
            ),
        );
    }
    add(
        facts.transferred_out_on,
        "The plan moved to another council".to_owned(),
    );
    milestones.sort_by_key(|m| m.on);
    milestones
}

/// Whether a deadline still needs doing (used to pick "what falls due next").
pub fn is_open(deadline: &Deadline) -> bool {
    matches!(
        deadline.status,
        DeadlineStatus::Pending | DeadlineStatus::DueSoon | DeadlineStatus::Overdue
    )
}

/// Where a version of the plan came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionSource {
    /// Issued after a needs assessment.
    Issued,
    /// Entered as it stood when the plan came into the system.
    Entered,
    /// Received from another council (reg 15).
    TransferredIn,
    /// A final amended plan (reg 22(3)).
    Amended,
}

impl VersionSource {
    pub const ALL: [Self; 4] = [
        Self::Issued,
        Self::Entered,
        Self::TransferredIn,
        Self::Amended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "ISSUED",
            Self::Entered => "ENTERED",
            Self::TransferredIn => "TRANSFERRED_IN",
            Self::Amended => "AMENDED",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeadlineStatus::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn deadline(facts: &PlanFacts, today: NaiveDate, kind: DeadlineKind) -> Option<Deadline> {
        plan_deadlines(facts, today)
            .into_iter()
            .find(|d| d.kind == kind)
    }

    /// A child born 15 March 2013: Year 8 in 2025/26, so the next move is into Year 12.
    fn secondary() -> PlanFacts {
        PlanFacts::new(d(2025, 6, 10), d(2013, 3, 15))
    }

    fn tracked(facts: &PlanFacts, decided: &[DecidedReview]) -> Vec<TrackedDeadline> {
        tracked_deadlines(facts, decided, None, facts.issued_on)
    }

    #[test]
    fn each_review_cycle_is_tracked_and_met_by_the_next_decision() {
        // Issued 10 June 2025; reviewed (decided) on 1 June 2026, and late the next year.
        let mut facts = secondary();
        facts.last_review_decision_on = Some(d(2026, 6, 1));
        let decided = [DecidedReview {
            due_by: d(2026, 6, 9),
            due_by_kind: DeadlineKind::AnnualReview,
            decided_on: d(2026, 6, 1),
        }];
        let rows = tracked(&facts, &decided);
        let reviews: Vec<_> = rows
            .iter()
            .filter(|t| t.kind == DeadlineKind::AnnualReview)
            .collect();
        assert_eq!(reviews.len(), 2);
        assert_eq!(
            (reviews[0].starts_on, reviews[0].due_on, reviews[0].met_on),
            (d(2025, 6, 10), d(2026, 6, 9), Some(d(2026, 6, 1)))
        );
        assert_eq!(reviews[0].settled_on, Some(d(2026, 6, 1)));
        assert_eq!(
            (
                reviews[1].starts_on,
                reviews[1].due_on,
                reviews[1].settled_on
            ),
            (d(2026, 6, 1), d(2027, 5, 31), None)
        );
        // Open on the day after the decision, not on the decision day's eve for the old one.
        assert!(reviews[1].open_on(d(2026, 6, 1)));
        assert!(!reviews[0].open_on(d(2026, 6, 1)));
        assert!(reviews[0].open_on(d(2026, 5, 31)));
    }

    #[test]
    fn phase_transfers_open_the_september_before_and_close_when_finalised_or_moved() {
        // Year 8 in 2025/26: the move into Year 12 is 1 September 2029, due 30 March 2029.
        let facts = secondary();
        let rows = tracked(&facts, &[]);
        let post16: Vec<_> = rows
            .iter()
            .filter(|t| t.kind == DeadlineKind::PhaseTransferPost16)
            .collect();
        assert_eq!(post16.len(), 1);
        let t = post16[0];
        assert_eq!(
            (t.starts_on, t.due_on, t.met_on, t.settled_on),
            (d(2028, 9, 1), d(2029, 3, 30), None, Some(d(2029, 9, 1)))
        );
        assert!(!t.open_on(d(2028, 8, 31)));
        assert!(t.open_on(d(2029, 8, 31)), "overdue until the move");

        let mut finalised = secondary();
        finalised.phase_transfer_finalised = Some((d(2029, 9, 1), d(2029, 2, 1)));
        let t = tracked(&finalised, &[])
            .into_iter()
            .find(|t| t.kind == DeadlineKind::PhaseTransferPost16)
            .unwrap();
        assert_eq!(
            (t.met_on, t.settled_on),
            (Some(d(2029, 2, 1)), Some(d(2029, 2, 1)))
        );
    }

    #[test]
    fn a_closed_plan_settles_what_was_open_and_older_transfers_are_not_counted() {
        let mut facts = secondary();
        facts.status = PlanStatus::Ceased;
        facts.ceased_on = Some(d(2026, 1, 5));
        for t in tracked(&facts, &[]) {
            assert!(
                t.settled_on.is_some_and(|s| s <= d(2026, 1, 5)) || t.starts_on >= d(2026, 1, 5),
                "{t:?} still open after the plan ceased"
            );
        }
        // Replaced by a re-assessment's plan: the review cycle closes that day.
        let facts = secondary();
        let rows = tracked_deadlines(&facts, &[], Some(d(2026, 2, 1)), facts.issued_on);
        let review = rows
            .iter()
            .find(|t| t.kind == DeadlineKind::AnnualReview)
            .unwrap();
        assert_eq!(review.settled_on, Some(d(2026, 2, 1)));
        // An older plan entered in 2025: its Year 7 move (2024) is history, not a miss.
        let old = PlanFacts::new(d(2019, 6, 1), d(2013, 3, 15));
        let rows = tracked_deadlines(&old, &[], None, d(2025, 6, 10));
        assert!(
            rows.iter().all(|t| t.kind != DeadlineKind::PhaseTransfer),
            "{rows:?}"
        );
        assert!(
            rows.iter()
                .any(|t| t.kind == DeadlineKind::PhaseTransferPost16)
        );
    }

    #[test]
    fn council_transfers_are_tracked() {
        let mut facts = secondary();
        facts.transferred_in_on = Some(d(2025, 9, 1));
        facts.transfer_notice_sent_on = Some(d(2025, 10, 1));
        facts.move_recorded = Some((d(2026, 3, 2), d(2026, 4, 20)));
        let rows = tracked(&facts, &[]);
        let notice = rows
            .iter()
            .find(|t| t.kind == DeadlineKind::TransferNotice)
            .unwrap();
        assert_eq!(
            (notice.due_on, notice.settled_on),
            (d(2025, 10, 13), Some(d(2025, 10, 1)))
        );
        let out = rows
            .iter()
            .find(|t| t.kind == DeadlineKind::TransferOut)
            .unwrap();
        assert_eq!((out.starts_on, out.due_on), (d(2026, 3, 2), d(2026, 4, 20)));
        assert_eq!(out.settled_on, None);
    }

    #[test]
    fn annual_review_due_twelve_months_after_issue_or_last_decision() {
        #[rustfmt::skip]
        let cases = [
            ("plan issued on 29 February", d(2028, 2, 29), None, d(2029, 2, 28)),
            ("plan issued on 31 December", d(2025, 12, 31), None, d(2026, 12, 30)),
            ("plan issued on 1 January", d(2026, 1, 1), None, d(2026, 12, 31)),
            ("plan issued on 1 March", d(2024, 3, 1), None, d(2025, 2, 28)),
            ("plan issued on 31 January", d(2024, 1, 31), None, d(2025, 1, 30)),
            ("decision made in time", d(2025, 1, 10), Some(d(2025, 12, 20)), d(2026, 12, 19)),
            (
                "a late decision moves the next review later",
                d(2025, 1, 10),
                Some(d(2026, 2, 3)),
                d(2027, 2, 2),
            ),
            ("decision on 29 February", d(2027, 3, 1), Some(d(2028, 2, 29)), d(2029, 2, 28)),
        ];
        for (name, issued_on, last, expected) in cases {
            let facts = PlanFacts {
                last_review_decision_on: last,
                ..PlanFacts::new(issued_on, d(2013, 3, 15))
            };
            let limit = facts.review_limit();
            assert_eq!(limit.kind, DeadlineKind::AnnualReview, "{name}");
            assert_eq!(limit.due_on, expected, "{name}");
            let shown = deadline(&facts, d(2026, 6, 1), DeadlineKind::AnnualReview).unwrap();
            assert_eq!(
                shown.regulation,
                "CFA 2014 s.44(1); SEND Regs 2014 reg 19, 20(10)"
            );
            assert!(shown.statutory);
        }
    }

    #[test]
    fn annual_review_status_as_of_today() {
        let facts = secondary(); // issued 10 June 2025: due 9 June 2026
        let cases = [
            (d(2026, 5, 25), Pending),
            (d(2026, 5, 26), DueSoon),
            (d(2026, 6, 9), DueSoon),
            (d(2026, 6, 10), Overdue),
        ];
        for (today, status) in cases {
            let shown = deadline(&facts, today, DeadlineKind::AnnualReview).unwrap();
            assert_eq!(
                (shown.due_on, shown.status),
                (d(2026, 6, 9), status),
                "{today}"
            );
        }
    }

    #[test]
    fn under_fives_get_a_six_month_target_marked_as_guidance() {
        let cases = [
            // Born 1 May 2023: 2 when the plan was issued.
            (
                "toddler",
                d(2023, 5, 1),
                d(2025, 11, 30),
                None,
                Some(d(2026, 5, 29)),
            ),
            (
                "plan issued 31 August",
                d(2022, 1, 1),
                d(2025, 8, 31),
                None,
                Some(d(2026, 2, 28)),
            ),
            (
                "from the last review",
                d(2022, 1, 1),
                d(2025, 1, 15),
                Some(d(2026, 2, 28)),
                Some(d(2026, 8, 27)),
            ),
            // Fifth birthday on 10 June 2025, the day the plan was issued: no longer under 5.
            (
                "five on the day",
                d(2020, 6, 10),
                d(2025, 6, 10),
                None,
                None,
            ),
            ("school age", d(2013, 3, 15), d(2025, 6, 10), None, None),
        ];
        for (name, dob, issued_on, last, expected) in cases {
            let facts = PlanFacts {
                last_review_decision_on: last,
                ..PlanFacts::new(issued_on, dob)
            };
            let shown = deadline(&facts, d(2026, 1, 1), DeadlineKind::UnderFiveReview);
            assert_eq!(shown.as_ref().map(|d| d.due_on), expected, "{name}");
            if let Some(shown) = shown {
                assert!(!shown.statutory, "{name}");
                assert_eq!(
                    shown.regulation,
                    "SEND Code of Practice 2015 para 9.178 (guidance)"
                );
            }
        }
    }

    #[test]
    fn phase_transfers_follow_the_national_curriculum_year() {
        use PhaseTransferKind::*;
        #[rustfmt::skip]
        let cases = [
            // Year 6 in 2026/27: into Year 7 in September 2027; before 15 February 2027.
            ("year 6", d(2015, 10, 1), d(2026, 11, 23), Some((PrimaryToSecondary, d(2027, 9, 1), d(2027, 2, 14)))),
            // Still Year 6 in July 2027: the same transfer.
            ("year 6 in July", d(2015, 10, 1), d(2027, 7, 20), Some((PrimaryToSecondary, d(2027, 9, 1), d(2027, 2, 14)))),
            // Year 7 from September 2027: next is post-16 in 2032, before 31 March.
            ("year 7", d(2015, 10, 1), d(2027, 9, 1), Some((SecondaryToPost16, d(2032, 9, 1), d(2032, 3, 30)))),
            ("year 11", d(2010, 9, 1), d(2026, 11, 23), Some((SecondaryToPost16, d(2027, 9, 1), d(2027, 3, 30)))),
            ("nursery", d(2022, 9, 1), d(2026, 11, 23), Some((EarlyYearsToSchool, d(2027, 9, 1), d(2027, 2, 14)))),
            ("reception", d(2021, 9, 1), d(2026, 11, 23), Some((PrimaryToSecondary, d(2033, 9, 1), d(2033, 2, 14)))),
            ("year 12", d(2009, 9, 1), d(2026, 11, 23), None),
        ];
        for (name, dob, today, expected) in cases {
            let facts = PlanFacts::new(d(2024, 1, 10), dob);
            let got = facts
                .phase_transfer(today)
                .map(|t| (t.kind, t.moves_on, t.due_on));
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn an_override_names_the_transfer_and_post16_moves_are_five_months_ahead() {
        use PhaseTransferKind::*;
        let cases = [
            (InfantToJunior, d(2027, 9, 1), d(2027, 2, 14)),
            (Post16ToPost16, d(2027, 9, 1), d(2027, 4, 1)),
            (Post16ToPost16, d(2028, 7, 31), d(2028, 2, 29)),
            (SecondaryToPost16, d(2028, 9, 4), d(2028, 3, 30)),
        ];
        for (kind, moves_on, due_on) in cases {
            let facts = PlanFacts {
                phase_transfer_override: Some((kind, moves_on)),
                ..secondary()
            };
            let transfer = facts.phase_transfer(d(2026, 11, 23)).unwrap();
            assert_eq!(
                (transfer.kind, transfer.due_on, transfer.overridden),
                (kind, due_on, true)
            );
            let shown = deadline(&facts, d(2026, 11, 23), kind.deadline_kind()).unwrap();
            assert_eq!(shown.due_on, due_on);
        }
        // Once the move has happened, the national curriculum year takes over again.
        let past = PlanFacts {
            phase_transfer_override: Some((InfantToJunior, d(2026, 9, 1))),
            ..secondary()
        };
        assert!(!past.phase_transfer(d(2026, 11, 23)).unwrap().overridden);
    }

    #[test]
    fn a_transfer_years_deadline_comes_before_the_twelve_months() {
        // Year 6 child; last review decision 20 May 2026, so the 12 months run to 20 May 2027,
        // but the plan must be amended for secondary school before 15 February 2027.
        let facts = PlanFacts {
            last_review_decision_on: Some(d(2026, 5, 20)),
            ..PlanFacts::new(d(2024, 5, 2), d(2015, 10, 1))
        };
        let today = d(2026, 11, 23);
        assert_eq!(
            next_review_due(&facts, today),
            Some((d(2027, 2, 14), DeadlineKind::PhaseTransfer))
        );
        let phase = deadline(&facts, today, DeadlineKind::PhaseTransfer).unwrap();
        assert_eq!(
            (phase.due_on, phase.status, phase.regulation),
            (d(2027, 2, 14), Pending, "SEND Regs 2014 reg 18(1)(b)")
        );
        let step = next_step(&facts, today, Reader::Family).unwrap();
        assert_eq!(step.action, Some(PlanAction::ScheduleReview));
        assert_eq!(step.due_on, Some(d(2027, 2, 14)));
        assert_eq!(
            step.description,
            "The council must review the plan and make its decision by 14 February 2027 because \
             your child moves to a new phase of education."
        );
        // Finalised on 10 February: met, and the 12-month date is the next limit again.
        let finalised = PlanFacts {
            phase_transfer_finalised: Some((d(2027, 9, 1), d(2027, 2, 10))),
            ..facts.clone()
        };
        let phase = deadline(&finalised, d(2027, 2, 11), DeadlineKind::PhaseTransfer).unwrap();
        assert_eq!((phase.status, phase.met_on), (Met, Some(d(2027, 2, 10))));
        assert_eq!(
            next_review_due(&finalised, d(2027, 2, 11)),
            Some((d(2027, 5, 19), DeadlineKind::AnnualReview))
        );
        // A 12-month date before the transfer date stays the limit.
        let early = PlanFacts {
            last_review_decision_on: Some(d(2026, 1, 5)),
            ..facts
        };
        assert_eq!(
            next_review_due(&early, today),
            Some((d(2027, 1, 4), DeadlineKind::AnnualReview))
        );
    }

    #[test]
    fn a_plan_transferred_in_is_reviewed_by_the_later_of_twelve_and_three_months() {
        let cases = [
            // Last reviewed 1 March 2026; moved 10 November 2026: the 12 months beginning with
            // the review end on 28 February 2027, after the 3 months (9 February 2027).
            (Some(d(2026, 3, 1)), d(2026, 11, 10), d(2027, 2, 28)),
            // Last reviewed 1 December 2025: the 12 months end on 30 November 2026; the 3
            // months beginning with the transfer end later, on 9 February 2027.
            (Some(d(2025, 12, 1)), d(2026, 11, 10), d(2027, 2, 9)),
            // Never reviewed, issued 30 November 2025; moved 30 November 2026: the 3 months
            // end on 28 February 2027 (February has no 30th).
            (None, d(2026, 11, 30), d(2027, 2, 28)),
        ];
        for (last, transfer, expected) in cases {
            let facts = PlanFacts {
                last_review_decision_on: last,
                transferred_in_on: Some(transfer),
                ..PlanFacts::new(d(2025, 11, 30), d(2013, 3, 15))
            };
            let limit = facts.review_limit();
            assert_eq!(
                (limit.kind, limit.due_on),
                (DeadlineKind::TransferReview, expected),
                "{transfer}"
            );
            let notice = deadline(&facts, transfer, DeadlineKind::TransferNotice).unwrap();
            assert_eq!(
                notice.due_on,
                crate::domain::calendar::add_weeks(transfer, 6)
            );
            assert_eq!(notice.regulation, "SEND Regs 2014 reg 15(4)");
        }
        // A review after the transfer puts the plan back on the ordinary 12 months.
        let reviewed = PlanFacts {
            last_review_decision_on: Some(d(2027, 1, 20)),
            transferred_in_on: Some(d(2026, 11, 10)),
            ..secondary()
        };
        assert_eq!(
            (reviewed.review_limit().kind, reviewed.review_limit().due_on),
            (DeadlineKind::AnnualReview, d(2028, 1, 19))
        );
        let notice = PlanFacts {
            transferred_in_on: Some(d(2026, 11, 10)),
            ..secondary()
        };
        let step = next_step(&notice, d(2026, 11, 12), Reader::Family).unwrap();
        assert_eq!(step.action, Some(PlanAction::SendTransferNotice));
        assert_eq!(step.due_on, Some(d(2026, 12, 22)));
    }

    #[test]
    fn ceasing_needs_a_consultation_first_and_leaves_no_open_deadlines() {
        let active = secondary();
        assert_eq!(
            allowed_actions(&active),
            vec![
                PlanAction::UpdateNeeds,
                PlanAction::SetPhaseTransfer,
                PlanAction::SetPlacements,
                PlanAction::SetPersonalBudget,
                PlanAction::ScheduleReview,
                PlanAction::ProposeAmendment,
                PlanAction::ProposeCeasing,
                PlanAction::RecordMove,
                PlanAction::TransferOut,
            ]
        );
        let proposed = PlanFacts {
            cease_proposed_on: Some(d(2026, 3, 1)),
            ..secondary()
        };
        assert!(!allowed_actions(&proposed).contains(&PlanAction::Cease));
        assert!(allowed_actions(&proposed).contains(&PlanAction::RecordCeaseConsultation));
        let consulted = PlanFacts {
            cease_consulted_on: Some(d(2026, 3, 10)),
            ..proposed
        };
        assert!(allowed_actions(&consulted).contains(&PlanAction::Cease));
        assert_eq!(
            next_step(&consulted, d(2026, 3, 11), Reader::Family)
                .unwrap()
                .action,
            Some(PlanAction::Cease)
        );
        let ceased = PlanFacts {
            status: PlanStatus::Ceased,
            ceased_on: Some(d(2026, 3, 20)),
            cease_reason: Some(CeaseReason::NeedsMetWithoutPlan),
            ..consulted
        };
        // Only the SEN2 record stays correctable: where the child was placed, the budget.
        assert_eq!(
            allowed_actions(&ceased),
            [PlanAction::SetPlacements, PlanAction::SetPersonalBudget]
        );
        assert_eq!(next_step(&ceased, d(2026, 3, 21), Reader::Family), None);
        assert_eq!(next_review_due(&ceased, d(2026, 3, 21)), None);
        let deadlines = plan_deadlines(&ceased, d(2026, 7, 1));
        assert!(!deadlines.is_empty());
        assert!(deadlines.iter().all(|d| d.status == NotApplicable));
        assert_eq!(
            timeline(&ceased).last().unwrap().text,
            "The council decided to cease the plan (Needs met without an EHC plan) — you can \
             appeal this decision"
        );
    }

    #[test]
    fn the_old_council_transfers_on_the_move_or_fifteen_working_days_after_learning_of_it() {
        // 5 January 2026 is a Monday.
        #[rustfmt::skip]
        let cases = [
            ("told well ahead: the day of the move", d(2026, 1, 5), d(2026, 3, 1), d(2026, 3, 1)),
            ("told a week ahead: 15 working days, the Monday counting", d(2026, 1, 5), d(2026, 1, 12), d(2026, 1, 23)),
            ("told on a Saturday: the Monday is the first day", d(2026, 1, 10), d(2026, 1, 10), d(2026, 1, 30)),
            ("told after the move", d(2026, 1, 20), d(2026, 1, 9), d(2026, 2, 9)),
            ("the 15th working day is the day of the move", d(2026, 1, 5), d(2026, 1, 23), d(2026, 1, 23)),
            ("across the leap day", d(2028, 2, 14), d(2028, 2, 15), d(2028, 3, 3)),
        ];
        for (name, learned_on, moves_on, expected) in cases {
            assert_eq!(transfer_out_due(moves_on, learned_on), expected, "{name}");
        }
        let facts = PlanFacts {
            move_recorded: Some((d(2026, 1, 5), d(2026, 1, 12))),
            ..secondary()
        };
        let step = next_step(&facts, d(2026, 1, 6), Reader::Family).unwrap();
        assert_eq!(
            (step.action, step.due_on, step.regulation),
            (
                Some(PlanAction::TransferOut),
                Some(d(2026, 1, 23)),
                Some("SEND Regs 2014 reg 15(2)")
            )
        );
        let moved = PlanFacts {
            status: PlanStatus::TransferredOut,
            transferred_out_on: Some(d(2026, 1, 26)),
            ..facts
        };
        let shown = deadline(&moved, d(2026, 2, 1), DeadlineKind::TransferOut).unwrap();
        assert_eq!((shown.status, shown.met_on), (Missed, Some(d(2026, 1, 26))));
    }

    #[test]
    fn a_ceased_plan_can_be_appealed_unless_the_child_died() {
        let mut facts = secondary();
        assert_eq!(cease_appeal(&facts, None), None, "not ceased");
        facts.status = PlanStatus::Ceased;
        facts.ceased_on = Some(d(2026, 7, 20));
        facts.cease_reason = Some(CeaseReason::NeedsMetWithoutPlan);
        let window = cease_appeal(&facts, None).unwrap();
        assert_eq!(
            (window.decision, window.appeal_by, window.regulation),
            (
                "to stop maintaining the EHC plan",
                // Two months end on Sunday 20 September: the next working day (r.12).
                d(2026, 9, 21),
                "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.51(2)(f), s.55"
            )
        );
        assert_eq!(
            cease_appeal(&facts, Some(d(2026, 9, 1))).unwrap().appeal_by,
            d(2026, 10, 1)
        );
        facts.cease_reason = Some(CeaseReason::Deceased);
        assert_eq!(cease_appeal(&facts, None), None);
        assert_eq!(
            timeline(&facts).last().unwrap().text,
            "The council decided to cease the plan (Deceased)"
        );
    }

    #[test]
    fn cease_reasons_are_the_sen2_codes() {
        for (code, reason) in (1..=9).zip(CeaseReason::ALL) {
            assert_eq!(reason.sen2_code(), code);
            assert_eq!(CeaseReason::from_sen2_code(code), Some(reason));
        }
        assert_eq!(CeaseReason::from_sen2_code(0), None);
        assert_eq!(CeaseReason::from_sen2_code(10), None);
    }

    #[test]
    fn needs_use_the_sen2_codes_and_secondary_needs_differ_from_the_primary() {
        for need in SenNeed::ALL {
            assert_eq!(SenNeed::parse(need.as_str()), Ok(need));
        }
        assert!(SenNeed::parse("ADHD").is_err());
        let needs =
            Needs::new(SenNeed::Asd, &[SenNeed::Slcn, SenNeed::Semh, SenNeed::Slcn]).unwrap();
        assert_eq!(needs.secondary_codes(), "SLCN,SEMH");
        assert_eq!(
            Needs::parse_secondary("SLCN,SEMH"),
            Ok(vec![SenNeed::Slcn, SenNeed::Semh])
        );
        assert_eq!(Needs::parse_secondary(""), Ok(vec![]));
        assert!(Needs::new(SenNeed::Asd, &[SenNeed::Asd]).is_err());
    }

    #[test]
    fn an_open_review_or_amendment_carries_the_next_step() {
        let facts = PlanFacts {
            open_review: true,
            ..secondary()
        };
        assert_eq!(next_step(&facts, d(2026, 1, 1), Reader::Family), None);
        assert!(!allowed_actions(&facts).contains(&PlanAction::ScheduleReview));
        let facts = secondary();
        let step = next_step(&facts, d(2026, 1, 1), Reader::Family).unwrap();
        assert_eq!(
            (step.action, step.due_on, step.regulation),
            (
                Some(PlanAction::ScheduleReview),
                Some(d(2026, 6, 9)),
                Some("CFA 2014 s.44(1); SEND Regs 2014 reg 19, 20(10)")
            )
        );
    }
}
