//! One resource's chart card: its name and unit, the change from the previous period, its
//! statistics, the SVG chart (area, line, previous period, peak, axes in UTC+08:00), the
//! crosshair readout and a data-table alternative.
//!
//! The SVG's grid and paths are a [`ChartModel`] memo of (series, width, previous period): built
//! once, from the points the data worker drew at the plot's pixel width. Moving the
//! crosshair asks the worker for the exact point under it (it holds every point) and
//! changes only the `hovered` signal, which only the crosshair and the readout read, so a
//! move re-renders a line, a marker and a sentence.

use std::sync::Arc;

use leptos::either::Either;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use bec_usage::analysis::{Anomaly, ResourceForecast, SeriesStats};
use bec_usage::DataPoint;
use leptos::task::spawn_local;
use rust_decimal::Decimal;

use super::crosshair::{Crosshair, Readout};
use super::data_table::DataTable;
use super::{text, use_lang, Marker};
use crate::compare::mean_change;
use crate::data_worker;
use crate::dataset::{span_ms, Dataset};
use crate::format::{
    format_amount, format_amount_with_unit, format_count, format_percent, format_time, round_mean,
};
use crate::geometry::{
    amount_f64, chart_model, keyboard_step, line_path, marker_path, px, series_style, ChartModel,
    Frame, Overlay, Shape,
};
use crate::i18n::{fill, unit_label, vs_previous, T};
use crate::wire::{PointAt, Question, Told};

/// Builds the chart's shapes for `width` pixels: the series and (if given) the same
/// resource in the previous period, as the worker drew them.
pub fn build_model(
    data: &Dataset,
    index: usize,
    width: f64,
    previous: Option<&Dataset>,
    forecast: Option<&ResourceForecast>,
) -> ChartModel {
    let frame = Frame::new(width);
    let drawn = data.drawn(index);
    let mut min_max = data.min_max(index).unwrap_or((0.0, 0.0));
    let mut span = data.span_ms();
    // With a forecast, the time axis runs to its last day and the value axis covers its
    // band.
    if let Some(f) = forecast {
        for day in &f.days {
            min_max.0 = min_max.0.min(daily_amount(day.low));
            min_max.1 = min_max.1.max(daily_amount(day.high));
        }
        if let Some(last) = f.days.last() {
            span.1 = span.1.max(span_ms(last.date, last.date).1);
        }
    }
    let overlay = previous.and_then(|p| {
        let name = &data.resources.get(index)?.name;
        let i = p.resource_index(name)?;
        Some(Overlay {
            points: p.drawn(i),
            shift_ms: data.span_ms().0 - p.span_ms().0,
            min_max: p.min_max(i)?,
        })
    });
    chart_model(drawn, min_max, overlay, span, frame.width)
}

/// The chart's grid (value and time ticks with their labels) and the series' paths: the
/// previous period's line, the area and the line.
fn chart_shapes(model: &ChartModel) -> impl IntoView {
    let frame = model.frame;
    let (left, right) = (px(frame.left), px(frame.right));
    let (top, bottom) = (px(frame.top), px(frame.bottom));
    let value_ticks = model
        .value_ticks
        .iter()
        .map(|tick| {
            let y = px(tick.at);
            view! {
                <line x1=left.clone() x2=right.clone() y1=y.clone() y2=y />
                <text class="y-label" x=px(frame.left - 8.0) y=px(tick.at + 4.0)>
                    {tick.label.clone()}
                </text>
            }
        })
        .collect_view();
    let time_ticks = model
        .time_ticks
        .iter()
        .map(|tick| {
            let x = px(tick.at);
            view! {
                <line class="x-tick" x1=x.clone() x2=x.clone() y1=top.clone() y2=bottom.clone() />
                <text class="x-label" x=x y=px(frame.bottom + 17.0)>{tick.label.clone()}</text>
            }
        })
        .collect_view();
    view! {
        <g class="grid" aria-hidden="true">{value_ticks}{time_ticks}</g>
        <path class="overlay" data-testid="overlay" d=model.overlay.clone() />
        <path class="area" d=model.area.clone() />
        <path class="line" data-testid="line" d=model.line.clone() />
    }
}

/// A forecast day's average amount from its unit-hours (`/ 24`), as a pixel float.
fn daily_amount(hours: f64) -> f64 {
    hours / 24.0
}

