//! The loaded data: the resource chips, a chart per resource, the unit-hours, the cost, the
//! unusual stretches, the daily table and the data-quality notes. It reads the page's
//! contexts ([`Settings`], [`Layout`], [`Loaded`]) for everything but the data itself.

use std::sync::Arc;

use leptos::prelude::*;

use crate::app::{Layout, Settings};
use crate::components::{
    text, Anomalies, Chart, CostPanel, DailyTable, QualityNotes, ResourceToggles, Totals,
};
use crate::dataset::Dataset;
use crate::i18n::T;
use crate::load::Loaded;

/// The charts grid and the panels of `data`.
#[component]
pub fn Dashboard(
    /// The loaded data.
    data: Arc<Dataset>,
) -> impl IntoView {
    let Settings {
        lang,
        hidden,
        forecast,
        sensitivity,
        price_sheet,
        on_sensitivity,
        on_sheet,
        on_toggle,
        on_show_all,
        ..
    } = expect_context();
    let Layout {
        width, two_columns, ..
    } = expect_context();
    let Loaded {
        anomalies,
        previous,
        previous_loading,
        ..
    } = expect_context();
    let names: Vec<String> = data.resources.iter().map(|r| r.name.clone()).collect();
    // The charts mark none while the stretches are being looked for.
    let marked = Signal::derive(move || anomalies.get().unwrap_or_default());
    let charts = names
        .iter()
        .cloned()
        .enumerate()
        .map(|(index, name)| {
            let shown = move || !hidden.with(|h| h.contains(&name));
            view! {
                <div class="chart-slot" hidden=move || !shown()>
                    <Chart
                        data=data.clone()
                        index=index
                        width=width
                        previous=previous
                        forecast=forecast
                        anomalies=marked
                    />
                </div>
            }
        })
        .collect_view();
    view! {
        <ResourceToggles names=names hidden=hidden on_toggle=on_toggle on_show_all=on_show_all />
        <p class="muted small loading-previous" hidden=move || !previous_loading.get()>
            {text(lang, T::LoadingPrevious)}
        </p>
        <div class="charts" class:two=move || two_columns.get() data-testid="charts">
            {charts}
        </div>
        <Totals data=data.clone() hidden=hidden forecast=forecast />
        <CostPanel data=data.clone() sheet=price_sheet on_sheet=on_sheet forecast=forecast />
        <Anomalies
            data=data.clone()
            anomalies=anomalies
            sensitivity=sensitivity
            on_sensitivity=on_sensitivity
        />
        <DailyTable data=data.clone() hidden=hidden />
        <QualityNotes notes=data.notes.clone() />
    }
}
