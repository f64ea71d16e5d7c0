// bec-usage/init in a classic worker (esbuild iife, so no top-level await): a call before
// init() throws NotInitialized; after it resolves, the probe. Posts both to the page.
import * as api from "bec-usage/init";
import { errorFields, runProbe } from "../probe.mjs";

let beforeInit = null;
try {
  api.parseUsage("{}");
} catch (error) {
  beforeInit = { ...errorFields(error), isBecUsageError: api.isBecUsageError(error) };
}
api
  .default()
  .then(() => postMessage({ beforeInit, result: runProbe(api) }))
  .catch((error) => postMessage({ pageError: String((error && error.stack) || error) }));
