//! A server left to run on its own (issue 22, "Unattended"), as the real binary: SIGHUP
//! reloads the config file, users and accounts without signing anyone out; a half-sent
//! request is cut off and never holds shutdown back; the connection limit holds further
//! clients back; a log destination that blocks costs log lines, not the server; mistakes
//! an operator could make (a dashboard folder that is not one) stop the start.
#![cfg(unix)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::*;

const BIN: &str = env!("CARGO_BIN_EXE_bec-usage-proxy");

fn proxy(args: &[&str], dir: &Path, stdout: Stdio) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .env_remove("BCE_ACCESS_KEY_ID")
        .env_remove("BCE_SECRET_ACCESS_KEY")
        .stdin(Stdio::null())
        .stdout(stdout);
    command
}

async fn wait_until_up(address: SocketAddr, log: &Path) {
    let start = Instant::now();
    while raw_get_or_none(address, "/healthz").await != Some(200) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the proxy did not start: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn raw_get_or_none(address: SocketAddr, target: &str) -> Option<u16> {
    TcpStream::connect(address).await.ok()?;
    Some(raw_get(address, target, "").await.status)
}

/// The value of the unlabelled series `name` in a scrape of `metrics`.
async fn sample(metrics: SocketAddr, name: &str) -> f64 {
    let text = raw_get(metrics, "/metrics", "").await.body;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} not in the scrape:\n{text}"))
}

