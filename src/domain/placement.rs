//! Where a plan's child or young person is placed, and the plan's personal budget: the SEN2
//! return's PlanDetail (4.7), PlacementDetail (5.7) and items 4.2–4.4, checked as the return
//! checks them. Pure: the code lists come in as data (`data/sen2/codes.csv`).
use chrono::NaiveDate;

use super::people::InvalidField;
use super::sen2::CodeList;

/// At most this many placements on one plan (a history of moves, dual placements).
pub const MAX_PLACEMENTS: usize = 30;

/// Which setting: a school or college by its GIAS URN, a post-16 provider by its UKPRN, or,
/// with neither, the kind of arrangement (the SEN2 `SEN_SETTING` code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    Urn(String),
    Ukprn(String),
    Kind(String),
}

/// One placement, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// 1 the main (primary) placement, 2 a secondary one at the same time (a dual
    /// placement): the return's PlacementRank has no other values.
    pub rank: i16,
    pub setting: Setting,
    /// Detail of the arrangement, for a setting given by its kind ("permanently excluded").
    pub setting_other: Option<String>,
    pub entry_on: NaiveDate,
    pub leaving_on: Option<NaiveDate>,
    pub sen_unit: bool,
    pub resourced_provision: bool,
    /// The SEN2 `RESIDENTIAL` code (38 to 51 weeks, 52 weeks); none when not residential.
    pub residential: Option<String>,
    /// The SEN2 `WORK_BASED_LEARNING` code (apprenticeship, traineeship, supported internship).
    pub work_based_learning: Option<String>,
}

impl Placement {
    /// Placed there on `day`: entered by then, and its leaving date (the last day there)
    /// not before it.
    pub fn on(&self, day: NaiveDate) -> bool {
        self.entry_on <= day && self.leaving_on.is_none_or(|l| l >= day)
    }
}

/// A placement as given (the API's input, an import row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlacementInput {
    pub rank: i32,
    pub urn: Option<String>,
    pub ukprn: Option<String>,
    pub sen_setting: Option<String>,
    pub sen_setting_other: Option<String>,
    pub entry_on: Option<NaiveDate>,
    pub leaving_on: Option<NaiveDate>,
    pub sen_unit: bool,
    pub resourced_provision: bool,
    pub residential: Option<String>,
    pub work_based_learning: Option<String>,
}

/// The code lists [`check_placements`] reads.
pub struct PlacementLists<'a> {
    pub sen_setting: &'a CodeList,
    pub residential: &'a CodeList,
    pub work_based_learning: &'a CodeList,
}

impl PlacementLists<'_> {
    pub const NAMES: [&'static str; 3] = ["SEN_SETTING", "RESIDENTIAL", "WORK_BASED_LEARNING"];
}

