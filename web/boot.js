// Starts the dashboard: imports wasm-bindgen's JS module and instantiates the wasm.
// A file of its own rather than trunk's inline <script>, so that the page runs under a
// Content-Security-Policy of `script-src 'self' 'wasm-unsafe-eval'`. trunk writes the two
// hashed file names into this script tag's data attributes (Trunk.toml, pattern_script).
const tag = document.querySelector("script[data-js][data-wasm]");
const wasmUrl = new URL(tag.dataset.wasm, document.baseURI);
const named = new URLSearchParams(location.search).has("src");

// The data worker (issue 23) starts first, so that it loads and compiles its own wasm and
// begins the first load while the page's wasm downloads and compiles. It is told the
// page's URL (and, without a source in it, /healthz's answer): it works out the page's
// first plan with the function the page uses (worker::start_plan) and loads it as request
// 0. The app adopts it from __BEC_WORKER__ (data_worker.rs): the worker, whether it said
// Ready (messages posted before would be lost: they are held until then), the messages
// received since, and the Start message, from which it works out the same plan.
const boot = (window.__BEC_WORKER__ = { worker: null, ready: false, held: [], received: [], start: null, failed: null, adopted: false });
try {
  boot.worker = new Worker(new URL("data-worker.js", document.baseURI));
  boot.worker.onmessage = (event) => {
    if (event.data !== "Ready") return void boot.received.push(event.data);
    boot.ready = true;
    for (const message of boot.held.splice(0)) boot.worker.postMessage(message);
  };
  // The app says what happened (a new worker, or the error panel), not the console too.
  boot.worker.onerror = (event) => {
    event.preventDefault();
    boot.failed = event.message || "the data worker failed to start";
  };
} catch (error) {
  boot.failed = String(error?.message ?? error);
}
const startWorker = (health) => {
  if (!boot.worker || boot.adopted) return;
  // A ToWorker::Start (web/src/wire.rs), as serde writes an enum's variant.
  boot.start = { Start: { url: location.href, now: Date.now(), width: innerWidth } };
  if (health !== undefined) boot.start.Start.health = health ?? "";
  if (boot.ready) boot.worker.postMessage(boot.start);
  else boot.held.push(boot.start);
};

// /healthz (is bec-usage-proxy serving the page, and how?) is asked at once, while the
// wasm downloads and compiles. The app takes the body (dom::boot_health_check): the
// promise __BEC_HEALTHZ__, and once answered the plain value __BEC_HEALTHZ_BODY__ (null
// for an error status or no answer), which it reads as it starts.
const health = fetch("/healthz")
  .then((answer) => (answer.ok ? answer.text() : null))
  .catch(() => null)
  .then((body) => (window.__BEC_HEALTHZ_BODY__ = body));
window.__BEC_HEALTHZ__ = health;
if (named) startWorker();
else health.then(startWorker);

// The wasm compiles meanwhile (the response of the page's <link rel=preload>).
const compiled = WebAssembly.compileStreaming(fetch(wasmUrl)).catch(() =>
  // A server that does not say application/wasm: compile from the bytes.
  fetch(wasmUrl)
    .then((answer) => answer.arrayBuffer())
    .then((bytes) => WebAssembly.compile(bytes)),
);
const { default: init } = await import(new URL(tag.dataset.js, document.baseURI).href);
const module = await compiled;
// Without a source in the URL the first data request depends on the answer: the app starts
// once it is in (it usually is, before the wasm), so the request goes out as the page is
// built; waiting stops after half a second, and the app then takes the promise.
if (!named) {
  await Promise.race([health, new Promise((done) => setTimeout(done, 500))]);
}
await init({ module_or_path: module });
