//! The request to sign, the signing parameters, the signer and what it returns.

use std::ops::Range;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::credentials::Credentials;
use super::encode::{ascii_text, is_unreserved, push_encoded_path, push_escaped, push_uri_encoded};
use super::timestamp::{push_decimal, push_timestamp, TIMESTAMP_LEN};
use super::{AUTH_VERSION, BCE_HEADER_PREFIX};
use crate::error::{Error, ErrorKind, Result};
use crate::text::Quoted;

/// How long a signature stays valid when [`SigningParams::with_expiration_seconds`] is not
/// called: 1800 seconds, as in the official SDKs.
pub const DEFAULT_EXPIRATION_SECONDS: u32 = 1800;

/// The headers signed by default besides every `x-bce-*` header.
pub const DEFAULT_HEADERS_TO_SIGN: [&str; 4] =
    ["host", "content-md5", "content-length", "content-type"];

const HOST: &str = "host";
const X_BCE_DATE: &str = "x-bce-date";
const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

/// The parts of an HTTP request that a BCE v1 signature covers.
///
/// `path` is the raw, decoded path (`/v1/a b`); the signer encodes it. `query` and
/// `headers` are `(name, value)` pairs as the caller will send them, with raw (decoded)
/// query text. The signer adds `host` (from `host`) and `x-bce-date` (from the signing
/// time) itself: the caller need not pass them, and if it does they must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignableRequest<'a> {
    method: &'a str,
    host: &'a str,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    headers: &'a [(&'a str, &'a str)],
}

impl<'a> SignableRequest<'a> {
    /// A request without query parameters or extra headers.
    ///
    /// `host` is the host the request finally reaches (`bec.baidubce.com`, with `:port` if
    /// not the default), even when a proxy forwards it: browsers cannot set `Host`.
    pub fn new(method: &'a str, host: &'a str, path: &'a str) -> Self {
        SignableRequest {
            method,
            host,
            path,
            query: &[],
            headers: &[],
        }
    }

    /// Sets the query parameters, raw (decoded) `(name, value)` pairs.
    pub fn with_query(mut self, query: &'a [(&'a str, &'a str)]) -> Self {
        self.query = query;
        self
    }

    /// Sets the headers the request will carry, `(name, value)` pairs; names are unique
    /// case-insensitively.
    pub fn with_headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }
}

/// Which headers a signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeadersToSign<'a> {
    /// `host`, `content-md5`, `content-length`, `content-type` and every `x-bce-*` header
    /// ([`DEFAULT_HEADERS_TO_SIGN`]), which always includes `host` and `x-bce-date`.
    #[default]
    Default,
    /// Exactly these header names (case-insensitive). It must include `host`: a signature
    /// that does not cover the host could be replayed against another service. Names
    /// absent from the request, or with an empty value, are not signed.
    Only(&'a [&'a str]),
}

/// Everything a signature needs besides the request: credentials, time, expiration and
/// the headers to sign. The time is required; nothing reads a clock.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    credentials: &'a Credentials,
    time: DateTime<Utc>,
    expiration_seconds: u32,
    headers_to_sign: HeadersToSign<'a>,
}

impl<'a> SigningParams<'a> {
    /// Parameters for signing at `time` (take a fresh time for every request and every
    /// retry), valid [`DEFAULT_EXPIRATION_SECONDS`], signing the default header set.
    pub fn new(credentials: &'a Credentials, time: DateTime<Utc>) -> Self {
        SigningParams {
            credentials,
            time,
            expiration_seconds: DEFAULT_EXPIRATION_SECONDS,
            headers_to_sign: HeadersToSign::Default,
        }
    }

    /// Sets how many seconds the signature stays valid (must be > 0).
    pub fn with_expiration_seconds(mut self, expiration_seconds: u32) -> Self {
        self.expiration_seconds = expiration_seconds;
        self
    }

    /// Sets which headers to sign.
    pub fn with_headers_to_sign(mut self, headers_to_sign: HeadersToSign<'a>) -> Self {
        self.headers_to_sign = headers_to_sign;
        self
    }
}

