//! What the proxy forwards and what it refuses: pure functions of the request's method,
//! target and headers, testable without a socket.
//!
//! The proxy is never an open proxy nor a signing oracle. It forwards exactly one kind of
//! request, to one upstream fixed at start:
//!
//! - the target is the plain path `/v1/usage/computing` in origin form: an absolute URL
//!   (`GET http://other/...`), `.` or `..` segments, `//`, a backslash or any
//!   percent-encoded byte (such as an encoded slash `%2F`) is refused as `InvalidURI`,
//!   and every other path under `/v1/` is refused as `NotFound`;
//! - the method is `GET` (`MethodNotAllowed` otherwise);
//! - the query is exactly `beginDate=YYYY-MM-DD&endDate=YYYY-MM-DD`, in either order,
//!   each once, unencoded, valid by the core's [`UsageQuery::new`] (`InvalidParameter`);
//! - no body (`Transfer-Encoding`, or a `Content-Length` other than 0), no Host, URL or
//!   method override headers ([`OVERRIDE_HEADERS`]), one `Host`, and no `x-bce-*` header
//!   besides `x-bce-date` (`InvalidHTTPRequest`);
//! - server-signed mode: no `Authorization` and no `x-bce-date` (the proxy signs);
//! - relay mode: exactly one well-formed `bce-auth-v1` `Authorization` that signs only
//!   `host` and `x-bce-date`, and exactly one `x-bce-date` equal to its timestamp
//!   (`InvalidHTTPAuthHeader`).
//!
//! Nothing of the incoming request is copied upstream but the validated dates and, in
//! relay mode, the two validated signing headers: the upstream request is built anew.

use std::fmt;

use axum::http::{header, HeaderMap, HeaderValue, Method, Uri};
use bec_usage::signing::parse_authorization;
use bec_usage::UsageQuery;

use crate::accounts::ACCOUNTS_PREFIX;
use crate::errors::{Error, ErrorKind, Result};

/// The one path the proxy forwards, the same as BEC's (the core's constant).
pub use bec_usage::service::USAGE_PATH;

/// Headers that ask an intermediary to use another host, URL or method. The proxy refuses
/// requests that carry any of them rather than silently ignoring them.
pub const OVERRIDE_HEADERS: [&str; 9] = [
    "x-forwarded-host",
    "forwarded",
    "x-host",
    "x-original-host",
    "x-original-url",
    "x-rewrite-url",
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

/// The `x-bce-date` header (the core's constant).
pub use bec_usage::service::X_BCE_DATE;

/// How the proxy authenticates upstream; decides which signing headers a request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeKind {
    /// The proxy holds the keys and signs; clients send no signing headers.
    ServerSigned,
    /// Clients sign; the proxy checks the form of their headers and forwards them.
    Relay,
}

impl fmt::Display for ModeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModeKind::ServerSigned => "server-signed",
            ModeKind::Relay => "relay",
        })
    }
}

/// A client's signature in relay mode, checked for form (not for validity: the proxy has no
/// key). `Debug` does not show the values.
#[derive(Clone, PartialEq, Eq)]
pub struct RelaySignature {
    /// The `Authorization` value, forwarded unchanged.
    pub authorization: HeaderValue,
    /// The `x-bce-date` value, forwarded unchanged.
    pub x_bce_date: HeaderValue,
}

impl fmt::Debug for RelaySignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelaySignature")
            .field("authorization", &"<redacted>")
            .field("x_bce_date", &self.x_bce_date)
            .finish()
    }
}

/// A request the proxy will forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardRequest {
    /// The validated dates.
    pub query: UsageQuery,
    /// The client's signature, in relay mode.
    pub relay: Option<RelaySignature>,
}

