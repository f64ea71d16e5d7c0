//! Query dates: parsing `YYYY-MM-DD`, validated ranges, and splitting long ranges.
//!
//! A [`UsageQuery`] can only be made from valid input: both dates exactly `YYYY-MM-DD`
//! with ASCII digits, real calendar days, begin ≤ end, and at most [`MAX_DAYS`] days
//! counted inclusively. [`split_range`] turns a range of any length into consecutive
//! queries that each satisfy those rules, with no gap and no overlap.

use chrono::{Datelike, Duration, FixedOffset, NaiveDate};

use crate::error::{Error, ErrorKind, Result};
use crate::text::Quoted;

/// The longest range one query may cover, in days counted inclusively.
pub const MAX_DAYS: u32 = 31;

/// The service's time zone, Beijing time (UTC+08:00), in milliseconds east of UTC: the
/// offset to add to an epoch-millisecond timestamp for its Beijing wall-clock time.
pub const BEIJING_OFFSET_MS: i64 = 8 * 3_600_000;

/// Milliseconds in a day. Days are this long in any fixed UTC offset (which has no
/// daylight saving time), so a timestamp's local day number is
/// `(timestamp_ms + offset_ms).div_euclid(DAY_MS)`, counted from 1970-01-01.
pub const DAY_MS: i64 = 86_400_000;

/// `num_days_from_ce` of 1970-01-01: days from 0001-01-01 (day 1 of chrono's count).
const UNIX_EPOCH_DAY_FROM_CE: i64 = 719_163;

/// The day number of `date`, counted from 1970-01-01 (day 0; negative before): the local
/// day number of a timestamp in an offset, `(timestamp_ms + offset_ms).div_euclid(DAY_MS)`.
pub fn epoch_day(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAY_FROM_CE
}

/// The calendar date of a day number counted from 1970-01-01, if chrono can represent it.
pub fn date_of_epoch_day(day: i64) -> Option<NaiveDate> {
    let from_ce = day.checked_add(UNIX_EPOCH_DAY_FROM_CE)?;
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(from_ce).ok()?)
}

/// Beijing time (UTC+08:00), the default offset for daily buckets and displayed times.
pub fn beijing_offset() -> FixedOffset {
    // 8 hours is inside ±24 h, so `east_opt` cannot fail; the fallback is unreachable.
    FixedOffset::east_opt((BEIJING_OFFSET_MS / 1000) as i32).unwrap_or_else(utc_offset)
}

fn utc_offset() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!("0 is a valid offset"))
}

/// Which query parameter a date belongs to; used in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateField {
    /// `beginDate`.
    BeginDate,
    /// `endDate`.
    EndDate,
}

impl DateField {
    /// The query parameter name (`beginDate` or `endDate`).
    pub fn name(self) -> &'static str {
        match self {
            DateField::BeginDate => "beginDate",
            DateField::EndDate => "endDate",
        }
    }
}

/// Parses a query date: exactly `YYYY-MM-DD`, ASCII digits, a real calendar day.
///
/// Errors: [`ErrorKind::MissingDate`] for an empty string, [`ErrorKind::DateFormat`] for
/// anything not shaped `YYYY-MM-DD` (surrounding spaces, a time part, one-digit months,
/// full-width digits), [`ErrorKind::DateNotInCalendar`] for `2023-02-29` and the like.
pub fn parse_date(field: DateField, text: &str) -> Result<NaiveDate> {
    let name = field.name();
    if text.is_empty() {
        return Err(Error::new(
            ErrorKind::MissingDate,
            format!("{name} is empty; give a date as YYYY-MM-DD, e.g. 2024-01-31"),
        )
        .with_field(name, text));
    }
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(Error::new(
            ErrorKind::DateFormat,
            format!(
                "{name} {} is not a date of the form YYYY-MM-DD{}",
                quote(text),
                format_hint(text)
            ),
        )
        .with_field(name, text));
    }
    let number = |range: std::ops::Range<usize>| {
        bytes[range]
            .iter()
            .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'))
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    // `year` has four ASCII digits, so it is at most 9999 and fits an i32.
    NaiveDate::from_ymd_opt(year as i32, month, day)
        .filter(|_| year >= 1)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::DateNotInCalendar,
                format!(
                    "{name} {} is not a day of the calendar{}",
                    quote(text),
                    calendar_hint(year, month, day)
                ),
            )
            .with_field(name, text)
        })
}

fn quote(text: &str) -> String {
    Quoted(text).to_string()
}

