//! Readiness: `/readyz` answers 200 when the proxy can serve usage requests, 503 with what
//! is missing when it cannot. (`/healthz`, in [`crate::app`], is liveness: it answers
//! whenever the process serves HTTP.)
//!
//! The checks:
//! - `config`: the configuration is loaded. The application exists only once its
//!   configuration resolved, so this is always true today; checks that can fail after
//!   start-up (an accounts file, say) belong beside it, in [`Readiness::check`].
//! - `upstream`: a TCP connection to the upstream's host and port opens within
//!   [`CONNECT_TIMEOUT`] (in `--demo`, the in-process stand-in). The result is kept for
//!   [`CACHE_FOR`], so frequent probes open at most one connection per period, and
//!   concurrent probes wait for the one connection in progress.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use crate::errors::json_content_type;
use crate::forward::Upstream;

/// How long a TCP connection to the upstream may take before it counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a connection check's result is reused.
pub const CACHE_FOR: Duration = Duration::from_secs(5);

/// The result of one connection check.
#[derive(Debug, Clone)]
struct Probe {
    at: Instant,
    took: Duration,
    result: Result<(), String>,
}

/// The readiness checks of one proxy.
#[derive(Debug)]
pub struct Readiness {
    host: String,
    port: u16,
    connect_timeout: Duration,
    cache_for: Duration,
    last: Mutex<Option<Probe>>,
}

/// What [`Readiness::check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Whether every check passed.
    pub ready: bool,
    /// The JSON body of `/readyz`: `{"status":"ready"|"not ready","checks":{...}}`.
    pub body: String,
}

impl Readiness {
    /// Checks for `upstream`, with [`CONNECT_TIMEOUT`] and [`CACHE_FOR`].
    pub fn new(upstream: &Upstream) -> Self {
        let base = upstream.base();
        // A parsed upstream is http or https with a host, so both are present; the
        // fallbacks only keep this free of panics.
        let host = base
            .host_str()
            .unwrap_or("localhost")
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        Readiness {
            host,
            port: base.port_or_known_default().unwrap_or(443),
            connect_timeout: CONNECT_TIMEOUT,
            cache_for: CACHE_FOR,
            last: Mutex::new(None),
        }
    }

    /// The same checks with other timings (tests).
    pub fn with_timings(mut self, connect_timeout: Duration, cache_for: Duration) -> Self {
        self.connect_timeout = connect_timeout;
        self.cache_for = cache_for;
        self
    }

    /// `host:port` of the upstream connection check.
    pub fn upstream_address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// Runs the checks (the upstream's from the cache when recent enough).
    pub async fn check(&self) -> Report {
        let probe = self.upstream_probe().await;
        let mut upstream = json!({
            "ok": probe.result.is_ok(),
            "address": self.upstream_address(),
            "connectMs": round_ms(probe.took),
            "checkedMsAgo": round_ms(probe.at.elapsed()),
        });
        if let (Err(error), Some(fields)) = (&probe.result, upstream.as_object_mut()) {
            fields.insert("error".into(), error.clone().into());
        }
        let ready = probe.result.is_ok();
        let checks = json!({ "config": { "ok": true }, "upstream": upstream });
        // Written by hand to keep `status` first (serde_json sorts keys), as `/healthz`.
        let status = if ready { "ready" } else { "not ready" };
        Report {
            ready,
            body: format!(r#"{{"status":"{status}","checks":{checks}}}"#),
        }
    }

    async fn upstream_probe(&self) -> Probe {
        // Held while connecting: concurrent probes wait and reuse this one's result.
        let mut last = self.last.lock().await;
        if let Some(probe) = last.as_ref().filter(|p| p.at.elapsed() < self.cache_for) {
            return probe.clone();
        }
        let start = Instant::now();
        let connect = TcpStream::connect((self.host.as_str(), self.port));
        let result = match tokio::time::timeout(self.connect_timeout, connect).await {
            Ok(Ok(_stream)) => Ok(()),
            Ok(Err(error)) => Err(format!(
                "cannot connect to {}: {error}",
                self.upstream_address()
            )),
            Err(_) => Err(format!(
                "no connection to {} within {} ms",
                self.upstream_address(),
                self.connect_timeout.as_millis()
            )),
        };
        if let Err(error) = &result {
            tracing::warn!(%error, "not ready: the upstream is unreachable");
        }
        let probe = Probe {
            at: Instant::now(),
            took: start.elapsed(),
            result,
        };
        *last = Some(probe.clone());
        probe
    }
}

fn round_ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 10_000.0).round() / 10.0
}

/// `GET /readyz` answered from `readiness`.
pub fn route<S>(readiness: Arc<Readiness>) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    get(readyz).with_state(readiness)
}

/// 200 `{"status":"ready","checks":{...}}`, or 503 `{"status":"not ready",...}` with the
/// failed check's `error`.
async fn readyz(State(readiness): State<Arc<Readiness>>) -> Response {
    let report = readiness.check().await;
    let status = if report.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut response = (status, report.body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, json_content_type());
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(report: &Report) -> serde_json::Value {
        serde_json::from_str(&report.body).expect("JSON")
    }

    #[tokio::test]
    async fn a_listening_upstream_is_ready_and_the_result_is_kept() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let upstream = Upstream::parse(&format!("http://{address}")).unwrap();
        let readiness = Readiness::new(&upstream);
        assert_eq!(readiness.upstream_address(), address.to_string());
        let report = readiness.check().await;
        assert!(report.ready, "{}", report.body);
        assert!(report.body.starts_with(r#"{"status":"ready","#));
        assert_eq!(json(&report)["checks"]["upstream"]["ok"], true);
        // Within the cache period the closed port is not probed again.
        drop(listener);
        assert!(readiness.check().await.ready);
    }

    #[tokio::test]
    async fn a_refusing_upstream_is_not_ready() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let upstream = Upstream::parse(&format!("http://{address}")).unwrap();
        let readiness = Readiness::new(&upstream).with_timings(CONNECT_TIMEOUT, Duration::ZERO);
        let report = readiness.check().await;
        assert!(!report.ready);
        let body = json(&report);
        assert_eq!(body["status"], "not ready");
        assert_eq!(body["checks"]["upstream"]["ok"], false);
        assert!(body["checks"]["upstream"]["error"]
            .as_str()
            .is_some_and(|e| e.contains(&address.to_string())));
    }

    #[test]
    fn default_ports_and_ipv6_hosts() {
        let https = Readiness::new(&Upstream::parse("https://bec.baidubce.com").unwrap());
        assert_eq!(https.upstream_address(), "bec.baidubce.com:443");
        let v6 = Readiness::new(&Upstream::parse("http://[::1]:8081").unwrap());
        assert_eq!(v6.upstream_address(), "[::1]:8081");
    }
}
