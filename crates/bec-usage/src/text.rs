//! Writing text without `core::fmt`: whole numbers, exact decimals, dates and times, and the
//! pieces of messages. One copy of each, for every writer of the crate (the JSON writer,
//! the CSV export, the signer's timestamp, the JavaScript bindings) and for the dashboard.
//!
//! Why by hand: `format!` with width or padding, the `Display` of [`Decimal`] and of
//! chrono's dates, and `{:?}` on a string each bring their formatting machinery (several
//! kilobytes of the WebAssembly module), and the JSON writer writes tens of megabytes of
//! numbers for a month of 1-minute data, where a `format!` per number would be slow.
//!
//! The `push_*` functions append ASCII to a byte buffer, so a buffer that held UTF-8 still
//! does; [`date_text`] and [`decimal_text`] return the text as a `String`.
//!
//! ```
//! use bec_usage::text::{push_date, push_decimal, push_digits, push_time_of_day};
//! use chrono::NaiveDate;
//!
//! let mut out = Vec::new();
//! let date = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap();
//! push_date(&mut out, date);
//! out.push(b' ');
//! push_time_of_day(&mut out, 13 * 3600 + 4 * 60 + 5);
//! out.push(b'.');
//! push_digits(&mut out, 7, 3);
//! out.push(b' ');
//! push_decimal(&mut out, "-0.50".parse().unwrap());
//! assert_eq!(String::from_utf8(out).unwrap(), "2024-01-05 13:04:05.007 -0.50");
//! ```

use std::fmt::{self, Write as _};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

// ---- digits -----------------------------------------------------------------------------

/// Pairs of decimal digits "00".."99", so digits are produced two at a time.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Room for the digits of any `u128` (at most 39).
const DIGITS_CAPACITY: usize = 40;

