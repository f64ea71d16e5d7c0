//! # bec-usage-store
//!
//! The history store (issue 24): every settled day of BEC usage fetched, per account, and
//! the server's sign-in sessions, in one SQLite file.
#![deny(missing_docs)]