/// Checks an incoming request against every rule of the module documentation.
///
/// Only paths that the router sends here are checked: everything under `/v1/`, and any
/// target that could be read as such (see [`routes_to_api`]).
pub fn validate(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    mode: ModeKind,
) -> Result<ForwardRequest> {
    check_target(uri)?;
    if method != Method::GET {
        return Err(Error::new(
            ErrorKind::MethodNotAllowed,
            format!(
                "the method {} is not allowed; {USAGE_PATH} answers GET only",
                shorten(method.as_str())
            ),
        ));
    }
    check_framing_and_overrides(headers)?;
    let query = check_query(uri.query())?;
    let relay = match mode {
        ModeKind::ServerSigned => {
            for name in [header::AUTHORIZATION.as_str(), X_BCE_DATE] {
                if headers.contains_key(name) {
                    return Err(Error::new(
                        ErrorKind::InvalidRequest,
                        format!(
                            "this proxy signs requests itself (server-signed mode), so a request \
                             must not carry {name}; send only beginDate and endDate"
                        ),
                    ));
                }
            }
            None
        }
        ModeKind::Relay => Some(check_relay_signature(headers)?),
    };
    Ok(ForwardRequest { query, relay })
}

/// Whether the router must hand a request for `raw_path` to the API handler (and so to
/// [`validate`]) rather than to the static files: `/v1` and everything under it, and any
/// path that could become one after decoding or normalising (percent-encoded bytes, `..`,
/// `//`, backslashes, `/V1/`). Static files are served only for plain paths outside `/v1/`.
pub fn routes_to_api(raw_path: &str) -> bool {
    let lower = raw_path.to_ascii_lowercase();
    lower == "/v1"
        || lower.starts_with("/v1/")
        || lower == ACCOUNTS_PREFIX
        || lower.starts_with("/accounts/")
        || raw_path.contains('%')
        || raw_path.contains('\\')
        || raw_path.contains("//")
        || raw_path
            .split('/')
            .any(|segment| segment == ".." || segment == ".")
}

/// Splits `/accounts/NAME/v1/...` into the account's name and the request as BEC's own
/// path (`/v1/...` with the same query); other targets come back whole, with no name. The
/// whole path is checked as [`validate`] checks one (no encoded bytes, dot segments, empty
/// segments or backslashes), so the prefix hides nothing from the rules.
pub fn split_account(uri: &Uri) -> Result<(Option<String>, Uri)> {
    if uri.scheme().is_some() || uri.authority().is_some() {
        return Ok((None, uri.clone())); // refused whole by `validate`
    }
    check_plain_path(uri.path())?;
    let path = uri.path();
    let Some(rest) = path
        .strip_prefix(ACCOUNTS_PREFIX)
        .and_then(|rest| rest.strip_prefix('/'))
    else {
        if path == ACCOUNTS_PREFIX {
            return Err(Error::new(
                ErrorKind::NotFound,
                "name an account: /accounts/NAME/v1/usage/computing (the names are in /healthz)",
            ));
        }
        return Ok((None, uri.clone()));
    };
    let (name, bec_path) = rest
        .split_once('/')
        .map_or((rest, ""), |(name, _)| (name, &rest[name.len()..]));
    let target = match uri.query() {
        Some(query) => format!("{bec_path}?{query}"),
        None => bec_path.to_owned(),
    };
    let bec_uri = Uri::try_from(if target.is_empty() {
        "/".to_owned()
    } else {
        target
    })
    .map_err(|_| {
        Error::new(
            ErrorKind::InvalidUri,
            "the path after the account's name is not a path",
        )
    })?;
    Ok((Some(name.to_owned()), bec_uri))
}

fn check_plain_path(path: &str) -> Result<()> {
    let problem = if path.contains('%') {
        Some("has percent-encoded characters (such as an encoded slash); the usage path needs none")
    } else if path.contains('\\') {
        Some("has a backslash")
    } else if path.contains("//") {
        Some("has an empty segment ('//')")
    } else if path
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        Some("has '.' or '..' segments")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::new(
            ErrorKind::InvalidUri,
            format!("the path {} {problem}", quoted(path)),
        )),
        None => Ok(()),
    }
}

fn check_target(uri: &Uri) -> Result<()> {
    if uri.scheme().is_some() || uri.authority().is_some() {
        return Err(Error::new(
            ErrorKind::InvalidUri,
            "absolute URLs are refused: this proxy forwards only to its own upstream; \
             request the path /v1/usage/computing",
        ));
    }
    let path = uri.path();
    check_plain_path(path)?;
    if path != USAGE_PATH {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "the path {} is not served; under /v1/ this proxy answers only GET {USAGE_PATH}",
                quoted(path)
            ),
        ));
    }
    Ok(())
}

