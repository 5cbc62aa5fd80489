//! Parsed values for people and places: invalid input never reaches storage.
use chrono::{Datelike, NaiveDate};

/// A rule broken by input, naming the field so the frontend can show it beside the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidField {
    pub field: &'static str,
    pub message: String,
}

impl InvalidField {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

pub const MAX_NAME_LEN: usize = 200;

/// A non-empty name of at most 200 characters, trimmed.
pub fn parse_name(field: &'static str, raw: &str) -> Result<String, InvalidField> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(InvalidField::new(field, "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(InvalidField::new(
            field,
            format!("must be at most {MAX_NAME_LEN} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(InvalidField::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

/// An optional name: blank means absent.
pub fn parse_optional_name(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Option<String>, InvalidField> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) => parse_name(field, name).map(Some),
    }
}

/// A local authority's DfE code: three digits (e.g. 909 for Cumbria).
pub fn parse_la_code(raw: &str) -> Result<String, InvalidField> {
    let code = raw.trim();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(InvalidField::new(
            "code",
            "must be the local authority's three-digit DfE code, such as 909",
        ))
    }
}

/// A subject (the token's `sub`) linking a record to sign-in.
pub fn parse_subject(field: &'static str, raw: &str) -> Result<String, InvalidField> {
    let subject = raw.trim();
    if subject.is_empty() || subject.len() > 255 || subject.chars().any(char::is_whitespace) {
        return Err(InvalidField::new(
            field,
            "must be 1 to 255 characters without spaces",
        ));
    }
    Ok(subject.to_owned())
}

/// A date of birth: not in the future, and at most 26 years ago (the 0–25 system).
pub fn parse_date_of_birth(dob: NaiveDate, today: NaiveDate) -> Result<NaiveDate, InvalidField> {
    if dob > today {
        return Err(InvalidField::new(
            "dateOfBirth",
            "must not be in the future",
        ));
    }
    if today.year() - dob.year() > 26 {
        return Err(InvalidField::new(
            "dateOfBirth",
            "must be within the last 26 years: EHC plans cover ages 0 to 25",
        ));
    }
    Ok(dob)
}

/// A national curriculum year: Reception is 0, early years are negative, Year 1..13 follow.
pub fn parse_nc_year(year: i32) -> Result<i16, InvalidField> {
    if (-3..=15).contains(&year) {
        Ok(year as i16)
    } else {
        Err(InvalidField::new(
            "ncYearOverride",
            "must be between -3 (early years) and 15 (post-19)",
        ))
    }
}

/// The national curriculum year for a child born on `dob`, in the school year containing
/// `today`. A child is in Reception in the school year (1 September–31 August) in which they
/// turn five; each year after adds one.
pub fn national_curriculum_year(dob: NaiveDate, today: NaiveDate) -> i32 {
    let school_year_start = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    // Age on 31 August at the end of this school year.
    let end = NaiveDate::from_ymd_opt(school_year_start + 1, 8, 31).unwrap_or(today);
    let mut age = end.year() - dob.year();
    if (end.month(), end.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age - 5
}

/// How caseworkers say a national curriculum year.
pub fn nc_year_label(year: i32) -> String {
    match year {
        i32::MIN..=-2 => "Early years".into(),
        -1 => "Nursery".into(),
        0 => "Reception".into(),
        1..=13 => format!("Year {year}"),
        _ => "Post-19".into(),
    }
}

/// The parent's or carer's relationship to the child.
pub fn parse_relationship(raw: Option<&str>) -> Result<String, InvalidField> {
    match raw.map(str::trim) {
        None | Some("") => Ok("parent".into()),
        Some(r) => parse_name("relationship", r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn national_curriculum_year_follows_the_english_school_year() {
        let today = d(2026, 11, 23); // school year 2026/27
        let cases = [
            (d(2021, 9, 1), 0),  // turns 5 on 1 Sep 2026: Reception
            (d(2022, 8, 31), 0), // turns 5 on 31 Aug 2027: Reception (youngest)
            (d(2022, 9, 1), -1), // Nursery
            (d(2021, 8, 31), 1), // oldest in Year 1 is the day before
            (d(2013, 3, 15), 9), // Year 9: preparation for adulthood reviews
            (d(2012, 3, 15), 10),
            (d(2010, 9, 1), 11),  // Year 11: secondary to post-16 transfer next
            (d(2009, 2, 28), 13), // Year 13, the last school year
            (d(2008, 2, 29), 14), // leap-day birthday, a year past Year 13
        ];
        for (dob, expected) in cases {
            assert_eq!(national_curriculum_year(dob, today), expected, "{dob}");
        }
        // In August the school year is still the one that started the September before.
        assert_eq!(national_curriculum_year(d(2021, 9, 1), d(2026, 8, 31)), -1);
        assert_eq!(national_curriculum_year(d(2021, 9, 1), d(2026, 9, 1)), 0);
    }

    #[test]
    fn labels() {
        assert_eq!(nc_year_label(-1), "Nursery");
        assert_eq!(nc_year_label(0), "Reception");
        assert_eq!(nc_year_label(6), "Year 6");
        assert_eq!(nc_year_label(14), "Post-19");
    }

    #[test]
    fn names_are_trimmed_and_must_not_be_empty() {
        assert_eq!(
            parse_name("legalName", "  Ada Lovelace "),
            Ok("Ada Lovelace".into())
        );
        assert_eq!(
            parse_name("legalName", "   ").unwrap_err().field,
            "legalName"
        );
        assert!(parse_name("legalName", &"x".repeat(201)).is_err());
        assert!(parse_name("legalName", "a\u{0}b").is_err());
        assert_eq!(parse_optional_name("preferredName", Some(" ")), Ok(None));
    }

    #[test]
    fn la_codes_are_three_digits() {
        assert_eq!(parse_la_code("909"), Ok("909".into()));
        for bad in ["90", "9090", "abc", ""] {
            assert_eq!(parse_la_code(bad).unwrap_err().field, "code");
        }
    }

    #[test]
    fn date_of_birth_may_not_be_in_the_future() {
        let today = d(2026, 11, 23);
        assert!(parse_date_of_birth(today, today).is_ok());
        let err = parse_date_of_birth(d(2026, 11, 24), today).unwrap_err();
        assert_eq!(err.field, "dateOfBirth");
        assert!(parse_date_of_birth(d(1990, 1, 1), today).is_err());
    }
}
