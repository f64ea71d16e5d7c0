//! What an operator's Prometheus sees (issue 22): answer time by route, the `process_*`
//! series, error series at zero from the start, and scrapes with a bearer token while
//! sign-in is on (`--metrics-token-file`), on the real server on loopback.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use bec_usage_proxy::access::users::{user_line, Users};
use bec_usage_proxy::access::Access;
use bec_usage_proxy::config::file::parse_command_line;
use bec_usage_proxy::metrics::{self, Route, BCE_CODES, OTHER_CODE};
use bec_usage_proxy::metrics_token::MetricsToken;
use bec_usage_proxy::ratelimit::RateLimit;
use bec_usage_proxy::standin::Faults;
use tokio::net::TcpListener;

const TOKEN: &str = "scrape-token-of-the-tests-4f1c9b7e";
const PASSWORD: &str = "correct horse battery staple";

/// The sample lines of a scrape: series (`name{labels}`) to value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("series and value");
            (series.to_owned(), value.parse().expect("a number"))
        })
        .collect()
}

async fn scrape_with(address: SocketAddr, headers: &str) -> RawResponse {
    raw_get(address, "/metrics", headers).await
}

fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}\r\n")
}

fn token() -> Arc<MetricsToken> {
    Arc::new(MetricsToken::new(&format!("{TOKEN}\n"), "the tests").expect("token"))
}

