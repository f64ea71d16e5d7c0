// The package is ready to publish: `npm publish --dry-run` passes, the tarball holds exactly
// the intended files, and package.json says what a registry and every resolver need.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { PACKAGE_DIR, REPO_ROOT, packageJson, run, tarballPath } from "../lib/package.mjs";

const EXPECTED_FILES = [
  "LICENSE",
  "README.md",
  "core.mjs",
  "index.cjs",
  "index.d.cts",
  "index.d.ts",
  "index.mjs",
  "init.d.ts",
  "init.mjs",
  "package.json",
];

/** The crate's version, from Cargo.toml's [workspace.package]. */
async function crateVersion() {
  const manifest = await readFile(join(REPO_ROOT, "Cargo.toml"), "utf8");
  const section = manifest.slice(manifest.indexOf("[workspace.package]"));
  return section.match(/^version\s*=\s*"([^"]+)"/m)[1];
}

test("npm publish --dry-run passes and would publish exactly the package's files", async () => {
  const { stdout } = await run("npm", ["publish", "--dry-run", "--json", "--loglevel=error"], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, npm_config_registry: "https://registry.npmjs.org/" },
  });
  // npm 11 prints the report keyed by package name.
  const report = JSON.parse(stdout);
  const summary = report["bec-usage"] ?? report;
  assert.equal(summary.name, "bec-usage");
  assert.equal(summary.version, await crateVersion());
  assert.deepEqual(summary.files.map((file) => file.path).sort(), EXPECTED_FILES);
});

test("the tarball holds exactly the package's files", async () => {
  const { stdout } = await run("tar", ["-tzf", await tarballPath()]);
  const entries = stdout.trim().split("\n").map((entry) => entry.replace(/^package\//, "")).sort();
  assert.deepEqual(entries, EXPECTED_FILES);
});

test("package.json is ready to publish", async () => {
  const pkg = await packageJson();
  assert.equal(pkg.name, "bec-usage");
  assert.equal(pkg.version, await crateVersion());
  assert.equal(pkg.license, "Apache-2.0");
  assert.match(pkg.repository.url, /^git\+https:\/\/.+\.git$/);
  assert.ok(pkg.description.length > 20);
  assert.ok(pkg.keywords.includes("bce") && pkg.keywords.includes("webassembly"));
  assert.equal(pkg.type, "module");
  assert.equal(pkg.types, "./index.d.ts");
  assert.deepEqual(pkg.engines, { node: ">=18" });
  // Every file but the types runs code when loaded (the glue and index.mjs instantiate).
  assert.deepEqual(pkg.sideEffects, ["./index.mjs", "./init.mjs", "./core.mjs", "./index.cjs"]);
  assert.equal(pkg.dependencies, undefined, "the package needs nothing at run time");
  // One ES module entry for every runtime and bundler, index.cjs for `require` (Node, Jest,
  // webpack's require()), and `./init` for an explicit asynchronous start.
  assert.deepEqual(pkg.exports["."], {
    import: { types: "./index.d.ts", default: "./index.mjs" },
    require: { types: "./index.d.cts", default: "./index.cjs" },
    default: { types: "./index.d.ts", default: "./index.mjs" },
  });
  assert.deepEqual(pkg.exports["./init"], { types: "./init.d.ts", default: "./init.mjs" });
  for (const file of pkg.files) {
    await readFile(join(PACKAGE_DIR, file)); // every listed file exists
  }
});

test("the CommonJS types are the ES module types", async () => {
  assert.equal(
    await readFile(join(PACKAGE_DIR, "index.d.cts"), "utf8"),
    await readFile(join(PACKAGE_DIR, "index.d.ts"), "utf8"),
  );
});

test("the README has runnable examples for Node, CommonJS, browsers and Vite", async () => {
  const readme = await readFile(join(PACKAGE_DIR, "README.md"), "utf8");
  for (const needle of [
    'import { signRequest, parseUsage } from "bec-usage"',
    'require("bec-usage")',
    '<script type="module">',
    "Vite",
    "new UsageClient(",
    "fetchUsage(",
    "npm install bec-usage",
  ]) {
    assert.ok(readme.includes(needle), `README.md should contain ${needle}`);
  }
});