/// Says what is wrong with a date that is not shaped `YYYY-MM-DD`, when that is guessable.
fn format_hint(text: &str) -> String {
    if text.trim() != text {
        return "; remove the surrounding spaces".into();
    }
    if let Some(c) = text.chars().find(|c| ('\u{FF10}'..='\u{FF19}').contains(c)) {
        return format!("; it contains the full-width digit '{c}', use ASCII digits 0-9");
    }
    if text.len() > 10 && (text.contains('T') || text.contains(' ') || text.contains(':')) {
        return "; give only the date, without a time".into();
    }
    let parts: Vec<&str> = text.split('-').collect();
    if parts.len() == 3 && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return "; write the month and day with two digits each, e.g. 2024-01-05".into();
    }
    String::new()
}

fn calendar_hint(year: u32, month: u32, day: u32) -> String {
    if year == 0 {
        return "; years start at 0001".into();
    }
    if !(1..=12).contains(&month) {
        return format!("; there is no month {month:02}");
    }
    let Some(first) = NaiveDate::from_ymd_opt(year as i32, month, 1) else {
        return String::new();
    };
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year as i32 + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year as i32, month + 1, 1)
    };
    match next {
        Some(next) => {
            let days = (next - first).num_days();
            format!("; {year:04}-{month:02} has {days} days, not {day}")
        }
        None => String::new(),
    }
}

/// Formats a date as the service writes it: `YYYY-MM-DD` (see [`crate::text::push_date`]).
pub fn format_date(date: NaiveDate) -> String {
    crate::text::date_text(date)
}

/// A valid query of the usage endpoint: begin ≤ end, at most [`MAX_DAYS`] days inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UsageQuery {
    begin: NaiveDate,
    end: NaiveDate,
}

impl UsageQuery {
    /// Validates two `YYYY-MM-DD` strings into a query.
    ///
    /// Each date is checked by [`parse_date`]; then [`ErrorKind::RangeReversed`] if begin is
    /// after end and [`ErrorKind::RangeTooLong`] if the range covers more than 31 days.
    pub fn new(begin_date: &str, end_date: &str) -> Result<Self> {
        let begin = parse_date(DateField::BeginDate, begin_date)?;
        let end = parse_date(DateField::EndDate, end_date)?;
        Self::from_dates(begin, end)
    }

    /// Validates a range of two dates into a query.
    pub fn from_dates(begin: NaiveDate, end: NaiveDate) -> Result<Self> {
        check_order(begin, end)?;
        let days = inclusive_days(begin, end);
        if days > i64::from(MAX_DAYS) {
            let last_allowed = begin + Duration::days(i64::from(MAX_DAYS) - 1);
            return Err(Error::new(
                ErrorKind::RangeTooLong,
                format!(
                    "the range {} .. {} covers {days} days, but one query may cover at most {MAX_DAYS} \
                     (the latest endDate for this beginDate is {}); split longer ranges into chunks",
                    format_date(begin),
                    format_date(end),
                    format_date(last_allowed)
                ),
            )
            .with_field("endDate", format_date(end)));
        }
        Ok(UsageQuery { begin, end })
    }

    /// The first day, inclusive.
    pub fn begin_date(&self) -> NaiveDate {
        self.begin
    }

    /// The last day, inclusive.
    pub fn end_date(&self) -> NaiveDate {
        self.end
    }

    /// The number of days covered, counted inclusively (1 ..= 31).
    pub fn days(&self) -> u32 {
        // At most MAX_DAYS by construction.
        inclusive_days(self.begin, self.end) as u32
    }

