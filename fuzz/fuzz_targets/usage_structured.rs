#![no_main]
//! The fuzz target `usage_structured`: see `bec_usage_fuzz::usage_structured` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| bec_usage_fuzz::usage_structured::run(bytes));
