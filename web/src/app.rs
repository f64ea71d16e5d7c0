//! The root component: the view state (kept in the URL), the proxy check, and the load
//! pipeline that turns (source, range) into a [`Dataset`] the views show.
//!
//! Loading: a change of source, range, keys or a retry starts a new load and aborts the
//! one in flight (its `AbortController`; a generation counter drops anything that still
//! arrives). When the data is shown and the comparison is on, the previous period of the
//! same length loads in the background. After the charts are drawn the page marks
//! `performance.mark('charts-drawn')` and fills `window.__BEC_METRICS__`; the root element
//! says where it is in `data-state` (`checking`, `loading`, `ready`, `empty`, `error`,
//! `keys`, `range`), for the end-to-end tests.

use std::sync::Arc;

use bec_usage::signing::Credentials;
use chrono::NaiveDate;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use web_sys::AbortController;

use crate::api::{self, Fetcher, LoadError};
use crate::compare::previous_range;
use crate::components::{
    key_form, Chart, CompareToggle, DailyTable, EmptyState, ErrorPanel, ExportMenu, Header,
    KeyForm, LangToggle, ProgressBar, QualityNotes, RangePicker, ResourceToggles, Skeleton,
    SourceSwitch, ThemeToggle,
};
use crate::dataset::Dataset;
use crate::dom;
use crate::format::format_date;
use crate::i18n::{Lang, T};
use crate::range::{check_dates, validate_range};
use crate::state::{ProxyStatus, RangeChoice, Source, ViewState};

/// Mounts the dashboard on `<body>` with the view state of the page's URL.
pub fn start() {
    let initial = ViewState::from_query(&dom::current_query());
    leptos::mount::mount_to_body(move || view! { <App initial=initial sync_url=true /> });
}