fn present(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn digits(raw: &str, n: usize) -> bool {
    raw.len() == n && raw.bytes().all(|b| b.is_ascii_digit())
}

fn invalid(n: usize, message: impl std::fmt::Display) -> InvalidField {
    InvalidField::new("placements", format!("placement {}: {message}", n + 1))
}

/// A plan's placements, replacing those held: each names one setting (a URN of 6 digits, a
/// UKPRN of 8 starting with 1, or a setting kind from the list, never two of them), a rank of
/// 1 or 2, an entry date and, when it ended, a leaving date not before it; codes from their
/// lists. Two placements of the same rank never overlap, and a placement of rank 2
/// has a main one beside it. Sorted by entry date, then rank.
pub fn check_placements(
    inputs: Vec<PlacementInput>,
    lists: &PlacementLists<'_>,
) -> Result<Vec<Placement>, InvalidField> {
    if inputs.len() > MAX_PLACEMENTS {
        return Err(InvalidField::new(
            "placements",
            format!("at most {MAX_PLACEMENTS} placements on one plan"),
        ));
    }
    let mut out = Vec::with_capacity(inputs.len());
    for (n, p) in inputs.into_iter().enumerate() {
        let rank = i16::try_from(p.rank)
            .ok()
            .filter(|r| (1..=2).contains(r))
            .ok_or_else(|| {
                invalid(
                    n,
                    "the rank is 1 for the main placement, 2 for a secondary one (SEN2 4.7d, 5.7d)",
                )
            })?;
        let urn = present(&p.urn);
        let ukprn = present(&p.ukprn);
        let kind = present(&p.sen_setting);
        let setting = match (urn, ukprn, kind) {
            (Some(urn), None, None) if digits(urn, 6) => Setting::Urn(urn.to_owned()),
            (Some(_), None, None) => {
                return Err(invalid(
                    n,
                    "a URN is the 6 digits of the setting's GIAS record",
                ));
            }
            (None, Some(ukprn), None) if digits(ukprn, 8) && ukprn.starts_with('1') => {
                Setting::Ukprn(ukprn.to_owned())
            }
            (None, Some(_), None) => {
                return Err(invalid(n, "a UKPRN is 8 digits starting with 1"));
            }
            (None, None, Some(kind)) => Setting::Kind(
                lists
                    .sen_setting
                    .check("placements", kind)
                    .map_err(|e| invalid(n, format!("the senSetting {}", e.message)))?,
            ),
            (None, None, None) => {
                return Err(invalid(
                    n,
                    "name the setting by its URN or UKPRN, or give the kind of arrangement \
                     (senSetting)",
                ));
            }
            _ => {
                return Err(invalid(
                    n,
                    "give only one of urn, ukprn and senSetting (SEN2 4.7 and 5.7)",
                ));
            }
        };
        let setting_other = present(&p.sen_setting_other).map(str::to_owned);
        if setting_other.is_some() && !matches!(setting, Setting::Kind(_)) {
            return Err(invalid(
                n,
                "senSettingOther describes an arrangement given by its kind (senSetting), not a \
                 named setting",
            ));
        }
        if setting_other
            .as_ref()
            .is_some_and(|o| o.chars().count() > 200)
        {
            return Err(invalid(n, "senSettingOther must be at most 200 characters"));
        }
        let entry_on = p
            .entry_on
            .ok_or_else(|| invalid(n, "the entry date is required"))?;
        if p.leaving_on.is_some_and(|l| l < entry_on) {
            return Err(invalid(
                n,
                "the leaving date must not be before the entry date",
            ));
        }
        let code = |list: &CodeList, raw: &Option<String>, what: &str| {
            present(raw)
                .map(|c| {
                    list.check("placements", c)
                        .map_err(|e| invalid(n, format!("{what} {}", e.message)))
                })
                .transpose()
        };
        out.push(Placement {
            rank,
            setting,
            setting_other,
            entry_on,
            leaving_on: p.leaving_on,
            sen_unit: p.sen_unit,
            resourced_provision: p.resourced_provision,
            residential: code(lists.residential, &p.residential, "residential")?,
            work_based_learning: code(
                lists.work_based_learning,
                &p.work_based_learning,
                "workBasedLearning",
            )?,
        });
    }
    out.sort_by_key(|p| (p.entry_on, p.rank));
    for (i, a) in out.iter().enumerate() {
        for b in &out[i + 1..] {
            // Leaving dates are the last day there: a move's next placement starts after.
            let overlap = b.entry_on <= a.leaving_on.unwrap_or(NaiveDate::MAX)
                && a.entry_on <= b.leaving_on.unwrap_or(NaiveDate::MAX);
            if a.rank == b.rank && overlap {
                return Err(InvalidField::new(
                    "placements",
                    format!(
                        "two placements of rank {} overlap (from {} and from {}): end the \
                         first before the second begins, or rank one of them 2",
                        a.rank, a.entry_on, b.entry_on
                    ),
                ));
            }
        }
        if a.rank > 1 && !main_throughout(&out, a.entry_on, a.leaving_on) {
            return Err(InvalidField::new(
                "placements",
                format!(
                    "the placement of rank {} from {} has no main placement (rank 1) beside it",
                    a.rank, a.entry_on
                ),
            ));
        }
    }
    Ok(out)
}

/// A main placement (rank 1) on every day from `first` to `last` (open-ended: for good),
/// one after another: walked from main placement to main placement.
fn main_throughout(placements: &[Placement], first: NaiveDate, last: Option<NaiveDate>) -> bool {
    let mut day = first;
    loop {
        let Some(main) = placements.iter().find(|m| m.rank == 1 && m.on(day)) else {
            return false;
        };
        match (main.leaving_on, last) {
            (None, _) => return true,
            (Some(left), Some(last)) if left >= last => return true,
            (Some(left), _) => match left.succ_opt() {
                Some(next) => day = next,
                None => return true,
            },
        }
    }
}

/// The plan's personal budget (SEN2 4.4): whether one was taken up, and how it is held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonalBudget {
    pub taken_up: bool,
    /// Held as organised arrangements (OA).
    pub organised_arrangements: bool,
    /// Paid directly, and for what: the SEN2 `DIRECT_PAYMENT` code.
    pub direct_payments: Option<String>,
}

