//! The signer's public face: the request to sign, the signing parameters, [`sign`], the
//! [`Signer`] that keeps its last signing key, and the [`SigningOutput`] they return.
//!
//! What is signed, the canonical request, is built in `canonical.rs`.

use std::ops::Range;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::canonical::{invalid, is_token, CanonicalRequest, HOST, X_BCE_DATE};
use super::credentials::Credentials;
use super::timestamp::{push_timestamp, TIMESTAMP_LEN};
use super::AUTH_VERSION;
use crate::error::Result;
use crate::text::{push_u64, Quoted};

/// How long a signature stays valid when [`SigningParams::with_expiration_seconds`] is not
/// called: 1800 seconds, as in the official SDKs.
pub const DEFAULT_EXPIRATION_SECONDS: u32 = 1800;

/// The headers signed by default besides every `x-bce-*` header.
pub const DEFAULT_HEADERS_TO_SIGN: [&str; 4] =
    ["host", "content-md5", "content-length", "content-type"];

/// The length of a signature: 64 lowercase hex digits.
const SIGNATURE_HEX_LEN: usize = 64;

/// The parts of an HTTP request that a BCE v1 signature covers.
///
/// `path` is the raw, decoded path (`/v1/a b`); the signer encodes it. `query` and
/// `headers` are `(name, value)` pairs as the caller will send them, with raw (decoded)
/// query text. The signer adds `host` (from `host`) and `x-bce-date` (from the signing
/// time) itself: the caller need not pass them, and if it does they must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignableRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) host: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a [(&'a str, &'a str)],
    pub(crate) headers: &'a [(&'a str, &'a str)],
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

    /// The auth string prefix, `bce-auth-v1/{accessKeyId}/{timestamp}/{expiration}`, and
    /// where the timestamp is in it, after checking the expiration, the header list and the time.
    fn auth_string_prefix(&self) -> Result<(String, Range<usize>)> {
        if self.expiration_seconds == 0 {
            return Err(invalid(
                "the expiration is 0 seconds, so the signature would never be valid; \
                 use a positive number (the default is 1800)",
            )
            .with_field("expirationSeconds", "0"));
        }
        if let HeadersToSign::Only(names) = self.headers_to_sign {
            validate_headers_to_sign(names)?;
        }
        let access_key_id = self.credentials.access_key_id();
        // Room for the signed headers and the signature that follow the prefix.
        let mut prefix =
            Vec::with_capacity(AUTH_VERSION.len() + access_key_id.len() + TIMESTAMP_LEN + 176);
        prefix.extend_from_slice(AUTH_VERSION.as_bytes());
        prefix.push(b'/');
        prefix.extend_from_slice(access_key_id.as_bytes());
        prefix.push(b'/');
        let timestamp_start = prefix.len();
        push_timestamp(&mut prefix, &self.time)?;
        let timestamp = timestamp_start..prefix.len();
        prefix.push(b'/');
        push_u64(&mut prefix, u64::from(self.expiration_seconds));
        // ASCII: the access key id is checked to be, and the rest is written as ASCII.
        let prefix = String::from_utf8(prefix).unwrap_or_default();
        Ok((prefix, timestamp))
    }
}

