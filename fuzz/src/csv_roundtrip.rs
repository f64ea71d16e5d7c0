//! CSV written by the core, read back by the `csv` crate: one row per point, every field
//! as it was (names and units with quotes, commas and line breaks; exact amounts).

use arbitrary::Arbitrary;
use bec_usage::analysis::csv::points_csv;
use bec_usage::{DataPoint, ResourceSeries, TimeSpan, UsageResponse};
use chrono::{FixedOffset, NaiveDate};
use rust_decimal::Decimal;

/// A point as (timestamp, mantissa, scale), any values.
type RawPoint = (i64, i64, u8);

#[derive(Debug, Arbitrary)]
struct Input {
    /// Series as (name, unit, points).
    series: Vec<(String, String, Vec<RawPoint>)>,
    offset_minutes: i16,
}

/// Checks one input, as the fuzz target receives it.
fn check(input: Input) {
    let day = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    let resources: Vec<ResourceSeries> = input
        .series
        .iter()
        .map(|(name, unit, points)| ResourceSeries {
            name: name.clone(),
            count: points.len() as u64,
            unit: unit.clone(),
            points: points
                .iter()
                .map(|&(timestamp, mantissa, scale)| DataPoint {
                    // Timestamps within years 0000-9999, as a parsed response has them.
                    timestamp_ms: timestamp.rem_euclid(253_402_300_799_999),
                    amount: Decimal::new(mantissa, u32::from(scale % 29)),
                })
                .collect(),
        })
        .collect();
    let usage = UsageResponse {
        account_id: "fuzz".into(),
        time_span: TimeSpan {
            begin_date: day,
            end_date: day,
        },
        resources,
        summary: Vec::new(),
    };
    let Some(offset) = FixedOffset::east_opt(i32::from(input.offset_minutes % (18 * 60)) * 60)
    else {
        return;
    };
    let text = match points_csv(&usage, offset) {
        Ok(text) => text,
        Err(error) => panic!("points_csv refused a valid response: {error:?}"),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV record")).collect();
    let expected: Vec<(&ResourceSeries, &DataPoint)> = usage
        .resources
        .iter()
        .flat_map(|s| s.points.iter().map(move |p| (s, p)))
        .collect();
    assert_eq!(rows.len(), expected.len(), "{text}");
    for (row, (series, point)) in rows.iter().zip(expected) {
        assert_eq!(&row[0], series.name, "{text}");
        assert_eq!(&row[1], series.unit, "{text}");
        let amount: Decimal = row[3].parse().expect("an amount");
        assert_eq!(amount, point.amount, "{text}");
    }
}

/// Checks the input the fuzzer's bytes make (the `arbitrary` crate, as `fuzz_target!` does).
pub fn run(bytes: &[u8]) {
    if let Some(input) = crate::take(bytes) {
        check(input);
    }
}
