//! The HTTP application: routes, static files, security headers, CORS, request ids, logs.
//!
//! | path | answer |
//! |---|---|
//! | `/healthz` | `{"status":"ok","mode":"server-signed","upstreamHost":"bec.baidubce.com"}` (`mode`: `server-signed` or `relay`; the dashboard picks its data source from it and, in relay mode, signs for `upstreamHost`) |
//! | `/readyz` | 200 `{"status":"ready","checks":{...}}` when the upstream accepts a TCP connection, else 503 `{"status":"not ready",...}` saying which check failed ([`health`]) |
//! | `/metrics` | the counters of [`metrics`] in Prometheus' text format (also on `--metrics-listen` alone) |
//! | `/v1/usage/computing` | forwarded upstream after [`rules::validate`] |
//! | any other path under `/v1/`, or any target that could be read as one | a BCE-style JSON error |
//! | anything else | the dashboard's files (`--dist`), or a JSON `NotFound` without one |

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use tower::ServiceBuilder;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tracing::Instrument;

use crate::errors::{json_content_type, Error, ErrorKind, X_BCE_REQUEST_ID};
use crate::forward::rules::{self, X_BCE_DATE};
use crate::forward::Forwarder;
use crate::health::{self, Readiness};
use crate::ids::{request_id_of, RequestIds};
use crate::metrics;
use crate::ratelimit::{RateLimit, RateLimiter};

/// The Content-Security-Policy of every answer: what a same-origin wasm app needs
/// (`'wasm-unsafe-eval'` to compile its module) and nothing more.
///
/// Note for the dashboard: if it ever sets inline `style` attributes, `style-src` needs
/// `'unsafe-inline'`; prefer classes in a stylesheet so this policy can stay as it is.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
frame-ancestors 'none'; form-action 'none'";

/// `Cache-Control` of files whose name carries a content hash (trunk's `name-<hash>.js`).
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of other files (`index.html`): revalidate every time.
pub const CACHE_REVALIDATE: &str = "no-cache";

/// What the application needs besides the forwarder.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// The dashboard folder; `None`: API only.
    pub dist: Option<PathBuf>,
    /// Allowed CORS origins; empty: CORS off.
    pub cors_origins: Vec<HeaderValue>,
    /// Per-client limit on `/v1/`; `None`: off.
    pub rate_limit: Option<RateLimit>,
}

struct AppState {
    forwarder: Arc<Forwarder>,
    limiter: Option<RateLimiter>,
    statics: Option<ServeDir>,
}

/// Builds the application. Serve it with connection info
/// (`into_make_service_with_connect_info::<SocketAddr>()`) so the rate limit sees client
/// addresses. It counts into, and serves at `/metrics`, the forwarder's metrics
/// ([`Forwarder::metrics`]), so one set holds both the requests and their upstream attempts.
pub fn router(forwarder: Arc<Forwarder>, options: AppOptions) -> Router {
    // ---- metrics and readiness (src/metrics.rs, src/health.rs) ----
    let metrics = forwarder.metrics().clone();
    let readiness = Arc::new(Readiness::new(forwarder.upstream()));
    let statics = options
        .dist
        .map(|dir| ServeDir::new(dir).append_index_html_on_directories(true));
    let state = Arc::new(AppState {
        forwarder,
        limiter: options.rate_limit.map(RateLimiter::new),
        statics,
    });
    let mut api = Router::new()
        .route("/v1", any(api))
        .route("/v1/{*rest}", any(api));
    if !options.cors_origins.is_empty() {
        api = api.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(options.cors_origins))
                .allow_methods([Method::GET])
                .allow_headers([header::AUTHORIZATION, HeaderName::from_static(X_BCE_DATE)])
                .expose_headers([
                    HeaderName::from_static("x-request-id"),
                    HeaderName::from_static(X_BCE_REQUEST_ID),
                ])
                .max_age(std::time::Duration::from_secs(600)),
        );
    }
    let layers = ServiceBuilder::new()
        .layer(middleware::map_request(strip_client_request_id))
        .layer(SetRequestIdLayer::x_request_id(RequestIds::new()))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(middleware::from_fn(log_requests))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(CompressionLayer::new());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", health::route(readiness))
        .route("/metrics", metrics::route(metrics.clone()))
        .merge(api)
        .fallback(fallback)
        .with_state(state)
        .layer(layers)
        // Outermost, so that every answer is counted, refusals of the layers included.
        .layer(middleware::from_fn_with_state(
            metrics,
            metrics::count_requests,
        ))
}

/// `{"status":"ok","mode":...,"upstreamHost":...}`: the dashboard reads the mode to choose
/// its default data source, and the host its in-page signatures must cover in relay mode.
async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    // Written by hand to keep `status` first; the host is a JSON string from serde_json.
    let body = format!(
        r#"{{"status":"ok","mode":"{}","upstreamHost":{}}}"#,
        state.forwarder.mode(),
        serde_json::Value::from(state.forwarder.upstream().host())
    );
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, json_content_type());
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Request ids are the proxy's own: a client's `x-request-id` could be anything, and
/// would end up in the logs.
async fn strip_client_request_id(mut request: Request) -> Request {
    request.headers_mut().remove("x-request-id");
    request
}

