"""The lake: checks that refuse a whole batch, deduplication, month partitions, the load chart."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benan.power import lake
from benan.power.formats import FileProblems

METERS = {"M1", "M2", "M3"}
HEADER = "meter_id,ts,kwh"


def csv_file(path: Path, *lines: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def parquet_file(path: Path, **columns) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


def readings(meter_ids, ts, kwh) -> dict:
    return {
        "meter_id": pa.array(meter_ids, pa.string()),
        "ts": pa.array(ts, pa.timestamp("us")),
        "kwh": pa.array(kwh, pa.float64()),
    }


def snapshot(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def held(root: Path) -> list[tuple]:
    con = duckdb.connect()
    glob = str(root / "month=*" / "*.parquet")
    return con.execute(f"SELECT meter_id, ts, kwh FROM read_parquet('{glob}') ORDER BY ALL").fetchall()


def counts(report: lake.IngestReport) -> tuple[int, int, int, int]:
    return report.rows_read, report.rows_written, report.duplicates_dropped, report.conflicts


def problems_of(excinfo) -> list[tuple]:
    return [(Path(p.file).name, p.row, p.column, p.message) for p in excinfo.value.problems]


@pytest.fixture
def root(tmp_path) -> Path:
    return tmp_path / "lake"


def ingest(path, root, **kwargs):
    return lake.ingest(path, known_meters=METERS, root=root, **kwargs)


# --- checks: the file is refused whole, with file, row and column --------------------------------


def test_it_names_a_missing_column_on_row_1(tmp_path, root):
    f = csv_file(tmp_path / "r.csv", "M1,2026-01-01 00:00", header="meter_id,ts")
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    assert problems_of(e) == [("r.csv", 1, "kwh", "缺少此列")]
    assert snapshot(root) == {}


def test_it_names_a_missing_parquet_column(tmp_path, root):
    f = parquet_file(tmp_path / "r.parquet", meter_id=["M1"], kwh=[1.0])
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    assert problems_of(e) == [("r.parquet", 1, "ts", "缺少此列")]


@pytest.mark.parametrize("bad", ["2026/01/01 00:00", "yesterday", "2026-01-01", "2026-13-01 00:00"])
def test_it_refuses_an_unparseable_ts(tmp_path, root, bad):
    f = csv_file(tmp_path / "r.csv", "M1,2026-01-01 00:00,1", f"M1,{bad},1")
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    [(name, row, column, message)] = problems_of(e)
    assert (name, row, column) == ("r.csv", 3, "ts")
    assert "不是有效时间" in message
    assert snapshot(root) == {}


@pytest.mark.parametrize("bad", ["2026-01-01 00:10", "2026-01-01 00:15:30", "2026-01-01T00:15:00.5"])
def test_it_refuses_a_ts_off_the_15_minute_boundary(tmp_path, root, bad):
    f = csv_file(tmp_path / "r.csv", "M1,2026-01-01 00:00,1", "M1,2026-01-01 00:15,1", f"M2,{bad},1")
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    assert problems_of(e) == [("r.csv", 4, "ts", f"“{bad}”不是 15 分钟整点")]


@pytest.mark.parametrize("bad", ["abc", "NaN", "inf", "1e400", "1,5"])
def test_it_refuses_kwh_that_is_not_a_finite_number(tmp_path, root, bad):
    f = csv_file(tmp_path / "r.csv", "M1,2026-01-01 00:00,1", f'M1,2026-01-01 00:15,"{bad}"')
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    assert problems_of(e) == [("r.csv", 3, "kwh", f"“{bad}”不是有限数值")]
    assert snapshot(root) == {}


def test_it_refuses_nan_and_inf_in_parquet_by_record_number(tmp_path, root):
    f = parquet_file(
        tmp_path / "r.parquet",
        **readings(["M1"] * 3, [datetime(2026, 1, 1, 0, m) for m in (0, 15, 30)], [1.0, math.nan, -math.inf]),
    )
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    assert [(row, column) for _, row, column, _ in problems_of(e)] == [(2, "kwh"), (3, "kwh")]
    assert all("不是有限数值" in m for *_, m in problems_of(e))


def test_it_refuses_parquet_kwh_as_text_that_does_not_parse(tmp_path, root):
    f = parquet_file(
        tmp_path / "r.parquet",
        meter_id=["M1", "M1"],
        ts=pa.array([datetime(2026, 1, 1, 0, 0), datetime(2026, 1, 1, 0, 15)], pa.timestamp("us")),
        kwh=["1.5", "lots"],
    )
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    assert problems_of(e) == [("r.parquet", 2, "kwh", "“lots”不是有限数值")]


def test_it_refuses_a_parquet_ts_of_the_wrong_type(tmp_path, root):
    f = parquet_file(tmp_path / "r.parquet", meter_id=["M1"], ts=[20260101], kwh=[1.0])
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    assert problems_of(e) == [("r.parquet", None, "ts", "类型为 BIGINT，应为时间戳")]


def test_it_refuses_an_unknown_or_empty_meter(tmp_path, root):
    f = csv_file(tmp_path / "r.csv", "M1,2026-01-01 00:00,1", "X9,2026-01-01 00:00,1", ",2026-01-01 00:00,1")
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    assert problems_of(e) == [
        ("r.csv", 3, "meter_id", "电表未登记：X9"),
        ("r.csv", 4, "meter_id", "不能为空"),
    ]
    assert snapshot(root) == {}


def test_it_lists_every_problem_of_a_row(tmp_path, root):
    f = csv_file(tmp_path / "r.csv", "X9,soon,abc")
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    assert [(row, column) for _, row, column, _ in problems_of(e)] == [(2, "meter_id"), (2, "ts"), (2, "kwh")]


def test_it_counts_bad_rows_beyond_those_it_lists(tmp_path, root):
    f = csv_file(tmp_path / "r.csv", *[f"M1,2026-01-01 00:{i % 60:02d}:01,1" for i in range(300)])
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    problems = e.value.problems
    assert problems[0].message == f"共 300 条记录有问题，以下列出前 {lake.MAX_BAD_ROWS} 条"
    assert len(problems) == lake.MAX_BAD_ROWS + 1
    assert problems[1].row == 2 and problems[-1].row == lake.MAX_BAD_ROWS + 1
    assert str(e.value).splitlines()[0].endswith("以下列出前 200 条")


def test_negative_and_spiking_kwh_are_kept_for_the_detector(tmp_path, root):
    f = csv_file(tmp_path / "r.csv", "M1,2026-01-01 00:00,-3", "M1,2026-01-01 00:15,99999")
    assert ingest(f, root).rows_written == 2
    assert [r[2] for r in held(root)] == [-3.0, 99999.0]


def test_a_folder_with_one_bad_file_writes_nothing(tmp_path, root):
    ingest(csv_file(tmp_path / "first.csv", "M1,2026-01-01 00:00,1"), root)
    before = snapshot(root)
    batch = tmp_path / "batch"
    batch.mkdir()
    csv_file(batch / "a.csv", "M1,2026-02-01 00:00,1")
    parquet_file(batch / "b.parquet", **readings(["M2"], [datetime(2026, 3, 1)], [2.0]))
    csv_file(batch / "c.csv", "M3,2026-04-01 00:00,x")
    with pytest.raises(FileProblems) as e:
        ingest(batch, root)
    assert problems_of(e) == [("c.csv", 2, "kwh", "“x”不是有限数值")]
    assert snapshot(root) == before


def test_a_missing_file_is_a_problem(tmp_path, root):
    with pytest.raises(FileProblems) as e:
        ingest(tmp_path / "nope.csv", root)
    assert problems_of(e) == [("nope.csv", None, None, "文件不存在")]


# --- time zones -----------------------------------------------------------------------------------


def test_csv_offsets_land_on_the_shanghai_wall_clock(tmp_path, root):
    f = csv_file(
        tmp_path / "r.csv",
        "M1,2026-01-01T08:00:00+08:00,1",
        "M2,2026-01-01T00:00:00Z,2",
        "M3,2026-01-01T09:15,3",
        "M3,2026-01-01 09:30:00,4",
    )
    ingest(f, root)
    assert [(m, ts) for m, ts, _ in held(root)] == [
        ("M1", datetime(2026, 1, 1, 8, 0)),
        ("M2", datetime(2026, 1, 1, 8, 0)),
        ("M3", datetime(2026, 1, 1, 9, 15)),
        ("M3", datetime(2026, 1, 1, 9, 30)),
    ]


def test_parquet_with_a_zoned_ts_lands_on_the_shanghai_wall_clock(tmp_path, root):
    f = parquet_file(
        tmp_path / "r.parquet",
        meter_id=["M1"],
        ts=pa.array([datetime(2025, 12, 31, 16, 0)], pa.timestamp("us", tz="UTC")),
        kwh=[1.0],
    )
    ingest(f, root)
    assert held(root) == [("M1", datetime(2026, 1, 1, 0, 0), 1.0)]


# --- deduplication --------------------------------------------------------------------------------


def test_repeats_within_a_batch_keep_one_row(tmp_path, root):
    twice = "M1,2026-01-01 00:00,1"
    f = csv_file(tmp_path / "r.csv", twice, twice, "M1,2026-01-01 00:15,3")
    report = ingest(f, root)
    assert counts(report) == (3, 2, 1, 0)
    assert len(held(root)) == 2


def test_reingesting_the_same_file_changes_nothing(tmp_path, root):
    f = csv_file(tmp_path / "r.csv", "M1,2026-01-01 00:00,1", "M2,2026-02-01 00:00,2")
    ingest(f, root)
    before = snapshot(root)
    report = ingest(f, root)
    assert counts(report) == (2, 0, 2, 0)
    assert snapshot(root) == before


def test_a_second_ingest_adds_only_new_rows(tmp_path, root):
    ingest(csv_file(tmp_path / "a.csv", "M1,2026-01-01 00:00,1", "M1,2026-01-01 00:15,2"), root)
    report = ingest(csv_file(tmp_path / "b.csv", "M1,2026-01-01 00:15,2", "M1,2026-01-01 00:30,3"), root)
    assert (report.rows_written, report.duplicates_dropped) == (1, 1)
    assert [r[2] for r in held(root)] == [1.0, 2.0, 3.0]


def test_a_conflicting_later_value_wins(tmp_path, root):
    ingest(csv_file(tmp_path / "a.csv", "M1,2026-01-01 00:00,1", "M1,2026-01-01 00:15,2"), root)
    report = ingest(csv_file(tmp_path / "b.csv", "M1,2026-01-01 00:15,5"), root)
    assert (report.rows_written, report.conflicts) == (0, 1)
    assert [r[2] for r in held(root)] == [1.0, 5.0]


def test_within_a_folder_the_later_file_wins(tmp_path, root):
    batch = tmp_path / "batch"
    batch.mkdir()
    csv_file(batch / "1.csv", "M1,2026-01-01 00:00,1", "M1,2026-01-01 00:00,7")
    parquet_file(batch / "2.parquet", **readings(["M1"], [datetime(2026, 1, 1)], [9.0]))
    report = ingest(batch, root)
    assert (report.files, report.rows_read, report.rows_written, report.conflicts) == (2, 3, 1, 1)
    assert held(root) == [("M1", datetime(2026, 1, 1), 9.0)]


# --- layout ---------------------------------------------------------------------------------------


def test_rows_are_partitioned_by_month_and_sorted(tmp_path, root):
    f = csv_file(
        tmp_path / "r.csv",
        "M2,2026-02-01 00:00,4",
        "M1,2026-01-31 23:45,1",
        "M2,2026-01-01 00:00,2",
        "M1,2026-01-01 00:00,3",
    )
    report = ingest(f, root, progress=True)
    assert report.months == ["2026-01", "2026-02"] and report.meters == 2
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet")) == [
        "month=2026-01/part-0000.parquet",
        "month=2026-02/part-0000.parquet",
    ]
    jan = pq.read_table(root / "month=2026-01" / "part-0000.parquet")
    assert jan.schema.types == [pa.string(), pa.timestamp("us"), pa.float64()]
    assert jan.column_names == ["meter_id", "ts", "kwh"]
    assert list(zip(jan["meter_id"].to_pylist(), jan["ts"].to_pylist(), strict=True)) == [
        ("M1", datetime(2026, 1, 1, 0, 0)),
        ("M1", datetime(2026, 1, 31, 23, 45)),
        ("M2", datetime(2026, 1, 1, 0, 0)),
    ]
    assert list((root).glob(".incoming-*")) == []


def test_a_month_is_rewritten_merged(tmp_path, root):
    ingest(csv_file(tmp_path / "a.csv", "M2,2026-01-01 00:00,1"), root)
    ingest(csv_file(tmp_path / "b.csv", "M1,2026-01-02 00:00,2"), root)
    jan = pq.read_table(root / "month=2026-01" / "part-0000.parquet")
    assert jan["meter_id"].to_pylist() == ["M1", "M2"]
    assert len(list((root / "month=2026-01").iterdir())) == 1


def test_a_failed_write_leaves_the_previous_month_intact(tmp_path, root, monkeypatch):
    ingest(csv_file(tmp_path / "a.csv", "M1,2026-01-01 00:00,1"), root)
    before = snapshot(root)
    write_month, calls = lake._write_month, []

    def fail_on_the_second_month(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise OSError("disk full")
        return write_month(*args, **kwargs)

    monkeypatch.setattr(lake, "_write_month", fail_on_the_second_month)
    batch = csv_file(tmp_path / "b.csv", "M1,2026-01-01 00:00,5", "M1,2026-02-01 00:00,2")
    with pytest.raises(OSError, match="disk full"):
        ingest(batch, root)
    assert snapshot(root) == before
    assert held(root) == [("M1", datetime(2026, 1, 1), 1.0)]


def test_a_failed_swap_keeps_the_old_file_whole(tmp_path, root, monkeypatch):
    ingest(csv_file(tmp_path / "a.csv", "M1,2026-01-01 00:00,1"), root)
    before = snapshot(root)

    def fail(*args):
        raise OSError("read-only file system")

    monkeypatch.setattr(lake.os, "replace", fail)
    with pytest.raises(OSError):
        ingest(csv_file(tmp_path / "b.csv", "M1,2026-01-01 00:15,2"), root)
    monkeypatch.undo()
    assert snapshot(root) == before
    assert lake.ingest(tmp_path / "b.csv", known_meters=METERS, root=root).rows_written == 1


# --- reading --------------------------------------------------------------------------------------


def test_daily_load_sums_meters_and_leaves_empty_days_none(tmp_path, root):
    f = csv_file(
        tmp_path / "r.csv",
        "M1,2026-01-31 01:00,1",
        "M2,2026-01-31 01:00,2",
        "M1,2026-01-31 12:00,4",
        "M2,2026-01-31 23:45,-8",
        "M3,2026-01-31 12:00,100",
        "M1,2026-02-02 06:00,3",
        "M2,2026-02-02 05:45,0.5",
    )
    ingest(f, root)
    days = lake.daily_load(["M1", "M2"], date(2026, 1, 30), date(2026, 2, 2), root=root)
    assert days == [
        {"day": date(2026, 1, 30), "energy": None, "night_energy": None, "readings": 0},
        {"day": date(2026, 1, 31), "energy": 7.0, "night_energy": 3.0, "readings": 4},
        {"day": date(2026, 2, 1), "energy": None, "night_energy": None, "readings": 0},
        {"day": date(2026, 2, 2), "energy": 3.5, "night_energy": 0.5, "readings": 2},
    ]
    late_night = lake.daily_load(["M1"], date(2026, 2, 2), date(2026, 2, 2), root=root, night_end_hour=7)
    assert late_night[0]["night_energy"] == 3.0


def test_daily_load_on_an_empty_lake(root):
    assert lake.daily_load(["M1"], date(2026, 1, 1), date(2026, 1, 2), root=root) == [
        {"day": date(2026, 1, 1), "energy": None, "night_energy": None, "readings": 0},
        {"day": date(2026, 1, 2), "energy": None, "night_energy": None, "readings": 0},
    ]


def test_span_is_the_first_and_last_day_held(tmp_path, root):
    assert lake.span(root) is None
    f = csv_file(
        tmp_path / "r.csv", "M1,2026-03-31 23:45,1", "M2,2026-01-05 00:00,1", "M1,2026-02-01 00:00,2"
    )
    ingest(f, root)
    assert lake.span(root) == (date(2026, 1, 5), date(2026, 3, 31))


def test_the_lake_folder_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BENAN_POWER_LAKE", str(tmp_path / "elsewhere"))
    assert lake.readings_dir() == tmp_path / "elsewhere"
    assert lake.readings_dir(tmp_path / "given") == tmp_path / "given"


def test_an_unreadable_file_is_a_problem(tmp_path, root):
    f = tmp_path / "r.parquet"
    f.write_bytes(b"not parquet at all")
    with pytest.raises(FileProblems) as e:
        ingest(f, root)
    [(name, row, column, message)] = problems_of(e)
    assert (name, row, column) == ("r.parquet", None, None)
    assert message.startswith("无法读取")
