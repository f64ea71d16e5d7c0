#![no_main]
//! The fuzz target `authorization`: see `bec_usage_fuzz::authorization` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| bec_usage_fuzz::authorization::run(bytes));
