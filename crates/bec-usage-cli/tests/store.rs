//! `bec-usage fetch --store PATH` against the stand-in: a warm store answers with the
//! same bytes as a cold one and without a request; a mixed range asks only for the missing
//! days; a run that fails half-way has kept what it loaded, and the next run asks only for
//! the rest; days that may still change are never kept.

mod common;

use bec_usage::analysis::points_csv;
use bec_usage::query::beijing_offset;
use bec_usage_proxy::standin::Faults;
use common::*;

fn fetch_with_store(
    address: std::net::SocketAddr,
    store: &std::path::Path,
    from: &str,
    to: &str,
    format: &str,
) -> (Option<i32>, String, String) {
    parts(&run(bec_usage_demo().args([
        "fetch",
        "--endpoint",
        &endpoint(address),
        "--store",
        store.to_str().expect("path"),
        "--from",
        from,
        "--to",
        to,
        "--format",
        format,
        "--concurrency",
        "1",
    ])))
}

#[test]
fn a_warm_store_gives_the_same_bytes_without_a_request() {
    let (standin, address) = start_hourly_standin();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("history.sqlite3");
    let (code, cold_json, stderr) =
        fetch_with_store(address, &store, "2024-01-01", "2024-02-15", "json");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(standin.request_count(), 2);
    let (_, cold_csv, _) = fetch_with_store(address, &store, "2024-01-01", "2024-02-15", "csv");
    assert_eq!(standin.request_count(), 2, "the second run read the store");
    let (code, warm_json, stderr) =
        fetch_with_store(address, &store, "2024-01-01", "2024-02-15", "json");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(standin.request_count(), 2);
    assert!(warm_json == cold_json, "warm and cold JSON differ");
    assert_eq!(
        cold_csv,
        points_csv(
            &expected_usage(&standin, "2024-01-01", "2024-02-15"),
            beijing_offset()
        )
        .expect("csv")
    );
    // All stored: no service needed (the keys name the account, as for the server).
    let nobody = free_address();
    let output = run(bec_usage_demo().args([
        "fetch",
        "--endpoint",
        &endpoint(nobody),
        "--store",
        store.to_str().expect("path"),
        "--from",
        "2024-01-10",
        "--to",
        "2024-01-20",
        "--format",
        "csv",
    ]));
    let (code, offline, stderr) = parts(&output);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        offline,
        points_csv(
            &expected_usage(&standin, "2024-01-10", "2024-01-20"),
            beijing_offset()
        )
        .expect("csv")
    );
}

#[test]
fn a_mixed_range_asks_only_for_the_missing_days() {
    let (standin, address) = start_hourly_standin();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("history.sqlite3");
    let (code, _, stderr) = fetch_with_store(address, &store, "2024-01-01", "2024-01-31", "csv");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(standin.request_count(), 1);
    let (code, csv, stderr) = fetch_with_store(address, &store, "2023-12-20", "2024-02-10", "csv");
    assert_eq!(code, Some(0), "{stderr}");
    let mut asked: Vec<String> = standin
        .received()
        .iter()
        .skip(1)
        .map(|request| {
            request
                .target
                .split_once('?')
                .expect("a query")
                .1
                .to_owned()
        })
        .collect();
    asked.sort();
    assert_eq!(
        asked,
        [
            "beginDate=2023-12-20&endDate=2023-12-31",
            "beginDate=2024-02-01&endDate=2024-02-10"
        ]
    );
    assert_eq!(
        csv,
        points_csv(
            &expected_usage(&standin, "2023-12-20", "2024-02-10"),
            beijing_offset()
        )
        .expect("csv")
    );
}

#[test]
fn a_failed_run_keeps_what_it_loaded_and_the_next_asks_for_the_rest() {
    let (standin, address) = start_hourly_standin();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("history.sqlite3");
    // Every second request fails: the first query is loaded and kept, the second refused.
    standin.set_faults(Faults {
        error_rate: 0.5,
        ..Faults::default()
    });
    let output = run(bec_usage_demo().args([
        "fetch",
        "--endpoint",
        &endpoint(address),
        "--store",
        store.to_str().expect("path"),
        "--from",
        "2024-01-01",
        "--to",
        "2024-02-15",
        "--concurrency",
        "1",
        "--retries",
        "0",
    ]));
    let (code, stdout, stderr) = parts(&output);
    assert_eq!(code, Some(3), "{stderr}");
    assert_eq!(stdout, "");
    standin.set_faults(Faults::default());
    let before = standin.request_count();
    let (code, csv, stderr) = fetch_with_store(address, &store, "2024-01-01", "2024-02-15", "csv");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        standin.request_count(),
        before + 1,
        "only the failed query again"
    );
    let last = standin.received().last().expect("a request").target.clone();
    assert!(
        last.ends_with("beginDate=2024-02-01&endDate=2024-02-15"),
        "{last}"
    );
    assert_eq!(
        csv,
        points_csv(
            &expected_usage(&standin, "2024-01-01", "2024-02-15"),
            beijing_offset()
        )
        .expect("csv")
    );
}

#[test]
fn days_that_may_still_change_are_asked_for_every_time() {
    let (standin, address) = start_hourly_standin();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("history.sqlite3");
    for _ in 0..2 {
        let output = run(bec_usage_demo().args([
            "fetch",
            "--endpoint",
            &endpoint(address),
            "--store",
            store.to_str().expect("path"),
            "--from",
            "today-3",
            "--to",
            "today",
            "--format",
            "hours-csv",
        ]));
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // Days up to today-2 are settled and kept by the first run: the second asks only for
    // yesterday and today.
    assert_eq!(standin.request_count(), 2);
    let second = standin.received()[1].target.clone();
    assert!(second.contains("beginDate="), "{second}");
    let begin = second
        .split("beginDate=")
        .nth(1)
        .expect("begin")
        .split('&')
        .next()
        .expect("date")
        .to_owned();
    let end = second.split("endDate=").nth(1).expect("end").to_owned();
    let days = chrono::NaiveDate::parse_from_str(&end, "%Y-%m-%d").expect("end")
        - chrono::NaiveDate::parse_from_str(&begin, "%Y-%m-%d").expect("begin");
    assert_eq!(days.num_days(), 1, "{second}");
}
