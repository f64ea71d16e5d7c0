//! The cost estimate: a price sheet the person supplies (a `.json` file or pasted text),
//! kept in this browser's local storage, and the cost of the data under it per resource,
//! per day and in all, rounded to the sheet's minor units for display only.
//!
//! Errors are the core's messages, which name the entry at fault (`prices.CPU: ...`), shown
//! next to the field; a sheet that prices a resource the data lacks is refused too.

use std::sync::Arc;

use bec_usage::analysis::{round_money, CostEstimate};
use bec_usage::text::decimal_text;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rust_decimal::Decimal;

use super::{aria_bool, text, use_lang};
use crate::data_worker;
use crate::dataset::Dataset;
use crate::dom;
use crate::format::{format_amount, format_date};
use crate::i18n::{fill, month_name, unit_hours_label, Lang, T};
use crate::markup::hours_text;
use crate::wire::{CostError, CostView, Question, Told};

/// `amount` rounded to `minor_units` places, with grouped digits.
fn money(amount: Decimal, minor_units: u32) -> String {
    let mut rounded = round_money(amount, minor_units);
    rounded.rescale(minor_units);
    format_amount(rounded)
}

/// The smallest amount of money of `minor_units` places (`0.01`).
fn minor_unit(minor_units: u32) -> String {
    format_amount(Decimal::new(1, minor_units))
}

/// The estimate's tables: per resource, per day, the total and the forecast.
fn estimate_view(
    data: &Dataset,
    estimate: &CostEstimate,
    forecast_cost: Option<(Decimal, Decimal, Decimal)>,
    forecast: Signal<bool>,
    lang: Signal<Lang>,
) -> impl IntoView {
    let minor = estimate.minor_units;
    let currency = StoredValue::new(estimate.currency.clone());
    let rounded_note = {
        let unit = minor_unit(minor);
        move || {
            currency.with_value(|c| {
                fill(
                    T::CostRounded.get(lang.get()),
                    &[("unit", &unit), ("currency", c)],
                )
            })
        }
    };
    let rows = estimate
        .resources
        .iter()
        .map(|r| {
            let scale = data
                .resource_index(&r.resource)
                .map_or(0, |i| data.amount_scale(i));
            let unit = r.unit.clone();
            view! {
                <tr data-testid="cost-row">
                    <th scope="row">{r.resource.clone()}</th>
                    <td class="num">
                        {hours_text(r.hours, scale)} " "
                        <small class="muted">{move || unit_hours_label(&unit, lang.get())}</small>
                    </td>
                    <td class="num" title=decimal_text(r.cost)>{money(r.cost, minor)}</td>
                </tr>
            }
        })
        .collect_view();
    let days = estimate
        .days
        .iter()
        .map(|(date, cost)| {
            view! {
                <tr>
                    <th scope="row">{format_date(*date)}</th>
                    <td class="num" title=decimal_text(*cost)>{money(*cost, minor)}</td>
                </tr>
            }
        })
        .collect_view();
    let unpriced = (!estimate.unpriced.is_empty()).then(|| {
        let names = estimate.unpriced.join(", ");
        view! {
            <p class="muted small" data-testid="unpriced">
                {move || fill(T::Unpriced.get(lang.get()), &[("names", &names)])}
            </p>
        }
    });
    let month = data.forecast_month();
    let outlook = forecast_cost
        .zip(month)
        .map(|((expected, low, high), (year, month))| {
            let (expected, low, high) = (
                money(expected, minor),
                money(low, minor),
                money(high, minor),
            );
            move || {
                forecast.get().then(|| {
                    currency.with_value(|c| {
                        fill(
                            T::CostForecast.get(lang.get()),
                            &[
                                ("month", &month_name(year, month, lang.get())),
                                ("expected", &expected),
                                ("low", &low),
                                ("high", &high),
                                ("currency", c),
                            ],
                        )
                    })
                })
            }
        });
    let total = money(estimate.total, minor);
    let exact_total = decimal_text(estimate.total);
    view! {
        <div class="cost-result" data-testid="cost-result">
            <p class="cost-total">
                {text(lang, T::CostTotal)} ": "
                <strong data-testid="cost-total" title=exact_total>
                    {total} " " {currency.get_value()}
                </strong>
            </p>
            <p class="small" data-testid="cost-forecast">{outlook}</p>
            <p class="muted small" data-testid="cost-rounding">{rounded_note}</p>
            <div class="table-scroll">
                <table class="cost-table">
                    <thead>
                        <tr>
                            <th scope="col">{text(lang, T::CostResource)}</th>
                            <th scope="col" class="num">{text(lang, T::CostHours)}</th>
                            <th scope="col" class="num">
                                {text(lang, T::Cost)} " (" {currency.get_value()} ")"
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {unpriced}
            <details class="cost-days">
                <summary>{text(lang, T::CostPerDay)}</summary>
                <table class="cost-table">
                    <tbody>{days}</tbody>
                </table>
            </details>
        </div>
    }
}

