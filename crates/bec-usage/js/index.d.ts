/**
 * bec-usage: Baidu AI Cloud BEC computing usage (`GET /v1/usage/computing`) for JavaScript
 * and TypeScript — exact models, validation, the BCE v1 signer, a fetch client and
 * analysis, compiled from Rust to WebAssembly.
 *
 * Amounts are exact decimals on the Rust side. They reach JavaScript two ways: as decimal
 * strings (exact, for display, export and arithmetic with a decimal library) and as
 * `Float64Array`s (approximate, for drawing).
 *
 * @packageDocumentation
 */

// `Symbol.dispose` for TypeScript projects whose `lib` lacks `esnext.disposable` (the
// same declaration as TypeScript's own, so the two merge). `using` itself needs that lib.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

// ---------------------------------------------------------------------------------------
// Errors

/** What went wrong, for `switch`ing on. Every error this package throws has one. */
export type ErrorKind =
  // reading a usage response
  | "InvalidJson"
  | "MissingField"
  | "WrongType"
  | "InvalidAmount"
  | "AmountOutOfRange"
  | "InvalidTimestamp"
  | "InvalidCount"
  | "InvalidResponseDate"
  | "DuplicateKey"
  // validating dates
  | "MissingDate"
  | "DateFormat"
  | "DateNotInCalendar"
  | "RangeReversed"
  | "RangeTooLong"
  // signing
  | "InvalidSigningInput"
  | "InvalidCredentials"
  // analysis
  | "Overflow"
  | "InvalidArgument"
  | "AccountMismatch"
  // talking to the service (thrown by UsageClient)
  | "Service"
  | "Http"
  | "Network"
  // the `bec-usage/init` entry: a function called before `await init()`
  | "NotInitialized";

/**
 * The errors this package throws: real `Error` objects (with `stack` and `message`) whose
 * `name` is `"BecUsageError"`, with extra fields saying what and where.
 * Aborting a request rejects with the `AbortSignal`'s reason (an `AbortError`) instead.
 */
export interface BecUsageError extends Error {
  name: "BecUsageError";
  /** What went wrong. */
  kind: ErrorKind;
  /** For errors reading a response: the JSON path, e.g. `graphData.CPU.dataList[2].amount` (`""` for the top level). */
  path?: string;
  /** For errors about an input: the field, e.g. `beginDate`. */
  field?: string;
  /** For errors about an input: the offending value. */
  value?: string;
  /** For `Service` errors: the BCE error code, e.g. `SignatureDoesNotMatch`. */
  code?: string;
  /** For `Service` errors: the service's request id, from the body or `x-bce-request-id`. */
  requestId?: string;
  /** For `Service` and `Http` errors: the HTTP status. */
  status?: number;
  /** For `Service` errors in a signing client: the canonical request that was signed. */
  canonicalRequest?: string;
}

/** Whether `error` is an error thrown by this package. */
export function isBecUsageError(error: unknown): error is BecUsageError;

// ---------------------------------------------------------------------------------------
// Signing

/** A point in time: a `Date`, an ISO 8601 string with a zone (`2024-01-31T08:00:00Z`), or epoch seconds. */
export type TimeInput = Date | string | number;

/** What {@link signRequest} signs. */
export interface SignRequestOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** HTTP method, e.g. `"GET"`. */
  method: string;
  /** The host the request finally reaches, e.g. `"bec.baidubce.com"` (also through a relaying proxy). */
  host: string;
  /** The raw (not yet percent-encoded) path, e.g. `"/v1/usage/computing"`. */
  path: string;
  /** Query parameters, raw (not encoded). */
  query?: Record<string, string>;
  /** Headers to send besides `host` and `x-bce-date` (which are added and signed). */
  headers?: Record<string, string>;
  /** The signing time. Take a fresh one per request. */
  timestamp: TimeInput;
  /** How long the signature is valid, in seconds. Default 1800. */
  expirationSeconds?: number;
  /**
   * Lower-case names of the headers to sign. Default: `host`, `content-md5`,
   * `content-length`, `content-type` and every `x-bce-*` header present.
   */
  headersToSign?: string[];
}

