//! # bec-usage-proxy
//!
//! A small service between the bec-usage dashboard and Baidu AI Cloud BEC: browsers cannot
//! call `bec.baidubce.com` (no CORS) and keys must not sit in a page.
//!
//! - [`app`]: the HTTP application: the dashboard's files, `/healthz`, `/readyz`,
//!   `/metrics` and `GET /v1/usage/computing`, the same path as BEC's, with security
//!   headers, compression, request ids and logs.
//! - [`metrics`]: the counters and the upstream latency histogram, in Prometheus' text
//!   format; [`health`]: the readiness checks of `/readyz`; [`process_metrics`]: the
//!   standard `process_*` series; [`metrics_token`]: the bearer token of scrapes.
//! - [`forward`]: what is forwarded and what is refused ([`forward::rules`]), signing in
//!   server-signed mode, and the upstream client with timeouts, a size cap and retries.
//! - [`history`]: the history store in the server: settled days answered from it, only
//!   missing days asked upstream, concurrent fetches of the same days shared;
//!   [`backfill`]: filling it ahead of time.
//! - [`standin`]: the demo BEC stand-in (`--demo`, or alone with `standin`).
//! - [`client`]: the client's address, from `X-Forwarded-For` behind a trusted front.
//! - [`connections`]: the listeners' connection loop (timeouts, a connection limit);
//!   [`logging`]: logs that drop lines rather than block.
//! - [`config`]: flags, environment and key file; [`ratelimit`]: the per-client limit;
//!   [`errors`]: the one error type and its BCE-style JSON answer.
//!
//! Pure rules (validation, the stand-in's checks, the token bucket, and the core's fetch
//! plan for retries and re-signing) are plain functions that take the time or the jitter as
//! arguments; sockets and clocks are at the edges ([`server`], [`clock`]).
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]

pub mod access;
pub mod accounts;
pub mod app;
pub mod backfill;
pub mod client;
pub mod clock;
pub mod config;
pub mod connections;
pub mod errors;
pub mod forward;
pub mod health;
pub mod history;
pub mod ids;
pub mod logging;
pub mod metrics;
pub mod metrics_token;
pub mod process_metrics;
pub mod ratelimit;
pub mod server;
pub mod standin;

pub use errors::{Error, ErrorKind, Result};
