//! Export: the series as CSV (every point, exact), the daily table as CSV (the summary
//! beside the recomputed averages), the unusual stretches found at the current sensitivity
//! as CSV (with their scores) and the raw JSON as received. Disabled until data is loaded
//! (the stretches: until they are found). The file names carry the dates and, on a server that names its accounts, the
//! account (`bec-usage_production_2024-01-01_2024-01-07_series.csv`).

use std::sync::Arc;

use bec_usage::analysis::{anomalies_csv, points_csv, reconciliation_csv, Anomaly, DailyExtras};
use bec_usage::query::beijing_offset;
use leptos::prelude::*;

use super::text;
use crate::dataset::Dataset;
use crate::dom;
use crate::format::export_base_name;
use crate::i18n::{Lang, T};

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

    /// Offers the file for download; `anomalies` are the stretches found at the current
    /// sensitivity.
    fn download(
        self,
        data: &Dataset,
        account: Option<&str>,
        sheet: Option<&str>,
        anomalies: &[Anomaly],
    ) {
        let base = export_base_name(account, data.begin, data.end);
        match self {
            Export::Series => {
                if let Ok(csv) = points_csv(&data.response, beijing_offset()) {
                    dom::download(
                        &format!("{base}_series.csv"),
                        "text/csv;charset=utf-8",
                        &csv,
                    );
                }
            }
            Export::Daily => {
                // With a price sheet that fits the data, the cost columns too.
                let cost = sheet.and_then(|text| data.cost(text).ok());
                let extras = DailyExtras {
                    hours: &data.hours,
                    cost: cost.as_ref().map(|(_, estimate)| estimate),
                };
                dom::download(
                    &format!("{base}_daily.csv"),
                    "text/csv;charset=utf-8",
                    &reconciliation_csv(&data.reconciliation, Some(extras)),
                )
            }
            Export::Anomalies => {
                if let Ok(csv) = anomalies_csv(anomalies, beijing_offset()) {
                    dom::download(
                        &format!("{base}_anomalies.csv"),
                        "text/csv;charset=utf-8",
                        &csv,
                    );
                }
            }
            Export::Json => dom::download(
                &format!("{base}.json"),
                "application/json",
                &data.raw_json(),
            ),
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
    /// The page's language.
    #[prop(into)]
    lang: Signal<Lang>,
) -> impl IntoView {
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
                        let found = anomalies.get_untracked().unwrap_or_default();
                        account.with_untracked(|a| {
                            sheet.with_untracked(|s| {
                                export.download(&data, a.as_deref(), s.as_deref(), &found)
                            })
                        });
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
