"""Demo accidents: a deterministic year of 生产安全事故 under Decree 493, replayed through the real services.

`generate()` is pure: from the demo enterprises, a count, a seed and a moment (now, local wall clock)
it plans every accident's story as dated steps: the initial report within the hour, each level's
acknowledgement of the reporting chain (mostly in time, some late), follow-ups and supplementary
reports (some raising the grade, which extends the chain; one after the 第十三条 window, flagged
late), the investigation (opened by the government the grade names, extended once, reported,
replied, published, closed under the four-nos rule), the rectification measures it assigns to
enterprises and departments, and the people held accountable. The last accidents happened hours
before now, so the live reporting board has pending and overdue steps. `install()` replays the steps
through `benan.accidents.services` under `core.clock.as_of`, so every grade, deadline, notification
and audit entry is the real one. Imports from core, enterprises, standards, accidents and demo.hazards.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, F, Sum
from django.utils import timezone
from faker import Faker

from benan.accidents import services
from benan.accidents.models import (
    Accident,
    AccidentReport,
    Accountability,
    AccountabilityKind,
    FourNos,
    Grade,
    Investigation,
    InvestigationState,
    Kind,
    Level,
    Measure,
    MeasureState,
    ReportingStep,
    ReportKind,
    StepState,
)
from benan.core import clock
from benan.core.attachments import store
from benan.core.models import Region, RegionLevel, Role, User
from benan.enterprises.models import Enterprise, Sector, Status
from benan.standards import accident_grades

from . import hazards as demo_hazards

WUHOU, JINJIANG, CHENGDU = demo_hazards.WUHOU, demo_hazards.JINJIANG, demo_hazards.CHENGDU
# Each story is some fifteen service calls (about 65 ms an accident on SQLite): the default stops here.
MAX_DEFAULT = 300
MIN_DEFAULT, MIN_DEFAULT_ENTERPRISES = 12, 200  # enough for the showcase in any demo of 200 or more
HISTORY_DAYS = 330  # the oldest accident happened about eleven months ago
BASE = datetime(2001, 1, 1)  # stories are laid out from here, then moved to their real day

# Actor keys of a step, resolved to users by install() from the accident's county: the unit's
# account, the county's acknowledging user (the demo inspector in 武侯/锦江, else the county's
# safety office), the county's, city's and province's safety offices, the inspector who verifies.
ENTERPRISE, COUNTY, COUNTY_OFFICE, CITY, PROVINCE, INSPECTOR = (
    "enterprise", "county", "county_office", "city", "province", "inspector",
)
# Who opens and runs the investigation, by grade (第十九条; 特别重大: the province registers it).
LEAD = {
    Grade.GENERAL: COUNTY_OFFICE, Grade.RELATIVELY_MAJOR: CITY, Grade.MAJOR: PROVINCE,
    Grade.ESPECIALLY_MAJOR: PROVINCE,
}
SYSTEM = ""  # the sweep, run by nobody
ACKNOWLEDGER = {Level.COUNTY: COUNTY, Level.CITY: CITY, Level.PROVINCE: PROVINCE, Level.NATIONAL: PROVINCE}
ACK_NOTES = {
    Level.COUNTY: ("已接报，已派员赶赴现场", "已接报，已通知属地乡镇和有关部门", ""),
    Level.CITY: ("已接报，已按规定上报", "已接报，已通知有关部门赶赴现场", ""),
    Level.PROVINCE: ("已接报，已报告省人民政府", "已接报，省应急管理厅工作组已出发"),
    Level.NATIONAL: ("已通过应急管理部信息系统上报", "已报告国务院应急管理部门和国务院安委会办公室"),
}

# How far the investigation got. REPORTED: not opened yet; OVERDUE and EXTENDED are still
# investigating, past the 60-day deadline or within the one extension.
REPORTED, OVERDUE, EXTENDED = "reported", "overdue", "extended"
INVESTIGATING, SUBMITTED, REPLIED, CLOSED = (
    InvestigationState.INVESTIGATING.value, InvestigationState.SUBMITTED.value,
    InvestigationState.REPLIED.value, InvestigationState.CLOSED.value,
)
STORY_STATES = {REPORTED: "", INVESTIGATING: INVESTIGATING, OVERDUE: INVESTIGATING, EXTENDED: INVESTIGATING,
                SUBMITTED: SUBMITTED, REPLIED: REPLIED, CLOSED: CLOSED}
# A measure's story: REJECTED is open again after one rejection.
OPEN, REJECTED = MeasureState.OPEN.value, "rejected"
MEASURE_SUBMITTED, MEASURE_CLOSED = MeasureState.SUBMITTED.value, MeasureState.CLOSED.value
DEPARTMENT = "department"

STATE_WEIGHTS = {REPORTED: 2.0, INVESTIGATING: 20.0, OVERDUE: 5.0, EXTENDED: 4.0, SUBMITTED: 8.0,
                 REPLIED: 18.0, CLOSED: 43.0}
# Beyond the showcase (one 特别重大, two 重大) a province's year is 一般 with a few 较大.
GRADE_WEIGHTS = {Grade.GENERAL: 92.0, Grade.RELATIVELY_MAJOR: 8.0}
KIND_WEIGHTS = {Kind.INDUSTRIAL: 36.0, Kind.CONSTRUCTION: 20.0, Kind.ROAD_TRAFFIC: 12.0, Kind.FIRE: 10.0,
                Kind.HAZARDOUS_CHEMICALS: 10.0, Kind.MINING: 12.0}
MEASURE_WEIGHTS = {OPEN: 3.0, REJECTED: 1.0, MEASURE_SUBMITTED: 2.0, MEASURE_CLOSED: 4.0}
LATE_ACK_SHARE = 0.1  # of acknowledgements: after the level's deadline
RAISED_SHARE = 0.3  # of 较大 accidents: the first report gave figures of a lower grade
LOSS_REFINED_SHARE = 0.35  # of accidents: a follow-up with the loss assessed
DIED_LATER_SHARE = 0.12  # of fatal accidents: an injured person died within the window
LATE_REPORT_SHARE = 0.05  # of fatal accidents: a death reported after the window
EXTENDED_SHARE = 0.1  # of reported investigations: extended before the report
REPLY_OVERDUE_SHARE = 0.2  # of submitted reports: the government's reply is late
PUBLISHED_SHARE = {REPLIED: 0.5, CLOSED: 0.85}
# Accidents happen at any hour, more in the working day.
HOUR_WEIGHTS = [1.0] * 7 + [2.0] + [3.0] * 10 + [2.0] * 3 + [1.0] * 3
# Where people are trapped at first: the missing are found later (mines, collapses, explosions).
TRAPPED_KINDS = frozenset({Kind.MINING, Kind.HAZARDOUS_CHEMICALS, Kind.CONSTRUCTION})
# Registry sectors an accident of a kind may happen in; road traffic and construction units are not
# in the registry (transport and construction companies), fires are in either.
SECTORS = {
    Kind.MINING: frozenset({Sector.NON_COAL_MINING, Sector.COAL_MINING}),
    Kind.HAZARDOUS_CHEMICALS: frozenset({Sector.HAZARDOUS_CHEMICALS}),
    Kind.FIRE: frozenset({Sector.COMMERCE, Sector.LIGHT_INDUSTRY, Sector.TEXTILE}),
    Kind.INDUSTRIAL: frozenset(Sector.values) - {Sector.NON_COAL_MINING, Sector.COAL_MINING,
                                                 Sector.HAZARDOUS_CHEMICALS},
}
UNREGISTERED_KINDS = frozenset({Kind.CONSTRUCTION, Kind.ROAD_TRAFFIC})
UNREGISTERED_FIRE_SHARE = 0.5


@dataclass(frozen=True)
class AccidentType:
    """What happened: `scene` and `summary` take {place}; the direct cause; the unit's and a
    department's rectification measure (the department named for a county and for a city)."""

    name: str
    places: tuple[str, ...]
    scene: str
    summary: str
    cause: str
    unit_measure: str
    department: tuple[str, str]
    department_measure: str
    sectors: frozenset | None = None  # registry sectors it fits; None: any of the kind


