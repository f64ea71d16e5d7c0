//! The HTTP application: routes, static files, security headers, CORS, request ids, logs.
//!
//! | path | answer |
//! |---|---|
//! | `/healthz` | `{"status":"ok","mode":"server-signed","upstreamHost":"bec.baidubce.com","signIn":"off","user":null}` (`mode`: `server-signed` or `relay`; the dashboard picks its data source from it and, in relay mode, signs for `upstreamHost`; `signIn`: `off`, `password` or `proxy`, and `user`, the signed-in user) |
//! | `POST /auth/login`, `POST /auth/logout` | sign-in and sign-out ([`crate::access::http`]) |
//! | `/v1/usage/computing` | forwarded upstream after [`rules::validate`], for a user when access control is on ([`crate::access`]); settled days from the history store when there is one ([`crate::history`]) |
//! | `/readyz` | 200 `{"status":"ready","checks":{...}}` when the upstream accepts a TCP connection, else 503 `{"status":"not ready",...}` saying which check failed ([`health`]) |
//! | `/metrics` | the counters of [`metrics`] in Prometheus' text format: with `--metrics-token-file`, only with `Authorization: Bearer <token>` ([`metrics_token`]); else for a user when access control is on (and on `--metrics-listen` alone, without) |
//! | any other path under `/v1/`, or any target that could be read as one | a BCE-style JSON error |
//! | anything else | the dashboard's files (`--dist`), or a JSON `NotFound` without one |

use std::borrow::Cow;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;
use tower::ServiceBuilder;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};

use crate::access::http::{self as access_http, LoginOutcome, MAX_LOGIN_BODY_BYTES};
use crate::access::sessions::TOKEN_BYTES;
use crate::access::{Access, Identity};
use crate::accounts::{Account, Accounts};
use crate::client::{self, ClientAddr, TrustedProxies};
use crate::config::DEFAULT_ACCOUNT;
use crate::errors::{json_content_type, Error, ErrorKind, X_BCE_REQUEST_ID};
use crate::forward::rules::{self, ModeKind, X_BCE_DATE};
use crate::forward::Forwarder;
use crate::health::{self, Readiness};
use crate::history::History;
use crate::ids::{self, request_id_of, RequestIds};
use crate::metrics::{self, Metrics};
use crate::metrics_token::{self, MetricsToken};
use crate::ratelimit::{RateLimit, RateLimiter};

/// The Content-Security-Policy of every answer: what a same-origin wasm app needs
/// (`'wasm-unsafe-eval'` to compile its modules; `worker-src 'self'` for its data worker, a
/// script of the same origin) and nothing more.
///
/// Note for the dashboard: if it ever sets inline `style` attributes, `style-src` needs
/// `'unsafe-inline'`; prefer classes in a stylesheet so this policy can stay as it is.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

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
    /// Who may read data; `None`: anyone who reaches the server.
    pub access: Option<Arc<Access>>,
    /// Named accounts and their forwarders; `None`: the one forwarder of [`router`].
    pub accounts: Option<Arc<NamedAccounts>>,
    /// The scrape token (`--metrics-token-file`): when set, `/metrics` answers only
    /// requests that carry it, instead of those access control lets in.
    pub metrics_token: Option<Arc<MetricsToken>>,
    /// The fronts whose `X-Forwarded-For` names the client ([`crate::client`]).
    pub trusted_proxies: TrustedProxies,
    /// The history store's use ([`crate::history`]): settled days answered from it in
    /// server-signed mode; `None`: every request goes upstream.
    pub history: Option<Arc<History>>,
}

/// Named accounts with a forwarder each (in the order of [`Accounts::all`]).
#[derive(Debug)]
pub struct NamedAccounts {
    /// The accounts.
    pub accounts: Accounts,
    /// Their forwarders, one per account, in the same order.
    pub forwarders: Vec<Arc<Forwarder>>,
}

impl NamedAccounts {
    fn forwarder_of(&self, account: &Account) -> Option<&Arc<Forwarder>> {
        let index = self
            .accounts
            .all()
            .iter()
            .position(|a| a.name == account.name)?;
        self.forwarders.get(index)
    }
}

