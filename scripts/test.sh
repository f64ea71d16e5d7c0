#!/usr/bin/env bash
# Sets up what is missing, then runs every suite and ends with one line:
#   N passed, N failed
# counting each test, and each of formatting, lints and rustdoc as one check.
# A failing suite does not stop the others; the exit status is non-zero if any failed.
#
#   bash scripts/test.sh             # logs in target/test-logs/, excerpts on failure
#   VERBOSE=1 bash scripts/test.sh   # also streams every suite's output
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

LOG_DIR=target/test-logs
mkdir -p "$LOG_DIR"
total_passed=0
total_failed=0
failed_suites=()

# Runs a command with its output in $LOG_DIR/NAME.log; returns its exit status.
run_logged() { # NAME COMMAND...
    local log="$LOG_DIR/$1.log"
    shift
    if [[ "${VERBOSE:-0}" == 1 ]]; then
        "$@" 2>&1 | tee "$log"
    else
        "$@" >"$log" 2>&1
    fi
}

# What to read when a suite fails: the failing tests with their messages, else the
# first compiler error, else the start and the end of the log.
show_failure() { # LOG
    # `head` closing the pipe early is fine: without this, pipefail and `set -e` would end
    # the whole run on the first failing suite with a long log.
    set +o pipefail
    local log="$1"
    echo "   ---- from $log"
    if grep -q '^---- ' "$log"; then
        grep -E -A5 '^---- ' "$log" | head -n 80
    elif grep -q '^not ok' "$log"; then
        grep -E -A14 '^not ok' "$log" | head -n 80
    elif grep -q '^error' "$log"; then
        sed -n "/^error/,\$p" "$log" | head -n 30
    elif (($(wc -l <"$log") <= 60)); then
        cat "$log"
    else
        head -n 30 "$log"
        echo "   [...]"
        tail -n 20 "$log"
    fi
    echo "   ----"
    set -o pipefail
}

record() { # NAME PASSED FAILED SECONDS
    total_passed=$((total_passed + $2))
    total_failed=$((total_failed + $3))
    if (($3 > 0)); then
        failed_suites+=("$1")
        printf '%-18s FAILED: %d passed, %d failed (%ss)\n' "$1" "$2" "$3" "$4"
        show_failure "$LOG_DIR/$1.log"
    else
        printf '%-18s ok: %d passed (%ss)\n' "$1" "$2" "$4"
    fi
}

# A suite that is one check: it passes or fails as a whole.
check() { # NAME COMMAND...
    local name="$1" start=$SECONDS
    printf '%-18s running: %s\n' "$name" "${*:2}"
    if run_logged "$@"; then
        record "$name" 1 0 $((SECONDS - start))
    else
        record "$name" 0 1 $((SECONDS - start))
    fi
}

# Counts the tests of a cargo test log, from the harness's lines
#   test result: ok. 12 passed; 0 failed; 1 ignored; ...
# and prints "PASSED FAILED". EXIT_STATUS is the command's: a run that failed without
# any failing test counted (it did not compile, or a runner crashed) counts one failure
# per failed target cargo names, at least one; a run that passed nothing counts one
# failure, since a suite that ran no test has checked nothing.
count_tests() { # LOG EXIT_STATUS
    awk -v status="$2" '
        /^test result: / {
            for (i = 1; i <= NF; i++) {
                if ($(i + 1) ~ /^passed;?$/) passed += $i
                if ($(i + 1) ~ /^failed;?$/) failed += $i
            }
            if ($3 == "FAILED.") failed_targets++
        }
        /^error: [0-9]+ targets? failed:/ { cargo_failed_targets = $2 }
        END {
            if (status != 0) {
                # Targets cargo reports as failed but whose harness never reported.
                unreported = cargo_failed_targets - failed_targets
                if (unreported > 0) failed += unreported
                if (failed == 0) failed = 1
            }
            if (passed == 0 && failed == 0) failed = 1
            print passed + 0, failed + 0
        }
    ' "$1"
}

# A suite of tests run by cargo's harness, counted one by one.
tests() { # NAME COMMAND...
    local name="$1" start=$SECONDS status=0 counts
    printf '%-18s running: %s\n' "$name" "${*:2}"
    run_logged "$@" || status=$?
    counts="$(count_tests "$LOG_DIR/$name.log" "$status")"
    record "$name" "${counts% *}" "${counts#* }" $((SECONDS - start))
}

# Counts the tests of a Node test-runner log from its closing lines "# pass N", "# fail N"
# and "# cancelled N", and prints "PASSED FAILED"; as in count_tests, a failed run with no
# failure counted (the package did not build, the runner crashed) counts one failure, and so
# does a run that passed nothing.
count_node_tests() { # LOG EXIT_STATUS
    awk -v status="$2" '
        /^# pass [0-9]+$/ { passed += $3 }
        /^# (fail|cancelled) [0-9]+$/ { failed += $3 }
        END {
            if (status != 0 && failed == 0) failed = 1
            if (passed == 0 && failed == 0) failed = 1
            print passed + 0, failed + 0
        }
    ' "$1"
}

