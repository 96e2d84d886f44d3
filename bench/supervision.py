"""The supervision part of `make bench`: three years of enforcement, accidents and power alerts, and
the province's dashboard, map, ranking and monthly circular timed on them.

`load()` writes BENCH DATA ONLY: 40,000 cases through the enforcement services would take hours, so
rows are bulk-inserted straight into the tables (no services, no audit entries, no notifications,
no status-timeline changes), over the enterprises already in the database, in the proportions of the
demo's stories: cases opened over three years, the old ones closed or withdrawn and the recent ones
still in the loop, each with the fields of the steps its state has passed (notice, decision with
its penalty lines, execution, closing); suspension orders (lifted ones, and orders in force only on
enterprises the registry already shows suspended, adopting that period as the service does); a few
criminal referrals and blacklist entries; an inspection or earlier hazards for cases that came from
them. Accidents happen over the same three years, graded by `standards.accident_grades.grade` from
their casualties and loss, with their first report, their acknowledged reporting chain and, for
the older fatal ones, the people held accountable (no investigations). Power alerts: one confirmed
alert behind each case from a power alert, and others in every state. Numbers follow the services'
formats (they end in the row id, so they are set right after the insert). Two bench inspectors per
county carry the cases and checks (no password). It is never used by the demo or the application.

`measure()` times, as sc-office (the province), the dashboard, its map, the ranking of the last full
month (through the API with a bearer token, the dashboard page with a session, the ORM call without
HTTP, and the SQL the ORM sends, run raw), and builds the monthly circular of the province and of
Chengdu for the last full month.
"""

from __future__ import annotations

import random
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from faker import Faker

from benan.accidents.models import (
    Accident,
    AccidentReport,
    Accountability,
    AccountabilityKind,
    Kind,
    Level,
    ReportingStep,
    ReportKind,
    StepState,
)
from benan.core import clock
from benan.core.models import Region, RegionLevel, Role, User
from benan.demo import accidents as demo_accidents
from benan.demo import enforcement as demo_enforcement
from benan.demo import hazards as demo_hazards
from benan.enforcement import rules
from benan.enforcement.guards import add_months
from benan.enforcement.models import (
    MONEY_KINDS,
    BlacklistEntry,
    BlacklistReason,
    BlacklistState,
    CaseState,
    CriminalReferral,
    EnforcementCase,
    Origin,
    Party,
    Penalty,
    PenaltyKind,
    ReferralCategory,
    ReferralState,
    SuspensionOrder,
    SuspensionState,
)
from benan.enforcement.services import hearing_right_for
from benan.enterprises.models import Enterprise, Status, StatusPeriod
from benan.hazards.models import Hazard, HazardState, Inspection, Source
from benan.power.models import AlertKind, AlertState, PowerAlert
from benan.standards import accident_grades

DASHBOARD_TARGET_MS = 500.0
MAP_TARGET_MS = 500.0
CIRCULAR_TARGET_S = 10.0
HISTORY_DAYS = 3 * 365
EARLIEST = date(2000, 1, 1)  # an enterprise without a status timeline counts as founded long ago
BATCH = 5_000  # rows planned, then written in one transaction
CHUNK = 500  # enterprises per query for their hazards
WARM_UP = 3
CIRCULAR_RUNS = 5
SLOWEST = 5  # statements of a request whose plans are kept
USERNAME, PASSWORD = "sc-office", "demo-2026"
PROVINCE, CHENGDU = "510000", "510100"
INSPECTORS_PER_COUNTY = 2

# The demo's penalty profiles and origins (benan.demo.enforcement), so the fines, the dual-penalty
# share and the causes are the demo's.
UNIT_FINE, DUAL, WARNING = demo_enforcement.UNIT_FINE, demo_enforcement.DUAL, demo_enforcement.WARNING
SUSPENSION, ACCIDENT, CONCEALMENT = (
    demo_enforcement.SUSPENSION, demo_enforcement.ACCIDENT, demo_enforcement.CONCEALMENT,
)
PROGRESS = demo_enforcement.PROGRESS  # opened … closed, in order
# A case's state by how long ago it was opened: a case takes one to three months to decide and
# execute, so the old ones are closed or withdrawn, a few stuck past their deadline.
STATE_BY_AGE: tuple[tuple[int | None, dict], ...] = (
    (30, {CaseState.OPENED: 25.0, CaseState.INVESTIGATING: 45.0, CaseState.NOTIFIED: 15.0,
          CaseState.DECIDED: 7.0, CaseState.EXECUTED: 3.0, CaseState.WITHDRAWN: 5.0}),
    (120, {CaseState.INVESTIGATING: 12.0, CaseState.NOTIFIED: 10.0, CaseState.DECIDED: 15.0,
           CaseState.EXECUTED: 20.0, CaseState.CLOSED: 36.0, CaseState.WITHDRAWN: 7.0}),
    (None, {CaseState.INVESTIGATING: 1.5, CaseState.NOTIFIED: 0.5, CaseState.DECIDED: 0.5,
            CaseState.EXECUTED: 3.0, CaseState.CLOSED: 86.0, CaseState.WITHDRAWN: 8.5}),
)
INTERIM_SUSPENSION_SHARE = demo_enforcement.INTERIM_SUSPENSION_SHARE
REFERRAL_SHARE = demo_enforcement.REFERRAL_SHARE  # by profile; the others 3 %
OTHER_REFERRAL_SHARE = 0.03
BLACKLIST_SHARE = demo_enforcement.BLACKLIST_SHARE  # of decided accident cases
EARLY_EXIT_SHARE, EXIT_APPLIED_SHARE = 0.15, 0.05  # of entries older than the minimum term
UNPAID_SHARE = 0.15  # of executed cases with a fine: enforcement by the court applied for
REFERRAL_CATEGORIES = {ACCIDENT: ReferralCategory.MAJOR_LIABILITY, CONCEALMENT: ReferralCategory.CONCEALMENT}
LATER_REFERRALS = {ReferralState.ACCEPTED: 5.0, ReferralState.DECLINED: 2.0, ReferralState.NOT_APPROVED: 1.0,
                   ReferralState.TRANSFERRED: 0.5}
STATEMENT_MODES = {"waived": 45.0, "statement": 30.0, "none": 25.0}
HEARING_MODES = {"waived": 40.0, "statement": 20.0, "hearing": 25.0, "none": 15.0}

# Accidents: deaths (low, high, weight); a province's three years are mostly 一般 with a few 较大,
# rarely a 重大 and almost never a 特别重大. The grade is computed from the figures, never drawn.
DEATH_BANDS = ((0, 0, 28.0), (1, 1, 55.0), (2, 2, 10.0), (3, 5, 4.5), (6, 9, 1.2), (10, 14, 0.25),
               (30, 32, 0.02))
