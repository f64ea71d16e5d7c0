//! The key pair: from `BCE_ACCESS_KEY_ID` and `BCE_SECRET_ACCESS_KEY` in the environment,
//! or from a key file (`--keys-file`, an account's `keys-file`); and the warning about files
//! holding secrets that others may read. Keys never come from flags (they would show in
//! `ps`); the key pair's `Debug` (in `bec_usage::signing`) shows only the start of its
//! access key id.

use std::path::Path;

use bec_usage::signing::Credentials;

use super::config;
use crate::errors::Result;

/// The environment variable holding the access key id.
pub const ENV_ACCESS_KEY_ID: &str = "BCE_ACCESS_KEY_ID";
/// The environment variable holding the secret access key.
pub const ENV_SECRET_ACCESS_KEY: &str = "BCE_SECRET_ACCESS_KEY";

/// Warns (once per read) when others than the owner may read `path`, which holds secrets.
pub fn warn_if_others_may_read(path: &Path, what: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(metadata) = std::fs::metadata(path) {
            if metadata.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    file = %path.display(),
                    mode = %format_args!("{:o}", metadata.permissions().mode() & 0o777),
                    "the {what} {} may be read by others than its owner; run: chmod 600 {}",
                    path.display(),
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, what);
}

/// The key pair from `BCE_ACCESS_KEY_ID` and `BCE_SECRET_ACCESS_KEY`; `None` when
/// neither is set; an error when only one is.
pub fn keys_from(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Credentials>> {
    let id = env(ENV_ACCESS_KEY_ID).filter(|v| !v.is_empty());
    let secret = env(ENV_SECRET_ACCESS_KEY).filter(|v| !v.is_empty());
    credentials_of(id, secret, "the environment")
}

fn credentials_of(
    id: Option<String>,
    secret: Option<String>,
    source: &str,
) -> Result<Option<Credentials>> {
    match (id, secret) {
        (None, None) => Ok(None),
        (Some(id), Some(secret)) => Credentials::new(&id, &secret)
            .map(Some)
            .map_err(|e| config(format!("the keys from {source} are unusable: {}", e.message()))),
        (Some(_), None) => Err(config(format!(
            "{source} has {ENV_ACCESS_KEY_ID} but not {ENV_SECRET_ACCESS_KEY}; give both, or neither for relay mode"
        ))),
        (None, Some(_)) => Err(config(format!(
            "{source} has {ENV_SECRET_ACCESS_KEY} but not {ENV_ACCESS_KEY_ID}; give both, or neither for relay mode"
        ))),
    }
}

/// Reads a key file: lines `NAME=VALUE` for the two key variables; blank lines, `#`
/// comments, an `export ` prefix and quotes around the value are allowed.
pub fn read_keys_file(path: &Path) -> Result<Option<Credentials>> {
    warn_if_others_may_read(path, "key file");
    let text = std::fs::read_to_string(path)
        .map_err(|e| config(format!("cannot read the key file {}: {e}", path.display())))?;
    let (mut id, mut secret) = (None, None);
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            return Err(config(format!(
                "line {} of the key file {} is not NAME=VALUE",
                number + 1,
                path.display()
            )));
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value)
            .to_owned();
        match name.trim() {
            ENV_ACCESS_KEY_ID => id = Some(value),
            ENV_SECRET_ACCESS_KEY => secret = Some(value),
            other => {
                return Err(config(format!(
                    "line {} of the key file {} names {other:?}; only {ENV_ACCESS_KEY_ID} and {ENV_SECRET_ACCESS_KEY} are read",
                    number + 1,
                    path.display()
                )))
            }
        }
    }
    let source = format!("the key file {}", path.display());
    match credentials_of(id, secret, &source)? {
        Some(credentials) => Ok(Some(credentials)),
        None => Err(config(format!("{source} has no keys"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ErrorKind;

    #[test]
    fn key_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys.env");
        std::fs::write(
            &path,
            "# keys\nexport BCE_ACCESS_KEY_ID=file-ak\nBCE_SECRET_ACCESS_KEY=\"file-sk\"\n",
        )
        .unwrap();
        let keys = read_keys_file(&path).expect("valid").expect("keys");
        assert_eq!(keys.access_key_id(), "file-ak");
        std::fs::write(&path, "BCE_ACCESS_KEY_ID=file-ak\nOTHER=1\n").unwrap();
        assert_eq!(read_keys_file(&path).unwrap_err().kind(), ErrorKind::Config);
        std::fs::write(&path, "\n").unwrap();
        assert_eq!(read_keys_file(&path).unwrap_err().kind(), ErrorKind::Config);
        let missing = dir.path().join("missing");
        let error = read_keys_file(&missing).unwrap_err();
        assert!(
            error.message().contains("cannot read"),
            "{}",
            error.message()
        );
    }
}
