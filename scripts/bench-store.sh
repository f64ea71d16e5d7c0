#!/usr/bin/env bash
# Benchmark of the history store (issue 24). Prints figures; it is not a pass/fail test.
#
#   bash scripts/bench-store.sh
#
# 1. The store alone (crates/bec-usage-store/examples/store_year.rs): one account-year
#    (2024, 366 days) of 5-minute data of the 8 default resources stored as the server
#    stores it, the file's size, and the time to answer the stored 366 days as one answer.
# 2. Through the server (release, --demo): `backfill` of 2024, then the dashboard's year
#    view as the server sees it, twelve 31-day requests, with the store warm and with
#    --store none (every request to the stand-in, which generates each answer once and
#    then serves it from its own memory cache: the "first" figure is the cold one).
#    Sequential, one client: the server's own time per year, not the page's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/bench-store"
rm -rf "$OUT" && mkdir -p "$OUT"
say() { printf 'bench-store: %s\n' "$*"; }

say "building (release)"
cargo build --release -p bec-usage-proxy --quiet
cargo build --release -p bec-usage-store --example store_year --quiet

say "the store alone: one account-year, 5-minute data, 8 resources"
"$TARGET/release/examples/store_year" "$OUT/year.sqlite3" | sed 's/^/  /'

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
bin="$TARGET/release/bec-usage-proxy"

say "backfill of 2024 through the demo stand-in"
start=$(date +%s.%N)
RUST_LOG=warn "$bin" backfill --demo --store "$OUT/server.sqlite3" --from 2024-01-01 --to 2024-12-31 2>&1 | sed 's/^/  /'
end=$(date +%s.%N)
printf '  backfill_seconds %.2f\n' "$(echo "$end - $start" | bc)"
printf '  store_bytes %s\n' "$(stat -c %s "$OUT/server.sqlite3")"

year_through() {
    local store="$1" port pid
    port="$(free_port)"
    RUST_LOG=warn "$bin" --demo --listen "127.0.0.1:$port" --rate-limit 0 --store "$store" \
        >"$OUT/proxy-$port.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
        sleep 0.05
    done
    python3 - "$port" <<'EOF'
import sys, time, urllib.request, datetime
port = sys.argv[1]
day = datetime.date(2024, 1, 1)
end = datetime.date(2024, 12, 31)
chunks = []
while day <= end:
    last = min(day + datetime.timedelta(days=30), end)
    chunks.append((day, last))
    day = last + datetime.timedelta(days=1)
runs = []
for run in range(4):
    start = time.perf_counter()
    size = 0
    for first, last in chunks:
        url = f"http://127.0.0.1:{port}/v1/usage/computing?beginDate={first}&endDate={last}"
        with urllib.request.urlopen(url) as answer:
            size += len(answer.read())
    runs.append(time.perf_counter() - start)
print(f"  year_12_requests_first_seconds {runs[0]:.3f} ({size} bytes)")
print(f"  year_12_requests_best_of_next_3_seconds {min(runs[1:]):.3f}")
EOF
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

say "the year through the server, store warm"
year_through "$OUT/server.sqlite3"
say "the year through the server, --store none (every request to the stand-in)"
year_through none
