// Resource-hours, price sheets, cost estimates, the daily CSV's extra columns, forecasts
// and anomalies (src/js/costs.rs): exact results of small hand-made responses, computed by
// hand from the rules in the core's analysis/hours.rs and analysis/cost.rs, errors of kind
// InvalidPriceSheet and InvalidArgument naming the entry or option, and the shapes and
// invariants of forecasts and anomalies.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPackage } from "../lib/package.mjs";

const api = await loadPackage();

const HOUR = 3_600_000;
/** Epoch milliseconds of a Beijing local time on 2024-01-01, e.g. `local("22:30")`. */
const local = (time) => Date.parse(`2024-01-01T${time}:00+08:00`);

/**
 * One Beijing day, 2024-01-01:
 * - CPU, 2 cores at 22:30 and 23:30: hourly, so the first counts 1 h (2 core-hours) and the
 *   last one step cut at midnight, 0.5 h (1 core-hour): 3 core-hours.
 * - Memory, 4 GB at 00:00, 01:00, 02:00, 10:00 and 11:00: usual step 1 h (the median of
 *   1, 1, 8, 1); 02:00 → 10:00 is more than 3 steps, so 02:00 counts one step and
 *   03:00–10:00 is a gap; 11:00 counts one step. 5 h covered: 20 GB-hours.
 */
const DAY_JSON = JSON.stringify({
  accountId: "a",
  timeSpan: { beginDate: "2024-01-01", endDate: "2024-01-01" },
  graphData: {
    CPU: {
      count: 2,
      unit: "核",
      dataList: [
        { amount: "2", timestamp: local("22:30") },
        { amount: "2", timestamp: local("23:30") },
      ],
    },
    Memory: {
      count: 5,
      unit: "GB",
      dataList: ["00:00", "01:00", "02:00", "10:00", "11:00"].map((time) => ({ amount: "4", timestamp: local(time) })),
    },
  },
  summary: { "2024-01-01": { CPU: "2", Memory: "4" } },
});

/** The day, parsed once (the tests only read it). */
const usage = api.parseUsage(DAY_JSON);

/** CPU flat at 0.045 a core-hour; Memory 0.01 a GB-hour for the first 10, 0.005 above. */
const SHEET = {
  currency: "CNY",
  minorUnits: 2,
  prices: { CPU: "0.045", Memory: [{ upTo: "10", price: "0.01" }, { price: "0.005" }] },
};

/** Asserts `fn` throws a BecUsageError of `kind` whose message matches `message`; returns it. */
function throwsKind(fn, kind, message) {
  let thrown;
  assert.throws(fn, (error) => {
    thrown = error;
    return true;
  });
  assert.ok(api.isBecUsageError(thrown), `a BecUsageError: ${thrown}`);
  assert.equal(thrown.kind, kind, thrown.message);
  if (message) assert.match(thrown.message, message);
  return thrown;
}

test("resourceHours: a point stands for the interval to the next, gaps are reported, the range end cuts", () => {
  assert.deepEqual(usage.resourceHours(), {
    utcOffset: "+08:00",
    resources: [
      {
        resource: "CPU",
        unit: "核",
        stepMs: HOUR,
        total: "3",
        days: [{ date: "2024-01-01", hours: "3", coveredMs: 1.5 * HOUR }],
        coveredMs: 1.5 * HOUR,
        gapMs: 0,
        gaps: [],
      },
      {
        resource: "Memory",
        unit: "GB",
        stepMs: HOUR,
        total: "20",
        days: [{ date: "2024-01-01", hours: "20", coveredMs: 5 * HOUR }],
        coveredMs: 5 * HOUR,
        gapMs: 7 * HOUR,
        gaps: [{ start: local("03:00"), end: local("10:00") }],
      },
    ],
  });
});

