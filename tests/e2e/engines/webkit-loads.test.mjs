// The demo loaded 30 times in one WebKit window: every load must end ready with its 12
// charts, no page error, and the same statistics as every other load, with JavaScriptCore's
// defaults. WebKitGTK 2.50's JavaScriptCore breaks about one load in a hundred ("RuntimeError:
// Out of bounds memory access", or numbers that came out wrong): an engine bug
// (docs/dashboard.md, "WebKit (Safari's engine)") that the page survives by replacing a
// crashed data worker and doing a disagreeing demo run again. Both are counted and printed.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { demoLoads } from "../lib/demo-loads.mjs";
import { instrumentedDist, launchWebKit } from "../lib/engines.mjs";
import { startStatic } from "../lib/harness.mjs";

const LOADS = 30;

let served;
let server;
let webkit;
before(async () => {
  served = instrumentedDist();
  [server, webkit] = await Promise.all([startStatic(served.dir), launchWebKit()]);
  await webkit.page.setSize(1280, 900);
});
after(async () => {
  await webkit?.quit();
  await server?.stop();
  served?.remove();
});

// Its own time limit: about a minute on a quiet machine, up to four while the test command's
// other lanes compile.
test(`webkit: ${LOADS} demo loads in one window, each ready with 12 charts, no page error, the same numbers`, { timeout: 240_000 }, async () => {
  // A new document each time (the query differs), so nothing is reused but the cache; a
  // fixed week, so that every load has the same data even across midnight. Each load must
  // end ready with its unusual stretches found, no page error, no absurd chart coordinate
  // and the same text as the others (lib/demo-loads.mjs).
  const result = await demoLoads(
    webkit.page,
    (i) => `${server.origin}/?from=2025-06-01&to=2025-06-07&lang=en&load=${i + 1}`,
    LOADS,
    { timeout: 20_000 },
  );
  console.log(
    `${result.restarts} of ${result.loads} loads recovered by a new data worker, ` +
      `${result.discarded} by a demo run done again`,
  );
  const report = result.failures.map(({ load, problems }) => `load ${load + 1}: ${problems.join(" | ")}`).join("\n");
  assert.equal(result.failed, 0, `${result.failed} of ${result.loads} loads failed:\n${report}`);
  assert.deepEqual(result.charts, Array(LOADS).fill(12), "12 charts in every load");
});
