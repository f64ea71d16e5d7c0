//! Building and reading plain JavaScript values: results written as JSON text, and the
//! arguments and option objects of the API.
//!
//! A result (a `DailyAverages`, a `Reconciliation`, ...) is written as JSON text and handed
//! to `JSON.parse` once, rather than built property by property: one crossing into
//! JavaScript for a whole object tree instead of one per property, which is faster for
//! large results and much less code in the module and in the glue.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use wasm_bindgen::prelude::*;

use super::sys::{parse_json, to_text};
pub(crate) use super::sys::{Array, Fields};
use crate::error::{Error, ErrorKind, Result};

/// A result being written as JSON text.
///
/// The writing methods are never inlined: a result is written by a long chain of calls,
/// and each inlined call would copy the buffer's growth code into the caller.
pub(crate) struct Json(Vec<u8>);

impl Json {
    /// An empty text.
    pub(crate) fn new() -> Self {
        Json(Vec::with_capacity(256))
    }

    /// Appends `fragment` as it is: punctuation and keys, e.g. `{"beginDate":`.
    #[inline(never)]
    pub(crate) fn raw(&mut self, fragment: &str) -> &mut Self {
        self.0.extend_from_slice(fragment.as_bytes());
        self
    }

    /// Appends `text` as a JSON string.
    #[inline(never)]
    pub(crate) fn string(&mut self, text: &str) -> &mut Self {
        crate::json::push_string(&mut self.0, text);
        self
    }

    /// Appends a whole number (counts, epoch milliseconds: exact in JavaScript up to 2^53).
    #[inline(never)]
    pub(crate) fn number(&mut self, value: u64) -> &mut Self {
        crate::text::push_u64(&mut self.0, value);
        self
    }

    /// Appends a signed whole number.
    #[inline(never)]
    pub(crate) fn integer(&mut self, value: i64) -> &mut Self {
        crate::text::push_i64(&mut self.0, value);
        self
    }

    /// Appends `true` or `false`.
    #[inline(never)]
    pub(crate) fn boolean(&mut self, value: bool) -> &mut Self {
        self.raw(if value { "true" } else { "false" })
    }

    /// Appends an exact decimal as a string, e.g. `"30.223343133"`.
    #[inline(never)]
    pub(crate) fn decimal(&mut self, amount: Decimal) -> &mut Self {
        self.0.push(b'"');
        crate::text::push_decimal(&mut self.0, amount);
        self.0.push(b'"');
        self
    }

    /// [`Json::decimal`], or `null`.
    #[inline(never)]
    pub(crate) fn optional_decimal(&mut self, amount: Option<Decimal>) -> &mut Self {
        match amount {
            Some(amount) => self.decimal(amount),
            None => self.raw("null"),
        }
    }

    /// Appends a date as the string `"YYYY-MM-DD"`.
    #[inline(never)]
    pub(crate) fn date(&mut self, date: NaiveDate) -> &mut Self {
        self.0.push(b'"');
        crate::text::push_date(&mut self.0, date);
        self.0.push(b'"');
        self
    }

    /// Appends `key` (e.g. `,"hours":`) and an exact decimal: one call where a result has
    /// many keyed decimals (see [`Json::decimal`]).
    #[inline(never)]
    pub(crate) fn key_decimal(&mut self, key: &str, amount: &Decimal) -> &mut Self {
        self.raw(key).decimal(*amount)
    }

    /// Appends `key` and a statistical estimate as a JSON number (15 significant digits, see
    /// [`crate::text::push_f64`]).
    #[inline(never)]
    pub(crate) fn key_f64(&mut self, key: &str, value: f64) -> &mut Self {
        self.raw(key);
        crate::text::push_f64(&mut self.0, value);
        self
    }

    /// Appends `key` and a signed whole number (see [`Json::integer`]).
    #[inline(never)]
    pub(crate) fn key_integer(&mut self, key: &str, value: i64) -> &mut Self {
        self.raw(key).integer(value)
    }

    /// Appends `key` and a JSON string (see [`Json::string`]).
    #[inline(never)]
    pub(crate) fn key_string(&mut self, key: &str, text: &str) -> &mut Self {
        self.raw(key).string(text)
    }

    /// Appends `key` and a date (see [`Json::date`]).
    #[inline(never)]
    pub(crate) fn key_date(&mut self, key: &str, date: NaiveDate) -> &mut Self {
        self.raw(key).date(date)
    }

