"""The ranking's judgement of indicators: which value is the worst, and the default order."""

from benan.supervision import figures


def rows(key, values):
    return [{"region_code": f"51{n:02d}00", key: v} for n, v in enumerate(values, start=1)]


def test_the_worst_is_the_highest_count_of_a_bad_thing_and_the_lowest_rate():
    assert figures.worst(rows("hazards_overdue", [3, 9, 9, 0]), "hazards_overdue") == {"510200", "510300"}
    assert figures.worst(rows("rectification_rate", [0.5, 1.0, 0.25]), "rectification_rate") == {"510300"}


def test_equal_values_mark_no_one():
    assert figures.worst(rows("deaths", [0, 0, 0]), "deaths") == set()
    assert figures.worst([], "deaths") == set()


def test_tools_of_supervision_are_compared_but_not_judged():
    for key in ("suspensions", "dual_penalty", "listed", "hazards_closed", "major_found", "alerts_confirmed"):
        assert figures.worst(rows(key, [0, 5, 1]), key) == set(), key
        assert figures.default_order(key) == "desc", key
        assert figures.describe(figures.INDICATOR[key]) == "只比较多少，不评优劣"


def test_the_default_order_puts_the_worst_first():
    ordered = figures.ranked(rows("rectification_rate", [0.5, 1.0, 0.25]), "rectification_rate")
    assert [r["rectification_rate"] for r in ordered] == [0.25, 0.5, 1.0]
    ordered = figures.ranked(rows("accidents", [1, 4, 1]), "accidents")
    assert [r["region_code"] for r in ordered] == ["510200", "510100", "510300"]  # ties by code
