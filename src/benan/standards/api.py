"""Checklist endpoints: the standards with their counts, the criteria (filtered, paged), one criterion.

Reference data: every authenticated user gets the same answers. Mounted under /api/v1/.
"""

from __future__ import annotations

from datetime import date

from ninja import Query, Router, Schema
from pydantic import Field

from benan.core.pagination import paginate

from . import queries
from .models import CriteriaStandard, Criterion

router = Router(tags=["判定标准"])


class SourceOut(Schema):
    title: str
    url: str


class StandardOut(Schema):
    id: str
    name: str
    doc_no: str
    issuer: str
    effective: date | None
    sectors: list[str]
    citation: str
    sources: list[SourceOut]
    note: str
    count: int
    unverified: int
    headings: int


class CriterionOut(Schema):
    id: str
    standard: str
    standard_name: str
    article: str
    item_no: str
    section: str
    lead: str
    text: str
    sectors: list[str]
    verified: bool
    kind: str
    note: str


class CriterionDetail(CriterionOut):
    retired: bool
    standard_doc_no: str
    citation: str


class CriteriaPage(Schema):
    items: list[CriterionOut]
    count: int
    page: int
    page_size: int


class CriteriaQuery(Schema):
    standard: str | None = Field(None, description="判定标准标识，如 gongmao-2023", max_length=50)
    sector: str | None = Field(None, description="行业代码，如 machinery", max_length=30)
    q: str | None = Field(None, description="条文、编号或类别中的文字", max_length=100)
    verified: bool | None = Field(None, description="true：原文已核对；false：原文待核")
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


def _standard_out(s: CriteriaStandard) -> dict:
    return {
        "id": s.pk, "name": s.name, "doc_no": s.doc_no, "issuer": s.issuer, "effective": s.effective,
        "sectors": s.sectors, "citation": s.citation, "sources": s.sources, "note": s.note,
        "count": s.count, "unverified": s.unverified, "headings": s.headings,
    }


def _criterion_out(c: Criterion) -> dict:
    return {
        "id": c.pk, "standard": c.standard_id, "standard_name": c.standard.name, "article": c.article,
        "item_no": c.item_no, "section": c.section, "lead": c.lead, "text": c.text, "sectors": c.sectors,
        "verified": c.verified, "kind": c.kind, "note": c.note,
    }


@router.get("standards", response=list[StandardOut], summary="判定标准列表")
def list_standards(request):
    return [_standard_out(s) for s in queries.standards()]


@router.get("criteria", response=CriteriaPage, summary="判定标准条款")
def list_criteria(request, filters: Query[CriteriaQuery]):
    queryset = queries.criteria(queries.CriteriaFilter(
        standard=filters.standard, sector=filters.sector, q=filters.q, verified=filters.verified,
    ))
    page = paginate(queryset, page=filters.page, size=filters.page_size)
    return {
        "items": [_criterion_out(c) for c in page.items],
        "count": page.count, "page": page.number, "page_size": page.size,
    }


# Ids like gongmao-2023:art11.10 hold ':' and '.', which Django's default `str` converter accepts
# (it stops only at '/'); clients need not escape them.
@router.get("criteria/{criterion_id}", response=CriterionDetail, summary="判定标准条款详情")
def get_criterion(request, criterion_id: str):
    c = queries.get_criterion(criterion_id)
    return {**_criterion_out(c), "retired": c.retired, "standard_doc_no": c.standard.doc_no,
            "citation": c.standard.citation}
