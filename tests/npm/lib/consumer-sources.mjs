// The sources of the consumers the packaging tests write into a fresh project: a Node ESM
// script, a CommonJS script and a page module, each running `probe` (probe.mjs).
import { DOC_EXAMPLE_JSON, WORKED_EXAMPLE } from "./fixtures.mjs";
import { probe } from "./probe.mjs";

const PROBE_CALL = `probe(api, ${JSON.stringify(DOC_EXAMPLE_JSON)}, ${JSON.stringify(WORKED_EXAMPLE)})`;

/** A Node ESM script: named and namespace imports of `bec-usage`; prints the probe as JSON. */
export const ESM_SCRIPT = `import * as api from "bec-usage";
import { signRequest, parseUsage, UsageClient, isBecUsageError, version } from "bec-usage";
if (![signRequest, parseUsage, UsageClient, isBecUsageError].every((f) => typeof f === "function") || typeof version !== "string") {
  throw new Error("named imports are missing");
}
const probe = ${probe.toString()};
console.log(JSON.stringify(${PROBE_CALL}));
`;

/** A CommonJS script: `require("bec-usage")`; prints the probe as JSON. */
export const CJS_SCRIPT = `"use strict";
const api = require("bec-usage");
const { signRequest, parseUsage, UsageClient, isBecUsageError, version } = require("bec-usage");
if (![signRequest, parseUsage, UsageClient, isBecUsageError].every((f) => typeof f === "function") || typeof version !== "string") {
  throw new Error("named exports are missing");
}
const probe = ${probe.toString()};
console.log(JSON.stringify(${PROBE_CALL}));
`;

/**
 * A page module importing the package from `specifier` ("bec-usage" for a bundler, a URL
 * for a plain page): runs the probe, then fetches a 60-day range through `UsageClient` from
 * the page's own origin (a proxy, no keys), and writes everything into `#result`.
 */
export function pageModule(specifier) {
  return `import * as api from ${JSON.stringify(specifier)};

const probe = ${probe.toString()};
const out = document.querySelector("#result");
try {
  const result = ${PROBE_CALL};
  const progress = [];
  const client = new api.UsageClient({ endpoint: "" });
  const usage = await client.fetchUsage("2024-01-01", "2024-02-29", {
    onProgress: ({ completed, total }) => progress.push(completed + "/" + total),
  });
  result.client = {
    timeSpan: usage.timeSpan,
    cpuPoints: usage.resource("CPU").pointCount,
    cpuSum: usage.stats()[0].stats.sum,
    progress,
  };
  usage.free();
  out.textContent = JSON.stringify(result);
} catch (error) {
  out.textContent = JSON.stringify({ pageError: String((error && error.stack) || error) });
}
out.dataset.done = "true";
`;
}

/** The page around a module script at `src`. */
export function pageHtml(src) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bec-usage consumer</title>
<link rel="icon" href="data:,">
<script type="module" src="${src}"></script>
</head>
<body>
<pre id="result"></pre>
</body>
</html>
`;
}
