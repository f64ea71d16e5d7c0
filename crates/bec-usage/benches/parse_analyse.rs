//! Parse + stats + daily averages of a 31-day, 1-minute, 12-resource response made by the
//! synthetic generator (about 24 MB of JSON), reported as throughput of JSON bytes.
//!
//! `cargo bench -p bec-usage --bench parse_analyse`; docs/performance.md records the figures.
//!
//! Native only (criterion is a native dev-dependency); on wasm32 this is an empty `main`
//! so that `--all-targets` builds there too.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use bec_usage::analysis::{
        daily_averages, estimate_cost, find_anomalies, forecast, response_stats, usage_hours,
        AnomalyOptions, ForecastOptions,
    };
    use bec_usage::json::parse_usage;
    use bec_usage::query::beijing_offset;
    use bec_usage::synthetic::{generate_json, SyntheticOptions};
    use chrono::NaiveDate;
    use criterion::{criterion_group, Criterion, Throughput};

    fn month_json() -> String {
        let begin = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let end = NaiveDate::from_ymd_opt(2024, 1, 31).expect("date");
        let options = SyntheticOptions::new(begin, end)
            .with_step_seconds(60)
            .with_resource_count(12)
            .with_seed(2024);
        generate_json(&options).expect("generator")
    }

    fn parse_and_analyse(c: &mut Criterion) {
        let json = month_json();
        let offset = beijing_offset();
        let points: usize = parse_usage(&json)
            .expect("parse")
            .resources
            .iter()
            .map(|r| r.points.len())
            .sum();
        println!(
            "input: {} bytes of JSON, {points} points in 12 resources",
            json.len()
        );

        let mut group = c.benchmark_group("month_1min_12res");
        group.throughput(Throughput::Bytes(json.len() as u64));
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(8));
        group.bench_function("parse", |b| {
            b.iter(|| parse_usage(black_box(&json)).expect("parse"))
        });
        group.bench_function("parse+stats+daily", |b| {
            b.iter(|| {
                let usage = parse_usage(black_box(&json)).expect("parse");
                let stats = response_stats(&usage).expect("stats");
                let daily = daily_averages(&usage, offset).expect("daily");
                (usage, stats, daily)
            })
        });
        group.finish();

        // The four analyses of issue 14 on the parsed month, as the dashboard runs them.
        let usage = parse_usage(&json).expect("parse");
        let sheet = bec_usage::json::parse_price_sheet(
            r#"{"currency": "CNY", "prices": {"CPU": "0.045", "Memory": "0.012",
                "TRAFFIC": [{"upTo": 100000, "price": "0.8"}, {"price": "0.6"}]}}"#,
        )
        .expect("sheet");
        let mut group = c.benchmark_group("month_1min_12res_answers");
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(8));
        group.bench_function("hours", |b| {
            b.iter(|| usage_hours(black_box(&usage), offset).expect("hours"))
        });
        group.bench_function("hours+cost+forecast+anomalies", |b| {
            b.iter(|| {
                let hours = usage_hours(black_box(&usage), offset).expect("hours");
                let cost = estimate_cost(&hours, &sheet).expect("cost");
                let ahead = forecast(&hours, &ForecastOptions::default()).expect("forecast");
                let unusual =
                    find_anomalies(&usage, &AnomalyOptions::default()).expect("anomalies");
                (cost, ahead, unusual)
            })
        });
        group.finish();
    }

    criterion_group!(benches, parse_and_analyse);
}
