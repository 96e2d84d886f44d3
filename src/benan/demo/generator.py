"""Demo data: a deterministic province of enterprises, and the demo accounts.

`generate()` is pure (no database): the same seed and count give the same enterprises, every
row validated by `enterprises.rules` like real input. `install()` writes them through
`enterprises.services.create_many`, creates the demo accounts, all audited, and then the demo
hazards (`demo.hazards`), enforcement cases (`demo.enforcement`), accidents (`demo.accidents`),
power alerts (`demo.power`), emergency resources (`demo.emergency`) and supervised assignments
(`demo.supervision`). Imports from core, enterprises, standards and those demo modules.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from faker import Faker

from benan.core import audit
from benan.core.geo import in_sichuan
from benan.core.models import AuditHead, Region, RegionLevel, Role, User
from benan.core.regions import read_rows
from benan.enterprises import uscc
from benan.enterprises.models import Enterprise, Scale, Sector, Status, StatusPeriod
from benan.enterprises.rules import clean_enterprise
from benan.enterprises.services import NewEnterprise, create_many
from benan.standards.models import Criterion

from . import accidents as demo_accidents
from . import emergency as demo_emergency
from . import enforcement as demo_enforcement
from . import hazards as demo_hazards
from . import power as demo_power
from . import supervision as demo_supervision

DEFAULT_SEED = 2026
DEFAULT_ENTERPRISES = 2000
DEMO_PASSWORD = "demo-2026"
# Dates are laid out around a fixed day, not today, so that a seed means the same data
# whenever it is run; every period is open or ends before it.
REFERENCE_DAY = date(2026, 11, 1)
EARLIEST_FOUNDING = date(1995, 1, 1)
WUHOU = "510107"
# 锦江、青羊、金牛、武侯、成华: the city centre has no mines and no fireworks factories.
CENTRAL_CHENGDU = frozenset({"510104", "510105", "510106", "510107", "510108"})
# Share of enterprises by city, roughly by the size of each city's economy.
CITY_WEIGHTS = {
    "510100": 30.0, "510300": 3.0, "510400": 2.5, "510500": 4.5, "510600": 5.0, "510700": 6.0,
    "510800": 2.5, "510900": 3.0, "511000": 3.0, "511100": 4.0, "511300": 5.0, "511400": 3.5,
    "511500": 5.0, "511600": 3.0, "511700": 4.5, "511800": 2.0, "511900": 2.0, "512000": 2.0,
    "513200": 1.0, "513300": 1.0, "513400": 3.0,
}
# Within a city, urban districts and county-level cities hold more industry than counties.
COUNTY_KIND_WEIGHTS = {"区": 1.5, "市": 1.2, "县": 1.0}
# Mostly 工贸 subsectors; the high-risk sectors are fewer, as in any province's registry.
SECTOR_WEIGHTS = {
    Sector.MACHINERY: 16.0, Sector.COMMERCE: 15.0, Sector.LIGHT_INDUSTRY: 14.0,
    Sector.BUILDING_MATERIALS: 9.0, Sector.TEXTILE: 5.0, Sector.METALLURGY: 4.0,
    Sector.NONFERROUS: 3.0, Sector.TOBACCO: 0.3, Sector.OTHER: 10.0,
    Sector.HAZARDOUS_CHEMICALS: 9.0, Sector.NON_COAL_MINING: 6.0, Sector.COAL_MINING: 2.0,
    Sector.FIREWORKS: 1.5,
}
NOT_IN_CITY_CENTRE = frozenset({Sector.NON_COAL_MINING, Sector.COAL_MINING, Sector.FIREWORKS})
INDUSTRY_WORDS = {
    Sector.METALLURGY: ("钢铁", "冶炼"),
    Sector.NONFERROUS: ("铝业", "铜业"),
    Sector.BUILDING_MATERIALS: ("水泥", "建材", "砖瓦"),
    Sector.MACHINERY: ("机械制造", "装备"),
    Sector.LIGHT_INDUSTRY: ("食品", "家具", "纸业"),
    Sector.TEXTILE: ("纺织", "服装"),
    Sector.TOBACCO: ("烟草",),
    Sector.COMMERCE: ("商贸", "物流"),
    Sector.HAZARDOUS_CHEMICALS: ("化工", "化学"),
    Sector.NON_COAL_MINING: ("矿业", "石材"),
    Sector.COAL_MINING: ("煤业",),
    Sector.FIREWORKS: ("烟花爆竹",),
    Sector.OTHER: ("实业",),
}
# Why a later period of a demo timeline started.
LATER_REASONS = {
    Status.SUSPENDED: "责令停产停业整顿", Status.NORMAL: "整改验收合格，恢复生产",
    Status.CLOSED: "依法关闭", Status.UNDER_CONSTRUCTION: "改扩建",
}
LEGAL_FORMS = {"有限公司": 70.0, "有限责任公司": 20.0, "股份有限公司": 10.0}
SCALE_WEIGHTS = {Scale.MICRO: 35.0, Scale.SMALL: 45.0, Scale.MEDIUM: 15.0, Scale.LARGE: 5.0}
# Characters of the trade names (字号) Sichuan companies actually choose; two of them make a
# name, which gives enough distinct names for a province of 100 000 enterprises.
TRADE_CHARACTERS = (
    "恒达鑫华盛兴宏源泰丰瑞祥隆昌荣顺安康永嘉信诚益德和润金通汇联发富成利新远天正光明辉宇博众鼎峰"
    "腾飞豪骏森川蜀锦蓉峨岷巴力强"
)
# Faker's zh_CN company prefixes include software houses and other cities' names; keep the
# ones that read like a Sichuan manufacturer's trade name.
_NOT_A_TRADE_NAME = (
    "电子", "计算机", "软件", "信息", "科技", "公司", "数字", "电脑", "国际", "济南", "黄石", "襄樊",
    "浙大", "开发区", "方正", "联通", "中建", "四通", "太极", "七喜", "飞利信", "网新", "MBP",
    "软", "讯", "芯", "趋势", "时刻", "艾提", "罳", "悌",
)
MAX_OFFSET_KM = 8.0


def faker_trade_names() -> list[str]:
    from faker.providers.company.zh_CN import Provider

    names = []
    for name in Provider.company_prefixes:
        chinese = all("\u4e00" <= c <= "\u9fff" for c in name)
        if not chinese or any(word in name for word in _NOT_A_TRADE_NAME):
            continue
        if len(name) in (2, 4) and name not in names:
            names.append(name)
    return names


def short_city_name(name: str) -> str:
    """成都市 → 成都, 阿坝藏族羌族自治州 → 阿坝: the form used at the head of a company name."""
    if name.endswith("自治州"):
        return name[:2]
    return name.removesuffix("市")


def short_county_name(name: str) -> str:
    """武侯区 → 武侯, 北川羌族自治县 → 北川; one-character names keep their suffix (高县)."""
    if name.endswith("自治县"):
        return name[:2]
    if len(name) > 2 and name[-1] in "区县市":
        return name[:-1]
    return name


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    region: str | None  # None for the admin, and for the enterprise user (bound to a company)
    last_name: str
    first_name: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", Role.ADMIN, None, "王", "建国"),
    DemoAccount("sc-office", Role.SAFETY_OFFICE, "510000", "李", "明华"),
    DemoAccount("cd-office", Role.SAFETY_OFFICE, "510100", "张", "蓉"),
    DemoAccount("wuhou-inspector", Role.INSPECTOR, "510107", "刘", "志强"),
    DemoAccount("jinjiang-inspector", Role.INSPECTOR, "510104", "陈", "静"),
    DemoAccount("ent-wuhou", Role.ENTERPRISE, None, "杨", "帆"),
    DemoAccount("expert", Role.EXPERT, "510000", "赵", "立新"),
    DemoAccount("commander", Role.COMMANDER, "510000", "黄", "卫东"),
    DemoAccount("wuhou-commander", Role.COMMANDER, WUHOU, "周", "建"),
)


def regions_from_file() -> dict[str, Region]:
    """The shipped region tree as unsaved `Region` objects: lets `generate` run without a database."""
    return {
        r["code"]: Region(
            code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent_code"] or None,
            lat=float(r["lat"]), lon=float(r["lon"]),
        )
        for r in read_rows()
    }


def _weighted(rng: random.Random, weights: Mapping) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _date_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def timeline(rng: random.Random, today: date = REFERENCE_DAY) -> tuple[tuple[str, date, date | None], ...]:
    """A plausible status history ending in an open period; periods are contiguous."""
    day = timedelta(days=1)
    draw = rng.random()
    if draw < 0.03:  # a project still being built: its only period started recently
        return ((Status.UNDER_CONSTRUCTION, today - timedelta(days=rng.randint(30, 540)), None),)
    # Founded at least two years ago, so that every later event below fits before `today`.
    founded = _date_between(rng, EARLIEST_FOUNDING, today - timedelta(days=730))
    if draw < 0.06:  # ordered to stop production this year, still suspended
        stop = _date_between(rng, max(date(today.year, 1, 1), founded + timedelta(days=30)), today)
        return ((Status.NORMAL, founded, stop - day), (Status.SUSPENDED, stop, None))
    if draw < 0.08:
        closed = _date_between(rng, founded + timedelta(days=365), today - day)
        return ((Status.NORMAL, founded, closed - day), (Status.CLOSED, closed, None))
    if draw < 0.11:  # suspended once, rectified, back in production
        stop = _date_between(rng, founded + timedelta(days=180), today - timedelta(days=180))
        resumed = stop + timedelta(days=rng.randint(20, 150))
        return (
            (Status.NORMAL, founded, stop - day),
            (Status.SUSPENDED, stop, resumed - day),
            (Status.NORMAL, resumed, None),
        )
    return ((Status.NORMAL, founded, None),)


def timeline_problem(periods) -> str | None:
    """None if the periods are in order, contiguous and only the last one is open."""
    if not periods:
        return "没有状态时间段"
    for period, following in zip(periods, periods[1:], strict=False):
        start, end, next_start = period[1], period[2], following[1]
        if end is None:
            return f"{start} 开始的时间段未结束，后面却还有时间段"
        if end < start:
            return f"{start} 开始的时间段结束于开始之前"
        if next_start != end + timedelta(days=1):
            return f"{end} 结束的时间段与下一段（{next_start} 开始）不相接"
    last_start, last_end = periods[-1][1], periods[-1][2]
    if last_end is not None and last_end < last_start:
        return f"{last_start} 开始的时间段结束于开始之前"
    return None


def near(rng: random.Random, lat: float, lon: float, max_km: float = MAX_OFFSET_KM) -> tuple[float, float]:
    """A point uniformly within `max_km` of (lat, lon), inside Sichuan's box."""
    for _ in range(20):
        distance = max_km * math.sqrt(rng.random())  # sqrt: uniform over the disc, not the radius
        bearing = rng.random() * 2 * math.pi
        new_lat = lat + distance * math.cos(bearing) / 111.32
        new_lon = lon + distance * math.sin(bearing) / (111.32 * math.cos(math.radians(lat)))
        new_lat, new_lon = round(new_lat, 6), round(new_lon, 6)
        if in_sichuan(new_lat, new_lon):
            return new_lat, new_lon
    return lat, lon


