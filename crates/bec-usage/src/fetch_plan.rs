//! The fetch plan: how every edge (the dashboard, the npm client, the proxy) loads a range
//! of usage, as pure decisions. The edges do the I/O (`fetch`, reqwest, timers); what they
//! decide with, they ask here, so that they cannot disagree:
//!
//! - which ranges may be loaded at all ([`MAX_RANGE_DAYS`]) and how a range is cut into
//!   queries of at most 31 days ([`plan_range`]);
//! - which answers mean "the signing clock is off" ([`CLOCK_CODES`]), and how to sign again
//!   with the server's `Date` and keep that offset for the next requests ([`ClockOffset`]);
//! - which failures are tried again, how often and after how long ([`RetryPolicy`],
//!   [`Attempts`], [`backoff_delay`]);
//! - how the parts are put together ([`merge_parts`]);
//! - what to tell a person about each BCE error code ([`Hint`], [`hint_for_code`]).
//!
//! A load, as every edge runs it:
//!
//! ```
//! use bec_usage::fetch_plan::{plan_range, Attempts, ClockOffset, Decision, Outcome, RetryPolicy};
//! # use chrono::NaiveDate;
//! # let (begin, end) = (NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2024, 3, 1).unwrap());
//! let mut clock = ClockOffset::default();
//! for query in plan_range(begin, end)? {
//!     let mut attempts = Attempts::new(RetryPolicy::default(), true);
//!     loop {
//!         // sign at clock.signing_time(now), send `query` ... here: the answer was a success.
//!         let outcome = Outcome::from_status(200, None);
//!         match attempts.next(outcome) {
//!             Decision::Answer => break,
//!             Decision::RetryAfterBackoff(retry) => { /* sleep backoff_delay(.., retry, jitter) */ }
//!             Decision::Resign => { /* clock.learn(server's Date, now); sign again */ }
//!         }
//!     }
//! }
//! # Ok::<(), bec_usage::Error>(())
//! ```

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::analysis::merge_responses;
use crate::error::{Error, ErrorKind, Result};
use crate::model::UsageResponse;
use crate::query::{
    epoch_day, format_date, parse_date, split_range, DateField, UsageQuery, DAY_MS, MAX_DAYS,
};

/// The longest range a load may cover, in days counted inclusively: a leap year. Longer
/// ranges are refused before anything is sent (one query covers at most
/// [`MAX_DAYS`] = 31 days, so this is at most 12 requests).
pub const MAX_RANGE_DAYS: u32 = 366;

/// Cuts `begin ..= end` into the queries of one load: consecutive, at most 31 days each.
///
/// Errors: [`ErrorKind::RangeReversed`] when begin is after end, [`ErrorKind::RangeTooLong`]
/// when the range covers more than [`MAX_RANGE_DAYS`] days.
pub fn plan_range(begin: NaiveDate, end: NaiveDate) -> Result<Vec<UsageQuery>> {
    let days = (end - begin).num_days() + 1;
    if days > i64::from(MAX_RANGE_DAYS) {
        return Err(Error::new(
            ErrorKind::RangeTooLong,
            format!(
                "the range {} .. {} covers {days} days, but one load covers at most {MAX_RANGE_DAYS} \
                 ({} requests of {MAX_DAYS} days); choose a shorter range",
                format_date(begin),
                format_date(end),
                MAX_RANGE_DAYS.div_ceil(MAX_DAYS)
            ),
        )
        .with_field("endDate", format_date(end)));
    }
    split_range(begin, end)
}

/// [`plan_range`] of two `YYYY-MM-DD` texts (each checked as a query date first).
pub fn plan_range_text(begin_date: &str, end_date: &str) -> Result<Vec<UsageQuery>> {
    let begin = parse_date(DateField::BeginDate, begin_date)?;
    let end = parse_date(DateField::EndDate, end_date)?;
    plan_range(begin, end)
}

/// The BCE error codes that mean "the signing time is too far from the server's": signed
/// again, once, with the server's clock (its `Date` header).
pub const CLOCK_CODES: [&str; 2] = ["RequestExpired", "RequestTimeTooSkewed"];

/// Whether `code` is one of the [`CLOCK_CODES`].
pub fn is_clock_code(code: &str) -> bool {
    CLOCK_CODES.contains(&code)
}

/// The codes of bec-usage-proxy's own 5xx answers, given after the proxy has already tried
/// the upstream again: a client does not multiply those retries by its own.
pub const RETRIED_BY_PROXY_CODES: [&str; 3] = [
    "UpstreamUnavailable",
    "UpstreamTimeout",
    "UpstreamInvalidResponse",
];

