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
  // price sheets (parsePriceSheet, costEstimate, dailyCsv with a priceSheet)
  | "InvalidPriceSheet"
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
  /** For errors reading a response or a price sheet: the JSON path, e.g. `graphData.CPU.dataList[2].amount` or `prices.CPU[1].upTo` (`""` for the top level). */
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

/** Options of {@link Usage.dailyCsv}. */
export interface DailyCsvOptions extends CsvOptions {
  /**
   * A price sheet (see {@link PriceSheetInput}): adds the columns `cost` (exact, not
   * rounded, so the column adds up to {@link CostEstimate.total}) and `currency`, both empty
   * for a resource the sheet does not price. Throws `InvalidPriceSheet` as
   * {@link parsePriceSheet} and {@link Usage.costEstimate} do.
   */
  priceSheet?: PriceSheetInput;
}

// ---------------------------------------------------------------------------------------
// Resource-hours, costs, forecasts, anomalies

/**
 * One local day of a resource's usage in unit-hours.
 *
 * How the points count (the rules of {@link Usage.resourceHours}): a point stands for the
 * interval to the next point, up to 3 usual steps (the usual step is the median distance
 * between a series' points); longer gaps are not filled and are reported in
 * {@link ResourceHours.gaps}. The last point stands for one usual step, cut at local
 * midnight after the range's last day (`timeSpan.endDate`). Intervals are split at local
 * midnight.
 */
export interface DayHours {
  /** The local day, `YYYY-MM-DD`. */
  date: string;
  /** The unit-hours used that day (core-hours, GB-hours, ...), an exact decimal string, e.g. `"48"`. */
  hours: string;
  /** Milliseconds of the day the points cover (at most 86 400 000). */
  coveredMs: number;
}

/** A stretch between two points too long to fill: more than 3 usual steps. Not counted. */
export interface HoursGap {
  /** Where the gap starts, epoch milliseconds: one usual step after the point before it. */
  start: number;
  /** Where it ends, epoch milliseconds: the next point's timestamp. */
  end: number;
}

/** The resource-hours of one resource (see {@link DayHours} for how points count). */
export interface ResourceHours {
  /** Resource name, e.g. `"CPU"`. */
  resource: string;
  /** The resource's unit (`"核"`, `"GB"`); the hours are this unit times hours. */
  unit: string;
  /**
   * The usual step in milliseconds: the median distance between the series' points (a
   * single point borrows the median step of the other series); `null` when there is none,
   * and then the points count for no time.
   */
  stepMs: number | null;
  /** The unit-hours of the whole range, exact. Divided once from the exact sum, so it may differ from the sum of the rounded days in the 28th digit. */
  total: string;
  /** The days with covered time, ascending. */
  days: DayHours[];
  /** Milliseconds the points cover in all. */
  coveredMs: number;
  /** The sum of the gaps' lengths, in milliseconds. */
  gapMs: number;
  /** The gaps that were not filled, in time order. */
  gaps: HoursGap[];
}

/** The result of {@link Usage.resourceHours}. */
export interface UsageHours {
  /** The offset the days were taken in, e.g. `"+08:00"`. */
  utcOffset: string;
  /** One entry per resource, in the response's order. */
  resources: ResourceHours[];
}

/** One tier of a price: unit-hours up to `upTo` (counted over the range) cost `price` each. */
export interface PriceTier {
  /** The cumulative unit-hours where the tier ends, an exact decimal string; left out for the last, open tier. */
  upTo?: string;
  /** The price of one unit-hour, an exact decimal string (zero or more). */
  price: string;
}

/**
 * A price sheet as {@link parsePriceSheet} returns it: checked, every price as a list of
 * tiers (a flat price is one open tier), amounts as exact strings.
 */
export interface PriceSheet {
  /** The currency's name or code, e.g. `"CNY"`. */
  currency: string;
  /** The currency's decimal places (default 2, at most 8), for display ({@link roundMoney}). */
  minorUnits: number;
  /** The tiers per resource name, in the sheet's order; the last tier of each is open. */
  prices: Record<string, PriceTier[]>;
}

/** A price as written in a sheet: a number or a numeric string per unit-hour, or tiers. */
export type PriceInput = string | number | { upTo?: string | number; price: string | number }[];

