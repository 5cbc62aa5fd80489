//! Checks on what a person types or picks, shared by every kind of record: free text, the
//! order of dates, and the notice of appeal rights a refusal must carry.
use chrono::NaiveDate;

use crate::domain::people::InvalidField;

/// Longest free text kept (a summary of advice, a reason, the family's comments).
pub const MAX_TEXT_CHARS: usize = 10_000;

/// `on` must not come before `earlier` (what it is named in the message).
pub fn not_before(
    on: NaiveDate,
    earlier: Option<NaiveDate>,
    what: &str,
) -> Result<(), InvalidField> {
    match earlier {
        Some(earlier) if on < earlier => Err(InvalidField::new(
            "on",
            format!("must not be before {what} ({earlier})"),
        )),
        _ => Ok(()),
    }
}

/// Text that must be given: trimmed, not empty, at most [`MAX_TEXT_CHARS`].
pub fn required_text(field: &'static str, text: &str) -> Result<String, InvalidField> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InvalidField::new(field, "must not be empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(InvalidField::new(
            field,
            "must be at most 10,000 characters",
        ));
    }
    Ok(text.to_owned())
}

/// Text that may be left out (blank is left out).
pub fn optional_text(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<String>, InvalidField> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => required_text(field, t).map(Some),
    }
}

/// A reason's code (an exception reason, a reason for a delay): 1 to 40 characters of A-Z,
/// 0-9 and _, upper-cased.
pub fn reason_code(raw: &str) -> Result<String, InvalidField> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty()
        || code.len() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(InvalidField::new(
            "code",
            "must be 1 to 40 characters of A-Z, 0-9 and _",
        ));
    }
    Ok(code)
}

/// A refusal must tell the family about appeal and mediation (reg 5(3), 10(1); CFA s.51).
pub fn appeal_rights(given: bool) -> Result<(), InvalidField> {
    if given {
        Ok(())
    } else {
        Err(InvalidField::new(
            "appealRightsGiven",
            "the decision notice must tell the family of their right to appeal and to mediation",
        ))
    }
}

/// The family's response to a draft plan (reg 13(1)) or to proposed amendments
/// (reg 22(2)(c)): their comments, a meeting they ask for, a setting they would like named.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FamilyResponse {
    pub comments: Option<String>,
    pub meeting_requested: bool,
    pub requested_setting: Option<String>,
}

impl FamilyResponse {
    /// Trimmed and bounded; a response says at least one of the three things.
    pub fn checked(self) -> Result<FamilyResponse, InvalidField> {
        let comments = optional_text("comments", self.comments.as_deref())?;
        let requested_setting = crate::domain::people::parse_optional_name(
            "requestedSetting",
            self.requested_setting.as_deref(),
        )?;
        if comments.is_none() && requested_setting.is_none() && !self.meeting_requested {
            return Err(InvalidField::new(
                "comments",
                "record the comments, a meeting request or a requested setting",
            ));
        }
        Ok(FamilyResponse {
            comments,
            meeting_requested: self.meeting_requested,
            requested_setting,
        })
    }

    /// This response over what the family said before: what it leaves out stays as it was,
    /// and a meeting once asked for stays asked for.
    pub fn over(self, earlier: FamilyResponse) -> FamilyResponse {
        FamilyResponse {
            comments: self.comments.or(earlier.comments),
            meeting_requested: self.meeting_requested || earlier.meeting_requested,
            requested_setting: self.requested_setting.or(earlier.requested_setting),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text("summary", "  seen  ").unwrap(), "seen");
        assert_eq!(
            required_text("summary", "   ").unwrap_err().field,
            "summary"
        );
        assert!(required_text("summary", &"x".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(required_text("summary", &"x".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert_eq!(optional_text("note", Some(" ")).unwrap(), None);
    }

    #[test]
    fn a_family_response_says_something_and_adds_to_the_last() {
        let empty = FamilyResponse {
            comments: Some("  ".into()),
            ..FamilyResponse::default()
        };
        assert_eq!(empty.checked().unwrap_err().field, "comments");
        let meeting = FamilyResponse {
            meeting_requested: true,
            ..FamilyResponse::default()
        }
        .checked()
        .unwrap();
        let earlier = FamilyResponse {
            comments: Some("More speech therapy".into()),
            ..FamilyResponse::default()
        };
        assert_eq!(
            meeting.over(earlier),
            FamilyResponse {
                comments: Some("More speech therapy".into()),
                meeting_requested: true,
                requested_setting: None,
            }
        );
    }

    #[test]
    fn dates_keep_their_order() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(not_before(d("2026-01-02"), Some(d("2026-01-02")), "the request").is_ok());
        let e = not_before(d("2026-01-01"), Some(d("2026-01-02")), "the request").unwrap_err();
        assert_eq!(e.message, "must not be before the request (2026-01-02)");
        assert!(appeal_rights(false).is_err());
    }
}
