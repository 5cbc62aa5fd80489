//! The one table of statutory time limits: for each kind of deadline, the event its clock
//! starts from, how the law counts the period, the provision, who must act, whether it is
//! statutory and which exceptions can lift it. Every date the API shows (the case views, the
//! backlog's rows, the timetables, the family's windows) is computed by [`Clock::due`] from a
//! row of [`RULES`], so no two places can count a period differently.
//!
//! How each clock counts follows the words of its provision (DOMAIN.md, "Date arithmetic"):
//!
//! | wording | clock | example |
//! |---|---|---|
//! | "within N weeks of X" | [`Clock::WeeksAfter`]: X + 7·N | 1 Nov + 4 weeks → 29 Nov |
//! | "at least N weeks before X" | [`Clock::WeeksBefore`]: X − 7·N | meeting 15 Mar → 1 Mar |
//! | "the period of N months starting with X" | [`Clock::MonthsStartingWith`]: the day before the corresponding date, or the last day of a month without one | 31 Jan 2024 + 12 → 30 Jan 2025; 29 Feb 2024 + 12 → 28 Feb 2025 |
//! | "at least N days beginning with X" | [`Clock::DaysBeginningWith`]: the window X … X+N−1 | served 27 Nov: until 11 Dec |
//! | "N working days beginning with X" | [`Clock::WorkingDaysBeginningWith`]: X is day 1 if a working day | — |
//! | "before 15 February" | [`Clock::BeforeFixedDate`]: the day before | 14 Feb |
//! | "at least N months before X" | [`Clock::MonthsBefore`] | 1 Sep − 5 months → 1 Apr |
//! | "within N days of X" | [`Clock::DaysAfter`]: X + N | told 1 Dec: mediation by 31 Dec |
//! | "within N working days of X" | [`Clock::WorkingDaysAfter`]: X not counted | received Wed 1 Apr 2026: acknowledged by 10 Apr (Easter) |
//! | "within N months after X" | [`Clock::MonthsAfter`]: the corresponding date, clamped | 31 Dec + 2 → 28 Feb |
//! | "immediately" | [`Clock::Immediately`]: X itself | — |
use chrono::{Datelike, NaiveDate};

use super::calendar::{
    add_days, add_months, add_weeks, add_working_days, sub_months, working_days_beginning_with,
};
use super::timescales::{DeadlineKind, Party};

/// How a provision counts its period from the event that starts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// "Within N weeks of X": X + 7·N days (X itself is not counted).
    WeeksAfter(u32),
    /// "At least N weeks before X": X − 7·N days.
    WeeksBefore(u32),
    /// "The period of N months starting (beginning) with X": X is day 1, so the period ends the
    /// day before the corresponding date N months on, or on the last day of that month where it
    /// has no such date (CFA 2014 s.44(1); Barker v Hambleton DC [2012] EWCA Civ 610).
    MonthsStartingWith(u32),
    /// "At least N days beginning with X": the window X … X+N−1; the next step may come from
    /// X+N.
    DaysBeginningWith(u32),
    /// "N working days beginning with X": X is day 1 when it is a working day.
    WorkingDaysBeginningWith(u32),
    /// "Before DATE" in the calendar year of the event: the day before DATE.
    BeforeFixedDate { month: u32, day: u32 },
    /// "At least N months before X": the same day-of-month N months earlier (clamped).
    MonthsBefore(u32),
    /// "Within N days of X": X + N days.
    DaysAfter(u32),
    /// "Within N working days of X": the Nth working day after X (X is not counted).
    WorkingDaysAfter(u32),
    /// "Within N months after X": the corresponding date N months on, or the last day of a
    /// month without one.
    MonthsAfter(u32),
    /// "Immediately": on the day of X.
    Immediately,
}

