// The consumer matrix (issue 11): the packed tarball installed into a fresh project, and the
// same small job (lib/probe.mjs's probe: sign the worked example, parse the reference
// example, provoke an error) built and run by each tool a user might put it through:
// bundlers for pages and workers in Chromium, bundles copied away from node_modules, Bun,
// Deno, test runners and the TypeScript checker. Every row asserts the probe's values and
// that they equal the Node reference run's. The job files are in tests/npm/consumers/<row>/;
// builds go to temporary folders.
import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { launchChromium, resultOfPage } from "../lib/browser.mjs";
import {
  PROBE_CJS,
  PROBE_ESM,
  TOOLS,
  bin,
  copyConsumer,
  freePort,
  lastJson,
  linkTools,
  runTool,
  scriptPage,
  startProcess,
  toolVersion,
  waitForUrl,
  workerPage,
} from "../lib/matrix.mjs";
import { consumerProject, packageJson } from "../lib/package.mjs";
import { assertProbe } from "../lib/probe.mjs";
import { staticServer } from "../lib/servers.mjs";

const require = createRequire(import.meta.url);

// The versions go into the test names, so that the TAP output is the matrix's record.
const V = {};
for (const name of [
  "rollup",
  "@rollup/plugin-node-resolve",
  "esbuild",
  "vite",
  "webpack",
  "webpack-5-75",
  "parcel",
  "bun",
  "deno",
  "jest",
  "jest-environment-jsdom",
  "vitest",
  "typescript",
]) {
  V[name] = await toolVersion(name);
}

let project;
let version;
let browser;
let reference;
const temporaries = [];

before(async () => {
  project = await consumerProject();
  version = (await packageJson()).version;
  await writeFile(join(project.dir, "probe.mjs"), PROBE_ESM);
  await writeFile(join(project.dir, "probe.cjs"), PROBE_CJS);
  browser = await launchChromium();
  // The Node run every other row is compared with; its own row reports a failure.
  reference = await nodeRun("node", "job.mjs").catch((error) => error);
});

after(async () => {
  await browser?.close();
  await Promise.all(temporaries.map((dir) => rm(dir, { recursive: true, force: true })));
  await project?.remove();
});

/** A new empty temporary folder, removed after the tests (build outputs, copies). */
async function tempDir(label) {
  const dir = await mkdtemp(join(tmpdir(), `bec-usage-${label}-`));
  temporaries.push(dir);
  return dir;
}

/** Runs `node <script>` in the consumer folder `row`; resolves to the printed JSON. */
async function nodeRun(row, script) {
  const dir = await copyConsumer(project.dir, row);
  return lastJson(await runTool(process.execPath, [script], { cwd: dir }));
}

/** The probe's values, and the same as the Node reference run's (when that one worked). */
function assertSameAsNode(result) {
  assert.equal(result?.pageError, undefined, result?.pageError);
  assertProbe(result, version);
  if (!(reference instanceof Error)) assert.deepEqual(result, reference);
}

/** Serves `root`, opens `path` in Chromium, and asserts a clean page with the probe. */
async function assertPage(root, path = "/") {
  const server = await staticServer(root);
  try {
    assertPageResult(await resultOfPage(browser, `${server.origin}${path}`));
  } finally {
    await server.close();
  }
}

function assertPageResult({ result, problems }) {
  if (result.pageError !== undefined || problems.length > 0) {
    assert.fail(`the page failed:\n${[result.pageError, ...problems].filter(Boolean).join("\n")}`);
  }
  assertSameAsNode(result);
}

/** esbuild with `args` on `entry` of the consumer folder esbuild (or `row`). */
async function esbuild(entry, args, row = "esbuild") {
  const dir = await copyConsumer(project.dir, row);
  return runTool(bin("esbuild"), [entry, "--bundle", ...args, "--log-level=warning"], { cwd: dir });
}

