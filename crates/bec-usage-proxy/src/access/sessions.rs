//! Sessions held by the server: a sign-in gets a random 256-bit token (the cookie's value);
//! the server keeps the SHA-256 of each live token with its user and expiry. Signing out
//! forgets the token, so a copied cookie is worthless afterwards, and a token from another
//! server was never known here.
//!
//! With the history store ([`Sessions::keep_in`]) the same hashes, users and expiries are
//! written through to its file, and read back at start: a restart or an upgrade keeps
//! everyone signed in. Expired sessions are purged from the file at start and at each
//! sign-in. The file holds no token, only hashes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bec_usage_store::{unix_now, Store, StoredSession};
use sha2::{Digest, Sha256};

/// The bytes of a session token (from the operating system's random source).
pub const TOKEN_BYTES: usize = 32;

/// Past this many live sessions, expired ones are forgotten on each sign-in.
const PRUNE_ABOVE: usize = 1024;

#[derive(Debug, Clone)]
struct Session {
    user: String,
    expires: Instant,
}

/// The live sessions.
#[derive(Debug)]
pub struct Sessions {
    lifetime: Duration,
    /// Shared by the [`Sessions::sharing`] this one (a reload keeps every sign-in).
    live: Arc<Mutex<HashMap<[u8; 32], Session>>>,
    /// The store the sessions are written through to, once [`Sessions::keep_in`] set it
    /// (shared with the [`Sessions::sharing`] this one as well).
    store: Arc<OnceLock<Arc<Store>>>,
}

impl Sessions {
    /// No sessions yet; each lasts `lifetime` after sign-in.
    pub fn new(lifetime: Duration) -> Self {
        Sessions {
            lifetime,
            live: Arc::new(Mutex::new(HashMap::new())),
            store: Arc::new(OnceLock::new()),
        }
    }

    /// Keeps the sessions in `store` from now on: purges its expired sessions, takes its
    /// live ones (those of before a restart) and writes every later sign-in and sign-out
    /// through to it. Returns how many sessions were taken. Once only: a later store is
    /// left unused (`Ok(0)`).
    pub fn keep_in(&self, store: Arc<Store>) -> bec_usage_store::Result<usize> {
        let now_unix = unix_now();
        store.purge_sessions(now_unix)?;
        let stored = store.live_sessions(now_unix)?;
        if self.store.set(store).is_err() {
            return Ok(0);
        }
        let now = Instant::now();
        let mut live = self.lock();
        for session in &stored {
            let left = u64::try_from(session.expires_at - now_unix).unwrap_or(0);
            live.insert(
                session.token_hash,
                Session {
                    user: session.user.clone(),
                    expires: now + Duration::from_secs(left),
                },
            );
        }
        Ok(stored.len())
    }

    /// The same live sessions, new ones lasting `lifetime` (a reload's `--session-hours`).
    pub fn sharing(&self, lifetime: Duration) -> Sessions {
        Sessions {
            lifetime,
            live: Arc::clone(&self.live),
            store: Arc::clone(&self.store),
        }
    }

