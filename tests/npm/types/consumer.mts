// A TypeScript consumer of every export of bec-usage, type-checked (never run) by
// test/types.test.mjs with --strict against the installed package's index.d.ts. The
// `@ts-expect-error` lines fail the check if a type is looser than it should be (an `any`
// would accept them).
import {
  isBecUsageError,
  mergeUsage,
  parsePriceSheet,
  parseServiceError,
  parseUsage,
  roundMoney,
  signRequest,
  splitRange,
  Usage,
  UsageClient,
  validateRange,
  version,
  writePriceSheet,
} from "bec-usage";
import type {
  Anomaly,
  AnomalyOptions,
  BecUsageError,
  CostEstimate,
  DailyCsvOptions,
  DayCost,
  DayHours,
  Forecast,
  ForecastDay,
  ForecastInterval,
  ForecastOptions,
  HoursGap,
  PriceSheet,
  PriceSheetInput,
  PriceTier,
  ResourceCost,
  ResourceForecast,
  ResourceHours,
  UsageHours,
  Credentials,
  DailyAverages,
  DailyCell,
  DateRange,
  ErrorKind,
  ExactPoint,
  FetchProgress,
  FetchUsageOptions,
  QualityNote,
  QualityNoteKind,
  ReconcileOptions,
  ReconcileRow,
  ReconcileStatus,
  Reconciliation,
  ResourceUsage,
  SeriesArrays,
  SeriesStats,
  SignedRequest,
  SignRequestOptions,
  TimeInput,
  UsageClientOptions,
  UtcOffset,
} from "bec-usage";

const versionText: string = version;

const timestamp: TimeInput = new Date(0);
const options: SignRequestOptions = {
  accessKeyId: "ak",
  secretAccessKey: "sk",
  method: "GET",
  host: "bec.baidubce.com",
  path: "/v1/usage/computing",
  query: { beginDate: "2024-01-01", endDate: "2024-01-31" },
  headers: { "content-type": "application/json" },
  timestamp,
  expirationSeconds: 1800,
  headersToSign: ["host", "x-bce-date"],
};
const signed: SignedRequest = signRequest(options);
const authorization: string = signed.authorization;
const signedHeaders: string[] = signed.signedHeaders;
const headers: Record<string, string> = signed.headers;
const sendPath: string = `${signed.path}?${signed.queryString}`;
const canonical: string = signed.canonicalRequest;
// @ts-expect-error: the timestamp is required
signRequest({ accessKeyId: "a", secretAccessKey: "s", method: "GET", host: "h", path: "/" });
// @ts-expect-error: query values are strings
signRequest({ ...options, query: { page: 1 } });

const range: DateRange = validateRange("2024-01-01", "2024-01-31");
const days: number = range.days;
const chunks: DateRange[] = splitRange("2024-01-01", "2024-03-31", 31);
// @ts-expect-error: dates are strings
validateRange(new Date(), new Date());

