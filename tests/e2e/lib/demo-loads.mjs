// Repeated demo loads and what is wrong with each, for any engine's page of
// lib/engines.mjs (or a playwright page wrapped alike): the check behind
// tests/e2e/webkit-loads.mjs, which counted issue 20's failures in WebKit (a wasm
// RuntimeError, a corrupted number in the error panel, a chart at x = 2^31 + 44, skeletons
// forever; docs/dashboard.md, "WebKit (Safari's engine)").
//
//   const { page } = await launchWebKit();
//   const result = await demoLoads(page, `${origin}/?src=demo`, 30);
//   // result: { loads, failed, failures: [{ load, problems }], ms: [...], charts: [...] }

/** Runs in the page: where it is, and what is wrong with what it shows. */
function readPage() {
  const app = document.querySelector("[data-testid=app]");
  const metrics = window.__BEC_METRICS__ ?? {};
  const problems = [...(window.__E2E_PROBLEMS__ ?? [])].filter((p) => !/healthz|404|Not Found/i.test(p));
  const state = app?.dataset.state ?? null;
  if (state === "error") {
    const panel = document.querySelector("[data-testid=error-panel]") ?? app;
    problems.push(`error panel: ${(panel.innerText || panel.textContent).trim().replace(/\s+/g, " ").slice(0, 300)}`);
  }
  // Coordinates no chart of the page can have (a corrupted one was 2^31 + 44).
  const absurd = [];
  for (const element of document.querySelectorAll("svg, svg *")) {
    for (const attribute of element.attributes) {
      for (const number of attribute.value.match(/-?\d+(\.\d+)?(e[-+]?\d+)?/gi) ?? []) {
        if (Math.abs(Number(number)) > 1e6) {
          absurd.push(`<${element.tagName} ${attribute.name}="${attribute.value.slice(0, 60)}">`);
        }
      }
    }
  }
  if (absurd.length) problems.push(`absurd chart coordinates: ${absurd.slice(0, 3).join(" ")}`);
  if (/\bNaN\b|Infinity|undefined/.test(app?.textContent ?? "")) {
    problems.push("NaN, Infinity or undefined in the page's text");
  }
  // What the page shows, to compare loads: its text without the timings.
  const text = (app?.textContent ?? "").replace(/\d[\d.,]*\s*(ms|s)\b/g, "");
  const charts = document.querySelectorAll("[data-testid=chart]").length;
  // The previous period loads after the data shown (in the data worker, beside the
  // stretches): the page is compared once it is in.
  const comparing = document.querySelector(".loading-previous")?.hidden === false;
  // A data worker that crashed and was replaced (the page's workaround for JavaScriptCore's
  // fault): the load is good if the new one's is, but it is counted.
  const restarts = metrics.workerRestarts ?? 0;
  // Demo runs the worker generated again because two disagreed (the same fault, caught).
  const discarded = metrics.discardedRuns ?? 0;
  return { state, anomaliesDone: typeof metrics.anomaliesMs === "number", comparing, problems, text, charts, restarts, discarded };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Loads `url` (a demo page) in `page` and waits until it is ready with its unusual
 * stretches found, shows an error or a problem, or `timeout` ms pass. Returns
 * { ok, problems, text, ms, charts, restarts, discarded }: `text` is what the page shows,
 * without timings; `charts` how many charts it drew; `restarts` how many data workers
 * crashed and were replaced; `discarded` how many demo runs disagreed and were done again.
 */
export async function demoLoad(page, url, { timeout = 60_000 } = {}) {
  const started = Date.now();
  await page.goto(url);
  let seen;
  for (;;) {
    seen = await page.evaluate(readPage);
    if (seen.state === "error" || seen.problems.length > 0) break;
    if (seen.state === "ready" && seen.anomaliesDone && !seen.comparing) break;
    if (Date.now() - started > timeout) {
      seen.problems.push(
        seen.state === "ready"
          ? `the unusual stretches not found after ${timeout} ms`
          : `data-state "${seen.state}" after ${timeout} ms (skeletons forever?)`,
      );
      break;
    }
    await sleep(100);
  }
  const ms = Date.now() - started;
  return {
    ok: seen.state === "ready" && seen.problems.length === 0,
    problems: seen.problems,
    text: seen.text,
    ms,
    charts: seen.charts,
    restarts: seen.restarts ?? 0,
    discarded: seen.discarded ?? 0,
  };
}

/**
 * `n` loads of `url` in `page`, one after the other (`url` may be a function of the load's
 * index, for a new document each time). A load whose page text differs from the most
 * common one (a silently wrong number) counts as failed too. `onLoad(i, result)` is called
 * after each. Returns { loads, failed, failures: [{ load, problems }], ms, charts, restarts,
 * discarded }: `restarts` how many loads needed a new data worker, `discarded` how many
 * threw a demo run away.
 */
export async function demoLoads(page, url, n, { timeout = 60_000, onLoad = () => {} } = {}) {
  const results = [];
  for (let i = 0; i < n; i++) {
    let result;
    try {
      result = await demoLoad(page, typeof url === "function" ? url(i) : url, { timeout });
    } catch (error) {
      result = { ok: false, problems: [`the driver failed: ${error.message}`], text: "", ms: 0, charts: 0, restarts: 0, discarded: 0 };
    }
    results.push(result);
    onLoad(i, result);
  }
  // The usual text of a good load; a good load showing other text has a wrong number.
  const counts = new Map();
  for (const r of results.filter((r) => r.ok)) counts.set(r.text, (counts.get(r.text) ?? 0) + 1);
  const usual = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const failures = [];
  results.forEach((r, load) => {
    if (!r.ok) failures.push({ load, problems: r.problems });
    else if (r.text !== usual) {
      let at = 0;
      while (at < r.text.length && r.text[at] === usual[at]) at++;
      const shown = `"${r.text.slice(Math.max(0, at - 40), at + 40)}" where the others show "${usual.slice(Math.max(0, at - 40), at + 40)}"`;
      failures.push({ load, problems: [`the page shows other numbers than the other loads: ${shown}`] });
    }
  });
  return {
    loads: n,
    failed: failures.length,
    failures,
    ms: results.map((r) => r.ms),
    charts: results.map((r) => r.charts),
    restarts: results.filter((r) => r.restarts > 0).length,
    discarded: results.filter((r) => r.discarded > 0).length,
  };
}
