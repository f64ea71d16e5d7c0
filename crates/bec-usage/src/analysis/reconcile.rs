//! The service's `summary` checked against daily averages recomputed from `dataList`.
//!
//! Every (day, resource) that either side knows becomes one [`ReconcileRow`] with both
//! values, their difference and a [`ReconcileStatus`].
//!
//! # When two averages match
//!
//! The summary is the service's *rounded* average, so an exact comparison would call almost
//! every day different. A recomputed average `r` matches a summary value `s` that shows `k`
//! decimal places (its scale: `17.223` shows 3, `17.2230` shows 4, `17` shows 0) when `s`
//! is `r` rounded to nearest at `k` places, that is when
//!
//! ```text
//! |r − s| ≤ ½ · 10^(−k)
//! ```
//!
//! A tie (exactly half a unit away) matches either neighbour: the service computes with
//! Java `BigDecimal` and does not say whether it rounds `HALF_UP`, `HALF_DOWN` or
//! `HALF_EVEN`, and all three are accepted. So 17.2234 matches 17.223, 17.2225 matches
//! both 17.222 and 17.223, and 17.3 differs from 17.223.
//!
//! With [`ReconcileOptions::tolerance`] set, values also match when `|r − s|` is at most
//! the tolerance (for services that truncate, or round in floating point).

use std::fmt::{self, Write as _};

use chrono::{FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use super::daily::{daily_averages, DailyTable};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{SummaryDay, UsageResponse};
use crate::query::beijing_offset;
use crate::text::{Day, Exact, Quoted};

/// How to reconcile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReconcileOptions {
    /// The UTC offset whose calendar days bucket the points. Default: Beijing, +08:00,
    /// the service's own time zone.
    pub offset: FixedOffset,
    /// An absolute tolerance: values whose difference is at most this much also match.
    /// Default `None`: only the rounding rule of the [module](self) applies. Must not be
    /// negative.
    pub tolerance: Option<Decimal>,
}

impl Default for ReconcileOptions {
    fn default() -> Self {
        ReconcileOptions {
            offset: beijing_offset(),
            tolerance: None,
        }
    }
}

/// How a (day, resource) compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ReconcileStatus {
    /// Both sides have a value and they agree (see the [module](self) for the rule).
    Match,
    /// Both sides have a value and they disagree.
    Differs,
    /// The points give an average but `summary` has none for that day and resource.
    MissingInSummary,
    /// `summary` has a value but no point of that resource falls on that day.
    MissingInData,
}

impl ReconcileStatus {
    /// A stable name, equal to the variant name (`"MissingInSummary"`), for CSV and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ReconcileStatus::Match => "Match",
            ReconcileStatus::Differs => "Differs",
            ReconcileStatus::MissingInSummary => "MissingInSummary",
            ReconcileStatus::MissingInData => "MissingInData",
        }
    }
}

impl fmt::Display for ReconcileStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One (day, resource) of a reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReconcileRow {
    /// The day.
    pub date: NaiveDate,
    /// The resource name.
    pub resource: String,
    /// The resource's unit; empty for a resource that appears only in `summary`.
    pub unit: String,
    /// The service's daily average, as given.
    pub summary: Option<Decimal>,
    /// The average recomputed from the points.
    pub recomputed: Option<Decimal>,
    /// How many points the recomputed average is made of (0 when there is none).
    pub points: usize,
    /// `recomputed − summary`, when both exist.
    pub difference: Option<Decimal>,
    /// How the two compare.
    pub status: ReconcileStatus,
}

/// How many rows have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StatusCounts {
    /// Rows with [`ReconcileStatus::Match`].
    pub matched: usize,
    /// Rows with [`ReconcileStatus::Differs`].
    pub differs: usize,
    /// Rows with [`ReconcileStatus::MissingInSummary`].
    pub missing_in_summary: usize,
    /// Rows with [`ReconcileStatus::MissingInData`].
    pub missing_in_data: usize,
}

impl StatusCounts {
    /// The number of rows.
    pub fn total(&self) -> usize {
        self.matched + self.differs + self.missing_in_summary + self.missing_in_data
    }
}

/// The result of a reconciliation: one row per (day, resource) known to either side.
///
/// Rows are ordered by day; within a day, resources come in the response's order, then
/// resources found only in `summary` in the order `summary` first names them.
/// [`Reconciliation::report`] (also its `Display`) says in plain text what differs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Reconciliation {
    /// The rows.
    pub rows: Vec<ReconcileRow>,
}

