#!/usr/bin/env bash
# Sets up what is missing, then runs every suite and ends with one line:
#   N passed, N failed
# counting each test, and each of formatting, lints and rustdoc as one check.
# A failing suite does not stop the others; the exit status is non-zero if any failed.
#
#   bash scripts/test.sh             # logs in target/test-logs/, excerpts on failure
#   VERBOSE=1 bash scripts/test.sh   # also streams every suite's output
#
# The suites run in four lanes at once, so that compiling fills the time the browser and
# server tests spend waiting (most of theirs). Cargo locks a build folder per profile, so
# the lanes are split by profile and never wait on each other's lock:
#   debug     fmt, native-tests, clippy (native, wasm32, web), rustdoc, wasm-tests,
#             web-components, ui-symbols: target/debug and target/wasm32-unknown-unknown/
#             debug; then package once dist/ is built;
#   chromium  web-build (trunk, profile web-release), then e2e once the proxy is built;
#   engines   e2e-engines (Firefox, WebKit) once dist/ and the proxy are built;
#   npm       npm-package (profile wasm-release: its build, then its tests).
# The chain web-build then e2e/e2e-engines is the longest, so what is not on it (the debug
# lane once the proxy is built, the npm lane) runs at a lower priority (nice 10).
# Budgets (issue 20): the whole run within 15 minutes on a clean clone of a 2-core machine
# (tools installed), and within 4 minutes after a one-line change in the core.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
setup_start=$SECONDS
source scripts/setup.sh
setup_seconds=$((SECONDS - setup_start))

LOG_DIR=target/test-logs
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
# One line per finished suite, "NAME PASSED FAILED SECONDS", written by both lanes.
RESULTS="$LOG_DIR/results"
: >"$RESULTS"
# Written once native-tests has built target/debug/bec-usage-proxy, and once web-build has
# built dist/: the end-to-end suites wait for both.
PROXY_BUILT="$LOG_DIR/proxy-built"
DIST_BUILT="$LOG_DIR/dist-built"
run_start=$SECONDS

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
    if grep -q '^ *\(FAIL\|TIMEOUT\|SIGSEGV\|SIGABRT\) \[' "$log"; then
        # nextest: the failing tests, then their output
        grep -E '^ *(FAIL|TIMEOUT|SIGSEGV|SIGABRT) \[' "$log" | head -n 20
        grep -E -A12 '^--- STD(OUT|ERR): ' "$log" | head -n 60
    elif grep -q '^---- ' "$log"; then
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

# Prints the suite's line and adds it to $RESULTS; the failures' excerpts come at the end,
# so that the two lanes' lines stay readable.
record() { # NAME PASSED FAILED SECONDS
    echo "$1 $2 $3 $4" >>"$RESULTS"
    if (($3 > 0)); then
        printf '%-18s FAILED: %d passed, %d failed (%ss)\n' "$1" "$2" "$3" "$4"
    else
        printf '%-18s ok: %d passed (%ss)\n' "$1" "$2" "$4"
    fi
}

# A suite that is one check: it passes or fails as a whole.
check() { # NAME COMMAND...
    local name="$1" start=$SECONDS
    if run_logged "$@"; then
        record "$name" 1 0 $((SECONDS - start))
    else
        record "$name" 0 1 $((SECONDS - start))
    fi
}

# Counts the tests of a cargo test log, from the harness's lines
#   test result: ok. 12 passed; 0 failed; 1 ignored; ...
# and nextest's summary line
#   Summary [  31.965s] 426 tests run: 424 passed, 1 failed, 1 timed out, 3 skipped
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
        / tests? run: / {
            for (i = 1; i <= NF; i++) {
                if ($(i + 1) ~ /^passed/) passed += $i
                if ($(i + 1) ~ /^failed/) failed += $i
                if ($(i + 1) == "timed") failed += $i
            }
        }
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

# A suite of tests run by cargo's harness or nextest, counted one by one.
tests() { # NAME COMMAND...
    local name="$1" start=$SECONDS status=0 counts
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
    run_logged "$@" || status=$?
    counts="$(count_node_tests "$LOG_DIR/$name.log" "$status")"
    record "$name" "${counts% *}" "${counts#* }" $((SECONDS - start))
}

# The native tests: every test of the workspace through nextest (a process per test, so the
# test binaries run side by side), the #[ignore]d ones included: they check the signer,
# /metrics and resource-hours against Baidu's Python SDK, prometheus_client and pandas,
# from the venv scripts/setup.sh made. Then the doc-tests, which nextest does not run.
native_tests() {
    cargo nextest run --workspace --no-fail-fast --run-ignored all --cargo-quiet || return
    cargo test --workspace --doc --quiet
}

# Waits until the file MARK exists (a lane writes it once what it stands for is built, or
# has failed to build: the suites that need it then fail on their own).
wait_for() { # MARK
    while [[ ! -e "$1" ]]; do sleep 1; done
}