/** A webpack build with the Node API: mode production, target web, one bundle.js. */
async function webpackBuild(webpack, entry, outDir) {
  const dir = await copyConsumer(project.dir, "webpack");
  const compiler = webpack({
    mode: "production",
    target: "web",
    context: dir,
    entry: `./${entry}`,
    output: { path: outDir, filename: "bundle.js" },
  });
  const stats = await new Promise((resolve, reject) => {
    compiler.run((error, stats) => (error ? reject(error) : resolve(stats)));
  });
  await new Promise((resolve) => compiler.close(resolve));
  if (stats.hasErrors()) assert.fail(`webpack failed:\n${stats.toString({ all: false, errors: true, warnings: true })}`);
}

/** Copies `file` alone into a new folder far from node_modules; returns its new path. */
async function copyAway(file, name) {
  const copy = join(await tempDir("copy"), name);
  await copyFile(file, copy);
  return copy;
}

test(`node ${process.versions.node} (reference): import bec-usage from the installed package`, () => {
  if (reference instanceof Error) throw reference;
  assertProbe(reference, version);
});

test(`rollup ${V.rollup} + @rollup/plugin-node-resolve ${V["@rollup/plugin-node-resolve"]}: page in Chromium`, async () => {
  const dir = await copyConsumer(project.dir, "rollup");
  await linkTools(project.dir, ["rollup", "@rollup/plugin-node-resolve"]);
  const out = await tempDir("rollup");
  await runTool(bin("rollup"), ["--config", "--dir", out, "--silent"], { cwd: dir });
  await writeFile(join(out, "index.html"), scriptPage("main.js"));
  await assertPage(out);
});

test(`esbuild ${V.esbuild} --bundle --format=esm: page in Chromium`, async () => {
  const out = await tempDir("esbuild-esm");
  await esbuild("page.js", ["--format=esm", `--outfile=${join(out, "page.js")}`]);
  await writeFile(join(out, "index.html"), scriptPage("page.js"));
  await assertPage(out);
});

test(`esbuild ${V.esbuild} --bundle --platform=node: the bundle copied to another folder, run by node`, async () => {
  const out = await tempDir("esbuild-node");
  await esbuild("node.js", ["--platform=node", `--outfile=${join(out, "node.js")}`]);
  const copy = await copyAway(join(out, "node.js"), "job.js");
  assertSameAsNode(lastJson(await runTool(process.execPath, [copy], { cwd: join(copy, "..") })));
});

test(`esbuild ${V.esbuild} --bundle (iife): classic <script> page in Chromium`, async () => {
  const out = await tempDir("esbuild-iife");
  await esbuild("page.js", [`--outfile=${join(out, "page.js")}`]);
  await writeFile(join(out, "index.html"), scriptPage("page.js", { module: false }));
  await assertPage(out);
});

test(`esbuild ${V.esbuild} --bundle (iife): classic worker (new Worker("w.js")) in Chromium`, async () => {
  const out = await tempDir("esbuild-worker");
  await esbuild("worker.js", [`--outfile=${join(out, "w.js")}`]);
  await writeFile(join(out, "index.html"), workerPage("w.js"));
  await assertPage(out);
});

test(`vite ${V.vite} build: page in Chromium`, async () => {
  const dir = await copyConsumer(project.dir, "vite");
  const out = await tempDir("vite");
  await runTool(bin("vite"), ["build", "--outDir", out, "--emptyOutDir", "--logLevel", "warn"], { cwd: dir });
  await assertPage(out);
});

test(`vite ${V.vite} build: module worker (new Worker(new URL(...), { type: "module" })) in Chromium`, async () => {
  const dir = await copyConsumer(project.dir, "vite-worker");
  const out = await tempDir("vite-worker");
  await runTool(bin("vite"), ["build", "--outDir", out, "--emptyOutDir", "--logLevel", "warn"], { cwd: dir });
  await assertPage(out);
});

test(`webpack ${V.webpack} (Node API, production, target web), import: page in Chromium`, async () => {
  const out = await tempDir("webpack-import");
  await webpackBuild(require("webpack"), "import.js", out);
  await writeFile(join(out, "index.html"), scriptPage("bundle.js", { module: false }));
  await assertPage(out);
});

