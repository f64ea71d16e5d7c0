#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets/, cargo-fuzz with libFuzzer) for SECONDS each
# (default 60), starting from its seeds (fuzz/seeds/TARGET/) and the corpus found so far
# (target/fuzz-corpus/TARGET/, not committed). Needs a nightly toolchain; installs cargo-fuzz
# if it is missing. Prints "fuzz: TARGET ok" or "fuzz: TARGET FAILED" per target and, at the
# end, "fuzz: N passed, N failed". A crash leaves its input in fuzz/artifacts/TARGET/, where
# the stable test of the targets (fuzz/tests/corpus.rs, in `bash scripts/test.sh`) replays
# it on every run until it is fixed; add it to fuzz/seeds/TARGET/ once it is.
#
# This is the long, coverage-guided run; the test command does not run it. The same checks
# run on stable over the seeds and their mutations in every test run (suite native-tests).
#
#   bash scripts/fuzz.sh            # 60 s per target
#   bash scripts/fuzz.sh 1800       # the long run: 30 minutes per target
#   TARGETS="parse_usage dates" bash scripts/fuzz.sh 10
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_PER_TARGET="${1:-60}"
say() { printf 'fuzz: %s\n' "$*"; }

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    say "no nightly toolchain (rustup toolchain list): fuzzing skipped"
    exit 0
fi
CARGO_FUZZ_VERSION=0.13.2
if [[ "$(cargo +nightly fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]]; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION (a few minutes)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked || {
        say "0 passed, 1 failed (cargo-fuzz did not install)"
        exit 1
    }
fi
# libFuzzer's runtime is behind a feature, so that the stable tests do not build it. The
# workspace's release profile has fat LTO, which breaks the sanitizers' coverage symbols at
# link time (undefined __sancov_gen_*): the fuzz build goes without it (cargo-fuzz adds
# debug line tables itself, so crash reports name the source lines).
FEATURES=(--features libfuzzer)
export CARGO_PROFILE_RELEASE_LTO=false

targets="${TARGETS:-$(cargo +nightly fuzz list --fuzz-dir fuzz)}"
say "building the targets (nightly, address sanitizer)"
mkdir -p target
if ! cargo +nightly fuzz build -O --fuzz-dir fuzz "${FEATURES[@]}" >target/fuzz-build.log 2>&1; then
    tail -30 target/fuzz-build.log
    say "0 passed, 1 failed (the build)"
    exit 1
fi

passed=0
failed=0
for target in $targets; do
    corpus="target/fuzz-corpus/$target"
    mkdir -p "$corpus"
    log="target/fuzz-$target.log"
    if cargo +nightly fuzz run -O --fuzz-dir fuzz "${FEATURES[@]}" "$target" "$corpus" "fuzz/seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 >"$log" 2>&1; then
        runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')"
        coverage="$(grep -o 'cov: [0-9]*' "$log" | tail -1)"
        say "$target ok: ${runs:-?} executions in ${SECONDS_PER_TARGET} s, ${coverage:-cov: ?}, corpus $(ls "$corpus" | wc -l) inputs"
        passed=$((passed + 1))
    else
        say "$target FAILED (log: $log):"
        grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -10
        failed=$((failed + 1))
    fi
done
say "$passed passed, $failed failed"
[[ "$failed" == 0 ]]
