//! The root component: the view state (kept in the URL), the proxy check, and the load
//! that turns (source, range) into a [`Dataset`] the views show.
//!
//! Loading: the view state decides a `Plan` (a memo); a [`LocalResource`] loads what
//! the plan asks for, and the page's [`Status`] is derived from the plan and the
//! resource's outcome for that plan (an outcome for an older plan is never shown). A new
//! plan aborts the requests of the old one through its `AbortController`. When the data
//! is shown and the comparison is on, a second resource loads the previous period of the
//! same length in the background. The unusual stretches are a third resource, of the data
//! shown and the sensitivity, whose work waits until the browser has painted the charts
//! (until then the card says it is looking and the charts mark none). After the charts are
//! drawn the page marks `performance.mark('charts-drawn')` and fills
//! `window.__BEC_METRICS__`, and once the stretches are found `anomalies-found` and their
//! time; the root element says where it is in `data-state` ([`Status::name`]), for the
//! end-to-end tests.
//!
//! Access: a proxy with password sign-in and nobody signed in (its `/healthz`), or a data
//! request refused with `SignInRequired`, puts the page in [`Status::SignIn`]: the sign-in
//! form instead of the charts, and no data kept. Signing in or out asks `/healthz` again
//! (who, and which accounts) and starts a new session number, which is part of every load
//! request, so the data is loaded again. On a server that names two accounts or more, the
//! account (the URL's, else the default) is part of the load request too.

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::either::EitherOf5;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal};

use crate::api::{self, LoadError};
use crate::compare::previous_range;
use crate::components::{
    text, AccountPicker, Anomalies, Chart, CostPanel, DailyTable, EmptyState, ErrorPanel,
    ExportMenu, Header, KeyForm, LangToggle, ProgressBar, QualityNotes, RangePicker,
    ResourceToggles, SignInForm, Skeleton, SourceSwitch, ThemeToggle, Totals, UserMenu, ViewToggle,
};
use crate::data_worker;
use crate::dataset::Dataset;
use crate::dom;
use crate::format::format_date;
use crate::i18n::{fill, Lang, T};
use crate::state::{AccountChoice, ProxyStatus, RangeChoice, Source, Theme, ViewState};
use crate::wire::{
    chart_width, draw_again, drawn_points, main_width_of_viewport, plan_for, KeyPair, PagePlan,
    PlanSource, Question, Slot, Told,
};
use bec_usage::analysis::{Anomaly, Sensitivity};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;

/// Where the page is.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Waiting for `/healthz` to know the default source.
    Checking,
    /// The proxy asks for a sign-in (`true`: a session ended).
    SignIn(bool),
    /// "My keys" without keys.
    NeedKeys,
    /// The custom range is not valid.
    InvalidRange,
    /// Loading.
    Loading,
    /// Loaded.
    Ready(Arc<Dataset>),
    /// Failed.
    Failed(Arc<LoadError>),
}

impl Status {
    /// The `data-state` name the end-to-end tests read.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Checking => "checking",
            Status::SignIn(_) => "signin",
            Status::NeedKeys => "keys",
            Status::InvalidRange => "range",
            Status::Loading => "loading",
            Status::Ready(data) if data.is_empty() => "empty",
            Status::Ready(_) => "ready",
            Status::Failed(_) => "error",
        }
    }

    fn data(&self) -> Option<Arc<Dataset>> {
        match self {
            Status::Ready(data) => Some(data.clone()),
            _ => None,
        }
    }
}

/// What to load; a change of it starts a new load.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    Wait,
    SignIn,
    NeedKeys,
    InvalidRange,
    Load(LoadRequest),
}

/// A load: the worker's plan, and the counters that load the same plan again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LoadRequest {
    plan: crate::wire::Plan,
    retry: u32,
    /// Counts sign-ins and sign-outs: a new session loads again.
    session: u32,
}

impl LoadRequest {
    /// The source, as the URL and the benchmark name it.
    fn source(&self) -> Source {
        match self.plan.source {
            PlanSource::Demo { .. } => Source::Demo,
            PlanSource::Proxy { .. } => Source::Proxy,
            PlanSource::Keys { .. } => Source::Keys,
        }
    }

    /// The named account, on a server that names several.
    fn account(&self) -> Option<String> {
        match &self.plan.source {
            PlanSource::Proxy { account } => account.clone(),
            _ => None,
        }
    }
}

/// How long the parts of a load took, for `window.__BEC_METRICS__`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Timings {
    started: f64,
    fetched: f64,
    analysed: f64,
    /// The resource-hours and the forecast, part of `analysed - fetched`.
    usage: f64,
}

/// What a load of the current data gave, with the request it answers.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    request: LoadRequest,
    result: Result<Arc<Dataset>, Arc<LoadError>>,
    timings: Timings,
}

/// What a load of the previous period gave (`None`: nothing to compare), with the
/// request of the current data it belongs to.
#[derive(Debug, Clone, PartialEq)]
struct PreviousOutcome {
    request: LoadRequest,
    data: Option<Arc<Dataset>>,
}

