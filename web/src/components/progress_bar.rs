//! The progress of a range fetched in chunks.

use leptos::prelude::*;

use crate::i18n::{fill, Lang, T};

/// A progress bar while a range of several chunks loads; nothing otherwise.
#[component]
pub fn ProgressBar(
    /// Chunks done and in all, while loading.
    #[prop(into)]
    progress: Signal<Option<(usize, usize)>>,
    /// The page's language.
    lang: Lang,
) -> impl IntoView {
    let markup = move || {
        let Some((done, total)) = progress.get().filter(|(_, total)| *total > 1) else {
            return String::new();
        };
        let text = fill(
            T::LoadingChunks.get(lang),
            &[
                ("done", &(done + 1).min(total).to_string()),
                ("total", &total.to_string()),
            ],
        );
        format!(
            "<div class=\"progress\" role=\"status\" data-testid=\"progress\">\
             <progress max=\"{total}\" value=\"{done}\" aria-label=\"{text}\"></progress>\
             <span class=\"muted\">{text}</span></div>"
        )
    };
    view! { <div inner_html=markup></div> }
}
