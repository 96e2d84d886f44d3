"""`benan supervision sweep [--today YYYY-MM-DD]`: escalate overdue targets of supervised
assignments, once per deadline (also a daily Huey task). Safe to run repeatedly."""

from django.core.management.base import BaseCommand

from benan.core.management.options import today_option


class Command(BaseCommand):
    help = "监管督办：sweep 对逾期未办结的督办事项升级提醒"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sweep = sub.add_parser("sweep", help="逾期督办事项提醒")
        sweep.add_argument("--today", help="按该日期计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        from benan.supervision.assignments import sweep

        today = today_option(options)
        result = sweep(today=today)
        self.stdout.write(f"督办事项逾期提醒 {result['targets']} 条")
