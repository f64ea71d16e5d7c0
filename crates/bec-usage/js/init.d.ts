/**
 * `bec-usage/init`: the API of `bec-usage` with an explicit, asynchronous start, after
 * wasm-bindgen's web-target convention:
 *
 * ```js
 * import init, { parseUsage } from "bec-usage/init";
 * await init();
 * ```
 *
 * The module is compiled with `WebAssembly.compile` (off the main thread in browsers) instead
 * of while the import is evaluated. Until `init()` resolves, every function throws a
 * `BecUsageError` of kind `NotInitialized`, `new UsageClient(...)` too, and `version` is
 * `undefined`.
 *
 * @packageDocumentation
 */

export * from "./index.js";

/**
 * Compiles and instantiates the WebAssembly module. Resolves when every function is ready;
 * calling it again returns the same promise.
 */
export default function init(): Promise<void>;
