//! The command line: `bec-usage fetch`, `bec-usage sign`, `bec-usage completions`, with
//! their help (examples included) and every environment variable they read.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::keys::{ENV_ACCESS_KEY_ID, ENV_KEYS_FILE, ENV_SECRET_ACCESS_KEY};

/// BEC usage on the command line: fetch any range (in 31-day requests) as JSON, CSV or a
/// table, and show how a BCE signature is made.
#[derive(Debug, Parser)]
#[command(
    name = "bec-usage",
    version,
    after_help = concat!(
        "EXAMPLES:\n",
        "  export BCE_ACCESS_KEY_ID=... BCE_SECRET_ACCESS_KEY=...\n",
        "  bec-usage fetch --from 2024-01-01 --to 2024-03-31 --format csv --output q1.csv\n",
        "  bec-usage fetch --from today-7 --to yesterday --format table\n",
        "  bec-usage sign 'https://bec.baidubce.com/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-31'\n",
        "  bec-usage completions bash > ~/.local/share/bash-completion/completions/bec-usage\n\n",
        "EXIT CODES:\n",
        "  0  done\n",
        "  1  the output could not be written (nothing half-written is left)\n",
        "  2  bad input: a flag, a date, a key, a file, a range longer than 366 days\n",
        "  3  the service answered a BCE error (its code and requestId are on stderr)\n",
        "  4  the service could not be reached or gave no usable answer (after retries)"
    )
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch usage for a range of days, from BEC, a bec-usage server or the stand-in.
    #[command(
        long_about = "Fetch usage for a range of days (at most 366, asked for in requests of at \
                      most 31 days) from BEC, a bec-usage server or the demo stand-in, and write \
                      it as JSON, CSV or a table, to stdout or --output FILE. Amounts are exact \
                      decimals, as the service wrote them.",
        after_help = concat!(
            "KEYS (first found wins; never from flags, which would show in ps):\n",
            "  --accounts-file FILE --account NAME   the server's accounts (or config) file\n",
            "  --keys-file FILE, BCE_KEYS_FILE        lines BCE_ACCESS_KEY_ID=... and BCE_SECRET_ACCESS_KEY=...\n",
            "  BCE_ACCESS_KEY_ID, BCE_SECRET_ACCESS_KEY   in the environment\n",
            "  With no keys (or --unsigned) requests go unsigned, to a bec-usage server that holds\n",
            "  the keys; sign in there with --user NAME (password from BEC_USAGE_PASSWORD, else a\n",
            "  prompt), a session cookie in BEC_USAGE_SESSION ('bec_session=...'), or, behind its\n",
            "  front (--trust-user-header), the header the front would set: --header 'X-Forwarded-User: alice'.\n\n",
            "EXAMPLES:\n",
            "  # BEC itself, keys from the environment, a quarter as CSV\n",
            "  bec-usage fetch --from 2024-01-01 --to 2024-03-31 --format csv --output q1.csv\n",
            "  # one account of the server's accounts file, last week as a table\n",
            "  bec-usage fetch --accounts-file team.toml --account production --from today-7 --to yesterday --format table\n",
            "  # through a bec-usage server that signs (its account \"test\"), signed in as alice\n",
            "  BEC_USAGE_PASSWORD=... bec-usage fetch --endpoint https://usage.example.com --user alice --account test --from 2024-01-01 --to 2024-01-31\n",
            "  # a year through the history store: only the days it lacks are fetched, and kept\n",
            "  bec-usage fetch --store history.sqlite3 --from 2024-01-01 --to 2024-12-31 --format csv --output 2024.csv\n",
            "  # the demo stand-in (bec-usage-proxy standin --listen 127.0.0.1:8081), its public demo keys\n",
            "  BCE_ACCESS_KEY_ID=demo-access-key-id BCE_SECRET_ACCESS_KEY=demo-secret-access-key \\\n",
            "    bec-usage fetch --endpoint http://127.0.0.1:8081 --from 2024-01-01 --to 2024-12-31 --format daily-csv\n\n",
            "EXIT CODES:\n",
            "  0  done\n",
            "  1  the output could not be written (nothing half-written is left)\n",
            "  2  bad input: a flag, a date, a key, a file, a range longer than 366 days\n",
            "  3  the service answered a BCE error (its code and requestId are on stderr)\n",
            "  4  the service could not be reached or gave no usable answer (after retries)"
        )
    )]
    Fetch(FetchArgs),
    /// Print the Authorization header and the canonical request of a BCE v1 signature.
    #[command(
        long_about = "Sign a request as BCE authentication v1 and print the Authorization \
                      header, the x-bce-date header and what was signed (the canonical \
                      request, the auth string prefix), for debugging a signature. The \
                      secret access key is never printed, nor the signing key derived from it.",
        after_help = concat!(
            "EXAMPLES:\n",
            "  # Baidu's worked example (BOS), which the official SDKs reproduce\n",
            "  BCE_ACCESS_KEY_ID=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa BCE_SECRET_ACCESS_KEY=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb \\\n",
            "    bec-usage sign --method PUT --time 2015-04-27T08:23:49Z \\\n",
            "      --header 'Content-Type: text/plain' --header 'Content-Length: 8' \\\n",
            "      --header 'Content-Md5: NFzcPqhviddjRNnSOGo4rw==' --header 'Date: Mon, 27 Apr 2015 16:23:49 +0800' \\\n",
            "      'http://bj.bcebos.com/v1/test/myfolder/readme.txt?partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851'\n",
            "  # the usage request, now, signing only host and x-bce-date as the dashboard does\n",
            "  bec-usage sign --signed-headers 'host;x-bce-date' \\\n",
            "    'https://bec.baidubce.com/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-31'\n\n",
            "EXIT CODES:\n",
            "  0  done\n",
            "  2  bad input: the URL, a header, the time, the keys"
        )
    )]
    Sign(SignArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "EXAMPLES:\n  \
        bec-usage completions bash > ~/.local/share/bash-completion/completions/bec-usage\n  \
        bec-usage completions zsh > ~/.zfunc/_bec-usage\n  \
        bec-usage completions fish > ~/.config/fish/completions/bec-usage.fish")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Where the keys come from (shared by `fetch` and `sign`).
