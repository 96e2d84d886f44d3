"""Demo hazards: a deterministic history of inspections and hazards, replayed through the real services.

`generate()` is pure: from the demo enterprises, a count, a seed and a day it plans every hazard's
story (who found it, when, how it was confirmed, rectified, verified, listed) as dated steps; a few
are found on a city's or the province's 暗访, most of them published, some still embargoed.
`install()` replays the steps through `benan.hazards.services` under `core.clock.as_of`, so every
rule, notification and audit entry is the real one, and hazards confirmed weeks ago are overdue now.
Imports from core, enterprises, standards and hazards.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone
from faker import Faker

from benan.core import audit, clock
from benan.core.attachments import store
from benan.core.models import Region, Role, User
from benan.enterprises.models import Enterprise, Sector, Status
from benan.hazards import services
from benan.hazards.models import Grade, Hazard, HazardState, Inspection, Listing, ListingState, Source
from benan.hazards.queries import overdue_q
from benan.standards import engine

WUHOU, JINJIANG, CHENGDU, SICHUAN = "510107", "510104", "510100", "510000"
# The demo logins that act in the story; everyone else is a system-like actor made here.
COUNTY_INSPECTORS = {WUHOU: "wuhou-inspector", JINJIANG: "jinjiang-inspector"}
CITY_OFFICES = {CHENGDU: "cd-office"}
PROVINCE_OFFICE = "sc-office"
DEMO_ENTERPRISE_USER = "ent-wuhou"

# Actor keys of a step, resolved to users by install() from the hazard's county.
ENTERPRISE, INSPECTOR, OFFICE, PROVINCE = "enterprise", "inspector", "office", "province"
# How a hazard was found.
SELF_REPORT = "self_report"  # the enterprise reports what it found itself
SELF_INSPECTION = "self_inspection"  # the enterprise runs the official checklist on itself
INSPECTION = "inspection"  # a department inspection with the checklist
DEPARTMENT_REPORT = "department_report"  # an inspector records a finding without a checklist
OVERDUE = "overdue"  # a planned state: rectifying, past its deadline

# Shares of the states of a hazard, roughly a province's ledger over half a year.
STATE_WEIGHTS = {
    HazardState.REPORTED: 12.0, HazardState.RECTIFYING: 17.0, OVERDUE: 8.0,
    HazardState.SUBMITTED: 10.0, HazardState.CLOSED: 45.0, HazardState.DISMISSED: 8.0,
}
MAJOR_SHARE = 0.14
LISTED_SHARE = 0.45  # of confirmed major hazards
PROVINCE_LISTED_SHARE = 0.3  # of listings; the rest by the city's safety office
DELISTED_SHARE = 0.8  # of closed listed hazards; the others wait for the office to delist
REJECTED_SHARE = 0.15  # of submitted rectifications returned once before the story's end
ENTERPRISE_CONFIRMS_SHARE = 0.25  # of self-found general hazards, confirmed by the enterprise itself
MAJOR_ORIGINS = {INSPECTION: 50.0, SELF_INSPECTION: 15.0, DEPARTMENT_REPORT: 20.0, SELF_REPORT: 15.0}
GENERAL_ORIGINS = {SELF_REPORT: 40.0, INSPECTION: 30.0, DEPARTMENT_REPORT: 25.0, SELF_INSPECTION: 5.0}
# What a county's or city's inspectors find (unannounced inspections are planned apart, below:
# they are made by an office above the county, and embargoed until it publishes them).
GOVERNMENT_SOURCES = {Source.DEPARTMENT: 75.0, Source.SUPERVISION: 25.0}
UNANNOUNCED_SHARE = 0.12  # of government checklist inspections: a 暗访 by the city or the province
PROVINCE_UNANNOUNCED_SHARE = 0.3  # of those, by the province's office; the rest by the city's
EMBARGOED_SHARE = 0.6  # of 暗访 whose hazards still wait for confirmation: not yet published
# High-risk sectors are inspected more, so they carry more hazards.
SECTOR_WEIGHTS = {
    Sector.HAZARDOUS_CHEMICALS: 3.0, Sector.NON_COAL_MINING: 3.0, Sector.COAL_MINING: 3.0,
    Sector.FIREWORKS: 3.0, Sector.METALLURGY: 2.0, Sector.NONFERROUS: 2.0,
}
GENERAL_DEADLINES = (7, 10, 15, 15, 30, 30, 45, 60)
MAJOR_DEADLINES = (30, 45, 60, 60, 90)
HISTORY_DAYS = 180  # the oldest hazard was found about half a year ago

# General hazards: (description, location, what the enterprise did), by sector; None = any sector.
GENERAL_FINDINGS: dict[str | None, tuple[tuple[str, str, str], ...]] = {
    None: (
        ("安全出口被货物堵塞，疏散通道宽度不足", "生产车间", "清理安全出口和疏散通道的堆放物，划线禁占"),
        ("灭火器压力不足，部分已超过检验有效期", "仓库", "更换过期灭火器，建立每月检查记录"),
        ("配电箱门未上锁，箱内线路私拉乱接", "配电室", "规范配电箱内接线，加装门锁并张贴警示标识"),
        ("应急照明灯、疏散指示标志损坏不亮", "办公楼", "更换损坏的应急照明灯和疏散指示标志"),
        ("作业人员未按规定佩戴安全帽等劳动防护用品", "生产车间", "补发劳动防护用品，开展班前安全教育"),
        ("全员安全生产责任制未覆盖全部岗位，未开展考核", "安全管理部", "修订全员安全生产责任制并组织考核"),
        ("未按规定开展年度安全生产教育培训，培训档案不全", "安全管理部", "组织补训并完善培训档案"),
        ("生产安全事故应急预案未按规定组织演练", "安全管理部", "组织应急预案演练并形成评估报告"),
        ("机械设备传动部位防护罩缺失", "机加工车间", "加装防护罩并纳入设备日常点检"),
        ("叉车未定期检验，驾驶员未取得特种设备作业人员证", "厂区道路", "叉车送检，驾驶员取证前停止作业"),
        ("电焊作业现场未配备灭火器材，未办理动火审批", "维修车间", "严格执行动火作业审批，现场配备灭火器材"),
        ("有限空间作业场所未设置安全警示标志", "污水处理站", "设置有限空间警示标志，建立有限空间管理台账"),
        ("氧气瓶与乙炔瓶混放，气瓶未采取防倾倒措施", "气瓶存放间", "分区存放气瓶并加装防倾倒链条"),
        ("临时用电线路未穿管保护，沿地面敷设", "仓库", "拆除临时线路，按规范架空敷设"),
        ("货架超高堆放，未设置限高限重标识", "成品仓库", "降低堆垛高度，张贴限高和限重标识"),
        ("安全警示标志缺失、褪色", "厂区", "更新安全警示标志"),
        ("消防水池水位不足，消防泵未定期试运行", "消防泵房", "补足消防水池水位，建立每月试运行记录"),
        ("隐患排查治理台账未及时更新，部分隐患未闭环", "安全管理部", "补录隐患台账，逐项落实整改闭环"),
    ),
    Sector.METALLURGY: (
        ("高炉平台防护栏杆锈蚀，部分缺失", "高炉平台", "更换锈蚀栏杆，补齐缺失段"),
        ("行车吊钩防脱钩装置失效", "炼钢车间", "更换吊钩防脱钩装置，开展起重设备专项检查"),
    ),
    Sector.NONFERROUS: (
        ("电解槽周边绝缘垫破损", "电解车间", "更换破损绝缘垫并定期检测绝缘性能"),
        ("熔炼炉炉前作业区地面有积水痕迹", "熔炼车间", "修复屋面漏点，炉前区域设置防水设施"),
    ),
    Sector.BUILDING_MATERIALS: (
        ("水泥筒仓清库作业未制定专项作业方案", "水泥筒仓", "制定筒仓清库专项方案并组织交底"),
        ("破碎机检修未执行停电挂牌上锁制度", "破碎车间", "落实能量隔离和挂牌上锁制度"),
    ),
    Sector.MACHINERY: (
        ("冲压设备双手操作按钮被短接", "冲压车间", "恢复双手操作按钮功能，对当班人员进行教育"),
        ("喷漆房通风设施运行不正常", "涂装车间", "维修通风设施，每班检查运行记录"),
    ),
    Sector.LIGHT_INDUSTRY: (
        ("车间地面、设备表面积尘未及时清扫", "打磨车间", "建立每班清扫制度并记录"),
        ("除尘器灰斗积灰未定期清理", "除尘系统", "定期清灰并做好记录"),
    ),
    Sector.TEXTILE: (
        ("梳棉机周边棉尘清扫不及时", "梳棉车间", "落实每班清扫制度"),
        ("染整车间蒸汽管道保温层破损", "染整车间", "修复管道保温层，设置防烫警示"),
    ),
    Sector.TOBACCO: (("制丝车间除尘管道积尘", "制丝车间", "清理除尘管道并纳入定期检查"),),
    Sector.COMMERCE: (
        ("营业区疏散通道摆放商品", "营业厅", "清理疏散通道，明确专人巡查"),
        ("冷库门内未设置紧急呼叫装置", "冷库", "在冷库门内安装紧急呼叫装置和内开门装置"),
    ),
    Sector.HAZARDOUS_CHEMICALS: (
        ("储罐区防火堤有孔洞未封堵", "储罐区", "封堵防火堤孔洞并进行闭水试验"),
        ("危险化学品仓库物品未分类存放，超量储存", "危化品仓库", "按禁忌要求分类分区存放，核定储存量"),
        ("装卸作业现场静电接地装置损坏", "装卸区", "更换静电接地装置并定期检测"),
        ("可燃气体检测报警器未按期检定", "生产装置区", "对报警器进行检定并建立检定台账"),
    ),
    Sector.NON_COAL_MINING: (
        ("采场边坡浮石未及时清理", "露天采场", "组织清理边坡浮石，加强边坡巡查"),
        ("尾矿库排洪设施局部淤堵", "尾矿库", "清淤疏通排洪设施，汛前组织专项检查"),
        ("井下避灾路线标识不清", "井下巷道", "重新设置避灾路线标识"),
    ),
    Sector.COAL_MINING: (
        ("运输巷道局部支护变形", "运输巷", "补强支护并加强顶板监测"),
        ("瓦斯检查记录填写不全", "采煤工作面", "规范瓦斯检查记录，严格执行三对口"),
    ),
    Sector.FIREWORKS: (
        ("药物混合工房作业人员超过定员", "药物混合工房", "严格执行工房定员定量，张贴定员牌"),
        ("生产工房防静电设施未定期检测", "生产工房", "检测防静电设施并建立检测台账"),
    ),
}
MAJOR_LOCATIONS: dict[str, tuple[str, ...]] = {
    Sector.METALLURGY: ("炼钢车间", "高炉区域", "煤气柜区域"),
    Sector.NONFERROUS: ("熔炼车间", "电解车间"),
    Sector.BUILDING_MATERIALS: ("窑头平台", "水泥磨房", "煤粉制备车间"),
    Sector.MACHINERY: ("铸造车间", "涂装车间", "热处理车间"),
    Sector.LIGHT_INDUSTRY: ("打磨车间", "制粉车间", "锅炉房"),
    Sector.TEXTILE: ("纺纱车间", "染整车间"),
    Sector.TOBACCO: ("制丝车间", "锅炉房"),
    Sector.COMMERCE: ("冷库", "仓储区"),
    Sector.HAZARDOUS_CHEMICALS: ("生产装置区", "储罐区", "中控室"),
    Sector.NON_COAL_MINING: ("尾矿库", "井下采区", "露天采场"),
    Sector.COAL_MINING: ("采煤工作面", "掘进工作面", "通风系统"),
}
VIOLATION_NOTES = (
    "现场检查发现，已责令立即整改",
    "查阅台账并现场核查确认",
    "企业未能提供相关记录",
    "现场询问作业人员并核对资料确认",
)
PLAN_MEASURES = (
    "立即停止相关区域作业，按判定标准条款逐项整改，整改完成后组织专家复核",
    "制定专项整改方案，更换、增设相关设施，整改期间加强现场监护",
    "委托有资质的单位设计施工，整改期间落实临时管控措施",
)
PLAN_CONTINGENCIES = (
    "制定整改期间专项应急处置方案，现场设置警戒区并安排专人监护",
    "修订现场处置方案，配齐应急物资，整改前组织一次应急演练",
    "落实停产撤人条件，明确应急联络人和报告程序",
)
DISMISS_REASONS = (
    "经现场复核，该问题已在检查当日整改完毕，不构成隐患",
    "与已登记的隐患为同一问题，重复上报",
    "经核实，该场所不属于本企业生产经营场所",
    "现场复核情况与上报内容不符",
)
REJECT_COMMENTS = (
    "整改照片未反映整改后的现场情况，请补充现场照片",
    "整改不彻底，同类问题在其他区域仍然存在",
    "整改措施未落实到制度层面，请补充管理制度和培训记录",
)
VERIFY_COMMENTS = ("现场复核，整改到位，同意销号", "整改资料齐全，现场核查合格", "经复查整改完成，同意验收")
LISTING_COMMENTS = (
    "请企业严格落实治理方案，属地部门每周跟踪督办",
    "限期完成整改，整改期间落实安全防范措施，逾期未完成将依法处理",
)
DELIST_COMMENTS = ("经现场核查整改到位，同意摘牌", "整改验收合格，予以摘牌销号")


@dataclass(frozen=True)
class Step:
    """One move of a hazard's story, at a local wall-clock moment, by an actor key."""

    action: str  # report | inspect | publish | confirm | dismiss | submit | reject | verify | list | delist
    at: datetime  # naive, Asia/Shanghai; made aware by install()
    actor: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoHazard:
    number: int
    uscc: str
    region: str
    sector: str
    origin: str
    source: str
    description: str  # for a checklist violation: the inspector's note (the service writes the text)
    location: str
    grade: str  # "" while a general hazard is unconfirmed
    criterion: str | None
    state: str
    overdue: bool
    listed_by: str | None  # OFFICE or PROVINCE
    delisted: bool
    steps: tuple[Step, ...]
    unannounced_by: str | None = None  # OFFICE or PROVINCE: found on that office's 暗访
    embargoed: bool = False  # the 暗访 is not published: hidden from the enterprise and the county


