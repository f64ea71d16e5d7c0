// Screenshots of the dashboard in Debian's Chromium, light and dark, for a person to look
// at; prints the page's own timing (window.__BEC_METRICS__) and any console error.
//
//   node tests/e2e/screenshot.mjs [URL] [OUT_DIR]
//   (default http://127.0.0.1:8080/?src=demo&range=31d, target/screenshots)
import { mkdirSync } from "node:fs";
import { launchBrowser } from "./lib/harness.mjs";

const url = process.argv[2] ?? "http://127.0.0.1:8080/?src=demo&range=31d";
const out = process.argv[3] ?? "target/screenshots";
mkdirSync(out, { recursive: true });

const browser = await launchBrowser();
let failed = false;
try {
  for (const colorScheme of ["light", "dark"]) {
    const page = await browser.newPage({
      viewport: { width: 1440, height: 1000 },
      colorScheme,
    });
    const problems = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(String(e)));
    await page.goto(url);
    await page.waitForSelector("[data-state=ready]", { timeout: 60_000 });
    // Let the previous period arrive for the comparison.
    await page
      .waitForSelector("[data-testid=change]", { timeout: 20_000 })
      .catch(() => {});
    const metrics = await page.evaluate(() => window.__BEC_METRICS__);
    console.log(colorScheme, JSON.stringify(metrics));
    const plot = page.locator("[data-testid=plot]").first();
    const box = await plot.boundingBox();
    if (box) await page.mouse.move(box.x + box.width * 0.62, box.y + box.height / 2);
    await page.screenshot({ path: `${out}/dashboard-${colorScheme}.png` });
    await page.screenshot({ path: `${out}/dashboard-${colorScheme}-full.png`, fullPage: true });
    await page
      .locator("[data-testid=daily-table]")
      .screenshot({ path: `${out}/daily-table-${colorScheme}.png` });
    if (problems.length) {
      failed = true;
      console.error(`${colorScheme}: console errors:\n  ${problems.join("\n  ")}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
