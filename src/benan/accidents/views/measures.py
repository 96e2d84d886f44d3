"""The rectification measures list: every measure in the reader's scope, soonest deadline first,
with the forms the reader may use on each. An enterprise finds here the measures assigned to it,
also those from another unit's accident whose page it cannot open.

Imports from core, this app and `views.common` / `views.detail`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render

from benan.core import clock
from benan.core.pages import list_page, messages_of

from .. import queries
from ..models import MeasureState
from .detail import measure_row, with_relations


@login_required
def measure_list(request):
    user = request.user
    params = {key: request.GET.get(key, "").strip() for key in ("state", "overdue")}
    today = clock.today()
    context = {"params": params, "states": MeasureState.choices, "rows": [], "page": None, "errors": []}
    status = 200
    try:
        if params["state"] and params["state"] not in MeasureState.values:
            raise ValidationError({"state": [f"“{params['state']}”不是可选状态"]})
        queryset = queries.measures(user, state=params["state"] or None)
        if params["overdue"] == "1":
            queryset = queryset.filter(state=MeasureState.OPEN, due_date__lt=today)
        page = list_page(request, with_relations(queryset).order_by("due_date", "id"))
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        status = 400
    else:
        visible = set(
            queries.accidents(user)
            .filter(pk__in=[m.investigation.accident_id for m in page.items])
            .values_list("pk", flat=True)
        )
        context["page"] = page
        context["rows"] = [
            {
                **measure_row(request, m, m.investigation.accident, {}, today),
                "accident": m.investigation.accident,
                "accident_visible": m.investigation.accident_id in visible,
            }
            for m in page.items
        ]
    return render(request, "accidents/measures.html", context, status=status)
