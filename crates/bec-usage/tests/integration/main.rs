//! The core's integration tests, one binary (one link, natively and on wasm32, rather than
//! one per file). The property tests and the checks against Python are native only (each
//! file says so); `parse_usage` and `query_validation` also run on wasm32, in Node.js. The
//! JavaScript bindings' tests are binaries of their own (`js_bindings.rs` in Node.js,
//! `js_browser.rs` in Chromium), since where they run is set per binary.

#[path = "../fixtures/mod.rs"]
mod fixtures;

mod analysis_props;
mod analysis_truth;
mod differential_json;
mod hours_cost_props;
mod hours_python;
mod parse_usage;
mod query_props;
mod query_validation;
mod sdk_conformance;
