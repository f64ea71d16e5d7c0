//! The language switch: shows the other language by its own name.

use leptos::prelude::*;

use crate::i18n::{Lang, T};

/// The language switch.
#[component]
pub fn LangToggle(
    /// The page's language.
    lang: Lang,
    /// Called with the other language.
    on_change: Callback<Lang>,
) -> impl IntoView {
    let other = lang.other();
    // The accessible name starts with the visible text (WCAG 2.5.3, "label in name"), so
    // speech users can say what they see; the rest says what the button does.
    let markup = format!(
        "<button type=\"button\" class=\"button ghost\" data-testid=\"lang-toggle\" \
         aria-label=\"{} ({})\" lang=\"{}\">{}</button>",
        other.own_name(),
        T::SwitchLanguage.get(lang),
        other.html_lang(),
        other.own_name()
    );
    view! { <span class="lang-switch" inner_html=markup on:click=move |_| on_change.run(other)></span> }
}
