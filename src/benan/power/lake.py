"""The lake: the app's own store of 15-minute meter readings, as Parquet partitioned by month.

`ingest` checks a readings file or folder against the contract (formats.py) and merges it in,
deduplicated; `daily_load` and `span` answer the pages' questions. Layout:
`<root>/month=YYYY-MM/part-0000.parquet`, rows sorted by meter_id, ts; one file per month.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
from tqdm import tqdm

from .formats import FileProblems, Problem

ZONE = "Asia/Shanghai"
COLUMNS = ("meter_id", "ts", "kwh")
PART = "part-0000.parquet"
# Bad rows fetched per file: enough to fix a file by, without pulling millions of rows into Python.
MAX_BAD_ROWS = 200
INTERVAL_US = 15 * 60 * 1_000_000

_TS_TYPES = ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATETIME")
_TSTZ_TYPES = ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")
_INT_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)
_NUM_TYPES = (*_INT_TYPES, "FLOAT", "DOUBLE", "REAL")
# `YYYY-MM-DD HH:MM[:SS[.ffffff]]`, `T` or space, optionally with `Z` or an offset like +08:00.
_TS_PATTERN = r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?"
_OFFSET_PATTERN = r"(Z|[+-]\d{2}(:?\d{2})?)$"


@dataclass
class IngestReport:
    files: int = 0
    rows_read: int = 0
    rows_written: int = 0  # (meter_id, ts) pairs new to the lake
    duplicates_dropped: int = 0  # rows_read - rows_written
    conflicts: int = 0  # pairs whose kwh differed; the later value was kept
    months: list[str] = field(default_factory=list)
    meters: int = 0
    seconds: float = 0.0


def readings_dir(root: Path | None = None) -> Path:
    """The lake's folder: `root`, else $BENAN_POWER_LAKE, else VAR_DIR/power/readings."""
    if root is not None:
        return Path(root)
    if os.environ.get("BENAN_POWER_LAKE"):
        return Path(os.environ["BENAN_POWER_LAKE"])
    from django.conf import settings

    return Path(settings.VAR_DIR) / "power" / "readings"


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _connect(temp_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    # A few GB at most: DuckDB spills joins, aggregates and temp tables to temp_dir beyond that.
    config = {"memory_limit": os.environ.get("BENAN_POWER_MEMORY", "2GB")}
    if temp_dir is not None:
        config["temp_directory"] = str(temp_dir)
    return duckdb.connect(config=config)


def _parquet(files) -> str:
    listed = ", ".join(_lit(str(f)) for f in files)
    return f"read_parquet([{listed}], hive_partitioning = false)"


def _month_files(root: Path, month: str) -> list[Path]:
    return sorted((root / f"month={month}").glob("*.parquet"))


def _months_held(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.name[6:] for p in root.glob("month=*") if p.is_dir() and any(p.glob("*.parquet")))


# ---------------------------------------------------------------------------------------------
# Validation


@dataclass
class _Source:
    """One input file as SQL: `raw` yields rn, meter_raw, ts_raw, kwh_raw; `typed` adds the casts."""

    path: Path
    raw: str = ""
    typed: str = ""
    rows: int = 0


def _input_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".parquet", ".csv"))
        if not files:
            raise FileProblems([Problem(str(path), None, None, "文件夹中没有 .parquet 或 .csv 文件")])
        return files
    if not path.is_file():
        raise FileProblems([Problem(str(path), None, None, "文件不存在")])
    if path.suffix.lower() not in (".parquet", ".csv"):
        raise FileProblems([Problem(str(path), None, None, "只支持 .parquet 或 .csv 文件")])
    return [path]


def _ts_from_text(col: str) -> str:
    s = f"trim(CAST({col} AS VARCHAR))"
    return (
        f"CASE WHEN NOT regexp_full_match({s}, {_lit(_TS_PATTERN)}) THEN NULL "
        f"WHEN regexp_matches({s}, {_lit(_OFFSET_PATTERN)}) "
        f"THEN timezone({_lit(ZONE)}, TRY_CAST({s} AS TIMESTAMPTZ)) "
        f"ELSE TRY_CAST(replace({s}, 'T', ' ') AS TIMESTAMP) END"
    )