impl PersonalBudget {
    /// Checked: organised arrangements and direct payments are parts of a budget taken up.
    pub fn checked(
        taken_up: bool,
        organised_arrangements: bool,
        direct_payments: Option<&str>,
        list: &CodeList,
    ) -> Result<Self, InvalidField> {
        let direct_payments = direct_payments
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|c| list.check("directPayments", c))
            .transpose()?;
        if !taken_up && (organised_arrangements || direct_payments.is_some()) {
            return Err(InvalidField::new(
                "takenUp",
                "organised arrangements and direct payments are parts of a personal budget: \
                 set takenUp, or clear them",
            ));
        }
        Ok(Self {
            taken_up,
            organised_arrangements,
            direct_payments,
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
                .map(|c| (c.to_string(), c.to_string()))
                .collect(),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn check(inputs: Vec<PlacementInput>) -> Result<Vec<Placement>, String> {
        let (s, r, w) = (
            list("SEN_SETTING", &["OLA", "NIEO", "EHE"]),
            list("RESIDENTIAL", &["A", "B"]),
            list("WORK_BASED_LEARNING", &["A", "T", "S"]),
        );
        check_placements(
            inputs,
            &PlacementLists {
                sen_setting: &s,
                residential: &r,
                work_based_learning: &w,
            },
        )
        .map_err(|e| e.message)
    }

    fn at(urn: &str, rank: i32, from: NaiveDate, to: Option<NaiveDate>) -> PlacementInput {
        PlacementInput {
            rank,
            urn: Some(urn.into()),
            entry_on: Some(from),
            leaving_on: to,
            ..Default::default()
        }
    }

    #[test]
    fn a_placement_names_one_setting_by_urn_ukprn_or_kind() {
        let ok = check(vec![
            at("100001", 1, d(2024, 9, 1), Some(d(2025, 7, 22))),
            PlacementInput {
                rank: 1,
                ukprn: Some("10012345".into()),
                entry_on: Some(d(2025, 9, 3)),
                residential: Some("b".into()),
                work_based_learning: Some("S".into()),
                ..Default::default()
            },
        ])
        .unwrap();
        assert_eq!(ok[1].setting, Setting::Ukprn("10012345".into()));
        assert_eq!(ok[1].residential.as_deref(), Some("B"));
        let kind = check(vec![PlacementInput {
            rank: 1,
            sen_setting: Some("nieo".into()),
            sen_setting_other: Some("permanently excluded".into()),
            entry_on: Some(d(2025, 1, 6)),
            ..Default::default()
        }])
        .unwrap();
        assert_eq!(kind[0].setting, Setting::Kind("NIEO".into()));

        for (input, says) in [
            (at("10001", 1, d(2025, 1, 1), None), "6 digits"),
            (
                PlacementInput {
                    ukprn: Some("20012345".into()),
                    ..at("", 1, d(2025, 1, 1), None)
                },
                "8 digits starting with 1",
            ),
            (
                PlacementInput {
                    ukprn: Some("10012345".into()),
                    ..at("100001", 1, d(2025, 1, 1), None)
                },
                "only one of urn, ukprn and senSetting",
            ),
            (at("", 1, d(2025, 1, 1), None), "by its URN or UKPRN"),
            (
                PlacementInput {
                    sen_setting: Some("SCHOOL".into()),
                    ..at("", 1, d(2025, 1, 1), None)
                },
                "not a code of the SEN2 SEN_SETTING list",
            ),
            (
                PlacementInput {
                    sen_setting_other: Some("x".into()),
                    ..at("100001", 1, d(2025, 1, 1), None)
                },
                "not a named setting",
            ),
            (at("100001", 0, d(2025, 1, 1), None), "the rank is 1"),
            (
                at("100001", 3, d(2025, 1, 1), None),
                "2 for a secondary one",
            ),
            (
                PlacementInput {
                    entry_on: None,
                    ..at("100001", 1, d(2025, 1, 1), None)
                },
                "entry date is required",
            ),
            (
                at("100001", 1, d(2025, 1, 1), Some(d(2024, 12, 31))),
                "not be before the entry date",
            ),
            (
                PlacementInput {
                    residential: Some("C".into()),
                    ..at("100001", 1, d(2025, 1, 1), None)
                },
                "residential is not a code of the SEN2 RESIDENTIAL list",
            ),
        ] {
            let err = check(vec![input.clone()]).expect_err(says);
            assert!(err.starts_with("placement 1: "), "{err}");
            assert!(err.contains(says), "{input:?}: {err}");
        }
    }

    #[test]
    fn placements_of_one_rank_follow_each_other_and_a_second_has_a_main_one_beside_it() {
        // A move the day after the last placement's last day, and a dual placement beside the
        // new one.
        let ok = check(vec![
            at("100002", 1, d(2025, 9, 1), None),
            at("100001", 1, d(2024, 9, 1), Some(d(2025, 8, 31))),
            at("100003", 2, d(2025, 9, 1), None),
        ])
        .unwrap();
        assert_eq!(
            ok.iter().map(|p| p.entry_on).collect::<Vec<_>>(),
            [d(2024, 9, 1), d(2025, 9, 1), d(2025, 9, 1)]
        );
        let err = check(vec![
            at("100001", 1, d(2024, 9, 1), None),
            at("100002", 1, d(2025, 9, 1), None),
        ])
        .unwrap_err();
        assert!(err.contains("two placements of rank 1 overlap"), "{err}");
        // The leaving date is the last day there: the next one cannot start on it.
        let err = check(vec![
            at("100001", 1, d(2024, 9, 1), Some(d(2025, 9, 1))),
            at("100002", 1, d(2025, 9, 1), None),
        ])
        .unwrap_err();
        assert!(err.contains("overlap"), "{err}");
        // A secondary placement may not outlast the main one.
        let err = check(vec![
            at("100001", 1, d(2024, 9, 1), Some(d(2025, 7, 1))),
            at("100003", 2, d(2024, 9, 1), None),
        ])
        .unwrap_err();
        assert!(err.contains("no main placement"), "{err}");
        // Nor go on through a gap between two main ones.
        let err = check(vec![
            at("100001", 1, d(2024, 9, 1), Some(d(2025, 1, 31))),
            at("100002", 1, d(2025, 6, 1), None),
            at("100003", 2, d(2024, 9, 1), None),
        ])
        .unwrap_err();
        assert!(err.contains("no main placement"), "{err}");
        // Beside one main placement and then the next, with no gap, it may.
        assert!(
            check(vec![
                at("100001", 1, d(2024, 9, 1), Some(d(2025, 5, 31))),
                at("100002", 1, d(2025, 6, 1), None),
                at("100003", 2, d(2024, 9, 1), None),
            ])
            .is_ok()
        );
        let err = check(vec![
            at("100001", 1, d(2024, 9, 1), Some(d(2025, 7, 1))),
            at("100003", 2, d(2025, 9, 1), None),
        ])
        .unwrap_err();
        assert!(err.contains("no main placement"), "{err}");
    }

    #[test]
    fn a_personal_budget_holds_organised_arrangements_and_direct_payments() {
        let dp = list("DIRECT_PAYMENT", &["E", "S", "H", "I"]);
        let b = PersonalBudget::checked(true, true, Some("i"), &dp).unwrap();
        assert_eq!(b.direct_payments.as_deref(), Some("I"));
        assert!(PersonalBudget::checked(false, false, None, &dp).is_ok());
        let err = PersonalBudget::checked(false, true, None, &dp).unwrap_err();
        assert_eq!(err.field, "takenUp");
        let err = PersonalBudget::checked(true, false, Some("X"), &dp).unwrap_err();
        assert_eq!(err.field, "directPayments");
    }
}
