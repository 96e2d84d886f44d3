"""The official checklists as plain data: parse and check the files in `standards/data/`, then answer
"which criteria apply to this sector" and "what does this criterion say" without touching the database.

Pure functions over the packaged YAML files (read once, cached). The loader writes the same data into
the database so that hazards can point at it; inspections pick their checklist here. Imports only the
Sector codes from enterprises.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import yaml

from benan.enterprises.models import Sector

DATA_PACKAGE = "benan.standards"
DATA_DIR = "data"
FORMAT = 1

ITEM, HEADING = "item", "heading"
KINDS = (ITEM, HEADING)
# How sure the wording is; anything but two_sources must be shown as 原文待核 (verified: false).
CONFIDENCES = ("two_sources", "single_source", "unverified")
SECTORS = frozenset(Sector.values)

STANDARD_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# `<standard>:<item>`, e.g. gongmao-2023:art11.10; ':' and '.' only, so ids are safe in URLs as they are.
CRITERION_ID = re.compile(r"^(?P<standard>[a-z0-9-]+):(?P<item>[a-z]+[0-9]+(?:\.[0-9]+)*)$")

STANDARD_KEYS = {"format", "id", "name", "doc_no", "issuer", "effective", "order", "sectors", "citation",
                 "sources", "note", "count", "provisions", "articles"}
ARTICLE_KEYS = {"article", "section", "lead", "sectors", "count", "criteria"}
CRITERION_KEYS = {"id", "item_no", "text", "kind", "verified", "confidence", "note"}


class DataFileError(ValueError):
    """A data file breaks a rule; the message names the file, the place and the rule."""


@dataclass(frozen=True)
class CriterionData:
    id: str
    standard_id: str
    article: str
    item_no: str
    section: str
    lead: str
    text: str
    sectors: tuple[str, ...]
    verified: bool
    confidence: str
    note: str
    kind: str
    order: int


@dataclass(frozen=True)
class StandardData:
    id: str
    name: str
    doc_no: str
    issuer: str
    effective: date | None
    order: int
    sectors: tuple[str, ...]
    citation: str
    sources: tuple[dict, ...]
    note: str
    provisions: tuple[dict, ...]
    criteria: tuple[CriterionData, ...]
    filename: str
    checksum: str


# -- reading and checking ------------------------------------------------------------------------


def read_data_files() -> list[tuple[str, str]]:
    """(file name, text) of every packaged data file, in name order."""
    folder = resources.files(DATA_PACKAGE).joinpath(DATA_DIR)
    return sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith((".yaml", ".yml"))
    )


def _fail(filename: str, where: str, rule: str):
    raise DataFileError(f"{filename}：{where}：{rule}")


def _text(value, filename: str, where: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        _fail(filename, where, "必须是文本")
    if required and not value.strip():
        _fail(filename, where, "不能为空")
    return value


def _keys(mapping, allowed: set[str], required: set[str], filename: str, where: str) -> None:
    if not isinstance(mapping, dict):
        _fail(filename, where, "必须是映射（key: value）")
    # YAML 1.1 reads a bare `no:` or `yes:` key as a boolean: name the key so the typo is found.
    unknown = sorted(str(k) for k in mapping if k not in allowed)
    if unknown:
        _fail(filename, where, f"未知字段 {', '.join(unknown)}")
    missing = sorted(required - set(mapping))
    if missing:
        _fail(filename, where, f"缺少字段 {', '.join(missing)}")


def _sectors(value, filename: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        _fail(filename, where, "必须是非空的行业代码列表")
    unknown = [s for s in value if s not in SECTORS]
    if unknown:
        _fail(filename, where, f"未知行业代码 {', '.join(map(str, unknown))}（见 enterprises.models.Sector）")
    if len(set(value)) != len(value):
        _fail(filename, where, "行业代码重复")
    return tuple(value)


def parse_standard(text: str, *, filename: str) -> StandardData:
    """Parse one data file and check every rule that does not need the other files."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{filename}：不是有效的 YAML：{exc}") from exc
    _keys(doc, STANDARD_KEYS,
          {"format", "id", "name", "doc_no", "issuer", "effective", "order", "sectors", "citation",
           "sources", "articles"}, filename, "文件")
    if doc["format"] != FORMAT:
        _fail(filename, "format", f"只支持格式 {FORMAT}")
    standard_id = _text(doc["id"], filename, "id")
    if not STANDARD_ID.match(standard_id):
        _fail(filename, "id", "只能由小写字母、数字和连字符组成")
    effective = doc["effective"]
    if effective is not None and not isinstance(effective, date):
        _fail(filename, "effective", "必须是日期（YYYY-MM-DD）或 null")
    if not isinstance(doc["order"], int) or isinstance(doc["order"], bool):
        _fail(filename, "order", "必须是整数")
    standard_sectors = _sectors(doc["sectors"], filename, "sectors")
    sources = doc["sources"]
    if not isinstance(sources, list) or not sources:
        _fail(filename, "sources", "至少列出一个来源")
    for i, source in enumerate(sources):
        _keys(source, {"title", "url"}, {"title", "url"}, filename, f"sources[{i}]")
        if not str(source["url"]).startswith(("http://", "https://")):
            _fail(filename, f"sources[{i}].url", "必须是 http(s) 地址")
    provisions = doc.get("provisions") or []
    for i, provision in enumerate(provisions):
        _keys(provision, {"article", "section", "text"}, {"article", "text"}, filename, f"provisions[{i}]")

    articles = doc["articles"]
    if not isinstance(articles, list) or not articles:
        _fail(filename, "articles", "至少要有一条")
    criteria: list[CriterionData] = []
    seen: set[str] = set()
    for a, article in enumerate(articles):
        where = f"articles[{a}]"
        _keys(article, ARTICLE_KEYS, {"article", "section", "lead", "sectors", "criteria"}, filename, where)
        sectors = _sectors(article["sectors"], filename, f"{where}.sectors")
        outside = [s for s in sectors if s not in standard_sectors]
        if outside:
            _fail(filename, f"{where}.sectors", f"{', '.join(outside)} 不在本标准的适用行业内")
        items = article["criteria"]
        if not isinstance(items, list) or not items:
            _fail(filename, f"{where}.criteria", "至少要有一项")
        if "count" in article and article["count"] != len(items):
            _fail(filename, f"{where}.count", f"声明 {article['count']} 项，实有 {len(items)} 项")
        for c, item in enumerate(items):
            at = f"{where}.criteria[{c}]"
            _keys(item, CRITERION_KEYS, {"id", "item_no", "text", "verified", "confidence"}, filename, at)
            criterion_id = _text(item["id"], filename, f"{at}.id")
            match = CRITERION_ID.match(criterion_id)
            if not match:
                _fail(filename, f"{at}.id",
                      f"“{criterion_id}”不符合“<标准>:<条目>”格式，如 gongmao-2023:art3.1")
            if match["standard"] != standard_id:
                _fail(filename, f"{at}.id", f"“{criterion_id}”的前缀必须是本标准的 id “{standard_id}”")
            if criterion_id in seen:
                _fail(filename, f"{at}.id", f"编号“{criterion_id}”重复")
            seen.add(criterion_id)
            kind = item.get("kind", ITEM)
            if kind not in KINDS:
                _fail(filename, f"{at}.kind", f"只能是 {' 或 '.join(KINDS)}")
            if not isinstance(item["verified"], bool):
                _fail(filename, f"{at}.verified", "必须是 true 或 false")
            if item["confidence"] not in CONFIDENCES:
                _fail(filename, f"{at}.confidence", f"只能是 {'、'.join(CONFIDENCES)}")
            # The two fields must agree: only wording seen in two agreeing copies counts as checked.
            if item["verified"] != (item["confidence"] == "two_sources"):
                _fail(filename, f"{at}.verified", "只有 confidence: two_sources 的条目才能 verified: true")
            note = _text(item.get("note"), filename, f"{at}.note", required=False)
            if not item["verified"] and not note.strip():
                _fail(filename, f"{at}.note", "原文待核的条目必须说明原因")
            criteria.append(CriterionData(
                id=criterion_id, standard_id=standard_id,
                article=_text(article["article"], filename, f"{where}.article", required=False),
                item_no=_text(item["item_no"], filename, f"{at}.item_no", required=False),
                section=_text(article["section"], filename, f"{where}.section", required=False),
                lead=_text(article["lead"], filename, f"{where}.lead", required=False),
                text=_text(item["text"], filename, f"{at}.text"),
                sectors=sectors, verified=item["verified"], confidence=item["confidence"], note=note,
                kind=kind, order=len(criteria) + 1,
            ))
    if "count" in doc and doc["count"] != len(criteria):
        _fail(filename, "count", f"声明 {doc['count']} 项，实有 {len(criteria)} 项")
    return StandardData(
        id=standard_id,
        name=_text(doc["name"], filename, "name"),
        doc_no=_text(doc["doc_no"], filename, "doc_no"),
        issuer=_text(doc["issuer"], filename, "issuer"),
        effective=effective, order=doc["order"], sectors=standard_sectors,
        citation=_text(doc["citation"], filename, "citation"),
        sources=tuple({"title": str(s["title"]), "url": str(s["url"])} for s in sources),
        note=_text(doc.get("note"), filename, "note", required=False),
        provisions=tuple(
            {"article": str(p["article"]), "section": str(p.get("section") or ""), "text": str(p["text"])}
            for p in provisions
        ),
        criteria=tuple(criteria), filename=filename,
        checksum=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def parse_all(files: list[tuple[str, str]]) -> list[StandardData]:
    """Parse every file and check the rules across files: one file per standard, ids unique."""
    standards = [parse_standard(text, filename=name) for name, text in files]
    owners: dict[str, str] = {}
    for standard in standards:
        if standard.id in owners:
            raise DataFileError(f"{standard.filename}：标准 id “{standard.id}”与 {owners[standard.id]} 重复")
        owners[standard.id] = standard.filename
    # Criterion ids carry their standard's id, so unique standards and unique ids per file suffice.
    return sorted(standards, key=lambda s: (s.order, s.id))


# -- answers -------------------------------------------------------------------------------------


@cache
def standards() -> tuple[StandardData, ...]:
    """Every packaged standard, in display order (read and checked once per process)."""
    return tuple(parse_all(read_data_files()))


@cache
def _index() -> dict[str, CriterionData]:
    return {c.id: c for s in standards() for c in s.criteria}


def criterion(criterion_id: str) -> CriterionData:
    """The criterion with this id; KeyError when no packaged standard has it."""
    return _index()[criterion_id]


def _check_sector(sector: str) -> None:
    if sector not in SECTORS:
        raise ValueError(f"未知行业代码“{sector}”")


def applicable_standards(sector: str) -> list[StandardData]:
    """The standards that judge enterprises of `sector` (empty for a sector without a checklist)."""
    _check_sector(sector)
    return [s for s in standards() if sector in s.sectors]


def applicable_criteria(sector: str) -> list[CriterionData]:
    """The checklist for an enterprise of `sector`, items and headings, in the standards' order.

    Headings (kind "heading") are selectable too: for mines they are all the data there is, and an
    inspector must still be able to cite the category a major hazard falls under.
    """
    _check_sector(sector)
    return [c for s in standards() for c in s.criteria if sector in c.sectors]
