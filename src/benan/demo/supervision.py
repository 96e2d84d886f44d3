"""Demo supervised assignments (督办交办), written through `benan.supervision.assignments` like real use.

`plan()` is pure: from the region table, a number of assignments, a seed and a day it lays out the
showcase (the province's safety office to several cities, 成都市's to its counties) and, for larger
demos, more of the same, each with dated steps: progress reports, completions, returns, acceptances
and one cancelled assignment, so that every target state is on the board, 武侯区 has one overdue
target and one due this week. `install()` replays the steps under `core.clock.as_of` as `sc-office`
and `cd-office` (issuing, accepting, returning, cancelling) and the receiving regions' users
(`wuhou-inspector`, `jinjiang-inspector`, `cd-office` for 成都市, otherwise non-login `office-<code>`
accounts), then runs the sweep once, as the daily job would.
Imports from core, supervision and demo.hazards / demo.accidents (their helper accounts).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone

from benan.core import clock
from benan.core.attachments import store
from benan.core.models import Region, RegionLevel, Role, User
from benan.supervision import assignments as services
from benan.supervision.assignment_queries import overdue_q
from benan.supervision.models import (
    TARGET_OPEN,
    Assignment,
    AssignmentState,
    AssignmentTarget,
    ProgressReport,
    ReportKind,
    TargetState,
)

from . import accidents as demo_accidents
from . import hazards as demo_hazards

WUHOU, JINJIANG, CHENGDU = demo_hazards.WUHOU, demo_hazards.JINJIANG, demo_hazards.CHENGDU
PROVINCE_OFFICE, CITY_OFFICE = demo_hazards.PROVINCE_OFFICE, "cd-office"
# Assignments. A demo with hazards gets the showcase and a few more as it grows. Below
# MIN_DEFAULT_ENTERPRISES none by default: the other modules' tests run small demos (300 and fewer)
# that check their own helper accounts (the counties' offices made here are county-level) and need
# no assignments; the supervision tests' demo of 400 gets them, for the weekly sheet.
MIN_DEFAULT, MAX_DEFAULT, MIN_DEFAULT_ENTERPRISES = 8, 20, 400
ENTERPRISES_PER_ASSIGNMENT = 1000
AFTER_SUBMIT_DAYS = 12  # the issuer returns or accepts within this many days of a completion report

# What happens to a target: its state after the replay, by the steps that lead there.
ASSIGNED, IN_PROGRESS, SUBMITTED, ACCEPTED = "assigned", "in_progress", "submitted", "accepted"
RETURNED = "returned"  # submitted, sent back, in progress again
REWORKED = "reworked"  # submitted, sent back, submitted again and accepted
FATE_STATES = {
    ASSIGNED: TargetState.ASSIGNED,
    IN_PROGRESS: TargetState.IN_PROGRESS,
    SUBMITTED: TargetState.SUBMITTED,
    ACCEPTED: TargetState.ACCEPTED,
    RETURNED: TargetState.IN_PROGRESS,
    REWORKED: TargetState.ACCEPTED,
}
REPORT, SUBMIT, RETURN, ACCEPT, CANCEL = "report", "submit", "return", "accept", "cancel"
THIS_WEEK = "this_week"  # a deadline in the current week, not before today


@dataclass(frozen=True)
class Topic:
    """An assignment's words. Placeholders: {region} (the receiving region), {due}, and the figures of
    `_figures`: {n} {half} {most} {major} {major_fixed} {general} {fixed} {found} {early} {rate} {cases}
    {fine} (half-way reports say {half}, {found} and {early}; the completion {n}, {general} and {fixed})."""

    title: str
    requirements: str
    progress: tuple[str, str, str]  # the first, second and third progress report
    completion: str
    returned: str  # why the issuer sends a completion back
    redo: str  # the progress report after a return
    accepted: str


@dataclass(frozen=True)
class Spec:
    by: str  # the issuing office's demo login
    topic: Topic
    issued: int  # days from today (negative)
    due: int | str  # days from today, or THIS_WEEK
    targets: tuple[tuple[str, str], ...]  # (region code, fate)
    cancelled: int | None = None  # the day the issuer withdrew it (days from today)
    cancel_reason: str = ""


@dataclass(frozen=True)
class Step:
    at: datetime  # local time, naive
    action: str  # REPORT, SUBMIT, RETURN, ACCEPT or CANCEL
    region: str  # the target's region; "" for the assignment's cancel
    text: str  # the report, the reason or the comment
    photo: bool = False  # a completion report with a photo


@dataclass(frozen=True)
class TargetPlan:
    region: str
    fate: str
    state: str  # what the replay leaves it in


@dataclass(frozen=True)
class AssignmentPlan:
    number: int
    by: str
    title: str
    requirements: str
    issued_at: datetime  # local time, naive
    due_date: date
    targets: tuple[TargetPlan, ...]
    steps: tuple[Step, ...]  # in time order
    state: str  # the assignment's state after the replay


# -- the words -------------------------------------------------------------------------------------

CONFINED_SPACES = Topic(
    "有限空间作业专项整治",
    "针对近期工贸行业有限空间作业中毒窒息事故多发的情况，在全市开展有限空间作业专项整治：一、{due}前完成"
    "辖区涉及有限空间作业的工贸企业全覆盖摸排，建立有限空间管理台账；二、督促企业落实“先通风、再检测、"
    "后作业”要求，配备气体检测报警仪、通风设备和救援器材，严禁盲目施救；三、对未经审批作业、未安排监护"
    "人员等违法行为依法查处；四、每周五前报送工作进展，办结时报送整治情况统计表。",
    (
        "已召开专题部署会，印发{region}有限空间作业专项整治实施方案，摸排涉及有限空间作业的工贸企业{n}家，"
        "建立管理台账。",
        "已现场检查企业{half}家，发现问题隐患{found}处，其中未配备气体检测报警仪{major}家，已责令限期整改。",
        "已检查企业{most}家，累计整改隐患{fixed}处；组织企业负责人和作业监护人员专题培训{cases}场。",
    ),
    "专项整治已完成：摸排检查涉及有限空间作业的企业{n}家，发现问题隐患{general}处，已整改{fixed}处，"
    "整改率{rate}%；立案查处{cases}起，罚款{fine}万元。整治情况统计表和现场照片见附件。",
    "统计表中部分企业的检查记录缺少气体检测数据，立案查处情况未附处罚决定书，请补充后重新报送。",
    "已按退回意见补充{half}家企业的气体检测记录和处罚决定书，正在复核统计表。",
    "摸排全覆盖，整改台账完整，同意办结。",
)
GAS = Topic(
    "燃气安全专项整治",
    "深入开展城镇燃气安全专项整治：一、对辖区餐饮等公共场所燃气使用情况开展全覆盖检查，重点检查燃气泄漏"
    "报警装置安装、连接软管老化、违规存放液化石油气钢瓶等问题；二、督促燃气经营企业落实入户安检责任；"
    "三、发现的重大事故隐患一律挂牌督办；四、{due}前报送整治情况。",
    (
        "已组织街道、市场监管、城管等部门联合检查，摸排餐饮等燃气用户{n}户，建立问题清单。",
        "已检查{half}户，发现隐患{found}处，以未安装燃气泄漏报警装置、连接软管老化为主，当场整改{early}处，"
        "其余限期整改。",
        "已检查{most}户，查扣违规存放的液化石油气钢瓶{cases}只，约谈燃气经营企业{major}家。",
    ),
    "专项整治已完成：检查燃气用户{n}户，发现隐患{general}处，已整改{fixed}处，整改率{rate}%；"
    "查处违法行为{cases}起，罚款{fine}万元。",
    "未报送燃气经营企业入户安检落实情况，重大事故隐患挂牌督办清单不完整，请补充。",
    "已补报燃气经营企业入户安检落实情况和挂牌督办清单，相关材料正在汇总。",
    "检查覆盖面广，问题整改到位，同意办结。",
)
FLOOD_SEASON = Topic(
    "汛期安全生产大检查",
    "进入主汛期，全省强降雨过程频繁。各市（州）要立即组织开展汛期安全生产大检查：一、重点检查尾矿库、"
    "矿山、危险化学品企业和在建工程的防汛措施和应急准备；二、对地质灾害隐患点周边企业逐一排查，落实"
    "撤人避险措施；三、严格执行汛期24小时值班值守和信息报送制度；四、{due}前报送检查情况。",
    (
        "已召开全市汛期安全生产工作会议部署大检查，组织{cases}个检查组分赴各区县。",
        "已检查尾矿库、矿山、危化品企业和在建工程{half}处，发现隐患{found}处，已整改{early}处；"
        "落实撤人避险企业{major}家。",
        "大检查持续推进，已检查{most}处，对{major}家防汛措施不落实的企业责令停产整改。",
    ),
    "汛期安全生产大检查已完成：检查尾矿库、矿山、危化品企业和在建工程{n}处，发现隐患{general}处，"
    "已整改{fixed}处，整改率{rate}%；责令停产整改{major}家。",
    "报送情况未按尾矿库、矿山、危化品企业和在建工程分类统计，撤人避险落实情况不明确，请补充后重新报送。",
    "已按退回意见补充分类统计表和撤人避险落实情况，正在复核。",
    "检查覆盖重点行业领域，防汛措施落实，同意办结。",
)
POWER_DATA = Topic(
    "危化品企业电力数据核查",
    "电力助应急数据分析显示，部分危险化学品企业有“明停暗开”“边建边开”嫌疑。各市（州）要对预警线索"
    "逐一核查：一、{due}前完成辖区危险化学品企业电力预警线索现场核查，查明停产整顿企业是否违规生产；"
    "二、核查属实的依法立案查处，涉嫌犯罪的移送司法机关；三、核查结果逐条反馈至电力数据预警平台。",
    (
        "已梳理电力数据预警线索{cases}条，逐条制定现场核查计划。",
        "已完成部分线索现场核查，调取用电记录和生产台账，其中1家企业停产整顿期间夜间违规生产，已立案调查。",
        "其余线索核查进行中，已核查完毕的线索已逐条反馈至电力数据预警平台。",
    ),
    "核查已完成：电力预警线索{cases}条全部核查完毕；核查属实1条，已立案查处并责令停产整顿，罚款{fine}万元；"
    "其余系设备调试、检修用电，已逐条反馈。",
    "核查结论缺少现场照片和用电记录佐证，立案查处情况未附立案审批表，请补充。",
    "已补充现场核查照片、用电记录和立案审批表。",
    "线索逐条核查，结论有据，同意办结。",
)
TAILINGS = Topic(
    "尾矿库安全风险隐患排查",
    "对辖区在用、停用尾矿库开展安全风险隐患排查，重点检查排洪设施、坝体稳定和在线监测系统运行情况，"
    "汛前完成应急演练，{due}前报送排查结果。",
    (
        "已对辖区尾矿库{cases}座开展排查，重点检查排洪设施和在线监测系统运行情况。",
        "已排查尾矿库{cases}座，发现隐患{found}处，其中在线监测数据中断{major}处，已责令限期整改。",
        "已整改隐患{fixed}处，组织尾矿库企业开展溃坝应急演练{major}次。",
    ),
    "排查已完成：排查尾矿库{cases}座，发现隐患{general}处，已整改{fixed}处，整改率{rate}%。",
    "未附尾矿库在线监测系统运行情况统计，请补充。",
    "已补充在线监测系统运行情况统计表。",
    "排查全面，同意办结。",
)
MAJOR_HAZARDS = Topic(
    "重大事故隐患专项排查整治",
    "深入推进安全生产治本攻坚三年行动，对照重大事故隐患判定标准，组织危险化学品、矿山、工贸等重点行业"
    "领域开展重大事故隐患专项排查整治：一、企业全面自查，监管部门逐企业核查；二、发现的重大事故隐患"
    "一律挂牌督办、限期整改，实现动态清零；三、{due}前报送排查整治情况统计表和典型案例。",
    (
        "已印发实施方案，组织重点行业领域企业{n}家开展自查，监管部门核查计划已下达各区县。",
        "已核查企业{half}家，发现重大事故隐患{major}处，已全部挂牌督办；一般隐患{found}处。",
        "已核查企业{most}家，{major}处重大事故隐患中已整改销号{major_fixed}处，其余落实管控措施。",
    ),
    "专项排查整治已完成：核查企业{n}家，发现重大事故隐患{major}处，已全部整改销号；一般隐患{general}处，"
    "已整改{fixed}处，整改率{rate}%；立案查处{cases}起，罚款{fine}万元。统计表和典型案例见附件。",
    "重大事故隐患整改销号材料不全，统计表与隐患排查治理系统中的数据不一致，请核对后重新报送。",
    "已核对隐患排查治理系统中的数据，补充重大事故隐患整改销号材料。",
    "重大事故隐患已动态清零，材料齐全，同意办结。",
)
DUST = Topic(
    "工贸企业粉尘涉爆专项检查",
    "对辖区粉尘涉爆工贸企业开展专项检查：一、重点检查除尘系统、防爆电气和粉尘清扫制度落实情况；"
    "二、严禁干式除尘系统未采取防爆措施运行；三、{due}前报送检查情况和问题整改清单。",
    (
        "已摸排粉尘涉爆企业{n}家，建立企业清单和检查计划。",
        "已检查企业{half}家，发现除尘系统未采取防爆措施{major}处、粉尘清扫制度不落实{found}处，"
        "已责令限期整改。",
        "已检查企业{most}家，累计整改隐患{fixed}处。",
    ),
    "专项检查已完成：检查粉尘涉爆企业{n}家，发现隐患{general}处，已整改{fixed}处，整改率{rate}%；"
    "立案查处{cases}起。问题整改清单见附件。",
    "问题整改清单未逐项明确整改责任人和完成时限，除尘系统防爆措施整改缺少佐证材料，请补充。",
    "已按退回意见逐项明确整改责任人和完成时限，正在补充除尘系统防爆整改的佐证材料。",
    "检查全覆盖，整改清单明确，同意办结。",
)
HOLIDAY = Topic(
    "节前安全检查",
    "节日将至，人员流动和生产经营活动增多。请立即组织开展节前安全生产检查：一、重点检查人员密集场所、"
    "燃气、危险化学品、建筑施工和道路运输；二、督促企业落实节日期间领导带班和24小时值班制度；三、节前"
    "停产放假的企业落实停产安全措施；四、{due}前报送检查情况。",
    (
        "已部署节前安全检查，组建联合检查组{cases}个，明确检查重点。",
        "已检查人员密集场所和企业{half}家，发现隐患{found}处，已督促整改{early}处。",
        "已检查{most}家，节日期间领导带班和值班表已收齐。",
    ),
    "节前安全检查已完成：检查人员密集场所和企业{n}家，发现隐患{general}处，已整改{fixed}处，"
    "整改率{rate}%。节日期间值班表已报送。",
    "未报送节前停产放假企业的停产安全措施落实情况，请补充。",
    "已补充停产放假企业停产安全措施落实情况。",
    "检查到位，同意办结。",
)
CONSTRUCTION = Topic(
    "建筑施工安全专项整治",
    "对辖区在建房屋市政工程开展安全专项整治，重点整治深基坑、高支模、起重机械等危险性较大的分部分项"
    "工程，严查施工单位安全生产责任落实和特种作业人员持证上岗情况，{due}前报送整治情况。",
    (
        "已摸排在建工程{n}个，建立危险性较大的分部分项工程清单。",
        "已检查在建工程{half}个，发现隐患{found}处，对{major}个工地下达停工整改通知。",
        "已检查{most}个，累计整改隐患{fixed}处。",
    ),
    "专项整治已完成：检查在建工程{n}个，发现隐患{general}处，已整改{fixed}处，整改率{rate}%；"
    "停工整改{major}个，立案查处{cases}起，罚款{fine}万元。",
    "未报送危险性较大的分部分项工程专项方案审查情况，请补充。",
    "已补充危险性较大的分部分项工程专项方案审查情况。",
    "整治措施落实，同意办结。",
)
MINES = Topic(
    "矿山安全生产专项整治",
    "对辖区煤矿、非煤矿山开展安全生产专项整治，重点检查通风、防治水、提升运输和外包工程管理，严厉打击"
    "无证开采、超层越界等违法行为，{due}前报送整治情况。",
    (
        "已制定专项整治方案，对辖区矿山{n}座逐矿建立检查清单。",
        "已检查矿山{half}座，发现隐患{found}处，其中重大事故隐患{major}处，已挂牌督办。",
        "已检查{most}座，责令停产整顿{major}座，立案查处{cases}起。",
    ),
    "专项整治已完成：检查矿山{n}座，发现隐患{general}处，已整改{fixed}处，整改率{rate}%；重大事故隐患"
    "{major}处已整改销号；立案查处{cases}起，罚款{fine}万元。",
    "外包工程管理检查情况未单列，停产整顿矿山复产验收情况不明确，请补充。",
    "已单列外包工程管理检查情况，补充停产整顿矿山的复产验收材料。",
    "整治有力，同意办结。",
)
CHEMICAL_PARKS = Topic(
    "化工园区安全整治提升",
    "对辖区化工园区开展安全风险评估和整治提升：一、落实园区封闭化管理和安全监测监控；二、完善园区应急"
    "救援力量和物资储备；三、{due}前报送评估报告和整改方案。",
    (
        "已委托第三方机构开展园区安全风险评估，梳理园区内危险化学品企业{cases}家。",
        "风险评估现场工作已完成，发现问题{found}处，已整改{early}处，封闭化管理方案已报批。",
        "园区安全监测监控平台已接入企业{cases}家，正在编制整改方案。",
    ),
    "整治提升已完成：园区安全风险评估报告已通过专家评审，发现问题{general}处，已整改{fixed}处，"
    "整改率{rate}%；封闭化管理和监测监控平台建设已完成。",
    "评估报告未经专家评审，整改方案未明确资金和完成时限，请补充。",
    "已组织专家评审评估报告，整改方案补充了资金和完成时限。",
    "评估和整改到位，同意办结。",
)
SPECIAL_OPERATORS = Topic(
    "特种作业人员持证上岗专项检查",
    "对辖区危险化学品、冶金、建材等企业的电工、焊工、高处作业等特种作业人员持证上岗情况开展专项检查，"
    "严查无证上岗和证件过期，{due}前报送检查情况。",
    (
        "已部署专项检查，摸排特种作业人员较多的企业{n}家。",
        "已检查企业{half}家，核查特种作业人员{found}人，发现无证上岗{major}人，已责令停止作业。",
        "已检查{most}家，对{cases}家企业立案查处。",
    ),
    "专项检查已完成：检查企业{n}家，核查特种作业人员{general}人，发现无证上岗{major}人，已全部停止作业"
    "并组织培训取证；立案查处{cases}起，罚款{fine}万元。",
    "未附无证上岗人员清单和处理情况，请补充。",
    "已补充无证上岗人员清单和处理情况。",
    "检查全面，同意办结。",
)

# The showcase, taken in this order: the first five already give every target state, 武侯区 overdue
# and due this week, a return and a cancelled assignment; the sixth is the first completed one.
SHOWCASE = (
    Spec(CITY_OFFICE, CONFINED_SPACES, -40, -12, (
        (WUHOU, IN_PROGRESS), (JINJIANG, ACCEPTED), ("510105", SUBMITTED), ("510108", ACCEPTED),
    )),
    Spec(CITY_OFFICE, GAS, -10, THIS_WEEK, (
        (WUHOU, IN_PROGRESS), (JINJIANG, SUBMITTED), ("510106", ASSIGNED), ("510108", IN_PROGRESS),
    )),
    Spec(PROVINCE_OFFICE, FLOOD_SEASON, -45, -5, (
        (CHENGDU, SUBMITTED), ("511100", IN_PROGRESS), ("511800", ACCEPTED), ("513400", RETURNED),
    )),
    Spec(PROVINCE_OFFICE, POWER_DATA, -20, 10, (
        (CHENGDU, IN_PROGRESS), ("510300", IN_PROGRESS), ("510500", ASSIGNED), ("510600", SUBMITTED),
        ("511700", ASSIGNED),
    )),
    Spec(PROVINCE_OFFICE, TAILINGS, -30, 15, (("510400", IN_PROGRESS), ("513400", ASSIGNED)),
         cancelled=-22, cancel_reason="该项工作已并入全省重大事故隐患专项排查整治统一部署，不再单独报送。"),
    Spec(PROVINCE_OFFICE, MAJOR_HAZARDS, -85, -50, (
        (CHENGDU, REWORKED), ("510600", ACCEPTED), ("510700", ACCEPTED), ("511500", ACCEPTED),
    )),
    Spec(CITY_OFFICE, DUST, -25, 20, (
        (WUHOU, RETURNED), (JINJIANG, IN_PROGRESS), ("510114", SUBMITTED), ("510112", ASSIGNED),
    )),
    Spec(CITY_OFFICE, HOLIDAY, -3, 12, (
        (WUHOU, ASSIGNED), (JINJIANG, IN_PROGRESS), ("510105", ASSIGNED), ("510106", ASSIGNED),
        ("510108", ASSIGNED),
    )),
    Spec(CITY_OFFICE, CONSTRUCTION, -70, -38, (
        (WUHOU, REWORKED), (JINJIANG, ACCEPTED), ("510116", ACCEPTED),
    )),
    Spec(PROVINCE_OFFICE, MINES, -35, 18, (
        ("510400", SUBMITTED), ("511500", IN_PROGRESS), ("511600", ACCEPTED), ("511700", ASSIGNED),
    )),
    Spec(CITY_OFFICE, CHEMICAL_PARKS, -15, 25, (
        ("510113", IN_PROGRESS), ("510114", ASSIGNED), ("510182", IN_PROGRESS),
    )),
    Spec(PROVINCE_OFFICE, SPECIAL_OPERATORS, -6, 28, (
        ("511300", ASSIGNED), ("510900", IN_PROGRESS), ("511000", ASSIGNED), ("511400", ASSIGNED),
    )),
)

# Larger demos: more checks of the same kind, in words shared by all of them.
EXTRA_SUBJECTS = (
    ("危险化学品企业安全生产标准化复核", "危险化学品企业安全生产标准化建设和运行情况"),
    ("冬春季火灾防控专项检查", "人员密集场所和工贸企业的消防安全责任、消防设施和电气线路"),
    ("道路运输企业安全生产专项检查", "道路运输企业的动态监控、驾驶员管理和车辆技术状况"),
    ("烟花爆竹经营安全检查", "烟花爆竹批发、零售经营单位的储存条件和超量储存问题"),
    ("金属冶炼企业安全专项检查", "金属冶炼企业的高温熔融金属吊运、煤气区域作业和安全设施"),
    ("涉氨制冷企业安全专项检查", "涉氨制冷企业的液氨储存、氨泄漏报警和应急处置"),
    ("安全生产责任制落实情况督查", "各级各部门和企业全员安全生产责任制的制定和考核"),
    ("安全生产举报线索核查", "近期受理的安全生产举报线索"),
)
GENERIC = Topic(
    "",
    "对辖区{subject}开展专项检查，重点检查安全生产责任落实、隐患排查治理和应急准备情况，发现的重大事故"
    "隐患一律挂牌督办，{due}前报送检查情况和问题整改清单。",
    (
        "已制定检查方案，明确检查对象{n}家，组织{cases}个检查组开展检查。",
        "已检查{half}家，发现隐患{found}处，已督促整改{early}处。",
        "已检查{most}家，对{cases}家企业依法立案查处。",
    ),
    "检查已完成：检查{n}家，发现隐患{general}处，已整改{fixed}处，整改率{rate}%；立案查处{cases}起。",
    "问题整改清单不完整，未逐项明确整改措施和完成时限，请补充。",
    "已按退回意见补充问题整改清单。",
    "检查到位，同意办结。",
)
EXTRA_FATES = {ASSIGNED: 2.0, IN_PROGRESS: 3.0, SUBMITTED: 1.5, ACCEPTED: 2.5, RETURNED: 0.5, REWORKED: 0.5}
EXTRA_CITIES = (
    "510300", "510400", "510500", "510600", "510700", "510800", "510900", "511000", "511100", "511300",
    "511400", "511500", "511600", "511700", "511800", "511900", "512000", "513200", "513300", "513400",
)


def default_count(enterprises: int, hazards: int) -> int:
    """With hazards in the demo: MIN_DEFAULT and one more a thousand enterprises, at most MAX_DEFAULT."""
    if not hazards or enterprises < MIN_DEFAULT_ENTERPRISES:
        return 0
    return max(MIN_DEFAULT, min(MAX_DEFAULT, MIN_DEFAULT + enterprises // ENTERPRISES_PER_ASSIGNMENT))


def check_count(n: int) -> None:
    if n < 0:
        raise ValueError("assignments must not be negative")


# -- the plan --------------------------------------------------------------------------------------


def _figures(rng: random.Random) -> dict[str, object]:
    """A receiving region's figures, the same in each of its reports."""
    n = rng.randint(36, 280)
    major = rng.randint(2, 6)
    general = rng.randint(15, 120)
    fixed = general - rng.randint(0, general // 6)
    found = round(general * rng.uniform(0.45, 0.75))  # half-way
    return {
        "n": n,
        "half": round(n * rng.uniform(0.3, 0.5)),
        "most": round(n * rng.uniform(0.7, 0.9)),
        "major": major,
        "major_fixed": rng.randint(1, major - 1),
        "general": general,
        "fixed": fixed,
        "found": found,
        "early": round(found * rng.uniform(0.4, 0.8)),
        "rate": f"{fixed * 100 / general:.1f}",
        "cases": rng.randint(2, 9),
        "fine": f"{rng.randint(6, 90) / 2:.1f}",
    }


def _actions(rng: random.Random, fate: str) -> tuple[list[str], list[str]]:
    """The target's actions up to its first completion report, and after it."""
    if fate == ASSIGNED:
        return [], []
    if fate == IN_PROGRESS:
        return [REPORT] * rng.randint(1, 3), []
    before = [REPORT] * rng.randint(0, 2) + [SUBMIT]
    if fate == SUBMITTED:
        return before, []
    if fate == ACCEPTED:
        return before, [ACCEPT]
    if fate == RETURNED:
        return [REPORT, SUBMIT], [RETURN, REPORT]
    if fate == REWORKED:
        return [REPORT] * rng.randint(0, 1) + [SUBMIT], [RETURN, SUBMIT, ACCEPT]
    raise ValueError(f"unknown fate {fate!r}")


def _days(rng: random.Random, first: date, last: date, k: int) -> list[date]:
    """`k` days in [first, last] in order, different ones while there are enough."""
    last = max(first, last)
    span = (last - first).days + 1
    offsets = sorted(rng.sample(range(span), k) if k <= span else rng.choices(range(span), k=k))
    return [first + timedelta(days=d) for d in offsets]


class _Moments:
    """Strictly increasing moments of one target's story, in office hours."""

    def __init__(self, rng: random.Random):
        self.rng, self.last = rng, None

    def at(self, day: date) -> datetime:
        moment = datetime.combine(day, time(8, 30)) + timedelta(minutes=self.rng.randint(0, 600))
        if self.last is not None and moment <= self.last:
            moment = self.last + timedelta(minutes=self.rng.randint(20, 60))
        self.last = moment
        return moment


def _target_steps(
    rng: random.Random,
    topic: Topic,
    region: Region,
    fate: str,
    *,
    issued: date,
    due: date,
    end: date,
    due_text: str,
) -> list[Step]:
    """One target's story from the day after it was issued to `end` (yesterday, or the day before the
    assignment was withdrawn); the first completion report by the deadline when it can be."""
    before, after = _actions(rng, fate)
    if not before:
        return []
    figures = {**_figures(rng), "region": region.name, "due": due_text}
    first = issued + timedelta(days=1)
    # Room after the completion report for the issuer's answer, when there is one.
    last_before = end - timedelta(days=1) if after else end
    if SUBMIT in before:
        last_before = min(last_before, max(due, first))
    days = _days(rng, first, last_before, len(before))
    if after:
        submitted = days[-1]
        days += _days(rng, submitted + timedelta(days=1),
                      min(end, submitted + timedelta(days=AFTER_SUBMIT_DAYS)), len(after))
    moments = _Moments(rng)
    steps, progress = [], 0
    returned = False
    for action, day in zip(before + after, days, strict=True):
        if action == REPORT:
            if returned:
                text = topic.redo
            else:
                text = topic.progress[min(progress, len(topic.progress) - 1)]
                progress += 1
            steps.append(Step(moments.at(day), REPORT, region.code, text.format(**figures)))
        elif action == SUBMIT:
            text = topic.completion if not returned else f"{topic.redo}{topic.completion}"
            steps.append(Step(moments.at(day), SUBMIT, region.code, text.format(**figures), photo=True))
        elif action == RETURN:
            returned = True
            steps.append(Step(moments.at(day), RETURN, region.code, topic.returned.format(**figures)))
        else:
            steps.append(Step(moments.at(day), ACCEPT, region.code, topic.accepted.format(**figures)))
    return steps


def _due(today: date, due: int | str) -> date:
    if due == THIS_WEEK:  # later this week (today on a Sunday): due this week, not yet overdue
        return today + timedelta(days=min(3, 6 - today.weekday()))
    return today + timedelta(days=int(due))


def _assignment(rng: random.Random, spec: Spec, regions: Mapping[str, Region], today: date) -> AssignmentPlan:
    issued_day = today + timedelta(days=spec.issued)
    due = _due(today, spec.due)
    if not issued_day < today or due <= issued_day:
        raise ValueError(f"{spec.topic.title}: issued {issued_day}, due {due}, today {today}")
    due_text = f"{due.month}月{due.day}日"
    title = spec.topic.title
    requirements = spec.topic.requirements.format(due=due_text)
    # The day before the withdrawal (or yesterday) ends the targets' stories.
    cancel_day = today + timedelta(days=spec.cancelled) if spec.cancelled is not None else None
    end = (cancel_day or today) - timedelta(days=1)
    steps, targets = [], []
    for code, fate in spec.targets:
        region = regions[code]
        steps += _target_steps(rng, spec.topic, region, fate, issued=issued_day, due=due, end=end,
                               due_text=due_text)
        state = TargetState.CANCELLED if cancel_day else FATE_STATES[fate]
        targets.append(TargetPlan(code, fate, state))
    if cancel_day is not None:
        if any(t.fate in (ACCEPTED, REWORKED) for t in targets):
            raise ValueError(f"{title}: an accepted target cannot be withdrawn")
        at = datetime.combine(cancel_day, time(15, rng.randint(0, 59)))
        steps.append(Step(at, CANCEL, "", spec.cancel_reason))
        state = AssignmentState.CANCELLED
    elif all(t.state == TargetState.ACCEPTED for t in targets):
        state = AssignmentState.COMPLETED
    else:
        state = AssignmentState.ACTIVE
    issued_at = datetime.combine(issued_day, time(9, 0)) + timedelta(minutes=rng.randint(0, 150))
    midnight = datetime.combine(today, time())
    if any(not issued_at < s.at < midnight for s in steps):  # the replay never runs into today
        raise ValueError(f"{title}: a step falls outside {issued_at} to {midnight}")
    return AssignmentPlan(
        0, spec.by, title, requirements, issued_at, due, tuple(targets),
        tuple(sorted(steps, key=lambda s: s.at)), state,
    )


def _extra(rng: random.Random, k: int, regions: Mapping[str, Region]) -> Spec:
    title, subject = EXTRA_SUBJECTS[k % len(EXTRA_SUBJECTS)]
    batch = k // len(EXTRA_SUBJECTS)
    if batch:  # more than there are subjects: the same check again
        title += f"（第{batch + 1}批）"
    topic = replace(GENERIC, title=title, requirements=GENERIC.requirements.replace("{subject}", subject))
    if rng.random() < 0.4:
        by, pool = PROVINCE_OFFICE, [CHENGDU, *EXTRA_CITIES]
    else:
        by = CITY_OFFICE
        pool = sorted(code for code, r in regions.items() if r.parent_id == CHENGDU)
    codes = sorted(rng.sample(pool, rng.randint(2, min(5, len(pool)))))
    issued = -rng.randint(8, 70)
    due = issued + rng.randint(14, 45)
    fates = rng.choices(list(EXTRA_FATES), weights=list(EXTRA_FATES.values()), k=len(codes))
    return Spec(by, topic, issued, due, tuple(zip(codes, fates, strict=True)))


def plan(regions: Mapping[str, Region], n: int, seed: int, *, today: date) -> tuple[AssignmentPlan, ...]:
    """`n` assignments (the showcase first, then more of the same kind) with their stories up to
    yesterday, numbered in the order they were issued; the same arguments give the same plan."""
    check_count(n)
    rng = random.Random(f"{seed}-supervision")
    specs = list(SHOWCASE[:n])
    specs += [_extra(rng, k, regions) for k in range(n - len(specs))]
    made = sorted((_assignment(rng, spec, regions, today) for spec in specs), key=lambda a: a.issued_at)
    return tuple(replace(a, number=number) for number, a in enumerate(made, start=1))


# -- installing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionResult:
    assignments: dict[str, int]  # by state
    targets: dict[str, int]  # by state
    returned: int  # targets in progress again after a return
    overdue: int  # open targets past their deadline
    due_this_week: int  # open targets due Monday to Sunday of this week (the weekly sheet's)
    progress_reports: int
    completion_reports: int
    escalated: int  # overdue targets the sweep escalated just now
    actors_created: int


class _Receivers(demo_accidents._Officials):
    """Who reports for a receiving region: the demo logins of 武侯区 and 锦江区 and cd-office for
    成都市; otherwise the region's safety office, a non-login account (`office-<code>`, as the other
    demo modules name theirs, so an existing one is reused)."""

    def receiver(self, code: str) -> User:
        login = demo_hazards.COUNTY_INSPECTORS.get(code) or demo_hazards.CITY_OFFICES.get(code)
        if login in self.users:
            return self.users[login]
        region = self.regions[code]
        if region.level == RegionLevel.COUNTY:
            return self.county_office(code)
        return self._make(f"office-{code}", Role.SAFETY_OFFICE, region=region, first=f"{region.name}安委办")

    def issuer(self, username: str) -> User:
        user = self.users.get(username)
        if user is None or user.role != Role.SAFETY_OFFICE:
            raise ValueError(f"the supervision demo needs the demo account “{username}” (a safety office)")
        return user


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment)