def _open_source(con: duckdb.DuckDBPyConnection, path: Path, n: int) -> tuple[_Source, list[Problem]]:
    """Describe one file; problems here are about whole columns (missing, wrong type)."""
    name, src = str(path), _Source(path)
    try:
        if path.suffix.lower() == ".csv":
            # The CSV reader has no row number: load it as text into a temp table, whose rowid keeps
            # the file order (insertion order is preserved), so line = rowid + 2.
            table = f"csv_{n}"
            con.execute(
                f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv({_lit(name)}, header = true, "
                "delim = ',', quote = '\"', all_varchar = true, normalize_names = false)"
            )
            columns = {
                c[0].strip(): ("VARCHAR", c[0])
                for c in con.execute(f"SELECT * FROM {table} LIMIT 0").description
            }
            source, first_row = table, "rowid + 2"
        else:
            source = f"read_parquet({_lit(name)}, file_row_number = true)"
            described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
            columns = {c[0].strip(): (c[1].upper(), c[0]) for c in described}
            first_row = "file_row_number + 1"
    except duckdb.Error as e:
        return src, [Problem(name, None, None, f"无法读取：{str(e).splitlines()[0]}")]
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        return src, [Problem(name, 1, c, "缺少此列") for c in missing]

    problems = []
    meter_type, ts_type, kwh_type = (columns[c][0] for c in COLUMNS)
    q = {c: '"' + columns[c][1].replace('"', '""') + '"' for c in COLUMNS}
    if meter_type != "VARCHAR" and meter_type not in _INT_TYPES:
        problems.append(Problem(name, None, "meter_id", f"类型为 {meter_type}，应为字符串"))
    if ts_type in _TS_TYPES:
        ts_expr = "CAST(ts_raw AS TIMESTAMP)"
    elif ts_type in _TSTZ_TYPES:
        ts_expr = f"timezone({_lit(ZONE)}, ts_raw)"
    elif ts_type == "VARCHAR":
        ts_expr = _ts_from_text("ts_raw")
    else:
        ts_expr = "NULL::TIMESTAMP"
        problems.append(Problem(name, None, "ts", f"类型为 {ts_type}，应为时间戳"))
    if kwh_type != "VARCHAR" and kwh_type not in _NUM_TYPES and not kwh_type.startswith("DECIMAL"):
        problems.append(Problem(name, None, "kwh", f"类型为 {kwh_type}，应为数值"))
    if problems:
        return src, problems
    src.raw = (
        f"SELECT {first_row} AS rn, {q['meter_id']} AS meter_raw, {q['ts']} AS ts_raw, "
        f"{q['kwh']} AS kwh_raw FROM {source}"
    )
    src.typed = (
        f"SELECT rn, meter_raw, ts_raw, kwh_raw, nullif(trim(CAST(meter_raw AS VARCHAR)), '') AS meter_id, "
        f"{ts_expr} AS ts, TRY_CAST(kwh_raw AS DOUBLE) AS kwh FROM ({src.raw})"
    )
    return src, []


def _checked(src: _Source) -> str:
    # Every rule as a flag, in one pass; unknown meters by an anti-join against the temp table.
    return f"""
        SELECT t.*,
            t.meter_id IS NULL AS meter_empty,
            t.meter_id IS NOT NULL AND k.meter_id IS NULL AS meter_unknown,
            t.ts IS NULL AS ts_bad,
            t.ts IS NOT NULL AND epoch_us(t.ts) % {INTERVAL_US} <> 0 AS ts_off,
            t.kwh IS NULL OR NOT isfinite(t.kwh) AS kwh_bad
        FROM ({src.typed}) t LEFT JOIN known k ON k.meter_id = t.meter_id
    """


_ANY_BAD = "meter_empty OR meter_unknown OR ts_bad OR ts_off OR kwh_bad"


def _row_problems(name: str, r: dict) -> list[Problem]:
    out, row = [], r["rn"]
    if r["meter_empty"]:
        out.append(Problem(name, row, "meter_id", "不能为空"))
    if r["meter_unknown"]:
        out.append(Problem(name, row, "meter_id", f"电表未登记：{r['meter_id']}"))
    if r["ts_raw"] is None:
        out.append(Problem(name, row, "ts", "不能为空"))
    elif r["ts_bad"]:
        out.append(Problem(name, row, "ts", f"“{r['ts_raw']}”不是有效时间（应为 YYYY-MM-DD HH:MM[:SS]）"))
    elif r["ts_off"]:
        out.append(Problem(name, row, "ts", f"“{r['ts_raw']}”不是 15 分钟整点"))
    if r["kwh_raw"] is None:
        out.append(Problem(name, row, "kwh", "不能为空"))
    elif r["kwh_bad"]:
        out.append(Problem(name, row, "kwh", f"“{r['kwh_raw']}”不是有限数值"))
    return out


def _validate(con: duckdb.DuckDBPyConnection, src: _Source) -> list[Problem]:
    name = str(src.path)
    checked = _checked(src)
    rows, bad = con.execute(f"SELECT count(*), count(*) FILTER ({_ANY_BAD}) FROM ({checked})").fetchone()
    src.rows = rows
    if not bad:
        return []
    cur = con.execute(
        f"SELECT rn, meter_id, CAST(ts_raw AS VARCHAR) AS ts_raw, CAST(kwh_raw AS VARCHAR) AS kwh_raw, "
        f"meter_empty, meter_unknown, ts_bad, ts_off, kwh_bad FROM ({checked}) WHERE {_ANY_BAD} "
        f"ORDER BY rn LIMIT {MAX_BAD_ROWS}"
    )
    names = [d[0] for d in cur.description]
    problems = [
        p for values in cur.fetchall() for p in _row_problems(name, dict(zip(names, values, strict=True)))
    ]
    if bad > MAX_BAD_ROWS:
        # FileProblems lists the first 50; say up front how many rows are bad in all.
        problems.insert(0, Problem(name, None, None, f"共 {bad} 条记录有问题，以下列出前 {MAX_BAD_ROWS} 条"))
    return problems


# ---------------------------------------------------------------------------------------------
# Ingest


@contextlib.contextmanager
def _locked(root: Path):
    """One ingest at a time per lake: two merges of the same month would lose each other's rows."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as f:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock
            yield
            return
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            # Leftovers of an ingest that crashed; never seen by readers (not *.parquet, not month=*).
            for stale in root.glob(".incoming-*"):
                shutil.rmtree(stale, ignore_errors=True)
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def ingest(
    path: str | Path, *, known_meters: set[str], root: Path | None = None, progress: bool = False
) -> IngestReport:
    """Check the readings at `path` (a .parquet or .csv file, or a folder of them) and merge them in.

    A batch is all-or-nothing: every file is checked first, and if any row of any file is bad,
    nothing is written and `FileProblems` lists the problems as file, row and column. Rows are
    numbered as in the file: for CSV the line (the header is line 1); for Parquet the record
    (第 N 条记录, the first data row is 1). The rules: the three columns exist; meter_id is not empty
    and is one of `known_meters`; ts is a time (CSV text `YYYY-MM-DD HH:MM[:SS]`, `T` allowed; with
    `Z` or an offset it is converted to Asia/Shanghai wall-clock time) on a 15-minute boundary; kwh
    is a finite number. Negative and spiking kwh are kept: they are meter faults that the
    detector reports as data quality.

    Repeats of (meter_id, ts), within the batch or of what the lake holds, keep one row: the later
    one (later file, then later row) when the kwh differs, counted in `conflicts`. A month the
    batch changes is rewritten whole, merged, into a temp folder beside the lake and then moved
    into place with `os.replace`, all months at the end: a crash leaves each month either as it
    was or as it is meant to be, and a batch can always be ingested again.
    """
    started = time.monotonic()
    path, root = Path(path), readings_dir(root)
    files = _input_files(path)
    scratch = Path(tempfile.mkdtemp(prefix="benan-lake-"))
    con = _connect(scratch)
    try:
        known = pa.table({"meter_id": pa.array(sorted(known_meters), pa.string())})
        con.register("known_arrow", known)
        con.execute("CREATE TEMP TABLE known AS SELECT DISTINCT meter_id FROM known_arrow")

        sources, problems = [], []
        for n, file in enumerate(tqdm(files, desc="校验文件", unit="个", disable=not progress)):
            src, found = _open_source(con, file, n)
            if not found:
                found = _validate(con, src)
            problems += found
            sources.append(src)
        if problems:
            raise FileProblems(problems)

        report = IngestReport(files=len(files), rows_read=sum(s.rows for s in sources))
        # The batch, deduplicated: per (meter_id, ts) the last file's last row wins.
        union = " UNION ALL ".join(
            f"SELECT meter_id, ts, kwh, {n}::BIGINT * 1000000000000 + rn AS seq FROM ({s.typed})"
            for n, s in enumerate(sources)
        )
        con.execute(
            f"""CREATE TEMP TABLE batch AS
            SELECT meter_id, ts, arg_max(kwh, seq) AS kwh, min(kwh) <> max(kwh) AS conflict,
                strftime(ts, '%Y-%m') AS month
            FROM ({union}) GROUP BY meter_id, ts"""
        )
        with _locked(root):
            _merge(con, root, report, progress)
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _existing(root: Path, months: list[str]) -> str:
    files = [str(f) for m in months for f in _month_files(root, m)]
    if not files:
        return "(SELECT NULL::VARCHAR AS meter_id, NULL::TIMESTAMP AS ts, NULL::DOUBLE AS kwh WHERE false)"
    return f"(SELECT meter_id, CAST(ts AS TIMESTAMP) AS ts, kwh FROM {_parquet(files)})"


def _merge(con: duckdb.DuckDBPyConnection, root: Path, report: IngestReport, progress: bool) -> None:
    months = [m for (m,) in con.execute("SELECT DISTINCT month FROM batch ORDER BY month").fetchall()]
    report.months = months
    report.meters = con.execute("SELECT count(DISTINCT meter_id) FROM batch").fetchone()[0]
    held = set(_months_held(root))
    stats = con.execute(
        f"""SELECT b.month,
            count(*) FILTER (e.ts IS NULL) AS new_rows,
            count(*) FILTER (e.ts IS NOT NULL AND e.kwh <> b.kwh) AS changed,
            count(*) FILTER (b.conflict OR (e.ts IS NOT NULL AND e.kwh <> b.kwh)) AS conflicts
        FROM batch b LEFT JOIN {_existing(root, [m for m in months if m in held])} e USING (meter_id, ts)
        GROUP BY b.month"""
    ).fetchall()
    report.rows_written = sum(s[1] for s in stats)
    report.conflicts = sum(s[3] for s in stats)
    report.duplicates_dropped = report.rows_read - report.rows_written
    # A month whose rows are all there already is left alone: a re-ingest changes nothing.
    to_write = sorted(m for m, new_rows, changed, _ in stats if new_rows or changed)

    incoming = root / f".incoming-{uuid.uuid4().hex}"
    incoming.mkdir()
    try:
        written = {}
        for month in tqdm(to_write, desc="写入月份", unit="月", disable=not progress):
            written[month] = _write_month(con, root, incoming, month, merge=month in held)
        # Every month is on disk before any is swapped in: the swaps are a few renames.
        for month, tmp in written.items():
            _swap(root, month, tmp)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)


def _write_month(
    con: duckdb.DuckDBPyConnection, root: Path, incoming: Path, month: str, *, merge: bool
) -> Path:
    # Not named *.parquet, so that no reader globbing the lake sees a half-written file.
    tmp = incoming / f"month={month}.parquet.tmp"
    rows = f"SELECT meter_id, ts, kwh FROM batch WHERE month = {_lit(month)}"
    if merge:
        rows += (
            f" UNION ALL SELECT e.meter_id, e.ts, e.kwh FROM {_existing(root, [month])} e "
            f"ANTI JOIN (SELECT meter_id, ts FROM batch WHERE month = {_lit(month)}) b USING (meter_id, ts)"
        )
    con.execute(
        f"COPY (SELECT * FROM ({rows}) ORDER BY meter_id, ts) TO {_lit(str(tmp))} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    return tmp


def _swap(root: Path, month: str, tmp: Path) -> None:
    dest = root / f"month={month}"
    dest.mkdir(exist_ok=True)
    # Atomic on POSIX: readers see the old month or the new one; one already reading keeps the old file.
    os.replace(tmp, dest / PART)
    for other in dest.glob("*.parquet"):
        if other.name != PART:  # merged into PART above
            other.unlink()


# ---------------------------------------------------------------------------------------------
# Reading


def _months_between(start: date, end: date) -> tuple[str, str]:
    return start.strftime("%Y-%m"), end.strftime("%Y-%m")


def daily_load(
    meter_ids: list[str], start: date, end: date, *, root: Path | None = None, night_end_hour: int = 6
) -> list[dict]:
    """Per day of [start, end], summed over `meter_ids`: energy and night energy (kWh), readings.

    Energy sums the valid (non-negative) readings; night energy those starting before
    `night_end_hour`; `readings` counts every reading held, faults included. A day without valid
    readings has energy and night_energy None (readings 0 when nothing is held).
    """
    root = readings_dir(root)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    found = {}
    if days and meter_ids and _months_held(root):
        first, last = _months_between(start, end)
        meters = ", ".join(_lit(m) for m in meter_ids)
        glob = _lit(str(root / "month=*" / "*.parquet"))
        con = _connect()
        try:
            # The month filter prunes partitions before any file is opened; the files are sorted by
            # meter_id, so row-group statistics skip most of a month for a few meters.
            rows = con.execute(
                f"""SELECT CAST(ts AS DATE) AS day,
                    sum(kwh) FILTER (kwh >= 0) AS energy,
                    sum(kwh) FILTER (kwh >= 0 AND hour(ts) < ?) AS night_energy,
                    count(*) AS readings
                FROM read_parquet({glob}, hive_partitioning = true, hive_types = {{'month': VARCHAR}})
                WHERE month BETWEEN ? AND ? AND meter_id IN ({meters})
                    AND ts >= ? AND ts < ?
                GROUP BY day""",
                [night_end_hour, first, last, start, end + timedelta(days=1)],
            ).fetchall()
        finally:
            con.close()
        found = {r[0]: r for r in rows}
    out = []
    for day in days:
        _, energy, night, readings = found.get(day, (day, None, None, 0))
        out.append(
            {
                "day": day,
                "energy": None if energy is None else round(energy, 3),
                "night_energy": None if energy is None else round(night or 0.0, 3),
                "readings": readings,
            }
        )
    return out


def span(root: Path | None = None) -> tuple[date, date] | None:
    """The first and last day the lake holds readings for, or None when it is empty."""
    root = readings_dir(root)
    months = _months_held(root)
    if not months:
        return None
    con = _connect()
    try:
        first = con.execute(f"SELECT min(ts) FROM {_parquet(_month_files(root, months[0]))}").fetchone()[0]
        last = con.execute(f"SELECT max(ts) FROM {_parquet(_month_files(root, months[-1]))}").fetchone()[0]
    finally:
        con.close()
    return first.date(), last.date()
