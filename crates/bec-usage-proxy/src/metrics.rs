//! The proxy's metrics, served at `/metrics` in Prometheus' text format (version 0.0.4).
//!
//! One [`Metrics`] per proxy, each with its own `prometheus_client` registry (no global
//! state: tests that run several proxies in one process see only their own counts).
//!
//! | series | type | labels | counts |
//! |---|---|---|---|
//! | `bec_proxy_requests_total` | counter | `route`, `status` | answers of the proxy's listener, by [`Route`] (`usage`, `healthz`, `readyz`, `metrics`, `static`, `login`, `logout`, `other`) and HTTP status |
//! | `bec_proxy_requests_in_flight` | gauge | | requests being answered now |
//! | `bec_proxy_request_duration_seconds` | histogram | `route` | the proxy's own answer time, from the request's arrival at the outermost layer to its answer's head ([`REQUEST_DURATION_BUCKETS`]) |
//! | `bec_proxy_upstream_latency_seconds` | histogram | | each upstream attempt, from sending to the last byte of the answer (or until it is abandoned: the total timeout, a client gone) |
//! | `bec_proxy_upstream_errors_total` | counter | `code` | each upstream attempt that failed: the BCE `code` of its error body (capped to [`BCE_CODES`], else `other`), or the proxy's own code when there was no BCE answer (`UpstreamUnavailable`, `UpstreamTimeout`, `UpstreamResponseTooLarge`, `UpstreamInvalidResponse`) |
//! | `bec_proxy_upstream_retries_total` | counter | | attempts sent again after a connection error or a 5xx |
//! | `bec_proxy_upstream_resigns_total` | counter | | requests signed again with the upstream's clock after `RequestExpired` or `RequestTimeTooSkewed` |
//! | `bec_proxy_rate_limited_total` | counter | | requests refused by the per-client rate limit (429) |
//! | `bec_proxy_failed_logins_total` | counter | | failed sign-ins |
//! | `bec_proxy_store_hits_total` | counter | | usage requests answered wholly from the history store ([`crate::history`]), without calling the upstream |
//! | `bec_proxy_store_misses_total` | counter | | usage requests (server-signed, with a store) that asked the upstream for some or all of their days |
//! | `bec_proxy_store_days` | gauge | | days kept in the history store, all accounts together |
//! | `bec_proxy_store_file_bytes` | gauge | | the store file's size on disk (with its write-ahead log) |
//! | `bec_proxy_reloads_total` | counter | | reloads asked for with SIGHUP, failed ones included |
//! | `bec_proxy_reload_failures_total` | counter | | reloads that kept the settings in use (a file that no longer reads or checks) |
//! | `bec_proxy_log_lines_dropped_total` | counter | | log lines dropped because the log destination did not keep up ([`crate::logging`]; the process's, whichever proxy counts it) |
//! | `bec_proxy_build_info` | gauge | `version` | always 1 |
//! | `process_*` | | | resident memory, CPU seconds, open and maximum file descriptors, start time: [`crate::process_metrics`] (Linux only) |
//!
//! Every label value comes from a fixed set, never from the request, so the number of
//! series stays bounded whatever clients send. The error series exist at 0 from the start
//! (each route with the statuses the proxy itself answers there, [`Route::statuses`];
//! every code of `upstream_errors`), so that ratios such as errors per request have a
//! value before the first error.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::errors::{Error, ErrorKind};
use bec_usage::service::USAGE_PATH;

use crate::forward::rules;
use crate::metrics_token::{self, MetricsToken};
use crate::process_metrics::ProcessCollector;

/// The `Content-Type` of `/metrics`.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// The prefix of every series.
pub const PREFIX: &str = "bec_proxy";

/// Upper bounds (seconds) of the upstream latency buckets: from a loopback stand-in (a few
/// milliseconds) to the default total timeout (15 s).
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0,
];

/// Upper bounds (seconds) of the answer time buckets: from a `/healthz` answer (well
/// under a millisecond) to the default upstream timeout (15 s).
pub const REQUEST_DURATION_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0,
];

