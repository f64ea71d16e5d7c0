//! The page's own requests: `/healthz` (is bec-usage-proxy serving the page, and how?),
//! signing in and out (`POST /auth/login`, `POST /auth/logout`: the session is an HttpOnly
//! cookie the browser keeps and sends with every request of the page's origin, the data
//! worker's too), and the one HTTP helper ([`get`], [`send`] with the global `fetch`)
//! that the data worker's loads use as well (`crate::fetch`).

use bec_usage::signing::uri_encode;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::dom;
use crate::proxy_status::{Access, ProxyMode, ProxyStatus, SignIn, DEFAULT_UPSTREAM_HOST};
pub use crate::wire::LoadError;

#[wasm_bindgen]
extern "C" {
    /// `fetch` of the global scope: the page's window or the data worker's scope.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str, init: &web_sys::RequestInit) -> Promise;
    /// `setTimeout` of the global scope.
    #[wasm_bindgen(js_name = setTimeout)]
    fn global_set_timeout(handler: &js_sys::Function, ms: i32) -> JsValue;
}

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

/// An HTTP answer, body read.
pub(crate) struct Answer {
    /// The status.
    pub status: u16,
    /// The body, as UTF-8 (lossy).
    pub body: String,
    /// `x-bce-request-id`.
    pub request_id: Option<String>,
    /// `Date`.
    pub date: Option<String>,
    /// `Retry-After`.
    pub retry_after: Option<String>,
}

/// Resolves after `ms` milliseconds (0: on the next turn of the event loop, so that the
/// page can paint a progress bar or a skeleton between chunks of work).
pub async fn sleep_ms(ms: i32) {
    let promise = Promise::new(&mut |resolve, _reject| {
        global_set_timeout(&resolve, ms.max(0));
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

pub(crate) async fn get(
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

pub(crate) async fn send(
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
    let response: web_sys::Response = JsFuture::from(global_fetch(url, &init))
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
    // The server's BCE-style error body names what is wrong in `message`.
    let message = js_sys::JSON::parse(&answer.body)
        .ok()
        .and_then(|json| js_sys::Reflect::get(&json, &JsValue::from_str("message")).ok())
        .and_then(|message| message.as_string())
        .unwrap_or_else(|| format!("HTTP {}", answer.status));
    Err(SignInError::Refused { message })
}

/// Signs out: the server ends the session and clears its cookie.
pub async fn sign_out() -> Result<(), LoadError> {
    post_json(LOGOUT_PATH, "{}").await.map(|_| ())
}
