//! The access rules from the flags: the users file, the user header of a trusted front,
//! the refusal to serve an account's usage to a whole network, how long a sign-in lasts
//! and whether the session cookie is `Secure` (`--public-url`, `--secure-cookie`).

use std::time::Duration;

use axum::http::HeaderName;
use reqwest::Url;

use super::{config, warn_if_others_may_read, ProxyArgs};
use crate::access::users::Users;
use crate::access::{Access, TrustedHeader};
use crate::client::TrustedProxies;
use crate::errors::Result;

/// The access part of [`ProxyArgs::resolve`].
impl ProxyArgs {
    /// The access rules, and the refusal to serve an account's usage to a whole network.
    pub(super) fn access(&self, server_signed: bool) -> Result<Access> {
        let users = self
            .users_file
            .as_deref()
            .map(|path| {
                warn_if_others_may_read(path, "users file");
                Users::read(path)
            })
            .transpose()?;
        let proxies = TrustedProxies::parse(&self.trusted_proxies)?;
        // --trusted-proxy alone is a front that only names clients (X-Forwarded-For).
        let trusted = match (&self.trust_user_header, proxies.is_empty()) {
            (None, _) => None,
            (Some(header), true) => {
                return Err(config(format!(
                    "--trust-user-header {header} needs --trusted-proxy CIDR: the addresses of the proxy that sets it (from anywhere else the header is ignored)"
                )))
            }
            (Some(header), false) => Some(TrustedHeader {
                name: parse_user_header(header)?,
                proxies,
            }),
        };
        let loopback = self.listen.ip().is_loopback();
        let controlled = users.is_some() || trusted.is_some();
        // --demo serves synthetic data of no account: nothing to protect.
        if server_signed && !self.demo && !loopback && !controlled && !self.public {
            return Err(config(format!(
                "refusing to serve the account's usage on {} to anyone who can reach it. Give \
                 --users-file FILE (users sign in; make lines with `bec-usage-proxy add-user NAME`), \
                 or --trust-user-header NAME with --trusted-proxy CIDR (behind a single-sign-on \
                 proxy), or --public if everyone on that network may see it; or listen on \
                 127.0.0.1",
                self.listen
            )));
        }
        if !(1..=MAX_SESSION_HOURS).contains(&self.session_hours) {
            return Err(config(format!(
                "--session-hours {} is not between 1 and {MAX_SESSION_HOURS} (30 days); sign-ins last that many hours",
                self.session_hours
            )));
        }
        Ok(Access::new(
            users,
            trusted,
            Duration::from_secs(self.session_hours.saturating_mul(3600)),
            self.secure_cookie(loopback)?,
        ))
    }

    /// Whether the session cookie is `Secure` (and `__Host-`): an https `--public-url` or
    /// `--secure-cookie` say so; an http `--public-url` says not; without either, off
    /// loopback browsers are taken to reach the server through a TLS front.
    fn secure_cookie(&self, loopback: bool) -> Result<bool> {
        let Some(text) = &self.public_url else {
            return Ok(self.secure_cookie || !loopback);
        };
        let problem = || {
            config(format!(
                "--public-url {text:?} is not the URL browsers use to reach this server, such \
                 as https://usage.example.com (scheme, host and port; the server is served at \
                 the root of its origin)"
            ))
        };
        let url = Url::parse(text).map_err(|_| problem())?;
        if url.origin().ascii_serialization() != text.trim_end_matches('/') {
            return Err(problem());
        }
        match url.scheme() {
            "https" => Ok(true),
            "http" if self.secure_cookie => Err(config(format!(
                "--secure-cookie and --public-url {text} disagree: browsers do not send a \
                 Secure cookie over plain http; give an https URL, or leave --secure-cookie out"
            ))),
            "http" => Ok(false),
            _ => Err(problem()),
        }
    }
}

/// The longest sign-in: 30 days. A longer `--session-hours` is more likely a typo (hours
/// for minutes) than a wish.
pub const MAX_SESSION_HOURS: u64 = 30 * 24;