#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// The server's accounts file, or its config file with [accounts.NAME] tables: sign
    /// with the keys of --account NAME (or of its only account).
    #[arg(long, value_name = "FILE", env = "BEC_USAGE_ACCOUNTS_FILE")]
    pub accounts_file: Option<PathBuf>,
    /// A key file: lines BCE_ACCESS_KEY_ID=... and BCE_SECRET_ACCESS_KEY=...
    #[arg(long, value_name = "FILE", env = ENV_KEYS_FILE)]
    pub keys_file: Option<PathBuf>,
    /// With --accounts-file: the account whose keys sign. Without it (fetch only): the
    /// account of a bec-usage server to read (its path /accounts/NAME/v1/usage/computing).
    #[arg(long, value_name = "NAME", env = "BEC_USAGE_ACCOUNT")]
    pub account: Option<String>,
}

/// The formats of `fetch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The service's JSON (timeSpan, graphData, summary), one document for the whole range.
    Json,
    /// Every point: resource,unit,timestamp,amount (the npm package's toCsv).
    Csv,
    /// Daily averages: date,resource,unit,average,points,unit_hours (and cost,currency with
    /// --price-sheet).
    DailyCsv,
    /// Resource-hours per day: date,resource,unit,unit_hours,covered_ms.
    HoursCsv,
    /// Per resource: points, min, mean, max, last and unit-hours, aligned, for people.
    Table,
}