/// The BCE error codes counted by name in `bec_proxy_upstream_errors_total`: BCE's common
/// codes, those the proxy and the stand-in answer, and the proxy's own upstream codes.
/// Any other code an upstream sends is counted as `other`, so an upstream cannot grow
/// the number of series.
pub const BCE_CODES: [&str; 24] = [
    "AccessDenied",
    "IdempotentParameterMismatch",
    "InappropriateJSON",
    "InternalError",
    "InvalidAccessKeyId",
    "InvalidHTTPAuthHeader",
    "InvalidHTTPRequest",
    "InvalidParameter",
    "InvalidURI",
    "InvalidVersion",
    "MalformedJSON",
    "MethodNotAllowed",
    "NotFound",
    "OptInRequired",
    "PreconditionFailed",
    "RequestExpired",
    "RequestTimeTooSkewed",
    "ServiceUnavailable",
    "SignatureDoesNotMatch",
    "TooManyRequests",
    "UpstreamInvalidResponse",
    "UpstreamResponseTooLarge",
    "UpstreamTimeout",
    "UpstreamUnavailable",
];

/// The label of codes outside [`BCE_CODES`].
pub const OTHER_CODE: &str = "other";

/// `code` if it is one of [`BCE_CODES`], else [`OTHER_CODE`].
pub fn capped_code(code: &str) -> &'static str {
    BCE_CODES
        .iter()
        .find(|known| **known == code)
        .copied()
        .unwrap_or(OTHER_CODE)
}

/// What a request was for: the `route` label of `bec_proxy_requests_total`.
///
/// A small fixed set, decided from the path alone ([`Route::of`]), so a client cannot add
/// series by inventing paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// `GET /v1/usage/computing`, forwarded or refused.
    Usage,
    /// `/healthz`.
    Healthz,
    /// `/readyz`.
    Readyz,
    /// `/metrics`.
    Metrics,
    /// The dashboard's files (and their 404s), everything outside `/v1/`.
    Static,
    /// `/auth/login`, sign-in.
    Login,
    /// `/auth/logout`, sign-out.
    Logout,
    /// `/accounts/NAME/v1/usage/computing` (and anything else under `/accounts/`).
    Accounts,
    /// Anything else: other paths under `/v1/`, absolute-form targets.
    Other,
    // New routes go here, with their label in `Route::label` and their path in `Route::of`.
}

impl Route {
    /// Every route, in the order of [`Route::index`].
    pub const ALL: [Route; 9] = [
        Route::Usage,
        Route::Healthz,
        Route::Readyz,
        Route::Metrics,
        Route::Static,
        Route::Login,
        Route::Logout,
        Route::Accounts,
        Route::Other,
    ];

    /// The position of the route in [`Route::ALL`].
    pub fn index(self) -> usize {
        match self {
            Route::Usage => 0,
            Route::Healthz => 1,
            Route::Readyz => 2,
            Route::Metrics => 3,
            Route::Static => 4,
            Route::Login => 5,
            Route::Logout => 6,
            Route::Accounts => 7,
            Route::Other => 8,
        }
    }

