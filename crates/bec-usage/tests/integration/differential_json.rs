//! The hand-written JSON reader (`json::read`) against an independent one: serde_json
//! (raw numbers) into serde-derived structs of the same schema, with the schema's rules
//! applied after. On generated usage responses, valid and then broken (cut, a byte taken
//! out, a byte put in), both must accept or refuse the same documents, and what they
//! accept must read the same: the same strings, keys and order, the same amounts as
//! decimal text, the same timestamps.
//!
//! Where the two readers differ by design, the oracle states the reader's rule: a `count`
//! must fit an `i64`; a repeated key in any object is refused (serde_json keeps the last
//! one of a map, so the oracle keeps every entry and checks); deeply nested unknown values
//! are not generated (serde_json stops at 128 levels, the reader skips them).
#![cfg(not(target_arch = "wasm32"))]

use crate::fixtures;

use std::fmt;
use std::marker::PhantomData;

use bec_usage::json::parse_usage;
use bec_usage::UsageResponse;
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

// ---------------------------------------------------------------------------------------
// The oracle

/// The entries of a JSON object in order, repeated keys kept (to be refused after).
struct Entries<V>(Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, V>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

#[derive(Deserialize)]
struct OracleUsage {
    #[serde(rename = "accountId")]
    account_id: String,
    #[serde(rename = "timeSpan")]
    time_span: OracleSpan,
    #[serde(rename = "graphData")]
    graph_data: Entries<OracleSeries>,
    summary: Entries<Entries<Box<RawValue>>>,
}

#[derive(Deserialize)]
struct OracleSpan {
    #[serde(rename = "beginDate")]
    begin: String,
    #[serde(rename = "endDate")]
    end: String,
}

#[derive(Deserialize)]
struct OracleSeries {
    count: u64,
    unit: String,
    #[serde(rename = "dataList")]
    data_list: Vec<OraclePoint>,
}

#[derive(Deserialize)]
struct OraclePoint {
    amount: Box<RawValue>,
    timestamp: i64,
}

/// A resource as read: (name, count, unit, [(timestamp, amount text)]).
type SeriesReading = (String, u64, String, Vec<(i64, String)>);
/// A summary day as read: (day, [(resource, average text)]).
type DayReading = (NaiveDate, Vec<(String, String)>);

/// What a document says, in comparable form.
#[derive(Debug, PartialEq, Eq)]
struct Reading {
    account_id: String,
    span: (NaiveDate, NaiveDate),
    resources: Vec<SeriesReading>,
    summary: Vec<DayReading>,
}

const MIN_TIMESTAMP_MS: i64 = -62_167_219_200_000;
const MAX_TIMESTAMP_MS: i64 = 253_402_300_799_999;

/// A strict `YYYY-MM-DD` calendar date.
fn oracle_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::from_ymd_opt(
        text[0..4].parse().ok()?,
        text[5..7].parse().ok()?,
        text[8..10].parse().ok()?,
    )
}

/// The exact decimal of a JSON number's text, through rust_decimal's own parsers.
fn oracle_number(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str_exact(text).ok()
    }
}

/// An amount: a JSON number, or a string holding exactly one.
fn oracle_amount(raw: &RawValue) -> Option<Decimal> {
    let text = raw.get();
    if text.starts_with('"') {
        let inner: String = serde_json::from_str(text).ok()?;
        // The string must be a JSON number on its own.
        let number: Box<RawValue> = serde_json::from_str(&inner).ok()?;
        if number.get() != inner || inner.starts_with(['"', '{', '[', 't', 'f', 'n']) {
            return None;
        }
        oracle_number(&inner)
    } else if text.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
        oracle_number(text)
    } else {
        None
    }
}

fn decimal_text(value: Decimal) -> String {
    value.normalize().to_string()
}

fn unique<'a>(keys: impl Iterator<Item = &'a str>) -> bool {
    let mut seen = std::collections::HashSet::new();
    keys.into_iter().all(|key| seen.insert(key))
}

