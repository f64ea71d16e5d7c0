//! The proxy in front of the stand-in, on ephemeral loopback ports: both modes, BCE errors
//! passed through, re-signing, retries, timeouts, the size cap, the rate limit, CORS.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::common::*;
use bec_usage::json::{parse_service_error, parse_usage};
use bec_usage::signing::Credentials;
use bec_usage::UsageQuery;
use bec_usage_proxy::app::{AppOptions, CONTENT_SECURITY_POLICY};
use bec_usage_proxy::clock::shifted_clock;
use bec_usage_proxy::forward::Upstream;
use bec_usage_proxy::ratelimit::RateLimit;
use bec_usage_proxy::standin::{Faults, StandinConfig, DEMO_HOST};
use chrono::Utc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn code(&self) -> Option<String> {
        parse_service_error(self.status, &self.body, None).map(|e| e.code)
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn get(proxy: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Answer {
    let client = reqwest::Client::new();
    let mut request = client.get(format!("http://{proxy}{target}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the proxy answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("body");
    Answer {
        status,
        headers,
        body,
    }
}

fn expected_body(standin: &bec_usage_proxy::standin::Standin, begin: &str, end: &str) -> String {
    let query = UsageQuery::new(begin, end).expect("query");
    String::from_utf8(standin.usage_body(&query).expect("body").to_vec()).expect("utf-8")
}

#[tokio::test]
async fn server_signed_happy_path() {
    let (standin, upstream) = start_standin().await;
    let proxy = ProxySetup::server_signed(upstream).start().await;
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let usage = parse_usage(&answer.body).expect("usage JSON");
    assert_eq!(usage.resources.len(), 8);
    assert_eq!(
        answer.body,
        expected_body(&standin, "2024-03-01", "2024-03-01")
    );
    assert_eq!(
        answer.header("content-security-policy"),
        Some(CONTENT_SECURITY_POLICY)
    );
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(answer.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert!(answer
        .header("x-request-id")
        .is_some_and(|id| id.len() == 32));
    assert!(answer.header("x-bce-request-id").is_some());
    assert_eq!(standin.request_count(), 1);
    // The upstream request was built anew: the upstream Host, a signature, nothing else
    // of the client's.
    let received = standin.received();
    let names: Vec<&str> = received[0]
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "accept",
            "authorization",
            "host",
            "user-agent",
            "x-bce-date"
        ]
    );
    assert_eq!(
        received[0]
            .headers
            .iter()
            .find(|(n, _)| n == "host")
            .map(|(_, v)| v.as_str()),
        Some(upstream.to_string().as_str())
    );
    assert_eq!(received[0].target, usage_target("2024-03-01", "2024-03-01"));
}

#[tokio::test]
async fn relay_happy_path() {
    let (standin, upstream) = start_standin().await;
    let proxy = ProxySetup::relay(upstream).start().await;
    // The page signs for the upstream host, not for the proxy.
    let (authorization, date) = client_signature(
        &upstream.to_string(),
        &test_credentials(),
        Utc::now(),
        "2024-03-01",
        "2024-03-02",
    );
    let target = usage_target("2024-03-01", "2024-03-02");
    let answer = get(
        proxy,
        &target,
        &[("authorization", &authorization), ("x-bce-date", &date)],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body,
        expected_body(&standin, "2024-03-01", "2024-03-02")
    );
    let forwarded = standin.received();
    assert!(forwarded[0]
        .headers
        .contains(&("authorization".into(), authorization)));
    // Without a signature, relay mode refuses before the upstream.
    let unsigned = get(proxy, &target, &[]).await;
    assert_eq!(
        (unsigned.status, unsigned.code().as_deref()),
        (400, Some("InvalidHTTPAuthHeader"))
    );
    assert_eq!(standin.request_count(), 1);
}

#[tokio::test]
async fn relay_with_the_demo_host_signs_as_for_bec() {
    let (standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::relay(upstream);
    setup.upstream = Upstream::parse(&format!("http://{upstream}"))
        .unwrap()
        .with_host(DEMO_HOST);
    let proxy = setup.start().await;
    let (authorization, date) = client_signature(
        DEMO_HOST,
        &test_credentials(),
        Utc::now(),
        "2024-03-01",
        "2024-03-01",
    );
    let answer = get(
        proxy,
        &usage_target("2024-03-01", "2024-03-01"),
        &[("authorization", &authorization), ("x-bce-date", &date)],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let host = standin.received()[0]
        .headers
        .iter()
        .find(|(n, _)| n == "host")
        .map(|(_, v)| v.clone());
    assert_eq!(host.as_deref(), Some(DEMO_HOST));
}

#[tokio::test]
async fn a_wrong_key_gives_signature_does_not_match_passed_through() {
    let (standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    setup.credentials =
        Some(Credentials::new(crate::common::TEST_ACCESS_KEY_ID, "a-wrong-secret").unwrap());
    let proxy = setup.start().await;
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.code().as_deref(), Some("SignatureDoesNotMatch"));
    // The stand-in's own error body, with its request id in header and body.
    let body_id = parse_service_error(403, &answer.body, None).and_then(|e| e.request_id);
    assert_eq!(body_id.as_deref(), answer.header("x-bce-request-id"));
    assert_eq!(standin.request_count(), 1, "a 4xx is not retried");

    // In relay mode too.
    let relay = ProxySetup::relay(upstream).start().await;
    let wrong = Credentials::new(crate::common::TEST_ACCESS_KEY_ID, "a-wrong-secret").unwrap();
    let (authorization, date) = client_signature(
        &upstream.to_string(),
        &wrong,
        Utc::now(),
        "2024-03-01",
        "2024-03-01",
    );
    let answer = get(
        relay,
        &usage_target("2024-03-01", "2024-03-01"),
        &[("authorization", &authorization), ("x-bce-date", &date)],
    )
    .await;
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (403, Some("SignatureDoesNotMatch"))
    );
}

#[tokio::test]
async fn an_expired_signing_time_is_signed_again_and_succeeds() {
    let (standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    // The proxy's clock is an hour behind: its signatures are expired on arrival.
    setup.clock = shifted_clock(chrono::Duration::hours(-1));
    let proxy = setup.start().await;
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        standin.request_count(),
        2,
        "refused once, then signed again"
    );
    // The skew learnt from the stand-in's Date header is kept.
    let again = get(proxy, &usage_target("2024-03-02", "2024-03-02"), &[]).await;
    assert_eq!(again.status, 200);
    assert_eq!(standin.request_count(), 3);
}

#[tokio::test]
async fn a_signing_time_in_the_future_is_signed_again_and_succeeds() {
    let (standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    setup.clock = shifted_clock(chrono::Duration::minutes(45));
    let proxy = setup.start().await;
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(standin.request_count(), 2);
}

#[tokio::test]
async fn relay_mode_passes_request_expired_through_without_retrying() {
    let (standin, upstream) = start_standin().await;
    let proxy = ProxySetup::relay(upstream).start().await;
    let an_hour_ago = Utc::now() - chrono::Duration::hours(1);
    let (authorization, date) = client_signature(
        &upstream.to_string(),
        &test_credentials(),
        an_hour_ago,
        "2024-03-01",
        "2024-03-01",
    );
    let answer = get(
        proxy,
        &usage_target("2024-03-01", "2024-03-01"),
        &[("authorization", &authorization), ("x-bce-date", &date)],
    )
    .await;
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (400, Some("RequestExpired"))
    );
    assert_eq!(standin.request_count(), 1);
}

#[tokio::test]
async fn upstream_500s_are_retried_then_502() {
    let (standin, upstream) = start_standin().await;
    standin.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let proxy = ProxySetup::server_signed(upstream).start().await;
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (502, Some("UpstreamUnavailable"))
    );
    assert!(answer.body.contains("InternalError"), "{}", answer.body);
    assert_eq!(
        standin.request_count(),
        3,
        "the first attempt and 2 retries"
    );
}

#[tokio::test]
async fn a_single_500_is_retried_and_succeeds() {
    let (standin, upstream) = start_standin().await;
    // Rate 0.5: requests 1, 3, 5, ... (counting from 0) fail.
    standin.set_faults(Faults {
        error_rate: 0.5,
        ..Faults::default()
    });
    let proxy = ProxySetup::server_signed(upstream).start().await;
    assert_eq!(
        get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[])
            .await
            .status,
        200
    );
    assert_eq!(standin.request_count(), 1);
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(standin.request_count(), 3);
}

#[tokio::test]
async fn an_upstream_that_hangs_gives_504_within_the_timeout() {
    let (standin, upstream) = start_standin().await;
    standin.set_faults(Faults {
        latency: Duration::from_secs(30),
        ..Faults::default()
    });
    let mut setup = ProxySetup::server_signed(upstream);
    setup.policy.total_timeout = Duration::from_millis(300);
    let proxy = setup.start().await;
    let start = Instant::now();
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    let elapsed = start.elapsed();
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (504, Some("UpstreamTimeout"))
    );
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(5),
        "answered after {elapsed:?}"
    );
}