/// What [`sign`] returns: the headers to add to the request, and for debugging, the
/// canonical request and the parts of the `Authorization` value.
///
/// Send the path [`canonical_uri`](Self::canonical_uri) and the query
/// [`canonical_query_string`](Self::canonical_query_string) (or build the same with
/// [`encode_path`](super::encode_path) and [`encode_query`](super::encode_query)): they
/// are exactly what was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningOutput {
    authorization: String,
    canonical_request: String,
    /// Where the parts are in `authorization` and `canonical_request`.
    layout: SignatureLayout,
    host: String,
}

impl SigningOutput {
    /// The value of the `Authorization` header.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// `bce-auth-v1/{accessKeyId}/{timestamp}/{expirationPeriodInSeconds}`, the message
    /// of the signing key.
    pub fn auth_string_prefix(&self) -> &str {
        self.authorization
            .get(..self.layout.prefix_end)
            .unwrap_or_default()
    }

    /// The value of the `x-bce-date` header: the signing time as `YYYY-MM-DDThh:mm:ssZ`.
    pub fn x_bce_date(&self) -> &str {
        self.authorization
            .get(self.layout.timestamp())
            .unwrap_or_default()
    }

    /// The value of the `host` header that was signed.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The signed header names, lowercase, sorted, joined with `;` (as in the
    /// `Authorization` value).
    pub fn signed_headers(&self) -> &str {
        self.authorization
            .get(self.layout.signed_headers(self.authorization.len()))
            .unwrap_or_default()
    }

    /// The signed header names, lowercase and sorted.
    pub fn signed_header_names(&self) -> impl Iterator<Item = &str> {
        self.signed_headers()
            .split(';')
            .filter(|name| !name.is_empty())
    }

    /// The signature, 64 lowercase hex digits (the last field of the `Authorization`).
    pub fn signature(&self) -> &str {
        let start = self.authorization.len().saturating_sub(SIGNATURE_HEX_LEN);
        self.authorization.get(start..).unwrap_or_default()
    }

    /// The canonical request that was signed:
    /// `METHOD\nCanonicalURI\nCanonicalQueryString\nCanonicalHeaders`. Show it when the
    /// service answers `SignatureDoesNotMatch`.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The encoded path that was signed; send exactly this.
    pub fn canonical_uri(&self) -> &str {
        self.canonical_request
            .get(self.layout.uri.clone())
            .unwrap_or_default()
    }

    /// The encoded query (without `?`) that was signed, pairs sorted; it can be sent as
    /// it is. A parameter named `authorization` is not in it (it is never signed).
    pub fn canonical_query_string(&self) -> &str {
        self.canonical_request
            .get(self.layout.query.clone())
            .unwrap_or_default()
    }

    /// The headers to add to the request: `authorization`, `host`, `x-bce-date`.
    ///
    /// A browser cannot set `host` (it sends its own); skip it there and make sure the
    /// request reaches [`host`](Self::host) in the end.
    pub fn headers_to_add(&self) -> [(&'static str, &str); 3] {
        [
            ("authorization", self.authorization()),
            (HOST, self.host()),
            (X_BCE_DATE, self.x_bce_date()),
        ]
    }
}

const SIGNATURE_HEX_LEN: usize = 64;

/// A query pair or header line of the canonical request while it is sorted: its encoded
/// text is written once at the end of the canonical request, and sorting moves only these
/// ranges (see [`append_sorted`]).
struct Entry<'a> {
    /// For a header line, the trimmed name as given (any case); empty for a query pair.
    name: &'a str,
    /// The encoded `name=value` or `name:value` in the canonical request's buffer.
    text: Range<usize>,
}

/// Signs `request` with BCE authentication v1.
///
/// Errors:
/// - [`ErrorKind::InvalidSigningInput`]: a method that is not an HTTP token; an empty host
///   or one with whitespace, `/` or non-ASCII characters; a path not starting with `/`;
///   an empty query parameter name; a header name that is not an HTTP token, or given
///   twice (case-insensitively); a header value with CR, LF or NUL; a `Host` header that
///   differs from `host`; an `x-bce-date` header that differs from the signing time; an
///   expiration of 0; an explicit header list without `host` or with an invalid name; a
///   signing time outside the years 0000..=9999.
pub fn sign(request: &SignableRequest<'_>, params: &SigningParams<'_>) -> Result<SigningOutput> {
    sign_with(request, params, &mut None)
}

