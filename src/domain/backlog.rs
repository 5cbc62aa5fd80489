//! The backlog: which statutory steps are open on a day, and how late they are. Pure rules;
//! the store keeps one row per [`TrackedDeadline`] and counts them with the same boundaries.
//!
//! A process plugs in by adding a [`Process`] variant, its [`DeadlineKind`]s as stages, and a
//! function that turns its facts into tracked deadlines
//! ([`crate::domain::assessment::tracked_deadlines`], [`crate::domain::plan::tracked_deadlines`],
//! [`crate::domain::review::tracked_review_deadlines`],
//! [`crate::domain::review::tracked_amendment_deadlines`]). Ceasing has no statutory time
//! limit (regs 29-31), so it has no deadline to count.
use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::add_days;
use super::timescales::{DUE_SOON_DAYS, DeadlineKind, DeadlineStatus};

/// A statutory process whose steps have deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Process {
    /// EHC needs assessment and re-assessment (SEND Regs 2014 Part 2; reg 27).
    NeedsAssessment,
    /// The plan's review within 12 months and the review's own steps (CFA 2014 s.44;
    /// SEND Regs 2014 regs 19-20; reg 15(5) after a transfer in).
    AnnualReview,
    /// Amending a plan: notice, the family's 15 days, the final amended plan (reg 22).
    Amendment,
    /// Reviewing and amending a plan before a move between phases of education (reg 18).
    PhaseTransfer,
    /// A plan moving between councils (reg 15).
    PlanTransfer,
    /// A challenged decision: the mediation the council arranges (reg 37), and what an order,
    /// an agreement or a concession directs it to do (reg 42, 44, 45). An order to assess or
    /// to make a plan runs as a needs assessment on the order's clocks.
    Dispute,
    /// A complaint about the SEND service through the council's two stages (Complaint
    /// Handling Code).
    Complaint,
}

/// The record a tracked deadline belongs to (the `source_id` of its row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Source {
    Assessment,
    Plan,
    Review,
    Amendment,
    Dispute,
    Complaint,
}

impl Process {
    pub const ALL: [Process; 7] = [
        Process::NeedsAssessment,
        Process::AnnualReview,
        Process::Amendment,
        Process::PhaseTransfer,
        Process::PlanTransfer,
        Process::Dispute,
        Process::Complaint,
    ];

    /// The processes of an EHC plan, rewritten together whenever the plan, one of its reviews
    /// or one of its amendments changes.
    pub const OF_PLANS: [Process; 4] = [
        Process::AnnualReview,
        Process::Amendment,
        Process::PhaseTransfer,
        Process::PlanTransfer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Process::NeedsAssessment => "NEEDS_ASSESSMENT",
            Process::AnnualReview => "ANNUAL_REVIEW",
            Process::Amendment => "AMENDMENT",
            Process::PhaseTransfer => "PHASE_TRANSFER",
            Process::PlanTransfer => "PLAN_TRANSFER",
            Process::Dispute => "DISPUTE",
            Process::Complaint => "COMPLAINT",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == code)
    }

    /// The process a tracked stage belongs to. The under-5s' review is guidance, not a
    /// statutory limit, so the backlog does not count it.
    pub fn of(kind: DeadlineKind) -> Option<Process> {
        use DeadlineKind as K;
        match kind {
            K::DecisionToAssess
            | K::AdviceResponse
            | K::DecisionNotToIssue
            | K::DraftComments
            | K::FinalPlan
            | K::ReassessmentFinalPlan
            | K::OrderAssessmentNotice
            | K::OrderNoPlanDecision
            | K::OrderFinalPlan
            | K::OrderDraftPlan
            | K::OrderMadePlan => Some(Process::NeedsAssessment),
            K::AnnualReview
            | K::TransferReview
            | K::ReviewInvitations
            | K::ReviewAdvice
            | K::ReviewAdviceCirculated
            | K::ReviewReport
            | K::ReviewDecision => Some(Process::AnnualReview),
            K::AmendmentNotice | K::AmendmentComments | K::AmendedPlan | K::DecisionNotToAmend => {
                Some(Process::Amendment)
            }
            K::PhaseTransfer | K::PhaseTransferPost16 | K::Post16Transfer => {
                Some(Process::PhaseTransfer)
            }
            K::TransferNotice | K::TransferOut => Some(Process::PlanTransfer),
            // The family's own window, and the independent mediation adviser's certificate,
            // are shown on the dispute but are not the council's to count.
            K::UnderFiveReview | K::MediationContact | K::MediationCertificate => None,
            K::MediationHeld
            | K::AgreementOtherMatter
            | K::OrderAmendedPlan
            | K::OrderNamedSetting
            | K::OrderImmediate => Some(Process::Dispute),
            K::ComplaintAcknowledgement
            | K::ComplaintStageOneResponse
            | K::ComplaintStageTwoResponse => Some(Process::Complaint),
        }
    }

    /// The record a stage's rows point at.
    pub fn source(kind: DeadlineKind) -> Source {
        use DeadlineKind as K;
        match Process::of(kind) {
            Some(Process::NeedsAssessment) => Source::Assessment,
            Some(Process::AnnualReview) if !matches!(kind, K::AnnualReview | K::TransferReview) => {
                Source::Review
            }
            Some(Process::Amendment) => Source::Amendment,
            Some(Process::Dispute) => Source::Dispute,
            Some(Process::Complaint) => Source::Complaint,
            _ => Source::Plan,
        }
    }
}

