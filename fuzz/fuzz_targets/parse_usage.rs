//! `parse_usage` on raw bytes (as UTF-8 text, which is what the core reads).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes) {
        bec_usage_fuzz::check_document(text);
    }
});
