//! Reading usage responses: the reference example, exactness, and a table of bad input.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::fixtures;

use std::str::FromStr;

use bec_usage::json::{parse_service_error, parse_usage};
use bec_usage::quality::{quality_notes, QualityNoteKind};
use bec_usage::query::beijing_offset;
use bec_usage::ErrorKind;
use rust_decimal::Decimal;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("test decimal")
}

#[test]
fn reference_example_parses_exactly() {
    let usage = parse_usage(fixtures::response("doc-example.json")).expect("reference example");
    assert_eq!(usage.account_id, "accountId");
    let names: Vec<&str> = usage.resource_names().collect();
    assert_eq!(
        names,
        ["CPU", "EIP", "BOS_Standard", "Memory"],
        "service order kept"
    );
    let bos = usage.resource("BOS_Standard").expect("BOS_Standard");
    assert_eq!(bos.unit, "GB");
    assert_eq!(bos.points[0].amount, dec("30.223343133"));
    assert_eq!(bos.points[0].amount.to_string(), "30.223343133");
    assert_eq!(bos.points[0].timestamp_ms, 1_602_845_549_040);
    assert_eq!(usage.resource("CPU").map(|r| r.unit.as_str()), Some("核"));
    assert_eq!(usage.resource("EIP").map(|r| r.unit.as_str()), Some("个"));
    assert_eq!(usage.summary.len(), 3);
    let first = usage.summary[0].date;
    assert_eq!(
        usage.summary_average(first, "BOS_Standard"),
        Some(dec("34.342356432"))
    );
}

#[test]
fn reference_example_notes_count_mismatch_and_equal_timestamps() {
    let usage = parse_usage(fixtures::response("doc-example.json")).expect("reference example");
    let notes = quality_notes(&usage, beijing_offset());
    let about = |kind: QualityNoteKind, resource: &str| {
        notes
            .iter()
            .any(|n| n.kind == kind && n.resource.as_deref() == Some(resource))
    };
    for resource in ["CPU", "EIP", "BOS_Standard", "Memory"] {
        assert!(
            about(QualityNoteKind::CountMismatch, resource),
            "{resource}: {notes:#?}"
        );
    }
    for resource in ["CPU", "EIP", "BOS_Standard"] {
        assert!(
            about(QualityNoteKind::DuplicateTimestamps, resource),
            "{resource}: {notes:#?}"
        );
    }
    // Memory has a single point: nothing to repeat.
    assert!(!about(QualityNoteKind::DuplicateTimestamps, "Memory"));
    // 1602845549040 is 2020-10-16, before timeSpan 2020-11-03 .. 2020-11-25.
    assert!(about(QualityNoteKind::PointsOutsideTimeSpan, "CPU"));
    let cpu = notes
        .iter()
        .find(|n| n.kind == QualityNoteKind::CountMismatch && n.resource.as_deref() == Some("CPU"))
        .expect("CPU count note");
    assert!(
        cpu.message.contains("30") && cpu.message.contains('3'),
        "{}",
        cpu.message
    );
}

#[test]
fn amounts_keep_their_exact_text() {
    let text = r#"{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-01"},
        "graphData":{"X":{"count":6,"unit":"GB","dataList":[
            {"amount":0.1,"timestamp":1},
            {"amount":"0.30000000000000004","timestamp":2},
            {"amount":-0,"timestamp":3},
            {"amount":12345678901234567890.123456789,"timestamp":4},
            {"amount":1.5e3,"timestamp":5},
            {"amount":2.50000000000000000000000000000000000,"timestamp":6}]}},
        "summary":{}}"#;
    let usage = parse_usage(text).expect("exact amounts");
    let amounts: Vec<String> = usage.resources[0]
        .points
        .iter()
        .map(|p| p.amount.to_string())
        .collect();
    assert_eq!(
        amounts,
        [
            "0.1",
            "0.30000000000000004",
            "0",
            "12345678901234567890.123456789",
            "1500",
            "2.5000000000000000000000000000"
        ]
    );
}

#[test]
fn unknown_fields_are_skipped_and_escapes_decoded() {
    let text = r#"{"extra":[[{"a":[1,2,{"b":null}]}],true,false,"x\"y"],
        "accountId":"acc\u00e9\ud83d\ude00","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-02","tz":"+08"},
        "graphData":{"BOS Standard":{"unit":"G\/B","count":1,"note":{},"dataList":[{"timestamp":1,"amount":1,"q":[]}]}},
        "summary":{"2024-01-01":{"BOS Standard":1}}}"#;
    let usage = parse_usage(text).expect("unknown fields skipped");
    assert_eq!(usage.account_id, "accé😀");
    assert_eq!(usage.resources[0].name, "BOS Standard");
    assert_eq!(usage.resources[0].unit, "G/B");
}

