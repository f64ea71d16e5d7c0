// The hand-written JavaScript layer of the npm package bec-usage, around the WebAssembly
// exports of the core: the fetch client `UsageClient`, `isBecUsageError` and `version`.
//
// Written once, as an ES module with no imports: each entry point (index.mjs for browsers
// and bundlers, node.mjs for Node, which also becomes index.cjs for `require`) loads the
// wasm its own way and hands the initialised exports to `createApi`; scripts/build-npm.sh
// bundles each entry with this file and the glue. The types are index.d.ts.
//
// Everything that is pure (signing, date validation, splitting, parsing, merging, error
// bodies) is the Rust core's; this file only does what needs `fetch`, promises and
// `AbortSignal`.

/** The service's host, signed for when requests are relayed through a proxy. */
const SERVICE_HOST = "bec.baidubce.com";
/** The path of the usage API, on the service and on a proxy alike. */
const USAGE_PATH = "/v1/usage/computing";
const DEFAULT_CONCURRENCY = 4;
/** How much of an unexpected answer's body an `Http` error quotes. */
const BODY_EXCERPT_CHARS = 200;

/**
 * An error of this package: a real `Error` (stack, message) named `BecUsageError`, with a
 * `kind` and, where known, more fields. Fields that are `undefined` are left out, so
 * `"code" in error` says whether there is one.
 */
function becUsageError(kind, message, fields = {}, cause = undefined) {
  const error = cause === undefined ? new Error(message) : new Error(message, { cause });
  error.name = "BecUsageError";
  error.kind = kind;
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null) error[key] = value;
  }
  return error;
}

/** Whether `error` is an error thrown by this package (by the wasm core or by this layer). */
export function isBecUsageError(error) {
  return error instanceof Error && error.name === "BecUsageError" && typeof error.kind === "string";
}

/** Resolves after `ms` milliseconds, or rejects with the signal's reason when it aborts first. */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
  });
}

function invalidArgument(field, message, value) {
  return becUsageError("InvalidArgument", message, { field, value });
}

/**
 * Splits the endpoint into the base URL requests are sent under and the host signed by
 * default. Absolute `http(s)://` endpoints keep their host; `""`, `"/"` and other paths
 * starting with `/` are the page's own origin, a proxy that relays to the service.
 */
function parseEndpoint(endpoint) {
  if (typeof endpoint !== "string") {
    throw invalidArgument(
      "endpoint",
      'UsageClient needs an endpoint: the service ("https://bec.baidubce.com") or a proxy ("https://dashboard.example.com", or "" for the page\'s own origin)',
      String(endpoint),
    );
  }
  const trimmed = endpoint.trim().replace(/\/+$/, "");
  if (trimmed === "" || trimmed.startsWith("/")) {
    return { base: trimmed, defaultSigningHost: SERVICE_HOST };
  }
  let url;
  try {
    url = new URL(trimmed);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.search || url.hash) {
    throw invalidArgument(
      "endpoint",
      `the endpoint ${JSON.stringify(endpoint)} is not an http(s) URL without query or fragment, nor a path on the page's origin; write e.g. "https://bec.baidubce.com"`,
      endpoint,
    );
  }
  return { base: `${url.origin}${url.pathname.replace(/\/+$/, "")}`, defaultSigningHost: url.host };
}

function checkCredentials(credentials) {
  if (credentials === undefined || credentials === null) return null;
  const { accessKeyId, secretAccessKey } = credentials;
  if (typeof accessKeyId !== "string" || accessKeyId.trim() === "") {
    throw becUsageError(
      "InvalidCredentials",
      "credentials.accessKeyId is missing or empty; give the access key id of the key pair, or leave credentials out to go through a signing proxy",
      { field: "accessKeyId" },
    );
  }
  if (typeof secretAccessKey !== "string" || secretAccessKey.trim() === "") {
    // The value is a secret: it is never put into an error.
    throw becUsageError(
      "InvalidCredentials",
      "credentials.secretAccessKey is missing or empty; give the secret access key of the key pair",
      { field: "secretAccessKey" },
    );
  }
  return Object.freeze({ accessKeyId, secretAccessKey });
}

// signRequest, the JavaScript half: the option types are checked here (with the messages
// the other functions' checks in the wasm write: "signRequest: method must be a string, not
// a number"), and the options are packed into one text for the wasm half (src/js/signing.rs
// documents the format and why). Each item is `<length>:<text>`, the length in UTF-16 code
// units, so any text fits. Every check of a value (keys, method, host, path, headers,
// times) is the core's.
const SIGN = "signRequest";
const TIME_EXPECTED = "a Date, an ISO 8601 string with a zone (2024-01-31T08:00:00Z) or epoch seconds";