/** The result of {@link signRequest}: what to add to the request, and what was signed. */
export interface SignedRequest {
  /** The `Authorization` header value. */
  authorization: string;
  /** The canonical request that was signed; show it when a signature is refused. */
  canonicalRequest: string;
  /** The lower-case names of the signed headers, sorted. */
  signedHeaders: string[];
  /** Headers to set on the request: `authorization`, `host`, `x-bce-date` (browsers set `host` themselves). */
  headers: Record<string, string>;
  /** The percent-encoded path to send (exactly what was signed). */
  path: string;
  /** The percent-encoded query string to send, without `?` (exactly what was signed). */
  queryString: string;
}

/** Signs a request with BCE authentication v1. Pure: the time is an argument. */
export function signRequest(options: SignRequestOptions): SignedRequest;

// ---------------------------------------------------------------------------------------
// Dates

/** A validated query range: both dates `YYYY-MM-DD`, begin ≤ end, at most 31 days inclusive. */
export interface DateRange {
  beginDate: string;
  endDate: string;
  /** Days covered, counted inclusively (1 … 31). */
  days: number;
}

/**
 * Validates a query range. Throws a {@link BecUsageError} with kind `MissingDate`,
 * `DateFormat`, `DateNotInCalendar`, `RangeReversed` or `RangeTooLong`, naming the field.
 */
export function validateRange(beginDate: string, endDate: string): DateRange;

/**
 * Splits a range of any length into consecutive ranges of at most `maxDays` days (default
 * and maximum 31): in order, no gap, no overlap.
 */
export function splitRange(beginDate: string, endDate: string, maxDays?: number): DateRange[];

// ---------------------------------------------------------------------------------------
// Usage data

/** A fixed UTC offset: `"+08:00"`, `"-05:30"`, `"Z"`, or minutes east of UTC (`480`). Default `"+08:00"` (Beijing time, the service's zone). */
export type UtcOffset = string | number;

/** One point, exactly. */
export interface ExactPoint {
  /** Epoch milliseconds. */
  timestamp: number;
  /** The exact amount as a decimal string, e.g. `"30.223343133"`. */
  amount: string;
}

/** Exact statistics of one resource's series. */
export interface SeriesStats {
  /** Number of points. */
  points: number;
  /** The smallest amount (the first such point). */
  min: ExactPoint;
  /** The largest amount: the peak (the first such point). */
  max: ExactPoint;
  /** The exact mean as a decimal string. */
  mean: string;
  /** The exact sum as a decimal string. */
  sum: string;
  /** The point with the latest timestamp. */
  last: ExactPoint;
}

/** A series prepared for drawing: parallel arrays of equal length. */
export interface SeriesArrays {
  /** Epoch milliseconds, ascending for downsampled series, as sent otherwise. */
  timestamps: Float64Array;
  /** Amounts as the nearest doubles (for pixels only). */
  amounts: Float64Array;
  /** The same amounts exactly, as decimal strings. */
  exactAmounts: string[];
}

/** One resource of a usage response (an entry of `graphData`). */
export interface ResourceUsage extends SeriesArrays {
  /** Resource name, e.g. `"CPU"`. */
  name: string;
  /** Unit as the service writes it, e.g. `"核"`, `"个"`, `"GB"`. */
  unit: string;
  /** The number of points the service claims (`count`); may differ from `pointCount`. */
  count: number;
  /** The number of points actually present. */
  pointCount: number;
  /** Exact statistics, or `null` for an empty series. */
  stats: SeriesStats | null;
}

/** One cell of the daily-averages table. */
export interface DailyCell {
  /** The exact average as a decimal string. */
  average: string;
  /** How many points were averaged. */
  points: number;
}

