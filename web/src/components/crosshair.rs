//! The crosshair: a vertical line and a marker on the hovered point, and the readout above
//! the chart with that point's exact time and amount.
//!
//! Both read only the `hovered` signal (and the chart's model, which does not change
//! while the pointer moves): a move redraws a line, a marker and one sentence.

use std::sync::Arc;

use leptos::prelude::*;

use crate::dataset::Dataset;
use crate::geometry::{ChartModel, Shape};
use crate::i18n::Lang;
use crate::markup::{crosshair, readout};

/// The crosshair inside the chart's SVG: empty while nothing is hovered.
#[component]
pub fn Crosshair(
    /// The chart's shapes and scales.
    model: Memo<ChartModel>,
    /// The loaded data.
    data: Arc<Dataset>,
    /// Which resource of it.
    index: usize,
    /// The index of the hovered point among the resource's points.
    hovered: RwSignal<Option<usize>>,
    /// The resource's marker shape.
    shape: Shape,
) -> impl IntoView {
    let markup = move || {
        let Some(point) = hovered.get().and_then(|i| data.points(index).get(i)) else {
            return String::new();
        };
        model.with(|m| {
            let (x, y) = m.position(point);
            crosshair(x, y, m.frame.top, m.frame.bottom, shape)
        })
    };
    view! { <g class="crosshair" data-testid="crosshair" aria-hidden="true" inner_html=markup></g> }
}

/// The sentence above the chart: the hovered point's time (UTC+08:00) and exact amount,
/// or how to read values. Screen readers hear it change (`aria-live`).
#[component]
pub fn Readout(
    /// The element id, which the chart names in `aria-describedby`.
    id: String,
    /// The loaded data.
    data: Arc<Dataset>,
    /// Which resource of it.
    index: usize,
    /// The index of the hovered point.
    hovered: RwSignal<Option<usize>>,
    /// The resource's unit as the service wrote it.
    unit: String,
    /// The page's language.
    lang: Lang,
) -> impl IntoView {
    let text = move || {
        let point = hovered.get().and_then(|i| data.points(index).get(i));
        readout(point, &unit, lang)
    };
    view! { <p class="readout" id=id aria-live="polite" data-testid="readout" inner_html=text></p> }
}
