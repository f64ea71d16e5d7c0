//! `signRequest`: the options object in, [`crate::signing::sign`], the result object out.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::sys::entries;
use super::time::time_input;
use super::values::{self, is_array, Array, Json};
use crate::error::{Error, Result};
use crate::signing::{sign, Credentials, HeadersToSign, SignableRequest, SigningParams};

const CONTEXT: &str = "signRequest";

// `signRequest(options)`: see js/index.d.ts.
#[wasm_bindgen(js_name = signRequest)]
pub fn sign_request(options: JsValue) -> Result<JsValue, JsValue> {
    Ok(sign_options(&options)?)
}

fn sign_options(options: &JsValue) -> Result<JsValue> {
    let options = values::options(CONTEXT, options)?
        .ok_or_else(|| values::wrong_type(CONTEXT, "options", "an object", options))?;
    let text = |field: &'static str| values::required_string(CONTEXT, field, &options.get(field));
    let credentials = Credentials::new(&text("accessKeyId")?, &text("secretAccessKey")?)?;
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
    let mut params = SigningParams::new(&credentials, time);
    if let Some(seconds) = expiration {
        // A whole number in 1..=u32::MAX.
        params = params.with_expiration_seconds(seconds as u32);
    }
    if headers_to_sign.is_some() {
        params = params.with_headers_to_sign(HeadersToSign::Only(&names));
    }
    let output = sign(&request, &params)?;

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
