"""The catalogue of emergency materials and equipment: what a warehouse stocks and what the pool
lends, each with its unit. benan's own list (data/catalogue.csv), grouped by the usual
categories; not an official coding. Quantities are whole units of the item's unit."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.core.exceptions import ValidationError

MATERIAL, EQUIPMENT = "material", "equipment"


@dataclass(frozen=True)
class Item:
    code: str
    kind: str  # material | equipment
    category: str
    name: str
    unit: str


@cache
def items() -> dict[str, Item]:
    text = resources.files("benan.emergency").joinpath("data/catalogue.csv").read_text("utf-8")
    return {row["code"]: Item(**row) for row in csv.DictReader(text.splitlines())}


def of_kind(kind: str) -> list[Item]:
    return [i for i in items().values() if i.kind == kind]


def get(code: str, kind: str, field: str = "item") -> Item:
    """The catalogue item `code` of `kind`, or a ValidationError naming `field`."""
    item = items().get(str(code or "").strip().upper())
    if item is None or item.kind != kind:
        label = "物资" if kind == MATERIAL else "装备"
        raise ValidationError({field: [f"“{code}”不是目录中的{label}品目（见 /api/v1/resources/catalogue）"]})
    return item


def name(code: str) -> str:
    item = items().get(code)
    return item.name if item else code


def unit(code: str) -> str:
    item = items().get(code)
    return item.unit if item else ""
