//! The history store in the server (issue 24), against the stand-in on loopback: cold and
//! warm answers byte for byte the stand-in's, mixed ranges asking only for the missing
//! days (counted at the stand-in), a fetch failing half-way storing nothing of its days,
//! one fetch for concurrent requests, accounts kept apart; and with the real binary:
//! sessions across a restart, a damaged file set aside, a backfill killed with SIGKILL
//! and resumed.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;
use bec_usage::signing::Credentials;
use bec_usage::UsageQuery;
use bec_usage_proxy::access::users::{user_line, Users};
use bec_usage_proxy::access::Access;
use bec_usage_proxy::accounts::{Account, Accounts};
use bec_usage_proxy::app::{self, AppOptions, NamedAccounts};
use bec_usage_proxy::clock::system_clock;
use bec_usage_proxy::forward::{Forwarder, Upstream};
use bec_usage_proxy::history::History;
use bec_usage_proxy::standin::{Faults, Standin, StandinConfig};
use bec_usage_store::{account_key, Store};
use chrono::NaiveDate;
use tokio::net::TcpListener;

const BIN: &str = env!("CARGO_BIN_EXE_bec-usage-proxy");

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// The store's name of the one account of the test keys.
fn default_key() -> String {
    account_key("default", TEST_ACCESS_KEY_ID)
}

fn second_credentials() -> Credentials {
    Credentials::new("store-second-key-id", "STORE-SECOND-SECRET-9d1e").expect("keys")
}

/// What the stand-in answers for `begin ..= end` (the main account's data).
fn standin_body(standin: &Standin, begin: &str, end: &str) -> String {
    let query = UsageQuery::new(begin, end).expect("query");
    String::from_utf8(standin.usage_body(&query).expect("body").to_vec()).expect("utf-8")
}

/// Asserts that `actual` is `expected` byte for byte, saying where they part (not
/// printing megabytes of JSON).
#[track_caller]
fn same(actual: &str, expected: &str, what: &str) {
    if actual != expected {
        let at = actual
            .bytes()
            .zip(expected.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(actual.len().min(expected.len()));
        let around = |text: &str| {
            text.get(at.saturating_sub(80)..(at + 80).min(text.len()))
                .unwrap_or("")
                .to_owned()
        };
        panic!(
            "{what}: {} bytes against {} expected, first difference at {at}:\n  got      …{}…\n  expected …{}…",
            actual.len(),
            expected.len(),
            around(actual),
            around(expected)
        );
    }
}

/// The targets the stand-in received after the first `skip` requests.
fn targets_since(standin: &Standin, skip: usize) -> Vec<String> {
    standin
        .received()
        .into_iter()
        .skip(skip)
        .map(|r| r.target)
        .collect()
}

/// A proxy in this process with a store in `dir`: the test keys as the one account
/// (`default`), or the accounts `alpha` (test keys, only `ann` when `access` has users)
/// and `beta` (the second keys) when `two_accounts`.
async fn proxy_with_store(
    upstream: SocketAddr,
    dir: &Path,
    two_accounts: bool,
    access: Option<Access>,
) -> (SocketAddr, Arc<History>) {
    let upstream = Upstream::parse(&format!("http://{upstream}")).expect("upstream");
    let forwarder = |credentials: Credentials| {
        Arc::new(
            Forwarder::new(
                upstream.clone(),
                quick_policy(),
                Some(credentials),
                system_clock(),
            )
            .expect("forwarder"),
        )
    };
    let main = forwarder(test_credentials());
    let store = Store::open(dir.join("history.sqlite3"))
        .expect("store")
        .store;
    let history = Arc::new(History::new(
        Arc::new(store),
        2,
        system_clock(),
        main.metrics().clone(),
    ));
    let restricted = access.as_ref().is_some_and(Access::has_password_sign_in);
    let accounts = two_accounts.then(|| {
        let accounts = Accounts::new(
            vec![
                Account {
                    name: "alpha".into(),
                    credentials: test_credentials(),
                    users: restricted.then(|| ["ann".to_owned()].into()),
                },
                Account {
                    name: "beta".into(),
                    credentials: second_credentials(),
                    users: None,
                },
            ],
            Some("alpha".into()),
        );
        let beta = Forwarder::new(
            upstream.clone(),
            quick_policy(),
            Some(second_credentials()),
            system_clock(),
        )
        .expect("forwarder")
        .with_metrics(main.metrics().clone());
        Arc::new(NamedAccounts {
            accounts,
            forwarders: vec![Arc::clone(&main), Arc::new(beta)],
        })
    });
    let router = app::router(
        main,
        AppOptions {
            access: access.map(Arc::new),
            accounts,
            history: Some(Arc::clone(&history)),
            ..AppOptions::default()
        },
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("proxy serves");
    });
    (address, history)
}

