// Debian's Chromium, driven by playwright-core (never a downloaded browser).
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless Chromium with the flags this machine's closed network needs. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Opens `url`, waits until the page has written its result into `#result[data-done]`, and
 * returns `{ result, problems }`: the parsed result and every console error, page error and
 * failed request, which a good page has none of. A page that wrote nothing fails with its
 * problems, 3 s after the first one (20 s if it has none).
 */
export async function resultOfPage(browser, url) {
  const page = await browser.newPage();
  const problems = [];
  // A page whose script died (a module that failed to load, say) never writes its result:
  // once something went wrong, wait only a little longer for it.
  let sawProblem;
  const firstProblem = new Promise((resolve) => (sawProblem = resolve));
  const problem = (text) => {
    problems.push(text);
    sawProblem();
  };
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problem(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problem(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problem(`request failed: ${request.url()}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problem(`HTTP ${response.status()}: ${response.url()}`);
  });
  try {
    await page.goto(url);
    const done = page.waitForSelector("#result[data-done]", { timeout: 20_000 }).catch(() => null);
    const stuck = firstProblem.then(() => new Promise((resolve) => setTimeout(resolve, 3_000, null)));
    const element = await Promise.race([done, stuck]);
    if (element === null) {
      throw new Error(`${url} wrote no result into #result[data-done]; its problems:\n${problems.join("\n") || "(none)"}`);
    }
    const text = await element.textContent();
    return { result: JSON.parse(text), problems };
  } finally {
    await page.close();
  }
}
