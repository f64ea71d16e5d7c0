//! Where the data comes from: the three sources of the page, and the proxy check.
//!
//! 1. **Proxy** (server-signed): `GET /v1/usage/computing?beginDate&endDate` on the page's
//!    own origin (`/accounts/NAME/v1/usage/computing` for account NAME of a server that
//!    names several); bec-usage-proxy signs it with its keys.
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
//!
//! Signing in and out (`POST /auth/login`, `POST /auth/logout`) is asked here too: the
//! session is an HttpOnly cookie the browser keeps and sends with every request of the
//! page's origin, so the data requests above need nothing more.

use std::cell::Cell;

use bec_usage::fetch_plan::{
    backoff_delay, merge_parts, plan_range, Attempts, ClockOffset, Decision, Outcome, RetryPolicy,
};
use bec_usage::json::{parse_service_error, parse_usage};
use bec_usage::query::UsageQuery;
use bec_usage::service::X_BCE_DATE;
use bec_usage::signing::{
    sign, uri_encode, Credentials, HeadersToSign, SignableRequest, SigningParams,
};
use bec_usage::synthetic::{generate, SyntheticOptions};
use bec_usage::{ServiceError, UsageResponse};
use chrono::{DateTime, NaiveDate};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::dom;
use crate::state::{Access, ProxyMode, ProxyStatus, SignIn, DEFAULT_UPSTREAM_HOST};

/// The usage endpoint's path, the same on the proxy as on BEC.
pub use bec_usage::service::USAGE_PATH;

/// The proxy's health endpoint: `{"status":"ok","mode":"server-signed"|"relay",
/// "upstreamHost":"bec.baidubce.com","signIn":"off"|"password"|"proxy","user":null|"alice",
/// "accounts":["production","test"],"defaultAccount":"production"}` (the last two only on
/// a server that names its accounts).
pub const HEALTH_PATH: &str = "/healthz";

/// Signs in: `{"user":"...","password":"..."}` as JSON, answered by a session cookie.
pub const LOGIN_PATH: &str = "/auth/login";

/// Signs out: ends the session and clears its cookie.
pub const LOGOUT_PATH: &str = "/auth/logout";

/// The path of the usage endpoint for `account` (`None`: the server's default).
pub fn usage_path(account: Option<&str>) -> String {
    match account {
        Some(name) => format!("/accounts/{}{USAGE_PATH}", uri_encode(name)),
        None => USAGE_PATH.to_owned(),
    }
}

/// How many resources the demo makes: all twelve of the core's catalogue.
pub use crate::wire::DEMO_RESOURCES;

/// How to get the data of one load.
#[derive(Debug, Clone)]
pub enum Fetcher {
    /// From the proxy, which signs.
    Proxy {
        /// The account by name, on a server that names several; `None`: its default.
        account: Option<String>,
    },
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
    /// Whether the proxy refused for want of a sign-in (none yet, or the session ended).
    pub fn is_sign_in_required(&self) -> bool {
        matches!(self, LoadError::Service { error, .. } if error.code == "SignInRequired")
    }

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
    retry_after: Option<String>,
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
    send("GET", url, headers, None, signal).await
}

/// `POST url` with a JSON body.
async fn post_json(url: &str, body: &str) -> Result<Answer, LoadError> {
    let headers = [("content-type", "application/json")];
    send("POST", url, &headers, Some(body), None).await
}

async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
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
    init.set_method(method);
    init.set_signal(signal);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
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
        retry_after: response_headers.get("retry-after").ok().flatten(),
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
        None => return refresh_health().await,
    };
    proxy_status_of(body.as_deref())
}

/// Asks `/healthz` again (after a sign-in or a sign-out: who is signed in, and which
/// accounts they see).
pub async fn refresh_health() -> ProxyStatus {
    let body = match get(HEALTH_PATH, &[], None).await {
        Ok(answer) if answer.status == 200 => Some(answer.body),
        _ => None,
    };
    proxy_status_of(body.as_deref())
}

/// What a `/healthz` answer says: `body` is that of a success answer, `None` for anything
/// else.
pub(crate) fn proxy_status_of(body: Option<&str>) -> ProxyStatus {
    body.map_or(ProxyStatus::Absent, read_health)
}

