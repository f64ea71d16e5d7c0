#!/usr/bin/env bash
# The end-to-end checks in Firefox and WebKit (engines/*.test.mjs), on dist/ and the proxy
# as they are: run tests/e2e/run.sh (or scripts/test.sh) first, which builds them. Needs
# Debian's firefox-esr, webkit2gtk-driver and xvfb (scripts/setup.sh installs them); the
# WebKit driver starts an Xvfb of its own when there is no DISPLAY. Ends with node --test's
# TAP summary ("# pass N", "# fail N").
#
#   bash tests/e2e/run-engines.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for built in ../../dist/index.html "${BEC_PROXY_BIN:-../../target/debug/bec-usage-proxy}"; do
    [[ -e "$built" ]] || { echo "run-engines: $built is missing: build with tests/e2e/run.sh first" >&2; exit 1; }
done
export BEC_PROXY_BIN="${BEC_PROXY_BIN:-$PWD/../../target/debug/bec-usage-proxy}"
# WebKitGTK 2.50's JavaScriptCore now and then miscompiles a wasm function while its
# baseline compiler (BBQ) takes over (docs/dashboard.md, "WebKit (Safari's engine)";
# tests/e2e/webkit-repro/ shows it without a page). This suite checks our page in WebKit,
# not that engine bug, so the baseline compiler is off here. With the data worker (issue
# 23), compiling on the main thread (JSC_useConcurrentJIT=false, used before) no longer
# keeps it away: 1 and 2 of 30 loads failed; with BBQ off 0 of 30 and 0 of 60.
# `node webkit-loads.mjs` measures the bug itself.
export JSC_useBBQJIT="${JSC_useBBQJIT:-false}"
# A hung test fails after five minutes instead of holding up the whole run (a file counts as
# a test too: the 30 WebKit loads may take four while the other lanes compile).
exec node --test --test-reporter=tap --test-concurrency=1 --test-timeout=300000 engines/*.test.mjs
