//! Loading a range: the core's fetch plan decides (31-day queries, retries and their
//! backoff, signing again with the server's clock, merging the parts); this module does
//! the I/O with reqwest on a current-thread tokio runtime, a few queries in flight at once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bec_usage::fetch_plan::{
    backoff_delay, merge_parts, Attempts, ClockOffset, Decision, Outcome, RetryPolicy,
};
use bec_usage::json::{parse_service_error, parse_usage};
use bec_usage::query::format_date;
use bec_usage::service::{USAGE_PATH, X_BCE_DATE};
use bec_usage::signing::{sign, SignableRequest, SigningParams};
use bec_usage::{ServiceError, UsageQuery, UsageResponse};
use indicatif::ProgressBar;
use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::task::JoinSet;

use crate::endpoint::{shorten, Endpoint, Signing};
use crate::error::{Error, Result};

/// The largest answer read, in bytes: 31 days of 1-minute data for many resources fit
/// (16 MB for the 8 default ones).
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;

/// How the client talks to the endpoint.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Time to connect.
    pub connect_timeout: Duration,
    /// Time for one attempt, the whole answer read.
    pub timeout: Duration,
    /// Retries and backoff.
    pub retry: RetryPolicy,
}

/// The usage client of one run: one connection pool, one learnt clock offset.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    endpoint: Endpoint,
    usage_url: String,
    signing: Option<Signing>,
    headers: HeaderMap,
    retry: RetryPolicy,
    /// The server's clock minus ours, learnt after a signing-time refusal.
    clock: Mutex<ClockOffset>,
}

/// One attempt's result.
enum Attempt {
    Data(Box<UsageResponse>),
    /// A non-2xx answer: its status, its BCE error if the body is one, its `Date`.
    Refused {
        status: u16,
        service: Option<ServiceError>,
        date: Option<String>,
        location: Option<String>,
        body_start: String,
    },
    /// A 2xx answer the core's reader refuses.
    Broken(String),
    Connection(String),
    TooLarge(String),
}

impl Attempt {
    fn outcome(&self) -> Outcome<'_> {
        match self {
            Attempt::Data(_) => Outcome::Success,
            Attempt::Refused {
                status, service, ..
            } => Outcome::from_status(*status, service.as_ref().map(|s| s.code.as_str())),
            Attempt::Broken(_) => Outcome::BrokenBody,
            Attempt::Connection(_) => Outcome::ConnectionError,
            Attempt::TooLarge(_) => Outcome::TooLarge,
        }
    }
}

