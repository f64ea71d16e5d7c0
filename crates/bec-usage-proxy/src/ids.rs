//! Request ids and the little randomness the proxy needs (backoff jitter).
//!
//! Written by hand rather than with `uuid` and `rand`: the standard library's
//! `RandomState` is seeded randomly per process, which is all an id prefix and a backoff
//! jitter need, and it adds no dependency.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};

/// A random 64-bit number (not for cryptography).
pub fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

/// A random number in `[0, 1)` (not for cryptography), e.g. a backoff jitter.
pub fn random_unit() -> f64 {
    // The top 53 bits make an exactly representable fraction.
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Makes request ids: a random per-process prefix and a counter, 32 hex digits, unique
/// within a process and unlikely to repeat across restarts.
#[derive(Debug, Clone)]
pub struct RequestIds {
    prefix: u64,
    counter: Arc<AtomicU64>,
}

impl RequestIds {
    /// A new generator with a random prefix.
    pub fn new() -> Self {
        RequestIds {
            prefix: random_u64(),
            counter: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The next id.
    pub fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{:016x}{:016x}", self.prefix, n)
    }
}

impl Default for RequestIds {
    fn default() -> Self {
        RequestIds::new()
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&self.next_id())
            .ok()
            .map(RequestId::new)
    }
}

/// The request id that the request-id layer put on `request`, or `"-"`.
pub fn request_id_of<B>(request: &Request<B>) -> String {
    request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_and_hex() {
        let ids = RequestIds::new();
        let (a, b) = (ids.next_id(), ids.next_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn unit_is_in_range() {
        for _ in 0..1000 {
            let x = random_unit();
            assert!((0.0..1.0).contains(&x), "{x}");
        }
    }
}