/// The state of the routes: what the handlers, extractors and route layers read.
struct AppState {
    forwarder: Arc<Forwarder>,
    /// The counters, shared with the forwarders (which count upstream attempts) and served
    /// at `/metrics`.
    metrics: Arc<Metrics>,
    limiter: Option<RateLimiter>,
    statics: Option<ServeDir>,
    access: Arc<Access>,
    accounts: Option<Arc<NamedAccounts>>,
    trusted_proxies: Arc<TrustedProxies>,
    history: Option<Arc<History>>,
}

impl AppState {
    /// The account `name` (the default account for `None`) and its forwarder, as far as
    /// `identity` may see it; an account it may not see answers like one that does not exist.
    /// The name is for the log: the account's, [`DEFAULT_ACCOUNT`] for the one unnamed key
    /// pair, none in relay mode (the page signs with its own).
    fn forwarder_for(
        &self,
        name: Option<&str>,
        identity: &Identity,
    ) -> Result<(Option<&str>, &Arc<Forwarder>), Error> {
        let Some(named) = &self.accounts else {
            return match name {
                None => {
                    let name = (self.forwarder.mode() == ModeKind::ServerSigned)
                        .then_some(DEFAULT_ACCOUNT);
                    Ok((name, &self.forwarder))
                }
                Some(name) => Err(no_such_account(name)),
            };
        };
        let account = match name {
            Some(name) => named.accounts.visible(name, identity).ok_or_else(|| no_such_account(name))?,
            None => named.accounts.visible_default(identity).ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    "there is no default account for you here; read one of the accounts /healthz lists at /accounts/NAME/v1/usage/computing",
                )
            })?,
        };
        let forwarder = named
            .forwarder_of(account)
            .ok_or_else(|| Error::new(ErrorKind::Internal, "an account without a forwarder"))?;
        Ok((Some(account.name.as_str()), forwarder))
    }
}

fn no_such_account(name: &str) -> Error {
    let shown: String = name.chars().take(64).collect();
    Error::new(
        ErrorKind::NotFound,
        format!("there is no account {shown:?} here; /healthz lists the accounts you may read"),
    )
}

/// Who sent a request, as an extractor: a signed-in user, or [`Identity::Anyone`] when
/// access control is off. Refuses with `SignInRequired` ([`Access::require`]); as an
/// `Option`, never refuses ([`Access::identity`]). The user header is believed only from
/// the connection's own peer, never from a client a front names.
struct User(Identity);

impl FromRequestParts<Arc<AppState>> for User {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Error> {
        let peer = client::peer_of(&parts.extensions);
        state
            .access
            .require(&parts.headers, peer, Instant::now())
            .map(User)
    }
}

impl OptionalFromRequestParts<Arc<AppState>> for User {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Option<Self>, Infallible> {
        let peer = client::peer_of(&parts.extensions);
        Ok(state
            .access
            .identity(&parts.headers, peer, Instant::now())
            .map(User))
    }
}

/// The account a data request reads, as an extractor: the user ([`User`]) and the account
/// the path names (`/accounts/NAME/...`, else the default one) as far as that user may
/// see it, with its forwarder and the path without the account prefix.
///
/// It starts the audit trail: the request's span gets the `user` as soon as it is known,
/// so that a refusal of the account is logged with who asked. Refusals are logged
/// (`refused`, with the code) here.
struct ReadAccount {
    /// The account's name for the log (see [`AppState::forwarder_for`]).
    name: Option<String>,
    /// The request target without the account prefix.
    uri: Uri,
    forwarder: Arc<Forwarder>,
}

impl FromRequestParts<Arc<AppState>> for ReadAccount {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Error> {
        let User(identity) = <User as FromRequestParts<_>>::from_request_parts(parts, state)
            .await
            .inspect_err(|error| tracing::info!(code = error.kind().code(), "refused"))?;
        // The audit trail: who read what, on every later line of this request's span.
        if let Identity::User(user) = &identity {
            tracing::Span::current().record("user", user.as_str());
        }
        rules::split_account(&parts.uri)
            .and_then(|(account, uri)| {
                let (name, forwarder) = state.forwarder_for(account.as_deref(), &identity)?;
                Ok(ReadAccount {
                    name: name.map(str::to_owned),
                    uri,
                    forwarder: Arc::clone(forwarder),
                })
            })
            .inspect_err(refused)
    }
}

