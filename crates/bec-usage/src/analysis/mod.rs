//! Analysis of usage responses, all exact: amounts stay [`rust_decimal::Decimal`]s from
//! input to output, and floats appear only where pixels are chosen ([`lttb`]).
//!
//! - [`stats`]: per-resource minimum, maximum (the peak), mean, sum, last value and point
//!   count, in one pass.
//! - [`daily`]: daily averages recomputed from `dataList`, bucketed by the local calendar
//!   day in a fixed UTC offset (Beijing time by default).
//! - [`reconcile`](mod@reconcile): the recomputed daily averages compared with the service's `summary`.
//! - [`merge`]: the responses of a split range ([`crate::query::split_range`]) joined into one.
//! - [`lttb`]: Largest-Triangle-Three-Buckets downsampling for charts.
//! - [`hours`]: resource-hours (core-hours, GB-hours) per local day and for the range.
//! - [`cost`]: a cost estimate from resource-hours and a user's price sheet.
//! - [`forecast`](mod@forecast): where each resource's daily unit-hours are heading, with an interval.
//! - [`anomaly`]: stretches far from what is usual for a resource.
//! - [`csv`]: RFC 4180 export of the points, the daily table, the resource-hours and the
//!   reconciliation.
//!
//! Arithmetic is checked: a sum or difference that leaves the range of a 96-bit decimal
//! is an [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) error, never a panic or a
//! silently wrong number.
//!
//! ```
//! use bec_usage::analysis::{daily_averages, reconcile, series_stats, ReconcileOptions};
//! use bec_usage::query::beijing_offset;
//! use bec_usage::{DataPoint, ResourceSeries, SummaryDay, SummaryValue, TimeSpan, UsageResponse};
//! use chrono::NaiveDate;
//! use rust_decimal::Decimal;
//!
//! let day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
//! let cpu = ResourceSeries {
//!     name: "CPU".into(),
//!     count: 2,
//!     unit: "核".into(),
//!     points: vec![
//!         // 2024-01-01T08:00+08:00 and 2024-01-01T09:00+08:00
//!         DataPoint { timestamp_ms: 1_704_067_200_000, amount: Decimal::new(172, 1) },
//!         DataPoint { timestamp_ms: 1_704_070_800_000, amount: Decimal::new(17_246, 3) },
//!     ],
//! };
//! let response = UsageResponse {
//!     account_id: "a".into(),
//!     time_span: TimeSpan { begin_date: day, end_date: day },
//!     resources: vec![cpu],
//!     summary: vec![SummaryDay {
//!         date: day,
//!         values: vec![SummaryValue { resource: "CPU".into(), average: Decimal::new(17_223, 3) }],
//!     }],
//! };
//!
//! let stats = series_stats(&response.resources[0]).unwrap().unwrap();
//! assert_eq!(stats.max.amount, Decimal::new(17_246, 3));
//!
//! let table = daily_averages(&response, beijing_offset()).unwrap();
//! assert_eq!(table.get(day, "CPU").unwrap().average, Decimal::new(17_223, 3));
//!
//! let reconciliation = reconcile(&response, &ReconcileOptions::default()).unwrap();
//! assert_eq!(reconciliation.counts().matched, 1);
//! ```

pub mod anomaly;
pub mod cost;
pub mod csv;
pub mod daily;
pub mod forecast;
pub mod hours;
pub mod lttb;
pub mod merge;
pub mod reconcile;
pub mod stats;

pub use self::anomaly::{find_anomalies, Anomaly, AnomalyOptions, Sensitivity};
pub use self::cost::{
    estimate_cost, round_money, CostEstimate, DayCost, PriceSheet, PriceTier, ResourceCost,
    ResourcePrice,
};
pub use self::csv::{
    anomalies_csv, daily_table_csv, hours_csv, points_csv, reconciliation_csv, DailyExtras,
};
pub use self::daily::{daily_averages, DailyCell, DailyTable};
pub use self::forecast::{
    forecast, Forecast, ForecastDay, ForecastOptions, ForecastTotal, Horizon, ResourceForecast,
    Z_80,
};
pub use self::hours::{resource_hours, usage_hours, DayHours, Gap, ResourceHours, UsageHours};
pub use self::lttb::{approximate, lttb_indices, lttb_series};
pub use self::merge::{merge_response_refs, merge_responses};
pub use self::reconcile::{
    reconcile, reconcile_table, ReconcileOptions, ReconcileRow, ReconcileStatus, Reconciliation,
    StatusCounts,
};
pub use self::stats::{point_stats, response_stats, series_stats, ResourceStats, SeriesStats};

