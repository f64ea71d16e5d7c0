//! `/metrics`, `/readyz` and the separate metrics listener, on the real server on loopback:
//! known requests (answers, refusals, the rate limit, upstream faults, a clock re-sign),
//! then a scrape whose counters must equal what the test did.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use bec_usage_proxy::app;
use bec_usage_proxy::clock::shifted_clock;
use bec_usage_proxy::forward::Forwarder;
use bec_usage_proxy::metrics::{self, Metrics};
use bec_usage_proxy::ratelimit::RateLimit;
use bec_usage_proxy::standin::Faults;
use tokio::net::TcpListener;

/// A proxy started from `setup`, and the metrics it counts into.
struct Started {
    proxy: SocketAddr,
    metrics: Arc<Metrics>,
}

async fn start(setup: ProxySetup) -> Started {
    let forwarder = Forwarder::new(setup.upstream, setup.policy, setup.credentials, setup.clock)
        .expect("forwarder");
    let metrics = forwarder.metrics().clone();
    let router = app::router(Arc::new(forwarder), setup.options);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let proxy = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("proxy serves");
    });
    Started { proxy, metrics }
}

/// The separate metrics listener for `metrics`, as `--metrics-listen` starts it.
async fn start_metrics_listener(metrics: Arc<Metrics>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(listener, metrics::listener_router(metrics, None))
            .await
            .expect("metrics listener serves");
    });
    address
}

/// A port nothing listens on (it was free a moment ago): connections are refused.
async fn closed_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("address")
}

async fn status_of(address: SocketAddr, target: &str) -> u16 {
    reqwest::get(format!("http://{address}{target}"))
        .await
        .expect("the proxy answers")
        .status()
        .as_u16()
}

