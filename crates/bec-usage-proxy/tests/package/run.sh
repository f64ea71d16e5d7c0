#!/usr/bin/env bash
# The Debian package and its systemd unit (issue 22), inspected and unpacked as an
# operator receives them; never installed.
#
#   bash crates/bec-usage-proxy/tests/package/run.sh
#
# It packages what is already built, and builds nothing: the proxy binary of the dev
# profile (target/debug/bec-usage-proxy, which the native tests build) and the dashboard
# (dist/, from `trunk build --release`). scripts/test.sh runs it once both exist. The dev
# binary stands in for the release one (`cargo deb -p bec-usage-proxy` builds that): what
# is checked here is what the package holds and where, not the binary's speed. cargo-deb
# warns that it is meant for release profiles; the version scripts/setup.sh pins accepts it.
#
# One line per check ("ok - ..." or "not ok - ..."), then "# pass N", "# fail N" and
# "N passed, N failed"; exits non-zero if any check failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../../.."
root="$PWD"

passed=0
failed=0
skipped=0
ok() { printf 'ok - %s\n' "$1"; passed=$((passed + 1)); }
not_ok() { printf 'not ok - %s\n' "$1"; failed=$((failed + 1)); }
skip() { printf 'ok - %s # SKIP %s\n' "$1" "$2"; skipped=$((skipped + 1)); }
# check DESCRIPTION COMMAND...: one check, passing when COMMAND succeeds.
check() {
    local what="$1"
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}
finish() {
    printf '# pass %d\n# fail %d\n# skip %d\n' "$passed" "$failed" "$skipped"
    printf '%d passed, %d failed\n' "$passed" "$failed"
    ((failed == 0))
    exit
}

binary="$root/target/debug/bec-usage-proxy"
out="$root/target/package"
rm -rf "$out"
mkdir -p "$out/unpacked"

for needed in "$binary" "$root/dist/index.html"; do
    check "$needed exists (built before this suite)" test -e "$needed"
done
check "cargo-deb is installed (scripts/setup.sh)" command -v cargo-deb >/dev/null
((failed == 0)) || finish

# ---- build the package from what is built ----
if cargo deb --quiet -p bec-usage-proxy --no-build --profile dev --strip \
    --output "$out/bec-usage-proxy.deb" >"$out/cargo-deb.log" 2>&1; then
    ok "cargo deb --no-build packages the built binary and dist/"
else
    not_ok "cargo deb --no-build packages the built binary and dist/ (see $out/cargo-deb.log)"
    cat "$out/cargo-deb.log"
    finish
fi
deb="$out/bec-usage-proxy.deb"

# ---- what dpkg-deb says it holds ----
dpkg-deb --contents "$deb" | awk '{ print $1, $6 }' >"$out/contents"
dpkg-deb --field "$deb" Package Version Architecture Depends >"$out/fields"
holds() { # MODE PATH: the package lists PATH with permissions MODE
    grep -qxF -- "$1 ./$2" "$out/contents"
}
check "named bec-usage-proxy, the crate's version" \
    grep -qx "Version: $(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)-1" "$out/fields"
check "depends on the C library only (rustls: no OpenSSL)" \
    grep -qE '^Depends: libc6( \(>= [0-9.]+\))?$' "$out/fields"
check "the binary in /usr/bin, executable" holds -rwxr-xr-x usr/bin/bec-usage-proxy
check "the systemd unit in /usr/lib/systemd/system" \
    holds -rw-r--r-- usr/lib/systemd/system/bec-usage-proxy.service
check "the example config in /etc/bec-usage-proxy" holds -rw-r--r-- etc/bec-usage-proxy/config.toml
check "the example config is a conffile (an upgrade keeps the operator's edits)" \
    sh -c "dpkg-deb --info '$deb' conffiles | grep -qx /etc/bec-usage-proxy/config.toml"
check "the operator's guide in /usr/share/doc" \
    holds -rw-r--r-- usr/share/doc/bec-usage-proxy/operator.md
missing=""
while IFS= read -r file; do
    holds -rw-r--r-- "usr/share/bec-usage-proxy/dist/$file" || missing+=" $file"
