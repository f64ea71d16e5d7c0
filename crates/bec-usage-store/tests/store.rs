//! The store file end to end: days in and out, accounts apart, sessions, the schema
//! version, a damaged file set aside, another program's file left alone.

use std::io::{Seek, SeekFrom, Write};

use bec_usage::json::write_usage;
use bec_usage::synthetic::{generate, SyntheticOptions};
use bec_usage::UsageResponse;
use bec_usage_store::days::assemble;
use bec_usage_store::{ErrorKind, Store, StoredSession, APPLICATION_ID, SCHEMA_VERSION};
use chrono::NaiveDate;

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn answer(seed: u64, begin: &str, end: &str) -> UsageResponse {
    generate(
        &SyntheticOptions::new(d(begin), d(end))
            .with_seed(seed)
            .with_step_seconds(300),
    )
    .expect("generated")
}

#[test]
fn settled_days_are_kept_and_answer_any_range_of_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opened = Store::open(dir.path().join("h.sqlite3")).expect("opens");
    assert_eq!(opened.migrated_from, Some(0), "a new file");
    assert!(opened.set_aside.is_none());
    let store = opened.store;
    let stored = store
        .put_response(
            "prod",
            &answer(1, "2024-01-01", "2024-01-31"),
            d("2024-01-29"),
        )
        .expect("stored");
    assert_eq!(stored, 29, "the days after the 29th may still change");
    let dates = store
        .stored_dates("prod", d("2023-12-30"), d("2024-02-02"))
        .expect("dates");
    assert_eq!(dates.first(), Some(&d("2024-01-01")));
    assert_eq!(dates.last(), Some(&d("2024-01-29")));
    let read = store
        .read_days("prod", d("2024-01-10"), d("2024-01-20"))
        .expect("read");
    assert!(read.damaged.is_empty());
    let merged = assemble(read.days).expect("merges");
    assert_eq!(
        write_usage(&merged),
        write_usage(&answer(1, "2024-01-10", "2024-01-20"))
    );
    assert_eq!(store.day_count().expect("count"), 29);
    assert!(store.file_size() > 0);

    // Another account's days are its own, even for the same dates.
    assert!(store
        .stored_dates("test", d("2024-01-01"), d("2024-01-31"))
        .expect("dates")
        .is_empty());
    store
        .put_response(
            "test",
            &answer(2, "2024-01-05", "2024-01-06"),
            d("2024-12-31"),
        )
        .expect("stored");
    let theirs = assemble(
        store
            .read_days("test", d("2024-01-05"), d("2024-01-06"))
            .expect("read")
            .days,
    )
    .expect("merges");
    assert_eq!(
        write_usage(&theirs),
        write_usage(&answer(2, "2024-01-05", "2024-01-06"))
    );
    let ours = assemble(
        store
            .read_days("prod", d("2024-01-05"), d("2024-01-06"))
            .expect("read")
            .days,
    )
    .expect("merges");
    assert_eq!(
        write_usage(&ours),
        write_usage(&answer(1, "2024-01-05", "2024-01-06"))
    );
    assert_eq!(
        store.accounts().expect("accounts"),
        [("prod".to_owned(), 29), ("test".to_owned(), 2)]
    );

    // Reopened: the same days, no migration.
    drop(store);
    let again = Store::open(dir.path().join("h.sqlite3")).expect("opens");
    assert_eq!(again.migrated_from, None);
    assert_eq!(again.store.day_count().expect("count"), 31);
}

#[test]
fn an_answer_that_cannot_be_kept_exactly_stores_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path().join("h.sqlite3"))
        .expect("opens")
        .store;
    let mut sloppy = answer(1, "2024-01-01", "2024-01-03");
    sloppy.resources[2].count += 5;
    let error = store
        .put_response("prod", &sloppy, d("2024-12-31"))
        .expect_err("not storable");
    assert_eq!(error.kind(), ErrorKind::NotStorable);
    assert!(error.message().contains("count"), "{}", error.message());
    assert_eq!(store.day_count().expect("count"), 0);
}

