// (c) dist/ on a plain static server: no /healthz, no API; the page falls back to the
// demo, made in the page, and never asks the network for data.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, newPage, startStatic, waitForState } from "../lib/harness.mjs";

let server;
let browser;
before(async () => {
  server = await startStatic();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("served as static files, the page shows the demo with no backend", async () => {
  const page = await newPage(browser);
  await page.goto(`${server.origin}/`);
  assert.equal(await waitForState(page, ["ready", "error"]), "ready");
  assert.equal(await page.getAttribute("[data-action=source][data-value=demo]", "aria-checked"), "true");
  assert.ok(await page.locator("[data-testid=demo-banner]").isVisible());
  // The proxy's sources cannot work here and are disabled.
  assert.ok(await page.locator("[data-action=source][data-value=proxy]").isDisabled());
  const metrics = await page.evaluate(() => window.__BEC_METRICS__);
  assert.equal(metrics.source, "demo");
  assert.equal(await page.locator("[data-testid=chart]").count(), metrics.resources);
  assert.equal(metrics.resources, 12);
  // Only the page's own files and the one health check were asked for.
  assert.ok(!server.requests.some((p) => p.startsWith("/v1/")), server.requests.join(" "));
  // The /healthz 404 is expected; nothing else may fail.
  assert.deepEqual(page.problems.filter((p) => !/404/.test(p)), []);
  await page.close();
});

test("the demo's data work is the worker's, and a worker that cannot start is said in the error panel", async () => {
  // The page asked for both modules: its own and the data worker's.
  assert.ok(server.requests.some((p) => p.includes("bec-usage-data_bg.wasm")), server.requests.join(" "));
  // Without the worker's script there is no engine to fall back on: the page says so.
  const page = await newPage(browser);
  await page.route("**/data-worker.js", (route) => route.fulfill({ status: 404, body: "" }));
  await page.goto(`${server.origin}/?src=demo`);
  assert.equal(await waitForState(page, ["ready", "error"]), "error");
  const panel = await page.locator("[data-testid=error-panel]").innerText();
  assert.match(panel, /data worker did not start/);
  // Retry starts a new worker: with its script back, the demo is drawn.
  await page.unroute("**/data-worker.js");
  await page.click("[data-testid=error-panel] button");
  assert.equal(await waitForState(page, ["ready"]), "ready");
  assert.equal(await page.locator("[data-testid=chart]").count(), 12);
  await page.close();
});

// JavaScriptCore's fault (docs/dashboard.md, "WebKit") can trap the worker's wasm at any
// time. Here the first worker is the real one but throws, as a trap would: as soon as it
// has started (usually before the page has adopted it from the boot script), or at the
// page's first question (after the data came, so the data shown goes with it). The second
// worker is the real one as it is.
const CRASHES = {
  "as soon as it has started":
    "const post = self.postMessage.bind(self);" +
    "self.postMessage = (message, transfer) => {" +
    "  post(message, transfer);" +
    '  if (message === "Ready") setTimeout(() => { throw new Error("RuntimeError: simulated trap"); });' +
    "};\n",
  "at the page's first question":
    'addEventListener("message", (event) => {' +
    '  if (event.data && typeof event.data === "object" && "Ask" in event.data)' +
    '    setTimeout(() => { throw new Error("RuntimeError: simulated trap"); });' +
    "});\n",
  // A worker asked several things when it traps raises an error for each: the ones after
  // the first, on their way when it is replaced, are not the new worker's.
  "twice at the page's first question":
    'addEventListener("message", (event) => {' +
    '  if (event.data && typeof event.data === "object" && "Ask" in event.data)' +
    '    for (const n of [1, 2]) setTimeout(() => { throw new Error("RuntimeError: simulated trap " + n); });' +
    "});\n",
};

for (const [when, crash] of Object.entries(CRASHES)) {
  test(`a data worker that crashes ${when} is replaced: the page loads in a new one, with no error`, async () => {
    const page = await newPage(browser);
    let scripts = 0;
    await page.route("**/data-worker.js", async (route) => {
      scripts += 1;
      if (scripts > 1) return route.continue();
      const real = await (await route.fetch()).text();
      return route.fulfill({ status: 200, contentType: "text/javascript", body: crash + real });
    });
    await page.goto(`${server.origin}/?src=demo`);
    await page.waitForFunction(() => window.__BEC_METRICS__?.workerRestarts === 1, null, { timeout: 30_000 });
    assert.equal(await waitForState(page, ["ready", "error"]), "ready");
    await page.waitForFunction(() => typeof window.__BEC_METRICS__?.anomaliesMs === "number");
    assert.equal(scripts, 2);
    assert.equal(await page.locator("[data-testid=chart]").count(), 12);
    // The new worker holds the data: the crosshair's exact point comes from it.
    const before = await page.locator("[data-testid=readout]").first().textContent();
    const box = await page.locator("[data-testid=plot]").first().boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(
      (before) => {
        const text = document.querySelector("[data-testid=readout]")?.textContent ?? "";
        return text !== before && /\d\.\d/.test(text);
      },
      before,
    );
    // Nothing reached the console: nothing was lost.
    assert.deepEqual(page.problems.filter((p) => !/404/.test(p)), []);
    await page.close();
  });
}

test("a data worker that crashes at every question is not replaced forever: after three reloads the error panel says why", async () => {
  // A bug rather than the engine's rare fault: each new worker loads the data, then
  // crashes when asked about it.
  const page = await newPage(browser);
  let scripts = 0;
  await page.route("**/data-worker.js", async (route) => {
    scripts += 1;
    const real = await (await route.fetch()).text();
    return route.fulfill({ status: 200, contentType: "text/javascript", body: CRASHES["at the page's first question"] + real });
  });
  await page.goto(`${server.origin}/?src=demo`);
  assert.equal(await waitForState(page, ["error"]), "error");
  const panel = await page.locator("[data-testid=error-panel]").innerText();
  assert.match(panel, /data worker failed: .*simulated trap/);
  // The first worker, one for each of the three reloads (and perhaps one more for the
  // previous period's load, which a crash ends too), and then no more.
  assert.ok(scripts >= 4 && scripts <= 6, `${scripts} workers`);
  const settled = scripts;
  await page.waitForTimeout(1500);
  assert.equal(scripts, settled, "no worker started after the error panel");
  assert.equal(await page.getAttribute("[data-testid=app]", "data-state"), "error");
  await page.close();
});
