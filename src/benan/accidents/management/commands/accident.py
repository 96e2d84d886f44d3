"""`benan accident grade --deaths N --serious-injuries N --direct-loss-cny X`: the Decree 493 grade
as JSON, e.g. {"grade": "relatively_major", "name": "较大事故", "decided_by": ["deaths"], ...}.
Bad input exits with status 2 naming the criterion; grading needs no database.
`benan accident sweep`: escalate late reporting levels and overdue measures (also a Huey task)."""

import json

from django.core.management.base import BaseCommand, CommandError

from benan.standards import accident_grades


class Command(BaseCommand):
    help = "生产安全事故：grade 按国务院令第493号计算事故等级（以上含本数，以下不含本数）"
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        grade = sub.add_parser("grade", help="计算事故等级，输出 JSON")
        grade.add_argument("--deaths", default="0", help="死亡人数")
        grade.add_argument("--serious-injuries", default="0", help="重伤人数（包括急性工业中毒）")
        grade.add_argument("--direct-loss-cny", default="0", help="直接经济损失（元）")
        sub.add_parser("sweep", help="对接报超时的层级和逾期的整改措施升级提醒")

    def handle(self, *args, **options):
        if options["subcommand"] == "sweep":
            from benan.accidents.services import sweep

            result = sweep()
            self.stdout.write(
                f"接报超时提醒 {result['steps_escalated']} 条，"
                f"整改措施逾期提醒 {result['measures_escalated']} 条"
            )
            return
        try:
            result = accident_grades.grade(
                options["deaths"], options["serious_injuries"], options["direct_loss_cny"]
            )
        except accident_grades.GradingError as exc:
            raise CommandError(f"--{exc.field.replace('_', '-')}：{exc}", returncode=2) from exc
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