/// The signing key of one auth string prefix (access key id, time, expiration), kept as the
/// HMAC-SHA256 state keyed with it.
#[derive(Clone)]
pub(crate) struct DerivedKey {
    auth_string_prefix: Vec<u8>,
    keyed_mac: Hmac<Sha256>,
}

/// A signer for one key pair that keeps the signing key it derived last.
///
/// [`sign`] derives the signing key, `HMAC(secret, "bce-auth-v1/{accessKeyId}/{time}/
/// {expiration}")`, for every request. A client that signs several requests at the same
/// second with the same expiration (the chunks of one long range, fetched together) can hold
/// a `Signer` instead: it derives the key once per (time, expiration) and starts each
/// signature from the kept keyed state, about half the hashing of a signature. The result is
/// exactly [`sign`]'s. The signer is an ordinary value the caller owns; nothing is global.
///
/// `Debug` shows what [`Credentials`] shows, never the secret or the derived key.
#[derive(Clone)]
pub struct Signer {
    credentials: Credentials,
    derived: Option<DerivedKey>,
}

impl Signer {
    /// A signer for `credentials`, with no key derived yet.
    pub fn new(credentials: Credentials) -> Self {
        Signer {
            credentials,
            derived: None,
        }
    }

    /// The key pair this signer signs with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Signs `request` as [`sign`] does with these credentials, `time`, `expiration_seconds`
    /// and `headers_to_sign`; the same errors.
    pub fn sign(
        &mut self,
        request: &SignableRequest<'_>,
        time: DateTime<Utc>,
        expiration_seconds: u32,
        headers_to_sign: HeadersToSign<'_>,
    ) -> Result<SigningOutput> {
        let params = SigningParams::new(&self.credentials, time)
            .with_expiration_seconds(expiration_seconds)
            .with_headers_to_sign(headers_to_sign);
        sign_with(request, &params, &mut self.derived)
    }

    /// [`Signer::sign`] into the caller's buffers (see [`write_signature`]): the same texts
    /// and errors, without allocating the output.
    #[cfg(all(feature = "js", target_arch = "wasm32"))]
    pub(crate) fn sign_into(
        &mut self,
        request: &SignableRequest<'_>,
        time: DateTime<Utc>,
        expiration_seconds: u32,
        headers_to_sign: HeadersToSign<'_>,
        authorization: &mut Vec<u8>,
        canonical_request: &mut Vec<u8>,
    ) -> Result<SignatureLayout> {
        let params = SigningParams::new(&self.credentials, time)
            .with_expiration_seconds(expiration_seconds)
            .with_headers_to_sign(headers_to_sign);
        write_signature(
            request,
            &params,
            &mut self.derived,
            authorization,
            canonical_request,
        )
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// [`sign`], taking the signing key from `derived` when it was made for this auth string
/// prefix, and leaving there the key it used.
fn sign_with(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    derived: &mut Option<DerivedKey>,
) -> Result<SigningOutput> {
    let mut authorization = Vec::new();
    let mut canonical_request = Vec::new();
    let layout = write_signature(
        request,
        params,
        derived,
        &mut authorization,
        &mut canonical_request,
    )?;
    Ok(SigningOutput {
        authorization: ascii_text(authorization),
        canonical_request: ascii_text(canonical_request),
        layout,
        host: request.host.to_owned(),
    })
}

/// Where [`write_signature`] wrote the parts of a signature. The texts are ASCII (every part
/// is validated as ASCII or percent-encoded), so these byte positions are also character
/// positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignatureLayout {
    /// `authorization[..prefix_end]` is the auth string prefix.
    pub(crate) prefix_end: usize,
    /// Where the timestamp (also the `x-bce-date` value) starts in `authorization`.
    pub(crate) timestamp_start: usize,
    /// The CanonicalURI in the canonical request.
    pub(crate) uri: Range<usize>,
    /// The CanonicalQueryString in the canonical request.
    pub(crate) query: Range<usize>,
}

impl SignatureLayout {
    /// The timestamp (the `x-bce-date` value) in the Authorization value.
    pub(crate) fn timestamp(&self) -> Range<usize> {
        self.timestamp_start..self.timestamp_start + TIMESTAMP_LEN
    }

