#!/usr/bin/env bash
# Builds the npm package `bec-usage` from the core crate (feature `js`) and packs it:
#
#   target/npm/pkg/                     the package folder (what `npm publish` would publish)
#   target/npm/bec-usage-<version>.tgz  the tarball (`npm pack` of that folder)
#
#   bash scripts/build-npm.sh
#
# 1. cargo builds the cdylib for wasm32 with the bindings (src/js/);
# 2. wasm-bindgen writes the `--target web` glue, which serves every entry point, so the
#    package holds one glue and one .wasm;
# 3. wasm-opt (npm binaryen, never Debian's: it miscompiles wasm-bindgen output) shrinks it;
# 4. esbuild bundles each entry of crates/bec-usage/js/ with the layer (api.mjs) and the glue
#    into one file: index.mjs (browsers, bundlers), node.mjs (Node's import) and index.cjs
#    (require). Bundling saves a browser two round trips and drops the comments; whitespace
#    and syntax are minified (about 1.2 KB less gzipped, against the 10 KB budget of the
#    glue), names are kept, so stack traces still read;
# 5. types, README and LICENSE are copied; package.json is the template there with version,
#    license and repository from Cargo.toml; `npm pack` packs the folder.
# Every run starts from empty folders, so it is idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh >/dev/null

JS_SOURCES=crates/bec-usage/js
OUT=target/npm
STAGE="$OUT/stage" # the glue and the JS sources side by side, as the entries import them
PKG="$OUT/pkg"
# The profile the bindings are built with (Cargo.toml; src/js/mod.rs says why).
PROFILE=wasm-release
WASM_IN="target/wasm32-unknown-unknown/$PROFILE/bec_usage.wasm"

say() { printf 'build-npm: %s\n' "$*"; }

say "cargo build (wasm32, --features js, profile $PROFILE)"
cargo build -p bec-usage --lib --features js --target wasm32-unknown-unknown --profile "$PROFILE"

rm -rf "$STAGE" "$PKG"
mkdir -p "$STAGE" "$PKG"

say "wasm-bindgen --target web --weak-refs"
wasm-bindgen --target web --weak-refs --no-typescript --out-dir "$STAGE" --out-name bec_usage "$WASM_IN"

say "wasm-opt -Oz ($(wasm-opt --version))"
# The flags of src/js/mod.rs. The --enable flags name the features wasm-bindgen's output
# uses (wasm-bindgen drops the target-features section wasm-opt would read them from).
wasm-opt -Oz --low-memory-unused --converge --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals -o "$PKG/bec_usage_bg.wasm" "$STAGE/bec_usage_bg.wasm"

cp "$JS_SOURCES/api.mjs" "$JS_SOURCES/index.mjs" "$JS_SOURCES/node.mjs" "$STAGE/"

say "esbuild: index.mjs, node.mjs, index.cjs"
bundle() { # ENTRY OUTPUT ESBUILD-ARGS...
    local entry="$1" output="$2"
    shift 2
    esbuild "$STAGE/$entry" --bundle --keep-names --minify-whitespace --minify-syntax \
        --log-level=warning --legal-comments=none \
        --outfile="$PKG/$output" "$@"
}
bundle index.mjs index.mjs --format=esm --platform=browser --target=es2022
bundle node.mjs node.mjs --format=esm --platform=node --target=node18
# import.meta.url (node.mjs reads the .wasm beside itself) becomes the .cjs file's own URL.
bundle node.mjs index.cjs --format=cjs --platform=node --target=node18 \
    --banner:js='const __bec_usage_module_url = require("node:url").pathToFileURL(__filename).href;' \
    --define:import.meta.url=__bec_usage_module_url
# The bundles must still find the .wasm beside themselves.
grep -Eq 'new URL\("bec_usage_bg.wasm", ?import.meta.url\)' "$PKG/index.mjs" ||
    { echo "build-npm: index.mjs lost the glue's URL of the .wasm" >&2; exit 1; }

cp "$JS_SOURCES/index.d.ts" "$JS_SOURCES/README.md" "$JS_SOURCES/LICENSE" "$PKG/"
# The same declarations, read as a CommonJS module's by TypeScript for `require` (a .d.ts
# beside "type": "module" describes an ES module).
cp "$JS_SOURCES/index.d.ts" "$PKG/index.d.cts"

say "package.json"
cargo metadata --no-deps --format-version 1 | node --input-type=module -e '
    import { readFileSync, writeFileSync } from "node:fs";
    const [template, output] = process.argv.slice(1);
    const metadata = JSON.parse(readFileSync(0, "utf8"));
    const crate = metadata.packages.find((p) => p.name === "bec-usage");
    if (!crate) throw new Error("no package bec-usage in cargo metadata");
    const pkg = JSON.parse(readFileSync(template, "utf8"));
    if (pkg.name !== crate.name) throw new Error(`npm name ${pkg.name} != crate name ${crate.name}`);
    Object.assign(pkg, {
        version: crate.version,
        license: crate.license,
        repository: { type: "git", url: `git+${crate.repository}.git` },
    });
    writeFileSync(output, JSON.stringify(pkg, null, 2) + "\n");
' "$JS_SOURCES/package.template.json" "$PKG/package.json"

say "npm pack"
rm -f "$OUT"/bec-usage-*.tgz
tarball="$(cd "$PKG" && npm pack --silent --pack-destination ..)"
say "wrote $PKG/ and $OUT/$tarball"
