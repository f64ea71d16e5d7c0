// The packed tarball installed into a fresh project, used from Node as a user would: an ES
// module script (`import`) and a CommonJS script (`require`), each signing the
// specification's worked example and parsing the reference example.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { CJS_SCRIPT, ESM_SCRIPT } from "../lib/consumer-sources.mjs";
import { consumerProject, packageJson, run } from "../lib/package.mjs";
import { assertProbe } from "../lib/probe.mjs";

let project;
let version;

before(async () => {
  project = await consumerProject();
  version = (await packageJson()).version;
  await writeFile(join(project.dir, "esm.mjs"), ESM_SCRIPT);
  await writeFile(join(project.dir, "cjs.cjs"), CJS_SCRIPT);
});

after(() => project?.remove());

async function probeWith(script) {
  const { stdout, stderr } = await run(process.execPath, [script], { cwd: project.dir });
  assert.equal(stderr, "", "the script should print no warning");
  return JSON.parse(stdout);
}

test("an ES module script signs the worked example and parses the reference example", async () => {
  assertProbe(await probeWith("esm.mjs"), version);
});

test("a CommonJS script signs the worked example and parses the reference example", async () => {
  assertProbe(await probeWith("cjs.cjs"), version);
});

test("import resolves to index.mjs and require to index.cjs", async () => {
  const { stdout } = await run(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { createRequire } from "node:module";
       const require = createRequire(process.cwd() + "/");
       console.log(JSON.stringify([import.meta.resolve("bec-usage"), require.resolve("bec-usage")]));`,
    ],
    { cwd: project.dir },
  );
  const [imported, required] = JSON.parse(stdout);
  assert.match(imported, /\/node_modules\/bec-usage\/index\.mjs$/);
  assert.match(required, /\/node_modules\/bec-usage\/index\.cjs$/);
});

test("the version is the crate's, from import and require alike", async () => {
  const { stdout } = await run(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { createRequire } from "node:module";
       import { version } from "bec-usage";
       const require = createRequire(process.cwd() + "/");
       console.log(JSON.stringify([version, require("bec-usage").version, require("bec-usage/package.json").version]));`,
    ],
    { cwd: project.dir },
  );
  assert.deepEqual(JSON.parse(stdout), [version, version, version]);
});
