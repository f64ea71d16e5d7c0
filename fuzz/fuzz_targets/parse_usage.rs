#![no_main]
//! The fuzz target `parse_usage`: see `bec_usage_fuzz::parse_usage` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| bec_usage_fuzz::parse_usage::run(bytes));
