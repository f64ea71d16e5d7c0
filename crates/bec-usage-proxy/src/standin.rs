//! The demo backend: a BEC stand-in that answers `GET /v1/usage/computing` as the real
//! service would, for the demo and for tests.
//!
//! It checks the `bce-auth-v1` signature against its own keys (by default the public demo
//! pair [`DEMO_ACCESS_KEY_ID`] / [`DEMO_SECRET_ACCESS_KEY`]), the signature's expiry and
//! the clock skew against its clock, and the dates; it answers every failure with a BCE
//! error body and status ([`check_request`], a pure function of the request and the time);
//! and it serves the core's synthetic data, deterministic per range, from a small cache.
//!
//! [`Faults`] inject latency, a rate of 500 answers, and truncated or malformed bodies;
//! every request is counted and the last few are recorded, so tests can prove what
//! reached it.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{self, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bec_usage::query::format_date;
use bec_usage::signing::{parse_authorization, verify, Credentials, SignableRequest};
use bec_usage::synthetic::{generate_json, SyntheticOptions};
use bec_usage::UsageQuery;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;

use crate::clock::{system_clock, Clock};
use crate::errors::{error_json, json_content_type, Error, ErrorKind, Result, X_BCE_REQUEST_ID};
use crate::ids::RequestIds;
use bec_usage::service::USAGE_PATH;

/// The stand-in's public demo access key id. **Not a secret**: it is printed here and in
/// the README so anyone can sign requests to the demo.
pub const DEMO_ACCESS_KEY_ID: &str = "demo-access-key-id";
/// The stand-in's public demo secret access key. **Not a secret** (see
/// [`DEMO_ACCESS_KEY_ID`]); it signs nothing but requests to the stand-in.
pub const DEMO_SECRET_ACCESS_KEY: &str = "demo-secret-access-key";
/// The host the stand-in answers as in `--demo`, so that pages sign exactly as for BEC
/// (the core's [`bec_usage::service::SERVICE_HOST`]).
pub use bec_usage::service::SERVICE_HOST as DEMO_HOST;
/// The seed of the demo data.
pub const DEMO_SEED: u64 = 20_240_101;
/// Seconds between demo data points: 5 minutes keeps a 31-day answer of the 8 default
/// resources near 3 MB (71,424 points) where 1-minute data would be 16 MB.
pub const DEMO_STEP_SECONDS: u32 = 300;
/// The largest clock difference between a signing time and the stand-in's clock.
pub const MAX_CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(30);

/// Fault switches. Rates are fractions in `[0, 1]` applied deterministically: with rate
/// `r`, request `n` (counted per switch) is hit when `floor((n+1)·r) > floor(n·r)`, so 0.5
/// hits every second request and 1 hits all.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// Fraction of requests answered `500 InternalError` (before any check).
    pub error_rate: f64,
    /// Fraction of data answers cut to their first half (framed correctly, so the client
    /// sees JSON that ends early).
    pub truncate_rate: f64,
    /// Fraction of data answers with an amount replaced by the string `"n/a"`.
    pub malformed_rate: f64,
}

/// How the stand-in runs.
#[derive(Debug, Clone)]
pub struct StandinConfig {
    /// The key pair it accepts (with [`DEMO_SEED`]-based data).
    pub credentials: Credentials,
    /// More key pairs it accepts, each an account with data of its own (seeded apart), for
    /// a demo with several accounts.
    pub other_accounts: Vec<Credentials>,
    /// Its clock, for expiry and skew checks and the `Date` header.
    pub clock: Clock,
    /// Fault switches at start (they can be changed while running).
    pub faults: Faults,
    /// Seed of the synthetic data.
    pub seed: u64,
    /// Seconds between data points.
    pub step_seconds: u32,
    /// Bytes of generated answers kept, most recently used first.
    pub cache_bytes: usize,
}

impl StandinConfig {
    /// The demo: demo keys, the system clock, no faults, [`DEMO_SEED`],
    /// [`DEMO_STEP_SECONDS`], 64 MiB of cache.
    pub fn demo() -> Self {
        StandinConfig {
            credentials: demo_credentials(),
            other_accounts: Vec::new(),
            clock: system_clock(),
            faults: Faults::default(),
            seed: DEMO_SEED,
            step_seconds: DEMO_STEP_SECONDS,
            cache_bytes: 64 * 1024 * 1024,
        }
    }
}