impl Reconciliation {
    /// How many rows have each status.
    pub fn counts(&self) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for row in &self.rows {
            match row.status {
                ReconcileStatus::Match => counts.matched += 1,
                ReconcileStatus::Differs => counts.differs += 1,
                ReconcileStatus::MissingInSummary => counts.missing_in_summary += 1,
                ReconcileStatus::MissingInData => counts.missing_in_data += 1,
            }
        }
        counts
    }

    /// `true` when every row matches (an empty reconciliation is consistent).
    pub fn is_consistent(&self) -> bool {
        self.rows.iter().all(|r| r.status == ReconcileStatus::Match)
    }

    /// The rows with `status`, in row order.
    pub fn with_status(&self, status: ReconcileStatus) -> impl Iterator<Item = &ReconcileRow> {
        self.rows.iter().filter(move |r| r.status == status)
    }

    /// The rows whose values differ, in row order.
    pub fn differences(&self) -> impl Iterator<Item = &ReconcileRow> {
        self.with_status(ReconcileStatus::Differs)
    }

    /// The differing row with the largest `|difference|` (the first of equals).
    pub fn largest_difference(&self) -> Option<&ReconcileRow> {
        self.differences()
            .fold(None, |best: Option<&ReconcileRow>, row| {
                let magnitude = row.difference.map(|d| d.abs());
                match best {
                    Some(b) if b.difference.map(|d| d.abs()) >= magnitude => Some(b),
                    _ => Some(row),
                }
            })
    }

    /// A plain-text account: the counts, then one line per row that does not match.
    ///
    /// ```text
    /// 4 daily averages compared with summary: 1 match, 1 differs, 1 missing in summary, 1 missing in data
    /// differs:
    ///   2024-01-01 CPU: recomputed 17.3, summary 17.223, difference +0.077
    /// missing in summary:
    ///   2024-01-02 CPU: recomputed 3.2 from 1440 points
    /// missing in data:
    ///   2024-01-02 EIP: summary 34.423
    /// ```
    pub fn report(&self) -> String {
        let counts = self.counts();
        let mut out = format!(
            "{} daily averages compared with summary: {} match, {} differ{}, {} missing in \
             summary, {} missing in data\n",
            counts.total(),
            counts.matched,
            counts.differs,
            if counts.differs == 1 { "s" } else { "" },
            counts.missing_in_summary,
            counts.missing_in_data
        );
        let sections = [
            (ReconcileStatus::Differs, "differs"),
            (ReconcileStatus::MissingInSummary, "missing in summary"),
            (ReconcileStatus::MissingInData, "missing in data"),
        ];
        for (status, title) in sections {
            let mut rows = self.with_status(status).peekable();
            if rows.peek().is_none() {
                continue;
            }
            out.push_str(title);
            out.push_str(":\n");
            for row in rows {
                // Writing to a String cannot fail.
                let _ = write!(out, "  {} {}: ", Day(row.date), row.resource);
                let _ = match (row.recomputed, row.summary, row.difference) {
                    (Some(r), Some(s), Some(d)) => {
                        let sign = if d.is_sign_negative() { "" } else { "+" };
                        let (r, s, d) = (Exact(r), Exact(s), Exact(d));
                        writeln!(out, "recomputed {r}, summary {s}, difference {sign}{d}")
                    }
                    (Some(r), _, _) => {
                        let noun = if row.points == 1 { "point" } else { "points" };
                        writeln!(out, "recomputed {} from {} {noun}", Exact(r), row.points)
                    }
                    (None, Some(s), _) => writeln!(out, "summary {}", Exact(s)),
                    (None, None, _) => writeln!(out, "no value"),
                };
            }
        }
        out
    }
}

impl fmt::Display for Reconciliation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report())
    }
}

/// Recomputes the daily averages of `response` in `options.offset` and reconciles them
/// with its `summary`.
///
/// Errors: those of [`daily_averages`] and [`reconcile_table`].
pub fn reconcile(response: &UsageResponse, options: &ReconcileOptions) -> Result<Reconciliation> {
    check_tolerance(options.tolerance)?;
    let table = daily_averages(response, options.offset)?;
    reconcile_table(&table, &response.summary, options.tolerance)
}