impl Clock {
    /// The last day of the period started by `from`.
    pub fn due(self, from: NaiveDate) -> NaiveDate {
        match self {
            Clock::WeeksAfter(n) => add_weeks(from, n),
            Clock::WeeksBefore(n) => add_days(from, -7 * i64::from(n)),
            Clock::MonthsStartingWith(n) => months_starting_with(from, n),
            Clock::DaysBeginningWith(n) => add_days(from, i64::from(n) - 1),
            Clock::WorkingDaysBeginningWith(n) => working_days_beginning_with(from, n),
            Clock::BeforeFixedDate { month, day } => {
                NaiveDate::from_ymd_opt(from.year(), month, day)
                    .map(|d| add_days(d, -1))
                    .unwrap_or(from)
            }
            Clock::MonthsBefore(n) => sub_months(from, n),
            Clock::DaysAfter(n) => add_days(from, i64::from(n)),
            Clock::WorkingDaysAfter(n) => add_working_days(from, n),
            Clock::MonthsAfter(n) => add_months(from, n),
            Clock::Immediately => from,
        }
    }

    /// The period in words, for the README's table and for a caseworker.
    pub fn words(self) -> String {
        match self {
            Clock::WeeksAfter(n) => format!("{n} weeks after"),
            Clock::WeeksBefore(n) => format!("{n} weeks before"),
            Clock::MonthsStartingWith(n) => format!("{n} months starting with"),
            Clock::DaysBeginningWith(n) => format!("{n} days beginning with"),
            Clock::WorkingDaysBeginningWith(n) => format!("{n} working days beginning with"),
            Clock::BeforeFixedDate { month, day } => {
                let month = chrono::Month::try_from(month as u8)
                    .map(|m| m.name())
                    .unwrap_or("?");
                format!("before {day} {month} of the year of")
            }
            Clock::MonthsBefore(n) => format!("{n} months before"),
            Clock::DaysAfter(n) => format!("{n} days after"),
            Clock::WorkingDaysAfter(n) => format!("{n} working days after"),
            Clock::MonthsAfter(n) => format!("{n} months after"),
            Clock::Immediately => "immediately on".to_owned(),
        }
    }
}

/// The last day of "the period of `n` months starting with `from`".
fn months_starting_with(from: NaiveDate, n: u32) -> NaiveDate {
    let corresponding = add_months(from, n);
    if corresponding.day() == from.day() {
        add_days(corresponding, -1)
    } else {
        // The month has no such date (29–31): the period ends on its last day, which is
        // where `add_months` clamped to.
        corresponding
    }
}

/// Which of the council's statutory limits an exception reason can lift (SEND Regs 2014
/// regs 5(4), 8(2), 10(4), 13(3), 27(3)). Nothing lifts the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifts {
    /// The 6-week decision whether to assess (reg 5(4)).
    Decision,
    /// The 6 weeks for advice (reg 8(2)).
    Advice,
    /// The 16- and 20-week limits (regs 10(4), 13(3)) and the 14-week re-assessment (27(3)).
    Plan,
    /// The limits after a Tribunal order, an agreement or a concession (reg 44(3)):
    /// exceptional personal circumstances, an absence of at least 2 weeks, or the family's
    /// representations after the order.
    Order,
}

/// One kind of deadline, as the law sets it.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub kind: DeadlineKind,
    /// The event the clock starts from.
    pub from: &'static str,
    pub clock: Clock,
    /// The provision, for a caseworker or parent to check.
    pub regulation: &'static str,
    /// Plain English for a parent.
    pub label: &'static str,
    /// Who must act.
    pub party: Party,
    /// False for guidance shown as a target.
    pub statutory: bool,
    /// The exceptions that can lift it; `None`: no exception lifts it.
    pub lifted_by: Option<Lifts>,
}

use DeadlineKind as K;

const fn rule(
    kind: DeadlineKind,
    from: &'static str,
    clock: Clock,
    regulation: &'static str,
    label: &'static str,
    party: Party,
) -> Rule {
    Rule {
        kind,
        from,
        clock,
        regulation,
        label,
        party,
        statutory: true,
        lifted_by: None,
    }
}

const fn lifted(rule: Rule, by: Lifts) -> Rule {
    Rule {
        lifted_by: Some(by),
        ..rule
    }
}

const fn guidance(rule: Rule) -> Rule {
    Rule {
        statutory: false,
        ..rule
    }
}

const LA: Party = Party::LocalAuthority;