/// How far the server's clock is from the local one, learnt from a `Date` header after a
/// clock refusal, and added to every later signing time of the same client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClockOffset {
    /// Server minus local, in milliseconds.
    millis: i64,
}

impl ClockOffset {
    /// An offset of `millis` milliseconds (server minus local).
    pub fn from_millis(millis: i64) -> Self {
        ClockOffset { millis }
    }

    /// Server minus local, in milliseconds.
    pub fn millis(self) -> i64 {
        self.millis
    }

    /// The time to sign with when the local clock reads `local_now`.
    pub fn signing_time(self, local_now: DateTime<Utc>) -> DateTime<Utc> {
        local_now + chrono::Duration::milliseconds(self.millis)
    }

    /// Learns the offset from the server's `Date` header (an HTTP date, e.g.
    /// `Wed, 06 Mar 2024 08:00:00 GMT`) read when the local clock said `local_now_ms`
    /// (epoch milliseconds). Returns whether the header was a date; if not, the offset is
    /// left as it was (and signing again would not help).
    pub fn learn(&mut self, server_date: &str, local_now_ms: i64) -> bool {
        match parse_http_date(server_date) {
            Some(server_now_ms) => {
                self.millis = server_now_ms.saturating_sub(local_now_ms);
                true
            }
            None => false,
        }
    }
}

/// Reads an HTTP `Date` header in the one form servers send (`IMF-fixdate`, RFC 9110
/// §5.6.7: `Wed, 06 Mar 2024 08:00:00 GMT`) as epoch milliseconds; `None` for anything
/// else. Written out rather
/// than with chrono's RFC 2822 parser, which would bring its whole parsing machinery into
/// the dashboard's wasm (6.6 KB gzipped) for one fixed layout. The day name is not
/// checked against the date: the date and time are what count.
pub fn parse_http_date(text: &str) -> Option<i64> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let bytes = text.trim().as_bytes();
    let shaped = bytes.len() == 29
        && bytes[..3].iter().all(u8::is_ascii_alphabetic)
        && &bytes[3..5] == b", "
        && bytes[7] == b' '
        && bytes[11] == b' '
        && bytes[16] == b' '
        && bytes[19] == b':'
        && bytes[22] == b':'
        && &bytes[25..] == b" GMT";
    if !shaped {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        bytes[range].iter().try_fold(0u32, |value, &digit| {
            digit
                .is_ascii_digit()
                .then(|| value * 10 + u32::from(digit - b'0'))
        })
    };
    let month = MONTHS.iter().position(|name| name[..] == bytes[8..11])? as u32 + 1;
    // Four digits: at most 9999, which fits an i32.
    let date = NaiveDate::from_ymd_opt(number(12..16)? as i32, month, number(5..7)?)?;
    let (hour, minute, second) = (number(17..19)?, number(20..22)?, number(23..25)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let second_of_day = i64::from(hour * 3600 + minute * 60 + second);
    Some(epoch_day(date) * DAY_MS + second_of_day * 1000)
}

/// How many times a failed request is tried again, and how long to wait before each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times to try again after the first attempt (connection errors and 5xx).
    pub retries: u32,
    /// The backoff before the first retry (before jitter); it doubles for each retry.
    pub backoff_base: Duration,
    /// The longest backoff (before jitter).
    pub backoff_max: Duration,
}

impl Default for RetryPolicy {
    /// Two retries after 0–100 ms and 0–200 ms: a blip is ridden out, a service that is
    /// down is reported within a second.
    fn default() -> Self {
        RetryPolicy {
            retries: 2,
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(2),
        }
    }
}

/// The wait before retry number `retry` (0 for the first retry): "full jitter", uniformly
/// between 0 and `min(max, base × 2^retry)`, so that clients failing together do not come
/// back together. `jitter` is a random number in `[0, 1)` (passed in: this module has no
/// randomness); values outside are clamped, NaN counts as 0.
pub fn backoff_delay(policy: &RetryPolicy, retry: u32, jitter: f64) -> Duration {
    let ceiling = policy
        .backoff_base
        .checked_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
        .unwrap_or(policy.backoff_max)
        .min(policy.backoff_max);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // Whole microseconds through `as` (which saturates), rather than `Duration::mul_f64`,
    // whose float-to-duration conversion can panic.
    let ceiling_micros = u64::try_from(ceiling.as_micros()).unwrap_or(u64::MAX);
    Duration::from_micros((ceiling_micros as f64 * jitter) as u64)
}

