"""Run the detector on DuckDB (default) or Spark, and turn its runs into alerts with evidence.

The two engines get the same Ibis expressions (detector.py); only connecting and reading files
differ. Spark runs in local mode unless the standard Spark configuration (SPARK_MASTER,
spark-defaults.conf, `spark-submit`) says otherwise; its session time zone is UTC so that the
readings' wall-clock timestamps (Asia/Shanghai local time, no zone) keep their hours.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from . import detector

ENGINES = ("duckdb", "pyspark")
STATUS_LABELS = {"suspended": "停产整顿", "closed": "关闭", "under_construction": "在建"}


def connect(engine: str = "duckdb", *, memory_limit: str | None = None, threads: int | None = None):
    """An Ibis backend for `engine`."""
    if engine == "duckdb":
        config = {}
        if memory_limit:
            config["memory_limit"] = memory_limit
        if threads:
            config["threads"] = threads
        return ibis.duckdb.connect(**config)
    if engine == "pyspark":
        return ibis.pyspark.connect(spark_session())
    raise ValueError(f"未知的计算引擎 {engine!r}，可选：{' / '.join(ENGINES)}")


def spark_session():
    """A Spark session: local[2] by default, or whatever SPARK_MASTER names."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.appName("benan-power")
        .master(os.environ.get("SPARK_MASTER", "local[2]"))
        .config("spark.driver.bindAddress", os.environ["SPARK_LOCAL_IP"])
        .config("spark.driver.host", os.environ["SPARK_LOCAL_IP"])
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", os.environ.get("BENAN_SPARK_PARTITIONS", "8"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    return builder.getOrCreate()


def read_readings(con, path: str | Path) -> ir.Table:
    """Readings from a Parquet file, a folder of Parquet files (also partitioned), or a CSV file."""
    path = Path(path)
    name = str(path)
    if path.is_dir():
        if con.name == "duckdb":
            name = str(path / "**" / "*.parquet")
        t = con.read_parquet(name)
    elif path.suffix.lower() == ".csv":
        t = con.read_csv(name)
    else:
        t = con.read_parquet(name)
    return t.select(meter_id=t.meter_id.cast("string"), ts=t.ts.cast("timestamp"), kwh=t.kwh.cast("float64"))


@dataclass
class Result:
    alerts: list[dict]
    quality: list[dict]
    first_day: date | None
    last_day: date | None
    meter_days: int


def run(
    con,
    readings: ir.Table,
    meters: pa.Table,
    status: pa.Table,
    *,
    since: date | None = None,
    until: date | None = None,
    params: detector.Params | None = None,
) -> Result:
    """Detect on `readings` with the meters and status tables (Arrow, see formats.py)."""
    params = params or detector.Params()
    if since:
        readings = readings.filter(readings.ts >= ibis.literal(since).cast("timestamp"))
    if until:
        readings = readings.filter(
            readings.ts < (ibis.literal(until) + ibis.interval(days=1)).cast("timestamp")
        )
    if "sector" not in meters.column_names:
        meters = meters.append_column("sector", pa.array(["all"] * meters.num_rows, pa.string()))
    m = ibis.memtable(meters.select(["meter_id", "uscc", "sector"]))
    s = ibis.memtable(status.select(["uscc", "status", "start_date", "end_date"]))
    # The one pass over the readings, kept so that detection and quality both read it.
    md = detector.clean_meter_days(detector.meter_days(readings, params), params)
    with contextlib.ExitStack() as keep:
        md = keep.enter_context(_materialized(con, md))
        span = md.aggregate(first=md.day.min(), last=md.day.max(), n=md.count()).to_pyarrow().to_pylist()[0]
        if not span["n"]:
            return Result([], [], None, None, 0)
        first, last = span["first"], span["last"]
        ed = detector.enterprise_days(
            md, m, s, detector.excluded_days(first, last, params), detector.sample_every(meters)
        )
        # Enterprise-days feed the baselines, sector shapes, floors and flags: computed once on
        # DuckDB. (Spark's cache compiles without registering the in-memory tables they join.)
        if con.name == "duckdb":
            ed = keep.enter_context(_materialized(con, ed))
        ents = detector.enterprises(m)
        found = detector.runs(detector.flagged_days(ed, ents, params), ents, params)
        alerts = [alert(r) for r in con.to_pyarrow(found).to_pylist()]
        q = con.to_pyarrow(detector.quality(md, m)).to_pylist()
    alerts.sort(key=lambda a: (a["uscc"], a["kind"], a["start_date"]))
    q.sort(key=lambda r: (r["meter_id"], r["issue"]))
    return Result(alerts, q, first, last, span["n"])


@contextlib.contextmanager
def _materialized(con, expr: ir.Table):
    """`expr` computed once and kept for the block (a Spark cache, or a DuckDB temp table)."""
    if con.name != "duckdb":
        with expr.cache() as cached:
            yield cached
        return
    # Ibis 12's cache release emits a DROP that DuckDB 2 cannot parse: a temporary table instead.
    name = f"benan_power_{uuid.uuid4().hex}"
    try:
        yield con.create_table(name, expr, temp=True)
    finally:
        con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')


def alert(run: dict) -> dict:
    """One alert row of the contract from a detector run, with the evidence in Chinese."""
    days = run["days"]
    span = (run["end_date"] - run["start_date"]).days + 1
    energy = run["energy"]
    status = STATUS_LABELS.get(run["status"], run["status"])
    when = f"{run['start_date']:%Y-%m-%d} 至 {run['end_date']:%Y-%m-%d}"
    if run["kind"] == "covert_operation":
        if run["level"]:
            compare = (
                f"为其正常生产日均 {run['level']:,.0f} kWh 的 {energy / run['level']:.0%}"
                f"（{status}后最低水平日均 {run['floor']:,.0f} kWh）"
            )
            if run["peak"] and run["level_peak"]:
                compare += f"，最大 15 分钟负荷达正常生产的 {run['peak'] / run['level_peak']:.0%}"
        else:
            times = energy / max(run["floor"], 1.0)
            compare = f"为{status}期间最低水平日均 {run['floor']:,.0f} kWh 的 {times:.1f} 倍"
        evidence = f"{status}期间 {when} 共 {days} 天用电达到生产水平：日均 {energy:,.0f} kWh，{compare}。"
    else:
        times = energy / max(run["floor"], 1.0)
        evidence = (
            f"在建期间 {when} 共 {days} 天用电呈生产特征：日均 {energy:,.0f} kWh，"
            f"为建设期用电水平日均 {run['floor']:,.0f} kWh 的 {times:.1f} 倍；"
            f"负荷平稳度 {run['steadiness']:.2f}"
            f"（本行业正常生产日 {run['sector_steadiness']:.2f}，施工用电多为间歇）。"
        )
    # Strength of the production signal, discounted by the share of days in the run that flagged.
    covert_level = run["kind"] == "covert_operation" and run["level"]
    score = min(1.0, run["strength"] if covert_level else run["strength"] / 10)
    return {
        "uscc": run["uscc"],
        "kind": run["kind"],
        "start_date": run["start_date"],
        "end_date": run["end_date"],
        "score": round(score * days / span, 3),
        "evidence": evidence,
        # For the app (not in the CSV contract): flagged days, mean daily kWh and what it was
        # compared with (the production level, or the period's floor without one).
        "days": days,
        "energy": round(energy, 1),
        "reference": round(run["level"] if run["level"] else run["floor"], 1),
    }