/// One span per request with its id, and one line when answered. The query and headers
/// are never logged (a relaying client's signature could be there); the forwarder logs
/// the validated dates.
async fn log_requests(request: Request, next: Next) -> Response {
    let id = request_id_of(&request);
    let method = request.method().clone();
    let mut path = request.uri().path().to_owned();
    if path.len() > 120 {
        let cut = (0..=120)
            .rev()
            .find(|i| path.is_char_boundary(*i))
            .unwrap_or(0);
        path.truncate(cut);
        path.push('…');
    }
    let client = client_ip(&request);
    let span =
        tracing::info_span!("request", id = %id, method = %method, path = %path, client = %client);
    let start = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            ms = %format_args!("{:.3}", start.elapsed().as_secs_f64() * 1000.0),
            "answered"
        )
    });
    response
}

fn client_ip(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

async fn api(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let request_id = request_id_of(&request);
    if let Some(limiter) = &state.limiter {
        if let Err(wait) = limiter.check(client_ip(&request), Instant::now()) {
            let error = Error::new(
                ErrorKind::TooManyRequests,
                format!(
                    "too many requests from this client; retry in {} ms",
                    wait.as_millis().max(1)
                ),
            )
            .with_retry_after(wait.as_secs() + 1);
            state.forwarder.metrics().rate_limited();
            tracing::info!(code = error.kind().code(), "refused");
            return no_store(error.to_response(&request_id));
        }
    }
    let forward = match rules::validate(
        request.method(),
        request.uri(),
        request.headers(),
        state.forwarder.mode(),
    ) {
        Ok(forward) => forward,
        Err(error) => {
            tracing::info!(
                code = error.kind().code(),
                message = error.message(),
                "refused"
            );
            return no_store(error.to_response(&request_id));
        }
    };
    let [(_, begin), (_, end)] = forward.query.query_pairs();
    match state.forwarder.forward(&forward).await {
        Ok(answer) => {
            tracing::debug!(
                begin = %begin,
                end = %end,
                upstream_status = answer.status.as_u16(),
                attempts = answer.attempts,
                bytes = answer.body.len(),
                "forwarded"
            );
            let mut response = (answer.status, Body::from(answer.body)).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, json_content_type());
            if let Some(id) = answer.bce_request_id {
                headers.insert(X_BCE_REQUEST_ID, id);
            }
            no_store(response)
        }
        Err(error) => {
            tracing::warn!(
                begin = %begin,
                end = %end,
                code = error.kind().code(),
                message = error.message(),
                "upstream fault"
            );
            no_store(error.to_response(&request_id))
        }
    }
}

/// Usage data is private to the account: no cache may keep it.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn fallback(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let uri = request.uri();
    if rules::routes_to_api(uri.path()) || uri.authority().is_some() || uri.scheme().is_some() {
        return api(State(state), request).await;
    }
    let Some(statics) = state.statics.clone() else {
        let error = Error::new(
            ErrorKind::NotFound,
            "no dashboard is served here (start the proxy with --dist DIR, the built dashboard); \
             the API is GET /v1/usage/computing",
        );
        return error.to_response(&request_id_of(&request));
    };
    let path = uri.path().to_owned();
    let Ok(response) = statics.oneshot(request).await;
    let mut response = response.map(Body::new);
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        let policy = if is_hashed_asset(&path) {
            CACHE_IMMUTABLE
        } else {
            CACHE_REVALIDATE
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        if path.ends_with(".wasm") {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/wasm"),
            );
        }
    }
    response
}

/// Whether the file name at the end of `path` carries a content hash as trunk writes it:
/// `name-<hex>.ext` or `name-<hex>_bg.wasm`, with 8 to 64 hex digits, for the kinds of
/// files trunk hashes.
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(
        extension,
        "js" | "mjs" | "wasm" | "css" | "png" | "svg" | "ico" | "woff2"
    ) {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    (8..=64).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_assets_are_recognised() {
        for path in [
            "/bec-usage-web-3f2a9c1d8e7b6a50.js",
            "/bec-usage-web-3f2a9c1d8e7b6a50_bg.wasm",
            "/styles-0123abcd.css",
            "/assets/logo-deadbeef.svg",
        ] {
            assert!(is_hashed_asset(path), "{path}");
        }
        for path in [
            "/",
            "/index.html",
            "/app.js",
            "/app-v2.js",
            "/app-1234.js",
            "/x-3f2a9c1d8e7b6a50.html",
            "/3f2a9c1d8e7b6a50",
        ] {
            assert!(!is_hashed_asset(path), "{path}");
        }
    }

    #[test]
    fn the_policy_allows_wasm_and_forbids_framing() {
        assert!(CONTENT_SECURITY_POLICY.contains("'wasm-unsafe-eval'"));
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
        assert!(!CONTENT_SECURITY_POLICY.contains("'unsafe-eval'"));
        assert!(!CONTENT_SECURITY_POLICY.contains("'unsafe-inline'"));
    }
}