MANY_INJURED_SHARE, BIG_LOSS_SHARE, HUGE_LOSS_SHARE = 0.02, 0.015, 0.001
LATE_ACK_SHARE = demo_accidents.LATE_ACK_SHARE
ACCOUNTABLE_AFTER_DAYS = 200  # fatal accidents older than this have people held accountable
ACCOUNTABILITY_KINDS = {AccountabilityKind.DISCIPLINE: 5.0, AccountabilityKind.ORGANISATIONAL: 3.0,
                        AccountabilityKind.ADMINISTRATIVE_PENALTY: 3.0, AccountabilityKind.CRIMINAL: 1.0}
ACCOUNTABLE_POSITIONS = (
    "总经理", "生产副总经理", "安全总监", "车间主任", "乡镇分管负责人", "县应急管理局执法大队长",
)

# Power alerts: 明停暗开 on enterprises stopped on paper, 边建边开 on sites still being built.
ALERT_KINDS = {AlertKind.COVERT_OPERATION: 80.0, AlertKind.PREMATURE_OPERATION: 20.0}
ALERT_STATES_BY_AGE: tuple[tuple[int | None, dict], ...] = (
    (14, {AlertState.OPEN: 50.0, AlertState.ASSIGNED: 50.0}),
    (60, {AlertState.ASSIGNED: 20.0, AlertState.CONFIRMED: 30.0, AlertState.FALSE_ALARM: 50.0}),
    (None, {AlertState.CONFIRMED: 35.0, AlertState.FALSE_ALARM: 65.0}),
)
FINDINGS = {
    AlertState.CONFIRMED: "现场核查：车间设备运转，有人员作业，企业在停产整顿期间擅自组织生产",
    AlertState.FALSE_ALARM: "现场核查：设备未运转，用电为整改施工和照明负荷，不构成违规生产",
}


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _by_age(table, age: int) -> dict:
    for limit, weights in table:
        if limit is None or age <= limit:
            return weights
    raise AssertionError("the last row has no limit")


def _moment(day: date, rng: random.Random, first_hour: int = 8, last_hour: int = 18) -> datetime:
    minutes = timedelta(minutes=rng.randrange(first_hour * 60, last_hour * 60))
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + minutes)


def _tmp() -> str:
    # Replaced once the id is known, as the services do.
    return f"tmp-{uuid.uuid4().hex}"


def _reach(state: str) -> int:
    return PROGRESS.index(state) if state in PROGRESS else -1


# -- the province as it is in the database -----------------------------------------------------


@dataclass
class Firm:
    pk: int
    region: str
    sector: str
    name: str
    principal: str
    lat: float
    lon: float
    founded: date


class Province:
    """The enterprises (by what they may get), the regions, the office and the bench inspectors."""

    def __init__(self, rng: random.Random, today: date):
        self.regions = {r.code: r for r in Region.objects.all()}
        founded = dict(StatusPeriod.objects.values("enterprise_id").annotate(first=Min("start_date"))
                       .values_list("enterprise_id", "first"))
        rows = Enterprise.objects.order_by("pk").values_list(
            "pk", "region_id", "sector", "name", "legal_representative", "lat", "lon")
        self.firms = {
            pk: Firm(pk, region, sector, name, principal or "张伟", lat, lon, founded.get(pk, EARLIEST))
            for pk, region, sector, name, principal, lat, lon in rows
        }
        current = {pk: (status, start, period) for pk, status, start, period in StatusPeriod.objects.filter(
            end_date__isnull=True).values_list("enterprise_id", "status", "start_date", "pk")}
        # Enterprises that produce now (or were stopped to rectify) get cases and accidents.
        self.active = [f for pk, f in self.firms.items()
                       if current.get(pk, (None,))[0] in (Status.NORMAL, Status.SUSPENDED)]
        if not self.active:
            raise RuntimeError("no enterprise in production: run `benan demo` first")
        self.cum_weights = _cumulative(self.active)
        # An order in force goes to an enterprise the registry shows suspended and no order holds yet.
        held = set(SuspensionOrder.objects.filter(state=SuspensionState.IN_FORCE).values_list(
            "enterprise_id", flat=True))
        self.suspended = [(self.firms[pk], start, period) for pk, (status, start, period) in current.items()
                          if status == Status.SUSPENDED and pk not in held]
        rng.shuffle(self.suspended)
        self.stopped = [self.firms[pk] for pk, (status, _, _) in current.items()
                        if status in (Status.SUSPENDED, Status.CLOSED)]
        self.building = [self.firms[pk] for pk, (status, _, _) in current.items()
                         if status == Status.UNDER_CONSTRUCTION]
        self.blacklisted = set(BlacklistEntry.objects.filter(
            state__in=(BlacklistState.LISTED, BlacklistState.EXIT_APPLIED),
        ).values_list("enterprise_id", flat=True))
        self.open_alerts = set(PowerAlert.objects.filter(state__in=(AlertState.OPEN, AlertState.ASSIGNED))
                               .values_list("enterprise_id", "kind"))
        self.office = User.objects.get(username=USERNAME)
        self.inspectors = _bench_inspectors(self.regions)
        self.by_kind: dict[str, tuple[list[Firm], list[float]]] = {}
        for kind, sectors in demo_accidents.SECTORS.items():
            firms = [f for f in self.active if f.sector in sectors]
            self.by_kind[kind] = (firms, _cumulative(firms))

    def firm(self, rng: random.Random, opened: date) -> Firm:
        """An enterprise in production, weighted by sector, founded before the case (if one is)."""
        for _ in range(20):
            firm = rng.choices(self.active, cum_weights=self.cum_weights)[0]
            if firm.founded <= opened:
                return firm
        return firm

    def city_of(self, county: str) -> Region:
        return self.regions[self.regions[county].parent_id]


def _cumulative(firms: list[Firm]) -> list[float]:
    # Accumulated once: rng.choices would add up a province of weights on every draw.
    return list(accumulate(demo_hazards.SECTOR_WEIGHTS.get(f.sector, 1.0) for f in firms))


def _bench_inspectors(regions: dict[str, Region]) -> dict[str, list[int]]:
    """Two inspectors per county (bench-inspector-<code>-<n>, no password), created when missing."""
    counties = sorted(code for code, r in regions.items() if r.level == RegionLevel.COUNTY)
    wanted = [f"bench-inspector-{code}-{n}" for code in counties for n in range(1, INSPECTORS_PER_COUNTY + 1)]
    have = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create([
        User(username=name, role=Role.INSPECTOR, region_id=name.split("-")[2], password=unusable,
             last_name="压测", first_name=f"执法{name[-1]}")
        for name in wanted if name not in have
    ], batch_size=1000)
    result = defaultdict(list)
    for pk, region in User.objects.filter(username__in=wanted).order_by("username").values_list(
            "pk", "region_id"):
        result[region].append(pk)
    return result


# -- enforcement ---------------------------------------------------------------------------------


@dataclass
class CasePlan:
    case: EnforcementCase
    profile: str
    lines: list[dict]
    officers: list[int]
    facts_template: str = ""  # for a power-alert case: formatted with the alert's number
    hazard_before: date | None = None  # a case from hazards: one found before this day
    hazards: list[int] = field(default_factory=list)
    inspection: Inspection | None = None
    suspension: SuspensionOrder | None = None
    referral: CriminalReferral | None = None
    blacklist: BlacklistEntry | None = None
    alert: PowerAlert | None = None