impl Client {
    /// A client for `endpoint`: signed with `signing` when given, carrying `headers`
    /// (a session cookie, a front's user header) on every request, reading account
    /// `account` of a bec-usage server when given.
    pub fn new(
        endpoint: Endpoint,
        account: Option<&str>,
        signing: Option<Signing>,
        headers: HeaderMap,
        options: &ClientOptions,
    ) -> Result<Self> {
        let http = http_client(options)?;
        Ok(Client {
            http,
            usage_url: endpoint.usage_url(account),
            endpoint,
            signing,
            headers,
            retry: options.retry,
            clock: Mutex::new(ClockOffset::default()),
        })
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The underlying HTTP client (for signing in and out).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Adds a header to every later request (the session cookie after signing in).
    pub fn add_header(&mut self, name: header::HeaderName, value: HeaderValue) {
        self.headers.insert(name, value);
    }

    /// Loads one query, with the fetch plan's retries and re-signing.
    pub async fn fetch_query(&self, query: &UsageQuery) -> Result<UsageResponse> {
        let mut attempts = Attempts::new(self.retry, self.signing.is_some());
        loop {
            let attempt = self.send(query).await?;
            match attempts.next(attempt.outcome()) {
                Decision::Answer => return self.answer(query, attempt, attempts.sent()),
                Decision::RetryAfterBackoff(retry) => {
                    let jitter = bec_usage_proxy::ids::random_unit();
                    tokio::time::sleep(backoff_delay(attempts.policy(), retry, jitter)).await;
                }
                Decision::Resign => {
                    if let Attempt::Refused {
                        date: Some(date), ..
                    } = &attempt
                    {
                        let now = chrono::Utc::now().timestamp_millis();
                        self.clock_offset().learn(date, now);
                    }
                }
            }
        }
    }

    fn clock_offset(&self) -> std::sync::MutexGuard<'_, ClockOffset> {
        // A poisoned lock still holds a valid offset (a plain number).
        self.clock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn send(&self, query: &UsageQuery) -> Result<Attempt> {
        let url = format!("{}?{}", self.usage_url, query.to_query_string());
        let mut request = self
            .http
            .get(url)
            .headers(self.headers.clone())
            .header(header::ACCEPT, "application/json");
        if let Some(signing) = &self.signing {
            let time = self.clock_offset().signing_time(chrono::Utc::now());
            let [(_, begin), (_, end)] = query.query_pairs();
            let pairs = [("beginDate", begin.as_str()), ("endDate", end.as_str())];
            let signable =
                SignableRequest::new("GET", &signing.host, USAGE_PATH).with_query(&pairs);
            let output = sign(&signable, &SigningParams::new(&signing.credentials, time))
                .map_err(|e| Error::from_core(&e))?;
            let mut authorization = HeaderValue::from_str(output.authorization())
                .map_err(|_| Error::input("the signature is not a valid header value"))?;
            authorization.set_sensitive(true);
            request = request
                .header(header::AUTHORIZATION, authorization)
                .header(X_BCE_DATE, output.x_bce_date());
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Ok(Attempt::Connection(error_chain(&error))),
        };
        if let Some(length) = response
            .content_length()
            .filter(|length| *length > MAX_RESPONSE_BYTES as u64)
        {
            return Ok(Attempt::TooLarge(format!(
                "the answer declares {length} bytes, more than the {MAX_RESPONSE_BYTES} read"
            )));
        }
        let status = response.status();
        let headers = response.headers();
        let text_of = |name: &header::HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let date = text_of(&header::DATE);
        let location = text_of(&header::LOCATION);
        let request_id = text_of(&header::HeaderName::from_static("x-bce-request-id"));
        let mut body = Vec::with_capacity(
            response
                .content_length()
                .map_or(64 * 1024, |n| n as usize)
                .min(MAX_RESPONSE_BYTES),
        );
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                        return Ok(Attempt::TooLarge(format!(
                            "the answer is larger than the {MAX_RESPONSE_BYTES} bytes read"
                        )));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) => {
                    return Ok(Attempt::Connection(format!(
                        "the answer broke off: {}",
                        error_chain(&error)
                    )))
                }
            }
        }
        let text = String::from_utf8_lossy(&body);
        if status.is_success() {
            return Ok(match parse_usage(&text) {
                Ok(usage) => Attempt::Data(Box::new(usage)),
                Err(error) => Attempt::Broken(match error.path() {
                    Some(path) => format!("{} at {path}", error.message()),
                    None => error.message().to_owned(),
                }),
            });
        }
        Ok(Attempt::Refused {
            status: status.as_u16(),
            service: parse_service_error(status.as_u16(), &text, request_id.as_deref()),
            date,
            location,
            body_start: shorten(text.trim()),
        })
    }

    fn answer(&self, query: &UsageQuery, attempt: Attempt, sent: u32) -> Result<UsageResponse> {
        let host = self.endpoint.host();
        let range = format!(
            "{} .. {}",
            format_date(query.begin_date()),
            format_date(query.end_date())
        );
        let tries = if sent == 1 {
            "1 attempt".to_owned()
        } else {
            format!("{sent} attempts")
        };
        match attempt {
            Attempt::Data(usage) => Ok(*usage),
            Attempt::Refused {
                service: Some(service),
                ..
            } => Err(Error::service(
                &format!("{host} refused the request for {range}"),
                service,
            )),
            Attempt::Refused {
                status: status @ 300..=399,
                location,
                ..
            } => Err(Error::network(format!(
                "{host} answered the request for {range} with a redirect (HTTP {status}) to {}; \
                 give the final address as --endpoint",
                location.as_deref().unwrap_or("nowhere")
            ))),
            Attempt::Refused {
                status, body_start, ..
            } => Err(Error::network(format!(
                "{host} answered the request for {range} with HTTP {status} and no BCE error \
                 body ({tries}): {body_start:?}; check --endpoint (is it BEC, a bec-usage \
                 server or the stand-in?)"
            ))),
            Attempt::Broken(reason) => Err(Error::network(format!(
                "{host}'s answer for {range} is not whole usage data after {tries}: {reason}"
            ))),
            Attempt::Connection(reason) => Err(Error::network(format!(
                "could not get an answer from {host} for {range} after {tries}: {reason}; \
                 check --endpoint and the network"
            ))),
            Attempt::TooLarge(reason) => Err(Error::network(format!(
                "{host}'s answer for {range}: {reason}"
            ))),
        }
    }
}

/// The HTTP client: no redirects followed (an answer elsewhere is reported, never
/// followed with the signature), the timeouts of `options`.
fn http_client(options: &ClientOptions) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .user_agent(concat!("bec-usage/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::network(format!("cannot set up the HTTP client: {e}")))
}

/// Loads every query of `queries`, `concurrency` at once, advancing `progress` by each
/// query's days and handing each answer to `on_part` as it comes (the store keeps it);
/// returns the answers in the order of `queries`. The first failure ends the load; queries
/// still in flight are dropped.
pub async fn fetch_parts(
    client: Arc<Client>,
    queries: &[UsageQuery],
    concurrency: usize,
    progress: &ProgressBar,
    on_part: &dyn Fn(&UsageResponse),
) -> Result<Vec<UsageResponse>> {
    let mut parts: Vec<Option<UsageResponse>> = vec![None; queries.len()];
    let mut running = JoinSet::new();
    let mut next = 0;
    loop {
        while running.len() < concurrency.max(1) && next < queries.len() {
            let (client, query, index) = (Arc::clone(&client), queries[next], next);
            running.spawn(async move { (index, client.fetch_query(&query).await) });
            next += 1;
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (index, result) =
            joined.map_err(|e| Error::network(format!("a request task failed: {e}")))?;
        let usage = result?;
        progress.inc(u64::from(queries[index].days()));
        on_part(&usage);
        parts[index] = Some(usage);
    }
    let parts: Vec<UsageResponse> = parts.into_iter().flatten().collect();
    if parts.len() != queries.len() {
        return Err(Error::network("a part of the range was not loaded"));
    }
    Ok(parts)
}

/// [`fetch_parts`], merged by the core ([`merge_parts`]).
pub async fn fetch_all(
    client: Arc<Client>,
    queries: &[UsageQuery],
    concurrency: usize,
    progress: &ProgressBar,
) -> Result<UsageResponse> {
    let parts = fetch_parts(client, queries, concurrency, progress, &|_| {}).await?;
    merge(parts)
}

/// Merges parts in date order (the core's merge).
pub fn merge(parts: Vec<UsageResponse>) -> Result<UsageResponse> {
    merge_parts(parts)
        .map_err(|e| Error::network(format!("the parts do not merge: {}", e.message())))
}

/// An error and its causes, one line.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
