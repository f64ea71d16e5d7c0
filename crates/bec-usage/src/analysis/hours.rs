//! Resource-hours: how much of each resource was used over time, in the units a bill uses
//! (core-hours, GB-hours, EIP-hours), per local day and for the whole range, exact.
//!
//! # How a point counts
//!
//! The service samples each resource at a regular step (a minute, five minutes, an hour).
//! A point stands for the time from its timestamp to the next point's, so its contribution
//! is `amount × duration`:
//!
//! - The **usual step** of a series is the median of the distances between its consecutive
//!   points (equal timestamps left out). A series with a single point borrows the median
//!   step of the response's other series; with no step anywhere it counts for no time.
//! - When the next point comes within [`MAX_FILLED_STEPS`] usual steps, the point stands
//!   for the whole distance: a missing point or two is filled by the value before it.
//! - When the next point is further away, the point stands for one usual step and the rest
//!   is a **gap**: not filled, not counted, and listed in [`ResourceHours::gaps`] with its
//!   length summed in [`ResourceHours::gap_ms`].
//! - The last point stands for one usual step, cut at the end of the range when one is
//!   given (local midnight after the range's last day).
//! - A point that shares its timestamp with the next counts for nothing (the later one
//!   stands for the interval), so a repeated point is not counted twice.
//!
//! Points need not come in time order; they are put in order first. A point's interval is
//! split at local midnight, so each day gets exactly the part that fell on it.
//!
//! # Exactness
//!
//! `amount × milliseconds` is summed exactly (integers of 128 bits when all amounts of a
//! series have one scale, `Decimal` arithmetic otherwise). The only rounding is the one
//! division by 3,600,000 ms that turns a day's or the range's sum into hours: a quotient that
//! does not terminate (a minute is 1/60 hour) is rounded to 28 significant digits. The
//! range's total is divided once from the exact sum, so it is not the sum of the rounded
//! days, though the two differ only in the 28th digit.

use std::borrow::Cow;

use chrono::{FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use super::{date_of_epoch_day, in_time_order, lower_median, offset_ms, usual_step};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{DataPoint, ResourceSeries, UsageResponse};
use crate::query::{epoch_day, DAY_MS};

/// The longest distance between two points, in usual steps, that is filled by the earlier
/// point's value. Longer distances are gaps.
pub const MAX_FILLED_STEPS: i64 = 3;

/// Milliseconds in an hour.
const HOUR_MS: i64 = 3_600_000;

/// One local day of a resource's usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DayHours {
    /// The local calendar day.
    pub date: NaiveDate,
    /// The unit-hours used on that day (core-hours, GB-hours, ...).
    pub hours: Decimal,
    /// How many milliseconds of the day the points cover (at most 86,400,000).
    pub covered_ms: i64,
}

/// A stretch of time between two points that is too long to fill (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Gap {
    /// Where the gap starts: one usual step after the point before it (epoch ms).
    pub start_ms: i64,
    /// Where it ends: the next point's timestamp (epoch ms).
    pub end_ms: i64,
}

impl Gap {
    /// The gap's length in milliseconds.
    pub fn duration_ms(&self) -> i64 {
        self.end_ms - self.start_ms
    }
}

/// The resource-hours of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ResourceHours {
    /// The resource name.
    pub resource: String,
    /// The resource's unit (`核`, `GB`); the hours are this unit times hours.
    pub unit: String,
    /// The usual step in milliseconds; `None` when there was none to use.
    pub step_ms: Option<i64>,
    /// The unit-hours of the whole range.
    pub total: Decimal,
    /// The days that have covered time, ascending.
    pub days: Vec<DayHours>,
    /// How many milliseconds the points cover in all.
    pub covered_ms: i64,
    /// The gaps that were not filled, in time order.
    pub gaps: Vec<Gap>,
    /// The sum of the gaps' lengths in milliseconds.
    pub gap_ms: i64,
}

impl ResourceHours {
    /// The unit-hours of `date`; zero for a day without covered time.
    pub fn hours_on(&self, date: NaiveDate) -> Decimal {
        self.days
            .iter()
            .find(|day| day.date == date)
            .map_or(Decimal::ZERO, |day| day.hours)
    }
}

/// The resource-hours of every resource of a response, in the response's order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UsageHours {
    /// The UTC offset whose calendar days the days are.
    #[cfg_attr(feature = "serde", serde(with = "offset_seconds"))]
    pub offset: FixedOffset,
    /// One entry per resource, in the response's order.
    pub resources: Vec<ResourceHours>,
}

