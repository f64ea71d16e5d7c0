//! CSV export (RFC 4180): the points, the daily table, the resource-hours, the
//! reconciliation and the unusual stretches; the two daily exports take [`DailyExtras`] for unit-hours and cost columns.
//!
//! Every export is UTF-8 text with a header row, CRLF line ends (after the last row too),
//! and fields quoted only when they contain a comma, a double quote, CR or LF, with inner
//! double quotes doubled. Amounts are written as their exact decimal text (the
//! [`Decimal`](rust_decimal::Decimal) `Display`: never an exponent, trailing zeros as given), so reading the file
//! back gives the very same numbers. No byte-order mark is written; a caller offering the
//! file to spreadsheet software that needs one can prepend `"\u{FEFF}"`.
//!
//! Text from the service (resource names, units) is written as it is: a name starting with
//! `=` stays a name and is not escaped against spreadsheet formulas, so that the file
//! reads back unchanged.

use chrono::FixedOffset;

use chrono::NaiveDate;

use super::anomaly::Anomaly;
use super::cost::CostEstimate;
use super::daily::DailyTable;
use super::hours::UsageHours;
use super::reconcile::Reconciliation;
use super::{date_of_epoch_day, offset_ms};
use crate::error::{Error, ErrorKind, Result};
use crate::model::UsageResponse;
use crate::query::DAY_MS;
use crate::text::{push_date, push_decimal, push_digits, push_time_of_day, push_u64, Quoted};

/// The extra columns of a daily export.
///
/// - `unit_hours`: the resource's unit-hours that day ([`super::hours`]), exact; `0` for a
///   day on which the points cover no time.
/// - With a cost estimate, `cost` (exact, not rounded to the currency's minor unit, so
///   the column adds up to the estimate's total) and `currency`; both empty for a resource
///   the price sheet does not price.
#[derive(Debug, Clone, Copy)]
pub struct DailyExtras<'a> {
    /// The resource-hours of the same response.
    pub hours: &'a UsageHours,
    /// The cost estimate from those hours, when a price sheet is loaded.
    pub cost: Option<&'a CostEstimate>,
}

fn push_extras_header(out: &mut Vec<u8>, extras: Option<DailyExtras<'_>>) {
    if let Some(extras) = extras {
        out.extend_from_slice(b",unit_hours");
        if extras.cost.is_some() {
            out.extend_from_slice(b",cost,currency");
        }
    }
    out.extend_from_slice(b"\r\n");
}

fn push_extras(
    out: &mut Vec<u8>,
    extras: Option<DailyExtras<'_>>,
    date: NaiveDate,
    resource: &str,
) {
    let Some(extras) = extras else {
        return;
    };
    out.push(b',');
    let hours = extras.hours.resource(resource).map(|r| r.hours_on(date));
    push_decimal(out, hours.unwrap_or_default());
    if let Some(cost) = extras.cost {
        out.push(b',');
        if cost.resource(resource).is_some() {
            push_decimal(out, cost.cost_on(resource, date).unwrap_or_default());
            out.push(b',');
            push_field(out, &cost.currency);
        } else {
            out.push(b',');
        }
    }
}

