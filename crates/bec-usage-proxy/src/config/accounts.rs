//! The accounts file (`--accounts-file`), or the `[accounts]` tables of the config file:
//!
//! ```toml
//! [accounts.production]
//! keys-file = "production.env"        # BCE_ACCESS_KEY_ID=... and BCE_SECRET_ACCESS_KEY=...
//! users = ["alice", "bob"]            # who may see it; leave out for every user
//!
//! [accounts.test]
//! access-key-id = "..."
//! secret-access-key = "..."
//! ```
//!
//! A key file's path is relative to the file that names it. Mistakes name the account,
//! the key and the line (TOML's own messages), and the server does not start.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use bec_usage::signing::Credentials;
use serde::Deserialize;

use super::read_keys_file;
use crate::access::users::check_name;
use crate::accounts::{check_account_name, Account};
use crate::errors::{Error, ErrorKind, Result};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AccountEntry {
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    keys_file: Option<PathBuf>,
    users: Option<Vec<String>>,
}

/// A file of accounts and nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    accounts: BTreeMap<String, AccountEntry>,
}

/// A config file: its `[accounts]` tables; the other keys are flags (checked elsewhere).
#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    accounts: BTreeMap<String, AccountEntry>,
    #[serde(flatten)]
    _settings: toml::Table,
}

/// Reads the accounts of `path`; `is_config_file` when it is the config file, whose other
/// keys are settings.
pub fn read_accounts(path: &Path, is_config_file: bool) -> Result<Vec<Account>> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| config(format!("cannot read the accounts in {name}: {e}")))?;
    let parse_error = |e: toml::de::Error| config(format!("the accounts in {name}: {e}"));
    let entries = if is_config_file {
        toml::from_str::<ConfigFile>(&text)
            .map_err(parse_error)?
            .accounts
    } else {
        toml::from_str::<AccountsFile>(&text)
            .map_err(parse_error)?
            .accounts
    };
    if entries
        .values()
        .any(|entry| entry.secret_access_key.is_some())
    {
        let what = if is_config_file {
            "config file"
        } else {
            "accounts file"
        };
        super::warn_if_others_may_read(path, what);
    }
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    entries
        .into_iter()
        .map(|(account, entry)| {
            let at = |problem: String| config(format!("{name}, account {account:?}: {problem}"));
            check_account_name(&account).map_err(at)?;
            let credentials = credentials_of(
                entry.access_key_id,
                entry.secret_access_key,
                entry.keys_file,
                base,
            )
            .map_err(|e| at(e.message().to_owned()))?;
            let users = entry
                .users
                .map(|users| {
                    users
                        .into_iter()
                        .map(|user| check_name(&user).map(|()| user))
                        .collect::<std::result::Result<BTreeSet<_>, _>>()
                })
                .transpose()
                .map_err(at)?;
            Ok(Account {
                name: account,
                credentials,
                users,
            })
        })
        .collect()
}

fn credentials_of(
    id: Option<String>,
    secret: Option<String>,
    keys_file: Option<PathBuf>,
    base: &Path,
) -> Result<Credentials> {
    match (id, secret, keys_file) {
        (Some(id), Some(secret), None) => Credentials::new(&id, &secret)
            .map_err(|e| config(format!("the key pair is unusable: {}", e.message()))),
        (None, None, Some(file)) => {
            let path = if file.is_absolute() {
                file
            } else {
                base.join(file)
            };
            read_keys_file(&path)?.ok_or_else(|| config(format!("{} has no keys", path.display())))
        }
        (None, None, None) => Err(config(
            "give access-key-id and secret-access-key, or keys-file".into(),
        )),
        (_, _, Some(_)) => Err(config(
            "give either keys-file or access-key-id and secret-access-key, not both".into(),
        )),
        _ => Err(config(
            "give both access-key-id and secret-access-key".into(),
        )),
    }
}

fn config(message: String) -> Error {
    Error::new(ErrorKind::Config, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn accounts_with_keys_inline_or_in_a_key_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            dir.path(),
            "prod.env",
            "BCE_ACCESS_KEY_ID=prod-ak\nBCE_SECRET_ACCESS_KEY=prod-sk\n",
        );
        let path = write(
            dir.path(),
            "accounts.toml",
            "[accounts.production]\nkeys-file = \"prod.env\"\nusers = [\"alice\"]\n\n[accounts.test]\naccess-key-id = \"test-ak\"\nsecret-access-key = \"test-sk\"\n",
        );
        let accounts = read_accounts(&path, false).expect("valid");
        let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["production", "test"]);
        assert_eq!(accounts[0].credentials.access_key_id(), "prod-ak");
        assert_eq!(accounts[0].users.as_ref().map(|u| u.len()), Some(1));
        assert!(accounts[1].users.is_none());
        assert!(!format!("{accounts:?}").contains("prod-sk"));
    }

    #[test]
    fn a_config_file_may_hold_accounts_beside_its_settings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(
            dir.path(),
            "proxy.toml",
            "listen = \"127.0.0.1:8080\"\n[accounts.test]\naccess-key-id = \"a\"\nsecret-access-key = \"b\"\n",
        );
        assert_eq!(read_accounts(&path, true).expect("valid").len(), 1);
        assert!(
            read_accounts(&path, false).is_err(),
            "an accounts file holds accounts only"
        );
    }

    #[test]
    fn mistakes_name_the_account_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (text, needle) in [
            ("[accounts.test]\naccess-key-id = \"a\"\nsecret-acess-key = \"b\"\n", "line 3"),
            ("[accounts.test]\naccess-key-id = \"a\"\n", "both"),
            ("[accounts.Test]\naccess-key-id = \"a\"\nsecret-access-key = \"b\"\n", "lowercase"),
            ("[accounts.test]\nkeys-file = \"missing.env\"\n", "missing.env"),
            ("[accounts.test]\naccess-key-id = \"a\"\nsecret-access-key = \"b\"\nusers = [\"a b\"]\n", "' '"),
        ] {
            let path = write(dir.path(), "accounts.toml", text);
            let error = read_accounts(&path, false).expect_err(text);
            assert_eq!(error.kind(), ErrorKind::Config);
            assert!(error.message().contains(needle), "{needle}: {}", error.message());
        }
    }
}
