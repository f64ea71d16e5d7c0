// An axe-core scan of the dashboard (loaded with data, light and dark, a failed load, the
// key form): no serious or critical violation. Screenshots go to tests/artifacts/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ARTIFACTS, launchBrowser, newPage, scan, startProxy, waitForState } from "../lib/harness.mjs";

let proxy;
let relay;
let browser;
before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [proxy, relay] = await Promise.all([startProxy(["--demo"]), startProxy(["--demo", "--relay"])]);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await proxy?.stop();
  await relay?.stop();
});

for (const { name, query, colorScheme, lang } of [
  { name: "light-en", query: "?range=31d&lang=en&theme=light", colorScheme: "light" },
  { name: "dark-en", query: "?range=31d&lang=en&theme=dark", colorScheme: "dark" },
  { name: "light-zh", query: "?range=31d&lang=zh&theme=light", colorScheme: "light" },
  { name: "dark-zh", query: "?range=31d&lang=zh&theme=dark", colorScheme: "dark" },
]) {
  test(`axe: no serious or critical violation, ${name}; screenshot`, async () => {
    const page = await newPage(browser, { colorScheme, viewport: { width: 1440, height: 1000 } });
    await page.goto(`${proxy.origin}/${query}`);
    assert.equal(await waitForState(page, ["ready"]), "ready");
    // The comparison is on by default: the scan covers the change badges and the previous
    // period's line too, once the previous period has loaded.
    await page.waitForSelector("[data-testid=change]", { timeout: 20_000 });
    assert.ok((await page.locator("[data-testid=change]").count()) > 0);
    assert.equal(await page.getAttribute("html", "data-theme"), name.split("-")[0]);
    assert.match(await page.getAttribute("html", "lang"), name.endsWith("zh") ? /^zh/ : /^en/);
    const plot = page.locator("[data-testid=plot]").first();
    const box = await plot.boundingBox();
    await page.mouse.move(box.x + box.width * 0.62, box.y + box.height / 2);
    await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`) });
    await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}-full.png`), fullPage: true });
    const { bad, report } = await scan(page);
    assert.equal(bad.length, 0, report);
    await page.close();
  });
}

test("axe: the key form and the SignatureDoesNotMatch panel; screenshot", async () => {
  const page = await newPage(browser, { viewport: { width: 1440, height: 1000 } });
  await page.goto(`${relay.origin}/?src=keys&range=7d&lang=en`);
  assert.equal(await waitForState(page, ["keys"]), "keys");
  let { bad, report } = await scan(page);
  assert.equal(bad.length, 0, report);
  await page.fill("[data-testid=access-key-id]", "demo-access-key-id");
  await page.fill("[data-testid=secret-access-key]", "wrong");
  await page.click("[data-testid=use-keys]");
  assert.equal(await waitForState(page, ["error"]), "error");
  assert.equal(await page.textContent("[data-testid=error-code]"), "SignatureDoesNotMatch");
  await page.screenshot({ path: join(ARTIFACTS, "error-signature.png"), fullPage: true });
  ({ bad, report } = await scan(page));
  assert.equal(bad.length, 0, report);
  await page.close();
});
