//! Component tests in headless Chromium: each mounts a component (or the whole app on the
//! in-page demo) into the test page and checks the DOM.
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test -p bec-usage-web --target wasm32-unknown-unknown --test components
//! ```
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use bec_usage::{
    DataPoint, ResourceSeries, ServiceError, SummaryDay, SummaryValue, TimeSpan, UsageResponse,
};
use bec_usage_web::api::{sleep_ms, LoadError};
use bec_usage_web::app::App;
use bec_usage_web::compare::mean_change;
use bec_usage_web::components::chart::build_model;
use bec_usage_web::components::{
    provide_lang, AccountPicker, Chart, CostPanel, DailyTable, ErrorPanel, KeyForm, RangePicker,
    ResourceToggles, SourceSwitch, Totals, ViewToggle,
};
use bec_usage_web::data_worker::use_engine_on_this_thread;
use bec_usage_web::dataset::Dataset;
use bec_usage_web::engine::Analysed;
use bec_usage_web::format::format_percent;
use bec_usage_web::geometry::px;
use bec_usage_web::i18n::{Lang, T};
use bec_usage_web::proxy_status::{Access, ProxyMode, ProxyStatus, SignIn};
use bec_usage_web::state::{RangeChoice, Source, ViewState};
use bec_usage_web::wire::{KeyPair, Slot};
use bec_usage_web::worker::hold;
use chrono::NaiveDate;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

// ---- helpers -----------------------------------------------------------------------

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// Mounts a view into a fresh `<div>` of the page and returns the `<div>`.
fn mount<F, N>(view: F) -> HtmlElement
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
{
    // The views talk to the data engine as to the worker, through a MessageChannel.
    use_engine_on_this_thread();
    let container: HtmlElement = document()
        .create_element("div")
        .expect("a div")
        .unchecked_into();
    document()
        .body()
        .expect("a body")
        .append_child(&container)
        .expect("appended");
    // The page provides its language; a test that changes it provides its own signal.
    leptos::mount::mount_to(container.clone(), move || {
        provide_lang(Lang::En);
        view()
    })
    .forget();
    container
}

/// Lets effects and re-renders run, and a question or two to the data engine (a message
/// each way) be answered.
async fn settle() {
    for _ in 0..8 {
        sleep_ms(0).await;
    }
}

/// Waits (up to about 10 s) for `selector` to match inside `root`.
async fn wait_for(root: &Element, selector: &str) -> Element {
    for _ in 0..2000 {
        if let Ok(Some(found)) = root.query_selector(selector) {
            return found;
        }
        sleep_ms(0).await;
    }
    panic!(
        "{selector} never appeared; the page is: {}",
        root.inner_html()
    );
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no {selector} in {}", root.inner_html()))
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).map_or(0, |l| l.length())
}

