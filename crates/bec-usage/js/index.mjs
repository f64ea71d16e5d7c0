// The package's default entry (`import ... from "bec-usage"`, and `require` through
// index.cjs): the module is compiled and instantiated synchronously while this file is
// evaluated, so there is no top-level await and every function is ready once imported.
// `bec-usage/init` (init.mjs) is the same API with an explicit, asynchronous `init()`.
import { createApi, glue, wasmBytes } from "./core.mjs";

glue.initSync({ module: wasmBytes() });

export const {
  signRequest,
  validateRange,
  splitRange,
  parseUsage,
  mergeUsage,
  parseServiceError,
  parsePriceSheet,
  writePriceSheet,
  roundMoney,
  Usage,
  UsageClient,
  isBecUsageError,
  version,
} = createApi(glue);
