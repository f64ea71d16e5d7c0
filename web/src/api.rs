//! Where the data comes from: the three sources of the page, and the proxy check.
//!
//! 1. **Proxy** (server-signed): `GET /v1/usage/computing?beginDate&endDate` on the page's
//!    own origin; bec-usage-proxy signs it with its keys.
//! 2. **Keys in this browser**: the same request, signed here with the core's signer for
//!    the upstream host the proxy names in `/healthz`, sent with `Authorization` and
//!    `x-bce-date` for the proxy to relay. The key pair never leaves the page.
//! 3. **Demo**: the core's synthetic generator, in the page, no network at all.
//!
//! How a range is loaded is the core's fetch plan (`bec_usage::fetch_plan`), as in the npm
//! client and the proxy: chunks of at most 31 days (`plan_range`), with progress; connection
//! errors and 5xx tried again after a backoff; in keys mode a clock refusal
//! (`RequestExpired`, `RequestTimeTooSkewed`) signed again once with the server's `Date`,
//! whose offset the page keeps; the parts merged (`merge_parts`). Every request carries the
//! load's `AbortSignal`: a new range cancels the old requests.

use std::cell::Cell;

use bec_usage::fetch_plan::{
    backoff_delay, merge_parts, plan_range, Attempts, ClockOffset, Decision, Outcome, RetryPolicy,
};
use bec_usage::json::{parse_service_error, parse_usage};
use bec_usage::query::UsageQuery;
use bec_usage::signing::{sign, Credentials, HeadersToSign, SignableRequest, SigningParams};
use bec_usage::synthetic::{generate, SyntheticOptions};
use bec_usage::{ServiceError, UsageResponse};
use chrono::{DateTime, NaiveDate};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::dom;
use crate::state::{ProxyMode, ProxyStatus, DEFAULT_UPSTREAM_HOST};

/// The usage endpoint's path, the same on the proxy as on BEC.
pub const USAGE_PATH: &str = "/v1/usage/computing";

/// The proxy's health endpoint: `{"status":"ok","mode":"server-signed"|"relay",
/// "upstreamHost":"bec.baidubce.com"}`.
pub const HEALTH_PATH: &str = "/healthz";

/// How many resources the demo makes: all twelve of the core's catalogue.
pub const DEMO_RESOURCES: usize = 12;

/// How to get the data of one load.
#[derive(Debug, Clone)]
pub enum Fetcher {
    /// From the proxy, which signs.
    Proxy,
    /// Signed here, relayed by the proxy.
    Keys {
        /// The key pair (its `Debug` shows no secret).
        credentials: Credentials,
        /// The host to sign for: where the request finally goes.
        host: String,
    },
    /// Made here.
    Demo {
        /// The generator's seed.
        seed: u64,
        /// Seconds between points.
        step_seconds: u32,
    },
}

/// Why a load failed, with what a person needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The service (or the proxy speaking for it) answered with a BCE error body.
    Service {
        /// Its code, message, request id and HTTP status.
        error: ServiceError,
        /// In keys mode, the canonical request this page signed (for
        /// `SignatureDoesNotMatch`).
        canonical_request: Option<String>,
    },
    /// The request did not get an answer (the proxy is not there, or the network failed).
    Network {
        /// The browser's reason.
        message: String,
    },
    /// An error answer that is not a BCE error body.
    Http {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// A success answer that is not a usage response.
    Parse {
        /// The reader's message, naming the JSON path.
        message: String,
    },
    /// The demo generator or the analysis refused (a message from the core), or the keys
    /// could not sign.
    Local {
        /// The core's message.
        message: String,
    },
    /// The load was cancelled; not shown.
    Aborted,
}

impl LoadError {
    fn local(error: &bec_usage::Error) -> LoadError {
        LoadError::Local {
            message: error.message().to_owned(),
        }
    }
}

/// The answer of a load.
#[derive(Debug)]
pub struct Loaded {
    /// The (merged) response.
    pub response: UsageResponse,
    /// The bodies as received, one per chunk; empty for the demo.
    pub raw: Vec<String>,
}

/// An HTTP answer, body read.
struct Answer {
    status: u16,
    body: String,
    request_id: Option<String>,
    date: Option<String>,
}

thread_local! {
    /// The service's clock minus this computer's, learnt from a clock refusal in keys mode
    /// and kept for every later signature of the page (the page is one client, as a
    /// `UsageClient` or the proxy is).
    static CLOCK_OFFSET: Cell<ClockOffset> = Cell::new(ClockOffset::default());
}

/// Resolves after `ms` milliseconds (0: on the next turn of the event loop, so that the
/// page can paint a progress bar or a skeleton between chunks of work).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ =
                window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.max(0));
        }
    });
    let _ = JsFuture::from(promise).await;
}

fn js_message(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the request failed".to_owned())
}

