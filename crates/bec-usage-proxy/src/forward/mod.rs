//! Forwarding usage requests to the one upstream: validation ([`rules`]), signing (the
//! core's signer, server-signed mode), the upstream client with its timeouts and size cap,
//! and the mapping of upstream faults to the proxy's errors. When to try again, and how to
//! sign again when the upstream refuses the signing time, is the core's fetch plan
//! (`bec_usage::fetch_plan`), shared with the dashboard and the npm client.

pub mod rules;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use bec_usage::fetch_plan::{backoff_delay, Attempts, ClockOffset, Decision, Outcome};
use bec_usage::json::parse_service_error;
use bec_usage::signing::{sign, Credentials, SignableRequest, SigningParams};
use bec_usage::UsageQuery;
use bytes::{Bytes, BytesMut};
use reqwest::Url;

use crate::clock::Clock;
use crate::errors::{Error, ErrorKind, Result, X_BCE_REQUEST_ID};
use crate::ids::random_unit;
use crate::metrics::{AttemptTimer, Metrics};
use bec_usage::service::{USAGE_PATH, X_BCE_DATE};
use rules::{ForwardRequest, ModeKind};

pub use bec_usage::fetch_plan::RetryPolicy;

/// The real service (the core's [`bec_usage::service::SERVICE_ENDPOINT`]).
pub use bec_usage::service::SERVICE_ENDPOINT as DEFAULT_UPSTREAM;

/// Where requests go: the URL to connect to and the `Host` the upstream sees (and that
/// signatures cover).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    base: Url,
    host: String,
}

impl Upstream {
    /// Parses the upstream origin, e.g. `https://bec.baidubce.com` or
    /// `http://127.0.0.1:8081`. Only `http` and `https`, no user info, no path besides `/`,
    /// no query or fragment: the proxy adds the usage path itself. The `Host` is the URL's
    /// host and port.
    pub fn parse(text: &str) -> Result<Self> {
        let config = |problem: &str| {
            Error::new(
                ErrorKind::Config,
                format!(
                    "the upstream {text:?} {problem}; give an origin such as {DEFAULT_UPSTREAM}"
                ),
            )
        };
        let base = Url::parse(text).map_err(|e| config(&format!("is not a URL ({e})")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(config("is not http or https"));
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(config("has user information"));
        }
        if base.path() != "/" || base.query().is_some() || base.fragment().is_some() {
            return Err(config("has a path, query or fragment"));
        }
        let host = match (base.host_str(), base.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err(config("has no host")),
        };
        Ok(Upstream { base, host })
    }

    /// The same upstream seen under another `Host` (the demo stand-in answers as
    /// `bec.baidubce.com` while listening on a loopback port).
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// The origin the proxy connects to.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The `Host` header sent upstream, and the host signatures must cover.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the connection is plain HTTP to a host other than a loopback address.
    pub fn is_plaintext_remote(&self) -> bool {
        self.base.scheme() == "http"
            && !matches!(
                self.base.host_str(),
                Some("localhost" | "127.0.0.1" | "[::1]")
            )
    }
}

/// Timeouts, size cap and retries of the upstream client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpstreamPolicy {
    /// Time to establish a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time for the whole exchange, all attempts and backoffs included.
    pub total_timeout: Duration,
    /// The largest answer body accepted, in bytes.
    pub max_response_bytes: u64,
    /// Retries of connection errors and 5xx.
    pub retry: RetryPolicy,
}

impl Default for UpstreamPolicy {
    fn default() -> Self {
        UpstreamPolicy {
            connect_timeout: Duration::from_secs(3),
            total_timeout: Duration::from_secs(15),
            max_response_bytes: 32 * 1024 * 1024,
            retry: RetryPolicy::default(),
        }
    }
}

/// An answer of the upstream that the proxy passes on: data (2xx) or a BCE error body.
#[derive(Debug, Clone)]
pub struct UpstreamAnswer {
    /// The upstream's status.
    pub status: StatusCode,
    /// The body, unchanged.
    pub body: Bytes,
    /// The upstream's `x-bce-request-id`, if any.
    pub bce_request_id: Option<HeaderValue>,
    /// How many requests were sent upstream.
    pub attempts: u32,
}