@dataclass(frozen=True)
class Scenario:
    state: str  # a HazardState or OVERDUE
    grade: str
    origin: str
    listed_by: str | None = None
    delisted: bool = False
    rejected: bool = False
    enterprise_confirms: bool = False
    # A 暗访 (origin INSPECTION) by OFFICE or PROVINCE, published before anything else happens to
    # its hazard, or still embargoed (only a hazard still reported: nothing can move before).
    unannounced_by: str | None = None
    embargoed: bool = False


# ent-wuhou's enterprise: work on every side of the loop for the demo logins.
DEMO_SCENARIOS = (
    Scenario(HazardState.REPORTED, Grade.GENERAL, SELF_REPORT),  # wuhou-inspector confirms it
    Scenario(HazardState.REPORTED, Grade.MAJOR, INSPECTION),  # found on the checklist, awaits the plan
    Scenario(HazardState.RECTIFYING, Grade.GENERAL, DEPARTMENT_REPORT),  # ent-wuhou submits it
    Scenario(OVERDUE, Grade.GENERAL, SELF_REPORT, enterprise_confirms=True),
    Scenario(HazardState.RECTIFYING, Grade.MAJOR, INSPECTION, listed_by=OFFICE),  # cd-office watches it
    Scenario(HazardState.SUBMITTED, Grade.GENERAL, INSPECTION),  # wuhou-inspector verifies it
    Scenario(HazardState.SUBMITTED, Grade.MAJOR, SELF_REPORT, listed_by=PROVINCE),
    Scenario(HazardState.CLOSED, Grade.GENERAL, SELF_REPORT, rejected=True),
    Scenario(HazardState.CLOSED, Grade.MAJOR, INSPECTION, listed_by=OFFICE, delisted=True),
    Scenario(HazardState.CLOSED, Grade.MAJOR, DEPARTMENT_REPORT, listed_by=OFFICE),  # cd-office delists it
    Scenario(HazardState.DISMISSED, Grade.GENERAL, SELF_REPORT),
    # sc-office's 暗访, not published yet: hidden from ent-wuhou, wuhou-inspector and cd-office.
    Scenario(HazardState.REPORTED, Grade.GENERAL, INSPECTION, unannounced_by=PROVINCE, embargoed=True),
    # cd-office's 暗访, not published yet: cd-office (and sc-office) may publish it.
    Scenario(HazardState.REPORTED, Grade.GENERAL, INSPECTION, unannounced_by=OFFICE, embargoed=True),
    # cd-office's 暗访, published: now rectified like any other.
    Scenario(HazardState.RECTIFYING, Grade.GENERAL, INSPECTION, unannounced_by=OFFICE),
)