/// The public demo key pair.
pub fn demo_credentials() -> Credentials {
    // Both constants are valid keys; a failure here is a bug caught by every test.
    Credentials::new(DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY)
        .unwrap_or_else(|e| unreachable!("the demo keys are valid: {e}"))
}

/// A request as the stand-in received it, for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// The method.
    pub method: String,
    /// The request target as sent.
    pub target: String,
    /// The headers, names lowercase, values lossily as text.
    pub headers: Vec<(String, String)>,
}

/// How many received requests are kept.
const RECORDED: usize = 64;

/// A BCE answer of refusal: status, code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// The BCE error code.
    pub code: &'static str,
    /// The message.
    pub message: String,
}

fn refuse(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
    }
}

/// Checks a request as BEC would, at time `now`: path, method, the `Authorization`
/// (form, access key id, expiry, skew, signature over the method, path, query and signed
/// headers, with the `Host` it arrived with), then the dates.
pub fn check_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    credentials: &Credentials,
    now: DateTime<Utc>,
) -> std::result::Result<UsageQuery, Refusal> {
    if uri.path() != USAGE_PATH {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("no resource at {:?}", uri.path()),
        ));
    }
    if method != Method::GET {
        return Err(refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the usage path answers GET only",
        ));
    }
    let Some(authorization) = headers.get(header::AUTHORIZATION) else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "the request has no Authorization header",
        ));
    };
    let parsed = authorization
        .to_str()
        .ok()
        .and_then(|text| parse_authorization(text).ok())
        .ok_or_else(|| {
            refuse(
                StatusCode::BAD_REQUEST,
                "InvalidHTTPAuthHeader",
                "the Authorization header is not a bce-auth-v1 value",
            )
        })?;
    if parsed.access_key_id != credentials.access_key_id() {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            format!(
                "the access key id {:?} does not exist",
                parsed.access_key_id
            ),
        ));
    }
    let expired = parsed.expires_at().is_none_or(|expires| expires <= now);
    if expired {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "RequestExpired",
            format!(
                "the signature made at {} expired after {} seconds",
                parsed.timestamp.format("%Y-%m-%dT%H:%M:%SZ"),
                parsed.expiration_seconds
            ),
        ));
    }
    if (parsed.timestamp - now).abs() > MAX_CLOCK_SKEW {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "RequestTimeTooSkewed",
            format!(
                "the signing time {} is more than 30 minutes from the server's time",
                parsed.timestamp.format("%Y-%m-%dT%H:%M:%SZ")
            ),
        ));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            refuse(
                StatusCode::BAD_REQUEST,
                "InvalidHTTPRequest",
                "the request has no Host",
            )
        })?;
    let query = decode_query(uri.query().unwrap_or_default())?;
    let query_refs: Vec<(&str, &str)> = query
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(name, _)| *name != header::HOST)
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
        .collect();
    let signable = SignableRequest::new(method.as_str(), host, uri.path())
        .with_query(&query_refs)
        .with_headers(&header_refs);
    match verify(&signable, credentials, &parsed) {
        Ok(true) => {}
        Ok(false) => {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "SignatureDoesNotMatch",
                "the request signature we calculated does not match the signature you provided; \
                 check your secret access key and signing method",
            ))
        }
        Err(error) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "InvalidHTTPAuthHeader",
                format!("the request cannot be checked: {}", error.message()),
            ))
        }
    }
    let date = |name: &str| {
        let mut values = query
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str());
        match (values.next(), values.next()) {
            (Some(value), None) => Ok(value),
            (None, _) => Err(refuse(
                StatusCode::BAD_REQUEST,
                "InvalidParameter",
                format!("{name} is required"),
            )),
            _ => Err(refuse(
                StatusCode::BAD_REQUEST,
                "InvalidParameter",
                format!("{name} is given twice"),
            )),
        }
    };
    UsageQuery::new(date("beginDate")?, date("endDate")?)
        .map_err(|error| refuse(StatusCode::BAD_REQUEST, "InvalidParameter", error.message()))
}

