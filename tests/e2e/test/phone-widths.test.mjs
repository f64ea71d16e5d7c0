// (g) Phone widths, 360 to 480 px, and wider ones, in English and Chinese: the charts'
// statistics never break inside a number or a unit ("co/res", "≈239.44920/67") and fit
// their boxes, and the page does not scroll sideways. Screenshots at 390 px go to
// tests/artifacts/. Firefox and WebKit run the same check in tests/e2e/engines/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ARTIFACTS, launchBrowser, newPage, startStatic, waitForState } from "../lib/harness.mjs";
import { statsLayoutProblems } from "../lib/layout.mjs";

// Phones, then tablets and desktops (where the cards change their statistics' layout).
const WIDTHS = [360, 390, 414, 480, 600, 720, 768, 1024, 1280];

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

for (const lang of ["en", "zh"]) {
  test(`at ${WIDTHS.join(", ")} px (${lang}) every statistic is on one line and fits`, async () => {
    const page = await newPage(browser, { viewport: { width: WIDTHS[0], height: 844 } });
    await page.goto(`${server.origin}/?lang=${lang}`);
    assert.equal(await waitForState(page, ["ready", "error"]), "ready");
    const found = [];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 844 });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      for (const problem of await page.evaluate(statsLayoutProblems)) found.push(`${width} px: ${problem}`);
      if (width === 390) {
        await page.locator("[data-testid=chart]").first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(ARTIFACTS, `chromium-phone-390-${lang}.png`) });
      }
    }
    assert.deepEqual(found, []);
    assert.deepEqual(page.problems.filter((p) => !/404/.test(p)), []);
    await page.close();
  });
}
