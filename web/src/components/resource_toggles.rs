//! Which resources are shown: one toggle chip per resource (its marker, its name), and
//! "show all".

use leptos::prelude::*;

use super::{aria_bool, text, use_lang, Marker};
use crate::i18n::{fill, T};

/// The resource chips.
#[component]
pub fn ResourceToggles(
    /// The resources, in the response's order.
    names: Vec<String>,
    /// The hidden ones.
    #[prop(into)]
    hidden: Signal<Vec<String>>,
    /// Called with a resource and whether it is now shown.
    on_toggle: Callback<(String, bool)>,
    /// Called to show every resource.
    on_show_all: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let chips = names
        .into_iter()
        .enumerate()
        .map(|(index, name)| {
            let name = StoredValue::new(name);
            let shown = move || hidden.with(|h| name.with_value(|n| !h.contains(n)));
            let title = move || name.with_value(|n| fill(T::Show.get(lang.get()), &[("name", n)]));
            view! {
                <button
                    type="button"
                    class="chip"
                    data-action="resource"
                    data-value=name.get_value()
                    title=title
                    aria-pressed=move || aria_bool(shown())
                    on:click=move |_| on_toggle.run((name.get_value(), !shown()))
                >
                    <Marker index=index />
                    {name.get_value()}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="resources" role="group" aria-labelledby="resources-label" data-testid="resource-toggles">
            <span class="group-label" id="resources-label">{text(lang, T::Resources)}</span>
            {chips}
            <button
                type="button"
                class="button ghost small"
                data-action="resource"
                data-value=""
                disabled=move || hidden.with(Vec::is_empty)
                on:click=move |_| on_show_all.run(())
            >
                {text(lang, T::ShowAll)}
            </button>
        </div>
    }
}
