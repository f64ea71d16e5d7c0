// Where the built package is, and a fresh project with the packed tarball installed, as a
// user would have it. The package is built by scripts/build-npm.sh before the tests run.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

export const run = promisify(execFile);

export const REPO_ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
export const NPM_OUT = join(REPO_ROOT, "target", "npm");
/** The package folder: what `npm pack` packs and `npm publish` would publish. */
export const PACKAGE_DIR = join(NPM_OUT, "pkg");
export const JS_SOURCES = join(REPO_ROOT, "crates", "bec-usage", "js");
export const FIXTURES = join(REPO_ROOT, "crates", "bec-usage", "tests", "fixtures");

/** The tarball written by scripts/build-npm.sh (exactly one). */
export async function tarballPath() {
  const tarballs = (await readdir(NPM_OUT)).filter((name) => /^bec-usage-.*\.tgz$/.test(name));
  if (tarballs.length !== 1) {
    throw new Error(`expected one bec-usage-*.tgz in ${NPM_OUT}, found ${tarballs.length}; run scripts/build-npm.sh`);
  }
  return join(NPM_OUT, tarballs[0]);
}

/** The built package's package.json. */
export async function packageJson() {
  return JSON.parse(await readFile(join(PACKAGE_DIR, "package.json"), "utf8"));
}

/** The package's ES module entry, imported from the package folder. */
export async function loadPackage() {
  return import(pathToFileURL(join(PACKAGE_DIR, "index.mjs")).href);
}

/**
 * A new project in a temporary folder with the tarball installed by `npm install`, as a
 * user would do. It works offline: the package has no dependencies. Call `remove()` after.
 */
export async function consumerProject() {
  const dir = await mkdtemp(join(tmpdir(), "bec-usage-consumer-"));
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "bec-usage-consumer", version: "1.0.0", private: true }, null, 2),
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", await tarballPath()], { cwd: dir });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
