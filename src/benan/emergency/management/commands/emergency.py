"""`benan emergency sweep [--today YYYY-MM-DD]`: escalate overdue equipment returns and drill
follow-ups, remind of due maintenance (also a daily Huey task). Safe to run repeatedly."""

from django.core.management.base import BaseCommand

from benan.core.management.options import today_option


class Command(BaseCommand):
    help = "应急资源：sweep 对逾期未还的装备、到期保养和逾期的演练整改事项升级提醒"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sweep = sub.add_parser("sweep", help="逾期和到期提醒")
        sweep.add_argument("--today", help="按该日期计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        from benan.emergency.services import sweep

        today = today_option(options)
        result = sweep(today=today)
        self.stdout.write(
            f"装备逾期未还提醒 {result['loans']} 条，到期保养提醒 {result['maintenance']} 条，"
            f"演练整改逾期提醒 {result['follow_ups']} 条"
        )
