//! The `Usage` class (a parsed response), `parseUsage` and `mergeUsage`.
//!
//! A `Usage` owns its [`UsageResponse`] in WebAssembly memory, behind an [`Rc`] so that
//! `mergeUsage` can read its parts without copying them. The JavaScript object frees it
//! when garbage collected (the glue is generated with `--weak-refs`) or on `free()`.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::sys::{copy_bytes, reflect_get, Float64Array, Uint8Array};
use super::values::{self, is_array, Array, Fields, Json};
use crate::analysis::lttb::approximate;
use crate::analysis::{merge_response_refs, series_stats, SeriesStats};
use crate::error::{Error, ErrorKind, Result};
use crate::json::{parse_usage as parse_usage_text, write_usage};
use crate::model::{DataPoint, ResourceSeries, UsageResponse};

// A parsed usage response: see `Usage` in js/index.d.ts.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Usage {
    pub(super) response: Rc<UsageResponse>,
}

// `parseUsage(jsonText)`: see js/index.d.ts. Also takes the UTF-8 bytes of the text as a
// `Uint8Array` (what `fetch`'s `arrayBuffer()` gives), which skips turning them into a
// JavaScript string and back.
#[wasm_bindgen(js_name = parseUsage)]
pub fn parse_usage(json_text: JsValue) -> Result<Usage, JsValue> {
    let response = if let Some(text) = json_text.as_string() {
        parse_usage_text(&text)?
    } else if let Some(bytes) = json_text.dyn_ref::<Uint8Array>() {
        let mut buffer = vec![0; bytes.length() as usize];
        copy_bytes(&mut buffer, bytes);
        let text = String::from_utf8(buffer).map_err(|error| {
            Error::new(
                ErrorKind::InvalidJson,
                "the response is not UTF-8 text; the service always sends UTF-8, so the \
                 bytes were damaged or are not the response",
            )
            .with_path("")
            .with_field("jsonText", error.utf8_error().valid_up_to().to_string())
        })?;
        parse_usage_text(&text)?
    } else {
        return Err(values::wrong_type(
            "parseUsage",
            "jsonText",
            "a string (or the UTF-8 bytes as a Uint8Array)",
            &json_text,
        )
        .into());
    };
    Ok(Usage {
        response: Rc::new(response),
    })
}

thread_local! {
    /// Set while `mergeUsage` reads its parts; see [`merge_usage`].
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// The response of the part whose `accountId` getter ran last while capturing.
    static CAPTURED: Cell<Option<Rc<UsageResponse>>> = const { Cell::new(None) };
}

// `mergeUsage(parts)`: see js/index.d.ts.
//
// wasm-bindgen can pass a list of class instances into Rust only by taking them over
// (the JavaScript objects become unusable), but the parts stay the caller's. So each
// part's own `accountId` getter is run (through `Reflect.get`): while `CAPTURING` is set,
// the getter hands its response over in `CAPTURED`. A value that is not a live `Usage`
// runs no such getter (or throws, which `Reflect.get` catches) and is refused.
#[wasm_bindgen(js_name = mergeUsage)]
pub fn merge_usage(parts: JsValue) -> Result<Usage, JsValue> {
    const CONTEXT: &str = "mergeUsage";
    if !is_array(&parts) {
        return Err(
            values::wrong_type(CONTEXT, "parts", "an array of Usage objects", &parts).into(),
        );
    }
    let parts: Array = parts.unchecked_into();
    let key = values::string("accountId");
    let mut responses = Vec::with_capacity(parts.length() as usize);
    for index in 0..parts.length() {
        let part = parts.at(index);
        CAPTURED.set(None);
        CAPTURING.set(true);
        let read = reflect_get(&part, &key);
        CAPTURING.set(false);
        match (read, CAPTURED.take()) {
            (Ok(_), Some(response)) => responses.push(response),
            _ => {
                let index = index.to_string();
                return Err(values::invalid(
                    "parts",
                    &index,
                    values::concat(&[
                        CONTEXT,
                        ": parts[",
                        &index,
                        "] is not a Usage (or was freed); pass what parseUsage, mergeUsage \
                         or UsageClient.fetchUsage returned",
                    ]),
                )
                .into());
            }
        }
    }
    let borrowed: Vec<&UsageResponse> = responses.iter().map(|r| r.as_ref()).collect();
    Ok(Usage {
        response: Rc::new(merge_response_refs(&borrowed)?),
    })
}

#[wasm_bindgen]
impl Usage {
    // `accountId`; see `merge_usage` for the capture.
    #[wasm_bindgen(getter, js_name = accountId)]
    pub fn account_id(&self) -> String {
        if CAPTURING.get() {
            CAPTURED.set(Some(Rc::clone(&self.response)));
        }
        self.response.account_id.clone()
    }

