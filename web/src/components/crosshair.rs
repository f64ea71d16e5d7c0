//! The crosshair: a vertical line and a marker on the hovered point, and the readout above
//! the chart with that point's exact time and amount.
//!
//! Both read only the `hovered` signal (and the chart's model, which does not change
//! while the pointer moves): a move changes a few attributes and one sentence; the
//! elements are created when the pointer enters and removed when it leaves. The point is
//! exact: the chart asks the data worker for it (`Question::Point`).

use bec_usage::DataPoint;
use leptos::prelude::*;

use super::{text, use_lang};
use crate::format::{format_amount_with_unit, format_time};
use crate::geometry::{marker_path, px, ChartModel, Shape};
use crate::i18n::{unit_label, T};

/// The crosshair inside the chart's SVG: empty while nothing is hovered.
#[component]
pub fn Crosshair(
    /// The chart's shapes and scales.
    model: Memo<ChartModel>,
    /// The hovered point, with its index among the resource's points.
    hovered: RwSignal<Option<(usize, DataPoint)>>,
    /// The resource's marker shape.
    shape: Shape,
) -> impl IntoView {
    // Where the hovered point is drawn.
    let position = move || {
        let (_, point) = hovered.get()?;
        Some(model.with(|m| m.position(&point)))
    };
    let x = move || position().map(|(x, _)| px(x)).unwrap_or_default();
    let (top, bottom) = (
        move || model.with(|m| px(m.frame.top)),
        move || model.with(|m| px(m.frame.bottom)),
    );
    let transform = move || {
        position()
            .map(|(x, y)| format!("translate({},{})", px(x), px(y)))
            .unwrap_or_default()
    };
    view! {
        <g class="crosshair" data-testid="crosshair" aria-hidden="true">
            <Show when=move || hovered.with(Option::is_some)>
                <line x1=x x2=x y1=top y2=bottom />
                <path
                    class="marker-shape"
                    data-testid="crosshair-marker"
                    d=marker_path(shape, 0.0, 0.0, 5.0)
                    transform=transform
                />
            </Show>
        </g>
    }
}

/// The sentence above the chart: the hovered point's time (UTC+08:00) and exact amount,
/// or how to read values. Screen readers hear it change (`aria-live`).
#[component]
pub fn Readout(
    /// The element id, which the chart names in `aria-describedby`.
    id: String,
    /// The hovered point, with its index.
    hovered: RwSignal<Option<(usize, DataPoint)>>,
    /// The resource's unit as the service wrote it.
    unit: String,
) -> impl IntoView {
    let lang = use_lang();
    let point = move || hovered.get().map(|(_, point)| point);
    let time = move || point().map(|p| format!("{} UTC+08:00", format_time(p.timestamp_ms)));
    let amount = move || {
        point().map(|p: DataPoint| format_amount_with_unit(p.amount, unit_label(&unit, lang.get())))
    };
    view! {
        <p class="readout" id=id aria-live="polite" data-testid="readout">
            <Show
                when=move || point().is_some()
                fallback=move || view! { <span class="muted">{text(lang, T::CrosshairHint)}</span> }
            >
                <time data-testid="readout-time">{time}</time>
                <strong data-testid="readout-amount">{amount.clone()}</strong>
            </Show>
        </p>
    }
}
