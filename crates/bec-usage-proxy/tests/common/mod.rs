//! Helpers of the integration tests: a stand-in and a proxy on ephemeral loopback ports,
//! a signer for clients, and a raw HTTP/1.1 client for requests no library would send.
#![allow(dead_code)] // each test binary uses a different part

pub mod attacks;

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bec_usage::signing::{sign, Credentials, SignableRequest, SigningParams};
use bec_usage_proxy::app::{self, AppOptions};
use bec_usage_proxy::clock::{system_clock, Clock};
use bec_usage_proxy::forward::rules::USAGE_PATH;
use bec_usage_proxy::forward::RetryPolicy;
use bec_usage_proxy::forward::{Forwarder, Upstream, UpstreamPolicy};
use bec_usage_proxy::server::spawn_standin;
use bec_usage_proxy::standin::{Standin, StandinConfig};
use chrono::{DateTime, Utc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A loopback address whose port was free a moment ago (for a process the test starts).
pub fn free_address() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
}

/// A child process the test started (the server's binary, nginx, Prometheus): killed when
/// the test ends however it ends, unless it has exited on its own.
pub struct Process(pub std::process::Child);

impl Process {
    /// Sends the signal `name` (`HUP`, `TERM`) with `kill`.
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &self.0.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
    }

    /// Waits (at most 10 s: far longer than it takes) for the process to exit.
    pub async fn exit_code(&mut self) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(exit) = self.0.try_wait().expect("wait") {
                return exit.code();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the proxy did not exit"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Log output captured in memory: a `tracing_subscriber` writer (`move || captured.clone()`)
/// whose bytes the test reads back.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A key pair only these tests use; its secret must never appear in an answer or a log.
pub const TEST_ACCESS_KEY_ID: &str = "test-access-key-id";
pub const TEST_SECRET: &str = "TEST-SECRET-never-in-a-log-7f3a9c";

pub fn test_credentials() -> Credentials {
    Credentials::new(TEST_ACCESS_KEY_ID, TEST_SECRET).expect("test keys")
}

/// Short timeouts and backoffs so fault tests finish quickly.
pub fn quick_policy() -> UpstreamPolicy {
    UpstreamPolicy {
        connect_timeout: Duration::from_millis(500),
        total_timeout: Duration::from_secs(3),
        max_response_bytes: 32 * 1024 * 1024,
        retry: RetryPolicy {
            retries: 2,
            backoff_base: Duration::from_millis(5),
            backoff_max: Duration::from_millis(20),
        },
    }
}

/// A stand-in that accepts the test keys.
pub async fn start_standin() -> (Standin, SocketAddr) {
    start_standin_with(StandinConfig {
        credentials: test_credentials(),
        ..StandinConfig::demo()
    })
    .await
}

pub async fn start_standin_with(config: StandinConfig) -> (Standin, SocketAddr) {
    let standin = Standin::new(config);
    let address = spawn_standin(standin.clone())
        .await
        .expect("stand-in starts");
    (standin, address)
}

/// How a test proxy runs.
pub struct ProxySetup {
    pub upstream: Upstream,
    pub credentials: Option<Credentials>,
    pub policy: UpstreamPolicy,
    pub clock: Clock,
    pub options: AppOptions,
}

impl ProxySetup {
    /// Server-signed with the test keys, in front of `standin`.
    pub fn server_signed(standin: SocketAddr) -> Self {
        ProxySetup {
            upstream: Upstream::parse(&format!("http://{standin}")).expect("upstream"),
            credentials: Some(test_credentials()),
            policy: quick_policy(),
            clock: system_clock(),
            options: AppOptions::default(),
        }
    }

    /// Relay mode in front of `standin`.
    pub fn relay(standin: SocketAddr) -> Self {
        ProxySetup {
            credentials: None,
            ..ProxySetup::server_signed(standin)
        }
    }

    pub async fn start(self) -> SocketAddr {
        let forwarder = Forwarder::new(self.upstream, self.policy, self.credentials, self.clock)
            .expect("forwarder");
        let router = app::router(Arc::new(forwarder), self.options);
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
        address
    }
}

/// `USAGE_PATH?beginDate=..&endDate=..`.
pub fn usage_target(begin: &str, end: &str) -> String {
    format!("{USAGE_PATH}?beginDate={begin}&endDate={end}")
}

/// A client's signature (relay mode): `(Authorization, x-bce-date)` for `host`.
pub fn client_signature(
    host: &str,
    credentials: &Credentials,
    time: DateTime<Utc>,
    begin: &str,
    end: &str,
) -> (String, String) {
    let query = [("beginDate", begin), ("endDate", end)];
    let output = sign(
        &SignableRequest::new("GET", host, USAGE_PATH).with_query(&query),
        &SigningParams::new(credentials, time),
    )
    .expect("sign");
    (
        output.authorization().to_owned(),
        output.x_bce_date().to_owned(),
    )
}

/// An answer read off the socket.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub head: String,
    pub body: String,
    /// Bytes after this answer on the same connection (pipelined answers).
    pub rest: String,
}

