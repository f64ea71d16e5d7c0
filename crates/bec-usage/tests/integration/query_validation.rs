//! Query validation: a table of bad dates and ranges, each with its error kind.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use bec_usage::query::{split_range_str, UsageQuery};
use bec_usage::ErrorKind;

/// (what the case shows, beginDate, endDate, expected kind, field named by the error)
const BAD_QUERIES: &[(&str, &str, &str, ErrorKind, &str)] = &[
    (
        "one-digit month",
        "2024-1-05",
        "2024-01-06",
        ErrorKind::DateFormat,
        "beginDate",
    ),
    (
        "February 30th",
        "2024-02-01",
        "2024-02-30",
        ErrorKind::DateNotInCalendar,
        "endDate",
    ),
    (
        "29 February of a common year",
        "2023-02-29",
        "2023-03-01",
        ErrorKind::DateNotInCalendar,
        "beginDate",
    ),
    (
        "empty",
        "",
        "2024-01-01",
        ErrorKind::MissingDate,
        "beginDate",
    ),
    (
        "empty end",
        "2024-01-01",
        "",
        ErrorKind::MissingDate,
        "endDate",
    ),
    (
        "a time part",
        "2024-01-01T00:00",
        "2024-01-02",
        ErrorKind::DateFormat,
        "beginDate",
    ),
    (
        "a leading space",
        " 2024-01-01",
        "2024-01-02",
        ErrorKind::DateFormat,
        "beginDate",
    ),
    (
        "a trailing newline",
        "2024-01-01",
        "2024-01-02\n",
        ErrorKind::DateFormat,
        "endDate",
    ),
    (
        "full-width digits",
        "２０２４-０１-０１",
        "2024-01-02",
        ErrorKind::DateFormat,
        "beginDate",
    ),
    (
        "slashes",
        "2024/01/01",
        "2024-01-02",
        ErrorKind::DateFormat,
        "beginDate",
    ),
    (
        "month 13",
        "2024-13-01",
        "2024-12-31",
        ErrorKind::DateNotInCalendar,
        "beginDate",
    ),
    (
        "year zero",
        "0000-01-01",
        "2024-01-01",
        ErrorKind::DateNotInCalendar,
        "beginDate",
    ),
    (
        "reversed range",
        "2024-03-02",
        "2024-03-01",
        ErrorKind::RangeReversed,
        "beginDate",
    ),
    (
        "a 32-day range",
        "2024-01-01",
        "2024-02-01",
        ErrorKind::RangeTooLong,
        "endDate",
    ),
    (
        "a year",
        "2024-01-01",
        "2024-12-31",
        ErrorKind::RangeTooLong,
        "endDate",
    ),
];

#[test]
fn bad_queries_fail_with_their_own_kind() {
    for &(case, begin, end, kind, field) in BAD_QUERIES {
        let error = UsageQuery::new(begin, end).expect_err(case);
        assert_eq!(error.kind(), kind, "{case}: {error}");
        assert_eq!(error.field(), Some(field), "{case}: {error}");
        assert!(
            error.message().contains(field),
            "{case}: message should name {field}: {error}"
        );
        let offending = if field == "beginDate" { begin } else { end };
        if matches!(kind, ErrorKind::DateFormat | ErrorKind::DateNotInCalendar) {
            assert_eq!(error.value(), Some(offending), "{case}");
            assert!(
                error.message().contains(&format!("{offending:?}")),
                "{case}: {error}"
            );
        }
    }
}

#[test]
fn full_width_digits_are_explained() {
    let error = UsageQuery::new("２０２４-０１-０１", "2024-01-02").expect_err("full width");
    assert!(error.message().contains("full-width"), "{error}");
}

#[test]
fn good_queries_are_accepted() {
    for (begin, end, days) in [
        ("2024-01-01", "2024-01-31", 31),
        ("2024-02-29", "2024-02-29", 1),
        ("2023-12-15", "2024-01-14", 31),
        ("2000-02-01", "2000-02-29", 29),
    ] {
        let query = UsageQuery::new(begin, end).expect(begin);
        assert_eq!(query.days(), days, "{begin}..{end}");
        assert_eq!(
            query.to_query_string(),
            format!("beginDate={begin}&endDate={end}")
        );
    }
}

#[test]
fn splitting_validates_dates_too() {
    assert_eq!(
        split_range_str("2024-1-1", "2024-03-01").map_err(|e| e.kind()),
        Err(ErrorKind::DateFormat)
    );
    assert_eq!(
        split_range_str("2024-03-02", "2024-03-01").map_err(|e| e.kind()),
        Err(ErrorKind::RangeReversed)
    );
    let chunks = split_range_str("2024-01-01", "2024-03-01").expect("60 days");
    let shown: Vec<String> = chunks.iter().map(|q| q.to_query_string()).collect();
    assert_eq!(
        shown,
        [
            "beginDate=2024-01-01&endDate=2024-01-31",
            "beginDate=2024-02-01&endDate=2024-03-01",
        ]
    );
}