/// The upstream client of the proxy.
pub struct Forwarder {
    client: reqwest::Client,
    upstream: Upstream,
    usage_url: String,
    policy: UpstreamPolicy,
    credentials: Option<Credentials>,
    clock: Clock,
    /// The upstream's clock minus ours, learnt from its `Date` header after a signing-time
    /// refusal; added to every signing time.
    clock_offset: Mutex<ClockOffset>,
    /// Where attempts, retries, re-signs and upstream errors are counted.
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forwarder")
            .field("upstream", &self.upstream)
            .field("policy", &self.policy)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// One attempt's result.
enum Attempt {
    Answered {
        status: StatusCode,
        body: Bytes,
        bce_request_id: Option<HeaderValue>,
        date: Option<HeaderValue>,
    },
    ConnectionFailed(String),
    TooLarge(String),
    /// A 2xx answer that the core's reader refuses: what is wrong, and where.
    BrokenBody(String),
}

impl Forwarder {
    /// A client for `upstream`. With `credentials` the proxy signs (server-signed mode);
    /// without, it relays the clients' signatures. Redirects are never followed and no
    /// environment proxy (`HTTPS_PROXY`) is used: the only peer is the upstream.
    pub fn new(
        upstream: Upstream,
        policy: UpstreamPolicy,
        credentials: Option<Credentials>,
        clock: Clock,
    ) -> Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(policy.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("bec-usage-proxy/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("cannot build the HTTP client: {e}"),
                )
            })?;
        let usage_url = format!(
            "{}{}",
            upstream.base.as_str().trim_end_matches('/'),
            USAGE_PATH
        );
        Ok(Forwarder {
            client,
            upstream,
            usage_url,
            policy,
            credentials,
            clock,
            clock_offset: Mutex::new(ClockOffset::default()),
            metrics: Arc::new(Metrics::new()),
        })
    }

    /// The same forwarder counting into `metrics` (by default it has a set of its own).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// The metrics this forwarder counts into; the application serves them at `/metrics`.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Which mode the forwarder runs in.
    pub fn mode(&self) -> ModeKind {
        if self.credentials.is_some() {
            ModeKind::ServerSigned
        } else {
            ModeKind::Relay
        }
    }

    /// The access key id it signs with (server-signed mode); never the secret.
    pub fn access_key_id(&self) -> Option<&str> {
        self.credentials.as_ref().map(Credentials::access_key_id)
    }

    /// The upstream.
    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// Sends a validated request upstream, with retries, within the total timeout.
    ///
    /// Errors: [`ErrorKind::UpstreamTimeout`] past the total timeout;
    /// [`ErrorKind::UpstreamUnavailable`] when connecting fails or 5xx persist after the
    /// retries; [`ErrorKind::UpstreamResponseTooLarge`] past the size cap;
    /// [`ErrorKind::UpstreamInvalidResponse`] for a redirect or a non-BCE error body.
    pub async fn forward(&self, request: &ForwardRequest) -> Result<UpstreamAnswer> {
        let timeout = self.policy.total_timeout;
        match tokio::time::timeout(timeout, self.attempts(request)).await {
            Ok(result) => result,
            Err(_) => {
                self.metrics
                    .upstream_error(ErrorKind::UpstreamTimeout.code());
                Err(Error::new(
                    ErrorKind::UpstreamTimeout,
                    format!(
                        "the upstream {} did not answer within {} ms",
                        self.upstream.host,
                        timeout.as_millis()
                    ),
                ))
            }
        }
    }

    async fn attempts(&self, request: &ForwardRequest) -> Result<UpstreamAnswer> {
        let can_resign = self.mode() == ModeKind::ServerSigned;
        let mut attempts = Attempts::new(self.policy.retry, can_resign);
        loop {
            let (authorization, x_bce_date) = self.signature(request)?;
            let timer = AttemptTimer::start(&self.metrics);
            let attempt = self.send(&request.query, authorization, x_bce_date).await;
            drop(timer);
            let code = error_code(&attempt);
            if let Some(failure) = failure_code(&attempt, code.as_deref()) {
                self.metrics.upstream_error(failure);
            }
            match attempts.next(classify(&attempt, code.as_deref())) {
                Decision::RetryAfterBackoff(retry) => {
                    self.metrics.retry();
                    let delay = backoff_delay(attempts.policy(), retry, random_unit());
                    tracing::warn!(
                        attempt = attempts.sent(),
                        reason = %describe(&attempt),
                        delay_ms = delay.as_millis() as u64,
                        "upstream attempt failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Decision::Resign => {
                    self.metrics.resign();
                    if let Attempt::Answered { date, .. } = &attempt {
                        self.learn_clock_offset(date.as_ref());
                    }
                    tracing::warn!(
                        attempt = attempts.sent(),
                        code = code.as_deref().unwrap_or("-"),
                        skew_ms = self.clock_offset().millis(),
                        "upstream refused the signing time; signing again with its clock"
                    );
                }
                Decision::Answer => return self.answer(attempt, attempts.sent()),
            }
        }
    }

    /// The `Authorization` and `x-bce-date` of the next attempt: the client's in relay
    /// mode, a fresh signature at (our clock + learnt skew) in server-signed mode.
    fn signature(&self, request: &ForwardRequest) -> Result<(HeaderValue, HeaderValue)> {
        if let Some(relay) = &request.relay {
            return Ok((relay.authorization.clone(), relay.x_bce_date.clone()));
        }
        let Some(credentials) = &self.credentials else {
            return Err(Error::new(
                ErrorKind::Internal,
                "relay mode without a client signature passed validation",
            ));
        };
        let time = self.clock_offset().signing_time(self.clock.now());
        let [(_, begin), (_, end)] = request.query.query_pairs();
        let query = [("beginDate", begin.as_str()), ("endDate", end.as_str())];
        let signable =
            SignableRequest::new("GET", &self.upstream.host, USAGE_PATH).with_query(&query);
        let output = sign(&signable, &SigningParams::new(credentials, time)).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot sign the request: {}", e.message()),
            )
        })?;
        let header = |text: &str| {
            HeaderValue::from_str(text).map_err(|_| {
                Error::new(
                    ErrorKind::Internal,
                    "the signature is not a valid header value",
                )
            })
        };
        Ok((
            header(output.authorization())?,
            header(output.x_bce_date())?,
        ))
    }

    fn clock_offset(&self) -> ClockOffset {
        // A poisoned lock still holds a valid offset (a plain number).
        *self
            .clock_offset
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn learn_clock_offset(&self, date: Option<&HeaderValue>) {
        let Some(date) = date.and_then(|value| value.to_str().ok()) else {
            return;
        };
        let now = self.clock.now().timestamp_millis();
        self.clock_offset
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .learn(date, now);
    }

    async fn send(
        &self,
        query: &UsageQuery,
        authorization: HeaderValue,
        x_bce_date: HeaderValue,
    ) -> Attempt {
        let url = format!("{}?{}", self.usage_url, query.to_query_string());
        let sent = self
            .client
            .get(url)
            .header(header::HOST, self.upstream.host.as_str())
            .header(header::AUTHORIZATION, authorization)
            .header(X_BCE_DATE, x_bce_date)
            .header(header::ACCEPT, "application/json")
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => return Attempt::ConnectionFailed(error_chain(&error)),
        };
        let cap = self.policy.max_response_bytes;
        if let Some(length) = response.content_length().filter(|length| *length > cap) {
            return Attempt::TooLarge(format!(
                "the upstream's answer declares {length} bytes, more than the cap of {cap}"
            ));
        }
        let status = response.status();
        let headers = response.headers();
        let bce_request_id = headers.get(X_BCE_REQUEST_ID).cloned();
        let date = headers.get(header::DATE).cloned();
        let mut body = BytesMut::with_capacity(
            response.content_length().unwrap_or(16 * 1024).min(cap) as usize,
        );
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > cap {
                        return Attempt::TooLarge(format!(
                            "the upstream's answer is larger than the cap of {cap} bytes"
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) => {
                    return Attempt::ConnectionFailed(format!(
                        "the answer broke off: {}",
                        error_chain(&error)
                    ))
                }
            }
        }
        let body = body.freeze();
        if status.is_success() {
            // Every 2xx body is read by the core before it goes out (whole bodies still go
            // out byte for byte): a cut or malformed one never reaches a client as data.
            if let Err(problem) = check_usage_body(&body) {
                return Attempt::BrokenBody(problem);
            }
        }
        Attempt::Answered {
            status,
            body,
            bce_request_id,
            date,
        }
    }

    fn answer(&self, attempt: Attempt, attempts: u32) -> Result<UpstreamAnswer> {
        let host = &self.upstream.host;
        match attempt {
            Attempt::ConnectionFailed(reason) => Err(Error::new(
                ErrorKind::UpstreamUnavailable,
                format!(
                    "the upstream {host} could not be reached after {attempts} attempts: {reason}"
                ),
            )),
            Attempt::TooLarge(reason) => {
                Err(Error::new(ErrorKind::UpstreamResponseTooLarge, reason))
            }
            Attempt::BrokenBody(reason) => Err(Error::new(
                ErrorKind::UpstreamInvalidResponse,
                format!("{reason} (after {attempts} attempts)"),
            )),
            Attempt::Answered {
                status,
                body,
                bce_request_id,
                ..
            } => {
                if status.is_success() {
                    return Ok(UpstreamAnswer {
                        status,
                        body,
                        bce_request_id,
                        attempts,
                    });
                }
                let text = std::str::from_utf8(&body).unwrap_or_default();
                let request_id = bce_request_id.as_ref().and_then(|v| v.to_str().ok());
                let service = parse_service_error(status.as_u16(), text, request_id);
                if status.is_server_error() {
                    let what = match &service {
                        Some(service) => format!(
                            "{} {} (requestId {})",
                            status.as_u16(),
                            service.code,
                            service.request_id.as_deref().unwrap_or("-")
                        ),
                        None => status.as_u16().to_string(),
                    };
                    return Err(Error::new(
                        ErrorKind::UpstreamUnavailable,
                        format!("the upstream {host} answered HTTP {what} to {attempts} attempts"),
                    ));
                }
                if status.is_client_error() && service.is_some() {
                    return Ok(UpstreamAnswer {
                        status,
                        body,
                        bce_request_id,
                        attempts,
                    });
                }
                Err(Error::new(
                    ErrorKind::UpstreamInvalidResponse,
                    format!(
                        "the upstream {host} answered HTTP {} without a BCE error body{}",
                        status.as_u16(),
                        if status.is_redirection() {
                            " (redirects are not followed)"
                        } else {
                            ""
                        }
                    ),
                ))
            }
        }
    }
}

