//! Writing a usage response as the service's JSON.
//!
//! The output has the exact shape of the service's answer, compact (no spaces):
//!
//! ```text
//! {"accountId":"..","timeSpan":{"beginDate":"YYYY-MM-DD","endDate":"YYYY-MM-DD"},
//!  "graphData":{"<name>":{"count":N,"unit":"..","dataList":[{"amount":1.5,"timestamp":1700000000000},..]},..},
//!  "summary":{"YYYY-MM-DD":{"<name>":1.25,..},..}}
//! ```
//!
//! - Amounts are JSON numbers written from the [`Decimal`](rust_decimal::Decimal)'s exact text, the same text as its
//!   `Display` (`-0.5`, `30.223343133`, `100`, trailing zeros of the scale kept): no exponent,
//!   no quotes, never through `f64`.
//! - Strings are escaped as RFC 8259 requires and no more: `"` and `\` with a backslash, the
//!   control characters U+0000..U+001F as `\u00XX`; everything else, non-ASCII included, is
//!   written as UTF-8.
//! - Resources and days keep the model's order. The model is written as it is: duplicate
//!   resource names or days in the model give duplicate keys in the output.
//!
//! The writer is hand-rolled for speed (it writes tens of megabytes for a month of 1-minute
//! data): one pre-sized buffer, digits formatted by hand, no `format!` per point.

use crate::analysis::cost::{PriceSheet, PriceTier};
use crate::model::{ResourceSeries, SummaryDay, UsageResponse};
use crate::query::format_date;
use crate::text::{push_decimal, push_i64, push_u64};

/// Writes a usage response as the service's JSON: compact (no spaces), amounts as JSON
/// numbers with the [`Decimal`](rust_decimal::Decimal)'s exact text (the text of its `Display`: no exponent,
/// trailing zeros of the scale kept, `-0` for a negative zero), strings escaped as RFC 8259
/// requires (`"` and `\` with a backslash, U+0000..U+001F as `\u00XX`, all else as UTF-8),
/// resources and days in the model's order. The model is written as it is: `count` as
/// stored, and duplicate names or days give duplicate keys.
///
/// ```
/// use bec_usage::json::write_usage;
/// use bec_usage::{DataPoint, ResourceSeries, TimeSpan, UsageResponse};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
///
/// let day = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
/// let usage = UsageResponse {
///     account_id: "acc".into(),
///     time_span: TimeSpan { begin_date: day, end_date: day },
///     resources: vec![ResourceSeries {
///         name: "CPU".into(),
///         count: 1,
///         unit: "核".into(),
///         points: vec![DataPoint { timestamp_ms: 1704038400000, amount: Decimal::new(30223, 3) }],
///     }],
///     summary: vec![],
/// };
/// assert_eq!(
///     write_usage(&usage),
///     r#"{"accountId":"acc","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-01"},"graphData":{"CPU":{"count":1,"unit":"核","dataList":[{"amount":30.223,"timestamp":1704038400000}]}},"summary":{}}"#
/// );
/// ```
pub fn write_usage(usage: &UsageResponse) -> String {
    let mut out = Vec::with_capacity(estimated_len(usage));
    out.extend_from_slice(b"{\"accountId\":");
    push_string(&mut out, &usage.account_id);
    out.extend_from_slice(b",\"timeSpan\":{\"beginDate\":\"");
    out.extend_from_slice(format_date(usage.time_span.begin_date).as_bytes());
    out.extend_from_slice(b"\",\"endDate\":\"");
    out.extend_from_slice(format_date(usage.time_span.end_date).as_bytes());
    out.extend_from_slice(b"\"},\"graphData\":{");
    for (i, series) in usage.resources.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_series(&mut out, series);
    }
    out.extend_from_slice(b"},\"summary\":{");
    for (i, day) in usage.summary.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_summary_day(&mut out, day);
    }
    out.extend_from_slice(b"}}");
    // Every byte written is ASCII or copied whole from a `&str`, so this is always valid
    // UTF-8; the fallback (not a lossy conversion, whose code would only weigh on the
    // WebAssembly module) only exists so that no path can panic.
    String::from_utf8(out).unwrap_or_default()
}

/// A slight over-estimate of the output length, so the buffer is allocated once.
fn estimated_len(usage: &UsageResponse) -> usize {
    let mut len = 96 + usage.account_id.len();
    for series in &usage.resources {
        // `{"amount":` + `,"timestamp":` + 13 digits + `},` is 38 bytes; the amount adds
        // its digits, about scale + 3 for everyday values.
        let scale = series
            .points
            .first()
            .map_or(0, |p| p.amount.scale() as usize);
        len += 48 + series.name.len() + series.unit.len();
        len += series.points.len().saturating_mul(42 + scale);
    }
    for day in &usage.summary {
        len += 16;
        for value in &day.values {
            len += value.resource.len() + 8 + value.average.scale() as usize + 6;
        }
    }
    len
}