test(`webpack ${V.webpack} (Node API, production, target web), require: page in Chromium`, async () => {
  const out = await tempDir("webpack-require");
  await webpackBuild(require("webpack"), "require.js", out);
  await writeFile(join(out, "index.html"), scriptPage("bundle.js", { module: false }));
  await assertPage(out);
});

test(`webpack ${V["webpack-5-75"]} (Node API, production, target web), import: page in Chromium`, async () => {
  const out = await tempDir("webpack-5-75");
  await webpackBuild(require("webpack-5-75"), "import.js", out);
  await writeFile(join(out, "index.html"), scriptPage("bundle.js", { module: false }));
  await assertPage(out);
});

// Parcel gets its own cache in the project and must not install anything (--no-autoinstall).
const PARCEL_FLAGS = ["--no-autoinstall", "--log-level", "warn"];

test(`parcel ${V.parcel} build: page in Chromium`, async () => {
  const dir = await copyConsumer(project.dir, "parcel");
  const out = await tempDir("parcel-build");
  const cache = join(project.dir, ".parcel-cache-build");
  await runTool(bin("parcel"), ["build", "index.html", "--dist-dir", out, "--cache-dir", cache, ...PARCEL_FLAGS], {
    cwd: dir,
  });
  await assertPage(out);
});

test(`parcel ${V.parcel} serve (dev server): page in Chromium`, async () => {
  const dir = await copyConsumer(project.dir, "parcel");
  const out = await tempDir("parcel-serve");
  const cache = join(project.dir, ".parcel-cache-serve");
  const port = await freePort();
  const args = ["serve", "index.html", "--host", "127.0.0.1", "--port", String(port)];
  const server = startProcess(bin("parcel"), [...args, "--dist-dir", out, "--cache-dir", cache, ...PARCEL_FLAGS], { cwd: dir });
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitForUrl(url, server, { failure: /Build failed/ });
    assertPageResult(await resultOfPage(browser, url));
  } catch (error) {
    error.message += `\nparcel serve's output:\n${server.output()}`;
    throw error;
  } finally {
    await server.stop();
  }
});

// Bun and Deno must not look anything up on the network: no telemetry, no update check.
const QUIET_ENV = { ...process.env, DO_NOT_TRACK: "1", NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };

test(`bun ${V.bun}: bun run job.mjs`, async () => {
  const dir = await copyConsumer(project.dir, "bun");
  assertSameAsNode(lastJson(await runTool(bin("bun"), ["run", "job.mjs"], { cwd: dir, env: QUIET_ENV })));
});

test(`bun ${V.bun}: bun build --target=bun, the bundle copied to another folder and run`, async () => {
  const dir = await copyConsumer(project.dir, "bun");
  const out = await tempDir("bun-build");
  await runTool(bin("bun"), ["build", "job.mjs", "--target=bun", "--outfile", join(out, "job.js")], { cwd: dir, env: QUIET_ENV });
  const copy = await copyAway(join(out, "job.js"), "job.js");
  assertSameAsNode(lastJson(await runTool(bin("bun"), [copy], { cwd: join(copy, ".."), env: QUIET_ENV })));
});

test(`bun ${V.bun}: bun build --compile, the binary copied to another folder and run`, async () => {
  const dir = await copyConsumer(project.dir, "bun");
  const out = await tempDir("bun-compile");
  await runTool(bin("bun"), ["build", "job.mjs", "--compile", "--outfile", join(out, "job")], { cwd: dir, env: QUIET_ENV });
  const copy = await copyAway(join(out, "job"), "job");
  await runTool("chmod", ["+x", copy]);
  assertSameAsNode(lastJson(await runTool(copy, [], { cwd: join(copy, ".."), env: QUIET_ENV })));
});

