#!/usr/bin/env bash
# Builds and packs the npm package, then runs its tests with Node's test runner (TAP output,
# ending with "# pass N" and "# fail N"): packaging (Node ESM and CommonJS consumers of the
# installed tarball, npm publish --dry-run), browsers (a Vite page and a plain module page in
# headless Chromium), the client against a local fake BEC, the TypeScript types, and the
# consumer matrix (test/consumers.test.mjs: the installed package through Rollup, esbuild,
# Vite, webpack, Parcel, Bun, Deno, Jest, Vitest and tsc; the jobs in consumers/).
#
#   bash tests/npm/run.sh              # what scripts/test.sh runs as the suite npm-package
#   bash tests/npm/run.sh --no-build   # the tests only, on the package already built
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ "${1:-}" != --no-build ]]; then
    bash ../../scripts/build-npm.sh
fi
# A hung test fails after five minutes instead of holding up the whole run. The limit is a
# file's too: the consumer matrix's 23 builds take about 70 s alone, and went over two
# minutes once at nice 10 beside the browser suites (2026-12-05).
exec node --test --test-reporter=tap --test-concurrency=1 --test-timeout=300000 test/*.test.mjs
