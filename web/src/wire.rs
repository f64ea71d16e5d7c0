//! The page and its data worker (issue 23): what is loaded (a [`Plan`]), worked out by one
//! function for both ([`plan_for`]), and the messages between them, one enum each way,
//! serialised with serde (serde-wasm-bindgen in the browser).
//!
//! Loads carry a request id: a newer load of the same [`Slot`] supersedes an older one
//! (the worker aborts its fetch; the page drops a late answer). Questions about a load's
//! data ([`Question`]: the points at a chart's width, the exact point under the crosshair,
//! the unusual stretches, the cost, an export) carry their own number and the load's id;
//! the worker answers [`Told::Gone`] once it no longer holds that load.
//!
//! Points go beside a message as transferable `Float64Array`s (`xs`, `ys`: one pair per
//! resource), and an export as a `Blob` (`blob`), not through serde. Enums are written as
//! serde does by default (`"Ready"`, `{"Loaded": {...}}`): reading that needs no buffering,
//! which keeps the page's module small.

use std::fmt;

use bec_usage::analysis::{Anomaly, CostEstimate, Sensitivity};
use bec_usage::{DataPoint, ServiceError};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::format::LocalTime;
use crate::proxy_status::ProxyStatus;
use crate::state::{Source, ViewState};

/// How many resources the demo makes: all twelve of the core's catalogue.
pub const DEMO_RESOURCES: usize = 12;

/// A key pair typed into the page, passed to the worker that signs with it (same origin,
/// memory only). `Debug` shows the start of the access key id, never the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPair {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.access_key_id.chars().take(4).collect();
        f.debug_struct("KeyPair")
            .field("access_key_id", &format_args!("{shown}…"))
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// Where a load's data comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanSource {
    /// The core's generator.
    Demo {
        /// The generator's seed (a string: a `u64` is not a JavaScript number).
        seed: String,
        /// Seconds between points.
        step_seconds: u32,
    },
    /// bec-usage-proxy on the page's origin, which signs.
    Proxy {
        /// The account by name, on a server that names several; `None`: its default.
        account: Option<String>,
    },
    /// Signed in the worker with the page's keys, relayed by the proxy.
    Keys {
        /// The key pair.
        keys: KeyPair,
        /// The host to sign for.
        host: String,
    },
}

/// What to load: a source and a range of Beijing days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Where from.
    pub source: PlanSource,
    /// The first day.
    pub begin: NaiveDate,
    /// The last day (inclusive).
    pub end: NaiveDate,
}

/// What the page does for a view state, the proxy's status and the keys it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagePlan {
    /// Waiting for `/healthz` (the source, or who may read, depends on it).
    Wait,
    /// The proxy asks for a sign-in.
    SignIn,
    /// "My keys" without keys.
    NeedKeys,
    /// The custom range is not valid.
    InvalidRange,
    /// Load this.
    Load(Plan),
}

/// The page's plan for the view state `view`, the proxy's status `proxy`, `today` (Beijing)
/// and the key pair held (`None`: none). The page's load and the worker's start both come
/// from this one function, so the worker's first answer is the page's.
pub fn plan_for(
    view: &ViewState,
    proxy: &ProxyStatus,
    today: NaiveDate,
    keys: Option<&KeyPair>,
) -> PagePlan {
    let Some(source) = view.source.or_else(|| proxy.default_source()) else {
        return PagePlan::Wait;
    };
    let Some((begin, end)) = view.range.dates(today) else {
        return PagePlan::InvalidRange;
    };
    if source != Source::Demo {
        if *proxy == ProxyStatus::Checking {
            return PagePlan::Wait;
        }
        if proxy.asks_sign_in() {
            return PagePlan::SignIn;
        }
    }
    let source = match source {
        Source::Demo => PlanSource::Demo {
            seed: view.seed.to_string(),
            step_seconds: view.step_seconds,
        },
        Source::Proxy => PlanSource::Proxy {
            account: proxy
                .access()
                .filter(|access| !access.asks_sign_in())
                .and_then(|access| access.choose_account(view.account.as_deref()).account),
        },
        Source::Keys => {
            let Some(keys) = keys else {
                return PagePlan::NeedKeys;
            };
            let host = match proxy {
                ProxyStatus::Present { upstream_host, .. } => upstream_host.clone(),
                _ => crate::proxy_status::DEFAULT_UPSTREAM_HOST.to_owned(),
            };
            PlanSource::Keys {
                keys: keys.clone(),
                host,
            }
        }
    };
    PagePlan::Load(Plan { source, begin, end })
}