impl RawResponse {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The BCE error code of the body, if it is a BCE error body.
    pub fn code(&self) -> Option<String> {
        bec_usage::json::parse_service_error(self.status, &self.body, None).map(|e| e.code)
    }
}

/// Sends `request` bytes as they are and reads the answer until the server closes the
/// connection (requests should carry `Connection: close`).
pub async fn raw(address: SocketAddr, request: &[u8]) -> RawResponse {
    exchange(TcpStream::connect(address).await.expect("connect"), request).await
}

/// [`raw`] from the local address `source` (any of 127.0.0.0/8 on loopback), so that one
/// test can be several clients.
pub async fn raw_from(
    source: std::net::IpAddr,
    address: SocketAddr,
    request: &[u8],
) -> RawResponse {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::new(source, 0))
        .expect("bind the source address");
    exchange(socket.connect(address).await.expect("connect"), request).await
}

async fn exchange(mut stream: TcpStream, request: &[u8]) -> RawResponse {
    stream.write_all(request).await.expect("write");
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server did not close the connection");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut response = RawResponse {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
        rest: String::new(),
    };
    // Keep only this answer's body; what follows (a pipelined answer) goes to `rest`.
    if let Some(length) = response
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        if length < response.body.len() && response.body.is_char_boundary(length) {
            response.rest = response.body.split_off(length);
        }
    }
    response
}

/// A `GET` of `target` with the extra header lines `headers` (each ending in `\r\n`).
pub async fn raw_get(address: SocketAddr, target: &str, headers: &str) -> RawResponse {
    let request =
        format!("GET {target} HTTP/1.1\r\nHost: {address}\r\n{headers}Connection: close\r\n\r\n");
    raw(address, request.as_bytes()).await
}

/// The signature part (last 64 hex digits) of every `Authorization` the stand-in received.
pub fn received_signatures(standin: &Standin) -> Vec<String> {
    standin
        .received()
        .iter()
        .flat_map(|r| r.headers.iter())
        .filter(|(name, _)| name == "authorization")
        .filter_map(|(_, value)| value.rsplit('/').next().map(str::to_owned))
        .collect()
}

/// `POST /auth/login` with `body` (JSON), as a browser's sign-in form sends it.
pub async fn login(address: SocketAddr, body: &str) -> RawResponse {
    let request = format!(
        "POST /auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw(address, request.as_bytes()).await
}

/// Signs `user` in (it must succeed) and returns the `Cookie: ...\r\n` header line of the
/// session, for [`raw_get`].
pub async fn sign_in(address: SocketAddr, user: &str, password: &str) -> String {
    let body = serde_json::json!({ "user": user, "password": password }).to_string();
    let answer = login(address, &body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let set = answer.header("set-cookie").expect("a session cookie");
    format!("Cookie: {}\r\n", set.split(';').next().expect("name=value"))
}
