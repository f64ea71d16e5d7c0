//! The page's layout: the header (account picker, user, source, language, theme), the
//! banners, the toolbar (range, comparison, forecast, export, progress), the key form, and
//! the content area, one view per [`Status`]. It reads the page's contexts.

use leptos::either::EitherOf5;
use leptos::prelude::*;

use crate::app::{Layout, Session, Settings};
use crate::components::{
    text, AccountPicker, EmptyState, ErrorPanel, ExportMenu, Header, KeyForm, LangToggle,
    ProgressBar, RangePicker, SignInForm, Skeleton, SourceSwitch, ThemeToggle, UserMenu,
    ViewToggle,
};
use crate::dashboard::Dashboard;
use crate::i18n::{fill, T};
use crate::load::{Loaded, Status};
use crate::proxy_status::AccountChoice;
use crate::state::Source;

/// The dashboard's page.
#[component]
pub fn Page() -> impl IntoView {
    let Settings {
        today,
        lang,
        theme,
        range,
        compare,
        forecast,
        sensitivity,
        price_sheet,
        on_source,
        on_lang,
        on_theme,
        on_range,
        on_compare,
        on_forecast,
        on_account,
        ..
    } = expect_context();
    let Session {
        proxy_status,
        source,
        can_sign_out,
        accounts,
        account_choice,
        active_key,
        on_keys,
        on_signed_in,
        on_sign_out,
        ..
    } = expect_context();
    let Layout { main_ref, .. } = expect_context();
    let Loaded {
        status,
        data,
        account,
        shown_account,
        anomalies,
        progress,
        on_retry,
        ..
    } = expect_context();
    let user = Signal::derive(move || {
        if matches!(status.get(), Status::SignIn(_)) {
            return None;
        }
        proxy_status.with(|p| p.access().and_then(|a| a.user.clone()))
    });
    let proxy_status = Signal::from(proxy_status);
    // What is in the content area: one view per status, built again only when the status
    // changes (a new load, a failure), never for a change of language.
    let content = move || match status.get() {
        waiting @ (Status::Checking | Status::Loading) => {
            let message = if waiting == Status::Checking {
                T::Checking
            } else {
                T::Loading
            };
            EitherOf5::A(view! { <Skeleton message=message /> })
        }
        Status::NeedKeys => EitherOf5::B(view! { <EmptyState message=T::KeysNeeded /> }),
        Status::InvalidRange => EitherOf5::B(view! { <EmptyState message=T::FixRange /> }),
        Status::Ready(data) if data.is_empty() => {
            EitherOf5::B(view! { <EmptyState message=T::Empty hint=T::EmptyHint /> })
        }
        Status::Ready(data) => EitherOf5::C(view! {
            <Dashboard data=data />
        }),
        Status::Failed(error) => {
            EitherOf5::D(view! { <ErrorPanel error=error on_retry=on_retry /> })
        }
        Status::SignIn(expired) => EitherOf5::E(view! {
            <SignInForm expired=expired on_signed_in=on_signed_in />
        }),
    };
    let signing_in = move || matches!(status.get(), Status::SignIn(_));
    // A URL's account the server does not list: the note says what is shown instead.
    let account_note = move || {
        if source.get() != Some(Source::Proxy) {
            return None;
        }
        let AccountChoice { account, unknown } = account_choice.get();
        let unknown = unknown?;
        let lang = lang.get();
        Some(match account {
            Some(shown) => fill(
                T::AccountUnknown.get(lang),
                &[("account", &unknown), ("shown", &shown)],
            ),
            None => fill(T::AccountUnknownDefault.get(lang), &[("account", &unknown)]),
        })
    };
    // With the picker, the account's name is in the header and its id in the picker's
    // tooltip.
    let header_account = Signal::derive(move || {
        if accounts.with(Vec::is_empty) {
            account.get()
        } else {
            None
        }
    });
    let chosen_account = Signal::derive(move || account_choice.with(|c| c.account.clone()));

    view! {
        <div class="app" data-testid="app" data-state=move || status.with(Status::name)>
            <Header account=header_account>
                <AccountPicker
                    accounts=accounts
                    account=chosen_account
                    account_id=account
                    on_change=on_account
                />
                <UserMenu user=user can_sign_out=can_sign_out on_sign_out=on_sign_out />
                <SourceSwitch source=source proxy=proxy_status on_change=on_source />
                <LangToggle on_change=on_lang />
                <ThemeToggle theme=theme on_change=on_theme />
            </Header>
            <p class="banner" data-testid="demo-banner" hidden=move || source.get() != Some(Source::Demo)>
                {text(lang, T::DemoBanner)}
            </p>
            <p class="banner warn" role="status" data-testid="account-note" hidden=move || account_note().is_none()>
                {move || account_note().unwrap_or_default()}
            </p>
            <section class="card toolbar" hidden=signing_in>
                <RangePicker range=range today=today on_change=on_range />
                <div class="toolbar-row">
                    <ViewToggle on=compare label=T::Compare test_id="compare-toggle" on_change=on_compare />
                    <ViewToggle on=forecast label=T::Forecast test_id="forecast-toggle" on_change=on_forecast />
                    <ExportMenu
                        data=data
                        account=shown_account
                        sheet=price_sheet
                        anomalies=anomalies
                        sensitivity=sensitivity
                    />
                </div>
                <ProgressBar progress=progress />
            </section>
            <Show when=move || source.get() == Some(Source::Keys) && !signing_in()>
                <KeyForm active_key=active_key on_keys=on_keys />
            </Show>
            <main class="content" node_ref=main_ref>{content}</main>
            <footer class="foot muted small">{text(lang, T::Footer)}</footer>
        </div>
    }
}