def _offsets(rng: random.Random, reach: int, suspension: str | None, lifted: bool) -> dict[str, int]:
    """Days after the opening of each step up to `reach`."""
    off = {"open": 0}
    if reach >= 1:
        off["investigate"] = rng.randint(0, 3)
        if suspension and reach < 3:  # an interim order while the facts are established
            off["suspend"] = off["investigate"] + rng.randint(0, 5)
    if reach >= 2:
        off["notify"] = off["investigate"] + rng.randint(7, 40)
    if reach >= 3:
        off["decide"] = off["notify"] + rng.randint(4, 20)
        if suspension:
            off["suspend"] = off["decide"] + rng.randint(0, 2)
            if lifted:
                off["lift"] = off["suspend"] + rng.randint(20, 90)
    if reach >= 4:
        off["execute"] = off["decide"] + rng.randint(3, 20)
    if reach >= 5:
        off["close"] = max(off["execute"], off.get("lift", 0)) + rng.randint(2, 15)
    return off


def _case(rng: random.Random, fake: Faker, p: Province, today: date, r, with_alerts: bool) -> CasePlan:
    opened = today - timedelta(days=rng.randint(1, HISTORY_DAYS))
    age = (today - opened).days
    state = _weighted(rng, _by_age(STATE_BY_AGE, age))
    reach = rng.choice((0, 1, 1, 2)) if state == CaseState.WITHDRAWN else _reach(state)
    profile = _weighted(rng, demo_enforcement.PROFILE_WEIGHTS)
    # What the decision brings: a suspension order lifted by now, or one still in force (only on an
    # enterprise the registry shows suspended; none left: a plain fine instead).
    suspension, lifted = None, False
    if profile == SUSPENSION and reach >= 3:
        lifted = state == CaseState.CLOSED or (state == CaseState.EXECUTED and rng.random() < 0.5)
        suspension = SuspensionState.LIFTED if lifted else SuspensionState.IN_FORCE
    elif state in (CaseState.INVESTIGATING, CaseState.NOTIFIED) and rng.random() < INTERIM_SUSPENSION_SHARE:
        suspension = SuspensionState.IN_FORCE
    stopped = None
    if suspension == SuspensionState.IN_FORCE:
        if p.suspended:
            stopped = p.suspended.pop()
        else:
            suspension, profile = None, UNIT_FINE if profile == SUSPENSION else profile
    accident = profile in (ACCIDENT, CONCEALMENT)
    origin = Origin.DIRECT if accident else _weighted(rng, demo_enforcement.ORIGIN_WEIGHTS)
    basis = "aqsc2021-102" if origin in (Origin.HAZARDS, Origin.POWER_ALERT) else (
        "aqsc2021-97" if profile == WARNING or rng.random() < 0.7 else "aqsc2021-102")
    blacklist = reach >= 3 and profile == ACCIDENT and rng.random() < BLACKLIST_SHARE
    lines = demo_enforcement._lines(rng, profile, basis, rng.randint(2, 5) if blacklist else 1)

    off = _offsets(rng, reach, suspension, lifted)
    if state == CaseState.WITHDRAWN:
        off["withdraw"] = max(off.values()) + rng.randint(3, 20)
    last = max(off.values())
    if last >= age:  # squeeze the story into the days since the opening, in the same order
        off = {k: v * (age - 1) // last for k, v in off.items()}
    day = {k: opened + timedelta(days=v) for k, v in off.items()}

    firm = stopped[0] if stopped else p.firm(rng, opened)
    if blacklist and firm.pk in p.blacklisted:
        blacklist = False
    officers = p.inspectors.get(firm.region, [])[:INSPECTORS_PER_COUNTY] or [p.office.pk]
    lead = officers[0]
    for line in lines:
        if line["party"] == Party.PERSON:
            if accident:
                line["person_name"], line["person_position"] = firm.principal, rng.choice(
                    demo_enforcement.PRINCIPAL_POSITIONS)
            else:
                line["person_name"], line["person_position"] = fake.name(), rng.choice(
                    demo_enforcement.DIRECT_POSITIONS)
    cause, facts, template = _cause(rng, profile, origin, basis, opened, firm)
    case = EnforcementCase(
        number=_tmp(), enterprise_id=firm.pk, region_id=firm.region, origin=origin, cause=cause, facts=facts,
        state=state, opened_on=opened, decision_due=opened + timedelta(days=r.decision_days),
        created_by_id=lead, created_at=_moment(opened, rng),
    )
    if origin == Origin.POWER_ALERT and not with_alerts:
        # Without bench alerts the case names the power company's lead, as the demo's do.
        case.origin_ref = f"DL{opened:%Y%m%d}{rng.randint(1000, 9999)}"
        case.facts, template = template.format(ref=case.origin_ref), ""
    money = sum((Decimal(x["amount"]) for x in lines if x["kind"] in MONEY_KINDS), start=Decimal(0))
    if "notify" in day:
        kinds = list(dict.fromkeys(x["kind"] for x in lines))
        case.notified_on, case.proposal = day["notify"], demo_enforcement._proposal(lines)
        case.hearing_right = hearing_right_for(kinds, money or None)
        case.statement_due = case.notified_on + timedelta(days=r.statement_days)
        if case.hearing_right:
            case.hearing_due = case.notified_on + timedelta(days=r.hearing_request_days)
    if "decide" in day:
        _answer(rng, case, day["notify"], day["decide"])
        fined = {x["party"] for x in lines if x["kind"] == PenaltyKind.FINE}
        case.dual_penalty = {Party.UNIT, Party.PERSON} <= fined
        case.fines_total = money
        case.decided_on, case.decided_by_id = day["decide"], p.office.pk
        case.payment_due = case.decided_on + timedelta(days=r.payment_days) if money else None
    if "execute" in day:
        unpaid = bool(money) and state == CaseState.EXECUTED and rng.random() < UNPAID_SHARE
        case.executed_on = day["execute"]
        case.paid_cny = (Decimal(0) if unpaid else money) if money else None
        case.execution = (
            "当事人逾期未缴纳罚款，已依法申请人民法院强制执行" if unpaid
            else f"当事人已足额缴纳罚没款{money}元" if money else "处罚决定书已送达，警告已执行"
        )
    if "close" in day:
        case.closed_on, case.closing_report = day["close"], rng.choice(demo_enforcement.CLOSE_REPORTS)
    if state == CaseState.WITHDRAWN:
        case.withdrawn_reason = rng.choice(demo_enforcement.WITHDRAW_REASONS)

    plan = CasePlan(case, profile, lines if "decide" in day else [], officers, facts_template=template)
    if origin == Origin.HAZARDS:
        plan.hazard_before = opened
    elif origin == Origin.INSPECTION:
        plan.inspection = _inspection(rng, fake, firm, opened, lead)
    if suspension:
        start = day["suspend"]
        order = SuspensionOrder(
            enterprise_id=firm.pk, region_id=firm.region, number=_tmp(), state=suspension,
            scope=rng.choice(demo_enforcement.SUSPENSION_SCOPES),
            lifting_conditions=rng.choice(demo_enforcement.LIFTING_CONDITIONS),
            resume_status=Status.NORMAL, ordered_by_id=p.office.pk,
        )
        if stopped:  # the registry's suspension: the order adopts its period (it may start later)
            order.period_id = stopped[2]
            start = min(max(start, stopped[1]), today)
        else:
            order.lifted_on, order.lifted_by_id = day["lift"], p.office.pk
            order.lift_comment = rng.choice(demo_enforcement.LIFT_COMMENTS)
        order.start_date, order.ordered_at = start, _moment(start, rng)
        plan.suspension = order
    if reach >= 1 and state != CaseState.WITHDRAWN and rng.random() < REFERRAL_SHARE.get(
            profile, OTHER_REFERRAL_SHARE):
        plan.referral = _referral(rng, p, firm, profile, day["investigate"], today, lead, r)
    if blacklist:
        plan.blacklist = _blacklist(rng, p, firm, day["decide"], today, r)
        if plan.blacklist.state != BlacklistState.EXITED:  # one entry in force per enterprise
            p.blacklisted.add(firm.pk)
    if origin == Origin.POWER_ALERT and with_alerts:
        plan.alert = _alert_behind(rng, firm, opened, lead)
    return plan


def _answer(rng: random.Random, case: EnforcementCase, notified: date, decided: date) -> None:
    """The party's answer to the notice, between the notice and the decision."""
    mode = _weighted(rng, HEARING_MODES if case.hearing_right else STATEMENT_MODES)
    span = max((decided - notified).days, 0)
    if mode == "none":
        return
    case.statement_on = notified + timedelta(days=rng.randint(0, min(span, 3)))
    if mode == "waived":
        case.statement_waived = True
        return
    case.statement = rng.choice(demo_enforcement.STATEMENTS)
    if mode == "hearing":
        case.hearing_requested = True
        case.hearing_held_on = notified + timedelta(days=min(span, rng.randint(7, 14)))
        case.hearing_record = rng.choice(demo_enforcement.HEARING_RECORDS)


def _cause(rng: random.Random, profile: str, origin: str, basis: str, opened: date,
           firm: Firm) -> tuple[str, str, str]:
    """案由, 违法事实, and for a power-alert case the facts still to be given the alert's number."""
    if profile in (ACCIDENT, CONCEALMENT):
        kind = rng.choice(demo_enforcement.ACCIDENT_KINDS)
        place = rng.choice(demo_enforcement.ACCIDENT_PLACES)
        happened = opened - timedelta(days=rng.randint(1, 20))
        if profile == ACCIDENT:
            return (f"发生一般生产安全事故（{kind}），对事故发生负有责任",
                    f"{happened:%Y年%m月%d日}，该单位{place}发生一起{kind}事故。经调查认定，该单位未落实"
                    f"安全生产主体责任，主要负责人{firm.principal}未履行安全生产管理职责，"
                    "对事故发生负有责任。", "")
        return ("生产安全事故漏报",
                f"{happened:%Y年%m月%d日}，该单位{place}发生一起{kind}事故，主要负责人{firm.principal}"
                "接到事故报告后未按规定上报。", "")
    what = rng.choice(demo_enforcement.OFFENCES_AT_HAZARD)
    if origin == Origin.POWER_ALERT:
        template = demo_enforcement.POWER_FACTS.format(
            ref="{ref}", day=opened - timedelta(days=rng.randint(1, 5)), what=what)
        return demo_enforcement.HAZARD_CAUSE, template.format(ref="（待编号）"), template
    if basis == "aqsc2021-102":
        checked = opened - timedelta(days=rng.randint(15, 40))
        return demo_enforcement.HAZARD_CAUSE, demo_enforcement.HAZARD_FACTS.format(day=checked, what=what), ""
    cause, template = rng.choice(demo_enforcement.ITEMS_97)
    return cause, template.format(year=opened.year - 1, k=rng.randint(2, 9), m=rng.randint(110, 600)), ""


def _inspection(rng: random.Random, fake: Faker, firm: Firm, opened: date, lead: int) -> Inspection:
    day = opened - timedelta(days=rng.randint(0, 2))
    return Inspection(
        enterprise_id=firm.pk, region_id=firm.region, source=_weighted(rng, demo_hazards.GOVERNMENT_SOURCES),
        date=day, inspectors=f"{fake.name()}、{fake.name()}", note="检查发现违法行为，依法立案查处",
        created_by_id=lead, created_at=_moment(day, rng),
    )


def _referral(rng: random.Random, p: Province, firm: Firm, profile: str, investigated: date, today: date,
              lead: int, r) -> CriminalReferral:
    yesterday = today - timedelta(days=1)
    reported = min(investigated + timedelta(days=rng.randint(1, 20)), yesterday)
    waited = (today - reported).days
    if waited <= 1:
        state = ReferralState.REPORTED
    elif waited <= 2:
        state = ReferralState.APPROVED
    elif waited <= 30:
        state = _weighted(rng, {ReferralState.TRANSFERRED: 3.0, ReferralState.NOT_APPROVED: 1.0})
    else:
        state = _weighted(rng, LATER_REFERRALS)
    category = REFERRAL_CATEGORIES.get(profile, ReferralCategory.FORCED_RISKY_WORK)
    referral = CriminalReferral(
        region_id=firm.region, category=category, state=state,
        report=f"经调查，当事人的行为涉嫌{demo_enforcement.CRIMES[category]}，专案组建议移送公安机关依法处理。",
        reported_on=reported, decision_due=reported + timedelta(days=r.referral_decide_days),
        created_by_id=lead, created_at=_moment(reported, rng),
    )
    if state == ReferralState.REPORTED:
        return referral
    # Decided within three days; one handed over is decided two days ago at the latest, so that the
    # transfer (within 24 hours) is in the past too.
    waiting = state in (ReferralState.APPROVED, ReferralState.NOT_APPROVED)
    latest = yesterday if waiting else today - timedelta(days=2)
    referral.decided_on = max(min(reported + timedelta(days=rng.randint(0, 2)), latest), reported)
    referral.decided_by_id = p.office.pk
    if state == ReferralState.NOT_APPROVED:
        referral.decision_reason = rng.choice(demo_enforcement.REFUSE_REASONS)
        return referral
    referral.approved_at = _moment(referral.decided_on, rng, 9, 12)
    referral.transfer_due = referral.approved_at + timedelta(hours=r.referral_transfer_hours)
    if state == ReferralState.APPROVED:
        return referral
    county = p.regions[firm.region]
    referral.receiving_organ = (
        f"{p.city_of(firm.region).name}公安局{county.name}分局" if county.name.endswith("区")
        else f"{county.name}公安局"
    )
    referral.transferred_at = referral.approved_at + timedelta(hours=rng.randint(2, 20))
    referral.feedback_due = referral.transferred_at.date() + timedelta(days=r.referral_feedback_days)
    if state in (ReferralState.ACCEPTED, ReferralState.DECLINED):
        answered = referral.transferred_at.date() + timedelta(days=rng.randint(3, 25))
        referral.feedback_on = min(answered, yesterday)
        referral.result = ("公安机关已立案侦查" if state == ReferralState.ACCEPTED
                           else rng.choice(demo_enforcement.DECLINE_RESULTS))
    return referral


def _blacklist(rng: random.Random, p: Province, firm: Firm, decided: date, today: date, r) -> BlacklistEntry:
    entry = min(decided + timedelta(days=rng.randint(1, 20)), today)
    planned = add_months(entry, 12 * r.blacklist_years)
    row = BlacklistEntry(
        enterprise_id=firm.pk, region_id=firm.region, reason_kind=BlacklistReason.MULTIPLIED_FINE,
        reason="发生生产安全事故，情节特别严重、影响特别恶劣，依安全生产法第一百一十四条按罚款数额的二至五倍处罚",
        entry_date=entry, planned_exit_date=planned, listed_by_id=p.office.pk, created_at=_moment(entry, rng),
    )
    earliest = add_months(entry, r.blacklist_early_exit_months)
    if planned <= today:  # the term is over: the sweep removed it
        row.state, row.exited_on, row.exit_comment = BlacklistState.EXITED, planned, "管理期限届满，期满移出"
    elif earliest < today - timedelta(days=30) and rng.random() < EARLY_EXIT_SHARE:
        row.exit_applied_on = earliest + timedelta(days=rng.randint(0, (today - earliest).days - 30))
        row.exit_application = rng.choice(demo_enforcement.EXIT_APPLICATIONS)
        row.state = BlacklistState.EXITED
        row.exited_on = row.exit_applied_on + timedelta(days=rng.randint(3, 20))
        row.exit_comment = rng.choice(demo_enforcement.EXIT_COMMENTS)
    elif earliest < today and rng.random() < EXIT_APPLIED_SHARE:
        row.state = BlacklistState.EXIT_APPLIED
        row.exit_applied_on = today - timedelta(days=rng.randint(0, min(10, (today - earliest).days)))
        row.exit_application = rng.choice(demo_enforcement.EXIT_APPLICATIONS)
    return row


# -- power alerts -------------------------------------------------------------------------------


def _alert(rng: random.Random, firm: Firm, kind: str, state: str, detected: datetime, checker: int | None,
           today: date) -> PowerAlert:
    end = detected.date() - timedelta(days=rng.randint(1, 3))
    days = rng.randint(3, 20)
    energy = round(rng.uniform(200, 8000), 1)
    alert = PowerAlert(
        enterprise_id=firm.pk, region_id=firm.region, kind=kind, state=state,
        start_date=end - timedelta(days=days - 1), end_date=end, days=days,
        score=round(rng.uniform(0.55, 0.99), 3),
        evidence=f"异常期间日均用电{energy}kWh，为停产基准的{rng.randint(4, 30)}倍，夜间负荷持续",
        energy=energy, reference=round(energy / rng.uniform(4, 30), 1), detected_at=detected,
    )
    if state != AlertState.OPEN:
        alert.inspector_id, alert.assigned_at = checker, detected + timedelta(hours=rng.randint(2, 30))
    if state in (AlertState.CONFIRMED, AlertState.FALSE_ALARM):
        alert.checked_on = min(alert.assigned_at.date() + timedelta(days=rng.randint(0, 5)), today)
        alert.check_lat, alert.check_lon = firm.lat, firm.lon
        alert.finding = FINDINGS[state]
        alert.closed_at = _moment(alert.checked_on, rng)
    return alert


def _alert_behind(rng: random.Random, firm: Firm, opened: date, lead: int) -> PowerAlert:
    """The confirmed alert a power-alert case was opened from, checked a day or two before."""
    detected = _moment(opened - timedelta(days=rng.randint(3, 15)), rng, 2, 6)
    alert = _alert(rng, firm, AlertKind.COVERT_OPERATION, AlertState.CONFIRMED, detected, lead, opened)
    alert.checked_on = min(alert.checked_on, opened)
    alert.closed_at = _moment(alert.checked_on, rng)
    return alert


def _alerts(rng: random.Random, p: Province, n: int, today: date) -> list[PowerAlert]:
    rows = []
    for _ in range(n):
        detected = _moment(today - timedelta(days=rng.randint(1, HISTORY_DAYS)), rng, 2, 6)
        state = _weighted(rng, _by_age(ALERT_STATES_BY_AGE, (today - detected.date()).days))
        kind = _weighted(rng, ALERT_KINDS)
        pool = (p.stopped if kind == AlertKind.COVERT_OPERATION else p.building) or p.active
        firm = rng.choice(pool)
        if state in (AlertState.OPEN, AlertState.ASSIGNED):
            if (firm.pk, kind) in p.open_alerts:  # one open alert per enterprise and kind
                state = AlertState.FALSE_ALARM
            else:
                p.open_alerts.add((firm.pk, kind))
        checker = (p.inspectors.get(firm.region) or [None])[0]
        rows.append(_alert(rng, firm, kind, state, detected, checker, today))
    return rows


# -- accidents ----------------------------------------------------------------------------------


def _figures(rng: random.Random, kind: str) -> dict:
    low, high, _ = rng.choices(DEATH_BANDS, weights=[w for _, _, w in DEATH_BANDS])[0]
    deaths = rng.randint(low, high)
    serious = rng.choice((0, 0, 0, 1, 1, 2, 3)) if deaths else rng.randint(1, 6)
    if rng.random() < MANY_INJURED_SHARE:
        serious = rng.randint(10, 20)
    loss = Decimal(rng.randrange(100_000, 4_500_000, 100))
    draw = rng.random()
    if draw < HUGE_LOSS_SHARE:
        loss = Decimal(rng.randrange(55_000_000, 90_000_000, 100))
    elif draw < BIG_LOSS_SHARE:
        loss = Decimal(rng.randrange(11_000_000, 45_000_000, 100))
    if deaths >= 10:  # a disaster wrecks the plant too
        loss = Decimal(rng.randrange(18_000_000, 95_000_000, 100))
    minor = rng.randint(2, 18) if kind == Kind.ROAD_TRAFFIC else rng.randint(0, 4)
    missing = rng.randint(1, 3) if kind in demo_accidents.TRAPPED_KINDS and rng.random() < 0.01 else 0
    return {"deaths": deaths, "serious_injuries": serious, "minor_injuries": minor, "missing": missing,
            "direct_loss_cny": loss}


def _accident(rng: random.Random, fake: Faker, p: Province, today: date) -> tuple[Accident, list]:
    kind = _weighted(rng, demo_accidents.KIND_WEIGHTS)
    registered = kind not in demo_accidents.UNREGISTERED_KINDS and not (
        kind == Kind.FIRE and rng.random() < demo_accidents.UNREGISTERED_FIRE_SHARE)
    firm = None
    if registered:
        firms, weights = p.by_kind[kind]
        if not firms:  # a small province without a mine or a chemical plant
            firms, weights = p.by_kind[Kind.INDUSTRIAL]
        if not firms:
            firms, weights = p.active, p.cum_weights
        firm = rng.choices(firms, cum_weights=weights)[0]
        kind = demo_accidents._kind_of(firm.sector, kind)
    county = firm.region if firm else rng.choice(p.active).region  # where enterprises are, accidents are
    region, city = p.regions[county], p.city_of(county)
    if firm:
        unit = firm.name
    else:
        unit = f"{city.name.removesuffix('市')}{rng.choice(demo_accidents.TOWNS)}" + rng.choice(
            demo_accidents.UNREGISTERED_UNITS[kind])
    types = demo_accidents.TYPES[kind]
    fitting = [t for t in types if firm is None or t.sectors is None or firm.sector in t.sectors]
    atype = rng.choice(fitting or types)
    place = rng.choice(atype.places)
    day = today - timedelta(days=rng.randint(1, HISTORY_DAYS))
    occurred = timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(
        hours=rng.choices(range(24), weights=demo_accidents.HOUR_WEIGHTS)[0], minutes=rng.randrange(60)))
    known = occurred + timedelta(minutes=rng.randint(5, 50))
    figures = _figures(rng, kind)
    # The grade follows from the figures (Decree 493), as the service computes it.
    grading = accident_grades.grade(
        figures["deaths"], figures["serious_injuries"], figures["direct_loss_cny"]
    )
    accident = Accident(
        number=_tmp(), enterprise_id=firm.pk if firm else None, unit_name=unit, region_id=county, kind=kind,
        occurred_at=occurred, known_at=known, place=f"{region.full_name}{place}",
        lat=firm.lat if firm else region.lat, lon=firm.lon if firm else region.lon,
        scene=atype.scene.format(place=place, area=rng.randint(50, 800)),
        summary=atype.summary.format(place=place), measures=demo_accidents.MEASURES_TAKEN[kind],
        grade=grading.grade, decided_by=list(grading.decided_by),
        reported_by_id=p.office.pk, reported_at=known + timedelta(minutes=rng.randint(10, 55)), **figures,
    )
    related: list = [AccidentReport(
        kind=ReportKind.INITIAL, grade=grading.grade, note=accident.summary[:2000],
        reported_by_id=p.office.pk, reported_at=accident.reported_at, **figures,
    )]
    offices = {Level.COUNTY: county, Level.CITY: city.code, Level.PROVINCE: PROVINCE, Level.NATIONAL: None}
    for level, due in accident_grades.reporting_deadlines(grading.grade, known).items():
        late = rng.random() < LATE_ACK_SHARE
        at = due + timedelta(minutes=rng.randint(5, 120)) if late else max(
            known, due - timedelta(minutes=rng.randint(5, 110)))
        related.append(ReportingStep(
            level=level, office_region_id=offices[level], region_id=county, state=StepState.ACKNOWLEDGED,
            due_at=due, added_for=grading.grade, acknowledged_at=at, acknowledged_by_id=p.office.pk,
        ))
    if figures["deaths"] and (today - day).days > ACCOUNTABLE_AFTER_DAYS:
        decided = min(day + timedelta(days=rng.randint(150, ACCOUNTABLE_AFTER_DAYS)), today)
        for _ in range(rng.randint(1, 3)):
            related.append(Accountability(
                region_id=county, person_name=fake.name(), position=rng.choice(ACCOUNTABLE_POSITIONS),
                unit=unit, kind=_weighted(rng, ACCOUNTABILITY_KINDS), decided_by=f"{city.name}纪委监委",
                decided_on=decided, recorded_by_id=p.office.pk, recorded_at=_moment(decided, rng),
            ))
    return accident, related


