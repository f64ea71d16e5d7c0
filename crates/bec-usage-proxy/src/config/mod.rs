//! Configuration: flags, environment and the config file (clap, [`mod@file`]), and the key
//! pair from the environment or a key file. Secrets never come from flags (they would show
//! in `ps`), and `Debug` of every type here redacts them.

pub mod accounts;
pub mod file;
pub mod print;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue};
use bec_usage::signing::Credentials;
use clap::{Args, Parser, Subcommand, ValueEnum};
use reqwest::Url;

use crate::access::users::Users;
use crate::access::{Access, TrustedHeader};
use crate::accounts::{Account, Accounts};
use crate::client::TrustedProxies;
use crate::connections::ConnectionLimits;
use crate::errors::{Error, ErrorKind, Result};
use crate::forward::RetryPolicy;
use crate::forward::{Upstream, UpstreamPolicy, DEFAULT_UPSTREAM};
use crate::metrics_token::MetricsToken;
use crate::ratelimit::RateLimit;
use crate::standin::{demo_credentials, Faults};

/// The name of the account of the environment's (or the key file's) key pair when there
/// are named accounts too.
pub const DEFAULT_ACCOUNT: &str = "default";

/// The environment variable holding the access key id.
pub const ENV_ACCESS_KEY_ID: &str = "BCE_ACCESS_KEY_ID";
/// The environment variable holding the secret access key.
pub const ENV_SECRET_ACCESS_KEY: &str = "BCE_SECRET_ACCESS_KEY";

const ABOUT: &str = "Serves the bec-usage dashboard and forwards its usage requests to Baidu \
AI Cloud BEC (GET /v1/usage/computing), signing them with keys held on the server or \
relaying signatures made in the page.";

const AFTER_HELP: &str = "\
MODES
  server-signed  BCE_ACCESS_KEY_ID and BCE_SECRET_ACCESS_KEY are set (or --keys-file is
                 given): the page sends only beginDate and endDate; the proxy signs.
  relay          no keys on the server (or --relay): the page signs with host = the
                 upstream host and sends Authorization and x-bce-date; the proxy checks
                 their form and forwards them.
  --demo         runs a BEC stand-in in this process and forwards to it, server-signed
                 with the public demo keys (demo-access-key-id / demo-secret-access-key).

KEYS (never as flags)
  BCE_ACCESS_KEY_ID, BCE_SECRET_ACCESS_KEY   the key pair, from the environment
  --keys-file FILE   lines BCE_ACCESS_KEY_ID=... and BCE_SECRET_ACCESS_KEY=...
                     (# comments and `export ` allowed); used instead of the environment

ACCESS (server-signed mode on an address other than loopback needs one of these)
  --users-file FILE            users sign in with a password (lines from `add-user NAME`)
  --trust-user-header NAME     a single-sign-on proxy in front names the user in header
    --trusted-proxy CIDR       NAME, believed only from these addresses
  --public                     no access control, on purpose

BEHIND A FRONT (nginx, Caddy, oauth2-proxy; docs/operator.md)
  --trusted-proxy CIDR   the front's address: its X-Forwarded-For names the client
  --public-url URL       https://... makes the session cookie Secure and __Host-

CONFIG FILE
  --config FILE   TOML with any of the long flags as keys (listen = \"0.0.0.0:8080\",
                  users-file = \"users\", cors-origin = [\"https://a.example\"]); flags and
                  environment variables override it. `print-config` shows the result.

LOGS
  RUST_LOG sets the level (default: info), e.g. RUST_LOG=warn for benchmarks.

The proxy forwards only GET /v1/usage/computing?beginDate=..&endDate=.. to its one
upstream and answers everything else under /v1/ with a BCE-style JSON error.";

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "bec-usage-proxy",
    version,
    about = ABOUT,
    after_long_help = AFTER_HELP,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Run the demo BEC stand-in alone instead of the proxy.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The proxy's options.
    #[command(flatten)]
    pub proxy: ProxyArgs,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Compact, env = "BEC_PROXY_LOG_FORMAT", global = true, help_heading = "Options")]
    pub log_format: LogFormat,
    /// Log lines that may wait for a slow log destination; further ones are dropped (and
    /// counted in /metrics) rather than hold the server up.
    #[arg(long, value_name = "N", default_value_t = crate::logging::DEFAULT_BUFFER_LINES, env = "BEC_PROXY_LOG_BUFFER_LINES", global = true, help_heading = "Options")]
    pub log_buffer_lines: usize,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the demo BEC stand-in alone on a port: it answers GET /v1/usage/computing
    /// signed with the demo keys, with synthetic data.
    Standin(StandinArgs),
    /// Print the line of a users file for a new user: NAME:argon2id-hash. The password is
    /// read without echo from the terminal, or as one line from standard input.
    AddUser(AddUserArgs),
    /// Print the effective configuration (flags > environment > config file > defaults)
    /// with secrets redacted, after every check the server makes at start-up; then exit.
    PrintConfig(Box<ProxyArgs>),
}

