//! One resource's chart card: its name and unit, the change from the previous period, its
//! statistics, the SVG chart (area, line, previous period, peak, axes in UTC+08:00), the
//! crosshair readout and a data-table alternative.
//!
//! The SVG's shapes are a [`ChartModel`] memo of (series, width, previous period): built
//! once, with the series downsampled by the core's LTTB to the plot's pixel width. Moving
//! the crosshair changes only the `hovered` signal, which only the crosshair and the
//! readout read, so a move re-renders a line, a marker and a sentence.

use std::sync::Arc;

use bec_usage::analysis::lttb_series;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::crosshair::{Crosshair, Readout};
use super::data_table::DataTable;
use crate::compare::mean_change;
use crate::dataset::Dataset;
use crate::format::{format_amount, format_count};
use crate::geometry::{
    chart_model, keyboard_step, nearest_index, px, series_style, ChartModel, Frame, Overlay,
};
use crate::i18n::{fill, Lang, T};
use crate::markup::{change_badge, chart_heading, chart_svg, stats_items, PeakMark};

/// Builds the chart's shapes for `width` pixels: the series and (if given) the same
/// resource in the previous period, both downsampled to the plot's width.
pub fn build_model(
    data: &Dataset,
    index: usize,
    width: f64,
    previous: Option<&Dataset>,
) -> ChartModel {
    let frame = Frame::new(width);
    let target = (frame.plot_width() as usize).max(3);
    let drawn = data
        .response
        .resources
        .get(index)
        .map(|series| lttb_series(series, target))
        .unwrap_or_default();
    let min_max = data.min_max(index).unwrap_or((0.0, 0.0));
    let earlier = previous.and_then(|p| {
        let name = &data.response.resources.get(index)?.name;
        let i = p.resource_index(name)?;
        let points = lttb_series(p.response.resources.get(i)?, target);
        Some((points, p.min_max(i)?, data.span_ms().0 - p.span_ms().0))
    });
    let overlay = earlier.as_ref().map(|(points, min_max, shift_ms)| Overlay {
        points,
        shift_ms: *shift_ms,
        min_max: *min_max,
    });
    chart_model(&drawn, min_max, overlay, data.span_ms(), frame.width)
}

/// A resource's chart card.
#[component]
pub fn Chart(
    /// The loaded data.
    data: Arc<Dataset>,
    /// Which resource of it.
    index: usize,
    /// The chart's width in pixels.
    #[prop(into)]
    width: Signal<f64>,
    /// The page's language.
    lang: Lang,
    /// The previous period, once loaded (drawn faintly, and compared).
    #[prop(optional)]
    previous: Option<Signal<Option<Arc<Dataset>>>>,
) -> impl IntoView {
    let previous = previous.unwrap_or_else(|| Signal::derive(|| None));
    let Some(series) = data.response.resources.get(index) else {
        return ().into_any();
    };
    let name = series.name.clone();
    let unit = series.unit.clone();
    let point_count = series.points.len();
    let (colour, shape) = series_style(index);
    let hovered = RwSignal::new(None::<usize>);

    let model = Memo::new({
        let data = data.clone();
        move |_| {
            let previous = previous.get();
            build_model(&data, index, width.get(), previous.as_deref())
        }
    });

    let on_pointer_move = {
        let data = data.clone();
        move |ev: leptos::ev::PointerEvent| {
            let Some(target) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let rect = target.get_bounding_client_rect();
            if rect.width() <= 0.0 {
                return;
            }
            let nearest = model.with_untracked(|m| {
                let x = (f64::from(ev.client_x()) - rect.left()) * m.frame.width / rect.width();
                nearest_index(data.points(index), m.time_scale.time_at(x))
            });
            if hovered.get_untracked() != nearest {
                hovered.set(nearest);
            }
        }
    };

    let on_key_down = move |ev: leptos::ev::KeyboardEvent| {
        if point_count == 0 {
            return;
        }
        let last = point_count - 1;
        let plot_width = model.with_untracked(|m| m.frame.plot_width());
        let step = keyboard_step(point_count, plot_width) * if ev.shift_key() { 10 } else { 1 };
        let current = hovered.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowRight" | "ArrowUp" => current.map_or(last, |i| (i + step).min(last)),
            "ArrowLeft" | "ArrowDown" => current.map_or(last, |i| i.saturating_sub(step)),
            "Home" => 0,
            "End" => last,
            "Escape" => {
                hovered.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        hovered.set(Some(next));
    };

    let stats = data.stats.get(index).copied().flatten();
    let peak = stats.map(|s| PeakMark {
        point: s.max,
        label: format!("{} {}", T::Peak.get(lang), format_amount(s.max.amount)),
    });
    let readout_id = format!("readout-{index}");

    let stats_markup = match &stats {
        Some(stats) => stats_items(stats, &unit, data.amount_scale(index), lang),
        None => format!("<div><dd>{}</dd></div>", T::NoPoints.get(lang)),
    };
    let label = fill(T::ChartLabel.get(lang), &[("name", &name)]);
    // The heading, and the change from the previous period once that is loaded.
    let heading = {
        let data = data.clone();
        let heading = format!("<h3>{}</h3>", chart_heading(index, &name, &unit, lang));
        let name = name.clone();
        move || match previous.get() {
            Some(previous) => format!(
                "{heading}{}",
                change_badge(mean_change(&data, &previous, &name), previous.days(), lang)
            ),
            None => heading.clone(),
        }
    };
    // The point count, and the legend of the previous period's line once it is drawn.
    let foot = {
        let points = format!(
            "<span class=\"muted\">{}</span>",
            fill(
                T::Points.get(lang),
                &[("count", &format_count(point_count))]
            )
        );
        let legend = format!(
            "{points}<span class=\"legend-prev muted\">{}</span>",
            T::PreviousPeriod.get(lang)
        );
        move || {
            if previous.with(Option::is_some) {
                legend.clone()
            } else {
                points.clone()
            }
        }
    };

    view! {
        <article class=format!("card chart c{colour}") data-testid="chart" data-resource=name>
            <header class="chart-head" inner_html=heading></header>
            <dl class="stats" data-testid="stats" inner_html=stats_markup></dl>
            <Readout id=readout_id.clone() data=data.clone() index=index hovered=hovered unit=unit.clone() lang=lang />
            <svg
                class="plot"
                data-testid="plot"
                viewBox=move || model.with(|m| format!("0 0 {} {}", px(m.frame.width), px(m.frame.height)))
                tabindex="0"
                role="group"
                aria-label=label
                aria-describedby=readout_id
                on:pointermove=on_pointer_move
                on:pointerleave=move |_| hovered.set(None)
                on:keydown=on_key_down
                on:blur=move |_| hovered.set(None)
            >
                <g class="shapes" inner_html=move || model.with(|m| chart_svg(m, peak.as_ref(), shape))></g>
                <Crosshair model=model data=data.clone() index=index hovered=hovered shape=shape />
            </svg>
            <footer class="chart-foot" inner_html=foot></footer>
            <DataTable data=data index=index width=width unit=unit lang=lang />
        </article>
    }
    .into_any()
}
