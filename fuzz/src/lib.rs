//! The invariants the fuzz targets check, as plain functions of the fuzzer's bytes.
//!
//! Each module is one target of `fuzz/fuzz_targets/` (cargo-fuzz with libFuzzer, built by
//! `scripts/fuzz.sh` on the nightly toolchain with `--features libfuzzer`). Its `run` takes
//! the bytes libFuzzer hands the target, so the same checks also run on stable, without
//! libFuzzer: `tests/corpus.rs` runs every target over its seeds (`fuzz/seeds/TARGET/`), the
//! crashes libFuzzer saved (`fuzz/artifacts/TARGET/`) and deterministic mutations of both,
//! in the ordinary test harness.
#![deny(missing_docs)]

use arbitrary::{Arbitrary, Unstructured};
use bec_usage::json::{parse_usage, write_usage};

pub mod authorization;
pub mod csv_roundtrip;
pub mod dates;
pub mod parse_usage;
pub mod price_sheet;
pub mod request_rules;
pub mod service_error;
pub mod usage_structured;

/// A fuzz target: checks one input, panicking when an invariant does not hold.
pub type Target = fn(&[u8]);

/// Every target by its name in `fuzz/fuzz_targets/` and `fuzz/seeds/`.
pub const TARGETS: [(&str, Target); 8] = [
    ("authorization", authorization::run),
    ("csv_roundtrip", csv_roundtrip::run),
    ("dates", dates::run),
    ("parse_usage", parse_usage::run),
    ("price_sheet", price_sheet::run),
    ("request_rules", request_rules::run),
    ("service_error", service_error::run),
    ("usage_structured", usage_structured::run),
];

/// The value the fuzzer's bytes make, as `fuzz_target!` makes it (`arbitrary_take_rest`);
/// `None` where they make none (the target then has nothing to check).
fn take<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
    T::arbitrary_take_rest(Unstructured::new(bytes)).ok()
}

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
            assert_eq!(
                usage, again,
                "a written response reads differently: {written}"
            );
        }
        Err(error) => {
            assert!(!error.message().is_empty(), "an error without a message");
            assert!(error.path().is_some(), "an error without a path: {error:?}");
        }
    }
}
