// (e) The usage analyses on the in-page demo, from dist/ on a static server: unit-hours
// totals, the cost panel with a price sheet kept in local storage, the forecast band and
// its switch, the unusual stretches and their sensitivity, the daily CSV's unit_hours.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ARTIFACTS, launchBrowser, newPage, parseCsv, startStatic, waitForState } from "../lib/harness.mjs";

const SHEET = JSON.stringify({
  currency: "CNY",
  minorUnits: 2,
  prices: { CPU: "0.045", Memory: "0.012", TRAFFIC: [{ upTo: 1000, price: "0.8" }, { price: "0.6" }] },
});
const DEMO = "/?src=demo&range=31d&step=3600";

let server;
let browser;
before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startStatic();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// The unusual stretches, once found (after the charts are painted): the card no longer
// busy, and the list's and the charts' markers.
async function foundStretches(page, times = 1) {
  await page.waitForFunction((n) => performance.getEntriesByName("anomalies-found").length >= n, times);
  await page.locator("[data-testid=anomalies][aria-busy=false]").waitFor();
  assert.equal(await page.locator("[data-testid=anomalies-pending]").count(), 0);
  const items = await page.locator("[data-testid=anomaly-item]").count();
  const markers = await page.locator("[data-testid=charts] [data-testid=anomaly-marker]").count();
  assert.equal(markers > 0, items > 0, `${items} stretches listed, ${markers} marked on the charts`);
  if (items === 0) assert.equal(await page.locator("[data-testid=no-anomalies]").count(), 1);
  return items;
}

async function pasteSheet(page, text) {
  await page.fill("[data-testid=sheet-text]", text);
  await page.click("[data-action=apply-sheet]");
}

test("the totals row and card state unit-hours; the daily CSV has unit_hours", async () => {
  const page = await newPage(browser);
  await page.goto(`${server.origin}${DEMO}`);
  assert.equal(await waitForState(page, ["ready", "error"]), "ready");
  const row = await page.locator("[data-testid=totals-row]").textContent();
  assert.match(row, /core-hours/, row);
  assert.match(row, /GB-hours/, row);
  const cpu = await page.locator("[data-testid=total][data-resource=CPU]").textContent();
  assert.match(cpu, /\d[\d,]*(\.\d+)?\s*core-hours/, cpu);
  // The unusual stretches are found after the charts are painted, and then timed.
  await page.waitForFunction(() => performance.getEntriesByName("anomalies-found").length > 0);
  const metrics = await page.evaluate(() => window.__BEC_METRICS__);
  assert.equal(typeof metrics.anomaliesMs, "number");
  assert.equal(typeof metrics.analysesMs, "number");
  const download = page.waitForEvent("download");
  await page.click("[data-action=export][data-value=daily]");
  const [header] = parseCsv(await readFile(await (await download).path(), "utf8"));
  assert.ok(header.includes("unit_hours"), header.join(","));
  assert.deepEqual(page.problems.filter((p) => !/404/.test(p)), []);
  await page.close();
});

test("a pasted price sheet gives a cost panel with a total, kept over a reload", async () => {
  const page = await newPage(browser);
  await page.goto(`${server.origin}${DEMO}`);
  await waitForState(page, ["ready"]);
  await pasteSheet(page, SHEET);
  const total = page.locator("[data-testid=cost-total]");
  await total.waitFor();
  assert.match(await total.textContent(), /^[\d,]+\.\d\d CNY$/);
  assert.match(await page.locator("[data-testid=cost-rounding]").textContent(), /0\.01 CNY/);
  assert.equal(await page.locator("[data-testid=cost-row]").count(), 3);
  assert.match(await page.locator("[data-testid=unpriced]").textContent(), /EIP/);
  // The daily CSV now has the cost columns.
  const download = page.waitForEvent("download");
  await page.click("[data-action=export][data-value=daily]");
  const [header] = parseCsv(await readFile(await (await download).path(), "utf8"));
  assert.ok(header.includes("cost") && header.includes("currency"), header.join(","));
  await page.screenshot({ path: join(ARTIFACTS, "cost-panel-full.png"), fullPage: true });
  await page.locator("[data-testid=cost-panel]").screenshot({ path: join(ARTIFACTS, "cost-panel.png") });
  // Reload: the sheet comes back from local storage.
  await page.reload();
  await waitForState(page, ["ready"]);
  await page.locator("[data-testid=cost-total]").waitFor();
  assert.equal(await page.inputValue("[data-testid=sheet-text]"), SHEET);
  // Removed, it stays removed.
  await page.click("[data-action=remove-sheet]");
  assert.equal(await page.locator("[data-testid=cost-total]").count(), 0);
  await page.reload();
  await waitForState(page, ["ready"]);
  assert.equal(await page.locator("[data-testid=cost-total]").count(), 0);
  assert.deepEqual(page.problems.filter((p) => !/404/.test(p)), []);
  await page.close();
});

