//! The messages between the page and its data worker (issue 23): one enum each way,
//! serialised with serde (serde-wasm-bindgen in the browser), each with a request id. A
//! newer id supersedes an older one: the page drops a late answer, the worker stops work
//! it was told to cancel.
//!
//! The spike covers the Demo source: the worker generates the month with the core's
//! generator, analyses it ([`crate::dataset::Dataset`]), finds the unusual stretches and
//! downsamples every series; the points go beside the message as transferable
//! `Float64Array`s (`xs`, `ys`: one pair per resource), not through serde.

use bec_usage::analysis::{Anomaly, Sensitivity};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::format::LocalTime;
use crate::state::{Source, ViewState};

/// The points the worker keeps of each series for the charts (at most): wider than any
/// chart's plot, which downsamples again to its own width.
pub const DRAWN_POINTS: usize = 1_200;

/// What to load: for the spike, the demo month as the page makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPlan {
    /// The first day.
    pub begin: NaiveDate,
    /// The last day (inclusive).
    pub end: NaiveDate,
    /// The generator's seed (a string: a `u64` is not a JavaScript number).
    pub seed: String,
    /// Seconds between points.
    pub step_seconds: u32,
    /// The number of resources.
    pub resources: usize,
    /// The points kept per series.
    pub drawn_points: usize,
    /// The sensitivity to find unusual stretches at.
    pub sensitivity: Sensitivity,
}

/// How many resources the demo makes: all twelve of the core's catalogue.
pub const DEMO_RESOURCES: usize = 12;

impl DemoPlan {
    /// The demo month `begin..=end` of the generator's `seed` at `step_seconds`, its
    /// unusual stretches found at `sensitivity`.
    pub fn new(
        begin: NaiveDate,
        end: NaiveDate,
        seed: u64,
        step_seconds: u32,
        sensitivity: Sensitivity,
    ) -> DemoPlan {
        DemoPlan {
            begin,
            end,
            seed: seed.to_string(),
            step_seconds,
            resources: DEMO_RESOURCES,
            drawn_points: DRAWN_POINTS,
            sensitivity,
        }
    }

    /// What the page loads first for the view state `view` on `today` (Beijing), when the
    /// source is the demo: the URL's, else `default_source` (the proxy's answer, `None`
    /// while unknown). `None`: nothing of the demo to load.
    pub fn for_view(
        view: &ViewState,
        default_source: Option<Source>,
        today: NaiveDate,
    ) -> Option<DemoPlan> {
        if view.source.or(default_source)? != Source::Demo {
            return None;
        }
        let (begin, end) = view.range.dates(today)?;
        Some(DemoPlan::new(
            begin,
            end,
            view.seed,
            view.step_seconds,
            view.sensitivity,
        ))
    }

    /// The first plan of the page at `url` (its `location.href`), `now_ms` (epoch
    /// milliseconds) being the moment the page booted. The data worker starts on it as
    /// the page's wasm loads; the page takes that answer when its own plan is the same.
    pub fn at_start(url: &str, now_ms: i64, default_source: Option<Source>) -> Option<DemoPlan> {
        let today = LocalTime::beijing(now_ms)?.date()?;
        DemoPlan::for_view(&ViewState::from_query(query_of(url)), default_source, today)
    }
}

/// The query of `url` (from its `?`, without a `#` fragment; empty without one).
pub fn query_of(url: &str) -> &str {
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    url.split_once('?').map_or("", |(_, query)| query)
}

/// The id of the load the page's boot script starts ([`ToWorker::Start`]); the page's own
/// requests count from 1.
pub const START_ID: u32 = 0;

/// The id of a failure of the worker itself rather than of one request (a message it
/// could not read, a crash): it ends whichever request the page waits for.
pub const ANY_ID: u32 = u32::MAX;

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ToWorker {
    /// Sent by the page's boot script (web/boot.js) as soon as the page runs, before its
    /// wasm is compiled: load [`DemoPlan::at_start`] (if any) as request [`START_ID`].
    Start {
        /// The page's `location.href`.
        url: String,
        /// `Date.now()` when the boot script ran.
        now: f64,
        /// The answer of `/healthz` ("" for none) when the URL names no source; the
        /// source is then the proxy's default. Absent: not known (no plan without `src`).
        #[serde(default)]
        health: Option<String>,
    },
    /// Load `plan`, answering with id `id`.
    Load {
        /// The request id.
        id: u32,
        /// What to load.
        plan: DemoPlan,
    },
    /// Stop request `id` (the page wants something else); no answer.
    Cancel {
        /// The request id.
        id: u32,
    },
}