def _replay(item: AssignmentPlan, actors: _Receivers, seed: int) -> Assignment:
    issuer = actors.issuer(item.by)
    with clock.as_of(_aware(item.issued_at)):
        notice = store(actor=issuer, upload=SimpleUploadedFile(
            f"关于开展{item.title}的通知.pdf",
            demo_accidents.pdf(f"Supervised assignment {seed}-{item.number}: notice of the issuing office"),
            "application/pdf",
        ))
        assignment = services.assign(
            actor=issuer, title=item.title, requirements=item.requirements, due_date=item.due_date,
            regions=[t.region for t in item.targets], attachment_ids=[notice.pk],
        )
    targets = {t.region_id: t for t in assignment.targets.all()}
    for k, step in enumerate(item.steps):
        with clock.as_of(_aware(step.at)):
            if step.action == CANCEL:
                services.cancel(actor=issuer, assignment=assignment, reason=step.text)
                continue
            target = targets[step.region]
            if step.action == REPORT:
                services.report_progress(actor=actors.receiver(step.region), target=target, text=step.text)
            elif step.action == SUBMIT:
                user = actors.receiver(step.region)
                files = []
                if step.photo:
                    files.append(store(actor=user, upload=SimpleUploadedFile(
                        f"办结材料-{item.number}-{step.region}.png",
                        demo_hazards.png(32, 24, f"assignment-{seed}-{item.number}-{step.region}-{k}"),
                        "image/png",
                    )).pk)
                services.submit(actor=user, target=target, text=step.text, attachment_ids=files)
            elif step.action == RETURN:
                services.return_target(actor=issuer, target=target, reason=step.text)
            else:
                services.accept(actor=issuer, target=target, comment=step.text)
    return assignment


