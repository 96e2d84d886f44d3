"""`benan enforcement sweep [--today YYYY-MM-DD]`: the daily enforcement sweep (also a Huey
periodic task): blacklist entries whose term ended leave the list, late cases and referrals
are escalated once."""

from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from benan.core import clock
from benan.enforcement.services import sweep


class Command(BaseCommand):
    help = "行政执法：sweep 期满移出失信名单、对超期案件和移送升级提醒"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("sweep", help="期满移出失信名单，升级提醒超期案件和移送")
        run.add_argument("--today", help="按这一天计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        day = None
        if options.get("today"):
            try:
                day = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today 必须是日期 YYYY-MM-DD，收到“{options['today']}”") from exc
        if day is None:
            result = sweep()
        else:
            with clock.as_of(timezone.make_aware(datetime.combine(day, time(12)))):
                result = sweep(today=day)
        self.stdout.write(
            f"失信名单期满移出 {result['blacklist_expired']} 条，"
            f"超期案件提醒 {result['cases_escalated']} 件，"
            f"移送逾期提醒 {result['referrals_escalated']} 件"
        )
