"""One backend's benchmark, run by `python -m bench` in a subprocess with its own settings.

Loads a fresh database (migrate, regions, standards, `benan demo`, then --hazards bulk-inserted
bench hazards, see bench.hazards, and --resources bulk-inserted emergency resources, see
bench.emergency), runs ANALYZE, then times each query three ways: through the API (Django's test
client, a real bearer token), through the ORM without HTTP, and as the raw SQL the ORM sends (the
floor); the nearest-resource search against the scan of every row. --emergency-only skips the demo,
the hazards and their queries. Writes JSON to --out.

--cases and --accidents bulk-insert enforcement cases, accidents and power alerts (bench.supervision)
after the hazards; the dashboard, map, ranking and monthly circular are timed last.
--supervision-only loads the demo, the hazards and those, and times only the supervision part.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from io import StringIO
from urllib.parse import urlencode

import django

# The province-wide account: its scope is every enterprise, the worst case for a list.
USERNAME, PASSWORD = "sc-office", "demo-2026"
QUERIES = (
    ("first page", {}),
    ("hazchem in Chengdu", {"sector": "hazardous_chemicals", "region": "510100"}),
    ("suspended", {"status": "suspended"}),
)
WARM_UP = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("--enterprises", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--hazards", type=int, default=0, help="bench hazards to bulk-insert and measure")
    parser.add_argument(
        "--demo-hazards", type=int, default=None, help="hazards `benan demo` replays (default: its own)"
    )
    parser.add_argument(
        "--demo-cases", type=int, default=None, help="cases `benan demo` replays (default: its own)"
    )
    parser.add_argument(
        "--demo-accidents", type=int, default=None, help="accidents `benan demo` replays (default: its own)"
    )
    parser.add_argument(
        "--demo-power", type=int, default=None,
        help="metered enterprises of the power demo (default: its own)",
    )
    parser.add_argument(
        "--resources", type=int, default=0, help="emergency resources to bulk-insert and measure"
    )
    parser.add_argument(
        "--emergency-only", action="store_true",
        help="no demo, no hazards, no enterprise or hazard queries: only the emergency resources",
    )
    parser.add_argument(
        "--cases", type=int, default=0, help="bench enforcement cases to bulk-insert (bench.supervision)"
    )
    parser.add_argument("--accidents", type=int, default=0, help="bench accidents to bulk-insert")
    parser.add_argument(
        "--alerts", type=int, default=None,
        help="bench power alerts to bulk-insert (default: one per eight cases)",
    )
    parser.add_argument(
        "--supervision-requests", type=int, default=None,
        help="timed requests per supervision query (default: --requests)",
    )
    parser.add_argument(
        "--circular-runs", type=int, default=None, help="timed builds of each monthly circular (default 5)"
    )
    parser.add_argument(
        "--supervision-only", action="store_true",
        help="demo, hazards and the supervision rows; only the supervision part is timed (no resources)",
    )
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--measure-only", action="store_true",
        help="measure the database as it is (no migrate, no demo): for trying an index by hand",
    )
    return parser.parse_args(argv)


def timed(fn, repeat: int) -> list[float]:
    for _ in range(WARM_UP):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


class Recorder:
    """Every query a block sends, with its time: an execute wrapper, because the test client's
    request_started signal clears connection.queries mid-request and confuses CaptureQueriesContext."""

    def __init__(self):
        self.queries: list[dict] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append({
                "sql": sql, "params": [str(p) for p in params or ()],
                "ms": round((time.perf_counter() - started) * 1000, 3),
            })


def explain(cursor, vendor: str, sql: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]
    cursor.execute("EXPLAIN QUERY PLAN " + sql)
    return [f"{row[0]}|{row[1]}| {row[3]}" for row in cursor.fetchall()]


def measure(client, headers, vendor: str, label: str, path: str, orm, capture, repeat: int) -> dict:
    """Time `path` through the API, `orm()` without HTTP, and the SQL `capture()` sends, run raw."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.stats import summary

    def api():
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.content[:300]!r}")
        return response

    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        body = api().json()
    with CaptureQueriesContext(connection) as captured:
        capture()
    raw_sql = [q["sql"] for q in captured.captured_queries]

    def raw():
        with connection.cursor() as cursor:
            for sql in raw_sql:
                cursor.execute(sql)
                cursor.fetchall()

    api_samples = timed(api, repeat)
    orm_samples = timed(orm, repeat)
    raw_samples = timed(raw, repeat)
    with connection.cursor() as cursor:
        plans = [{"sql": sql, "plan": explain(cursor, vendor, sql)} for sql in raw_sql]
    result = {
        "query": label,
        "path": path,
        # A list answers with its count; the statistics with the number of hazards they count.
        "count": body["count"] if "count" in body else body["found"],
        "api": summary(api_samples),
        "orm": summary(orm_samples),
        "raw_sql": summary(raw_samples),
        "request_queries": recorder.queries,
        "plans": plans,
    }
    print(f"[{vendor}] {label}: {result['count']} rows, API p95 {result['api']['p95_ms']:.1f} ms", flush=True)
    return result


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benan.settings")
    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench import emergency as bench_emergency
    from bench import hazards as bench_hazards
    from bench import supervision as bench_supervision

    vendor = connection.vendor
    out, demo_seconds, hazard_load, emergency_load = StringIO(), None, None, None
    supervision = bool(args.cases or args.accidents) and not args.emergency_only
    supervision_load = supervision_results = None
    if not args.measure_only:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_regions", stdout=StringIO())
        call_command("load_standards", stdout=StringIO())
        if not args.emergency_only:
            started = time.perf_counter()
            call_command(
                "demo", enterprises=args.enterprises, seed=args.seed, hazards=args.demo_hazards,
                cases=args.demo_cases, accidents=args.demo_accidents, power=args.demo_power, stdout=out
            )
            demo_seconds = round(time.perf_counter() - started, 2)
            print(f"[{vendor}] {out.getvalue().strip()}", flush=True)
        if args.hazards and not args.emergency_only:
            hazard_load = bench_hazards.load(
                n=args.hazards, seed=args.seed, progress=lambda line: print(f"[{vendor}] {line}", flush=True)
            )
        if supervision:
            supervision_load = bench_supervision.load(
                n_cases=args.cases, n_accidents=args.accidents, n_alerts=args.alerts, seed=args.seed,
                progress=lambda line: print(f"[{vendor}] {line}", flush=True),
            )
        if args.resources and not args.supervision_only:
            emergency_load = bench_emergency.load(
                n=args.resources, seed=args.seed,
                progress=lambda line: print(f"[{vendor}] {line}", flush=True),
            )

    with connection.cursor() as cursor:
        # Fresh tables have no statistics; production databases do (autovacuum, or ANALYZE after a load).
        # On PostgreSQL VACUUM too: after a bulk load the visibility map is empty, so index-only scans
        # would visit the heap until autovacuum ran (and it might run in the middle of the timing).
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
        analyze_seconds = time.perf_counter() - started
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        else:
            version = sqlite3.sqlite_version

    # The test client's default host "testserver" is not in ALLOWED_HOSTS outside the test runner.
    client = Client(SERVER_NAME="localhost")
    results, hazard_results, hazard_rows = [], [], 0
    if not (args.emergency_only or args.supervision_only):
        results, hazard_rows, hazard_results = measure_ledgers(client, vendor, args)

    emergency_results = []
    if bench_emergency.loaded() and not args.supervision_only:
        emergency_results = bench_emergency.measure(client, requests=args.requests, seed=args.seed)

    if supervision:
        supervision_results = bench_supervision.measure_or_error(
            client, requests=args.supervision_requests or args.requests,
            circular_runs=args.circular_runs or bench_supervision.CIRCULAR_RUNS,
        )

    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump({
            "backend": vendor,
            "version": version,
            "enterprises": args.enterprises,
            "emergency_only": args.emergency_only,
            "demo_seconds": demo_seconds,
            "demo_output": out.getvalue().strip(),
            "hazard_rows": hazard_rows,
            "hazard_load": hazard_load,
            "emergency_load": emergency_load,
            "analyze_seconds": round(analyze_seconds, 3),
            "requests": args.requests,
            "queries": results,
            "hazard_queries": hazard_results,
            "emergency_queries": emergency_results,
            "supervision_load": supervision_load,
            "supervision": supervision_results,
        }, fh, ensure_ascii=False, indent=2)


