//! The access key pair for "keys in this browser": kept in the page's memory as the core's
//! `Credentials` (the secret only as a keyed HMAC state), never in the URL, a log or
//! localStorage. "Remember for this tab" opts into sessionStorage, which the browser
//! clears when the tab closes.
//!
//! Markup rendered once per language, with listeners on the form (see
//! `crate::markup::buttons` for why).

use std::cell::RefCell;

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

thread_local! {
    /// What was typed into the form and not used yet: the access key id, the secret and
    /// "remember", taken by [`keep_typed_keys`] when a change of language renders the page
    /// (and the form) again; without it, typed keys were lost. The secret is cleared here
    /// as in the form when the keys are used or forgotten.
    static DRAFT: RefCell<(String, String, bool)> =
        const { RefCell::new((String::new(), String::new(), false)) };
}

fn remember_box(element: &web_sys::Element) -> Option<web_sys::HtmlInputElement> {
    dom::find(element, "[name=remember]")
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok())
}

/// What the form holds: access key id, secret, "remember".
fn typed(element: &web_sys::Element) -> (String, String, bool) {
    (
        dom::input_value(element, "[name=id]"),
        dom::input_value(element, "[name=secret]"),
        remember_box(element).is_some_and(|r| r.checked()),
    )
}

/// Keeps what is typed into the key form (if it is shown) for the form the page renders
/// next: the page calls it before a change of language renders everything again.
pub fn keep_typed_keys() {
    let form = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
        .and_then(|root| dom::find(&root, "[data-testid=key-form]"));
    if let Some(form) = form {
        DRAFT.with(|draft| *draft.borrow_mut() = typed(&form));
    }
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

    let clear_secret = || DRAFT.with(|draft| draft.borrow_mut().1.clear());

    // The effect's value: whether the form got back what was typed (once, when shown).
    Effect::new(move |restored: Option<bool>| {
        let Some(element) = section.get() else {
            return false;
        };
        // What was typed before the page was rendered again, back into the form; only
        // once: later runs (an error shown) must not overwrite what is typed since.
        if restored != Some(true) {
            DRAFT.with(|draft| {
                let (id, secret, remember) = &*draft.borrow();
                dom::set_input_value(&element, "[name=id]", id);
                dom::set_input_value(&element, "[name=secret]", secret);
                if let Some(checkbox) = remember_box(&element) {
                    checkbox.set_checked(*remember);
                }
            });
        }
        let in_use = active_key
            .get()
            .map(|id| fill(T::KeysInUse.get(lang), &[("id", &id)]));
        dom::set_text(&element, ".in-use", in_use.as_deref().unwrap_or(""));
        dom::sync_attribute(&element, "disabled", &|_| dom::present(in_use.is_none()));
        error.with(|error| {
            // (field, input, its error text); errors about no field go to the secret.
            for (field, input, error_text) in [
                ("accessKeyId", "#access-key-id", "#access-key-id-error"),
                (
                    "secretAccessKey",
                    "#secret-access-key",
                    "#secret-access-key-error",
                ),
            ] {
                let message = error
                    .as_ref()
                    .filter(|(_, f)| *f == field || (field == "secretAccessKey" && f.is_empty()))
                    .map(|(message, _)| message.as_str());
                dom::set_text(&element, error_text, message.unwrap_or(""));
                dom::set_attribute(
                    &element,
                    input,
                    "aria-invalid",
                    aria_bool(message.is_some()),
                );
            }
        });
        true
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(element) = section.get_untracked() else {
            return;
        };
        let (id, secret, remember) = typed(&element);
        match Credentials::new(id.trim(), &secret) {
            Ok(credentials) => {
                error.set(None);
                if remember {
                    dom::remember_keys(id.trim(), &secret);
                } else {
                    dom::forget_keys();
                }
                // The secret leaves the form: only the HMAC state is kept.
                dom::set_input_value(&element, "[name=secret]", "");
                clear_secret();
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
                    clear_secret();
                    if let Some(element) = section.get_untracked() {
                        dom::set_input_value(&element, "[name=secret]", "");
                    }
                    on_keys.run(None);
                }
            }
        ></section>
    }
}
