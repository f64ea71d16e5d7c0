// `bec-usage/init`: the package's API with wasm-bindgen's web-target convention,
//
//   import init, { parseUsage } from "bec-usage/init";
//   await init();
//
// for code that prefers to inflate and compile the module off the main thread
// (`DecompressionStream`, `WebAssembly.compile`) rather than while the import is evaluated. Like the default entry it has no top-level
// await. Until `init()` has resolved, every function throws a `BecUsageError` of kind
// `NotInitialized`; `version` is undefined and `UsageClient` cannot be constructed.
import { becUsageError, createApi, glue, isBecUsageError, wasmBytesAsync } from "./core.mjs";

/** The API once the module is instantiated (createApi reads the module's version). */
let api = null;
let initialising = null;

/**
 * Compiles and instantiates the WebAssembly module; resolves when every function is ready.
 * Calling it again returns the same promise.
 */
export default function init() {
  initialising ??= wasmBytesAsync()
    .then((bytes) => WebAssembly.compile(bytes))
    .then((module) => glue.default({ module_or_path: module }))
    .then(() => {
      api = createApi(glue);
      ({ version, UsageClient } = api);
    });
  return initialising;
}

function ready(name) {
  if (api) return api;
  throw becUsageError(
    "NotInitialized",
    `${name} was called before the WebAssembly module was ready: await init() (the default export of "bec-usage/init") first`,
  );
}

export function signRequest(options) {
  return ready("signRequest").signRequest(options);
}
export function validateRange(beginDate, endDate) {
  return ready("validateRange").validateRange(beginDate, endDate);
}
export function splitRange(beginDate, endDate, maxDays) {
  return ready("splitRange").splitRange(beginDate, endDate, maxDays);
}
export function parseUsage(json) {
  return ready("parseUsage").parseUsage(json);
}
export function mergeUsage(parts) {
  return ready("mergeUsage").mergeUsage(parts);
}
export function parseServiceError(status, body, requestIdHeader) {
  return ready("parseServiceError").parseServiceError(status, body, requestIdHeader);
}
export function parsePriceSheet(sheet) {
  return ready("parsePriceSheet").parsePriceSheet(sheet);
}
export function writePriceSheet(sheet) {
  return ready("writePriceSheet").writePriceSheet(sheet);
}
export function roundMoney(amount, minorUnits) {
  return ready("roundMoney").roundMoney(amount, minorUnits);
}

/** Stands for `UsageClient` until `init()` has resolved (live bindings then show the real one). */
class UsageClientBeforeInit {
  constructor() {
    ready("new UsageClient");
  }
}

export let UsageClient = UsageClientBeforeInit;
export let version;
export const Usage = glue.Usage;
export { isBecUsageError };
