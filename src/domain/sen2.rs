//! The DfE's SEN2 person-level return: what it records of a person, checked as the return
//! checks it. Code lists are data (the `sen2_code` table, shipped from `data/sen2/codes.csv`
//! with each code's source), never constants here: where the DfE's own specification could
//! not be read, a council corrects the table without a release.
use std::collections::BTreeMap;

use crate::domain::people::InvalidField;

/// One code list of the return (`SEX`, `ETHNICITY`, `UPN_UNKNOWN`...): code → label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeList {
    pub list: &'static str,
    pub codes: BTreeMap<String, String>,
}

impl CodeList {
    pub const SEX: &'static str = "SEX";
    pub const ETHNICITY: &'static str = "ETHNICITY";
    pub const UPN_UNKNOWN: &'static str = "UPN_UNKNOWN";

    /// The code, upper-cased, when the list has it.
    pub fn check(&self, field: &'static str, raw: &str) -> Result<String, InvalidField> {
        let code = raw.trim().to_ascii_uppercase();
        if self.codes.contains_key(&code) {
            return Ok(code);
        }
        let known: Vec<&str> = self.codes.keys().map(String::as_str).take(12).collect();
        let more = if self.codes.len() > known.len() {
            ", ..."
        } else {
            ""
        };
        Err(InvalidField::new(
            field,
            format!(
                "is not a code of the SEN2 {} list ({}{more}; the list is `sen2Codes`)",
                self.list,
                known.join(", ")
            ),
        ))
    }
}

/// The check letter of a Unique Pupil Number: the other 12 characters weighted 2 to 13 (a
/// letter counts as its place in the check alphabet), modulo 23. The DfE's "Unique pupil
/// numbers (UPNs): guidance"; the same rule as python-stdnum's `stdnum.gb.upn` and the CIN
/// census rule 1510.
const UPN_ALPHABET: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

fn upn_check_letter(rest: &[u8]) -> Option<u8> {
    let mut sum = 0usize;
    for (i, c) in rest.iter().enumerate() {
        let value = match c {
            b'0'..=b'9' => usize::from(c - b'0'),
            _ => UPN_ALPHABET.iter().position(|a| a == c)?,
        };
        sum += value * (i + 2);
    }
    Some(UPN_ALPHABET[sum % 23])
}

/// The UPN whose last 12 characters are `rest` (an LA number, a school's establishment
/// number, the year and a serial): its check letter in front. For made-up data (the demo, the
/// synthetic council); `None` when `rest` is not 12 digits and letters of the alphabet.
pub fn upn_from(rest: &str) -> Option<String> {
    if rest.len() != 12 {
        return None;
    }
    let letter = upn_check_letter(rest.as_bytes())?;
    Some(format!("{}{rest}", letter as char))
}

/// A Unique Pupil Number: 13 characters, a check letter, 11 digits, then a digit (a permanent
/// UPN) or a letter (a temporary one). Spaces are dropped and letters upper-cased.
pub fn parse_upn(raw: &str) -> Result<String, InvalidField> {
    let upn: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let b = upn.as_bytes();
    let shape = b.len() == 13
        && UPN_ALPHABET.contains(&b[0])
        && b[1..12].iter().all(u8::is_ascii_digit)
        && (b[12].is_ascii_digit() || UPN_ALPHABET.contains(&b[12]));
    if !shape {
        return Err(InvalidField::new(
            "upn",
            "must be 13 characters: a check letter, 11 digits, then a digit (or a letter for a \
             temporary UPN)",
        ));
    }
    if upn_check_letter(&b[1..]) != Some(b[0]) {
        return Err(InvalidField::new(
            "upn",
            "has the wrong check letter: check the UPN against the school's record",
        ));
    }
    Ok(upn)
}

/// A Unique Learner Number: 10 digits. Its check digit is not verified: the rule was not found
/// in a source this project could read (README, "SEN2").
pub fn parse_uln(raw: &str) -> Result<String, InvalidField> {
    let uln: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if uln.len() == 10 && uln.bytes().all(|c| c.is_ascii_digit()) && !uln.starts_with('0') {
        Ok(uln)
    } else {
        Err(InvalidField::new(
            "uniqueLearnerNumber",
            "must be the 10 digits of a Unique Learner Number",
        ))
    }
}

