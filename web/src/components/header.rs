//! The page's header: the name, what it shows, the account, and the switches (given as
//! children: the source, the language and the theme).

use leptos::prelude::*;

use super::{text, use_lang};
use crate::i18n::T;

/// The header.
#[component]
pub fn Header(
    /// The account of the loaded data, if any.
    #[prop(into)]
    account: Signal<Option<String>>,
    /// The switches.
    children: Children,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <header class="top">
            <div class="brand">
                <svg class="logo" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true">
                    <rect width="32" height="32" rx="8" class="logo-bg" />
                    <path d="M6 22L12 15L17 19L26 9" class="logo-line" />
                    <path d="M6 26H26" class="logo-base" />
                </svg>
                <div>
                    <h1>{text(lang, T::AppTitle)}</h1>
                    <p class="muted">{text(lang, T::AppSubtitle)}</p>
                </div>
            </div>
            <div class="switches">
                {move || account.get().map(|id| view! {
                    <span class="account muted">
                        {text(lang, T::Account)} " " <code data-testid="account">{id}</code>
                    </span>
                })}
                {children()}
            </div>
        </header>
    }
}