TYPES: dict[str, tuple[AccidentType, ...]] = {
    Kind.INDUSTRIAL: (
        AccidentType(
            "机械伤害", ("冲压车间", "机加工车间", "包装车间"),
            "事故发生在{place}一台设备旁，设备已断电停机，现场已设置警戒并保护",
            "操作工在设备未停机的情况下进入{place}设备危险区域清理，设备突然动作，致人员被挤压",
            "设备安全联锁装置被人为短接，操作工违章在设备运行中进入危险区域",
            "全面排查冲压、剪切、传动等设备的安全联锁和防护装置，严禁短接，建立每班点检制度",
            ("应急管理局", "应急管理局"), "在辖区机械加工企业开展设备安全防护装置专项执法检查",
        ),
        AccidentType(
            "中毒和窒息", ("污水处理站", "发酵池", "地下污水井"),
            "事故发生在{place}，作业点为有限空间，井口已封闭，现场检测硫化氢浓度超标",
            "员工未经审批进入{place}清淤作业，先后中毒晕倒，附近人员盲目施救致伤亡扩大",
            "有限空间作业未执行“先通风、再检测、后作业”，未安排监护人员，发生险情后盲目施救",
            "建立有限空间作业审批制度，配备气体检测报警仪和正压式空气呼吸器，组织有限空间事故应急演练",
            ("应急管理局", "应急管理局"), "开展工贸行业有限空间作业专项整治，逐企核查有限空间管理台账",
        ),
        AccidentType(
            "高处坠落", ("厂房屋面", "钢结构平台"),
            "事故发生在{place}，坠落点下方为硬化地面，现场未见安全网",
            "外包维修人员在{place}作业时踩破采光板，坠落至地面",
            "高处作业未设置安全网、未系挂安全带，外包作业安全管理缺失",
            "修订外包作业安全管理制度，高处作业必须办理作业票、设置安全网和生命线",
            ("住房和城乡建设局", "住房和城乡建设局"), "加强厂房维修等零星工程的施工安全监管",
        ),
        AccidentType(
            "起重伤害", ("装配车间", "成品库"),
            "事故发生在{place}，一台桥式起重机的吊物及断裂的吊索散落地面",
            "{place}起重作业中吊索具断裂，吊物坠落砸中下方作业人员",
            "吊索具磨损严重未及时报废，起重作业无专人指挥，人员在吊物下方作业",
            "全面检查起重机械和吊索具，建立报废标准，起重作业设专人指挥并划定警戒区",
            ("市场监督管理局", "市场监督管理局"), "开展起重机械安全专项检查",
        ),
        AccidentType(
            "触电", ("配电室", "生产车间"),
            "事故发生在{place}，配电柜门处于打开状态，现场已断电",
            "电工在未停电、未验电的情况下检修{place}配电线路，触电倒地",
            "检修作业未执行停电、验电、挂牌上锁制度，作业人员未取得特种作业操作证",
            "落实电气作业停电挂牌上锁制度，电工必须持证上岗",
            ("应急管理局", "应急管理局"), "开展特种作业人员持证上岗专项检查",
        ),
        AccidentType(
            "灼烫", ("熔炼车间", "炼钢车间"),
            "事故发生在{place}炉前区域，地面有喷溅的高温金属液",
            "{place}炉前加料时潮湿原料遇高温金属液发生喷溅，造成炉前作业人员灼烫",
            "入炉原料未烘干，炉前作业人员未穿戴阻燃防护服",
            "严格执行入炉原料烘干和检查制度，炉前人员配齐阻燃防护服",
            ("应急管理局", "应急管理局"), "开展冶金行业高温熔融金属作业专项检查",
            sectors=frozenset({Sector.METALLURGY, Sector.NONFERROUS}),
        ),
    ),
    Kind.MINING: (
        AccidentType(
            "冒顶片帮", ("井下采场", "运输巷道"),
            "事故发生在{place}，顶板局部冒落，冒落区已设置警戒，救援队伍正在清理",
            "作业人员在{place}作业时顶板突然冒落，人员被埋压",
            "顶板支护不及时，敲帮问顶制度不落实",
            "全面排查井下采场和巷道顶板支护情况，严格执行敲帮问顶制度",
            ("应急管理局", "应急管理局"), "开展矿山顶板管理专项执法检查",
        ),
        AccidentType(
            "透水", ("井下采区", "掘进工作面"),
            "事故发生在{place}，巷道积水严重，排水作业正在进行",
            "{place}掘进时揭露老空区积水，大量积水涌入巷道，部分人员被困",
            "未执行“预测预报、有疑必探、先探后掘、先治后采”的防治水规定",
            "查清井田范围内老空区积水情况，严格执行探放水制度",
            ("应急管理局", "应急管理局"), "开展矿山防治水专项整治",
        ),
        AccidentType(
            "瓦斯爆炸", ("采煤工作面", "回风巷"),
            "事故发生在{place}，巷道支护及通风设施损毁，矿山救护队正在侦察",
            "{place}瓦斯积聚达到爆炸浓度，遇电气火花发生爆炸",
            "通风系统不合理致瓦斯积聚，井下电气设备失爆",
            "重新核定矿井通风能力，全面检查井下电气设备防爆性能",
            ("应急管理局", "应急管理局"), "开展煤矿瓦斯防治专项监察",
            sectors=frozenset({Sector.COAL_MINING}),
        ),
        AccidentType(
            "坍塌", ("露天采场", "排土场"),
            "事故发生在{place}，边坡局部坍塌，坍塌体覆盖作业平台",
            "{place}边坡突然坍塌，正在坡脚作业的挖掘机及人员被掩埋",
            "违规采用“一面墙”开采，边坡角超过设计，未开展边坡监测",
            "按设计台阶开采，建立边坡在线监测系统",
            ("应急管理局", "应急管理局"), "开展非煤矿山边坡安全专项整治",
            sectors=frozenset({Sector.NON_COAL_MINING}),
        ),
    ),
    Kind.HAZARDOUS_CHEMICALS: (
        AccidentType(
            "爆炸", ("合成车间", "反应釜区域"),
            "事故发生在{place}，厂房部分坍塌，周边设施受损，消防救援队伍已控制现场",
            "{place}反应釜升温过程中超温超压，物料发生分解爆炸并引发火灾",
            "反应釜温度联锁被摘除，操作人员违规加料",
            "恢复全部安全联锁，开展反应安全风险评估，完成自动化控制改造",
            ("应急管理局", "应急管理局"), "开展危险化学品企业安全联锁和自动化控制专项检查",
        ),
        AccidentType(
            "中毒", ("储罐区", "装卸区"),
            "事故发生在{place}，泄漏点已封堵，现场检测有毒气体浓度已恢复正常",
            "{place}管道法兰泄漏，检修人员未佩戴防护器具处置，发生急性中毒",
            "泄漏处置未佩戴空气呼吸器，检修作业未办理特殊作业票",
            "严格执行特殊作业票证管理，配齐应急防护器材",
            ("应急管理局", "应急管理局"), "开展危险化学品特殊作业专项检查",
        ),
        AccidentType(
            "火灾", ("装卸区", "甲类仓库"),
            "事故发生在{place}，明火已被扑灭，消防救援队伍正在冷却降温",
            "{place}装卸甲类物料时静电引发火灾",
            "装卸作业未进行静电接地，物料流速超过规定",
            "更换静电接地装置并定期检测，装卸作业全程视频监控",
            ("应急管理局", "应急管理局"), "开展危险化学品装卸环节专项检查",
        ),
    ),
    Kind.CONSTRUCTION: (
        AccidentType(
            "高处坠落", ("在建住宅楼", "在建厂房"),
            "事故发生在{place}外脚手架，坠落点位于楼栋北侧，现场已停工",
            "施工人员在{place}外脚手架拆除作业时未系安全带，失稳坠落",
            "高处作业未系挂安全带，脚手架拆除未按专项方案执行",
            "", ("住房和城乡建设局", "住房和城乡建设局"), "开展建筑施工高处作业和脚手架专项整治",
        ),
        AccidentType(
            "坍塌", ("基坑", "地下车库"),
            "事故发生在{place}，坍塌土方约数百立方米，救援队伍正在搜救",
            "{place}土方开挖时基坑侧壁突然坍塌，坑底作业人员被掩埋",
            "未按专项施工方案分层开挖和支护，基坑监测缺失",
            "", ("住房和城乡建设局", "住房和城乡建设局"), "开展危险性较大的分部分项工程专项检查",
        ),
        AccidentType(
            "起重伤害", ("塔式起重机", "施工升降机"),
            "事故发生在{place}作业区域，设备已倾覆，现场已设置警戒",
            "{place}顶升加节作业时发生倾覆，砸中下方作业人员",
            "作业人员无证操作，未按使用说明书进行顶升作业",
            "", ("住房和城乡建设局", "住房和城乡建设局"), "开展建筑起重机械安全专项检查",
        ),
    ),
    Kind.ROAD_TRAFFIC: (
        AccidentType(
            "客车侧翻", ("国道", "省道"),
            "事故发生在{place}，车辆侧翻于路侧边沟，现场已实施交通管制",
            "一辆大型普通客车行驶至{place}时，因超速在弯道处失控侧翻",
            "驾驶人超速行驶，运输企业未落实车辆动态监控",
            "", ("交通运输局", "交通运输局"), "开展道路客运企业安全生产专项检查，落实车辆动态监控",
        ),
        AccidentType(
            "货车追尾", ("高速公路", "国道"),
            "事故发生在{place}，两车严重变形，现场已实施交通管制",
            "一辆重型半挂货车行驶至{place}时追尾前方停驶车辆",
            "驾驶人疲劳驾驶，车辆制动系统失效",
            "", ("交通运输局", "交通运输局"), "开展道路货运企业和重点车辆专项整治",
        ),
        AccidentType(
            "危险货物运输车辆侧翻", ("国道", "省道"),
            "事故发生在{place}，罐体泄漏已处置，周边已疏散",
            "一辆危险货物运输车辆行驶至{place}时侧翻，罐体泄漏",
            "驾驶人操作不当，押运人员未履行押运职责",
            "", ("交通运输局", "交通运输局"), "开展危险货物道路运输专项整治",
        ),
    ),
    Kind.FIRE: (
        AccidentType(
            "火灾", ("仓库", "生产车间", "营业厅"),
            "事故发生在{place}，过火面积约{area}平方米，明火已被扑灭",
            "{place}电气线路短路引燃周边可燃物，火势迅速蔓延",
            "电气线路私拉乱接，疏散通道被堵塞，未组织员工消防安全培训",
            "全面整改电气线路，清理疏散通道，组织全员消防安全培训和疏散演练",
            ("消防救援大队", "消防救援支队"), "开展人员密集场所和仓储场所火灾隐患专项整治",
        ),
    ),
}
MEASURES_TAKEN = {
    Kind.INDUSTRIAL: "立即停产、切断设备电源，拨打120将伤员送医救治，保护事故现场，主要负责人已赶赴现场",
    Kind.MINING: "立即撤出井下全部人员，启动应急预案，矿山救护队入井搜救，当地政府已成立现场指挥部",
    Kind.HAZARDOUS_CHEMICALS: "立即启动应急预案，紧急停车、切断物料，疏散周边群众，消防救援队伍已控制火势，"
                              "开展环境监测",
    Kind.CONSTRUCTION: "立即停止施工，组织救援并将伤员送医，封闭事故现场，全面停工排查",
    Kind.ROAD_TRAFFIC: "交警已实施交通管制，伤员已送医救治，运输企业负责人已赶赴现场，开展善后处置",
    Kind.FIRE: "消防救援队伍已扑灭明火，疏散人员，伤员已送医救治，现场已封闭",
}
ROADS = ("G318国道", "G213国道", "G108国道", "G247国道", "S217省道", "S106省道")
HIGHWAYS = ("G5京昆高速", "G76厦蓉高速", "G42沪蓉高速", "G93成渝环线高速")
UNREGISTERED_UNITS = {
    Kind.CONSTRUCTION: ("建设工程有限公司", "建筑工程有限公司", "建工集团有限公司"),
    Kind.ROAD_TRAFFIC: ("运输有限公司", "客运有限公司", "物流有限公司"),
    Kind.FIRE: ("火锅店", "商贸城", "宾馆", "家具城"),
}
PROJECTS = ("锦绣", "天府", "翰林", "滨江", "未来", "锦城", "龙湖", "南湖")
PUBLIC_PLACES = ("营业厅", "库房", "二层经营区")
TOWNS = ("新华", "永兴", "太平", "石桥", "兴隆", "白马", "三合", "龙泉", "高桥", "金龙", "和平", "双河")
EXTENSION_REASONS = (
    "事故涉及设备技术鉴定和物证检测，经负责事故调查的人民政府批准，调查期限延长{days}日",
    "事故原因复杂，需进行模拟试验和专家论证，经负责事故调查的人民政府批准，调查期限延长{days}日",
)
REPLY_TEXT = (
    "同意事故调查报告对事故原因、性质的认定和对有关责任单位、责任人员的处理建议，由有关部门依法依规落实；"
    "事故发生单位和有关部门须在规定期限内落实整改措施，举一反三，防止同类事故再次发生。"
)
VERIFY_COMMENTS = (
    "现场核查，整改措施已落实，同意销号", "整改资料齐全，现场复核合格", "经复查整改完成，验收合格",
)
REJECT_COMMENTS = (
    "落实情况未附现场照片和制度文件，请补充后重新提交",
    "整改不彻底，同类问题在其他区域仍然存在，请继续整改",
)
FOUR_NOS_NOTES = {
    FourNos.CAUSE: "事故调查报告已查明事故发生的经过、直接原因和间接原因，认定了事故性质",
    FourNos.RESPONSIBLE: "调查报告建议追究责任的人员已全部依法依规处理，见责任追究记录",
    FourNos.MEASURES: "调查报告提出的整改措施已全部落实并验收销号",
    FourNos.EDUCATION: "事故单位召开事故警示教育大会，组织全员学习事故调查报告，行业内企业开展警示教育",
}