/// A UK postcode in its usual form: upper case, one space before the last three characters
/// (outward code: a letter or two, a digit, then a letter or digit or nothing; inward code: a
/// digit and two letters).
pub fn parse_postcode(raw: &str) -> Result<String, InvalidField> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let b = compact.as_bytes();
    let fits = (5..=7).contains(&b.len()) && {
        let (outward, inward) = b.split_at(b.len() - 3);
        let letters = outward
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        (1..=2).contains(&letters)
            && letters < outward.len()
            && outward[letters].is_ascii_digit()
            && outward[letters + 1..].len() <= 1
            && outward[letters + 1..].iter().all(u8::is_ascii_alphanumeric)
            && inward[0].is_ascii_digit()
            && inward[1..].iter().all(u8::is_ascii_alphabetic)
    };
    if !fits {
        return Err(InvalidField::new(
            "homePostcode",
            "must be a UK postcode, such as CA1 1RD",
        ));
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    Ok(format!("{outward} {inward}"))
}

/// What the return records of a person beyond their name and date of birth (SEN2 items
/// 1.4–1.7c): each optional until the return is produced, whose checks report what is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonDetails {
    pub upn: Option<String>,
    pub uln: Option<String>,
    /// Why neither a UPN nor a ULN is available (`UPN_UNKNOWN`).
    pub upn_unknown: Option<String>,
    /// `SEX`.
    pub sex: Option<String>,
    /// `ETHNICITY` (the DfE's common basic data set codes).
    pub ethnicity: Option<String>,
    pub home_postcode: Option<String>,
}

impl PersonDetails {
    /// The items in order: UPN, ULN, reason for neither, sex, ethnicity, home postcode.
    pub fn values(&self) -> [Option<String>; 6] {
        [
            self.upn.clone(),
            self.uln.clone(),
            self.upn_unknown.clone(),
            self.sex.clone(),
            self.ethnicity.clone(),
            self.home_postcode.clone(),
        ]
    }

    pub fn from_values(
        [upn, uln, upn_unknown, sex, ethnicity, home_postcode]: [Option<String>; 6],
    ) -> Self {
        PersonDetails {
            upn,
            uln,
            upn_unknown,
            sex,
            ethnicity,
            home_postcode,
        }
    }
}

/// The code lists [`PersonDetails::checked`] reads.
pub struct PersonLists<'a> {
    pub sex: &'a CodeList,
    pub ethnicity: &'a CodeList,
    pub upn_unknown: &'a CodeList,
}

