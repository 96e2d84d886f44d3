"""The two watch boards: the equipment pool (装备公物仓看板: pieces by status, loans in progress with
the overdue ones in red, maintenance due within 30 days) and the stock alerts (库存预警: below the
minimum, batches expiring within 30 days or expired but still on the shelf), with a region filter.

Government users only (enterprises 403). Imports from core, this app and `views.common`.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render

from benan.core import clock
from benan.core.pages import messages_of

from .. import queries
from .common import BADGES, params_of, region_groups, region_param, require_government

BOARD_LIMIT = 200
MAINTENANCE_DAYS = 30


@login_required
def pool_board(request):
    user = request.user
    require_government(user)
    board = queries.pool_board(user)
    today = clock.today()
    loans = list(board["loans"].select_related("equipment__warehouse__region__parent", "order")[:BOARD_LIMIT])
    rows = [
        {
            "loan": loan,
            "overdue_days": (today - loan.expected_return).days
            if loan.state == "lent" and loan.expected_return < today
            else 0,
        }
        for loan in loans
    ]
    rows.sort(key=lambda r: (-r["overdue_days"], r["loan"].expected_return, r["loan"].pk))
    due = list(board["maintenance_due"][:BOARD_LIMIT])
    context = {
        "status": board["status"],
        "total": sum(s["count"] for s in board["status"]),
        "rows": rows,
        "loan_count": board["loans"].count(),
        "overdue_count": board["overdue"].count(),
        "due": [{"equipment": e, "late": e.next_maintenance < today} for e in due],
        "due_count": board["maintenance_due"].count(),
        "limit": BOARD_LIMIT,
        "days": MAINTENANCE_DAYS,
        "badges": BADGES,
        "horizon": today + timedelta(days=MAINTENANCE_DAYS),
    }
    return render(request, "emergency/pool.html", context)


@login_required
def stock_alerts(request):
    user = request.user
    require_government(user)
    params = params_of(request, ("region",))
    context = {
        "params": params,
        "filtered": any(params.values()),
        "errors": [],
        "region_groups": region_groups(user),
        "limit": BOARD_LIMIT,
        "low": [],
        "expiring": [],
    }
    status = 200
    try:
        alerts = queries.stock_alerts(user, region=region_param(params["region"]))
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        status = 400
    else:
        today = alerts["today"]
        context["low"] = [
            {"stock": s, "short": s.minimum - s.usable}
            for s in alerts["below_minimum"].select_related("warehouse__region__parent")[:BOARD_LIMIT]
        ]
        context["expiring"] = [
            {
                "batch": b,
                "days_left": (b.expiry_date - today).days,
                "days_ago": (today - b.expiry_date).days,
                "expired": b.expiry_date < today,
            }
            for b in alerts["expiring"].select_related("stock__warehouse__region__parent")[:BOARD_LIMIT]
        ]
        context["low_count"] = alerts["below_minimum"].count()
        context["expiring_count"] = alerts["expiring"].count()
        context["days"] = alerts["days"]
    return render(request, "emergency/stock_alerts.html", context, status=status)
