//! # bec-usage-store
//!
//! The history store (issue 24): every settled day of BEC usage fetched, per account, and
//! the server's sign-in sessions, in one SQLite file. Past days do not change at the
//! service, so once a day is kept it is never asked for again.
//!
//! Used by `bec-usage-proxy` (its `--store`, `backfill`, and sessions that outlive a
//! restart) and by the `bec-usage` command line (`--store PATH`), so both read and fill
//! the same file the same way.
//!
//! - [`Store::open`]: opens or creates the file, runs SQLite's integrity check, migrates
//!   the schema ([`SCHEMA_VERSION`]) and sets a damaged file aside ([`SetAside`], for the
//!   caller to log).
//! - Days: [`Store::stored_dates`] (which days of a range are kept), [`Store::read_days`]
//!   (their data), [`Store::put_response`] (the settled days of a complete, parsed answer,
//!   in one transaction).
//! - [`days`]: what a day is ([`days::split_days`]), which runs of a range are missing
//!   ([`days::missing_runs`]) and putting days and fetched answers back together
//!   ([`days::assemble`], the core's merge).
//! - Sessions: [`Store::put_session`], [`Store::live_sessions`],
//!   [`Store::delete_session`], [`Store::purge_sessions`]: only a token's SHA-256.
//! - [`Store::file_size`], [`Store::day_count`]: for metrics and reports.
//!
//! A load through the store, as the server and the command line run it:
//!
//! ```
//! use bec_usage::json::write_usage;
//! use bec_usage::synthetic::{generate, SyntheticOptions};
//! use bec_usage_store::days::{assemble, missing_runs};
//! use bec_usage_store::Store;
//! # use chrono::NaiveDate;
//! # let dir = tempfile::tempdir().expect("a folder");
//! # let day = |d| NaiveDate::from_ymd_opt(2024, 3, d).expect("a date");
//! let store = Store::open(dir.path().join("history.sqlite3"))?.store;
//! // Fetch what is missing (here: generated), store its settled days.
//! let (begin, end) = (day(1), day(10));
//! let stored = store.stored_dates("prod", begin, end)?;
//! for (first, last) in missing_runs(begin, end, &stored) {
//!     let answer = generate(&SyntheticOptions::new(first, last).with_step_seconds(3600))
//!         .expect("an answer");
//!     store.put_response("prod", &answer, day(8))?; // days after the 8th may still change
//! }
//! // The kept days are the answer for any range of them.
//! let read = store.read_days("prod", day(2), day(5))?;
//! let answer = assemble(read.days)?;
//! let fresh = generate(&SyntheticOptions::new(day(2), day(5)).with_step_seconds(3600))
//!     .expect("an answer");
//! assert_eq!(write_usage(&answer), write_usage(&fresh));
//! # Ok::<(), bec_usage_store::Error>(())
//! ```
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]

mod codec;
pub mod days;
mod error;
mod store;

pub use error::{Error, ErrorKind, Result};
pub use store::{
    unix_now, Opened, ReadDays, SetAside, Store, StoredSession, APPLICATION_ID, SCHEMA_VERSION,
};

/// The name under which the store keeps an account's days: the account's name and its
/// access key id (`production@AKID`), so that pointing a name at other keys (another BEC
/// account, perhaps) starts afresh instead of reading the other account's days. Every user
/// of the store (the server, `backfill`, the command line) names accounts this way.
///
/// ```
/// assert_eq!(bec_usage_store::account_key("production", "ak-1"), "production@ak-1");
/// ```
pub fn account_key(name: &str, access_key_id: &str) -> String {
    format!("{name}@{access_key_id}")
}

/// The file name of a store in a folder (the server's default, in its state directory).
pub const DEFAULT_FILE_NAME: &str = "bec-usage-history.sqlite3";
