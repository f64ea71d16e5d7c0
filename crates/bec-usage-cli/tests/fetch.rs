//! `bec-usage fetch` against the stand-in on loopback: every exit code, the 31-day
//! chunking of a long range, the formats, and `--output` written whole or not at all.

mod common;

use std::io::Write;

use bec_usage::analysis::{
    daily_averages, daily_table_csv, hours_csv, points_csv, usage_hours, DailyExtras,
};
use bec_usage::json::parse_usage;
use bec_usage::query::beijing_offset;
use bec_usage_proxy::standin::{Faults, DEMO_ACCESS_KEY_ID};
use common::*;

#[test]
fn exit_0_every_format_is_the_core_writer_on_the_merged_range() {
    let (standin, address) = start_standin();
    // 2024-01-30 .. 2024-02-02: one query (4 days), so the merge is the core's own.
    let expected = expected_usage(&standin, "2024-01-30", "2024-02-02");
    let fetch = |format: &str| {
        let output = run(bec_usage_demo().args([
            "fetch",
            "--endpoint",
            &endpoint(address),
            "--from",
            "2024-01-30",
            "--to",
            "2024-02-02",
            "--format",
            format,
        ]));
        let (code, stdout, stderr) = parts(&output);
        assert_eq!(code, Some(0), "{format}: {stderr}");
        assert_eq!(stderr, "", "nothing on stderr when it is not a terminal");
        stdout
    };
    let offset = beijing_offset();
    assert_eq!(fetch("csv"), points_csv(&expected, offset).expect("csv"));
    let hours = usage_hours(&expected, offset).expect("hours");
    assert_eq!(fetch("hours-csv"), hours_csv(&hours));
    assert_eq!(
        fetch("daily-csv"),
        daily_table_csv(
            &daily_averages(&expected, offset).expect("daily"),
            Some(DailyExtras {
                hours: &hours,
                cost: None
            })
        )
    );
    let json = fetch("json");
    assert_eq!(parse_usage(&json).expect("the JSON reads back"), expected);
    let table = fetch("table");
    assert!(table.starts_with("account "), "{table}");
    for resource in expected.resource_names() {
        assert!(table.contains(resource), "{resource} in\n{table}");
    }
}

#[test]
fn a_year_is_loaded_in_twelve_queries_of_at_most_31_days_and_merged() {
    let (standin, address) = start_hourly_standin();
    let output = run(bec_usage_demo().args([
        "fetch",
        "--endpoint",
        &endpoint(address),
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--format",
        "json",
    ]));
    let (code, stdout, stderr) = parts(&output);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(standin.request_count(), 12);
    let mut ranges: Vec<(String, String)> = standin
        .received()
        .iter()
        .map(|request| {
            let query = request.target.split_once('?').expect("a query").1;
            let mut pairs = query
                .split('&')
                .map(|pair| pair.split_once('=').expect("a pair").1.to_owned());
            (pairs.next().expect("begin"), pairs.next().expect("end"))
        })
        .collect();
    ranges.sort();
    let expected: Vec<(String, String)> = [
        ("2024-01-01", "2024-01-31"),
        ("2024-02-01", "2024-03-02"),
        ("2024-03-03", "2024-04-02"),
        ("2024-04-03", "2024-05-03"),
        ("2024-05-04", "2024-06-03"),
        ("2024-06-04", "2024-07-04"),
        ("2024-07-05", "2024-08-04"),
        ("2024-08-05", "2024-09-04"),
        ("2024-09-05", "2024-10-05"),
        ("2024-10-06", "2024-11-05"),
        ("2024-11-06", "2024-12-06"),
        ("2024-12-07", "2024-12-31"),
    ]
    .iter()
    .map(|(b, e)| ((*b).to_owned(), (*e).to_owned()))
    .collect();
    assert_eq!(ranges, expected);
    let usage = parse_usage(&stdout).expect("one response");
    assert_eq!(usage, expected_usage(&standin, "2024-01-01", "2024-12-31"));
    assert_eq!(usage.time_span.begin_date.to_string(), "2024-01-01");
    assert_eq!(usage.time_span.end_date.to_string(), "2024-12-31");
    assert_eq!(usage.summary.len(), 366);
}