# -- writing ------------------------------------------------------------------------------------


def _link_hazards(rng: random.Random, plans: list[CasePlan], fake: Faker) -> None:
    """A case from hazards cites one to three of its enterprise's hazards found before it was
    opened; with none, it came from an inspection (as the demo does)."""
    wanted = [plan for plan in plans if plan.hazard_before]
    # Each enterprise once: a hazard read twice would be cited twice (the link is unique).
    firms = sorted({plan.case.enterprise_id for plan in wanted})
    found = defaultdict(list)
    for chunk in range(0, len(firms), CHUNK):
        for firm, pk, created in Hazard.objects.filter(enterprise_id__in=firms[chunk:chunk + CHUNK]).exclude(
                state=HazardState.DISMISSED).values_list("enterprise_id", "pk", "created_at"):
            found[firm].append((timezone.localdate(created), pk))
    for plan in wanted:
        earlier = sorted(pk for day, pk in found[plan.case.enterprise_id] if day < plan.hazard_before)
        if earlier:
            plan.hazards = rng.sample(earlier, min(len(earlier), rng.randint(1, 3)))
        else:
            case = plan.case
            case.origin = Origin.INSPECTION
            plan.inspection = Inspection(
                enterprise_id=case.enterprise_id, region_id=case.region_id, source=Source.DEPARTMENT,
                date=case.opened_on, inspectors=f"{fake.name()}、{fake.name()}",
                note="检查发现违法行为，依法立案查处",
                created_by_id=case.created_by_id, created_at=case.created_at,
            )