def _weighted(rng: random.Random, weights: Mapping):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _criteria(sector: str) -> list[engine.CriterionData]:
    return engine.applicable_criteria(sector)


def random_scenario(rng: random.Random, has_criteria: bool) -> Scenario:
    state = _weighted(rng, STATE_WEIGHTS)
    major = has_criteria and state != HazardState.DISMISSED and rng.random() < MAJOR_SHARE
    grade = Grade.MAJOR if major else Grade.GENERAL
    origin = _weighted(rng, MAJOR_ORIGINS if major else GENERAL_ORIGINS)
    if state == HazardState.DISMISSED:
        # What an inspector declines is what others reported, not their own checklist finding.
        origin = _weighted(rng, {SELF_REPORT: 70.0, DEPARTMENT_REPORT: 30.0})
    listed_by = delisted = None
    if major and state != HazardState.REPORTED and rng.random() < LISTED_SHARE:
        listed_by = PROVINCE if rng.random() < PROVINCE_LISTED_SHARE else OFFICE
        delisted = state == HazardState.CLOSED and rng.random() < DELISTED_SHARE
    rejected = state in (HazardState.RECTIFYING, HazardState.CLOSED) and rng.random() < REJECTED_SHARE
    enterprise_confirms = (
        not major and origin == SELF_REPORT and state not in (HazardState.REPORTED, HazardState.DISMISSED)
        and rng.random() < ENTERPRISE_CONFIRMS_SHARE
    )
    unannounced_by, embargoed = None, False
    if origin == INSPECTION and rng.random() < UNANNOUNCED_SHARE:
        unannounced_by = PROVINCE if rng.random() < PROVINCE_UNANNOUNCED_SHARE else OFFICE
        embargoed = state == HazardState.REPORTED and rng.random() < EMBARGOED_SHARE
    return Scenario(state, grade, origin, listed_by, bool(delisted), rejected, enterprise_confirms,
                    unannounced_by, embargoed)


