//! The data-quality notes of the core (count mismatches, duplicate or unsorted timestamps,
//! gaps in `summary`, ...), folded under the daily table.

use bec_usage::quality::QualityNote;
use leptos::prelude::*;

use crate::i18n::{fill, Lang, T};
use crate::markup::notes_list;

/// The notes, or nothing when there are none.
#[component]
pub fn QualityNotes(
    /// The notes.
    notes: Vec<QualityNote>,
    /// The page's language.
    lang: Lang,
) -> impl IntoView {
    (!notes.is_empty()).then(|| {
        let summary = fill(T::Notes.get(lang), &[("count", &notes.len().to_string())]);
        view! {
            <details class="card notes" data-testid="quality-notes">
                <summary>{summary}</summary>
                <ul inner_html=notes_list(&notes)></ul>
            </details>
        }
    })
}
