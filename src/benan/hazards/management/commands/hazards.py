"""`benan hazards sweep [--today YYYY-MM-DD]`: escalate overdue hazards (also a Huey periodic task)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from benan.hazards.services import sweep_overdue


class Command(BaseCommand):
    help = "隐患：sweep 对整改逾期的隐患升级提醒（通知企业、区县执法人员和上一级安委办）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sweep = sub.add_parser("sweep", help="升级提醒整改逾期的隐患")
        sweep.add_argument("--today", help="按这一天计算逾期（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today 必须是日期 YYYY-MM-DD，收到“{options['today']}”") from exc
        count = sweep_overdue(today=today)
        self.stdout.write(f"已升级提醒 {count} 条逾期隐患")