/// The points of every resource in long form, one row per point:
///
/// ```text
/// resource,unit,timestamp,amount
/// CPU,核,2024-01-01T08:00:00+08:00,17.223
/// CPU,核,2024-01-01T08:01:00.250+08:00,17.3
/// ```
///
/// Rows come in the response's resource order and, within a resource, in the order of its
/// `dataList`, so the file is a faithful copy of the response (a [merged](super::merge)
/// response is already in timestamp order). The timestamp is ISO 8601 / RFC 3339 local
/// time in `offset`, with the offset written out (`+00:00` for UTC, never `Z`) and
/// milliseconds (`.SSS`) only when they are not zero; a local year outside 0000–9999 is
/// written with its sign and at least five characters (`+10000`), as chrono does.
///
/// Errors: [`ErrorKind::InvalidArgument`] when `offset` is not a whole number of minutes
/// (RFC 3339 cannot write seconds of offset); [`ErrorKind::InvalidTimestamp`] for a
/// timestamp so far from 1970 that it has no calendar date (a parsed response never has one).
pub fn points_csv(response: &UsageResponse, offset: FixedOffset) -> Result<String> {
    let mut writer = TimestampWriter::new(offset)?;

    // The quoted `resource,unit,` prefix of each resource, escaped once rather than per row.
    let prefixes: Vec<Vec<u8>> = response
        .resources
        .iter()
        .map(|series| {
            let mut prefix = Vec::with_capacity(series.name.len() + series.unit.len() + 4);
            push_field(&mut prefix, &series.name);
            prefix.push(b',');
            push_field(&mut prefix, &series.unit);
            prefix.push(b',');
            prefix
        })
        .collect();
    // A row is the prefix, a timestamp of 25 bytes (29 with milliseconds), a comma, an
    // amount of typically under 16 bytes and CRLF.
    let capacity = response
        .resources
        .iter()
        .zip(&prefixes)
        .map(|(series, prefix)| series.points.len().saturating_mul(prefix.len() + 44))
        .fold(64usize, usize::saturating_add);
    let mut out = Vec::with_capacity(capacity);
    out.extend_from_slice(b"resource,unit,timestamp,amount\r\n");

    for (series, prefix) in response.resources.iter().zip(&prefixes) {
        for (index, point) in series.points.iter().enumerate() {
            out.extend_from_slice(prefix);
            writer.write(&mut out, point.timestamp_ms).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidTimestamp,
                    format!(
                        "the timestamp {} of point {index} of resource {} is too far from \
                         1970 to write as a date",
                        point.timestamp_ms,
                        Quoted(&series.name)
                    ),
                )
            })?;
            out.push(b',');
            push_decimal(&mut out, point.amount);
            out.extend_from_slice(b"\r\n");
        }
    }
    Ok(into_string(out))
}

/// The unusual stretches ([`super::find_anomalies`]), one row each, in the order given:
///
/// ```text
/// resource,start,end,peak,value,usual_low,usual_high,score
/// CPU,2024-01-03T02:00:00+08:00,2024-01-03T02:45:00+08:00,2024-01-03T02:10:00+08:00,81.25,9.02,14.7,3.12
/// ```
///
/// Times as in [`points_csv`] (local in `offset`, the end exclusive); `value` the exact mean
/// at the peak; the usual range and the score are estimates, written to 6 significant
/// digits (their further digits mean nothing).
///
/// Errors: as [`points_csv`]'s, for the offset and for times without a calendar date.
pub fn anomalies_csv(anomalies: &[Anomaly], offset: FixedOffset) -> Result<String> {
    let mut writer = TimestampWriter::new(offset)?;
    let mut out = Vec::with_capacity(64 + anomalies.len() * 160);
    out.extend_from_slice(b"resource,start,end,peak,value,usual_low,usual_high,score\r\n");
    for anomaly in anomalies {
        push_field(&mut out, &anomaly.resource);
        for time in [anomaly.start_ms, anomaly.end_ms, anomaly.peak_ms] {
            out.push(b',');
            writer.write(&mut out, time).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidTimestamp,
                    format!(
                        "the time {time} of a stretch of {} is too far from 1970 to write as a \
                         date",
                        Quoted(&anomaly.resource)
                    ),
                )
            })?;
        }
        out.push(b',');
        push_decimal(&mut out, anomaly.value);
        for estimate in [anomaly.usual_low, anomaly.usual_high, anomaly.score] {
            out.push(b',');
            push_estimate(&mut out, estimate);
        }
        out.extend_from_slice(b"\r\n");
    }
    Ok(into_string(out))
}

/// Appends an estimate to 6 significant digits as plain decimal text (`0` when not finite,
/// which no estimate should be).
fn push_estimate(out: &mut Vec<u8>, value: f64) {
    let rounded = rust_decimal::Decimal::from_f64_retain(value)
        .and_then(|d| d.round_sf(6))
        .unwrap_or_default();
    push_decimal(out, rounded.normalize());
}

