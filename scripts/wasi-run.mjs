// Runs a wasm32-wasip1 program (e.g. the core's `answers_timing` example built for
// WebAssembly) under Node's WASI, so that the analyses can be timed in V8's WebAssembly
// engine without a browser:
//
//   node scripts/wasi-run.mjs target/wasm32-wasip1/wasm-release/examples/answers_timing.wasm
//
// V8 flags go before the script (`node --liftoff-only scripts/wasi-run.mjs …`).
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/wasi-run.mjs PROGRAM.wasm [ARGS...]");
  process.exit(2);
}
const wasi = new WASI({ version: "preview1", args: [file, ...args], env: {} });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
