"""`benan enterprises import FILE [--user USERNAME]`: import enterprises, all rows or none."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from benan.core.errors import DomainError
from benan.core.models import User
from benan.enterprises.importer import ImportFileError, import_file


class Command(BaseCommand):
    help = "企业登记：import 从 CSV / XLSX 导入企业（全部成功或全部不导入）"
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="导入 CSV 或 XLSX 文件")
        imp.add_argument("file", type=Path)
        imp.add_argument(
            "--user", help="以该用户身份导入（检查其角色与管辖范围，审计日志记为该用户）"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        actor = None
        if options.get("user"):
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"用户不存在或已停用：{options['user']}")
        # The bars go to a terminal only, so redirected output holds just the report.
        quiet = not sys.stderr.isatty()
        with (
            tqdm(desc="校验", unit="行", file=sys.stderr, leave=False, disable=quiet) as checking,
            tqdm(desc="写入", unit="家", file=sys.stderr, leave=False, disable=quiet) as writing,
        ):
            try:
                result = import_file(
                    path, actor=actor, on_validate=checking.update, on_insert=writing.update
                )
            except ImportFileError as exc:
                raise CommandError(f"导入失败：{exc}") from exc
            except DomainError as exc:
                raise CommandError(f"导入失败：{exc.message}") from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            self.stderr.write(
                f"导入失败：{len(result.errors)} 行有错误（共 {result.rows} 行），未导入任何数据"
            )
            sys.exit(1)
        self.stdout.write(f"已导入 {result.created} 家企业")
