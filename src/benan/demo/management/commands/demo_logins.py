"""`benan demo_logins`: the demo accounts, their password, role and data scope, as a table.

`make run` prints it before starting the server; it always exits 0, even on a database that
has no demo accounts (or no tables) yet, and then says what to run.
"""

import unicodedata

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from benan.core.models import Role, User
from benan.demo.generator import DEMO_ACCOUNTS, DEMO_PASSWORD


def width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: list[list[str]]) -> list[str]:
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = (cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


class Command(BaseCommand):
    help = "列出演示账号（用户名、密码、角色、数据范围）"

    def handle(self, *args, **options):
        usernames = [a.username for a in DEMO_ACCOUNTS]
        try:
            users = {
                u.username: u
                for u in User.objects.filter(username__in=usernames).select_related(
                    "region__parent__parent", "enterprise__region__parent"
                )
            }
        except DatabaseError:
            self.stdout.write("数据库尚未初始化：先运行 benan migrate、benan load_regions、benan demo")
            return
        if not users:
            self.stdout.write("还没有演示账号：运行 benan demo 生成演示数据和账号（密码 demo-2026）")
            return
        rows = [["用户名", "密码", "角色", "数据范围"]]
        for account in DEMO_ACCOUNTS:
            user = users.get(account.username)
            if user is None:
                continue
            if user.is_admin:
                scope = "全部数据"
            elif user.role == Role.ENTERPRISE:
                scope = (
                    f"{user.enterprise.name}（{user.enterprise.region.full_name}）" if user.enterprise_id
                    else "（未绑定企业）"
                )
            else:
                scope = user.region.full_name if user.region_id else "（未绑定区划）"
            # Not checked against the hash: that costs a second per account on every `make run`.
            rows.append([user.username, DEMO_PASSWORD, user.get_role_display(), scope])
        self.stdout.write("演示账号：")
        for line in table(rows):
            self.stdout.write("  " + line)
        missing = [u for u in usernames if u not in users]
        if missing:
            self.stdout.write(f"尚未创建的演示账号：{'、'.join(missing)}")