/// The oracle's reading, or `None` where the document must be refused.
fn oracle(text: &str) -> Option<Reading> {
    let usage: OracleUsage = serde_json::from_str(text).ok()?;
    let span = (
        oracle_date(&usage.time_span.begin)?,
        oracle_date(&usage.time_span.end)?,
    );
    if !unique(usage.graph_data.0.iter().map(|(name, _)| name.as_str())) {
        return None;
    }
    let mut resources = Vec::new();
    for (name, series) in usage.graph_data.0 {
        if series.count > i64::MAX as u64 {
            return None;
        }
        let mut points = Vec::new();
        for point in series.data_list {
            if !(MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS).contains(&point.timestamp) {
                return None;
            }
            points.push((point.timestamp, decimal_text(oracle_amount(&point.amount)?)));
        }
        resources.push((name, series.count, series.unit, points));
    }
    let mut summary = Vec::new();
    let mut days_seen = Vec::new();
    for (day, values) in usage.summary.0 {
        let date = oracle_date(&day)?;
        if days_seen.contains(&date) || !unique(values.0.iter().map(|(name, _)| name.as_str())) {
            return None;
        }
        days_seen.push(date);
        let mut averages = Vec::new();
        for (resource, raw) in values.0 {
            averages.push((resource, decimal_text(oracle_amount(&raw)?)));
        }
        summary.push((date, averages));
    }
    Some(Reading {
        account_id: usage.account_id,
        span,
        resources,
        summary,
    })
}

/// The reader's reading of the same document.
fn ours(usage: &UsageResponse) -> Reading {
    Reading {
        account_id: usage.account_id.clone(),
        span: (usage.time_span.begin_date, usage.time_span.end_date),
        resources: usage
            .resources
            .iter()
            .map(|series| {
                (
                    series.name.clone(),
                    series.count,
                    series.unit.clone(),
                    series
                        .points
                        .iter()
                        .map(|point| (point.timestamp_ms, decimal_text(point.amount)))
                        .collect(),
                )
            })
            .collect(),
        summary: usage
            .summary
            .iter()
            .map(|day| {
                (
                    day.date,
                    day.values
                        .iter()
                        .map(|value| (value.resource.clone(), decimal_text(value.average)))
                        .collect(),
                )
            })
            .collect(),
    }
}

/// The property: the same verdict, and the same reading when both accept.
fn agree(text: &str) -> Result<(), TestCaseError> {
    let mine = parse_usage(text);
    let theirs = oracle(text);
    match (&mine, &theirs) {
        (Ok(usage), Some(reading)) => prop_assert_eq!(&ours(usage), reading, "{}", text),
        (Err(error), None) => {
            // A refusal always says what and where.
            prop_assert!(!error.message().is_empty());
        }
        (Ok(_), None) => prop_assert!(
            false,
            "the reader accepts what serde_json refuses: {}",
            text
        ),
        (Err(error), Some(_)) => prop_assert!(
            false,
            "the reader refuses what serde_json accepts ({:?} at {:?}: {}): {}",
            error.kind(),
            error.path(),
            error.message(),
            text
        ),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Generated documents, written by hand so that numbers keep the text chosen for them

/// A JSON string literal of `text`, with non-ASCII characters sometimes escaped as `\uXXXX`.
fn json_string(text: &str, escape_unicode: bool) -> String {
    let plain = serde_json::to_string(text).expect("a string serialises");
    if !escape_unicode {
        return plain;
    }
    let mut out = String::new();
    for c in plain.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("CPU".to_owned()),
        Just("Memory".to_owned()),
        Just("BOS_Standard".to_owned()),
        Just("EIP".to_owned()),
        Just("内存".to_owned()),
        Just("a \"quoted\" \\ name\n".to_owned()),
        Just("😀".to_owned()),
        "[a-zA-Z_ ]{0,8}",
    ]
}

/// An amount's JSON text: plain decimals (most), numeric strings, exponents, big ones.
fn amount() -> impl Strategy<Value = String> {
    let plain =
        (any::<bool>(), 0u64..1_000_000_000_000, 0u32..10).prop_map(|(negative, digits, scale)| {
            let value = Decimal::from_i128_with_scale(i128::from(digits), scale.min(9));
            let text = value.to_string();
            if negative {
                format!("-{text}")
            } else {
                text
            }
        });
    prop_oneof![
        6 => plain.clone(),
        2 => plain.prop_map(|text| format!("\"{text}\"")),
        1 => (1u32..999, -6i32..6).prop_map(|(m, e)| format!("{m}e{e}")),
        1 => (1u32..999, 0i32..4).prop_map(|(m, e)| format!("{m}.5E+{e}")),
        1 => "[1-9][0-9]{17,24}",
        1 => Just("0".to_owned()),
        1 => Just("-0.0".to_owned()),
    ]
}

fn timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (1_600_000_000_000i64..1_800_000_000_000).prop_map(|t| t.to_string()),
        1 => Just(MIN_TIMESTAMP_MS.to_string()),
        1 => Just(MAX_TIMESTAMP_MS.to_string()),
        1 => Just("0".to_owned()),
    ]
}

