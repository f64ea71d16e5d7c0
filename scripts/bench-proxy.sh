#!/usr/bin/env bash
# Load benchmark of bec-usage-proxy: `--demo` (proxy + in-process BEC stand-in) on loopback,
# one-day usage queries, driven by wrk. Prints figures; it is not a pass/fail test.
#
#   bash scripts/bench-proxy.sh                     # 60 s, 16 connections
#   DURATION=20 CONNECTIONS=64 bash scripts/bench-proxy.sh
#   SIGN_IN=1 bash scripts/bench-proxy.sh           # with sign-in: every request carries a session cookie
#
# Targets (docs/performance.md): >= 5,000 requests/s, 0 errors, p99 <= 50 ms, resident
# memory flat over the run. Every request goes client -> proxy (validation, signing with
# the demo keys) -> loopback HTTP -> stand-in (signature check, cached ~105 KB answer) ->
# proxy -> client. The per-client rate limit is turned off (--rate-limit 0): wrk is one
# client. Logs are at warn (RUST_LOG) so the figures measure serving, not logging.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION="${DURATION:-60}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-1}"
WARMUP="${WARMUP:-5}"
SAMPLE_EVERY="${SAMPLE_EVERY:-5}"
DAY="${DAY:-2024-01-15}"
SIGN_IN="${SIGN_IN:-0}"
OUT="target/bench-proxy"
mkdir -p "$OUT"

say() { printf 'bench-proxy: %s\n' "$*"; }

if ! command -v wrk >/dev/null 2>&1; then
    say "installing wrk from Debian"
    if [[ "$(id -u)" == 0 ]]; then
        apt-get update -qq && apt-get install -y -qq wrk
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq wrk
    fi
fi

say "building the release binary"
cargo build --release -p bec-usage-proxy --quiet

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
url="$base/v1/usage/computing?beginDate=$DAY&endDate=$DAY"

# With SIGN_IN=1 the proxy has a user, and every request carries the session cookie of
# its sign-in: the session check's cost per request.
access_args=()
if [[ "$SIGN_IN" == 1 ]]; then
    printf 'bench-password\n' | target/release/bec-usage-proxy add-user bench >"$OUT/users"
    access_args=(--users-file "$OUT/users")
fi

RUST_LOG="${RUST_LOG:-warn}" target/release/bec-usage-proxy --demo --listen "127.0.0.1:$port" \
    --rate-limit 0 "${access_args[@]}" >"$OUT/proxy.log" 2>&1 &
pid=$!
sampler=""
cleanup() {
    [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 50); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null || { say "the proxy did not start"; cat "$OUT/proxy.log"; exit 1; }
cookie_header=()
if [[ "$SIGN_IN" == 1 ]]; then
    cookie="$(curl -fsS -o /dev/null -D - -H 'Content-Type: application/json' \
        --data '{"user":"bench","password":"bench-password"}' "$base/auth/login" |
        awk 'tolower($1) == "set-cookie:" { split($2, pair, ";"); print pair[1] }')"
    [[ -n "$cookie" ]] || { say "the sign-in gave no cookie"; exit 1; }
    cookie_header=(-H "Cookie: $cookie")
    say "signed in; requests carry the session cookie"
fi
bytes="$(curl -fsS "${cookie_header[@]}" "$url" | wc -c)"
say "proxy pid $pid on port $port; one-day answer: $bytes bytes"

# wrk's summary as key=value lines, from its own counters (exact percentiles).
cat >"$OUT/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("requests=%d\n", summary.requests))
  io.write(string.format("seconds=%.2f\n", seconds))
  io.write(string.format("rps=%.0f\n", summary.requests / seconds))
  io.write(string.format("mb_per_s=%.1f\n", summary.bytes / seconds / 1e6))
  io.write(string.format("non_2xx=%d\n", e.status))
  io.write(string.format("socket_errors=%d\n", e.connect + e.read + e.write + e.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s_ms=%.2f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max_ms=%.2f\n", latency.max / 1000))
end
LUA

say "warming up for ${WARMUP} s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${cookie_header[@]}" "$url" >/dev/null

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
: >"$OUT/rss.txt"
(
    start=$SECONDS
    while kill -0 "$pid" 2>/dev/null; do
        printf '%d %s\n' $((SECONDS - start)) "$(rss_kb)" >>"$OUT/rss.txt"
        sleep "$SAMPLE_EVERY"
    done
) &
sampler=$!

say "running wrk: $THREADS thread(s), $CONNECTIONS connections, ${DURATION} s, GET $url"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s -s "$OUT/report.lua" "${cookie_header[@]}" "$url" >"$OUT/wrk.txt"
printf '%d %s\n' "$DURATION" "$(rss_kb)" >>"$OUT/rss.txt"
kill "$sampler" 2>/dev/null || true
sampler=""

value() { awk -F= -v key="$1" '$1 == key { print $2 }' "$OUT/wrk.txt"; }
echo
echo "== bec-usage-proxy --demo, one-day queries ($bytes bytes each), $(nproc) cores, sign-in: $([[ "$SIGN_IN" == 1 ]] && echo "on, with a session cookie" || echo off)"
printf 'requests/s        %s  (%s requests in %s s, %s MB/s)\n' "$(value rps)" "$(value requests)" "$(value seconds)" "$(value mb_per_s)"
printf 'errors            %s non-2xx, %s socket errors\n' "$(value non_2xx)" "$(value socket_errors)"
printf 'latency           p50 %s ms, p90 %s ms, p99 %s ms, p99.9 %s ms, max %s ms\n' \
    "$(value p50_ms)" "$(value p90_ms)" "$(value p99_ms)" "$(value p99.9_ms)" "$(value max_ms)"
awk '{ printf "%s%ss %.1f MB", (NR > 1 ? ", " : "rss over time     "), $1, $2 / 1024 } END { print "" }' "$OUT/rss.txt"
awk 'NR == 1 || $2 < min { min = $2 } $2 > max { max = $2 } { last = $2 }
     END { printf "rss               min %.1f MB, max %.1f MB, end %.1f MB\n", min / 1024, max / 1024, last / 1024 }' "$OUT/rss.txt"
printf 'logs              %s lines (RUST_LOG=%s) in %s\n' "$(wc -l <"$OUT/proxy.log")" "${RUST_LOG:-warn}" "$OUT/proxy.log"
