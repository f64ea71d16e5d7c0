//! Placeholders in the shape of chart cards while data loads.

use leptos::prelude::*;

use super::{text, use_lang};
use crate::i18n::T;

/// Two skeleton cards, and what is being waited for for screen readers.
#[component]
pub fn Skeleton(
    /// What is being waited for.
    message: T,
) -> impl IntoView {
    let lang = use_lang();
    let card = || {
        view! {
            <div class="card chart skeleton" aria-hidden="true">
                <div class="sk sk-title"></div>
                <div class="sk sk-stats"></div>
                <div class="sk sk-plot"></div>
            </div>
        }
    };
    view! {
        <div class="charts" aria-busy="true" data-testid="skeleton">
            <p class="visually-hidden" role="status">{text(lang, message)}</p>
            {card()}
            {card()}
        </div>
    }
}