test("resourceHours: days split at local midnight of utcOffset; the range ends at that offset's midnight", () => {
  const hours = usage.resourceHours({ utcOffset: "Z" });
  assert.equal(hours.utcOffset, "+00:00");
  const [cpu, memory] = hours.resources;
  // In UTC the range ends at 2024-01-02T00:00Z, after CPU's last hour: nothing is cut.
  assert.equal(cpu.total, "4");
  assert.deepEqual(cpu.days, [{ date: "2024-01-01", hours: "4", coveredMs: 2 * HOUR }]);
  // Beijing 00:00–03:00 is 2023-12-31 in UTC, 10:00–12:00 is 2024-01-01.
  assert.deepEqual(memory.days, [
    { date: "2023-12-31", hours: "12", coveredMs: 3 * HOUR },
    { date: "2024-01-01", hours: "8", coveredMs: 2 * HOUR },
  ]);
  assert.equal(memory.total, "20");
  throwsKind(() => usage.resourceHours({ utcOffset: "+25:00" }), "InvalidArgument", /resourceHours: utcOffset/);
  throwsKind(() => usage.resourceHours("Z"), "InvalidArgument", /options must be an object/);
});

test("parsePriceSheet reads text and objects exactly, every price as tiers; writePriceSheet round-trips", () => {
  const expected = {
    currency: "CNY",
    minorUnits: 2,
    prices: { CPU: [{ price: "0.045" }], Memory: [{ upTo: "10", price: "0.01" }, { price: "0.005" }] },
  };
  assert.deepEqual(api.parsePriceSheet(SHEET), expected);
  assert.deepEqual(api.parsePriceSheet(JSON.stringify(SHEET)), expected);
  // Its own result reads back the same, and so does the written text.
  assert.deepEqual(api.parsePriceSheet(expected), expected);
  const text = api.writePriceSheet(SHEET);
  assert.match(text, /"CPU": 0\.045/);
  assert.deepEqual(api.parsePriceSheet(text), expected);
  // Numbers are read as JavaScript writes them; minorUnits defaults to 2.
  assert.deepEqual(api.parsePriceSheet({ currency: "USD", prices: { CPU: 0.1 } }), {
    currency: "USD",
    minorUnits: 2,
    prices: { CPU: [{ price: "0.1" }] },
  });
});

test("price sheet errors are InvalidPriceSheet and name the entry", () => {
  const negative = throwsKind(
    () => api.parsePriceSheet({ currency: "CNY", prices: { CPU: "-0.1" } }),
    "InvalidPriceSheet",
    /prices\.CPU.*negative/,
  );
  assert.equal(negative.path, "prices.CPU");
  throwsKind(
    () => api.parsePriceSheet({ currency: "CNY", prices: { Memory: [{ upTo: "10", price: "0.01" }, { upTo: "5", price: "0.005" }] } }),
    "InvalidPriceSheet",
    /prices\.Memory\[1\]/,
  );
  throwsKind(() => api.parsePriceSheet('{"currency": "CNY", "prices": {"CPU": [{"upto": 1, "price": 2}]}}'), "InvalidPriceSheet", /upto/);
  throwsKind(() => api.parsePriceSheet('{"currency": "CNY"'), "InvalidPriceSheet", /the price sheet/);
  throwsKind(() => api.parsePriceSheet({ prices: {} }), "InvalidPriceSheet", /currency/);
  throwsKind(() => api.writePriceSheet({ currency: "CNY", minorUnits: 9, prices: {} }), "InvalidPriceSheet", /minorUnits/);
  // Not a sheet at all: the argument's type.
  throwsKind(() => api.parsePriceSheet(42), "InvalidArgument", /parsePriceSheet: sheet must be JSON text or an object, not a number/);
  throwsKind(() => api.parsePriceSheet([]), "InvalidArgument", /an array/);
  throwsKind(() => api.parsePriceSheet({ currency: "CNY", prices: { CPU: 1n } }), "InvalidArgument", /BigInt/);

  // A resource the data does not have: most likely misspelt.
  const stray = throwsKind(
    () => usage.costEstimate({ currency: "CNY", prices: { cpu: "0.045" } }),
    "InvalidPriceSheet",
    /prices\.cpu.*CPU, Memory.*Did you mean.*CPU/,
  );
  assert.equal(stray.path, "prices.cpu");
  throwsKind(() => usage.dailyCsv({ priceSheet: { currency: "CNY", prices: { GPU: "1" } } }), "InvalidPriceSheet", /GPU/);
});

