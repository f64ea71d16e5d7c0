//! # bec-usage
//!
//! The pure core of bec-usage: everything about Baidu AI Cloud BEC's
//! `GET /v1/usage/computing` that needs no clock, no network and no randomness.
//!
//! - [`model`]: the response as plain data, amounts as exact [`rust_decimal::Decimal`]s.
//! - [`json`]: reading a response (errors name the JSON path) and writing one.
//! - [`quality`]: data-quality notes on sloppy-but-meaningful responses.
//! - [`query`]: validated date ranges ([`query::UsageQuery`]) and the 31-day splitter.
//! - [`fetch_plan`]: how every edge loads a range: chunks, the longest range, re-signing
//!   with the server's clock, retries, merging and what to tell a person about each error.
//! - [`signing`]: the BCE authentication v1 signer.
//! - [`analysis`]: statistics, daily averages, reconciliation with `summary`, merging,
//!   LTTB downsampling and CSV export, all exact.
//! - [`synthetic`]: a seeded generator of realistic responses for demos and benchmarks.
//! - [`text`]: whole numbers, exact decimals, dates and times written without `core::fmt`,
//!   for every writer here and for the dashboard; [`sort`]: the one small stable sort.
//!
//! Time and randomness are always passed in: the signer takes the signing time, the
//! generator takes a seed. I/O lives in the crates that use this one.
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]

pub mod analysis;
pub mod error;
pub mod fetch_plan;
pub mod json;
pub mod model;
pub mod quality;
pub mod query;
pub mod service;
pub mod signing;
pub mod sort;
pub mod synthetic;
pub mod text;

// The JavaScript bindings of the npm package: wasm-bindgen exports, public only so that the
// crate's wasm-bindgen tests can call them; their contract is `js/index.d.ts`.
#[cfg(all(feature = "js", target_arch = "wasm32"))]
#[doc(hidden)]
pub mod js;

pub use error::{Error, ErrorKind, Result, ServiceError};
pub use model::{DataPoint, ResourceSeries, SummaryDay, SummaryValue, TimeSpan, UsageResponse};
pub use query::UsageQuery;
