//! The data-quality notes of the core (count mismatches, duplicate or unsorted timestamps,
//! gaps in `summary`, ...), folded under the daily table.

use bec_usage::quality::QualityNote;
use leptos::prelude::*;

use crate::i18n::{fill, T};

use super::use_lang;

/// The notes, or nothing when there are none.
#[component]
pub fn QualityNotes(
    /// The notes.
    notes: Vec<QualityNote>,
) -> impl IntoView {
    let lang = use_lang();
    (!notes.is_empty()).then(|| {
        let count = notes.len().to_string();
        let summary = move || fill(T::Notes.get(lang.get()), &[("count", &count)]);
        let items = notes
            .into_iter()
            .map(|note| {
                view! {
                    <li><code>{note.kind.as_str()}</code> " " {note.message}</li>
                }
            })
            .collect_view();
        view! {
            <details class="card notes" data-testid="quality-notes">
                <summary>{summary}</summary>
                <ul>{items}</ul>
            </details>
        }
    })
}