    /// The statuses the proxy itself answers on this route, whose
    /// `bec_proxy_requests_total` series exist at 0 from the start. Others (a BCE status
    /// passed through, a rarer one of the static files) appear at their first count.
    pub fn statuses(self) -> &'static [u16] {
        match self {
            // Data, 400/404/405 refusals, sign-in, the rate limit, BCE's 403s passed
            // through, and the proxy's own upstream faults.
            Route::Usage | Route::Accounts => &[200, 400, 401, 403, 404, 405, 429, 500, 502, 504],
            Route::Healthz | Route::Logout => &[200, 405],
            Route::Readyz => &[200, 405, 503],
            Route::Metrics => &[200, 401, 405, 500],
            Route::Static => &[200, 304, 404, 405],
            Route::Login => &[200, 400, 401, 404, 405, 429, 500],
            Route::Other => &[400, 401, 404, 405, 429],
        }
    }

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Route::Usage => "usage",
            Route::Healthz => "healthz",
            Route::Readyz => "readyz",
            Route::Metrics => "metrics",
            Route::Static => "static",
            Route::Login => "login",
            Route::Logout => "logout",
            Route::Accounts => "accounts",
            Route::Other => "other",
        }
    }

    /// The route of a request target. Absolute-form targets (`GET http://host/...`) are
    /// [`Route::Other`] whatever their path: the proxy refuses them.
    pub fn of(uri: &Uri) -> Route {
        if uri.scheme().is_some() || uri.authority().is_some() {
            return Route::Other;
        }
        match uri.path() {
            USAGE_PATH => Route::Usage,
            "/healthz" => Route::Healthz,
            "/readyz" => Route::Readyz,
            "/metrics" => Route::Metrics,
            "/auth/login" => Route::Login,
            "/auth/logout" => Route::Logout,
            path if path == crate::accounts::ACCOUNTS_PREFIX || path.starts_with("/accounts/") => {
                Route::Accounts
            }
            path if rules::routes_to_api(path) => Route::Other,
            _ => Route::Static,
        }
    }
}

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> std::fmt::Result {
        encoder.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    route: Route,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    route: Route,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct CodeLabels {
    code: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

/// The proxy's counters and their registry. Share it with an `Arc`; recording is a few
/// atomic operations (a map look-up under a read lock for labelled series).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// The `process_*` series: a registry of their own, without the prefix.
    process: Registry,
    requests: Family<RequestLabels, Counter>,
    in_flight: Gauge,
    /// The histograms of `bec_proxy_request_duration_seconds`, by [`Route::index`]: held
    /// here so that an answer records without the family's lock and label hashing.
    request_durations: Vec<Histogram>,
    upstream_latency: Histogram,
    upstream_errors: Family<CodeLabels, Counter>,
    retries: Counter,
    resigns: Counter,
    rate_limited: Counter,
    failed_logins: Counter,
    reloads: Counter,
    reload_failures: Counter,
    store_hits: Counter,
    store_misses: Counter,
    store_days: Gauge,
    store_bytes: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A new set of series, all at zero, with `bec_proxy_build_info` set.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix(PREFIX);
        let requests = Family::<RequestLabels, Counter>::default();
        for route in Route::ALL {
            for &status in route.statuses() {
                requests.get_or_create_owned(&RequestLabels { route, status });
            }
        }
        registry.register(
            "requests",
            "Answers of the proxy's listener, by route and HTTP status",
            requests.clone(),
        );
        let durations =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(|| {
                Histogram::new(REQUEST_DURATION_BUCKETS)
            });
        let request_durations = Route::ALL
            .iter()
            .map(|&route| durations.get_or_create_owned(&RouteLabels { route }))
            .collect();
        registry.register_with_unit(
            "request_duration",
            "Time the proxy took to answer, from a request's arrival to its answer's head, by route",
            Unit::Seconds,
            durations,
        );
        let in_flight = Gauge::default();
        registry.register(
            "requests_in_flight",
            "Requests of the proxy's listener being answered now",
            in_flight.clone(),
        );
        let upstream_latency = Histogram::new(LATENCY_BUCKETS);
        registry.register_with_unit(
            "upstream_latency",
            "Time of each upstream attempt, from sending to the last byte of the answer",
            Unit::Seconds,
            upstream_latency.clone(),
        );
        let upstream_errors = Family::<CodeLabels, Counter>::default();
        for code in BCE_CODES.into_iter().chain([OTHER_CODE]) {
            upstream_errors.get_or_create_owned(&CodeLabels { code });
        }
        registry.register(
            "upstream_errors",
            "Failed upstream attempts, by the BCE code of the answer or the proxy's own code",
            upstream_errors.clone(),
        );
        let retries = Counter::default();
        registry.register(
            "upstream_retries",
            "Upstream attempts sent again after a connection error or a 5xx",
            retries.clone(),
        );
        let resigns = Counter::default();
        registry.register(
            "upstream_resigns",
            "Requests signed again with the upstream's clock after a clock refusal",
            resigns.clone(),
        );
        let rate_limited = Counter::default();
        registry.register(
            "rate_limited",
            "Requests refused by the per-client rate limit",
            rate_limited.clone(),
        );
        let failed_logins = Counter::default();
        registry.register("failed_logins", "Failed sign-ins", failed_logins.clone());
        let reloads = Counter::default();
        registry.register(
            "reloads",
            "Reloads asked for with SIGHUP, failed ones included",
            reloads.clone(),
        );
        let reload_failures = Counter::default();
        registry.register(
            "reload_failures",
            "Reloads that kept the settings in use",
            reload_failures.clone(),
        );
        let store_hits = Counter::default();
        registry.register(
            "store_hits",
            "Usage requests answered wholly from the history store",
            store_hits.clone(),
        );
        let store_misses = Counter::default();
        registry.register(
            "store_misses",
            "Usage requests that asked the upstream for some or all of their days",
            store_misses.clone(),
        );
        let store_days = Gauge::default();
        registry.register(
            "store_days",
            "Days kept in the history store, all accounts together",
            store_days.clone(),
        );
        let store_bytes = Gauge::default();
        registry.register_with_unit(
            "store_file",
            "The history store's size on disk",
            Unit::Bytes,
            store_bytes.clone(),
        );
        registry.register_collector(Box::new(crate::logging::DroppedLines));
        let build_info = Family::<BuildLabels, Gauge>::default();
        build_info
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        registry.register(
            "build_info",
            "The proxy's version; the value is always 1",
            build_info,
        );
        let mut process = Registry::default();
        process.register_collector(Box::new(ProcessCollector::new()));
        Metrics {
            registry,
            process,
            requests,
            in_flight,
            request_durations,
            upstream_latency,
            upstream_errors,
            retries,
            resigns,
            rate_limited,
            failed_logins,
            reloads,
            reload_failures,
            store_hits,
            store_misses,
            store_days,
            store_bytes,
        }
    }

    /// Counts an answer of the proxy's listener.
    pub fn request(&self, route: Route, status: StatusCode) {
        self.requests
            .get_or_create(&RequestLabels {
                route,
                status: status.as_u16(),
            })
            .inc();
    }

    /// Records the time the proxy took to answer a request of `route`.
    pub fn request_duration(&self, route: Route, seconds: f64) {
        if let Some(histogram) = self.request_durations.get(route.index()) {
            histogram.observe(seconds);
        }
    }

    /// Counts a request as being answered until the guard is dropped (also when the
    /// client goes away and the request's future is dropped).
    pub fn in_flight(&self) -> InFlight {
        self.in_flight.inc();
        InFlight(self.in_flight.clone())
    }

    /// How many requests are being answered now.
    pub fn requests_in_flight(&self) -> i64 {
        self.in_flight.get()
    }

    /// Records one upstream attempt that took `seconds`.
    pub fn upstream_attempt(&self, seconds: f64) {
        self.upstream_latency.observe(seconds);
    }

    /// Counts a failed upstream attempt with its code (capped to [`BCE_CODES`]).
    pub fn upstream_error(&self, code: &str) {
        self.upstream_errors
            .get_or_create(&CodeLabels {
                code: capped_code(code),
            })
            .inc();
    }

    /// Counts an attempt sent again after a connection error or a 5xx.
    pub fn retry(&self) {
        self.retries.inc();
    }

    /// Counts a request signed again after a clock refusal.
    pub fn resign(&self) {
        self.resigns.inc();
    }

    /// Counts a request refused by the rate limit.
    pub fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    /// Counts a failed sign-in (a wrong password, an unknown account).
    pub fn failed_login(&self) {
        self.failed_logins.inc();
    }

    /// Counts a reload (SIGHUP), and whether it `failed` (the settings in use were kept).
    pub fn reload(&self, failed: bool) {
        self.reloads.inc();
        if failed {
            self.reload_failures.inc();
        }
    }

    /// Counts a usage request answered wholly from the history store.
    pub fn store_hit(&self) {
        self.store_hits.inc();
    }

    /// Counts a usage request that asked the upstream for some of its days.
    pub fn store_miss(&self) {
        self.store_misses.inc();
    }

    /// Sets the days kept in the store and its size in bytes.
    pub fn store_size(&self, days: u64, bytes: u64) {
        self.store_days.set(i64::try_from(days).unwrap_or(i64::MAX));
        self.store_bytes
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    /// All series in Prometheus' text format (version 0.0.4).
    pub fn encode(&self) -> Result<String, Error> {
        let mut text = String::with_capacity(4096);
        let written =
            prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)
                .and_then(|()| {
                    prometheus_client::encoding::prometheus_text::encode(&mut text, &self.process)
                });
        written.map_err(|_| {
            Error::new(
                ErrorKind::Internal,
                "the metrics could not be written as text",
            )
        })?;
        Ok(text)
    }
}