impl UsageHours {
    /// The entry of `resource`.
    pub fn resource(&self, resource: &str) -> Option<&ResourceHours> {
        self.resources.iter().find(|r| r.resource == resource)
    }

    /// Every day on which some resource has covered time, ascending.
    pub fn dates(&self) -> Vec<NaiveDate> {
        let mut dates: Vec<NaiveDate> = self
            .resources
            .iter()
            .flat_map(|r| r.days.iter().map(|day| day.date))
            .collect();
        crate::sort::sort_by_key(&mut dates, |date| *date);
        dates.dedup();
        dates
    }
}

/// The resource-hours of every resource of `response`, days in `offset`'s calendar, the
/// last points cut at local midnight after `time_span.end_date`.
///
/// # Errors
/// [`ErrorKind::Overflow`] when a sum leaves the range of a decimal.
pub fn usage_hours(response: &UsageResponse, offset: FixedOffset) -> Result<UsageHours> {
    // Plain loops rather than iterator chains here and below: each chain is compiled into
    // its own collecting code, which the WebAssembly module's size budget notices.
    let count = response.resources.len();
    let mut ordered: Vec<Cow<'_, [DataPoint]>> = Vec::with_capacity(count);
    let mut steps = Vec::with_capacity(count);
    let mut known = Vec::with_capacity(count);
    for series in &response.resources {
        let points = in_time_order(&series.points);
        let step = usual_step(&points);
        if let Some(step) = step {
            known.push(step);
        }
        steps.push(step);
        ordered.push(points);
    }
    let fallback = lower_median(&mut known);
    let end_ms = response
        .time_span
        .end_date
        .succ_opt()
        .map(|next| epoch_day(next) * DAY_MS - offset_ms(offset));
    let mut resources = Vec::with_capacity(count);
    for ((series, points), step) in response.resources.iter().zip(&ordered).zip(steps) {
        resources.push(series_hours(
            series,
            points,
            offset,
            step.or(fallback),
            end_ms,
        )?);
    }
    Ok(UsageHours { offset, resources })
}

/// The resource-hours of one series on its own: its own usual step, no end of range (the
/// last point stands for a whole step).
///
/// # Errors
/// [`ErrorKind::Overflow`] when a sum leaves the range of a decimal.
pub fn resource_hours(series: &ResourceSeries, offset: FixedOffset) -> Result<ResourceHours> {
    let points = in_time_order(&series.points);
    series_hours(series, &points, offset, usual_step(&points), None)
}

/// The resource-hours of one series.
///
/// Never inlined, for the reason [`super::anomaly`]'s per-resource function is not: as a
/// function of its own, called once per resource, browsers optimise it after its first
/// calls, while a copy inlined into the entry point (called once) would run unoptimised
/// throughout, about twice as slow.
#[inline(never)]
fn series_hours(
    series: &ResourceSeries,
    points: &[DataPoint],
    offset: FixedOffset,
    step: Option<i64>,
    end_ms: Option<i64>,
) -> Result<ResourceHours> {
    let walk = Walk::new(points, step.unwrap_or(0), end_ms, offset_ms(offset));
    let days = match single_scale(points) {
        Some(scale) => walk
            .sums(MantissaSum::new(scale))
            .or_else(|| walk.sums(Decimal::ZERO)),
        None => walk.sums(Decimal::ZERO),
    }
    .ok_or_else(|| overflow(&series.name))?;

    let mut total = Decimal::ZERO;
    let mut covered_ms = 0;
    let mut out = Vec::with_capacity(days.len());
    for (day, sum, covered) in days {
        total = super::checked_add(total, sum).ok_or_else(|| overflow(&series.name))?;
        covered_ms += covered;
        let date = date_of_epoch_day(day).ok_or_else(|| overflow(&series.name))?;
        out.push(DayHours {
            date,
            hours: to_hours(sum).ok_or_else(|| overflow(&series.name))?,
            covered_ms: covered,
        });
    }
    let gaps = walk.gaps();
    Ok(ResourceHours {
        resource: series.name.clone(),
        unit: series.unit.clone(),
        step_ms: step,
        total: to_hours(total).ok_or_else(|| overflow(&series.name))?,
        days: out,
        covered_ms,
        gap_ms: gaps.iter().map(Gap::duration_ms).sum(),
        gaps,
    })
}

fn overflow(resource: &str) -> Error {
    Error::new(
        ErrorKind::Overflow,
        format!("the resource-hours of {resource} exceed the range of a decimal"),
    )
}

