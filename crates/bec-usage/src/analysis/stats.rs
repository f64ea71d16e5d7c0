//! Per-resource statistics: minimum, maximum (the peak), mean, sum, last value and count.
//!
//! This runs on every point of a month of minute data (half a million points) each time a
//! response is read, so it is one tight pass with no allocation: when every amount of the
//! series has the same scale (the usual case) the amounts are compared and added as 128-bit
//! integer mantissas, about 4 ns a point; otherwise a second, general pass in `Decimal`
//! arithmetic takes over.

use rust_decimal::Decimal;

use crate::error::{Error, ErrorKind, Result};
use crate::model::{DataPoint, ResourceSeries, UsageResponse};
use crate::text::Quoted;

/// The statistics of one series of points.
///
/// Ties are broken so that the result does not depend on anything but the list:
/// `min` and `max` are the *first* point (in list order) holding the extreme amount, and
/// `last` is the point with the latest timestamp, the *later in the list* on a tie (the
/// service's latest word on that instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SeriesStats {
    /// The number of points (the length of `dataList`, not the service's `count`).
    pub points: usize,
    /// The point with the smallest amount.
    pub min: DataPoint,
    /// The point with the largest amount: the peak.
    pub max: DataPoint,
    /// The sum of the amounts: exact, unless it needs more than the 28–29 significant
    /// digits a decimal holds (then rounded in its last place, as `Decimal` addition is).
    pub sum: Decimal,
    /// The arithmetic mean, `sum / points`, by exact decimal division. It is exact whenever
    /// the quotient has at most 28 decimal places (the mean of 1.1, 2.2 and 3.3 is exactly
    /// 2.2); otherwise (1/3) it is rounded to the 28–29 significant digits a 96-bit decimal
    /// holds. Trailing zeros are removed (`2.2`, not `2.2000`).
    pub mean: Decimal,
    /// The point with the latest timestamp.
    pub last: DataPoint,
}

/// The statistics of one resource of a response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ResourceStats {
    /// The resource name.
    pub resource: String,
    /// The resource's unit.
    pub unit: String,
    /// The statistics, or `None` when the series has no points.
    pub stats: Option<SeriesStats>,
}

/// The statistics of a list of points; `Ok(None)` when it is empty.
///
/// Errors: [`ErrorKind::Overflow`] when the sum leaves the range of a 96-bit decimal.
/// [`series_stats`] gives the same result with the resource named in the error.
pub fn point_stats(points: &[DataPoint]) -> Result<Option<SeriesStats>> {
    stats_or_overflow_index(points).map_err(|index| overflow_error("the points", index))
}

/// The statistics of one series; `Ok(None)` when it has no points.
///
/// Errors: [`ErrorKind::Overflow`] when the sum leaves the range of a 96-bit decimal.
pub fn series_stats(series: &ResourceSeries) -> Result<Option<SeriesStats>> {
    stats_or_overflow_index(&series.points)
        .map_err(|index| overflow_error(&format!("resource {}", Quoted(&series.name)), index))
}

/// The statistics of every resource of a response, in the response's resource order.
///
/// Errors: [`ErrorKind::Overflow`] as [`series_stats`].
pub fn response_stats(response: &UsageResponse) -> Result<Vec<ResourceStats>> {
    response
        .resources
        .iter()
        .map(|series| {
            Ok(ResourceStats {
                resource: series.name.clone(),
                unit: series.unit.clone(),
                stats: series_stats(series)?,
            })
        })
        .collect()
}

fn overflow_error(what: &str, index: usize) -> Error {
    Error::new(
        ErrorKind::Overflow,
        format!(
            "the sum of the amounts of {what} leaves the range of a 96-bit decimal \
             (about ±7.9e28) at point {index}; check the amounts for absurd values"
        ),
    )
}

