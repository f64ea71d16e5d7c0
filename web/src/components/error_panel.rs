//! A failed load, told so a person can act on it: what failed, the service's `code`,
//! message and `requestId`, what to do about it, the canonical request this page signed
//! when the service says the signature does not match, and a retry.

use std::sync::Arc;

use bec_usage::fetch_plan::Hint;
use leptos::prelude::*;

use super::{text, use_lang};
use crate::api::LoadError;
use crate::i18n::T;

/// What to do about a BCE error code: the core's one table of hints
/// ([`bec_usage::fetch_plan::hint_for_code`]), worded in the page's languages.
pub fn hint_for_code(code: &str) -> T {
    match bec_usage::fetch_plan::hint_for_code(code) {
        Hint::CheckAccessKeyId => T::HintInvalidAccessKeyId,
        Hint::CheckSecret => T::HintSignature,
        Hint::FixClock => T::HintSkewed,
        Hint::GrantAccess => T::HintAccessDenied,
        Hint::CheckAuthorizationHeader => T::HintAuthHeader,
        Hint::RetryLater => T::HintInternal,
        Hint::SlowDown => T::HintSlowDown,
        Hint::ReadMessage => T::HintGeneric,
    }
}

/// What the panel shows of an error: a title, facts (label, value, test id), a hint and,
/// for a refused signature, the canonical request.
struct Shown {
    title: T,
    facts: Vec<(T, String, &'static str)>,
    hint: T,
    canonical_request: Option<String>,
}

fn shown(error: &LoadError) -> Shown {
    let message = |m: &str| (T::ErrMessage, m.to_owned(), "error-message");
    match error {
        LoadError::Service {
            error,
            canonical_request,
        } => {
            let mut facts = vec![
                (T::ErrCode, error.code.clone(), "error-code"),
                message(&error.message),
            ];
            if let Some(id) = &error.request_id {
                facts.push((T::ErrRequestId, id.clone(), "error-request-id"));
            }
            facts.push((T::ErrStatus, error.status.to_string(), "error-status"));
            Shown {
                title: T::ErrService,
                facts,
                hint: hint_for_code(&error.code),
                canonical_request: canonical_request.clone(),
            }
        }
        LoadError::Network { message: m } => Shown {
            title: T::ErrNetwork,
            facts: vec![message(m)],
            hint: T::HintNetwork,
            canonical_request: None,
        },
        LoadError::Http { status, body } => Shown {
            title: T::ErrHttp,
            facts: vec![
                (T::ErrStatus, status.to_string(), "error-status"),
                message(body),
            ],
            hint: T::HintGeneric,
            canonical_request: None,
        },
        LoadError::Parse { message: m } => Shown {
            title: T::ErrParse,
            facts: vec![message(m)],
            hint: T::HintGeneric,
            canonical_request: None,
        },
        LoadError::Local { message: m } => Shown {
            title: T::ErrLocal,
            facts: vec![message(m)],
            hint: T::HintGeneric,
            canonical_request: None,
        },
        LoadError::Aborted => Shown {
            title: T::ErrLocal,
            facts: Vec::new(),
            hint: T::HintGeneric,
            canonical_request: None,
        },
    }
}

/// The error panel.
#[component]
pub fn ErrorPanel(
    /// What went wrong.
    error: Arc<LoadError>,
    /// Called by the retry button.
    on_retry: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let Shown {
        title,
        facts,
        hint,
        canonical_request,
    } = shown(&error);
    let facts = facts
        .into_iter()
        .map(|(label, value, testid)| {
            view! {
                <div>
                    <dt>{text(lang, label)}</dt>
                    <dd><code data-testid=testid>{value}</code></dd>
                </div>
            }
        })
        .collect_view();
    let canonical = canonical_request.map(|canonical| {
        view! {
            <details class="canonical" open>
                <summary>{text(lang, T::ErrCanonical)}</summary>
                <pre data-testid="canonical-request">{canonical}</pre>
                <p class="muted">{text(lang, T::ErrCanonicalHint)}</p>
            </details>
        }
    });
    view! {
        <section class="card error-panel" role="alert" data-testid="error-panel">
            <h2>{text(lang, title)}</h2>
            <dl class="error-facts">{facts}</dl>
            <p class="hint">{text(lang, hint)}</p>
            {canonical}
            <button
                class="button primary"
                type="button"
                data-testid="retry"
                on:click=move |_| on_retry.run(())
            >
                {text(lang, T::Retry)}
            </button>
        </section>
    }
}
