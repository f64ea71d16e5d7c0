//! Times and UTC offsets from JavaScript: `TimeInput` (a `Date`, an ISO 8601 string with
//! a zone, or epoch seconds) and `UtcOffset` (`"+08:00"`, `"-05:30"`, `"Z"`, or minutes
//! east of UTC).
//!
//! The ISO 8601 reader is written by hand: chrono's parsing machinery would add several
//! kilobytes to the module for one fixed format.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use wasm_bindgen::prelude::*;

use super::values;
use crate::error::Result;
use crate::query::beijing_offset;
use crate::text::push_digits;

/// A `TimeInput` given as a string: an ISO 8601 time with a zone.
pub(crate) fn iso_time(context: &str, field: &'static str, text: &str) -> Result<DateTime<Utc>> {
    parse_iso_time(text).ok_or_else(|| {
        values::invalid(
            field,
            text,
            values::concat(&[
                context,
                ": ",
                field,
                " \"",
                text,
                "\" is not an ISO 8601 time with a zone; write it like \
                 2024-01-31T08:00:00Z or 2024-01-31T16:00:00+08:00",
            ]),
        )
    })
}

/// `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)` (RFC 3339; `t`, `z` and a space for `T` are
/// accepted as RFC 3339 allows), the fraction dropped: signatures count whole seconds.
fn parse_iso_time(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    let digits = |start: usize, len: usize| -> Option<i64> {
        bytes
            .get(start..start + len)?
            .iter()
            .try_fold(0i64, |acc, byte| {
                byte.is_ascii_digit()
                    .then(|| acc * 10 + i64::from(byte - b'0'))
            })
    };
    let separators_ok = bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && matches!(bytes.get(10), Some(b'T' | b't' | b' '))
        && bytes.get(13) == Some(&b':')
        && bytes.get(16) == Some(&b':');
    if !separators_ok {
        return None;
    }
    // Four digits and two: they fit an i32 and a u32.
    let date = NaiveDate::from_ymd_opt(
        digits(0, 4)? as i32,
        digits(5, 2)? as u32,
        digits(8, 2)? as u32,
    )?;
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut at = 19;
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        let fraction_start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == fraction_start {
            return None;
        }
    }
    let offset_seconds = match bytes.get(at..)? {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (digits(at + 1, 2)?, digits(at + 4, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3600 + minutes * 60;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    // Days since 1970-01-01, then seconds.
    let days = crate::query::epoch_day(date);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    DateTime::from_timestamp(seconds, 0)
}

/// A `utcOffset` option: left out for Beijing time (+08:00).
pub(crate) fn utc_offset(context: &str, value: JsValue) -> Result<FixedOffset> {
    let Some(value) = values::given(value) else {
        return Ok(beijing_offset());
    };
    const FIELD: &str = "utcOffset";
    let out_of_range = |text: &str| {
        values::invalid(
            FIELD,
            text,
            values::concat(&[
                context,
                ": utcOffset ",
                text,
                " is not a UTC offset; write \"+08:00\", \"-05:30\" or \"Z\", or a whole \
                 number of minutes east of UTC between -1439 and 1439",
            ]),
        )
    };
    if value.as_f64().is_some() {
        let minutes = values::integer(
            context,
            FIELD,
            &value,
            -1439.0,
            1439.0,
            "of minutes from -1439 to 1439",
        )?;
        return FixedOffset::east_opt(minutes as i32 * 60)
            .ok_or_else(|| out_of_range(&values::number_text(&value)));
    }
    let Some(text) = value.as_string() else {
        return Err(values::wrong_type(
            context,
            FIELD,
            "a string such as \"+08:00\" or a number of minutes",
            &value,
        ));
    };
    let bytes = text.as_bytes();
    if matches!(bytes, b"Z" | b"z") {
        return FixedOffset::east_opt(0).ok_or_else(|| out_of_range(&text));
    }
    let two_digits = |at: usize| -> Option<i32> {
        let (tens, ones) = (bytes.get(at)?, bytes.get(at + 1)?);
        (tens.is_ascii_digit() && ones.is_ascii_digit())
            .then(|| i32::from(tens - b'0') * 10 + i32::from(ones - b'0'))
    };
    let seconds = match bytes {
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => match (two_digits(1), two_digits(4)) {
            (Some(hours), Some(minutes)) if hours <= 23 && minutes <= 59 => {
                let seconds = hours * 3600 + minutes * 60;
                Some(if *sign == b'-' { -seconds } else { seconds })
            }
            _ => None,
        },
        _ => None,
    };
    seconds
        .and_then(FixedOffset::east_opt)
        .ok_or_else(|| out_of_range(&values::concat(&["\"", &text, "\""])))
}

/// `+08:00`, `-05:30`, `+00:00` (offsets read by [`utc_offset`] are whole minutes).
pub(crate) fn offset_text(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let minutes = seconds.unsigned_abs() / 60;
    let mut out = Vec::with_capacity(6);
    out.push(if seconds < 0 { b'-' } else { b'+' });
    push_digits(&mut out, minutes / 60, 2);
    out.push(b':');
    push_digits(&mut out, minutes % 60, 2);
    String::from_utf8(out).unwrap_or_default()
}
