// bec-usage/init in Node: a call before init() throws NotInitialized; after it, the probe.
import * as api from "bec-usage/init";
import { errorFields, runProbe } from "../probe.mjs";

let beforeInit = null;
try {
  api.parseUsage("{}");
} catch (error) {
  beforeInit = { ...errorFields(error), isBecUsageError: api.isBecUsageError(error) };
}
await api.default();
console.log(JSON.stringify({ beforeInit, result: runProbe(api) }));