def _write_cases(plans: list[CasePlan], regions: dict[str, Region], r) -> None:
    with transaction.atomic():
        inspections = [plan.inspection for plan in plans if plan.inspection]
        Inspection.objects.bulk_create(inspections, batch_size=1000)
        for plan in plans:
            if plan.inspection:
                plan.case.inspection_id = plan.inspection.pk
        EnforcementCase.objects.bulk_create([plan.case for plan in plans], batch_size=1000)
        penalties, officers, hazards = [], [], []
        Officers, Hazards = EnforcementCase.officers.through, EnforcementCase.hazards.through
        for plan in plans:
            case = plan.case
            for n, line in enumerate(plan.lines, start=1):
                basis = r.basis(line["basis"])
                penalties.append(Penalty(
                    case_id=case.pk, order=n, party=line["party"], kind=line["kind"],
                    person_name=line["person_name"], person_position=line["person_position"],
                    basis_code=basis.code, basis_law=basis.law, basis_article=basis.article,
                    basis_verified=basis.verified,
                    amount=Decimal(line["amount"]) if line["kind"] in MONEY_KINDS else None,
                ))
            officers += [Officers(enforcementcase_id=case.pk, user_id=u) for u in plan.officers]
            hazards += [Hazards(enforcementcase_id=case.pk, hazard_id=h) for h in plan.hazards]
            for row in (plan.suspension, plan.referral, plan.blacklist, plan.alert):
                if row is not None:
                    row.case_id = case.pk
        Penalty.objects.bulk_create(penalties, batch_size=2000)
        Officers.objects.bulk_create(officers, batch_size=2000)
        Hazards.objects.bulk_create(hazards, batch_size=2000)
        orders = [plan.suspension for plan in plans if plan.suspension]
        SuspensionOrder.objects.bulk_create(orders, batch_size=1000)
        CriminalReferral.objects.bulk_create([x.referral for x in plans if x.referral], batch_size=1000)
        BlacklistEntry.objects.bulk_create([x.blacklist for x in plans if x.blacklist], batch_size=1000)
        PowerAlert.objects.bulk_create([x.alert for x in plans if x.alert], batch_size=1000)
        # The numbers the services give, now that the ids are known.
        for plan in plans:
            case = plan.case
            case.number = f"{case.region_id}-{case.opened_on.year}-{case.pk:06d}"
            if case.decided_on:
                name = regions[case.region_id].name
                case.decision_number = f"{name}应急罚〔{case.decided_on.year}〕{case.pk}号"
            if plan.alert:
                case.origin_ref = plan.alert.number
                case.facts = plan.facts_template.format(ref=case.origin_ref)
        EnforcementCase.objects.bulk_update([plan.case for plan in plans], ["number", "decision_number"],
                                            batch_size=1000)
        EnforcementCase.objects.bulk_update([plan.case for plan in plans if plan.alert],
                                            ["origin_ref", "facts"], batch_size=1000)
        for order in orders:
            order.number = f"{regions[order.region_id].name}应急责停〔{order.start_date.year}〕{order.pk}号"
        SuspensionOrder.objects.bulk_update(orders, ["number"], batch_size=1000)
    assert all(plan.case.pk for plan in plans), "bulk_create must return ids on this backend"


