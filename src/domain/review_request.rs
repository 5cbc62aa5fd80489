//! A family asking the council to review the plan before its review is due. The council must
//! review a plan within every 12 months and may review it sooner (CFA 2014 s.44(1)): the
//! family's request is logged, and closed when the council arranges a review meeting or tells
//! the family why it will not hold one now. No statutory time limit applies to the answer, so
//! none is shown.
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use super::assessment::{UnknownCode, parse_code};
use super::calendar::long_date;

pub const REVIEW_REQUEST_RULE: &str = "CFA 2014 s.44(1)";

/// How the council answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RequestOutcome {
    /// A review meeting was arranged for the plan.
    ReviewArranged,
    /// The council will not hold a review now, with its reason.
    Declined,
}

impl RequestOutcome {
    pub const ALL: [Self; 2] = [Self::ReviewArranged, Self::Declined];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReviewArranged => "REVIEW_ARRANGED",
            Self::Declined => "DECLINED",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(&Self::ALL, Self::as_str, "review request outcome", code)
    }
}

/// What has happened to a family's request, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequestFacts {
    pub requested_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    pub outcome: Option<RequestOutcome>,
    /// The meeting of the review arranged in answer.
    pub meeting_on: Option<NaiveDate>,
    pub decline_reason: Option<String>,
}

impl ReviewRequestFacts {
    pub fn is_open(&self) -> bool {
        self.answered_on.is_none()
    }

    /// The request and its answer, in words for the family.
    pub fn text(&self) -> String {
        let asked = format!(
            "You asked for a review meeting on {}.",
            long_date(self.requested_on)
        );
        match (self.outcome, self.answered_on) {
            (Some(RequestOutcome::ReviewArranged), Some(on)) => match self.meeting_on {
                Some(meeting) => format!(
                    "{asked} On {} the council arranged a review meeting for {}.",
                    long_date(on),
                    long_date(meeting)
                ),
                None => format!(
                    "{asked} On {} the council arranged a review.",
                    long_date(on)
                ),
            },
            (Some(RequestOutcome::Declined), Some(on)) => {
                let reason = self
                    .decline_reason
                    .as_deref()
                    .map(|r| format!(" Its reason: {}", with_full_stop(r)))
                    .unwrap_or_default();
                format!(
                    "{asked} On {} the council decided not to hold a review now.{reason} The plan \
                     will still be reviewed within its 12 months; if you disagree, contact your \
                     caseworker.",
                    long_date(on)
                )
            }
            _ => format!(
                "{asked} The council has not answered yet: it will arrange a review meeting or \
                 tell you why it will not hold one now."
            ),
        }
    }
}

fn with_full_stop(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// Why a family cannot ask for a review meeting now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestRefused {
    /// The plan has ceased, moved to another council or been replaced.
    PlanEnded,
    /// A review is already under way.
    ReviewUnderWay { meeting_on: NaiveDate },
    /// The family's earlier request has not been answered yet.
    AlreadyAsked { requested_on: NaiveDate },
}

impl fmt::Display for RequestRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PlanEnded => write!(
                f,
                "this EHC plan is no longer maintained by the council, so it will not be reviewed"
            ),
            Self::ReviewUnderWay { meeting_on } => write!(
                f,
                "a review of the plan is already under way, with the meeting arranged for {}",
                long_date(*meeting_on)
            ),
            Self::AlreadyAsked { requested_on } => write!(
                f,
                "you asked for a review meeting on {} and the council has not answered yet",
                long_date(*requested_on)
            ),
        }
    }
}

impl std::error::Error for RequestRefused {}

/// A family may ask for a review of an active plan with no review under way and no request of
/// theirs still waiting for an answer.
pub fn check_review_request(
    plan_active: bool,
    open_review_meeting_on: Option<NaiveDate>,
    open_request_on: Option<NaiveDate>,
) -> Result<(), RequestRefused> {
    if !plan_active {
        return Err(RequestRefused::PlanEnded);
    }
    if let Some(meeting_on) = open_review_meeting_on {
        return Err(RequestRefused::ReviewUnderWay { meeting_on });
    }
    if let Some(requested_on) = open_request_on {
        return Err(RequestRefused::AlreadyAsked { requested_on });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn asked() -> ReviewRequestFacts {
        ReviewRequestFacts {
            requested_on: d(2026, 11, 3),
            answered_on: None,
            outcome: None,
            meeting_on: None,
            decline_reason: None,
        }
    }

    #[test]
    fn the_family_reads_their_request_and_its_answer_in_plain_words() {
        assert!(asked().is_open());
        assert_eq!(
            asked().text(),
            "You asked for a review meeting on 3 November 2026. The council has not answered \
             yet: it will arrange a review meeting or tell you why it will not hold one now."
        );
        let arranged = ReviewRequestFacts {
            answered_on: Some(d(2026, 11, 10)),
            outcome: Some(RequestOutcome::ReviewArranged),
            meeting_on: Some(d(2026, 12, 1)),
            ..asked()
        };
        assert!(!arranged.is_open());
        assert_eq!(
            arranged.text(),
            "You asked for a review meeting on 3 November 2026. On 10 November 2026 the council \
             arranged a review meeting for 1 December 2026."
        );
        let declined = ReviewRequestFacts {
            answered_on: Some(d(2026, 11, 12)),
            outcome: Some(RequestOutcome::Declined),
            decline_reason: Some("The annual review is already arranged for January".into()),
            ..asked()
        };
        assert_eq!(
            declined.text(),
            "You asked for a review meeting on 3 November 2026. On 12 November 2026 the council \
             decided not to hold a review now. Its reason: The annual review is already \
             arranged for January. The plan will still be reviewed within its 12 months; if you \
             disagree, contact your caseworker."
        );
    }

    #[test]
    fn a_request_needs_an_active_plan_with_nothing_under_way() {
        assert_eq!(check_review_request(true, None, None), Ok(()));
        assert_eq!(
            check_review_request(false, None, None),
            Err(RequestRefused::PlanEnded)
        );
        let review = check_review_request(true, Some(d(2026, 12, 1)), None).unwrap_err();
        assert_eq!(
            review.to_string(),
            "a review of the plan is already under way, with the meeting arranged for \
             1 December 2026"
        );
        let twice = check_review_request(true, None, Some(d(2026, 11, 3))).unwrap_err();
        assert_eq!(
            twice.to_string(),
            "you asked for a review meeting on 3 November 2026 and the council has not \
             answered yet"
        );
    }

    #[test]
    fn outcomes_round_trip_through_their_codes() {
        for outcome in RequestOutcome::ALL {
            assert_eq!(RequestOutcome::parse(outcome.as_str()), Ok(outcome));
        }
        assert!(RequestOutcome::parse("MAYBE").is_err());
    }
}
