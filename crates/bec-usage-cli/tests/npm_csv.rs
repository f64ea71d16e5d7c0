//! The CLI's CSV equals the npm package's `toCsv` for the same range: the package's own
//! client (`UsageClient`, its 31-day chunks and merge) loads the range from the same
//! stand-in in Node, and its `toCsv()` is compared byte for byte with `bec-usage fetch
//! --format csv`.
//!
//! The package is the one `scripts/build-npm.sh` builds into `target/npm/pkg/` (the npm
//! suite of `scripts/test.sh` builds it in a lane of its own). Where it is not built yet,
//! or Node is missing, the test says so and compares with the core function `toCsv` calls
//! (`bec_usage::analysis::points_csv`, default offset +08:00) on the stand-in's answers
//! merged by the core; that comparison runs in every case.

mod common;

use std::path::PathBuf;
use std::process::Command;

use bec_usage::analysis::points_csv;
use bec_usage::query::beijing_offset;
use bec_usage_proxy::standin::{DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};
use common::*;

/// `target/npm/pkg/index.mjs` of the target folder this test was built in, if built.
fn npm_package() -> Option<PathBuf> {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_bec-usage"));
    // target/debug/bec-usage → target
    let target = binary.parent()?.parent()?;
    let index = target.join("npm/pkg/index.mjs");
    index.is_file().then_some(index)
}

fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// What the npm package's client loads for `begin ..= end` from `endpoint`, as `toCsv()`.
fn npm_to_csv(index: &std::path::Path, endpoint: &str, begin: &str, end: &str) -> String {
    let script = format!(
        "import {{ UsageClient }} from {index:?};\n\
         const client = new UsageClient({{ endpoint: {endpoint:?}, credentials: {{ accessKeyId: {DEMO_ACCESS_KEY_ID:?}, secretAccessKey: {DEMO_SECRET_ACCESS_KEY:?} }} }});\n\
         const usage = await client.fetchUsage({begin:?}, {end:?});\n\
         process.stdout.write(usage.toCsv());\n",
        index = format!("file://{}", index.display()),
    );
    let output = Command::new("node")
        .args(["--input-type=module", "-e", &script])
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "node: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn the_csv_equals_the_npm_packages_to_csv_for_the_same_range() {
    let (standin, address) = start_standin();
    // 40 days: two queries, merged.
    let (begin, end) = ("2024-01-20", "2024-02-28");
    let output = run(bec_usage_demo().args([
        "fetch",
        "--endpoint",
        &endpoint(address),
        "--from",
        begin,
        "--to",
        end,
        "--format",
        "csv",
    ]));
    let (code, csv, stderr) = parts(&output);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(csv.starts_with("resource,unit,timestamp,amount\r\n"));

    let expected = expected_usage(&standin, begin, end);
    assert_eq!(
        csv,
        points_csv(&expected, beijing_offset()).expect("csv"),
        "the core function behind toCsv"
    );

    match (npm_package(), node_available()) {
        (Some(index), true) => {
            let npm = npm_to_csv(&index, &endpoint(address), begin, end);
            assert_eq!(csv.len(), npm.len());
            assert!(
                csv == npm,
                "the CLI's CSV differs from the npm package's toCsv"
            );
            eprintln!(
                "compared with the npm package's toCsv ({})",
                index.display()
            );
        }
        (index, node) => eprintln!(
            "the npm package's toCsv not run (package built: {}, node: {node}); compared with \
             the core's points_csv only (bash scripts/build-npm.sh builds the package)",
            index.is_some()
        ),
    }
}
