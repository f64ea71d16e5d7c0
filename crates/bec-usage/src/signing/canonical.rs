//! The canonical request: the text a BCE v1 signature covers, built from the request parts
//! after checking them, and the names of the headers it signs.
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders
//! CanonicalURI          = the path, each '/'-separated segment UriEncoded
//! CanonicalQueryString  = UriEncode(name)=UriEncode(value), sorted, joined with '&'
//!                         (a parameter named `authorization` is left out)
//! CanonicalHeaders      = UriEncode(lowercase(name)):UriEncode(trim(value)), sorted, joined
//!                         with '\n' (only the headers to sign, and only non-empty values)
//! ```

use std::ops::Range;

use super::encode::{push_encoded_path, push_uri_encoded};
use super::request::{HeadersToSign, SignableRequest, DEFAULT_HEADERS_TO_SIGN};
use super::BCE_HEADER_PREFIX;
use crate::error::{Error, ErrorKind, Result};
use crate::sort::sort_by_key;
use crate::text::Quoted;

/// The `host` header, which every signature covers.
pub(crate) const HOST: &str = "host";
/// The `x-bce-date` header: the signing time, `YYYY-MM-DDThh:mm:ssZ`.
pub(crate) use crate::service::X_BCE_DATE;

/// A canonical request, with where its parts are and the signed header names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CanonicalRequest {
    text: String,
    uri: Range<usize>,
    query: Range<usize>,
    /// The signed header names, lowercase, sorted by name, joined with `;`.
    signed_headers: String,
}

impl CanonicalRequest {
    /// Checks `request` and builds its canonical request, signing the headers
    /// `headers_to_sign` selects plus `host` and `x-bce-date` (with the value `timestamp`).
    ///
    /// Errors ([`ErrorKind::InvalidSigningInput`]): a method that is not an HTTP token; an
    /// empty host or one with whitespace, `/` or non-ASCII characters; a path not starting
    /// with `/`; an empty query parameter name; a header name that is not an HTTP token, or
    /// given twice (case-insensitively); a header value with CR, LF or NUL; a `Host` header
    /// that differs from the host; an `x-bce-date` header that differs from `timestamp`.
    pub(crate) fn new(
        request: &SignableRequest<'_>,
        headers_to_sign: HeadersToSign<'_>,
        timestamp: &str,
    ) -> Result<Self> {
        validate_method(request.method)?;
        validate_host(request.host)?;
        validate_path(request.path)?;

        let mut text = String::with_capacity(
            request.method.len()
                + 3 * request.path.len()
                + 64 * (request.query.len() + request.headers.len())
                + 80,
        );
        text.push_str(request.method);
        text.push('\n');
        let uri_start = text.len();
        push_encoded_path(&mut text, request.path);
        let uri = uri_start..text.len();
        text.push('\n');

        let query_start = text.len();
        let pairs = query_pairs(request.query)?;
        push_sorted(&mut text, &pairs, '&');
        let query = query_start..text.len();
        text.push('\n');

        let headers = HeaderLines::new(request, headers_to_sign, timestamp)?;
        push_sorted(&mut text, &headers.lines, '\n');

        Ok(CanonicalRequest {
            text,
            uri,
            query,
            signed_headers: headers.signed_names(),
        })
    }

    /// The whole canonical request, the text that is signed.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The CanonicalURI: the encoded path.
    pub(crate) fn uri(&self) -> &str {
        self.text.get(self.uri.clone()).unwrap_or_default()
    }

    /// The CanonicalQueryString: the encoded query pairs, sorted.
    pub(crate) fn query(&self) -> &str {
        self.text.get(self.query.clone()).unwrap_or_default()
    }

    /// The signed header names, lowercase, sorted, joined with `;`.
    pub(crate) fn signed_headers(&self) -> &str {
        &self.signed_headers
    }
}

/// `UriEncode(name)=UriEncode(value)` for every query parameter but `authorization`, in
/// the given order.
fn query_pairs(query: &[(&str, &str)]) -> Result<Vec<String>> {
    let mut pairs = Vec::with_capacity(query.len());
    for (name, value) in query {
        if name.is_empty() {
            return Err(invalid(format!(
                "a query parameter with the value {value} has an empty name; \
                 give it a name or leave it out",
                value = Quoted(value)
            ))
            .with_field("query", format!("={value}")));
        }
        // Never signed (the official Python SDK signs it, a known defect).
        if name.eq_ignore_ascii_case("authorization") {
            continue;
        }
        let mut pair = String::with_capacity(name.len() + value.len() + 1);
        push_uri_encoded(&mut pair, name);
        pair.push('=');
        push_uri_encoded(&mut pair, value);
        pairs.push(pair);
    }
    Ok(pairs)
}