/// The requests of one load in flight, keyed by what they load: aborted when the page
/// wants something else (or goes away).
struct InFlight<K> {
    key: K,
    controller: AbortController,
}

/// Starts a load of `key`: aborts the one in `slot` and returns the new one's signal.
fn start_load<K: 'static>(
    slot: StoredValue<Option<InFlight<K>>, LocalStorage>,
    key: K,
) -> Option<AbortSignal> {
    let controller = AbortController::new().ok()?;
    let signal = controller.signal();
    let replaced = slot
        .try_update_value(|in_flight| in_flight.replace(InFlight { key, controller }))
        .flatten();
    if let Some(old) = replaced {
        old.controller.abort();
    }
    Some(signal)
}

/// Aborts the load in `slot` unless it is of `wanted`.
fn abort_unless<K: PartialEq + 'static>(
    slot: StoredValue<Option<InFlight<K>>, LocalStorage>,
    wanted: Option<&K>,
) {
    let stale = slot
        .try_update_value(|in_flight| {
            if in_flight.as_ref().map(|f| &f.key) != wanted {
                in_flight.take()
            } else {
                None
            }
        })
        .flatten();
    if let Some(stale) = stale {
        stale.controller.abort();
    }
}

/// Loads `request` in the data worker, its series drawn at `points`; the worker goes on
/// to find the unusual stretches at `sensitivity`.
async fn load(
    request: LoadRequest,
    signal: AbortSignal,
    progress: RwSignal<Option<(usize, usize)>>,
    points: usize,
    sensitivity: Sensitivity,
) -> Outcome {
    let started = dom::since_navigation_ms();
    dom::mark("load-start");
    let on_progress = Closure::<dyn Fn(f64, f64)>::new(move |done: f64, total: f64| {
        progress.set(Some((done as usize, total as usize)))
    });
    let result = data_worker::load(
        request.plan.clone(),
        Slot::Current,
        points,
        sensitivity,
        &signal,
        Some(on_progress.as_ref().unchecked_ref()),
    )
    .await;
    drop(on_progress);
    let analysed = dom::since_navigation_ms();
    let (result, fetched, usage) = match result {
        Ok((data, timings)) => (
            Ok(Arc::new(data)),
            analysed - timings.analyse_ms,
            timings.usage_ms,
        ),
        Err(error) => (Err(Arc::new(error)), analysed, 0.0),
    };
    Outcome {
        request,
        result,
        timings: Timings {
            started,
            fetched,
            analysed,
            usage,
        },
    }
}

/// The unusual stretches found in a load's data at a sensitivity, and the time they took.
#[derive(Debug, Clone)]
struct Found {
    data: Arc<Dataset>,
    sensitivity: Sensitivity,
    anomalies: Arc<Vec<Anomaly>>,
    ms: f64,
}

/// The same finding: of the same data (the same `Arc`, not compared item by item).
impl PartialEq for Found {
    fn eq(&self, other: &Found) -> bool {
        Arc::ptr_eq(&self.data, &other.data)
            && self.sensitivity == other.sensitivity
            && Arc::ptr_eq(&self.anomalies, &other.anomalies)
    }
}

/// Fills `window.__BEC_METRICS__` for a load shown, but for the unusual stretches (see
/// [`report_anomalies`]): called in the frame after the views rendered it.
fn report_drawn(outcome: &Outcome, data: &Dataset) {
    dom::mark("charts-drawn");
    let drawn = dom::since_navigation_ms();
    let Timings {
        started,
        fetched,
        analysed,
        usage,
    } = outcome.timings;
    dom::set_metric("usageMs", JsValue::from_f64(usage));
    dom::set_metric("chartsDrawnMs", JsValue::from_f64(drawn));
    dom::set_metric("loadStartMs", JsValue::from_f64(started));
    dom::set_metric("fetchMs", JsValue::from_f64(fetched - started));
    dom::set_metric("analyseMs", JsValue::from_f64(analysed - fetched));
    dom::set_metric("renderMs", JsValue::from_f64(drawn - analysed));
    dom::set_metric("points", JsValue::from_f64(data.point_count as f64));
    dom::set_metric("resources", JsValue::from_f64(data.resources.len() as f64));
    dom::set_metric("source", JsValue::from_str(outcome.request.source().code()));
}

/// Marks `performance.mark('anomalies-found')` and fills `anomaliesMs` and `analysesMs` of
/// `window.__BEC_METRICS__` once the unusual stretches of the load shown are found, after
/// the charts were painted: `usage_ms` is the load's resource-hours and forecast.
fn report_anomalies(usage_ms: f64, anomalies_ms: f64) {
    dom::mark("anomalies-found");
    // The four new analyses: resource-hours and forecast (in the load), anomalies (a
    // resource of the data and the sensitivity) and the cost (the cost panel's memo, when
    // a sheet is loaded).
    let cost = dom::metric("costMs").unwrap_or(0.0);
    dom::set_metric("anomaliesMs", JsValue::from_f64(anomalies_ms));
    dom::set_metric(
        "analysesMs",
        JsValue::from_f64(usage_ms + anomalies_ms + cost),
    );
}

