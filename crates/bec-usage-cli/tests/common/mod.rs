//! Helpers of the command line's tests: the BEC stand-in in this process (the proxy
//! crate's, on a loopback port), and the `bec-usage` binary run as a user runs it.
#![allow(dead_code)] // each test binary uses a different part

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use bec_usage::fetch_plan::{merge_parts, plan_range_text};
use bec_usage::json::parse_usage;
use bec_usage::UsageResponse;
use bec_usage_proxy::server::spawn_standin;
use bec_usage_proxy::standin::{
    Standin, StandinConfig, DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY,
};

/// The runtime the stand-ins of a test binary run on (tests are threads; each test's
/// stand-in lives as long as the binary).
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

/// A stand-in of its own (so its request count is the test's), with `config`.
pub fn start_standin_with(config: StandinConfig) -> (Standin, SocketAddr) {
    let standin = Standin::new(config);
    let address = runtime()
        .block_on(spawn_standin(standin.clone()))
        .expect("the stand-in starts");
    (standin, address)
}

/// A stand-in with the demo keys and 5-minute demo data.
pub fn start_standin() -> (Standin, SocketAddr) {
    start_standin_with(StandinConfig::demo())
}

/// A stand-in with the demo keys and hourly data (a year in a twelfth of the bytes).
pub fn start_hourly_standin() -> (Standin, SocketAddr) {
    start_standin_with(StandinConfig {
        step_seconds: 3600,
        ..StandinConfig::demo()
    })
}

/// `http://ADDRESS`.
pub fn endpoint(address: SocketAddr) -> String {
    format!("http://{address}")
}

/// A loopback address whose port was free a moment ago (nothing listens there).
pub fn free_address() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
}

/// The `bec-usage` binary with no keys, session or endpoint from the test's environment.
pub fn bec_usage() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bec-usage"));
    for name in [
        "BCE_ACCESS_KEY_ID",
        "BCE_SECRET_ACCESS_KEY",
        "BCE_KEYS_FILE",
        "BEC_USAGE_ACCOUNTS_FILE",
        "BEC_USAGE_ACCOUNT",
        "BEC_USAGE_ENDPOINT",
        "BEC_USAGE_USER",
        "BEC_USAGE_PASSWORD",
        "BEC_USAGE_SESSION",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        command.env_remove(name);
    }
    command.stdin(Stdio::null());
    command
}

/// [`bec_usage`] with the stand-in's public demo keys in the environment.
pub fn bec_usage_demo() -> Command {
    let mut command = bec_usage();
    command
        .env("BCE_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("BCE_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY);
    command
}

/// Runs `command` to its end.
pub fn run(command: &mut Command) -> Output {
    command.output().expect("bec-usage runs")
}

/// The exit code, stdout and stderr of `output`, for assertions.
pub fn parts(output: &Output) -> (Option<i32>, String, String) {
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// What the stand-in answers for `begin ..= end`, read and merged by the core: what the
/// command line must have loaded.
pub fn expected_usage(standin: &Standin, begin: &str, end: &str) -> UsageResponse {
    let parts = plan_range_text(begin, end)
        .expect("a valid range")
        .iter()
        .map(|query| {
            let body = standin.usage_body(query).expect("a body");
            parse_usage(std::str::from_utf8(&body).expect("UTF-8")).expect("usage")
        })
        .collect();
    merge_parts(parts).expect("merged")
}

/// The names in `dir`.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}
