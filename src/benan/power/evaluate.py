"""Score power alerts against the true violation periods: precision, recall, F1, detection delay.

An alert is a true positive when it overlaps a true period of the same enterprise and kind (dates
inclusive); each true period counts once for recall, whichever alerts found it. The delay of a found
period is the days from its first day to the first day of the earliest alert overlapping it (0 when
that alert starts on or before it). Pure Python: it reads the two CSV files of the contract.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

KINDS = ("covert_operation", "premature_operation")


@dataclass(frozen=True)
class Period:
    uscc: str
    kind: str
    start: date
    end: date

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True)
class Score:
    kind: str
    alerts: int
    true_periods: int
    true_positives: int
    found: int
    precision: float
    recall: float
    f1: float
    median_delay_days: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def read_periods(path: str | Path) -> list[Period]:
    """Rows of an alerts or truth CSV (both have uscc, kind, start_date, end_date)."""
    periods = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"uscc", "kind", "start_date", "end_date"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: 缺少列 {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            try:
                start, end = date.fromisoformat(row["start_date"]), date.fromisoformat(row["end_date"])
            except ValueError as exc:
                raise ValueError(f"{path} 第 {line} 行：日期无法解析（{exc}）") from exc
            if row["kind"] not in KINDS:
                raise ValueError(f"{path} 第 {line} 行 kind 列：应为 {' 或 '.join(KINDS)}")
            periods.append(Period(row["uscc"], row["kind"], start, end))
    return periods


def score(alerts: list[Period], truth: list[Period], kind: str | None = None) -> Score:
    """The figures for one kind (or all kinds together when `kind` is None)."""
    alerts = [a for a in alerts if kind is None or a.kind == kind]
    truth = [t for t in truth if kind is None or t.kind == kind]
    truth_by_key: dict[tuple[str, str], list[Period]] = defaultdict(list)
    for t in truth:
        truth_by_key[(t.uscc, t.kind)].append(t)
    alerts_by_key: dict[tuple[str, str], list[Period]] = defaultdict(list)
    for a in alerts:
        alerts_by_key[(a.uscc, a.kind)].append(a)

    true_positives = sum(any(a.overlaps(t) for t in truth_by_key.get((a.uscc, a.kind), ())) for a in alerts)
    delays = []
    for t in truth:
        hits = [a for a in alerts_by_key.get((t.uscc, t.kind), ()) if a.overlaps(t)]
        if hits:
            first = min(a.start for a in hits)
            delays.append(max(0, (first - t.start).days))
    precision = true_positives / len(alerts) if alerts else 0.0
    recall = len(delays) / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(
        kind=kind or "all",
        alerts=len(alerts),
        true_periods=len(truth),
        true_positives=true_positives,
        found=len(delays),
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        median_delay_days=statistics.median(delays) if delays else None,
    )


def evaluate(alerts_path: str | Path, truth_path: str | Path) -> list[Score]:
    alerts, truth = read_periods(alerts_path), read_periods(truth_path)
    return [score(alerts, truth, kind) for kind in KINDS] + [score(alerts, truth)]


def table(scores: list[Score]) -> str:
    lines = [
        f"{'kind':<22}{'alerts':>8}{'true':>7}{'TP':>7}{'found':>7}"
        f"{'precision':>11}{'recall':>9}{'F1':>8}{'delay(d)':>10}"
    ]
    for s in scores:
        delay = "-" if s.median_delay_days is None else f"{s.median_delay_days:g}"
        lines.append(
            f"{s.kind:<22}{s.alerts:>8}{s.true_periods:>7}{s.true_positives:>7}{s.found:>7}"
            f"{s.precision:>11.3f}{s.recall:>9.3f}{s.f1:>8.3f}{delay:>10}"
        )
    return "\n".join(lines)