/// The one pass. On overflow, the error is the index of the point whose addition overflowed
/// (the caller names the series).
fn stats_or_overflow_index(points: &[DataPoint]) -> Result<Option<SeriesStats>, usize> {
    if points.is_empty() {
        return Ok(None);
    }
    let (min, max, sum, last) = match uniform_scale_pass(points) {
        Some(found) => found,
        None => general_pass(points)?,
    };
    let count = Decimal::from(points.len() as u64);
    // Dividing by a count of at least 1 shrinks the magnitude, so this cannot overflow;
    // it is still checked rather than trusted.
    let mean = sum.checked_div(count).ok_or(points.len() - 1)?.normalize();
    Ok(Some(SeriesStats {
        points: points.len(),
        min,
        max,
        sum,
        mean,
        last,
    }))
}

/// The common case, fast: every amount has the scale of the first, so amounts compare and
/// add as plain 128-bit integer mantissas (three to four times faster than `Decimal`
/// arithmetic, which aligns scales on every operation). `None` as soon as an amount has
/// another scale, or when the exact sum does not fit a decimal; the caller then makes the
/// general pass. Both give the same results, except that when a partial sum leaves the
/// 96-bit range and the total comes back into it, this pass's total is exact where the
/// general pass's is rounded.
fn uniform_scale_pass(points: &[DataPoint]) -> Option<(DataPoint, DataPoint, Decimal, DataPoint)> {
    let (first, rest) = points.split_first()?;
    let scale = first.amount.scale();
    let (mut min, mut max, mut last) = (*first, *first, *first);
    let mut min_mantissa = first.amount.mantissa();
    let mut max_mantissa = min_mantissa;
    let mut sum: i128 = min_mantissa;
    for point in rest {
        if point.amount.scale() != scale {
            return None;
        }
        let mantissa = point.amount.mantissa();
        if mantissa < min_mantissa {
            min_mantissa = mantissa;
            min = *point;
        } else if mantissa > max_mantissa {
            max_mantissa = mantissa;
            max = *point;
        }
        if point.timestamp_ms >= last.timestamp_ms {
            last = *point;
        }
        // |mantissa| < 2^96, so 2^31 of them cannot overflow; checked all the same.
        sum = sum.checked_add(mantissa)?;
    }
    let sum = Decimal::try_from_i128_with_scale(sum, scale).ok()?;
    Some((min, max, sum, last))
}

