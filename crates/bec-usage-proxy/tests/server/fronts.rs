//! Behind a front: the set-ups of docs/operator.md ("Behind a front") run as written with
//! Debian's nginx (`nginx-light`, which `scripts/setup.sh` installs), as an unprivileged
//! single process with its own paths under a temp dir, on loopback ports. Several clients
//! are several loopback source addresses (127.0.0.10, 127.0.0.11, ...): nginx sees each as
//! its own `$remote_addr`, and connects to the server from 127.0.0.1, the trusted front.
//!
//! Also, in this process: a trusted front's `Authorization` in each mode, and the audit
//! line of a data request in JSON.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use bec_usage_proxy::access::{Access, TrustedHeader};
use bec_usage_proxy::client::TrustedProxies;

use crate::common::*;

const BIN: &str = env!("CARGO_BIN_EXE_bec-usage-proxy");
const DAY: &str = "2024-03-01";

/// The blocks of docs/operator.md whose first line is `# file: NAME`, without that line.
fn doc_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/operator.md");
    let doc = std::fs::read_to_string(&path).expect("docs/operator.md");
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if !line.starts_with("```") {
            continue;
        }
        let first = lines.next().unwrap_or_default();
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        if first == format!("# file: {name}") {
            return body.join("\n") + "\n";
        }
    }
    panic!("docs/operator.md has no block starting `# file: {name}`");
}

async fn wait_for(address: SocketAddr, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(address).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start on {address}:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Debian's nginx: on PATH, or where Debian puts it (not on a user's PATH).
fn nginx_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("nginx"));
    on_path
        .chain([PathBuf::from("/usr/sbin/nginx")])
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!(
                "nginx is not installed: these tests run the front configurations of \
                 docs/operator.md with Debian's nginx. Run `bash scripts/setup.sh` (or \
                 `apt-get install nginx-light`)"
            )
        })
}

/// A set-up of docs/operator.md: the server started with `NAME.toml` and nginx with
/// `NAME.conf`, both on free loopback ports.
struct Front {
    dir: tempfile::TempDir,
    nginx: SocketAddr,
    server: SocketAddr,
    _processes: Vec<Process>,
}

impl Front {
    /// `prepare` writes what the set-up needs into the folder first (users, passwords);
    /// `replace` pairs are swapped in the nginx file besides the server's port.
    async fn start(
        name: &str,
        prepare: impl FnOnce(&Path),
        replace: &[(&str, String)],
        server_args: &[&str],
    ) -> Front {
        let nginx_binary = nginx_binary();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path();
        prepare(path);
        let toml = format!("{name}.toml");
        std::fs::write(path.join(&toml), doc_file(&toml)).expect("write");
        std::fs::create_dir(path.join("dist")).expect("dist");
        std::fs::write(path.join("dist/index.html"), "<!doctype html>").expect("index");

        let server_port = free_address().port();
        let server: SocketAddr = format!("127.0.0.1:{server_port}").parse().unwrap();
        let server_log = path.join("server.log");
        let log = std::fs::File::create(&server_log).expect("log");
        let server_process = Process(
            Command::new(BIN)
                .args(["--config", &toml, "--demo", "--dist", "dist"])
                .args(["--listen", &server.to_string()])
                .args(server_args)
                .current_dir(path)
                .env("RUST_LOG", "info")
                .stdout(log.try_clone().expect("log"))
                .stderr(log)
                .spawn()
                .expect("the server starts"),
        );
        wait_for(server, "the server", &server_log).await;

        let mut site = doc_file(&format!("{name}.conf"))
            .replace("127.0.0.1:8080", &format!("127.0.0.1:{server_port}"));
        for (from, to) in replace {
            assert!(site.contains(from), "{from} is not in {name}.conf");
            site = site.replace(from, to);
        }
        std::fs::write(path.join("site.conf"), site).expect("write");
        let nginx_port = free_address().port();
        let nginx: SocketAddr = format!("127.0.0.1:{nginx_port}").parse().unwrap();
        let p = path.display();
        // One process that stays in the foreground, every path under the temp dir.
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {p}/nginx.pid;\n\
             error_log {p}/nginx-error.log warn;\nevents {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {p}/body;\n  \
             proxy_temp_path {p}/proxy;\n  fastcgi_temp_path {p}/fastcgi;\n  \
             uwsgi_temp_path {p}/uwsgi;\n  scgi_temp_path {p}/scgi;\n  \
             server {{\n    listen 127.0.0.1:{nginx_port};\n    include {p}/site.conf;\n  }}\n}}\n"
        );
        std::fs::write(path.join("nginx.conf"), conf).expect("write");
        let nginx_log = path.join("nginx-error.log");
        let nginx_process = Process(
            Command::new(&nginx_binary)
                .arg("-p")
                .arg(path)
                .arg("-e")
                .arg(&nginx_log)
                .arg("-c")
                .arg(path.join("nginx.conf"))
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(path.join("nginx.out")).expect("file"))
                .spawn()
                .expect("nginx starts"),
        );
        wait_for(nginx, "nginx", &path.join("nginx.out")).await;
        Front {
            dir,
            nginx,
            server,
            _processes: vec![nginx_process, server_process],
        }
    }

    /// `GET target` through nginx from the client at `source`, with `headers` lines.
    async fn get(&self, source: &str, target: &str, headers: &str) -> RawResponse {
        get_from(source, self.nginx, target, headers).await
    }

    fn server_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