/// The cost of load `load` under the sheet `text`, from the data worker; `None` when it
/// no longer holds the load.
async fn cost_of(load: u32, text: String) -> Option<Result<CostView, CostError>> {
    match data_worker::ask(load, Question::Cost { sheet: text }).await {
        (Told::Cost { cost }, _) => Some(cost),
        (Told::Failed { message }, _) => Some(Err(CostError {
            message,
            invalid_sheet: false,
        })),
        _ => None,
    }
}

/// The price-sheet form and, with a sheet that fits the data, the estimate.
#[component]
pub fn CostPanel(
    /// The loaded data.
    data: Arc<Dataset>,
    /// The price sheet in use, as text.
    #[prop(into)]
    sheet: Signal<Option<String>>,
    /// Called with a new sheet (valid JSON of a sheet), or `None` to remove it.
    on_sheet: Callback<Option<String>>,
    /// Whether the forecast is shown.
    #[prop(into)]
    forecast: Signal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let draft = RwSignal::new(sheet.get_untracked().unwrap_or_default());
    let parse_error = RwSignal::new(None::<String>);
    // The estimate, once per (data, sheet), asked of the data worker.
    let load = data.load;
    let estimate = LocalResource::new(move || {
        let text = sheet.get();
        async move { cost_of(load, text?).await }
    });
    let estimate = Memo::new(move |_| estimate.get().flatten());
    // For the benchmark: how long the cost took.
    Effect::new(move |_| {
        if let Some(Ok(cost)) = estimate.get() {
            dom::set_metric("costMs", wasm_bindgen::JsValue::from_f64(cost.ms));
        }
    });
    // A sheet is taken only when it is valid (it may still not fit the data: the estimate
    // says so).
    let apply = move |text: String| {
        spawn_local(async move {
            match cost_of(load, text.clone()).await {
                Some(Err(error)) if error.invalid_sheet => parse_error.set(Some(error.message)),
                _ => {
                    parse_error.set(None);
                    on_sheet.run(Some(text));
                }
            }
        })
    };
    let error = move || {
        parse_error.get().or_else(|| {
            estimate.with(|e| match e {
                Some(Err(error)) => Some(error.message.clone()),
                _ => None,
            })
        })
    };
    let has_error = move || error().is_some();
    let on_file = move |ev: leptos::ev::Event| {
        spawn_local(async move {
            if let Some(text) = dom::chosen_file_text(&ev).await {
                draft.set(text.clone());
                apply(text);
            }
        });
    };
    let download = move |_| {
        let written = estimate.with_untracked(|e| match e {
            Some(Ok(cost)) => Some(cost.sheet.clone()),
            _ => None,
        });
        if let Some(json) = written {
            dom::download("price-sheet.json", "application/json", &json);
        }
    };
    let remove = move |_| {
        draft.set(String::new());
        parse_error.set(None);
        on_sheet.run(None);
    };
    let result = move || {
        let cost = estimate.with(|e| match e {
            Some(Ok(cost)) => Some(cost.clone()),
            _ => None,
        })?;
        Some(estimate_view(
            &data,
            &cost.estimate,
            cost.forecast,
            forecast,
            lang,
        ))
    };
    view! {
        <section class="card cost" data-testid="cost-panel" aria-labelledby="cost-title">
            <header class="section-head">
                <h2 id="cost-title">{text(lang, T::CostTitle)}</h2>
                <p class="muted small">{text(lang, T::CostIntro)}</p>
            </header>
            <div class="sheet-form">
                <label class="field">
                    <span>{text(lang, T::SheetFile)}</span>
                    <input type="file" accept=".json,application/json" data-testid="sheet-file" on:change=on_file />
                </label>
                <label class="field">
                    <span>{text(lang, T::SheetText)}</span>
                    <textarea
                        rows="4"
                        spellcheck="false"
                        data-testid="sheet-text"
                        aria-invalid=move || aria_bool(has_error())
                        aria-describedby="sheet-error"
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <div class="sheet-actions">
                    <button type="button" class="button primary" data-action="apply-sheet"
                        on:click=move |_| apply(draft.get_untracked())>
                        {text(lang, T::Apply)}
                    </button>
                    <button type="button" class="button" data-action="download-sheet"
                        disabled=move || sheet.with(Option::is_none) on:click=download>
                        {text(lang, T::DownloadSheet)}
                    </button>
                    <button type="button" class="button" data-action="remove-sheet"
                        disabled=move || sheet.with(Option::is_none) && draft.with(String::is_empty)
                        on:click=remove>
                        {text(lang, T::RemoveSheet)}
                    </button>
                </div>
                <p id="sheet-error" class="field-error" role="alert" data-testid="sheet-error">
                    {error}
                </p>
            </div>
            {result}
        </section>
    }
}
