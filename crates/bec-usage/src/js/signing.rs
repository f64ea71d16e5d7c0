//! `signRequest`: the options object read field by field, [`crate::signing`]'s signer, a
//! plain object out.
//!
//! The checks happen in the order of the options in `SignRequestOptions` (`js/index.d.ts`):
//! first the type of every option, then the key pair, the time and the request, each by the
//! core, whose errors come out as `BecUsageError`s naming the option.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use wasm_bindgen::prelude::*;

use super::sys::{self, Date};
use super::time::iso_time;
use super::values::{self, Fields};
use crate::error::Result;
use crate::signing::{
    constant_time_eq, Credentials, HeadersToSign, SignableRequest, Signer, SigningOutput,
    SigningParams, DEFAULT_EXPIRATION_SECONDS,
};

const CONTEXT: &str = "signRequest";
const TIME_EXPECTED: &str =
    "a Date, an ISO 8601 string with a zone (2024-01-31T08:00:00Z) or epoch seconds";

// `signRequest(options)`: the `SignedRequest` of `js/index.d.ts`.
#[wasm_bindgen(js_name = signRequest)]
pub fn sign_request(options: &JsValue) -> Result<JsValue, JsValue> {
    KEYS.with(|keys| sign_with_keys(keys, options))
}

/// The option and result keys as JavaScript strings, made once. A key passed as Rust text
/// is decoded into a new JavaScript string on every read or write, which cost more than the
/// hashing of a signature.
struct Keys {
    access_key_id: JsValue,
    secret_access_key: JsValue,
    method: JsValue,
    host: JsValue,
    path: JsValue,
    query: JsValue,
    headers: JsValue,
    timestamp: JsValue,
    expiration_seconds: JsValue,
    headers_to_sign: JsValue,
    authorization: JsValue,
    canonical_request: JsValue,
    signed_headers: JsValue,
    x_bce_date: JsValue,
    query_string: JsValue,
}

impl Keys {
    fn new() -> Self {
        let key = JsValue::from_str;
        Keys {
            access_key_id: key("accessKeyId"),
            secret_access_key: key("secretAccessKey"),
            method: key("method"),
            host: key("host"),
            path: key("path"),
            query: key("query"),
            headers: key("headers"),
            timestamp: key("timestamp"),
            expiration_seconds: key("expirationSeconds"),
            headers_to_sign: key("headersToSign"),
            authorization: key("authorization"),
            canonical_request: key("canonicalRequest"),
            signed_headers: key("signedHeaders"),
            x_bce_date: key("x-bce-date"),
            query_string: key("queryString"),
        }
    }
}

thread_local! {
    static KEYS: Keys = Keys::new();
}

fn sign_with_keys(keys: &Keys, options: &JsValue) -> Result<JsValue, JsValue> {
    let options = SignOptions::read(keys, options)?;
    let signed = with_signer(
        &options.access_key_id,
        &options.secret_access_key,
        |credentials, signer| {
            let time = options.time.to_utc()?;
            let query = borrowed_pairs(&options.query);
            let headers = borrowed_pairs(&options.headers);
            let names: Vec<&str>;
            let headers_to_sign = match &options.headers_to_sign {
                Some(listed) => {
                    names = listed.iter().map(String::as_str).collect();
                    HeadersToSign::Only(&names)
                }
                None => HeadersToSign::Default,
            };
            let request = SignableRequest::new(&options.method, &options.host, &options.path)
                .with_query(&query)
                .with_headers(&headers);
            let params = SigningParams::new(credentials, time)
                .with_expiration_seconds(options.expiration_seconds)
                .with_headers_to_sign(headers_to_sign);
            signer.sign(&request, &params)
        },
    )?;
    Ok(signed_request(keys, &signed, &options.host_value))
}

/// The options of `signRequest`, their types checked.
struct SignOptions {
    access_key_id: String,
    secret_access_key: String,
    method: String,
    host: String,
    /// `host` as the JavaScript string given, for the result.
    host_value: JsValue,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    time: TimeOption,
    expiration_seconds: u32,
    /// `None`: the default headers to sign.
    headers_to_sign: Option<Vec<String>>,
}

/// The signing time as given; read by the core only once the key pair is known good.
enum TimeOption {
    /// Epoch seconds, floored (from a number or a `Date`).
    EpochSeconds(f64),
    /// ISO 8601 text.
    Iso(String),
}