/// Everything the page knows and does, apart from its view: the view state, the proxy
/// check, the load and what the views read of them. Created before the view, so that the
/// first data request does not wait for the page to be built.
#[derive(Clone, Copy)]
struct PageState {
    /// Today in Beijing time.
    today: NaiveDate,
    /// The page's language.
    lang: Signal<Lang>,
    /// The source in use, once known.
    source: Signal<Option<Source>>,
    /// What is known of the proxy.
    proxy_status: Signal<ProxyStatus>,
    /// The signed-in user, if any.
    user: Signal<Option<String>>,
    /// Whether the user can sign out here (password sign-in).
    can_sign_out: Signal<bool>,
    /// The accounts to choose from (none for fewer than two, or another source).
    accounts: Signal<Vec<String>>,
    /// The account in use, and one the URL names that the server does not list.
    account_choice: Memo<AccountChoice>,
    /// The named account of the data shown, if any.
    shown_account: Signal<Option<String>>,
    /// The theme in effect.
    theme: Signal<Theme>,
    /// Where the page is.
    status: Memo<Status>,
    /// The data shown, if any.
    data: Signal<Option<Arc<Dataset>>>,
    /// The account of the data shown.
    account: Signal<Option<String>>,
    /// The range in the view state.
    range: Signal<RangeChoice>,
    /// Whether the previous period is compared.
    compare: Signal<bool>,
    /// Whether the forecast is shown.
    forecast: Signal<bool>,
    /// The anomaly sensitivity.
    sensitivity: Signal<Sensitivity>,
    /// The unusual stretches of the data shown at that sensitivity (`None`: looking).
    anomalies: Signal<Option<Arc<Vec<Anomaly>>>>,
    /// The price sheet in use, as text (kept in local storage).
    price_sheet: Signal<Option<String>>,
    /// The hidden resources.
    hidden: Signal<Vec<String>>,
    /// Chunks loaded and in all, while loading.
    progress: RwSignal<Option<(usize, usize)>>,
    /// The previous period, once loaded.
    previous: Signal<Option<Arc<Dataset>>>,
    /// Whether the previous period is loading.
    previous_loading: Signal<bool>,
    /// The access key id in use.
    active_key: Signal<Option<String>>,
    /// The content area, measured for the charts' width.
    main_ref: NodeRef<html::Main>,
    /// A chart's width.
    width: Signal<f64>,
    /// Whether the charts are in two columns.
    two_columns: Signal<bool>,
    /// Chooses a source.
    on_source: Callback<Source>,
    /// Chooses a language.
    on_lang: Callback<Lang>,
    /// Chooses a theme.
    on_theme: Callback<Theme>,
    /// Chooses a range.
    on_range: Callback<RangeChoice>,
    /// Turns the comparison on or off.
    on_compare: Callback<bool>,
    /// Turns the forecast on or off.
    on_forecast: Callback<bool>,
    /// Chooses the anomaly sensitivity.
    on_sensitivity: Callback<Sensitivity>,
    /// Uses a price sheet, or removes it.
    on_sheet: Callback<Option<String>>,
    /// Shows or hides a resource.
    on_toggle: Callback<(String, bool)>,
    /// Shows every resource.
    on_show_all: Callback<()>,
    /// Loads again.
    on_retry: Callback<()>,
    /// Uses new keys, or forgets them.
    on_keys: Callback<Option<KeyPair>>,
    /// Chooses an account by name.
    on_account: Callback<String>,
    /// Takes a sign-in: the user and what `/healthz` says now.
    on_signed_in: Callback<(String, ProxyStatus)>,
    /// Signs out.
    on_sign_out: Callback<()>,
}