/// Logs a refusal with its code and message.
fn refused(error: &Error) {
    tracing::info!(
        code = error.kind().code(),
        message = error.message(),
        "refused"
    );
}

/// Builds the application. Serve it with connection info
/// (`into_make_service_with_connect_info::<std::net::SocketAddr>()`) so the rate limit sees client
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
        metrics: metrics.clone(),
        limiter: options.rate_limit.map(RateLimiter::new),
        statics,
        access: options.access.unwrap_or_else(|| Arc::new(Access::open())),
        accounts: options.accounts,
        trusted_proxies: Arc::new(options.trusted_proxies),
        history: options.history,
    });
    // ---- the data routes: rate limited, never cached ----
    // The route's own layers: `any` has no method endpoints for `route_layer` to wrap, so
    // on this method router `layer` is the route layer (it wraps the route and nothing
    // else; the router's fallback gets it only by calling this route).
    let mut usage = any(api);
    if state.limiter.is_some() {
        usage = usage.layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            rate_limit,
        ));
    }
    let usage = usage.layer(no_store());
    // Targets the router does not match but that read as the API (`/v1x`, absolute URLs)
    // are answered by the same route, layers included.
    let usage_fallback = usage.clone().with_state(Arc::clone(&state));
    let mut api = Router::new()
        .route("/v1", usage.clone())
        .route("/v1/{*rest}", usage.clone())
        .route("/accounts", usage.clone())
        .route("/accounts/{*rest}", usage);
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
        .layer(middleware::map_request_with_state(
            Arc::clone(&state.trusted_proxies),
            client::resolve_client,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(RequestSpan)
                .on_request(())
                .on_response(Answered)
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(middleware::from_fn(ids::with_request_id))
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
    let auth = Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route_layer(no_store())
        .layer(DefaultBodyLimit::max(MAX_LOGIN_BODY_BYTES));
    Router::new()
        .route("/healthz", get(healthz).route_layer(no_store()))
        .merge(auth)
        .route("/readyz", health::route(readiness))
        .route(
            "/metrics",
            match options.metrics_token {
                Some(token) => metrics::route(metrics.clone()).route_layer(
                    middleware::from_fn_with_state(token, metrics_token::require_token),
                ),
                None => metrics::route(metrics.clone())
                    .route_layer(middleware::from_fn_with_state(
                        Arc::clone(&state),
                        require_user,
                    ))
                    .route_layer(no_store()),
            },
        )
        .merge(api)
        .fallback(
            move |State(state): State<Arc<AppState>>, request: Request| {
                fallback(state, usage_fallback.clone(), request)
            },
        )
        .with_state(state)
        .layer(layers)
        // Outermost, so that every answer is counted, refusals of the layers included.
        .layer(middleware::from_fn_with_state(
            metrics,
            metrics::count_requests,
        ))
}

/// `Cache-Control: no-store`, the route layer of answers no cache may keep: usage data is
/// private to the account, and so are who is signed in and the sign-in answers.
fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// The route layer of the per-client limit on the data routes (`--rate-limit`): refuses
/// with `TooManyRequests` and a `Retry-After` once the client's bucket is empty.
async fn rate_limit(
    State(state): State<Arc<AppState>>,
    ClientAddr(client): ClientAddr,
    request: Request,
    next: Next,
) -> Response {
    let Some(limiter) = &state.limiter else {
        return next.run(request).await;
    };
    if let Err(wait) = limiter.check(client, Instant::now()) {
        let error = Error::new(
            ErrorKind::TooManyRequests,
            format!(
                "too many requests from this client; retry in {} ms",
                wait.as_millis().max(1)
            ),
        )
        .with_retry_after(wait.as_secs() + 1);
        state.metrics.rate_limited();
        tracing::info!(code = error.kind().code(), "refused");
        return error.into_response();
    }
    next.run(request).await
}

/// `{"status":"ok","mode":...,"upstreamHost":...,"signIn":...,"user":...}`: the dashboard
/// reads the mode to choose its default data source, the host its in-page signatures must
/// cover in relay mode, and whether to ask for a sign-in.
async fn healthz(State(state): State<Arc<AppState>>, user: Option<User>) -> Response {
    let access = &state.access;
    let sign_in = if access.has_password_sign_in() {
        "password"
    } else if access.is_required() {
        "proxy"
    } else {
        "off"
    };
    let identity = user.map(|User(identity)| identity);
    let user = match &identity {
        Some(Identity::User(name)) => serde_json::Value::from(name.as_str()),
        Some(Identity::Anyone) | None => serde_json::Value::Null,
    };
    // Names only, and only those this user may read; nobody signed in sees none.
    let (accounts, default_account) = match (&state.accounts, &identity) {
        (Some(named), Some(identity)) => (
            serde_json::Value::from(named.accounts.visible_names(identity)),
            named
                .accounts
                .visible_default(identity)
                .map_or(serde_json::Value::Null, |a| {
                    serde_json::Value::from(a.name.as_str())
                }),
        ),
        _ => (
            serde_json::Value::Array(Vec::new()),
            serde_json::Value::Null,
        ),
    };
    // Written by hand to keep `status` first; strings are JSON strings from serde_json.
    let body = format!(
        r#"{{"status":"ok","mode":"{}","upstreamHost":{},"signIn":"{sign_in}","user":{user},"accounts":{accounts},"defaultAccount":{default_account}}}"#,
        state.forwarder.mode(),
        serde_json::Value::from(state.forwarder.upstream().host())
    );
    ([(header::CONTENT_TYPE, json_content_type())], body).into_response()
}

/// Request ids are the proxy's own: a client's `x-request-id` could be anything, and
/// would end up in the logs.
async fn strip_client_request_id(mut request: Request) -> Request {
    request.headers_mut().remove("x-request-id");
    request
}

/// The span of a request ([`TraceLayer`]'s `make_span_with`): its id, method, path (at
/// most 120 bytes) and client, and empty fields a data request fills in for the audit
/// trail: who asked (`user`), which `account` and the validated range (`begin`, `end`).
/// The query and headers are never logged (a relaying client's signature could be there).
#[derive(Debug, Clone, Copy)]
struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &axum::http::Request<B>) -> tracing::Span {
        let path = request.uri().path();
        let path: Cow<'_, str> = if path.len() > 120 {
            let cut = (0..=120)
                .rev()
                .find(|i| path.is_char_boundary(*i))
                .unwrap_or(0);
            Cow::Owned(format!("{}…", path.get(..cut).unwrap_or_default()))
        } else {
            Cow::Borrowed(path)
        };
        tracing::info_span!(
            "request",
            id = %request_id_of(request),
            method = %request.method(),
            path = &*path,
            client = %ClientAddr::in_extensions(request.extensions()),
            user = tracing::field::Empty,
            account = tracing::field::Empty,
            begin = tracing::field::Empty,
            end = tracing::field::Empty,
        )
    }
}