/**
 * A price sheet as given to {@link parsePriceSheet}, {@link Usage.costEstimate} and
 * {@link Usage.dailyCsv}: its JSON text, a {@link PriceSheet}, or an object of the same form:
 *
 * ```json
 * { "currency": "CNY", "minorUnits": 2,
 *   "prices": { "CPU": "0.045", "TRAFFIC": [{ "upTo": 1000, "price": "0.8" }, { "price": "0.6" }] } }
 * ```
 *
 * Prices are per unit-hour (a core-hour, a GB-hour), zero or more. Tiers are graduated:
 * the first `upTo` unit-hours of the range cost the first price, the next ones the second,
 * and so on, filled in time order; `upTo` ascends and the last tier has none. A resource the
 * sheet names but the data does not have is an error (most likely a misspelt name).
 *
 * An object is written with `JSON.stringify` and then read exactly, so a number is read as
 * JavaScript writes it: `0.1` stays `0.1`, but a computed `0.1 + 0.2` is
 * `0.30000000000000004`. Give prices as strings (`"0.045"`) to be sure they are exact.
 */
export type PriceSheetInput =
  | string
  | PriceSheet
  | { currency: string; minorUnits?: number; prices: Record<string, PriceInput> };

/** One day of one resource's cost. */
export interface DayCost {
  /** The local day, `YYYY-MM-DD`. */
  date: string;
  /** The unit-hours of that day, exact. */
  hours: string;
  /** Their cost, exact (not rounded: see {@link roundMoney}). */
  cost: string;
}

/** The cost of one priced resource. */
export interface ResourceCost {
  resource: string;
  unit: string;
  /** The unit-hours of the range, exact. */
  hours: string;
  /** The cost of the range, exact: the sum of the days' costs. */
  cost: string;
  /** The days with usage, ascending. */
  days: DayCost[];
}

/** The result of {@link Usage.costEstimate}: resource-hours times the sheet's prices, exact. */
export interface CostEstimate {
  /** The sheet's currency. */
  currency: string;
  /** The sheet's decimal places: round for display with {@link roundMoney}. */
  minorUnits: number;
  /** The offset the days were taken in, e.g. `"+08:00"`. */
  utcOffset: string;
  /** The cost of all priced resources over the range, exact. */
  total: string;
  /** The cost of all priced resources per day, ascending. */
  days: { date: string; cost: string }[];
  /** The priced resources, in the data's order. */
  resources: ResourceCost[];
  /** The resources of the data the sheet does not price (left out of the totals), in the data's order. */
  unpriced: string[];
}

/** Options of {@link Usage.forecast}. */
export interface ForecastOptions {
  /** The offset whose days are forecast. Default `"+08:00"`. */
  utcOffset?: UtcOffset;
  /**
   * How far ahead: `"monthEnd"` (the default) forecasts from the day after the last day with
   * data to the end of that month; a number forecasts that many days (1 … 366).
   */
  horizon?: "monthEnd" | number;
}

/**
 * A forecast value with its 80 % interval, in unit-hours (`0 ≤ low ≤ expected ≤ high`).
 * Statistical estimates, so plain numbers (15 significant digits at most): round them for
 * display, e.g. to 3 significant digits.
 */
export interface ForecastInterval {
  expected: number;
  low: number;
  high: number;
}

/** One forecast day of one resource, in unit-hours (a day's average amount is `/ 24`). */
export interface ForecastDay extends ForecastInterval {
  /** The day, `YYYY-MM-DD`. */
  date: string;
}

/** The forecast of one resource. */
export interface ResourceForecast {
  resource: string;
  unit: string;
  /** How many complete days of history the forecast used. */
  historyDays: number;
  /**
   * The unit-hours already used in the period the total covers: the month, for
   * `"monthEnd"`; `"0"` for a number of days. Measured, so an exact decimal string.
   */
  soFar: string;
  /** The forecast days, ascending; empty when there is nothing to forecast. */
  days: ForecastDay[];
  /**
   * `soFar` plus the forecast days; its interval is `soFar` plus the interval of the days'
   * sum (narrower than the sum of the days' intervals: errors of neighbouring days partly
   * cancel).
   */
  total: ForecastInterval;
}

/** The result of {@link Usage.forecast}. */
export interface Forecast {
  /** The offset the days were taken in. */
  utcOffset: string;
  /** The last day of history, `YYYY-MM-DD` (the forecast starts the day after); `null` without data. */
  lastDay: string | null;
  /** One entry per resource, in the data's order. */
  resources: ResourceForecast[];
}

/** Options of {@link Usage.anomalies}. */
export interface AnomalyOptions {
  /**
   * How readily a stretch is called unusual: `"low"` (only the most striking; a series'
   * own noise crosses its thresholds about once a month), `"medium"` (the default; about
   * once a week) or `"high"` (about once a day: more stretches, more false alarms).
   */
  sensitivity?: "low" | "medium" | "high";
}