#[tokio::test]
async fn an_unreachable_upstream_gives_502_after_retries() {
    // A port that was free a moment ago: connections are refused.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let proxy = ProxySetup::server_signed(closed).start().await;
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (502, Some("UpstreamUnavailable"))
    );
    assert!(answer.body.contains("3 attempts"), "{}", answer.body);
}

#[tokio::test]
async fn a_body_larger_than_the_cap_is_refused() {
    let (standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    setup.policy.max_response_bytes = 16 * 1024;
    let proxy = setup.start().await;
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (502, Some("UpstreamResponseTooLarge"))
    );
    assert_eq!(standin.request_count(), 1, "not retried");
}

/// A server that answers every request with a chunked body that never ends (up to 256
/// MiB), counting connections.
async fn endless_upstream() -> (SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut head = [0u8; 4096];
                let _ = stream.read(&mut head).await;
                let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
                if stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                for _ in 0..4096 {
                    if stream.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (address, connections)
}

#[tokio::test]
async fn an_endless_body_is_cut_at_the_cap() {
    let (upstream, connections) = endless_upstream().await;
    let mut setup = ProxySetup::server_signed(upstream);
    setup.policy.max_response_bytes = 1024 * 1024;
    let proxy = setup.start().await;
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (502, Some("UpstreamResponseTooLarge"))
    );
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    let (target, target_connections) = endless_upstream().await;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head).await;
            let answer = format!(
                "HTTP/1.1 302 Found\r\nLocation: http://{target}/v1/usage/computing\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    let proxy = ProxySetup::server_signed(upstream).start().await;
    let answer = get(proxy, &usage_target("2024-03-01", "2024-03-01"), &[]).await;
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (502, Some("UpstreamInvalidResponse"))
    );
    assert_eq!(
        target_connections.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test]
