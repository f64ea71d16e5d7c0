//! Where requests go and who they are from: the endpoint (BEC, a bec-usage server, the
//! stand-in), the signature (with the host it covers), a server's account path, a sign-in
//! session and extra headers.

use std::fmt;

use bec_usage::service::USAGE_PATH;
use bec_usage::signing::Credentials;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;

use crate::error::{Error, Result};

/// The environment variable holding a session cookie of a bec-usage server, as its
/// `Set-Cookie` gave it (`bec_session=...`).
pub const ENV_SESSION: &str = "BEC_USAGE_SESSION";
/// The environment variable holding the password of `--user`.
pub const ENV_PASSWORD: &str = "BEC_USAGE_PASSWORD";

/// An endpoint: an http(s) origin, optionally with a path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The origin and prefix, without a trailing slash (`https://bec.baidubce.com`).
    base: String,
    /// `host` or `host:port` as in the URL: what the request's `Host` header will be.
    host: String,
    /// Whether it is plain http to a host that is not loopback.
    plaintext_remote: bool,
}

impl Endpoint {
    /// Parses `--endpoint`: `http` or `https`, a host, no user information, query or
    /// fragment.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |problem: &str| {
            Error::input(format!(
                "the endpoint {text:?} {problem}; give an origin such as {} or \
                 http://127.0.0.1:8081",
                bec_usage::service::SERVICE_ENDPOINT
            ))
        };
        let url = Url::parse(text).map_err(|e| bad(&format!("is not a URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("is not http or https"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "has user information (keys and passwords never go in URLs)",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("has a query or fragment"));
        }
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err(bad("has no host")),
        };
        let plaintext_remote = url.scheme() == "http"
            && !matches!(
                url.host_str(),
                Some("localhost" | "127.0.0.1" | "[::1]" | "::1")
            );
        Ok(Endpoint {
            base: url.as_str().trim_end_matches('/').to_owned(),
            host,
            plaintext_remote,
        })
    }

    /// `host` or `host:port`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The origin and prefix, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Plain http to a host that is not loopback (worth a warning: the session cookie or
    /// the data travel in the clear).
    pub fn is_plaintext_remote(&self) -> bool {
        self.plaintext_remote
    }

    /// Whether this is BEC itself (which needs keys).
    pub fn is_bec(&self) -> bool {
        self.host == bec_usage::service::SERVICE_HOST
    }

    /// The usage URL without its query: `BASE[/accounts/NAME]/v1/usage/computing`.
    pub fn usage_url(&self, account: Option<&str>) -> String {
        match account {
            Some(name) => format!("{}/accounts/{name}{USAGE_PATH}", self.base),
            None => format!("{}{USAGE_PATH}", self.base),
        }
    }

    /// The URL of a path of a bec-usage server (`/auth/login`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// How requests are signed: with these keys, for this host.
#[derive(Clone)]
pub struct Signing {
    /// The key pair (`Debug` redacts the secret).
    pub credentials: Credentials,
    /// The host the signature covers.
    pub host: String,
}

impl fmt::Debug for Signing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signing")
            .field("credentials", &self.credentials)
            .field("host", &self.host)
            .finish()
    }
}

/// Reads `--header 'Name: value'` lines into headers; `signed` refuses the two headers
/// the signature sets.
pub fn parse_headers(lines: &[String], signed: bool) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    for line in lines {
        let bad = |problem: &str| {
            Error::input(format!(
                "the header {:?} {problem}; write it as 'Name: value', e.g. \
                 'X-Forwarded-User: alice'",
                shorten(line)
            ))
        };
        let (name, value) = line.split_once(':').ok_or_else(|| bad("has no colon"))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| bad("has a name that is not a header name"))?;
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| bad("has a value with characters a header cannot carry"))?;
        if name == reqwest::header::HOST {
            return Err(bad("sets Host, which is the endpoint's (see --sign-host)"));
        }
        if signed
            && (name == reqwest::header::AUTHORIZATION
                || name.as_str() == bec_usage::service::X_BCE_DATE)
        {
            return Err(bad(
                "is set by the signature (leave it out, or pass --unsigned)",
            ));
        }
        headers.append(name, value);
    }
    Ok(headers)
}

/// The session cookie of `BEC_USAGE_SESSION` (`name=value`), as a `Cookie` header value.
pub fn session_cookie(text: &str) -> Result<HeaderValue> {
    let text = text.trim();
    let pair = text.split(';').next().unwrap_or_default().trim();
    match pair.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() && !value.trim().is_empty() => {
            let mut header = HeaderValue::from_str(pair).map_err(|_| {
                Error::input(format!(
                    "{ENV_SESSION} has characters a cookie cannot carry; copy the \
                     name=value part of the server's Set-Cookie"
                ))
            })?;
            header.set_sensitive(true);
            Ok(header)
        }
        _ => Err(Error::input(format!(
            "{ENV_SESSION} must hold the session cookie as name=value (as the server's \
             Set-Cookie gives it, e.g. bec_session=...)"
        ))),
    }
}

/// At most 60 characters of `text`, for messages.
pub fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let bec = Endpoint::parse("https://bec.baidubce.com").expect("bec");
        assert!(bec.is_bec() && !bec.is_plaintext_remote());
        assert_eq!(
            bec.usage_url(None),
            "https://bec.baidubce.com/v1/usage/computing"
        );
        let local = Endpoint::parse("http://127.0.0.1:8081/").expect("local");
        assert_eq!(local.host(), "127.0.0.1:8081");
        assert_eq!(
            local.usage_url(Some("test")),
            "http://127.0.0.1:8081/accounts/test/v1/usage/computing"
        );
        let prefixed = Endpoint::parse("http://usage.example.com/bec/").expect("prefix");
        assert!(prefixed.is_plaintext_remote());
        assert_eq!(
            prefixed.url("/auth/login"),
            "http://usage.example.com/bec/auth/login"
        );
        for bad in [
            "bec.baidubce.com",
            "ftp://x",
            "https://user:pw@x",
            "https://x/?a=1",
        ] {
            assert_eq!(
                Endpoint::parse(bad).map_err(|e| e.exit_code()),
                Err(2),
                "{bad}"
            );
        }
    }

    #[test]
    fn headers_and_cookies() {
        let headers = parse_headers(&["X-Forwarded-User: alice".into()], false).expect("ok");
        assert_eq!(headers["x-forwarded-user"], "alice");
        assert!(parse_headers(&["Host: x".into()], false).is_err());
        assert!(parse_headers(&["Authorization: x".into()], true).is_err());
        assert!(parse_headers(&["no colon".into()], false).is_err());
        assert_eq!(
            session_cookie("bec_session=abc; Path=/").expect("cookie"),
            "bec_session=abc"
        );
        assert!(session_cookie("abc").is_err());
    }
}
