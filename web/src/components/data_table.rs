//! The table alternative of a chart: the points the chart draws, with exact times and
//! amounts, for screen readers and for anyone who prefers numbers. Asked of the data
//! worker (it holds every point, exact) only when opened.

use crate::components::use_lang;
use std::sync::Arc;

use leptos::prelude::*;

use super::text;
use crate::data_worker;
use crate::dataset::Dataset;
use crate::format::format_count;
use crate::geometry::Frame;
use crate::i18n::{fill, T};
use crate::markup::points_table;
use crate::wire::{Question, Told};

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
) -> impl IntoView {
    let lang = use_lang();
    let open = RwSignal::new(false);
    let count = data.resources.get(index).map_or(0, |r| r.count);
    let load = data.load;
    // The points drawn: asked for when first opened, and again when the width changes
    // while open.
    let asked = LocalResource::new(move || {
        let wanted = open
            .get()
            .then(|| (Frame::new(width.get()).plot_width() as usize).max(3));
        async move {
            let question = Question::Table {
                resource: index,
                points: wanted?,
            };
            match data_worker::ask(load, question).await {
                (Told::Table { points }, _) => Some(points),
                _ => None,
            }
        }
    });
    let drawn = Memo::new(move |_| asked.get().flatten().unwrap_or_default());
    let note = move || {
        fill(
            T::DataTableNote.get(lang.get()),
            &[
                ("drawn", &format_count(drawn.with(Vec::len))),
                ("count", &format_count(count)),
            ],
        )
    };
    let unit = StoredValue::new(unit);
    let table =
        move || drawn.with(|points| unit.with_value(|u| points_table(points, u, lang.get())));
    view! {
        <details class="data-table" on:toggle=move |ev| {
            open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open());
        }>
            <summary>{text(lang, T::DataTable)}</summary>
            <Show when=move || open.get()>
                <p class="muted">{note}</p>
                // A scrolling box must be reachable by keyboard to be scrolled without a
                // mouse. Bulk static markup: a row per point drawn, written as one string
                // (see `crate::markup`).
                <div
                    class="table-scroll"
                    tabindex="0"
                    role="region"
                    aria-label=text(lang, T::DataTable)
                    inner_html=table
                ></div>
            </Show>
        </details>
    }
}
