#!/usr/bin/env bash
# Sets up what is missing, then runs the main job. Until the dashboard exists, that is
# a demonstration of the core on a synthetic month: generate, write JSON, parse it back,
# and print each resource's exact statistics and the data-quality notes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

cargo run --release -p bec-usage --example month_stats
