//! One labelled text input, the same for the key form, the sign-in form and the range's
//! dates: its label, its value (shown from a signal, reported as typed and when changed),
//! `aria-invalid`, and what describes it (its own error below it, or the form's alert).

use leptos::html;
use leptos::prelude::*;

use super::{aria_bool, text, use_lang};
use crate::i18n::T;

/// A labelled text input.
#[component]
pub fn TextField(
    /// The input's id, also its `data-testid`.
    id: &'static str,
    /// Its `name`.
    name: &'static str,
    /// Its label.
    label: T,
    /// What the field shows.
    #[prop(into)]
    value: Signal<String>,
    /// Called with what is typed, at each keystroke.
    #[prop(optional)]
    on_input: Option<Callback<String>>,
    /// Called with the value when it is changed (the field left or Enter).
    #[prop(optional)]
    on_change: Option<Callback<String>>,
    /// `text` (the default) or `password`.
    #[prop(default = "text")]
    input_type: &'static str,
    /// Its `autocomplete` (`off` by default).
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Its own error, shown below it in an element whose id is `{id}-error`.
    #[prop(optional, into)]
    error: Option<Signal<Option<String>>>,
    /// What describes it when it has no error of its own (the form's alert).
    #[prop(optional)]
    described_by: Option<&'static str>,
    /// Whether it is marked invalid without an error of its own.
    #[prop(optional, into)]
    invalid: Option<Signal<bool>>,
    /// A date as `YYYY-MM-DD`: a numeric keyboard, a placeholder, 10 characters, a hint.
    #[prop(optional)]
    date: bool,
    /// Whether it must be filled in before the form is sent.
    #[prop(optional)]
    required: bool,
    /// The input element, for focus or reading it.
    #[prop(optional)]
    node_ref: NodeRef<html::Input>,
) -> impl IntoView {
    let lang = use_lang();
    let error_id = format!("{id}-error");
    let described_by = described_by.map_or_else(|| error_id.clone(), str::to_owned);
    let invalid = move || match (error, invalid) {
        (Some(error), _) => error.with(Option::is_some),
        (None, Some(invalid)) => invalid.get(),
        (None, None) => false,
    };
    let error_view = error.map(|error| {
        view! {
            <p class="field-error" id=error_id.clone() data-testid=error_id.clone()>
                {move || error.get().unwrap_or_default()}
            </p>
        }
    });
    view! {
        <div class="field">
            <label for=id>{text(lang, label)}</label>
            <input
                id=id
                name=name
                type=input_type
                data-testid=id
                autocomplete=autocomplete
                autocapitalize=(autocomplete != "off").then_some("none")
                spellcheck="false"
                required=required
                inputmode=date.then_some("numeric")
                placeholder=date.then_some("YYYY-MM-DD")
                maxlength=date.then_some("10")
                title=move || date.then(|| T::DateHint.get(lang.get()))
                aria-invalid=move || aria_bool(invalid())
                aria-describedby=described_by
                node_ref=node_ref
                prop:value=value
                on:input=move |ev| {
                    if let Some(on_input) = on_input {
                        on_input.run(event_target_value(&ev));
                    }
                }
                on:change=move |ev| {
                    if let Some(on_change) = on_change {
                        on_change.run(event_target_value(&ev));
                    }
                }
            />
            {error_view}
        </div>
    }
}
