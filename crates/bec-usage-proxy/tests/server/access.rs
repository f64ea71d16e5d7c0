//! Access control on the real server (loopback, a stand-in upstream): sign-in, sessions,
//! sign-out, the trusted user header, the failed sign-in limit, and what stays open.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;
use axum::http::HeaderName;
use bec_usage_proxy::access::users::{user_line, Users};
use bec_usage_proxy::access::{Access, TrustedHeader, USER_FAILURES};
use bec_usage_proxy::app::AppOptions;

const PASSWORD: &str = "correct horse battery staple";

fn team() -> Users {
    let alice = user_line("alice", PASSWORD, b"alice's salt 16b").expect("line");
    let bob = user_line("bob", "bob's own password", b"bob's salt 16 by").expect("line");
    Users::parse(&format!("{alice}\n{bob}\n"), "test users").expect("users")
}

async fn proxy_with(
    access: Access,
    relay: bool,
) -> (SocketAddr, bec_usage_proxy::standin::Standin) {
    let (standin, standin_address) = start_standin().await;
    let mut setup = if relay {
        ProxySetup::relay(standin_address)
    } else {
        ProxySetup::server_signed(standin_address)
    };
    setup.options = AppOptions {
        access: Some(Arc::new(access)),
        ..AppOptions::default()
    };
    (setup.start().await, standin)
}

async fn signed_in_proxy() -> SocketAddr {
    proxy_with(
        Access::new(Some(team()), None, Duration::from_secs(3600), false),
        false,
    )
    .await
    .0
}

fn credentials(user: &str, password: &str) -> String {
    serde_json::json!({ "user": user, "password": password }).to_string()
}

/// `name=value` of a `Set-Cookie`.
fn cookie_pair(answer: &RawResponse) -> String {
    let set = answer.header("set-cookie").expect("Set-Cookie");
    set.split(';').next().expect("pair").to_owned()
}

async fn usage(address: SocketAddr, cookie: Option<&str>) -> RawResponse {
    let headers = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    raw_get(address, &usage_target("2024-01-01", "2024-01-01"), &headers).await
}

