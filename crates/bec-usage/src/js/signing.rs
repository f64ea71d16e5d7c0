//! `signRequest`: the options object in, [`crate::signing::sign`], the result object out.
//!
//! Two ways in. `signPacked` is the fast path: `js/api.mjs` packs well-typed options into
//! one string and splits the one string that comes back, so a signature costs one crossing
//! each way instead of one per option and a `JSON.parse`. `signRequest` reads the options
//! object itself; the JavaScript layer calls it when the options are not what the packer
//! takes (a wrong type, a NUL inside a value), so that every error is the precise one it
//! writes. Both sign through the same cache of signers (below), so both give the same
//! results and, for valid types, the same errors in the same order.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::sys::entries;
use super::time::{iso_time, time_input};
use super::values::{self, is_array, Array, Json};
use crate::error::{Error, Result};
use crate::signing::{
    constant_time_eq, Credentials, HeadersToSign, SignableRequest, Signer,
    DEFAULT_EXPIRATION_SECONDS,
};

const CONTEXT: &str = "signRequest";

/// The separator of the packed texts: a NUL cannot occur in a valid header value, and the
/// packer leaves any option holding one to the slow path.
const SEPARATOR: char = '\0';

/// How many key pairs the cache keeps.
const CACHED_SIGNERS: usize = 4;

/// A key pair's signer, kept between calls.
struct CachedSigner {
    access_key_id: String,
    /// The secret, only to recognise the key pair (compared in constant time); never
    /// returned, printed or put into an error, and overwritten when the entry is dropped.
    secret: Vec<u8>,
    signer: Signer,
}

impl Drop for CachedSigner {
    fn drop(&mut self) {
        self.secret.fill(0);
        std::hint::black_box(&self.secret);
    }
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
}

/// Runs `work` with the cached signer of the key pair, made (with [`Credentials::new`]'s
/// checks and errors) when it is not cached. The entry is taken out of the cache while
/// `work` runs (which may read JavaScript getters that sign too), then put back in front.
fn with_signer<T>(
    access_key_id: &str,
    secret: &str,
    work: impl FnOnce(&mut Signer) -> Result<T>,
) -> Result<T> {
    let cached = SIGNERS.with(|cell| {
        let mut signers = cell.borrow_mut();
        let found = signers.iter().position(|entry| {
            entry.access_key_id == access_key_id
                && constant_time_eq(&entry.secret, secret.as_bytes())
        });
        found.map(|index| signers.remove(index))
    });
    let mut entry = match cached {
        Some(entry) => entry,
        None => CachedSigner {
            signer: Signer::new(Credentials::new(access_key_id, secret)?),
            access_key_id: access_key_id.to_owned(),
            secret: secret.as_bytes().to_vec(),
        },
    };
    let result = work(&mut entry.signer);
    SIGNERS.with(|cell| {
        let mut signers = cell.borrow_mut();
        signers.truncate(CACHED_SIGNERS - 1);
        signers.insert(0, entry);
    });
    result
}

// `signPacked(packed)`: the fast path of `signRequest` (js/api.mjs), not public. In: the
// fields below joined with NUL, the last one their count; "" back when the text is not what
// the packer writes (a value held a NUL), and the caller then calls `signRequest`. Out:
// authorization, canonical request, x-bce-date, path, query string, the signed header
// names (joined with `;`) and host, joined with NUL.
#[wasm_bindgen(js_name = signPacked)]
pub fn sign_packed(packed: &str) -> Result<String, JsValue> {
    Ok(sign_packed_text(packed)?)
}

fn sign_packed_text(packed: &str) -> Result<String> {
    let Some((body, count)) = packed.rsplit_once(SEPARATOR) else {
        return Ok(String::new());
    };
    let fields: Vec<&str> = body.split(SEPARATOR).collect();
    if count.parse::<usize>().ok() != Some(fields.len()) {
        return Ok(String::new());
    }
    let mut fields = fields.into_iter();
    let mut next = || fields.next().unwrap_or_default();
    // accessKeyId, secretAccessKey, method, host, path, timestamp ("s" and epoch seconds,
    // or "i" and the ISO text), expirationSeconds ("" for the default), query and headers
    // (a count, then names and values), headersToSign ("" for the default, else a count,
    // then the names). The count check above makes every `next()` find its field.
    let (access_key_id, secret) = (next(), next());
    let (method, host, path, time, expiration) = (next(), next(), next(), next(), next());
    let mut pairs = || {
        let count = next().parse::<usize>().unwrap_or_default();
        (0..count).map(|_| (next(), next())).collect::<Vec<_>>()
    };
    let (query, headers) = (pairs(), pairs());
    let headers_to_sign = match next() {
        "" => None,
        count => {
            let count = count.parse::<usize>().unwrap_or_default();
            Some((0..count).map(|_| next()).collect::<Vec<_>>())
        }
    };
    let expiration = expiration
        .parse::<u32>()
        .unwrap_or(DEFAULT_EXPIRATION_SECONDS);

    with_signer(access_key_id, secret, |signer| {
        let time = match time.split_at_checked(1) {
            Some(("s", seconds)) => seconds
                .parse::<i64>()
                .ok()
                .and_then(|seconds| DateTime::from_timestamp(seconds, 0)),
            Some(("i", text)) => Some(iso_time(CONTEXT, "timestamp", text)?),
            _ => None,
        };
        // The packer sends only seconds chrono holds; this guards against a foreign caller.
        let time: DateTime<Utc> = time.ok_or_else(|| {
            Error::new(
                crate::ErrorKind::InvalidArgument,
                "signRequest: the bindings got a timestamp they could not read; please report this",
            )
        })?;
        let request = SignableRequest::new(method, host, path)
            .with_query(&query)
            .with_headers(&headers);
        let headers_to_sign = match &headers_to_sign {
            Some(names) => HeadersToSign::Only(names),
            None => HeadersToSign::Default,
        };
        let output = signer.sign(&request, time, expiration, headers_to_sign)?;
        let parts = [
            output.authorization(),
            output.canonical_request(),
            output.x_bce_date(),
            output.canonical_uri(),
            output.canonical_query_string(),
            output.signed_headers(),
            output.host(),
        ];
        let mut text = String::with_capacity(parts.iter().map(|part| part.len() + 1).sum());
        for (index, part) in parts.into_iter().enumerate() {
            if index > 0 {
                text.push(SEPARATOR);
            }
            text.push_str(part);
        }
        Ok(text)
    })
}

