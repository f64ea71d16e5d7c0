//! Users from a file: one `name:hash` per line, the hash an argon2id PHC string
//! (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), blank lines and `#` comments allowed.
//! `bec-usage-proxy add-user NAME` prints such a line ([`user_line`]).
//!
//! Verifying a password costs the same whether the user exists or not: an unknown name is
//! checked against a hash made at load time with the same parameters, so the answer's
//! timing does not tell which names exist.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordHashString, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::errors::{Error, ErrorKind, Result};

/// OWASP's recommended argon2id parameters (Password Storage Cheat Sheet): 19 MiB of
/// memory, 2 passes, 1 lane.
pub const OWASP_MEMORY_KIB: u32 = 19 * 1024;
/// See [`OWASP_MEMORY_KIB`].
pub const OWASP_PASSES: u32 = 2;
/// See [`OWASP_MEMORY_KIB`].
pub const OWASP_LANES: u32 = 1;

/// The longest user name; names are `A-Z a-z 0-9 . _ @ + -`.
pub const MAX_NAME_CHARS: usize = 64;

/// The users who may sign in.
pub struct Users {
    hashes: HashMap<String, PasswordHashString>,
    /// Checked for unknown names, so they take as long as known ones.
    decoy: PasswordHashString,
}

impl fmt::Debug for Users {
    // Names only: hashes stay out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.names().collect();
        names.sort_unstable();
        f.debug_struct("Users").field("names", &names).finish()
    }
}

impl Users {
    /// Reads a users file.
    pub fn read(path: &Path) -> Result<Users> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            config(format!(
                "cannot read the users file {}: {e}",
                path.display()
            ))
        })?;
        Users::parse(&text, &format!("the users file {}", path.display()))
    }

    /// Parses the lines of a users file; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Users> {
        let mut hashes = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, hash)) = line.split_once(':') else {
                return Err(config(format!(
                    "line {number} of {source} is not NAME:HASH (make lines with `bec-usage-proxy add-user NAME`)"
                )));
            };
            check_name(name)
                .map_err(|problem| config(format!("line {number} of {source}: {problem}")))?;
            let parsed = PasswordHash::new(hash).map_err(|e| {
                config(format!(
                    "line {number} of {source}: the hash of {name:?} is not a PHC string ({e}); make it with `bec-usage-proxy add-user {name}`"
                ))
            })?;
            if parsed.algorithm.as_str() != Algorithm::Argon2id.ident().as_str() {
                return Err(config(format!(
                    "line {number} of {source}: the hash of {name:?} is {}, not argon2id; make it with `bec-usage-proxy add-user {name}`",
                    parsed.algorithm
                )));
            }
            if hashes.insert(name.to_owned(), parsed.serialize()).is_some() {
                return Err(config(format!(
                    "line {number} of {source}: {name:?} appears a second time"
                )));
            }
        }
        if hashes.is_empty() {
            return Err(config(format!(
                "{source} names no user; add lines with `bec-usage-proxy add-user NAME`"
            )));
        }
        // The decoy only has to cost what a real check costs; its salt need not be secret.
        let decoy = hash_password(
            "decoy password, never used to sign in",
            b"bec-usage decoy salt",
        )?;
        let decoy = PasswordHash::new(&decoy)
            .map(|hash| hash.serialize())
            .map_err(|e| Error::new(ErrorKind::Internal, format!("the decoy hash: {e}")))?;
        Ok(Users { hashes, decoy })
    }

    /// The user names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.hashes.keys().map(String::as_str)
    }

    /// Whether `name` is a user.
    pub fn contains(&self, name: &str) -> bool {
        self.hashes.contains_key(name)
    }

    /// Checks a password: `true` only for a known user with that password. Slow on
    /// purpose (argon2id), and as slow for unknown names: run it off the async threads.
    pub fn verify(&self, name: &str, password: &str) -> bool {
        let (hash, known) = match self.hashes.get(name) {
            Some(hash) => (hash, true),
            None => (&self.decoy, false),
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &hash.password_hash())
            .is_ok();
        matches && known
    }
}

/// Why `name` cannot be a user name, if it cannot.
pub fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "a user name has 1 to {MAX_NAME_CHARS} characters, not {}",
            name.chars().count()
        ));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '+' | '-')))
    {
        Some(c) => Err(format!(
            "the user name {name:?} has {c:?}; use letters, digits and . _ @ + -"
        )),
        None => Ok(()),
    }
}

/// The argon2id hash (PHC string) of `password` with OWASP's parameters; `salt` is 16
/// random bytes.
pub fn hash_password(password: &str, salt: &[u8]) -> Result<String> {
    let internal = |what: &str, e: &dyn fmt::Display| {
        Error::new(
            ErrorKind::Internal,
            format!("hashing a password: {what}: {e}"),
        )
    };
    let params = Params::new(OWASP_MEMORY_KIB, OWASP_PASSES, OWASP_LANES, None)
        .map_err(|e| internal("parameters", &e))?;
    let salt = SaltString::encode_b64(salt).map_err(|e| internal("salt", &e))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| internal("argon2", &e))
}

/// A line of a users file for `name` with `password`.
pub fn user_line(name: &str, password: &str, salt: &[u8]) -> Result<String> {
    check_name(name).map_err(config)?;
    if password.is_empty() {
        return Err(config("the password is empty"));
    }
    Ok(format!("{name}:{}", hash_password(password, salt)?))
}

fn config(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: &[u8] = b"sixteen byte salt";

    #[test]
    fn a_line_made_by_user_line_verifies_its_password_only() {
        let line = user_line("alice", "correct horse", SALT).expect("line");
        assert!(
            line.starts_with("alice:$argon2id$v=19$m=19456,t=2,p=1$"),
            "{line}"
        );
        let users = Users::parse(&format!("# team\n\n{line}\n"), "test").expect("users");
        assert!(users.verify("alice", "correct horse"));
        assert!(!users.verify("alice", "correct horse "));
        assert!(!users.verify("bob", "correct horse"));
        assert_eq!(users.names().collect::<Vec<_>>(), ["alice"]);
        assert!(
            !format!("{users:?}").contains("argon2"),
            "Debug shows no hash"
        );
    }

    #[test]
    fn the_decoy_never_signs_in_even_with_its_own_password() {
        let line = user_line("alice", "pw", SALT).expect("line");
        let users = Users::parse(&line, "test").expect("users");
        assert!(!users.verify("nobody", "decoy password, never used to sign in"));
    }

    #[test]
    fn bad_files_name_the_line() {
        let good = user_line("alice", "pw", SALT).expect("line");
        for (text, needle) in [
            ("alice".to_owned(), "line 1"),
            ("al ice:$argon2id$x".to_owned(), "' '"),
            ("alice:not-a-hash".to_owned(), "not a PHC string"),
            (
                "alice:$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".to_owned(),
                "not argon2id",
            ),
            (format!("{good}\n{good}"), "line 2"),
            ("# nobody\n".to_owned(), "names no user"),
        ] {
            let error = Users::parse(&text, "the users file u.txt").expect_err(&text);
            assert_eq!(error.kind(), ErrorKind::Config);
            assert!(error.message().contains(needle), "{}", error.message());
        }
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("alice.smith+ops@example-1").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name(&"a".repeat(65)).is_err());
        assert!(check_name("a\nb").is_err());
        assert!(user_line("alice", "", SALT).is_err());
    }
}
