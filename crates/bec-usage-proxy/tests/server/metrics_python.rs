//! `/metrics` read by another implementation: PyPI's `prometheus_client` parses the scrape
//! (`tests/python/check_metrics.py`), after making its own requests, and compares every
//! counter with them. It scrapes with a bearer token (`--metrics-token-file`), as
//! Prometheus would.
//!
//! Ignored in a plain `cargo test`: it needs Python with `prometheus-client`, which
//! `scripts/setup.sh` installs into `target/sdk-venv`. `scripts/test.sh` runs it as
//!
//! ```sh
//! BEC_METRICS_PYTHON=$PWD/target/sdk-venv/bin/python \
//!     cargo test -p bec-usage-proxy --test metrics_python -- --ignored
//! ```

use std::path::Path;
use std::process::Command;

use crate::common::*;
use bec_usage_proxy::ratelimit::RateLimit;
use bec_usage_proxy::standin::Faults;

/// Requests each client may make in the run (no refill: 1 per 1000 s).
const BURST: u32 = 5;
/// Every second upstream attempt fails with 500 InternalError, so some answers need a retry.
const ERROR_RATE: f64 = 0.5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Python with prometheus-client: set BEC_METRICS_PYTHON and run with --ignored"]
async fn prometheus_client_reads_the_counts_of_the_requests_it_made() {
    let python = std::env::var("BEC_METRICS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "BEC_METRICS_PYTHON is not set. It must be the absolute path of a Python with \
             prometheus-client, e.g. after `bash scripts/setup.sh`: \
             BEC_METRICS_PYTHON=$PWD/target/sdk-venv/bin/python cargo test -p bec-usage-proxy \
             --test metrics_python -- --ignored"
        )
    });
    let (standin, upstream) = start_standin().await;
    standin.set_faults(Faults {
        error_rate: ERROR_RATE,
        ..Faults::default()
    });
    let mut setup = ProxySetup::server_signed(upstream);
    setup.options.rate_limit = Some(RateLimit {
        per_second: 0.001,
        burst: f64::from(BURST),
    });
    // Scrapes carry a token, as Prometheus' `authorization: { credentials_file: FILE }`
    // sends it: the script reads the same file.
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("metrics-token");
    std::fs::write(&token_file, "prometheus-scrape-token-8d2f0c41\n").expect("write");
    setup.options.metrics_token = Some(std::sync::Arc::new(
        bec_usage_proxy::metrics_token::MetricsToken::read(&token_file).expect("token"),
    ));
    let proxy = setup.start().await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_metrics.py");
    // The script blocks on its requests; the proxy serves them on this runtime's workers.
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(&script)
            .args(["--url", &format!("http://{proxy}")])
            .args(["--burst", &BURST.to_string()])
            .args(["--version", env!("CARGO_PKG_VERSION")])
            .args(["--error-rate", &ERROR_RATE.to_string()])
            .args(["--retries", &quick_policy().retry.retries.to_string()])
            .arg("--token-file")
            .arg(&token_file)
            .output()
            .unwrap_or_else(|e| panic!("cannot run BEC_METRICS_PYTHON={python}: {e}"))
    })
    .await
    .expect("the script ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "check_metrics.py failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    // The attempts the script expected are those that reached the stand-in: four
    // answers, three of them after one 500 (attempts 1, 3, 5 fail).
    assert!(stdout.contains("count 7 == 7"), "{stdout}");
    assert_eq!(standin.request_count(), 7);
    println!("{stdout}");
}
