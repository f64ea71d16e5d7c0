//! The worker's network (issue 23): a range loaded from the three sources as the core's
//! fetch plan says (`bec_usage::fetch_plan`, as in the npm client and the proxy): chunks of
//! at most 31 days (`plan_range`), with progress; connection errors and 5xx tried again
//! after a backoff; in keys mode a clock refusal (`RequestExpired`,
//! `RequestTimeTooSkewed`) signed again once with the server's `Date`, whose offset the
//! worker keeps; the parts merged (`merge_parts`). Every request carries the load's
//! `AbortSignal`: a newer load cancels the old requests.
//!
//! 1. **Proxy** (server-signed): `GET /v1/usage/computing?beginDate&endDate` on the page's
//!    origin (`/accounts/NAME/v1/usage/computing` for account NAME); bec-usage-proxy signs
//!    it. Same-origin requests carry the sign-in cookie.
//! 2. **Keys**: the same request, signed here with the core's signer for the upstream host
//!    the proxy names in `/healthz`, sent with `Authorization` and `x-bce-date` for the
//!    proxy to relay.
//! 3. **Demo**: the core's synthetic generator; no network at all.

use std::cell::Cell;

use bec_usage::fetch_plan::{
    backoff_delay, merge_parts, plan_range, Attempts, ClockOffset, Decision, Outcome, RetryPolicy,
};
use bec_usage::json::{parse_service_error, parse_usage};
use bec_usage::query::UsageQuery;
use bec_usage::service::{USAGE_PATH, X_BCE_DATE};
use bec_usage::signing::{sign, Credentials, HeadersToSign, SignableRequest, SigningParams};
use bec_usage::synthetic::{generate, SyntheticOptions};
use bec_usage::UsageResponse;
use chrono::DateTime;
use web_sys::AbortSignal;

use crate::api::{get, sleep_ms, usage_path, Answer};
use crate::wire::{LoadError, Plan, PlanSource, DEMO_RESOURCES};

/// A response loaded, with the bodies it was read from.
#[derive(Debug)]
pub struct Loaded {
    /// The (merged) response.
    pub response: UsageResponse,
    /// The bodies as received, one per chunk; empty for the demo.
    pub raw: Vec<String>,
    /// Demo runs thrown away because they disagreed with the next ([`generate_agreed`]).
    pub discarded_runs: u32,
}

/// How to get the data of one load (a [`PlanSource`] with the keys made ready to sign).
enum Fetcher {
    Proxy {
        account: Option<String>,
    },
    Keys {
        credentials: Credentials,
        host: String,
    },
    Demo {
        seed: u64,
        step_seconds: u32,
    },
}

impl Fetcher {
    fn of(source: &PlanSource) -> Result<Fetcher, LoadError> {
        Ok(match source {
            PlanSource::Proxy { account } => Fetcher::Proxy {
                account: account.clone(),
            },
            PlanSource::Keys { keys, host } => Fetcher::Keys {
                credentials: Credentials::new(&keys.access_key_id, &keys.secret_access_key)
                    .map_err(|e| local(&e))?,
                host: host.clone(),
            },
            PlanSource::Demo { seed, step_seconds } => Fetcher::Demo {
                seed: seed.parse().map_err(|_| LoadError::Local {
                    message: format!("the demo's seed {seed} is not a whole number"),
                })?,
                step_seconds: *step_seconds,
            },
        })
    }
}

fn local(error: &bec_usage::Error) -> LoadError {
    LoadError::Local {
        message: error.message().to_owned(),
    }
}

thread_local! {
    /// The service's clock minus this computer's, learnt from a clock refusal in keys mode
    /// and kept for every later signature of the page (the page is one client, as a
    /// `UsageClient` or the proxy is).
    static CLOCK_OFFSET: Cell<ClockOffset> = Cell::new(ClockOffset::default());
}

