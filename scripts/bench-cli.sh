#!/usr/bin/env bash
# Benchmark of the command line `bec-usage` (issue 24). Prints figures; it is not a
# pass/fail test.
#
#   bash scripts/bench-cli.sh
#
# `bec-usage fetch` of a 366-day range (2024) to CSV through the demo stand-in
# (`bec-usage-proxy standin`, 5-minute data of the 8 default resources, twelve 31-day
# queries, 4 at once): first with the stand-in generating every answer, then with its
# answers cached (the CLI's own work: transfer, reading, merging, writing), then from a
# warm history store (--store: no request at all). Release builds; each time is the best
# of RUNS (default 3) runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/bench-cli"
RUNS="${RUNS:-3}"
rm -rf "$OUT" && mkdir -p "$OUT"
say() { printf 'bench-cli: %s\n' "$*"; }

say "building (release)"
cargo build --release -p bec-usage-proxy -p bec-usage-cli --quiet
proxy="$TARGET/release/bec-usage-proxy"
cli="$TARGET/release/bec-usage"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUST_LOG=warn "$proxy" standin --listen "127.0.0.1:$port" >"$OUT/standin.log" 2>&1 &
standin=$!
trap 'kill "$standin" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
done

export BCE_ACCESS_KEY_ID=demo-access-key-id BCE_SECRET_ACCESS_KEY=demo-secret-access-key
fetch() { # OUTPUT [FLAGS...]
    local output="$1"
    shift
    "$cli" fetch --endpoint "http://127.0.0.1:$port" --from 2024-01-01 --to 2024-12-31 \
        --format csv --output "$output" "$@"
}
seconds() { # COMMAND...: wall-clock seconds of one run
    local start end
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
best() { # COMMAND...: the best of RUNS runs
    local best="" t
    for _ in $(seq "$RUNS"); do
        t=$(seconds "$@")
        if [[ -z "$best" ]] || (($(echo "$t < $best" | bc))); then best=$t; fi
    done
    printf '%.2f' "$best"
}

say "366 days (2024) to CSV, 5-minute data, 8 resources"
cold=$(seconds fetch "$OUT/cold.csv")
printf '  stand-in generating its answers (first run): %.2f s\n' "$cold"
printf '  stand-in answers cached:                      %s s (best of %s)\n' "$(best fetch "$OUT/warm.csv")" "$RUNS"
fetch "$OUT/store.csv" --store "$OUT/history.sqlite3"
# The stand-in stopped: the store alone answers.
kill "$standin" && wait "$standin" 2>/dev/null || true
printf '  from a warm --store, the stand-in stopped:    %s s (best of %s)\n' \
    "$(best fetch "$OUT/store.csv" --store "$OUT/history.sqlite3")" "$RUNS"
cmp "$OUT/cold.csv" "$OUT/warm.csv"
cmp "$OUT/cold.csv" "$OUT/store.csv"
printf '  CSV: %s bytes, %s rows; the three files are identical\n' \
    "$(stat -c %s "$OUT/cold.csv")" "$(($(wc -l <"$OUT/cold.csv") - 1))"
printf '  store file: %s bytes\n' "$(stat -c %s "$OUT/history.sqlite3")"