/// Raised whenever a row's counting changes: the server then recomputes every stored deadline
/// at start-up ([`crate::service::recompute`]). 2: "months starting with" ends the day before
/// the anniversary; the family's 15 days end on day 15; amended plans run from the meeting
/// before a notice; bank holidays are not working days; a closure or an absence shorter than
/// 4 weeks, or a closure outside its advice request's window, lifts nothing.
pub const RULES_VERSION: i32 = 2;

/// Every kind of deadline: the one table the API's dates come from.
pub const RULES: [Rule; 38] = [
    lifted(
        rule(
            K::DecisionToAssess,
            "the request for an assessment",
            Clock::WeeksAfter(6),
            "SEND Regs 2014 reg 5(1)",
            "Decision whether to carry out an EHC needs assessment",
            LA,
        ),
        Lifts::Decision,
    ),
    lifted(
        rule(
            K::AdviceResponse,
            "the request for advice",
            Clock::WeeksAfter(6),
            "SEND Regs 2014 reg 8(1)",
            "Advice from a professional asked to contribute",
            Party::Professional,
        ),
        Lifts::Advice,
    ),
    lifted(
        rule(
            K::DecisionNotToIssue,
            "the request for an assessment",
            Clock::WeeksAfter(16),
            "SEND Regs 2014 reg 10(1)",
            "Decision if the council will not issue an EHC plan",
            LA,
        ),
        Lifts::Plan,
    ),
    // The family's window is a minimum, not a limit an exception could lift.
    rule(
        K::DraftComments,
        "the day the draft plan was served",
        Clock::DaysBeginningWith(15),
        "SEND Regs 2014 reg 13(1); CFA 2014 s.38",
        "Your comments on the draft plan",
        Party::Parent,
    ),
    lifted(
        rule(
            K::FinalPlan,
            "the request for an assessment",
            Clock::WeeksAfter(20),
            "SEND Regs 2014 reg 13(2)",
            "Final EHC plan issued",
            LA,
        ),
        Lifts::Plan,
    ),
    lifted(
        rule(
            K::ReassessmentFinalPlan,
            "the decision to re-assess",
            Clock::WeeksAfter(14),
            "SEND Regs 2014 reg 27(2)",
            "Final EHC plan issued after re-assessment",
            LA,
        ),
        Lifts::Plan,
    ),
    rule(
        K::AnnualReview,
        "the plan's making, or the last review's decision",
        Clock::MonthsStartingWith(12),
        "CFA 2014 s.44(1); SEND Regs 2014 reg 19, 20(10)",
        "Annual review of the EHC plan completed (the council's decision)",
        LA,
    ),
    guidance(rule(
        K::UnderFiveReview,
        "the plan's making, or the last review's decision",
        Clock::MonthsStartingWith(6),
        "SEND Code of Practice 2015 para 9.178 (guidance)",
        "Review for a child under 5 (recommended every 3 to 6 months)",
        LA,
    )),
    rule(
        K::ReviewInvitations,
        "the review meeting",
        Clock::WeeksBefore(2),
        "SEND Regs 2014 reg 20(3)",
        "Invitations to the review meeting sent",
        LA,
    ),
    rule(
        K::ReviewAdvice,
        "the review meeting",
        Clock::WeeksBefore(2),
        "SEND Regs 2014 reg 20(2), 20(4)",
        "Advice for the annual review from a professional asked to contribute",
        Party::Professional,
    ),
    rule(
        K::ReviewAdviceCirculated,
        "the review meeting",
        Clock::WeeksBefore(2),
        "SEND Regs 2014 reg 20(4)",
        "Advice and information for the review sent to everyone invited",
        LA,
    ),
    // The head teacher or principal writes the review report (reg 20(7)).
    rule(
        K::ReviewReport,
        "the review meeting",
        Clock::WeeksAfter(2),
        "SEND Regs 2014 reg 20(7)-(8)",
        "Review report sent to the council and everyone invited",
        Party::Setting,
    ),
    rule(
        K::ReviewDecision,
        "the review meeting",
        Clock::WeeksAfter(4),
        "SEND Regs 2014 reg 20(10)",
        "The council's decision after the review: keep, amend or cease the plan",
        LA,
    ),
    rule(
        K::AmendmentNotice,
        "the review meeting",
        Clock::WeeksAfter(4),
        "SEND Regs 2014 reg 20(10), 22(2); R (L, M, P) v Devon CC [2022] EWHC 493 (Admin)",
        "Notice of the proposed changes to the plan",
        LA,
    ),
    rule(
        K::AmendmentComments,
        "the day the amendment notice was served",
        Clock::DaysBeginningWith(15),
        "SEND Regs 2014 reg 22(2)(c)",
        "Your comments on the proposed changes",
        Party::Parent,
    ),
    rule(
        K::AmendedPlan,
        "the amendment notice (before one is sent: the review meeting + 12 weeks)",
        Clock::WeeksAfter(8),
        "SEND Regs 2014 reg 22(3)",
        "Final amended EHC plan issued",
        LA,
    ),
    rule(
        K::DecisionNotToAmend,
        "the amendment notice",
        Clock::WeeksAfter(8),
        "SEND Regs 2014 reg 22(4)",
        "Decision not to amend the plan after all",
        LA,
    ),
    rule(
        K::PhaseTransfer,
        "the calendar year of the move between school phases",
        Clock::BeforeFixedDate { month: 2, day: 15 },
        "SEND Regs 2014 reg 18(1)(b)",
        "Plan reviewed and amended to name the next school (phase transfer)",
        LA,
    ),
    rule(
        K::PhaseTransferPost16,
        "the calendar year of the move from school to post-16",
        Clock::BeforeFixedDate { month: 3, day: 31 },
        "SEND Regs 2014 reg 18(1)(a)",
        "Plan reviewed and amended to name the post-16 placement",
        LA,
    ),
    rule(
        K::Post16Transfer,
        "the move between post-16 institutions",
        Clock::MonthsBefore(5),
        "SEND Regs 2014 reg 18(2)",
        "Plan amended to name the new post-16 institution",
        LA,
    ),
    rule(
        K::TransferNotice,
        "the transfer from another council",
        Clock::WeeksAfter(6),
        "SEND Regs 2014 reg 15(4)",
        "Notice that the plan has moved to the new council",
        LA,
    ),
    rule(
        K::TransferReview,
        "the last review (or the plan's making): 12 months; the transfer: 3 months; whichever ends later",
        Clock::MonthsStartingWith(12),
        "SEND Regs 2014 reg 15(5); CFA 2014 s.44",
        "First review by the new council after a transfer",
        LA,
    ),
    rule(
        K::TransferOut,
        "the day the old council became aware of the move (or the move, if later)",
        Clock::WorkingDaysBeginningWith(15),
        "SEND Regs 2014 reg 15(2)",
        "Plan transferred to the council the family moved to",
        LA,
    ),
    // Disputes (DOMAIN.md §6; domain::dispute).
    rule(
        K::MediationContact,
        "the decision letter that gave the right of appeal",
        Clock::MonthsAfter(2),
        "SEND Regs 2014 reg 33; CFA 2014 s.55(2)",
        "Your contact with a mediation adviser, if you want to appeal",
        Party::Parent,
    ),
    rule(
        K::MediationCertificate,
        "the day the family told the adviser they do not want mediation, or the mediation ended",
        Clock::WorkingDaysAfter(3),
        "SEND Regs 2014 regs 34-35, 39",
        "Mediation certificate issued",
        Party::Mediator,
    ),
    rule(
        K::MediationHeld,
        "the day the council was told the family wants mediation",
        Clock::DaysAfter(30),
        "SEND Regs 2014 reg 37",
        "Mediation held",
        LA,
    ),
    rule(
        K::AgreementOtherMatter,
        "the mediation agreement (on social care or health provision)",
        Clock::WeeksAfter(2),
        "SEND Regs 2014 reg 42(3), 42(5)",
        "What was agreed at mediation done",
        LA,
    ),
    lifted(
        rule(
            K::OrderAssessmentNotice,
            "the order (as sent), the agreement, or the day the council told the Tribunal it concedes",
            Clock::WeeksAfter(2),
            "SEND Regs 2014 reg 44(2)(b); reg 42(2), 45",
            "You told that the council will carry out the assessment",
            LA,
        ),
        Lifts::Order,
    ),
    lifted(
        rule(
            K::OrderNoPlanDecision,
            "the order (as sent), the agreement, or the day the council told the Tribunal it concedes",
            Clock::WeeksAfter(10),
            "SEND Regs 2014 reg 44(2)(b)(i); reg 42(2), 45",
            "Decision, with reasons, if the council will not make an EHC plan after the assessment",
            LA,
        ),
        Lifts::Order,
    ),
    lifted(
        rule(
            K::OrderFinalPlan,
            "the order (as sent), the agreement, or the day the council told the Tribunal it concedes",
            Clock::WeeksAfter(14),
            "SEND Regs 2014 reg 44(2)(b)(ii); reg 42(2), 45",
            "Final EHC plan issued after the assessment",
            LA,
        ),
        Lifts::Order,
    ),
    lifted(
        rule(
            K::OrderDraftPlan,
            "the order (as sent), the agreement, or the day the council told the Tribunal it concedes",
            Clock::WeeksAfter(5),
            "SEND Regs 2014 reg 44(2)(c)(i); reg 42(2), 45",
            "Draft EHC plan issued",
            LA,
        ),
        Lifts::Order,
    ),
    lifted(
        rule(
            K::OrderMadePlan,
            "the order (as sent), the agreement, or the day the council told the Tribunal it concedes",
            Clock::WeeksAfter(11),
            "SEND Regs 2014 reg 44(2)(c)(ii); reg 42(2), 45",
            "Final EHC plan issued",
            LA,
        ),
        Lifts::Order,
    ),
    lifted(
        rule(
            K::OrderAmendedPlan,
            "the order (as sent), the agreement, or the day the council told the Tribunal it concedes",
            Clock::WeeksAfter(5),
            "SEND Regs 2014 reg 44(2)(e); reg 42(2), 45",
            "Amended EHC plan issued",
            LA,
        ),
        Lifts::Order,
    ),
    lifted(
        rule(
            K::OrderNamedSetting,
            "the order (as sent), the agreement, or the day the council told the Tribunal it concedes",
            Clock::WeeksAfter(2),
            "SEND Regs 2014 reg 44(2)(f); reg 42(2), 45",
            "The new school or college named in the EHC plan",
            LA,
        ),
        Lifts::Order,
    ),
    lifted(
        rule(
            K::OrderImmediate,
            "the order (as sent), the agreement, or the day the council told the Tribunal it concedes",
            Clock::Immediately,
            "SEND Regs 2014 reg 44(2)(a), (g); reg 42(2), 45",
            "The plan kept (or, after a cease appeal is dismissed, ceased) as ordered",
            LA,
        ),
        Lifts::Order,
    ),
    rule(
        K::ComplaintAcknowledgement,
        "the day the complaint, or its escalation to stage 2, was received",
        Clock::WorkingDaysAfter(5),
        "LGSCO Complaint Handling Code (from 1 April 2026) 6.2",
        "Your complaint acknowledged",
        LA,
    ),
    rule(
        K::ComplaintStageOneResponse,
        "the day the complaint was acknowledged (until then, the last day it could be)",
        Clock::WorkingDaysAfter(10),
        "LGSCO Complaint Handling Code (from 1 April 2026) 6.3-6.4",
        "An answer to your complaint (stage 1)",
        LA,
    ),
    rule(
        K::ComplaintStageTwoResponse,
        "the day the escalation to stage 2 was acknowledged (until then, the last day it could be)",
        Clock::WorkingDaysAfter(20),
        "LGSCO Complaint Handling Code (from 1 April 2026), stage 2",
        "An answer to your complaint (stage 2)",
        LA,
    ),
];