/// The forecast's band (low to high) and expected line in `model`, each day a step at its
/// average amount: SVG path data `(band, line)`.
pub fn forecast_paths(model: &ChartModel, forecast: &ResourceForecast) -> (String, String) {
    let (t, v) = (model.time_scale, model.value_scale);
    let mut high = Vec::with_capacity(forecast.days.len() * 2);
    let mut low = Vec::with_capacity(forecast.days.len() * 2);
    let mut line = Vec::with_capacity(forecast.days.len() * 2);
    for day in &forecast.days {
        let (start, end) = span_ms(day.date, day.date);
        for x in [t.x(start), t.x(end)] {
            high.push((x, v.y(daily_amount(day.high))));
            low.push((x, v.y(daily_amount(day.low))));
            line.push((x, v.y(daily_amount(day.expected))));
        }
    }
    let mut band = line_path(&high);
    low.reverse();
    for (x, y) in low {
        band.push_str(&format!("L{},{}", px(x), px(y)));
    }
    if !band.is_empty() {
        band.push('Z');
    }
    (band, line_path(&line))
}

/// Where the peak's marker and label go in a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct PeakPlacement {
    /// The peak's position.
    pub x: f64,
    /// The peak's position.
    pub y: f64,
    /// The label's position.
    pub label_x: f64,
    /// The label's position.
    pub label_y: f64,
    /// The label's `text-anchor`: `end` in the right half (the label on the left of the
    /// marker), `start` otherwise.
    pub anchor: &'static str,
}

/// Places the peak `point` in `model`: the label beside the marker, towards the middle,
/// and below it when there is no room above.
pub fn place_peak(model: &ChartModel, point: &DataPoint) -> PeakPlacement {
    let frame = model.frame;
    let (x, y) = model.position(point);
    let right_half = x > (frame.left + frame.right) / 2.0;
    let (label_x, anchor) = if right_half {
        (x - 9.0, "end")
    } else {
        (x + 9.0, "start")
    };
    let label_y = if y - 8.0 < 12.0 { y + 16.0 } else { y - 8.0 };
    PeakPlacement {
        x,
        y,
        label_x,
        label_y,
        anchor,
    }
}

/// The peak's marker and label (`Peak 123.456`).
#[component]
fn Peak(
    /// The chart's shapes and scales.
    model: Memo<ChartModel>,
    /// The peak point.
    point: DataPoint,
    /// The resource's marker shape.
    shape: Shape,
) -> impl IntoView {
    let lang = use_lang();
    // Computed again only when the model changes (the width, the previous period).
    let placed = move || model.with(|m| place_peak(m, &point));
    let amount = format_amount(point.amount);
    view! {
        <g
            class="peak"
            data-testid="peak"
            data-x=move || px(placed().x)
            data-y=move || px(placed().y)
        >
            <path class="marker-shape" d=move || {
                let p = placed();
                marker_path(shape, p.x, p.y, 4.5)
            } />
            <text
                x=move || px(placed().label_x)
                y=move || px(placed().label_y)
                text-anchor=move || placed().anchor
            >
                {text(lang, T::Peak)}
                " "
                {amount}
            </text>
        </g>
    }
}

/// The statistics of a series: minimum, mean, maximum, last, each with its time (or the
/// exact mean) as a tooltip. The mean is rounded one place beyond the amounts and marked
/// `≈` when rounding changed it.
#[component]
fn Stats(
    /// The series' statistics.
    stats: SeriesStats,
    /// The resource's unit as the service wrote it.
    unit: String,
    /// The decimal places of the series' amounts.
    scale: u32,
) -> impl IntoView {
    let lang = use_lang();
    let unit = StoredValue::new(unit);
    let (mean, rounded) = round_mean(stats.mean, scale);
    let mean_text = if rounded {
        format!("≈{}", format_amount(mean))
    } else {
        format_amount(stats.mean)
    };
    let mean_title = move || {
        if rounded {
            let lang = lang.get();
            let exact =
                unit.with_value(|u| format_amount_with_unit(stats.mean, unit_label(u, lang)));
            fill(T::Approximate.get(lang), &[("value", &exact)])
        } else {
            String::new()
        }
    };
    let item = move |label: T, title: Signal<String>, value: String, testid: &'static str| {
        // The unit after the value, lighter; with the narrow no-break space before it,
        // the text is the same as `format_amount_with_unit` writes.
        let unit_text = move || unit.with_value(|u| unit_label(u, lang.get()).to_owned());
        view! {
            <div title=title>
                <dt>{text(lang, label)}</dt>
                <dd data-testid=testid>
                    {value}
                    <Show when=move || unit.with_value(|u| !u.is_empty())>
                        <span class="u">"\u{202F}" {unit_text}</span>
                    </Show>
                </dd>
            </div>
        }
    };
    let at = |point: DataPoint| Signal::stored(format_time(point.timestamp_ms));
    view! {
        {item(T::Min, at(stats.min), format_amount(stats.min.amount), "stat-min")}
        {item(T::Mean, Signal::derive(mean_title), mean_text, "stat-mean")}
        {item(T::Max, at(stats.max), format_amount(stats.max.amount), "stat-max")}
        {item(T::Last, at(stats.last), format_amount(stats.last.amount), "stat-last")}
    }
}

