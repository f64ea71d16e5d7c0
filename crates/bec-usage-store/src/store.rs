//! The store file: opening it (integrity check, schema migrations, setting a damaged file
//! aside), the stored days of each account, sign-in sessions, and the file's size.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use bec_usage::query::{date_of_epoch_day, epoch_day};
use bec_usage::UsageResponse;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, ErrorCode, TransactionBehavior};

use crate::codec;
use crate::days::split_days;
use crate::error::{Error, ErrorKind, Result};

/// The schema version this build writes; [`Store::open`] migrates older files up to it.
pub const SCHEMA_VERSION: u32 = 1;

/// SQLite's `application_id` of a store file (`BECU`), so that `file` names it and a
/// database of another program is never taken for one.
pub const APPLICATION_ID: i32 = 0x4245_4355;

/// The statements that take a file from schema version `i` to `i + 1`; those a file needs
/// run in one transaction with the new version number.
const MIGRATIONS: [&str; 1] = [
    // 0 -> 1: accounts by name, their days (epoch day numbers of Beijing dates) with
    // BEC's accountId and the day's bytes (crate::codec), and the sessions.
    "CREATE TABLE accounts (
         id INTEGER PRIMARY KEY,
         name TEXT NOT NULL UNIQUE
     );
     CREATE TABLE days (
         account INTEGER NOT NULL REFERENCES accounts(id),
         day INTEGER NOT NULL,
         bec_account_id TEXT NOT NULL,
         data BLOB NOT NULL,
         stored_at INTEGER NOT NULL,
         PRIMARY KEY (account, day)
     );
     CREATE TABLE sessions (
         token_hash BLOB PRIMARY KEY,
         user TEXT NOT NULL,
         expires_at INTEGER NOT NULL
     );
     CREATE INDEX sessions_by_expiry ON sessions (expires_at);",
];

/// A damaged store file that [`Store::open`] renamed before starting a new one: log it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// Where the file was (the store's path).
    pub path: PathBuf,
    /// Where it is now (`<path>.damaged-<UTC time>`).
    pub moved_to: PathBuf,
    /// What was wrong (SQLite's words).
    pub reason: String,
}

/// What [`Store::open`] did besides opening.
#[derive(Debug)]
pub struct Opened {
    /// The open store.
    pub store: Store,
    /// A damaged file set aside (the store is then new and empty).
    pub set_aside: Option<SetAside>,
    /// The schema version the file had, when it was migrated (0: a new file).
    pub migrated_from: Option<u32>,
}

/// What [`Store::read_days`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadDays {
    /// The stored days, in date order: each the answer for its one date.
    pub days: Vec<UsageResponse>,
    /// Days whose bytes were damaged: deleted, to be fetched again.
    pub damaged: Vec<NaiveDate>,
}

/// A sign-in session as stored: the SHA-256 of its token (never the token), its user and
/// when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// SHA-256 of the session token.
    pub token_hash: [u8; 32],
    /// The user signed in.
    pub user: String,
    /// When the session ends, in seconds since 1970 (UTC).
    pub expires_at: i64,
}