fn push_series(out: &mut Vec<u8>, series: &ResourceSeries) {
    push_string(out, &series.name);
    out.extend_from_slice(b":{\"count\":");
    push_u64(out, series.count);
    out.extend_from_slice(b",\"unit\":");
    push_string(out, &series.unit);
    out.extend_from_slice(b",\"dataList\":[");
    for (i, point) in series.points.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"amount\":");
        push_decimal(out, point.amount);
        out.extend_from_slice(b",\"timestamp\":");
        push_i64(out, point.timestamp_ms);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
}

fn push_summary_day(out: &mut Vec<u8>, day: &SummaryDay) {
    out.push(b'"');
    out.extend_from_slice(format_date(day.date).as_bytes());
    out.extend_from_slice(b"\":{");
    for (i, value) in day.values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_string(out, &value.resource);
        out.push(b':');
        push_decimal(out, value.average);
    }
    out.push(b'}');
}

/// Writes a price sheet in the format [`parse_price_sheet`](super::parse_price_sheet)
/// reads, prices as exact numbers, one resource per line so that a shared file reads well.
pub fn write_price_sheet(sheet: &PriceSheet) -> String {
    let mut out = Vec::with_capacity(64 + sheet.prices.len() * 48);
    out.extend_from_slice(b"{\n  \"currency\": ");
    push_string(&mut out, &sheet.currency);
    out.extend_from_slice(b",\n  \"minorUnits\": ");
    push_u64(&mut out, u64::from(sheet.minor_units));
    out.extend_from_slice(b",\n  \"prices\": {");
    for (index, price) in sheet.prices.iter().enumerate() {
        out.extend_from_slice(if index == 0 { b"\n    " } else { b",\n    " });
        push_string(&mut out, &price.resource);
        out.extend_from_slice(b": ");
        match price.tiers.as_slice() {
            [PriceTier { up_to: None, price }] => push_decimal(&mut out, *price),
            tiers => {
                out.push(b'[');
                for (i, tier) in tiers.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b", ");
                    }
                    out.push(b'{');
                    if let Some(up_to) = tier.up_to {
                        out.extend_from_slice(b"\"upTo\": ");
                        push_decimal(&mut out, up_to);
                        out.extend_from_slice(b", ");
                    }
                    out.extend_from_slice(b"\"price\": ");
                    push_decimal(&mut out, tier.price);
                    out.push(b'}');
                }
                out.push(b']');
            }
        }
    }
    out.extend_from_slice(b"\n  }\n}\n");
    String::from_utf8(out).unwrap_or_default()
}

