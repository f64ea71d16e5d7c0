//! What the page knows of the bec-usage-proxy serving it, from its `/healthz` answer
//! (read by `api::proxy_status_of`, in the page): whether there is one, how it signs, how people
//! sign in, and which accounts they may read.

use crate::state::Source;

/// How the proxy that serves the page authenticates upstream, from the `mode` of its
/// `/healthz` answer (`bec-usage-proxy --demo` is server-signed, with demo keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyMode {
    /// It holds keys and signs: the "Proxy" source works.
    ServerSigned,
    /// It relays requests the page signs: the "My keys" source works.
    Relay,
}

impl ProxyMode {
    /// The mode of a `/healthz` `mode` value.
    pub fn from_code(code: &str) -> Option<ProxyMode> {
        match code {
            "server-signed" => Some(ProxyMode::ServerSigned),
            "relay" => Some(ProxyMode::Relay),
            _ => None,
        }
    }
}

/// How the proxy knows who reads the data, from the `signIn` of its `/healthz` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignIn {
    /// No access control: anyone who reaches the proxy reads the data.
    #[default]
    Off,
    /// People sign in with a name and a password (`POST /auth/login`); the page asks.
    Password,
    /// A single-sign-on proxy in front signs people in; the page never asks.
    Proxy,
}

impl SignIn {
    /// The sign-in of a `/healthz` `signIn` value.
    pub fn from_code(code: &str) -> Option<SignIn> {
        match code {
            "off" => Some(SignIn::Off),
            "password" => Some(SignIn::Password),
            "proxy" => Some(SignIn::Proxy),
            _ => None,
        }
    }
}

/// Who reads the data, and which accounts: the rest of the proxy's `/healthz` answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Access {
    /// How people sign in.
    pub sign_in: SignIn,
    /// The signed-in user, if any.
    pub user: Option<String>,
    /// The accounts the user may see by name (`accounts`); empty when the server has one
    /// unnamed account.
    pub accounts: Vec<String>,
    /// The account served when none is named (`defaultAccount`).
    pub default_account: Option<String>,
}

/// The account the page loads, given the URL's and the server's list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AccountChoice {
    /// The account to load by name (`/accounts/NAME/v1/...`) and to show in the header
    /// and the export file names; `None`: the server's default account, by the plain path.
    pub account: Option<String>,
    /// The account the URL names that the server does not list, to say so.
    pub unknown: Option<String>,
}

impl Access {
    /// Whether the page must ask for a password before it can load anything.
    pub fn asks_sign_in(&self) -> bool {
        self.sign_in == SignIn::Password && self.user.is_none()
    }

    /// Whether the server names its accounts, so that the page offers a choice.
    pub fn has_named_accounts(&self) -> bool {
        self.accounts.len() >= 2
    }

    /// The account to load when the URL names `wanted`: with two accounts or more, that
    /// one if listed, else the default (or the first listed). With none, or only the
    /// default, the plain path, as on a server without named accounts; with one that is
    /// not the user's default (the plain path would refuse), that one by name. A name the
    /// server does not list is returned as `unknown`.
    pub fn choose_account(&self, wanted: Option<&str>) -> AccountChoice {
        let listed = |name: &str| self.accounts.iter().any(|a| a == name);
        let unknown = wanted.filter(|w| !listed(w)).map(str::to_owned);
        let default = self.default_account.as_deref().filter(|d| listed(d));
        let account = match self.accounts.as_slice() {
            [] => None,
            [only] if Some(only.as_str()) == default => None,
            [only] => Some(only.as_str()),
            [first, ..] => wanted.filter(|w| listed(w)).or(default).or(Some(first)),
        };
        AccountChoice {
            account: account.map(str::to_owned),
            unknown,
        }
    }
}

/// What the page knows of the proxy serving it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProxyStatus {
    /// `/healthz` has not answered yet.
    Checking,
    /// No bec-usage-proxy serves the page (a static host, or `/healthz` said something else).
    Absent,
    /// The proxy answered.
    Present {
        /// Its mode.
        mode: ProxyMode,
        /// The host requests finally reach, which the page signs for in keys mode.
        upstream_host: String,
        /// Who reads the data, and which accounts.
        access: Access,
    },
}

/// The upstream host when `/healthz` does not name one: BEC's.
pub const DEFAULT_UPSTREAM_HOST: &str = bec_usage::service::SERVICE_HOST;

impl ProxyStatus {
    /// Whether `source` can be used with this proxy.
    pub fn allows(&self, source: Source) -> bool {
        match (self, source) {
            (_, Source::Demo) => true,
            (ProxyStatus::Present { mode, .. }, Source::Proxy) => *mode != ProxyMode::Relay,
            (ProxyStatus::Present { mode, .. }, Source::Keys) => *mode == ProxyMode::Relay,
            (ProxyStatus::Checking, _) => true,
            (ProxyStatus::Absent, _) => false,
        }
    }

    /// Who reads the data, when the proxy answered.
    pub fn access(&self) -> Option<&Access> {
        match self {
            ProxyStatus::Present { access, .. } => Some(access),
            _ => None,
        }
    }

    /// Whether the page must ask for a password before it can load from the proxy.
    pub fn asks_sign_in(&self) -> bool {
        self.access().is_some_and(Access::asks_sign_in)
    }

    /// Whether people sign in here with a password (and so can sign out).
    pub fn has_password_sign_in(&self) -> bool {
        self.access().is_some_and(|a| a.sign_in == SignIn::Password)
    }

