//! The anomaly finder on real series, against labelled windows where the folder has them.
//!
//! Counted as NAB's README for this data says: a listed stretch is *false* if it overlaps
//! no labelled window; a window is *recalled* if some stretch overlaps it; false stretches
//! are counted per series-week (a person reading one chart a week should see at most one
//! false alarm). Series without labels (no `windows.json`) count only stretches per week.
//!
//! `REAL_SCORES_DETAIL=1` also prints, per series, the twelve highest-scoring stretches at
//! high sensitivity: score, the labelled window it overlaps (`W0`…) or `-`, and its length.
//!
//! The baseline is the textbook robust detector: each point against the median of the
//! points of the hour around it, unusual beyond `k × 1.4826 × MAD` of the series'
//! residuals (k = 5, the medium setting's), consecutive unusual points one stretch.

use std::time::Instant;

use bec_usage::analysis::{find_anomalies, AnomalyOptions, Sensitivity};
use bec_usage::{ResourceSeries, TimeSpan, UsageResponse};
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;

use super::data::{AnyResult, RealSeries, Window};

/// A found stretch, epoch ms `[start, end)`.
#[derive(Debug, Clone, Copy)]
struct Found {
    start_ms: i64,
    end_ms: i64,
}

/// The figures of one finder on one series.
#[derive(Debug, Clone, Copy, Default)]
pub struct Score {
    pub stretches: usize,
    pub false_stretches: usize,
    pub windows: usize,
    pub recalled: usize,
    pub weeks: f64,
}

impl Score {
    fn add(&mut self, other: Score) {
        self.stretches += other.stretches;
        self.false_stretches += other.false_stretches;
        self.windows += other.windows;
        self.recalled += other.recalled;
        self.weeks += other.weeks;
    }

    pub fn false_per_week(&self) -> f64 {
        self.false_stretches as f64 / self.weeks.max(1e-9)
    }

    pub fn recall(&self) -> f64 {
        if self.windows == 0 {
            f64::NAN
        } else {
            self.recalled as f64 / self.windows as f64
        }
    }

    pub fn precision(&self) -> f64 {
        if self.stretches == 0 {
            f64::NAN
        } else {
            1.0 - self.false_stretches as f64 / self.stretches as f64
        }
    }
}

fn overlaps(found: &Found, window: &Window) -> bool {
    // Windows are inclusive at both ends; stretches end exclusively.
    found.start_ms <= window.end_ms && window.start_ms < found.end_ms
}

fn score(real: &RealSeries, found: &[Found]) -> Score {
    let windows = real.windows.as_deref().unwrap_or(&[]);
    let labelled = real.windows.is_some();
    Score {
        stretches: found.len(),
        false_stretches: if labelled {
            found
                .iter()
                .filter(|f| !windows.iter().any(|w| overlaps(f, w)))
                .count()
        } else {
            found.len()
        },
        windows: windows.len(),
        recalled: windows
            .iter()
            .filter(|w| found.iter().any(|f| overlaps(f, w)))
            .count(),
        weeks: real.weeks(),
    }
}

/// The series as a one-resource usage response.
pub fn as_response(series: &ResourceSeries) -> UsageResponse {
    let day = |ms: Option<i64>| {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.date_naive())
            .unwrap_or(NaiveDate::MIN)
    };
    UsageResponse {
        account_id: "real".into(),
        time_span: TimeSpan {
            begin_date: day(series.points.first().map(|p| p.timestamp_ms)),
            end_date: day(series.points.last().map(|p| p.timestamp_ms)),
        },
        resources: vec![series.clone()],
        summary: vec![],
    }
}

