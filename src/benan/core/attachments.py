"""Attachments: upload with the content sniffed (not the extension), and who may read one.

Apps that hold attachments register a `holder(user) -> Q`, the condition on an attachment under
which `user` may read it through the app's objects, with `register_holder`, so core needs to know
nothing about hazards or cases. The conditions are correlated EXISTS, so reading one attachment
looks only at the rows that hold it (an IN list would build the user's whole scope each time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Q, QuerySet

from . import audit
from .errors import NotFound
from .models import Attachment

# Magic numbers of what we accept: photos and PDFs.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)
ALLOWED_LABEL = "JPEG、PNG、WebP 图片或 PDF"


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def max_bytes() -> int:
    return settings.BENAN_ATTACHMENT_MAX_MB * 1024 * 1024


def store(*, actor, upload) -> Attachment:
    """Validate and keep one uploaded file; raises ValidationError naming `file`."""
    if upload is None:
        raise ValidationError({"file": ["请选择要上传的文件"]})
    if upload.size > max_bytes():
        raise ValidationError(
            {
                "file": [
                    f"文件过大：{upload.size / 1024 / 1024:.1f} MB，"
                    f"上限 {settings.BENAN_ATTACHMENT_MAX_MB} MB"
                ]
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": ["文件是空的"]})
    data = upload.read()
    kind = sniff(data[:16])
    if kind is None:
        raise ValidationError({"file": [f"只接受{ALLOWED_LABEL}（按文件内容判断，与扩展名无关）"]})
    content_type, extension = kind
    digest = hashlib.sha256(data).hexdigest()
    name = (getattr(upload, "name", "") or f"upload{extension}")[-200:]
    attachment = Attachment(
        name=name,
        content_type=content_type,
        extension=extension,
        size=len(data),
        sha256=digest,
        uploaded_by=actor,
    )
    attachment.file.save(f"{digest}{extension}", ContentFile(data), save=False)
    attachment.save()
    audit.record(actor, "core.attachment.uploaded", attachment, name=name, sha256=digest, size=len(data))
    return attachment


Holder = Callable[[object], Q]
_holders: list[Holder] = []


def register_holder(holder: Holder) -> None:
    if holder not in _holders:
        _holders.append(holder)


def visible(user) -> QuerySet:
    """The attachments `user` may read: their own uploads and those of objects they can see."""
    queryset = Attachment.objects.all()
    if user.is_admin:
        return queryset
    condition = Q(uploaded_by=user)
    for holder in _holders:
        condition |= holder(user)
    return queryset.filter(condition)


def get_visible(user, pk: int) -> Attachment:
    attachment = visible(user).filter(pk=pk).first()
    if attachment is None:
        raise NotFound("附件不存在")
    return attachment


def usable(user, ids: list[int]) -> list[Attachment]:
    """Attachments `user` may attach to something: their own or ones they can see."""
    found = list(visible(user).filter(pk__in=ids))
    missing = sorted(set(ids) - {a.pk for a in found})
    if missing:
        raise ValidationError({"attachments": [f"附件不存在：{'、'.join(map(str, missing))}"]})
    return found
