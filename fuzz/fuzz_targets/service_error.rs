#![no_main]
//! The fuzz target `service_error`: see `bec_usage_fuzz::service_error` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| bec_usage_fuzz::service_error::run(bytes));