fn ours(real: &RealSeries, sensitivity: Sensitivity) -> AnyResult<Vec<Found>> {
    let found = find_anomalies(&as_response(&real.series), &AnomalyOptions { sensitivity })?;
    Ok(found
        .iter()
        .map(|a| Found {
            start_ms: a.start_ms,
            end_ms: a.end_ms,
        })
        .collect())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The baseline in the module docs.
fn rolling_median_mad(real: &RealSeries, k: f64) -> Vec<Found> {
    let points = &real.series.points;
    let values: Vec<f64> = points
        .iter()
        .map(|p| p.amount.to_f64().unwrap_or(f64::NAN))
        .collect();
    let half_ms = 30 * 60_000;
    let mut residuals = Vec::with_capacity(points.len());
    let (mut lo, mut hi) = (0usize, 0usize);
    for (i, p) in points.iter().enumerate() {
        while points[lo].timestamp_ms < p.timestamp_ms - half_ms {
            lo += 1;
        }
        while hi < points.len() && points[hi].timestamp_ms <= p.timestamp_ms + half_ms {
            hi += 1;
        }
        let mut window = values[lo..hi].to_vec();
        residuals.push(values[i] - median(&mut window));
    }
    let mut absolute: Vec<f64> = residuals.iter().map(|r| r.abs()).collect();
    let scale = 1.4826 * median(&mut absolute);
    let mut found: Vec<Found> = Vec::new();
    let mut previous_unusual = false;
    for (i, r) in residuals.iter().enumerate() {
        let unusual = r.abs() > k * scale && scale > 0.0 || (scale == 0.0 && *r != 0.0);
        if unusual {
            let end = points
                .get(i + 1)
                .map_or(points[i].timestamp_ms + 1, |p| p.timestamp_ms);
            match found.last_mut() {
                Some(last) if previous_unusual => last.end_ms = end,
                _ => found.push(Found {
                    start_ms: points[i].timestamp_ms,
                    end_ms: end,
                }),
            }
        }
        previous_unusual = unusual;
    }
    found
}

/// Our figures at `sensitivity` on every labelled series, for the tests' floors.
pub fn our_scores(
    series: &[RealSeries],
    sensitivity: Sensitivity,
) -> AnyResult<Vec<(String, Score)>> {
    series
        .iter()
        .filter(|real| real.windows.is_some())
        .map(|real| Ok((real.name.clone(), score(real, &ours(real, sensitivity)?))))
        .collect()
}

/// The sum of `scores`.
pub fn total(scores: &[(String, Score)]) -> Score {
    let mut sum = Score::default();
    for (_, s) in scores {
        sum.add(*s);
    }
    sum
}

fn line(label: &str, s: &Score) -> String {
    format!(
        "{label:<44} {:>5} {:>7.2} {:>5}/{:<4} {:>6.1} % {:>6.1} %",
        s.stretches,
        s.false_per_week(),
        s.recalled,
        s.windows,
        100.0 * s.recall(),
        100.0 * s.precision(),
    )
}

pub fn print_report(series: &[RealSeries]) -> AnyResult<()> {
    if std::env::var_os("REAL_SCORES_DETAIL").is_some() {
        for real in series {
            let usage = as_response(&real.series);
            let found = find_anomalies(
                &usage,
                &AnomalyOptions {
                    sensitivity: Sensitivity::High,
                },
            )?;
            let windows = real.windows.as_deref().unwrap_or(&[]);
            let mut ranked: Vec<_> = found.iter().collect();
            ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
            let text: Vec<String> = ranked
                .iter()
                .take(12)
                .map(|a| {
                    let f = Found {
                        start_ms: a.start_ms,
                        end_ms: a.end_ms,
                    };
                    let hit = windows.iter().position(|w| overlaps(&f, w));
                    format!(
                        "{:.2}{}({}m)",
                        a.score,
                        hit.map_or("-".to_string(), |i| format!("W{i}")),
                        (a.end_ms - a.start_ms) / 60000
                    )
                })
                .collect();
            println!("{:<50} {}", real.name, text.join(" "));
        }
    }
    println!("\n## Anomalies\n");
    println!(
        "{:<44} {:>5} {:>7} {:>10} {:>8} {:>8}",
        "series (medium)", "found", "false/w", "recalled", "recall", "prec."
    );
    let started = Instant::now();
    let [low, medium, high] = [Sensitivity::Low, Sensitivity::Medium, Sensitivity::High]
        .map(|sensitivity| our_scores(series, sensitivity));
    let (low, medium, high) = (low?, medium?, high?);
    let mut worst: (f64, String) = (0.0, String::new());
    for (name, s) in &medium {
        println!("{}", line(name, s));
        if s.false_per_week() > worst.0 {
            worst = (s.false_per_week(), name.clone());
        }
    }
    let mut unlabelled = Score::default();
    for real in series.iter().filter(|real| real.windows.is_none()) {
        let s = score(real, &ours(real, Sensitivity::Medium)?);
        println!("{}", line(&format!("{} (no labels)", real.name), &s));
        unlabelled.add(s);
    }
    let totals = [total(&low), total(&medium), total(&high)];
    let mut baseline = Score::default();
    for real in series.iter().filter(|real| real.windows.is_some()) {
        baseline.add(score(real, &rolling_median_mad(real, 5.0)));
    }
    let elapsed = started.elapsed();
    println!();
    if totals[1].weeks > 0.0 {
        for (label, s) in [
            ("all labelled: ours, low", &totals[0]),
            ("all labelled: ours, medium", &totals[1]),
            ("all labelled: ours, high", &totals[2]),
            ("all labelled: rolling median ± 5·MAD", &baseline),
        ] {
            println!("{}", line(label, s));
        }
        println!(
            "\nmedium: {:.2} false stretches per series-week (most: {:.2}, {}), recall {:.1} %, \
             precision {:.1} %; {:.1} series-weeks",
            totals[1].false_per_week(),
            worst.0,
            worst.1,
            100.0 * totals[1].recall(),
            100.0 * totals[1].precision(),
            totals[1].weeks,
        );
    }
    if unlabelled.weeks > 0.0 {
        println!(
            "unlabelled series, medium: {:.2} stretches per series-week ({} in {:.1} series-weeks)",
            unlabelled.false_per_week(),
            unlabelled.stretches,
            unlabelled.weeks
        );
    }
    println!(
        "ours at three settings on {} series in {:.0} ms",
        series.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(())
}
