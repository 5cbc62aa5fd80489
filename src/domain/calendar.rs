//! Calendar arithmetic for statutory time limits.
//!
//! "Within N weeks of X" is X + 7·N days; "15 days" are calendar days; "within 12 months of X"
//! is the same day-of-month a year later, clamped to the month end (29 Feb → 28 Feb).
//! Every function saturates at chrono's supported range instead of panicking: a stray date in
//! the year 262,000 must not bring a request down.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// `d` plus `n` calendar days (`n` may be negative).
pub fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    let days = Days::new(n.unsigned_abs());
    if n >= 0 {
        d.checked_add_days(days).unwrap_or(NaiveDate::MAX)
    } else {
        d.checked_sub_days(days).unwrap_or(NaiveDate::MIN)
    }
}

/// `d` plus `n` weeks: "within N weeks of X" is due on X + 7·N days.
pub fn add_weeks(d: NaiveDate, n: u32) -> NaiveDate {
    add_days(d, 7 * i64::from(n))
}

/// The same day-of-month `n` months later, clamped to the last day of a shorter month:
/// 31 Jan + 1 month = 28 Feb (29 Feb in a leap year); 29 Feb + 12 months = 28 Feb.
pub fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n))
        .unwrap_or(NaiveDate::MAX)
}

/// The same day-of-month `n` months earlier, clamped to the month end: 31 Jul − 5 months =
/// 28 Feb (29 Feb in a leap year).
pub fn sub_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(n))
        .unwrap_or(NaiveDate::MIN)
}

/// The `n`th working day after `d` (Monday to Friday; `d` itself is never counted, and
/// `n = 0` returns `d` unchanged).
///
/// Bank holidays are NOT modelled: 25 December or a bank holiday Monday counts as a working
/// day. Callers that need them (e.g. the 15 working days to transfer a plan, reg 15) must
/// adjust with the LA's own holiday list.
pub fn add_working_days(d: NaiveDate, n: u32) -> NaiveDate {
    if n == 0 {
        return d;
    }
    // The working days after a weekend day are those after the Friday before it.
    let mut day = match d.weekday() {
        Weekday::Sat => add_days(d, -1),
        Weekday::Sun => add_days(d, -2),
        _ => d,
    };
    // Whole weeks from a weekday land on the same weekday, five working days on.
    day = add_weeks(day, n / 5);
    let mut remaining = n % 5;
    while remaining > 0 {
        day = add_days(day, 1);
        if is_working_day(day) {
            remaining -= 1;
        }
    }
    day
}

