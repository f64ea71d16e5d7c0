//! The signing timestamp `YYYY-MM-DDThh:mm:ssZ`, written with [`crate::text`]'s writers
//! and read by hand (no formatting or parsing machinery in the module).

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

use crate::error::{Error, ErrorKind, Result};
use crate::text::{push_date, push_time_of_day};

/// Length of `YYYY-MM-DDThh:mm:ssZ`.
pub(crate) const TIMESTAMP_LEN: usize = 20;

/// Appends `time` as `YYYY-MM-DDThh:mm:ssZ` (UTC, fraction dropped).
///
/// Fails for years outside `0000..=9999`, which the four-digit form cannot hold.
pub(crate) fn push_timestamp(out: &mut Vec<u8>, time: &DateTime<Utc>) -> Result<()> {
    let time = time.naive_utc();
    let year = time.year();
    if !(0..=9999).contains(&year) {
        return Err(Error::new(
            ErrorKind::InvalidSigningInput,
            format!(
                "the signing time is in the year {year}, outside 0000..=9999; \
                 sign with the current time"
            ),
        )
        .with_field("time", year.to_string()));
    }
    push_date(out, time.date());
    out.push(b'T');
    // At most 86,399, also during a leap second (chrono keeps those in the nanoseconds).
    push_time_of_day(out, time.num_seconds_from_midnight());
    out.push(b'Z');
    Ok(())
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
