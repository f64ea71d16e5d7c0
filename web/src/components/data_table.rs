//! The table alternative of a chart: the points the chart draws, with exact times and
//! amounts, for screen readers and for anyone who prefers numbers. Asked of the data
//! worker (it holds every point, exact) only when opened.

use std::sync::Arc;

use leptos::prelude::*;

use super::{text, use_lang};
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
    let unit = StoredValue::new(unit);
    // The table once the worker has answered; until then (a moment: it has the points at
    // hand) a line that says it is coming.
    let answered = move || {
        Suspend::new(async move {
            let points = asked.await.unwrap_or_default();
            let drawn = points.len();
            let note = move || {
                fill(
                    T::DataTableNote.get(lang.get()),
                    &[
                        ("drawn", &format_count(drawn)),
                        ("count", &format_count(count)),
                    ],
                )
            };
            let table = move || unit.with_value(|u| points_table(&points, u, lang.get()));
            view! {
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
            }
        })
    };
    view! {
        <details class="data-table" on:toggle=move |ev| {
            open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open());
        }>
            <summary>{text(lang, T::DataTable)}</summary>
            <Show when=move || open.get()>
                <Transition fallback=move || view! { <p class="muted" aria-busy="true">{text(lang, T::Loading)}</p> }>
                    {answered}
                </Transition>
            </Show>
        </details>
    }
}
