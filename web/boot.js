// Starts the dashboard: imports wasm-bindgen's JS module and instantiates the wasm.
// A file of its own rather than trunk's inline <script>, so that the page runs under a
// Content-Security-Policy of `script-src 'self' 'wasm-unsafe-eval'`. trunk writes the two
// hashed file names into this script tag's data attributes (Trunk.toml, pattern_script).
const tag = document.querySelector("script[data-js][data-wasm]");
const wasmUrl = new URL(tag.dataset.wasm, document.baseURI);

// /healthz (is bec-usage-proxy serving the page, and how?) is asked at once, while the
// wasm downloads and compiles. The app takes the body (dom::boot_health_check): the
// promise __BEC_HEALTHZ__, and once answered the plain value __BEC_HEALTHZ_BODY__ (null
// for an error status or no answer), which it reads as it starts.
const health = fetch("/healthz")
  .then((answer) => (answer.ok ? answer.text() : null))
  .catch(() => null)
  .then((body) => (window.__BEC_HEALTHZ_BODY__ = body));
window.__BEC_HEALTHZ__ = health;

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
if (!new URLSearchParams(location.search).has("src")) {
  await Promise.race([health, new Promise((done) => setTimeout(done, 500))]);
}
await init({ module_or_path: module });
