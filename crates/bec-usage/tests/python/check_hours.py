#!/usr/bin/env python3
"""An independent check of the core's resource-hours and costs, with numpy and pandas.

Each case folder, written by the example `hours_oracle` (examples/hours_oracle.rs), holds
the response the core read (`response.json`), the price sheet (`prices.json`), the case's
parameters (`case.json`, among them the UTC offset the days are counted in) and the core's
results (`core.json`). This script reads the same response with Python's `json` module,
counts by the documented rules of `analysis::hours` and `analysis::cost` on its own,
vectorised, and compares:

- the usual step, the covered and gap milliseconds, the number of gaps and the list of
  days of every resource: exactly;
- unit-hours per resource per local day and for the range, and costs per day, per
  resource and in all: in float64 (relative 1e-9), and exactly (Python integers and
  fractions from the amounts' decimal text; the core rounds each quotient to 28
  significant digits, so relative 1e-24).

The rules, from the module docs of `analysis::hours`:

- points are put in time order (a stable sort: of equal timestamps the one sent last
  stands for the interval, the others count for nothing);
- the usual step is the lower median of the positive distances between consecutive points;
  a series without one borrows the lower median of the other series' steps;
- a point stands until the next when that comes within 3 usual steps, else for one step
  and the rest is a gap; the last point stands for one step, cut at the end of the range
  (local midnight after `timeSpan.endDate`);
- a point's interval is split at local midnight.

Tiers (`analysis::cost`) are graduated over the range and fill in time order, day by day.

    python3 check_hours.py DIR [DIR ...]   # case folders, or folders of case folders

Ends with `N passed, N failed` (one per case); exits non-zero when a case failed. The
`--fill-limit`, `--no-end-cut`, `--upper-median` and `--first-of-repeats` options change a rule, to see that the
check fails when the rules differ.
"""

import argparse
import json
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
# Amounts have at most 9 decimal places; scaled by 10^9 they are integers.
SCALE = 10**9
FLOAT_REL_TOL = 1e-9
EXACT_REL_TOL = Fraction(1, 10**24)


