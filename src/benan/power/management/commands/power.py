"""`benan power <subcommand>`: the power analytics (电力助应急) from the command line.

`benan power simulate --enterprises N --days D --seed S --out DIR [--start 2026-01-01] [--single-meter]`
writes simulated meter readings (DIR/readings/*.parquet), meters.csv, status.csv and the true
violations (truth.csv) for developing and scoring the detector; it needs no database.
`detect --readings --meters --status --out [--engine duckdb|pyspark]` writes alerts from files (no
database); `evaluate --alerts --truth` scores them. In the app: `meters FILE` registers meters,
`ingest PATH` validates readings into the lake, `scan [--since --until]` creates or extends alerts,
`labels --out FILE [--confirmed-only]` exports the on-site outcomes (confirmed ones serve as --truth).
Bad files exit with status 2, listing every problem by file, row and column.
Each subcommand is a parser in `add_arguments` and a handler in HANDLERS.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}", returncode=2) from exc


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise CommandError(f"应为正整数：{value}", returncode=2)
    return number


def simulate(command: BaseCommand, options: dict) -> None:
    from benan.power import simulate as sim

    summary = sim.run(
        options["out"],
        enterprises=_positive(options["enterprises"]),
        days=_positive(options["days"]),
        seed=int(options["seed"]),
        start=_date(options["start"]),
        single_meter=options["single_meter"],
    )
    violations = summary["violations"]
    command.stdout.write(
        f"企业 {summary['enterprises']} 家，电表 {summary['meters']} 块，"
        f"读数 {summary['readings']:,} 条（{summary['files']} 个文件），"
        f"违法时段：明停暗开 {violations['covert_operation']} 段，"
        f"边建边开 {violations['premature_operation']} 段，"
        f"用时 {summary['seconds']} 秒 → {options['out']}"
    )


def detect(command: BaseCommand, options: dict) -> None:
    import time

    from benan.power import engines, formats

    started = time.perf_counter()
    try:
        meters = formats.read_meters(options["meters"])
        status = formats.read_status(options["status"])
        con = engines.connect(options["engine"])
        readings = engines.read_readings(con, formats.check_readings(options["readings"]))
        result = engines.run(
            con,
            readings,
            meters,
            status,
            since=options["since"] and _date(options["since"]),
            until=options["until"] and _date(options["until"]),
        )
    except formats.FileProblems as exc:
        raise CommandError(str(exc), returncode=2) from exc
    formats.write_alerts(options["out"], result.alerts)
    if options["quality"]:
        formats.write_quality(options["quality"], result.quality)
    kinds = {k: sum(a["kind"] == k for a in result.alerts) for k in formats.KINDS}
    command.stdout.write(
        f"{result.first_day} 至 {result.last_day}，电表日 {result.meter_days:,} 个："
        f"预警 {len(result.alerts)} 条"
        f"（明停暗开 {kinds['covert_operation']}，边建边开 {kinds['premature_operation']}），"
        f"数据质量问题 {len(result.quality)} 项，引擎 {options['engine']}，"
        f"用时 {time.perf_counter() - started:.1f} 秒 → {options['out']}"
    )


def evaluate(command: BaseCommand, options: dict) -> None:
    import json

    from benan.power import evaluate as ev

    try:
        scores = ev.evaluate(options["alerts"], options["truth"])
    except (OSError, ValueError) as exc:
        raise CommandError(str(exc), returncode=2) from exc
    if options["json"]:
        command.stdout.write(json.dumps([s.as_dict() for s in scores], ensure_ascii=False))
    else:
        command.stdout.write(ev.table(scores))


def meters(command: BaseCommand, options: dict) -> None:
    from benan.power import formats, services

    try:
        result = services.register_meters(formats.read_meters(options["file"]), source=options["file"])
    except formats.FileProblems as exc:
        raise CommandError(str(exc), returncode=2) from exc
    command.stdout.write(
        f"电表登记：新增 {result['added']} 块，变更所属企业 {result['moved']} 块，"
        f"未变 {result['unchanged']} 块"
    )


def ingest(command: BaseCommand, options: dict) -> None:
    from benan.power import formats, services

    try:
        report = services.ingest(options["path"], progress=not options["quiet"])
    except formats.FileProblems as exc:
        raise CommandError(f"导入失败，未写入任何数据：\n{exc}", returncode=2) from exc
    command.stdout.write(
        f"导入 {report.files} 个文件：读取 {report.rows_read:,} 条，新写入 {report.rows_written:,} 条，"
        f"重复 {report.duplicates_dropped:,} 条（其中取值冲突 {report.conflicts:,} 条，以后到的为准），"
        f"电表 {report.meters} 块，月份 {'、'.join(report.months) or '无'}，用时 {report.seconds:.1f} 秒"
    )


def scan(command: BaseCommand, options: dict) -> None:
    from django.core.exceptions import ValidationError

    from benan.power import services

    try:
        report = services.scan(
            since=options["since"] and _date(options["since"]),
            until=options["until"] and _date(options["until"]),
            engine=options["engine"],
        )
    except ValidationError as exc:
        raise CommandError("；".join(exc.messages), returncode=2) from exc
    if report.first_day is None:
        command.stdout.write(
            "没有可扫描的电表读数（先用 benan power meters 登记电表、benan power ingest 导入读数）"
        )
        return
    command.stdout.write(
        f"扫描 {report.first_day} 至 {report.last_day}：发现 {report.found} 段异常，"
        f"新建预警 {report.created} 条，"
        f"延长 {report.extended} 条，无变化 {report.unchanged} 条，已核查过的 {report.already_checked} 条；"
        f"数据质量问题 {len(report.quality)} 项"
    )


def labels(command: BaseCommand, options: dict) -> None:
    """The outcomes of on-site checks, for scoring the detector on real feedback."""
    import csv

    from benan.power.models import AlertState, PowerAlert

    states = (
        [AlertState.CONFIRMED]
        if options["confirmed_only"]
        else [AlertState.CONFIRMED, AlertState.FALSE_ALARM]
    )
    rows = (
        PowerAlert.objects.filter(state__in=states)
        .order_by("enterprise__uscc", "kind", "start_date")
        .values_list("enterprise__uscc", "kind", "start_date", "end_date", "state", "checked_on")
    )
    with open(options["out"], "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["uscc", "kind", "start_date", "end_date", "outcome", "checked_on"])
        n = 0
        for uscc, kind, start, end, state, checked in rows.iterator():
            w.writerow(
                [
                    uscc,
                    kind,
                    start.isoformat(),
                    end.isoformat(),
                    state,
                    checked.isoformat() if checked else "",
                ]
            )
            n += 1
    command.stdout.write(f"核查结果 {n} 条 → {options['out']}")


HANDLERS = {
    "labels": labels,
    "simulate": simulate,
    "detect": detect,
    "evaluate": evaluate,
    "meters": meters,
    "ingest": ingest,
    "scan": scan,
}


class Command(BaseCommand):
    help = (
        "电力助应急：simulate 生成模拟数据；detect 发现异常；evaluate 评估预警；"
        "meters 登记电表；ingest 导入读数；scan 扫描生成预警"
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sim = sub.add_parser(
            "simulate", help="生成模拟的15分钟电表读数（Parquet）与企业状态、真实违法时段（CSV）"
        )
        sim.add_argument("--enterprises", required=True, help="企业数")
        sim.add_argument("--days", required=True, help="天数")
        sim.add_argument("--seed", type=int, default=1, help="随机种子（相同参数得到相同数据）")
        sim.add_argument("--out", required=True, help="输出目录")
        sim.add_argument("--start", default="2026-01-01", help="第一天，YYYY-MM-DD")
        sim.add_argument("--single-meter", action="store_true", help="每家企业只有一块电表")

        det = sub.add_parser("detect", help="从电表读数中发现明停暗开、边建边开，输出预警 CSV")
        det.add_argument("--readings", required=True, help="读数：Parquet 文件或目录，或 CSV 文件")
        det.add_argument("--meters", required=True, help="电表 CSV：meter_id,uscc[,sector]")
        det.add_argument("--status", required=True, help="企业状态 CSV：uscc,status,start_date,end_date")
        det.add_argument(
            "--out", required=True, help="预警 CSV：uscc,kind,start_date,end_date,score,evidence"
        )
        det.add_argument("--engine", choices=["duckdb", "pyspark"], default="duckdb", help="计算引擎")
        det.add_argument("--since", default=None, help="只看此日起的读数，YYYY-MM-DD")
        det.add_argument("--until", default=None, help="只看到此日止的读数，YYYY-MM-DD")
        det.add_argument(
            "--quality", default=None, help="另存数据质量问题 CSV（负值、尖峰、缺数、重复、零值段）"
        )
        ev = sub.add_parser("evaluate", help="按真实违法时段计算预警的精确率、召回率、F1 和发现延迟")
        ev.add_argument("--alerts", required=True, help="预警 CSV")
        ev.add_argument("--truth", required=True, help="真实违法时段 CSV：uscc,kind,start_date,end_date")
        ev.add_argument("--json", action="store_true", help="输出 JSON")

        met = sub.add_parser("meters", help="登记电表与企业的对应关系（CSV：meter_id,uscc）")
        met.add_argument("file", help="电表 CSV")
        ing = sub.add_parser("ingest", help="校验并导入电表读数到数据湖（按文件全有或全无）")
        ing.add_argument("path", help="Parquet/CSV 文件或目录")
        ing.add_argument("--quiet", action="store_true", help="不显示进度条")
        sc = sub.add_parser("scan", help="按企业状态时间线扫描数据湖，新建或延长预警")
        sc.add_argument("--since", default=None, help="YYYY-MM-DD")
        sc.add_argument("--until", default=None, help="YYYY-MM-DD")
        sc.add_argument("--engine", choices=["duckdb", "pyspark"], default="duckdb", help="计算引擎")

        lab = sub.add_parser("labels", help="导出现场核查结果（属实/误报），可作 evaluate 的 --truth")
        lab.add_argument("--out", required=True, help="CSV：uscc,kind,start_date,end_date,outcome,checked_on")
        lab.add_argument("--confirmed-only", action="store_true", help="只导出核查属实的")

    def handle(self, *args, **options):
        HANDLERS[options["subcommand"]](self, options)