use rust_decimal::Decimal;

/// `a + b`, exactly, or `None` beyond the range of a decimal. One out-of-line copy of the
/// decimal addition for the sums of the crate: inlined at each call site, rust_decimal's
/// addition would be compiled once per site (about 1.5 KB of WebAssembly each).
#[inline(never)]
fn checked_add(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_add(b)
}

/// `a × b`, exactly (or rounded past 28 significant digits), or `None` beyond the range of a
/// decimal: one out-of-line copy of the multiplication, as [`checked_add`] is of the addition.
#[inline(never)]
fn checked_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_mul(b)
}

use crate::query::date_of_epoch_day;

/// The points in time order: borrowed when they already are (the usual case), else a
/// copy sorted by the crate's stable sort (equal timestamps keep their list order). The
/// one way the analyses that need order get it.
fn in_time_order(
    points: &[crate::model::DataPoint],
) -> std::borrow::Cow<'_, [crate::model::DataPoint]> {
    // A plain loop for the check, which visits every point: at the WebAssembly module's
    // opt-level "z" a `windows(2).all(..)` chain costs two calls a point.
    let mut ordered = true;
    for i in 1..points.len() {
        if points[i].timestamp_ms < points[i - 1].timestamp_ms {
            ordered = false;
            break;
        }
    }
    if ordered {
        std::borrow::Cow::Borrowed(points)
    } else {
        let mut sorted = points.to_vec();
        crate::sort::sort_by_key(&mut sorted, |p| p.timestamp_ms);
        std::borrow::Cow::Owned(sorted)
    }
}

/// The usual step of points in time order: the lower median of the distances between
/// consecutive points with different times; `None` with fewer than two distinct times. The
/// one definition resource-hours and anomalies share.
fn usual_step(sorted: &[crate::model::DataPoint]) -> Option<i64> {
    let distance = |i: usize| sorted[i].timestamp_ms - sorted[i - 1].timestamp_ms;
    // Sampled data is regular, so most distances are the step. Counting the distances
    // below and equal to one of them shows in one pass, without collecting and selecting,
    // whether it is the median; only an irregular series needs the selection. The candidate
    // comes from the middle, since a series' first points are the likeliest to be ragged.
    let middle_point = sorted.len() / 2;
    let candidate = (middle_point.max(1)..sorted.len())
        .chain(1..sorted.len())
        .map(distance)
        .find(|d| *d > 0)?;
    let (mut below, mut equal, mut count) = (0usize, 0usize, 0usize);
    // The distances by index rather than through the closure: at the WebAssembly module's
    // opt-level "z" each use of a closure or iterator step is a call, and this loop visits every
    // point of every series.
    for i in 1..sorted.len() {
        let distance = sorted[i].timestamp_ms - sorted[i - 1].timestamp_ms;
        if distance <= 0 {
            continue;
        }
        count += 1;
        if distance < candidate {
            below += 1;
        } else if distance == candidate {
            equal += 1;
        }
    }
    let middle = (count - 1) / 2;
    if below <= middle && middle < below + equal {
        return Some(candidate);
    }
    let mut all = Vec::with_capacity(count);
    for i in 1..sorted.len() {
        if distance(i) > 0 {
            all.push(distance(i));
        }
    }
    lower_median(&mut all)
}

/// The lower median of `values` (reordered: a selection, not a sort); `None` when empty.
/// The one median of integers the analyses take.
fn lower_median(values: &mut [i64]) -> Option<i64> {
    let middle = values.len().checked_sub(1)? / 2;
    Some(*values.select_nth_unstable(middle).1)
}

