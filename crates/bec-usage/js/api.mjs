// The hand-written JavaScript layer of the npm package bec-usage, around the WebAssembly
// exports of the core: the fetch client `UsageClient`, `isBecUsageError` and `version`.
//
// Written once, as an ES module with no imports: core.mjs bundles it with the glue and the
// module, and each entry point (index.mjs, which also becomes index.cjs, and init.mjs)
// instantiates the module its own way and hands the initialised exports to `createApi`.
// The types are index.d.ts.
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
export function becUsageError(kind, message, fields = {}, cause = undefined) {
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

/** Builds the public API of the package around the initialised wasm exports. */
export function createApi(wasm) {
  // signRequest is the wasm export itself (src/js/signing.rs), as are the other pure functions.
  const { signRequest, validateRange, splitRange, parseUsage, mergeUsage, parseServiceError, Usage } = wasm;
  const { parsePriceSheet, writePriceSheet, roundMoney } = wasm;
  // The core's fetch plan (src/fetch_plan.rs), shared with the dashboard and the proxy: the
  // chunks of a load, what to do after each attempt, the server's clock, the hints.
  const { planRange, FetchAttempts, clockOffsetMs, errorHint } = wasm;
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
    parsePriceSheet,
    writePriceSheet,
    roundMoney,
    Usage,
    UsageClient,
    isBecUsageError,
    version,
  });
}