def _counties(rng: random.Random, regions: Mapping[str, Region], n: int) -> list[Region]:
    """Which county each enterprise is in: every county at least once when n allows it."""
    counties = sorted((r for r in regions.values() if r.level == RegionLevel.COUNTY), key=lambda r: r.code)
    per_city = Counter(r.parent_id for r in counties)
    weights = [
        CITY_WEIGHTS.get(r.parent_id, 1.0) / per_city[r.parent_id] * COUNTY_KIND_WEIGHTS.get(r.name[-1], 1.0)
        for r in counties
    ]
    if n >= len(counties):
        chosen = counties + rng.choices(counties, weights=weights, k=n - len(counties))
    else:
        # Fewer enterprises than counties: still one in 武侯区, for the demo enterprise account.
        chosen = [regions[WUHOU], *rng.choices(counties, weights=weights, k=n - 1)][:n]
    rng.shuffle(chosen)
    return chosen


def _sector(rng: random.Random, county: Region) -> str:
    sector = _weighted(rng, SECTOR_WEIGHTS)
    while county.code in CENTRAL_CHENGDU and sector in NOT_IN_CITY_CENTRE:
        sector = _weighted(rng, SECTOR_WEIGHTS)
    return sector


class _Names:
    """Unique company names: place + trade name + industry word + legal form."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.faker_trades = faker_trade_names()
        self.taken: set[str] = set()

    def trade(self) -> str:
        if self.rng.random() < 0.3:
            return self.rng.choice(self.faker_trades)
        return "".join(self.rng.sample(TRADE_CHARACTERS, 2))

    def make(self, city: Region, county: Region, sector: str) -> str:
        city_short = short_city_name(city.name)
        for attempt in range(100):
            if attempt >= 8:  # the plain names are taken: add the county, as real registries do
                place = city_short + short_county_name(county.name)
            else:
                place = "四川" if self.rng.random() < 0.12 else city_short
            name = (place + self.trade() + self.rng.choice(INDUSTRY_WORDS[sector])
                    + _weighted(self.rng, LEGAL_FORMS))
            if name not in self.taken:
                self.taken.add(name)
                return name
        raise RuntimeError(f"no free company name left in {county.name} for {sector}")


def _uscc(rng: random.Random, county_code: str, founded: date, taken: set[str]) -> str:
    while True:
        if founded.year >= 2016:  # codes issued since the 2015 reform carry an "MA" organisation code
            body = "MA6" + "".join(rng.choice(uscc.ALPHABET) for _ in range(5))
        else:
            body = f"{rng.randrange(10**8):08d}"
        code = uscc.make("91" + county_code + body + uscc.org_check_character(body))
        if code not in taken:
            taken.add(code)
            return code


def generate(
    n: int = DEFAULT_ENTERPRISES,
    seed: int = DEFAULT_SEED,
    *,
    regions: Mapping[str, Region] | None = None,
    today: date = REFERENCE_DAY,
    progress: Callable[[int], None] | None = None,
) -> list[NewEnterprise]:
    """`n` validated enterprises with their timelines; the same arguments give the same list."""
    if n < 0:
        raise ValueError("n must not be negative")
    regions = regions if regions is not None else regions_from_file()
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    # One stream for everything: Faker's own, so the output depends only on the seed.
    rng = fake.random
    names, usccs = _Names(rng), set()
    rows = []
    for county in _counties(rng, regions, n) if n else []:
        city = regions[county.parent_id]
        sector = _sector(rng, county)
        periods = timeline(rng, today)
        lat, lon = near(rng, county.lat, county.lon)
        raw = {
            "uscc": _uscc(rng, county.code, periods[0][1], usccs),
            "name": names.make(city, county, sector),
            "region_code": county.code,
            "sector": sector,
            "address": f"四川省{city.name}{county.name}{fake.street_name()}{rng.randint(1, 999)}号",
            "lat": lat,
            "lon": lon,
            "scale": _weighted(rng, SCALE_WEIGHTS),
            "legal_representative": fake.name(),
            "safety_contact": fake.name(),
            "safety_contact_phone": fake.phone_number(),
        }
        problem = timeline_problem(periods)
        if problem:
            raise AssertionError(f"demo timeline of {raw['name']}: {problem}")
        try:
            # The same rules as real input; uniqueness is guaranteed above, the database is empty.
            data = clean_enterprise(raw, check_unique=False, regions=regions)
        except ValidationError as error:
            raise AssertionError(f"demo enterprise {raw['name']} breaks the rules: {error}") from error
        rows.append(NewEnterprise(data=data, periods=tuple(
            (str(s), a, b, "登记" if i == 0 else LATER_REASONS[s]) for i, (s, a, b) in enumerate(periods)
        )))
        if progress is not None:
            progress(1)
    return rows


class DemoError(Exception):
    """The demo cannot be installed here (no regions, or data already present)."""


@dataclass(frozen=True)
class InstallResult:
    enterprises: int
    periods: int
    users_created: tuple[str, ...]
    users_skipped: tuple[str, ...]
    statuses: dict[str, int]
    audit_entries: int
    hazards: demo_hazards.HazardResult | None = None  # None when no hazards were asked for
    cases: demo_enforcement.CaseResult | None = None  # None when no cases were asked for
    accidents: demo_accidents.AccidentResult | None = None  # None when no accidents were asked for
    power: demo_power.PowerResult | None = None  # None when no power demo was asked for
    emergency: demo_emergency.EmergencyResult | None = None  # None when no emergency demo was asked for
    # None when no assignments were asked for
    assignments: demo_supervision.SupervisionResult | None = None


def create_accounts(regions: Mapping[str, Region]) -> tuple[list[str], list[str]]:
    """The demo accounts that do not exist yet; returns (created, skipped) usernames."""
    enterprise = (
        Enterprise.objects.filter(region_id=WUHOU).order_by("name", "id").first()
    )
    existing = set(User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
                   .values_list("username", flat=True))
    created, skipped, events = [], [], []
    for account in DEMO_ACCOUNTS:
        if account.username in existing:
            skipped.append(account.username)
            continue
        if account.role == Role.ENTERPRISE and enterprise is None:
            skipped.append(account.username)
            continue
        user = User(
            username=account.username, role=account.role, region=regions.get(account.region or ""),
            enterprise=enterprise if account.role == Role.ENTERPRISE else None,
            first_name=account.first_name, last_name=account.last_name,
            is_staff=account.role == Role.ADMIN, is_superuser=account.role == Role.ADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        created.append(user.username)
        events.append(audit.Event("demo.user.created", user, {
            "username": user.username, "role": user.role, "region_code": user.region_id,
            "enterprise_id": user.enterprise_id,
        }))
    audit.record_many(None, events)
    return created, skipped


def install(
    *,
    enterprises: int = DEFAULT_ENTERPRISES,
    seed: int = DEFAULT_SEED,
    generated: Callable[[int], None] | None = None,
    inserted: Callable[[int], None] | None = None,
    hazards: int | None = None,
    hazard_progress: Callable[[int], None] | None = None,
    cases: int | None = None,
    case_progress: Callable[[int], None] | None = None,
    accidents: int | None = None,
    accident_progress: Callable[[int], None] | None = None,
    power: int | None = None,
    power_progress: Callable[[int], None] | None = None,
    emergency: int | None = None,
    emergency_progress: Callable[[int], None] | None = None,
    assignments: int | None = None,
    assignment_progress: Callable[[int], None] | None = None,
) -> InstallResult:
    """Generate and write the demo data, accounts, hazards, enforcement cases, accidents, power
    alerts, emergency resources and supervised assignments in one transaction: all of it or nothing
    (but the power readings, in the lake on disk). `hazards` defaults to
    `demo.hazards.default_count(enterprises)`, `cases` to `demo.enforcement.default_count(enterprises)`,
    `accidents` to `demo.accidents.default_count(enterprises)`, `power` (enterprises with meters) to
    `demo.power.default_count(enterprises)`, `emergency` (rescue teams) to
    `demo.emergency.default_count(enterprises)`, `assignments` to
    `demo.supervision.default_count(enterprises, hazards)`."""
    regions = {r.code: r for r in Region.objects.all()}
    if not any(r.level == RegionLevel.COUNTY for r in regions.values()):
        raise DemoError("数据库中没有行政区划：请先运行 benan load_regions")
    hazards = demo_hazards.default_count(enterprises) if hazards is None else hazards
    if hazards < 0:
        raise ValueError("hazards must not be negative")
    if cases is None:
        cases = demo_enforcement.default_count(enterprises)
    if cases < 0:
        raise ValueError("cases must not be negative")
    if accidents is None:
        accidents = demo_accidents.default_count(enterprises)
    if accidents < 0:
        raise ValueError("accidents must not be negative")
    power = demo_power.default_count(enterprises) if power is None else power
    if power < 0:
        raise ValueError("power must not be negative")
    emergency = demo_emergency.default_count(enterprises) if emergency is None else emergency
    demo_emergency.check_count(emergency)
    if assignments is None:
        assignments = demo_supervision.default_count(enterprises, hazards)
    demo_supervision.check_count(assignments)
    rows = generate(enterprises, seed, regions=regions, progress=generated)
    audit_before = AuditHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
    with transaction.atomic():
        if Enterprise.objects.exists():
            raise DemoError(
                f"数据库中已有 {Enterprise.objects.count()} 家企业，不再写入演示数据，以免重复；"
                "如需重建演示数据，请先清空数据库（make clean）"
            )
        if hazards and not Criterion.objects.exists():
            raise DemoError(
                "数据库中没有重大事故隐患判定标准：请先运行 benan load_standards（或用 --hazards 0）"
            )
        count = create_many(actor=None, rows=rows, action="demo.enterprise.created", progress=inserted)
        created, skipped = create_accounts(regions)
        hazard_result = (
            demo_hazards.install(rows=rows, n=hazards, seed=seed, regions=regions, progress=hazard_progress)
            if hazards else None
        )
        case_result = (
            demo_enforcement.install(rows=rows, n=cases, seed=seed, regions=regions, hazards=hazards,
                                     progress=case_progress)
            if cases else None
        )
        accident_result = (
            demo_accidents.install(rows=rows, n=accidents, seed=seed, regions=regions,
                                   progress=accident_progress)
            if accidents else None
        )
        # After the cases: it picks enterprises by the suspensions the enforcement cases ordered.
        power_result = (
            demo_power.install(n=power, seed=seed, regions=regions, progress=power_progress)
            if power else None
        )
        # Last: it dispatches to the latest serious accident and leaves the others' choices alone.
        emergency_result = (
            demo_emergency.install(n=emergency, seed=seed, regions=regions, progress=emergency_progress)
            if emergency else None
        )
        # The offices' tasks to the regions below them: rows of their own, read by none of the above.
        assignment_result = (
            demo_supervision.install(n=assignments, seed=seed, regions=regions, progress=assignment_progress)
            if assignments else None
        )
    audit_after = AuditHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
    return InstallResult(
        enterprises=count,
        periods=StatusPeriod.objects.count(),
        users_created=tuple(created),
        users_skipped=tuple(skipped),
        statuses=dict(Counter(row.periods[-1][0] for row in rows)),
        audit_entries=audit_after - audit_before,
        hazards=hazard_result,
        cases=case_result,
        accidents=accident_result,
        power=power_result,
        emergency=emergency_result,
        assignments=assignment_result,
    )