    /// The signed header names (joined with `;`) in an Authorization value of
    /// `authorization_len` bytes: between the prefix and `/signature`.
    pub(crate) fn signed_headers(&self, authorization_len: usize) -> Range<usize> {
        self.prefix_end + 1..authorization_len.saturating_sub(SIGNATURE_HEX_LEN + 1)
    }
}

/// The signer: validates, writes the `Authorization` value into `authorization` and the
/// canonical request into `canonical_request` (both cleared first), and says where the parts
/// are. Bytes into buffers the caller may keep: [`sign`] turns them into a
/// [`SigningOutput`], the WebAssembly bindings copy them out of reused buffers, so that a
/// signature there allocates almost nothing.
pub(crate) fn write_signature(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    derived: &mut Option<DerivedKey>,
    authorization: &mut Vec<u8>,
    canonical_request: &mut Vec<u8>,
) -> Result<SignatureLayout> {
    validate_method(request.method)?;
    validate_host(request.host)?;
    validate_path(request.path)?;
    if params.expiration_seconds == 0 {
        return Err(invalid(
            "the expiration is 0 seconds, so the signature would never be valid; \
             use a positive number (the default is 1800)",
        )
        .with_field("expirationSeconds", "0"));
    }
    if let HeadersToSign::Only(names) = params.headers_to_sign {
        validate_headers_to_sign(names)?;
    }

    // The auth string prefix goes first into the Authorization value; the timestamp
    // written there is also the x-bce-date value.
    let access_key_id = params.credentials.access_key_id();
    authorization.clear();
    authorization.reserve(
        AUTH_VERSION.len() + access_key_id.len() + TIMESTAMP_LEN + 96 + 12 * request.headers.len(),
    );
    authorization.extend_from_slice(AUTH_VERSION.as_bytes());
    authorization.push(b'/');
    authorization.extend_from_slice(access_key_id.as_bytes());
    authorization.push(b'/');
    let timestamp_start = authorization.len();
    push_timestamp(authorization, &params.time)?;
    let mut timestamp = [0u8; TIMESTAMP_LEN];
    timestamp.copy_from_slice(
        authorization
            .get(timestamp_start..timestamp_start + TIMESTAMP_LEN)
            .unwrap_or(&[b'0'; TIMESTAMP_LEN]),
    );
    let timestamp = std::str::from_utf8(&timestamp).unwrap_or_default();
    authorization.push(b'/');
    push_decimal(authorization, params.expiration_seconds);
    let prefix_end = authorization.len();

    canonical_request.clear();
    canonical_request.reserve(
        request.method.len()
            + 3 * request.path.len()
            + 64 * (request.query.len() + request.headers.len())
            + 80,
    );
    canonical_request.extend_from_slice(request.method.as_bytes());
    canonical_request.push(b'\n');
    let uri_start = canonical_request.len();
    push_encoded_path(canonical_request, request.path);
    let uri = uri_start..canonical_request.len();
    canonical_request.push(b'\n');

    // The query pairs and then the header lines are encoded at the end of the canonical
    // request and `entries` holds their ranges for sorting: one allocation for them all.
    let mut entries: Vec<Entry<'_>> =
        Vec::with_capacity(request.query.len().max(request.headers.len() + 2));
    let query_start = canonical_request.len();
    encode_query_pairs(canonical_request, &mut entries, request.query)?;
    append_sorted(canonical_request, query_start, &mut entries, b'&');
    let query = query_start..canonical_request.len();
    canonical_request.push(b'\n');

    entries.clear();
    let headers_start = canonical_request.len();
    encode_header_lines(
        canonical_request,
        &mut entries,
        request,
        params.headers_to_sign,
        timestamp,
    )?;
    append_sorted(canonical_request, headers_start, &mut entries, b'\n');

    // signingKey = hex(HMAC(secret, prefix)); its 64 hex digits are the key (exactly one
    // SHA-256 block, so no key hashing) of the HMAC over the canonical request.
    let prefix = authorization.get(..prefix_end).unwrap_or_default();
    let keyed_mac = match derived {
        Some(key) if key.auth_string_prefix == prefix => &key.keyed_mac,
        _ => {
            let signing_key = signing_key(params.credentials, prefix);
            &derived
                .insert(DerivedKey {
                    auth_string_prefix: prefix.to_vec(),
                    keyed_mac: <Hmac<Sha256> as Mac>::new(&signing_key.into()),
                })
                .keyed_mac
        }
    };
    let mut signature_mac = keyed_mac.clone();
    signature_mac.update(canonical_request);
    let signature = lower_hex(&signature_mac.finalize().into_bytes().into());

    authorization.push(b'/');
    // The signed-headers field sorts by name, which differs from the line order
    // (`x-bce-a-b:` sorts before `x-bce-a:`).
    sort_small(&mut entries, |a, b| {
        cmp_ignore_ascii_case(a.name, b.name).is_lt()
    });
    for (index, entry) in entries.iter().enumerate() {
        if index > 0 {
            authorization.push(b';');
        }
        let start = authorization.len();
        authorization.extend_from_slice(entry.name.as_bytes());
        if let Some(name) = authorization.get_mut(start..) {
            name.make_ascii_lowercase();
        }
    }
    authorization.push(b'/');
    authorization.extend_from_slice(&signature);

    Ok(SignatureLayout {
        prefix_end,
        timestamp_start,
        uri,
        query,
    })
}

/// Encodes `UriEncode(name)=UriEncode(value)` for every parameter except
/// `authorization` into `scratch`, one entry each.
fn encode_query_pairs(
    out: &mut Vec<u8>,
    entries: &mut Vec<Entry<'_>>,
    query: &[(&str, &str)],
) -> Result<()> {
    for (name, value) in query {
        if name.is_empty() {
            return Err(invalid(format!(
                "a query parameter with the value {value} has an empty name; \
                 give it a name or leave it out",
                value = Quoted(value)
            ))
            .with_field("query", format!("={value}")));
        }
        if name.eq_ignore_ascii_case("authorization") {
            continue;
        }
        let start = out.len();
        push_uri_encoded(out, name);
        out.push(b'=');
        push_uri_encoded(out, value);
        entries.push(Entry {
            name: "",
            text: start..out.len(),
        });
    }
    Ok(())
}

/// Sorts the entries bytewise on their texts, which are `out[region_start..]`, and puts the
/// texts there in that order, joined with `separator`: appended sorted after the region,
/// which is then removed (one move of the sorted text, no second buffer).
fn append_sorted(out: &mut Vec<u8>, region_start: usize, entries: &mut [Entry<'_>], separator: u8) {
    let region_end = out.len();
    {
        let text = |entry: &Entry<'_>| out.get(entry.text.clone()).unwrap_or_default();
        sort_small(entries, |a, b| text(a) < text(b));
    }
    for (index, entry) in entries.iter().enumerate() {
        if index > 0 {
            out.push(separator);
        }
        // The ranges lie in the region, below `region_end`.
        if entry.text.end <= region_end {
            out.extend_from_within(entry.text.clone());
        }
    }
    out.drain(region_start..region_end);
}

/// Validates the headers and encodes the lines to sign,
/// `UriEncode(lowercase(name)):UriEncode(value)`, at the end of `out`, one entry each.
fn encode_header_lines<'a>(
    out: &mut Vec<u8>,
    entries: &mut Vec<Entry<'a>>,
    request: &SignableRequest<'a>,
    headers_to_sign: HeadersToSign<'_>,
    timestamp: &str,
) -> Result<()> {
    let mut push_line = |out: &mut Vec<u8>, name: &'a str, value: &str| {
        let start = out.len();
        for byte in name.bytes() {
            // Names are validated HTTP tokens: ASCII, escaped byte by byte.
            let lower = byte.to_ascii_lowercase();
            if is_unreserved(lower) {
                out.push(lower);
            } else {
                push_escaped(out, lower);
            }
        }
        out.push(b':');
        push_uri_encoded(out, value);
        entries.push(Entry {
            name,
            text: start..out.len(),
        });
    };
    if should_sign(HOST, headers_to_sign) {
        push_line(out, HOST, request.host);
    }
    if should_sign(X_BCE_DATE, headers_to_sign) {
        push_line(out, X_BCE_DATE, timestamp);
    }

