// The entry point for Node (the `node` condition of package.json).
//
// scripts/build-npm.sh bundles this file, api.mjs and the `--target web` glue into the
// package's node.mjs (for `import`) and, with esbuild's CommonJS output and
// `import.meta.url` defined as that file's URL, into index.cjs (for `require`). The glue is
// initialised synchronously from the file beside the bundle: Node's fetch cannot load
// `file:` URLs, and `require` cannot wait.
import { readFileSync } from "node:fs";
import * as wasm from "./bec_usage.js";
import { createApi } from "./api.mjs";

wasm.initSync({ module: readFileSync(new URL("./bec_usage_bg.wasm", import.meta.url)) });

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
