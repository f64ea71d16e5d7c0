//! Helpers shared by the tests of the JavaScript bindings (`js_bindings.rs` in Node,
//! `js_browser.rs` in Chromium): reading JavaScript values, calling methods the way
//! JavaScript calls them, and the fixtures.

#![allow(dead_code)] // each test file uses a part

use bec_usage::js::{parse_usage, Usage};
use js_sys::{Array, Function, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

/// The response of the reference page's example.
pub const DOC_EXAMPLE: &str = include_str!("../fixtures/responses/doc-example.json");

/// The canonical request of Baidu's worked signing example (default header set).
pub const BOS_CANONICAL_REQUEST: &str =
    include_str!("../fixtures/signing/bos-doc-example-default-headers/canonical-request.txt");

/// The signatures Baidu's documentation gives for its worked example.
pub const BOS_SIGNATURE_DEFAULT: &str =
    "d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e";
pub const BOS_SIGNATURE_HOST_AND_DATE: &str =
    "1b8de5a23a56eef657c69f94c621e7acd227d049a4ba577f537d5e5cebf0cf32";

/// A JavaScript value from JSON text (test input is valid JSON).
pub fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

/// `value[key]`.
pub fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).expect("property read")
}

/// `value[key]` as a string; fails the test if it is not one.
pub fn text(value: &JsValue, key: &str) -> String {
    get(value, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string: {:?}", get(value, key)))
}

/// `value[key]` as a number; fails the test if it is not one.
pub fn number(value: &JsValue, key: &str) -> f64 {
    get(value, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number: {:?}", get(value, key)))
}

/// `value[index]` of an array.
pub fn at(value: &JsValue, index: u32) -> JsValue {
    value.unchecked_ref::<Array>().get(index)
}

/// The length of an array.
pub fn length(value: &JsValue) -> u32 {
    assert!(Array::is_array(value), "not an array: {value:?}");
    value.unchecked_ref::<Array>().length()
}

/// The strings of an array of strings.
pub fn strings(value: &JsValue) -> Vec<String> {
    (0..length(value))
        .map(|i| at(value, i).as_string().expect("a string"))
        .collect()
}

/// `JSON.stringify(value)`.
pub fn json_text(value: &JsValue) -> String {
    JSON::stringify(value).expect("stringify").into()
}

/// Calls `target[method](...args)` as JavaScript would: through the generated glue.
pub fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: Function = get(target, method).dyn_into().expect("a method");
    let arguments: Array = args.iter().collect();
    function.apply(target, &arguments)
}

/// A parsed response as the JavaScript object `parseUsage` returns.
pub fn usage_object(json: &str) -> JsValue {
    let usage: Usage = parse_usage(JsValue::from_str(json)).expect("parses");
    usage.into()
}

/// Checks that `error` is a `BecUsageError` of `kind` (a real `Error`) and returns it.
pub fn expect_error(error: JsValue, kind: &str) -> JsValue {
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "not an Error: {error:?}"
    );
    assert_eq!(text(&error, "name"), "BecUsageError");
    assert_eq!(
        text(&error, "kind"),
        kind,
        "message: {}",
        text(&error, "message")
    );
    assert!(!text(&error, "message").is_empty());
    error
}

/// `object[key] = value`.
pub fn set(object: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(object, &JsValue::from_str(key), value).expect("property write");
}

/// The `signRequest` options of Baidu's worked signing example, signed at `timestamp`, with
/// `headers_to_sign` (`None`: the default set).
pub fn bos_options(timestamp: JsValue, headers_to_sign: Option<&[&str]>) -> JsValue {
    let options = js(r#"{
        "accessKeyId": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "secretAccessKey": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "method": "PUT",
        "host": "bj.bcebos.com",
        "path": "/v1/test/myfolder/readme.txt",
        "query": {"partNumber": "9", "uploadId": "a44cc9bab11cbd156984767aad637851"},
        "headers": {
            "Date": "Mon, 27 Apr 2015 16:23:49 +0800",
            "Content-Type": "text/plain",
            "Content-Length": "8",
            "Content-Md5": "NFzcPqhviddjRNnSOGo4rw=="
        },
        "expirationSeconds": 1800
    }"#);
    set(&options, "timestamp", &timestamp);
    if let Some(names) = headers_to_sign {
        let names: Array = names.iter().map(|name| JsValue::from_str(name)).collect();
        set(&options, "headersToSign", &names);
    }
    options
}

/// The time of Baidu's worked signing example, in epoch seconds.
pub const BOS_EPOCH_SECONDS: f64 = 1430123029.0;
