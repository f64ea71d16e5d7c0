//! The page's state, in a few pieces provided as contexts (as leptos' examples do) and read
//! with `expect_context` where they are needed:
//!
//! - [`Settings`]: the view settings that live in the URL (source, range, language, theme,
//!   comparison, forecast, sensitivity, hidden resources) and the price sheet, with the
//!   callbacks that change them;
//! - [`Session`]: what the proxy says (`/healthz`), who is signed in, the accounts, the keys;
//! - [`Layout`]: the content area's width, which decides the charts';
//! - [`Loaded`]: the loaded data and where the load is (`crate::load`).
//!
//! They are created before the page is built, so that the first data request does not wait
//! for it; then the page ([`Page`]) is mounted under the same owner, where the views
//! find them.

use crate::components::provide_lang;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::dom;
use crate::format::format_date;
use crate::i18n::{Lang, T};
use crate::load::Loaded;
use crate::page::Page;
use crate::proxy_status::{AccountChoice, ProxyStatus};
use crate::state::{RangeChoice, Source, Theme, ViewState};
use crate::wire::{chart_width, KeyPair};
use bec_usage::analysis::Sensitivity;

/// The view settings that live in the URL, and the price sheet: a context of the page.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The view state (kept in the URL).
    pub view_state: RwSignal<ViewState>,
    /// Today in Beijing time.
    pub today: chrono::NaiveDate,
    /// The page's language.
    pub lang: Signal<Lang>,
    /// The theme in effect.
    pub theme: Signal<Theme>,
    /// The range.
    pub range: Signal<RangeChoice>,
    /// Whether the previous period is compared.
    pub compare: Signal<bool>,
    /// Whether the forecast is shown.
    pub forecast: Signal<bool>,
    /// The anomaly sensitivity.
    pub sensitivity: Signal<Sensitivity>,
    /// The hidden resources.
    pub hidden: Signal<Vec<String>>,
    /// The price sheet in use, as text (kept in local storage).
    pub price_sheet: Signal<Option<String>>,
    /// Chooses a source.
    pub on_source: Callback<Source>,
    /// Chooses a language.
    pub on_lang: Callback<Lang>,
    /// Chooses a theme.
    pub on_theme: Callback<Theme>,
    /// Chooses a range.
    pub on_range: Callback<RangeChoice>,
    /// Turns the comparison on or off.
    pub on_compare: Callback<bool>,
    /// Turns the forecast on or off.
    pub on_forecast: Callback<bool>,
    /// Chooses the anomaly sensitivity.
    pub on_sensitivity: Callback<Sensitivity>,
    /// Uses a price sheet, or removes it.
    pub on_sheet: Callback<Option<String>>,
    /// Shows or hides a resource.
    pub on_toggle: Callback<(String, bool)>,
    /// Shows every resource.
    pub on_show_all: Callback<()>,
    /// Chooses an account by name.
    pub on_account: Callback<String>,
}

impl Settings {
    fn new(initial: ViewState) -> Settings {
        let browser_lang = dom::browser_lang();
        let system_theme = dom::system_theme();
        let view_state = RwSignal::new(initial);
        // The price sheet: read from local storage at the start, kept there on change.
        let price_sheet = RwSignal::new(dom::stored_price_sheet());
        Settings {
            view_state,
            today: dom::today_beijing(),
            lang: Signal::derive(move || view_state.with(|v| v.lang).unwrap_or(browser_lang)),
            theme: Signal::derive(move || view_state.with(|v| v.theme).unwrap_or(system_theme)),
            range: Signal::derive(move || view_state.with(|v| v.range.clone())),
            compare: Signal::derive(move || view_state.with(|v| v.compare)),
            forecast: Signal::derive(move || view_state.with(|v| v.forecast)),
            sensitivity: Signal::derive(move || view_state.with(|v| v.sensitivity)),
            hidden: Signal::derive(move || view_state.with(|v| v.hidden.clone())),
            price_sheet: price_sheet.into(),
            on_source: Callback::new(move |s| view_state.update(|v| v.source = Some(s))),
            on_lang: Callback::new(move |l| view_state.update(|v| v.lang = Some(l))),
            on_theme: Callback::new(move |t| view_state.update(|v| v.theme = Some(t))),
            on_range: Callback::new(move |r| view_state.update(|v| v.range = r)),
            on_compare: Callback::new(move |c| view_state.update(|v| v.compare = c)),
            on_forecast: Callback::new(move |f| view_state.update(|v| v.forecast = f)),
            on_sensitivity: Callback::new(move |s| view_state.update(|v| v.sensitivity = s)),
            on_sheet: Callback::new(move |text: Option<String>| {
                dom::store_price_sheet(text.as_deref());
                price_sheet.set(text);
            }),
            on_toggle: Callback::new(move |(name, shown): (String, bool)| {
                view_state.update(|v| v.set_shown(&name, shown))
            }),
            on_show_all: Callback::new(move |()| view_state.update(|v| v.hidden.clear())),
            on_account: Callback::new(move |name| view_state.update(|v| v.account = Some(name))),
        }
    }
}