/// The row of `kind`.
pub fn rule_of(kind: DeadlineKind) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.kind == kind)
        .expect("every deadline kind has a row in RULES")
}

impl DeadlineKind {
    /// The last day of this kind's period started by `from` (see [`RULES`]).
    pub fn due_from(self, from: NaiveDate) -> NaiveDate {
        rule_of(self).clock.due(from)
    }

    /// For a limit of weeks after its start: the clocks started before this day are past
    /// their due date on `today` (for SQL that finds overdue cases by their start). `None`
    /// for other clocks.
    pub fn overdue_if_started_before(self, today: NaiveDate) -> Option<NaiveDate> {
        match rule_of(self).clock {
            Clock::WeeksAfter(n) => Some(add_days(today, -7 * i64::from(n))),
            _ => None,
        }
    }
}

/// The table as Markdown, as the README shows it (a test keeps the README in step).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| deadline | counted from | period | provision | who acts | exceptions |\n|---|---|---|---|---|---|\n",
    );
    for r in &RULES {
        let party = match r.party {
            Party::LocalAuthority => "council",
            Party::Parent => "family",
            Party::Professional => "professional",
            Party::Setting => "school or setting",
            Party::Mediator => "mediation adviser or mediator",
            Party::Tribunal => "Tribunal",
        };
        let lifts = match (r.statutory, r.lifted_by) {
            (false, _) => "guidance, not statute",
            (_, Some(Lifts::Decision)) => "reg 5(4)",
            (_, Some(Lifts::Advice)) => "reg 8(2)",
            (_, Some(Lifts::Plan)) => "reg 10(4), 13(3), 27(3)",
            (_, Some(Lifts::Order)) => "reg 44(3)",
            (_, None) => "none",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.kind.as_str(),
            r.from,
            r.clock.words(),
            r.regulation,
            party,
            lifts
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_kind_has_exactly_one_row() {
        for r in &RULES {
            assert_eq!(
                RULES.iter().filter(|o| o.kind == r.kind).count(),
                1,
                "{:?}",
                r.kind
            );
        }
    }

    #[test]
    fn the_period_of_twelve_months_starting_with_a_day_ends_the_day_before_the_anniversary() {
        let twelve = Clock::MonthsStartingWith(12);
        assert_eq!(twelve.due(d(2019, 1, 1)), d(2019, 12, 31));
        assert_eq!(twelve.due(d(2024, 1, 31)), d(2025, 1, 30));
        assert_eq!(twelve.due(d(2024, 2, 29)), d(2025, 2, 28));
        assert_eq!(twelve.due(d(2024, 3, 1)), d(2025, 2, 28));
        assert_eq!(twelve.due(d(2023, 3, 1)), d(2024, 2, 29));
        assert_eq!(
            Clock::MonthsStartingWith(3).due(d(2024, 1, 31)),
            d(2024, 4, 30)
        );
        assert_eq!(
            Clock::MonthsStartingWith(6).due(d(2024, 8, 31)),
            d(2025, 2, 28)
        );
    }

    #[test]
    fn weeks_after_exclude_the_start_day() {
        assert_eq!(Clock::WeeksAfter(4).due(d(2025, 11, 1)), d(2025, 11, 29));
        assert_eq!(Clock::WeeksBefore(2).due(d(2025, 3, 15)), d(2025, 3, 1));
    }

    #[test]
    fn at_least_fifteen_days_beginning_with_the_day_served_ends_on_day_fifteen() {
        assert_eq!(
            Clock::DaysBeginningWith(15).due(d(2026, 11, 27)),
            d(2026, 12, 11)
        );
        assert_eq!(
            Clock::DaysBeginningWith(15).due(d(2026, 3, 1)),
            d(2026, 3, 15)
        );
    }

    #[test]
    fn before_a_fixed_date_is_the_day_before() {
        let feb = Clock::BeforeFixedDate { month: 2, day: 15 };
        assert_eq!(feb.due(d(2027, 9, 1)), d(2027, 2, 14));
        let march = Clock::BeforeFixedDate { month: 3, day: 31 };
        assert_eq!(march.due(d(2027, 9, 1)), d(2027, 3, 30));
    }

    #[test]
    fn the_readme_shows_the_table_the_code_uses() {
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&markdown_table()),
            "README.md's rule table differs from domain::rules::RULES: run \
             `cargo run -- rules` and paste its output into the README's \"Statutory rules\" \
             section\n{}",
            markdown_table()
        );
    }
}
