//! The few things the page asks of the browser that leptos does not cover: the URL, the
//! clock, the preferred languages and theme, the document's language, theme and title,
//! downloads, session storage, performance marks, and the `/healthz` answer `boot.js`
//! asked for.
//!
//! Every call tolerates a missing API (`None`, a default, or nothing done): the dashboard
//! must not die because a browser lacks `sessionStorage` or `performance`.

use chrono::NaiveDate;
use wasm_bindgen::{JsCast, JsValue};

use crate::format::LocalTime;
use crate::i18n::Lang;
use crate::state::Theme;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn document_element() -> Option<web_sys::Element> {
    window()?.document()?.document_element()
}

/// `location.search`: the URL's query with its `?`, or the empty string.
pub fn current_query() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Replaces the URL's query (keeping path and fragment) without a navigation or a new
/// history entry.
pub fn replace_query(query: &str) {
    let Some(window) = window() else { return };
    let location = window.location();
    let path = location.pathname().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    let current = location.search().unwrap_or_default();
    if current == query {
        return;
    }
    let url = format!("{path}{query}{hash}");
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// What `web/boot.js` learnt of `/healthz`, which it asks while the wasm loads.
#[derive(Debug)]
pub enum BootHealthCheck {
    /// Answered: the body of a success answer, or `None` (an error status, no answer).
    Answered(Option<String>),
    /// Asked, not answered yet: a promise of what `Answered` holds.
    Pending(js_sys::Promise),
}

/// What `web/boot.js` learnt of `/healthz` (`window.__BEC_HEALTHZ_BODY__` once answered,
/// else the promise `window.__BEC_HEALTHZ__`); `None` when it did not ask (the component
/// tests). The proxy check need not wait for the app to start before it asks.
pub fn boot_health_check() -> Option<BootHealthCheck> {
    let window = window()?;
    let get = |name: &str| js_sys::Reflect::get(&window, &JsValue::from_str(name)).ok();
    if let Some(body) = get("__BEC_HEALTHZ_BODY__").filter(|b| !b.is_undefined()) {
        return Some(BootHealthCheck::Answered(body.as_string()));
    }
    let promise = get("__BEC_HEALTHZ__")?.dyn_into::<js_sys::Promise>().ok()?;
    Some(BootHealthCheck::Pending(promise))
}

/// Now, in epoch milliseconds.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The viewport's width in CSS pixels (`innerWidth`; 0 when unknown).
pub fn viewport_width() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .unwrap_or(0.0)
}

/// Today in Beijing time.
pub fn today_beijing() -> NaiveDate {
    LocalTime::beijing(now_ms())
        .and_then(|t| t.date())
        .unwrap_or_default()
}

/// Milliseconds since the navigation started (`performance.now()`).
pub fn since_navigation_ms() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// `performance.mark(name)`, for the end-to-end benchmark to read.
pub fn mark(name: &str) {
    if let Some(performance) = window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Sets `window.__BEC_METRICS__[key] = value` (creating the object), for the end-to-end
/// tests and benchmarks to read.
pub fn set_metric(key: &str, value: JsValue) {
    let Some(window) = window() else { return };
    let name = JsValue::from_str("__BEC_METRICS__");
    let metrics = js_sys::Reflect::get(&window, &name)
        .ok()
        .filter(JsValue::is_object)
        .unwrap_or_else(|| {
            let object: JsValue = js_sys::Object::new().into();
            let _ = js_sys::Reflect::set(&window, &name, &object);
            object
        });
    let _ = js_sys::Reflect::set(&metrics, &JsValue::from_str(key), &value);
}

/// The browser's preferred language for the page.
pub fn browser_lang() -> Lang {
    let Some(navigator) = window().map(|w| w.navigator()) else {
        return Lang::En;
    };
    let languages: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .chain(navigator.language())
        .collect();
    Lang::from_browser(languages.iter().map(String::as_str))
}

/// The system's theme (`prefers-color-scheme`).
pub fn system_theme() -> Theme {
    let dark = window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    if dark {
        Theme::Dark
    } else {
        Theme::Light
    }
}

/// Sets `<html lang>` and `<html data-theme>` (removed when the system's theme applies).
pub fn set_document_language_and_theme(lang: Lang, theme: Option<Theme>) {
    let Some(root) = document_element() else {
        return;
    };
    let _ = root.set_attribute("lang", lang.html_lang());
    match theme {
        Some(theme) => {
            let _ = root.set_attribute("data-theme", theme.code());
        }
        None => {
            let _ = root.remove_attribute("data-theme");
        }
    }
}

/// Sets the document's title.
pub fn set_title(title: &str) {
    if let Some(document) = window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

/// Offers `content` as a file download called `file_name`.
pub fn download(file_name: &str, mime_type: &str, content: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime_type);
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        download_blob(file_name, &blob);
    }
}