test("costEstimate: hours times prices, tiers graduated in time order, exact", () => {
  // Beijing time: CPU 3 × 0.045 = 0.135; Memory 10 × 0.01 + 10 × 0.005 = 0.15.
  assert.deepEqual(usage.costEstimate(SHEET), {
    currency: "CNY",
    minorUnits: 2,
    utcOffset: "+08:00",
    total: "0.285",
    days: [{ date: "2024-01-01", cost: "0.285" }],
    resources: [
      { resource: "CPU", unit: "核", hours: "3", cost: "0.135", days: [{ date: "2024-01-01", hours: "3", cost: "0.135" }] },
      { resource: "Memory", unit: "GB", hours: "20", cost: "0.15", days: [{ date: "2024-01-01", hours: "20", cost: "0.15" }] },
    ],
    unpriced: [],
  });
  // UTC: Memory's 12 GB-hours of 2023-12-31 fill the first tier (10 × 0.01 + 2 × 0.005 =
  // 0.11), the 8 of 2024-01-01 cost 0.005 each (0.04); CPU is 4 × 0.045 = 0.18.
  const utc = usage.costEstimate(api.parsePriceSheet(SHEET), { utcOffset: 0 });
  assert.deepEqual(utc.days, [
    { date: "2023-12-31", cost: "0.11" },
    { date: "2024-01-01", cost: "0.22" },
  ]);
  assert.deepEqual(utc.resources[1].days, [
    { date: "2023-12-31", hours: "12", cost: "0.11" },
    { date: "2024-01-01", hours: "8", cost: "0.04" },
  ]);
  assert.equal(utc.total, "0.33");
  // A resource the sheet leaves out is unpriced, not costed.
  const cpuOnly = usage.costEstimate('{"currency": "CNY", "prices": {"CPU": 0.045}}');
  assert.deepEqual(cpuOnly.unpriced, ["Memory"]);
  assert.deepEqual(cpuOnly.resources.map((r) => r.resource), ["CPU"]);
  assert.equal(cpuOnly.total, "0.135");
  throwsKind(() => usage.costEstimate(SHEET, { utcOffset: true }), "InvalidArgument", /costEstimate: utcOffset/);
  throwsKind(() => usage.costEstimate(undefined), "InvalidArgument", /costEstimate: priceSheet must be JSON text or an object, not undefined/);
});

test("roundMoney rounds half away from zero to exactly minorUnits places", () => {
  assert.equal(api.roundMoney("0.285", 2), "0.29");
  assert.equal(api.roundMoney("0.125", 2), "0.13");
  assert.equal(api.roundMoney("-0.125", 2), "-0.13");
  assert.equal(api.roundMoney("1.5", 2), "1.50");
  assert.equal(api.roundMoney("2.5", 0), "3");
  assert.equal(api.roundMoney("0.123456789", 8), "0.12345679");
  throwsKind(() => api.roundMoney("lots", 2), "InvalidArgument", /roundMoney: amount "lots" is not a decimal number/);
  throwsKind(() => api.roundMoney(0.125, 2), "InvalidArgument", /amount must be a string/);
  throwsKind(() => api.roundMoney("1", 9), "InvalidArgument", /minorUnits must be a whole number from 0 to 8, not 9/);
});

test("dailyCsv has unit_hours always, and cost,currency with a priceSheet", () => {
  assert.equal(
    usage.dailyCsv(),
    "date,resource,unit,average,points,unit_hours\r\n" + "2024-01-01,CPU,核,2,2,3\r\n" + "2024-01-01,Memory,GB,4,5,20\r\n",
  );
  assert.equal(
    usage.dailyCsv({ priceSheet: SHEET }),
    "date,resource,unit,average,points,unit_hours,cost,currency\r\n" +
      "2024-01-01,CPU,核,2,2,3,0.135,CNY\r\n" +
      "2024-01-01,Memory,GB,4,5,20,0.15,CNY\r\n",
  );
  // An unpriced resource has empty cost and currency.
  const lines = usage.dailyCsv({ utcOffset: "+08:00", priceSheet: { currency: "CNY", prices: { CPU: "0.045" } } }).split("\r\n");
  assert.equal(lines[2], "2024-01-01,Memory,GB,4,5,20,,");
  assert.equal(usage.dailyCsv({ priceSheet: null }), usage.dailyCsv());
  throwsKind(() => usage.dailyCsv({ priceSheet: 3 }), "InvalidArgument", /dailyCsv: priceSheet must be JSON text or an object, not a number/);
});

