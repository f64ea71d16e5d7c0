//! A per-client token bucket for the API.
//!
//! Written by hand rather than with `tower_governor`: the refusal must be a BCE-style JSON
//! body carrying the request id (which that crate's responses are not without wrapping),
//! tests pass the time in instead of sleeping, and the whole thing is a map of buckets
//! behind a mutex, held for a few arithmetic operations per request.
//!
//! Clients are keyed by the connection's peer address, never by a header such as
//! `X-Forwarded-For` that a client could forge. IPv6 clients are keyed by their /64
//! network, since one host usually holds a whole /64.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limit: a sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests per second a client may sustain (> 0).
    pub per_second: f64,
    /// Requests a client may send at once after being idle (≥ 1).
    pub burst: f64,
}

/// One client's bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    /// A full bucket at `now`.
    pub fn full(limit: &RateLimit, now: Instant) -> Self {
        Bucket {
            tokens: limit.burst,
            updated: now,
        }
    }

    /// Takes one token at `now`: `Ok` if there was one, else `Err` with the wait until
    /// there will be.
    pub fn take(&mut self, limit: &RateLimit, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * limit.per_second).min(limit.burst);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - self.tokens) / limit.per_second,
            ))
        }
    }

    /// Whether a token is there at `now`, without taking it: `Err` holds the wait.
    pub fn peek(&self, limit: &RateLimit, now: Instant) -> Result<(), Duration> {
        self.clone().take(limit, now)
    }

    /// Whether the bucket has refilled completely by `now`, so forgetting it changes nothing.
    fn is_full_at(&self, limit: &RateLimit, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens + elapsed * limit.per_second >= limit.burst
    }
}

/// The buckets of all clients, keyed by address (the API's limit) or by anything else
/// (failed sign-ins per user name).
#[derive(Debug)]
pub struct RateLimiter<K = IpAddr> {
    limit: RateLimit,
    buckets: Mutex<HashMap<K, Bucket>>,
}

/// Past this many clients, full buckets are forgotten, so memory stays bounded by the
/// number of clients active within one refill time.
const PRUNE_ABOVE: usize = 4096;

impl<K: Hash + Eq> RateLimiter<K> {
    /// A limiter with `limit` for every key.
    pub fn new(limit: RateLimit) -> Self {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key` at `now`; `Err` holds the wait until the next token.
    pub fn take(&self, key: K, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.lock();
        if buckets.len() > PRUNE_ABOVE {
            let limit = self.limit;
            buckets.retain(|_, bucket| !bucket.is_full_at(&limit, now));
        }
        buckets
            .entry(key)
            .or_insert_with(|| Bucket::full(&self.limit, now))
            .take(&self.limit, now)
    }

    /// Whether `key` has a token at `now`, without taking it.
    pub fn peek(&self, key: &K, now: Instant) -> Result<(), Duration> {
        match self.lock().get(key) {
            Some(bucket) => bucket.peek(&self.limit, now),
            None => Ok(()),
        }
    }

    /// How many keys have a bucket.
    pub fn tracked_clients(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Bucket>> {
        // A panic while holding the lock left at worst one bucket half-updated.
        self.buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl RateLimiter<IpAddr> {
    /// Takes a token for the client at `client` (its [`client_key`]) at `now`.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        self.take(client_key(client), now)
    }
}

/// The key of a client: its IPv4 address, or its IPv6 /64 (IPv4-mapped IPv6 addresses
/// count as the IPv4 address).
pub fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: RateLimit = RateLimit {
        per_second: 10.0,
        burst: 3.0,
    };

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let start = Instant::now();
        let mut bucket = Bucket::full(&LIMIT, start);
        for _ in 0..3 {
            assert_eq!(bucket.take(&LIMIT, start), Ok(()));
        }
        let wait = bucket.take(&LIMIT, start).expect_err("empty");
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-9, "{wait:?}");
        assert_eq!(
            bucket.take(&LIMIT, start + Duration::from_millis(100)),
            Ok(())
        );
        assert!(bucket
            .take(&LIMIT, start + Duration::from_millis(150))
            .is_err());
        // Idle for long: back to the burst, not beyond.
        let later = start + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(bucket.take(&LIMIT, later), Ok(()));
        }
        assert!(bucket.take(&LIMIT, later).is_err());
    }

    #[test]
    fn clients_have_separate_buckets() {
        let limiter = RateLimiter::new(LIMIT);
        let now = Instant::now();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(a, now).is_ok());
        }
        assert!(limiter.check(a, now).is_err());
        assert!(limiter.check(b, now).is_ok());
    }

    #[test]
    fn ipv6_clients_share_their_slash_64() {
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(one), client_key(other));
        assert_ne!(client_key(one), client_key(elsewhere));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn peeking_takes_nothing() {
        let limiter: RateLimiter<String> = RateLimiter::new(LIMIT);
        let now = Instant::now();
        let alice = "alice".to_owned();
        assert!(limiter.peek(&alice, now).is_ok());
        for _ in 0..3 {
            assert!(limiter.peek(&alice, now).is_ok());
            assert!(limiter.take(alice.clone(), now).is_ok());
        }
        assert!(limiter.peek(&alice, now).is_err());
        assert!(limiter.peek(&"bob".to_owned(), now).is_ok());
    }

    #[test]
    fn idle_clients_are_forgotten_when_many() {
        let limiter = RateLimiter::new(LIMIT);
        let now = Instant::now();
        for i in 0..=PRUNE_ABOVE as u32 {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            assert!(limiter.check(ip, now).is_ok());
        }
        assert_eq!(limiter.tracked_clients(), PRUNE_ABOVE + 1);
        let later = now + Duration::from_secs(1);
        assert!(limiter.check("192.0.2.9".parse().unwrap(), later).is_ok());
        assert_eq!(limiter.tracked_clients(), 1);
    }
}
