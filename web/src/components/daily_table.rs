//! The daily averages of the service's `summary`, one row per day and one column per
//! shown resource, each checked against the average recomputed from the points: cells
//! that differ (or exist on one side only) are marked and explained
//! ([`crate::markup::daily_table`]).

use std::sync::Arc;

use leptos::prelude::*;

use super::{text, use_lang};
use crate::dataset::Dataset;
use crate::format::format_count;
use crate::i18n::{fill, T};
use crate::markup::daily_table;

/// The daily-average table.
#[component]
pub fn DailyTable(
    /// The loaded data.
    data: Arc<Dataset>,
    /// The resources hidden by the person (their columns are left out).
    #[prop(into)]
    hidden: Signal<Vec<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let counts = data.reconciliation.counts();
    let summary_line = move || {
        let lang = lang.get();
        if counts.total() == counts.matched {
            fill(
                T::DailyAllMatch.get(lang),
                &[("count", &format_count(counts.total()))],
            )
        } else {
            fill(
                T::DailyCounts.get(lang),
                &[
                    ("count", &format_count(counts.total())),
                    ("differs", &format_count(counts.differs)),
                    ("missing_summary", &format_count(counts.missing_in_summary)),
                    ("missing_data", &format_count(counts.missing_in_data)),
                ],
            )
        }
    };
    let table = move || hidden.with(|h| daily_table(&data, h, lang.get()));
    view! {
        <section class="card daily" data-testid="daily-table" aria-labelledby="daily-title">
            <header class="section-head">
                <h2 id="daily-title">{text(lang, T::DailyTitle)}</h2>
                <p class="muted">{text(lang, T::DailyNote)}</p>
            </header>
            <p class="daily-summary" data-testid="daily-summary">{summary_line}</p>
            // Bulk static markup: a table of hundreds of cells, written as one string (see
            // `crate::markup`) when the data, the hidden columns or the language change.
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="daily-title" inner_html=table></div>
        </section>
    }
}