#[tokio::test]
async fn error_series_are_at_zero_before_the_first_error_and_no_series_appears_later() {
    let (standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    // Five requests under /v1/ pass, then every one is refused (no refill in the test).
    setup.options.rate_limit = Some(RateLimit {
        per_second: 0.001,
        burst: 5.0,
    });
    let proxy = setup.start().await;

    let fresh = scrape_with(proxy, "").await;
    assert_eq!(fresh.status, 200);
    let before = samples(&fresh.body);
    for route in Route::ALL {
        for status in route.statuses() {
            let series = format!(
                r#"bec_proxy_requests_total{{route="{}",status="{status}"}}"#,
                route.label()
            );
            assert_eq!(before.get(&series), Some(&0.0), "{series}");
        }
        let count = format!(
            r#"bec_proxy_request_duration_seconds_count{{route="{}"}}"#,
            route.label()
        );
        assert_eq!(before.get(&count), Some(&0.0), "{count}");
    }
    for code in BCE_CODES.into_iter().chain([OTHER_CODE]) {
        let series = format!(r#"bec_proxy_upstream_errors_total{{code="{code}"}}"#);
        assert_eq!(before.get(&series), Some(&0.0), "{series}");
    }
    // The ratio an operator alerts on has a value (0) before any error.
    let errors: f64 = before
        .iter()
        .filter(|(series, _)| {
            series.starts_with("bec_proxy_requests_total{route=\"usage\",status=\"5")
        })
        .map(|(_, value)| value)
        .sum();
    assert_eq!(errors, 0.0);
    assert!(before
        .keys()
        .any(|s| s.starts_with("bec_proxy_requests_total{route=\"usage\",status=\"5")));

    // Every kind of answer the proxy gives by itself, on each route.
    let day = usage_target("2024-03-01", "2024-03-01");
    assert_eq!(raw_get(proxy, &day, "").await.status, 200);
    assert_eq!(
        raw_get(proxy, &usage_target("2024-03-02", "2024-03-01"), "")
            .await
            .status,
        400
    );
    let post =
        format!("POST {day} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert_eq!(raw(proxy, post.as_bytes()).await.status, 405);
    standin.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert_eq!(raw_get(proxy, &day, "").await.status, 502);
    standin.set_faults(Faults::default());
    assert_eq!(raw_get(proxy, "/v1/other", "").await.status, 404);
    for _ in 0..2 {
        assert_eq!(raw_get(proxy, &day, "").await.status, 429);
    }
    assert_eq!(
        raw_get(proxy, "/accounts/nobody/v1/usage/computing", "")
            .await
            .status,
        429
    );
    assert_eq!(raw_get(proxy, "/healthz", "").await.status, 200);
    assert_eq!(raw_get(proxy, "/readyz", "").await.status, 200);
    assert_eq!(raw_get(proxy, "/", "").await.status, 404, "no dashboard");
    assert_eq!(
        login(proxy, "{}").await.status,
        404,
        "no password sign-in here"
    );
    let logout =
        "POST /auth/logout HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    assert_eq!(raw(proxy, logout.as_bytes()).await.status, 200);
    let post_healthz =
        "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    assert_eq!(raw(proxy, post_healthz.as_bytes()).await.status, 405);

    let after = samples(&scrape_with(proxy, "").await.body);
    let appeared: Vec<&String> = after
        .keys()
        .filter(|series| series.starts_with("bec_proxy_") && !before.contains_key(*series))
        .collect();
    assert!(
        appeared.is_empty(),
        "series that were not there from the start: {appeared:?}"
    );
    let value = |series: &str| {
        after
            .get(series)
            .copied()
            .unwrap_or_else(|| panic!("{series}"))
    };
    assert_eq!(
        value(r#"bec_proxy_requests_total{route="usage",status="502"}"#),
        1.0
    );
    assert_eq!(
        value(r#"bec_proxy_upstream_errors_total{code="InternalError"}"#),
        3.0
    );

    // Each route's answers were timed, once each: the histogram's count is the route's
    // answers (the scrape itself is recorded once answered, so in neither yet).
    let mut answered_routes = BTreeSet::new();
    for route in Route::ALL {
        let label = route.label();
        let answered: f64 = after
            .iter()
            .filter(|(series, _)| {
                series.starts_with(&format!("bec_proxy_requests_total{{route=\"{label}\","))
            })
            .map(|(_, value)| value)
            .sum();
        let timed = value(&format!(
            r#"bec_proxy_request_duration_seconds_count{{route="{label}"}}"#
        ));
        assert_eq!(timed, answered, "route {label}");
        let inf = value(&format!(
            r#"bec_proxy_request_duration_seconds_bucket{{route="{label}",le="+Inf"}}"#
        ));
        assert_eq!(
            inf, answered,
            "route {label}: the +Inf bucket holds every answer"
        );
        if answered > 0.0 {
            answered_routes.insert(label);
            let sum = value(&format!(
                r#"bec_proxy_request_duration_seconds_sum{{route="{label}"}}"#
            ));
            assert!(sum > 0.0 && sum < answered * 15.0, "route {label}: {sum} s");
        }
    }
    assert_eq!(
        answered_routes.into_iter().collect::<Vec<_>>(),
        [
            "accounts", "healthz", "login", "logout", "metrics", "other", "readyz", "static",
            "usage"
        ],
        "every route answered at least once"
    );
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_process_series_are_exported_unprefixed() {
    let (_standin, upstream) = start_standin().await;
    let proxy = ProxySetup::server_signed(upstream).start().await;
    let text = scrape_with(proxy, "").await.body;
    for (name, kind) in [
        ("process_cpu_seconds_total", "counter"),
        ("process_resident_memory_bytes", "gauge"),
        ("process_virtual_memory_bytes", "gauge"),
        ("process_open_fds", "gauge"),
        ("process_max_fds", "gauge"),
        ("process_start_time_seconds", "gauge"),
    ] {
        assert!(
            text.contains(&format!("# TYPE {name} {kind}\n")),
            "{name}:\n{text}"
        );
    }
    let s = samples(&text);
    assert!(s["process_resident_memory_bytes"] > 1_000_000.0);
    // This process holds at least the listeners and a connection.
    assert!(s["process_open_fds"] >= 3.0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64();
    let start = s["process_start_time_seconds"];
    assert!(
        start <= now + 1.0 && start > now - 86_400.0,
        "{start} vs {now}"
    );
}

#[tokio::test]
async fn with_sign_in_on_prometheus_scrapes_with_its_bearer_token_and_nobody_else_does() {
    let (_standin, upstream) = start_standin().await;
    let alice = user_line("alice", PASSWORD, b"alice's salt 16b").expect("line");
    let users = Users::parse(&alice, "test users").expect("users");
    let mut setup = ProxySetup::server_signed(upstream);
    setup.options.access = Some(Arc::new(Access::new(
        Some(users),
        None,
        Duration::from_secs(3600),
        false,
    )));
    setup.options.metrics_token = Some(token());
    let proxy = setup.start().await;
    let session = sign_in(proxy, "alice", PASSWORD).await;

    let refused = [
        String::new(),
        bearer("not-the-token-but-long-enough"),
        bearer(&TOKEN[..TOKEN.len() - 1]),
        format!("Authorization: Basic {TOKEN}\r\n"),
        format!("Authorization: {TOKEN}\r\n"),
        // A signed-in user is no scraper: with a token set, only the token opens /metrics.
        session.clone(),
        format!("{}{}", bearer(TOKEN), bearer(TOKEN)),
    ];
    for headers in &refused {
        let answer = scrape_with(proxy, headers).await;
        assert_eq!(answer.status, 401, "{headers:?}");
        assert_eq!(
            answer.code().as_deref(),
            Some("SignInRequired"),
            "{headers:?}"
        );
        assert!(
            !answer.body.contains("bec_proxy_"),
            "no metrics: {}",
            answer.body
        );
        assert_eq!(
            answer.header("www-authenticate").as_deref(),
            Some(r#"Bearer realm="metrics""#)
        );
        assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
    }
    // As Prometheus sends it (its scrapes also ask for the text format).
    let answer = scrape_with(
        proxy,
        &format!(
            "{}Accept: text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n",
            bearer(TOKEN)
        ),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let s = samples(&answer.body);
    assert_eq!(
        s[r#"bec_proxy_requests_total{route="metrics",status="401"}"#],
        refused.len() as f64,
        "the refused scrapes are counted"
    );
    // The token is no way to data, nor to a session.
    let data = raw_get(
        proxy,
        &usage_target("2024-03-01", "2024-03-01"),
        &bearer(TOKEN),
    )
    .await;
    assert_eq!(data.status, 401, "the scrape token is no sign-in");
    let data = raw_get(proxy, &usage_target("2024-03-01", "2024-03-01"), &session).await;
    assert_eq!(data.status, 200, "the user still reads data");
}

#[tokio::test]
async fn the_metrics_listener_asks_for_the_token_too() {
    let (_standin, upstream) = start_standin().await;
    let forwarder = bec_usage_proxy::forward::Forwarder::new(
        bec_usage_proxy::forward::Upstream::parse(&format!("http://{upstream}")).expect("upstream"),
        quick_policy(),
        Some(test_credentials()),
        bec_usage_proxy::clock::system_clock(),
    )
    .expect("forwarder");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let private = listener.local_addr().expect("address");
    let router = metrics::listener_router(forwarder.metrics().clone(), Some(token()));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serves") });
    assert_eq!(scrape_with(private, "").await.status, 401);
    assert_eq!(
        scrape_with(private, &bearer("wrong-token-long-enough"))
            .await
            .status,
        401
    );
    let answer = scrape_with(private, &bearer(TOKEN)).await;
    assert_eq!(answer.status, 200);
    assert!(answer
        .body
        .contains("# TYPE bec_proxy_requests_total counter"));
}

#[test]
fn the_token_file_is_a_flag_and_a_config_key_and_never_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("metrics-token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).expect("write");
    let config = dir.path().join("proxy.toml");
    std::fs::write(
        &config,
        format!(
            "metrics-token-file = {:?}\n",
            token_file.display().to_string()
        ),
    )
    .expect("write");
    let env = |_: &str| None;
    for args in [
        vec!["--config".into(), config.clone().into_os_string()],
        vec![
            "--metrics-token-file".into(),
            token_file.clone().into_os_string(),
        ],
    ] {
        let mut all: Vec<OsString> = vec!["bec-usage-proxy".into()];
        all.extend(args);
        let line = parse_command_line(all).unwrap_or_else(|_| panic!("parses"));
        let settings = line.cli.proxy.resolve(&env).expect("valid");
        let token = settings.metrics_token.as_ref().expect("a token");
        assert!(token.admits(&{
            let mut headers = axum::http::HeaderMap::new();
            headers.insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
            headers
        }));
        let debug = format!("{settings:?}");
        assert!(!debug.contains(TOKEN), "{debug}");
        let printed = bec_usage_proxy::config::print::effective_config(&line, &settings);
        assert!(!printed.contains(TOKEN), "{printed}");
        assert!(printed.contains("metrics-token-file"), "{printed}");
    }
    // A short token stops the start, naming the file.
    std::fs::write(&token_file, "short\n").expect("write");
    let all: Vec<OsString> = vec![
        "bec-usage-proxy".into(),
        "--metrics-token-file".into(),
        token_file.clone().into_os_string(),
    ];
    let line = parse_command_line(all).unwrap_or_else(|_| panic!("parses"));
    let error = line.cli.proxy.resolve(&env).expect_err("refused");
    assert!(
        error.message().contains(&token_file.display().to_string()),
        "{}",
        error.message()
    );
}
