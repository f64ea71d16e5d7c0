// The end-to-end checks run in Firefox and in WebKit (firefox.test.mjs, webkit.test.mjs):
// the demo on a static host and through `bec-usage-proxy --demo`, the server as the
// source with exactly the amounts it sent, "My keys" through a relaying proxy, sign-in
// with a users file, and the charts' statistics at phone widths (360–480 px, English and
// Chinese). One browser per engine for the file; screenshots of the desktop and a 390 px
// phone go to tests/artifacts/<engine>-*.png.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  enterPhoneFrame,
  firefoxPage,
  instrumentedDist,
  launchFirefox,
  launchWebKit,
  leaveFrame,
} from "../lib/engines.mjs";
import { ARTIFACTS, DIST, amountsAsWritten, startProxy, startStatic, userLine } from "../lib/harness.mjs";
import { statsLayoutProblems } from "../lib/layout.mjs";

const USAGE = "/v1/usage/computing";
/** A day of the stand-in's data: every check of exact amounts loads this one day. */
const DAY = "2025-06-01";
export const PHONE_WIDTHS = [360, 390, 414, 480];

/** `1234567.125` → `1,234,567.125`, as the page writes amounts. */
const groupDigits = (text) => text.replace(/^(-?)(\d+)/, (_, sign, int) => sign + int.replace(/\B(?=(\d{3})+$)/g, ","));

/** The page's statistics of each chart: { resource: { min, mean, max, last } }, values without units. */
const chartStats = () =>
  Object.fromEntries(
    [...document.querySelectorAll("[data-testid=chart]")].map((chart) => [
      chart.dataset.resource,
      Object.fromEntries(
        ["min", "mean", "max", "last"].map((k) => [
          k,
          chart.querySelector(`[data-testid=stat-${k}]`).textContent.split("\u202F")[0],
        ]),
      ),
    ]),
  );

/** Asserts the page's statistics are those of the usage response `json` (as written). */
function assertStatsOf(stats, json) {
  const sent = amountsAsWritten(json);
  assert.deepEqual(Object.keys(stats).sort(), Object.keys(sent).sort());
  for (const [name, series] of Object.entries(sent)) {
    // The last point in time, its amount as the service wrote it (digits grouped).
    const last = series.timestamps.indexOf(series.timestamps.reduce((a, b) => (a > b ? a : b)));
    assert.equal(stats[name].last, groupDigits(series.amounts[last]), `${name}: last`);
    const byValue = series.amounts.map(Number);
    assert.equal(Number(stats[name].max.replaceAll(",", "")), Math.max(...byValue), `${name}: max`);
    assert.equal(Number(stats[name].min.replaceAll(",", "")), Math.min(...byValue), `${name}: min`);
  }
}

/** Waits for the load to end; fails with the page's error and problems unless it is ready. */
async function assertReady(page) {
  const state = await page.waitForState(["ready", "error"]);
  if (state !== "ready") {
    const error = await page.evaluate(() => document.querySelector("[data-testid=error-panel]")?.textContent ?? "");
    assert.fail(`data-state ${state}: ${error}; problems: ${JSON.stringify(await page.problems())}`);
  }
}

/**
 * Registers the checks for `engine` ("firefox" or "webkit") with node:test.
 */
