//! The unusual stretches the core finds (`find_anomalies`), the strongest first (by
//! score), listed with their time, resource, value, usual range, length and score, and
//! the one setting: the sensitivity. The
//! charts mark the same stretches. They are looked for after the charts are painted: until
//! then the card says it is looking, and is `aria-busy`.

use std::sync::Arc;

use bec_usage::analysis::{Anomaly, Sensitivity};
use leptos::prelude::*;

use super::{aria_bool, text, use_lang, Marker};
use crate::dataset::Dataset;
use crate::format::{format_amount, format_estimate, format_time};
use crate::i18n::{duration_text, fill, unit_label, T};
use crate::state::{sensitivity_code, sensitivity_from_code};

/// The list of unusual stretches and the sensitivity select.
#[component]
pub fn Anomalies(
    /// The loaded data.
    data: Arc<Dataset>,
    /// The stretches found at the current sensitivity (`None`: still looking).
    #[prop(into)]
    anomalies: Signal<Option<Arc<Vec<Anomaly>>>>,
    /// The sensitivity.
    #[prop(into)]
    sensitivity: Signal<Sensitivity>,
    /// Called with a new sensitivity.
    on_sensitivity: Callback<Sensitivity>,
) -> impl IntoView {
    let lang = use_lang();
    let options = [
        (Sensitivity::Low, T::SensitivityLow),
        (Sensitivity::Medium, T::SensitivityMedium),
        (Sensitivity::High, T::SensitivityHigh),
    ]
    .map(|(value, label)| {
        view! {
            <option value=sensitivity_code(value) prop:selected=move || sensitivity.get() == value>
                {text(lang, label)}
            </option>
        }
    });
    let looking = move || anomalies.with(Option::is_none);
    let items = move || {
        let lang = lang.get();
        anomalies.with(|found| {
            // The strongest first: the scores compare across resources.
            let mut ranked: Vec<&Anomaly> = found.iter().flat_map(|found| found.iter()).collect();
            ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
            ranked
                .into_iter()
                .map(|a| {
                    let index = data.resource_index(&a.resource).unwrap_or(0);
                    let unit = data
                        .resources
                        .get(index)
                        .map(|r| unit_label(&r.unit, lang).to_owned())
                        .unwrap_or_default();
                    let detail = fill(
                        T::AnomalyItem.get(lang),
                        &[
                            ("value", &format!("{}\u{202F}{unit}", format_amount(a.value))),
                            ("low", &format_estimate(a.usual_low)),
                            ("high", &format_estimate(a.usual_high)),
                            ("duration", &duration_text(a.end_ms - a.start_ms, lang)),
                            ("score", &format!("{:.1}", a.score)),
                        ],
                    );
                    view! {
                        <li
                            data-testid="anomaly-item"
                            data-resource=a.resource.clone()
                            data-score=format!("{:.2}", a.score)
                        >
                            <time>{format_time(a.peak_ms)}</time>
                            <span class="total-name"><Marker index=index />{a.resource.clone()}</span>
                            <span>{detail}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section
            class="card anomalies"
            data-testid="anomalies"
            aria-labelledby="anomalies-title"
            aria-busy=move || aria_bool(looking())
        >
            <header class="section-head row">
                <h2 id="anomalies-title">{text(lang, T::AnomaliesTitle)}</h2>
                <label class="check">
                    {text(lang, T::Sensitivity)}
                    <select
                        data-testid="sensitivity"
                        on:change=move |ev| {
                            if let Some(s) = sensitivity_from_code(&event_target_value(&ev)) {
                                on_sensitivity.run(s);
                            }
                        }
                    >
                        {options}
                    </select>
                </label>
            </header>
            <Show
                when=move || anomalies.with(|a| a.as_ref().is_some_and(|a| !a.is_empty()))
                fallback=move || view! {
                    <Show
                        when=looking
                        fallback=move || view! {
                            <p class="muted small" data-testid="no-anomalies">{text(lang, T::NoAnomalies)}</p>
                        }
                    >
                        <p class="muted small" data-testid="anomalies-pending">{text(lang, T::AnomaliesPending)}</p>
                    </Show>
                }
            >
                // Focusable, so that the list scrolls by keyboard too.
                <ol class="anomaly-list" tabindex="0" aria-labelledby="anomalies-title">
                    {items.clone()}
                </ol>
            </Show>
        </section>
    }
}
