//! Appeals to the First-tier Tribunal (SEND) and mediation after a council's decision.
//!
//! An appeal must be made within 2 months after the decision letter, or within 1 month from
//! the date of a mediation certificate, whichever is later (HESC Tribunal Rules 2008
//! r.20(1)(c); CFA 2014 s.55). "Within N months after" ends on the corresponding date, clamped
//! to a shorter month's last day ([`add_months`]). Before appealing, a parent must contact a
//! mediation adviser (CFA 2014 s.55(2); SEND Regs 2014 reg 33), within the same 2 months.
//!
//! Where the appeal deadline falls, the Tribunal Rules move it (HESC Tribunal Rules 2008 r.12,
//! as amended by the Tribunal Procedure (Amendment) Rules 2020):
//! - r.12(3)(a): in a special educational needs case, a time for starting proceedings under
//!   r.20 that ends on a day from 25 December to 1 January inclusive, or on any day in August,
//!   is met by providing the application notice on the first working day after 1 January or
//!   after 31 August;
//! - r.12(2): otherwise, a time that ends on a day that is not a working day is met on the next
//!   working day.
//!
//! "Working day" (r.1(3)) is any day but a Saturday, Sunday, Christmas Day, Good Friday or a
//! bank holiday under BFDA 1971 s.1: [`is_working_day`], with England-and-Wales bank holidays.
//! Every decision here is on an EHC plan or assessment, so every case is a SEN case.
use chrono::{Datelike, NaiveDate};

use super::calendar::{add_months, add_working_days, long_date, working_days_beginning_with};

pub const APPEAL_RULE: &str = "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.55";

/// A decision on an EHC plan that the family may appeal against (CFA 2014 s.51(2)). A decision
/// to amend is not one of them: the right comes with the final amended plan, or with a later
/// decision not to amend after all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanDecision {
    /// A review ended with the plan kept as it is (s.51(2)(e)).
    KeptAfterReview,
    /// Proposed changes were dropped: the council will not amend after all (s.51(2)(e)).
    NotAmended,
    /// The final amended plan: what it says and the setting it names (s.51(2)(c)).
    AmendedPlan,
    /// The plan will no longer be maintained (s.51(2)(f)).
    Ceased,
}

impl PlanDecision {
    /// What was decided, as the family reads it after "the decision".
    pub fn words(self) -> &'static str {
        match self {
            Self::KeptAfterReview => "to keep the EHC plan as it is after its review",
            Self::NotAmended => "not to amend the EHC plan",
            Self::AmendedPlan => {
                "on what the amended EHC plan says and the school or college it names"
            }
            Self::Ceased => "to stop maintaining the EHC plan",
        }
    }

    pub fn regulation(self) -> &'static str {
        match self {
            Self::KeptAfterReview | Self::NotAmended => {
                "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.51(2)(e), s.55"
            }
            Self::AmendedPlan => "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.51(2)(c), s.55",
            Self::Ceased => "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.51(2)(f), s.55",
        }
    }
}

/// The last day to start SEN proceedings (r.20) when the time for it ends on `ends_on`, after
/// HESC Tribunal Rules 2008 r.12: a time ending from 25 December to 1 January inclusive moves
/// to the first working day after 1 January, one ending in August to the first working day
/// after 31 August (r.12(3)(a)); any other time ending on a day that is not a working day moves
/// to the next working day (r.12(2)). The result is always a working day.
pub fn tribunal_deadline(ends_on: NaiveDate) -> NaiveDate {
    let (month, day) = (ends_on.month(), ends_on.day());
    let year = ends_on.year();
    let after = match (month, day) {
        (12, 25..) => NaiveDate::from_ymd_opt(year.saturating_add(1), 1, 1),
        (1, 1) => NaiveDate::from_ymd_opt(year, 1, 1),
        (8, _) => NaiveDate::from_ymd_opt(year, 8, 31),
        _ => None,
    };
    match after {
        Some(after) => add_working_days(after, 1),
        // `ends_on` itself if it is a working day (also a late December in the last year
        // chrono can hold, which has no 1 January after it).
        None => working_days_beginning_with(ends_on, 1),
    }
}