impl SignOptions {
    /// Reads and type-checks every option, in order.
    fn read(keys: &Keys, options: &JsValue) -> Result<Self> {
        if !options.is_object() || values::is_array(options) {
            return Err(values::wrong_type(CONTEXT, "options", "an object", options));
        }
        let options: &Fields = options.unchecked_ref();
        let host_value = options.get_by(&keys.host);
        let string = |field: &'static str, key: &JsValue| {
            values::required_string(CONTEXT, field, &options.get_by(key))
        };
        Ok(SignOptions {
            access_key_id: string("accessKeyId", &keys.access_key_id)?,
            secret_access_key: string("secretAccessKey", &keys.secret_access_key)?,
            method: string("method", &keys.method)?,
            host: values::required_string(CONTEXT, "host", &host_value)?,
            host_value,
            path: string("path", &keys.path)?,
            query: record("query", options.get_by(&keys.query))?,
            headers: record("headers", options.get_by(&keys.headers))?,
            time: time_option(&options.get_by(&keys.timestamp))?,
            expiration_seconds: expiration_seconds(options.get_by(&keys.expiration_seconds))?,
            headers_to_sign: headers_to_sign(options.get_by(&keys.headers_to_sign))?,
        })
    }
}

/// A `Record<string, string>` option (`query`, `headers`) as pairs; left out, none.
fn record(field: &'static str, value: JsValue) -> Result<Vec<(String, String)>> {
    let Some(value) = values::given(value) else {
        return Ok(Vec::new());
    };
    if !value.is_object() || values::is_array(&value) {
        return Err(values::wrong_type(
            CONTEXT,
            field,
            "an object of strings",
            &value,
        ));
    }
    let entries = sys::entries(&value);
    let mut pairs = Vec::with_capacity(entries.length() as usize);
    for index in 0..entries.length() {
        let entry: sys::Array = entries.at(index).unchecked_into();
        // Object.entries gives string keys.
        let name = entry.at(0).as_string().unwrap_or_default();
        let value = entry.at(1);
        let Some(text) = value.as_string() else {
            let message = values::concat(&[
                CONTEXT,
                ": ",
                field,
                "[\"",
                &name,
                "\"] must be a string, not ",
                values::describe(&value),
            ]);
            return Err(values::invalid(field, &name, message));
        };
        pairs.push((name, text));
    }
    Ok(pairs)
}

/// The `timestamp` option: a number of epoch seconds, a `Date` or ISO text.
fn time_option(value: &JsValue) -> Result<TimeOption> {
    if let Some(seconds) = value.as_f64() {
        return Ok(TimeOption::EpochSeconds(seconds.floor()));
    }
    if let Some(text) = value.as_string() {
        return Ok(TimeOption::Iso(text));
    }
    if let Some(date) = value.dyn_ref::<Date>() {
        let millis = date.get_time();
        if millis.is_nan() {
            return Err(values::invalid(
                "timestamp",
                "Invalid Date",
                values::concat(&[
                    CONTEXT,
                    ": timestamp is an invalid Date; give ",
                    TIME_EXPECTED,
                ]),
            ));
        }
        return Ok(TimeOption::EpochSeconds((millis / 1000.0).floor()));
    }
    Err(values::wrong_type(
        CONTEXT,
        "timestamp",
        TIME_EXPECTED,
        value,
    ))
}

impl TimeOption {
    /// The time to sign with, read by the core's rules.
    fn to_utc(&self) -> Result<DateTime<Utc>> {
        match self {
            TimeOption::Iso(text) => iso_time(CONTEXT, "timestamp", text),
            TimeOption::EpochSeconds(seconds) => {
                // `as` saturates: a finite number beyond i64 becomes i64::MAX, which
                // `from_timestamp` refuses like any other time beyond the calendar.
                let time = seconds
                    .is_finite()
                    .then(|| DateTime::from_timestamp(*seconds as i64, 0))
                    .flatten();
                time.ok_or_else(|| {
                    let text = values::number_text(&values::number(*seconds));
                    let message = values::concat(&[
                        CONTEXT,
                        ": timestamp ",
                        &text,
                        " is not a usable number of epoch seconds",
                    ]);
                    values::invalid("timestamp", &text, message)
                })
            }
        }
    }
}

/// The `expirationSeconds` option; left out, the default.
fn expiration_seconds(value: JsValue) -> Result<u32> {
    let Some(value) = values::given(value) else {
        return Ok(DEFAULT_EXPIRATION_SECONDS);
    };
    let seconds = values::integer(
        CONTEXT,
        "expirationSeconds",
        &value,
        1.0,
        f64::from(u32::MAX),
        "of seconds from 1 to 4294967295",
    )?;
    // A whole number in 1..=u32::MAX: the conversion is exact.
    Ok(seconds as u32)
}

