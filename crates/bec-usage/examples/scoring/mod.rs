//! Scoring the forecast and the anomaly finder against the synthetic generator, whose
//! truth is known: shared by `examples/analysis_scores.rs` (the full run, printed) and
//! `tests/integration/analysis_truth.rs` (a small run with floors).
//!
//! Floats appear here only to average and print scores; every analysed amount stays exact.

#![allow(dead_code)] // each of the two users needs a different part

use std::collections::BTreeMap;

use bec_usage::analysis::{
    find_anomalies, forecast, usage_hours, AnomalyOptions, ForecastOptions, Horizon, Sensitivity,
};
use bec_usage::query::beijing_offset;
use bec_usage::synthetic::{bursts, generate, SyntheticOptions};
use bec_usage::UsageResponse;
use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

pub type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The last day of `first`'s month.
pub fn month_end(first: NaiveDate) -> NaiveDate {
    first
        .iter_days()
        .take_while(|d| d.month() == first.month())
        .last()
        .unwrap_or(first)
}

/// One forecast of one resource's month total against the truth.
#[derive(Debug, Clone)]
pub struct ForecastCase {
    pub resource: String,
    /// The last day of history given to the forecast (day of the month).
    pub cutoff: u32,
    pub truth: f64,
    pub expected: f64,
    pub low: f64,
    pub high: f64,
}

impl ForecastCase {
    /// The absolute percentage error.
    pub fn ape(&self) -> f64 {
        if self.truth == 0.0 {
            0.0
        } else {
            ((self.expected - self.truth) / self.truth).abs() * 100.0
        }
    }

    pub fn covered(&self) -> bool {
        self.low <= self.truth && self.truth <= self.high
    }
}

fn f(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}

/// Forecasts the month of `month` (its dates are the whole month) from its first
/// `cutoff` days, for every cutoff whose last day is inside the month (a cutoff of 0 means
/// "all but the last 10 days").
pub fn forecast_cases(month: &SyntheticOptions, cutoffs: &[u32]) -> AnyResult<Vec<ForecastCase>> {
    let offset = beijing_offset();
    let truth = usage_hours(&generate(month)?, offset)?;
    let mut cases = Vec::new();
    for &cutoff in cutoffs {
        let cutoff = if cutoff == 0 {
            month.end_date.day() - 10
        } else {
            cutoff
        };
        let last = month
            .begin_date
            .with_day(cutoff)
            .ok_or("cutoff outside the month")?;
        let partial = generate(&month.clone().with_dates(month.begin_date, last))?;
        let hours = usage_hours(&partial, offset)?;
        let result = forecast(
            &hours,
            &ForecastOptions {
                horizon: Horizon::MonthEnd,
            },
        )?;
        for r in &result.resources {
            let true_total = truth.resource(&r.resource).ok_or("resource")?.total;
            cases.push(ForecastCase {
                resource: r.resource.clone(),
                cutoff,
                truth: f(true_total),
                expected: r.total.expected,
                low: r.total.low,
                high: r.total.high,
            });
        }
    }
    Ok(cases)
}

/// Mean absolute percentage error and interval coverage (%) of `cases`.
pub fn mape_and_coverage<'a>(
    cases: impl IntoIterator<Item = &'a ForecastCase>,
) -> (f64, f64, usize) {
    let (mut ape, mut covered, mut n) = (0.0, 0usize, 0usize);
    for case in cases {
        ape += case.ape();
        covered += usize::from(case.covered());
        n += 1;
    }
    if n == 0 {
        return (0.0, 0.0, 0);
    }
    (ape / n as f64, covered as f64 * 100.0 / n as f64, n)
}

/// Counts for precision and recall of one resource at one sensitivity.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnomalyCounts {
    /// Anomalies found.
    pub found: usize,
    /// Found anomalies that overlap a true burst.
    pub found_true: usize,
    /// True bursts with at least one point in the data.
    pub bursts: usize,
    /// True bursts overlapped by some found anomaly.
    pub bursts_found: usize,
}

impl AnomalyCounts {
    pub fn add(&mut self, other: AnomalyCounts) {
        self.found += other.found;
        self.found_true += other.found_true;
        self.bursts += other.bursts;
        self.bursts_found += other.bursts_found;
    }

    /// Precision in %; 100 when nothing was found (no false alarm).
    pub fn precision(&self) -> f64 {
        if self.found == 0 {
            100.0
        } else {
            self.found_true as f64 * 100.0 / self.found as f64
        }
    }

    /// Recall in %; 100 when there was nothing to find.
    pub fn recall(&self) -> f64 {
        if self.bursts == 0 {
            100.0
        } else {
            self.bursts_found as f64 * 100.0 / self.bursts as f64
        }
    }
}

/// Scores `find_anomalies` on the data of `options` against its bursts, per resource.
pub fn anomaly_counts(
    options: &SyntheticOptions,
    usage: &UsageResponse,
    sensitivity: Sensitivity,
) -> AnyResult<BTreeMap<String, AnomalyCounts>> {
    let truth = bursts(options)?;
    let found = find_anomalies(usage, &AnomalyOptions { sensitivity })?;
    let mut counts: BTreeMap<String, AnomalyCounts> = usage
        .resources
        .iter()
        .map(|r| (r.name.clone(), AnomalyCounts::default()))
        .collect();
    let overlaps = |a: (i64, i64), b: (i64, i64)| a.0 < b.1 && b.0 < a.1;
    for anomaly in &found {
        let entry = counts.entry(anomaly.resource.clone()).or_default();
        entry.found += 1;
        if truth.iter().any(|b| {
            b.resource == anomaly.resource
                && overlaps((anomaly.start_ms, anomaly.end_ms), (b.start_ms, b.end_ms))
        }) {
            entry.found_true += 1;
        }
    }
    for burst in &truth {
        let series = usage.resource(&burst.resource).ok_or("resource")?;
        let first = series
            .points
            .partition_point(|p| p.timestamp_ms < burst.start_ms);
        let has_point = series
            .points
            .get(first)
            .is_some_and(|p| p.timestamp_ms < burst.end_ms);
        if !has_point {
            continue; // all in a gap: nothing to find
        }
        let entry = counts.entry(burst.resource.clone()).or_default();
        entry.bursts += 1;
        if found.iter().any(|a| {
            a.resource == burst.resource
                && overlaps((a.start_ms, a.end_ms), (burst.start_ms, burst.end_ms))
        }) {
            entry.bursts_found += 1;
        }
    }
    Ok(counts)
}
