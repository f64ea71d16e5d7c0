// (b) "My keys" against the proxy in relay mode: the page signs with the keys typed into
// it, the proxy forwards the signature to the stand-in, which checks it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, newPage, startProxy, waitForState } from "../lib/harness.mjs";

let proxy;
let browser;
before(async () => {
  proxy = await startProxy(["--demo", "--relay"]);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await proxy?.stop();
});

async function useKeys(page, id, secret, { before } = {}) {
  await page.goto(`${proxy.origin}/?src=keys&range=7d`);
  assert.equal(await waitForState(page, ["keys"]), "keys");
  await before?.();
  await page.fill("[data-testid=access-key-id]", id);
  await page.fill("[data-testid=secret-access-key]", secret);
  const request = page.waitForRequest((r) => r.url().includes("/v1/usage/computing"));
  await page.click("[data-testid=use-keys]");
  return request;
}

test("the proxy says it relays, and the page defaults to My keys", async () => {
  assert.equal(proxy.health.mode, "relay");
  const page = await newPage(browser);
  await page.goto(`${proxy.origin}/`);
  assert.equal(await waitForState(page, ["keys"]), "keys");
  assert.equal(await page.getAttribute("[data-action=source][data-value=keys]", "aria-checked"), "true");
  await page.close();
});

test("the right keys: the page signs, the stand-in accepts, the charts are drawn", async () => {
  const page = await newPage(browser);
  const request = await useKeys(page, "demo-access-key-id", "demo-secret-access-key");
  const headers = request.headers();
  assert.match(headers.authorization, /^bce-auth-v1\/demo-access-key-id\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\/1800\/host;x-bce-date\/[0-9a-f]{64}$/);
  assert.ok(headers["x-bce-date"]);
  assert.equal(await waitForState(page, ["ready", "error"]), "ready");
  assert.ok((await page.locator("[data-testid=chart]").count()) > 0);
  // The secret is not kept in the form, nor in the URL.
  assert.equal(await page.inputValue("[data-testid=secret-access-key]").catch(() => ""), "");
  assert.ok(!(await page.evaluate(() => location.href)).includes("secret"));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a browser clock 2 hours behind: RequestExpired, then exactly one request signed again with the server's Date, which succeeds", async () => {
  const page = await newPage(browser);
  // This page's clock runs two hours behind the proxy's (and the stand-in's): the page's,
  // and its data worker's, which signs (set as it starts, long before the keys are typed).
  const behind = () => {
    const realNow = Date.now;
    Date.now = () => realNow() - 2 * 3600 * 1000;
  };
  await page.addInitScript(behind);
  const workerClock = new Promise((done) => page.on("worker", (worker) => done(worker.evaluate(behind))));
  const answers = [];
  page.on("response", (response) => {
    if (!response.url().includes("/v1/usage/computing")) return;
    const code = response.ok() ? null : response.json().then((body) => body.code, () => "unreadable");
    const range = new URL(response.url()).searchParams.get("beginDate");
    answers.push({ range, status: response.status(), code, date: response.request().headers()["x-bce-date"] });
  });
  await useKeys(page, "demo-access-key-id", "demo-secret-access-key", { before: () => workerClock });
  assert.equal(await waitForState(page, ["ready", "error"]), "ready");
  assert.ok((await page.locator("[data-testid=chart]").count()) > 0);
  const seen = await Promise.all(answers.map(async (a) => [a.range, a.status, await a.code]));
  const current = seen[0][0];
  assert.deepEqual(
    seen.filter(([range]) => range === current).map(([, status, code]) => [status, code]),
    [[400, "RequestExpired"], [200, null]],
  );
  // Later requests (the previous period, compared by default) sign with the kept offset at once.
  for (const [range, status] of seen.filter(([range]) => range !== current)) assert.equal(status, 200, range);
  const [refused, resigned] = answers.filter((a) => a.range === current);
  const skew = Date.parse(resigned.date) - Date.parse(refused.date);
  assert.ok(Math.abs(skew - 2 * 3600 * 1000) < 60_000, `signed again about 2 h later on the page's clock: ${skew} ms`);
  await page.close();
});

test("a wrong secret shows SignatureDoesNotMatch and the canonical request the page signed", async () => {
  const page = await newPage(browser);
  await useKeys(page, "demo-access-key-id", "not-the-demo-secret");
  assert.equal(await waitForState(page, ["ready", "error"]), "error");
  const panel = page.locator("[data-testid=error-panel]");
  assert.equal(await panel.locator("[data-testid=error-code]").textContent(), "SignatureDoesNotMatch");
  const canonical = await panel.locator("[data-testid=canonical-request]").textContent();
  const lines = canonical.split("\n");
  assert.equal(lines[0], "GET");
  assert.equal(lines[1], "/v1/usage/computing");
  assert.match(lines[2], /^beginDate=\d{4}-\d\d-\d\d&endDate=\d{4}-\d\d-\d\d$/);
  assert.ok(lines.includes(`host:${proxy.health.upstreamHost}`), canonical);
  assert.ok(lines.some((l) => l.startsWith("x-bce-date:")), canonical);
  assert.ok(!canonical.includes("not-the-demo-secret"));
  await page.close();
});

test("keys typed before a change of language are still there after it, and work", async () => {
  const page = await newPage(browser);
  await page.goto(`${proxy.origin}/?src=keys&range=7d`);
  assert.equal(await waitForState(page, ["keys"]), "keys");
  const lang = await page.getAttribute("html", "lang");
  await page.fill("[data-testid=access-key-id]", "demo-access-key-id");
  await page.fill("[data-testid=secret-access-key]", "demo-secret-access-key");
  await page.click("[data-testid=lang-toggle]");
  await page.waitForFunction((before) => document.documentElement.lang !== before, lang);
  assert.equal(await page.inputValue("[data-testid=access-key-id]"), "demo-access-key-id");
  assert.equal(await page.inputValue("[data-testid=secret-access-key]"), "demo-secret-access-key");
  const request = page.waitForRequest((r) => r.url().includes("/v1/usage/computing"));
  await page.click("[data-testid=use-keys]");
  assert.match((await request).headers().authorization, /^bce-auth-v1\/demo-access-key-id\//);
  assert.equal(await waitForState(page, ["ready", "error"]), "ready");
  assert.equal(await page.inputValue("[data-testid=secret-access-key]").catch(() => ""), "");
  assert.deepEqual(page.problems, []);
  await page.close();
});
