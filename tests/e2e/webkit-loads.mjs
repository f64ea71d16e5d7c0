#!/usr/bin/env node
// Counts failed demo loads of a built dist/ in WebKit (Debian's WebKitGTK MiniBrowser,
// WebKitWebDriver, Xvfb): issue 20, docs/dashboard.md "WebKit (Safari's engine)".
//
//   node tests/e2e/webkit-loads.mjs [--loads N] [--dist DIR] [--url-query Q] [--timeout MS]
//                                   [--browser webkit|chromium]
//
// Prints one line per load, then "N loads, K failed" and each failure's messages; exits
// with 1 when a load failed. JavaScriptCore options in the environment reach the page,
// e.g. `JSC_useWasmOSR=false node tests/e2e/webkit-loads.mjs` (`jsc --options` of Debian's
// libjavascriptcoregtk-4.0-bin lists them). --browser chromium counts the same in
// Debian's Chromium, for comparison.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { demoLoads } from "./lib/demo-loads.mjs";
import { instrumentedDist, launchWebKit } from "./lib/engines.mjs";
import { DIST, launchBrowser, startStatic } from "./lib/harness.mjs";

const { values } = parseArgs({
  options: {
    loads: { type: "string", default: "100" },
    dist: { type: "string", default: DIST },
    "url-query": { type: "string", default: "?src=demo" },
    timeout: { type: "string", default: "60000" },
    browser: { type: "string", default: "webkit" },
  },
});
const loads = Number(values.loads);
const jsc = Object.entries(process.env).filter(([name]) => name.startsWith("JSC_"));
console.log(
  `${loads} demo loads of ${resolve(values.dist)} in ${values.browser}` +
    (jsc.length ? ` with ${jsc.map(([k, v]) => `${k}=${v}`).join(" ")}` : ""),
);

const copy = instrumentedDist(resolve(values.dist));
const server = await startStatic(copy.dir);
let browser;
let page;
if (values.browser === "webkit") {
  browser = await launchWebKit();
  page = browser.page;
} else if (values.browser === "chromium") {
  // The same page interface over playwright, problems gathered by the same script.
  const chromium = await launchBrowser();
  const raw = await chromium.newPage({ viewport: { width: 1280, height: 900 } });
  browser = { quit: () => chromium.close() };
  page = { goto: (url) => raw.goto(url), evaluate: (fn, ...args) => raw.evaluate(fn, ...args) };
} else {
  throw new Error(`--browser: webkit or chromium, not ${values.browser}`);
}
let result;
try {
  result = await demoLoads(page, `${server.origin}/${values["url-query"]}`, loads, {
    timeout: Number(values.timeout),
    onLoad: (i, r) =>
      console.log(
        `load ${i + 1}: ${r.ok ? "ok" : "FAILED"} ${r.ms} ms` +
          (r.restarts ? ` (${r.restarts} new data worker)` : "") +
          (r.discarded ? ` (${r.discarded} demo run done again)` : "") +
          (r.ok ? "" : ` ${r.problems.join(" | ")}`),
      ),
  });
} finally {
  await browser.quit();
  await server.stop();
  copy.remove();
}
const sorted = [...result.ms].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(
  `${result.loads} loads, ${result.failed} failed (median load ${median} ms; ` +
    `${result.restarts} recovered by a new data worker, ${result.discarded} by a demo run done again)`,
);
for (const { load, problems } of result.failures) console.log(`  load ${load + 1}: ${problems.join(" | ")}`);
process.exitCode = result.failed > 0 ? 1 : 0;
