//! The daily averages of the service's `summary`, one row per day and one column per
//! shown resource, each checked against the average recomputed from the points: cells
//! that differ (or exist on one side only) are marked and explained
//! ([`crate::markup::daily_table`]).

use std::sync::Arc;

use leptos::prelude::*;

use crate::dataset::Dataset;
use crate::format::format_count;
use crate::i18n::{fill, Lang, T};
use crate::markup::daily_table;

/// The daily-average table.
#[component]
pub fn DailyTable(
    /// The loaded data.
    data: Arc<Dataset>,
    /// The resources hidden by the person (their columns are left out).
    #[prop(into)]
    hidden: Signal<Vec<String>>,
    /// The page's language.
    lang: Lang,
) -> impl IntoView {
    let counts = data.reconciliation.counts();
    let summary_line = if counts.total() == counts.matched {
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
    };
    let head = format!(
        "<header class=\"section-head\"><h2 id=\"daily-title\">{}</h2><p class=\"muted\">{}</p></header>\
         <p class=\"daily-summary\" data-testid=\"daily-summary\">{summary_line}</p>\
         <div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"daily-title\">",
        T::DailyTitle.get(lang),
        T::DailyNote.get(lang)
    );
    let markup = move || hidden.with(|h| format!("{head}{}</div>", daily_table(&data, h, lang)));
    view! {
        <section class="card daily" data-testid="daily-table" aria-labelledby="daily-title" inner_html=markup></section>
    }
}