/// Checks the header a single-sign-on proxy names users in.
fn parse_user_header(text: &str) -> Result<HeaderName> {
    let name = HeaderName::try_from(text.trim())
        .map_err(|_| config(format!("--trust-user-header {text:?} is not a header name")))?;
    // BCE's Authorization carries relayed signatures, and cookies are the session's.
    if matches!(
        name.as_str(),
        "authorization" | "cookie" | "host" | "x-bce-date"
    ) {
        return Err(config(format!(
            "--trust-user-header cannot be {name}: that header means something else here"
        )));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use crate::config::test_support::{env_of, parse};
    use crate::config::{ENV_ACCESS_KEY_ID, ENV_SECRET_ACCESS_KEY};
    use crate::errors::ErrorKind;

    #[test]
    fn an_account_on_a_network_needs_access_control_or_public() {
        let keys = env_of(&[
            (ENV_ACCESS_KEY_ID, "my-access-key"),
            (ENV_SECRET_ACCESS_KEY, "very-secret-value"),
        ]);
        let error = parse(&["--listen", "0.0.0.0:8080"])
            .proxy
            .resolve(&keys)
            .expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::Config);
        for flag in [
            "--users-file",
            "--trust-user-header",
            "--trusted-proxy",
            "--public",
        ] {
            assert!(error.message().contains(flag), "{}", error.message());
        }
        // Loopback, --public, relay mode (pages hold the keys) and the demo's synthetic data.
        for args in [
            &["--listen", "127.0.0.1:8080"][..],
            &["--listen", "[::1]:8080"],
            &["--listen", "0.0.0.0:8080", "--public"],
            &["--listen", "0.0.0.0:8080", "--relay"],
            &["--listen", "0.0.0.0:8080", "--demo"],
            &[
                "--listen",
                "0.0.0.0:8080",
                "--trust-user-header",
                "X-Forwarded-User",
                "--trusted-proxy",
                "10.0.0.5",
            ],
        ] {
            let settings = parse(args).proxy.resolve(&keys).expect("allowed");
            let behind_sso = args.contains(&"--trust-user-header");
            assert_eq!(settings.access.is_required(), behind_sso, "{args:?}");
        }
        let users = tempfile::NamedTempFile::new().expect("file");
        let line =
            crate::access::users::user_line("alice", "pw", b"sixteen byte salt").expect("line");
        std::fs::write(users.path(), line).expect("write");
        let path = users.path().to_str().expect("utf-8");
        let settings = parse(&["--listen", "0.0.0.0:8080", "--users-file", path])
            .proxy
            .resolve(&keys)
            .expect("allowed");
        assert!(settings.access.has_password_sign_in());
        assert_eq!(
            settings.access.cookie_name(),
            crate::access::SECURE_COOKIE_NAME
        );
        assert!(
            !format!("{settings:?}").contains("argon2"),
            "no hash in Debug"
        );
    }

    #[test]
    fn the_user_header_needs_its_proxies_and_a_harmless_name() {
        for args in [
            &["--trust-user-header", "X-Forwarded-User"][..],
            &[
                "--trust-user-header",
                "Authorization",
                "--trusted-proxy",
                "10.0.0.5",
            ],
            &[
                "--trust-user-header",
                "bad header",
                "--trusted-proxy",
                "10.0.0.5",
            ],
            &[
                "--trust-user-header",
                "X-User",
                "--trusted-proxy",
                "10.0.0.0/33",
            ],
            &["--session-hours", "0"],
            &["--session-hours", "721"],
            &["--header-timeout-ms", "0"],
            &["--max-connections", "0"],
        ] {
            let error = parse(args)
                .proxy
                .resolve(&env_of(&[]))
                .expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::Config, "{args:?}");
        }
    }

    #[test]
    fn a_front_alone_names_clients_and_never_everyone() {
        // --trusted-proxy alone: a front whose X-Forwarded-For names clients, no user header.
        let settings = parse(&["--trusted-proxy", "127.0.0.1,10.0.0.0/24"])
            .proxy
            .resolve(&env_of(&[]))
            .expect("allowed");
        assert!(!settings.access.is_required());
        assert_eq!(settings.trusted_proxies.nets().len(), 2);
        for everything in ["0.0.0.0/0", "::/0", "10.0.0.5,0.0.0.0/0"] {
            for with_header in [false, true] {
                let mut args = vec!["--trusted-proxy", everything];
                if with_header {
                    args.extend(["--trust-user-header", "X-Forwarded-User"]);
                }
                let error = parse(&args)
                    .proxy
                    .resolve(&env_of(&[]))
                    .expect_err("refused");
                assert_eq!(error.kind(), ErrorKind::Config);
                assert!(
                    error.message().contains("covers every"),
                    "{}",
                    error.message()
                );
            }
        }
    }

    #[test]
    fn the_public_url_decides_the_cookie() {
        let cookie = |args: &[&str]| {
            parse(args)
                .proxy
                .resolve(&env_of(&[]))
                .map(|settings| settings.access.cookie_name())
        };
        let front = [
            "--trust-user-header",
            "X-Forwarded-User",
            "--trusted-proxy",
            "127.0.0.1",
        ];
        let with = |extra: &[&'static str]| {
            let mut args = front.to_vec();
            args.extend_from_slice(extra);
            args
        };
        // On loopback (a TLS front on the same host) the cookie is plain unless told.
        assert_eq!(cookie(&front).unwrap(), crate::access::LOOPBACK_COOKIE_NAME);
        for secure in [
            with(&["--public-url", "https://usage.example.com"]),
            with(&["--public-url", "https://usage.example.com:8443/"]),
            with(&["--secure-cookie"]),
        ] {
            assert_eq!(
                cookie(&secure).unwrap(),
                crate::access::SECURE_COOKIE_NAME,
                "{secure:?}"
            );
        }
        // Plain http said out loud: no Secure cookie, even off loopback.
        let plain = with(&[
            "--listen",
            "0.0.0.0:8080",
            "--public-url",
            "http://usage.lan",
        ]);
        assert_eq!(cookie(&plain).unwrap(), crate::access::LOOPBACK_COOKIE_NAME);
        for refused in [
            with(&["--public-url", "usage.example.com"]),
            with(&["--public-url", "https://usage.example.com/usage/"]),
            with(&["--public-url", "ftp://usage.example.com"]),
            with(&["--public-url", "http://usage.lan", "--secure-cookie"]),
        ] {
            let error = cookie(&refused).expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::Config, "{refused:?}");
            assert!(
                error.message().contains("--public-url"),
                "{}",
                error.message()
            );
        }
    }
}
