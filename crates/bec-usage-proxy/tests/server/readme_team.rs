//! The operator's guide's team set-up (docs/operator.md), run as written: its files (blocks starting `# file: NAME`),
//! users made with `add-user`, the server started with the guide's "try it" command on a
//! free port, then sign-in and both accounts.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

const BIN: &str = env!("CARGO_BIN_EXE_bec-usage-proxy");

/// The guide's section "For a team", up to the next section.
fn team_section() -> String {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/operator.md"),
    )
    .expect("docs/operator.md");
    let start = guide
        .find("### For a team")
        .expect("the section \"For a team\"");
    let rest = &guide[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// The team section's blocks that start with `# file: NAME`, as (NAME, text).
fn readme_files() -> Vec<(String, String)> {
    let readme = team_section();
    let mut files = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if !line.starts_with("```") {
            continue;
        }
        let Some(first) = lines.next() else { break };
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        if let Some(name) = first.strip_prefix("# file: ") {
            files.push((name.to_owned(), body.join("\n") + "\n"));
        }
    }
    files
}

/// The guide's command line whose comment starts with "try it", as arguments.
fn try_it_arguments() -> Vec<String> {
    let readme = team_section();
    let line = readme
        .lines()
        .find(|line| {
            line.starts_with("bec-usage-proxy --config team.toml") && line.contains("# try it")
        })
        .expect("the guide's try-it command");
    let command = line.split('#').next().expect("command");
    command
        .split_whitespace()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

fn add_user(dir: &Path, name: &str, password: &str) {
    let mut child = Command::new(BIN)
        .args(["add-user", name])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("add-user");
    use std::io::Write;
    writeln!(child.stdin.take().expect("stdin"), "{password}").expect("password");
    let output = child.wait_with_output().expect("add-user runs");
    assert!(output.status.success());
    let line = String::from_utf8(output.stdout).expect("utf-8");
    assert!(line.starts_with(&format!("{name}:$argon2id$")), "{line}");
    let mut users = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("users"))
        .expect("users");
    users.write_all(line.as_bytes()).expect("append");
}

#[tokio::test]
async fn the_team_set_up_of_the_readme_runs_as_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = readme_files();
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["team.toml", "production.env", "test.env"]);
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    // The built dashboard, where the config file's `dist = "dist"` points (its folder).
    std::fs::create_dir(dir.path().join("dist")).expect("dist");
    std::fs::write(
        dir.path().join("dist/index.html"),
        "<!doctype html><title>team</title>",
    )
    .expect("index.html");
    add_user(dir.path(), "alice", "alice's password");
    add_user(dir.path(), "bob", "bob's password");

    // print-config: the settings with their lines, no secret.
    let printed = Command::new(BIN)
        .args(["print-config", "--config", "team.toml"])
        .current_dir(dir.path())
        .output()
        .expect("print-config");
    let text = String::from_utf8_lossy(&printed.stdout);
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    assert!(
        text.contains(r#"users-file = "users"  # config file, line 3"#),
        "{text}"
    );
    assert!(text.contains("alice, bob"), "{text}");
    assert!(text.contains(r#"# account "production", the default: access key id "production-access-key-id", secret (redacted); seen by alice"#), "{text}");
    assert!(
        !text.contains("secret-access-key\"") && !text.contains("production-secret"),
        "{text}"
    );

    // Started with the guide's try-it line, its port swapped for a free one.
    let port = free_address().port();
    let args: Vec<String> = try_it_arguments()
        .into_iter()
        .map(|arg| arg.replace("127.0.0.1:8080", &format!("127.0.0.1:{port}")))
        .collect();
    let _server = Process(
        Command::new(BIN)
            .args(&args)
            .current_dir(dir.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("server"),
    );
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(address).await.is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    assert!(
        raw_get(address, "/", "")
            .await
            .body
            .contains("<title>team</title>"),
        "the dashboard of the config file's folder"
    );
    let path = |account: &str| {
        format!("/accounts/{account}/v1/usage/computing?beginDate=2024-03-01&endDate=2024-03-01")
    };
    assert_eq!(
        raw_get(address, &path("test"), "").await.status,
        401,
        "sign in first"
    );
    let alice = sign_in(address, "alice", "alice's password").await;
    let production = raw_get(address, &path("production"), &alice).await;
    let test = raw_get(address, &path("test"), &alice).await;
    assert_eq!(
        (production.status, test.status),
        (200, 200),
        "{} {}",
        production.body,
        test.body
    );
    assert_ne!(production.body, test.body, "each account its own data");
    let bob = sign_in(address, "bob", "bob's password").await;
    assert_eq!(
        raw_get(address, &path("production"), &bob).await.status,
        404
    );
    assert_eq!(raw_get(address, &path("test"), &bob).await.status, 200);
    let health = raw_get(address, "/healthz", &bob).await;
    assert!(
        health.body.contains(r#""user":"bob","accounts":["test"]"#),
        "{}",
        health.body
    );
}