/// Appends `items` sorted bytewise, joined with `separator`.
fn push_sorted(out: &mut String, items: &[String], separator: char) {
    let mut sorted: Vec<&str> = items.iter().map(String::as_str).collect();
    sort_by_key(&mut sorted, |item| *item);
    for (index, item) in sorted.iter().enumerate() {
        if index > 0 {
            out.push(separator);
        }
        out.push_str(item);
    }
}

/// The header lines to sign, `UriEncode(lowercase(name)):UriEncode(value)`, and their
/// names, lowercase.
struct HeaderLines {
    lines: Vec<String>,
    names: Vec<String>,
}

impl HeaderLines {
    /// Checks the request's headers and selects those to sign, with `host` and
    /// `x-bce-date` added when selected.
    fn new(
        request: &SignableRequest<'_>,
        headers_to_sign: HeadersToSign<'_>,
        timestamp: &str,
    ) -> Result<Self> {
        let mut selected = HeaderLines {
            lines: Vec::with_capacity(request.headers.len() + 2),
            names: Vec::with_capacity(request.headers.len() + 2),
        };
        if should_sign(HOST, headers_to_sign) {
            selected.push(HOST, request.host);
        }
        if should_sign(X_BCE_DATE, headers_to_sign) {
            selected.push(X_BCE_DATE, timestamp);
        }
        for (index, (raw_name, raw_value)) in request.headers.iter().enumerate() {
            let name = raw_name.trim_ascii();
            let value = raw_value.trim_ascii();
            validate_header(name, value)?;
            let earlier = request.headers.get(..index).unwrap_or_default();
            if earlier
                .iter()
                .any(|(earlier, _)| earlier.trim_ascii().eq_ignore_ascii_case(name))
            {
                return Err(invalid(format!(
                    "the header {name} is given twice (names are case-insensitive); \
                     send it once, with the values joined by commas if it has several",
                    name = Quoted(name)
                ))
                .with_field("headers", name));
            }
            // The signer adds these two itself; a copy must agree with it.
            if name.eq_ignore_ascii_case(HOST) {
                if value != request.host {
                    return Err(invalid(format!(
                        "the Host header {value} differs from the host to sign {host}; \
                         leave the Host header out (the signer adds it) or make them equal",
                        value = Quoted(value),
                        host = Quoted(request.host),
                    ))
                    .with_field("headers", format!("{name}: {value}")));
                }
                continue;
            }
            if name.eq_ignore_ascii_case(X_BCE_DATE) {
                if value != timestamp {
                    return Err(invalid(format!(
                        "the x-bce-date header {value} differs from the signing time {timestamp}; \
                         leave it out (the signer adds it) or sign with the same time",
                        value = Quoted(value),
                        timestamp = Quoted(timestamp)
                    ))
                    .with_field("headers", format!("{name}: {value}")));
                }
                continue;
            }
            // Empty values are not signed (as the official SDKs do).
            if !value.is_empty() && should_sign(name, headers_to_sign) {
                selected.push(name, value);
            }
        }
        Ok(selected)
    }

    /// Adds the line of a header whose name is a checked HTTP token.
    fn push(&mut self, name: &str, value: &str) {
        let name = name.to_ascii_lowercase();
        let mut line = String::with_capacity(name.len() + value.len() + 1);
        push_uri_encoded(&mut line, &name);
        line.push(':');
        push_uri_encoded(&mut line, value);
        self.lines.push(line);
        self.names.push(name);
    }

    /// The names joined with `;`, sorted by name: not the order of the lines
    /// (`x-bce-a-b:` sorts before `x-bce-a:`, but `x-bce-a` before `x-bce-a-b`).
    fn signed_names(&self) -> String {
        let mut names = String::with_capacity(self.names.iter().map(|name| name.len() + 1).sum());
        push_sorted(&mut names, &self.names, ';');
        names
    }
}

