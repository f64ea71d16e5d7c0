//! The core's fetch plan ([`crate::fetch_plan`]) for the package's own `UsageClient`
//! (`js/api.mjs`): the chunks of a load, what to do after each attempt, the clock offset and
//! the hints. Internal exports: `js/api.mjs` uses them and does not re-export them, so they
//! are not part of the contract in `js/index.d.ts`.

use wasm_bindgen::prelude::*;

use super::dates::date_ranges;
use super::values;
use crate::fetch_plan::{
    backoff_delay, hint_for_code, plan_range_text, Attempts, ClockOffset, Decision, Outcome,
    RetryPolicy,
};

// `planRange(beginDate, endDate)`: the `DateRange`s of one load (at most 366 days).
#[wasm_bindgen(js_name = planRange)]
pub fn plan_range(begin_date: JsValue, end_date: JsValue) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "fetchUsage";
    let begin_date = values::required_string(CONTEXT, "beginDate", &begin_date)?;
    let end_date = values::required_string(CONTEXT, "endDate", &end_date)?;
    let chunks = plan_range_text(&begin_date, &end_date)?;
    Ok(date_ranges(&chunks)?)
}

// `new FetchAttempts(canResign)`: the attempts at one request of a load.
#[wasm_bindgen]
#[derive(Debug)]
pub struct FetchAttempts(Attempts);

#[wasm_bindgen]
impl FetchAttempts {
    // `canResign`: whether the client signs (and so can sign again with the server's clock).
    #[wasm_bindgen(constructor)]
    pub fn new(can_resign: bool) -> FetchAttempts {
        FetchAttempts(Attempts::new(RetryPolicy::default(), can_resign))
    }

    // `next(status, code, jitter)`: after an attempt answered with HTTP `status` (0: no
    // answer, the connection failed) and BCE `code` (or undefined), what to do:
    // `"answer"`, `"resign"`, or the milliseconds to wait before trying again (`jitter`:
    // `Math.random()`).
    pub fn next(&mut self, status: u16, code: Option<String>, jitter: f64) -> JsValue {
        let outcome = match status {
            0 => Outcome::ConnectionError,
            _ => Outcome::from_status(status, code.as_deref()),
        };
        match self.0.next(outcome) {
            Decision::Answer => values::string("answer"),
            Decision::Resign => values::string("resign"),
            Decision::RetryAfterBackoff(retry) => {
                values::number(backoff_delay(self.0.policy(), retry, jitter).as_secs_f64() * 1000.0)
            }
        }
    }
}

// `clockOffsetMs(dateHeader, localNowMs)`: the server's clock minus the local one, from a
// `Date` header, or undefined when the header is not a date.
#[wasm_bindgen(js_name = clockOffsetMs)]
pub fn clock_offset_ms(date_header: &str, local_now_ms: f64) -> Option<f64> {
    let mut offset = ClockOffset::default();
    offset
        .learn(date_header, local_now_ms as i64)
        .then(|| offset.millis() as f64)
}

// `errorHint(code)`: what to do about a BCE error code, in English.
#[wasm_bindgen(js_name = errorHint)]
pub fn error_hint(code: &str) -> String {
    hint_for_code(code).text().to_owned()
}
