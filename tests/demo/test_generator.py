"""The demo generator without a database: deterministic, valid, spread over the province."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from benan.core.geo import distance_km, in_sichuan
from benan.core.models import RegionLevel
from benan.demo import generator
from benan.enterprises import uscc
from benan.enterprises.models import Sector, Status

N = 300
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def regions():
    return generator.regions_from_file()


@pytest.fixture(scope="module")
def rows(regions):
    return generator.generate(N, 7, regions=regions)


def test_same_seed_gives_the_same_data(rows, regions):
    again = generator.generate(N, 7, regions=regions)
    assert [r.data["uscc"] for r in again] == [r.data["uscc"] for r in rows]
    assert again == rows  # names, coordinates, people, timelines: everything


def test_another_seed_gives_other_data(rows, regions):
    other = generator.generate(N, 8, regions=regions)
    assert {r.data["uscc"] for r in other}.isdisjoint({r.data["uscc"] for r in rows})


def test_it_makes_exactly_n(regions):
    assert len(generator.generate(0, regions=regions)) == 0
    assert len(generator.generate(5, regions=regions)) == 5


def test_every_uscc_is_valid_unique_and_registered_in_its_county(rows):
    codes = [r.data["uscc"] for r in rows]
    assert len(set(codes)) == N
    for row in rows:
        code = row.data["uscc"]
        assert uscc.problem(code) is None, code
        assert code[:2] == "91"
        assert code[2:8] == row.data["region_code"]
        assert code[16] == uscc.org_check_character(code[8:16])


def test_names_are_unique_and_read_like_company_names(rows):
    names = [r.data["name"] for r in rows]
    assert len(set(names)) == N
    for row in rows:
        name = row.data["name"]
        assert name.endswith(("有限公司", "有限责任公司", "股份有限公司")), name
        assert any(word in name for word in generator.INDUSTRY_WORDS[row.data["sector"]]), name


def test_every_county_gets_an_enterprise(rows, regions):
    counties = {c for c, r in regions.items() if r.level == RegionLevel.COUNTY}
    assert len(counties) == 183
    assert {r.data["region_code"] for r in rows} == counties


def test_chengdu_has_the_most_enterprises(regions):
    rows = generator.generate(2000, regions=regions)
    by_city = Counter(regions[r.data["region_code"]].parent_id for r in rows)
    assert by_city.most_common(1)[0][0] == "510100"
    assert len(by_city) == 21


def test_a_small_demo_still_has_an_enterprise_in_wuhou(regions):
    assert any(r.data["region_code"] == generator.WUHOU for r in generator.generate(3, regions=regions))


def test_coordinates_are_near_the_county_seat_inside_sichuan(rows, regions):
    for row in rows:
        seat = regions[row.data["region_code"]]
        assert in_sichuan(row.data["lat"], row.data["lon"])
        assert distance_km(row.data["lat"], row.data["lon"], seat.lat, seat.lon) <= 30


def test_addresses_are_in_the_enterprise_county(rows, regions):
    for row in rows:
        county = regions[row.data["region_code"]]
        city = regions[county.parent_id]
        assert row.data["address"].startswith(f"四川省{city.name}{county.name}")
        assert re.search(r"\d+号$", row.data["address"])


def test_no_mines_or_fireworks_in_central_chengdu(regions):
    for row in generator.generate(2000, regions=regions):
        if row.data["region_code"] in generator.CENTRAL_CHENGDU:
            assert row.data["sector"] not in generator.NOT_IN_CITY_CENTRE


def test_sector_mix_is_mostly_industry_and_trade(regions):
    sectors = Counter(r.data["sector"] for r in generator.generate(2000, regions=regions))
    assert set(sectors) == set(Sector.values)
    high_risk = sum(sectors[s] for s in (Sector.HAZARDOUS_CHEMICALS, Sector.NON_COAL_MINING,
                                          Sector.COAL_MINING, Sector.FIREWORKS))
    assert high_risk < 2000 * 0.3
    assert sectors[Sector.COAL_MINING] < sectors[Sector.NON_COAL_MINING] < sectors[Sector.HAZARDOUS_CHEMICALS]


def test_timelines_are_contiguous_and_end_open(rows):
    for row in rows:
        assert generator.timeline_problem(row.periods) is None
        assert row.periods[-1][2] is None
        assert row.periods[0][1] <= generator.REFERENCE_DAY


def test_status_mix(regions):
    rows = generator.generate(4000, regions=regions)
    current = Counter(r.periods[-1][0] for r in rows)
    assert current[Status.NORMAL] > 0.85 * 4000
    for status in (Status.SUSPENDED, Status.UNDER_CONSTRUCTION, Status.CLOSED):
        assert 0.01 * 4000 < current[status] < 0.05 * 4000
    for row in rows:
        if row.periods[-1][0] == Status.SUSPENDED:
            assert row.periods[-1][1].year == 2026
            assert row.periods[-2][0] == Status.NORMAL
    resumed = [r for r in rows if [p[0] for p in r.periods] == ["normal", "suspended", "normal"]]
    assert resumed


def test_timeline_problem_names_gaps_and_overlaps():
    d, problem = date, generator.timeline_problem
    assert problem((("normal", d(2020, 1, 1), d(2020, 5, 1)), ("suspended", d(2020, 5, 3), None)))  # gap
    assert problem((("normal", d(2020, 1, 1), d(2020, 5, 1)), ("suspended", d(2020, 5, 1), None)))  # overlap
    assert problem((("normal", d(2020, 1, 1), None), ("suspended", d(2020, 5, 1), None)))
    assert problem(()) is not None
    assert problem((("normal", d(2020, 1, 1), d(2020, 4, 30)), ("suspended", d(2020, 5, 1), None))) is None


@pytest.mark.parametrize(("name", "short"), [
    ("成都市", "成都"), ("阿坝藏族羌族自治州", "阿坝"), ("凉山彝族自治州", "凉山"),
])
def test_short_city_name(name, short):
    assert generator.short_city_name(name) == short


@pytest.mark.parametrize(("name", "short"), [
    ("武侯区", "武侯"), ("北川羌族自治县", "北川"), ("高县", "高县"), ("都江堰市", "都江堰"),
])
def test_short_county_name(name, short):
    assert generator.short_county_name(name) == short


def test_output_does_not_depend_on_the_interpreter_hash_seed():
    # Sets iterate in a per-process order; a generator that iterated one would differ between runs.
    code = (
        "import django, hashlib; django.setup(); from benan.demo import generator; "
        "print(hashlib.sha256(repr(generator.generate(200, 3)).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "DJANGO_SETTINGS_MODULE": "tests.settings"}
        done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                              check=True)
        digests.add(done.stdout.strip().splitlines()[-1])
    assert len(digests) == 1
