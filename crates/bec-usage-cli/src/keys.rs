//! Where the key pair comes from, in this order: the server's accounts file (or its config
//! file) with `--account NAME`, a key file (`--keys-file`, `BCE_KEYS_FILE`), or the
//! environment (`BCE_ACCESS_KEY_ID` and `BCE_SECRET_ACCESS_KEY`, the names the server
//! reads too). The files are read by the server's own readers
//! ([`bec_usage_proxy::config`]), so the two agree on their format. Keys never come from
//! flags: they would show in `ps`.

use std::fmt;
use std::path::Path;

use bec_usage::signing::Credentials;
use bec_usage_proxy::config::accounts::read_accounts;
use bec_usage_proxy::config::{keys_from, read_keys_file};

use crate::error::{Error, Result};

pub use bec_usage_proxy::config::{ENV_ACCESS_KEY_ID, ENV_SECRET_ACCESS_KEY};

/// The environment variable naming a key file (as for the server).
pub const ENV_KEYS_FILE: &str = "BCE_KEYS_FILE";

/// A key pair and where it was found (`Debug` shows the access key id's start only, never
/// the secret: [`Credentials`]' own `Debug`).
#[derive(Clone)]
pub struct Keys {
    /// The key pair.
    pub credentials: Credentials,
    /// Where it came from, for messages: `the environment`, `the key file F`, ...
    pub source: String,
    /// The account's name, for keys from an accounts file.
    pub account: Option<String>,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("credentials", &self.credentials)
            .field("source", &self.source)
            .field("account", &self.account)
            .finish()
    }
}

/// Where to look for keys, as the command line gave it.
#[derive(Debug, Clone, Default)]
pub struct KeyChoice<'a> {
    /// `--accounts-file`.
    pub accounts_file: Option<&'a Path>,
    /// `--account` (with an accounts file: whose keys).
    pub account: Option<&'a str>,
    /// `--keys-file`.
    pub keys_file: Option<&'a Path>,
}

/// Finds the key pair: `Ok(None)` when there is none anywhere (requests go unsigned, to a
/// server of ours that signs them itself).
pub fn find_keys(
    choice: &KeyChoice<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Keys>> {
    if let Some(path) = choice.accounts_file {
        return account_keys(path, choice.account).map(Some);
    }
    if let Some(path) = choice.keys_file {
        let credentials = read_keys_file(path)
            .map_err(|e| Error::input(e.message()))?
            .ok_or_else(|| Error::input(format!("the key file {} has no keys", path.display())))?;
        return Ok(Some(Keys {
            credentials,
            source: format!("the key file {}", path.display()),
            account: None,
        }));
    }
    let credentials = keys_from(env).map_err(|e| Error::input(e.message()))?;
    Ok(credentials.map(|credentials| Keys {
        credentials,
        source: "the environment".into(),
        account: None,
    }))
}

/// The keys of account `name` in the accounts (or config) file at `path`; without a name,
/// the file's only account.
fn account_keys(path: &Path, name: Option<&str>) -> Result<Keys> {
    // A config file holds settings beside its [accounts.NAME] tables; an accounts file only
    // the tables. Read as a config file, both work, and each account is checked in full.
    let accounts = read_accounts(path, true).map_err(|e| Error::input(e.message()))?;
    let names = || {
        let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
        if names.is_empty() {
            "it has none ([accounts.NAME] tables)".to_owned()
        } else {
            format!("it has {}", names.join(", "))
        }
    };
    let account = match name {
        Some(name) => accounts.iter().find(|a| a.name == name).ok_or_else(|| {
            Error::input(format!(
                "the accounts file {} has no account {name:?}; {}",
                path.display(),
                names()
            ))
        })?,
        None => match accounts.as_slice() {
            [only] => only,
            _ => {
                return Err(Error::input(format!(
                    "give --account NAME to choose an account of {}: {}",
                    path.display(),
                    names()
                )))
            }
        },
    };
    Ok(Keys {
        credentials: account.credentials.clone(),
        source: format!("account {:?} of {}", account.name, path.display()),
        account: Some(account.name.clone()),
    })
}

/// The process environment, as [`find_keys`] reads it.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn accounts_file_then_key_file_then_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            dir.path(),
            "prod.env",
            "BCE_ACCESS_KEY_ID=prod-ak\nBCE_SECRET_ACCESS_KEY=prod-sk\n",
        );
        let accounts = write(
            dir.path(),
            "team.toml",
            "listen = \"0.0.0.0:8080\"\n[accounts.production]\nkeys-file = \"prod.env\"\n\n\
             [accounts.test]\naccess-key-id = \"test-ak\"\nsecret-access-key = \"test-sk\"\n",
        );
        let keys_file = write(
            dir.path(),
            "keys.env",
            "BCE_ACCESS_KEY_ID=file-ak\nBCE_SECRET_ACCESS_KEY=file-sk\n",
        );
        let env = |name: &str| match name {
            ENV_ACCESS_KEY_ID => Some("env-ak".to_owned()),
            ENV_SECRET_ACCESS_KEY => Some("env-sk".to_owned()),
            _ => None,
        };
        let id = |choice: KeyChoice<'_>| {
            find_keys(&choice, &env)
                .expect("keys")
                .map(|k| k.credentials.access_key_id().to_owned())
        };
        assert_eq!(
            id(KeyChoice {
                accounts_file: Some(&accounts),
                account: Some("production"),
                keys_file: Some(&keys_file),
            }),
            Some("prod-ak".into())
        );
        assert_eq!(
            id(KeyChoice {
                keys_file: Some(&keys_file),
                ..KeyChoice::default()
            }),
            Some("file-ak".into())
        );
        assert_eq!(id(KeyChoice::default()), Some("env-ak".into()));
        assert!(find_keys(&KeyChoice::default(), &|_| None)
            .expect("none")
            .is_none());

        let unknown = find_keys(
            &KeyChoice {
                accounts_file: Some(&accounts),
                account: Some("staging"),
                ..KeyChoice::default()
            },
            &env,
        )
        .expect_err("no such account");
        assert_eq!(unknown.exit_code(), 2);
        assert!(
            unknown.message().contains("production, test"),
            "{}",
            unknown.message()
        );
        let keys = find_keys(
            &KeyChoice {
                accounts_file: Some(&accounts),
                account: Some("test"),
                ..KeyChoice::default()
            },
            &env,
        )
        .expect("keys")
        .expect("some");
        assert!(!format!("{keys:?}").contains("test-sk"));
    }
}