/** What a value is, in the words of the error messages ("a number", "null", ...). */
function describe(value) {
  if (value === null) return "null";
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "bigint":
      return "a bigint";
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    default:
      return Array.isArray(value) ? "an array" : "an object";
  }
}

function wrongType(field, expected, value) {
  const described = describe(value);
  return invalidArgument(field, `${SIGN}: ${field} must be ${expected}, not ${described}`, described);
}

/** One packed item. */
const item = (text) => text.length + ":" + text;

/** A string option, packed. */
function packString(options, field) {
  const value = options[field];
  if (typeof value !== "string") throw wrongType(field, "a string", value);
  return item(value);
}

/** A `Record<string, string>` option (`query`, `headers`), packed: its count, then names and values. */
function packRecord(field, record) {
  if (record === undefined || record === null) return item("0");
  if (typeof record !== "object" || Array.isArray(record)) throw wrongType(field, "an object of strings", record);
  let text = "";
  let count = 0;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (typeof value !== "string") {
      throw invalidArgument(field, `${SIGN}: ${field}["${name}"] must be a string, not ${describe(value)}`, name);
    }
    text += item(name) + item(value);
    count += 1;
  }
  return item(String(count)) + text;
}

/** The signing time, packed: `s` and whole epoch seconds (floored), or `i` and ISO text for the core to read. */
function packTime(timestamp) {
  if (typeof timestamp === "number") return item("s" + Math.floor(timestamp));
  if (typeof timestamp === "string") return item("i" + timestamp);
  if (timestamp instanceof Date) {
    const millis = timestamp.getTime();
    if (Number.isNaN(millis)) {
      throw invalidArgument("timestamp", `${SIGN}: timestamp is an invalid Date; give ${TIME_EXPECTED}`, "Invalid Date");
    }
    return item("s" + Math.floor(millis / 1000));
  }
  throw wrongType("timestamp", TIME_EXPECTED, timestamp);
}

/** The options of signRequest, checked and packed; the host is kept for the result's headers. */
let packedHost = "";
function packSignOptions(options) {
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw wrongType("options", "an object", options);
  let packed = packString(options, "accessKeyId") + packString(options, "secretAccessKey") + packString(options, "method");
  const host = options.host;
  packed += packString(options, "host") + packString(options, "path");
  const query = packRecord("query", options.query);
  const headers = packRecord("headers", options.headers);
  packed += packTime(options.timestamp);
  const expirationSeconds = options.expirationSeconds;
  if (expirationSeconds === undefined || expirationSeconds === null) {
    packed += item("");
  } else if (typeof expirationSeconds !== "number") {
    throw wrongType("expirationSeconds", "a number", expirationSeconds);
  } else if (!Number.isInteger(expirationSeconds) || expirationSeconds < 1 || expirationSeconds > 4294967295) {
    throw invalidArgument(
      "expirationSeconds",
      `${SIGN}: expirationSeconds must be a whole number of seconds from 1 to 4294967295, not ${expirationSeconds}`,
      String(expirationSeconds),
    );
  } else {
    packed += item(String(expirationSeconds));
  }
  packed += query + headers;
  const headersToSign = options.headersToSign;
  if (headersToSign === undefined || headersToSign === null) {
    packed += item("");
  } else if (!Array.isArray(headersToSign)) {
    throw wrongType("headersToSign", "an array of header names", headersToSign);
  } else {
    packed += item(String(headersToSign.length));
    for (const name of headersToSign) {
      if (typeof name !== "string") throw wrongType("headersToSign", "an array of strings", name);
      packed += item(name);
    }
  }
  packedHost = host;
  return packed;
}