/// A request being answered; see [`Metrics::in_flight`].
#[derive(Debug)]
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Times an upstream attempt and records it when dropped, so an attempt cut short (the
/// total timeout, or a client that went away, drops its future) is recorded too, with the
/// time it had taken.
#[derive(Debug)]
pub struct AttemptTimer<'a> {
    metrics: &'a Metrics,
    start: Instant,
}

impl<'a> AttemptTimer<'a> {
    /// Starts timing an attempt.
    pub fn start(metrics: &'a Metrics) -> Self {
        AttemptTimer {
            metrics,
            start: Instant::now(),
        }
    }
}

impl Drop for AttemptTimer<'_> {
    fn drop(&mut self) {
        self.metrics
            .upstream_attempt(self.start.elapsed().as_secs_f64());
    }
}

/// The middleware that counts every answer of the proxy's listener by [`Route`] and
/// status, and times it. It must be the outermost layer, so refusals of other layers count too.
pub async fn count_requests(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = Route::of(request.uri());
    let start = Instant::now();
    let in_flight = metrics.in_flight();
    let response = next.run(request).await;
    drop(in_flight);
    metrics.request_duration(route, start.elapsed().as_secs_f64());
    metrics.request(route, response.status());
    response
}

/// `GET /metrics` answered from `metrics`: a route of its own, so that the application
/// can wrap it (sign-in) and a second listener can serve it alone.
pub fn route<S>(metrics: Arc<Metrics>) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    get(scrape).with_state(metrics)
}

