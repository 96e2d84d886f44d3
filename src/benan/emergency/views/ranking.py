"""The nearest-resource ranking shared by the map page and the dispatch page: the query's
parameters (the point, the kind, a capability, an item, a quantity, 只看可用), the ranked rows
with their one-click 调派 forms, and for material the cover plan across warehouses.

Distances and plans are computed by `queries.nearest` and `queries.material_plan`. Imports from
core, this app and `views.common`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.urls import reverse

from .. import catalogue, queries, services
from ..models import Capability
from .common import BADGES, can_manage, choice_param, item_param

KINDS = [("rescue_team", "救援队伍"), ("warehouse", "物资库"), ("equipment", "装备")]
KIND_VALUES = {k for k, _ in KINDS}
RANK_LIMIT = 20
# The query's own parameters, sent with the point (and the dispatch's origin fields) by the form.
QUERY_KEYS = ("kind", "capability", "material", "equipment_item", "quantity", "available")


@dataclass
class Query:
    kind: str = "rescue_team"
    capability: str | None = None
    item: str | None = None
    quantity: int | None = None
    only_available: bool = True
    raw: dict = field(default_factory=dict)


def parse(params: dict) -> Query:
    """The ranking's parameters, or a ValidationError naming the bad one in Chinese."""
    kind = params.get("kind") or "rescue_team"
    if kind not in KIND_VALUES:
        raise ValidationError({"kind": [f"资源类型“{kind}”不是可选值，可选：救援队伍、物资库、装备"]})
    query = Query(kind=kind, only_available=params.get("available", "1") != "0", raw=params)
    if kind == "rescue_team":
        query.capability = choice_param(params.get("capability", ""), Capability, "capability", "救援能力")
    elif kind == "warehouse":
        query.item = item_param(params.get("material", ""), catalogue.MATERIAL)
        raw = params.get("quantity", "")
        if raw:
            try:
                query.quantity = int(raw)
            except ValueError:
                raise ValidationError({"quantity": [f"需要的数量“{raw}”不是整数"]}) from None
            if not 1 <= query.quantity <= 100_000_000:
                raise ValidationError({"quantity": ["需要的数量必须是正整数"]})
    else:
        query.item = item_param(params.get("equipment_item", ""), catalogue.EQUIPMENT)
    return query


def point(params: dict) -> tuple[float, float] | None:
    """The point from `lat`/`lon` (None when both are blank); checked by the services' rule."""
    lat, lon = params.get("lat", ""), params.get("lon", "")
    if not lat and not lon:
        return None
    return services.coordinates(lat, lon)


def _row(kind: str, hit, manage: bool) -> dict:
    o = hit.obj
    if kind == "rescue_team":
        return {
            "order_kind": "team",
            "id": o.pk,
            "name": o.name,
            "url": reverse("emergency:team", args=[o.pk]),
            "detail": f"{o.get_kind_display()}，{o.members}人"
            + (f"；{'、'.join(o.capability_labels)}" if o.capabilities else ""),
            "region": o.region,
            "status": o.readiness,
            "status_label": o.get_readiness_display(),
            "badge": BADGES.get(o.readiness, "text-bg-secondary"),
            "distance_km": hit.distance_km,
            "phone": o.phone,
            "can_dispatch": manage and o.available,
        }
    if kind == "warehouse":
        return {
            "order_kind": "material",
            "id": o.pk,
            "name": o.name,
            "url": reverse("emergency:warehouse", args=[o.pk]),
            "detail": f"{o.get_level_display()}物资库" + ("（装备公物仓）" if o.is_pool else ""),
            "region": o.region,
            "status": "open",
            "status_label": "可调用",
            "badge": "text-bg-success",
            "distance_km": hit.distance_km,
            "phone": o.phone,
            "can_dispatch": False,  # material needs an item and a quantity: the plan's buttons
        }
    return {
        "order_kind": "equipment",
        "id": o.pk,
        "name": f"{o.item_name}（{o.serial}）",
        "url": reverse("emergency:equipment", args=[o.pk]),
        "detail": "，".join(x for x in (o.model, o.warehouse.name) if x),
        "region": o.warehouse.region,
        "status": o.status,
        "status_label": o.get_status_display(),
        "badge": BADGES.get(o.status, "text-bg-secondary"),
        "distance_km": hit.distance_km,
        "phone": o.warehouse.phone,
        "can_dispatch": manage and o.available,
    }


def ranking(user, query: Query, lat: float, lon: float) -> dict:
    """The ranked rows (and the cover plan for a material) around (lat, lon)."""
    manage = can_manage(user)
    result = {"rows": [], "plan": None, "sources": [], "takes": []}
    if query.kind == "warehouse" and query.item:
        # Every warehouse holding the item, nearest first, with what it has and what the plan takes.
        plan = queries.material_plan(user, lat=lat, lon=lon, item=query.item, quantity=query.quantity or 1)
        sources = [s for n, s in enumerate(plan["sources"]) if n < RANK_LIMIT or (query.quantity and s.take)]
        result["plan"] = plan if query.quantity else None
        result["sources"] = [
            {
                "source": s,
                "one": min(query.quantity, s.available) if query.quantity else 0,
                "can_dispatch": manage and bool(query.quantity),
            }
            for s in sources
        ]
        result["more_sources"] = len(plan["sources"]) - len(sources)
        result["takes"] = [f"{s.warehouse.pk}:{s.take}" for s in plan["sources"] if s.take]
        return result
    available = True if query.only_available else None
    hits = queries.nearest(
        user,
        lat=lat,
        lon=lon,
        kind=query.kind,
        capability=query.capability,
        item=query.item,
        available=available if query.kind != "warehouse" else None,
        limit=RANK_LIMIT,
    )
    result["rows"] = [_row(query.kind, hit, manage) for hit in hits]
    return result


def unit_of(code: str | None) -> str:
    return catalogue.unit(code) if code else ""
