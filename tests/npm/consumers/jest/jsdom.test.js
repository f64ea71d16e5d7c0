/**
 * @jest-environment jsdom
 */
// A Jest test file (CommonJS, no config): the environment is chosen by the docblock.
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");
const api = require("bec-usage");
const { runProbe } = require("../probe.cjs");

test("bec-usage signs and parses in the jsdom environment", () => {
  const result = runProbe(api);
  // The full check is the harness's (assertProbe); it reads what the test wrote.
  writeFileSync(join(__dirname, "jsdom.result.json"), JSON.stringify(result));
  expect(result.error.kind).toBe("WrongType");
  expect(result.resourceNames).toEqual(["CPU", "EIP", "BOS_Standard", "Memory"]);
});
