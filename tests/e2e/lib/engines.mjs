// The dashboard in the other two browser engines, behind one small page interface so that
// a test is written once for both:
//
//   Firefox: Debian's firefox-esr through puppeteer-core (WebDriver BiDi), headless.
//   WebKit: WebKitGTK's MiniBrowser through WebKitWebDriver and selenium-webdriver, in an
//     X display (the one in DISPLAY, else an Xvfb started here). Classic WebDriver has no
//     console events, so the page is served from a copy of dist/ whose index.html first
//     loads e2e-problems.js, which gathers console errors, uncaught errors and unhandled
//     rejections in window.__E2E_PROBLEMS__ (see instrumentedDist).
//
// A page: goto(url), waitForState(states), evaluate(fn, ...args), type(selector, text),
// click(selector), count(selector), text(selector), attribute(selector, name),
// setSize(width, height), screenshot(path, selector?), problems(), clearCookies(), close().
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import puppeteer from "puppeteer-core";
import { Builder, By } from "selenium-webdriver";
import { DIST, freePort } from "./harness.mjs";

export const FIREFOX = "/usr/bin/firefox-esr";
export const WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver";
export const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `promise`'s value, or `late` if it has not settled within `ms` (a timer that is cleared,
 * so it never keeps Node running). */
function within(promise, ms, late) {
  let timer;
  const limit = new Promise((done) => {
    timer = setTimeout(() => done(late), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Polls `check` (async, truthy when done) every 50 ms until it is truthy or `timeout` ms pass. */
async function until(check, timeout, what) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** The root's data-state, or null before the page has mounted. */
const readState = () => document.querySelector("[data-testid=app]")?.dataset.state ?? null;

// ---- WebKit's console, without BiDi ------------------------------------------------------

/** Runs first in the instrumented page: what would be console errors and page errors. */
const PROBLEMS_SCRIPT = `// Added by tests/e2e/lib/engines.mjs: gathers console errors, uncaught errors and
// unhandled rejections for a browser driven without console events (WebKitWebDriver).
(() => {
  const problems = (window.__E2E_PROBLEMS__ = []);
  const text = (v) => (v instanceof Error ? v.name + ": " + v.message : String(v));
  const consoleError = console.error.bind(console);
  console.error = (...args) => {
    problems.push(args.map(text).join(" "));
    consoleError(...args);
  };
  addEventListener(
    "error",
    (e) => {
      if (e.target !== window && e.target && (e.target.src || e.target.href)) {
        problems.push("failed to load " + (e.target.src || e.target.href));
      } else {
        problems.push(e.error ? text(e.error) : e.message);
      }
    },
    true,
  );
  addEventListener("unhandledrejection", (e) => problems.push("unhandled rejection: " + text(e.reason)));
})();
`;

/**
 * A copy of `dist` (in a temporary folder) whose index.html loads e2e-problems.js before
 * anything else, plus an empty same-origin page e2e-frame.html (a host for a phone-width
 * iframe: MiniBrowser's window is never narrower than its toolbar, about 450 px). The page
 * is otherwise the built one, byte for byte. Returns { dir, remove() }.
 */
export function instrumentedDist(dist = DIST) {
  const dir = mkdtempSync(join(tmpdir(), "bec-dist-webkit-"));
  cpSync(dist, dir, { recursive: true });
  const index = join(dir, "index.html");
  const html = readFileSync(index, "utf8");
  // First thing after the charset (trunk's minified page has no <head> tag).
  const tag = '<script src="./e2e-problems.js"></script>';
  const first = [/<meta charset[^>]*>/i, /<head[^>]*>/i, /<html[^>]*>/i].find((re) => re.test(html));
  if (!first) throw new Error(`${index}: no <meta charset>, <head> or <html> to add the problems script after`);
  const patched = html.replace(first, (found) => found + tag);
  writeFileSync(index, patched);
  writeFileSync(join(dir, "e2e-problems.js"), PROBLEMS_SCRIPT);
  const frame = '<!doctype html><html><body style="margin:0;background:#777"></body></html>\n';
  writeFileSync(join(dir, "e2e-frame.html"), frame);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---- Firefox -------------------------------------------------------------------------

/** Debian's Firefox ESR, headless, through WebDriver BiDi. */
export function launchFirefox() {
  return puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: {
      // No first-run pages, update checks or telemetry on a machine without internet.
      "browser.shell.checkDefaultBrowser": false,
      "app.update.enabled": false,
      "datareporting.policy.dataSubmissionEnabled": false,
    },
  });
}

/** A page in its own browser context (its own cookies), with problems recorded from BiDi. */
export async function firefoxPage(browser, { width = 1280, height = 900 } = {}) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width, height });
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  return {
    engine: "firefox",
    raw: page,
    goto: async (url) => {
      problems.length = 0;
      await page.goto(url, { waitUntil: "load" });
    },
    waitForState: (states, timeout = 60_000) =>
      until(
        async () => {
          const state = await page.evaluate(readState);
          return states.includes(state) && state;
        },
        timeout,
        `data-state ${states.join("|")}`,
      ),
    evaluate: (fn, ...args) => page.evaluate(fn, ...args),
    type: async (selector, text) => {
      await page.click(selector, { clickCount: 3 });
      await page.type(selector, text);
    },
    click: (selector) => page.click(selector),
    count: (selector) => page.$$eval(selector, (all) => all.length),
    text: (selector) => page.$eval(selector, (e) => e.textContent),
    attribute: (selector, name) => page.$eval(selector, (e, n) => e.getAttribute(n), name),
    setSize: (w, h) => page.setViewport({ width: w, height: h }),
    screenshot: async (path, selector) => {
      const target = selector ? await page.$(selector) : page;
      await target.screenshot({ path });
    },
    problems: async () => [...problems],
    clearCookies: async () => {
      const cookies = await page.cookies();
      if (cookies.length) await page.deleteCookie(...cookies);
    },
    close: () => context.close(),
  };
}

