"""`python -m bench`: run the worker on SQLite and on a throwaway PostgreSQL, print the tables
(the enterprise list; the hazard list and statistics on a bulk-loaded ledger, see bench.hazards;
the nearest emergency resources on --resources bulk-loaded ones against the scan of every row, see
bench.emergency). `--emergency-only` runs only the last (no demo, no hazards, no power suite).

The supervision part (bench.supervision): --cases enforcement cases, --accidents accidents and
power alerts bulk-loaded after the hazards; the province's dashboard (API and page), map and ranking
timed like the hazard queries, and the monthly circular of the province and of Chengdu built five
times each. `--supervision-only` loads the demo, the hazards and those, and times only that part
(no emergency resources, no power suite); it needs the hazards, so it saves the other timings, not
the load. `--cases 0 --accidents 0` skips it.

Then the power suite (bench.power: detector quality and throughput); `--power` runs only it,
`--power-quick` only its quality part, `--no-power` skips it.

Every run starts from fresh databases (var/bench/sqlite is deleted, the PostgreSQL cluster in
var/bench/pg is recreated and stopped at the end). Results go to var/bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from bench import power

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_SCRIPT = ROOT / "scripts" / "pg.sh"
TARGET_MS = 50.0
BACKENDS = ("sqlite", "postgresql")
SUPERVISION_REQUESTS = 50  # the dashboard's reads take tenths of a second: fewer requests than the lists
CIRCULAR_RUNS = 5  # bench.supervision.CIRCULAR_RUNS (that module needs Django set up)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--enterprises", type=int, default=100_000, help="demo size (default 100000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per query (default 200)")
    parser.add_argument(
        "--hazards", type=int, default=1_000_000,
        help="bench hazards bulk-inserted for the hazard queries (default 1000000; 0 skips them)",
    )
    parser.add_argument(
        "--demo-hazards", type=int, default=0,
        help="hazards `benan demo` replays through the services (default 0: its own default, 5,000 at "
        "100,000 enterprises, adds about 100 s per backend; the bench ledger is bulk-loaded instead)",
    )
    parser.add_argument(
        "--demo-cases", type=int, default=0,
        help="enforcement cases `benan demo` replays through the services (default 0; its own default is "
        "one per eight enterprises, at most 3,000, about 70 s per backend at 100,000 enterprises)",
    )
    parser.add_argument(
        "--demo-accidents", type=int, default=0,
        help="accidents `benan demo` replays through the services (default 0; its own default is one per "
        "forty enterprises, at most 300, about 20 s per backend at 100,000 enterprises)",
    )
    parser.add_argument(
        "--demo-power", type=int, default=0,
        help="metered enterprises of the power demo (default 0: no lake is written under var/bench)",
    )
    parser.add_argument(
        "--resources", type=int, default=50_000,
        help="emergency resources bulk-inserted for the nearest search (default 50000; 0 skips them)",
    )
    parser.add_argument(
        "--emergency-only", action="store_true",
        help="only the nearest search on the bench resources: no demo, no hazards, no power suite",
    )
    parser.add_argument(
        "--cases", type=int, default=40_000,
        help="enforcement cases bulk-inserted for the supervision part (default 40000; with --accidents 0, "
        "0 skips the part)",
    )
    parser.add_argument(
        "--accidents", type=int, default=3_000,
        help="accidents bulk-inserted for the supervision part (default 3000)",
    )
    parser.add_argument(
        "--alerts", type=int, default=None, help="power alerts bulk-inserted (default one per eight cases)"
    )
    parser.add_argument(
        "--supervision-requests", type=int, default=SUPERVISION_REQUESTS,
        help=f"timed requests per supervision query (default {SUPERVISION_REQUESTS}, at most --requests)",
    )
    parser.add_argument(
        "--circular-runs", type=int, default=CIRCULAR_RUNS,
        help=f"timed builds of each monthly circular (default {CIRCULAR_RUNS})",
    )
    parser.add_argument(
        "--supervision-only", action="store_true",
        help="demo, hazards and the supervision rows; only the supervision part is timed (no emergency "
        "resources, no power suite)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma separated: sqlite,postgresql")
    parser.add_argument("--pg-port", type=int, default=54330)
    parser.add_argument("--plans", action="store_true", help="print every query plan, not only the slow ones")
    power.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.no_power and (args.power or args.power_quick):
        parser.error("--no-power with --power or --power-quick")
    if args.emergency_only and (args.power or args.power_quick):
        parser.error("--emergency-only with --power or --power-quick")
    if args.emergency_only and not args.resources:
        parser.error("--emergency-only with --resources 0")
    if args.supervision_only and (args.emergency_only or args.power or args.power_quick):
        parser.error("--supervision-only with --emergency-only, --power or --power-quick")
    if args.supervision_only and not (args.cases or args.accidents):
        parser.error("--supervision-only with --cases 0 and --accidents 0")
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    return args


def run_worker(backend: str, args: argparse.Namespace, database_url: str | None) -> dict:
    var_dir = VAR / backend
    shutil.rmtree(var_dir, ignore_errors=True)  # a fresh SQLite file (and Huey queue) every run
    var_dir.mkdir(parents=True)
    out = var_dir / "result.json"
    env = {
        **os.environ, "DEBUG": "1", "BENAN_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "benan.settings",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [
        sys.executable, "-m", "bench.worker", "--enterprises", str(args.enterprises),
        "--seed", str(args.seed), "--requests", str(args.requests), "--out", str(out),
        "--hazards", str(args.hazards), "--resources", str(args.resources),
    ]
    if args.emergency_only:
        command.append("--emergency-only")
    command += ["--cases", str(args.cases), "--accidents", str(args.accidents),
                "--supervision-requests", str(min(args.supervision_requests, args.requests)),
                "--circular-runs", str(args.circular_runs)]
    if args.alerts is not None:
        command += ["--alerts", str(args.alerts)]
    if args.supervision_only:
        command.append("--supervision-only")
    if args.demo_hazards is not None:
        command += ["--demo-hazards", str(args.demo_hazards)]
    if args.demo_cases is not None:
        command += ["--demo-cases", str(args.demo_cases)]
    if args.demo_accidents is not None:
        command += ["--demo-accidents", str(args.demo_accidents)]
    if args.demo_power is not None:
        command += ["--demo-power", str(args.demo_power)]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    result = json.loads(out.read_text(encoding="utf-8"))
    result["worker_seconds"] = round(time.perf_counter() - started, 1)
    return result


def start_postgres(port: int) -> str:
    pg_dir = VAR / "pg"
    # A cluster left by an interrupted run is stopped and thrown away: every run starts empty.
    subprocess.run(["bash", str(PG_SCRIPT), "stop", str(pg_dir)], cwd=ROOT, check=False)
    shutil.rmtree(pg_dir, ignore_errors=True)
    done = subprocess.run(
        ["bash", str(PG_SCRIPT), "start", str(pg_dir), str(port)], cwd=ROOT, check=True,
        capture_output=True, text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def stop_postgres() -> None:
    subprocess.run(["bash", str(PG_SCRIPT), "stop", str(VAR / "pg")], cwd=ROOT, check=False)


def target_of(query: dict) -> float:
    return query.get("target_ms", TARGET_MS)


def is_slow(query: dict) -> bool:
    return max(query["api"]["p95_ms"], query["raw_sql"]["p95_ms"]) > target_of(query)


def row_cells(backend: str, query: dict) -> list[str]:
    api, orm, raw = query["api"], query["orm"], query["raw_sql"]
    target = target_of(query)
    over = [name for name, s in (("API", api), ("raw SQL", raw)) if s["p95_ms"] > target]
    return [
        backend, query["query"], str(query["count"]),
        f"{api['p50_ms']:.1f}", f"{api['p95_ms']:.1f}", f"{api['max_ms']:.1f}",
        f"{orm['p50_ms']:.1f}", f"{orm['p95_ms']:.1f}",
        f"{raw['p50_ms']:.1f}", f"{raw['p95_ms']:.1f}",
        f"OVER {target:.0f} ms ({', '.join(over)})" if over else f"ok (<= {target:.0f} ms)",
    ]


EMERGENCY_HEADER = ["backend", "account", "points", "variant", "rows", "p50", "p95", "max", "ORM p95",
                    "stmts", "scan p50", "scan p95", "speed-up", "p95 target"]


def emergency_cells(backend: str, query: dict) -> list[str]:
    api, orm, scan = query["api"], query["orm"], query["baseline_api"]
    target = target_of(query)
    return [
        backend, query["account"], query["points"], query["query"], str(query["rows"]),
        f"{api['p50_ms']:.1f}", f"{api['p95_ms']:.1f}", f"{api['max_ms']:.1f}", f"{orm['p95_ms']:.1f}",
        f"{query['statements']['mean']:.1f}/{query['statements']['max']}",
        f"{scan['p50_ms']:.1f}", f"{scan['p95_ms']:.1f}", f"{query['speed_up_p95']:.1f}x",
        f"OVER {target:.0f} ms" if api["p95_ms"] > target else f"ok (<= {target:.0f} ms)",
    ]


SUPERVISION_HEADER = ["backend", "query", "stmts", "HTTP p50", "HTTP p95", "HTTP max", "ORM p50", "ORM p95",
                      "raw p50", "raw p95", "p95 target"]
CIRCULAR_HEADER = ["backend", "circular", "month", "stmts", "build p50", "build max", "figures p50",
                   "docx KB", "target"]


def supervision_slow(query: dict) -> bool:
    """Over its target: through HTTP, or without HTTP when the endpoint or page is not there yet."""
    target = query.get("target_ms")
    measured = [s["p95_ms"] for s in (query["http"], query["orm"]) if s]
    return bool(target and measured and max(measured) > target)


def supervision_cells(backend: str, query: dict) -> list[str]:
    def ms(stats: dict | None, key: str) -> str:
        return f"{stats[key]:.1f}" if stats else "-"

    http, orm, raw, target = query["http"], query["orm"], query["raw_sql"], query.get("target_ms")
    if target is None:
        verdict = "no target"
    elif not (http or orm):
        verdict = "-"
    else:
        verdict = f"OVER {target:.0f} ms" if supervision_slow(query) else f"ok (<= {target:.0f} ms)"
    if query["note"]:
        verdict += f"; {query['note']}"
    return [
        backend, query["query"], str(query["statements"] or "-"),
        ms(http, "p50_ms"), ms(http, "p95_ms"), ms(http, "max_ms"), ms(orm, "p50_ms"), ms(orm, "p95_ms"),
        ms(raw, "p50_ms"), ms(raw, "p95_ms"), verdict,
    ]


def circular_slow(circular: dict) -> bool:
    return circular["build"]["max_ms"] > circular["target_s"] * 1000


def circular_cells(backend: str, circular: dict) -> list[str]:
    build, target = circular["build"], circular["target_s"]
    return [
        # The region's code (a Chinese name would be two columns wide and skew the table).
        backend, circular["region"], circular["month"],
        str(circular["statements"]), f"{build['p50_ms'] / 1000:.2f} s", f"{build['max_ms'] / 1000:.2f} s",
        f"{circular['gather']['p50_ms'] / 1000:.2f} s", f"{circular['bytes'] / 1024:.0f}",
        f"OVER {target:.0f} s" if circular_slow(circular) else f"ok (<= {target:.0f} s)",
    ]


def statements_and_plans(title: str, item: dict) -> list[str]:
    """The slowest statements of the ORM call (each run again on its own, rows fetched), or of the
    request when there is no ORM call (the page), and the plans of the slowest SELECTs."""
    timed = item.get("orm_statements") or item["request_queries"]
    how = "each run on its own" if item.get("orm_statements") else "as the request ran"
    lines = ["", f"{title}: {len(timed)} statements, {sum(q['ms'] for q in timed):.1f} ms in the database "
                 f"({how}); the slowest:"]
    for r in sorted(timed, key=lambda q: -q["ms"])[:10]:
        params = r["params"][:4] + (["..."] if len(r["params"]) > 4 else [])
        lines.append(f"  {r['ms']:7.1f} ms  {r['sql'][:160]}  {params}")
    for plan in item["plans"]:
        lines.append(f"  plan of ({plan['ms']:.1f} ms): {plan['sql'][:300]}")
        lines += [f"    {line}" for line in plan["plan"]]
    return lines


def supervision_report(results: dict, args: argparse.Namespace) -> list[str]:
    rows, circular_rows, notes, details = [SUPERVISION_HEADER], [CIRCULAR_HEADER], [], []
    for backend, result in results["backends"].items():
        data = result.get("supervision")
        if not data:
            continue
        if "error" in data:
            notes.append(f"{backend}: supervision part FAILED: {data['error']}")
            continue
        rows.extend(supervision_cells(backend, q) for q in data["queries"])
        circular_rows.extend(circular_cells(backend, c) for c in data["circulars"])
        monthly = data["monthly_http"]
        notes.append(f"{backend}: GET {monthly['path']} once: " + (
            f"{monthly['ms'] / 1000:.2f} s, {monthly['bytes']} bytes" if monthly["ms"] is not None
            else monthly["note"]))
        for q in data["queries"]:
            if supervision_slow(q) or (args.plans and (q.get("orm_statements") or q["request_queries"])):
                details += statements_and_plans(f"{backend} / {q['query']} ({q['path']})", q)
        for c in data["circulars"]:
            if circular_slow(c) or args.plans:
                title = f"{backend} / circular {c['region']} {c['month']} (figures)"
                details += statements_and_plans(title, c)
    lines = []
    if len(rows) > 1:
        lines += ["", table(rows, left=(0, 1, 10)), ""]
        lines.append(
            "Supervision, as sc-office (the province): HTTP = GET /api/v1/dashboard, "
            "/api/v1/dashboard/map?indicator=hazards_overdue and /api/v1/ranking?month=<last full month> "
            "with a bearer token, and the dashboard page (URL name supervision:dashboard) with a session; "
            "ORM = figures.dashboard / figures.subregions / ranking.ranking without HTTP; raw = every SQL "
            "statement that ORM call sends, run with cursor.execute (the floor); stmts = SQL statements per "
            "request. Targets: dashboard and map p95 <= 500 ms."
        )
    if len(circular_rows) > 1:
        lines += ["", table(circular_rows, left=(0, 1, 2, 8)), ""]
        lines.append(
            f"Monthly circular: circular.build(user, region, month) timed {args.circular_runs} times after "
            "one untimed build; figures = circular.gather alone (the database part); stmts = statements of "
            "one gather. Target: every build <= 10 s."
        )
    return lines + notes + details


def table(rows: list[list[str]], left: tuple[int, ...] = (0, 1, 10)) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        # Text columns left-aligned, numbers right-aligned.
        cells = [
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(results: dict, args: argparse.Namespace) -> str:
    header = ["backend", "query", "rows", "API p50", "API p95", "API max", "ORM p50", "ORM p95",
              "raw p50", "raw p95", "p95 target"]
    rows, hazard_rows, emergency_rows = [header], [header], [EMERGENCY_HEADER]
    if args.emergency_only:
        lines = [f"benan bench (emergency only): {args.resources} bench resources, {args.requests} requests "
                 "per variant; times in ms", ""]
    else:
        lines = [f"benan bench: {args.enterprises} enterprises, {args.hazards} bench hazards, "
                 f"{args.resources} bench resources, {args.requests} requests per query, as sc-office "
                 "(whole province); times in ms", ""]
    for backend, result in results["backends"].items():
        if "error" in result:
            lines.append(f"{backend}: FAILED: {result['error']}")
            continue
        lines.append(
            f"{backend} {result['version']}: "
            + (f"benan demo --enterprises {result['enterprises']} took {result['demo_seconds']:.1f} s"
               if result["demo_seconds"] is not None else "benan demo not run")
            + f"; ANALYZE {result['analyze_seconds']:.2f} s"
        )
        if result.get("hazard_load"):
            load = result["hazard_load"]
            lines.append(f"  bench hazards bulk-inserted: {load['hazards']} (+ {load['listings']} listings) "
                         f"in {load['seconds']:.0f} s; {result['hazard_rows']} hazards in the table")
        if result.get("supervision_load"):
            load = result["supervision_load"]
            suspensions = load["suspensions"]
            lines.append(
                f"  supervision rows bulk-inserted in {load['seconds']:.0f} s; the tables hold "
                f"{load['cases']} cases ({load['dual_penalty']} dual penalties, "
                f"{suspensions.get('in_force', 0)} suspensions in force, "
                f"{suspensions.get('lifted', 0)} lifted, {load['referrals']} referrals, "
                f"{sum(load['blacklist'].values())} blacklist entries), {load['accidents']} accidents "
                f"({', '.join(f'{n} {g}' for g, n in sorted(load['accidents_by_grade'].items()))}; "
                f"{load['deaths']} deaths), {sum(load['power_alerts'].values())} power alerts"
            )
        if result.get("emergency_load"):
            load = result["emergency_load"]
            lines.append(f"  bench resources bulk-inserted: {load['teams']} teams, {load['warehouses']} "
                         f"warehouses ({load['pools']} pool depots; {load['stock_lines']} stock lines, "
                         f"{load['batches']} batches), {load['equipment']} pieces of equipment "
                         f"in {load['seconds']:.0f} s")
        rows.extend(row_cells(backend, q) for q in result["queries"])
        hazard_rows.extend(row_cells(backend, q) for q in result.get("hazard_queries", []))
        emergency_rows.extend(emergency_cells(backend, q) for q in result.get("emergency_queries", []))
    if len(rows) > 1:
        lines += ["", table(rows), ""]
        lines.append("API = GET /api/v1/enterprises through Django's test client with a bearer token; "
                     "ORM = the same queryset, paginate and statuses without HTTP; raw = the count and page "
                     "SQL the ORM generates, run with cursor.execute (the floor).")
    if len(hazard_rows) > 1:
        lines += ["", table(hazard_rows), ""]
        lines.append("Hazards: API = GET /api/v1/hazards[/stats] as sc-office; ORM = queries.hazards + "
                     "paginate + listings_of, or queries.stats, without HTTP; raw = every SQL statement that "
                     "ORM call sends (region checks, count, page, listings / the aggregate and the listing "
                     "count), run with cursor.execute (the floor). Targets: list p95 <= 100 ms, stats p95 "
                     "<= 300 ms.")
    if len(emergency_rows) > 1:
        lines += ["", table(emergency_rows, left=(0, 1, 2, 3, 13)), ""]
        lines.append("Nearest: GET /api/v1/resources/nearest?lat=&lon=&kind=...&limit=10 at random points "
                     "inside Sichuan, or within 40 km of 武侯区's seat (the same points for every variant), "
                     "as a commander of the province or of 武侯区; p50/p95/max = the API with "
                     "queries.nearest; ORM = queries.nearest without HTTP; stmts = SQL statements per "
                     "search, mean/max; scan = the same endpoint serving "
                     "queries.brute_force_nearest (every row's distance, then sort), same data, same run; "
                     "speed-up = scan p95 / p95. Both answers were equal (ids and distances) at every point.")
    lines += supervision_report(results, args)
    for backend, result in results["backends"].items():
        for q in result.get("emergency_queries", []):
            if not (q["api"]["p95_ms"] > target_of(q) or args.plans):
                continue
            lines += ["", f"{backend} / nearest {q['account']} ({q['points']}) / {q['query']}: "
                      f"slowest request {q['path']}"]
            for r in q["request_queries"]:
                params = r["params"][:4] + (["..."] if len(r["params"]) > 4 else [])
                lines.append(f"  {r['ms']:7.1f} ms  {r['sql'][:140]}  {params}")
            for p in q["plans"]:
                lines.append(f"  plan of: {p['sql'][:200]}")
                lines += [f"    {line}" for line in p["plan"]]
    for backend, result in results["backends"].items():
        for q in result.get("queries", []) + result.get("hazard_queries", []):
            if not (is_slow(q) or args.plans):
                continue
            n = len(q["request_queries"])
            lines += ["", f"{backend} / {q['query']} ({q['path']}): {n} queries per request"]
            for r in q["request_queries"]:
                params = r["params"][:4] + (["..."] if len(r["params"]) > 4 else [])
                lines.append(f"  {r['ms']:7.1f} ms  {r['sql'][:140]}  {params}")
            for p in q["plans"]:
                lines.append(f"  plan of: {p['sql'][:200]}")
                lines += [f"    {line}" for line in p["plan"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    VAR.mkdir(parents=True, exist_ok=True)
    if args.power or args.power_quick:
        print(power.run(args, quick=not args.power))
        return 0
    results = {
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "enterprises": args.enterprises, "hazards": args.hazards, "resources": args.resources,
        "emergency_only": args.emergency_only, "requests": args.requests,
        "cases": args.cases, "accidents": args.accidents, "supervision_only": args.supervision_only,
        "supervision_requests": min(args.supervision_requests, args.requests),
        "seed": args.seed,
        "target_p95_ms": TARGET_MS,
        "machine": {
            "python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
        },
        "backends": {},
    }
    failed = False
    for backend in args.backends:
        try:
            if backend == "sqlite":
                results["backends"][backend] = run_worker(backend, args, None)
            else:
                try:
                    url = start_postgres(args.pg_port)
                    results["backends"][backend] = run_worker(backend, args, url)
                finally:
                    stop_postgres()
        except subprocess.CalledProcessError as error:
            failed = True
            detail = (error.stderr or "").strip().splitlines()[-1:] if isinstance(error.stderr, str) else []
            results["backends"][backend] = {"error": f"{error.cmd[:3]} exited {error.returncode} {detail}"}
    failed = failed or any("error" in (r.get("supervision") or {}) for r in results["backends"].values())
    (VAR / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print()
    print(report(results, args))
    print(f"\nresults: {(VAR / 'results.json').relative_to(ROOT)}")
    if not (args.no_power or args.emergency_only or args.supervision_only):
        print()
        print(power.run(args, quick=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
