// One set of checks run by every kind of consumer (Node ESM, CommonJS, a Vite page, a plain
// module page), so that each asserts the same real results. `probe` is embedded into the
// consumers' sources with `probe.toString()`: it must stay self-contained.
import assert from "node:assert/strict";
import {
  WORKED_EXAMPLE_AUTHORIZATION,
  WORKED_EXAMPLE_CANONICAL_REQUEST,
  WORKED_EXAMPLE_HOST_DATE_SIGNATURE,
} from "./fixtures.mjs";

/** Signs the worked example, parses the reference example, provokes an error; JSON out. */
export function probe(api, docExampleJson, workedExample) {
  const signed = api.signRequest(workedExample);
  const hostAndDate = api.signRequest({ ...workedExample, headersToSign: ["host", "x-bce-date"] });
  const usage = api.parseUsage(docExampleJson);
  const bos = usage.resource("BOS_Standard");
  const bosStats = usage.stats().find((entry) => entry.resource === "BOS_Standard").stats;
  let error = null;
  try {
    api.parseUsage('{"accountId": 1}');
  } catch (caught) {
    error = {
      isError: caught instanceof Error,
      isBecUsageError: api.isBecUsageError(caught),
      name: caught.name,
      kind: caught.kind,
      path: caught.path,
      hasStack: typeof caught.stack === "string" && caught.stack.length > 0,
      message: caught.message,
    };
  }
  const result = {
    version: api.version,
    authorization: signed.authorization,
    canonicalRequest: signed.canonicalRequest,
    hostAndDateAuthorization: hostAndDate.authorization,
    accountId: usage.accountId,
    resourceNames: usage.resourceNames,
    bosExactAmounts: bos.exactAmounts,
    bosFirstAmount: bos.amounts[0],
    bosStats: { points: bosStats.points, sum: bosStats.sum, mean: bosStats.mean, max: bosStats.max.amount },
    chunks: api.splitRange("2024-01-01", "2024-02-29").map((range) => `${range.beginDate}..${range.endDate}`),
    error,
    plainErrorIsNotOurs: api.isBecUsageError(new Error("x")),
  };
  usage.free();
  return result;
}

/** Asserts what `probe` returned, wherever it ran. */
export function assertProbe(result, expectedVersion) {
  assert.equal(result.version, expectedVersion);
  assert.equal(result.authorization, WORKED_EXAMPLE_AUTHORIZATION);
  assert.equal(result.canonicalRequest, WORKED_EXAMPLE_CANONICAL_REQUEST);
  assert.equal(result.hostAndDateAuthorization.split("/").at(-1), WORKED_EXAMPLE_HOST_DATE_SIGNATURE);
  assert.equal(result.accountId, "accountId");
  assert.deepEqual(result.resourceNames, ["CPU", "EIP", "BOS_Standard", "Memory"]);
  assert.deepEqual(result.bosExactAmounts, ["30.223343133", "40.223343133", "50.223343133"]);
  assert.equal(result.bosFirstAmount, 30.223343133);
  assert.deepEqual(result.bosStats, {
    points: 3,
    sum: "120.670029399",
    mean: "40.223343133",
    max: "50.223343133",
  });
  assert.deepEqual(result.chunks, ["2024-01-01..2024-01-31", "2024-02-01..2024-02-29"]);
  assert.equal(result.error?.isError, true);
  assert.equal(result.error.isBecUsageError, true);
  assert.equal(result.error.name, "BecUsageError");
  assert.equal(result.error.kind, "WrongType");
  assert.equal(result.error.path, "accountId");
  assert.equal(result.error.hasStack, true);
  assert.match(result.error.message, /accountId/);
  assert.equal(result.plainErrorIsNotOurs, false);
}