// ---- WebKit --------------------------------------------------------------------------

/** An X display: DISPLAY if set, else a new Xvfb (it picks a free display itself). */
async function xDisplay() {
  if (process.env.DISPLAY) return { display: process.env.DISPLAY, stop: async () => {} };
  const xvfb = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1600x1200x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  const stderr = [];
  xvfb.stderr.on("data", (d) => stderr.push(String(d)));
  const number = await new Promise((resolve, reject) => {
    let out = "";
    xvfb.stdio[3].on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.trim());
    });
    xvfb.once("exit", (code) => reject(new Error(`Xvfb exited with ${code}: ${stderr.join("")}`)));
    xvfb.once("error", reject);
    setTimeout(() => reject(new Error(`Xvfb named no display within 15 s: ${stderr.join("")}`)), 15_000).unref();
  }).catch(async (error) => {
    await stopProcess(xvfb);
    throw error;
  });
  return { display: `:${number}`, stop: () => stopProcess(xvfb) };
}

/** Ends `child`: SIGTERM, then SIGKILL if it is still there after 5 s. */
function stopProcess(child) {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", done);
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  });
}

/**
 * WebKitGTK's MiniBrowser through WebKitWebDriver (started here on a free port, in DISPLAY
 * or an Xvfb of its own); `env` is added to their environment (JavaScriptCore reads
 * options such as JSC_useBBQJIT=false from it). Returns { page, driverLog(), quit() }:
 * one window, one page, for the session.
 */
export async function launchWebKit(options = {}) {
  // Now and then (about once in a test command's run, while the other lanes compile) the
  // driver's new session never answers: MiniBrowser did not connect to it. Every step of a
  // start has a time limit, and a second try with a new display and driver starts.
  try {
    return await launchWebKitOnce(options);
  } catch (error) {
    console.log(`WebKit did not start (${error?.message ?? error}); starting it again`);
    return launchWebKitOnce(options);
  }
}