fn present(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl PersonDetails {
    /// Each item in its usual form, codes from their lists; a reason for no UPN only when
    /// there is neither a UPN nor a ULN.
    pub fn checked(self, lists: &PersonLists<'_>) -> Result<PersonDetails, InvalidField> {
        let upn = present(&self.upn).map(parse_upn).transpose()?;
        let uln = present(&self.uln).map(parse_uln).transpose()?;
        let upn_unknown = present(&self.upn_unknown)
            .map(|c| lists.upn_unknown.check("upnUnknownReason", c))
            .transpose()?;
        if upn_unknown.is_some() && (upn.is_some() || uln.is_some()) {
            return Err(InvalidField::new(
                "upnUnknownReason",
                "is for a person with neither a UPN nor a ULN: clear it, or clear the number",
            ));
        }
        Ok(PersonDetails {
            upn,
            uln,
            upn_unknown,
            sex: present(&self.sex)
                .map(|c| lists.sex.check("sex", c))
                .transpose()?,
            ethnicity: present(&self.ethnicity)
                .map(|c| lists.ethnicity.check("ethnicity", c))
                .transpose()?,
            home_postcode: present(&self.home_postcode)
                .map(parse_postcode)
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(name: &'static str, codes: &[&str]) -> CodeList {
        CodeList {
            list: name,
            codes: codes
                .iter()
                .map(|c| ((*c).to_owned(), String::new()))
                .collect(),
        }
    }

    #[test]
    fn a_upn_carries_its_check_letter() {
        // python-stdnum's own examples (stdnum/gb/upn.py): valid, then a wrong check letter.
        assert_eq!(parse_upn("B801200005001").unwrap(), "B801200005001");
        assert_eq!(parse_upn(" b80120 0005001 ").unwrap(), "B801200005001");
        assert_eq!(parse_upn("A801200005001").unwrap_err().field, "upn");
        assert!(
            parse_upn("A801200005001")
                .unwrap_err()
                .message
                .contains("check letter")
        );
        // The shape: 13 characters, 11 digits in the middle; I, O and S are never used.
        for bad in [
            "B80120000500",
            "X80120000A001",
            "I801200005001",
            "B80120000500S",
        ] {
            assert!(parse_upn(bad).is_err(), "{bad}");
        }
        // A temporary UPN ends in a letter, which counts as its place in the alphabet:
        // 8*2+0*3+1*4+2*5+0*6+0*7+0*8+0*9+5*10+0*11+0*12+A(0)*13 = 80, 80 mod 23 = 11 → M.
        assert_eq!(parse_upn("M80120000500A").unwrap(), "M80120000500A");
        assert_eq!(upn_from("801200005001").as_deref(), Some("B801200005001"));
        assert!(parse_upn("N80120000500A").is_err());
    }

    #[test]
    fn a_uln_is_ten_digits_and_a_postcode_is_written_the_usual_way() {
        assert_eq!(parse_uln("1234567890").unwrap(), "1234567890");
        for bad in ["123456789", "12345678901", "0123456789", "12345678X0"] {
            assert!(parse_uln(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_postcode("ca11rd").unwrap(), "CA1 1RD");
        assert_eq!(parse_postcode("SW1A 2AA").unwrap(), "SW1A 2AA");
        assert_eq!(parse_postcode("m1 1ae").unwrap(), "M1 1AE");
        assert_eq!(parse_postcode("EC1A1BB").unwrap(), "EC1A 1BB");
        for bad in [
            "CA1", "1CA 1RD", "CA1 RD1", "CABC 1RD", "CA11 1R", "AB1CD", "ABCDE",
        ] {
            assert!(parse_postcode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_reason_for_no_upn_only_without_a_upn_or_uln_and_codes_come_from_their_lists() {
        let (sex, ethnicity, unknown) = (
            list(CodeList::SEX, &["M", "F"]),
            list(CodeList::ETHNICITY, &["WBRI", "REFU"]),
            list(CodeList::UPN_UNKNOWN, &["UN1", "UN2"]),
        );
        let lists = PersonLists {
            sex: &sex,
            ethnicity: &ethnicity,
            upn_unknown: &unknown,
        };
        let details = PersonDetails {
            upn: Some("B801200005001".into()),
            sex: Some("f".into()),
            ethnicity: Some("wbri".into()),
            home_postcode: Some("ca1 1rd".into()),
            ..PersonDetails::default()
        };
        let checked = details.clone().checked(&lists).unwrap();
        assert_eq!(checked.sex.as_deref(), Some("F"));
        assert_eq!(checked.ethnicity.as_deref(), Some("WBRI"));
        assert_eq!(checked.home_postcode.as_deref(), Some("CA1 1RD"));
        let both = PersonDetails {
            upn_unknown: Some("UN1".into()),
            ..details.clone()
        };
        assert_eq!(both.checked(&lists).unwrap_err().field, "upnUnknownReason");
        let reason_only = PersonDetails {
            upn: None,
            upn_unknown: Some("un2".into()),
            ..details.clone()
        };
        assert_eq!(
            reason_only.checked(&lists).unwrap().upn_unknown.as_deref(),
            Some("UN2")
        );
        let unknown_code = PersonDetails {
            ethnicity: Some("XXXX".into()),
            ..details
        };
        let e = unknown_code.checked(&lists).unwrap_err();
        assert_eq!(e.field, "ethnicity");
        assert!(e.message.contains("REFU, WBRI"), "{}", e.message);
        // Nothing given is fine until the return asks for it.
        assert_eq!(
            PersonDetails::default().checked(&lists).unwrap(),
            PersonDetails::default()
        );
    }
}
