"""`benan demo`: fill an empty database with a deterministic demo province, its accounts, its
hazards, its enforcement cases, its accidents, its power alerts, its emergency resources and its
supervised assignments (every state of each loop, written through the real services; the power
readings go to the lake).

Refuses (exit 1) when enterprises already exist, so it never duplicates; `--if-empty` turns
that refusal into a quiet skip, which is what `make run` wants.
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from benan.accidents.models import AccountabilityKind, Grade, InvestigationState, MeasureState
from benan.demo import accidents as demo_accidents
from benan.demo import emergency as demo_emergency
from benan.demo import enforcement as demo_enforcement
from benan.demo import generator
from benan.demo import hazards as demo_hazards
from benan.demo import power as demo_power
from benan.demo import supervision as demo_supervision
from benan.emergency.models import (
    DrillState,
    EquipmentStatus,
    FollowUpState,
    LoanState,
    OrderState,
    Readiness,
    WarehouseLevel,
)
from benan.enforcement.models import BlacklistState, CaseState, ReferralState, SuspensionState
from benan.enterprises.models import Enterprise, Status
from benan.hazards.models import HazardState
from benan.power.models import AlertKind, AlertState
from benan.supervision.models import AssignmentState, TargetState


class Command(BaseCommand):
    help = (
        "生成演示数据：四川省各区县的企业（含状态时间线）、演示账号（密码 demo-2026）、隐患排查治理记录"
        "、行政执法案件、生产安全事故、电力数据预警、应急资源和督办交办事项"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprises", type=int, default=generator.DEFAULT_ENTERPRISES,
            help=f"企业数量（默认 {generator.DEFAULT_ENTERPRISES}）",
        )
        parser.add_argument(
            "--hazards", type=int, default=None,
            help=f"隐患数量（默认为企业数的一半，最多 {demo_hazards.MAX_DEFAULT}；0 表示不生成隐患）",
        )
        parser.add_argument(
            "--cases", type=int, default=None,
            help=(
                f"执法案件数量（默认为企业数的八分之一，最多 {demo_enforcement.MAX_DEFAULT}；"
                "0 表示不生成案件）"
            ),
        )
        parser.add_argument(
            "--accidents", type=int, default=None,
            help=(
                f"生产安全事故数量（默认为企业数的四十分之一，企业数不少于 "
                f"{demo_accidents.MIN_DEFAULT_ENTERPRISES} 时至少 {demo_accidents.MIN_DEFAULT} 起，"
                f"最多 {demo_accidents.MAX_DEFAULT}；0 表示不生成事故）"
            ),
        )
        parser.add_argument(
            "--power", type=int, default=None,
            help=(
                f"安装电表、模拟用电数据并扫描预警的企业数量（默认企业数不少于 "
                f"{demo_power.MIN_DEFAULT_ENTERPRISES} 时为企业数的五十分之一，"
                f"至少 {demo_power.MIN_DEFAULT}、最多 {demo_power.MAX_DEFAULT} 家，否则不生成；0 表示不生成）"
            ),
        )
        parser.add_argument(
            "--emergency", type=int, default=None,
            help=(
                f"应急救援队伍数量，连同物资库、物资、装备公物仓、调度和演练（默认企业数不少于 "
                f"{demo_emergency.MIN_DEFAULT_ENTERPRISES} 时为企业数的二十五分之一，"
                f"至少 {demo_emergency.MIN_DEFAULT}、最多 {demo_emergency.MAX_DEFAULT} 支，否则不生成；"
                f"0 表示不生成，否则不少于 {demo_emergency.MIN_TEAMS}）"
            ),
        )
        parser.add_argument(
            "--assignments", type=int, default=None,
            help=(
                f"督办交办事项数量（默认在生成隐患且企业数不少于 "
                f"{demo_supervision.MIN_DEFAULT_ENTERPRISES} 时为 {demo_supervision.MIN_DEFAULT} 项"
                f"另加每一千家企业一项，最多 {demo_supervision.MAX_DEFAULT} 项，否则不生成；0 表示不生成）"
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=generator.DEFAULT_SEED,
            help=f"随机种子，相同种子生成相同数据（默认 {generator.DEFAULT_SEED}）",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="已有企业数据时什么也不做（而不是报错）",
        )

    def handle(self, *args, **options):
        n = options["enterprises"]
        if n < 0:
            raise CommandError("--enterprises 不能是负数")
        hazards = demo_hazards.default_count(n) if options["hazards"] is None else options["hazards"]
        if hazards < 0:
            raise CommandError("--hazards 不能是负数")
        cases = options["cases"]
        if cases is None:
            cases = demo_enforcement.default_count(n)
        if cases < 0:
            raise CommandError("--cases 不能是负数")
        accidents = options["accidents"]
        if accidents is None:
            accidents = demo_accidents.default_count(n)
        if accidents < 0:
            raise CommandError("--accidents 不能是负数")
        power = options["power"]
        if power is None:
            power = demo_power.default_count(n)
        if power < 0:
            raise CommandError("--power 不能是负数")
        emergency = options["emergency"]
        if emergency is None:
            emergency = demo_emergency.default_count(n)
        if emergency < 0:
            raise CommandError("--emergency 不能是负数")
        if 0 < emergency < demo_emergency.MIN_TEAMS:
            raise CommandError(
                f"--emergency 为 0（不生成）或不少于 {demo_emergency.MIN_TEAMS}（21 个市州的骨干队伍）"
            )
        assignments = options["assignments"]
        if assignments is None:
            assignments = demo_supervision.default_count(n, hazards)
        if assignments < 0:
            raise CommandError("--assignments 不能是负数")
        existing = Enterprise.objects.count()
        if existing and options["if_empty"]:
            self.stdout.write(f"数据库中已有 {existing} 家企业，跳过演示数据生成（--if-empty）")
            return
        started = time.perf_counter()
        # disable=None: a bar on a terminal, nothing in logs and pipes.
        bars = dict(unit="家", file=sys.stderr, disable=None, leave=False, dynamic_ncols=True)
        with (
            tqdm(total=n, desc="生成", **bars) as made,
            tqdm(total=n, desc="写入", **bars) as written,
            tqdm(total=hazards, desc="隐患", **{**bars, "unit": "条"}) as found,
            tqdm(total=cases, desc="案件", **{**bars, "unit": "件"}) as handled,
            tqdm(total=accidents, desc="事故", **{**bars, "unit": "起"}) as happened,
            tqdm(total=power, desc="电力", **bars) as metered,
            tqdm(total=emergency, desc="应急", **{**bars, "unit": "支"}) as mustered,
            tqdm(total=assignments, desc="督办", **{**bars, "unit": "项"}) as assigned,
        ):
            try:
                result = generator.install(
                    enterprises=n, seed=options["seed"], generated=made.update, inserted=written.update,
                    hazards=hazards, hazard_progress=found.update, cases=cases, case_progress=handled.update,
                    accidents=accidents, accident_progress=happened.update,
                    power=power, power_progress=metered.update,
                    emergency=emergency, emergency_progress=mustered.update,
                    assignments=assignments, assignment_progress=assigned.update,
                )
            except generator.DemoError as error:
                raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        statuses = "，".join(
            f"{Status(s).label} {result.statuses[s]}" for s in Status.values if result.statuses.get(s)
        )
        self.stdout.write(
            f"演示数据：企业 {result.enterprises} 家（{statuses or '无'}），"
            f"状态时间段 {result.periods} 条，"
            f"演示账号新建 {len(result.users_created)} 个，审计日志新增 {result.audit_entries} 条；"
            f"种子 {options['seed']}，用时 {elapsed:.1f} 秒"
        )
        if result.hazards is not None:
            self.stdout.write(hazard_line(result.hazards))
        if result.cases is not None:
            self.stdout.write(case_line(result.cases))
        if result.accidents is not None:
            self.stdout.write(accident_line(result.accidents))
        if result.power is not None:
            self.stdout.write(power_line(result.power))
        if result.emergency is not None:
            self.stdout.write(emergency_line(result.emergency))
        if result.assignments is not None:
            self.stdout.write(assignment_line(result.assignments))
        if result.users_skipped:
            self.stdout.write(f"已存在或无法创建、未改动的账号：{'、'.join(result.users_skipped)}")


def hazard_line(result: demo_hazards.HazardResult) -> str:
    states = "，".join(
        f"{HazardState(s).label} {result.states.get(s, 0)}"
        + (f"（其中逾期 {result.overdue}）" if s == HazardState.RECTIFYING else "")
        for s in HazardState.values
    )
    return (
        f"演示隐患：{result.hazards} 条（{states}），其中重大事故隐患 {result.major} 条，"
        f"挂牌督办中 {result.listed} 条、已摘牌 {result.delisted} 条；排查记录 {result.inspections} 次；"
        f"新建执法、安委办和企业账号 {result.actors_created} 个（不可登录，仅用于演示数据中的操作）"
    )


def case_line(result: demo_enforcement.CaseResult) -> str:
    def labelled(choices, counts: dict) -> str:
        return "，".join(f"{choices(s).label} {counts[s]}" for s in choices.values if counts.get(s)) or "无"

    return (
        f"演示执法案件：{result.cases} 件（{labelled(CaseState, result.states)}；"
        f"超过办案期限未决定 {result.overdue} 件），其中一案双罚 {result.dual_penalty} 件，"
        f"罚没金额合计 {result.fines_total:,.2f} 元；"
        f"停产整顿令：停产整顿中 {result.suspensions.get(SuspensionState.IN_FORCE, 0)} 份、"
        f"已解除 {result.suspensions.get(SuspensionState.LIFTED, 0)} 份；"
        f"涉嫌犯罪案件移送 {sum(result.referrals.values())} 件"
        f"（{labelled(ReferralState, result.referrals)}）；"
        f"严重失信主体名单 {sum(result.blacklist.values())} 条"
        f"（{labelled(BlacklistState, result.blacklist)}；"
        f"公示中 {result.blacklist_public} 条，期满移出 {result.expired} 条）；"
        f"执法检查和复查 {result.inspections} 次，新建账号 {result.actors_created} 个（不可登录）"
    )


def accident_line(result: demo_accidents.AccidentResult) -> str:
    def labelled(choices, counts: dict, *, every: bool = False) -> str:
        return "，".join(
            f"{choices(s).label} {counts.get(s, 0)}" for s in choices.values if every or counts.get(s)
        ) or "无"

    grades = "，".join(
        f"{Grade(g).label.removesuffix('事故')} {result.by_grade.get(g, 0)}" for g in Grade.values
    )
    investigations = "，".join(
        f"{InvestigationState(s).label} {result.investigations.get(s, 0)}"
        + (f"（其中逾期 {result.investigations_overdue}、延期 {result.extended}）"
           if s == InvestigationState.INVESTIGATING else "")
        for s in InvestigationState.values
    )
    return (
        f"演示生产安全事故：{result.accidents} 起（{grades}），死亡 {result.deaths} 人；"
        f"续报、补报 {result.follow_ups} 次，其中逾期补报 {result.late_reports} 次；"
        f"报告链待接报 {result.steps_pending} 个（其中已超时 {result.steps_overdue} 个），"
        f"超时接报 {result.steps_late} 个；事故调查：{investigations}，已公布调查报告 {result.published} 份；"
        f"整改措施 {sum(result.measures.values())} 项"
        f"（{labelled(MeasureState, result.measures, every=True)}）；"
        f"责任追究 {sum(result.accountability.values())} 人"
        f"（{labelled(AccountabilityKind, result.accountability, every=True)}）；"
        f"新建账号 {result.actors_created} 个（不可登录）"
    )


def power_line(result: demo_power.PowerResult) -> str:
    states = "，".join(f"{AlertState(s).label} {result.alerts.get(s, 0)}" for s in AlertState.values)
    kinds = "，".join(f"{AlertKind(k).label} {result.kinds.get(k, 0)}" for k in AlertKind.values)
    added = f"，其中为演示新增停产整顿 {result.suspensions_added} 家" if result.suspensions_added else ""
    return (
        f"演示电力数据：企业 {result.enterprises} 家{added}，电表 {result.meters} 块，"
        f"{result.first_day} 至 {result.last_day} 的15分钟用电读数 {result.readings:,} 条，"
        f"每周扫描 {result.scans} 次；电力数据预警 {sum(result.alerts.values())} 条（{kinds}；{states}），"
        f"其中已立案 {result.with_case} 条；新建账号 {result.actors_created} 个（不可登录）"
    )


def emergency_line(result: demo_emergency.EmergencyResult) -> str:
    def labelled(choices, counts: dict) -> str:
        return "，".join(f"{choices(s).label} {counts[s]}" for s in choices.values if counts.get(s)) or "无"

    accident = f"事故 {result.accident} 的现场调度" if result.accident else "（无可调度的近期事故）"
    return (
        f"演示应急资源：救援队伍 {result.teams} 支（{labelled(Readiness, result.readiness)}），"
        f"覆盖 {result.cities} 个市州；物资库 {sum(result.warehouses.values())} 个"
        f"（{labelled(WarehouseLevel, result.warehouses)}；装备公物仓 {result.pools} 个），"
        f"库存品目 {result.stock_lines} 条、批次 {result.batches} 个，"
        f"低于最低库存 {result.below_minimum} 条，"
        f"30 天内到期或已过期 {result.expiring} 批（其中已过期 {result.expired} 批）；"
        f"装备 {sum(result.equipment.values())} 台套（{labelled(EquipmentStatus, result.equipment)}），"
        f"借用 {sum(result.loans.values())} 次（{labelled(LoanState, result.loans)}；"
        f"逾期未还 {result.overdue_loans} 次），30 天内到期保养 {result.maintenance_due} 台套；"
        f"应急调度 {result.dispatches} 次（含{accident}），"
        f"调度指令 {sum(result.orders.values())} 条（{labelled(OrderState, result.orders)}）；"
        f"演练和培训 {sum(result.drills.values())} 次（{labelled(DrillState, result.drills)}），"
        f"整改事项 {sum(result.follow_ups.values())} 项（{labelled(FollowUpState, result.follow_ups)}；"
        f"逾期 {result.overdue_follow_ups} 项）；新建账号 {result.actors_created} 个（不可登录）"
    )


def assignment_line(result: demo_supervision.SupervisionResult) -> str:
    assignments = "，".join(
        f"{AssignmentState(s).label} {result.assignments.get(s, 0)}" for s in AssignmentState.values
    )
    returned = f"（其中退回后重办 {result.returned}）" if result.returned else ""
    targets = "，".join(
        f"{TargetState(s).label} {result.targets.get(s, 0)}"
        + (returned if s == TargetState.IN_PROGRESS else "")
        for s in TargetState.values
    )
    return (
        f"演示督办交办：{sum(result.assignments.values())} 项（{assignments}）；"
        f"承办区划 {sum(result.targets.values())} 个（{targets}），"
        f"逾期未办结 {result.overdue} 个（逾期提醒 {result.escalated} 条），"
        f"本周到期 {result.due_this_week} 个；"
        f"进展报告 {result.progress_reports} 份，办结报送 {result.completion_reports} 份；"
        f"新建账号 {result.actors_created} 个（不可登录）"
    )