/// The first plan of the page at `url` (its `location.href`) at `now_ms` (epoch
/// milliseconds), with what is known of the proxy then (`Checking` when the URL names the
/// source and `/healthz` was not waited for). The worker starts loading it as the page's
/// wasm loads; the page takes that load when its own plan is the same.
pub fn start_plan(url: &str, now_ms: f64, proxy: &ProxyStatus) -> Option<Plan> {
    let today = LocalTime::beijing(now_ms as i64)?.date()?;
    let view = ViewState::from_query(query_of(url));
    match plan_for(&view, proxy, today, None) {
        PagePlan::Load(plan) => Some(plan),
        _ => None,
    }
}

/// The query of `url` (from its `?`, without a `#` fragment; empty without one).
pub fn query_of(url: &str) -> &str {
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    url.split_once('?').map_or("", |(_, query)| query)
}

/// The width of one chart for a content area `main_width` pixels wide: two columns from
/// 980 pixels on (the style sheet's `.charts.two`), less the card's padding.
pub fn chart_width(main_width: f64) -> f64 {
    const GAP: f64 = 20.0;
    const CARD_PADDING: f64 = 2.0 * 18.0 + 2.0;
    let column = if main_width >= 980.0 {
        (main_width - GAP) / 2.0
    } else {
        main_width
    };
    (column - CARD_PADDING).floor().max(200.0)
}

/// The points drawn per chart for a content area `main_width` pixels wide: one per pixel
/// of a chart's plot.
pub fn drawn_points(main_width: f64) -> usize {
    (crate::geometry::Frame::new(chart_width(main_width)).plot_width() as usize).max(3)
}

/// The content area's width for a viewport `viewport` pixels wide, as the style sheet lays
/// the page out (`.app`: at most 1,320 pixels, 24 pixels of padding each side, 12 up to
/// 720 pixels): what the worker draws the first load at, before the page has measured.
pub fn main_width_of_viewport(viewport: f64) -> f64 {
    let padding = if viewport <= 720.0 { 24.0 } else { 48.0 };
    viewport.min(1_320.0) - padding
}

/// Whether series drawn at `drawn` points should be drawn again for `wanted`: when they
/// are off by more than an eighth (a chart's line looks the same either side of that).
pub fn draw_again(drawn: usize, wanted: usize) -> bool {
    drawn.abs_diff(wanted) > wanted / 8
}

/// The id of the load the page's boot script starts ([`ToWorker::Start`]); the page's own
/// loads count from 1.
pub const START_ID: u32 = 0;

/// The id of a failure of the worker itself rather than of one load (a message it could
/// not read, a crash): it ends whatever the page waits for.
pub const ANY_ID: u32 = u32::MAX;

/// Which of the page's two loads: the data shown, or the previous period compared with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Slot {
    /// The data shown.
    Current,
    /// The previous period.
    Previous,
}

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Sent by the page's boot script (web/boot.js) as soon as the page runs, before its
    /// wasm is compiled: load [`start_plan`] (if any) as load [`START_ID`].
    Start {
        /// The page's `location.href`.
        url: String,
        /// `Date.now()` when the boot script ran.
        now: f64,
        /// The answer of `/healthz` ("" for none) when the URL names no source.
        #[serde(default)]
        health: Option<String>,
        /// The page's width (`innerWidth`), for the points drawn.
        #[serde(default)]
        width: f64,
    },
    /// Load `plan` into `slot` as load `id`, its series downsampled to `points`, and then
    /// find the unusual stretches at `sensitivity` (the page asks for them next).
    Load {
        /// The load's id.
        id: u32,
        /// Which slot.
        slot: Slot,
        /// What to load.
        plan: Plan,
        /// The points drawn per chart.
        points: usize,
        /// The sensitivity of the moment.
        sensitivity: Sensitivity,
    },
    /// Stop load `id` (the page wants something else); no answer.
    Cancel {
        /// The load's id.
        id: u32,
    },
    /// A question about load `id`'s data, answered by [`FromWorker::Told`] with `q`.
    Ask {
        /// The question's number.
        q: u32,
        /// The load it is about.
        id: u32,
        /// The question.
        question: Question,
    },
}

/// Where the crosshair asks for a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PointAt {
    /// The point nearest this time (epoch milliseconds).
    Time(i64),
    /// The point with this index among the resource's points.
    Index(usize),
}

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportKind {
    /// Every point, exact, as CSV.
    Series,
    /// The daily table as CSV.
    Daily,
    /// The unusual stretches as CSV.
    Anomalies,
    /// The raw JSON as received.
    Json,
}