/// The daily table in long form, one row per non-empty cell, days ascending and resources
/// in the table's order within a day:
///
/// ```text
/// date,resource,unit,average,points
/// 2024-01-01,CPU,核,17.2234,1440
/// ```
///
/// This is the table alone; [`reconciliation_csv`] has the same days side by side with the
/// service's `summary`. With [`DailyExtras`] each row gains `unit_hours` (and `cost,currency`
/// with a cost estimate).
pub fn daily_table_csv(table: &DailyTable, extras: Option<DailyExtras<'_>>) -> String {
    let mut out = Vec::with_capacity(64 + table.dates().len() * table.resources().len() * 80);
    out.extend_from_slice(b"date,resource,unit,average,points");
    push_extras_header(&mut out, extras);
    for (date_index, date) in table.dates().iter().enumerate() {
        let Some(row) = table.row(date_index) else {
            continue;
        };
        for ((cell, resource), unit) in row.iter().zip(table.resources()).zip(table.units()) {
            let Some(cell) = cell else {
                continue;
            };
            push_date(&mut out, *date);
            out.push(b',');
            push_field(&mut out, resource);
            out.push(b',');
            push_field(&mut out, unit);
            out.push(b',');
            push_decimal(&mut out, cell.average);
            out.push(b',');
            push_u64(&mut out, cell.points as u64);
            push_extras(&mut out, extras, *date, resource);
            out.extend_from_slice(b"\r\n");
        }
    }
    into_string(out)
}

/// The resource-hours ([`super::usage_hours`]) in long form, one row per resource and
/// local day with covered time, days ascending and resources in the response's order
/// within a day:
///
/// ```text
/// date,resource,unit,unit_hours,covered_ms
/// 2024-01-01,CPU,核,413.336,86400000
/// ```
///
/// `unit_hours` is exact (core-hours, GB-hours: the unit times hours); `covered_ms` is how
/// much of the day the points cover, in milliseconds (86,400,000 for a whole day), so a
/// reader can tell a short day from a quiet one. A day without covered time has no row.
pub fn hours_csv(hours: &UsageHours) -> String {
    let dates = hours.dates();
    let mut out = Vec::with_capacity(64 + dates.len() * hours.resources.len() * 64);
    out.extend_from_slice(b"date,resource,unit,unit_hours,covered_ms\r\n");
    // Each resource's days are ascending: one cursor per resource walks them in step.
    let mut cursors = vec![0usize; hours.resources.len()];
    for date in dates {
        for (resource, cursor) in hours.resources.iter().zip(cursors.iter_mut()) {
            let Some(day) = resource.days.get(*cursor).filter(|day| day.date == date) else {
                continue;
            };
            *cursor += 1;
            push_date(&mut out, date);
            out.push(b',');
            push_field(&mut out, &resource.resource);
            out.push(b',');
            push_field(&mut out, &resource.unit);
            out.push(b',');
            push_decimal(&mut out, day.hours);
            out.push(b',');
            push_u64(&mut out, day.covered_ms.max(0) as u64);
            out.extend_from_slice(b"\r\n");
        }
    }
    into_string(out)
}

