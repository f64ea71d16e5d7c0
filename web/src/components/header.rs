//! The page's header: the name, what it shows, the account, and the switches (given as
//! children: the source, the language and the theme).

use leptos::prelude::*;

use crate::i18n::{Lang, T};
use crate::markup::escape;

/// The header.
#[component]
pub fn Header(
    /// The page's language.
    lang: Lang,
    /// The account of the loaded data, if any.
    #[prop(into)]
    account: Signal<Option<String>>,
    /// The switches.
    children: Children,
) -> impl IntoView {
    let brand = format!(
        "<svg class=\"logo\" viewBox=\"0 0 32 32\" width=\"32\" height=\"32\" aria-hidden=\"true\">\
         <rect width=\"32\" height=\"32\" rx=\"8\" class=\"logo-bg\"/>\
         <path d=\"M6 22L12 15L17 19L26 9\" class=\"logo-line\"/><path d=\"M6 26H26\" class=\"logo-base\"/></svg>\
         <div><h1>{}</h1><p class=\"muted\">{}</p></div>",
        T::AppTitle.get(lang),
        T::AppSubtitle.get(lang)
    );
    let account_label = T::Account.get(lang);
    let account = move || {
        account.get().map_or_else(String::new, |id| {
            format!(
                "<span class=\"account muted\">{account_label} <code data-testid=\"account\">{}</code></span>",
                escape(&id)
            )
        })
    };
    view! {
        <header class="top">
            <div class="brand" inner_html=brand></div>
            <div class="switches">
                <span inner_html=account></span>
                {children()}
            </div>
        </header>
    }
}
