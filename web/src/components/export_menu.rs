//! Export: the series as CSV (every point, exact), the daily table as CSV (the summary
//! beside the recomputed averages), the unusual stretches found at the current sensitivity
//! as CSV (with their scores) and the raw JSON as received. Disabled until data is loaded
//! (the stretches: until they are found). The file names carry the dates and, on a server that names its accounts, the
//! account (`bec-usage_production_2024-01-01_2024-01-07_series.csv`).

use std::sync::Arc;

use bec_usage::analysis::{Anomaly, Sensitivity};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::{text, use_lang};
use crate::data_worker;
use crate::dataset::Dataset;
use crate::dom;
use crate::format::export_base_name;
use crate::i18n::T;
use crate::wire::{ExportKind, Question, Told};

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Export {
    Series,
    Daily,
    Anomalies,
    Json,
}

impl Export {
    const ALL: [Export; 4] = [
        Export::Series,
        Export::Daily,
        Export::Anomalies,
        Export::Json,
    ];

    /// The button's `data-value`, which the end-to-end tests click.
    fn code(self) -> &'static str {
        match self {
            Export::Series => "series",
            Export::Daily => "daily",
            Export::Anomalies => "anomalies",
            Export::Json => "json",
        }
    }

    fn label(self) -> T {
        match self {
            Export::Series => T::ExportSeries,
            Export::Daily => T::ExportDaily,
            Export::Anomalies => T::ExportAnomalies,
            Export::Json => T::ExportJson,
        }
    }

    fn hint(self) -> T {
        match self {
            Export::Series => T::ExportSeriesHint,
            Export::Daily => T::ExportDailyHint,
            Export::Anomalies => T::ExportAnomaliesHint,
            Export::Json => T::ExportJsonHint,
        }
    }

    fn kind(self) -> ExportKind {
        match self {
            Export::Series => ExportKind::Series,
            Export::Daily => ExportKind::Daily,
            Export::Anomalies => ExportKind::Anomalies,
            Export::Json => ExportKind::Json,
        }
    }

    /// Offers the file for download: the data worker writes it (it holds every point and
    /// the bodies as received) and sends it as a Blob.
    async fn download(
        self,
        data: Arc<Dataset>,
        account: Option<String>,
        sheet: Option<String>,
        sensitivity: Sensitivity,
    ) {
        let base = export_base_name(account.as_deref(), data.begin, data.end);
        let question = Question::Export {
            export: self.kind(),
            sheet,
            sensitivity,
        };
        if let (Told::Export { suffix }, beside) = data_worker::ask(data.load, question).await {
            let blob = js_sys::Reflect::get(&beside, &"blob".into())
                .ok()
                .and_then(|blob| blob.dyn_into::<web_sys::Blob>().ok());
            if let Some(blob) = blob {
                dom::download_blob(&format!("{base}{suffix}"), &blob);
            }
        }
    }
}

/// The export buttons.
#[component]
pub fn ExportMenu(
    /// The loaded data, if any.
    #[prop(into)]
    data: Signal<Option<Arc<Dataset>>>,
    /// The named account of the data, if the server names its accounts.
    #[prop(into)]
    account: Signal<Option<String>>,
    /// The price sheet in use, as text (its cost goes into the daily CSV).
    #[prop(into, optional)]
    sheet: Signal<Option<String>>,
    /// The unusual stretches at the current sensitivity (`None`: still looking).
    #[prop(into)]
    anomalies: Signal<Option<Arc<Vec<Anomaly>>>>,
    /// The sensitivity they were found at.
    #[prop(into)]
    sensitivity: Signal<Sensitivity>,
) -> impl IntoView {
    let lang = use_lang();
    let buttons = Export::ALL.map(|export| {
        view! {
            <button
                type="button"
                class="button"
                data-action="export"
                data-value=export.code()
                title=text(lang, export.hint())
                disabled=move || {
                    data.with(Option::is_none)
                        || (export == Export::Anomalies && anomalies.with(Option::is_none))
                }
                on:click=move |_| {
                    if let Some(data) = data.get_untracked() {
                        let (account, sheet) = (account.get_untracked(), sheet.get_untracked());
                        let sensitivity = sensitivity.get_untracked();
                        spawn_local(export.download(data, account, sheet, sensitivity));
                    }
                }
            >
                {text(lang, export.label())}
            </button>
        }
    });
    view! {
        <div class="export" role="group" aria-labelledby="export-label" data-testid="export-menu">
            <span class="group-label" id="export-label">{text(lang, T::Export)}</span>
            {buttons}
        </div>
    }
}
