//! Reading an `Authorization` value and checking it against a request (for servers).

use chrono::{DateTime, Duration, Utc};

use super::credentials::Credentials;
use super::request::{sign, HeadersToSign, SignableRequest, SigningParams};
use super::timestamp::parse_timestamp;
use super::AUTH_VERSION;
use crate::error::{Error, ErrorKind, Result};
use crate::text::Quoted;

/// The fields of a BCE v1 `Authorization` value,
/// `bce-auth-v1/{accessKeyId}/{timestamp}/{expiration}/{signedHeaders}/{signature}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    /// The access key id that signed.
    pub access_key_id: String,
    /// The signing time.
    pub timestamp: DateTime<Utc>,
    /// Seconds the signature stays valid after `timestamp` (> 0).
    pub expiration_seconds: u32,
    /// The signed header names, lowercase. Empty when the field is empty, which the
    /// official SDKs write for the default header set.
    pub signed_headers: Vec<String>,
    /// The signature, 64 lowercase hex digits.
    pub signature: String,
}

impl ParsedAuthorization {
    /// The first instant at which the signature is no longer valid, `timestamp +
    /// expiration_seconds`; `None` if that is beyond the calendar chrono can represent.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.timestamp
            .checked_add_signed(Duration::seconds(i64::from(self.expiration_seconds)))
    }
}

/// Splits an `Authorization` value into its fields, checking each one's form.
///
/// Surrounding whitespace is ignored. Errors ([`ErrorKind::InvalidSigningInput`], with
/// the field `authorization`): not six `/`-separated fields, another version than
/// `bce-auth-v1`, an empty access key id, a timestamp not shaped `YYYY-MM-DDThh:mm:ssZ`,
/// an expiration that is not a positive integer, an empty name in the signed headers, a
/// signature that is not 64 hex digits.
pub fn parse_authorization(value: &str) -> Result<ParsedAuthorization> {
    let value = value.trim_ascii();
    let fields: Vec<&str> = value.split('/').collect();
    let &[version, access_key_id, timestamp, expiration, signed_headers, signature] =
        fields.as_slice()
    else {
        return Err(malformed(
            value,
            format!(
                "has {} '/'-separated fields, not the 6 of \
                 bce-auth-v1/accessKeyId/timestamp/expiration/signedHeaders/signature",
                fields.len()
            ),
        ));
    };
    if version != AUTH_VERSION {
        return Err(malformed(
            value,
            format!(
                "starts with {version}, not {AUTH_VERSION}",
                version = Quoted(version),
                AUTH_VERSION = Quoted(AUTH_VERSION)
            ),
        ));
    }
    if access_key_id.is_empty() {
        return Err(malformed(value, "has an empty access key id".into()));
    }
    let timestamp = parse_timestamp(timestamp).ok_or_else(|| {
        malformed(
            value,
            format!(
                "has the timestamp {timestamp}, not a UTC time YYYY-MM-DDThh:mm:ssZ",
                timestamp = Quoted(timestamp)
            ),
        )
    })?;
    let expiration_seconds = Some(expiration)
        .filter(|text| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|text| text.parse::<u32>().ok())
        .filter(|seconds| *seconds > 0)
        .ok_or_else(|| {
            malformed(
                value,
                format!(
                    "has the expiration {expiration}, not a positive number of seconds",
                    expiration = Quoted(expiration)
                ),
            )
        })?;
    let signed_headers = if signed_headers.is_empty() {
        Vec::new()
    } else {
        signed_headers
            .split(';')
            .map(|name| {
                if name.is_empty() {
                    Err(malformed(
                        value,
                        "has an empty name in its signed headers".into(),
                    ))
                } else {
                    Ok(name.to_ascii_lowercase())
                }
            })
            .collect::<Result<Vec<String>>>()?
    };
    if signature.len() != 64 || !signature.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(malformed(
            value,
            format!(
                "has the signature {signature}, not 64 hex digits",
                signature = Quoted(signature)
            ),
        ));
    }
    Ok(ParsedAuthorization {
        access_key_id: access_key_id.to_owned(),
        timestamp,
        expiration_seconds,
        signed_headers,
        signature: signature.to_ascii_lowercase(),
    })
}

fn malformed(value: &str, problem: String) -> Error {
    Error::new(
        ErrorKind::InvalidSigningInput,
        format!(
            "the Authorization value {value} {problem}",
            value = Quoted(value)
        ),
    )
    .with_field("authorization", value)
}

/// Recomputes the signature of `request` with the time, expiration and signed headers of
/// `authorization`, and compares it with the one given, in constant time.
///
/// `Ok(true)` when they are equal. This checks only the signature: whether
/// `authorization.timestamp` is close enough to the server's clock and not past
/// [`ParsedAuthorization::expires_at`] is the caller's decision, since this crate reads no
/// clock. An empty signed-headers field means the default header set.
///
/// Errors: [`ErrorKind::InvalidCredentials`] if `credentials` belong to another access key
/// id than the one in `authorization`; the errors of [`sign`] for a malformed request
/// (among them an `x-bce-date` header that differs from the signed timestamp).
pub fn verify(
    request: &SignableRequest<'_>,
    credentials: &Credentials,
    authorization: &ParsedAuthorization,
) -> Result<bool> {
    if credentials.access_key_id() != authorization.access_key_id {
        return Err(Error::new(
            ErrorKind::InvalidCredentials,
            format!(
                "the Authorization was made with the access key id {}, but the \
                 credentials given to check it are for {}; look up the secret of the \
                 access key id in the Authorization",
                Quoted(&authorization.access_key_id),
                Quoted(credentials.access_key_id())
            ),
        )
        .with_field("accessKeyId", authorization.access_key_id.as_str()));
    }
    let names: Vec<&str> = authorization
        .signed_headers
        .iter()
        .map(String::as_str)
        .collect();
    let headers_to_sign = if names.is_empty() {
        HeadersToSign::Default
    } else {
        HeadersToSign::Only(&names)
    };
    let params = SigningParams::new(credentials, authorization.timestamp)
        .with_expiration_seconds(authorization.expiration_seconds)
        .with_headers_to_sign(headers_to_sign);
    let expected = sign(request, &params)?;
    Ok(constant_time_eq(
        expected.signature().as_bytes(),
        authorization.signature.as_bytes(),
    ))
}

/// Compares two byte strings in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Keep the compiler from turning the fold into an early-exit comparison.
    std::hint::black_box(difference) == 0
}
