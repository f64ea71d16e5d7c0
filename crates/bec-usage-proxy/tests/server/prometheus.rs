//! Debian's Prometheus scrapes the server with sign-in on, configured with the operator's
//! guide's own scrape block (docs/operator.md, "The same file in Prometheus"): the bearer
//! token read from `credentials_file` opens `/metrics` (`up` is 1, the series are stored),
//! a wrong token does not (`up` is 0, and the server counts the refusals).

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use bec_usage_proxy::access::users::{user_line, Users};
use bec_usage_proxy::access::Access;
use bec_usage_proxy::metrics_token::MetricsToken;

const TOKEN: &str = "prometheus-scrape-token-7d2e91c0";

/// The guide's Prometheus scrape block (the YAML after "The same file in Prometheus").
fn guide_scrape_block() -> String {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/operator.md"),
    )
    .expect("docs/operator.md");
    let from = guide
        .find("The same file in Prometheus")
        .expect("the guide's Prometheus section");
    let rest = &guide[from..];
    let start = rest.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = rest[start..].find("```").expect("the block's end");
    rest[start..start + end].to_owned()
}

/// `query`'s result vector from Prometheus' HTTP API: (labels, value) pairs.
async fn query(api: SocketAddr, query: &str) -> Vec<(serde_json::Value, String)> {
    let url = format!("http://{api}/api/v1/query");
    let Ok(answer) = reqwest::Client::new()
        .get(url)
        .query(&[("query", query)])
        .send()
        .await
    else {
        return Vec::new();
    };
    let Ok(text) = answer.text().await else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    json["data"]["result"]
        .as_array()
        .map(|results| {
            results
                .iter()
                .map(|r| {
                    (
                        r["metric"].clone(),
                        r["value"][1].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debians_prometheus_scrapes_with_the_guides_token_file_and_not_with_a_wrong_one() {
    let binary = Command::new("prometheus").arg("--version").output();
    assert!(
        binary.as_ref().is_ok_and(|o| o.status.success()),
        "Debian's prometheus is needed (bash scripts/setup.sh installs it): {binary:?}"
    );
    let (_standin, upstream) = start_standin().await;
    let alice =
        user_line("alice", "correct horse battery staple", b"alice's salt 16b").expect("line");
    let mut setup = ProxySetup::server_signed(upstream);
    setup.options.access = Some(Arc::new(Access::new(
        Some(Users::parse(&alice, "test users").expect("users")),
        None,
        Duration::from_secs(3600),
        false,
    )));
    setup.options.metrics_token = Some(Arc::new(
        MetricsToken::new(TOKEN, "the test").expect("token"),
    ));
    let proxy = setup.start().await;

    let dir = tempfile::tempdir().expect("a temporary folder");
    let token_file = dir.path().join("bec-usage-metrics-token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).expect("write the token");
    let wrong_file = dir.path().join("wrong-token");
    std::fs::write(&wrong_file, "not-the-token-but-long-enough\n").expect("write");
    let guide = guide_scrape_block();
    assert!(
        guide.contains("127.0.0.1:8080") && guide.contains("credentials_file"),
        "{guide}"
    );
    let ours = guide.replace("127.0.0.1:8080", &proxy.to_string()).replace(
        "/etc/prometheus/bec-usage-metrics-token",
        &token_file.display().to_string(),
    );
    // A second job, the same but for its token.
    let (_, jobs) = ours
        .split_once("scrape_configs:\n")
        .expect("scrape_configs");
    let wrong = jobs
        .replace("job_name: bec-usage-proxy", "job_name: wrong-token")
        .replace(
            &token_file.display().to_string(),
            &wrong_file.display().to_string(),
        );
    let config = format!("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n{ours}{wrong}");
    let config_file = dir.path().join("prometheus.yml");
    std::fs::write(&config_file, &config).expect("write the config");

    let api: SocketAddr = format!("127.0.0.1:{}", free_address().port())
        .parse()
        .expect("address");
    let _prometheus = Process(
        Command::new("prometheus")
            .arg(format!("--config.file={}", config_file.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={api}"))
            .arg("--log.level=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus"),
    );

    // Both jobs scraped at least once (a scrape a second; Prometheus starts in about one).
    let mut up = Vec::new();
    for _ in 0..120 {
        up = query(api, "up").await;
        if up.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let value_of = |job: &str| {
        up.iter()
            .find(|(labels, _)| labels["job"] == job)
            .map(|(_, value)| value.clone())
    };
    assert_eq!(
        value_of("bec-usage-proxy").as_deref(),
        Some("1"),
        "{up:?}\n{config}"
    );
    assert_eq!(value_of("wrong-token").as_deref(), Some("0"), "{up:?}");

    // What the token opened is stored: the server's own series, and the refusals of the
    // wrong token counted by the server itself.
    let mut refused = Vec::new();
    for _ in 0..40 {
        refused = query(
            api,
            r#"bec_proxy_requests_total{job="bec-usage-proxy",route="metrics",status="401"}"#,
        )
        .await;
        if refused
            .first()
            .is_some_and(|(_, v)| v.parse::<f64>().unwrap_or(0.0) >= 1.0)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        refused
            .first()
            .is_some_and(|(_, v)| v.parse::<f64>().unwrap_or(0.0) >= 1.0),
        "{refused:?}"
    );
    let memory = query(
        api,
        r#"process_resident_memory_bytes{job="bec-usage-proxy"}"#,
    )
    .await;
    assert_eq!(memory.len(), 1, "{memory:?}");
}