def install(
    *,
    n: int,
    seed: int,
    regions: Mapping[str, Region],
    progress: Callable[[int], None] | None = None,
) -> SupervisionResult:
    """Plan `n` assignments and replay them through the services up to yesterday, then run the sweep
    now, as the daily job would. Call inside the demo's transaction, after the demo accounts."""
    check_count(n)
    now = timezone.localtime(clock.now()).replace(second=0, microsecond=0) - timedelta(minutes=1)
    if not n:
        return result()
    layout = plan(regions, n, seed, today=timezone.localdate(now))
    actors = _Receivers(regions)
    for item in layout:
        _replay(item, actors, seed)
        if progress is not None:
            progress(1)
    with clock.as_of(now):
        escalated = services.sweep()["targets"]
    return result(escalated, len(actors.created))


def _counts(queryset, field_name: str) -> dict[str, int]:
    rows = queryset.order_by().values_list(field_name).annotate(n=Count("id"))
    return dict(rows.values_list(field_name, "n"))


def result(escalated: int = 0, actors_created: int = 0) -> SupervisionResult:
    """What the database holds now, for the demo's summary."""
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    targets = AssignmentTarget.objects.all()
    reports = _counts(ProgressReport.objects.all(), "kind")
    return SupervisionResult(
        assignments=_counts(Assignment.objects.all(), "state"),
        targets=_counts(targets, "state"),
        returned=targets.filter(state=TargetState.IN_PROGRESS, returned_count__gt=0).count(),
        overdue=targets.filter(overdue_q(today)).count(),
        due_this_week=targets.filter(
            state__in=TARGET_OPEN, assignment__due_date__range=(monday, monday + timedelta(days=6))
        ).count(),
        progress_reports=reports.get(ReportKind.PROGRESS, 0),
        completion_reports=reports.get(ReportKind.COMPLETION, 0),
        escalated=escalated,
        actors_created=actors_created,
    )


def planned_states(layout: Sequence[AssignmentPlan]) -> dict[str, int]:
    """The planned target states, by state (what `result().targets` should read after the replay)."""
    out: dict[str, int] = {}
    for item in layout:
        for t in item.targets:
            out[t.state] = out.get(t.state, 0) + 1
    return out
