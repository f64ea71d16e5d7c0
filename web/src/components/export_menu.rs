//! Export: the series as CSV (every point, exact), the daily table as CSV (the summary
//! beside the recomputed averages) and the raw JSON as received. Buttons as markup with
//! one listener (see `crate::markup::buttons`), disabled until data is loaded.

use std::sync::Arc;

use bec_usage::analysis::{points_csv, reconciliation_csv};
use bec_usage::query::beijing_offset;
use leptos::html;
use leptos::prelude::*;

use crate::dataset::Dataset;
use crate::dom::{self, present};
use crate::format::format_date;
use crate::i18n::{Lang, T};
use crate::markup::{buttons, escape, ButtonSpec};

fn export(data: &Dataset, what: &str) {
    let base = format!(
        "bec-usage_{}_{}",
        format_date(data.begin),
        format_date(data.end)
    );
    match what {
        "series" => {
            if let Ok(csv) = points_csv(&data.response, beijing_offset()) {
                dom::download(
                    &format!("{base}_series.csv"),
                    "text/csv;charset=utf-8",
                    &csv,
                );
            }
        }
        "daily" => dom::download(
            &format!("{base}_daily.csv"),
            "text/csv;charset=utf-8",
            &reconciliation_csv(&data.reconciliation),
        ),
        "json" => dom::download(
            &format!("{base}.json"),
            "application/json",
            &data.raw_json(),
        ),
        _ => {}
    }
}

/// The export buttons.
#[component]
pub fn ExportMenu(
    /// The loaded data, if any.
    #[prop(into)]
    data: Signal<Option<Arc<Dataset>>>,
    /// The page's language.
    lang: Lang,
) -> impl IntoView {
    let group = NodeRef::<html::Div>::new();
    let spec = |value: &str, label: T, hint: T| ButtonSpec {
        value: value.to_owned(),
        content: escape(label.get(lang)),
        title: hint.get(lang).to_owned(),
    };
    let markup = format!(
        "<span class=\"group-label\" id=\"export-label\">{}</span>{}",
        T::Export.get(lang),
        buttons(
            "button",
            "export",
            "disabled",
            &[
                spec("series", T::ExportSeries, T::ExportSeriesHint),
                spec("daily", T::ExportDaily, T::ExportDailyHint),
                spec("json", T::ExportJson, T::ExportJsonHint),
            ],
        )
    );
    Effect::new(move |_| {
        let Some(element) = group.get() else { return };
        let missing = data.with(Option::is_none);
        dom::sync_attribute(&element, "disabled", &|_| present(missing));
    });
    view! {
        <div
            class="export"
            role="group"
            aria-labelledby="export-label"
            data-testid="export-menu"
            node_ref=group
            inner_html=markup
            on:click=move |ev| {
                if let (Some(what), Some(data)) = (dom::action_value(&ev, "export"), data.get_untracked()) {
                    export(&data, &what);
                }
            }
        ></div>
    }
}
