//! Placeholders in the shape of chart cards while data loads.

use leptos::prelude::*;

use crate::i18n::{Lang, T};

/// Four skeleton cards, shown while `message` is `Some` (what is being waited for).
#[component]
pub fn Skeleton(
    /// What is being waited for; hidden when `None`.
    #[prop(into)]
    message: Signal<Option<T>>,
    /// The page's language.
    lang: Lang,
) -> impl IntoView {
    let card =
        "<div class=\"card chart skeleton\" aria-hidden=\"true\"><div class=\"sk sk-title\"></div>\
                <div class=\"sk sk-stats\"></div><div class=\"sk sk-plot\"></div></div>";
    let markup = move || {
        message.get().map_or_else(String::new, |message| {
            format!(
                "<div class=\"charts\" aria-busy=\"true\" data-testid=\"skeleton\">\
                 <p class=\"visually-hidden\" role=\"status\">{}</p>{card}{card}</div>",
                message.get(lang)
            )
        })
    };
    view! { <div inner_html=markup></div> }
}
