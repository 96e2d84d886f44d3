"""`benan load_standards`: check the packaged checklists and load them into the database."""

from django.core.management.base import BaseCommand, CommandError

from benan.standards.engine import DataFileError
from benan.standards.loader import check, load_standards


class Command(BaseCommand):
    help = "校验并载入重大事故隐患判定标准（standards/data/ 下的数据文件）；可重复运行"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只校验数据文件，不写入数据库")

    def handle(self, *args, **options):
        try:
            if options["check"]:
                for standard in check():
                    unverified = sum(not c.verified for c in standard.criteria)
                    self.stdout.write(
                        f"{standard.name}：{len(standard.criteria)} 项，原文待核 {unverified} 项，校验通过"
                    )
                return
            results = load_standards()
        except DataFileError as exc:
            raise CommandError(f"数据文件有误，未写入任何内容：{exc}") from exc
        for r in results:
            counts = f"新增 {len(r.created)}，更新 {len(r.updated)}，停用 {len(r.retired)}"
            self.stdout.write(f"{r.name}：{r.count} 项（{counts}）")