/// The `add-user` subcommand's arguments.
#[derive(Debug, Clone, Args)]
pub struct AddUserArgs {
    /// The user's name: letters, digits and . _ @ + - (at most 64).
    pub name: String,
    /// Accept a password shorter than 12 characters (for a test set-up, say).
    #[arg(long)]
    pub allow_short_password: bool,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One short line per event.
    Compact,
    /// One JSON object per event.
    Json,
}

/// The proxy's flags.
#[derive(Debug, Clone, Args)]
pub struct ProxyArgs {
    /// Address and port to listen on.
    #[arg(
        long,
        value_name = "ADDR:PORT",
        default_value = "127.0.0.1:8080",
        env = "BEC_PROXY_LISTEN"
    )]
    pub listen: SocketAddr,

    /// Folder of the built dashboard (with its index.html), served outside /v1/; the start
    /// fails if it is not one. Without it, `dist` in the working directory is served if it
    /// is one, else only the API and /healthz.
    #[arg(long, value_name = "DIR", env = "BEC_PROXY_DIST")]
    pub dist: Option<PathBuf>,

    /// The BEC origin to forward to, fixed for the process's life.
    #[arg(long, value_name = "URL", default_value = DEFAULT_UPSTREAM, env = "BEC_PROXY_UPSTREAM")]
    pub upstream: String,

    /// Run the demo BEC stand-in in this process and forward to it (server-signed with
    /// the public demo keys; with --relay, pages sign with them). --upstream is ignored.
    #[arg(long)]
    pub demo: bool,

    /// Relay mode even when keys are available: pages sign, the proxy forwards their
    /// Authorization and x-bce-date.
    #[arg(long)]
    pub relay: bool,

    /// File with the key pair (see KEYS below), used instead of the environment.
    #[arg(long, value_name = "FILE", env = "BCE_KEYS_FILE")]
    pub keys_file: Option<PathBuf>,

    /// Allow cross-origin requests from ORIGIN (e.g. http://localhost:5173); repeatable.
    /// Without it CORS is off: only same-origin pages can read answers.
    #[arg(
        long = "cors-origin",
        value_name = "ORIGIN",
        env = "BEC_PROXY_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// Requests per second one client (IP address, IPv6 /64) may sustain on /v1/; 0
    /// turns the limit off (e.g. for load tests).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 50.0,
        env = "BEC_PROXY_RATE_LIMIT"
    )]
    pub rate_limit: f64,

    /// Requests one client may send at once before the rate applies.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100,
        env = "BEC_PROXY_RATE_BURST"
    )]
    pub rate_burst: u32,

    /// Milliseconds to connect to the upstream (TCP and TLS).
    #[arg(long, value_name = "MS", default_value_t = 3000)]
    pub connect_timeout_ms: u64,

    /// Milliseconds for a whole upstream exchange, retries included; then 504
    /// UpstreamTimeout.
    #[arg(long, value_name = "MS", default_value_t = 15000)]
    pub timeout_ms: u64,

    /// Retries after connection errors and 5xx answers (with jittered exponential backoff).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub retries: u32,

    /// Largest upstream answer accepted, in bytes; larger ones give 502
    /// UpstreamResponseTooLarge.
    #[arg(long, value_name = "BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_response_bytes: u64,

    /// Milliseconds a client has to send a request's head (line and headers), from its first
    /// byte, or from opening the connection; then the connection is closed.
    #[arg(long, value_name = "MS", default_value_t = crate::connections::DEFAULT_HEADER_TIMEOUT_MS)]
    pub header_timeout_ms: u64,

    /// Milliseconds a kept-alive connection may wait for its next request.
    #[arg(long, value_name = "MS", default_value_t = crate::connections::DEFAULT_IDLE_TIMEOUT_MS)]
    pub idle_timeout_ms: u64,

    /// Connections open at once on each listener; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = crate::connections::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,

    /// TOML file with settings: the keys are these flags' long names (see CONFIG FILE).
    #[arg(long, value_name = "FILE", env = "BEC_PROXY_CONFIG")]
    pub config: Option<PathBuf>,

    /// Users who may sign in: lines NAME:HASH made by `bec-usage-proxy add-user NAME`.
    #[arg(long, value_name = "FILE", env = "BEC_PROXY_USERS_FILE")]
    pub users_file: Option<PathBuf>,

    /// Take the signed-in user from this request header (set by a single-sign-on proxy
    /// in front, e.g. X-Forwarded-User), only on connections from --trusted-proxy.
    #[arg(long, value_name = "HEADER", env = "BEC_PROXY_TRUST_USER_HEADER")]
    pub trust_user_header: Option<String>,

    /// Address or network (CIDR) of a front (reverse proxy) this server believes: its
    /// user header (--trust-user-header) and its X-Forwarded-For, which then names the
    /// client for the rate limit, the sign-in limits and the logs; repeatable. Never a
    /// range covering every address.
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "BEC_PROXY_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,

    /// The URL browsers use to reach this server, e.g. `https://usage.example.com`. With
    /// https the session cookie is Secure with the __Host- prefix (behind a TLS front on
    /// the same host too); with http it is neither.
    #[arg(long, value_name = "URL", env = "BEC_PROXY_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Make the session cookie Secure with the __Host- prefix even on loopback (browsers
    /// reach the server through a TLS front); the same as an https --public-url.
    #[arg(long, env = "BEC_PROXY_SECURE_COOKIE")]
    pub secure_cookie: bool,

    /// Named accounts (TOML [accounts.NAME] tables with a key pair or keys-file, and
    /// optionally users = [...]); read at /accounts/NAME/v1/usage/computing. The config
    /// file may hold the same tables.
    #[arg(long, value_name = "FILE", env = "BEC_PROXY_ACCOUNTS_FILE")]
    pub accounts_file: Option<PathBuf>,

    /// The account the plain /v1/usage/computing reads (default: the key pair of the
    /// environment or --keys-file, named "default"; or the only account).
    #[arg(long, value_name = "NAME", env = "BEC_PROXY_DEFAULT_ACCOUNT")]
    pub default_account: Option<String>,

    /// Hours a sign-in lasts.
    #[arg(
        long,
        value_name = "HOURS",
        default_value_t = 12,
        env = "BEC_PROXY_SESSION_HOURS"
    )]
    pub session_hours: u64,

    /// Serve the account's usage to anyone who can reach the server, on an address other
    /// than loopback, in server-signed mode (refused without it).
    #[arg(long, env = "BEC_PROXY_PUBLIC")]
    pub public: bool,

    /// Fault switches of the in-process stand-in (with --demo).
    #[command(flatten)]
    pub faults: FaultArgs,

    /// Also serve GET /metrics, and nothing else, on this address and port (for a
    /// Prometheus on a private network). /metrics stays on --listen too.
    #[arg(
        long,
        value_name = "ADDR:PORT",
        env = "BEC_PROXY_METRICS_LISTEN",
        help_heading = "Options"
    )]
    pub metrics_listen: Option<SocketAddr>,

    /// File holding the token Prometheus scrapes /metrics with (Authorization: Bearer
    /// TOKEN, its `credentials_file`); with it, /metrics answers nobody else, on both
    /// listeners.
    #[arg(
        long,
        value_name = "FILE",
        env = "BEC_PROXY_METRICS_TOKEN_FILE",
        help_heading = "Options"
    )]
    pub metrics_token_file: Option<PathBuf>,
}