/// The `headersToSign` option; left out, `None` (the default set).
fn headers_to_sign(value: JsValue) -> Result<Option<Vec<String>>> {
    let Some(value) = values::given(value) else {
        return Ok(None);
    };
    if !values::is_array(&value) {
        return Err(values::wrong_type(
            CONTEXT,
            "headersToSign",
            "an array of header names",
            &value,
        ));
    }
    let array: &sys::Array = value.unchecked_ref();
    let mut names = Vec::with_capacity(array.length() as usize);
    for index in 0..array.length() {
        let name = array.at(index);
        let name = name.as_string().ok_or_else(|| {
            values::wrong_type(CONTEXT, "headersToSign", "an array of strings", &name)
        })?;
        names.push(name);
    }
    Ok(Some(names))
}

fn borrowed_pairs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

/// The `SignedRequest` object, built property by property (a `JSON.parse` of the same
/// text cost twice as much).
/// `host` is the option as given, which is the host signed.
fn signed_request(keys: &Keys, signed: &SigningOutput, host: &JsValue) -> JsValue {
    let text = values::string;
    let authorization = text(signed.authorization());
    let x_bce_date = text(signed.x_bce_date());
    // The usual names are the key strings already made: each string made here is a copy
    // out of the module's memory, a good part of a call's time.
    let signed_headers = sys::Array::new();
    for name in signed.signed_header_names() {
        signed_headers.push(&match name {
            "host" => keys.host.clone(),
            "x-bce-date" => keys.x_bce_date.clone(),
            other => text(other),
        });
    }
    let headers = Fields::new();
    headers.set_by(&keys.authorization, &authorization);
    headers.set_by(&keys.host, host);
    headers.set_by(&keys.x_bce_date, &x_bce_date);
    let result = Fields::new();
    result.set_by(&keys.authorization, &authorization);
    result.set_by(&keys.canonical_request, &text(signed.canonical_request()));
    result.set_by(&keys.signed_headers, &signed_headers);
    result.set_by(&keys.headers, &headers);
    result.set_by(&keys.path, &text(signed.canonical_uri()));
    result.set_by(&keys.query_string, &text(signed.canonical_query_string()));
    result.into()
}

/// How many key pairs the cache keeps.
const CACHED_KEY_PAIRS: usize = 4;

/// A key pair's credentials and signer, kept between calls.
struct CachedKeyPair {
    access_key_id: String,
    /// The secret, only to recognise the key pair (compared in constant time); never
    /// returned, printed or put into an error, and overwritten when the entry is dropped.
    secret: Vec<u8>,
    credentials: Credentials,
    signer: Signer,
}

impl Drop for CachedKeyPair {
    fn drop(&mut self) {
        self.secret.fill(0);
        std::hint::black_box(&self.secret);
    }
}

thread_local! {
    /// The last few key pairs, most recently used first.
    ///
    /// Why: keying HMAC-SHA256 with the secret (its ipad and opad blocks) and deriving the
    /// signing key of a (time, expiration) are most of the hashing of a signature, and a
    /// client signs with one key pair, often several requests in the same second (the
    /// chunks of one long range). What: per key pair, the [`Credentials`] (which hold the
    /// secret's keyed HMAC state) and a core [`Signer`] (which holds the last derived signing
    /// key's). The core stays pure: `Signer` is a value its caller owns, and this edge of the
    /// module is that caller. (The module has one thread: JavaScript's.)
    static KEY_PAIRS: RefCell<Vec<CachedKeyPair>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` with the cached credentials and signer of the key pair, made (with
/// [`Credentials::new`]'s checks and errors) when it is not cached, and moves it to the
/// front of the cache.
fn with_signer<T>(
    access_key_id: &str,
    secret: &str,
    work: impl FnOnce(&Credentials, &mut Signer) -> Result<T>,
) -> Result<T> {
    KEY_PAIRS.with(|cell| {
        let mut key_pairs = cell.borrow_mut();
        let found = key_pairs.iter().position(|entry| {
            entry.access_key_id == access_key_id
                && constant_time_eq(&entry.secret, secret.as_bytes())
        });
        let mut entry = match found {
            Some(index) => key_pairs.remove(index),
            None => CachedKeyPair {
                credentials: Credentials::new(access_key_id, secret)?,
                signer: Signer::new(),
                access_key_id: access_key_id.to_owned(),
                secret: secret.as_bytes().to_vec(),
            },
        };
        let result = work(&entry.credentials, &mut entry.signer);
        key_pairs.insert(0, entry);
        key_pairs.truncate(CACHED_KEY_PAIRS);
        result
    })
}