/// Reconciles an already computed [`DailyTable`] with `summary`.
///
/// If `summary` names a day twice, or a resource twice within a day, the first value is
/// used (a parsed response never does; [`super::merge`] keeps the first too).
///
/// Errors: [`ErrorKind::InvalidArgument`] for a negative tolerance;
/// [`ErrorKind::Overflow`] when a difference leaves the range of a 96-bit decimal.
pub fn reconcile_table(
    table: &DailyTable,
    summary: &[SummaryDay],
    tolerance: Option<Decimal>,
) -> Result<Reconciliation> {
    check_tolerance(tolerance)?;

    // Resources: the table's, then those only `summary` names, in order of first mention.
    let mut resources: Vec<(&str, &str)> = table
        .resources()
        .iter()
        .zip(table.units())
        .map(|(name, unit)| (name.as_str(), unit.as_str()))
        .collect();
    for day in summary {
        for value in &day.values {
            if !resources.iter().any(|(name, _)| *name == value.resource) {
                resources.push((value.resource.as_str(), ""));
            }
        }
    }
    // The first `summary` entry of each day, by day: a stable sort keeps a day's first
    // entry ahead of later ones, and `dedup` keeps the first of each run.
    let mut summary_days: Vec<&SummaryDay> = summary.iter().collect();
    crate::sort::sort_by_key(&mut summary_days, |day| day.date);
    summary_days.dedup_by_key(|day| day.date);

    let mut dates: Vec<NaiveDate> = table.dates().to_vec();
    dates.extend(summary_days.iter().map(|day| day.date));
    crate::sort::sort_by_key(&mut dates, |date| *date);
    dates.dedup();

    let mut rows = Vec::new();
    for date in dates {
        let date_index = table.dates().binary_search(&date).ok();
        let summary_day = summary_days
            .binary_search_by_key(&date, |day| day.date)
            .ok()
            .and_then(|index| summary_days.get(index));
        for (resource_index, (resource, unit)) in resources.iter().enumerate() {
            let cell = date_index.and_then(|d| table.cell(d, resource_index));
            let summary_value = summary_day.and_then(|day| day.get(resource));
            let (difference, status) = match (cell, summary_value) {
                (None, None) => continue,
                (Some(_), None) => (None, ReconcileStatus::MissingInSummary),
                (None, Some(_)) => (None, ReconcileStatus::MissingInData),
                (Some(cell), Some(s)) => {
                    let difference = cell.average.checked_sub(s).ok_or_else(|| {
                        Error::new(
                            ErrorKind::Overflow,
                            format!(
                                "the difference between the recomputed average {} and the \
                                 summary value {s} of resource {resource} on {date} leaves \
                                 the range of a 96-bit decimal; one of them is absurd",
                                Exact(cell.average),
                                s = Exact(s),
                                resource = Quoted(resource),
                                date = Day(date)
                            ),
                        )
                    })?;
                    let status = if agrees(difference, s, tolerance) {
                        ReconcileStatus::Match
                    } else {
                        ReconcileStatus::Differs
                    };
                    (Some(difference), status)
                }
            };
            rows.push(ReconcileRow {
                date,
                resource: (*resource).to_owned(),
                unit: (*unit).to_owned(),
                summary: summary_value,
                recomputed: cell.map(|c| c.average),
                points: cell.map_or(0, |c| c.points),
                difference,
                status,
            });
        }
    }
    Ok(Reconciliation { rows })
}

fn check_tolerance(tolerance: Option<Decimal>) -> Result<()> {
    match tolerance {
        Some(t) if t.is_sign_negative() && !t.is_zero() => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "the reconciliation tolerance {} is negative; give zero or more",
                Exact(t)
            ),
        )),
        _ => Ok(()),
    }
}