impl PageState {
    /// Creates the state and starts what it loads.
    fn new(initial: ViewState, sync_url: bool, proxy: Option<ProxyStatus>) -> PageState {
        let today = dom::today_beijing();
        let browser_lang = dom::browser_lang();
        let system_theme = dom::system_theme();
        let view_state = RwSignal::new(initial);
        let proxy = proxy.or_else(api::proxy_known_at_start);
        if proxy.is_some() {
            dom::mark("proxy-known");
        }
        let proxy_status = RwSignal::new(proxy.clone().unwrap_or(ProxyStatus::Checking));
        if proxy.is_none() {
            // Once, at the start (boot.js asked already): no need to abort or re-run.
            spawn_local(async move {
                let status = api::check_proxy().await;
                dom::mark("proxy-known");
                proxy_status.set(status);
            });
        }
        // Counts sign-ins and sign-outs (part of every load request).
        let session = RwSignal::new(0u32);

        let lang = Signal::derive(move || view_state.with(|v| v.lang).unwrap_or(browser_lang));
        let source = Signal::derive(move || {
            view_state
                .with(|v| v.source)
                .or_else(|| proxy_status.with(ProxyStatus::default_source))
        });
        let theme = Signal::derive(move || view_state.with(|v| v.theme).unwrap_or(system_theme));

        // Keys live here, in memory only; a version number tells the plan they changed.
        // Keys live here, in memory only (and in local storage when the person asked), and
        // go to the worker with each load of the keys source.
        let keys = RwSignal::new(dom::remembered_keys().map(
            |(access_key_id, secret_access_key)| KeyPair {
                access_key_id,
                secret_access_key,
            },
        ));
        let active_key =
            Signal::derive(move || keys.with(|k| k.as_ref().map(|k| k.access_key_id.clone())));
        let retry = RwSignal::new(0u32);

        // The account: decided once the proxy says who is signed in and what they see;
        // until then (or without a sign-in yet) the URL's choice stands.
        let account_choice = Memo::new(move |_| {
            view_state.with(|v| {
                proxy_status.with(|p| match p.access() {
                    Some(access) if !access.asks_sign_in() => {
                        access.choose_account(v.account.as_deref())
                    }
                    _ => AccountChoice::default(),
                })
            })
        });

        let plan = Memo::new(move |_| {
            let plan = view_state
                .with(|v| proxy_status.with(|p| keys.with(|k| plan_for(v, p, today, k.as_ref()))));
            match plan {
                PagePlan::Wait => Plan::Wait,
                PagePlan::SignIn => Plan::SignIn,
                PagePlan::NeedKeys => Plan::NeedKeys,
                PagePlan::InvalidRange => Plan::InvalidRange,
                PagePlan::Load(plan) => Plan::Load(LoadRequest {
                    plan,
                    retry: retry.get(),
                    session: session.get(),
                }),
            }
        });

        // The content area's width decides the charts' width, and the points the worker
        // draws; until the page is measured, it is estimated from the viewport's.
        let main_ref = NodeRef::<html::Main>::new();
        let main_width = RwSignal::new(0.0f64);
        let points_wanted = move || {
            let measured = main_width.get_untracked();
            drawn_points(if measured > 0.0 {
                measured
            } else {
                main_width_of_viewport(dom::viewport_width())
            })
        };

        // The current data: loaded for each new plan.
        let progress = RwSignal::new(None::<(usize, usize)>);
        let in_flight = StoredValue::new_local(None::<InFlight<LoadRequest>>);
        let current = LocalResource::new(move || {
            let request = match plan.get() {
                Plan::Load(request) => Some(request),
                _ => None,
            };
            let started = request.and_then(|request| {
                let signal = start_load(in_flight, request.clone())?;
                progress.set(None);
                Some((request, signal))
            });
            // The worker finds the unusual stretches at the sensitivity of the moment.
            let sensitivity = view_state.with_untracked(|v| v.sensitivity);
            let points = points_wanted();
            async move {
                let (request, signal) = started?;
                let outcome = load(request, signal, progress, points, sensitivity).await;
                progress.set(None);
                Some(outcome)
            }
        });
        // The resource loads one plan after the other: what a new plan makes unwanted is
        // aborted at once, so that it ends (as `Aborted`) and the new load can start.
        Effect::new(move |_| {
            plan.with(|plan| {
                let wanted = match plan {
                    Plan::Load(request) => Some(request),
                    _ => None,
                };
                abort_unless(in_flight, wanted);
            })
        });
        on_cleanup(move || abort_unless(in_flight, None));

        // The outcome of the current plan, once there is one.
        let shown = Memo::new(move |_| {
            let Plan::Load(request) = plan.get() else {
                return None;
            };
            current
                .get()
                .flatten()
                .filter(|outcome| outcome.request == request)
        });
        let status = Memo::new(move |_| match plan.get() {
            Plan::Wait => Status::Checking,
            Plan::SignIn => Status::SignIn(false),
            Plan::NeedKeys => Status::NeedKeys,
            Plan::InvalidRange => Status::InvalidRange,
            Plan::Load(_) => match shown.get().map(|outcome| outcome.result) {
                None => Status::Loading,
                Some(Ok(data)) => Status::Ready(data),
                // Aborted only when no longer wanted: a newer plan is loading.
                Some(Err(error)) if *error == LoadError::Aborted => Status::Loading,
                // The session ended: sign in again, where the page can ask.
                Some(Err(error))
                    if error.is_sign_in_required()
                        && proxy_status.with(ProxyStatus::has_password_sign_in) =>
                {
                    Status::SignIn(true)
                }
                Some(Err(error)) => Status::Failed(error),
            },
        });
        // The data as loaded, and as shown: drawn again by the worker when the charts'
        // width changed by more than an eighth.
        let loaded = Signal::derive(move || status.with(Status::data));
        let points_now = Memo::new(move |_| {
            let width = main_width.get();
            (width > 0.0).then(|| drawn_points(width))
        });
        let redrawn = LocalResource::new(move || {
            let data = loaded.get();
            let wanted = points_now.get();
            async move {
                let (data, wanted) = (data?, wanted?);
                if !draw_again(data.drawn_points, wanted) {
                    return None;
                }
                let drawn = data_worker::drawn(data.load, wanted).await?;
                let mut again = (*data).clone();
                for (resource, drawn) in again.resources.iter_mut().zip(drawn) {
                    resource.drawn = drawn;
                }
                again.drawn_points = wanted;
                Some(Arc::new(again))
            }
        });
        let data = Signal::derive(move || {
            let loaded = loaded.get()?;
            let again = redrawn
                .get()
                .flatten()
                .filter(|again| again.load == loaded.load);
            Some(again.unwrap_or(loaded))
        });

        // The unusual stretches: once per load and sensitivity, with the time they took,
        // computed after the browser painted what the page shows then (the charts without
        // their markers), so that they are not on the way to the charts.
        let sensitivity = Signal::derive(move || view_state.with(|v| v.sensitivity));
        let finding = LocalResource::new(move || {
            let sensitivity = sensitivity.get();
            let data = loaded.get();
            async move {
                let data = data?;
                // The worker found them after sending the data, at the sensitivity of the
                // moment; at another it looks now. Without them (an absurd sum, a worker
                // that went away) the page simply marks none.
                let (anomalies, ms) =
                    match data_worker::ask(data.load, Question::Anomalies { sensitivity }).await {
                        (Told::Anomalies { anomalies, ms }, _) => (anomalies, ms),
                        _ => (Vec::new(), 0.0),
                    };
                let anomalies = Arc::new(anomalies);
                Some(Found {
                    data,
                    sensitivity,
                    anomalies,
                    ms,
                })
            }
        });
        // What was found for the data shown at the sensitivity chosen (`None` while looking:
        // a result for other data or another sensitivity is never shown).
        let found = Memo::new(move |_| {
            let sensitivity = sensitivity.get();
            let found = finding.get().flatten()?;
            let current = loaded.with(|d| d.as_ref().is_some_and(|d| Arc::ptr_eq(d, &found.data)));
            (current && found.sensitivity == sensitivity).then_some(found)
        });
        let anomalies =
            Signal::derive(move || found.with(|f| f.as_ref().map(|f| f.anomalies.clone())));

        // The benchmark's marks, once the frame after the views rendered a new load.
        Effect::new(move |_| {
            let Some(outcome) = shown.get() else { return };
            let Ok(data) = outcome.result.clone() else {
                return;
            };
            request_animation_frame(move || {
                let still_shown = shown.with_untracked(|s| s.as_ref() == Some(&outcome));
                if still_shown {
                    report_drawn(&outcome, &data);
                }
            });
        });
        // And once the unusual stretches of the load shown are found (again for another
        // sensitivity).
        Effect::new(move |_| {
            found.with(|found| {
                let Some(found) = found else { return };
                let usage = shown.with_untracked(|s| {
                    let outcome = s.as_ref()?;
                    let data = outcome.result.as_ref().ok()?;
                    Arc::ptr_eq(data, &found.data).then_some(outcome.timings.usage)
                });
                if let Some(usage) = usage {
                    report_anomalies(usage, found.ms);
                }
            })
        });

        // The previous period, in the background, once the current one is shown.
        let compare = Signal::derive(move || view_state.with(|v| v.compare));
        let previous_request = Memo::new(move |_| {
            if !compare.get() {
                return None;
            }
            let outcome = shown.get()?;
            outcome.result.is_ok().then_some(outcome.request)
        });
        let previous_in_flight = StoredValue::new_local(None::<InFlight<LoadRequest>>);
        let previous_load = LocalResource::new(move || {
            let started = previous_request.get().and_then(|request| {
                let signal = start_load(previous_in_flight, request.clone())?;
                Some((request, signal))
            });
            let (points, sensitivity) = (points_wanted(), sensitivity.get_untracked());
            async move {
                let (request, signal) = started?;
                let (begin, end) = previous_range(request.plan.begin, request.plan.end);
                let plan = crate::wire::Plan {
                    begin,
                    end,
                    ..request.plan.clone()
                };
                let loaded =
                    data_worker::load(plan, Slot::Previous, points, sensitivity, &signal, None)
                        .await;
                // Without the previous period the page simply shows no comparison.
                let data = loaded.ok().map(|(data, _)| Arc::new(data));
                Some(PreviousOutcome { request, data })
            }
        });
        Effect::new(move |_| {
            previous_request.with(|wanted| abort_unless(previous_in_flight, wanted.as_ref()))
        });
        on_cleanup(move || abort_unless(previous_in_flight, None));
        let previous_outcome = Memo::new(move |_| {
            let wanted = previous_request.get()?;
            previous_load
                .get()
                .flatten()
                .filter(|outcome| outcome.request == wanted)
        });
        let previous = Signal::derive(move || previous_outcome.get().and_then(|o| o.data));
        let previous_loading = Signal::derive(move || {
            previous_request.with(Option::is_some) && previous_outcome.with(Option::is_none)
        });

        // The URL, the document's language, theme and title follow the view state.
        Effect::new(move |_| {
            let lang = lang.get();
            view_state.with(|v| {
                if sync_url {
                    // An account the server does not list leaves the URL (a note says so).
                    if account_choice.with(|c| c.unknown.is_some()) {
                        let shown = ViewState {
                            account: None,
                            ..v.clone()
                        };
                        dom::replace_query(&shown.to_query());
                    } else {
                        dom::replace_query(&v.to_query());
                    }
                }
                dom::set_document_language_and_theme(lang, v.theme);
                let title = T::AppTitle.get(lang);
                dom::set_title(&match v.range.dates(today) {
                    Some((begin, end)) => {
                        format!("{title} · {} – {}", format_date(begin), format_date(end))
                    }
                    None => title.to_owned(),
                });
            });
        });

        let measure = move || {
            if let Some(main) = main_ref.get_untracked() {
                let width = f64::from(main.client_width());
                if width > 0.0 && (width - main_width.get_untracked()).abs() >= 1.0 {
                    main_width.set(width);
                }
            }
        };
        // Measured in the next frame, when the browser lays the page out anyway: measuring at
        // mount would force a layout before the first data request goes out.
        Effect::new(move |_| {
            if main_ref.get().is_some() {
                request_animation_frame(measure);
            }
        });
        let resize = window_event_listener(leptos::ev::resize, move |_| measure());
        on_cleanup(move || resize.remove());
        let two_columns = Signal::derive(move || main_width.get() >= 980.0);
        let width = Signal::derive(move || chart_width(main_width.get()));

        let on_source = Callback::new(move |s: Source| view_state.update(|v| v.source = Some(s)));
        let on_lang = Callback::new(move |l: Lang| view_state.update(|v| v.lang = Some(l)));
        let on_theme = Callback::new(move |t: Theme| view_state.update(|v| v.theme = Some(t)));
        let on_range = Callback::new(move |r: RangeChoice| view_state.update(|v| v.range = r));
        let on_compare = Callback::new(move |c: bool| view_state.update(|v| v.compare = c));
        let forecast = Signal::derive(move || view_state.with(|v| v.forecast));
        let on_forecast = Callback::new(move |f: bool| view_state.update(|v| v.forecast = f));
        let on_sensitivity =
            Callback::new(move |s: Sensitivity| view_state.update(|v| v.sensitivity = s));
        // The price sheet: read from local storage at the start, kept there on change.
        let price_sheet = RwSignal::new(dom::stored_price_sheet());
        let on_sheet = Callback::new(move |text: Option<String>| {
            dom::store_price_sheet(text.as_deref());
            price_sheet.set(text);
        });
        let on_toggle = Callback::new(move |(name, shown): (String, bool)| {
            view_state.update(|v| v.set_shown(&name, shown))
        });
        let on_show_all = Callback::new(move |()| view_state.update(|v| v.hidden.clear()));
        let on_retry = Callback::new(move |()| retry.update(|r| *r += 1));
        let on_keys = Callback::new(move |pair: Option<KeyPair>| keys.set(pair));
        let on_account =
            Callback::new(move |name: String| view_state.update(|v| v.account = Some(name)));
        let on_signed_in = Callback::new(move |(user, status): (String, ProxyStatus)| {
            // Without a new answer of /healthz, the sign-in's own answer says who.
            let status = match status {
                ProxyStatus::Present { .. } => status,
                _ => {
                    let mut known = proxy_status.get_untracked();
                    known.set_user(Some(user));
                    known
                }
            };
            session.update(|s| *s += 1);
            proxy_status.set(status);
        });
        let on_sign_out = Callback::new(move |()| {
            // At once: the data leaves the page and the form shows.
            proxy_status.update(|p| p.set_user(None));
            session.update(|s| *s += 1);
            spawn_local(async move {
                let _ = api::sign_out().await;
                let status = api::refresh_health().await;
                if matches!(status, ProxyStatus::Present { .. }) {
                    proxy_status.set(status);
                }
            });
        });

        let hidden = Signal::derive(move || view_state.with(|v| v.hidden.clone()));
        let range = Signal::derive(move || view_state.with(|v| v.range.clone()));
        let account =
            Signal::derive(move || data.with(|d| d.as_ref().map(|d| d.account_id.clone())));
        let user = Signal::derive(move || {
            if matches!(status.get(), Status::SignIn(_)) {
                return None;
            }
            proxy_status.with(|p| p.access().and_then(|a| a.user.clone()))
        });
        let can_sign_out =
            Signal::derive(move || proxy_status.with(ProxyStatus::has_password_sign_in));
        let accounts = Signal::derive(move || {
            if source.get() != Some(Source::Proxy) {
                return Vec::new();
            }
            proxy_status.with(|p| match p.access() {
                Some(a) if a.has_named_accounts() && !a.asks_sign_in() => a.accounts.clone(),
                _ => Vec::new(),
            })
        });
        let shown_account =
            Signal::derive(move || shown.with(|o| o.as_ref().and_then(|o| o.request.account())));
        let proxy_status = Signal::from(proxy_status);
        PageState {
            today,
            lang,
            source,
            proxy_status,
            user,
            can_sign_out,
            accounts,
            account_choice,
            shown_account,
            theme,
            status,
            data,
            account,
            range,
            compare,
            forecast,
            sensitivity,
            anomalies,
            price_sheet: price_sheet.into(),
            hidden,
            progress,
            previous,
            previous_loading,
            active_key,
            main_ref,
            width,
            two_columns,
            on_source,
            on_lang,
            on_theme,
            on_range,
            on_compare,
            on_forecast,
            on_sensitivity,
            on_sheet,
            on_toggle,
            on_show_all,
            on_retry,
            on_keys,
            on_account,
            on_signed_in,
            on_sign_out,
        }
    }
}