export function engineSuite(engine) {
  let browser; // Firefox: the browser; WebKit: the session ({ page, quit })
  let served; // WebKit: the instrumented copy of dist/
  let dir;
  let staticHost;
  let demo;
  let relay;
  let team;

  // A limit of its own, well inside the file's five minutes: a start that hangs fails here,
  // saying which part had not started (each part's time is printed).
  before(async () => {
    const started = Date.now();
    const timed = (what, promise) =>
      promise.then((value) => {
        console.log(`${engine}: ${what} started in ${Date.now() - started} ms`);
        return value;
      });
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), `bec-${engine}-`));
    const users = join(dir, "users");
    writeFileSync(users, userLine("alice", "alice-password"));
    let dist = DIST;
    if (engine === "webkit") {
      served = instrumentedDist();
      dist = served.dir;
    }
    [staticHost, demo, relay, team, browser] = await Promise.all([
      timed("the static host", startStatic(dist)),
      timed("proxy --demo", startProxy(["--demo"], { dist })),
      timed("proxy --demo --relay", startProxy(["--demo", "--relay"], { dist })),
      timed("proxy --users-file", startProxy(["--demo", "--users-file", users], { dist })),
      timed("the browser", engine === "firefox" ? launchFirefox() : launchWebKit()),
    ]);
  }, { timeout: 150_000 });

  after(async () => {
    await (engine === "firefox" ? browser?.close() : browser?.quit());
    await Promise.all([staticHost?.stop(), demo?.stop(), relay?.stop(), team?.stop()]);
    served?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A page at desktop size: a new one in Firefox, the session's window in WebKit. */
  async function open() {
    if (engine === "firefox") return firefoxPage(browser);
    await browser.page.setSize(1280, 900);
    return browser.page;
  }

  test(`${engine}: on a static host the page shows the demo, made in the page`, async () => {
    const page = await open();
    await page.goto(`${staticHost.origin}/`);
    await assertReady(page);
    assert.equal(await page.attribute("[data-action=source][data-value=demo]", "aria-checked"), "true");
    // The proxy's sources cannot work here and are disabled.
    assert.notEqual(await page.attribute("[data-action=source][data-value=proxy]", "disabled"), null);
    assert.equal(await page.count("[data-testid=demo-banner]"), 1);
    const metrics = await page.evaluate(() => window.__BEC_METRICS__);
    assert.equal(metrics.source, "demo");
    assert.equal(metrics.resources, 12);
    assert.equal(await page.count("[data-testid=chart]"), 12);
    assert.equal(await page.count("[data-testid=chart] [data-testid=line]"), 12);
    assert.ok(!staticHost.requests.some((p) => p.startsWith("/v1/")), staticHost.requests.join(" "));
    // The /healthz 404 is expected; nothing else may fail.
    assert.deepEqual((await page.problems()).filter((p) => !/404/.test(p)), []);
    await page.screenshot(join(ARTIFACTS, `${engine}-static-demo.png`));
    await page.close();
  });

  test(`${engine}: through proxy --demo, the Demo source draws the 12 demo charts and asks the server for no data`, async () => {
    const before = demo.usageRequests();
    const page = await open();
    await page.goto(`${demo.origin}/?src=demo&lang=en`);
    await assertReady(page);
    assert.equal(await page.attribute("[data-action=source][data-value=demo]", "aria-checked"), "true");
    // Here the server's sources can be chosen.
    assert.equal(await page.attribute("[data-action=source][data-value=proxy]", "disabled"), null);
    const metrics = await page.evaluate(() => window.__BEC_METRICS__);
    assert.equal(metrics.source, "demo");
    assert.equal(metrics.resources, 12);
    assert.equal(await page.count("[data-testid=chart]"), 12);
    assert.equal(demo.usageRequests(), before);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  });

  test(`${engine}: proxy --demo as the source, every chart's statistics exactly as the server sent`, async () => {
    const json = await (await fetch(`${demo.origin}${USAGE}?beginDate=${DAY}&endDate=${DAY}`)).text();
    const sent = amountsAsWritten(json);
    const before = demo.usageRequests();
    const page = await open();
    await page.goto(`${demo.origin}/?from=${DAY}&to=${DAY}&cmp=0&lang=en`);
    await assertReady(page);
    assert.equal(await page.attribute("[data-action=source][data-value=proxy]", "aria-checked"), "true");
    const metrics = await page.evaluate(() => window.__BEC_METRICS__);
    assert.equal(metrics.source, "proxy");
    assert.equal(metrics.resources, Object.keys(sent).length);
    assert.equal(metrics.points, Object.values(sent).reduce((n, r) => n + r.amounts.length, 0));
    assertStatsOf(await page.evaluate(chartStats), json);
    // The proxy answered the page's request for that day.
    assert.ok(demo.usageRequests() > before, demo.log());
    assert.deepEqual(await page.problems(), []);
    await page.screenshot(join(ARTIFACTS, `${engine}-desktop.png`));
    await page.close();
  });

  test(`${engine}: My keys through a relaying proxy: the page signs, the stand-in checks it, the charts show its data`, async () => {
    const page = await open();
    await page.goto(`${relay.origin}/?src=keys&from=${DAY}&to=${DAY}&cmp=0&lang=en`);
    assert.equal(await page.waitForState(["keys"]), "keys");
    await page.type("[data-testid=access-key-id]", "demo-access-key-id");
    await page.type("[data-testid=secret-access-key]", "demo-secret-access-key");
    const before = relay.usageRequests();
    await page.click("[data-testid=use-keys]");
    await assertReady(page);
    assert.ok(relay.usageRequests() > before, relay.log());
    // The stand-in's data for the demo keys: what the server's own keys read.
    const json = await (await fetch(`${demo.origin}${USAGE}?beginDate=${DAY}&endDate=${DAY}`)).text();
    assertStatsOf(await page.evaluate(chartStats), json);
    assert.equal(await page.count("[data-testid=chart]"), Object.keys(amountsAsWritten(json)).length);
    // The secret is kept neither in the form nor in the URL.
    assert.equal(await page.evaluate(() => document.querySelector("[data-testid=secret-access-key]")?.value ?? ""), "");
    assert.ok(!(await page.evaluate(() => location.href)).includes("secret"));
    assert.deepEqual(await page.problems(), []);

    // A wrong secret: the stand-in refuses the signature and the page shows why.
    await page.goto(`${relay.origin}/?src=keys&from=${DAY}&to=${DAY}&cmp=0&lang=en`);
    await page.waitForState(["keys"]);
    await page.type("[data-testid=access-key-id]", "demo-access-key-id");
    await page.type("[data-testid=secret-access-key]", "not-the-demo-secret");
    await page.click("[data-testid=use-keys]");
    assert.equal(await page.waitForState(["ready", "error"]), "error");
    assert.equal(await page.text("[data-testid=error-code]"), "SignatureDoesNotMatch");
    const canonical = await page.text("[data-testid=canonical-request]");
    assert.equal(canonical.split("\n")[1], USAGE);
    assert.ok(canonical.includes(`beginDate=${DAY}&endDate=${DAY}`), canonical);
    await page.close();
  });

  test(`${engine}: sign-in with a users file: a wrong password is refused, the right one draws the charts`, async () => {
    assert.equal(team.health.signIn, "password");
    const page = await open();
    await page.goto(`${team.origin}/?from=${DAY}&to=${DAY}&cmp=0&lang=en`);
    assert.equal(await page.waitForState(["signin", "ready", "error"]), "signin");
    assert.equal(await page.count("[data-testid=charts]"), 0);
    const before = team.usageRequests();

    await page.type("[data-testid=sign-in-user]", "alice");
    await page.type("[data-testid=sign-in-password]", "not-her-password");
    await page.click("[data-testid=sign-in-submit]");
    const refused = await until(() => page.text("[data-testid=sign-in-error]"), "the sign-in error");
    assert.match(refused, /wrong user name or password/);
    assert.equal(await page.evaluate(() => document.querySelector("[data-testid=sign-in-password]").value), "");
    assert.equal(team.usageRequests(), before, "no data before signing in");

    await page.type("[data-testid=sign-in-password]", "alice-password");
    await page.click("[data-testid=sign-in-submit]");
    await assertReady(page);
    assert.equal(await page.text("[data-testid=user-name]"), "alice");
    // The server's data for that day, read with its own keys once she is signed in.
    const json = await (await fetch(`${demo.origin}${USAGE}?beginDate=${DAY}&endDate=${DAY}`)).text();
    assertStatsOf(await page.evaluate(chartStats), json);
    assert.ok(team.usageRequests() > before, team.log());
    // The session is an HttpOnly cookie: the page cannot read it, and a new load keeps it.
    assert.equal(await page.evaluate(() => document.cookie), "");
    await page.goto(`${team.origin}/?from=${DAY}&to=${DAY}&cmp=0&lang=en`);
    assert.equal(await page.waitForState(["ready", "signin", "error"]), "ready");
    assert.equal(await page.text("[data-testid=user-name]"), "alice");
    assert.deepEqual(await page.problems(), []);
    await page.clearCookies();
    await page.close();
  });

  test(`${engine}: at phone widths (360–480 px) no statistic breaks inside a number or a unit, in English and Chinese`, async () => {
    const page = await open();
    const found = [];
    for (const lang of ["en", "zh"]) {
      const url = `${staticHost.origin}/?lang=${lang}`;
      // MiniBrowser's window cannot be as narrow as a phone: WebKit sees the page in an
      // iframe of the phone's width (the static host, as the proxy forbids framing).
      if (engine === "webkit") await enterPhoneFrame(page, staticHost.origin, url, PHONE_WIDTHS[0], 844);
      else {
        await page.setSize(PHONE_WIDTHS[0], 844);
        await page.goto(url);
      }
      await assertReady(page);
      for (const width of PHONE_WIDTHS) {
        if (engine === "webkit") await page.evaluate((w) => (window.frameElement.style.width = `${w}px`), width);
        else await page.setSize(width, 844);
        assert.equal(await page.evaluate(() => innerWidth), width);
        // Reading the boxes lays the page out at the new width first.
        for (const problem of await page.evaluate(statsLayoutProblems)) found.push(`${lang} ${width} px: ${problem}`);
        if (width === 390) {
          await page.evaluate(() => document.querySelector("[data-testid=chart]").scrollIntoView());
          const name = join(ARTIFACTS, `${engine}-phone-390-${lang}.png`);
          if (engine === "webkit") {
            // The frame as the window shows it (WebKitWebDriver cannot take an element
            // inside a frame).
            await leaveFrame(page);
            await page.screenshot(name, "#phone");
            await page.raw.switchTo().frame(0);
          } else await page.screenshot(name);
        }
      }
      assert.deepEqual(await page.problems(), []);
      if (engine === "webkit") await leaveFrame(page);
    }
    assert.deepEqual(found, []);
    await page.close();
  });

  /** Polls `read` until it gives a non-empty value. */
  async function until(read, what, timeout = 10_000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const value = await read();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