fn date() -> impl Strategy<Value = String> {
    (2020i32..2026, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// An unknown field's value: shallow, of any type.
fn unknown_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("[1, \"two\", {\"three\": [3.0e0]}]".to_owned()),
        Just("{\"nested\": {\"deeper\": [[], {}]}}".to_owned()),
        Just("\"\\u00e9\\n\\\"\"".to_owned()),
        Just("-12.5e-3".to_owned()),
    ]
}

/// Optional unknown fields, written before a member.
fn extra() -> impl Strategy<Value = String> {
    prop::option::of(unknown_value()).prop_map(|value| match value {
        Some(value) => format!("\"unknownField\": {value}, "),
        None => String::new(),
    })
}

fn point() -> impl Strategy<Value = String> {
    (amount(), timestamp(), extra(), any::<bool>()).prop_map(|(amount, timestamp, extra, swap)| {
        if swap {
            format!("{{{extra}\"timestamp\": {timestamp}, \"amount\": {amount}}}")
        } else {
            format!("{{\"amount\":{amount},{extra}\"timestamp\":{timestamp}}}")
        }
    })
}

fn series() -> impl Strategy<Value = String> {
    (
        name(),
        0u64..20,
        name(),
        prop::collection::vec(point(), 0..5),
        extra(),
        any::<bool>(),
    )
        .prop_map(|(name, count, unit, points, extra, escape)| {
            format!(
                "{}: {{\"count\": {count}, {extra}\"unit\": {}, \"dataList\": [{}]}}",
                json_string(&name, escape),
                json_string(&unit, !escape),
                points.join(", ")
            )
        })
}

fn summary_day() -> impl Strategy<Value = String> {
    (date(), prop::collection::vec((name(), amount()), 0..4)).prop_map(|(day, values)| {
        let values: Vec<String> = values
            .iter()
            .map(|(name, amount)| format!("{}: {amount}", json_string(name, false)))
            .collect();
        format!("\"{day}\": {{{}}}", values.join(", "))
    })
}

/// A usage response (names may repeat: then both readers must refuse it).
fn document() -> impl Strategy<Value = String> {
    (
        name(),
        date(),
        date(),
        prop::collection::vec(series(), 0..4),
        prop::collection::vec(summary_day(), 0..3),
        extra(),
        "[ \n\t]{0,2}",
    )
        .prop_map(|(account, begin, end, series, days, extra, space)| {
            format!(
                "{space}{{{extra}\"accountId\": {},{space}\"timeSpan\": {{\"beginDate\": \"{begin}\", \"endDate\": \"{end}\"}}, \"graphData\": {{{}}}, \"summary\": {{{}}}}}{space}",
                json_string(&account, true),
                series.join(", "),
                days.join(", ")
            )
        })
}

/// A document broken one way: cut short, a byte taken out, or a byte put in.
fn broken() -> impl Strategy<Value = String> {
    (
        document(),
        any::<prop::sample::Index>(),
        0u8..3,
        prop::sample::select(vec![
            '"', ',', '{', '}', '[', ']', ':', '0', '-', 'e', '.', ' ', 'x', '\\', 'n', '9',
        ]),
    )
        .prop_map(|(text, index, how, byte)| {
            let boundaries: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let at = boundaries[index.index(boundaries.len())];
            match how {
                0 => text[..at].to_owned(),
                1 => {
                    let next = boundaries.iter().copied().find(|&i| i > at).unwrap_or(at);
                    format!("{}{}", &text[..at], &text[next..])
                }
                _ => format!("{}{byte}{}", &text[..at], &text[at..]),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn valid_documents_read_the_same(text in document()) {
        agree(&text)?;
    }

    #[test]
    fn broken_documents_are_refused_or_read_the_same(text in broken()) {
        agree(&text)?;
    }
}

#[test]
fn the_oracle_is_not_a_pushover() {
    // The property above is only worth something if the oracle accepts real documents and
    // refuses broken ones on its own.
    let good = fixtures::response("doc-example.json");
    assert!(oracle(good).is_some());
    assert!(parse_usage(good).is_ok());
    assert!(oracle(&good[..good.len() / 2]).is_none());
    assert!(oracle(&good.replacen("\"accountId\"", "\"accountID\"", 1)).is_none());
    let twice = r#"{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-01"},"graphData":{"CPU":{"count":0,"unit":"x","dataList":[]},"CPU":{"count":0,"unit":"x","dataList":[]}},"summary":{}}"#;
    assert!(oracle(twice).is_none());
    assert!(parse_usage(twice).is_err());
}