/// The reconciliation, one row per [`ReconcileRow`](super::ReconcileRow) in its order:
///
/// ```text
/// date,resource,unit,summary,recomputed,difference,points,status
/// 2024-01-01,CPU,核,17.223,17.3,0.077,1440,Differs
/// 2024-01-02,EIP,,34.423,,,0,MissingInData
/// ```
///
/// A value that does not exist is an empty field; `difference` is `recomputed − summary`;
/// `status` is [`ReconcileStatus::as_str`](super::ReconcileStatus::as_str).
pub fn reconciliation_csv(
    reconciliation: &Reconciliation,
    extras: Option<DailyExtras<'_>>,
) -> String {
    let mut out = Vec::with_capacity(80 + reconciliation.rows.len() * 112);
    out.extend_from_slice(b"date,resource,unit,summary,recomputed,difference,points,status");
    push_extras_header(&mut out, extras);
    for row in &reconciliation.rows {
        push_date(&mut out, row.date);
        out.push(b',');
        push_field(&mut out, &row.resource);
        out.push(b',');
        push_field(&mut out, &row.unit);
        for value in [row.summary, row.recomputed, row.difference] {
            out.push(b',');
            if let Some(value) = value {
                push_decimal(&mut out, value);
            }
        }
        out.push(b',');
        push_u64(&mut out, row.points as u64);
        out.push(b',');
        out.extend_from_slice(row.status.as_str().as_bytes());
        push_extras(&mut out, extras, row.date, &row.resource);
        out.extend_from_slice(b"\r\n");
    }
    into_string(out)
}

/// Appends `text` as one CSV field, quoted when RFC 4180 requires it.
fn push_field(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for part in bytes.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// Every byte written is either copied from a `&str` or ASCII, so the buffer is UTF-8; the
/// fallback only exists to avoid a panic path.
fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_default()
}

/// Writes timestamps as local ISO 8601 times, caching the date part: consecutive points
/// are usually on the same day.
struct TimestampWriter {
    shift_ms: i64,
    /// `+08:00`.
    suffix: Vec<u8>,
    /// The day number of `date_text`; `None` before the first timestamp.
    cached_day: Option<i64>,
    /// `YYYY-MM-DD` (longer for years outside 0000–9999).
    date_text: Vec<u8>,
}