@dataclass(frozen=True)
class Scenario:
    state: str  # REPORTED … CLOSED, OVERDUE, EXTENDED
    grade: str  # the final grade
    kind: str
    county: str | None = None  # a county, or a city: somewhere in it
    exclude: tuple[str, ...] = ()  # counties not to use
    demo: bool = False  # at ent-wuhou's enterprise
    registry: bool | None = None  # a unit in the registry; None: by kind
    raised: bool = False  # the first report gave figures of a lower grade
    late_report: bool = False  # a death reported after the window
    published: bool | None = None  # None: by chance
    measures: tuple[tuple[str, str], ...] = ()  # (ENTERPRISE|DEPARTMENT, measure story); () by chance
    late_acks: tuple[str, ...] = ()  # levels acknowledged after their deadline
    early_accountability: bool = False  # people held to account before the report (特别重大)
    recent: int | None = None  # minutes since the unit's head learned of it: the chain is still running
    acked: int = 0  # of a recent accident: levels already acknowledged


# The first twelve hold every grade, every investigation state, follow-ups that raise the grade and a
# late one, live pending steps with one overdue, measures of both assignees in every state, and every
# kind of accountability: a demo of 200 enterprises shows it all. 武侯区 and 锦江区 have several for
# wuhou-inspector, jinjiang-inspector and ent-wuhou; the rest of Chengdu for cd-office.
SHOWCASE = (
    # Known two hours ago in 武侯区 and nobody has acknowledged it yet: the county is late.
    Scenario(REPORTED, Grade.GENERAL, Kind.INDUSTRIAL, county=WUHOU, recent=130),
    # An injured person died on the second day, which made it 较大 and told the province.
    Scenario(SUBMITTED, Grade.RELATIVELY_MAJOR, Kind.FIRE, county=JINJIANG, raised=True),
    # ent-wuhou's enterprise: one closed and published, one replied with measures in every state.
    Scenario(CLOSED, Grade.GENERAL, Kind.INDUSTRIAL, county=WUHOU, demo=True, published=True,
             late_acks=(Level.CITY,)),
    Scenario(REPLIED, Grade.GENERAL, Kind.INDUSTRIAL, county=WUHOU, demo=True, published=True, measures=(
        (ENTERPRISE, OPEN), (ENTERPRISE, REJECTED), (ENTERPRISE, MEASURE_SUBMITTED),
        (ENTERPRISE, MEASURE_CLOSED),
        (DEPARTMENT, OPEN), (DEPARTMENT, MEASURE_SUBMITTED), (DEPARTMENT, MEASURE_CLOSED),
    )),
    # The year's 特别重大: first reported as 重大; the State Council's team (registered by the
    # province) was given sixty more days; some were held to account at once.
    Scenario(EXTENDED, Grade.ESPECIALLY_MAJOR, Kind.HAZARDOUS_CHEMICALS, raised=True,
             early_accountability=True),
    # A 重大 mine accident: the missing miners were found dead, which told the State Council too.
    Scenario(CLOSED, Grade.MAJOR, Kind.MINING, raised=True, published=True, late_acks=(Level.PROVINCE,)),
    # A death on the tenth day of a road accident: reported after the seven-day window.
    Scenario(REPLIED, Grade.GENERAL, Kind.ROAD_TRAFFIC, county=JINJIANG, late_report=True, published=False,
             measures=((DEPARTMENT, OPEN), (DEPARTMENT, REJECTED), (DEPARTMENT, MEASURE_SUBMITTED),
                       (DEPARTMENT, MEASURE_CLOSED))),
    Scenario(REPLIED, Grade.RELATIVELY_MAJOR, Kind.INDUSTRIAL, county=CHENGDU, exclude=(WUHOU, JINJIANG),
             published=True),
    Scenario(OVERDUE, Grade.GENERAL, Kind.MINING),
    Scenario(INVESTIGATING, Grade.GENERAL, Kind.CONSTRUCTION, county=JINJIANG),
    Scenario(CLOSED, Grade.GENERAL, Kind.INDUSTRIAL, published=False),
    # Fifty minutes ago in 锦江区: the county has acknowledged, the city and the province not yet.
    Scenario(REPORTED, Grade.RELATIVELY_MAJOR, Kind.CONSTRUCTION, county=JINJIANG, recent=50, acked=1),
    # Larger demos: the second 重大, and more for the demo logins.
    Scenario(REPLIED, Grade.MAJOR, Kind.ROAD_TRAFFIC, county="513200", published=True),
    Scenario(CLOSED, Grade.GENERAL, Kind.FIRE, county=WUHOU, registry=False, published=True),
    Scenario(CLOSED, Grade.GENERAL, Kind.INDUSTRIAL, county=JINJIANG, published=True),
    Scenario(INVESTIGATING, Grade.GENERAL, Kind.CONSTRUCTION, county=WUHOU),
    Scenario(CLOSED, Grade.RELATIVELY_MAJOR, Kind.CONSTRUCTION, county=CHENGDU, exclude=(WUHOU, JINJIANG),
             published=True),
)


@dataclass(frozen=True)
class Step:
    """One move of an accident's story, at a local wall-clock moment, by an actor key."""

    action: str
    at: datetime  # naive, Asia/Shanghai; made aware by install()
    actor: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoAccident:
    number: int
    uscc: str | None  # the registry enterprise, or None
    unit_name: str
    region: str
    kind: str
    occurred_at: datetime
    grade: str  # the final grade
    initial_grade: str
    deaths: int
    serious_injuries: int
    minor_injuries: int
    missing: int
    direct_loss_cny: Decimal
    state: str  # the investigation's state, "" while none is open
    overdue: bool  # investigating past the (extended) deadline
    extended: bool
    published: bool
    follow_ups: tuple[str, ...]  # ReportKind of each report after the first
    late_reports: int
    pending_steps: int  # reporting steps nobody has acknowledged
    overdue_steps: int  # of those, past their deadline now
    late_acks: int  # acknowledged after the deadline
    measures: tuple[tuple[str, str], ...]  # (ENTERPRISE|DEPARTMENT, final MeasureState)
    accountability: tuple[str, ...]  # AccountabilityKind of each person
    steps: tuple[Step, ...]


def default_count(enterprises: int) -> int:
    """One accident per forty enterprises, at least MIN_DEFAULT from 200 enterprises, at most MAX_DEFAULT."""
    n = enterprises // 40
    if enterprises >= MIN_DEFAULT_ENTERPRISES:
        n = max(n, MIN_DEFAULT)
    return min(n, MAX_DEFAULT)


def _weighted(rng: random.Random, weights: Mapping):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _grade(f: Mapping) -> str:
    return accident_grades.grade(f["deaths"], f["serious_injuries"], f["direct_loss_cny"]).grade


def _severity(grade: str) -> int:
    return accident_grades.severity(grade)


def _yuan(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high, 100))


def _wan(amount: Decimal) -> str:
    return f"{amount / 10000:.2f}".rstrip("0").rstrip(".") + "万元"


# -- figures -------------------------------------------------------------------------------------


def _figures(rng: random.Random, grade: str, kind: str, *, fatal: bool = False) -> dict:
    """Casualties and loss of an accident of `grade` (checked against Decree 493)."""
    minor = rng.randint(0, 4) if kind != Kind.ROAD_TRAFFIC else rng.randint(2, 18)
    if grade == Grade.GENERAL:
        draw = rng.random()
        deaths = 1 if draw < 0.6 else 2 if draw < 0.75 else 0
        if fatal:
            deaths = max(deaths, 1)
        serious = rng.choice((0, 0, 0, 1, 1, 2, 3)) if deaths else rng.randint(1, 6)
        loss = _yuan(rng, 300_000, 4_500_000)
        if kind == Kind.FIRE and not deaths and rng.random() < 0.5:
            serious, loss = 0, _yuan(rng, 800_000, 9_000_000)
    elif grade == Grade.RELATIVELY_MAJOR:
        draw = rng.random()
        deaths, serious = rng.randint(3, 6), rng.randint(0, 6)
        loss = _yuan(rng, 5_000_000, 25_000_000)
        if draw > 0.85 and not fatal:  # many injured: 10 or more serious injuries, at most 2 dead
            deaths, serious = rng.randint(0, 2), rng.randint(10, 16)
        elif draw > 0.7 and not fatal:  # the loss decides
            deaths, serious, loss = rng.randint(0, 2), rng.randint(0, 5), _yuan(rng, 11_000_000, 38_000_000)
    elif grade == Grade.MAJOR:
        deaths, serious, loss = rng.randint(10, 13), rng.randint(1, 8), _yuan(rng, 18_000_000, 48_000_000)
    else:  # 特别重大 by the loss: an explosion that destroys a plant
        deaths, serious, loss = rng.randint(6, 9), rng.randint(2, 9), _yuan(rng, 102_000_000, 135_000_000)
    figures = {"deaths": deaths, "serious_injuries": serious, "minor_injuries": minor, "missing": 0,
               "direct_loss_cny": loss}
    if _grade(figures) != grade:
        raise AssertionError(f"demo figures {figures} are not {grade}")
    return figures