/// Whether the header `name` is one `headers_to_sign` selects.
fn should_sign(name: &str, headers_to_sign: HeadersToSign<'_>) -> bool {
    match headers_to_sign {
        HeadersToSign::Default => {
            DEFAULT_HEADERS_TO_SIGN
                .iter()
                .any(|default| default.eq_ignore_ascii_case(name))
                || name
                    .get(..BCE_HEADER_PREFIX.len())
                    .is_some_and(|prefix| prefix.eq_ignore_ascii_case(BCE_HEADER_PREFIX))
        }
        HeadersToSign::Only(names) => names
            .iter()
            .any(|listed| listed.trim_ascii().eq_ignore_ascii_case(name)),
    }
}

fn validate_method(method: &str) -> Result<()> {
    if is_token(method) {
        return Ok(());
    }
    Err(invalid(format!(
        "the method {method} is not an HTTP method; use e.g. GET, PUT, POST",
        method = Quoted(method)
    ))
    .with_field("method", method))
}

fn validate_host(host: &str) -> Result<()> {
    if host.is_empty() {
        return Err(invalid(
            "the host is empty; use the host the request reaches, e.g. bec.baidubce.com",
        )
        .with_field("host", host));
    }
    if !host
        .bytes()
        .all(|byte| byte.is_ascii_graphic() && byte != b'/')
    {
        return Err(invalid(format!(
            "the host {host} has whitespace, '/', control or non-ASCII characters; \
             give only the host name (and :port), e.g. bec.baidubce.com, \
             with international names in punycode",
            host = Quoted(host)
        ))
        .with_field("host", host));
    }
    Ok(())
}

fn validate_path(path: &str) -> Result<()> {
    if path.starts_with('/') {
        return Ok(());
    }
    Err(invalid(format!(
        "the path {path} does not start with '/'; give the raw path, e.g. /v1/usage/computing",
        path = Quoted(path)
    ))
    .with_field("path", path))
}

fn validate_header(name: &str, value: &str) -> Result<()> {
    if !is_token(name) {
        return Err(invalid(format!(
            "the header name {name} is not an HTTP header name \
             (letters, digits and !#$%&'*+-.^_`|~ only)",
            name = Quoted(name)
        ))
        .with_field("headers", name));
    }
    if value.bytes().any(|byte| matches!(byte, b'\r' | b'\n' | 0)) {
        return Err(invalid(format!(
            "the value of header {name} contains a line break or NUL, which HTTP does not allow",
            name = Quoted(name)
        ))
        .with_field("headers", name));
    }
    Ok(())
}

