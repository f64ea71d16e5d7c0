//! The command line: what can be typed (clap's [`Cli`], its subcommands and flags) and the
//! help texts. What the flags mean, checked, is in `settings.rs`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::forward::DEFAULT_UPSTREAM;

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

HISTORY STORE (docs/operator.md)
  Settled days (older than --settle-days) are kept per account in a SQLite file and
  answered from it; only missing days are asked of BEC. The file also keeps sign-in
  sessions (token hashes only) across restarts. Default: bec-usage-history.sqlite3 in
  $STATE_DIRECTORY (systemd), else beside the config file, else in the working folder.
  --store none turns it off. `backfill --account NAME --from D --to D` fills it ahead.

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
    /// Fill the history store with an account's settled days ahead of time, in 31-day
    /// requests; stored days are skipped, so a run that was stopped resumes where it
    /// stopped. Takes the server's flags and config file (for the keys, the upstream and
    /// the store), e.g. `backfill --config /etc/bec-usage-proxy/config.toml --account prod
    /// --from 2024-01-01 --to 2024-12-31`.
    Backfill(Box<BackfillArgs>),
}

/// The `backfill` subcommand's arguments.
#[derive(Debug, Clone, Args)]
pub struct BackfillArgs {
    /// The account whose days to fetch (default: the default account, as the plain
    /// /v1/usage/computing reads it; `default` for the one key pair of the environment).
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,
    /// The first day (YYYY-MM-DD, a Beijing date).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: String,
    /// The last day (YYYY-MM-DD); days after today minus --settle-days are left out.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: String,
    /// The server's settings.
    #[command(flatten)]
    pub proxy: ProxyArgs,
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

    /// The history store: a SQLite file of the settled days fetched, per account, and of
    /// the sign-in sessions; `none` turns it off. Default: bec-usage-history.sqlite3 in
    /// $STATE_DIRECTORY, else beside the config file, else in the working folder.
    #[arg(long, value_name = "PATH|none", env = "BEC_PROXY_STORE")]
    pub store: Option<PathBuf>,

    /// Days before today (in Beijing) that BEC may still change: they are fetched every
    /// time and never stored. Older days are kept once fetched.
    #[arg(
        long,
        value_name = "DAYS",
        default_value_t = 2,
        env = "BEC_PROXY_SETTLE_DAYS"
    )]
    pub settle_days: u32,

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_support::parse;

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
}
