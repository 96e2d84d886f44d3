"""Demo enforcement: a deterministic history of cases, suspension orders, referrals and blacklist
entries, replayed through the real services.

`generate()` is pure: from the demo enterprises (and the planned demo hazards, which some cases
start from), a count, a seed and a day it plans every case's story as dated steps: opened,
investigated, notified, the party's statement or hearing, the decision with its penalty lines,
execution and closing, or withdrawal; besides, suspension orders (some lifted after a check),
criminal referrals in each of their states, and blacklist entries (one old enough for the sweep
to remove). `install()` replays the steps through `benan.enforcement.services` under
`core.clock.as_of`, so every rule, deadline, notification and audit entry is the real one.
Imports from core, enterprises, hazards, enforcement and demo.hazards.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from faker import Faker

from benan.core import clock
from benan.core.attachments import store
from benan.core.models import Region, Role, User
from benan.enforcement import rules, services
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
    PenaltyKind,
    ReferralCategory,
    ReferralState,
    SuspensionOrder,
    SuspensionState,
)
from benan.enforcement.queries import active_blacklist_q, case_overdue_q
from benan.enterprises.models import Enterprise, Sector, Status
from benan.hazards import services as hazard_services
from benan.hazards.models import Hazard, HazardState, Source
from benan.standards import engine

from . import hazards as demo_hazards

WUHOU, JINJIANG = demo_hazards.WUHOU, demo_hazards.JINJIANG
# Each case's story is about ten service calls, so a province-sized demo stops here by default.
MAX_DEFAULT = 3000
HISTORY_DAYS = 300  # the oldest ordinary case was opened about ten months ago

# Actor keys of a step, resolved to users by install() from the case's county: the two officers
# of the case team (the lead acts), the safety office that decides, the enterprise.
LEAD, PARTNER, OFFICE, ENTERPRISE = "lead", "partner", "office", "enterprise"

# Penalty profiles: what a decided case ends with.
UNIT_FINE = "unit_fine"  # a fine on the unit only
DUAL = "dual"  # 一案双罚: the unit and the person directly responsible
WARNING = "warning"  # a warning, sometimes with a small fine
SUSPENSION = "suspension"  # 责令停产停业整顿 with a fine, and the order on the status timeline
ACCIDENT = "accident"  # an accident: the unit (art. 114) and its principal (art. 95)
CONCEALMENT = "concealment"  # an accident not reported: the unit and its principal (Decree 493)

# What became of a blacklist entry. Listed ones are recent; the others need an entry a year
# (early exit) or three years (expired: the sweep removes it) old.
LISTED, EXIT_APPLIED, EXITED, REJECTED, EXPIRED = "listed", "exit_applied", "exited", "rejected", "expired"
OLD_ENTRIES = frozenset({EXIT_APPLIED, EXITED, REJECTED, EXPIRED})
IN_FORCE, LIFTED = SuspensionState.IN_FORCE.value, SuspensionState.LIFTED.value

# The loop's states in order; withdrawn stops one of the first three.
PROGRESS = (CaseState.OPENED, CaseState.INVESTIGATING, CaseState.NOTIFIED, CaseState.DECIDED,
            CaseState.EXECUTED, CaseState.CLOSED)
STATE_WEIGHTS = {
    CaseState.OPENED: 5.0, CaseState.INVESTIGATING: 12.0, CaseState.NOTIFIED: 9.0, CaseState.DECIDED: 8.0,
    CaseState.EXECUTED: 12.0, CaseState.CLOSED: 46.0, CaseState.WITHDRAWN: 8.0,
}
PROFILE_WEIGHTS = {
    UNIT_FINE: 38.0, DUAL: 26.0, WARNING: 10.0, SUSPENSION: 14.0, ACCIDENT: 8.0, CONCEALMENT: 4.0,
}
# Power-alert cases here stand for alerts the power company delivered before benan's own alert
# loop (their numbers are the company's); demo/power.py opens cases from benan's own alerts.
ORIGIN_WEIGHTS = {Origin.INSPECTION: 45.0, Origin.DIRECT: 27.0, Origin.HAZARDS: 22.0, Origin.POWER_ALERT: 6.0}
GOVERNMENT_SOURCES = demo_hazards.GOVERNMENT_SOURCES
OVERDUE_SHARE = 0.12  # of cases still under investigation: past the 办案期限
INTERIM_SUSPENSION_SHARE = 0.05  # of cases under investigation: ordered to stop meanwhile
REFERRAL_SHARE = {ACCIDENT: 0.5, CONCEALMENT: 0.6}  # others: 0.03
BLACKLIST_SHARE = 0.35  # of decided accident cases
# Which referral states fit a case that has only got so far.
# Decisions are due in three days and transfers in a day, so few referrals wait at any moment.
REFERRALS_WHILE_OPEN = {ReferralState.REPORTED: 1.0, ReferralState.APPROVED: 0.3,
                        ReferralState.TRANSFERRED: 2.0, ReferralState.NOT_APPROVED: 1.0}
REFERRALS_LATER = {**REFERRALS_WHILE_OPEN, ReferralState.ACCEPTED: 5.0, ReferralState.DECLINED: 2.0}
STATEMENT_MODES = {"waived": 45.0, "statement": 30.0, "none": 25.0}
HEARING_MODES = {"waived": 40.0, "statement": 20.0, "hearing": 25.0, "none": 15.0}


@dataclass(frozen=True)
class Scenario:
    state: str
    profile: str | None = None  # chosen at random when None
    suspension: str | None = None  # IN_FORCE or LIFTED
    referral: str | None = None  # the referral's final ReferralState
    blacklist: str | None = None  # LISTED … EXPIRED
    origin: str | None = None
    overdue: bool = False
    pending_statement: bool = False  # notified days ago, the party's statement period still running
    demo: bool = False  # on ent-wuhou's enterprise
    county: str | None = None  # where it should be, if an enterprise there fits


# 武侯区: ent-wuhou's enterprise has a case in every state; the others give wuhou-inspector and
# cd-office work on every side (a suspension to lift, referrals to approve and transfer, an exit
# application to decide).
SHOWCASE = (
    Scenario(CaseState.OPENED, demo=True, county=WUHOU),
    Scenario(CaseState.INVESTIGATING, demo=True, county=WUHOU),
    Scenario(CaseState.NOTIFIED, UNIT_FINE, pending_statement=True, demo=True, county=WUHOU),
    Scenario(CaseState.DECIDED, DUAL, demo=True, county=WUHOU),
    Scenario(CaseState.EXECUTED, UNIT_FINE, demo=True, county=WUHOU),
    Scenario(CaseState.CLOSED, SUSPENSION, suspension=LIFTED, demo=True, county=WUHOU),
    Scenario(CaseState.WITHDRAWN, demo=True, county=WUHOU),
    Scenario(CaseState.INVESTIGATING, suspension=IN_FORCE, county=WUHOU),
    Scenario(CaseState.NOTIFIED, DUAL, referral=ReferralState.REPORTED, county=WUHOU),
    Scenario(CaseState.DECIDED, ACCIDENT, referral=ReferralState.APPROVED, county=WUHOU),
    Scenario(CaseState.EXECUTED, SUSPENSION, suspension=IN_FORCE, county=WUHOU),
    Scenario(CaseState.CLOSED, ACCIDENT, referral=ReferralState.TRANSFERRED, county=WUHOU),
    Scenario(CaseState.CLOSED, ACCIDENT, blacklist=EXIT_APPLIED, county=WUHOU),
    Scenario(CaseState.DECIDED, ACCIDENT, blacklist=LISTED, county=WUHOU),
    # 锦江区 for jinjiang-inspector: every state, and a suspension, a referral and an entry.
    Scenario(CaseState.OPENED, county=JINJIANG),
    Scenario(CaseState.INVESTIGATING, county=JINJIANG),
    Scenario(CaseState.NOTIFIED, DUAL, pending_statement=True, county=JINJIANG),
    Scenario(CaseState.DECIDED, SUSPENSION, suspension=IN_FORCE, county=JINJIANG),
    Scenario(CaseState.EXECUTED, DUAL, county=JINJIANG),
    Scenario(CaseState.CLOSED, UNIT_FINE, county=JINJIANG),
    Scenario(CaseState.WITHDRAWN, county=JINJIANG),
    Scenario(CaseState.INVESTIGATING, referral=ReferralState.REPORTED, county=JINJIANG),
    Scenario(CaseState.CLOSED, ACCIDENT, blacklist=LISTED, county=JINJIANG),
    # Anywhere in the province: the rest of the referral and blacklist states.
    Scenario(CaseState.CLOSED, ACCIDENT, referral=ReferralState.ACCEPTED),
    Scenario(CaseState.CLOSED, DUAL, referral=ReferralState.DECLINED),
    Scenario(CaseState.EXECUTED, UNIT_FINE, referral=ReferralState.NOT_APPROVED),
    Scenario(CaseState.CLOSED, CONCEALMENT, referral=ReferralState.ACCEPTED),
    Scenario(CaseState.CLOSED, ACCIDENT, blacklist=EXITED),
    Scenario(CaseState.CLOSED, ACCIDENT, blacklist=EXPIRED),
    Scenario(CaseState.CLOSED, ACCIDENT, blacklist=REJECTED),
    Scenario(CaseState.EXECUTED, SUSPENSION, suspension=LIFTED),
    Scenario(CaseState.DECIDED, SUSPENSION, suspension=IN_FORCE),
    Scenario(CaseState.INVESTIGATING, overdue=True),
    Scenario(CaseState.CLOSED, WARNING),
)

# Article 97's items (the 2021 law), with the facts an officer would write.
ITEMS_97 = (
    ("未按照规定制定生产安全事故应急救援预案或者未定期组织演练",
     "经查，该单位自{year}年以来未按照规定组织生产安全事故应急救援预案演练，现场无法提供演练记录和评估报告。"),
    ("未按照规定对从业人员进行安全生产教育和培训",
     "经查，该单位{k}名新入职从业人员未经安全生产教育和培训即上岗作业，培训档案中无相应记录。"),
    ("未如实记录安全生产教育和培训情况",
     "经查，该单位安全生产教育和培训记录与实际不符，{k}名从业人员的培训签到系事后补签。"),
    ("未将事故隐患排查治理情况如实记录或者未向从业人员通报",
     "经查，该单位隐患排查治理台账未如实记录已发现的{k}项事故隐患，也未向从业人员通报。"),
    ("特种作业人员未按照规定经专门的安全作业培训并取得相应资格，上岗作业",
     "经查，该单位{k}名电焊作业人员未取得特种作业操作证，在维修车间从事焊接作业。"),
    ("未按照规定配备安全生产管理人员",
     "经查，该单位从业人员{m}人，未按照规定设置安全生产管理机构或者配备专职安全生产管理人员。"),
)
HAZARD_CAUSE = "未采取措施消除事故隐患"
HAZARD_FACTS = (
    "{day:%Y年%m月%d日}检查发现该单位存在“{what}”的事故隐患，执法人员当场责令限期消除；"
    "逾期复查时该单位仍未采取有效措施消除事故隐患。"
)
POWER_FACTS = (
    "电力数据预警（编号{ref}）显示，该单位{day:%Y年%m月%d日}前后用电负荷异常，经现场核查，"
    "该单位存在“{what}”的事故隐患，未采取措施消除即组织生产。"
)
ACCIDENT_KINDS = ("机械伤害", "物体打击", "高处坠落", "触电", "起重伤害", "中毒和窒息", "灼烫", "坍塌")
ACCIDENT_PLACES = ("生产车间", "仓库", "维修车间", "厂区道路", "污水处理站", "原料堆场")
OFFENCES_AT_HAZARD = tuple(f for f, _, _ in demo_hazards.GENERAL_FINDINGS[None])
DIRECT_POSITIONS = ("生产副总经理", "安全生产管理部经理", "安全总监", "车间主任", "设备部经理")
PRINCIPAL_POSITIONS = ("董事长", "总经理", "执行董事兼总经理")
STATEMENTS = (
    "当事人对违法事实无异议，称已立即组织整改，请求从轻处罚。",
    "当事人提出系初次违法且已主动消除隐患，请求减轻处罚；经复核，违法事实清楚，不予采纳。",
    "当事人称企业经营困难，请求分期缴纳罚款。",
)
HEARING_RECORDS = (
    "听证会依法公开举行，当事人对处罚幅度提出异议；经听证，违法事实清楚、证据确凿，维持拟处罚意见。",
    "听证会依法举行，当事人及其委托代理人进行了陈述和申辩；经合议，维持拟处罚意见。",
)
WITHDRAW_REASONS = (
    "经调查，违法事实不能成立",
    "当事人不属于本部门管辖，已移交有管辖权的部门",
    "经复核，同一违法行为已由其他部门给予罚款处罚",
)
SUSPENSION_SCOPES = ("全部生产经营活动", "存在重大事故隐患的生产线", "涉事车间及相关设施设备")
LIFTING_CONDITIONS = (
    "完成全部事故隐患整改，整改报告经主要负责人签字，并经执法人员复查合格",
    "完善安全生产管理制度，完成从业人员安全培训，经复查验收合格后方可恢复生产",
)
VERIFY_NOTES = ("停产整顿复查：整改完成，具备恢复生产条件", "停产整顿复查：隐患已消除，现场核查合格")
LIFT_COMMENTS = ("经复查，整改到位，同意恢复生产", "复查合格，准予恢复生产经营")
CLOSE_REPORTS = (
    "处罚决定已执行完毕，罚没款已缴入国库，案卷材料齐全，予以结案。",
    "当事人已履行处罚决定，违法行为已改正，予以结案归档。",
)
REFUSE_REASONS = (
    "经审查，现有证据不足以证明涉嫌犯罪，不予移送，依法继续作出行政处罚",
    "经审查，情节显著轻微，不构成犯罪，不予移送",
)
DECLINE_RESULTS = ("公安机关审查认为没有犯罪事实，决定不予立案", "公安机关认为情节显著轻微，不予立案")
EXIT_APPLICATIONS = (
    "列入名单以来已履行行政处罚决定，全面完成整改，参加了信用修复专题培训，未再发生违法行为，申请提前移出。",
    "已缴清全部罚款，主要负责人和安全管理人员重新培训考核合格，企业安全生产标准化达标，申请提前移出。",
)
EXIT_COMMENTS = ("经核查，信用修复情况属实，同意提前移出", "整改和信用修复材料齐全，同意提前移出")
REJECT_COMMENTS = (
    "信用修复材料不全，尚未完成整改复查，驳回申请", "申请期间又发现新的安全生产违法行为，驳回申请",
)
# The crime a referral names (刑法), by category; the "other" category by sector.
CRIMES = {
    ReferralCategory.MAJOR_LIABILITY: "重大责任事故罪",
    ReferralCategory.LABOUR_SAFETY: "重大劳动安全事故罪",
    ReferralCategory.DANGEROUS_GOODS: "危险物品肇事罪",
    ReferralCategory.CONCEALMENT: "不报、谎报安全事故罪",
    ReferralCategory.FORCED_RISKY_WORK: "强令、组织他人违章冒险作业罪",
}
ACCIDENT_CATEGORIES = {ReferralCategory.MAJOR_LIABILITY: 3.0, ReferralCategory.LABOUR_SAFETY: 1.0}
OTHER_CRIMES = {Sector.NON_COAL_MINING: "非法采矿罪", Sector.COAL_MINING: "非法采矿罪",
                Sector.FIREWORKS: "非法制造、储存爆炸物罪"}
# The order of the actions on one day: each needs the ones before it.
PRIORITY = {action: n for n, action in enumerate((
    "inspect", "open", "investigate", "evidence", "refer", "approve_referral", "refuse_referral",
    "transfer", "referral_result", "notify", "statement", "hearing", "decide", "suspend", "blacklist",
    "verify", "lift", "execute", "close", "withdraw", "apply_exit", "approve_exit", "reject_exit",
))}


@dataclass(frozen=True)
class Step:
    """One move of a case's story, at a local wall-clock moment, by an actor key."""

    action: str
    at: datetime  # naive, Asia/Shanghai; made aware by install()
    actor: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoCase:
    number: int
    uscc: str
    region: str
    origin: str
    cause: str
    state: str
    opened_on: date
    hazards: tuple[int, ...]  # numbers of the planned demo hazards the case is about
    dual_penalty: bool
    fines_total: Decimal
    overdue: bool  # not decided by the 办案期限
    suspension: str | None
    referral: str | None
    blacklist: str | None  # the entry's final BlacklistState
    steps: tuple[Step, ...]


