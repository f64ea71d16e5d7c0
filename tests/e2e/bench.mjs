// The dashboard's budgets, measured in Debian's headless Chromium; prints figures, asserts
// nothing (targets: first load ≤ 250 KB gzipped, navigation → charts drawn median ≤ 700 ms,
// boot (navigation → first data request) ≤ 200 ms, a crosshair move p95 ≤ 16 ms).
//
//   node tests/e2e/bench.mjs      (after trunk build --release and a cargo build of the
//                                  proxy; BEC_PROXY_BIN picks the binary)
//
// The proxy compresses what it serves as it sends it: a debug build takes hundreds of
// milliseconds over the wasm, which would be counted as the page's. So a release build of
// the proxy (cargo build --release -p bec-usage-proxy) is used when there is one.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, launchBrowser, newPage, proxyBinary, startProxy, waitForState } from "./lib/harness.mjs";

const releaseProxy = join(ROOT, "target/release/bec-usage-proxy");
if (!process.env.BEC_PROXY_BIN && existsSync(releaseProxy)) process.env.BEC_PROXY_BIN = releaseProxy;
console.log(`proxy: ${proxyBinary()}`);

const RUNS = 5;
const proxy = await startProxy(["--demo"]);
const browser = await launchBrowser();
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
try {
  // 1. First load through the proxy (its compression on): bytes on the wire from CDP, and
  // each body gzipped -9 here. The demo source, so no usage data is counted.
  {
    const page = await newPage(browser);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const urls = new Map();
    let wire = 0;
    cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
    cdp.on("Network.loadingFinished", (e) => (wire += e.encodedDataLength));
    const bodies = [];
    page.on("response", async (r) => bodies.push(r.body().then((b) => [r.url(), b]).catch(() => [r.url(), Buffer.alloc(0)])));
    await page.goto(`${proxy.origin}/?src=demo&range=31d`);
    await waitForState(page, ["ready"]);
    let gzipped = 0;
    const rows = [];
    for (const [url, body] of await Promise.all(bodies)) {
      const size = gzipSync(body, { level: 9 }).length;
      gzipped += size;
      rows.push(`    ${new URL(url).pathname.padEnd(44)} ${kb(body.length).padStart(9)} raw ${kb(size).padStart(9)} gzip -9`);
    }
    console.log(`first load: ${bodies.length} responses; on the wire (CDP encodedDataLength, headers included) ${kb(wire)}; bodies gzip -9 ${kb(gzipped)} (budget 250 KB)`);
    console.log(rows.join("\n"));
    await page.close();
  }

  // 2. Navigation → charts drawn: demo, 31 days at 1-minute steps, 12 resources.
  // With a price sheet in local storage, so that the cost estimate is counted too.
  const sheet = JSON.stringify({ currency: "CNY", prices: { CPU: "0.045", Memory: "0.012", TRAFFIC: "0.8" } });
  const drawn = [];
  const found = [];
  const analyses = [];
  let metrics;
  for (let i = 0; i < RUNS; i++) {
    const page = await newPage(browser);
    await page.addInitScript((text) => localStorage.setItem("bec-usage.price-sheet", text), sheet);
    await page.goto(`${proxy.origin}/?src=demo&range=31d&step=60`);
    await waitForState(page, ["ready"]);
    await page.waitForFunction(() => performance.getEntriesByName("charts-drawn").length > 0);
    // The unusual stretches are looked for after the charts are painted: their time (and
    // analysesMs) is known once they are found.
    await page.waitForFunction(() => performance.getEntriesByName("anomalies-found").length > 0);
    const [ms, foundMs] = await page.evaluate(() => [
      performance.getEntriesByName("charts-drawn")[0].startTime,
      performance.getEntriesByName("anomalies-found")[0].startTime,
    ]);
    metrics = await page.evaluate(() => window.__BEC_METRICS__);
    drawn.push(ms);
    found.push(foundMs);
    analyses.push(metrics.analysesMs);
    await page.close();
  }
  console.log(
    `navigation -> charts-drawn (demo, 31 d, 1-min, ${metrics.resources} resources, ${metrics.points} points), ${RUNS} runs: ` +
      `median ${median(drawn).toFixed(0)} ms, min ${Math.min(...drawn).toFixed(0)}, max ${Math.max(...drawn).toFixed(0)} (budget 700 ms); ` +
      `last run: generate ${metrics.fetchMs.toFixed(0)} ms, analyse ${metrics.analyseMs.toFixed(0)}, draw ${metrics.renderMs.toFixed(0)}; ` +
      `anomalies-found (after the paint) median ${median(found).toFixed(0)} ms`,
  );
  console.log(
    `usage analyses (resource-hours + forecast, anomalies, cost; window.__BEC_METRICS__.analysesMs), ${RUNS} runs: ` +
      `median ${median(analyses).toFixed(1)} ms, max ${Math.max(...analyses).toFixed(1)} (budget 50 ms); ` +
      `last run: hours + forecast ${metrics.usageMs.toFixed(1)} ms, anomalies ${metrics.anomaliesMs.toFixed(1)}, cost ${(metrics.costMs ?? 0).toFixed(1)}`,
  );

  // 3. Boot: navigation → the first data request, with the source not in the URL (the
  // proxy's, known from /healthz): the wasm starting and the proxy check both count.
  {
    const boot = [];
    const loadStart = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await newPage(browser);
      await page.goto(`${proxy.origin}/?range=7d`);
      await waitForState(page, ["ready"]);
      const [request, mark] = await page.evaluate(() => [
        performance.getEntriesByType("resource").find((e) => e.name.includes("/v1/usage/computing"))?.startTime,
        performance.getEntriesByName("load-start")[0]?.startTime,
      ]);
      boot.push(request);
      loadStart.push(mark);
      await page.close();
    }
    console.log(
      `boot: navigation -> first data request (proxy source from /healthz, 7 d), ${RUNS} runs: ` +
        `median ${median(boot).toFixed(0)} ms, min ${Math.min(...boot).toFixed(0)}, max ${Math.max(...boot).toFixed(0)} (budget 200 ms); ` +
        `load-start mark median ${median(loadStart).toFixed(0)} ms`,
    );
  }

  // 4. Crosshair: a pointer move, from the dispatched event to the readout updated in the
  // DOM (a MutationObserver notices it in the same task) and to the next frame painted.
  {
    const page = await newPage(browser);
    await page.goto(`${proxy.origin}/?src=demo&range=31d&step=60`);
    await waitForState(page, ["ready"]);
    const result = await page.evaluate(async () => {
      const plot = document.querySelector("[data-testid=plot]");
      const readout = document.querySelector("[data-testid=readout]");
      const box = plot.getBoundingClientRect();
      const toDom = [];
      const toFrame = [];
      let updated = 0;
      for (let i = 0; i < 200; i++) {
        const x = box.left + box.width * (0.1 + 0.8 * ((i * 37) % 200) / 200);
        const y = box.top + box.height / 2;
        let changed = 0;
        const observer = new MutationObserver(() => (changed ||= performance.now()));
        observer.observe(readout, { childList: true, subtree: true, characterData: true });
        const start = performance.now();
        plot.dispatchEvent(new PointerEvent("pointermove", { clientX: x, clientY: y, bubbles: true, pointerType: "mouse" }));
        await Promise.resolve();
        const syncEnd = performance.now();
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        observer.disconnect();
        if (changed) updated++, toDom.push(changed - start);
        else toDom.push(syncEnd - start);
        toFrame.push(performance.now() - start);
      }
      return { toDom, toFrame, updated };
    });
    console.log(
      `crosshair move (200 moves, ${result.updated} changed the readout): event -> DOM updated median ${median(result.toDom).toFixed(2)} ms, p95 ${p95(result.toDom).toFixed(2)} ms (budget p95 16 ms); ` +
        `event -> next frame median ${median(result.toFrame).toFixed(1)} ms, p95 ${p95(result.toFrame).toFixed(1)} ms`,
    );
    await page.close();
  }
} finally {
  await browser.close();
  await proxy.stop();
}
