// Starts the dashboard: imports wasm-bindgen's JS module and instantiates the wasm.
// A file of its own rather than trunk's inline <script>, so that the page runs under a
// Content-Security-Policy of `script-src 'self' 'wasm-unsafe-eval'`. trunk writes the two
// hashed file names into this script tag's data attributes (Trunk.toml, pattern_script).
//
// /healthz (is bec-usage-proxy serving the page, and how?) is asked first, while the wasm
// downloads and compiles, and its body read here too: the app takes the promise of that
// body (dom::take_boot_health_check; null for an error status or no answer) instead of
// asking once it runs, so its first data request does not wait for that round trip.
window.__BEC_HEALTHZ__ = fetch("/healthz")
  .then((answer) => (answer.ok ? answer.text() : null))
  .catch(() => null);
const tag = document.querySelector("script[data-js][data-wasm]");
const { default: init } = await import(new URL(tag.dataset.js, document.baseURI).href);
await init({ module_or_path: new URL(tag.dataset.wasm, document.baseURI) });
