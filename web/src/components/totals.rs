//! The range's usage in unit-hours per resource (core-hours, GB-hours), with the time the
//! gaps left uncovered and, when the forecast is on, the month-end forecast.

use std::sync::Arc;

use chrono::Datelike;
use leptos::prelude::*;

use super::{text, use_lang, Marker};
use crate::dataset::Dataset;
use crate::format::format_estimate;
use crate::i18n::{duration_text, fill, month_name, unit_hours_label, T};
use crate::markup::hours_text;

/// The unit-hours card.
#[component]
pub fn Totals(
    /// The loaded data.
    data: Arc<Dataset>,
    /// The resources hidden by the person.
    #[prop(into)]
    hidden: Signal<Vec<String>>,
    /// Whether the forecast is shown.
    #[prop(into)]
    forecast: Signal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let items = data
        .resources
        .iter()
        .enumerate()
        .filter_map(|(index, series)| {
            let hours = data.hours.resource(&series.name)?;
            let name = series.name.clone();
            let unit = StoredValue::new(hours.unit.clone());
            let scale = data.amount_scale(index);
            let total = hours_text(hours.total, scale);
            let title = crate::format::format_amount(hours.total);
            let gap_ms = hours.gap_ms;
            let gap = move || {
                (gap_ms > 0).then(|| {
                    let lang = lang.get();
                    fill(
                        T::GapNote.get(lang),
                        &[("duration", &duration_text(gap_ms, lang))],
                    )
                })
            };
            // The month the forecast ends in: its total is that month's, used and expected.
            let outlook = data.forecast_of(&series.name).and_then(|f| {
                let month = f.days.last()?.date;
                Some((
                    (month.year(), month.month()),
                    format_estimate(f.total.expected),
                    format_estimate(f.total.low),
                    format_estimate(f.total.high),
                ))
            });
            let outlook = move || {
                let ((year, month), expected, low, high) =
                    outlook.clone().filter(|_| forecast.get())?;
                let lang = lang.get();
                let unit = unit.with_value(|u| unit_hours_label(u, lang));
                Some(fill(
                    T::ForecastTotal.get(lang),
                    &[
                        ("month", &month_name(year, month, lang)),
                        ("expected", &format!("{expected}\u{202F}{unit}")),
                        ("low", &low),
                        ("high", &high),
                    ],
                ))
            };
            let shown = {
                let name = name.clone();
                move || !hidden.with(|h| h.contains(&name))
            };
            let resource = name.clone();
            Some(view! {
                <li hidden=move || !shown() data-testid="total" data-resource=resource>
                    <span class="total-name"><Marker index=index />{name}</span>
                    <span class="total-value" title=title>
                        {total} "\u{202F}"
                        <span class="u">{move || unit.with_value(|u| unit_hours_label(u, lang.get()))}</span>
                    </span>
                    <span class="muted small" data-testid="gap-note">{gap}</span>
                    <span class="small" data-testid="forecast-total">{outlook}</span>
                </li>
            })
        })
        .collect_view();
    view! {
        <section class="card totals" data-testid="totals" aria-labelledby="totals-title">
            <header class="section-head">
                <h2 id="totals-title">{text(lang, T::TotalsTitle)}</h2>
                <p class="muted small">{text(lang, T::TotalsNote)}</p>
            </header>
            <ul class="total-list">{items}</ul>
        </section>
    }
}