/// A decision the family may appeal against, and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppealWindow {
    /// What was decided, as a family would say it.
    pub decision: &'static str,
    pub decided_on: NaiveDate,
    pub mediation_certificate_on: Option<NaiveDate>,
    /// The last day to contact a mediation adviser before appealing: decision + 2 months, not
    /// moved. Rule 12 moves only acts required by the Tribunal Rules, a practice direction or a
    /// direction (here, providing the application notice); contacting an adviser is required
    /// by CFA 2014 s.55, not by the Rules, so the family is told the plain 2 months, which is
    /// never later than the appeal deadline.
    pub mediation_contact_by: NaiveDate,
    /// The last day to register an appeal: the later of decision + 2 months and certificate +
    /// 1 month, then moved by r.12 ([`tribunal_deadline`]).
    pub appeal_by: NaiveDate,
    pub regulation: &'static str,
}

impl AppealWindow {
    pub fn new(
        decision: &'static str,
        decided_on: NaiveDate,
        mediation_certificate_on: Option<NaiveDate>,
    ) -> Self {
        let two_months = add_months(decided_on, 2);
        let ends_on = match mediation_certificate_on {
            Some(certificate) => two_months.max(add_months(certificate, 1)),
            None => two_months,
        };
        let appeal_by = tribunal_deadline(ends_on);
        Self {
            decision,
            decided_on,
            mediation_certificate_on,
            mediation_contact_by: two_months,
            appeal_by,
            regulation: APPEAL_RULE,
        }
    }

    /// The window after a decision on a plan, with the subsection of s.51 that gives the right.
    pub fn for_plan(
        decision: PlanDecision,
        decided_on: NaiveDate,
        mediation_certificate_on: Option<NaiveDate>,
    ) -> Self {
        Self {
            regulation: decision.regulation(),
            ..Self::new(decision.words(), decided_on, mediation_certificate_on)
        }
    }

    /// Whether an appeal can still be registered on `today`.
    pub fn is_open(&self, today: NaiveDate) -> bool {
        today <= self.appeal_by
    }

