//! `parse_usage` on raw bytes (as UTF-8 text, which is what the core reads).

/// Checks the fuzzer's bytes read as a usage response, when they are UTF-8.
pub fn run(bytes: &[u8]) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        crate::check_document(text);
    }
}
