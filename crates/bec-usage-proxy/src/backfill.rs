//! `bec-usage-proxy backfill --account NAME --from D --to D`: fills the history store with
//! an account's settled days ahead of time, so that the first look at a year is as quick
//! as the tenth.
//!
//! It reads the server's own settings (flags, environment, config file) for the account's
//! keys, the upstream and the store, then asks for the missing days only, in requests of
//! at most 31 days (the core's splitter), storing each answer's days in one transaction as
//! it comes. Killed at any point, the store holds whole answers only, and the next run
//! skips what is stored: it resumes. A progress bar is drawn on a terminal (standard
//! error); elsewhere only the closing line is printed.

use std::io::IsTerminal;
use std::sync::Arc;

use bec_usage::json::parse_usage;
use bec_usage::query::{format_date, parse_date, split_range, DateField};
use bec_usage::signing::Credentials;
use bec_usage_store::days::missing_runs;

use crate::clock::Clock;
use crate::config::{BackfillArgs, StoreChoice, DEFAULT_ACCOUNT};
use crate::errors::{Error, ErrorKind, Result};
use crate::forward::rules::ForwardRequest;
use crate::forward::Forwarder;
use crate::history::{open_store, settled_through};
use crate::server::upstream_for;

/// What a backfill did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Days stored by this run.
    pub stored: usize,
    /// Days of the range that were stored already.
    pub already: usize,
    /// Requests sent (one per chunk of at most 31 days).
    pub requests: usize,
    /// The store's size afterwards, in bytes.
    pub file_bytes: u64,
}

fn config(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config, message)
}

/// Runs `backfill` with `args` (`env` reads the environment, for the keys) at the time of
/// `clock`, printing progress to standard error.
pub async fn run(
    args: &BackfillArgs,
    env: &dyn Fn(&str) -> Option<String>,
    clock: Clock,
) -> Result<Report> {
    let settings = args.proxy.resolve(env)?;
    let date = |field, text: &str| {
        parse_date(field, text).map_err(|e| Error::new(ErrorKind::InvalidParameter, e.message()))
    };
    let from = date(DateField::BeginDate, &args.from)?;
    let to = date(DateField::EndDate, &args.to)?;
    if from > to {
        return Err(Error::new(
            ErrorKind::InvalidParameter,
            format!("--from {} is after --to {}", args.from, args.to),
        ));
    }
    if settings.store == StoreChoice::Off {
        return Err(config(
            "backfill fills the history store, but --store is none; give --store PATH",
        ));
    }
    let (account, credentials) = account_keys(&settings, args.account.as_deref())?;
    // The days are kept under the name and the access key id, as the server keeps them.
    let name = bec_usage_store::account_key(&account, credentials.access_key_id());
    let store = open_store(&match &settings.store {
        StoreChoice::File { path, .. } => StoreChoice::File {
            path: path.clone(),
            explicit: true,
        },
        StoreChoice::Off => StoreChoice::Off,
    })?
    .ok_or_else(|| config("no history store"))?;
    let settled = settled_through(clock.now(), settings.settle_days);
    let last = to.min(settled);
    if last < to {
        eprintln!(
            "backfill: the days after {} may still change at BEC (--settle-days {}); they are left out",
            format_date(settled),
            settings.settle_days
        );
    }
    if from > last {
        eprintln!("backfill: no settled day in the range; nothing to do");
        return Ok(Report {
            stored: 0,
            already: 0,
            requests: 0,
            file_bytes: store.file_size(),
        });
    }
    let stored_dates = store
        .stored_dates(&name, from, last)
        .map_err(|e| Error::new(ErrorKind::Io, e.message()))?;
    let mut chunks = Vec::new();
    for (first, last) in missing_runs(from, last, &stored_dates) {
        chunks.extend(split_range(first, last).map_err(|e| config(e.message()))?);
    }
    let upstream = upstream_for(
        &settings.upstream,
        settings.demo_faults,
        &clock,
        &settings.accounts,
    )
    .await?;
    let forwarder = Forwarder::new(upstream, settings.policy, Some(credentials), clock)?;
    let days_total: u64 = chunks.iter().map(|c| u64::from(c.days())).sum();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(days_total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:40}] {pos}/{len} days, {elapsed} (eta {eta}) {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(format!("backfill {account}"));
        bar
    });
    let mut report = Report {
        stored: 0,
        already: stored_dates.len(),
        requests: 0,
        file_bytes: 0,
    };
    let store = Arc::clone(&store);
    for query in chunks {
        if let Some(bar) = &bar {
            bar.set_message(format!(
                "{} .. {}",
                format_date(query.begin_date()),
                format_date(query.end_date())
            ));
        }
        report.requests += 1;
        let answer = forwarder
            .forward(&ForwardRequest { query, relay: None })
            .await
            .map_err(|e| stopped(&report, e.kind(), e.message()))?;
        let text = std::str::from_utf8(&answer.body).unwrap_or_default();
        if !answer.status.is_success() {
            let what = bec_usage::json::parse_service_error(answer.status.as_u16(), text, None)
                .map_or_else(
                    || format!("HTTP {}", answer.status.as_u16()),
                    |e| format!("{} {}: {}", answer.status.as_u16(), e.code, e.message),
                );
            return Err(stopped(
                &report,
                ErrorKind::UpstreamInvalidResponse,
                &format!("BEC refused {}: {what}", query.to_query_string()),
            ));
        }
        let usage = parse_usage(text).map_err(|e| {
            stopped(
                &report,
                ErrorKind::UpstreamInvalidResponse,
                &format!("the answer does not read: {}", e.message()),
            )
        })?;
        let (store, account) = (Arc::clone(&store), name.clone());
        let kept =
            tokio::task::spawn_blocking(move || store.put_response(&account, &usage, settled))
                .await
                .map_err(|e| stopped(&report, ErrorKind::Internal, &e.to_string()))?
                .map_err(|e| stopped(&report, ErrorKind::Io, e.message()))?;
        report.stored += kept;
        if let Some(bar) = &bar {
            bar.inc(u64::from(query.days()));
        }
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    report.file_bytes = store.file_size();
    eprintln!(
        "backfill {account} {} .. {}: {} days stored in {} requests, {} were stored already; the store {} has {} bytes",
        format_date(from),
        format_date(last),
        report.stored,
        report.requests,
        report.already,
        store.path().display(),
        report.file_bytes
    );
    Ok(report)
}