/// What one attempt gave, as far as trying again is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// A 2xx answer.
    Success,
    /// A 4xx answer with this BCE error code, if the body had one.
    ClientError(Option<&'a str>),
    /// A 5xx answer with this BCE error code, if the body had one.
    ServerError(Option<&'a str>),
    /// The connection failed or broke before the whole answer was read.
    ConnectionError,
    /// A 2xx answer whose body is not a whole usage response (cut short, malformed):
    /// tried again like a 5xx, since the next answer may well be whole.
    BrokenBody,
    /// The answer is larger than the caller accepts.
    TooLarge,
    /// A redirect or another answer no edge handles.
    Unexpected,
}

impl<'a> Outcome<'a> {
    /// The outcome of an HTTP answer with `status` and, for an error body, its BCE `code`.
    pub fn from_status(status: u16, code: Option<&'a str>) -> Self {
        match status {
            200..=299 => Outcome::Success,
            400..=499 => Outcome::ClientError(code),
            500..=599 => Outcome::ServerError(code),
            _ => Outcome::Unexpected,
        }
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Stop: this attempt's result is the answer (data or error).
    Answer,
    /// Try again after [`backoff_delay`] of this retry number.
    RetryAfterBackoff(u32),
    /// Sign again now, with the server's clock ([`ClockOffset::learn`]), and try again.
    Resign,
}

/// The attempts at one request: feed each outcome to [`Attempts::next`] and do what it says.
///
/// Connection errors and 5xx are tried again up to `policy.retries` times (not the proxy's
/// own [`RETRIED_BY_PROXY_CODES`]: it has retried already). A clock refusal
/// ([`CLOCK_CODES`]) is signed again once, by a caller that signs (`can_resign`): a relay
/// cannot, the signature is its client's. Everything else is the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    policy: RetryPolicy,
    can_resign: bool,
    retries_done: u32,
    resigned: bool,
    sent: u32,
}

impl Attempts {
    /// The attempts of a new request; `can_resign` when the caller signs it.
    pub fn new(policy: RetryPolicy, can_resign: bool) -> Self {
        Attempts {
            policy,
            can_resign,
            retries_done: 0,
            resigned: false,
            sent: 0,
        }
    }

    /// Records the outcome of the attempt just made and says what to do next.
    pub fn next(&mut self, outcome: Outcome<'_>) -> Decision {
        self.sent += 1;
        let decision = match outcome {
            Outcome::ConnectionError | Outcome::BrokenBody => self.retry(),
            Outcome::ServerError(code) => match code {
                Some(code) if RETRIED_BY_PROXY_CODES.contains(&code) => Decision::Answer,
                _ => self.retry(),
            },
            Outcome::ClientError(Some(code))
                if self.can_resign && !self.resigned && is_clock_code(code) =>
            {
                Decision::Resign
            }
            _ => Decision::Answer,
        };
        match decision {
            Decision::RetryAfterBackoff(_) => self.retries_done += 1,
            Decision::Resign => self.resigned = true,
            Decision::Answer => {}
        }
        decision
    }

    fn retry(&self) -> Decision {
        if self.retries_done < self.policy.retries {
            Decision::RetryAfterBackoff(self.retries_done)
        } else {
            Decision::Answer
        }
    }

    /// How many attempts were recorded.
    pub fn sent(&self) -> u32 {
        self.sent
    }

    /// Whether the request was signed again after a clock refusal.
    pub fn resigned(&self) -> bool {
        self.resigned
    }

    /// The policy in use (for [`backoff_delay`]).
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }
}

/// Puts the parts of a load together, in the order of [`plan_range`]'s queries: one part is
/// the answer as it is; more are merged (`analysis::merge_responses`: series joined,
/// `summary` days united, the account checked).
pub fn merge_parts(mut parts: Vec<UsageResponse>) -> Result<UsageResponse> {
    match parts.len() {
        0 => Err(Error::new(
            ErrorKind::InvalidArgument,
            "a load has at least one part; nothing was loaded",
        )),
        1 => Ok(parts.remove(0)),
        _ => merge_responses(&parts),
    }
}

/// What a person can do about a failure, by BCE error code: the one table behind the
/// dashboard's error panel (which words it in each language) and the npm client's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hint {
    /// `InvalidAccessKeyId`: the access key id is unknown.
    CheckAccessKeyId,
    /// `SignatureDoesNotMatch`: the secret or the signed host is wrong.
    CheckSecret,
    /// A clock code that signing again did not cure: the clock is off.
    FixClock,
    /// `AccessDenied`, `OptInRequired`: the key may not read BEC usage.
    GrantAccess,
    /// `InvalidHTTPAuthHeader`: something between the page and the service altered it.
    CheckAuthorizationHeader,
    /// `InternalError`, `ServiceUnavailable`, the proxy's upstream faults: try later.
    RetryLater,
    /// `TooManyRequests`: the proxy's rate limit.
    SlowDown,
    /// Any other code: read the message.
    ReadMessage,
}

