//! The theme switch between light and dark (the system's theme until used).

use leptos::prelude::*;

use super::{aria_bool, text, use_lang};
use crate::i18n::T;
use crate::state::Theme;

/// The theme switch: a pressed "dark theme" button when dark. It shows a sun when dark
/// (to go light) and a moon when light; the style sheet picks by `aria-pressed`.
#[component]
pub fn ThemeToggle(
    /// The theme in effect.
    #[prop(into)]
    theme: Signal<Theme>,
    /// Called with the other theme.
    on_change: Callback<Theme>,
) -> impl IntoView {
    let lang = use_lang();
    let dark = move || theme.get() == Theme::Dark;
    let title = move || {
        let key = if dark() { T::LightTheme } else { T::DarkTheme };
        key.get(lang.get())
    };
    view! {
        <span class="theme-switch">
            <button
                type="button"
                class="button ghost icon"
                data-testid="theme-toggle"
                aria-label=text(lang, T::DarkTheme)
                aria-pressed=move || aria_bool(dark())
                title=title
                on:click=move |_| on_change.run(theme.get_untracked().other())
            >
                <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                    <g class="icon-stroke icon-sun">
                        <circle cx="12" cy="12" r="4.5" />
                        <path d="M12 2v2.5M12 19.5V22M2 12h2.5M19.5 12H22M4.9 4.9l1.8 1.8M17.3 17.3l1.8 1.8M4.9 19.1l1.8-1.8M17.3 6.7l1.8-1.8" />
                    </g>
                    <path class="icon-stroke icon-moon" d="M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z" />
                </svg>
            </button>
        </span>
    }
}
