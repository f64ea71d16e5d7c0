//! Errors as JavaScript sees them, and `parseServiceError`.
//!
//! Every [`Error`] crosses into JavaScript as a real `Error` object (so it has a `stack`
//! and works with `instanceof Error`) whose `name` is `"BecUsageError"`, with own
//! properties `kind` ([`ErrorKind::as_str`](crate::ErrorKind::as_str)) and, where the
//! error has them, `path`, `field`, `value`, `code`, `requestId` and `status`.

use super::sys::ErrorObject;
use super::values::{self, Fields, Json};
use crate::error::Error;
use wasm_bindgen::prelude::*;

/// The `name` of every error this package throws.
const ERROR_NAME: &str = "BecUsageError";

impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        let fields: Fields = ErrorObject::new(error.message()).into();
        fields.set("name", &values::string(ERROR_NAME));
        fields.set("kind", &values::string(error.kind().as_str()));
        let texts = [
            ("path", error.path()),
            ("field", error.field()),
            ("value", error.value()),
        ];
        for (key, text) in texts {
            if let Some(text) = text {
                fields.set(key, &values::string(text));
            }
        }
        if let Some(service) = error.service() {
            fields.set("code", &values::string(&service.code));
            if let Some(request_id) = &service.request_id {
                fields.set("requestId", &values::string(request_id));
            }
            fields.set("status", &values::number(f64::from(service.status)));
        }
        fields.into()
    }
}

// `parseServiceError(status, body, requestIdHeader?)`: see js/index.d.ts.
#[wasm_bindgen(js_name = parseServiceError)]
pub fn parse_service_error(
    status: JsValue,
    body: JsValue,
    request_id_header: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "parseServiceError";
    let status = values::integer(CONTEXT, "status", &status, 0.0, 999.0, "from 0 to 999")?;
    let body = values::required_string(CONTEXT, "body", &body)?;
    let request_id_header = values::optional_string(CONTEXT, "requestIdHeader", request_id_header)?;
    // `status` is a whole number in 0..=999, so it fits a u16 exactly.
    let Some(service) =
        crate::json::parse_service_error(status as u16, &body, request_id_header.as_deref())
    else {
        return Ok(JsValue::NULL);
    };
    let mut json = Json::new();
    json.raw("{\"status\":")
        .number(u64::from(service.status))
        .raw(",\"code\":")
        .string(&service.code)
        .raw(",\"message\":")
        .string(&service.message)
        .raw(",\"requestId\":");
    match &service.request_id {
        Some(request_id) => json.string(request_id),
        None => json.raw("null"),
    };
    json.raw("}");
    Ok(json.parse()?)
}
