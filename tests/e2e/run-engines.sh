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
# WebKit runs with JavaScriptCore's defaults, as users have it: its wasm fault (docs/
# dashboard.md, "WebKit (Safari's engine)") is the page's to survive (a crashed data worker
# is replaced, a demo run that disagrees is done again), and the 30 loads in a row check
# that. `node webkit-loads.mjs` counts the fault itself; JSC_* options in the environment
# still reach the browser.
# A hung test fails after five minutes instead of holding up the whole run (a file counts as
# a test too: the 30 WebKit loads may take four while the other lanes compile).
exec node --test --test-reporter=tap --test-concurrency=1 --test-timeout=300000 engines/*.test.mjs