/// Loads `plan`, chunk by chunk, calling `on_progress(done,
/// total)` before each chunk and after the last.
pub async fn load_range(
    plan: &Plan,
    signal: &AbortSignal,
    on_progress: &dyn Fn(usize, usize),
) -> Result<Loaded, LoadError> {
    let fetcher = &Fetcher::of(&plan.source)?;
    let chunks = plan_range(plan.begin, plan.end).map_err(|e| local(&e))?;
    let total = chunks.len();
    let mut parts = Vec::with_capacity(total);
    let mut raw = Vec::new();
    let mut discarded_runs = 0;
    for (done, chunk) in chunks.iter().enumerate() {
        on_progress(done, total);
        let part = match fetcher {
            Fetcher::Demo { seed, step_seconds } => {
                // Let the page paint the skeleton or the progress before the work.
                sleep_ms(0).await;
                if signal.aborted() {
                    return Err(LoadError::Aborted);
                }
                let options = SyntheticOptions::new(chunk.begin_date(), chunk.end_date())
                    .with_seed(*seed)
                    .with_step_seconds(*step_seconds)
                    .with_resource_count(DEMO_RESOURCES);
                if runs_on_javascriptcore() {
                    let (part, discarded) = generate_agreed(&options)?;
                    discarded_runs += discarded;
                    part
                } else {
                    generate(&options).map_err(|e| local(&e))?
                }
            }
            Fetcher::Proxy { .. } | Fetcher::Keys { .. } => {
                fetch_chunk(fetcher, chunk, signal, &mut raw).await?
            }
        };
        if signal.aborted() {
            return Err(LoadError::Aborted);
        }
        parts.push(part);
    }
    on_progress(total, total);
    let response = merge_parts(parts).map_err(|e| local(&e))?;
    Ok(Loaded {
        response,
        raw,
        discarded_runs,
    })
}

/// Whether this thread runs in JavaScriptCore (Safari, and every browser on iOS): its
/// user agent names AppleWebKit and not Chrome (Chromium's names both). There is no
/// feature to test for: what differs is a fault of that engine ([`generate_agreed`]).
fn runs_on_javascriptcore() -> bool {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into());
    let user_agent = navigator
        .and_then(|navigator| js_sys::Reflect::get(&navigator, &"userAgent".into()))
        .ok()
        .and_then(|agent| agent.as_string())
        .unwrap_or_default();
    user_agent.contains("AppleWebKit/") && !user_agent.contains("Chrome/")
}

/// The demo chunk of `options`, generated until two runs in a row agree (at most four
/// runs), and how many runs were thrown away. JavaScriptCore 2.50 sometimes computes wrong
/// values in a fresh module while a running function moves to a faster tier
/// (docs/dashboard.md, "WebKit"): a run then fails with an impossible error, traps (the
/// page starts a new worker), or, worst, gives other numbers without a word. The generator
/// is deterministic, so two equal runs are right; a run costs tens of milliseconds there.
fn generate_agreed(options: &SyntheticOptions) -> Result<(UsageResponse, u32), LoadError> {
    const RUNS: u32 = 4;
    let mut previous = generate(options);
    for discarded in 0..RUNS - 1 {
        let next = generate(options);
        let agreed = match (&previous, &next) {
            (Ok(earlier), Ok(later)) => earlier == later,
            // The same refusal twice is the generator's, not the engine's.
            (Err(earlier), Err(later)) => earlier.message() == later.message(),
            _ => false,
        };
        if agreed {
            return next.map(|part| (part, discarded)).map_err(|e| local(&e));
        }
        previous = next;
    }
    Err(LoadError::Local {
        message: format!(
            "this browser's WebAssembly engine gave {RUNS} different answers for the same demo \
             data (a known fault of JavaScriptCore, Safari's engine); Retry usually works"
        ),
    })
}