/// Writes the decimal digits of `value` right-aligned into `buf[..end]`; returns the
/// index of the first digit. Zero gives one digit `0`.
fn u64_digits(mut value: u64, buf: &mut [u8; DIGITS_CAPACITY], end: usize) -> usize {
    let mut pos = end;
    while value >= 100 {
        let pair = (value % 100) as usize * 2;
        value /= 100;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if value >= 10 {
        let pair = value as usize * 2;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        pos -= 1;
        buf[pos] = b'0' + value as u8;
    }
    pos
}

/// Writes the digits of `value` into `buf`, returning the index of the first digit.
fn u128_digits(value: u128, buf: &mut [u8; DIGITS_CAPACITY]) -> usize {
    const NINE_DIGITS: u32 = 1_000_000_000;
    if let Ok(small) = u64::try_from(value) {
        return u64_digits(small, buf, DIGITS_CAPACITY);
    }
    // Rare (mantissas above 2^64): nine digits at a time, from the right, by long division
    // (see `div_rem_small`); every group but the leftmost is zero-padded to nine digits.
    let mut rest = value;
    let mut end = DIGITS_CAPACITY;
    loop {
        let (quotient, group) = div_rem_small(rest, NINE_DIGITS);
        let start = u64_digits(u64::from(group), buf, end);
        if quotient == 0 {
            return start;
        }
        let padded_start = end - 9;
        buf[padded_start..start].fill(b'0');
        end = padded_start;
        rest = quotient;
    }
}

/// `(value / divisor, value % divisor)` by long division in 32-bit limbs: `u128` division
/// would bring a kilobyte of compiler-builtins code into the WebAssembly module, for
/// mantissas above 2^64, which are rare.
pub(crate) fn div_rem_small(value: u128, divisor: u32) -> (u128, u32) {
    let divisor = u64::from(divisor.max(1));
    let mut quotient: u128 = 0;
    let mut remainder: u64 = 0;
    for shift in [96u32, 64, 32, 0] {
        // remainder < divisor < 2^32, so this fits 64 bits.
        let current = (remainder << 32) | u64::from((value >> shift) as u32);
        quotient |= u128::from(current / divisor) << shift;
        remainder = current % divisor;
    }
    // remainder < divisor <= u32::MAX.
    (quotient, remainder as u32)
}

/// Appends `value` in decimal (`0`, `1700000000000`).
pub fn push_u64(out: &mut Vec<u8>, value: u64) {
    let mut buf = [0u8; DIGITS_CAPACITY];
    let start = u64_digits(value, &mut buf, DIGITS_CAPACITY);
    out.extend_from_slice(&buf[start..]);
}

/// Appends `value` in decimal, with `-` when negative.
pub fn push_i64(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    push_u64(out, value.unsigned_abs());
}

/// Appends a statistical estimate (`f64`) as a JSON number to 15 significant digits, in
/// exponent form (`12345678901234e-10`), without `core::fmt`'s float formatting: an
/// estimate needs no more digits, and a reader rounds it further for display. Not finite
/// values (which no estimate should be) are written as `0`.
pub fn push_f64(out: &mut Vec<u8>, value: f64) {
    if !value.is_finite() || value == 0.0 {
        out.push(b'0');
        return;
    }
    if value < 0.0 {
        out.push(b'-');
    }
    let magnitude = value.abs();
    // 15 significant digits: `digits × 10^exponent` with 10^14 ≤ digits < 10^15.
    let mut exponent = magnitude.log10().floor() as i32 - 14;
    let scale = |exponent: i32| {
        if exponent >= 0 {
            magnitude / 10f64.powi(exponent)
        } else {
            magnitude * 10f64.powi(-exponent)
        }
    };
    let mut digits = scale(exponent).round();
    if digits >= 1e15 {
        exponent += 1;
        digits = scale(exponent).round();
    }
    push_u64(out, digits as u64);
    if exponent != 0 {
        out.push(b'e');
        push_i64(out, i64::from(exponent));
    }
}

/// Appends the last `width` decimal digits of `value`, zero-padded (`push_digits(out, 7,
/// 3)` writes `007`): the fields of dates and times.
pub fn push_digits(out: &mut Vec<u8>, value: u32, width: u32) {
    for place in (0..width).rev() {
        out.push(b'0' + (value / 10u32.pow(place) % 10) as u8);
    }
}

/// Appends a decimal exactly as its `Display` does: `-` when the sign is negative (also
/// for a negative zero), the mantissa's digits with a point `scale` digits from the right,
/// and a `0` before the point when nothing else is there (`-0.50`, `17.223`, `100`).
pub fn push_decimal(out: &mut Vec<u8>, value: Decimal) {
    if value.is_sign_negative() {
        out.push(b'-');
    }
    let mantissa = value.mantissa().unsigned_abs();
    let scale = value.scale() as usize;
    let mut buf = [0u8; DIGITS_CAPACITY];
    let digits: &[u8] = if mantissa == 0 {
        &[]
    } else {
        let start = u128_digits(mantissa, &mut buf);
        &buf[start..]
    };
    if scale == 0 {
        if digits.is_empty() {
            out.push(b'0');
        } else {
            out.extend_from_slice(digits);
        }
    } else if digits.len() > scale {
        let point = digits.len() - scale;
        out.extend_from_slice(&digits[..point]);
        out.push(b'.');
        out.extend_from_slice(&digits[point..]);
    } else {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (scale - digits.len()), b'0');
        out.extend_from_slice(digits);
    }
}

// ---- dates and times --------------------------------------------------------------------

/// Appends `YYYY-MM-DD`, as chrono's `Display` writes a date: years outside 0000–9999 with
/// a sign and at least four digits (`+10000-01-01`, `-0005-01-01`).
pub fn push_date(out: &mut Vec<u8>, date: NaiveDate) {
    let year = date.year();
    let magnitude = year.unsigned_abs();
    if !(0..=9999).contains(&year) {
        out.push(if year < 0 { b'-' } else { b'+' });
    }
    if magnitude <= 9999 {
        push_digits(out, magnitude, 4);
    } else {
        push_u64(out, u64::from(magnitude));
    }
    out.push(b'-');
    push_digits(out, date.month(), 2);
    out.push(b'-');
    push_digits(out, date.day(), 2);
}

