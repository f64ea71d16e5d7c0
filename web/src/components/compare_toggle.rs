//! The switch for the comparison with the previous period.

use leptos::html;
use leptos::prelude::*;

use crate::i18n::{Lang, T};

/// A checkbox: overlay and compare the previous period.
#[component]
pub fn CompareToggle(
    /// Whether the comparison is on.
    #[prop(into)]
    compare: Signal<bool>,
    /// The page's language.
    lang: Lang,
    /// Called with the new setting.
    on_change: Callback<bool>,
) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            input.set_checked(compare.get());
        }
    });
    view! {
        <label class="check" data-testid="compare-toggle">
            <input type="checkbox" node_ref=input on:change=move |ev| on_change.run(event_target_checked(&ev)) />
            {T::Compare.get(lang)}
        </label>
    }
}