def default_count(enterprises: int) -> int:
    """One case per eight enterprises, at most MAX_DEFAULT."""
    return min(enterprises // 8, MAX_DEFAULT)


def _weighted(rng: random.Random, weights: Mapping):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def random_scenario(rng: random.Random, county: str | None = None) -> Scenario:
    state = _weighted(rng, STATE_WEIGHTS)
    profile = _weighted(rng, PROFILE_WEIGHTS)
    reach = _reach(state)
    suspension = referral = blacklist = None
    if profile == SUSPENSION and reach >= 3:
        suspension = LIFTED if state == CaseState.CLOSED or (
            state == CaseState.EXECUTED and rng.random() < 0.5) else IN_FORCE
    elif state in (CaseState.INVESTIGATING, CaseState.NOTIFIED) and rng.random() < INTERIM_SUSPENSION_SHARE:
        suspension = IN_FORCE
    referable = state not in (CaseState.OPENED, CaseState.WITHDRAWN)
    if referable and rng.random() < REFERRAL_SHARE.get(profile, 0.03):
        referral = _weighted(rng, REFERRALS_LATER if reach >= 3 else REFERRALS_WHILE_OPEN)
    if reach >= 3 and profile == ACCIDENT and rng.random() < BLACKLIST_SHARE:
        blacklist = LISTED
    overdue = state in (CaseState.OPENED, CaseState.INVESTIGATING) and rng.random() < OVERDUE_SHARE
    return Scenario(state, profile, suspension, referral, blacklist, overdue=overdue, county=county)


def _reach(state: str) -> int:
    """How far along the loop a case in `state` got (withdrawn: at most notified)."""
    return PROGRESS.index(state) if state in PROGRESS else -1


def _normalize(sc: Scenario) -> Scenario:
    """Drop what the state cannot carry, so every planned story is one the services accept."""
    reach = _reach(sc.state)
    suspension, referral, blacklist, profile = sc.suspension, sc.referral, sc.blacklist, sc.profile
    if blacklist in OLD_ENTRIES:
        reach, suspension = 5, None
        sc = replace(sc, state=CaseState.CLOSED)
        if referral in (ReferralState.REPORTED, ReferralState.APPROVED, ReferralState.TRANSFERRED):
            referral = ReferralState.ACCEPTED
    if reach < 1:
        suspension = referral = None
    if reach < 3:
        blacklist = None
    if blacklist:  # listed for a fine multiplied for a particularly serious accident (art. 114)
        profile, suspension = ACCIDENT, None
    if suspension and reach >= 3:
        profile = SUSPENSION
        if sc.state == CaseState.CLOSED:
            suspension = LIFTED
    elif suspension == LIFTED:
        suspension = IN_FORCE  # an interim order while investigating is still in force
    return replace(sc, profile=profile, suspension=suspension, referral=referral, blacklist=blacklist,
                   overdue=sc.overdue and reach in (0, 1))


# -- the enterprise a case is about -------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    founded_before: date
    suspend_on: date | None = None  # a suspension order starts then: normal since before, none yet
    blacklist: bool = False
    hazards_before: date | None = None  # a case from hazards: the enterprise has some found earlier


class _Pool:
    """The demo enterprises a case may be about, by county and city, and what each already has."""

    def __init__(self, rows: Sequence, regions: Mapping[str, Region], hazards: Sequence):
        self.rows = [r for r in rows if demo_hazards.eligible(r)]
        self.regions = regions
        self.by_county: dict[str, list] = defaultdict(list)
        self.by_city: dict[str, list] = defaultdict(list)
        for row in self.rows:
            county = row.data["region_code"]
            self.by_county[county].append(row)
            self.by_city[regions[county].parent_id].append(row)
        # Accumulated once: rng.choices would add up a province of weights on every draw.
        self.cum_weights = list(accumulate(demo_hazards.SECTOR_WEIGHTS.get(r.data["sector"], 1.0)
                                           for r in self.rows))
        self.hazards: dict[str, list] = defaultdict(list)
        for h in hazards:
            if h.state != HazardState.DISMISSED:
                self.hazards[h.uscc].append(h)
        self.suspended: set[str] = set()
        self.blacklisted: set[str] = set()

    def found_before(self, row, day: date) -> list:
        return [h for h in self.hazards.get(row.data["uscc"], ()) if h.steps[0].at.date() < day]

    def fits(self, row, need: Need) -> bool:
        uscc, periods = row.data["uscc"], row.periods
        if periods[0][1] >= need.founded_before:
            return False
        if need.suspend_on is not None and (
            uscc in self.suspended or periods[-1][0] != Status.NORMAL or periods[-1][1] >= need.suspend_on
        ):
            return False
        if need.blacklist and uscc in self.blacklisted:
            return False
        return need.hazards_before is None or bool(self.found_before(row, need.hazards_before))

    def pick(self, rng: random.Random, need: Need, *, county: str | None, demo) -> object | None:
        if demo is not None and self.fits(demo, need):
            return demo
        if county is not None:
            for group in (self.by_county.get(county, ()),
                          self.by_city.get(self.regions[county].parent_id, ())):
                fitting = [r for r in group if self.fits(r, need)]
                if fitting:
                    return rng.choice(fitting)
        # Anywhere: weighted by sector, drawn until one fits (cheap on a province of rows).
        for _ in range(200):
            row = rng.choices(self.rows, cum_weights=self.cum_weights)[0]
            if self.fits(row, need):
                return row
        fitting = [r for r in self.rows if self.fits(r, need)]
        return rng.choice(fitting) if fitting else None

    def take(self, row, sc: Scenario) -> None:
        if sc.suspension:
            self.suspended.add(row.data["uscc"])
        if sc.blacklist:
            self.blacklisted.add(row.data["uscc"])


# -- penalties ----------------------------------------------------------------------------------


def _amount(rng: random.Random, low: int, high: int, step: int = 5000) -> int:
    return rng.randrange(low, high + 1, step)


def _wan(amount) -> str:
    """150000 → 15万元, 48000 → 4.8万元, as a decision writes it."""
    return f"{Decimal(amount) / 10000:f}".rstrip("0").rstrip(".") + "万元"


def _line(party: str, kind: str, basis: str, amount: int | None = None, name: str = "",
          position: str = "") -> dict:
    return {"party": party, "kind": kind, "basis": basis, "amount": str(amount) if amount else None,
            "person_name": name, "person_position": position}


def _lines(rng: random.Random, profile: str, basis: str, multiple: int) -> list[dict]:
    """The decision's lines with amounts; names of persons are filled in once the enterprise is known."""
    unit, person = Party.UNIT, Party.PERSON
    fine, A97 = PenaltyKind.FINE, "aqsc2021-97"
    if profile == WARNING:
        lines = [_line(unit, PenaltyKind.WARNING, basis)]
        if rng.random() < 0.5:
            lines.append(_line(unit, fine, basis, _amount(rng, 5000, 30000, 1000)))
        return lines
    if profile == UNIT_FINE:
        high = 100000 if basis == A97 else 50000
        return [_line(unit, fine, basis, _amount(rng, 10000, high))]
    if profile == DUAL:
        if basis == A97:  # 逾期未改正: 10–20万 for the unit, 2–5万 for the person
            return [_line(unit, fine, basis, _amount(rng, 100000, 200000, 10000)),
                    _line(person, fine, basis, _amount(rng, 20000, 50000))]
        return [_line(unit, fine, basis, _amount(rng, 20000, 50000)),
                _line(person, fine, basis, _amount(rng, 50000, 100000))]
    if profile == SUSPENSION:
        lines = [_line(unit, PenaltyKind.SUSPENSION, basis),
                 _line(unit, fine, basis, _amount(rng, 100000, 200000, 10000) if basis == A97
                       else _amount(rng, 30000, 50000))]
        if rng.random() < 0.5:
            lines.append(_line(person, fine, basis, _amount(rng, 20000, 50000) if basis == A97
                               else _amount(rng, 50000, 100000)))
        return lines
    income = _amount(rng, 120000, 600000, 10000)
    if profile == ACCIDENT:  # a general accident: 30–100万, times 2–5 when particularly serious
        return [_line(unit, fine, "aqsc2021-114", _amount(rng, 300000, 1000000, 50000) * multiple),
                _line(person, fine, "aqsc2021-95", income * 40 // 100)]
    # CONCEALMENT (漏报): the accident's fine on the unit, 40–80% of a year's income on the principal
    return [_line(unit, fine, "aqsc2021-114", _amount(rng, 300000, 600000, 50000)),
            _line(person, fine, "decree493-35", income * rng.choice((40, 50, 60, 80)) // 100)]


def _money(lines) -> Decimal:
    return sum((Decimal(x["amount"]) for x in lines if x["kind"] in MONEY_KINDS), start=Decimal(0))


def _hearing_right(lines) -> bool:
    return services.hearing_right_for([x["kind"] for x in lines], _money(lines) or None)


def _proposal(lines) -> str:
    """拟对你单位责令停产停业整顿，并处罚款人民币15万元；拟对生产副总经理张三处以罚款人民币3万元."""
    by_party: dict[str, list[str]] = {}
    for x in lines:
        who = "你单位" if x["party"] == Party.UNIT else f"{x['person_position']}{x['person_name']}"
        what = {
            PenaltyKind.FINE: f"罚款人民币{_wan(x['amount'])}" if x["amount"] else "",
            PenaltyKind.WARNING: "警告",
            PenaltyKind.SUSPENSION: "责令停产停业整顿",
        }[x["kind"]]
        by_party.setdefault(who, []).append(what)
    parts = []
    for who, what in by_party.items():
        first = what[0] if what[0] == "责令停产停业整顿" else f"处以{what[0]}"
        parts.append(f"拟对{who}{first}" + "".join(f"，并处{w}" for w in what[1:]))
    return "；".join(parts)


# -- a case's story -----------------------------------------------------------------------------


def _chain(rng: random.Random, sc: Scenario, lines, r) -> tuple[dict[str, int], str]:
    """Days after the opening of each step of the case itself, up to where its state stops, and how
    the party answered the notice (waived, statement, hearing, none)."""
    reach = _reach(sc.state)
    if sc.state == CaseState.WITHDRAWN:
        reach = rng.choice((0, 1, 1, 2))
    off, mode = {"open": 0}, "none"
    if reach >= 1:
        off["investigate"] = rng.randint(0, 3)
        if reach >= 2 or rng.random() < 0.6:
            off["evidence"] = off["investigate"] + rng.randint(1, 10)
        if sc.suspension and reach < 3:  # an interim order while the facts are established
            off["suspend"] = off["investigate"] + rng.randint(0, 5)
    if reach >= 2:
        n = off["notify"] = off["evidence"] + rng.randint(1, 15)
        right = _hearing_right(lines)
        mode = "none" if sc.pending_statement else _weighted(rng, HEARING_MODES if right else STATEMENT_MODES)
        if mode == "waived":
            off["statement"] = n + rng.randint(0, 2)
        elif mode == "statement":
            off["statement"] = n + rng.randint(1, 3)
        elif mode == "hearing":
            off["statement"] = n + rng.randint(1, r.hearing_request_days - 1)
            if reach >= 3 or rng.random() < 0.5:
                off["hearing"] = n + rng.randint(7, 14)
        if reach >= 3:
            if mode == "none":  # nothing said: decided once the periods have passed
                wait = r.hearing_request_days if right else r.statement_days
                off["decide"] = n + wait + rng.randint(1, 5)
            else:
                off["decide"] = max(off["statement"], off.get("hearing", 0)) + rng.randint(1, 7)
    if reach >= 3 and sc.suspension:
        off["suspend"] = off["decide"] + rng.randint(0, 2)
        if sc.suspension == LIFTED:
            off["verify"] = off["suspend"] + rng.randint(20, 60)
            off["lift"] = off["verify"] + rng.randint(0, 3)
    if reach >= 4:
        off["execute"] = max(off["decide"], off.get("suspend", 0)) + rng.randint(3, 15)
    if reach >= 5:
        off["close"] = max(off["execute"], off.get("lift", 0)) + rng.randint(2, 10)
    if sc.state == CaseState.WITHDRAWN:
        off["withdraw"] = max(off.values()) + rng.randint(3, 20)
    return off, mode


def _blacklist_days(rng: random.Random, story: str, today: date) -> dict[str, date]:
    """The entry, the exit application and the office's answer, for the old entries."""
    if story == EXPIRED:  # entered a little over three years ago: its term is over
        entry = add_months(today, -36) - _days(rng.randint(1, 60))
        while add_months(entry, 36) > today:
            entry -= _days(1)
        return {"blacklist": entry}
    if story == EXIT_APPLIED:
        applied = today - _days(rng.randint(1, 10))
        answered = None
    else:
        answered = today - _days(rng.randint(10, 200))
        applied = answered - _days(rng.randint(3, 20))
    entry = add_months(applied, -12) - _days(rng.randint(0, 200))
    while add_months(entry, 12) > applied:
        entry -= _days(1)
    days = {"blacklist": entry, "apply_exit": applied}
    if answered is not None:
        days["approve_exit" if story == EXITED else "reject_exit"] = answered
    return days


def _anchor(rng: random.Random, sc: Scenario, off: dict[str, int], today: date,
            entry: date | None) -> date:
    """The opening day, so that the story ends where its state says, before today."""
    last = max(off.values())
    state = sc.state
    if entry is not None:  # an old entry: the decision came shortly before it
        return entry - _days(rng.randint(0, 30) + off["decide"])
    if sc.overdue:
        return today - _days(max(rng.randint(91, 150), last + 1))
    if state == CaseState.OPENED:
        return today - _days(rng.randint(1, 10))
    if sc.pending_statement:  # notified a day or two ago: the statement period still runs
        return today - _days(rng.randint(1, 2) + off["notify"])
    recent = {
        CaseState.INVESTIGATING: 30, CaseState.NOTIFIED: 5, CaseState.DECIDED: 14, CaseState.EXECUTED: 30,
    }
    if state in recent:
        return today - _days(rng.randint(1, recent[state]) + last)
    # closed or withdrawn: any time in the last ten months
    return today - _days(1 + last + rng.randint(0, max(HISTORY_DAYS - last, 0)))


def _referral_days(rng: random.Random, story: str, investigated: date, case_end: date,
                   today: date) -> dict[str, date]:
    yesterday = today - _days(1)

    def between(first: date, last: date) -> date:
        first = min(first, yesterday)
        last = max(min(last, yesterday), first)
        return first + _days(rng.randint(0, (last - first).days))

    first = min(investigated + _days(1), yesterday)
    if story == ReferralState.REPORTED:  # reported a day or two ago: the head has three days
        return {"refer": between(max(first, today - _days(rng.randint(1, 2))), yesterday)}
    if story == ReferralState.APPROVED:  # approved yesterday: to hand over within 24 hours
        return {"refer": between(max(first, today - _days(3)), yesterday), "approve_referral": yesterday}
    if story == ReferralState.NOT_APPROVED:
        reported = between(first, max(first, min(case_end, today - _days(5))))
        return {"refer": reported, "refuse_referral": between(reported + _days(1), reported + _days(3))}
    if story == ReferralState.TRANSFERRED:
        reported = between(max(first, today - _days(40)), today - _days(3))
        approved = between(reported, reported + _days(2))
        return {"refer": reported, "approve_referral": approved, "transfer": approved}
    reported = between(first, max(first, min(case_end, today - _days(30))))
    approved = between(reported, reported + _days(2))
    return {"refer": reported, "approve_referral": approved, "transfer": approved,
            "referral_result": between(approved + _days(3), approved + _days(25))}


def _hazard_text(h) -> str:
    """What the hazard's record says: the checklist item it violates, or the finding itself."""
    text = engine.criterion(h.criterion).text.removesuffix("的") if h.criterion else h.description
    return text[:80]


class _Story:
    """Dated steps, put in order by day and by what each action needs before it."""

    def __init__(self, rng: random.Random):
        self.rng, self.items = rng, []

    def add(self, action: str, day: date, actor: str, **data) -> None:
        self.items.append((day, PRIORITY[action], action, actor, data))

    def steps(self) -> tuple[Step, ...]:
        steps, last = [], None
        for day, _, action, actor, data in sorted(self.items, key=lambda s: (s[0], s[1])):
            at = datetime.combine(day, time(8, 30)) + timedelta(minutes=self.rng.randrange(480))
            if last is not None and at <= last:
                at = last + timedelta(minutes=self.rng.randint(1, 20))
            last = at
            steps.append(Step(action, at, actor, data))
        return tuple(steps)


def _crime(rng: random.Random, profile: str, sector: str) -> tuple[str, str]:
    """The category of a referral and the crime it names: an accident's, or without one, risky work
    ordered (or illegal mining and explosives in their sectors)."""
    if profile == CONCEALMENT:
        category = ReferralCategory.CONCEALMENT
    elif profile == ACCIDENT:
        category = (ReferralCategory.DANGEROUS_GOODS if sector == Sector.HAZARDOUS_CHEMICALS
                    else _weighted(rng, ACCIDENT_CATEGORIES))
    elif sector in OTHER_CRIMES:
        return ReferralCategory.OTHER, OTHER_CRIMES[sector]
    else:
        category = ReferralCategory.FORCED_RISKY_WORK
    return category, CRIMES[category]


def _receiving_organ(regions: Mapping[str, Region], county: str) -> str:
    region = regions[county]
    city = regions[region.parent_id]
    if region.name.endswith("区"):
        return f"{city.name}公安局{region.name}分局"
    return f"{region.name}公安局"


def _build(rng: random.Random, fake: Faker, number: int, sc: Scenario, pool: _Pool, today: date,
           demo, regions: Mapping[str, Region]) -> DemoCase | None:
    r = rules.current()
    sc = _normalize(sc)
    profile = sc.profile or _weighted(rng, PROFILE_WEIGHTS)
    sc = replace(sc, profile=profile)
    accident = profile in (ACCIDENT, CONCEALMENT)
    origin = sc.origin or (Origin.DIRECT if accident else _weighted(rng, ORIGIN_WEIGHTS))
    basis = "aqsc2021-102" if origin in (Origin.HAZARDS, Origin.POWER_ALERT) else (
        "aqsc2021-97" if profile == WARNING or rng.random() < 0.7 else "aqsc2021-102")
    multiple = rng.randint(2, 5) if sc.blacklist else 1
    lines = _lines(rng, profile, basis, multiple)
    off, mode = _chain(rng, sc, lines, r)
    entry_days = _blacklist_days(rng, sc.blacklist, today) if sc.blacklist in OLD_ENTRIES else {}
    opened = _anchor(rng, sc, off, today, entry_days.get("blacklist"))
    days = {step: opened + _days(n) for step, n in off.items()}
    case_end = max(days.values())
    if origin == Origin.INSPECTION:
        days["inspect"] = opened - _days(rng.randint(0, 2))
    if sc.blacklist == LISTED:
        days["blacklist"] = min(days["decide"] + _days(rng.randint(1, 20)), today - _days(1))
    days.update(entry_days)
    if sc.referral:
        days.update(_referral_days(rng, sc.referral, days["investigate"], case_end, today))
    if max(days.values()) >= today:
        raise AssertionError(f"demo case {number} planned after today: {sc}")

    need = Need(founded_before=opened - _days(60), suspend_on=days.get("suspend"),
                blacklist=bool(sc.blacklist), hazards_before=opened if origin == Origin.HAZARDS else None)
    row = pool.pick(rng, need, county=sc.county, demo=demo if sc.demo else None)
    if row is None and origin == Origin.HAZARDS:
        origin = Origin.INSPECTION
        days["inspect"] = opened - _days(rng.randint(0, 2))
        need = replace(need, hazards_before=None)
        row = pool.pick(rng, need, county=sc.county, demo=demo if sc.demo else None)
    if row is None:
        return None
    pool.take(row, sc)
    data = row.data

    # Who is penalised, and for what.
    principal = (data["legal_representative"], rng.choice(PRINCIPAL_POSITIONS))
    for line in lines:
        if line["party"] == Party.PERSON:
            if profile in (ACCIDENT, CONCEALMENT):
                line["person_name"], line["person_position"] = principal
            else:
                line["person_name"], line["person_position"] = fake.name(), rng.choice(DIRECT_POSITIONS)
    linked: tuple = ()
    origin_ref = ""
    if profile in (ACCIDENT, CONCEALMENT):
        kind, place = rng.choice(ACCIDENT_KINDS), rng.choice(ACCIDENT_PLACES)
        happened = opened - _days(rng.randint(1, 20))
        dead = rng.randint(1, 2)
        if profile == ACCIDENT:
            cause = f"发生一般生产安全事故（{kind}），对事故发生负有责任"
            facts = (f"{happened:%Y年%m月%d日}，该单位{place}发生一起{kind}事故，造成{dead}人死亡。"
                     f"经调查认定，该单位未落实安全生产主体责任，主要负责人{principal[0]}未履行安全生产"
                     "管理职责，对事故发生负有责任。")
            if multiple > 1:
                facts += f"事故情节特别严重、影响特别恶劣，依法按罚款数额的{multiple}倍处以罚款。"
        else:
            cause = "生产安全事故漏报"
            facts = (f"{happened:%Y年%m月%d日}，该单位{place}发生一起{kind}事故，造成{dead}人死亡。"
                     f"主要负责人{principal[0]}接到事故报告后未按规定上报，"
                     f"{rng.randint(3, 15)}日后经群众举报查实。")
    elif origin == Origin.HAZARDS:
        found = pool.found_before(row, opened)
        found = sorted(found, key=lambda h: (h.grade != "major", h.number))[:rng.randint(1, 3)]
        linked = tuple(sorted(h.number for h in found))
        cause = HAZARD_CAUSE
        first = min(h.steps[0].at.date() for h in found)
        facts = HAZARD_FACTS.format(day=first, what="”“".join(_hazard_text(h) for h in found))
    elif origin == Origin.POWER_ALERT:
        origin_ref = f"DL{opened:%Y%m%d}{rng.randint(1000, 9999)}"
        cause = HAZARD_CAUSE
        facts = POWER_FACTS.format(ref=origin_ref, day=opened - _days(rng.randint(1, 5)),
                                   what=rng.choice(OFFENCES_AT_HAZARD))
    elif basis == "aqsc2021-102":
        cause = HAZARD_CAUSE
        checked = opened - _days(rng.randint(15, 40))
        facts = HAZARD_FACTS.format(day=checked, what=rng.choice(OFFENCES_AT_HAZARD))
    else:
        cause, template = rng.choice(ITEMS_97)
        facts = template.format(year=opened.year - 1, k=rng.randint(2, 9), m=rng.randint(110, 600))

    story = _Story(rng)
    add = story.add
    if "inspect" in days:
        add("inspect", days["inspect"], LEAD, source=_weighted(rng, GOVERNMENT_SOURCES),
            inspectors=f"{fake.name()}、{fake.name()}", note=f"检查发现：{cause}")
    add("open", days["open"], LEAD, cause=cause, facts=facts, origin=origin, origin_ref=origin_ref)
    if "investigate" in days:
        add("investigate", days["investigate"], LEAD)
    if "evidence" in days:
        add("evidence", days["evidence"], LEAD,
            images=tuple(f"case{number}-{k}" for k in range(rng.randint(1, 2))))
    money = _money(lines)
    if "notify" in days:
        add("notify", days["notify"], LEAD, proposal=_proposal(lines),
            kinds=tuple(dict.fromkeys(x["kind"] for x in lines)), fine=str(money) if money else None)
    if "statement" in days:
        waived = mode == "waived"
        add("statement", days["statement"], LEAD, waived=waived, hearing_requested=mode == "hearing",
            statement="" if waived else rng.choice(STATEMENTS))
    if "hearing" in days:
        add("hearing", days["hearing"], LEAD, record=rng.choice(HEARING_RECORDS))
    if "decide" in days:
        add("decide", days["decide"], OFFICE, penalties=tuple(lines))
    if "suspend" in days:
        add("suspend", days["suspend"], OFFICE, scope=rng.choice(SUSPENSION_SCOPES),
            conditions=rng.choice(LIFTING_CONDITIONS))
    if "verify" in days:
        add("verify", days["verify"], LEAD, inspectors=f"{fake.name()}、{fake.name()}",
            note=rng.choice(VERIFY_NOTES))
        add("lift", days["lift"], OFFICE, comment=rng.choice(LIFT_COMMENTS))
    if "execute" in days:
        paid, text = money, "处罚决定书已送达，警告已执行"
        if money:
            unpaid = sc.state == CaseState.EXECUTED and rng.random() < 0.15
            paid = Decimal(0) if unpaid else money
            text = ("当事人逾期未缴纳罚款，已依法申请人民法院强制执行" if unpaid
                    else f"当事人已足额缴纳罚没款{_wan(money)}")
        if sc.suspension:
            text = "已责令停产停业整顿；" + text
        add("execute", days["execute"], LEAD, execution=text, paid=str(paid) if money else None)
    if "close" in days:
        add("close", days["close"], LEAD, report=rng.choice(CLOSE_REPORTS))
    if "withdraw" in days:
        add("withdraw", days["withdraw"], OFFICE, reason=rng.choice(WITHDRAW_REASONS))
    if sc.referral:
        category, crime = _crime(rng, profile, data["sector"])
        add("refer", days["refer"], LEAD, category=category,
            report=f"经调查，{facts}当事人的行为涉嫌{crime}，专案组建议移送公安机关依法处理。")
        if "approve_referral" in days:
            add("approve_referral", days["approve_referral"], OFFICE)
        if "refuse_referral" in days:
            add("refuse_referral", days["refuse_referral"], OFFICE, reason=rng.choice(REFUSE_REASONS))
        if "transfer" in days:
            add("transfer", days["transfer"], LEAD, organ=_receiving_organ(regions, data["region_code"]))
        if "referral_result" in days:
            accepted = sc.referral == ReferralState.ACCEPTED
            result = (f"公安机关已立案侦查（立案决定书 公立字〔{days['referral_result'].year}〕"
                      f"{rng.randint(100, 999)}号）" if accepted else rng.choice(DECLINE_RESULTS))
            add("referral_result", days["referral_result"], LEAD, accepted=accepted, result=result)
    if sc.blacklist:
        reason = (f"{cause}，情节特别严重、影响特别恶劣，依据《中华人民共和国安全生产法》第一百一十四条"
                  f"按罚款数额的{multiple}倍处以罚款")
        add("blacklist", days["blacklist"], OFFICE, reason_kind=BlacklistReason.MULTIPLIED_FINE,
            reason=reason)
        if "apply_exit" in days:
            add("apply_exit", days["apply_exit"], ENTERPRISE, application=rng.choice(EXIT_APPLICATIONS))
        if "approve_exit" in days:
            add("approve_exit", days["approve_exit"], OFFICE, comment=rng.choice(EXIT_COMMENTS))
        if "reject_exit" in days:
            add("reject_exit", days["reject_exit"], OFFICE, comment=rng.choice(REJECT_COMMENTS))

    decided = "decide" in days
    fined = {x["party"] for x in lines if x["kind"] == PenaltyKind.FINE}
    final_entry = {LISTED: "listed", REJECTED: "listed", EXIT_APPLIED: "exit_applied",
                   EXITED: "exited", EXPIRED: "exited"}.get(sc.blacklist)
    return DemoCase(
        number=number, uscc=data["uscc"], region=data["region_code"], origin=origin, cause=cause,
        state=sc.state, opened_on=opened, hazards=linked,
        dual_penalty=decided and {Party.UNIT, Party.PERSON} <= fined,
        fines_total=money if decided else Decimal(0),
        overdue=not decided and sc.state != CaseState.WITHDRAWN and today > opened + _days(r.decision_days),
        suspension=sc.suspension, referral=sc.referral, blacklist=final_entry, steps=story.steps(),
    )


def generate(
    rows: Sequence,
    n: int,
    seed: int,
    *,
    today: date,
    regions: Mapping[str, Region],
    demo_uscc: str | None = None,
    hazards: Sequence = (),
) -> list[DemoCase]:
    """`n` planned cases over the enterprises `rows` (NewEnterprise), with stories ending before
    `today`; `hazards` are the planned demo hazards (DemoHazard) a case may start from. First the
    showcase (武侯区 with ent-wuhou's enterprise, 锦江区, then the rarer stories anywhere), then one
    in each city without a case, then weighted at random."""
    if n < 0:
        raise ValueError("n must not be negative")
    fake = Faker("zh_CN")
    fake.seed_instance(f"{seed}-enforcement")
    rng = fake.random
    pool = _Pool(rows, regions, hazards)
    if not pool.rows or not n:
        return []
    wuhou = sorted(pool.by_county.get(WUHOU, ()), key=lambda r: r.data["name"])
    demo = next((r for r in wuhou if r.data["uscc"] == demo_uscc), wuhou[0] if wuhou else None)
    planned: list[DemoCase] = []

    def plan(sc: Scenario) -> None:
        case = _build(rng, fake, len(planned) + 1, sc, pool, today, demo, regions)
        if case is None:  # nothing fits what the scenario needs: a plain case instead
            case = _build(rng, fake, len(planned) + 1, Scenario(sc.state, county=sc.county), pool, today,
                          demo, regions)
        if case is not None:
            planned.append(case)

    for scenario in SHOWCASE:
        if len(planned) >= n:
            return planned
        plan(scenario)
    covered = {regions[c.region].parent_id for c in planned}
    for city in sorted(pool.by_city):
        if len(planned) >= n:
            return planned
        if city not in covered:
            county = rng.choice(pool.by_city[city]).data["region_code"]
            plan(random_scenario(rng, county))
    while len(planned) < n:
        before = len(planned)
        plan(random_scenario(rng))
        if len(planned) == before:
            break  # no enterprise can take a case at all
    return planned


# -- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseResult:
    cases: int
    states: dict[str, int]
    overdue: int
    dual_penalty: int
    fines_total: Decimal
    suspensions: dict[str, int]
    referrals: dict[str, int]
    blacklist: dict[str, int]
    blacklist_public: int  # on the published list today
    expired: int  # removed by the sweep at the end of the term
    inspections: int  # inspections recorded for the cases (origin and verification)
    actors_created: int


class _Officers(demo_hazards._Actors):
    """The demo's actors (see demo.hazards), and the case team: the county's demo inspector with
    the city's inspector, or the city's inspector with the city's safety office."""

    def city_inspector(self, county: str) -> User:
        city = self.regions[self.regions[county].parent_id]
        return self._make(f"inspector-{city.code}", Role.INSPECTOR, region=city, first=f"{city.name}执法人员")

    def of(self, key: str, county: str, enterprise: Enterprise, demo_id: int | None) -> User:
        if key == LEAD:
            return self.get(demo_hazards.INSPECTOR, county, enterprise, demo_id)
        if key == PARTNER:
            if county in demo_hazards.COUNTY_INSPECTORS:
                return self.city_inspector(county)
            return self.get(demo_hazards.OFFICE, county, enterprise, demo_id)
        if key == OFFICE:
            return self.get(demo_hazards.OFFICE, county, enterprise, demo_id)
        return self.get(demo_hazards.ENTERPRISE, county, enterprise, demo_id)


def _moment(at: datetime) -> datetime:
    return timezone.make_aware(at)


class _Replay:
    """The objects one case's story makes as it goes: the case, its inspection, order, referral, entry."""

    def __init__(self, plan: DemoCase, enterprise: Enterprise, actor: Callable[[str], User], hazard_ids):
        self.plan, self.enterprise, self.actor = plan, enterprise, actor
        self.hazard_ids = hazard_ids
        self.case = self.inspection = self.verification = self.order = self.referral = self.entry = None
        self.inspections = 0

    def run(self) -> None:
        for step in self.plan.steps:
            with clock.as_of(_moment(step.at)):
                getattr(self, f"do_{step.action}")(self.actor(step.actor), step.at.date(), step.data)

    def _inspection(self, user, day, data, source):
        self.inspections += 1
        return hazard_services.record_inspection(
            actor=user, enterprise=self.enterprise, source=source, day=day, inspectors=data["inspectors"],
            note=data["note"],
        )

    def do_inspect(self, user, day, data):
        self.inspection = self._inspection(user, day, data, data["source"])

    def do_open(self, user, day, data):
        team = [self.actor(LEAD).pk, self.actor(PARTNER).pk]
        self.case = services.open_case(
            actor=user, enterprise=self.enterprise, cause=data["cause"], facts=data["facts"],
            origin=data["origin"], officer_ids=team,
            inspection_id=self.inspection.pk if self.inspection else None,
            hazard_ids=[self.hazard_ids[n] for n in self.plan.hazards], origin_ref=data["origin_ref"],
            opened_on=day,
        )

    def do_investigate(self, user, day, data):
        services.investigate(actor=user, case=self.case)

    def do_evidence(self, user, day, data):
        names = ("现场检查照片", "询问笔录")
        photos = []
        for k, image in enumerate(data["images"]):
            name = f"{names[k % 2]}-{self.plan.number}-{k + 1}.png"
            upload = SimpleUploadedFile(name, demo_hazards.png(32, 24, image), "image/png")
            photos.append(store(actor=user, upload=upload))
        services.add_evidence(actor=user, case=self.case, attachment_ids=[p.pk for p in photos])

    def do_notify(self, user, day, data):
        services.notify(actor=user, case=self.case, proposal=data["proposal"], notified_on=day,
                        proposed_kinds=list(data["kinds"]), proposed_fine_cny=data["fine"])

    def do_statement(self, user, day, data):
        services.record_statement(actor=user, case=self.case, statement=data["statement"],
                                  waived=data["waived"], hearing_requested=data["hearing_requested"],
                                  statement_on=day)

    def do_hearing(self, user, day, data):
        services.record_hearing(actor=user, case=self.case, record=data["record"], held_on=day)

    def do_decide(self, user, day, data):
        lines = [services.PenaltyIn(**line) for line in data["penalties"]]
        services.decide(actor=user, case=self.case, penalties=lines)

    def do_suspend(self, user, day, data):
        self.order = services.order_suspension(
            actor=user, case=self.case, start_date=day, scope=data["scope"],
            lifting_conditions=data["conditions"],
        )

    def do_verify(self, user, day, data):
        self.verification = self._inspection(user, day, data, Source.DEPARTMENT)

    def do_lift(self, user, day, data):
        services.lift_suspension(actor=user, order=self.order, inspection_id=self.verification.pk,
                                 lifted_on=day, comment=data["comment"])

    def do_execute(self, user, day, data):
        services.execute(actor=user, case=self.case, execution=data["execution"], paid_cny=data["paid"],
                         executed_on=day)

    def do_close(self, user, day, data):
        services.close(actor=user, case=self.case, report=data["report"])

    def do_withdraw(self, user, day, data):
        services.withdraw(actor=user, case=self.case, reason=data["reason"])

    def do_refer(self, user, day, data):
        self.referral = services.refer(actor=user, case=self.case, category=data["category"],
                                       report=data["report"], reported_on=day)

    def do_approve_referral(self, user, day, data):
        services.approve_referral(actor=user, referral=self.referral)

    def do_refuse_referral(self, user, day, data):
        services.refuse_referral(actor=user, referral=self.referral, reason=data["reason"])

    def do_transfer(self, user, day, data):
        services.transfer_referral(actor=user, referral=self.referral, receiving_organ=data["organ"])

    def do_referral_result(self, user, day, data):
        services.record_referral_result(actor=user, referral=self.referral, accepted=data["accepted"],
                                        result=data["result"], feedback_on=day)

    def do_blacklist(self, user, day, data):
        self.entry = services.blacklist(actor=user, case=self.case, reason_kind=data["reason_kind"],
                                        reason=data["reason"], entry_date=day)

    def do_apply_exit(self, user, day, data):
        services.apply_exit(actor=user, entry=self.entry, application=data["application"])

    def do_approve_exit(self, user, day, data):
        services.approve_exit(actor=user, entry=self.entry, comment=data["comment"])

    def do_reject_exit(self, user, day, data):
        services.reject_exit(actor=user, entry=self.entry, comment=data["comment"])


def _hazard_plan(rows, hazards: int, seed: int, today: date, regions, demo_enterprise) -> tuple[list, dict]:
    """The demo hazards as planned, and their ids in the database (they were replayed in plan order);
    nothing when the database holds other hazards than the plan."""
    if not hazards:
        return [], {}
    planned = demo_hazards.generate(rows, hazards, seed, today=today, regions=regions,
                                    demo_uscc=demo_enterprise.uscc if demo_enterprise else None)
    written = list(Hazard.objects.order_by("id").values_list("id", "enterprise__uscc"))
    if len(written) != len(planned) or any(u != h.uscc for (_, u), h in zip(written, planned, strict=True)):
        return [], {}
    return planned, {h.number: pk for (pk, _), h in zip(written, planned, strict=True)}


def install(
    *,
    rows: Sequence,
    n: int,
    seed: int,
    regions: Mapping[str, Region],
    hazards: int = 0,
    progress: Callable[[int], None] | None = None,
) -> CaseResult:
    """Plan `n` cases over the demo enterprises and replay them through the services; `hazards` is
    how many demo hazards were installed just before (cases may start from them). Then run the
    enforcement sweep once, as the daily job would (it removes the expired entry and escalates
    late cases and referrals). Call inside the demo's transaction."""
    today = clock.today()
    demo_user = (User.objects.filter(username=demo_hazards.DEMO_ENTERPRISE_USER)
                 .select_related("enterprise").first())
    demo_enterprise = demo_user.enterprise if demo_user and demo_user.enterprise_id else None
    hazard_plan, hazard_ids = _hazard_plan(rows, hazards, seed, today, regions, demo_enterprise)
    plan = generate(rows, n, seed, today=today, regions=regions, hazards=hazard_plan,
                    demo_uscc=demo_enterprise.uscc if demo_enterprise else None)
    enterprises = Enterprise.objects.in_bulk([p.uscc for p in plan], field_name="uscc")
    actors = _Officers(regions)
    demo_id = demo_enterprise.pk if demo_enterprise else None
    inspections = 0
    for item in plan:
        enterprise = enterprises[item.uscc]
        replay = _Replay(item, enterprise, lambda key, e=enterprise: actors.of(key, e.region_id, e, demo_id),
                         hazard_ids)
        replay.run()
        inspections += replay.inspections
        if progress is not None:
            progress(1)
    services.sweep()
    cases = EnforcementCase.objects.all()
    totals = cases.aggregate(dual=Count("id", filter=Q(dual_penalty=True)), fines=Sum("fines_total"))
    return CaseResult(
        cases=cases.count(),
        states=dict(cases.values_list("state").annotate(n=Count("id"))),
        overdue=cases.filter(case_overdue_q(today)).count(),
        dual_penalty=totals["dual"],
        fines_total=Decimal(totals["fines"] or 0).quantize(Decimal("0.01")),
        suspensions=dict(SuspensionOrder.objects.values_list("state").annotate(n=Count("id"))),
        referrals=dict(CriminalReferral.objects.values_list("state").annotate(n=Count("id"))),
        blacklist=dict(BlacklistEntry.objects.values_list("state").annotate(n=Count("id"))),
        blacklist_public=BlacklistEntry.objects.filter(active_blacklist_q(today)).count(),
        # Removed at the end of the term (an early exit is dated by its approval instead).
        expired=BlacklistEntry.objects.filter(state=BlacklistState.EXITED,
                                              exited_on=F("planned_exit_date")).count(),
        inspections=inspections,
        actors_created=len(actors.created),
    )

