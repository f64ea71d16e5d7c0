//! The checked configuration: [`ProxyArgs::resolve`] turns the flags (and the environment's
//! keys) into [`ProxySettings`]: where to listen and the connection limits, the upstream and
//! its policy, the key pair and named accounts, CORS, the rate limit, the access rules
//! (`access.rs`), the metrics listener and token, the dashboard folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;
use bec_usage::signing::Credentials;
use reqwest::Url;

use super::{accounts, config, keys_from, read_keys_file, FaultArgs, ProxyArgs};
use crate::access::Access;
use crate::accounts::{Account, Accounts};
use crate::client::TrustedProxies;
use crate::connections::ConnectionLimits;
use crate::errors::Result;
use crate::forward::RetryPolicy;
use crate::forward::{Upstream, UpstreamPolicy};
use crate::metrics_token::MetricsToken;
use crate::ratelimit::RateLimit;
use crate::standin::{demo_credentials, Faults};

/// The name of the account of the environment's (or the key file's) key pair when there
/// are named accounts too.
pub const DEFAULT_ACCOUNT: &str = "default";

/// The longest `--settle-days`: a year.
pub const MAX_SETTLE_DAYS: u32 = 366;

/// Where the history store is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// `--store none`: nothing is kept; sessions end with the process.
    Off,
    /// The store file.
    File {
        /// Its path.
        path: PathBuf,
        /// Whether `--store` (or its config key or variable) named it: then a file that
        /// cannot be opened stops the start; the default place is only tried.
        explicit: bool,
    },
}

/// Where the proxy forwards to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamChoice {
    /// The stand-in started in this process (`--demo`).
    Demo,
    /// A fixed origin.
    Origin(Upstream),
}

/// The proxy's checked configuration.
#[derive(Debug, Clone)]
pub struct ProxySettings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The dashboard folder, checked (a folder with a readable `index.html`), if any.
    pub dist: Option<PathBuf>,
    /// The folder asked for (or `dist`, looked for when none was), to name it in the log
    /// when it is not served.
    pub dist_requested: PathBuf,
    /// Timeouts and the connection limit of the listeners.
    pub connections: ConnectionLimits,
    /// Where to forward.
    pub upstream: UpstreamChoice,
    /// The key pair in server-signed mode; `None` in relay mode. `Debug` redacts the
    /// secret.
    pub credentials: Option<Credentials>,
    /// Allowed CORS origins; empty: CORS off.
    pub cors_origins: Vec<HeaderValue>,
    /// The per-client limit; `None`: off.
    pub rate_limit: Option<RateLimit>,
    /// Timeouts, size cap, retries.
    pub policy: UpstreamPolicy,
    /// Faults of the in-process stand-in.
    pub demo_faults: Faults,
    /// Who may read data.
    pub access: Arc<Access>,
    /// Named accounts (empty: one unnamed key pair, `credentials`).
    pub accounts: Accounts,
    /// The separate metrics listener (`--metrics-listen`), if any.
    pub metrics_listen: Option<SocketAddr>,
    /// The scrape token (`--metrics-token-file`), if any. `Debug` redacts it.
    pub metrics_token: Option<Arc<MetricsToken>>,
    /// The fronts whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: TrustedProxies,
    /// The history store (`--store`).
    pub store: StoreChoice,
    /// Days before today that are never stored (`--settle-days`).
    pub settle_days: u32,
}

