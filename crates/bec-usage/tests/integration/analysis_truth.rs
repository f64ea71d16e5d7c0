//! The forecast and the anomaly finder against the synthetic generator's known truth, a
//! small version of `examples/analysis_scores.rs`: two months of 5-minute data, with floors
//! the methods clear by a wide margin but a broken method (a forecast of nothing more, an
//! anomaly finder that flags nothing or everything) would not. Native only: it generates and analyses a few hundred thousand points.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../../examples/scoring/mod.rs"]
mod scoring;

use bec_usage::analysis::Sensitivity;
use bec_usage::synthetic::{generate, SyntheticOptions};
use chrono::NaiveDate;
use scoring::{anomaly_counts, forecast_cases, mape_and_coverage, month_end, AnomalyCounts};

fn months() -> Vec<SyntheticOptions> {
    [(2023, 3, 11), (2023, 8, 12)]
        .into_iter()
        .map(|(year, month, seed)| {
            let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a month");
            SyntheticOptions::new(first, month_end(first))
                .with_seed(seed)
                .with_step_seconds(300)
        })
        .collect()
}

#[test]
fn month_end_totals_are_close_to_the_truth() {
    let mut cases = Vec::new();
    for month in months() {
        cases.extend(forecast_cases(&month, &[10, 20]).expect("forecast"));
    }
    let (mape10, _, n10) = mape_and_coverage(cases.iter().filter(|c| c.cutoff == 10));
    let (mape20, coverage20, n20) = mape_and_coverage(cases.iter().filter(|c| c.cutoff == 20));
    eprintln!("MAPE day 10 {mape10:.2} % (n={n10}), day 20 {mape20:.2} % (n={n20}), inside {coverage20:.1} %");
    assert_eq!((n10, n20), (16, 16));
    // Leaving out the rest of the month would be off by about a third (day 20) or two
    // thirds (day 10); forecasting the mean of the history is off by several percent.
    assert!(mape10 < 6.0, "day-10 MAPE {mape10:.2} %");
    assert!(mape20 < 3.0, "day-20 MAPE {mape20:.2} %");
    // The interval: with only the month itself as history (20 days) there are too few
    // backtests at a 10-day horizon, so it is the fixed ±20 % and holds the truth every
    // time; the calibrated 80 % interval is checked on real series (`forecast_real.rs`).
    assert!(
        (55.0..=100.0).contains(&coverage20),
        "day-20 interval coverage {coverage20:.1} %"
    );
}

#[test]
fn anomalies_find_the_bursts_and_little_else() {
    // The generator puts about two bursts a week into every resource that has them, so to
    // the finder they are part of what is usual: with a false-alarm budget of once a month
    // low lists only the strongest few, medium (once a week) about two thirds.
    for (sensitivity, min_recall, min_precision) in [
        (Sensitivity::Low, 15.0, 80.0),
        (Sensitivity::Medium, 55.0, 80.0),
    ] {
        let mut all = AnomalyCounts::default();
        for month in months() {
            let usage = generate(&month).expect("generate");
            let weeks = (month.end_date - month.begin_date).num_days() as f64 / 7.0 + 1.0 / 7.0;
            let counts = anomaly_counts(&month, &usage, sensitivity).expect("score");
            for (resource, c) in &counts {
                if ["EIP", "SSD", "BOS_Standard"].contains(&resource.as_str()) {
                    // No bursts: what is found is noise, within the budget.
                    let budget = (weeks * sensitivity.alarms_per_week()).ceil() as usize;
                    assert!(c.found <= budget, "{resource} has no bursts, yet {c:?}");
                }
                all.add(*c);
            }
        }
        eprintln!(
            "{sensitivity:?}: {all:?}, precision {:.1} %, recall {:.1} %",
            all.precision(),
            all.recall()
        );
        assert!(all.bursts >= 20, "{all:?}");
        assert!(all.recall() >= min_recall, "{sensitivity:?} recall {all:?}");
        assert!(
            all.precision() >= min_precision,
            "{sensitivity:?} precision {all:?}"
        );
    }
}
