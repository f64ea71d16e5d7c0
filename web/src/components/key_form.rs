//! The access key pair for "keys in this browser": kept in the page's memory as the core's
//! `Credentials` (the secret only as a keyed HMAC state), never in the URL, a log or
//! localStorage. "Remember for this tab" opts into sessionStorage, which the browser
//! clears when the tab closes.
//!
//! Markup rendered once per language, with listeners on the form (see
//! `crate::markup::buttons` for why).

use bec_usage::signing::Credentials;
use leptos::html;
use leptos::prelude::*;

use crate::dom::{self, aria_bool};
use crate::i18n::{fill, Lang, T};
use crate::markup::text_field;

fn markup(lang: Lang) -> String {
    format!(
        "<h2 id=\"keys-title\">{}</h2><form autocomplete=\"off\">{}{}\
         <label class=\"check\"><input type=\"checkbox\" name=\"remember\" data-testid=\"remember-keys\">{}</label>\
         <div class=\"actions\"><button type=\"submit\" class=\"button primary\" data-testid=\"use-keys\">{}</button>\
         <button type=\"button\" class=\"button\" data-action=\"forget\" data-value=\"\" data-testid=\"forget-keys\">{}</button></div>\
         </form><p class=\"muted small\"><span class=\"in-use\"></span> {}</p>",
        T::KeysTitle.get(lang),
        text_field("access-key-id", "id", T::AccessKeyId.get(lang), "text", ""),
        text_field("secret-access-key", "secret", T::SecretAccessKey.get(lang), "password", ""),
        T::RememberKeys.get(lang),
        T::UseKeys.get(lang),
        T::ForgetKeys.get(lang),
        T::KeysNote.get(lang)
    )
}

/// The key form.
#[component]
pub fn KeyForm(
    /// The access key id in use, if any.
    #[prop(into)]
    active_key: Signal<Option<String>>,
    /// The page's language.
    lang: Lang,
    /// Called with new keys, or `None` to forget them.
    on_keys: Callback<Option<Credentials>>,
) -> impl IntoView {
    let section = NodeRef::<html::Section>::new();
    // The core's message and the field it is about.
    let error = RwSignal::new(None::<(String, &'static str)>);

    Effect::new(move |_| {
        let Some(element) = section.get() else { return };
        let in_use = active_key
            .get()
            .map(|id| fill(T::KeysInUse.get(lang), &[("id", &id)]));
        dom::set_text(&element, ".in-use", in_use.as_deref().unwrap_or(""));
        dom::sync_attribute(&element, "disabled", &|_| dom::present(in_use.is_none()));
        error.with(|error| {
            for (field, id) in [
                ("accessKeyId", "access-key-id"),
                ("secretAccessKey", "secret-access-key"),
            ] {
                let message = error
                    .as_ref()
                    .filter(|(_, f)| *f == field || (id == "secret-access-key" && f.is_empty()))
                    .map(|(message, _)| message.as_str());
                dom::set_text(&element, &format!("#{id}-error"), message.unwrap_or(""));
                dom::set_attribute(
                    &element,
                    &format!("#{id}"),
                    "aria-invalid",
                    aria_bool(message.is_some()),
                );
            }
        });
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(element) = section.get_untracked() else {
            return;
        };
        let id = dom::input_value(&element, "[name=id]");
        let secret = dom::input_value(&element, "[name=secret]");
        match Credentials::new(id.trim(), &secret) {
            Ok(credentials) => {
                error.set(None);
                let remember = dom::find(&element, "[name=remember]")
                    .and_then(|e| {
                        wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok()
                    })
                    .is_some_and(|r| r.checked());
                if remember {
                    dom::remember_keys(id.trim(), &secret);
                } else {
                    dom::forget_keys();
                }
                // The secret leaves the form: only the HMAC state is kept.
                dom::set_input_value(&element, "[name=secret]", "");
                on_keys.run(Some(credentials));
            }
            Err(e) => error.set(Some((e.message().to_owned(), e.field().unwrap_or("")))),
        }
    };

    view! {
        <section
            class="card key-form"
            data-testid="key-form"
            aria-labelledby="keys-title"
            node_ref=section
            inner_html=markup(lang)
            on:submit=submit
            on:click=move |ev| {
                if dom::action_value(&ev, "forget").is_some() {
                    dom::forget_keys();
                    if let Some(element) = section.get_untracked() {
                        dom::set_input_value(&element, "[name=secret]", "");
                    }
                    on_keys.run(None);
                }
            }
        ></section>
    }
}
