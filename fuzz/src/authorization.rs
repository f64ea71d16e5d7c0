//! `parse_authorization` on any text: no panic, and what it accepts is well formed and
//! reads the same when written back.

use bec_usage::signing::parse_authorization;

/// Checks one input, as the fuzz target receives it.
fn check(text: &str) {
    if let Ok(parsed) = parse_authorization(text) {
        assert_eq!(parsed.signature.len(), 64);
        assert!(parsed
            .signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
        assert!(parsed.expiration_seconds > 0);
        let written = format!(
            "bce-auth-v1/{}/{}/{}/{}/{}",
            parsed.access_key_id,
            parsed.timestamp.format("%Y-%m-%dT%H:%M:%SZ"),
            parsed.expiration_seconds,
            parsed.signed_headers.join(";"),
            parsed.signature
        );
        let again = parse_authorization(&written).expect("a written authorization parses");
        assert_eq!(again.access_key_id, parsed.access_key_id);
        assert_eq!(again.timestamp, parsed.timestamp);
        assert_eq!(again.expiration_seconds, parsed.expiration_seconds);
        assert_eq!(again.signed_headers, parsed.signed_headers);
        assert_eq!(again.signature, parsed.signature);
    }
}

/// Checks the input the fuzzer's bytes make (the `arbitrary` crate, as `fuzz_target!` does).
pub fn run(bytes: &[u8]) {
    if let Some(text) = crate::take(bytes) {
        check(text);
    }
}