const usage: Usage = parseUsage("{}");
const accountId: string = usage.accountId;
const span: { beginDate: string; endDate: string } = usage.timeSpan;
const names: string[] = usage.resourceNames;
const cpu: ResourceUsage | undefined = usage.resource("CPU");
if (cpu) {
  const arrays: SeriesArrays = cpu;
  const timestamps: Float64Array = arrays.timestamps;
  const amounts: Float64Array = cpu.amounts;
  const exact: string[] = cpu.exactAmounts;
  const counts: number = cpu.count + cpu.pointCount;
  const unit: string = cpu.unit + cpu.name;
  const stats: SeriesStats | null = cpu.stats;
  if (stats) {
    const peak: ExactPoint = stats.max;
    const peakAt: number = peak.timestamp;
    const exactPeak: string = peak.amount;
    const figures: string = stats.mean + stats.sum + stats.min.amount + stats.last.amount;
    const points: number = stats.points;
    // @ts-expect-error: exact amounts are strings, not numbers
    stats.mean.toFixed(2);
    void [peakAt, exactPeak, figures, points];
  }
  void [timestamps, amounts, exact, counts, unit];
}
const all: ResourceUsage[] = usage.resources();
const statsRows: { resource: string; unit: string; stats: SeriesStats | null }[] = usage.stats();
const offset: UtcOffset = "+08:00";
const daily: DailyAverages = usage.dailyAverages({ utcOffset: offset });
const cell: DailyCell | null | undefined = daily.cells[0]?.[0];
const dailyText: string = daily.utcOffset + daily.dates.join() + daily.resources.join() + daily.units.join();
const summary: Record<string, Record<string, string>> = usage.summary();
const reconcileOptions: ReconcileOptions = { utcOffset: 480, tolerance: "0.001" };
const reconciliation: Reconciliation = usage.reconcile(reconcileOptions);
const row: ReconcileRow | undefined = reconciliation.rows[0];
const status: ReconcileStatus | undefined = row?.status;
const difference: string | null | undefined = row?.difference;
const matched: number = reconciliation.counts.match + reconciliation.counts.differs;
const consistent: boolean = reconciliation.consistent;
const report: string = reconciliation.report;
const notes: QualityNote[] = usage.qualityNotes({ utcOffset: "Z" });
const noteKind: QualityNoteKind | undefined = notes[0]?.kind;
const small: SeriesArrays = usage.downsample("CPU", 500);
const csv: string = usage.toCsv({ utcOffset: "+08:00" }) + usage.dailyCsv() + usage.toJson();
// Resource-hours, price sheets, costs, forecasts and anomalies.
const hours: UsageHours = usage.resourceHours({ utcOffset: "+08:00" });
const cpuHours: ResourceHours | undefined = hours.resources[0];
if (cpuHours) {
  const day: DayHours | undefined = cpuHours.days[0];
  const gap: HoursGap | undefined = cpuHours.gaps[0];
  const step: number | null = cpuHours.stepMs;
  const covered: number = cpuHours.coveredMs + cpuHours.gapMs + (day?.coveredMs ?? 0) + (gap ? gap.end - gap.start : 0);
  const exactHours: string = cpuHours.total + (day?.hours ?? "") + cpuHours.unit + cpuHours.resource + hours.utcOffset;
  // @ts-expect-error: hours are exact strings
  cpuHours.total.toFixed(2);
  void [step, covered, exactHours];
}
const sheetInput: PriceSheetInput = {
  currency: "CNY",
  minorUnits: 2,
  prices: { CPU: "0.045", Memory: 0.012, TRAFFIC: [{ upTo: 1000, price: "0.8" }, { price: "0.6" }] },
};
const sheet: PriceSheet = parsePriceSheet(sheetInput);
const sheetAgain: PriceSheet = parsePriceSheet(writePriceSheet(sheet));
const tier: PriceTier | undefined = sheetAgain.prices["CPU"]?.[0];
const tierText: string = (tier?.upTo ?? "") + (tier?.price ?? "") + sheet.currency + sheet.minorUnits;
// @ts-expect-error: a sheet needs prices
parsePriceSheet({ currency: "CNY" });
const estimate: CostEstimate = usage.costEstimate(sheet, { utcOffset: 480 });
const resourceCost: ResourceCost | undefined = estimate.resources[0];
const dayCost: DayCost | undefined = resourceCost?.days[0];
const costText: string =
  roundMoney(estimate.total, estimate.minorUnits) +
  estimate.currency +
  estimate.utcOffset +
  estimate.unpriced.join() +
  (estimate.days[0]?.cost ?? "") +
  (resourceCost ? resourceCost.hours + resourceCost.cost + resourceCost.unit : "") +
  (dayCost ? dayCost.date + dayCost.hours + dayCost.cost : "");
