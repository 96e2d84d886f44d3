"""The nearest resources to a point: exact great-circle order and distances, filters, scope."""

from __future__ import annotations

import math

import pytest

from benan.emergency import queries

pytestmark = pytest.mark.django_db

# One degree of a meridian on a sphere of the Earth's mean radius (6371.0088 km).
DEGREE_KM = math.pi * 6371.0088 / 180  # 111.195 km


def haversine(lat1, lon1, lat2, lon2, r=6371.0088):
    """Written out again here so the test does not trust the code it checks."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * r * math.asin(math.sqrt(a))


def test_three_teams_at_known_distances_come_back_nearest_first(api, commander, team):
    # Due north of the point along its meridian: 0.1°, 0.5° and 1.0° are 11.1, 55.6 and 111.2 km.
    point = (30.0, 104.0)
    far = team(lat=31.0, lon=104.0, name="北一度")
    near = team(lat=30.1, lon=104.0, name="北零点一度")
    middle = team(lat=30.5, lon=104.0, name="北零点五度")
    response = api(commander).get(
        "/api/v1/resources/nearest", {"lat": point[0], "lon": point[1], "kind": "rescue_team", "limit": 3}
    )
    assert response.status_code == 200, response.content
    items = response.json()
    assert [i["id"] for i in items] == [near.pk, middle.pk, far.pk]
    for item, degrees in zip(items, (0.1, 0.5, 1.0), strict=True):
        assert abs(item["distance_km"] - degrees * DEGREE_KM) <= 0.1
    assert [i["distance_km"] for i in items] == [11.1, 55.6, 111.2]


def test_distances_east_west_and_diagonal_match_haversine(api, commander, team):
    point = (28.5, 102.3)
    sites = [(28.5, 102.9), (29.7, 101.1), (28.45, 102.31), (33.9, 107.9), (26.1, 98.0)]
    made = [team(region="510107", lat=y, lon=x, name=f"队{n}") for n, (y, x) in enumerate(sites)]
    items = (
        api(commander)
        .get(
            "/api/v1/resources/nearest",
            {"lat": point[0], "lon": point[1], "kind": "rescue_team", "limit": 10},
        )
        .json()
    )
    expected = sorted((haversine(*point, t.lat, t.lon), t.pk) for t in made)
    assert [i["id"] for i in items] == [pk for _, pk in expected]
    for item, (km, _) in zip(items, expected, strict=True):
        assert abs(item["distance_km"] - km) <= 0.1 / 2 + 1e-9


def test_the_search_equals_a_scan_of_every_row(commander, team):
    """Random sites across Sichuan: the indexed search returns exactly the brute-force answer."""
    import random

    rng = random.Random(7)
    for n in range(120):
        team(lat=rng.uniform(26.1, 34.3), lon=rng.uniform(97.4, 108.5), name=f"随机{n}")
    for _ in range(15):
        lat, lon = rng.uniform(26.1, 34.3), rng.uniform(97.4, 108.5)
        for limit in (1, 5, 30, 200):
            fast = queries.nearest(commander, lat=lat, lon=lon, kind="rescue_team", limit=limit)
            slow = queries.brute_force_nearest(commander, lat=lat, lon=lon, kind="rescue_team", limit=limit)
            assert [h.distance_km for h in fast] == [h.distance_km for h in slow]
            assert len(fast) == min(limit, 120)


def test_capability_and_availability_filter_teams(api, commander, team):
    fire = team(lat=30.1, lon=104.0, capabilities=["fire"])
    hazchem = team(lat=30.2, lon=104.0, capabilities=["hazchem"])
    resting = team(lat=30.05, lon=104.0, capabilities=["hazchem"])
    api(commander).post(f"/api/v1/resources/teams/{resting.pk}/stand-down", {"note": "装备检修"})
    client = api(commander)
    base = {"lat": 30.0, "lon": 104.0, "kind": "rescue_team"}
    ids = [i["id"] for i in client.get("/api/v1/resources/nearest", {**base, "capability": "hazchem"}).json()]
    assert ids == [resting.pk, hazchem.pk]
    items = client.get(
        "/api/v1/resources/nearest", {**base, "capability": "hazchem", "available": "true"}
    ).json()
    assert [i["id"] for i in items] == [hazchem.pk]
    assert items[0]["available"] is True and items[0]["status_label"] == "待命"
    assert fire.pk not in ids


def test_equipment_and_warehouses_by_item(api, commander, warehouse, equipment, stock):
    near, far = warehouse(lat=30.1, lon=104.0), warehouse(lat=30.3, lon=104.0)
    empty = warehouse(lat=30.01, lon=104.0)
    stock(near, "M01", 10)
    stock(far, "M01", 500)
    stock(empty, "M02", 5)
    pump_far, pump_near = equipment(far, "E07"), equipment(near, "E07")
    equipment(near, "E05")
    client = api(commander)
    base = {"lat": 30.0, "lon": 104.0}
    houses = client.get("/api/v1/resources/nearest", {**base, "kind": "warehouse", "item": "M01"}).json()
    assert [h["id"] for h in houses] == [near.pk, far.pk]
    pumps = client.get("/api/v1/resources/nearest", {**base, "kind": "equipment", "item": "E07"}).json()
    assert [p["id"] for p in pumps] == [pump_near.pk, pump_far.pk]
    assert pumps[0]["distance_km"] == 11.1


@pytest.mark.parametrize(
    "params, field",
    [
        ({"lat": 91, "lon": 104, "kind": "rescue_team"}, "lat"),
        ({"lat": 30, "lon": -181, "kind": "rescue_team"}, "lon"),
        ({"lat": "北纬30", "lon": 104, "kind": "rescue_team"}, "lat"),
        ({"lat": 30, "lon": 104, "kind": "hospital"}, "kind"),
        ({"lat": 30, "lon": 104, "kind": "rescue_team", "capability": "flying"}, "capability"),
        ({"lat": 30, "lon": 104, "kind": "warehouse", "capability": "fire"}, "capability"),
        ({"lat": 30, "lon": 104, "kind": "warehouse", "item": "E07"}, "item"),
        ({"lat": 30, "lon": 104, "kind": "rescue_team", "limit": 0}, "limit"),
        ({"lat": 30, "lon": 104, "kind": "rescue_team", "region": "999999"}, "region"),
    ],
)
def test_bad_queries_name_the_field(api, commander, params, field):
    response = api(commander).get("/api/v1/resources/nearest", params)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


def test_county_users_find_only_their_own_region(api, team, make_user):
    from benan.core.models import Role

    own = team("510107", lat=30.6, lon=104.0)
    other = team("510104", lat=30.61, lon=104.0)
    county = make_user("wuhou-commander", Role.COMMANDER, region="510107")
    ids = [
        i["id"]
        for i in api(county)
        .get("/api/v1/resources/nearest", {"lat": 30.6, "lon": 104.0, "kind": "rescue_team"})
        .json()
    ]
    assert ids == [own.pk]
    assert other.pk not in ids


def test_bounding_box_holds_the_circle():
    for lat in (-80, -30, 0, 26.1, 34.3, 60, 85):
        for km in (1, 50, 800):
            box = queries.bounding_box(lat, 104.0, km)
            if box is None:
                continue
            for bearing in range(0, 360, 5):
                # A point km away on the bearing must lie inside the box.
                d, p1, l1, b = km / 6371.0088, math.radians(lat), math.radians(104.0), math.radians(bearing)
                p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
                l2 = l1 + math.atan2(
                    math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
                )
                y, x = math.degrees(p2), math.degrees(l2)
                assert box[0] - 1e-9 <= y <= box[1] + 1e-9 and box[2] - 1e-9 <= x <= box[3] + 1e-9


def test_warehouses_holding_an_item_equal_a_scan_of_every_row(commander, warehouse, stock):
    """The search by item (stock tested warehouse by warehouse, few of them: every round of the
    search) returns exactly the brute-force answer; expired stock does not count."""
    import random

    from benan.emergency.models import Batch

    rng = random.Random(11)
    for n in range(60):
        w = warehouse(lat=rng.uniform(26.1, 34.3), lon=rng.uniform(97.4, 108.5), name=f"库{n}")
        if n % 3 == 0:
            stock(w, "M15", rng.randint(1, 50))
        elif n % 3 == 1:
            Batch.objects.filter(pk=stock(w, "M15", 5, expires_in=30).pk).update(expiry_date="2000-01-01")
    for _ in range(10):
        lat, lon = rng.uniform(26.1, 34.3), rng.uniform(97.4, 108.5)
        for limit in (1, 10, 50):
            args = {"lat": lat, "lon": lon, "kind": "warehouse", "item": "M15", "limit": limit}
            fast = queries.nearest(commander, **args)
            slow = queries.brute_force_nearest(commander, **args)
            assert [(h.distance_km, h.obj.pk) for h in fast] == [(h.distance_km, h.obj.pk) for h in slow]
            assert len(fast) == min(limit, 20)
