// The entry point for browsers and bundlers (the `default` condition of package.json).
//
// scripts/build-npm.sh bundles this file, api.mjs and the `--target web` glue of
// wasm-bindgen (bec_usage.js) into the package's index.mjs, beside bec_usage_bg.wasm.
// `init()` fetches the .wasm from `new URL("bec_usage_bg.wasm", import.meta.url)`, which
// browsers resolve beside index.mjs and bundlers (Vite, webpack, Rollup) turn into an
// emitted asset. Top-level await: importers get the API once the wasm is ready.
import init, * as wasm from "./bec_usage.js";
import { createApi } from "./api.mjs";

await init();

const api = createApi(wasm);

export const {
  signRequest,
  validateRange,
  splitRange,
  parseUsage,
  mergeUsage,
  parseServiceError,
  Usage,
  UsageClient,
  isBecUsageError,
  version,
} = api;