async fn get_usage(proxy: SocketAddr, prefix: &str, begin: &str, end: &str) -> (u16, String) {
    get_usage_as(proxy, prefix, begin, end, "").await
}

async fn get_usage_as(
    proxy: SocketAddr,
    prefix: &str,
    begin: &str,
    end: &str,
    headers: &str,
) -> (u16, String) {
    let answer = raw_get(
        proxy,
        &format!("{prefix}{}", usage_target(begin, end)),
        headers,
    )
    .await;
    (answer.status, answer.body)
}

/// The value of the unlabelled series `name` in a scrape.
async fn series(proxy: SocketAddr, name: &str) -> f64 {
    let scrape = raw_get(proxy, "/metrics", "").await;
    scrape
        .body
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(-1.0)
}

#[tokio::test]
async fn cold_and_warm_answers_are_the_stand_ins_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (standin, upstream) = start_standin().await;
    let (proxy, history) = proxy_with_store(upstream, dir.path(), false, None).await;

    let (status, cold) = get_usage(proxy, "", "2024-03-01", "2024-03-31").await;
    assert_eq!(status, 200, "{cold}");
    same(
        &cold,
        &standin_body(&standin, "2024-03-01", "2024-03-31"),
        "cold",
    );
    assert_eq!(standin.request_count(), 1);
    let (status, warm) = get_usage(proxy, "", "2024-03-01", "2024-03-31").await;
    assert_eq!(status, 200);
    same(&warm, &cold, "warm and cold give the same bytes");
    // Any range of stored days is answered from the store, byte for byte the stand-in's.
    for (begin, end) in [
        ("2024-03-05", "2024-03-09"),
        ("2024-03-31", "2024-03-31"),
        ("2024-03-10", "2024-03-31"),
    ] {
        let (status, body) = get_usage(proxy, "", begin, end).await;
        assert_eq!(status, 200);
        same(&body, &standin_body(&standin, begin, end), "body");
    }
    assert_eq!(standin.request_count(), 1, "no request for stored days");
    assert_eq!(series(proxy, "bec_proxy_store_hits_total").await, 4.0);
    assert_eq!(series(proxy, "bec_proxy_store_misses_total").await, 1.0);
    assert_eq!(series(proxy, "bec_proxy_store_days").await, 31.0);
    assert!(series(proxy, "bec_proxy_store_file_bytes").await > 100_000.0);

    // Days that may still change (today, yesterday) are asked for every time.
    let today = history.settled_through() + chrono::Duration::days(2);
    let today = today.format("%Y-%m-%d").to_string();
    for _ in 0..2 {
        let (status, _) = get_usage(proxy, "", &today, &today).await;
        assert_eq!(status, 200);
    }
    assert_eq!(standin.request_count(), 3);
}

#[tokio::test]
async fn a_mixed_range_asks_only_for_its_missing_days() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (standin, upstream) = start_standin().await;
    let (proxy, _) = proxy_with_store(upstream, dir.path(), false, None).await;
    assert_eq!(
        get_usage(proxy, "", "2024-05-10", "2024-05-20").await.0,
        200
    );
    assert_eq!(
        get_usage(proxy, "", "2024-05-25", "2024-05-26").await.0,
        200
    );
    assert_eq!(standin.request_count(), 2);

    let (status, body) = get_usage(proxy, "", "2024-05-01", "2024-05-31").await;
    assert_eq!(status, 200);
    same(
        &body,
        &standin_body(&standin, "2024-05-01", "2024-05-31"),
        "body",
    );
    // Exactly the three runs of missing days, one request each.
    assert_eq!(
        targets_since(&standin, 2),
        [
            usage_target("2024-05-01", "2024-05-09"),
            usage_target("2024-05-21", "2024-05-24"),
            usage_target("2024-05-27", "2024-05-31"),
        ]
    );
    let (_, again) = get_usage(proxy, "", "2024-05-01", "2024-05-31").await;
    same(&again, &body, "again");
    assert_eq!(standin.request_count(), 5, "all stored now");
}