/// The error that stops a backfill, saying what is stored so far.
fn stopped(report: &Report, kind: ErrorKind, message: &str) -> Error {
    Error::new(
        kind,
        format!(
            "{message}; {} days were stored before this; run the same backfill again to resume",
            report.stored
        ),
    )
}

/// The store's name and the key pair of the account `name` (or the default account).
fn account_keys(
    settings: &crate::config::ProxySettings,
    name: Option<&str>,
) -> Result<(String, Credentials)> {
    let accounts = &settings.accounts;
    if accounts.is_empty() {
        let credentials = settings.credentials.clone().ok_or_else(|| {
            config("backfill signs its requests: give the key pair (BCE_ACCESS_KEY_ID and BCE_SECRET_ACCESS_KEY, --keys-file) or --accounts-file; relay mode has no keys")
        })?;
        return match name {
            None | Some(DEFAULT_ACCOUNT) => Ok((DEFAULT_ACCOUNT.to_owned(), credentials)),
            Some(other) => Err(config(format!(
                "there is no account {other:?}: without --accounts-file the one key pair is the account {DEFAULT_ACCOUNT:?}"
            ))),
        };
    }
    let wanted = name.or(accounts.default_name()).ok_or_else(|| {
        config("there are several accounts and no default one: give --account NAME")
    })?;
    let account = accounts
        .all()
        .iter()
        .find(|account| account.name == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = accounts.all().iter().map(|a| a.name.as_str()).collect();
            config(format!(
                "there is no account {wanted:?}; the accounts are: {}",
                names.join(", ")
            ))
        })?;
    Ok((account.name.clone(), account.credentials.clone()))
}