/// Offers `blob` (made by the data worker, or by [`download`]) as a download named
/// `file_name`.
pub fn download_blob(file_name: &str, blob: &web_sys::Blob) {
    let Some(document) = window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
    // The click starts the download synchronously; the URL can go.
    let _ = web_sys::Url::revoke_object_url(&url);
}

const KEYS_STORAGE_KEY: &str = "bec-usage.keys";

fn session_storage() -> Option<web_sys::Storage> {
    window()?.session_storage().ok().flatten()
}

/// Keeps a key pair in this tab's session storage (only when the person asked for it).
pub fn remember_keys(access_key_id: &str, secret_access_key: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(
            KEYS_STORAGE_KEY,
            &format!("{access_key_id}\n{secret_access_key}"),
        );
    }
}

/// The key pair remembered for this tab, if any.
pub fn remembered_keys() -> Option<(String, String)> {
    let text = session_storage()?.get_item(KEYS_STORAGE_KEY).ok()??;
    let (id, secret) = text.split_once('\n')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Forgets the key pair remembered for this tab.
pub fn forget_keys() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(KEYS_STORAGE_KEY);
    }
}

const PRICE_SHEET_STORAGE_KEY: &str = "bec-usage.price-sheet";

fn local_storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok().flatten()
}

/// The price sheet kept in this browser's local storage (not a secret), if any.
pub fn stored_price_sheet() -> Option<String> {
    local_storage()?
        .get_item(PRICE_SHEET_STORAGE_KEY)
        .ok()
        .flatten()
}

/// Keeps the price sheet `text` in local storage, or forgets it (`None`).
pub fn store_price_sheet(text: Option<&str>) {
    let Some(storage) = local_storage() else {
        return;
    };
    let _ = match text {
        Some(text) => storage.set_item(PRICE_SHEET_STORAGE_KEY, text),
        None => storage.remove_item(PRICE_SHEET_STORAGE_KEY),
    };
}

/// The text of the first file chosen in the file input that fired `event`.
pub async fn chosen_file_text(event: &web_sys::Event) -> Option<String> {
    let input = event.target()?;
    // `input.files[0]`, a `File`, which is a `Blob`.
    let files = js_sys::Reflect::get(&input, &JsValue::from_str("files")).ok()?;
    let file = js_sys::Reflect::get(&files, &JsValue::from_f64(0.0)).ok()?;
    let blob = file.dyn_into::<web_sys::Blob>().ok()?;
    let text = wasm_bindgen_futures::JsFuture::from(blob.text())
        .await
        .ok()?;
    text.as_string()
}

/// `window.__BEC_METRICS__[key]`, when it is a number.
pub fn metric(key: &str) -> Option<f64> {
    let window = window()?;
    let metrics = js_sys::Reflect::get(&window, &JsValue::from_str("__BEC_METRICS__")).ok()?;
    js_sys::Reflect::get(&metrics, &JsValue::from_str(key))
        .ok()?
        .as_f64()
}

/// Resolves once the browser has painted the next frame: a `requestAnimationFrame`
/// callback runs just before the paint, and the task it queues (`setTimeout(0)`) runs
/// after it. Work awaited behind this (the unusual stretches) does not hold up what the
/// page has just rendered from reaching the screen. Without a window it resolves at once.
pub async fn after_next_paint() {
    if window().is_none() {
        return;
    }
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        leptos::prelude::request_animation_frame(move || {
            leptos::prelude::set_timeout(
                move || {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                },
                std::time::Duration::ZERO,
            );
        });
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
