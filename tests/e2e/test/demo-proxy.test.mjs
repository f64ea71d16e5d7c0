// (a) The dashboard through `bec-usage-proxy --demo`: served by the proxy, which signs
// with the public demo keys and forwards to its in-process BEC stand-in.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { amountsAsWritten, launchBrowser, newPage, parseCsv, startProxy, waitForState } from "../lib/harness.mjs";

let proxy;
let browser;
before(async () => {
  // Some latency, so that the progress of a chunked load is on screen long enough to see.
  proxy = await startProxy(["--demo", "--fault-latency-ms", "400"]);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await proxy?.stop();
});

test("the page loads through the proxy and draws one chart per resource of the data", async () => {
  const page = await newPage(browser);
  const answer = page.waitForResponse((r) => r.url().includes("/v1/usage/computing"));
  await page.goto(`${proxy.origin}/?range=7d`);
  const body = await (await answer).text();
  assert.equal(await waitForState(page, ["ready", "error"]), "ready");
  const resources = Object.keys(JSON.parse(body).graphData);
  assert.ok(resources.length > 0);
  const charted = await page.$$eval("[data-testid=chart]", (charts) => charts.map((c) => c.dataset.resource));
  assert.deepEqual([...charted].sort(), [...resources].sort());
  // Every chart has a drawn line.
  const lines = await page.$$eval("[data-testid=chart] [data-testid=line]", (ls) => ls.map((l) => l.getAttribute("d").length));
  assert.equal(lines.length, resources.length);
  assert.ok(lines.every((n) => n > 100), `short lines: ${lines}`);
  assert.equal(await page.getAttribute("[data-action=source][data-value=proxy]", "aria-checked"), "true");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a preset changes the URL and the charted range", async () => {
  const page = await newPage(browser);
  await page.goto(`${proxy.origin}/?range=7d`);
  await waitForState(page, ["ready"]);
  const pointsBefore = await page.evaluate(() => window.__BEC_METRICS__.points);
  const last31 = page.locator("[data-action=preset][data-value='31d']");
  const [from, to] = (await last31.getAttribute("title")).split(" – ");
  const request = page.waitForRequest((r) => r.url().includes("/v1/usage/computing"));
  await last31.click();
  const url = new URL((await request).url());
  assert.equal(url.searchParams.get("beginDate"), from);
  assert.equal(url.searchParams.get("endDate"), to);
  await page.waitForFunction(() => location.search.includes("range=31d"));
  assert.match(await page.evaluate(() => location.search), /range=31d/);
  await waitForState(page, ["ready"]);
  await page.waitForFunction((before) => window.__BEC_METRICS__.points !== before, pointsBefore);
  const pointsAfter = await page.evaluate(() => window.__BEC_METRICS__.points);
  // 31 days of 5-minute points against 7: more than four times as many.
  assert.ok(pointsAfter > 4 * pointsBefore, `${pointsBefore} -> ${pointsAfter}`);
  assert.equal(await last31.getAttribute("aria-pressed"), "true");
  assert.equal(await page.inputValue("[data-testid=range-from]"), from);
  await page.close();
});

test("a 60-day range loads in two chunks with progress, and the data covers both", async () => {
  const page = await newPage(browser);
  await page.goto(`${proxy.origin}/?range=7d`);
  await waitForState(page, ["ready"]);
  const before = proxy.usageRequests();
  const requested = [];
  page.on("request", (r) => r.url().includes("/v1/usage/computing") && requested.push(new URL(r.url()).search));
  await page.fill("[data-testid=range-from]", "2025-01-01");
  await page.fill("[data-testid=range-to]", "2025-03-01");
  await page.click("[data-testid=range-apply]");
  await page.waitForSelector("[data-testid=progress]", { timeout: 10_000 });
  await waitForState(page, ["ready"]);
  assert.match(await page.evaluate(() => location.search), /from=2025-01-01&to=2025-03-01/);
  // Two chunks of at most 31 days, each answered by the proxy (its log counts them).
  const chunks = requested.filter((q) => q.includes("2025-"));
  assert.equal(chunks.length, 2, chunks.join(" "));
  assert.ok(chunks[0].includes("beginDate=2025-01-01"), chunks[0]);
  assert.ok(chunks[1].includes("endDate=2025-03-01"), chunks[1]);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(proxy.usageRequests() - before >= 2, `proxy answered ${proxy.usageRequests() - before}`);
  // The exported series runs from the first to the last day.
  const download = page.waitForEvent("download");
  await page.click("[data-action=export][data-value=series]");
  const rows = parseCsv(await readFile(await (await download).path(), "utf8")).slice(1);
  const times = rows.map((r) => r[2]).sort();
  assert.ok(times[0].startsWith("2025-01-01"), times[0]);
  assert.ok(times.at(-1).startsWith("2025-03-01"), times.at(-1));
  await page.close();
});

test("the series CSV has every point with its amount exactly as the service wrote it", async () => {
  const day = "2025-06-01";
  const json = await (await fetch(`${proxy.origin}/v1/usage/computing?beginDate=${day}&endDate=${day}`)).text();
  const expected = amountsAsWritten(json);
  const page = await newPage(browser);
  await page.goto(`${proxy.origin}/?from=${day}&to=${day}&cmp=0`);
  await waitForState(page, ["ready"]);
  const download = page.waitForEvent("download");
  await page.click("[data-action=export][data-value=series]");
  const file = await download;
  assert.match(file.suggestedFilename(), /\.csv$/);
  const [header, ...rows] = parseCsv(await readFile(await file.path(), "utf8")).filter((r) => r.length > 1);
  assert.deepEqual(header, ["resource", "unit", "timestamp", "amount"]);
  const total = Object.values(expected).reduce((n, r) => n + r.amounts.length, 0);
  assert.equal(rows.length, total);
  for (const [name, series] of Object.entries(expected)) {
    const mine = rows.filter((r) => r[0] === name);
    assert.deepEqual(mine.map((r) => r[3]), series.amounts, `${name}: amounts differ`);
    assert.ok(mine.every((r) => r[1] === series.unit), `${name}: unit`);
  }
  // No float artefacts: every amount is one of the texts the service sent.
  assert.ok(rows.every((r) => /^-?\d+(\.\d+)?$/.test(r[3]) && r[3].length < 20));
  await page.close();
});

test("an error of the stand-in shows its code and request id", async () => {
  const failing = await startProxy(["--demo", "--fault-error-rate", "1", "--retries", "0"]);
  try {
    const page = await newPage(browser);
    const answer = page.waitForResponse((r) => r.url().includes("/v1/usage/computing"));
    await page.goto(`${failing.origin}/?range=7d`);
    const body = JSON.parse(await (await answer).text());
    assert.equal(await waitForState(page, ["ready", "error"]), "error");
    const panel = page.locator("[data-testid=error-panel]");
    assert.equal(await panel.locator("[data-testid=error-code]").textContent(), body.code);
    const text = await panel.textContent();
    assert.ok(text.includes(body.requestId), `request id ${body.requestId} not in: ${text}`);
    // The stand-in's own code, in the proxy's message.
    assert.ok(text.includes("InternalError"), text);
    assert.ok(await page.locator("[data-testid=retry]").isVisible());
    await page.close();
  } finally {
    await failing.stop();
  }
});