class _Story:
    """Dated steps of one hazard; each new step is at or after the previous one."""

    def __init__(self, rng: random.Random):
        self.rng, self.steps, self.last = rng, [], None

    def add(self, action: str, day: date, actor: str, **data) -> None:
        at = datetime.combine(day, time(8, 30)) + timedelta(minutes=self.rng.randrange(540))
        if self.last is not None and at <= self.last:
            at = self.last + timedelta(minutes=self.rng.randint(1, 20))
        self.last = at
        self.steps.append(Step(action, at, actor, data))


def _image(number: int, kind: str) -> dict:
    """A step's photo, named by what it shows; install() draws it (see png)."""
    return {"image": f"{kind}-{number}"}


def _plan(rng: random.Random, row: Mapping, due: date) -> dict:
    return {
        "measures": rng.choice(PLAN_MEASURES),
        "responsibility": f"主要负责人{row['legal_representative']}，具体负责人{row['safety_contact']}",
        "funding": f"{rng.randint(3, 120)}万元，企业自筹",
        "deadline": f"{due:%Y-%m-%d}前完成",
        "contingency": rng.choice(PLAN_CONTINGENCIES),
    }


def _story(rng: random.Random, fake: Faker, number: int, row: Mapping, scenario: Scenario,
           today: date) -> DemoHazard:
    sector, state = row["sector"], scenario.state
    major = scenario.grade == Grade.MAJOR
    day = timedelta(days=1)
    deadline = timedelta(days=rng.choice(MAJOR_DEADLINES if major else GENERAL_DEADLINES))
    submits, reject_day = [], None
    # Days are laid out backwards from the state the story ends in; every step is before today,
    # so that replaying it never asks the services for a moment in the future.
    if state == HazardState.REPORTED:
        found = today - timedelta(days=rng.randint(1, 12))
        confirmed = due = None
    elif state == HazardState.DISMISSED:
        found = today - timedelta(days=rng.randint(4, HISTORY_DAYS))
        confirmed = due = None
    elif state == OVERDUE:
        due = today - timedelta(days=rng.randint(1, 45))
        confirmed = due - deadline
    elif state == HazardState.RECTIFYING:
        confirmed = today - timedelta(days=rng.randint(4 if scenario.rejected else 1, 40))
        due = max(confirmed + deadline, today + timedelta(days=rng.randint(3, 30)))
        if scenario.rejected:
            reject_day = today - timedelta(days=rng.randint(1, (today - confirmed).days - 2))
            submits = [reject_day - timedelta(days=rng.randint(1, (reject_day - confirmed).days - 1))]
    elif state == HazardState.SUBMITTED:
        confirmed = today - timedelta(days=rng.randint(3, 60))
        due = confirmed + deadline
        room = min(deadline.days, (today - confirmed).days - 1)
        submits = [confirmed + timedelta(days=rng.randint(1, room))]
    else:  # closed: from the verification back
        verified = today - timedelta(days=rng.randint(1, HISTORY_DAYS - 20))
        last = verified - timedelta(days=rng.randint(1, 7))
        submits = [last]
        if scenario.rejected:
            reject_day = last - timedelta(days=rng.randint(2, 10))
            submits.insert(0, reject_day - timedelta(days=rng.randint(1, 3)))
        confirmed = submits[0] - timedelta(days=rng.randint(1, deadline.days))
        due = confirmed + deadline
    if confirmed is not None:
        found = confirmed - timedelta(days=rng.randint(0, 3))

    origin = scenario.origin
    enterprise_side = origin in (SELF_REPORT, SELF_INSPECTION)
    if scenario.unannounced_by:
        source, finder = Source.UNANNOUNCED, scenario.unannounced_by
    else:
        source = Source.SELF if enterprise_side else _weighted(rng, GOVERNMENT_SOURCES)
        finder = ENTERPRISE if enterprise_side else INSPECTOR
    criteria = _criteria(sector)
    criterion = None
    if major:
        # The sector's own articles first: a 冶金 plant is judged on 冶金 items more than on general ones.
        criterion = rng.choices(criteria, weights=[3.0 if len(c.sectors) == 1 else 1.0 for c in criteria])[0]
        location = rng.choice(MAJOR_LOCATIONS[sector])
        text = criterion.text.removesuffix("的")
        description = {
            SELF_REPORT: f"自查发现：{text}",
            DEPARTMENT_REPORT: f"检查发现：{text}",
        }.get(origin, rng.choice(VIOLATION_NOTES))
        plan = _plan(rng, row, due) if due is not None else None
        measure = plan["measures"] if plan else ""
    else:
        description, location, measure = rng.choice(GENERAL_FINDINGS[None] + GENERAL_FINDINGS.get(sector, ()))

    story = _Story(rng)
    if origin in (SELF_REPORT, DEPARTMENT_REPORT):
        story.add("report", found, finder, description=description, location=location, source=source)
    else:
        story.add("inspect", found, finder, source=source, **_checklist(
            rng, fake, row, criteria, criterion, description, location, finder, number))
    if scenario.unannounced_by and not scenario.embargoed:
        # Published before the county confirms (or, still reported, before today).
        until = confirmed if confirmed is not None else today - day
        story.add("publish", found + timedelta(days=rng.randint(0, max((until - found).days, 0))), finder)
    if state == HazardState.DISMISSED:
        dismissed = found + timedelta(days=rng.randint(0, 3))
        story.add("dismiss", dismissed, INSPECTOR, reason=rng.choice(DISMISS_REASONS))
    if confirmed is not None:
        confirm = {"grade": scenario.grade, "due_date": due}
        if major:
            confirm.update(criterion=criterion.id, plan=plan)
        story.add("confirm", confirmed, ENTERPRISE if scenario.enterprise_confirms else INSPECTOR, **confirm)
    listed_on = None
    if scenario.listed_by:
        # Listed while being rectified: between the confirmation and the first submission (or today).
        latest = (submits[0] if submits else min(due, today - day)) - confirmed
        listed_on = confirmed + timedelta(days=rng.randint(0, max(latest.days, 0)))
        listing_due = max(due, listed_on + timedelta(days=30))
        if state == OVERDUE:
            listing_due = due  # the listing's deadline has passed too
            listed_on = min(listed_on, due)
    steps_after = []
    for n, submitted in enumerate(submits):
        steps_after.append((submitted, "submit", ENTERPRISE, {
            "description": f"已按整改要求完成：{measure}。附整改后现场照片。",
            **_image(number, f"evidence{n + 1}"),
        }))
    if reject_day is not None:
        steps_after.append((reject_day, "reject", INSPECTOR, {"comment": rng.choice(REJECT_COMMENTS)}))
    if state == HazardState.CLOSED:
        steps_after.append((verified, "verify", INSPECTOR, {"comment": rng.choice(VERIFY_COMMENTS)}))
        if scenario.delisted:
            delist_day = min(verified + timedelta(days=rng.randint(0, 10)), today - day)
            comment = rng.choice(DELIST_COMMENTS)
            steps_after.append((delist_day, "delist", scenario.listed_by, {"comment": comment}))
    if listed_on is not None:
        steps_after.append((listed_on, "list", scenario.listed_by, {
            "due_date": listing_due, "comment": rng.choice(LISTING_COMMENTS),
        }))
    # Stable: on the same day the listing (added last) still follows the confirmation, and the
    # submission/rejection/verification keep their order.
    order = {"list": 0, "submit": 1, "reject": 2, "verify": 3, "delist": 4}
    for on, action, actor, data in sorted(steps_after, key=lambda s: (s[0], order[s[1]])):
        story.add(action, on, actor, **data)

    final = HazardState.RECTIFYING if state == OVERDUE else state
    # A checklist violation is major from the start; anything else has its grade once confirmed.
    graded = confirmed is not None or (major and origin in (INSPECTION, SELF_INSPECTION))
    return DemoHazard(
        number=number, uscc=row["uscc"], region=row["region_code"], sector=sector, origin=origin,
        source=source, description=description, location=location,
        grade=scenario.grade if graded else "",
        criterion=criterion.id if criterion and graded else None, state=final, overdue=state == OVERDUE,
        listed_by=scenario.listed_by, delisted=scenario.delisted, steps=tuple(story.steps),
        unannounced_by=scenario.unannounced_by, embargoed=scenario.embargoed,
    )