/// Any mix of scales, in `Decimal` arithmetic.
fn general_pass(points: &[DataPoint]) -> Result<(DataPoint, DataPoint, Decimal, DataPoint), usize> {
    let Some((first, rest)) = points.split_first() else {
        return Err(0); // the caller passes a non-empty list; unreachable
    };
    let (mut min, mut max, mut last) = (*first, *first, *first);
    let mut sum = first.amount;
    for (offset, point) in rest.iter().enumerate() {
        // `min <= max` always, so a new minimum can never also be a new maximum.
        if point.amount < min.amount {
            min = *point;
        } else if point.amount > max.amount {
            max = *point;
        }
        if point.timestamp_ms >= last.timestamp_ms {
            last = *point;
        }
        sum = super::checked_add(sum, point.amount).ok_or(offset + 1)?;
    }
    Ok((min, max, sum, last))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::analysis::test_support::{dec, point, response, series};

    #[test]
    fn mean_of_1_1_2_2_3_3_is_exactly_2_2() {
        let points = [point(1, "1.1"), point(2, "2.2"), point(3, "3.3")];
        let stats = point_stats(&points)
            .expect("no overflow")
            .expect("not empty");
        assert_eq!(stats.mean, dec("2.2"));
        assert_eq!(stats.mean.to_string(), "2.2");
        assert_eq!(stats.sum, dec("6.6"));
        assert_eq!(stats.points, 3);
    }

    #[test]
    fn min_max_and_last_carry_their_timestamps() {
        // Unsorted timestamps: the last point in list order is not the latest.
        let points = [
            point(300, "5"),
            point(100, "-2.5"),
            point(500, "9.75"),
            point(200, "0"),
        ];
        let stats = point_stats(&points)
            .expect("no overflow")
            .expect("not empty");
        assert_eq!(stats.min, point(100, "-2.5"));
        assert_eq!(stats.max, point(500, "9.75"));
        assert_eq!(stats.last, point(500, "9.75"));
        assert_eq!(stats.sum, dec("12.25"));
        assert_eq!(stats.mean, dec("3.0625"));
    }

    #[test]
    fn ties_keep_first_extreme_and_later_last() {
        let points = [
            point(10, "3"),
            point(20, "1"),
            point(30, "3.0"),
            point(30, "1.00"),
        ];
        let stats = point_stats(&points)
            .expect("no overflow")
            .expect("not empty");
        // Equal amounts: the first in list order wins, so its text (scale) is kept.
        assert_eq!(stats.max.timestamp_ms, 10);
        assert_eq!(stats.max.amount.to_string(), "3");
        assert_eq!(stats.min.timestamp_ms, 20);
        // Equal latest timestamps: the later in the list wins.
        assert_eq!(stats.last.amount.to_string(), "1.00");
    }

    #[test]
    fn single_point_is_its_own_everything() {
        let stats = point_stats(&[point(7, "4.20")])
            .expect("no overflow")
            .expect("not empty");
        assert_eq!(stats.min, point(7, "4.20"));
        assert_eq!(stats.max, point(7, "4.20"));
        assert_eq!(stats.last, point(7, "4.20"));
        assert_eq!(stats.sum.to_string(), "4.20");
        assert_eq!(stats.mean.to_string(), "4.2");
    }

    #[test]
    fn mean_that_does_not_terminate_is_rounded_to_28_digits() {
        let stats = point_stats(&[point(1, "1"), point(2, "0"), point(3, "0")])
            .expect("no overflow")
            .expect("not empty");
        assert_eq!(stats.mean.to_string(), "0.3333333333333333333333333333");
    }

    #[test]
    fn sum_beyond_the_mantissa_at_scale_28_drops_a_place_instead_of_failing() {
        // Both mantissas are 2^96 - 1 at scale 28: the sum's mantissa needs 97 bits, so the
        // fast pass gives up and the general pass writes the sum at scale 27 (the dropped
        // digit is 0, so it is still exact).
        let big = dec("7.9228162514264337593543950335");
        let stats = point_stats(&[
            point(1, "7.9228162514264337593543950335"),
            point(2, "7.9228162514264337593543950335"),
        ])
        .expect("no overflow")
        .expect("not empty");
        assert_eq!(stats.sum.to_string(), "15.845632502852867518708790067");
        assert_eq!(stats.max.amount, big);
        assert_eq!(stats.mean, big);
    }

    #[test]
    fn empty_series_has_no_stats() {
        assert_eq!(point_stats(&[]), Ok(None));
        let empty = series("CPU", "核", vec![]);
        assert_eq!(series_stats(&empty), Ok(None));
    }

    #[test]
    fn overflowing_sum_is_an_overflow_error_naming_the_resource() {
        let huge = Decimal::MAX;
        let s = series(
            "Memory",
            "GB",
            vec![
                DataPoint {
                    timestamp_ms: 1,
                    amount: huge,
                },
                DataPoint {
                    timestamp_ms: 2,
                    amount: huge,
                },
            ],
        );
        let error = series_stats(&s).expect_err("overflow");
        assert_eq!(error.kind(), ErrorKind::Overflow);
        assert!(
            error.message().contains("\"Memory\""),
            "{}",
            error.message()
        );
        assert!(error.message().contains("point 1"), "{}", error.message());
    }

    #[test]
    fn response_stats_follow_resource_order() {
        let r = response(
            "2024-01-01",
            "2024-01-01",
            vec![
                series("Memory", "GB", vec![point(1, "2"), point(2, "4")]),
                series("CPU", "核", vec![]),
                series("EIP", "个", vec![point(1, "1")]),
            ],
            vec![],
        );
        let stats = response_stats(&r).expect("no overflow");
        let names: Vec<&str> = stats.iter().map(|s| s.resource.as_str()).collect();
        assert_eq!(names, ["Memory", "CPU", "EIP"]);
        assert_eq!(stats[0].unit, "GB");
        assert_eq!(stats[0].stats.map(|s| s.mean), Some(dec("3")));
        assert_eq!(stats[1].stats, None);
        assert_eq!(stats[2].stats.map(|s| s.points), Some(1));
    }
}
