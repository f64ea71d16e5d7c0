//! Text for people: exact amounts with grouped digits, times in UTC+08:00, percentages.
//!
//! Amounts are written from their [`Decimal`] digits, never through a float, so the page
//! shows exactly what the service sent (`17.230` stays `17.230`). Times are Beijing time,
//! the service's own, whatever the browser's time zone.
//!
//! Digits, decimals, dates and times are written by the core's one writer
//! ([`bec_usage::text`]); this module adds what only people need: grouped digits, units,
//! rounding for display, Beijing local time.

use bec_usage::query::BEIJING_OFFSET_MS;
use bec_usage::text::{decimal_text, push_date, push_digits};
use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use rust_decimal::{Decimal, RoundingStrategy};

pub use bec_usage::query::format_date;

/// The thinnest space, between a number and its unit, that does not break the line.
const NARROW_NBSP: char = '\u{202F}';

/// Inserts a comma between every group of three digits of the integer part of a number
/// written in plain decimal (`-1234567.125` → `-1,234,567.125`). Text that is not such a
/// number comes back unchanged apart from the commas placed in its leading digit run.
pub fn group_digits(number: &str) -> String {
    let (sign, rest) = match number.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", number),
    };
    let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (int_part, tail) = rest.split_at(int_len);
    let mut out = String::with_capacity(number.len() + int_len / 3);
    out.push_str(sign);
    for (i, digit) in int_part.chars().enumerate() {
        if i > 0 && (int_len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out.push_str(tail);
    out
}

/// An exact amount with grouped digits, every decimal place kept as given:
/// `1234.500` → `1,234.500`.
pub fn format_amount(amount: Decimal) -> String {
    group_digits(&decimal_text(amount))
}

/// An amount followed by its (already translated) unit, joined by a narrow no-break
/// space; just the amount when the unit is empty.
pub fn format_amount_with_unit(amount: Decimal, unit: &str) -> String {
    let mut text = format_amount(amount);
    if !unit.is_empty() {
        text.push(NARROW_NBSP);
        text.push_str(unit);
    }
    text
}

/// A statistical estimate (a forecast, a usual range: an `f64`) for display, with grouped
/// digits: whole units from 100 on, else two decimal places; its digits beyond these mean
/// nothing.
pub fn format_estimate(value: f64) -> String {
    let places = if value.abs() >= 100.0 { 0 } else { 2 };
    let value = Decimal::from_f64_retain(value).unwrap_or_default();
    format_amount(
        value
            .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
            .normalize(),
    )
}

/// A count with grouped digits: `535737` → `535,737`.
pub fn format_count(count: usize) -> String {
    group_digits(&count.to_string())
}

/// A mean for display, and whether it was rounded.
///
/// A mean of exact amounts is usually a long fraction; it is shown with one more decimal
/// place than the amounts it comes from (`amount_scale + 1`, at most 9), rounded half
/// away from zero, trailing zeros removed. The second value is `true` when that dropped
/// digits, so the page can mark the value as approximate and offer the exact one.
pub fn round_mean(mean: Decimal, amount_scale: u32) -> (Decimal, bool) {
    let places = (amount_scale + 1).min(9);
    let rounded = mean
        .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    (rounded, rounded != mean)
}

/// A change in percent with its sign and one decimal place: `+12.3%`, `−4.0%`, `0.0%`
/// (the minus is U+2212, as typography wants).
pub fn format_percent(change: Decimal) -> String {
    let rounded = change.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    let mut text = String::with_capacity(8);
    if rounded.is_zero() {
        text.push_str("0.0");
    } else {
        text.push(if rounded.is_sign_negative() {
            '\u{2212}'
        } else {
            '+'
        });
        let mut magnitude = rounded.abs();
        magnitude.rescale(1);
        text.push_str(&group_digits(&decimal_text(magnitude)));
    }
    text.push('%');
    text
}

/// The parts of a Beijing-time date and time, from epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// The calendar year.
    pub year: i32,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
    /// 0..=23.
    pub hour: u32,
    /// 0..=59.
    pub minute: u32,
    /// 0..=59.
    pub second: u32,
    /// 0..=999.
    pub millisecond: u32,
}