done < <(cd dist && find . -type f -printf '%P\n' | sort)
check "every file of dist/ in /usr/share/bec-usage-proxy/dist${missing:+ (missing:$missing)}" \
    test -z "$missing"
check "nothing outside /usr and /etc" sh -c "! grep -vE ' \\./(usr|etc)(/|\$)' '$out/contents' | grep -v ' \\./\$'"

# ---- unpacked ----
unpacked="$out/unpacked"
dpkg-deb --extract "$deb" "$unpacked"
check "the dashboard is dist/, byte for byte" diff -r dist "$unpacked/usr/share/bec-usage-proxy/dist"
check "the binary runs and says its version" \
    sh -c "'$unpacked/usr/bin/bec-usage-proxy' --version | grep -qx 'bec-usage-proxy $(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)'"
# The example config as the binary reads it. Its dist is the packaged folder, which the
# server checks at start: here, where the package is unpacked and not installed, --dist
# points at the unpacked copy (a flag wins over the file).
check "the example config serves the packaged dashboard" \
    grep -qx 'dist = "/usr/share/bec-usage-proxy/dist"' "$unpacked/etc/bec-usage-proxy/config.toml"
if "$unpacked/usr/bin/bec-usage-proxy" print-config --config "$unpacked/etc/bec-usage-proxy/config.toml" \
    --dist "$unpacked/usr/share/bec-usage-proxy/dist" >"$out/print-config.txt" 2>&1; then
    ok "the example config is accepted by the packaged binary (print-config)"
else
    not_ok "the example config is accepted by the packaged binary: $(cat "$out/print-config.txt")"
fi
check "the example config listens on loopback (a front serves it to the team)" \
    grep -q '^listen = "127.0.0.1:' "$out/print-config.txt"

# ---- the unit ----
unit="$unpacked/usr/lib/systemd/system/bec-usage-proxy.service"
for directive in \
    'DynamicUser=yes' 'ProtectSystem=strict' 'StateDirectory=bec-usage-proxy' \
    'ConfigurationDirectory=bec-usage-proxy' 'ExecReload=/bin/kill -HUP $MAINPID' \
    'NoNewPrivileges=yes' 'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'RestrictNamespaces=yes' \
    'CapabilityBoundingSet=' 'SystemCallFilter=@system-service' \
    'ExecStart=/usr/bin/bec-usage-proxy --config ${CONFIGURATION_DIRECTORY}/config.toml'; do
    check "the unit says $directive" grep -qxF "$directive" "$unit"
done
check "the unit does not hide /proc/stat (process_start_time_seconds needs it)" \
    sh -c "! grep -q '^ProcSubset=pid' '$unit'"
if command -v systemd-analyze >/dev/null 2>&1; then
    # verify checks that ExecStart's program exists: on a machine without the package
    # installed, a copy of the unit points at the unpacked binary; nothing else changes.
    # It exits 0 on unknown keys and only warns, so its output must be empty too.
    mkdir -p "$out/verify"
    sed "s|^ExecStart=/usr/bin/bec-usage-proxy |ExecStart=$unpacked/usr/bin/bec-usage-proxy |" \
        "$unit" >"$out/verify/bec-usage-proxy.service"
    if systemd-analyze verify "$out/verify/bec-usage-proxy.service" >"$out/verify.log" 2>&1 &&
        [[ ! -s "$out/verify.log" ]]; then
        ok "systemd-analyze verify: no error, no warning"
    else
        not_ok "systemd-analyze verify: $(cat "$out/verify.log")"
    fi
    # The exposure score of systemd's own audit (0 = locked down, 10 = exposed); 2 and
    # under is its "OK".
    exposure="$(systemd-analyze security --offline=yes "$unit" 2>/dev/null |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')"
    check "systemd-analyze security rates the unit OK (exposure ${exposure:-unknown} <= 2.0)" \
        awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
else
    skip "systemd-analyze verify" "no systemd-analyze on this machine"
    skip "systemd-analyze security" "no systemd-analyze on this machine"
fi

finish