def lower_median(values):
    """The lower median of a 1-D integer array; None when empty."""
    if len(values) == 0:
        return None
    ordered = np.sort(values)
    return int(ordered[(len(ordered) - 1) // 2])


def upper_median(values):
    if len(values) == 0:
        return None
    ordered = np.sort(values)
    return int(ordered[len(ordered) // 2])


def read_series(response):
    """One DataFrame per resource: ts (int64), amount (float64), scaled (exact ints), in
    the order the response sent them."""
    series = []
    for name, entry in response["graphData"].items():
        points = entry["dataList"]
        amounts = [p["amount"] for p in points]
        frame = pd.DataFrame(
            {
                "ts": np.array([p["timestamp"] for p in points], dtype=np.int64),
                "amount": np.array([float(a) for a in amounts], dtype=np.float64),
                # Decimal (or int) times 10^9 is an exact integer: amounts have at most 9
                # decimal places.
                "scaled": pd.Series(
                    [int(Decimal(a).scaleb(9)) for a in amounts], dtype=object
                ),
            }
        )
        series.append((name, entry["unit"], frame))
    return series


def day_start_ms(date_text):
    """Epoch milliseconds of UTC midnight of a calendar day (its day number × DAY_MS)."""
    return int(pd.Timestamp(date_text, tz="UTC").value // 1_000_000)


def resource_hours(frame, step, end_ms, offset_ms, rules):
    """The per-day table (day number, float unit-ms, exact scaled unit-ms, covered ms)
    and the gaps (count, ms) of one series."""
    if rules.first_of_repeats:  # (mutation) of equal timestamps the first sent stands
        frame = frame.iloc[::-1]
    ordered = frame.sort_values("ts", kind="stable").reset_index(drop=True)
    ts = ordered["ts"].to_numpy(dtype=np.int64)
    n = len(ts)
    step_ms = 0 if step is None else step
    limit = step_ms * rules.fill_limit
    distance = np.diff(ts)  # to the next point; the last point has none
    duration = np.empty(n, dtype=np.int64)
    duration[:-1] = np.where(distance <= limit, distance, step_ms)
    if n:
        last = step_ms if rules.no_end_cut else max(0, min(step_ms, end_ms - int(ts[-1])))
        duration[-1] = last
    gap = distance > limit
    gap_count = int(gap.sum())
    gap_ms = int((distance[gap] - step_ms).sum())

    # Split every interval [start, start + duration) at local midnight: repeat each
    # interval once per local day it touches and clip each copy to its day.
    keep = duration > 0
    local_start = ts[keep] + offset_ms
    local_end = local_start + duration[keep]
    first_day = np.floor_divide(local_start, DAY_MS)
    last_day = np.floor_divide(local_end - 1, DAY_MS)
    pieces = last_day - first_day + 1
    source = np.repeat(np.arange(len(local_start)), pieces)
    within = np.arange(len(source)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    day = first_day[source] + within
    piece_ms = np.minimum(local_end[source], (day + 1) * DAY_MS) - np.maximum(
        local_start[source], day * DAY_MS
    )
    kept = ordered[keep].reset_index(drop=True)
    parts = pd.DataFrame(
        {
            "day": day,
            "ms": piece_ms,
            "float_ms": kept["amount"].to_numpy()[source] * piece_ms,
            "exact_ms": kept["scaled"].to_numpy()[source] * piece_ms.astype(object),
        }
    )
    parts = parts[parts["ms"] > 0]
    days = (
        parts.groupby("day", sort=True)
        .agg(covered=("ms", "sum"), float_ms=("float_ms", "sum"), exact_ms=("exact_ms", "sum"))
        .reset_index()
    )
    return days, gap_count, gap_ms


def parse_tiers(price):
    """[(up_to Fraction or None, price Fraction)] from a sheet entry."""
    if isinstance(price, list):
        return [
            (None if "upTo" not in t else Fraction(Decimal(str(t["upTo"]))), Fraction(Decimal(str(t["price"]))))
            for t in price
        ]
    return [(None, Fraction(Decimal(str(price))))]


def graduated_float(cumulative, tiers):
    """The cost of the first `cumulative` unit-hours (an array) under graduated tiers."""
    cost = np.zeros_like(cumulative)
    low = 0.0
    for up_to, price in tiers:
        high = np.inf if up_to is None else float(up_to)
        cost += float(price) * np.clip(cumulative - low, 0.0, high - low)
        low = high
    return cost


def graduated_exact(cumulative, tiers):
    """The same, for one Fraction."""
    cost = Fraction(0)
    low = Fraction(0)
    for up_to, price in tiers:
        room = cumulative - low if up_to is None else min(cumulative, up_to) - low
        if room > 0:
            cost += price * room
        if up_to is not None:
            low = up_to
    return cost


class Diffs:
    """The largest differences seen, and the mismatches."""

    def __init__(self):
        self.max_abs = 0.0
        self.max_rel = 0.0
        self.max_exact_rel = Fraction(0)
        self.compared = 0
        self.errors = []

    def number(self, what, core_text, ours_float, ours_exact):
        core = Decimal(core_text)
        core_float = float(core)
        self.compared += 1
        abs_diff = abs(core_float - ours_float)
        rel = abs_diff / max(abs(core_float), abs(ours_float), 1e-300)
        if core_float == ours_float:
            rel = 0.0
        self.max_abs = max(self.max_abs, abs_diff)
        self.max_rel = max(self.max_rel, rel)
        exact_diff = abs(Fraction(core) - ours_exact)
        exact_rel = exact_diff / max(abs(ours_exact), Fraction(1, 10**30))
        self.max_exact_rel = max(self.max_exact_rel, exact_rel)
        if abs_diff > FLOAT_REL_TOL * max(abs(core_float), abs(ours_float), 1.0):
            self.errors.append(f"{what}: core {core_text}, float64 {float(ours_float)!r} (diff {abs_diff:.3g})")
        elif exact_rel > EXACT_REL_TOL:
            self.errors.append(f"{what}: core {core_text}, exact {float(ours_exact)!r} (rel {float(exact_rel):.3g})")

    def equal(self, what, core, ours):
        if core != ours:
            self.errors.append(f"{what}: core {core}, ours {ours}")


def check_case(folder, rules):
    case = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    core = json.loads((folder / "core.json").read_text(encoding="utf-8"))
    sheet = json.loads((folder / "prices.json").read_text(encoding="utf-8"), parse_float=Decimal)
    with open(folder / "response.json", encoding="utf-8") as f:
        response = json.load(f, parse_float=Decimal)

    offset_ms = case["analysisOffsetMinutes"] * 60_000
    end_date = pd.Timestamp(response["timeSpan"]["endDate"]) + pd.Timedelta(days=1)
    end_ms = day_start_ms(end_date.strftime("%Y-%m-%d")) - offset_ms
    series = read_series(response)
    median = upper_median if rules.upper_median else lower_median
    steps = []
    for _, _, frame in series:
        ts = np.sort(frame["ts"].to_numpy(dtype=np.int64))
        d = np.diff(ts)
        steps.append(median(d[d > 0]))
    known = np.array([s for s in steps if s is not None], dtype=np.int64)
    fallback = median(known)
    prices = {name: parse_tiers(p) for name, p in sheet["prices"].items()}

    diffs = Diffs()
    core_by_name = {r["name"]: r for r in core["resources"]}
    diffs.equal("resources", [r["name"] for r in core["resources"]], [s[0] for s in series])
    unpriced = []
    total_float = 0.0
    total_exact = Fraction(0)
    day_count = 0
    all_dates = set()
    for (name, unit, frame), step in zip(series, steps):
        step = step if step is not None else fallback
        ours, gap_count, gap_ms = resource_hours(frame, step, end_ms, offset_ms, rules)
        theirs = core_by_name.get(name)
        if theirs is None:
            diffs.errors.append(f"{name}: missing from core.json")
            continue
        diffs.equal(f"{name} unit", theirs["unit"], unit)
        diffs.equal(f"{name} step ms", theirs["stepMs"], step)
        diffs.equal(f"{name} gap ms", theirs["gapMs"], gap_ms)
        diffs.equal(f"{name} gaps", theirs["gaps"], gap_count)
        diffs.equal(f"{name} covered ms", theirs["coveredMs"], int(ours["covered"].sum()))
        dates = [
            (pd.Timestamp(0, tz="UTC") + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d")
            for d in ours["day"]
        ]
        diffs.equal(f"{name} days", [d["date"] for d in theirs["days"]], dates)
        if len(theirs["days"]) != len(dates):
            continue
        hours_float = ours["float_ms"].to_numpy(dtype=np.float64) / HOUR_MS
        hours_exact = [Fraction(int(s), SCALE * HOUR_MS) for s in ours["exact_ms"]]
        tiers = prices.get(name)
        if tiers is None:
            unpriced.append(name)
        else:
            cumulative = np.cumsum(hours_float)
            costs_float = np.diff(graduated_float(np.concatenate(([0.0], cumulative)), tiers))
            costs_exact = []
            used = Fraction(0)
            for h in hours_exact:
                costs_exact.append(graduated_exact(used + h, tiers) - graduated_exact(used, tiers))
                used += h
        for i, day in enumerate(theirs["days"]):
            where = f"{name} {day['date']}"
            diffs.equal(f"{where} covered ms", day["coveredMs"], int(ours["covered"].iloc[i]))
            diffs.number(f"{where} hours", day["hours"], hours_float[i], hours_exact[i])
            if tiers is None:
                diffs.equal(f"{where} cost", day["cost"], None)
            else:
                diffs.number(f"{where} cost", day["cost"], costs_float[i], costs_exact[i])
            day_count += 1
            all_dates.add(day["date"])
        diffs.number(f"{name} total hours", theirs["totalHours"], hours_float.sum(), sum(hours_exact, Fraction(0)))
        if tiers is None:
            diffs.equal(f"{name} cost", theirs["cost"], None)
        else:
            diffs.number(f"{name} cost", theirs["cost"], costs_float.sum(), sum(costs_exact, Fraction(0)))
            total_float += costs_float.sum()
            total_exact += sum(costs_exact, Fraction(0))
    diffs.equal("unpriced", core["unpriced"], unpriced)
    diffs.number("total cost", core["totalCost"], total_float, total_exact)

    ok = not diffs.errors
    print(
        f"{'ok    ' if ok else 'FAILED'} {case['name']}: {len(series)} resources x "
        f"{len(all_dates)} days: {day_count} resource-days, "
        f"{diffs.compared} numbers compared; float64 max abs diff {diffs.max_abs:.3g}, "
        f"max rel diff {diffs.max_rel:.3g}; exact max rel diff {float(diffs.max_exact_rel):.3g}"
    )
    for error in diffs.errors[:10]:
        print(f"    {error}")
    if len(diffs.errors) > 10:
        print(f"    ... and {len(diffs.errors) - 10} more")
    return ok


def case_folders(paths):
    folders = []
    for path in map(Path, paths):
        if (path / "core.json").is_file():
            folders.append(path)
        else:
            folders.extend(sorted(p.parent for p in path.glob("*/core.json")))
    return folders


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", help="case folders, or folders of them")
    parser.add_argument("--fill-limit", type=int, default=3, help="(for mutation) steps filled")
    parser.add_argument("--no-end-cut", action="store_true", help="(for mutation) no cut at the end")
    parser.add_argument("--upper-median", action="store_true", help="(for mutation) upper median step")
    parser.add_argument(
        "--first-of-repeats", action="store_true", help="(for mutation) the first of equal timestamps stands"
    )
    rules = parser.parse_args()
    folders = case_folders(rules.folders)
    if not folders:
        print("no case folders (with core.json) found", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    print(f"pandas {pd.__version__}, numpy {np.__version__}")
    passed = failed = 0
    for folder in folders:
        try:
            ok = check_case(folder, rules)
        except Exception as error:  # a broken case is a failed case, the others still run
            print(f"FAILED {folder.name}: {type(error).__name__}: {error}")
            ok = False
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