fn decode_query(raw: &str) -> std::result::Result<Vec<(String, String)>, Refusal> {
    let decode = |text: &str| {
        percent_decode_str(text)
            .decode_utf8()
            .map(|cow| cow.into_owned())
            .map_err(|_| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    "InvalidURI",
                    "the query is not UTF-8 after decoding",
                )
            })
    };
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

/// Whether request `n` (from 0) is hit by a fault of rate `rate`.
pub fn fault_fires(rate: f64, n: u64) -> bool {
    if rate.is_nan() || rate <= 0.0 {
        return false;
    }
    let rate = rate.min(1.0);
    ((n + 1) as f64 * rate).floor() > (n as f64 * rate).floor()
}

struct Shared {
    credentials: Credentials,
    other_accounts: Vec<Credentials>,
    clock: Clock,
    faults: Mutex<Faults>,
    seed: u64,
    step_seconds: u32,
    cache: BodyCache,
    ids: RequestIds,
    requests: AtomicU64,
    errors_counter: AtomicU64,
    truncate_counter: AtomicU64,
    malformed_counter: AtomicU64,
    received: Mutex<VecDeque<ReceivedRequest>>,
}

/// The demo BEC stand-in. Cloning shares it.
#[derive(Clone)]
pub struct Standin(Arc<Shared>);

impl std::fmt::Debug for Standin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Standin")
            .field("credentials", &self.0.credentials)
            .field("requests", &self.request_count())
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The data behind these locks stays consistent even if a holder panicked.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Standin {
    /// A stand-in with `config`.
    pub fn new(config: StandinConfig) -> Self {
        Standin(Arc::new(Shared {
            credentials: config.credentials,
            other_accounts: config.other_accounts,
            clock: config.clock,
            faults: Mutex::new(config.faults),
            seed: config.seed,
            step_seconds: config.step_seconds,
            cache: BodyCache::new(config.cache_bytes),
            ids: RequestIds::new(),
            requests: AtomicU64::new(0),
            errors_counter: AtomicU64::new(0),
            truncate_counter: AtomicU64::new(0),
            malformed_counter: AtomicU64::new(0),
            received: Mutex::new(VecDeque::with_capacity(RECORDED)),
        }))
    }

    /// The router: every request, on any path, goes through [`check_request`].
    pub fn router(&self) -> Router {
        Router::new().fallback(handle).with_state(self.clone())
    }

    /// How many requests reached the stand-in, on any path.
    pub fn request_count(&self) -> u64 {
        self.0.requests.load(Ordering::SeqCst)
    }

    /// The last requests received (at most 64), oldest first.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        lock(&self.0.received).iter().cloned().collect()
    }

    /// The fault switches now.
    pub fn faults(&self) -> Faults {
        *lock(&self.0.faults)
    }

    /// Changes the fault switches.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.0.faults) = faults;
    }

    /// The data answer for `query`, from the cache or generated.
    pub fn usage_body(&self, query: &UsageQuery) -> Result<Bytes> {
        self.usage_body_seeded(self.0.seed, query)
    }

    /// The key pair of the request's access key id among those accepted (the first one
    /// when none matches, which then refuses it), and the seed of its account's data.
    fn account_of(&self, headers: &HeaderMap) -> (&Credentials, u64) {
        let access_key_id = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.split('/').nth(1));
        let other = self
            .0
            .other_accounts
            .iter()
            .enumerate()
            .find(|(_, credentials)| Some(credentials.access_key_id()) == access_key_id);
        match other {
            Some((index, credentials)) => (credentials, self.0.seed.wrapping_add(index as u64 + 1)),
            None => (&self.0.credentials, self.0.seed),
        }
    }

    fn usage_body_seeded(&self, seed: u64, query: &UsageQuery) -> Result<Bytes> {
        if let Some(body) = self.0.cache.get(seed, query) {
            return Ok(body);
        }
        let options = SyntheticOptions::new(query.begin_date(), query.end_date())
            .with_seed(seed)
            .with_step_seconds(self.0.step_seconds);
        let body = Bytes::from(generate_json(&options).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!(
                    "cannot generate data for {} .. {}: {}",
                    format_date(query.begin_date()),
                    format_date(query.end_date()),
                    e.message()
                ),
            )
        })?);
        self.0.cache.put(seed, *query, body.clone());
        Ok(body)
    }

    fn record(&self, request: &Request) {
        let received = ReceivedRequest {
            method: request.method().to_string(),
            target: request.uri().to_string(),
            headers: request
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
        };
        let mut log = lock(&self.0.received);
        if log.len() == RECORDED {
            log.pop_front();
        }
        log.push_back(received);
    }
}

