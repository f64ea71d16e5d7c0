//! The switch for the comparison with the previous period.

use leptos::prelude::*;

use super::text;
use crate::i18n::{Lang, T};

/// A checkbox: overlay and compare the previous period.
#[component]
pub fn CompareToggle(
    /// Whether the comparison is on.
    #[prop(into)]
    compare: Signal<bool>,
    /// The page's language.
    #[prop(into)]
    lang: Signal<Lang>,
    /// Called with the new setting.
    on_change: Callback<bool>,
) -> impl IntoView {
    view! {
        <label class="check" data-testid="compare-toggle">
            <input
                type="checkbox"
                prop:checked=move || compare.get()
                on:change=move |ev| on_change.run(event_target_checked(&ev))
            />
            {text(lang, T::Compare)}
        </label>
    }
}
