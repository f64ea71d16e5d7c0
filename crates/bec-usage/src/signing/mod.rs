//! The BCE authentication v1 signer (the `Authorization` header of every BCE request).
//!
//! Signing is pure: [`sign`] takes the request parts ([`SignableRequest`]), the
//! [`Credentials`] and the signing time ([`SigningParams`], where the time is required) and
//! returns a [`SigningOutput`]: the headers to add (`authorization`, `host`, `x-bce-date`)
//! and, for debugging a refused signature, the canonical request. Nothing is mutated and
//! no clock is read.
//!
//! ```
//! use bec_usage::signing::{sign, Credentials, SignableRequest, SigningParams};
//! use chrono::{TimeZone, Utc};
//!
//! let credentials = Credentials::new("my-access-key-id", "my-secret-access-key")?;
//! let time = Utc.with_ymd_and_hms(2024, 1, 31, 8, 0, 0).unwrap();
//! let query = [("beginDate", "2024-01-01"), ("endDate", "2024-01-31")];
//! let request = SignableRequest::new("GET", "bec.baidubce.com", "/v1/usage/computing")
//!     .with_query(&query);
//! let output = sign(&request, &SigningParams::new(&credentials, time))?;
//!
//! assert!(output
//!     .authorization()
//!     .starts_with("bce-auth-v1/my-access-key-id/2024-01-31T08:00:00Z/1800/host;x-bce-date/"));
//! assert_eq!(output.x_bce_date(), "2024-01-31T08:00:00Z");
//! // Send exactly the path and query that were signed.
//! assert_eq!(output.canonical_uri(), "/v1/usage/computing");
//! assert_eq!(output.canonical_query_string(), "beginDate=2024-01-01&endDate=2024-01-31");
//! # Ok::<(), bec_usage::Error>(())
//! ```
//!
//! The algorithm, as the official SDKs implement it:
//!
//! ```text
//! authStringPrefix = "bce-auth-v1/{accessKeyId}/{timestamp}/{expirationPeriodInSeconds}"
//! signingKey       = hex(HMAC-SHA256(secretAccessKey, authStringPrefix))
//! signature        = hex(HMAC-SHA256(signingKey, canonicalRequest))
//! Authorization    = authStringPrefix/signedHeaders/signature
//! ```
//!
//! Two deliberate differences from the official Python SDK: a query parameter named
//! `authorization` is never signed (the SDK signs it, a known defect), and the
//! `signedHeaders` field is always written (the SDK leaves it empty for the default set;
//! the service accepts both).
//!
//! To check an incoming signature, [`parse_authorization`] splits an `Authorization` value
//! and [`verify`] recomputes the signature and compares it in constant time.

mod authorization;
mod canonical;
mod credentials;
mod encode;
mod request;
mod timestamp;

#[cfg(test)]
mod tests;

#[cfg(all(feature = "js", target_arch = "wasm32"))]
pub(crate) use authorization::constant_time_eq;
pub use authorization::{parse_authorization, verify, ParsedAuthorization};
pub use credentials::Credentials;
pub use encode::{encode_path, encode_query, uri_encode, URI_ENCODE_SET};
pub use request::{
    sign, HeadersToSign, SignableRequest, Signer, SigningOutput, SigningParams,
    DEFAULT_EXPIRATION_SECONDS, DEFAULT_HEADERS_TO_SIGN,
};

/// The version tag that starts every BCE v1 `Authorization` value.
pub const AUTH_VERSION: &str = "bce-auth-v1";

/// Headers whose name starts with this prefix (compared case-insensitively) belong to the
/// default set of headers to sign.
pub const BCE_HEADER_PREFIX: &str = "x-bce-";
