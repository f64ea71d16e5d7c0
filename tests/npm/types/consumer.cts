// The same package through `require` (a CommonJS TypeScript file resolves the `require`
// condition and index.d.cts), type-checked by test/types.test.mjs.
import bec = require("bec-usage");

const signed: bec.SignedRequest = bec.signRequest({
  accessKeyId: "ak",
  secretAccessKey: "sk",
  method: "GET",
  host: "bec.baidubce.com",
  path: "/v1/usage/computing",
  query: { beginDate: "2024-01-01", endDate: "2024-01-31" },
  timestamp: 1_700_000_000,
});
const usage: bec.Usage = bec.parseUsage("{}");
const sheet: bec.PriceSheet = bec.parsePriceSheet('{"currency":"CNY","prices":{"CPU":"0.045"}}');
const estimate: bec.CostEstimate = usage.costEstimate(sheet);
const cents: string = bec.roundMoney(estimate.total, sheet.minorUnits);
const client: bec.UsageClient = new bec.UsageClient({ endpoint: "" });
const isOurs: boolean = bec.isBecUsageError(new Error("x"));
const version: string = bec.version;
// @ts-expect-error: fetchUsage needs both dates
client.fetchUsage("2024-01-01");

void [signed, usage, isOurs, version, cents];