    /// The query parameters, in the order the endpoint documents them.
    pub fn query_pairs(&self) -> [(&'static str, String); 2] {
        [
            ("beginDate", format_date(self.begin)),
            ("endDate", format_date(self.end)),
        ]
    }

    /// The query string `beginDate=YYYY-MM-DD&endDate=YYYY-MM-DD` (dates need no escaping).
    pub fn to_query_string(&self) -> String {
        format!(
            "beginDate={}&endDate={}",
            format_date(self.begin),
            format_date(self.end)
        )
    }
}

fn check_order(begin: NaiveDate, end: NaiveDate) -> Result<()> {
    if begin > end {
        return Err(Error::new(
            ErrorKind::RangeReversed,
            format!(
                "beginDate {} is after endDate {}; swap them",
                format_date(begin),
                format_date(end)
            ),
        )
        .with_field("beginDate", format_date(begin)));
    }
    Ok(())
}

fn inclusive_days(begin: NaiveDate, end: NaiveDate) -> i64 {
    (end - begin).num_days() + 1
}

/// Splits the inclusive range `begin ..= end`, of any length, into consecutive queries of at
/// most [`MAX_DAYS`] days: in order, each starting the day after the previous one ends.
///
/// Errors with [`ErrorKind::RangeReversed`] when begin is after end.
pub fn split_range(begin: NaiveDate, end: NaiveDate) -> Result<Vec<UsageQuery>> {
    split_range_by(begin, end, MAX_DAYS)
}

/// Like [`split_range`] with chunks of at most `max_days` days (1 ..= 31).
pub fn split_range_by(begin: NaiveDate, end: NaiveDate, max_days: u32) -> Result<Vec<UsageQuery>> {
    check_order(begin, end)?;
    if max_days == 0 || max_days > MAX_DAYS {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("chunk length {max_days} must be between 1 and {MAX_DAYS} days"),
        ));
    }
    let total = inclusive_days(begin, end);
    let step = i64::from(max_days);
    let mut chunks = Vec::with_capacity(((total + step - 1) / step) as usize);
    let mut start = begin;
    loop {
        let remaining = inclusive_days(start, end);
        let stop = if remaining <= step {
            end
        } else {
            start + Duration::days(step - 1)
        };
        chunks.push(UsageQuery {
            begin: start,
            end: stop,
        });
        if stop == end {
            break;
        }
        start = stop + Duration::days(1);
    }
    Ok(chunks)
}

/// Parses two `YYYY-MM-DD` strings and splits the range as [`split_range`] does.
pub fn split_range_str(begin_date: &str, end_date: &str) -> Result<Vec<UsageQuery>> {
    let begin = parse_date(DateField::BeginDate, begin_date)?;
    let end = parse_date(DateField::EndDate, end_date)?;
    split_range(begin, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_day_zero_is_1970_01_01() {
        assert_eq!(date_of_epoch_day(0), NaiveDate::from_ymd_opt(1970, 1, 1));
        assert_eq!(date_of_epoch_day(-1), NaiveDate::from_ymd_opt(1969, 12, 31));
        assert_eq!(
            date_of_epoch_day(19_723),
            NaiveDate::from_ymd_opt(2024, 1, 1)
        );
    }

    #[test]
    fn epoch_day_and_date_of_epoch_day_are_inverse() {
        for (y, m, d) in [(1970, 1, 1), (1969, 12, 31), (2024, 2, 29), (1, 1, 1)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            assert_eq!(date_of_epoch_day(epoch_day(date)), Some(date));
        }
    }

    #[test]
    fn epoch_day_out_of_chrono_range_is_none() {
        assert_eq!(date_of_epoch_day(i64::MAX), None);
        assert_eq!(date_of_epoch_day(i64::from(i32::MAX)), None);
    }
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn thirty_one_days_inclusive_is_the_limit() {
        assert_eq!(
            UsageQuery::new("2024-01-01", "2024-01-31").map(|q| q.days()),
            Ok(31)
        );
        let e = UsageQuery::new("2024-01-01", "2024-02-01").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RangeTooLong);
        assert!(e.message().contains("2024-01-31"), "{}", e.message());
    }

    #[test]
    fn single_day_is_a_valid_query() {
        let q = UsageQuery::new("2024-02-29", "2024-02-29").expect("leap day");
        assert_eq!(q.days(), 1);
        assert_eq!(
            q.to_query_string(),
            "beginDate=2024-02-29&endDate=2024-02-29"
        );
    }

    #[test]
    fn split_of_a_year_is_contiguous() {
        let chunks = split_range(d("2024-01-01"), d("2024-12-31")).expect("split");
        assert_eq!(chunks.len(), 12); // 366 days / 31 = 11.8
        assert_eq!(chunks[0].begin_date(), d("2024-01-01"));
        assert_eq!(chunks[0].end_date(), d("2024-01-31"));
        assert_eq!(chunks[1].begin_date(), d("2024-02-01"));
        assert_eq!(chunks.last().map(|c| c.end_date()), Some(d("2024-12-31")));
    }

    #[test]
    fn hints_explain_the_format_error() {
        let e = parse_date(DateField::BeginDate, "2024-1-05").unwrap_err();
        assert!(e.message().contains("two digits"), "{}", e.message());
        let e = parse_date(DateField::EndDate, "2024-02-30").unwrap_err();
        assert!(e.message().contains("has 29 days"), "{}", e.message());
        assert_eq!(e.field(), Some("endDate"));
        assert_eq!(e.value(), Some("2024-02-30"));
    }
}
