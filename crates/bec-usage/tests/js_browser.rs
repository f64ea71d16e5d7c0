//! The JavaScript bindings in a browser (headless Chromium through chromedriver): signing,
//! reading a response and the error objects, where the npm package's pages use them.
//!
//! Run with `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p bec-usage --target
//! wasm32-unknown-unknown --features js --test js_browser`; `webdriver.json` beside this
//! crate's manifest passes the flags Chromium needs on a closed network.
#![cfg(all(feature = "js", target_arch = "wasm32"))]

mod js_support;

use bec_usage::js::{parse_usage, sign_request, validate_range};
use js_support::*;
use js_sys::Float64Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test as test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[test]
fn runs_in_a_browser() {
    // `window` exists only in a browser: this file must not silently run in Node.
    let window = js_sys::global()
        .dyn_into::<js_sys::Object>()
        .map(|global| js_sys::Reflect::has(&global, &"document".into()).unwrap_or(false));
    assert_eq!(window, Ok(true));
}

#[test]
fn signs_the_documented_example() {
    let signed = sign_request(&bos_options(BOS_EPOCH_SECONDS.into(), None)).expect("signs");
    assert!(text(&signed, "authorization").ends_with(BOS_SIGNATURE_DEFAULT));
    assert_eq!(
        text(&get(&signed, "headers"), "x-bce-date"),
        "2015-04-27T08:23:49Z"
    );
}

#[test]
fn reads_a_response_into_typed_arrays_and_exact_strings() {
    let usage = usage_object(DOC_EXAMPLE);
    let bos = call(&usage, "resource", &["BOS_Standard".into()]).expect("resource");
    let amounts: Float64Array = get(&bos, "amounts").dyn_into().expect("a Float64Array");
    assert_eq!(amounts.get_index(0), 30.223343133);
    assert_eq!(strings(&get(&bos, "exactAmounts"))[0], "30.223343133");
    let daily = call(&usage, "dailyAverages", &[js(r#"{"utcOffset": "+08:00"}"#)]).expect("daily");
    assert_eq!(strings(&get(&daily, "dates")), ["2020-10-16"]);
    call(&usage, "free", &[]).expect("free");
}

#[test]
fn errors_are_real_error_objects() {
    let bad_amount = DOC_EXAMPLE.replacen("50.223,", "\"fifty\",", 1);
    let error = parse_usage(JsValue::from_str(&bad_amount)).expect_err("bad amount");
    let error = expect_error(error, "InvalidAmount");
    assert_eq!(text(&error, "path"), "graphData.CPU.dataList[2].amount");
    assert!(text(&error, "stack").contains("BecUsageError"));
    let error = validate_range("2024-02-30".into(), "2024-03-01".into()).expect_err("no such day");
    assert_eq!(
        text(&expect_error(error, "DateNotInCalendar"), "field"),
        "beginDate"
    );
}