def _lower(rng: random.Random, final: dict, kind: str) -> dict:
    """What a first report said of an accident that later reports raised to its grade: some of the
    dead still missing (or injured), the loss not yet assessed."""
    grading = accident_grades.grade(final["deaths"], final["serious_injuries"], final["direct_loss_cny"])
    rule = accident_grades.rules().rule(grading.grade)
    for into in (("missing",) if kind in TRAPPED_KINDS else ("serious_injuries", "missing")):
        f = dict(final)
        if "deaths" in grading.decided_by:
            move = min(f["deaths"], f["deaths"] - int(rule.bands["deaths"].minimum) + 1 + rng.randint(0, 1))
        else:
            move = min(f["deaths"], rng.randint(0, 2)) if kind in TRAPPED_KINDS else 0
        f["deaths"] -= move
        f[into] += move
        if "serious_injuries" in grading.decided_by:
            move = f["serious_injuries"] - int(rule.bands["serious_injuries"].minimum) + 1
            f["serious_injuries"] -= move
            f["minor_injuries"] += move
        if "direct_loss_cny" in grading.decided_by:
            f["direct_loss_cny"] = rule.bands["direct_loss_cny"].minimum * rng.randint(55, 92) / 100
        if _severity(_grade(f)) > _severity(grading.grade):
            return f
    raise AssertionError(f"no lower grade for {final}")


def _change_note(before: Mapping, after: Mapping, *, when: str = "") -> str:
    """What a follow-up says changed."""
    parts = []
    died = after["deaths"] - before["deaths"]
    found = min(died, max(before["missing"] - after["missing"], 0))
    if found:
        parts.append(f"{found}名失踪人员已找到，均已遇难")
    if died - found:
        parts.append(f"{when}{died - found}名重伤人员经抢救无效死亡")
    if after["serious_injuries"] != before["serious_injuries"] and not (died - found):
        parts.append(f"重伤人数核定为{after['serious_injuries']}人")
    if after["direct_loss_cny"] != before["direct_loss_cny"]:
        parts.append(f"经初步核定，直接经济损失为{_wan(after['direct_loss_cny'])}")
    return "；".join(parts) + "。" if parts else "现场处置和善后工作有序进行。"


# -- who and where -------------------------------------------------------------------------------


class _Units:
    """Where an accident happens: a registry enterprise of the right sector (each at most once, but
    ent-wuhou's), or a county for units outside the registry, weighted like the demo's enterprises."""

    def __init__(self, rows: Sequence, regions: Mapping[str, Region], demo_uscc: str | None):
        from .generator import CITY_WEIGHTS, COUNTY_KIND_WEIGHTS

        self.regions = regions
        # Producing as ever: never suspended, closed or still being built.
        self.rows = [r for r in rows if len(r.periods) == 1 and r.periods[0][0] == Status.NORMAL]
        self.by_sector: dict[str, list] = defaultdict(list)
        for row in self.rows:
            self.by_sector[row.data["sector"]].append(row)
        wuhou = sorted((r for r in rows if r.data["region_code"] == WUHOU), key=lambda r: r.data["name"])
        self.demo = next((r for r in wuhou if r.data["uscc"] == demo_uscc), wuhou[0] if wuhou else None)
        self.used: set[str] = set()
        self.pools: dict[frozenset, list] = {}
        self.types: dict[str, set[str]] = defaultdict(set)  # accident types already told, by enterprise
        counties = sorted((r for r in regions.values() if r.level == RegionLevel.COUNTY),
                          key=lambda r: r.code)
        per_city = defaultdict(int)
        for c in counties:
            per_city[c.parent_id] += 1
        self.counties = counties
        self.weights = [CITY_WEIGHTS.get(c.parent_id, 1.0) / per_city[c.parent_id]
                        * COUNTY_KIND_WEIGHTS.get(c.name[-1], 1.0) for c in counties]

    def _where(self, code: str, county: str | None, exclude: tuple[str, ...]) -> bool:
        if code in exclude:
            return False
        return county is None or code == county or self.regions[code].parent_id == county

    def enterprise(self, rng: random.Random, kind: str, atype: AccidentType | None, *, county: str | None,
                   exclude: tuple[str, ...]):
        sectors = SECTORS[kind] if atype is None or atype.sectors is None else atype.sectors
        if sectors not in self.pools:
            self.pools[sectors] = [r for s in sorted(sectors) for r in self.by_sector[s]]
        pool = self.pools[sectors]
        if county is None and not exclude:  # anywhere: draw until a free one comes (cheap on a province)
            for _ in range(50 if pool else 0):
                row = rng.choice(pool)
                if row.data["uscc"] not in self.used:
                    self.used.add(row.data["uscc"])
                    return row
        fitting = [r for r in pool
                   if r.data["uscc"] not in self.used and self._where(r.data["region_code"], county, exclude)]
        if not fitting:
            return None
        row = rng.choice(fitting)
        self.used.add(row.data["uscc"])
        return row

    def county(self, rng: random.Random, *, county: str | None, exclude: tuple[str, ...]) -> Region:
        pairs = [(c, w) for c, w in zip(self.counties, self.weights, strict=True)
                 if self._where(c.code, county, exclude)]
        if not pairs:
            pairs = list(zip(self.counties, self.weights, strict=True))
        return rng.choices([c for c, _ in pairs], weights=[w for _, w in pairs])[0]


def _trade(rng: random.Random) -> str:
    from .generator import TRADE_CHARACTERS

    return "".join(rng.sample(TRADE_CHARACTERS, 2))


def _unregistered_unit(rng: random.Random, kind: str, county: Region, city: Region) -> tuple[str, str]:
    """A unit outside the registry and its overview (第十二条 事故发生单位概况)."""
    from .generator import short_city_name, short_county_name

    suffix = rng.choice(UNREGISTERED_UNITS[kind])
    if kind == Kind.FIRE:
        name = f"{short_county_name(county.name)}{_trade(rng)}{suffix}"
        staff = rng.randint(8, 60)
        return name, f"{name}，个体工商户，经营场所位于{city.name}{county.name}，从业人员{staff}人"
    place = "四川" if rng.random() < 0.4 else short_city_name(city.name)
    name = f"{place}{_trade(rng)}{suffix}"
    if kind == Kind.CONSTRUCTION:
        grade = rng.choice(("一级", "二级", "三级"))
        return name, f"{name}，具有建筑工程施工总承包{grade}资质，为事故工程项目的施工总承包单位"
    vehicles = rng.randint(30, 400)
    return name, f"{name}，持有道路运输经营许可证，有营运车辆{vehicles}辆，事故车辆为该公司所属营运车辆"


def _place(rng: random.Random, fake: Faker, kind: str, atype: AccidentType, county: Region, city: Region,
           row) -> tuple[str, str]:
    """The place as the report names it, and the spot inside it that the scene describes."""
    from .generator import CENTRAL_CHENGDU

    spot = rng.choice(atype.places)
    if kind == Kind.ROAD_TRAFFIC:
        if county.code in CENTRAL_CHENGDU:  # the city centre: a crossroads, not a highway
            where = f"{city.name}{county.name}{fake.street_name()}与{fake.street_name()}交叉口"
        else:
            road = rng.choice(HIGHWAYS if spot == "高速公路" else ROADS)
            where = (f"{road}{rng.randint(10, 900)}公里+{rng.randint(0, 9) * 100}米处"
                     f"（{city.name}{county.name}境内）")
        return where, where
    if row is not None:
        return f"{row.data['address']}{spot}", spot
    if kind == Kind.FIRE:
        spot = rng.choice(PUBLIC_PLACES)
    street = fake.street_name()
    if kind == Kind.CONSTRUCTION:
        project = f"{rng.choice(PROJECTS)}{rng.choice(('花园', '家园', '广场', '中心'))}"
        return f"{city.name}{county.name}{street}{project}项目{spot}", f"{project}项目{spot}"
    return f"{city.name}{county.name}{street}{rng.randint(1, 300)}号{spot}", spot


def _office_name(regions: Mapping[str, Region], county: Region, level: str) -> str:
    """The name of the government at `level` over `county`, e.g. 成都市武侯区 / 成都市 / 四川省."""
    city = regions[county.parent_id]
    if level == Level.COUNTY:
        return f"{city.name}{county.name}"
    if level == Level.CITY:
        return city.name
    return regions[city.parent_id].name if city.parent_id in regions else "四川省"


def _police(regions: Mapping[str, Region], county: Region) -> str:
    city = regions[county.parent_id]
    if county.name.endswith("区"):
        return f"{city.name}公安局{county.name}分局"
    return f"{county.name}公安局"


# -- accountability ------------------------------------------------------------------------------


