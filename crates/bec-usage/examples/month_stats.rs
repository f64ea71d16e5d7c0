//! A month of usage through the core, end to end: generate a synthetic response (31 days,
//! 1-minute steps, 12 resources), write it as the service's JSON, read it back, and print
//! each resource's exact statistics, the data-quality notes and the time each step took.
//!
//! ```sh
//! cargo run --release -p bec-usage --example month_stats
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant};

use bec_usage::analysis::{daily_averages, response_stats};
use bec_usage::json::{parse_usage, write_usage};
use bec_usage::quality::quality_notes;
use bec_usage::query::beijing_offset;
use bec_usage::synthetic::{generate, SyntheticOptions};
use chrono::NaiveDate;

/// The seed of the demonstration month: any fixed value gives the same data on every run.
const SEED: u64 = 2024;
const RESOURCES: usize = 12;
const STEP_SECONDS: u32 = 60;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("month_stats: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let begin = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("bad begin date")?;
    let end = NaiveDate::from_ymd_opt(2024, 1, 31).ok_or("bad end date")?;
    let options = SyntheticOptions::new(begin, end)
        .with_seed(SEED)
        .with_step_seconds(STEP_SECONDS)
        .with_resource_count(RESOURCES);

    let (generated, generate_time) = timed(|| generate(&options));
    let generated = generated?;
    let (json, write_time) = timed(|| write_usage(&generated));
    let (parsed, parse_time) = timed(|| parse_usage(&json));
    let usage = parsed?;
    if usage != generated {
        return Err("the parsed response differs from the generated one".into());
    }
    let (stats, stats_time) = timed(|| response_stats(&usage));
    let stats = stats?;
    let (daily, daily_time) = timed(|| daily_averages(&usage, beijing_offset()));
    let daily = daily?;
    let (notes, notes_time) = timed(|| quality_notes(&usage, beijing_offset()));

    let total_points: usize = usage.resources.iter().map(|r| r.points.len()).sum();
    println!(
        "Synthetic month {} .. {}: {} resources, {} points, {} s steps, seed {SEED}",
        usage.time_span.begin_date,
        usage.time_span.end_date,
        usage.resources.len(),
        total_points,
        STEP_SECONDS,
    );
    println!(
        "JSON: {:.1} MB; parsed back identical to the generated data\n",
        megabytes(json.len())
    );

    let header = ["resource", "unit", "points", "min", "mean", "max", "last"];
    let rows: Vec<[String; 7]> = stats
        .iter()
        .map(|resource| match &resource.stats {
            Some(s) => [
                resource.resource.clone(),
                resource.unit.clone(),
                s.points.to_string(),
                s.min.amount.to_string(),
                s.mean.to_string(),
                s.max.amount.to_string(),
                s.last.amount.to_string(),
            ],
            None => [
                resource.resource.clone(),
                resource.unit.clone(),
                "0".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
            ],
        })
        .collect();
    print_table(&header, &rows);

    println!(
        "\nDaily averages: {} days x {} resources",
        daily.dates().len(),
        daily.resources().len()
    );
    println!("Data-quality notes: {}", notes.len());
    for note in &notes {
        println!("  [{}] {}", note.kind.as_str(), note.message);
    }

    let analyse_time = parse_time + stats_time + daily_time;
    println!("\nTime taken:");
    for (step, time) in [
        ("generate", generate_time),
        ("write JSON", write_time),
        ("parse JSON", parse_time),
        ("statistics", stats_time),
        ("daily averages", daily_time),
        ("quality notes", notes_time),
    ] {
        println!("  {step:<15} {:>9.1} ms", millis(time));
    }
    println!(
        "  parse + statistics + daily averages: {:.1} ms, {:.0} MB/s of JSON",
        millis(analyse_time),
        megabytes(json.len()) / analyse_time.as_secs_f64().max(f64::MIN_POSITIVE),
    );
    Ok(())
}

fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = work();
    (value, start.elapsed())
}

fn millis(time: Duration) -> f64 {
    time.as_secs_f64() * 1000.0
}

fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// Columns in the terminal: CJK characters (units such as 核) take two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if c >= '\u{1100}' { 2 } else { 1 })
        .sum()
}

/// Prints a table, text left-aligned in the first two columns, numbers right-aligned.
fn print_table(header: &[&str; 7], rows: &[[String; 7]]) {
    let mut widths = header.map(display_width);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    let line = |cells: [&str; 7]| {
        let mut out = String::new();
        for (column, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let padding = " ".repeat(width - display_width(cell));
            if column < 2 {
                out.push_str(cell);
                out.push_str(&padding);
            } else {
                out.push_str(&padding);
                out.push_str(cell);
            }
            out.push_str("  ");
        }
        println!("{}", out.trim_end());
    };
    line(*header);
    for row in rows {
        line(row.each_ref().map(String::as_str));
    }
}
