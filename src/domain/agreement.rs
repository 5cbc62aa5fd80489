//! The case views and the backlog's rows read the same table of rules: for every process, the
//! due dates a caseworker sees on a case are the dates the backlog counts it against.
//! (Assessments have a day-by-day version in `assessment.rs`.)
#![cfg(test)]
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::amendment::{AmendmentFacts, amendment_deadlines, tracked_amendment_deadlines};
use super::backlog::TrackedDeadline;
use super::plan::{PlanFacts, plan_deadlines, tracked_deadlines};
use super::review::{ReviewFacts, ReviewKind, review_deadlines, tracked_review_deadlines};
use super::timescales::{Deadline, DeadlineKind};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The earliest due date of each kind the case view shows (a late amendment notice shows two
/// clocks for the amended plan; the backlog counts the one that binds first).
fn shown(deadlines: &[Deadline]) -> BTreeMap<&'static str, NaiveDate> {
    let mut out: BTreeMap<&'static str, NaiveDate> = BTreeMap::new();
    for x in deadlines {
        let e = out.entry(x.kind.as_str()).or_insert(x.due_on);
        *e = (*e).min(x.due_on);
    }
    out
}

fn tracked(rows: &[TrackedDeadline], kinds: &[DeadlineKind]) -> BTreeMap<&'static str, NaiveDate> {
    let mut out: BTreeMap<&'static str, NaiveDate> = BTreeMap::new();
    for r in rows.iter().filter(|r| kinds.contains(&r.kind)) {
        // The current cycle: the latest due date of each kind.
        let e = out.entry(r.kind.as_str()).or_insert(r.due_on);
        *e = (*e).max(r.due_on);
    }
    out
}

#[test]
fn amendments_are_counted_against_the_dates_they_show() {
    let meeting = d(2026, 10, 15);
    let base = AmendmentFacts::new(d(2026, 11, 1), Some(meeting));
    let cases = [
        ("decided, no notice yet", base.clone()),
        (
            "notice on time",
            AmendmentFacts {
                notice_sent_on: Some(d(2026, 11, 5)),
                ..base.clone()
            },
        ),
        (
            "notice late",
            AmendmentFacts {
                notice_sent_on: Some(d(2026, 11, 20)),
                ..base.clone()
            },
        ),
        (
            "issued",
            AmendmentFacts {
                notice_sent_on: Some(d(2026, 11, 5)),
                final_issued_on: Some(d(2026, 12, 20)),
                ..base.clone()
            },
        ),
        (
            "outside a review",
            AmendmentFacts {
                notice_sent_on: Some(d(2027, 1, 31)),
                ..AmendmentFacts::new(d(2027, 1, 31), None)
            },
        ),
    ];
    let kinds = [
        DeadlineKind::AmendmentNotice,
        DeadlineKind::AmendmentComments,
        DeadlineKind::AmendedPlan,
        DeadlineKind::DecisionNotToAmend,
    ];
    for (name, facts) in cases {
        assert_eq!(
            tracked(&tracked_amendment_deadlines(&facts), &kinds),
            shown(&amendment_deadlines(&facts, d(2026, 11, 25))),
            "{name}"
        );
    }
}

#[test]
fn reviews_are_counted_against_the_dates_they_show() {
    let kinds = [
        DeadlineKind::ReviewInvitations,
        DeadlineKind::ReviewAdviceCirculated,
        DeadlineKind::ReviewReport,
        DeadlineKind::ReviewDecision,
    ];
    for meeting in [d(2026, 10, 15), d(2028, 2, 29), d(2026, 12, 31)] {
        let facts = ReviewFacts::new(ReviewKind::Annual, d(2026, 9, 1), meeting, d(2027, 3, 1));
        let mut view = shown(&review_deadlines(&facts, d(2026, 9, 2)));
        // The 12 months the decision completes are the plan's row.
        view.remove(DeadlineKind::AnnualReview.as_str());
        assert_eq!(
            tracked(&tracked_review_deadlines(&facts, |_| None), &kinds),
            view,
            "meeting {meeting}"
        );
    }
}

#[test]
fn plans_are_counted_against_the_dates_they_show() {
    let kinds = [
        DeadlineKind::AnnualReview,
        DeadlineKind::TransferReview,
        DeadlineKind::TransferNotice,
        DeadlineKind::UnderFiveReview,
    ];
    let cases = [
        (
            "issued 31 January",
            PlanFacts::new(d(2024, 1, 31), d(2013, 3, 15)),
        ),
        (
            "issued 29 February",
            PlanFacts::new(d(2024, 2, 29), d(2012, 3, 15)),
        ),
        (
            "reviewed",
            PlanFacts {
                last_review_decision_on: Some(d(2025, 12, 1)),
                ..PlanFacts::new(d(2024, 12, 1), d(2009, 3, 15))
            },
        ),
        (
            "transferred in",
            PlanFacts {
                last_review_decision_on: Some(d(2025, 12, 1)),
                transferred_in_on: Some(d(2026, 11, 10)),
                ..PlanFacts::new(d(2024, 12, 1), d(2009, 3, 15))
            },
        ),
    ];
    for (name, facts) in cases {
        let view: BTreeMap<_, _> = shown(&plan_deadlines(&facts, d(2026, 12, 1)))
            .into_iter()
            .filter(|(k, _)| kinds.iter().any(|kind| kind.as_str() == *k))
            .collect();
        let rows = tracked_deadlines(&facts, &[], None, facts.issued_on);
        assert_eq!(tracked(&rows, &kinds), view, "{name}");
    }
}