    for (index, (raw_name, raw_value)) in request.headers.iter().enumerate() {
        let name = raw_name.trim_ascii();
        let value = raw_value.trim_ascii();
        validate_header(name, value)?;
        let duplicate = request.headers[..index]
            .iter()
            .any(|(earlier, _)| earlier.trim_ascii().eq_ignore_ascii_case(name));
        if duplicate {
            return Err(invalid(format!(
                "the header {name} is given twice (names are case-insensitive); \
                 send it once, with the values joined by commas if it has several",
                name = Quoted(name)
            ))
            .with_field("headers", name));
        }
        if name.eq_ignore_ascii_case(HOST) {
            if value != request.host {
                return Err(invalid(format!(
                    "the Host header {value} differs from the host to sign {}; \
                     leave the Host header out (the signer adds it) or make them equal",
                    Quoted(request.host),
                    value = Quoted(value)
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
            push_line(out, name, value);
        }
    }

    Ok(())
}

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
        Ok(())
    } else {
        Err(invalid(format!(
            "the method {method} is not an HTTP method; use e.g. GET, PUT, POST",
            method = Quoted(method)
        ))
        .with_field("method", method))
    }
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
        Ok(())
    } else {
        Err(invalid(format!(
            "the path {path} does not start with '/'; give the raw path, e.g. /v1/usage/computing",
            path = Quoted(path)
        ))
        .with_field("path", path))
    }
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

fn validate_headers_to_sign(names: &[&str]) -> Result<()> {
    for name in names {
        let trimmed = name.trim_ascii();
        if !is_token(trimmed) {
            return Err(invalid(format!(
                "{name} in the headers to sign is not an HTTP header name",
                name = Quoted(name)
            ))
            .with_field("headersToSign", *name));
        }
    }
    if !names
        .iter()
        .any(|name| name.trim_ascii().eq_ignore_ascii_case(HOST))
    {
        return Err(invalid(
            "the headers to sign do not include host; BCE requires the host to be signed, \
             add \"host\" to the list",
        )
        .with_field("headersToSign", {
            let mut joined = String::new();
            for (index, name) in names.iter().enumerate() {
                if index > 0 {
                    joined.push(';');
                }
                joined.push_str(name);
            }
            joined
        }));
    }
    Ok(())
}

/// An HTTP token (RFC 9110 `tchar`s, at least one).
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidSigningInput, message)
}

