"""`benan report monthly --region 510000 --month 2026-10 --out FILE.docx [--user NAME]
[--issued YYYY-MM-DD]`: the monthly circular of a region as a Word document.

Without --user the circular is the region's own safety office's view, the one its page gives:
every record in the region except unannounced inspections of an office above it that are not yet
published (a city's circular must not count the province's embargoed findings). With --user, only
what that user may see. An unknown region, a malformed month or an unwritable path is an error with
exit status 2 and nothing written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from benan.core import clock
from benan.core.models import Role, User


def _reader(username: str | None) -> User | None:
    """The user named by --user; None without it (the region's office reads, see `_office`)."""
    if username is None:
        return None
    user = User.objects.filter(username=username, is_active=True).select_related("region").first()
    if user is None:
        raise CommandError(f"--user：用户“{username}”不存在或已停用", returncode=2)
    return user


# Readers that are never saved: the system finds any region, its office then reads it.
def _system() -> User:
    return User(username="benan-report", role=Role.ADMIN)


def _office(region) -> User:
    """The region's safety office as a reader: its scope and its embargoes."""
    return User(username="benan-report", role=Role.SAFETY_OFFICE, region=region)


class Command(BaseCommand):
    help = "报表：monthly 生成月度安全生产通报（Word）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        monthly = sub.add_parser("monthly", help="月度通报（.docx）")
        monthly.add_argument("--region", required=True, help="行政区划代码，如 510000")
        monthly.add_argument("--month", required=True, help="月份 YYYY-MM，如 2026-10")
        monthly.add_argument("--out", required=True, help="输出文件路径（.docx）")
        monthly.add_argument("--user", help="按该用户的数据范围生成（默认按该区划安委办的数据范围）")
        monthly.add_argument("--issued", help="印发日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, **options):
        from benan.supervision import access, circular

        out = Path(options["out"])
        if out.suffix.lower() != ".docx":
            raise CommandError(f"--out：输出文件须以 .docx 结尾，收到“{out}”", returncode=2)
        if not out.parent.exists():
            raise CommandError(f"--out：目录“{out.parent}”不存在", returncode=2)
        issued = clock.today()
        if options.get("issued"):
            try:
                issued = date.fromisoformat(options["issued"])
            except ValueError:
                raise CommandError(f"--issued 必须是日期 YYYY-MM-DD，收到“{options['issued']}”",
                                   returncode=2) from None
        user = _reader(options.get("user"))
        finder = user or _system()
        try:
            month = circular.month_of(options["month"], today=issued)
            region = access.readable_region(finder, options["region"])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise CommandError(f"--{field}：{'；'.join(messages)}", returncode=2) from None
        except Exception as exc:  # NotFound / PermissionDenied for a user outside the region
            if getattr(exc, "status", None) in (403, 404):
                raise CommandError(f"--region：用户“{finder.username}”无权查看区划 {options['region']}",
                                   returncode=2) from None
            raise
        content = circular.build(user or _office(region), region, month, today=issued)
        out.write_bytes(content)
        self.stdout.write(f"已生成 {region.full_name} {month.label} 月度通报：{out}（{len(content):,} 字节）")
