"""The power suite of `make bench`: quality and throughput of the power detector (benan.power).

Flags of `python -m bench` (make bench BENCH_ARGS="..."):
  --power          only this suite, both parts (quality and throughput); the database suites are skipped
  --power-quick    only the quality part of this suite (three 2,000-enterprise sets, a few minutes)
  --no-power       the database suites only (the run as it was before the power suite)
  (none)           the database suites, then the whole power suite
  --power-seeds 7,11,23        simulation seeds of the quality part
  --power-meters 100000        meters of the throughput set (one per enterprise), --power-days 30
  --power-repeats 3            floor/pass/ours rounds, alternated; best and median of each reported
  --power-memory-limit 4GB     DuckDB's memory_limit for the floor and ours (threads: every core)

1. Quality: `simulate.run(enterprises=2000, days=120, seed=s)` for each seed, detection with the
   DuckDB engine, then precision, recall, F1 and median delay per kind (benan.power.evaluate) against
   truth.csv, and whether the targets hold (P >= 0.95 and R >= 0.95 for each kind, median delay
   <= 3 days). On the first seed, the pandas implementation (bench.power_pandas) runs too and its
   alerts are compared with the Ibis ones on (uscc, kind, start, end).
2. Throughput, on `simulate.run(enterprises=100000, days=30, single_meter=True)` (288 million
   readings; written once to var/bench/power-100k, about 50 s and 1 GB, and reused while its
   params.json matches):
   - floor: one plain DuckDB pass, per-meter daily sums of the same Parquet into a temporary table;
   - pass: only the detector's one pass over the readings (detector.meter_days + clean_meter_days
     into a temporary table, as engines.run does first): tells the pass from the rest of ours;
   - ours: `engines.run` with DuckDB end to end, from the Parquet folder and the meters/status CSV
     (formats.read_meters/read_status) to the list of alerts (and the quality findings it also
     computes); target <= 1.5 x the floor and <= 6 GB peak memory;
   - pandas: bench.power_pandas on the first 10 % of the meters (in file order: the files that hold
     them are read, filtered by meter_id), its time x 10; target: ours at least 4 x faster.
   Each measured step runs in its own subprocess (`python -m bench.power --step ...`); its peak
   memory is the max RSS of that process (os.wait4). Floor, pass and ours alternate, floor first.

Data sets stay in var/bench/power-* between runs; results go to var/bench/power-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
QUALITY_ENTERPRISES, QUALITY_DAYS = 2000, 120
PANDAS_SHARE = 0.1
TARGET_PRECISION = TARGET_RECALL = 0.95
TARGET_DELAY_DAYS = 3.0
TARGET_FLOOR_RATIO = 1.5
TARGET_PANDAS_SPEEDUP = 4.0
TARGET_MEMORY_GB = 6.0
THROUGHPUT_SEED = 7


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("power suite (see bench/power.py)")
    group.add_argument(
        "--power", action="store_true", help="run only the power suite (quality and throughput)"
    )
    group.add_argument("--power-quick", action="store_true", help="run only the power suite's quality part")
    group.add_argument("--no-power", action="store_true", help="skip the power suite")
    group.add_argument("--power-seeds", default="7,11,23", help="seeds of the quality sets (default 7,11,23)")
    group.add_argument("--power-meters", type=int, default=100_000, help="meters of the throughput set")
    group.add_argument("--power-days", type=int, default=30, help="days of the throughput set (default 30)")
    group.add_argument("--power-repeats", type=int, default=3, help="floor/pass/ours rounds (default 3)")
    group.add_argument("--power-memory-limit", default="4GB", help="DuckDB memory_limit (default 4GB)")


# ---------------------------------------------------------------------------------------------
# Data sets


def dataset(folder: Path, enterprises: int, days: int, seed: int, single_meter: bool) -> Path:
    """The simulated set in `folder`, written unless a set with the same parameters is there."""
    params = {"enterprises": enterprises, "days": days, "seed": seed, "single_meter": single_meter}
    marker = folder / "params.json"
    if marker.is_file() and json.loads(marker.read_text())["params"] == params:
        return folder
    from benan.power import simulate

    marker.unlink(missing_ok=True)
    print(
        f"  simulating {enterprises} enterprises x {days} days (seed {seed}) into {rel(folder)} ...",
        flush=True,
    )
    summary = simulate.run(folder, enterprises=enterprises, days=days, seed=seed, single_meter=single_meter)
    marker.write_text(json.dumps({"params": params, "summary": summary}, indent=2))
    return folder


def summary_of(folder: Path) -> dict:
    return json.loads((folder / "params.json").read_text())["summary"]


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def parquet_rows(files: list[Path]) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def readings_files(folder: Path) -> list[Path]:
    return sorted((folder / "readings").glob("*.parquet"))


def first_meters(folder: Path, share: float) -> tuple[list[str], list[Path]]:
    """The first `share` of the meters in file order, and the files that hold their readings."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = round(summary_of(folder)["meters"] * share)
    ids: dict[str, None] = {}
    files = []
    for f in readings_files(folder):
        files.append(f)
        for m in pc.unique(pq.read_table(f, columns=["meter_id"]).column("meter_id")).to_pylist():
            ids.setdefault(m, None)
            if len(ids) == wanted:
                return list(ids), files
    return list(ids), files


