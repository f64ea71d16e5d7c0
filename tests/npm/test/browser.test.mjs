// The packed tarball installed into a fresh project and used in headless Chromium: a page
// built by Vite that imports `bec-usage`, and a plain `<script type="module">` page that
// imports the package's index.mjs from node_modules by URL. Each page signs the worked
// example, parses the reference example and fetches a 60-day range through UsageClient from
// its own origin, and writes the results into the DOM.
import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { build } from "vite";
import { launchChromium, resultOfPage } from "../lib/browser.mjs";
import { pageHtml, pageModule } from "../lib/consumer-sources.mjs";
import { consumerProject, packageJson } from "../lib/package.mjs";
import { assertProbe } from "../lib/probe.mjs";
import { staticServer } from "../lib/servers.mjs";

let project;
let browser;
let version;
const servers = [];

before(async () => {
  project = await consumerProject();
  version = (await packageJson()).version;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => server.close()));
  await project?.remove();
});

function assertPageResult({ result, problems }) {
  assert.equal(result.pageError, undefined, result.pageError);
  assertProbe(result, version);
  assert.deepEqual(result.client, {
    timeSpan: { beginDate: "2024-01-01", endDate: "2024-02-29" },
    cpuPoints: 60,
    cpuSum: "6.0",
    progress: ["1/2", "2/2"],
  });
  assert.deepEqual(problems, []);
}

test("a Vite build importing bec-usage works in Chromium", async () => {
  const root = join(project.dir, "vite-page");
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "index.html"), pageHtml("./main.js"));
  await writeFile(join(root, "main.js"), pageModule("bec-usage"));
  const outDir = join(root, "dist");
  await build({ root, logLevel: "error", configFile: false, build: { outDir, emptyOutDir: true } });

  // The module's bytes are inside the script: Vite emits one .js and no .wasm.
  const assets = await readdir(join(outDir, "assets"));
  assert.deepEqual(assets.filter((name) => !name.endsWith(".js")), [], `assets: ${assets}`);
  assert.equal(assets.length, 1, `assets: ${assets}`);

  const server = await staticServer(outDir);
  servers.push(server);
  assertPageResult(await resultOfPage(browser, `${server.origin}/`));
  assert.deepEqual(server.requests.filter((path) => path.startsWith("/v1/")).sort(), [
    "/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-31",
    "/v1/usage/computing?beginDate=2024-02-01&endDate=2024-02-29",
  ]);
});

test("a plain <script type=module> page importing index.mjs works in Chromium", async () => {
  const root = project.dir;
  await writeFile(join(root, "plain.html"), pageHtml("./plain.js"));
  await writeFile(join(root, "plain.js"), pageModule("./node_modules/bec-usage/index.mjs"));
  const server = await staticServer(root);
  servers.push(server);
  assertPageResult(await resultOfPage(browser, `${server.origin}/plain.html`));
  // The module's bytes come inside core.mjs: no .wasm is requested.
  const packageRequests = server.requests.filter((path) => path.startsWith("/node_modules/bec-usage/")).sort();
  assert.deepEqual(packageRequests, ["/node_modules/bec-usage/core.mjs", "/node_modules/bec-usage/index.mjs"]);
});
