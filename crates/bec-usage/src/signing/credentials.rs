//! The access key pair, validated once, with the secret kept only as a keyed HMAC state.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, ErrorKind, Result};
use crate::text::Quoted;

/// How many characters of the access key id `Debug` shows.
const SHOWN_ACCESS_KEY_CHARS: usize = 6;

/// A BCE access key id and secret access key.
///
/// The secret is not stored as text: [`Credentials::new`] keys an HMAC-SHA256 with it once,
/// and every signature starts from a copy of that state (which also saves the key
/// schedule on every signature). `Debug` shows only the start of the access key id and
/// never the secret.
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_keyed_mac: Hmac<Sha256>,
    /// `HMAC(secret, FINGERPRINT_MESSAGE)`: tells key pairs apart without keeping the
    /// secret (see [`Credentials::fingerprint`]).
    fingerprint: [u8; 32],
}

/// The message of [`Credentials::fingerprint`]'s HMAC; never a prefix of an auth string
/// prefix (those start with `bce-auth-v1/`), so a fingerprint signs nothing.
const FINGERPRINT_MESSAGE: &[u8] = b"bec-usage key pair fingerprint";

impl Credentials {
    /// Validates and keeps a key pair.
    ///
    /// Errors ([`ErrorKind::InvalidCredentials`]): an empty access key id or secret; an
    /// access key id with `/` (it would corrupt the `Authorization` value), whitespace,
    /// control or non-ASCII characters; a secret with surrounding whitespace (usually a
    /// copy-paste accident, e.g. a trailing newline from a file).
    pub fn new(access_key_id: &str, secret_access_key: &str) -> Result<Self> {
        validate_access_key_id(access_key_id)?;
        if secret_access_key.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidCredentials,
                "the secret access key is empty; copy it from the BCE console \
                 (Security Authentication > Access Key)",
            )
            .with_field("secretAccessKey", ""));
        }
        if secret_access_key.trim_ascii() != secret_access_key {
            return Err(Error::new(
                ErrorKind::InvalidCredentials,
                "the secret access key starts or ends with whitespace; remove it \
                 (a trailing newline from a file is the usual cause)",
            )
            .with_field("secretAccessKey", "<redacted>"));
        }
        let secret_keyed_mac = Hmac::<Sha256>::new_from_slice(secret_access_key.as_bytes())
            .map_err(|_| {
                // HMAC accepts keys of any length; this only guards the library's contract.
                Error::new(
                    ErrorKind::InvalidCredentials,
                    "the secret access key cannot key HMAC-SHA256",
                )
                .with_field("secretAccessKey", "<redacted>")
            })?;
        let mut fingerprint_mac = secret_keyed_mac.clone();
        fingerprint_mac.update(FINGERPRINT_MESSAGE);
        Ok(Credentials {
            access_key_id: access_key_id.to_owned(),
            secret_keyed_mac,
            fingerprint: fingerprint_mac.finalize().into_bytes().into(),
        })
    }

    /// The access key id, as written into the `Authorization` value.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// 32 bytes that differ between secrets (with overwhelming probability) and reveal
    /// nothing of them: what [`Signer`](super::Signer) compares to know whether the
    /// signing key it kept belongs to these credentials.
    pub(crate) fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// A fresh HMAC-SHA256 keyed with the secret access key.
    pub(crate) fn secret_keyed_mac(&self) -> Hmac<Sha256> {
        self.secret_keyed_mac.clone()
    }
}

fn validate_access_key_id(access_key_id: &str) -> Result<()> {
    let problem = if access_key_id.is_empty() {
        Some("is empty; copy it from the BCE console (Security Authentication > Access Key)")
    } else if access_key_id.contains('/') {
        Some("contains '/', which would corrupt the Authorization value; check that the access key id and secret were not swapped")
    } else if access_key_id.trim_ascii() != access_key_id {
        Some("starts or ends with whitespace; remove it")
    } else if !access_key_id.bytes().all(|byte| byte.is_ascii_graphic()) {
        Some("contains a space, a control or a non-ASCII character, which cannot go into an HTTP header")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(Error::new(
            ErrorKind::InvalidCredentials,
            format!(
                "the access key id {access_key_id} {problem}",
                access_key_id = Quoted(access_key_id)
            ),
        )
        .with_field("accessKeyId", access_key_id)),
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The access key id is ASCII (validated), so any byte index is a char boundary.
        let shown = self
            .access_key_id
            .get(..SHOWN_ACCESS_KEY_CHARS)
            .unwrap_or(&self.access_key_id);
        let ellipsis = if shown.len() < self.access_key_id.len() {
            "…"
        } else {
            ""
        };
        f.debug_struct("Credentials")
            .field("access_key_id", &format_args!("\"{shown}{ellipsis}\""))
            .field("secret_access_key", &format_args!("\"<redacted>\""))
            .finish()
    }
}
