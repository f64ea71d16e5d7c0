//! The examples of `docs/cli.md` run as written: every `sh` block, in order, as one shell
//! session (`export`s and `unset`s carry over), in a temporary folder with `bec-usage` and
//! `bec-usage-proxy` on the PATH. Only the ports are replaced: `127.0.0.1:8081` is a
//! stand-in started in this process where the page starts one, `127.0.0.1:8080` a
//! `bec-usage-proxy` started as the page shows (the binary the workspace's tests built, in
//! the same folder as `bec-usage`; without it those blocks are skipped, and said so).
//! `cargo` lines are the build, done already.

mod common;

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A process the page started in the background; killed when the test ends.
struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `sh` blocks of the page, each a list of commands (continuation lines joined).
fn sh_blocks(page: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    let mut pending = String::new();
    for line in page.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(commands), text) => {
                if let Some(start) = text.strip_suffix('\\') {
                    pending.push_str(start);
                    continue;
                }
                pending.push_str(text);
                let command = std::mem::take(&mut pending);
                if !command.trim().is_empty() {
                    commands.push(command);
                }
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Starts `proxy` with `args` in `dir`, `127.0.0.1:8080` replaced by a free port, and
/// waits until it accepts connections; another free port if the one picked was taken in
/// the meantime (other tests run beside this one). Its log goes to `log`.
fn start_proxy(proxy: &Path, line: &str, dir: &Path, log: &Path) -> (Background, SocketAddr) {
    for _ in 0..5 {
        let address = free_address();
        let line = line.replace("127.0.0.1:8080", &address.to_string());
        let args: Vec<&str> = line
            .trim_end_matches('&')
            .split_whitespace()
            .skip(1)
            .collect();
        let file = std::fs::File::create(log).expect("a log file");
        let mut child = Command::new(proxy)
            .args(&args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("the log again"))
            .stderr(file)
            .spawn()
            .expect("bec-usage-proxy starts");
        let start = Instant::now();
        loop {
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return (Background(child), address);
            }
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(log).unwrap_or_default();
                assert!(
                    log.contains("Address already in use"),
                    "the server exited: {status}\n{log}"
                );
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("no free port for the server in 5 tries");
}

/// Runs `lines` (after the `exports` so far) with bash in `dir`; returns stdout and stderr.
fn run_shell(dir: &Path, path: &str, exports: &[String], lines: &[String]) -> String {
    let script = format!(
        "set -euo pipefail\n{}\n{}\n",
        exports.join("\n"),
        lines.join("\n")
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("BCE_ACCESS_KEY_ID")
        .env_remove("BCE_SECRET_ACCESS_KEY")
        .env_remove("BCE_KEYS_FILE")
        .env_remove("BEC_USAGE_ENDPOINT")
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "the page's commands failed ({}):\n{script}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    stdout + &stderr
}

#[test]
fn the_pages_examples_run_as_written() {
    let page_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md");
    let page = std::fs::read_to_string(&page_path).expect("docs/cli.md");
    let blocks = sh_blocks(&page);
    assert!(blocks.len() >= 6, "the page's sh blocks: {}", blocks.len());

    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_bec-usage"))
        .parent()
        .expect("a folder")
        .to_path_buf();
    let proxy = bin_dir.join("bec-usage-proxy");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exports: Vec<String> = Vec::new();
    let mut ports: Vec<(&str, String)> = Vec::new();
    let mut servers: Vec<Background> = Vec::new();
    let mut output = String::new();
    let mut skipped = 0;

    for block in blocks {
        let needs_proxy = block
            .iter()
            .any(|line| line.contains("bec-usage-proxy") && !line.contains(" standin "));
        if needs_proxy && !proxy.is_file() {
            eprintln!("skipped (no {}): {block:?}", proxy.display());
            skipped += 1;
            continue;
        }
        let mut segment: Vec<String> = Vec::new();
        for line in block {
            let mut line = line.trim().to_owned();
            // A server started in the background gets a port of its own (below).
            let starts_server = line.starts_with("bec-usage-proxy ") && line.ends_with('&');
            if !starts_server {
                for (from, to) in &ports {
                    line = line.replace(from, to);
                }
            }
            if line.starts_with("cargo ") {
                continue;
            }
            if line.starts_with("export ") || line.starts_with("unset ") {
                exports.push(line);
                continue;
            }
            if line.starts_with("bec-usage-proxy standin ") && line.ends_with('&') {
                let (_standin, address) = start_standin();
                ports.retain(|(from, _)| *from != "127.0.0.1:8081");
                ports.push(("127.0.0.1:8081", address.to_string()));
                continue;
            }
            if line.starts_with("bec-usage-proxy ") && line.ends_with('&') {
                output += &run_shell(dir.path(), &path, &exports, &std::mem::take(&mut segment));
                let log = dir.path().join(format!("proxy-{}.log", servers.len()));
                let (server, address) = start_proxy(&proxy, &line, dir.path(), &log);
                servers.push(server);
                ports.retain(|(from, _)| *from != "127.0.0.1:8080");
                ports.push(("127.0.0.1:8080", address.to_string()));
                continue;
            }
            segment.push(line);
        }
        output += &run_shell(dir.path(), &path, &exports, &segment);
    }

    // What the examples promise.
    for needle in [
        "RESOURCE",
        "resource,unit,timestamp,amount",
        "exit 2",
        "the same bytes, the second time from the store",
        "exit 3",
        "SignatureDoesNotMatch",
        "/d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e",
    ] {
        assert!(
            output.contains(needle),
            "{needle:?} in the output:\n{output}"
        );
    }
    let year = std::fs::read_to_string(dir.path().join("2024.csv")).expect("2024.csv");
    assert!(
        year.lines().count() > 366 * 288,
        "a year of 5-minute points"
    );
    for file in [
        "march-daily.csv",
        "march-hours.csv",
        "bec-usage.bash",
        "_bec-usage",
        "bec-usage.fish",
    ] {
        assert!(dir.path().join(file).is_file(), "{file}");
    }
    if skipped == 0 {
        assert!(dir.path().join("users").is_file());
        assert!(
            output.contains("2024-02-01 .. 2024-02-29"),
            "the server's store read"
        );
        assert!(output.contains("date,resource,unit,average,points,unit_hours"));
        assert!(output.contains("date,resource,unit,unit_hours,covered_ms\r\n2024-01-01,"));
    }
    drop(servers);
}
