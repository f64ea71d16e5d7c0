//! The date range: presets (last 7 days, last 31 days, this month, last month) and a
//! custom range typed as two `YYYY-MM-DD` dates, with what is wrong explained next to the
//! field it is about.
//!
//! The form is markup rendered once per language (see `crate::markup::buttons` for why);
//! its listeners read the fields, and effects write the range and the errors back.

use chrono::NaiveDate;
use leptos::html;
use leptos::prelude::*;

use crate::dom::{self, aria_bool};
use crate::format::format_date;
use crate::i18n::{Lang, T};
use crate::markup::{buttons, escape, text_field, ButtonSpec};
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

fn markup(today: NaiveDate, lang: Lang) -> String {
    let presets = Preset::ALL.map(|preset| {
        let (begin, end) = preset.dates(today);
        ButtonSpec {
            value: preset.code().to_owned(),
            content: escape(preset.label().get(lang)),
            title: format!("{} – {}", format_date(begin), format_date(end)),
        }
    });
    let date_attributes = format!(
        "inputmode=\"numeric\" placeholder=\"YYYY-MM-DD\" maxlength=\"10\" title=\"{}\"",
        escape(T::DateHint.get(lang))
    );
    format!(
        "<div class=\"presets\" role=\"group\" aria-label=\"{}\">{}</div>\
         <div class=\"dates\">{}<span class=\"dash\" aria-hidden=\"true\">–</span>{}\
         <button type=\"submit\" class=\"button primary\" data-testid=\"range-apply\">{}</button></div>",
        T::Range.get(lang),
        buttons("chip", "preset", "", &presets),
        text_field("range-from", "from", T::From.get(lang), "text", &date_attributes),
        text_field("range-to", "to", T::To.get(lang), "text", &date_attributes),
        T::Apply.get(lang)
    )
}

/// The range picker.
#[component]
pub fn RangePicker(
    /// The range in the view state.
    #[prop(into)]
    range: Signal<RangeChoice>,
    /// Today in Beijing time (presets count from it).
    today: NaiveDate,
    /// The page's language.
    lang: Lang,
    /// Called with a valid new range.
    on_change: Callback<RangeChoice>,
) -> impl IntoView {
    let form = NodeRef::<html::Form>::new();
    // A custom range from the URL is checked at once, so a bad link explains itself.
    let errors = RwSignal::new(match range.get_untracked() {
        RangeChoice::Custom { from, to } => validate_range(&from, &to).err().unwrap_or_default(),
        RangeChoice::Preset(_) => RangeErrors::default(),
    });

    // The fields and the pressed preset follow the range (a preset, a link, Apply).
    Effect::new(move |previous: Option<RangeChoice>| {
        let current = range.get();
        let Some(element) = form.get() else {
            return current;
        };
        let (from, to) = field_texts(&current, today);
        dom::set_input_value(&element, "[name=from]", &from);
        dom::set_input_value(&element, "[name=to]", &to);
        if previous.is_some_and(|p| p != current) {
            errors.set(RangeErrors::default());
        }
        let pressed = match &current {
            RangeChoice::Preset(p) => Some(p.code()),
            RangeChoice::Custom { .. } => None,
        };
        dom::sync_attribute(&element, "aria-pressed", &|code| {
            aria_bool(pressed == Some(code))
        });
        current
    });
    // The errors, next to their fields.
    Effect::new(move |_| {
        let Some(element) = form.get() else { return };
        errors.with(|e| {
            let from = e.from.as_ref().map(|e| e.message(lang));
            let to = e.to.as_ref().map(|e| e.message(lang));
            for (field, message) in [("range-from", from), ("range-to", to)] {
                dom::set_text(
                    &element,
                    &format!("#{field}-error"),
                    message.as_deref().unwrap_or(""),
                );
                dom::set_attribute(
                    &element,
                    &format!("#{field}"),
                    "aria-invalid",
                    aria_bool(message.is_some()),
                );
            }
        });
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(element) = form.get_untracked() else {
            return;
        };
        let (from, to) = (
            dom::input_value(&element, "[name=from]"),
            dom::input_value(&element, "[name=to]"),
        );
        match validate_range(&from, &to) {
            Ok((begin, end)) => {
                errors.set(RangeErrors::default());
                on_change.run(RangeChoice::Custom {
                    from: format_date(begin),
                    to: format_date(end),
                });
            }
            Err(found) => errors.set(found),
        }
    };
    // Leaving a field checks that field alone (the range as a whole waits for Apply).
    let check_field = move |ev: leptos::ev::Event| {
        let (Some(field), Some(element)) = (dom::field_name(&ev), form.get_untracked()) else {
            return;
        };
        let value = dom::input_value(&element, &format!("[name={field}]"));
        let error = parse_day(&value).err();
        errors.update(|e| match field.as_str() {
            "from" => e.from = error,
            _ => e.to = error.map(RangeError::Date),
        });
    };

    view! {
        <form
            class="range"
            novalidate
            data-testid="range-picker"
            node_ref=form
            inner_html=markup(today, lang)
            on:submit=submit
            on:change=check_field
            on:click=move |ev| {
                if let Some(preset) = dom::action_value(&ev, "preset").as_deref().and_then(Preset::from_code) {
                    on_change.run(RangeChoice::Preset(preset));
                }
            }
        ></form>
    }
}
