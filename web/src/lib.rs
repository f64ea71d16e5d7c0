//! # bec-usage-web
//!
//! The bec-usage dashboard: a leptos 0.8 client-side app, built with trunk from the
//! repository's top-level `index.html` into `dist/`.
//!
//! The crate is split the way the screen is:
//!
//! - Pure modules, compiled everywhere and unit-tested natively: [`state`] (the view state
//!   and its URL query), [`range`] (presets and validation of the date range), [`i18n`]
//!   (Chinese and English texts, unit names), [`format`](mod@format) (exact amounts, UTC+08:00 times),
//!   [`geometry`] (chart scales, ticks and SVG paths), [`dataset`] (a loaded response with
//!   its statistics and reconciliation), [`compare`] (the previous period) and [`markup`]
//!   (the bulk content written once: a chart's grid and SVG paths, the data tables, as
//!   escaped text).
//! - Browser-only modules (`wasm32`): `api` (the three data sources: the proxy, keys in
//!   this browser, the in-page demo), `dom` (what leptos does not cover: URL, storage,
//!   downloads, performance marks), `app` (the root component: view state, the load as a
//!   `LocalResource`, the page's status) and `components` (one per thing on the screen,
//!   views of signals: the language is a signal, so a change of it updates texts in place).
//!
//! Amounts stay [`rust_decimal::Decimal`] from the response to the screen and the exports;
//! floats are only pixels.
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod compare;
pub mod dataset;
pub mod engine;
pub mod format;
pub mod geometry;
pub mod i18n;
pub mod markup;
pub mod range;
pub mod state;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod dashboard;
#[cfg(target_arch = "wasm32")]
pub mod data_worker;
#[cfg(target_arch = "wasm32")]
pub mod dom;
#[cfg(target_arch = "wasm32")]
pub mod fetch;
#[cfg(target_arch = "wasm32")]
pub mod load;
#[cfg(target_arch = "wasm32")]
pub mod page;
#[cfg(target_arch = "wasm32")]
pub mod worker;

/// Mounts the dashboard on `<body>`, with its view state taken from the page's URL.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    app::start();
}