    // `timeSpan`.
    #[wasm_bindgen(getter, js_name = timeSpan)]
    pub fn time_span(&self) -> Result<JsValue, JsValue> {
        let span = self.response.time_span;
        let mut json = Json::new();
        json.raw("{\"beginDate\":")
            .date(span.begin_date)
            .raw(",\"endDate\":")
            .date(span.end_date)
            .raw("}");
        Ok(json.parse()?)
    }

    // `resourceNames`.
    #[wasm_bindgen(getter, js_name = resourceNames)]
    pub fn resource_names(&self) -> Result<JsValue, JsValue> {
        let mut json = Json::new();
        json.array(self.response.resource_names(), |json, name| {
            json.string(name);
        });
        Ok(json.parse()?)
    }

    // `resource(name)`: a `ResourceUsage`, or `undefined`.
    pub fn resource(&self, name: JsValue) -> Result<JsValue, JsValue> {
        let name = values::required_string("resource", "name", &name)?;
        let Some(series) = self.response.resource(&name) else {
            return Ok(JsValue::UNDEFINED);
        };
        let mut json = Json::new();
        resource_usage(&mut json, series)?;
        let object = json.parse()?;
        attach_arrays(object.unchecked_ref(), &series.points);
        Ok(object)
    }

    // `resources()`.
    pub fn resources(&self) -> Result<JsValue, JsValue> {
        let mut json = Json::new();
        json.raw("[");
        for (index, series) in self.response.resources.iter().enumerate() {
            if index > 0 {
                json.raw(",");
            }
            resource_usage(&mut json, series)?;
        }
        json.raw("]");
        let array = json.parse()?;
        let objects: &Array = array.unchecked_ref();
        for (index, series) in (0..).zip(&self.response.resources) {
            attach_arrays(objects.at(index).unchecked_ref(), &series.points);
        }
        Ok(array)
    }

    // `toJson()`.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        write_usage(&self.response)
    }
}

/// A `ResourceUsage` without its two `Float64Array`s (see [`attach_arrays`]).
fn resource_usage(json: &mut Json, series: &ResourceSeries) -> Result<()> {
    json.raw("{\"name\":")
        .string(&series.name)
        .raw(",\"unit\":")
        .string(&series.unit)
        // Counts above 2^53 lose precision as numbers; a real count is far below.
        .raw(",\"count\":")
        .number(series.count)
        .raw(",\"pointCount\":")
        .number(series.points.len() as u64)
        .raw(",\"stats\":");
    write_stats(json, series_stats(series)?.as_ref());
    json.raw(",");
    exact_amounts(json, &series.points);
    json.raw("}");
    Ok(())
}

/// `"exactAmounts":[...]`: the exact amounts of `points` as strings.
pub(super) fn exact_amounts(json: &mut Json, points: &[DataPoint]) {
    json.raw("\"exactAmounts\":").array(points, |json, point| {
        json.decimal(point.amount);
    });
}

/// Sets `timestamps` and `amounts` of `object`: the points as `Float64Array`s.
pub(super) fn attach_arrays(object: &Fields, points: &[DataPoint]) {
    let timestamps: Vec<f64> = points.iter().map(|p| p.timestamp_ms as f64).collect();
    let amounts: Vec<f64> = points.iter().map(|p| approximate(p.amount)).collect();
    object.set("timestamps", &Float64Array::new(&timestamps));
    object.set("amounts", &Float64Array::new(&amounts));
}

/// A `SeriesStats`, or `null`.
pub(super) fn write_stats(json: &mut Json, stats: Option<&SeriesStats>) {
    let Some(stats) = stats else {
        json.raw("null");
        return;
    };
    json.raw("{\"points\":").number(stats.points as u64);
    for (key, point) in [
        (",\"min\":", &stats.min),
        (",\"max\":", &stats.max),
        (",\"last\":", &stats.last),
    ] {
        json.raw(key)
            .raw("{\"timestamp\":")
            .integer(point.timestamp_ms)
            .raw(",\"amount\":")
            .decimal(point.amount)
            .raw("}");
    }
    json.raw(",\"mean\":")
        .decimal(stats.mean)
        .raw(",\"sum\":")
        .decimal(stats.sum)
        .raw("}");
}

/// The resource called `name`, for methods that need one.
pub(super) fn named_resource<'a>(
    response: &'a UsageResponse,
    context: &str,
    name: &JsValue,
) -> Result<&'a ResourceSeries> {
    let name = values::required_string(context, "resource", name)?;
    response.resource(&name).ok_or_else(|| {
        let mut known = String::new();
        for (index, name) in response.resource_names().enumerate() {
            if index > 0 {
                known.push_str(", ");
            }
            known.push_str(name);
        }
        values::invalid(
            "resource",
            &name,
            values::concat(&[
                context,
                ": there is no resource \"",
                &name,
                "\"; the resources are ",
                &known,
            ]),
        )
    })
}