/// A question about a load's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Question {
    /// Every series downsampled to `points` (the charts' width changed).
    Drawn {
        /// The points per chart.
        points: usize,
    },
    /// One exact point of resource `resource`.
    Point {
        /// The resource's index.
        resource: usize,
        /// Which point.
        at: PointAt,
    },
    /// The points of a chart's data table: resource `resource` downsampled to `points`,
    /// exact.
    Table {
        /// The resource's index.
        resource: usize,
        /// How many.
        points: usize,
    },
    /// The unusual stretches at `sensitivity`.
    Anomalies {
        /// The sensitivity.
        sensitivity: Sensitivity,
    },
    /// The cost under the price sheet `sheet` (JSON text).
    Cost {
        /// The sheet.
        sheet: String,
    },
    /// A file to download.
    Export {
        /// Which.
        export: ExportKind,
        /// The price sheet in use (the daily CSV prices the days with it).
        sheet: Option<String>,
        /// The sensitivity of the stretches exported.
        sensitivity: Sensitivity,
    },
}

/// The cost of a load's data under a price sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostView {
    /// The sheet as the core writes it (the file "download sheet" gives).
    pub sheet: String,
    /// The estimate.
    pub estimate: CostEstimate,
    /// The month-end forecast cost (expected, low, high), when there are forecast days.
    pub forecast: Option<(Decimal, Decimal, Decimal)>,
    /// Milliseconds it took.
    pub ms: f64,
}

/// Why there is no cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostError {
    /// The core's message, naming the entry at fault.
    pub message: String,
    /// Whether the sheet itself is not valid (else: it does not fit the data).
    pub invalid_sheet: bool,
}

/// An answer to a [`Question`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Told {
    /// The points are beside the message.
    Drawn,
    /// The point asked for, with its index (`None`: the resource has none).
    Point {
        /// The index and the point.
        point: Option<(usize, DataPoint)>,
    },
    /// A data table's points.
    Table {
        /// The points.
        points: Vec<DataPoint>,
    },
    /// The unusual stretches.
    Anomalies {
        /// The stretches, ranked.
        anomalies: Vec<Anomaly>,
        /// Milliseconds the worker took to find them.
        ms: f64,
    },
    /// The cost.
    Cost {
        /// It, or why not.
        cost: Result<CostView, CostError>,
    },
    /// The file is beside the message (a `Blob`).
    Export {
        /// The end of its name (`_series.csv`).
        suffix: String,
    },
    /// The worker could not answer: the core's message.
    Failed {
        /// Why.
        message: String,
    },
    /// The worker no longer holds that load.
    Gone,
}

/// Why a load failed, with what a person needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoadError {
    /// The service (or the proxy speaking for it) answered with a BCE error body.
    Service {
        /// Its code, message, request id and HTTP status.
        error: ServiceError,
        /// In keys mode, the canonical request the worker signed (for
        /// `SignatureDoesNotMatch`).
        canonical_request: Option<String>,
    },
    /// The request did not get an answer (the proxy is not there, or the network failed).
    Network {
        /// The browser's reason.
        message: String,
    },
    /// An error answer that is not a BCE error body.
    Http {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// A success answer that is not a usage response.
    Parse {
        /// The reader's message, naming the JSON path.
        message: String,
    },
    /// The demo generator or the analysis refused (a message from the core), the keys
    /// could not sign, or the data worker failed.
    Local {
        /// The message.
        message: String,
    },
    /// The load was cancelled; not shown.
    Aborted,
}

impl LoadError {
    /// Whether the proxy refused for want of a sign-in (none yet, or the session ended).
    pub fn is_sign_in_required(&self) -> bool {
        matches!(self, LoadError::Service { error, .. } if error.code == "SignInRequired")
    }
}

/// How long the worker's parts of a load took, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Timings {
    /// Fetching (or generating) and parsing.
    pub fetch_ms: f64,
    /// The analyses and the downsampling.
    pub analyse_ms: f64,
    /// Of which the resource-hours and the forecast.
    pub usage_ms: f64,
    /// Demo runs generated again because two disagreed (JavaScriptCore's fault,
    /// docs/dashboard.md "WebKit").
    pub discarded_runs: u32,
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker is listening (sent once, when its module has started): messages posted
    /// before it would find no handler, so the page holds them until then.
    Ready,
    /// Load `id` has fetched `done` of `total` chunks.
    Progress {
        /// The load's id.
        id: u32,
        /// Chunks done.
        done: usize,
        /// Chunks in all.
        total: usize,
    },
    /// Load `id` is done: what the page shows of it (its drawn points beside).
    Loaded {
        /// The load's id.
        id: u32,
        /// The plan loaded (the start's plan is worked out in the worker: the page checks
        /// it is its own).
        plan: Plan,
        /// What the page shows.
        data: Box<Dataset>,
        /// How long it took.
        timings: Timings,
    },
    /// Load `id` failed.
    Failed {
        /// The load's id.
        id: u32,
        /// Why.
        error: LoadError,
    },
    /// The answer to question `q`.
    Told {
        /// The question's number.
        q: u32,
        /// The answer.
        told: Told,
    },
}

