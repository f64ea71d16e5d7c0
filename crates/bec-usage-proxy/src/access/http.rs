//! The sign-in routes' answers: `POST /auth/login` and `POST /auth/logout`. The axum
//! handlers in [`crate::app`] pass the request's parts in; the answers are built here.
//! (`Cache-Control: no-store` and the request id come from the routes' layers there.)

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::sessions::TOKEN_BYTES;
use super::Access;
use crate::errors::{json_content_type, Error, ErrorKind};

/// The largest sign-in body read.
pub const MAX_LOGIN_BODY_BYTES: usize = 4096;

/// The body of `POST /auth/login`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    user: String,
    password: String,
}

/// What a sign-in attempt came to, for the log and the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Signed in.
    SignedIn,
    /// Wrong name or password.
    Failed,
    /// Too many failures from the address or for the name.
    Throttled,
    /// Not a sign-in (malformed, or no password sign-in here).
    Refused,
}

/// Answers `POST /auth/login` with `body`: a session cookie and `{"user": NAME}`, or a
/// BCE-style error. A wrong password and an unknown user get the same answer after the
/// same work. `token` is fresh random bytes for the session.
pub async fn login(
    access: Arc<Access>,
    headers: &HeaderMap,
    body: Bytes,
    peer: IpAddr,
    token: [u8; TOKEN_BYTES],
) -> (LoginOutcome, Response) {
    let refuse = |outcome, error: Error| (outcome, error.into_response());
    if !access.has_password_sign_in() {
        return refuse(
            LoginOutcome::Refused,
            Error::new(
                ErrorKind::NotFound,
                "this server has no password sign-in (start it with --users-file FILE)",
            ),
        );
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"));
    // JSON only: a form on another site cannot post JSON without a CORS preflight.
    let parsed = is_json
        .then(|| serde_json::from_slice::<LoginBody>(&body).ok())
        .flatten();
    let Some(LoginBody { user, password }) = parsed else {
        return refuse(
            LoginOutcome::Refused,
            Error::new(
                ErrorKind::InvalidRequest,
                r#"sign in with Content-Type: application/json and the body {"user": "NAME", "password": "..."}"#,
            ),
        );
    };
    if let Err(wait) = access.throttle().check(peer, &user, Instant::now()) {
        tracing::warn!(user = user.as_str(), client = %peer, "sign-in refused: too many failures");
        return refuse(
            LoginOutcome::Throttled,
            Error::new(
                ErrorKind::TooManyRequests,
                format!(
                    "too many failed sign-ins from this address or for this user; try again in {} s",
                    wait.as_secs() + 1
                ),
            )
            .with_retry_after(wait.as_secs() + 1),
        );
    }
    let checking = Arc::clone(&access);
    let checked_user = user.clone();
    // argon2id takes tens of milliseconds of CPU on purpose: off the async threads.
    let verified = tokio::task::spawn_blocking(move || match checking.users() {
        Some(users) => users.verify(&checked_user, &password),
        None => false,
    })
    .await
    .unwrap_or(false);
    if !verified {
        access.throttle().failed(peer, &user, Instant::now());
        tracing::warn!(user = user.as_str(), client = %peer, "sign-in failed");
        return refuse(
            LoginOutcome::Failed,
            Error::new(ErrorKind::SignInFailed, "wrong user name or password"),
        );
    }
    let value = access.sessions().start(&user, token, Instant::now());
    tracing::info!(user = user.as_str(), client = %peer, "signed in");
    let body = serde_json::json!({ "user": user }).to_string();
    let mut response = json(StatusCode::OK, body);
    if let Some(cookie) = access.session_set_cookie(&value) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    (LoginOutcome::SignedIn, response)
}

/// Answers `POST /auth/logout`: ends the session of the request's cookie (if any) and
/// clears the cookie.
pub fn logout(access: &Access, headers: &HeaderMap, peer: IpAddr) -> Response {
    if let Some(value) = access.session_cookie(headers) {
        if let Some(user) = access.sessions().user_of(&value, Instant::now()) {
            tracing::info!(user = user.as_str(), client = %peer, "signed out");
        }
        access.sessions().end(&value);
    }
    let mut response = json(StatusCode::OK, r#"{"user":null}"#.to_owned());
    if let Some(cookie) = access.session_clear_cookie() {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn json(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, json_content_type());
    response
}