/// One bad response and what must be reported about it.
struct BadResponse {
    name: &'static str,
    text: String,
    kind: ErrorKind,
    path: &'static str,
}

fn valid_with_points(points: &str) -> String {
    format!(
        r#"{{"accountId":"a","timeSpan":{{"beginDate":"2024-01-01","endDate":"2024-01-02"}},
        "graphData":{{"CPU":{{"count":3,"unit":"核","dataList":[{points}]}}}},"summary":{{}}}}"#
    )
}

fn bad_responses() -> Vec<BadResponse> {
    let good_points =
        r#"{"amount":1,"timestamp":1},{"amount":2,"timestamp":2},{"amount":3,"timestamp":3}"#;
    let full = valid_with_points(good_points);
    let bad = |name, text: String, kind, path| BadResponse {
        name,
        text,
        kind,
        path,
    };
    vec![
        bad(
            "truncated JSON",
            full[..full.find(r#""timestamp":2"#).expect("cut point") + 12].to_owned(),
            ErrorKind::InvalidJson,
            "graphData.CPU.dataList[1].timestamp",
        ),
        bad("empty text", String::new(), ErrorKind::InvalidJson, ""),
        bad(
            "amount is a non-numeric string",
            valid_with_points(r#"{"amount":1,"timestamp":1},{"amount":2,"timestamp":2},{"amount":"abc","timestamp":3}"#),
            ErrorKind::InvalidAmount,
            "graphData.CPU.dataList[2].amount",
        ),
        bad(
            "amount 1e400",
            valid_with_points(r#"{"amount":1e400,"timestamp":1}"#),
            ErrorKind::AmountOutOfRange,
            "graphData.CPU.dataList[0].amount",
        ),
        bad(
            "amount with 29 decimal places",
            valid_with_points(r#"{"amount":0.00000000000000000000000000001,"timestamp":1}"#),
            ErrorKind::AmountOutOfRange,
            "graphData.CPU.dataList[0].amount",
        ),
        bad(
            "amount beyond 96 bits",
            valid_with_points(r#"{"amount":79228162514264337593543950336,"timestamp":1}"#),
            ErrorKind::AmountOutOfRange,
            "graphData.CPU.dataList[0].amount",
        ),
        bad(
            "amount null",
            valid_with_points(r#"{"amount":null,"timestamp":1}"#),
            ErrorKind::WrongType,
            "graphData.CPU.dataList[0].amount",
        ),
        bad(
            "graphData null",
            r#"{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-02"},"graphData":null,"summary":{}}"#.into(),
            ErrorKind::WrongType,
            "graphData",
        ),
        bad(
            "dataList not an array",
            r#"{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-02"},"graphData":{"CPU":{"count":0,"unit":"核","dataList":{}}},"summary":{}}"#.into(),
            ErrorKind::WrongType,
            "graphData.CPU.dataList",
        ),
        bad(
            "float timestamp",
            valid_with_points(r#"{"amount":1,"timestamp":1},{"amount":1,"timestamp":1602845549040.5}"#),
            ErrorKind::InvalidTimestamp,
            "graphData.CPU.dataList[1].timestamp",
        ),
        bad(
            "timestamp beyond year 9999",
            valid_with_points(r#"{"amount":1,"timestamp":99999999999999999}"#),
            ErrorKind::InvalidTimestamp,
            "graphData.CPU.dataList[0].timestamp",
        ),
        bad(
            "timestamp as a string",
            valid_with_points(r#"{"amount":1,"timestamp":"1"}"#),
            ErrorKind::WrongType,
            "graphData.CPU.dataList[0].timestamp",
        ),
        bad(
            "missing amount",
            valid_with_points(r#"{"timestamp":1}"#),
            ErrorKind::MissingField,
            "graphData.CPU.dataList[0].amount",
        ),
        bad(
            "missing summary",
            r#"{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-02"},"graphData":{}}"#.into(),
            ErrorKind::MissingField,
            "summary",
        ),
        bad(
            "missing unit",
            r#"{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-02"},"graphData":{"EIP":{"count":0,"dataList":[]}},"summary":{}}"#.into(),
            ErrorKind::MissingField,
            "graphData.EIP.unit",
        ),
        bad(
            "negative count",
            r#"{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-02"},"graphData":{"EIP":{"count":-1,"unit":"个","dataList":[]}},"summary":{}}"#.into(),
            ErrorKind::InvalidCount,
            "graphData.EIP.count",
        ),
        bad(
            "timeSpan date not in the calendar",
            r#"{"accountId":"a","timeSpan":{"beginDate":"2023-02-29","endDate":"2024-01-02"},"graphData":{},"summary":{}}"#.into(),
            ErrorKind::InvalidResponseDate,
            "timeSpan.beginDate",
        ),
        bad(
            "summary key not a date",
            r#"{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-02"},"graphData":{},"summary":{"yesterday":{}}}"#.into(),
            ErrorKind::InvalidResponseDate,
            "summary.yesterday",
        ),
        bad(
            "summary value not a number",
            r#"{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-02"},"graphData":{},"summary":{"2024-01-01":{"CPU":"n/a"}}}"#.into(),
            ErrorKind::InvalidAmount,
            "summary[\"2024-01-01\"].CPU",
        ),
        bad(
            "duplicate resource",
            r#"{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-02"},"graphData":{"CPU":{"count":0,"unit":"核","dataList":[]},"CPU":{"count":0,"unit":"核","dataList":[]}},"summary":{}}"#.into(),
            ErrorKind::DuplicateKey,
            "graphData.CPU",
        ),
        bad("a top-level array", "[1,2,3]".into(), ErrorKind::WrongType, ""),
        bad("100,000 nested arrays", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)), ErrorKind::WrongType, ""),
        bad(
            "100,000 nested arrays in an unknown field, unterminated",
            format!(r#"{{"x":{}"#, "[".repeat(100_000)),
            ErrorKind::InvalidJson,
            "x",
        ),
        bad(
            "trailing text",
            format!("{full} x"),
            ErrorKind::InvalidJson,
            "",
        ),
        bad(
            "leading zero",
            valid_with_points(r#"{"amount":01,"timestamp":1}"#),
            ErrorKind::InvalidJson,
            "graphData.CPU.dataList[0].amount",
        ),
        bad(
            "raw newline inside a string",
            "{\"accountId\":\"a\nb\"}".into(),
            ErrorKind::InvalidJson,
            "accountId",
        ),
        bad(
            "lone surrogate",
            r#"{"accountId":"\ud800"}"#.into(),
            ErrorKind::InvalidJson,
            "accountId",
        ),
    ]
}

#[test]
fn bad_responses_are_errors_of_the_right_kind_and_path() {
    for case in bad_responses() {
        let error = match parse_usage(&case.text) {
            Ok(_) => panic!("{}: parsed, but it should have failed", case.name),
            Err(error) => error,
        };
        assert_eq!(error.kind(), case.kind, "{}: {error}", case.name);
        assert_eq!(error.path(), Some(case.path), "{}: {error}", case.name);
        assert!(!error.message().is_empty(), "{}", case.name);
        if !case.path.is_empty() {
            assert!(
                error.message().contains(case.path),
                "{}: message {:?} should name the path",
                case.name,
                error.message()
            );
        }
    }
}

#[test]
fn syntax_errors_say_where_and_that_the_text_was_truncated() {
    let text = valid_with_points(r#"{"amount":1,"timestamp":1}"#);
    let error = parse_usage(&text[..text.len() - 10]).expect_err("truncated");
    assert!(error.message().contains("line 2"), "{}", error.message());
    assert!(error.message().contains("truncated"), "{}", error.message());
}

#[test]
fn service_error_bodies_are_read() {
    let body = r#"{"requestId":"d8752367-38e8","code":"SignatureDoesNotMatch","message":"The request signature we calculated does not match"}"#;
    let error = parse_service_error(403, body, None).expect("service error");
    assert_eq!(error.code, "SignatureDoesNotMatch");
    assert_eq!(error.request_id.as_deref(), Some("d8752367-38e8"));
    assert_eq!(error.status, 403);
    let from_header = parse_service_error(
        500,
        r#"{"code":"InternalError","message":"x"}"#,
        Some("hdr-1"),
    )
    .expect("service error");
    assert_eq!(from_header.request_id.as_deref(), Some("hdr-1"));
    assert_eq!(
        parse_service_error(502, "<html>Bad Gateway</html>", None),
        None
    );
    assert_eq!(
        parse_service_error(400, r#"{"message":"no code"}"#, None),
        None
    );
}
