#!/usr/bin/env bash
# Builds the npm package `bec-usage` from the core crate (feature `js`) and packs it:
#
#   target/npm/pkg/                     the package folder (what `npm publish` would publish)
#   target/npm/bec-usage-<version>.tgz  the tarball (`npm pack` of that folder)
#
#   bash scripts/build-npm.sh
#
# 1. cargo builds the cdylib for wasm32 with the bindings (src/js/);
# 2. wasm-bindgen writes the `--target web` glue (bec_usage.js), which serves every entry;
# 3. wasm-opt (npm binaryen, never Debian's: it miscompiles wasm-bindgen output) shrinks the
#    module, kept as target/npm/bec_usage_bg.wasm for the size benchmark; its raw DEFLATE
#    (zlib level 9) is what the package carries, inside its JavaScript (js/core.mjs says why);
# 4. esbuild bundles the entries of crates/bec-usage/js/ with the layer (api.mjs), the glue,
#    tiny-inflate and the deflated module (its `base64` loader):
#    index.mjs and init.mjs share core.mjs (code splitting), index.cjs is one file for
#    `require`. `TextDecoder`/`TextEncoder` come from text-coding.mjs (`--inject`), and
#    `import.meta.url` is defined away, so that no bundler looks for a `.wasm` asset (the
#    glue only reads it when `init` gets no module, which never happens here). Minified,
#    with function and class names kept (`--keep-names`), so stack traces still read;
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
    --enable-mutable-globals -o "$OUT/bec_usage_bg.wasm" "$STAGE/bec_usage_bg.wasm"

say "deflate the module (zlib level 9, raw)"
node -e '
    const { readFileSync, writeFileSync } = require("node:fs");
    const { deflateRawSync } = require("node:zlib");
    const [input, output] = process.argv.slice(1);
    writeFileSync(output, deflateRawSync(readFileSync(input), { level: 9 }));
' "$OUT/bec_usage_bg.wasm" "$STAGE/bec_usage_bg.wasm.deflate"

cp "$JS_SOURCES"/{api,core,index,init,text-coding}.mjs "$STAGE/"

say "esbuild: index.mjs + init.mjs + core.mjs, index.cjs"
bundle() { # ENTRIES... ESBUILD-ARGS...
    esbuild --bundle --platform=browser --target=es2022 \
        --minify --keep-names --log-level=warning --legal-comments=none \
        --loader:.deflate=base64 --inject:"$STAGE/text-coding.mjs" --define:import.meta.url=undefined \
        --define:WASM_SIZE="$(stat -c %s "$OUT/bec_usage_bg.wasm")" \
        "$@"
}
# esbuild finds tiny-inflate in tools/npm/node_modules (NODE_PATH: the stage is under target/).
export NODE_PATH="$PWD/tools/npm/node_modules"
bundle "$STAGE/index.mjs" "$STAGE/init.mjs" --format=esm --splitting --outdir="$PKG" \
    --out-extension:.js=.mjs --chunk-names=core
bundle "$STAGE/index.mjs" --format=cjs --outfile="$PKG/index.cjs"
# The entries must share one core.mjs, and nothing may still point at a .wasm file.
for entry in index.mjs init.mjs; do
    grep -Eq 'from ?"./core.mjs"' "$PKG/$entry" ||
        { echo "build-npm: $entry does not import ./core.mjs" >&2; exit 1; }
done
if grep -l 'import\.meta' "$PKG"/*.mjs "$PKG"/*.cjs; then
    echo "build-npm: a bundle above still reads import.meta (bundlers would look for a .wasm)" >&2
    exit 1
fi

cp "$JS_SOURCES/index.d.ts" "$JS_SOURCES/init.d.ts" "$JS_SOURCES/README.md" "$JS_SOURCES/LICENSE" "$PKG/"
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
