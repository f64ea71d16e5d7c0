// UsageClient against a local HTTP server that answers like BEC: success, BCE error bodies,
// an expired signature followed by success, long ranges in chunks, aborts, proxy and
// signing modes, and an injected fetch. Signatures are checked with Baidu's own JS SDK
// (@baiducloud/sdk's Auth), an implementation independent of ours.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, beforeEach, test } from "node:test";
import { loadPackage } from "../lib/package.mjs";
import { listen, usageBody } from "../lib/servers.mjs";

const require = createRequire(import.meta.url);
const BaiduAuth = require("@baiducloud/sdk/src/auth.js");

const CREDENTIALS = { accessKeyId: "test-access-key-id", secretAccessKey: "test-secret-access-key" };
/** The client's clock in these tests. */
const CLIENT_NOW = new Date("2024-03-01T10:00:00Z");
const fixedClock = () => new Date(CLIENT_NOW);

let api;
let bec;

/** A fake BEC: records each request, answers with `bec.handle(request, response)`. */
async function becServer() {
  const state = { requests: [], inFlight: 0, maxInFlight: 0, handle: answerUsage };
  const listening = await listen(async (request, response) => {
    const url = new URL(request.url, "http://localhost");
    const record = {
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      search: url.search,
      headers: request.headers,
    };
    state.requests.push(record);
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    response.on("close", () => (state.inFlight -= 1));
    await state.handle(record, response);
  });
  return Object.assign(state, listening);
}

function answerUsage(request, response) {
  response.writeHead(200, { "content-type": "application/json;charset=UTF-8", "x-bce-request-id": "ok-request" });
  response.end(usageBody(request.query.beginDate, request.query.endDate));
}