#[test]
fn exit_2_for_bad_input_before_anything_is_sent() {
    let (standin, address) = start_standin();
    let endpoint = endpoint(address);
    let dir = tempfile::tempdir().expect("tempdir");
    let missing_folder = dir.path().join("no/such/out.csv");
    let missing_folder = missing_folder.to_str().expect("path");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--from", "2024-02-30", "--to", "2024-03-01"], "--from"),
        (
            vec!["--from", "2024-01-01", "--to", "2025-01-01"],
            "367 days",
        ),
        (vec!["--from", "2024-02-01", "--to", "2024-01-01"], "after"),
        (
            vec![
                "--from",
                "2024-01-01",
                "--to",
                "2024-01-02",
                "--format",
                "xml",
            ],
            "xml",
        ),
        (
            vec![
                "--from",
                "2024-01-01",
                "--to",
                "2024-01-02",
                "--output",
                missing_folder,
            ],
            "does not exist",
        ),
        (
            vec![
                "--from",
                "2024-01-01",
                "--to",
                "2024-01-02",
                "--utc-offset",
                "8",
            ],
            "UTC offset",
        ),
        (
            vec![
                "--from",
                "2024-01-01",
                "--to",
                "2024-01-02",
                "--header",
                "nocolon",
            ],
            "colon",
        ),
        (
            vec![
                "--from",
                "2024-01-01",
                "--to",
                "2024-01-02",
                "--decimals",
                "x",
            ],
            "--decimals",
        ),
    ];
    for (args, needle) in cases {
        let output = run(bec_usage_demo()
            .args(["fetch", "--endpoint", &endpoint])
            .args(&args));
        let (code, stdout, stderr) = parts(&output);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {needle:?} in {stderr}");
        assert_eq!(stdout, "");
    }
    // BEC itself without keys: said before anything is sent.
    let output = run(bec_usage().args(["fetch", "--from", "2024-01-01", "--to", "2024-01-02"]));
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("BCE_ACCESS_KEY_ID"), "{stderr}");
    // An accounts file without the account named.
    let accounts = dir.path().join("accounts.toml");
    std::fs::write(
        &accounts,
        "[accounts.demo]\naccess-key-id = \"demo-access-key-id\"\nsecret-access-key = \"demo-secret-access-key\"\n",
    )
    .expect("write");
    let output = run(bec_usage().args([
        "fetch",
        "--endpoint",
        &endpoint,
        "--accounts-file",
        accounts.to_str().expect("path"),
        "--account",
        "production",
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-02",
    ]));
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("no account \"production\"; it has demo"),
        "{stderr}"
    );
    assert_eq!(standin.request_count(), 0, "nothing was sent");
}

#[test]
fn keys_from_an_accounts_file_or_a_key_file_sign_like_the_environment() {
    let (_standin, address) = start_standin();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("demo.env"),
        "BCE_ACCESS_KEY_ID=demo-access-key-id\nBCE_SECRET_ACCESS_KEY=demo-secret-access-key\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("team.toml"),
        "listen = \"127.0.0.1:8080\"\n[accounts.demo]\nkeys-file = \"demo.env\"\n",
    )
    .expect("write");
    let base = [
        "fetch",
        "--endpoint",
        &endpoint(address),
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-01",
        "--format",
        "csv",
    ];
    let from_env = run(bec_usage_demo().args(base));
    assert_eq!(from_env.status.code(), Some(0));
    let team = dir.path().join("team.toml");
    let keys = dir.path().join("demo.env");
    for extra in [
        vec![
            "--accounts-file",
            team.to_str().expect("path"),
            "--account",
            "demo",
        ],
        vec!["--accounts-file", team.to_str().expect("path")],
        vec!["--keys-file", keys.to_str().expect("path")],
    ] {
        let output = run(bec_usage().args(base).args(&extra));
        let (code, stdout, stderr) = parts(&output);
        assert_eq!(code, Some(0), "{extra:?}: {stderr}");
        assert_eq!(stdout.as_bytes(), from_env.stdout.as_slice(), "{extra:?}");
    }
}

