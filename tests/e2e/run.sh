#!/usr/bin/env bash
# Builds the dashboard (trunk build --release into dist/) and the proxy (debug: it builds
# faster and the tests only need it correct), then runs the end-to-end tests with Node's
# test runner (TAP output, ending with "# pass N" and "# fail N"): the page through
# `bec-usage-proxy --demo`, "My keys" through a relaying proxy, dist/ on a plain static
# server, and an axe-core scan that also saves screenshots to tests/artifacts/.
#
#   bash tests/e2e/run.sh              # what scripts/test.sh runs as the suite e2e
#   bash tests/e2e/run.sh --no-build   # the tests only, on dist/ and target/ as they are
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ "${1:-}" != --no-build ]]; then
    # trunk's wasm-opt: npm binaryen, as scripts/setup.sh installs it (never Debian's).
    export PATH="$PWD/../../tools/npm/node_modules/.bin:$PATH"
    (cd ../.. && trunk build --release && cargo build -p bec-usage-proxy)
fi
export BEC_PROXY_BIN="${BEC_PROXY_BIN:-$PWD/../../target/debug/bec-usage-proxy}"
# A hung test fails after two minutes instead of holding up the whole run.
exec node --test --test-reporter=tap --test-concurrency=1 --test-timeout=120000 test/*.test.mjs
