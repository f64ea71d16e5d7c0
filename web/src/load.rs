//! The load: what the page's settings and session ask for (a plan, worked out by
//! `wire::plan_for`), the load in flight in the data worker, its answers, and where the
//! page is ([`Status`]), provided to the views as [`Loaded`].
//!
//! The plan is a memo; a [`LocalResource`] loads what it asks for, and the status is
//! derived from the plan and the resource's outcome for that plan (an outcome for an older
//! plan is never shown). A new plan aborts the load of the old one through its
//! `AbortController` (the worker is told to cancel). When the data is shown and the
//! comparison is on, the previous period of the same length loads in the background. The
//! unusual stretches are a third resource, of the data shown and the sensitivity. After
//! the charts are drawn the page marks `performance.mark('charts-drawn')` and fills
//! `window.__BEC_METRICS__`, and once the stretches are found `anomalies-found`.
//!
//! A proxy asking for a sign-in, or a data request refused with `SignInRequired`, is
//! [`Status::SignIn`]: the sign-in form instead of the charts, and no data kept.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal};

use crate::api::LoadError;
use crate::app::{Layout, Session, Settings};
use crate::compare::previous_range;
use crate::data_worker;
use crate::dataset::Dataset;
use crate::dom;
use crate::proxy_status::ProxyStatus;
use crate::state::Source;
use crate::wire::{draw_again, drawn_points, plan_for, PagePlan, PlanSource, Question, Slot, Told};
use bec_usage::analysis::{Anomaly, Sensitivity};

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
    if let Ok((_, timings)) = &result {
        // For the WebKit checks (tests/e2e/webkit-loads.mjs): the engine's fault caught.
        let runs = dom::metric("discardedRuns").unwrap_or(0.0);
        let runs = runs + f64::from(timings.discarded_runs);
        dom::set_metric("discardedRuns", JsValue::from_f64(runs));
    }
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

/// The loaded data and where the load is: a context of the page.
#[derive(Debug, Clone, Copy)]
pub struct Loaded {
    /// Where the page is.
    pub status: Memo<Status>,
    /// The data shown, if any (drawn at the charts' width).
    pub data: Signal<Option<Arc<Dataset>>>,
    /// The account id of the data shown.
    pub account: Signal<Option<String>>,
    /// The named account of the data shown, if any.
    pub shown_account: Signal<Option<String>>,
    /// The unusual stretches of the data shown at the sensitivity chosen (`None`: looking).
    pub anomalies: Signal<Option<Arc<Vec<Anomaly>>>>,
    /// Chunks loaded and in all, while loading.
    pub progress: RwSignal<Option<(usize, usize)>>,
    /// The previous period, once loaded.
    pub previous: Signal<Option<Arc<Dataset>>>,
    /// Whether the previous period is loading.
    pub previous_loading: Signal<bool>,
    /// Loads again.
    pub on_retry: Callback<()>,
}

impl Loaded {
    /// Starts loading what `settings` and `session` ask for, the charts drawn at
    /// `layout`'s width.
    pub fn new(settings: Settings, session: Session, layout: Layout) -> Loaded {
        let retry = RwSignal::new(0u32);
        // A worker that crashed after loading took the data shown with it: load it again,
        // or, when that keeps happening, say why (until a new load).
        let lost = RwSignal::new(None::<Arc<LoadError>>);
        data_worker::when_data_lost(move |gave_up| match gave_up {
            None => {
                retry.try_update(|r| *r += 1);
            }
            Some(message) => {
                lost.try_set(Some(Arc::new(LoadError::Local { message })));
            }
        });
        let plan = Memo::new(move |_| {
            let plan = settings.view_state.with(|v| {
                session.proxy_status.with(|p| {
                    session
                        .keys
                        .with(|k| plan_for(v, p, settings.today, k.as_ref()))
                })
            });
            match plan {
                PagePlan::Wait => Plan::Wait,
                PagePlan::SignIn => Plan::SignIn,
                PagePlan::NeedKeys => Plan::NeedKeys,
                PagePlan::InvalidRange => Plan::InvalidRange,
                PagePlan::Load(plan) => Plan::Load(LoadRequest {
                    plan,
                    retry: retry.get(),
                    session: session.signed.get(),
                }),
            }
        });

        let main_width = layout.main_width;
        let points_wanted = move || {
            let measured = main_width.get_untracked();
            drawn_points(if measured > 0.0 {
                measured
            } else {
                crate::wire::main_width_of_viewport(dom::viewport_width())
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
                lost.set(None);
                Some((request, signal))
            });
            // The worker finds the unusual stretches at the sensitivity of the moment.
            let sensitivity = settings.sensitivity.get_untracked();
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
            // The worker keeps crashing after it loads (data_worker::when_data_lost).
            Plan::Load(_) if let Some(error) = lost.get() => Status::Failed(error),
            Plan::Load(_) => match shown.get().map(|outcome| outcome.result) {
                None => Status::Loading,
                Some(Ok(data)) => Status::Ready(data),
                // Aborted only when no longer wanted: a newer plan is loading.
                Some(Err(error)) if *error == LoadError::Aborted => Status::Loading,
                // The session ended: sign in again, where the page can ask.
                Some(Err(error))
                    if error.is_sign_in_required()
                        && session.proxy_status.with(ProxyStatus::has_password_sign_in) =>
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
        let sensitivity = settings.sensitivity;
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
        let compare = settings.compare;
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

        let account =
            Signal::derive(move || data.with(|d| d.as_ref().map(|d| d.account_id.clone())));
        let shown_account =
            Signal::derive(move || shown.with(|o| o.as_ref().and_then(|o| o.request.account())));
        Loaded {
            status,
            data,
            account,
            shown_account,
            anomalies,
            progress,
            previous,
            previous_loading,
            on_retry: Callback::new(move |()| {
                lost.set(None);
                retry.update(|r| *r += 1);
            }),
        }
    }
}
