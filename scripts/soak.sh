#!/usr/bin/env bash
# The fault soak: bec-usage-proxy (release, server-signed with the demo keys) on loopback in
# front of the BEC stand-in as its own process, with its faults on (100 ms latency, 5% of
# answers 500, 2% cut in half, 2% with a malformed amount), under load for MINUTES (default
# 10), the stand-in restarted twice during the run. Prints the answers by status and code,
# the answers that are neither a whole BEC body nor a BCE-style error (must be 0), whether
# the proxy survived (and exits 0 on SIGTERM), its resident memory and open file
# descriptors every 10 s, and p50/p99 latency. It is not a pass/fail test; docs/performance.md has
# the figures.
#
#   bash scripts/soak.sh            # 10 minutes
#   bash scripts/soak.sh 2          # 2 minutes
#   CONNECTIONS=32 bash scripts/soak.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MINUTES="${1:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
OUT="target/soak"
mkdir -p "$OUT"
say() { printf 'soak: %s\n' "$*"; }

say "building the release proxy and the load"
cargo build --release -p bec-usage-proxy --quiet
cargo build --release -p bec-usage-proxy --example soak_load --quiet

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
standin_port="$(free_port)"
proxy_port="$(free_port)"
bin=target/release/bec-usage-proxy

standin_pid=""
start_standin() {
    RUST_LOG=warn "$bin" standin --listen "127.0.0.1:$standin_port" --fault-latency-ms 100 \
        --fault-error-rate 0.05 --fault-truncate-rate 0.02 --fault-malformed-rate 0.02 \
        >>"$OUT/standin.log" 2>&1 &
    standin_pid=$!
}
: >"$OUT/standin.log"
start_standin

RUST_LOG=warn BCE_ACCESS_KEY_ID=demo-access-key-id BCE_SECRET_ACCESS_KEY=demo-secret-access-key \
    "$bin" --listen "127.0.0.1:$proxy_port" --upstream "http://127.0.0.1:$standin_port" \
    --rate-limit 0 >"$OUT/proxy.log" 2>&1 &
proxy_pid=$!
sampler=""
cleanup() {
    [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null || true
    kill "$standin_pid" "$proxy_pid" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$proxy_port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done

: >"$OUT/samples.txt"
(
    start=$SECONDS
    while kill -0 "$proxy_pid" 2>/dev/null; do
        rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$proxy_pid/status" 2>/dev/null || echo 0)"
        fds="$(ls "/proc/$proxy_pid/fd" 2>/dev/null | wc -l)"
        printf '%d %s %s\n' $((SECONDS - start)) "$rss" "$fds" >>"$OUT/samples.txt"
        sleep 10
    done
) &
sampler=$!

seconds=$((MINUTES * 60))
say "load: $CONNECTIONS connections for $MINUTES min; the stand-in restarts at $((seconds / 3)) s and $((2 * seconds / 3)) s"
target/release/examples/soak_load "http://127.0.0.1:$proxy_port" "$seconds" "$CONNECTIONS" >"$OUT/load.txt" &
load_pid=$!
for at in $((seconds / 3)) $((2 * seconds / 3)); do
    sleep $((at - ${last_at:-0}))
    last_at=$at
    say "restarting the stand-in (t=${at}s)"
    kill "$standin_pid" 2>/dev/null || true
    wait "$standin_pid" 2>/dev/null || true
    sleep 2
    start_standin
done
wait "$load_pid"

alive=yes
kill -0 "$proxy_pid" 2>/dev/null || alive=no
kill -TERM "$proxy_pid" 2>/dev/null || true
exit_status=0
wait "$proxy_pid" || exit_status=$?
kill "$sampler" 2>/dev/null || true
sampler=""

value() { awk -F= -v key="$1" '$1 == key { print $2 }' "$OUT/load.txt"; }
echo
echo "== bec-usage-proxy soak: $MINUTES min, $CONNECTIONS connections, stand-in faults 100 ms, 5% 500, 2% cut, 2% malformed, restarted twice"
printf 'answers           %s (%s/s)\n' "$(value answers)" "$(value per_second)"
printf 'by status         %s\n' "$(grep '^status_' "$OUT/load.txt" | sed 's/^status_//' | paste -sd' ')"
printf 'by code           %s\n' "$(grep '^code_' "$OUT/load.txt" | sed 's/^code_//' | paste -sd' ')"
printf 'bad answers       %s (neither a whole BEC body nor a BCE-style error)\n' "$(value bad)"
grep '^bad_sample=' "$OUT/load.txt" | sed 's/^bad_sample=/  /' || true
printf 'proxy             alive at the end: %s; exit status after SIGTERM: %s\n' "$alive" "$exit_status"
awk '{ printf "%s%ss %.1f MB/%s fds", (NR > 1 ? ", " : "rss/fds every 10 s: "), $1, $2 / 1024, $3 } END { print "" }' "$OUT/samples.txt"
awk 'NR == 1 || $2 < min { min = $2 } $2 > max { max = $2 } NR == 1 || $3 < fmin { fmin = $3 } $3 > fmax { fmax = $3 }
     END { printf "rss               min %.1f MB, max %.1f MB; open fds min %d, max %d\n", min / 1024, max / 1024, fmin, fmax }' "$OUT/samples.txt"
printf 'latency           p50 %s ms, p99 %s ms\n' "$(value p50_ms)" "$(value p99_ms)"