    /// Appends `[item, item, ...]`, each item written by `write`.
    pub(crate) fn array<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut write: impl FnMut(&mut Self, T),
    ) -> &mut Self {
        self.0.push(b'[');
        for (index, item) in items.into_iter().enumerate() {
            if index > 0 {
                self.0.push(b',');
            }
            write(self, item);
        }
        self.0.push(b']');
        self
    }

    /// The value the text describes, made by `JSON.parse`.
    pub(crate) fn parse(self) -> Result<JsValue> {
        // Everything written is ASCII or whole `&str`s, so the text is UTF-8.
        let text = String::from_utf8(self.0).unwrap_or_default();
        parse_json(&text).map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgument,
                "the bindings wrote a result JavaScript could not read; please report this",
            )
        })
    }
}

/// A JavaScript string.
pub(crate) fn string(text: &str) -> JsValue {
    JsValue::from_str(text)
}

/// A JavaScript number.
pub(crate) fn number(value: f64) -> JsValue {
    JsValue::from_f64(value)
}

/// The pieces joined into one string (`[..].concat()` without the standard library's
/// generic join, which is a kilobyte of the module per kind of piece).
pub(crate) fn concat(pieces: &[&str]) -> String {
    let mut text = String::with_capacity(pieces.iter().map(|piece| piece.len()).sum());
    for piece in pieces {
        text.push_str(piece);
    }
    text
}

/// `Array.isArray(value)`.
pub(crate) fn is_array(value: &JsValue) -> bool {
    Array::is_array(value)
}

// ---------------------------------------------------------------------------------------
// Reading arguments and options.

/// How a value looks, for messages: `a number`, `null`, ...
pub(crate) fn describe(value: &JsValue) -> &'static str {
    if value.is_undefined() {
        "undefined"
    } else if value.is_null() {
        "null"
    } else if value.is_string() {
        "a string"
    } else if value.as_f64().is_some() {
        "a number"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if is_array(value) {
        "an array"
    } else if value.is_function() {
        "a function"
    } else if value.is_object() {
        "an object"
    } else if value.is_bigint() {
        "a bigint"
    } else {
        "a symbol"
    }
}

/// An [`ErrorKind::InvalidArgument`] error about `field`: `"{context}: {field} must be
/// {expected}, not {what value is}"`.
pub(crate) fn wrong_type(
    context: &str,
    field: &'static str,
    expected: &str,
    value: &JsValue,
) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        concat(&[
            context,
            ": ",
            field,
            " must be ",
            expected,
            ", not ",
            describe(value),
        ]),
    )
    .with_field(field, describe(value))
}

/// An [`ErrorKind::InvalidArgument`] error about `field` with `message`.
pub(crate) fn invalid(field: &'static str, value: &str, message: String) -> Error {
    Error::new(ErrorKind::InvalidArgument, message).with_field(field, value)
}

/// `undefined` and `null` as `None`.
pub(crate) fn given(value: JsValue) -> Option<JsValue> {
    if value.is_undefined() || value.is_null() {
        None
    } else {
        Some(value)
    }
}

/// An options argument: `undefined`/`null` for none, else a non-array object.
pub(crate) fn options(context: &str, value: &JsValue) -> Result<Option<Fields>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() || is_array(value) {
        return Err(wrong_type(context, "options", "an object", value));
    }
    Ok(Some(value.clone().unchecked_into()))
}

/// A string argument or option.
pub(crate) fn required_string(
    context: &str,
    field: &'static str,
    value: &JsValue,
) -> Result<String> {
    value
        .as_string()
        .ok_or_else(|| wrong_type(context, field, "a string", value))
}

/// An option that may be left out, else a string.
pub(crate) fn optional_string(
    context: &str,
    field: &'static str,
    value: JsValue,
) -> Result<Option<String>> {
    given(value)
        .map(|value| required_string(context, field, &value))
        .transpose()
}

/// A whole number in `min..=max`; `range` says so for the message (`from 1 to 31`).
pub(crate) fn integer(
    context: &str,
    field: &'static str,
    value: &JsValue,
    min: f64,
    max: f64,
    range: &str,
) -> Result<f64> {
    match value.as_f64() {
        Some(number) if number.fract() == 0.0 && (min..=max).contains(&number) => Ok(number),
        Some(_) => {
            let text = number_text(value);
            Err(invalid(
                field,
                &text,
                concat(&[
                    context,
                    ": ",
                    field,
                    " must be a whole number ",
                    range,
                    ", not ",
                    &text,
                ]),
            ))
        }
        None => Err(wrong_type(context, field, "a number", value)),
    }
}

/// A number as JavaScript writes it (`2.5`, `NaN`): JavaScript formats it, which keeps
/// Rust's float formatting out of the module.
pub(crate) fn number_text(value: &JsValue) -> String {
    to_text(value)
}