test(`deno ${V.deno}: deno run, bec-usage from the project's node_modules, offline`, async () => {
  const dir = await copyConsumer(project.dir, "deno");
  // Its own DENO_DIR, and no remote module or registry lookup: everything is on disk.
  const env = { ...QUIET_ENV, DENO_DIR: await tempDir("deno-dir") };
  const args = ["run", "--no-remote", "--cached-only", "job.mjs"];
  assertSameAsNode(lastJson(await runTool(bin("deno"), args, { cwd: dir, env })));
});

/** Runs one Jest test file (no config; its docblock picks the environment). */
async function jestRun(file) {
  const dir = await copyConsumer(project.dir, "jest");
  const cache = await tempDir("jest-cache");
  const args = ["--ci", "--no-watchman", "--rootDir", dir, "--cacheDirectory", cache, "--runTestsByPath", file];
  await runTool(bin("jest"), args, { cwd: dir });
  return JSON.parse(await readFile(join(dir, file.replace(".test.js", ".result.json")), "utf8"));
}

test(`jest ${V.jest}: testEnvironment node, require("bec-usage")`, async () => {
  assertSameAsNode(await jestRun("node.test.js"));
});

const JEST_JSDOM = `jest ${V.jest} + jest-environment-jsdom ${V["jest-environment-jsdom"]}`;

test(`${JEST_JSDOM}: testEnvironment jsdom, require("bec-usage")`, async () => {
  assertSameAsNode(await jestRun("jsdom.test.js"));
});

/** Runs one Vitest test file (no config; a comment picks the environment). */
async function vitestRun(file) {
  const dir = await copyConsumer(project.dir, "vitest");
  await linkTools(project.dir, ["vitest"]);
  await runTool(bin("vitest"), ["run", "--root", dir, file], { cwd: dir, env: { ...process.env, CI: "1" } });
  return JSON.parse(await readFile(join(dir, file.replace(".test.js", ".result.json")), "utf8"));
}

test(`vitest ${V.vitest}: node environment, import "bec-usage"`, async () => {
  assertSameAsNode(await vitestRun("node.test.js"));
});

test(`vitest ${V.vitest}: jsdom environment, import "bec-usage"`, async () => {
  assertSameAsNode(await vitestRun("jsdom.test.js"));
});

const TSC = join(TOOLS, "typescript", "bin", "tsc");
const USING = "`using usage = parseUsage(text)`";

for (const resolution of ["node16", "bundler", "node10"]) {
  test(`typescript ${V.typescript}: tsc --noEmit, ${USING}, moduleResolution ${resolution}`, async () => {
    const dir = await copyConsumer(project.dir, "typescript");
    await runTool(process.execPath, [TSC, "-p", `tsconfig.${resolution}.json`, "--pretty", "false"], { cwd: dir });
  });
}

/** What the bec-usage/init jobs report: the error before init(), then the probe. */
function assertInitResult(output) {
  assert.equal(output?.pageError, undefined, output?.pageError);
  assert.equal(output.beforeInit?.kind, "NotInitialized", `before init(): ${JSON.stringify(output.beforeInit)}`);
  assert.equal(output.beforeInit.name, "BecUsageError");
  assert.equal(output.beforeInit.isBecUsageError, true);
  assert.match(output.beforeInit.message, /init\(\)/);
  assertSameAsNode(output.result);
}

test(`bec-usage/init in node ${process.versions.node}: NotInitialized before await init(), then the probe`, async () => {
  assertInitResult(await nodeRun("init", "node.mjs"));
});

test(`bec-usage/init in a classic worker (esbuild ${V.esbuild} iife): NotInitialized before init(), then the probe`, async () => {
  const out = await tempDir("init-worker");
  await esbuild("worker.js", [`--outfile=${join(out, "w.js")}`], "init");
  await writeFile(join(out, "index.html"), workerPage("w.js"));
  const server = await staticServer(out);
  try {
    const { result, problems } = await resultOfPage(browser, `${server.origin}/`);
    assert.deepEqual(problems, [], problems.join("\n"));
    assertInitResult(result);
  } finally {
    await server.close();
  }
});