#[tokio::test]
async fn data_needs_a_sign_in_and_the_right_password_gives_a_session() {
    let address = signed_in_proxy().await;

    let refused = usage(address, None).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert_eq!(refused.code().as_deref(), Some("SignInRequired"));
    assert!(refused.header("www-authenticate").is_some());

    let answer = login(address, &credentials("alice", PASSWORD)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body, r#"{"user":"alice"}"#);
    let set = answer.header("set-cookie").expect("Set-Cookie");
    for part in [
        "bec_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=3600",
    ] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http on loopback: {set}");
    let cookie = cookie_pair(&answer);

    let data = usage(address, Some(&cookie)).await;
    assert_eq!(data.status, 200, "{}", data.body);
    assert!(data.body.contains("graphData"));

    let health = raw_get(address, "/healthz", &format!("Cookie: {cookie}\r\n")).await;
    assert!(
        health
            .body
            .contains(r#""signIn":"password","user":"alice""#),
        "{}",
        health.body
    );
    let anonymous = raw_get(address, "/healthz", "").await;
    assert!(
        anonymous
            .body
            .contains(r#""signIn":"password","user":null"#),
        "{}",
        anonymous.body
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer_after_the_same_work() {
    let address = signed_in_proxy().await;
    let time = |body: String| async move {
        let start = Instant::now();
        let answer = login(address, &body).await;
        (answer, start.elapsed())
    };
    let (wrong, wrong_time) = time(credentials("alice", "wrong")).await;
    let (unknown, unknown_time) = time(credentials("mallory", "wrong")).await;
    for answer in [&wrong, &unknown] {
        assert_eq!(answer.status, 401);
        assert_eq!(answer.code().as_deref(), Some("SignInFailed"));
        assert!(answer.header("set-cookie").is_none());
        assert!(
            answer.body.contains("wrong user name or password"),
            "{}",
            answer.body
        );
    }
    // The bodies differ only in the request id.
    let without_id = |body: &str| body.split(r#","code""#).nth(1).map(str::to_owned);
    assert_eq!(without_id(&wrong.body), without_id(&unknown.body));
    // Both ran argon2id (tens of milliseconds); an unknown name is not answered at once.
    assert!(wrong_time >= Duration::from_millis(5), "{wrong_time:?}");
    assert!(
        unknown_time.as_secs_f64() >= 0.3 * wrong_time.as_secs_f64(),
        "unknown user {unknown_time:?} against wrong password {wrong_time:?}"
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_and_the_old_cookie_is_worthless() {
    let address = signed_in_proxy().await;
    let cookie = cookie_pair(&login(address, &credentials("alice", PASSWORD)).await);
    assert_eq!(usage(address, Some(&cookie)).await.status, 200);

    let request = format!(
        "POST /auth/logout HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let out = raw(address, request.as_bytes()).await;
    assert_eq!(out.status, 200);
    assert!(out
        .header("set-cookie")
        .expect("cleared")
        .contains("Max-Age=0"));

    // Replaying the cookie after sign-out.
    let replay = usage(address, Some(&cookie)).await;
    assert_eq!(replay.status, 401);
    assert_eq!(replay.code().as_deref(), Some("SignInRequired"));
}

#[tokio::test]
async fn tampered_and_foreign_cookies_are_refused() {
    let address = signed_in_proxy().await;
    let other = signed_in_proxy().await;
    let cookie = cookie_pair(&login(address, &credentials("alice", PASSWORD)).await);

    // One hex digit changed.
    let (name, value) = cookie.split_once('=').expect("pair");
    let mut digits: Vec<char> = value.chars().collect();
    digits[10] = if digits[10] == '0' { '1' } else { '0' };
    let tampered = format!("{name}={}", digits.into_iter().collect::<String>());
    assert_eq!(usage(address, Some(&tampered)).await.status, 401);
    // A session of another server (another instance, another key).
    assert_eq!(usage(other, Some(&cookie)).await.status, 401);
    // Made-up values, and the session twice.
    for made_up in [
        format!("{name}=admin"),
        format!("{name}={}", "0".repeat(64)),
        format!("{cookie}; {cookie}"),
    ] {
        assert_eq!(
            usage(address, Some(&made_up)).await.status,
            401,
            "{made_up}"
        );
    }
    assert_eq!(
        usage(address, Some(&cookie)).await.status,
        200,
        "the real one still works"
    );
}

#[tokio::test]
async fn brute_force_is_cut_off_with_429_even_for_the_right_password() {
    let address = signed_in_proxy().await;
    for attempt in 0..USER_FAILURES as usize {
        let answer = login(address, &credentials("alice", &format!("guess {attempt}"))).await;
        assert_eq!(answer.status, 401, "attempt {attempt}");
    }
    let throttled = login(address, &credentials("alice", PASSWORD)).await;
    assert_eq!(throttled.status, 429, "{}", throttled.body);
    assert_eq!(throttled.code().as_deref(), Some("TooManyRequests"));
    let wait: u64 = throttled
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=61).contains(&wait), "{wait}");
    // Another user from the same address is still let in (5 failures < the address's 10).
    assert_eq!(
        login(address, &credentials("bob", "bob's own password"))
            .await
            .status,
        200
    );
    // Failures for other names exhaust the address: ten in all, give or take the one the
    // bucket refills every 10 s while argon2id runs.
    let mut cut_off_after = None;
    for attempt in 0..12 {
        if login(address, &credentials(&format!("user{attempt}"), "x"))
            .await
            .status
            == 429
        {
            cut_off_after = Some(attempt);
            break;
        }
    }
    assert!(matches!(cut_off_after, Some(4..=7)), "{cut_off_after:?}");
    assert_eq!(
        login(address, &credentials("bob", "bob's own password"))
            .await
            .status,
        429
    );
}

#[tokio::test]
async fn malformed_sign_ins_are_refused_plainly() {
    let address = signed_in_proxy().await;
    for body in [
        "",
        "user=alice&password=x",
        r#"{"user":"alice"}"#,
        r#"{"user":"alice","password":"x","admin":true}"#,
    ] {
        let answer = login(address, body).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_eq!(answer.code().as_deref(), Some("InvalidHTTPRequest"));
    }
    // A form post (what another site could send without a preflight) is not a sign-in.
    let body = credentials("alice", PASSWORD);
    let form = format!(
        "POST /auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(raw(address, form.as_bytes()).await.status, 400);
    // A body past the limit.
    let huge = format!(r#"{{"user":"alice","password":"{}"}}"#, "x".repeat(10_000));
    assert_eq!(login(address, &huge).await.status, 400);
    // GET is not a sign-in.
    assert_eq!(raw_get(address, "/auth/login", "").await.status, 405);
}

#[tokio::test]
async fn the_user_header_counts_only_from_trusted_proxies() {
    let trusted = |cidr: &str| TrustedHeader {
        name: HeaderName::from_static("x-forwarded-user"),
        proxies: bec_usage_proxy::client::TrustedProxies::parse(&[cidr]).expect("cidr"),
    };
    let (behind_sso, _) = proxy_with(
        Access::new(
            None,
            Some(trusted("127.0.0.1/32")),
            Duration::from_secs(60),
            false,
        ),
        false,
    )
    .await;
    let named = "X-Forwarded-User: carol@example.com\r\n";
    let answer = raw_get(behind_sso, &usage_target("2024-01-01", "2024-01-01"), named).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let health = raw_get(behind_sso, "/healthz", named).await;
    assert!(
        health
            .body
            .contains(r#""signIn":"proxy","user":"carol@example.com""#),
        "{}",
        health.body
    );
    assert_eq!(
        usage(behind_sso, None).await.status,
        401,
        "no header, no user"
    );

    // The same header from an address that is not the proxy's is ignored.
    let (elsewhere, _) = proxy_with(
        Access::new(
            None,
            Some(trusted("10.0.0.0/8")),
            Duration::from_secs(60),
            false,
        ),
        false,
    )
    .await;
    let answer = raw_get(elsewhere, &usage_target("2024-01-01", "2024-01-01"), named).await;
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert_eq!(answer.code().as_deref(), Some("SignInRequired"));
}

#[tokio::test]
async fn relay_mode_needs_a_session_too_and_forwards_the_pages_signature() {
    let (address, standin) = proxy_with(
        Access::new(Some(team()), None, Duration::from_secs(60), false),
        true,
    )
    .await;
    let (authorization, date) = client_signature(
        bec_usage_proxy::standin::DEMO_HOST,
        &test_credentials(),
        chrono::Utc::now(),
        "2024-01-01",
        "2024-01-01",
    );
    let signed = format!("Authorization: {authorization}\r\nx-bce-date: {date}\r\n");
    // A valid BCE signature is not a way in.
    let refused = raw_get(address, &usage_target("2024-01-01", "2024-01-01"), &signed).await;
    assert_eq!(refused.status, 401);
    assert!(standin.received().is_empty(), "nothing reached BEC");

    let cookie = cookie_pair(&login(address, &credentials("bob", "bob's own password")).await);
    let headers = format!("{signed}Cookie: {cookie}\r\n");
    let answer = raw_get(address, &usage_target("2024-01-01", "2024-01-01"), &headers).await;
    // The stand-in checks the page's signature for its own host; what matters here is that
    // the request went through with the page's Authorization and without the cookie.
    assert_ne!(answer.status, 401, "{}", answer.body);
    let received = standin.received();
    assert_eq!(received.len(), 1);
    let headers = &received[0].headers;
    assert!(headers
        .iter()
        .any(|(n, v)| n == "authorization" && *v == authorization));
    assert!(
        !headers.iter().any(|(n, _)| n == "cookie"),
        "the session cookie stays here"
    );
}

#[tokio::test]
async fn the_dashboard_files_and_health_need_no_sign_in() {
    let dist = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>bec</title>",
    )
    .unwrap();
    let (standin, standin_address) = start_standin().await;
    let _ = standin;
    let mut setup = ProxySetup::server_signed(standin_address);
    setup.options = AppOptions {
        dist: Some(dist.path().to_path_buf()),
        access: Some(Arc::new(Access::new(
            Some(team()),
            None,
            Duration::from_secs(60),
            false,
        ))),
        ..AppOptions::default()
    };
    let address = setup.start().await;
    assert_eq!(raw_get(address, "/", "").await.status, 200);
    assert_eq!(raw_get(address, "/healthz", "").await.status, 200);
    assert_eq!(usage(address, None).await.status, 401);
    // Paths that end up at the API through the fallback are guarded as well.
    let odd = raw_get(
        address,
        "/v1//usage/computing?beginDate=2024-01-01&endDate=2024-01-01",
        "",
    )
    .await;
    assert_ne!(odd.status, 200, "{}", odd.body);
}

#[tokio::test]
async fn metrics_need_a_user_and_count_the_failed_sign_ins() {
    let address = signed_in_proxy().await;
    let refused = raw_get(address, "/metrics", "").await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert_eq!(refused.code().as_deref(), Some("SignInRequired"));
    for guess in ["one", "two"] {
        assert_eq!(
            login(address, &credentials("alice", guess)).await.status,
            401
        );
    }
    let cookie = cookie_pair(&login(address, &credentials("alice", PASSWORD)).await);
    let scrape = raw_get(address, "/metrics", &format!("Cookie: {cookie}\r\n")).await;
    assert_eq!(scrape.status, 200, "{}", scrape.body);
    assert!(
        scrape.body.contains("bec_proxy_failed_logins_total 2"),
        "{}",
        scrape.body
    );
    assert!(
        scrape
            .body
            .contains(r#"bec_proxy_requests_total{route="login",status="401"} 2"#),
        "{}",
        scrape.body
    );
}
