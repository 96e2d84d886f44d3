"""`benan audit verify`: recompute the audit hash chain.

Exits 0 printing the number of entries, or 1 naming the first broken entry.
"""

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from benan.core import audit
from benan.core.models import AuditEntry


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链"
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="重新计算哈希链，指出第一条被破坏的记录")

    def handle(self, *args, **options):
        total = AuditEntry.objects.count()
        with tqdm(total=total, unit="条", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
            result = audit.verify(progress=bar.update)
        if result.ok:
            self.stdout.write(f"OK: {result.count} entries verified, audit chain intact")
            return
        self.stderr.write(
            f"BROKEN: audit entry #{result.broken_seq}: {result.reason} "
            f"({result.count} entries before it are intact)"
        )
        sys.exit(1)
