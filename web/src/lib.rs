//! # bec-usage-web
//!
//! The bec-usage dashboard: a leptos 0.8 client-side app, built with trunk from the
//! repository's top-level `index.html` into `dist/`.
//!
//! It is two binaries (issue 23): the page (`src/main.rs`) and its data worker
//! (`src/bin/bec-usage-data.rs`). The crate is split the way the screen and the two
//! threads are:
//!
//! - Pure modules, compiled everywhere and unit-tested natively: [`state`] (the view state
//!   and its URL query), [`proxy_status`] (what `/healthz` said of the server), [`range`] (presets and validation of the date range), [`i18n`]
//!   (Chinese and English texts, unit names), [`format`](mod@format) (exact amounts, UTC+08:00 times),
//!   [`geometry`] (chart scales, ticks and SVG paths), [`dataset`] (what the page shows of a
//!   load), [`wire`] (the plan and the messages between page and worker), [`engine`] (the
//!   worker's analysed data and its answers), [`compare`] (the previous period) and
//!   [`markup`] (the bulk content written once: the two data tables, as escaped text).
//! - The worker's modules (`wasm32`): `worker` (its message loop) and `fetch` (loading from
//!   the three sources with the core's fetch plan).
//! - The page's modules (`wasm32`): `app` (the state as contexts: settings, session,
//!   layout), `load` (the load, its status and the data as a context), `page` (the layout),
//!   `dashboard` (the charts grid and panels), `data_worker` (talking to the worker), `api`
//!   (`/healthz`, sign-in, the one HTTP helper), `dom` (what leptos does not cover: URL,
//!   storage, downloads, performance marks) and `components` (one per thing on the screen,
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
pub mod proxy_status;
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