/// Monday to Friday (bank holidays are not modelled).
pub fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A date as letters to parents write it: "21 March 2026".
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn add_days_crosses_month_year_and_leap_day() {
        let cases = [
            (d(2025, 12, 31), 1, d(2026, 1, 1)),
            (d(2026, 1, 6), 15, d(2026, 1, 21)),
            (d(2028, 2, 28), 1, d(2028, 2, 29)),
            (d(2028, 3, 1), -1, d(2028, 2, 29)),
            (d(2026, 3, 1), -1, d(2026, 2, 28)),
            (d(2025, 11, 30), 31, d(2025, 12, 31)),
            (d(2026, 5, 26), 0, d(2026, 5, 26)),
        ];
        for (from, n, expected) in cases {
            assert_eq!(add_days(from, n), expected, "{from} + {n} days");
        }
    }

    #[test]
    fn add_days_saturates_instead_of_panicking() {
        assert_eq!(add_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(add_days(NaiveDate::MIN, -1), NaiveDate::MIN);
        assert_eq!(add_days(d(2026, 1, 6), i64::MAX), NaiveDate::MAX);
        assert_eq!(add_days(d(2026, 1, 6), i64::MIN), NaiveDate::MIN);
    }

    #[test]
    fn add_weeks_is_seven_days_per_week() {
        let cases = [
            (d(2026, 1, 6), 6, d(2026, 2, 17)),
            (d(2026, 1, 6), 16, d(2026, 4, 28)),
            (d(2026, 1, 6), 20, d(2026, 5, 26)),
            (d(2025, 12, 31), 6, d(2026, 2, 11)),
            (d(2025, 11, 30), 16, d(2026, 3, 22)),
            (d(2028, 2, 29), 20, d(2028, 7, 18)),
            (d(2026, 1, 6), 0, d(2026, 1, 6)),
        ];
        for (from, n, expected) in cases {
            assert_eq!(add_weeks(from, n), expected, "{from} + {n} weeks");
        }
    }

    #[test]
    fn add_months_keeps_day_of_month_and_clamps_to_month_end() {
        let cases = [
            (d(2026, 1, 31), 1, d(2026, 2, 28)),
            (d(2028, 1, 31), 1, d(2028, 2, 29)),
            (d(2028, 2, 29), 12, d(2029, 2, 28)),
            (d(2028, 2, 29), 48, d(2032, 2, 29)),
            (d(2025, 11, 30), 3, d(2026, 2, 28)),
            (d(2025, 12, 31), 2, d(2026, 2, 28)),
            (d(2026, 8, 31), 1, d(2026, 9, 30)),
            (d(2025, 12, 31), 12, d(2026, 12, 31)),
            (d(2026, 6, 15), 0, d(2026, 6, 15)),
        ];
        for (from, n, expected) in cases {
            assert_eq!(add_months(from, n), expected, "{from} + {n} months");
        }
    }

    #[test]
    fn sub_months_keeps_day_of_month_and_clamps_to_month_end() {
        let cases = [
            (d(2027, 7, 31), 5, d(2027, 2, 28)),
            (d(2028, 7, 31), 5, d(2028, 2, 29)),
            (d(2027, 9, 1), 5, d(2027, 4, 1)),
            (d(2027, 1, 15), 5, d(2026, 8, 15)),
        ];
        for (from, n, expected) in cases {
            assert_eq!(sub_months(from, n), expected, "{from} - {n} months");
        }
        assert_eq!(sub_months(NaiveDate::MIN, 1), NaiveDate::MIN);
    }

    #[test]
    fn add_months_saturates_at_the_end_of_time() {
        assert_eq!(add_months(NaiveDate::MAX, 1), NaiveDate::MAX);
    }

    #[test]
    fn add_working_days_skips_weekends_only() {
        // 1 Jan 2026 is a Thursday, so 5 Jan 2026 is a Monday.
        let cases = [
            (d(2026, 1, 5), 1, d(2026, 1, 6)),   // Mon → Tue
            (d(2026, 1, 8), 3, d(2026, 1, 13)),  // Thu → Tue
            (d(2026, 1, 9), 1, d(2026, 1, 12)),  // Fri → Mon
            (d(2026, 1, 9), 5, d(2026, 1, 16)),  // Fri → Fri
            (d(2026, 1, 10), 1, d(2026, 1, 12)), // Sat → Mon
            (d(2026, 1, 11), 5, d(2026, 1, 16)), // Sun → Fri
            (d(2026, 1, 7), 15, d(2026, 1, 28)), // three whole weeks
            (d(2026, 1, 10), 0, d(2026, 1, 10)), // zero days: unchanged, even on a Saturday
            (d(2025, 12, 31), 2, d(2026, 1, 2)), // 1 Jan counts: bank holidays not modelled
            (d(2028, 2, 25), 3, d(2028, 3, 1)),  // Fri → Mon 28, Tue 29 Feb, Wed 1 Mar
        ];
        for (from, n, expected) in cases {
            assert_eq!(
                add_working_days(from, n),
                expected,
                "{from} + {n} working days"
            );
        }
    }

    #[test]
    fn working_days_are_monday_to_friday() {
        assert!(is_working_day(d(2026, 1, 5)));
        assert!(is_working_day(d(2026, 1, 9)));
        assert!(!is_working_day(d(2026, 1, 10)));
        assert!(!is_working_day(d(2026, 1, 11)));
    }

    #[test]
    fn long_date_reads_as_a_letter_would() {
        assert_eq!(long_date(d(2026, 3, 21)), "21 March 2026");
        assert_eq!(long_date(d(2026, 1, 1)), "1 January 2026");
        assert_eq!(long_date(d(2028, 2, 29)), "29 February 2028");
    }
}
