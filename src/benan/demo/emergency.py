"""Demo emergency resources (应急资源) across the 21 cities, and the work done with them, written through
`benan.emergency.services` like real use.

`plan()` is pure: from the region table, a number of rescue teams, the risky enterprises of each county,
a seed and a day it lays out the registries: every city's flagship team and reserve warehouse, the
province's reserves (新都, 西昌, 达州), county teams and warehouses at random, stock in batches (a few
lines below their minimum, a few batches expiring within 30 days, one expired still on the shelf) and
pool equipment in several cities. `install()` registers them as the demo commanders (`commander` for the
province, `wuhou-commander` for 武侯区's own) and replays their history under `core.clock.as_of`: pool
loans returned, lent (one overdue) and reserved, equipment in and out of maintenance, drills held with
evaluations and follow-ups in every state, planned and cancelled; a fully returned dispatch in 武侯区
three days ago; teams resting; and a live dispatch to the most serious accident of the last day that
has been on the system an hour (demo.accidents), its orders in every state. Then the emergency sweep
runs, as the daily job would.
Imports from core, enterprises, accidents, emergency and demo.hazards.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F
from django.utils import timezone
from faker import Faker

from benan.accidents.models import Accident, Grade, Kind
from benan.core import clock, geo
from benan.core.models import Region, RegionLevel, Role, User
from benan.emergency import queries, services
from benan.emergency.models import (
    Batch,
    Dispatch,
    DispatchOrder,
    Drill,
    DrillKind,
    Equipment,
    EquipmentStatus,
    FollowUp,
    FollowUpState,
    Loan,
    LoanState,
    OrderKind,
    Origin,
    Rating,
    RescueTeam,
    Stock,
    TeamKind,
    Warehouse,
    WarehouseLevel,
)
from benan.enterprises.models import Enterprise, Sector, Status, StatusPeriod

from . import hazards as demo_hazards

WUHOU, CHENGDU, SICHUAN = demo_hazards.WUHOU, demo_hazards.CHENGDU, demo_hazards.SICHUAN
COMMANDER, COUNTY_COMMANDER = "commander", "wuhou-commander"
# Teams. The default leaves the small demos of the other modules' tests out (like the power demo).
MAX_DEFAULT, MIN_DEFAULT, MIN_DEFAULT_ENTERPRISES = 300, 60, 500
ENTERPRISES_PER_TEAM = 25

PRO, FIREMEN, FORESTERS, VOLUNTEERS, MEDICS, MINERS, HAZMAT, COMPANY = (
    TeamKind.PROFESSIONAL,
    TeamKind.FIRE,
    TeamKind.FOREST_FIRE,
    TeamKind.SOCIAL,
    TeamKind.MEDICAL,
    TeamKind.MINE_RESCUE,
    TeamKind.HAZCHEM,
    TeamKind.ENTERPRISE,
)


@dataclass(frozen=True)
class TeamSpec:
    county: str
    name: str
    kind: str
    capabilities: tuple[str, ...]
    members: int
    by: str = COMMANDER


# Every city's flagship team, where its risk lies (chemical parks, coal fields, forests, the 2013
# 芦山 earthquake zone), the province's own teams in 成都, and 武侯区's two.
SHOWCASE_TEAMS = (
    TeamSpec("510113", "成都市危险化学品应急救援队", HAZMAT, ("hazchem", "fire"), 86),
    TeamSpec(
        "510106", "四川省地震灾害紧急救援队", PRO, ("earthquake", "collapse", "rope", "medical", "comms"), 180
    ),
    TeamSpec("510105", "四川省人民医院紧急医学救援队", MEDICS, ("medical",), 42),
    TeamSpec("510108", "国网成都供电公司电力应急抢修队", PRO, ("power", "comms"), 60),
    TeamSpec(
        WUHOU, "成都市武侯区应急救援大队", PRO, ("collapse", "flood", "traffic", "rope"), 46, COUNTY_COMMANDER
    ),
    TeamSpec(
        WUHOU,
        "成都市武侯区蓝天救援队",
        VOLUNTEERS,
        ("water", "rope", "earthquake", "medical"),
        38,
        COUNTY_COMMANDER,
    ),
    TeamSpec("510311", "自贡市危险化学品应急救援队", HAZMAT, ("hazchem", "fire"), 52),
    TeamSpec("510403", "攀枝花矿山救护队", MINERS, ("mine_rescue", "tunnel", "collapse"), 96),
    TeamSpec("510503", "泸州市危险化学品应急救援队", HAZMAT, ("hazchem", "fire"), 60),
    TeamSpec("510682", "德阳市危险化学品应急救援队", HAZMAT, ("hazchem", "fire"), 55),
    TeamSpec("510703", "绵阳市城市搜救队", PRO, ("earthquake", "collapse", "rope"), 64),
    TeamSpec("510821", "广元市矿山救护队", MINERS, ("mine_rescue", "tunnel"), 58),
    TeamSpec("510981", "遂宁市危险化学品应急救援队", HAZMAT, ("hazchem", "fire"), 48),
    TeamSpec("511024", "内江市矿山救护队", MINERS, ("mine_rescue", "tunnel"), 45),
    TeamSpec("511112", "乐山市危险化学品应急救援队", HAZMAT, ("hazchem", "fire"), 62),
    TeamSpec("511304", "南充市危险化学品应急救援队", HAZMAT, ("hazchem", "fire"), 50),
    TeamSpec("511403", "眉山市危险化学品应急救援队", HAZMAT, ("hazchem", "fire"), 46),
    TeamSpec("511526", "宜宾市矿山救护队", MINERS, ("mine_rescue", "tunnel", "collapse"), 88),
    TeamSpec("511681", "广安市矿山救护队", MINERS, ("mine_rescue", "tunnel"), 52),
    TeamSpec("511722", "达州市危险化学品应急救援队", HAZMAT, ("hazchem", "fire"), 70),
    TeamSpec("511826", "雅安市地震应急救援队", PRO, ("earthquake", "collapse", "rope", "medical"), 56),
    TeamSpec("511902", "巴中市综合应急救援队", PRO, ("flood", "collapse", "traffic", "water"), 44),
    TeamSpec("512002", "资阳市综合应急救援队", PRO, ("flood", "collapse", "traffic", "water"), 40),
    TeamSpec("513201", "阿坝州森林草原专业扑火队", FORESTERS, ("forest_fire",), 75),
    TeamSpec("513301", "甘孜州森林草原专业扑火队", FORESTERS, ("forest_fire",), 70),
    TeamSpec("513401", "凉山州森林草原专业扑火队", FORESTERS, ("forest_fire", "rope"), 120),
)
MIN_TEAMS = len(SHOWCASE_TEAMS)
RESTING = "广元市矿山救护队"  # away training: the showcase's resting team

# Random county teams: name suffix and capabilities, by kind.
TEAM_NAMES = {
    PRO: (
        ("应急救援大队", ("collapse", "flood", "traffic", "rope")),
        ("防汛抢险队", ("flood", "water")),
        ("地质灾害应急抢险队", ("collapse", "earthquake", "rope")),
        ("交通事故应急救援队", ("traffic", "tunnel")),
    ),
    FIREMEN: (
        ("消防救援大队", ("fire", "collapse", "traffic", "water", "rope")),
        ("政府专职消防队", ("fire", "traffic")),
    ),
    FORESTERS: (("森林草原专业扑火队", ("forest_fire",)), ("森林草原半专业扑火队", ("forest_fire",))),
    VOLUNTEERS: (
        ("蓝天救援队", ("water", "rope", "earthquake", "medical")),
        ("红十字应急救援队", ("medical", "earthquake")),
        ("山地救援队", ("rope", "earthquake")),
    ),
    MEDICS: (("人民医院紧急医学救援队", ("medical",)), ("中医医院应急医疗队", ("medical",))),
    MINERS: (("矿山救护中队", ("mine_rescue", "tunnel")),),
    HAZMAT: (("危险化学品应急救援中队", ("hazchem", "fire")),),
}
MEMBERS = {
    PRO: (25, 60),
    FIREMEN: (40, 110),
    FORESTERS: (30, 90),
    VOLUNTEERS: (15, 60),
    MEDICS: (12, 36),
    MINERS: (40, 100),
    HAZMAT: (30, 80),
    COMPANY: (12, 40),
}
CENTRAL_CHENGDU = frozenset({"510104", "510105", "510106", "510107", "510108"})
HAZCHEM_CITIES = frozenset(
    {"510100", "510300", "510500", "510600", "510900", "511100", "511300", "511400", "511700"}
)
MINING_CITIES = frozenset({"510400", "510800", "511000", "511500", "511600", "513400"})
FOREST_CITIES = frozenset({"510400", "511100", "511800", "513200", "513300", "513400"})
RISKY_SECTORS = {
    Sector.HAZARDOUS_CHEMICALS: "专职消防队",
    Sector.COAL_MINING: "矿山救护队",
    Sector.NON_COAL_MINING: "矿山救护队",
    Sector.METALLURGY: "专职消防队",
}
ENTERPRISE_CAPABILITIES = {
    Sector.HAZARDOUS_CHEMICALS: ("hazchem", "fire"),
    Sector.COAL_MINING: ("mine_rescue", "tunnel"),
    Sector.NON_COAL_MINING: ("mine_rescue", "collapse"),
    Sector.METALLURGY: ("fire", "hazchem"),
}

# -- warehouses and stock ------------------------------------------------------------------------

BASE, FLOOD, FIRE, HAZCHEM, MINING, FOREST, WORKS = (
    "base",
    "flood",
    "fire",
    "hazchem",
    "mining",
    "forest",
    "works",
)
PROFILE_ITEMS = {
    BASE: ("M07", "M08", "M09", "M10", "M11", "M12", "M16", "M26", "M27", "M29"),
    FLOOD: ("M01", "M02", "M03", "M05", "M06"),
    FIRE: ("M21", "M22", "M23"),
    HAZCHEM: ("M13", "M14", "M15", "M18", "M19", "M20"),
    MINING: ("M13", "M14", "M17"),
    FOREST: ("M24", "M25"),
    WORKS: ("M04", "M28", "M30"),
}
ALL_PROFILES = tuple(PROFILE_ITEMS)
# A city's reserve holds the core of each profile; a county warehouse a few basics.
CITY_PROFILE_ITEMS = {
    **PROFILE_ITEMS,
    FLOOD: ("M01", "M02", "M05"),
    FIRE: ("M21",),
    HAZCHEM: ("M14", "M15", "M18", "M19"),
    MINING: ("M13", "M17"),
    WORKS: ("M28",),
}
COUNTY_ITEMS = 6
# A county warehouse's holding of each item (the unit is the catalogue's); others hold a multiple.
BASE_QUANTITY = {
    "M01": 5000,
    "M02": 200,
    "M03": 60,
    "M04": 2,
    "M05": 3,
    "M06": 2000,
    "M07": 100,
    "M08": 200,
    "M09": 500,
    "M10": 300,
    "M11": 200,
    "M12": 50,
    "M13": 40,
    "M14": 100,
    "M15": 30,
    "M16": 300,
    "M17": 100,
    "M18": 500,
    "M19": 5,
    "M20": 1000,
    "M21": 200,
    "M22": 2000,
    "M23": 50,
    "M24": 30,
    "M25": 200,
    "M26": 200,
    "M27": 30,
    "M28": 2000,
    "M29": 40,
    "M30": 300,
}
LEVEL_FACTOR = {
    WarehouseLevel.PROVINCE: 12.0,
    WarehouseLevel.CITY: 4.0,
    WarehouseLevel.COUNTY: 1.0,
    WarehouseLevel.ENTERPRISE: 0.5,
}
# Shelf life in days of what expires (water, food, medicine, filters, chemicals, fuel).
SHELF_DAYS = {
    "M10": 540,
    "M11": 365,
    "M14": 1825,
    "M17": 1095,
    "M20": 1095,
    "M21": 1825,
    "M22": 1095,
    "M26": 1095,
    "M28": 730,
}
MINIMUM_SHARE = 0.5  # the reserve quota (储备定额) of a line: half of what it was stocked with
BATCH_NOTES = ("政府采购入库", "上级调拨入库", "协议储备轮换入库", "", "")


@dataclass(frozen=True)
class WarehouseSpec:
    county: str
    name: str
    level: str
    is_pool: bool
    capacity: int
    profiles: tuple[str, ...]
    by: str = COMMANDER


PROVINCE_WAREHOUSES = (
    WarehouseSpec(
        "510114", "四川省应急物资储备库（新都）", WarehouseLevel.PROVINCE, True, 32000, ALL_PROFILES
    ),
    WarehouseSpec(
        "513401",
        "四川省应急物资储备库（西昌）",
        WarehouseLevel.PROVINCE,
        False,
        12000,
        (BASE, FLOOD, FOREST, FIRE, WORKS),
    ),
    WarehouseSpec(
        "511702",
        "四川省应急物资储备库（达州）",
        WarehouseLevel.PROVINCE,
        False,
        9000,
        (BASE, FLOOD, HAZCHEM, FIRE),
    ),
)
# Where each city keeps its reserve: a district of the city seat.
CITY_WAREHOUSE_COUNTY = {
    "510100": "510116",
    "510300": "510302",
    "510400": "510402",
    "510500": "510504",
    "510600": "510603",
    "510700": "510704",
    "510800": "510802",
    "510900": "510903",
    "511000": "511011",
    "511100": "511102",
    "511300": "511303",
    "511400": "511402",
    "511500": "511502",
    "511600": "511602",
    "511700": "511703",
    "511800": "511802",
    "511900": "511902",
    "512000": "512002",
    "513200": "513201",
    "513300": "513301",
    "513400": "513401",
}
POOL_CITIES = frozenset({"510100", "510400", "510700", "511100", "511300", "511500", "511700", "513400"})
COUNTY_WAREHOUSES = (
    WarehouseSpec(
        WUHOU, "成都市武侯区应急物资库", WarehouseLevel.COUNTY, True, 1200, (BASE, FLOOD), COUNTY_COMMANDER
    ),
    WarehouseSpec("510703", "绵阳市涪城区应急物资库", WarehouseLevel.COUNTY, False, 800, (BASE, FLOOD)),
)
# What the stock-alerts page shows: (warehouse, item, kind, days or the share of the minimum on the shelf).
EXPIRED, EXPIRING, LOW = "expired", "expiring", "low"
STOCK_ALERTS = (
    ("宜宾市应急物资储备库", "M11", EXPIRED, 9),
    ("成都市应急物资储备库", "M10", EXPIRING, 12),
    ("凉山州应急物资储备库", "M11", EXPIRING, 6),
    ("绵阳市涪城区应急物资库", "M26", EXPIRING, 20),
    ("成都市武侯区应急物资库", "M10", EXPIRING, 25),
    ("甘孜州应急物资储备库", "M09", LOW, 0.6),
    ("巴中市应急物资储备库", "M01", LOW, 0.55),
    ("四川省应急物资储备库（达州）", "M07", LOW, 0.7),
    ("阿坝州应急物资储备库", "M24", LOW, 0.5),
)

# -- pool equipment --------------------------------------------------------------------------------

MODELS = {
    "E01": ("依维柯 NJ5046XJH", "江铃 JX5048XJH"),
    "E02": ("HYZ4", "HYZ2"),
    "E03": ("PGM-6208", "CD4"),
    "E04": ("SJ-3000 雷达式", "SMJ-5 音视频式"),
    "E05": ("三一 SY215C", "徐工 XE215DA"),
    "E06": ("柳工 CLG856H", "临工 L956F"),
    "E07": ("龙吸水 3000m³/h", "QSZ-1000"),
    "E08": ("LUKAS SP 333", "GYJ-III"),
    "E09": ("500kW 康明斯机组", "300kW 玉柴机组"),
    "E10": ("SFW6110B", "FL-6000"),
    "E11": ("动中通 Ku 波段", "静中通 Ka 波段"),
    "E12": ("大疆 M300 RTK", "大疆 M350 RTK"),
    "E13": ("JDX5110TXFHJ", "ZKT5100TXFHJ"),
    "E14": ("XXZ-300 帐篷式", "XXC-200 车载式"),
    "E15": ("徐工 JP32", "中联 JP38"),
    "E16": ("BJ-20 高压", "WICK-250"),
    "E17": ("福特全顺 V362 监护型", "大通 V80 监护型"),
    "E18": ("东风猛士 CTL181A", "北京 BJ80"),
}
POOL_ITEMS = {
    "四川省应急物资储备库（新都）": (
        "E01",
        "E02",
        "E03",
        "E04",
        "E04",
        "E05",
        "E06",
        "E07",
        "E07",
        "E08",
        "E09",
        "E10",
        "E11",
        "E12",
        "E12",
        "E12",
        "E13",
        "E14",
        "E15",
        "E16",
        "E17",
        "E18",
        "E18",
    ),
    "成都市应急物资储备库": ("E04", "E05", "E07", "E08", "E09", "E10", "E11", "E12", "E13", "E15", "E17"),
    "成都市武侯区应急物资库": ("E04", "E07", "E08", "E12"),
}
POOL_BASE = ("E07", "E09", "E10", "E12", "E18")
POOL_PROFILE = {HAZCHEM: ("E03", "E13", "E14"), MINING: ("E01", "E02", "E03"), FOREST: ("E16", "E12")}
# (warehouse, item, days): next maintenance close (negative: already due).
MAINTENANCE_DUE = (
    ("四川省应急物资储备库（新都）", "E06", -3),
    ("乐山市应急物资储备库", "E16", 9),
    ("成都市武侯区应急物资库", "E07", 21),
)


@dataclass(frozen=True)
class TeamPlan:
    county: str
    name: str
    kind: str
    capabilities: tuple[str, ...]
    members: int
    address: str
    lat: float
    lon: float
    contact: str
    phone: str
    by: str


@dataclass(frozen=True)
class BatchPlan:
    quantity: int
    received_on: date
    expiry_date: date | None
    note: str


@dataclass(frozen=True)
class StockPlan:
    item: str
    minimum: int
    batches: tuple[BatchPlan, ...]


@dataclass(frozen=True)
class EquipmentPlan:
    item: str
    model: str
    serial: str
    next_maintenance: date


@dataclass(frozen=True)
class WarehousePlan:
    county: str
    name: str
    level: str
    is_pool: bool
    capacity: int
    address: str
    lat: float
    lon: float
    contact: str
    phone: str
    stock: tuple[StockPlan, ...]
    equipment: tuple[EquipmentPlan, ...]
    by: str


@dataclass(frozen=True)
class Plan:
    teams: tuple[TeamPlan, ...]
    warehouses: tuple[WarehousePlan, ...]


def default_count(enterprises: int) -> int:
    if enterprises < MIN_DEFAULT_ENTERPRISES:
        return 0
    return max(MIN_DEFAULT, min(MAX_DEFAULT, enterprises // ENTERPRISES_PER_TEAM))


def check_count(n: int) -> None:
    if n < 0:
        raise ValueError("emergency must not be negative")
    if 0 < n < MIN_TEAMS:
        raise ValueError(f"emergency must be 0 or at least {MIN_TEAMS} (the flagship teams of the 21 cities)")


def city_label(city: Region) -> str:
    """成都市 → 成都市, 凉山彝族自治州 → 凉山州: how a city heads the names of its resources."""
    return city.name[:2] + "州" if city.name.endswith("自治州") else city.name


def near(rng: random.Random, lat: float, lon: float, max_km: float) -> tuple[float, float]:
    """A point uniformly within `max_km` of (lat, lon) (a county seat), inside Sichuan."""
    for _ in range(20):
        d, bearing = max_km * math.sqrt(rng.random()), rng.random() * 2 * math.pi
        y = round(lat + d * math.cos(bearing) / 111.32, 6)
        x = round(lon + d * math.sin(bearing) / (111.32 * math.cos(math.radians(lat))), 6)
        if geo.in_sichuan(y, x):
            return y, x
    return lat, lon


class _Planner:
    def __init__(
        self,
        rng: random.Random,
        fake: Faker,
        regions: Mapping[str, Region],
        today: date,
        risky: Mapping[str, Sequence[tuple[str, str]]],
    ):
        self.rng, self.fake, self.regions, self.today, self.risky = rng, fake, regions, today, risky
        self.names: set[str] = set()
        self.serial = 0
        self.cities = sorted(
            (r for r in regions.values() if r.level == RegionLevel.CITY), key=lambda r: r.code
        )
        self.counties: dict[str, list[Region]] = defaultdict(list)
        for r in sorted(regions.values(), key=lambda r: r.code):
            if r.level == RegionLevel.COUNTY:
                self.counties[r.parent_id].append(r)

    def place(self, county: Region) -> str:
        return city_label(self.regions[county.parent_id]) + county.name

    def address(self, county: Region) -> str:
        city = self.regions[county.parent_id]
        return f"四川省{city.name}{county.name}{self.fake.street_name()}{self.rng.randint(1, 399)}号"

    def team(
        self, county: str, name: str, kind: str, capabilities, members: int, by: str = COMMANDER
    ) -> TeamPlan:
        region = self.regions[county]
        lat, lon = near(self.rng, region.lat, region.lon, 2.0 if region.name.endswith("区") else 3.0)
        self.names.add(name)
        return TeamPlan(
            county,
            name,
            kind,
            tuple(capabilities),
            members,
            self.address(region),
            lat,
            lon,
            self.fake.name(),
            self.fake.phone_number(),
            by,
        )

    def _kind(self, county: Region) -> str:
        city = county.parent_id
        urban = county.name.endswith("区")
        weights = {PRO: 3.0, FIREMEN: 2.5, VOLUNTEERS: 1.5, MEDICS: 1.0}
        if county.code not in CENTRAL_CHENGDU:
            weights[FORESTERS] = 4.0 if city in FOREST_CITIES else (0.5 if urban else 1.5)
        if city in MINING_CITIES and not urban:
            weights[MINERS] = 0.8
        if city in HAZCHEM_CITIES:
            weights[HAZMAT] = 0.5
        if self.risky.get(county.code):
            weights[COMPANY] = 2.0
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def random_team(self) -> TeamPlan:
        weights = [3.0 if c.code == CHENGDU else 1.0 for c in self.cities]
        while True:
            city = self.rng.choices(self.cities, weights=weights)[0]
            county = self.rng.choice(self.counties[city.code])
            kind = self._kind(county)
            if kind == COMPANY:
                name, sector = self.rng.choice(self.risky[county.code])
                name, capabilities = name + RISKY_SECTORS[sector], ENTERPRISE_CAPABILITIES[sector]
                if name not in self.names:
                    break
                continue
            options = [(self.place(county) + suffix, caps) for suffix, caps in TEAM_NAMES[kind]]
            free = [o for o in options if o[0] not in self.names]
            if free:
                name, capabilities = free[0]
                break
        return self.team(county.code, name, kind, capabilities, self.rng.randint(*MEMBERS[kind]))

    # -- warehouses --

    def _quantity(self, item: str, level: str) -> int:
        q = BASE_QUANTITY[item] * LEVEL_FACTOR[level] * self.rng.uniform(0.7, 1.3)
        step = 100 if q >= 2000 else 10 if q >= 100 else 1
        return max(1, int(round(q / step)) * step)

    def _batches(self, item: str, total: int, split: bool) -> list[BatchPlan]:
        shelf = SHELF_DAYS.get(item)
        split = split and shelf is not None and total >= 20
        parts = [total * 2 // 5, total - total * 2 // 5] if split else [total]
        batches = []
        for quantity in parts:
            note = self.rng.choice(BATCH_NOTES)
            if shelf is None:
                received = self.today - timedelta(days=self.rng.randint(20, 1000))
                batches.append(BatchPlan(quantity, received, None, note))
            else:
                # Still good for two months at least: the alerts below are the planned ones only.
                received = self.today - timedelta(days=self.rng.randint(10, shelf - 60))
                batches.append(BatchPlan(quantity, received, received + timedelta(days=shelf), note))
        return batches

    def _items(self, profiles, level: str) -> list[str]:
        lists = CITY_PROFILE_ITEMS if level == WarehouseLevel.CITY else PROFILE_ITEMS
        items = []
        for profile in profiles:
            for item in lists[profile]:
                if item not in items:
                    items.append(item)
        if level in (WarehouseLevel.COUNTY, WarehouseLevel.ENTERPRISE) and len(items) > COUNTY_ITEMS:
            # A county keeps the basics: never without first-aid kits, stretchers, lamps, water.
            keep = {"M10", "M12", "M26", "M27"}
            extra = [i for i in items if i not in keep]
            items = sorted(keep | set(self.rng.sample(extra, COUNTY_ITEMS - len(keep))))
        return sorted(items)

    def _stock(self, name: str, profiles, level: str) -> tuple[StockPlan, ...]:
        alerts = {item: (kind, arg) for w, item, kind, arg in STOCK_ALERTS if w == name}
        items = self._items(profiles, level)
        items += [i for i in alerts if i not in items]
        lines = []
        for item in sorted(items):
            total = self._quantity(item, level)
            kind, arg = alerts.get(item, (None, None))
            # Several deliveries of what expires in the provincial reserves; elsewhere one, but an
            # old batch running out beside a fresh one where the alerts page should show it.
            batches = self._batches(item, total, level == WarehouseLevel.PROVINCE or kind == EXPIRING)
            minimum = int(total * MINIMUM_SHARE)
            shelf = SHELF_DAYS.get(item, 730)
            if kind == LOW:
                minimum = int(math.ceil(total / arg))
            elif kind == EXPIRING:  # the oldest batch runs out soon
                expiry = self.today + timedelta(days=arg)
                batches[0] = BatchPlan(
                    batches[0].quantity, expiry - timedelta(days=shelf), expiry, "协议储备轮换入库"
                )
            elif kind == EXPIRED:  # an old batch beyond its date, not yet written off
                expiry = self.today - timedelta(days=arg)
                quantity = max(1, total // 5)
                batches.insert(0, BatchPlan(quantity, expiry - timedelta(days=shelf), expiry, "待报废核销"))
            lines.append(StockPlan(item, minimum, tuple(batches)))
        return tuple(lines)

    def _equipment(self, name: str, items: Sequence[str]) -> tuple[EquipmentPlan, ...]:
        due = {item: days for w, item, days in MAINTENANCE_DUE if w == name}
        pieces = []
        for item in items:
            self.serial += 1
            year = self.rng.randint(2016, 2025)
            days = due.pop(item, None)
            if days is None:
                days = self.rng.randint(35, 360)
            pieces.append(
                EquipmentPlan(
                    item,
                    self.rng.choice(MODELS[item]),
                    f"SC{year}{item}{self.serial:04d}",
                    self.today + timedelta(days=days),
                )
            )
        return tuple(pieces)

    def warehouse(
        self,
        county: str,
        name: str,
        level: str,
        is_pool: bool,
        capacity: int,
        profiles,
        equipment: Sequence[str] = (),
        by: str = COMMANDER,
    ) -> WarehousePlan:
        region = self.regions[county]
        lat, lon = near(self.rng, region.lat, region.lon, 3.0 if region.name.endswith("区") else 6.0)
        self.names.add(name)
        return WarehousePlan(
            county,
            name,
            level,
            is_pool,
            capacity,
            self.address(region),
            lat,
            lon,
            self.fake.name(),
            self.fake.phone_number(),
            self._stock(name, profiles, level),
            self._equipment(name, equipment) if is_pool else (),
            by,
        )

    def city_warehouse(self, city: Region) -> WarehousePlan:
        name = f"{city_label(city)}应急物资储备库"
        profiles = [BASE, FLOOD, FIRE, WORKS]
        pool = list(POOL_ITEMS.get(name, POOL_BASE))
        for profile, cities in ((HAZCHEM, HAZCHEM_CITIES), (MINING, MINING_CITIES), (FOREST, FOREST_CITIES)):
            if city.code in cities:
                profiles.append(profile)
                if name not in POOL_ITEMS:
                    pool += [i for i in POOL_PROFILE[profile] if i not in pool]
        capacity = self.rng.randrange(2000, 8001, 100)
        return self.warehouse(
            CITY_WAREHOUSE_COUNTY[city.code],
            name,
            WarehouseLevel.CITY,
            city.code in POOL_CITIES,
            capacity,
            profiles,
            pool,
        )

    def random_warehouse(self) -> WarehousePlan | None:
        city = self.rng.choice(self.cities)
        county = self.rng.choice(self.counties[city.code])
        extra = FOREST if city.code in FOREST_CITIES else FLOOD
        if self.risky.get(county.code) and self.rng.random() < 0.2:
            enterprise, sector = self.rng.choice(self.risky[county.code])
            name = f"{enterprise}应急物资库"
            profile = HAZCHEM if sector in (Sector.HAZARDOUS_CHEMICALS, Sector.METALLURGY) else MINING
            if name in self.names:
                return None
            return self.warehouse(
                county.code,
                name,
                WarehouseLevel.ENTERPRISE,
                False,
                self.rng.randrange(100, 601, 50),
                (BASE, profile, FIRE),
            )
        name = f"{self.place(county)}应急物资库"
        if name in self.names:
            return None
        return self.warehouse(
            county.code, name, WarehouseLevel.COUNTY, False, self.rng.randrange(300, 1501, 50), (BASE, extra)
        )


def plan(
    regions: Mapping[str, Region],
    n: int,
    seed: int,
    *,
    today: date,
    risky: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> Plan:
    """`n` rescue teams (the showcase first) and the warehouses of the province, with their stock and
    pool equipment, dated around `today`; the same arguments give the same plan. `risky` maps a county
    to its (enterprise name, sector) pairs that may keep their own team or warehouse."""
    check_count(n)
    if not n:
        return Plan((), ())
    fake = Faker("zh_CN")
    fake.seed_instance(f"{seed}-emergency")
    p = _Planner(fake.random, fake, regions, today, risky or {})
    teams = [p.team(t.county, t.name, t.kind, t.capabilities, t.members, t.by) for t in SHOWCASE_TEAMS]
    teams += [p.random_team() for _ in range(n - MIN_TEAMS)]
    houses = [
        p.warehouse(
            w.county, w.name, w.level, w.is_pool, w.capacity, w.profiles, POOL_ITEMS.get(w.name, ()), w.by
        )
        for w in PROVINCE_WAREHOUSES
    ]
    houses += [p.city_warehouse(city) for city in p.cities]
    houses += [
        p.warehouse(
            w.county, w.name, w.level, w.is_pool, w.capacity, w.profiles, POOL_ITEMS.get(w.name, ()), w.by
        )
        for w in COUNTY_WAREHOUSES
    ]
    for _ in range(max(2, (n - MIN_TEAMS) // 3)):
        house = p.random_warehouse()
        if house is not None:
            houses.append(house)
    return Plan(tuple(teams), tuple(houses))


# -- drills ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpSpec:
    description: str
    assignee: str  # OFFICE (the city's safety office), PROVINCE_OFFICE or a demo login
    fate: str  # open, overdue, submitted, closed, reworked (rejected once, then closed)
    due_days: int  # after the day it was added (two days after the drill)


@dataclass(frozen=True)
class DrillSpec:
    region: str  # who organises it: the province, a city or a county
    county: str  # where it is held
    title: str
    kind: str
    organiser: str
    scenario: str
    location: str
    participants: str
    teams: tuple[str, ...]  # team names; empty: the teams of the county
    day: int  # planned (and held) this many days from today
    state: str  # planned, held, cancelled
    rating: str = ""
    count: int = 0
    evaluation: str = ""
    follow_ups: tuple[FollowUpSpec, ...] = ()
    dispatch: bool = False  # teams sent through a drill dispatch
    by: str = COMMANDER


OFFICE, PROVINCE_OFFICE = "office", "sc-office"
OPEN, OVERDUE, SUBMITTED, CLOSED, REWORKED = "open", "overdue", "submitted", "closed", "reworked"
PLANNED, HELD, CANCELLED = "planned", "held", "cancelled"
DRILLS = (
    DrillSpec(
        "510100",
        "510113",
        "危险化学品泄漏事故应急演练",
        DrillKind.DRILL,
        "成都市应急管理局",
        "模拟青白江区某化工企业液氯储罐出料管法兰泄漏：企业先期处置并报警，市危险化学品应急救援队侦检、"
        "堵漏、洗消，区政府组织下风向群众疏散，生态环境部门开展环境监测。",
        "成都市青白江区化工园区",
        "成都市应急管理局、青白江区人民政府、成都市危险化学品应急救援队、"
        "青白江区消防救援大队、区卫生健康局、区生态环境局，园区企业",
        ("成都市危险化学品应急救援队",),
        -40,
        HELD,
        Rating.GOOD,
        260,
        "演练目标基本实现：侦检、堵漏和洗消流程规范，疏散组织有序。企业先期处置报警延迟，洗消点设置"
        "和园区广播覆盖存在不足。",
        (
            FollowUpSpec(
                "企业先期处置报警延迟约8分钟：督促企业修订现场处置方案，组织岗位人员专项培训",
                OFFICE,
                CLOSED,
                30,
            ),
            FollowUpSpec(
                "洗消点距泄漏点过近：按下风向和安全距离重新规划园区洗消点并更新预案", OFFICE, SUBMITTED, 45
            ),
            FollowUpSpec("园区公共广播覆盖不足，部分企业未收到疏散指令：补建广播点位", OFFICE, OPEN, 60),
        ),
        dispatch=True,
    ),
    DrillSpec(
        "510400",
        "510403",
        "煤矿透水事故应急救援演练",
        DrillKind.DRILL,
        "攀枝花市应急管理局",
        "模拟西区某煤矿掘进工作面揭露老空区积水，井下12人被困：矿方启动应急预案、撤离人员，攀枝花矿山"
        "救护队侦察搜救，排水和医疗救护同步展开。",
        "攀枝花市西区",
        "攀枝花市应急管理局、西区人民政府、攀枝花矿山救护队、矿方救护队、市中心医院",
        ("攀枝花矿山救护队",),
        -75,
        HELD,
        Rating.PASS,
        140,
        "救护队响应迅速，侦察搜救规范；井下避灾路线标识和救护队与矿方的通信保障暴露问题。",
        (
            FollowUpSpec(
                "井下避灾路线标识不清，部分人员撤离时走错巷道：重新设置避灾路线标识", OFFICE, OVERDUE, 28
            ),
            FollowUpSpec(
                "救护队与矿方调度通信中断约15分钟：配备备用通信设备并定期测试", OFFICE, REWORKED, 30
            ),
        ),
    ),
    DrillSpec(
        WUHOU,
        WUHOU,
        "高层建筑火灾疏散和救援演练",
        DrillKind.DRILL,
        "成都市武侯区应急管理局",
        "模拟武侯区某高层商住楼12层起火，浓烟沿楼梯间蔓延：物业微型消防站先期处置，区应急救援大队和蓝天"
        "救援队组织疏散和搜救。",
        "成都市武侯区",
        "武侯区应急管理局、街道办事处、成都市武侯区应急救援大队、成都市武侯区蓝天救援队、物业服务企业",
        (),
        -20,
        HELD,
        Rating.GOOD,
        180,
        "疏散组织有序，队伍配合顺畅；部分楼层疏散指示标志损坏，微型消防站到场超时。",
        (
            FollowUpSpec(
                "部分楼层疏散指示标志损坏：督促物业服务企业限期更换", "wuhou-inspector", SUBMITTED, 30
            ),
            FollowUpSpec(
                "微型消防站人员到场时间超过3分钟：调整值守和集结方式，组织复训", "wuhou-inspector", OPEN, 40
            ),
        ),
        by=COUNTY_COMMANDER,
    ),
    DrillSpec(
        SICHUAN,
        "511826",
        "地震应急救援综合演练",
        DrillKind.DRILL,
        "四川省应急管理厅",
        "模拟芦山县发生6.8级地震，房屋倒塌、道路中断、通信受阻：省市县三级响应，地震救援、医疗救护、"
        "电力通信保障队伍跨区域增援。",
        "雅安市芦山县",
        "四川省应急管理厅、雅安市人民政府、四川省地震灾害紧急救援队、雅安市地震应急救援队、"
        "四川省人民医院紧急医学救援队、国网成都供电公司电力应急抢修队",
        (
            "四川省地震灾害紧急救援队",
            "雅安市地震应急救援队",
            "四川省人民医院紧急医学救援队",
            "国网成都供电公司电力应急抢修队",
        ),
        -110,
        HELD,
        Rating.EXCELLENT,
        620,
        "指挥体系运转顺畅，跨区域增援高效；增援队伍集结点信息推送不及时。",
        (
            FollowUpSpec(
                "跨区域增援队伍集结点信息推送不及时：完善增援队伍集结和引导机制", PROVINCE_OFFICE, CLOSED, 60
            ),
        ),
    ),
    DrillSpec(
        "513400",
        "513422",
        "森林草原火灾扑救应急演练",
        DrillKind.DRILL,
        "凉山州森林草原防灭火指挥部",
        "模拟木里县林区雷击起火，火线长约2公里：扑火队伍集结、以水灭火、隔离带开辟和周边群众转移。",
        "凉山州木里藏族自治县",
        "凉山州应急管理局、木里县人民政府、凉山州森林草原专业扑火队、县半专业扑火队",
        ("凉山州森林草原专业扑火队",),
        -150,
        HELD,
        Rating.GOOD,
        320,
        "扑火队伍集结迅速，以水灭火战术运用得当；林区通信盲区需补强。",
        (
            FollowUpSpec(
                "林区通信盲区导致前线指挥联络不畅：配备卫星电话并建设应急通信中继", OFFICE, CLOSED, 45
            ),
        ),
    ),
    DrillSpec(
        "511500",
        "511526",
        "矿山救护队员技术培训",
        DrillKind.TRAINING,
        "宜宾市应急管理局",
        "组织矿山救护队员开展正压氧气呼吸器佩用、灾区侦察、伤员急救和模拟巷道搜救训练，考核合格后记入训练档案。",
        "宜宾市珙县",
        "宜宾市矿山救护队、县内煤矿兼职救护队员",
        ("宜宾市矿山救护队",),
        -15,
        HELD,
        Rating.PASS,
        86,
        "培训内容贴近实战；个别队员呼吸器佩用超时，已安排补训。",
    ),
    DrillSpec(
        "511300",
        "511304",
        "嘉陵江防汛抢险应急演练",
        DrillKind.DRILL,
        "南充市防汛抗旱指挥部",
        "模拟嘉陵江南充段超警戒水位，开展堤防巡查、管涌抢护、群众转移和水域救援。",
        "南充市嘉陵区",
        "南充市应急管理局、嘉陵区人民政府、南充市危险化学品应急救援队",
        (),
        -10,
        CANCELLED,
    ),
    DrillSpec(
        "510500",
        "510503",
        "危险化学品罐区火灾应急演练",
        DrillKind.DRILL,
        "泸州市应急管理局",
        "模拟纳溪区某化工企业甲醇储罐区火灾：企业专职消防队先期处置，市危险化学品应急救援队泡沫灭火、冷却保护。",
        "泸州市纳溪区",
        "泸州市应急管理局、纳溪区人民政府、泸州市危险化学品应急救援队",
        (),
        12,
        PLANNED,
    ),
    DrillSpec(
        "510700",
        "510703",
        "地震应急救援实战演练",
        DrillKind.DRILL,
        "绵阳市应急管理局",
        "模拟涪城区发生6.0级地震，多处建筑倒塌：城市搜救队破拆搜救，医疗队现场救治，设立临时安置点。",
        "绵阳市涪城区",
        "绵阳市应急管理局、绵阳市城市搜救队、涪城区人民政府",
        (),
        25,
        PLANNED,
    ),
    DrillSpec(
        "513200",
        "513201",
        "森林草原防灭火扑火队员培训",
        DrillKind.TRAINING,
        "阿坝州应急管理局",
        "讲解高原林区火行为特点、扑火安全“十项规定”和避险自救，现场演练风力灭火机和以水灭火装备操作。",
        "阿坝州马尔康市",
        "阿坝州森林草原专业扑火队、各县半专业扑火队",
        (),
        8,
        PLANNED,
    ),
    DrillSpec(
        "511700",
        "511722",
        "天然气净化厂硫化氢泄漏应急演练",
        DrillKind.DRILL,
        "达州市应急管理局",
        "模拟宣汉县某天然气净化厂硫化氢泄漏：企业紧急停车、危化品救援队侦检堵漏，下风向群众疏散。",
        "达州市宣汉县",
        "达州市应急管理局、宣汉县人民政府、达州市危险化学品应急救援队",
        (),
        40,
        PLANNED,
    ),
    DrillSpec(
        CHENGDU,
        "510104",
        "有限空间作业安全和应急救援培训",
        DrillKind.TRAINING,
        "成都市应急管理局",
        "面向工贸企业负责人和安全管理人员，讲解有限空间作业“先通风、再检测、后作业”要求，现场演示气体检测、"
        "正压式空气呼吸器使用和有限空间救援。",
        "成都市锦江区",
        "成都市工贸企业安全管理人员、成都市危险化学品应急救援队",
        (),
        5,
        PLANNED,
    ),
)
# Extra drills of larger demos: (what, kind, the scenario with {place}).
DRILL_TEMPLATES = {
    HAZCHEM: (
        "危险化学品泄漏事故应急演练",
        DrillKind.DRILL,
        "模拟{place}某化工企业储罐区物料泄漏并引发火灾，开展先期处置、侦检堵漏、火灾扑救和人员疏散。",
    ),
    MINING: (
        "矿山事故应急救援演练",
        DrillKind.DRILL,
        "模拟{place}某矿山井下发生冒顶，人员被困，开展人员撤离、矿山救护队侦察搜救和医疗救护。",
    ),
    FOREST: (
        "森林草原火灾扑救应急演练",
        DrillKind.DRILL,
        "模拟{place}林区发生森林火灾，开展火情侦察、扑火队伍集结、以水灭火和群众转移。",
    ),
    FLOOD: (
        "防汛抢险应急演练",
        DrillKind.DRILL,
        "模拟{place}遭遇强降雨，河道水位超警戒，开展堤防巡查、管涌抢护、群众转移和水域救援。",
    ),
    BASE: (
        "应急救援队伍业务培训",
        DrillKind.TRAINING,
        "组织{place}各类应急救援队伍开展绳索救援、破拆技术和伤员搬运等业务训练。",
    ),
}
EVALUATIONS = {
    Rating.EXCELLENT: "演练目标全部实现，响应迅速、处置规范、协同顺畅。",
    Rating.GOOD: "演练目标基本实现，处置流程规范；个别环节衔接不够紧密，已现场讲评。",
    Rating.PASS: "演练目标基本实现；信息报送和现场协同有待加强。",
}
SUBMIT_RESULTS = "已按要求完成整改，相关制度和台账已更新，整改前后照片和培训记录已归档备查。"


# -- installing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmergencyResult:
    teams: int
    readiness: dict[str, int]
    cities: int  # cities with a team and a warehouse holding stock
    warehouses: dict[str, int]  # by level
    pools: int
    stock_lines: int
    batches: int
    below_minimum: int
    expiring: int  # batches expiring within 30 days or expired, still on the shelf
    expired: int
    equipment: dict[str, int]
    loans: dict[str, int]
    overdue_loans: int
    maintenance_due: int  # within 30 days or past
    dispatches: int
    accident: str  # number of the accident dispatched to ("" when none was found)
    orders: dict[str, int]
    drills: dict[str, int]
    follow_ups: dict[str, int]
    overdue_follow_ups: int
    actors_created: int


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _counts(queryset, field_name: str) -> dict[str, int]:
    return dict(
        queryset.order_by().values_list(field_name).annotate(n=Count("id")).values_list(field_name, "n")
    )


class _Demo:
    """The objects the install makes, and who acts: the province's commander, and 武侯区's for its own."""

    def __init__(self, regions: Mapping[str, Region], rng: random.Random, now: datetime):
        self.regions, self.rng, self.now = regions, rng, now
        self.today = timezone.localdate(now)
        self.actors = demo_hazards._Actors(regions)
        users = self.actors.users
        commander = users.get(COMMANDER)
        if commander is None or commander.role != Role.COMMANDER:
            raise ValueError("the emergency demo needs the demo account “commander” (role commander)")
        self.commander = commander
        county = users.get(COUNTY_COMMANDER)
        ok = county is not None and county.role == Role.COMMANDER and county.region_id == WUHOU
        self.county_commander = county if ok else commander
        self.teams: dict[str, RescueTeam] = {}
        self.warehouses: dict[str, Warehouse] = {}

    def by(self, key: str) -> User:
        return self.county_commander if key == COUNTY_COMMANDER else self.commander

    def mover(self, region_id: str) -> User:
        """Whoever holds the resource moves its order: 武侯区's commander for 武侯区's resources."""
        return self.county_commander if region_id == WUHOU else self.commander

    # -- registries --

    def register(self, plan_: Plan, progress: Callable[[int], None] | None) -> None:
        by_city: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
        for t in plan_.teams:
            by_city[self.regions[t.county].parent_id][0].append(t)
        for w in plan_.warehouses:
            by_city[self.regions[w.county].parent_id][1].append(w)
        for city in sorted(by_city):
            teams, houses = by_city[city]
            for t in teams:
                self.teams[t.name] = services.create_team(
                    actor=self.by(t.by),
                    name=t.name,
                    region_code=t.county,
                    address=t.address,
                    lat=t.lat,
                    lon=t.lon,
                    contact=t.contact,
                    phone=t.phone,
                    kind=t.kind,
                    members=t.members,
                    capabilities=list(t.capabilities),
                )
            for w in houses:
                self._warehouse(w)
            if progress is not None:
                progress(len(teams))

    def _warehouse(self, w: WarehousePlan) -> None:
        actor = self.by(w.by)
        house = services.create_warehouse(
            actor=actor,
            name=w.name,
            region_code=w.county,
            address=w.address,
            lat=w.lat,
            lon=w.lon,
            contact=w.contact,
            phone=w.phone,
            level=w.level,
            capacity_m2=w.capacity,
            is_pool=w.is_pool,
        )
        self.warehouses[w.name] = house
        for line in w.stock:
            for k, b in enumerate(line.batches):
                services.receive(
                    actor=actor,
                    warehouse=house,
                    item=line.item,
                    quantity=b.quantity,
                    expiry_date=b.expiry_date,
                    received_on=b.received_on,
                    minimum=line.minimum if k == 0 else None,
                    note=b.note,
                )
        for e in w.equipment:
            services.register_equipment(
                actor=actor,
                warehouse=house,
                item=e.item,
                serial=e.serial,
                model=e.model,
                next_maintenance=e.next_maintenance,
            )

    # -- the equipment pool --

    def piece(self, warehouse: str, item: str) -> Equipment | None:
        house = self.warehouses.get(warehouse)
        if house is None:
            return None
        return (
            Equipment.objects.filter(warehouse=house, item=item, status=EquipmentStatus.AVAILABLE)
            .order_by("serial")
            .first()
        )

    def pool(self) -> None:
        day = self.today
        moves = (
            # A loan returned in good order, one returned damaged (now in maintenance).
            (
                "四川省应急物资储备库（新都）",
                "E16",
                "雅安市应急管理局",
                "芦山县森林火灾扑救",
                -60,
                -45,
                "return",
                -47,
            ),
            (
                "绵阳市应急物资储备库",
                "E07",
                "绵阳市平武县应急管理局",
                "平武县山洪泥石流灾后排涝",
                -40,
                -30,
                "return_damaged",
                -31,
            ),
            # Lent now: two due back later, one overdue (the sweep escalates it).
            (
                "凉山州应急物资储备库",
                "E16",
                "凉山州木里县森林草原防灭火指挥部",
                "木里县森林火灾扑救",
                -4,
                10,
                "",
                0,
            ),
            (
                "四川省应急物资储备库（新都）",
                "E05",
                "宜宾市筠连县应急管理局",
                "筠连县山体滑坡道路抢通",
                -3,
                6,
                "",
                0,
            ),
            ("达州市应急物资储备库", "E07", "达州市渠县应急管理局", "渠江洪水城区排涝", -25, -8, "", 0),
        )
        for warehouse, item, borrower, purpose, lent, due, back, returned in moves:
            piece = self.piece(warehouse, item)
            if piece is None:
                continue
            actor = self.mover(piece.warehouse.region_id)
            with clock.as_of(_at(day + timedelta(days=lent), 9, 30)):
                services.equipment_action(
                    actor=actor,
                    equipment=piece,
                    action="lend",
                    borrower=borrower,
                    purpose=purpose,
                    expected_return=day + timedelta(days=due),
                )
            if back:
                condition = "good" if back == "return" else "damaged"
                note = "完好归还" if condition == "good" else "叶轮磨损、密封件渗漏，送厂维修"
                with clock.as_of(_at(day + timedelta(days=returned), 16, 0)):
                    services.equipment_action(
                        actor=actor, equipment=piece, action="return", condition=condition, note=note
                    )
        reservations = (
            ("四川省应急物资储备库（新都）", "E09", "成都市应急管理局", "大型群众性活动电力应急保障", -2, 12),
            ("南充市应急物资储备库", "E12", "南充市嘉陵区应急管理局", "嘉陵江汛后堤防巡查", -1, 7),
            ("成都市武侯区应急物资库", "E12", "成都市武侯区应急管理局", "辖区高层建筑外立面安全巡查", -1, 5),
        )
        for warehouse, item, borrower, purpose, when, due in reservations:
            piece = self.piece(warehouse, item)
            if piece is None:
                continue
            with clock.as_of(_at(day + timedelta(days=when), 10, 15)):
                services.equipment_action(
                    actor=self.mover(piece.warehouse.region_id),
                    equipment=piece,
                    action="reserve",
                    borrower=borrower,
                    purpose=purpose,
                    expected_return=day + timedelta(days=due),
                )
        # Maintenance: one in the workshop now, one back from it, one piece retired.
        piece = self.piece("四川省应急物资储备库（新都）", "E10")
        if piece is not None:
            with clock.as_of(_at(day - timedelta(days=6), 9, 0)):
                services.equipment_action(
                    actor=self.commander,
                    equipment=piece,
                    action="maintain",
                    reason="年度检修：照明灯组和发电机组保养",
                )
        piece = self.piece("乐山市应急物资储备库", "E12")
        if piece is not None:
            with clock.as_of(_at(day - timedelta(days=30), 9, 0)):
                services.equipment_action(
                    actor=self.commander, equipment=piece, action="maintain", reason="电池组老化，返厂更换"
                )
            with clock.as_of(_at(day - timedelta(days=22), 15, 0)):
                services.equipment_action(
                    actor=self.commander,
                    equipment=piece,
                    action="finish_maintenance",
                    next_maintenance=day + timedelta(days=160),
                )
        piece = self.piece("四川省应急物资储备库（新都）", "E18")
        if piece is not None:
            with clock.as_of(_at(day - timedelta(days=12), 11, 0)):
                services.equipment_action(
                    actor=self.commander, equipment=piece, action="retire", reason="车辆达到强制报废年限"
                )

    # -- drills --

    def drills(self, extra: int) -> None:
        specs = list(DRILLS) + self._extra_drills(extra)
        for spec in specs:
            self._drill(spec)

    def _extra_drills(self, extra: int) -> list[DrillSpec]:
        cities = sorted(
            (r for r in self.regions.values() if r.level == RegionLevel.CITY), key=lambda r: r.code
        )
        specs = []
        for _ in range(extra):
            city = self.rng.choice(cities)
            counties = sorted(
                (r for r in self.regions.values() if r.parent_id == city.code), key=lambda r: r.code
            )
            county = self.rng.choice(counties)
            options = [BASE, FLOOD]
            options += [
                p
                for p, cs in ((HAZCHEM, HAZCHEM_CITIES), (MINING, MINING_CITIES), (FOREST, FOREST_CITIES))
                if city.code in cs
            ]
            what, kind, scenario = DRILL_TEMPLATES[self.rng.choice(options)]
            place = city_label(city) + county.name
            held = self.rng.random() < 0.5
            rating = (
                self.rng.choice((Rating.EXCELLENT, Rating.GOOD, Rating.GOOD, Rating.PASS)) if held else ""
            )
            specs.append(
                DrillSpec(
                    county.code,
                    county.code,
                    what,
                    kind,
                    f"{city_label(city)}{county.name}应急管理局",
                    scenario.format(place=place),
                    place,
                    f"{county.name}应急管理局及辖区应急救援队伍",
                    (),
                    -self.rng.randint(20, 200) if held else self.rng.randint(5, 120),
                    HELD if held else PLANNED,
                    rating,
                    self.rng.randint(40, 300) if held else 0,
                    EVALUATIONS.get(rating, ""),
                )
            )
        return specs

    def label(self, code: str) -> str:
        """四川省, 成都市, 成都市武侯区: the organising region at the head of a drill's title."""
        region = self.regions[code]
        if region.level == RegionLevel.COUNTY:
            return city_label(self.regions[region.parent_id]) + region.name
        return city_label(region) if region.level == RegionLevel.CITY else region.name

    def _drill_teams(self, spec: DrillSpec) -> list[RescueTeam]:
        if spec.teams:
            return [self.teams[name] for name in spec.teams if name in self.teams]
        return list(RescueTeam.objects.filter(region_id=spec.county).order_by("name", "id")[:3])

    def _drill(self, spec: DrillSpec) -> None:
        actor = self.by(spec.by)
        county = self.regions[spec.county]
        day = self.today + timedelta(days=spec.day)
        planned_at = _at(min(day, self.today) - timedelta(days=30), 10, 0)
        lat, lon = near(self.rng, county.lat, county.lon, 5.0)
        teams = self._drill_teams(spec)
        with clock.as_of(planned_at):
            drill = services.plan_drill(
                actor=actor,
                title=f"{day.year}年{self.label(spec.region)}{spec.title}",
                kind=spec.kind,
                region_code=spec.region,
                organiser=spec.organiser,
                scenario=spec.scenario,
                planned_on=day,
                location=spec.location,
                lat=lat,
                lon=lon,
                participants=spec.participants,
                team_ids=[t.pk for t in teams],
            )
        if spec.state == CANCELLED:
            with clock.as_of(_at(day - timedelta(days=2), 16, 0)):
                services.drill_action(
                    actor=actor, drill=drill, action="cancel", reason="受持续强降雨影响，演练改期举行"
                )
            return
        if spec.state != HELD:
            return
        if spec.dispatch and teams:
            self._drill_dispatch(drill, teams, day, actor)
        with clock.as_of(_at(day, 17, 30)):
            services.drill_action(
                actor=actor,
                drill=drill,
                action="hold",
                held_on=day,
                participant_count=spec.count,
                evaluation=spec.evaluation,
                rating=spec.rating,
            )
        for item in spec.follow_ups:
            self._follow_up(drill, spec, item, day + timedelta(days=2), actor)

    def _drill_dispatch(self, drill: Drill, teams: list[RescueTeam], day: date, actor: User) -> None:
        with clock.as_of(_at(day, 9, 30)):
            dispatch = services.start_dispatch(
                actor=actor,
                title=f"{drill.title}：参演队伍调度",
                origin=Origin.DRILL,
                drill_id=drill.pk,
                note="按演练方案调派参演队伍",
            )
            orders = services.send_orders(
                actor=actor,
                dispatch=dispatch,
                orders=[{"kind": OrderKind.TEAM, "id": t.pk, "note": "按演练方案到达集结点"} for t in teams],
            )
        steps = (("acknowledge", 9, 35), ("depart", 9, 45), ("arrive", 10, 20), ("return", 16, 30))
        for action, hour, minute in steps:
            with clock.as_of(_at(day, hour, minute)):
                for order in orders:
                    data = {"note": "演练结束，归队待命"} if action == "return" else {}
                    services.order_action(
                        actor=self.mover(order.region_id), order=order, action=action, **data
                    )

    def _assignee(self, key: str, spec: DrillSpec) -> User:
        if key == OFFICE:
            return self.actors.get(demo_hazards.OFFICE, spec.county, None, None)
        return self.actors.users[key]

    def _follow_up(self, drill: Drill, spec: DrillSpec, item: FollowUpSpec, added: date, actor: User) -> None:
        assignee = self._assignee(item.assignee, spec)
        due = added + timedelta(days=item.due_days)
        if item.fate == OVERDUE:
            due = min(due, self.today - timedelta(days=3))
        elif item.fate == OPEN:
            due = max(due, self.today + timedelta(days=10))
        with clock.as_of(_at(added, 10, 0)):
            follow_up = services.add_follow_up(
                actor=actor, drill=drill, description=item.description, assignee_id=assignee.pk, due_date=due
            )
        if item.fate in (OPEN, OVERDUE):
            return
        # Done a little before the deadline, or a few days ago when the deadline is still ahead.
        submitted = min(due - timedelta(days=3), self.today - timedelta(days=4))
        if item.fate == REWORKED:
            with clock.as_of(_at(submitted - timedelta(days=8), 15, 0)):
                services.follow_up_action(
                    actor=assignee, item=follow_up, action="submit", result="已制定整改方案，正在采购设备。"
                )
            with clock.as_of(_at(submitted - timedelta(days=6), 10, 0)):
                services.follow_up_action(
                    actor=actor,
                    item=follow_up,
                    action="reject",
                    comment="未见设备配备清单和测试记录，请补充后重新提交",
                )
        with clock.as_of(_at(submitted, 15, 0)):
            services.follow_up_action(actor=assignee, item=follow_up, action="submit", result=SUBMIT_RESULTS)
        if item.fate in (CLOSED, REWORKED):
            with clock.as_of(_at(submitted + timedelta(days=2), 10, 30)):
                services.follow_up_action(
                    actor=actor, item=follow_up, action="accept", comment="经现场核查，整改到位，予以销号"
                )

    # -- dispatch --

    def wuhou_dispatch(self) -> None:
        """Three days ago: a wall collapsed in 武侯区 after heavy rain; the county sent its own, all back."""
        actor = self.county_commander
        brigade = self.teams.get("成都市武侯区应急救援大队")
        bluesky = self.teams.get("成都市武侯区蓝天救援队")
        house = self.warehouses.get("成都市武侯区应急物资库")
        if not (brigade and bluesky and house):
            return
        day = self.today - timedelta(days=3)
        county = self.regions[WUHOU]
        lat, lon = near(self.rng, county.lat, county.lon, 2.0)
        with clock.as_of(_at(day, 14, 20)):
            dispatch = services.start_dispatch(
                actor=actor,
                title="武侯区簇桥街道老旧小区围墙垮塌险情处置",
                origin=Origin.POINT,
                region_code=WUHOU,
                lat=lat,
                lon=lon,
                note="强降雨后小区围墙垮塌，疑有人员被压埋，周边两栋楼需排查。",
            )
        with clock.as_of(_at(day, 14, 25)):
            orders = services.send_orders(
                actor=actor,
                dispatch=dispatch,
                orders=[
                    {"kind": OrderKind.TEAM, "id": brigade.pk, "note": "立即赶赴现场，开展搜救和险情排查"},
                    {"kind": OrderKind.TEAM, "id": bluesky.pk, "note": "协助疏散群众，设置警戒"},
                    {
                        "kind": OrderKind.MATERIAL,
                        "id": house.pk,
                        "note": "送照明、急救器材到现场",
                        "lines": [
                            {"item": "M12", "quantity": 6},
                            {"item": "M26", "quantity": 10},
                            {"item": "M27", "quantity": 2},
                        ],
                    },
                ],
            )
        steps = (("acknowledge", 14, 28), ("depart", 14, 35), ("arrive", 15, 0), ("return", 18, 40))
        for action, hour, minute in steps:
            with clock.as_of(_at(day, hour, minute)):
                for order in orders:
                    data = {}
                    if action == "return":
                        data["note"] = "险情处置完毕，1人轻伤送医，归队"
                        if order.kind == OrderKind.MATERIAL:
                            used = {"M26": 4}
                            data["returned"] = {
                                line.pk: line.quantity - used.get(line.stock.item, 0)
                                for line in order.lines.select_related("stock")
                            }
                    services.order_action(
                        actor=self.mover(order.region_id), order=order, action=action, **data
                    )

    def rest(self, n: int) -> list[RescueTeam]:
        """`n` teams standing down for training or repairs (two days ago): 广元's mine rescue team, then
        county teams (flagships when there are none), never 武侯区's."""
        showcase = {t.name for t in SHOWCASE_TEAMS}
        others = [t for name, t in sorted(self.teams.items()) if t.region_id != WUHOU and name != RESTING]
        candidates = [t for t in others if t.name not in showcase] or others
        chosen = [self.teams[RESTING]] if RESTING in self.teams else []
        chosen += self.rng.sample(candidates, min(len(candidates), max(0, n - len(chosen))))
        notes = ("装备检修保养", "队员轮休", "集中业务培训和体能考核")
        with clock.as_of(_at(self.today - timedelta(days=2), 8, 30)):
            for team in chosen:
                note = (
                    "赴国家矿山应急救援队训练基地集中轮训" if team.name == RESTING else self.rng.choice(notes)
                )
                services.team_action(
                    actor=self.mover(team.region_id), team=team, action="stand_down", note=note
                )
        return chosen

    def accident(self) -> Accident | None:
        """The most serious accident of the last day (then the latest) that has a position and has been on
        the system an hour, so that its dispatch has had time to unfold; else the latest with a position."""
        placed = Accident.objects.filter(lat__isnull=False, lon__isnull=False)
        day = list(placed.filter(occurred_at__gte=self.now - timedelta(days=1)))
        settled = [a for a in day if self.now - a.reported_at >= DISPATCH_WINDOW * 0.6]
        severity = {Grade.ESPECIALLY_MAJOR: 4, Grade.MAJOR: 3, Grade.RELATIVELY_MAJOR: 2, Grade.GENERAL: 1}
        if settled or day:
            return max(settled or day, key=lambda a: (severity.get(a.grade, 0), a.occurred_at, a.pk))
        return placed.order_by("-occurred_at", "-id").first()

    def accident_dispatch(self) -> Accident | None:
        """The live board: teams on scene, en route, acknowledged, just sent and one recalled; material
        issued and returned with part consumed; a piece of pool equipment on scene."""
        accident = self.accident()
        if accident is None:
            return None
        # The commander dispatches once the accident is on the system; the story takes up to 100 minutes.
        start = max(accident.occurred_at, accident.reported_at) + timedelta(minutes=3)
        scale = min(1.0, max(self.now - start, timedelta(0)) / DISPATCH_WINDOW)

        def at(minute: float) -> datetime:
            return start + timedelta(minutes=minute * scale)

        capability, equipment_items = NEEDS.get(accident.kind, NEEDS[Kind.INDUSTRIAL])
        lat, lon = accident.lat, accident.lon
        with clock.as_of(at(0)):
            dispatch = services.start_dispatch(
                actor=self.commander,
                title=f"{accident.unit_name}{accident.get_kind_display()}事故应急救援"[:200],
                origin=Origin.ACCIDENT,
                accident_id=accident.pk,
                note=f"事故编号 {accident.number}，事发地点：{accident.place}。{accident.summary}"[:5000],
            )
        teams = self._nearest_teams(lat, lon, capability)
        house, lines = self._nearest_material(lat, lon)
        piece = self._nearest_equipment(lat, lon, equipment_items)
        # Three waves: the nearest two and a third (recalled once the first two had the scene in hand),
        # with material and equipment; two more an hour later; a last one just now.
        first = [
            {"kind": OrderKind.TEAM, "id": t.pk, "note": "立即赶赴现场，开展搜救和伤员转运"}
            for t in teams[:3]
        ]
        if house is not None:
            first.append(
                {
                    "kind": OrderKind.MATERIAL,
                    "id": house.pk,
                    "note": "调运急救、照明和生活保障物资到现场",
                    "lines": [{"item": item, "quantity": q} for item, q in lines],
                }
            )
        if piece is not None:
            first.append(
                {
                    "kind": OrderKind.EQUIPMENT,
                    "id": piece.pk,
                    "note": f"调用{piece.item_name}支援现场",
                    "days": 5,
                }
            )
        second = [
            {"kind": OrderKind.TEAM, "id": t.pk, "note": "第二批增援，到现场后听从现场指挥部调度"}
            for t in teams[3:5]
        ]
        third = [
            {"kind": OrderKind.TEAM, "id": t.pk, "note": "增援：携带专业装备赶赴现场"} for t in teams[5:6]
        ]
        orders = []
        for minute, specs in ((0, first), (70, second), (96, third)):
            if specs:
                with clock.as_of(at(minute)):
                    orders += services.send_orders(actor=self.commander, dispatch=dispatch, orders=specs)
        team_orders = [o for o in orders if o.kind == OrderKind.TEAM]
        moves = dict(
            zip(
                [o.pk for o in team_orders],
                (
                    ((2, "acknowledge"), (5, "depart"), (18, "arrive")),
                    ((3, "acknowledge"), (7, "depart"), (30, "arrive")),
                    ((3, "acknowledge"), (20, "cancel")),
                    ((72, "acknowledge"), (78, "depart")),
                    ((95, "acknowledge"),),
                ),
                strict=False,
            )
        )
        for order in orders:
            if order.kind == OrderKind.MATERIAL:
                moves[order.pk] = ((3, "acknowledge"), (8, "depart"), (28, "arrive"), (90, "return"))
            elif order.kind == OrderKind.EQUIPMENT:
                moves[order.pk] = ((4, "acknowledge"), (9, "depart"), (26, "arrive"))
        by_pk = {o.pk: o for o in orders}
        steps = sorted((minute, pk, action) for pk, plan_ in moves.items() for minute, action in plan_)
        for minute, pk, action in steps:
            order = by_pk[pk]
            data = {}
            if action == "cancel":
                data["reason"] = "首批力量已到场并控制现场，取消增援，原地待命"
            elif action == "return":
                data["note"] = "现场物资需求已满足，剩余物资运回入库"
                data["returned"] = {
                    line.pk: line.quantity - CONSUMED.get(line.stock.item, 0)
                    for line in order.lines.select_related("stock")
                }
            with clock.as_of(at(minute)):
                services.order_action(actor=self.mover(order.region_id), order=order, action=action, **data)
        return accident

    def _nearest_teams(self, lat: float, lon: float, capability: str) -> list[RescueTeam]:
        hits = queries.nearest(self.commander, lat=lat, lon=lon, kind="rescue_team", available=True, limit=20)
        # Not the forest and mine teams for an accident that is neither, nor the power and radio crews.
        fit = [
            h
            for h in hits
            if (h.obj.kind not in (FORESTERS, MINERS) or capability in h.obj.capabilities)
            and not set(h.obj.capabilities) <= {"power", "comms"}
        ]
        capable = [h for h in fit if capability in h.obj.capabilities][:4]
        others = [h for h in fit if h not in capable]
        chosen = sorted(capable + others[: 6 - len(capable)], key=lambda h: (h.distance_km, h.obj.pk))
        return [h.obj for h in chosen]

    def _nearest_material(self, lat: float, lon: float) -> tuple[Warehouse | None, list[tuple[str, int]]]:
        hits = queries.nearest(self.commander, lat=lat, lon=lon, kind="warehouse", item="M26", limit=5)
        for hit in hits:
            usable = {s.item: s.usable for s in queries.stock_of(hit.obj)}
            lines = [(item, q) for item, q in MATERIAL_LINES if usable.get(item, 0) >= q]
            if len(lines) >= 2:
                return hit.obj, lines
        return None, []

    def _nearest_equipment(self, lat: float, lon: float, items: Sequence[str]) -> Equipment | None:
        for item in items:
            hits = queries.nearest(
                self.commander, lat=lat, lon=lon, kind="equipment", item=item, available=True, limit=1
            )
            if hits:
                return hits[0].obj
        return None


