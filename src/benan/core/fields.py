"""Checks of one input field, shared by every app's services and loop guards: each raises a
ValidationError that names the field and the rule in Chinese, so the API answers 422 and a
page shows the message under the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from . import clock


def text(value: Any, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    """The stripped text; refused when required and blank, or longer than `max_length`."""
    result = str(value or "").strip()
    if required and not result:
        raise ValidationError({field: [f"必须填写{label}"]})
    if len(result) > max_length:
        raise ValidationError({field: [f"{label}不能超过{max_length}个字符（当前{len(result)}个）"]})
    return result


def required(data: dict, field: str, label: str) -> str:
    """`data[field]` as non-blank text (for guards, which receive the action's data)."""
    result = str(data.get(field) or "").strip()
    if not result:
        raise ValidationError({field: [f"必须填写{label}"]})
    return result


def past_day(
    data: dict, field: str, label: str, *, not_before: date | None = None, not_before_label: str = ""
):
    """`data[field]`, a day no later than today and not before `not_before`."""
    day = data.get(field)
    if day is None:
        raise ValidationError({field: [f"必须填写{label}"]})
    if day > clock.today():
        raise ValidationError({field: [f"{label} {day.isoformat()} 晚于今天"]})
    if not_before is not None and day < not_before:
        raise ValidationError(
            {field: [f"{label} {day.isoformat()} 早于{not_before_label} {not_before.isoformat()}"]}
        )
    return day
