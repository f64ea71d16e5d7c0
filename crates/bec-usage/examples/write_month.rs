//! Writes the benchmark month as the service's JSON to a file: 31 days (January 2024),
//! 1-minute steps, 12 resources, seed 2024 — the same data as `month_stats` and the
//! `parse_analyse` bench. The npm package's benchmark (`tests/npm/bench.mjs`) reads it, so
//! that JavaScript and WebAssembly are timed on exactly the input the Rust figures use.
//!
//! ```sh
//! cargo run --release -p bec-usage --example write_month -- target/npm/month.json
//! ```

use std::process::ExitCode;

use bec_usage::synthetic::{generate_json, SyntheticOptions};
use chrono::NaiveDate;

const SEED: u64 = 2024;
const RESOURCES: usize = 12;
const STEP_SECONDS: u32 = 60;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: write_month OUTPUT.json");
        return ExitCode::FAILURE;
    };
    match run(&path) {
        Ok(bytes) => {
            println!("wrote {bytes} bytes to {path}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("write_month: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(path: &str) -> Result<usize, Box<dyn std::error::Error>> {
    let begin = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("bad begin date")?;
    let end = NaiveDate::from_ymd_opt(2024, 1, 31).ok_or("bad end date")?;
    let options = SyntheticOptions::new(begin, end)
        .with_seed(SEED)
        .with_step_seconds(STEP_SECONDS)
        .with_resource_count(RESOURCES);
    let json = generate_json(&options)?;
    std::fs::write(path, &json).map_err(|error| format!("cannot write {path}: {error}"))?;
    Ok(json.len())
}
