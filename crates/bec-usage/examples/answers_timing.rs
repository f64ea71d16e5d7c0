//! Times the four analyses of issue 14 on the demo month (12 resources, one-minute step,
//! 31 days, about 534k points): `cargo run -p bec-usage --release --example answers_timing`.
//! Prints the fastest of several runs of each, so that a busy machine disturbs it less.
//!
//! The same in WebAssembly, at the size-first `wasm-release` profile the npm module and the
//! dashboard are built with, run by Node's WASI (needs the `wasm32-wasip1` target of
//! rustup; nothing in the test command uses it):
//!
//! ```text
//! cargo build -p bec-usage --profile wasm-release --target wasm32-wasip1 --example answers_timing
//! node scripts/wasi-run.mjs target/wasm32-wasip1/wasm-release/examples/answers_timing.wasm
//! node --liftoff-only scripts/wasi-run.mjs …   # only V8's baseline compiler, as a page's
//!                                              # first calls of each function get
//! ```

use std::time::Instant;

use bec_usage::analysis::{
    estimate_cost, find_anomalies, forecast, usage_hours, AnomalyOptions, ForecastOptions,
};
use bec_usage::json::parse_price_sheet;
use bec_usage::query::beijing_offset;
use bec_usage::synthetic::{generate, SyntheticOptions};
use chrono::NaiveDate;

fn fastest<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed().as_secs_f64() * 1000.0);
        last = Some(value);
    }
    (best, last.expect("at least one run"))
}

fn main() -> Result<(), bec_usage::Error> {
    let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("a date");
    let options = SyntheticOptions::new(day(1), day(31))
        .with_step_seconds(60)
        .with_resource_count(12)
        .with_seed(2024);
    let usage = generate(&options)?;
    let points: usize = usage.resources.iter().map(|r| r.points.len()).sum();
    let sheet = parse_price_sheet(
        r#"{"currency": "CNY", "prices": {"CPU": "0.045", "Memory": "0.012",
            "TRAFFIC": [{"upTo": 100000, "price": "0.8"}, {"price": "0.6"}]}}"#,
    )?;
    let offset = beijing_offset();
    let runs = 15;
    let (hours_ms, hours) = fastest(runs, || usage_hours(&usage, offset));
    let hours = hours?;
    let (cost_ms, cost) = fastest(runs, || estimate_cost(&hours, &sheet));
    cost?;
    let (forecast_ms, ahead) = fastest(runs, || forecast(&hours, &ForecastOptions::default()));
    ahead?;
    let (anomalies_ms, unusual) =
        fastest(runs, || find_anomalies(&usage, &AnomalyOptions::default()));
    let unusual = unusual?;
    println!(
        "demo month: {points} points in {} resources",
        usage.resources.len()
    );
    println!("resource-hours  {hours_ms:8.2} ms");
    println!("cost estimate   {cost_ms:8.2} ms");
    println!("forecast        {forecast_ms:8.2} ms");
    println!(
        "anomalies       {anomalies_ms:8.2} ms ({} found)",
        unusual.len()
    );
    println!(
        "all four        {:8.2} ms (fastest of {runs} runs each, {})",
        hours_ms + cost_ms + forecast_ms + anomalies_ms,
        if cfg!(target_family = "wasm") {
            "WebAssembly"
        } else {
            "native release"
        }
    );
    Ok(())
}
