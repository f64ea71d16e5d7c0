#![no_main]
//! The fuzz target `csv_roundtrip`: see `bec_usage_fuzz::csv_roundtrip` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| bec_usage_fuzz::csv_roundtrip::run(bytes));