/** Daily averages recomputed from the points, in a fixed UTC offset. */
export interface DailyAverages {
  /** The offset the days were taken in, e.g. `"+08:00"`. */
  utcOffset: string;
  /** Days (`YYYY-MM-DD`), ascending: the rows. */
  dates: string[];
  /** Resource names: the columns. */
  resources: string[];
  /** Units, parallel to `resources`. */
  units: string[];
  /** `cells[row][column]`, `null` where a resource has no point that day. */
  cells: (DailyCell | null)[][];
}

/** How a recomputed daily average compares with the service's `summary`. */
export type ReconcileStatus = "Match" | "Differs" | "MissingInSummary" | "MissingInData";

/** One (day, resource) of the reconciliation. */
export interface ReconcileRow {
  date: string;
  resource: string;
  unit: string;
  /** The service's daily average, exactly, or `null` if `summary` has none. */
  summary: string | null;
  /** The average recomputed from the points, exactly, or `null` if there are no points. */
  recomputed: string | null;
  /** `recomputed − summary`, exactly, when both exist. */
  difference: string | null;
  /** Points that day. */
  points: number;
  status: ReconcileStatus;
}

/** The reconciliation of recomputed daily averages with `summary`. */
export interface Reconciliation {
  rows: ReconcileRow[];
  counts: { match: number; differs: number; missingInSummary: number; missingInData: number };
  /** True when every row is `Match`. */
  consistent: boolean;
  /** A few sentences for people: which days and resources differ, by how much. */
  report: string;
}

/** Options of {@link Usage.reconcile}. */
export interface ReconcileOptions {
  utcOffset?: UtcOffset;
  /** An absolute tolerance, as a decimal string (e.g. `"0.001"`), within which values match. */
  tolerance?: string;
}

/** What a data-quality note is about. */
export type QualityNoteKind =
  | "CountMismatch"
  | "DuplicateTimestamps"
  | "UnsortedTimestamps"
  | "PointsOutsideTimeSpan"
  | "NegativeAmounts"
  | "MissingFromSummary"
  | "NotInGraphData"
  | "SummaryEmpty"
  | "SummaryOutsideTimeSpan"
  | "TimeSpanReversed";

/** A note on sloppy-but-meaningful data: it was read, but be careful. */
export interface QualityNote {
  kind: QualityNoteKind;
  /** The resource concerned, if any. */
  resource?: string;
  /** A sentence for people, with the numbers. */
  message: string;
}

/** Options of the CSV exports. */
export interface CsvOptions {
  /** The offset timestamps are written in. Default `"+08:00"`. */
  utcOffset?: UtcOffset;
}

/**
 * A parsed usage response. Made by {@link parseUsage}, {@link mergeUsage} or
 * {@link UsageClient.fetchUsage}. Holds WebAssembly memory, released when garbage
 * collected or at once by {@link Usage.free}.
 */
export class Usage {
  private constructor();
  /** `accountId`. */
  readonly accountId: string;
  /** `timeSpan`. */
  readonly timeSpan: { beginDate: string; endDate: string };
  /** Resource names, in the service's order. */
  readonly resourceNames: string[];
  /** One resource, or `undefined` if there is none of that name. */
  resource(name: string): ResourceUsage | undefined;
  /** Every resource, in order. */
  resources(): ResourceUsage[];
  /** Exact statistics per resource, in order (`stats` is `null` for an empty series). */
  stats(): { resource: string; unit: string; stats: SeriesStats | null }[];
  /** Daily averages recomputed from the points. */
  dailyAverages(options?: { utcOffset?: UtcOffset }): DailyAverages;
  /** The service's `summary`: date → resource → exact daily average. */
  summary(): Record<string, Record<string, string>>;
  /** Recomputed daily averages compared with `summary`. */
  reconcile(options?: ReconcileOptions): Reconciliation;
  /** Data-quality notes (days taken in `utcOffset`, default `"+08:00"`). */
  qualityNotes(options?: { utcOffset?: UtcOffset }): QualityNote[];
  /**
   * The resource's series downsampled with LTTB to at most `targetPoints` points (first and
   * last kept, timestamps ascending); unchanged when already small.
   */
  downsample(resource: string, targetPoints: number): SeriesArrays;
  /** CSV, long form: `resource,unit,timestamp,amount` (RFC 4180, CRLF, ISO times with offset). */
  toCsv(options?: CsvOptions): string;
  /** CSV of the daily averages: `date,resource,unit,average,points`. */
  dailyCsv(options?: CsvOptions): string;
  /** The response as the service's JSON (exact amounts). */
  toJson(): string;
  /** Releases the WebAssembly memory now; the object is unusable afterwards. */
  free(): void;
  /** The same as {@link Usage.free}, for `using usage = parseUsage(text)`. */
  [Symbol.dispose](): void;
}