async fn handle(extract::State(standin): extract::State<Standin>, request: Request) -> Response {
    let state = &standin.0;
    state.requests.fetch_add(1, Ordering::SeqCst);
    standin.record(&request);
    let faults = standin.faults();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let request_id = state.ids.next_id();
    let now = state.clock.now();
    if fault_fires(
        faults.error_rate,
        state.errors_counter.fetch_add(1, Ordering::SeqCst),
    ) {
        let refusal = refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "injected fault: internal error",
        );
        return refusal_response(&refusal, &request_id, now);
    }
    let (credentials, seed) = standin.account_of(request.headers());
    let query = match check_request(
        request.method(),
        request.uri(),
        request.headers(),
        credentials,
        now,
    ) {
        Ok(query) => query,
        Err(refusal) => return refusal_response(&refusal, &request_id, now),
    };
    let mut body = match standin.usage_body_seeded(seed, &query) {
        Ok(body) => body,
        Err(error) => {
            let refusal = refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                error.message(),
            );
            return refusal_response(&refusal, &request_id, now);
        }
    };
    if fault_fires(
        faults.truncate_rate,
        state.truncate_counter.fetch_add(1, Ordering::SeqCst),
    ) {
        body = body.slice(..body.len() / 2);
    } else if fault_fires(
        faults.malformed_rate,
        state.malformed_counter.fetch_add(1, Ordering::SeqCst),
    ) {
        body = malformed(&body);
    }
    let mut response = (StatusCode::OK, Body::from(body)).into_response();
    add_common_headers(response.headers_mut(), &request_id, now);
    response
}

/// The body with its first amount replaced by the string `"n/a"`.
fn malformed(body: &Bytes) -> Bytes {
    let text = String::from_utf8_lossy(body);
    let key = "\"amount\":";
    let Some(start) = text.find(key).map(|i| i + key.len()) else {
        return Bytes::from_static(b"{\"accountId\":");
    };
    let end = text[start..].find(',').map_or(text.len(), |i| start + i);
    Bytes::from(format!("{}\"n/a\"{}", &text[..start], &text[end..]))
}

fn refusal_response(refusal: &Refusal, request_id: &str, now: DateTime<Utc>) -> Response {
    let body = error_json(request_id, refusal.code, &refusal.message);
    let mut response = (refusal.status, body).into_response();
    add_common_headers(response.headers_mut(), request_id, now);
    response
}

fn add_common_headers(headers: &mut HeaderMap, request_id: &str, now: DateTime<Utc>) {
    headers.insert(header::CONTENT_TYPE, json_content_type());
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(X_BCE_REQUEST_ID, value);
    }
    // The stand-in's own clock, so a client that corrects its signing time from `Date`
    // (as BCE recommends) agrees with the checks above.
    let date = now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(value) = HeaderValue::from_str(&date) {
        headers.insert(header::DATE, value);
    }
}

/// Serves `standin` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, standin: Standin) -> Result<()> {
    let app = standin
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .await
        .map_err(|e| Error::new(ErrorKind::Io, format!("the stand-in stopped: {e}")))
}

/// Generated answers, most recently used first, within a byte budget. A handful of
/// entries, so a linear scan beats any index.
struct BodyCache {
    max_bytes: usize,
    entries: Mutex<VecDeque<((u64, UsageQuery), Bytes)>>,
}

impl BodyCache {
    fn new(max_bytes: usize) -> Self {
        BodyCache {
            max_bytes,
            entries: Mutex::new(VecDeque::new()),
        }
    }

    fn get(&self, seed: u64, query: &UsageQuery) -> Option<Bytes> {
        let mut entries = lock(&self.entries);
        let index = entries.iter().position(|(key, _)| *key == (seed, *query))?;
        let entry = entries.remove(index)?;
        let body = entry.1.clone();
        entries.push_front(entry);
        Some(body)
    }

