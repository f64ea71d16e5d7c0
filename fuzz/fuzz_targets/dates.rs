#![no_main]
//! The fuzz target `dates`: see `bec_usage_fuzz::dates` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| bec_usage_fuzz::dates::run(bytes));
