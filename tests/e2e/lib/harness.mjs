// What the end-to-end tests and the benchmark share: servers on free loopback ports (the
// proxy from target/, or a plain static server for dist/), Debian's Chromium through
// playwright-core, and waiting for the page's data-state.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");
export const DIST = join(ROOT, "dist");
export const ARTIFACTS = join(ROOT, "tests/artifacts");

/** The proxy binary run.sh built (BEC_PROXY_BIN overrides; else debug, then release). */
export function proxyBinary() {
  const candidates = [
    process.env.BEC_PROXY_BIN,
    join(ROOT, "target/debug/bec-usage-proxy"),
    join(ROOT, "target/release/bec-usage-proxy"),
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`no bec-usage-proxy binary: run tests/e2e/run.sh (looked at ${candidates})`);
  return found;
}

/** A users-file line for `name` with `password`, made by the proxy's own `add-user`. */
export function userLine(name, password) {
  const made = spawnSync(proxyBinary(), ["add-user", name], { input: `${password}\n`, encoding: "utf8" });
  if (made.status !== 0) throw new Error(`add-user ${name} failed: ${made.stderr}`);
  return made.stdout;
}

/** A port nothing listens on now (the proxy does not log the port it got for :0). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(origin, child, output) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the proxy exited with ${child.exitCode}:\n${output.join("")}`);
    }
    try {
      const answer = await fetch(`${origin}/healthz`);
      if (answer.ok) return answer.json();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the proxy did not answer /healthz within 20 s:\n${output.join("")}`);
}

/**
 * Starts bec-usage-proxy with `args` (plus --listen and --dist) on a free port and waits
 * for /healthz. Returns { origin, health, log(), usageRequests(), stop() }: log() is its
 * output so far; usageRequests() counts the /v1/usage/computing requests it answered.
 */
export async function startProxy(args = ["--demo"], { dist = DIST } = {}) {
  const port = await freePort();
  const output = [];
  // Each proxy's history store (issue 24) in a folder of its own, gone when it stops:
  // no file left in the working folder, and no test sees another one's stored days.
  const state = mkdtempSync(join(tmpdir(), "bec-proxy-state-"));
  const child = spawn(
    proxyBinary(),
    [...args, "--dist", dist, "--listen", `127.0.0.1:${port}`, "--rate-limit", "0"],
    {
      env: { ...process.env, RUST_LOG: "info", BEC_PROXY_LOG_FORMAT: "compact", STATE_DIRECTORY: state },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.once("exit", () => rmSync(state, { recursive: true, force: true }));
  child.stdout.on("data", (d) => output.push(String(d)));
  child.stderr.on("data", (d) => output.push(String(d)));
  const origin = `http://127.0.0.1:${port}`;
  let health;
  try {
    health = await waitForHealth(origin, child, output);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    origin,
    health,
    log: () => output.join(""),
    usageRequests: () =>
      // The answered line names the path as a string field (`path="/v1/usage/computing"`).
      output.join("").split("\n").filter((l) => l.includes("answered") && /path="?\/v1\/usage\/computing/.test(l)).length,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", done);
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".svg": "image/svg+xml",
};

/** A plain static file server for `dir` (no /healthz, no API): what a static host does. */
export async function startStatic(dir = DIST) {
  const requests = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    requests.push(path);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir)) {
      response.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    requests,
    stop: () => new Promise((r) => server.close(r)),
  };
}

/** Debian's Chromium, headless, with the flags the project uses everywhere. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
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

/** A new page that records console errors and page errors in `page.problems`. */
export async function newPage(browser, options = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ...options });
  page.problems = [];
  page.on("console", (m) => m.type() === "error" && page.problems.push(m.text()));
  page.on("pageerror", (e) => page.problems.push(String(e)));
  return page;
}

/** Waits until the root's data-state is one of `states`; returns it. */
export async function waitForState(page, states, timeout = 60_000) {
  const selector = states.map((s) => `[data-testid=app][data-state=${s}]`).join(",");
  await page.waitForSelector(selector, { timeout });
  return page.getAttribute("[data-testid=app]", "data-state");
}

/** The resources in a usage response's raw JSON text, each with its amounts as written. */
export function amountsAsWritten(json) {
  const parsed = JSON.parse(json);
  const result = {};
  // Amounts as text: JSON.parse would turn 62.3 into a float; the CSV must carry the text.
  for (const name of Object.keys(parsed.graphData)) {
    const start = json.indexOf(`${JSON.stringify(name)}:{`);
    const end = json.indexOf("]", start);
    result[name] = {
      unit: parsed.graphData[name].unit,
      timestamps: parsed.graphData[name].dataList.map((p) => p.timestamp),
      amounts: [...json.slice(start, end).matchAll(/"amount":([^,}]+)/g)].map((m) => m[1]),
    };
  }
  return result;
}

/** A small CSV reader (quoted fields with doubled quotes), enough for the exports. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field), rows.push(row), (row = []), (field = "");
    } else field += c;
  }
  if (field !== "" || row.length) row.push(field), rows.push(row);
  return rows;
}

const axe = createRequire(import.meta.url)("axe-core");

/** An axe-core scan of the page: its serious and critical violations, and a report of them. */
export async function scan(page) {
  await page.evaluate(axe.source);
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ["violations"] }),
  );
  const serious = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => ({ impact: v.impact, rule: v.id, help: v.help, target: n.target.join(" ") })));
  const line = (v) => `${v.impact} ${v.rule} at ${v.target}: ${v.help}`;
  return { bad: serious, report: serious.map(line).join("\n") };
}
