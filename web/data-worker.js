// The data worker's entry (issue 23): wasm-bindgen's no-modules glue, then the module.
// The page's boot script (web/boot.js) fetches and compiles the worker's wasm while the
// page's own compiles, and posts the compiled WebAssembly.Module as the first message;
// without one (`module: null`: it could not compile it) the glue fetches the file itself.
// Once the module runs, it answers the page's messages (src/worker.rs) and says "Ready".
importScripts("./bec-usage-data.js");
self.onmessage = (event) => {
  self.onmessage = null;
  const module = event.data?.module ?? new URL("./bec-usage-data_bg.wasm", location.href);
  wasm_bindgen({ module_or_path: module }).catch((error) => {
    // As an uncaught error: the page's `error` handler of the worker says it.
    setTimeout(() => {
      throw error;
    });
  });
};