/// Writes `text` as a JSON string: quoted, `"` `\` and U+0000..U+001F escaped.
pub(crate) fn push_string(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.push(b'"');
    // Copy runs of bytes that need no escape in one go. Multi-byte UTF-8 sequences only
    // contain bytes >= 0x80, so they are never split.
    let mut run_start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let escape: Option<&[u8]> = match byte {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            0x00..=0x1f => None,
            _ => continue,
        };
        out.extend_from_slice(&bytes[run_start..i]);
        match escape {
            Some(sequence) => out.extend_from_slice(sequence),
            None => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0x0f)],
            ]),
        }
        run_start = i + 1;
    }
    out.extend_from_slice(&bytes[run_start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataPoint, SummaryValue, TimeSpan};
    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).expect("test decimal")
    }

    fn decimal_text(value: Decimal) -> String {
        let mut out = Vec::new();
        push_decimal(&mut out, value);
        String::from_utf8(out).expect("ascii")
    }

    fn string_text(value: &str) -> String {
        let mut out = Vec::new();
        push_string(&mut out, value);
        String::from_utf8(out).expect("utf-8")
    }

    fn series(name: &str, unit: &str, points: &[(i64, &str)]) -> ResourceSeries {
        ResourceSeries {
            name: name.into(),
            count: points.len() as u64,
            unit: unit.into(),
            points: points
                .iter()
                .map(|&(timestamp_ms, amount)| DataPoint {
                    timestamp_ms,
                    amount: dec(amount),
                })
                .collect(),
        }
    }

    #[test]
    fn small_response_is_written_exactly() {
        let usage = UsageResponse {
            account_id: "f2c9d1e4".into(),
            time_span: TimeSpan {
                begin_date: day("2020-11-03"),
                end_date: day("2020-11-04"),
            },
            resources: vec![
                series(
                    "CPU",
                    "核",
                    &[(1604332800000, "30.223"), (1604332860000, "-0.5")],
                ),
                series("EIP", "个", &[(1604332800000, "100")]),
                ResourceSeries {
                    // `count` is written as the model says, even when it disagrees.
                    count: 30,
                    ..series("BOS_Standard", "GB", &[(1604332800000, "30.223343133")])
                },
                series("Memory", "GB", &[]),
            ],
            summary: vec![
                SummaryDay {
                    date: day("2020-11-03"),
                    values: vec![
                        SummaryValue {
                            resource: "CPU".into(),
                            average: dec("14.8615"),
                        },
                        SummaryValue {
                            resource: "EIP".into(),
                            average: dec("0"),
                        },
                    ],
                },
                SummaryDay {
                    date: day("2020-11-04"),
                    values: vec![],
                },
            ],
        };
        let expected = concat!(
            r#"{"accountId":"f2c9d1e4","timeSpan":{"beginDate":"2020-11-03","endDate":"2020-11-04"},"#,
            r#""graphData":{"#,
            r#""CPU":{"count":2,"unit":"核","dataList":[{"amount":30.223,"timestamp":1604332800000},{"amount":-0.5,"timestamp":1604332860000}]},"#,
            r#""EIP":{"count":1,"unit":"个","dataList":[{"amount":100,"timestamp":1604332800000}]},"#,
            r#""BOS_Standard":{"count":30,"unit":"GB","dataList":[{"amount":30.223343133,"timestamp":1604332800000}]},"#,
            r#""Memory":{"count":0,"unit":"GB","dataList":[]}},"#,
            r#""summary":{"2020-11-03":{"CPU":14.8615,"EIP":0},"2020-11-04":{}}}"#
        );
        assert_eq!(write_usage(&usage), expected);
    }

    #[test]
    fn empty_response_has_every_field() {
        let usage = UsageResponse {
            account_id: String::new(),
            time_span: TimeSpan {
                begin_date: day("2024-02-29"),
                end_date: day("2024-03-01"),
            },
            resources: vec![],
            summary: vec![],
        };
        assert_eq!(
            write_usage(&usage),
            r#"{"accountId":"","timeSpan":{"beginDate":"2024-02-29","endDate":"2024-03-01"},"graphData":{},"summary":{}}"#
        );
    }

    #[test]
    fn strings_are_escaped_per_rfc_8259() {
        assert_eq!(string_text("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            string_text("line\nnext\ttab\r"),
            r#""line\u000anext\u0009tab\u000d""#
        );
        assert_eq!(string_text("\u{0}\u{1f}"), r#""\u0000\u001f""#);
        // DEL, `/` and non-ASCII need no escape: written as they are, in UTF-8.
        assert_eq!(string_text("核/个\u{7f}é😀"), "\"核/个\u{7f}é😀\"");
        assert_eq!(string_text(""), r#""""#);
    }

    #[test]
    fn escaped_resource_name_appears_in_graph_data_and_summary() {
        let name = "a\"b\\c\n存储";
        let usage = UsageResponse {
            account_id: "x".into(),
            time_span: TimeSpan {
                begin_date: day("2024-01-01"),
                end_date: day("2024-01-01"),
            },
            resources: vec![series(name, "G\"B", &[(0, "1")])],
            summary: vec![SummaryDay {
                date: day("2024-01-01"),
                values: vec![SummaryValue {
                    resource: name.into(),
                    average: dec("1"),
                }],
            }],
        };
        let text = write_usage(&usage);
        let escaped = r#""a\"b\\c\u000a存储""#;
        assert!(
            text.contains(&format!(r#"{escaped}:{{"count":1,"unit":"G\"B""#)),
            "{text}"
        );
        assert!(text.contains(&format!(r#"{{{escaped}:1}}"#)), "{text}");
        assert!(!text.contains('\n'));
    }

    #[test]
    fn amounts_are_written_as_exact_decimal_text() {
        for (value, text) in [
            (dec("-0.5"), "-0.5"),
            (dec("30.223343133"), "30.223343133"),
            (dec("0"), "0"),
            (dec("100"), "100"),
            (dec("0.000"), "0.000"),
            (dec("1.500"), "1.500"),
            (
                dec("0.0000000000000000000000000001"),
                "0.0000000000000000000000000001",
            ),
            (Decimal::MAX, "79228162514264337593543950335"),
            (Decimal::MIN, "-79228162514264337593543950335"),
            (Decimal::new(-1, 28), "-0.0000000000000000000000000001"),
            (Decimal::new(-1, 0), "-1"),
        ] {
            assert_eq!(decimal_text(value), text);
        }
    }
}
