// A page starting a module worker the way Vite documents it; the worker posts the probe.
const out = document.querySelector("#result");
const done = (value) => {
  out.textContent = JSON.stringify(value);
  out.dataset.done = "true";
};
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.onmessage = (event) => done(event.data);
worker.onerror = (event) => done({ pageError: `worker error: ${event.message}` });