#[test]
fn exit_3_for_a_bce_error_with_its_code_and_request_id_on_stderr() {
    let (standin, address) = start_standin();
    let output = run(bec_usage()
        .env("BCE_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("BCE_SECRET_ACCESS_KEY", "not-the-demo-secret")
        .args([
            "fetch",
            "--endpoint",
            &endpoint(address),
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
        ]));
    let (code, stdout, stderr) = parts(&output);
    assert_eq!(code, Some(3), "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("SignatureDoesNotMatch (HTTP 403, requestId "),
        "{stderr}"
    );
    assert!(!stderr.contains("requestId -)"), "a request id: {stderr}");
    assert!(
        stderr.contains("what to do: check the secret access key"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-the-demo-secret"), "{stderr}");
    assert_eq!(
        standin.request_count(),
        1,
        "a refused signature is not retried"
    );
}

#[test]
fn exit_4_when_nothing_answers() {
    let nobody = free_address();
    let output = run(bec_usage_demo().args([
        "fetch",
        "--endpoint",
        &endpoint(nobody),
        "--retries",
        "1",
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-31",
    ]));
    let (code, stdout, stderr) = parts(&output);
    assert_eq!(code, Some(4), "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("after 2 attempts"), "{stderr}");
}

#[test]
fn exit_4_for_answers_that_stay_broken_and_the_retries_ride_out_a_blip() {
    let (standin, address) = start_standin();
    standin.set_faults(Faults {
        truncate_rate: 1.0,
        ..Faults::default()
    });
    let args = [
        "fetch",
        "--endpoint",
        &endpoint(address),
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-01",
        "--format",
        "csv",
    ];
    let output = run(bec_usage_demo().args(args));
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("not whole usage data after 3 attempts"),
        "{stderr}"
    );
    // Every second answer a 500: the retry gets the data.
    standin.set_faults(Faults {
        error_rate: 0.5,
        ..Faults::default()
    });
    let output = run(bec_usage_demo().args(args));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn exit_1_when_the_output_cannot_be_written() {
    let (_standin, address) = start_standin();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let output = run(bec_usage_demo()
        .args([
            "fetch",
            "--endpoint",
            &endpoint(address),
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-01",
        ])
        .stdout(full));
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot write to stdout"), "{stderr}");
}

#[test]
fn output_is_written_whole_or_not_at_all() {
    let (standin, address) = start_standin();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("usage.csv");
    let path_text = path.to_str().expect("path");
    let args = [
        "fetch",
        "--endpoint",
        &endpoint(address),
        "--from",
        "2024-01-01",
        "--to",
        "2024-02-15",
        "--format",
        "csv",
        "--output",
        path_text,
        "--retries",
        "0",
    ];
    // The second query's answer is a 500: the run fails after the first was loaded.
    standin.set_faults(Faults {
        error_rate: 0.5,
        ..Faults::default()
    });
    let output = run(bec_usage_demo().args(args).arg("--concurrency").arg("1"));
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("InternalError (HTTP 500"), "{stderr}");
    assert_eq!(
        names_in(dir.path()),
        Vec::<String>::new(),
        "no file, no temporary file"
    );

    // An existing file is kept as it was by a failed run, and replaced whole by a good one.
    std::fs::File::create(&path)
        .and_then(|mut file| file.write_all(b"before\n"))
        .expect("write");
    let output = run(bec_usage_demo().args(args).arg("--concurrency").arg("1"));
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "before\n");
    standin.set_faults(Faults::default());
    let output = run(bec_usage_demo().args(args));
    let (code, stdout, stderr) = parts(&output);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "", "the data went to the file");
    let expected = expected_usage(&standin, "2024-01-01", "2024-02-15");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        points_csv(&expected, beijing_offset()).expect("csv")
    );
    assert_eq!(names_in(dir.path()), ["usage.csv"]);
}
