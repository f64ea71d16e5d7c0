// @vitest-environment node
// A Vitest test file (no config): the environment is chosen by the comment above.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as api from "bec-usage";
import { expect, test } from "vitest";
import { runProbe } from "../probe.mjs";

test("bec-usage signs and parses in the node environment", () => {
  const result = runProbe(api);
  // The full check is the harness's (assertProbe); it reads what the test wrote.
  writeFileSync(join(dirname(fileURLToPath(import.meta.url)), "node.result.json"), JSON.stringify(result));
  expect(result.error.kind).toBe("WrongType");
  expect(result.resourceNames).toEqual(["CPU", "EIP", "BOS_Standard", "Memory"]);
});