function answerError(response, status, code, { headers = {}, requestId = "req-123" } = {}) {
  response.writeHead(status, { "content-type": "application/json;charset=UTF-8", ...headers });
  response.end(JSON.stringify({ requestId, code, message: `${code} from the fake BEC` }));
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Authorization Baidu's JS SDK computes for a request this server received. */
function sdkAuthorization(request, secretAccessKey = CREDENTIALS.secretAccessKey) {
  const [, accessKeyId, timestamp, expiration, signedHeaders] = request.headers.authorization.split("/");
  const auth = new BaiduAuth(accessKeyId, secretAccessKey);
  const headers = { host: request.headers.host, "x-bce-date": request.headers["x-bce-date"] };
  return auth.generateAuthorization(
    request.method,
    request.path,
    request.query,
    headers,
    Date.parse(timestamp) / 1000,
    Number(expiration),
    signedHeaders.split(";"),
  );
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected the promise to reject");
}

function assertBecUsageError(error, kind) {
  assert.ok(error instanceof Error, "a real Error");
  assert.equal(error.name, "BecUsageError");
  assert.equal(error.kind, kind, error.message);
  assert.ok(api.isBecUsageError(error));
  assert.match(error.stack, /BecUsageError/);
}

before(async () => {
  api = await loadPackage();
  bec = await becServer();
});

beforeEach(() => {
  bec.requests = [];
  bec.maxInFlight = 0;
  bec.handle = answerUsage;
});

after(() => bec.close());

test("through a signing proxy: no credentials, so no Authorization is sent", async () => {
  const client = new api.UsageClient({ endpoint: `${bec.origin}/` });
  const progress = [];
  const usage = await client.fetchUsage("2024-01-01", "2024-01-31", { onProgress: (p) => progress.push(p) });
  assert.equal(bec.requests.length, 1);
  const [request] = bec.requests;
  assert.equal(request.method, "GET");
  assert.equal(request.path, "/v1/usage/computing");
  assert.equal(request.search, "?beginDate=2024-01-01&endDate=2024-01-31");
  assert.equal(request.headers.authorization, undefined);
  assert.equal(request.headers["x-bce-date"], undefined);
  assert.ok(usage instanceof api.Usage);
  assert.equal(usage.accountId, "test-account");
  assert.deepEqual(usage.timeSpan, { beginDate: "2024-01-01", endDate: "2024-01-31" });
  assert.equal(usage.resource("CPU").pointCount, 31);
  assert.deepEqual(progress, [{ completed: 1, total: 1, range: { beginDate: "2024-01-01", endDate: "2024-01-31", days: 31 } }]);
  usage.free();
});

test("with credentials: signs for the endpoint's host, and Baidu's SDK agrees", async () => {
  const client = new api.UsageClient({ endpoint: bec.origin, credentials: CREDENTIALS, now: fixedClock });
  const usage = await client.fetchUsage("2024-02-01", "2024-02-10");
  const [request] = bec.requests;
  assert.equal(request.headers.host, `127.0.0.1:${bec.port}`);
  assert.equal(request.headers["x-bce-date"], "2024-03-01T10:00:00Z");
  assert.match(
    request.headers.authorization,
    /^bce-auth-v1\/test-access-key-id\/2024-03-01T10:00:00Z\/1800\/host;x-bce-date\/[0-9a-f]{64}$/,
  );
  assert.equal(request.headers.authorization, sdkAuthorization(request));
  assert.equal(usage.resource("EIP").pointCount, 10);
  usage.free();
});

test("a BCE error body rejects with a Service error carrying code, requestId and status", async () => {
  bec.handle = (request, response) => answerError(response, 403, "AccessDenied", { requestId: "req-denied" });
  const client = new api.UsageClient({ endpoint: bec.origin, credentials: CREDENTIALS, now: fixedClock });
  const error = await rejection(client.fetchUsage("2024-01-01", "2024-01-02"));
  assertBecUsageError(error, "Service");
  assert.equal(error.code, "AccessDenied");
  assert.equal(error.requestId, "req-denied");
  assert.equal(error.status, 403);
  assert.match(error.message, /403 AccessDenied: AccessDenied from the fake BEC \(request id req-denied\)/);
  // A signing client shows what it signed, for SignatureDoesNotMatch and the like.
  assert.match(error.canonicalRequest, /^GET\n\/v1\/usage\/computing\nbeginDate=2024-01-01&endDate=2024-01-02\nhost:127\.0\.0\.1%3A\d+\nx-bce-date:/);
  assert.equal(bec.requests.length, 1, "an AccessDenied is not retried");
});

test("the request id comes from x-bce-request-id when the body has none", async () => {
  bec.handle = (request, response) =>
    answerError(response, 403, "SignatureDoesNotMatch", { requestId: "", headers: { "x-bce-request-id": "from-header" } });
  const client = new api.UsageClient({ endpoint: bec.origin });
  const error = await rejection(client.fetchUsage("2024-01-01", "2024-01-02"));
  assertBecUsageError(error, "Service");
  assert.equal(error.code, "SignatureDoesNotMatch");
  assert.equal(error.requestId, "from-header");
  assert.equal(error.canonicalRequest, undefined, "a proxy client signed nothing");
});

test("an answer that is not a BCE error rejects with an Http error", async () => {
  bec.handle = (request, response) => {
    response.writeHead(502, { "content-type": "text/html" });
    response.end("<html><body>Bad Gateway</body></html>");
  };
  const client = new api.UsageClient({ endpoint: bec.origin });
  const error = await rejection(client.fetchUsage("2024-01-01", "2024-01-02"));
  assertBecUsageError(error, "Http");
  assert.equal(error.status, 502);
  assert.equal(error.code, undefined);
  assert.match(error.message, /HTTP 502.*Bad Gateway/);
  assert.equal(bec.requests.length, 3, "a 5xx is tried twice more (the core's fetch plan)");
});

test("a 503 is tried again after a backoff, and the retry's data is the answer", async () => {
  bec.handle = (request, response) => {
    if (bec.requests.length === 1) answerError(response, 503, "ServiceUnavailable");
    else answerUsage(request, response);
  };
  const client = new api.UsageClient({ endpoint: bec.origin, credentials: CREDENTIALS, now: fixedClock });
  const usage = await client.fetchUsage("2024-01-01", "2024-01-03");
  assert.equal(usage.resource("CPU").pointCount, 3);
  usage.free();
  assert.equal(bec.requests.length, 2);
});

test("the proxy's own UpstreamUnavailable is not retried again: the proxy has retried", async () => {
  bec.handle = (request, response) => answerError(response, 502, "UpstreamUnavailable");
  const client = new api.UsageClient({ endpoint: bec.origin });
  const error = await rejection(client.fetchUsage("2024-01-01", "2024-01-02"));
  assertBecUsageError(error, "Service");
  assert.equal(error.code, "UpstreamUnavailable");
  assert.match(error.message, /try again in a moment$/);
  assert.equal(bec.requests.length, 1);
});

test("RequestExpired then success: exactly one re-signed request, with the server's Date, and that clock is kept", async () => {
  const serverDate = "Tue, 05 Mar 2024 03:04:05 GMT";
  bec.handle = (request, response) => {
    if (request.headers["x-bce-date"] !== "2024-03-05T03:04:05Z") {
      answerError(response, 400, "RequestExpired", { headers: { date: serverDate } });
    } else {
      answerUsage(request, response);
    }
  };
  const client = new api.UsageClient({ endpoint: bec.origin, credentials: CREDENTIALS, now: fixedClock });
  const usage = await client.fetchUsage("2024-01-01", "2024-01-05");
  assert.equal(usage.resource("CPU").pointCount, 5);
  usage.free();
  assert.equal(bec.requests.length, 2);
  const [first, retry] = bec.requests;
  assert.equal(first.headers["x-bce-date"], "2024-03-01T10:00:00Z");
  assert.equal(retry.headers["x-bce-date"], "2024-03-05T03:04:05Z");
  assert.match(retry.headers.authorization, /^bce-auth-v1\/test-access-key-id\/2024-03-05T03:04:05Z\/1800\//);
  assert.equal(retry.headers.authorization, sdkAuthorization(retry));

  // The next call signs with the learnt offset straight away: one request.
  const again = await client.fetchUsage("2024-01-06", "2024-01-07");
  again.free();
  assert.equal(bec.requests.length, 3);
  assert.equal(bec.requests[2].headers["x-bce-date"], "2024-03-05T03:04:05Z");
});

test("RequestTimeTooSkewed twice: one retry only, then the Service error", async () => {
  bec.handle = (request, response) =>
    answerError(response, 403, "RequestTimeTooSkewed", { headers: { date: "Wed, 06 Mar 2024 00:00:00 GMT" } });
  const client = new api.UsageClient({ endpoint: bec.origin, credentials: CREDENTIALS, now: fixedClock });
  const error = await rejection(client.fetchUsage("2024-01-01", "2024-01-02"));
  assertBecUsageError(error, "Service");
  assert.equal(error.code, "RequestTimeTooSkewed");
  assert.equal(bec.requests.length, 2);
  assert.equal(bec.requests[1].headers["x-bce-date"], "2024-03-06T00:00:00Z");
});

test("RequestExpired through a proxy is not retried: the proxy signs", async () => {
  bec.handle = (request, response) =>
    answerError(response, 400, "RequestExpired", { headers: { date: "Wed, 06 Mar 2024 00:00:00 GMT" } });
  const client = new api.UsageClient({ endpoint: bec.origin });
  const error = await rejection(client.fetchUsage("2024-01-01", "2024-01-02"));
  assert.equal(error.code, "RequestExpired");
  assert.equal(bec.requests.length, 1);
});

test("a 60-day range is fetched as two chunks and merged exactly", async () => {
  bec.handle = async (request, response) => {
    await delay(30);
    answerUsage(request, response);
  };
  const client = new api.UsageClient({ endpoint: bec.origin, credentials: CREDENTIALS, now: fixedClock });
  const progress = [];
  const usage = await client.fetchUsage("2024-01-01", "2024-02-29", { onProgress: (p) => progress.push(p) });
  assert.deepEqual(bec.requests.map((r) => r.search).sort(), [
    "?beginDate=2024-01-01&endDate=2024-01-31",
    "?beginDate=2024-02-01&endDate=2024-02-29",
  ]);
  for (const request of bec.requests) assert.equal(request.headers.authorization, sdkAuthorization(request));
  assert.equal(bec.maxInFlight, 2, "both chunks in flight at once");
  assert.deepEqual(progress.map((p) => [p.completed, p.total]), [[1, 2], [2, 2]]);
  assert.deepEqual(progress.map((p) => p.range.beginDate).sort(), ["2024-01-01", "2024-02-01"]);
  assert.deepEqual(usage.timeSpan, { beginDate: "2024-01-01", endDate: "2024-02-29" });
  const cpu = usage.resource("CPU");
  assert.equal(cpu.pointCount, 60);
  assert.deepEqual([...cpu.timestamps], [...cpu.timestamps].sort((a, b) => a - b));
  const cpuStats = usage.stats().find((s) => s.resource === "CPU").stats;
  assert.equal(cpuStats.sum, "6.0", "60 × 0.1 exactly (a float sum gives 5.999999999999999)");
  assert.equal(cpuStats.mean, "0.1");
  assert.equal(Object.keys(usage.summary()).length, 60);
  usage.free();
});

test("chunks are fetched with bounded concurrency", async () => {
  bec.handle = async (request, response) => {
    await delay(20);
    answerUsage(request, response);
  };
  const client = new api.UsageClient({ endpoint: bec.origin, concurrency: 2 });
  const usage = await client.fetchUsage("2024-01-01", "2024-04-09"); // 100 days: 31 + 31 + 31 + 7
  assert.equal(bec.requests.length, 4);
  assert.equal(bec.maxInFlight, 2);
  assert.equal(usage.resource("EIP").pointCount, 100);
  usage.free();
});

test("one failing chunk rejects the call and aborts the chunks in flight", async () => {
  bec.handle = (request, response) => {
    if (request.query.beginDate === "2024-02-01") answerError(response, 403, "AccessDenied");
    // Every other chunk hangs: only an abort ends it.
  };
  const client = new api.UsageClient({ endpoint: bec.origin });
  const error = await rejection(client.fetchUsage("2024-01-01", "2024-04-09"));
  assertBecUsageError(error, "Service");
  assert.equal(error.code, "AccessDenied");
});

test("an AbortSignal aborts the requests in flight and rejects with its reason", async () => {
  let arrived;
  const requestArrived = new Promise((resolve) => (arrived = resolve));
  bec.handle = () => arrived(); // never answers
  const client = new api.UsageClient({ endpoint: bec.origin });
  const controller = new AbortController();
  const pending = client.fetchUsage("2024-01-01", "2024-01-31", { signal: controller.signal });
  await requestArrived;
  const reason = new DOMException("the user went away", "AbortError");
  controller.abort(reason);
  assert.equal(await rejection(pending), reason);
});

test("an already aborted signal rejects without a request", async () => {
  const client = new api.UsageClient({ endpoint: bec.origin });
  const error = await rejection(client.fetchUsage("2024-01-01", "2024-01-31", { signal: AbortSignal.abort() }));
  assert.equal(error.name, "AbortError");
  assert.equal(bec.requests.length, 0);
});

test("an injected fetch is used, and signs for bec.baidubce.com by default", async () => {
  const calls = [];
  const fakeFetch = async (url, init) => {
    calls.push({ url, init });
    const query = Object.fromEntries(new URL(url).searchParams);
    return new Response(usageBody(query.beginDate, query.endDate), { status: 200 });
  };
  const client = new api.UsageClient({
    endpoint: "https://bec.baidubce.com",
    credentials: CREDENTIALS,
    fetch: fakeFetch,
    now: fixedClock,
  });
  const usage = await client.fetchUsage("2024-01-01", "2024-01-03");
  usage.free();
  assert.equal(calls.length, 1);
  const [{ url, init }] = calls;
  assert.equal(url, "https://bec.baidubce.com/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-03");
  assert.equal(init.method, "GET");
  assert.ok(init.signal instanceof AbortSignal);
  assert.deepEqual(Object.keys(init.headers).sort(), ["authorization", "x-bce-date"]);
  const request = {
    method: "GET",
    path: "/v1/usage/computing",
    query: { beginDate: "2024-01-01", endDate: "2024-01-03" },
    headers: { host: "bec.baidubce.com", ...init.headers },
  };
  assert.equal(init.headers.authorization, sdkAuthorization(request));
});

test("a relaying proxy on the page's origin gets requests signed for bec.baidubce.com", async () => {
  const calls = [];
  const fakeFetch = async (url, init) => {
    calls.push({ url, init });
    return new Response(usageBody("2024-01-01", "2024-01-01"), { status: 200 });
  };
  const client = new api.UsageClient({ endpoint: "", credentials: CREDENTIALS, fetch: fakeFetch, now: fixedClock });
  (await client.fetchUsage("2024-01-01", "2024-01-01")).free();
  assert.equal(calls[0].url, "/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-01");
  const request = {
    method: "GET",
    path: "/v1/usage/computing",
    query: { beginDate: "2024-01-01", endDate: "2024-01-01" },
    headers: { host: "bec.baidubce.com", ...calls[0].init.headers },
  };
  assert.equal(calls[0].init.headers.authorization, sdkAuthorization(request));
});

test("an unreachable endpoint rejects with a Network error with the cause", async () => {
  const closed = await listen(() => {});
  await closed.close();
  const client = new api.UsageClient({ endpoint: closed.origin });
  const error = await rejection(client.fetchUsage("2024-01-01", "2024-01-02"));
  assertBecUsageError(error, "Network");
  assert.ok(error.cause instanceof Error);
  assert.match(error.message, new RegExp(`GET ${closed.origin}/v1/usage/computing`));
});

test("a 200 answer that is not a usage response rejects with the parser's error", async () => {
  bec.handle = (request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end('{"accountId":"a","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-02"},"graphData":{"CPU":{"count":1,"unit":"核","dataList":[{"amount":"lots","timestamp":1}]}},"summary":{}}');
  };
  const client = new api.UsageClient({ endpoint: bec.origin });
  const error = await rejection(client.fetchUsage("2024-01-01", "2024-01-02"));
  assertBecUsageError(error, "InvalidAmount");
  assert.equal(error.path, "graphData.CPU.dataList[0].amount");
});

test("invalid dates reject before any request, naming the field", async () => {
  const client = new api.UsageClient({ endpoint: bec.origin });
  const reversed = await rejection(client.fetchUsage("2024-02-01", "2024-01-01"));
  assertBecUsageError(reversed, "RangeReversed");
  const badFormat = await rejection(client.fetchUsage("2024-1-1", "2024-01-31"));
  assertBecUsageError(badFormat, "DateFormat");
  assert.equal(badFormat.field, "beginDate");
  const tooLong = await rejection(client.fetchUsage("2024-01-01", "2025-01-01"));
  assertBecUsageError(tooLong, "RangeTooLong");
  assert.match(tooLong.message, /367 days, but one load covers at most 366/);
  assert.equal(bec.requests.length, 0);
});

test("bad options are refused at construction, never echoing a secret", () => {
  assert.throws(() => new api.UsageClient({}), (error) => error.kind === "InvalidArgument" && error.field === "endpoint");
  assert.throws(
    () => new api.UsageClient({ endpoint: "ftp://example.com" }),
    (error) => error.kind === "InvalidArgument" && /ftp:\/\/example\.com/.test(error.message),
  );
  assert.throws(
    () => new api.UsageClient({ endpoint: "", concurrency: 0 }),
    (error) => error.kind === "InvalidArgument" && error.field === "concurrency",
  );
  assert.throws(
    () => new api.UsageClient({ endpoint: "", credentials: { accessKeyId: "AK", secretAccessKey: " " } }),
    (error) =>
      api.isBecUsageError(error) &&
      error.kind === "InvalidCredentials" &&
      error.field === "secretAccessKey" &&
      !("value" in error),
  );
});
