"""An independent reading of the proxy's /metrics: requests made here with the standard
library, the scrape parsed by PyPI's prometheus_client (text_string_to_metric_families,
the Prometheus text format parser), and every counter compared with the requests made.

    python check_metrics.py --url http://127.0.0.1:PORT --burst N --version X.Y.Z \
        [--error-rate R --retries K] [--token-file FILE]

The proxy must be fresh (nothing counted yet), server-signed in front of a stand-in whose
only fault is an error rate R (the stand-in fails its attempt n, counted from 0, when
floor((n+1)R) > floor(nR)), retrying K times, with a rate limit of N requests per client
and no refill during the run (tests/server/metrics_python.rs starts it so). With
--token-file, /metrics needs `Authorization: Bearer <the file's text, stripped>`, as
Prometheus sends its `credentials_file`: a scrape without it must get 401 and no metrics. The expected counts
come from a model of those rules written here, not from the proxy's code. Prints one line
per check; exits 1 on the first failure.
"""

import argparse
import math
import sys
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

USAGE = "/v1/usage/computing?beginDate={}&endDate={}"
PREFIX = "bec_proxy_"
checks = 0


def check(condition, what):
    global checks
    if not condition:
        print(f"not ok - {what}")
        sys.exit(1)
    checks += 1
    print(f"ok - {what}")