/// Waits until `bec_proxy_reloads_total` is `count`.
async fn reloaded(metrics: SocketAddr, count: f64) {
    let start = Instant::now();
    while sample(metrics, "bec_proxy_reloads_total").await < count {
        assert!(start.elapsed() < Duration::from_secs(10), "no reload");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn user_line(name: &str, password: &str) -> String {
    let salt = format!("salt of {name} for tests");
    bec_usage_proxy::access::users::user_line(name, password, salt.as_bytes()).expect("line") + "\n"
}

const ACCOUNTS: &str = "\
[accounts.production]
keys-file = \"keys/production.env\"
users = [\"alice\"]
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_users_and_accounts_keeps_sessions_and_a_broken_file_keeps_the_old() {
    let dir = tempfile::tempdir().expect("tempdir");
    let etc = dir.path().join("etc");
    std::fs::create_dir_all(etc.join("keys")).expect("mkdir");
    // Relative paths of the config file are relative to its folder, not to the working
    // directory (`dir`).
    std::fs::write(
        etc.join("keys/production.env"),
        "BCE_ACCESS_KEY_ID=demo-access-key-id\nBCE_SECRET_ACCESS_KEY=demo-secret-access-key\n",
    )
    .expect("keys");
    let users = etc.join("users");
    std::fs::write(&users, user_line("alice", "alice's long password")).expect("users");
    // Readable by others: the log names the chmod to run.
    std::fs::set_permissions(&users, std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .expect("chmod");
    std::fs::write(etc.join("accounts.toml"), ACCOUNTS).expect("accounts");
    let listen = free_address();
    let metrics = free_address();
    std::fs::write(
        etc.join("proxy.toml"),
        format!(
            "listen = \"{listen}\"\nmetrics-listen = \"{metrics}\"\nusers-file = \"users\"\naccounts-file = \"accounts.toml\"\ndemo = true\n"
        ),
    )
    .expect("config");
    let log_path = dir.path().join("proxy.log");
    let log = std::fs::File::create(&log_path).expect("log");
    let mut running = Process(
        proxy(
            &["--config", "etc/proxy.toml"],
            dir.path(),
            log.try_clone().expect("log").into(),
        )
        .stderr(log)
        .spawn()
        .expect("the proxy starts"),
    );
    wait_until_up(listen, &log_path).await;
    let log_text = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        log_text.contains(&format!("chmod 600 {}", Path::new("etc/users").display())),
        "{log_text}"
    );
    let data = "/accounts/production/v1/usage/computing?beginDate=2024-03-01&endDate=2024-03-01";
    let alice = sign_in(listen, "alice", "alice's long password").await;
    assert_eq!(raw_get(listen, data, &alice).await.status, 200);
    assert_eq!(sample(metrics, "bec_proxy_reloads_total").await, 0.0);

    // A new user, who may see the account, and a kept-alive connection open across the
    // reload.
    let mut kept = TcpStream::connect(listen).await.expect("connect");
    std::fs::write(
        &users,
        user_line("alice", "alice's long password") + &user_line("bob", "bob's long password"),
    )
    .expect("users");
    std::fs::write(
        etc.join("accounts.toml"),
        ACCOUNTS.replace("[\"alice\"]", "[\"alice\", \"bob\"]"),
    )
    .expect("accounts");
    running.signal("HUP");
    reloaded(metrics, 1.0).await;
    assert_eq!(
        sample(metrics, "bec_proxy_reload_failures_total").await,
        0.0
    );
    let bob = sign_in(listen, "bob", "bob's long password").await;
    assert_eq!(raw_get(listen, data, &bob).await.status, 200, "bob sees it");
    assert_eq!(
        raw_get(listen, data, &alice).await.status,
        200,
        "alice is still signed in"
    );
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {listen}\r\nConnection: close\r\n\r\n");
    kept.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    kept.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // A users file that no longer reads: the users in use stay.
    std::fs::write(&users, "bob has no hash\n").expect("users");
    running.signal("HUP");
    reloaded(metrics, 2.0).await;
    assert_eq!(
        sample(metrics, "bec_proxy_reload_failures_total").await,
        1.0
    );
    assert_eq!(raw_get(listen, data, &bob).await.status, 200);
    sign_in(listen, "alice", "alice's long password").await;

    // Taken out of the users file (and the account's list): signed out.
    std::fs::write(&users, user_line("alice", "alice's long password")).expect("users");
    std::fs::write(etc.join("accounts.toml"), ACCOUNTS).expect("accounts");
    running.signal("HUP");
    reloaded(metrics, 3.0).await;
    assert_eq!(
        sample(metrics, "bec_proxy_reload_failures_total").await,
        1.0
    );
    assert_eq!(raw_get(listen, data, &bob).await.status, 401);
    assert_eq!(raw_get(listen, data, &alice).await.status, 200);

    running.signal("TERM");
    assert_eq!(running.exit_code().await, Some(0));
    let log_text = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        log_text.contains("reload failed, the settings in use are kept")
            && log_text.contains("line 1 of the users file"),
        "{log_text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_is_cut_off_and_the_connection_limit_holds_others_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let listen = free_address();
    let log_path = dir.path().join("proxy.log");
    let log = std::fs::File::create(&log_path).expect("log");
    let _running = Process(
        proxy(
            &[
                "--demo",
                "--listen",
                &listen.to_string(),
                "--header-timeout-ms",
                "300",
                "--max-connections",
                "1",
            ],
            dir.path(),
            log.into(),
        )
        .spawn()
        .expect("the proxy starts"),
    );
    wait_until_up(listen, &log_path).await;
    // Slowloris: a head that never ends, on the only connection allowed.
    let mut slow = TcpStream::connect(listen).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1")
        .await
        .expect("write");
    // A second client's whole request waits for the slot: a third of the header timeout
    // later it is still unanswered.
    let waiting = tokio::spawn(async move { raw_get(listen, "/healthz", "").await.status });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !waiting.is_finished(),
        "a second client is held back while the only slot is taken"
    );
    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(10), slow.read(&mut buffer))
        .await
        .expect("the server cut the half-sent request off");
    assert!(
        matches!(read, Ok(0) | Err(_)),
        "closed, no answer: {read:?}"
    );
    // Once the slow one is cut off, the slot is free and the second client is answered.
    assert_eq!(waiting.await.expect("task"), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_not_held_by_a_half_sent_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let listen = free_address();
    let log_path = dir.path().join("proxy.log");
    let log = std::fs::File::create(&log_path).expect("log");
    let mut running = Process(
        proxy(
            // A header timeout far beyond the 10 s the test waits for the exit.
            &[
                "--demo",
                "--listen",
                &listen.to_string(),
                "--header-timeout-ms",
                "600000",
            ],
            dir.path(),
            log.into(),
        )
        .spawn()
        .expect("the proxy starts"),
    );
    wait_until_up(listen, &log_path).await;
    let mut slow = TcpStream::connect(listen).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    // A kept-alive connection that has been answered once, idle now.
    let mut idle = TcpStream::connect(listen).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buffer = [0u8; 4096];
    let n = idle.read(&mut buffer).await.expect("answer");
    assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
    running.signal("TERM");
    assert_eq!(running.exit_code().await, Some(0));
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        log.contains("stopped: every request in flight was answered"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_destination_that_blocks_drops_lines_and_sigterm_still_exits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let listen = free_address();
    let metrics = free_address();
    let mut running = Process(
        proxy(
            &[
                "--demo",
                "--listen",
                &listen.to_string(),
                "--metrics-listen",
                &metrics.to_string(),
                "--log-buffer-lines",
                "8",
            ],
            dir.path(),
            // A pipe nobody reads: it fills after 64 KiB, then every write would block.
            Stdio::piped(),
        )
        .stderr(Stdio::null())
        .spawn()
        .expect("the proxy starts"),
    );
    let _unread = running.0.stdout.take().expect("the pipe");
    wait_until_up(listen, &dir.path().join("no log")).await;
    let client = reqwest::Client::new();
    let url = format!("http://{listen}/healthz");
    // One line each, a few hundred bytes: well past what the pipe and the buffer hold.
    let mut dropped = 0.0;
    for _ in 0..20 {
        for _ in 0..200 {
            let status = client.get(&url).send().await.expect("answered").status();
            assert_eq!(status, 200);
        }
        dropped = sample(metrics, "bec_proxy_log_lines_dropped_total").await;
        if dropped > 0.0 {
            break;
        }
    }
    assert!(dropped > 0.0, "no line dropped");
    running.signal("TERM");
    assert_eq!(running.exit_code().await, Some(0));
}

#[test]
fn a_dashboard_folder_that_is_not_one_stops_the_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("empty")).expect("mkdir");
    for dist in ["missing", "empty"] {
        let output = Command::new(BIN)
            .args(["--demo", "--listen", "127.0.0.1:0", "--dist", dist])
            .current_dir(dir.path())
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{dist}: {stderr}");
        assert!(
            stderr.contains(&format!("--dist {dist}")) && stderr.contains("trunk build"),
            "{stderr}"
        );
    }
}

#[test]
fn add_user_refuses_a_short_password_unless_told() {
    let run = |args: &[&str]| {
        let mut child = Command::new(BIN)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("add-user");
        use std::io::Write;
        writeln!(child.stdin.take().expect("stdin"), "short-pw").expect("password");
        child.wait_with_output().expect("add-user runs")
    };
    let refused = run(&["add-user", "carol"]);
    assert!(!refused.status.success());
    assert!(refused.stdout.is_empty(), "nothing written");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--allow-short-password"), "{stderr}");
    let allowed = run(&["add-user", "carol", "--allow-short-password"]);
    assert!(allowed.status.success());
    assert!(String::from_utf8_lossy(&allowed.stdout).starts_with("carol:$argon2id$"));
}