    /// Records who is signed in now (`None`: nobody).
    pub fn set_user(&mut self, user: Option<String>) {
        if let ProxyStatus::Present { access, .. } = self {
            access.user = user;
        }
    }

    /// The source used when the URL names none: the proxy's own when it serves the page
    /// ("My keys" for a relaying proxy), the demo otherwise. `None` while still checking.
    pub fn default_source(&self) -> Option<Source> {
        match self {
            ProxyStatus::Checking => None,
            ProxyStatus::Absent => Some(Source::Demo),
            ProxyStatus::Present {
                mode: ProxyMode::Relay,
                ..
            } => Some(Source::Keys),
            ProxyStatus::Present { .. } => Some(Source::Proxy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_decides_the_default_source() {
        let present = |mode| ProxyStatus::Present {
            mode,
            upstream_host: DEFAULT_UPSTREAM_HOST.into(),
            access: Access::default(),
        };
        assert_eq!(ProxyStatus::Checking.default_source(), None);
        assert_eq!(ProxyStatus::Absent.default_source(), Some(Source::Demo));
        assert_eq!(
            present(ProxyMode::ServerSigned).default_source(),
            Some(Source::Proxy)
        );
        assert_eq!(
            present(ProxyMode::Relay).default_source(),
            Some(Source::Keys)
        );

        assert!(!ProxyStatus::Absent.allows(Source::Proxy));
        assert!(!ProxyStatus::Absent.allows(Source::Keys));
        assert!(ProxyStatus::Absent.allows(Source::Demo));
        assert!(present(ProxyMode::ServerSigned).allows(Source::Proxy));
        assert!(!present(ProxyMode::ServerSigned).allows(Source::Keys));
        assert!(present(ProxyMode::Relay).allows(Source::Keys));
        assert!(!present(ProxyMode::Relay).allows(Source::Proxy));
        assert_eq!(ProxyMode::from_code("relay"), Some(ProxyMode::Relay));
        assert_eq!(ProxyMode::from_code("other"), None);
    }

    fn access(accounts: &[&str], default_account: Option<&str>) -> Access {
        Access {
            sign_in: SignIn::Password,
            user: Some("alice".into()),
            accounts: accounts.iter().map(|a| (*a).to_owned()).collect(),
            default_account: default_account.map(str::to_owned),
        }
    }

    fn choice(account: Option<&str>, unknown: Option<&str>) -> AccountChoice {
        AccountChoice {
            account: account.map(str::to_owned),
            unknown: unknown.map(str::to_owned),
        }
    }

    #[test]
    fn several_accounts_are_loaded_by_name() {
        let two = access(&["production", "test"], Some("production"));
        assert!(two.has_named_accounts());
        assert_eq!(two.choose_account(None), choice(Some("production"), None));
        assert_eq!(two.choose_account(Some("test")), choice(Some("test"), None));
        // A name the server does not list: the default, and the page says so.
        assert_eq!(
            two.choose_account(Some("staging")),
            choice(Some("production"), Some("staging"))
        );
        // No default, or one the user may not see: the first listed.
        let no_default = access(&["b", "a"], None);
        assert_eq!(no_default.choose_account(None), choice(Some("b"), None));
        let hidden_default = access(&["b", "a"], Some("production"));
        assert_eq!(hidden_default.choose_account(None), choice(Some("b"), None));
    }

    #[test]
    fn no_account_or_only_the_default_uses_the_plain_path() {
        for one in [
            access(&[], None),
            access(&["production"], Some("production")),
        ] {
            assert!(!one.has_named_accounts());
            assert_eq!(one.choose_account(None), choice(None, None));
            assert_eq!(one.choose_account(Some("test")), choice(None, Some("test")));
        }
        let default = access(&["production"], Some("production"));
        assert_eq!(
            default.choose_account(Some("production")),
            choice(None, None)
        );
    }

    #[test]
    fn one_account_that_is_not_the_default_is_loaded_by_name() {
        // The server's default is hidden from this user: the plain path would refuse.
        let one = access(&["test"], None);
        assert!(!one.has_named_accounts());
        assert_eq!(one.choose_account(None), choice(Some("test"), None));
        assert_eq!(one.choose_account(Some("test")), choice(Some("test"), None));
        assert_eq!(
            one.choose_account(Some("production")),
            choice(Some("test"), Some("production"))
        );
    }

    #[test]
    fn only_a_password_server_without_a_user_asks_for_a_sign_in() {
        let mut status = ProxyStatus::Present {
            mode: ProxyMode::ServerSigned,
            upstream_host: DEFAULT_UPSTREAM_HOST.into(),
            access: Access {
                sign_in: SignIn::Password,
                ..Access::default()
            },
        };
        assert!(status.asks_sign_in());
        assert!(status.has_password_sign_in());
        status.set_user(Some("alice".into()));
        assert!(!status.asks_sign_in());
        status.set_user(None);
        assert!(status.asks_sign_in());
        let sso = Access {
            sign_in: SignIn::Proxy,
            ..Access::default()
        };
        assert!(!sso.asks_sign_in());
        assert!(!Access::default().asks_sign_in());
        assert!(!ProxyStatus::Checking.asks_sign_in());
        assert!(!ProxyStatus::Absent.has_password_sign_in());
        assert_eq!(SignIn::from_code("password"), Some(SignIn::Password));
        assert_eq!(SignIn::from_code("proxy"), Some(SignIn::Proxy));
        assert_eq!(SignIn::from_code("off"), Some(SignIn::Off));
        assert_eq!(SignIn::from_code("ldap"), None);
    }
}
