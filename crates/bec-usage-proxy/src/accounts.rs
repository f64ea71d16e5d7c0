//! Several Baidu accounts behind one server: each has a name, a key pair and, optionally,
//! the users who may see it. `GET /accounts/NAME/v1/usage/computing` reads account NAME;
//! the plain `/v1/usage/computing` reads the default account.
//!
//! An account a user may not see is, for that user, an account that does not exist: the
//! same 404, the same message, and it is not listed in `/healthz`.

use std::collections::BTreeSet;
use std::fmt;

use bec_usage::signing::Credentials;

use crate::access::Identity;

/// The longest account name; names are `a-z 0-9 _ -`.
pub const MAX_ACCOUNT_NAME_CHARS: usize = 64;

/// The prefix of account paths.
pub const ACCOUNTS_PREFIX: &str = "/accounts";

/// One account.
#[derive(Clone)]
pub struct Account {
    /// Its name, in paths and in the dashboard.
    pub name: String,
    /// Its key pair (`Debug` redacts the secret).
    pub credentials: Credentials,
    /// Who may see it; `None`: every user of the server.
    pub users: Option<BTreeSet<String>>,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("name", &self.name)
            .field("access_key_id", &self.credentials.access_key_id())
            .field("users", &self.users)
            .finish()
    }
}

impl Account {
    /// Whether `identity` may see this account.
    pub fn is_visible_to(&self, identity: &Identity) -> bool {
        match (&self.users, identity) {
            (None, _) => true,
            (Some(users), Identity::User(name)) => users.contains(name),
            (Some(_), Identity::Anyone) => false,
        }
    }
}

/// Why `name` cannot be an account name, if it cannot.
pub fn check_account_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_ACCOUNT_NAME_CHARS {
        return Err(format!(
            "an account name has 1 to {MAX_ACCOUNT_NAME_CHARS} characters, not {}",
            name.chars().count()
        ));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-')))
    {
        Some(c) => Err(format!(
            "the account name {name:?} has {c:?}; use lowercase letters, digits, _ and -"
        )),
        None => Ok(()),
    }
}

/// The accounts of a server and which one the plain path reads.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    list: Vec<Account>,
    default: Option<String>,
}

impl Accounts {
    /// `list` (names unique and valid, checked by the caller), with `default` the plain
    /// path's account.
    pub fn new(list: Vec<Account>, default: Option<String>) -> Self {
        Accounts { list, default }
    }

    /// Whether the server has named accounts (else it has one key pair and no names).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Every account.
    pub fn all(&self) -> &[Account] {
        &self.list
    }

    /// The default account's name.
    pub fn default_name(&self) -> Option<&str> {
        self.default.as_deref()
    }

    /// The account `name`, if `identity` may see it.
    pub fn visible(&self, name: &str, identity: &Identity) -> Option<&Account> {
        self.list
            .iter()
            .find(|account| account.name == name && account.is_visible_to(identity))
    }

    /// The names `identity` may see, in order.
    pub fn visible_names(&self, identity: &Identity) -> Vec<&str> {
        self.list
            .iter()
            .filter(|account| account.is_visible_to(identity))
            .map(|account| account.name.as_str())
            .collect()
    }

    /// The default account, if `identity` may see it.
    pub fn visible_default(&self, identity: &Identity) -> Option<&Account> {
        self.default
            .as_deref()
            .and_then(|name| self.visible(name, identity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, users: Option<&[&str]>) -> Account {
        Account {
            name: name.to_owned(),
            credentials: Credentials::new(&format!("ak-{name}"), "secret-value").expect("keys"),
            users: users.map(|u| u.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn users_see_their_accounts_only() {
        let accounts = Accounts::new(
            vec![
                account("production", Some(&["alice"])),
                account("test", None),
            ],
            Some("production".into()),
        );
        let alice = Identity::User("alice".into());
        let bob = Identity::User("bob".into());
        assert_eq!(accounts.visible_names(&alice), ["production", "test"]);
        assert_eq!(accounts.visible_names(&bob), ["test"]);
        assert!(accounts.visible("production", &bob).is_none());
        assert!(accounts.visible("nothing", &alice).is_none());
        assert_eq!(
            accounts.visible_default(&alice).map(|a| a.name.as_str()),
            Some("production")
        );
        assert!(accounts.visible_default(&bob).is_none());
        assert_eq!(accounts.visible_names(&Identity::Anyone), ["test"]);
        let debug = format!("{:?}", accounts.all()[0]);
        assert!(
            debug.contains("ak-production") && !debug.contains("secret-value"),
            "{debug}"
        );
    }

    #[test]
    fn names_are_checked() {
        for good in ["production", "dept-42", "a_b"] {
            assert!(check_account_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Production", "a b", "a/b", "..", "é", &"a".repeat(65)] {
            assert!(check_account_name(bad).is_err(), "{bad}");
        }
    }
}