def _write_accidents(rows: list[tuple[Accident, list]]) -> None:
    with transaction.atomic():
        accidents = Accident.objects.bulk_create([a for a, _ in rows], batch_size=1000)
        by_model = defaultdict(list)
        for accident, related in rows:
            day = timezone.localtime(accident.occurred_at)
            accident.number = f"{accident.region_id}-{day:%Y%m%d}-{accident.pk:05d}"
            for row in related:
                row.accident_id = accident.pk
                by_model[type(row)].append(row)
        Accident.objects.bulk_update(accidents, ["number"], batch_size=1000)
        for model, objs in by_model.items():
            model.objects.bulk_create(objs, batch_size=2000)


def load(*, n_cases: int = 40_000, n_accidents: int = 3_000, n_alerts: int | None = None, seed: int,
         today: date | None = None, progress: Callable[[str], None] = print) -> dict:
    """Bulk-insert `n_cases` enforcement cases (with their penalties, orders, referrals, blacklist
    entries), `n_accidents` accidents and `n_alerts` power alerts (default one per eight cases,
    the ones behind power-alert cases included) over the enterprises in the database."""
    started = time.perf_counter()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    today = today or clock.today()
    n_alerts = n_cases // 8 if n_alerts is None else n_alerts
    r = rules.current()
    p = Province(rng, today)

    def elapsed() -> str:
        return f"{time.perf_counter() - started:.0f} s"

    written, behind = 0, 0
    while written < n_cases:
        size = min(BATCH, n_cases - written)
        plans = []
        for _ in range(size):
            plan = _case(rng, fake, p, today, r, with_alerts=behind < n_alerts)
            behind += plan.alert is not None
            plans.append(plan)
        _link_hazards(rng, plans, fake)
        _write_cases(plans, p.regions, r)
        written += size
        progress(f"cases {written}/{n_cases}, {elapsed()}")
    alerts = _alerts(rng, p, max(n_alerts - behind, 0), today)
    for start in range(0, len(alerts), BATCH):
        with transaction.atomic():
            PowerAlert.objects.bulk_create(alerts[start:start + BATCH], batch_size=1000)
    if alerts:
        progress(f"power alerts {behind + len(alerts)} ({behind} behind cases), {elapsed()}")
    for start in range(0, n_accidents, BATCH):
        _write_accidents([_accident(rng, fake, p, today) for _ in range(min(BATCH, n_accidents - start))])
        progress(f"accidents {min(start + BATCH, n_accidents)}/{n_accidents}, {elapsed()}")
    return {**counts(), "seconds": round(time.perf_counter() - started, 1)}


