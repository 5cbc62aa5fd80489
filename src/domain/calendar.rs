//! Calendar arithmetic for statutory time limits.
//!
//! "Within N weeks of X" is X + 7·N days; "15 days" are calendar days; "within 12 months of X"
//! is the same day-of-month a year later, clamped to the month end (29 Feb → 28 Feb).
//! A working day is Monday to Friday and not a bank holiday in England and Wales (the list in
//! [`super::holidays`]: Christmas Day, Good Friday, substitute days and one-off days included).
//! "N working days beginning with X" counts X as the first if it is a working day
//! ([`working_days_beginning_with`]); "N working days after X" starts counting the day after
//! ([`add_working_days`]).
//! Every function saturates at chrono's supported range instead of panicking: a stray date in
//! the year 262,000 must not bring a request down.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::holidays::{self, BankHolidays};

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

/// The `n`th working day after `d`: `d` itself is never counted, and `n = 0` returns `d`
/// unchanged. Weekends and bank holidays in England and Wales are skipped.
pub fn add_working_days(d: NaiveDate, n: u32) -> NaiveDate {
    nth_working_day_after(&holidays::current(), d, n)
}

/// The last of `n` working days beginning with `d`: `d` is day 1 if it is a working day,
/// otherwise day 1 is the next working day. `n = 1` on a working day is `d` itself; from a
/// Saturday it is the Monday (or the Tuesday after a bank holiday Monday). There is no day 0:
/// `n = 0` returns `d` unchanged.
pub fn working_days_beginning_with(d: NaiveDate, n: u32) -> NaiveDate {
    if n == 0 {
        return d;
    }
    let holidays = holidays::current();
    let after = if working_day_in(&holidays, d) {
        n - 1
    } else {
        n
    };
    nth_working_day_after(&holidays, d, after)
}

/// Monday to Friday, and not a bank holiday in England and Wales.
pub fn is_working_day(d: NaiveDate) -> bool {
    working_day_in(&holidays::current(), d)
}

fn working_day_in(holidays: &BankHolidays, d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(d)
}