/// `bec-usage fetch`.
#[derive(Debug, Clone, Args)]
pub struct FetchArgs {
    /// The first day: YYYY-MM-DD, today, yesterday or today-N (days in --utc-offset).
    #[arg(long, value_name = "DATE")]
    pub from: String,
    /// The last day, included (at most 366 days after --from, counted inclusively).
    #[arg(long, value_name = "DATE")]
    pub to: String,
    /// What to write.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write to FILE (through a temporary file beside it, renamed when complete: a failed
    /// run leaves no file) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// BEC, a bec-usage server, or the stand-in: an http(s) origin, optionally with a path
    /// prefix.
    #[arg(
        long,
        value_name = "URL",
        env = "BEC_USAGE_ENDPOINT",
        default_value = bec_usage::service::SERVICE_ENDPOINT
    )]
    pub endpoint: String,
    /// The host the signature covers: the host the request finally reaches. Default: the
    /// endpoint's host (give bec.baidubce.com for a bec-usage server in relay mode).
    #[arg(long, value_name = "HOST")]
    pub sign_host: Option<String>,
    /// Send no signature even if keys are found (a bec-usage server that signs itself).
    #[arg(long)]
    pub unsigned: bool,
    /// Sign in to a bec-usage server as USER (password from BEC_USAGE_PASSWORD, else a
    /// prompt on the terminal); the session ends when the fetch does.
    #[arg(long, value_name = "USER", env = "BEC_USAGE_USER")]
    pub user: Option<String>,
    /// An extra request header, 'Name: value' (repeatable): the user header of a server
    /// behind a front with --trust-user-header, e.g. 'X-Forwarded-User: alice'.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// The UTC offset whose calendar days the daily formats, the table and today use.
    #[arg(
        long,
        value_name = "OFFSET",
        default_value = "+08:00",
        allow_hyphen_values = true
    )]
    pub utc_offset: String,
    /// A price sheet (JSON, see docs/core.md): daily-csv gains cost and currency columns.
    #[arg(long, value_name = "FILE")]
    pub price_sheet: Option<PathBuf>,
    /// Decimals of the table's mean and unit-hours (rounded half away from zero, in decimal
    /// arithmetic), or `all` for every digit. Other formats always keep every digit.
    #[arg(long, value_name = "N|all", default_value = "3")]
    pub decimals: String,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub concurrency: u32,
    /// Retries of a request after a connection error, a 5xx or a broken answer.
    #[arg(long, value_name = "N", default_value_t = bec_usage::fetch_plan::RetryPolicy::default().retries)]
    pub retries: u32,
    /// Time for one attempt (connecting, sending, reading the whole answer).
    #[arg(long, value_name = "MS", default_value_t = 60_000)]
    pub timeout_ms: u64,
    /// Time to connect (TCP and TLS).
    #[arg(long, value_name = "MS", default_value_t = 5_000)]
    pub connect_timeout_ms: u64,
    /// The history store (the server's SQLite file, or a new one): settled days are read
    /// from it, only missing days are fetched, and the settled days fetched are kept.
    /// Days are kept as the server keeps them: under the account's name (--account NAME,
    /// else "default") and its access key id.
    #[arg(long, value_name = "PATH", env = "BEC_USAGE_STORE")]
    pub store: Option<PathBuf>,
    /// With --store: days after today (Beijing) minus N may still change at the service,
    /// and are fetched every time and never kept (the server's default).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=366))]
    pub settle_days: u32,
    /// No progress bar (it is shown only when stderr is a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
    /// Where the keys come from.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// `bec-usage sign`.
#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// The request's URL as it will be sent: scheme, host (and port), path and query.
    #[arg(value_name = "URL")]
    pub url: String,
    /// The method.
    #[arg(long, short = 'X', default_value = "GET")]
    pub method: String,
    /// A header the request will carry, 'Name: value' (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// The signing time, UTC (YYYY-MM-DDThh:mm:ssZ); default: now.
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
    /// Seconds the signature stays valid.
    #[arg(long, value_name = "SECONDS", default_value_t = bec_usage::signing::DEFAULT_EXPIRATION_SECONDS)]
    pub expiration: u32,
    /// Sign exactly these headers ('host;x-bce-date'); default: host, content-md5,
    /// content-length, content-type and every x-bce-* header.
    #[arg(long, value_name = "NAMES")]
    pub signed_headers: Option<String>,
    /// The host to sign for, when not the URL's (the host the request finally reaches).
    #[arg(long, value_name = "HOST")]
    pub sign_host: Option<String>,
    /// Where the keys come from.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// The names of the environment variables holding keys, for messages.
pub fn key_variables() -> String {
    format!("{ENV_ACCESS_KEY_ID} and {ENV_SECRET_ACCESS_KEY}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
