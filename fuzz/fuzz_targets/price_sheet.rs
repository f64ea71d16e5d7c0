#![no_main]
//! The fuzz target `price_sheet`: see `bec_usage_fuzz::price_sheet` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| bec_usage_fuzz::price_sheet::run(bytes));