def counts() -> dict:
    """What the tables hold now (the demo's rows included)."""
    cases = Counter(EnforcementCase.objects.values_list("state", flat=True))
    return {
        "cases": sum(cases.values()),
        "cases_by_state": dict(sorted(cases.items())),
        "dual_penalty": EnforcementCase.objects.filter(dual_penalty=True).count(),
        "penalties": Penalty.objects.count(),
        "inspections": Inspection.objects.count(),
        "suspensions": dict(Counter(SuspensionOrder.objects.values_list("state", flat=True))),
        "referrals": CriminalReferral.objects.count(),
        "blacklist": dict(Counter(BlacklistEntry.objects.values_list("state", flat=True))),
        "accidents": Accident.objects.count(),
        "accidents_by_grade": dict(Counter(Accident.objects.values_list("grade", flat=True))),
        "deaths": sum(Accident.objects.values_list("deaths", flat=True)),
        "reporting_steps": ReportingStep.objects.count(),
        "accountability": Accountability.objects.count(),
        "power_alerts": dict(Counter(PowerAlert.objects.values_list("state", flat=True))),
    }


# -- the timings -------------------------------------------------------------------------------


def last_full_month(today: date):
    from benan.core.period import Period

    return Period.month(today.year, today.month).previous_month()


def _registered(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


def _page_path() -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("supervision:dashboard")
    except NoReverseMatch:
        return None


def _timed(fn, repeat: int, warm_up: int = WARM_UP) -> list[float]:
    for _ in range(warm_up):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def _statements(fn) -> tuple[list[dict], list[str]]:
    """Every statement one call sends, each timed on its own with its rows fetched, and the
    statements with their parameters filled in (to run raw and to explain).

    Timed again rather than as the call ran: on SQLite `execute` returns with the first row, so a
    grouped query that streams its groups (walking an index in group order) looks instant there and
    does its work while the rows are fetched."""
    from django.test.utils import CaptureQueriesContext

    from bench.worker import Recorder

    recorder = Recorder()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(recorder):
        fn()
    raw_sql = [q["sql"] for q in captured.captured_queries]
    if len(raw_sql) != len(recorder.queries):
        return recorder.queries, raw_sql
    timed = []
    with connection.cursor() as cursor:
        for recorded, sql in zip(recorder.queries, raw_sql, strict=True):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            ms = round((time.perf_counter() - started) * 1000, 3)
            timed.append({**recorded, "ms": ms, "execute_ms": recorded["ms"]})
    return timed, raw_sql


def _plans(timed_statements: list[dict], raw_sql: list[str]) -> list[dict]:
    """EXPLAIN of the slowest SELECTs of a call."""
    from bench.worker import explain

    if len(timed_statements) != len(raw_sql):
        return []
    ranked = sorted(range(len(raw_sql)), key=lambda n: -timed_statements[n]["ms"])
    plans = []
    with connection.cursor() as cursor:
        for n in ranked:
            if len(plans) == SLOWEST:
                break
            if raw_sql[n].lstrip().upper().startswith("SELECT"):
                plans.append({"ms": timed_statements[n]["ms"], "sql": raw_sql[n],
                              "plan": explain(cursor, connection.vendor, raw_sql[n])})
    return plans


def _get(client, path: str, headers: dict | None = None):
    response = client.get(path, headers=headers or {})
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.content[:300]!r}")
    return response


