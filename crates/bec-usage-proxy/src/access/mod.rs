//! Access control: who may read usage data through this server.
//!
//! Two ways to be someone, either or both configured:
//! - **sign-in** with a user name and password from a users file ([`users`]): `POST
//!   /auth/login` checks the argon2id hash and starts a server-held session ([`sessions`])
//!   whose token travels in an `HttpOnly`, `SameSite=Strict` cookie; `POST /auth/logout`
//!   ends it;
//! - **a single-sign-on proxy in front** (oauth2-proxy and the like): the user named in a
//!   header, believed only from the trusted proxies' addresses.
//!
//! With either configured, data requests (`/v1/...`, `/accounts/...`) and the metrics need
//! a user; the dashboard's files, `/healthz` and the sign-in routes do not. BCE's
//! `Authorization` header is never looked at here: in relay mode it carries the page's
//! signature for BEC. Failed sign-ins are limited per address and per user name
//! ([`LoginThrottle`]).

pub mod http;
pub mod sessions;
pub mod users;

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use cookie::{Cookie, SameSite};

use crate::client::TrustedProxies;
use crate::errors::{Error, ErrorKind, Result};
use crate::ratelimit::{client_key, RateLimit, RateLimiter};
use sessions::Sessions;
use users::Users;

/// The session cookie's name over HTTPS: the `__Host-` prefix makes browsers refuse it
/// unless it is `Secure`, for this host only, on every path.
pub const SECURE_COOKIE_NAME: &str = "__Host-bec_session";
/// The session cookie's name over plain HTTP on loopback (where `Secure` cannot be set).
pub const LOOPBACK_COOKIE_NAME: &str = "bec_session";

/// Failed sign-ins allowed from one address at once, then one more every
/// [`ADDRESS_REFILL`].
pub const ADDRESS_FAILURES: f64 = 10.0;
/// See [`ADDRESS_FAILURES`].
pub const ADDRESS_REFILL: Duration = Duration::from_secs(10);
/// Failed sign-ins allowed for one user name at once, then one more every
/// [`USER_REFILL`].
pub const USER_FAILURES: f64 = 5.0;
/// See [`USER_FAILURES`].
pub const USER_REFILL: Duration = Duration::from_secs(60);

/// Users named by a header of a trusted proxy.
#[derive(Debug, Clone)]
pub struct TrustedHeader {
    /// The header, e.g. `x-forwarded-user`.
    pub name: HeaderName,
    /// The proxies' addresses (`--trusted-proxy`).
    pub proxies: TrustedProxies,
}

/// Who a request is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Access control is off: anyone who reaches the server.
    Anyone,
    /// A user, signed in or named by a trusted proxy.
    User(String),
}

/// Failed sign-ins per address and per user name.
#[derive(Debug)]
pub struct LoginThrottle {
    addresses: RateLimiter<IpAddr>,
    names: RateLimiter<String>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        let limit = |failures: f64, refill: Duration| RateLimit {
            per_second: 1.0 / refill.as_secs_f64(),
            burst: failures,
        };
        LoginThrottle {
            addresses: RateLimiter::new(limit(ADDRESS_FAILURES, ADDRESS_REFILL)),
            names: RateLimiter::new(limit(USER_FAILURES, USER_REFILL)),
        }
    }
}

impl LoginThrottle {
    /// Whether another attempt from `client` for `name` may be checked at `now`; `Err`
    /// holds the wait.
    pub fn check(&self, client: IpAddr, name: &str, now: Instant) -> Result<(), Duration> {
        self.addresses.peek(&client_key(client), now)?;
        self.names.peek(&name_key(name), now)
    }

    /// Counts a failed attempt.
    pub fn failed(&self, client: IpAddr, name: &str, now: Instant) {
        // An empty bucket only means the next check refuses.
        let _ = self.addresses.take(client_key(client), now);
        let _ = self.names.take(name_key(name), now);
    }
}

/// User names are keyed by at most 64 characters, so long made-up names cost no memory.
fn name_key(name: &str) -> String {
    name.chars().take(users::MAX_NAME_CHARS).collect()
}

/// The access rules of a server.
pub struct Access {
    users: Option<Users>,
    trusted: Option<TrustedHeader>,
    sessions: Sessions,
    /// Shared with the access rules a reload replaces these with ([`Access::continuing`]).
    throttle: Arc<LoginThrottle>,
    secure_cookie: bool,
}

impl fmt::Debug for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Access")
            .field("users", &self.users)
            .field("trusted", &self.trusted)
            .field("sessions", &self.sessions.count())
            .field("secure_cookie", &self.secure_cookie)
            .finish()
    }
}