async fn get(
    url: &str,
    headers: &[(&str, &str)],
    signal: Option<&AbortSignal>,
) -> Result<Answer, LoadError> {
    let aborted = || signal.is_some_and(AbortSignal::aborted);
    let network = |error: JsValue| {
        if aborted() {
            LoadError::Aborted
        } else {
            LoadError::Network {
                message: js_message(&error),
            }
        }
    };
    let window = web_sys::window().ok_or(LoadError::Network {
        message: "no window".to_owned(),
    })?;
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_signal(signal);
    let header_map = web_sys::Headers::new().map_err(network)?;
    for (name, value) in headers {
        header_map.set(name, value).map_err(network)?;
    }
    init.set_headers(&header_map);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(network)?
        .unchecked_into();
    // The body as bytes: decoding UTF-8 here is a copy, where a JS string would be
    // converted from UTF-16 (megabytes, for a month of minute data).
    let buffer = JsFuture::from(response.array_buffer().map_err(network)?)
        .await
        .map_err(network)?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let body = String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
    let response_headers = response.headers();
    Ok(Answer {
        status: response.status(),
        body,
        request_id: response_headers.get("x-bce-request-id").ok().flatten(),
        date: response_headers.get("date").ok().flatten(),
    })
}

/// What is known of the proxy at once: `web/boot.js` asked `/healthz` while the wasm
/// loaded, and its answer may be in already. `None`: ask [`check_proxy`].
pub fn proxy_known_at_start() -> Option<ProxyStatus> {
    match dom::boot_health_check()? {
        dom::BootHealthCheck::Answered(body) => Some(proxy_status_of(body.as_deref())),
        dom::BootHealthCheck::Pending(_) => None,
    }
}

/// Asks `/healthz` whether bec-usage-proxy serves the page, and how. The request
/// `web/boot.js` started while the wasm loaded is used when there is one.
pub async fn check_proxy() -> ProxyStatus {
    let body = match dom::boot_health_check() {
        Some(dom::BootHealthCheck::Answered(body)) => body,
        Some(dom::BootHealthCheck::Pending(started)) => JsFuture::from(started)
            .await
            .ok()
            .and_then(|body| body.as_string()),
        None => match get(HEALTH_PATH, &[], None).await {
            Ok(answer) if answer.status == 200 => Some(answer.body),
            _ => None,
        },
    };
    proxy_status_of(body.as_deref())
}

/// What a `/healthz` answer says: `body` is that of a success answer, `None` for anything
/// else.
fn proxy_status_of(body: Option<&str>) -> ProxyStatus {
    body.map_or(ProxyStatus::Absent, read_health)
}

