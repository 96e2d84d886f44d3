"""`benan uscc CODE...`: check 统一社会信用代码; exits 0 only if every code is valid."""

import sys

from django.core.management.base import BaseCommand

from benan.enterprises import uscc


class Command(BaseCommand):
    help = "校验统一社会信用代码（GB 32100-2015）"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="+", metavar="CODE")

    def handle(self, *args, **options):
        all_valid = True
        for code in options["codes"]:
            reason = uscc.problem(code)
            if reason is None:
                self.stdout.write(f"{code} valid")
            else:
                all_valid = False
                self.stdout.write(f"{code} invalid: {reason}")
        if not all_valid:
            sys.exit(1)