/// The router of the separate metrics listener (`--metrics-listen`): `GET /metrics` and
/// nothing else (a BCE-style 404 for any other path); with `token`, only for requests
/// that carry it ([`metrics_token::require_token`]).
pub fn listener_router(metrics: Arc<Metrics>, token: Option<Arc<MetricsToken>>) -> axum::Router {
    let scrape = match token {
        Some(token) => route(metrics).route_layer(axum::middleware::from_fn_with_state(
            token,
            metrics_token::require_token,
        )),
        None => route(metrics),
    };
    axum::Router::new()
        .route("/metrics", scrape)
        .fallback(only_metrics)
}

async fn only_metrics() -> Response {
    Error::new(
        ErrorKind::NotFound,
        "this listener serves only GET /metrics",
    )
    .into_response()
}

async fn scrape(State(metrics): State<Arc<Metrics>>) -> Response {
    match metrics.encode() {
        Ok(text) => {
            let mut response = (StatusCode::OK, text).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            tracing::error!(code = error.kind().code(), "{}", error.message());
            error.to_response("-")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
    }

    #[test]
    fn routes_come_from_a_fixed_set() {
        let route = |target: &str| Route::of(&target.parse::<Uri>().expect("uri"));
        assert_eq!(
            route("/v1/usage/computing?beginDate=a&endDate=b"),
            Route::Usage
        );
        assert_eq!(route("/healthz"), Route::Healthz);
        assert_eq!(route("/readyz"), Route::Readyz);
        assert_eq!(route("/metrics"), Route::Metrics);
        assert_eq!(route("/auth/login"), Route::Login);
        assert_eq!(route("/auth/logout"), Route::Logout);
        assert_eq!(route("/"), Route::Static);
        assert_eq!(route("/app-0123abcd.js"), Route::Static);
        assert_eq!(route("/v1/other"), Route::Other);
        assert_eq!(route("/v1"), Route::Other);
        assert_eq!(
            route("http://evil.example/v1/usage/computing"),
            Route::Other
        );
    }

    #[test]
    fn codes_are_capped() {
        assert_eq!(
            capped_code("SignatureDoesNotMatch"),
            "SignatureDoesNotMatch"
        );
        assert_eq!(capped_code("UpstreamTimeout"), "UpstreamTimeout");
        assert_eq!(capped_code("x\"} 1\nbec_proxy_evil 9"), OTHER_CODE);
        assert_eq!(capped_code(""), OTHER_CODE);
    }

    #[test]
    fn the_text_has_every_series() {
        let metrics = Metrics::new();
        metrics.request(Route::Usage, StatusCode::OK);
        metrics.request(Route::Usage, StatusCode::OK);
        metrics.request(Route::Other, StatusCode::NOT_FOUND);
        metrics.upstream_attempt(0.003);
        metrics.upstream_attempt(0.2);
        metrics.upstream_error("InternalError");
        metrics.upstream_error("SomethingNew");
        metrics.upstream_error("SomethingElse");
        metrics.retry();
        metrics.resign();
        metrics.rate_limited();
        metrics.failed_login();
        let guard = metrics.in_flight();
        let text = metrics.encode().expect("text");
        let value = |series: &str| sample(&text, series);
        assert_eq!(
            value(r#"bec_proxy_requests_total{route="usage",status="200"}"#),
            Some(2.0)
        );
        assert_eq!(
            value(r#"bec_proxy_requests_total{route="other",status="404"}"#),
            Some(1.0)
        );
        assert_eq!(value("bec_proxy_requests_in_flight"), Some(1.0));
        drop(guard);
        assert_eq!(
            sample(
                &metrics.encode().expect("text"),
                "bec_proxy_requests_in_flight"
            ),
            Some(0.0)
        );
        assert_eq!(
            value(r#"bec_proxy_upstream_latency_seconds_bucket{le="0.005"}"#),
            Some(1.0)
        );
        assert_eq!(
            value(r#"bec_proxy_upstream_latency_seconds_bucket{le="0.25"}"#),
            Some(2.0)
        );
        assert_eq!(
            value(r#"bec_proxy_upstream_latency_seconds_bucket{le="+Inf"}"#),
            Some(2.0)
        );
        assert_eq!(value("bec_proxy_upstream_latency_seconds_count"), Some(2.0));
        assert_eq!(
            value(r#"bec_proxy_upstream_errors_total{code="InternalError"}"#),
            Some(1.0)
        );
        assert_eq!(
            value(r#"bec_proxy_upstream_errors_total{code="other"}"#),
            Some(2.0)
        );
        assert_eq!(value("bec_proxy_upstream_retries_total"), Some(1.0));
        assert_eq!(value("bec_proxy_upstream_resigns_total"), Some(1.0));
        assert_eq!(value("bec_proxy_rate_limited_total"), Some(1.0));
        assert_eq!(value("bec_proxy_failed_logins_total"), Some(1.0));
        assert_eq!(
            value(&format!(
                r#"bec_proxy_build_info{{version="{}"}}"#,
                env!("CARGO_PKG_VERSION")
            )),
            Some(1.0)
        );
        assert!(text.contains("# TYPE bec_proxy_upstream_latency_seconds histogram"));
    }

    #[test]
    fn two_sets_do_not_share_counts() {
        let one = Metrics::new();
        let two = Metrics::new();
        one.retry();
        assert_eq!(
            sample(&one.encode().unwrap(), "bec_proxy_upstream_retries_total"),
            Some(1.0)
        );
        assert_eq!(
            sample(&two.encode().unwrap(), "bec_proxy_upstream_retries_total"),
            Some(0.0)
        );
    }

    #[test]
    fn answers_are_timed_by_route_and_error_series_start_at_zero() {
        let metrics = Metrics::new();
        let fresh = metrics.encode().expect("text");
        for route in Route::ALL {
            assert_eq!(Route::ALL[route.index()], route);
            let count = format!(
                r#"bec_proxy_request_duration_seconds_count{{route="{}"}}"#,
                route.label()
            );
            assert_eq!(sample(&fresh, &count), Some(0.0), "{count}");
        }
        assert_eq!(
            sample(
                &fresh,
                r#"bec_proxy_requests_total{route="usage",status="504"}"#
            ),
            Some(0.0)
        );
        assert_eq!(
            sample(&fresh, r#"bec_proxy_upstream_errors_total{code="other"}"#),
            Some(0.0)
        );
        metrics.request_duration(Route::Healthz, 0.0003);
        metrics.request_duration(Route::Usage, 0.02);
        metrics.request_duration(Route::Usage, 20.0);
        let text = metrics.encode().expect("text");
        let bucket = |route: &str, le: &str| {
            sample(
                &text,
                &format!(
                    r#"bec_proxy_request_duration_seconds_bucket{{route="{route}",le="{le}"}}"#
                ),
            )
        };
        assert_eq!(bucket("healthz", "0.0005"), Some(1.0));
        assert_eq!(bucket("usage", "0.01"), Some(0.0));
        assert_eq!(bucket("usage", "0.025"), Some(1.0));
        assert_eq!(bucket("usage", "15"), Some(1.0));
        assert_eq!(bucket("usage", "+Inf"), Some(2.0));
        assert_eq!(bucket("static", "+Inf"), Some(0.0));
    }
}