impl Access {
    /// Access rules: `users` may sign in, `trusted` proxies may name users; with neither,
    /// access control is off. Cookies are `Secure` when `secure_cookie` (the server is not
    /// on a loopback address, so browsers reach it through HTTPS).
    pub fn new(
        users: Option<Users>,
        trusted: Option<TrustedHeader>,
        session_lifetime: Duration,
        secure_cookie: bool,
    ) -> Self {
        Access {
            users,
            trusted,
            sessions: Sessions::new(session_lifetime),
            throttle: Arc::new(LoginThrottle::default()),
            secure_cookie,
        }
    }

    /// These rules with the sessions and failed sign-in counts of `previous` (the rules in
    /// use before a reload): who was signed in stays signed in, as long as a users file
    /// still names them, and the limits carry on.
    pub fn continuing(mut self, previous: &Access) -> Access {
        self.sessions = previous.sessions.sharing(self.sessions.lifetime());
        self.throttle = Arc::clone(&previous.throttle);
        self
    }

    /// No access control: anyone who reaches the server reads the data.
    pub fn open() -> Self {
        Access::new(None, None, Duration::from_secs(3600), false)
    }

    /// Whether requests for data need a user.
    pub fn is_required(&self) -> bool {
        self.users.is_some() || self.trusted.is_some()
    }

    /// Whether users sign in with a password here.
    pub fn has_password_sign_in(&self) -> bool {
        self.users.is_some()
    }

    /// The users who sign in with a password, if any.
    pub fn users(&self) -> Option<&Users> {
        self.users.as_ref()
    }

    /// The sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// The failed sign-in limits.
    pub fn throttle(&self) -> &LoginThrottle {
        &self.throttle
    }

