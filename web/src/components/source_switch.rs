//! The data source switch: the proxy (server-signed), keys in this browser, or the demo.
//! Sources the serving proxy cannot provide are disabled.
//!
//! Like every button group of the page, it is markup rendered once per language with one
//! click listener; an effect keeps `aria-checked` and `disabled` in step (see
//! `crate::markup::buttons` for why).

use leptos::html;
use leptos::prelude::*;

use crate::dom::{self, aria_bool, present};
use crate::i18n::{Lang, T};
use crate::markup::{buttons, escape, ButtonSpec};
use crate::state::{ProxyStatus, Source};

fn label(source: Source) -> T {
    match source {
        Source::Proxy => T::SourceProxy,
        Source::Keys => T::SourceKeys,
        Source::Demo => T::SourceDemo,
    }
}

fn hint(source: Source) -> T {
    match source {
        Source::Proxy => T::SourceProxyHint,
        Source::Keys => T::SourceKeysHint,
        Source::Demo => T::SourceDemoHint,
    }
}

/// The source switch.
#[component]
pub fn SourceSwitch(
    /// The source in use (`None` while the page is still finding out).
    #[prop(into)]
    source: Signal<Option<Source>>,
    /// What the page knows of the proxy.
    #[prop(into)]
    proxy: Signal<ProxyStatus>,
    /// The page's language.
    lang: Lang,
    /// Called with the chosen source.
    on_change: Callback<Source>,
) -> impl IntoView {
    let group = NodeRef::<html::Div>::new();
    let specs: Vec<ButtonSpec> = Source::ALL
        .into_iter()
        .map(|s| ButtonSpec {
            value: s.code().to_owned(),
            content: escape(label(s).get(lang)),
            title: hint(s).get(lang).to_owned(),
        })
        .collect();
    let markup = buttons("", "source", "role=\"radio\"", &specs);
    Effect::new(move |_| {
        let Some(element) = group.get() else { return };
        let current = source.get().map(Source::code);
        let proxy = proxy.get();
        let allowed = |code: &str| Source::from_code(code).is_some_and(|s| proxy.allows(s));
        dom::sync_attribute(&element, "aria-checked", &|code| {
            aria_bool(current == Some(code))
        });
        dom::sync_attribute(&element, "disabled", &|code| present(!allowed(code)));
        dom::sync_attribute(&element, "title", &|code| {
            let source = Source::from_code(code)?;
            Some(if allowed(code) {
                hint(source).get(lang)
            } else {
                T::SourceNeedsProxy.get(lang)
            })
        });
    });
    view! {
        <div
            class="segmented"
            role="radiogroup"
            aria-label=T::Source.get(lang)
            data-testid="source-switch"
            node_ref=group
            inner_html=markup
            on:click=move |ev| {
                if let Some(source) = dom::action_value(&ev, "source").as_deref().and_then(Source::from_code) {
                    on_change.run(source);
                }
            }
        ></div>
    }
}
