//! The date range: presets relative to today, and the validation of a custom range with
//! errors explained next to the field they are about.
//!
//! Days are Beijing days (UTC+08:00), as the service counts them; "today" is passed in.
//! Ranges longer than one query's 31 days are allowed up to [`MAX_RANGE_DAYS`]: the page
//! fetches them in chunks.

use bec_usage::{query, ErrorKind};
use chrono::{Datelike, Duration, NaiveDate};

use crate::format::format_date;
use crate::i18n::{fill, month_name, Lang, T};

/// The longest range the page shows at once, in days counted inclusively: a year,
/// 12 chunks of 31 days.
pub const MAX_RANGE_DAYS: i64 = 366;

/// A range relative to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// The 7 days ending today.
    Last7,
    /// The 31 days ending today.
    Last31,
    /// From the 1st of this month to today.
    ThisMonth,
    /// The whole of last month.
    LastMonth,
}

impl Preset {
    /// Every preset, in the order the page shows them.
    pub const ALL: [Preset; 4] = [
        Preset::Last7,
        Preset::Last31,
        Preset::ThisMonth,
        Preset::LastMonth,
    ];

    /// The code used in the URL (`range=7d`).
    pub fn code(self) -> &'static str {
        match self {
            Preset::Last7 => "7d",
            Preset::Last31 => "31d",
            Preset::ThisMonth => "this-month",
            Preset::LastMonth => "last-month",
        }
    }

    /// The preset of a URL code.
    pub fn from_code(code: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The button's text.
    pub fn label(self) -> T {
        match self {
            Preset::Last7 => T::Last7,
            Preset::Last31 => T::Last31,
            Preset::ThisMonth => T::ThisMonth,
            Preset::LastMonth => T::LastMonth,
        }
    }

    /// The first and last day (inclusive) when today is `today`.
    pub fn dates(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let first_of_month = today.with_day(1).unwrap_or(today);
        match self {
            Preset::Last7 => (today - Duration::days(6), today),
            Preset::Last31 => (today - Duration::days(30), today),
            Preset::ThisMonth => (first_of_month, today),
            Preset::LastMonth => {
                let last = first_of_month - Duration::days(1);
                (last.with_day(1).unwrap_or(last), last)
            }
        }
    }
}

/// What is wrong with one date field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Nothing was typed.
    Empty,
    /// Not shaped `YYYY-MM-DD`.
    Format {
        /// The text as typed.
        value: String,
    },
    /// Shaped right, but the day does not exist in its month (`2024-02-30`).
    DayNotInMonth {
        /// The text as typed.
        value: String,
        /// The year typed.
        year: i32,
        /// The month typed (1..=12).
        month: u32,
        /// How many days that month has.
        days_in_month: u32,
    },
    /// Shaped right, but the month or year does not exist (`2024-13-01`, `0000-01-01`).
    NotInCalendar {
        /// The text as typed.
        value: String,
    },
}

impl DateError {
    /// The explanation shown next to the field.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            DateError::Empty => T::ErrDateEmpty.get(lang).to_owned(),
            DateError::Format { value } => fill(T::ErrDateFormat.get(lang), &[("value", value)]),
            DateError::DayNotInMonth {
                value,
                year,
                month,
                days_in_month,
            } => fill(
                T::ErrDateNotInCalendar.get(lang),
                &[
                    ("value", value),
                    ("month", &month_name(*year, *month, lang)),
                    ("days", &days_in_month.to_string()),
                ],
            ),
            DateError::NotInCalendar { value } => {
                fill(T::ErrMonthNotInCalendar.get(lang), &[("value", value)])
            }
        }
    }
}

/// Parses one field, `YYYY-MM-DD`, with the core's rules (`query::parse_date`), and says
/// precisely what is wrong otherwise. Surrounding spaces are forgiven.
pub fn parse_day(text: &str) -> Result<NaiveDate, DateError> {
    let text = text.trim();
    query::parse_date(query::DateField::BeginDate, text).map_err(|error| match error.kind() {
        ErrorKind::MissingDate => DateError::Empty,
        ErrorKind::DateNotInCalendar => not_in_calendar(text),
        _ => DateError::Format {
            value: text.to_owned(),
        },
    })
}

/// The details of a well-shaped text that is not a day (the core checked the shape).
fn not_in_calendar(text: &str) -> DateError {
    let number = |range: std::ops::Range<usize>| -> Option<u32> { text.get(range)?.parse().ok() };
    let (year, month) = (number(0..4), number(5..7));
    match (year, month) {
        (Some(year @ 1..), Some(month @ 1..=12)) => {
            let year = year as i32;
            DateError::DayNotInMonth {
                value: text.to_owned(),
                year,
                month,
                days_in_month: days_in_month(year, month),
            }
        }
        _ => DateError::NotInCalendar {
            value: text.to_owned(),
        },
    }
}

/// The number of days of a month (28..=31).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(year, month, 1);
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    match (first, next) {
        (Some(first), Some(next)) => (next - first).num_days() as u32,
        _ => 31,
    }
}

/// What is wrong with a custom range: at most one error per field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RangeErrors {
    /// About the start date.
    pub from: Option<DateError>,
    /// About the end date, or about the range as a whole (shown next to the end date).
    pub to: Option<RangeError>,
}

/// An error shown next to the end date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeError {
    /// The end date itself is wrong.
    Date(DateError),
    /// The end date is before the start date.
    Reversed {
        /// The start date.
        from: NaiveDate,
    },
    /// The range is longer than [`MAX_RANGE_DAYS`].
    TooLong {
        /// Its length in days.
        days: i64,
    },
}

