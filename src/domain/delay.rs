//! Why a statutory step is late. A reason for a delay explains a missed limit; it never lifts
//! one: the Local Government and Social Care Ombudsman treats a shortage of educational
//! psychologists, late advice from health or a panel's calendar as service failure, not as
//! an exception (only the circumstances of SEND Regs 2014 reg 5(4), 8(2), 10(4), 13(3) and
//! 27(3) are, `timescales::ExceptionReason`). Managers need to know which of these causes
//! their late steps, so timeliness and the backlog count late steps by reason.
//!
//! Reasons are data (the `delay_reason` table): a council adds its own without a release.
use chrono::NaiveDate;

use crate::domain::people::InvalidField;

/// A reason a council gives for a late step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayReason {
    pub code: String,
    pub label: String,
    /// The reason says too little alone ("Other"): a note must say what happened.
    pub note_required: bool,
}

/// The reasons every database starts with: the causes councils and the Ombudsman name most.
pub fn standard_delay_reasons() -> Vec<DelayReason> {
    let reason = |code: &str, label: &str| DelayReason {
        code: code.to_owned(),
        label: label.to_owned(),
        note_required: false,
    };
    vec![
        reason(
            "NO_EDUCATIONAL_PSYCHOLOGIST",
            "No educational psychologist was available",
        ),
        reason("HEALTH_ADVICE_LATE", "Advice from health came late"),
        reason(
            "SOCIAL_CARE_ADVICE_LATE",
            "Advice from social care came late",
        ),
        reason(
            "EDUCATION_ADVICE_LATE",
            "Advice from the school, college or setting came late",
        ),
        reason("PANEL_DATE", "Waiting for a decision-making panel's date"),
        reason(
            "SETTING_CONSULTATION",
            "Waiting for a school or setting to answer a consultation",
        ),
        reason(
            "CASEWORK_CAPACITY",
            "Not enough caseworkers to do the step in time",
        ),
        reason(
            "FAMILY_AVAILABILITY",
            "Arranging a date with the family (not an exception in law)",
        ),
        DelayReason {
            note_required: true,
            ..reason("OTHER", "Another reason (see the note)")
        },
    ]
}

/// Where a step stands against its limit, for recording a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepDates {
    pub due_on: NaiveDate,
    pub met_on: Option<NaiveDate>,
    /// The day an exception lifted the limit, if one did.
    pub excepted_from: Option<NaiveDate>,
    /// The day the step stopped counting without being met (the case closed), if it did.
    pub settled_on: Option<NaiveDate>,
}

/// Whether a reason for a delay can be recorded on the step on `today`: it was done after
/// its due date, or it is still not done and its due date has passed. A step an exception
/// lifted before it was done (or before today) is not late in law, so it has no delay.
pub fn check_late(step: StepDates, today: NaiveDate) -> Result<(), InvalidField> {
    let until = step.met_on.or(step.settled_on).unwrap_or(today).min(today);
    if step.excepted_from.is_some_and(|from| from <= until) {
        return Err(InvalidField::new(
            "stage",
            "an exception lifted this step's time limit, so it is not late in law; a reason \
             for a delay is for late steps",
        ));
    }
    let late = match step.met_on {
        Some(met) => met > step.due_on,
        None => until > step.due_on,
    };
    if late {
        Ok(())
    } else {
        Err(InvalidField::new(
            "stage",
            format!(
                "this step is not late (due on {}): a reason for a delay is recorded on a \
                 late step",
                step.due_on
            ),
        ))
    }
}

/// A reason's note: required where the reason says so, at most 2,000 characters.
pub fn check_note(
    reason: &DelayReason,
    note: Option<&str>,
) -> Result<Option<String>, InvalidField> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 2000) {
        return Err(InvalidField::new(
            "note",
            "must be at most 2,000 characters",
        ));
    }
    if reason.note_required && note.is_none() {
        return Err(InvalidField::new(
            "note",
            format!(
                "the reason `{}` needs a note saying what happened",
                reason.code
            ),
        ));
    }
    Ok(note.map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn step(due_on: NaiveDate, met_on: Option<NaiveDate>) -> StepDates {
        StepDates {
            due_on,
            met_on,
            excepted_from: None,
            settled_on: None,
        }
    }

    #[test]
    fn a_step_is_late_the_day_after_its_due_date() {
        let due = d(2026, 11, 10);
        assert!(check_late(step(due, None), due).is_err(), "due today");
        assert!(check_late(step(due, None), d(2026, 11, 11)).is_ok());
        assert!(check_late(step(due, Some(due)), d(2026, 12, 1)).is_err());
        assert!(check_late(step(due, Some(d(2026, 11, 11))), d(2026, 12, 1)).is_ok());
    }

    #[test]
    fn a_closed_case_is_late_only_if_it_closed_after_the_due_date() {
        let due = d(2026, 11, 10);
        let closed = |on| StepDates {
            settled_on: Some(on),
            ..step(due, None)
        };
        assert!(check_late(closed(due), d(2026, 12, 1)).is_err());
        assert!(check_late(closed(d(2026, 11, 20)), d(2026, 12, 1)).is_ok());
    }

    #[test]
    fn an_excepted_step_is_not_late() {
        let due = d(2026, 11, 10);
        let excepted = StepDates {
            excepted_from: Some(d(2026, 11, 1)),
            ..step(due, None)
        };
        let err = check_late(excepted, d(2026, 12, 1)).unwrap_err();
        assert!(err.message.contains("exception"), "{}", err.message);
        // An exception that began after the step was done late does not excuse it.
        let after = StepDates {
            excepted_from: Some(d(2026, 11, 25)),
            ..step(due, Some(d(2026, 11, 20)))
        };
        assert!(check_late(after, d(2026, 12, 1)).is_ok());
    }

    #[test]
    fn other_needs_a_note() {
        let reasons = standard_delay_reasons();
        let other = reasons.iter().find(|r| r.code == "OTHER").unwrap();
        assert_eq!(check_note(other, Some("  ")).unwrap_err().field, "note");
        assert_eq!(
            check_note(other, Some(" Panel cancelled ")).unwrap(),
            Some("Panel cancelled".to_owned())
        );
        let ep = reasons
            .iter()
            .find(|r| r.code == "NO_EDUCATIONAL_PSYCHOLOGIST")
            .unwrap();
        assert_eq!(check_note(ep, None).unwrap(), None);
        assert!(check_note(ep, Some(&"x".repeat(2001))).is_err());
    }
}
