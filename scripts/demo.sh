#!/usr/bin/env bash
# Sets up what is missing, builds the dashboard (trunk, into dist/) and serves it with
# bec-usage-proxy in demo mode: the proxy signs with the public demo keys and forwards to
# the demo BEC stand-in in the same process, so the whole path (page → proxy → signed
# request → BEC-shaped answer) runs on this machine. Open the printed URL; Ctrl-C stops.
#
#   bash scripts/demo.sh                      # http://127.0.0.1:8080/
#   BEC_PROXY_LISTEN=0.0.0.0:9000 bash scripts/demo.sh
#
# The page's "Demo" source needs no proxy at all: dist/ works from any static host.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

listen="${BEC_PROXY_LISTEN:-127.0.0.1:8080}"
trunk build --release
cargo build --release -p bec-usage-proxy
echo "demo: the dashboard is at http://$listen/ (Ctrl-C stops)"
exec target/release/bec-usage-proxy --demo --dist dist --listen "$listen"
