//! The range of `fetch`: `--from` and `--to` as dates or `today`, `yesterday`, `today-N`
//! in the `--utc-offset` calendar, planned into queries by the core's fetch plan.

use bec_usage::fetch_plan::plan_range;
use bec_usage::query::{parse_date, DateField};
use bec_usage::UsageQuery;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::error::{Error, Result};

/// Reads a UTC offset: `Z`, `+08:00`, `-05:30` (also `+0800`).
pub fn parse_offset(text: &str) -> Result<FixedOffset> {
    let bad = || {
        Error::input(format!(
            "the UTC offset {text:?} is not one; write +08:00 (Beijing, the default), -05:30 or Z"
        ))
    };
    if matches!(text, "Z" | "z") {
        return FixedOffset::east_opt(0).ok_or_else(bad);
    }
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    let shaped = digits.len() == 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (rest.len() == 4 || (rest.len() == 5 && rest.as_bytes()[2] == b':'));
    if !shaped {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = digits[2..].parse().map_err(|_| bad())?;
    if hours > 23 || minutes > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(bad)
}

/// Reads `--from`/`--to`: `YYYY-MM-DD` (checked by the core), `today`, `yesterday` or
/// `today-N`, where today is `now`'s date in `offset`.
pub fn parse_day(
    field: DateField,
    text: &str,
    now: DateTime<Utc>,
    offset: FixedOffset,
) -> Result<NaiveDate> {
    let today = now.with_timezone(&offset).date_naive();
    let back = |days: u64| {
        today
            .checked_sub_days(chrono::Days::new(days))
            .ok_or_else(|| Error::input(format!("{text:?} is before the calendar starts")))
    };
    match text {
        "today" => Ok(today),
        "yesterday" => back(1),
        _ => match text.strip_prefix("today-") {
            Some(days) => {
                let days: u64 = days.parse().map_err(|_| {
                    Error::input(format!(
                        "--{}: {text:?} is not a date; write YYYY-MM-DD, today, yesterday or \
                         today-N (N days ago)",
                        flag(field)
                    ))
                })?;
                back(days)
            }
            None => parse_date(field, text).map_err(|e| {
                Error::input(format!(
                    "--{}: {} (or write today, yesterday, today-N)",
                    flag(field),
                    e.message()
                ))
            }),
        },
    }
}

fn flag(field: DateField) -> &'static str {
    match field {
        DateField::BeginDate => "from",
        DateField::EndDate => "to",
    }
}

/// The queries of `from ..= to`: the core's plan (at most 366 days, in queries of at most
/// 31), its refusals as bad input.
pub fn plan(from: NaiveDate, to: NaiveDate) -> Result<Vec<UsageQuery>> {
    plan_range(from, to).map_err(|e| Error::from_core(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn offsets() {
        let east = |s: &str| parse_offset(s).map(|o| o.local_minus_utc());
        assert_eq!(east("+08:00").ok(), Some(8 * 3600));
        assert_eq!(east("-05:30").ok(), Some(-(5 * 3600 + 1800)));
        assert_eq!(east("+0800").ok(), Some(8 * 3600));
        assert_eq!(east("Z").ok(), Some(0));
        for bad in ["8", "+8:00", "+24:00", "+08:60", "08:00", "+08:00:00", ""] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn days_relative_to_today_in_the_offset() {
        // 2024-03-01 20:00 UTC is 2024-03-02 in Beijing.
        let now = Utc.with_ymd_and_hms(2024, 3, 1, 20, 0, 0).unwrap();
        let beijing = parse_offset("+08:00").expect("offset");
        let day = |text: &str| parse_day(DateField::BeginDate, text, now, beijing);
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(day("today").ok(), Some(date(2024, 3, 2)));
        assert_eq!(day("yesterday").ok(), Some(date(2024, 3, 1)));
        assert_eq!(day("today-2").ok(), Some(date(2024, 2, 29)));
        assert_eq!(day("2024-01-31").ok(), Some(date(2024, 1, 31)));
        for bad in ["today-x", "2024-02-30", "2024-1-1", "tomorrow"] {
            let error = day(bad).expect_err(bad);
            assert_eq!(error.exit_code(), 2);
            assert!(error.message().starts_with("--from"), "{}", error.message());
        }
    }

    #[test]
    fn a_year_is_twelve_queries_and_more_is_refused() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(
            plan(date(2024, 1, 1), date(2024, 12, 31))
                .map(|q| q.len())
                .ok(),
            Some(12)
        );
        let error = plan(date(2024, 1, 1), date(2025, 1, 1)).expect_err("367 days");
        assert!(error.message().contains("367 days"), "{}", error.message());
        assert_eq!(
            plan(date(2024, 2, 1), date(2024, 1, 1))
                .map_err(|e| e.exit_code())
                .err(),
            Some(2)
        );
    }
}