impl TimestampWriter {
    fn new(offset: FixedOffset) -> Result<Self> {
        let seconds = offset.local_minus_utc();
        if seconds % 60 != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "the UTC offset {}{:02}:{:02}:{:02} has seconds, which an ISO 8601 time \
                     cannot show; use an offset of whole minutes such as +08:00",
                    if seconds < 0 { '-' } else { '+' },
                    seconds.unsigned_abs() / 3600,
                    seconds.unsigned_abs() / 60 % 60,
                    seconds.unsigned_abs() % 60
                ),
            ));
        }
        let minutes = seconds.unsigned_abs() / 60;
        let mut suffix = Vec::with_capacity(6);
        suffix.push(if seconds < 0 { b'-' } else { b'+' });
        // |offset| < 24 h, so both fit two digits.
        push_digits(&mut suffix, minutes / 60, 2);
        suffix.push(b':');
        push_digits(&mut suffix, minutes % 60, 2);
        Ok(TimestampWriter {
            shift_ms: offset_ms(offset),
            suffix,
            cached_day: None,
            date_text: Vec::with_capacity(16),
        })
    }

    /// Appends the local time of `timestamp_ms`; `None` when it has no calendar date.
    fn write(&mut self, out: &mut Vec<u8>, timestamp_ms: i64) -> Option<()> {
        let local = timestamp_ms.checked_add(self.shift_ms)?;
        let day = local.div_euclid(DAY_MS);
        let millis_of_day = local.rem_euclid(DAY_MS) as u32; // 0..86_400_000 fits u32
        if self.cached_day != Some(day) {
            let date = date_of_epoch_day(day)?;
            self.date_text.clear();
            push_date(&mut self.date_text, date);
            self.cached_day = Some(day);
        }
        out.extend_from_slice(&self.date_text);
        out.push(b'T');
        push_time_of_day(out, millis_of_day / 1000);
        let millis = millis_of_day % 1000;
        if millis != 0 {
            out.push(b'.');
            push_digits(out, millis, 3);
        }
        out.extend_from_slice(&self.suffix);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn anomalies_are_one_row_each_with_exact_values_and_rounded_estimates() {
        use crate::analysis::Anomaly;
        let at = |text: &str| {
            chrono::DateTime::parse_from_rfc3339(text)
                .expect("a time")
                .timestamp_millis()
        };
        let anomalies = vec![
            Anomaly {
                resource: "CPU".into(),
                start_ms: at("2024-01-03T02:00:00+08:00"),
                end_ms: at("2024-01-03T02:45:00+08:00"),
                peak_ms: at("2024-01-03T02:10:00+08:00"),
                value: "81.250".parse().expect("a decimal"),
                usual_low: 9.0212345678,
                usual_high: 14.7,
                score: 3.123456789,
            },
            Anomaly {
                resource: "a,b".into(),
                start_ms: 0,
                end_ms: 300_000,
                peak_ms: 0,
                value: "0".parse().expect("a decimal"),
                usual_low: 0.0,
                usual_high: 1234567.891,
                score: f64::NAN,
            },
        ];
        let csv = super::anomalies_csv(&anomalies, crate::query::beijing_offset()).expect("csv");
        assert_eq!(
            csv,
            "resource,start,end,peak,value,usual_low,usual_high,score\r\n\
             CPU,2024-01-03T02:00:00+08:00,2024-01-03T02:45:00+08:00,2024-01-03T02:10:00+08:00,\
             81.250,9.02123,14.7,3.12346\r\n\
             \"a,b\",1970-01-01T08:00:00+08:00,1970-01-01T08:05:00+08:00,1970-01-01T08:00:00+08:00,\
             0,0,1234570,0\r\n"
        );
    }

    use super::*;
    use crate::analysis::reconcile::{reconcile, ReconcileOptions};
    use crate::analysis::test_support::{dec, point, response, series, summary_day, utc_ms};
    use crate::analysis::{daily_averages, DailyTable};
    use crate::query::beijing_offset;
    use rust_decimal::Decimal;

    fn offset(seconds: i32) -> FixedOffset {
        FixedOffset::east_opt(seconds).expect("valid offset")
    }

    fn one_series(name: &str, unit: &str, points: Vec<crate::model::DataPoint>) -> UsageResponse {
        response(
            "2024-01-01",
            "2024-01-01",
            vec![series(name, unit, points)],
            vec![],
        )
    }

    #[test]
    fn points_csv_writes_header_rows_and_crlf() {
        let r = response(
            "2024-01-01",
            "2024-01-01",
            vec![
                series(
                    "CPU",
                    "核",
                    vec![
                        point(utc_ms("2024-01-01T00:00:00"), "17.223"),
                        point(utc_ms("2024-01-01T00:01:00") + 250, "-0.50"),
                    ],
                ),
                series("EIP", "个", vec![]),
                series(
                    "Memory",
                    "GB",
                    vec![point(utc_ms("2023-12-31T16:00:00"), "8")],
                ),
            ],
            vec![],
        );
        let text = points_csv(&r, beijing_offset()).expect("writes");
        assert_eq!(
            text,
            "resource,unit,timestamp,amount\r\n\
             CPU,核,2024-01-01T08:00:00+08:00,17.223\r\n\
             CPU,核,2024-01-01T08:01:00.250+08:00,-0.50\r\n\
             Memory,GB,2024-01-01T00:00:00+08:00,8\r\n"
        );
    }

    #[test]
    fn rows_keep_list_order() {
        let r = one_series("CPU", "核", vec![point(2_000, "2"), point(1_000, "1")]);
        let text = points_csv(&r, offset(0)).expect("writes");
        assert_eq!(
            text,
            "resource,unit,timestamp,amount\r\n\
             CPU,核,1970-01-01T00:00:02+00:00,2\r\n\
             CPU,核,1970-01-01T00:00:01+00:00,1\r\n"
        );
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        let r = one_series("a,\"b\"", "GB\nper day", vec![point(0, "1")]);
        let text = points_csv(&r, offset(0)).expect("writes");
        assert_eq!(
            text,
            "resource,unit,timestamp,amount\r\n\
             \"a,\"\"b\"\"\",\"GB\nper day\",1970-01-01T00:00:00+00:00,1\r\n"
        );
        let mut quoted = Vec::new();
        push_field(&mut quoted, "cr\ronly");
        assert_eq!(quoted, b"\"cr\ronly\"");
        quoted.clear();
        push_field(&mut quoted, "\"");
        assert_eq!(quoted, b"\"\"\"\"");
        quoted.clear();
        push_field(&mut quoted, " spaces and 'apostrophes' stay ");
        assert_eq!(quoted, b" spaces and 'apostrophes' stay ");
    }

    #[test]
    fn quoted_fields_read_back_with_the_csv_crate() {
        let r = one_series("a,\"b\"", "GB\r\n\"x\"", vec![point(0, "1")]);
        let text = points_csv(&r, offset(0)).expect("writes");
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let records: Vec<::csv::StringRecord> = reader
            .records()
            .collect::<std::result::Result<_, _>>()
            .expect("valid CSV");
        assert_eq!(records.len(), 1);
        assert_eq!(&records[0][0], "a,\"b\"");
        assert_eq!(&records[0][1], "GB\r\n\"x\"");
    }

    #[test]
    fn timestamps_in_other_offsets_and_before_1970() {
        let r = one_series("CPU", "核", vec![point(-1, "1"), point(86_399_999, "2")]);
        let text = points_csv(&r, offset(-(3 * 3600 + 30 * 60))).expect("writes");
        assert!(
            text.contains("CPU,核,1969-12-31T20:29:59.999-03:30,1\r\n"),
            "{text}"
        );
        assert!(
            text.contains("CPU,核,1970-01-01T20:29:59.999-03:30,2\r\n"),
            "{text}"
        );
    }

    #[test]
    fn timestamps_agree_with_chrono() {
        let offsets = [0, 8 * 3600, -(9 * 3600 + 45 * 60), 14 * 3600, -12 * 3600];
        let times = [
            0,
            1,
            999,
            1_000,
            59_999,
            1_704_067_199_999,
            1_704_067_200_000,
            -62_167_219_200_000, // 0000-01-01T00:00:00Z
            253_402_300_799_999, // 9999-12-31T23:59:59.999Z
            -86_400_001,
        ];
        for seconds in offsets {
            let zone = offset(seconds);
            let mut writer = TimestampWriter::new(zone).expect("whole minutes");
            for &ms in &times {
                let mut out = Vec::new();
                writer.write(&mut out, ms).expect("in range");
                let expected = chrono::DateTime::from_timestamp_millis(ms)
                    .expect("in chrono's range")
                    .with_timezone(&zone);
                let pattern = if ms.rem_euclid(1000) == 0 {
                    "%Y-%m-%dT%H:%M:%S%:z"
                } else {
                    "%Y-%m-%dT%H:%M:%S%.3f%:z"
                };
                assert_eq!(
                    String::from_utf8(out).expect("ascii"),
                    expected.format(pattern).to_string(),
                    "{ms} at {zone}"
                );
            }
        }
    }

    #[test]
    fn offset_with_seconds_is_refused() {
        let r = one_series("CPU", "核", vec![point(0, "1")]);
        let error = points_csv(&r, offset(8 * 3600 + 1)).expect_err("seconds");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn absurd_timestamp_is_an_error() {
        let r = one_series("CPU", "核", vec![point(i64::MAX, "1")]);
        let error = points_csv(&r, offset(0)).expect_err("out of range");
        assert_eq!(error.kind(), ErrorKind::InvalidTimestamp);
        assert!(error.message().contains("\"CPU\""));
        let r = one_series("CPU", "核", vec![point(i64::MAX - 1_000, "1")]);
        let error = points_csv(&r, offset(0)).expect_err("out of range");
        assert_eq!(error.kind(), ErrorKind::InvalidTimestamp);
    }

    #[test]
    fn amounts_keep_their_exact_text() {
        let amounts = [
            "0",
            "-0.000",
            "1.10",
            "-123456789.123456789",
            "0.0000000000000000000000000001",
            "79228162514264337593543950335",
            "-7.9228162514264337593543950335",
            "0.05",
            "-0.5",
            "100",
            "18446744073709551615",   // u64::MAX: the last fast-path mantissa
            "18446744073709551616",   // the first slow-path one
            "-1844674407370955.1616", // slow path with a point
        ];
        for text in amounts {
            let mut out = Vec::new();
            let amount = dec(text);
            push_decimal(&mut out, amount);
            let written = String::from_utf8(out).expect("ascii");
            assert_eq!(written, amount.to_string());
            assert_eq!(written.parse::<Decimal>(), Ok(amount));
            assert!(!written.contains('e') && !written.contains('E'));
        }
        assert_eq!(dec("1.10").to_string(), "1.10");

        let mut negative_zero = Decimal::new(0, 3);
        negative_zero.set_sign_negative(true);
        let mut out = Vec::new();
        push_decimal(&mut out, negative_zero);
        assert_eq!(out, negative_zero.to_string().as_bytes());
        assert_eq!(out, b"-0.000");
    }

    #[test]
    fn large_years_are_written_with_a_sign() {
        let mut writer = TimestampWriter::new(beijing_offset()).expect("whole minutes");
        let mut out = Vec::new();
        writer
            .write(&mut out, 253_402_300_799_999)
            .expect("in range");
        assert_eq!(out, b"+10000-01-01T07:59:59.999+08:00");
    }

    fn table() -> DailyTable {
        let r = response(
            "2024-01-01",
            "2024-01-02",
            vec![
                series(
                    "CPU",
                    "核",
                    vec![
                        point(utc_ms("2024-01-01T04:00:00"), "17.3"),
                        point(utc_ms("2024-01-02T04:00:00"), "1"),
                        point(utc_ms("2024-01-02T05:00:00"), "2"),
                    ],
                ),
                series(
                    "x,y",
                    "\"GB\"",
                    vec![point(utc_ms("2024-01-02T04:00:00"), "8.50")],
                ),
            ],
            vec![],
        );
        daily_averages(&r, beijing_offset()).expect("no overflow")
    }

    #[test]
    fn daily_table_csv_has_one_row_per_cell() {
        assert_eq!(
            daily_table_csv(&table(), None),
            "date,resource,unit,average,points\r\n\
             2024-01-01,CPU,核,17.3,1\r\n\
             2024-01-02,CPU,核,1.5,2\r\n\
             2024-01-02,\"x,y\",\"\"\"GB\"\"\",8.5,1\r\n"
        );
    }

    #[test]
    fn reconciliation_csv_has_every_row_and_empty_fields_for_missing_values() {
        let r = response(
            "2024-01-01",
            "2024-01-02",
            vec![series(
                "CPU",
                "核",
                vec![
                    point(utc_ms("2024-01-01T04:00:00"), "17.3"),
                    point(utc_ms("2024-01-02T04:00:00"), "-1"),
                ],
            )],
            vec![summary_day(
                "2024-01-01",
                &[("CPU", "17.223"), ("EIP", "34.423")],
            )],
        );
        let reconciliation = reconcile(&r, &ReconcileOptions::default()).expect("reconciles");
        assert_eq!(
            reconciliation_csv(&reconciliation, None),
            "date,resource,unit,summary,recomputed,difference,points,status\r\n\
             2024-01-01,CPU,核,17.223,17.3,0.077,1,Differs\r\n\
             2024-01-01,EIP,,34.423,,,0,MissingInData\r\n\
             2024-01-02,CPU,核,,-1,,1,MissingInSummary\r\n"
        );
    }

    #[test]
    fn empty_exports_are_just_the_header() {
        let r = response("2024-01-01", "2024-01-01", vec![], vec![]);
        assert_eq!(
            points_csv(&r, beijing_offset()).expect("writes"),
            "resource,unit,timestamp,amount\r\n"
        );
        let empty = daily_averages(&r, beijing_offset()).expect("no overflow");
        assert_eq!(
            daily_table_csv(&empty, None),
            "date,resource,unit,average,points\r\n"
        );
    }

    #[test]
    fn digits_are_zero_padded() {
        let mut out = Vec::new();
        push_digits(&mut out, 7, 4);
        push_digits(&mut out, 42, 2);
        assert_eq!(out, b"000742");
        assert_eq!(dec("8.50").to_string(), "8.50");
    }

    #[test]
    fn hours_csv_has_a_row_per_resource_and_covered_day() {
        use crate::analysis::hours::usage_hours;
        // CPU: hourly points 1, 2 and 4 on 2024-01-02 (Beijing), the last standing for one
        // step (an hour); "x,y": one point on 2024-01-03 only.
        let r = response(
            "2024-01-02",
            "2024-01-03",
            vec![
                series(
                    "CPU",
                    "核",
                    vec![
                        point(utc_ms("2024-01-02T04:00:00"), "1"),
                        point(utc_ms("2024-01-02T05:00:00"), "2"),
                        point(utc_ms("2024-01-02T06:00:00"), "4"),
                    ],
                ),
                series(
                    "x,y",
                    "GB",
                    vec![point(utc_ms("2024-01-03T04:00:00"), "0.5")],
                ),
            ],
            vec![],
        );
        let hours = usage_hours(&r, beijing_offset()).expect("hours");
        assert_eq!(
            hours_csv(&hours),
            "date,resource,unit,unit_hours,covered_ms\r\n\
             2024-01-02,CPU,核,7,10800000\r\n\
             2024-01-03,\"x,y\",GB,0.5,3600000\r\n"
        );
        let empty = usage_hours(
            &response("2024-01-02", "2024-01-02", vec![], vec![]),
            beijing_offset(),
        )
        .expect("hours");
        assert_eq!(
            hours_csv(&empty),
            "date,resource,unit,unit_hours,covered_ms\r\n"
        );
    }

    #[test]
    fn daily_exports_gain_unit_hours_and_cost_columns() {
        use crate::analysis::cost::{estimate_cost, PriceSheet, ResourcePrice};
        use crate::analysis::hours::usage_hours;
        // Two CPU points an hour apart on 2024-01-02 (Beijing): 1 + 2 core-hours.
        let r = response(
            "2024-01-02",
            "2024-01-02",
            vec![
                series(
                    "CPU",
                    "核",
                    vec![
                        point(utc_ms("2024-01-02T04:00:00"), "1"),
                        point(utc_ms("2024-01-02T05:00:00"), "2"),
                    ],
                ),
                series("EIP", "个", vec![point(utc_ms("2024-01-02T04:00:00"), "3")]),
            ],
            vec![],
        );
        let hours = usage_hours(&r, beijing_offset()).expect("hours");
        let sheet = PriceSheet {
            currency: "CNY".into(),
            minor_units: 2,
            prices: vec![ResourcePrice::flat("CPU", dec("0.045"))],
        };
        let cost = estimate_cost(&hours, &sheet).expect("cost");
        let table = daily_averages(&r, beijing_offset()).expect("daily");
        let extras = DailyExtras {
            hours: &hours,
            cost: Some(&cost),
        };
        assert_eq!(
            daily_table_csv(&table, Some(extras)),
            "date,resource,unit,average,points,unit_hours,cost,currency\r\n\
             2024-01-02,CPU,核,1.5,2,3,0.135,CNY\r\n\
             2024-01-02,EIP,个,3,1,3,,\r\n"
        );
        let reconciliation = reconcile(&r, &ReconcileOptions::default()).expect("reconciles");
        let without_cost = DailyExtras {
            hours: &hours,
            cost: None,
        };
        let csv = reconciliation_csv(&reconciliation, Some(without_cost));
        assert!(
            csv.starts_with(
                "date,resource,unit,summary,recomputed,difference,points,status,unit_hours\r\n"
            ),
            "{csv}"
        );
        assert!(csv.contains(",1,MissingInSummary,3\r\n"), "{csv}");
    }
}