/// Appends `hh:mm:ss` for a second of the day (`0..86_400`; larger values wrap at 24 h).
pub fn push_time_of_day(out: &mut Vec<u8>, second_of_day: u32) {
    let second_of_day = second_of_day % 86_400;
    push_digits(out, second_of_day / 3600, 2);
    out.push(b':');
    push_digits(out, second_of_day / 60 % 60, 2);
    out.push(b':');
    push_digits(out, second_of_day % 60, 2);
}

/// `YYYY-MM-DD` as a `String` (see [`push_date`]).
pub fn date_text(date: NaiveDate) -> String {
    let mut out = Vec::with_capacity(10);
    push_date(&mut out, date);
    ascii_string(out)
}

/// A decimal's exact text as a `String` (see [`push_decimal`]).
pub fn decimal_text(value: Decimal) -> String {
    let mut out = Vec::with_capacity(16);
    push_decimal(&mut out, value);
    ascii_string(out)
}

/// Bytes the `push_*` functions wrote as text: they write ASCII only, so the conversion
/// cannot fail; the empty fallback only keeps a panic path out.
fn ascii_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_default()
}

// ---- pieces of messages -----------------------------------------------------------------

/// A string in double quotes, with `"`, `\` and control characters escaped as Rust's
/// `{:?}` escapes them (other characters are written as they are).
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\0' => f.write_str("\\0")?,
                c if c.is_control() => {
                    // `\u{7f}`: lowercase hex without leading zeros, as `{:?}` writes it.
                    f.write_str("\\u{")?;
                    let code = u32::from(c);
                    let mut started = false;
                    for shift in (0..8).rev() {
                        let digit = (code >> (shift * 4)) & 0xf;
                        if digit != 0 || started || shift == 0 {
                            started = true;
                            f.write_char(char::from(b"0123456789abcdef"[digit as usize & 0xf]))?;
                        }
                    }
                    f.write_str("}")?;
                }
                c => f.write_str(c.encode_utf8(&mut [0; 4]))?,
            }
        }
        f.write_str("\"")
    }
}

/// A decimal's exact text in a message, the same as its `Display` (`-0.50`, `17.223`).
pub(crate) struct Exact(pub(crate) Decimal);

impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&decimal_text(self.0))
    }
}

