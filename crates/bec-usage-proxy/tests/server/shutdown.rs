//! Graceful shutdown of the real binary: `bec-usage-proxy --demo` with a slow stand-in and
//! a metrics listener gets SIGTERM while a request is in flight. The request must still be
//! answered 200, both listeners must refuse new connections meanwhile, and the process
//! must exit 0 and say so in its log.
#![cfg(unix)]

use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{free_address, Process};

fn refuses_connections(address: SocketAddr) -> bool {
    TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err()
}

/// The value of the unlabelled series `name` in a scrape.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_answers_the_request_in_flight_refuses_new_ones_and_exits_0() {
    let proxy = free_address();
    let metrics = free_address();
    let dir = tempfile::tempdir().expect("tempdir");
    let log_path = dir.path().join("proxy.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let child = Command::new(env!("CARGO_BIN_EXE_bec-usage-proxy"))
        .args(["--demo", "--rate-limit", "0", "--fault-latency-ms", "1500"])
        .arg("--listen")
        .arg(proxy.to_string())
        .arg("--metrics-listen")
        .arg(metrics.to_string())
        // The history store's default place is the working folder: the test's own.
        .current_dir(dir.path())
        .env("RUST_LOG", "info")
        .env_remove("BCE_ACCESS_KEY_ID")
        .env_remove("BCE_SECRET_ACCESS_KEY")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .spawn()
        .expect("the proxy starts");
    let mut running = Process(child);
    let pid = running.0.id();
    let client = reqwest::Client::new();

    // Up: /healthz on the proxy, /metrics on the metrics listener.
    let start = Instant::now();
    loop {
        if let Ok(response) = client.get(format!("http://{proxy}/healthz")).send().await {
            if response.status() == 200 {
                break;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the proxy did not start: {}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let metrics_url = format!("http://{metrics}/metrics");

    // A slow request (the stand-in waits 1.5 s), then wait until the proxy is answering it:
    // the metrics listener's scrapes are not counted, so in flight = 1 is this request.
    let slow = tokio::spawn({
        let client = client.clone();
        async move {
            let response = client
                .get(format!(
                    "http://{proxy}/v1/usage/computing?beginDate=2024-01-15&endDate=2024-01-15"
                ))
                .send()
                .await?;
            let status = response.status().as_u16();
            let body = response.text().await?;
            Ok::<_, reqwest::Error>((status, body, Instant::now()))
        }
    });
    let start = Instant::now();
    loop {
        let text = client
            .get(&metrics_url)
            .send()
            .await
            .expect("the metrics listener answers")
            .text()
            .await
            .expect("text");
        if sample(&text, "bec_proxy_requests_in_flight") == Some(1.0) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the slow request never arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let signalled = Instant::now();

    // Both listeners close at once, while the slow request is still being answered.
    while !(refuses_connections(proxy) && refuses_connections(metrics)) {
        assert!(
            signalled.elapsed() < Duration::from_secs(1),
            "still accepting connections after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let refused_at = Instant::now();
    assert!(
        !slow.is_finished(),
        "the slow request ended before the test"
    );

    let (status, body, answered_at) = slow.await.expect("task").expect("answered");
    assert_eq!(status, 200, "{body}");
    assert!(
        bec_usage::json::parse_usage(&body).is_ok(),
        "a whole answer"
    );
    assert!(
        answered_at > refused_at,
        "answered after the listeners closed"
    );

    let start = Instant::now();
    let exit = loop {
        if let Some(exit) = running.0.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the proxy did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(exit.success(), "{exit:?}\n{log}");
    assert_eq!(exit.code(), Some(0));
    assert!(
        log.contains("shutting down") && log.contains("SIGTERM"),
        "{log}"
    );
    assert!(log.contains("in_flight=1"), "{log}");
    assert!(
        log.contains("stopped: every request in flight was answered"),
        "{log}"
    );
}
