//! When to try the upstream again, and how long to wait first: pure functions of the
//! outcome, the attempt number and a jitter value passed in.

use std::time::Duration;

use super::rules::ModeKind;

/// The retry policy of the upstream client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times to try again after the first attempt, for connection errors and 5xx.
    pub retries: u32,
    /// The backoff before the first retry (before jitter); it doubles for each retry.
    pub backoff_base: Duration,
    /// The longest backoff (before jitter).
    pub backoff_max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 2,
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(2),
        }
    }
}

/// The backoff before retry number `retry` (0 for the first retry): "full jitter", a
/// uniformly random wait between 0 and `min(max, base × 2^retry)`, so that many clients
/// failing together do not retry together. `jitter` is in `[0, 1)`; values outside are
/// clamped.
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
    ceiling.mul_f64(jitter)
}

/// What one attempt at the upstream gave, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// A 2xx answer.
    Success,
    /// A 4xx answer with this BCE error code, if the body had one.
    ClientError(Option<&'a str>),
    /// A 5xx answer.
    ServerError,
    /// The connection failed or broke before the whole answer was read.
    ConnectionError,
    /// The answer is larger than the cap.
    TooLarge,
    /// A redirect or other answer the proxy does not handle.
    Unexpected,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Answer the client with this attempt's result.
    Answer,
    /// Try again after the backoff of this retry number.
    RetryAfterBackoff(u32),
    /// Sign again now with a corrected clock and try again (server-signed mode only).
    Resign,
}

/// The signing-time codes after which a fresh signature (with the server's time) helps.
pub const TIME_CODES: [&str; 2] = ["RequestExpired", "RequestTimeTooSkewed"];

/// Decides after attempt `retries_done` (0 for the first attempt) whether to try again.
///
/// Connection errors and 5xx are retried up to `policy.retries` times. A signing-time
/// refusal is signed again once, in server-signed mode only (in relay mode the signature is
/// the client's). Everything else is answered.
pub fn decide(
    outcome: Outcome<'_>,
    retries_done: u32,
    policy: &RetryPolicy,
    mode: ModeKind,
    already_resigned: bool,
) -> Decision {
    match outcome {
        Outcome::ServerError | Outcome::ConnectionError if retries_done < policy.retries => {
            Decision::RetryAfterBackoff(retries_done)
        }
        Outcome::ClientError(Some(code))
            if mode == ModeKind::ServerSigned
                && !already_resigned
                && TIME_CODES.contains(&code) =>
        {
            Decision::Resign
        }
        _ => Decision::Answer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        retries: 2,
        backoff_base: Duration::from_millis(100),
        backoff_max: Duration::from_millis(350),
    };

    #[test]
    fn backoff_doubles_up_to_the_maximum_and_scales_with_jitter() {
        assert_eq!(backoff_delay(&POLICY, 0, 0.5), Duration::from_millis(50));
        assert_eq!(backoff_delay(&POLICY, 1, 0.5), Duration::from_millis(100));
        assert_eq!(backoff_delay(&POLICY, 2, 0.5), Duration::from_millis(175));
        assert_eq!(backoff_delay(&POLICY, 40, 0.5), Duration::from_millis(175));
        assert_eq!(backoff_delay(&POLICY, 1, 0.0), Duration::ZERO);
        assert_eq!(backoff_delay(&POLICY, 1, 7.0), Duration::from_millis(200));
        assert_eq!(backoff_delay(&POLICY, 1, f64::NAN), Duration::ZERO);
    }

    #[test]
    fn connection_errors_and_5xx_are_retried_a_bounded_number_of_times() {
        let mode = ModeKind::ServerSigned;
        for outcome in [Outcome::ServerError, Outcome::ConnectionError] {
            assert_eq!(
                decide(outcome, 0, &POLICY, mode, false),
                Decision::RetryAfterBackoff(0)
            );
            assert_eq!(
                decide(outcome, 1, &POLICY, mode, false),
                Decision::RetryAfterBackoff(1)
            );
            assert_eq!(decide(outcome, 2, &POLICY, mode, false), Decision::Answer);
        }
        for outcome in [
            Outcome::Success,
            Outcome::TooLarge,
            Outcome::Unexpected,
            Outcome::ClientError(Some("AccessDenied")),
        ] {
            assert_eq!(
                decide(outcome, 0, &POLICY, mode, false),
                Decision::Answer,
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn signing_time_errors_are_signed_again_once_in_server_signed_mode() {
        for code in TIME_CODES {
            let outcome = Outcome::ClientError(Some(code));
            assert_eq!(
                decide(outcome, 0, &POLICY, ModeKind::ServerSigned, false),
                Decision::Resign
            );
            assert_eq!(
                decide(outcome, 0, &POLICY, ModeKind::ServerSigned, true),
                Decision::Answer
            );
            assert_eq!(
                decide(outcome, 0, &POLICY, ModeKind::Relay, false),
                Decision::Answer
            );
        }
        assert_eq!(
            decide(
                Outcome::ClientError(Some("SignatureDoesNotMatch")),
                0,
                &POLICY,
                ModeKind::ServerSigned,
                false
            ),
            Decision::Answer
        );
    }
}
