"""Core endpoints: tokens, the current user, the region tree (reference data, not scoped)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import FileResponse
from django.utils.timezone import localtime
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus
from pydantic import ConfigDict, Field

from . import attachments, notifications
from .errors import NotFound
from .models import Region, RegionLevel
from .period import Period, period_from
from .tokens import issue_token

router = Router(tags=["基础"])


class HistoryOut(Schema):
    """One audit entry of an object, as every app's `/history` endpoint answers it."""

    seq: int
    created_at: datetime
    actor: str
    action: str
    data: dict


def history_rows(entries) -> list[dict]:
    """Audit entries as HistoryOut rows (local time, the actor's display name)."""
    return [
        {
            "seq": e.seq,
            "created_at": localtime(e.created_at),
            "actor": e.actor_name,
            "action": e.action,
            "data": e.data,
        }
        for e in entries
    ]


class StatsPeriod(Schema):
    """The period of a statistics endpoint: a year, a month, or a range of days (at most one)."""

    year: int | None = Field(None, description="年份，如 2026")
    month: str | None = Field(None, max_length=7, description="月份，YYYY-MM")
    date_from: date | None = Field(None, description="开始日期（含）")
    date_to: date | None = Field(None, description="结束日期（含）")

    def resolve(self) -> Period | None:
        return period_from(year=self.year, month=self.month, date_from=self.date_from, date_to=self.date_to)


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=150)
    password: str = Field(max_length=200)


class TokenOut(Schema):
    token: str


class Detail(Schema):
    detail: str


@router.post("auth/token", auth=None, response={200: TokenOut, 401: Detail}, summary="获取令牌")
def token(request, payload: TokenIn):
    key = issue_token(username=payload.username, password=payload.password, request=request)
    if key is None:
        return HttpStatus(401, {"detail": "用户名或密码错误"})
    return {"token": key}


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    role_label: str
    region_code: str | None
    region_name: str | None
    enterprise_id: int | None


@router.get("auth/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "role": user.role,
        "role_label": user.get_role_display(),
        "region_code": user.region_id,
        "region_name": user.region.name if user.region_id else None,
        "enterprise_id": user.enterprise_id,
    }


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    lat: float
    lon: float


def _region_out(r: Region) -> dict:
    return {
        "code": r.code,
        "name": r.name,
        "level": r.level,
        "parent_code": r.parent_id,
        "lat": r.lat,
        "lon": r.lon,
    }


@router.get("regions", response=list[RegionOut], summary="行政区划（下级列表）")
def regions(request, parent: str | None = None):
    """Public reference data: the children of `parent`, or the province(s) without it."""
    queryset = Region.objects.all()
    if parent:
        if not Region.objects.filter(code=parent).exists():
            raise NotFound(f"行政区划代码“{parent}”不存在")
        queryset = queryset.filter(parent_id=parent)
    else:
        queryset = queryset.filter(level=RegionLevel.PROVINCE)
    return [_region_out(r) for r in queryset]


@router.get("regions/{code}", response=RegionOut, summary="行政区划")
def region(request, code: str):
    r = Region.objects.filter(code=code).first()
    if r is None:
        raise NotFound(f"行政区划代码“{code}”不存在")
    return _region_out(r)


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str


@router.post("attachments", response={201: AttachmentOut}, summary="上传附件（图片或 PDF）")
def upload(request, file: File[UploadedFile]):
    attachment = attachments.store(actor=request.auth, upload=file)
    return HttpStatus(
        201,
        {
            "id": attachment.pk,
            "name": attachment.name,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )


@router.get("attachments/{int:attachment_id}", summary="下载附件", response={200: None})
def download(request, attachment_id: int):
    attachment = attachments.get_visible(request.auth, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    url: str
    created_at: str
    read: bool


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int


class ReadIn(Schema):
    model_config = ConfigDict(extra="forbid")
    ids: list[int] | None = Field(None, max_length=500, description="为空表示全部标为已读")


@router.get("notifications", response=NotificationPage, summary="我的通知")
def my_notifications(request, unread: bool = False):
    queryset = notifications.inbox(request.auth)
    if unread:
        queryset = queryset.filter(read_at__isnull=True)
    return {
        "items": [
            {
                "id": n.pk,
                "title": n.title,
                "body": n.body,
                "url": n.url,
                "created_at": localtime(n.created_at).isoformat(),
                "read": n.read_at is not None,
            }
            for n in queryset[:100]
        ],
        "unread": notifications.unread_count(request.auth),
    }


@router.post("notifications/read", summary="标为已读")
def read_notifications(request, payload: ReadIn):
    return {"marked": notifications.mark_read(request.auth, payload.ids)}