def _checklist(rng, fake, row, criteria, criterion, description, location, finder, number) -> dict:
    """An inspection's checklist answers (one 不符合 for a major hazard) or a free finding."""
    data: dict = {
        "inspectors": row["safety_contact"] if finder == ENTERPRISE else f"{fake.name()}、{fake.name()}",
        "answers": (), "findings": (), "standard": None,
    }
    if criteria:
        standard = criterion.standard_id if criterion else criteria[0].standard_id
        pool = [c for c in criteria if c.standard_id == standard and c != criterion]
        asked = rng.sample(pool, min(len(pool), rng.randint(5, 10)))
        answers = [(c.id, "not_applicable" if rng.random() < 0.2 else "complies", "") for c in asked]
        if criterion is not None:
            answers.insert(rng.randint(0, len(answers)), (criterion.id, "violates", description))
        order = {c.id: c.order for c in criteria}
        data["answers"] = tuple(sorted(answers, key=lambda a: order[a[0]]))
        data["standard"] = standard
        if criterion is not None:
            data.update(_image(number, "scene"))  # a photo of the violation
    if criterion is None:
        data["findings"] = ((description, location),)
    return data


def eligible(row) -> bool:
    """Enterprises that produce (or are ordered to stop and rectify) have hazards; closed ones not."""
    return row.periods[-1][0] in (Status.NORMAL, Status.SUSPENDED)


