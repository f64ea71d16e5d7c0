//! The progress of a range fetched in chunks.

use leptos::prelude::*;

use crate::i18n::{fill, T};

use super::use_lang;

/// A progress bar while a range of several chunks loads; nothing otherwise.
#[component]
pub fn ProgressBar(
    /// Chunks done and in all, while loading.
    #[prop(into)]
    progress: Signal<Option<(usize, usize)>>,
) -> impl IntoView {
    let lang = use_lang();
    let chunks = move || progress.get().filter(|(_, total)| *total > 1);
    let label = move || {
        chunks().map_or_else(String::new, |(done, total)| {
            fill(
                T::LoadingChunks.get(lang.get()),
                &[
                    ("done", &(done + 1).min(total).to_string()),
                    ("total", &total.to_string()),
                ],
            )
        })
    };
    view! {
        <Show when=move || chunks().is_some()>
            <div class="progress" role="status" data-testid="progress">
                <progress
                    max=move || chunks().map_or(1, |(_, total)| total)
                    prop:value=move || chunks().map_or(0, |(done, _)| done)
                    aria-label=label
                ></progress>
                <span class="muted">{label}</span>
            </div>
        </Show>
    }
}
