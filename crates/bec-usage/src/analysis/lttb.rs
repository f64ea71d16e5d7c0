//! Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013), for drawing.
//!
//! A month of minute data is 44,640 points per resource; a chart is a few hundred pixels
//! wide. LTTB keeps the first and the last point and, from each of `target − 2` equal
//! buckets of the points in between, the point that spans the largest triangle with the
//! point kept before it and the average of the next bucket, so peaks and dips survive.
//!
//! Floats appear here only to choose *which* points to draw: [`lttb_series`] returns the
//! original [`DataPoint`]s, exact amounts untouched.
//!
//! The rules, for `n` points and a target of `t`:
//!
//! - `n ≤ t`: every point is kept (indices `0..n`).
//! - `n > t ≥ 3`: exactly `t` points, the first and the last among them.
//! - `n > t` and `t < 3`: there is no bucket between the ends, so only the first and the
//!   last point are kept (one point when `n` is 1): a line needs its two ends, and a
//!   target below 2 cannot be honoured without losing one.
//! - The selected indices are strictly increasing, so points sorted by x stay sorted.

use rust_decimal::Decimal;

use crate::error::{Error, ErrorKind, Result};
use crate::model::{DataPoint, ResourceSeries};

/// The indices of the points LTTB keeps, strictly increasing, by the rules of the
/// [module](self).
///
/// `xs` and `ys` are the coordinates of the points, which should be sorted by `x` for the
/// triangles to mean anything (the indices are increasing either way). The input is
/// assumed free of NaN; a NaN does not panic, it only makes its triangles lose every
/// comparison, so its bucket keeps another point (or its first point).
///
/// Errors: [`ErrorKind::InvalidArgument`] when `xs` and `ys` differ in length.
pub fn lttb_indices(xs: &[f64], ys: &[f64], target: usize) -> Result<Vec<usize>> {
    if xs.len() != ys.len() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "LTTB needs one y per x, but got {} x values and {} y values",
                xs.len(),
                ys.len()
            ),
        ));
    }
    Ok(select(xs, ys, target))
}

/// The points of `series` that LTTB keeps, at most `target` of them (by the rules of the
/// [module](self)), in timestamp order, exact amounts untouched.
///
/// Points out of timestamp order are sorted first (stable, so equal timestamps keep list
/// order). The x of a point is its timestamp and its y its amount as an `f64`, used only
/// to compare triangle areas (a decimal always converts to a finite `f64`).
pub fn lttb_series(series: &ResourceSeries, target: usize) -> Vec<DataPoint> {
    let points = super::in_time_order(&series.points);
    let points: &[DataPoint] = &points;
    if points.len() <= target {
        return points.to_vec();
    }
    let origin = points.first().map_or(0, |p| p.timestamp_ms);
    // Relative to the first timestamp, so millisecond differences survive the conversion.
    // The difference of two i64 can exceed i64: then it is taken in i128. Otherwise (always,
    // for real timestamps) in i64, whose conversion is one instruction where i128's is a
    // call a point (issue 23: the data worker draws half a million points at V8's baseline
    // tier); the value is the same.
    let xs: Vec<f64> = points
        .iter()
        .map(|p| match p.timestamp_ms.checked_sub(origin) {
            Some(difference) => difference as f64,
            None => (i128::from(p.timestamp_ms) - i128::from(origin)) as f64,
        })
        .collect();
    let ys: Vec<f64> = points.iter().map(|p| approximate(p.amount)).collect();
    select(&xs, &ys, target)
        .into_iter()
        .filter_map(|i| points.get(i).copied())
        .collect()
}

/// `amount` as the nearest-ish `f64`, within a few units in the last place: enough to
/// compare triangle areas, to place points in pixels (the JavaScript bindings' and the
/// dashboard's drawing use it) and to feed the estimates (the forecast, the anomaly
/// finder), and several times faster than `Decimal`'s own conversion, which divides
/// 128-bit integers. Always finite: |amount| < 8e28. Never use it for arithmetic on
/// amounts: that stays in [`Decimal`].
pub fn approximate(amount: Decimal) -> f64 {
    const POWERS_OF_TEN: [f64; 29] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28,
    ];
    let divisor = POWERS_OF_TEN
        .get(amount.scale() as usize)
        .copied()
        .unwrap_or(1e28);
    let mantissa = amount.mantissa();
    // Nearly every mantissa fits in 64 bits, whose conversion is one instruction (the
    // 128-bit one is a call).
    let mantissa = match i64::try_from(mantissa) {
        Ok(small) => small as f64,
        Err(_) => mantissa as f64,
    };
    mantissa / divisor
}