# The lanes. Each is one background job; the suites in a lane run in order.
debug_lane() {
    check fmt cargo fmt --all -- --check --color never
    # First, since the end-to-end suites wait for the proxy binary it builds.
    tests native-tests native_tests
    touch "$PROXY_BUILT"
    # The rest of this lane is not on the way to the end-to-end suites, which wait for the
    # dashboard's release build and then take the longest: it yields the CPU to them.
    renice -n 10 -p "$BASHPID" >/dev/null
    check clippy cargo clippy --workspace --all-targets -- -D warnings
    # On wasm32: the core with its JavaScript bindings, and the dashboard, whose views exist
    # only there. Two runs, since each has its own global allocator; the second reuses the
    # first's checked dependencies.
    check clippy-wasm cargo clippy -p bec-usage --target wasm32-unknown-unknown --features js \
        --all-targets -- -D warnings
    check clippy-web cargo clippy -p bec-usage-web --no-deps --target wasm32-unknown-unknown \
        --all-targets -- -D warnings
    check rustdoc env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
    # Node runs these through wasm-bindgen-test-runner (see .cargo/config.toml), with the
    # JavaScript bindings (--features js); tests/js_browser.rs runs in headless Chromium
    # through chromedriver, with the flags in crates/bec-usage/webdriver.json.
    tests wasm-tests env CHROMEDRIVER=/usr/bin/chromedriver \
        WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/crates/bec-usage/webdriver.json" \
        cargo test -p bec-usage --target wasm32-unknown-unknown --features js --no-fail-fast
    # The dashboard's components mounted in headless Chromium (web/webdriver.json).
    tests web-components env CHROMEDRIVER=/usr/bin/chromedriver \
        WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/web/webdriver.json" \
        cargo test -p bec-usage-web --target wasm32-unknown-unknown --test components
    # The page's wasm holds no JSON reader, generator or analysis (issue 23): the two
    # binaries in the dev profile, whose function names the linker kept, compared.
    check ui-symbols ui_symbols
    # The proxy's .deb from the binary and dist/ just built (cargo deb --no-build, about
    # 10 s), unpacked and checked, with its systemd unit (systemd-analyze); counted like
    # the Node suites, from its "# pass" and "# fail" lines. Here rather than before the
    # engines' suite, which would then start 40 s later.
    wait_for "$DIST_BUILT"
    node_tests package bash crates/bec-usage-proxy/tests/package/run.sh
}

ui_symbols() {
    cargo build --quiet -p bec-usage-web --target wasm32-unknown-unknown --bins &&
        node web/check-ui-symbols.mjs target/wasm32-unknown-unknown/debug/bec-usage-web.wasm \
            target/wasm32-unknown-unknown/debug/bec-usage-data.wasm
}

chromium_lane() {
    # trunk builds dist/ as the README's demo serves it.
    check web-build trunk build --release
    touch "$DIST_BUILT"
    wait_for "$PROXY_BUILT"
    # The dashboard end to end (tests/e2e/): dist/ through bec-usage-proxy --demo and --relay
    # and from a static server, in headless Chromium; an axe-core scan; screenshots in
    # tests/artifacts/.
    node_tests e2e bash tests/e2e/run.sh --no-build
}

engines_lane() {
    wait_for "$DIST_BUILT"
    wait_for "$PROXY_BUILT"
    # The same page in Firefox ESR (WebDriver BiDi) and WebKitGTK (WebKitWebDriver, Xvfb),
    # and 30 demo loads in a row in WebKit.
    node_tests e2e-engines bash tests/e2e/run-engines.sh
}

npm_lane() {
    # Not on the way to the end-to-end suites either (see debug_lane).
    renice -n 10 -p "$BASHPID" >/dev/null
    # The npm package, built and packed by scripts/build-npm.sh (profile wasm-release), then
    # used as a user would: Node ESM and CommonJS, bundlers, pages and workers in Chromium,
    # the client against a fake BEC, the types.
    node_tests npm-package bash tests/npm/run.sh
}

printf 'suites run in four lanes at once; a line per suite as it ends (logs in %s/)\n' "$LOG_DIR"
lanes=()
for lane in debug_lane chromium_lane engines_lane npm_lane; do
    "$lane" &
    lanes+=($!)
done
wait "${lanes[@]}" || true
run_seconds=$((SECONDS - run_start))

total_passed=0
total_failed=0
failed_suites=()
while read -r name passed failed seconds; do
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    if ((failed > 0)); then failed_suites+=("$name"); fi
done <"$RESULTS"
for name in "${failed_suites[@]}"; do
    printf '\n%s failed:\n' "$name"
    show_failure "$LOG_DIR/$name.log"
done

echo
echo "time per suite (seconds; the lanes overlap):"
sort -k4 -n -r "$RESULTS" | awk '{ printf "  %-18s %5d\n", $1, $4 }'
printf 'tests took %d s (set-up before them %d s): budget 900 s on a clean clone, 240 s after a one-line change\n' \
    "$run_seconds" "$setup_seconds"
if ((${#failed_suites[@]} > 0)); then
    echo "failed suites: ${failed_suites[*]} (logs in $LOG_DIR/)"
fi
echo "$total_passed passed, $total_failed failed"
((total_failed == 0))