impl Hint {
    /// Every hint, for tables and tests.
    pub const ALL: [Hint; 8] = [
        Hint::CheckAccessKeyId,
        Hint::CheckSecret,
        Hint::FixClock,
        Hint::GrantAccess,
        Hint::CheckAuthorizationHeader,
        Hint::RetryLater,
        Hint::SlowDown,
        Hint::ReadMessage,
    ];

    /// The hint in English, as the npm client appends it to its messages.
    pub fn text(self) -> &'static str {
        match self {
            Hint::CheckAccessKeyId => "check the access key id (console: Security Authentication › Access Key)",
            Hint::CheckSecret => "check the secret access key, and that the signing host is the host the request finally reaches",
            Hint::FixClock => "the clock used for signing is off; correct it or let the server's Date through (CORS: expose Date)",
            Hint::GrantAccess => "check that the key is allowed to read BEC usage",
            Hint::CheckAuthorizationHeader => "the Authorization header was refused; a proxy may have altered it",
            Hint::RetryLater => "the service had a problem; try again in a moment",
            Hint::SlowDown => "too many requests; wait a moment before trying again",
            Hint::ReadMessage => "read the service's message; try again once it is fixed",
        }
    }
}

/// The hint for a BCE error `code`.
pub fn hint_for_code(code: &str) -> Hint {
    match code {
        "InvalidAccessKeyId" => Hint::CheckAccessKeyId,
        "SignatureDoesNotMatch" => Hint::CheckSecret,
        "RequestExpired" | "RequestTimeTooSkewed" => Hint::FixClock,
        "AccessDenied" | "OptInRequired" => Hint::GrantAccess,
        "InvalidHTTPAuthHeader" => Hint::CheckAuthorizationHeader,
        "InternalError" | "ServiceUnavailable" | "UpstreamUnavailable" | "UpstreamTimeout" => {
            Hint::RetryLater
        }
        "TooManyRequests" => Hint::SlowDown,
        _ => Hint::ReadMessage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn a_leap_year_is_the_longest_load_in_twelve_queries() {
        let chunks = plan_range(d("2024-01-01"), d("2024-12-31")).expect("366 days");
        assert_eq!(chunks.len(), 12);
        let error = plan_range(d("2024-01-01"), d("2025-01-01")).expect_err("367 days");
        assert_eq!(error.kind(), ErrorKind::RangeTooLong);
        assert!(error.message().contains("367 days"), "{}", error.message());
        assert_eq!(error.field(), Some("endDate"));
        let reversed = plan_range_text("2024-02-01", "2024-01-01").expect_err("reversed");
        assert_eq!(reversed.kind(), ErrorKind::RangeReversed);
        assert_eq!(
            plan_range_text("2024-1-1", "2024-01-02").map_err(|e| e.kind()),
            Err(ErrorKind::DateFormat)
        );
    }

    #[test]
    fn a_clock_refusal_is_signed_again_once_by_a_signer_only() {
        for code in CLOCK_CODES {
            let mut signer = Attempts::new(RetryPolicy::default(), true);
            assert_eq!(
                signer.next(Outcome::ClientError(Some(code))),
                Decision::Resign
            );
            assert!(signer.resigned());
            assert_eq!(
                signer.next(Outcome::ClientError(Some(code))),
                Decision::Answer
            );
            assert_eq!(signer.sent(), 2);
            let mut relay = Attempts::new(RetryPolicy::default(), false);
            assert_eq!(
                relay.next(Outcome::ClientError(Some(code))),
                Decision::Answer
            );
        }
        let mut signer = Attempts::new(RetryPolicy::default(), true);
        assert_eq!(
            signer.next(Outcome::ClientError(Some("SignatureDoesNotMatch"))),
            Decision::Answer
        );
    }

    #[test]
    fn connection_errors_and_5xx_are_retried_a_bounded_number_of_times() {
        for outcome in [
            Outcome::ConnectionError,
            Outcome::BrokenBody,
            Outcome::ServerError(None),
            Outcome::ServerError(Some("InternalError")),
        ] {
            let mut attempts = Attempts::new(RetryPolicy::default(), true);
            assert_eq!(attempts.next(outcome), Decision::RetryAfterBackoff(0));
            assert_eq!(attempts.next(outcome), Decision::RetryAfterBackoff(1));
            assert_eq!(attempts.next(outcome), Decision::Answer, "{outcome:?}");
        }
        for outcome in [
            Outcome::Success,
            Outcome::TooLarge,
            Outcome::Unexpected,
            Outcome::ClientError(None),
            Outcome::ServerError(Some("UpstreamUnavailable")),
            Outcome::ServerError(Some("UpstreamTimeout")),
            Outcome::ServerError(Some("UpstreamInvalidResponse")),
        ] {
            let mut attempts = Attempts::new(RetryPolicy::default(), true);
            assert_eq!(attempts.next(outcome), Decision::Answer, "{outcome:?}");
        }
        let none = RetryPolicy {
            retries: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(
            Attempts::new(none, true).next(Outcome::ConnectionError),
            Decision::Answer
        );
    }

    #[test]
    fn statuses_are_classified() {
        assert_eq!(Outcome::from_status(204, None), Outcome::Success);
        assert_eq!(
            Outcome::from_status(403, Some("AccessDenied")),
            Outcome::ClientError(Some("AccessDenied"))
        );
        assert_eq!(Outcome::from_status(503, None), Outcome::ServerError(None));
        assert_eq!(Outcome::from_status(302, None), Outcome::Unexpected);
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum_and_scales_with_jitter() {
        let policy = RetryPolicy {
            retries: 2,
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(350),
        };
        assert_eq!(backoff_delay(&policy, 0, 0.5), Duration::from_millis(50));
        assert_eq!(backoff_delay(&policy, 1, 0.5), Duration::from_millis(100));
        assert_eq!(backoff_delay(&policy, 2, 0.5), Duration::from_millis(175));
        assert_eq!(backoff_delay(&policy, 40, 0.5), Duration::from_millis(175));
        assert_eq!(backoff_delay(&policy, 1, 0.0), Duration::ZERO);
        assert_eq!(backoff_delay(&policy, 1, 7.0), Duration::from_millis(200));
        assert_eq!(backoff_delay(&policy, 1, f64::NAN), Duration::ZERO);
    }

    #[test]
    fn the_clock_offset_is_learnt_from_the_date_header_and_kept() {
        let local = DateTime::parse_from_rfc3339("2024-03-06T06:00:00Z")
            .expect("time")
            .to_utc();
        let mut clock = ClockOffset::default();
        assert_eq!(clock.signing_time(local), local);
        assert!(clock.learn("Wed, 06 Mar 2024 08:00:00 GMT", local.timestamp_millis()));
        assert_eq!(clock.millis(), 2 * 3600 * 1000);
        assert_eq!(
            clock.signing_time(local + chrono::Duration::seconds(5)),
            local + chrono::Duration::seconds(2 * 3600 + 5)
        );
        assert!(!clock.learn("yesterday", local.timestamp_millis()));
        assert_eq!(clock.millis(), 2 * 3600 * 1000, "kept when unreadable");
        let expected = DateTime::parse_from_rfc3339("2024-12-31T23:59:59Z")
            .ok()
            .map(|t| t.timestamp_millis());
        assert_eq!(
            parse_http_date(" Tue, 31 Dec 2024 23:59:59 GMT\r\n"),
            expected
        );
        for refused in [
            "Tue, 31 Dec 2024 23:59:59 +0000",
            "Tuesday, 31-Dec-24 23:59:59 GMT",
            "Tue Dec 31 23:59:59 2024",
            "Tue, 31 Dez 2024 23:59:59 GMT",
            "Tue, 32 Dec 2024 23:59:59 GMT",
            "Tue, 31 Dec 2024 24:00:00 GMT",
            "Tue, 3x Dec 2024 23:59:59 GMT",
            "Tue, 31 Dec 2024 23:59:5\u{e9}GMT",
            "",
        ] {
            assert_eq!(parse_http_date(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn one_part_is_the_answer_and_none_is_an_error() {
        let error = merge_parts(Vec::new()).expect_err("nothing");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn every_code_has_one_hint() {
        assert_eq!(hint_for_code("SignatureDoesNotMatch"), Hint::CheckSecret);
        assert_eq!(hint_for_code("RequestExpired"), Hint::FixClock);
        assert_eq!(hint_for_code("OptInRequired"), Hint::GrantAccess);
        assert_eq!(hint_for_code("SomethingNew"), Hint::ReadMessage);
        for hint in Hint::ALL {
            assert!(!hint.text().is_empty());
        }
    }
}
