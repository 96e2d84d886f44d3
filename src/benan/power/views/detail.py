"""The alert page: the enterprise, kind, period, strength and evidence, the load chart (the data
as json_script, drawn by static power/load_chart.js), the on-site check, the enforcement case,
the history, and the action forms the loop offers the user now.

Thin views: reads through `services.get_alert` and `queries`, writes through `services`; out of
scope (and every alert, for enterprises) is 404. Imports from core, this app and
`views.common`, `views.history`, `views.panels`; the posts are in `views.actions`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import queries
from . import panels as specs
from .common import alert_or_404
from .history import HISTORY_LIMIT, history_rows


def data_quality(chart: dict) -> str:
    """A note when the chart cannot tell the whole story: no meter, no readings, or missing days."""
    if not chart["meters"]:
        return "该企业未登记电表，没有用电曲线。"
    days = chart["days"]
    if not days or all(d["energy"] is None for d in days):
        return "数据湖中没有该企业在图示期间的用电数据。"
    missing = [d["day"] for d in days if d["energy"] is None]
    if not missing:
        return ""
    start, end = chart["alert"]["start"], chart["alert"]["end"]
    in_alert = sum(1 for day in missing if start <= day <= end)
    note = f"图示 {len(days)} 天中有 {len(missing)} 天缺少用电数据（曲线在这些日期中断）"
    if in_alert:
        note += f"，其中异常期间 {in_alert} 天"
    return note + "；研判时请结合现场核查。"


def detail_context(request, alert, *, bound=None, notice: str = "", failed: str = "") -> dict:
    chart = queries.load_chart(alert)
    return {
        "alert": alert,
        "chart": chart,
        "quality": data_quality(chart),
        "has_data": any(d["energy"] is not None for d in chart["days"]),
        "photos": list(alert.photos.all()),
        "history": history_rows(alert),
        "history_limit": HISTORY_LIMIT,
        "panels": specs.panels(request, alert, bound or {}),
        "notice": notice,
        "failed": failed,
    }


@login_required
def alert_detail(request, pk: int):
    alert = alert_or_404(request.user, pk)
    return render(request, "power/detail.html", detail_context(request, alert))