impl DeadlineKind {
    /// Every stage the backlog counts, in process order.
    pub const ALL: [DeadlineKind; 35] = [
        DeadlineKind::DecisionToAssess,
        DeadlineKind::AdviceResponse,
        DeadlineKind::DecisionNotToIssue,
        DeadlineKind::DraftComments,
        DeadlineKind::FinalPlan,
        DeadlineKind::ReassessmentFinalPlan,
        DeadlineKind::OrderAssessmentNotice,
        DeadlineKind::OrderNoPlanDecision,
        DeadlineKind::OrderDraftPlan,
        DeadlineKind::OrderFinalPlan,
        DeadlineKind::OrderMadePlan,
        DeadlineKind::AnnualReview,
        DeadlineKind::TransferReview,
        DeadlineKind::ReviewInvitations,
        DeadlineKind::ReviewAdvice,
        DeadlineKind::ReviewAdviceCirculated,
        DeadlineKind::ReviewReport,
        DeadlineKind::ReviewDecision,
        DeadlineKind::AmendmentNotice,
        DeadlineKind::AmendmentComments,
        DeadlineKind::AmendedPlan,
        DeadlineKind::DecisionNotToAmend,
        DeadlineKind::PhaseTransfer,
        DeadlineKind::PhaseTransferPost16,
        DeadlineKind::Post16Transfer,
        DeadlineKind::TransferNotice,
        DeadlineKind::TransferOut,
        DeadlineKind::MediationHeld,
        DeadlineKind::AgreementOtherMatter,
        DeadlineKind::OrderAmendedPlan,
        DeadlineKind::OrderNamedSetting,
        DeadlineKind::OrderImmediate,
        DeadlineKind::ComplaintAcknowledgement,
        DeadlineKind::ComplaintStageOneResponse,
        DeadlineKind::ComplaintStageTwoResponse,
    ];

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == code)
    }
}

/// How late an overdue step is. Each band includes its upper bound: exactly 2 weeks overdue
/// is "up to 2 weeks", exactly 52 weeks is "26 to 52 weeks".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(clippy::enum_variant_names)] // the bands are named as managers say them
pub enum OverdueBand {
    UpToTwoWeeks,
    TwoToSixWeeks,
    SixToTwelveWeeks,
    TwelveToTwentySixWeeks,
    TwentySixToFiftyTwoWeeks,
    OverFiftyTwoWeeks,
}

