// Helpers of the consumer matrix (test/consumers.test.mjs): the probe as a module the
// consumers' job files import, the pages around bundles, the tools' versions and runs.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cp, mkdir, readFile, symlink } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DOC_EXAMPLE_JSON, WORKED_EXAMPLE } from "./fixtures.mjs";
import { run } from "./package.mjs";
import { probe } from "./probe.mjs";

/** The committed consumer projects, one folder per row. */
export const CONSUMERS = fileURLToPath(new URL("../consumers/", import.meta.url));
/** Where the tools are installed (tests/npm/package.json pins them). */
export const TOOLS = fileURLToPath(new URL("../node_modules/", import.meta.url));

/** The installed version of the tool `name` (read from its package.json). */
export async function toolVersion(name) {
  return JSON.parse(await readFile(join(TOOLS, name, "package.json"), "utf8")).version;
}

/** The path of the tool's command in node_modules/.bin. */
export function bin(name) {
  return join(TOOLS, ".bin", name);
}

const PROBE_ARGS = `${JSON.stringify(DOC_EXAMPLE_JSON)}, ${JSON.stringify(WORKED_EXAMPLE)}`;

// What every job file imports: `runProbe(api)` (the probe with the fixtures bound), and
// for pages `showResult(compute)`, which writes the result, or the error, into
// `#result[data-done]` where resultOfPage (browser.mjs) waits for it.
const PROBE_BODY = `const probe = ${probe.toString()};

function runProbe(api) {
  return probe(api, ${PROBE_ARGS});
}

async function showResult(compute) {
  const out = document.querySelector("#result");
  try {
    out.textContent = JSON.stringify(await compute());
  } catch (error) {
    out.textContent = JSON.stringify({ pageError: String((error && error.stack) || error) });
  }
  out.dataset.done = "true";
}

/** The fields of an error thrown by the package, as JSON (for the before-init check). */
function errorFields(error) {
  return { name: error && error.name, kind: error && error.kind, message: String(error && error.message) };
}
`;

/** probe.mjs: the ES module the job files import from the project's root. */
export const PROBE_ESM = `// Written by test/consumers.test.mjs: lib/probe.mjs's probe, with the fixtures bound.
${PROBE_BODY}
export { errorFields, runProbe, showResult };
`;

/** probe.cjs: the same for the CommonJS job files (webpack's `require`, Jest). */
export const PROBE_CJS = `"use strict";
// Written by test/consumers.test.mjs: lib/probe.mjs's probe, with the fixtures bound.
${PROBE_BODY}
module.exports = { errorFields, runProbe, showResult };
`;

/** A page running the script `src` (a module or a classic script) after `#result`. */
export function scriptPage(src, { module = true } = {}) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bec-usage consumer</title>
<link rel="icon" href="data:,">
</head>
<body>
<pre id="result"></pre>
<script${module ? ' type="module"' : ""} src="${src}"></script>
</body>
</html>
`;
}

/**
 * A page starting the classic worker `src` (`new Worker(src)`) and writing what it posts,
 * or its error, into `#result`.
 */
export function workerPage(src) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bec-usage consumer (worker)</title>
<link rel="icon" href="data:,">
</head>
<body>
<pre id="result"></pre>
<script>
  const out = document.querySelector("#result");
  const done = (value) => {
    out.textContent = JSON.stringify(value);
    out.dataset.done = "true";
  };
  const worker = new Worker(${JSON.stringify(src)});
  worker.onmessage = (event) => done(event.data);
  worker.onerror = (event) => done({ pageError: "worker error: " + event.message });
</script>
</body>
</html>
`;
}

/** Copies the committed consumer folder `row` into the project as `<project>/<row>/`. */
export async function copyConsumer(projectDir, row) {
  const dir = join(projectDir, row);
  await cp(join(CONSUMERS, row), dir, { recursive: true });
  return dir;
}

/**
 * Links the installed tools `names` into the project's node_modules, as if the user had
 * installed them there: their config files and test files import them by name.
 */
export async function linkTools(projectDir, names) {
  for (const name of names) {
    const link = join(projectDir, "node_modules", name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(TOOLS, name), link, "dir").catch((error) => {
      if (error.code !== "EEXIST") throw error;
    });
  }
}

/**
 * Runs a tool to completion; fails the test with its exit status, stdout and stderr when it
 * exits non-zero. Resolves to `{ stdout, stderr }`.
 */
export async function runTool(command, args, options = {}) {
  try {
    return await run(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 180_000, ...options });
  } catch (error) {
    const what = [command, ...args].join(" ");
    assert.fail(`${what} failed (exit ${error.code ?? error.signal}):\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}

/** The JSON a job printed as the last line of its stdout; fails with the output if none. */
export function lastJson({ stdout, stderr }) {
  const line = stdout.trim().split("\n").at(-1);
  try {
    return JSON.parse(line);
  } catch {
    assert.fail(`the job printed no JSON result:\n${stdout}${stderr}`);
  }
}

/** A free TCP port on 127.0.0.1 (for a dev server started as a child process). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a long-running command (a dev server) in its own process group and collects its
 * output; `stop()` kills the group (the server and its workers) and waits for the exit.
 */
export function startProcess(command, args, options = {}) {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {}
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {}
        }, 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Waits until `url` answers 200 (a dev server that is ready), or fails with `output()`: when
 * the server exits, when its output matches `failure` (a dev server whose build failed keeps
 * running), or after `timeoutMs`.
 */
export async function waitForUrl(url, { exited, output }, { failure = null, timeoutMs = 90_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let stopped = false;
  exited.then(() => (stopped = true));
  while (Date.now() < deadline) {
    if (stopped) assert.fail(`the server exited before serving ${url}:\n${output()}`);
    if (failure?.test(output())) assert.fail(`the server could not serve ${url}:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`${url} did not answer within ${timeoutMs / 1000} s:\n${output()}`);
}
