"""The file contract of power analytics, and its checks.

- readings: Parquet file or folder (or CSV) with `meter_id` (string), `ts` (timestamp, Asia/Shanghai
  local time, start of the 15-minute interval), `kwh` (float, energy in the interval);
- meters: CSV `meter_id,uscc` (optionally `sector`; an enterprise can have several meters);
- status: CSV `uscc,status,start_date,end_date` (empty end_date = still in force);
- alerts: CSV `uscc,kind,start_date,end_date,score,evidence`.

A bad file raises `FileProblems` listing every problem as file, row (1 = header) and column; the
CLIs print them all and exit 2. Nothing is read half-way.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

STATUSES = ("normal", "suspended", "under_construction", "closed")
KINDS = ("covert_operation", "premature_operation")
MAX_LISTED = 50


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f" {self.column} 列"
        return f"{where}：{self.message}"


class FileProblems(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = [str(p) for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            shown.append(f"……共 {len(problems)} 处问题")
        super().__init__("\n".join(shown))


def _rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[tuple[int, dict]]]:
    if not path.is_file():
        raise FileProblems([Problem(str(path), None, None, "文件不存在")])
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in reader.fieldnames or ()]
        missing = [c for c in required if c not in header]
        if missing:
            raise FileProblems([Problem(str(path), 1, c, "缺少此列") for c in missing])
        reader.fieldnames = header
        return header, [(line, row) for line, row in enumerate(reader, start=2)]


def _day(value: str | None) -> date:
    return date.fromisoformat((value or "").strip())


def _fast(path: Path, required: tuple[str, ...]) -> pa.Table | None:
    """The CSV as a table of trimmed strings, or None when it cannot be read that way (then the
    row-by-row reader runs and names every problem). A province's files have 100,000 rows: the
    checks below are vectorised and the row-by-row reader only runs for a bad file."""
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    if not path.is_file():
        return None
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf-8"),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in (*required, "sector")},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    names = [n.strip().lstrip("\ufeff") for n in table.column_names]
    if any(c not in names for c in required):
        return None
    table = table.rename_columns(names)
    return pa.table({n: pc.utf8_trim_whitespace(table[n].cast(pa.string())) for n in names})


def read_meters(path: str | Path) -> pa.Table:
    """meter_id → uscc (and sector when the file has it); a meter belongs to one enterprise."""
    import pyarrow.compute as pc

    path = Path(path)
    t = _fast(path, ("meter_id", "uscc"))
    if t is not None:
        empty = pc.any(pc.or_(pc.equal(t["meter_id"], ""), pc.equal(t["uscc"], ""))).as_py()
        pairs = t.select(["meter_id", "uscc"]).group_by(["meter_id", "uscc"]).aggregate([])
        if not empty and pairs.num_rows == pc.count_distinct(t["meter_id"]).as_py():
            columns = {"meter_id": t["meter_id"], "uscc": t["uscc"]}
            if "sector" in t.column_names:
                sector = t["sector"]
                columns["sector"] = pc.if_else(pc.equal(sector, ""), "unknown", sector)
            return pa.table(columns)
    return _meters_row_by_row(path)


def _meters_row_by_row(path: Path) -> pa.Table:
    header, rows = _rows(path, ("meter_id", "uscc"))
    problems, owner = [], {}
    for line, row in rows:
        meter, uscc = (row.get("meter_id") or "").strip(), (row.get("uscc") or "").strip()
        if not meter:
            problems.append(Problem(str(path), line, "meter_id", "不能为空"))
        if not uscc:
            problems.append(Problem(str(path), line, "uscc", "不能为空"))
        if meter and uscc and owner.setdefault(meter, uscc) != uscc:
            problems.append(Problem(str(path), line, "meter_id", f"电表 {meter} 已属于 {owner[meter]}"))
    if problems:
        raise FileProblems(problems)
    columns = {
        "meter_id": [r["meter_id"].strip() for _, r in rows],
        "uscc": [r["uscc"].strip() for _, r in rows],
    }
    if "sector" in header:
        columns["sector"] = [(r.get("sector") or "").strip() or "unknown" for _, r in rows]
    return pa.table(columns)


def read_status(path: str | Path) -> pa.Table:
    """Status periods; an enterprise's periods must not overlap."""
    import pyarrow.compute as pc

    path = Path(path)
    t = _fast(path, ("uscc", "status", "start_date", "end_date"))
    if t is not None:
        try:
            start = pc.strptime(t["start_date"], format="%Y-%m-%d", unit="s").cast(pa.date32())
            end_text = t["end_date"]
            end = pc.strptime(pc.if_else(pc.equal(end_text, ""), None, end_text), format="%Y-%m-%d", unit="s")
            end = end.cast(pa.date32())
        except pa.ArrowInvalid:
            start = None
        if start is not None and t.num_rows:
            table = pa.table({"uscc": t["uscc"], "status": t["status"], "start_date": start, "end_date": end})
            table = table.sort_by([("uscc", "ascending"), ("start_date", "ascending")])
            ok = (
                not pc.any(pc.equal(table["uscc"], "")).as_py()
                and pc.all(pc.is_in(table["status"], pa.array(STATUSES))).as_py()
                and not pc.any(pc.less(table["end_date"], table["start_date"])).as_py()
            )
            if ok and table.num_rows > 1:
                same = pc.equal(table["uscc"].slice(1), table["uscc"].slice(0, table.num_rows - 1))
                prev_end = table["end_date"].slice(0, table.num_rows - 1)
                overlap = pc.or_kleene(
                    pc.is_null(prev_end), pc.greater_equal(prev_end, table["start_date"].slice(1))
                )
                ok = not pc.any(pc.and_(same, overlap)).as_py()
            if ok:
                return table
        elif start is not None:
            return pa.table({"uscc": t["uscc"], "status": t["status"], "start_date": start, "end_date": end})
    return _status_row_by_row(path)