/// What the worker made of a load, but for its points (see the module's notes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The plan loaded: the page checks it is its own (the start's plan is worked out in
    /// the worker; a worker of another build could work it out differently).
    pub plan: DemoPlan,
    /// The analysed data; each series' `points` empty (they are in `xs`/`ys`).
    pub data: Dataset,
    /// The unusual stretches at the plan's sensitivity.
    pub anomalies: Vec<Anomaly>,
    /// Milliseconds the worker took to generate the data.
    pub generate_ms: f64,
    /// Milliseconds it took to analyse, find the stretches and downsample.
    pub analyse_ms: f64,
    /// Of which the resource-hours and the forecast.
    pub usage_ms: f64,
    /// Of which the unusual stretches.
    pub anomalies_ms: f64,
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FromWorker {
    /// The worker is listening (sent once, when its module has started): messages posted
    /// before it would find no handler, so the page holds them until then.
    Ready,
    /// Request `id` is done.
    Loaded {
        /// The request id.
        id: u32,
        /// The answer.
        answer: Box<Answer>,
    },
    /// The unusual stretches of request `id`'s data, found after its `Loaded` was sent
    /// (they are not on the way to the charts).
    Found {
        /// The request id.
        id: u32,
        /// The sensitivity they were found at.
        sensitivity: Sensitivity,
        /// The stretches.
        anomalies: Vec<Anomaly>,
        /// Milliseconds the worker took to find them.
        ms: f64,
    },
    /// Request `id` failed.
    Failed {
        /// The request id.
        id: u32,
        /// The core's message.
        message: String,
    },
}

impl FromWorker {
    /// The request id answered.
    pub fn id(&self) -> u32 {
        match self {
            FromWorker::Loaded { id, .. }
            | FromWorker::Found { id, .. }
            | FromWorker::Failed { id, .. } => *id,
            FromWorker::Ready => ANY_ID,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_query_of_a_url() {
        assert_eq!(
            query_of("http://h/?src=demo&range=31d#top"),
            "src=demo&range=31d"
        );
        assert_eq!(query_of("http://h/dash/?a=1"), "a=1");
        assert_eq!(query_of("http://h/#x?y"), "");
        assert_eq!(query_of("http://h/"), "");
    }

    #[test]
    fn the_start_plan_is_the_pages_plan() {
        // 2024-03-10T20:00:00Z is 2024-03-11 04:00 in Beijing: the page's today.
        let now = day("2024-03-10")
            .and_hms_opt(20, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        let url = "http://h/?src=demo&range=31d&step=300&seed=7&sensitivity=high";
        let plan = DemoPlan::at_start(url, now, None).unwrap();
        let view = ViewState::from_query("?src=demo&range=31d&step=300&seed=7&sensitivity=high");
        let (begin, end) = view.range.dates(day("2024-03-11")).unwrap();
        assert_eq!((begin, end), (day("2024-02-10"), day("2024-03-11")));
        assert_eq!(plan, DemoPlan::new(begin, end, 7, 300, Sensitivity::High));
    }

    #[test]
    fn no_start_plan_but_for_the_demo() {
        let now = 1_700_000_000_000;
        // No source in the URL: the proxy's default decides (unknown: nothing yet).
        assert_eq!(DemoPlan::at_start("http://h/", now, None), None);
        assert_eq!(
            DemoPlan::at_start("http://h/", now, Some(Source::Proxy)),
            None
        );
        assert!(DemoPlan::at_start("http://h/", now, Some(Source::Demo)).is_some());
        assert_eq!(
            DemoPlan::at_start("http://h/?src=keys", now, Some(Source::Demo)),
            None
        );
        // An invalid custom range: the page shows what is wrong, nothing loads.
        assert_eq!(
            DemoPlan::at_start(
                "http://h/?src=demo&from=2024-02-01&to=2024-01-01",
                now,
                None
            ),
            None
        );
    }
}
