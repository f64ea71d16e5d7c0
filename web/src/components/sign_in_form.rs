//! The sign-in form of a server that asks for a password (`/healthz` says `signIn:
//! "password"` and no user): in place of the charts until someone signs in, or again
//! when a data request says the session ended (`SignInRequired`).
//!
//! The form asks `POST /auth/login` (through `api`), then `/healthz` again, which tells
//! who is signed in now and which accounts they see; the page takes it from there. A
//! refusal is said in place, in an alert: the name stays, the password is cleared and
//! focused for another try.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{text, use_lang, TextField};
use crate::api::{self, SignInError};
use crate::i18n::{fill, T};
use crate::proxy_status::ProxyStatus;

/// Why the form is still there after a submit.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// The server refused, or could not be asked.
    SignIn(SignInError),
    /// The server accepted, but the browser did not keep (or send) the session cookie:
    /// a `Secure` cookie over plain HTTP.
    NoSession,
}

/// One labelled field of the form; both are described by the form's alert.
fn field(
    (id, input_type, autocomplete, label): (&'static str, &'static str, &'static str, T),
    value: RwSignal<String>,
    node_ref: NodeRef<html::Input>,
    invalid: Signal<bool>,
) -> impl IntoView {
    view! {
        <TextField
            id=id
            name=autocomplete
            label=label
            input_type=input_type
            autocomplete=autocomplete
            value=value
            on_input=Callback::new(move |typed| value.set(typed))
            described_by="sign-in-error"
            invalid=invalid
            required=true
            node_ref=node_ref
        />
    }
}

/// The sign-in form.
#[component]
pub fn SignInForm(
    /// Whether a signed-in session ended (a data request was refused), to say so.
    #[prop(into)]
    expired: Signal<bool>,
    /// Called once signed in, with the user's name and what `/healthz` says now.
    on_signed_in: Callback<(String, ProxyStatus)>,
) -> impl IntoView {
    let lang = use_lang();
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let user_ref = NodeRef::<html::Input>::new();
    let password_ref = NodeRef::<html::Input>::new();

    // The name field has the focus when the form appears (the page is nothing else then).
    Effect::new(move |_| {
        if let Some(input) = user_ref.get() {
            let _ = input.focus();
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = user.with_untracked(|u| u.trim().to_owned());
        let secret = password.get_untracked();
        // The fields are `required`: the browser says so before this runs.
        if pending.get_untracked() || name.is_empty() || secret.is_empty() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let outcome = match api::sign_in(&name, &secret).await {
                Ok(name) => {
                    let status = api::refresh_health().await;
                    if status.asks_sign_in() {
                        Err(Problem::NoSession)
                    } else {
                        Ok((name, status))
                    }
                }
                Err(error) => Err(Problem::SignIn(error)),
            };
            match outcome {
                // The page replaces the form.
                Ok(signed_in) => on_signed_in.run(signed_in),
                Err(found) => {
                    password.try_set(String::new());
                    problem.try_set(Some(found));
                    pending.try_set(false);
                    if let Some(input) = password_ref.get_untracked() {
                        let _ = input.focus();
                    }
                }
            }
        });
    };

    let message = move || {
        let lang = lang.get();
        problem.with(|p| match p {
            None => String::new(),
            Some(Problem::SignIn(SignInError::Refused { message })) => message.clone(),
            Some(Problem::SignIn(SignInError::TooMany { seconds })) => fill(
                T::SignInTooMany.get(lang),
                &[("seconds", &seconds.to_string())],
            ),
            Some(Problem::NoSession) => T::SignInNoSession.get(lang).to_owned(),
        })
    };
    let invalid = Signal::derive(move || problem.with(Option::is_some));
    let note = move || {
        let key = if expired.get() {
            T::SignInExpired
        } else {
            T::SignInNote
        };
        key.get(lang.get())
    };
    let button = move || {
        let key = if pending.get() {
            T::SigningIn
        } else {
            T::SignIn
        };
        key.get(lang.get())
    };

    view! {
        <section class="card sign-in" data-testid="sign-in" aria-labelledby="sign-in-title">
            <h2 id="sign-in-title">{text(lang, T::SignInTitle)}</h2>
            <p class="muted" data-testid="sign-in-note">{note}</p>
            <form on:submit=submit>
                {field(
                    ("sign-in-user", "text", "username", T::UserName),
                    user,
                    user_ref,
                    invalid,
                )}
                {field(
                    ("sign-in-password", "password", "current-password", T::Password),
                    password,
                    password_ref,
                    invalid,
                )}
                <p class="field-error" id="sign-in-error" role="alert" data-testid="sign-in-error">
                    {message}
                </p>
                <button
                    type="submit"
                    class="button primary"
                    data-testid="sign-in-submit"
                    disabled=move || pending.get()
                >
                    {button}
                </button>
            </form>
        </section>
    }
}
