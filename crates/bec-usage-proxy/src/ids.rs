//! Request ids and the little randomness the proxy needs (backoff jitter).
//!
//! Written by hand rather than with `uuid` and `rand`: the standard library's
//! `RandomState` is seeded randomly per process, which is all an id prefix and a backoff
//! jitter need, and it adds no dependency.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
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
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&self.next_id())
            .ok()
            .map(RequestId::new)
    }
}

/// The request id that the request-id layer put on `request`, or `"-"`.
pub fn request_id_of<B>(request: &axum::http::Request<B>) -> &str {
    request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-")
}

tokio::task_local! {
    /// The id of the request this task is answering, while [`with_request_id`] runs it.
    static CURRENT: HeaderValue;
}

/// The layer's function (`axum::middleware::from_fn`), inside the request-id layer:
/// answers the request with its id as the current one, so that every answer made on the
/// way, errors included ([`crate::Error`]'s `IntoResponse`), names it without being
/// handed it.
pub async fn with_request_id(request: Request, next: Next) -> Response {
    match request.extensions().get::<RequestId>() {
        Some(id) => {
            let id = id.header_value().clone();
            CURRENT.scope(id, next.run(request)).await
        }
        None => next.run(request).await,
    }
}

/// The id of the request being answered (see [`with_request_id`]); `None` outside one.
pub fn current_request_id() -> Option<HeaderValue> {
    CURRENT.try_with(HeaderValue::clone).ok()
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

    #[tokio::test]
    async fn errors_answer_with_the_current_request_id() {
        use axum::response::IntoResponse;

        use crate::errors::{Error, ErrorKind, X_BCE_REQUEST_ID};

        let error = || Error::new(ErrorKind::NotFound, "nothing here");
        let answer = CURRENT
            .scope(HeaderValue::from_static("abc"), async {
                error().into_response()
            })
            .await;
        assert_eq!(
            answer.headers().get(X_BCE_REQUEST_ID).map(|v| v.as_bytes()),
            Some(&b"abc"[..])
        );
        let body = axum::body::to_bytes(answer.into_body(), 1024)
            .await
            .expect("body");
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains(r#""requestId":"abc""#), "{body}");
        // Outside a request, the id is "-", as before any id was given.
        let outside = error().into_response();
        assert_eq!(
            outside
                .headers()
                .get(X_BCE_REQUEST_ID)
                .map(|v| v.as_bytes()),
            Some(&b"-"[..])
        );
    }

    #[test]
    fn unit_is_in_range() {
        for _ in 0..1000 {
            let x = random_unit();
            assert!((0.0..1.0).contains(&x), "{x}");
        }
    }
}
