"""Validation of enterprise input, shared by the API, the form pages and the importer.

`clean_enterprise(raw, partial=...)` returns typed values or raises one ValidationError that
names every bad field with its rule, in Chinese. Database checks (region exists, USCC not
yet registered) are here too, so every entry point refuses the same things.
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.core.exceptions import ValidationError

from benan.core.geo import SICHUAN_LAT, SICHUAN_LON, in_sichuan
from benan.core.models import Region, RegionLevel

from . import uscc as uscc_rules
from .models import Enterprise, Park, Scale, Sector

FIELD_LABELS = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "region_code": "所在区县",
    "sector": "行业",
    "address": "地址",
    "lat": "纬度",
    "lon": "经度",
    "scale": "规模",
    "legal_representative": "法定代表人",
    "safety_contact": "安全负责人",
    "safety_contact_phone": "安全负责人电话",
    "park_id": "所在园区",
}
REQUIRED = ("uscc", "name", "region_code", "sector", "address", "lat", "lon")
MAX_LENGTHS = {
    "name": 200, "address": 300, "legal_representative": 50, "safety_contact": 50,
    "safety_contact_phone": 20,
}
PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _choice(value: Any, choices: type, field: str, errors: dict) -> str | None:
    text = str(value).strip()
    for choice in choices:
        if text in (choice.value, choice.label):
            return choice.value
    allowed = "、".join(f"{c.label}({c.value})" for c in choices)
    errors[field] = f"“{text}”不是可选值，可选：{allowed}"
    return None


def _coordinate(value: Any, field: str, bounds: tuple[float, float], errors: dict):
    try:
        number = float(str(value).strip())
    except ValueError:
        errors[field] = f"“{value}”不是数字"
        return None
    if not math.isfinite(number):
        errors[field] = "必须是有限的数字"
        return None
    if not bounds[0] <= number <= bounds[1]:
        errors[field] = f"{number} 超出四川省范围（{bounds[0]}～{bounds[1]}）"
        return None
    return number


def clean_enterprise(
    raw: dict[str, Any],
    *,
    instance: Enterprise | None = None,
    check_unique: bool = True,
    regions: dict[str, Region] | None = None,
) -> dict[str, Any]:
    """Typed, validated values for the keys present in `raw` (all required ones if new).

    `regions` is a preloaded code -> Region map for bulk callers; `check_unique=False` leaves
    the duplicate-USCC check to a caller that does it for a whole file at once.
    """
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    present = {k: v for k, v in raw.items() if k in FIELD_LABELS}
    unknown = sorted(set(raw) - set(FIELD_LABELS))
    if unknown:
        errors["__all__"] = f"不支持的字段：{'、'.join(unknown)}"

    for key in REQUIRED:
        if instance is None and (key not in present or str(present[key] or "").strip() == ""):
            errors[key] = "必填"
        elif key in present and present[key] is None:
            errors[key] = "不能为空"

    for key, value in present.items():
        if isinstance(value, str) and CONTROL.search(value):
            errors[key] = "包含不可见的控制字符"
            continue
        if key in errors or value is None:
            if value is None and key not in REQUIRED:
                data[key] = "" if key != "park_id" else None
            continue
        if key == "uscc":
            code = uscc_rules.normalise(str(value))
            reason = uscc_rules.problem(code)
            if reason:
                errors[key] = reason
            else:
                data[key] = code
        elif key == "region_code":
            code = str(value).strip()
            region = (
                regions.get(code) if regions is not None
                else Region.objects.filter(code=code).first()
            )
            if region is None:
                errors[key] = f"行政区划代码“{code}”不存在"
            elif region.level != RegionLevel.COUNTY:
                errors[key] = f"“{region.name}”不是县级区划，企业必须登记到区县"
            else:
                data[key] = code
        elif key == "sector":
            choice = _choice(value, Sector, key, errors)
            if choice:
                data[key] = choice
        elif key == "scale":
            if str(value).strip() == "":
                data[key] = ""
            else:
                choice = _choice(value, Scale, key, errors)
                if choice:
                    data[key] = choice
        elif key == "lat":
            number = _coordinate(value, key, SICHUAN_LAT, errors)
            if number is not None:
                data[key] = number
        elif key == "lon":
            number = _coordinate(value, key, SICHUAN_LON, errors)
            if number is not None:
                data[key] = number
        elif key == "park_id":
            if value in ("", None):
                data[key] = None
            else:
                try:
                    data[key] = Park.objects.get(pk=int(value)).pk
                except (ValueError, TypeError, Park.DoesNotExist):
                    errors[key] = f"园区“{value}”不存在"
        else:
            text = str(value).strip()
            if key in REQUIRED and not text:
                errors[key] = "必填"
            elif len(text) > MAX_LENGTHS.get(key, 300):
                errors[key] = f"不能超过{MAX_LENGTHS[key]}个字符（当前{len(text)}个）"
            elif key == "safety_contact_phone" and text and not PHONE.match(text):
                errors[key] = "电话号码只能包含数字、+、-、括号和空格，5 到 20 位"
            else:
                data[key] = text

    if "park_id" in data and data["park_id"] and "park_id" not in errors:
        region_code = data.get("region_code") or (instance.region_id if instance else None)
        park = Park.objects.get(pk=data["park_id"])
        if region_code and park.region_id != region_code:
            errors["park_id"] = f"园区“{park.name}”不在所选区县"

    if "lat" in data and "lon" in data and not in_sichuan(data["lat"], data["lon"]):
        errors["lat"] = "坐标不在四川省范围内"

    if check_unique and "uscc" in data:
        taken = Enterprise.objects.filter(uscc=data["uscc"])
        if instance is not None:
            taken = taken.exclude(pk=instance.pk)
        if taken.exists():
            errors["uscc"] = f"统一社会信用代码 {data['uscc']} 已登记，不能重复登记"

    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    return data
