//! Who is signed in, in the header, and the sign-out button of a server with password
//! sign-in (behind a single-sign-on proxy, that proxy signs people out: only the name
//! shows).

use leptos::prelude::*;

use super::{text, use_lang};
use crate::i18n::T;

/// The signed-in user and "Sign out"; hidden, and empty, when nobody is signed in.
#[component]
pub fn UserMenu(
    /// The signed-in user, if any.
    #[prop(into)]
    user: Signal<Option<String>>,
    /// Whether the page can sign the user out (password sign-in).
    #[prop(into)]
    can_sign_out: Signal<bool>,
    /// Called by "Sign out".
    on_sign_out: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <span class="user muted" data-testid="user" hidden=move || user.with(Option::is_none)>
            <span>
                {text(lang, T::SignedInAs)}
                " "
                <strong data-testid="user-name">{move || user.get().unwrap_or_default()}</strong>
            </span>
            <button
                type="button"
                class="button small"
                data-testid="sign-out"
                hidden=move || !can_sign_out.get()
                on:click=move |_| on_sign_out.run(())
            >
                {text(lang, T::SignOut)}
            </button>
        </span>
    }
}