/// The BCE error code of a 4xx or 5xx answer, if its body has one.
fn error_code(attempt: &Attempt) -> Option<String> {
    match attempt {
        Attempt::Answered { status, body, .. }
            if status.is_client_error() || status.is_server_error() =>
        {
            let text = std::str::from_utf8(body).unwrap_or_default();
            parse_service_error(status.as_u16(), text, None).map(|service| service.code)
        }
        _ => None,
    }
}

/// The code under which a failed attempt is counted: the BCE code of its error body, or
/// the proxy's own code for what has none; `None` for a 2xx.
fn failure_code<'a>(attempt: &Attempt, code: Option<&'a str>) -> Option<&'a str> {
    match attempt {
        Attempt::ConnectionFailed(_) => Some(ErrorKind::UpstreamUnavailable.code()),
        Attempt::TooLarge(_) => Some(ErrorKind::UpstreamResponseTooLarge.code()),
        Attempt::BrokenBody(_) => Some(ErrorKind::UpstreamInvalidResponse.code()),
        Attempt::Answered { status, .. } if status.is_success() => None,
        Attempt::Answered { .. } if code.is_some() => code,
        Attempt::Answered { status, .. } if status.is_server_error() => {
            Some(ErrorKind::UpstreamUnavailable.code())
        }
        Attempt::Answered { .. } => Some(ErrorKind::UpstreamInvalidResponse.code()),
    }
}

