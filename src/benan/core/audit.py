"""The audit log: an append-only hash chain of every change.

`record()` appends one entry inside the caller's transaction, `record_many()` a batch,
`verify()` recomputes the chain and names the first broken entry. Entries are written under a
lock on the single `AuditHead` row, so concurrent writers form one chain, never a fork.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class Event:
    action: str
    obj: models.Model | None = None
    data: dict[str, Any] | None = None


def _normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    # Store exactly what is hashed: dates, decimals and UUIDs become their JSON strings.
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def compute_hash(entry: AuditEntry) -> str:
    payload = [
        entry.seq,
        entry.created_at.astimezone(UTC).isoformat(),
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.data,
        entry.prev_hash,
    ]
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lock_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def object_label(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def record_many(actor, events: Iterable[Event]) -> list[AuditEntry]:
    """Append entries for `events` by `actor` (a user or None for the system)."""
    with transaction.atomic():
        head = _lock_head()
        now = timezone.now()
        entries = []
        prev, seq = head.last_hash, head.last_seq
        for event in events:
            seq += 1
            object_type, object_id = object_label(event.obj)
            entry = AuditEntry(
                seq=seq,
                created_at=now,
                actor_id=getattr(actor, "pk", None),
                actor_name=getattr(actor, "username", "") or "system",
                action=event.action,
                object_type=object_type,
                object_id=object_id,
                data=_normalise(event.data),
                prev_hash=prev,
            )
            entry.hash = compute_hash(entry)
            prev = entry.hash
            entries.append(entry)
        if entries:
            AuditEntry.objects.bulk_create(entries, batch_size=2000)
            head.last_seq, head.last_hash = seq, prev
            head.save(update_fields=["last_seq", "last_hash"])
        return entries


def record(actor, action: str, obj: models.Model | None = None, **data: Any) -> AuditEntry:
    return record_many(actor, [Event(action, obj, data)])[0]


def history(obj: models.Model):
    object_type, object_id = object_label(obj)
    return AuditEntry.objects.filter(object_type=object_type, object_id=object_id)


@dataclass(frozen=True)
class VerifyResult:
    count: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(progress=None) -> VerifyResult:
    """Recompute the chain from the first entry; stop at the first entry that does not hold."""
    prev, expected_seq, count = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=5000):
        if entry.seq != expected_seq:
            return VerifyResult(count, expected_seq, f"第 {expected_seq} 条缺失（下一条是第 {entry.seq} 条）")
        if entry.prev_hash != prev:
            return VerifyResult(count, entry.seq, "前一条的哈希不符（前一条被改动或删除）")
        if compute_hash(entry) != entry.hash:
            return VerifyResult(count, entry.seq, "内容与哈希不符（本条被改动）")
        prev, expected_seq, count = entry.hash, expected_seq + 1, count + 1
        if progress is not None:
            progress(1)
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != count or head.last_hash != prev):
        return VerifyResult(count, count + 1, f"日志末尾被截断：应有 {head.last_seq} 条，实有 {count} 条")
    return VerifyResult(count)
