// The TypeScript types: a strict consumer of every export type-checks against the installed
// package (ES module and CommonJS resolution, and a bundler's), index.d.ts contains no
// `any`, and it declares exactly the values the package exports at run time.
import assert from "node:assert/strict";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { PACKAGE_DIR, consumerProject, loadPackage, run } from "../lib/package.mjs";

const require = createRequire(import.meta.url);
const ts = require("typescript");
const TSC = require.resolve("typescript/bin/tsc");
const TYPES_DIR = fileURLToPath(new URL("../types/", import.meta.url));

const STRICT = {
  strict: true,
  noImplicitAny: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  skipLibCheck: false, // check the package's .d.ts files too
  target: "es2022",
  lib: ["es2022", "dom"],
  types: [],
};

let project;

before(async () => {
  project = await consumerProject();
  await copyFile(join(TYPES_DIR, "consumer.mts"), join(project.dir, "consumer.mts"));
  await copyFile(join(TYPES_DIR, "consumer.cts"), join(project.dir, "consumer.cts"));
});

after(() => project?.remove());

async function typeCheck(name, compilerOptions, files) {
  const config = join(project.dir, `tsconfig.${name}.json`);
  await writeFile(config, JSON.stringify({ compilerOptions: { ...STRICT, ...compilerOptions }, files }, null, 2));
  try {
    await run(process.execPath, [TSC, "-p", config, "--pretty", "false"], { cwd: project.dir });
  } catch (error) {
    assert.fail(`tsc -p ${name} failed:\n${error.stdout}${error.stderr}`);
  }
}

test("a strict consumer type-checks with Node's resolution (import and require)", async () => {
  await typeCheck("node", { module: "nodenext", moduleResolution: "nodenext" }, ["consumer.mts", "consumer.cts"]);
});

test("a strict consumer type-checks with a bundler's resolution", async () => {
  await typeCheck("bundler", { module: "esnext", moduleResolution: "bundler" }, ["consumer.mts"]);
});

test("the type-check fails on a type error (the check is real)", async () => {
  await writeFile(join(project.dir, "wrong.mts"), 'import { signRequest } from "bec-usage";\nsignRequest({ method: 1 });\n');
  await assert.rejects(
    typeCheck("wrong", { module: "nodenext", moduleResolution: "nodenext" }, ["wrong.mts"]),
    /TS2345|TS2739|TS2322/,
  );
});

test("index.d.ts contains no `any`", async () => {
  const text = await readFile(join(PACKAGE_DIR, "index.d.ts"), "utf8");
  const source = ts.createSourceFile("index.d.ts", text, ts.ScriptTarget.Latest, true);
  const anys = [];
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      anys.push(`line ${line + 1}: ${node.parent.getText()}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  assert.deepEqual(anys, []);
  // The walk does see keywords: `unknown` is used (isBecUsageError's parameter).
  assert.match(text, /error: unknown/);
});

test("index.d.ts declares exactly the values the package exports", async () => {
  const file = join(PACKAGE_DIR, "index.d.ts");
  const program = ts.createProgram([file], { strict: true, noEmit: true, types: [], lib: ["lib.es2022.d.ts", "lib.dom.d.ts"] });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file));
  const declared = checker
    .getExportsOfModule(moduleSymbol)
    .filter((symbol) => symbol.flags & ts.SymbolFlags.Value)
    .map((symbol) => symbol.name)
    .sort();
  const exported = Object.keys(await loadPackage()).sort();
  assert.deepEqual(exported, declared);
});