def _accountability(rng: random.Random, fake: Faker, grade: str, kind: str, deaths: int, unit: str,
                    principal: str, county: Region, regions: Mapping[str, Region], *,
                    early: bool = False) -> list[dict]:
    """The people held accountable: more, and higher up, for the severe accidents. Early: those
    detained or suspended within days of a 特别重大 accident, before the report."""
    city = regions[county.parent_id]
    full = f"{city.name}{county.name}"
    level = {Grade.GENERAL: Level.COUNTY, Grade.RELATIVELY_MAJOR: Level.CITY}.get(grade, Level.PROVINCE)
    ministry = {Level.COUNTY: f"{full}应急管理局", Level.CITY: f"{city.name}应急管理局"}.get(
        level, "四川省应急管理厅")
    organisation = {Level.COUNTY: f"中共{full}委组织部", Level.CITY: f"中共{city.name}委组织部"}.get(
        level, "中共四川省委组织部")
    commission = {Level.COUNTY: f"{full}纪委监委", Level.CITY: f"{city.name}纪委监委"}.get(
        level, "四川省纪委监委")
    crime = {Kind.ROAD_TRAFFIC: "交通肇事罪", Kind.HAZARDOUS_CHEMICALS: "危险物品肇事罪"}.get(
        kind, "重大责任事故罪")
    direct = {
        Kind.ROAD_TRAFFIC: ("驾驶员", "运输公司安全管理部经理", "运输公司车辆动态监控员"),
        Kind.CONSTRUCTION: ("项目经理", "施工员", "专职安全员", "劳务班组长"),
        Kind.MINING: ("矿长", "安全副矿长", "带班矿领导", "通风区区长"),
    }.get(kind, ("车间主任", "生产副总经理", "班组长", "设备部经理"))
    supervisor = {Kind.ROAD_TRAFFIC: "交通运输局", Kind.CONSTRUCTION: "住房和城乡建设局",
                  Kind.FIRE: "消防救援大队", Kind.MINING: "应急管理局"}.get(kind, "应急管理局")
    town = f"{rng.choice(TOWNS)}{'街道' if county.name.endswith('区') else '镇'}"
    town_office = f"{town}办事处" if town.endswith("街道") else f"{town}人民政府"
    deputy = "党工委委员、办事处副主任" if town.endswith("街道") else "党委委员、副镇长"
    officials = [
        (f"{town}{deputy}", f"{full}{town_office}"),
        (f"{town}安全生产办公室主任", f"{full}{town_office}"),
        ("安全生产执法大队大队长", f"{full}应急管理局"),
        ("副局长", f"{full}{supervisor}"),
        ("安全生产监督管理科科长", f"{city.name}{supervisor.replace('大队', '支队')}"),
        ("副局长", f"{city.name}{supervisor.replace('大队', '支队')}"),
    ]
    rng.shuffle(officials)
    rng.shuffle(direct := list(direct))
    rows: list[dict] = []

    def person(kind_: str, people: list, detail: str, decided_by: str) -> None:
        position, where = people.pop(0) if people else (rng.choice(direct), unit)
        rows.append({"kind": kind_, "person_name": fake.name(), "position": position, "unit": where,
                     "detail": detail, "decided_by": decided_by})

    staff = [(p, unit) for p in direct]

    def criminal() -> None:
        what = "已被公安机关依法采取刑事强制措施" if early else "已由公安机关立案侦查并移送检察机关审查起诉"
        person(AccountabilityKind.CRIMINAL, staff, f"涉嫌{crime}，{what}", _police(regions, county))

    def organisational() -> None:
        detail = rng.choice(("停职检查", "免职") if early else ("诫勉谈话", "免职", "调离工作岗位"))
        person(AccountabilityKind.ORGANISATIONAL, officials, detail, organisation)

    if early:
        for _ in range(3):
            criminal()
        for _ in range(2):
            organisational()
        return rows
    share = {Grade.GENERAL: 40, Grade.RELATIVELY_MAJOR: 60, Grade.MAJOR: 80}.get(grade, 100)
    rows.append({"kind": AccountabilityKind.ADMINISTRATIVE_PENALTY, "person_name": principal,
                 "position": rng.choice(("总经理", "董事长", "执行董事兼总经理", "法定代表人")), "unit": unit,
                 "detail": "未履行安全生产管理职责，导致事故发生，依据《中华人民共和国安全生产法》第九十五条"
                           f"处上一年年收入{share}%的罚款",
                 "decided_by": ministry})
    counts = {
        Grade.GENERAL: (int(deaths > 0 and rng.random() < 0.6), int(rng.random() < 0.5),
                        int(rng.random() < 0.3), int(rng.random() < 0.25)),
        Grade.RELATIVELY_MAJOR: (rng.randint(1, 2), 1, rng.randint(1, 2), 1),
    }.get(grade, (rng.randint(3, 4), 2, rng.randint(3, 4), 2))
    for _ in range(counts[0]):
        criminal()
    for _ in range(counts[1]):
        if rng.random() < 0.5:
            person(AccountabilityKind.OTHER, staff, "由事故发生单位给予撤职处理", unit)
        else:
            person(AccountabilityKind.OTHER, staff, f"责令作出深刻书面检查，在全{county.name[-1]}通报批评",
                   f"{full}人民政府安全生产委员会")
    for _ in range(counts[2]):
        person(AccountabilityKind.DISCIPLINE, officials,
               rng.choice(("给予政务警告处分", "给予政务记过处分", "给予政务记大过处分", "给予党内警告处分")),
               commission)
    for _ in range(counts[3]):
        organisational()
    return rows


# -- files ---------------------------------------------------------------------------------------


def pdf(title: str) -> bytes:
    """A small valid one-page PDF showing `title` (ASCII): a real document with unique bytes."""
    text = title.encode("ascii").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    content = b"BT /F1 12 Tf 56 780 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# -- an accident's story -------------------------------------------------------------------------


class _Story:
    """The steps of one accident: the reporting hours at exact moments, then the days of the
    investigation put in order by day and by what each action needs before it."""

    PRIORITY = {action: n for n, action in enumerate((
        "sweep", "open", "extend", "follow_up", "submit", "reply", "accountability", "add_measure",
        "submit_measure", "reject_measure", "verify_measure", "four_nos", "publish", "close",
    ))}

    def __init__(self, rng: random.Random, start: datetime):
        self.rng, self.start = rng, start  # midnight of the day it happened
        self.moments: list[Step] = []
        self.days: list[tuple[int, int, int, Step]] = []

    def at(self, action: str, moment: datetime, actor: str, **data) -> None:
        self.moments.append(Step(action, moment, actor, data))

    def on(self, action: str, day: int, actor: str, **data) -> None:
        self.days.append((day, self.PRIORITY[action], len(self.days), Step(action, self.start, actor, data)))

    def first_free_day(self) -> int:
        return (max(s.at for s in self.moments).date() - self.start.date()).days + 1

    def last_day(self) -> int:
        days = [d for d, _, _, _ in self.days]
        return max([*days, self.first_free_day() - 1])

    def steps(self, shift: timedelta) -> tuple[Step, ...]:
        steps = sorted(self.moments, key=lambda s: s.at)
        last = steps[-1].at
        for day, _, _, step in sorted(self.days, key=lambda d: d[:3]):
            at = self.start + timedelta(days=day, hours=8, minutes=30 + self.rng.randrange(480))
            if at <= last:
                at = last + timedelta(minutes=self.rng.randint(1, 20))
            last = at
            steps.append(replace(step, at=at))
        return tuple(replace(s, at=s.at + shift) for s in steps)