/// Unit-milliseconds to unit-hours, trailing zeros removed.
fn to_hours(unit_ms: Decimal) -> Option<Decimal> {
    unit_ms
        .checked_div(Decimal::from(HOUR_MS))
        .map(|h| h.normalize())
}

/// The scale every amount has, if they all have one.
fn single_scale(points: &[DataPoint]) -> Option<u32> {
    let scale = points.first()?.amount.scale();
    points
        .iter()
        .all(|p| p.amount.scale() == scale)
        .then_some(scale)
}

/// A running sum of `amount × milliseconds`.
trait WeightedSum: Copy {
    /// Adds `amount × ms`; `false` when this kind of sum cannot hold it.
    fn add(&mut self, amount: Decimal, ms: i64) -> bool;
    /// The sum in unit-milliseconds.
    fn total(self) -> Option<Decimal>;
    /// A fresh sum of the same kind.
    fn zero(self) -> Self;
}

impl WeightedSum for Decimal {
    fn add(&mut self, amount: Decimal, ms: i64) -> bool {
        match super::checked_mul(amount, Decimal::from(ms))
            .and_then(|product| super::checked_add(*self, product))
        {
            Some(sum) => {
                *self = sum;
                true
            }
            None => false,
        }
    }

    fn total(self) -> Option<Decimal> {
        Some(self)
    }

    fn zero(self) -> Self {
        Decimal::ZERO
    }
}

/// The fast sum for amounts of one scale: integer mantissas. Consecutive points mostly stand
/// for the same time (one step), so mantissas are summed per run of equal durations and
/// multiplied once when the duration changes: one 128-bit addition a point.
#[derive(Clone, Copy)]
struct MantissaSum {
    /// The sum of the runs already multiplied out.
    sum: i128,
    /// The duration of the current run.
    run_ms: i64,
    /// The sum of the current run's mantissas.
    run: i128,
    scale: u32,
}

impl MantissaSum {
    fn new(scale: u32) -> Self {
        MantissaSum {
            sum: 0,
            run_ms: 0,
            run: 0,
            scale,
        }
    }

    /// The sum with the current run multiplied out.
    fn settled(&self) -> Option<i128> {
        self.run
            .checked_mul(i128::from(self.run_ms))
            .and_then(|product| self.sum.checked_add(product))
    }
}

impl WeightedSum for MantissaSum {
    #[inline]
    fn add(&mut self, amount: Decimal, ms: i64) -> bool {
        if ms != self.run_ms {
            match self.settled() {
                Some(sum) => self.sum = sum,
                None => return false,
            }
            self.run_ms = ms;
            self.run = 0;
        }
        match self.run.checked_add(amount.mantissa()) {
            Some(run) => {
                self.run = run;
                true
            }
            None => false,
        }
    }

    fn total(self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.settled()?, self.scale).ok()
    }

    fn zero(self) -> Self {
        MantissaSum::new(self.scale)
    }
}

/// The walk along a sorted series that decides how long each point stands.
struct Walk<'a> {
    points: &'a [DataPoint],
    step: i64,
    end_ms: Option<i64>,
    offset_ms: i64,
}

impl<'a> Walk<'a> {
    fn new(points: &'a [DataPoint], step: i64, end_ms: Option<i64>, offset_ms: i64) -> Self {
        Walk {
            points,
            step,
            end_ms,
            offset_ms,
        }
    }

    /// The gaps, in time order.
    fn gaps(&self) -> Vec<Gap> {
        let limit = self.step.saturating_mul(MAX_FILLED_STEPS);
        let mut gaps = Vec::new();
        for pair in self.points.windows(2) {
            if pair[1].timestamp_ms - pair[0].timestamp_ms > limit {
                gaps.push(Gap {
                    start_ms: pair[0].timestamp_ms + self.step,
                    end_ms: pair[1].timestamp_ms,
                });
            }
        }
        gaps
    }

