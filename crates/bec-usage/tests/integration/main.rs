//! The core's integration tests, one binary (one link, natively and on wasm32, rather than
//! one per file). The property tests and the checks against Python are native only (each
//! file says so); `parse_usage` and `query_validation` also run on wasm32, in Node.js. The
//! JavaScript bindings' tests are binaries of their own (`js_bindings.rs` in Node.js,
//! `js_browser.rs` in Chromium), since where they run is set per binary.

#[path = "../fixtures/mod.rs"]
mod fixtures;

// The real-data evaluation's modules (`examples/real_scores/`), for the floor tests in
// `anomalies_real` and `forecast_real`: `super::data` in them is this crate's `data`.
// Native only: they read files.
#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code)]
#[path = "../../examples/real_scores/anomalies.rs"]
mod anomalies;
#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code)]
#[path = "../../examples/real_scores/data.rs"]
mod data;
#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code)]
#[path = "../../examples/real_scores/forecasts.rs"]
mod forecasts;

mod analysis_props;
mod analysis_truth;
mod anomalies_real;
mod differential_json;
mod forecast_real;
mod hours_cost_props;
mod hours_python;
mod parse_usage;
mod query_props;
mod query_validation;
mod sdk_conformance;
