//! The load of `scripts/soak.sh`: CONNECTIONS loops of one-day usage queries against a
//! proxy for SECONDS, each answer checked: a 2xx must be a whole usage response (the core's
//! reader accepts it), anything else a BCE-style error body `{"requestId","code","message"}`.
//! Prints a line every 10 s and, at the end, the figures as `key=value` lines.
//!
//!   cargo run --release -p bec-usage-proxy --example soak_load -- URL SECONDS CONNECTIONS

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bec_usage::json::{parse_service_error, parse_usage};

#[derive(Default)]
struct Tally {
    by_status: BTreeMap<String, u64>,
    by_code: BTreeMap<String, u64>,
    bad: u64,
    bad_samples: Vec<String>,
    latencies_us: Vec<u64>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(base), Some(seconds), Some(connections)) = (
        args.get(1),
        args.get(2).and_then(|s| s.parse::<u64>().ok()),
        args.get(3).and_then(|s| s.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: soak_load URL SECONDS CONNECTIONS");
        std::process::exit(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("soak_load: no runtime: {error}");
            std::process::exit(1);
        }
    };
    runtime.block_on(run(
        base.trim_end_matches('/').to_owned(),
        seconds,
        connections,
    ));
}

async fn run(base: String, seconds: u64, connections: usize) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            eprintln!("soak_load: no client: {error}");
            std::process::exit(1);
        }
    };
    let tally = Arc::new(Mutex::new(Tally::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let mut loops = Vec::new();
    for worker in 0..connections {
        let (client, base, tally, stop) =
            (client.clone(), base.clone(), tally.clone(), stop.clone());
        loops.push(tokio::spawn(async move {
            let mut n: u64 = worker as u64;
            while !stop.load(Ordering::Relaxed) {
                // 28 different days, so answers come from the stand-in's cache and its generator.
                let day = 1 + n % 28;
                n += connections as u64;
                let url = format!(
                    "{base}/v1/usage/computing?beginDate=2024-02-{day:02}&endDate=2024-02-{day:02}"
                );
                let sent = Instant::now();
                let outcome = match client.get(&url).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        match response.bytes().await {
                            Ok(body) => Ok((status, body)),
                            Err(error) => Err(format!("body broke off: {error}")),
                        }
                    }
                    Err(error) => Err(format!("no answer: {error}")),
                };
                let elapsed = sent.elapsed().as_micros() as u64;
                let mut tally = tally.lock().unwrap_or_else(|p| p.into_inner());
                tally.latencies_us.push(elapsed);
                match outcome {
                    Ok((status, body)) => {
                        *tally.by_status.entry(status.to_string()).or_default() += 1;
                        let text = String::from_utf8_lossy(&body);
                        let verdict = if (200..300).contains(&status) {
                            parse_usage(&text)
                                .map(|_| None)
                                .map_err(|e| format!("{status} body refused: {}", e.message()))
                        } else {
                            match parse_service_error(status, &text, None) {
                                Some(error) => Ok(Some(error.code)),
                                None => {
                                    Err(format!("{status} without a BCE error body: {:.120}", text))
                                }
                            }
                        };
                        match verdict {
                            Ok(Some(code)) => *tally.by_code.entry(code).or_default() += 1,
                            Ok(None) => {}
                            Err(problem) => {
                                tally.bad += 1;
                                if tally.bad_samples.len() < 5 {
                                    tally.bad_samples.push(problem);
                                }
                            }
                        }
                    }
                    Err(problem) => {
                        *tally.by_status.entry("none".into()).or_default() += 1;
                        tally.bad += 1;
                        if tally.bad_samples.len() < 5 {
                            tally.bad_samples.push(problem);
                        }
                    }
                }
            }
        }));
    }
    let deadline = start + Duration::from_secs(seconds);
    while Instant::now() < deadline {
        tokio::time::sleep(
            Duration::from_secs(10).min(deadline.saturating_duration_since(Instant::now())),
        )
        .await;
        let tally = tally.lock().unwrap_or_else(|p| p.into_inner());
        println!(
            "progress t={}s answers={} bad={} statuses={:?}",
            start.elapsed().as_secs(),
            tally.latencies_us.len(),
            tally.bad,
            tally.by_status
        );
    }
    stop.store(true, Ordering::Relaxed);
    for handle in loops {
        let _ = handle.await;
    }
    let mut tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    let total = tally.latencies_us.len();
    tally.latencies_us.sort_unstable();
    let percentile = |p: f64| {
        tally
            .latencies_us
            .get(((total as f64 * p) as usize).min(total.saturating_sub(1)))
            .map_or(0.0, |us| *us as f64 / 1000.0)
    };
    println!("answers={total}");
    println!("seconds={:.1}", start.elapsed().as_secs_f64());
    println!(
        "per_second={:.0}",
        total as f64 / start.elapsed().as_secs_f64()
    );
    for (status, count) in &tally.by_status {
        println!("status_{status}={count}");
    }
    for (code, count) in &tally.by_code {
        println!("code_{code}={count}");
    }
    println!("bad={}", tally.bad);
    for sample in &tally.bad_samples {
        println!("bad_sample={sample}");
    }
    println!("p50_ms={:.2}", percentile(0.50));
    println!("p99_ms={:.2}", percentile(0.99));
}