/// LTTB over equally long `xs` and `ys`.
fn select(xs: &[f64], ys: &[f64], target: usize) -> Vec<usize> {
    let n = xs.len().min(ys.len());
    if n <= target {
        return (0..n).collect();
    }
    let last = n - 1;
    if target < 3 {
        // `n > target >= 0`, so `n >= 1`; with one point the first is the last.
        return if last == 0 { vec![0] } else { vec![0, last] };
    }

    // The inner points 1..=n-2 are split into `buckets` runs whose bounds are computed in
    // integers, so every bucket is non-empty (there are more inner points than buckets)
    // and consecutive buckets touch without overlapping.
    let buckets = target - 2;
    let inner = n - 2;
    let bound = |k: usize| -> usize {
        // k ≤ buckets and inner < n, so the quotient is at most `inner`; u128 avoids overflow
        // of `k * inner` on 32-bit targets.
        1 + ((k as u128 * inner as u128) / buckets as u128) as usize
    };
    let point = |i: usize| (xs[i], ys[i]);

    let mut selected = Vec::with_capacity(target);
    selected.push(0);
    let mut previous = 0usize;
    for k in 0..buckets {
        let (start, end) = (bound(k), bound(k + 1));
        // The third corner: the average of the next bucket, or the last point after the
        // last bucket.
        let (cx, cy) = if k + 1 < buckets {
            let (next_start, next_end) = (end, bound(k + 2));
            let count = (next_end - next_start) as f64;
            let (sx, sy) = (next_start..next_end)
                .map(point)
                .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
            (sx / count, sy / count)
        } else {
            point(last)
        };
        let (ax, ay) = point(previous);
        let mut best = start;
        let mut best_area = -1.0f64;
        for i in start..end {
            let (bx, by) = point(i);
            // Twice the triangle's area; the factor does not change the comparison.
            let area = ((ax - cx) * (by - ay) - (ax - bx) * (cy - ay)).abs();
            if area > best_area {
                best_area = area;
                best = i;
            }
        }
        selected.push(best);
        previous = best;
    }
    selected.push(last);
    selected
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::analysis::test_support::{point, series};

    fn xs(n: usize) -> Vec<f64> {
        (0..n).map(|i| i as f64).collect()
    }

    #[test]
    fn small_inputs_are_kept_whole() {
        assert_eq!(lttb_indices(&[], &[], 5), Ok(vec![]));
        assert_eq!(lttb_indices(&xs(3), &[1.0, 2.0, 3.0], 3), Ok(vec![0, 1, 2]));
        assert_eq!(
            lttb_indices(&xs(3), &[1.0, 2.0, 3.0], 100),
            Ok(vec![0, 1, 2])
        );
        assert_eq!(lttb_indices(&[], &[], 0), Ok(vec![]));
    }

    #[test]
    fn targets_below_three_keep_first_and_last() {
        let ys = [5.0, 1.0, 9.0, 2.0];
        assert_eq!(lttb_indices(&xs(4), &ys, 2), Ok(vec![0, 3]));
        assert_eq!(lttb_indices(&xs(4), &ys, 1), Ok(vec![0, 3]));
        assert_eq!(lttb_indices(&xs(4), &ys, 0), Ok(vec![0, 3]));
        assert_eq!(lttb_indices(&[0.0], &[1.0], 0), Ok(vec![0]));
    }

    #[test]
    fn peak_survives() {
        // A flat line with one spike: with 3 points out of 9, the spike is the middle one.
        let ys = [0.0, 0.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(lttb_indices(&xs(9), &ys, 3), Ok(vec![0, 4, 8]));
    }

    #[test]
    fn hand_checked_selection() {
        // n = 6, t = 4: buckets [1, 3) and [3, 5).
        // Bucket 0: a = (0, 0), c = average of points 3, 4 = (3.5, 0.5);
        //   point 1 (1, 5): |(0-3.5)(5-0) - (0-1)(0.5-0)| = |-17.5 + 0.5| = 17
        //   point 2 (2, 1): |(0-3.5)(1-0) - (0-2)(0.5-0)| = |-3.5 + 1| = 2.5  → keep 1.
        // Bucket 1: a = (1, 5), c = point 5 = (5, 0);
        //   point 3 (3, 1): |(1-5)(1-5) - (1-3)(0-5)| = |16 - 10| = 6
        //   point 4 (4, 0): |(1-5)(0-5) - (1-4)(0-5)| = |20 - 15| = 5     → keep 3.
        let ys = [0.0, 5.0, 1.0, 1.0, 0.0, 0.0];
        assert_eq!(lttb_indices(&xs(6), &ys, 4), Ok(vec![0, 1, 3, 5]));
    }

    #[test]
    fn length_mismatch_is_an_error() {
        let error = lttb_indices(&[1.0, 2.0], &[1.0], 5).expect_err("mismatch");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn nan_does_not_panic() {
        let ys = [0.0, f64::NAN, f64::NAN, f64::NAN, f64::NAN, 0.0];
        let selected = lttb_indices(&xs(6), &ys, 4).expect("same lengths");
        assert_eq!(selected.len(), 4);
        assert_eq!(selected.first(), Some(&0));
        assert_eq!(selected.last(), Some(&5));
    }

    #[test]
    fn series_version_keeps_exact_points_and_sorts() {
        let s = series(
            "CPU",
            "核",
            vec![
                point(5_000, "0.0000000000000000000000000001"),
                point(0, "1.10"),
                point(1_000, "1.2"),
                point(2_000, "79228162514264337593543950335"),
                point(3_000, "1.3"),
                point(4_000, "1.4"),
            ],
        );
        let kept = lttb_series(&s, 3);
        assert_eq!(
            kept,
            [
                point(0, "1.10"),
                point(2_000, "79228162514264337593543950335"),
                point(5_000, "0.0000000000000000000000000001"),
            ]
        );
        assert_eq!(
            kept[0].amount.to_string(),
            "1.10",
            "the exact text survives"
        );
    }

    #[test]
    fn series_version_keeps_small_series_whole_in_time_order() {
        let s = series("CPU", "核", vec![point(2, "2"), point(1, "1")]);
        assert_eq!(lttb_series(&s, 10), [point(1, "1"), point(2, "2")]);
        assert_eq!(lttb_series(&series("CPU", "核", vec![]), 0), []);
    }

    #[test]
    fn approximation_is_close_to_as_f64() {
        for text in [
            "0",
            "-1.5",
            "17.223",
            "0.0000000000000000000000000001",
            "79228162514264337593543950335",
            "-7.9228162514264337593543950335",
            "123456789.987654321",
        ] {
            let amount: Decimal = text.parse().expect("test decimal");
            let exact = amount.as_f64();
            let approximate = approximate(amount);
            assert!(
                (approximate - exact).abs() <= exact.abs() * 1e-15,
                "{text}: {approximate} vs {exact}"
            );
        }
    }
}
