//! The JavaScript bindings (`src/js/`), in Node: every export with JavaScript values in and
//! out, as the npm package's users call them. The class methods are called through the
//! generated glue (`usage.dailyAverages(...)`), so their JavaScript names are checked too.
//!
//! Run with `cargo test -p bec-usage --target wasm32-unknown-unknown --features js`.
#![cfg(all(feature = "js", target_arch = "wasm32"))]

mod js_support;

use bec_usage::js::{
    merge_usage, parse_price_sheet, parse_service_error, parse_usage, round_money_text,
    sign_request, split_range, validate_range, write_price_sheet_text,
};
use bec_usage::signing::uri_encode;
use js_support::*;
use js_sys::{Array, Float64Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test as test;

// ---- signRequest ----------------------------------------------------------------------

/// The `SignedRequest` of options that sign.
fn sign(options: &JsValue) -> JsValue {
    sign_request(options).expect("signs")
}

/// The error of options that do not sign, checked to be a `BecUsageError` of `kind`.
fn sign_error(options: &JsValue, kind: &str) -> JsValue {
    expect_error(sign_request(options).expect_err("refused"), kind)
}

/// The options of Baidu's worked example with `key` set to `value`.
fn bos_with(key: &str, value: JsValue) -> JsValue {
    let options = bos_options(BOS_EPOCH_SECONDS.into(), None);
    set(&options, key, &value);
    options
}

#[test]
fn sign_request_reproduces_the_documented_signature() {
    let signed = sign(&bos_options("2015-04-27T08:23:49Z".into(), None));
    let authorization = format!(
        "bce-auth-v1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/2015-04-27T08:23:49Z/1800/\
         content-length;content-md5;content-type;host;x-bce-date/{BOS_SIGNATURE_DEFAULT}"
    );
    assert_eq!(text(&signed, "authorization"), authorization);
    assert_eq!(
        text(&signed, "canonicalRequest"),
        BOS_CANONICAL_REQUEST.trim_end_matches('\n')
    );
    assert_eq!(
        strings(&get(&signed, "signedHeaders")),
        [
            "content-length",
            "content-md5",
            "content-type",
            "host",
            "x-bce-date"
        ]
    );
    assert_eq!(
        json_text(&get(&signed, "headers")),
        format!(
            r#"{{"authorization":"{authorization}","host":"bj.bcebos.com","x-bce-date":"2015-04-27T08:23:49Z"}}"#
        )
    );
    assert_eq!(text(&signed, "path"), "/v1/test/myfolder/readme.txt");
    assert_eq!(
        text(&signed, "queryString"),
        "partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851"
    );
    // A plain object, its keys in the documented order.
    assert!(json_text(&signed).starts_with(r#"{"authorization":"#));
    assert!(json_text(&signed).contains(r#"},"path":"#));
}

#[test]
fn sign_request_signs_only_the_listed_headers() {
    let signed = sign(&bos_options(
        BOS_EPOCH_SECONDS.into(),
        Some(&["host", "x-bce-date"]),
    ));
    let authorization = text(&signed, "authorization");
    assert!(
        authorization.ends_with(&format!("/host;x-bce-date/{BOS_SIGNATURE_HOST_AND_DATE}")),
        "{authorization}"
    );
    assert_eq!(
        strings(&get(&signed, "signedHeaders")),
        ["host", "x-bce-date"]
    );
}

#[test]
fn sign_request_takes_epoch_seconds_a_date_or_an_offset_time() {
    let expected = text(
        &sign(&bos_options("2015-04-27T08:23:49Z".into(), None)),
        "authorization",
    );
    let date = js_sys::Date::new(&JsValue::from_f64(BOS_EPOCH_SECONDS * 1000.0 + 999.0));
    for timestamp in [
        JsValue::from_f64(BOS_EPOCH_SECONDS),
        JsValue::from_f64(BOS_EPOCH_SECONDS + 0.9),
        date.into(),
        "2015-04-27T16:23:49+08:00".into(),
        "2015-04-27T08:23:49.999Z".into(),
    ] {
        let signed = sign(&bos_options(timestamp.clone(), None));
        assert_eq!(text(&signed, "authorization"), expected, "{timestamp:?}");
    }
}

#[test]
fn sign_request_encodes_any_text_of_the_query() {
    // Non-ASCII, a character outside the BMP (two UTF-16 units, four UTF-8 bytes) and a NUL.
    let query = [("名", "😀x"), ("a", "x\u{0}y"), ("é", "")];
    let object = js("{}");
    for (name, value) in query {
        set(&object, name, &value.into());
    }
    let signed = sign(&bos_with("query", object));
    let mut expected: Vec<String> = query
        .iter()
        .map(|(name, value)| format!("{}={}", uri_encode(name), uri_encode(value)))
        .collect();
    expected.sort();
    assert_eq!(text(&signed, "queryString"), expected.join("&"));
    assert!(text(&signed, "queryString").contains("a=x%00y"));
}

#[test]
fn sign_request_type_errors_name_the_option_in_the_messages_of_the_package() {
    let cases: [(JsValue, &str, &str); 11] = [
        (
            bos_with("method", 1.into()),
            "method",
            "signRequest: method must be a string, not a number",
        ),
        (
            js("[]"),
            "options",
            "signRequest: options must be an object, not an array",
        ),
        (
            bos_with("query", js("[]")),
            "query",
            "signRequest: query must be an object of strings, not an array",
        ),
        (
            bos_with("headers", js(r#"{"a": null}"#)),
            "headers",
            r#"signRequest: headers["a"] must be a string, not null"#,
        ),
        (
            bos_with("headersToSign", js(r#"["host", 5]"#)),
            "headersToSign",
            "signRequest: headersToSign must be an array of strings, not a number",
        ),
        (
            bos_with("headersToSign", "host".into()),
            "headersToSign",
            "signRequest: headersToSign must be an array of header names, not a string",
        ),
        (
            bos_with("expirationSeconds", "60".into()),
            "expirationSeconds",
            "signRequest: expirationSeconds must be a number, not a string",
        ),
        (
            bos_with("expirationSeconds", 0.into()),
            "expirationSeconds",
            "signRequest: expirationSeconds must be a whole number of seconds from 1 to 4294967295, not 0",
        ),
        (
            bos_with("timestamp", 1e300.into()),
            "timestamp",
            "signRequest: timestamp 1e+300 is not a usable number of epoch seconds",
        ),
        (
            bos_with("timestamp", true.into()),
            "timestamp",
            "signRequest: timestamp must be a Date, an ISO 8601 string with a zone \
             (2024-01-31T08:00:00Z) or epoch seconds, not a boolean",
        ),
        (
            bos_with("timestamp", js_sys::Date::new(&f64::NAN.into()).into()),
            "timestamp",
            "signRequest: timestamp is an invalid Date; give a Date, an ISO 8601 string with a \
             zone (2024-01-31T08:00:00Z) or epoch seconds",
        ),
    ];
    for (options, field, message) in cases {
        let error = sign_error(&options, "InvalidArgument");
        assert_eq!(text(&error, "field"), field, "{message}");
        assert_eq!(text(&error, "message"), message);
    }
    let error = sign_error(&JsValue::NULL, "InvalidArgument");
    assert_eq!(text(&error, "value"), "null");
}

#[test]
fn sign_request_value_errors_come_from_the_core_naming_the_option() {
    // Times the core cannot read.
    for time in ["yesterday", "2015-04-27T08:23:49"] {
        let error = sign_error(&bos_with("timestamp", time.into()), "InvalidArgument");
        assert_eq!(text(&error, "field"), "timestamp", "{time}");
        assert!(text(&error, "message").starts_with("signRequest: timestamp"));
    }
    for seconds in [f64::NAN, f64::INFINITY, -1e300] {
        let error = sign_error(&bos_with("timestamp", seconds.into()), "InvalidArgument");
        assert_eq!(text(&error, "field"), "timestamp", "{seconds}");
    }
    let error = sign_error(
        &bos_with("host", "bj.bcebos.com/x".into()),
        "InvalidSigningInput",
    );
    assert_eq!(text(&error, "field"), "host");
    let error = sign_error(
        &bos_with("secretAccessKey", "".into()),
        "InvalidCredentials",
    );
    assert_eq!(text(&error, "field"), "secretAccessKey");
    // The key pair is checked before the time is read.
    let options = bos_with("accessKeyId", "a/b".into());
    set(&options, "timestamp", &"yesterday".into());
    let error = sign_error(&options, "InvalidCredentials");
    assert_eq!(text(&error, "field"), "accessKeyId");
    // The secret goes into no error.
    let error = sign_error(
        &bos_with("secretAccessKey", " s".into()),
        "InvalidCredentials",
    );
    assert!(!text(&error, "message").contains(" s\""));
}

// ---- dates ----------------------------------------------------------------------------

#[test]
fn validate_range_returns_the_range_or_names_the_field() {
    let range = validate_range("2024-01-01".into(), "2024-01-31".into()).expect("valid");
    assert_eq!(text(&range, "beginDate"), "2024-01-01");
    assert_eq!(text(&range, "endDate"), "2024-01-31");
    assert_eq!(number(&range, "days"), 31.0);

    let cases = [
        ("", "2024-01-31", "MissingDate", "beginDate"),
        ("2024-1-05", "2024-01-31", "DateFormat", "beginDate"),
        ("2024-01-01", "2023-02-29", "DateNotInCalendar", "endDate"),
        ("2024-02-01", "2024-01-01", "RangeReversed", "beginDate"),
        ("2024-01-01", "2024-02-01", "RangeTooLong", "endDate"),
    ];
    for (begin, end, kind, field) in cases {
        let error = validate_range(begin.into(), end.into()).expect_err(kind);
        let error = expect_error(error, kind);
        assert_eq!(text(&error, "field"), field, "{begin} {end}");
    }
    let error =
        validate_range(JsValue::from_f64(20240101.0), "2024-01-31".into()).expect_err("a number");
    assert_eq!(
        text(&expect_error(error, "InvalidArgument"), "field"),
        "beginDate"
    );
}

#[test]
fn split_range_covers_the_range_in_order() {
    let year =
        split_range("2024-01-01".into(), "2024-12-31".into(), JsValue::UNDEFINED).expect("splits");
    assert_eq!(length(&year), 12);
    assert_eq!(text(&at(&year, 0), "endDate"), "2024-01-31");
    assert_eq!(text(&at(&year, 1), "beginDate"), "2024-02-01");
    assert_eq!(text(&at(&year, 11), "endDate"), "2024-12-31");
    let total: f64 = (0..12).map(|i| number(&at(&year, i), "days")).sum();
    assert_eq!(total, 366.0);

    let tens = split_range(
        "2024-01-01".into(),
        "2024-01-25".into(),
        JsValue::from_f64(10.0),
    )
    .expect("splits");
    assert_eq!(
        (0..length(&tens))
            .map(|i| number(&at(&tens, i), "days"))
            .collect::<Vec<_>>(),
        [10.0, 10.0, 5.0]
    );
    for bad in [0.0, 32.0, 2.5] {
        let error = split_range("2024-01-01".into(), "2024-01-25".into(), bad.into())
            .expect_err("bad maxDays");
        assert_eq!(
            text(&expect_error(error, "InvalidArgument"), "field"),
            "maxDays"
        );
    }
}

// ---- parseUsage and the Usage class ---------------------------------------------------

#[test]
fn parse_usage_keeps_the_exact_amounts() {
    let usage = usage_object(DOC_EXAMPLE);
    assert_eq!(text(&usage, "accountId"), "accountId");
    let span = get(&usage, "timeSpan");
    assert_eq!(text(&span, "beginDate"), "2020-11-03");
    assert_eq!(text(&span, "endDate"), "2020-11-25");
    assert_eq!(
        strings(&get(&usage, "resourceNames")),
        ["CPU", "EIP", "BOS_Standard", "Memory"]
    );

    let bos = call(&usage, "resource", &["BOS_Standard".into()]).expect("resource");
    assert_eq!(text(&bos, "name"), "BOS_Standard");
    assert_eq!(text(&bos, "unit"), "GB");
    assert_eq!(number(&bos, "count"), 30.0);
    assert_eq!(number(&bos, "pointCount"), 3.0);
    assert_eq!(
        strings(&get(&bos, "exactAmounts")),
        ["30.223343133", "40.223343133", "50.223343133"]
    );
    let amounts: Float64Array = get(&bos, "amounts").dyn_into().expect("a Float64Array");
    assert_eq!(amounts.to_vec(), [30.223343133, 40.223343133, 50.223343133]);
    let timestamps: Float64Array = get(&bos, "timestamps").dyn_into().expect("a Float64Array");
    assert_eq!(timestamps.to_vec(), [1_602_845_549_040.0; 3]);
    let stats = get(&bos, "stats");
    assert_eq!(text(&get(&stats, "max"), "amount"), "50.223343133");
    assert_eq!(
        number(&get(&stats, "max"), "timestamp"),
        1_602_845_549_040.0
    );

    let none = call(&usage, "resource", &["GPU".into()]).expect("resource");
    assert!(none.is_undefined());
    let all = call(&usage, "resources", &[]).expect("resources");
    assert_eq!(length(&all), 4);
    assert!(get(&at(&all, 3), "amounts").is_instance_of::<Float64Array>());
    assert_eq!(strings(&get(&at(&all, 3), "exactAmounts")), ["60.234"]);
}

#[test]
fn parse_usage_errors_carry_kind_and_path() {
    let bad_amount = DOC_EXAMPLE.replacen("50.223,", "\"fifty\",", 1);
    let error = parse_usage(bad_amount.as_str().into()).expect_err("bad amount");
    let error = expect_error(error, "InvalidAmount");
    assert_eq!(text(&error, "path"), "graphData.CPU.dataList[2].amount");
    assert!(text(&error, "message").contains("graphData.CPU.dataList[2].amount"));

    let error = parse_usage("{\"accountId\": \"a\"".into()).expect_err("truncated");
    expect_error(error, "InvalidJson");
    let error = parse_usage(JsValue::from_f64(1.0)).expect_err("a number");
    assert_eq!(
        text(&expect_error(error, "InvalidArgument"), "field"),
        "jsonText"
    );
}

#[test]
fn parse_usage_reads_utf8_bytes_too() {
    let bytes = Uint8Array::from(DOC_EXAMPLE.as_bytes());
    let usage: JsValue = parse_usage(bytes.into()).expect("parses").into();
    let cpu = call(&usage, "resource", &["CPU".into()]).expect("resource");
    assert_eq!(text(&cpu, "unit"), "核");
    let broken = Uint8Array::from(&[b'{', 0xff, b'}'][..]);
    expect_error(
        parse_usage(broken.into()).expect_err("not UTF-8"),
        "InvalidJson",
    );
}

#[test]
fn stats_are_exact() {
    let usage = usage_object(DOC_EXAMPLE);
    let stats = call(&usage, "stats", &[]).expect("stats");
    assert_eq!(length(&stats), 4);
    let cpu = at(&stats, 0);
    assert_eq!(text(&cpu, "resource"), "CPU");
    assert_eq!(text(&cpu, "unit"), "核");
    let cpu = get(&cpu, "stats");
    assert_eq!(number(&cpu, "points"), 3.0);
    assert_eq!(text(&cpu, "sum"), "120.659");
    assert_eq!(text(&cpu, "mean"), "40.219666666666666666666666667");
    assert_eq!(text(&get(&cpu, "min"), "amount"), "30.223");
    assert_eq!(text(&get(&cpu, "last"), "amount"), "50.223");
}

#[test]
fn daily_averages_take_the_offset() {
    let usage = usage_object(DOC_EXAMPLE);
    // 1602845549040 is 2020-10-16T10:52:29Z: 18:52 in Beijing, 05:22 in India.
    let beijing = call(&usage, "dailyAverages", &[]).expect("daily");
    assert_eq!(text(&beijing, "utcOffset"), "+08:00");
    assert_eq!(strings(&get(&beijing, "dates")), ["2020-10-16"]);
    assert_eq!(
        strings(&get(&beijing, "resources")),
        ["CPU", "EIP", "BOS_Standard", "Memory"]
    );
    assert_eq!(strings(&get(&beijing, "units")), ["核", "个", "GB", "GB"]);
    let row = at(&get(&beijing, "cells"), 0);
    assert_eq!(
        text(&at(&row, 0), "average"),
        "40.219666666666666666666666667"
    );
    assert_eq!(number(&at(&row, 0), "points"), 3.0);
    assert_eq!(text(&at(&row, 3), "average"), "60.234");

    for (offset, expected) in [
        (JsValue::from("Z"), "+00:00"),
        ("-05:30".into(), "-05:30"),
        (JsValue::from_f64(480.0), "+08:00"),
        (JsValue::from_f64(-90.0), "-01:30"),
    ] {
        let options = js("{}");
        Reflect::set(&options, &"utcOffset".into(), &offset).expect("set");
        let daily = call(&usage, "dailyAverages", &[options]).expect("daily");
        assert_eq!(text(&daily, "utcOffset"), expected);
    }
    for bad in [
        js(r#"{"utcOffset": "+8"}"#),
        js(r#"{"utcOffset": 1440}"#),
        js("[]"),
    ] {
        let error = call(&usage, "dailyAverages", &[bad]).expect_err("bad offset");
        expect_error(error, "InvalidArgument");
    }
}

#[test]
fn reconcile_counts_and_reports() {
    let usage = usage_object(DOC_EXAMPLE);
    let reconciliation = call(&usage, "reconcile", &[]).expect("reconciles");
    // The points are all on 2020-10-16, which summary does not list; summary's three days
    // have no points.
    let counts = get(&reconciliation, "counts");
    assert_eq!(number(&counts, "match"), 0.0);
    assert_eq!(number(&counts, "differs"), 0.0);
    assert_eq!(number(&counts, "missingInSummary"), 4.0);
    assert_eq!(number(&counts, "missingInData"), 12.0);
    assert_eq!(get(&reconciliation, "consistent"), JsValue::FALSE);
    let rows = get(&reconciliation, "rows");
    assert_eq!(length(&rows), 16);
    let first = at(&rows, 0);
    assert_eq!(text(&first, "date"), "2020-10-16");
    assert_eq!(text(&first, "status"), "MissingInSummary");
    assert!(get(&first, "summary").is_null());
    assert_eq!(text(&first, "recomputed"), "40.219666666666666666666666667");
    assert!(text(&reconciliation, "report").contains("missing in data"));

    let error = call(&usage, "reconcile", &[js(r#"{"tolerance": "abc"}"#)]).expect_err("bad");
    assert_eq!(
        text(&expect_error(error, "InvalidArgument"), "field"),
        "tolerance"
    );
    let error = call(&usage, "reconcile", &[js(r#"{"tolerance": "-1"}"#)]).expect_err("neg");
    expect_error(error, "InvalidArgument");
}

#[test]
fn summary_quality_notes_and_exports() {
    let usage = usage_object(DOC_EXAMPLE);
    let summary = call(&usage, "summary", &[]).expect("summary");
    assert_eq!(
        text(&get(&summary, "2020-11-03"), "BOS_Standard"),
        "34.342356432"
    );

    let notes = call(&usage, "qualityNotes", &[]).expect("notes");
    let kinds: Vec<String> = (0..length(&notes))
        .map(|i| text(&at(&notes, i), "kind"))
        .collect();
    assert!(kinds.iter().any(|k| k == "CountMismatch"), "{kinds:?}");
    assert!(
        kinds.iter().any(|k| k == "DuplicateTimestamps"),
        "{kinds:?}"
    );
    assert_eq!(text(&at(&notes, 0), "resource"), "CPU");

    let csv = call(&usage, "toCsv", &[])
        .expect("csv")
        .as_string()
        .expect("text");
    assert!(csv.starts_with(
        "resource,unit,timestamp,amount\r\nCPU,核,2020-10-16T18:52:29.040+08:00,30.223\r\n"
    ));
    let daily = call(&usage, "dailyCsv", &[js(r#"{"utcOffset": "Z"}"#)])
        .expect("csv")
        .as_string()
        .expect("text");
    assert!(daily.starts_with("date,resource,unit,average,points,unit_hours\r\n2020-10-16,CPU,"));

    let again = usage_object(
        &call(&usage, "toJson", &[])
            .expect("json")
            .as_string()
            .expect("text"),
    );
    assert_eq!(
        json_text(&call(&again, "summary", &[]).expect("summary")),
        json_text(&summary)
    );
}

#[test]
fn downsample_keeps_the_ends_and_exact_amounts() {
    // One resource of 100 points, one a minute.
    let mut points = String::new();
    for i in 0..100u64 {
        if i > 0 {
            points.push(',');
        }
        points.push_str(&format!(
            "{{\"amount\": {}.5, \"timestamp\": {}}}",
            i % 7,
            1_704_067_200_000 + i * 60_000
        ));
    }
    let json = format!(
        "{{\"accountId\": \"a\", \"timeSpan\": {{\"beginDate\": \"2024-01-01\", \
         \"endDate\": \"2024-01-01\"}}, \"graphData\": {{\"CPU\": {{\"count\": 100, \
         \"unit\": \"核\", \"dataList\": [{points}]}}}}, \"summary\": {{}}}}"
    );
    let usage = usage_object(&json);
    let small = call(&usage, "downsample", &["CPU".into(), 10.0.into()]).expect("lttb");
    let timestamps: Float64Array = get(&small, "timestamps").dyn_into().expect("array");
    assert_eq!(timestamps.length(), 10);
    assert_eq!(timestamps.get_index(0), 1_704_067_200_000.0);
    assert_eq!(
        timestamps.get_index(9),
        1_704_067_200_000.0 + 99.0 * 60_000.0
    );
    let exact = strings(&get(&small, "exactAmounts"));
    assert_eq!(exact.len(), 10);
    assert_eq!(exact[0], "0.5");
    let error = call(&usage, "downsample", &["GPU".into(), 10.0.into()]).expect_err("none");
    assert_eq!(
        text(&expect_error(error, "InvalidArgument"), "field"),
        "resource"
    );
    let error = call(&usage, "downsample", &["CPU".into(), (-1.0).into()]).expect_err("neg");
    assert_eq!(
        text(&expect_error(error, "InvalidArgument"), "field"),
        "targetPoints"
    );
}

// ---- mergeUsage -----------------------------------------------------------------------

#[test]
fn merge_usage_merges_and_leaves_the_parts_usable() {
    let a = usage_object(DOC_EXAMPLE);
    let b = usage_object(DOC_EXAMPLE);
    let parts: Array = [a.clone(), b.clone()].iter().collect();
    let merged: JsValue = merge_usage(parts.into()).expect("merges").into();
    // The three points of a series share one timestamp, so one remains; counts add up.
    let cpu = call(&merged, "resource", &["CPU".into()]).expect("resource");
    assert_eq!(number(&cpu, "pointCount"), 1.0);
    assert_eq!(number(&cpu, "count"), 60.0);
    // The parts are still the caller's.
    assert_eq!(text(&a, "accountId"), "accountId");
    assert_eq!(length(&get(&b, "resourceNames")), 4);

    let other = usage_object(&DOC_EXAMPLE.replacen(
        "\"accountId\": \"accountId\"",
        "\"accountId\": \"other\"",
        1,
    ));
    let parts: Array = [a.clone(), other].iter().collect();
    expect_error(
        merge_usage(parts.into()).expect_err("two accounts"),
        "AccountMismatch",
    );

    let parts: Array = [a.clone(), js(r#"{"accountId": "accountId"}"#)]
        .iter()
        .collect();
    let error = expect_error(
        merge_usage(parts.into()).expect_err("not a Usage"),
        "InvalidArgument",
    );
    assert_eq!(text(&error, "value"), "1");

    call(&b, "free", &[]).expect("free");
    let parts: Array = [a.clone(), b].iter().collect();
    expect_error(
        merge_usage(parts.into()).expect_err("freed"),
        "InvalidArgument",
    );
    expect_error(
        merge_usage(js("{}")).expect_err("not an array"),
        "InvalidArgument",
    );
    expect_error(merge_usage(js("[]")).expect_err("empty"), "InvalidArgument");
}

// ---- price sheets, resource-hours, costs, forecasts, anomalies ---------------------------

#[test]
fn price_sheets_read_exactly_or_fail_with_invalid_price_sheet() {
    let text_sheet = r#"{"currency": "CNY", "prices": {"CPU": "0.045", "EIP": [{"upTo": 10, "price": "1"}, {"price": 0.5}]}}"#;
    for sheet in [JsValue::from(text_sheet), js(text_sheet)] {
        let read = parse_price_sheet(sheet).expect("reads");
        assert_eq!(
            json_text(&read),
            r#"{"currency":"CNY","minorUnits":2,"prices":{"CPU":[{"price":"0.045"}],"EIP":[{"upTo":"10","price":"1"},{"price":"0.5"}]}}"#
        );
        let written = write_price_sheet_text(read).expect("writes");
        assert!(written.contains("\"CPU\": 0.045"), "{written}");
    }
    let error = expect_error(
        parse_price_sheet(r#"{"currency": "CNY", "prices": {"CPU": -1}}"#.into())
            .expect_err("negative"),
        "InvalidPriceSheet",
    );
    assert_eq!(text(&error, "path"), "prices.CPU");
    expect_error(
        parse_price_sheet(r#"{"currency": "CNY", "prices": {"#.into()).expect_err("cut"),
        "InvalidPriceSheet",
    );
    let error = expect_error(
        parse_price_sheet(3.into()).expect_err("a number"),
        "InvalidArgument",
    );
    assert_eq!(text(&error, "field"), "sheet");

    assert_eq!(
        round_money_text("0.125".into(), 2.into()).expect("rounds"),
        "0.13"
    );
    assert_eq!(
        round_money_text("7".into(), 2.into()).expect("rounds"),
        "7.00"
    );
    expect_error(
        round_money_text("7".into(), 9.into()).expect_err("too many places"),
        "InvalidArgument",
    );
}

#[test]
fn usage_hours_costs_forecasts_and_anomalies_through_the_glue() {
    let usage = usage_object(DOC_EXAMPLE);
    let hours = call(&usage, "resourceHours", &[js(r#"{"utcOffset": "Z"}"#)]).expect("hours");
    assert_eq!(text(&hours, "utcOffset"), "+00:00");
    let resources = get(&hours, "resources");
    assert_eq!(length(&resources), 4);
    // Three points at one time: no step, so no time is covered.
    assert!(get(&at(&resources, 0), "stepMs").is_null());
    assert_eq!(text(&at(&resources, 0), "total"), "0");

    let sheet: JsValue = r#"{"currency": "CNY", "prices": {"CPU": "1"}}"#.into();
    let estimate = call(&usage, "costEstimate", std::slice::from_ref(&sheet)).expect("cost");
    assert_eq!(text(&estimate, "currency"), "CNY");
    assert_eq!(text(&estimate, "total"), "0");
    assert_eq!(length(&get(&estimate, "unpriced")), 3);
    let error = expect_error(
        call(
            &usage,
            "costEstimate",
            &[r#"{"currency": "CNY", "prices": {"cpu": "1"}}"#.into()],
        )
        .expect_err("misspelt"),
        "InvalidPriceSheet",
    );
    assert!(text(&error, "message").contains("Did you mean"));
    let csv = call(
        &usage,
        "dailyCsv",
        &[js(
            r#"{"priceSheet": {"currency": "CNY", "prices": {"CPU": "1"}}}"#,
        )],
    )
    .expect("csv")
    .as_string()
    .expect("text");
    assert!(csv.starts_with("date,resource,unit,average,points,unit_hours,cost,currency\r\n"));

    let forecast = call(&usage, "forecast", &[js(r#"{"horizon": 7}"#)]).expect("forecast");
    assert_eq!(length(&get(&forecast, "resources")), 4);
    let error = expect_error(
        call(&usage, "forecast", &[js(r#"{"horizon": -1}"#)]).expect_err("negative"),
        "InvalidArgument",
    );
    assert_eq!(text(&error, "field"), "horizon");
    let anomalies =
        call(&usage, "anomalies", &[js(r#"{"sensitivity": "high"}"#)]).expect("anomalies");
    assert!(anomalies.is_array());
    let error = expect_error(
        call(&usage, "anomalies", &[js(r#"{"sensitivity": "extreme"}"#)]).expect_err("unknown"),
        "InvalidArgument",
    );
    assert_eq!(text(&error, "value"), "extreme");
}

// ---- parseServiceError and version ----------------------------------------------------

#[test]
fn parse_service_error_reads_bce_error_bodies() {
    let body = r#"{"requestId": "r-1", "code": "SignatureDoesNotMatch", "message": "no"}"#;
    let error = parse_service_error(403.0.into(), body.into(), JsValue::NULL).expect("reads");
    assert_eq!(number(&error, "status"), 403.0);
    assert_eq!(text(&error, "code"), "SignatureDoesNotMatch");
    assert_eq!(text(&error, "message"), "no");
    assert_eq!(text(&error, "requestId"), "r-1");

    let body = r#"{"code": "RequestExpired", "message": "late"}"#;
    let error =
        parse_service_error(400.0.into(), body.into(), "from-header".into()).expect("reads");
    assert_eq!(text(&error, "requestId"), "from-header");
    let error = parse_service_error(400.0.into(), body.into(), JsValue::UNDEFINED).expect("reads");
    assert!(get(&error, "requestId").is_null());

    let none = parse_service_error(
        502.0.into(),
        "<html>bad gateway</html>".into(),
        JsValue::NULL,
    )
    .expect("reads");
    assert!(none.is_null());
    let error = parse_service_error("403".into(), body.into(), JsValue::NULL).expect_err("status");
    assert_eq!(
        text(&expect_error(error, "InvalidArgument"), "field"),
        "status"
    );
}

#[test]
fn version_is_the_crate_version() {
    assert_eq!(bec_usage::js::version(), env!("CARGO_PKG_VERSION"));
}
