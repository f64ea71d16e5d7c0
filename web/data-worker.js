// The data worker's entry (issue 23): wasm-bindgen's no-modules glue, then its module,
// fetched and compiled here. Once the module runs it answers the page's messages
// (src/worker.rs) and says "Ready"; the page holds its messages until then.
//
// The page's boot script could compile this module beside its own and post it here: in
// Chromium that did not make the charts come sooner (713 → 716 ms), and in WebKitGTK a
// module compiled on the page's thread and run in the worker met JavaScriptCore's wasm
// fault (docs/dashboard.md, "WebKit") even with its concurrent JIT off: 1 of 30 loads.
importScripts("./bec-usage-data.js");
wasm_bindgen({ module_or_path: new URL("./bec-usage-data_bg.wasm", location.href) });