/// A date in a message as `YYYY-MM-DD`, the same as its `Display`.
pub(crate) struct Day(pub(crate) NaiveDate);

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&date_text(self.0))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn quoted_matches_debug() {
        for text in [
            "CPU",
            "",
            "a \"b\" \\c",
            "line\nbreak\r\t\0",
            "\u{7f}\u{1}x",
            "核 GB",
        ] {
            assert_eq!(Quoted(text).to_string(), format!("{text:?}"));
        }
    }

    #[test]
    fn exact_and_day_match_display() {
        for text in [
            "0",
            "-0.50",
            "17.223",
            "79228162514264337593543950335",
            "0.0000001",
        ] {
            let value: Decimal = text.parse().expect("decimal");
            assert_eq!(Exact(value).to_string(), value.to_string());
        }
        for (y, m, d) in [
            (2024, 1, 5),
            (1, 12, 31),
            (9999, 2, 3),
            (-5, 1, 1),
            (10000, 1, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            assert_eq!(Day(date).to_string(), date.to_string());
        }
    }

    #[test]
    fn div_rem_small_is_division() {
        for value in [
            0u128,
            9,
            10,
            u64::MAX.into(),
            1 << 96,
            u128::MAX,
            10u128.pow(38) + 7,
        ] {
            for divisor in [1u32, 7, 10, 1_000_000_000, u32::MAX] {
                let expected = (
                    value / u128::from(divisor),
                    (value % u128::from(divisor)) as u32,
                );
                assert_eq!(
                    div_rem_small(value, divisor),
                    expected,
                    "{value} / {divisor}"
                );
            }
        }
    }

    #[test]
    fn amounts_match_decimal_display_for_every_digit_count_and_scale() {
        // Mantissas with 1 to 29 digits, around the u64 and 10^19 boundaries, every scale,
        // both signs, and a negative zero: the hand-written formatter must agree with
        // `Display`, which is the decimal's canonical text.
        let mut mantissas: Vec<i128> = vec![0, 1, 9, 10, 99, 100, 101];
        let mut power: i128 = 1;
        for _ in 0..28 {
            power *= 10;
            mantissas.extend([power - 1, power, power + 1, power * 7 + 3]);
        }
        mantissas.extend([
            i128::from(u64::MAX) - 1,
            i128::from(u64::MAX),
            i128::from(u64::MAX) + 1,
            (1_i128 << 96) - 1,
        ]);
        let mut checked = 0;
        for &mantissa in &mantissas {
            for scale in 0..=28 {
                for sign in [1, -1] {
                    let Ok(value) = Decimal::try_from_i128_with_scale(sign * mantissa, scale)
                    else {
                        continue;
                    };
                    assert_eq!(
                        decimal_text(value),
                        value.to_string(),
                        "{mantissa} e-{scale}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 5_000, "{checked}");
        let mut negative_zero = "0.00".parse::<Decimal>().expect("decimal");
        negative_zero.set_sign_negative(true);
        assert_eq!(decimal_text(negative_zero), negative_zero.to_string());
        assert_eq!(decimal_text(negative_zero), "-0.00");
    }

    #[test]
    fn integers_are_written_in_full() {
        let mut out = Vec::new();
        push_i64(&mut out, i64::MIN);
        out.push(b' ');
        push_i64(&mut out, -1);
        out.push(b' ');
        push_u64(&mut out, u64::MAX);
        out.push(b' ');
        push_u64(&mut out, 0);
        out.push(b' ');
        push_i64(&mut out, 1_602_845_549_040);
        assert_eq!(
            String::from_utf8(out).expect("ascii"),
            "-9223372036854775808 -1 18446744073709551615 0 1602845549040"
        );
        let mut buf = [0u8; DIGITS_CAPACITY];
        let start = u128_digits(u128::MAX, &mut buf);
        assert_eq!(&buf[start..], u128::MAX.to_string().as_bytes());
        let start = u128_digits(10_u128.pow(38), &mut buf);
        assert_eq!(&buf[start..], 10_u128.pow(38).to_string().as_bytes());
    }

    #[test]
    fn dates_and_times_are_zero_padded_fields() {
        let mut out = Vec::new();
        push_time_of_day(&mut out, 0);
        out.push(b' ');
        push_time_of_day(&mut out, 86_399);
        out.push(b' ');
        push_digits(&mut out, 1234, 2);
        assert_eq!(
            String::from_utf8(out).expect("ascii"),
            "00:00:00 23:59:59 34"
        );
        let date = NaiveDate::from_ymd_opt(987, 6, 5).expect("date");
        assert_eq!(date_text(date), "0987-06-05");
    }

    #[test]
    fn estimates_are_written_to_fifteen_significant_digits() {
        let text = |value: f64| {
            let mut out = Vec::new();
            push_f64(&mut out, value);
            String::from_utf8(out).expect("utf-8")
        };
        assert_eq!(text(0.0), "0");
        assert_eq!(text(f64::NAN), "0");
        assert_eq!(text(1.0), "100000000000000e-14");
        assert_eq!(text(-2.5), "-250000000000000e-14");
        for value in [
            1536.5,
            47_631.5,
            0.1,
            1e-7,
            123_456_789.123_456,
            9.999_999_999_999_999e20,
        ] {
            let parsed: f64 = text(value).parse().expect("a number");
            assert!(
                ((parsed - value) / value).abs() < 1e-14,
                "{value} {}",
                text(value)
            );
        }
    }
}
