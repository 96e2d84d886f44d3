"""`benan load_regions`: load Sichuan's 205 divisions (GB/T 2260) into the database."""

from django.core.management.base import BaseCommand

from benan.core.regions import load_regions


class Command(BaseCommand):
    help = "载入四川省行政区划（省、21个市州、183个县级区划）"

    def handle(self, *args, **options):
        created, updated = load_regions()
        self.stdout.write(f"行政区划：新增 {created} 个，更新 {updated} 个")
