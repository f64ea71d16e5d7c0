// Size and speed of the npm package bec-usage: prints figures, asserts nothing (the targets
// are printed beside the figures). Run after scripts/build-npm.sh:
//
//   node tests/npm/bench.mjs            # or: cd tests/npm && npm run bench
//
// Sizes, gzipped at level 9: the .wasm (target/npm/bec_usage_bg.wasm, which the package
// carries deflated inside core.mjs and index.cjs), what each entry downloads in all
// (index.mjs + core.mjs, init.mjs + core.mjs, index.cjs) and the JavaScript in it without
// the module's bytes; the tarball; beside the official Baidu JS SDK's browser bundle.
//
// Start-up: `await import("bec-usage")` in a fresh Node process (the installed package's
// index.mjs: decode, inflate, compile, instantiate), the median of 15 processes.
//
// Speed, in this one Node process, on the same input:
// - parse + statistics + daily averages of the 31-day, 1-minute, 12-resource month (the
//   core's synthetic month, seed 2024, written by `cargo run --release -p bec-usage
//   --example write_month`): `parseUsage` + `stats()` + `dailyAverages()` against
//   `JSON.parse` + the same statistics in plain JavaScript (with floats: inexact). Runs are
//   interleaved in pairs, with a garbage collection before each; the ratio is the median of
//   the pairs' ratios.
// - signing the usage request: `signRequest` against `Auth.generateAuthorization` of
//   `@baiducloud/sdk` (Baidu's official JS SDK, Node's native HMAC), requests per second, on
//   the same inputs: once with the same timestamp on every call (bec-usage reuses the
//   signing key it derived), once with a fresh timestamp on every call.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { NPM_OUT, PACKAGE_DIR, REPO_ROOT, loadPackage, tarballPath } from "./lib/package.mjs";

