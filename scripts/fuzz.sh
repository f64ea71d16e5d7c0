#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets/, cargo-fuzz with libFuzzer) for SECONDS each
# (default 60), starting from its seeds (fuzz/seeds/TARGET/) and the corpus found so far
# (target/fuzz-corpus/TARGET/, not committed). Needs a nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`); prints "fuzz: TARGET ok" or "fuzz: TARGET FAILED" per target
# and, at the end, "fuzz: N passed, N failed". A crash leaves its input in
# fuzz/artifacts/TARGET/: make it a regression test before anything else.
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
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    say "cargo-fuzz is not installed (cargo install cargo-fuzz): fuzzing skipped"
    exit 0
fi

targets="${TARGETS:-$(cargo +nightly fuzz list --fuzz-dir fuzz)}"
say "building the targets (nightly, address sanitizer)"
if ! cargo +nightly fuzz build -O --fuzz-dir fuzz >target/fuzz-build.log 2>&1; then
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
    if cargo +nightly fuzz run -O --fuzz-dir fuzz "$target" "$corpus" "fuzz/seeds/$target" -- \
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
