//! The history store in the server (issue 24): settled days are answered from the store
//! (`bec_usage_store`), only missing days are asked of BEC, and what BEC answers whole is
//! kept.
//!
//! A usage request for account A and the days `begin ..= end` (server-signed mode only;
//! in relay mode the page's signature covers its own range, and nothing is stored):
//!
//! 1. Days after today (Beijing) minus `--settle-days` may still change: never stored,
//!    always asked for.
//! 2. The stored days of the range are looked up. All stored: the answer is assembled
//!    from them (the core's merge, then `write_usage`): a **hit**, BEC is not called.
//! 3. None stored: the request is forwarded as it is and BEC's bytes are answered
//!    unchanged; its settled days are then stored.
//! 4. Some stored: each run of missing days is fetched (as few requests as the core's
//!    fetch plan allows: one per run of at most 31 days), and the stored days and the
//!    fetched parts are merged into one answer in BEC's shape.
//!
//! Any BCE error of a fetch is the answer, as it would have been without a store. Only a
//! complete, parsed 2xx answer is stored, its settled days in one transaction; an answer
//! that cannot be kept day by day exactly is answered and not stored. Concurrent requests
//! for the same missing days share one fetch (`Flights`). A failing store is logged and
//! the request answered from BEC.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use bec_usage::fetch_plan::plan_range;
use bec_usage::json::{parse_usage, write_usage};
use bec_usage::query::format_date;
use bec_usage::{UsageQuery, UsageResponse};
use bec_usage_store::days::{assemble, missing_runs};
use bec_usage_store::{ErrorKind as StoreErrorKind, Store};
use bytes::Bytes;
use chrono::NaiveDate;

use crate::clock::Clock;
use crate::config::StoreChoice;
use crate::errors::{Error, ErrorKind, Result};
use crate::forward::rules::ForwardRequest;
use crate::forward::{Forwarder, UpstreamAnswer};
use crate::metrics::Metrics;

/// Opens the store of `choice` and logs what opening did: a damaged file set aside, a
/// migration. `Ok(None)` for `--store none`, and for the default place when it cannot be
/// opened (logged: the server goes on without a store); a store named with `--store`
/// that cannot be opened is an error (the start stops, saying why).
pub fn open_store(choice: &StoreChoice) -> Result<Option<Arc<Store>>> {
    let StoreChoice::File { path, explicit } = choice else {
        return Ok(None);
    };
    match Store::open(path) {
        Ok(opened) => {
            if let Some(set_aside) = &opened.set_aside {
                tracing::error!(
                    store = %set_aside.path.display(),
                    moved_to = %set_aside.moved_to.display(),
                    reason = set_aside.reason.as_str(),
                    "the history store was damaged: set aside, starting a new one (days are fetched from the upstream again)"
                );
            }
            if let Some(from) = opened.migrated_from.filter(|from| *from > 0) {
                tracing::info!(
                    from,
                    to = bec_usage_store::SCHEMA_VERSION,
                    "the history store's schema was migrated"
                );
            }
            tracing::info!(store = %path.display(), "history store open");
            Ok(Some(Arc::new(opened.store)))
        }
        Err(error) if !explicit => {
            tracing::warn!(
                code = %error.kind(),
                "no history store (give --store PATH, or --store none): {}",
                error.message()
            );
            Ok(None)
        }
        Err(error) => Err(Error::new(ErrorKind::Config, error.message())),
    }
}

/// The last settled day when the time is `now`: today in Beijing minus `settle_days`.
pub fn settled_through(now: chrono::DateTime<chrono::Utc>, settle_days: u32) -> NaiveDate {
    let today = now
        .with_timezone(&bec_usage::query::beijing_offset())
        .date_naive();
    today - chrono::Duration::days(i64::from(settle_days))
}

/// The server's use of the history store: shared by every request (and kept across
/// reloads).
pub struct History {
    store: Arc<Store>,
    settle_days: u32,
    clock: Clock,
    metrics: Arc<Metrics>,
    flights: Flights,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("store", &self.store)
            .field("settle_days", &self.settle_days)
            .finish_non_exhaustive()
    }
}

/// One fetch from the upstream, as the requests that share it see it.
#[derive(Debug)]
struct Fetched {
    answer: UpstreamAnswer,
    /// The parsed data of a 2xx answer.
    usage: Option<UsageResponse>,
}