#[tokio::test]
async fn a_fetch_failing_half_way_stores_nothing_of_its_days() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (standin, upstream) = start_standin_with(StandinConfig {
        credentials: test_credentials(),
        ..StandinConfig::demo()
    })
    .await;
    let (proxy, history) = proxy_with_store(upstream, dir.path(), false, None).await;
    assert_eq!(
        get_usage(proxy, "", "2024-06-06", "2024-06-14").await.0,
        200
    );
    // Two runs are missing from 06-01 .. 06-20; the first is answered whole, then the
    // stand-in breaks (cut bodies) for the second.
    standin.set_faults(Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    });
    let request = tokio::spawn(get_usage(proxy, "", "2024-06-01", "2024-06-20"));
    let start = Instant::now();
    while standin.request_count() < 2 {
        assert!(start.elapsed() < Duration::from_secs(10), "no request");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    standin.set_faults(Faults {
        truncate_rate: 1.0,
        ..Faults::default()
    });
    let (status, body) = request.await.expect("answered");
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("UpstreamInvalidResponse"), "{body}");
    let stored = history
        .store()
        .stored_dates(&default_key(), d("2024-06-01"), d("2024-06-20"))
        .expect("dates");
    let expected: Vec<NaiveDate> = (1..=14)
        .map(|day| NaiveDate::from_ymd_opt(2024, 6, day).expect("date"))
        .collect();
    assert_eq!(
        stored, expected,
        "the whole first run, nothing of the failed one"
    );
    // Malformed answers are not stored either; then the stand-in recovers.
    standin.set_faults(Faults {
        malformed_rate: 1.0,
        ..Faults::default()
    });
    assert_eq!(
        get_usage(proxy, "", "2024-06-15", "2024-06-20").await.0,
        502
    );
    standin.set_faults(Faults::default());
    let before = standin.request_count();
    let (status, body) = get_usage(proxy, "", "2024-06-01", "2024-06-20").await;
    assert_eq!(status, 200);
    same(
        &body,
        &standin_body(&standin, "2024-06-01", "2024-06-20"),
        "body",
    );
    assert_eq!(
        targets_since(&standin, before as usize),
        [usage_target("2024-06-15", "2024-06-20")]
    );
}

#[tokio::test]
async fn concurrent_requests_for_the_same_missing_days_ask_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (standin, upstream) = start_standin_with(StandinConfig {
        credentials: test_credentials(),
        faults: Faults {
            latency: Duration::from_millis(200),
            ..Faults::default()
        },
        ..StandinConfig::demo()
    })
    .await;
    let (proxy, _) = proxy_with_store(upstream, dir.path(), false, None).await;
    let requests: Vec<_> = (0..6)
        .map(|_| tokio::spawn(get_usage(proxy, "", "2024-07-01", "2024-07-10")))
        .collect();
    let mut bodies = Vec::new();
    for request in requests {
        let (status, body) = request.await.expect("answered");
        assert_eq!(status, 200);
        bodies.push(body);
    }
    assert_eq!(standin.request_count(), 1, "one fetch for all six");
    assert!(bodies.iter().all(|body| *body == bodies[0]));
    same(
        &bodies[0],
        &standin_body(&standin, "2024-07-01", "2024-07-10"),
        "shared",
    );
}

