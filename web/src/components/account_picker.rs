//! The account picker of a server that names its accounts (two or more in `/healthz`): a
//! labelled `<select>` in the header. The choice goes into the URL (`?account=NAME`), and
//! the data is loaded from `/accounts/NAME/v1/usage/computing`.

use leptos::prelude::*;

use super::{text, use_lang};
use crate::i18n::T;

/// The account picker; hidden when there is no choice.
#[component]
pub fn AccountPicker(
    /// The accounts to choose from (no picker for fewer than two).
    #[prop(into)]
    accounts: Signal<Vec<String>>,
    /// The account in use.
    #[prop(into)]
    account: Signal<Option<String>>,
    /// The service's id of the account whose data is shown, if any (as a tooltip).
    #[prop(into)]
    account_id: Signal<Option<String>>,
    /// Called with the chosen account's name.
    on_change: Callback<String>,
) -> impl IntoView {
    let lang = use_lang();
    // The options change only with a new answer of `/healthz` (a sign-in): built again
    // then, no keyed diffing needed.
    let options = move || {
        accounts
            .get()
            .into_iter()
            .map(|name| {
                let label = name.clone();
                let selected = {
                    let name = name.clone();
                    move || account.with(|a| a.as_deref() == Some(name.as_str()))
                };
                view! { <option value=name prop:selected=selected>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <label class="account-picker" hidden=move || accounts.with(|a| a.len() < 2)>
            <span class="muted">{text(lang, T::Account)}</span>
            <select
                data-testid="account-picker"
                title=move || account_id.get()
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {options}
            </select>
        </label>
    }
}
