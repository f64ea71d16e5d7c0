//! The proxy's request rules on any method, target and headers (as bytes), in both modes
//! and behind an account prefix: no panic, and a request they accept is exactly the one
//! the upstream will see: BEC's usage path, and a query that is the validated dates
//! written back byte for byte (nothing the upstream could read differently).

use arbitrary::Arbitrary;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use bec_usage_proxy::forward::rules::{self, ModeKind, USAGE_PATH};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    method: &'a [u8],
    target: &'a [u8],
    headers: Vec<(&'a [u8], &'a [u8])>,
    relay: bool,
}

/// Checks one input, as the fuzz target receives it.
fn check(input: Input<'_>) {
    let Ok(method) = Method::from_bytes(input.method) else {
        return;
    };
    let Ok(uri) = Uri::try_from(input.target) else {
        return;
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &input.headers {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    let mode = if input.relay {
        ModeKind::Relay
    } else {
        ModeKind::ServerSigned
    };
    let Ok((_, bec_uri)) = rules::split_account(&uri) else {
        return;
    };
    if let Ok(forward) = rules::validate(&method, &bec_uri, &headers, mode) {
        assert_eq!(method, Method::GET);
        assert_eq!(bec_uri.path(), USAGE_PATH, "{uri}");
        assert_eq!(
            bec_uri.query(),
            Some(forward.query.to_query_string().as_str()),
            "{uri}"
        );
        assert!(forward.query.days() <= 31);
        assert_eq!(forward.relay.is_some(), input.relay);
    }
}

/// Checks the input the fuzzer's bytes make (the `arbitrary` crate, as `fuzz_target!` does).
pub fn run(bytes: &[u8]) {
    if let Some(input) = crate::take(bytes) {
        check(input);
    }
}