/// One chunk from the proxy, attempted as the fetch plan says.
async fn fetch_chunk(
    fetcher: &Fetcher,
    chunk: &UsageQuery,
    signal: &AbortSignal,
    raw: &mut Vec<String>,
) -> Result<UsageResponse, LoadError> {
    let signs = matches!(fetcher, Fetcher::Keys { .. });
    let mut attempts = Attempts::new(RetryPolicy::default(), signs);
    loop {
        let (url, headers, canonical_request) = prepare(fetcher, chunk)?;
        let header_pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let (error, server_date, decision) = match get(&url, &header_pairs, Some(signal)).await {
            Ok(answer) => {
                let server_date = answer.date.clone();
                let error = match read_answer(answer, canonical_request.as_deref(), raw) {
                    Ok(response) => return Ok(response),
                    Err(error) => error,
                };
                let outcome = match &error {
                    LoadError::Service { error, .. } => {
                        Outcome::from_status(error.status, Some(&error.code))
                    }
                    LoadError::Http { status, .. } => Outcome::from_status(*status, None),
                    _ => return Err(error),
                };
                let decision = attempts.next(outcome);
                (error, server_date, decision)
            }
            Err(error @ LoadError::Network { .. }) => {
                let decision = attempts.next(Outcome::ConnectionError);
                (error, None, decision)
            }
            Err(error) => return Err(error),
        };
        match decision {
            Decision::Answer => return Err(error),
            Decision::Resign => {
                // Without the service's Date, signing again would meet the same refusal.
                let Some(date) = server_date else {
                    return Err(error);
                };
                let mut offset = CLOCK_OFFSET.get();
                if !offset.learn(&date, js_sys::Date::now() as i64) {
                    return Err(error);
                }
                CLOCK_OFFSET.set(offset);
            }
            Decision::RetryAfterBackoff(retry) => {
                let delay = backoff_delay(attempts.policy(), retry, js_sys::Math::random());
                sleep_ms(i32::try_from(delay.as_millis()).unwrap_or(i32::MAX)).await;
                if signal.aborted() {
                    return Err(LoadError::Aborted);
                }
            }
        }
    }
}

/// The URL and headers of one chunk's request; in keys mode signed at this computer's
/// time plus the learnt offset, with the canonical request kept for the error panel.
#[allow(clippy::type_complexity)]
fn prepare(
    fetcher: &Fetcher,
    chunk: &UsageQuery,
) -> Result<(String, Vec<(&'static str, String)>, Option<String>), LoadError> {
    let Fetcher::Keys { credentials, host } = fetcher else {
        let account = match fetcher {
            Fetcher::Proxy { account } => account.as_deref(),
            _ => None,
        };
        let url = format!("{}?{}", usage_path(account), chunk.to_query_string());
        return Ok((url, Vec::new(), None));
    };
    let now = DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    let time = CLOCK_OFFSET.get().signing_time(now);
    let [(_, begin), (_, end)] = chunk.query_pairs();
    let query = [("beginDate", begin.as_str()), ("endDate", end.as_str())];
    let request = SignableRequest::new("GET", host, USAGE_PATH).with_query(&query);
    // The proxy relays only signatures over exactly host and x-bce-date.
    let params = SigningParams::new(credentials, time)
        .with_headers_to_sign(HeadersToSign::Only(&["host", X_BCE_DATE]));
    let signed = sign(&request, &params).map_err(|e| local(&e))?;
    let url = format!(
        "{}?{}",
        signed.canonical_uri(),
        signed.canonical_query_string()
    );
    let headers = vec![
        ("authorization", signed.authorization().to_owned()),
        (X_BCE_DATE, signed.x_bce_date().to_owned()),
    ];
    Ok((url, headers, Some(signed.canonical_request().to_owned())))
}

/// Reads one answer: a usage response (its body kept in `raw`), or the error it is.
fn read_answer(
    answer: Answer,
    canonical_request: Option<&str>,
    raw: &mut Vec<String>,
) -> Result<UsageResponse, LoadError> {
    if (200..300).contains(&answer.status) {
        let response = parse_usage(&answer.body).map_err(|e| LoadError::Parse {
            message: e.message().to_owned(),
        })?;
        raw.push(answer.body);
        return Ok(response);
    }
    match parse_service_error(answer.status, &answer.body, answer.request_id.as_deref()) {
        Some(error) => Err(LoadError::Service {
            canonical_request: canonical_request
                .filter(|_| error.code == "SignatureDoesNotMatch")
                .map(str::to_owned),
            error,
        }),
        None => Err(LoadError::Http {
            status: answer.status,
            body: answer.body.chars().take(400).collect(),
        }),
    }
}
