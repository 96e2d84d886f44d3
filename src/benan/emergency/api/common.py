"""What the emergency endpoints share: the router, strict input schemas, small helpers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.timezone import localtime
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

router = Router(tags=["应急资源与调度"])
LAT = Query(..., ge=-90, le=90, description="纬度")
LON = Query(..., ge=-180, le=180, description="经度")


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


def page_args(page: int, page_size: int):
    return {"page": page, "size": page_size}


def display_name(user) -> str | None:
    return (user.get_full_name() or user.username) if user else None


def actions_of(obj, user, hidden=("deploy", "release", "return_damaged")) -> list[str]:
    return [t.action for t in type(obj).LOOP.available(obj, user) if t.action not in hidden]


def local(value):
    return localtime(value) if value else None


def patch_data(payload: Schema) -> dict:
    data = payload.model_dump(exclude_unset=True)
    if ("lat" in data) != ("lon" in data):
        raise ValidationError({"lat": ["修改位置时须同时填写纬度和经度"]})
    return data


class NoteIn(Strict):
    note: str = Field("", max_length=200)


class ReasonIn(Strict):
    reason: str = Field(max_length=200)
