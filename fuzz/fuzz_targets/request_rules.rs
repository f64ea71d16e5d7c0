#![no_main]
//! The fuzz target `request_rules`: see `bec_usage_fuzz::request_rules` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| bec_usage_fuzz::request_rules::run(bytes));
