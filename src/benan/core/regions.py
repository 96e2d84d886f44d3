"""Loading the GB/T 2260 region tree shipped in `core/data/sichuan-regions.csv`."""

from __future__ import annotations

import csv
from importlib import resources

from django.db import transaction

from .models import SIGNIFICANT_DIGITS, Region, RegionLevel

DATA_FILE = "sichuan-regions.csv"


def read_rows() -> list[dict[str, str]]:
    with resources.files("benan.core").joinpath("data", DATA_FILE).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def check_rows(rows: list[dict[str, str]]) -> None:
    """The tree must be consistent for code ranges to mean subtrees (see Region.code_range)."""
    codes = {r["code"]: r for r in rows}
    for row in rows:
        level = RegionLevel(row["level"])
        parent = row["parent_code"]
        if level == RegionLevel.PROVINCE:
            if parent:
                raise ValueError(f"{row['code']}: a province has no parent")
            continue
        if parent not in codes:
            raise ValueError(f"{row['code']}: unknown parent {parent}")
        parent_level = RegionLevel(codes[parent]["level"])
        digits = SIGNIFICANT_DIGITS[parent_level]
        if row["code"][:digits] != parent[:digits]:
            raise ValueError(f"{row['code']}: code does not start with its parent's {parent[:digits]}")


def load_regions() -> tuple[int, int]:
    """Insert or update every region; returns (created, updated). Safe to run again."""
    from .scope import forget_regions

    try:
        with transaction.atomic():
            return _load()
    finally:
        forget_regions()


def _load() -> tuple[int, int]:
    rows = read_rows()
    check_rows(rows)
    if not Region.objects.exists():
        # First load (every fresh database, every test run): one insert per level.
        for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY):
            Region.objects.bulk_create(
                Region(code=r["code"], name=r["name"], level=r["level"],
                       parent_id=r["parent_code"] or None, lat=float(r["lat"]), lon=float(r["lon"]))
                for r in rows if r["level"] == level
            )
        return len(rows), 0
    created = updated = 0
    order = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}
    for row in sorted(rows, key=lambda r: order[RegionLevel(r["level"])]):
        _, was_created = Region.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"], "level": row["level"],
                "parent_id": row["parent_code"] or None,
                "lat": float(row["lat"]), "lon": float(row["lon"]),
            },
        )
        created += was_created
        updated += not was_created
    return created, updated