/// Reads a success answer of `/healthz`: only the proxy's JSON counts, since a static
/// host may answer any path with index.html.
fn read_health(body: &str) -> ProxyStatus {
    let Ok(json) = js_sys::JSON::parse(body) else {
        return ProxyStatus::Absent;
    };
    let field = |name: &str| {
        js_sys::Reflect::get(&json, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    if field("status").as_deref() != Some("ok") {
        return ProxyStatus::Absent;
    }
    let mode = field("mode")
        .as_deref()
        .and_then(ProxyMode::from_code)
        .unwrap_or(ProxyMode::ServerSigned);
    let upstream_host = field("upstreamHost")
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| DEFAULT_UPSTREAM_HOST.to_owned());
    ProxyStatus::Present {
        mode,
        upstream_host,
    }
}

/// Loads `begin ..= end` from `fetcher`, chunk by chunk, calling `on_progress(done,
/// total)` before each chunk and after the last.
pub async fn load_range(
    fetcher: &Fetcher,
    begin: NaiveDate,
    end: NaiveDate,
    signal: &AbortSignal,
    on_progress: &dyn Fn(usize, usize),
) -> Result<Loaded, LoadError> {
    let chunks = plan_range(begin, end).map_err(|e| LoadError::local(&e))?;
    let total = chunks.len();
    let mut parts = Vec::with_capacity(total);
    let mut raw = Vec::new();
    for (done, chunk) in chunks.iter().enumerate() {
        on_progress(done, total);
        let part = match fetcher {
            Fetcher::Demo { seed, step_seconds } => {
                // Let the page paint the skeleton or the progress before the work.
                sleep_ms(0).await;
                if signal.aborted() {
                    return Err(LoadError::Aborted);
                }
                let options = SyntheticOptions::new(chunk.begin_date(), chunk.end_date())
                    .with_seed(*seed)
                    .with_step_seconds(*step_seconds)
                    .with_resource_count(DEMO_RESOURCES);
                generate(&options).map_err(|e| LoadError::local(&e))?
            }
            Fetcher::Proxy | Fetcher::Keys { .. } => {
                fetch_chunk(fetcher, chunk, signal, &mut raw).await?
            }
        };
        if signal.aborted() {
            return Err(LoadError::Aborted);
        }
        parts.push(part);
    }
    on_progress(total, total);
    let response = merge_parts(parts).map_err(|e| LoadError::local(&e))?;
    Ok(Loaded { response, raw })
}

/// One chunk from the proxy, attempted as the fetch plan says.
async fn fetch_chunk(
    fetcher: &Fetcher,
    chunk: &UsageQuery,
    signal: &AbortSignal,
    raw: &mut Vec<String>,
) -> Result<UsageResponse, LoadError> {
    let signs = matches!(fetcher, Fetcher::Keys { .. });
    let mut attempts = Attempts::new(RetryPolicy::default(), signs);
    loop {
        let (url, headers, canonical_request) = prepare(fetcher, chunk)?;
        let header_pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let (error, server_date, decision) = match get(&url, &header_pairs, Some(signal)).await {
            Ok(answer) => {
                let server_date = answer.date.clone();
                let error = match read_answer(answer, canonical_request.as_deref(), raw) {
                    Ok(response) => return Ok(response),
                    Err(error) => error,
                };
                let outcome = match &error {
                    LoadError::Service { error, .. } => {
                        Outcome::from_status(error.status, Some(&error.code))
                    }
                    LoadError::Http { status, .. } => Outcome::from_status(*status, None),
                    _ => return Err(error),
                };
                let decision = attempts.next(outcome);
                (error, server_date, decision)
            }
            Err(error @ LoadError::Network { .. }) => {
                let decision = attempts.next(Outcome::ConnectionError);
                (error, None, decision)
            }
            Err(error) => return Err(error),
        };
        match decision {
            Decision::Answer => return Err(error),
            Decision::Resign => {
                // Without the service's Date, signing again would meet the same refusal.
                let Some(date) = server_date else {
                    return Err(error);
                };
                let mut offset = CLOCK_OFFSET.get();
                if !offset.learn(&date, dom::now_ms()) {
                    return Err(error);
                }
                CLOCK_OFFSET.set(offset);
            }
            Decision::RetryAfterBackoff(retry) => {
                let delay = backoff_delay(attempts.policy(), retry, js_sys::Math::random());
                sleep_ms(i32::try_from(delay.as_millis()).unwrap_or(i32::MAX)).await;
                if signal.aborted() {
                    return Err(LoadError::Aborted);
                }
            }
        }
    }
}

/// The URL and headers of one chunk's request; in keys mode signed at this computer's
/// time plus the learnt offset, with the canonical request kept for the error panel.
#[allow(clippy::type_complexity)]
fn prepare(
    fetcher: &Fetcher,
    chunk: &UsageQuery,
) -> Result<(String, Vec<(&'static str, String)>, Option<String>), LoadError> {
    let Fetcher::Keys { credentials, host } = fetcher else {
        return Ok((
            format!("{USAGE_PATH}?{}", chunk.to_query_string()),
            Vec::new(),
            None,
        ));
    };
    let now = DateTime::from_timestamp_millis(dom::now_ms()).unwrap_or_default();
    let time = CLOCK_OFFSET.get().signing_time(now);
    let [(_, begin), (_, end)] = chunk.query_pairs();
    let query = [("beginDate", begin.as_str()), ("endDate", end.as_str())];
    let request = SignableRequest::new("GET", host, USAGE_PATH).with_query(&query);
    // The proxy relays only signatures over exactly host and x-bce-date.
    let params = SigningParams::new(credentials, time)
        .with_headers_to_sign(HeadersToSign::Only(&["host", "x-bce-date"]));
    let signed = sign(&request, &params).map_err(|e| LoadError::local(&e))?;
    let url = format!(
        "{}?{}",
        signed.canonical_uri(),
        signed.canonical_query_string()
    );
    let headers = vec![
        ("authorization", signed.authorization().to_owned()),
        ("x-bce-date", signed.x_bce_date().to_owned()),
    ];
    Ok((url, headers, Some(signed.canonical_request().to_owned())))
}

/// Reads one answer: a usage response (its body kept in `raw`), or the error it is.
fn read_answer(
    answer: Answer,
    canonical_request: Option<&str>,
    raw: &mut Vec<String>,
) -> Result<UsageResponse, LoadError> {
    if (200..300).contains(&answer.status) {
        let response = parse_usage(&answer.body).map_err(|e| LoadError::Parse {
            message: e.message().to_owned(),
        })?;
        raw.push(answer.body);
        return Ok(response);
    }
    match parse_service_error(answer.status, &answer.body, answer.request_id.as_deref()) {
        Some(error) => Err(LoadError::Service {
            canonical_request: canonical_request
                .filter(|_| error.code == "SignatureDoesNotMatch")
                .map(str::to_owned),
            error,
        }),
        None => Err(LoadError::Http {
            status: answer.status,
            body: answer.body.chars().take(400).collect(),
        }),
    }
}
