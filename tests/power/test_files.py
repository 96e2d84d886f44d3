"""The file contract: bad meters/status/readings files are refused naming file, row and column;
`evaluate` scores alerts by overlap, once per true period; the commands exit 2 on bad input."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from benan.power import evaluate, formats


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_meters_file_problems_are_listed_all_at_once(tmp_path):
    f = write(tmp_path / "m.csv", "meter_id,uscc\nA,U1\n,U2\nA,U3\nB,\n")
    with pytest.raises(formats.FileProblems) as exc:
        formats.read_meters(f)
    text = str(exc.value)
    assert "第 3 行 meter_id 列：不能为空" in text
    assert "第 4 行 meter_id 列：电表 A 已属于 U1" in text
    assert "第 5 行 uscc 列：不能为空" in text


def test_meters_file_needs_its_columns(tmp_path):
    f = write(tmp_path / "m.csv", "meter,uscc\nA,U1\n")
    with pytest.raises(formats.FileProblems) as exc:
        formats.read_meters(f)
    assert str(exc.value) == f"{f} 第 1 行 meter_id 列：缺少此列"


def test_status_file_rules(tmp_path):
    f = write(
        tmp_path / "s.csv",
        "uscc,status,start_date,end_date\n"
        "U1,normal,2025-01-01,2025-12-31\n"
        "U1,suspended,2025-12-01,\n"  # overlaps the row above
        "U2,paused,2025-01-01,\n"  # unknown status
        "U3,normal,2025/01/01,\n"  # not ISO
        "U4,normal,2025-02-01,2025-01-01\n",  # ends before it starts
    )
    with pytest.raises(formats.FileProblems) as exc:
        formats.read_status(f)
    text = str(exc.value)
    assert "第 3 行 start_date 列：与第 2 行的状态期间重叠" in text
    assert "第 4 行 status 列：“paused”不是 normal | suspended | under_construction | closed 之一" in text
    assert "第 5 行 start_date 列" in text and "第 6 行 end_date 列：结束日期早于开始日期" in text


def test_status_file_open_end_is_in_force(tmp_path):
    f = write(tmp_path / "s.csv", "uscc,status,start_date,end_date\nU1,suspended,2026-01-05,\n")
    t = formats.read_status(f)
    assert t.to_pylist() == [
        {"uscc": "U1", "status": "suspended", "start_date": date(2026, 1, 5), "end_date": None}
    ]


def test_readings_schema_is_checked(tmp_path):
    bad = tmp_path / "r.parquet"
    pq.write_table(pa.table({"meter_id": ["A"], "ts": ["2026-01-01 00:00"], "energy": [1.0]}), bad)
    with pytest.raises(formats.FileProblems) as exc:
        formats.check_readings(bad)
    text = str(exc.value)
    assert "ts 列：类型为 string，应为 timestamp" in text and "kwh 列：缺少此列" in text
    with pytest.raises(formats.FileProblems, match="文件或目录不存在"):
        formats.check_readings(tmp_path / "missing")


def test_detect_command_exits_2_naming_the_problem(tmp_path):
    meters = write(tmp_path / "m.csv", "meter_id,uscc\nA,U1\n")
    status = write(tmp_path / "s.csv", "uscc,status,start_date\nU1,normal,2026-01-01\n")
    with pytest.raises(CommandError) as exc:
        call_command(
            "power",
            "detect",
            "--readings",
            str(tmp_path),
            "--meters",
            str(meters),
            "--status",
            str(status),
            "--out",
            str(tmp_path / "a.csv"),
        )
    assert exc.value.returncode == 2 and "end_date 列：缺少此列" in str(exc.value)
    assert not (tmp_path / "a.csv").exists()


def periods(rows):
    return [evaluate.Period(u, k, date.fromisoformat(a), date.fromisoformat(b)) for u, k, a, b in rows]


def test_evaluate_counts_overlaps_and_each_true_period_once():
    truth = periods(
        [
            ("U1", "covert_operation", "2026-03-01", "2026-03-10"),
            ("U2", "covert_operation", "2026-03-01", "2026-03-10"),
            ("U3", "premature_operation", "2026-02-01", "2026-02-05"),
        ]
    )
    alerts = periods(
        [
            ("U1", "covert_operation", "2026-03-03", "2026-03-05"),  # TP, delay 2
            ("U1", "covert_operation", "2026-03-08", "2026-03-12"),  # TP again, same period
            ("U2", "premature_operation", "2026-03-01", "2026-03-10"),  # wrong kind: FP
            ("U3", "premature_operation", "2026-02-05", "2026-02-09"),  # touches the last day: TP, delay 4
            ("U4", "covert_operation", "2026-01-01", "2026-01-02"),  # FP
        ]
    )
    covert = evaluate.score(alerts, truth, "covert_operation")
    assert (covert.alerts, covert.true_positives, covert.found, covert.true_periods) == (3, 2, 1, 2)
    assert covert.precision == round(2 / 3, 4) and covert.recall == 0.5 and covert.median_delay_days == 2
    premature = evaluate.score(alerts, truth, "premature_operation")
    assert (premature.precision, premature.recall, premature.median_delay_days) == (0.5, 1.0, 4)
    overall = evaluate.score(alerts, truth)
    assert overall.found == 2 and overall.true_periods == 3


def test_evaluate_an_alert_starting_early_has_no_delay():
    truth = periods([("U1", "covert_operation", "2026-03-05", "2026-03-10")])
    alerts = periods([("U1", "covert_operation", "2026-03-01", "2026-03-06")])
    assert evaluate.score(alerts, truth).median_delay_days == 0


def test_evaluate_command_prints_the_table(tmp_path, capsys):
    truth = write(
        tmp_path / "t.csv", "uscc,kind,start_date,end_date\nU1,covert_operation,2026-03-01,2026-03-10\n"
    )
    alerts = write(
        tmp_path / "a.csv",
        "uscc,kind,start_date,end_date,score,evidence\nU1,covert_operation,2026-03-02,2026-03-04,0.9,证据\n",
    )
    call_command("power", "evaluate", "--alerts", str(alerts), "--truth", str(truth))
    out = capsys.readouterr().out
    assert "covert_operation" in out and "1.000" in out
    bad = write(tmp_path / "b.csv", "uscc,kind,start_date,end_date\nU1,other,2026-03-01,2026-03-10\n")
    with pytest.raises(CommandError) as exc:
        call_command("power", "evaluate", "--alerts", str(bad), "--truth", str(truth))
    assert exc.value.returncode == 2 and "第 2 行 kind 列" in str(exc.value)