def _status_row_by_row(path: Path) -> pa.Table:
    _, rows = _rows(path, ("uscc", "status", "start_date", "end_date"))
    problems, periods = [], []
    for line, row in rows:
        uscc, status = (row.get("uscc") or "").strip(), (row.get("status") or "").strip()
        if not uscc:
            problems.append(Problem(str(path), line, "uscc", "不能为空"))
        if status not in STATUSES:
            problems.append(Problem(str(path), line, "status", f"“{status}”不是 {' | '.join(STATUSES)} 之一"))
        try:
            start = _day(row.get("start_date"))
        except ValueError:
            problems.append(
                Problem(str(path), line, "start_date", f"“{row.get('start_date')}”不是 YYYY-MM-DD 日期")
            )
            continue
        end = None
        if (row.get("end_date") or "").strip():
            try:
                end = _day(row["end_date"])
            except ValueError:
                problems.append(
                    Problem(str(path), line, "end_date", f"“{row['end_date']}”不是 YYYY-MM-DD 日期")
                )
                continue
            if end < start:
                problems.append(Problem(str(path), line, "end_date", "结束日期早于开始日期"))
                continue
        periods.append((uscc, start, end, status, line))
    periods.sort(key=lambda p: (p[0], p[1]))
    for a, b in zip(periods, periods[1:], strict=False):
        if a[0] == b[0] and (a[2] is None or a[2] >= b[1]):
            problems.append(Problem(str(path), b[4], "start_date", f"与第 {a[4]} 行的状态期间重叠"))
    if problems:
        raise FileProblems(sorted(problems, key=lambda p: p.row or 0))
    return pa.table(
        {
            "uscc": pa.array([p[0] for p in periods], pa.string()),
            "status": pa.array([p[3] for p in periods], pa.string()),
            "start_date": pa.array([p[1] for p in periods], pa.date32()),
            "end_date": pa.array([p[2] for p in periods], pa.date32()),
        }
    )


def write_alerts(path: str | Path, alerts: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["uscc", "kind", "start_date", "end_date", "score", "evidence"])
        for a in alerts:
            w.writerow(
                [
                    a["uscc"],
                    a["kind"],
                    a["start_date"].isoformat(),
                    a["end_date"].isoformat(),
                    f"{a['score']:.3f}",
                    a["evidence"],
                ]
            )


def write_quality(path: str | Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["meter_id", "uscc", "issue", "days", "first_day", "last_day"])
        for r in rows:
            w.writerow([r["meter_id"], r["uscc"], r["issue"], r["days"], r["first_day"], r["last_day"]])


READING_TYPES = {
    "meter_id": ("string", "large_string", "dictionary"),
    "ts": ("timestamp",),
    "kwh": ("double", "float", "int", "decimal"),
}


def check_readings(path: str | Path) -> Path:
    """The readings path, after checking it exists and its columns (Parquet: and their types).

    Row-level checks (unparseable values, unknown meters) belong to ingestion (lake.py); the
    detector tolerates faults such as negatives, spikes, gaps and duplicates by design.
    """
    import pyarrow.dataset as ds

    path = Path(path)
    if not path.exists():
        raise FileProblems([Problem(str(path), None, None, "文件或目录不存在")])
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as f:
            header = [h.strip() for h in next(csv.reader(f), [])]
        missing = [c for c in READING_TYPES if c not in header]
        if missing:
            raise FileProblems([Problem(str(path), 1, c, "缺少此列") for c in missing])
        return path
    try:
        schema = ds.dataset(path, format="parquet", partitioning="hive").schema
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileProblems(
            [Problem(str(path), None, None, f"不是可读的 Parquet 文件或目录（{exc}）")]
        ) from exc
    problems = []
    for column, kinds in READING_TYPES.items():
        if column not in schema.names:
            problems.append(Problem(str(path), None, column, "缺少此列"))
        elif not any(str(schema.field(column).type).startswith(k) for k in kinds):
            problems.append(
                Problem(str(path), None, column, f"类型为 {schema.field(column).type}，应为 {kinds[0]}")
            )
    if problems:
        raise FileProblems(problems)
    return path


def read_meters_rows(rows: list[tuple[str, str]]) -> pa.Table:
    """A meters table from (meter_id, uscc) pairs (tests, the demo, the registry's own data)."""
    return pa.table({"meter_id": [r[0] for r in rows], "uscc": [r[1] for r in rows]})