# ---------------------------------------------------------------------------------------------
# One measured step, in its own process: python -m bench.power --step floor|ours|pandas ...


def step(args: argparse.Namespace) -> dict:
    folder = Path(args.data)
    started = time.perf_counter()
    if args.step in ("floor", "pass", "ours"):
        from benan.power import engines, formats

        threads = os.cpu_count() or 1
        con = engines.connect("duckdb", memory_limit=args.memory_limit, threads=threads)
        spill = VAR / "power-spill"
        spill.mkdir(parents=True, exist_ok=True)
        con.raw_sql(f"SET temp_directory = '{spill}'")
        started = time.perf_counter()
        if args.step == "floor":
            glob = folder / "readings" / "*.parquet"
            con.raw_sql(
                "CREATE TEMP TABLE floor_days AS SELECT meter_id, CAST(ts AS DATE) AS d, sum(kwh) AS kwh "
                f"FROM read_parquet('{glob}') GROUP BY ALL"
            )
            seconds = time.perf_counter() - started
            out = {"meter_days": con.raw_sql("SELECT count(*) FROM floor_days").fetchone()[0]}
        elif args.step == "pass":
            from benan.power import detector

            readings = engines.read_readings(con, formats.check_readings(folder / "readings"))
            md = detector.clean_meter_days(detector.meter_days(readings))
            con.create_table("pass_days", md, temp=True)
            seconds = time.perf_counter() - started
            out = {"meter_days": con.raw_sql("SELECT count(*) FROM pass_days").fetchone()[0]}
        else:
            meters = formats.read_meters(folder / "meters.csv")
            status = formats.read_status(folder / "status.csv")
            readings = engines.read_readings(con, formats.check_readings(folder / "readings"))
            result = engines.run(con, readings, meters, status)
            seconds = time.perf_counter() - started
            out = {
                "meter_days": result.meter_days,
                "alerts": len(result.alerts),
                "quality": len(result.quality),
            }
    else:
        from bench import power_pandas

        chosen = json.loads(Path(args.slice).read_text())
        timings: dict = {}
        started = time.perf_counter()
        result = power_pandas.run(
            chosen["files"],
            folder / "meters.csv",
            folder / "status.csv",
            meter_ids=chosen["meter_ids"],
            timings=timings,
        )
        seconds = time.perf_counter() - started
        out = {
            "meter_days": result.meter_days,
            "alerts": len(result.alerts),
            "quality": len(result.quality),
            "rows": timings["rows"],
            "load_seconds": round(timings["load"], 2),
        }
    out["seconds"] = round(seconds, 2)
    out["vm_hwm_gb"] = peak_rss_gb()
    return out


