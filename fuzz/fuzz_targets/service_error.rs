//! `parse_service_error` on any status, body and request id header: no panic, and what it
//! accepts is a BCE error body with a code.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u16, &str, Option<&str>)| {
    let (status, body, header) = input;
    if let Some(error) = bec_usage::json::parse_service_error(status, body, header) {
        assert!(!error.code.is_empty(), "a service error without a code: {body:?}");
        assert_eq!(error.status, status);
    }
});