fn classify<'a>(attempt: &Attempt, code: Option<&'a str>) -> Outcome<'a> {
    match attempt {
        Attempt::ConnectionFailed(_) => Outcome::ConnectionError,
        Attempt::TooLarge(_) => Outcome::TooLarge,
        Attempt::BrokenBody(_) => Outcome::BrokenBody,
        Attempt::Answered { status, .. } => Outcome::from_status(status.as_u16(), code),
    }
}

/// Why `body` (a 2xx answer's) is not a whole usage response, if it is not: the core's
/// reader's message and JSON path.
fn check_usage_body(body: &[u8]) -> std::result::Result<(), String> {
    let text = std::str::from_utf8(body).map_err(|e| {
        format!("the upstream answered 2xx with a body that is not UTF-8 text ({e})")
    })?;
    bec_usage::json::parse_usage(text)
        .map(drop)
        .map_err(|error| {
            let at = match error.path() {
                Some("") | None => "the top level".to_owned(),
                Some(path) => path.to_owned(),
            };
            format!(
                "the upstream answered 2xx with a body that is not a usage response: at {at}: {}",
                error.message()
            )
        })
}

fn describe(attempt: &Attempt) -> String {
    match attempt {
        Attempt::ConnectionFailed(reason)
        | Attempt::TooLarge(reason)
        | Attempt::BrokenBody(reason) => reason.clone(),
        Attempt::Answered { status, .. } => format!("HTTP {}", status.as_u16()),
    }
}

/// An error and its sources, joined with `: ` (reqwest's Display alone says only
/// "error sending request").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_origins_are_checked() {
        let upstream = Upstream::parse("https://bec.baidubce.com").expect("valid");
        assert_eq!(upstream.host(), "bec.baidubce.com");
        assert!(!upstream.is_plaintext_remote());
        let local = Upstream::parse("http://127.0.0.1:8081/").expect("valid");
        assert_eq!(local.host(), "127.0.0.1:8081");
        assert!(!local.is_plaintext_remote());
        assert!(Upstream::parse("http://example.com")
            .expect("valid")
            .is_plaintext_remote());
        for bad in [
            "ftp://x",
            "https://u:p@x",
            "https://x/v1",
            "https://x/?a=1",
            "not a url",
            "https://x#f",
        ] {
            let error = Upstream::parse(bad).expect_err(bad);
            assert_eq!(error.kind(), ErrorKind::Config, "{bad}");
        }
    }
}
