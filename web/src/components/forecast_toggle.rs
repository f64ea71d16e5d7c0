//! The switch for the forecast to month end.

use leptos::prelude::*;

use super::text;
use crate::i18n::{Lang, T};

/// A checkbox: draw the forecast band and state the month-end forecasts.
#[component]
pub fn ForecastToggle(
    /// Whether the forecast is on.
    #[prop(into)]
    forecast: Signal<bool>,
    /// The page's language.
    #[prop(into)]
    lang: Signal<Lang>,
    /// Called with the new setting.
    on_change: Callback<bool>,
) -> impl IntoView {
    view! {
        <label class="check" data-testid="forecast-toggle">
            <input
                type="checkbox"
                prop:checked=move || forecast.get()
                on:change=move |ev| on_change.run(event_target_checked(&ev))
            />
            {text(lang, T::Forecast)}
        </label>
    }
}
