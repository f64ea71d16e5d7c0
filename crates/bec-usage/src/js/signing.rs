//! `signRequest`'s WebAssembly half: packed options in, [`crate::signing`]'s signer, the
//! packed result out.
//!
//! The JavaScript layer (`js/api.mjs`) checks the option types itself (and writes those
//! errors), packs the options into one text, writes it with `TextEncoder.encodeInto`
//! straight into this module's input buffer (address from `signInput`) and calls
//! `signBuffered(length)`, which signs and leaves the result in an output buffer that the
//! layer decodes in place. Why: a signature is a few microseconds of work, and passing
//! each option and result across the boundary as its own string (an allocation, an
//! encoding and a free each), or as objects read field by field, cost more than the
//! hashing. The buffers and the signers are kept between calls; a signature allocates only
//! the sort ranges of the signer. Every check of a value (keys, method, host, path,
//! headers, times) stays in the core, and its errors come out as `BecUsageError`s.
//!
//! The packed text is a list of items, each `<length>:<text>` where the length counts
//! UTF-16 code units (JavaScript's `length`), so any text fits, NUL included:
//!
//! ```text
//! accessKeyId secretAccessKey method host path time expiration
//! queryCount (name value)*  headerCount (name value)*  namesCount name*
//! ```
//!
//! `time` is `s` and whole epoch seconds, or `i` and ISO 8601 text; `expiration` is empty
//! for the default; `namesCount` is empty for the default headers to sign. The result is
//! authorization, canonical request, x-bce-date, path, query string and the signed header
//! names (joined with `;`), joined with NUL (the texts are ASCII and hold no NUL), after
//! its length as 4 little-endian bytes.

use std::cell::RefCell;

use chrono::DateTime;
use wasm_bindgen::prelude::*;

use super::time::iso_time;
use super::values;
use crate::error::{Error, ErrorKind, Result};
use crate::signing::{
    constant_time_eq, Credentials, HeadersToSign, SignableRequest, Signer, SigningParams,
    DEFAULT_EXPIRATION_SECONDS,
};

const CONTEXT: &str = "signRequest";

/// How many key pairs the cache keeps.
const CACHED_SIGNERS: usize = 4;

/// A key pair's signer, kept between calls.
struct CachedSigner {
    access_key_id: String,
    /// The secret, only to recognise the key pair (compared in constant time); never
    /// returned, printed or put into an error, and overwritten when the entry is dropped.
    secret: Vec<u8>,
    credentials: Credentials,
    signer: Signer,
}

impl Drop for CachedSigner {
    fn drop(&mut self) {
        self.secret.fill(0);
        std::hint::black_box(&self.secret);
    }
}

/// The buffers of `signBuffered`, reused by every call.
#[derive(Default)]
struct Buffers {
    /// The packed options, written by JavaScript.
    input: Vec<u8>,
    /// The packed result, read by JavaScript.
    output: Vec<u8>,
}

thread_local! {
    /// The signers of the last few key pairs, most recently used first.
    ///
    /// Why: keying HMAC-SHA256 with the secret (its ipad and opad blocks) and deriving the
    /// signing key of a (time, expiration) are most of the hashing of a signature, and a
    /// client signs with one key pair, often several requests in the same second (the chunks
    /// of one long range). What: per key pair, a core [`Signer`], which holds the secret's
    /// keyed HMAC state and the last derived signing key's. The core stays pure: `Signer`
    /// is a value its caller owns, and this edge of the module is that caller. (The module
    /// has one thread: JavaScript's.)
    static SIGNERS: RefCell<Vec<CachedSigner>> = const { RefCell::new(Vec::new()) };

    static BUFFERS: RefCell<Buffers> = RefCell::new(Buffers::default());
}

