//! Appeals to the First-tier Tribunal (SEND) and mediation after a council's decision.
//!
//! An appeal must be made within 2 months of the decision letter, or within 1 month of a
//! mediation certificate, whichever is later (HESC Tribunal Rules 2008 r.20(2); CFA 2014
//! s.55). Before appealing, a parent must contact a mediation adviser (CFA 2014 s.55(2);
//! SEND Regs 2014 reg 33), within the same 2 months.
use chrono::NaiveDate;

use super::calendar::{add_months, long_date};

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

/// A decision the family may appeal against, and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppealWindow {
    /// What was decided, as a family would say it.
    pub decision: &'static str,
    pub decided_on: NaiveDate,
    pub mediation_certificate_on: Option<NaiveDate>,
    /// The last day to contact a mediation adviser before appealing (decision + 2 months).
    pub mediation_contact_by: NaiveDate,
    /// The last day to register an appeal.
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
        let appeal_by = match mediation_certificate_on {
            Some(certificate) => two_months.max(add_months(certificate, 1)),
            None => two_months,
        };
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
            // (decided, certificate, appeal by)
            (d(2026, 3, 10), None, d(2026, 5, 10)),
            // A certificate early in the 2 months does not shorten them.
            (d(2026, 3, 10), Some(d(2026, 3, 20)), d(2026, 5, 10)),
            // A certificate in the last month extends the window.
            (d(2026, 3, 10), Some(d(2026, 4, 30)), d(2026, 5, 30)),
            // Month ends: 31 December + 2 months is 28 February (no 31st).
            (d(2026, 12, 31), None, d(2027, 2, 28)),
            (d(2027, 12, 31), None, d(2028, 2, 29)),
            (d(2026, 12, 31), Some(d(2027, 1, 31)), d(2027, 2, 28)),
            (d(2026, 12, 31), Some(d(2027, 2, 27)), d(2027, 3, 27)),
        ];
        for (decided, certificate, expected) in cases {
            let window = AppealWindow::new("not to assess", decided, certificate);
            assert_eq!(window.appeal_by, expected, "{decided} {certificate:?}");
            assert_eq!(window.mediation_contact_by, add_months(decided, 2));
        }
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
        let ceased = AppealWindow::for_plan(PlanDecision::Ceased, d(2026, 8, 31), None);
        assert_eq!(ceased.appeal_by, d(2026, 10, 31));
        assert_eq!(
            ceased.text(d(2026, 11, 1)),
            "The time to appeal against the decision to stop maintaining the EHC plan ended on \
             31 October 2026."
        );
    }

    #[test]
    fn the_family_reads_the_window_in_plain_words() {
        let window = AppealWindow::new("not to carry out an assessment", d(2026, 3, 10), None);
        assert!(window.is_open(d(2026, 5, 10)));
        assert!(!window.is_open(d(2026, 5, 11)));
        assert_eq!(
            window.text(d(2026, 4, 1)),
            "You can appeal to the SEND Tribunal against the decision not to carry out an \
             assessment until 10 May 2026. Before appealing you must contact a mediation \
             adviser, by 10 May 2026."
        );
        assert_eq!(
            window.text(d(2026, 5, 11)),
            "The time to appeal against the decision not to carry out an assessment ended on \
             10 May 2026."
        );
    }
}