#[test]
fn sessions_are_kept_by_hash_until_they_expire() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.sqlite3");
    let store = Store::open(&path).expect("opens").store;
    let session = |byte: u8, expires_at| StoredSession {
        token_hash: [byte; 32],
        user: format!("user{byte}"),
        expires_at,
    };
    store.put_session(&session(1, 100)).expect("kept");
    store.put_session(&session(2, 200)).expect("kept");
    store.put_session(&session(3, 300)).expect("kept");
    drop(store);
    let store = Store::open(&path).expect("opens").store;
    assert_eq!(
        store.live_sessions(150).expect("live"),
        [session(2, 200), session(3, 300)]
    );
    assert!(store.delete_session(&[3; 32]).expect("deleted"));
    assert!(!store.delete_session(&[3; 32]).expect("gone already"));
    assert_eq!(store.purge_sessions(150).expect("purged"), 1);
    assert_eq!(store.live_sessions(0).expect("live"), [session(2, 200)]);
}

#[test]
fn a_damaged_file_is_set_aside_and_a_new_one_started() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.sqlite3");
    {
        let store = Store::open(&path).expect("opens").store;
        store
            .put_response(
                "prod",
                &answer(1, "2024-01-01", "2024-01-31"),
                d("2024-12-31"),
            )
            .expect("stored");
    }
    // Bytes overwritten in the middle of the file (b-tree pages).
    let length = std::fs::metadata(&path).expect("file").len();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    for page in [1u64, 2, 3] {
        file.seek(SeekFrom::Start(page * 4096)).expect("seek");
        file.write_all(&[0xA5; 200]).expect("write");
    }
    file.seek(SeekFrom::Start(length / 2)).expect("seek");
    file.write_all(&[0x5A; 4096]).expect("write");
    drop(file);
    let opened = Store::open(&path).expect("opens a new store");
    let set_aside = opened.set_aside.clone().expect("set aside");
    assert_eq!(set_aside.path, path);
    assert!(set_aside.moved_to.exists());
    assert!(
        set_aside
            .moved_to
            .to_string_lossy()
            .contains("h.sqlite3.damaged-"),
        "{set_aside:?}"
    );
    assert!(!set_aside.reason.is_empty());
    assert_eq!(opened.store.day_count().expect("count"), 0, "a new store");
    // The header overwritten: not a database at all.
    drop(opened);
    std::fs::write(&path, b"this is not a database, just some text".repeat(200)).expect("write");
    let opened = Store::open(&path).expect("opens a new store");
    assert!(opened.set_aside.is_some());
}

#[test]
fn a_damaged_day_is_read_as_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.sqlite3");
    let store = Store::open(&path).expect("opens").store;
    store
        .put_response(
            "prod",
            &answer(1, "2024-01-01", "2024-01-02"),
            d("2024-12-31"),
        )
        .expect("stored");
    // Change one byte of one day's data behind the store's back (SQLite stays sound).
    let connection = rusqlite::Connection::open(&path).expect("open");
    connection
        .execute(
            "UPDATE days SET data = CAST(substr(data, 1, 20) || 'x' || substr(data, 22) AS BLOB)
             WHERE day = (SELECT min(day) FROM days)",
            [],
        )
        .expect("update");
    drop(connection);
    let read = store
        .read_days("prod", d("2024-01-01"), d("2024-01-02"))
        .expect("read");
    assert_eq!(read.damaged, [d("2024-01-01")]);
    assert_eq!(read.days.len(), 1);
    assert_eq!(
        store
            .stored_dates("prod", d("2024-01-01"), d("2024-01-02"))
            .expect("dates"),
        [d("2024-01-02")],
        "the damaged day was deleted"
    );
}

#[test]
fn other_files_and_newer_schemas_are_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let other = dir.path().join("other.sqlite3");
    let connection = rusqlite::Connection::open(&other).expect("open");
    connection
        .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
        .expect("create");
    drop(connection);
    let error = Store::open(&other).expect_err("not ours");
    assert_eq!(error.kind(), ErrorKind::NotAStore);
    assert!(error.message().contains("--store"), "{}", error.message());

    let newer = dir.path().join("newer.sqlite3");
    drop(Store::open(&newer).expect("opens"));
    let connection = rusqlite::Connection::open(&newer).expect("open");
    connection
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .expect("version");
    let id: i32 = connection
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .expect("id");
    assert_eq!(id, APPLICATION_ID);
    drop(connection);
    let error = Store::open(&newer).expect_err("newer");
    assert_eq!(error.kind(), ErrorKind::NewerSchema);

    let missing = dir.path().join("no-such-folder").join("h.sqlite3");
    assert_eq!(
        Store::open(&missing).expect_err("no folder").kind(),
        ErrorKind::Open
    );
}