fn text(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

fn attr(root: &Element, selector: &str, name: &str) -> Option<String> {
    find(root, selector).get_attribute(name)
}

fn click(root: &Element, selector: &str) {
    find(root, selector).unchecked_into::<HtmlElement>().click();
}

fn key_down(target: &Element, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
        .expect("a keyboard event");
    target.dispatch_event(&event).expect("dispatched");
}

fn type_into(root: &Element, selector: &str, value: &str) {
    let input: HtmlInputElement = find(root, selector).unchecked_into();
    input.set_value(value);
    for name in ["input", "change"] {
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        let event = web_sys::Event::new_with_event_init_dict(name, &init).expect("an event");
        input.dispatch_event(&event).expect("dispatched");
    }
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
}

fn point(timestamp_ms: i64, amount: &str) -> DataPoint {
    DataPoint {
        timestamp_ms,
        amount: amount.parse().expect("test decimal"),
    }
}

/// 2024-01-01 08:00 Beijing time, and hours after it.
fn hour(n: i64) -> i64 {
    1_704_067_200_000 + n * 3_600_000
}

/// One day of CPU (核) with five points, peak 17.246 at 09:00, last 17.230 at 12:00, and
/// the given `summary` average for the day.
fn cpu_day(
    day: &str,
    amounts: [&str; 5],
    summary: &str,
    extra_summary: &[(&str, &str)],
) -> Dataset {
    cpu_day_in(Slot::Current, day, amounts, summary, extra_summary)
}

/// [`cpu_day`], held by the data engine in `slot` (the views ask it for exact points, the
/// cost and the like), as the worker holds what it loaded.
fn cpu_day_in(
    slot: Slot,
    day: &str,
    amounts: [&str; 5],
    summary: &str,
    extra_summary: &[(&str, &str)],
) -> Dataset {
    let offset = (date(day) - date("2024-01-01")).num_days() * 24;
    let points = amounts
        .iter()
        .enumerate()
        .map(|(i, a)| point(hour(offset + i as i64), a))
        .collect::<Vec<_>>();
    let mut values = vec![SummaryValue {
        resource: "CPU".into(),
        average: summary.parse().expect("test decimal"),
    }];
    values.extend(
        extra_summary
            .iter()
            .map(|(resource, average)| SummaryValue {
                resource: (*resource).into(),
                average: average.parse().expect("test decimal"),
            }),
    );
    let usage = UsageResponse {
        account_id: "test-account".into(),
        time_span: TimeSpan {
            begin_date: date(day),
            end_date: date(day),
        },
        resources: vec![ResourceSeries {
            name: "CPU".into(),
            count: 5,
            unit: "核".into(),
            points,
        }],
        summary: vec![SummaryDay {
            date: date(day),
            values,
        }],
    };
    thread_local! {
        static NEXT_LOAD: std::cell::Cell<u32> = const { std::cell::Cell::new(1_000) };
    }
    let id = NEXT_LOAD.get();
    NEXT_LOAD.set(id + 1);
    use_engine_on_this_thread();
    let analysed = Analysed::new(usage, date(day), date(day), Vec::new()).expect("analysed");
    hold(id, slot, analysed, 600)
}

fn january_first() -> Dataset {
    cpu_day(
        "2024-01-01",
        ["1.5", "17.246", "3", "2.25", "17.230"],
        "8.2452",
        &[],
    )
}

// ---- the chart ---------------------------------------------------------------------

/// [`january_first`]'s CPU chart, 600 px wide, mounted and settled; with its data.
async fn mount_january_chart() -> (Arc<Dataset>, HtmlElement) {
    let data = Arc::new(january_first());
    let root = mount({
        let data = data.clone();
        move || view! { <Chart data=data index=0 width=Signal::derive(|| 600.0) /> }
    });
    settle().await;
    (data, root)
}

#[wasm_bindgen_test]
async fn chart_draws_the_line_marks_the_peak_and_states_exact_statistics() {
    let (data, root) = mount_january_chart().await;
    let model = build_model(&data, 0, 600.0, None, None);
    let expected_peak = model.position(&data.stats(0).expect("stats").max);

    let line = attr(&root, "[data-testid=line]", "d").expect("a path");
    assert!(line.starts_with('M'), "{line}");
    assert_eq!(
        line.matches('L').count(),
        4,
        "five points, none dropped: {line}"
    );
    assert_eq!(line, model.line);

    assert_eq!(
        attr(&root, "[data-testid=peak]", "data-x"),
        Some(px(expected_peak.0))
    );
    assert_eq!(
        attr(&root, "[data-testid=peak]", "data-y"),
        Some(px(expected_peak.1))
    );
    assert!(text(&root, "[data-testid=peak]").contains("Peak 17.246"));

    assert_eq!(text(&root, "[data-testid=stat-max]"), "17.246\u{202F}cores");
    assert_eq!(text(&root, "[data-testid=stat-min]"), "1.5\u{202F}cores");
    assert_eq!(
        text(&root, "[data-testid=stat-last]"),
        "17.230\u{202F}cores"
    );
    // (1.5 + 17.246 + 3 + 2.25 + 17.230) / 5 = 8.2452, exact.
    assert_eq!(
        text(&root, "[data-testid=stat-mean]"),
        "8.2452\u{202F}cores"
    );
    assert!(text(&root, "h3").contains("CPU"));
}

#[wasm_bindgen_test]
async fn a_charts_data_table_is_asked_of_the_worker_when_opened_and_lists_exact_amounts() {
    let (_, root) = mount_january_chart().await;
    // Folded: nothing asked, nothing written.
    assert_eq!(count(&root, ".data-table .table-scroll"), 0);
    let details: web_sys::HtmlDetailsElement = find(&root, ".data-table").unchecked_into();
    details.set_open(true);
    details
        .dispatch_event(&web_sys::Event::new("toggle").expect("an event"))
        .expect("dispatched");
    // The question is on its way: a line says the table is coming.
    sleep_ms(0).await;
    let coming =
        count(&root, ".data-table [aria-busy=true]") + count(&root, ".data-table .table-scroll");
    assert_eq!(coming, 1, "{}", text(&root, ".data-table"));
    settle().await;
    assert_eq!(count(&root, ".data-table [aria-busy=true]"), 0);
    let table = text(&root, ".data-table .table-scroll");
    // Every point (five, none dropped at this width), with the amounts as the service wrote
    // them.
    for amount in ["1.5", "17.246", "3", "2.25", "17.230"] {
        assert!(table.contains(amount), "{amount} in {table}");
    }
    assert!(
        text(&root, ".data-table p.muted").contains("The 5 points drawn, of 5."),
        "{}",
        text(&root, ".data-table")
    );
}

#[wasm_bindgen_test]
async fn the_crosshair_reads_exact_amounts_by_keyboard_and_pointer() {
    let (data, root) = mount_january_chart().await;
    let plot = find(&root, "[data-testid=plot]");
    assert_eq!(count(&root, "[data-testid=crosshair-marker]"), 0);

    key_down(&plot, "End");
    settle().await;
    // The last point, with its trailing zero: exactly what the service sent.
    assert_eq!(
        text(&root, "[data-testid=readout-amount]"),
        "17.230\u{202F}cores"
    );
    assert_eq!(
        text(&root, "[data-testid=readout-time]"),
        "2024-01-01 12:00 UTC+08:00"
    );
    assert_eq!(count(&root, "[data-testid=crosshair] line"), 1);
    assert_eq!(count(&root, "[data-testid=crosshair-marker]"), 1);

    key_down(&plot, "ArrowLeft");
    settle().await;
    assert_eq!(
        text(&root, "[data-testid=readout-amount]"),
        "2.25\u{202F}cores"
    );

    // The pointer over the peak's x reads the peak.
    let model = build_model(&data, 0, 600.0, None, None);
    let (peak_x, _) = model.position(&data.stats(0).expect("stats").max);
    let rect = plot.get_bounding_client_rect();
    let init = web_sys::PointerEventInit::new();
    init.set_client_x((rect.left() + peak_x * rect.width() / model.frame.width) as i32);
    init.set_client_y((rect.top() + rect.height() / 2.0) as i32);
    init.set_bubbles(true);
    let event = web_sys::PointerEvent::new_with_event_init_dict("pointermove", &init)
        .expect("a pointer event");
    plot.dispatch_event(&event).expect("dispatched");
    settle().await;
    assert_eq!(
        text(&root, "[data-testid=readout-amount]"),
        "17.246\u{202F}cores"
    );
    let marker = attr(&root, "[data-testid=crosshair-marker]", "transform").expect("moved");
    assert!(marker.starts_with("translate("), "{marker}");

    key_down(&plot, "Escape");
    settle().await;
    assert_eq!(count(&root, "[data-testid=crosshair-marker]"), 0);
    assert!(count(&root, "[data-testid=readout-amount]") == 0);
}

#[wasm_bindgen_test]
async fn the_previous_period_is_overlaid_and_its_change_stated() {
    let current = Arc::new(january_first());
    // The day before, lower: mean (1 + 2 + 3 + 4 + 5) / 5 = 3.
    let previous = Arc::new(cpu_day_in(
        Slot::Previous,
        "2023-12-31",
        ["1", "2", "3", "4", "5"],
        "3",
        &[],
    ));
    let expected = format_percent(mean_change(&current, &previous, "CPU").expect("a change"));
    assert_eq!(expected, "+174.8%");
    let previous_signal = RwSignal::new(None::<Arc<Dataset>>);
    let root = mount({
        let current = current.clone();
        move || {
            view! {
                <Chart data=current index=0 width=Signal::derive(|| 600.0) previous=Signal::from(previous_signal) />
            }
        }
    });
    settle().await;
    assert_eq!(count(&root, "[data-testid=change]"), 0);
    assert_eq!(
        attr(&root, "[data-testid=overlay]", "d").as_deref(),
        Some("")
    );

    previous_signal.set(Some(previous));
    settle().await;
    let badge = find(&root, "[data-testid=change]");
    assert_eq!(badge.get_attribute("class").as_deref(), Some("change up"));
    let badge_text = badge.text_content().unwrap_or_default();
    assert!(
        badge_text.contains("▲") && badge_text.contains(&expected),
        "{badge_text}"
    );
    // One day before: singular.
    assert!(badge_text.contains("vs. the previous day"), "{badge_text}");
    assert!(!badge_text.contains("days"), "{badge_text}");
    let overlay = attr(&root, "[data-testid=overlay]", "d").expect("an overlay");
    assert_eq!(overlay.matches('L').count(), 4, "{overlay}");
}

// ---- the range picker --------------------------------------------------------------

#[wasm_bindgen_test]
async fn the_range_picker_explains_an_impossible_date_next_to_its_field() {
    let changes = RwSignal::new(Vec::<RangeChoice>::new());
    let root = mount(move || {
        view! {
            <RangePicker
                range=Signal::derive(|| RangeChoice::Custom { from: "2024-02-30".into(), to: "2024-03-01".into() })
                today=date("2024-03-10")
                on_change=Callback::new(move |r| changes.update(|c| c.push(r)))
            />
        }
    });
    settle().await;
    assert_eq!(
        text(&root, "[data-testid=range-from-error]"),
        "2024-02-30 is not a day of the calendar: February 2024 has 29 days."
    );
    assert_eq!(
        attr(&root, "[data-testid=range-from]", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr(&root, "[data-testid=range-to]", "aria-invalid").as_deref(),
        Some("false")
    );

    // A bad month in the other field is explained there, and Apply changes nothing.
    type_into(&root, "[data-testid=range-to]", "2024-13-01");
    settle().await;
    assert!(text(&root, "[data-testid=range-to-error]").contains("2024-13-01"));
    click(&root, "[data-testid=range-apply]");
    settle().await;
    assert!(changes.get_untracked().is_empty());

    // Corrected, Apply passes the range on and the errors go.
    type_into(&root, "[data-testid=range-from]", "2024-02-01");
    type_into(&root, "[data-testid=range-to]", "2024-03-01");
    click(&root, "[data-testid=range-apply]");
    settle().await;
    assert_eq!(
        changes.get_untracked(),
        vec![RangeChoice::Custom {
            from: "2024-02-01".into(),
            to: "2024-03-01".into()
        }]
    );
    assert_eq!(text(&root, "[data-testid=range-from-error]"), "");
    assert_eq!(text(&root, "[data-testid=range-to-error]"), "");

    // A reversed range is explained next to the end date.
    type_into(&root, "[data-testid=range-to]", "2024-01-31");
    click(&root, "[data-testid=range-apply]");
    settle().await;
    assert_eq!(
        text(&root, "[data-testid=range-to-error]"),
        "The end date is before the start date 2024-02-01."
    );
    assert_eq!(changes.get_untracked().len(), 1);

    // Presets apply at once.
    click(&root, "[data-value='31d']");
    settle().await;
    assert_eq!(
        changes.get_untracked().last(),
        Some(&RangeChoice::Preset(bec_usage_web::range::Preset::Last31))
    );
}

// ---- the daily table ---------------------------------------------------------------

#[wasm_bindgen_test]
async fn the_daily_table_marks_and_explains_cells_that_differ() {
    // The recomputed average is 8.2452; the summary says 8.3. EIP is only in the summary.
    let data = Arc::new(cpu_day(
        "2024-01-01",
        ["1.5", "17.246", "3", "2.25", "17.230"],
        "8.3",
        &[("EIP", "3")],
    ));
    let hidden = RwSignal::new(Vec::<String>::new());
    let root = mount(move || {
        view! { <DailyTable data=data hidden=Signal::from(hidden) /> }
    });
    settle().await;
    let differs = find(&root, "td[data-status=Differs]");
    assert!(differs
        .text_content()
        .unwrap_or_default()
        .starts_with("8.3≠"));
    assert_eq!(
        differs.get_attribute("title").as_deref(),
        Some("Differs: summary 8.3, recomputed 8.2452 from 5 points (difference -0.0548).")
    );
    assert_eq!(count(&root, "td[data-status=MissingInData]"), 1);
    assert_eq!(count(&root, "[data-testid=cell-flagged]"), 2);
    assert_eq!(
        text(&root, "[data-testid=daily-summary]"),
        "2 daily averages compared: 1 differ, 0 missing from the summary, 1 without points."
    );

    // Hiding a resource removes its column.
    hidden.set(vec!["EIP".into()]);
    settle().await;
    assert_eq!(count(&root, "td[data-status=MissingInData]"), 0);
    assert_eq!(count(&root, "td[data-status=Differs]"), 1);
}

// ---- unit-hours and cost -------------------------------------------------------------

#[wasm_bindgen_test]
async fn the_totals_row_and_card_state_unit_hours() {
    // Five hourly points: 1.5 + 17.246 + 3 + 2.25 + 17.230 core-hours.
    let data = Arc::new(january_first());
    let for_totals = data.clone();
    let root = mount(move || {
        view! {
            <DailyTable data=data hidden=Signal::stored(Vec::new()) />
            <Totals
                data=for_totals
                hidden=Signal::stored(Vec::new())
                forecast=Signal::stored(true)
            />
        }
    });
    settle().await;
    assert_eq!(
        text(&root, "[data-testid=totals-row]"),
        "Total (unit-hours)41.226 core-hours"
    );
    assert_eq!(
        text(&root, "[data-testid=total][data-resource=CPU] .total-value"),
        "41.226\u{202F}core-hours"
    );
    // Nothing is missing, so no gap note.
    assert_eq!(text(&root, "[data-testid=gap-note]"), "");
}

/// Types `sheet` into the cost panel's field and applies it.
async fn apply_sheet(root: &Element, sheet: &str) {
    type_into_area(root, "[data-testid=sheet-text]", sheet);
    click(root, "[data-action=apply-sheet]");
    settle().await;
}

fn type_into_area(root: &Element, selector: &str, value: &str) {
    let area = find(root, selector);
    js_sys::Reflect::set(&area, &"value".into(), &value.into()).expect("a value");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).expect("an event");
    area.dispatch_event(&event).expect("dispatched");
}

#[wasm_bindgen_test]
async fn the_cost_panel_names_the_bad_entry_and_rounds_a_good_total() {
    let data = Arc::new(january_first());
    let sheet = RwSignal::new(None::<String>);
    let root = mount(move || {
        view! {
            <CostPanel
                data=data
                sheet=sheet
                on_sheet=Callback::new(move |s| sheet.set(s))
                forecast=Signal::stored(true)
            />
        }
    });
    settle().await;
    assert_eq!(count(&root, "[data-testid=cost-total]"), 0);

    // A negative price: the core's message names the entry; nothing is applied.
    apply_sheet(&root, r#"{"currency":"CNY","prices":{"CPU":"-1"}}"#).await;
    let error = text(&root, "[data-testid=sheet-error]");
    assert!(error.contains("prices.CPU"), "{error}");
    assert_eq!(
        attr(&root, "[data-testid=sheet-text]", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(sheet.get_untracked(), None);

    // A resource the data lacks is refused by name.
    apply_sheet(&root, r#"{"currency":"CNY","prices":{"GPU":"1"}}"#).await;
    let error = text(&root, "[data-testid=sheet-error]");
    assert!(error.contains("GPU"), "{error}");
    assert_eq!(count(&root, "[data-testid=cost-total]"), 0);

    // 41.226 core-hours at 0.045: 1.85517, shown as 1.86 CNY, exact in the title.
    apply_sheet(&root, r#"{"currency":"CNY","prices":{"CPU":"0.045"}}"#).await;
    assert_eq!(text(&root, "[data-testid=sheet-error]"), "");
    assert_eq!(text(&root, "[data-testid=cost-total]"), "1.86 CNY");
    assert_eq!(
        attr(&root, "[data-testid=cost-total]", "title").as_deref(),
        Some("1.85517")
    );
    assert!(text(&root, "[data-testid=cost-rounding]").contains("0.01 CNY"));
    assert!(sheet.get_untracked().is_some());

    // Removed: no estimate.
    click(&root, "[data-action=remove-sheet]");
    settle().await;
    assert_eq!(sheet.get_untracked(), None);
    assert_eq!(count(&root, "[data-testid=cost-total]"), 0);
}

// ---- errors ------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn the_error_panel_states_code_request_id_and_the_signed_canonical_request() {
    let retries = RwSignal::new(0);
    let canonical = "GET\n/v1/usage/computing\nbeginDate=2024-01-01&endDate=2024-01-07\nhost:bec.baidubce.com\nx-bce-date:2024-01-08T00:00:00Z";
    let error = Arc::new(LoadError::Service {
        error: ServiceError {
            status: 403,
            code: "SignatureDoesNotMatch".into(),
            message: "The request signature we calculated does not match".into(),
            request_id: Some("6b5f3c1e-req".into()),
        },
        canonical_request: Some(canonical.into()),
    });
    let root = mount(move || {
        view! { <ErrorPanel error=error on_retry=Callback::new(move |()| retries.update(|r| *r += 1)) /> }
    });
    settle().await;
    assert_eq!(
        text(&root, "[data-testid=error-code]"),
        "SignatureDoesNotMatch"
    );
    assert_eq!(
        text(&root, "[data-testid=error-request-id]"),
        "6b5f3c1e-req"
    );
    assert_eq!(text(&root, "[data-testid=error-status]"), "403");
    assert_eq!(text(&root, "[data-testid=canonical-request]"), canonical);
    assert!(text(&root, ".hint").contains("secret access key"));
    click(&root, "[data-testid=retry]");
    assert_eq!(retries.get_untracked(), 1);
}

// ---- switches and forms ------------------------------------------------------------

#[wasm_bindgen_test]
async fn without_a_proxy_only_the_demo_source_can_be_chosen() {
    let chosen = RwSignal::new(Vec::<Source>::new());
    let root = mount(move || {
        view! {
            <SourceSwitch
                source=Signal::derive(|| Some(Source::Demo))
                proxy=Signal::derive(|| ProxyStatus::Absent)
                on_change=Callback::new(move |s| chosen.update(|c| c.push(s)))
            />
        }
    });
    settle().await;
    assert!(find(&root, "[data-value=proxy]").has_attribute("disabled"));
    assert!(find(&root, "[data-value=keys]").has_attribute("disabled"));
    assert_eq!(
        attr(&root, "[data-value=demo]", "aria-checked").as_deref(),
        Some("true")
    );
    assert!(attr(&root, "[data-value=keys]", "title")
        .unwrap_or_default()
        .contains("Needs bec-usage-proxy"));
    click(&root, "[data-value=proxy]");
    click(&root, "[data-value=demo]");
    assert_eq!(chosen.get_untracked(), vec![Source::Demo]);
}

#[wasm_bindgen_test]
async fn resource_chips_toggle_and_show_their_state() {
    let hidden = RwSignal::new(vec!["EIP".to_owned()]);
    let toggles = RwSignal::new(Vec::<(String, bool)>::new());
    let root = mount(move || {
        view! {
            <ResourceToggles
                names=vec!["CPU".into(), "EIP".into()]
                hidden=Signal::from(hidden)
                on_toggle=Callback::new(move |t| toggles.update(|v| v.push(t)))
                on_show_all=Callback::new(move |()| hidden.set(Vec::new()))
            />
        }
    });
    settle().await;
    assert_eq!(
        attr(&root, "[data-value=CPU]", "aria-pressed").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr(&root, "[data-value=EIP]", "aria-pressed").as_deref(),
        Some("false")
    );
    click(&root, "[data-value=CPU]");
    click(&root, "[data-value=EIP]");
    assert_eq!(
        toggles.get_untracked(),
        vec![("CPU".to_owned(), false), ("EIP".to_owned(), true)]
    );
    click(&root, "[data-value='']");
    settle().await;
    assert_eq!(
        attr(&root, "[data-value=EIP]", "aria-pressed").as_deref(),
        Some("true")
    );
    assert!(find(&root, "[data-value='']").has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn a_view_toggle_shows_the_page_setting_and_reports_a_change() {
    let on = RwSignal::new(false);
    let lang = RwSignal::new(Lang::En);
    let changes = RwSignal::new(Vec::<bool>::new());
    let root = mount(move || {
        provide_lang(lang);
        view! {
            <ViewToggle
                on=on
                label=T::Compare
                test_id="compare-toggle"
                on_change=Callback::new(move |value| changes.update(|v| v.push(value)))
            />
        }
    });
    settle().await;
    let input = || -> HtmlInputElement {
        find(&root, "[data-testid=compare-toggle] input").unchecked_into()
    };
    assert!(!input().checked());
    assert_eq!(
        text(&root, "[data-testid=compare-toggle]"),
        "Compare with the previous period"
    );
    click(&root, "[data-testid=compare-toggle] input");
    assert_eq!(changes.get_untracked(), vec![true]);
    // The page owns the setting: turning it off elsewhere (the URL, a reload) unticks the box.
    on.set(true);
    settle().await;
    assert!(input().checked());
    on.set(false);
    settle().await;
    assert!(!input().checked());
    lang.set(Lang::Zh);
    settle().await;
    assert_eq!(
        text(&root, "[data-testid=compare-toggle]"),
        "与上一周期对比"
    );
}

#[wasm_bindgen_test]
async fn the_key_form_refuses_a_malformed_key_and_never_keeps_the_secret_in_the_field() {
    let keys = RwSignal::new(Vec::<Option<String>>::new());
    let root = mount(move || {
        view! {
            <KeyForm
                active_key=Signal::derive(|| None::<String>)
                on_keys=Callback::new(move |c: Option<KeyPair>| {
                    keys.update(|k| k.push(c.map(|c| c.access_key_id)))
                })
            />
        }
    });
    settle().await;
    type_into(&root, "[data-testid=access-key-id]", "bad/key");
    type_into(&root, "[data-testid=secret-access-key]", "secret");
    click(&root, "[data-testid=use-keys]");
    settle().await;
    assert!(keys.get_untracked().is_empty());
    assert_eq!(
        attr(&root, "[data-testid=access-key-id]", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(text(&root, "#access-key-id-error").contains('/'));

    type_into(&root, "[data-testid=access-key-id]", "good-key");
    click(&root, "[data-testid=use-keys]");
    settle().await;
    assert_eq!(keys.get_untracked(), vec![Some("good-key".to_owned())]);
    let secret: HtmlInputElement = find(&root, "[data-testid=secret-access-key]").unchecked_into();
    assert_eq!(secret.value(), "");
}

#[wasm_bindgen_test]
async fn the_key_form_keeps_typed_keys_in_the_same_fields_when_the_language_changes() {
    let lang = RwSignal::new(Lang::En);
    let used = RwSignal::new(Vec::<String>::new());
    let root = mount(move || {
        provide_lang(lang);
        view! {
            <KeyForm
                active_key=Signal::derive(|| None::<String>)
                on_keys=Callback::new(move |c: Option<KeyPair>| {
                    used.update(|u| u.extend(c.map(|c| c.access_key_id)))
                })
            />
        }
    });
    settle().await;
    let english_title = text(&root, "#keys-title");
    type_into(&root, "[data-testid=access-key-id]", "typed-key");
    type_into(&root, "[data-testid=secret-access-key]", "typed-secret");
    click(&root, "[data-testid=remember-keys]");
    let id_field = find(&root, "[data-testid=access-key-id]");
    let secret_field = find(&root, "[data-testid=secret-access-key]");

    lang.set(Lang::Zh);
    settle().await;
    assert_ne!(text(&root, "#keys-title"), english_title, "now in Chinese");
    assert_eq!(text(&root, "label[for=access-key-id]"), "Access Key ID");
    // The very same inputs, still holding what was typed.
    assert!(find(&root, "[data-testid=access-key-id]").is_same_node(Some(&id_field)));
    assert!(find(&root, "[data-testid=secret-access-key]").is_same_node(Some(&secret_field)));
    let value = |selector: &str| -> String {
        find(&root, selector)
            .unchecked_into::<HtmlInputElement>()
            .value()
    };
    assert_eq!(value("[data-testid=access-key-id]"), "typed-key");
    assert_eq!(value("[data-testid=secret-access-key]"), "typed-secret");
    let remember: HtmlInputElement = find(&root, "[data-testid=remember-keys]").unchecked_into();
    assert!(remember.checked());

    // Used: the secret leaves the field; the id stays.
    click(&root, "[data-testid=use-keys]");
    settle().await;
    assert_eq!(used.get_untracked(), vec!["typed-key".to_owned()]);
    lang.set(Lang::En);
    settle().await;
    assert_eq!(value("[data-testid=access-key-id]"), "typed-key");
    assert_eq!(value("[data-testid=secret-access-key]"), "");
    if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = storage.clear();
    }
}

#[wasm_bindgen_test]
async fn the_range_picker_keeps_typed_dates_when_the_language_changes() {
    let lang = RwSignal::new(Lang::En);
    let root = mount(move || {
        provide_lang(lang);
        view! {
            <RangePicker
                range=Signal::derive(|| RangeChoice::Preset(bec_usage_web::range::Preset::Last7))
                today=date("2024-03-10")
                on_change=Callback::new(|_| {})
            />
        }
    });
    settle().await;
    assert_eq!(
        attr(&root, "[data-value='7d']", "aria-pressed").as_deref(),
        Some("true")
    );
    type_into(&root, "[data-testid=range-from]", "2024-02-3");
    settle().await;
    let from_field = find(&root, "[data-testid=range-from]");
    let english_error = text(&root, "[data-testid=range-from-error]");
    assert!(english_error.contains("2024-02-3"), "{english_error}");

    lang.set(Lang::Zh);
    settle().await;
    assert_eq!(text(&root, "[data-testid=range-apply]"), "应用");
    assert!(find(&root, "[data-testid=range-from]").is_same_node(Some(&from_field)));
    assert_eq!(
        from_field.unchecked_ref::<HtmlInputElement>().value(),
        "2024-02-3"
    );
    // The error stays, in the new language.
    let chinese_error = text(&root, "[data-testid=range-from-error]");
    assert!(chinese_error.contains("2024-02-3"), "{chinese_error}");
    assert_ne!(chinese_error, english_error);
}

// ---- the whole app -----------------------------------------------------------------

fn demo_view(from: &str, to: &str) -> ViewState {
    ViewState {
        source: Some(Source::Demo),
        range: RangeChoice::Custom {
            from: from.into(),
            to: to.into(),
        },
        step_seconds: 3600,
        ..ViewState::default()
    }
}

#[wasm_bindgen_test]
async fn the_demo_draws_twelve_charts_the_daily_table_and_the_comparison() {
    let root = mount(|| {
        view! { <App initial=demo_view("2024-01-01", "2024-01-03") proxy=ProxyStatus::Absent /> }
    });
    wait_for(&root, "[data-state=ready]").await;
    assert_eq!(count(&root, "[data-testid=chart]"), 12);
    assert_eq!(count(&root, "[data-testid=line]"), 12);
    assert_eq!(count(&root, "[data-testid=peak]"), 12);
    assert!(count(&root, ".daily-table tbody tr") >= 3);
    assert_eq!(text(&root, "[data-testid=account]").len(), 32);
    assert!(find(&root, "[data-testid=demo-banner]").is_connected());
    // The previous period arrives in the background.
    wait_for(&root, "[data-testid=change]").await;
    // The benchmark's hooks.
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .expect("performance");
    assert!(performance.get_entries_by_name("charts-drawn").length() >= 1);

    // Hiding CPU hides its chart and its column.
    click(&root, "[data-testid=resource-toggles] [data-value=CPU]");
    settle().await;
    let slot = find(&root, "[data-resource=CPU]")
        .parent_element()
        .expect("a slot");
    assert!(slot.has_attribute("hidden"));
    assert!(!find(&root, ".daily-table thead")
        .text_content()
        .unwrap_or_default()
        .contains("CPU"));
}

/// The `beginDate` and `endDate` of a usage request's URL.
fn requested_dates(url: &str) -> Option<(NaiveDate, NaiveDate)> {
    let query = url.split_once('?')?.1;
    let value = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .and_then(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
    };
    Some((value("beginDate")?, value("endDate")?))
}

/// Replaces `window.fetch` with a stand-in proxy until dropped: it answers every usage
/// request with synthetic data for the dates asked and records those dates and the
/// request's `AbortSignal`. With `hold_first`, the first request gets no answer: it only
/// fails, as a browser's does, when its signal aborts it.
struct FakeProxy {
    #[allow(clippy::type_complexity)]
    requests:
        std::rc::Rc<std::cell::RefCell<Vec<(NaiveDate, NaiveDate, web_sys::AbortSignal, String)>>>,
    original: wasm_bindgen::JsValue,
    _answer: wasm_bindgen::closure::Closure<
        dyn FnMut(wasm_bindgen::JsValue, web_sys::RequestInit) -> js_sys::Promise,
    >,
}

impl FakeProxy {
    fn install(hold_first: bool) -> FakeProxy {
        use bec_usage::synthetic::{generate, SyntheticOptions};
        let window = web_sys::window().expect("a window");
        let fetch = wasm_bindgen::JsValue::from_str("fetch");
        let original = js_sys::Reflect::get(&window, &fetch).expect("window.fetch");
        let requests = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let recorded = requests.clone();
        let answer = wasm_bindgen::closure::Closure::<
            dyn FnMut(wasm_bindgen::JsValue, web_sys::RequestInit) -> js_sys::Promise,
        >::new(
            move |url: wasm_bindgen::JsValue, init: web_sys::RequestInit| {
                let url = url.as_string().unwrap_or_default();
                let signal = init.get_signal().expect("every usage request has a signal");
                let Some((begin, end)) = requested_dates(&url) else {
                    return js_sys::Promise::reject(&"not a usage request".into());
                };
                let path = url.split('?').next().unwrap_or_default().to_owned();
                recorded
                    .borrow_mut()
                    .push((begin, end, signal.clone(), path));
                if hold_first && recorded.borrow().len() == 1 {
                    return js_sys::Promise::new(&mut |_resolve, reject| {
                        signal.set_onabort(Some(&reject));
                    });
                }
                let options = SyntheticOptions::new(begin, end)
                    .with_step_seconds(3600)
                    .with_resource_count(2);
                let usage = generate(&options).expect("synthetic data");
                let response = web_sys::Response::new_with_opt_str(Some(
                    &bec_usage::json::write_usage(&usage),
                ))
                .expect("a response");
                js_sys::Promise::resolve(&wasm_bindgen::JsValue::from(response))
            },
        );
        js_sys::Reflect::set(&window, &fetch, answer.as_ref()).expect("replaced");
        FakeProxy {
            requests,
            original,
            _answer: answer,
        }
    }

    /// The dates of each usage request so far.
    fn requests(&self) -> Vec<(NaiveDate, NaiveDate)> {
        self.requests
            .borrow()
            .iter()
            .map(|(begin, end, _, _)| (*begin, *end))
            .collect()
    }

    /// The path of each usage request so far.
    fn paths(&self) -> Vec<String> {
        self.requests
            .borrow()
            .iter()
            .map(|(_, _, _, path)| path.clone())
            .collect()
    }

    /// Whether the `index`-th usage request was aborted.
    fn aborted(&self, index: usize) -> bool {
        self.requests.borrow()[index].2.aborted()
    }
}

impl Drop for FakeProxy {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(
                &window,
                &wasm_bindgen::JsValue::from_str("fetch"),
                &self.original,
            );
        }
    }
}

fn proxy_present() -> ProxyStatus {
    ProxyStatus::Present {
        mode: ProxyMode::ServerSigned,
        upstream_host: "bec.baidubce.com".into(),
        access: Access::default(),
    }
}

#[wasm_bindgen_test]
async fn a_range_longer_than_31_days_is_loaded_in_chunks() {
    let proxy = FakeProxy::install(false);
    let root = mount(|| {
        let initial = ViewState {
            source: Some(Source::Proxy),
            range: RangeChoice::Custom {
                from: "2024-01-01".into(),
                to: "2024-03-05".into(),
            },
            compare: false,
            ..ViewState::default()
        };
        view! { <App initial=initial proxy=proxy_present() /> }
    });
    wait_for(&root, "[data-state=ready]").await;
    // 65 days: three requests of at most 31 days, one after the other, covering the
    // range without gap or overlap.
    let requests = proxy.requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(requests[0].0, date("2024-01-01"));
    assert_eq!(requests[2].1, date("2024-03-05"));
    for (begin, end) in &requests {
        assert!((*end - *begin).num_days() < 31, "{requests:?}");
    }
    for pair in requests.windows(2) {
        assert_eq!(pair[0].1.succ_opt(), Some(pair[1].0), "{requests:?}");
    }
    // Merged into one series per resource, with a row per day.
    assert_eq!(count(&root, "[data-testid=chart]"), 2);
    assert_eq!(count(&root, ".daily-table tbody tr"), 65);
    drop(proxy);
}

#[wasm_bindgen_test]
async fn a_new_range_aborts_the_request_in_flight() {
    let proxy = FakeProxy::install(true);
    let root = mount(|| {
        let initial = ViewState {
            source: Some(Source::Proxy),
            range: RangeChoice::Custom {
                from: "2024-01-01".into(),
                to: "2024-01-07".into(),
            },
            compare: false,
            ..ViewState::default()
        };
        view! { <App initial=initial proxy=proxy_present() /> }
    });
    wait_for(&root, "[data-state=loading]").await;
    for _ in 0..2000 {
        if !proxy.requests().is_empty() {
            break;
        }
        sleep_ms(0).await;
    }
    assert_eq!(
        proxy.requests(),
        vec![(date("2024-01-01"), date("2024-01-07"))]
    );
    assert!(!proxy.aborted(0));

    // Another range while the first is unanswered: the first request is aborted, and the
    // new one is what the page shows.
    type_into(&root, "[data-testid=range-from]", "2024-02-01");
    type_into(&root, "[data-testid=range-to]", "2024-02-03");
    click(&root, "[data-testid=range-apply]");
    wait_for(&root, "[data-state=ready]").await;
    assert!(proxy.aborted(0), "the first request is aborted");
    assert_eq!(
        proxy.requests(),
        vec![
            (date("2024-01-01"), date("2024-01-07")),
            (date("2024-02-01"), date("2024-02-03"))
        ]
    );
    assert!(!proxy.aborted(1));
    assert_eq!(count(&root, ".daily-table tbody tr"), 3);
    drop(proxy);
}

#[wasm_bindgen_test]
async fn keys_mode_without_keys_asks_for_them() {
    let root = mount(|| {
        let initial = ViewState {
            source: Some(Source::Keys),
            ..ViewState::default()
        };
        let proxy = ProxyStatus::Present {
            mode: ProxyMode::Relay,
            upstream_host: "bec.baidubce.com".into(),
            access: Access::default(),
        };
        view! { <App initial=initial proxy=proxy /> }
    });
    wait_for(&root, "[data-state=keys]").await;
    assert!(find(&root, "[data-testid=key-form]").is_connected());
    assert!(find(&root, "[data-testid=empty-state]").is_connected());
}

#[wasm_bindgen_test]
async fn a_proxy_that_answers_an_error_is_reported_with_a_retry() {
    // The test server is no proxy: /v1/usage/computing answers 404 without a BCE body.
    let root = mount(|| {
        let initial = ViewState {
            source: Some(Source::Proxy),
            ..ViewState::default()
        };
        let proxy = ProxyStatus::Present {
            mode: ProxyMode::ServerSigned,
            upstream_host: "bec.baidubce.com".into(),
            access: Access::default(),
        };
        view! { <App initial=initial proxy=proxy /> }
    });
    wait_for(&root, "[data-state=error]").await;
    assert_eq!(text(&root, "[data-testid=error-status]"), "404");
    let asked = usage_requests();
    assert!(asked >= 1);
    let panel = find(&root, "[data-testid=error-panel]");
    click(&root, "[data-testid=retry]");
    // The retry asks again: one more request, then a new panel for its answer.
    for _ in 0..2000 {
        if usage_requests() > asked {
            break;
        }
        sleep_ms(0).await;
    }
    assert_eq!(usage_requests(), asked + 1);
    wait_for(&root, "[data-state=error]").await;
    let new_panel = find(&root, "[data-testid=error-panel]");
    assert!(!new_panel.is_same_node(Some(&panel)));
    assert_eq!(text(&root, "[data-testid=error-status]"), "404");
}

/// A server-signed proxy with password sign-in, `user` signed in, naming `accounts`
/// (the first the default).
fn proxy_with_sign_in(user: Option<&str>, accounts: &[&str]) -> ProxyStatus {
    ProxyStatus::Present {
        mode: ProxyMode::ServerSigned,
        upstream_host: "bec.baidubce.com".into(),
        access: Access {
            sign_in: SignIn::Password,
            user: user.map(str::to_owned),
            accounts: accounts.iter().map(|a| (*a).to_owned()).collect(),
            default_account: accounts.first().map(|a| (*a).to_owned()),
        },
    }
}

#[wasm_bindgen_test]
async fn without_a_user_the_app_shows_the_sign_in_form_and_loads_nothing() {
    let proxy = FakeProxy::install(false);
    let root = mount(|| {
        let initial = ViewState {
            source: Some(Source::Proxy),
            ..ViewState::default()
        };
        view! { <App initial=initial proxy=proxy_with_sign_in(None, &[]) /> }
    });
    wait_for(&root, "[data-state=signin]").await;
    settle().await;
    assert!(proxy.requests().is_empty());
    assert_eq!(count(&root, "[data-testid=charts]"), 0);
    assert!(find(&root, "[data-testid=user]").has_attribute("hidden"));
    assert_eq!(
        attr(&root, "#sign-in-user", "autocomplete").as_deref(),
        Some("username")
    );
    assert_eq!(
        attr(&root, "#sign-in-password", "autocomplete").as_deref(),
        Some("current-password")
    );
    assert_eq!(text(&root, "label[for=sign-in-user]"), "User name");
    assert_eq!(text(&root, "label[for=sign-in-password]"), "Password");
    assert_eq!(
        attr(&root, "[data-testid=sign-in-error]", "role").as_deref(),
        Some("alert")
    );
    // The page's language applies to the form too.
    click(&root, "[data-testid=lang-toggle]");
    settle().await;
    assert_eq!(text(&root, "label[for=sign-in-password]"), "密码");
    drop(proxy);
}

#[wasm_bindgen_test]
async fn a_signed_in_user_with_two_accounts_loads_the_one_in_the_url_by_name() {
    let proxy = FakeProxy::install(false);
    let root = mount(|| {
        let initial = ViewState {
            source: Some(Source::Proxy),
            compare: false,
            account: Some("test".into()),
            lang: Some(Lang::En),
            ..ViewState::default()
        };
        let proxy = proxy_with_sign_in(Some("alice"), &["production", "test"]);
        view! { <App initial=initial proxy=proxy /> }
    });
    wait_for(&root, "[data-state=ready]").await;
    assert_eq!(proxy.paths(), vec!["/accounts/test/v1/usage/computing"]);
    assert_eq!(text(&root, "[data-testid=user-name]"), "alice");
    assert!(!find(&root, "[data-testid=sign-out]").has_attribute("hidden"));
    let picker: web_sys::HtmlSelectElement =
        find(&root, "[data-testid=account-picker]").unchecked_into();
    assert_eq!(picker.value(), "test");
    assert!(find(&root, "[data-testid=account-note]").has_attribute("hidden"));

    // Another account: loaded from its own path.
    picker.set_value("production");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let change = web_sys::Event::new_with_event_init_dict("change", &init).expect("an event");
    picker.dispatch_event(&change).expect("dispatched");
    for _ in 0..2000 {
        if proxy.paths().len() > 1 {
            break;
        }
        sleep_ms(0).await;
    }
    wait_for(&root, "[data-state=ready]").await;
    assert_eq!(
        proxy.paths(),
        vec![
            "/accounts/test/v1/usage/computing",
            "/accounts/production/v1/usage/computing"
        ]
    );
    drop(proxy);
}

#[wasm_bindgen_test]
async fn an_account_the_server_does_not_list_falls_back_with_a_note() {
    let proxy = FakeProxy::install(false);
    let root = mount(|| {
        let initial = ViewState {
            source: Some(Source::Proxy),
            compare: false,
            account: Some("staging".into()),
            lang: Some(Lang::En),
            ..ViewState::default()
        };
        let proxy = proxy_with_sign_in(Some("alice"), &["production", "test"]);
        view! { <App initial=initial proxy=proxy /> }
    });
    wait_for(&root, "[data-state=ready]").await;
    assert_eq!(
        proxy.paths(),
        vec!["/accounts/production/v1/usage/computing"]
    );
    let note = text(&root, "[data-testid=account-note]");
    assert!(
        note.contains("“staging”") && note.contains("“production”"),
        "{note}"
    );
    drop(proxy);
}

#[wasm_bindgen_test]
async fn the_account_picker_needs_two_accounts() {
    let accounts = RwSignal::new(vec!["production".to_owned()]);
    let chosen = RwSignal::new(Vec::<String>::new());
    let root = mount(move || {
        view! {
            <AccountPicker
                accounts=accounts
                account=Signal::derive(|| Some("production".to_owned()))
                account_id=Signal::derive(|| None::<String>)
                on_change=Callback::new(move |name: String| chosen.update(|c| c.push(name)))
            />
        }
    });
    settle().await;
    assert!(find(&root, "label").has_attribute("hidden"));
    accounts.set(vec!["production".into(), "test".into()]);
    settle().await;
    assert!(!find(&root, "label").has_attribute("hidden"));
    assert_eq!(count(&root, "select option"), 2);
    assert_eq!(text(&root, "label"), "Accountproductiontest");
    let picker: web_sys::HtmlSelectElement = find(&root, "select").unchecked_into();
    assert_eq!(picker.value(), "production");
    picker.set_value("test");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let change = web_sys::Event::new_with_event_init_dict("change", &init).expect("an event");
    picker.dispatch_event(&change).expect("dispatched");
    assert_eq!(chosen.get_untracked(), vec!["test".to_owned()]);
}

/// How many usage requests this page has sent (the browser's resource timing entries).
fn usage_requests() -> usize {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
        return 0;
    };
    performance
        .get_entries_by_type("resource")
        .iter()
        .filter(|entry| {
            js_sys::Reflect::get(entry, &wasm_bindgen::JsValue::from_str("name"))
                .ok()
                .and_then(|name| name.as_string())
                .is_some_and(|name| name.contains("/v1/usage/computing"))
        })
        .count()
}

#[wasm_bindgen_test]
async fn switching_the_language_translates_the_page_and_its_units() {
    let root = mount(|| {
        view! { <App initial=demo_view("2024-01-01", "2024-01-01") proxy=ProxyStatus::Absent /> }
    });
    wait_for(&root, "[data-state=ready]").await;
    assert!(text(&root, "[data-resource=CPU] h3").contains("cores"));
    let chart = find(&root, "[data-resource=CPU]");
    // A date typed and not applied yet.
    type_into(&root, "[data-testid=range-from]", "2024-01-0");
    click(&root, "[data-testid=lang-toggle]");
    settle().await;
    assert!(text(&root, "[data-resource=CPU] h3").contains('核'));
    // Translated in place: the chart is the same element, not drawn again.
    assert!(find(&root, "[data-resource=CPU]").is_same_node(Some(&chart)));
    assert_eq!(text(&root, "[data-testid=lang-toggle]"), "English");
    assert_eq!(
        find(&root, "[data-testid=range-from]")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "2024-01-0"
    );
    assert!(text(&root, "h1").contains("用量"));
    assert_eq!(
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .as_deref(),
        Some("zh-CN")
    );
}