// A collection before each timed run keeps one side's garbage out of the other's time.
if (typeof globalThis.gc !== "function") {
  const child = spawnSync(process.execPath, ["--expose-gc", ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const BAIDU_SDK_BROWSER_GZIP = 390_838; // bytes: the official SDK's browser bundle, gzipped
const PARSE_RUNS = Number(process.env.BENCH_PARSE_RUNS ?? 9);
const SIGN_ROUNDS = 5;
const SIGN_ROUND_MS = 600;

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

if (!existsSync(join(PACKAGE_DIR, "package.json"))) {
  console.error("bench: no package in target/npm/pkg; run `bash scripts/build-npm.sh` first");
  process.exit(1);
}
const api = await loadPackage();

// ---------------------------------------------------------------------------------------
// Sizes

const gzipSize = (text) => gzipSync(text, { level: 9 }).length;
const packageFile = (file) => readFileSync(join(PACKAGE_DIR, file));
const wasm = readFileSync(join(NPM_OUT, "bec_usage_bg.wasm"));
const entries = [
  ["index.mjs + core.mjs", ["index.mjs", "core.mjs"]],
  ["init.mjs + core.mjs", ["init.mjs", "core.mjs"]],
  ["index.cjs", ["index.cjs"]],
];
// The JavaScript alone: the entry's files with the module's base64 taken out.
const withoutModule = (text) => text.replace(/"[A-Za-z0-9+/]{10000,}={0,2}"/, '""');
const tarball = statSync(await tarballPath()).size;

console.log(`bec-usage ${api.version}: sizes, gzipped`);
console.log(`  .wasm                 ${kb(wasm.length)} raw, ${kb(gzipSize(wasm))} gzipped (target <= 80 KB)`);
let largestDownload = 0;
for (const [name, files] of entries) {
  const texts = files.map((file) => packageFile(file).toString("utf8"));
  const download = texts.reduce((sum, text) => sum + gzipSize(text), 0);
  const js = texts.reduce((sum, text) => sum + gzipSize(withoutModule(text)), 0);
  largestDownload = Math.max(largestDownload, download);
  console.log(`  ${name.padEnd(21)} ${kb(download)} in all (target <= 85 KB), of which JavaScript ${kb(js)} (target <= 10 KB)`);
}
console.log(`  Baidu's JS SDK browser bundle: ${kb(BAIDU_SDK_BROWSER_GZIP)} (${(BAIDU_SDK_BROWSER_GZIP / largestDownload).toFixed(1)}x the largest entry)`);
console.log(`  tarball               ${kb(tarball)}`);

// ---------------------------------------------------------------------------------------
// Start-up in Node

const IMPORT_RUNS = 15;
const importScript = `const start = performance.now(); await import(${JSON.stringify(join(PACKAGE_DIR, "index.mjs"))}); console.log(performance.now() - start);`;
const importTimes = Array.from({ length: IMPORT_RUNS }, () =>
  Number(execFileSync(process.execPath, ["--input-type=module", "-e", importScript], { encoding: "utf8" })),
);
console.log(`\nstart-up: await import("bec-usage") in a fresh Node ${process.version} process`);
console.log(`  median ${median(importTimes).toFixed(1)} ms of ${IMPORT_RUNS} (min ${Math.min(...importTimes).toFixed(1)} ms; target <= 15 ms)`);

// ---------------------------------------------------------------------------------------
// Parse + statistics + daily averages

const monthPath = join(NPM_OUT, "month.json");
if (!existsSync(monthPath)) {
  console.log("\nwriting the benchmark month (cargo run --release -p bec-usage --example write_month)");
  execFileSync("cargo", ["run", "--quiet", "--release", "-p", "bec-usage", "--example", "write_month", "--", monthPath], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
}
const monthText = readFileSync(monthPath, "utf8");
const monthMB = Buffer.byteLength(monthText) / 1e6;

const BEIJING_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The plain-JavaScript side: JSON.parse, then per resource min/max/mean/sum/last and daily means. */
function plainJs(text) {
  const usage = JSON.parse(text);
  const stats = [];
  const days = new Map(); // day number -> per resource [sum, count]
  const names = Object.keys(usage.graphData);
  names.forEach((name, column) => {
    const { unit, dataList } = usage.graphData[name];
    if (dataList.length === 0) {
      stats.push({ resource: name, unit, stats: null });
      return;
    }
    let min = dataList[0];
    let max = dataList[0];
    let last = dataList[0];
    let sum = 0;
    for (const point of dataList) {
      const { amount, timestamp } = point;
      sum += amount;
      if (amount < min.amount) min = point;
      if (amount > max.amount) max = point;
      if (timestamp >= last.timestamp) last = point;
      const day = Math.floor((timestamp + BEIJING_MS) / DAY_MS);
      let row = days.get(day);
      if (!row) days.set(day, (row = names.map(() => [0, 0])));
      row[column][0] += amount;
      row[column][1] += 1;
    }
    stats.push({ resource: name, unit, stats: { points: dataList.length, min, max, sum, mean: sum / dataList.length, last } });
  });
  const dates = [...days.keys()].sort((a, b) => a - b);
  const cells = dates.map((day) => days.get(day).map(([sum, count]) => (count ? { average: sum / count, points: count } : null)));
  return { stats, daily: { dates: dates.map((day) => new Date(day * DAY_MS).toISOString().slice(0, 10)), resources: names, cells } };
}

/** The package's side: exact decimals all the way. */
function withWasm(text) {
  const usage = api.parseUsage(text);
  try {
    return { stats: usage.stats(), daily: usage.dailyAverages() };
  } finally {
    usage.free();
  }
}

function timeOnce(work) {
  globalThis.gc();
  const start = process.hrtime.bigint();
  const result = work(monthText);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

timeOnce(plainJs);
timeOnce(withWasm); // warm-up: JIT, and the wasm memory grown to its working size
const jsTimes = [];
const wasmTimes = [];
let jsResult;
let wasmResult;
for (let run = 0; run < PARSE_RUNS; run += 1) {
  const js = timeOnce(plainJs);
  const wasm = timeOnce(withWasm);
  jsTimes.push(js.ms);
  wasmTimes.push(wasm.ms);
  jsResult = js.result;
  wasmResult = wasm.result;
}
const jsMs = median(jsTimes);
const wasmMs = median(wasmTimes);
const jsonParseMs = median(Array.from({ length: 5 }, () => timeOnce((text) => JSON.parse(text)).ms));
const wasmParseMs = median(Array.from({ length: 5 }, () => timeOnce((text) => api.parseUsage(text).free()).ms));

// Exactness: each resource's sum recomputed with BigInt from the JSON's number text.
function exactSums(text) {
  const sums = [];
  const listPattern = /"dataList":\[(.*?)\]/gs;
  for (const [, list] of text.matchAll(listPattern)) {
    const amounts = [...list.matchAll(/"amount":(-?\d+(?:\.\d+)?)/g)].map((match) => match[1]);
    const scale = Math.max(0, ...amounts.map((a) => (a.split(".")[1] ?? "").length));
    let total = 0n;
    for (const amount of amounts) {
      const [whole, fraction = ""] = amount.split(".");
      const negative = whole.startsWith("-");
      const digits = BigInt(whole.replace("-", "") + fraction.padEnd(scale, "0"));
      total += negative ? -digits : digits;
    }
    sums.push(normalise(formatScaled(total, scale)));
  }
  return sums;
}
function formatScaled(value, scale) {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}
function normalise(decimal) {
  return decimal.includes(".") ? decimal.replace(/0+$/, "").replace(/\.$/, "") : decimal;
}
const exact = exactSums(monthText);
const wasmSums = wasmResult.stats.map((entry) => normalise(entry.stats.sum));
const wasmExact = exact.length === wasmSums.length && exact.every((sum, i) => sum === wasmSums[i]);
const floatOff = jsResult.stats.filter((entry, i) => normalise(String(entry.stats.sum)) !== exact[i]).length;
const points = wasmResult.stats.reduce((total, entry) => total + entry.stats.points, 0);

console.log(`\nparse + statistics + daily averages: ${monthMB.toFixed(1)} MB of JSON, ${points} points, ${wasmResult.daily.dates.length} days x ${wasmResult.daily.resources.length} resources; medians of ${PARSE_RUNS}`);
console.log(`  bec-usage  parseUsage + stats() + dailyAverages()  ${wasmMs.toFixed(1)} ms (${(monthMB / (wasmMs / 1000)).toFixed(0)} MB/s; parseUsage alone ${wasmParseMs.toFixed(1)} ms)`);
console.log(`  plain JS   JSON.parse + the same in JS            ${jsMs.toFixed(1)} ms (${(monthMB / (jsMs / 1000)).toFixed(0)} MB/s; JSON.parse alone ${jsonParseMs.toFixed(1)} ms)`);
// Each run pairs the two back to back, so the median of the pairs' ratios is the figure that
// moves least when other work shares the machine.
const pairedRatio = median(wasmTimes.map((ms, i) => ms / jsTimes[i]));
console.log(`  ratio bec-usage / plain JS: ${pairedRatio.toFixed(2)} (target <= 1.00; median of the ${PARSE_RUNS} paired runs' ratios; ratio of the medians ${(wasmMs / jsMs).toFixed(2)})`);
console.log(`  exact: bec-usage's sums equal BigInt sums of the JSON text for ${wasmExact ? "all" : "NOT all"} ${exact.length} resources; plain JS's float sums differ for ${floatOff} of ${exact.length}`);

// ---------------------------------------------------------------------------------------
// Signing

const require = createRequire(join(REPO_ROOT, "tests", "npm", "package.json"));
const BaiduAuth = require("@baiducloud/sdk/src/auth.js");
const sdkVersion = require("@baiducloud/sdk/package.json").version;

const credentials = { accessKeyId: "0123456789abcdef0123456789abcdef", secretAccessKey: "fedcba9876543210fedcba9876543210" };
const epochSeconds = Date.UTC(2024, 2, 1, 10, 0, 0) / 1000;
const query = { beginDate: "2024-01-01", endDate: "2024-01-31" };
const ourOptions = {
  ...credentials,
  method: "GET",
  host: "bec.baidubce.com",
  path: "/v1/usage/computing",
  query,
  timestamp: epochSeconds,
};
const sdkAuth = new BaiduAuth(credentials.accessKeyId, credentials.secretAccessKey);
const sdkHeaders = { host: "bec.baidubce.com", "x-bce-date": "2024-03-01T10:00:00Z" };
const signOurs = () => api.signRequest(ourOptions).authorization;
const signSdk = () =>
  sdkAuth.generateAuthorization("GET", "/v1/usage/computing", query, sdkHeaders, epochSeconds, 1800, ["host", "x-bce-date"]);
// A fresh signing time on every call (as a client signing requests spread over time does):
// bec-usage cannot reuse the signing key it derived for the previous second. The SDK gets
// the same fresh times (its x-bce-date header too).
let freshSeconds = epochSeconds;
const isoSeconds = (seconds) => new Date(seconds * 1000).toISOString().replace(".000", "");
const signOursFresh = () => api.signRequest({ ...ourOptions, timestamp: ++freshSeconds }).authorization;
const signSdkFresh = () => {
  const seconds = ++freshSeconds;
  const headers = { host: "bec.baidubce.com", "x-bce-date": isoSeconds(seconds) };
  return sdkAuth.generateAuthorization("GET", "/v1/usage/computing", query, headers, seconds, 1800, ["host", "x-bce-date"]);
};

const sameAuthorization = signOurs() === signSdk();
const freshStart = freshSeconds;
const sameFreshAuthorization = signOursFresh() === ((freshSeconds = freshStart), signSdkFresh());

function perSecond(sign) {
  let count = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(SIGN_ROUND_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 100; i += 1) sink += sign().length;
    count += 100;
    now = process.hrtime.bigint();
  }
  if (sink === 0) throw new Error("nothing signed");
  return count / (Number(now - start) / 1e9);
}
/** Medians of interleaved rounds after one warm-up round each; the ratio is the median of the rounds' ratios. */
function compare(ours, sdk) {
  perSecond(ours);
  perSecond(sdk);
  const oursRates = [];
  const sdkRates = [];
  for (let round = 0; round < SIGN_ROUNDS; round += 1) {
    globalThis.gc();
    oursRates.push(perSecond(ours));
    globalThis.gc();
    sdkRates.push(perSecond(sdk));
  }
  return { ours: median(oursRates), sdk: median(sdkRates), ratio: median(oursRates.map((rate, i) => rate / sdkRates[i])) };
}
const rate = (perSec) => `${Math.round(perSec).toLocaleString("en")} /s (${(1e6 / perSec).toFixed(2)} µs each)`;
console.log(`\nsigning the usage request (GET /v1/usage/computing, host and x-bce-date signed); medians of ${SIGN_ROUNDS} interleaved rounds`);
for (const [label, ours, sdk, same] of [
  ["the same timestamp on every call", signOurs, signSdk, sameAuthorization],
  ["a fresh timestamp on every call", signOursFresh, signSdkFresh, sameFreshAuthorization],
]) {
  const result = compare(ours, sdk);
  console.log(`  ${label}:`);
  console.log(`    bec-usage signRequest                           ${rate(result.ours)}`);
  console.log(`    @baiducloud/sdk ${sdkVersion} Auth.generateAuthorization ${rate(result.sdk)}`);
  console.log(`    ratio bec-usage / SDK: ${result.ratio.toFixed(2)}x (target >= 1: at least as fast); same Authorization: ${same ? "yes" : "NO"}`);
}
console.log(`\nNode ${process.version}, ${process.platform} ${process.arch}`);
