//! The scrape token (`--metrics-token-file FILE`): with it, `GET /metrics` answers only
//! requests carrying `Authorization: Bearer <token>`, as Prometheus sends it from
//! `authorization: { credentials_file: FILE }`, on the main listener and on
//! `--metrics-listen`. Anything else gets 401 `SignInRequired` and no metrics.
//!
//! Only the token's SHA-256 is kept, and compared in constant time with the SHA-256 of
//! what a request presents (so neither the token's bytes nor its length can be timed).
//! `Debug` shows neither; the token is never logged.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::errors::{Error, ErrorKind, Result};

/// The shortest token accepted: 16 characters (a guessable token would be no lock).
pub const MIN_TOKEN_CHARS: usize = 16;

/// The scrape token, as its SHA-256.
#[derive(Clone)]
pub struct MetricsToken {
    digest: [u8; 32],
}

impl fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsToken(redacted)")
    }
}

impl MetricsToken {
    /// The token of a file's text: surrounding whitespace (a final newline) is dropped, as
    /// Prometheus drops it from a `credentials_file`. It must have at least
    /// [`MIN_TOKEN_CHARS`] characters, all visible ASCII (it travels in a header).
    pub fn new(text: &str, source: &str) -> Result<Self> {
        let token = text.trim();
        let make_one = "make one with `head -c 32 /dev/urandom | base64 > FILE`";
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::new(
                ErrorKind::Config,
                format!(
                    "the metrics token in {source} holds spaces or characters other than \
                     visible ASCII, which cannot travel in an Authorization header; {make_one}"
                ),
            ));
        }
        if token.len() < MIN_TOKEN_CHARS {
            return Err(Error::new(
                ErrorKind::Config,
                format!(
                    "the metrics token in {source} has {} characters; it needs at least \
                     {MIN_TOKEN_CHARS}: {make_one}",
                    token.len()
                ),
            ));
        }
        Ok(MetricsToken {
            digest: Sha256::digest(token.as_bytes()).into(),
        })
    }

    /// Reads the token of `--metrics-token-file`.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("cannot read the metrics token file {}: {e}", path.display()),
            )
        })?;
        MetricsToken::new(&text, &format!("the file {}", path.display()))
    }

    /// Whether `headers` hold exactly one `Authorization: Bearer <this token>` (the scheme
    /// in any case, as RFC 9110 has it).
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return false;
        };
        let Some((scheme, presented)) = value.as_bytes().split_first_chunk::<7>() else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case(b"Bearer ") {
            return false;
        }
        let presented: [u8; 32] = Sha256::digest(presented.trim_ascii()).into();
        presented.ct_eq(&self.digest).into()
    }
}

/// The middleware in front of `GET /metrics` when a token is set: the request goes on
/// with the token, and is answered 401 without it.
pub async fn require_token(
    State(token): State<Arc<MetricsToken>>,
    request: Request,
    next: Next,
) -> Response {
    if token.admits(request.headers()) {
        return next.run(request).await;
    }
    let error = Error::new(
        ErrorKind::SignInRequired,
        "GET /metrics needs the header Authorization: Bearer TOKEN, with the token of \
         --metrics-token-file (Prometheus: authorization: { credentials_file: FILE })",
    );
    let mut response = error.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer realm="metrics""#),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "s3cret-scrape-token-0123456789";

    fn with_authorization(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                header::AUTHORIZATION,
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        headers
    }

    #[test]
    fn only_the_bearer_token_is_admitted() {
        let token = MetricsToken::new(&format!("{TOKEN}\n"), "a test").expect("valid");
        for good in [
            format!("Bearer {TOKEN}"),
            format!("bearer {TOKEN}"),
            format!("BEARER  {TOKEN} "),
        ] {
            assert!(token.admits(&with_authorization(&[&good])), "{good}");
        }
        for bad in [
            String::new(),
            "Bearer".to_owned(),
            "Bearer ".to_owned(),
            format!("Basic {TOKEN}"),
            format!("Bearer {TOKEN}x"),
            format!("Bearer {}", &TOKEN[1..]),
            format!("Bearer{TOKEN}"),
            TOKEN.to_owned(),
        ] {
            assert!(!token.admits(&with_authorization(&[&bad])), "{bad:?}");
        }
        assert!(!token.admits(&HeaderMap::new()), "no header");
        let good = format!("Bearer {TOKEN}");
        assert!(
            !token.admits(&with_authorization(&[&good, &good])),
            "two Authorization headers"
        );
    }

    #[test]
    fn weak_or_unsendable_tokens_are_refused_and_debug_is_redacted() {
        for text in ["", "  \n", "short-token", "has a space in it, long enough"] {
            let error = MetricsToken::new(text, "a test").expect_err(text);
            assert_eq!(error.kind(), ErrorKind::Config);
            assert!(
                error.message().contains("head -c 32"),
                "{}",
                error.message()
            );
            assert!(!error.message().contains(text.trim()) || text.trim().is_empty());
        }
        let token = MetricsToken::new(TOKEN, "a test").expect("valid");
        let debug = format!("{token:?}");
        assert_eq!(debug, "MetricsToken(redacted)");
        assert!(!debug.contains(TOKEN));
    }

    #[test]
    fn a_missing_file_is_named() {
        let error = MetricsToken::read(Path::new("/nonexistent/metrics-token")).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config);
        assert!(error.message().contains("/nonexistent/metrics-token"));
    }
}