#[tokio::test]
async fn two_accounts_never_see_each_others_days() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (standin, upstream) = start_standin_with(StandinConfig {
        credentials: test_credentials(),
        other_accounts: vec![second_credentials()],
        ..StandinConfig::demo()
    })
    .await;
    let line = user_line("ann", "ann's password", b"sixteen byte salt").expect("line");
    let line = format!(
        "{line}\n{}",
        user_line("bo", "bo's password", b"another salt 16b").expect("line")
    );
    let users = Users::parse(&line, "test").expect("users");
    let access = Access::new(Some(users), None, Duration::from_secs(600), false);
    let (proxy, history) = proxy_with_store(upstream, dir.path(), true, Some(access)).await;
    let ann = sign_in(proxy, "ann", "ann's password").await;
    let bo = sign_in(proxy, "bo", "bo's password").await;

    let range = ("2024-08-01", "2024-08-05");
    let (status, alpha) = get_usage_as(proxy, "/accounts/alpha", range.0, range.1, &ann).await;
    assert_eq!(status, 200);
    same(&alpha, &standin_body(&standin, range.0, range.1), "alpha");
    assert_eq!(standin.request_count(), 1);
    // beta's same days are beta's own: fetched, not alpha's.
    let (status, beta) = get_usage_as(proxy, "/accounts/beta", range.0, range.1, &ann).await;
    assert_eq!(status, 200);
    assert!(beta != alpha, "beta's data is not alpha's");
    assert_eq!(standin.request_count(), 2);
    // Warm, each gets its own again, without a request.
    let warm_alpha = get_usage_as(proxy, "/accounts/alpha", range.0, range.1, &ann).await;
    same(&warm_alpha.1, &alpha, "alpha warm");
    let warm_beta = get_usage_as(proxy, "/accounts/beta", range.0, range.1, &bo).await;
    same(&warm_beta.1, &beta, "beta warm");
    assert_eq!(standin.request_count(), 2);
    // Access control is unchanged: bo may not read alpha, stored days or not.
    let (status, body) = get_usage_as(proxy, "/accounts/alpha", range.0, range.1, &bo).await;
    assert_eq!(status, 404, "{body}");
    assert!(!body.contains("graphData"));
    let (status, _) = get_usage(proxy, "/accounts/beta", range.0, range.1).await;
    assert_eq!(status, 401, "nobody signed in");
    assert_eq!(
        history.store().accounts().expect("accounts"),
        [
            (account_key("alpha", TEST_ACCESS_KEY_ID), 5),
            (account_key("beta", second_credentials().access_key_id()), 5)
        ]
    );
}

// ---- the real binary ------------------------------------------------------------------

fn start_binary(dir: &Path, args: &[&str], log: &str) -> (Process, SocketAddr) {
    let address = free_address();
    let log = std::fs::File::create(dir.join(log)).expect("log");
    let child = Command::new(BIN)
        .args(args)
        .args(["--listen", &address.to_string(), "--rate-limit", "0"])
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .env_remove("BCE_ACCESS_KEY_ID")
        .env_remove("BCE_SECRET_ACCESS_KEY")
        .env_remove("STATE_DIRECTORY")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("the server starts");
    (Process(child), address)
}

