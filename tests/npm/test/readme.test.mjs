// The package README's examples run as written: every ```js block that starts with
// `// file: NAME.mjs` or `// file: NAME.cjs` is saved into a fresh project with the tarball
// installed and run with Node; each `console.log(...); // → text` must print that text.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PACKAGE_DIR, consumerProject, run } from "../lib/package.mjs";

const README = readFileSync(join(PACKAGE_DIR, "README.md"), "utf8");
const EXAMPLES = [...README.matchAll(/```js\n\/\/ file: (\S+\.[cm]js)\n([\s\S]*?)```/g)].map(([, name, code]) => ({
  name,
  code,
  expected: [...code.matchAll(/^\s*console\.log\(.*\); \/\/ → (.*)$/gm)].map((match) => match[1]),
}));

let project;

before(async () => {
  project = await consumerProject();
});

after(() => project?.remove());

test("the README has runnable examples for ES modules, CommonJS and bec-usage/init", () => {
  assert.deepEqual(EXAMPLES.map((example) => example.name).sort(), ["hours-and-costs.mjs", "init.mjs", "require.cjs", "sign-and-parse.mjs"]);
  for (const example of EXAMPLES) assert.ok(example.expected.length >= 3, `${example.name} shows what it prints`);
});

for (const example of EXAMPLES) {
  test(`README example ${example.name} prints what it says`, async () => {
    await writeFile(join(project.dir, example.name), example.code);
    const { stdout, stderr } = await run(process.execPath, [example.name], { cwd: project.dir });
    assert.equal(stderr, "");
    assert.deepEqual(stdout.trimEnd().split("\n"), example.expected);
  });
}