/// `hex(HMAC-SHA256(secret, auth_string_prefix))`. Not public: it signs any request for
/// this access key, time and expiration.
pub(crate) fn signing_key(credentials: &Credentials, auth_string_prefix: &[u8]) -> [u8; 64] {
    let mut mac = credentials.secret_keyed_mac();
    mac.update(auth_string_prefix);
    lower_hex(&mac.finalize().into_bytes().into())
}

fn lower_hex(bytes: &[u8; 32]) -> [u8; 64] {
    let mut hex = [0u8; 64];
    for (pair, byte) in hex.chunks_exact_mut(2).zip(bytes) {
        pair[0] = LOWER_HEX[usize::from(byte >> 4)];
        pair[1] = LOWER_HEX[usize::from(byte & 0x0f)];
    }
    hex
}

/// Sorts `items` by `less`, stably, by insertion: a request has a handful of query
/// parameters and headers. Not `sort_unstable_by`, whose code (several kilobytes per
/// comparison closure) would be most of the signer in the WebAssembly module.
fn sort_small<T>(items: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    for sorted_len in 1..items.len() {
        let mut at = sorted_len;
        while at > 0 && less(&items[at], &items[at - 1]) {
            items.swap(at, at - 1);
            at -= 1;
        }
    }
}

fn cmp_ignore_ascii_case(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|byte| byte.to_ascii_lowercase())
        .cmp(b.bytes().map(|byte| byte.to_ascii_lowercase()))
}
