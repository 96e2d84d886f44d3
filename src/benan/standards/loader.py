"""Loading the packaged checklists into the database (`benan load_standards`).

Every file is checked first (engine.parse_all); then, in one transaction, standards and criteria are
inserted or updated, and criteria no longer in any file are retired, never deleted: hazards keep citing
them. Rows are written only when something changed, so loading again is a no-op, and each change is
recorded in the audit log (official wording that hazards cite must not change unnoticed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from benan.core import audit

from . import engine
from .models import CriteriaStandard, Criterion

STANDARD_FIELDS = ("name", "doc_no", "issuer", "effective", "sectors", "citation", "sources", "note",
                   "provisions", "order", "data_file", "checksum")
CRITERION_FIELDS = ("standard_id", "article", "item_no", "section", "lead", "text", "sectors", "verified",
                    "note", "kind", "order", "retired")


@dataclass
class LoadResult:
    standard_id: str
    name: str
    count: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    standard_changed: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.standard_changed or self.created or self.updated or self.retired)


def _standard_values(data: engine.StandardData) -> dict:
    return {
        "name": data.name, "doc_no": data.doc_no, "issuer": data.issuer, "effective": data.effective,
        "sectors": list(data.sectors), "citation": data.citation, "sources": list(data.sources),
        "note": data.note, "provisions": list(data.provisions), "order": data.order,
        "data_file": data.filename, "checksum": data.checksum,
    }


def _criterion_values(data: engine.CriterionData) -> dict:
    return {
        "standard_id": data.standard_id, "article": data.article, "item_no": data.item_no,
        "section": data.section, "lead": data.lead, "text": data.text, "sectors": list(data.sectors),
        "verified": data.verified, "note": data.note, "kind": data.kind, "order": data.order,
        "retired": False,
    }


def check(files: list[tuple[str, str]] | None = None) -> list[engine.StandardData]:
    """Parse and check the data files without writing anything; DataFileError names the first fault."""
    return engine.parse_all(engine.read_data_files() if files is None else files)


@transaction.atomic
def load_standards(files: list[tuple[str, str]] | None = None) -> list[LoadResult]:
    """Upsert every standard and criterion from `files` (default: the packaged data files).

    All or nothing: a fault in any file raises DataFileError before anything is written. The files
    given are taken as the whole set, so a criterion missing from all of them is retired.
    """
    standards = check(files)
    now = timezone.now()
    existing_standards = {s.pk: s for s in CriteriaStandard.objects.select_for_update()}
    existing = {c.pk: c for c in Criterion.objects.select_for_update()}
    results: dict[str, LoadResult] = {}
    to_create: list[Criterion] = []
    to_update: list[Criterion] = []
    in_files: set[str] = set()

    for data in standards:
        result = results[data.id] = LoadResult(data.id, data.name, len(data.criteria))
        values = _standard_values(data)
        standard = existing_standards.get(data.id)
        if standard is None:
            CriteriaStandard.objects.create(id=data.id, loaded_at=now, **values)
            result.standard_changed = True
        elif any(getattr(standard, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(standard, key, value)
            standard.loaded_at = now
            standard.save()
            result.standard_changed = True
        for item in data.criteria:
            in_files.add(item.id)
            values = _criterion_values(item)
            row = existing.get(item.id)
            if row is None:
                to_create.append(Criterion(id=item.id, **values))
                result.created.append(item.id)
            elif any(getattr(row, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                to_update.append(row)
                result.updated.append(item.id)

    for row in existing.values():
        if row.pk not in in_files and not row.retired:
            row.retired = True
            to_update.append(row)
            owner = results.get(row.standard_id)
            if owner is None:
                # The whole file is gone: report the retirement under the standard's stored name.
                stored = existing_standards[row.standard_id]
                owner = results[row.standard_id] = LoadResult(stored.pk, stored.name, 0)
            owner.retired.append(row.pk)

    Criterion.objects.bulk_create(to_create)
    Criterion.objects.bulk_update(to_update, CRITERION_FIELDS)
    changed = [r for r in results.values() if r.changed]
    audit.record_many(None, [
        audit.Event(
            "standards.standard.loaded", CriteriaStandard(pk=r.standard_id),
            {"checksum": next((s.checksum for s in standards if s.id == r.standard_id), ""),
             "created": r.created, "updated": r.updated, "retired": r.retired},
        )
        for r in changed
    ])
    return list(results.values())
