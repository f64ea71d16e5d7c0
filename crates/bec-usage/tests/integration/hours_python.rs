//! Resource-hours and costs recounted by another implementation: the standard cases of the
//! example `hours_oracle` (its source is included below) are written to a folder, and
//! `tests/python/check_hours.py` reads each response with Python's `json`, counts by the
//! documented rules with numpy and pandas, prices with the sheet's tiers and compares with
//! the core's results (exactly for steps, covered and gap milliseconds and days; within
//! float64 relative 1e-9 and, from the exact decimal text, relative 1e-24 for hours and
//! costs).
//!
//! Ignored in a plain `cargo test`: it needs Python with `pandas`, which `scripts/setup.sh`
//! installs into `target/sdk-venv`. `scripts/test.sh` runs it as
//!
//! ```sh
//! BEC_HOURS_PYTHON=$PWD/target/sdk-venv/bin/python \
//!     cargo test -p bec-usage --test hours_python -- --ignored
//! ```
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::Command;

// The example's `main` is not used here.
#[allow(dead_code)]
#[path = "../../examples/hours_oracle.rs"]
mod hours_oracle;

use hours_oracle::{standard_cases, write_case};

#[test]
#[ignore = "needs Python with pandas: set BEC_HOURS_PYTHON and run with --ignored"]
fn pandas_recounts_the_hours_and_costs_of_the_core() {
    let python = std::env::var("BEC_HOURS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "BEC_HOURS_PYTHON is not set. It must be the absolute path of a Python with \
             pandas, e.g. after `bash scripts/setup.sh`: \
             BEC_HOURS_PYTHON=$PWD/target/sdk-venv/bin/python cargo test -p bec-usage \
             --test hours_python -- --ignored"
        )
    });
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hours_python");
    if root.exists() {
        std::fs::remove_dir_all(&root).expect("the previous run's cases are removed");
    }
    let cases = standard_cases();
    for case in &cases {
        let line = write_case(case, &root.join(&case.name))
            .unwrap_or_else(|e| panic!("case {}: {e}", case.name));
        println!("{line}");
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_hours.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(&root)
        .output()
        .unwrap_or_else(|e| panic!("cannot run BEC_HOURS_PYTHON={python}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "check_hours.py failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    let summary = format!("{} passed, 0 failed", cases.len());
    assert!(stdout.lines().any(|line| line == summary), "{stdout}");
    println!("{stdout}");
}