/// Where the page is.
#[derive(Debug, Clone)]
pub enum Status {
    /// Waiting for `/healthz` to know the default source.
    Checking,
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
    /// The `data-state` name.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Checking => "checking",
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
    NeedKeys,
    InvalidRange,
    Load(LoadRequest),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct LoadRequest {
    source: Source,
    begin: NaiveDate,
    end: NaiveDate,
    seed: u64,
    step_seconds: u32,
    keys_version: u32,
    retry: u32,
}

/// The load in flight: its number and its controller.
#[derive(Default)]
struct Loader {
    generation: u64,
    controller: Option<AbortController>,
    /// The generation whose previous period was (or is being) loaded.
    previous_for: Option<u64>,
}

impl Loader {
    /// Aborts the load in flight and returns the number of the next one.
    fn restart(&mut self) -> u64 {
        if let Some(controller) = self.controller.take() {
            controller.abort();
        }
        self.generation += 1;
        self.generation
    }
}

fn resolve_range(range: &RangeChoice, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    match range {
        RangeChoice::Preset(preset) => {
            let (begin, end) = preset.dates(today);
            check_dates(begin, end).ok()
        }
        RangeChoice::Custom { from, to } => validate_range(from, to).ok(),
    }
}

/// The width of one chart for a content area `main_width` pixels wide: two columns from
/// 980 pixels on (the style sheet's `.charts.two`), less the card's padding.
fn chart_width(main_width: f64) -> f64 {
    const GAP: f64 = 20.0;
    const CARD_PADDING: f64 = 2.0 * 18.0 + 2.0;
    let column = if main_width >= 980.0 {
        (main_width - GAP) / 2.0
    } else {
        main_width
    };
    (column - CARD_PADDING).floor().max(200.0)
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
    let today = dom::today_beijing();
    let browser_lang = dom::browser_lang();
    let system_theme = dom::system_theme();
    let view_state = RwSignal::new(initial);
    let proxy_status = RwSignal::new(proxy.clone().unwrap_or(ProxyStatus::Checking));
    if proxy.is_none() {
        spawn_local(async move { proxy_status.set(api::check_proxy().await) });
    }

    let lang = Memo::new(move |_| view_state.with(|v| v.lang).unwrap_or(browser_lang));
    let source = Memo::new(move |_| {
        view_state
            .with(|v| v.source)
            .or_else(|| proxy_status.with(ProxyStatus::default_source))
    });
    let theme = Signal::derive(move || view_state.with(|v| v.theme).unwrap_or(system_theme));

    // Keys live here, in memory only; a version number tells the plan they changed.
    let keys = StoredValue::new(None::<Credentials>);
    let keys_version = RwSignal::new(0u32);
    if let Some((id, secret)) = dom::remembered_keys() {
        if let Ok(credentials) = Credentials::new(&id, &secret) {
            keys.set_value(Some(credentials));
            keys_version.set(1);
        }
    }
    let active_key = Signal::derive(move || {
        keys_version.track();
        keys.with_value(|k| k.as_ref().map(|c| c.access_key_id().to_owned()))
    });
    let retry = RwSignal::new(0u32);

    let status = RwSignal::new(Status::Checking);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let previous = RwSignal::new(None::<Arc<Dataset>>);
    let previous_loading = RwSignal::new(false);
    let loader = StoredValue::new_local(Loader::default());
    let data = Signal::derive(move || status.with(Status::data));

    let plan = Memo::new(move |_| {
        let Some(source) = source.get() else {
            return Plan::Wait;
        };
        let (range, seed, step_seconds) =
            view_state.with(|v| (v.range.clone(), v.seed, v.step_seconds));
        let Some((begin, end)) = resolve_range(&range, today) else {
            return Plan::InvalidRange;
        };
        let keys_version = keys_version.get();
        if source == Source::Keys && keys.with_value(Option::is_none) {
            return Plan::NeedKeys;
        }
        Plan::Load(LoadRequest {
            source,
            begin,
            end,
            seed,
            step_seconds,
            keys_version,
            retry: retry.get(),
        })
    });

    let fetcher_for = move |source: Source, seed: u64, step_seconds: u32| -> Option<Fetcher> {
        Some(match source {
            Source::Proxy => Fetcher::Proxy,
            Source::Demo => Fetcher::Demo { seed, step_seconds },
            Source::Keys => {
                let credentials = keys.get_value()?;
                let host = match proxy_status.get_untracked() {
                    ProxyStatus::Present { upstream_host, .. } => upstream_host,
                    _ => crate::state::DEFAULT_UPSTREAM_HOST.to_owned(),
                };
                Fetcher::Keys { credentials, host }
            }
        })
    };

    // A new plan: abort what is in flight, then load (or say why not).
    Effect::new(move |_| {
        let plan = plan.get();
        let generation = loader.try_update_value(Loader::restart).unwrap_or_default();
        previous.set(None);
        previous_loading.set(false);
        progress.set(None);
        let request = match plan {
            Plan::Wait => return status.set(Status::Checking),
            Plan::NeedKeys => return status.set(Status::NeedKeys),
            Plan::InvalidRange => return status.set(Status::InvalidRange),
            Plan::Load(request) => request,
        };
        let Some(fetcher) = fetcher_for(request.source, request.seed, request.step_seconds) else {
            return status.set(Status::NeedKeys);
        };
        let Ok(controller) = AbortController::new() else {
            return status.set(Status::Failed(Arc::new(LoadError::Network {
                message: "this browser has no AbortController".to_owned(),
            })));
        };
        let signal = controller.signal();
        loader.update_value(|l| l.controller = Some(controller));
        status.set(Status::Loading);
        let is_current = move || loader.try_with_value(|l| l.generation) == Some(generation);
        spawn_local(async move {
            let started = dom::since_navigation_ms();
            let on_progress = move |done: usize, total: usize| {
                if is_current() {
                    progress.set(Some((done, total)));
                }
            };
            let loaded =
                api::load_range(&fetcher, request.begin, request.end, &signal, &on_progress).await;
            if !is_current() {
                return;
            }
            let fetched = dom::since_navigation_ms();
            progress.set(None);
            let result = loaded.and_then(|loaded| {
                Dataset::new(loaded.response, request.begin, request.end, loaded.raw).map_err(|e| {
                    LoadError::Local {
                        message: e.message().to_owned(),
                    }
                })
            });
            match result {
                Ok(dataset) => {
                    let points = dataset.point_count;
                    let resources = dataset.response.resources.len();
                    status.set(Status::Ready(Arc::new(dataset)));
                    let analysed = dom::since_navigation_ms();
                    // The views render in the microtasks that follow; the frame after
                    // them has the charts drawn.
                    request_animation_frame(move || {
                        if !is_current() {
                            return;
                        }
                        dom::mark("charts-drawn");
                        let drawn = dom::since_navigation_ms();
                        dom::set_metric("chartsDrawnMs", JsValue::from_f64(drawn));
                        dom::set_metric("loadStartMs", JsValue::from_f64(started));
                        dom::set_metric("fetchMs", JsValue::from_f64(fetched - started));
                        dom::set_metric("analyseMs", JsValue::from_f64(analysed - fetched));
                        dom::set_metric("renderMs", JsValue::from_f64(drawn - analysed));
                        dom::set_metric("points", JsValue::from_f64(points as f64));
                        dom::set_metric("resources", JsValue::from_f64(resources as f64));
                        dom::set_metric("source", JsValue::from_str(request.source.code()));
                    });
                }
                Err(LoadError::Aborted) => {}
                Err(error) => status.set(Status::Failed(Arc::new(error))),
            }
        });
    });

    // The previous period, in the background, once the current one is shown.
    Effect::new(move |_| {
        let compare = view_state.with(|v| v.compare);
        let Some(current) = status.with(Status::data) else {
            return;
        };
        if !compare {
            return;
        }
        let Plan::Load(request) = plan.get_untracked() else {
            return;
        };
        let Some((generation, signal)) = loader
            .try_update_value(|l| {
                if l.previous_for == Some(l.generation) {
                    return None;
                }
                l.previous_for = Some(l.generation);
                Some((l.generation, l.controller.as_ref()?.signal()))
            })
            .flatten()
        else {
            return;
        };
        let Some(fetcher) = fetcher_for(request.source, request.seed, request.step_seconds) else {
            return;
        };
        let (begin, end) = previous_range(current.begin, current.end);
        previous_loading.set(true);
        spawn_local(async move {
            let loaded = api::load_range(&fetcher, begin, end, &signal, &|_, _| {}).await;
            if loader.try_with_value(|l| l.generation) != Some(generation) {
                return;
            }
            previous_loading.set(false);
            // Without the previous period the page simply shows no comparison.
            if let Ok(loaded) = loaded {
                if let Ok(dataset) = Dataset::new(loaded.response, begin, end, loaded.raw) {
                    previous.set(Some(Arc::new(dataset)));
                }
            }
        });
    });

    // The URL, the document's language, theme and title follow the view state.
    Effect::new(move |_| {
        let lang = lang.get();
        view_state.with(|v| {
            if sync_url {
                dom::replace_query(&v.to_query());
            }
            dom::set_document_language_and_theme(lang, v.theme);
            let title = T::AppTitle.get(lang);
            dom::set_title(&match resolve_range(&v.range, today) {
                Some((begin, end)) => {
                    format!("{title} · {} – {}", format_date(begin), format_date(end))
                }
                None => title.to_owned(),
            });
        });
    });

    // The content area's width decides the charts' width.
    let main_ref = NodeRef::<html::Main>::new();
    let main_width = RwSignal::new(0.0f64);
    let measure = move || {
        if let Some(main) = main_ref.get_untracked() {
            let width = f64::from(main.client_width());
            if width > 0.0 && (width - main_width.get_untracked()).abs() >= 1.0 {
                main_width.set(width);
            }
        }
    };
    Effect::new(move |_| {
        if main_ref.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    let two_columns = move || main_width.get() >= 980.0;
    let width = Signal::derive(move || chart_width(main_width.get()));

    let on_source = Callback::new(move |s: Source| view_state.update(|v| v.source = Some(s)));
    let on_lang = Callback::new(move |l: Lang| {
        key_form::keep_typed_keys();
        view_state.update(|v| v.lang = Some(l));
    });
    let on_theme = Callback::new(move |t| view_state.update(|v| v.theme = Some(t)));
    let on_range = Callback::new(move |r: RangeChoice| view_state.update(|v| v.range = r));
    let on_compare = Callback::new(move |c: bool| view_state.update(|v| v.compare = c));
    let on_toggle = Callback::new(move |(name, shown): (String, bool)| {
        view_state.update(|v| v.set_shown(&name, shown))
    });
    let on_show_all = Callback::new(move |()| view_state.update(|v| v.hidden.clear()));
    let on_retry = Callback::new(move |()| retry.update(|r| *r += 1));
    let on_keys = Callback::new(move |credentials: Option<Credentials>| {
        keys.set_value(credentials);
        keys_version.update(|v| *v += 1);
    });

    let hidden = Signal::derive(move || view_state.with(|v| v.hidden.clone()));
    let range = Signal::derive(move || view_state.with(|v| v.range.clone()));
    let compare = Signal::derive(move || view_state.with(|v| v.compare));
    let previous_signal = Signal::from(previous);

    let account = Signal::derive(move || data.get().map(|d| d.response.account_id.clone()));
    let waiting = Signal::derive(move || match status.with(Status::name) {
        "checking" => Some(T::Checking),
        "loading" => Some(T::Loading),
        _ => None,
    });
    let empty = Signal::derive(move || match status.with(Status::name) {
        "keys" => Some((T::KeysNeeded, None)),
        "range" => Some((T::FixRange, None)),
        "empty" => Some((T::Empty, Some(T::EmptyHint))),
        _ => None,
    });

    // The page in one language; a change of language renders it again (rare, and it keeps
    // every text out of the reactive graph, which keeps the wasm small).
    let page = move || {
        let lang = lang.get();
        let dashboard = move || {
            let data = status.with(Status::data).filter(|d| !d.is_empty())?;
            let names: Vec<String> = data
                .response
                .resources
                .iter()
                .map(|r| r.name.clone())
                .collect();
            Some(view! {
                <ResourceToggles names=names.clone() hidden=hidden lang=lang on_toggle=on_toggle on_show_all=on_show_all />
                <p class="muted small loading-previous" hidden=move || !previous_loading.get()>
                    {T::LoadingPrevious.get(lang)}
                </p>
                <div class="charts" class:two=two_columns data-testid="charts">
                    {names.into_iter().enumerate().map(|(index, name)| {
                        let shown = move || !hidden.with(|h| h.contains(&name));
                        view! {
                            <div class="chart-slot" hidden=move || !shown()>
                                <Chart data=data.clone() index=index width=width lang=lang previous=previous_signal />
                            </div>
                        }
                    }).collect_view()}
                </div>
                <DailyTable data=data.clone() hidden=hidden lang=lang />
                <QualityNotes notes=data.notes.clone() lang=lang />
            })
        };
        let error = move || {
            let error = match status.get() {
                Status::Failed(error) => error,
                _ => return None,
            };
            Some(view! { <ErrorPanel error=error lang=lang on_retry=on_retry /> })
        };
        view! {
            <Header lang=lang account=account>
                <SourceSwitch source=source proxy=proxy_status lang=lang on_change=on_source />
                <LangToggle lang=lang on_change=on_lang />
                <ThemeToggle theme=theme lang=lang on_change=on_theme />
            </Header>
            <p class="banner" data-testid="demo-banner" hidden=move || source.get() != Some(Source::Demo)>
                {T::DemoBanner.get(lang)}
            </p>
            <section class="card toolbar">
                <RangePicker range=range today=today lang=lang on_change=on_range />
                <div class="toolbar-row">
                    <CompareToggle compare=compare lang=lang on_change=on_compare />
                    <ExportMenu data=data lang=lang />
                </div>
                <ProgressBar progress=progress lang=lang />
            </section>
            {move || (source.get() == Some(Source::Keys)).then(|| view! {
                <KeyForm active_key=active_key lang=lang on_keys=on_keys />
            })}
            <main class="content" node_ref=main_ref>
                <Skeleton message=waiting lang=lang />
                <EmptyState message=empty lang=lang />
                {error}
                {dashboard}
            </main>
            <footer class="foot muted small">{T::Footer.get(lang)}</footer>
        }
    };

    view! {
        <div class="app" data-testid="app" data-state=move || status.with(Status::name)>
            {page}
        </div>
    }
}
