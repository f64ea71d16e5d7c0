//! How the anomaly finder and the forecast do on real series: reads every `*.csv`
//! (`timestamp,value`) below each folder given, with labelled windows from the folder's
//! `windows.json` where there is one, and prints the figures next to the baselines.
//!
//! ```sh
//! cargo run -p bec-usage --release --example real_scores -- ../shared/data/nab-dev
//! cargo run -p bec-usage --release --example real_scores -- --forecast target/real-series
//! ```
//!
//! `--anomalies` or `--forecast` runs one of the two; both run by default. The figures and
//! how they are counted are in each part's module docs (`anomalies.rs`, `forecasts.rs`).

use std::path::PathBuf;
use std::process::ExitCode;

mod anomalies;
mod data;
mod forecasts;

use data::{read_folder, AnyResult};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("real_scores: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> AnyResult<()> {
    let (mut want_anomalies, mut want_forecast) = (false, false);
    let mut folders = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--anomalies" => want_anomalies = true,
            "--forecast" => want_forecast = true,
            "-h" | "--help" => {
                println!("usage: real_scores [--anomalies] [--forecast] FOLDER...");
                return Ok(());
            }
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}").into()),
            folder => folders.push(PathBuf::from(folder)),
        }
    }
    if folders.is_empty() {
        return Err("give at least one folder of CSV files (see --help)".into());
    }
    if !want_anomalies && !want_forecast {
        (want_anomalies, want_forecast) = (true, true);
    }
    let mut series = Vec::new();
    for folder in &folders {
        series.extend(read_folder(folder)?);
    }
    let skipped: usize = series.iter().map(|s| s.skipped_rows).sum();
    println!(
        "{} series from {} ({skipped} rows without a value skipped)",
        series.len(),
        folders
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if want_anomalies {
        anomalies::print_report(&series)?;
    }
    if want_forecast {
        forecasts::print_report(&series)?;
    }
    Ok(())
}