async fn get_from(source: &str, to: SocketAddr, target: &str, headers: &str) -> RawResponse {
    let source: IpAddr = source.parse().expect("source address");
    let request =
        format!("GET {target} HTTP/1.1\r\nHost: {to}\r\n{headers}Connection: close\r\n\r\n");
    raw_from(source, to, request.as_bytes()).await
}

fn usage() -> String {
    usage_target(DAY, DAY)
}

fn basic(credentials: &str) -> String {
    format!("Authorization: Basic {credentials}\r\n")
}

// base64 of alice:alice-password, bob:bob-password, alice:wrong-password.
const ALICE: &str = "YWxpY2U6YWxpY2UtcGFzc3dvcmQ=";
const BOB: &str = "Ym9iOmJvYi1wYXNzd29yZA==";
const ALICE_WRONG: &str = "YWxpY2U6d3JvbmctcGFzc3dvcmQ=";

#[tokio::test]
async fn nginx_basic_auth_names_the_user() {
    let front = Front::start(
        "basic-auth",
        |dir| {
            // nginx reads {PLAIN} passwords too; operators use htpasswd's hashes.
            std::fs::write(
                dir.join("htpasswd"),
                "alice:{PLAIN}alice-password\nbob:{PLAIN}bob-password\n",
            )
            .expect("htpasswd");
        },
        &[(
            "/etc/nginx/bec-usage.htpasswd",
            "htpasswd".to_owned(), // relative to nginx's -p prefix
        )],
        &["--rate-limit", "0.01", "--rate-burst", "3"],
    )
    .await;

    // Through nginx: nginx's own Authorization (basic) reaches the server, which signs.
    let data = front.get("127.0.0.10", &usage(), &basic(ALICE)).await;
    assert_eq!(data.status, 200, "{}\n{}", data.body, front.server_log());
    assert!(data.body.contains("graphData"), "{}", data.body);
    let health = front.get("127.0.0.10", "/healthz", &basic(ALICE)).await;
    assert!(
        health.body.contains(r#""signIn":"proxy","user":"alice""#),
        "{}",
        health.body
    );
    // nginx replaces a user header the client sends; a wrong password never gets through.
    let spoofed = front
        .get(
            "127.0.0.10",
            "/healthz",
            &format!("{}X-Forwarded-User: root\r\n", basic(ALICE)),
        )
        .await;
    assert!(
        spoofed.body.contains(r#""user":"alice""#),
        "{}",
        spoofed.body
    );
    assert_eq!(
        front
            .get("127.0.0.10", &usage(), &basic(ALICE_WRONG))
            .await
            .status,
        401
    );

    // Directly, not through nginx: naming oneself gets nothing.
    let direct = get_from(
        "127.0.0.3",
        front.server,
        &usage(),
        "X-Forwarded-User: alice\r\nX-Forwarded-For: 127.0.0.1\r\n",
    )
    .await;
    assert_eq!(direct.status, 401, "{}", direct.body);
    assert_eq!(direct.code().as_deref(), Some("SignInRequired"));

    // Each client its own rate limit (burst 3, then one per 100 s): 127.0.0.10 has used
    // one, and a client writing X-Forwarded-For itself does not escape its own.
    for _ in 0..2 {
        assert_eq!(
            front
                .get("127.0.0.10", &usage(), &basic(ALICE))
                .await
                .status,
            200
        );
    }
    let limited = front.get("127.0.0.10", &usage(), &basic(ALICE)).await;
    assert_eq!(limited.code().as_deref(), Some("TooManyRequests"));
    assert_eq!(
        front.get("127.0.0.11", &usage(), &basic(BOB)).await.status,
        200,
        "another client behind the same nginx"
    );
    for n in 0..3 {
        let forged = format!("{}X-Forwarded-For: 198.51.100.{n}\r\n", basic(BOB));
        assert_eq!(front.get("127.0.0.12", &usage(), &forged).await.status, 200);
    }
    let forged = format!("{}X-Forwarded-For: 198.51.100.99\r\n", basic(BOB));
    let limited = front.get("127.0.0.12", &usage(), &forged).await;
    assert_eq!(limited.code().as_deref(), Some("TooManyRequests"));
    let log = front.server_log();
    assert!(log.contains("client=127.0.0.11"), "{log}");
}

/// oauth2-proxy's part of `auth_request`: 202 naming the user of a session cookie, else
/// 401; its sign-in page. `_oauth2_proxy=carol-session` is carol's session.
async fn start_oauth2_standin() -> SocketAddr {
    async fn auth(headers: HeaderMap) -> axum::response::Response {
        let cookie = headers
            .get("cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if cookie
            .split("; ")
            .any(|c| c == "_oauth2_proxy=carol-session")
        {
            (
                StatusCode::ACCEPTED,
                [(
                    HeaderName::from_static("x-auth-request-user"),
                    "carol@example.com",
                )],
            )
                .into_response()
        } else {
            StatusCode::UNAUTHORIZED.into_response()
        }
    }
    let app = Router::new().route("/oauth2/auth", get(auth)).route(
        "/oauth2/sign_in",
        get(|| async { "sign in with your provider" }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

#[tokio::test]
async fn nginx_auth_request_with_an_oauth2_proxy_names_the_user() {
    let oauth2 = start_oauth2_standin().await;
    let front = Front::start(
        "oauth2",
        |_| {},
        &[("127.0.0.1:4180", oauth2.to_string())],
        &[],
    )
    .await;
    let session = "Cookie: _oauth2_proxy=carol-session\r\n";
    let data = front.get("127.0.0.10", &usage(), session).await;
    assert_eq!(data.status, 200, "{}\n{}", data.body, front.server_log());
    let health = front
        .get(
            "127.0.0.10",
            "/healthz",
            &format!("{session}X-Auth-Request-User: root\r\n"),
        )
        .await;
    assert!(
        health.body.contains(r#""user":"carol@example.com""#),
        "{}",
        health.body
    );
    // Signed out: oauth2-proxy's sign-in page, whatever the client names itself.
    let signed_out = front
        .get(
            "127.0.0.10",
            &usage(),
            "X-Auth-Request-User: carol@example.com\r\n",
        )
        .await;
    assert_eq!(signed_out.status, 403, "{}", signed_out.body);
    assert!(signed_out.body.contains("sign in"), "{}", signed_out.body);
    let direct = get_from(
        "127.0.0.3",
        front.server,
        &usage(),
        "X-Auth-Request-User: carol@example.com\r\n",
    )
    .await;
    assert_eq!(direct.code().as_deref(), Some("SignInRequired"));
}

fn add_user(dir: &Path, name: &str, password: &str) {
    let mut child = Command::new(BIN)
        .args(["add-user", name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("add-user");
    writeln!(child.stdin.take().expect("stdin"), "{password}").expect("password");
    let output = child.wait_with_output().expect("add-user runs");
    assert!(output.status.success());
    std::fs::write(dir.join("users"), output.stdout).expect("users");
}

async fn login_from(source: &str, to: SocketAddr, user: &str, password: &str) -> RawResponse {
    let body = serde_json::json!({ "user": user, "password": password }).to_string();
    let request = format!(
        "POST /auth/login HTTP/1.1\r\nHost: {to}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw_from(source.parse().expect("address"), to, request.as_bytes()).await
}

#[tokio::test]
async fn behind_a_tls_front_sign_in_limits_are_per_client_and_the_cookie_is_secure() {
    let front = Front::start(
        "sign-in",
        |dir| add_user(dir, "alice", "alice's long password"),
        &[],
        &[],
    )
    .await;
    // One client fails ten times (ten names, so no name's own limit is reached) ...
    for n in 0..10 {
        let failed = login_from("127.0.0.20", front.nginx, &format!("guess{n}"), "x").await;
        assert_eq!(failed.code().as_deref(), Some("SignInFailed"), "{n}");
    }
    let locked = login_from("127.0.0.20", front.nginx, "alice", "alice's long password").await;
    assert_eq!(locked.code().as_deref(), Some("TooManyRequests"));
    // ... and only that client is locked out.
    let signed_in = login_from("127.0.0.21", front.nginx, "alice", "alice's long password").await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let cookie = signed_in.header("set-cookie").expect("a session cookie");
    assert!(cookie.starts_with("__Host-bec_session="), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    let session = format!("Cookie: {}\r\n", cookie.split(';').next().unwrap());
    let data = front.get("127.0.0.21", &usage(), &session).await;
    assert_eq!(data.status, 200, "{}", data.body);
    let log = front.server_log();
    assert!(
        log.contains("sign-in failed") && log.contains("client=127.0.0.20"),
        "{log}"
    );
}

// ---- in this process: the front's Authorization in each mode ----

fn from_localhost() -> TrustedProxies {
    TrustedProxies::parse(&["127.0.0.1"]).expect("valid")
}

#[tokio::test]
async fn a_trusted_fronts_authorization_is_ignored_only_in_server_signed_mode() {
    let (_standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    setup.options.trusted_proxies = from_localhost();
    let proxy = setup.start().await;
    let front_auth = basic(ALICE);
    // The test's default source, 127.0.0.1, is the trusted front.
    let through_front = get_from("127.0.0.1", proxy, &usage(), &front_auth).await;
    assert_eq!(through_front.status, 200, "{}", through_front.body);
    // From anyone else it is still a page signing for the wrong mode.
    let elsewhere = get_from("127.0.0.3", proxy, &usage(), &front_auth).await;
    assert_eq!(elsewhere.code().as_deref(), Some("InvalidHTTPRequest"));
    assert!(
        elsewhere.body.contains("server-signed"),
        "{}",
        elsewhere.body
    );

    // Relay mode: Authorization is the page's signature, so basic auth is named.
    let mut setup = ProxySetup::relay(upstream);
    setup.options.trusted_proxies = from_localhost();
    let relay = setup.start().await;
    let refused = get_from(
        "127.0.0.1",
        relay,
        &usage(),
        &format!("{front_auth}x-bce-date: 2024-03-01T00:00:00Z\r\n"),
    )
    .await;
    assert_eq!(refused.code().as_deref(), Some("InvalidHTTPAuthHeader"));
    assert!(refused.body.contains("basic auth"), "{}", refused.body);
}

// ---- in this process: the audit line, in JSON ----

/// A current-thread runtime (`tokio::test`'s default), so the server's tasks log to this
/// thread's subscriber.
#[tokio::test]
async fn each_data_request_logs_who_read_which_account_and_range_with_typed_fields() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (_standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    setup.options.trusted_proxies = from_localhost();
    setup.options.access = Some(Arc::new(Access::new(
        None,
        Some(TrustedHeader {
            name: HeaderName::from_static("x-forwarded-user"),
            proxies: from_localhost(),
        }),
        Duration::from_secs(60),
        true,
    )));
    let proxy = setup.start().await;
    let named = "X-Forwarded-User: alice\r\nX-Forwarded-For: 203.0.113.5\r\n";
    let answer = get_from(
        "127.0.0.1",
        proxy,
        &usage_target("2024-03-01", "2024-03-07"),
        named,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let id = answer.header("x-request-id").expect("request id");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).expect("UTF-8");
    let line: serde_json::Value = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|line| line["fields"]["message"] == "answered" && line["span"]["id"] == id.as_str())
        .unwrap_or_else(|| panic!("no answered line for {id}:\n{logs}"));
    let span = &line["span"];
    assert_eq!(span["user"], "alice", "{line}");
    assert_eq!(span["account"], "default", "{line}");
    assert_eq!(span["begin"], "2024-03-01", "{line}");
    assert_eq!(span["end"], "2024-03-07", "{line}");
    assert_eq!(span["client"], "203.0.113.5", "the front's client: {line}");
    assert_eq!(line["fields"]["status"], 200, "a number: {line}");
    assert!(line["fields"]["ms"].is_f64(), "a number: {line}");
    assert!(line["fields"]["ms"].as_f64().unwrap() >= 0.0, "{line}");
}