impl RangeError {
    /// The explanation shown next to the field.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            RangeError::Date(error) => error.message(lang),
            RangeError::Reversed { from } => fill(
                T::ErrRangeReversed.get(lang),
                &[("from", &format_date(*from))],
            ),
            RangeError::TooLong { days } => fill(
                T::ErrRangeTooLong.get(lang),
                &[
                    ("days", &days.to_string()),
                    ("max", &MAX_RANGE_DAYS.to_string()),
                ],
            ),
        }
    }
}

/// Validates a custom range typed as two dates.
pub fn validate_range(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), RangeErrors> {
    let begin = parse_day(from);
    let end = parse_day(to);
    match (begin, end) {
        (Ok(begin), Ok(end)) => check_dates(begin, end).map_err(|error| RangeErrors {
            from: None,
            to: Some(error),
        }),
        (begin, end) => Err(RangeErrors {
            from: begin.err(),
            to: end.err().map(RangeError::Date),
        }),
    }
}

/// Checks the order and length of a range of valid dates.
pub fn check_dates(begin: NaiveDate, end: NaiveDate) -> Result<(NaiveDate, NaiveDate), RangeError> {
    if end < begin {
        return Err(RangeError::Reversed { from: begin });
    }
    let days = (end - begin).num_days() + 1;
    if days > MAX_RANGE_DAYS {
        return Err(RangeError::TooLong { days });
    }
    Ok((begin, end))
}

/// The number of days of an inclusive range.
pub fn range_days(begin: NaiveDate, end: NaiveDate) -> i64 {
    (end - begin).num_days() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn presets_relative_to_today() {
        let today = d("2024-03-10");
        assert_eq!(Preset::Last7.dates(today), (d("2024-03-04"), today));
        assert_eq!(Preset::Last31.dates(today), (d("2024-02-09"), today));
        assert_eq!(Preset::ThisMonth.dates(today), (d("2024-03-01"), today));
        assert_eq!(
            Preset::LastMonth.dates(today),
            (d("2024-02-01"), d("2024-02-29"))
        );
        // Across a year boundary.
        assert_eq!(
            Preset::LastMonth.dates(d("2024-01-05")),
            (d("2023-12-01"), d("2023-12-31"))
        );
    }

    #[test]
    fn preset_codes_round_trip() {
        for preset in Preset::ALL {
            assert_eq!(Preset::from_code(preset.code()), Some(preset));
        }
        assert_eq!(Preset::from_code("8d"), None);
    }

    #[test]
    fn a_day_that_is_not_in_its_month_is_explained() {
        let error = parse_day("2024-02-30").expect_err("not a day");
        assert_eq!(
            error,
            DateError::DayNotInMonth {
                value: "2024-02-30".into(),
                year: 2024,
                month: 2,
                days_in_month: 29
            }
        );
        assert_eq!(
            error.message(Lang::En),
            "2024-02-30 is not a day of the calendar: February 2024 has 29 days."
        );
        assert_eq!(
            error.message(Lang::Zh),
            "2024-02-30 不是日历中的日期：2024 年 2 月只有 29 天。"
        );
        assert_eq!(
            parse_day("2023-02-29"),
            Err(DateError::DayNotInMonth {
                value: "2023-02-29".into(),
                year: 2023,
                month: 2,
                days_in_month: 28
            })
        );
    }

    #[test]
    fn bad_shapes_and_months() {
        assert_eq!(parse_day(""), Err(DateError::Empty));
        assert_eq!(parse_day("   "), Err(DateError::Empty));
        assert_eq!(
            parse_day("2024/02/01"),
            Err(DateError::Format {
                value: "2024/02/01".into()
            })
        );
        assert_eq!(
            parse_day("2024-13-01"),
            Err(DateError::NotInCalendar {
                value: "2024-13-01".into()
            })
        );
        assert_eq!(
            parse_day("0000-01-01"),
            Err(DateError::NotInCalendar {
                value: "0000-01-01".into()
            })
        );
        assert_eq!(parse_day(" 2024-02-29 "), Ok(d("2024-02-29")));
    }

    #[test]
    fn ranges_are_checked_as_a_whole() {
        assert_eq!(
            validate_range("2024-01-01", "2024-03-31"),
            Ok((d("2024-01-01"), d("2024-03-31")))
        );
        assert_eq!(
            validate_range("2024-02-01", "2024-01-31"),
            Err(RangeErrors {
                from: None,
                to: Some(RangeError::Reversed {
                    from: d("2024-02-01")
                })
            })
        );
        let too_long = validate_range("2023-01-01", "2024-01-02").expect_err("367 days");
        assert_eq!(too_long.to, Some(RangeError::TooLong { days: 367 }));
        assert_eq!(
            too_long.to.expect("error").message(Lang::En),
            "The range covers 367 days; at most 366 can be shown at once."
        );
        let both = validate_range("x", "2024-02-30").expect_err("both wrong");
        assert!(matches!(both.from, Some(DateError::Format { .. })));
        assert!(matches!(
            both.to,
            Some(RangeError::Date(DateError::DayNotInMonth { .. }))
        ));
        assert_eq!(range_days(d("2024-01-01"), d("2024-01-31")), 31);
    }

    #[test]
    fn month_lengths() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2024, 12), 31);
        assert_eq!(days_in_month(2024, 4), 30);
    }
}
