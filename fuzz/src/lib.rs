//! The invariants the fuzz targets check, shared by the targets that read documents.

use bec_usage::json::{parse_usage, write_usage};

/// Reads `text` as a usage response and checks what must hold whatever the text:
/// - no panic (the fuzzer sees one as a crash);
/// - a refusal has a kind, a message and a JSON path;
/// - an accepted response, written back by the core's writer and read again, is the same
///   response: the same strings, the same points, amounts of the same value.
pub fn check_document(text: &str) {
    match parse_usage(text) {
        Ok(usage) => {
            let written = write_usage(&usage);
            let again = match parse_usage(&written) {
                Ok(again) => again,
                Err(error) => panic!(
                    "the writer's output is refused ({:?} at {:?}: {}): {written}",
                    error.kind(),
                    error.path(),
                    error.message()
                ),
            };
            assert_eq!(usage, again, "a written response reads differently: {written}");
        }
        Err(error) => {
            assert!(!error.message().is_empty(), "an error without a message");
            assert!(error.path().is_some(), "an error without a path: {error:?}");
        }
    }
}