// `signInput(bytes)`: the address of the input buffer, made to hold at least `bytes`.
// The address stays valid until the next `signInput`.
#[wasm_bindgen(js_name = signInput)]
pub fn sign_input(bytes: usize) -> usize {
    BUFFERS.with(|buffers| {
        let input = &mut buffers.borrow_mut().input;
        if input.len() < bytes {
            input.resize(bytes, 0);
        }
        input.as_ptr() as usize
    })
}

// `signBuffered(length)`: signs the packed options in the first `length` bytes of the
// input buffer; returns the address of the packed result (its length first).
#[wasm_bindgen(js_name = signBuffered)]
pub fn sign_buffered(length: usize) -> Result<usize, JsValue> {
    BUFFERS.with(|buffers| {
        let Buffers { input, output } = &mut *buffers.borrow_mut();
        let packed = input
            .get(..length)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .ok_or_else(unreadable)?;
        output.clear();
        output.extend_from_slice(&[0; 4]);
        sign_packed_into(packed, output)?;
        let text_length = u32::try_from(output.len() - 4).unwrap_or(u32::MAX);
        if let Some(prefix) = output.get_mut(..4) {
            prefix.copy_from_slice(&text_length.to_le_bytes());
        }
        Ok(output.as_ptr() as usize)
    })
}

/// Signs the packed options as `signBuffered` does and returns the packed result as text:
/// the bindings' logic without the buffers (the tests call it).
pub fn sign_packed(packed: &str) -> Result<String, JsValue> {
    let mut output = Vec::new();
    sign_packed_into(packed, &mut output)?;
    Ok(String::from_utf8(output).unwrap_or_default())
}

/// The items of a packed text, in order.
struct Items<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Items<'a> {
    /// The next item; `None` at the end or if the text is not packed as it should be.
    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let mut units = 0usize;
        let mut at = self.at;
        loop {
            let byte = *bytes.get(at)?;
            at += 1;
            if byte == b':' {
                break;
            }
            if !byte.is_ascii_digit() {
                return None;
            }
            units = units
                .checked_mul(10)?
                .checked_add(usize::from(byte - b'0'))?;
        }
        let start = at;
        // Count UTF-16 code units: one per character, two for a four-byte one. ASCII text
        // (the usual) has as many bytes as units, checked a word at a time.
        if bytes.get(at..at + units).is_some_and(<[u8]>::is_ascii) {
            at += units;
            units = 0;
        }
        while units > 0 {
            let byte = *bytes.get(at)?;
            at += 1;
            if byte & 0xC0 != 0x80 {
                units = units.checked_sub(if byte >= 0xF0 { 2 } else { 1 })?;
            }
        }
        while bytes.get(at).is_some_and(|byte| byte & 0xC0 == 0x80) {
            at += 1;
        }
        self.at = at;
        self.text.get(start..at)
    }

    /// The next item as a count.
    fn count(&mut self) -> Option<usize> {
        self.next()?.parse().ok()
    }

    /// `count` pairs of items.
    fn pairs(&mut self) -> Option<Vec<(&'a str, &'a str)>> {
        let count = self.count()?;
        let mut pairs = Vec::with_capacity(count.min(64));
        for _ in 0..count {
            pairs.push((self.next()?, self.next()?));
        }
        Some(pairs)
    }
}

/// The error for a packed text the JavaScript layer did not write.
fn unreadable() -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        "signRequest: the bindings got options they could not read; please report this",
    )
}

/// The options in a packed text, in the order the JavaScript layer packs them.
struct PackedOptions<'a> {
    access_key_id: &'a str,
    secret: &'a str,
    method: &'a str,
    host: &'a str,
    path: &'a str,
    time: &'a str,
    expiration: u32,
    query: Vec<(&'a str, &'a str)>,
    headers: Vec<(&'a str, &'a str)>,
    /// `None`: the default headers to sign.
    names: Option<Vec<&'a str>>,
}

