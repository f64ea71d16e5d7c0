//! A message in place of the charts: no data in the range, keys needed, a range to fix.

use leptos::prelude::*;

use super::{text, use_lang};
use crate::i18n::T;

/// The empty state: what to say, and what to do about it if anything.
#[component]
pub fn EmptyState(
    /// What to say.
    message: T,
    /// What to do about it, if anything.
    #[prop(optional)]
    hint: Option<T>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="card empty" data-testid="empty-state">
            <svg viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">
                <path class="empty-axis" d="M8 40H42M8 40V8" />
                <path class="empty-line" d="M12 34L20 28L27 31L38 18" />
            </svg>
            <p class="empty-title">{text(lang, message)}</p>
            <p class="muted">{move || hint.map_or("", |h| h.get(lang.get()))}</p>
        </div>
    }
}