impl LocalTime {
    /// The Beijing time of `timestamp_ms`; `None` beyond chrono's range of years.
    pub fn beijing(timestamp_ms: i64) -> Option<LocalTime> {
        let local = DateTime::from_timestamp_millis(timestamp_ms.checked_add(BEIJING_OFFSET_MS)?)?
            .naive_utc();
        Some(LocalTime {
            year: local.year(),
            month: local.month(),
            day: local.day(),
            hour: local.hour(),
            minute: local.minute(),
            second: local.second(),
            millisecond: local.nanosecond() / 1_000_000 % 1000,
        })
    }

    /// The calendar date.
    pub fn date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, self.day)
    }
}

/// Text the core's writer wrote: ASCII only, so the conversion cannot fail.
fn ascii(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_default()
}

/// A point's time in Beijing time: `2024-01-31 13:45`, with `:SS` when the seconds are
/// not zero and `.mmm` when the milliseconds are not; the timestamp itself when it is
/// beyond the calendar.
pub fn format_time(timestamp_ms: i64) -> String {
    let Some((t, date)) = LocalTime::beijing(timestamp_ms).and_then(|t| Some((t, t.date()?)))
    else {
        return timestamp_ms.to_string();
    };
    let mut out = Vec::with_capacity(23);
    push_date(&mut out, date);
    out.push(b' ');
    push_digits(&mut out, t.hour, 2);
    out.push(b':');
    push_digits(&mut out, t.minute, 2);
    if t.second != 0 || t.millisecond != 0 {
        out.push(b':');
        push_digits(&mut out, t.second, 2);
    }
    if t.millisecond != 0 {
        out.push(b'.');
        push_digits(&mut out, t.millisecond, 3);
    }
    ascii(out)
}

/// `HH:MM` of a Beijing time (axis labels within a day).
pub fn format_clock(timestamp_ms: i64) -> String {
    let mut out = Vec::with_capacity(5);
    if let Some(t) = LocalTime::beijing(timestamp_ms) {
        push_digits(&mut out, t.hour, 2);
        out.push(b':');
        push_digits(&mut out, t.minute, 2);
    }
    ascii(out)
}

/// `MM-DD` of a Beijing time (axis labels across days).
pub fn format_month_day(timestamp_ms: i64) -> String {
    let mut out = Vec::with_capacity(5);
    if let Some(t) = LocalTime::beijing(timestamp_ms) {
        push_digits(&mut out, t.month, 2);
        out.push(b'-');
        push_digits(&mut out, t.day, 2);
    }
    ascii(out)
}