DISPATCH_WINDOW = timedelta(minutes=100)
# What an accident needs first: the teams' capability and the pool equipment, by the accident's kind.
NEEDS = {
    Kind.CONSTRUCTION: ("collapse", ("E04", "E08")),
    Kind.HAZARDOUS_CHEMICALS: ("hazchem", ("E13", "E14", "E03")),
    Kind.MINING: ("mine_rescue", ("E02", "E03", "E04")),
    Kind.FIRE: ("fire", ("E15", "E10")),
    Kind.ROAD_TRAFFIC: ("traffic", ("E08", "E10")),
    Kind.INDUSTRIAL: ("medical", ("E08", "E04")),
}
MATERIAL_LINES = (("M26", 30), ("M27", 8), ("M12", 12), ("M10", 20))
CONSUMED = {"M26": 18, "M10": 14}  # first-aid kits and water used up on the scene


def risky_enterprises() -> dict[str, list[tuple[str, str]]]:
    """Per county, the enterprises in normal production whose sector keeps its own rescue team."""
    producing = StatusPeriod.objects.filter(end_date__isnull=True, status=Status.NORMAL).values(
        "enterprise_id"
    )
    rows = (
        Enterprise.objects.filter(sector__in=list(RISKY_SECTORS), pk__in=producing)
        .order_by("region_id", "name")
        .values_list("region_id", "name", "sector")
    )
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for region, name, sector in rows:
        out[region].append((name, sector))
    return dict(out)