fn check_framing_and_overrides(headers: &HeaderMap) -> Result<()> {
    if headers.contains_key(header::TRANSFER_ENCODING) {
        return Err(invalid_request(
            "a GET of the usage path has no body, but the request has Transfer-Encoding",
        ));
    }
    for value in headers.get_all(header::CONTENT_LENGTH) {
        if value.as_bytes() != b"0" {
            return Err(invalid_request(
                "a GET of the usage path has no body, but the request has a Content-Length",
            ));
        }
    }
    if headers.get_all(header::HOST).iter().count() > 1 {
        return Err(invalid_request("the request has more than one Host header"));
    }
    for name in OVERRIDE_HEADERS {
        if headers.contains_key(name) {
            return Err(invalid_request(format!(
                "the header {name} is refused: this proxy forwards only to its fixed upstream \
                 with a fixed method and path"
            )));
        }
    }
    for name in headers.keys() {
        let name = name.as_str();
        if name.starts_with("x-bce-") && name != X_BCE_DATE {
            return Err(invalid_request(format!(
                "the header {} is refused: of the x-bce-* headers only x-bce-date is forwarded",
                shorten(name)
            )));
        }
    }
    Ok(())
}

fn check_query(query: Option<&str>) -> Result<UsageQuery> {
    let query = query.unwrap_or_default();
    if query.contains('%') || query.contains('+') {
        return Err(invalid_parameter(
            "the query has encoded characters; the dates need none: \
             send beginDate=YYYY-MM-DD&endDate=YYYY-MM-DD",
        ));
    }
    let (mut begin, mut end) = (None, None);
    if !query.is_empty() {
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').ok_or_else(|| {
                invalid_parameter(format!(
                    "the query part {} has no '='; send beginDate=YYYY-MM-DD&endDate=YYYY-MM-DD",
                    quoted(pair)
                ))
            })?;
            let slot = match name {
                "beginDate" => &mut begin,
                "endDate" => &mut end,
                _ => {
                    return Err(invalid_parameter(format!(
                    "the query parameter {} is not accepted; send exactly beginDate and endDate",
                    quoted(name)
                )))
                }
            };
            if slot.replace(value).is_some() {
                return Err(invalid_parameter(format!(
                    "the query parameter {name} is given twice; give it once"
                )));
            }
        }
    }
    let (Some(begin), Some(end)) = (begin, end) else {
        let missing = match (begin, end) {
            (None, None) => "beginDate and endDate are",
            (None, Some(_)) => "beginDate is",
            _ => "endDate is",
        };
        return Err(invalid_parameter(format!(
            "{missing} missing; send beginDate=YYYY-MM-DD&endDate=YYYY-MM-DD"
        )));
    };
    UsageQuery::new(begin, end).map_err(|error| {
        invalid_parameter(format!("{} ({})", error.message(), error.kind().as_str()))
    })
}

fn check_relay_signature(headers: &HeaderMap) -> Result<RelaySignature> {
    let authorization = single_header(headers, header::AUTHORIZATION.as_str())?;
    let x_bce_date = single_header(headers, X_BCE_DATE)?;
    let text = authorization
        .to_str()
        .map_err(|_| auth_error("the Authorization header has bytes that are not visible ASCII"))?;
    // A browser sends a front's basic-auth credentials in the same header the page's
    // signature needs: say so rather than only that the signature is malformed.
    let scheme = text.split(' ').next().unwrap_or_default();
    if scheme.eq_ignore_ascii_case("basic") || scheme.eq_ignore_ascii_case("bearer") {
        return Err(auth_error(format!(
            "the Authorization header is {scheme} credentials, not a bce-auth-v1 signature: \
             in relay mode the page's signature travels in Authorization, so a front with \
             basic auth cannot stand before a relaying server (use one that signs users in \
             with a cookie, such as oauth2-proxy, or give the server the keys)"
        )));
    }
    let parsed = parse_authorization(text).map_err(|error| {
        // The core's message quotes the whole value; name the problem without echoing a
        // signature into answers and logs.
        let message = redact_quoted(error.message()).replacen(
            "the Authorization value \"…\"",
            "the Authorization header",
            1,
        );
        auth_error(message)
    })?;
    let allowed = ["host", X_BCE_DATE];
    if let Some(other) = parsed
        .signed_headers
        .iter()
        .find(|name| !allowed.contains(&name.as_str()))
    {
        return Err(auth_error(format!(
            "the Authorization signs the header {}, which this proxy does not forward; \
             sign only host and x-bce-date",
            shorten(other)
        )));
    }
    if !parsed.signed_headers.is_empty() && !parsed.signed_headers.iter().any(|n| n == "host") {
        return Err(auth_error(
            "the Authorization does not sign host; sign host and x-bce-date",
        ));
    }
    let date = x_bce_date
        .to_str()
        .map_err(|_| auth_error("the x-bce-date header is not ASCII"))?;
    let signed = parsed.timestamp.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    if date != signed {
        return Err(auth_error(format!(
            "x-bce-date {} differs from the Authorization's signing time {signed}; \
             send the x-bce-date that was signed",
            quoted(date)
        )));
    }
    Ok(RelaySignature {
        authorization: authorization.clone(),
        x_bce_date: x_bce_date.clone(),
    })
}