/// What the proxy says, who is signed in, the accounts and the keys: a context of the page.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// What is known of the proxy.
    pub proxy_status: RwSignal<ProxyStatus>,
    /// The source in use, once known (the URL's, else the proxy's default).
    pub source: Signal<Option<Source>>,
    /// Whether the user can sign out here (password sign-in).
    pub can_sign_out: Signal<bool>,
    /// The accounts to choose from (none for fewer than two, or another source).
    pub accounts: Signal<Vec<String>>,
    /// The account in use, and one the URL names that the server does not list.
    pub account_choice: Memo<AccountChoice>,
    /// The key pair typed in (memory only, and session storage when asked).
    pub keys: RwSignal<Option<KeyPair>>,
    /// The access key id in use.
    pub active_key: Signal<Option<String>>,
    /// Counts sign-ins and sign-outs: a new session loads again.
    pub signed: RwSignal<u32>,
    /// Uses new keys, or forgets them.
    pub on_keys: Callback<Option<KeyPair>>,
    /// Takes a sign-in: the user and what `/healthz` says now.
    pub on_signed_in: Callback<(String, ProxyStatus)>,
    /// Signs out.
    pub on_sign_out: Callback<()>,
}

impl Session {
    fn new(settings: Settings, proxy: Option<ProxyStatus>) -> Session {
        let view_state = settings.view_state;
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
        let session = RwSignal::new(0u32);
        let source = Signal::derive(move || {
            view_state
                .with(|v| v.source)
                .or_else(|| proxy_status.with(ProxyStatus::default_source))
        });
        // Keys live here, in memory only (and in session storage when the person asked),
        // and go to the worker with each load of the keys source.
        let keys = RwSignal::new(dom::remembered_keys().map(
            |(access_key_id, secret_access_key)| KeyPair {
                access_key_id,
                secret_access_key,
            },
        ));
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

        Session {
            proxy_status,
            source,
            can_sign_out: Signal::derive(move || {
                proxy_status.with(ProxyStatus::has_password_sign_in)
            }),
            accounts: Signal::derive(move || {
                if source.get() != Some(Source::Proxy) {
                    return Vec::new();
                }
                proxy_status.with(|p| match p.access() {
                    Some(a) if a.has_named_accounts() && !a.asks_sign_in() => a.accounts.clone(),
                    _ => Vec::new(),
                })
            }),
            account_choice,
            keys,
            active_key: Signal::derive(move || {
                keys.with(|k| k.as_ref().map(|k| k.access_key_id.clone()))
            }),
            signed: session,
            on_keys: Callback::new(move |pair: Option<KeyPair>| keys.set(pair)),
            on_signed_in,
            on_sign_out,
        }
    }
}

/// The content area, measured for the charts' width: a context of the page.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The content area.
    pub main_ref: NodeRef<html::Main>,
    /// Its width in pixels (0 until measured).
    pub main_width: RwSignal<f64>,
    /// A chart's width.
    pub width: Signal<f64>,
    /// Whether the charts are in two columns.
    pub two_columns: Signal<bool>,
}

impl Layout {
    fn new() -> Layout {
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
        // Measured in the next frame, when the browser lays the page out anyway: measuring at
        // mount would force a layout before the first data request goes out.
        Effect::new(move |_| {
            if main_ref.get().is_some() {
                request_animation_frame(measure);
            }
        });
        let resize = window_event_listener(leptos::ev::resize, move |_| measure());
        on_cleanup(move || resize.remove());
        Layout {
            main_ref,
            main_width,
            width: Signal::derive(move || chart_width(main_width.get())),
            two_columns: Signal::derive(move || main_width.get() >= 980.0),
        }
    }
}

/// Creates the page's state, provides it to the views below, and starts its load.
/// `sync_url`: whether the URL, the document's language, theme and title follow it.
fn provide_state(initial: ViewState, sync_url: bool, proxy: Option<ProxyStatus>) {
    let settings = Settings::new(initial);
    let session = Session::new(settings, proxy);
    let layout = Layout::new();
    let loaded = Loaded::new(settings, session, layout);
    provide_lang(settings.lang);
    provide_context(settings);
    provide_context(session);
    provide_context(layout);
    provide_context(loaded);
    let (view_state, lang, today) = (settings.view_state, settings.lang, settings.today);
    let account_choice = session.account_choice;
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
    // the turn after it, under the same owner (where it finds the state's contexts), so
    // the first data request goes out before the browser spends tens of milliseconds on
    // some hundred elements.
    let owner = Owner::new();
    owner.with(|| provide_state(initial, true, None));
    spawn_local({
        let owner = owner.clone();
        async move {
            owner.with(|| leptos::mount::mount_to_body(Page));
            dom::mark("app-mounted");
        }
    });
    std::mem::forget(owner);
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
    provide_state(initial, sync_url, proxy);
    view! { <Page /> }
}