impl FromWorker {
    /// The load id answered ([`ANY_ID`] for `Ready` and answers to questions).
    pub fn id(&self) -> u32 {
        match self {
            FromWorker::Progress { id, .. }
            | FromWorker::Loaded { id, .. }
            | FromWorker::Failed { id, .. } => *id,
            FromWorker::Ready | FromWorker::Told { .. } => ANY_ID,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy_status::{Access, ProxyMode, SignIn};

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn health(sign_in: SignIn, user: Option<&str>, accounts: &[&str]) -> ProxyStatus {
        ProxyStatus::Present {
            mode: ProxyMode::ServerSigned,
            upstream_host: "bec.baidubce.com".into(),
            access: Access {
                sign_in,
                user: user.map(str::to_owned),
                accounts: accounts.iter().map(|a| a.to_string()).collect(),
                default_account: accounts.first().map(|a| a.to_string()),
            },
        }
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
            .timestamp_millis() as f64;
        let query = "?src=demo&range=31d&step=300&seed=7&sensitivity=high";
        let plan = start_plan(&format!("http://h/{query}"), now, &ProxyStatus::Checking).unwrap();
        let view = ViewState::from_query(query);
        assert_eq!(
            PagePlan::Load(plan.clone()),
            plan_for(&view, &ProxyStatus::Absent, day("2024-03-11"), None)
        );
        assert_eq!(
            (plan.begin, plan.end),
            (day("2024-02-10"), day("2024-03-11"))
        );
        assert_eq!(
            plan.source,
            PlanSource::Demo {
                seed: "7".into(),
                step_seconds: 300
            }
        );
    }

    #[test]
    fn the_server_source_starts_with_the_account_the_page_would_choose() {
        let now = 1_700_000_000_000.0;
        let body = health(SignIn::Off, None, &["production", "test"]);
        let plan = start_plan("http://h/?src=proxy&account=test", now, &body).unwrap();
        assert_eq!(
            plan.source,
            PlanSource::Proxy {
                account: Some("test".into())
            }
        );
        // The server's default when the URL names none, or one it does not list.
        let plan = start_plan("http://h/?account=nope", now, &body).unwrap();
        assert_eq!(
            plan.source,
            PlanSource::Proxy {
                account: Some("production".into())
            }
        );
        // Nobody signed in on a server that asks: nothing to load before the sign-in.
        let body = health(SignIn::Password, None, &["production"]);
        assert_eq!(start_plan("http://h/", now, &body), None);
        let body = health(SignIn::Password, Some("alice"), &["production"]);
        assert!(start_plan("http://h/", now, &body).is_some());
    }

    #[test]
    fn no_start_plan_without_what_it_needs() {
        let now = 1_700_000_000_000.0;
        // No source in the URL and no answer of /healthz yet: wait.
        assert_eq!(start_plan("http://h/", now, &ProxyStatus::Checking), None);
        // A static host: the demo.
        assert!(matches!(
            start_plan("http://h/", now, &ProxyStatus::Absent).map(|p| p.source),
            Some(PlanSource::Demo { .. })
        ));
        // Keys live in the page: the worker cannot start on them.
        assert_eq!(
            start_plan("http://h/?src=keys", now, &ProxyStatus::Absent),
            None
        );
        // An invalid custom range: the page shows what is wrong, nothing loads.
        assert_eq!(
            start_plan(
                "http://h/?src=demo&from=2024-02-01&to=2024-01-01",
                now,
                &ProxyStatus::Checking
            ),
            None
        );
    }

    #[test]
    fn keys_sign_for_the_proxys_upstream() {
        let keys = KeyPair {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI".into(),
        };
        let proxy = ProxyStatus::Present {
            mode: ProxyMode::Relay,
            upstream_host: "127.0.0.1:8081".into(),
            access: Access {
                sign_in: SignIn::Off,
                user: None,
                accounts: vec![],
                default_account: None,
            },
        };
        let view = ViewState::from_query("?src=keys");
        let today = day("2024-03-11");
        assert_eq!(plan_for(&view, &proxy, today, None), PagePlan::NeedKeys);
        let PagePlan::Load(plan) = plan_for(&view, &proxy, today, Some(&keys)) else {
            panic!("a plan")
        };
        assert_eq!(
            plan.source,
            PlanSource::Keys {
                keys: keys.clone(),
                host: "127.0.0.1:8081".into()
            }
        );
        assert!(!format!("{plan:?}").contains("wJalrXUtnFEMI"));
    }

    #[test]
    fn drawn_points_follow_the_layout() {
        // One column below 980 pixels, two from there on.
        assert!(drawn_points(900.0) > drawn_points(1000.0));
        assert!(drawn_points(1400.0) > drawn_points(1000.0));
        assert_eq!(drawn_points(0.0), drawn_points(100.0));
    }
}