/// A size in bytes for people: `812 B`, `1.5 kB`, `24.2 MB` (decimal units).
pub fn format_size(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    // Tenths of the unit, in integers, so no float formatting is needed.
    let mut tenths = bytes as u128 * 10 / 1000;
    let mut unit = 0;
    while tenths >= 10_000 && unit + 1 < UNITS.len() {
        tenths /= 1000;
        unit += 1;
    }
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

/// The start of an export's file name: `bec-usage_2024-01-01_2024-01-07`, with the
/// account's name after `bec-usage` when the server names its accounts
/// (`bec-usage_production_2024-01-01_2024-01-07`). Characters a file name cannot hold
/// (path separators, `:*?"<>|`, controls, spaces) become `-`.
pub fn export_base_name(account: Option<&str>, begin: NaiveDate, end: NaiveDate) -> String {
    let mut name = String::from("bec-usage_");
    if let Some(account) = account {
        name.extend(account.chars().map(|c| {
            if c.is_control() || c.is_whitespace() || "/\\:*?\"<>|".contains(c) {
                '-'
            } else {
                c
            }
        }));
        name.push('_');
    }
    name.push_str(&format_date(begin));
    name.push('_');
    name.push_str(&format_date(end));
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names_carry_the_account() {
        let begin = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
        let end = NaiveDate::from_ymd_opt(2024, 1, 7).expect("a date");
        assert_eq!(
            export_base_name(None, begin, end),
            "bec-usage_2024-01-01_2024-01-07"
        );
        assert_eq!(
            export_base_name(Some("production"), begin, end),
            "bec-usage_production_2024-01-01_2024-01-07"
        );
        assert_eq!(
            export_base_name(Some("a/b c:生产"), begin, end),
            "bec-usage_a-b-c-生产_2024-01-01_2024-01-07"
        );
    }

    fn dec(text: &str) -> Decimal {
        text.parse().expect("test decimal")
    }

    fn utc_ms(text: &str) -> i64 {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
            .expect("test time")
            .and_utc()
            .timestamp_millis()
    }

    #[test]
    fn groups_integer_digits_only() {
        assert_eq!(group_digits("0"), "0");
        assert_eq!(group_digits("999"), "999");
        assert_eq!(group_digits("1000"), "1,000");
        assert_eq!(group_digits("-1234567.1234567"), "-1,234,567.1234567");
        assert_eq!(group_digits("123456.5"), "123,456.5");
    }

    #[test]
    fn amounts_keep_every_decimal_place() {
        assert_eq!(format_amount(dec("17.230")), "17.230");
        assert_eq!(format_amount(dec("2048.000001")), "2,048.000001");
        assert_eq!(
            format_amount(dec("0.000000001234567890123")),
            "0.000000001234567890123"
        );
        assert_eq!(format_amount(dec("-5")), "-5");
        assert_eq!(format_amount_with_unit(dec("3"), "cores"), "3\u{202F}cores");
        assert_eq!(format_amount_with_unit(dec("3"), ""), "3");
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(format_count(535_737), "535,737");
        assert_eq!(format_count(12), "12");
    }

    #[test]
    fn means_round_one_place_beyond_the_amounts() {
        let shown = |mean: Decimal, scale| {
            let (rounded, approximate) = round_mean(mean, scale);
            (format_amount(rounded), approximate)
        };
        // 1/3 at amount scale 3 → 4 places.
        let third = Decimal::ONE / Decimal::from(3);
        assert_eq!(shown(third, 3), ("0.3333".to_owned(), true));
        // An exact mean that fits is shown as is, trailing zeros removed.
        assert_eq!(shown(dec("17.2235"), 3), ("17.2235".to_owned(), false));
        assert_eq!(shown(dec("17.500"), 0), ("17.5".to_owned(), false));
        assert_eq!(shown(dec("1234.5"), 0), ("1,234.5".to_owned(), false));
        // Half away from zero.
        assert_eq!(shown(dec("0.25"), 0), ("0.3".to_owned(), true));
        // Never more than 9 places.
        assert_eq!(shown(dec("0.0000000001"), 9), ("0".to_owned(), true));
    }

    #[test]
    fn percentages_have_a_sign_and_one_place() {
        assert_eq!(format_percent(dec("12.34")), "+12.3%");
        assert_eq!(format_percent(dec("-4")), "\u{2212}4.0%");
        assert_eq!(format_percent(dec("0.04")), "0.0%");
        assert_eq!(format_percent(dec("-0.04")), "0.0%");
        assert_eq!(format_percent(dec("0.05")), "+0.1%");
        assert_eq!(format_percent(dec("12345.6")), "+12,345.6%");
    }

    #[test]
    fn times_are_beijing_time() {
        // 2024-01-31T05:45:00Z is 13:45 in Beijing.
        assert_eq!(
            format_time(utc_ms("2024-01-31T05:45:00")),
            "2024-01-31 13:45"
        );
        // 16:00Z is midnight of the next day in Beijing.
        assert_eq!(
            format_time(utc_ms("2024-01-31T16:00:00")),
            "2024-02-01 00:00"
        );
        assert_eq!(
            format_time(utc_ms("2024-01-31T16:00:07")),
            "2024-02-01 00:00:07"
        );
        assert_eq!(
            format_time(utc_ms("2024-01-31T16:00:00.250")),
            "2024-02-01 00:00:00.250"
        );
        assert_eq!(format_clock(utc_ms("2024-01-31T05:45:00")), "13:45");
        assert_eq!(format_month_day(utc_ms("2024-01-31T16:00:00")), "02-01");
        assert_eq!(format_time(i64::MAX), i64::MAX.to_string());
    }

    #[test]
    fn local_time_parts() {
        let t = LocalTime::beijing(utc_ms("2023-12-31T23:59:59.999")).expect("in range");
        assert_eq!((t.year, t.month, t.day), (2024, 1, 1));
        assert_eq!(
            (t.hour, t.minute, t.second, t.millisecond),
            (7, 59, 59, 999)
        );
        assert_eq!(t.date(), NaiveDate::from_ymd_opt(2024, 1, 1));
    }

    #[test]
    fn dates_are_iso() {
        let date = NaiveDate::from_ymd_opt(2024, 2, 9).expect("date");
        assert_eq!(format_date(date), "2024-02-09");
    }

    #[test]
    fn sizes_use_decimal_units() {
        assert_eq!(format_size(812), "812 B");
        assert_eq!(format_size(1_500), "1.5 kB");
        assert_eq!(format_size(24_200_000), "24.2 MB");
        assert_eq!(format_size(999_999), "999.9 kB");
    }
}