/// Mounts the dashboard on `<body>` with the view state of the page's URL.
pub fn start() {
    // For the benchmark's boot figure: when the wasm started, and when the page was built.
    dom::mark("app-start");
    let initial = ViewState::from_query(&dom::current_query());
    // The executor the resources' futures run on (mounting would set it, but later).
    let _ = any_spawner::Executor::init_wasm_bindgen();
    // The state first, under an owner that lives as long as the page (hence forgotten):
    // its load starts in the next turn of the microtask queue, and the page is built in
    // the turn after it, so the first data request goes out before the browser spends
    // tens of milliseconds on some hundred elements.
    let owner = Owner::new();
    let state = owner.with(|| PageState::new(initial, true, None));
    std::mem::forget(owner);
    spawn_local(async move {
        leptos::mount::mount_to_body(move || page(state));
        dom::mark("app-mounted");
    });
}

/// The dashboard.
#[component]
pub fn App(
    /// The view state to start from (the URL's, on the page).
    initial: ViewState,
    /// Whether to keep the URL in step with the view state.
    #[prop(optional)]
    sync_url: bool,
    /// What is known of the proxy; asked of `/healthz` when not given.
    #[prop(optional)]
    proxy: Option<ProxyStatus>,
) -> impl IntoView {
    page(PageState::new(initial, sync_url, proxy))
}

