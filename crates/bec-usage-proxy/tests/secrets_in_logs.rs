//! Logs, captured: every request is logged with its id, and no line ever holds a secret
//! key or a signature, whatever happens (success, refusals, upstream faults, re-signing).
//!
//! Its own test binary, since it installs the process's global log subscriber.

mod common;

use bec_usage::signing::Credentials;
use bec_usage_proxy::clock::shifted_clock;
use bec_usage_proxy::standin::Faults;
use chrono::Utc;
use common::*;

#[tokio::test]
async fn no_secret_or_signature_in_any_log_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    // Everything, from every crate (reqwest's `log` records included), at TRACE.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the only subscriber of this binary");

    let (standin, upstream) = start_standin().await;
    let usage = usage_target("2024-03-01", "2024-03-01");
    let mut request_ids = Vec::new();
    let mut remember = |response: &RawResponse| {
        if let Some(id) = response.header("x-request-id") {
            request_ids.push(id);
        }
    };

    // Server-signed: success, a skewed clock (re-signing), upstream 500s.
    let mut setup = ProxySetup::server_signed(upstream);
    setup.clock = shifted_clock(chrono::Duration::hours(-1));
    let proxy = setup.start().await;
    let ok = raw_get(proxy, &usage, "").await;
    assert_eq!(ok.status, 200);
    remember(&ok);
    standin.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let failing = raw_get(proxy, &usage, "").await;
    assert_eq!(failing.status, 502);
    remember(&failing);
    standin.set_faults(Faults::default());

    // A wrong secret.
    let wrong_secret = "WRONG-SECRET-also-never-logged-91c2";
    let mut setup = ProxySetup::server_signed(upstream);
    setup.credentials = Some(Credentials::new(TEST_ACCESS_KEY_ID, wrong_secret).unwrap());
    let wrong = raw_get(setup.start().await, &usage, "").await;
    assert_eq!(wrong.code().as_deref(), Some("SignatureDoesNotMatch"));
    remember(&wrong);

    // Relay: success, a malformed signature, a signature in the query, a client signature
    // sent to a server-signed proxy.
    let relay = ProxySetup::relay(upstream).start().await;
    let (authorization, date) = client_signature(
        &upstream.to_string(),
        &test_credentials(),
        Utc::now(),
        "2024-03-01",
        "2024-03-01",
    );
    let signed = format!("Authorization: {authorization}\r\nx-bce-date: {date}\r\n");
    let relayed = raw_get(relay, &usage, &signed).await;
    assert_eq!(relayed.status, 200);
    remember(&relayed);
    let truncated = &authorization[..authorization.len() - 1];
    let malformed = raw_get(
        relay,
        &usage,
        &format!("Authorization: {truncated}\r\nx-bce-date: {date}\r\n"),
    )
    .await;
    assert_eq!(malformed.code().as_deref(), Some("InvalidHTTPAuthHeader"));
    remember(&malformed);
    let in_query = raw_get(relay, &format!("{usage}&authorization={authorization}"), "").await;
    assert_eq!(in_query.code().as_deref(), Some("InvalidParameter"));
    remember(&in_query);
    let to_server_signed = raw_get(proxy, &usage, &signed).await;
    assert_eq!(
        to_server_signed.code().as_deref(),
        Some("InvalidHTTPRequest")
    );
    remember(&to_server_signed);

    // Scrapes with the metrics token, with a wrong one, and with the token in a cookie.
    let metrics_token = "METRICS-TOKEN-never-in-a-log-5e8d21";
    let wrong_token = "WRONG-METRICS-TOKEN-never-logged-0b7f";
    let mut setup = ProxySetup::server_signed(upstream);
    setup.options.metrics_token = Some(std::sync::Arc::new(
        bec_usage_proxy::metrics_token::MetricsToken::new(metrics_token, "a test").unwrap(),
    ));
    let scraped = setup.start().await;
    for (token, status) in [(metrics_token, 200), (wrong_token, 401)] {
        let scrape = raw_get(
            scraped,
            "/metrics",
            &format!("Authorization: Bearer {token}\r\n"),
        )
        .await;
        assert_eq!(scrape.status, status);
        remember(&scrape);
    }
    let in_cookie = raw_get(
        scraped,
        "/metrics",
        &format!("Cookie: t={metrics_token}\r\n"),
    )
    .await;
    assert_eq!(in_cookie.status, 401);
    remember(&in_cookie);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).expect("UTF-8 logs");
    assert!(logs.lines().count() >= 8, "too few log lines:\n{logs}");
    for id in &request_ids {
        assert!(
            logs.contains(id.as_str()),
            "request id {id} not logged:\n{logs}"
        );
    }
    assert!(
        logs.contains("signing again"),
        "re-signing not logged:\n{logs}"
    );
    assert!(logs.contains("retrying"), "retries not logged:\n{logs}");

    let mut secrets = vec![
        TEST_SECRET.to_owned(),
        wrong_secret.to_owned(),
        metrics_token.to_owned(),
        wrong_token.to_owned(),
    ];
    secrets.extend(received_signatures(&standin));
    secrets.push(authorization.rsplit('/').next().unwrap().to_owned());
    secrets.push(truncated.rsplit('/').next().unwrap().to_owned());
    assert!(
        secrets.len() >= 6,
        "signatures were collected: {}",
        secrets.len()
    );
    for secret in &secrets {
        for line in logs.lines() {
            assert!(
                !line.contains(secret.as_str()),
                "{secret:?} in the log line {line:?}"
            );
        }
    }
}
