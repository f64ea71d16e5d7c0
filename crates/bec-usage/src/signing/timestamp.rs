//! The signing timestamp `YYYY-MM-DDThh:mm:ssZ`, written and read by hand (no formatting
//! machinery in the hot path, which also keeps the wasm build small).

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

use crate::error::{Error, ErrorKind, Result};

/// Length of `YYYY-MM-DDThh:mm:ssZ`.
pub(crate) const TIMESTAMP_LEN: usize = 20;

/// `time` as `YYYY-MM-DDThh:mm:ssZ` (UTC, fraction dropped).
///
/// Fails for years outside `0000..=9999`, which the four-digit form cannot hold.
pub(crate) fn timestamp(time: &DateTime<Utc>) -> Result<String> {
    let time = time.naive_utc();
    let year = time.year();
    let year = u32::try_from(year)
        .ok()
        .filter(|year| *year <= 9999)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidSigningInput,
                format!(
                    "the signing time is in the year {year}, outside 0000..=9999; \
                     sign with the current time"
                ),
            )
            .with_field("time", year.to_string())
        })?;
    // `second()` is at most 59, also during a leap second (chrono keeps those in the
    // nanoseconds).
    let [y1, y2] = two_digits(year / 100);
    let [y3, y4] = two_digits(year % 100);
    let [mo1, mo2] = two_digits(time.month());
    let [d1, d2] = two_digits(time.day());
    let [h1, h2] = two_digits(time.hour());
    let [mi1, mi2] = two_digits(time.minute());
    let [s1, s2] = two_digits(time.second());
    let text = [
        y1, y2, y3, y4, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':', s1, s2,
        b'Z',
    ];
    Ok(std::str::from_utf8(&text).unwrap_or_default().to_owned())
}

/// The two decimal digits of `value` (below 100).
fn two_digits(value: u32) -> [u8; 2] {
    [b'0' + (value / 10 % 10) as u8, b'0' + (value % 10) as u8]
}

/// Appends `value` in decimal, without padding.
pub(crate) fn push_decimal(out: &mut String, value: u32) {
    let mut digits = [0u8; 10];
    let mut remaining = value;
    let mut start = digits.len();
    while start > 0 {
        start -= 1;
        digits[start] = b'0' + (remaining % 10) as u8;
        remaining /= 10;
        if remaining == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(digits.get(start..).unwrap_or_default()).unwrap_or_default());
}

/// Reads exactly `YYYY-MM-DDThh:mm:ssZ`; `None` for anything else or an impossible time.
pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    if bytes.len() != TIMESTAMP_LEN {
        return None;
    }
    let separators = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ];
    for (index, separator) in separators {
        if bytes[index] != separator {
            return None;
        }
    }
    let number = |start: usize, len: usize| -> Option<u32> {
        bytes[start..start + len]
            .iter()
            .try_fold(0u32, |acc, byte| {
                byte.is_ascii_digit()
                    .then(|| acc * 10 + u32::from(byte - b'0'))
            })
    };
    // Four digits: at most 9999, which fits an i32.
    let year = i32::try_from(number(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(5, 2)?, number(8, 2)?)?;
    let time = date.and_hms_opt(number(11, 2)?, number(14, 2)?, number(17, 2)?)?;
    Some(time.and_utc())
}
