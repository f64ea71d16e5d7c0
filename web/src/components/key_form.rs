//! The access key pair for "keys in this browser": checked with the core's `Credentials`,
//! then kept in the page's memory and handed to the data worker, which signs with it;
//! never in the URL, a log or localStorage. "Remember for this tab" opts into sessionStorage, which the browser
//! clears when the tab closes.
//!
//! The fields are bound to the form's own signals, which live as long as the form: a
//! change of language only changes the texts around them, so what is typed stays. The
//! secret is cleared from the field once it is used, and when the keys are forgotten.

use bec_usage::signing::Credentials;

use leptos::prelude::*;

use super::{text, use_lang, TextField};
use crate::dom;
use crate::i18n::{fill, T};
use crate::wire::KeyPair;

/// Which field of the form an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyField {
    AccessKeyId,
    Secret,
}

/// One labelled key field with its error below it.
fn key_field(
    field: KeyField,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let (id, name, input_type, label) = match field {
        KeyField::AccessKeyId => ("access-key-id", "id", "text", T::AccessKeyId),
        KeyField::Secret => (
            "secret-access-key",
            "secret",
            "password",
            T::SecretAccessKey,
        ),
    };
    view! {
        <TextField
            id=id
            name=name
            label=label
            input_type=input_type
            value=value
            on_input=Callback::new(move |typed| value.set(typed))
            error=error
        />
    }
}

/// The key form.
#[component]
pub fn KeyForm(
    /// The access key id in use, if any.
    #[prop(into)]
    active_key: Signal<Option<String>>,
    /// Called with new keys, or `None` to forget them.
    on_keys: Callback<Option<KeyPair>>,
) -> impl IntoView {
    let lang = use_lang();
    let access_key_id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    // The core's message and the field it is about (errors about no field go to the
    // secret).
    let error = RwSignal::new(None::<(String, KeyField)>);
    let error_for = move |field: KeyField| {
        Signal::derive(move || {
            error.with(|e| {
                e.as_ref()
                    .filter(|(_, f)| *f == field)
                    .map(|(message, _)| message.clone())
            })
        })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = access_key_id.with_untracked(|id| id.trim().to_owned());
        let result = secret.with_untracked(|s| Credentials::new(&id, s).map(|_| s.clone()));
        match result {
            Ok(secret_access_key) => {
                error.set(None);
                if remember.get_untracked() {
                    secret.with_untracked(|s| dom::remember_keys(&id, s));
                } else {
                    dom::forget_keys();
                }
                // The secret leaves the form for the page's memory.
                secret.set(String::new());
                on_keys.run(Some(KeyPair {
                    access_key_id: id,
                    secret_access_key,
                }));
            }
            Err(e) => {
                let field = match e.field() {
                    Some("accessKeyId") => KeyField::AccessKeyId,
                    _ => KeyField::Secret,
                };
                error.set(Some((e.message().to_owned(), field)));
            }
        }
    };
    let forget = move |_| {
        dom::forget_keys();
        secret.set(String::new());
        on_keys.run(None);
    };
    let in_use = move || {
        active_key
            .get()
            .map(|id| fill(T::KeysInUse.get(lang.get()), &[("id", &id)]))
    };

    view! {
        <section class="card key-form" data-testid="key-form" aria-labelledby="keys-title">
            <h2 id="keys-title">{text(lang, T::KeysTitle)}</h2>
            <form autocomplete="off" on:submit=submit>
                {key_field(KeyField::AccessKeyId, access_key_id, error_for(KeyField::AccessKeyId))}
                {key_field(KeyField::Secret, secret, error_for(KeyField::Secret))}
                <label class="check">
                    <input type="checkbox" name="remember" data-testid="remember-keys" bind:checked=remember />
                    {text(lang, T::RememberKeys)}
                </label>
                <div class="actions">
                    <button type="submit" class="button primary" data-testid="use-keys">
                        {text(lang, T::UseKeys)}
                    </button>
                    <button
                        type="button"
                        class="button"
                        data-testid="forget-keys"
                        disabled=move || active_key.with(Option::is_none)
                        on:click=forget
                    >
                        {text(lang, T::ForgetKeys)}
                    </button>
                </div>
            </form>
            <p class="muted small">
                <span class="in-use">{in_use}</span>
                " "
                {text(lang, T::KeysNote)}
            </p>
        </section>
    }
}