def _acks(rng: random.Random, dues: Sequence[tuple[str, datetime]], start: datetime,
          late: Sequence[str]) -> list[tuple[str, datetime]]:
    """When each level acknowledged: after the level below, mostly before its deadline."""
    done, previous = [], start
    for level, due in dues:
        earliest = previous + timedelta(minutes=3)
        if level in late or rng.random() < LATE_ACK_SHARE:
            at = due + timedelta(minutes=rng.randint(15, 180))
        elif due - timedelta(minutes=5) > earliest:
            room = min((due - timedelta(minutes=5) - earliest).total_seconds() // 60, 90)
            at = earliest + timedelta(minutes=rng.randint(0, int(room)))
        else:
            at = earliest + timedelta(minutes=rng.randint(0, 10))
        at = max(at, previous + timedelta(minutes=1))
        done.append((level, at))
        previous = at
    return done


def _added_dues(grade: str, existing: set[str], start: datetime) -> list[tuple[str, datetime]]:
    """The levels a raised grade adds to the chain and their deadlines, as services._add_steps lays them."""
    rules = accident_grades.rules()
    dues, due = [], None
    for level in rules.rule(grade).report_levels:
        if level in existing:
            continue
        if due is None:
            hours = rules.unit_to_county_hours if level == Level.COUNTY else rules.per_level_hours
            due = start + timedelta(hours=hours)
        else:
            due = due + timedelta(hours=rules.per_level_hours)
        dues.append((level, due))
    return dues


@dataclass
class _Facts:
    """What a story is about, fixed before its days are laid out."""

    number: int
    sc: Scenario
    row: object | None
    county: Region
    city: Region
    unit: str
    overview: str
    atype: AccidentType
    final: dict
    initial: dict
    principal: str  # the unit's principal, held to account for it

    @property
    def final_grade(self) -> str:
        return _grade(self.final)


def _investigation(rng: random.Random, fake: Faker, story: _Story, facts: _Facts,
                   regions: Mapping[str, Region]) -> dict:
    """The days of the investigation after the reporting hours; returns what the story ends with."""
    sc, grade, kind = facts.sc, facts.final_grade, facts.sc.kind
    lead = LEAD[grade]
    r = accident_grades.rules()
    rule = r.rule(grade)
    result = {"extended": False, "extension": 0, "published": False, "measures": [], "accountability": [],
              "end": None}
    free = story.first_free_day()
    state = sc.state
    if state == REPORTED:
        result["end"] = free - 1 + rng.randint(1, 2)
        return result
    opened = max(free, rng.randint(1, 6))
    lead_name = ("国务院事故调查组" if grade == Grade.ESPECIALLY_MAJOR
                 else f"{_office_name(regions, facts.county, rule.investigation_level)}人民政府")
    if grade == Grade.ESPECIALLY_MAJOR:
        team = ("国务院事故调查组由应急管理部牵头，公安部、全国总工会和四川省人民政府参加，"
                "并聘请有关专家参与调查；四川省应急管理厅登记并配合调查")
    else:
        short = _office_name(regions, facts.county, rule.investigation_level)
        department = facts.atype.department[0 if rule.investigation_level == Level.COUNTY else 1]
        team = (f"由{lead_name}牵头，{short}应急管理局、公安局、总工会、{department}等部门和单位组成"
                f"事故调查组，并聘请{rng.randint(2, 5)}名专家参与调查")
    story.on("open", opened, lead, team=team)
    if sc.early_accountability:
        for person in _accountability(rng, fake, grade, kind, facts.final["deaths"], facts.unit,
                                      facts.principal, facts.county, regions, early=True):
            story.on("accountability", rng.randint(opened, opened + 18), lead, **person)
            result["accountability"].append(person["kind"])
    window = accident_grades.supplementary_days(kind)
    if sc.late_report:
        late_day = max(window + rng.randint(2, 10), opened + 1)
        before = dict(facts.final, deaths=facts.final["deaths"] - 1,
                      serious_injuries=facts.final["serious_injuries"] + 1)
        note = _change_note(before, facts.final, when=f"事故发生后第{late_day}日，")
        story.on("follow_up", late_day, ENTERPRISE if facts.row is not None else COUNTY,
                 figures=dict(facts.final), note=f"补报：{note}")

    extended = state == EXTENDED or (state in (REPLIED, CLOSED) and rng.random() < EXTENDED_SHARE)
    deadline = r.report_days
    extend_day = opened
    if extended:
        days = 60 if state == EXTENDED or rng.random() < 0.6 else 30
        extend_day = rng.randint(max(opened + 1, 45), 58)
        reason = rng.choice(EXTENSION_REASONS).format(days=days)
        story.on("extend", extend_day, lead, days=days, reason=reason)
        deadline += days
        result["extended"] = True
        result["extension"] = days
    if state == INVESTIGATING:
        result["end"] = rng.randint(max(opened + 1, 8), max(opened + 1, 58))
        return result
    if state == OVERDUE:
        result["end"] = rng.randint(max(62, opened + 1), 100)
        return result
    if state == EXTENDED:
        result["end"] = rng.randint(max(62, opened + 1), deadline - 2)
        return result
    first = max(opened + 15, 25, extend_day + 1)
    submitted = rng.randint(first, max(first, deadline - 2))
    pdf_title = f"Accident investigation report, {facts.county.code} demo accident {facts.number}"
    label = Grade(grade).label.removesuffix("事故")
    summary = (f"经调查认定，{facts.unit}“{facts.atype.name}”事故是一起{label}生产安全责任事故。"
               f"直接原因：{facts.atype.cause}。间接原因：事故发生单位安全生产主体责任不落实，安全管理制度和"
               "操作规程执行不到位，事故隐患排查治理不彻底；属地有关部门安全监管存在薄弱环节。")
    story.on("submit", submitted, lead, summary=summary, title=pdf_title)
    if state == SUBMITTED:
        late_reply = rng.random() < REPLY_OVERDUE_SHARE
        wait = rule.reply_days + rng.randint(1, 9) if late_reply else rng.randint(1, rule.reply_days - 2)
        result["end"] = submitted + wait
        return result
    replied = submitted + rng.randint(3, rule.reply_days - 1)
    story.on("reply", replied, lead, reply=REPLY_TEXT)
    story.on("four_nos", replied + rng.randint(0, 2), lead, item=FourNos.CAUSE, evidence="report")
    days = [replied]

    people = _accountability(rng, fake, grade, kind, facts.final["deaths"], facts.unit, facts.principal,
                             facts.county, regions)
    if state == REPLIED:
        people = [p for p in people if rng.random() < 0.7]
    decided = []
    for person in people:
        day = replied + rng.randint(3, 45)
        decided.append(day)
        story.on("accountability", day, lead, **person)
        result["accountability"].append(person["kind"])

    measures = _measures(rng, facts, state)
    verified, overdue_on = [], []
    for index, (assignee, target) in enumerate(measures):
        added = replied + rng.randint(0, 3)
        region = facts.county
        if assignee == DEPARTMENT and rule.investigation_level != Level.COUNTY and rng.random() < 0.5:
            region = facts.city
        department = facts.atype.department[0 if region is facts.county else 1]
        if assignee == ENTERPRISE:
            text, submitter = facts.atype.unit_measure, ENTERPRISE
        else:
            text = facts.atype.department_measure
            submitter = COUNTY_OFFICE if region is facts.county else CITY
        verifier = INSPECTOR if assignee == ENTERPRISE or submitter == lead else lead
        days_to_due = rng.choice((30, 45, 60, 90))
        story.on("add_measure", added, lead, index=index, description=text, due_days=days_to_due,
                 assignee=ENTERPRISE if assignee == ENTERPRISE else region.code,
                 department="" if assignee == ENTERPRISE else f"{region.name}{department}")
        days.append(added)
        due = added + days_to_due
        if target == OPEN:
            overdue_on.append(due + 1)
            continue
        submit = added + rng.randint(5, 40)
        if submit > due:
            overdue_on.append(due + 1)
        story.on("submit_measure", submit, submitter, index=index,
                 result=f"已完成：{text}。附整改后现场照片。")
        days.append(submit)
        rejected = target == REJECTED or (target == MEASURE_CLOSED and rng.random() < 0.15)
        if rejected:
            reject = submit + rng.randint(1, 5)
            story.on("reject_measure", reject, verifier, index=index, comment=rng.choice(REJECT_COMMENTS))
            days.append(reject)
            if target == REJECTED:
                overdue_on.append(max(due, reject) + 1)
                continue
            submit = reject + rng.randint(3, 15)
            if submit > due:
                overdue_on.append(max(due, reject) + 1)
            story.on("submit_measure", submit, submitter, index=index,
                     result=f"已按验收意见补充整改：{text}。附整改后现场照片和制度文件。")
            days.append(submit)
        if target == MEASURE_CLOSED:
            verify = submit + rng.randint(1, 7)
            story.on("verify_measure", verify, verifier, index=index, comment=rng.choice(VERIFY_COMMENTS))
            verified.append(verify)
            days.append(verify)
    result["measures"] = _measures_final(measures)

    four = {}
    if state == CLOSED or rng.random() < 0.5:
        four[FourNos.EDUCATION] = replied + rng.randint(5, 30)
    if people and (state == CLOSED or rng.random() < 0.4):
        four[FourNos.RESPONSIBLE] = max(decided) + rng.randint(0, 5)
    if state == CLOSED:
        four[FourNos.MEASURES] = max(verified) + rng.randint(0, 3)
    for item, day in four.items():
        evidence = "png" if item == FourNos.EDUCATION else "pdf"
        story.on("four_nos", day, lead, item=item, evidence=evidence)
        days.append(day)
    days += decided
    published = sc.published if sc.published is not None else rng.random() < PUBLISHED_SHARE[state]
    if published:
        day = replied + rng.randint(3, 25)
        story.on("publish", day, lead)
        days.append(day)
        result["published"] = True
    last = max(days)
    if state == CLOSED:
        closing = max(last, replied + 2) + rng.randint(1, 7)
        story.on("close", closing, lead)
        last = closing
        result["end"] = last + rng.randint(1, max(HISTORY_DAYS - last, 1))
    else:
        result["end"] = last + rng.randint(1, 20)
    # The sweep the morning after a measure went overdue (later ones: the sweep after the replay).
    for day in sorted({d for d in overdue_on if d < result["end"]}):
        story.on("sweep", day, SYSTEM)
    return result


def _measures_final(measures: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """A measure's state once its story is told: one returned for rework is open again."""
    return [(a, OPEN if t == REJECTED else t) for a, t in measures]


def _measures(rng: random.Random, facts: _Facts, state: str) -> list[tuple[str, str]]:
    """The measures the report asks for: the scenario's, or drawn (all closed for a closed case)."""
    has_unit = facts.row is not None
    if facts.sc.measures:
        chosen = [(a if has_unit or a == DEPARTMENT else DEPARTMENT, t) for a, t in facts.sc.measures]
    else:
        n = {Grade.GENERAL: rng.randint(1, 3), Grade.RELATIVELY_MAJOR: rng.randint(2, 4)}.get(
            facts.final_grade, rng.randint(3, 5))
        chosen = []
        for _ in range(n):
            assignee = ENTERPRISE if has_unit and rng.random() < 0.55 else DEPARTMENT
            target = MEASURE_CLOSED if state == CLOSED else _weighted(rng, MEASURE_WEIGHTS)
            chosen.append((assignee, target))
    if state == CLOSED:
        chosen = [(a, MEASURE_CLOSED) for a, _ in chosen]
    return chosen


def _kind_of(sector: str, kind: str) -> str:
    """The kind an accident at an enterprise of `sector` is counted under."""
    if sector in SECTORS[Kind.MINING]:
        return Kind.MINING
    if sector in SECTORS[Kind.HAZARDOUS_CHEMICALS]:
        return Kind.HAZARDOUS_CHEMICALS
    return kind if kind in (Kind.INDUSTRIAL, Kind.FIRE) else Kind.INDUSTRIAL


def _unit(rng: random.Random, sc: Scenario, units: _Units, regions: Mapping[str, Region]):
    """The enterprise (or None) and the kind: the scenario's if an enterprise fits, looking further
    afield when none is free where it should be."""
    kind = sc.kind
    registry = sc.registry if sc.registry is not None else (
        kind not in UNREGISTERED_KINDS and not (kind == Kind.FIRE and rng.random() < UNREGISTERED_FIRE_SHARE))
    if not registry:
        return None, kind
    if sc.demo and units.demo is not None:
        return units.demo, _kind_of(units.demo.data["sector"], kind)
    places = [(sc.county, sc.exclude)]
    if sc.county is not None and regions[sc.county].level == RegionLevel.COUNTY:
        places.append((regions[sc.county].parent_id, sc.exclude))
    places.append((None, ()))
    for candidate in dict.fromkeys((kind, Kind.INDUSTRIAL)):
        for county, exclude in places:
            row = units.enterprise(rng, candidate, None, county=county, exclude=exclude)
            if row is not None:
                return row, _kind_of(row.data["sector"], candidate)
        if kind == Kind.FIRE:
            return None, kind
    return None, Kind.CONSTRUCTION  # no enterprise at all (a tiny demo): a building site


def _casualties(f: Mapping) -> str:
    parts = [f"{f[key]}人{label}" for key, label in (
        ("deaths", "死亡"), ("missing", "下落不明"), ("serious_injuries", "重伤"), ("minor_injuries", "轻伤"))
        if f[key]]
    return "造成" + "、".join(parts) if parts else "未造成人员伤亡"


def _build(rng: random.Random, fake: Faker, number: int, sc: Scenario, units: _Units,
           regions: Mapping[str, Region], now: datetime) -> DemoAccident:
    row, kind = _unit(rng, sc, units, regions)
    sc = replace(sc, kind=kind)
    sector = row.data["sector"] if row is not None else None
    types = [t for t in TYPES[kind] if t.sectors is None or sector in t.sectors]
    if row is not None:  # a second accident at ent-wuhou's enterprise is of another type
        done = units.types[row.data["uscc"]]
        types = [t for t in types if t.name not in done] or types
    atype = rng.choice(types)
    if row is not None:
        units.types[row.data["uscc"]].add(atype.name)
    if row is not None:
        county = regions[row.data["region_code"]]
        from benan.enterprises.models import Scale

        unit, principal = row.data["name"], row.data["legal_representative"] or fake.name()
        overview = (f"{unit}，统一社会信用代码{row.data['uscc']}，{Scale(row.data['scale']).label}企业，"
                    f"法定代表人{principal}，住所{row.data['address']}")
        lat, lon = row.data["lat"], row.data["lon"]
    else:
        from .generator import near

        county = units.county(rng, county=sc.county, exclude=sc.exclude)
        unit, overview = _unregistered_unit(rng, kind, county, regions[county.parent_id])
        principal = fake.name()
        lat, lon = near(rng, county.lat, county.lon)
    city = regions[county.parent_id]
    place, spot = _place(rng, fake, kind, atype, county, city, row)

    final = _figures(rng, sc.grade, kind, fatal=sc.late_report)
    grading = accident_grades.grade(final["deaths"], final["serious_injuries"], final["direct_loss_cny"])
    if sc.raised and kind not in TRAPPED_KINDS and "deaths" in grading.decided_by:
        # The injured who died later are one or two, not a crowd: the toll is just over the band.
        least = int(accident_grades.rules().rule(grading.grade).bands["deaths"].minimum)
        final = dict(final, deaths=min(final["deaths"], least + rng.randint(0, 1)))
    reported = final  # what the reports said before a late supplementary report
    if sc.late_report:
        reported = dict(final, deaths=final["deaths"] - 1, serious_injuries=final["serious_injuries"] + 1)
        if _grade(reported) != _grade(final):  # a late report never changes the grade here
            sc, reported = replace(sc, late_report=False), final
    snapshots = [reported]
    if sc.recent is not None:
        pass  # the first report is all there is yet
    elif sc.raised:
        snapshots.insert(0, _lower(rng, reported, kind))
    elif reported["deaths"] and rng.random() < DIED_LATER_SHARE:
        snapshots.insert(0, dict(reported, deaths=reported["deaths"] - 1,
                                 serious_injuries=reported["serious_injuries"] + 1))
    if sc.recent is None and rng.random() < LOSS_REFINED_SHARE:
        first = snapshots[0]
        estimate = (first["direct_loss_cny"] * rng.randint(60, 90) / 100).quantize(Decimal("100"))
        if _grade(dict(first, direct_loss_cny=estimate)) == _grade(first):
            snapshots.insert(0, dict(first, direct_loss_cny=estimate))
    initial = snapshots[0]
    facts = _Facts(number, sc, row, county, city, unit, overview, atype, final, initial, principal)

    # The reporting hours: the unit's report within the hour, the chain, follow-ups over the next days.
    if sc.recent is not None:
        known = now - timedelta(minutes=sc.recent)
        occurred = known - timedelta(minutes=rng.randint(3, 25))
    else:
        occurred = BASE + timedelta(hours=rng.choices(range(24), weights=HOUR_WEIGHTS)[0],
                                    minutes=rng.randrange(60))
        known = occurred + timedelta(minutes=rng.randint(3, 35))
    latest = 45 if sc.recent is None else min(45, sc.recent - 10)
    reported_at = known + timedelta(minutes=rng.randint(8, latest))
    story = _Story(rng, datetime.combine(occurred.date(), time()))
    reporter = ENTERPRISE if row is not None else COUNTY
    other = (f"事故发生后，{_office_name(regions, county, LEVEL_OF_LEAD[sc.grade])}负责同志带队赶赴现场"
             "指导救援和善后处置")
    story.at("report", reported_at, reporter, enterprise=row is not None, unit_name=unit,
             region_code=county.code, kind=kind, occurred_at=occurred, known_at=known, place=place,
             scene=atype.scene.format(place=spot, area=rng.randint(200, 3000)),
             summary=atype.summary.format(place=spot), measures=MEASURES_TAKEN[kind], unit_overview=overview,
             other=other, lat=lat, lon=lon, figures=dict(initial))
    dues = list(accident_grades.reporting_deadlines(_grade(initial), known).items())
    late_acks = 0
    if sc.recent is not None:
        pending = dues[sc.acked:]
        at = reported_at
        for level, _ in dues[:sc.acked]:
            room = max(int((now - at).total_seconds() // 60) - 1, 1)
            at = at + timedelta(minutes=rng.randint(1, min(6, room)))
            story.at("acknowledge", at, ACKNOWLEDGER[level], level=level, note=rng.choice(ACK_NOTES[level]))
    else:
        pending = []
        acks = _acks(rng, dues, reported_at, sc.late_acks)
        levels = {level for level, _ in dues}
        moment = reported_at
        for before, after in zip(snapshots, snapshots[1:], strict=False):
            moment = moment + timedelta(hours=rng.randint(2, 30), minutes=rng.randrange(60))
            story.at("follow_up", moment, reporter, figures=dict(after), note=_change_note(before, after))
            if _severity(_grade(after)) < _severity(_grade(before)):
                added = _added_dues(_grade(after), levels, moment)
                levels |= {level for level, _ in added}
                dues += added
                acks += _acks(rng, added, moment, sc.late_acks)
        for level, at in acks:
            story.at("acknowledge", at, ACKNOWLEDGER[level], level=level, note=rng.choice(ACK_NOTES[level]))
        due_of = dict(dues)
        late_acks = sum(at > due_of[level] for level, at in acks)
        for level, at in acks:
            if at > due_of[level]:  # the ten-minute sweep found it late first
                tick = due_of[level] + timedelta(minutes=10 - due_of[level].minute % 10)
                story.at("sweep", tick, SYSTEM)

    result = ({"extended": False, "extension": 0, "published": False, "measures": [], "accountability": [],
               "end": 0} if sc.recent is not None else _investigation(rng, fake, story, facts, regions))
    if sc.recent is not None:
        shift = timedelta(0)
        today_offset = (now.date() - story.start.date()).days
    else:
        end = max(result["end"], story.last_day() + 1)
        shift = datetime.combine(now.date() - timedelta(days=end), time()) - story.start
        today_offset = end
    steps = story.steps(shift)
    occurred += shift
    summary = f"{occurred:%Y年%m月%d日%H时%M分}，{unit}{steps[0].data['summary']}，{_casualties(initial)}。"
    steps = (replace(steps[0], data={**steps[0].data, "occurred_at": occurred, "known_at": known + shift,
                                     "summary": summary}), *steps[1:])
    moments = [s.at for s in steps]
    if moments != sorted(moments) or moments[-1] >= now:
        raise AssertionError(f"demo accident {number} is not in order before now: {sc}")
    state = STORY_STATES[sc.state]
    deadline = accident_grades.rules().report_days + result["extension"]
    changes = list(zip(snapshots, snapshots[1:], strict=False))
    kinds = [ReportKind.SUPPLEMENTARY.value if _casualties_of(a) != _casualties_of(b)
             else ReportKind.FOLLOW_UP.value for a, b in changes]
    if sc.late_report:
        kinds.append(ReportKind.SUPPLEMENTARY.value)
    return DemoAccident(
        number=number, uscc=row.data["uscc"] if row is not None else None, unit_name=unit, region=county.code,
        kind=kind, occurred_at=occurred, grade=_grade(final), initial_grade=_grade(initial),
        deaths=final["deaths"], serious_injuries=final["serious_injuries"],
        minor_injuries=final["minor_injuries"], missing=final["missing"],
        direct_loss_cny=final["direct_loss_cny"],
        state=state, overdue=state == INVESTIGATING and today_offset > deadline,
        extended=result["extended"], published=result["published"], follow_ups=tuple(kinds),
        late_reports=int(sc.late_report), pending_steps=len(pending),
        overdue_steps=sum(due < now for _, due in pending), late_acks=late_acks,
        measures=tuple(result["measures"]), accountability=tuple(result["accountability"]), steps=steps,
    )


LEVEL_OF_LEAD = {Grade.GENERAL: Level.COUNTY, Grade.RELATIVELY_MAJOR: Level.CITY, Grade.MAJOR: Level.PROVINCE,
                 Grade.ESPECIALLY_MAJOR: Level.PROVINCE}


def _casualties_of(f: Mapping) -> tuple[int, ...]:
    return f["deaths"], f["serious_injuries"], f["minor_injuries"], f["missing"]


def random_scenario(rng: random.Random) -> Scenario:
    state = _weighted(rng, STATE_WEIGHTS)
    grade = _weighted(rng, GRADE_WEIGHTS)
    kind = _weighted(rng, KIND_WEIGHTS)
    raised = grade == Grade.RELATIVELY_MAJOR and rng.random() < RAISED_SHARE
    late = state not in (REPORTED, INVESTIGATING) and rng.random() < LATE_REPORT_SHARE
    return Scenario(state, grade, kind, raised=raised, late_report=late)


def generate(
    rows: Sequence,
    n: int,
    seed: int,
    *,
    now: datetime,
    regions: Mapping[str, Region],
    demo_uscc: str | None = None,
) -> list[DemoAccident]:
    """`n` planned accidents among the enterprises `rows` (NewEnterprise) and the counties of `regions`,
    with stories ending before `now` (naive, local time). First the showcase (see SHOWCASE), then
    weighted at random: mostly 一般, a few 较大."""
    if n < 0:
        raise ValueError("n must not be negative")
    if timezone.is_aware(now):
        raise ValueError("now must be a naive local time")
    if not n:
        return []
    fake = Faker("zh_CN")
    fake.seed_instance(f"{seed}-accidents")
    rng = fake.random
    units = _Units(rows, regions, demo_uscc)
    planned = [_build(rng, fake, k, sc, units, regions, now) for k, sc in enumerate(SHOWCASE[:n], start=1)]
    while len(planned) < n:
        planned.append(_build(rng, fake, len(planned) + 1, random_scenario(rng), units, regions, now))
    return planned


# -- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccidentResult:
    accidents: int
    by_grade: dict[str, int]
    deaths: int
    follow_ups: int  # follow-up and supplementary reports
    late_reports: int  # supplementary reports after the window
    steps_pending: int
    steps_overdue: int
    steps_late: int  # acknowledged after the level's deadline
    investigations: dict[str, int]
    investigations_overdue: int
    extended: int  # still investigating, within the extended deadline or past it
    published: int
    measures: dict[str, int]
    accountability: dict[str, int]
    actors_created: int


class _Officials(demo_hazards._Actors):
    """The demo's actors (see demo.hazards), and the counties' safety offices (`office-<county>`), who
    acknowledge the county level and investigate 一般 accidents."""

    def county_office(self, county: str) -> User:
        region = self.regions[county]
        city = self.regions[region.parent_id]
        return self._make(f"office-{county}", Role.SAFETY_OFFICE, region=region,
                          first=f"{city.name}{region.name}安委办")

    def of(self, key: str, county: str, enterprise: Enterprise | None, demo_id: int | None) -> User:
        if key == COUNTY:
            login = demo_hazards.COUNTY_INSPECTORS.get(county)
            return self.users[login] if login in self.users else self.county_office(county)
        if key == COUNTY_OFFICE:
            return self.county_office(county)
        if key == CITY:
            return self.get(demo_hazards.OFFICE, county, enterprise, demo_id)
        if key == PROVINCE:
            return self.users[demo_hazards.PROVINCE_OFFICE]
        if key == INSPECTOR:
            return self.get(demo_hazards.INSPECTOR, county, enterprise, demo_id)
        return self.get(demo_hazards.ENTERPRISE, county, enterprise, demo_id)


def _moment(at: datetime) -> datetime:
    return timezone.make_aware(at)


class _Replay:
    """The objects one accident's story makes as it goes: the accident, its investigation, measures."""

    def __init__(self, plan: DemoAccident, enterprise: Enterprise | None, actor: Callable[[str], User]):
        self.plan, self.enterprise, self.actor = plan, enterprise, actor
        self.accident = self.investigation = self.report = None
        self.measures: dict[int, Measure] = {}

    def run(self) -> None:
        for step in self.plan.steps:
            with clock.as_of(_moment(step.at)):
                user = self.actor(step.actor) if step.actor != SYSTEM else None
                getattr(self, f"do_{step.action}")(user, step.at.date(), step.data)

    def do_sweep(self, user, day, data):
        services.sweep()

    def _pdf(self, user, name: str, title: str):
        return store(actor=user, upload=SimpleUploadedFile(name, pdf(title), "application/pdf"))

    def _png(self, user, name: str, seed: str):
        return store(actor=user, upload=SimpleUploadedFile(name, demo_hazards.png(32, 24, seed), "image/png"))

    def do_report(self, user, day, data):
        values = {k: v for k, v in data.items() if k not in ("enterprise", "figures")}
        values.update(data["figures"], occurred_at=_moment(data["occurred_at"]),
                      known_at=_moment(data["known_at"]))
        if data["enterprise"]:
            values["enterprise_id"] = self.enterprise.pk
        self.accident = services.report_accident(actor=user, data=values)

    def do_acknowledge(self, user, day, data):
        step = ReportingStep.objects.get(accident=self.accident, level=data["level"])
        services.acknowledge(actor=user, step=step, note=data["note"])

    def do_follow_up(self, user, day, data):
        services.follow_up(actor=user, accident=self.accident, figures=data["figures"], note=data["note"])

    def do_open(self, user, day, data):
        self.investigation = services.open_investigation(
            actor=user, accident=self.accident, team=data["team"], started_on=day)

    def do_extend(self, user, day, data):
        services.extend_investigation(actor=user, investigation=self.investigation, days=data["days"],
                                      reason=data["reason"])

    def do_submit(self, user, day, data):
        self.report = self._pdf(user, f"事故调查报告-{self.accident.number}.pdf", data["title"])
        services.submit_report(actor=user, investigation=self.investigation, attachment_id=self.report.pk,
                               summary=data["summary"], submitted_on=day)

    def do_reply(self, user, day, data):
        services.reply(actor=user, investigation=self.investigation, reply=data["reply"], replied_on=day)

    def do_publish(self, user, day, data):
        services.publish(actor=user, investigation=self.investigation)

    def do_close(self, user, day, data):
        services.close(actor=user, investigation=self.investigation)

    def do_four_nos(self, user, day, data):
        item = data["item"]
        if data["evidence"] == "report":
            evidence = self.report
        elif data["evidence"] == "pdf":
            evidence = self._pdf(user, f"{FourNos(item).label}-{self.accident.number}.pdf",
                                 f"Four-nos evidence ({item}), demo accident {self.plan.number}")
        else:
            evidence = self._png(user, f"警示教育-{self.accident.number}.png",
                                 f"education-{self.plan.number}")
        services.mark_four_nos(actor=user, investigation=self.investigation, item=item,
                               note=FOUR_NOS_NOTES[item], attachment_ids=[evidence.pk])

    def do_accountability(self, user, day, data):
        services.record_accountability(actor=user, accident=self.accident, decided_on=day, **data)

    def do_add_measure(self, user, day, data):
        to_enterprise = data["assignee"] == ENTERPRISE
        self.measures[data["index"]] = services.add_measure(
            actor=user, investigation=self.investigation, description=data["description"],
            due_date=day + timedelta(days=data["due_days"]),
            assignee_enterprise_id=self.enterprise.pk if to_enterprise else None,
            assignee_region=None if to_enterprise else data["assignee"], department=data["department"],
        )

    def do_submit_measure(self, user, day, data):
        measure = self.measures[data["index"]]
        photo = self._png(user, f"整改落实-{self.accident.number}-{data['index'] + 1}.png",
                          f"measure-{self.plan.number}-{data['index']}-{day.isoformat()}")
        services.submit_measure(actor=user, measure=measure, result=data["result"], attachment_ids=[photo.pk])

    def do_reject_measure(self, user, day, data):
        services.reject_measure(actor=user, measure=self.measures[data["index"]], comment=data["comment"])

    def do_verify_measure(self, user, day, data):
        services.verify_measure(actor=user, measure=self.measures[data["index"]], comment=data["comment"])


def _counts(queryset, field_name: str) -> dict[str, int]:
    return dict(queryset.values_list(field_name).annotate(n=Count("id")).values_list(field_name, "n"))


def install(
    *,
    rows: Sequence,
    n: int,
    seed: int,
    regions: Mapping[str, Region],
    progress: Callable[[int], None] | None = None,
) -> AccidentResult:
    """Plan `n` accidents over the demo enterprises and replay them through the services, up to a
    minute ago (with the accident sweep where the ten-minute job would have found something late),
    then run the sweep once more now. Call inside the demo's transaction."""
    now = timezone.localtime(clock.now()).replace(tzinfo=None, second=0, microsecond=0) - timedelta(minutes=1)
    demo_user = (User.objects.filter(username=demo_hazards.DEMO_ENTERPRISE_USER)
                 .select_related("enterprise").first())
    demo_enterprise = demo_user.enterprise if demo_user and demo_user.enterprise_id else None
    plan = generate(rows, n, seed, now=now, regions=regions,
                    demo_uscc=demo_enterprise.uscc if demo_enterprise else None)
    enterprises = Enterprise.objects.in_bulk([p.uscc for p in plan if p.uscc], field_name="uscc")
    actors = _Officials(regions)
    demo_id = demo_enterprise.pk if demo_enterprise else None
    for item in plan:
        enterprise = enterprises.get(item.uscc) if item.uscc else None
        _Replay(item, enterprise,
                lambda key, e=enterprise, c=item.region: actors.of(key, c, e, demo_id)).run()
        if progress is not None:
            progress(1)
    services.sweep()  # as the ten-minute job would now: the live board's late level, overdue measures
    return result(len(actors.created))


def result(actors_created: int = 0) -> AccidentResult:
    """What the database holds now, for the demo's summary."""
    today, now = clock.today(), clock.now()
    accidents = Accident.objects.all()
    steps = ReportingStep.objects.all()
    investigating = Investigation.objects.filter(state=InvestigationState.INVESTIGATING)
    return AccidentResult(
        accidents=accidents.count(),
        by_grade=_counts(accidents, "grade"),
        deaths=accidents.aggregate(n=Sum("deaths"))["n"] or 0,
        follow_ups=AccidentReport.objects.exclude(kind=ReportKind.INITIAL).count(),
        late_reports=AccidentReport.objects.filter(late=True).count(),
        steps_pending=steps.filter(state=StepState.PENDING).count(),
        steps_overdue=steps.filter(state=StepState.PENDING, due_at__lt=now).count(),
        steps_late=steps.filter(acknowledged_at__gt=F("due_at")).count(),
        investigations=_counts(Investigation.objects.all(), "state"),
        investigations_overdue=sum(today > i.deadline for i in investigating),
        extended=investigating.filter(extended_days__gt=0).count(),
        published=Investigation.objects.filter(published_on__isnull=False).count(),
        measures=_counts(Measure.objects.all(), "state"),
        accountability=_counts(Accountability.objects.all(), "kind"),
        actors_created=actors_created,
    )