// @ts-expect-error: roundMoney takes the exact string
roundMoney(0.125, 2);
const dailyCsvOptions: DailyCsvOptions = { utcOffset: "Z", priceSheet: '{"currency":"CNY","prices":{}}' };
const costCsv: string = usage.dailyCsv(dailyCsvOptions);
const forecastOptions: ForecastOptions = { horizon: 7, utcOffset: "+08:00" };
const forecast: Forecast = usage.forecast(forecastOptions);
const monthEnd: Forecast = usage.forecast({ horizon: "monthEnd" });
// @ts-expect-error: the horizon is "monthEnd" or a number of days
usage.forecast({ horizon: "week" });
const lastDay: string | null = forecast.lastDay ?? monthEnd.lastDay;
const resourceForecast: ResourceForecast | undefined = forecast.resources[0];
const forecastDay: ForecastDay | undefined = resourceForecast?.days[0];
const forecastTotal: ForecastInterval | undefined = resourceForecast?.total;
const forecastText: string =
  (forecastDay ? forecastDay.date + forecastDay.expected + forecastDay.low + forecastDay.high : "") +
  (forecastTotal?.expected ?? "") +
  (resourceForecast ? resourceForecast.soFar + resourceForecast.historyDays : "");
const anomalyOptions: AnomalyOptions = { sensitivity: "high" };
const anomalies: Anomaly[] = usage.anomalies(anomalyOptions);
const anomaly: Anomaly | undefined = usage.anomalies()[0];
const anomalyText: string = anomaly
  ? `${anomaly.resource}${anomaly.start + anomaly.end + anomaly.peak}${anomaly.value}${anomaly.usualLow}${anomaly.usualHigh}`
  : "";
// @ts-expect-error: the sensitivity is one of three words
usage.anomalies({ sensitivity: "extreme" });
const priceSheetKind: ErrorKind = "InvalidPriceSheet";
void [tierText, costText, costCsv, lastDay, forecastText, anomalies, anomalyText, priceSheetKind];

// @ts-expect-error: a status is one of four words
const wrongStatus: ReconcileStatus = "Equal";
// @ts-expect-error: the constructor is private: Usage comes from parseUsage, mergeUsage or a client
new Usage();
const fromBytes: Usage = parseUsage(new TextEncoder().encode("{}"));
const merged: Usage = mergeUsage([usage, fromBytes]);
merged.free();
usage.free();

const serviceError = parseServiceError(403, "{}", null);
if (serviceError) {
  const code: string = serviceError.code;
  const requestId: string | null = serviceError.requestId;
  const httpStatus: number = serviceError.status;
  void [code, requestId, httpStatus];
}

const credentials: Credentials = { accessKeyId: "ak", secretAccessKey: "sk" };
const clientOptions: UsageClientOptions = {
  endpoint: "https://bec.baidubce.com",
  credentials,
  signingHost: "bec.baidubce.com",
  fetch: globalThis.fetch,
  concurrency: 2,
  now: () => new Date(),
};
const client = new UsageClient(clientOptions);
// @ts-expect-error: the endpoint is required
new UsageClient({ credentials });
const fetchOptions: FetchUsageOptions = {
  signal: new AbortController().signal,
  onProgress: (progress: FetchProgress) => {
    const done: number = progress.completed + progress.total + progress.range.days;
    void done;
  },
};
async function load(): Promise<string> {
  try {
    const fetched: Usage = await client.fetchUsage("2024-01-01", "2024-03-31", fetchOptions);
    return fetched.accountId;
  } catch (error: unknown) {
    if (isBecUsageError(error)) {
      const narrowed: BecUsageError = error;
      const kind: ErrorKind = narrowed.kind;
      const code: string | undefined = narrowed.code;
      const requestId: string | undefined = narrowed.requestId;
      const httpStatus: number | undefined = narrowed.status;
      const where: string | undefined = narrowed.path ?? narrowed.field ?? narrowed.value ?? narrowed.canonicalRequest;
      const stack: string | undefined = narrowed.stack;
      switch (kind) {
        case "Service":
        case "Http":
        case "Network":
          return `${code}${requestId}${httpStatus}${where}${stack}`;
        default:
          return narrowed.message;
      }
    }
    throw error;
  }
}

void [versionText, authorization, signedHeaders, headers, sendPath, canonical, days, chunks];
void [accountId, span, names, all, statsRows, cell, dailyText, summary, status, difference];
void [matched, consistent, report, noteKind, small, csv, wrongStatus, load];