impl ProxyArgs {
    /// Checks the flags and reads the keys; `env` looks up an environment variable (the
    /// process environment in `main`, a map in tests).
    pub fn resolve(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<ProxySettings> {
        let upstream = if self.demo {
            UpstreamChoice::Demo
        } else {
            UpstreamChoice::Origin(Upstream::parse(&self.upstream)?)
        };
        let credentials = if self.demo {
            (!self.relay).then(demo_credentials)
        } else {
            let keys = match &self.keys_file {
                Some(path) => read_keys_file(path)?,
                None => keys_from(env)?,
            };
            if self.relay {
                if keys.is_some() {
                    tracing::warn!("--relay given: the keys found are not used");
                }
                None
            } else {
                keys
            }
        };
        if self.rate_limit.is_nan() || self.rate_limit < 0.0 || self.rate_limit.is_infinite() {
            return Err(config(format!(
                "--rate-limit {} is not a number of requests per second (0 turns it off)",
                self.rate_limit
            )));
        }
        let rate_limit = (self.rate_limit > 0.0).then(|| RateLimit {
            per_second: self.rate_limit,
            burst: f64::from(self.rate_burst.max(1)),
        });
        let cors_origins = self
            .cors_origins
            .iter()
            .filter(|origin| !origin.is_empty())
            .map(|origin| parse_origin(origin))
            .collect::<Result<Vec<_>>>()?;
        if self.timeout_ms == 0 || self.connect_timeout_ms == 0 {
            return Err(config(
                "--timeout-ms and --connect-timeout-ms must be above 0",
            ));
        }
        if self.metrics_listen == Some(self.listen) {
            return Err(config(format!(
                "--metrics-listen {} is the proxy's own --listen; give another port, or \
                 leave it out: /metrics is served on --listen anyway",
                self.listen
            )));
        }
        // The demo's public key pair is no account of anyone's: it is not named "default".
        let unnamed = if self.demo { None } else { credentials.clone() };
        let accounts = self.accounts(unnamed)?;
        let access = self.access(credentials.is_some() || !accounts.is_empty())?;
        if accounts.all().iter().any(|account| account.users.is_some()) {
            if !access.is_required() {
                return Err(config(
                    "an account names its users, but nobody signs in here: give --users-file or --trust-user-header",
                ));
            }
            if let Some(users) = access.users() {
                for account in accounts.all() {
                    let unknown = account
                        .users
                        .iter()
                        .flatten()
                        .find(|user| !users.contains(user));
                    if let (Some(user), false) = (unknown, self.trust_user_header.is_some()) {
                        return Err(config(format!(
                            "the account {:?} names the user {user:?}, who is not in the users file",
                            account.name
                        )));
                    }
                }
            }
        }
        // With named accounts, the plain path reads the default one.
        let credentials = if accounts.is_empty() {
            credentials
        } else {
            accounts
                .default_name()
                .and_then(|name| accounts.all().iter().find(|a| a.name == name))
                .map(|account| account.credentials.clone())
        };
        Ok(ProxySettings {
            listen: self.listen,
            dist: check_dist(self.dist.as_deref())?,
            dist_requested: self
                .dist
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DIST)),
            connections: self.connection_limits()?,
            upstream,
            credentials,
            cors_origins,
            rate_limit,
            policy: UpstreamPolicy {
                connect_timeout: Duration::from_millis(self.connect_timeout_ms),
                total_timeout: Duration::from_millis(self.timeout_ms),
                max_response_bytes: self.max_response_bytes,
                retry: RetryPolicy {
                    retries: self.retries,
                    ..RetryPolicy::default()
                },
            },
            demo_faults: self.faults.to_faults()?,
            access: Arc::new(access),
            accounts,
            metrics_listen: self.metrics_listen,
            metrics_token: self
                .metrics_token_file
                .as_deref()
                .map(MetricsToken::read)
                .transpose()?
                .map(Arc::new),
            trusted_proxies: TrustedProxies::parse(&self.trusted_proxies)?,
            store: self.store_choice(env),
            settle_days: self.checked_settle_days()?,
        })
    }

    /// `--settle-days`, at most [`MAX_SETTLE_DAYS`].
    fn checked_settle_days(&self) -> Result<u32> {
        if self.settle_days > MAX_SETTLE_DAYS {
            return Err(config(format!(
                "--settle-days {} is more than a year ({MAX_SETTLE_DAYS}); BEC settles a day \
                 within a day or two (the default is 2)",
                self.settle_days
            )));
        }
        Ok(self.settle_days)
    }

    /// The store's place: `--store` (`none`: off), else the file
    /// [`bec_usage_store::DEFAULT_FILE_NAME`] in systemd's `STATE_DIRECTORY` (the first of
    /// its folders), else beside the config file, else in the working folder.
    fn store_choice(&self, env: &dyn Fn(&str) -> Option<String>) -> StoreChoice {
        let name = bec_usage_store::DEFAULT_FILE_NAME;
        if let Some(path) = &self.store {
            if path.as_os_str() == "none" {
                return StoreChoice::Off;
            }
            return StoreChoice::File {
                path: path.clone(),
                explicit: true,
            };
        }
        let state = env("STATE_DIRECTORY")
            .and_then(|dirs| dirs.split(':').next().map(str::to_owned))
            .filter(|dir| !dir.is_empty());
        let path = match (state, self.config.as_deref().and_then(Path::parent)) {
            (Some(dir), _) => PathBuf::from(dir).join(name),
            (None, Some(folder)) => folder.join(name),
            (None, None) => PathBuf::from(name),
        };
        StoreChoice::File {
            path,
            explicit: false,
        }
    }

    /// The named accounts: those of the accounts file (or the config file's tables), with
    /// the key pair of the environment or key file as "default".
    fn accounts(&self, unnamed: Option<Credentials>) -> Result<Accounts> {
        let Some(path) = &self.accounts_file else {
            if let Some(name) = &self.default_account {
                return Err(config(format!(
                    "--default-account {name} names an account, but there are none (give --accounts-file)"
                )));
            }
            return Ok(Accounts::default());
        };
        if self.relay {
            return Err(config(
                "--relay and accounts do not mix: in relay mode pages sign with their own keys",
            ));
        }
        let is_config_file = self.config.as_deref() == Some(path.as_path());
        let mut list = accounts::read_accounts(path, is_config_file)?;
        if list.is_empty() {
            return Err(config(format!("{} names no account", path.display())));
        }
        if let Some(credentials) = unnamed {
            if list.iter().any(|account| account.name == DEFAULT_ACCOUNT) {
                return Err(config(format!(
                    "there is a key pair in the environment (or --keys-file) and an account named {DEFAULT_ACCOUNT:?}; rename the account or drop the pair"
                )));
            }
            list.insert(
                0,
                Account {
                    name: DEFAULT_ACCOUNT.to_owned(),
                    credentials,
                    users: None,
                },
            );
        }
        let default = match &self.default_account {
            Some(name) if list.iter().any(|account| &account.name == name) => Some(name.clone()),
            Some(name) => {
                return Err(config(format!(
                    "--default-account {name:?} is not one of the accounts: {}",
                    list.iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
            None if list.iter().any(|account| account.name == DEFAULT_ACCOUNT) => {
                Some(DEFAULT_ACCOUNT.to_owned())
            }
            None if list.len() == 1 => Some(list[0].name.clone()),
            None => None,
        };
        Ok(Accounts::new(list, default))
    }

    /// The listeners' timeouts and connection limit.
    fn connection_limits(&self) -> Result<ConnectionLimits> {
        if self.header_timeout_ms == 0 || self.idle_timeout_ms == 0 || self.max_connections == 0 {
            return Err(config(
                "--header-timeout-ms, --idle-timeout-ms and --max-connections must be above 0",
            ));
        }
        Ok(ConnectionLimits {
            header_timeout: Duration::from_millis(self.header_timeout_ms),
            idle_timeout: Duration::from_millis(self.idle_timeout_ms),
            max_connections: self.max_connections,
        })
    }
}

impl FaultArgs {
    /// The switches, checked.
    pub fn to_faults(&self) -> Result<Faults> {
        for (name, rate) in [
            ("--fault-error-rate", self.fault_error_rate),
            ("--fault-truncate-rate", self.fault_truncate_rate),
            ("--fault-malformed-rate", self.fault_malformed_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(config(format!(
                    "{name} {rate} is not a fraction between 0 and 1"
                )));
            }
        }
        Ok(Faults {
            latency: Duration::from_millis(self.fault_latency_ms),
            error_rate: self.fault_error_rate,
            truncate_rate: self.fault_truncate_rate,
            malformed_rate: self.fault_malformed_rate,
        })
    }
}

/// The dashboard folder looked for when `--dist` is not given.
pub const DEFAULT_DIST: &str = "dist";

/// The dashboard folder: `dir` if given, which must be a folder with a readable
/// `index.html`; else [`DEFAULT_DIST`] if it is one, else none (the API only).
pub fn check_dist(dir: Option<&Path>) -> Result<Option<PathBuf>> {
    let Some(dir) = dir else {
        let default = Path::new(DEFAULT_DIST);
        return Ok(default
            .join("index.html")
            .is_file()
            .then(|| default.to_path_buf()));
    };
    let index = dir.join("index.html");
    let problem = match std::fs::File::open(&index) {
        Ok(_) if dir.is_dir() => return Ok(Some(dir.to_path_buf())),
        Ok(_) => "is not a folder".to_owned(),
        Err(_) if !dir.is_dir() => "is not a folder".to_owned(),
        Err(e) => format!("has no readable index.html ({e})"),
    };
    Err(config(format!(
        "--dist {} {problem}: build the dashboard into it (trunk build --release in web/, see \
         the README), or point --dist at the built folder; a relative dist in a config file is \
         relative to that file's folder. Leave --dist out to serve the API alone",
        dir.display()
    )))
}

/// Checks a CORS origin: `scheme://host[:port]`, nothing else (no `*`, no path).
pub fn parse_origin(text: &str) -> Result<HeaderValue> {
    let problem = || {
        config(format!(
            "the CORS origin {text:?} is not an origin such as https://dashboard.example.com \
             (scheme, host and port only; '*' is not allowed)"
        ))
    };
    let url = Url::parse(text).map_err(|_| problem())?;
    let origin = url.origin().ascii_serialization();
    if origin != text.trim_end_matches('/') || !matches!(url.scheme(), "http" | "https") {
        return Err(problem());
    }
    HeaderValue::from_str(&origin).map_err(|_| problem())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::config::test_support::{env_of, parse};
    use crate::config::{Cli, ENV_ACCESS_KEY_ID, ENV_SECRET_ACCESS_KEY};
    use crate::errors::ErrorKind;
    use crate::forward::DEFAULT_UPSTREAM;

    #[test]
    fn defaults() {
        let cli = parse(&[]);
        assert!(cli.command.is_none());
        let settings = cli.proxy.resolve(&env_of(&[])).expect("valid");
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert!(settings.credentials.is_none(), "no keys: relay mode");
        assert_eq!(
            settings.upstream,
            UpstreamChoice::Origin(Upstream::parse(DEFAULT_UPSTREAM).unwrap())
        );
        assert!(settings.cors_origins.is_empty());
        assert_eq!(settings.rate_limit.map(|l| l.per_second), Some(50.0));
    }

    #[test]
    fn keys_from_the_environment_and_redacted_debug() {
        let cli = parse(&[
            "--cors-origin",
            "http://localhost:5173",
            "--cors-origin",
            "https://a.example",
        ]);
        let env = env_of(&[
            (ENV_ACCESS_KEY_ID, "my-access-key"),
            (ENV_SECRET_ACCESS_KEY, "very-secret-value"),
        ]);
        let settings = cli.proxy.resolve(&env).expect("valid");
        assert!(settings.credentials.is_some());
        assert_eq!(settings.cors_origins.len(), 2);
        let debug = format!("{settings:?}");
        assert!(!debug.contains("very-secret-value"), "{debug}");
        let relay = parse(&["--relay"]).proxy.resolve(&env).expect("valid");
        assert!(relay.credentials.is_none());
        let half = env_of(&[(ENV_ACCESS_KEY_ID, "my-access-key")]);
        assert_eq!(
            parse(&[]).proxy.resolve(&half).unwrap_err().kind(),
            ErrorKind::Config
        );
    }

    #[test]
    fn demo_uses_the_demo_keys() {
        let env = env_of(&[
            (ENV_ACCESS_KEY_ID, "real"),
            (ENV_SECRET_ACCESS_KEY, "real-secret"),
        ]);
        let settings = parse(&["--demo"]).proxy.resolve(&env).expect("valid");
        assert_eq!(settings.upstream, UpstreamChoice::Demo);
        assert_eq!(
            settings
                .credentials
                .map(|c| c.access_key_id().to_owned())
                .as_deref(),
            Some(crate::standin::DEMO_ACCESS_KEY_ID)
        );
    }

    #[test]
    fn bad_values_are_refused() {
        for args in [
            &["--cors-origin", "*"][..],
            &["--cors-origin", "https://a.example/path"],
            &["--upstream", "https://bec.baidubce.com/v1"],
            &["--rate-limit=-1"],
            &["--timeout-ms", "0"],
            &["--fault-error-rate", "1.5"],
        ] {
            let error = parse(args)
                .proxy
                .resolve(&env_of(&[]))
                .expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::Config, "{args:?}");
        }
        assert!(Cli::try_parse_from(["bec-usage-proxy", "--listen", "nowhere"]).is_err());
    }

    #[test]
    fn the_metrics_listener() {
        assert!(parse(&[])
            .proxy
            .resolve(&env_of(&[]))
            .unwrap()
            .metrics_listen
            .is_none());
        let settings = parse(&["--metrics-listen", "127.0.0.1:9100"])
            .proxy
            .resolve(&env_of(&[]))
            .expect("valid");
        assert_eq!(
            settings.metrics_listen.map(|a| a.to_string()).as_deref(),
            Some("127.0.0.1:9100")
        );
        let same = parse(&["--metrics-listen", "127.0.0.1:8080"])
            .proxy
            .resolve(&env_of(&[]));
        assert_eq!(same.unwrap_err().kind(), ErrorKind::Config);
    }

    #[test]
    fn session_hours_up_to_30_days_and_the_connection_limits() {
        let settings = parse(&["--session-hours", "720", "--header-timeout-ms", "250"])
            .proxy
            .resolve(&env_of(&[]))
            .expect("valid");
        assert_eq!(
            settings.connections.header_timeout,
            Duration::from_millis(250)
        );
        assert_eq!(
            settings.connections.max_connections,
            crate::connections::DEFAULT_MAX_CONNECTIONS
        );
        let error = parse(&["--session-hours", "8760"])
            .proxy
            .resolve(&env_of(&[]))
            .unwrap_err();
        assert!(error.message().contains("720"), "{}", error.message());
    }

    #[test]
    fn the_dashboard_folder_needs_its_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let error = check_dist(Some(dir.path())).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config);
        assert!(
            error.message().contains("index.html"),
            "{}",
            error.message()
        );
        assert!(check_dist(Some(&dir.path().join("missing")))
            .unwrap_err()
            .message()
            .contains("is not a folder"));
        std::fs::write(dir.path().join("index.html"), "<!doctype html>").expect("write");
        assert_eq!(
            check_dist(Some(dir.path())).expect("valid").as_deref(),
            Some(dir.path())
        );
    }

    #[test]
    fn the_store_is_in_the_state_directory_beside_the_config_or_here() {
        let name = bec_usage_store::DEFAULT_FILE_NAME;
        let file = |path: &str, explicit| StoreChoice::File {
            path: PathBuf::from(path),
            explicit,
        };
        let resolve = |args: &[&str], env: &[(&str, &str)]| {
            let settings = parse(args).proxy.resolve(&env_of(env)).expect("valid");
            (settings.store, settings.settle_days)
        };
        assert_eq!(resolve(&[], &[]), (file(name, false), 2));
        assert_eq!(
            resolve(&[], &[("STATE_DIRECTORY", "/var/lib/bec:/other")]).0,
            file(&format!("/var/lib/bec/{name}"), false)
        );
        assert_eq!(
            resolve(&["--store", "/data/h.sqlite3", "--settle-days", "0"], &[]),
            (file("/data/h.sqlite3", true), 0)
        );
        assert_eq!(resolve(&["--store", "none"], &[]).0, StoreChoice::Off);
        let error = parse(&["--settle-days", "400"])
            .proxy
            .resolve(&env_of(&[]))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config);
    }

    #[test]
    fn rate_limit_zero_turns_it_off() {
        let settings = parse(&["--rate-limit", "0"])
            .proxy
            .resolve(&env_of(&[]))
            .expect("valid");
        assert!(settings.rate_limit.is_none());
    }
}