async fn broken_bodies_never_reach_a_client_and_are_tried_again() {
    let (standin, upstream) = start_standin().await;
    let proxy = ProxySetup::server_signed(upstream).start().await;
    let target = usage_target("2024-03-01", "2024-03-01");
    let whole = expected_body(&standin, "2024-03-01", "2024-03-01");

    // Every answer cut in half: tried three times, then 502 saying what was wrong.
    standin.set_faults(Faults {
        truncate_rate: 1.0,
        ..Faults::default()
    });
    let before = standin.request_count();
    let truncated = get(proxy, &target, &[]).await;
    assert_eq!(truncated.status, 502, "{}", truncated.body);
    assert_eq!(truncated.code().as_deref(), Some("UpstreamInvalidResponse"));
    let message = bec_usage::json::parse_service_error(502, &truncated.body, None)
        .expect("a BCE body")
        .message;
    assert!(message.contains("not a usage response"), "{message}");
    assert!(message.contains("after 3 attempts"), "{message}");
    assert_eq!(standin.request_count() - before, 3);

    // A malformed amount: the message names where.
    standin.set_faults(Faults {
        malformed_rate: 1.0,
        ..Faults::default()
    });
    let malformed = get(proxy, &target, &[]).await;
    assert_eq!(malformed.status, 502);
    let message = bec_usage::json::parse_service_error(502, &malformed.body, None)
        .expect("a BCE body")
        .message;
    assert!(message.contains(".amount"), "{message}");

    // Every second answer cut: the retry gets a whole one, which goes out byte for byte.
    standin.set_faults(Faults {
        truncate_rate: 0.5,
        ..Faults::default()
    });
    let mut whole_answers = 0;
    for _ in 0..3 {
        let answer = get(proxy, &target, &[]).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body, whole);
        assert!(parse_usage(&answer.body).is_ok());
        whole_answers += 1;
    }
    assert_eq!(whole_answers, 3);
}