    /// The session cookie's name.
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookie {
            SECURE_COOKIE_NAME
        } else {
            LOOPBACK_COOKIE_NAME
        }
    }

    /// Who sent a request with `headers` from `peer` at `now`, without refusing: `None`
    /// when access control is on and nobody is signed in. `peer` is the connection's
    /// address, not the client a front names in `X-Forwarded-For`: the user header is
    /// believed only from the front itself.
    pub fn identity(&self, headers: &HeaderMap, peer: IpAddr, now: Instant) -> Option<Identity> {
        if !self.is_required() {
            return Some(Identity::Anyone);
        }
        if let Some(user) = self.trusted_user(headers, peer) {
            return Some(Identity::User(user));
        }
        let value = self.session_cookie(headers)?;
        let user = self.sessions.user_of(&value, now)?;
        // A user taken out of the users file (and the file reloaded) is signed out.
        match &self.users {
            Some(users) if !users.contains(&user) => None,
            _ => Some(Identity::User(user)),
        }
    }

    /// Like [`Access::identity`], refusing with `SignInRequired`.
    pub fn require(&self, headers: &HeaderMap, peer: IpAddr, now: Instant) -> Result<Identity> {
        self.identity(headers, peer, now).ok_or_else(|| {
            let how = match (self.users.is_some(), &self.trusted) {
                (true, _) => "sign in first (POST /auth/login, or the dashboard's sign-in)",
                (false, Some(_)) => "come through the single-sign-on proxy in front of this server",
                (false, None) => "sign in first",
            };
            Error::new(
                ErrorKind::SignInRequired,
                format!("this server shows usage to its users only: {how}"),
            )
        })
    }

    /// The user named by the trusted header, if the request comes from a trusted proxy.
    fn trusted_user(&self, headers: &HeaderMap, peer: IpAddr) -> Option<String> {
        let trusted = self.trusted.as_ref()?;
        if !trusted.proxies.contains(peer) {
            return None;
        }
        let mut values = headers.get_all(&trusted.name).iter();
        let value = values.next()?.to_str().ok()?.trim();
        // Two values would be one from the client passed along by the proxy: believe neither.
        if values.next().is_some() || users::check_name(value).is_err() {
            return None;
        }
        Some(value.to_owned())
    }

    /// The session cookie's value in `headers`, if there is exactly one.
    pub fn session_cookie(&self, headers: &HeaderMap) -> Option<String> {
        let name = self.cookie_name();
        let mut found = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(std::result::Result::ok)
            .filter(|cookie| cookie.name() == name)
            .map(|cookie| cookie.value().to_owned());
        let value = found.next()?;
        found.next().is_none().then_some(value)
    }

    /// `Set-Cookie` starting a session with cookie value `value`.
    pub fn session_set_cookie(&self, value: &str) -> Option<HeaderValue> {
        let max_age = cookie::time::Duration::seconds(
            i64::try_from(self.sessions.lifetime().as_secs()).unwrap_or(i64::MAX),
        );
        let cookie = Cookie::build((self.cookie_name(), value.to_owned()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure_cookie)
            .max_age(max_age)
            .build();
        HeaderValue::from_str(&cookie.to_string()).ok()
    }

    /// `Set-Cookie` ending the session cookie.
    pub fn session_clear_cookie(&self) -> Option<HeaderValue> {
        let cookie = Cookie::build((self.cookie_name(), ""))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure_cookie)
            .max_age(cookie::time::Duration::ZERO)
            .build();
        HeaderValue::from_str(&cookie.to_string()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Users {
        let line = users::user_line("alice", "pw", b"sixteen byte salt").expect("line");
        Users::parse(&line, "test").expect("users")
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    const PEER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 7));

    #[test]
    fn open_access_lets_anyone_in() {
        let access = Access::open();
        assert!(!access.is_required());
        assert_eq!(
            access.require(&HeaderMap::new(), PEER, Instant::now()),
            Ok(Identity::Anyone)
        );
    }

    #[test]
    fn a_session_cookie_names_its_user_and_nothing_else_does() {
        let access = Access::new(Some(users()), None, Duration::from_secs(60), false);
        let now = Instant::now();
        let refused = access
            .require(&HeaderMap::new(), PEER, now)
            .expect_err("no cookie");
        assert_eq!(refused.kind(), ErrorKind::SignInRequired);
        let value = access.sessions().start("alice", [3; 32], now);
        let set = access.session_set_cookie(&value).expect("header");
        let set = set.to_str().unwrap();
        for part in [
            "bec_session=",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/",
            "Max-Age=60",
        ] {
            assert!(set.contains(part), "{set}");
        }
        assert!(!set.contains("Secure"), "{set}");
        let cookie = format!("theme=dark; bec_session={value}");
        assert_eq!(
            access.require(&headers(&[("cookie", &cookie)]), PEER, now),
            Ok(Identity::User("alice".into()))
        );
        // Two session cookies (one planted by someone else): neither is believed.
        let two = format!("bec_session={value}; bec_session={value}");
        assert!(access
            .require(&headers(&[("cookie", &two)]), PEER, now)
            .is_err());
        // BCE's Authorization header is never a way in.
        let auth = headers(&[(
            "authorization",
            "bce-auth-v1/ak/2024-01-01T00:00:00Z/1800//x",
        )]);
        assert!(access.require(&auth, PEER, now).is_err());
    }

    #[test]
    fn secure_cookies_use_the_host_prefix() {
        let access = Access::new(Some(users()), None, Duration::from_secs(60), true);
        let set = access.session_set_cookie("v").expect("header");
        let set = set.to_str().unwrap();
        assert!(set.starts_with("__Host-bec_session=v"), "{set}");
        assert!(set.contains("Secure"), "{set}");
        let clear = access.session_clear_cookie().expect("header");
        assert!(clear.to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn the_user_header_counts_only_from_trusted_proxies() {
        let trusted = TrustedHeader {
            name: HeaderName::from_static("x-forwarded-user"),
            proxies: TrustedProxies::parse(&["10.0.0.0/24", "::1/128"]).unwrap(),
        };
        let access = Access::new(None, Some(trusted), Duration::from_secs(60), true);
        let now = Instant::now();
        let named = headers(&[("x-forwarded-user", "carol@example.com")]);
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        assert_eq!(
            access.require(&named, proxy, now),
            Ok(Identity::User("carol@example.com".into()))
        );
        assert_eq!(
            access.require(&named, "::ffff:10.0.0.9".parse().unwrap(), now),
            Ok(Identity::User("carol@example.com".into()))
        );
        assert!(
            access.require(&named, PEER, now).is_err(),
            "untrusted address"
        );
        let twice = headers(&[("x-forwarded-user", "carol"), ("x-forwarded-user", "root")]);
        assert!(access.require(&twice, proxy, now).is_err());
        let odd = headers(&[("x-forwarded-user", "carol\tadmin")]);
        assert!(access.require(&odd, proxy, now).is_err());
    }

    #[test]
    fn failed_sign_ins_are_limited_per_address_and_per_name() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..USER_FAILURES as usize {
            assert!(throttle.check(PEER, "alice", now).is_ok());
            throttle.failed(PEER, "alice", now);
        }
        assert!(throttle.check(PEER, "alice", now).is_err(), "the name");
        let elsewhere: IpAddr = "198.51.100.1".parse().unwrap();
        assert!(
            throttle.check(elsewhere, "alice", now).is_err(),
            "from anywhere"
        );
        assert!(throttle.check(elsewhere, "bob", now).is_ok());
        for n in 0..5 {
            throttle.failed(PEER, &format!("user{n}"), now);
        }
        assert!(
            throttle.check(PEER, "someone-new", now).is_err(),
            "the address"
        );
        assert!(throttle.check(PEER, "alice", now + USER_REFILL * 2).is_ok());
    }
}
