//! The table alternative of a chart: the points the chart draws, with exact times and
//! amounts, for screen readers and for anyone who prefers numbers. Built only when opened.

use std::sync::Arc;

use bec_usage::analysis::lttb_series;
use leptos::prelude::*;

use crate::dataset::Dataset;
use crate::format::format_count;
use crate::geometry::Frame;
use crate::i18n::{fill, Lang, T};
use crate::markup::points_table;

/// A chart's data table, folded.
#[component]
pub fn DataTable(
    /// The loaded data.
    data: Arc<Dataset>,
    /// Which resource of it.
    index: usize,
    /// The chart's width (the table lists the points drawn at that width).
    #[prop(into)]
    width: Signal<f64>,
    /// The resource's unit as the service wrote it.
    unit: String,
    /// The page's language.
    lang: Lang,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let count = data.points(index).len();
    // Built when first opened, and again when the width changes while open.
    let rows = move || {
        if !open.get() {
            return String::new();
        }
        let Some(series) = data.response.resources.get(index) else {
            return String::new();
        };
        let target = (Frame::new(width.get()).plot_width() as usize).max(3);
        let drawn = lttb_series(series, target);
        let note = fill(
            T::DataTableNote.get(lang),
            &[
                ("drawn", &format_count(drawn.len())),
                ("count", &format_count(count)),
            ],
        );
        // A scrolling box must be reachable by keyboard to be scrolled without a mouse.
        format!(
            "<p class=\"muted\">{note}</p><div class=\"table-scroll\" tabindex=\"0\" \
             role=\"region\" aria-label=\"{}\">{}</div>",
            T::DataTable.get(lang),
            points_table(&drawn, &unit, lang)
        )
    };
    view! {
        <details class="data-table" on:toggle=move |ev| {
            open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open());
        }>
            <summary>{T::DataTable.get(lang)}</summary>
            <div inner_html=rows></div>
        </details>
    }
}
