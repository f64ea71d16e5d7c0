//! `parse_service_error` on any status, body and request id header: no panic, and what it
//! accepts is a BCE error body with a code.

/// Checks one input, as the fuzz target receives it.
fn check(input: (u16, &str, Option<&str>)) {
    let (status, body, header) = input;
    if let Some(error) = bec_usage::json::parse_service_error(status, body, header) {
        assert!(
            !error.code.is_empty(),
            "a service error without a code: {body:?}"
        );
        assert_eq!(error.status, status);
    }
}

/// Checks the input the fuzzer's bytes make (the `arbitrary` crate, as `fuzz_target!` does).
pub fn run(bytes: &[u8]) {
    if let Some(input) = crate::take(bytes) {
        check(input);
    }
}
