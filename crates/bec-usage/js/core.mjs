// What every entry point of the package shares, bundled by scripts/build-npm.sh into the
// package's core.mjs (for index.mjs and init.mjs) and into index.cjs: the wasm-bindgen glue
// (`--target web`), the hand-written layer (api.mjs) and the WebAssembly module itself.
//
// The module's bytes are inside the JavaScript (raw DEFLATE as base64, by esbuild's
// `base64` loader) instead of a `.wasm` file beside it: a separate asset is only found where
// the bundler emits it (Vite and webpack do, Rollup, esbuild and `bun build --compile` do
// not) and where `import.meta.url` survives (not in CommonJS bundles moved to another
// folder). They are decoded and inflated synchronously, so that the default entry needs no
// top-level await (iife bundles, classic workers, Parcel's dev server, older webpack): by
// Node's `Buffer` and zlib where they exist (Node, Bun, Deno), else by
// `Uint8Array.fromBase64` (or `atob`) and tiny-inflate. `bec-usage/init` inflates with
// the browser's `DecompressionStream` instead, off the main thread. The README says what
// this costs.
import * as glue from "./bec_usage.js";
import deflatedWasmBase64 from "./bec_usage_bg.wasm.deflate";

export { glue };
export { becUsageError, createApi, isBecUsageError } from "./api.mjs";

/** The module's size in bytes, written in by scripts/build-npm.sh (`--define`). */
const wasmSize = WASM_SIZE;

/** The WebAssembly module's bytes, inflated. */
export function wasmBytes() {
  // process.getBuiltinModule (Node 20.16+, Bun, Deno) is left alone by bundlers, unlike
  // require("node:zlib"), which would break browser bundles.
  const builtin = globalThis.process?.getBuiltinModule;
  if (builtin) {
    const { Buffer } = builtin("node:buffer");
    return builtin("node:zlib").inflateRawSync(Buffer.from(deflatedWasmBase64, "base64"));
  }
  // Required here rather than imported above: esbuild then evaluates the inflater only
  // where it is used (fflate, imported, builds its tables at load: 6 ms more on Node).
  const inflate = require("tiny-inflate");
  return inflate(decodeBase64(deflatedWasmBase64), new Uint8Array(wasmSize));
}

/**
 * The same bytes without blocking the thread, for `init()`: inflated by the platform's
 * `DecompressionStream` where there is no zlib (browsers), then as {@link wasmBytes} does.
 */
export async function wasmBytesAsync() {
  if (!globalThis.process?.getBuiltinModule && canInflateStreams()) {
    const deflated = new Blob([decodeBase64(deflatedWasmBase64)]).stream();
    return new Uint8Array(await new Response(deflated.pipeThrough(new DecompressionStream("deflate-raw"))).arrayBuffer());
  }
  return wasmBytes();
}

/** Whether there is a `DecompressionStream` for raw DEFLATE (Chrome 103, Firefox 113, Safari 16.4). */
function canInflateStreams() {
  try {
    return typeof DecompressionStream === "function" && new DecompressionStream("deflate-raw") !== null;
  } catch {
    return false; // an older one, without "deflate-raw"
  }
}

function decodeBase64(text) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