def measure_query(client, headers: dict, label: str, path: str | None, orm, target: float | None,
                  requests: int, *, session: bool = False) -> dict:
    """`path` through HTTP (bearer token, or the client's session), `orm()` without HTTP, and the
    SQL `orm()` sends, run raw (the floor). A path not (yet) routed is reported, not timed."""
    from bench.stats import summary
    from bench.worker import Recorder

    vendor = connection.vendor
    result = {"query": label, "path": path, "target_ms": target, "http": None, "orm": None, "raw_sql": None,
              "statements": None, "request_queries": [], "orm_statements": [], "plans": [], "note": ""}
    if path is not None and _registered(path):
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            _get(client, path, None if session else headers)
        result["request_queries"] = recorder.queries
        result["statements"] = len(recorder.queries)
        result["http"] = summary(_timed(lambda: _get(client, path, None if session else headers), requests))
    elif path is not None:
        result["note"] = "page not built" if session else "endpoint not routed"
    if orm is not None:
        timed_statements, raw_sql = _statements(orm)
        result["statements"] = result["statements"] or len(raw_sql)
        result["orm"] = summary(_timed(orm, requests))

        def raw():
            with connection.cursor() as cursor:
                for sql in raw_sql:
                    cursor.execute(sql)
                    cursor.fetchall()

        result["raw_sql"] = summary(_timed(raw, requests))
        result["orm_statements"] = timed_statements
        result["plans"] = _plans(timed_statements, raw_sql)
    http, orm_ = result["http"], result["orm"]
    print(f"[{vendor}] {label}: " + (f"HTTP p95 {http['p95_ms']:.1f} ms" if http else result["note"] or "-")
          + (f", ORM p95 {orm_['p95_ms']:.1f} ms" if orm_ else "")
          + f", {result['statements']} statements", flush=True)
    return result


def measure_circular(user, region, month, runs: int = CIRCULAR_RUNS) -> dict:
    """`circular.build` `runs` times (after one untimed build that imports and warms the chart
    library), and `circular.gather` (the figures alone) as often; the statements of one gather."""
    from benan.supervision import circular
    from bench.stats import summary

    build = lambda: circular.build(user, region, month)  # noqa: E731
    document = build()
    builds = _timed(build, runs, warm_up=0)
    gathers = _timed(lambda: circular.gather(user, region, month), runs, warm_up=0)
    timed_statements, raw_sql = _statements(lambda: circular.gather(user, region, month))
    result = {
        "region": region.code, "region_name": region.name, "month": month.key,
        "build": summary(builds), "gather": summary(gathers), "bytes": len(document),
        "statements": len(raw_sql), "target_s": CIRCULAR_TARGET_S,
        "orm_statements": timed_statements, "plans": _plans(timed_statements, raw_sql),
    }
    built, gathered = result["build"], result["gather"]
    print(f"[{connection.vendor}] circular {region.name} {month.key}: p50 {built['p50_ms'] / 1000:.2f} s, "
          f"max {built['max_ms'] / 1000:.2f} s (figures p50 {gathered['p50_ms'] / 1000:.2f} s, "
          f"{len(raw_sql)} statements)", flush=True)
    return result


def measure(client, *, requests: int, circular_runs: int = CIRCULAR_RUNS) -> dict:
    """Every timed query of the supervision part, as sc-office; see the module docstring."""
    from django.test import Client

    from benan.supervision import figures, ranking

    user = User.objects.select_related("region").get(username=USERNAME)
    response = client.post(
        "/api/v1/auth/token", {"username": USERNAME, "password": PASSWORD}, content_type="application/json"
    )
    if response.status_code != 200:
        raise RuntimeError(f"no token for {USERNAME}: {response.status_code} {response.content!r}")
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    today = clock.today()
    month = last_full_month(today)
    province = Region.objects.get(code=PROVINCE)
    year = figures.year_to_date(today.year, today)

    results = [measure_query(client, headers, "dashboard", "/api/v1/dashboard",
                             lambda: figures.dashboard(user, PROVINCE), DASHBOARD_TARGET_MS, requests)]
    # The page is timed once it exists (the URL name supervision:dashboard), with a session.
    page = _page_path()
    if page is None:
        print(f"[{connection.vendor}] dashboard page: page not built (no URL named supervision:dashboard)")
        results.append({
            "query": "dashboard page", "path": "supervision:dashboard", "target_ms": DASHBOARD_TARGET_MS,
            "http": None, "orm": None, "raw_sql": None, "statements": None, "request_queries": [],
            "orm_statements": [], "plans": [], "note": "page not built",
        })
    else:
        pages = Client(SERVER_NAME="localhost")
        if not pages.login(username=USERNAME, password=PASSWORD):
            raise RuntimeError(f"{USERNAME} could not log in")
        results.append(measure_query(pages, headers, "dashboard page", page, None, DASHBOARD_TARGET_MS,
                                     requests, session=True))
    results.append(measure_query(
        client, headers, "map: hazards_overdue", "/api/v1/dashboard/map?indicator=hazards_overdue",
        lambda: figures.subregions(user, PROVINCE, year, today=today), MAP_TARGET_MS, requests))
    results.append(measure_query(
        client, headers, f"ranking: {month.key}", f"/api/v1/ranking?month={month.key}",
        lambda: ranking.ranking(user, province, month, today=today), None, requests))

    circulars = [measure_circular(user, region, month, circular_runs)
                 for region in (province, Region.objects.get(code=CHENGDU))]
    path = f"/api/v1/reports/monthly?month={month.key}"
    monthly = {"path": path, "ms": None, "bytes": None, "note": "endpoint not routed"}
    if _registered(path):
        started = time.perf_counter()
        response = _get(client, path, headers)
        monthly = {"path": path, "ms": round((time.perf_counter() - started) * 1000, 1),
                   "bytes": len(response.content), "content_type": response["Content-Type"], "note": ""}
        print(f"[{connection.vendor}] GET {path}: {monthly['ms'] / 1000:.2f} s, {monthly['bytes']} bytes",
              flush=True)
    return {"month": month.key, "queries": results, "circulars": circulars, "monthly_http": monthly}


def measure_or_error(client, *, requests: int, circular_runs: int = CIRCULAR_RUNS) -> dict:
    """measure(), or the error that stopped it (the supervision app is being built: the other
    benches' results are kept either way)."""
    try:
        return measure(client, requests=requests, circular_runs=circular_runs)
    except Exception as error:  # noqa: BLE001 - reported in the table and the exit status
        traceback.print_exc()
        return {"error": f"{type(error).__name__}: {error}"}