/// Counts one list throughout. Day by day near a bank holiday; elsewhere whole weeks at a time
/// (any 7 days in a row hold exactly 5 weekdays), so a huge `n` or a date far from the listed
/// years costs no more than the holidays in between.
fn nth_working_day_after(holidays: &BankHolidays, d: NaiveDate, n: u32) -> NaiveDate {
    let mut day = d;
    let mut remaining = n;
    while remaining > 0 {
        if day == NaiveDate::MAX {
            return day;
        }
        // Keep at least one working day to step to, so a jump never ends on a weekend.
        let mut weeks = (remaining - 1) / 5;
        if let Some(next_holiday) = holidays.next_after(day) {
            // Whole weeks that end before the next bank holiday.
            let clear_days = (next_holiday - day).num_days() - 1;
            weeks = weeks.min(u32::try_from(clear_days / 7).unwrap_or(u32::MAX));
        }
        if weeks > 0 {
            day = add_weeks(day, weeks);
            remaining -= 5 * weeks;
        } else {
            day = add_days(day, 1);
            if working_day_in(holidays, day) {
                remaining -= 1;
            }
        }
    }
    day
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
    fn add_working_days_skips_weekends_and_bank_holidays() {
        // 1 Jan 2026 is a Thursday, so 5 Jan 2026 is a Monday.
        let cases = [
            (d(2026, 1, 5), 1, d(2026, 1, 6)),     // Mon → Tue
            (d(2026, 1, 8), 3, d(2026, 1, 13)),    // Thu → Tue
            (d(2026, 1, 9), 1, d(2026, 1, 12)),    // Fri → Mon
            (d(2026, 1, 9), 5, d(2026, 1, 16)),    // Fri → Fri
            (d(2026, 1, 10), 1, d(2026, 1, 12)),   // Sat → Mon
            (d(2026, 1, 11), 5, d(2026, 1, 16)),   // Sun → Fri
            (d(2026, 1, 7), 15, d(2026, 1, 28)),   // three whole weeks
            (d(2026, 1, 10), 0, d(2026, 1, 10)),   // zero days: unchanged, even on a Saturday
            (d(2025, 12, 31), 2, d(2026, 1, 5)),   // 1 Jan is a bank holiday: Fri 2, Mon 5
            (d(2028, 2, 25), 3, d(2028, 3, 1)),    // Fri → Mon 28, Tue 29 Feb, Wed 1 Mar
            (d(2025, 4, 17), 1, d(2025, 4, 22)),   // Thu before Easter → Tue after it
            (d(2025, 4, 17), 5, d(2025, 4, 28)),   // Tue 22 … Fri 25, Mon 28
            (d(2025, 12, 24), 1, d(2025, 12, 29)), // Christmas and Boxing Day, then a weekend
            (d(2021, 12, 24), 1, d(2021, 12, 29)), // substitute days Mon 27 and Tue 28
            (d(2022, 12, 23), 1, d(2022, 12, 28)), // Boxing Day and the substitute Tue 27
            (d(2022, 9, 16), 1, d(2022, 9, 20)),   // the State Funeral, Mon 19 Sep 2022
            (d(2023, 5, 5), 1, d(2023, 5, 9)),     // the Coronation, Mon 8 May 2023
            (d(2022, 6, 1), 1, d(2022, 6, 6)),     // Thu 2 and Fri 3 June 2022
            (d(2020, 5, 7), 1, d(2020, 5, 11)),    // VE day, Fri 8 May 2020
            (d(2020, 5, 1), 1, d(2020, 5, 4)),     // … so Mon 4 May 2020 was a working day
            (d(2026, 3, 2), 20, d(2026, 3, 30)),   // four whole weeks, clear of Easter
            (d(2026, 3, 2), 25, d(2026, 4, 8)),    // across Good Friday and Easter Monday 2026
        ];
        for (from, n, expected) in cases {
            assert_eq!(
                add_working_days(from, n),
                expected,
                "{from} + {n} working days"
            );
        }
    }

    /// The slow, obvious count, to check the whole-week jumps against.
    fn stepping(from: NaiveDate, n: u32) -> NaiveDate {
        let mut day = from;
        let mut remaining = n;
        while remaining > 0 {
            day = add_days(day, 1);
            if is_working_day(day) {
                remaining -= 1;
            }
        }
        day
    }

    #[test]
    fn add_working_days_agrees_with_counting_one_day_at_a_time() {
        // Every start from Christmas 2017 to 2029 (past the end of the list), every few days.
        let mut from = d(2017, 12, 20);
        while from < d(2029, 3, 1) {
            for n in [0, 1, 2, 4, 5, 6, 9, 10, 11, 15, 20, 23, 64, 260] {
                assert_eq!(add_working_days(from, n), stepping(from, n), "{from} + {n}");
            }
            from = add_days(from, 3);
        }
    }

    #[test]
    fn add_working_days_saturates_and_stays_quick_far_from_the_list() {
        assert_eq!(add_working_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(
            add_working_days(add_days(NaiveDate::MAX, -3), 10),
            NaiveDate::MAX
        );
        assert_eq!(add_working_days(NaiveDate::MIN, u32::MAX), NaiveDate::MAX);
        // Whole weeks far after the listed years: 5 working days a week, nothing else.
        assert_eq!(add_working_days(d(3000, 1, 6), 50), d(3000, 3, 17));
    }

    #[test]
    fn working_days_are_monday_to_friday_except_bank_holidays() {
        assert!(is_working_day(d(2026, 1, 5)));
        assert!(is_working_day(d(2026, 1, 9)));
        assert!(!is_working_day(d(2026, 1, 10)));
        assert!(!is_working_day(d(2026, 1, 11)));
        let holidays = [
            d(2025, 4, 18),  // Good Friday 2025
            d(2025, 4, 21),  // Easter Monday 2025
            d(2021, 12, 27), // Christmas Day 2021, substitute
            d(2021, 12, 28), // Boxing Day 2021, substitute
            d(2022, 12, 26), // Boxing Day 2022
            d(2022, 12, 27), // Christmas Day 2022, substitute
            d(2022, 9, 19),  // State Funeral of Queen Elizabeth II
            d(2023, 5, 8),   // Coronation of King Charles III
            d(2022, 6, 3),   // Platinum Jubilee
            d(2020, 5, 8),   // VE day: the early May bank holiday moved
            d(2026, 1, 1),   // New Year's Day
        ];
        for day in holidays {
            assert!(!is_working_day(day), "{day} is a bank holiday");
        }
        for day in [
            d(2025, 4, 17),
            d(2025, 4, 22),
            d(2020, 5, 4),
            d(2022, 5, 30),
        ] {
            assert!(is_working_day(day), "{day} is a working day");
        }
    }

    #[test]
    fn working_days_beginning_with_counts_the_first_day_if_it_is_one() {
        let cases = [
            // n = 1 on a working day is that day.
            (d(2026, 1, 7), 1, d(2026, 1, 7)),
            (d(2026, 1, 5), 5, d(2026, 1, 9)), // Mon … Fri
            (d(2026, 1, 5), 15, d(2026, 1, 23)),
            // From the Thursday before Easter 2025: Thu 17, then Tue 22 (Good Friday and Easter
            // Monday are not working days).
            (d(2025, 4, 17), 1, d(2025, 4, 17)),
            (d(2025, 4, 17), 2, d(2025, 4, 22)),
            (d(2025, 4, 17), 3, d(2025, 4, 23)),
            (d(2025, 4, 17), 15, d(2025, 5, 12)), // Mon 5 May 2025 is a bank holiday too
            // From a Saturday: day 1 is the Monday, or the Tuesday after a bank holiday Monday.
            (d(2026, 1, 10), 1, d(2026, 1, 12)),
            (d(2026, 1, 10), 5, d(2026, 1, 16)),
            (d(2025, 4, 19), 1, d(2025, 4, 22)),
            (d(2025, 4, 18), 1, d(2025, 4, 22)), // from Good Friday itself
            // Christmas Eve 2025 (Wed): 24, then 29, 30.
            (d(2025, 12, 24), 3, d(2025, 12, 30)),
            (d(2026, 1, 10), 0, d(2026, 1, 10)), // no day 0: unchanged
        ];
        for (from, n, expected) in cases {
            assert_eq!(
                working_days_beginning_with(from, n),
                expected,
                "{n} working days beginning with {from}"
            );
        }
        assert_eq!(
            working_days_beginning_with(NaiveDate::MAX, 2),
            NaiveDate::MAX
        );
    }

    #[test]
    fn long_date_reads_as_a_letter_would() {
        assert_eq!(long_date(d(2026, 3, 21)), "21 March 2026");
        assert_eq!(long_date(d(2026, 1, 1)), "1 January 2026");
        assert_eq!(long_date(d(2028, 2, 29)), "29 February 2028");
    }
}