/// The median of `values` (the mean of the middle two of an even count; reordered: a
/// selection, not a sort); 0 when empty. The one median of estimates the analyses take
/// (the anomaly finder's levels and scales, the forecast's weekday medians).
fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    let (lower_half, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        upper
    } else {
        let lower = lower_half.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

/// The offset's distance from UTC in milliseconds (east positive).
fn offset_ms(offset: chrono::FixedOffset) -> i64 {
    i64::from(offset.local_minus_utc()) * 1000
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Small builders shared by the unit tests of the analysis modules.

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use crate::model::{
        DataPoint, ResourceSeries, SummaryDay, SummaryValue, TimeSpan, UsageResponse,
    };

    /// An exact decimal from its text; test input is always valid.
    pub(crate) fn dec(text: &str) -> Decimal {
        text.parse().expect("test decimal")
    }

    /// A date from its text; test input is always valid.
    pub(crate) fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    /// Epoch milliseconds of a UTC date-time written `YYYY-MM-DDTHH:MM:SS`.
    pub(crate) fn utc_ms(text: &str) -> i64 {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .expect("test date-time")
            .and_utc()
            .timestamp_millis()
    }

    /// A point.
    pub(crate) fn point(timestamp_ms: i64, amount: &str) -> DataPoint {
        DataPoint {
            timestamp_ms,
            amount: dec(amount),
        }
    }

    /// A series whose `count` equals its number of points.
    pub(crate) fn series(name: &str, unit: &str, points: Vec<DataPoint>) -> ResourceSeries {
        ResourceSeries {
            name: name.into(),
            count: points.len() as u64,
            unit: unit.into(),
            points,
        }
    }

    /// A summary day from `(resource, average)` pairs.
    pub(crate) fn summary_day(day: &str, values: &[(&str, &str)]) -> SummaryDay {
        SummaryDay {
            date: date(day),
            values: values
                .iter()
                .map(|(resource, average)| SummaryValue {
                    resource: (*resource).into(),
                    average: dec(average),
                })
                .collect(),
        }
    }

    /// A response of account `a` spanning `begin..=end`.
    pub(crate) fn response(
        begin: &str,
        end: &str,
        resources: Vec<ResourceSeries>,
        summary: Vec<SummaryDay>,
    ) -> UsageResponse {
        UsageResponse {
            account_id: "a".into(),
            time_span: TimeSpan {
                begin_date: date(begin),
                end_date: date(end),
            },
            resources,
            summary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::point;
    use super::usual_step;
    use crate::model::DataPoint;

    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn at(times: &[i64]) -> Vec<DataPoint> {
        times.iter().map(|&t| point(t, "1")).collect()
    }

    /// The lower median of the positive distances, by sorting them all: what `usual_step`
    /// must equal, however it gets there.
    fn by_sorting(times: &[i64]) -> Option<i64> {
        let mut distances: Vec<i64> = times
            .windows(2)
            .map(|pair| pair[1] - pair[0])
            .filter(|d| *d > 0)
            .collect();
        distances.sort_unstable();
        distances.get(distances.len().checked_sub(1)? / 2).copied()
    }

    #[test]
    fn a_regular_series_has_its_step() {
        let times: Vec<i64> = (0..100).map(|i| i * 60_000).collect();
        assert_eq!(usual_step(&at(&times)), Some(60_000));
    }

    #[test]
    fn repeated_times_are_left_out_and_one_time_has_no_step() {
        assert_eq!(usual_step(&at(&[0, 0, 60, 60, 120])), Some(60));
        assert_eq!(usual_step(&at(&[5, 5, 5])), None);
        assert_eq!(usual_step(&at(&[5])), None);
        assert_eq!(usual_step(&at(&[])), None);
    }

    #[test]
    fn the_lower_median_when_the_middle_distance_is_not_the_median() {
        // Distances 10, 10, 10, 50, 50, 50 with the 50s in the middle of the series, where
        // the candidate is taken: the counting pass rejects it and the selection gives the
        // lower of the two middle distances, 10 (the upper would be 50).
        let times = [0, 10, 60, 110, 160, 170, 180];
        assert_eq!(usual_step(&at(&times)), Some(10));
        assert_eq!(usual_step(&at(&times)), by_sorting(&times));
    }

    #[test]
    fn ragged_series_agree_with_sorting_every_distance() {
        // Steps from a small deterministic generator: mostly 60, some 30, 120 and repeats.
        let mut state = 7u64;
        for length in [2usize, 3, 4, 9, 50, 301] {
            let mut times = vec![0i64];
            for _ in 1..length {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let step = [60, 60, 60, 30, 120, 0, 60, 90][(state >> 61) as usize];
                times.push(times[times.len() - 1] + step);
            }
            assert_eq!(usual_step(&at(&times)), by_sorting(&times), "{times:?}");
        }
    }
}
