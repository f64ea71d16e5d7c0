//! `--store PATH`: the server's history store (`bec_usage_store`), read and filled the way
//! the server does it (`bec_usage_proxy::history`): settled days (before today in Beijing
//! minus `--settle-days`) are read from the file, only the runs of days missing from it are
//! fetched (as few queries as the core's fetch plan allows), the settled days of every
//! complete answer are kept, and the parts are put together with the core's merge.

use std::path::Path;

use bec_usage::fetch_plan::plan_range;
use bec_usage::query::format_date;
use bec_usage::{UsageQuery, UsageResponse};
use bec_usage_store::days::{assemble, missing_runs};
use bec_usage_store::Store;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{Error, Result};

/// The store's account name of the environment's (or a key file's) key pair: the server's
/// name for it, so one file serves both.
pub use bec_usage_proxy::config::DEFAULT_ACCOUNT;

/// The history store of one run: the file, the account whose days are read and kept, and
/// the last settled day.
#[derive(Debug)]
pub struct History {
    store: Store,
    account: String,
    settled: NaiveDate,
}

/// What the store has of a range, and what is left to fetch.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// The stored days, in date order, each the answer for its date.
    pub stored: Vec<UsageResponse>,
    /// The queries of the missing runs, in date order.
    pub queries: Vec<UsageQuery>,
}

impl History {
    /// Opens (or creates) the store at `path` for the account keyed `account`
    /// ([`bec_usage_store::account_key`]); days up to today (Beijing, at
    /// `now`) minus `settle_days` count as settled. A damaged file is set aside and said so
    /// on stderr (the store starts anew and the days are fetched again).
    pub fn open(path: &Path, account: &str, settle_days: u32, now: DateTime<Utc>) -> Result<Self> {
        let opened = Store::open(path)
            .map_err(|e| Error::input(format!("--store {}: {}", path.display(), e.message())))?;
        if let Some(set_aside) = &opened.set_aside {
            eprintln!(
                "bec-usage: warning: the store {} was damaged ({}); it was moved to {} and a \
                 new one started",
                set_aside.path.display(),
                set_aside.reason,
                set_aside.moved_to.display()
            );
        }
        Ok(History {
            store: opened.store,
            account: account.to_owned(),
            settled: bec_usage_proxy::history::settled_through(now, settle_days),
        })
    }

    /// The last settled day.
    pub fn settled_through(&self) -> NaiveDate {
        self.settled
    }

    /// The stored settled days of `begin ..= end` and the queries of the days missing.
    pub fn look_up(&self, begin: NaiveDate, end: NaiveDate) -> Result<Lookup> {
        let store_error = |e: bec_usage_store::Error| {
            Error::input(format!(
                "--store {}: {}",
                self.store.path().display(),
                e.message()
            ))
        };
        let stored = if begin <= self.settled {
            let read = self
                .store
                .read_days(&self.account, begin, end.min(self.settled))
                .map_err(store_error)?;
            if !read.damaged.is_empty() {
                let dates: Vec<String> = read.damaged.iter().map(|d| format_date(*d)).collect();
                eprintln!(
                    "bec-usage: warning: damaged days in the store were deleted and are fetched \
                     again: {}",
                    dates.join(", ")
                );
            }
            read.days
        } else {
            Vec::new()
        };
        let dates: Vec<NaiveDate> = stored.iter().map(|day| day.time_span.begin_date).collect();
        let mut queries = Vec::new();
        for (first, last) in missing_runs(begin, end, &dates) {
            queries.extend(plan_range(first, last).map_err(|e| Error::from_core(&e))?);
        }
        Ok(Lookup { stored, queries })
    }

    /// Keeps the settled days of `usage` (a complete, parsed answer) in one transaction;
    /// returns how many. A failure is a warning: the data is still written out.
    pub fn keep(&self, usage: &UsageResponse) -> usize {
        if usage.time_span.begin_date > self.settled {
            return 0;
        }
        match self.store.put_response(&self.account, usage, self.settled) {
            Ok(days) => days,
            Err(error) => {
                eprintln!(
                    "bec-usage: warning: the days {} .. {} were not stored: {}",
                    format_date(usage.time_span.begin_date),
                    format_date(usage.time_span.end_date),
                    error.message()
                );
                0
            }
        }
    }
}

/// The stored days and the fetched parts of `begin ..= end` as one answer (the core's
/// merge, in date order), checked to cover the range.
pub fn assemble_range(
    mut parts: Vec<UsageResponse>,
    begin: NaiveDate,
    end: NaiveDate,
) -> Result<UsageResponse> {
    parts.sort_by_key(|part| part.time_span.begin_date);
    let usage = assemble(parts).map_err(|e| {
        Error::input(format!(
            "the stored days do not go with the fetched ones ({}); is --store another \
             account's? (--account names the store's account)",
            e.message()
        ))
    })?;
    if usage.time_span.begin_date != begin || usage.time_span.end_date != end {
        return Err(Error::input(format!(
            "the store and the answers cover {} .. {}, not the range asked for",
            format_date(usage.time_span.begin_date),
            format_date(usage.time_span.end_date)
        )));
    }
    Ok(usage)
}
