"""The emergency part of the bench at a tiny size: the fixture it loads, and the check that stops it
when the indexed nearest search and the scan of every row disagree."""

from __future__ import annotations

import random

import pytest
from django.test import Client

from benan.core.models import Region, RegionLevel, User
from benan.emergency import queries
from benan.emergency.models import Equipment, EquipmentStatus, Readiness, RescueTeam, Warehouse
from bench import emergency

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(regions):
    return emergency.load(n=300, seed=3, progress=lambda line: None)


def test_the_fixture_is_a_mix_of_sites_inside_sichuan_in_real_counties(loaded):
    assert (loaded["teams"], loaded["warehouses"], loaded["equipment"]) == (90, 60, 150)
    assert (RescueTeam.objects.count(), Warehouse.objects.count(), Equipment.objects.count()) == (90, 60, 150)
    counties = set(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True))
    for model in (RescueTeam, Warehouse):
        for lat, lon, region in model.objects.values_list("lat", "lon", "region_id"):
            assert emergency.prefecture_of(lat, lon) is not None, (lat, lon)
            assert region in counties
    assert Equipment.objects.exclude(warehouse__is_pool=True).count() == 0
    assert RescueTeam.objects.filter(readiness=Readiness.READY).count() > 90 * 0.6
    assert Equipment.objects.filter(status=EquipmentStatus.AVAILABLE).count() > 150 * 0.6
    assert emergency.loaded()


def test_a_variant_is_timed_against_the_scan_and_both_answers_agree(loaded):
    rng = random.Random(1)
    points = [emergency.random_point(rng) for _ in range(emergency.WARM_UP + 3)]
    client = Client()
    headers = emergency.login(client, "bench-commander")
    user = User.objects.select_related("region").get(username="bench-commander")
    result = emergency.measure_variant(
        client, headers, user, "province", "Sichuan", "teams", "rescue_team", {"available": True}, points
    )
    assert result["rows"] == RescueTeam.objects.filter(readiness=Readiness.READY).count()
    assert result["api"]["n"] == result["baseline_api"]["n"] == 3
    assert result["checked_points"] == len(points)
    assert result["plans"] and result["statements"]["max"] >= 2


def test_a_wrong_answer_stops_the_bench(loaded, monkeypatch):
    def farthest_first(*args, **kwargs):
        return list(reversed(queries.brute_force_nearest(*args, **{**kwargs, "limit": 50})))[:10]

    monkeypatch.setattr(queries, "nearest", farthest_first)
    rng = random.Random(2)
    points = [emergency.random_point(rng) for _ in range(emergency.WARM_UP + 1)]
    client = Client()
    headers = emergency.login(client, "bench-commander")
    user = User.objects.select_related("region").get(username="bench-commander")
    with pytest.raises(emergency.Mismatch):
        emergency.measure_variant(
            client, headers, user, "province", "Sichuan", "teams", "rescue_team", {}, points
        )