impl OverdueBand {
    pub const ALL: [OverdueBand; 6] = [
        OverdueBand::UpToTwoWeeks,
        OverdueBand::TwoToSixWeeks,
        OverdueBand::SixToTwelveWeeks,
        OverdueBand::TwelveToTwentySixWeeks,
        OverdueBand::TwentySixToFiftyTwoWeeks,
        OverdueBand::OverFiftyTwoWeeks,
    ];

    /// Days overdue covered, inclusive: (first, last); `None` = no upper bound.
    pub fn days(self) -> (i64, Option<i64>) {
        match self {
            OverdueBand::UpToTwoWeeks => (1, Some(14)),
            OverdueBand::TwoToSixWeeks => (15, Some(42)),
            OverdueBand::SixToTwelveWeeks => (43, Some(84)),
            OverdueBand::TwelveToTwentySixWeeks => (85, Some(182)),
            OverdueBand::TwentySixToFiftyTwoWeeks => (183, Some(364)),
            OverdueBand::OverFiftyTwoWeeks => (365, None),
        }
    }

    /// The band of a step `days_overdue` days past its due date (`None` if not overdue).
    pub fn of(days_overdue: i64) -> Option<OverdueBand> {
        Self::ALL.into_iter().find(|band| {
            let (first, last) = band.days();
            days_overdue >= first && last.is_none_or(|last| days_overdue <= last)
        })
    }

    /// Due dates in this band as of `as_of`, inclusive: (earliest, latest).
    pub fn due_between(self, as_of: NaiveDate) -> (Option<NaiveDate>, NaiveDate) {
        let (first, last) = self.days();
        (last.map(|l| add_days(as_of, -l)), add_days(as_of, -first))
    }
}

/// Where an open step stands on a day: the backlog's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Standing {
    /// More than [`DUE_SOON_DAYS`] to go.
    OnTrack,
    /// Due today or within [`DUE_SOON_DAYS`].
    DueSoon,
    Overdue(OverdueBand),
    /// An exception lifted the statutory limit (not late in law).
    Excepted,
}

/// One statutory deadline as the store tracks it: open from `starts_on` until the day before
/// `settled_on`, the first day it was met or stopped applying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TrackedDeadline {
    pub kind: DeadlineKind,
    pub starts_on: NaiveDate,
    pub due_on: NaiveDate,
    pub met_on: Option<NaiveDate>,
    /// The day it was met, or the branch was not taken, the case closed, the advice declined
    /// or the parent's window passed. `None` while it is still open.
    pub settled_on: Option<NaiveDate>,
    /// The earliest day an exception lifting this limit began.
    pub excepted_from: Option<NaiveDate>,
    /// Operational target extended by the exceptions: NOT statutory.
    pub target_on: Option<NaiveDate>,
    pub advice_request_id: Option<i64>,
}

impl TrackedDeadline {
    /// A step with no statutory exceptions, open from `starts_on` until it is met or until the
    /// first of `stops` (the branch was not taken, the record closed).
    pub fn plain(
        kind: DeadlineKind,
        starts_on: NaiveDate,
        due_on: NaiveDate,
        met_on: Option<NaiveDate>,
        stops: &[Option<NaiveDate>],
    ) -> Self {
        TrackedDeadline {
            kind,
            starts_on,
            due_on,
            met_on,
            settled_on: std::iter::once(met_on)
                .chain(stops.iter().copied())
                .flatten()
                .min(),
            excepted_from: None,
            target_on: None,
            advice_request_id: None,
        }
    }

    pub fn process(&self) -> Option<Process> {
        Process::of(self.kind)
    }

    /// Whether the step was awaited on `day`.
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && self.settled_on.is_none_or(|s| s > day)
    }

    /// Where it stood on `day`, if it was open then.
    pub fn standing_on(&self, day: NaiveDate) -> Option<Standing> {
        if !self.open_on(day) {
            return None;
        }
        Some(standing(self.due_on, self.excepted_from, day))
    }
}

