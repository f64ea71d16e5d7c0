//! Configuration: flags, environment and the config file (clap, [`mod@file`]), and the key
//! pair from the environment or a key file. Secrets never come from flags (they would show
//! in `ps`), and `Debug` of every type here redacts them.
//!
//! The files, in the order a start-up reads them:
//!
//! - `cli.rs`: the command line ([`Cli`], [`ProxyArgs`], the subcommands) and its help;
//! - [`mod@file`]: the config file, merged under the flags into one command line;
//! - `settings.rs`: [`ProxyArgs::resolve`], the flags checked into [`ProxySettings`];
//! - `access.rs`: the access rules and the session cookie, a part of the settings;
//! - `keys.rs`: the key pair from the environment or a key file ([`read_keys_file`]);
//! - [`accounts`]: the named accounts of the accounts (or config) file;
//! - [`mod@print`]: `print-config`, the effective configuration.

pub mod accounts;
pub mod file;
pub mod print;

mod access;
mod cli;
mod keys;
mod settings;
#[cfg(test)]
mod test_support;

pub use access::MAX_SESSION_HOURS;
pub use cli::{
    AddUserArgs, BackfillArgs, Cli, Command, FaultArgs, LogFormat, ProxyArgs, StandinArgs,
};
pub use keys::{
    keys_from, read_keys_file, warn_if_others_may_read, ENV_ACCESS_KEY_ID, ENV_SECRET_ACCESS_KEY,
};
pub use settings::{
    check_dist, parse_origin, ProxySettings, StoreChoice, UpstreamChoice, DEFAULT_ACCOUNT,
    DEFAULT_DIST, MAX_SETTLE_DAYS,
};

use crate::errors::{Error, ErrorKind};

/// A configuration error (the server does not start).
fn config(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config, message)
}
