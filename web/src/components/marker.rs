//! A resource's legend marker: its shape in its colour, so that series are told apart
//! with or without colour.

use leptos::prelude::*;

use crate::geometry::{marker_path, series_style};

/// The marker of the `index`-th resource.
#[component]
pub fn Marker(
    /// The resource's index in the response.
    index: usize,
) -> impl IntoView {
    let (colour, shape) = series_style(index);
    view! {
        <svg class=format!("marker c{colour}") viewBox="0 0 14 14" width="14" height="14" aria-hidden="true">
            <path d=marker_path(shape, 7.0, 7.0, 5.0) />
        </svg>
    }
}