/// The page of a state.
fn page(state: PageState) -> impl IntoView {
    let PageState {
        today,
        lang,
        source,
        proxy_status,
        user,
        can_sign_out,
        accounts,
        account_choice,
        shown_account,
        theme,
        status,
        data,
        account,
        range,
        compare,
        forecast,
        sensitivity,
        anomalies,
        price_sheet,
        hidden,
        progress,
        previous,
        previous_loading,
        active_key,
        main_ref,
        width,
        two_columns,
        on_source,
        on_lang,
        on_theme,
        on_range,
        on_compare,
        on_forecast,
        on_sensitivity,
        on_sheet,
        on_toggle,
        on_show_all,
        on_retry,
        on_keys,
        on_account,
        on_signed_in,
        on_sign_out,
    } = state;
    // What is in the content area: one view per status, built again only when the status
    // changes (a new load, a failure), never for a change of language.
    let content = move || match status.get() {
        waiting @ (Status::Checking | Status::Loading) => {
            let message = if waiting == Status::Checking {
                T::Checking
            } else {
                T::Loading
            };
            EitherOf5::A(view! { <Skeleton message=message lang=lang /> })
        }
        Status::NeedKeys => EitherOf5::B(view! { <EmptyState message=T::KeysNeeded lang=lang /> }),
        Status::InvalidRange => {
            EitherOf5::B(view! { <EmptyState message=T::FixRange lang=lang /> })
        }
        Status::Ready(data) if data.is_empty() => {
            EitherOf5::B(view! { <EmptyState message=T::Empty hint=T::EmptyHint lang=lang /> })
        }
        Status::Ready(data) => EitherOf5::C(view! {
            <Dashboard
                data=data
                hidden=hidden
                forecast=forecast
                sensitivity=sensitivity
                anomalies=anomalies
                price_sheet=price_sheet
                on_sensitivity=on_sensitivity
                on_sheet=on_sheet
                previous=previous
                previous_loading=previous_loading
                width=width
                two_columns=two_columns
                lang=lang
                on_toggle=on_toggle
                on_show_all=on_show_all
            />
        }),
        Status::Failed(error) => {
            EitherOf5::D(view! { <ErrorPanel error=error lang=lang on_retry=on_retry /> })
        }
        Status::SignIn(expired) => EitherOf5::E(view! {
            <SignInForm lang=lang expired=expired on_signed_in=on_signed_in />
        }),
    };
    let signing_in = move || matches!(status.get(), Status::SignIn(_));
    // A URL's account the server does not list: the note says what is shown instead.
    let account_note = move || {
        if source.get() != Some(Source::Proxy) {
            return None;
        }
        let AccountChoice { account, unknown } = account_choice.get();
        let unknown = unknown?;
        let lang = lang.get();
        Some(match account {
            Some(shown) => fill(
                T::AccountUnknown.get(lang),
                &[("account", &unknown), ("shown", &shown)],
            ),
            None => fill(T::AccountUnknownDefault.get(lang), &[("account", &unknown)]),
        })
    };
    // With the picker, the account's name is in the header and its id in the picker's
    // tooltip.
    let header_account = Signal::derive(move || {
        if accounts.with(Vec::is_empty) {
            account.get()
        } else {
            None
        }
    });
    let chosen_account = Signal::derive(move || account_choice.with(|c| c.account.clone()));

    view! {
        <div class="app" data-testid="app" data-state=move || status.with(Status::name)>
            <Header lang=lang account=header_account>
                <AccountPicker
                    lang=lang
                    accounts=accounts
                    account=chosen_account
                    account_id=account
                    on_change=on_account
                />
                <UserMenu lang=lang user=user can_sign_out=can_sign_out on_sign_out=on_sign_out />
                <SourceSwitch source=source proxy=proxy_status lang=lang on_change=on_source />
                <LangToggle lang=lang on_change=on_lang />
                <ThemeToggle theme=theme lang=lang on_change=on_theme />
            </Header>
            <p class="banner" data-testid="demo-banner" hidden=move || source.get() != Some(Source::Demo)>
                {text(lang, T::DemoBanner)}
            </p>
            <p class="banner warn" role="status" data-testid="account-note" hidden=move || account_note().is_none()>
                {move || account_note().unwrap_or_default()}
            </p>
            <section class="card toolbar" hidden=signing_in>
                <RangePicker range=range today=today lang=lang on_change=on_range />
                <div class="toolbar-row">
                    <ViewToggle on=compare label=T::Compare test_id="compare-toggle" lang=lang on_change=on_compare />
                    <ViewToggle on=forecast label=T::Forecast test_id="forecast-toggle" lang=lang on_change=on_forecast />
                    <ExportMenu
                        data=data
                        account=shown_account
                        sheet=price_sheet
                        anomalies=anomalies
                        sensitivity=sensitivity
                        lang=lang
                    />
                </div>
                <ProgressBar progress=progress lang=lang />
            </section>
            <Show when=move || source.get() == Some(Source::Keys) && !signing_in()>
                <KeyForm active_key=active_key lang=lang on_keys=on_keys />
            </Show>
            <main class="content" node_ref=main_ref>{content}</main>
            <footer class="foot muted small">{text(lang, T::Footer)}</footer>
        </div>
    }
}