/// The standing of an open step due on `due_on`, seen on `day`.
pub fn standing(due_on: NaiveDate, excepted_from: Option<NaiveDate>, day: NaiveDate) -> Standing {
    if excepted_from.is_some_and(|e| e <= day) {
        return Standing::Excepted;
    }
    let days_to_go = (due_on - day).num_days();
    if days_to_go > DUE_SOON_DAYS {
        Standing::OnTrack
    } else if days_to_go >= 0 {
        Standing::DueSoon
    } else {
        Standing::Overdue(OverdueBand::of(-days_to_go).unwrap_or(OverdueBand::UpToTwoWeeks))
    }
}

impl Standing {
    /// The deadline status the standing corresponds to.
    pub fn status(self) -> DeadlineStatus {
        match self {
            Standing::OnTrack => DeadlineStatus::Pending,
            Standing::DueSoon => DeadlineStatus::DueSoon,
            Standing::Overdue(_) => DeadlineStatus::Overdue,
            Standing::Excepted => DeadlineStatus::Excepted,
        }
    }
}

/// The first day a due-soon step can fall due on, seen from `as_of`: anything due after it
/// is on track.
pub fn due_soon_until(as_of: NaiveDate) -> NaiveDate {
    add_days(as_of, DUE_SOON_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn bands_include_their_upper_bound() {
        use OverdueBand::*;
        let cases = [
            (0, None),
            (1, Some(UpToTwoWeeks)),
            (14, Some(UpToTwoWeeks)),
            (15, Some(TwoToSixWeeks)),
            (42, Some(TwoToSixWeeks)),
            (43, Some(SixToTwelveWeeks)),
            (84, Some(SixToTwelveWeeks)),
            (85, Some(TwelveToTwentySixWeeks)),
            (182, Some(TwelveToTwentySixWeeks)),
            (183, Some(TwentySixToFiftyTwoWeeks)),
            (364, Some(TwentySixToFiftyTwoWeeks)),
            (365, Some(OverFiftyTwoWeeks)),
            (5000, Some(OverFiftyTwoWeeks)),
        ];
        for (days, band) in cases {
            assert_eq!(OverdueBand::of(days), band, "{days} days overdue");
        }
    }

    #[test]
    fn standing_on_boundary_days() {
        let today = d(2026, 3, 2);
        let cases = [
            (d(2026, 3, 2), Standing::DueSoon),  // due today
            (d(2026, 3, 16), Standing::DueSoon), // 14 days
            (d(2026, 3, 17), Standing::OnTrack), // 15 days
            (d(2026, 3, 1), Standing::Overdue(OverdueBand::UpToTwoWeeks)),
            (
                d(2025, 3, 2),
                Standing::Overdue(OverdueBand::OverFiftyTwoWeeks),
            ), // 365 days
            (
                d(2025, 3, 3),
                Standing::Overdue(OverdueBand::TwentySixToFiftyTwoWeeks),
            ), // 52 weeks
        ];
        for (due, expected) in cases {
            assert_eq!(standing(due, None, today), expected, "due {due}");
        }
        assert_eq!(
            standing(d(2026, 1, 1), Some(today), today),
            Standing::Excepted
        );
        assert_eq!(
            standing(d(2026, 1, 1), Some(d(2026, 3, 3)), today),
            Standing::Overdue(OverdueBand::SixToTwelveWeeks),
            "an exception that starts tomorrow does not lift the limit yet"
        );
    }

    #[test]
    fn band_due_dates_match_the_band() {
        let as_of = d(2026, 3, 2);
        for band in OverdueBand::ALL {
            let (earliest, latest) = band.due_between(as_of);
            assert_eq!(OverdueBand::of((as_of - latest).num_days()), Some(band));
            if let Some(earliest) = earliest {
                assert_eq!(OverdueBand::of((as_of - earliest).num_days()), Some(band));
                assert_ne!(
                    OverdueBand::of((as_of - earliest).num_days() + 1),
                    Some(band)
                );
            }
        }
    }
}
