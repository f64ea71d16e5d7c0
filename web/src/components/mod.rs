//! One component per thing on the screen. Each takes what it shows as props (signals for
//! what changes, the page's language among them), so that the component tests can mount
//! it alone, and a change of language updates its texts in place.

pub mod account_picker;
pub mod anomalies;
pub mod chart;
pub mod cost_panel;
pub mod crosshair;
pub mod daily_table;
pub mod data_table;
pub mod empty_state;
pub mod error_panel;
pub mod export_menu;
pub mod header;
pub mod key_form;
pub mod lang_toggle;
pub mod marker;
pub mod progress_bar;
pub mod quality_notes;
pub mod range_picker;
pub mod resource_toggles;
pub mod sign_in_form;
pub mod skeleton;
pub mod source_switch;
pub mod text_field;
pub mod theme_toggle;
pub mod totals;
pub mod user_menu;
pub mod view_toggle;

pub use account_picker::AccountPicker;
pub use anomalies::Anomalies;
pub use chart::Chart;
pub use cost_panel::CostPanel;
pub use crosshair::{Crosshair, Readout};
pub use daily_table::DailyTable;
pub use data_table::DataTable;
pub use empty_state::EmptyState;
pub use error_panel::ErrorPanel;
pub use export_menu::ExportMenu;
pub use header::Header;
pub use key_form::KeyForm;
pub use lang_toggle::LangToggle;
pub use marker::Marker;
pub use progress_bar::ProgressBar;
pub use quality_notes::QualityNotes;
pub use range_picker::RangePicker;
pub use resource_toggles::ResourceToggles;
pub use sign_in_form::SignInForm;
pub use skeleton::Skeleton;
pub use source_switch::SourceSwitch;
pub use text_field::TextField;
pub use theme_toggle::ThemeToggle;
pub use totals::Totals;
pub use user_menu::UserMenu;
pub use view_toggle::ViewToggle;

use leptos::prelude::*;

use crate::i18n::{Lang, T};

/// The page's language as a context: the app provides it once ([`provide_lang`]) and each
/// component that writes text reads it ([`use_lang`]) instead of taking it as a prop.
#[derive(Debug, Clone, Copy)]
struct PageLang(Signal<Lang>);

/// Provides the page's language to every component below.
pub fn provide_lang(lang: impl Into<Signal<Lang>>) {
    provide_context(PageLang(lang.into()));
}

/// The page's language, as [`provide_lang`] provided it.
pub fn use_lang() -> Signal<Lang> {
    expect_context::<PageLang>().0
}

/// The text `key` in the page's language, as a reactive closure for a view's text or
/// attribute: it follows a change of language without rendering anything again.
pub fn text(
    lang: Signal<Lang>,
    key: T,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || key.get(lang.get())
}

/// `"true"` or `"false"`, for `aria-pressed`, `aria-checked` and `aria-invalid`.
pub fn aria_bool(value: bool) -> &'static str {
    if value {
        "true"
    } else {
        "false"
    }
}