def measure_ledgers(client, vendor: str, args: argparse.Namespace) -> tuple[list[dict], int, list[dict]]:
    """The enterprise list and the hazard queries, as sc-office."""
    from benan.core.models import User
    from benan.core.pagination import paginate
    from benan.enterprises import queries
    from benan.hazards.models import Hazard
    from bench import hazards as bench_hazards

    response = client.post(
        "/api/v1/auth/token", {"username": USERNAME, "password": PASSWORD}, content_type="application/json"
    )
    if response.status_code != 200:
        sys.exit(f"could not get a token for {USERNAME}: {response.status_code} {response.content!r}")
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    user = User.objects.select_related("region").get(username=USERNAME)

    results = []
    for label, params in QUERIES:
        path = "/api/v1/enterprises" + (f"?{urlencode(params)}" if params else "")

        def orm(params=params):
            # What the endpoint does, without HTTP, authentication and JSON.
            queryset = queries.enterprises(user, queries.EnterpriseFilter(**params))
            page = paginate(queryset, page=1, size=20)
            queries.statuses_on([e.pk for e in page.items])
            return page

        def count_and_page(params=params):
            # The count and the page, exactly as the ORM sends them: the floor under the API's time.
            paginate(queries.enterprises(user, queries.EnterpriseFilter(**params)), page=1, size=20)

        results.append(measure(client, headers, vendor, label, path, orm, count_and_page, args.requests))

    hazard_results = []
    hazard_rows = Hazard.objects.count()
    if hazard_rows:
        for label, path, call, target in bench_hazards.QUERIES:
            # The floor is every query the ORM call sends (region checks, count, page, listings).
            result = measure(client, headers, vendor, label, path, lambda call=call: call(user),
                             lambda call=call: call(user), args.requests)
            hazard_results.append({**result, "target_ms": target})
    return results, hazard_rows, hazard_results


if __name__ == "__main__":
    main()