test("a bad price sheet shows the core's message naming the entry", async () => {
  const page = await newPage(browser);
  await page.goto(`${server.origin}${DEMO}`);
  await waitForState(page, ["ready"]);
  await pasteSheet(page, '{"currency":"CNY","prices":{"CPU":"-1"}}');
  const error = page.locator("[data-testid=sheet-error]");
  await page.waitForFunction(() => document.querySelector("[data-testid=sheet-error]")?.textContent);
  assert.match(await error.textContent(), /prices\.CPU/);
  assert.equal(await page.getAttribute("[data-testid=sheet-text]", "aria-invalid"), "true");
  assert.equal(await page.locator("[data-testid=cost-total]").count(), 0);
  // A resource the data lacks is refused too, by name.
  await pasteSheet(page, '{"currency":"CNY","prices":{"CPUX":"1"}}');
  await page.waitForFunction(() => /CPUX/.test(document.querySelector("[data-testid=sheet-error]")?.textContent));
  await page.evaluate(() => localStorage.clear());
  await page.close();
});

test("the forecast band follows its switch; more sensitivity finds no fewer stretches", async () => {
  const page = await newPage(browser);
  await page.goto(`${server.origin}${DEMO}`);
  await waitForState(page, ["ready"]);
  const hasForecast = (await page.locator("[data-testid=forecast-total]:not(:empty)").count()) > 0;
  if (hasForecast) assert.ok((await page.locator("[data-testid=forecast-band]").count()) > 0);
  const medium = await foundStretches(page);
  // The list is ranked: the strongest stretch (highest score) first, each shown with it.
  const scores = await page.locator("[data-testid=anomaly-item]").evaluateAll((items) => items.map((li) => Number(li.dataset.score)));
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), `scores in list order: ${scores}`);
  assert.ok(scores.every((score) => score >= 1), `medium lists scores of 1 and up: ${scores}`);
  if (medium > 0) assert.match(await page.locator("[data-testid=anomaly-item]").first().textContent(), /score \d+\.\d/);
  // The same stretches, exported: one row each, exact values, scores of 1 and up.
  const download = page.waitForEvent("download");
  await page.click("[data-action=export][data-value=anomalies]");
  const file = await download;
  assert.match(file.suggestedFilename(), /_anomalies\.csv$/);
  const [header, ...rows] = parseCsv(await readFile(await file.path(), "utf8")).filter((row) => row.length > 1);
  assert.deepEqual(header, ["resource", "start", "end", "peak", "value", "usual_low", "usual_high", "score"]);
  assert.equal(rows.length, medium, `${rows.length} rows for ${medium} listed stretches`);
  for (const row of rows) {
    assert.match(row[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/, row.join(","));
    assert.ok(Number(row[7]) >= 1 && Number(row[5]) <= Number(row[6]), row.join(","));
  }
  await page.goto(`${server.origin}${DEMO}&forecast=off`);
  await waitForState(page, ["ready"]);
  assert.equal(await page.locator("[data-testid=forecast-band]").count(), 0);
  assert.equal(await page.isChecked("[data-testid=forecast-toggle] input"), false);
  await page.goto(`${server.origin}${DEMO}&sensitivity=high`);
  await waitForState(page, ["ready"]);
  assert.equal(await page.inputValue("[data-testid=sensitivity]"), "high");
  const high = await foundStretches(page);
  assert.ok(high >= medium, `high ${high} < medium ${medium}`);
  // The select writes the URL, and the stretches are looked for again.
  await page.selectOption("[data-testid=sensitivity]", "low");
  assert.match(await page.evaluate(() => location.search), /sensitivity=low/);
  const low = await foundStretches(page, 2);
  assert.ok(low <= high, `low ${low} > high ${high}`);
  assert.deepEqual(page.problems.filter((p) => !/404/.test(p)), []);
  await page.close();
});

test("a phone-width screenshot with a price sheet", async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await page.goto(`${server.origin}${DEMO}`);
  await waitForState(page, ["ready"]);
  await pasteSheet(page, SHEET);
  await page.locator("[data-testid=cost-total]").waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "cost-panel-phone-full.png"), fullPage: true });
  // Nothing wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
  await page.evaluate(() => localStorage.clear());
  await page.close();
});