/**
 * Checks the shape of a forecast and its invariants (`0 ≤ low ≤ expected ≤ high`, plain
 * numbers since a forecast is an estimate; `soFar`, measured, an exact decimal string; days
 * ascending).
 */
function checkForecast(forecast, resources) {
  assert.deepEqual(Object.keys(forecast).sort(), ["lastDay", "resources", "utcOffset"]);
  assert.ok(forecast.lastDay === null || /^\d{4}-\d{2}-\d{2}$/.test(forecast.lastDay));
  assert.deepEqual(forecast.resources.map((r) => r.resource), resources);
  const decimal = /^-?\d+(\.\d+)?$/;
  const ordered = ({ expected, low, high }) => {
    for (const value of [expected, low, high]) assert.ok(typeof value === "number" && Number.isFinite(value), `${value} is a finite number`);
    assert.ok(0 <= low && low <= expected && expected <= high, `0 ≤ ${low} ≤ ${expected} ≤ ${high}`);
  };
  for (const entry of forecast.resources) {
    assert.deepEqual(Object.keys(entry).sort(), ["days", "historyDays", "resource", "soFar", "total", "unit"]);
    assert.ok(Number.isInteger(entry.historyDays) && entry.historyDays >= 0);
    assert.match(entry.soFar, decimal);
    ordered(entry.total);
    let previous = forecast.lastDay ?? "";
    for (const day of entry.days) {
      assert.ok(day.date > previous, `${day.date} after ${previous}`);
      previous = day.date;
      ordered(day);
    }
  }
}

test("forecast: shape, invariants and options", () => {
  checkForecast(usage.forecast(), ["CPU", "Memory"]);
  const week = usage.forecast({ horizon: 7, utcOffset: "Z" });
  assert.equal(week.utcOffset, "+00:00");
  checkForecast(week, ["CPU", "Memory"]);
  for (const entry of week.resources) assert.ok(entry.days.length <= 7);
  checkForecast(usage.forecast({ horizon: "monthEnd" }), ["CPU", "Memory"]);
  throwsKind(() => usage.forecast({ horizon: -3 }), "InvalidArgument", /forecast: horizon must be a whole number of days from 1 to 366, not -3/);
  throwsKind(() => usage.forecast({ horizon: 1.5 }), "InvalidArgument", /horizon/);
  throwsKind(() => usage.forecast({ horizon: "week" }), "InvalidArgument", /forecast: horizon "week" is not "monthEnd"/);
  const error = throwsKind(() => usage.forecast({ horizon: true }), "InvalidArgument", /horizon must be "monthEnd" or a number of days, not a boolean/);
  assert.equal(error.field, "horizon");
});

test("anomalies: shape, invariants and the sensitivity option", () => {
  for (const sensitivity of [undefined, "low", "medium", "high"]) {
    const anomalies = usage.anomalies(sensitivity ? { sensitivity } : undefined);
    assert.ok(Array.isArray(anomalies));
    for (const anomaly of anomalies) {
      assert.deepEqual(Object.keys(anomaly).sort(), ["end", "peak", "resource", "score", "start", "usualHigh", "usualLow", "value"]);
      assert.ok(anomaly.start <= anomaly.peak && anomaly.peak < anomaly.end);
      // Estimates are numbers; the measured value stays an exact decimal string.
      assert.equal(typeof anomaly.usualLow, "number");
      assert.equal(typeof anomaly.score, "number");
      assert.equal(typeof anomaly.value, "string");
      assert.ok(anomaly.usualLow <= anomaly.usualHigh);
      if (sensitivity !== "high") assert.ok(anomaly.score >= 1, JSON.stringify(anomaly));
    }
  }
  const error = throwsKind(() => usage.anomalies({ sensitivity: "extreme" }), "InvalidArgument", /anomalies: sensitivity "extreme" is not "low", "medium" or "high"/);
  assert.equal(error.field, "sensitivity");
  assert.equal(error.value, "extreme");
  throwsKind(() => usage.anomalies({ sensitivity: 2 }), "InvalidArgument", /anomalies: sensitivity must be a string, not a number/);
});