/// The one line per request when it is answered ([`TraceLayer`]'s `on_response`), in the
/// request's span: `answered` with the status and the milliseconds. Fields keep their
/// types (in JSON `"status":200`, `"ms":1.25`, `"user":"alice"`).
#[derive(Debug, Clone, Copy)]
struct Answered;

impl<B> OnResponse<B> for Answered {
    fn on_response(
        self,
        response: &axum::http::Response<B>,
        latency: Duration,
        _span: &tracing::Span,
    ) {
        // Milliseconds to the microsecond, as a number.
        let ms = (latency.as_secs_f64() * 1e6).round() / 1e3;
        tracing::info!(status = response.status().as_u16(), ms, "answered");
    }
}

async fn login(
    State(state): State<Arc<AppState>>,
    ClientAddr(client): ClientAddr,
    request: Request,
) -> Result<Response, Error> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_LOGIN_BODY_BYTES)
        .await
        .map_err(|_| {
            Error::new(
                ErrorKind::InvalidRequest,
                format!("a sign-in body has at most {MAX_LOGIN_BODY_BYTES} bytes"),
            )
        })?;
    let mut token = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut token).map_err(|error| {
        let error = Error::new(
            ErrorKind::Internal,
            format!("no random bytes for a session token: {error}"),
        );
        tracing::error!(
            code = error.kind().code(),
            message = error.message(),
            "sign-in"
        );
        error
    })?;
    let (outcome, response) = access_http::login(
        Arc::clone(&state.access),
        &parts.headers,
        body,
        client,
        token,
    )
    .await;
    if outcome == LoginOutcome::Failed {
        state.metrics.failed_login();
    }
    Ok(response)
}