async fn json_of(response: reqwest::Response) -> serde_json::Value {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A scrape: every sample line as `series -> value`, the series written as in the text
/// (`name{label="value",...}`).
#[derive(Debug)]
struct Scrape {
    content_type: String,
    text: String,
    samples: HashMap<String, f64>,
}

impl Scrape {
    /// The value of `series`; a series never written counts 0 (a labelled counter that
    /// nothing incremented has no line).
    fn value(&self, series: &str) -> f64 {
        self.samples.get(series).copied().unwrap_or(0.0)
    }

    fn requests(&self, route: &str, status: u16) -> f64 {
        self.value(&format!(
            r#"bec_proxy_requests_total{{route="{route}",status="{status}"}}"#
        ))
    }

    fn upstream_errors(&self, code: &str) -> f64 {
        self.value(&format!(
            r#"bec_proxy_upstream_errors_total{{code="{code}"}}"#
        ))
    }

    /// The sum of every sample of `name` (all its label sets).
    fn total(&self, name: &str) -> f64 {
        self.samples
            .iter()
            .filter(|(series, _)| series.split('{').next() == Some(name))
            .map(|(_, value)| value)
            .sum()
    }
}

async fn scrape(address: SocketAddr) -> Scrape {
    let response = reqwest::get(format!("http://{address}/metrics"))
        .await
        .expect("the metrics answer");
    assert_eq!(response.status(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("text");
    let samples = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("series and value");
            (series.to_owned(), value.parse::<f64>().expect("a number"))
        })
        .collect();
    Scrape {
        content_type,
        text,
        samples,
    }
}

#[tokio::test]
async fn counters_equal_the_requests_made() {
    let (standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    // Six requests under /v1/ pass, then every one is refused (no refill within the test).
    setup.options.rate_limit = Some(RateLimit {
        per_second: 0.001,
        burst: 6.0,
    });
    let Started { proxy, metrics: _ } = start(setup).await;

    for day in ["2024-03-01", "2024-03-02", "2024-03-03"] {
        assert_eq!(status_of(proxy, &usage_target(day, day)).await, 200);
    }
    assert_eq!(
        status_of(proxy, &usage_target("2024-03-02", "2024-03-01")).await,
        400,
        "the end before the beginning"
    );
    // Three attempts answered 500 InternalError: the first and two retries, then 502.
    standin.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert_eq!(
        status_of(proxy, &usage_target("2024-03-04", "2024-03-04")).await,
        502
    );
    standin.set_faults(Faults::default());
    assert_eq!(status_of(proxy, "/v1/other").await, 404);
    // The burst of six is spent: two refusals.
    for _ in 0..2 {
        assert_eq!(
            status_of(proxy, &usage_target("2024-03-05", "2024-03-05")).await,
            429
        );
    }
    assert_eq!(status_of(proxy, "/healthz").await, 200);
    assert_eq!(status_of(proxy, "/").await, 404, "no dashboard folder");
    assert_eq!(standin.request_count(), 6);

    let first = scrape(proxy).await;
    assert_eq!(
        first.content_type, "text/plain; version=0.0.4; charset=utf-8",
        "Prometheus' text format"
    );
    // The scrape is counted once answered: it is in flight in its own text, counted in
    // the next.
    assert_eq!(first.requests("metrics", 200), 0.0);
    assert_eq!(first.value("bec_proxy_requests_in_flight"), 1.0);
    let s = scrape(proxy).await;
    assert_eq!(s.requests("metrics", 200), 1.0);
    assert_eq!(s.requests("usage", 200), 3.0);
    assert_eq!(s.requests("usage", 400), 1.0);
    assert_eq!(s.requests("usage", 502), 1.0);
    assert_eq!(s.requests("usage", 429), 2.0);
    assert_eq!(s.requests("other", 404), 1.0);
    assert_eq!(s.requests("healthz", 200), 1.0);
    assert_eq!(s.requests("static", 404), 1.0);
    assert_eq!(
        s.total("bec_proxy_requests_total"),
        11.0,
        "nothing else counted:\n{}",
        s.text
    );
    assert_eq!(s.value("bec_proxy_rate_limited_total"), 2.0);
    // Upstream: three successful attempts and three 500s.
    assert_eq!(s.value("bec_proxy_upstream_latency_seconds_count"), 6.0);
    assert_eq!(
        s.value(r#"bec_proxy_upstream_latency_seconds_bucket{le="+Inf"}"#),
        6.0
    );
    assert!(s.value("bec_proxy_upstream_latency_seconds_sum") > 0.0);
    assert_eq!(s.upstream_errors("InternalError"), 3.0);
    assert_eq!(s.total("bec_proxy_upstream_errors_total"), 3.0);
    assert_eq!(s.value("bec_proxy_upstream_retries_total"), 2.0);
    assert_eq!(s.value("bec_proxy_upstream_resigns_total"), 0.0);
    assert_eq!(s.value("bec_proxy_failed_logins_total"), 0.0);
    assert_eq!(
        s.value(&format!(
            r#"bec_proxy_build_info{{version="{}"}}"#,
            env!("CARGO_PKG_VERSION")
        )),
        1.0
    );
    // The failed-login counter exists before anything calls it, at 0.
    assert!(s
        .text
        .contains("# TYPE bec_proxy_failed_logins_total counter"));
}

#[tokio::test]
async fn a_clock_refusal_is_counted_as_a_resign() {
    let (standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    // An hour behind: the first signature is expired on arrival, then signed again.
    setup.clock = shifted_clock(chrono::Duration::hours(-1));
    let Started { proxy, metrics: _ } = start(setup).await;
    assert_eq!(
        status_of(proxy, &usage_target("2024-03-01", "2024-03-01")).await,
        200
    );
    assert_eq!(standin.request_count(), 2);
    let s = scrape(proxy).await;
    assert_eq!(s.requests("usage", 200), 1.0);
    assert_eq!(s.value("bec_proxy_upstream_resigns_total"), 1.0);
    assert_eq!(s.upstream_errors("RequestExpired"), 1.0);
    assert_eq!(s.total("bec_proxy_upstream_errors_total"), 1.0);
    assert_eq!(s.value("bec_proxy_upstream_retries_total"), 0.0);
    assert_eq!(s.value("bec_proxy_upstream_latency_seconds_count"), 2.0);
}

#[tokio::test]
async fn the_proxys_own_upstream_codes_are_counted() {
    // Unreachable: three refused connections (the first and two retries).
    let refused = start(ProxySetup::server_signed(closed_port().await)).await;
    assert_eq!(
        status_of(refused.proxy, &usage_target("2024-03-01", "2024-03-01")).await,
        502
    );
    let s = scrape(refused.proxy).await;
    assert_eq!(s.upstream_errors("UpstreamUnavailable"), 3.0);
    assert_eq!(s.value("bec_proxy_upstream_retries_total"), 2.0);
    assert_eq!(s.value("bec_proxy_upstream_latency_seconds_count"), 3.0);
    assert_eq!(s.requests("usage", 502), 1.0);

    // Hanging: the attempt cut by the total timeout is timed up to the cut.
    let (standin, upstream) = start_standin().await;
    standin.set_faults(Faults {
        latency: Duration::from_secs(30),
        ..Faults::default()
    });
    let mut setup = ProxySetup::server_signed(upstream);
    setup.policy.total_timeout = Duration::from_millis(300);
    let hanging = start(setup).await;
    assert_eq!(
        status_of(hanging.proxy, &usage_target("2024-03-01", "2024-03-01")).await,
        504
    );
    let s = scrape(hanging.proxy).await;
    assert_eq!(s.upstream_errors("UpstreamTimeout"), 1.0);
    assert_eq!(s.total("bec_proxy_upstream_errors_total"), 1.0);
    assert_eq!(s.value("bec_proxy_upstream_latency_seconds_count"), 1.0);
    let sum = s.value("bec_proxy_upstream_latency_seconds_sum");
    assert!((0.29..5.0).contains(&sum), "{sum}");
    assert_eq!(
        s.value(r#"bec_proxy_upstream_latency_seconds_bucket{le="0.25"}"#),
        0.0
    );
    assert_eq!(
        s.value(r#"bec_proxy_upstream_latency_seconds_bucket{le="0.5"}"#),
        1.0
    );
    assert_eq!(s.requests("usage", 504), 1.0);
}

#[tokio::test]
async fn two_proxies_in_one_process_count_apart() {
    let (_standin, upstream) = start_standin().await;
    let one = start(ProxySetup::server_signed(upstream)).await;
    let two = start(ProxySetup::server_signed(upstream)).await;
    assert_eq!(
        status_of(one.proxy, &usage_target("2024-03-01", "2024-03-01")).await,
        200
    );
    assert_eq!(scrape(one.proxy).await.requests("usage", 200), 1.0);
    assert_eq!(scrape(two.proxy).await.requests("usage", 200), 0.0);
    assert!(!Arc::ptr_eq(&one.metrics, &two.metrics));
}

#[tokio::test]
async fn readyz_is_ready_in_front_of_a_standin() {
    let (_standin, upstream) = start_standin().await;
    let Started { proxy, .. } = start(ProxySetup::server_signed(upstream)).await;
    let response = reqwest::get(format!("http://{proxy}/readyz"))
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let body = json_of(response).await;
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["checks"]["config"]["ok"], true);
    assert_eq!(body["checks"]["upstream"]["ok"], true);
    assert_eq!(body["checks"]["upstream"]["address"], upstream.to_string());
    // /healthz is unchanged.
    let health = json_of(
        reqwest::get(format!("http://{proxy}/healthz"))
            .await
            .expect("answer"),
    )
    .await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["mode"], "server-signed");
}

#[tokio::test]
async fn readyz_is_503_when_the_upstream_refuses_connections() {
    let closed = closed_port().await;
    let Started { proxy, .. } = start(ProxySetup::server_signed(closed)).await;
    let response = reqwest::get(format!("http://{proxy}/readyz"))
        .await
        .expect("answer");
    assert_eq!(response.status(), 503);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json")));
    let body = json_of(response).await;
    assert_eq!(body["status"], "not ready", "{body}");
    assert_eq!(body["checks"]["config"]["ok"], true);
    assert_eq!(body["checks"]["upstream"]["ok"], false);
    let error = body["checks"]["upstream"]["error"].as_str().unwrap_or("");
    assert!(error.contains(&closed.to_string()), "{error}");
    // Liveness does not depend on the upstream.
    assert_eq!(status_of(proxy, "/healthz").await, 200);
    let s = scrape(proxy).await;
    assert_eq!(s.requests("readyz", 503), 1.0);
}

#[tokio::test]
async fn the_metrics_listener_serves_metrics_and_nothing_else() {
    let (_standin, upstream) = start_standin().await;
    let Started { proxy, metrics } = start(ProxySetup::server_signed(upstream)).await;
    let private = start_metrics_listener(metrics).await;
    assert_eq!(
        status_of(proxy, &usage_target("2024-03-01", "2024-03-01")).await,
        200
    );
    let s = scrape(private).await;
    assert_eq!(s.content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert_eq!(s.requests("usage", 200), 1.0, "the proxy's counts");
    assert_eq!(s.value("bec_proxy_upstream_latency_seconds_count"), 1.0);
    for target in [
        "/",
        "/healthz",
        "/readyz",
        "/index.html",
        "/metrics/x",
        &usage_target("2024-03-01", "2024-03-01"),
    ] {
        let answer = raw_get(private, target, "").await;
        assert_eq!(answer.status, 404, "{target}");
        assert_eq!(answer.code().as_deref(), Some("NotFound"), "{target}");
    }
    let post = raw(
        private,
        b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(post.status, 405);
    // Scrapes of the private listener are not the proxy's traffic.
    let again = scrape(private).await;
    assert_eq!(
        again.total("bec_proxy_requests_total"),
        1.0,
        "{}",
        again.text
    );
    assert_eq!(again.value("bec_proxy_requests_in_flight"), 0.0);
}