/// Reads a success answer of `/healthz`: only the proxy's JSON counts, since a static
/// host may answer any path with index.html.
fn read_health(body: &str) -> ProxyStatus {
    let Ok(json) = js_sys::JSON::parse(body) else {
        return ProxyStatus::Absent;
    };
    let value = |name: &str| js_sys::Reflect::get(&json, &JsValue::from_str(name)).ok();
    let field = |name: &str| value(name).and_then(|v| v.as_string());
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
    // Absent or unknown: no sign-in, one unnamed account (an older proxy).
    let accounts = value("accounts")
        .filter(js_sys::Array::is_array)
        .map(|list| {
            js_sys::Array::from(&list)
                .iter()
                .filter_map(|name| name.as_string())
                .filter(|name| !name.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let access = Access {
        sign_in: field("signIn")
            .as_deref()
            .and_then(SignIn::from_code)
            .unwrap_or_default(),
        user: field("user"),
        accounts,
        default_account: field("defaultAccount"),
    };
    ProxyStatus::Present {
        mode,
        upstream_host,
        access,
    }
}

/// Why a sign-in did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInError {
    /// Refused (a wrong name or password, a malformed request): the server's message.
    Refused {
        /// The server's message, or what the page could tell of the answer.
        message: String,
    },
    /// Too many failed sign-ins: the server's `Retry-After`, in seconds.
    TooMany {
        /// Seconds to wait before trying again.
        seconds: u32,
    },
}

/// Signs in as `user` with `password`: the user's name as the server has it, or why not.
/// The session cookie the answer sets is the browser's to keep.
pub async fn sign_in(user: &str, password: &str) -> Result<String, SignInError> {
    let body = js_sys::Object::new();
    let set = |name: &str, value: &str| {
        let _ = js_sys::Reflect::set(&body, &JsValue::from_str(name), &JsValue::from_str(value));
    };
    set("user", user);
    set("password", password);
    // JSON.stringify escapes what a name or a password may hold.
    let body = js_sys::JSON::stringify(&body)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default();
    let answer = post_json(LOGIN_PATH, &body)
        .await
        .map_err(|error| SignInError::Refused {
            message: match error {
                LoadError::Network { message } => message,
                _ => "the request failed".to_owned(),
            },
        })?;
    if answer.status == 200 {
        let name = js_sys::JSON::parse(&answer.body)
            .ok()
            .and_then(|json| js_sys::Reflect::get(&json, &JsValue::from_str("user")).ok())
            .and_then(|name| name.as_string());
        return Ok(name.unwrap_or_else(|| user.to_owned()));
    }
    if answer.status == 429 {
        let seconds = answer
            .retry_after
            .as_deref()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(60);
        return Err(SignInError::TooMany { seconds });
    }
    let message = parse_service_error(answer.status, &answer.body, None)
        .map(|error| error.message)
        .unwrap_or_else(|| format!("HTTP {}", answer.status));
    Err(SignInError::Refused { message })
}

/// Signs out: the server ends the session and clears its cookie.
pub async fn sign_out() -> Result<(), LoadError> {
    post_json(LOGOUT_PATH, "{}").await.map(|_| ())
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
            Fetcher::Proxy { .. } | Fetcher::Keys { .. } => {
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
        let account = match fetcher {
            Fetcher::Proxy { account } => account.as_deref(),
            _ => None,
        };
        let url = format!("{}?{}", usage_path(account), chunk.to_query_string());
        return Ok((url, Vec::new(), None));
    };
    let now = DateTime::from_timestamp_millis(dom::now_ms()).unwrap_or_default();
    let time = CLOCK_OFFSET.get().signing_time(now);
    let [(_, begin), (_, end)] = chunk.query_pairs();
    let query = [("beginDate", begin.as_str()), ("endDate", end.as_str())];
    let request = SignableRequest::new("GET", host, USAGE_PATH).with_query(&query);
    // The proxy relays only signatures over exactly host and x-bce-date.
    let params = SigningParams::new(credentials, time)
        .with_headers_to_sign(HeadersToSign::Only(&["host", X_BCE_DATE]));
    let signed = sign(&request, &params).map_err(|e| LoadError::local(&e))?;
    let url = format!(
        "{}?{}",
        signed.canonical_uri(),
        signed.canonical_query_string()
    );
    let headers = vec![
        ("authorization", signed.authorization().to_owned()),
        (X_BCE_DATE, signed.x_bce_date().to_owned()),
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