/** Builds the public API of the package around the initialised wasm exports. */
export function createApi(wasm, memory) {
  const { validateRange, splitRange, parseUsage, mergeUsage, parseServiceError, Usage } = wasm;
  // The core's fetch plan (src/fetch_plan.rs), shared with the dashboard and the proxy: the
  // chunks of a load, what to do after each attempt, the server's clock, the hints.
  const { planRange, FetchAttempts, clockOffsetMs, errorHint } = wasm;

  // signRequest's buffers in the wasm memory: the packed options are encoded straight into
  // the input buffer and the result is decoded straight out of the output (src/js/signing.rs).
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let inputAddress = 0;
  let inputCapacity = 0;
  let memoryBytes = new Uint8Array(0);
  /** The wasm memory's bytes; a new view after the memory grew (the old one is then empty). */
  const bytes = () => (memoryBytes.byteLength === 0 ? (memoryBytes = new Uint8Array(memory.buffer)) : memoryBytes);

  function signRequest(options) {
    const packed = packSignOptions(options);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (3 * packed.length > inputCapacity) {
      inputCapacity = Math.max(3 * packed.length, 1024);
      inputAddress = wasm.signInput(inputCapacity);
    }
    const { written } = encoder.encodeInto(packed, bytes().subarray(inputAddress, inputAddress + inputCapacity));
    const address = wasm.signBuffered(written);
    const view = bytes();
    const length = view[address] | (view[address + 1] << 8) | (view[address + 2] << 16) | (view[address + 3] << 24);
    const text = decoder.decode(view.subarray(address + 4, address + 4 + length));
    // Sliced at the NULs found with indexOf: about 0.2 µs less than split and destructuring.
    const end1 = text.indexOf("\0");
    const end2 = text.indexOf("\0", end1 + 1);
    const end3 = text.indexOf("\0", end2 + 1);
    const end4 = text.indexOf("\0", end3 + 1);
    const end5 = text.indexOf("\0", end4 + 1);
    const authorization = text.slice(0, end1);
    return {
      authorization,
      canonicalRequest: text.slice(end1 + 1, end2),
      signedHeaders: text.slice(end5 + 1).split(";"),
      headers: { authorization, host: packedHost, "x-bce-date": text.slice(end2 + 1, end3) },
      path: text.slice(end3 + 1, end4),
      queryString: text.slice(end4 + 1, end5),
    };
  }
  const version = wasm.version();

  /** The error for a non-2xx answer: `Service` for a BCE error body, `Http` otherwise. */
  function answerError(response, body, url, signed) {
    const service = parseServiceError(response.status, body, response.headers.get("x-bce-request-id"));
    if (service) {
      const hint = errorHint(service.code);
      const requestId = service.requestId ? ` (request id ${service.requestId})` : "";
      return becUsageError(
        "Service",
        `BEC refused the request with HTTP ${service.status} ${service.code}: ${service.message || "(no message)"}${requestId}${hint ? `; ${hint}` : ""}`,
        {
          code: service.code,
          requestId: service.requestId,
          status: service.status,
          canonicalRequest: signed?.canonicalRequest,
        },
      );
    }
    const excerpt = body.length > BODY_EXCERPT_CHARS ? `${body.slice(0, BODY_EXCERPT_CHARS)}…` : body;
    return becUsageError(
      "Http",
      `GET ${url} answered HTTP ${response.status} ${response.statusText || ""}`.trimEnd() +
        ` without a BCE error body${excerpt ? `: ${JSON.stringify(excerpt)}` : ""}; check the endpoint (and the proxy, if there is one)`,
      { status: response.status, requestId: response.headers.get("x-bce-request-id") ?? undefined },
    );
  }

  /** Fetches usage from the service or a proxy. */
  class UsageClient {
    #base;
    #credentials;
    #signingHost;
    #fetch;
    #concurrency;
    #now;
    /** Server time minus local time, learnt from a `RequestExpired`/`RequestTimeTooSkewed` answer. */
    #clockOffsetMs = 0;

    constructor(options) {
      if (options === null || typeof options !== "object") {
        throw invalidArgument("options", "new UsageClient(options) needs an options object with at least an endpoint");
      }
      const { base, defaultSigningHost } = parseEndpoint(options.endpoint);
      this.#base = base;
      this.#credentials = checkCredentials(options.credentials);
      if (options.signingHost !== undefined && (typeof options.signingHost !== "string" || options.signingHost === "")) {
        throw invalidArgument("signingHost", "signingHost must be a host name such as \"bec.baidubce.com\"", String(options.signingHost));
      }
      this.#signingHost = options.signingHost ?? defaultSigningHost;
      const fetchImpl = options.fetch ?? globalThis.fetch;
      if (typeof fetchImpl !== "function") {
        throw invalidArgument("fetch", "there is no fetch here (Node.js 18 or newer has one); pass options.fetch");
      }
      this.#fetch = fetchImpl;
      const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw invalidArgument("concurrency", "concurrency must be a whole number of at least 1", String(concurrency));
      }
      this.#concurrency = concurrency;
      const now = options.now ?? (() => new Date());
      if (typeof now !== "function") {
        throw invalidArgument("now", "now must be a function returning a Date");
      }
      this.#now = now;
    }

    async fetchUsage(beginDate, endDate, options = {}) {
      const { signal, onProgress } = options ?? {};
      if (signal?.aborted) throw signal.reason;
      const ranges = planRange(beginDate, endDate);

      // One controller for every request of this call: the caller's signal aborts it, and
      // so does the first failing chunk, so that nothing keeps running after we reject.
      const controller = new AbortController();
      const relayAbort = () => controller.abort(signal.reason);
      signal?.addEventListener("abort", relayAbort, { once: true });

      const parts = new Array(ranges.length);
      let next = 0;
      let completed = 0;
      let failure = null;
      const worker = async () => {
        while (next < ranges.length && failure === null) {
          const index = next++;
          parts[index] = await this.#fetchRange(ranges[index], controller.signal);
          completed += 1;
          onProgress?.({ completed, total: ranges.length, range: ranges[index] });
        }
      };
      const fail = (error) => {
        if (failure === null) failure = { error };
        controller.abort();
      };
      try {
        const workers = Math.min(this.#concurrency, ranges.length);
        await Promise.all(Array.from({ length: workers }, () => worker().catch(fail)));
      } finally {
        signal?.removeEventListener("abort", relayAbort);
      }

      if (failure !== null) {
        for (const part of parts) part?.free();
        throw signal?.aborted ? signal.reason : failure.error;
      }
      if (parts.length === 1) return parts[0];
      try {
        return mergeUsage(parts);
      } finally {
        for (const part of parts) part.free();
      }
    }

    /**
     * One chunk, attempted as the core's fetch plan says: connection errors and 5xx again
     * after a backoff, a clock refusal of a signing client signed again once with the
     * server's `Date` (the offset is kept for later requests).
     */
    async #fetchRange(range, signal) {
      const attempts = new FetchAttempts(this.#credentials !== null);
      try {
        for (;;) {
          const request = this.#prepare(range);
          let step;
          let error;
          try {
            const { response, body } = await this.#send(request, signal);
            if (response.ok) return parseUsage(body);
            error = answerError(response, new TextDecoder().decode(body), request.url, request.signed);
            step = attempts.next(response.status, error.code, Math.random());
            if (step === "resign") {
              const offset = clockOffsetMs(response.headers.get("date") ?? "", this.#now().getTime());
              // Without the server's Date, signing again would give the same refusal.
              if (offset === undefined) throw error;
              this.#clockOffsetMs = offset;
              continue;
            }
          } catch (thrown) {
            if (signal.aborted || !isBecUsageError(thrown) || thrown.kind !== "Network") throw thrown;
            error = thrown;
            step = attempts.next(0, undefined, Math.random());
          }
          if (step === "answer") throw error;
          await sleep(step, signal);
        }
      } finally {
        attempts.free();
      }
    }

    /** The URL and headers of one chunk's request, signed when the client has keys. */
    #prepare(range) {
      const query = { beginDate: range.beginDate, endDate: range.endDate };
      if (!this.#credentials) {
        const search = new URLSearchParams(query).toString();
        return { url: `${this.#base}${USAGE_PATH}?${search}`, headers: {}, signed: null };
      }
      const timestamp = new Date(this.#now().getTime() + this.#clockOffsetMs);
      const signed = signRequest({
        accessKeyId: this.#credentials.accessKeyId,
        secretAccessKey: this.#credentials.secretAccessKey,
        method: "GET",
        host: this.#signingHost,
        path: USAGE_PATH,
        query,
        timestamp,
      });
      // `host` is left to the HTTP stack: browsers refuse to set it, and it is the URL's.
      const headers = {
        authorization: signed.headers.authorization,
        "x-bce-date": signed.headers["x-bce-date"],
      };
      return { url: `${this.#base}${signed.path}?${signed.queryString}`, headers, signed };
    }

    /**
     * Sends a request and reads the whole body as UTF-8 bytes (parseUsage reads them without
     * a detour through a string); network failures become `Network` errors.
     */
    async #send(request, signal) {
      const fetchImpl = this.#fetch; // called without a receiver: window.fetch refuses a foreign `this`
      try {
        const response = await fetchImpl(request.url, { method: "GET", headers: request.headers, signal });
        return { response, body: new Uint8Array(await response.arrayBuffer()) };
      } catch (cause) {
        if (signal.aborted) throw signal.reason;
        throw becUsageError(
          "Network",
          `GET ${request.url} failed before an answer arrived (${cause?.message ?? cause}); check the endpoint, the network and, in a browser, CORS`,
          {},
          cause,
        );
      }
    }
  }

  return Object.freeze({
    signRequest,
    validateRange,
    splitRange,
    parseUsage,
    mergeUsage,
    parseServiceError,
    Usage,
    UsageClient,
    isBecUsageError,
    version,
  });
}
