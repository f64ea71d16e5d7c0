//! Signing in to a bec-usage server (`--user`): `POST /auth/login` with the password, the
//! session cookie kept for the run, `POST /auth/logout` at the end so that the cookie is
//! worthless after.

use std::fmt;
use std::io::IsTerminal;

use bec_usage::json::parse_service_error;
use reqwest::header::{self, HeaderValue};

use crate::endpoint::{Endpoint, ENV_PASSWORD};
use crate::error::{Error, Result};

/// A password (`Debug` redacts it).
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The password of `user`: `BEC_USAGE_PASSWORD`, else asked on the terminal without echo.
pub fn password_for(user: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Password> {
    if let Some(password) = env(ENV_PASSWORD) {
        return Ok(Password(password));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::input(format!(
            "--user {user} needs a password: set {ENV_PASSWORD} (no terminal to ask on)"
        )));
    }
    rpassword::prompt_password(format!("password of {user}: "))
        .map(Password)
        .map_err(|e| Error::input(format!("cannot read the password: {e}")))
}

/// Signs `user` in at `endpoint`; returns the session's `Cookie` header value.
pub async fn sign_in(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    user: &str,
    password: &Password,
) -> Result<HeaderValue> {
    let what = format!("signing in as {user} at {}", endpoint.host());
    let body = serde_json::json!({ "user": user, "password": password.0 }).to_string();
    let response = http
        .post(endpoint.url("/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| Error::network(format!("{what}: {e}; check --endpoint")))?;
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let text = response.text().await.unwrap_or_default();
    if status != 200 {
        return Err(match parse_service_error(status, &text, None) {
            Some(service) => Error::service(&what, service),
            None => Error::network(format!(
                "{what}: HTTP {status} without a BCE error body; is {} a bec-usage server?",
                endpoint.base()
            )),
        });
    }
    let cookie = cookie
        .ok_or_else(|| Error::network(format!("{what}: the server set no session cookie")))?;
    let mut value = HeaderValue::from_str(&cookie)
        .map_err(|_| Error::network(format!("{what}: the session cookie is not a header value")))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Ends the session of `cookie` (best effort: a failure only leaves it to expire).
pub async fn sign_out(http: &reqwest::Client, endpoint: &Endpoint, cookie: &HeaderValue) {
    let _ = http
        .post(endpoint.url("/auth/logout"))
        .header(header::COOKIE, cookie.clone())
        .send()
        .await;
}
