//! The dashboard's files: types, caching, compression, security headers, and the line
//! between files and the API.

use std::net::SocketAddr;
use std::path::Path;

use crate::common::*;
use bec_usage_proxy::app::{
    AppOptions, CACHE_IMMUTABLE, CACHE_REVALIDATE, CONTENT_SECURITY_POLICY,
};

const WASM_NAME: &str = "bec-usage-web-3f2a9c1d8e7b6a50_bg.wasm";
const JS_NAME: &str = "bec-usage-web-3f2a9c1d8e7b6a50.js";

fn write_dist(dir: &Path) {
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>bec-usage</title><script type=module src=/app.js></script>",
    )
    .unwrap();
    // A wasm header and enough bytes to be worth compressing.
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(std::iter::repeat_n(0u8, 4096));
    std::fs::write(dir.join(WASM_NAME), wasm).unwrap();
    std::fs::write(
        dir.join(JS_NAME),
        "export function run() { return 1; }\n".repeat(50),
    )
    .unwrap();
    std::fs::create_dir(dir.join("v1")).unwrap();
    std::fs::write(dir.join("v1").join("secret.txt"), "not to be served").unwrap();
}

async fn proxy_with_dist(dist: Option<&Path>) -> SocketAddr {
    let (_standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    setup.options = AppOptions {
        dist: dist.map(Path::to_path_buf),
        ..AppOptions::default()
    };
    setup.start().await
}

async fn fetch(proxy: SocketAddr, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("http://{proxy}{path}"));
    if let Some(encoding) = accept_encoding {
        request = request.header("accept-encoding", encoding);
    }
    request.send().await.expect("answer")
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn index_and_hashed_files_have_types_caching_and_security_headers() {
    let dist = tempfile::tempdir().unwrap();
    write_dist(dist.path());
    let proxy = proxy_with_dist(Some(dist.path())).await;

    let index = fetch(proxy, "/", None).await;
    assert_eq!(index.status(), 200);
    assert!(header(&index, "content-type").is_some_and(|t| t.starts_with("text/html")));
    assert_eq!(header(&index, "cache-control"), Some(CACHE_REVALIDATE));
    assert_eq!(
        header(&index, "content-security-policy"),
        Some(CONTENT_SECURITY_POLICY)
    );
    assert_eq!(header(&index, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(&index, "referrer-policy"), Some("no-referrer"));
    assert_eq!(header(&index, "x-frame-options"), Some("DENY"));
    assert!(index.text().await.unwrap().contains("bec-usage"));

    let wasm = fetch(proxy, &format!("/{WASM_NAME}"), None).await;
    assert_eq!(wasm.status(), 200);
    assert_eq!(header(&wasm, "content-type"), Some("application/wasm"));
    assert_eq!(header(&wasm, "cache-control"), Some(CACHE_IMMUTABLE));

    let js = fetch(proxy, &format!("/{JS_NAME}"), Some("gzip")).await;
    assert_eq!(js.status(), 200);
    assert!(header(&js, "content-type").is_some_and(|t| t.contains("javascript")));
    assert_eq!(header(&js, "content-encoding"), Some("gzip"));
    assert_eq!(header(&js, "cache-control"), Some(CACHE_IMMUTABLE));
    let br = fetch(proxy, &format!("/{WASM_NAME}"), Some("br")).await;
    assert_eq!(header(&br, "content-encoding"), Some("br"));
    let compressed = br.bytes().await.unwrap();
    assert!(compressed.len() < 4096, "{} bytes", compressed.len());

    let missing = fetch(proxy, "/nothing-here.js", None).await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn files_under_v1_and_traversals_are_never_served() {
    let dist = tempfile::tempdir().unwrap();
    write_dist(dist.path());
    let proxy = proxy_with_dist(Some(dist.path())).await;
    let under_v1 = raw_get(proxy, "/v1/secret.txt", "").await;
    assert_eq!(
        (under_v1.status, under_v1.code().as_deref()),
        (404, Some("NotFound"))
    );
    for target in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/x/..%2fCargo.toml",
        "//etc/passwd",
    ] {
        let response = raw_get(proxy, target, "").await;
        assert_eq!(
            (response.status, response.code().as_deref()),
            (400, Some("InvalidURI")),
            "{target}"
        );
    }
}

#[tokio::test]
async fn without_a_dashboard_only_the_api_and_healthz_answer() {
    let proxy = proxy_with_dist(None).await;
    let root = raw_get(proxy, "/", "").await;
    assert_eq!(
        (root.status, root.code().as_deref()),
        (404, Some("NotFound"))
    );
    assert!(root.body.contains("--dist"), "{}", root.body);
    let health = raw_get(proxy, "/healthz", "").await;
    assert_eq!(health.status, 200);
    assert!(
        health.body.starts_with(r#"{"status":"ok","mode":""#)
            && health.body.contains(r#","upstreamHost":""#),
        "{}",
        health.body
    );
    let usage = raw_get(proxy, &usage_target("2024-03-01", "2024-03-01"), "").await;
    assert_eq!(usage.status, 200);
}
