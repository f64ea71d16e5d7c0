// signRequest, the wasm export (src/js/signing.rs) that reads the options object, checks
// their types and signs: the results equal Baidu's SDK for every kind of input, and errors
// name the option, whether the type check or the core finds them.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { loadPackage } from "../lib/package.mjs";

const api = await loadPackage();
const BaiduAuth = createRequire(import.meta.url)("@baiducloud/sdk/src/auth.js");

const base = {
  accessKeyId: "0123456789abcdef0123456789abcdef",
  secretAccessKey: "fedcba9876543210fedcba9876543210",
  method: "GET",
  host: "bec.baidubce.com",
  path: "/v1/usage/computing",
  query: { beginDate: "2024-01-01", endDate: "2024-01-31" },
  timestamp: 1709287200,
};

/** Baidu's JS SDK's Authorization for `options` (host and x-bce-date signed). */
function sdkAuthorization(options, seconds) {
  const auth = new BaiduAuth(options.accessKeyId, options.secretAccessKey);
  const date = new Date(seconds * 1000).toISOString().replace(".000", "");
  const headers = { host: options.host, "x-bce-date": date };
  return auth.generateAuthorization(options.method, options.path, options.query, headers, seconds, 1800, ["host", "x-bce-date"]);
}

test("signs as Baidu's SDK does, for the same and for fresh times and keys", () => {
  for (let i = 0; i < 6; i += 1) {
    const seconds = 1709287200 + (i >> 1); // each time twice: the cached signing key, then a new one
    const options = { ...base, timestamp: seconds, secretAccessKey: i === 5 ? "another-secret" : base.secretAccessKey };
    const signed = api.signRequest(options);
    assert.equal(signed.authorization, sdkAuthorization(options, seconds));
    assert.deepEqual(signed.signedHeaders, ["host", "x-bce-date"]);
    assert.deepEqual(Object.keys(signed), ["authorization", "canonicalRequest", "signedHeaders", "headers", "path", "queryString"]);
    assert.deepEqual(signed.headers, {
      authorization: signed.authorization,
      host: "bec.baidubce.com",
      "x-bce-date": new Date(seconds * 1000).toISOString().replace(".000", ""),
    });
    assert.equal(signed.queryString, "beginDate=2024-01-01&endDate=2024-01-31");
    assert.equal(signed.path, "/v1/usage/computing");
  }
});

test("every kind of timestamp, headers and headersToSign sign as documented", () => {
  const expected = api.signRequest(base).authorization;
  for (const timestamp of [1709287200.9, new Date(1709287200_500), "2024-03-01T18:00:00+08:00", "2024-03-01T10:00:00.25Z"]) {
    assert.equal(api.signRequest({ ...base, timestamp }).authorization, expected, String(timestamp));
  }
  // A NUL in a query value is signed (it is only a header value that may not hold one), and
  // text of several UTF-16 units per character is encoded by its UTF-8 bytes.
  const withNul = api.signRequest({ ...base, query: { a: "x\u0000y" } });
  assert.match(withNul.queryString, /^a=x%00y$/);
  const wide = api.signRequest({ ...base, query: { "名": "😀é", z: "" } });
  assert.equal(wide.queryString, "%E5%90%8D=%F0%9F%98%80%C3%A9&z=");
  const custom = api.signRequest({
    ...base,
    headers: { "Content-Type": "text/plain", "x-bce-meta": "v" },
    headersToSign: ["host", "content-type"],
    expirationSeconds: 60,
  });
  assert.deepEqual(custom.signedHeaders, ["content-type", "host"]);
  assert.match(custom.authorization, /\/60\/content-type;host\/[0-9a-f]{64}$/);
});