/// The history store: one SQLite file, shared by the threads of a process (a connection
/// behind a lock). Blocking: call it from a blocking thread in async code.
pub struct Store {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Why opening failed: a damaged file (set it aside) or anything else (give up).
enum OpenFailure {
    Damaged(String),
    Fatal(Error),
}

fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

impl Store {
    /// Opens the store at `path`, creating it (not its folder) if there is none.
    ///
    /// Runs SQLite's integrity check, then migrates the schema to [`SCHEMA_VERSION`]. A
    /// damaged file (not a database, or failing the check) is renamed to
    /// `<path>.damaged-<UTC time>` (with its `-wal` and `-shm` companions) and a new store
    /// is started in its place; [`Opened::set_aside`] says so, for the caller to log.
    ///
    /// Errors: [`ErrorKind::Open`] when the file cannot be opened or created;
    /// [`ErrorKind::NotAStore`] for another program's database; [`ErrorKind::NewerSchema`]
    /// for a file of a newer bec-usage (both left as they are); [`ErrorKind::SetAside`]
    /// when a damaged file cannot be renamed.
    pub fn open(path: impl AsRef<Path>) -> Result<Opened> {
        let path = path.as_ref().to_path_buf();
        match open_checked(&path) {
            Ok((connection, migrated_from)) => Ok(Opened {
                store: Store {
                    path,
                    connection: Mutex::new(connection),
                },
                set_aside: None,
                migrated_from,
            }),
            Err(OpenFailure::Fatal(error)) => Err(error),
            Err(OpenFailure::Damaged(reason)) => {
                let moved_to = set_aside(&path)?;
                let (connection, migrated_from) = open_checked(&path).map_err(|failure| {
                    let why = match failure {
                        OpenFailure::Fatal(error) => error.message().to_owned(),
                        OpenFailure::Damaged(reason) => reason,
                    };
                    Error::new(
                        ErrorKind::Open,
                        format!(
                            "the history store {}: a new file after setting the damaged one \
                             aside cannot be opened: {why}",
                            path.display()
                        ),
                    )
                })?;
                Ok(Opened {
                    store: Store {
                        path: path.clone(),
                        connection: Mutex::new(connection),
                    },
                    set_aside: Some(SetAside {
                        path,
                        moved_to,
                        reason,
                    }),
                    migrated_from,
                })
            }
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A connection whose user panicked is still a valid connection: SQLite rolls back
        // any transaction left open when the next one begins.
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn failed(&self, what: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
        let what = what.to_owned();
        move |error| Error::database(&self.path, &what, &error)
    }

    /// The bytes the store takes on disk: the file and its write-ahead log.
    pub fn file_size(&self) -> u64 {
        let size = |path: &Path| std::fs::metadata(path).map_or(0, |m| m.len());
        size(&self.path) + size(&companion(&self.path, "-wal"))
    }

    /// The dates of `begin ..= end` stored for `account`, in order.
    pub fn stored_dates(
        &self,
        account: &str,
        begin: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<NaiveDate>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(
                "SELECT day FROM days JOIN accounts ON accounts.id = days.account
                 WHERE accounts.name = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day",
            )
            .map_err(self.failed("listing stored days"))?;
        let rows = statement
            .query_map(params![account, epoch_day(begin), epoch_day(end)], |row| {
                row.get::<_, i64>(0)
            })
            .map_err(self.failed("listing stored days"))?;
        let mut dates = Vec::new();
        for row in rows {
            let day = row.map_err(self.failed("listing stored days"))?;
            if let Some(date) = date_of_epoch_day(day) {
                dates.push(date);
            }
        }
        Ok(dates)
    }

    /// The stored days of `begin ..= end` for `account`, in date order, each the answer
    /// for its date (see [`crate::days`]); merge them with [`crate::days::assemble`].
    /// Days whose bytes are damaged are deleted and listed in [`ReadDays::damaged`].
    pub fn read_days(&self, account: &str, begin: NaiveDate, end: NaiveDate) -> Result<ReadDays> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(
                "SELECT day, bec_account_id, data FROM days
                 JOIN accounts ON accounts.id = days.account
                 WHERE accounts.name = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day",
            )
            .map_err(self.failed("reading stored days"))?;
        let mut rows = statement
            .query(params![account, epoch_day(begin), epoch_day(end)])
            .map_err(self.failed("reading stored days"))?;
        let mut read = ReadDays::default();
        while let Some(row) = rows.next().map_err(self.failed("reading stored days"))? {
            let day: i64 = row.get(0).map_err(self.failed("reading stored days"))?;
            let Some(date) = date_of_epoch_day(day) else {
                continue;
            };
            let account_id = row.get_ref(1).ok().and_then(|v| v.as_str().ok());
            let bytes = row.get_ref(2).ok().and_then(|v| v.as_blob().ok());
            match (account_id, bytes) {
                (Some(account_id), Some(bytes)) => match codec::decode(date, account_id, bytes) {
                    Ok(usage) => read.days.push(usage),
                    Err(_) => read.damaged.push(date),
                },
                _ => read.damaged.push(date),
            }
        }
        drop(rows);
        drop(statement);
        if !read.damaged.is_empty() {
            let transaction = connection
                .unchecked_transaction()
                .map_err(self.failed("deleting damaged days"))?;
            for date in &read.damaged {
                transaction
                    .execute(
                        "DELETE FROM days WHERE day = ?2 AND account =
                         (SELECT id FROM accounts WHERE name = ?1)",
                        params![account, epoch_day(*date)],
                    )
                    .map_err(self.failed("deleting damaged days"))?;
            }
            transaction
                .commit()
                .map_err(self.failed("deleting damaged days"))?;
        }
        Ok(read)
    }

    /// Stores, in one transaction, the days of `usage` (a complete, parsed answer for
    /// `account`) up to and including `settled_through`, replacing those stored already;
    /// returns how many were stored. Days after `settled_through` may still change at the
    /// service and are left out.
    ///
    /// Errors: [`ErrorKind::NotStorable`] when the answer cannot be kept day by day
    /// exactly ([`split_days`]): nothing is stored; [`ErrorKind::Database`].
    pub fn put_response(
        &self,
        account: &str,
        usage: &UsageResponse,
        settled_through: NaiveDate,
    ) -> Result<usize> {
        let days: Vec<UsageResponse> = split_days(usage)?
            .into_iter()
            .filter(|day| day.time_span.begin_date <= settled_through)
            .collect();
        self.put_days(account, &days)?;
        Ok(days.len())
    }

    /// Stores `days` (each the answer for its one date, as [`split_days`] makes them) for
    /// `account` in one transaction, replacing those stored already.
    pub fn put_days(&self, account: &str, days: &[UsageResponse]) -> Result<()> {
        if days.is_empty() {
            return Ok(());
        }
        let encoded: Vec<(i64, &str, Vec<u8>)> = days
            .iter()
            .map(|day| {
                let date = day.time_span.begin_date;
                (
                    epoch_day(date),
                    day.account_id.as_str(),
                    codec::encode(date, day),
                )
            })
            .collect();
        let now = unix_now();
        let mut connection = self.lock();
        let transaction = connection
            .transaction()
            .map_err(self.failed("storing days"))?;
        transaction
            .execute(
                "INSERT INTO accounts (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
                params![account],
            )
            .map_err(self.failed("storing days"))?;
        let id: i64 = transaction
            .query_row(
                "SELECT id FROM accounts WHERE name = ?1",
                params![account],
                |row| row.get(0),
            )
            .map_err(self.failed("storing days"))?;
        {
            let mut insert = transaction
                .prepare_cached(
                    "INSERT OR REPLACE INTO days (account, day, bec_account_id, data, stored_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(self.failed("storing days"))?;
            for (day, account_id, bytes) in &encoded {
                insert
                    .execute(params![id, day, account_id, bytes, now])
                    .map_err(self.failed("storing days"))?;
            }
        }
        transaction.commit().map_err(self.failed("storing days"))
    }

    /// The number of days stored, all accounts together.
    pub fn day_count(&self) -> Result<u64> {
        self.lock()
            .query_row("SELECT count(*) FROM days", [], |row| row.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(self.failed("counting days"))
    }

    /// The accounts with stored days, and how many each has, by name.
    pub fn accounts(&self) -> Result<Vec<(String, u64)>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare(
                "SELECT name, count(day) FROM accounts LEFT JOIN days ON days.account = accounts.id
                 GROUP BY accounts.id ORDER BY name",
            )
            .map_err(self.failed("listing accounts"))?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?.max(0) as u64,
                ))
            })
            .map_err(self.failed("listing accounts"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.failed("listing accounts"))
    }