# Each hazard's story is replayed through the services (about 16 ms a hazard on SQLite), so a
# province-sized demo stops here by default; --hazards asks for more.
MAX_DEFAULT = 5000


def default_count(enterprises: int) -> int:
    """One hazard per two enterprises, at most MAX_DEFAULT."""
    return min(enterprises // 2, MAX_DEFAULT)


def generate(
    rows: Sequence,
    n: int,
    seed: int,
    *,
    today: date,
    regions: Mapping[str, Region],
    demo_uscc: str | None = None,
) -> list[DemoHazard]:
    """`n` planned hazards over the enterprises `rows` (NewEnterprise), with stories ending before
    `today`. The demo enterprise (`demo_uscc`, default: the first of 武侯区 by name, as the demo
    account's) gets one hazard of each kind; then every city gets one; then weighted at random."""
    if n < 0:
        raise ValueError("n must not be negative")
    fake = Faker("zh_CN")
    fake.seed_instance(f"{seed}-hazards")
    rng = fake.random
    candidates = [r.data for r in rows if eligible(r)]
    if not candidates or not n:
        return []
    wuhou = sorted((r for r in candidates if r["region_code"] == WUHOU), key=lambda r: r["name"])
    demo = next((r for r in wuhou if r["uscc"] == demo_uscc), wuhou[0] if wuhou else None)
    chosen: list[tuple[Mapping, Scenario]] = []
    if demo is not None:
        # Major scenarios need a sector with a checklist; if the demo enterprise has none, another
        # 武侯 enterprise (in wuhou-inspector's county too) takes them.
        judged = next((r for r in [demo, *wuhou] if _criteria(r["sector"])), demo)
        for scenario in DEMO_SCENARIOS:
            target = demo if scenario.grade == Grade.GENERAL or _criteria(demo["sector"]) else judged
            if scenario.grade == Grade.MAJOR and not _criteria(target["sector"]):
                origin = SELF_REPORT if scenario.origin == SELF_REPORT else DEPARTMENT_REPORT
                scenario = Scenario(scenario.state, Grade.GENERAL, origin, rejected=scenario.rejected)
            chosen.append((target, scenario))
    cities = sorted({regions[r["region_code"]].parent_id for r in candidates})
    covered = {regions[r["region_code"]].parent_id for r, _ in chosen}
    for city in cities:
        if city not in covered:
            in_city = [r for r in candidates if regions[r["region_code"]].parent_id == city]
            row = rng.choice(in_city)
            chosen.append((row, random_scenario(rng, bool(_criteria(row["sector"])))))
    weights = [SECTOR_WEIGHTS.get(r["sector"], 1.0) for r in candidates]
    while len(chosen) < n:
        row = rng.choices(candidates, weights=weights)[0]
        chosen.append((row, random_scenario(rng, bool(_criteria(row["sector"])))))
    return [_story(rng, fake, number, row, scenario, today)
            for number, (row, scenario) in enumerate(chosen[:n], start=1)]


# -- writing -------------------------------------------------------------------------------------


def png(width: int, height: int, seed: str) -> bytes:
    """A small valid PNG (RGB stripes whose colours depend on `seed`): real evidence, unique bytes."""
    raw = seed.encode("utf-8")
    colours = zlib.crc32(raw).to_bytes(4, "big") + zlib.adler32(raw).to_bytes(4, "big")
    rows = []
    for y in range(height):
        band = colours[(y * 4 // height) % 6:(y * 4 // height) % 6 + 3]
        rows.append(b"\x00" + bytes(band) * width)  # filter byte 0, then RGB pixels

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


@dataclass(frozen=True)
class HazardResult:
    hazards: int
    states: dict[str, int]
    overdue: int
    major: int
    listed: int
    delisted: int
    inspections: int
    actors_created: int


class _Actors:
    """The users who act in the stories: the demo logins where they are in scope, otherwise
    system-like accounts (no usable password) made here once: `inspector-<city>`, `office-<city>`,
    `ent-<uscc>`."""

    def __init__(self, regions: Mapping[str, Region]):
        self.regions = regions
        self.users = {u.username: u for u in User.objects.select_related("region", "enterprise")}
        self.created: list[User] = []

    def _make(self, username: str, role: str, *, region=None, enterprise=None, last="", first="") -> User:
        user = self.users.get(username)
        if user is not None:
            return user
        user = User(username=username, role=role, region=region, enterprise=enterprise,
                    last_name=last, first_name=first)
        user.set_unusable_password()  # nobody logs in as them: they only give the story in-scope actors
        user.full_clean(exclude=["password"])
        user.save()
        # Not "demo.user.created": that marks the demo logins, which stay the eight listed.
        audit.record(None, "demo.actor.created", user, username=user.username, role=user.role,
                     region_code=user.region_id, enterprise_id=user.enterprise_id)
        self.users[username] = user
        self.created.append(user)
        return user

    def get(self, key: str, county: str, enterprise: Enterprise, demo_enterprise_id: int | None) -> User:
        city = self.regions[self.regions[county].parent_id]
        if key == ENTERPRISE:
            if enterprise.pk == demo_enterprise_id:
                return self.users[DEMO_ENTERPRISE_USER]
            contact = enterprise.safety_contact or enterprise.name
            return self._make(f"ent-{enterprise.uscc}", Role.ENTERPRISE, enterprise=enterprise,
                              last=contact[:1], first=contact[1:])
        if key == INSPECTOR:
            if county in COUNTY_INSPECTORS:
                return self.users[COUNTY_INSPECTORS[county]]
            return self._make(
                f"inspector-{city.code}", Role.INSPECTOR, region=city, first=f"{city.name}执法人员"
            )
        if key == OFFICE:
            if city.code in CITY_OFFICES:
                return self.users[CITY_OFFICES[city.code]]
            return self._make(
                f"office-{city.code}", Role.SAFETY_OFFICE, region=city, first=f"{city.name}安委办"
            )
        return self.users[PROVINCE_OFFICE]


def _moment(at: datetime) -> datetime:
    return timezone.make_aware(at)


def _upload(actor, name: str, seed: str):
    content = png(32, 24, seed)
    return store(actor=actor, upload=SimpleUploadedFile(name, content, "image/png"))


def _inspect(user, hazard, plan, step, enterprise):
    data = step.data
    photos = ()
    if "image" in data:
        photos = (_upload(user, f"现场照片-{plan.number}.png", data["image"]).pk,)
    inspection = services.record_inspection(
        actor=user, enterprise=enterprise, source=data["source"], day=step.at.date(),
        inspectors=data["inspectors"], standard_id=data["standard"],
        answers=[services.AnswerIn(c, answer, note, photos if answer == "violates" else ())
                 for c, answer, note in data["answers"]],
        findings=[services.FindingIn(text, where) for text, where in data["findings"]],
    )
    return inspection.hazards.get()


def _submit(user, hazard, plan, step, enterprise):
    evidence = _upload(user, f"整改后-{plan.number}.png", step.data["image"])
    return services.submit_rectification(
        actor=user, hazard=hazard, description=step.data["description"], attachment_ids=[evidence.pk]
    )


def _confirm(user, hazard, plan, step, enterprise):
    data = step.data
    return services.confirm_hazard(
        actor=user, hazard=hazard, grade=data["grade"], due_date=data["due_date"],
        criterion_id=data.get("criterion"), plan=data.get("plan"),
    )


def _list(user, hazard, plan, step, enterprise):
    data = step.data
    services.list_hazard(actor=user, hazard=hazard, due_date=data["due_date"], comment=data["comment"])
    return hazard


def _publish(user, hazard, plan, step, enterprise):
    services.publish_inspection(actor=user, inspection=hazard.inspection)
    hazard.refresh_from_db()
    return hazard


def _delist(user, hazard, plan, step, enterprise):
    services.delist_hazard(actor=user, hazard=hazard, comment=step.data["comment"])
    return hazard


# Each step calls the service a user would reach through the page or the API; returns the hazard.
ACTIONS = {
    "report": lambda user, hazard, plan, step, enterprise: services.report_hazard(
        actor=user, enterprise=enterprise, description=step.data["description"],
        location=step.data["location"], source=step.data["source"],
    ),
    "inspect": _inspect,
    "publish": _publish,
    "confirm": _confirm,
    "dismiss": lambda user, hazard, plan, step, enterprise: services.dismiss_hazard(
        actor=user, hazard=hazard, reason=step.data["reason"]
    ),
    "submit": _submit,
    "reject": lambda user, hazard, plan, step, enterprise: services.reject_rectification(
        actor=user, hazard=hazard, comment=step.data["comment"]
    ),
    "verify": lambda user, hazard, plan, step, enterprise: services.verify_hazard(
        actor=user, hazard=hazard, comment=step.data["comment"]
    ),
    "list": _list,
    "delist": _delist,
}


def _replay(plan: DemoHazard, enterprise: Enterprise, actor: Callable[[str], User]) -> Hazard:
    hazard = None
    for step in plan.steps:
        with clock.as_of(_moment(step.at)):
            hazard = ACTIONS[step.action](actor(step.actor), hazard, plan, step, enterprise)
    return hazard


def install(
    *,
    rows: Sequence,
    n: int,
    seed: int,
    regions: Mapping[str, Region],
    progress: Callable[[int], None] | None = None,
) -> HazardResult:
    """Plan `n` hazards over the demo enterprises and replay them through the services; then run
    the overdue sweep once, as the daily job would. Call inside the demo's transaction."""
    today = clock.today()
    demo_user = User.objects.filter(username=DEMO_ENTERPRISE_USER).select_related("enterprise").first()
    demo_enterprise = demo_user.enterprise if demo_user and demo_user.enterprise_id else None
    plan = generate(rows, n, seed, today=today, regions=regions,
                    demo_uscc=demo_enterprise.uscc if demo_enterprise else None)
    enterprises = Enterprise.objects.in_bulk([p.uscc for p in plan], field_name="uscc")
    actors = _Actors(regions)
    demo_id = demo_enterprise.pk if demo_enterprise else None
    for item in plan:
        enterprise = enterprises[item.uscc]
        _replay(item, enterprise, lambda key, e=enterprise: actors.get(key, e.region_id, e, demo_id))
        if progress is not None:
            progress(1)
    services.sweep_overdue()
    hazards = Hazard.objects.all()
    listings = Counter(dict(Listing.objects.values_list("state").annotate(n=Count("id"))))
    return HazardResult(
        hazards=hazards.count(),
        states=dict(hazards.values_list("state").annotate(n=Count("id"))),
        overdue=hazards.filter(overdue_q(today)).count(),
        major=hazards.filter(grade=Grade.MAJOR).count(),
        listed=listings[ListingState.LISTED],
        delisted=listings[ListingState.DELISTED],
        inspections=Inspection.objects.count(),
        actors_created=len(actors.created),
    )
