//! A message in place of the charts: no data in the range, keys needed, a range to fix.

use leptos::prelude::*;

use crate::i18n::{Lang, T};

/// The empty state, shown while `message` is `Some`: what to say, and what to do about
/// it if anything.
#[component]
pub fn EmptyState(
    /// What to say and what to do; nothing when `None`.
    #[prop(into)]
    message: Signal<Option<(T, Option<T>)>>,
    /// The page's language.
    lang: Lang,
) -> impl IntoView {
    let markup = move || {
        let Some((message, hint)) = message.get() else {
            return String::new();
        };
        format!(
            "<div class=\"card empty\" data-testid=\"empty-state\">\
             <svg viewBox=\"0 0 48 48\" width=\"48\" height=\"48\" aria-hidden=\"true\">\
             <path class=\"empty-axis\" d=\"M8 40H42M8 40V8\"/>\
             <path class=\"empty-line\" d=\"M12 34L20 28L27 31L38 18\"/></svg>\
             <p class=\"empty-title\">{}</p><p class=\"muted\">{}</p></div>",
            message.get(lang),
            hint.map_or("", |h| h.get(lang))
        )
    };
    view! { <div inner_html=markup></div> }
}
