"""The posts of the alert page, one URL per action (分派, 现场核查, 一键立案): each runs its service and
redirects back to the alert (302); a refused role or state re-renders the page with the reason
as an alert (403 / 409), bad input with the errors under their fields (422). Nothing changes
state here except through `services`.

Imports from core, this app and `views.common`, `views.panels`, `views.detail`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from benan.core.pages import attempt

from . import panels as specs
from .common import alert_or_404, require_government
from .detail import detail_context


def _act(request, pk: int, key: str):
    user = request.user
    alert = alert_or_404(user, pk)
    require_government(user)  # unreachable for enterprises (their scope holds no alert), kept explicit
    spec = specs.ACTIONS[key]
    if not specs.role_may(key, user):
        context = detail_context(request, alert, notice=f"您的角色无权{spec.label}", failed=key)
        return render(request, "power/detail.html", context, status=403)
    form = specs.make_form(key, request, alert, data=request.POST, files=request.FILES)
    done: list[str] = []
    status, notice = attempt(
        form, lambda: done.append(spec.run(request, alert, form)), refusals_on_page=True
    )
    if not status:
        messages.success(request, done[0])
        return redirect(reverse("power:detail", args=[alert.pk]))
    form.mark_fields()
    alert = alert_or_404(user, pk)
    context = detail_context(request, alert, bound={key: form}, notice=notice, failed=key)
    return render(request, "power/detail.html", context, status=status)


@login_required
@require_POST
def alert_assign(request, pk: int):
    return _act(request, pk, "assign")


@login_required
@require_POST
def alert_check(request, pk: int):
    return _act(request, pk, "check")


@login_required
@require_POST
def alert_open_case(request, pk: int):
    return _act(request, pk, "open_case")