/// An HTTP token (RFC 9110 `tchar`s, at least one).
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// An [`ErrorKind::InvalidSigningInput`] error.
pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidSigningInput, message)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const TIMESTAMP: &str = "2024-02-01T03:04:05Z";

    fn usage_request() -> SignableRequest<'static> {
        SignableRequest::new("GET", "bec.baidubce.com", "/v1/usage/computing")
    }

    fn canonical(request: &SignableRequest<'_>, headers: HeadersToSign<'_>) -> CanonicalRequest {
        CanonicalRequest::new(request, headers, TIMESTAMP).expect("a valid request")
    }

    fn error(request: &SignableRequest<'_>) -> Error {
        CanonicalRequest::new(request, HeadersToSign::Default, TIMESTAMP)
            .expect_err("an invalid request")
    }

    #[test]
    fn the_usage_request_has_four_lines_of_parts() {
        let query = [("endDate", "2024-01-31"), ("beginDate", "2024-01-01")];
        let request = usage_request().with_query(&query);
        let canonical = canonical(&request, HeadersToSign::Default);
        assert_eq!(
            canonical.text(),
            "GET\n/v1/usage/computing\nbeginDate=2024-01-01&endDate=2024-01-31\n\
             host:bec.baidubce.com\nx-bce-date:2024-02-01T03%3A04%3A05Z"
        );
        assert_eq!(canonical.uri(), "/v1/usage/computing");
        assert_eq!(canonical.query(), "beginDate=2024-01-01&endDate=2024-01-31");
        assert_eq!(canonical.signed_headers(), "host;x-bce-date");
    }

    #[test]
    fn path_segments_are_encoded_and_slashes_kept() {
        let request = SignableRequest::new("PUT", "h", "/a b//ü/");
        assert_eq!(
            canonical(&request, HeadersToSign::Default).uri(),
            "/a%20b//%C3%BC/"
        );
    }

    #[test]
    fn query_pairs_sort_on_their_encoded_text_and_authorization_is_left_out() {
        // Bytewise: uppercase before lowercase, and '%' (0x25) before '=' (0x3D).
        let query = [("a", "2"), ("a b", ""), ("Authorization", "x"), ("B", "1")];
        let request = usage_request().with_query(&query);
        assert_eq!(
            canonical(&request, HeadersToSign::Default).query(),
            "B=1&a%20b=&a=2"
        );
    }

    #[test]
    fn header_lines_sort_as_lines_and_names_as_names() {
        let headers = [
            ("X-Bce-A", "1"),
            ("x-bce-a-b", "2"),
            ("Content-Type", " t "),
        ];
        let request = usage_request().with_headers(&headers);
        let canonical = canonical(&request, HeadersToSign::Default);
        let lines: Vec<&str> = canonical.text().split('\n').skip(3).collect();
        assert_eq!(
            lines,
            [
                "content-type:t",
                "host:bec.baidubce.com",
                "x-bce-a-b:2",
                "x-bce-a:1",
                "x-bce-date:2024-02-01T03%3A04%3A05Z",
            ]
        );
        assert_eq!(
            canonical.signed_headers(),
            "content-type;host;x-bce-a;x-bce-a-b;x-bce-date"
        );
    }

    #[test]
    fn only_the_listed_headers_present_with_a_value_are_signed() {
        let headers = [("x-bce-meta", "v"), ("content-md5", ""), ("Accept", "*/*")];
        let request = usage_request().with_headers(&headers);
        let names = ["Host", " accept ", "content-md5", "absent"];
        let canonical = canonical(&request, HeadersToSign::Only(&names));
        assert_eq!(canonical.signed_headers(), "accept;host");
        assert!(canonical
            .text()
            .ends_with("\naccept:%2A%2F%2A\nhost:bec.baidubce.com"));
    }

    #[test]
    fn host_and_date_headers_must_agree_with_what_the_signer_adds() {
        let agreeing = [("Host", "bec.baidubce.com"), ("X-BCE-Date", TIMESTAMP)];
        let request = usage_request().with_headers(&agreeing);
        assert_eq!(
            canonical(&request, HeadersToSign::Default).signed_headers(),
            "host;x-bce-date"
        );
        for header in [
            ("host", "other.example"),
            ("x-bce-date", "2024-02-01T03:04:06Z"),
        ] {
            let headers = [header];
            let error = error(&usage_request().with_headers(&headers));
            assert_eq!(error.kind(), ErrorKind::InvalidSigningInput);
            assert_eq!(error.field(), Some("headers"));
        }
    }

    #[test]
    fn malformed_parts_are_refused_naming_the_field() {
        let query = [("", "v")];
        let twice = [("x-bce-a", "1"), ("X-Bce-A", "2")];
        let bad_name = [("a b", "1")];
        let bad_value = [("x-bce-a", "1\r\n2")];
        let cases = [
            (SignableRequest::new("GE T", "h", "/"), "method"),
            (SignableRequest::new("GET", "", "/"), "host"),
            (SignableRequest::new("GET", "h/x", "/"), "host"),
            (SignableRequest::new("GET", "hé", "/"), "host"),
            (SignableRequest::new("GET", "h", "v1"), "path"),
            (usage_request().with_query(&query), "query"),
            (usage_request().with_headers(&twice), "headers"),
            (usage_request().with_headers(&bad_name), "headers"),
            (usage_request().with_headers(&bad_value), "headers"),
        ];
        for (request, field) in cases {
            let error = error(&request);
            assert_eq!(error.kind(), ErrorKind::InvalidSigningInput, "{request:?}");
            assert_eq!(error.field(), Some(field), "{request:?}");
        }
    }

    #[test]
    fn tokens_are_rfc_9110_tchars() {
        assert!(is_token("GET"));
        assert!(is_token("x-bce-!#$%&'*+.^_`|~"));
        for text in ["", "a b", "a:b", "a/b", "é", "a\0"] {
            assert!(!is_token(text), "{text:?}");
        }
    }
}