    /// How long a session lasts.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Starts a session for `user` at `now` with the random `token`; returns the cookie
    /// value (the token in hex).
    pub fn start(&self, user: &str, token: [u8; TOKEN_BYTES], now: Instant) -> String {
        let value = hex(&token);
        let mut live = self.lock();
        if live.len() > PRUNE_ABOVE {
            live.retain(|_, session| session.expires > now);
        }
        let hash = digest(&value);
        live.insert(
            hash,
            Session {
                user: user.to_owned(),
                expires: now + self.lifetime,
            },
        );
        drop(live);
        if let Some(store) = self.store.get() {
            let now_unix = unix_now();
            let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX);
            let kept = store.purge_sessions(now_unix).and_then(|_| {
                store.put_session(&StoredSession {
                    token_hash: hash,
                    user: user.to_owned(),
                    expires_at: now_unix.saturating_add(lifetime),
                })
            });
            if let Err(error) = kept {
                // The sign-in holds until a restart all the same.
                tracing::warn!(code = %error.kind(), "the session is not kept in the store: {}", error.message());
            }
        }
        value
    }

    /// The user of the session whose cookie value is `value`, if it is live at `now`.
    pub fn user_of(&self, value: &str, now: Instant) -> Option<String> {
        if value.len() != TOKEN_BYTES * 2 {
            return None;
        }
        let key = digest(value);
        let mut live = self.lock();
        match live.get(&key) {
            Some(session) if session.expires > now => Some(session.user.clone()),
            Some(_) => {
                live.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends the session whose cookie value is `value`; `true` if there was one.
    pub fn end(&self, value: &str) -> bool {
        let hash = digest(value);
        let ended = self.lock().remove(&hash).is_some();
        if let Some(store) = self.store.get() {
            if let Err(error) = store.delete_session(&hash) {
                tracing::warn!(code = %error.kind(), "the session is not forgotten by the store: {}", error.message());
            }
        }
        ended
    }

    /// Live sessions (expired ones not yet forgotten included).
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Session>> {
        // A panic while holding the lock left at worst one session half-written.
        self.live
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn digest(value: &str) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_lives_until_it_expires_or_ends() {
        let sessions = Sessions::new(Duration::from_secs(60));
        let start = Instant::now();
        let value = sessions.start("alice", [7; TOKEN_BYTES], start);
        assert_eq!(value.len(), 64);
        assert_eq!(sessions.user_of(&value, start).as_deref(), Some("alice"));
        assert_eq!(
            sessions
                .user_of(&value, start + Duration::from_secs(59))
                .as_deref(),
            Some("alice")
        );
        assert_eq!(
            sessions.user_of(&value, start + Duration::from_secs(60)),
            None
        );
        assert_eq!(
            sessions.count(),
            0,
            "an expired session is forgotten when seen"
        );

        let value = sessions.start("alice", [8; TOKEN_BYTES], start);
        assert!(sessions.end(&value));
        assert_eq!(
            sessions.user_of(&value, start),
            None,
            "no replay after sign-out"
        );
        assert!(!sessions.end(&value));
    }

    #[test]
    fn sessions_kept_in_the_store_outlive_the_process_and_expire() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.sqlite3");
        let now = Instant::now();
        let store = Arc::new(Store::open(&path).expect("store").store);
        let first = Sessions::new(Duration::from_secs(3600));
        assert_eq!(first.keep_in(Arc::clone(&store)).expect("kept"), 0);
        let alice = first.start("alice", [1; TOKEN_BYTES], now);
        let bob = first.start("bob", [2; TOKEN_BYTES], now);
        assert!(first.end(&bob));
        // An expired session in the file is purged, not taken.
        store
            .put_session(&StoredSession {
                token_hash: [9; 32],
                user: "old".into(),
                expires_at: unix_now() - 1,
            })
            .expect("kept");
        drop((first, store));

        // "After a restart": a new process opens the same file.
        let store = Arc::new(Store::open(&path).expect("store").store);
        let second = Sessions::new(Duration::from_secs(3600));
        assert_eq!(second.keep_in(Arc::clone(&store)).expect("taken"), 1);
        let now = Instant::now();
        assert_eq!(second.user_of(&alice, now).as_deref(), Some("alice"));
        assert_eq!(second.user_of(&bob, now), None, "signed out stays out");
        assert_eq!(
            store.live_sessions(0).expect("live").len(),
            1,
            "the expired one purged"
        );
        // The file holds hashes, never a token.
        let bytes = std::fs::read(&path).expect("file");
        let wal = std::fs::read(dir.path().join("h.sqlite3-wal")).unwrap_or_default();
        for haystack in [&bytes, &wal] {
            assert!(!haystack.windows(alice.len()).any(|w| w == alice.as_bytes()));
        }
    }

    #[test]
    fn unknown_and_malformed_values_are_nobody() {
        let sessions = Sessions::new(Duration::from_secs(60));
        let now = Instant::now();
        sessions.start("alice", [9; TOKEN_BYTES], now);
        assert_eq!(sessions.user_of(&"01".repeat(32), now), None);
        assert_eq!(sessions.user_of("", now), None);
        assert_eq!(sessions.user_of(&"0".repeat(10_000), now), None);
    }
}
