//! The server's integration tests, one binary: the proxy and the stand-in on ephemeral
//! loopback ports in this process, and the real binary where a test needs a process
//! (`shutdown`, `readme_team`). One binary rather than one per file, since each would link
//! axum, tokio, reqwest and rustls again. `secrets_in_logs` stays a binary of its own: it
//! installs the process's global log subscriber.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod accounts;
mod attacks;
mod forwarding;
mod fronts;
mod metrics;
mod metrics_python;
mod observability;
mod prometheus;
mod readme_team;
mod shutdown;
mod static_files;
mod store;
mod unattended;