/// `text` with the content of every double-quoted part replaced by `…`.
fn redact_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    let mut escaped = false;
    for c in text.chars() {
        if inside {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                inside = false;
                out.push_str("…\"");
            }
        } else {
            out.push(c);
            inside = c == '"';
        }
    }
    if inside {
        out.push_str("…\"");
    }
    out
}

fn single_header<'h>(headers: &'h HeaderMap, name: &str) -> Result<&'h HeaderValue> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (Some(value), None) => Ok(value),
        (None, _) => Err(auth_error(format!(
            "the request has no {name} header; in relay mode the page signs the request \
             (host = the upstream host) and sends Authorization and x-bce-date"
        ))),
        (Some(_), Some(_)) => Err(auth_error(format!(
            "the request has more than one {name} header"
        ))),
    }
}

fn invalid_request(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, message)
}

fn invalid_parameter(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidParameter, message)
}

fn auth_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidAuthHeader, message)
}

/// Client text in a message: quoted, and cut at 80 characters.
fn quoted(text: &str) -> String {
    format!("{:?}", shorten(text))
}

fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bec_usage::signing::{sign, Credentials, SignableRequest, SigningParams};
    use chrono::{TimeZone, Utc};

    const GOOD: &str = "/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-31";

    fn check(
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        mode: ModeKind,
    ) -> Result<ForwardRequest> {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let uri: Uri = target.parse().expect("uri");
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        validate(&method, &uri, &map, mode)
    }

    fn kind(result: Result<ForwardRequest>) -> ErrorKind {
        result.expect_err("refused").kind()
    }

    fn relay_headers(signed: Option<&[&str]>) -> (String, String) {
        let credentials = Credentials::new("ak", "sk").expect("keys");
        let time = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
        let query = [("beginDate", "2024-01-01"), ("endDate", "2024-01-31")];
        let request = SignableRequest::new("GET", bec_usage::service::SERVICE_HOST, USAGE_PATH)
            .with_query(&query);
        let mut params = SigningParams::new(&credentials, time);
        if let Some(names) = signed {
            params = params.with_headers_to_sign(bec_usage::signing::HeadersToSign::Only(names));
        }
        let output = sign(&request, &params).expect("sign");
        (
            output.authorization().to_owned(),
            output.x_bce_date().to_owned(),
        )
    }

    #[test]
    fn the_usage_request_passes_in_server_signed_mode() {
        let forward = check(
            "GET",
            GOOD,
            &[("host", "localhost:8080")],
            ModeKind::ServerSigned,
        )
        .expect("valid");
        assert_eq!(forward.query.days(), 31);
        assert_eq!(forward.relay, None);
        let reversed = "/v1/usage/computing?endDate=2024-01-31&beginDate=2024-01-01";
        assert!(check("GET", reversed, &[], ModeKind::ServerSigned).is_ok());
    }

    #[test]
    fn other_targets_are_refused() {
        let mode = ModeKind::ServerSigned;
        assert_eq!(
            kind(check(
                "GET",
                "http://evil.example/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-02",
                &[],
                mode
            )),
            ErrorKind::InvalidUri
        );
        assert_eq!(
            kind(check("GET", "/v1/usage/../usage/computing", &[], mode)),
            ErrorKind::InvalidUri
        );
        assert_eq!(
            kind(check("GET", "/v1/usage/./computing", &[], mode)),
            ErrorKind::InvalidUri
        );
        assert_eq!(
            kind(check("GET", "/v1/usage%2Fcomputing", &[], mode)),
            ErrorKind::InvalidUri
        );
        assert_eq!(
            kind(check("GET", "/v1/usage/computin%67", &[], mode)),
            ErrorKind::InvalidUri
        );
        assert_eq!(
            kind(check("GET", "/v1//usage/computing", &[], mode)),
            ErrorKind::InvalidUri
        );
        assert_eq!(
            kind(check("GET", "/v1/usage/computing/", &[], mode)),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(check("GET", "/v1/instance", &[], mode)),
            ErrorKind::NotFound
        );
        assert_eq!(kind(check("GET", "/v1", &[], mode)), ErrorKind::NotFound);
    }

    #[test]
    fn other_methods_are_refused() {
        for method in [
            "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT",
        ] {
            assert_eq!(
                kind(check(method, GOOD, &[], ModeKind::ServerSigned)),
                ErrorKind::MethodNotAllowed,
                "{method}"
            );
        }
    }

    #[test]
    fn the_query_must_be_exactly_the_two_dates() {
        let mode = ModeKind::ServerSigned;
        let cases = [
            "/v1/usage/computing",
            "/v1/usage/computing?beginDate=2024-01-01",
            "/v1/usage/computing?endDate=2024-01-01",
            "/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-02&x=1",
            "/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-02&",
            "/v1/usage/computing?beginDate=2024-01-01&beginDate=2024-01-01&endDate=2024-01-02",
            "/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-02&authorization=x",
            "/v1/usage/computing?beginDate=2024%2D01-01&endDate=2024-01-02",
            "/v1/usage/computing?beginDate=2024-01-01&endDate",
            "/v1/usage/computing?begindate=2024-01-01&endDate=2024-01-02",
            "/v1/usage/computing?beginDate=2024-01-02&endDate=2024-01-01",
            "/v1/usage/computing?beginDate=2024-01-01&endDate=2024-02-01",
            "/v1/usage/computing?beginDate=2023-02-29&endDate=2023-03-01",
        ];
        for target in cases {
            assert_eq!(
                kind(check("GET", target, &[], mode)),
                ErrorKind::InvalidParameter,
                "{target}"
            );
        }
        let error = check("GET", cases[11], &[], mode).unwrap_err();
        assert!(
            error.message().contains("RangeTooLong"),
            "{}",
            error.message()
        );
    }

    #[test]
    fn bodies_overrides_and_smuggling_headers_are_refused() {
        let mode = ModeKind::ServerSigned;
        let cases: [&[(&str, &str)]; 9] = [
            &[("transfer-encoding", "chunked")],
            &[("content-length", "5")],
            &[("content-length", "0"), ("content-length", "5")],
            &[("host", "a"), ("host", "b")],
            &[("x-forwarded-host", "evil.example")],
            &[("x-http-method-override", "DELETE")],
            &[("forwarded", "host=evil.example")],
            &[("x-original-url", "/v1/other")],
            &[("x-bce-security-token", "t")],
        ];
        for headers in cases {
            assert_eq!(
                kind(check("GET", GOOD, headers, mode)),
                ErrorKind::InvalidRequest,
                "{headers:?}"
            );
        }
        assert!(check("GET", GOOD, &[("content-length", "0")], mode).is_ok());
    }

    #[test]
    fn server_signed_mode_refuses_signing_headers() {
        let (authorization, date) = relay_headers(None);
        let mode = ModeKind::ServerSigned;
        assert_eq!(
            kind(check(
                "GET",
                GOOD,
                &[("authorization", &authorization)],
                mode
            )),
            ErrorKind::InvalidRequest
        );
        assert_eq!(
            kind(check("GET", GOOD, &[("x-bce-date", &date)], mode)),
            ErrorKind::InvalidRequest
        );
    }

    #[test]
    fn relay_mode_forwards_a_well_formed_signature() {
        let (authorization, date) = relay_headers(None);
        let forward = check(
            "GET",
            GOOD,
            &[("authorization", &authorization), ("x-bce-date", &date)],
            ModeKind::Relay,
        )
        .expect("valid");
        let relay = forward.relay.expect("relay headers");
        assert_eq!(relay.authorization.as_bytes(), authorization.as_bytes());
        assert!(!format!("{relay:?}").contains(&authorization[authorization.len() - 64..]));
        // The SDKs' empty signed-headers field (the default set) passes too.
        let (signed_by_sdk, date) = relay_headers(Some(&["host", "x-bce-date"]));
        assert!(check(
            "GET",
            GOOD,
            &[("authorization", &signed_by_sdk), ("x-bce-date", &date)],
            ModeKind::Relay
        )
        .is_ok());
    }

    #[test]
    fn relay_mode_refuses_missing_or_malformed_signatures() {
        let (authorization, date) = relay_headers(None);
        let mode = ModeKind::Relay;
        let other_date = "2024-02-01T00:00:01Z";
        let content_type_signed =
            authorization.replace("/host;x-bce-date/", "/content-type;host;x-bce-date/");
        let host_unsigned = authorization.replace("/host;x-bce-date/", "/x-bce-date/");
        let cases: [Vec<(&str, &str)>; 7] = [
            vec![],
            vec![("authorization", &authorization)],
            vec![("x-bce-date", &date)],
            vec![("authorization", "Bearer abc"), ("x-bce-date", &date)],
            vec![
                ("authorization", &authorization),
                ("x-bce-date", other_date),
            ],
            vec![
                ("authorization", &content_type_signed),
                ("x-bce-date", &date),
            ],
            vec![("authorization", &host_unsigned), ("x-bce-date", &date)],
        ];
        for headers in cases {
            let error = check("GET", GOOD, &headers, mode).expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::InvalidAuthHeader, "{headers:?}");
            assert!(!error
                .message()
                .contains(&authorization[authorization.len() - 64..]));
        }
        let twice = [
            ("authorization", authorization.as_str()),
            ("authorization", authorization.as_str()),
            ("x-bce-date", date.as_str()),
        ];
        assert_eq!(
            kind(check("GET", GOOD, &twice, mode)),
            ErrorKind::InvalidAuthHeader
        );
    }

    #[test]
    fn a_fronts_basic_auth_in_relay_mode_is_named() {
        let (_, date) = relay_headers(None);
        let error = check(
            "GET",
            GOOD,
            &[
                ("authorization", "Basic YWxpY2U6c2VjcmV0"),
                ("x-bce-date", &date),
            ],
            ModeKind::Relay,
        )
        .expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidAuthHeader);
        assert!(
            error.message().contains("basic auth"),
            "{}",
            error.message()
        );
        assert!(!error.message().contains("YWxpY2U6c2VjcmV0"));
    }

    #[test]
    fn malformed_authorization_messages_do_not_echo_the_value() {
        let value = "bce-auth-v1/ak/2024-02-01T00:00:00Z/1800/host/0123456789abcdef";
        let error = check(
            "GET",
            GOOD,
            &[
                ("authorization", value),
                ("x-bce-date", "2024-02-01T00:00:00Z"),
            ],
            ModeKind::Relay,
        )
        .expect_err("refused");
        assert!(
            !error.message().contains("0123456789abcdef"),
            "{}",
            error.message()
        );
        assert!(
            error.message().contains("64 hex digits"),
            "{}",
            error.message()
        );
        assert_eq!(redact_quoted(r#"a "b\"c" d "e"#), r#"a "…" d "…""#);
    }

    #[test]
    fn suspicious_paths_route_to_the_api() {
        for path in [
            "/v1",
            "/v1/",
            "/V1/usage/computing",
            "/v1%2Fusage",
            "/x/../v1/usage/computing",
            "//v1/usage",
            "/\\v1",
            "/./v1",
        ] {
            assert!(routes_to_api(path), "{path}");
        }
        for path in [
            "/",
            "/index.html",
            "/app-1a2b3c4d.wasm",
            "/v10/x",
            "/assets/v1/x",
        ] {
            assert!(!routes_to_api(path), "{path}");
        }
    }
}
