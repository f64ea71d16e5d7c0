//! The language switch: shows the other language by its own name.

use leptos::prelude::*;

use crate::i18n::{Lang, T};

use super::use_lang;

/// The language switch.
#[component]
pub fn LangToggle(
    /// Called with the other language.
    on_change: Callback<Lang>,
) -> impl IntoView {
    let lang = use_lang();
    let other = move || lang.get().other();
    // The accessible name starts with the visible text (WCAG 2.5.3, "label in name"), so
    // speech users can say what they see; the rest says what the button does.
    let label = move || {
        format!(
            "{} ({})",
            other().own_name(),
            T::SwitchLanguage.get(lang.get())
        )
    };
    view! {
        <span class="lang-switch">
            <button
                type="button"
                class="button ghost"
                data-testid="lang-toggle"
                aria-label=label
                lang=move || other().html_lang()
                on:click=move |_| on_change.run(other())
            >
                {move || other().own_name()}
            </button>
        </span>
    }
}