    /// The window in plain words, for the family.
    pub fn text(&self, today: NaiveDate) -> String {
        if !self.is_open(today) {
            return format!(
                "The time to appeal against the decision {} ended on {}.",
                self.decision,
                long_date(self.appeal_by)
            );
        }
        let mediation = match self.mediation_certificate_on {
            Some(certificate) => format!(
                "You have a mediation certificate dated {}.",
                long_date(certificate)
            ),
            None => format!(
                "Before appealing you must contact a mediation adviser, by {}.",
                long_date(self.mediation_contact_by)
            ),
        };
        format!(
            "You can appeal to the SEND Tribunal against the decision {} until {}. {mediation}",
            self.decision,
            long_date(self.appeal_by)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn appeal_by_is_the_later_of_two_months_and_a_month_from_the_certificate() {
        let cases = [
            // (decided, certificate, period ends, appeal by after r.12)
            (d(2026, 3, 16), None, d(2026, 5, 16), d(2026, 5, 18)), // Sat → Mon
            (d(2026, 5, 10), None, d(2026, 7, 10), d(2026, 7, 10)), // a Friday: unchanged
            // A certificate early in the 2 months does not shorten them.
            (
                d(2026, 5, 10),
                Some(d(2026, 5, 20)),
                d(2026, 7, 10),
                d(2026, 7, 10),
            ),
            // A certificate later than the decision, in the last month, extends the window.
            (
                d(2026, 5, 10),
                Some(d(2026, 6, 30)),
                d(2026, 7, 30),
                d(2026, 7, 30),
            ),
            (
                d(2026, 3, 10),
                Some(d(2026, 4, 30)),
                d(2026, 5, 30),
                d(2026, 6, 1),
            ), // Sat → Mon
            // Decided on 31 December: the period ends on the last day of February.
            (d(2027, 12, 31), None, d(2028, 2, 29), d(2028, 2, 29)), // a Tuesday
            (d(2026, 12, 31), None, d(2027, 2, 28), d(2027, 3, 1)),  // a Sunday → Mon
            (
                d(2026, 12, 31),
                Some(d(2027, 1, 31)),
                d(2027, 2, 28),
                d(2027, 3, 1),
            ),
            // Sat 27 March 2027, then Easter Monday: Tuesday 30 March.
            (
                d(2026, 12, 31),
                Some(d(2027, 2, 27)),
                d(2027, 3, 27),
                d(2027, 3, 30),
            ),
        ];
        for (decided, certificate, ends, expected) in cases {
            let window = AppealWindow::new("not to assess", decided, certificate);
            let two_months = add_months(decided, 2);
            let unmoved = certificate.map_or(two_months, |c| two_months.max(add_months(c, 1)));
            assert_eq!(unmoved, ends, "{decided} {certificate:?}: period ends");
            assert_eq!(window.appeal_by, expected, "{decided} {certificate:?}");
            assert_eq!(window.mediation_contact_by, two_months, "not moved");
        }
    }

    #[test]
    fn rule_12_moves_a_deadline_out_of_august_and_christmas_and_off_days_off() {
        let cases = [
            // (period ends, appeal by, why)
            (
                d(2026, 8, 12),
                d(2026, 9, 1),
                "mid-August → first working day after 31 Aug",
            ),
            (d(2024, 8, 15), d(2024, 9, 2), "1 Sep 2024 is a Sunday"),
            (d(2026, 8, 1), d(2026, 9, 1), "1 August"),
            (d(2026, 8, 30), d(2026, 9, 1), "a Sunday in August"),
            (
                d(2026, 8, 31),
                d(2026, 9, 1),
                "31 Aug 2026, itself a bank holiday",
            ),
            (d(2027, 8, 31), d(2027, 9, 1), "31 Aug 2027, a Tuesday"),
            (
                d(2025, 12, 24),
                d(2025, 12, 24),
                "24 December, a Wednesday: unchanged",
            ),
            (
                d(2027, 12, 24),
                d(2027, 12, 24),
                "24 December, a Friday: unchanged",
            ),
            (
                d(2025, 12, 25),
                d(2026, 1, 2),
                "25 December → first working day after 1 Jan",
            ),
            (
                d(2026, 12, 25),
                d(2027, 1, 4),
                "1 Jan 2027 is a Friday: Monday 4th",
            ),
            (d(2025, 12, 31), d(2026, 1, 2), "31 December"),
            (d(2026, 1, 1), d(2026, 1, 2), "1 January"),
            (
                d(2022, 1, 1),
                d(2022, 1, 4),
                "Sat 1 Jan 2022, substitute Monday 3rd",
            ),
            (
                d(2023, 12, 27),
                d(2024, 1, 2),
                "27 December, a working day, still moves",
            ),
            (
                d(2026, 1, 2),
                d(2026, 1, 2),
                "2 January, a Friday: unchanged",
            ),
            (d(2026, 5, 16), d(2026, 5, 18), "a Saturday → Monday"),
            (d(2026, 5, 17), d(2026, 5, 18), "a Sunday → Monday"),
            (
                d(2026, 4, 3),
                d(2026, 4, 7),
                "Good Friday 2026 → Tuesday after Easter Monday",
            ),
            (
                d(2025, 12, 26),
                d(2026, 1, 2),
                "Boxing Day is in the Christmas days anyway",
            ),
            (
                d(2022, 9, 19),
                d(2022, 9, 20),
                "the State Funeral, Monday 19 Sep 2022",
            ),
            (
                d(2023, 5, 8),
                d(2023, 5, 9),
                "the Coronation, Monday 8 May 2023",
            ),
            // r.12(3)(a) looks at the day the time ends: Sat 24 Dec 2022 is not in the
            // Christmas days, so r.12(2) moves it past the Boxing Day and substitute Christmas
            // bank holidays only, to Wednesday 28 December.
            (d(2022, 12, 24), d(2022, 12, 28), "a Saturday 24 December"),
            (
                d(2027, 7, 31),
                d(2027, 8, 2),
                "a Saturday 31 July: the next working day",
            ),
            (d(2026, 9, 30), d(2026, 9, 30), "a plain Wednesday"),
        ];
        for (ends, expected, why) in cases {
            assert_eq!(tribunal_deadline(ends), expected, "{ends}: {why}");
        }
        assert_eq!(tribunal_deadline(NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn an_appeal_period_ending_in_august_or_at_christmas_runs_on() {
        // Decided 12 June: 2 months end on Wed 12 August.
        let summer = AppealWindow::new("not to assess", d(2026, 6, 12), None);
        assert_eq!(summer.appeal_by, d(2026, 9, 1));
        assert_eq!(summer.mediation_contact_by, d(2026, 8, 12));
        // A certificate dated 31 July: a month from it ends on 31 August.
        let certificate = AppealWindow::new("not to assess", d(2026, 6, 15), Some(d(2026, 7, 31)));
        assert_eq!(certificate.appeal_by, d(2026, 9, 1));
        // Decided 25 October: 2 months end on Christmas Day.
        let christmas = AppealWindow::new("not to assess", d(2025, 10, 25), None);
        assert_eq!(christmas.appeal_by, d(2026, 1, 2));
        assert_eq!(christmas.mediation_contact_by, d(2025, 12, 25));
        assert_eq!(
            christmas.text(d(2025, 12, 1)),
            "You can appeal to the SEND Tribunal against the decision not to assess until \
             2 January 2026. Before appealing you must contact a mediation adviser, by \
             25 December 2025."
        );
        // Decided 24 October: 2 months end on Christmas Eve, a working day.
        let eve = AppealWindow::new("not to assess", d(2025, 10, 24), None);
        assert_eq!(eve.appeal_by, d(2025, 12, 24));
    }

    #[test]
    fn a_decision_on_a_plan_names_the_subsection_that_gives_the_right() {
        let window = AppealWindow::for_plan(
            PlanDecision::KeptAfterReview,
            d(2026, 10, 30),
            Some(d(2026, 12, 15)),
        );
        assert_eq!(
            window.appeal_by,
            d(2027, 1, 15),
            "a month from the certificate"
        );
        assert_eq!(window.mediation_contact_by, d(2026, 12, 30));
        assert_eq!(
            window.regulation,
            "HESC Tribunal Rules 2008 r.20(2); CFA 2014 s.51(2)(e), s.55"
        );
        assert_eq!(
            window.text(d(2026, 12, 20)),
            "You can appeal to the SEND Tribunal against the decision to keep the EHC plan as \
             it is after its review until 15 January 2027. You have a mediation certificate \
             dated 15 December 2026."
        );
        // 2 months end on Saturday 31 October: the appeal can still be made on Monday.
        let ceased = AppealWindow::for_plan(PlanDecision::Ceased, d(2026, 8, 31), None);
        assert_eq!(ceased.appeal_by, d(2026, 11, 2));
        assert_eq!(ceased.mediation_contact_by, d(2026, 10, 31));
        assert!(ceased.is_open(d(2026, 11, 1)));
        assert_eq!(
            ceased.text(d(2026, 11, 3)),
            "The time to appeal against the decision to stop maintaining the EHC plan ended on \
             2 November 2026."
        );
    }

    #[test]
    fn the_family_reads_the_window_in_plain_words() {
        // 2 months end on Sunday 10 May 2026: the appeal can be made on Monday 11th; the
        // mediation adviser is still to be contacted within the 2 months.
        let window = AppealWindow::new("not to carry out an assessment", d(2026, 3, 10), None);
        assert!(window.is_open(d(2026, 5, 11)));
        assert!(!window.is_open(d(2026, 5, 12)));
        assert_eq!(
            window.text(d(2026, 4, 1)),
            "You can appeal to the SEND Tribunal against the decision not to carry out an \
             assessment until 11 May 2026. Before appealing you must contact a mediation \
             adviser, by 10 May 2026."
        );
        assert_eq!(
            window.text(d(2026, 5, 12)),
            "The time to appeal against the decision not to carry out an assessment ended on \
             11 May 2026."
        );
    }
}