/// The route layer of `/metrics` without a scrape token: lets a request through when
/// access control lets its sender in.
async fn require_user(_: User, request: Request, next: Next) -> Response {
    next.run(request).await
}

async fn logout(
    State(state): State<Arc<AppState>>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
) -> Response {
    access_http::logout(&state.access, &headers, client)
}

/// `GET /v1/usage/computing` (and `/accounts/NAME/...`): validated, forwarded, answered
/// with the upstream's body. The route's layers limit the rate and add `no-store`.
async fn api(
    State(state): State<Arc<AppState>>,
    account: ReadAccount,
    mut request: Request,
) -> Result<Response, Error> {
    let ReadAccount {
        name: account,
        uri,
        forwarder,
    } = account;
    // A trusted front's own Authorization (nginx passing on its basic auth) is not BCE's:
    // in server-signed mode the server signs and never reads one, so it is dropped rather
    // than refused. From anyone else it still means a page signing for the wrong mode.
    if forwarder.mode() == ModeKind::ServerSigned
        && state
            .trusted_proxies
            .contains(client::peer_of(request.extensions()))
    {
        request.headers_mut().remove(header::AUTHORIZATION);
    }
    let forward = rules::validate(request.method(), &uri, request.headers(), forwarder.mode())
        .inspect_err(refused)?;
    let [(_, begin), (_, end)] = forward.query.query_pairs();
    let span = tracing::Span::current();
    if let Some(account) = &account {
        span.record("account", account.as_str());
    }
    span.record("begin", begin.as_str());
    span.record("end", end.as_str());
    // Server-signed with a store: settled days from the store, the rest from upstream.
    let answer = match (&state.history, &account, forwarder.mode()) {
        (Some(history), Some(name), ModeKind::ServerSigned) => {
            history.answer(name, &forwarder, &forward).await
        }
        _ => forwarder.forward(&forward).await,
    };
    let answer = answer.inspect_err(|error| {
        tracing::warn!(
            code = error.kind().code(),
            message = error.message(),
            "upstream fault"
        )
    })?;
    tracing::debug!(
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
    Ok(response)
}

/// What the router does not match: a target that reads as the API goes to the data route
/// (`usage`, with its layers); anything else is one of the dashboard's files, or a JSON
/// `NotFound` without a dashboard.
async fn fallback(
    state: Arc<AppState>,
    usage: MethodRouter,
    request: Request,
) -> Result<Response, Error> {
    let uri = request.uri();
    if rules::routes_to_api(uri.path()) || uri.authority().is_some() || uri.scheme().is_some() {
        let Ok(response) = usage.oneshot(request).await;
        return Ok(response);
    }
    let Some(statics) = state.statics.clone() else {
        return Err(Error::new(
            ErrorKind::NotFound,
            "no dashboard is served here (start the proxy with --dist DIR, the built dashboard); \
             the API is GET /v1/usage/computing",
        ));
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
    Ok(response)
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
        assert!(CONTENT_SECURITY_POLICY.contains("worker-src 'self';"));
        assert!(!CONTENT_SECURITY_POLICY.contains("'unsafe-eval'"));
        assert!(!CONTENT_SECURITY_POLICY.contains("'unsafe-inline'"));
    }
}