impl History {
    /// The history of `store`: days older than `settle_days` are kept; the store's counts
    /// go to `metrics`.
    pub fn new(store: Arc<Store>, settle_days: u32, clock: Clock, metrics: Arc<Metrics>) -> Self {
        let history = History {
            store,
            settle_days,
            clock,
            metrics,
            flights: Flights::default(),
        };
        history.update_gauges();
        history
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The last settled day now.
    pub fn settled_through(&self) -> NaiveDate {
        settled_through(self.clock.now(), self.settle_days)
    }

    /// Sets the days-stored and file-size gauges from the store.
    fn update_gauges(&self) {
        match self.store.day_count() {
            Ok(days) => self.metrics.store_size(days, self.store.file_size()),
            Err(error) => tracing::warn!(code = %error.kind(), "{}", error.message()),
        }
    }

    /// Runs a blocking store operation off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> bec_usage_store::Result<T> + Send + 'static,
    ) -> bec_usage_store::Result<T> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || work(&store))
            .await
            .unwrap_or_else(|error| {
                Err(bec_usage_store::Error::new(
                    StoreErrorKind::Database,
                    format!("a store operation stopped: {error}"),
                ))
            })
    }

    /// Answers `request` (server-signed) for the account named `account` through
    /// `forwarder`, with the store's days where it has them (see the module documentation);
    /// the days are kept under [`bec_usage_store::account_key`] of the name and the
    /// forwarder's access key id.
    pub async fn answer(
        &self,
        account: &str,
        forwarder: &Forwarder,
        request: &ForwardRequest,
    ) -> Result<UpstreamAnswer> {
        let key = bec_usage_store::account_key(account, forwarder.access_key_id().unwrap_or("-"));
        let account = key.as_str();
        let (begin, end) = (request.query.begin_date(), request.query.end_date());
        let settled = self.settled_through();
        let stored = if begin <= settled {
            let (name, last) = (account.to_owned(), end.min(settled));
            match self
                .blocking(move |store| store.stored_dates(&name, begin, last))
                .await
            {
                Ok(stored) => stored,
                Err(error) => {
                    tracing::warn!(code = %error.kind(), "the store is not read; asking the upstream: {}", error.message());
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        if stored.is_empty() {
            self.metrics.store_miss();
            let fetched = self.fetch(account, forwarder, request.query).await?;
            return Ok(fetched.answer.clone());
        }
        match self.assembled(account, forwarder, request).await? {
            Some((answer, fetched)) => {
                if fetched {
                    self.metrics.store_miss();
                } else {
                    self.metrics.store_hit();
                }
                Ok(answer)
            }
            // The stored days cannot be used after all: the request as it is.
            None => {
                self.metrics.store_miss();
                let fetched = self.fetch(account, forwarder, request.query).await?;
                Ok(fetched.answer.clone())
            }
        }
    }

    /// The answer assembled from the stored days of the request and fetches of the runs
    /// of days missing from them; `None` when the stored days cannot be used after all (a
    /// damaged day, a failing store, parts that do not merge), for a plain forward. The
    /// second field: whether anything was fetched.
    async fn assembled(
        &self,
        account: &str,
        forwarder: &Forwarder,
        request: &ForwardRequest,
    ) -> Result<Option<(UpstreamAnswer, bool)>> {
        let (begin, end) = (request.query.begin_date(), request.query.end_date());
        // The stored days first: what is fetched below is stored as it comes, and must not
        // be read back as stored too.
        let name = account.to_owned();
        let read = match self
            .blocking(move |store| store.read_days(&name, begin, end))
            .await
        {
            Ok(read) => read,
            Err(error) => {
                tracing::warn!(code = %error.kind(), "the store is not read; asking the upstream: {}", error.message());
                return Ok(None);
            }
        };
        if !read.damaged.is_empty() {
            let dates: Vec<String> = read.damaged.iter().map(|d| format_date(*d)).collect();
            tracing::warn!(
                account,
                days = dates.join(","),
                "damaged days in the store were deleted; asking the upstream"
            );
            self.update_gauges();
            return Ok(None);
        }
        let stored: Vec<NaiveDate> = read
            .days
            .iter()
            .map(|day| day.time_span.begin_date)
            .collect();
        let runs = missing_runs(begin, end, &stored);
        let mut parts = read.days;
        for &(first, last) in &runs {
            let queries = plan_range(first, last).map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("cannot plan the missing days: {}", e.message()),
                )
            })?;
            for query in queries {
                let fetched = self.fetch(account, forwarder, query).await?;
                match &fetched.usage {
                    Some(usage) => parts.push(usage.clone()),
                    // A BCE error: the answer, as without a store.
                    None => return Ok(Some((fetched.answer.clone(), true))),
                }
            }
        }
        parts.sort_by_key(|part| part.time_span.begin_date);
        let usage = match assemble(parts) {
            Ok(usage) => usage,
            Err(error) => {
                tracing::warn!(
                    account,
                    "the stored days do not merge with the upstream's ({}); asking the upstream",
                    error.message()
                );
                return Ok(None);
            }
        };
        if usage.time_span.begin_date != begin || usage.time_span.end_date != end {
            tracing::warn!(
                account,
                "the stored days do not cover the range; asking the upstream"
            );
            return Ok(None);
        }
        tracing::debug!(
            stored_days = stored.len(),
            fetched_runs = runs.len(),
            "answered from the store"
        );
        let answer = UpstreamAnswer {
            status: StatusCode::OK,
            body: Bytes::from(write_usage(&usage)),
            bce_request_id: None,
            attempts: 0,
        };
        Ok(Some((answer, !runs.is_empty())))
    }

    /// Fetches `query` for `account`, once for all concurrent requests of the same days,
    /// and stores the settled days of a complete answer.
    async fn fetch(
        &self,
        account: &str,
        forwarder: &Forwarder,
        query: UsageQuery,
    ) -> Result<Arc<Fetched>> {
        let key = (account.to_owned(), query.begin_date(), query.end_date());
        self.flights
            .run(key, async {
                let answer = forwarder
                    .forward(&ForwardRequest { query, relay: None })
                    .await?;
                let usage = if answer.status.is_success() {
                    let text = std::str::from_utf8(&answer.body).unwrap_or_default();
                    Some(parse_usage(text).map_err(|e| {
                        Error::new(
                            ErrorKind::UpstreamInvalidResponse,
                            format!("the upstream's answer does not read: {}", e.message()),
                        )
                    })?)
                } else {
                    None
                };
                if let Some(usage) = &usage {
                    self.keep(account, usage).await;
                }
                Ok(Arc::new(Fetched { answer, usage }))
            })
            .await
    }

    /// Stores the settled days of `usage`, logging (never failing) when it cannot.
    async fn keep(&self, account: &str, usage: &UsageResponse) {
        let settled = self.settled_through();
        if usage.time_span.begin_date > settled {
            return;
        }
        let (name, usage) = (account.to_owned(), usage.clone());
        match self
            .blocking(move |store| store.put_response(&name, &usage, settled))
            .await
        {
            Ok(days) => {
                tracing::debug!(account, days, "stored");
                self.update_gauges();
            }
            Err(error) if error.kind() == StoreErrorKind::NotStorable => {
                tracing::info!(account, "the answer is not stored: {}", error.message());
            }
            Err(error) => {
                tracing::warn!(account, code = %error.kind(), "the answer is not stored: {}", error.message());
            }
        }
    }
}