    /// Keeps a session (replacing one with the same token hash).
    pub fn put_session(&self, session: &StoredSession) -> Result<()> {
        self.lock()
            .execute(
                "INSERT OR REPLACE INTO sessions (token_hash, user, expires_at) VALUES (?1, ?2, ?3)",
                params![&session.token_hash[..], session.user, session.expires_at],
            )
            .map(drop)
            .map_err(self.failed("keeping a session"))
    }

    /// Forgets the session of `token_hash`; `true` if there was one.
    pub fn delete_session(&self, token_hash: &[u8; 32]) -> Result<bool> {
        self.lock()
            .execute(
                "DELETE FROM sessions WHERE token_hash = ?1",
                params![&token_hash[..]],
            )
            .map(|n| n > 0)
            .map_err(self.failed("ending a session"))
    }

    /// The sessions that end after `now` (seconds since 1970).
    pub fn live_sessions(&self, now: i64) -> Result<Vec<StoredSession>> {
        let connection = self.lock();
        let mut statement = connection
            .prepare("SELECT token_hash, user, expires_at FROM sessions WHERE expires_at > ?1")
            .map_err(self.failed("reading sessions"))?;
        let rows = statement
            .query_map(params![now], |row| {
                Ok((
                    row.get::<_, Vec<u8>>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            })
            .map_err(self.failed("reading sessions"))?;
        let mut sessions = Vec::new();
        for row in rows {
            let (hash, user, expires_at) = row.map_err(self.failed("reading sessions"))?;
            // A hash of another length is no session of ours: skipped.
            if let Ok(token_hash) = <[u8; 32]>::try_from(hash.as_slice()) {
                sessions.push(StoredSession {
                    token_hash,
                    user,
                    expires_at,
                });
            }
        }
        Ok(sessions)
    }

    /// Deletes the sessions that ended at or before `now` (seconds since 1970); returns
    /// how many.
    pub fn purge_sessions(&self, now: i64) -> Result<usize> {
        self.lock()
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now])
            .map_err(self.failed("purging sessions"))
    }
}

