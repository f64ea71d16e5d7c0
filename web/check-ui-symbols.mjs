// The page's wasm must not hold the data engine (issue 23): no JSON reader, no demo
// generator, no analyses, no loading. Those live in the data worker's wasm only.
//
//   node web/check-ui-symbols.mjs UI.wasm WORKER.wasm
//
// Reads the function names of both modules (the "name" section of a debug build, as the
// linker kept them after dropping what the binary never calls) and fails when the UI's
// holds any of the engine's, or when the worker's lacks one (a check that finds nothing
// because the names changed would pass for the wrong reason).
import { readFileSync } from "node:fs";

const ENGINE = [
  "bec_usage::json::read::parse_usage",
  "bec_usage::json::read::read_price_sheet",
  "bec_usage::json::write::write_usage",
  "bec_usage::synthetic::generate",
  "bec_usage::analysis::anomaly::find_anomalies",
  "bec_usage::analysis::forecast::forecast",
  "bec_usage::analysis::hours::usage_hours",
  "bec_usage::analysis::reconcile::reconcile",
  "bec_usage::analysis::stats::series_stats",
  "bec_usage::analysis::cost::estimate_cost",
  "bec_usage::analysis::lttb::lttb_series",
  "bec_usage::fetch_plan::merge_parts",
  "bec_usage_web::engine::",
  "bec_usage_web::fetch::",
];

function functionNames(path) {
  const module = new WebAssembly.Module(readFileSync(path));
  const [section] = WebAssembly.Module.customSections(module, "name");
  if (!section) throw new Error(`${path} has no name section: build it in the dev profile`);
  const bytes = new Uint8Array(section);
  let at = 0;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const names = [];
  const decoder = new TextDecoder();
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    if (id === 1) {
      // Function names: a vector of (index, name).
      for (let count = leb(); count > 0; count--) {
        leb();
        const length = leb();
        names.push(decoder.decode(bytes.subarray(at, at + length)));
        at += length;
      }
    }
    at = end;
  }
  return names;
}

const [uiPath, workerPath] = process.argv.slice(2);
const ui = functionNames(uiPath);
const worker = functionNames(workerPath);
// Rust's legacy mangling writes a path a::b as 1a1b inside _ZN...E.
const mangled = (path) =>
  path
    .split("::")
    .filter(Boolean)
    .map((segment) => `${segment.length}${segment}`)
    .join("");
const holds = (names, prefix) => names.some((name) => name.includes(mangled(prefix)));
let failed = 0;
for (const prefix of ENGINE) {
  if (holds(ui, prefix)) {
    failed++;
    const found = ui.filter((name) => name.includes(mangled(prefix))).slice(0, 3);
    console.log(`not ok: the page's wasm holds ${prefix} (${found.join(", ")})`);
  }
  if (!holds(worker, prefix)) {
    failed++;
    console.log(`not ok: the worker's wasm lacks ${prefix}: is the list of names out of date?`);
  }
}
console.log(
  `${failed === 0 ? "ok" : "FAILED"}: ${ENGINE.length} engine names checked in ${ui.length} ` +
    `functions of the page's wasm and ${worker.length} of the worker's`,
);
process.exit(failed === 0 ? 0 : 1);
