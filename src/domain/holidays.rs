//! Bank holidays in England and Wales, as data.
//!
//! The list is GOV.UK's own, in the format of <https://www.gov.uk/bank-holidays.json>: only the
//! `england-and-wales` division is read (Scotland and Northern Ireland have other days). A copy
//! ships inside the binary (`data/bank-holidays.json`), so there is always a list, and a council
//! can replace it without a release by saving the current GOV.UK file and calling [`install`]
//! at start-up.
//!
//! The shipped copy holds 2018 to 2027 as GOV.UK published them (substitute days, the 2020 VE
//! day move, the 2022 Platinum Jubilee and State Funeral, the 2023 Coronation), and 2028 worked
//! out from the usual rules because GOV.UK had not yet published it. A date outside the list's
//! years has no bank holidays: only weekends are days off there.
//!
//! "Bank holiday" here is the BFDA 1971 s.1 sense (Schedule 1 days and days appointed by
//! proclamation); GOV.UK's list also carries Christmas Day and Good Friday, which the statutes
//! that count "working days" exclude by name, so one list answers both.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock, RwLock};

use chrono::NaiveDate;
use serde::Deserialize;

/// The list shipped with this release: GOV.UK's `bank-holidays.json`, England and Wales only.
pub const DEFAULT_JSON: &str = include_str!("../../data/bank-holidays.json");

/// The division of GOV.UK's document that applies to English councils.
pub const DIVISION: &str = "england-and-wales";

/// A set of bank holidays, sorted by date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankHolidays {
    dates: BTreeSet<NaiveDate>,
}

#[derive(Deserialize)]
struct Document {
    #[serde(rename = "england-and-wales")]
    england_and_wales: Option<Division>,
}

#[derive(Deserialize)]
struct Division {
    division: Option<String>,
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    title: String,
    date: String,
}

impl BankHolidays {
    /// Reads GOV.UK's `bank-holidays.json` (its `england-and-wales` division; other divisions
    /// and the `notes` and `bunting` fields are ignored). Refuses a document that is not that
    /// format, has a date that is not `YYYY-MM-DD`, or lists no dates at all: an empty list
    /// would quietly make every weekday a working day.
    pub fn parse(json: &str) -> Result<Self, String> {
        let document: Document = serde_json::from_str(json)
            .map_err(|e| format!("bank holidays: not GOV.UK's bank-holidays.json ({e})"))?;
        let division = document
            .england_and_wales
            .ok_or_else(|| format!("bank holidays: the document has no \"{DIVISION}\" division"))?;
        if let Some(name) = division.division.as_deref()
            && name != DIVISION
        {
            return Err(format!(
                "bank holidays: the \"{DIVISION}\" entry says it is the \"{name}\" division"
            ));
        }
        let mut dates = BTreeSet::new();
        for event in &division.events {
            let date = NaiveDate::parse_from_str(&event.date, "%Y-%m-%d").map_err(|_| {
                format!(
                    "bank holidays: \"{}\" ({}) is not a YYYY-MM-DD date",
                    event.date, event.title
                )
            })?;
            dates.insert(date);
        }
        if dates.is_empty() {
            return Err(format!(
                "bank holidays: the \"{DIVISION}\" division lists no dates"
            ));
        }
        Ok(Self { dates })
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.dates.contains(&d)
    }

    /// The first bank holiday strictly after `d`, if the list has one.
    pub fn next_after(&self, d: NaiveDate) -> Option<NaiveDate> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.dates.range((Excluded(d), Unbounded)).next().copied()
    }

    /// The earliest and latest dates listed: the years the list covers.
    pub fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((*self.dates.first()?, *self.dates.last()?))
    }

    pub fn len(&self) -> usize {
        self.dates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.dates.iter().copied()
    }
}

/// A replaceable list: the process holds one (see [`install`]); tests make their own.
struct Installed(RwLock<Arc<BankHolidays>>);

impl Installed {
    fn new(list: BankHolidays) -> Self {
        Self(RwLock::new(Arc::new(list)))
    }

    fn current(&self) -> Arc<BankHolidays> {
        // A writer only swaps one Arc for another, so a poisoned lock still holds a whole list.
        Arc::clone(&self.0.read().unwrap_or_else(|e| e.into_inner()))
    }