/** One unusual stretch of one resource. */
export interface Anomaly {
  resource: string;
  /** Where the stretch starts (its first block's start), epoch milliseconds. */
  start: number;
  /** Where it ends (its last block's end, exclusive), epoch milliseconds. */
  end: number;
  /** The start of the block furthest from usual, epoch milliseconds. */
  peak: number;
  /** That block's exact mean amount, a decimal string. */
  value: string;
  /** The low end of the usual range there: an estimate, never below 0 for a resource whose amounts never are. */
  usualLow: number;
  /** The high end of the usual range there: an estimate. */
  usualHigh: number;
  /**
   * How unusual: the peak's distance from the usual level over this resource's medium
   * threshold (1 or more at `"medium"`; those `"low"` lists are higher). Comparable across
   * resources: sort by it, descending, to read the strongest first. An estimate; round it
   * for display (one decimal is plenty).
   */
  score: number;
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
  /**
   * CSV of the daily averages with unit-hours: `date,resource,unit,average,points,unit_hours`
   * (`unit_hours` as in {@link Usage.resourceHours}, `0` for a day the points do not
   * cover), and with a `priceSheet` also `cost,currency` (exact cost, empty for an unpriced
   * resource).
   */
  dailyCsv(options?: DailyCsvOptions): string;
  /**
   * Resource-hours: how much of each resource was used, in the units a bill uses
   * (core-hours, GB-hours), per local day and for the range, exact. A point stands for the
   * interval to the next point, up to 3 usual steps; longer gaps are not filled and are
   * reported (`gaps`, `gapMs`). The last point stands for one usual step, cut at local
   * midnight after `timeSpan.endDate`.
   */
  resourceHours(options?: { utcOffset?: UtcOffset }): UsageHours;
  /**
   * A cost estimate: {@link Usage.resourceHours} times the prices of `priceSheet`, exact
   * (round for display with {@link roundMoney}). Throws `InvalidPriceSheet` for a sheet that
   * breaks a rule or prices a resource the data does not have (the message names the entry
   * and, for a near miss, the resource meant), `Overflow` when a cost leaves the range of a
   * decimal.
   */
  costEstimate(priceSheet: PriceSheetInput, options?: { utcOffset?: UtcOffset }): CostEstimate;
  /**
   * Forecasts each resource's daily unit-hours to the end of the month (or for the next
   * `horizon` days), with an 80 % interval. The method: the mean of four forecasts with a
   * weekly season, from the complete days (at least 20 hours covered, scaled to 24 hours)
   * of the last 52 weeks: Holt-Winters with an additive and with a multiplicative season
   * (fitted by least squares), a level with weekday factors, and Holt-Winters fitted to
   * the horizon's sums. The interval comes from a backtest of the same method at the same
   * horizon (up to 26 weekly origins): `± 1.2816 ×` the root-mean-square relative error
   * (a fixed ±20 % with under 3 backtests, about 3 weeks of history plus the horizon). A
   * resource without history gets no days and its total is `soFar`.
   */
  forecast(options?: ForecastOptions): Forecast;
  /**
   * Stretches where a resource is far from what is usual for it, by resource then by time,
   * each with a `score` to rank them by. The points are averaged into 5-minute blocks (or
   * the usual step, if longer; whole-number amounts such as EIPs are treated as counts, on
   * the square-root scale); the usual level is a 12-hour rolling median plus a daily profile
   * (a weekly one from two weeks of data); the residuals and their means over 20 minutes,
   * 80 minutes and 5⅓ hours are compared with thresholds set so that the series' own
   * noise crosses them about once a month (low), a week (medium) or a day (high), from
   * the tail of its own events (never under 5, 4 or 3.5 robust standard deviations);
   * unusual blocks up to an hour apart make one stretch. A higher sensitivity finds a
   * superset of a lower one's stretches. On 27 real labelled series (NAB) the medium
   * setting lists 0.86 false stretches per series-week and finds 78 % of the labelled
   * windows (the repository's docs/core.md has the figures).
   */
  anomalies(options?: AnomalyOptions): Anomaly[];
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

/**
 * Reads and checks a price sheet (see {@link PriceSheetInput}): returns it with every price
 * as tiers and every amount as an exact string. Throws a {@link BecUsageError} of kind
 * `InvalidPriceSheet` whose message names the entry, e.g. `prices.CPU[1].price`.
 */
export function parsePriceSheet(sheet: PriceSheetInput): PriceSheet;

/**
 * A price sheet as JSON text, one resource per line, prices as exact numbers: what to save
 * and share. Checks the sheet as {@link parsePriceSheet} does.
 */
export function writePriceSheet(sheet: PriceSheetInput): string;

/**
 * Rounds an exact decimal string to exactly `minorUnits` decimal places (0 … 8), half away
 * from zero, for display: `roundMoney("0.125", 2)` is `"0.13"`, `roundMoney("1.5", 2)` is
 * `"1.50"`. Computations should keep every digit.
 */
export function roundMoney(amount: string, minorUnits: number): string;

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