    fn put(&self, seed: u64, query: UsageQuery, body: Bytes) {
        if body.len() > self.max_bytes {
            return;
        }
        let key = (seed, query);
        let mut entries = lock(&self.entries);
        entries.retain(|(held, _)| *held != key);
        entries.push_front((key, body));
        let mut total = 0;
        entries.retain(|(_, body)| {
            total += body.len();
            total <= self.max_bytes
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bec_usage::service::X_BCE_DATE;
    use bec_usage::signing::{sign, SigningParams};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 2, 1, 12, 0, 0).unwrap()
    }

    /// A signed request as the proxy sends it: host, authorization, x-bce-date.
    fn signed(secret: &str, time: DateTime<Utc>, query: &str) -> (Uri, HeaderMap) {
        let credentials = Credentials::new(DEMO_ACCESS_KEY_ID, secret).expect("keys");
        let pairs = decode_query(query).expect("query");
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let output = sign(
            &SignableRequest::new("GET", DEMO_HOST, USAGE_PATH).with_query(&refs),
            &SigningParams::new(&credentials, time),
        )
        .expect("sign");
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(DEMO_HOST));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(output.authorization()).unwrap(),
        );
        headers.insert(
            X_BCE_DATE,
            HeaderValue::from_str(output.x_bce_date()).unwrap(),
        );
        headers.insert(header::USER_AGENT, HeaderValue::from_static("test"));
        let uri = format!("{USAGE_PATH}?{query}").parse().expect("uri");
        (uri, headers)
    }

    fn code(result: std::result::Result<UsageQuery, Refusal>) -> (u16, &'static str) {
        let refusal = result.expect_err("refused");
        (refusal.status.as_u16(), refusal.code)
    }

    /// A GET of `uri` with `headers`, checked against the demo keys at `time`.
    fn check_get(
        uri: &Uri,
        headers: &HeaderMap,
        time: DateTime<Utc>,
    ) -> std::result::Result<UsageQuery, Refusal> {
        check_request(&Method::GET, uri, headers, &demo_credentials(), time)
    }

    const QUERY: &str = "beginDate=2024-01-01&endDate=2024-01-02";

    #[test]
    fn a_correct_signature_passes() {
        let (uri, headers) = signed(DEMO_SECRET_ACCESS_KEY, now(), QUERY);
        let query = check_get(&uri, &headers, now()).expect("valid");
        assert_eq!(query.days(), 2);
        // Within the expiry and the skew, a little later or earlier, still valid.
        let later = now() + chrono::Duration::minutes(29);
        assert!(check_get(&uri, &headers, later).is_ok());
        let earlier = now() - chrono::Duration::minutes(29);
        assert!(check_get(&uri, &headers, earlier).is_ok());
    }

    #[test]
    fn wrong_secret_is_signature_does_not_match() {
        let (uri, headers) = signed("wrong-secret", now(), QUERY);
        assert_eq!(
            code(check_get(&uri, &headers, now())),
            (403, "SignatureDoesNotMatch")
        );
    }

    #[test]
    fn a_changed_query_or_host_breaks_the_signature() {
        let (_, headers) = signed(DEMO_SECRET_ACCESS_KEY, now(), QUERY);
        let other: Uri = format!("{USAGE_PATH}?beginDate=2024-01-01&endDate=2024-01-03")
            .parse()
            .unwrap();
        assert_eq!(
            code(check_get(&other, &headers, now())),
            (403, "SignatureDoesNotMatch")
        );
        let (uri, mut headers) = signed(DEMO_SECRET_ACCESS_KEY, now(), QUERY);
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8081"));
        assert_eq!(
            code(check_get(&uri, &headers, now())),
            (403, "SignatureDoesNotMatch")
        );
    }

    #[test]
    fn expiry_and_skew_are_checked_against_the_clock() {
        let (uri, headers) = signed(DEMO_SECRET_ACCESS_KEY, now(), QUERY);
        let at = |t| check_get(&uri, &headers, t);
        assert_eq!(
            code(at(now() + chrono::Duration::seconds(1800))),
            (400, "RequestExpired")
        );
        assert_eq!(
            code(at(now() - chrono::Duration::minutes(31))),
            (403, "RequestTimeTooSkewed")
        );
    }

    #[test]
    fn unknown_keys_missing_or_malformed_authorization() {
        let (uri, mut headers) = signed(DEMO_SECRET_ACCESS_KEY, now(), QUERY);
        let other = Credentials::new("another-key", "s").unwrap();
        assert_eq!(
            code(check_request(&Method::GET, &uri, &headers, &other, now())),
            (403, "InvalidAccessKeyId")
        );
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bce-auth-v1/x"),
        );
        assert_eq!(
            code(check_get(&uri, &headers, now())),
            (400, "InvalidHTTPAuthHeader")
        );
        headers.remove(header::AUTHORIZATION);
        assert_eq!(
            code(check_get(&uri, &headers, now())),
            (403, "AccessDenied")
        );
    }

    #[test]
    fn dates_are_checked_after_the_signature() {
        let (uri, headers) = signed(
            DEMO_SECRET_ACCESS_KEY,
            now(),
            "beginDate=2024-01-01&endDate=2024-03-01",
        );
        assert_eq!(
            code(check_get(&uri, &headers, now())),
            (400, "InvalidParameter")
        );
        let (uri, headers) = signed(DEMO_SECRET_ACCESS_KEY, now(), "beginDate=2024-01-01");
        assert_eq!(
            code(check_get(&uri, &headers, now())),
            (400, "InvalidParameter")
        );
    }

    #[test]
    fn other_paths_and_methods() {
        let (_, headers) = signed(DEMO_SECRET_ACCESS_KEY, now(), QUERY);
        let uri: Uri = "/v1/other".parse().unwrap();
        assert_eq!(code(check_get(&uri, &headers, now())), (404, "NotFound"));
        let (uri, headers) = signed(DEMO_SECRET_ACCESS_KEY, now(), QUERY);
        assert_eq!(
            code(check_request(
                &Method::POST,
                &uri,
                &headers,
                &demo_credentials(),
                now()
            )),
            (405, "MethodNotAllowed")
        );
    }

    #[test]
    fn fault_rates_are_spread_deterministically() {
        let hits = |rate| (0..100).filter(|n| fault_fires(rate, *n)).count();
        assert_eq!(hits(0.0), 0);
        assert_eq!(hits(0.25), 25);
        assert_eq!(hits(1.0), 100);
        assert_eq!(hits(f64::NAN), 0);
        assert!(fault_fires(0.5, 1) && !fault_fires(0.5, 0));
    }

    #[test]
    fn malformed_body_has_a_non_number_amount() {
        let body = Bytes::from_static(
            br#"{"graphData":{"CPU":{"dataList":[{"amount":1.5,"timestamp":1}]}}}"#,
        );
        assert_eq!(
            &malformed(&body)[..],
            br#"{"graphData":{"CPU":{"dataList":[{"amount":"n/a","timestamp":1}]}}}"#
        );
    }

    #[test]
    fn the_cache_keeps_the_most_recent_within_its_budget() {
        let cache = BodyCache::new(10);
        let q = |d: u32| {
            UsageQuery::new(&format!("2024-01-{d:02}"), &format!("2024-01-{d:02}")).unwrap()
        };
        cache.put(0, q(1), Bytes::from_static(b"aaaa"));
        cache.put(0, q(2), Bytes::from_static(b"bbbb"));
        assert!(cache.get(0, &q(1)).is_some()); // 1 is now the most recent
        assert!(cache.get(1, &q(1)).is_none(), "another account's seed");
        cache.put(0, q(3), Bytes::from_static(b"cccc"));
        assert!(cache.get(0, &q(2)).is_none());
        assert_eq!(cache.get(0, &q(1)).as_deref(), Some(&b"aaaa"[..]));
        cache.put(0, q(4), Bytes::from_static(b"too large for it"));
        assert!(cache.get(0, &q(4)).is_none());
    }

    #[test]
    fn the_same_range_gives_the_same_data() {
        let standin = Standin::new(StandinConfig::demo());
        let query = UsageQuery::new("2024-03-01", "2024-03-01").unwrap();
        let first = standin.usage_body(&query).expect("body");
        let fresh = Standin::new(StandinConfig::demo())
            .usage_body(&query)
            .expect("body");
        assert_eq!(first, fresh);
        let usage =
            bec_usage::json::parse_usage(std::str::from_utf8(&first).unwrap()).expect("valid JSON");
        assert_eq!(usage.resources.len(), 8);
    }
}