    fn install(&self, json: &str) -> Result<(), String> {
        let list = Arc::new(BankHolidays::parse(json)?);
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = list;
        Ok(())
    }
}

fn installed() -> &'static Installed {
    static LIST: OnceLock<Installed> = OnceLock::new();
    LIST.get_or_init(|| {
        Installed::new(
            BankHolidays::parse(DEFAULT_JSON).expect("data/bank-holidays.json parses (tested)"),
        )
    })
}

/// Replaces the bank holidays for the whole process with GOV.UK's `bank-holidays.json` given as
/// `json` (the `england-and-wales` division).
///
/// Called at start-up when the setting `EHCP_BANK_HOLIDAYS_FILE` names a file, so a council can
/// add a newly announced bank holiday, or next years' list, without waiting for a release. On
/// an error the list in use is left as it was. Installing the same content again changes
/// nothing, so calling it twice is harmless.
pub fn install(json: &str) -> Result<(), String> {
    installed().install(json)
}

/// The list in use: the shipped one, or the one last [`install`]ed. A snapshot: a caller that
/// counts many days reads one list throughout.
pub fn current() -> Arc<BankHolidays> {
    installed().current()
}

/// Whether `d` is a bank holiday in England and Wales (in the list in use).
pub fn is_bank_holiday(d: NaiveDate) -> bool {
    installed()
        .0
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .contains(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Weekday};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn shipped() -> BankHolidays {
        BankHolidays::parse(DEFAULT_JSON).expect("the shipped list parses")
    }

    fn one_day_json(date: &str) -> String {
        format!(
            r#"{{"england-and-wales":{{"division":"england-and-wales","events":[
                {{"title":"Extra day","date":"{date}","notes":"","bunting":true}}]}}}}"#
        )
    }

    #[test]
    fn the_shipped_list_covers_2018_to_2028_with_every_usual_holiday() {
        let list = shipped();
        assert_eq!(list.span(), Some((d(2018, 1, 1), d(2028, 12, 26))));
        for year in 2018..=2028 {
            let in_year = list.iter().filter(|h| h.year() == year).count();
            // Eight a year; 2022 had ten (Jubilee, State Funeral), 2023 nine (Coronation).
            let expected = match year {
                2022 => 10,
                2023 => 9,
                _ => 8,
            };
            assert_eq!(in_year, expected, "{year}");
        }
    }

    #[test]
    fn every_shipped_bank_holiday_falls_on_a_weekday() {
        // GOV.UK lists the substitute Monday or Tuesday, never the weekend day itself.
        for h in shipped().iter() {
            assert!(
                !matches!(h.weekday(), Weekday::Sat | Weekday::Sun),
                "{h} is a {}",
                h.weekday()
            );
        }
    }

    #[test]
    fn easter_substitute_days_and_one_off_days_are_listed() {
        let list = shipped();
        let listed = [
            (d(2025, 4, 18), "Good Friday 2025"),
            (d(2025, 4, 21), "Easter Monday 2025"),
            (d(2027, 3, 26), "Good Friday 2027"),
            (d(2021, 12, 27), "Christmas Day 2021 (substitute)"),
            (d(2021, 12, 28), "Boxing Day 2021 (substitute)"),
            (d(2022, 1, 3), "New Year's Day 2022 (substitute)"),
            (d(2022, 12, 26), "Boxing Day 2022"),
            (d(2022, 12, 27), "Christmas Day 2022 (substitute)"),
            (d(2020, 5, 8), "Early May 2020, moved to VE day"),
            (d(2022, 6, 2), "Spring 2022, moved"),
            (d(2022, 6, 3), "Platinum Jubilee"),
            (d(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
            (d(2023, 5, 8), "Coronation of King Charles III"),
            (d(2026, 12, 28), "Boxing Day 2026 (substitute)"),
        ];
        for (day, what) in listed {
            assert!(list.contains(day), "{what}: {day}");
            assert!(is_bank_holiday(day), "{what}: {day}");
        }
        let not_listed = [
            (
                d(2020, 5, 4),
                "first Monday of May 2020: the holiday moved to the 8th",
            ),
            (
                d(2022, 5, 30),
                "last Monday of May 2022: the holiday moved to 2 June",
            ),
            (d(2021, 12, 24), "Christmas Eve"),
            (
                d(2022, 12, 25),
                "Christmas Day 2022 is a Sunday: the 27th is the holiday",
            ),
            (d(2025, 4, 22), "the Tuesday after Easter"),
        ];
        for (day, what) in not_listed {
            assert!(!list.contains(day), "{what}: {day}");
            assert!(!is_bank_holiday(day), "{what}: {day}");
        }
    }

    #[test]
    fn the_parser_reads_the_gov_uk_document_and_ignores_other_divisions() {
        let json = r#"{
            "england-and-wales": {"division": "england-and-wales", "events": [
                {"title": "Boxing Day", "date": "2026-12-28", "notes": "Substitute day", "bunting": true},
                {"title": "Christmas Day", "date": "2026-12-25", "notes": "", "bunting": true}
            ]},
            "scotland": {"division": "scotland", "events": [
                {"title": "St Andrew’s Day", "date": "2026-11-30", "notes": "", "bunting": true}
            ]}
        }"#;
        let list = BankHolidays::parse(json).expect("parses");
        assert_eq!(
            list.iter().collect::<Vec<_>>(),
            [d(2026, 12, 25), d(2026, 12, 28)],
            "sorted, Scotland's day left out"
        );
        assert_eq!(list.next_after(d(2026, 12, 25)), Some(d(2026, 12, 28)));
        assert_eq!(list.next_after(d(2026, 12, 24)), Some(d(2026, 12, 25)));
        assert_eq!(list.next_after(d(2026, 12, 28)), None);
    }

    #[test]
    fn the_parser_refuses_what_is_not_a_usable_list() {
        let refused = [
            ("not json", "not GOV.UK's bank-holidays.json"),
            (r#"["2026-12-25"]"#, "not GOV.UK's bank-holidays.json"),
            (
                r#"{"scotland":{"division":"scotland","events":[{"date":"2026-11-30"}]}}"#,
                "no \"england-and-wales\" division",
            ),
            (
                r#"{"england-and-wales":{"division":"scotland","events":[{"date":"2026-11-30"}]}}"#,
                "says it is the \"scotland\" division",
            ),
            (
                r#"{"england-and-wales":{"division":"england-and-wales","events":[{"title":"Christmas Day","date":"25/12/2026"}]}}"#,
                "\"25/12/2026\" (Christmas Day) is not a YYYY-MM-DD date",
            ),
            (
                r#"{"england-and-wales":{"division":"england-and-wales","events":[{"date":"2026-02-30"}]}}"#,
                "is not a YYYY-MM-DD date",
            ),
            (
                r#"{"england-and-wales":{"division":"england-and-wales","events":[]}}"#,
                "lists no dates",
            ),
        ];
        for (json, message) in refused {
            let error = BankHolidays::parse(json).expect_err(json);
            assert!(error.contains(message), "{json}: {error}");
        }
    }

    #[test]
    fn installing_a_list_replaces_the_one_in_use() {
        // A private list, so tests running alongside keep the shipped days.
        let list = Installed::new(shipped());
        assert!(!list.current().contains(d(2026, 6, 5)));
        let before = list.current();

        list.install(&one_day_json("2026-06-05")).expect("installs");
        assert!(list.current().contains(d(2026, 6, 5)));
        assert!(
            !list.current().contains(d(2025, 12, 25)),
            "replaced, not added to"
        );
        assert!(
            before.contains(d(2025, 12, 25)),
            "a snapshot taken before keeps its list"
        );

        let error = list.install("{}").expect_err("refused");
        assert!(
            error.contains("no \"england-and-wales\" division"),
            "{error}"
        );
        assert!(
            list.current().contains(d(2026, 6, 5)),
            "a refused list leaves the one in use"
        );

        list.install(DEFAULT_JSON).expect("installs");
        assert_eq!(*list.current(), shipped());
    }

    #[test]
    fn installing_the_shipped_list_again_changes_nothing() {
        // The process-wide list: installing the same content is idempotent, and a refused
        // document leaves it alone, so this is safe beside the other tests.
        let before = current();
        install(DEFAULT_JSON).expect("installs");
        install(DEFAULT_JSON).expect("installs twice");
        assert_eq!(*current(), *before);
        assert!(install("not json").is_err());
        assert_eq!(*current(), *before);
        assert!(is_bank_holiday(d(2025, 4, 18)));
    }
}
