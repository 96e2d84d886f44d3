"""The enforcement rules as data: deadlines, minimum officers, blacklist terms, legal bases.

Read from the packaged `data/rules.yaml`; a deployment overrides keys with the setting
`BENAN_ENFORCEMENT_RULES` (path of a YAML file holding only the keys to change; lists such as
`legal_bases` are replaced whole). Items the reference marks UNVERIFIED carry
`verified: false` and are shown as 原文待核. Pure: no database. Imports nothing from benan.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings


class RulesError(ValueError):
    """The rules file is malformed; the message names the key."""


@dataclass(frozen=True)
class LegalBasis:
    code: str
    law: str
    article: str
    summary: str
    unit_max_cny: Decimal | None
    person_max_cny: Decimal | None
    verified: bool
    note: str

    @property
    def title(self) -> str:
        return f"《{self.law}》{self.article}"


@dataclass(frozen=True)
class Rules:
    min_officers: int
    statement_days: int
    hearing_request_days: int
    hearing_fine_threshold_cny: Decimal
    decision_days: int
    payment_days: int
    referral_decide_days: int
    referral_transfer_hours: int
    referral_feedback_days: int
    referral_min_team: int
    blacklist_years: int
    blacklist_early_exit_months: int
    blacklist_verified: bool
    legal_bases: dict[str, LegalBasis]
    raw: dict[str, Any]

    def basis(self, code: str) -> LegalBasis | None:
        return self.legal_bases.get(code)


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _int(data: dict, section: str, key: str, minimum: int = 0) -> int:
    value = (data.get(section) or {}).get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise RulesError(f"{section}.{key} 必须是不小于 {minimum} 的整数，现为 {value!r}")
    return value


def _money(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RulesError(f"{where} 必须是金额（元）")
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise RulesError(f"{where} 必须是金额（元）") from exc
    if amount <= 0:
        raise RulesError(f"{where} 必须大于 0")
    return amount


def parse(data: dict[str, Any]) -> Rules:
    bases: dict[str, LegalBasis] = {}
    for n, item in enumerate(data.get("legal_bases") or [], start=1):
        where = f"legal_bases[{n}]"
        if not isinstance(item, dict):
            raise RulesError(f"{where} 必须是映射")
        code = str(item.get("code") or "").strip()
        for key in ("code", "law", "article", "summary"):
            if not str(item.get(key) or "").strip():
                raise RulesError(f"{where}.{key} 不能为空")
        if code in bases:
            raise RulesError(f"{where}.code “{code}” 重复")
        bases[code] = LegalBasis(
            code=code,
            law=str(item["law"]).strip(),
            article=str(item["article"]).strip(),
            summary=" ".join(str(item["summary"]).split()),
            unit_max_cny=_money(item.get("unit_max_cny"), f"{where}.unit_max_cny"),
            person_max_cny=_money(item.get("person_max_cny"), f"{where}.person_max_cny"),
            verified=bool(item.get("verified", False)),
            note=str(item.get("note") or ""),
        )
    if not bases:
        raise RulesError("legal_bases 至少要有一条法律依据")
    threshold = _money(
        (data.get("case") or {}).get("hearing_fine_threshold_cny"), "case.hearing_fine_threshold_cny"
    )
    if threshold is None:
        raise RulesError("case.hearing_fine_threshold_cny 不能为空")
    return Rules(
        min_officers=_int(data, "case", "min_officers", 1),
        statement_days=_int(data, "case", "statement_days"),
        hearing_request_days=_int(data, "case", "hearing_request_days"),
        hearing_fine_threshold_cny=threshold,
        decision_days=_int(data, "case", "decision_days", 1),
        payment_days=_int(data, "case", "payment_days", 1),
        referral_decide_days=_int(data, "referral", "decide_days", 1),
        referral_transfer_hours=_int(data, "referral", "transfer_hours", 1),
        referral_feedback_days=_int(data, "referral", "police_feedback_days", 1),
        referral_min_team=_int(data, "referral", "min_team", 1),
        blacklist_years=_int(data, "blacklist", "years", 1),
        blacklist_early_exit_months=_int(data, "blacklist", "early_exit_after_months"),
        blacklist_verified=bool((data.get("blacklist") or {}).get("verified", False)),
        legal_bases=bases,
        raw=data,
    )


def _read_packaged() -> dict[str, Any]:
    text = resources.files("benan.enforcement").joinpath("data/rules.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def current() -> Rules:
    data = _read_packaged()
    override = getattr(settings, "BENAN_ENFORCEMENT_RULES", "") or ""
    if override:
        extra = yaml.safe_load(Path(override).read_text("utf-8")) or {}
        if not isinstance(extra, dict):
            raise RulesError(f"{override} 必须是 YAML 映射")
        data = _merge(data, extra)
    return parse(data)


def reload() -> Rules:
    """Forget the cached rules (tests and settings changes)."""
    current.cache_clear()
    return current()