test("errors name the option, from the type checks and from the core", () => {
  const cases = [
    [{ ...base, method: 1 }, "InvalidArgument", "method"],
    [{ ...base, query: { n: 9 } }, "InvalidArgument", "query"],
    [{ ...base, timestamp: "yesterday" }, "InvalidArgument", "timestamp"],
    [{ ...base, timestamp: new Date(Number.NaN) }, "InvalidArgument", "timestamp"],
    [{ ...base, timestamp: 1e300 }, "InvalidArgument", "timestamp"],
    [{ ...base, expirationSeconds: 0.5 }, "InvalidArgument", "expirationSeconds"],
    [{ ...base, host: "a/b" }, "InvalidSigningInput", "host"],
    [{ ...base, headers: { "x-bce-x": "a\u0000b" } }, "InvalidSigningInput", "headers"],
    [{ ...base, headersToSign: ["x-bce-date"] }, "InvalidSigningInput", "headersToSign"],
    [{ ...base, secretAccessKey: " s" }, "InvalidCredentials", "secretAccessKey"],
    [{ ...base, accessKeyId: "a/b", timestamp: "yesterday" }, "InvalidCredentials", "accessKeyId"],
  ];
  for (const [options, kind, field] of cases) {
    assert.throws(() => api.signRequest(options), (error) => {
      assert.equal(error.name, "BecUsageError");
      assert.equal(error.kind, kind, error.message);
      assert.equal(error.field, field, error.message);
      assert.ok(error.message.length > 20);
      assert.ok(!error.message.includes(" s\""), "the secret is not quoted");
      return true;
    });
  }
  assert.throws(() => api.signRequest(null), { name: "BecUsageError", kind: "InvalidArgument" });
  // The type checks write the messages the other functions' checks write.
  const messages = [
    [{ ...base, method: 1 }, "signRequest: method must be a string, not a number"],
    [[], "signRequest: options must be an object, not an array"],
    [{ ...base, query: [] }, "signRequest: query must be an object of strings, not an array"],
    [{ ...base, headers: { a: null } }, 'signRequest: headers["a"] must be a string, not null'],
    [{ ...base, headersToSign: ["host", 5] }, "signRequest: headersToSign must be an array of strings, not a number"],
    [{ ...base, expirationSeconds: "60" }, "signRequest: expirationSeconds must be a number, not a string"],
    [{ ...base, expirationSeconds: 0 }, "signRequest: expirationSeconds must be a whole number of seconds from 1 to 4294967295, not 0"],
    [{ ...base, timestamp: 1e300 }, "signRequest: timestamp 1e+300 is not a usable number of epoch seconds"],
    [{ ...base, timestamp: true }, "signRequest: timestamp must be a Date, an ISO 8601 string with a zone (2024-01-31T08:00:00Z) or epoch seconds, not a boolean"],
  ];
  for (const [options, message] of messages) {
    assert.throws(() => api.signRequest(options), (error) => {
      assert.equal(error.message, message);
      assert.ok(error instanceof Error && typeof error.stack === "string");
      return true;
    });
  }
});

// ---------------------------------------------------------------------------------------
// Generated requests against the SDK (the npm side of the differential test; the Python
// SDK's is crates/bec-usage/tests/integration/sdk_conformance.rs). A seeded generator, so a failure
// names a case that can be replayed.

/** A small deterministic generator (mulberry32). */
function generator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (items) => items[Math.floor(next() * items.length)];
  const text = (pool, max) => Array.from({ length: Math.floor(next() * (max + 1)) }, () => pick(pool)).join("");
  return { next, pick, text };
}

// Unreserved, reserved and percent characters, spaces, unicode of 2, 3 and 4 UTF-8 bytes.
const PIECES = ["a", "Z", "0", "-", "_", ".", "~", " ", "+", "/", "?", "#", "&", "=", "%", "*", "!", "'", "(", ")", ",", ";", ":", "@", "$", "[", "]", "é", "名", "😀", "%41"];
// The JS SDK signs the path and the query's names as given (its callers encode them first;
// the Python SDK encodes them itself and is the oracle for those): here they are made of
// unreserved characters, whose encoding is themselves. Values take every piece above.
const UNRESERVED = ["a", "Z", "0", "9", "-", "_", ".", "~"];

test("600 generated requests (values with unicode, reserved characters, empty) sign as the SDK does", () => {
  const random = generator(20241201);
  for (let n = 0; n < 600; n += 1) {
    const path = "/" + Array.from({ length: 1 + Math.floor(random.next() * 3) }, () => random.text(UNRESERVED, 6) || "v1").join("/");
    const query = {};
    const parameters = Math.floor(random.next() * 4);
    for (let i = 0; i < parameters; i += 1) {
      // The SDK takes an object: one value per name. Names are not "authorization" (the SDK
      // signs it; the service ignores it).
      const name = random.text(UNRESERVED, 5) || "n";
      if (name.toLowerCase() !== "authorization") query[name] = random.pick(["", random.text(PIECES, 8)]);
    }
    const seconds = 1_600_000_000 + Math.floor(random.next() * 200_000_000);
    const options = {
      ...base,
      accessKeyId: random.text(["a", "b", "0", "9"], 32) || "ak",
      secretAccessKey: random.text(["c", "d", "1", "8"], 32) || "sk",
      method: random.pick(["GET", "PUT", "POST", "DELETE"]),
      host: random.pick(["bec.baidubce.com", "127.0.0.1:8080", "bos.bj.baidubce.com"]),
      path,
      query,
      timestamp: seconds,
    };
    let ours;
    try {
      ours = api.signRequest(options).authorization;
    } catch (error) {
      throw new Error(`case ${n} was refused (${error.kind}: ${error.message}): ${JSON.stringify(options)}`);
    }
    assert.equal(ours, sdkAuthorization(options, seconds), `case ${n}: ${JSON.stringify(options)}`);
  }
});
