//! Pieces of messages, written without the costlier parts of `core::fmt`.
//!
//! Messages quote strings and write decimals and dates. `{:?}` on a string would pull in
//! Unicode tables and escaping code, and the `Display` of [`Decimal`] and of chrono's dates
//! their own formatting machinery: several kilobytes of the WebAssembly module for text
//! that these small wrappers write just as well.

use std::fmt::{self, Write as _};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

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

/// A decimal's exact text, the same as its `Display` (`-0.50`, `17.223`).
pub(crate) struct Exact(pub(crate) Decimal);

impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = Vec::with_capacity(32);
        crate::json::push_decimal(&mut text, self.0);
        f.write_str(std::str::from_utf8(&text).unwrap_or_default())
    }
}

/// A date as `YYYY-MM-DD`, the same as its `Display` (years outside 0000–9999 with a sign).
pub(crate) struct Day(pub(crate) NaiveDate);

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = self.0;
        let year = date.year();
        let mut text = [0u8; 10];
        let digits = |value: u32, slot: &mut [u8]| {
            let mut value = value;
            for byte in slot.iter_mut().rev() {
                *byte = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        if (0..=9999).contains(&year) {
            digits(year as u32, &mut text[..4]);
            f.write_str(std::str::from_utf8(&text[..4]).unwrap_or_default())?;
        } else {
            write!(f, "{year:+05}")?;
        }
        text[4] = b'-';
        digits(date.month(), &mut text[5..7]);
        text[7] = b'-';
        digits(date.day(), &mut text[8..10]);
        f.write_str(std::str::from_utf8(&text[4..]).unwrap_or_default())
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
}