    /// `(epoch day, unit-ms sum, covered ms)` per local day with covered time, ascending;
    /// `None` when a sum does not fit `S`.
    fn sums<S: WeightedSum>(&self, zero: S) -> Option<Vec<(i64, Decimal, i64)>> {
        let mut days = Vec::new();
        // The current local day: its number, its bounds in local ms, its sums.
        let mut day = i64::MIN;
        let (mut day_start, mut day_end) = (0i64, 0i64);
        let mut sum = zero.zero();
        let mut covered = 0i64;
        let limit = self.step.saturating_mul(MAX_FILLED_STEPS);
        for (index, point) in self.points.iter().enumerate() {
            // How long the point stands (the module docs' rules). Worked out here, in the
            // loop over every point, rather than in a method: the WebAssembly build
            // optimises for size and does not inline even a small method into this loop.
            let mut left = match self.points.get(index + 1) {
                Some(next) if next.timestamp_ms - point.timestamp_ms <= limit => {
                    next.timestamp_ms - point.timestamp_ms
                }
                Some(_) => self.step,
                None => match self.end_ms {
                    Some(end) => self.step.min(end - point.timestamp_ms).max(0),
                    None => self.step,
                },
            };
            let amount = point.amount;
            let mut local = point.timestamp_ms + self.offset_ms;
            while left > 0 {
                if local < day_start || local >= day_end {
                    if day != i64::MIN {
                        days.push((day, sum.total()?, covered));
                    }
                    day = local.div_euclid(DAY_MS);
                    day_start = day * DAY_MS;
                    day_end = day_start + DAY_MS;
                    sum = zero.zero();
                    covered = 0;
                }
                let part = left.min(day_end - local);
                if !sum.add(amount, part) {
                    return None;
                }
                covered += part;
                local += part;
                left -= part;
            }
        }
        if day != i64::MIN {
            days.push((day, sum.total()?, covered));
        }
        Some(days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::{date, dec, point, response, series, utc_ms};
    use crate::query::beijing_offset;

    fn utc() -> FixedOffset {
        FixedOffset::east_opt(0).expect("UTC")
    }

    #[test]
    fn a_regular_series_counts_each_point_for_one_step() {
        // Two cores for three hours, hourly points: 6 core-hours.
        let cpu = series(
            "CPU",
            "核",
            vec![
                point(utc_ms("2024-01-01T00:00:00"), "2"),
                point(utc_ms("2024-01-01T01:00:00"), "2"),
                point(utc_ms("2024-01-01T02:00:00"), "2"),
            ],
        );
        let hours = resource_hours(&cpu, utc()).expect("hours");
        assert_eq!(hours.step_ms, Some(HOUR_MS));
        assert_eq!(hours.total, dec("6"));
        assert_eq!(hours.covered_ms, 3 * HOUR_MS);
        assert!(hours.gaps.is_empty());
        assert_eq!(hours.days.len(), 1);
        assert_eq!(hours.days[0].date, date("2024-01-01"));
    }

    #[test]
    fn minute_points_give_exact_fractions_of_an_hour() {
        // One point of 1.5 GB for one minute: 0.025 GB-hours, exactly.
        let memory = series(
            "Memory",
            "GB",
            vec![
                point(utc_ms("2024-01-01T00:00:00"), "1.5"),
                point(utc_ms("2024-01-01T00:01:00"), "0"),
                point(utc_ms("2024-01-01T00:02:00"), "0"),
            ],
        );
        assert_eq!(
            resource_hours(&memory, utc()).expect("hours").total,
            dec("0.025")
        );
    }

    #[test]
    fn short_gaps_are_filled_and_long_ones_are_not() {
        let t = |m: i64| utc_ms("2024-01-01T00:00:00") + m * 60_000;
        let cpu = series(
            "CPU",
            "核",
            vec![
                point(t(0), "6"),
                point(t(1), "6"),
                point(t(2), "6"),
                // two points missing: filled by 6 for 3 minutes
                point(t(5), "6"),
                point(t(6), "6"),
                // 54 minutes missing: a gap from t(7) to t(60)
                point(t(60), "6"),
            ],
        );
        let hours = resource_hours(&cpu, utc()).expect("hours");
        assert_eq!(hours.step_ms, Some(60_000));
        assert_eq!(
            hours.gaps,
            vec![Gap {
                start_ms: t(7),
                end_ms: t(60)
            }]
        );
        assert_eq!(hours.gap_ms, 53 * 60_000);
        // Covered: 0..7 and 60..61 = 8 minutes of 6 cores = 0.8 core-hours.
        assert_eq!(hours.covered_ms, 8 * 60_000);
        assert_eq!(hours.total, dec("0.8"));
    }

    #[test]
    fn intervals_are_split_at_local_midnight() {
        // Beijing midnight is 16:00 UTC. A daily step from 12:00 UTC (20:00 in Beijing):
        // each point's day splits 4 hours before midnight and 20 after.
        let cpu = series(
            "CPU",
            "核",
            vec![
                point(utc_ms("2024-01-01T12:00:00"), "1"),
                point(utc_ms("2024-01-02T12:00:00"), "2"),
            ],
        );
        let hours = resource_hours(&cpu, beijing_offset()).expect("hours");
        let on = |d| hours.hours_on(date(d));
        assert_eq!(on("2024-01-01"), dec("4"));
        assert_eq!(on("2024-01-02"), dec("28")); // 20 × 1 + 4 × 2
        assert_eq!(on("2024-01-03"), dec("40"));
        assert_eq!(hours.total, dec("72"));
        let covered: i64 = hours.days.iter().map(|d| d.covered_ms).sum();
        assert_eq!(covered, 2 * DAY_MS);
    }

    #[test]
    fn the_last_point_stops_at_the_end_of_the_range() {
        // Hourly points; the range ends at Beijing midnight after 2024-01-01, 16:00 UTC.
        let cpu = series(
            "CPU",
            "核",
            vec![
                point(utc_ms("2024-01-01T14:00:00"), "1"),
                point(utc_ms("2024-01-01T15:00:00"), "1"),
                point(utc_ms("2024-01-01T15:30:00"), "1"),
            ],
        );
        let usage = response("2024-01-01", "2024-01-01", vec![cpu], vec![]);
        let hours = usage_hours(&usage, beijing_offset()).expect("hours");
        // Steps 60 and 30 minutes: the lower median is 30; the last point gets 30 minutes.
        assert_eq!(hours.resources[0].step_ms, Some(1_800_000));
        assert_eq!(hours.resources[0].total, dec("2"));
    }

    #[test]
    fn order_and_repeats_do_not_change_the_result() {
        let t = |m: i64| utc_ms("2024-01-01T00:00:00") + m * 60_000;
        let ordered = series(
            "CPU",
            "核",
            vec![point(t(0), "1"), point(t(1), "2"), point(t(2), "3")],
        );
        let shuffled = series(
            "CPU",
            "核",
            vec![
                point(t(2), "3"),
                point(t(0), "1"),
                point(t(1), "2"),
                point(t(1), "2"),
            ],
        );
        let a = resource_hours(&ordered, utc()).expect("hours");
        let b = resource_hours(&shuffled, utc()).expect("hours");
        assert_eq!(a.total, dec("0.1"));
        assert_eq!(a.total, b.total);
        assert_eq!(a.days, b.days);
    }

    #[test]
    fn a_single_point_borrows_the_other_series_step() {
        let t = |m: i64| utc_ms("2024-01-01T00:00:00") + m * 60_000;
        let cpu = series("CPU", "核", vec![point(t(0), "1"), point(t(1), "1")]);
        let eip = series("EIP", "个", vec![point(t(0), "60")]);
        let empty = series("GPU", "卡", vec![]);
        let usage = response("2024-01-01", "2024-01-01", vec![cpu, eip, empty], vec![]);
        let hours = usage_hours(&usage, utc()).expect("hours");
        assert_eq!(hours.resources[1].step_ms, Some(60_000));
        assert_eq!(hours.resources[1].total, dec("1"));
        assert_eq!(hours.resources[2].total, Decimal::ZERO);
        assert!(hours.resources[2].days.is_empty());
    }

    #[test]
    fn mixed_scales_are_summed_exactly() {
        let t = |m: i64| utc_ms("2024-01-01T00:00:00") + m * 60_000;
        let cpu = series(
            "CPU",
            "核",
            vec![point(t(0), "1.5"), point(t(1), "2.25"), point(t(2), "3")],
        );
        // (1.5 + 2.25 + 3) / 60 = 0.1125
        assert_eq!(
            resource_hours(&cpu, utc()).expect("hours").total,
            dec("0.1125")
        );
    }

    #[test]
    fn huge_amounts_are_an_overflow_error_not_a_panic() {
        let t = |m: i64| utc_ms("2024-01-01T00:00:00") + m * 86_400_000;
        let huge = "79228162514264337593543950335";
        let cpu = series("CPU", "核", vec![point(t(0), huge), point(t(1), huge)]);
        let error = resource_hours(&cpu, utc()).expect_err("overflow");
        assert_eq!(error.kind(), ErrorKind::Overflow);
        assert!(error.message().contains("CPU"), "{error}");
    }
}

/// A [`FixedOffset`] as its seconds east of UTC (chrono has no serde for it).
#[cfg(feature = "serde")]
mod offset_seconds {
    use chrono::FixedOffset;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(offset: &FixedOffset, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(offset.local_minus_utc())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FixedOffset, D::Error> {
        let seconds = i32::deserialize(d)?;
        FixedOffset::east_opt(seconds)
            .ok_or_else(|| serde::de::Error::custom("UTC offset out of range"))
    }
}