/// Seconds since 1970 now (0 before it, which no clock reads).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Opens `path`, checks it and migrates it; the schema version it had if it changed.
fn open_checked(path: &Path) -> std::result::Result<(Connection, Option<u32>), OpenFailure> {
    let open_error = |error: rusqlite::Error| {
        if is_damage(&error) {
            OpenFailure::Damaged(error.to_string())
        } else {
            OpenFailure::Fatal(Error::new(
                ErrorKind::Open,
                format!(
                    "the history store {} cannot be opened: {error}; check that its folder \
                     exists and is writable, or choose another place (--store PATH, or none)",
                    path.display()
                ),
            ))
        }
    };
    let connection = Connection::open(path).map_err(open_error)?;
    connection
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(open_error)?;
    let application_id: i32 = connection
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .map_err(open_error)?;
    if application_id != 0 && application_id != APPLICATION_ID {
        return Err(OpenFailure::Fatal(not_a_store(path)));
    }
    let problems: Vec<String> = {
        let mut statement = connection
            .prepare("PRAGMA integrity_check(5)")
            .map_err(open_error)?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(open_error)?;
        rows.collect::<rusqlite::Result<_>>().map_err(open_error)?
    };
    if problems.first().map(String::as_str) != Some("ok") {
        return Err(OpenFailure::Damaged(format!(
            "the integrity check failed: {}",
            problems.join("; ")
        )));
    }
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .map_err(open_error)?;
    connection
        .pragma_update(None, "synchronous", "NORMAL")
        .map_err(open_error)?;
    connection
        .pragma_update(None, "foreign_keys", "ON")
        .map_err(open_error)?;
    let version: u32 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(open_error)?;
    if version > SCHEMA_VERSION {
        return Err(OpenFailure::Fatal(Error::new(
            ErrorKind::NewerSchema,
            format!(
                "the history store {} has schema version {version}, written by a newer \
                 bec-usage (this one knows up to {SCHEMA_VERSION}); upgrade, or give another \
                 --store; the file is left as it is",
                path.display()
            ),
        )));
    }
    if version == 0 && application_id == 0 {
        let tables: i64 = connection
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
            .map_err(open_error)?;
        if tables > 0 {
            return Err(OpenFailure::Fatal(not_a_store(path)));
        }
    }
    if version == SCHEMA_VERSION {
        return Ok((connection, None));
    }
    // Another process may be opening the same new file: the write lock first, then the
    // version again, so that only one of them migrates.
    let mut connection = connection;
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(open_error)?;
    let version: u32 = transaction
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(open_error)?;
    for migration in MIGRATIONS.iter().skip(version as usize) {
        transaction.execute_batch(migration).map_err(open_error)?;
    }
    if version < SCHEMA_VERSION {
        transaction
            .pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(open_error)?;
        transaction
            .pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(open_error)?;
    }
    transaction.commit().map_err(open_error)?;
    Ok((connection, (version < SCHEMA_VERSION).then_some(version)))
}

fn not_a_store(path: &Path) -> Error {
    Error::new(
        ErrorKind::NotAStore,
        format!(
            "{} is a database of another program, not a bec-usage history store; it is left \
             as it is: give --store another path",
            path.display()
        ),
    )
}

/// Renames a damaged store (and its `-wal` and `-shm` files) out of the way.
fn set_aside(path: &Path) -> Result<PathBuf> {
    let stamp = DateTime::<Utc>::from(SystemTime::now()).format("%Y%m%dT%H%M%SZ");
    let mut moved_to = companion(path, &format!(".damaged-{stamp}"));
    let mut attempt = 1;
    while moved_to.exists() {
        attempt += 1;
        moved_to = companion(path, &format!(".damaged-{stamp}-{attempt}"));
    }
    std::fs::rename(path, &moved_to).map_err(|e| {
        Error::new(
            ErrorKind::SetAside,
            format!(
                "the history store {} is damaged and cannot be renamed to {}: {e}; move or \
                 delete it by hand",
                path.display(),
                moved_to.display()
            ),
        )
    })?;
    for suffix in ["-wal", "-shm"] {
        let from = companion(path, suffix);
        if from.exists() {
            // The log of a damaged file is worth keeping beside it; if it cannot move,
            // it is removed so that the new file does not read it as its own.
            if std::fs::rename(&from, companion(&moved_to, suffix)).is_err() {
                let _ = std::fs::remove_file(&from);
            }
        }
    }
    Ok(moved_to)
}