#[tokio::test]
async fn the_rate_limit_answers_429_before_the_upstream() {
    let (standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    setup.options.rate_limit = Some(RateLimit {
        per_second: 0.01,
        burst: 2.0,
    });
    let proxy = setup.start().await;
    let target = usage_target("2024-03-01", "2024-03-01");
    assert_eq!(get(proxy, &target, &[]).await.status, 200);
    assert_eq!(get(proxy, &target, &[]).await.status, 200);
    let limited = get(proxy, &target, &[]).await;
    assert_eq!(
        (limited.status, limited.code().as_deref()),
        (429, Some("TooManyRequests"))
    );
    assert!(limited
        .header("retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|s| s >= 1));
    assert_eq!(standin.request_count(), 2);
    // /healthz is not limited.
    let health = get(proxy, "/healthz", &[]).await;
    assert_eq!(health.status, 200);
    assert!(
        health.body.starts_with(r#"{"status":"ok","mode":""#)
            && health.body.contains(r#","upstreamHost":""#),
        "{}",
        health.body
    );
}

#[tokio::test]
async fn cors_is_off_unless_origins_are_listed() {
    let (standin, upstream) = start_standin().await;
    let target = usage_target("2024-03-01", "2024-03-01");
    let origin = "http://localhost:5173";

    let closed = ProxySetup::server_signed(upstream).start().await;
    let answer = get(closed, &target, &[("origin", origin)]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("access-control-allow-origin"), None);

    let mut setup = ProxySetup::server_signed(upstream);
    setup.options = AppOptions {
        cors_origins: vec![origin.parse().unwrap()],
        ..AppOptions::default()
    };
    let open = setup.start().await;
    let answer = get(open, &target, &[("origin", origin)]).await;
    assert_eq!(answer.header("access-control-allow-origin"), Some(origin));
    let other = get(open, &target, &[("origin", "http://evil.example")]).await;
    assert_eq!(other.header("access-control-allow-origin"), None);

    let before = standin.request_count();
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("http://{open}{target}"))
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .header(
            "access-control-request-headers",
            "authorization, x-bce-date",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        origin
    );
    let allowed = preflight
        .headers()
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("x-bce-date"),
        "{allowed}"
    );
    assert_eq!(
        standin.request_count(),
        before,
        "a preflight never reaches the upstream"
    );
}

#[tokio::test]
async fn the_demo_standin_with_demo_keys() {
    // The README's demo pair works against a default stand-in.
    let (standin, upstream) = start_standin_with(StandinConfig::demo()).await;
    let mut setup = ProxySetup::server_signed(upstream);
    setup.credentials = Some(bec_usage_proxy::standin::demo_credentials());
    let proxy = setup.start().await;
    let answer = get(proxy, &usage_target("2024-01-01", "2024-01-31"), &[]).await;
    assert_eq!(answer.status, 200);
    let usage = parse_usage(&answer.body).expect("a month");
    assert_eq!(usage.time_span.begin_date.to_string(), "2024-01-01");
    assert!(answer.body.len() > 1_000_000, "31 days of 5-minute data");
    assert_eq!(standin.request_count(), 1);
}