def install(
    *,
    n: int,
    seed: int,
    regions: Mapping[str, Region],
    progress: Callable[[int], None] | None = None,
) -> EmergencyResult:
    """Register `n` rescue teams and the province's warehouses, stock and pool equipment, and replay their
    history up to now (pool loans, drills, dispatches), then the emergency sweep. Call inside the demo's
    transaction, after the demo accounts and the accidents."""
    check_count(n)
    now = timezone.localtime(clock.now()).replace(second=0, microsecond=0) - timedelta(minutes=1)
    today = timezone.localdate(now)
    if not n:
        return result()
    layout = plan(regions, n, seed, today=today, risky=risky_enterprises())
    demo = _Demo(regions, random.Random(f"{seed}-emergency-history"), now)
    demo.register(layout, progress)
    # The history, each resource's moves in time order: pool loans and maintenance over the last two
    # months, drills over the year, 武侯区's dispatch three days ago, teams resting since two days ago,
    # the accident of the last hours.
    demo.pool()
    demo.drills((n - MIN_TEAMS) // 15)
    demo.wuhou_dispatch()
    demo.rest(max(2, n // 20))
    accident = demo.accident_dispatch()
    with clock.as_of(now):
        services.sweep()  # as the daily job would now: the overdue loan, due maintenance, late follow-ups
    return result(accident, len(demo.actors.created))


def result(accident: Accident | None = None, actors_created: int = 0) -> EmergencyResult:
    """What the database holds now, for the demo's summary."""
    today = clock.today()
    # The stock-alerts page's two lists, for the whole province.
    below_minimum = Stock.objects.annotate(usable=queries.usable_total(today)).filter(
        minimum__gt=0, usable__lt=F("minimum")
    )
    expiring = Batch.objects.filter(
        quantity__gt=0,
        expiry_date__isnull=False,
        expiry_date__lte=today + timedelta(days=queries.EXPIRY_WARNING_DAYS),
    )
    stocked = Stock.objects.filter(batches__quantity__gt=0).values("warehouse__region__parent_id")
    team_cities = set(RescueTeam.objects.values_list("region__parent_id", flat=True))
    stock_cities = set(stocked.values_list("warehouse__region__parent_id", flat=True))
    loans = Loan.objects.all()
    follow_ups = FollowUp.objects.all()
    return EmergencyResult(
        teams=RescueTeam.objects.count(),
        readiness=_counts(RescueTeam.objects.all(), "readiness"),
        cities=len(team_cities & stock_cities),
        warehouses=_counts(Warehouse.objects.all(), "level"),
        pools=Warehouse.objects.filter(is_pool=True).count(),
        stock_lines=Stock.objects.count(),
        batches=Batch.objects.count(),
        below_minimum=below_minimum.count(),
        expiring=expiring.count(),
        expired=expiring.filter(expiry_date__lt=today).count(),
        equipment=_counts(Equipment.objects.all(), "status"),
        loans=_counts(loans, "state"),
        overdue_loans=loans.filter(state=LoanState.LENT, expected_return__lt=today).count(),
        maintenance_due=Equipment.objects.exclude(status=EquipmentStatus.RETIRED)
        .filter(next_maintenance__lte=today + timedelta(days=30))
        .count(),
        dispatches=Dispatch.objects.count(),
        accident=accident.number if accident else "",
        orders=_counts(DispatchOrder.objects.all(), "state"),
        drills=_counts(Drill.objects.all(), "state"),
        follow_ups=_counts(follow_ups, "state"),
        overdue_follow_ups=follow_ups.filter(state=FollowUpState.OPEN, due_date__lt=today).count(),
        actors_created=actors_created,
    )