async function launchWebKitOnce({ env = {} } = {}) {
  const x = await xDisplay();
  const port = await freePort();
  const output = [];
  const driverProcess = spawn(WEBKIT_DRIVER, [`--port=${port}`, "--host=127.0.0.1"], {
    env: {
      ...process.env,
      DISPLAY: x.display,
      // Software rendering without compositing: Xvfb has no GPU, and with compositing
      // element screenshots come out shifted by a black band.
      LIBGL_ALWAYS_SOFTWARE: "1",
      WEBKIT_DISABLE_COMPOSITING_MODE: "1",
      // Anything else for the driver, MiniBrowser and its web process (JSC_* options).
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  driverProcess.stdout.on("data", (d) => output.push(String(d)));
  driverProcess.stderr.on("data", (d) => output.push(String(d)));
  const stopAll = async () => {
    await stopProcess(driverProcess);
    await x.stop();
  };
  let driver;
  try {
    const server = `http://127.0.0.1:${port}`;
    await until(
      async () => {
        if (driverProcess.exitCode !== null) throw new Error(`WebKitWebDriver exited: ${output.join("")}`);
        // Each try with a limit of its own: a port that accepts and never answers must
        // not hold the start up.
        return fetch(`${server}/status`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
      },
      10_000,
      "WebKitWebDriver",
    );
    const session = new Builder()
      .usingServer(server)
      .withCapabilities({
        browserName: "MiniBrowser",
        "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
      })
      .build();
    driver = await within(session, 60_000, null);
    if (driver === null) throw new Error("WebKitWebDriver: no new session within 60 s");
    // WebDriver's defaults wait five minutes for a page load: a page that never loads
    // (a web process that hung) fails its test within one instead.
    await driver.manage().setTimeouts({ pageLoad: 60_000, script: 30_000 });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    page: webkitPage(driver),
    driverLog: () => output.join(""),
    quit: async () => {
      // A browser that hung may never answer the quit: its processes are ended anyway.
      await within(driver.quit().catch(() => {}), 10_000);
      await stopAll();
    },
  };
}

/** Runs `fn` (a function, as for puppeteer's evaluate) in the page with `args`. */
function script(fn) {
  return `return (${fn}).apply(null, arguments);`;
}

function webkitPage(driver) {
  /** MiniBrowser's toolbar: the window is this much taller than the page's viewport. */
  let chrome = null;
  /** Set once a screenshot never came (see `screenshot`). */
  let snapshotsStuck = false;
  const page = {
    engine: "webkit",
    raw: driver,
    goto: (url) => driver.get(url),
    waitForState: (states, timeout = 60_000) =>
      until(
        async () => {
          const state = await driver.executeScript(script(readState));
          return states.includes(state) && state;
        },
        timeout,
        `data-state ${states.join("|")}`,
      ),
    evaluate: (fn, ...args) => driver.executeScript(script(fn), ...args),
    type: async (selector, text) => {
      const field = await driver.findElement(By.css(selector));
      await field.clear();
      await field.sendKeys(text);
    },
    click: async (selector) => (await driver.findElement(By.css(selector))).click(),
    count: async (selector) => (await driver.findElements(By.css(selector))).length,
    text: (selector) => driver.executeScript("return document.querySelector(arguments[0]).textContent", selector),
    attribute: (selector, name) =>
      driver.executeScript("return document.querySelector(arguments[0]).getAttribute(arguments[1])", selector, name),
    /** The viewport's size: the window's, less the toolbar; at least about 450 px wide. */
    setSize: async (width, height) => {
      if (chrome === null) {
        const [outer, inner] = await driver.executeScript("return [outerHeight, innerHeight]");
        chrome = outer - inner;
      }
      await driver.manage().window().setRect({ width, height: height + chrome });
      // The window resizes asynchronously.
      await until(
        async () => {
          const [w, h] = await driver.executeScript("return [innerWidth, innerHeight]");
          return w === width && h === height;
        },
        5_000,
        `a ${width}×${height} viewport (MiniBrowser's window has a minimum width)`,
      );
    },
    /**
     * A PNG of the viewport, or of the element `selector` selects (not inside a frame).
     * Now and then (one of three stress rounds, two of about eight test-command runs, always
     * with the machine loaded) WebKitGTK never answers a screenshot, and no later one in
     * that session either, while every other command still works: the page is fine, the
     * snapshot is stuck (seen with gdb: every process idle, the driver waiting on the web
     * process). The screenshots are for people to look at, so a stuck one is said and
     * skipped, and so are the session's next ones, rather than holding the test up until
     * its time limit.
     */
    screenshot: async (path, selector) => {
      if (snapshotsStuck) {
        console.log(`WebKit: no screenshot ${basename(path)}: this session's snapshots are stuck`);
        return;
      }
      const target = selector ? await driver.findElement(By.css(selector)) : driver;
      const png = await within(target.takeScreenshot(), 20_000, null);
      if (png === null) {
        snapshotsStuck = true;
        console.log(`WebKit: no screenshot ${basename(path)}: WebKitGTK did not answer within 20 s`);
        return;
      }
      writeFileSync(path, Buffer.from(png, "base64"));
    },
    problems: () => driver.executeScript("return window.__E2E_PROBLEMS__ ?? ['the problems script did not run']"),
    clearCookies: () => driver.manage().deleteAllCookies(),
    close: async () => {},
  };
  return page;
}

/**
 * Opens `url` in a `width` px wide iframe of e2e-frame.html (same origin, from the
 * instrumented dist), for widths below MiniBrowser's minimum; the driver then works inside
 * the frame until leaveFrame(). The frame's media and container queries see `width`.
 */
export async function enterPhoneFrame(page, origin, url, width, height) {
  const driver = page.raw;
  await driver.switchTo().defaultContent();
  await driver.get(`${origin}/e2e-frame.html`);
  await driver.executeScript(
    `const f = document.createElement("iframe");
     f.id = "phone"; f.src = arguments[0];
     f.style = "border:0;display:block;width:" + arguments[1] + "px;height:" + arguments[2] + "px";
     document.body.append(f);`,
    url,
    width,
    height,
  );
  await driver.switchTo().frame(await driver.findElement(By.id("phone")));
}

export async function leaveFrame(page) {
  await page.raw.switchTo().defaultContent();
}
