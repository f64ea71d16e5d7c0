//! The wall clock, passed in: signing times, expiry and skew checks read it through a
//! [`Clock`], so tests fix or shift the time instead of sleeping.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

/// A source of the current UTC time. Cloning shares it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// A clock that reads `now`.
    pub fn new(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Clock(Arc::new(now))
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clock({})", self.now().format("%Y-%m-%dT%H:%M:%SZ"))
    }
}

/// The system's clock.
pub fn system_clock() -> Clock {
    Clock::new(Utc::now)
}

/// A clock that always reads `time`.
pub fn fixed_clock(time: DateTime<Utc>) -> Clock {
    Clock::new(move || time)
}

/// The system's clock shifted by `offset` (negative: behind), to simulate a skewed host.
pub fn shifted_clock(offset: chrono::Duration) -> Clock {
    Clock::new(move || Utc::now() + offset)
}
