"""Decree 493's grades at every boundary, the published test vectors, and monotonicity."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benan.standards import accident_grades as g

# (deaths, serious injuries, direct loss) → grade: every boundary of 第三条, "以上" inclusive,
# "以下" exclusive.
BOUNDARIES = [
    ((0, 0, 0), "general"),
    ((2, 0, 0), "general"),
    ((3, 0, 0), "relatively_major"),
    ((9, 0, 0), "relatively_major"),
    ((10, 0, 0), "major"),
    ((29, 0, 0), "major"),
    ((30, 0, 0), "especially_major"),
    ((0, 9, 0), "general"),
    ((0, 10, 0), "relatively_major"),
    ((0, 49, 0), "relatively_major"),
    ((0, 50, 0), "major"),
    ((0, 99, 0), "major"),
    ((0, 100, 0), "especially_major"),
    ((0, 0, "9999999.99"), "general"),
    ((0, 0, 10_000_000), "relatively_major"),
    ((0, 0, "49999999.99"), "relatively_major"),
    ((0, 0, 50_000_000), "major"),
    ((0, 0, "99999999.99"), "major"),
    ((0, 0, 100_000_000), "especially_major"),
    # The published vector: the most severe criterion decides.
    ((2, 60, 0), "major"),
    ((1, 0, 12_000_000), "relatively_major"),
]


@pytest.mark.parametrize(("values", "grade"), BOUNDARIES, ids=[f"{v}→{g}" for v, g in BOUNDARIES])
def test_every_boundary(values, grade):
    assert g.grade(*values).grade == grade


def test_the_criteria_that_decided_are_named():
    result = g.grade(3, 0, 20_000_000)
    assert result.grade == "relatively_major" and result.name == "较大事故"
    assert result.decided_by == ("deaths", "direct_loss_cny")
    assert g.grade(2, 60, 0).decided_by == ("serious_injuries",)
    assert g.grade(0, 0, 0).decided_by == ("deaths", "serious_injuries", "direct_loss_cny")


@pytest.mark.parametrize(
    ("code", "levels", "investigator"),
    [
        ("general", ("county", "city"), "事故发生地县级人民政府"),
        ("relatively_major", ("county", "city", "province"), "事故发生地设区的市级人民政府"),
        ("major", ("county", "city", "province", "national"), "事故发生地省级人民政府"),
        (
            "especially_major",
            ("county", "city", "province", "national"),
            "国务院或者国务院授权有关部门组织事故调查组",
        ),
    ],
)
def test_who_is_told_and_who_investigates(code, levels, investigator):
    rule = g.rules().rule(code)
    assert rule.report_levels == levels
    assert rule.investigated_by == investigator


def test_the_reporting_chain_is_one_hour_then_two_per_level():
    known = datetime(2026, 3, 1, 22, 30)
    deadlines = g.reporting_deadlines("major", known)
    assert deadlines == {
        "county": known + timedelta(hours=1),
        "city": known + timedelta(hours=3),
        "province": known + timedelta(hours=5),
        "national": known + timedelta(hours=7),
    }
    assert list(g.reporting_deadlines("general", known)) == ["county", "city"]


def test_reply_deadlines():
    assert g.rules().rule("especially_major").reply_days == 30
    assert {g.rules().rule(c).reply_days for c in ("major", "relatively_major", "general")} == {15}


def test_supplementary_windows():
    assert g.supplementary_days("road_traffic") == 7
    assert g.supplementary_days("fire") == 7
    assert g.supplementary_days("industrial") == 30


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ((-1, 0, 0), "deaths"),
        ((0, -1, 0), "serious_injuries"),
        ((0, 0, -0.01), "direct_loss_cny"),
        ((1.5, 0, 0), "deaths"),
        (("三", 0, 0), "deaths"),
        ((0, 0, "很多"), "direct_loss_cny"),
        ((0, 0, "NaN"), "direct_loss_cny"),
        ((True, 0, 0), "deaths"),
        ((0, None, 0), "serious_injuries"),
    ],
)
def test_bad_input_names_the_criterion(values, field):
    with pytest.raises(g.GradingError) as error:
        g.grade(*values)
    assert error.value.field == field


counts = st.integers(min_value=0, max_value=500)
losses = st.decimals(min_value=0, max_value=Decimal("1e9"), places=2, allow_nan=False, allow_infinity=False)


@given(counts, counts, losses, counts, counts, losses)
def test_more_casualties_or_loss_never_lower_the_grade(d, i, loss, more_d, more_i, more_loss):
    before = g.grade(d, i, loss)
    after = g.grade(d + more_d, i + more_i, loss + more_loss)
    assert g.severity(after.grade) <= g.severity(before.grade)


@given(counts, counts, losses)
def test_the_grade_is_the_most_severe_criterion(d, i, loss):
    alone = [g.grade(d, 0, 0), g.grade(0, i, 0), g.grade(0, 0, loss)]
    assert g.severity(g.grade(d, i, loss).grade) == min(g.severity(x.grade) for x in alone)


def test_the_bands_must_tile():
    from importlib import resources

    import yaml

    data = yaml.safe_load(
        resources.files("benan.standards").joinpath("data/grades/decree493.yaml").read_text("utf-8")
    )
    data["grades"][1]["deaths"]["min"] = 11  # a gap between 10 and 11 deaths
    with pytest.raises(ValueError, match="do not meet"):
        g.parse(data)