// `signRequest(options)`: see js/index.d.ts.
#[wasm_bindgen(js_name = signRequest)]
pub fn sign_request(options: JsValue) -> Result<JsValue, JsValue> {
    Ok(sign_options(&options)?)
}

fn sign_options(options: &JsValue) -> Result<JsValue> {
    let options = values::options(CONTEXT, options)?
        .ok_or_else(|| values::wrong_type(CONTEXT, "options", "an object", options))?;
    let text = |field: &'static str| values::required_string(CONTEXT, field, &options.get(field));
    let (access_key_id, secret) = (text("accessKeyId")?, text("secretAccessKey")?);
    with_signer(&access_key_id, &secret, |signer| {
        let (method, host, path) = (text("method")?, text("host")?, text("path")?);
        let query = string_pairs("query", options.get("query"))?;
        let headers = string_pairs("headers", options.get("headers"))?;
        let time = time_input(CONTEXT, "timestamp", &options.get("timestamp"))?;
        let expiration = values::given(options.get("expirationSeconds"))
            .map(|value| {
                values::integer(
                    CONTEXT,
                    "expirationSeconds",
                    &value,
                    1.0,
                    f64::from(u32::MAX),
                    "of seconds from 1 to 4294967295",
                )
            })
            .transpose()?;
        let headers_to_sign = headers_to_sign(options.get("headersToSign"))?;

        let query: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let names: Vec<&str> = headers_to_sign
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let request = SignableRequest::new(&method, &host, &path)
            .with_query(&query)
            .with_headers(&headers);
        // A whole number in 1..=u32::MAX.
        let expiration = expiration.map_or(DEFAULT_EXPIRATION_SECONDS, |seconds| seconds as u32);
        let only = if headers_to_sign.is_some() {
            HeadersToSign::Only(&names)
        } else {
            HeadersToSign::Default
        };
        let output = signer.sign(&request, time, expiration, only)?;
        write_output(&output)
    })
}

fn write_output(output: &crate::signing::SigningOutput) -> Result<JsValue> {
    let mut json = Json::new();
    json.raw("{\"authorization\":")
        .string(output.authorization())
        .raw(",\"canonicalRequest\":")
        .string(output.canonical_request())
        .raw(",\"signedHeaders\":")
        .array(output.signed_header_names(), |json, name| {
            json.string(name);
        })
        .raw(",\"headers\":{");
    for (index, (name, value)) in output.headers_to_add().into_iter().enumerate() {
        if index > 0 {
            json.raw(",");
        }
        json.string(name).raw(":").string(value);
    }
    json.raw("},\"path\":")
        .string(output.canonical_uri())
        .raw(",\"queryString\":")
        .string(output.canonical_query_string())
        .raw("}");
    json.parse()
}

/// A `Record<string, string>` option (`query`, `headers`) as pairs, in the object's order.
fn string_pairs(field: &'static str, value: JsValue) -> Result<Vec<(String, String)>> {
    let Some(value) = values::given(value) else {
        return Ok(Vec::new());
    };
    if !value.is_object() || is_array(&value) {
        return Err(values::wrong_type(
            CONTEXT,
            field,
            "an object of strings",
            &value,
        ));
    }
    let entries = entries(&value);
    let mut pairs = Vec::with_capacity(entries.length() as usize);
    for index in 0..entries.length() {
        let entry: Array = entries.at(index).unchecked_into();
        let name = entry.at(0).as_string().unwrap_or_default();
        let value = entry.at(1);
        let Some(text) = value.as_string() else {
            return Err(not_a_string_value(field, &name, &value));
        };
        pairs.push((name, text));
    }
    Ok(pairs)
}

fn not_a_string_value(field: &'static str, name: &str, value: &JsValue) -> Error {
    values::invalid(
        field,
        name,
        values::concat(&[
            CONTEXT,
            ": ",
            field,
            "[\"",
            name,
            "\"] must be a string, not ",
            values::describe(value),
        ]),
    )
}

/// `headersToSign`: left out for the default set, else an array of strings.
fn headers_to_sign(value: JsValue) -> Result<Option<Vec<String>>> {
    let Some(value) = values::given(value) else {
        return Ok(None);
    };
    if !is_array(&value) {
        return Err(values::wrong_type(
            CONTEXT,
            "headersToSign",
            "an array of header names",
            &value,
        ));
    }
    let array: &Array = value.unchecked_ref();
    let mut names = Vec::with_capacity(array.length() as usize);
    for index in 0..array.length() {
        let item = array.at(index);
        match item.as_string() {
            Some(name) => names.push(name),
            None => {
                return Err(values::wrong_type(
                    CONTEXT,
                    "headersToSign",
                    "an array of strings",
                    &item,
                ))
            }
        }
    }
    Ok(Some(names))
}