async fn wait_up(address: SocketAddr, dir: &Path, log: &str) {
    let start = Instant::now();
    loop {
        if let Ok(stream) = tokio::net::TcpStream::connect(address).await {
            drop(stream);
            if raw_get(address, "/healthz", "").await.status == 200 {
                return;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the server did not start: {}",
            std::fs::read_to_string(dir.join(log)).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_survive_a_restart_and_a_damaged_file_is_set_aside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path();
    let line = user_line("carol", "carol's password", b"sixteen byte salt").expect("line");
    std::fs::write(path.join("users"), format!("{line}\n")).expect("users");
    // The default place: beside the config file.
    std::fs::write(
        path.join("proxy.toml"),
        "users-file = \"users\"\ndemo = true\n",
    )
    .expect("config");
    let args = ["--config", "proxy.toml"];
    let store = path.join(bec_usage_store::DEFAULT_FILE_NAME);

    let (mut first, address) = start_binary(path, &args, "first.log");
    wait_up(address, path, "first.log").await;
    let cookie = sign_in(address, "carol", "carol's password").await;
    let (status, body) = get_usage_as(address, "", "2024-02-01", "2024-02-29", &cookie).await;
    assert_eq!(status, 200);
    first.signal("TERM");
    assert_eq!(first.exit_code().await, Some(0));
    assert!(store.is_file(), "the store is beside the config file");

    // A restart: carol is still signed in, and the days are there.
    let (mut second, address) = start_binary(path, &args, "second.log");
    wait_up(address, path, "second.log").await;
    let (status, again) = get_usage_as(address, "", "2024-02-01", "2024-02-29", &cookie).await;
    assert_eq!(status, 200, "{again}");
    same(&again, &body, "again");
    let scrape = raw_get(address, "/metrics", &cookie).await;
    assert!(
        scrape.body.contains("bec_proxy_store_hits_total 1"),
        "{}",
        scrape.body
    );
    second.signal("TERM");
    assert_eq!(second.exit_code().await, Some(0));

    // Bytes overwritten in the middle of the file: set aside at the next start (logged),
    // and the server answers from the upstream.
    let length = std::fs::metadata(&store).expect("store").len();
    let mut bytes = std::fs::read(&store).expect("read");
    for at in [4096usize, 8192, length as usize / 2] {
        if let Some(part) = bytes.get_mut(at..at + 512) {
            part.fill(0xA5);
        }
    }
    std::fs::write(&store, &bytes).expect("write");
    let (mut third, address) = start_binary(path, &args, "third.log");
    wait_up(address, path, "third.log").await;
    let log = std::fs::read_to_string(path.join("third.log")).expect("log");
    assert!(log.contains("set aside"), "{log}");
    let aside = std::fs::read_dir(path)
        .expect("dir")
        .filter_map(|entry| entry.ok())
        .any(|entry| entry.file_name().to_string_lossy().contains(".damaged-"));
    assert!(aside, "the damaged file is kept beside, renamed");
    // The sessions were in the damaged file: carol signs in again.
    assert_eq!(
        get_usage_as(address, "", "2024-02-01", "2024-02-29", &cookie)
            .await
            .0,
        401
    );
    let cookie = sign_in(address, "carol", "carol's password").await;
    let (status, fresh) = get_usage_as(address, "", "2024-02-01", "2024-02-29", &cookie).await;
    assert_eq!(status, 200);
    same(&fresh, &body, "answered from the upstream");
    third.signal("TERM");
    assert_eq!(third.exit_code().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_killed_with_sigkill_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path();
    let (standin, upstream) = start_standin_with(StandinConfig {
        credentials: test_credentials(),
        faults: Faults {
            latency: Duration::from_millis(150),
            ..Faults::default()
        },
        ..StandinConfig::demo()
    })
    .await;
    std::fs::write(
        path.join("keys.env"),
        format!("BCE_ACCESS_KEY_ID={TEST_ACCESS_KEY_ID}\nBCE_SECRET_ACCESS_KEY={TEST_SECRET}\n"),
    )
    .expect("keys");
    let backfill = |log: &str| {
        let log = std::fs::File::create(path.join(log)).expect("log");
        Command::new(BIN)
            .args(["backfill", "--from", "2023-01-01", "--to", "2023-12-31"])
            .args(["--upstream", &format!("http://{upstream}")])
            .args(["--keys-file", "keys.env", "--store", "history.sqlite3"])
            .current_dir(path)
            .env("RUST_LOG", "warn")
            .env_remove("STATE_DIRECTORY")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("backfill starts")
    };
    let mut running = Process(backfill("first.log"));
    let start = Instant::now();
    while standin.request_count() < 5 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the backfill did not ask: {}",
            std::fs::read_to_string(path.join("first.log")).unwrap_or_default()
        );
        assert!(
            running.0.try_wait().expect("wait").is_none(),
            "it ended early"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    running.signal("KILL");
    let _ = running.exit_code().await;
    let asked_first = standin.request_count();

    // The file is sound, and holds whole 31-day answers only.
    let opened = Store::open(path.join("history.sqlite3")).expect("opens");
    assert!(opened.set_aside.is_none(), "the integrity check passes");
    let stored = opened
        .store
        .stored_dates(&default_key(), d("2023-01-01"), d("2023-12-31"))
        .expect("dates");
    assert!(!stored.is_empty() && stored.len() < 365, "{}", stored.len());
    assert_eq!(stored.len() % 31, 0, "whole chunks only: {}", stored.len());
    drop(opened);

    let mut resumed = Process(backfill("second.log"));
    assert_eq!(
        resumed.exit_code().await,
        Some(0),
        "{}",
        std::fs::read_to_string(path.join("second.log")).unwrap_or_default()
    );
    let log = std::fs::read_to_string(path.join("second.log")).expect("log");
    let chunks_left = (365 - stored.len()).div_ceil(31) as u64;
    assert_eq!(
        standin.request_count() - asked_first,
        chunks_left,
        "only the missing chunks: {log}"
    );
    assert!(
        log.contains(&format!(", {} were stored already", stored.len())),
        "{log}"
    );
    let store = Store::open(path.join("history.sqlite3"))
        .expect("opens")
        .store;
    assert_eq!(store.day_count().expect("count"), 365);
}