# A suite of tests run by Node's test runner, counted one by one.
node_tests() { # NAME COMMAND...
    local name="$1" start=$SECONDS status=0 counts
    printf '%-18s running: %s\n' "$name" "${*:2}"
    run_logged "$@" || status=$?
    counts="$(count_node_tests "$LOG_DIR/$name.log" "$status")"
    record "$name" "${counts% *}" "${counts#* }" $((SECONDS - start))
}

# Each fuzz target for a few seconds (scripts/fuzz.sh, which counts its targets), when a
# nightly toolchain and cargo-fuzz are installed; said and skipped otherwise.
fuzz_smoke() { # NAME SECONDS
    local name="$1" start=$SECONDS status=0 counts
    printf '%-18s running: %s\n' "$name" "bash scripts/fuzz.sh $2"
    run_logged "$name" bash scripts/fuzz.sh "$2" || status=$?
    if grep -q 'fuzzing skipped' "$LOG_DIR/$name.log"; then
        printf '%-18s skipped: %s\n' "$name" "$(grep -m1 'fuzzing skipped' "$LOG_DIR/$name.log")"
        return
    fi
    counts="$(awk -v status="$status" '
        /^fuzz: [0-9]+ passed, [0-9]+ failed/ { passed = $2; failed = $4 }
        END { if (status != 0 && failed == 0) failed = 1; print passed + 0, failed + 0 }
    ' "$LOG_DIR/$name.log")"
    record "$name" "${counts% *}" "${counts#* }" $((SECONDS - start))
}

check fmt cargo fmt --all -- --check --color never
check clippy cargo clippy --workspace --all-targets -- -D warnings
check clippy-wasm cargo clippy -p bec-usage --target wasm32-unknown-unknown --features js --all-targets -- -D warnings
tests native-tests cargo test --workspace --no-fail-fast
# Node runs these through wasm-bindgen-test-runner (see .cargo/config.toml), with the
# JavaScript bindings (--features js); tests/js_browser.rs runs in headless Chromium through
# chromedriver, with the flags in crates/bec-usage/webdriver.json.
tests wasm-tests env CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/crates/bec-usage/webdriver.json" \
    cargo test -p bec-usage --target wasm32-unknown-unknown --features js --no-fail-fast
# The signer against Baidu's official Python SDK (ignored by default: it needs the venv).
tests sdk-conformance env BEC_SDK_PYTHON="$BEC_SDK_PYTHON" \
    cargo test -p bec-usage --test sdk_conformance -- --ignored
# The proxy's /metrics parsed by PyPI's prometheus_client, its counts checked against the
# requests that script made (ignored by default: it needs the venv).
tests proxy-metrics-py env BEC_METRICS_PYTHON="$BEC_METRICS_PYTHON" \
    cargo test -p bec-usage-proxy --test metrics_python -- --ignored
# Resource-hours and costs recounted with numpy and pandas from the same responses and price
# sheet, by tests/python/check_hours.py (ignored by default: it needs the venv).
tests hours-python env BEC_HOURS_PYTHON="$BEC_HOURS_PYTHON" \
    cargo test -p bec-usage --test hours_python -- --ignored
check rustdoc env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
# The dashboard (web/): its views exist only on wasm32, so they are linted there; its
# component tests mount them in headless Chromium (web/webdriver.json has the flags); and
# trunk builds dist/ as the README's demo serves it.
check clippy-web cargo clippy -p bec-usage-web --no-deps --target wasm32-unknown-unknown \
    --all-targets -- -D warnings
tests web-components env CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/web/webdriver.json" \
    cargo test -p bec-usage-web --target wasm32-unknown-unknown --test components
check web-build trunk build --release
# The npm package, built and packed by scripts/build-npm.sh, then used as a user would:
# Node ESM and CommonJS, a Vite page and a plain page in Chromium, the client, the types.
node_tests npm-package bash tests/npm/run.sh
# The dashboard end to end (tests/e2e/): dist/ through bec-usage-proxy --demo and --relay and
# from a static server, in headless Chromium; an axe-core scan; screenshots in tests/artifacts/.
node_tests e2e bash tests/e2e/run.sh
fuzz_smoke fuzz 3

if ((${#failed_suites[@]} > 0)); then
    echo "failed suites: ${failed_suites[*]} (logs in $LOG_DIR/)"
fi
echo "$total_passed passed, $total_failed failed"
((total_failed == 0))