/// The key of a fetch: account, first and last day.
type FlightKey = (String, NaiveDate, NaiveDate);
type Shared = Arc<tokio::sync::OnceCell<Result<Arc<Fetched>>>>;

/// Single-flight fetches: the requests that want the same days while a fetch of them is
/// running wait for it and share its result, instead of asking the upstream again.
#[derive(Default)]
struct Flights {
    running: Mutex<HashMap<FlightKey, Shared>>,
}

impl Flights {
    /// Runs `work` for `key`, or waits for the run of `key` under way and takes its
    /// result. If the request running it goes away, a waiting one runs it instead.
    async fn run(
        &self,
        key: FlightKey,
        work: impl std::future::Future<Output = Result<Arc<Fetched>>>,
    ) -> Result<Arc<Fetched>> {
        let cell = Arc::clone(self.lock().entry(key.clone()).or_default());
        let result = cell.get_or_init(|| work).await.clone();
        // The first to finish forgets the run: a later request starts afresh (and finds
        // the days stored).
        let mut running = self.lock();
        if running
            .get(&key)
            .is_some_and(|current| Arc::ptr_eq(current, &cell))
        {
            running.remove(&key);
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<FlightKey, Shared>> {
        // The map stays consistent whatever a holder did.
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn days_settle_by_beijing_dates() {
        // 15:59 UTC is 23:59 in Beijing; 16:00 UTC is the next day there.
        let before = chrono::Utc
            .with_ymd_and_hms(2024, 3, 10, 15, 59, 0)
            .single()
            .expect("time");
        let after = before + chrono::Duration::minutes(1);
        let day = |d| NaiveDate::from_ymd_opt(2024, 3, d).expect("date");
        assert_eq!(settled_through(before, 2), day(8));
        assert_eq!(settled_through(after, 2), day(9));
        assert_eq!(settled_through(after, 0), day(11));
    }
}