/// The badge of the change from the previous period: an arrow (hidden from screen
/// readers, which hear the sentence instead), the percentage, and what it is compared
/// with. `change` is `None` when there is nothing to compare.
#[component]
pub fn ChangeBadge(
    /// The change in percent, if there is one.
    change: Option<Decimal>,
    /// The length of the previous period in days.
    previous_days: i64,
) -> impl IntoView {
    let lang = use_lang();
    let Some(change) = change else {
        return Either::Left(view! {
            <span class="change none" data-testid="change">
                "—"
                <span class="visually-hidden">" " {text(lang, T::NoPrevious)}</span>
            </span>
        });
    };
    let (class, arrow) = if change.is_zero() {
        ("change flat", "=")
    } else if change.is_sign_negative() {
        ("change down", "▼")
    } else {
        ("change up", "▲")
    };
    let compared = move || vs_previous(previous_days, lang.get());
    Either::Right(view! {
        <span class=class data-testid="change" title=compared>
            <span aria-hidden="true">{arrow} " "</span>
            {format_percent(change)}
            <span class="visually-hidden">" " {compared}</span>
        </span>
    })
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
    /// The previous period, once loaded (drawn faintly, and compared).
    #[prop(optional)]
    previous: Option<Signal<Option<Arc<Dataset>>>>,
    /// Whether the forecast to month end is drawn (off when not given).
    #[prop(optional)]
    forecast: Option<Signal<bool>>,
    /// The unusual stretches of every resource (this one's are marked).
    #[prop(optional)]
    anomalies: Option<Signal<Arc<Vec<Anomaly>>>>,
) -> impl IntoView {
    let lang = use_lang();
    let previous = previous.unwrap_or_else(|| Signal::derive(|| None));
    let forecast_on = forecast.unwrap_or_else(|| Signal::derive(|| false));
    let anomalies = anomalies.unwrap_or_else(|| Signal::derive(|| Arc::new(Vec::new())));
    // An index beyond the resources draws nothing.
    let resource = data.resources.get(index)?;
    let name = resource.name.clone();
    let unit = resource.unit.clone();
    let point_count = resource.count;
    let (colour, shape) = series_style(index);
    let hovered = RwSignal::new(None::<(usize, DataPoint)>);
    // The exact point at `at`, asked of the worker: shown when it answers, unless a newer
    // question was asked meanwhile (the pointer moves faster than answers come, at times).
    let asked = StoredValue::new(0u32);
    let load = data.load;
    let hover = move |at: Option<PointAt>| {
        let number = asked.get_value().wrapping_add(1);
        asked.set_value(number);
        let Some(at) = at else {
            hovered.set(None);
            return;
        };
        spawn_local(async move {
            let question = Question::Point {
                resource: index,
                at,
            };
            if let (Told::Point { point }, _) = data_worker::ask(load, question).await {
                if asked.get_value() == number && hovered.get_untracked() != point {
                    hovered.set(point);
                }
            }
        });
    };

    let model = Memo::new({
        let data = data.clone();
        let name = name.clone();
        move |_| {
            let previous = previous.get();
            let forecast = forecast_on.get().then(|| data.forecast_of(&name)).flatten();
            build_model(&data, index, width.get(), previous.as_deref(), forecast)
        }
    });
    // The forecast's band and line, when it is on and there is one.
    let forecast_view = {
        let data = data.clone();
        let name = name.clone();
        move || {
            let f = forecast_on
                .get()
                .then(|| data.forecast_of(&name))
                .flatten()?;
            let (band, line) = model.with(|m| forecast_paths(m, f));
            Some(view! {
                <g class="forecast" aria-hidden="true">
                    <path class="forecast-band" data-testid="forecast-band" d=band />
                    <path class="forecast-line" d=line />
                </g>
            })
        }
    };
    // This resource's unusual stretches: a shaded span and a ringed dot at the peak.
    let anomaly_view = {
        let name = name.clone();
        move || {
            model.with(|m| {
                let (top, height) = (m.frame.top, m.frame.bottom - m.frame.top);
                anomalies.with(|found| {
                    found
                        .iter()
                        .filter(|a| a.resource == name)
                        .map(|a| {
                            let (x0, x1) = (m.time_scale.x(a.start_ms), m.time_scale.x(a.end_ms));
                            let (cx, cy) = (
                                m.time_scale.x(a.peak_ms),
                                m.value_scale.y(amount_f64(a.value)),
                            );
                            view! {
                                <rect class="anomaly-span" x=px(x0) y=px(top)
                                    width=px((x1 - x0).max(2.0)) height=px(height) />
                                <circle class="anomaly-marker" data-testid="anomaly-marker"
                                    cx=px(cx) cy=px(cy) r="4.5" />
                            }
                        })
                        .collect_view()
                })
            })
        }
    };

    let on_pointer_move = {
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
            let time = model.with_untracked(|m| {
                let x = (f64::from(ev.client_x()) - rect.left()) * m.frame.width / rect.width();
                m.time_scale.time_at(x)
            });
            if point_count > 0 {
                hover(Some(PointAt::Time(time)));
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
        let current = hovered.get_untracked().map(|(i, _)| i);
        let next = match ev.key().as_str() {
            "ArrowRight" | "ArrowUp" => current.map_or(last, |i| (i + step).min(last)),
            "ArrowLeft" | "ArrowDown" => current.map_or(last, |i| i.saturating_sub(step)),
            "Home" => 0,
            "End" => last,
            "Escape" => {
                hover(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        hover(Some(PointAt::Index(next)));
    };

    let stats = data.stats(index).copied();
    let readout_id = format!("readout-{index}");
    let label = {
        let name = name.clone();
        move || fill(T::ChartLabel.get(lang.get()), &[("name", &name)])
    };
    let stats_view = match stats {
        Some(stats) => Either::Left(view! {
            <Stats stats=stats unit=unit.clone() scale=data.amount_scale(index) />
        }),
        None => Either::Right(view! { <div><dd>{text(lang, T::NoPoints)}</dd></div> }),
    };
    // The change from the previous period, once that is loaded.
    let badge = {
        let data = data.clone();
        let name = name.clone();
        move || {
            previous.get().map(|previous| {
                view! {
                    <ChangeBadge
                        change=mean_change(&data, &previous, &name)
                        previous_days=previous.days()
                    />
                }
            })
        }
    };
    let points = move || {
        fill(
            T::Points.get(lang.get()),
            &[("count", &format_count(point_count))],
        )
    };
    let unit_text = {
        let unit = unit.clone();
        move || unit_label(&unit, lang.get()).to_owned()
    };

    let resource = name.clone();
    let has_forecast = data.forecast_of(&name).is_some();
    Some(view! {
        <article class=format!("card chart c{colour}") data-testid="chart" data-resource=resource>
            <header class="chart-head">
                <h3>
                    <Marker index=index />
                    <span class="name">{name}</span>
                    <span class="unit">{unit_text}</span>
                </h3>
                {badge}
            </header>
            <dl class="stats" data-testid="stats">{stats_view}</dl>
            <Readout id=readout_id.clone() hovered=hovered unit=unit.clone() />
            <svg
                class="plot"
                data-testid="plot"
                viewBox=move || model.with(|m| format!("0 0 {} {}", px(m.frame.width), px(m.frame.height)))
                tabindex="0"
                role="group"
                aria-label=label
                aria-describedby=readout_id
                on:pointermove=on_pointer_move
                on:pointerleave=move |_| hover(None)
                on:keydown=on_key_down
                on:blur=move |_| hover(None)
            >
                <g class="shapes">{move || model.with(chart_shapes)}</g>
                {forecast_view}
                <g class="anomaly-marks" aria-hidden="true">{anomaly_view}</g>
                {stats.map(|s| view! { <Peak model=model point=s.max shape=shape /> })}
                <Crosshair model=model hovered=hovered shape=shape />
            </svg>
            <footer class="chart-foot">
                <span class="muted">{points}</span>
                <Show when=move || previous.with(Option::is_some)>
                    <span class="legend-prev muted">{text(lang, T::PreviousPeriod)}</span>
                </Show>
                <Show when=move || forecast_on.get() && has_forecast>
                    <span class="legend-forecast muted">{text(lang, T::ForecastLegend)}</span>
                </Show>
            </footer>
            <DataTable data=data index=index width=width unit=unit />
        </article>
    })
}
