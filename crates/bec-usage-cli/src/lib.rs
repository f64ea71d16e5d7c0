//! # bec-usage (the command line)
//!
//! `bec-usage fetch` loads BEC usage for a range of days, from BEC itself, a bec-usage
//! server or the demo stand-in, and writes it as JSON, CSV or a table; `bec-usage sign`
//! shows how a BCE v1 signature of a request is made; `bec-usage completions` prints a
//! shell completion script. See `docs/cli.md`.
//!
//! Everything about the data is the core's ([`bec_usage`]): the range's plan, retries and
//! re-signing ([`bec_usage::fetch_plan`]), the signer, the reader, the merge, the CSV
//! writers, the statistics. This crate does the I/O: the command line ([`cli`]), the keys
//! ([`keys`], read by the server's own file readers), the HTTP client ([`fetch`]), the
//! sign-in ([`session`]) and the output ([`output`], [`table`]). Exit codes: [`error`].
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]

pub mod cli;
pub mod endpoint;
pub mod error;
pub mod fetch;
pub mod keys;
pub mod output;
pub mod range;
pub mod session;
pub mod sign;
pub mod store;
pub mod table;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use bec_usage::fetch_plan::RetryPolicy;
use bec_usage::query::DateField;
use clap::{CommandFactory, Parser};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reqwest::header::{self, HeaderMap};

use crate::cli::{key_variables, Cli, Command, FetchArgs, Format};
use crate::endpoint::{parse_headers, session_cookie, Endpoint, Signing, ENV_SESSION};
use crate::error::{Error, Result, EXIT_OK};
use crate::fetch::{fetch_parts, merge, Client, ClientOptions};
use crate::keys::{find_keys, KeyChoice};
use crate::output::{check_output_path, read_price_sheet, render, write_output, RenderOptions};
use crate::table::Decimals;

/// Runs the command line `args` (the program's name first) and returns the exit code.
/// Errors go to stderr, prefixed `bec-usage: `.
pub fn main_with_args(args: Vec<OsString>) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version print and exit 0; mistakes print and exit 2.
            let _ = error.print();
            return u8::try_from(error.exit_code()).unwrap_or(error::EXIT_INPUT);
        }
    };
    init_warnings();
    match run(cli) {
        Ok(()) => EXIT_OK,
        Err(error) => {
            eprintln!("bec-usage: {}", error.message());
            error.exit_code()
        }
    }
}

/// Shows the warnings of the server's file readers (a key file others may read) on stderr.
fn init_warnings() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .without_time()
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Fetch(args) => run_fetch(&args, &keys::process_env),
        Command::Sign(args) => {
            let text = sign::run_sign(&args, &keys::process_env, chrono::Utc::now())?;
            write_output(None, &text)
        }
        Command::Completions { shell } => {
            let mut command = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "bec-usage", &mut script);
            write_output(None, &String::from_utf8_lossy(&script))
        }
    }
}

