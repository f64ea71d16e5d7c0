// Starts the dashboard: imports wasm-bindgen's JS module and instantiates the wasm.
// A file of its own rather than trunk's inline <script>, so that the page runs under a
// Content-Security-Policy of `script-src 'self' 'wasm-unsafe-eval'`. trunk writes the two
// hashed file names into this script tag's data attributes (Trunk.toml, pattern_script).
const tag = document.querySelector("script[data-js][data-wasm]");
const { default: init } = await import(new URL(tag.dataset.js, document.baseURI).href);
await init({ module_or_path: new URL(tag.dataset.wasm, document.baseURI) });