impl<'a> PackedOptions<'a> {
    /// The options; `None` if the text is not exactly what the JavaScript layer writes.
    fn read(packed: &'a str) -> Option<Self> {
        let mut items = Items {
            text: packed,
            at: 0,
        };
        let (access_key_id, secret) = (items.next()?, items.next()?);
        let (method, host, path) = (items.next()?, items.next()?, items.next()?);
        let time = items.next()?;
        let expiration = match items.next()? {
            "" => DEFAULT_EXPIRATION_SECONDS,
            text => text.parse().ok()?,
        };
        let (query, headers) = (items.pairs()?, items.pairs()?);
        let names = match items.next()? {
            "" => None,
            count => {
                let count: usize = count.parse().ok()?;
                Some((0..count).map(|_| items.next()).collect::<Option<_>>()?)
            }
        };
        (items.at == packed.len()).then_some(PackedOptions {
            access_key_id,
            secret,
            method,
            host,
            path,
            time,
            expiration,
            query,
            headers,
            names,
        })
    }
}

fn sign_packed_into(packed: &str, output: &mut Vec<u8>) -> Result<()> {
    let PackedOptions {
        access_key_id,
        secret,
        method,
        host,
        path,
        time,
        expiration,
        query,
        headers,
        names,
    } = PackedOptions::read(packed).ok_or_else(unreadable)?;

    with_signer(access_key_id, secret, |credentials, signer| {
        let time = match time.split_at_checked(1) {
            Some(("i", text)) => iso_time(CONTEXT, "timestamp", text)?,
            Some(("s", seconds)) => seconds
                .parse::<i64>()
                .ok()
                .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
                .ok_or_else(|| {
                    values::invalid(
                        "timestamp",
                        seconds,
                        values::concat(&[
                            CONTEXT,
                            ": timestamp ",
                            seconds,
                            " is not a usable number of epoch seconds",
                        ]),
                    )
                })?,
            _ => return Err(unreadable()),
        };
        let request = SignableRequest::new(method, host, path)
            .with_query(&query)
            .with_headers(&headers);
        let headers_to_sign = match &names {
            Some(names) => HeadersToSign::Only(names),
            None => HeadersToSign::Default,
        };
        let params = SigningParams::new(credentials, time)
            .with_expiration_seconds(expiration)
            .with_headers_to_sign(headers_to_sign);
        let signed = signer.sign(&request, &params)?;
        let pieces = [
            signed.authorization(),
            signed.canonical_request(),
            signed.x_bce_date(),
            signed.canonical_uri(),
            signed.canonical_query_string(),
            signed.signed_headers(),
        ];
        for (index, piece) in pieces.into_iter().enumerate() {
            if index > 0 {
                output.push(0);
            }
            output.extend_from_slice(piece.as_bytes());
        }
        Ok(())
    })
}

/// Runs `work` with the cached signer of the key pair, made (with [`Credentials::new`]'s
/// checks and errors) when it is not cached, and moves it to the front of the cache.
fn with_signer<T>(
    access_key_id: &str,
    secret: &str,
    work: impl FnOnce(&Credentials, &mut Signer) -> Result<T>,
) -> Result<T> {
    SIGNERS.with(|cell| {
        let mut signers = cell.borrow_mut();
        let found = signers.iter().position(|entry| {
            entry.access_key_id == access_key_id
                && constant_time_eq(&entry.secret, secret.as_bytes())
        });
        match found {
            Some(0) => {}
            Some(index) => {
                if let Some(used) = signers.get_mut(..=index) {
                    used.rotate_right(1);
                }
            }
            None => {
                let entry = CachedSigner {
                    credentials: Credentials::new(access_key_id, secret)?,
                    signer: Signer::new(),
                    access_key_id: access_key_id.to_owned(),
                    secret: secret.as_bytes().to_vec(),
                };
                signers.truncate(CACHED_SIGNERS - 1);
                signers.insert(0, entry);
            }
        }
        match signers.first_mut() {
            Some(entry) => work(&entry.credentials, &mut entry.signer),
            None => Err(unreadable()),
        }
    })
}