def get(url, headers=None):
    """(status, content type, body) of a GET; error statuses are answers too."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def upstream_model(requests, rate, retries):
    """What `requests` usage requests do upstream: (status of each, attempts, retries,
    failed attempts)."""
    n = attempts = retried = failed = 0
    statuses = []
    for _ in range(requests):
        tries = 0
        while True:
            fails = rate > 0 and math.floor((n + 1) * rate) > math.floor(n * rate)
            n += 1
            attempts += 1
            if not fails:
                statuses.append(200)
                break
            failed += 1
            if tries == retries:
                statuses.append(502)
                break
            tries += 1
            retried += 1
    return statuses, attempts, retried, failed


def families_of(base, headers):
    status, content_type, text = get(base + "/metrics", headers)
    check(status == 200, "GET /metrics answers 200")
    check(content_type.startswith("text/plain; version=0.0.4"), f"Prometheus text format ({content_type})")
    return {family.name: family for family in text_string_to_metric_families(text)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--burst", type=int, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--retries", type=int, default=2)
    parser.add_argument("--token-file")
    args = parser.parse_args()
    headers = {}
    if args.token_file:
        with open(args.token_file) as file:
            headers = {"Authorization": "Bearer " + file.read().strip()}
    base = args.url.rstrip("/")
    burst = args.burst
    statuses, attempts, retried, failed = upstream_model(burst - 1, args.error_rate, args.retries)

    # The requests: burst - 1 answers, one refusal (it spends a token too), then two
    # requests over the limit; a liveness and a readiness probe.
    for day, expected in zip(range(1, burst), statuses):
        date = f"2024-02-{day:02d}"
        check(get(base + USAGE.format(date, date))[0] == expected, f"usage {date} answers {expected}")
    check(get(base + USAGE.format("2024-02-02", "2024-02-01"))[0] == 400, "an end before the beginning: 400")
    for _ in range(2):
        check(get(base + USAGE.format("2024-02-01", "2024-02-01"))[0] == 429, "over the rate limit: 429")
    check(get(base + "/healthz")[0] == 200, "/healthz answers 200")
    check(get(base + "/readyz")[0] == 200, "/readyz answers 200 in front of the stand-in")

    refused_scrapes = 0
    if headers:
        status, _, body = get(base + "/metrics")
        check(status == 401 and PREFIX not in body, "a scrape without the token: 401, no metrics")
        refused_scrapes = 1

    # The first scrape is counted once answered; the second sees it.
    first = families_of(base, headers)
    check(all(s.labels.get("route") != "metrics" or s.labels["status"] != "200" or s.value == 0
              for s in first[PREFIX + "requests"].samples),
          "a scrape is not in its own counts")
    families = families_of(base, headers)

    for name, family in families.items():
        check(name.startswith((PREFIX, "process_")), f"{name}: prefixed {PREFIX}, or a standard process_ series")
        check(family.type in ("counter", "gauge", "histogram"), f"{name}: typed ({family.type})")
        check(family.documentation != "", f"{name}: documented")
    for name in ["requests", "requests_in_flight", "request_duration_seconds",
                 "upstream_latency_seconds", "upstream_retries",
                 "upstream_resigns", "rate_limited", "failed_logins", "build_info"]:
        check(PREFIX + name in families, f"{PREFIX}{name} is exposed")

    def value(name, suffix=""):
        samples = [s for s in families[PREFIX + name].samples if s.name == PREFIX + name + suffix]
        check(len(samples) == 1, f"{PREFIX}{name}{suffix} has one sample")
        return samples[0].value

    all_requests = {(s.labels["route"], s.labels["status"]): s.value
                    for s in families[PREFIX + "requests"].samples}
    # Error series exist at 0 before the first error, so that ratios have a value.
    for series in [("usage", "500"), ("usage", "502"), ("usage", "504"), ("usage", "401"),
                   ("metrics", "401"), ("readyz", "503"), ("login", "429")]:
        check(series in all_requests, f"requests{series} exists from the start")
    requests = {key: value for key, value in all_requests.items() if value != 0}
    expected = {
        ("usage", "400"): 1,
        ("usage", "429"): 2,
        ("healthz", "200"): 1,
        ("readyz", "200"): 1,
        ("metrics", "200"): 1,
    }
    if refused_scrapes:
        expected[("metrics", "401")] = refused_scrapes
    for status in statuses:
        expected[("usage", str(status))] = expected.get(("usage", str(status)), 0) + 1
    check(requests == expected, f"requests by route and status: {requests} == {expected}")
    check(families[PREFIX + "requests"].type == "counter", "requests is a counter")
    check(value("rate_limited", "_total") == 2, "rate_limited_total == 2")
    check(value("requests_in_flight") == 1, "requests_in_flight == 1 (this scrape)")
    check(value("upstream_retries", "_total") == retried, f"upstream_retries_total == {retried}")
    check(value("upstream_resigns", "_total") == 0, "upstream_resigns_total == 0")
    check(value("failed_logins", "_total") == 0, "failed_logins_total == 0")
    all_errors = {s.labels["code"]: s.value for s in families[PREFIX + "upstream_errors"].samples}
    check({"InternalError", "UpstreamTimeout", "SignatureDoesNotMatch", "other"} <= all_errors.keys(),
          "upstream error codes exist from the start")
    errors = {code: value for code, value in all_errors.items() if value != 0}
    check(errors == ({"InternalError": failed} if failed else {}),
          f"upstream errors by code: {errors}, {failed} InternalError expected")

    latency = families[PREFIX + "upstream_latency_seconds"]
    check(latency.type == "histogram", "upstream_latency_seconds is a histogram")
    count = value("upstream_latency_seconds", "_count")
    check(count == attempts, f"every upstream attempt timed: count {count} == {attempts}")
    total = value("upstream_latency_seconds", "_sum")
    check(0 < total < count * 15, f"latency sum {total} s within the attempts' bounds")
    buckets = sorted(
        ((float(s.labels["le"]), s.value) for s in latency.samples if s.name.endswith("_bucket")),
    )
    check(len(buckets) >= 2 and buckets[-1][0] == float("inf"), "buckets end at +Inf")
    check(all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), "buckets are cumulative")
    check(buckets[-1][1] == count, "the +Inf bucket holds every attempt")

    # The proxy's own answer time, by route: one observation per answer counted.
    duration = families[PREFIX + "request_duration_seconds"]
    check(duration.type == "histogram", "request_duration_seconds is a histogram")
    timed = {s.labels["route"]: s.value for s in duration.samples if s.name.endswith("_count")}
    answered = {}
    for (route, _), count_ in all_requests.items():
        answered[route] = answered.get(route, 0) + count_
    check(timed == answered, f"every answer timed, by route: {timed} == {answered}")

    if sys.platform.startswith("linux"):
        for name in ["process_cpu_seconds", "process_resident_memory_bytes", "process_open_fds",
                     "process_start_time_seconds"]:
            check(name in families, f"{name} is exposed")
        check(families["process_resident_memory_bytes"].samples[0].value > 1e6, "resident memory > 1 MB")

    info = families[PREFIX + "build_info"].samples
    check([(s.labels, s.value) for s in info] == [({"version": args.version}, 1.0)],
          f"build_info{{version={args.version!r}}} 1")

    print(f"{checks} checks passed")


if __name__ == "__main__":
    main()