/// `bec-usage fetch`: everything checked first (nothing is fetched for a run that could
/// not write its output), then the range loaded, rendered and written.
pub fn run_fetch(args: &FetchArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<()> {
    let offset = range::parse_offset(&args.utc_offset)?;
    let now = chrono::Utc::now();
    let from = range::parse_day(DateField::BeginDate, &args.from, now, offset)?;
    let to = range::parse_day(DateField::EndDate, &args.to, now, offset)?;
    let queries = range::plan(from, to)?;
    let decimals = Decimals::parse(&args.decimals)?;
    let price_sheet = match &args.price_sheet {
        Some(path) if args.format == Format::DailyCsv => Some(read_price_sheet(path)?),
        Some(_) => {
            return Err(Error::input(
                "--price-sheet adds cost columns to --format daily-csv only",
            ))
        }
        None => None,
    };
    if let Some(path) = &args.output {
        check_output_path(path)?;
    }
    let endpoint = Endpoint::parse(&args.endpoint)?;

    // Keys: unless --unsigned, from the accounts file, a key file or the environment.
    let choice = KeyChoice {
        accounts_file: args.keys.accounts_file.as_deref(),
        account: args.keys.account.as_deref(),
        keys_file: args.keys.keys_file.as_deref(),
    };
    let keys = if args.unsigned {
        None
    } else {
        find_keys(&choice, env)?
    };
    // Without an accounts file, --account names an account of a bec-usage server.
    let server_account = match (&args.keys.account, &args.keys.accounts_file) {
        (Some(name), None) => {
            bec_usage_proxy::accounts::check_account_name(name)
                .map_err(|problem| Error::input(format!("--account: {problem}")))?;
            Some(name.as_str())
        }
        _ => None,
    };
    // With a store: its settled days, and only the rest to fetch.
    let history = match &args.store {
        Some(path) => {
            let name = keys
                .as_ref()
                .and_then(|keys| keys.account.as_deref())
                .or(args.keys.account.as_deref())
                .unwrap_or(store::DEFAULT_ACCOUNT);
            // As the server keys them: the name and the access key id; without keys (a
            // server that signs), the name and the server's host.
            let key = match &keys {
                Some(keys) => bec_usage_store::account_key(name, keys.credentials.access_key_id()),
                None => bec_usage_store::account_key(name, endpoint.host()),
            };
            Some(store::History::open(path, &key, args.settle_days, now)?)
        }
        None => None,
    };
    let lookup = match &history {
        Some(history) => history.look_up(from, to)?,
        None => store::Lookup {
            stored: Vec::new(),
            queries,
        },
    };
    let fetched = if lookup.queries.is_empty() {
        Vec::new()
    } else {
        if keys.is_none() && endpoint.is_bec() {
            return Err(Error::input(format!(
                "BEC needs keys: set {}, or give --keys-file or --accounts-file (or --endpoint \
                 for a bec-usage server that holds the keys)",
                key_variables()
            )));
        }
        // Each answer is kept as it comes: a run that fails half-way has kept the rest.
        let keep = |usage: &bec_usage::UsageResponse| {
            if let Some(history) = &history {
                history.keep(usage);
            }
        };
        fetch_queries(
            args,
            env,
            endpoint,
            keys,
            server_account,
            &lookup.queries,
            &keep,
        )?
    };
    let usage = match &history {
        Some(_) => {
            let mut parts = lookup.stored;
            parts.extend(fetched);
            store::assemble_range(parts, from, to)?
        }
        None => merge(fetched)?,
    };
    let text = render(
        &usage,
        &RenderOptions {
            format: args.format,
            offset,
            price_sheet,
            decimals,
        },
    )?;
    write_output(args.output.as_deref(), &text)
}

/// Fetches `queries` from `endpoint`, signed with `keys` if any, as `args` say (headers,
/// session, sign-in, timeouts, concurrency, progress); the answers in the order of
/// `queries`.
fn fetch_queries(
    args: &FetchArgs,
    env: &dyn Fn(&str) -> Option<String>,
    endpoint: Endpoint,
    keys: Option<keys::Keys>,
    server_account: Option<&str>,
    queries: &[bec_usage::UsageQuery],
    on_part: &dyn Fn(&bec_usage::UsageResponse),
) -> Result<Vec<bec_usage::UsageResponse>> {
    let signing = keys.map(|keys| Signing {
        credentials: keys.credentials,
        host: args
            .sign_host
            .clone()
            .unwrap_or_else(|| endpoint.host().to_owned()),
    });
    let mut headers: HeaderMap = parse_headers(&args.headers, signing.is_some())?;
    if let Some(cookie) = env(ENV_SESSION) {
        headers.insert(header::COOKIE, session_cookie(&cookie)?);
    }
    let password = match &args.user {
        Some(user) => Some(session::password_for(user, env)?),
        None => None,
    };
    if endpoint.is_plaintext_remote()
        && (password.is_some() || headers.contains_key(header::COOKIE))
    {
        eprintln!(
            "bec-usage: warning: {} is plain http; the password or session travels unencrypted",
            endpoint.base()
        );
    }
    let options = ClientOptions {
        connect_timeout: Duration::from_millis(args.connect_timeout_ms),
        timeout: Duration::from_millis(args.timeout_ms),
        retry: RetryPolicy {
            retries: args.retries,
            ..RetryPolicy::default()
        },
    };
    let mut client = Client::new(endpoint, server_account, signing, headers, &options)?;
    let progress = progress_bar(queries, args.no_progress);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::network(format!("cannot start the I/O runtime: {e}")))?;
    let parts = runtime.block_on(async {
        let session = match (&args.user, &password) {
            (Some(user), Some(password)) => {
                let cookie =
                    session::sign_in(client.http(), client.endpoint(), user, password).await?;
                client.add_header(header::COOKIE, cookie.clone());
                Some(cookie)
            }
            _ => None,
        };
        let client = Arc::new(client);
        let concurrency = usize::try_from(args.concurrency).unwrap_or(1);
        let parts = fetch_parts(
            Arc::clone(&client),
            queries,
            concurrency,
            &progress,
            on_part,
        )
        .await;
        if let Some(cookie) = &session {
            session::sign_out(client.http(), client.endpoint(), cookie).await;
        }
        parts
    });
    progress.finish_and_clear();
    parts
}

/// A bar of days loaded on stderr, drawn only when stderr is a terminal (and not
/// `--no-progress`).
fn progress_bar(queries: &[bec_usage::UsageQuery], off: bool) -> ProgressBar {
    let days: u64 = queries.iter().map(|q| u64::from(q.days())).sum();
    if off || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(days), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} days, {elapsed} ({msg})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(format!("{} requests", queries.len()));
    bar.enable_steady_tick(Duration::from_millis(150));
    bar
}
