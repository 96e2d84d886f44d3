"""The blacklist (严重失信主体名单): the published list (no login, only what is public), its management
list and the early-exit actions.

Imports from core, this app and `views.common`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from benan.core.models import Role
from benan.core.pages import attempt, http_errors, messages_of
from benan.core.pages import list_page as _list_page
from benan.core.scope import get_in_scope

from .. import forms, queries, rules, services
from ..models import HEADS, OFFICERS, UNVERIFIED_REASONS, BlacklistEntry, BlacklistState
from .common import _flag, _may, _region, _region_groups, _year, _years

BLACKLIST_ACTIONS = {
    "apply_exit": ("申请提前移出", forms.ApplyExitForm, OFFICERS | {Role.ENTERPRISE}, "btn-outline-primary"),
    "approve_exit": ("同意提前移出", forms.ExitCommentForm, HEADS, "btn-success"),
    "reject_exit": ("驳回移出申请", forms.ExitCommentForm, HEADS, "btn-outline-danger"),
}
BLACKLIST_DONE = {
    "apply_exit": "已提交提前移出申请",
    "approve_exit": "已同意提前移出",
    "reject_exit": "已驳回提前移出申请",
}


def _blacklist_page_actions(entry: BlacklistEntry, user) -> list[str]:
    return [t.action for t in BlacklistEntry.LOOP.available(entry, user) if t.action in BLACKLIST_ACTIONS]


@require_http_methods(["GET", "HEAD"])
def public_blacklist(request):
    """The published list: everyone may read it, logged in or not; only what is public."""
    q = request.GET.get("q", "").strip()[:100]
    r = rules.current()
    page, errors, status = None, [], 200
    try:
        page = _list_page(request, queries.public_blacklist(q=q or None))
    except ValidationError as exc:
        errors, status = messages_of(exc), 400
    return render(
        request,
        "enforcement/public_blacklist.html",
        {
            "page": page,
            "q": q,
            "errors": errors,
            "years": r.blacklist_years,
            "early_exit_months": r.blacklist_early_exit_months,
            "rules_verified": r.blacklist_verified,
            "unverified_reasons": {str(k) for k in UNVERIFIED_REASONS},
        },
        status=status,
    )


def _blacklist_context(request, bound: dict | None = None, alert: str = "", failed: str = "") -> dict:
    keys = ("region", "year", "active")
    params = {key: request.GET.get(key, "").strip() for key in keys}
    today = timezone.localdate()
    bound = bound or {}
    page, rows, errors = None, [], []
    try:
        page = _list_page(
            request,
            queries.blacklist_entries(
                request.user,
                region=_region(params["region"]),
                year=_year(params["year"]),
                active=_flag(params["active"], "active", "是否在名单内"),
                today=today,
            ).select_related("region__parent"),
        )
    except ValidationError as exc:
        errors = messages_of(exc)
    else:
        for entry in page.items:
            entry_forms = []
            names = _blacklist_page_actions(entry, request.user)
            for name, (label, form_class, _, button) in BLACKLIST_ACTIONS.items():
                key = f"blacklist:{entry.pk}:{name}"
                if name not in names and key not in bound:
                    continue
                entry_forms.append(
                    {
                        "action": name,
                        "key": key,
                        "dom": f"entry-{entry.pk}-{name}",
                        "label": label,
                        "button": button,
                        "form": bound.get(key)
                        or form_class(user=request.user, auto_id=f"entry{entry.pk}-{name}-%s"),
                        "url": reverse("enforcement:blacklist_action", args=[entry.pk, name]),
                    }
                )
            rows.append(
                {
                    "entry": entry,
                    "active": queries.blacklist_active(entry, today),
                    "verified": entry.reason_kind not in UNVERIFIED_REASONS,
                    "forms": entry_forms,
                }
            )
    return {
        "page": page,
        "rows": rows,
        "errors": errors,
        "params": params,
        "filtered": any(params.values()),
        "region_groups": _region_groups(request.user),
        "years": _years(),
        "alert": alert,
        "failed": failed,
        "states": BlacklistState.choices,
        "early_exit_months": rules.current().blacklist_early_exit_months,
    }


@login_required
def blacklist_manage(request):
    context = _blacklist_context(request)
    return render(
        request, "enforcement/blacklist_manage.html", context, status=400 if context["errors"] else 200
    )


@login_required
@require_POST
def blacklist_action(request, pk: int, action: str):
    if action not in BLACKLIST_ACTIONS:
        raise Http404("没有这个操作")
    label, form_class, roles, _ = BLACKLIST_ACTIONS[action]
    if not _may(request.user, roles):
        raise PermissionDenied(f"您的角色无权执行“{label}”")
    with http_errors():
        entry = get_in_scope(BlacklistEntry.objects.select_related("enterprise"), request.user, pk=pk)
    form = form_class(request.POST, user=request.user, auto_id=f"entry{entry.pk}-{action}-%s")

    def run():
        data, actor = form.cleaned_data, request.user
        if action == "apply_exit":
            services.apply_exit(actor=actor, entry=entry, application=data["application"])
        elif action == "approve_exit":
            services.approve_exit(actor=actor, entry=entry, comment=data["comment"])
        else:
            services.reject_exit(actor=actor, entry=entry, comment=data["comment"])

    status, alert = attempt(form, run)
    if not status:
        messages.success(request, BLACKLIST_DONE[action])
        return redirect(reverse("enforcement:blacklist") + f"#entry-{entry.pk}")
    form.mark_fields()
    key = f"blacklist:{entry.pk}:{action}"
    context = _blacklist_context(request, {key: form}, alert, key)
    if not any(row["entry"].pk == entry.pk for row in context["rows"]):
        # The entry is not on the first page of the list: show it above the list with its form.
        context["focus"] = {
            "entry": entry,
            "active": queries.blacklist_active(entry),
            "verified": entry.reason_kind not in UNVERIFIED_REASONS,
            "forms": [
                {
                    "action": action,
                    "key": key,
                    "dom": f"entry-{entry.pk}-{action}",
                    "label": label,
                    "button": BLACKLIST_ACTIONS[action][3],
                    "form": form,
                    "url": request.path,
                }
            ],
        }
    return render(request, "enforcement/blacklist_manage.html", context, status=status)
