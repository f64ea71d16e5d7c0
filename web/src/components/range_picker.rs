//! The date range: presets (last 7 days, last 31 days, this month, last month) and a
//! custom range typed as two `YYYY-MM-DD` dates, with what is wrong explained next to the
//! field it is about.
//!
//! The fields show the range in the view state (`prop:value`): a preset or a link sets
//! them, and what is typed stays until then, whatever else changes (the language). Apply
//! reads them through their `NodeRef`s.

use chrono::NaiveDate;
use leptos::html;
use leptos::prelude::*;

use super::{aria_bool, text, use_lang, TextField};
use crate::format::format_date;
use crate::i18n::T;
use crate::range::{parse_day, validate_range, Preset, RangeError, RangeErrors};
use crate::state::RangeChoice;

/// The texts the fields show for a range choice.
fn field_texts(range: &RangeChoice, today: NaiveDate) -> (String, String) {
    match range {
        RangeChoice::Preset(preset) => {
            let (begin, end) = preset.dates(today);
            (format_date(begin), format_date(end))
        }
        RangeChoice::Custom { from, to } => (from.clone(), to.clone()),
    }
}

/// Which of the two date fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    To,
}

/// One labelled date field with its error below it.
fn date_field(
    field: Field,
    input: NodeRef<html::Input>,
    value: Signal<String>,
    error: Signal<Option<String>>,
    on_change: impl Fn(Field, String) + Send + Sync + 'static,
) -> impl IntoView {
    let (id, name, label) = match field {
        Field::From => ("range-from", "from", T::From),
        Field::To => ("range-to", "to", T::To),
    };
    view! {
        <TextField
            id=id
            name=name
            label=label
            date=true
            value=value
            on_change=Callback::new(move |typed| on_change(field, typed))
            error=error
            node_ref=input
        />
    }
}

/// The range picker.
#[component]
pub fn RangePicker(
    /// The range in the view state.
    #[prop(into)]
    range: Signal<RangeChoice>,
    /// Today in Beijing time (presets count from it).
    today: NaiveDate,
    /// Called with a valid new range.
    on_change: Callback<RangeChoice>,
) -> impl IntoView {
    let lang = use_lang();
    let from_input = NodeRef::<html::Input>::new();
    let to_input = NodeRef::<html::Input>::new();
    // What is wrong, and with which range: errors found for a range are shown until the
    // range changes (a preset, a link, Apply). A custom range from the URL is checked at
    // once, so a bad link explains itself.
    let errors = RwSignal::new({
        let initial = range.get_untracked();
        let found = match &initial {
            RangeChoice::Custom { from, to } => validate_range(from, to).err().unwrap_or_default(),
            RangeChoice::Preset(_) => RangeErrors::default(),
        };
        (initial, found)
    });
    let current_errors = move || {
        errors.with(|(for_range, found)| {
            range.with(|r| {
                if r == for_range {
                    found.clone()
                } else {
                    RangeErrors::default()
                }
            })
        })
    };
    // A memo: the fields are set again only when the range's texts change, not whenever
    // the view state does (a change of language must leave typed dates alone).
    let texts = Memo::new(move |_| range.with(|r| field_texts(r, today)));
    let from_text = Signal::derive(move || texts.with(|t| t.0.clone()));
    let to_text = Signal::derive(move || texts.with(|t| t.1.clone()));
    let from_error = Signal::derive(move || current_errors().from.map(|e| e.message(lang.get())));
    let to_error = Signal::derive(move || current_errors().to.map(|e| e.message(lang.get())));
    let set_errors = move |update: &dyn Fn(&mut RangeErrors)| {
        let current = range.get_untracked();
        errors.update(|(for_range, found)| {
            if *for_range != current {
                *for_range = current;
                *found = RangeErrors::default();
            }
            update(found);
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = |input: NodeRef<html::Input>| {
            input.get_untracked().map(|i| i.value()).unwrap_or_default()
        };
        match validate_range(&value(from_input), &value(to_input)) {
            Ok((begin, end)) => {
                set_errors(&|found| *found = RangeErrors::default());
                on_change.run(RangeChoice::Custom {
                    from: format_date(begin),
                    to: format_date(end),
                });
            }
            Err(found) => set_errors(&|errors| *errors = found.clone()),
        }
    };
    // Leaving a field checks that field alone (the range as a whole waits for Apply).
    let check_field = move |field: Field, value: String| {
        let error = parse_day(&value).err();
        set_errors(&|found| match field {
            Field::From => found.from = error.clone(),
            Field::To => found.to = error.clone().map(RangeError::Date),
        });
    };

    let presets = Preset::ALL.map(|preset| {
        let (begin, end) = preset.dates(today);
        view! {
            <button
                type="button"
                class="chip"
                data-action="preset"
                data-value=preset.code()
                title=format!("{} – {}", format_date(begin), format_date(end))
                aria-pressed=move || aria_bool(range.with(|r| *r == RangeChoice::Preset(preset)))
                on:click=move |_| on_change.run(RangeChoice::Preset(preset))
            >
                {text(lang, preset.label())}
            </button>
        }
    });

    view! {
        <form class="range" novalidate data-testid="range-picker" on:submit=submit>
            <div class="presets" role="group" aria-label=text(lang, T::Range)>
                {presets}
            </div>
            <div class="dates">
                {date_field(Field::From, from_input, from_text, from_error, check_field)}
                <span class="dash" aria-hidden="true">"–"</span>
                {date_field(Field::To, to_input, to_text, to_error, check_field)}
                <button type="submit" class="button primary" data-testid="range-apply">
                    {text(lang, T::Apply)}
                </button>
            </div>
        </form>
    }
}
