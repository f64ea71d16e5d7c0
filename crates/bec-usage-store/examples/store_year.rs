//! The store's size and speed for one account-year: 366 days (2024) of 5-minute data of
//! the 8 default resources (the demo's data), stored as the server stores it (31-day
//! answers), then the whole year read back and written as one answer.
//!
//! `cargo run --release -p bec-usage-store --example store_year [FILE]` (scripts/bench-store.sh
//! runs it); prints `key value` lines.

use std::time::Instant;

use bec_usage::json::write_usage;
use bec_usage::query::split_range;
use bec_usage::synthetic::{generate, SyntheticOptions};
use bec_usage_store::days::assemble;
use bec_usage_store::Store;
use chrono::NaiveDate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = std::env::args()
        .nth(1)
        .map_or_else(|| dir.path().join("year.sqlite3"), Into::into);
    let begin = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("a date")?;
    let end = NaiveDate::from_ymd_opt(2024, 12, 31).ok_or("a date")?;
    let store = Store::open(&path)?.store;
    let mut json_bytes = 0usize;
    let mut put_seconds = 0.0;
    for chunk in split_range(begin, end)? {
        let answer = generate(
            &SyntheticOptions::new(chunk.begin_date(), chunk.end_date())
                .with_seed(20_240_101)
                .with_step_seconds(300),
        )?;
        json_bytes += write_usage(&answer).len();
        let start = Instant::now();
        store.put_response("demo", &answer, end)?;
        put_seconds += start.elapsed().as_secs_f64();
    }
    drop(store);
    // Reopened, so the write-ahead log is folded into the file and the size is the file's.
    let opened = Store::open(&path)?;
    let store = opened.store;
    println!("days_stored {}", store.day_count()?);
    println!("store_bytes {}", store.file_size());
    println!("json_bytes_of_the_same_answers {json_bytes}");
    println!("store_seconds_12_answers {put_seconds:.3}");
    let mut best = f64::MAX;
    let mut answer_bytes = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let read = store.read_days("demo", begin, end)?;
        let usage = assemble(read.days)?;
        let text = write_usage(&usage);
        best = best.min(start.elapsed().as_secs_f64());
        answer_bytes = text.len();
    }
    println!("answer_366_days_seconds {best:.3}");
    println!("answer_366_days_bytes {answer_bytes}");
    Ok(())
}