/// Checks an explicit list of headers to sign: HTTP header names, `host` among them.
fn validate_headers_to_sign(names: &[&str]) -> Result<()> {
    for name in names {
        if !is_token(name.trim_ascii()) {
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
            // By hand: the standard library's `join` would be a kilobyte of the wasm module.
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

/// What [`sign`] returns: the headers to add to the request, and for debugging, the
/// canonical request and the parts of the `Authorization` value.
///
/// Send the path [`canonical_uri`](Self::canonical_uri) and the query
/// [`canonical_query_string`](Self::canonical_query_string) (or build the same with
/// [`encode_path`](super::encode_path) and [`encode_query`](super::encode_query)): they
/// are exactly what was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningOutput {
    /// `{auth string prefix}/{signed headers}/{signature}`.
    authorization: String,
    /// The length of the auth string prefix at the start of `authorization`.
    prefix_len: usize,
    canonical_request: CanonicalRequest,
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
            .get(..self.prefix_len)
            .unwrap_or_default()
    }

    /// The value of the `x-bce-date` header: the signing time as `YYYY-MM-DDThh:mm:ssZ`.
    pub fn x_bce_date(&self) -> &str {
        // The third field of the prefix: the access key id holds no '/'.
        self.auth_string_prefix()
            .split('/')
            .nth(2)
            .unwrap_or_default()
    }

    /// The value of the `host` header that was signed.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The signed header names, lowercase, sorted, joined with `;` (as in the
    /// `Authorization` value).
    pub fn signed_headers(&self) -> &str {
        self.canonical_request.signed_headers()
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
        self.canonical_request.text()
    }

    /// The encoded path that was signed; send exactly this.
    pub fn canonical_uri(&self) -> &str {
        self.canonical_request.uri()
    }

    /// The encoded query (without `?`) that was signed, pairs sorted; it can be sent as
    /// it is. A parameter named `authorization` is not in it (it is never signed).
    pub fn canonical_query_string(&self) -> &str {
        self.canonical_request.query()
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

/// Signs `request` with BCE authentication v1.
///
/// Errors ([`ErrorKind::InvalidSigningInput`](crate::ErrorKind::InvalidSigningInput)): an
/// expiration of 0; an explicit header list without `host` or with an invalid name; a
/// signing time outside the years 0000..=9999; a method that is not an HTTP token; an empty
/// host or one with whitespace, `/` or non-ASCII characters; a path not starting with `/`;
/// an empty query parameter name; a header name that is not an HTTP token, or given twice
/// (case-insensitively); a header value with CR, LF or NUL; a `Host` header that differs
/// from `host`; an `x-bce-date` header that differs from the signing time.
pub fn sign(request: &SignableRequest<'_>, params: &SigningParams<'_>) -> Result<SigningOutput> {
    Signer::new().sign(request, params)
}

/// A signer that keeps the signing key it derived last.
///
/// [`sign`] derives the signing key, `HMAC(secret, "bce-auth-v1/{accessKeyId}/{time}/
/// {expiration}")`, for every request. A client that signs several requests with the same
/// key pair at the same second and expiration (the chunks of one long range, fetched
/// together) can sign with one `Signer` instead: it derives the key once and starts each
/// signature from the kept keyed state, about half the hashing of a signature. The result
/// is exactly [`sign`]'s, with the same errors. The signer is an ordinary value the caller
/// owns; nothing is global.
///
/// `Debug` shows only whether a key is kept, never the key.
#[derive(Clone, Default)]
pub struct Signer {
    derived: Option<DerivedKey>,
}

/// The signing key of one key pair and auth string prefix, kept as the HMAC-SHA256 state
/// keyed with it.
#[derive(Clone)]
struct DerivedKey {
    key_pair: [u8; 32],
    auth_string_prefix: String,
    keyed_mac: Hmac<Sha256>,
}

impl Signer {
    /// A signer with no key derived yet.
    pub fn new() -> Self {
        Signer::default()
    }

    /// Signs `request` as [`sign`] does, reusing the kept signing key when `params` have
    /// the key pair, time and expiration it was derived for.
    pub fn sign(
        &mut self,
        request: &SignableRequest<'_>,
        params: &SigningParams<'_>,
    ) -> Result<SigningOutput> {
        let (mut authorization, timestamp) = params.auth_string_prefix()?;
        let timestamp = authorization.get(timestamp).unwrap_or_default();
        let canonical_request = CanonicalRequest::new(request, params.headers_to_sign, timestamp)?;
        let mut mac = self.keyed_mac(params.credentials, &authorization).clone();
        mac.update(canonical_request.text().as_bytes());
        let signature = lower_hex(&mac.finalize().into_bytes().into());

        let prefix_len = authorization.len();
        authorization.push('/');
        authorization.push_str(canonical_request.signed_headers());
        authorization.push('/');
        authorization.push_str(std::str::from_utf8(&signature).unwrap_or_default());
        Ok(SigningOutput {
            authorization,
            prefix_len,
            canonical_request,
            host: request.host.to_owned(),
        })
    }

    /// The HMAC state keyed with the signing key of `credentials` and `auth_string_prefix`:
    /// the kept one if it was derived for them, else derived now and kept.
    fn keyed_mac(&mut self, credentials: &Credentials, auth_string_prefix: &str) -> &Hmac<Sha256> {
        let key_pair = credentials.fingerprint();
        let derived = match self.derived.take() {
            Some(kept)
                if kept.key_pair == key_pair && kept.auth_string_prefix == auth_string_prefix =>
            {
                kept
            }
            _ => {
                // The 64 hex digits of the signing key are the key (exactly one SHA-256
                // block, so no key hashing) of the HMAC over the canonical request.
                let signing_key = signing_key(credentials, auth_string_prefix.as_bytes());
                DerivedKey {
                    key_pair,
                    auth_string_prefix: auth_string_prefix.to_owned(),
                    keyed_mac: <Hmac<Sha256> as Mac>::new(&signing_key.into()),
                }
            }
        };
        &self.derived.insert(derived).keyed_mac
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_kept", &self.derived.is_some())
            .finish()
    }
}

/// `hex(HMAC-SHA256(secret, auth_string_prefix))`. Not public: it signs any request for
/// this access key, time and expiration.
pub(crate) fn signing_key(credentials: &Credentials, auth_string_prefix: &[u8]) -> [u8; 64] {
    let mut mac = credentials.secret_keyed_mac();
    mac.update(auth_string_prefix);
    lower_hex(&mac.finalize().into_bytes().into())
}

fn lower_hex(bytes: &[u8; 32]) -> [u8; 64] {
    const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 64];
    for (pair, byte) in hex.chunks_exact_mut(2).zip(bytes) {
        pair[0] = LOWER_HEX[usize::from(byte >> 4)];
        pair[1] = LOWER_HEX[usize::from(byte & 0x0f)];
    }
    hex
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use chrono::TimeZone;

    use super::*;
    use crate::error::ErrorKind;

    fn credentials() -> Credentials {
        Credentials::new("ak0123456789", "sk-secret-0123456789").expect("valid credentials")
    }

    fn time() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 2, 1, 3, 4, 5)
            .single()
            .expect("valid time")
    }

    fn usage_request() -> SignableRequest<'static> {
        SignableRequest::new("GET", "bec.baidubce.com", "/v1/usage/computing")
    }

    #[test]
    fn the_output_is_made_of_the_prefix_the_signed_headers_and_the_signature() {
        let credentials = credentials();
        let params = SigningParams::new(&credentials, time()).with_expiration_seconds(60);
        let output = sign(&usage_request(), &params).expect("signs");
        assert_eq!(
            output.auth_string_prefix(),
            "bce-auth-v1/ak0123456789/2024-02-01T03:04:05Z/60"
        );
        assert_eq!(output.x_bce_date(), "2024-02-01T03:04:05Z");
        assert_eq!(output.signed_headers(), "host;x-bce-date");
        assert_eq!(
            output.signed_header_names().collect::<Vec<_>>(),
            ["host", "x-bce-date"]
        );
        assert_eq!(output.signature().len(), 64);
        assert_eq!(
            output.authorization(),
            format!(
                "{}/host;x-bce-date/{}",
                output.auth_string_prefix(),
                output.signature()
            )
        );
        assert_eq!(
            output.headers_to_add(),
            [
                ("authorization", output.authorization()),
                ("host", "bec.baidubce.com"),
                ("x-bce-date", "2024-02-01T03:04:05Z"),
            ]
        );
    }

    #[test]
    fn parameters_are_checked_before_the_request() {
        let credentials = credentials();
        let no_host = ["x-bce-date"];
        let bad_name = ["host", "a b"];
        let far = Utc
            .with_ymd_and_hms(10_000, 1, 1, 0, 0, 0)
            .single()
            .expect("a time");
        let cases = [
            (
                SigningParams::new(&credentials, time()).with_expiration_seconds(0),
                "expirationSeconds",
            ),
            (
                SigningParams::new(&credentials, time())
                    .with_headers_to_sign(HeadersToSign::Only(&no_host)),
                "headersToSign",
            ),
            (
                SigningParams::new(&credentials, time())
                    .with_headers_to_sign(HeadersToSign::Only(&bad_name)),
                "headersToSign",
            ),
            (SigningParams::new(&credentials, far), "time"),
        ];
        // The request is invalid too: the parameters' error comes first.
        let bad_request = SignableRequest::new("GET", "", "/");
        for (params, field) in cases {
            let error = sign(&bad_request, &params).expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::InvalidSigningInput);
            assert_eq!(error.field(), Some(field));
        }
    }

    #[test]
    fn a_signer_reuses_its_key_only_for_the_same_key_pair_time_and_expiration() {
        let credentials = credentials();
        // The same access key id with another secret must not reuse the kept key.
        let other_secret =
            Credentials::new("ak0123456789", "another-secret").expect("valid credentials");
        let later = time() + chrono::Duration::seconds(1);
        let mut signer = Signer::new();
        for params in [
            SigningParams::new(&credentials, time()),
            SigningParams::new(&credentials, time()),
            SigningParams::new(&other_secret, time()),
            SigningParams::new(&credentials, later),
            SigningParams::new(&credentials, later).with_expiration_seconds(60),
            SigningParams::new(&credentials, time()),
        ] {
            let expected = sign(&usage_request(), &params).expect("signs");
            assert_eq!(signer.sign(&usage_request(), &params), Ok(expected));
        }
        assert_eq!(format!("{signer:?}"), "Signer { key_kept: true }");
    }

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        let mut bytes = [0u8; 32];
        bytes[0] = 0x0f;
        bytes[31] = 0xa0;
        let hex = lower_hex(&bytes);
        assert!(hex.starts_with(b"0f00"));
        assert!(hex.ends_with(b"00a0"));
    }
}
