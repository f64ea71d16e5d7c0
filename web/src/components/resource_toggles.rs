//! Which resources are shown: one toggle chip per resource (its marker, its name), and
//! "show all". Markup rendered once, with one click listener and an effect for the
//! pressed state (see `crate::markup::buttons`).

use leptos::html;
use leptos::prelude::*;

use crate::dom::{self, aria_bool, present};
use crate::i18n::{fill, Lang, T};
use crate::markup::{buttons, escape, marker_svg, ButtonSpec};

/// The value of the "show all" button (not a resource name: those are never empty).
const SHOW_ALL: &str = "";

/// The resource chips.
#[component]
pub fn ResourceToggles(
    /// The resources, in the response's order.
    names: Vec<String>,
    /// The hidden ones.
    #[prop(into)]
    hidden: Signal<Vec<String>>,
    /// The page's language.
    lang: Lang,
    /// Called with a resource and whether it is now shown.
    on_toggle: Callback<(String, bool)>,
    /// Called to show every resource.
    on_show_all: Callback<()>,
) -> impl IntoView {
    let group = NodeRef::<html::Div>::new();
    let chips: Vec<ButtonSpec> = names
        .iter()
        .enumerate()
        .map(|(index, name)| ButtonSpec {
            value: name.clone(),
            content: format!("{}{}", marker_svg(index), escape(name)),
            title: fill(T::Show.get(lang), &[("name", name)]),
        })
        .collect();
    let show_all = ButtonSpec {
        value: SHOW_ALL.to_owned(),
        content: escape(T::ShowAll.get(lang)),
        title: String::new(),
    };
    let markup = format!(
        "<span class=\"group-label\" id=\"resources-label\">{}</span>{}{}",
        T::Resources.get(lang),
        buttons("chip", "resource", "", &chips),
        buttons("button ghost small", "resource", "", &[show_all])
    );
    Effect::new(move |_| {
        let Some(element) = group.get() else { return };
        hidden.with(|hidden| {
            dom::sync_attribute(&element, "aria-pressed", &|name| {
                if name == SHOW_ALL {
                    None
                } else {
                    aria_bool(!hidden.iter().any(|h| h == name))
                }
            });
            dom::sync_attribute(&element, "disabled", &|name| {
                present(name == SHOW_ALL && hidden.is_empty())
            });
        });
    });
    view! {
        <div
            class="resources"
            role="group"
            aria-labelledby="resources-label"
            data-testid="resource-toggles"
            node_ref=group
            inner_html=markup
            on:click=move |ev| {
                let Some(name) = dom::action_value(&ev, "resource") else { return };
                if name == SHOW_ALL {
                    on_show_all.run(());
                } else {
                    let shown = hidden.with_untracked(|h| h.contains(&name));
                    on_toggle.run((name, shown));
                }
            }
        ></div>
    }
}
