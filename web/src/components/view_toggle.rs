//! A switch for a part of the view that can be on or off: the comparison with the previous
//! period, the forecast to month end.

use leptos::prelude::*;

use super::{text, use_lang};
use crate::i18n::T;

/// A labelled checkbox that shows `on` and reports the new setting; the page owns the
/// setting (and keeps it in the URL), so the box is never the source of truth.
#[component]
pub fn ViewToggle(
    /// Whether the part of the view is on.
    #[prop(into)]
    on: Signal<bool>,
    /// The label's text.
    label: T,
    /// The `data-testid` of the label, for the tests.
    test_id: &'static str,
    /// Called with the new setting.
    on_change: Callback<bool>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <label class="check" data-testid=test_id>
            <input
                type="checkbox"
                prop:checked=move || on.get()
                on:change=move |ev| on_change.run(event_target_checked(&ev))
            />
            {text(lang, label)}
        </label>
    }
}
