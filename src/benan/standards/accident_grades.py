"""Decree 493 as a pure function: casualties and loss → the accident grade, who must be told, who
investigates, and the deadlines that follow.

Data-driven from `data/grades/decree493.yaml`: each grade's bands ("以上" includes the bound, "以下"
excludes it, 第三条末款) and its reporting and investigation rules. The grade is the most severe one
that any criterion reaches (the three criteria are joined by 或者). No database; imports nothing
from benan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

import yaml

CRITERIA = ("deaths", "serious_injuries", "direct_loss_cny")
LEVELS = ("county", "city", "province", "national")
LEVEL_LABELS = {"county": "县级", "city": "市级", "province": "省级", "national": "国务院"}


class GradingError(ValueError):
    """Bad input; `field` names the criterion."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Band:
    minimum: Decimal | None  # inclusive
    maximum: Decimal | None  # exclusive

    def contains(self, value: Decimal) -> bool:
        return (self.minimum is None or value >= self.minimum) and (
            self.maximum is None or value < self.maximum
        )


@dataclass(frozen=True)
class GradeRule:
    code: str
    name: str
    bands: dict[str, Band]
    text: str
    report_up_to: str
    report_to: str
    investigated_by: str
    investigation_level: str
    reply_days: int
    reply_max_extension_days: int
    severity: int  # 0 is the most severe

    @property
    def report_levels(self) -> tuple[str, ...]:
        """The levels that must be told, from the county up."""
        return LEVELS[: LEVELS.index(self.report_up_to) + 1]


@dataclass(frozen=True)
class Rules:
    grades: tuple[GradeRule, ...]  # most severe first
    unit_to_county_hours: int
    per_level_hours: int
    supplementary_days: int
    supplementary_days_by_kind: dict[str, int]
    report_days: int
    max_extension_days: int
    boundary_rule: str
    criteria_labels: dict[str, str]

    def rule(self, code: str) -> GradeRule:
        for g in self.grades:
            if g.code == code:
                return g
        raise KeyError(code)


@dataclass(frozen=True)
class Grading:
    grade: str
    name: str
    decided_by: tuple[str, ...]  # the criteria that reach this grade
    report_to: str
    investigated_by: str
    report_levels: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "grade": self.grade,
            "name": self.name,
            "decided_by": list(self.decided_by),
            "report_to": self.report_to,
            "investigated_by": self.investigated_by,
            "report_levels": list(self.report_levels),
        }


def _band(raw: dict | None, where: str) -> Band:
    raw = raw or {}
    unknown = set(raw) - {"min", "max_exclusive"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    low, high = raw.get("min"), raw.get("max_exclusive")
    return Band(
        Decimal(str(low)) if low is not None else None, Decimal(str(high)) if high is not None else None
    )


def parse(data: dict) -> Rules:
    grades = []
    for n, g in enumerate(data["grades"]):
        if g["report_up_to"] not in LEVELS or g["investigation_level"] not in LEVELS:
            raise ValueError(f"grades[{n}]: levels must be one of {LEVELS}")
        grades.append(
            GradeRule(
                code=g["code"],
                name=g["name"],
                bands={c: _band(g.get(c), f"grades[{n}].{c}") for c in CRITERIA},
                text=g["text"],
                report_up_to=g["report_up_to"],
                report_to=g["report_to"],
                investigated_by=g["investigated_by"],
                investigation_level=g["investigation_level"],
                reply_days=int(g["reply_days"]),
                reply_max_extension_days=int(g["reply_max_extension_days"]),
                severity=n,
            )
        )
    # The bands of one criterion must tile [0, ∞) without gap or overlap, most severe on top:
    # otherwise some value would have no grade, or two.
    for c in CRITERIA:
        bands = [g.bands[c] for g in reversed(grades)]
        if bands[0].minimum not in (None, Decimal(0)) or bands[-1].maximum is not None:
            raise ValueError(f"{c}: the bands must start at 0 and end open")
        for lower, upper in zip(bands, bands[1:], strict=False):
            if lower.maximum != upper.minimum:
                raise ValueError(f"{c}: bands {lower} and {upper} do not meet")
    reporting, investigation = data["reporting"], data["investigation"]
    return Rules(
        grades=tuple(grades),
        unit_to_county_hours=int(reporting["unit_to_county_hours"]),
        per_level_hours=int(reporting["per_level_hours"]),
        supplementary_days=int(reporting["supplementary_days"]),
        supplementary_days_by_kind={k: int(v) for k, v in reporting["supplementary_days_by_kind"].items()},
        report_days=int(investigation["report_days"]),
        max_extension_days=int(investigation["max_extension_days"]),
        boundary_rule=data["boundary_rule"],
        criteria_labels=dict(data["criteria"]),
    )


@cache
def rules() -> Rules:
    text = resources.files("benan.standards").joinpath("data/grades/decree493.yaml").read_text("utf-8")
    return parse(yaml.safe_load(text))


def parse_count(value, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str | float | Decimal):
        raise GradingError(field, f"{label}必须是整数")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise GradingError(field, f"{label}必须是整数，收到“{value}”") from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise GradingError(field, f"{label}必须是整数，收到“{value}”")
    if number < 0:
        raise GradingError(field, f"{label}不能为负数")
    return int(number)


def parse_amount(value, field: str, label: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | float | Decimal):
        raise GradingError(field, f"{label}必须是金额（元）")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise GradingError(field, f"{label}必须是金额（元），收到“{value}”") from exc
    if not amount.is_finite():
        raise GradingError(field, f"{label}必须是金额（元），收到“{value}”")
    if amount < 0:
        raise GradingError(field, f"{label}不能为负数")
    return amount


def grade(deaths, serious_injuries, direct_loss_cny) -> Grading:
    """The grade of an accident with these casualties and this direct economic loss (CNY)."""
    values = {
        "deaths": Decimal(parse_count(deaths, "deaths", "死亡人数")),
        "serious_injuries": Decimal(parse_count(serious_injuries, "serious_injuries", "重伤人数")),
        "direct_loss_cny": parse_amount(direct_loss_cny, "direct_loss_cny", "直接经济损失"),
    }
    for rule in rules().grades:  # most severe first: the first any criterion reaches
        reached = tuple(c for c in CRITERIA if rule.bands[c].contains(values[c]))
        if reached:
            return Grading(
                grade=rule.code,
                name=rule.name,
                decided_by=reached,
                report_to=rule.report_to,
                investigated_by=rule.investigated_by,
                report_levels=rule.report_levels,
            )
    raise AssertionError("the bands tile every value; parse() checks it")


def severity(code: str) -> int:
    """0 for 特别重大 … 3 for 一般: smaller is more severe."""
    return rules().rule(code).severity


def reporting_deadlines(code: str, known_at: datetime) -> dict[str, datetime]:
    """When each level must have been told: the county within an hour of the unit's head learning
    of the accident (第九条), then at most two hours per level upward (第十一条)."""
    r = rules()
    deadlines, due = {}, known_at + timedelta(hours=r.unit_to_county_hours)
    for level in r.rule(code).report_levels:
        deadlines[level] = due
        due = due + timedelta(hours=r.per_level_hours)
    return deadlines


def supplementary_days(kind: str) -> int:
    """Days after the accident within which casualty changes are re-reported (第十三条)."""
    r = rules()
    return r.supplementary_days_by_kind.get(kind, r.supplementary_days)
