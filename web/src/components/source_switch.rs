//! The data source switch: the proxy (server-signed), keys in this browser, or the demo.
//! Sources the serving proxy cannot provide are disabled.

use leptos::prelude::*;

use super::{aria_bool, text, use_lang};
use crate::i18n::T;
use crate::proxy_status::ProxyStatus;
use crate::state::Source;

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

/// The source switch: a radio group of three buttons.
#[component]
pub fn SourceSwitch(
    /// The source in use (`None` while the page is still finding out).
    #[prop(into)]
    source: Signal<Option<Source>>,
    /// What the page knows of the proxy.
    #[prop(into)]
    proxy: Signal<ProxyStatus>,
    /// Called with the chosen source.
    on_change: Callback<Source>,
) -> impl IntoView {
    let lang = use_lang();
    let buttons = Source::ALL.map(|choice| {
        let allowed = move || proxy.with(|p| p.allows(choice));
        let title = move || {
            let key = if allowed() {
                hint(choice)
            } else {
                T::SourceNeedsProxy
            };
            key.get(lang.get())
        };
        view! {
            <button
                type="button"
                role="radio"
                data-action="source"
                data-value=choice.code()
                aria-checked=move || aria_bool(source.get() == Some(choice))
                disabled=move || !allowed()
                title=title
                on:click=move |_| on_change.run(choice)
            >
                {text(lang, label(choice))}
            </button>
        }
    });
    view! {
        <div class="segmented" role="radiogroup" aria-label=text(lang, T::Source) data-testid="source-switch">
            {buttons}
        </div>
    }
}
