//! Scores of the forecast and the anomaly finder on synthetic data, whose truth is known,
//! and their speed on the demo month.
//!
//! ```sh
//! cargo run -p bec-usage --release --example analysis_scores
//! ```
//!
//! - Forecast backtest: for every month of 2023 and seeds 1, 2, 3 (1-minute data, the 8
//!   default resources), the month-end total of unit-hours forecast from days 1–10 and from
//!   days 1–20, against the true total of the whole month: mean absolute percentage error
//!   (MAPE) and how often the truth fell inside the 80 % interval.
//! - Held back: the same for data the methods were never looked at with (12 standard
//!   resources, seeds 1000–1002), forecasting each month's last 10 days.
//! - Anomalies: precision and recall against the generator's bursts
//!   ([`bec_usage::synthetic::bursts`]), per sensitivity and per resource.
//! - Speed: median times on the demo month (31 days, 1-minute steps, 12 resources, seed 1,
//!   as the web demo generates it).

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bec_usage::analysis::{
    find_anomalies, forecast, usage_hours, AnomalyOptions, ForecastOptions, Sensitivity,
};
use bec_usage::query::beijing_offset;
use bec_usage::synthetic::{generate, standard_resources, SyntheticOptions};
use chrono::NaiveDate;

mod scoring;
use scoring::{
    anomaly_counts, forecast_cases, mape_and_coverage, month_end, AnomalyCounts, AnyResult,
    ForecastCase,
};

const SEEDS: [u64; 3] = [1, 2, 3];
const HELD_BACK_SEEDS: [u64; 3] = [1000, 1001, 1002];
const YEAR: i32 = 2023;
const SENSITIVITIES: [Sensitivity; 3] = [Sensitivity::Low, Sensitivity::Medium, Sensitivity::High];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("analysis_scores: {error}");
            ExitCode::FAILURE
        }
    }
}

fn months(seeds: &[u64]) -> AnyResult<Vec<SyntheticOptions>> {
    let mut out = Vec::new();
    for month in 1..=12 {
        let first = NaiveDate::from_ymd_opt(YEAR, month, 1).ok_or("bad month")?;
        for &seed in seeds {
            out.push(
                SyntheticOptions::new(first, month_end(first))
                    .with_seed(seed)
                    .with_step_seconds(60),
            );
        }
    }
    Ok(out)
}

fn run() -> AnyResult<()> {
    let tuning = months(&SEEDS)?;
    let mut cases: Vec<ForecastCase> = Vec::new();
    let mut anomalies: BTreeMap<(usize, String), AnomalyCounts> = BTreeMap::new();
    for month in &tuning {
        cases.extend(forecast_cases(month, &[10, 20])?);
        let usage = generate(month)?;
        for (i, sensitivity) in SENSITIVITIES.iter().enumerate() {
            for (resource, counts) in anomaly_counts(month, &usage, *sensitivity)? {
                anomalies.entry((i, resource)).or_default().add(counts);
            }
        }
    }

    println!(
        "Forecast backtest: {} months ({YEAR}-01..{YEAR}-12 x seeds 1, 2, 3), 1-minute data, 8 default resources",
        tuning.len()
    );
    println!("  month-end total of unit-hours per resource vs the true total of the whole month");
    for cutoff in [10, 20] {
        let (mape, coverage, n) = mape_and_coverage(cases.iter().filter(|c| c.cutoff == cutoff));
        println!(
            "  from days 1-{cutoff}: MAPE {mape:5.2} %, truth inside the 80 % interval {coverage:5.1} % of {n} totals"
        );
    }
    println!("  per resource             MAPE d10  MAPE d20  inside d10  inside d20");
    let mut resources: Vec<&str> = cases.iter().map(|c| c.resource.as_str()).collect();
    resources.dedup();
    resources.sort_unstable();
    resources.dedup();
    for resource in &resources {
        let at = |cutoff| {
            mape_and_coverage(
                cases
                    .iter()
                    .filter(|c| c.cutoff == cutoff && c.resource == *resource),
            )
        };
        let ((m10, c10, _), (m20, c20, _)) = (at(10), at(20));
        println!("    {resource:<20} {m10:7.2} % {m20:7.2} %   {c10:6.1} %    {c20:6.1} %");
    }

    let mut held_back = Vec::new();
    for month in months(&HELD_BACK_SEEDS)? {
        held_back.extend(forecast_cases(
            &month.with_resources(standard_resources(12)),
            &[0],
        )?);
    }
    let (mape, coverage, n) = mape_and_coverage(&held_back);
    println!(
        "Held back (synthetic, not real: 12 standard resources, seeds 1000-1002, never used while choosing parameters; \
         the last 10 days of each month of {YEAR} forecast): MAPE {mape:5.2} %, inside the 80 % interval {coverage:5.1} % of {n} totals"
    );

    println!(
        "Anomalies vs the generator's bursts ({} months as above, 1-minute data)",
        tuning.len()
    );
    for (i, sensitivity) in SENSITIVITIES.iter().enumerate() {
        let mut all = AnomalyCounts::default();
        for ((s, _), counts) in &anomalies {
            if *s == i {
                all.add(*counts);
            }
        }
        println!(
            "  {:<6} precision {:5.1} % ({} of {} found overlap a burst), recall {:5.1} % ({} of {} bursts)",
            format!("{sensitivity:?}"),
            all.precision(),
            all.found_true,
            all.found,
            all.recall(),
            all.bursts_found,
            all.bursts
        );
    }
    println!("  per resource (precision / recall, found): Low | Medium | High");
    for resource in &resources {
        let cells: Vec<String> = (0..SENSITIVITIES.len())
            .map(|i| {
                let c = anomalies
                    .get(&(i, (*resource).to_owned()))
                    .copied()
                    .unwrap_or_default();
                format!("{:5.1} / {:5.1} ({:3})", c.precision(), c.recall(), c.found)
            })
            .collect();
        println!("    {resource:<14} {}", cells.join(" | "));
    }

    let first = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("bad date")?;
    let demo = generate(
        &SyntheticOptions::new(first, month_end(first))
            .with_seed(1)
            .with_step_seconds(60)
            .with_resource_count(12),
    )?;
    let points: usize = demo.resources.iter().map(|r| r.points.len()).sum();
    let offset = beijing_offset();
    let hours = usage_hours(&demo, offset)?;
    let anomaly_time =
        median_time(|| find_anomalies(&demo, &AnomalyOptions::default()).map(|_| ()))?;
    let hours_time = median_time(|| usage_hours(&demo, offset).map(|_| ()))?;
    let forecast_time = median_time(|| forecast(&hours, &ForecastOptions::default()).map(|_| ()))?;
    println!(
        "Speed on the demo month ({points} points, 12 resources, 1-minute steps), median of 11 runs: \
         find_anomalies {:.2} ms (fastest {:.2}), usage_hours {:.2} ms (fastest {:.2}), forecast {:.3} ms (fastest {:.3})",
        ms(anomaly_time.0),
        ms(anomaly_time.1),
        ms(hours_time.0),
        ms(hours_time.1),
        ms(forecast_time.0),
        ms(forecast_time.1)
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median and the fastest of 11 runs.
fn median_time(mut work: impl FnMut() -> bec_usage::Result<()>) -> AnyResult<(Duration, Duration)> {
    let mut times = Vec::new();
    for _ in 0..11 {
        let start = Instant::now();
        work()?;
        times.push(start.elapsed());
    }
    times.sort_unstable();
    Ok((times[times.len() / 2], times[0]))
}