/**
 * A synthetic fortnight, 2024-03-01 … 2024-03-14 (Beijing time), hourly: CPU about 10 cores
 * with a small daily rhythm, and a spike to 80 cores from 02:00 to 05:00 on 2024-03-10;
 * Memory a steady 32 GB.
 */
const FORTNIGHT_JSON = (() => {
  const cpu = [];
  const memory = [];
  for (let day = 1; day <= 14; day += 1) {
    for (let hour = 0; hour < 24; hour += 1) {
      const timestamp = Date.parse(`2024-03-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00+08:00`);
      const spike = day === 10 && hour >= 2 && hour < 5;
      cpu.push({ amount: spike ? "80" : String(10 + (hour % 3) * 0.5), timestamp });
      memory.push({ amount: "32", timestamp });
    }
  }
  return JSON.stringify({
    accountId: "a",
    timeSpan: { beginDate: "2024-03-01", endDate: "2024-03-14" },
    graphData: { CPU: { count: cpu.length, unit: "核", dataList: cpu }, Memory: { count: memory.length, unit: "GB", dataList: memory } },
    summary: {},
  });
})();

test("anomalies: the spike of a synthetic fortnight is found, inside its hours", () => {
  const fortnight = api.parseUsage(FORTNIGHT_JSON);
  const spikeStart = Date.parse("2024-03-10T02:00:00+08:00");
  const spikeEnd = Date.parse("2024-03-10T05:00:00+08:00");
  for (const sensitivity of ["low", "medium", "high"]) {
    const found = fortnight.anomalies({ sensitivity }).filter((a) => a.resource === "CPU");
    assert.ok(found.length >= 1, `${sensitivity}: the spike is found`);
    const spike = found.find((a) => a.start <= spikeStart + HOUR && a.end >= spikeStart && a.start < spikeEnd);
    assert.ok(spike, `${sensitivity}: an anomaly overlaps the spike: ${JSON.stringify(found)}`);
    assert.ok(spike.peak >= spikeStart && spike.peak < spikeEnd);
    assert.equal(spike.value, "80");
    assert.ok(spike.usualHigh < 80 && spike.usualLow <= 11, JSON.stringify(spike));
    assert.ok(spike.score > 1, JSON.stringify(spike));
  }
  // Memory never changes: nothing is unusual about it.
  assert.deepEqual(fortnight.anomalies({ sensitivity: "high" }).filter((a) => a.resource === "Memory"), []);
  fortnight.free();
});

test("forecast: a synthetic fortnight forecasts the days after its last day", () => {
  const fortnight = api.parseUsage(FORTNIGHT_JSON);
  const week = fortnight.forecast({ horizon: 5 });
  checkForecast(week, ["CPU", "Memory"]);
  assert.equal(week.lastDay, "2024-03-14");
  for (const entry of week.resources) {
    assert.deepEqual(entry.days.map((d) => d.date), ["2024-03-15", "2024-03-16", "2024-03-17", "2024-03-18", "2024-03-19"]);
    assert.ok(entry.historyDays >= 1);
  }
  // Memory is 32 GB all day, every day: 768 GB-hours a day is what to expect.
  const memory = week.resources[1];
  for (const day of memory.days) {
    assert.ok(day.low <= 768 && 768 <= day.high, JSON.stringify(day));
    assert.ok(Math.abs(day.expected - 768) < 1e-9, JSON.stringify(day));
  }
  const monthEnd = fortnight.forecast();
  checkForecast(monthEnd, ["CPU", "Memory"]);
  assert.equal(monthEnd.resources[0].days.at(-1).date, "2024-03-31");
  fortnight.free();
});