/// The matching rule of the module documentation, given `difference = recomputed − summary`.
fn agrees(difference: Decimal, summary: Decimal, tolerance: Option<Decimal>) -> bool {
    let magnitude = difference.abs();
    if tolerance.is_some_and(|t| magnitude <= t) {
        return true;
    }
    // Half a unit in the summary's last place: 5 × 10^-(k+1). A scale of 28 (the most a
    // decimal has) leaves no room for it, but then both sides are multiples of 10^-28 and
    // only an exact match is within half a unit.
    match Decimal::try_new(5, summary.scale() + 1) {
        Ok(half_unit) => magnitude <= half_unit,
        Err(_) => magnitude.is_zero(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::analysis::test_support::{date, dec, point, response, series, summary_day, utc_ms};

    /// One CPU point of `amount` on 2024-01-01 (Beijing) and a summary value for that day.
    fn one_day(amount: &str, summary_value: &str) -> UsageResponse {
        response(
            "2024-01-01",
            "2024-01-01",
            vec![series(
                "CPU",
                "核",
                vec![point(utc_ms("2024-01-01T04:00:00"), amount)],
            )],
            vec![summary_day("2024-01-01", &[("CPU", summary_value)])],
        )
    }

    fn status_of(amount: &str, summary_value: &str) -> ReconcileStatus {
        let rows = reconcile(
            &one_day(amount, summary_value),
            &ReconcileOptions::default(),
        )
        .expect("reconciles")
        .rows;
        assert_eq!(rows.len(), 1);
        rows[0].status
    }

    #[test]
    fn rounded_summary_matches_and_other_value_differs() {
        assert_eq!(status_of("17.2234", "17.223"), ReconcileStatus::Match);
        assert_eq!(status_of("17.3", "17.223"), ReconcileStatus::Differs);
    }

    #[test]
    fn difference_is_recomputed_minus_summary() {
        let result = reconcile(&one_day("17.3", "17.223"), &ReconcileOptions::default())
            .expect("reconciles");
        let row = &result.rows[0];
        assert_eq!(row.date, date("2024-01-01"));
        assert_eq!(row.resource, "CPU");
        assert_eq!(row.unit, "核");
        assert_eq!(row.summary, Some(dec("17.223")));
        assert_eq!(row.recomputed, Some(dec("17.3")));
        assert_eq!(row.difference, Some(dec("0.077")));
        assert_eq!(row.points, 1);
    }

    #[test]
    fn rounding_boundary_is_half_a_unit_either_way() {
        assert_eq!(status_of("17.2235", "17.223"), ReconcileStatus::Match);
        assert_eq!(status_of("17.2235", "17.224"), ReconcileStatus::Match);
        assert_eq!(status_of("17.22351", "17.223"), ReconcileStatus::Differs);
        assert_eq!(status_of("17.2225", "17.223"), ReconcileStatus::Match);
        assert_eq!(status_of("17.22249", "17.223"), ReconcileStatus::Differs);
        assert_eq!(status_of("-1.25", "-1.2"), ReconcileStatus::Match);
        assert_eq!(status_of("-1.26", "-1.2"), ReconcileStatus::Differs);
    }

    #[test]
    fn places_shown_by_the_summary_decide() {
        // `17.2230` shows four places, so 17.2234 no longer rounds to it.
        assert_eq!(status_of("17.2234", "17.2230"), ReconcileStatus::Differs);
        assert_eq!(status_of("17.4", "17"), ReconcileStatus::Match);
        assert_eq!(status_of("17.6", "17"), ReconcileStatus::Differs);
        assert_eq!(status_of("5", "5.000"), ReconcileStatus::Match);
    }

    #[test]
    fn summary_with_28_places_needs_exact_equality() {
        let tiny = "0.0000000000000000000000000001";
        assert_eq!(status_of(tiny, tiny), ReconcileStatus::Match);
        assert_eq!(
            status_of("0.0000000000000000000000000002", tiny),
            ReconcileStatus::Differs
        );
    }

    #[test]
    fn tolerance_widens_the_match() {
        let options = ReconcileOptions {
            tolerance: Some(dec("0.1")),
            ..ReconcileOptions::default()
        };
        let within = reconcile(&one_day("17.3", "17.223"), &options).expect("reconciles");
        assert_eq!(within.rows[0].status, ReconcileStatus::Match);
        let beyond = reconcile(&one_day("17.33", "17.223"), &options).expect("reconciles");
        assert_eq!(beyond.rows[0].status, ReconcileStatus::Differs);
    }

    #[test]
    fn negative_tolerance_is_refused() {
        let options = ReconcileOptions {
            tolerance: Some(dec("-0.1")),
            ..ReconcileOptions::default()
        };
        let error = reconcile(&one_day("1", "1"), &options).expect_err("negative");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message().contains("-0.1"));
    }

    #[test]
    fn default_options_are_beijing_without_tolerance() {
        let options = ReconcileOptions::default();
        assert_eq!(options.offset.local_minus_utc(), 8 * 3600);
        assert_eq!(options.tolerance, None);
    }

    /// Two days, three resources: every status appears once or more.
    fn mixed() -> UsageResponse {
        let day1 = utc_ms("2024-01-01T04:00:00");
        let day2 = utc_ms("2024-01-02T04:00:00");
        response(
            "2024-01-01",
            "2024-01-03",
            vec![
                series("CPU", "核", vec![point(day1, "17.3"), point(day2, "3.2")]),
                series("Memory", "GB", vec![point(day1, "8"), point(day2, "8")]),
            ],
            vec![
                summary_day("2024-01-03", &[("CPU", "1")]),
                summary_day(
                    "2024-01-01",
                    &[("CPU", "17.223"), ("EIP", "34.423"), ("Memory", "8.00")],
                ),
                summary_day("2024-01-02", &[("Memory", "7.99")]),
            ],
        )
    }

    #[test]
    fn rows_cover_the_union_in_order() {
        let result = reconcile(&mixed(), &ReconcileOptions::default()).expect("reconciles");
        let rows: Vec<(String, &str, ReconcileStatus)> = result
            .rows
            .iter()
            .map(|r| (r.date.to_string(), r.resource.as_str(), r.status))
            .collect();
        use ReconcileStatus::*;
        assert_eq!(
            rows,
            [
                ("2024-01-01".to_string(), "CPU", Differs),
                ("2024-01-01".to_string(), "Memory", Match),
                ("2024-01-01".to_string(), "EIP", MissingInData),
                ("2024-01-02".to_string(), "CPU", MissingInSummary),
                ("2024-01-02".to_string(), "Memory", Differs),
                ("2024-01-03".to_string(), "CPU", MissingInData),
            ]
        );
        let eip = &result.rows[2];
        assert_eq!(eip.unit, "", "EIP has no series, so no unit");
        assert_eq!(eip.recomputed, None);
        assert_eq!(eip.difference, None);
        assert_eq!(eip.points, 0);
        assert_eq!(
            result.counts(),
            StatusCounts {
                matched: 1,
                differs: 2,
                missing_in_summary: 1,
                missing_in_data: 2,
            }
        );
        assert_eq!(result.counts().total(), 6);
        assert!(!result.is_consistent());
    }

    #[test]
    fn largest_difference_is_by_magnitude() {
        let result = reconcile(&mixed(), &ReconcileOptions::default()).expect("reconciles");
        let largest = result.largest_difference().expect("there are differences");
        assert_eq!(largest.resource, "CPU");
        assert_eq!(largest.difference, Some(dec("0.077")));
        let differing: Vec<&str> = result.differences().map(|r| r.resource.as_str()).collect();
        assert_eq!(differing, ["CPU", "Memory"]);
    }

    #[test]
    fn report_lists_what_differs_and_by_how_much() {
        let report = reconcile(&mixed(), &ReconcileOptions::default())
            .expect("reconciles")
            .to_string();
        let expected = "\
6 daily averages compared with summary: 1 match, 2 differ, 1 missing in summary, 2 missing in data
differs:
  2024-01-01 CPU: recomputed 17.3, summary 17.223, difference +0.077
  2024-01-02 Memory: recomputed 8, summary 7.99, difference +0.01
missing in summary:
  2024-01-02 CPU: recomputed 3.2 from 1 point
missing in data:
  2024-01-01 EIP: summary 34.423
  2024-01-03 CPU: summary 1
";
        assert_eq!(report, expected);
    }

    #[test]
    fn negative_difference_is_written_with_its_sign() {
        let report = reconcile(&one_day("17.1", "17.223"), &ReconcileOptions::default())
            .expect("reconciles")
            .report();
        assert!(report.contains("difference -0.123"), "{report}");
        assert!(report.contains("1 differs"), "{report}");
    }

    #[test]
    fn consistent_when_everything_matches() {
        let result = reconcile(&one_day("17.2234", "17.223"), &ReconcileOptions::default())
            .expect("reconciles");
        assert!(result.is_consistent());
        assert_eq!(result.largest_difference(), None);
        assert_eq!(
            result.report(),
            "1 daily averages compared with summary: 1 match, 0 differ, 0 missing in summary, \
             0 missing in data\n"
        );
    }

    #[test]
    fn first_summary_value_wins_on_repeats() {
        let mut r = one_day("17.2234", "17.223");
        r.summary.push(summary_day("2024-01-01", &[("CPU", "99")]));
        r.summary[0].values.push(crate::model::SummaryValue {
            resource: "CPU".into(),
            average: dec("98"),
        });
        let result = reconcile(&r, &ReconcileOptions::default()).expect("reconciles");
        assert_eq!(result.rows.len(), 1);
        assert_eq!(result.rows[0].summary, Some(dec("17.223")));
    }

    #[test]
    fn overflowing_difference_is_an_error() {
        let mut r = one_day("1", "1");
        r.resources[0].points[0].amount = Decimal::MAX;
        r.summary[0].values[0].average = Decimal::MIN;
        let error = reconcile(&r, &ReconcileOptions::default()).expect_err("overflow");
        assert_eq!(error.kind(), ErrorKind::Overflow);
        assert!(
            error.message().contains("\"CPU\" on 2024-01-01"),
            "{}",
            error.message()
        );
    }

    #[test]
    fn status_names_are_stable() {
        assert_eq!(ReconcileStatus::Match.as_str(), "Match");
        assert_eq!(ReconcileStatus::Differs.to_string(), "Differs");
        assert_eq!(
            ReconcileStatus::MissingInSummary.as_str(),
            "MissingInSummary"
        );
        assert_eq!(ReconcileStatus::MissingInData.as_str(), "MissingInData");
    }
}