/// The loaded data: the resource chips, a chart per resource, the daily table and the
/// data-quality notes.
#[component]
#[allow(clippy::too_many_arguments)]
fn Dashboard(
    data: Arc<Dataset>,
    hidden: Signal<Vec<String>>,
    forecast: Signal<bool>,
    sensitivity: Signal<Sensitivity>,
    anomalies: Signal<Option<Arc<Vec<Anomaly>>>>,
    price_sheet: Signal<Option<String>>,
    on_sensitivity: Callback<Sensitivity>,
    on_sheet: Callback<Option<String>>,
    previous: Signal<Option<Arc<Dataset>>>,
    previous_loading: Signal<bool>,
    width: Signal<f64>,
    two_columns: Signal<bool>,
    lang: Signal<Lang>,
    on_toggle: Callback<(String, bool)>,
    on_show_all: Callback<()>,
) -> impl IntoView {
    let names: Vec<String> = data.resources.iter().map(|r| r.name.clone()).collect();
    // The charts mark none while the stretches are being looked for.
    let marked = Signal::derive(move || anomalies.get().unwrap_or_default());
    let charts = names
        .iter()
        .cloned()
        .enumerate()
        .map(|(index, name)| {
            let shown = move || !hidden.with(|h| h.contains(&name));
            view! {
                <div class="chart-slot" hidden=move || !shown()>
                    <Chart
                        data=data.clone()
                        index=index
                        width=width
                        lang=lang
                        previous=previous
                        forecast=forecast
                        anomalies=marked
                    />
                </div>
            }
        })
        .collect_view();
    view! {
        <ResourceToggles names=names hidden=hidden lang=lang on_toggle=on_toggle on_show_all=on_show_all />
        <p class="muted small loading-previous" hidden=move || !previous_loading.get()>
            {text(lang, T::LoadingPrevious)}
        </p>
        <div class="charts" class:two=move || two_columns.get() data-testid="charts">
            {charts}
        </div>
        <Totals data=data.clone() hidden=hidden forecast=forecast lang=lang />
        <CostPanel data=data.clone() sheet=price_sheet on_sheet=on_sheet forecast=forecast lang=lang />
        <Anomalies
            data=data.clone()
            anomalies=anomalies
            sensitivity=sensitivity
            on_sensitivity=on_sensitivity
            lang=lang
        />
        <DailyTable data=data.clone() hidden=hidden lang=lang />
        <QualityNotes notes=data.notes.clone() lang=lang />
    }
}