/**
 * Parses a usage response: its text, or its UTF-8 bytes (e.g. `new Uint8Array(await
 * response.arrayBuffer())`, which skips decoding a large body into a string). Throws a
 * {@link BecUsageError} whose `kind` and `path` say what and where (`InvalidJson`,
 * `MissingField`, `WrongType`, `InvalidAmount`, ...).
 */
export function parseUsage(jsonText: string | Uint8Array): Usage;

/**
 * Merges the responses of a split range: series concatenated with duplicate timestamps
 * removed, summaries united. Throws `AccountMismatch` if accounts differ.
 */
export function mergeUsage(parts: Usage[]): Usage;

/** A BCE error body, if `body` is one (`{"requestId", "code", "message"}`); else `null`. */
export function parseServiceError(
  status: number,
  body: string,
  requestIdHeader?: string | null,
): { status: number; code: string; message: string; requestId: string | null } | null;

// ---------------------------------------------------------------------------------------
// The client

/** An access key pair. Keep secrets out of pages you do not control. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Options of {@link UsageClient}. */
export interface UsageClientOptions {
  /**
   * Where to send requests: the service (`https://bec.baidubce.com`) or a proxy on the same
   * path (`https://dashboard.example.com`, or `""`/`"/"` for the page's own origin).
   */
  endpoint: string;
  /**
   * Sign requests here with these keys. Leave out when the endpoint is a proxy that signs
   * with keys it holds.
   */
  credentials?: Credentials;
  /** The host to sign for. Default: the endpoint's host; `"bec.baidubce.com"` when relaying through a proxy. */
  signingHost?: string;
  /** The `fetch` to use. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Chunks fetched at once for ranges over 31 days. Default 4. */
  concurrency?: number;
  /** The clock, for tests. Default: `() => new Date()`. */
  now?: () => Date;
}

/** Progress of {@link UsageClient.fetchUsage}, reported after each chunk. */
export interface FetchProgress {
  /** Chunks finished. */
  completed: number;
  /** Chunks in all. */
  total: number;
  /** The chunk just finished. */
  range: DateRange;
}

/** Options of {@link UsageClient.fetchUsage}. */
export interface FetchUsageOptions {
  /** Aborts every request in flight; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each chunk. */
  onProgress?: (progress: FetchProgress) => void;
}

/** Fetches usage from the service or a proxy. */
export class UsageClient {
  constructor(options: UsageClientOptions);
  /**
   * Fetches the usage of `beginDate` … `endDate` (inclusive, `YYYY-MM-DD`, at most 366
   * days: a longer range rejects with `RangeTooLong` before any request). Ranges over 31
   * days are split into chunks, fetched with bounded concurrency, and merged. Network
   * failures and 5xx answers are tried twice more after a short random backoff (not the
   * proxy's own `UpstreamUnavailable`/`UpstreamTimeout`: it has retried already). A BCE
   * error rejects with a `Service` error carrying `code`, `requestId` and `status`, its
   * message ending in what to do; on `RequestExpired` or `RequestTimeTooSkewed` a signing
   * client signs once more with the server's `Date`, and keeps that clock for later requests.
   */
  fetchUsage(beginDate: string, endDate: string, options?: FetchUsageOptions): Promise<Usage>;
}

/** The package version (equal to the core crate's version). */
export const version: string;
