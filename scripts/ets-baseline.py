"""The ETS baseline of the forecast's evaluation, from statsmodels (not from our code): for every
CSV of a folder of real series (default target/real-series/), every calendar month the data
wholly covers, cut at day 10 and day 20, Holt-Winters' exponential smoothing with an additive
weekly season (statsmodels' ExponentialSmoothing(seasonal="add", seasonal_periods=7),
initial states estimated, parameters fitted by least squares) is fitted to the daily
unit-hours up to the cut and forecasts the month's remaining days. The 80 % interval of the
remaining sum is the 10th to 90th percentile of 1,000 simulated paths (the fitted model's
residuals' variance, normal errors; seeded). With under two weeks of history the baseline is
seasonal naive (statsmodels needs two seasons).

Writes `series,cut,truth,expected,low,high` (month-end totals, unit-hours) to
target/real-series-ets/ets.csv, read by `examples/real_scores` (`--forecast`). Daily
unit-hours are counted as the core counts them: a point stands for the time to the next
point, the last one for the median step. Run by scripts/setup.sh; a second run with the
output newer than every CSV does nothing.
"""

import calendar
import glob
import os
import sys
import warnings

VERSION = "2"


def daily(path):
    d = pd.read_csv(path, parse_dates=["timestamp"]).dropna()
    d = d.drop_duplicates("timestamp").sort_values("timestamp")
    steps = d.timestamp.diff().shift(-1)
    step = d.timestamp.diff().median()
    steps = steps.fillna(step)
    hours = (steps / pd.Timedelta(hours=1)).clip(upper=3 * step / pd.Timedelta(hours=1))
    d["uh"] = d.value * hours
    s = d.groupby(d.timestamp.dt.normalize()).uh.sum()
    return s.asfreq("D", fill_value=0.0)


def cuts(s):
    first, last = s.index[0], s.index[-1]
    for y in range(first.year, last.year + 1):
        for m in range(1, 13):
            start = pd.Timestamp(y, m, 1)
            end = pd.Timestamp(y, m, calendar.monthrange(y, m)[1])
            if start >= first and end <= last:
                for day in (10, 20):
                    yield start, pd.Timestamp(y, m, day), end


def ets(history, h, rng):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    if len(history) < 14:
        path = np.resize(history[-7:], h) if len(history) >= 7 else np.full(h, history.mean())
        return path.sum(), path.sum(), path.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(
            history, seasonal="add", seasonal_periods=7, initialization_method="estimated"
        ).fit()
        sims = fit.simulate(h, repetitions=1000, error="add", random_state=rng)
    sums = np.asarray(sims).reshape(h, -1).sum(axis=0)
    return fit.forecast(h).sum(), np.quantile(sums, 0.1), np.quantile(sums, 0.9)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "target/real-series"
    out = sys.argv[2] if len(sys.argv) > 2 else "target/real-series-ets/ets.csv"
    files = sorted(glob.glob(os.path.join(folder, "**", "*.csv"), recursive=True))
    stamp = out + ".version"
    if os.path.exists(out) and os.path.exists(stamp):
        with open(stamp) as f:
            current = f.read().strip() == VERSION
        if current and all(os.path.getmtime(p) <= os.path.getmtime(out) for p in files):
            return
    global np, pd
    import numpy as np
    import pandas as pd

    rng = np.random.RandomState(21)
    rows = []
    for path in files:
        name = os.path.relpath(path, folder).replace(os.sep, "/")
        s = daily(path)
        y = s.to_numpy(dtype=float)
        for start, cut, end in cuts(s):
            i0, ic, ie = (s.index.get_loc(t) for t in (start, cut, end))
            truth = y[i0 : ie + 1].sum()
            so_far = y[i0 : ic + 1].sum()
            expected, low, high = ets(y[: ic + 1], ie - ic, rng)
            rows.append((name, cut.date().isoformat(), truth, so_far + expected, so_far + low, so_far + high))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".tmp", "w") as f:
        f.write("series,cut,truth,expected,low,high\n")
        for row in rows:
            f.write("%s,%s,%r,%r,%r,%r\n" % (row[0], row[1], *map(float, row[2:])))
    os.replace(out + ".tmp", out)
    with open(stamp, "w") as f:
        f.write(VERSION + "\n")
    print(f"ets-baseline: {len(rows)} cuts of {len(files)} series into {out}")


if __name__ == "__main__":
    main()