/// The stand-in's flags.
#[derive(Debug, Clone, Args)]
pub struct StandinArgs {
    /// Address and port to listen on.
    #[arg(
        long,
        value_name = "ADDR:PORT",
        default_value = "127.0.0.1:8081",
        env = "BEC_STANDIN_LISTEN"
    )]
    pub listen: SocketAddr,
    /// Fault switches.
    #[command(flatten)]
    pub faults: FaultArgs,
}

/// Fault switches of the stand-in.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Stand-in faults")]
pub struct FaultArgs {
    /// Milliseconds added before every answer.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub fault_latency_ms: u64,
    /// Fraction (0..1) of requests answered 500 InternalError.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fault_error_rate: f64,
    /// Fraction (0..1) of data answers cut in half.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fault_truncate_rate: f64,
    /// Fraction (0..1) of data answers with an amount that is not a number.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fault_malformed_rate: f64,
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
        })
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

    /// The access rules, and the refusal to serve an account's usage to a whole network.
    fn access(&self, server_signed: bool) -> Result<Access> {
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

impl ProxyArgs {
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

/// The longest sign-in: 30 days. A longer `--session-hours` is more likely a typo (hours
/// for minutes) than a wish.
pub const MAX_SESSION_HOURS: u64 = 30 * 24;

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

fn config(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config, message)
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
    use super::*;
    use std::collections::HashMap;

    fn parse(args: &[&str]) -> Cli {
        let mut all = vec!["bec-usage-proxy"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).expect("arguments parse")
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

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
    fn the_standin_subcommand() {
        let cli = parse(&[
            "standin",
            "--listen",
            "127.0.0.1:9999",
            "--fault-error-rate",
            "0.5",
        ]);
        let Some(Command::Standin(args)) = cli.command else {
            panic!("standin subcommand expected");
        };
        assert_eq!(args.listen.port(), 9999);
        assert_eq!(args.faults.to_faults().expect("valid").error_rate, 0.5);
    }

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
    fn rate_limit_zero_turns_it_off() {
        let settings = parse(&["--rate-limit", "0"])
            .proxy
            .resolve(&env_of(&[]))
            .expect("valid");
        assert!(settings.rate_limit.is_none());
    }
}
