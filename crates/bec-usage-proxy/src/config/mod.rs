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
use crate::errors::{Error, ErrorKind, Result};
use crate::forward::RetryPolicy;
use crate::forward::{Upstream, UpstreamPolicy, DEFAULT_UPSTREAM};
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

    /// Folder of the built dashboard, served outside /v1/. When it does not exist only
    /// the API and /healthz are served.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "dist",
        env = "BEC_PROXY_DIST"
    )]
    pub dist: PathBuf,

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

    /// Address or network (CIDR) of the single-sign-on proxy; repeatable.
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "BEC_PROXY_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,

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
    /// The dashboard folder, if it exists.
    pub dist: Option<PathBuf>,
    /// The folder asked for, to name it in the log when it does not exist.
    pub dist_requested: PathBuf,
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
            dist: self.dist.is_dir().then(|| self.dist.clone()),
            dist_requested: self.dist.clone(),
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
        let users = self.users_file.as_deref().map(Users::read).transpose()?;
        let trusted = match (&self.trust_user_header, self.trusted_proxies.is_empty()) {
            (None, true) => None,
            (None, false) => {
                return Err(config(
                    "--trusted-proxy is given without --trust-user-header: name the header the single-sign-on proxy sets",
                ))
            }
            (Some(header), true) => {
                return Err(config(format!(
                    "--trust-user-header {header} needs --trusted-proxy CIDR: the addresses of the proxy that sets it (from anywhere else the header is ignored)"
                )))
            }
            (Some(header), false) => Some(TrustedHeader {
                name: parse_user_header(header)?,
                proxies: self
                    .trusted_proxies
                    .iter()
                    .map(|text| parse_cidr(text))
                    .collect::<Result<_>>()?,
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
        if self.session_hours == 0 {
            return Err(config("--session-hours must be at least 1"));
        }
        Ok(Access::new(
            users,
            trusted,
            Duration::from_secs(self.session_hours.saturating_mul(3600)),
            // Off loopback, browsers reach the server through HTTPS (a TLS front).
            !loopback,
        ))
    }
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

/// Checks an address or network: `10.0.0.5`, `10.0.0.0/24`, `::1`, `fd00::/8`.
fn parse_cidr(text: &str) -> Result<ipnet::IpNet> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            config(format!(
                "--trusted-proxy {text:?} is not an address or a network such as 10.0.0.0/24"
            ))
        })
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
            &["--trusted-proxy", "10.0.0.5"],
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
        ] {
            let error = parse(args)
                .proxy
                .resolve(&env_of(&[]))
                .expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::Config, "{args:?}");
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
    fn rate_limit_zero_turns_it_off() {
        let settings = parse(&["--rate-limit", "0"])
            .proxy
            .resolve(&env_of(&[]))
            .expect("valid");
        assert!(settings.rate_limit.is_none());
    }
}