def peak_rss_gb() -> float:
    """This process's peak resident memory (VmHWM) since it started its program."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) * 1024 / 1e9, 2)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9, 2)


def measure(name: str, folder: Path, memory_limit: str, slice_file: Path | None = None) -> dict:
    """Run one step in a subprocess; its own timing, and its max RSS from the kernel."""
    out = VAR / f"power-step-{name}.json"
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "bench.power",
        "--step",
        name,
        "--data",
        str(folder),
        "--out",
        str(out),
        "--memory-limit",
        memory_limit,
    ]
    if slice_file:
        command += ["--slice", str(slice_file)]
    began = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, command)
    result = json.loads(out.read_text())
    result["process_seconds"] = round(time.perf_counter() - began, 2)
    # The kernel's max RSS of the child counts the parent's memory at fork (Linux keeps the old
    # image's high-water mark across exec), so a large parent would show in every step: the
    # child's own VmHWM is reported, the rusage figure kept beside it.
    result["rusage_max_rss_gb"] = round(usage.ru_maxrss * 1024 / 1e9, 2)  # Linux: KiB
    result["max_rss_gb"] = result.get("vm_hwm_gb", result["rusage_max_rss_gb"])
    return result


# ---------------------------------------------------------------------------------------------
# Part 1: quality


def quality(seeds: list[int]) -> dict:
    from benan.power import engines, evaluate, formats
    from bench import power_pandas

    results = {}
    for n, seed in enumerate(seeds):
        folder = dataset(VAR / f"power-2000-seed{seed}", QUALITY_ENTERPRISES, QUALITY_DAYS, seed, False)
        con = engines.connect("duckdb", threads=os.cpu_count())
        started = time.perf_counter()
        found = engines.run(
            con,
            engines.read_readings(con, folder / "readings"),
            formats.read_meters(folder / "meters.csv"),
            formats.read_status(folder / "status.csv"),
        )
        seconds = time.perf_counter() - started
        alerts_csv = folder / "alerts.csv"
        formats.write_alerts(alerts_csv, found.alerts)
        scores = evaluate.evaluate(alerts_csv, folder / "truth.csv")
        entry = {
            "seed": seed,
            "readings": summary_of(folder)["readings"],
            "detect_seconds": round(seconds, 2),
            "scores": [s.as_dict() for s in scores],
            "targets": targets_of(scores),
        }
        if n == 0:
            started = time.perf_counter()
            theirs = power_pandas.run(folder / "readings", folder / "meters.csv", folder / "status.csv")
            entry["agreement"] = agreement(found, theirs)
            entry["agreement"]["pandas_seconds"] = round(time.perf_counter() - started, 2)
        results[str(seed)] = entry
    return results


def targets_of(scores) -> dict:
    by_kind = {s.kind: s for s in scores}
    out = {}
    for kind in ("covert_operation", "premature_operation"):
        s = by_kind[kind]
        out[kind] = {
            "precision": s.precision >= TARGET_PRECISION,
            "recall": s.recall >= TARGET_RECALL,
            "delay": s.median_delay_days is not None and s.median_delay_days <= TARGET_DELAY_DAYS,
        }
    return out


def agreement(ours, theirs) -> dict:
    """The Ibis and pandas alerts compared on (uscc, kind, start, end), then on their numbers."""

    def key(a):
        return a["uscc"], a["kind"], a["start_date"], a["end_date"]

    a, b = {key(x): x for x in ours.alerts}, {key(x): x for x in theirs.alerts}
    both = a.keys() & b.keys()
    worst = 0.0
    numbers_differ = 0
    for k in both:
        x, y = a[k], b[k]
        if (x["days"], x["score"], x["energy"], x["reference"]) != (
            y["days"],
            y["score"],
            y["energy"],
            y["reference"],
        ):
            numbers_differ += 1
        for field in ("energy", "reference"):
            worst = max(worst, abs(x[field] - y[field]) / max(abs(x[field]), 1e-9))

    def qkey(r):
        return r["meter_id"], r["uscc"], r["issue"], r["days"], str(r["first_day"]), str(r["last_day"])

    return {
        "ibis_alerts": len(a),
        "pandas_alerts": len(b),
        "same": len(both),
        "ibis_only": [list(map(str, k)) for k in sorted(a.keys() - b.keys())],
        "pandas_only": [list(map(str, k)) for k in sorted(b.keys() - a.keys())],
        "numbers_differ": numbers_differ,
        "max_relative_difference": worst,
        "quality_same": sorted(map(qkey, ours.quality)) == sorted(map(qkey, theirs.quality)),
        "quality_findings": len(ours.quality),
    }


def quality_report(results: dict) -> list[str]:
    from benan.power import evaluate

    lines = [
        f"power quality: simulate --enterprises {QUALITY_ENTERPRISES} --days {QUALITY_DAYS}, DuckDB engine; "
        f"targets P >= {TARGET_PRECISION}, R >= {TARGET_RECALL} per kind, median delay <= "
        f"{TARGET_DELAY_DAYS:g} d"
    ]
    for seed, r in results.items():
        scores = [evaluate.Score(**s) for s in r["scores"]]
        lines += ["", f"seed {seed}: {r['readings']:,} readings, detection {r['detect_seconds']:.1f} s"]
        lines += ["  " + line for line in evaluate.table(scores).splitlines()]
        for kind, t in r["targets"].items():
            verdict = ", ".join(f"{name} {'ok' if held else 'MISSED'}" for name, held in t.items())
            lines.append(f"  targets {kind}: {verdict}")
        if "agreement" in r:
            g = r["agreement"]
            lines.append(
                f"  pandas vs Ibis (uscc, kind, start, end): {g['same']} same of {g['ibis_alerts']} Ibis / "
                f"{g['pandas_alerts']} pandas alerts; Ibis only {len(g['ibis_only'])}, pandas only "
                f"{len(g['pandas_only'])}; {g['numbers_differ']} of the same alerts differ in a rounded "
                f"number (max relative difference {g['max_relative_difference']:.1e}); quality findings "
                f"{'identical' if g['quality_same'] else 'DIFFER'} ({g['quality_findings']}); "
                f"pandas took {g['pandas_seconds']:.1f} s"
            )
            for k in g["ibis_only"][:10]:
                lines.append(f"    Ibis only:   {' '.join(k)}")
            for k in g["pandas_only"][:10]:
                lines.append(f"    pandas only: {' '.join(k)}")
    return lines


# ---------------------------------------------------------------------------------------------
# Part 2: throughput


def throughput(meters: int, days: int, repeats: int, memory_limit: str) -> dict:
    folder = dataset(VAR / f"power-{meters // 1000}k", meters, days, THROUGHPUT_SEED, True)
    files = readings_files(folder)
    rows = parquet_rows(files)
    ids, slice_files = first_meters(folder, PANDAS_SHARE)
    slice_file = VAR / "power-pandas-slice.json"
    slice_file.write_text(json.dumps({"meter_ids": ids, "files": [str(f) for f in slice_files]}))
    runs: dict[str, list[dict]] = {"floor": [], "pass": [], "ours": []}
    for i in range(repeats):
        for name in ("floor", "pass", "ours"):
            r = measure(name, folder, memory_limit)
            print(f"  {name} #{i + 1}: {r['seconds']:.1f} s, max RSS {r['max_rss_gb']:.2f} GB", flush=True)
            runs[name].append(r)
    pandas = measure("pandas", folder, memory_limit, slice_file)
    print(f"  pandas (10 %): {pandas['seconds']:.1f} s, max RSS {pandas['max_rss_gb']:.2f} GB", flush=True)
    return {
        "data": rel(folder),
        "readings": rows,
        "meters": meters,
        "days": days,
        "memory_limit": memory_limit,
        "threads": os.cpu_count(),
        "runs": runs,
        "pandas": pandas,
        "pandas_meters": len(ids),
        "pandas_files": len(slice_files),
        "pandas_share": len(ids) / meters,
    }


def throughput_report(t: dict) -> list[str]:
    floor = min(r["seconds"] for r in t["runs"]["floor"])
    ours = min(r["seconds"] for r in t["runs"]["ours"])
    floor_med = statistics.median(r["seconds"] for r in t["runs"]["floor"])
    ours_med = statistics.median(r["seconds"] for r in t["runs"]["ours"])
    p = t["pandas"]
    scale = 1 / t["pandas_share"]
    pandas = p["seconds"] * scale
    rows = t["readings"]
    ours_mem = max(r["max_rss_gb"] for r in t["runs"]["ours"])
    floor_mem = max(r["max_rss_gb"] for r in t["runs"]["floor"])
    passes = t["runs"].get("pass") or []
    pass_best = min((r["seconds"] for r in passes), default=0.0)
    ratio, speedup = ours / floor, pandas / ours

    def ok(held: bool) -> str:
        return "ok" if held else "MISSED"

    def line(name, seconds, median, n, memory, note=""):
        return (
            f"  {name:<22}{seconds:>9.1f}{median:>9.1f}{n / seconds / 1e6:>12.2f}{memory:>10.2f}  {note}"
        ).rstrip()

    last = t["runs"]["ours"][-1]
    pass_lines = []
    if passes:
        pass_median = statistics.median(r["seconds"] for r in passes)
        pass_memory = max(r["max_rss_gb"] for r in passes)
        pass_lines.append(
            line(
                "pass (meter-days only)",
                pass_best,
                pass_median,
                rows,
                pass_memory,
                f"{pass_best / floor:.2f} x the floor; ours - pass (medians): {ours_med - pass_median:.1f} s",
            )
        )
    return [
        f"power throughput: {t['meters']:,} meters x {t['days']} days = {rows:,} readings ({t['data']}); "
        f"DuckDB memory_limit {t['memory_limit']}, {t['threads']} threads; floor, pass and ours alternated "
        f"{len(t['runs']['ours'])} x; ratios use the best times",
        "",
        f"  {'step':<22}{'best s':>9}{'median s':>9}{'M rows/s':>12}{'max GB':>10}",
        line("floor (daily sums)", floor, floor_med, rows, floor_mem),
        *pass_lines,
        line(
            "ours (engines.run)",
            ours,
            ours_med,
            rows,
            ours_mem,
            f"{last['alerts']} alerts, {last['quality']} quality findings, {last['meter_days']:,} meter-days",
        ),
        line(
            f"pandas x{scale:.0f} (est.)",
            pandas,
            pandas,
            rows,
            p["max_rss_gb"],
            f"measured {p['seconds']:.1f} s on {p['rows']:,} readings of {t['pandas_meters']:,} meters "
            f"(reading them: {p['load_seconds']:.1f} s); max GB is the 10 % slice's",
        ),
        "",
        f"  ours / floor = {ratio:.2f} x (target <= {TARGET_FLOOR_RATIO:g}): "
        f"{ok(ratio <= TARGET_FLOOR_RATIO)}; by medians {ours_med / floor_med:.2f} x",
        f"  pandas / ours = {speedup:.1f} x (target >= {TARGET_PANDAS_SPEEDUP:g}): "
        f"{ok(speedup >= TARGET_PANDAS_SPEEDUP)}",
        f"  ours peak memory = {ours_mem:.2f} GB (target <= {TARGET_MEMORY_GB:g}): "
        f"{ok(ours_mem <= TARGET_MEMORY_GB)}",
    ]


# ---------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, quick: bool) -> str:
    """The power suite as `python -m bench` calls it; the printed report."""
    VAR.mkdir(parents=True, exist_ok=True)
    seeds = [int(s) for s in args.power_seeds.split(",") if s.strip()]
    results: dict = {"generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cpus": os.cpu_count()}
    print("power suite: quality ...", flush=True)
    results["quality"] = quality(seeds)
    lines = quality_report(results["quality"])
    if not quick:
        print("power suite: throughput ...", flush=True)
        results["throughput"] = throughput(
            args.power_meters, args.power_days, args.power_repeats, args.power_memory_limit
        )
        lines += ["", *throughput_report(results["throughput"])]
    out = VAR / "power-results.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    lines += ["", f"power results: {rel(out)}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.power", description="one measured step (internal)")
    parser.add_argument("--step", choices=("floor", "pass", "ours", "pandas"), required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--slice", help="JSON with the pandas step's meter_ids and files")
    args = parser.parse_args(argv)
    Path(args.out).write_text(json.dumps(step(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
